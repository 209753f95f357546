//! End-to-end tests of the `djinn` binary: exit codes, the three output
//! formats, the summary line, and `djinn new`, on projects in temp dirs.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `djinn` with `args` in `cwd`.
fn djinn(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_djinn"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("the djinn binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A temp dir holding a scaffolded project called `notes`.
fn scaffolded() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let output = djinn(temp.path(), &["new", "notes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    temp
}

/// A scaffolded project whose `djinn.toml` has an unknown key on line 5.
fn with_unknown_key() -> tempfile::TempDir {
    let temp = scaffolded();
    let path = temp.path().join("notes/djinn.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    let toml = toml.replacen("[project]\n", "[project]\nnmae = \"x\"\n", 1);
    std::fs::write(&path, toml).unwrap();
    temp
}

/// The last line of stderr, checked to be the summary, without its timing.
fn summary(output: &Output) -> String {
    let text = stderr(output);
    let last = text.lines().last().unwrap_or_default().to_string();
    let (summary, timing) = last
        .rsplit_once(" in ")
        .expect("summary line ends with a timing");
    assert!(timing.ends_with(" ms"), "{last}");
    assert!(
        timing.trim_end_matches(" ms").parse::<u64>().is_ok(),
        "{last}"
    );
    summary.to_string()
}

#[test]
fn new_creates_a_project_that_checks_clean() {
    let temp = scaffolded();
    let root = temp.path().join("notes");
    for file in [
        "djinn.toml",
        "app.djinn",
        "templates/base.html",
        "templates/note_list.html",
        "templates/note_detail.html",
        "static/style.css",
        "README.md",
        ".gitignore",
    ] {
        assert!(root.join(file).is_file(), "{file} missing");
    }
    let output = djinn(&root, &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "djinn check: notes — ok (1 spec file, 3 templates)"
    );
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn new_refuses_an_existing_directory_and_bad_names() {
    let temp = scaffolded();
    let again = djinn(temp.path(), &["new", "notes"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let bad = djinn(temp.path(), &["new", "My-Site"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("try `djinn new my_site`"),
        "{}",
        stderr(&bad)
    );
    assert!(!temp.path().join("My-Site").exists());

    let elsewhere = djinn(temp.path(), &["new", "other", "--dir", "sub/dir"]);
    assert_eq!(elsewhere.status.code(), Some(0), "{}", stderr(&elsewhere));
    assert!(temp.path().join("sub/dir/other/djinn.toml").is_file());
}

#[test]
fn check_with_errors_exits_1_with_rustc_style_diagnostics() {
    let temp = with_unknown_key();
    let output = djinn(&temp.path().join("notes"), &["check", "--color", "never"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.starts_with("error[E0011]: unknown key `nmae` in `[project]`\n"),
        "{text}"
    );
    assert!(text.contains("--> djinn.toml:5:1\n"), "{text}");
    assert!(text.contains("^^^^ unknown key"), "{text}");
    assert!(
        text.contains("= help: a key with a similar name exists: `name`"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert_eq!(
        summary(&output),
        "djinn check: notes — 1 error (1 spec file, 3 templates)"
    );
}

#[test]
fn check_paths_are_relative_to_the_working_directory() {
    let temp = with_unknown_key();
    let output = djinn(temp.path(), &["check", "notes", "--color", "always"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("notes/djinn.toml:5:1"), "{text}");
    assert!(text.contains('\u{1b}'), "--color always colors: {text}");
}

#[test]
fn check_json_is_one_document_on_stdout() {
    let temp = with_unknown_key();
    let output = djinn(temp.path(), &["check", "notes", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E0011");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["file"], "notes/djinn.toml");
    assert_eq!(diagnostic["line"], 5);
    assert_eq!(diagnostic["column"], 1);
    assert_eq!(diagnostic["end_line"], 5);
    assert_eq!(diagnostic["end_column"], 5);
    assert_eq!(
        diagnostic["help"],
        "a key with a similar name exists: `name`"
    );
    assert_eq!(diagnostic["labels"][0]["message"], "unknown key");
    // Only the summary goes to stderr.
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn check_github_writes_workflow_commands() {
    let temp = with_unknown_key();
    let output = djinn(temp.path(), &["check", "notes", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "::error file=notes/djinn.toml,line=5,col=1,endLine=5,endColumn=5,\
         title=E0011 unknown settings key::unknown key `nmae` in `[project]`\
         %0Ahelp: a key with a similar name exists: `name`\n"
    );
}

#[test]
fn check_without_settings_reports_e0016() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("app.djinn"), "").unwrap();
    let output = djinn(temp.path(), &["check", ".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "E0016");
    assert_eq!(report["diagnostics"][0]["file"], "app.djinn");
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let temp = scaffolded();
    let clean = djinn(temp.path(), &["check", "notes", "--deny-warnings"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));

    // A view that no route serves is a warning (W0212).
    let spec = temp.path().join("notes/app.djinn");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("\nview about: template \"base.html\"\n");
    std::fs::write(&spec, text).unwrap();
    let warned = djinn(temp.path(), &["check", "notes", "--format", "json"]);
    assert_eq!(warned.status.code(), Some(0), "{}", stderr(&warned));
    let report: serde_json::Value = serde_json::from_str(&stdout(&warned)).unwrap();
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warnings"], 1, "{report}");
    assert_eq!(
        summary(&warned),
        "djinn check: notes — 1 warning (1 spec file, 3 templates)"
    );
    let denied = djinn(temp.path(), &["check", "notes", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let temp = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["check", "--format", "xml"],
        &["check", "--color", "sometimes"],
        &["check", "does-not-exist"],
        // An empty directory is not a project.
        &["check", "."],
        &["new"],
    ];
    for args in cases {
        let output = djinn(temp.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "djinn {args:?}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).is_empty(),
            "djinn {args:?} explains itself"
        );
    }
}

#[test]
fn help_and_version_exit_0() {
    let temp = tempfile::tempdir().unwrap();
    for args in [["--help"], ["--version"]] {
        let output = djinn(temp.path(), &args);
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("djinn"));
    }
}

#[test]
fn makemigrations_writes_the_first_migration_then_finds_no_changes() {
    let temp = scaffolded();
    let first = djinn(temp.path(), &["makemigrations", "notes"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("wrote notes/migrations/0001_initial.toml"),
        "{}",
        stderr(&first)
    );
    assert!(
        temp.path()
            .join("notes/migrations/0001_initial.schema.json")
            .exists()
    );
    let again = djinn(temp.path(), &["makemigrations", "notes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("no changes detected"),
        "{}",
        stderr(&again)
    );
    let check = djinn(temp.path(), &["check", "notes"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn emit_writes_the_generated_crate_and_only_changed_files() {
    let temp = scaffolded();
    let output = djinn(temp.path(), &["emit", "notes", "--out", "out"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(temp.path().join("out/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"notes\""), "{manifest}");
    assert!(temp.path().join("out/src/__djinn/views.rs").exists());
    let again = djinn(temp.path(), &["emit", "notes", "--out", "out"]);
    assert!(
        stderr(&again).contains("0 files written"),
        "{}",
        stderr(&again)
    );
}
