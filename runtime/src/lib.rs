//! `djinn-runtime`: the thin library every generated crate depends on.
//!
//! One concept per module; this file only declares modules and re-exports.
