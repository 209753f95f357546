//! Acceptance tests of `djinn check` on the samples, through the binary:
//! clean samples print only a one-line summary and exit 0; renaming a field
//! that a query uses exits 1 with a diagnostic at the query.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn djinn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_djinn"))
        .args(args)
        .output()
        .expect("the djinn binary runs")
}

/// Copies a sample into a temp dir so tests can edit it.
fn copy_sample(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let temp = tempfile::tempdir().unwrap();
    copy(&workspace().join("samples").join(name), temp.path());
    temp
}

#[test]
fn every_sample_checks_clean_with_a_one_line_summary() {
    for sample in ["blog", "polls", "shop"] {
        let dir = workspace().join("samples").join(sample);
        let output = djinn(&["check", dir.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{sample}:\n{stderr}");
        assert!(output.stdout.is_empty(), "{sample}: unexpected stdout");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{sample}: more than a summary:\n{stderr}"
        );
        assert!(stderr.starts_with("djinn check: "), "{stderr}");
    }
}

#[test]
fn renaming_a_queried_field_is_an_error_at_the_query() {
    let temp = copy_sample("blog");
    let models = temp.path().join("models.djinn");
    let text = std::fs::read_to_string(&models).unwrap();
    let renamed = text.replacen("    status        choice", "    state         choice", 1);
    assert_ne!(
        text, renamed,
        "the blog's Post.status field moved; update this test"
    );
    std::fs::write(&models, renamed).unwrap();

    // Where the first query that filters on `status` is: views.djinn, the `home` view.
    let views = std::fs::read_to_string(temp.path().join("views.djinn")).unwrap();
    let offset = views
        .find("Post.filter(status")
        .expect("home filters on status")
        + "Post.filter(".len();
    let line = views[..offset].matches('\n').count() + 1;
    let column = offset - views[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;

    let output = djinn(&["check", temp.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let at_query = diagnostics
        .iter()
        .find(|d| {
            d["file"].as_str().unwrap().ends_with("views.djinn")
                && d["line"] == line
                && d["column"] == column
        })
        .unwrap_or_else(|| panic!("no diagnostic at views.djinn:{line}:{column}: {json:#}"));
    assert_eq!(at_query["code"], "E0101");
    let message = at_query["message"].as_str().unwrap();
    assert!(
        message.contains("`Post`") && message.contains("`status`"),
        "{message}"
    );
    assert!(
        at_query["help"]
            .as_str()
            .unwrap_or_default()
            .contains("`state`"),
        "{at_query:#}"
    );

    // The human form points at the same place.
    let human = djinn(&["check", temp.path().to_str().unwrap(), "--color", "never"]);
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert!(
        stderr.contains(&format!("views.djinn:{line}:{column}")),
        "{stderr}"
    );
}
