//! Attribute lookups: `value.name` for every template [`Type`].
//!
//! Input: the type of a value and the name after the dot. Output: the
//! attribute's [`Attr`] (its type, how it resolves, the relation it follows)
//! or a diagnostic (E0708 with a did-you-mean over the type's attributes).
//! Django tries a dict key, an attribute, then a list index; djinn knows the
//! type, so it knows which one applies.

use super::ast::Name;
use super::types::{Lookup, RelationStep, RelationUse, Type};
use crate::check::ir::{FieldType, ModelId, Project, ReverseKind, ViewId};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};

/// A resolved attribute.
#[derive(Clone, Debug)]
pub(super) struct Attr {
    /// Its type.
    pub ty: Type,
    /// How it resolves.
    pub lookup: Lookup,
    /// The relation it follows (the value's provenance grows by this step).
    pub step: Option<RelationStep>,
    /// What the lookup does with the rows of the value it is made on
    /// (`.count` counts a related manager's rows).
    pub uses_base: Option<RelationUse>,
}

impl Attr {
    fn plain(ty: Type, lookup: Lookup) -> Attr {
        Attr {
            ty,
            lookup,
            step: None,
            uses_base: None,
        }
    }

    fn attribute(name: &str, ty: Type) -> Attr {
        Attr::plain(ty, Lookup::Attribute(name.to_string()))
    }
}

/// Resolves `name` on a value of type `base`; `owner` is the expression so
/// far as written (`post.author`), for messages.
pub(super) fn attribute(
    project: &Project,
    base: &Type,
    owner: &str,
    name: &Name,
) -> Result<Attr, Box<Diagnostic>> {
    match base {
        Type::Optional(inner) | Type::Fallible(inner) => {
            let mut attr = attribute(project, inner, owner, name)?;
            attr.ty = attr.ty.fallible();
            Ok(attr)
        }
        Type::Either(a, b) => {
            // A lookup that fails on one side (`""` from `first` of an empty
            // list) is a failed lookup there, as in Django.
            match (
                attribute(project, a, owner, name),
                attribute(project, b, owner, name),
            ) {
                (Ok(first), Ok(second)) if first.lookup != second.lookup => Err(Box::new(Diagnostic::new(
                    Code::TemplateTypeMismatch,
                    name.span,
                    format!(
                        "`{owner}` is `{}` at run time, so `{}` has no single meaning",
                        base.describe(project),
                        name.name
                    ),
                )
                .with_label("ambiguous lookup"))),
                (Ok(first), Ok(second)) => Ok(Attr {
                    ty: first.ty.either(second.ty),
                    ..first
                }),
                (Ok(one), Err(_)) | (Err(_), Ok(one)) => Ok(Attr {
                    ty: one.ty.fallible(),
                    ..one
                }),
                (Err(error), Err(_)) => Err(error),
            }
        }
        Type::Object(model) => model_attribute(project, *model, owner, name),
        Type::Json => Ok(match index(&name.name) {
            Some(i) => Attr::plain(Type::Json.fallible(), Lookup::Index(i)),
            None => Attr::plain(Type::Json.fallible(), Lookup::Key(name.name.clone())),
        }),
        // Keys, except for these methods (which win over a key of the same name).
        Type::QueryDict => Ok(match name.name.as_str() {
            "urlencode" => Attr::attribute("urlencode", Type::Str),
            "keys" | "values" => Attr::attribute(&name.name, Type::List(Box::new(Type::Str))),
            "items" => Attr::attribute("items", Type::List(Box::new(Type::Tuple(vec![Type::Str, Type::Str])))),
            "lists" => Attr::attribute(
                "lists",
                Type::List(Box::new(Type::Tuple(vec![Type::Str, Type::List(Box::new(Type::Str))]))),
            ),
            _ => Attr::plain(Type::Str.fallible(), Lookup::Key(name.name.clone())),
        }),
        Type::Dict(entries) => dict_attribute(project, entries, owner, name),
        Type::Perms => perms_app(project, owner, name),
        Type::AppPerms => permission(project, owner, name),
        Type::ForLoop(0) if name.name == "parentloop" => Err(Box::new(Diagnostic::new(
            Code::UnknownAttribute,
            name.span,
            "`forloop.parentloop` outside a nested loop",
        )
        .with_label("this loop is not inside another `{% for %}`")
        .with_note(
            "Django gives an empty dict here, so every attribute of it renders as an empty string",
        ))),
        Type::ErrorDict(view) | Type::Form(view) | Type::FormFields(view) => {
            match form_field(project, *view, &name.name) {
                Some(field) => {
                    let ty = match base {
                        Type::Form(_) => Type::BoundField(*view, Some(field)),
                        Type::FormFields(_) => Type::FormFieldDef(Some(field)),
                        _ => Type::ErrorList.fallible(),
                    };
                    Ok(Attr::plain(ty, Lookup::FormField(field)))
                }
                None => builtin(project, base, owner, name),
            }
        }
        Type::Str
        | Type::SafeStr
        | Type::List(_)
        | Type::QuerySet(_)
        | Type::Page(_)
        | Type::ErrorList
            if index(&name.name).is_some() =>
        {
            let i = index(&name.name).expect("checked");
            let item = match base {
                Type::Str | Type::SafeStr => Type::Str,
                Type::ErrorList => Type::Str,
                other => other.element().expect("a sequence"),
            };
            let uses_base =
                matches!(base, Type::QuerySet(_) | Type::Page(_)).then_some(RelationUse::Rows);
            Ok(Attr {
                uses_base,
                ..Attr::plain(item.fallible(), Lookup::Index(i))
            })
        }
        Type::Tuple(items) => match index(&name.name) {
            Some(i) if i < items.len() => Ok(Attr::plain(items[i].clone(), Lookup::Index(i))),
            _ => Err(Box::new(
                Diagnostic::new(
                    Code::UnknownAttribute,
                    name.span,
                    format!("`{owner}` holds {} values: `{}` is not one of them", items.len(), name.name),
                )
                .with_label("no such item")
                .with_help(format!(
                    "write `{owner}.0` to `{owner}.{}`, or unpack it: `{{% for a, b in … %}}`",
                    items.len().saturating_sub(1)
                )),
            )),
        },
        _ => builtin(project, base, owner, name),
    }
}

