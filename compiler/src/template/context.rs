//! The context a view renders its template with, as Django's generic views
//! and default context processors build it.
//!
//! Input: a checked view. Output: name → [`Binding`] (type and provenance of
//! model objects). Later names win, as in Django: the context processors'
//! names (`request`, `user`, `perms`, `csrf_token`, `messages`), then the
//! generic view's (`object_list`, `object`, `form`, …), then the view's
//! `context` entries.

use super::types::{RelationPath, Type};
use crate::check::ir::{ContextValue, GenericKind, Project, Shape, ViewId, ViewKind};
use std::collections::BTreeMap;

/// A name visible in a template: its type and, for model objects, where
/// they come from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Binding {
    /// The value's type.
    pub ty: Type,
    /// For objects, querysets and managers: the context value and relations
    /// they were reached through.
    pub origin: Option<RelationPath>,
}

impl Binding {
    /// A value that holds no model rows.
    pub(super) fn plain(ty: Type) -> Binding {
        Binding { ty, origin: None }
    }

    fn rows(ty: Type, root: &str, many: bool) -> Binding {
        Binding {
            ty,
            origin: Some(RelationPath::root(root, many)),
        }
    }
}

/// The context of the view `id`.
pub(super) fn view_context(project: &Project, id: ViewId) -> BTreeMap<String, Binding> {
    let view = project.view(id);
    let mut context = BTreeMap::new();
    context.insert("request".to_string(), Binding::plain(Type::Request));
    context.insert("user".to_string(), Binding::plain(Type::User));
    context.insert("perms".to_string(), Binding::plain(Type::Perms));
    context.insert("csrf_token".to_string(), Binding::plain(Type::Str));
    context.insert("messages".to_string(), Binding::plain(Type::Messages));
    if let ViewKind::Generic(generic) = &view.kind {
        let model = generic.model;
        // Django's `context_object_name`: the model's name in lower case.
        let alias = project.model(model).name.to_lowercase();
        match generic.kind {
            GenericKind::List => {
                let rows = Binding::rows(Type::QuerySet(model), "object_list", true);
                context.insert("object_list".to_string(), rows.clone());
                context.insert(format!("{alias}_list"), rows);
                context.insert("is_paginated".to_string(), Binding::plain(Type::Bool));
                if generic.paginate.is_some() {
                    context.insert(
                        "page_obj".to_string(),
                        Binding::rows(Type::Page(model), "object_list", true),
                    );
                    context.insert(
                        "paginator".to_string(),
                        Binding::plain(Type::Paginator(model)),
                    );
                } else {
                    context.insert("page_obj".to_string(), Binding::plain(Type::None));
                    context.insert("paginator".to_string(), Binding::plain(Type::None));
                }
            }
            GenericKind::Detail | GenericKind::Update | GenericKind::Delete => {
                let object = Binding::rows(Type::Object(model), "object", false);
                context.insert("object".to_string(), object.clone());
                context.insert(alias, object);
            }
            GenericKind::Create => {}
        }
        if matches!(
            generic.kind,
            GenericKind::Create | GenericKind::Update | GenericKind::Delete
        ) {
            context.insert("form".to_string(), Binding::plain(Type::Form(id)));
        }
    }
    for entry in &view.context {
        let binding = match &entry.value {
            ContextValue::Query(query) => Binding::rows(
                Type::from_ir(&entry.ty, true),
                &entry.name,
                query.shape == Shape::Many,
            ),
            ContextValue::Value(_) => {
                let ty = Type::from_ir(&entry.ty, false);
                let many = matches!(ty, Type::List(_));
                Binding::rows(ty, &entry.name, many)
            }
        };
        context.insert(entry.name.clone(), binding);
    }
    context
}

/// Why a name that other kinds of views provide is missing here, for help lines.
pub(super) fn absent_name_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "object" => "only detail, update and delete views have `object`",
        "object_list" | "page_obj" | "paginator" | "is_paginated" => {
            "only list views have `object_list`, `page_obj`, `paginator` and `is_paginated`"
        }
        "form" => "only create, update and delete views have `form`",
        "forloop" => "`forloop` exists only inside `{% for %}`",
        "block" => "`block` exists only inside `{% block %}`",
        "view" => "djinn templates do not see the view object",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::ProjectInput;

    #[test]
    fn generic_views_get_djangos_names() {
        let input = ProjectInput::builder()
            .settings("[project]\nname = \"blog\"\n")
            .spec(
                "app.djinn",
                "model BlogPost { title string(max = 100) }\n\
                 view home: list BlogPost { paginate 5 template \"list.html\" context total = BlogPost.count() }\n\
                 view new: create BlogPost { fields [title] template \"form.html\" success \"home\" }\n\
                 view one(id: int): detail BlogPost { template \"one.html\" }\n\
                 urls { path \"\" home name = \"home\"\n path \"new/\" new\n path \"<int:id>/\" one }\n",
            )
            .template("list.html", "")
            .template("form.html", "")
            .template("one.html", "")
            .build();
        let project = crate::check_project(&input).project;
        let model = project.model_named("BlogPost").unwrap();
        let home = view_context(&project, project.view_names["home"]);
        assert_eq!(home["blogpost_list"].ty, Type::QuerySet(model));
        assert_eq!(home["page_obj"].ty, Type::Page(model));
        assert_eq!(home["total"].ty, Type::Int);
        assert_eq!(home["user"].ty, Type::User);
        assert!(!home.contains_key("object"));
        let new = view_context(&project, project.view_names["new"]);
        assert_eq!(new["form"].ty, Type::Form(project.view_names["new"]));
        assert!(!new.contains_key("object"));
        let one = view_context(&project, project.view_names["one"]);
        assert_eq!(one["blogpost"], one["object"]);
        assert_eq!(
            one["object"].origin,
            Some(RelationPath::root("object", false))
        );
    }
}
