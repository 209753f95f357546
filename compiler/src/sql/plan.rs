//! Fetch plans: which relations a view loads together with its rows.
//!
//! Input: the relation paths a consumer reads — a JSON view's `fields`
//! (`author.name`, `tags.name`), or the paths a template touches
//! (`post.author.name`, `post.tags.all`), or the relations code generation
//! needs to evaluate `object.…` values. Output: a [`FetchPlan`], a tree of
//! relation steps. The statements compiled from it join the single-valued
//! relations and fetch each many relation with one batched query, so the
//! number of queries does not depend on the number of rows.

use crate::check::ir::{FieldPath, Project, StepKind};

/// A tree of relations to load: each entry is a relation step from the
/// model at this level and what to load from the related rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchPlan {
    /// The relations, in the order they were first asked for.
    pub relations: Vec<(StepKind, FetchPlan)>,
}

impl FetchPlan {
    /// An empty plan: the rows' own columns only.
    pub fn new() -> FetchPlan {
        FetchPlan::default()
    }

    /// Whether the plan loads no relation.
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }

    /// Adds a chain of relation steps (every step must be a relation).
    pub fn add_steps(&mut self, steps: &[StepKind]) {
        let Some((first, rest)) = steps.split_first() else {
            return;
        };
        let index = match self.relations.iter().position(|(step, _)| step == first) {
            Some(index) => index,
            None => {
                self.relations.push((*first, FetchPlan::new()));
                self.relations.len() - 1
            }
        };
        self.relations[index].1.add_steps(rest);
    }

    /// Adds the relations a path crosses to reach its value. The path's
    /// last step is loaded when `load_last` is true and it is a relation
    /// (a template showing `{{ post.author }}` needs the author; a JSON
    /// field `author` needs only the key, which is a column of the row).
    pub fn add_path(&mut self, project: &Project, path: &FieldPath, load_last: bool) {
        let mut steps: Vec<StepKind> = path.steps.iter().map(|step| step.kind).collect();
        let last_is_relation = steps
            .last()
            .is_some_and(|&step| project.step_target(step).is_some());
        let keep_last = last_is_relation && (load_last || is_many(project, steps.last()));
        if !keep_last {
            steps.pop();
        }
        self.add_steps(&steps);
    }

    /// The plan for the rows reached through `step`, if the plan loads it.
    pub fn child(&self, step: StepKind) -> Option<&FetchPlan> {
        self.relations
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, plan)| plan)
    }
}

/// A many relation's values are the related rows themselves, so they must
/// be loaded even when only their keys are shown.
fn is_many(project: &Project, step: Option<&StepKind>) -> bool {
    step.is_some_and(|&step| project.step_is_many(step))
}
