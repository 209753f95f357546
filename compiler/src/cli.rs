//! The command line: arguments → a command run on the library → text and an
//! exit code.
//!
//! Input: the process arguments (parsed with clap). Output: diagnostics and
//! status lines on stderr, machine-readable reports on stdout, and an exit
//! code: 0 success (warnings allowed), 1 the project has errors (or warnings
//! under `--deny-warnings`), 2 usage or I/O error. This module and `main.rs`
//! are the only places that touch the file system and the terminal; each
//! command is one function taking its parsed arguments. `docs/cli.md`
//! documents every command.

use clap::{Args, Parser, Subcommand, ValueEnum};
use djinn::diagnostics::render;
use djinn::source::SourceMap;
use djinn::{ProjectInput, scaffold, settings};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exit code: the project has errors.
const EXIT_ERRORS: u8 = 1;
/// Exit code: bad arguments, unreadable or unwritable files.
const EXIT_USAGE: u8 = 2;

/// djinn compiles a Django-style project (djinn.toml, *.djinn specs,
/// templates/, optional src/*.rs) into one Rust server binary.
#[derive(Parser)]
#[command(name = "djinn", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a project, reporting every problem.
    Check(CheckArgs),
    /// Create a new project in a new directory.
    New(NewArgs),
    /// Emit the generated crate and build the server binary.
    Build(BuildArgs),
    /// Build, migrate and serve the project.
    Run(RunArgs),
    /// Write the generated crate only, for reading.
    Emit(EmitArgs),
    /// Generate HTML documentation: models, routes, views, OpenAPI.
    Docs(DocsArgs),
    /// Compare the models with the last migration and write a new one.
    Makemigrations(MakemigrationsArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// How diagnostics are written: for people (stderr), or as JSON or
    /// GitHub workflow commands (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Colors in human output; `auto` colors a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// rustc-style reports with source lines and carets.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions annotations (`::error file=…::…`).
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    /// Color when stderr is a terminal and NO_COLOR is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

#[derive(Args)]
struct NewArgs {
    /// The project's name: a lowercase identifier, also the directory's name.
    name: String,
    /// The directory to create the project in.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

#[derive(Args)]
struct BuildArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Build with optimizations.
    #[arg(long)]
    release: bool,
}

#[derive(Args)]
struct RunArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

#[derive(Args)]
struct EmitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the generated crate.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct DocsArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the site (created if missing; files are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// HTML pages, or Markdown files for a wiki.
    #[arg(long, value_enum, default_value_t = djinn::docs::Format::Html)]
    format: djinn::docs::Format,
}

#[derive(Args)]
struct MakemigrationsArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// Parses the arguments and runs the command.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` arrive here too, printed to stdout.
            let code = if error.use_stderr() { EXIT_USAGE } else { 0 };
            // Nothing sensible is left to do if the terminal is gone.
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match &cli.command {
        Command::Check(args) => check(args),
        Command::New(args) => new(args),
        Command::Build(args) => build(args),
        Command::Run(args) => run(args),
        Command::Emit(args) => emit(args),
        Command::Docs(args) => docs(args),
        Command::Makemigrations(args) => makemigrations(args),
    }
}

