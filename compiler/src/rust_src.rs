//! Hand-written Rust under `src/`: an index of its functions, read with `syn`.
//!
//! Stage input: the Rust files of a [`ProjectInput`]. Output: a
//! [`RustIndex`] from `module::function` to each function's signature, used
//! by the checker to validate `rust "module::function"` views and hooks.

use crate::diagnostics::Diagnostic;
use crate::project::ProjectInput;

/// The functions found under `src/`.
#[derive(Clone, Debug, Default)]
pub struct RustIndex {}

/// Parses every Rust file of the project.
pub fn index(_input: &ProjectInput, _diagnostics: &mut Vec<Diagnostic>) -> RustIndex {
    RustIndex::default()
}
