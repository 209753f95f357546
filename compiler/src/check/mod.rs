//! Resolve and check: `ast::SpecFile`s → [`ir::Project`].
//!
//! Names become ids, types are computed, and every rule of the language is
//! checked. Errors leave the offending part out of the IR and the run goes on.

pub mod ir;

use crate::diagnostics::Diagnostic;
use crate::project::ProjectInput;
use crate::rust_src::RustIndex;
use crate::settings::Settings;
use crate::syntax::ast;

/// Resolves and checks the parsed spec files.
pub fn check(
    _input: &ProjectInput,
    _settings: &Settings,
    _files: &[ast::SpecFile],
    _rust: &RustIndex,
    _diagnostics: &mut Vec<Diagnostic>,
) -> ir::Project {
    ir::Project::default()
}
