//! Types and values in generated code.
//!
//! Input: field types and [`ScalarKind`]s. Output: the Rust type of a
//! column, the `Row` getter that decodes it, and expressions converting a
//! Rust value to a database [`Value`](djinn_runtime's `db::Value`) or to
//! JSON. Copy types are read by value and others cloned, so the generated
//! code has no needless clones.

use super::names::plain;
use crate::check::ir::{Field, FieldType, Project};
use crate::sql::ScalarKind;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The Rust type of a column of `kind`.
pub(super) fn scalar_type(kind: ScalarKind) -> TokenStream {
    match kind {
        ScalarKind::Int => quote!(i64),
        ScalarKind::Int32 => quote!(i32),
        ScalarKind::Float => quote!(f64),
        ScalarKind::Decimal | ScalarKind::Text => quote!(::std::string::String),
        ScalarKind::Bool => quote!(bool),
        ScalarKind::Uuid => quote!(::djinn_runtime::uuid::Uuid),
        ScalarKind::Date => quote!(::djinn_runtime::jiff::civil::Date),
        ScalarKind::DateTime => quote!(::djinn_runtime::jiff::civil::DateTime),
        ScalarKind::Json => quote!(::djinn_runtime::serde_json::Value),
    }
}

/// The Rust type of a field's column (a relation's key), `Option` if `null`.
pub(super) fn field_type(project: &Project, field: &Field) -> TokenStream {
    let ty = scalar_type(ScalarKind::of_field(project, &field.ty));
    if field.null {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}

/// The `Row` method that decodes a column of `kind`.
pub(super) fn getter(kind: ScalarKind, nullable: bool) -> Ident {
    let base = match kind {
        ScalarKind::Int => "i64",
        ScalarKind::Int32 => "i32",
        ScalarKind::Float => "f64",
        ScalarKind::Decimal => "decimal",
        ScalarKind::Bool => "bool",
        ScalarKind::Text => "text",
        ScalarKind::Uuid => "uuid",
        ScalarKind::Date => "date",
        ScalarKind::DateTime => "datetime",
        ScalarKind::Json => "json",
    };
    if nullable {
        plain(&format!("get_opt_{base}"))
    } else {
        plain(&format!("get_{base}"))
    }
}

/// Whether values of `kind` are `Copy`.
pub(super) fn is_copy(kind: ScalarKind) -> bool {
    !matches!(
        kind,
        ScalarKind::Decimal | ScalarKind::Text | ScalarKind::Json
    )
}

/// `place` (an expression of the column's Rust type, a place such as
/// `object.title`) as a database `Value`.
pub(super) fn db_value(kind: ScalarKind, nullable: bool, place: TokenStream) -> TokenStream {
    let one = |value: TokenStream| match kind {
        ScalarKind::Decimal => quote!(::djinn_runtime::db::Value::Decimal(#value.clone())),
        ScalarKind::Int32 => quote!(::djinn_runtime::db::Value::Int(i64::from(#value))),
        _ if is_copy(kind) => quote!(::djinn_runtime::db::Value::from(#value)),
        _ => quote!(::djinn_runtime::db::Value::from(#value.clone())),
    };
    if nullable {
        let some = one(quote!(value));
        let pattern = if is_copy(kind) {
            quote!(#place)
        } else {
            quote!(&#place)
        };
        quote! {
            match #pattern {
                ::std::option::Option::Some(value) => #some,
                ::std::option::Option::None => ::djinn_runtime::db::Value::Null,
            }
        }
    } else {
        one(place)
    }
}

/// `place` as a JSON value, as Django REST framework writes it: decimals as
/// strings with the field's places, datetimes in ISO 8601 with `Z`.
pub(super) fn json_value(
    kind: ScalarKind,
    nullable: bool,
    place: TokenStream,
    ty: &FieldType,
) -> TokenStream {
    let one = |value: TokenStream| match (kind, ty) {
        (ScalarKind::Decimal, FieldType::Decimal { places, .. }) => {
            quote!(crate::__djinn::support::json_decimal(&#value, #places))
        }
        (ScalarKind::Decimal, _) => {
            quote!(crate::__djinn::support::json_decimal(&#value, 0))
        }
        (ScalarKind::DateTime, _) => quote!(crate::__djinn::support::json_datetime(#value)),
        (ScalarKind::Date | ScalarKind::Uuid, _) => {
            quote!(::djinn_runtime::serde_json::Value::String(#value.to_string()))
        }
        (ScalarKind::Json, _) => quote!(#value.clone()),
        (ScalarKind::Text, _) => {
            quote!(::djinn_runtime::serde_json::Value::String(#value.clone()))
        }
        _ => quote!(::djinn_runtime::serde_json::Value::from(#value)),
    };
    if nullable {
        let some = one(quote!(value));
        let pattern = if is_copy(kind) {
            quote!(#place)
        } else {
            quote!(&#place)
        };
        quote! {
            match #pattern {
                ::std::option::Option::Some(value) => #some,
                ::std::option::Option::None => ::djinn_runtime::serde_json::Value::Null,
            }
        }
    } else {
        one(place)
    }
}
