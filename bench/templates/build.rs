//! Compiles the Django templates under `templates/django/` with djinn, as
//! `djinn template-cases` does: each template's context types come from a
//! sample context, and the generated module (a `Context` struct and
//! `render(&Context, &mut String)`) is written to `OUT_DIR`.

use djinn::template::cases::{compile_case, read_cases};
use std::path::PathBuf;

/// Template → a sample of its context (only the types matter).
const TEMPLATES: [(&str, &str); 2] = [
    ("big-table", r#"{"table": [[1, 2], [3, 4]]}"#),
    (
        "teams",
        r#"{"year": 2015, "teams": [{"name": "Jiangsu", "score": 43}]}"#,
    ),
];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (name, sample) in TEMPLATES {
        let path = format!("templates/django/{name}.html");
        println!("cargo::rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).expect("the template exists");
        let line = format!(
            r#"{{"name": "{name}", "templates": {{"main": {}}}, "context": {sample}}}"#,
            serde_json_string(&text)
        );
        let cases = read_cases(&line).expect("the case reads");
        let compiled = compile_case(&cases[0]).unwrap_or_else(|diagnostics| {
            panic!("djinn rejects {path}:\n{diagnostics}");
        });
        let file = out.join(format!("{}.rs", name.replace('-', "_")));
        std::fs::write(&file, compiled.module_text()).expect("OUT_DIR is writable");
    }
}

/// A JSON string literal.
fn serde_json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
