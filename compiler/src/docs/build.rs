//! Docs: the checked project → the [`Site`] model.
//!
//! Input: a [`CheckOutput`] (settings, [`ir::Project`], parsed templates).
//! Output: a [`Site`] holding the text of every page. This is where the
//! cross references are computed: relations in both directions, which views
//! read or write a model, which views render a template, the queries each
//! view runs, the `extends` / `include` tree of templates.
//!
//! The SQL and the number of queries per request come from code generation
//! ([`codegen::view_queries`], [`codegen::queries_per_request`]), so the
//! pages show the statements the server runs; what a template needs from
//! its context comes from the template checker ([`TemplateChecks`]).

use super::describe;
use super::openapi;
use super::site::*;
use crate::CheckOutput;
use crate::check::ir::{
    self, ContextValue, FieldType, GenericKind, HttpMethod, ModelId, Project, ReverseKind,
    StepKind, StrPart, View, ViewId, ViewKind,
};
use crate::codegen::{self, ViewQueries};
use crate::settings::{
    BuiltinMiddleware, DatabaseBackend, MiddlewareKind, SessionBackend, Settings,
};
use crate::sql::{self, CompiledQuery, Layout, LikePattern, ParamValue, Statement};
use crate::template::TemplateChecks;
use crate::template::ast as tpl;
use std::collections::{BTreeMap, BTreeSet};

/// Builds the site model of a checked project.
pub fn build_site(output: &CheckOutput) -> Site {
    let builder = Builder::new(output);
    let usage = ModelUsage::of(&output.project);
    let views: Vec<ViewPage> = output
        .project
        .views
        .iter()
        .enumerate()
        .map(|(index, view)| builder.view_page(ViewId(index as u32), view))
        .collect();
    Site {
        name: output.settings.project.name.clone(),
        description: output.settings.project.description.clone(),
        overview: builder.overview(),
        models: (0..output.project.models.len())
            .map(|index| builder.model_page(ModelId(index as u32), &usage))
            .collect(),
        routes: builder.route_rows(),
        templates: builder.template_pages(),
        admin: builder.admin_page(),
        has_api: output.project.views.iter().any(is_json),
        views,
    }
}

/// The page key of a model.
pub(crate) fn model_key(name: &str) -> String {
    format!("models/{name}")
}

/// The page key of a view.
pub(crate) fn view_key(name: &str) -> String {
    format!("views/{name}")
}

/// The anchor of a route in the route table.
fn route_key(index: usize) -> String {
    format!("routes#route-{}", index + 1)
}

/// True for `json …` generic views.
pub(crate) fn is_json(view: &View) -> bool {
    matches!(&view.kind, ViewKind::Generic(generic) if generic.json)
}

/// The kind as written after the colon (`json list Post`, `template`).
fn kind_text(project: &Project, view: &View) -> String {
    match &view.kind {
        ViewKind::Generic(generic) => {
            let json = if generic.json { "json " } else { "" };
            let kind = match generic.kind {
                GenericKind::List => "list",
                GenericKind::Detail => "detail",
                GenericKind::Create => "create",
                GenericKind::Update => "update",
                GenericKind::Delete => "delete",
            };
            format!("{json}{kind} {}", project.model(generic.model).name)
        }
        ViewKind::Template => "template".to_string(),
        ViewKind::Redirect { .. } => "redirect".to_string(),
        ViewKind::Rust { .. } => "rust".to_string(),
    }
}

/// The methods a view answers: `methods […]`, or what its kind answers.
pub(crate) fn methods(view: &View) -> Vec<HttpMethod> {
    use HttpMethod::*;
    if let Some(methods) = &view.access.methods {
        return methods.clone();
    }
    match &view.kind {
        ViewKind::Generic(generic) => match (generic.json, generic.kind) {
            (false, GenericKind::List | GenericKind::Detail) => vec![Get, Head],
            (false, _) => vec![Get, Head, Post],
            (true, GenericKind::List | GenericKind::Detail) => vec![Get],
            (true, GenericKind::Create) => vec![Post],
            (true, GenericKind::Update) => vec![Put, Patch],
            (true, GenericKind::Delete) => vec![Delete],
        },
        ViewKind::Template => vec![Get, Head],
        ViewKind::Redirect { .. } | ViewKind::Rust { .. } => {
            HttpMethod::ALL.iter().map(|&(_, method)| method).collect()
        }
    }
}

/// The method's name as HTTP writes it.
pub(crate) fn method_name(method: HttpMethod) -> &'static str {
    HttpMethod::ALL
        .iter()
        .find(|(_, m)| *m == method)
        .map_or("GET", |(name, _)| name)
}

fn methods_text(view: &View) -> String {
    if view.access.methods.is_none()
        && matches!(view.kind, ViewKind::Redirect { .. } | ViewKind::Rust { .. })
    {
        return "all".to_string();
    }
    let names: Vec<&str> = methods(view).into_iter().map(method_name).collect();
    names.join(", ")
}

/// The models each view reads and writes.
struct ModelUsage {
    reads: BTreeMap<ModelId, BTreeSet<String>>,
    writes: BTreeMap<ModelId, BTreeSet<String>>,
}

impl ModelUsage {
    fn of(project: &Project) -> ModelUsage {
        let mut usage = ModelUsage {
            reads: BTreeMap::new(),
            writes: BTreeMap::new(),
        };
        for view in &project.views {
            let mut read = BTreeSet::new();
            if let ViewKind::Generic(generic) = &view.kind {
                if matches!(
                    generic.kind,
                    GenericKind::Create | GenericKind::Update | GenericKind::Delete
                ) {
                    usage
                        .writes
                        .entry(generic.model)
                        .or_default()
                        .insert(view.name.clone());
                }
                // Update and delete views read the row they change.
                if generic.kind != GenericKind::Create {
                    read.insert(generic.model);
                }
                if let Some(query) = &generic.query {
                    query_models(project, query, &mut read);
                }
                for path in &generic.fields {
                    if generic.json {
                        // Output keys are read; a create view's keys are only written.
                        if generic.kind != GenericKind::Create {
                            path_models(project, path, &mut read);
                        }
                    } else if let Some(target) = path
                        .last_field()
                        .and_then(|id| project.field(id).ty.target())
                    {
                        // A form's relation field lists the related rows.
                        read.insert(target);
                    }
                }
            }
            for entry in &view.context {
                if let ContextValue::Query(query) = &entry.value {
                    query_models(project, query, &mut read);
                }
            }
            for model in read {
                usage
                    .reads
                    .entry(model)
                    .or_default()
                    .insert(view.name.clone());
            }
        }
        usage
    }
}

