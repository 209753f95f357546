//! Fuzz target: the `.djinn` parser alone, on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut diagnostics = Vec::new();
    let _ = djinn::syntax::parse_file(djinn::source::FileId(0), &text, &mut diagnostics);
});