/// `0`, `12`: a position, as Django's `int(bit)` reads it.
fn index(name: &str) -> Option<usize> {
    if name.bytes().all(|b| b.is_ascii_digit()) {
        name.parse().ok()
    } else {
        None
    }
}

/// The form field of a view's form named `name`.
fn form_field(project: &Project, view: ViewId, name: &str) -> Option<crate::check::ir::FieldId> {
    form_fields(project, view)
        .into_iter()
        .find(|id| project.field(*id).name == name)
}

/// The fields of a view's form, in order (empty for a delete view's).
pub(super) fn form_fields(project: &Project, view: ViewId) -> Vec<crate::check::ir::FieldId> {
    match &project.view(view).kind {
        crate::check::ir::ViewKind::Generic(generic) => generic
            .fields
            .iter()
            .filter_map(|path| path.last_field())
            .collect(),
        _ => Vec::new(),
    }
}

/// Every attribute of an object of `model`, with its type and resolution.
pub(super) fn model_members(project: &Project, model: ModelId) -> Vec<(String, Attr)> {
    let m = project.model(model);
    let mut members = Vec::new();
    for (index, field) in m.fields.iter().enumerate() {
        let id = crate::check::ir::FieldId {
            model,
            index: index as u32,
        };
        let nullable = |ty: Type| if field.null { ty.optional() } else { ty };
        match &field.ty {
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                members.push((
                    field.name.clone(),
                    Attr {
                        step: Some(RelationStep::Field(id)),
                        ..Attr::plain(nullable(Type::Object(relation.target)), Lookup::Field(id))
                    },
                ));
                let key = project.model(relation.target).pk().ty.value_type();
                members.push((
                    format!("{}_id", field.name),
                    Attr::plain(nullable(Type::from_ir(&key, false)), Lookup::RelationId(id)),
                ));
            }
            FieldType::ManyToMany(relation) => members.push((
                field.name.clone(),
                Attr {
                    step: Some(RelationStep::Field(id)),
                    ..Attr::plain(Type::Manager(relation.target), Lookup::Field(id))
                },
            )),
            other => {
                members.push((
                    field.name.clone(),
                    Attr::plain(
                        nullable(Type::from_ir(&other.value_type(), false)),
                        Lookup::Field(id),
                    ),
                ));
                if matches!(other, FieldType::Choice { .. }) {
                    members.push((
                        format!("get_{}_display", field.name),
                        Attr::plain(Type::Str, Lookup::ChoiceDisplay(id)),
                    ));
                }
            }
        }
    }
    for (index, reverse) in m.reverse.iter().enumerate() {
        let id = crate::check::ir::ReverseId {
            model,
            index: index as u32,
        };
        let ty = match reverse.kind {
            ReverseKind::Many => Type::Manager(reverse.model),
            // Django raises `RelatedObjectDoesNotExist`, which templates treat as a failed lookup.
            ReverseKind::One => Type::Object(reverse.model).fallible(),
        };
        members.push((
            reverse.name.clone(),
            Attr {
                step: Some(RelationStep::Reverse(id)),
                ..Attr::plain(ty, Lookup::Reverse(id))
            },
        ));
    }
    let pk = Type::from_ir(&m.pk().ty.value_type(), false);
    members.push(("pk".to_string(), Attr::plain(pk, Lookup::Pk)));
    members
}