/// The models a query reads: its own and those its paths cross.
fn query_models(project: &Project, query: &ir::Query, models: &mut BTreeSet<ModelId>) {
    models.insert(query.model);
    for filter in &query.filters {
        condition_models(project, &filter.condition, models);
    }
    for order in query.order_by.iter().flatten() {
        path_models(project, &order.path, models);
    }
}

fn condition_models(project: &Project, condition: &ir::Condition, models: &mut BTreeSet<ModelId>) {
    match condition {
        ir::Condition::Lookup(lookup) => path_models(project, &lookup.operand.path, models),
        ir::Condition::And(parts, _) | ir::Condition::Or(parts, _) => {
            for part in parts {
                condition_models(project, part, models);
            }
        }
        ir::Condition::Not(inner, _) => condition_models(project, inner, models),
    }
}

/// The models a path crosses, except the one it ends at when it stops on
/// a relation (only the key is read there).
fn path_models(project: &Project, path: &ir::FieldPath, models: &mut BTreeSet<ModelId>) {
    models.insert(path.model);
    let steps = path.steps.len();
    for (index, step) in path.steps.iter().enumerate() {
        if index + 1 < steps
            && let Some(target) = project.step_target(step.kind)
        {
            models.insert(target);
        }
    }
}

/// Builds pages; holds what every page needs.
struct Builder<'a> {
    project: &'a Project,
    settings: &'a Settings,
    templates: &'a BTreeMap<String, tpl::Template>,
    checks: &'a TemplateChecks,
    /// Template name → page key.
    template_keys: BTreeMap<String, String>,
    /// Statements per request of each view, as code generation counts them.
    per_request: BTreeMap<ViewId, Option<usize>>,
    /// The compiled queries of each view, as code generation runs them.
    compiled: BTreeMap<ViewId, ViewQueries>,
}

impl<'a> Builder<'a> {
    fn new(output: &'a CheckOutput) -> Self {
        let mut template_keys = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for name in output.templates.keys() {
            let stem = name.strip_suffix(".html").unwrap_or(name);
            let mut key = format!("templates/{stem}");
            // `x` and `x.html` would share a page: keep the later one apart.
            while !taken.insert(key.clone()) {
                key.push('_');
            }
            template_keys.insert(name.clone(), key);
        }
        Builder {
            project: &output.project,
            settings: &output.settings,
            templates: &output.templates,
            checks: &output.template_checks,
            template_keys,
            per_request: codegen::queries_per_request(&output.project, &output.template_checks),
            compiled: codegen::view_queries(&output.project, &output.template_checks),
        }
    }

    fn model_link(&self, id: ModelId) -> Link {
        let name = &self.project.model(id).name;
        Link::new(name, model_key(name))
    }

    fn view_link(&self, id: ir::ViewId) -> Link {
        let name = &self.project.view(id).name;
        Link::new(name, view_key(name))
    }

    /// A link to a template's page; an empty target when it does not exist.
    fn template_link(&self, name: &str) -> Link {
        Link::new(
            name,
            self.template_keys.get(name).cloned().unwrap_or_default(),
        )
    }

    // ── overview ────────────────────────────────────────────────────────────

    fn overview(&self) -> Overview {
        let project = self.project;
        let field_count: usize = project.models.iter().map(|m| m.fields.len()).sum();
        let relation_count = project
            .models
            .iter()
            .flat_map(|m| &m.fields)
            .filter(|f| f.ty.target().is_some())
            .count();
        let json_count = project.views.iter().filter(|v| is_json(v)).count();
        let count = |name: &str, value: usize, note: &str| Entry {
            name: name.to_string(),
            value: value.to_string(),
            note: note.to_string(),
        };
        Overview {
            settings: self.settings_entries(),
            middleware: self.middleware_entries(),
            counts: vec![
                count("models", project.models.len(), ""),
                count("fields", field_count, "including implicit primary keys"),
                count(
                    "relations",
                    relation_count,
                    "foreign keys, one-to-one and many-to-many",
                ),
                count("routes", project.routes.len(), "after includes"),
                count("views", project.views.len(), ""),
                count("JSON views", json_count, "described in openapi.json"),
                count("templates", self.templates.len(), ""),
                count("admin models", project.admins.len(), ""),
                count("hooks", project.hooks.len(), ""),
            ],
            models: (0..project.models.len())
                .map(|i| self.model_link(ModelId(i as u32)))
                .collect(),
            views: (0..project.views.len())
                .map(|i| self.view_link(ir::ViewId(i as u32)))
                .collect(),
            templates: self
                .templates
                .keys()
                .map(|name| self.template_link(name))
                .collect(),
            hooks: self.hook_rows(None),
        }
    }

