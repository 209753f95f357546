//! Create, update and delete views, HTML and JSON: the form, the writes
//! and the SQL they run.
//!
//! Input: a generic view that changes data. Output: [`WritePlan`] at
//! planning time, then the tokens of the view's POST (or PUT, PATCH,
//! DELETE) handling, which the page or JSON body around it calls.
//!
//! What happens on a valid submission, as Django's generic editing views
//! do it: the form (`djinn_runtime::forms`) parses and cleans the data,
//! `unique` fields and `unique (…)` constraints are checked against the
//! database and reported as form errors, then the row and its
//! many-to-many links are written in one transaction, `auto_now` and
//! `auto_now_add` fields take the time, and defaults fill fields the form
//! does not show. The row is read back by its key for the success URL or
//! the JSON answer. Deleting relies on the foreign keys' `ON DELETE`
//! actions, which the schema declares from `on_delete`; a `protect` or
//! `restrict` relation makes the database refuse, answered with 409.

use super::{ViewCx, param_local};
use crate::check::ir::{
    Condition, FieldId, FieldPath, FieldType, GenericKind, Model, ModelId, Operand, Project, Query,
    Shape, Signal, Step, StepKind, Value, ValueKind, View,
};
use crate::sql::{self, CompiledQuery, Dialect, FetchPlan, QueryPurpose, ScalarKind, Statement};
use crate::syntax::ast::LookupOp;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The name of the URL parameter local that holds a new or edited row's key.
const SAVED_KEY: &str = "__saved";

/// What a create, update or delete view writes.
pub(in crate::codegen) struct WritePlan {
    /// Which generic view.
    pub(in crate::codegen) kind: GenericKind,
    /// The model written.
    pub(in crate::codegen) model: ModelId,
    /// The form's fields (create, update), as indexes into the model's fields.
    pub(in crate::codegen) fields: Vec<u32>,
    /// The row read back after the write, with what the success URL or the
    /// JSON answer reads of it; `None` when nothing reads it.
    pub(in crate::codegen) saved: Option<CompiledQuery>,
}

/// Plans the writes of a create, update or delete view.
pub(in crate::codegen) fn plan_write(
    project: &Project,
    view: &View,
    kind: GenericKind,
    json: bool,
    model: ModelId,
    fields: &[FieldPath],
    success: Option<&crate::check::ir::UrlTarget>,
) -> WritePlan {
    let field_indexes: Vec<u32> = match kind {
        GenericKind::Delete => Vec::new(),
        _ => fields
            .iter()
            .filter_map(|path| match path.steps.as_slice() {
                [
                    Step {
                        kind: StepKind::Field(id),
                        ..
                    },
                ] if id.model == model => Some(id.index),
                _ => None,
            })
            .collect(),
    };
    let mut plan = FetchPlan::new();
    let mut reads_object = false;
    if json && kind != GenericKind::Delete {
        reads_object = true;
        for path in fields {
            plan.add_path(project, path, false);
        }
    }
    if let Some(crate::check::ir::UrlTarget::Route { args, .. }) = success
        && kind != GenericKind::Delete
    {
        for arg in args {
            if let ValueKind::Object(path) = &arg.value.kind {
                reads_object = true;
                plan.add_path(project, path, false);
            }
        }
    }
    let saved = reads_object.then(|| {
        let query = by_key(project, model, view);
        sql::compile_query(project, &query, &plan, &view.context, QueryPurpose::Get)
    });
    WritePlan {
        kind,
        model,
        fields: field_indexes,
        saved,
    }
}

/// The statements the form costs before any write: the choices of each
/// relation field and, for an update, each many-to-many field's links.
pub(in crate::codegen) fn form_statements(project: &Project, plan: &WritePlan) -> usize {
    let model = project.model(plan.model);
    plan.fields
        .iter()
        .map(|&index| match &model.fields[index as usize].ty {
            FieldType::ManyToMany(_) if plan.kind == GenericKind::Update => 2,
            ty if ty.target().is_some() => 1,
            _ => 0,
        })
        .sum()
}

