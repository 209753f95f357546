//! Running cases: the program [`compile_cases`](super::compile_cases) made,
//! written, built by cargo and run — what `djinn template-cases` and the
//! conformance test do.
//!
//! Input: the cases and [`RunOptions`]. Output: each case's
//! [`CaseResult`], in input order. Writing and building go through
//! [`crate::builder`] (only changed files are written, so only changed
//! cases recompile); this module then runs the built program and pairs its
//! lines with the cases it compiled.

use super::{Case, compile_cases};
use crate::builder::{self, BuildError, BuildOptions};
use crate::codegen::GeneratedCrate;
use std::path::PathBuf;
use std::process::Command;

/// The package name of the generated program.
const PROGRAM: &str = "djinn-template-cases";

/// Where and with what the program is built.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The directory holding the program's crate (`crate/`) and cargo's
    /// target directory (`target/`).
    pub dir: PathBuf,
    /// The `djinn-runtime` crate the program depends on.
    pub runtime_path: PathBuf,
    /// Pass every line of cargo's output on.
    pub verbose: bool,
}

/// What became of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// The rendered page, or an error: the rendered diagnostics of a case
    /// djinn rejects, or the error a rendering raised.
    pub outcome: Result<String, String>,
}

/// Compiles, builds and runs the cases; `progress` gets cargo's lines.
pub fn run(
    cases: &[Case],
    options: &RunOptions,
    progress: impl FnMut(&str),
) -> Result<Vec<CaseResult>, String> {
    let program = compile_cases(cases, &options.runtime_path.to_string_lossy());
    let crate_dir = options.dir.join("crate");
    let generated = GeneratedCrate {
        files: program.files.clone(),
    };
    builder::write_crate(&generated, &crate_dir)
        .map_err(|error| format!("cannot write {}: {error}", crate_dir.display()))?;
    builder::seed_lock_file(&crate_dir, &options.runtime_path)
        .map_err(|error| format!("cannot copy the lock file: {error}"))?;
    let build = BuildOptions {
        crate_dir,
        target_dir: options.dir.join("target"),
        release: false,
        verbose: options.verbose,
        name: PROGRAM.to_string(),
    };
    let binary = builder::cargo_build(&build, progress).map_err(|error| match error {
        BuildError::UserCode(messages) | BuildError::Internal(messages) => format!(
            "the generated program does not compile (a djinn bug):\n{}",
            messages.join("")
        ),
        other => other.to_string(),
    })?;
    let output = Command::new(&binary)
        .output()
        .map_err(|error| format!("cannot run {}: {error}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let mut results = Vec::with_capacity(program.outcomes.len());
    for (name, outcome) in program.outcomes {
        let outcome = match outcome {
            Err(error) => Err(error),
            Ok(()) => {
                let line = lines.next().ok_or_else(|| {
                    format!(
                        "the program stopped before case `{name}` ({}): {}",
                        output.status,
                        String::from_utf8_lossy(&output.stderr)
                    )
                })?;
                let value: serde_json::Value = serde_json::from_str(line)
                    .map_err(|error| format!("the program printed `{line}`: {error}"))?;
                match (value["output"].as_str(), value["error"].as_str()) {
                    (Some(text), _) => Ok(text.to_string()),
                    (None, Some(error)) => Err(error.to_string()),
                    _ => return Err(format!("the program printed `{line}`")),
                }
            }
        };
        results.push(CaseResult { name, outcome });
    }
    Ok(results)
}
