//! Syntax: `.djinn` text → [`ast::SpecFile`], with pest.
//!
//! pest `Pair`s never leave this module; everything after it sees the AST.

pub mod ast;
mod parse;

pub use parse::parse_file;