/// `Model.filter(pk == <saved key>)`.
fn by_key(project: &Project, model: ModelId, view: &View) -> Query {
    let span = view.span;
    let pk = project.model(model).primary_key;
    let path = FieldPath {
        model,
        steps: vec![Step {
            kind: StepKind::Field(FieldId { model, index: pk }),
            span,
        }],
        span,
    };
    let key_type = project.model(model).pk().ty.value_type();
    Query {
        model,
        filters: vec![crate::check::ir::Filter {
            exclude: false,
            condition: Condition::Lookup(crate::check::ir::Lookup {
                operand: Operand {
                    path,
                    function: None,
                    span,
                },
                op: LookupOp::Eq,
                value: Some(Value {
                    kind: ValueKind::Param {
                        name: SAVED_KEY.to_string(),
                        index: u32::MAX,
                    },
                    ty: key_type,
                    span,
                }),
                span,
            }),
            span,
        }],
        order_by: None,
        slice: None,
        terminal: None,
        shape: Shape::Many,
        span,
    }
}

/// A statement without bound-value bookkeeping (the write code binds by hand).
fn statement(text: impl Fn(Dialect) -> String) -> Statement {
    Statement {
        sqlite: text(Dialect::Sqlite),
        postgres: text(Dialect::Postgres),
        params: Vec::new(),
    }
}

fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => format!("?{n}"),
        Dialect::Postgres => format!("${n}"),
    }
}

