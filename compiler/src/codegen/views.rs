//! `src/__djinn/views.rs`: one async fn per view, its handler and its SQL.
//!
//! Input: the checked project, the settings, and the template checks (which
//! relations each page reads). Output: first a [`ViewPlan`] per view —
//! what it does, the methods it answers, its compiled queries and how many
//! statements a request runs — then the module's tokens.
//!
//! Fetch plans (no N+1): a JSON view loads the relations its `fields`
//! cross; an HTML view loads the relations its template reads (from
//! [`TemplateChecks`]) for `object`, `object_list` and each context entry;
//! a view whose context values read `object.author.name` loads `author`
//! with the object. Each statement's text is a `const Sql` next to the view.
//!
//! Views that need what later layers bring are generated as far as it goes:
//! with `login_required`, `staff_required` or `permission`, no request can
//! be signed in yet (sessions and auth are a later layer), so the view
//! sends anonymous users to `[auth] login_url` (JSON views: 403), as Django
//! does for them. Create, update and delete views (forms and writes) answer
//! 403 until the data layer brings them.

use super::models::{key_member, member, model_type};
use super::names::{ident, internal, pascal, plain};
use super::types::{db_value, getter, is_copy, json_value, scalar_type};
use super::urls::reverse_names;
use crate::check::ir::{
    ContextValue, ConverterType, FieldPath, FieldType, GenericKind, HttpMethod, LiteralKind,
    ModelId, Project, ReverseKind, Shape, StepKind, Type, UrlArg, UrlTarget, Value, ValueKind,
    View, ViewId, ViewKind,
};
use crate::rust_src::{RustFn, TypeShape};
use crate::settings::Settings;
use crate::sql::{
    CompiledQuery, FetchPlan, Layout, ParamValue, QueryPurpose, ScalarKind, Statement,
    compile_query,
};
use crate::template::TemplateChecks;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub(super) mod writes;
use writes::WritePlan;

// ── plans ───────────────────────────────────────────────────────────────────

/// What code generation decided for one view.
pub(super) struct ViewPlan {
    /// The view.
    pub(super) id: ViewId,
    /// The async fn (the view's name).
    pub(super) function: Ident,
    /// The handler wrapping it (`__djinn_h_<name>`).
    pub(super) handler: Ident,
    /// The methods answered; `None` for every method.
    pub(super) methods: Option<Vec<HttpMethod>>,
    /// Statements per request, whatever the data; `None` when hand-written
    /// Rust decides.
    pub(super) queries: Option<usize>,
    /// What the view does.
    pub(super) body: Body,
}

/// The shape of a view's generated body.
pub(super) enum Body {
    /// Only after an error in the project, which stops generation first.
    NotGenerated,
    /// `json create`, `json update`, `json delete`.
    JsonWrite {
        /// What is written.
        write: WritePlan,
        /// The row edited or deleted (`None` for create).
        main: Option<CompiledQuery>,
        /// The fields of the JSON answer.
        fields: Vec<FieldPath>,
    },
    /// `json list` / `json detail`.
    Json {
        /// True for `json list`.
        list: bool,
        /// The rows or the object.
        main: CompiledQuery,
        /// `paginate N`.
        paginate: Option<u32>,
        /// The query's own slice start (pagination offsets add it).
        slice_start: u64,
        /// The output fields.
        fields: Vec<FieldPath>,
    },
    /// An HTML page: `list`, `detail` or `template`.
    Page {
        /// The generic kind, or `None` for `template`.
        kind: Option<GenericKind>,
        /// The rows or the object.
        main: Option<CompiledQuery>,
        /// `paginate N`.
        paginate: Option<u32>,
        /// The query's own slice start.
        slice_start: u64,
        /// The context entries, in order.
        entries: Vec<EntryPlan>,
        /// The context struct (`<View>Context` in `crate::context`).
        context: Ident,
        /// The template.
        template: String,
        /// `create`, `update`, `delete`: the form and the writes.
        write: Option<WritePlan>,
        /// `create`, `update`, `delete`: where a successful POST redirects.
        success: Option<UrlTarget>,
    },
    /// `redirect`.
    Redirect {
        /// Where to.
        target: UrlTarget,
        /// 301 instead of 302.
        permanent: bool,
    },
    /// `rust "module::function"`.
    Rust {
        /// `module::function`.
        function: String,
        /// Its signature.
        signature: RustFn,
    },
}

/// A context entry of an HTML view.
pub(super) struct EntryPlan {
    /// The name the template sees.
    pub(super) name: String,
    /// How its value is computed.
    pub(super) value: EntryValue,
}

/// The value of a context entry.
pub(super) enum EntryValue {
    /// A query and what it gives.
    Query(CompiledQuery),
    /// A plain value.
    Value(Value),
}

/// Plans every view, in id order.
pub(super) fn plan_views(project: &Project, checks: &TemplateChecks) -> Vec<ViewPlan> {
    project
        .views
        .iter()
        .enumerate()
        .map(|(index, view)| plan_view(project, checks, ViewId(index as u32), view))
        .collect()
}

fn default_methods(view: &View) -> Option<Vec<HttpMethod>> {
    use HttpMethod::{Delete, Get, Patch, Post, Put};
    match &view.kind {
        ViewKind::Generic(generic) => Some(match (generic.json, generic.kind) {
            (_, GenericKind::List | GenericKind::Detail) => vec![Get],
            (false, _) => vec![Get, Post],
            (true, GenericKind::Create) => vec![Post],
            (true, GenericKind::Update) => vec![Put, Patch],
            (true, GenericKind::Delete) => vec![Delete],
        }),
        ViewKind::Template => Some(vec![Get]),
        ViewKind::Redirect { .. } | ViewKind::Rust { .. } => None,
    }
}

fn plan_view(project: &Project, checks: &TemplateChecks, id: ViewId, view: &View) -> ViewPlan {
    let methods = view
        .access
        .methods
        .clone()
        .or_else(|| default_methods(view));
    let body = plan_body(project, checks, id, view);
    let queries = match &body {
        Body::NotGenerated | Body::Redirect { .. } => Some(0),
        Body::Rust { .. } => None,
        Body::Json { main, .. } => Some(main.statement_count()),
        // Up to the validation; a valid write runs more.
        Body::JsonWrite { main, write, .. } => Some(
            main.as_ref().map_or(0, CompiledQuery::statement_count)
                + writes::form_statements(project, write),
        ),
        Body::Page {
            main,
            entries,
            write,
            ..
        } => {
            let form = write
                .as_ref()
                .map_or(0, |write| writes::form_statements(project, write));
            let entries: usize = entries
                .iter()
                .map(|entry| match &entry.value {
                    EntryValue::Query(query) => query.statement_count(),
                    EntryValue::Value(_) => 0,
                })
                .sum();
            Some(main.as_ref().map_or(0, CompiledQuery::statement_count) + entries + form)
        }
    };
    ViewPlan {
        id,
        function: ident(&view.name),
        handler: internal(&["h", &view.name]),
        methods,
        queries,
        body,
    }
}

/// The relations a template reads from the context value `root`.
fn template_plan(checks: &TemplateChecks, id: ViewId, root: &str) -> FetchPlan {
    let mut plan = FetchPlan::new();
    if let Some(view) = checks.views.get(&id) {
        for path in view.fetches.keys() {
            let list_alias = root == "object_list" && path.root == "page_obj";
            if path.root == root || list_alias {
                let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind()).collect();
                plan.add_steps(&steps);
            }
        }
    }
    plan
}

