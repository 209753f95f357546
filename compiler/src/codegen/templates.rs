//! `src/templates.rs`: the page each HTML view renders — for now, a plain
//! page listing the view's context.
//!
//! Input: the view plans. Output: `render_<view>(context, out)` for every
//! HTML view. Compiling the Django templates themselves is the template
//! code generator's job; until it exists, each page is a clearly labelled
//! table of the context values (escaped), so that every route of a project
//! answers with its real data. The functions' signature is the interface
//! the template code generator fills in.

use super::names::{plain, snake};
use super::views::{Body, ViewPlan};
use crate::check::ir::{GenericKind, Project};
use proc_macro2::TokenStream;
use quote::quote;

/// The module's tokens.
pub(super) fn generate(project: &Project, plans: &[ViewPlan]) -> TokenStream {
    let functions: Vec<TokenStream> = plans.iter().filter_map(|plan| {
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
        let render = plain(&format!("render_{}", snake(&view.name)));
        let mut rows = Vec::new();
        match kind {
            Some(GenericKind::List) => {
                rows.push(quote!(("object_list", ::std::format!("{:#?}", context.object_list))));
                rows.push(quote!(("page_obj", ::std::format!("{:#?}", context.page_obj))));
                rows.push(quote!(("is_paginated", ::std::format!("{:#?}", context.is_paginated))));
            }
            Some(_) => rows.push(quote!(("object", ::std::format!("{:#?}", context.object)))),
            None => {}
        }
        for entry in entries {
            let name = &entry.name;
            let member = super::names::ident(name);
            rows.push(quote!((#name, ::std::format!("{:#?}", context.#member))));
        }
        let unused = rows.is_empty().then(|| quote!(let _ = context;));
        let title = format!("{} — {template}", view.name);
        let note = format!(
            "djinn does not compile templates yet: this page lists the context that `{template}` receives."
        );
        let doc = format!("The page of the `{}` view (`{template}`).", view.name);
        let doc_attr = super::names::doc(&doc);
        Some(quote! {
            #doc_attr
            pub fn #render(context: &crate::context::#context, out: &mut ::std::string::String) {
                #unused
                let rows: &[(&str, ::std::string::String)] = &[#(#rows),*];
                page(#title, #note, rows, out);
            }
        })
    }).collect();
    if functions.is_empty() {
        return quote! {
            //! The page of each HTML view (the project has none).
        };
    }
    quote! {
        //! The page of each HTML view.

        #(#functions)*

        /// A labelled page with one table row per context value.
        fn page(
            title: &str,
            note: &str,
            rows: &[(&str, ::std::string::String)],
            out: &mut ::std::string::String,
        ) {
            out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
            ::djinn_runtime::template::escape_into(out, title);
            out.push_str("</title>\n</head>\n<body>\n<h1>");
            ::djinn_runtime::template::escape_into(out, title);
            out.push_str("</h1>\n<p class=\"djinn-note\">");
            ::djinn_runtime::template::escape_into(out, note);
            out.push_str("</p>\n<table>\n<tr><th>name</th><th>value</th></tr>\n");
            for (name, value) in rows {
                out.push_str("<tr><td>");
                ::djinn_runtime::template::escape_into(out, name);
                out.push_str("</td><td><pre>");
                ::djinn_runtime::template::escape_into(out, value);
                out.push_str("</pre></td></tr>\n");
            }
            out.push_str("</table>\n</body>\n</html>\n");
        }
    }
}
