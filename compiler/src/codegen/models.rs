//! `src/models.rs`: one struct per model.
//!
//! Input: the project's models. Output: the module's tokens. Each struct has
//! a field per column (a relation's key column is `<name>_id`), the related
//! object or objects of each relation (filled only when a view's fetch plan
//! loads them), the decoding of its columns from a row, and `Display` as the
//! model's `str`.

use super::names::ident;
use super::types::{field_type, getter};
use crate::check::ir::{FieldType, Model, ModelId, Project, ReverseKind, StepKind, StrPart};
use crate::sql::{ScalarKind, model_columns};
use proc_macro2::TokenStream;
use quote::quote;

/// The module's tokens.
pub(super) fn generate(project: &Project) -> TokenStream {
    let models = project
        .models
        .iter()
        .enumerate()
        .map(|(index, model)| model_struct(project, ModelId(index as u32), model));
    quote! {
        //! The project's models: one struct per model, decoded from database rows.
        //!
        //! A relation has its key column (`author_id`) and its related
        //! object (`author`, `Some` when the view loaded it); many-to-many
        //! and reverse relations hold the related rows when loaded.

        #(#models)*
    }
}

/// The Rust type of a model.
pub(super) fn model_type(project: &Project, model: ModelId) -> TokenStream {
    let name = ident(&project.model(model).name);
    quote!(crate::models::#name)
}

/// The struct member holding the value of a relation step (`author`, `tags`, `posts`).
pub(super) fn member(project: &Project, step: StepKind) -> proc_macro2::Ident {
    ident(project.step_name(step))
}

fn model_struct(project: &Project, id: ModelId, model: &Model) -> TokenStream {
    let name = ident(&model.name);
    let doc = model
        .doc
        .clone()
        .unwrap_or_else(|| format!("A row of `{}`.", model.table));
    let doc_attr = super::names::doc(&doc);
    let mut members = Vec::new();
    for field in &model.fields {
        let field_doc = field
            .doc
            .clone()
            .unwrap_or_else(|| format!("`{}`.", field.name));
        let field_doc_attr = super::names::doc(&field_doc);
        match &field.ty {
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                let column = ident(field.column.as_deref().unwrap_or_default());
                let member = ident(&field.name);
                let key = field_type(project, field);
                let target = model_type(project, relation.target);
                let loaded = format!("The `{}` row, when the view loaded it.", field.name);
                let loaded_attr = super::names::doc(&loaded);
                members.push(quote! {
                    #field_doc_attr
                    pub #column: #key,
                    #loaded_attr
                    pub #member: ::std::option::Option<::std::boxed::Box<#target>>,
                });
            }
            FieldType::ManyToMany(relation) => {
                let member = ident(&field.name);
                let target = model_type(project, relation.target);
                let loaded = format!("{field_doc} Filled when the view loaded them.");
                let loaded_attr = super::names::doc(&loaded);
                members.push(quote! {
                    #loaded_attr
                    pub #member: ::std::vec::Vec<#target>,
                });
            }
            _ => {
                let member = ident(&field.name);
                let ty = field_type(project, field);
                members.push(quote! {
                    #field_doc_attr
                    pub #member: #ty,
                });
            }
        }
    }
    for reverse in &model.reverse {
        let member = ident(&reverse.name);
        let target = model_type(project, reverse.model);
        let doc = format!(
            "The `{}` rows relating to this one, when the view loaded them.",
            project.model(reverse.model).name
        );
        let doc_attr = super::names::doc(&doc);
        members.push(match reverse.kind {
            ReverseKind::Many => quote! {
                #doc_attr
                pub #member: ::std::vec::Vec<#target>,
            },
            ReverseKind::One => quote! {
                #doc_attr
                pub #member: ::std::option::Option<::std::boxed::Box<#target>>,
            },
        });
    }
    let decode = decode_fn(project, id, model);
    let display = display_impl(project, model);
    quote! {
        #doc_attr
        #[derive(::core::clone::Clone, ::core::fmt::Debug)]
        pub struct #name {
            #(#members)*
        }

        #decode

        #display
    }
}