/// Adds to `plan` the relations that the `object.…` (or `<root>.…`) values
/// of the view's context queries read from the object itself: a value
/// `object.author.name` needs `author` loaded; `object.author.id` is the
/// key column; a path through a many relation is a subquery in SQL.
fn add_value_needs(project: &Project, view: &View, root: Option<&str>, plan: &mut FetchPlan) {
    let mut values = Vec::new();
    for entry in &view.context {
        match &entry.value {
            ContextValue::Query(query) => {
                for filter in &query.filters {
                    collect_values(&filter.condition, &mut values);
                }
            }
            ContextValue::Value(value) => values.push(value.clone()),
        }
    }
    for value in values {
        let path = match (&value.kind, root) {
            (ValueKind::Object(path), None) => path,
            (
                ValueKind::Context {
                    name,
                    path: Some(path),
                },
                Some(root),
            ) if name == root => path,
            _ => continue,
        };
        let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
        if steps.iter().any(|&step| project.step_is_many(step)) {
            continue;
        }
        let mut prefix = steps.clone();
        prefix.pop();
        // `author.id`: the key column of the row, no join.
        if let (Some(&StepKind::Field(last)), Some(&relation)) = (steps.last(), prefix.last())
            && let Some(target) = project.step_target(relation)
            && last.model == target
            && last.index == project.model(target).primary_key
        {
            prefix.pop();
        }
        plan.add_steps(&prefix);
    }
}

fn collect_values(condition: &crate::check::ir::Condition, out: &mut Vec<Value>) {
    use crate::check::ir::Condition;
    match condition {
        Condition::Lookup(lookup) => {
            if let Some(value) = &lookup.value {
                match &value.kind {
                    ValueKind::List(items) => out.extend(items.iter().cloned()),
                    _ => out.push(value.clone()),
                }
            }
        }
        Condition::And(parts, _) | Condition::Or(parts, _) => {
            parts.iter().for_each(|part| collect_values(part, out));
        }
        Condition::Not(inner, _) => collect_values(inner, out),
    }
}

pub(super) fn plan_body(
    project: &Project,
    checks: &TemplateChecks,
    id: ViewId,
    view: &View,
) -> Body {
    match &view.kind {
        ViewKind::Generic(generic) if generic.kind.writes() => {
            plan_write_body(project, checks, id, view, generic)
        }
        ViewKind::Generic(generic) => {
            let Some(query) = &generic.query else {
                return Body::NotGenerated;
            };
            let slice_start = query.slice.map_or(0, |slice| slice.start);
            match (generic.json, generic.kind) {
                (true, GenericKind::List | GenericKind::Detail) => {
                    let list = generic.kind == GenericKind::List;
                    let mut plan = FetchPlan::new();
                    for path in &generic.fields {
                        plan.add_path(project, path, false);
                    }
                    let purpose = match (list, generic.paginate) {
                        (true, Some(_)) => QueryPurpose::Page,
                        (true, None) => QueryPurpose::Rows,
                        (false, _) => QueryPurpose::Get,
                    };
                    Body::Json {
                        list,
                        main: compile_query(project, query, &plan, &view.context, purpose),
                        paginate: generic.paginate,
                        slice_start,
                        fields: generic.fields.clone(),
                    }
                }
                (false, GenericKind::List | GenericKind::Detail) => {
                    let list = generic.kind == GenericKind::List;
                    let root = if list { "object_list" } else { "object" };
                    let mut plan = template_plan(checks, id, root);
                    if !list {
                        add_value_needs(project, view, None, &mut plan);
                    }
                    let purpose = match (list, generic.paginate) {
                        (true, Some(_)) => QueryPurpose::Page,
                        (true, None) => QueryPurpose::Rows,
                        (false, _) => QueryPurpose::Get,
                    };
                    Body::Page {
                        kind: Some(generic.kind),
                        main: Some(compile_query(project, query, &plan, &view.context, purpose)),
                        paginate: generic.paginate.filter(|_| list),
                        slice_start,
                        entries: plan_entries(project, checks, id, view),
                        context: context_struct(view),
                        template: template_name(view),
                        write: None,
                        success: None,
                    }
                }
                (_, GenericKind::Create | GenericKind::Update | GenericKind::Delete) => {
                    Body::NotGenerated
                }
            }
        }
        ViewKind::Template => Body::Page {
            kind: None,
            main: None,
            paginate: None,
            slice_start: 0,
            entries: plan_entries(project, checks, id, view),
            context: context_struct(view),
            template: template_name(view),
            write: None,
            success: None,
        },
        ViewKind::Redirect { target, permanent } => Body::Redirect {
            target: target.clone(),
            permanent: *permanent,
        },
        ViewKind::Rust {
            function,
            signature,
            ..
        } => match signature {
            Some(signature) => Body::Rust {
                function: function.clone(),
                signature: signature.clone(),
            },
            // Only after an error, and code generation needs none.
            None => Body::NotGenerated,
        },
    }
}

/// A create, update or delete view, HTML or JSON.
fn plan_write_body(
    project: &Project,
    checks: &TemplateChecks,
    id: ViewId,
    view: &View,
    generic: &crate::check::ir::GenericView,
) -> Body {
    let write = writes::plan_write(
        project,
        view,
        generic.kind,
        generic.json,
        generic.model,
        &generic.fields,
        generic.success.as_ref(),
    );
    let main = generic.query.as_ref().map(|query| {
        let mut plan = if generic.json {
            FetchPlan::new()
        } else {
            template_plan(checks, id, "object")
        };
        if !generic.json {
            add_value_needs(project, view, None, &mut plan);
        }
        compile_query(project, query, &plan, &view.context, QueryPurpose::Get)
    });
    if generic.json {
        return Body::JsonWrite {
            write,
            main,
            fields: generic.fields.clone(),
        };
    }
    Body::Page {
        kind: Some(generic.kind),
        main,
        paginate: None,
        slice_start: 0,
        entries: plan_entries(project, checks, id, view),
        context: context_struct(view),
        template: template_name(view),
        write: Some(write),
        success: generic.success.clone(),
    }
}

fn template_name(view: &View) -> String {
    view.template
        .as_ref()
        .map_or_else(String::new, |template| template.name.clone())
}

/// `PostDetailContext`.
pub(super) fn context_struct(view: &View) -> Ident {
    plain(&format!("{}Context", pascal(&view.name)))
}

fn plan_entries(
    project: &Project,
    checks: &TemplateChecks,
    id: ViewId,
    view: &View,
) -> Vec<EntryPlan> {
    view.context
        .iter()
        .map(|entry| {
            let value = match &entry.value {
                ContextValue::Query(query) => {
                    let mut plan = template_plan(checks, id, &entry.name);
                    add_value_needs(project, view, Some(&entry.name), &mut plan);
                    EntryValue::Query(compile_query(
                        project,
                        query,
                        &plan,
                        &view.context,
                        QueryPurpose::Rows,
                    ))
                }
                ContextValue::Value(value) => EntryValue::Value(value.clone()),
            };
            EntryPlan {
                name: entry.name.clone(),
                value,
            }
        })
        .collect()
}

// ── the module ──────────────────────────────────────────────────────────────

/// Items shared by the module: SQL constants and decode/load/JSON functions.
struct Items<'p> {
    project: &'p Project,
    items: Vec<TokenStream>,
    counter: usize,
}

