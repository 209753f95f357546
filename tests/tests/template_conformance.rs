//! Template conformance: the corpus `tests/template_cases/cases.jsonl`
//! (written by `make_cases.py`) rendered by djinn's compiled templates and
//! compared byte for byte with Django's outputs, recorded by
//! `django-oracle batch` in `expected.jsonl`.
//!
//! The cases run as `djinn template-cases` runs them (the same library
//! function, one program, one build in `target/djinn-template-cases`). A
//! case matches when both render the same text, or both fail (Django
//! raises, djinn rejects it or its rendering fails). The test prints every
//! mismatch, fails below 98% matching, and fails when a mismatching case is
//! not listed in `docs/templates.md`, where each difference has its reason.
//! A second test runs clippy with `-D warnings` on the generated program.

use djinn::template::cases::{CaseResult, RunOptions, read_cases, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn program_dir() -> PathBuf {
    workspace().join("target").join("djinn-template-cases")
}

/// The corpus, compiled, built and run once.
fn results() -> &'static Vec<CaseResult> {
    static RESULTS: OnceLock<Vec<CaseResult>> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let text = std::fs::read_to_string(workspace().join("tests/template_cases/cases.jsonl"))
            .expect("the corpus exists");
        let cases = read_cases(&text).expect("the corpus reads");
        let options = RunOptions {
            dir: program_dir(),
            runtime_path: workspace().join("runtime"),
            verbose: false,
        };
        run(&cases, &options, |line| eprintln!("{line}")).unwrap_or_else(|error| panic!("{error}"))
    })
}

/// Django's outputs, by case: `Ok(output)` or `Err(error)`.
fn expected() -> Vec<(String, Result<String, String>)> {
    let text = std::fs::read_to_string(workspace().join("tests/template_cases/expected.jsonl"))
        .expect("the expected outputs exist");
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let name = value["name"].as_str().expect("a name").to_string();
            let outcome = match (value["output"].as_str(), value["error"].as_str()) {
                (Some(output), _) => Ok(output.to_string()),
                (None, Some(error)) => Err(error.to_string()),
                _ => panic!("neither output nor error: {line}"),
            };
            (name, outcome)
        })
        .collect()
}

#[test]
fn corpus_matches_django() {
    let expected = expected();
    let results = results();
    assert!(
        expected.len() >= 600,
        "the corpus has {} cases",
        expected.len()
    );
    assert_eq!(
        expected.len(),
        results.len(),
        "expected.jsonl is out of date"
    );
    let docs = std::fs::read_to_string(workspace().join("docs/templates.md"))
        .expect("docs/templates.md exists");
    let mut mismatches = Vec::new();
    for ((name, django), result) in expected.iter().zip(results) {
        assert_eq!(*name, result.name, "expected.jsonl is out of date");
        let matches = match (django, &result.outcome) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !matches {
            mismatches.push((name, django, &result.outcome));
        }
    }
    for (name, django, djinn) in &mismatches {
        eprintln!("mismatch: {name}\n  django: {django:?}\n  djinn:  {djinn:?}");
    }
    let matching = expected.len() - mismatches.len();
    eprintln!("{matching}/{} cases match Django", expected.len());
    assert!(
        matching * 100 >= expected.len() * 98,
        "only {matching} of {} cases match Django",
        expected.len()
    );
    let undocumented: Vec<&str> = mismatches
        .iter()
        .map(|(name, _, _)| name.as_str())
        .filter(|name| !docs.contains(&format!("`{name}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "mismatches not listed in docs/templates.md: {undocumented:?}"
    );
}

#[test]
fn generated_program_passes_clippy_with_warnings_denied() {
    results();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["clippy", "--quiet", "--manifest-path"])
        .arg(program_dir().join("crate").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(program_dir().join("target"))
        .args(["--", "-D", "warnings"])
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo clippy runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
