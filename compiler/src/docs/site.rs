//! Docs: the site model — what every page says, independent of its format.
//!
//! Built by [`super::build`] from the checked project; rendered to HTML or
//! Markdown by [`super::render`] through handlebars templates. Links are page
//! keys (`models/Post`, `views/home#access`); the renderer turns them into
//! relative paths with the format's extension, so one model serves both.
//! Every list is in a fixed order (declaration or name order) so the output
//! is deterministic.

use serde::Serialize;

/// The whole documentation site.
#[derive(Clone, Debug, Serialize)]
pub struct Site {
    /// The project's name (`[project] name`).
    pub name: String,
    /// The project's one-line description.
    pub description: Option<String>,
    /// The overview page.
    pub overview: Overview,
    /// One page per model, in declaration order.
    pub models: Vec<ModelPage>,
    /// The route table, in match order.
    pub routes: Vec<RouteRow>,
    /// One page per view, in declaration order.
    pub views: Vec<ViewPage>,
    /// One page per template, by name.
    pub templates: Vec<TemplatePage>,
    /// The admin summary.
    pub admin: AdminPage,
    /// Whether the project has JSON views (and so an `openapi.json` worth linking).
    pub has_api: bool,
}

/// A link to a page of the site: a page key and the text shown.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// The text shown.
    pub text: String,
    /// The page key, with an optional `#anchor`.
    pub target: String,
}

impl Link {
    /// A link showing `text` to `target`.
    pub fn new(text: impl Into<String>, target: impl Into<String>) -> Link {
        Link {
            text: text.into(),
            target: target.into(),
        }
    }
}

/// A name and a value, for settings and summaries.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// What.
    pub name: String,
    /// Its value, as text.
    pub value: String,
    /// An explanation; empty when none is needed.
    pub note: String,
}

/// The overview page.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// Database, debug, hosts, security headers, sessions, auth.
    pub settings: Vec<Entry>,
    /// The middleware onion, outermost first.
    pub middleware: Vec<Entry>,
    /// How many of each thing the project has.
    pub counts: Vec<Entry>,
    /// Links to every model page.
    pub models: Vec<Link>,
    /// Links to every view page.
    pub views: Vec<Link>,
    /// Links to every template page.
    pub templates: Vec<Link>,
    /// `on signal Model -> rust "…"` hooks.
    pub hooks: Vec<HookRow>,
}

/// A hook: when it runs and what it calls.
#[derive(Clone, Debug, Serialize)]
pub struct HookRow {
    /// `post_save` …
    pub signal: String,
    /// The model whose rows trigger it.
    pub model: Link,
    /// `module::function`.
    pub function: String,
}

/// One model's page.
#[derive(Clone, Debug, Serialize)]
pub struct ModelPage {
    /// The page key (`models/Post`).
    pub page: String,
    /// The model's name.
    pub name: String,
    /// The `///` documentation (Markdown).
    pub doc: Option<String>,
    /// The table name.
    pub table: String,
    /// Singular and plural display names.
    pub verbose_name: String,
    /// Plural display name.
    pub verbose_name_plural: String,
    /// `meta { str = … }` as written, or Django's default.
    pub str_format: String,
    /// The fields, the primary key first when implicit.
    pub fields: Vec<FieldRow>,
    /// `meta { ordering }` as written; empty for none.
    pub ordering: String,
    /// Indexes: single-column (`index`) and `meta { index (…) }`.
    pub indexes: Vec<Entry>,
    /// Unique fields, `unique (…)` sets and `check (…)` constraints.
    pub constraints: Vec<Entry>,
    /// Default and custom permissions.
    pub permissions: Vec<Entry>,
    /// Relations declared on this model.
    pub relations_out: Vec<RelationRow>,
    /// Relations from other models into this one.
    pub relations_in: Vec<RelationRow>,
    /// Views whose queries or fields read this model.
    pub read_by: Vec<Link>,
    /// Views that create, change or delete rows of this model.
    pub written_by: Vec<Link>,
    /// Whether the admin manages the model.
    pub in_admin: bool,
    /// Hooks on the model's signals.
    pub hooks: Vec<HookRow>,
}

