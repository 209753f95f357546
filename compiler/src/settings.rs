//! Settings: `djinn.toml` → [`Settings`].
//!
//! Stage input: the settings file of a [`ProjectInput`]. Output: typed
//! settings plus diagnostics for unknown keys, wrong types and invalid
//! values, each at the key's line and column.

use crate::diagnostics::Diagnostic;
use crate::project::ProjectInput;

/// Typed project settings.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `[project] name`.
    pub name: String,
}

/// Reads `djinn.toml` from the input.
pub fn parse(_input: &ProjectInput, _diagnostics: &mut Vec<Diagnostic>) -> Settings {
    Settings::default()
}
