//! `src/context.rs`: the context each HTML view gives its template.
//!
//! Input: the view plans. Output: one struct per HTML view (`list`,
//! `detail`, `template`), named after it (`PostDetailContext`): `object`
//! or `object_list` with `page_obj`, `paginator` and `is_paginated`, then
//! each `context` entry, with the relations the template reads loaded.
//! This is the interface between the views and the compiled templates:
//! a view fills the struct and calls `crate::templates::render_<view>`.

use super::names::ident;
use super::views::{Body, ViewPlan, entry_type};
use crate::check::ir::{GenericKind, Project, ViewKind};
use proc_macro2::TokenStream;
use quote::quote;

/// The module's tokens.
pub(super) fn generate(project: &Project, plans: &[ViewPlan]) -> TokenStream {
    let structs = plans.iter().filter_map(|plan| {
        let Body::Page {
            kind,
            entries,
            context,
            template,
            ..
        } = &plan.body
        else {
            return None;
        };
        let view = project.view(plan.id);
        let mut fields = Vec::new();
        let model = match &view.kind {
            ViewKind::Generic(generic) => Some(super::models::model_type(project, generic.model)),
            _ => None,
        };
        match (kind, model) {
            (Some(GenericKind::List), Some(model)) => fields.push(quote! {
                /// The rows, or this page's rows.
                pub object_list: ::std::vec::Vec<#model>,
                /// The page shown, when the view paginates.
                pub page_obj: ::std::option::Option<::djinn_runtime::pagination::Page>,
                /// The paginator, when the view paginates.
                pub paginator: ::std::option::Option<::djinn_runtime::pagination::Paginator>,
                /// Whether there is more than one page.
                pub is_paginated: bool,
            }),
            (Some(GenericKind::Create), _) => {}
            (Some(_), Some(model)) => fields.push(quote! {
                /// The view's object.
                pub object: #model,
            }),
            _ => {}
        }
        if matches!(kind, Some(GenericKind::Create | GenericKind::Update)) {
            fields.push(quote! {
                /// The form: empty, filled from the row, or as submitted with its errors.
                pub form: ::djinn_runtime::forms::Form,
            });
        }
        for entry in entries {
            let name = ident(&entry.name);
            let ty = entry_type(project, view, entry);
            let doc = format!("`context {}`.", entry.name);
            let doc_attr = super::names::doc(&doc);
            fields.push(quote! {
                #doc_attr
                pub #name: #ty,
            });
        }
        let doc = format!("What the `{}` view gives `{template}`.", view.name);
        let doc_attr = super::names::doc(&doc);
        Some(quote! {
            #doc_attr
            #[derive(::core::clone::Clone, ::core::fmt::Debug)]
            pub struct #context {
                #(#fields)*
            }
        })
    });
    quote! {
        //! The context of each HTML view: what its template sees.

        #(#structs)*
    }
}
