//! `src/admin.rs`: the description of the admin site the runtime serves.
//!
//! Input: a checked project with `include "…" admin` ([`Project::admin_site`])
//! and its `admin Model { … }` blocks. Output: the module's tokens — one
//! `pub static SITE: djinn_runtime::admin::AdminSite` and the statics it
//! refers to: a `ModelInfo` per model (table, fields with their columns,
//! kinds, defaults, the model's `str` and ordering), and per admin block a
//! `ModelAdmin` (change list columns, filters, search fields and ordering
//! as paths through relations, the add/change form's rows and `FormSpec`,
//! unique checks, the foreign keys pointing at the model). All the admin's
//! behaviour is in the runtime (`djinn_runtime::admin`); this module only
//! turns the spec into data, so the generated crate stays small.
//!
//! Also here: the `pub mod admin;` line of `src/lib.rs`, and the clash of
//! a project's own `src/admin.rs` with the generated one.

use super::names::{doc, plain, upper};
use crate::check::ir::{
    Admin, FieldPath, FieldType, Model, ModelId, OnDelete, Order, Project, Signal, StepKind,
    StrPart, ValueKind,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::rust_src::{ModuleDeclaration, RustIndex};
use crate::sql::{self, ScalarKind};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The admin module's name in the generated crate.
const MODULE: &str = "admin";

/// `src/lib.rs`'s tokens with `pub mod admin;` added when the project has
/// an admin site.
pub(super) fn with_declaration(project: &Project, lib: TokenStream) -> TokenStream {
    if project.admin_site.is_none() {
        return lib;
    }
    quote! {
        #lib

        /// The admin site's description (see `djinn_runtime::admin`).
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod admin;
    }
}

/// An error when the project has an admin site and its own `src/admin.rs`.
pub(super) fn module_clash(project: &Project, rust_index: &RustIndex) -> Option<Diagnostic> {
    project.admin_site.as_ref()?;
    let module = rust_index
        .modules()
        .find(|module| module.declaration == ModuleDeclaration::Root && module.path == MODULE)?;
    let span = crate::source::Span::new(module.file, 0, 0);
    Some(
        Diagnostic::new(
            Code::RustSyntaxError,
            span,
            "`src/` cannot have a module called `admin` in a project with an admin site: the generated crate declares it",
        )
        .with_label("reserved module name")
        .with_help("rename the file"),
    )
}

/// The module's tokens; `None` without an admin site.
pub(super) fn generate(project: &Project) -> Option<TokenStream> {
    let site = project.admin_site.as_ref()?;
    let names = Names::new(project);
    let prefix = format!("/{}", site.prefix.trim_start_matches('/'));
    let app_label = &project.app_label;
    let app_name = title(app_label);
    let header = format!("{app_name} administration");
    let models = project
        .models
        .iter()
        .enumerate()
        .map(|(index, model)| model_info(project, &names, ModelId(index as u32), model));
    let admins = project
        .admins
        .iter()
        .map(|admin| model_admin(project, &names, admin));
    let admin_refs = project.admins.iter().map(|admin| {
        let name = &names.admins[admin.model.0 as usize];
        quote!(&#name)
    });
    let rt = quote!(::djinn_runtime::admin);
    Some(quote! {
        //! The admin site: what `djinn_runtime::admin` serves, described from
        //! the spec's `admin` blocks and the models they reach.

        /// The admin site, mounted at its prefix by `crate::urls::route`.
        pub static SITE: #rt::AdminSite = #rt::AdminSite {
            prefix: #prefix,
            app_label: #app_label,
            app_name: #app_name,
            site_header: #header,
            models: &[#(#admin_refs),*],
            handler: handle,
        };

        /// Answers an admin request (the handler `SITE` routes to).
        fn handle(
            request: ::djinn_runtime::Request,
        ) -> ::djinn_runtime::BoxFuture<'static, ::djinn_runtime::Result<::djinn_runtime::Response>> {
            #rt::serve(&SITE, request)
        }

        #(#models)*

        #(#admins)*
    })
}

/// The names of the statics: `MODEL_POST`, `ADMIN_POST`, `FORM_POST`
/// (by model index; a suffix keeps them apart when two model names differ
/// only in case or punctuation).
struct Names {
    models: Vec<Ident>,
    admins: Vec<Ident>,
    forms: Vec<Ident>,
    hooks: Vec<Ident>,
}

impl Names {
    fn new(project: &Project) -> Names {
        let mut taken: Vec<String> = Vec::new();
        let mut stems = Vec::with_capacity(project.models.len());
        for model in &project.models {
            let base = upper(&model.name);
            let mut stem = base.clone();
            let mut suffix = 2;
            while taken.contains(&stem) {
                stem = format!("{base}_{suffix}");
                suffix += 1;
            }
            taken.push(stem.clone());
            stems.push(stem);
        }
        let named = |prefix: &str| {
            stems
                .iter()
                .map(|stem| plain(&format!("{prefix}_{stem}")))
                .collect()
        };
        Names {
            models: named("MODEL"),
            admins: named("ADMIN"),
            forms: named("FORM"),
            hooks: stems
                .iter()
                .map(|stem| plain(&format!("hooks_{}", stem.to_lowercase())))
                .collect(),
        }
    }

    fn model(&self, id: ModelId) -> &Ident {
        &self.models[id.0 as usize]
    }
}

/// `blog` → `Blog`, `my_shop` → `My Shop`: an app's name as headings show it.
fn title(label: &str) -> String {
    label
        .split(['_', '-'])
        .filter(|word| !word.is_empty())
        .map(capfirst)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Django's `capfirst`.
fn capfirst(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a field's column stores, as the runtime's `Scalar`.
fn scalar(project: &Project, ty: &FieldType) -> TokenStream {
    let rt = quote!(::djinn_runtime::admin::Scalar);
    // A key column stores the target's key: follow relations to it.
    let mut ty = ty;
    for _ in 0..=project.models.len() {
        match ty {
            FieldType::ForeignKey(r) | FieldType::OneToOne(r) => {
                ty = &project.model(r.target).pk().ty
            }
            FieldType::ManyToMany(r) => ty = &project.model(r.target).pk().ty,
            _ => break,
        }
    }
    match ty {
        FieldType::Decimal { places, .. } => quote!(#rt::Decimal(#places)),
        other => match ScalarKind::of_field(project, other) {
            ScalarKind::Int | ScalarKind::Int32 => quote!(#rt::Int),
            ScalarKind::Float => quote!(#rt::Float),
            ScalarKind::Decimal => quote!(#rt::Decimal(0)),
            ScalarKind::Bool => quote!(#rt::Bool),
            ScalarKind::Text => quote!(#rt::Text),
            ScalarKind::Uuid => quote!(#rt::Uuid),
            ScalarKind::Date => quote!(#rt::Date),
            ScalarKind::DateTime => quote!(#rt::DateTime),
            ScalarKind::Json => quote!(#rt::Json),
        },
    }
}

/// `pub static MODEL_X: ModelInfo = …;`
fn model_info(project: &Project, names: &Names, id: ModelId, model: &Model) -> TokenStream {
    let rt = quote!(::djinn_runtime::admin);
    let static_name = names.model(id);
    let name = &model.name;
    let model_name = model.name.to_lowercase();
    let verbose = &model.verbose_name;
    let plural = &model.verbose_name_plural;
    let table = &model.table;
    let pk = model.primary_key as usize;
    let fields = model.fields.iter().map(|field| {
        let field_name = &field.name;
        let label = capfirst(&field.verbose_name);
        let column = match &field.column {
            Some(column) => quote!(::core::option::Option::Some(#column)),
            None => quote!(::core::option::Option::None),
        };
        let scalar = scalar(project, &field.ty);
        let kind = match &field.ty {
            FieldType::Choice { choices, .. } => {
                let pairs = choices.iter().map(|choice| {
                    let (key, label) = (&choice.key, &choice.label);
                    quote!((#key, #label))
                });
                quote!(#rt::FieldKind::Choice(&[#(#pairs),*]))
            }
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                let target = names.model(relation.target);
                quote!(#rt::FieldKind::ForeignKey(&#target))
            }
            FieldType::ManyToMany(relation) => {
                let target = names.model(relation.target);
                let table = &relation.table;
                let (near, far) = sql::join_columns(project, id, relation.target);
                quote!(#rt::FieldKind::ManyToMany(#rt::ManyToMany {
                    target: &#target,
                    table: #table,
                    near: #near,
                    far: #far,
                }))
            }
            _ => quote!(#rt::FieldKind::Plain),
        };
        let (null, primary_key, auto_now, auto_now_add) =
            (field.null, field.primary_key, field.auto_now, field.auto_now_add);
        let auto_increment = matches!(field.ty, FieldType::AutoId);
        let default = match &field.default {
            Some(value) => {
                let value = default_value(project, &field.ty, value);
                quote!(::core::option::Option::Some(
                    |__now: ::djinn_runtime::jiff::civil::DateTime| -> ::djinn_runtime::db::Value { #value }
                ))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            #rt::Field {
                name: #field_name,
                label: #label,
                column: #column,
                scalar: #scalar,
                kind: #kind,
                null: #null,
                primary_key: #primary_key,
                auto_increment: #auto_increment,
                auto_now: #auto_now,
                auto_now_add: #auto_now_add,
                default: #default,
            }
        }
    });
    let str_parts = match &model.str_format {
        None => {
            let prefix = format!("{} object (", model.name);
            quote!(&[#rt::StrPart::Text(#prefix), #rt::StrPart::Field(#pk), #rt::StrPart::Text(")")])
        }
        Some(format) => {
            let parts = format.parts.iter().filter_map(|part| match part {
                StrPart::Text(text) => Some(quote!(#rt::StrPart::Text(#text))),
                StrPart::Field(path) => {
                    let steps: Vec<StepKind> = path.steps.iter().map(|step| step.kind).collect();
                    str_part(project, &steps)
                }
            });
            quote!(&[#(#parts),*])
        }
    };
    let ordering = orders(project, names, &model.ordering);
    let doc_text = format!("The model `{name}` (table `{table}`).");
    let doc_attr = doc(&doc_text);
    quote! {
        #doc_attr
        pub static #static_name: #rt::ModelInfo = #rt::ModelInfo {
            name: #name,
            model_name: #model_name,
            verbose_name: #verbose,
            verbose_name_plural: #plural,
            table: #table,
            fields: &[#(#fields),*],
            pk: #pk,
            str_parts: #str_parts,
            ordering: #ordering,
        };
    }
}

/// A default as the runtime value it stands for, given `__now`.
fn default_value(
    project: &Project,
    ty: &FieldType,
    value: &crate::check::ir::Value,
) -> TokenStream {
    let db = quote!(::djinn_runtime::db::Value);
    let kind = ScalarKind::of_field(project, ty);
    match &value.kind {
        ValueKind::Literal(literal) => super::views::literal_value(literal, &value.ty, kind),
        ValueKind::Choice { key, .. } => quote!(#db::Text(::std::string::String::from(#key))),
        ValueKind::Now => match kind {
            ScalarKind::Date => quote!(#db::Date(__now.date())),
            _ => quote!(#db::DateTime(__now)),
        },
        ValueKind::Today => match kind {
            ScalarKind::DateTime => quote! {
                #db::DateTime(__now.date().to_datetime(::djinn_runtime::jiff::civil::Time::midnight()))
            },
            _ => quote!(#db::Date(__now.date())),
        },
        _ => quote!(#db::Null),
    }
}

/// A `{field}` or `{relation.rest}` of a model's `str`.
fn str_part(project: &Project, steps: &[StepKind]) -> Option<TokenStream> {
    let rt = quote!(::djinn_runtime::admin::StrPart);
    let (&first, rest) = steps.split_first()?;
    let StepKind::Field(id) = first else {
        return None;
    };
    let field = project.field(id);
    let index = id.index as usize;
    if matches!(field.ty, FieldType::ManyToMany(_)) {
        return None;
    }
    if rest.is_empty() {
        return Some(quote!(#rt::Field(#index)));
    }
    if !matches!(field.ty, FieldType::ForeignKey(_) | FieldType::OneToOne(_)) {
        return None;
    }
    let inner = str_part(project, rest)?;
    Some(quote!(#rt::Through(#index, &[#inner])))
}

/// A path of the spec as the runtime's `Path`: relations become hops, a
/// path ending at a relation ends at the related row (`End::Object`).
fn path(project: &Project, names: &Names, path: &FieldPath) -> TokenStream {
    let rt = quote!(::djinn_runtime::admin);
    let mut hops = Vec::new();
    let mut end = quote!(#rt::End::Object);
    let mut current = path.model;
    for (position, step) in path.steps.iter().enumerate() {
        let last = position + 1 == path.steps.len();
        match step.kind {
            StepKind::Field(id) => {
                let field = project.field(id);
                match &field.ty {
                    FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                        let column = field.column.clone().unwrap_or_default();
                        let target = names.model(relation.target);
                        hops.push(quote!(#rt::Hop::Forward { column: #column, target: &#target }));
                        current = relation.target;
                    }
                    FieldType::ManyToMany(relation) => {
                        let (near, far) = sql::join_columns(project, current, relation.target);
                        let table = &relation.table;
                        let target = names.model(relation.target);
                        hops.push(quote!(#rt::Hop::ManyToMany {
                            table: #table,
                            near: #near,
                            far: #far,
                            target: &#target,
                        }));
                        current = relation.target;
                    }
                    _ if last => {
                        let index = id.index as usize;
                        end = quote!(#rt::End::Field(#index));
                    }
                    _ => {}
                }
            }
            StepKind::Reverse(id) => {
                let reverse = project.reverse(id);
                let forward = project.field(reverse.field);
                let target = names.model(reverse.model);
                match &forward.ty {
                    FieldType::ManyToMany(relation) => {
                        // The join table seen from the relation's target.
                        let (source, target_column) =
                            sql::join_columns(project, reverse.model, relation.target);
                        let table = &relation.table;
                        hops.push(quote!(#rt::Hop::ManyToMany {
                            table: #table,
                            near: #target_column,
                            far: #source,
                            target: &#target,
                        }));
                    }
                    _ => {
                        let column = forward.column.clone().unwrap_or_default();
                        hops.push(quote!(#rt::Hop::Reverse { column: #column, target: &#target }));
                    }
                }
                current = reverse.model;
            }
        }
    }
    quote!(#rt::Path { hops: &[#(#hops),*], end: #end })
}

/// Orderings through forward relations (many relations are left out).
fn orders(project: &Project, names: &Names, orders: &[Order]) -> TokenStream {
    let rt = quote!(::djinn_runtime::admin);
    let terms = orders
        .iter()
        .filter(|order| {
            !order
                .path
                .steps
                .iter()
                .any(|step| project.step_is_many(step.kind))
        })
        .map(|order| {
            let path = path(project, names, &order.path);
            let descending = order.descending;
            quote!(#rt::Order { path: #path, descending: #descending })
        });
    quote!(&[#(#terms),*])
}

/// The verbose name of what a path ends at: the last field's, or a
/// reverse relation's name.
fn path_label(project: &Project, path: &FieldPath) -> String {
    match path.steps.last().map(|step| step.kind) {
        Some(StepKind::Field(id)) => project.field(id).verbose_name.clone(),
        Some(StepKind::Reverse(id)) => project.reverse(id).name.replace('_', " "),
        None => project.model(path.model).verbose_name.clone(),
    }
}

/// Django's lookup path of a filter: names joined by `__`, and for a
/// relation the related key's name (`author__id`).
fn filter_param(project: &Project, path: &FieldPath) -> String {
    let mut names: Vec<String> = path
        .steps
        .iter()
        .map(|step| project.step_name(step.kind).to_string())
        .collect();
    if let Some(target) = path
        .steps
        .last()
        .and_then(|step| project.step_target(step.kind))
    {
        names.push(project.model(target).pk().name.clone());
    }
    names.join("__")
}

/// `static FORM_X` and `pub static ADMIN_X` of one `admin` block.
fn model_admin(project: &Project, names: &Names, admin: &Admin) -> TokenStream {
    let rt = quote!(::djinn_runtime::admin);
    let id = admin.model;
    let model = project.model(id);
    let model_static = names.model(id);
    let admin_static = &names.admins[id.0 as usize];
    let form_static = &names.forms[id.0 as usize];
    let list_display = admin.list_display.iter().map(|display| {
        let label = capfirst(&path_label(project, display));
        let path = path(project, names, display);
        quote!(#rt::ListColumn { label: #label, path: #path })
    });
    let list_filter = admin.list_filter.iter().map(|filter| {
        let title = path_label(project, filter);
        let param = filter_param(project, filter);
        let path = path(project, names, filter);
        quote!(#rt::ListFilter { title: #title, param: #param, path: #path })
    });
    let search = admin
        .search
        .iter()
        .map(|search| path(project, names, search));
    let ordering = orders(project, names, &admin.ordering);
    let per_page = admin.list_per_page.unwrap_or(100);
    // The rows: the block's `fields`, or every editable field then the
    // read-only ones, as Django's `get_fields`.
    let mut rows: Vec<u32> = if admin.fields.is_empty() {
        model
            .fields
            .iter()
            .enumerate()
            .filter(|(_, field)| field.is_form_editable())
            .map(|(index, _)| index as u32)
            .collect()
    } else {
        admin.fields.iter().map(|field| field.index).collect()
    };
    if admin.fields.is_empty() {
        for field in &admin.readonly {
            if !rows.contains(&field.index) {
                rows.push(field.index);
            }
        }
    }
    let readonly = |index: u32| {
        admin.readonly.iter().any(|field| field.index == index)
            || !model.fields[index as usize].is_form_editable()
    };
    let row_tokens = rows.iter().map(|&index| {
        let field = index as usize;
        let readonly = readonly(index);
        quote!(#rt::FormRow { field: #field, readonly: #readonly })
    });
    let editable: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&index| !readonly(index))
        .collect();
    let form_fields = editable
        .iter()
        .map(|&index| super::views::writes::field_spec(model, index));
    let verbose = &model.verbose_name;
    // Unique checks over the form's fields.
    let mut unique: Vec<Vec<usize>> = Vec::new();
    for &index in &editable {
        let field = &model.fields[index as usize];
        if field.unique && field.column.is_some() {
            unique.push(vec![index as usize]);
        }
    }
    for together in &model.unique_together {
        let indexes: Vec<u32> = together.fields.iter().map(|field| field.index).collect();
        if indexes.iter().all(|index| editable.contains(index)) {
            unique.push(indexes.iter().map(|&index| index as usize).collect());
        }
    }
    let unique = unique.iter().map(|group| quote!(&[#(#group),*]));
    // Foreign keys of every model that point at this one.
    let mut related = Vec::new();
    for (other_index, other) in project.models.iter().enumerate() {
        for field in &other.fields {
            let (FieldType::ForeignKey(relation) | FieldType::OneToOne(relation)) = &field.ty
            else {
                continue;
            };
            if relation.target != id {
                continue;
            }
            let Some(column) = &field.column else {
                continue;
            };
            let other_static = names.model(ModelId(other_index as u32));
            let on_delete = match relation.on_delete {
                OnDelete::Cascade => quote!(Cascade),
                OnDelete::Protect => quote!(Protect),
                OnDelete::Restrict => quote!(Restrict),
                OnDelete::SetNull => quote!(SetNull),
                OnDelete::SetDefault => quote!(SetDefault),
                OnDelete::DoNothing => quote!(DoNothing),
            };
            related.push(quote!(#rt::Related {
                model: &#other_static,
                column: #column,
                on_delete: #rt::OnDelete::#on_delete,
            }));
        }
    }
    let (hooks, hooks_fn) = match hooks_fn(project, names, id) {
        Some(function) => {
            let name = &names.hooks[id.0 as usize];
            (quote!(::core::option::Option::Some(#name)), function)
        }
        None => (quote!(::core::option::Option::None), quote!()),
    };
    let doc_text = format!("`admin {} {{ … }}`.", model.name);
    let doc_attr = doc(&doc_text);
    quote! {
        #hooks_fn

        static #form_static: ::djinn_runtime::forms::FormSpec = ::djinn_runtime::forms::FormSpec {
            model_verbose_name: #verbose,
            fields: &[#(#form_fields),*],
        };

        #doc_attr
        pub static #admin_static: #rt::ModelAdmin = #rt::ModelAdmin {
            model: &#model_static,
            list_display: &[#(#list_display),*],
            list_filter: &[#(#list_filter),*],
            search: &[#(#search),*],
            ordering: #ordering,
            list_per_page: #per_page,
            fields: &[#(#row_tokens),*],
            form: &#form_static,
            unique: &[#(#unique),*],
            related: &[#(#related),*],
            hooks: #hooks,
        };
    }
}

/// The function calling the project's hooks of a model (`on post_save Post
/// -> rust "…"`) with the admin's transaction; `None` without hooks.
fn hooks_fn(project: &Project, names: &Names, id: ModelId) -> Option<TokenStream> {
    let calls = |signals: &[Signal]| -> Vec<TokenStream> {
        signals
            .iter()
            .flat_map(|&signal| {
                project.hooks.iter().filter(move |hook| {
                    hook.model == id && hook.signal == signal && hook.signature.is_some()
                })
            })
            .map(|hook| {
                let path = hook.function.split("::").map(super::names::ident);
                quote!(crate::#(#path)::*(&mut *transaction, &object).await?;)
            })
            .collect()
    };
    let saved = calls(&[Signal::PreSave, Signal::PostSave]);
    let before = calls(&[Signal::PreDelete]);
    let after = calls(&[Signal::PostDelete]);
    if saved.is_empty() && before.is_empty() && after.is_empty() {
        return None;
    }
    let name = &names.hooks[id.0 as usize];
    let ty = super::models::model_type(project, id);
    let phase = quote!(::djinn_runtime::admin::HookPhase);
    let doc_text = format!(
        "The hooks of `{}`, run by the admin in the transaction of its writes.",
        project.model(id).name
    );
    let doc_attr = doc(&doc_text);
    Some(quote! {
        #doc_attr
        fn #name<'t>(
            phase: #phase,
            transaction: &'t mut ::djinn_runtime::db::Transaction,
            row: &'t ::djinn_runtime::db::Row,
        ) -> ::djinn_runtime::BoxFuture<'t, ::djinn_runtime::Result<()>> {
            ::std::boxed::Box::pin(async move {
                let object = #ty::__djinn_decode(row, 0)?;
                match phase {
                    #phase::Saved => { #(#saved)* }
                    #phase::BeforeDelete => { #(#before)* }
                    #phase::AfterDelete => { #(#after)* }
                }
                ::core::result::Result::Ok(())
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::{CodegenOptions, GeneratedCrate, generate as generate_crate};
    use crate::check_project;
    use crate::project::ProjectInput;
    use std::path::Path;

    fn sample(name: &str) -> GeneratedCrate {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples")
            .join(name);
        let input = ProjectInput::load(&root).expect("the sample loads");
        let output = check_project(&input);
        let options = CodegenOptions {
            runtime_path: "/opt/djinn/runtime".into(),
        };
        generate_crate(&input, &output, &options).expect("the sample generates")
    }

    /// `text` with every run of whitespace as one space (prettyplease
    /// breaks lines where it likes).
    fn squeezed(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_blog_admin_is_described_and_routed() {
        let generated = sample("blog");
        let admin = squeezed(&generated.files["src/admin.rs"]);
        for expected in [
            r#"pub static SITE: ::djinn_runtime::admin::AdminSite"#,
            r#"prefix: "/admin/", app_label: "blog", app_name: "Blog""#,
            r#"models: &[&ADMIN_POST, &ADMIN_AUTHOR, &ADMIN_TAG, &ADMIN_COMMENT]"#,
            r#"table: "blog_post""#,
            // A filter on a foreign key uses Django's lookup path.
            r#"title: "author", param: "author__id""#,
            r#"param: "tags__id""#,
            // The many-to-many relation and its join table.
            r#"table: "blog_post_tags", near: "post_id", far: "tag_id""#,
            // Defaults, read-only rows, unique checks (slug; author and title).
            r#"::djinn_runtime::db::Value::Text(::std::string::String::from("draft"))"#,
            r#"readonly: true"#,
            r#"list_per_page: 50u32"#,
            // Deleting an author takes its posts along.
            r#"model: &MODEL_POST, column: "author_id", on_delete: ::djinn_runtime::admin::OnDelete::Cascade"#,
            // The blog's post_save hook runs on admin saves too.
            r#"hooks: ::core::option::Option::Some(hooks_post)"#,
            r#"crate::hooks::stamp_publication(&mut *transaction, &object).await?;"#,
        ] {
            assert!(admin.contains(&squeezed(expected)), "{expected} in {admin}");
        }
        // Before the account pages, which share the `admin/` prefix.
        let urls = squeezed(&generated.files["src/urls.rs"]);
        let admin_route = urls.find("::djinn_runtime::admin::route(");
        let accounts = urls.find("::djinn_runtime::auth::views::route(");
        assert!(
            admin_route.is_some_and(|admin| accounts.is_some_and(|accounts| admin < accounts)),
            "{urls}"
        );
        assert!(urls.contains("&crate::admin::SITE"));
        assert!(squeezed(&generated.files["src/lib.rs"]).contains("pub mod admin;"));
    }

    #[test]
    fn relations_in_strs_and_paths_follow_the_spec() {
        let generated = sample("shop");
        let admin = squeezed(&generated.files["src/admin.rs"]);
        // "{quantity} × {product}": the product's own str.
        assert!(admin.contains(&squeezed(
            r#"str_parts: &[ ::djinn_runtime::admin::StrPart::Field(3usize), ::djinn_runtime::admin::StrPart::Text(" × "), ::djinn_runtime::admin::StrPart::Field(2usize), ]"#
        )) || admin.contains("StrPart::Text(\" × \")"), "{admin}");
        // `search [customer.last_name]` crosses the foreign key.
        assert!(admin.contains(&squeezed(
            r#"hops: &[ ::djinn_runtime::admin::Hop::Forward { column: "customer_id", target: &MODEL_CUSTOMER, }, ]"#
        )), "{admin}");
        // Categories protect their products.
        assert!(admin.contains("OnDelete::Protect"));
        // Without hooks, none.
        assert!(admin.contains("hooks: ::core::option::Option::None"));
    }

    #[test]
    fn projects_without_an_admin_site_have_no_admin_module() {
        let project = |urls: &str| {
            ProjectInput::builder()
                .settings("[project]\nname = \"demo\"\n")
                .spec(
                    "app.djinn",
                    "model A {\n    x int\n}\nadmin A {\n    list_display [x]\n}\n",
                )
                .spec("urls.djinn", urls)
                .rust("admin.rs", "pub fn f() {}\n")
                .build()
        };
        let options = CodegenOptions {
            runtime_path: "/opt/djinn/runtime".into(),
        };
        // Not mounted: the project's own `src/admin.rs` is fine.
        let unmounted = project("urls {\n}\n");
        let output = check_project(&unmounted);
        let generated = generate_crate(&unmounted, &output, &options).expect("generates");
        assert!(generated.files["src/admin.rs"].starts_with("// Copied by djinn"));
        assert!(!generated.files["src/urls.rs"].contains("admin::route"));
        // Mounted: the generated module needs the name.
        let mounted = project("urls {\n    include \"admin/\" admin\n}\n");
        let output = check_project(&mounted);
        let refused = generate_crate(&mounted, &output, &options).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert!(
            refused[0].message.contains("`admin`"),
            "{}",
            refused[0].message
        );
    }
}
