//! `djinn template-cases CASES.jsonl`: compile Django template cases into
//! one program, build it, run it, and print each case's output.
//!
//! Input: a cases file (see [`djinn::template::cases`]). Output on stdout:
//! one JSON line per case, in input order — `{"name", "output"}`, or
//! `{"name", "error"}` for a case djinn rejects at compile time (its
//! diagnostics, rendered) or whose rendering fails (the runtime's error).
//! This is the format `django-oracle batch` prints, so the two compare case
//! by case. The program is written to `target/djinn-template-cases/crate`
//! of djinn's repository (or `--dir`) and built there with one cargo target
//! directory, so only changed cases recompile.

use clap::Args;
use djinn::builder;
use djinn::template::cases::{RunOptions, read_cases, run};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Show cargo's output and rustc's messages.
    #[arg(long, short)]
    verbose: bool,
}

/// Runs the command: exit code 0 when every case was processed (rejected
/// and failing cases included), 2 when the cases cannot be read or the
/// program cannot be built.
pub(super) fn run_command(args: &TemplateCasesArgs) -> ExitCode {
    match results(args) {
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

fn results(args: &TemplateCasesArgs) -> Result<Vec<String>, String> {
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
    let options = RunOptions {
        dir: args.dir.clone().unwrap_or_else(default_dir),
        runtime_path: args
            .runtime_path
            .clone()
            .unwrap_or_else(builder::default_runtime_path),
        verbose: args.verbose,
    };
    let verbose = args.verbose;
    let results = run(&cases, &options, |line| {
        if verbose {
            eprintln!("{line}");
        }
    })?;
    Ok(results
        .into_iter()
        .map(|result| {
            let name = serde_json::Value::String(result.name);
            match result.outcome {
                Ok(output) => {
                    let output = serde_json::Value::String(output);
                    format!("{{\"name\": {name}, \"output\": {output}}}")
                }
                Err(error) => {
                    let error = serde_json::Value::String(error);
                    format!("{{\"name\": {name}, \"error\": {error}}}")
                }
            }
        })
        .collect())
}

/// `target/djinn-template-cases` of djinn's repository.
fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join("djinn-template-cases")
}
