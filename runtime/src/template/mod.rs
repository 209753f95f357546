//! Template runtime: what compiled Django templates call while rendering.
//!
//! djinn compiles each template into a Rust function that writes into a
//! `String`; that code calls this module by full path with concrete types
//! known at compile time. The pieces:
//!
//! - [`display`]: Python's `str()`, `repr()` and truthiness of values, and what
//!   `{{ value }}` shows ([`DjangoStr`], [`Truthy`]).
//! - [`escape`](mod@escape): HTML escaping and safe strings ([`Safe`], [`SafeString`],
//!   [`render_into`] for `{{ value }}` with autoescaping).
//! - [`filters`]: Django's built-in filters, one function each, with their
//!   `is_safe`/`needs_autoescape` flags in [`filters::FILTER_FLAGS`].
//! - [`render`]: loop state, Python comparisons and the tags that compute
//!   text, for the generated render functions.
//! - [`context`]: `user`, `perms`, `messages`, `page_obj` and the helpers
//!   that read model objects.
//! - [`globals`]: `user`, `perms`, `csrf_token` and `messages` of the request.
//! - [`compare`]: Python's `==`, `<`, `in` and `is` across types;
//!   [`json`](mod@json): values as `json_script` writes them.
//!
//! Everything matches Django's output byte for byte for `LANGUAGE_CODE="en-us"`,
//! `USE_TZ=False`, `TIME_ZONE="UTC"`; `runtime/tests/filters_django.rs` checks
//! it against outputs recorded from real Django.

pub mod compare;
pub mod context;
pub mod display;
pub mod escape;
pub mod filters;
pub mod globals;
mod html_parser;
mod html_unescape;
pub mod json;
pub mod render;

pub use display::{DjangoStr, Either, Truthy};
pub use escape::{
    Safe, SafeString, conditional_escape, conditional_escape_into, escape, escape_into, mark_safe,
    render_into,
};
pub use filters::FilterError;
