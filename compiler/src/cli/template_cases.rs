//! `djinn template-cases CASES.jsonl`: compile Django template cases into
//! one program, build it, run it, and print each case's output.
//!
//! Input: a cases file (see [`djinn::template::cases`]). Output on stdout:
//! one JSON line per case, in input order — `{"name", "output"}`, or
//! `{"name", "error"}` for a case djinn rejects at compile time (its
//! diagnostics, rendered) or whose rendering fails (the runtime's error).
//! This is the same format `django-oracle batch` prints, so the two can be
//! compared case by case. The program is written to
//! `target/djinn-template-cases/crate` of djinn's repository (or `--dir`)
//! and built there with one cargo target directory, so only changed cases
//! recompile.

use clap::Args;
use djinn::template::cases::{compile_cases, read_cases};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Arguments of `djinn template-cases`.
#[derive(Args)]
pub(super) struct TemplateCasesArgs {
    /// The cases, one JSON object per line (`-` for standard input).
    cases: PathBuf,
    /// Where to write and build the program [default:
    /// target/djinn-template-cases in djinn's repository].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The djinn-runtime crate the program depends on [default:
    /// $DJINN_RUNTIME_PATH, else the runtime of the repository djinn was
    /// built from].
    #[arg(long)]
    runtime_path: Option<PathBuf>,
    /// Show cargo's output.
    #[arg(long, short)]
    verbose: bool,
}

/// Runs the command; exit code 0 when every case was processed (rejected
/// and failing cases included), 2 when the cases cannot be read or the
/// program cannot be built.
pub(super) fn run(args: &TemplateCasesArgs) -> ExitCode {
    match run_cases(args) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("djinn template-cases: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_cases(args: &TemplateCasesArgs) -> Result<Vec<String>, String> {
    let mut text = String::new();
    if args.cases.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| format!("cannot read standard input: {error}"))?;
    } else {
        text = std::fs::read_to_string(&args.cases)
            .map_err(|error| format!("cannot read {}: {error}", args.cases.display()))?;
    }
    let cases = read_cases(&text)?;
    let runtime = match &args.runtime_path {
        Some(path) => path.clone(),
        None => default_runtime_path(),
    };
    let program = compile_cases(&cases, &runtime.to_string_lossy());
    let dir = args.dir.clone().unwrap_or_else(default_dir);
    let crate_dir = dir.join("crate");
    write_files(&crate_dir, &program.files)
        .map_err(|error| format!("cannot write {}: {error}", crate_dir.display()))?;
    let lock = runtime.join("../Cargo.lock");
    if !crate_dir.join("Cargo.lock").exists() && lock.exists() {
        // The versions djinn is tested with, so that dependencies resolve alike.
        std::fs::copy(&lock, crate_dir.join("Cargo.lock"))
            .map_err(|error| format!("cannot copy {}: {error}", lock.display()))?;
    }
    let target = dir.join("target");
    let binary = build(&crate_dir, &target, args.verbose)?;
    let compiled = program.outcomes.iter().filter(|(_, o)| o.is_ok()).count();
    let output = Command::new(&binary)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut results = stdout.lines();
    let mut lines = Vec::with_capacity(program.outcomes.len());
    for (name, outcome) in &program.outcomes {
        let name_json = serde_json::Value::String(name.clone());
        let line = match outcome {
            Err(error) => {
                let error = serde_json::Value::String(error.clone());
                format!("{{\"name\": {name_json}, \"error\": {error}}}")
            }
            Ok(()) => {
                let result = results.next().ok_or_else(|| {
                    format!(
                        "the program printed fewer lines than its {compiled} cases (status {})",
                        output.status
                    )
                })?;
                let value: serde_json::Value = serde_json::from_str(result)
                    .map_err(|error| format!("the program printed `{result}`: {error}"))?;
                match (value.get("output"), value.get("error")) {
                    (Some(text), _) => format!("{{\"name\": {name_json}, \"output\": {text}}}"),
                    (None, Some(error)) => {
                        format!("{{\"name\": {name_json}, \"error\": {error}}}")
                    }
                    _ => return Err(format!("the program printed `{result}`")),
                }
            }
        };
        lines.push(line);
    }
    Ok(lines)
}

/// The runtime of the repository this djinn was built from.
fn default_runtime_path() -> PathBuf {
    if let Some(path) = std::env::var_os("DJINN_RUNTIME_PATH") {
        return PathBuf::from(path);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    path.canonicalize().unwrap_or(path)
}

/// `target/djinn-template-cases` of djinn's repository.
fn default_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("djinn-template-cases")
}

/// Writes the files whose content changed; removes old cases' files.
fn write_files(
    dir: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> std::io::Result<()> {
    for (relative, text) in files {
        let path = dir.join(relative);
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("src")) {
        for entry in entries {
            let entry = entry?;
            let relative = format!("src/{}", entry.file_name().to_string_lossy());
            if !files.contains_key(&relative) {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}

/// `cargo build` of the program; the binary's path.
fn build(crate_dir: &Path, target: &Path, verbose: bool) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target);
    if !verbose {
        command.arg("--quiet");
    }
    let output = command
        .stdout(Stdio::inherit())
        .stderr(if verbose {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if !output.status.success() {
        let messages = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "the generated program does not compile (a djinn bug):\n{messages}"
        ));
    }
    Ok(target.join("debug").join("djinn-template-cases"))
}