fn model_attribute(
    project: &Project,
    model: ModelId,
    owner: &str,
    name: &Name,
) -> Result<Attr, Box<Diagnostic>> {
    let members = model_members(project, model);
    if let Some((_, attr)) = members.iter().find(|(n, _)| *n == name.name) {
        return Ok(attr.clone());
    }
    let m = project.model(model);
    let d = Diagnostic::new(
        Code::UnknownAttribute,
        name.span,
        format!("model `{}` has no field `{}`", m.name, name.name),
    )
    .with_label(format!("`{owner}` is {} `{}`", article(&m.name), m.name))
    .with_secondary(m.name_span, format!("`{}` is declared here", m.name))
    .with_suggestion(
        &name.name,
        "a field",
        members.iter().map(|(n, _)| n.as_str()),
    );
    Err(Box::new(if d.help.is_some() {
        d
    } else {
        let names: Vec<&str> = m.members.keys().map(String::as_str).collect();
        d.with_note(format!("`{}` has {}", m.name, list(&names)))
    }))
}

/// A key of a dict (Django tries the key first), else one of its methods
/// `items`, `keys`, `values`.
fn dict_attribute(
    project: &Project,
    entries: &[(String, Type)],
    owner: &str,
    name: &Name,
) -> Result<Attr, Box<Diagnostic>> {
    if let Some((_, ty)) = entries.iter().find(|(key, _)| *key == name.name) {
        return Ok(Attr::plain(ty.clone(), Lookup::Key(name.name.clone())));
    }
    let values = entries
        .iter()
        .map(|(_, ty)| ty.clone())
        .reduce(Type::either)
        .unwrap_or(Type::None);
    let method = match name.name.as_str() {
        "keys" => Some(Type::List(Box::new(Type::Str))),
        "values" => Some(Type::List(Box::new(values.clone()))),
        "items" => Some(Type::List(Box::new(Type::Tuple(vec![Type::Str, values])))),
        _ => None,
    };
    if let Some(ty) = method {
        return Ok(Attr::attribute(&name.name, ty));
    }
    let described = Type::Dict(entries.to_vec()).describe(project);
    let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
    let d = Diagnostic::new(
        Code::UnknownAttribute,
        name.span,
        format!("`{owner}` has no key `{}`", name.name),
    )
    .with_label(format!("`{owner}` is a {described}"))
    .with_suggestion(&name.name, "a key", keys.iter().copied());
    Err(Box::new(if d.help.is_some() || keys.is_empty() {
        d
    } else {
        d.with_note(format!("`{owner}` has {}", list(&keys)))
    }))
}

fn perms_app(project: &Project, owner: &str, name: &Name) -> Result<Attr, Box<Diagnostic>> {
    let app = &project.app_label;
    if name.name == *app {
        return Ok(Attr::attribute(app, Type::AppPerms));
    }
    Err(Box::new(
        Diagnostic::new(
            Code::UnknownAttribute,
            name.span,
            format!(
                "`{owner}.{}`: no app is labelled `{}`",
                name.name, name.name
            ),
        )
        .with_label(format!("this project's app label is `{app}`"))
        .with_help(format!(
            "write `{owner}.{app}.<codename>`, e.g. `{owner}.{app}.add_…`"
        )),
    ))
}