/// A field of a model.
#[derive(Clone, Debug, Serialize)]
pub struct FieldRow {
    /// The name.
    pub name: String,
    /// The anchor on the model page (`field-title`).
    pub anchor: String,
    /// The type as the spec writes it.
    pub ty: String,
    /// The related model's page, for relations.
    pub target: Option<Link>,
    /// The column (none for many-to-many).
    pub column: String,
    /// Options that are set: `null`, `blank`, `unique`…
    pub options: Vec<String>,
    /// The default value as written.
    pub default: Option<String>,
    /// `key = "Label"` of a choice field.
    pub choices: Vec<Entry>,
    /// The help text.
    pub help: Option<String>,
    /// The `///` documentation (Markdown).
    pub doc: Option<String>,
    /// The display name.
    pub verbose_name: String,
}

/// A relation, seen from one of its models.
#[derive(Clone, Debug, Serialize)]
pub struct RelationRow {
    /// The name on this side (the field, or the reverse name).
    pub name: String,
    /// `foreign key`, `one-to-one`, `many-to-many`, and their reverses.
    pub kind: String,
    /// The model on the other side.
    pub other: Link,
    /// The name on the other side.
    pub other_name: String,
    /// The `on_delete` action (empty for many-to-many).
    pub on_delete: String,
    /// How many rows one row of this model reaches through it.
    pub cardinality: String,
}

/// A row of the route table.
#[derive(Clone, Debug, Serialize)]
pub struct RouteRow {
    /// The position in match order, from 1.
    pub number: usize,
    /// The anchor on the routes page (`route-3`).
    pub anchor: String,
    /// The full pattern (`posts/<slug:slug>/`).
    pub pattern: String,
    /// The URL name.
    pub name: Option<String>,
    /// `slug: slug` for each parameter.
    pub converters: Vec<String>,
    /// The view served.
    pub view: Link,
    /// The view's kind (`list Post`).
    pub kind: String,
    /// The HTTP methods answered.
    pub methods: String,
    /// `login`, `staff`, a permission, `public`, or `open`.
    pub access: String,
    /// Database queries per request: exact, or `?` for a Rust view.
    pub queries: String,
}

/// One view's page.
#[derive(Clone, Debug, Serialize)]
pub struct ViewPage {
    /// The page key (`views/home`).
    pub page: String,
    /// The name.
    pub name: String,
    /// The `///` documentation (Markdown).
    pub doc: Option<String>,
    /// The kind (`json list Post`, `template`, `redirect`…).
    pub kind: String,
    /// The model of a generic view.
    pub model: Option<Link>,
    /// `name: converter` parameters.
    pub params: Vec<Entry>,
    /// The routes serving the view.
    pub routes: Vec<Link>,
    /// The HTTP methods answered.
    pub methods: String,
    /// Access rules, one line each.
    pub access: Vec<String>,
    /// `cache` seconds.
    pub cache: Option<u32>,
    /// `paginate` rows per page.
    pub paginate: Option<u32>,
    /// The template rendered.
    pub template: Option<Link>,
    /// Form fields (create/update) or JSON keys.
    pub fields: Vec<Entry>,
    /// What the `fields` are: `Form fields`, `JSON keys`, `JSON body and response keys`.
    pub fields_title: String,
    /// The variables the template sees.
    pub context: Vec<ContextRow>,
    /// The number of SQL statements one request runs: exact, or `?` for a
    /// Rust view.
    pub queries_per_request: String,
    /// Why that number is what it is, when the statements below do not say.
    pub queries_note: String,
    /// The database queries a request runs, in order.
    pub queries: Vec<QueryRow>,
    /// `success` redirect.
    pub success: Option<String>,
    /// The route `success` or a redirect view goes to.
    pub success_link: Option<Link>,
    /// Redirect views: the target and whether it is permanent.
    pub redirect: Option<String>,
    /// Rust views: `module::function`.
    pub rust_function: Option<String>,
    /// JSON views: the operation's key in `openapi.json` (`GET /api/posts/`).
    pub openapi: Vec<String>,
}