    fn settings_entries(&self) -> Vec<Entry> {
        let s = self.settings;
        let entry = |name: &str, value: String, note: &str| Entry {
            name: name.to_string(),
            value,
            note: note.to_string(),
        };
        let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_string();
        let backend = match s.database.backend {
            DatabaseBackend::Sqlite => "SQLite",
            DatabaseBackend::Postgres => "PostgreSQL",
        };
        let hsts = if s.security.hsts_seconds == 0 {
            "off".to_string()
        } else {
            let mut value = format!("max-age={}", s.security.hsts_seconds);
            if s.security.hsts_include_subdomains {
                value.push_str("; includeSubDomains");
            }
            if s.security.hsts_preload {
                value.push_str("; preload");
            }
            value
        };
        let sessions = match s.sessions.backend {
            SessionBackend::Database => "database".to_string(),
            SessionBackend::Redis => match &s.sessions.redis_url {
                Some(url) => format!("redis ({})", redact_password(url)),
                None => "redis".to_string(),
            },
        };
        let rate = &s.auth.login_rate_limit;
        let period = match rate.period {
            crate::settings::RatePeriod::Second => "second",
            crate::settings::RatePeriod::Minute => "minute",
            crate::settings::RatePeriod::Hour => "hour",
            crate::settings::RatePeriod::Day => "day",
        };
        let or_none = |list: &[String]| {
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        };
        vec![
            entry("database backend", backend.to_string(), ""),
            entry(
                "database URL",
                redact_password(&s.database.url),
                "DATABASE_URL overrides it at run time",
            ),
            entry(
                "connection pool",
                s.database.pool_size.to_string(),
                "connections per server process",
            ),
            entry(
                "debug",
                yes_no(s.project.debug),
                if s.project.debug {
                    "detailed error pages: never in production"
                } else {
                    ""
                },
            ),
            entry("bind address", s.server.bind.to_string(), ""),
            entry(
                "allowed hosts",
                or_none(&s.security.allowed_hosts),
                "Host header values served",
            ),
            entry(
                "secret key",
                format!("${}", s.security.secret_key_env),
                "environment variable holding it",
            ),
            entry("Strict-Transport-Security", hsts, ""),
            entry(
                "Content-Security-Policy",
                s.security
                    .content_security_policy
                    .clone()
                    .unwrap_or_else(|| "none".to_string()),
                "",
            ),
            entry(
                "X-Frame-Options",
                s.security.frame_options.as_str().to_string(),
                "",
            ),
            entry("Referrer-Policy", s.security.referrer_policy.clone(), ""),
            entry(
                "secure cookies",
                yes_no(s.security.secure_cookies),
                "session and CSRF cookies only over HTTPS",
            ),
            entry(
                "CSRF trusted origins",
                or_none(&s.security.csrf_trusted_origins),
                "",
            ),
            entry("session backend", sessions, ""),
            entry(
                "session cookie",
                s.sessions.cookie_name.clone(),
                &format!("lives {} seconds", s.sessions.age_seconds),
            ),
            entry(
                "login URL",
                s.auth.login_url.clone(),
                "where login_required sends anonymous users",
            ),
            entry(
                "login rate limit",
                format!("{}/{period}", rate.requests),
                "failed logins per client address",
            ),
            entry("static URL", s.static_files.url.clone(), ""),
            entry(
                "request body limit",
                format!("{} bytes", s.server.max_body_bytes),
                "larger bodies get 413",
            ),
            entry(
                "request timeout",
                format!("{} s", s.server.request_timeout_secs),
                "slower requests get 503",
            ),
        ]
    }

    fn middleware_entries(&self) -> Vec<Entry> {
        self.settings
            .middleware
            .order
            .iter()
            .enumerate()
            .map(|(index, middleware)| {
                let (name, note) = match &middleware.kind {
                    MiddlewareKind::Builtin(builtin) => {
                        (builtin.name().to_string(), middleware_note(*builtin))
                    }
                    MiddlewareKind::Rust(path) => {
                        (format!("rust:{path}"), "a hand-written function in src/")
                    }
                };
                Entry {
                    name,
                    value: (index + 1).to_string(),
                    note: note.to_string(),
                }
            })
            .collect()
    }

    fn hook_rows(&self, model: Option<ModelId>) -> Vec<HookRow> {
        self.project
            .hooks
            .iter()
            .filter(|hook| model.is_none_or(|m| m == hook.model))
            .map(|hook| HookRow {
                signal: ir::Signal::ALL
                    .iter()
                    .find(|(_, s)| *s == hook.signal)
                    .map_or("", |(name, _)| name)
                    .to_string(),
                model: self.model_link(hook.model),
                function: hook.function.clone(),
            })
            .collect()
    }

    // ── models ──────────────────────────────────────────────────────────────

    fn model_page(&self, id: ModelId, usage: &ModelUsage) -> ModelPage {
        let project = self.project;
        let model = project.model(id);
        let links = |names: Option<&BTreeSet<String>>| -> Vec<Link> {
            names
                .into_iter()
                .flatten()
                .map(|name| Link::new(name, view_key(name)))
                .collect()
        };
        let field_names = |ids: &[ir::FieldId]| -> String {
            let names: Vec<&str> = ids
                .iter()
                .map(|&f| project.field(f).name.as_str())
                .collect();
            format!("({})", names.join(", "))
        };
        let mut indexes: Vec<Entry> = model
            .fields
            .iter()
            .filter(|f| f.index)
            .map(|f| Entry {
                name: String::new(),
                value: format!("({})", f.name),
                note: "the field's index option".to_string(),
            })
            .collect();
        indexes.extend(model.indexes.iter().map(|index| Entry {
            name: index.name.clone().unwrap_or_default(),
            value: field_names(&index.fields),
            note: String::new(),
        }));
        let mut constraints: Vec<Entry> = model
            .fields
            .iter()
            .filter(|f| f.unique && !f.primary_key)
            .map(|f| Entry {
                name: "unique".to_string(),
                value: format!("({})", f.name),
                note: String::new(),
            })
            .collect();
        constraints.extend(model.unique_together.iter().map(|unique| Entry {
            name: "unique together".to_string(),
            value: field_names(&unique.fields),
            note: String::new(),
        }));
        constraints.extend(model.checks.iter().map(|check| Entry {
            name: "check".to_string(),
            value: describe::condition(project, &check.condition),
            note: check.name.clone().unwrap_or_default(),
        }));
        let lower = model.name.to_lowercase();
        let mut permissions: Vec<Entry> = ["add", "change", "delete", "view"]
            .iter()
            .map(|action| Entry {
                name: format!("{}.{action}_{lower}", project.app_label),
                value: format!("Can {action} {}", model.verbose_name),
                note: "default".to_string(),
            })
            .collect();
        permissions.extend(model.permissions.iter().map(|custom| Entry {
            name: format!("{}.{}", project.app_label, custom.codename),
            value: custom.label.clone(),
            note: "custom".to_string(),
        }));
        ModelPage {
            page: model_key(&model.name),
            name: model.name.clone(),
            doc: model.doc.clone(),
            table: model.table.clone(),
            verbose_name: model.verbose_name.clone(),
            verbose_name_plural: model.verbose_name_plural.clone(),
            str_format: match &model.str_format {
                Some(format) => format
                    .parts
                    .iter()
                    .map(|part| match part {
                        StrPart::Text(text) => text.replace('{', "{{").replace('}', "}}"),
                        StrPart::Field(path) => format!("{{{}}}", project.path_text(path)),
                    })
                    .collect(),
                None => format!("{} object ({{{}}})", model.name, model.pk().name),
            },
            fields: model
                .fields
                .iter()
                .map(|field| self.field_row(field))
                .collect(),
            ordering: describe::ordering(project, &model.ordering),
            indexes,
            constraints,
            permissions,
            relations_out: model
                .fields
                .iter()
                .filter_map(|field| self.relation_out(field))
                .collect(),
            relations_in: model
                .reverse
                .iter()
                .map(|reverse| self.relation_in(reverse))
                .collect(),
            read_by: links(usage.reads.get(&id)),
            written_by: links(usage.writes.get(&id)),
            in_admin: project.admins.iter().any(|admin| admin.model == id),
            hooks: self.hook_rows(Some(id)),
        }
    }

