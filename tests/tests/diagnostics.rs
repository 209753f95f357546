//! The diagnostic fixture corpus: one failing project per code.
//!
//! Each `tests/fixtures/<CODE>-<what>.fixture` must produce a diagnostic with
//! the code its name starts with. Its human rendering is snapshotted (the
//! snapshot shows the fixture's files and the output, so it reads on its own)
//! and its JSON rendering is checked against the documented schema.

use djinn::diagnostics::render;
use djinn::{Code, check_project};
use djinn_tests::{Fixture, workspace_root};
use std::collections::BTreeSet;

fn fixture_paths() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(workspace_root().join("tests/fixtures"))
        .expect("tests/fixtures exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "fixture"))
        .collect();
    paths.sort();
    paths
}

fn code_of(path: &std::path::Path) -> String {
    let name = path.file_stem().unwrap().to_string_lossy();
    name.split('-').next().unwrap().to_string()
}

#[test]
fn every_fixture_reports_its_code() {
    let mut failures = Vec::new();
    for path in fixture_paths() {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture = Fixture::parse(&text);
        let input = fixture.to_input();
        let output = check_project(&input);
        let expected = code_of(&path);
        let codes: Vec<&str> = output.diagnostics.iter().map(|d| d.code.as_str()).collect();
        if !codes.contains(&expected.as_str()) {
            failures.push(format!("{}: expected {expected}, got {codes:?}", path.display()));
            continue;
        }
        let human = render::human(&output.diagnostics, &input.sources, false);
        let mut listing = String::new();
        for (file, body) in &fixture.files {
            listing.push_str(&format!("--- {file}\n{body}"));
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::with_settings!({
            snapshot_path => workspace_root().join("tests/fixtures/snapshots"),
            prepend_module_to_snapshot => false,
            description => fixture.description.clone(),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, format!("{listing}\n=== diagnostics\n{human}"));
        });

        let json: serde_json::Value = serde_json::from_str(&render::json(&output.diagnostics, &input.sources))
            .unwrap_or_else(|e| panic!("{}: JSON output does not parse: {e}", path.display()));
        let diagnostics = json["diagnostics"].as_array().expect("diagnostics array");
        assert_eq!(diagnostics.len(), output.diagnostics.len());
        for d in diagnostics {
            for key in ["code", "severity", "message", "file", "line", "column", "end_line", "end_column", "labels"] {
                assert!(d.get(key).is_some(), "{}: JSON diagnostic lacks `{key}`: {d}", path.display());
            }
            assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
        }
        assert!(
            diagnostics.iter().any(|d| d["code"] == expected.as_str()),
            "{}: JSON lacks {expected}",
            path.display()
        );
    }
    assert!(failures.is_empty(), "fixtures without their code:\n{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_fixture() {
    let covered: BTreeSet<String> = fixture_paths().iter().map(|p| code_of(p)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
    let unknown: Vec<&String> = covered
        .iter()
        .filter(|c| !Code::ALL.iter().any(|code| code.as_str() == c.as_str()))
        .collect();
    assert!(unknown.is_empty(), "fixtures named after no code: {unknown:?}");
}
