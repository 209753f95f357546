//! Building: a generated crate on disk, compiled by cargo.
//!
//! Input: a [`GeneratedCrate`] and [`BuildOptions`]. Output: the crate's
//! files written (only those whose content changed, so cargo's fingerprints
//! of the others stay valid), then cargo's build of it, its progress
//! streamed, and the path of the server binary — or a [`BuildError`].
//!
//! This module and the CLI are the only places that write files and run
//! processes. Where things go:
//!
//! - the crate: `<project>/.djinn/build/<name>/` (or `djinn emit --out`);
//! - cargo's target directory, shared by every generated crate of the
//!   machine so that dependencies compile once: `DJINN_TARGET_DIR`, else
//!   `CARGO_TARGET_DIR`, else `$XDG_CACHE_HOME/djinn/target`, else
//!   `~/.cache/djinn/target`;
//! - the binary, copied out of the shared directory (where another project
//!   of the same name would overwrite it): `<project>/.djinn/bin/<name>`.
//!
//! A crate whose generated code fails to compile is a djinn bug: the error
//! says so and points to the bug tracker, and rustc's messages are shown
//! only with `verbose`. Errors in the project's own Rust files are the
//! user's and are always shown.

use crate::codegen::GeneratedCrate;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where to report bugs in generated code.
pub const BUG_REPORT_URL: &str = "https://example.invalid/djinn/issues";

/// The `djinn-runtime` crate this compiler was built with (its directory
/// in djinn's repository), unless `DJINN_RUNTIME_PATH` says otherwise.
pub fn default_runtime_path() -> PathBuf {
    if let Some(path) = std::env::var_os("DJINN_RUNTIME_PATH") {
        return PathBuf::from(path);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    path.canonicalize().unwrap_or(path)
}

/// The target directory every generated crate shares (see the module docs).
pub fn default_target_dir() -> PathBuf {
    for variable in ["DJINN_TARGET_DIR", "CARGO_TARGET_DIR"] {
        if let Some(dir) = std::env::var_os(variable).filter(|dir| !dir.is_empty()) {
            return PathBuf::from(dir);
        }
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("djinn").join("target")
}

/// What writing a crate did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files created or changed.
    pub written: Vec<String>,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files of an earlier emit that the crate no longer has.
    pub removed: Vec<String>,
}

/// Writes `generated` into `dir`: only files whose content differs, and
/// removes files under `src/` that the crate no longer has (a deleted user
/// module). `Cargo.lock` and `target/` are left alone.
pub fn write_crate(generated: &GeneratedCrate, dir: &Path) -> std::io::Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    for (relative, text) in &generated.files {
        let path = dir.join(relative);
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            summary.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        summary.written.push(relative.clone());
    }
    let kept: BTreeSet<&str> = generated.files.keys().map(String::as_str).collect();
    for relative in files_under(&dir.join("src"), "src")? {
        if !kept.contains(relative.as_str()) {
            std::fs::remove_file(dir.join(&relative))?;
            summary.removed.push(relative);
        }
    }
    Ok(summary)
}

