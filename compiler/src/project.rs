//! The input of the front end: every file of a project, held in memory.
//!
//! [`ProjectInput::load`] is the only function that reads a project from
//! disk; everything after it works on the in-memory [`ProjectInput`], so an
//! editor or a test can build one from strings with [`ProjectInput::builder`].

use crate::source::{FileId, SourceKind, SourceMap};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// All files of a project, by role.
#[derive(Clone, Debug, Default)]
pub struct ProjectInput {
    /// The text of every file.
    pub sources: SourceMap,
    /// `djinn.toml`, if present.
    pub settings: Option<FileId>,
    /// The `*.djinn` files, sorted by path.
    pub specs: Vec<FileId>,
    /// Templates by name relative to `templates/` (`blog/post_list.html`).
    pub templates: BTreeMap<String, FileId>,
    /// Rust files under `src/`, by path relative to `src/` (`views.rs`, `hooks/mod.rs`).
    pub rust: BTreeMap<String, FileId>,
    /// Files under `static/`, by path relative to `static/`.
    pub static_files: BTreeSet<String>,
    /// Files directly under `migrations/` (`0001_initial.toml`,
    /// `0001_initial.schema.json`), by name; `None` when the project has no
    /// `migrations/` directory (see `crate::migrations`).
    pub migrations: Option<BTreeMap<String, FileId>>,
    /// The `.json` files directly under `fixtures/` (`demo.json`), by name:
    /// data in Django's dumpdata format, checked against the models (see
    /// `crate::check::fixtures`).
    pub fixtures: BTreeMap<String, FileId>,
}

/// An I/O failure while reading a project (exit code 2, not a diagnostic).
#[derive(Debug)]
pub struct LoadError {
    /// The path that failed.
    pub path: PathBuf,
    /// Why.
    pub error: std::io::Error,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for LoadError {}

impl ProjectInput {
    /// Starts a project made from in-memory files.
    pub fn builder() -> ProjectInputBuilder {
        ProjectInputBuilder::default()
    }

