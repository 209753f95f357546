//! Views: `ast::View` declarations → [`ir::View`]s.
//!
//! Input: every `view` declaration. Output: `Project::views` and
//! `view_names`. Views are checked in two steps: [`declare_views`] (names,
//! parameters, kind and model) runs before URLs, because routes refer to
//! views; [`check_view_bodies`] (clauses, queries, context, templates,
//! success URLs, access rules, Rust signatures) runs after, because success
//! URLs refer to routes. Diagnostics: E0301–E0317, W0212, and the model,
//! query and URL codes through the checks they share.

use super::ir::{
    self, Access, ContextEntry, ConverterType, FieldPath, GenericKind, GenericView, HttpMethod,
    ModelId, Query, Shape, StepKind, UrlTarget, ViewId, ViewKind, ViewParam,
};
use super::paths::PathError;
use super::queries::{Expect, Scope};
use super::urls::{converter_hint, resolve_url_ref};
use super::{Checker, backticked};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, ClauseKind, LookupOp};
use std::collections::BTreeMap;

/// The access clauses every kind of view takes.
const ACCESS: [&str; 6] = [
    "login_required",
    "staff_required",
    "public",
    "permission",
    "methods",
    "cache",
];
/// Context names the views and templates provide themselves.
const RESERVED_CONTEXT: [&str; 12] = [
    "object",
    "object_list",
    "page_obj",
    "paginator",
    "is_paginated",
    "request",
    "user",
    "perms",
    "csrf_token",
    "messages",
    "form",
    "view",
];

/// Declares every view: name (E0301), parameters (E0314, E0315) and model (E0102).
pub(super) fn declare_views<'v>(
    cx: &mut Checker<'_>,
    views: &[&'v ast::View],
) -> Vec<(ViewId, &'v ast::View)> {
    let mut declared = Vec::with_capacity(views.len());
    let mut first_spans: BTreeMap<&str, Span> = BTreeMap::new();
    for &view in views {
        let name = view.name.name.as_str();
        if let Some(&first) = first_spans.get(name) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateView,
                    view.name.span,
                    format!("the view `{name}` is defined more than once"),
                )
                .with_label(format!("`{name}` redefined here"))
                .with_secondary(first, format!("`{name}` first defined here"))
                .with_help("rename one of the views"),
            );
            continue;
        }
        first_spans.insert(name, view.name.span);
        let params = declare_params(cx, view);
        let kind = match &view.kind {
            ast::ViewKind::Generic {
                json,
                kind,
                model,
                span,
            } => match cx.project.model_named(&model.name) {
                Some(model) => ViewKind::Generic(GenericView {
                    kind: *kind,
                    json: *json,
                    model,
                    query: None,
                    fields: Vec::new(),
                    paginate: None,
                    success: None,
                    span: *span,
                }),
                None => {
                    cx.report(cx.unknown_model(model));
                    cx.broken.views.insert(name.to_string());
                    continue;
                }
            },
            ast::ViewKind::Template { .. } => ViewKind::Template,
            ast::ViewKind::Redirect {
                target, permanent, ..
            } => ViewKind::Redirect {
                // Replaced by the resolved target once routes are known.
                target: UrlTarget::Literal {
                    url: target.name.value.clone(),
                    span: target.name.span,
                },
                permanent: *permanent,
            },
            ast::ViewKind::Rust { path, .. } => ViewKind::Rust {
                function: path.value.clone(),
                signature: None,
                span: path.span,
            },
        };
        let id = ViewId(cx.project.views.len() as u32);
        cx.project.views.push(ir::View {
            name: name.to_string(),
            name_span: view.name.span,
            span: view.span,
            doc: view.doc.clone(),
            params,
            kind,
            template: None,
            context: Vec::new(),
            access: Access::default(),
            routes: Vec::new(),
        });
        cx.project.view_names.insert(name.to_string(), id);
        declared.push((id, view));
    }
    declared
}

fn declare_params(cx: &mut Checker<'_>, view: &ast::View) -> Vec<ViewParam> {
    let mut params: Vec<ViewParam> = Vec::with_capacity(view.params.len());
    let mut first_spans: BTreeMap<&str, Span> = BTreeMap::new();
    let mut ok = true;
    for param in &view.params {
        if let Some(&first) = first_spans.get(param.name.name.as_str()) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateParameter,
                    param.name.span,
                    format!("parameter `{}` is declared twice", param.name.name),
                )
                .with_label("declared again here")
                .with_secondary(first, "first declared here"),
            );
            ok = false;
            continue;
        }
        first_spans.insert(&param.name.name, param.name.span);
        let Some(converter) = ConverterType::from_name(&param.ty.name) else {
            let names = ConverterType::ALL.map(ConverterType::name);
            let d = Diagnostic::new(
                Code::UnknownParameterType,
                param.ty.span,
                format!("unknown parameter type `{}`", param.ty.name),
            )
            .with_label("not a URL converter type")
            .with_suggestion(&param.ty.name, "a type", names);
            let d = if d.help.is_some() {
                d
            } else if let Some(hint) = converter_hint(&param.ty.name) {
                d.with_help(hint)
            } else if cx.project.model_names.contains_key(&param.ty.name) {
                d.with_help(format!(
                    "parameters come from the URL; take the key (e.g. `id: int`) and look the `{}` up with `get`",
                    param.ty.name
                ))
            } else {
                d.with_note(format!(
                    "parameter types are the URL converters {}",
                    backticked(names)
                ))
            };
            cx.report(d);
            ok = false;
            continue;
        };
        params.push(ViewParam {
            name: param.name.name.clone(),
            converter,
            span: param.span,
        });
    }
    if !ok {
        cx.broken.view_params.insert(view.name.name.clone());
    }
    params
}

