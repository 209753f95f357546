//! `src/templates.rs`: the page each HTML view renders, its Django
//! template compiled to Rust.
//!
//! Input: the checked project (its templates and [`TemplateChecks`]) and
//! the view plans. Output: `render_<view>(context, out)` for every HTML
//! view, returning the error a filter raised; the body is
//! [`crate::template::codegen`]'s. This module says where each name the
//! template sees lives in the view's context struct (`crate::context`).

use super::names::{plain, snake};
use super::views::{Body, EntryValue, ViewPlan};
use crate::CheckOutput;
use crate::check::ir::{GenericKind, Shape, ViewKind};
use crate::diagnostics::Diagnostic;
use crate::template::codegen::{
    ContextField, RenderEnv, UrlFunctions, model_impls, view_render_function,
};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// The module's tokens, or the diagnostics of templates that cannot be
/// compiled.
pub(super) fn generate(
    output: &CheckOutput,
    plans: &[ViewPlan],
) -> Result<TokenStream, Vec<Diagnostic>> {
    let project = &output.project;
    let dicts = BTreeMap::new();
    let env = RenderEnv {
        project,
        templates: &output.templates,
        checks: &output.template_checks,
        static_url: &output.settings.static_files.url,
        dicts: &dicts,
        models: quote!(crate::models),
        urls: Some(UrlFunctions {
            module: quote!(crate::urls),
            functions: super::urls::reverse_names(project),
        }),
    };
    let mut functions = Vec::new();
    let mut errors = Vec::new();
    for plan in plans {
        let Body::Page {
            kind,
            entries,
            context,
            template,
            ..
        } = &plan.body
        else {
            continue;
        };
        let Some(page) = output.template_checks.views.get(&plan.id) else {
            continue;
        };
        let view = project.view(plan.id);
        let at = |member: &str| {
            let member = super::names::ident(member);
            quote!(__djinn_context.#member)
        };
        let mut fields = BTreeMap::new();
        if let (Some(kind), ViewKind::Generic(generic)) = (kind, &view.kind) {
            let alias = project.model(generic.model).name.to_lowercase();
            match kind {
                GenericKind::List => {
                    fields.insert("object_list".into(), ContextField::Value(at("object_list")));
                    fields.insert(
                        format!("{alias}_list"),
                        ContextField::Value(at("object_list")),
                    );
                    fields.insert(
                        "is_paginated".into(),
                        ContextField::Value(at("is_paginated")),
                    );
                    if generic.paginate.is_some() {
                        fields.insert("page_obj".into(), ContextField::Value(at("page_obj")));
                        fields.insert("paginator".into(), ContextField::Present(at("paginator")));
                    } else {
                        fields.insert("page_obj".into(), ContextField::Value(quote!(())));
                        fields.insert("paginator".into(), ContextField::Value(quote!(())));
                    }
                }
                GenericKind::Create => {
                    fields.insert("form".into(), ContextField::Value(at("form")));
                }
                GenericKind::Update => {
                    fields.insert("form".into(), ContextField::Value(at("form")));
                    fields.insert("object".into(), ContextField::Value(at("object")));
                    fields.insert(alias, ContextField::Value(at("object")));
                }
                _ => {
                    fields.insert("object".into(), ContextField::Value(at("object")));
                    fields.insert(alias, ContextField::Value(at("object")));
                }
            }
        }
        for entry in entries {
            // A single row the template sees as always there is held as an `Option`.
            let optional_row = matches!(
                &entry.value,
                EntryValue::Query(query) if matches!(query.shape, Shape::One | Shape::Optional)
            );
            let seen_absent = page
                .context
                .get(&entry.name)
                .is_some_and(|ty| ty.may_be_absent());
            let place = at(&entry.name);
            let field = if optional_row && !seen_absent {
                ContextField::Present(place)
            } else {
                ContextField::Value(place)
            };
            fields.insert(entry.name.clone(), field);
        }
        let render = plain(&format!("render_{}", snake(&view.name)));
        let doc = format!(" The page of the `{}` view (`{template}`).", view.name);
        let context = quote!(crate::context::#context);
        match view_render_function(&env, page.rendering, &render, &doc, &context, &fields) {
            Ok(function) => functions.push(function),
            Err(diagnostics) => errors.extend(diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if functions.is_empty() {
        return Ok(quote! {
            //! The page of each HTML view (the project has none).
        });
    }
    let impls = model_impls(&env);
    Ok(quote! {
        //! The page of each HTML view: its template, compiled.

        #(#functions)*

        #impls
    })
}