/// `djinn check`: load, check, render the diagnostics, print one summary line.
fn check(args: &CheckArgs) -> ExitCode {
    let started = Instant::now();
    let input = match ProjectInput::load(&args.dir) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("djinn check: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if input.settings.is_none() && input.specs.is_empty() {
        eprintln!(
            "djinn check: {} is not a djinn project: it has no djinn.toml and no .djinn files",
            args.dir.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let output = djinn::check_project(&input);
    let sources = relative_to_cwd(&input.sources, &args.dir);
    match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stderr().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                }
            };
            eprint!("{}", render::human(&output.diagnostics, &sources, color));
        }
        Format::Json => print!("{}", render::json(&output.diagnostics, &sources)),
        Format::Github => print!("{}", render::github(&output.diagnostics, &sources)),
    }
    let (errors, warnings) = render::count(&output.diagnostics);
    let name = if input.settings.is_some() {
        output.settings.project.name.clone()
    } else {
        directory_name(&args.dir)
    };
    let outcome = match (errors, warnings) {
        (0, 0) => "ok".to_string(),
        (0, warnings) => plural(warnings, "warning"),
        (errors, 0) => plural(errors, "error"),
        (errors, warnings) => format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    };
    eprintln!(
        "djinn check: {name} — {outcome} ({}, {}) in {} ms",
        plural(input.specs.len(), "spec file"),
        plural(input.templates.len(), "template"),
        started.elapsed().as_millis()
    );
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `djinn new`: renders the scaffold and writes it into a new directory.
fn new(args: &NewArgs) -> ExitCode {
    let files = match scaffold::render(&args.name) {
        Ok(files) => files,
        Err(why) => {
            eprintln!("djinn new: {why}");
            if let Some(better) = settings::suggest_project_name(&args.name) {
                eprintln!("  help: try `djinn new {better}`");
            }
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let root = if args.dir == Path::new(".") {
        PathBuf::from(&args.name)
    } else {
        args.dir.join(&args.name)
    };
    if root.exists() {
        eprintln!(
            "djinn new: {} already exists; choose another name or --dir",
            root.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let written = std::fs::create_dir_all(&args.dir)
        // `create_dir`, not `_all`: it fails if the directory appeared meanwhile.
        .and_then(|()| std::fs::create_dir(&root))
        .and_then(|()| {
            files.iter().try_for_each(|(path, text)| {
                let path = root.join(path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, text)
            })
        });
    if let Err(error) = written {
        eprintln!("djinn new: cannot write {}: {error}", root.display());
        return ExitCode::from(EXIT_USAGE);
    }
    eprintln!(
        "djinn new: created {} ({} files)",
        root.display(),
        files.len()
    );
    eprintln!("  next: cd {} && djinn check && djinn run", root.display());
    ExitCode::SUCCESS
}

/// `djinn build`.
fn build(_args: &BuildArgs) -> ExitCode {
    not_implemented("build")
}

/// `djinn run`.
fn run(_args: &RunArgs) -> ExitCode {
    not_implemented("run")
}

/// `djinn emit`.
fn emit(_args: &EmitArgs) -> ExitCode {
    not_implemented("emit")
}

/// `djinn docs`: check the project, then write its documentation site.
/// A project with errors gets its diagnostics and no docs.
fn docs(args: &DocsArgs) -> ExitCode {
    let input = match ProjectInput::load(&args.dir) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("djinn docs: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if input.settings.is_none() && input.specs.is_empty() {
        eprintln!(
            "djinn docs: {} is not a djinn project: it has no djinn.toml and no .djinn files",
            args.dir.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let output = djinn::check_project(&input);
    let sources = relative_to_cwd(&input.sources, &args.dir);
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    eprint!("{}", render::human(&output.diagnostics, &sources, color));
    if output.has_errors() {
        let (errors, _) = render::count(&output.diagnostics);
        eprintln!(
            "djinn docs: {} — fix {} first",
            output.settings.project.name,
            plural(errors, "error")
        );
        return ExitCode::from(EXIT_ERRORS);
    }
    let site = match djinn::docs::generate(&output, args.format) {
        Ok(site) => site,
        Err(error) => {
            eprintln!("djinn docs: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let written = site.files.iter().try_for_each(|(path, text)| {
        let path = args.out.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Unchanged files keep their timestamps, so rebuilds and syncs skip them.
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        std::fs::write(&path, text)
    });
    if let Err(error) = written {
        eprintln!("djinn docs: cannot write {}: {error}", args.out.display());
        return ExitCode::from(EXIT_USAGE);
    }
    eprintln!(
        "djinn docs: {} — wrote {} to {}",
        output.settings.project.name,
        plural(site.files.len(), "file"),
        args.out.display()
    );
    ExitCode::SUCCESS
}

/// `djinn makemigrations`.
fn makemigrations(_args: &MakemigrationsArgs) -> ExitCode {
    not_implemented("makemigrations")
}

fn not_implemented(command: &str) -> ExitCode {
    eprintln!("djinn {command}: not implemented yet (see README)");
    ExitCode::from(EXIT_USAGE)
}

/// The sources with paths as the user reaches them from the current
/// directory (`samples/blog/app.djinn` for `djinn check samples/blog`), so
/// that editors and GitHub annotations find the files.
fn relative_to_cwd(sources: &SourceMap, dir: &Path) -> SourceMap {
    let dir = dir.to_string_lossy();
    let prefix = dir.trim_end_matches('/');
    let prefix = prefix.strip_prefix("./").unwrap_or(prefix);
    if prefix.is_empty() || prefix == "." {
        return sources.clone();
    }
    let mut shown = SourceMap::new();
    for (_, file) in sources.iter() {
        shown.add(
            format!("{prefix}/{}", file.path),
            file.kind,
            file.text.clone(),
        );
    }
    shown
}

/// The last component of `dir` (resolving `.`), for projects without a name.
fn directory_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| dir.display().to_string())
}

/// `1 error`, `2 errors`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