/// How the kind is named in messages: `list`, `json detail`, `template`…
fn kind_label(kind: &ast::ViewKind) -> String {
    match kind {
        ast::ViewKind::Generic { json, kind, .. } => {
            let name = generic_name(*kind);
            if *json {
                format!("json {name}")
            } else {
                name.to_string()
            }
        }
        ast::ViewKind::Template { .. } => "template".into(),
        ast::ViewKind::Redirect { .. } => "redirect".into(),
        ast::ViewKind::Rust { .. } => "rust".into(),
    }
}

fn generic_name(kind: GenericKind) -> &'static str {
    match kind {
        GenericKind::List => "list",
        GenericKind::Detail => "detail",
        GenericKind::Create => "create",
        GenericKind::Update => "update",
        GenericKind::Delete => "delete",
    }
}

/// The clauses a kind takes besides the access clauses.
fn kind_clauses(kind: &ast::ViewKind) -> &'static [&'static str] {
    match kind {
        ast::ViewKind::Generic { json, kind, .. } => match (kind, json) {
            (GenericKind::List, false) => &["query", "paginate", "template", "context"],
            (GenericKind::List, true) => &["query", "paginate", "fields"],
            (GenericKind::Detail, false) => &["get", "template", "context"],
            (GenericKind::Detail, true) => &["get", "fields"],
            (GenericKind::Create, false) => &["fields", "template", "success", "context"],
            (GenericKind::Create, true) => &["fields"],
            (GenericKind::Update, false) => &["get", "fields", "template", "success", "context"],
            (GenericKind::Update, true) => &["get", "fields"],
            (GenericKind::Delete, false) => &["get", "template", "success", "context"],
            (GenericKind::Delete, true) => &["get"],
        },
        ast::ViewKind::Template { .. } => &["template", "context"],
        ast::ViewKind::Redirect { .. } | ast::ViewKind::Rust { .. } => &[],
    }
}

fn clause_name(kind: &ClauseKind) -> &'static str {
    match kind {
        ClauseKind::Query(_) => "query",
        ClauseKind::Get(_) => "get",
        ClauseKind::Context { .. } => "context",
        ClauseKind::Fields(_) => "fields",
        ClauseKind::Paginate(_) => "paginate",
        ClauseKind::Template(_) => "template",
        ClauseKind::Success(_) => "success",
        ClauseKind::LoginRequired => "login_required",
        ClauseKind::StaffRequired => "staff_required",
        ClauseKind::Public => "public",
        ClauseKind::Permission(_) => "permission",
        ClauseKind::Methods(_) => "methods",
        ClauseKind::Cache(_) => "cache",
    }
}

/// Checks every declared view's body, then warns about views no route serves.
pub(super) fn check_view_bodies(cx: &mut Checker<'_>, declared: Vec<(ViewId, &ast::View)>) {
    for (id, view) in declared {
        body(cx, id, view);
    }
    for view in &cx.project.views {
        if let Some(what) = unprotected_write(view) {
            cx.diags.push(
                Diagnostic::new(
                    Code::UnprotectedWrite,
                    view.name_span,
                    format!("view `{}` {what}, and anyone may call it", view.name),
                )
                .with_label("no `login_required`, `staff_required` or `permission`")
                .with_help(
                    "add `permission = \"APP.ACTION_MODEL\"` or `login_required`; \
                     if anonymous visitors are meant to, say so with `public`",
                )
                .with_note("Django lets such a view through silently; a reviewer has to notice it"),
            );
        }
        if view.routes.is_empty() && !cx.broken.named_by_routes.contains(&view.name) {
            cx.diags.push(
                Diagnostic::new(
                    Code::UnroutedView,
                    view.name_span,
                    format!("view `{}` is never routed", view.name),
                )
                .with_label("no route serves this view")
                .with_help(format!(
                    "serve it from `urls {{ … }}`: `path \"…\" {}`",
                    view.name
                )),
            );
        }
    }
}

