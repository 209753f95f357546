//! Rust tokens → formatted file text.
//!
//! Input: the tokens of one file. Output: its text, formatted by
//! prettyplease after the do-not-edit header.

use proc_macro2::TokenStream;

/// The text of a Rust file made of `tokens`.
///
/// Generated tokens always parse: they are built by `quote!` from valid
/// pieces, so a parse failure is a bug in the generator, reported in the
/// file itself (and then by rustc) rather than by a panic.
pub(super) fn file(tokens: TokenStream) -> String {
    let header = super::header("//");
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => format!("{header}\n{}", prettyplease::unparse(&file)),
        Err(error) => format!(
            "{header}\ncompile_error!({:?});\n// djinn bug: generated code does not parse\n{tokens}\n",
            error.to_string()
        ),
    }
}