fn permission(project: &Project, owner: &str, name: &Name) -> Result<Attr, Box<Diagnostic>> {
    let codenames = permission_codenames(project);
    if codenames.contains(&name.name) {
        return Ok(Attr::attribute(&name.name, Type::Bool));
    }
    let d = Diagnostic::new(
        Code::UnknownAttribute,
        name.span,
        format!("unknown permission `{}.{}`", project.app_label, name.name),
    )
    .with_label("no model has this permission")
    .with_suggestion(
        &name.name,
        "a permission",
        codenames.iter().map(String::as_str),
    );
    Err(Box::new(if d.help.is_some() {
        d
    } else {
        d.with_note(format!(
            "`{owner}` has `add_`, `change_`, `delete_` and `view_` and a model name in lower case, and the permissions models declare"
        ))
    }))
}

/// Every permission codename of the project: the four built-in ones per
/// model and those declared in `meta`.
pub(super) fn permission_codenames(project: &Project) -> Vec<String> {
    let mut names = Vec::new();
    for model in &project.models {
        let lower = model.name.to_lowercase();
        for action in ["add", "change", "delete", "view"] {
            names.push(format!("{action}_{lower}"));
        }
        names.extend(model.permissions.iter().map(|p| p.codename.clone()));
    }
    names
}

/// The attributes of the built-in types.
fn builtin_members(ty: &Type) -> Vec<(&'static str, Type)> {
    use Type::*;
    let rows = |model: ModelId| -> Vec<(&'static str, Type)> {
        vec![
            ("all", QuerySet(model)),
            ("count", Int),
            ("exists", Bool),
            ("first", Object(model).optional()),
            ("last", Object(model).optional()),
        ]
    };
    match ty {
        Manager(model) | QuerySet(model) => rows(*model),
        Page(model) => vec![
            ("number", Int),
            ("has_next", Bool),
            ("has_previous", Bool),
            ("has_other_pages", Bool),
            ("next_page_number", Int),
            ("previous_page_number", Int),
            ("start_index", Int),
            ("end_index", Int),
            ("object_list", QuerySet(*model)),
            ("paginator", Paginator(*model)),
        ],
        Paginator(_) => vec![
            ("count", Int),
            ("num_pages", Int),
            ("per_page", Int),
            ("page_range", List(Box::new(Int))),
        ],
        Form(view) => vec![
            ("fields", FormFields(*view)),
            ("errors", ErrorDict(*view)),
            ("non_field_errors", ErrorList),
            ("is_bound", Bool),
            ("as_div", SafeStr),
            ("as_p", SafeStr),
            ("as_table", SafeStr),
            ("as_ul", SafeStr),
            ("media", SafeStr),
            (
                "hidden_fields",
                List(Box::new(BoundField(*view, Option::None))),
            ),
            (
                "visible_fields",
                List(Box::new(BoundField(*view, Option::None))),
            ),
        ],
        FormFieldDef(_) => vec![
            ("label", Str),
            ("required", Bool),
            ("help_text", Str),
            ("disabled", Bool),
        ],
        BoundField(view, field) => vec![
            ("label", Str),
            ("name", Str),
            ("html_name", Str),
            ("id_for_label", Str),
            ("auto_id", Str),
            ("help_text", Str),
            ("widget_type", Str),
            ("css_classes", Str),
            ("label_tag", SafeStr),
            ("legend_tag", SafeStr),
            ("as_hidden", SafeStr),
            ("as_widget", SafeStr),
            ("errors", ErrorList),
            ("value", FormValue),
            ("initial", FormValue),
            ("data", FormValue),
            ("is_hidden", Bool),
            ("use_fieldset", Bool),
            ("field", FormFieldDef(*field)),
            ("form", Form(*view)),
        ],
        ErrorList => vec![("as_text", SafeStr), ("as_ul", SafeStr)],
        ErrorDict(_) => vec![
            ("items", List(Box::new(Tuple(vec![Str, ErrorList])))),
            ("keys", List(Box::new(Str))),
            ("as_text", SafeStr),
            ("as_ul", SafeStr),
            ("as_json", Str),
        ],
        User => {
            // The anonymous user has none of `email` … `last_login`: a failed lookup.
            let absent = |t: Type| t.fallible();
            vec![
                ("is_authenticated", Bool),
                ("is_anonymous", Bool),
                ("is_staff", Bool),
                ("is_superuser", Bool),
                ("is_active", Bool),
                ("username", Str),
                ("get_username", Str),
                ("pk", Int.optional()),
                ("id", Int.optional()),
                ("email", absent(Str)),
                ("first_name", absent(Str)),
                ("last_name", absent(Str)),
                ("get_full_name", absent(Str)),
                ("get_short_name", absent(Str)),
                ("date_joined", absent(DateTime)),
                ("last_login", absent(DateTime.optional())),
            ]
        }
        Request => vec![
            ("path", Str),
            ("path_info", Str),
            ("method", Str),
            ("scheme", Str),
            ("GET", QueryDict),
            ("POST", QueryDict),
            ("user", User),
            ("get_full_path", Str),
            ("get_host", Str),
            ("is_secure", Bool),
        ],
        Message => vec![
            ("message", Str),
            ("level", Int),
            ("tags", Str),
            ("extra_tags", Str),
            ("level_tag", Str),
        ],
        ForLoop(depth) => {
            let mut members = vec![
                ("counter", Int),
                ("counter0", Int),
                ("revcounter", Int),
                ("revcounter0", Int),
                ("first", Bool),
                ("last", Bool),
            ];
            if *depth > 0 {
                members.push(("parentloop", ForLoop(depth - 1)));
            }
            members
        }
        Date => date_members(false),
        DateTime => date_members(true),
        Uuid => vec![("hex", Str)],
        _ => Vec::new(),
    }
}