/// What a view that changes data does, when no access clause guards it
/// and it is not marked `public`: create, update and delete views (HTML
/// and JSON), and Rust views whose `methods` name an unsafe method.
fn unprotected_write(view: &super::ir::View) -> Option<&'static str> {
    let access = &view.access;
    if access.public
        || access.login_required
        || access.staff_required
        || access.permission.is_some()
    {
        return None;
    }
    match &view.kind {
        super::ir::ViewKind::Generic(generic) => match generic.kind {
            ast::GenericKind::Create => Some("creates rows"),
            ast::GenericKind::Update => Some("changes rows"),
            ast::GenericKind::Delete => Some("deletes rows"),
            _ => None,
        },
        super::ir::ViewKind::Rust { .. } => {
            let unsafe_method = |method: &super::ir::HttpMethod| {
                !matches!(
                    method,
                    super::ir::HttpMethod::Get
                        | super::ir::HttpMethod::Head
                        | super::ir::HttpMethod::Options
                )
            };
            match &access.methods {
                Some(methods) if methods.iter().any(unsafe_method) => {
                    Some("answers POST, PUT, PATCH or DELETE with Rust code")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The clauses of a view, sorted out: E0302 for clauses the kind does not
/// take, E0307 for repeated ones.
struct Clauses<'v> {
    accepted: Vec<&'v ast::Clause>,
    first: BTreeMap<&'static str, Span>,
}

impl<'v> Clauses<'v> {
    fn find(&self, name: &str) -> Option<&'v ast::Clause> {
        self.accepted
            .iter()
            .copied()
            .find(|c| clause_name(&c.kind) == name)
    }
}

fn sort_clauses<'v>(cx: &mut Checker<'_>, view: &'v ast::View) -> Clauses<'v> {
    let allowed = kind_clauses(&view.kind);
    let label = kind_label(&view.kind);
    let mut clauses = Clauses {
        accepted: Vec::with_capacity(view.clauses.len()),
        first: BTreeMap::new(),
    };
    if let ast::ViewKind::Template {
        template: Some(inline),
        ..
    } = &view.kind
    {
        clauses.first.insert("template", inline.span);
    }
    for clause in &view.clauses {
        let name = clause_name(&clause.kind);
        if !allowed.contains(&name) && !ACCESS.contains(&name) {
            let takes = backticked(allowed.iter().chain(ACCESS.iter()).copied());
            let d = Diagnostic::new(
                Code::ClauseNotAllowed,
                clause.keyword,
                format!("{} view does not take `{name}`", super::a(&label)),
            )
            .with_label(format!("not allowed in {} view", super::a(&label)))
            .with_help(format!("{} view takes {takes}", super::a(&label)));
            let d = match (name, &view.kind) {
                ("template", ast::ViewKind::Generic { json: true, .. }) => {
                    d.with_note("JSON views render no template")
                }
                ("success", ast::ViewKind::Generic { json: true, .. }) => {
                    d.with_note("JSON views answer with the object or a status, not a redirect")
                }
                _ => d,
            };
            cx.report(d);
            continue;
        }
        if name != "context" {
            if let Some(&first) = clauses.first.get(name) {
                cx.report(
                    Diagnostic::new(
                        Code::DuplicateClause,
                        clause.keyword,
                        format!("`{name}` is given twice"),
                    )
                    .with_label("given again here")
                    .with_secondary(first, "first given here"),
                );
                continue;
            }
            clauses.first.insert(name, clause.keyword);
        }
        clauses.accepted.push(clause);
    }
    clauses
}

fn body(cx: &mut Checker<'_>, id: ViewId, view: &ast::View) {
    let clauses = sort_clauses(cx, view);
    let access = check_access(cx, &clauses);
    let params = cx.project.view(id).params.clone();
    let mut template = None;
    if let ast::ViewKind::Template {
        template: Some(inline),
        ..
    } = &view.kind
    {
        template = check_template(cx, inline);
    }
    if let Some(ast::Clause {
        kind: ClauseKind::Template(literal),
        ..
    }) = clauses.find("template")
    {
        template = check_template(cx, literal);
    }
    let previous_kind = cx.project.view(id).kind.clone();
    let (object, no_object_reason) = match &previous_kind {
        ViewKind::Generic(g) => match g.kind {
            GenericKind::Detail | GenericKind::Update | GenericKind::Delete => {
                (Some(g.model), None)
            }
            GenericKind::List => (
                None,
                Some("a list view has no object; its rows are `object_list`"),
            ),
            GenericKind::Create => (
                None,
                Some("a create view has no object before it saves one"),
            ),
        },
        ViewKind::Template => (None, Some("a template view has no object")),
        ViewKind::Redirect { .. } | ViewKind::Rust { .. } => {
            (None, Some("this view has no object"))
        }
    };
    let context = check_context(cx, &clauses, &params, object, no_object_reason);
    let kind = match (&view.kind, previous_kind) {
        (ast::ViewKind::Generic { model, .. }, ViewKind::Generic(generic)) => {
            let checked = check_generic(
                cx,
                view,
                &clauses,
                &params,
                generic,
                model,
                template.is_some(),
            );
            ViewKind::Generic(checked)
        }
        (ast::ViewKind::Template { .. }, kind) => {
            if !clauses.first.contains_key("template") {
                missing_clause(
                    cx,
                    view,
                    "template",
                    "name the page: `view about: template \"about.html\"`".to_string(),
                );
            }
            kind
        }
        (
            ast::ViewKind::Redirect {
                target, permanent, ..
            },
            kind,
        ) => {
            let scope = Scope {
                params: &params,
                no_object_reason,
                ..Scope::default()
            };
            match resolve_url_ref(cx, target, &scope) {
                Some(target) => ViewKind::Redirect {
                    target,
                    permanent: *permanent,
                },
                None => kind,
            }
        }
        (ast::ViewKind::Rust { path, .. }, _) => {
            let url_params: Vec<(String, ConverterType)> = params
                .iter()
                .map(|p| (p.name.clone(), p.converter))
                .collect();
            let signature = match cx.rust.check_view(path, &url_params) {
                Ok(function) => Some(function.clone()),
                Err(d) => {
                    cx.report(d);
                    None
                }
            };
            ViewKind::Rust {
                function: path.value.clone(),
                signature,
                span: path.span,
            }
        }
        (_, kind) => kind,
    };
    let ir_view = &mut cx.project.views[id.0 as usize];
    ir_view.kind = kind;
    ir_view.template = template;
    ir_view.context = context;
    ir_view.access = access;
}

/// E0303 at the view's name.
fn missing_clause(cx: &mut Checker<'_>, view: &ast::View, clause: &str, help: String) {
    let label = kind_label(&view.kind);
    cx.report(
        Diagnostic::new(
            Code::MissingClause,
            view.name.span,
            format!("`{label}` view `{}` has no `{clause}`", view.name.name),
        )
        .with_label(format!("{} view needs `{clause}`", super::a(&label)))
        .with_help(help),
    );
}

fn check_template(cx: &mut Checker<'_>, literal: &ast::StrLit) -> Option<ir::TemplateRef> {
    if let Some(&file) = cx.input.templates.get(&literal.value) {
        return Some(ir::TemplateRef {
            name: literal.value.clone(),
            file,
            span: literal.span,
        });
    }
    let d = Diagnostic::new(
        Code::UnknownTemplate,
        literal.span,
        format!("template `{}` not found", literal.value),
    )
    .with_label(format!("no `templates/{}`", literal.value))
    .with_suggestion(
        &literal.value,
        "a template",
        cx.input.templates.keys().map(String::as_str),
    );
    let d = if d.help.is_some() {
        d
    } else if cx.input.templates.is_empty() {
        d.with_help("templates live under `templates/`, named relative to it")
    } else {
        d.with_note(format!(
            "templates are named relative to `templates/`, e.g. `{}`",
            cx.input.templates.keys().next().expect("non-empty")
        ))
    };
    cx.report(d);
    None
}

fn check_access(cx: &mut Checker<'_>, clauses: &Clauses<'_>) -> Access {
    let mut access = Access::default();
    for clause in &clauses.accepted {
        match &clause.kind {
            ClauseKind::LoginRequired => access.login_required = true,
            ClauseKind::StaffRequired => access.staff_required = true,
            ClauseKind::Public => access.public = true,
            ClauseKind::Permission(literal) => access.permission = check_permission(cx, literal),
            ClauseKind::Methods(names) => access.methods = Some(check_methods(cx, names)),
            ClauseKind::Cache(seconds) => {
                access.cache = match u32::try_from(seconds.value) {
                    Ok(value) => Some(value),
                    Err(_) => {
                        cx.report(
                            Diagnostic::new(
                                Code::InvalidClauseValue,
                                seconds.span,
                                "invalid `cache` duration",
                            )
                            .with_label(if seconds.value < 0 {
                                "the duration cannot be negative"
                            } else {
                                "too long"
                            })
                            .with_help("give the number of seconds; `cache = 0` disables caching"),
                        );
                        None
                    }
                }
            }
            _ => {}
        }
    }
    access
}

fn check_methods(cx: &mut Checker<'_>, names: &[ast::Ident]) -> Vec<HttpMethod> {
    let mut methods = Vec::with_capacity(names.len());
    for name in names {
        match HttpMethod::ALL.iter().find(|(n, _)| *n == name.name) {
            Some(&(_, method)) => {
                if !methods.contains(&method) {
                    methods.push(method);
                }
            }
            None => {
                let upper = name.name.to_uppercase();
                let d = Diagnostic::new(
                    Code::UnknownHttpMethod,
                    name.span,
                    format!("unknown HTTP method `{}`", name.name),
                )
                .with_label("not an HTTP method");
                let d = if HttpMethod::ALL.iter().any(|(n, _)| *n == upper) {
                    d.with_help(format!("HTTP methods are uppercase: `{upper}`"))
                } else {
                    let d = d.with_suggestion(
                        &name.name,
                        "a method",
                        HttpMethod::ALL.iter().map(|(n, _)| *n),
                    );
                    if d.help.is_some() {
                        d
                    } else {
                        d.with_note(format!(
                            "the methods are {}",
                            backticked(HttpMethod::ALL.iter().map(|(n, _)| *n))
                        ))
                    }
                };
                cx.report(d);
            }
        }
    }
    methods.sort();
    methods
}

/// `app.codename`: `add_`, `change_`, `delete_`, `view_` + a model, or a
/// permission a model's `meta` declares (E0313).
fn check_permission(cx: &mut Checker<'_>, literal: &ast::StrLit) -> Option<ir::PermissionRef> {
    let app = &cx.project.app_label;
    let Some((written_app, codename)) = literal.value.split_once('.') else {
        cx.report(
            Diagnostic::new(
                Code::UnknownPermission,
                literal.span,
                format!(
                    "permission `{}` is not written `app.codename`",
                    literal.value
                ),
            )
            .with_label("missing the app label")
            .with_help(format!("write e.g. `\"{app}.change_{}\"`", literal.value)),
        );
        return None;
    };
    if written_app != app {
        cx.report(
            Diagnostic::new(
                Code::UnknownPermission,
                literal.span,
                format!(
                    "unknown app `{written_app}` in permission `{}`",
                    literal.value
                ),
            )
            .with_label(format!("this project's app label is `{app}`"))
            .with_help(format!("write `\"{app}.{codename}\"`")),
        );
        return None;
    }
    let found = cx
        .project
        .models
        .iter()
        .enumerate()
        .find_map(|(index, model)| {
            let lower = model.name.to_lowercase();
            let builtin = ["add", "change", "delete", "view"].iter().any(|action| {
                codename
                    .strip_prefix(action)
                    .and_then(|r| r.strip_prefix('_'))
                    == Some(lower.as_str())
            });
            let custom = model.permissions.iter().any(|p| p.codename == codename);
            (builtin || custom).then_some(ModelId(index as u32))
        });
    if let Some(model) = found {
        return Some(ir::PermissionRef {
            app: app.clone(),
            codename: codename.to_string(),
            model,
            span: literal.span,
        });
    }
    let mut candidates: Vec<String> = Vec::new();
    for model in &cx.project.models {
        let lower = model.name.to_lowercase();
        for action in ["add", "change", "delete", "view"] {
            candidates.push(format!("{app}.{action}_{lower}"));
        }
        candidates.extend(
            model
                .permissions
                .iter()
                .map(|p| format!("{app}.{}", p.codename)),
        );
    }
    let d = Diagnostic::new(
        Code::UnknownPermission,
        literal.span,
        format!("unknown permission `{}`", literal.value),
    )
    .with_label("no model has this permission")
    .with_suggestion(
        &literal.value,
        "a permission",
        candidates.iter().map(String::as_str),
    );
    let d = if d.help.is_some() {
        d
    } else {
        d.with_note(
            "permissions are `add_`, `change_`, `delete_` or `view_` and a model name, or declared by `meta { permission … }`",
        )
    };
    cx.report(d);
    None
}

fn check_context(
    cx: &mut Checker<'_>,
    clauses: &Clauses<'_>,
    params: &[ViewParam],
    object: Option<ModelId>,
    no_object_reason: Option<&'static str>,
) -> Vec<ContextEntry> {
    let mut entries: Vec<ContextEntry> = Vec::new();
    for clause in &clauses.accepted {
        let ClauseKind::Context { name, value } = &clause.kind else {
            continue;
        };
        if RESERVED_CONTEXT.contains(&name.name.as_str()) {
            cx.report(
                Diagnostic::new(
                    Code::ContextNameClash,
                    name.span,
                    format!("context name `{}` is reserved", name.name),
                )
                .with_label("the view or the template engine provides this name")
                .with_help("choose another name"),
            );
            continue;
        }
        if let Some(first) = entries.iter().find(|e| e.name == name.name) {
            cx.report(
                Diagnostic::new(
                    Code::ContextNameClash,
                    name.span,
                    format!("context entry `{}` is defined twice", name.name),
                )
                .with_label("defined again here")
                .with_secondary(first.name_span, "first defined here"),
            );
            continue;
        }
        let scope = Scope {
            params,
            object,
            no_object_reason,
            context: &entries,
            columns: None,
        };
        if let Some((value, ty)) = cx.check_context_value(value, &scope) {
            entries.push(ContextEntry {
                name: name.name.clone(),
                name_span: name.span,
                value,
                ty,
                span: clause.span,
            });
        }
    }
    entries
}

/// The Django-style default template name, for help lines.
fn default_template(cx: &Checker<'_>, kind: GenericKind, model: ModelId) -> String {
    let suffix = match kind {
        GenericKind::List => "_list",
        GenericKind::Detail => "_detail",
        GenericKind::Create | GenericKind::Update => "_form",
        GenericKind::Delete => "_confirm_delete",
    };
    format!(
        "{}/{}{suffix}.html",
        cx.project.app_label,
        cx.model_name(model).to_lowercase()
    )
}

fn check_generic(
    cx: &mut Checker<'_>,
    view: &ast::View,
    clauses: &Clauses<'_>,
    params: &[ViewParam],
    mut generic: GenericView,
    model_ident: &ast::Ident,
    has_template: bool,
) -> GenericView {
    let model = generic.model;
    let kind = generic.kind;
    let json = generic.json;
    let query_scope = Scope {
        params,
        no_object_reason: Some("the object is what this query finds"),
        ..Scope::default()
    };
    generic.query = match kind {
        GenericKind::List => {
            let written = clauses.find("query").and_then(|clause| match &clause.kind {
                ClauseKind::Query(expr) => {
                    check_view_query(cx, expr, &query_scope, model, model_ident, "query")
                }
                _ => None,
            });
            Some(written.unwrap_or_else(|| Query::all(model, generic.span)))
        }
        GenericKind::Detail | GenericKind::Update | GenericKind::Delete => {
            let written = match clauses.find("get") {
                Some(ast::Clause {
                    kind: ClauseKind::Get(expr),
                    ..
                }) => check_view_query(cx, expr, &query_scope, model, model_ident, "get"),
                _ => default_get(cx, view, model, params, generic.span),
            };
            Some(written.unwrap_or_else(|| Query::all(model, generic.span)))
        }
        GenericKind::Create => None,
    };
    let fields_clause = clauses
        .find("fields")
        .and_then(|clause| match &clause.kind {
            ClauseKind::Fields(paths) => Some((paths, clause.keyword)),
            _ => None,
        });
    generic.fields = match (kind, fields_clause) {
        (GenericKind::Create | GenericKind::Update, Some((paths, keyword))) => {
            form_fields(cx, model, paths, keyword)
        }
        (GenericKind::Create | GenericKind::Update, None) if json => {
            default_fields(cx, model, generic.span, true)
        }
        (GenericKind::Create | GenericKind::Update, None) => {
            missing_clause(
                cx,
                view,
                "fields",
                "list the fields the form edits, e.g. `fields [title, body]`".to_string(),
            );
            Vec::new()
        }
        (GenericKind::List | GenericKind::Detail, Some((paths, keyword))) if json => {
            output_fields(cx, model, paths, keyword)
        }
        (GenericKind::List | GenericKind::Detail, None) if json => {
            default_fields(cx, model, generic.span, false)
        }
        _ => Vec::new(),
    };
    if let Some(ast::Clause {
        kind: ClauseKind::Paginate(per_page),
        ..
    }) = clauses.find("paginate")
    {
        match u32::try_from(per_page.value) {
            Ok(value) if value >= 1 => generic.paginate = Some(value),
            _ => cx.report(
                Diagnostic::new(
                    Code::InvalidClauseValue,
                    per_page.span,
                    "invalid `paginate` size",
                )
                .with_label(if per_page.value < 1 {
                    "a page holds at least one object"
                } else {
                    "too many objects for one page"
                })
                .with_help("write `paginate 20` for pages of 20 objects"),
            ),
        }
    }
    let success_scope = Scope {
        params,
        object: (kind != GenericKind::Delete).then_some(model),
        no_object_reason: Some("the object is deleted before the redirect"),
        ..Scope::default()
    };
    match clauses.find("success") {
        Some(ast::Clause {
            kind: ClauseKind::Success(url_ref),
            ..
        }) => generic.success = resolve_url_ref(cx, url_ref, &success_scope),
        _ if !json
            && matches!(
                kind,
                GenericKind::Create | GenericKind::Update | GenericKind::Delete
            ) =>
        {
            missing_clause(
                cx,
                view,
                "success",
                "say where to go afterwards, e.g. `success \"post-list\"`".to_string(),
            );
        }
        _ => {}
    }
    if !json && !has_template && !clauses.first.contains_key("template") {
        let suggestion = default_template(cx, kind, model);
        let help = if cx.input.templates.contains_key(&suggestion) {
            format!("add `template \"{suggestion}\"` (the file exists)")
        } else {
            format!("add a template, e.g. `template \"{suggestion}\"`")
        };
        missing_clause(cx, view, "template", help);
    }
    generic
}

/// A `query` or `get` clause: a query over the view's model of the right shape.
fn check_view_query(
    cx: &mut Checker<'_>,
    expr: &ast::Expr,
    scope: &Scope<'_>,
    model: ModelId,
    model_ident: &ast::Ident,
    clause: &str,
) -> Option<Query> {
    let model_name = cx.model_name(model).to_string();
    let ast::Expr::Chain(chain) = expr else {
        cx.report(
            Diagnostic::new(
                Code::QueryShapeMismatch,
                expr.span(),
                format!("`{clause}` needs a query"),
            )
            .with_label(format!("expected a query like `{model_name}.filter(…)`")),
        );
        return None;
    };
    let query = cx.check_query(chain, scope)?;
    if query.model != model {
        let other = cx.model_name(query.model).to_string();
        cx.report(
            Diagnostic::new(
                Code::QueryModelMismatch,
                chain.head.span,
                format!("`{clause}` queries `{other}`, but the view is over `{model_name}`"),
            )
            .with_label(format!("a query over `{other}`"))
            .with_secondary(model_ident.span, "the view's model")
            .with_help(format!(
                "query `{model_name}` here; other models can go in a `context` entry"
            )),
        );
        return None;
    }
    let shape_span = query
        .terminal
        .map(|t| t.span)
        .or(query.slice.map(|s| s.span))
        .unwrap_or(query.span);
    let gives = match query.shape {
        Shape::Many => "a list of objects",
        Shape::One => "one object",
        Shape::Optional => "at most one object",
        Shape::Count => "a number",
        Shape::Bool => "a boolean",
    };
    let problem = match (clause, query.shape) {
        ("query", Shape::Many) => None,
        ("query", _) => Some((
            format!("`query` must give a list of `{model_name}`, but this gives {gives}"),
            "use a `context` entry for single values, or a `detail` view for one object",
        )),
        (_, Shape::Many) if query.slice.is_some() => Some((
            format!("`get` must find one `{model_name}`, but a sliced query gives several"),
            "filter down to one object, or use `.first()`",
        )),
        (_, Shape::Count | Shape::Bool) => Some((
            format!("`get` must find one `{model_name}`, but this gives {gives}"),
            "filter down to one object; use a `context` entry for counts and flags",
        )),
        _ => None,
    };
    if let Some((message, help)) = problem {
        cx.report(
            Diagnostic::new(Code::QueryShapeMismatch, shape_span, message)
                .with_label(format!("gives {gives}"))
                .with_help(help),
        );
        return None;
    }
    Some(query)
}

/// The default `get`: each parameter equals the field of the same name.
fn default_get(
    cx: &mut Checker<'_>,
    view: &ast::View,
    model: ModelId,
    params: &[ViewParam],
    span: Span,
) -> Option<Query> {
    if cx.broken.view_params.contains(&view.name.name) {
        return None;
    }
    if params.is_empty() {
        let model_name = cx.model_name(model);
        let help = format!(
            "add `get {model_name}.filter(…)`, or a parameter named after a unique field, e.g. `{}(slug: slug)`",
            view.name.name
        );
        missing_clause(cx, view, "get", help);
        return None;
    }
    let mut lookups = Vec::with_capacity(params.len());
    let mut ok = true;
    for (index, param) in params.iter().enumerate() {
        let name_span = view
            .params
            .iter()
            .find(|p| p.name.name == param.name)
            .map_or(param.span, |p| p.name.span);
        let ident = ast::Ident {
            name: param.name.clone(),
            span: name_span,
        };
        let path = match cx.lookup_path(model, std::slice::from_ref(&ident), name_span) {
            Ok(path) => path,
            Err(PathError::Broken) => {
                ok = false;
                continue;
            }
            Err(PathError::Report(d)) => {
                let model_name = cx.model_name(model).to_string();
                cx.report(
                    Diagnostic {
                        message: format!("model `{model_name}` has no field `{}` to find the object by", param.name),
                        ..*d
                    }
                    .with_note(format!(
                        "without a `get` clause, each parameter is compared with the field of the same name; add `get {model_name}.filter(…)` to choose"
                    )),
                );
                ok = false;
                continue;
            }
        };
        let StepKind::Field(field_id) = path.steps[0].kind else {
            cx.report(
                Diagnostic::new(
                    Code::UnknownField,
                    name_span,
                    format!(
                        "`{}` is a reverse relation, not a field to find the object by",
                        param.name
                    ),
                )
                .with_label("not a field")
                .with_help("add a `get` clause"),
            );
            ok = false;
            continue;
        };
        let field = cx.project.field(field_id);
        let expect = Expect::for_field(field_id, &field.ty);
        let value_ty = ir::converter_type(param.converter);
        if !cx.type_accepts(&expect, &value_ty) {
            let field_ty = field.ty.describe(&cx.project);
            let field_span = field.name_span;
            cx.report(
                Diagnostic::new(
                    Code::LookupTypeMismatch,
                    param.span,
                    format!(
                        "parameter `{}: {}` cannot find {} by its `{field_ty}` field `{}`",
                        param.name,
                        param.converter.name(),
                        super::a(cx.model_name(model)),
                        param.name
                    ),
                )
                .with_label(format!("gives `{}`", value_ty.describe(&cx.project)))
                .with_secondary(field_span, format!("`{}` is `{field_ty}`", param.name)),
            );
            ok = false;
            continue;
        }
        lookups.push(ir::Condition::Lookup(ir::Lookup {
            operand: ir::Operand {
                path,
                function: None,
                span: name_span,
            },
            op: LookupOp::Eq,
            value: Some(ir::Value {
                kind: ir::ValueKind::Param {
                    name: param.name.clone(),
                    index: index as u32,
                },
                ty: value_ty,
                span: param.span,
            }),
            span: param.span,
        }));
    }
    if !ok {
        return None;
    }
    let condition = if lookups.len() == 1 {
        lookups.pop().expect("one lookup")
    } else {
        ir::Condition::And(lookups, span)
    };
    let mut query = Query::all(model, span);
    query.filters.push(ir::Filter {
        exclude: false,
        condition,
        span,
    });
    Some(query)
}

/// Every field (or every editable field) of the model, in order.
fn default_fields(cx: &Checker<'_>, model: ModelId, span: Span, editable: bool) -> Vec<FieldPath> {
    let m = cx.project.model(model);
    m.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !editable || f.is_form_editable())
        .map(|(index, _)| FieldPath {
            model,
            steps: vec![ir::Step {
                kind: StepKind::Field(ir::FieldId {
                    model,
                    index: index as u32,
                }),
                span,
            }],
            span,
        })
        .collect()
}

/// E0309 for an empty list or a repeated path; `None` when `path` repeats.
fn first_time(
    cx: &mut Checker<'_>,
    seen: &mut BTreeMap<String, Span>,
    path: &ast::FieldPath,
) -> bool {
    let text: Vec<&str> = path.parts.iter().map(|p| p.name.as_str()).collect();
    let text = text.join(".");
    if let Some(&first) = seen.get(&text) {
        cx.report(
            Diagnostic::new(
                Code::InvalidFieldList,
                path.span,
                format!("`{text}` is listed twice"),
            )
            .with_label("listed again here")
            .with_secondary(first, "first listed here"),
        );
        return false;
    }
    seen.insert(text, path.span);
    true
}

fn empty_fields(cx: &mut Checker<'_>, keyword: Span) {
    cx.report(
        Diagnostic::new(Code::InvalidFieldList, keyword, "`fields` is empty")
            .with_label("no fields listed")
            .with_help("list the fields, e.g. `fields [title, body]`"),
    );
}

/// The fields of a create or update form: the model's own editable fields.
fn form_fields(
    cx: &mut Checker<'_>,
    model: ModelId,
    paths: &[ast::FieldPath],
    keyword: Span,
) -> Vec<FieldPath> {
    if paths.is_empty() {
        empty_fields(cx, keyword);
        return Vec::new();
    }
    let model_name = cx.model_name(model).to_string();
    let mut seen = BTreeMap::new();
    let mut fields = Vec::with_capacity(paths.len());
    for path in paths {
        if !first_time(cx, &mut seen, path) {
            continue;
        }
        if path.parts.len() > 1 {
            let first = &path.parts[0].name;
            cx.report(
                Diagnostic::new(
                    Code::FieldNotEditable,
                    path.span,
                    format!(
                        "{} form edits the fields of `{model_name}` only",
                        super::a(&model_name)
                    ),
                )
                .with_label("a field of a related model")
                .with_help(format!("list `{first}` to choose the related object")),
            );
            continue;
        }
        let Some(resolved) = cx.resolve_path(model, &path.parts, path.span) else {
            continue;
        };
        let problem = match resolved.steps[0].kind {
            StepKind::Reverse(id) => {
                let reverse = cx.project.reverse(id);
                let source = format!(
                    "{}.{}",
                    cx.model_name(reverse.model),
                    cx.project.field(reverse.field).name
                );
                Some((
                    format!("`{}` is the reverse side of `{source}`", reverse.name),
                    Some((reverse.span, format!("`{source}` is declared here"))),
                ))
            }
            StepKind::Field(id) => {
                let field = cx.project.field(id);
                let why = if field.implicit {
                    Some("the database assigns the implicit `id`".to_string())
                } else if field.auto_now {
                    Some("it is set on every save (`auto_now`)".to_string())
                } else if field.auto_now_add {
                    Some("it is set when the object is created (`auto_now_add`)".to_string())
                } else if !field.editable {
                    Some("it is declared `editable = false`".to_string())
                } else {
                    None
                };
                why.map(|why| {
                    (
                        why,
                        (!field.implicit).then(|| (field.span, "declared here".to_string())),
                    )
                })
            }
        };
        match problem {
            None => fields.push(resolved),
            Some((why, related)) => {
                let name = &path.parts[0].name;
                let mut d = Diagnostic::new(
                    Code::FieldNotEditable,
                    path.span,
                    format!("field `{name}` of `{model_name}` cannot be edited in a form"),
                )
                .with_label(why);
                if let Some((span, label)) = related {
                    d = d.with_secondary(span, label);
                }
                cx.report(d.with_help(format!("remove `{name}` from `fields`")));
            }
        }
    }
    fields
}

/// The output fields of a JSON list or detail view, possibly across relations.
fn output_fields(
    cx: &mut Checker<'_>,
    model: ModelId,
    paths: &[ast::FieldPath],
    keyword: Span,
) -> Vec<FieldPath> {
    if paths.is_empty() {
        empty_fields(cx, keyword);
        return Vec::new();
    }
    let mut seen = BTreeMap::new();
    let mut fields = Vec::with_capacity(paths.len());
    for path in paths {
        if first_time(cx, &mut seen, path)
            && let Some(resolved) = cx.resolve_path(model, &path.parts, path.span)
        {
            fields.push(resolved);
        }
    }
    fields
}
