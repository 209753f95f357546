//! Shared helpers for djinn's end-to-end tests and fixture corpus.
//!
//! A *fixture* is one small project written in a single text file: sections
//! introduced by `--- path` lines hold the project's files. Lines before the
//! first section describe the fixture. When no `djinn.toml` section is given,
//! a minimal one is supplied, so most fixtures are just a `.djinn` file; an
//! empty `--- !djinn.toml` section means "no settings file at all".
//! Sections under `migrations/` are migration files, under `fixtures/` fixtures.
//!
//! ```text
//! An unknown field in a query.
//! --- app.djinn
//! model Post { title text }
//! view v: list Post { query Post.filter(titel == "x") template "t.html" }
//! --- templates/t.html
//! {{ object_list }}
//! ```

use djinn::ProjectInput;
use std::path::{Path, PathBuf};

/// The `djinn.toml` used when a fixture has none.
pub const DEFAULT_SETTINGS: &str = "[project]\nname = \"fixture\"\n";

/// A parsed fixture file.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The description lines.
    pub description: String,
    /// `(path, text)` per section, in file order.
    pub files: Vec<(String, String)>,
}

impl Fixture {
    /// Splits fixture text into its sections.
    pub fn parse(text: &str) -> Fixture {
        let mut description = String::new();
        let mut files: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("--- ") {
                files.push((path.trim().to_string(), String::new()));
            } else if let Some((_, body)) = files.last_mut() {
                body.push_str(line);
            } else {
                description.push_str(line);
            }
        }
        Fixture {
            description: description.trim().to_string(),
            files,
        }
    }

    /// The project the fixture describes.
    pub fn to_input(&self) -> ProjectInput {
        let mut builder = ProjectInput::builder();
        if !self
            .files
            .iter()
            .any(|(p, _)| p == "djinn.toml" || p == "!djinn.toml")
        {
            builder = builder.settings(DEFAULT_SETTINGS);
        }
        for (path, text) in &self.files {
            builder = if path == "!djinn.toml" {
                builder
            } else if path == "djinn.toml" {
                builder.settings(text.clone())
            } else if let Some(name) = path.strip_prefix("templates/") {
                builder.template(name, text.clone())
            } else if let Some(name) = path.strip_prefix("src/") {
                builder.rust(name, text.clone())
            } else if let Some(name) = path.strip_prefix("static/") {
                builder.static_file(name)
            } else if let Some(name) = path.strip_prefix("migrations/") {
                builder.migration(name, text.clone())
            } else if let Some(name) = path.strip_prefix("fixtures/") {
                builder.fixture(name, text.clone())
            } else {
                builder.spec(path.clone(), text.clone())
            };
        }
        builder.build()
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The sample projects under `samples/`, sorted by name.
pub fn samples() -> Vec<PathBuf> {
    let mut samples: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("samples"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("djinn.toml").is_file())
                .collect()
        })
        .unwrap_or_default();
    samples.sort();
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_split_into_sections() {
        let f = Fixture::parse("about\n--- app.djinn\nmodel A {\n}\n--- templates/a.html\nhi\n");
        assert_eq!(f.description, "about");
        assert_eq!(f.files.len(), 2);
        assert_eq!(
            f.files[1],
            ("templates/a.html".to_string(), "hi\n".to_string())
        );
        let input = f.to_input();
        assert!(input.settings.is_some());
        assert_eq!(input.specs.len(), 1);
        assert!(input.templates.contains_key("a.html"));
    }
}