/// Relative paths (`src/…`) of the files under `dir`, sorted.
fn files_under(dir: &Path, prefix: &str) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if entry.file_type()?.is_dir() {
            out.extend(files_under(&entry.path(), &name)?);
        } else {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Copies the dependency versions djinn is tested with (its repository's
/// `Cargo.lock`) into a crate that has no lock file yet, so that every
/// generated crate resolves to the same, already compiled dependencies.
pub fn seed_lock_file(crate_dir: &Path, runtime_path: &Path) -> std::io::Result<()> {
    let lock = crate_dir.join("Cargo.lock");
    if lock.exists() {
        return Ok(());
    }
    let repository_lock = runtime_path.join("../Cargo.lock");
    if repository_lock.exists() {
        std::fs::copy(repository_lock, lock)?;
    }
    Ok(())
}

/// How to run cargo.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The crate to build.
    pub crate_dir: PathBuf,
    /// cargo's target directory.
    pub target_dir: PathBuf,
    /// `--release`.
    pub release: bool,
    /// Show rustc's messages about generated code, and cargo's own lines.
    pub verbose: bool,
    /// The binary's name (the project's).
    pub name: String,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// cargo could not be started or its output not read.
    Cargo(String),
    /// The project's own Rust code does not compile: rustc's messages.
    UserCode(Vec<String>),
    /// The generated code does not compile — a djinn bug; rustc's messages
    /// for `--verbose`.
    Internal(Vec<String>),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Cargo(message) => write!(f, "cargo failed: {message}"),
            BuildError::UserCode(messages) => {
                for message in messages {
                    f.write_str(message)?;
                }
                write!(f, "the project's Rust code under src/ does not compile")
            }
            BuildError::Internal(_) => write!(
                f,
                "internal error: the code djinn generated does not compile. This is a bug in \
                 djinn, not in your project; please report it at {BUG_REPORT_URL} with the \
                 project (or `djinn emit`'s output) attached. Run with --verbose to see \
                 rustc's messages."
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Runs `cargo build` on the crate, passing cargo's progress lines to
/// `progress`, and returns the built binary's path in the target directory.
pub fn cargo_build(
    options: &BuildOptions,
    mut progress: impl FnMut(&str),
) -> Result<PathBuf, BuildError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(options.crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&options.target_dir)
        .arg("--message-format=json")
        .arg("--color=never")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if options.release {
        command.arg("--release");
    }
    // The generated crate is its own workspace; variables of an enclosing
    // cargo run (djinn's own tests) must not leak into it.
    command
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS");
    let mut child = command
        .spawn()
        .map_err(|error| BuildError::Cargo(format!("cannot run cargo: {error}")))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| BuildError::Cargo("no stderr".into()))?;
    let verbose = options.verbose;
    let (line_sender, line_receiver) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line_sender.send(line).is_err() {
                break;
            }
        }
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| BuildError::Cargo("no stdout".into()))?;
    let crate_src = options.crate_dir.join("src");
    let mut executable = None;
    let mut user_messages = Vec::new();
    let mut generated_messages = Vec::new();
    let mut cargo_lines = Vec::new();
    let mut pass_on = |line: String, progress: &mut dyn FnMut(&str)| {
        let is_problem = line.starts_with("error") || line.starts_with("warning");
        if verbose || !is_problem {
            progress(&line);
        }
        cargo_lines.push(line);
    };
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        while let Ok(cargo_line) = line_receiver.try_recv() {
            pass_on(cargo_line, &mut progress);
        }
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let is_our_binary = message["target"]["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
                    && message["target"]["name"] == options.name.as_str();
                if is_our_binary {
                    executable = message["executable"].as_str().map(PathBuf::from);
                }
            }
            Some("compiler-message") => {
                let rendered = message["message"]["rendered"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let level = message["message"]["level"].as_str().unwrap_or_default();
                let file = message["message"]["spans"]
                    .as_array()
                    .and_then(|spans| spans.iter().find(|span| span["is_primary"] == true))
                    .and_then(|span| span["file_name"].as_str())
                    .map(PathBuf::from);
                let in_user_file = file
                    .as_ref()
                    .is_some_and(|file| is_user_file(file, &crate_src));
                if in_user_file {
                    user_messages.push(rendered);
                } else if level == "error" || verbose {
                    generated_messages.push(rendered);
                }
            }
            _ => {}
        }
    }
    let status = child
        .wait()
        .map_err(|error| BuildError::Cargo(format!("cannot wait for cargo: {error}")))?;
    let _ = reader.join();
    while let Ok(cargo_line) = line_receiver.try_recv() {
        pass_on(cargo_line, &mut progress);
    }
    if status.success() {
        if verbose {
            generated_messages
                .iter()
                .for_each(|message| progress(message));
        }
        user_messages.iter().for_each(|message| progress(message));
        return executable
            .ok_or_else(|| BuildError::Cargo("cargo reported no binary for the project".into()));
    }
    if !user_messages.is_empty() {
        return Err(BuildError::UserCode(user_messages));
    }
    if generated_messages.is_empty() {
        // cargo itself failed (no network for a first download, a lock…).
        return Err(BuildError::Cargo(cargo_lines.join("\n")));
    }
    Err(BuildError::Internal(generated_messages))
}

/// Whether rustc's file name is one of the project's own Rust files (a
/// copy under `src/` that is not generated).
fn is_user_file(file: &Path, crate_src: &Path) -> bool {
    let relative = file
        .strip_prefix(crate_src)
        .or_else(|_| file.strip_prefix("src"))
        .ok();
    let Some(relative) = relative else {
        return false;
    };
    let generated = [
        "main.rs",
        "lib.rs",
        "models.rs",
        "urls.rs",
        "context.rs",
        "templates.rs",
    ];
    let text = relative.to_string_lossy();
    !(generated.contains(&text.as_ref()) || text.starts_with("__djinn"))
}

/// Copies the built binary to `<project>/.djinn/bin/<name>` and returns
/// that path, absolute.
pub fn install_binary(built: &Path, project_dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    let bin_dir = project_dir.join(".djinn").join("bin");
    std::fs::create_dir_all(&bin_dir)?;
    let file_name = built
        .file_name()
        .map_or_else(|| name.into(), |file| file.to_os_string());
    let target = bin_dir.join(file_name);
    // Replace rather than overwrite: the old binary may be running.
    let staging = bin_dir.join(format!(".{name}.new"));
    std::fs::copy(built, &staging)?;
    std::fs::rename(&staging, &target)?;
    // Absolute, so that it runs from any working directory.
    target.canonicalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_skips_unchanged_files_and_removes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut generated = GeneratedCrate::default();
        generated
            .files
            .insert("Cargo.toml".into(), "[package]\n".into());
        generated
            .files
            .insert("src/main.rs".into(), "fn main() {}\n".into());
        generated.files.insert("src/old.rs".into(), "\n".into());
        let first = write_crate(&generated, dir.path()).unwrap();
        assert_eq!(first.written.len(), 3);
        generated.files.remove("src/old.rs");
        generated
            .files
            .insert("src/main.rs".into(), "fn main() { }\n".into());
        let second = write_crate(&generated, dir.path()).unwrap();
        assert_eq!(second.written, vec!["src/main.rs".to_string()]);
        assert_eq!(second.unchanged, 1);
        assert_eq!(second.removed, vec!["src/old.rs".to_string()]);
        assert!(!dir.path().join("src/old.rs").exists());
    }

    #[test]
    fn user_files_are_told_from_generated_ones() {
        let src = Path::new("/p/.djinn/build/blog/src");
        assert!(is_user_file(&src.join("polls.rs"), src));
        assert!(is_user_file(Path::new("src/hooks/mail.rs"), src));
        assert!(!is_user_file(&src.join("models.rs"), src));
        assert!(!is_user_file(&src.join("__djinn/views.rs"), src));
        assert!(!is_user_file(Path::new("/elsewhere/x.rs"), src));
    }
}
