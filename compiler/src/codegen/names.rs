//! Names in generated code: spec names → Rust identifiers.
//!
//! Input: names from the spec (fields, views, URL names, models). Output:
//! identifiers that are valid Rust whatever the name — keywords become raw
//! identifiers (`r#type`) — and derived names (`PostDetailContext`,
//! `reverse_post_detail`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Keywords that can be raw identifiers (`r#match`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// The identifier for `name`: itself, `r#name` for a keyword, `name_` for
/// the few keywords Rust refuses even as raw identifiers.
pub(super) fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// An internal identifier built from parts (`__djinn_decode_home_0`):
/// never a keyword, because it starts with `__djinn`.
pub(super) fn internal(parts: &[&str]) -> Ident {
    let mut name = String::from("__djinn");
    for part in parts {
        name.push('_');
        name.push_str(&snake(part));
    }
    Ident::new(&name, Span::call_site())
}

/// `post-detail` → `post_detail`: letters and digits kept, anything else `_`.
pub(super) fn snake(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `post_detail` → `PostDetail`.
pub(super) fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in snake(name).chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `post_detail` → `POST_DETAIL`.
pub(super) fn upper(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// `#[doc = " …"]` attributes, one per line of `text`, each with the
/// space after `///` that hand-written comments have.
pub(super) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// `#![doc = " …"]` attributes for a module or crate.
pub(super) fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

/// A type or function name made of ASCII parts.
pub(super) fn plain(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_valid_identifiers() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("title").to_string(), "title");
        assert_eq!(
            internal(&["decode", "post-detail"]).to_string(),
            "__djinn_decode_post_detail"
        );
        assert_eq!(pascal("api_post_list"), "ApiPostList");
        assert_eq!(upper("post-detail"), "POST_DETAIL");
    }
}
