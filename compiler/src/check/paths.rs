//! Field paths: `author.name` from a model, across fields and relations.
//!
//! Input: a model id and the names of a dotted path. Output: an
//! [`ir::FieldPath`] whose steps follow fields, foreign keys, one-to-one,
//! many-to-many and reverse relations; or the diagnostic explaining why the
//! path does not resolve (E0101 unknown field, E0404 through a non-relation),
//! which the caller reports (possibly under another code, as `str` formats do).

use super::Checker;
use super::ir::{self, FieldId, Member, ModelId, ReverseId, Step, StepKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast;

/// Why a path did not resolve.
pub(super) enum PathError {
    /// Worth reporting.
    Report(Box<Diagnostic>),
    /// A name whose declaration already had an error: say nothing more.
    Broken,
}

impl Checker<'_> {
    /// Resolves `parts` from `model`, without reporting.
    pub(super) fn lookup_path(
        &self,
        model: ModelId,
        parts: &[ast::Ident],
        span: Span,
    ) -> Result<ir::FieldPath, PathError> {
        let mut steps: Vec<Step> = Vec::with_capacity(parts.len());
        let mut current = model;
        for part in parts {
            if let Some(previous) = steps.last() {
                match self.project.step_target(previous.kind) {
                    Some(target) => current = target,
                    None => {
                        return Err(PathError::Report(Box::new(
                            self.not_a_relation(*previous, part),
                        )));
                    }
                }
            }
            let kind = match self.project.model(current).members.get(&part.name) {
                Some(Member::Field(index)) => StepKind::Field(FieldId {
                    model: current,
                    index: *index,
                }),
                Some(Member::Reverse(index)) => StepKind::Reverse(ReverseId {
                    model: current,
                    index: *index,
                }),
                None if self.broken.fields.contains(&(current, part.name.clone())) => {
                    return Err(PathError::Broken);
                }
                None => {
                    return Err(PathError::Report(Box::new(
                        self.unknown_field(current, part),
                    )));
                }
            };
            steps.push(Step {
                kind,
                span: part.span,
            });
        }
        Ok(ir::FieldPath { model, steps, span })
    }

    /// Resolves `parts` from `model`, reporting failures.
    pub(super) fn resolve_path(
        &mut self,
        model: ModelId,
        parts: &[ast::Ident],
        span: Span,
    ) -> Option<ir::FieldPath> {
        match self.lookup_path(model, parts, span) {
            Ok(path) => Some(path),
            Err(PathError::Report(diagnostic)) => {
                self.report(*diagnostic);
                None
            }
            Err(PathError::Broken) => None,
        }
    }

    /// E0101: `model` has no member called `name`.
    pub(super) fn unknown_field(&self, model: ModelId, name: &ast::Ident) -> Diagnostic {
        let m = self.project.model(model);
        let diagnostic = Diagnostic::new(
            Code::UnknownField,
            name.span,
            format!("model `{}` has no field `{}`", m.name, name.name),
        )
        .with_label("unknown field")
        .with_suggestion(&name.name, "a field", m.members.keys().map(String::as_str));
        if diagnostic.help.is_some() {
            return diagnostic;
        }
        let mut names: Vec<&str> = m.members.keys().map(String::as_str).collect();
        let more = names.len() > 12;
        names.truncate(12);
        let list = super::backticked(names);
        diagnostic.with_note(format!(
            "`{}` has: {list}{}",
            m.name,
            if more { ", …" } else { "" }
        ))
    }

    /// E0404: the path continues with `next` after `previous`, which is not a relation.
    fn not_a_relation(&self, previous: Step, next: &ast::Ident) -> Diagnostic {
        let StepKind::Field(field_id) = previous.kind else {
            unreachable!("reverse relations always have a target")
        };
        let field = self.project.field(field_id);
        let model = self.model_name(field_id.model);
        Diagnostic::new(
            Code::NotARelation,
            next.span,
            format!(
                "`{model}.{}` is not a relation, so it has no field `{}`",
                field.name, next.name
            ),
        )
        .with_label(format!("cannot look up `{}` here", next.name))
        .with_secondary(
            field.span,
            format!(
                "`{}` is {} field",
                field.name,
                super::a(&field.ty.describe(&self.project))
            ),
        )
    }
}
