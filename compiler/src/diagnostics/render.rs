//! Rendering diagnostics: human (rustc-like), JSON and GitHub annotations.
//!
//! Input: `&[Diagnostic]` and the `SourceMap` they point into. Output: text.
//! This is the only place diagnostics become text.