/// `__djinn_decode(row, at)` and `__djinn_decode_opt(row, at)`.
fn decode_fn(project: &Project, id: ModelId, model: &Model) -> TokenStream {
    let name = ident(&model.name);
    let columns = model_columns(project, id);
    let mut inits = Vec::new();
    let mut key_offset = 0usize;
    for (offset, field_id) in columns.iter().enumerate() {
        let field = project.field(*field_id);
        if field_id.index == model.primary_key {
            key_offset = offset;
        }
        let member = match &field.ty {
            FieldType::ForeignKey(_) | FieldType::OneToOne(_) => {
                ident(field.column.as_deref().unwrap_or_default())
            }
            _ => ident(&field.name),
        };
        let kind = ScalarKind::of_field(project, &field.ty);
        let get = getter(kind, field.null);
        let index = if offset == 0 {
            quote!(at)
        } else {
            quote!(at + #offset)
        };
        let decoded = quote!(row.#get(#index)?);
        let decoded = match (&field.ty, field.null) {
            // Django's DecimalField gives its value with the field's places
            // (`14.30`), whichever way the database stored it.
            (FieldType::Decimal { places, .. }, false) => {
                quote!(crate::__djinn::support::decimal_places(&#decoded, #places))
            }
            (FieldType::Decimal { places, .. }, true) => quote! {
                #decoded.map(|value| crate::__djinn::support::decimal_places(&value, #places))
            },
            _ => decoded,
        };
        inits.push(quote!(#member: #decoded,));
    }
    for field in &model.fields {
        let member = ident(&field.name);
        match &field.ty {
            FieldType::ForeignKey(_) | FieldType::OneToOne(_) => {
                inits.push(quote!(#member: ::std::option::Option::None,));
            }
            FieldType::ManyToMany(_) => inits.push(quote!(#member: ::std::vec::Vec::new(),)),
            _ => {}
        }
    }
    for reverse in &model.reverse {
        let member = ident(&reverse.name);
        inits.push(match reverse.kind {
            ReverseKind::Many => quote!(#member: ::std::vec::Vec::new(),),
            ReverseKind::One => quote!(#member: ::std::option::Option::None,),
        });
    }
    let key_index = if key_offset == 0 {
        quote!(at)
    } else {
        quote!(at + #key_offset)
    };
    let width = columns.len();
    quote! {
        impl #name {
            /// The number of columns the struct is decoded from.
            pub const __DJINN_COLUMNS: usize = #width;

            /// Decodes the columns starting at `at`, in declaration order.
            pub fn __djinn_decode(
                row: &::djinn_runtime::db::Row,
                at: usize,
            ) -> ::core::result::Result<#name, ::djinn_runtime::db::DbError> {
                ::core::result::Result::Ok(#name { #(#inits)* })
            }

            /// Decodes the columns starting at `at`; `None` when the key is
            /// NULL (a LEFT JOIN found no row).
            pub fn __djinn_decode_opt(
                row: &::djinn_runtime::db::Row,
                at: usize,
            ) -> ::core::result::Result<::std::option::Option<#name>, ::djinn_runtime::db::DbError> {
                if row.is_null(#key_index)? {
                    return ::core::result::Result::Ok(::std::option::Option::None);
                }
                #name::__djinn_decode(row, at).map(::std::option::Option::Some)
            }
        }
    }
}

/// `Display`: the model's `str` (`meta { str = "…" }`), or Django's
/// `<Model> object (<pk>)`.
fn display_impl(project: &Project, model: &Model) -> TokenStream {
    let name = ident(&model.name);
    let pk = ident(&model.pk().name);
    let body = match &model.str_format {
        None => {
            let prefix = format!("{} object (", model.name);
            quote! {
                out.push_str(#prefix);
                ::djinn_runtime::template::DjangoStr::write_str(&self.#pk, &mut out);
                out.push(')');
            }
        }
        Some(format) => {
            let parts = format.parts.iter().map(|part| match part {
                StrPart::Text(text) => match text.chars().collect::<Vec<_>>().as_slice() {
                    [c] => quote!(out.push(#c);),
                    _ => quote!(out.push_str(#text);),
                },
                StrPart::Field(path) => {
                    let steps: Vec<StepKind> = path.steps.iter().map(|s| s.kind).collect();
                    write_path(project, quote!(self), &steps)
                }
            });
            quote!(#(#parts)*)
        }
    };
    quote! {
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut out = ::std::string::String::new();
                #body
                f.write_str(&out)
            }
        }
    }
}

/// Appends the value at `steps` from `base` to `out`, as Python's `str()`:
/// a relation not loaded shows its key; a missing one shows `None`.
fn write_path(project: &Project, base: TokenStream, steps: &[StepKind]) -> TokenStream {
    let Some((&first, rest)) = steps.split_first() else {
        return quote!(out.push_str(&#base.to_string()););
    };
    let StepKind::Field(id) = first else {
        // Reverse relations are not part of a `str` format.
        return quote!();
    };
    let field = project.field(id);
    let member = ident(&field.name);
    match &field.ty {
        FieldType::ForeignKey(_) | FieldType::OneToOne(_) => {
            let column = ident(field.column.as_deref().unwrap_or_default());
            let inner = if rest.is_empty() {
                quote!(out.push_str(&related.to_string());)
            } else {
                write_path(project, quote!(related), rest)
            };
            quote! {
                match #base.#member.as_deref() {
                    ::std::option::Option::Some(related) => { #inner }
                    ::std::option::Option::None => {
                        ::djinn_runtime::template::DjangoStr::write_str(&#base.#column, &mut out);
                    }
                }
            }
        }
        FieldType::ManyToMany(_) => quote!(),
        other => {
            let kind = ScalarKind::of_field(project, other);
            match kind {
                ScalarKind::Uuid | ScalarKind::Json => {
                    if field.null {
                        quote! {
                            match &#base.#member {
                                ::std::option::Option::Some(value) => out.push_str(&value.to_string()),
                                ::std::option::Option::None => out.push_str("None"),
                            }
                        }
                    } else {
                        quote!(out.push_str(&#base.#member.to_string());)
                    }
                }
                _ => {
                    quote!(::djinn_runtime::template::DjangoStr::write_str(&#base.#member, &mut out);)
                }
            }
        }
    }
}

/// The member holding a model's primary key.
pub(super) fn key_member(project: &Project, model: ModelId) -> proc_macro2::Ident {
    let model = project.model(model);
    let pk = model.pk();
    match &pk.ty {
        FieldType::ForeignKey(_) | FieldType::OneToOne(_) => {
            ident(pk.column.as_deref().unwrap_or_default())
        }
        _ => ident(&pk.name),
    }
}