impl Items<'_> {
    fn next(&mut self) -> String {
        self.counter += 1;
        self.counter.to_string()
    }

    /// A `const` holding a statement's text; returns its name.
    fn sql(&mut self, view: &str, label: &str, statement: &Statement) -> Ident {
        let name = plain(&format!(
            "__DJINN_SQL_{}_{}",
            super::names::upper(view),
            super::names::upper(label)
        ));
        let sqlite = &statement.sqlite;
        let postgres = &statement.postgres;
        self.items.push(quote! {
            const #name: ::djinn_runtime::db::Sql = ::djinn_runtime::db::Sql::new(#sqlite, #postgres);
        });
        name
    }

    /// `fn(row) -> Result<Model, DbError>` decoding a layout; returns its name.
    fn decode(&mut self, layout: &Layout) -> Ident {
        let name = internal(&["decode", &self.next()]);
        let ty = model_type(self.project, layout.model);
        let offset = layout.offset;
        let body = if layout.joined.is_empty() {
            quote!(#ty::__djinn_decode(__djinn_row, #offset))
        } else {
            let decoded = decode_expr(self.project, layout);
            quote!(::core::result::Result::Ok(#decoded))
        };
        self.items.push(quote! {
            fn #name(
                __djinn_row: &::djinn_runtime::db::Row,
            ) -> ::core::result::Result<#ty, ::djinn_runtime::db::DbError> {
                #body
            }
        });
        name
    }

    /// An async fn loading the many relations of a layout into a slice of
    /// objects; `None` when the layout has none.
    fn load(&mut self, view: &str, layout: &Layout) -> Option<Ident> {
        if layout.prefetch_count() == 0 {
            return None;
        }
        let name = internal(&["load", &self.next()]);
        let ty = model_type(self.project, layout.model);
        let mut steps = Vec::new();
        for (step, joined) in &layout.joined {
            if let Some(load) = self.load(view, joined) {
                let member = member(self.project, *step);
                let related = model_type(self.project, joined.model);
                steps.push(quote! {
                    let mut __djinn_related: ::std::vec::Vec<&mut #related> = __djinn_objects
                        .iter_mut()
                        .filter_map(|object| object.#member.as_deref_mut())
                        .collect();
                    #load(__djinn_db, &mut __djinn_related).await?;
                });
            }
        }
        for prefetch in &layout.prefetched {
            let label = format!("prefetch_{}", self.next());
            let sql = self.sql(view, &label, &prefetch.statement);
            let decode = self.decode(&prefetch.layout);
            let nested = self.load(view, &prefetch.layout);
            let member = member(self.project, prefetch.step);
            let key = key_member(self.project, layout.model);
            let key_type = scalar_type(prefetch.key_kind);
            let key_get = getter(prefetch.key_kind, false);
            let child = model_type(self.project, prefetch.layout.model);
            let key_json = key_json(prefetch.key_kind, quote!(object.#key));
            let lookup = if is_copy(prefetch.key_kind) {
                quote!(&object.#key)
            } else {
                quote!(object.#key.as_str())
            };
            let nested = nested.map(|load| {
                quote! {
                    let mut __djinn_refs: ::std::vec::Vec<&mut #child> = __djinn_children.iter_mut().collect();
                    #load(__djinn_db, &mut __djinn_refs).await?;
                }
            });
            steps.push(quote! {
                let __djinn_keys = ::djinn_runtime::serde_json::Value::Array(
                    __djinn_objects.iter().map(|object| #key_json).collect(),
                );
                let __djinn_rows = __djinn_db
                    .query(&#sql, &[::djinn_runtime::db::Value::Json(__djinn_keys)])
                    .await?;
                let mut __djinn_parents: ::std::vec::Vec<#key_type> = ::std::vec::Vec::with_capacity(__djinn_rows.len());
                let mut __djinn_children: ::std::vec::Vec<#child> = ::std::vec::Vec::with_capacity(__djinn_rows.len());
                for __djinn_row in &__djinn_rows {
                    __djinn_parents.push(__djinn_row.#key_get(0)?);
                    __djinn_children.push(#decode(__djinn_row)?);
                }
                #nested
                let mut __djinn_groups: ::std::collections::BTreeMap<#key_type, ::std::vec::Vec<#child>> =
                    ::std::collections::BTreeMap::new();
                for (parent, child) in __djinn_parents.into_iter().zip(__djinn_children) {
                    __djinn_groups.entry(parent).or_default().push(child);
                }
                for object in __djinn_objects.iter_mut() {
                    object.#member = __djinn_groups.get(#lookup).cloned().unwrap_or_default();
                }
            });
        }
        let steps = steps.into_iter().map(|step| quote!({ #step }));
        self.items.push(quote! {
            async fn #name(
                __djinn_db: &::djinn_runtime::db::Database,
                __djinn_objects: &mut [&mut #ty],
            ) -> ::core::result::Result<(), ::djinn_runtime::db::DbError> {
                #(#steps)*
                ::core::result::Result::Ok(())
            }
        });
        Some(name)
    }
}

/// A key as a JSON value, for the key list of a batched query.
fn key_json(kind: ScalarKind, place: TokenStream) -> TokenStream {
    match kind {
        ScalarKind::Int | ScalarKind::Int32 | ScalarKind::Float | ScalarKind::Bool => {
            quote!(::djinn_runtime::serde_json::Value::from(#place))
        }
        ScalarKind::Text | ScalarKind::Decimal => {
            quote!(::djinn_runtime::serde_json::Value::String(#place.clone()))
        }
        _ => quote!(::djinn_runtime::serde_json::Value::String(#place.to_string())),
    }
}

/// The expression decoding a layout from `__djinn_row`.
fn decode_expr(project: &Project, layout: &Layout) -> TokenStream {
    let ty = model_type(project, layout.model);
    let offset = layout.offset;
    if layout.joined.is_empty() {
        return quote!(#ty::__djinn_decode(__djinn_row, #offset)?);
    }
    let assignments = layout.joined.iter().map(|(step, joined)| {
        let member = member(project, *step);
        let related = model_type(project, joined.model);
        let at = joined.offset;
        if joined.joined.is_empty() {
            quote! {
                object.#member = #related::__djinn_decode_opt(__djinn_row, #at)?
                    .map(::std::boxed::Box::new);
            }
        } else {
            let inner = decode_expr(project, joined);
            let key_at = joined.offset;
            quote! {
                object.#member = if __djinn_row.is_null(#key_at)? {
                    ::std::option::Option::None
                } else {
                    ::std::option::Option::Some(::std::boxed::Box::new(#inner))
                };
            }
        }
    });
    quote! {{
        let mut object = #ty::__djinn_decode(__djinn_row, #offset)?;
        #(#assignments)*
        object
    }}
}

/// The module's tokens.
pub(super) fn generate(project: &Project, settings: &Settings, plans: &[ViewPlan]) -> TokenStream {
    let mut items = Items {
        project,
        items: Vec::new(),
        counter: 0,
    };
    let reverses = reverse_names(project);
    let mut functions = Vec::new();
    for plan in plans {
        let view = project.view(plan.id);
        let function = &plan.function;
        let handler = &plan.handler;
        let mut cx = ViewCx {
            project,
            view,
            items: &mut items,
            reverses: &reverses,
        };
        let (body, mutable) = cx.body(plan, settings);
        let access = access_check(view, settings);
        let request = if mutable {
            quote!(mut __djinn_request)
        } else {
            quote!(__djinn_request)
        };
        let doc = view
            .doc
            .clone()
            .unwrap_or_else(|| format!("The `{}` view.", view.name));
        let doc_attr = super::names::doc(&doc);
        let handler_body = match view.access.cache {
            Some(seconds) => {
                let value = format!("max-age={seconds}");
                quote! {
                    ::std::boxed::Box::pin(async move {
                        let cacheable = matches!(
                            *request.method(),
                            ::djinn_runtime::http::Method::GET | ::djinn_runtime::http::Method::HEAD
                        );
                        let mut response = #function(request).await?;
                        if cacheable {
                            response.headers_mut().insert(
                                ::djinn_runtime::http::header::CACHE_CONTROL,
                                ::djinn_runtime::http::HeaderValue::from_static(#value),
                            );
                        }
                        ::core::result::Result::Ok(response)
                    })
                }
            }
            None => quote!(::std::boxed::Box::pin(#function(request))),
        };
        functions.push(quote! {
            #doc_attr
            pub async fn #function(
                #request: ::djinn_runtime::Request,
            ) -> ::core::result::Result<::djinn_runtime::Response, ::djinn_runtime::HttpError> {
                #access
                #body
            }

            /// The handler the router calls.
            pub fn #handler(
                request: ::djinn_runtime::Request,
            ) -> ::djinn_runtime::BoxFuture<
                'static,
                ::core::result::Result<::djinn_runtime::Response, ::djinn_runtime::HttpError>,
            > {
                #handler_body
            }
        });
    }
    let items = items.items;
    quote! {
        //! The views: an async fn per view, the handler the router calls, and
        //! the SQL each one runs.

        #(#functions)*

        #(#items)*
    }
}

/// The check of `login_required`, `staff_required` and `permission`,
/// before anything else the view does.
fn access_check(view: &View, settings: &Settings) -> Option<TokenStream> {
    let access = &view.access;
    if !(access.login_required || access.staff_required || access.permission.is_some()) {
        return None;
    }
    let login_url = &settings.auth.login_url;
    let staff = access.staff_required;
    let permission = match &access.permission {
        Some(permission) => {
            let text = format!("{}.{}", permission.app, permission.codename);
            quote!(::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None),
    };
    let json = matches!(&view.kind, ViewKind::Generic(generic) if generic.json);
    Some(quote! {
        if let ::core::option::Option::Some(__djinn_redirect) = ::djinn_runtime::views::require(
            &__djinn_request,
            ::djinn_runtime::views::Access {
                login_url: #login_url,
                staff: #staff,
                permission: #permission,
                json: #json,
            },
        )? {
            return ::core::result::Result::Ok(__djinn_redirect);
        }
    })
}

/// What an HTML page's body is made of.
struct PageParts<'a> {
    kind: Option<GenericKind>,
    main: Option<&'a CompiledQuery>,
    paginate: Option<u32>,
    slice_start: u64,
    entries: &'a [EntryPlan],
    context: &'a Ident,
    write: Option<&'a WritePlan>,
    success: Option<&'a UrlTarget>,
}

/// Generating one view's body.
struct ViewCx<'a, 'p> {
    project: &'p Project,
    view: &'p View,
    items: &'a mut Items<'p>,
    reverses: &'a std::collections::BTreeMap<String, Ident>,
}

/// The local holding a URL parameter.
fn param_local(name: &str) -> Ident {
    internal(&["p", name])
}

/// The local holding a context entry.
fn entry_local(name: &str) -> Ident {
    internal(&["ctx", name])
}

impl ViewCx<'_, '_> {
    /// The body, and whether the request binding must be `mut`.
    fn body(&mut self, plan: &ViewPlan, settings: &Settings) -> (TokenStream, bool) {
        match &plan.body {
            Body::NotGenerated => (
                quote! {
                    let _ = __djinn_request;
                    ::core::result::Result::Err(::djinn_runtime::HttpError::internal(
                        "this view was not generated",
                    ))
                },
                false,
            ),
            Body::JsonWrite {
                write,
                main,
                fields,
            } => (self.json_write(write, main.as_ref(), fields), false),
            Body::Redirect { target, permanent } => (self.redirect(target, *permanent), false),
            Body::Rust {
                function,
                signature,
            } => self.rust(function, signature),
            Body::Json {
                list,
                main,
                paginate,
                slice_start,
                fields,
            } => (
                self.json(*list, main, *paginate, *slice_start, fields),
                false,
            ),
            Body::Page {
                kind,
                main,
                paginate,
                slice_start,
                entries,
                context,
                write,
                success,
                ..
            } => (
                self.page(
                    PageParts {
                        kind: *kind,
                        main: main.as_ref(),
                        paginate: *paginate,
                        slice_start: *slice_start,
                        entries,
                        context,
                        write: write.as_ref(),
                        success: success.as_ref(),
                    },
                    settings,
                ),
                false,
            ),
        }
    }

    /// `let __djinn_p_<name> = …;` for each URL parameter the body uses
    /// (every one for a Rust view, which receives them all).
    fn params(&self) -> TokenStream {
        let used = self.used_params();
        let lets = self
            .view
            .params
            .iter()
            .filter(|param| used.contains(&param.name))
            .map(|param| {
                let local = param_local(&param.name);
                let name = &param.name;
                let read = match param.converter {
                    ConverterType::Int => quote!(crate::__djinn::support::param_int),
                    ConverterType::Uuid => quote!(crate::__djinn::support::param_uuid),
                    _ => quote!(crate::__djinn::support::param_text),
                };
                quote!(let #local = #read(&__djinn_request, #name)?;)
            });
        quote!(#(#lets)*)
    }

    /// The URL parameters the view's values read.
    fn used_params(&self) -> std::collections::BTreeSet<String> {
        if matches!(self.view.kind, ViewKind::Rust { .. }) {
            return self
                .view
                .params
                .iter()
                .map(|param| param.name.clone())
                .collect();
        }
        let mut values = self.values();
        if let ViewKind::Redirect {
            target: UrlTarget::Route { args, .. },
            ..
        } = &self.view.kind
        {
            values.extend(args.iter().map(|arg| arg.value.clone()));
        }
        values
            .iter()
            .filter_map(|value| match &value.kind {
                ValueKind::Param { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every value the view's queries and context entries use.
    fn values(&self) -> Vec<Value> {
        let mut values = Vec::new();
        let mut queries = Vec::new();
        if let ViewKind::Generic(generic) = &self.view.kind {
            queries.extend(generic.query.iter());
        }
        for entry in &self.view.context {
            match &entry.value {
                ContextValue::Query(query) => queries.push(query),
                ContextValue::Value(value) => values.push(value.clone()),
            }
        }
        for query in queries {
            for filter in &query.filters {
                collect_values(&filter.condition, &mut values);
            }
        }
        values
    }

    /// Whether any value of the view reads the clock.
    fn uses_clock(&self) -> bool {
        self.values()
            .iter()
            .any(|value| matches!(value.kind, ValueKind::Now | ValueKind::Today))
    }

    fn redirect(&self, target: &UrlTarget, permanent: bool) -> TokenStream {
        let url = self.url_of(target);
        let params = self.params();
        let response = if permanent {
            quote!(::djinn_runtime::Response::redirect_permanent(#url))
        } else {
            quote!(::djinn_runtime::Response::redirect(#url))
        };
        let release = self
            .used_params()
            .is_empty()
            .then(|| quote!(let _ = __djinn_request;));
        quote! {
            #release
            #params
            ::core::result::Result::Ok(#response)
        }
    }

    /// The redirect to `success` after a write.
    fn success_url(&self, target: &UrlTarget) -> TokenStream {
        let url = self.url_of(target);
        quote!(::djinn_runtime::Response::redirect(#url))
    }

    /// A `&str` expression of the URL `target` names: the literal, or the
    /// route reversed with its arguments.
    fn url_of(&self, target: &UrlTarget) -> TokenStream {
        match target {
            UrlTarget::Literal { url, .. } => quote!(#url),
            UrlTarget::Route { name, args, .. } => {
                let function = &self.reverses[name];
                let args = args.iter().map(|arg| self.url_arg(arg));
                quote!(&crate::urls::#function(#(#args),*))
            }
        }
    }

    /// An argument of a URL reverse, typed as the reverse function takes it.
    fn url_arg(&self, arg: &UrlArg) -> TokenStream {
        match &arg.value.kind {
            ValueKind::Object(path) => {
                let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
                let value = db_path(self.project, quote!(__djinn_object), path.model, &steps);
                match arg.value.ty {
                    Type::Int => quote!(::djinn_runtime::views::value_int(&#value)),
                    Type::Uuid => quote!(::djinn_runtime::views::value_uuid(&#value)),
                    _ => quote!(&crate::__djinn::support::value_text(&#value)),
                }
            }
            ValueKind::Param { name, .. } => {
                let local = param_local(name);
                match arg.value.ty {
                    Type::Int | Type::Uuid => quote!(#local),
                    _ => quote!(&#local),
                }
            }
            ValueKind::Literal(LiteralKind::Int(number)) => quote!(#number),
            ValueKind::Literal(LiteralKind::Str(text)) if arg.value.ty == Type::Uuid => {
                let value = uuid::Uuid::try_parse(text).map_or(0, |uuid| uuid.as_u128());
                quote!(::djinn_runtime::uuid::Uuid::from_u128(#value))
            }
            ValueKind::Literal(LiteralKind::Str(text)) => quote!(#text),
            ValueKind::Choice { key, .. } => quote!(#key),
            _ => quote!(""),
        }
    }

    fn rust(&self, function: &str, signature: &RustFn) -> (TokenStream, bool) {
        let mut path = vec![quote!(crate)];
        path.extend(function.split("::").map(|part| {
            let part = ident(part);
            quote!(#part)
        }));
        let params = self.params();
        let mut mutable = false;
        let mut args = Vec::new();
        for (index, param) in signature.params.iter().enumerate() {
            if index == 0 {
                args.push(match param.ty.as_reference() {
                    Some((true, _)) => {
                        mutable = true;
                        quote!(&mut __djinn_request)
                    }
                    Some((false, _)) => quote!(&__djinn_request),
                    None => quote!(__djinn_request),
                });
                continue;
            }
            let Some(url_param) = self.view.params.get(index - 1) else {
                continue;
            };
            let local = param_local(&url_param.name);
            args.push(match (&param.ty.shape, url_param.converter) {
                (TypeShape::Reference { .. }, _) => quote!(&#local),
                _ => quote!(#local),
            });
        }
        let call = quote!(#(#path)::*(#(#args),*).await);
        let result = match signature
            .output
            .as_ref()
            .and_then(|output| output.as_path())
        {
            Some(("Response", _)) => quote!(::core::result::Result::Ok(#call)),
            Some((_, generic)) if generic.len() >= 2 => {
                let error_is_http = matches!(generic[1].as_path(), Some(("HttpError", _)));
                if error_is_http {
                    call
                } else {
                    quote!(#call.map_err(::core::convert::Into::into))
                }
            }
            _ => call,
        };
        (
            quote! {
                #params
                #result
            },
            mutable,
        )
    }

    /// The `&[Value]` a statement binds.
    fn bind_list(&self, statement: &Statement) -> TokenStream {
        let values = statement.params.iter().map(|param| self.param(param));
        quote!(&[#(#values),*])
    }

    fn param(&self, param: &crate::sql::Param) -> TokenStream {
        match &param.value {
            ParamValue::Int(number) => quote!(::djinn_runtime::db::Value::Int(#number)),
            ParamValue::PageLimit => quote!(::djinn_runtime::db::Value::Int(__djinn_limit)),
            ParamValue::PageOffset => quote!(::djinn_runtime::db::Value::Int(__djinn_offset)),
            ParamValue::ParentKeys => quote!(::djinn_runtime::db::Value::Json(__djinn_keys)),
            ParamValue::Pattern { value, pattern } => {
                let pattern = match pattern {
                    crate::sql::LikePattern::Exact => quote!(Exact),
                    crate::sql::LikePattern::Contains => quote!(Contains),
                    crate::sql::LikePattern::StartsWith => quote!(StartsWith),
                    crate::sql::LikePattern::EndsWith => quote!(EndsWith),
                };
                let text = self.text_of(value);
                quote! {
                    ::djinn_runtime::db::Value::Text(crate::__djinn::support::like_pattern(
                        #text,
                        crate::__djinn::support::Like::#pattern,
                    ))
                }
            }
            ParamValue::Value(value) => self.value(value, param.kind),
        }
    }

    /// A text value as `&str`, for a `LIKE` pattern.
    fn text_of(&self, value: &Value) -> TokenStream {
        match &value.kind {
            ValueKind::Literal(LiteralKind::Str(text)) => quote!(#text),
            ValueKind::Choice { key, .. } => quote!(#key),
            ValueKind::Param { name, .. } => {
                let local = param_local(name);
                quote!(&#local)
            }
            _ => {
                let value = self.value(value, ScalarKind::Text);
                quote!(&crate::__djinn::support::value_text(&#value))
            }
        }
    }

    /// A value of the spec as a database `Value` for a column of `kind`.
    fn value(&self, value: &Value, kind: ScalarKind) -> TokenStream {
        let db = quote!(::djinn_runtime::db::Value);
        match &value.kind {
            ValueKind::Literal(literal) => literal_value(literal, &value.ty, kind),
            ValueKind::Choice { key, .. } => quote!(#db::Text(::std::string::String::from(#key))),
            ValueKind::Param { name, .. } => {
                let local = param_local(name);
                match value.ty {
                    Type::Int => quote!(#db::Int(#local)),
                    Type::Uuid => quote!(#db::Uuid(#local)),
                    _ => quote!(#db::Text(#local.clone())),
                }
            }
            ValueKind::Object(path) => {
                let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
                db_path(self.project, quote!(__djinn_object), path.model, &steps)
            }
            ValueKind::Context { name, path } => {
                let local = entry_local(name);
                let entry = self.view.context.iter().find(|entry| entry.name == *name);
                match (entry.map(|entry| &entry.ty), path) {
                    (Some(Type::Int), None) => quote!(#db::Int(#local)),
                    (Some(Type::Bool), None) => quote!(#db::Bool(#local)),
                    (Some(ty), path) => {
                        let model = match ty.strip_optional() {
                            Type::Object(model) => Some(*model),
                            _ => None,
                        };
                        match model {
                            Some(model) => {
                                let steps: Vec<StepKind> = path
                                    .iter()
                                    .flat_map(|path| path.steps.iter().map(|s| s.kind))
                                    .collect();
                                let inner = db_path(self.project, quote!(object), model, &steps);
                                quote! {
                                    match &#local {
                                        ::std::option::Option::Some(object) => #inner,
                                        ::std::option::Option::None => #db::Null,
                                    }
                                }
                            }
                            None => quote!(#db::from(#local.clone())),
                        }
                    }
                    (None, _) => quote!(#db::Null),
                }
            }
            ValueKind::Now => match kind {
                ScalarKind::Date => quote!(#db::Date(__djinn_now.date())),
                _ => quote!(#db::DateTime(__djinn_now)),
            },
            ValueKind::Today => match kind {
                ScalarKind::DateTime => quote! {
                    #db::DateTime(__djinn_now.date().to_datetime(::djinn_runtime::jiff::civil::Time::midnight()))
                },
                _ => quote!(#db::Date(__djinn_now.date())),
            },
            ValueKind::List(_) | ValueKind::Column(_) => quote!(#db::Null),
        }
    }

    /// Runs a compiled query into a local of its result type.
    fn run_query(&mut self, label: &str, query: &CompiledQuery, local: &Ident) -> TokenStream {
        let view = self.view.name.clone();
        let sql = self.items.sql(&view, label, &query.main);
        let binds = self.bind_list(&query.main);
        match query.shape {
            Shape::Count => quote! {
                let #local: i64 = __djinn_db.query_one(&#sql, #binds).await?.get_i64(0)?;
            },
            Shape::Bool => quote! {
                let #local: bool = __djinn_db.query_one(&#sql, #binds).await?.get_bool(0)?;
            },
            Shape::Many => {
                let Some(layout) = &query.layout else {
                    return quote!();
                };
                let decode = self.items.decode(layout);
                let load = self.items.load(&view, layout);
                let ty = model_type(self.project, layout.model);
                match load {
                    Some(load) => quote! {
                        let mut #local: ::std::vec::Vec<#ty> = __djinn_db
                            .query(&#sql, #binds)
                            .await?
                            .iter()
                            .map(#decode)
                            .collect::<::core::result::Result<_, _>>()?;
                        {
                            let mut __djinn_refs: ::std::vec::Vec<&mut #ty> = #local.iter_mut().collect();
                            #load(&__djinn_db, &mut __djinn_refs).await?;
                        }
                    },
                    None => quote! {
                        let #local: ::std::vec::Vec<#ty> = __djinn_db
                            .query(&#sql, #binds)
                            .await?
                            .iter()
                            .map(#decode)
                            .collect::<::core::result::Result<_, _>>()?;
                    },
                }
            }
            Shape::One | Shape::Optional => {
                let Some(layout) = &query.layout else {
                    return quote!();
                };
                let decode = self.items.decode(layout);
                let load = self.items.load(&view, layout);
                let ty = model_type(self.project, layout.model);
                match load {
                    Some(load) => quote! {
                        let mut #local: ::std::option::Option<#ty> = __djinn_db
                            .query(&#sql, #binds)
                            .await?
                            .first()
                            .map(#decode)
                            .transpose()?;
                        {
                            let mut __djinn_refs: ::std::vec::Vec<&mut #ty> = #local.iter_mut().collect();
                            #load(&__djinn_db, &mut __djinn_refs).await?;
                        }
                    },
                    None => quote! {
                        let #local: ::std::option::Option<#ty> = __djinn_db
                            .query(&#sql, #binds)
                            .await?
                            .first()
                            .map(#decode)
                            .transpose()?;
                    },
                }
            }
        }
    }

    /// The object of a detail view: 404 when no row matches.
    fn fetch_object(&mut self, query: &CompiledQuery) -> TokenStream {
        self.fetch_object_as(query, "object")
    }

    /// [`Self::fetch_object`] with its SQL constant named after `label`
    /// (a write view reads its object, then the saved row).
    fn fetch_object_as(&mut self, query: &CompiledQuery, label: &str) -> TokenStream {
        let view = self.view.name.clone();
        let sql = self.items.sql(&view, label, &query.main);
        let binds = self.bind_list(&query.main);
        let Some(layout) = &query.layout else {
            return quote!();
        };
        let decode = self.items.decode(layout);
        let load = self.items.load(&view, layout);
        let ty = model_type(self.project, layout.model);
        let what = &self.project.model(layout.model).name;
        let fetch = quote! {
            crate::__djinn::support::single(
                &__djinn_db.query(&#sql, #binds).await?,
                #decode,
                #what,
            )?
        };
        match load {
            Some(load) => quote! {
                let mut __djinn_object: #ty = #fetch;
                #load(&__djinn_db, &mut [&mut __djinn_object]).await?;
            },
            None => quote!(let __djinn_object: #ty = #fetch;),
        }
    }

    /// Pagination: the count, the requested page, `LIMIT` and `OFFSET`.
    fn paginate(&mut self, main: &CompiledQuery, per_page: u32, slice_start: u64) -> TokenStream {
        let view = self.view.name.clone();
        let Some(count) = &main.count else {
            return quote!();
        };
        let sql = self.items.sql(&view, "count", count);
        let binds = self.bind_list(count);
        let per_page = u64::from(per_page);
        let offset = if slice_start == 0 {
            quote!(__djinn_page.offset())
        } else {
            quote!(__djinn_page.offset() + #slice_start)
        };
        quote! {
            let __djinn_count = __djinn_db.query_one(&#sql, #binds).await?.get_i64(0)?;
            let __djinn_paginator = ::djinn_runtime::pagination::Paginator::new(
                u64::try_from(__djinn_count).unwrap_or(0),
                #per_page,
            );
            let __djinn_page = __djinn_paginator
                .requested(__djinn_request.query_value("page").as_deref())?;
            let __djinn_limit = i64::try_from(__djinn_page.len()).unwrap_or(i64::MAX);
            let __djinn_offset = i64::try_from(#offset).unwrap_or(i64::MAX);
        }
    }

    fn prologue(&self, has_queries: bool) -> TokenStream {
        let db = has_queries.then(
            || quote!(let __djinn_db = crate::__djinn::support::database(&__djinn_request)?;),
        );
        let clock = self
            .uses_clock()
            .then(|| quote!(let __djinn_now = crate::__djinn::support::now();));
        let params = self.params();
        quote! {
            #db
            #clock
            #params
        }
    }

    fn json(
        &mut self,
        list: bool,
        main: &CompiledQuery,
        paginate: Option<u32>,
        slice_start: u64,
        fields: &[FieldPath],
    ) -> TokenStream {
        let prologue = self.prologue(true);
        let to_json = self.json_fn(main.model, fields);
        if !list {
            let object = self.fetch_object(main);
            return quote! {
                #prologue
                #object
                ::core::result::Result::Ok(crate::__djinn::support::json_response(#to_json(&__djinn_object)))
            };
        }
        let page = paginate.map(|per_page| self.paginate(main, per_page, slice_start));
        let rows = self.run_query("rows", main, &internal(&["objects"]));
        let respond = if page.is_some() {
            quote!(crate::__djinn::support::json_page(
                &__djinn_request,
                &__djinn_page,
                &__djinn_items
            ))
        } else {
            quote!(crate::__djinn::support::json_array(&__djinn_items))
        };
        let release = page.is_none().then(|| quote!(let _ = &__djinn_request;));
        quote! {
            #prologue
            #page
            #rows
            let __djinn_items: ::std::vec::Vec<::std::string::String> =
                __djinn_objects.iter().map(#to_json).collect();
            #release
            ::core::result::Result::Ok(#respond)
        }
    }

    /// `fn(&Model) -> String`: the JSON object of one row, keys in `fields` order.
    fn json_fn(&mut self, model: ModelId, fields: &[FieldPath]) -> Ident {
        let name = internal(&["json", &self.view.name]);
        let ty = model_type(self.project, model);
        let entries = fields.iter().map(|path| {
            let key = self.project.path_text(path);
            let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
            let value = json_path(self.project, quote!(object), model, &steps);
            quote!((#key, #value))
        });
        self.items.items.push(quote! {
            fn #name(object: &#ty) -> ::std::string::String {
                crate::__djinn::support::json_object(&[#(#entries),*])
            }
        });
        name
    }

    fn page(&mut self, parts: PageParts<'_>, settings: &Settings) -> TokenStream {
        let PageParts {
            kind,
            main,
            paginate,
            slice_start,
            entries,
            context,
            write,
            success,
        } = parts;
        let has_queries = main.is_some()
            || write.is_some()
            || entries
                .iter()
                .any(|entry| matches!(entry.value, EntryValue::Query(_)));
        let prologue = self.prologue(has_queries);
        let mut steps = Vec::new();
        let mut fields = Vec::new();
        match (kind, main) {
            (Some(GenericKind::List), Some(main)) => {
                match paginate {
                    Some(per_page) => {
                        steps.push(self.paginate(main, per_page, slice_start));
                        fields.push(quote! {
                            page_obj: ::std::option::Option::Some(__djinn_page),
                            paginator: ::std::option::Option::Some(__djinn_paginator),
                            is_paginated: __djinn_page.has_other_pages(),
                        });
                    }
                    None => fields.push(quote! {
                        page_obj: ::std::option::Option::None,
                        paginator: ::std::option::Option::None,
                        is_paginated: false,
                    }),
                }
                let local = internal(&["object_list"]);
                steps.push(self.run_query("rows", main, &local));
                fields.push(quote!(object_list: #local,));
            }
            (Some(_), Some(main)) => {
                steps.push(self.fetch_object(main));
                fields.push(quote!(object: __djinn_object,));
            }
            _ => {}
        }
        if let Some(write) = write {
            let success = match success {
                Some(target) => self.success_url(target),
                None => quote!(::djinn_runtime::Response::redirect("/")),
            };
            let _ = settings;
            if write.kind == GenericKind::Delete {
                steps.push(self.delete_post(write, success));
            } else {
                steps.push(self.form_setup(write));
                steps.push(self.form_post(write, success));
                fields.push(quote!(form: __djinn_form,));
            }
        }
        for entry in entries {
            let local = entry_local(&entry.name);
            let member = ident(&entry.name);
            match &entry.value {
                EntryValue::Query(query) => {
                    let label = format!("ctx_{}", entry.name);
                    steps.push(self.run_query(&label, query, &local));
                }
                EntryValue::Value(value) => {
                    let (expr, ty) = typed_value(self.project, self.view, value);
                    steps.push(quote!(let #local: #ty = #expr;));
                }
            }
            fields.push(quote!(#member: #local,));
        }
        let render = plain(&format!("render_{}", super::names::snake(&self.view.name)));
        quote! {
            #prologue
            #(#steps)*
            let __djinn_context = crate::context::#context {
                #(#fields)*
            };
            let mut __djinn_out = ::std::string::String::new();
            crate::templates::#render(&__djinn_context, &__djinn_request, &mut __djinn_out)
                .map_err(::djinn_runtime::HttpError::internal)?;
            ::core::result::Result::Ok(::djinn_runtime::Response::html(__djinn_out))
        }
    }
}

/// A literal as a database `Value` for a column of `kind`.
pub(super) fn literal_value(literal: &LiteralKind, ty: &Type, kind: ScalarKind) -> TokenStream {
    let db = quote!(::djinn_runtime::db::Value);
    match literal {
        LiteralKind::None => quote!(#db::Null),
        LiteralKind::Bool(flag) => quote!(#db::Bool(#flag)),
        LiteralKind::Int(number) => match kind {
            ScalarKind::Float => {
                let float = *number as f64;
                quote!(#db::Float(#float))
            }
            ScalarKind::Decimal => {
                let text = number.to_string();
                quote!(#db::Decimal(::std::string::String::from(#text)))
            }
            ScalarKind::Json => {
                quote!(#db::Json(::djinn_runtime::serde_json::Value::from(#number)))
            }
            _ => quote!(#db::Int(#number)),
        },
        LiteralKind::Float(text) => match kind {
            ScalarKind::Decimal => {
                let canonical = canonical_decimal(text);
                quote!(#db::Decimal(::std::string::String::from(#canonical)))
            }
            _ => {
                let float: f64 = text.parse().unwrap_or_default();
                quote!(#db::Float(#float))
            }
        },
        LiteralKind::Str(text) => match (ty, kind) {
            (_, ScalarKind::Uuid) | (Type::Uuid, _) => {
                let value = uuid::Uuid::try_parse(text).map_or(0, |uuid| uuid.as_u128());
                quote!(#db::Uuid(::djinn_runtime::uuid::Uuid::from_u128(#value)))
            }
            (_, ScalarKind::Date) | (Type::Date, ScalarKind::Text) => {
                let date = text.parse::<jiff::civil::Date>().unwrap_or_default();
                let date = date_tokens(date);
                match kind {
                    ScalarKind::DateTime => quote! {
                        #db::DateTime(#date.to_datetime(::djinn_runtime::jiff::civil::Time::midnight()))
                    },
                    _ => quote!(#db::Date(#date)),
                }
            }
            (_, ScalarKind::DateTime) | (Type::DateTime, _) => {
                let datetime = parse_datetime(text);
                let tokens = datetime_tokens(datetime);
                quote!(#db::DateTime(#tokens))
            }
            (_, ScalarKind::Json) => {
                quote!(#db::Json(::djinn_runtime::serde_json::Value::String(::std::string::String::from(#text))))
            }
            _ => quote!(#db::Text(::std::string::String::from(#text))),
        },
    }
}

/// A datetime literal: local wall clock as written, or UTC for `…Z`/offsets.
fn parse_datetime(text: &str) -> jiff::civil::DateTime {
    match text.parse::<jiff::Timestamp>() {
        Ok(instant) => instant.to_zoned(jiff::tz::TimeZone::UTC).datetime(),
        Err(_) => text
            .parse::<jiff::civil::DateTime>()
            .or_else(|_| {
                text.parse::<jiff::civil::Date>()
                    .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
            })
            .unwrap_or_default(),
    }
}

fn date_tokens(date: jiff::civil::Date) -> TokenStream {
    let (year, month, day) = (date.year(), date.month(), date.day());
    quote!(::djinn_runtime::jiff::civil::date(#year, #month, #day))
}

fn datetime_tokens(datetime: jiff::civil::DateTime) -> TokenStream {
    let (year, month, day) = (datetime.year(), datetime.month(), datetime.day());
    let (hour, minute, second) = (datetime.hour(), datetime.minute(), datetime.second());
    let nanos = datetime.subsec_nanosecond();
    quote!(::djinn_runtime::jiff::civil::datetime(#year, #month, #day, #hour, #minute, #second, #nanos))
}

/// `1.50` → `1.5`, `-0.0` → `0`: the canonical text the runtime expects.
fn canonical_decimal(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let integer = integer.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let integer = if integer.is_empty() { "0" } else { integer };
    let mut out = String::new();
    if negative && (integer != "0" || !fraction.is_empty()) {
        out.push('-');
    }
    out.push_str(integer);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// The database `Value` at `steps` from `base` (a model object): a column,
/// a relation's key, or through a loaded relation (NULL when it is absent).
fn db_path(
    project: &Project,
    base: TokenStream,
    model: ModelId,
    steps: &[StepKind],
) -> TokenStream {
    let Some((&first, rest)) = steps.split_first() else {
        let key = key_member(project, model);
        let kind = ScalarKind::of_key(project, model);
        return db_value(kind, false, quote!(#base.#key));
    };
    match first {
        StepKind::Field(id) => {
            let field = project.field(id);
            match &field.ty {
                FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                    let target = relation.target;
                    let to_key = rest.is_empty()
                        || matches!(rest, [StepKind::Field(f)] if f.model == target && f.index == project.model(target).primary_key);
                    if to_key {
                        let column = ident(field.column.as_deref().unwrap_or_default());
                        let kind = ScalarKind::of_key(project, target);
                        return db_value(kind, field.null, quote!(#base.#column));
                    }
                    let member = ident(&field.name);
                    let inner = db_path(project, quote!(related), target, rest);
                    quote! {
                        match #base.#member.as_deref() {
                            ::std::option::Option::Some(related) => #inner,
                            ::std::option::Option::None => ::djinn_runtime::db::Value::Null,
                        }
                    }
                }
                FieldType::ManyToMany(_) => quote!(::djinn_runtime::db::Value::Null),
                other => {
                    let member = ident(&field.name);
                    let kind = ScalarKind::of_field(project, other);
                    db_value(kind, field.null, quote!(#base.#member))
                }
            }
        }
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            if reverse.kind == ReverseKind::Many {
                return quote!(::djinn_runtime::db::Value::Null);
            }
            let member = ident(&reverse.name);
            let inner = db_path(project, quote!(related), reverse.model, rest);
            quote! {
                match #base.#member.as_deref() {
                    ::std::option::Option::Some(related) => #inner,
                    ::std::option::Option::None => ::djinn_runtime::db::Value::Null,
                }
            }
        }
    }
}

/// The JSON value at `steps` from `base`: a column; a relation's key; a
/// list through a many relation (flattened through several).
fn json_path(
    project: &Project,
    base: TokenStream,
    model: ModelId,
    steps: &[StepKind],
) -> TokenStream {
    let json = quote!(::djinn_runtime::serde_json::Value);
    let Some((&first, rest)) = steps.split_first() else {
        let key = key_member(project, model);
        let kind = ScalarKind::of_key(project, model);
        return key_json(kind, quote!(#base.#key));
    };
    let crosses_many = |steps: &[StepKind]| steps.iter().any(|&s| project.step_is_many(s));
    let (target, member, many) = match first {
        StepKind::Field(id) => {
            let field = project.field(id);
            match &field.ty {
                FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                    let target = relation.target;
                    let to_key = rest.is_empty()
                        || matches!(rest, [StepKind::Field(f)] if f.model == target && f.index == project.model(target).primary_key);
                    if to_key {
                        let column = ident(field.column.as_deref().unwrap_or_default());
                        let kind = ScalarKind::of_key(project, target);
                        return json_value(kind, field.null, quote!(#base.#column), &field.ty);
                    }
                    (target, ident(&field.name), false)
                }
                FieldType::ManyToMany(relation) => (relation.target, ident(&field.name), true),
                other => {
                    let member = ident(&field.name);
                    let kind = ScalarKind::of_field(project, other);
                    return json_value(kind, field.null, quote!(#base.#member), other);
                }
            }
        }
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            (
                reverse.model,
                ident(&reverse.name),
                reverse.kind == ReverseKind::Many,
            )
        }
    };
    let inner = json_path(project, quote!(related), target, rest);
    if many {
        if crosses_many(rest) {
            quote! {
                #json::Array(
                    #base.#member
                        .iter()
                        .flat_map(|related| crate::__djinn::support::json_items(#inner))
                        .collect(),
                )
            }
        } else {
            quote!(#json::Array(#base.#member.iter().map(|related| #inner).collect()))
        }
    } else {
        quote! {
            match #base.#member.as_deref() {
                ::std::option::Option::Some(related) => #inner,
                ::std::option::Option::None => #json::Null,
            }
        }
    }
}

/// A context entry's plain value and its Rust type.
pub(super) fn typed_value(
    project: &Project,
    view: &View,
    value: &Value,
) -> (TokenStream, TokenStream) {
    match &value.kind {
        ValueKind::Literal(literal) => match (literal, &value.ty) {
            (LiteralKind::None, _) => (
                quote!(::std::option::Option::None),
                quote!(::std::option::Option<()>),
            ),
            (LiteralKind::Bool(flag), _) => (quote!(#flag), quote!(bool)),
            (LiteralKind::Int(number), Type::Float) => {
                let float = *number as f64;
                (quote!(#float), quote!(f64))
            }
            (LiteralKind::Int(number), Type::Decimal) => {
                let text = number.to_string();
                (
                    quote!(::std::string::String::from(#text)),
                    quote!(::std::string::String),
                )
            }
            (LiteralKind::Float(text), Type::Decimal) => {
                let text = canonical_decimal(text);
                (
                    quote!(::std::string::String::from(#text)),
                    quote!(::std::string::String),
                )
            }
            (LiteralKind::Int(number), _) => (quote!(#number), quote!(i64)),
            (LiteralKind::Float(text), _) => {
                let float: f64 = text.parse().unwrap_or_default();
                (quote!(#float), quote!(f64))
            }
            (LiteralKind::Str(text), Type::Date) => {
                let date = date_tokens(text.parse().unwrap_or_default());
                (date, quote!(::djinn_runtime::jiff::civil::Date))
            }
            (LiteralKind::Str(text), Type::DateTime) => (
                datetime_tokens(parse_datetime(text)),
                quote!(::djinn_runtime::jiff::civil::DateTime),
            ),
            (LiteralKind::Str(text), Type::Uuid) => {
                let value = uuid::Uuid::try_parse(text).map_or(0, |uuid| uuid.as_u128());
                (
                    quote!(::djinn_runtime::uuid::Uuid::from_u128(#value)),
                    quote!(::djinn_runtime::uuid::Uuid),
                )
            }
            (LiteralKind::Str(text), _) => (
                quote!(::std::string::String::from(#text)),
                quote!(::std::string::String),
            ),
        },
        ValueKind::Choice { key, .. } => (
            quote!(::std::string::String::from(#key)),
            quote!(::std::string::String),
        ),
        ValueKind::Param { name, .. } => {
            let local = param_local(name);
            match value.ty {
                Type::Int => (quote!(#local), quote!(i64)),
                Type::Uuid => (quote!(#local), quote!(::djinn_runtime::uuid::Uuid)),
                _ => (quote!(#local.clone()), quote!(::std::string::String)),
            }
        }
        ValueKind::Now => (
            quote!(__djinn_now),
            quote!(::djinn_runtime::jiff::civil::DateTime),
        ),
        ValueKind::Today => (
            quote!(__djinn_now.date()),
            quote!(::djinn_runtime::jiff::civil::Date),
        ),
        ValueKind::Object(path) => {
            let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
            let (expr, ty, optional) =
                typed_path(project, quote!(__djinn_object), path.model, &steps);
            if optional {
                (expr, quote!(::std::option::Option<#ty>))
            } else {
                (expr, ty)
            }
        }
        ValueKind::Context { name, path } => {
            let local = entry_local(name);
            let entry = view.context.iter().find(|entry| entry.name == *name);
            let model = entry.and_then(|entry| match entry.ty.strip_optional() {
                Type::Object(model) => Some(*model),
                _ => None,
            });
            match (model, path) {
                (Some(model), Some(path)) => {
                    let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
                    let (inner, ty, optional) = typed_path(project, quote!(object), model, &steps);
                    let expr = if optional {
                        quote!(#local.as_ref().and_then(|object| #inner))
                    } else {
                        quote!(#local.as_ref().map(|object| #inner))
                    };
                    (expr, quote!(::std::option::Option<#ty>))
                }
                _ => {
                    let ty = entry.map_or_else(|| quote!(()), |entry| ir_type(project, &entry.ty));
                    (quote!(#local.clone()), ty)
                }
            }
        }
        ValueKind::List(_) | ValueKind::Column(_) => (quote!(()), quote!(())),
    }
}

/// The value at `steps` from `base`, owned: `(expression, type, whether the
/// expression is an `Option` of the type)`.
fn typed_path(
    project: &Project,
    base: TokenStream,
    model: ModelId,
    steps: &[StepKind],
) -> (TokenStream, TokenStream, bool) {
    let Some((&first, rest)) = steps.split_first() else {
        return (quote!(#base.clone()), model_type(project, model), false);
    };
    let (target, member, many) = match first {
        StepKind::Field(id) => {
            let field = project.field(id);
            match &field.ty {
                FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                    (relation.target, ident(&field.name), false)
                }
                FieldType::ManyToMany(relation) => (relation.target, ident(&field.name), true),
                other => {
                    let member = ident(&field.name);
                    let kind = ScalarKind::of_field(project, other);
                    let ty = scalar_type(kind);
                    let expr = if is_copy(kind) {
                        quote!(#base.#member)
                    } else {
                        quote!(#base.#member.clone())
                    };
                    return (expr, ty, field.null);
                }
            }
        }
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            (
                reverse.model,
                ident(&reverse.name),
                reverse.kind == ReverseKind::Many,
            )
        }
    };
    if many {
        let ty = model_type(project, target);
        return (
            quote!(#base.#member.clone()),
            quote!(::std::vec::Vec<#ty>),
            false,
        );
    }
    if rest.is_empty() {
        let ty = model_type(project, target);
        return (quote!(#base.#member.as_deref().cloned()), ty, true);
    }
    let (inner, ty, optional) = typed_path(project, quote!(related), target, rest);
    let expr = if optional {
        quote!(#base.#member.as_deref().and_then(|related| #inner))
    } else {
        quote!(#base.#member.as_deref().map(|related| #inner))
    };
    (expr, ty, true)
}

/// The Rust type of an IR type.
pub(super) fn ir_type(project: &Project, ty: &Type) -> TokenStream {
    match ty {
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Decimal | Type::Str => quote!(::std::string::String),
        Type::Bool => quote!(bool),
        Type::Uuid => quote!(::djinn_runtime::uuid::Uuid),
        Type::Date => quote!(::djinn_runtime::jiff::civil::Date),
        Type::DateTime => quote!(::djinn_runtime::jiff::civil::DateTime),
        Type::Json => quote!(::djinn_runtime::serde_json::Value),
        Type::Null => quote!(::std::option::Option<()>),
        Type::Object(model) => model_type(project, *model),
        Type::Optional(inner) => {
            let inner = ir_type(project, inner);
            quote!(::std::option::Option<#inner>)
        }
        Type::List(inner) => {
            let inner = ir_type(project, inner);
            quote!(::std::vec::Vec<#inner>)
        }
    }
}

/// The Rust type of a context entry, as the context struct declares it.
pub(super) fn entry_type(project: &Project, view: &View, entry: &EntryPlan) -> TokenStream {
    match &entry.value {
        EntryValue::Query(query) => {
            let model = model_type(project, query.model);
            match query.shape {
                Shape::Many => quote!(::std::vec::Vec<#model>),
                Shape::One | Shape::Optional => quote!(::std::option::Option<#model>),
                Shape::Count => quote!(i64),
                Shape::Bool => quote!(bool),
            }
        }
        EntryValue::Value(value) => typed_value(project, view, value).1,
    }
}
