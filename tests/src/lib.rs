//! Shared helpers for djinn's end-to-end tests and fixture corpus.