    /// Reads a project directory: `djinn.toml`, `*.djinn` at any depth
    /// outside `templates/`, `static/`, `src/`, `target/` and dot-directories,
    /// templates under `templates/`, Rust under `src/`, names under `static/`,
    /// the `.toml` and `.json` files directly under `migrations/`, and the
    /// `.json` files directly under `fixtures/`.
    pub fn load(root: &Path) -> Result<ProjectInput, LoadError> {
        let mut builder = ProjectInput::builder();
        let read = |path: &Path| {
            std::fs::read(path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|error| LoadError {
                    path: path.to_path_buf(),
                    error,
                })
        };
        let meta = std::fs::metadata(root).map_err(|error| LoadError {
            path: root.to_path_buf(),
            error,
        })?;
        if !meta.is_dir() {
            return Err(LoadError {
                path: root.to_path_buf(),
                error: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            });
        }
        let settings = root.join("djinn.toml");
        if settings.is_file() {
            builder = builder.settings(read(&settings)?);
        }
        for rel in walk(root, &["templates", "static", "src", "target"])? {
            if rel.ends_with(".djinn") {
                builder = builder.spec(rel.clone(), read(&root.join(&rel))?);
            }
        }
        for rel in walk(&root.join("templates"), &[])? {
            builder = builder.template(rel.clone(), read(&root.join("templates").join(&rel))?);
        }
        for rel in walk(&root.join("src"), &[])? {
            if rel.ends_with(".rs") {
                builder = builder.rust(rel.clone(), read(&root.join("src").join(&rel))?);
            }
        }
        for rel in walk(&root.join("static"), &[])? {
            builder = builder.static_file(rel);
        }
        let migrations = root.join("migrations");
        if migrations.is_dir() {
            builder = builder.migrations_directory();
            for name in walk(&migrations, &[])? {
                if !name.contains('/') && (name.ends_with(".toml") || name.ends_with(".json")) {
                    builder = builder.migration(name.clone(), read(&migrations.join(&name))?);
                }
            }
        }
        let fixtures = root.join("fixtures");
        for name in walk(&fixtures, &[])? {
            if !name.contains('/') && name.ends_with(".json") {
                builder = builder.fixture(name.clone(), read(&fixtures.join(&name))?);
            }
        }
        Ok(builder.build())
    }
}

/// Relative paths (with `/`) of all files under `dir`, sorted, skipping
/// dot-entries and the named top-level directories. A missing `dir` is empty.
fn walk(dir: &Path, skip_top: &[&str]) -> Result<Vec<String>, LoadError> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && rel.is_empty() => continue,
            Err(error) => return Err(LoadError { path, error }),
        };
        for entry in entries {
            let entry = entry.map_err(|error| LoadError {
                path: path.clone(),
                error,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (rel.is_empty() && skip_top.contains(&name.as_str())) {
                continue;
            }
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let file_type = entry.file_type().map_err(|error| LoadError {
                path: entry.path(),
                error,
            })?;
            if file_type.is_dir() {
                stack.push((entry.path(), child_rel));
            } else {
                out.push(child_rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Builds a [`ProjectInput`] from strings (tests, editors, the fuzzer).
#[derive(Default)]
pub struct ProjectInputBuilder {
    settings: Option<String>,
    specs: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    rust: Vec<(String, String)>,
    static_files: BTreeSet<String>,
    migrations: Option<Vec<(String, String)>>,
    fixtures: Vec<(String, String)>,
}

impl ProjectInputBuilder {
    /// The text of `djinn.toml`.
    pub fn settings(mut self, text: impl Into<String>) -> Self {
        self.settings = Some(text.into());
        self
    }

    /// A `.djinn` file at `path` (relative to the project root).
    pub fn spec(mut self, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.specs.push((path.into(), text.into()));
        self
    }

    /// A template named `name` (relative to `templates/`).
    pub fn template(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.templates.push((name.into(), text.into()));
        self
    }

    /// A Rust file at `path` relative to `src/`.
    pub fn rust(mut self, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.rust.push((path.into(), text.into()));
        self
    }

    /// A file under `static/` (only its name matters to the checker).
    pub fn static_file(mut self, path: impl Into<String>) -> Self {
        self.static_files.insert(path.into());
        self
    }

    /// A `migrations/` directory, even an empty one: the project's schema
    /// is then managed by migrations.
    pub fn migrations_directory(mut self) -> Self {
        self.migrations.get_or_insert_with(Vec::new);
        self
    }

    /// A file named `name` directly under `migrations/` (implies
    /// [`ProjectInputBuilder::migrations_directory`]).
    pub fn migration(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.migrations
            .get_or_insert_with(Vec::new)
            .push((name.into(), text.into()));
        self
    }

    /// A fixture named `name` (`demo.json`) directly under `fixtures/`.
    pub fn fixture(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.fixtures.push((name.into(), text.into()));
        self
    }

    /// The finished input. File ids follow a fixed order (settings, specs,
    /// templates, Rust, migrations, fixtures), each group sorted by path, so
    /// output is deterministic.
    pub fn build(mut self) -> ProjectInput {
        let mut input = ProjectInput::default();
        if let Some(text) = self.settings {
            input.settings = Some(input.sources.add("djinn.toml", SourceKind::Settings, text));
        }
        self.specs.sort();
        for (path, text) in self.specs {
            input
                .specs
                .push(input.sources.add(path, SourceKind::Spec, text));
        }
        self.templates.sort();
        for (name, text) in self.templates {
            let id = input
                .sources
                .add(format!("templates/{name}"), SourceKind::Template, text);
            input.templates.insert(name, id);
        }
        self.rust.sort();
        for (path, text) in self.rust {
            let id = input
                .sources
                .add(format!("src/{path}"), SourceKind::Rust, text);
            input.rust.insert(path, id);
        }
        input.static_files = self.static_files;
        if let Some(mut migrations) = self.migrations {
            migrations.sort();
            let mut files = BTreeMap::new();
            for (name, text) in migrations {
                let id = input
                    .sources
                    .add(format!("migrations/{name}"), SourceKind::Other, text);
                files.insert(name, id);
            }
            input.migrations = Some(files);
        }
        self.fixtures.sort();
        for (name, text) in self.fixtures {
            let id = input
                .sources
                .add(format!("fixtures/{name}"), SourceKind::Other, text);
            input.fixtures.insert(name, id);
        }
        input
    }
}