fn date_members(with_time: bool) -> Vec<(&'static str, Type)> {
    let mut members = vec![
        ("year", Type::Int),
        ("month", Type::Int),
        ("day", Type::Int),
        ("weekday", Type::Int),
        ("isoweekday", Type::Int),
        ("isoformat", Type::Str),
    ];
    if with_time {
        members.extend([
            ("hour", Type::Int),
            ("minute", Type::Int),
            ("second", Type::Int),
            ("microsecond", Type::Int),
            ("date", Type::Date),
        ]);
    }
    members
}

fn builtin(
    project: &Project,
    base: &Type,
    owner: &str,
    name: &Name,
) -> Result<Attr, Box<Diagnostic>> {
    let members = builtin_members(base);
    if let Some((attr_name, ty)) = members.iter().find(|(n, _)| *n == name.name) {
        let uses_base = match (base, *attr_name) {
            (Type::Manager(_) | Type::QuerySet(_), "count") => Some(RelationUse::Count),
            (Type::Manager(_) | Type::QuerySet(_), "exists") => Some(RelationUse::Exists),
            (Type::Manager(_) | Type::QuerySet(_), "first" | "last") => Some(RelationUse::Rows),
            _ => None,
        };
        return Ok(Attr {
            uses_base,
            ..Attr::attribute(attr_name, ty.clone())
        });
    }
    let described = base.describe(project);
    let mut names: Vec<String> = members.iter().map(|(n, _)| n.to_string()).collect();
    if let Type::Form(view) | Type::FormFields(view) | Type::ErrorDict(view) = base {
        names.extend(
            form_fields(project, *view)
                .iter()
                .map(|f| project.field(*f).name.clone()),
        );
    }
    let (message, label) = match base {
        Type::Form(view) | Type::FormFields(view) | Type::ErrorDict(view) => (
            format!(
                "the form of view `{}` has no field `{}`",
                project.view(*view).name,
                name.name
            ),
            format!("`{owner}` is {described}"),
        ),
        Type::None => (
            format!(
                "`{owner}` is always none here, so it has no `{}`",
                name.name
            ),
            "Django renders an empty string for this".to_string(),
        ),
        _ => (
            format!("`{owner}` ({described}) has no attribute `{}`", name.name),
            "unknown attribute".to_string(),
        ),
    };
    let d = Diagnostic::new(Code::UnknownAttribute, name.span, message).with_label(label);
    let d = match did_you_mean(&name.name, names.iter().map(String::as_str)) {
        Some(best) => d.with_help(format!("an attribute with a similar name exists: `{best}`")),
        None => match base {
            Type::Manager(_) => d.with_help(format!(
                "`{owner}` is a related manager: use `{owner}.all` for its objects, or `.count`, `.exists`, `.first`, `.last`"
            )),
            Type::Str | Type::SafeStr => {
                d.with_help("text has no attributes in djinn templates; use a filter, e.g. `|upper`")
            }
            _ if names.is_empty() => d.with_note(format!("{} has no attributes", article_type(&described))),
            _ => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                d.with_note(format!("{} has {}", article_type(&described), list(&names)))
            }
        },
    };
    Err(Box::new(d))
}