/// A variable a view gives its template.
#[derive(Clone, Debug, Serialize)]
pub struct ContextRow {
    /// The name.
    pub name: String,
    /// Its type (`list of Post`).
    pub ty: String,
    /// Where it comes from: a query or value as written, or the view kind.
    pub source: String,
}

/// A database query a view runs: one SQL statement, as the generated code
/// runs it.
#[derive(Clone, Debug, Serialize)]
pub struct QueryRow {
    /// Its place in the order a request runs them, from 1.
    pub number: usize,
    /// Why (`rows of the page`, `context comments`, `tags of every row`).
    pub purpose: String,
    /// The query in djinn's syntax; empty for the batched fetch of a relation.
    pub djinn: String,
    /// The statement on SQLite; empty while code generation writes none.
    pub sqlite: String,
    /// The statement on PostgreSQL; empty while code generation writes none.
    pub postgres: String,
    /// What each placeholder binds: `?1` / `$1` → where the value comes from.
    pub params: Vec<Entry>,
}

/// One template's page.
#[derive(Clone, Debug, Serialize)]
pub struct TemplatePage {
    /// The page key (`templates/blog/post_detail`).
    pub page: String,
    /// The name under `templates/`.
    pub name: String,
    /// The parent template: a link, or the expression when not a literal name.
    pub extends: Option<Link>,
    /// The extends chain above this template, nearest first.
    pub ancestors: Vec<Link>,
    /// Templates extending this one.
    pub extended_by: Vec<Link>,
    /// Templates included (`{% include %}`).
    pub includes: Vec<Link>,
    /// Templates including this one.
    pub included_by: Vec<Link>,
    /// `{% block %}` names, in order, with what they do.
    pub blocks: Vec<Entry>,
    /// URL names linked with `{% url %}`, with their routes.
    pub urls: Vec<UrlRow>,
    /// `{% static %}` paths.
    pub statics: Vec<String>,
    /// Views rendering the template.
    pub views: Vec<Link>,
    /// The context names the template's own text reads (loop, `with` and
    /// `as` names aside), as the template checker found them.
    pub reads: Vec<String>,
    /// For each view whose page renders the template (directly, as a
    /// parent or through an include), what the template and its parents
    /// read from the context, typed.
    pub contexts: Vec<ViewContext>,
}

/// A `{% url %}` reference in a template.
#[derive(Clone, Debug, Serialize)]
pub struct UrlRow {
    /// The URL name.
    pub name: String,
    /// The route table row, when the name exists.
    pub route: Option<Link>,
    /// The route's pattern.
    pub pattern: String,
    /// The view served.
    pub view: Option<Link>,
}

/// What a template needs from the context of the views that render it,
/// for views that provide the same.
#[derive(Clone, Debug, Serialize)]
pub struct ViewContext {
    /// The views, in declaration order.
    pub views: Vec<Link>,
    /// The names read, by name.
    pub variables: Vec<ContractRow>,
}

/// A name a template reads from its context, as a view provides it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ContractRow {
    /// The name.
    pub name: String,
    /// Its type, as the template checker typed it.
    pub ty: String,
    /// The view's query or value as written, when the view provides it.
    pub source: String,
    /// Otherwise where the value comes from, in words: a context
    /// processor, an alias, or the template that includes this one.
    pub origin: String,
    /// The templates reading it: this one and its parents.
    pub read_in: Vec<Link>,
}

/// The admin summary.
#[derive(Clone, Debug, Serialize)]
pub struct AdminPage {
    /// The URL prefix the admin is mounted at, if it is.
    pub prefix: Option<String>,
    /// One entry per `admin` block.
    pub models: Vec<AdminRow>,
}

/// One `admin Model { … }` block.
#[derive(Clone, Debug, Serialize)]
pub struct AdminRow {
    /// The model.
    pub model: Link,
    /// The options that are set, as written.
    pub options: Vec<Entry>,
}
