//! `djinn makemigrations` and `djinn check` on a project whose models
//! change step by step: each migration's files are snapshotted, drift is
//! reported, data loss is refused unless allowed, and the same steps give
//! the same bytes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const SETTINGS: &str = "[project]\nname = \"notes\"\n";

/// The models at each step.
const STEPS: &[(&str, &str)] = &[
    (
        "initial",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Post {\n    title string(max = 200)\n    body text\n    author Author on_delete = cascade related_name = posts\n}\n",
    ),
    (
        "a field with a default",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n}\n",
    ),
    (
        "a model and a many-to-many field",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Tag {\n    name string(max = 50) unique\n}\n\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n}\n",
    ),
    (
        "an index",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Tag {\n    name string(max = 50) unique\n}\n\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n\n    meta {\n        index (title)\n    }\n}\n",
    ),
    (
        "a renamed field",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Tag {\n    name string(max = 50) unique\n}\n\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    content text renamed_from = body\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n\n    meta {\n        index (title)\n    }\n}\n",
    ),
    (
        "a dropped field",
        "model Author {\n    name string(max = 100)\n}\n\n\
         model Tag {\n    name string(max = 50) unique\n}\n\n\
         model Post {\n    title string(max = 200)\n    content text renamed_from = body\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n\n    meta {\n        index (title)\n    }\n}\n",
    ),
];

fn djinn(dir: &Path, args: &[&str]) -> Output {
    // Run inside the project, so that paths in messages are relative.
    Command::new(env!("CARGO_BIN_EXE_djinn"))
        .args(args)
        .arg(".")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("djinn runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        // The timing changes from run to run.
        .map(|line| match line.find(") in ") {
            Some(at) if line.starts_with("djinn check:") => format!("{}) in … ms", &line[..at]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under `migrations/`, by name.
fn migration_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir.join("migrations")) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(entry.path()).unwrap(),
            )
        })
        .collect()
}

fn write_models(dir: &Path, models: &str) {
    std::fs::write(dir.join("models.djinn"), models).unwrap();
}

/// Runs the steps in a new project; every file written, by name.
fn run_steps(snapshot: bool) -> BTreeMap<String, String> {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join("djinn.toml"), SETTINGS).unwrap();
    std::fs::create_dir(dir.join("migrations")).unwrap();
    for (index, (step, models)) in STEPS.iter().enumerate() {
        write_models(dir, models);
        let before = migration_files(dir);

        // The models changed and no migration says so yet.
        let checked = djinn(dir, &["check"]);
        assert_eq!(
            checked.status.code(),
            Some(1),
            "{step}: {}",
            stderr(&checked)
        );
        assert!(
            stderr(&checked).contains("E0801"),
            "{step}: {}",
            stderr(&checked)
        );
        if snapshot && index == 1 {
            insta::assert_snapshot!("drift", stderr(&checked));
        }

        if *step == "a dropped field" {
            let refused = djinn(dir, &["makemigrations"]);
            assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
            assert_eq!(migration_files(dir), before, "nothing written");
            if snapshot {
                insta::assert_snapshot!("refused_data_loss", stderr(&refused));
            }
            let made = djinn(dir, &["makemigrations", "--allow-data-loss"]);
            assert!(made.status.success(), "{}", stderr(&made));
        } else {
            let made = djinn(dir, &["makemigrations"]);
            assert!(made.status.success(), "{step}: {}", stderr(&made));
        }
        let after = migration_files(dir);
        let new: Vec<(&String, &String)> = after
            .iter()
            .filter(|(name, _)| !before.contains_key(*name))
            .collect();
        assert_eq!(new.len(), 2, "{step}: one migration and its schema");
        if snapshot {
            for (name, text) in &new {
                insta::assert_snapshot!(name.as_str(), text.as_str());
            }
        }

        let checked = djinn(dir, &["check"]);
        assert!(checked.status.success(), "{step}: {}", stderr(&checked));
        let again = djinn(dir, &["makemigrations"]);
        assert!(again.status.success());
        assert!(
            stderr(&again).contains("no changes detected"),
            "{}",
            stderr(&again)
        );
        assert_eq!(migration_files(dir), after, "{step}: no changes, no file");
    }
    migration_files(dir)
}

#[test]
fn each_change_is_a_migration() {
    let files = run_steps(true);
    let names: Vec<&str> = files
        .keys()
        .filter(|name| name.ends_with(".toml"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "0001_initial.toml",
            "0002_post_add_subtitle.toml",
            "0003_create_tag_post_add_tags.toml",
            "0004_post_add_index.toml",
            "0005_post_rename_body_content.toml",
            "0006_post_remove_subtitle.toml",
        ]
    );
}

#[test]
fn the_same_steps_write_the_same_bytes() {
    assert_eq!(run_steps(false), run_steps(false));
}

#[test]
fn dry_runs_and_names_write_nothing_or_what_was_asked() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join("djinn.toml"), SETTINGS).unwrap();
    write_models(dir, STEPS[0].1);
    let dry = djinn(dir, &["makemigrations", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let printed = String::from_utf8_lossy(&dry.stdout);
    assert!(
        printed.contains("=== migrations/0001_initial.toml"),
        "{printed}"
    );
    assert!(!dir.join("migrations").exists());
    let bad = djinn(dir, &["makemigrations", "--name", "Not Good"]);
    assert_eq!(bad.status.code(), Some(2));
    let named = djinn(dir, &["makemigrations", "--name", "first_models"]);
    assert!(named.status.success(), "{}", stderr(&named));
    assert!(dir.join("migrations/0001_first_models.toml").is_file());
    assert!(
        dir.join("migrations/0001_first_models.schema.json")
            .is_file()
    );
}

#[test]
fn a_new_field_without_a_value_for_old_rows_is_refused() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join("djinn.toml"), SETTINGS).unwrap();
    write_models(dir, STEPS[0].1);
    assert!(djinn(dir, &["makemigrations"]).status.success());
    write_models(
        dir,
        &STEPS[0]
            .1
            .replace("    body text\n", "    body text\n    summary text\n"),
    );
    for args in [
        &["makemigrations"][..],
        &["makemigrations", "--allow-data-loss"],
    ] {
        let refused = djinn(dir, args);
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("NOT NULL"),
            "{}",
            stderr(&refused)
        );
    }
    assert_eq!(migration_files(dir).len(), 2);
}