/// `a` or `an` for a model name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "a list of int", "an error list".
fn article_type(described: &str) -> String {
    format!("{} {described}", article(described))
}

/// "`a`, `b` and `c`"
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::ProjectInput;

    fn project() -> Project {
        let input = ProjectInput::builder()
            .settings("[project]\nname = \"blog\"\n")
            .spec(
                "app.djinn",
                "model Author { name string(max = 50) }\n\
                 model Post {\n  title string(max = 100)\n  author Author null on_delete = set_null related_name = posts\n  status choice { draft = \"Draft\", live = \"Live\" } default = draft\n}\n",
            )
            .build();
        crate::check_project(&input).project
    }

    fn name(text: &str) -> Name {
        Name {
            name: text.to_string(),
            span: crate::source::Span::default(),
        }
    }

    #[test]
    fn model_fields_relations_and_specials() {
        let project = project();
        let post = project.model_named("Post").unwrap();
        let author = project.model_named("Author").unwrap();
        let title = attribute(&project, &Type::Object(post), "post", &name("title")).unwrap();
        assert_eq!(title.ty, Type::Str);
        let rel = attribute(&project, &Type::Object(post), "post", &name("author")).unwrap();
        assert_eq!(rel.ty, Type::Object(author).optional());
        assert!(rel.step.is_some());
        let id = attribute(&project, &Type::Object(post), "post", &name("author_id")).unwrap();
        assert_eq!(id.ty, Type::Int.optional());
        let display = attribute(
            &project,
            &Type::Object(post),
            "post",
            &name("get_status_display"),
        )
        .unwrap();
        assert_eq!(
            display.lookup,
            Lookup::ChoiceDisplay(crate::check::ir::FieldId {
                model: post,
                index: 3
            })
        );
        let posts = attribute(&project, &Type::Object(author), "a", &name("posts")).unwrap();
        assert_eq!(posts.ty, Type::Manager(post));
        // Through a nullable relation, lookups may fail.
        let name_through = attribute(&project, &rel.ty, "post.author", &name("name")).unwrap();
        assert_eq!(name_through.ty, Type::Str.fallible());
    }

    #[test]
    fn unknown_field_suggests() {
        let project = project();
        let post = project.model_named("Post").unwrap();
        let error = attribute(&project, &Type::Object(post), "post", &name("titel")).unwrap_err();
        assert_eq!(error.code, Code::UnknownAttribute);
        assert_eq!(error.message, "model `Post` has no field `titel`");
        assert_eq!(
            error.help.as_deref(),
            Some("a field with a similar name exists: `title`")
        );
    }

    #[test]
    fn managers_and_builtins() {
        let project = project();
        let post = project.model_named("Post").unwrap();
        let count = attribute(&project, &Type::Manager(post), "a.posts", &name("count")).unwrap();
        assert_eq!(
            (count.ty, count.uses_base),
            (Type::Int, Some(RelationUse::Count))
        );
        let error =
            attribute(&project, &Type::Manager(post), "a.posts", &name("title")).unwrap_err();
        assert!(error.help.unwrap().contains("a.posts.all"));
        assert!(attribute(&project, &Type::ForLoop(0), "forloop", &name("parentloop")).is_err());
        assert_eq!(
            attribute(&project, &Type::ForLoop(1), "forloop", &name("parentloop"))
                .unwrap()
                .ty,
            Type::ForLoop(0)
        );
        assert_eq!(
            attribute(&project, &Type::Perms, "perms", &name("blog"))
                .unwrap()
                .ty,
            Type::AppPerms
        );
        assert!(
            attribute(
                &project,
                &Type::AppPerms,
                "perms.blog",
                &name("change_post")
            )
            .is_ok()
        );
        let error = attribute(
            &project,
            &Type::AppPerms,
            "perms.blog",
            &name("chnage_post"),
        )
        .unwrap_err();
        assert!(error.help.unwrap().contains("change_post"));
        let item = attribute(&project, &Type::QuerySet(post), "rows", &name("0")).unwrap();
        assert_eq!(item.ty, Type::Object(post).fallible());
        assert!(attribute(&project, &Type::Int, "n", &name("real")).is_err());
    }
}
