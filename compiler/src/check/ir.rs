//! The resolved, typed project: what codegen and docs consume.

/// The checked project.
#[derive(Clone, Debug, Default)]
pub struct Project {}