    fn field_row(&self, field: &ir::Field) -> FieldRow {
        // The implicit key's other flags are its nature, not options.
        let explicit = !field.implicit;
        let flags = [
            (field.primary_key, "primary key"),
            (field.implicit, "implicit"),
            (field.null, "null"),
            (field.blank && explicit, "blank"),
            (field.unique && !field.primary_key, "unique"),
            (field.index, "index"),
            (field.auto_now, "auto_now"),
            (field.auto_now_add, "auto_now_add"),
            (!field.editable && explicit, "editable = false"),
        ];
        let mut options: Vec<String> = flags
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, name)| name.to_string())
            .collect();
        if let Some(old) = &field.renamed_from {
            options.push(format!("renamed_from = {old}"));
        }
        let choices = match &field.ty {
            FieldType::Choice { choices, .. } => choices
                .iter()
                .map(|choice| Entry {
                    name: choice.key.clone(),
                    value: choice.label.clone(),
                    note: String::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        FieldRow {
            name: field.name.clone(),
            anchor: format!("field-{}", field.name),
            ty: field_type_text(self.project, &field.ty),
            target: field.ty.target().map(|target| self.model_link(target)),
            column: field.column.clone().unwrap_or_default(),
            options,
            default: field
                .default
                .as_ref()
                .map(|value| describe::value(self.project, value)),
            choices,
            help: field.help.clone(),
            doc: field.doc.clone(),
            verbose_name: field.verbose_name.clone(),
        }
    }

    fn relation_out(&self, field: &ir::Field) -> Option<RelationRow> {
        let optional = if field.null {
            "zero or one"
        } else {
            "exactly one"
        };
        let (kind, target, related, on_delete, cardinality) = match &field.ty {
            FieldType::ForeignKey(r) => (
                "foreign key",
                r.target,
                &r.related_name,
                Some(r.on_delete),
                optional,
            ),
            FieldType::OneToOne(r) => (
                "one-to-one",
                r.target,
                &r.related_name,
                Some(r.on_delete),
                optional,
            ),
            FieldType::ManyToMany(r) => ("many-to-many", r.target, &r.related_name, None, "many"),
            _ => return None,
        };
        Some(RelationRow {
            name: field.name.clone(),
            kind: kind.to_string(),
            other: self.model_link(target),
            other_name: related.clone(),
            on_delete: on_delete
                .map(on_delete_name)
                .unwrap_or_default()
                .to_string(),
            cardinality: cardinality.to_string(),
        })
    }

    fn relation_in(&self, reverse: &ir::Reverse) -> RelationRow {
        let field = self.project.field(reverse.field);
        let (kind, on_delete) = match &field.ty {
            FieldType::ForeignKey(r) => ("reverse foreign key", Some(r.on_delete)),
            FieldType::OneToOne(r) => ("reverse one-to-one", Some(r.on_delete)),
            _ => ("reverse many-to-many", None),
        };
        RelationRow {
            name: reverse.name.clone(),
            kind: kind.to_string(),
            other: self.model_link(reverse.model),
            other_name: field.name.clone(),
            on_delete: on_delete
                .map(on_delete_name)
                .unwrap_or_default()
                .to_string(),
            cardinality: match reverse.kind {
                ReverseKind::One => "zero or one",
                ReverseKind::Many => "many",
            }
            .to_string(),
        }
    }

    // ── routes and views ────────────────────────────────────────────────────

    fn route_rows(&self) -> Vec<RouteRow> {
        self.project
            .routes
            .iter()
            .enumerate()
            .map(|(index, route)| {
                let view = self.project.view(route.view);
                RouteRow {
                    number: index + 1,
                    anchor: format!("route-{}", index + 1),
                    pattern: format!("/{}", route.pattern),
                    name: route.name.clone(),
                    converters: route
                        .params
                        .iter()
                        .map(|p| format!("{}: {}", p.name, p.converter.name()))
                        .collect(),
                    view: self.view_link(route.view),
                    kind: kind_text(self.project, view),
                    methods: methods_text(view),
                    access: access_summary(view),
                    queries: self.query_count(route.view),
                }
            })
            .collect()
    }

    /// Statements per request, as the generated server runs them; `?` for
    /// a Rust view, whose function decides.
    fn query_count(&self, id: ViewId) -> String {
        match self.per_request.get(&id).copied().flatten() {
            Some(count) => count.to_string(),
            None => "?".to_string(),
        }
    }

    fn view_page(&self, id: ViewId, view: &View) -> ViewPage {
        let project = self.project;
        let generic = match &view.kind {
            ViewKind::Generic(generic) => Some(generic),
            _ => None,
        };
        let (redirect, redirect_link) = match &view.kind {
            ViewKind::Redirect { target, permanent } => {
                let status = if *permanent {
                    "permanent (301)"
                } else {
                    "temporary (302)"
                };
                (
                    Some(format!(
                        "{} — {status}",
                        describe::url_target(project, target)
                    )),
                    self.target_link(target),
                )
            }
            _ => (None, None),
        };
        let success = generic.and_then(|g| g.success.as_ref());
        let fields_title = match generic {
            Some(g) if g.json && matches!(g.kind, GenericKind::Create | GenericKind::Update) => {
                "JSON body and response keys"
            }
            Some(g) if g.json => "JSON keys",
            _ => "Form fields",
        };
        let json = generic.is_some_and(|g| g.json);
        let queries = self.view_queries(id, view);
        ViewPage {
            page: view_key(&view.name),
            name: view.name.clone(),
            doc: view.doc.clone(),
            kind: kind_text(project, view),
            model: generic.map(|g| self.model_link(g.model)),
            params: view
                .params
                .iter()
                .map(|p| Entry {
                    name: p.name.clone(),
                    value: p.converter.name().to_string(),
                    note: ir::converter_type(p.converter).describe(project),
                })
                .collect(),
            routes: view
                .routes
                .iter()
                .map(|&id| {
                    let route = project.route(id);
                    Link::new(format!("/{}", route.pattern), route_key(id.0 as usize))
                })
                .collect(),
            methods: methods_text(view),
            access: access_lines(view, &self.settings.auth.login_url),
            cache: view.access.cache,
            paginate: generic.and_then(|g| g.paginate),
            template: view.template.as_ref().map(|t| self.template_link(&t.name)),
            fields: generic
                .map(|g| {
                    g.fields
                        .iter()
                        .map(|path| self.field_entry(path, json))
                        .collect()
                })
                .unwrap_or_default(),
            fields_title: fields_title.to_string(),
            context: self.context_rows(view),
            queries_per_request: self.query_count(id),
            queries_note: self.queries_note(id, view, &queries),
            queries,
            success: success.map(|target| describe::url_target(project, target)),
            success_link: success
                .and_then(|target| self.target_link(target))
                .or(redirect_link),
            redirect,
            rust_function: match &view.kind {
                ViewKind::Rust { function, .. } => Some(function.clone()),
                _ => None,
            },
            openapi: if json {
                view.routes
                    .iter()
                    .flat_map(|&id| {
                        let path = openapi::path_template(project.route(id));
                        methods(view)
                            .into_iter()
                            .map(move |m| format!("{} {path}", method_name(m)))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    fn target_link(&self, target: &ir::UrlTarget) -> Option<Link> {
        match target {
            ir::UrlTarget::Route { route, .. } => {
                let pattern = &self.project.route(*route).pattern;
                Some(Link::new(
                    format!("/{pattern}"),
                    route_key(route.0 as usize),
                ))
            }
            ir::UrlTarget::Literal { .. } => None,
        }
    }

    fn field_entry(&self, path: &ir::FieldPath, json: bool) -> Entry {
        let project = self.project;
        let last = path.last_field().map(|id| project.field(id));
        let value = if json {
            openapi::json_key_type(project, path)
        } else {
            last.map_or_else(
                || project.path_type(path).describe(project),
                |f| field_type_text(project, &f.ty),
            )
        };
        let note = match last {
            Some(field) if !json => if field.blank { "optional" } else { "required" }.to_string(),
            Some(field) => field.help.clone().unwrap_or_default(),
            None => String::new(),
        };
        Entry {
            name: project.path_text(path),
            value,
            note,
        }
    }

    /// The variables a view gives its template: by kind, then `context` entries.
    fn context_rows(&self, view: &View) -> Vec<ContextRow> {
        let project = self.project;
        let row = |name: &str, ty: String, source: String| ContextRow {
            name: name.to_string(),
            ty,
            source,
        };
        let mut rows = Vec::new();
        match &view.kind {
            ViewKind::Generic(generic) if !generic.json => {
                let model = &project.model(generic.model).name;
                let query = generic
                    .query
                    .as_ref()
                    .map(|q| describe::query(project, q))
                    .unwrap_or_default();
                match generic.kind {
                    GenericKind::List => {
                        rows.push(row("object_list", format!("list of {model}"), query));
                        let paged = generic.paginate.is_some();
                        let page_note = |text: &str| {
                            if paged {
                                text.to_string()
                            } else {
                                "none: the view does not paginate".to_string()
                            }
                        };
                        rows.push(row(
                            "page_obj",
                            format!("optional page of {model}"),
                            page_note("this page"),
                        ));
                        rows.push(row(
                            "paginator",
                            "optional paginator".into(),
                            page_note("all pages"),
                        ));
                        rows.push(row(
                            "is_paginated",
                            "bool".into(),
                            "more than one page".into(),
                        ));
                    }
                    GenericKind::Detail | GenericKind::Delete => {
                        rows.push(row("object", model.clone(), query));
                    }
                    GenericKind::Create => {
                        rows.push(row("form", format!("form for {model}"), "fields".into()));
                    }
                    GenericKind::Update => {
                        rows.push(row("form", format!("form for {model}"), "fields".into()));
                        rows.push(row("object", model.clone(), query));
                    }
                }
            }
            ViewKind::Generic(_)
            | ViewKind::Template
            | ViewKind::Redirect { .. }
            | ViewKind::Rust { .. } => {}
        }
        for entry in &view.context {
            let source = match &entry.value {
                ContextValue::Query(query) => describe::query(project, query),
                ContextValue::Value(value) => describe::value(project, value),
            };
            rows.push(row(&entry.name, entry.ty.describe(project), source));
        }
        rows
    }

    /// The statements one request runs, in the order the generated code
    /// runs them, each with its SQL for both databases and what its
    /// placeholders bind. Create, update and delete views, which code
    /// generation does not serve yet, list the queries their forms will need
    /// in djinn's syntax only.
    fn view_queries(&self, id: ViewId, view: &View) -> Vec<QueryRow> {
        let project = self.project;
        let mut rows = Vec::new();
        let compiled = self.compiled.get(&id);
        let generic = match &view.kind {
            ViewKind::Generic(generic) => Some(generic),
            _ => None,
        };
        if let (Some(main), Some(generic)) = (compiled.and_then(|c| c.main.as_ref()), generic)
            && let Some(query) = &generic.query
        {
            let text = describe::query(project, query);
            if let Some(count) = &main.count {
                self.push_statement(
                    &mut rows,
                    "number of rows (pagination)",
                    format!("{text}.count()"),
                    count,
                );
            }
            let purpose = match (generic.kind, main.count.is_some()) {
                (GenericKind::List, true) => "rows of the page",
                (GenericKind::List, false) => "rows",
                _ => "the object (404 when none)",
            };
            self.push_statement(&mut rows, purpose, text, &main.main);
            let whose = match generic.kind {
                GenericKind::List => "every row",
                _ => "the object",
            };
            self.push_related(&mut rows, main, whose);
        }
        for (name, query) in compiled.map_or(&[][..], |c| c.context.as_slice()) {
            let text = view
                .context
                .iter()
                .find(|entry| &entry.name == name)
                .and_then(|entry| match &entry.value {
                    ContextValue::Query(query) => Some(describe::query(project, query)),
                    ContextValue::Value(_) => None,
                })
                .unwrap_or_default();
            self.push_statement(&mut rows, &format!("context `{name}`"), text, &query.main);
            let whose = match query.shape {
                ir::Shape::Many => format!("every row of `{name}`"),
                _ => format!("`{name}`"),
            };
            self.push_related(&mut rows, query, &whose);
        }
        match generic {
            Some(generic) if generic.kind.writes() => {
                let mut rows = rows;
                let listed_object = !rows.is_empty();
                for row in self.form_queries(generic) {
                    if listed_object && row.purpose == "the object (404 when none)" {
                        continue;
                    }
                    rows.push(QueryRow {
                        number: rows.len() + 1,
                        ..row
                    });
                }
                rows
            }
            _ => rows,
        }
    }

    fn push_statement(
        &self,
        rows: &mut Vec<QueryRow>,
        purpose: &str,
        djinn: String,
        statement: &Statement,
    ) {
        let params = statement
            .params
            .iter()
            .enumerate()
            .map(|(index, param)| Entry {
                name: format!("?{0} / ${0}", index + 1),
                value: param_text(self.project, param),
                note: String::new(),
            })
            .collect();
        rows.push(QueryRow {
            number: rows.len() + 1,
            purpose: purpose.to_string(),
            djinn,
            sqlite: statement.sqlite.clone(),
            postgres: statement.postgres.clone(),
            params,
        });
    }

    /// The batched statements loading a query's many relations.
    fn push_related(&self, rows: &mut Vec<QueryRow>, query: &CompiledQuery, whose: &str) {
        if let Some(layout) = &query.layout {
            self.push_layout(rows, layout, &mut Vec::new(), whose);
        }
    }

    /// Relations under a layout, in the generated loader's order: those
    /// of the joined rows first, then each batched relation followed by
    /// the relations of its rows.
    fn push_layout(
        &self,
        rows: &mut Vec<QueryRow>,
        layout: &Layout,
        path: &mut Vec<StepKind>,
        whose: &str,
    ) {
        for (step, joined) in &layout.joined {
            path.push(*step);
            self.push_layout(rows, joined, path, whose);
            path.pop();
        }
        for prefetch in &layout.prefetched {
            path.push(prefetch.step);
            let names: Vec<&str> = path.iter().map(|&s| self.project.step_name(s)).collect();
            self.push_statement(
                rows,
                &format!("`{}` of {whose}, in one batch", names.join(".")),
                String::new(),
                &prefetch.statement,
            );
            self.push_layout(rows, &prefetch.layout, path, whose);
            path.pop();
        }
    }

    /// What a create, update or delete view queries to show its form: its
    /// object and the choices of its relation fields (with, for an update,
    /// the row's current many-to-many links), in djinn's syntax.
    fn form_queries(&self, generic: &ir::GenericView) -> Vec<QueryRow> {
        let project = self.project;
        let mut rows = Vec::new();
        let mut push = |purpose: String, djinn: String| {
            rows.push(QueryRow {
                number: rows.len() + 1,
                purpose,
                djinn,
                sqlite: String::new(),
                postgres: String::new(),
                params: Vec::new(),
            })
        };
        if matches!(generic.kind, GenericKind::Update | GenericKind::Delete)
            && let Some(query) = &generic.query
        {
            push(
                "the object (404 when none)".into(),
                describe::query(project, query),
            );
        }
        if matches!(generic.kind, GenericKind::Create | GenericKind::Update) {
            for path in &generic.fields {
                if let Some(field) = path.last_field().map(|id| project.field(id))
                    && let Some(target) = field.ty.target()
                {
                    push(
                        format!("choices of the `{}` field", field.name),
                        format!("{}.all()", project.model(target).name),
                    );
                    if generic.kind == GenericKind::Update
                        && matches!(field.ty, ir::FieldType::ManyToMany(_))
                    {
                        push(
                            format!("the object's current `{}`", field.name),
                            format!("object.{}.all()", field.name),
                        );
                    }
                }
            }
        }
        rows
    }

    /// Why the number of statements per request differs from the
    /// statements listed, or why it is unknown.
    fn queries_note(&self, id: ViewId, view: &View, queries: &[QueryRow]) -> String {
        let listed = queries.iter().filter(|q| !q.sqlite.is_empty()).count();
        let writes = matches!(&view.kind, ViewKind::Generic(generic) if generic.kind.writes());
        match self.per_request.get(&id).copied().flatten() {
            None => "A Rust view: its function decides which queries run.".to_string(),
            Some(_) if writes => "To show the form or the confirmation page; a valid submission then checks unique values and writes in one transaction (the row, its many-to-many links, its hooks) and reads the saved row back.".to_string(),
            Some(count) if count == listed => String::new(),
            Some(count) => format!("The generated code runs {count} statements per request."),
        }
    }

    // ── templates ───────────────────────────────────────────────────────────

    fn template_pages(&self) -> Vec<TemplatePage> {
        let facts: BTreeMap<&str, TemplateFacts> = self
            .templates
            .iter()
            .map(|(name, template)| (name.as_str(), TemplateFacts::of(template)))
            .collect();
        self.templates
            .keys()
            .map(|name| self.template_page(name, &facts))
            .collect()
    }

    fn template_page(&self, name: &str, facts: &BTreeMap<&str, TemplateFacts>) -> TemplatePage {
        let project = self.project;
        let own = &facts[name];
        let mut ancestors = Vec::new();
        let mut seen = BTreeSet::from([name]);
        let mut parent = own.extends.as_deref();
        while let Some(current) = parent {
            if !seen.insert(current) {
                break;
            }
            ancestors.push(self.template_link(current));
            parent = facts.get(current).and_then(|f| f.extends.as_deref());
        }
        let ancestor_blocks: BTreeSet<&str> = ancestors
            .iter()
            .filter_map(|link| facts.get(link.text.as_str()))
            .flat_map(|f| f.blocks.iter().map(String::as_str))
            .collect();
        let blocks = own
            .blocks
            .iter()
            .map(|block| Entry {
                name: block.clone(),
                value: if ancestor_blocks.contains(block.as_str()) {
                    "overrides the parent's block"
                } else if own.extends.is_some() {
                    "new block"
                } else {
                    "defined here; children may override it"
                }
                .to_string(),
                note: String::new(),
            })
            .collect();
        let urls = own
            .urls
            .iter()
            .map(|url| {
                let id = project.url_names.get(url).copied();
                let route = id.map(|id| project.route(id));
                UrlRow {
                    name: url.clone(),
                    route: id.map(|id| Link::new(url, route_key(id.0 as usize))),
                    pattern: route.map(|r| format!("/{}", r.pattern)).unwrap_or_default(),
                    view: route.map(|r| self.view_link(r.view)),
                }
            })
            .collect();
        let related = |pick: &dyn Fn(&TemplateFacts) -> bool| -> Vec<Link> {
            facts
                .iter()
                .filter(|(other, f)| **other != name && pick(f))
                .map(|(other, _)| self.template_link(other))
                .collect()
        };
        let views: Vec<(ir::ViewId, &View)> = project
            .views
            .iter()
            .enumerate()
            .filter(|(_, view)| view.template.as_ref().is_some_and(|t| t.name == name))
            .map(|(index, view)| (ir::ViewId(index as u32), view))
            .collect();
        TemplatePage {
            page: self.template_keys[name].clone(),
            name: name.to_string(),
            extends: own
                .extends
                .as_ref()
                .map(|parent| self.template_link(parent)),
            ancestors,
            extended_by: related(&|f| f.extends.as_deref() == Some(name)),
            includes: own.includes.iter().map(|i| self.template_link(i)).collect(),
            included_by: related(&|f| f.includes.iter().any(|i| i == name)),
            blocks,
            urls,
            statics: own.statics.clone(),
            views: views.iter().map(|&(id, _)| self.view_link(id)).collect(),
            reads: self.own_reads(name),
            contexts: self.contracts(name),
        }
    }

    /// The context names the template's own text reads, in any rendering.
    fn own_reads(&self, template: &str) -> Vec<String> {
        let names: BTreeSet<&String> = self
            .checks
            .renderings
            .iter()
            .filter_map(|rendering| rendering.reads.get(template))
            .flatten()
            .collect();
        names.into_iter().cloned().collect()
    }

    /// For each view whose page renders `template` — directly, as a parent
    /// or through an include — the names the template and its parents
    /// read from the context, with the types the template checker gave
    /// them and where their values come from.
    fn contracts(&self, template: &str) -> Vec<ViewContext> {
        let project = self.project;
        // View → (name, type) → (source, origin) and the templates reading it.
        type Rows = BTreeMap<(String, String), ((String, String), BTreeSet<String>)>;
        let mut by_view: BTreeMap<ViewId, Rows> = BTreeMap::new();
        for (index, rendering) in self.checks.renderings.iter().enumerate() {
            let Some(view_id) = rendering.view else {
                continue;
            };
            let Some(level) = rendering.chain.iter().position(|t| t == template) else {
                continue;
            };
            let view = project.view(view_id);
            let page = self.checks.views.get(&view_id);
            let top = page.is_some_and(|p| p.rendering.0 as usize == index);
            let rows = by_view.entry(view_id).or_default();
            for reader in &rendering.chain[level..] {
                for name in rendering.reads.get(reader).into_iter().flatten() {
                    let Some(ty) = rendering.scope.get(name) else {
                        continue;
                    };
                    let from_view = top || page.and_then(|p| p.context.get(name)) == Some(ty);
                    let source = if from_view {
                        self.context_source(view, name)
                    } else {
                        let origin = "the including template: an `{% include … with %}` binding or a loop variable";
                        (String::new(), origin.to_string())
                    };
                    rows.entry((name.clone(), ty.describe(project)))
                        .or_insert_with(|| (source, BTreeSet::new()))
                        .1
                        .insert(reader.clone());
                }
            }
        }
        // Views providing the same share one table.
        let mut contexts: Vec<ViewContext> = Vec::new();
        for (view, rows) in by_view {
            let variables: Vec<ContractRow> = rows
                .into_iter()
                .map(|((name, ty), ((source, origin), readers))| ContractRow {
                    name,
                    ty,
                    source,
                    origin,
                    read_in: readers.iter().map(|t| self.template_link(t)).collect(),
                })
                .collect();
            match contexts.iter_mut().find(|c| c.variables == variables) {
                Some(context) => context.views.push(self.view_link(view)),
                None => contexts.push(ViewContext {
                    views: vec![self.view_link(view)],
                    variables,
                }),
            }
        }
        contexts
    }

    /// Where the value of a context name of `view` comes from: the query
    /// or value as written, or else in words.
    fn context_source(&self, view: &View, name: &str) -> (String, String) {
        if let Some(row) = self.context_rows(view).into_iter().find(|r| r.name == name) {
            return (row.source, String::new());
        }
        let words = |text: &str| (String::new(), text.to_string());
        if let ViewKind::Generic(generic) = &view.kind {
            let alias = self.project.model(generic.model).name.to_lowercase();
            if name == alias {
                return words("the same as `object`");
            }
            if name == format!("{alias}_list") {
                return words("the same as `object_list`");
            }
        }
        match name {
            "request" | "user" | "perms" | "csrf_token" | "messages" => {
                words("every HTML view (Django's context processors)")
            }
            _ => words("the view"),
        }
    }

    // ── admin ───────────────────────────────────────────────────────────────

    fn admin_page(&self) -> AdminPage {
        let project = self.project;
        let paths = |paths: &[ir::FieldPath]| -> String {
            paths
                .iter()
                .map(|p| project.path_text(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fields = |ids: &[ir::FieldId]| -> String {
            ids.iter()
                .map(|&f| project.field(f).name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        AdminPage {
            prefix: project
                .admin_site
                .as_ref()
                .map(|site| format!("/{}", site.prefix)),
            models: project
                .admins
                .iter()
                .map(|admin| {
                    let model = project.model(admin.model);
                    let option = |name: &str, value: String, default: String| Entry {
                        name: name.to_string(),
                        note: if value.is_empty() {
                            "default".to_string()
                        } else {
                            String::new()
                        },
                        value: if value.is_empty() { default } else { value },
                    };
                    AdminRow {
                        model: self.model_link(admin.model),
                        options: vec![
                            option(
                                "list_display",
                                paths(&admin.list_display),
                                "the row's str".into(),
                            ),
                            option("list_filter", paths(&admin.list_filter), "none".into()),
                            option("search", paths(&admin.search), "no search box".into()),
                            option(
                                "ordering",
                                describe::ordering(project, &admin.ordering),
                                describe::ordering(project, &model.ordering),
                            ),
                            option(
                                "list_per_page",
                                admin
                                    .list_per_page
                                    .map(|n| n.to_string())
                                    .unwrap_or_default(),
                                "100".into(),
                            ),
                            option(
                                "fields",
                                fields(&admin.fields),
                                "every editable field".into(),
                            ),
                            option("readonly", fields(&admin.readonly), "none".into()),
                        ],
                    }
                })
                .collect(),
        }
    }
}

/// A field type as the spec writes it, with the lengths `describe` leaves out.
fn field_type_text(project: &Project, ty: &FieldType) -> String {
    match ty {
        FieldType::Slug { max } if *max != 50 => format!("slug(max = {max})"),
        FieldType::Email { max } if *max != 254 => format!("email(max = {max})"),
        FieldType::Url { max } if *max != 200 => format!("url(max = {max})"),
        other => other.describe(project),
    }
}

fn on_delete_name(action: ir::OnDelete) -> &'static str {
    ir::OnDelete::ALL
        .iter()
        .find(|(_, a)| *a == action)
        .map_or("", |(name, _)| name)
}

fn middleware_note(middleware: BuiltinMiddleware) -> &'static str {
    match middleware {
        BuiltinMiddleware::Security => "security headers, HTTPS redirect, allowed hosts",
        BuiltinMiddleware::Sessions => "loads and saves the session",
        BuiltinMiddleware::Common => "trailing-slash redirects, Content-Length",
        BuiltinMiddleware::Csrf => "rejects unsafe requests without a valid CSRF token",
        BuiltinMiddleware::Auth => "puts the signed-in user on the request",
        BuiltinMiddleware::Messages => "one-time messages carried in the session",
        BuiltinMiddleware::Timing => "Server-Timing header and request log line",
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// One line per access rule.
fn access_lines(view: &View, login_url: &str) -> Vec<String> {
    let access = &view.access;
    let mut lines = Vec::new();
    if access.login_required {
        lines.push(format!(
            "login required: anonymous users are sent to {login_url} (JSON views answer 403)"
        ));
    }
    if access.staff_required {
        lines.push("staff only: other signed-in users get 403".to_string());
    }
    if let Some(permission) = &access.permission {
        lines.push(format!(
            "permission {}.{}: users without it get 403",
            permission.app, permission.codename
        ));
    }
    if access.public {
        lines.push("public: anonymous access is intended".to_string());
    }
    if lines.is_empty() {
        lines.push("open to everyone".to_string());
    }
    lines
}

/// What a placeholder binds, in words (Markdown).
fn param_text(project: &Project, param: &sql::Param) -> String {
    let value = |value: &ir::Value| match &value.kind {
        ir::ValueKind::Param { name, .. } => format!("`{name}` from the URL"),
        ir::ValueKind::Now => "the current date and time".to_string(),
        ir::ValueKind::Today => "today's date".to_string(),
        // An object binds its primary key.
        _ if matches!(value.ty, ir::Type::Object(_)) => {
            format!("`{}` (its key)", describe::value(project, value))
        }
        _ => format!("`{}`", describe::value(project, value)),
    };
    match &param.value {
        ParamValue::Value(v) => value(v),
        ParamValue::Pattern { value: v, pattern } => {
            let wrapped = match pattern {
                LikePattern::Exact => "",
                LikePattern::Contains => ", between `%`s",
                LikePattern::StartsWith => ", then `%`",
                LikePattern::EndsWith => ", after `%`",
            };
            format!(
                "{} as a `LIKE` pattern (`%`, `_` and `\\` escaped{wrapped})",
                value(v)
            )
        }
        ParamValue::Int(number) => format!("`{number}`"),
        ParamValue::PageLimit => "the number of rows of the page".to_string(),
        ParamValue::PageOffset => "the number of rows before the page".to_string(),
        ParamValue::ParentKeys => "the keys of the rows above, as a JSON array".to_string(),
    }
}

/// The route table's short access column.
fn access_summary(view: &View) -> String {
    let access = &view.access;
    let mut parts = Vec::new();
    if access.login_required {
        parts.push("login".to_string());
    }
    if access.staff_required {
        parts.push("staff".to_string());
    }
    if let Some(permission) = &access.permission {
        parts.push(format!("{}.{}", permission.app, permission.codename));
    }
    if access.public {
        parts.push("public".to_string());
    }
    if parts.is_empty() {
        "open".to_string()
    } else {
        parts.join(", ")
    }
}

/// What one template's structure says, read from its AST (what it reads
/// from its context comes from the template checker instead).
#[derive(Default)]
struct TemplateFacts {
    /// The parent, when `extends` names a literal template.
    extends: Option<String>,
    /// `{% include %}`d templates named literally, in order.
    includes: Vec<String>,
    blocks: Vec<String>,
    urls: Vec<String>,
    statics: Vec<String>,
}

impl TemplateFacts {
    fn of(template: &tpl::Template) -> TemplateFacts {
        let mut facts = TemplateFacts::default();
        if let Some(extends) = &template.extends
            && let tpl::Operand::Str { value, .. } = &extends.parent.base
        {
            facts.extends = Some(value.clone());
        }
        facts.walk(&template.nodes);
        facts
    }

    fn walk(&mut self, nodes: &[tpl::Node]) {
        use tpl::Node;
        let add = |list: &mut Vec<String>, operand: &tpl::Operand| {
            if let tpl::Operand::Str { value, .. } = operand
                && !list.contains(value)
            {
                list.push(value.clone());
            }
        };
        for node in nodes {
            match node {
                Node::Text { .. }
                | Node::Var { .. }
                | Node::CsrfToken { .. }
                | Node::Verbatim { .. }
                | Node::TemplateTag { .. }
                | Node::Now { .. }
                | Node::Cycle { .. }
                | Node::Firstof { .. }
                | Node::WidthRatio { .. } => {}
                Node::If {
                    branches,
                    otherwise,
                    ..
                } => {
                    for branch in branches {
                        self.walk(&branch.body);
                    }
                    if let Some(body) = otherwise {
                        self.walk(body);
                    }
                }
                Node::For { body, empty, .. } => {
                    self.walk(body);
                    if let Some(body) = empty {
                        self.walk(body);
                    }
                }
                Node::Block { name, body, .. } => {
                    if !self.blocks.contains(&name.name) {
                        self.blocks.push(name.name.clone());
                    }
                    self.walk(body);
                }
                Node::With { body, .. }
                | Node::Spaceless { body, .. }
                | Node::Autoescape { body, .. }
                | Node::Filter { body, .. } => self.walk(body),
                Node::Include { template, .. } => add(&mut self.includes, &template.base),
                Node::Url { name, .. } => add(&mut self.urls, &name.base),
                Node::Static { path, .. } => add(&mut self.statics, &path.base),
            }
        }
    }
}

/// Whether the path goes on through a many relation: its value is a list
/// of what the last step gives.
pub(crate) fn crosses_many(project: &Project, path: &ir::FieldPath) -> bool {
    let steps = path.steps.len();
    path.steps
        .iter()
        .take(steps.saturating_sub(1))
        .any(|step| project.step_is_many(step.kind))
}

/// Whether the path goes on through a nullable relation (or a reverse
/// one-to-one): its value may be missing.
pub(crate) fn crosses_nullable(project: &Project, path: &ir::FieldPath) -> bool {
    let steps = path.steps.len();
    path.steps.iter().enumerate().any(|(index, step)| {
        index + 1 < steps
            && match step.kind {
                StepKind::Field(id) => project.field(id).null,
                StepKind::Reverse(id) => project.reverse(id).kind == ReverseKind::One,
            }
    })
}
