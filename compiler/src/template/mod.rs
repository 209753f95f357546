//! Templates: Django Template Language files → [`ast::Template`].
//!
//! Stage input: the text of one file under `templates/`. Output: its tree,
//! with spans, plus E07xx diagnostics for malformed tags. The template
//! checker (typing against view contexts) and code generation build on it.

pub mod ast;
mod parse;

pub use parse::parse_template;
