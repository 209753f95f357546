//! Fuzz target: the whole front end (settings, parser, checker).
//!
//! The input is split at `\0` bytes into files: the first is `djinn.toml`,
//! the second `app.djinn`, the third `src/views.rs`, the rest templates.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let mut builder = djinn::ProjectInput::builder();
    if let Some(settings) = parts.next() {
        builder = builder.settings(settings);
    }
    if let Some(spec) = parts.next() {
        builder = builder.spec("app.djinn", spec);
    }
    if let Some(rust) = parts.next() {
        builder = builder.rust("views.rs", rust);
    }
    for (i, template) in parts.enumerate() {
        builder = builder.template(format!("t{i}.html"), template);
    }
    let _ = djinn::check_project(&builder.build());
});