/// Django's `capfirst`.
fn capfirst(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The form field of a model field.
pub(in crate::codegen) fn field_spec(model: &Model, index: u32) -> TokenStream {
    let forms = quote!(::djinn_runtime::forms);
    let field = &model.fields[index as usize];
    let name = &field.name;
    let label = capfirst(&field.verbose_name);
    let help = field.help.clone().unwrap_or_default();
    let required = !field.blank && !matches!(field.ty, FieldType::Bool);
    let max = |max: &u32| quote!(::core::option::Option::Some(#max));
    let kind = match &field.ty {
        FieldType::String { max: m } => {
            let m = max(m);
            quote!(#forms::FieldKind::Text { max_length: #m })
        }
        FieldType::Text => quote!(#forms::FieldKind::Textarea),
        FieldType::Slug { max: m } => {
            let m = max(m);
            quote!(#forms::FieldKind::Slug { max_length: #m })
        }
        FieldType::Email { max: m } => {
            let m = max(m);
            quote!(#forms::FieldKind::Email { max_length: #m })
        }
        FieldType::Url { max: m } => {
            let m = max(m);
            quote!(#forms::FieldKind::Url { max_length: #m })
        }
        FieldType::Int => quote!(#forms::FieldKind::Integer {
            min: ::core::option::Option::Some(-2_147_483_648),
            max: ::core::option::Option::Some(2_147_483_647),
        }),
        FieldType::AutoId | FieldType::BigInt => quote!(#forms::FieldKind::Integer {
            min: ::core::option::Option::Some(i64::MIN),
            max: ::core::option::Option::Some(i64::MAX),
        }),
        FieldType::Float => quote!(#forms::FieldKind::Float),
        FieldType::Decimal { digits, places } => quote!(#forms::FieldKind::Decimal {
            max_digits: #digits,
            decimal_places: #places,
        }),
        FieldType::Bool => quote!(#forms::FieldKind::Boolean),
        FieldType::Date => quote!(#forms::FieldKind::Date),
        FieldType::DateTime => quote!(#forms::FieldKind::DateTime),
        FieldType::Uuid => quote!(#forms::FieldKind::Uuid),
        FieldType::Json => quote!(#forms::FieldKind::Json),
        FieldType::Choice { choices, .. } => {
            let pairs = choices.iter().map(|choice| {
                let key = &choice.key;
                let label = &choice.label;
                quote!((#key, #label))
            });
            quote!(#forms::FieldKind::Choice { choices: &[#(#pairs),*] })
        }
        FieldType::ForeignKey(_) | FieldType::OneToOne(_) => quote!(#forms::FieldKind::ForeignKey),
        FieldType::ManyToMany(_) => quote!(#forms::FieldKind::ManyToMany),
    };
    quote! {
        #forms::FieldSpec {
            name: #name,
            label: #label,
            help_text: #help,
            required: #required,
            kind: #kind,
        }
    }
}

impl ViewCx<'_, '_> {
    /// The `static` form spec of the view; returns its name.
    fn form_spec(&mut self, plan: &WritePlan) -> Ident {
        let model = self.project.model(plan.model);
        let name = super::plain(&format!(
            "__DJINN_FORM_{}",
            super::super::names::upper(&self.view.name)
        ));
        let fields = plan.fields.iter().map(|&index| field_spec(model, index));
        let verbose = &model.verbose_name;
        self.items.items.push(quote! {
            static #name: ::djinn_runtime::forms::FormSpec = ::djinn_runtime::forms::FormSpec {
                model_verbose_name: #verbose,
                fields: &[#(#fields),*],
            };
        });
        name
    }

    /// A raw statement as a `const`; returns its name.
    fn write_sql(&mut self, label: &str, text: impl Fn(Dialect) -> String) -> Ident {
        let view = self.view.name.clone();
        self.items.sql(&view, label, &statement(text))
    }

    /// `let mut __djinn_form = …;` with its initial values and the choices
    /// of its relation fields.
    pub(super) fn form_setup(&mut self, plan: &WritePlan) -> TokenStream {
        let spec = self.form_spec(plan);
        let project = self.project;
        let model = project.model(plan.model);
        let mut initial = Vec::new();
        let mut choices = Vec::new();
        for &index in &plan.fields {
            let field = &model.fields[index as usize];
            let name = &field.name;
            if let Some(default) = &field.default {
                let kind = ScalarKind::of_field(project, &field.ty);
                let value = self.value(default, kind);
                initial.push(quote!(__djinn_form = __djinn_form.with_default(#name, #value);));
            }
            match (&field.ty, plan.kind) {
                (FieldType::ManyToMany(relation), GenericKind::Update) => {
                    let (source, target) = sql::join_columns(project, plan.model, relation.target);
                    let select = self.write_sql(&format!("initial_{name}"), |d| {
                        format!(
                            "SELECT {} FROM {} WHERE {} = {} ORDER BY {}",
                            sql::quote(&target),
                            sql::quote(&relation.table),
                            sql::quote(&source),
                            placeholder(d, 1),
                            sql::quote(&target),
                        )
                    });
                    let key = self.object_key(plan.model);
                    initial.push(quote! {
                        let __djinn_linked = ::djinn_runtime::views::first_column(
                            &__djinn_db.query(&#select, &[#key]).await?,
                        )?;
                        __djinn_form = __djinn_form.with_initial_many(#name, __djinn_linked);
                    });
                }
                (_, GenericKind::Update) => {
                    let value = self.object_field(plan.model, index);
                    initial.push(quote!(__djinn_form = __djinn_form.with_initial(#name, #value);));
                }
                (_, _) => {}
            }
            if let Some(target) = field.ty.target() {
                let target_model = project.model(target);
                let columns = sql::model_columns(project, target);
                let table = sql::quote(&target_model.table);
                let order = target_model
                    .ordering
                    .iter()
                    .filter_map(|order| {
                        let [step] = order.path.steps.as_slice() else {
                            return None;
                        };
                        let StepKind::Field(id) = step.kind else {
                            return None;
                        };
                        let field = target_model.fields.get(id.index as usize)?;
                        let column = field.column.as_deref()?;
                        Some(format!(
                            "{}{}",
                            sql::quote(column),
                            if order.descending { " DESC" } else { "" }
                        ))
                    })
                    .collect::<Vec<_>>();
                let pk_column = target_model.pk().column.clone().unwrap_or_default();
                let order = if order.is_empty() {
                    sql::quote(&pk_column)
                } else {
                    order.join(", ")
                };
                let column_list = columns
                    .iter()
                    .filter_map(|id| {
                        project.model(id.model).fields[id.index as usize]
                            .column
                            .as_deref()
                    })
                    .map(sql::quote)
                    .collect::<Vec<_>>()
                    .join(", ");
                let select = self.write_sql(&format!("choices_{name}"), |_| {
                    format!("SELECT {column_list} FROM {table} ORDER BY {order}")
                });
                let ty = super::model_type(project, target);
                let key = super::key_member(project, target);
                choices.push(quote! {
                    let __djinn_rows = __djinn_db.query(&#select, &[]).await?;
                    let mut __djinn_options = ::std::vec::Vec::with_capacity(__djinn_rows.len());
                    for __djinn_row in &__djinn_rows {
                        let __djinn_choice = #ty::__djinn_decode(__djinn_row, 0)?;
                        __djinn_options.push((
                            ::std::string::ToString::to_string(&__djinn_choice.#key),
                            ::std::string::ToString::to_string(&__djinn_choice),
                        ));
                    }
                    __djinn_form.set_choices(#name, __djinn_options);
                });
            }
        }
        quote! {
            let __djinn_now = crate::__djinn::support::now();
            let mut __djinn_form = ::djinn_runtime::forms::Form::new(&#spec);
            #(#initial)*
            #(#choices)*
        }
    }

    /// The key of the view's object (update, delete) as a database value.
    fn object_key(&self, model: ModelId) -> TokenStream {
        let key = super::key_member(self.project, model);
        let kind = ScalarKind::of_key(self.project, model);
        super::db_value(kind, false, quote!(__djinn_object.#key))
    }

    /// A field of the view's object as a database value (a relation: its key).
    fn object_field(&self, model: ModelId, index: u32) -> TokenStream {
        let steps = [StepKind::Field(FieldId { model, index })];
        super::db_path(self.project, quote!(__djinn_object), model, &steps)
    }

    /// Validates the form, then checks its `unique` fields and `unique (…)`
    /// constraints against the database; adds Django's errors.
    fn unique_checks(&mut self, plan: &WritePlan) -> TokenStream {
        let project = self.project;
        let model = project.model(plan.model);
        let table = sql::quote(&model.table);
        let pk_column = model.pk().column.clone().unwrap_or_default();
        let update = plan.kind == GenericKind::Update;
        let verbose = capfirst(&model.verbose_name);
        let mut checks = Vec::new();
        let mut groups: Vec<(Vec<u32>, bool)> = Vec::new();
        for &index in &plan.fields {
            let field = &model.fields[index as usize];
            if field.unique && !field.primary_key && field.column.is_some() {
                groups.push((vec![index], true));
            }
        }
        for unique in &model.unique_together {
            let indexes: Vec<u32> = unique.fields.iter().map(|id| id.index).collect();
            if indexes.iter().all(|index| plan.fields.contains(index)) {
                groups.push((indexes, false));
            }
        }
        for (number, (indexes, single)) in groups.into_iter().enumerate() {
            let columns: Vec<String> = indexes
                .iter()
                .filter_map(|&index| model.fields[index as usize].column.clone())
                .collect();
            let names: Vec<&str> = indexes
                .iter()
                .map(|&index| model.fields[index as usize].name.as_str())
                .collect();
            let labels: Vec<String> = indexes
                .iter()
                .map(|&index| capfirst(&model.fields[index as usize].verbose_name))
                .collect();
            let message = format!("{verbose} with this {} already exists.", join_and(&labels));
            let count = columns.len();
            let select = self.write_sql(&format!("unique_{number}"), |d| {
                let mut conditions: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        format!("{} = {}", sql::quote(column), placeholder(d, i + 1))
                    })
                    .collect();
                if update {
                    conditions.push(format!(
                        "{} <> {}",
                        sql::quote(&pk_column),
                        placeholder(d, count + 1)
                    ));
                }
                format!(
                    "SELECT 1 FROM {table} WHERE {} LIMIT 1",
                    conditions.join(" AND ")
                )
            });
            let binds = if update {
                let key = self.object_key(plan.model);
                quote! {
                    let mut __djinn_binds = __djinn_values;
                    __djinn_binds.push(#key);
                }
            } else {
                quote!(let __djinn_binds = __djinn_values;)
            };
            let target = if single {
                let name = names[0];
                quote!(::core::option::Option::Some(#name))
            } else {
                quote!(::core::option::Option::None)
            };
            checks.push(quote! {
                if __djinn_valid
                    && let ::core::option::Option::Some(__djinn_values) =
                        ::djinn_runtime::views::unique_values(&__djinn_form, &[#(#names),*])
                {
                    #binds
                    let __djinn_taken = !__djinn_db.query(&#select, &__djinn_binds).await?.is_empty();
                    if __djinn_taken {
                        __djinn_form.add_error(#target, #message);
                    }
                }
            });
        }
        // Django's order: the fields' own validation, then uniqueness
        // against the database for the values that passed it.
        if checks.is_empty() {
            return quote!(__djinn_form.validate(););
        }
        quote! {
            let __djinn_valid = __djinn_form.validate();
            #(#checks)*
        }
    }

    /// Validation, then the transaction that writes the row; leaves the
    /// saved row's key in `__djinn_p___saved` and, when planned, the row
    /// read back in `__djinn_saved`. Runs only for a valid form.
    fn save(&mut self, plan: &WritePlan) -> TokenStream {
        let project = self.project;
        let model = project.model(plan.model);
        let table = sql::quote(&model.table);
        let pk = model.pk();
        let pk_column = pk.column.clone().unwrap_or_default();
        let create = plan.kind == GenericKind::Create;
        // Columns written and the value of each.
        let mut columns = Vec::new();
        let mut values = Vec::new();
        for (index, field) in model.fields.iter().enumerate() {
            let index = index as u32;
            let Some(column) = field.column.clone() else {
                continue;
            };
            if field.primary_key && matches!(field.ty, FieldType::AutoId) {
                continue;
            }
            let kind = ScalarKind::of_field(project, &field.ty);
            let name = &field.name;
            let value = if plan.fields.contains(&index) && !create {
                let current = self.object_field(plan.model, index);
                let nullable = field.null;
                quote!(::djinn_runtime::views::cleaned_or_current(&__djinn_form, #name, #current, #nullable))
            } else if plan.fields.contains(&index) && field.null {
                quote!(::djinn_runtime::views::cleaned_or_null(&__djinn_form, #name))
            } else if plan.fields.contains(&index) {
                quote!(::djinn_runtime::views::cleaned(&__djinn_form, #name))
            } else if field.auto_now || (field.auto_now_add && create) {
                match kind {
                    ScalarKind::Date => {
                        quote!(::djinn_runtime::db::Value::Date(__djinn_now.date()))
                    }
                    _ => quote!(::djinn_runtime::db::Value::DateTime(__djinn_now)),
                }
            } else if !create {
                continue;
            } else if let Some(default) = &field.default {
                self.value(default, kind)
            } else if field.null {
                quote!(::djinn_runtime::db::Value::Null)
            } else {
                continue;
            };
            columns.push(column);
            values.push(value);
        }
        let count = columns.len();
        let write = if create {
            let list = columns
                .iter()
                .map(|c| sql::quote(c))
                .collect::<Vec<_>>()
                .join(", ");
            let insert = self.write_sql("insert", |d| {
                let marks = (1..=count)
                    .map(|n| placeholder(d, n))
                    .collect::<Vec<_>>()
                    .join(", ");
                if count == 0 {
                    format!(
                        "INSERT INTO {table} DEFAULT VALUES RETURNING {}",
                        sql::quote(&pk_column)
                    )
                } else {
                    format!(
                        "INSERT INTO {table} ({list}) VALUES ({marks}) RETURNING {}",
                        sql::quote(&pk_column)
                    )
                }
            });
            quote! {
                let __djinn_key = __djinn_tx
                    .insert_returning_id(&#insert, &[#(#values),*])
                    .await
                    ?;
                let __djinn_key_value = ::djinn_runtime::db::Value::Int(__djinn_key);
            }
        } else {
            let key = self.object_key(plan.model);
            if count == 0 {
                quote!(let __djinn_key_value = #key;)
            } else {
                let update = self.write_sql("update", |d| {
                    let sets = columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{} = {}", sql::quote(c), placeholder(d, i + 1)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "UPDATE {table} SET {sets} WHERE {} = {}",
                        sql::quote(&pk_column),
                        placeholder(d, count + 1)
                    )
                });
                quote! {
                    let __djinn_key_value = #key;
                    __djinn_tx
                        .execute(&#update, &[#(#values,)* __djinn_key_value.clone()])
                        .await
                        ?;
                }
            }
        };
        let mut links = Vec::new();
        for &index in &plan.fields {
            let field = &model.fields[index as usize];
            let FieldType::ManyToMany(relation) = &field.ty else {
                continue;
            };
            let name = &field.name;
            let (source, target) = sql::join_columns(project, plan.model, relation.target);
            let join = sql::quote(&relation.table);
            let clear = (!create).then(|| {
                let delete = self.write_sql(&format!("unlink_{name}"), |d| {
                    format!(
                        "DELETE FROM {join} WHERE {} = {}",
                        sql::quote(&source),
                        placeholder(d, 1)
                    )
                });
                quote! {
                    __djinn_tx
                        .execute(&#delete, ::std::slice::from_ref(&__djinn_key_value))
                        .await
                        ?;
                }
            });
            let insert = self.write_sql(&format!("link_{name}"), |d| {
                format!(
                    "INSERT INTO {join} ({}, {}) VALUES ({}, {})",
                    sql::quote(&source),
                    sql::quote(&target),
                    placeholder(d, 1),
                    placeholder(d, 2)
                )
            });
            links.push(quote! {
                if ::djinn_runtime::views::was_sent(&__djinn_form, #name) {
                    #clear
                    for __djinn_linked in ::djinn_runtime::views::cleaned_many(&__djinn_form, #name) {
                        __djinn_tx
                            .execute(&#insert, &[__djinn_key_value.clone(), __djinn_linked])
                            .await?;
                    }
                }
            });
        }
        let hooks = self.save_hooks(plan);
        quote! {
            let __djinn_written: ::core::result::Result<
                ::djinn_runtime::db::Value,
                ::djinn_runtime::views::WriteError,
            > = async {
                let mut __djinn_tx = __djinn_db.begin().await?;
                #write
                #(#links)*
                #hooks
                __djinn_tx.commit().await?;
                ::core::result::Result::Ok(__djinn_key_value)
            }
            .await;
        }
    }

    /// `pre_save` and `post_save` hooks: the row as written, read in the
    /// transaction, then each hook; an error rolls the transaction back.
    fn save_hooks(&mut self, plan: &WritePlan) -> TokenStream {
        let project = self.project;
        let object = quote!(__djinn_hooked);
        let mut calls = hook_calls(project, plan.model, Signal::PreSave, object.clone());
        calls.extend(hook_calls(project, plan.model, Signal::PostSave, object));
        if calls.is_empty() {
            return quote!();
        }
        let model = project.model(plan.model);
        let columns = sql::model_columns(project, plan.model)
            .iter()
            .filter_map(|id| {
                project.model(id.model).fields[id.index as usize]
                    .column
                    .as_deref()
            })
            .map(sql::quote)
            .collect::<Vec<_>>()
            .join(", ");
        let table = sql::quote(&model.table);
        let pk_column = model.pk().column.clone().unwrap_or_default();
        let select = self.write_sql("hooked", |d| {
            format!(
                "SELECT {columns} FROM {table} WHERE {} = {}",
                sql::quote(&pk_column),
                placeholder(d, 1)
            )
        });
        let ty = super::model_type(project, plan.model);
        quote! {
            let __djinn_row = __djinn_tx
                .query_one(&#select, ::std::slice::from_ref(&__djinn_key_value))
                .await?;
            let __djinn_hooked = #ty::__djinn_decode(&__djinn_row, 0)?;
            #(#calls)*
        }
    }

    /// Reads the saved row back by its key, into `__djinn_object`.
    fn read_back(&mut self, plan: &WritePlan) -> TokenStream {
        let Some(saved) = &plan.saved else {
            return quote!();
        };
        let local = param_local(SAVED_KEY);
        let key_kind = ScalarKind::of_key(self.project, plan.model);
        let key = match key_kind {
            ScalarKind::Int | ScalarKind::Int32 => {
                quote!(let #local: i64 = ::djinn_runtime::views::value_int(&__djinn_key_value);)
            }
            ScalarKind::Uuid => quote! {
                let #local = match &__djinn_key_value {
                    ::djinn_runtime::db::Value::Uuid(uuid) => *uuid,
                    _ => ::djinn_runtime::uuid::Uuid::nil(),
                };
            },
            _ => quote!(let #local = crate::__djinn::support::value_text(&__djinn_key_value);),
        };
        let fetch = self.fetch_object_as(saved, "saved");
        quote! {
            #key
            #fetch
        }
    }

    /// The POST handling of an HTML create or update view: on a valid
    /// form, the write and the redirect; otherwise the form, with its
    /// errors, falls through to the page.
    pub(super) fn form_post(&mut self, plan: &WritePlan, success: TokenStream) -> TokenStream {
        let unique = self.unique_checks(plan);
        let save = self.save(plan);
        let read_back = self.read_back(plan);
        quote! {
            if __djinn_request.method() == ::djinn_runtime::http::Method::POST {
                __djinn_form.bind(::djinn_runtime::forms::FormData::from_request(&__djinn_request)?);
                #unique
                if __djinn_form.is_valid() {
                    #save
                    match __djinn_written {
                        ::core::result::Result::Ok(__djinn_key_value) => {
                            #read_back
                            return ::core::result::Result::Ok(#success);
                        }
                        ::core::result::Result::Err(__djinn_error) => {
                            ::djinn_runtime::views::form_write_error(&mut __djinn_form, __djinn_error)?;
                        }
                    }
                }
            }
        }
    }

    /// The POST handling of an HTML delete view.
    pub(super) fn delete_post(&mut self, plan: &WritePlan, success: TokenStream) -> TokenStream {
        let delete = self.delete_statement(plan);
        quote! {
            if __djinn_request.method() == ::djinn_runtime::http::Method::POST {
                #delete
                return ::core::result::Result::Ok(#success);
            }
        }
    }

    fn delete_statement(&mut self, plan: &WritePlan) -> TokenStream {
        let model = self.project.model(plan.model);
        let table = sql::quote(&model.table);
        let pk_column = model.pk().column.clone().unwrap_or_default();
        let delete = self.write_sql("delete", |d| {
            format!(
                "DELETE FROM {table} WHERE {} = {}",
                sql::quote(&pk_column),
                placeholder(d, 1)
            )
        });
        let key = self.object_key(plan.model);
        let what = &model.verbose_name;
        let project = self.project;
        let before = hook_calls(
            project,
            plan.model,
            Signal::PreDelete,
            quote!(__djinn_object),
        );
        let after = hook_calls(
            project,
            plan.model,
            Signal::PostDelete,
            quote!(__djinn_object),
        );
        quote! {
            let mut __djinn_tx = __djinn_db.begin().await?;
            #(#before)*
            __djinn_tx
                .execute(&#delete, &[#key])
                .await
                .map_err(|error| ::djinn_runtime::views::delete_error(error, #what))?;
            #(#after)*
            __djinn_tx
                .commit()
                .await
                .map_err(|error| ::djinn_runtime::views::delete_error(error, #what))?;
        }
    }

    /// The whole body of a JSON create, update or delete view.
    pub(super) fn json_write(
        &mut self,
        plan: &WritePlan,
        main: Option<&CompiledQuery>,
        fields: &[FieldPath],
    ) -> TokenStream {
        let prologue = self.prologue(true);
        let object = main.map(|main| self.fetch_object(main));
        if plan.kind == GenericKind::Delete {
            let delete = self.delete_statement(plan);
            return quote! {
                #prologue
                #object
                #delete
                ::core::result::Result::Ok(::djinn_runtime::views::no_content())
            };
        }
        let form = self.form_setup(plan);
        let unique = self.unique_checks(plan);
        let save = self.save(plan);
        let read_back = self.read_back(plan);
        let to_json = self.json_fn(plan.model, fields);
        let status = if plan.kind == GenericKind::Create {
            quote!(::djinn_runtime::http::StatusCode::CREATED)
        } else {
            quote!(::djinn_runtime::http::StatusCode::OK)
        };
        let partial = if plan.kind == GenericKind::Update {
            quote!(__djinn_request.method() == ::djinn_runtime::http::Method::PATCH)
        } else {
            quote!(false)
        };
        quote! {
            #prologue
            #object
            #form
            let __djinn_body = ::djinn_runtime::views::json_body(&__djinn_request)?;
            __djinn_form.bind_json(&__djinn_body, #partial)?;
            #unique
            if !__djinn_form.is_valid() {
                return ::core::result::Result::Ok(::djinn_runtime::views::json_errors(&__djinn_form));
            }
            #save
            let __djinn_key_value = match __djinn_written {
                ::core::result::Result::Ok(key) => key,
                ::core::result::Result::Err(__djinn_error) => {
                    ::djinn_runtime::views::form_write_error(&mut __djinn_form, __djinn_error)?;
                    return ::core::result::Result::Ok(::djinn_runtime::views::json_errors(&__djinn_form));
                }
            };
            #read_back
            ::core::result::Result::Ok(::djinn_runtime::views::json_with_status(
                #to_json(&__djinn_object),
                #status,
            ))
        }
    }
}

/// The calls of the hooks on `signal` of `model`, in declaration order,
/// each given the transaction and `object`.
fn hook_calls(
    project: &Project,
    model: ModelId,
    signal: Signal,
    object: TokenStream,
) -> Vec<TokenStream> {
    project
        .hooks
        .iter()
        .filter(|hook| hook.model == model && hook.signal == signal && hook.signature.is_some())
        .map(|hook| {
            let path = hook.function.split("::").map(super::ident);
            quote!(crate::#(#path)::*(&mut __djinn_tx, &#object).await?;)
        })
        .collect()
}

/// `a`, `a and b`, `a, b and c` — Django's `get_text_list(…, "and")`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
