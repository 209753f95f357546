//! Templates: Django Template Language files → [`ast::Template`] → [`TemplateChecks`].
//!
//! Stage input: the text of each file under `templates/`, then the checked
//! project. Output: each template's tree, with spans, plus E07xx diagnostics
//! for malformed tags (`parse`); then every template typed against the
//! context of each view that renders it (`check`, with the type system in
//! [`types`]), for code generation.

pub mod ast;
pub mod cases;
mod check;
pub mod codegen;
mod context;
mod filters;
mod lookup;
mod parse;
pub mod types;

pub use check::{
    ExprInfo, FilterInfo, OperandInfo, Rendering, RenderingId, TemplateChecks, UrlInfo,
    ViewTemplate, check_template, check_templates,
};
pub use parse::parse_template;

#[cfg(test)]
mod tests;
