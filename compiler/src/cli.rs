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

mod template_cases;

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
    /// Render Django template cases (JSON lines) with compiled templates,
    /// printing one JSON line per case, as `django-oracle batch` does.
    TemplateCases(template_cases::TemplateCasesArgs),
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
    #[command(flatten)]
    compile: CompileArgs,
}

/// How `build` and `run` compile the generated crate.
#[derive(Args)]
struct CompileArgs {
    /// Build with optimizations.
    #[arg(long)]
    release: bool,
    /// Show every line of cargo's output, rustc's messages about generated
    /// code included.
    #[arg(long, short)]
    verbose: bool,
    /// The djinn-runtime crate to depend on [default: $DJINN_RUNTIME_PATH,
    /// else the runtime of the repository djinn was built from].
    #[arg(long)]
    runtime_path: Option<PathBuf>,
    /// cargo's target directory, shared by every project [default:
    /// $DJINN_TARGET_DIR, else $CARGO_TARGET_DIR, else ~/.cache/djinn/target].
    #[arg(long)]
    target_dir: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    #[command(flatten)]
    compile: CompileArgs,
    /// The address to serve on [default: the `[server] bind` setting, or $DJINN_BIND].
    #[arg(long)]
    bind: Option<String>,
}

#[derive(Args)]
struct EmitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the generated crate.
    #[arg(long)]
    out: PathBuf,
    /// The djinn-runtime crate the generated Cargo.toml depends on [default:
    /// $DJINN_RUNTIME_PATH, else the runtime of the repository djinn was built from].
    #[arg(long)]
    runtime_path: Option<PathBuf>,
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
    /// The migration's name after its number [default: `initial` for the
    /// first, else words from the changes, such as `post_add_subtitle`].
    #[arg(long)]
    name: Option<String>,
    /// Write operations that drop tables or columns, losing their data.
    #[arg(long)]
    allow_data_loss: bool,
    /// Print the migration's files on stdout instead of writing them.
    #[arg(long)]
    dry_run: bool,
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
        Command::TemplateCases(args) => template_cases::run_command(args),
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

/// Loads and checks a project and generates its crate; on errors, prints
/// the diagnostics and returns the exit code.
fn generate(
    command: &str,
    dir: &Path,
    runtime_path: Option<&Path>,
) -> Result<(djinn::CheckOutput, djinn::codegen::GeneratedCrate), ExitCode> {
    let input = ProjectInput::load(dir).map_err(|error| {
        eprintln!("djinn {command}: {error}");
        ExitCode::from(EXIT_USAGE)
    })?;
    if input.settings.is_none() && input.specs.is_empty() {
        eprintln!(
            "djinn {command}: {} is not a djinn project: it has no djinn.toml and no .djinn files",
            dir.display()
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let output = djinn::check_project(&input);
    let sources = relative_to_cwd(&input.sources, dir);
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    eprint!("{}", render::human(&output.diagnostics, &sources, color));
    let runtime_path =
        runtime_path.map_or_else(djinn::builder::default_runtime_path, Path::to_path_buf);
    let options = djinn::codegen::CodegenOptions {
        runtime_path: runtime_path.to_string_lossy().into_owned(),
    };
    match djinn::codegen::generate(&input, &output, &options) {
        Ok(generated) => Ok((output, generated)),
        Err(diagnostics) => {
            if !output.has_errors() {
                eprint!("{}", render::human(&diagnostics, &sources, color));
            }
            let (errors, _) = render::count(&diagnostics);
            eprintln!(
                "djinn {command}: {} — fix {} first",
                output.settings.project.name,
                plural(errors, "error")
            );
            Err(ExitCode::from(EXIT_ERRORS))
        }
    }
}

/// `djinn emit`: write the generated crate for reading.
fn emit(args: &EmitArgs) -> ExitCode {
    let (output, generated) = match generate("emit", &args.dir, args.runtime_path.as_deref()) {
        Ok(generated) => generated,
        Err(code) => return code,
    };
    match djinn::builder::write_crate(&generated, &args.out) {
        Ok(summary) => {
            eprintln!(
                "djinn emit: {} — {} written, {} unchanged, {} removed, in {}",
                output.settings.project.name,
                plural(summary.written.len(), "file"),
                summary.unchanged,
                summary.removed.len(),
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("djinn emit: cannot write {}: {error}", args.out.display());
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Generates, writes and compiles a project; the installed binary.
fn compile(command: &str, dir: &Path, args: &CompileArgs) -> Result<(String, PathBuf), ExitCode> {
    let started = Instant::now();
    let (output, generated) = generate(command, dir, args.runtime_path.as_deref())?;
    let name = output.settings.project.name.clone();
    let crate_dir = dir.join(".djinn").join("build").join(&name);
    let runtime_path = args
        .runtime_path
        .clone()
        .unwrap_or_else(djinn::builder::default_runtime_path);
    let written = djinn::builder::write_crate(&generated, &crate_dir)
        .and_then(|_| djinn::builder::seed_lock_file(&crate_dir, &runtime_path));
    if let Err(error) = written {
        eprintln!(
            "djinn {command}: cannot write {}: {error}",
            crate_dir.display()
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let options = djinn::builder::BuildOptions {
        crate_dir,
        target_dir: args
            .target_dir
            .clone()
            .unwrap_or_else(djinn::builder::default_target_dir),
        release: args.release,
        verbose: args.verbose,
        name: name.clone(),
    };
    let built = djinn::builder::cargo_build(&options, |line| eprintln!("{line}"));
    let built = match built {
        Ok(built) => built,
        Err(error) => {
            if let djinn::builder::BuildError::Internal(messages) = &error
                && args.verbose
            {
                messages.iter().for_each(|message| eprint!("{message}"));
            }
            eprintln!("djinn {command}: {error}");
            return Err(ExitCode::from(EXIT_ERRORS));
        }
    };
    match djinn::builder::install_binary(&built, dir, &name) {
        Ok(binary) => {
            eprintln!(
                "djinn {command}: {name} built in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok((name, binary))
        }
        Err(error) => {
            eprintln!("djinn {command}: cannot copy {}: {error}", built.display());
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// `djinn build`: emit into `DIR/.djinn/build/<name>`, run cargo, print the binary's path.
fn build(args: &BuildArgs) -> ExitCode {
    match compile("build", &args.dir, &args.compile) {
        Ok((_, binary)) => {
            println!("{}", binary.display());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `djinn run`: build, create the schema, load `fixtures/demo.json` into a
/// new database, serve.
fn run(args: &RunArgs) -> ExitCode {
    let (name, binary) = match compile("run", &args.dir, &args.compile) {
        Ok(built) => built,
        Err(code) => return code,
    };
    // Like Django's `startproject`, a development server gets a secret key
    // of its own (sessions and CSRF tokens need one), kept in `.djinn/`
    // beside the build; a key in the environment wins.
    let secret = match std::env::var_os("DJINN_SECRET_KEY") {
        Some(_) => None,
        None => match development_secret(&args.dir) {
            Ok(key) => Some(key),
            Err(error) => {
                eprintln!("djinn run: cannot keep a secret key in .djinn/: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    let server = |arguments: &[&str]| {
        let mut command = std::process::Command::new(&binary);
        command.args(arguments).current_dir(&args.dir);
        if let Some(secret) = &secret {
            command.env("DJINN_SECRET_KEY", secret);
        }
        command
    };
    let migrated = match server(&["migrate"]).output() {
        Ok(migrated) => migrated,
        Err(error) => {
            eprintln!("djinn run: cannot start {}: {error}", binary.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    eprint!("{}", String::from_utf8_lossy(&migrated.stderr));
    let said = String::from_utf8_lossy(&migrated.stdout);
    if !migrated.status.success() {
        eprintln!("djinn run: {name} migrate failed");
        return ExitCode::from(EXIT_ERRORS);
    }
    eprintln!("djinn run: {}", said.trim());
    let fixture = Path::new("fixtures").join("demo.json");
    if said.trim() == "schema created" && args.dir.join(&fixture).exists() {
        let loaded = server(&["loaddata", &fixture.to_string_lossy()]).status();
        if !loaded.is_ok_and(|status| status.success()) {
            eprintln!("djinn run: loading {} failed", fixture.display());
            return ExitCode::from(EXIT_ERRORS);
        }
    }
    let mut serve = vec!["serve"];
    if let Some(bind) = &args.bind {
        serve.extend(["--bind", bind]);
    }
    match server(&serve).status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("djinn run: {name} stopped ({status})");
            ExitCode::from(EXIT_ERRORS)
        }
        Err(error) => {
            eprintln!("djinn run: cannot start {}: {error}", binary.display());
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The project's development secret key: `DIR/.djinn/secret-key`, made
/// of 50 random characters from the system's random source on first use
/// (readable by its owner only).
fn development_secret(dir: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let path = dir.join(".djinn").join("secret-key");
    if let Ok(key) = std::fs::read_to_string(&path)
        && key.trim().len() >= 32
    {
        return Ok(key.trim().to_string());
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 50];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let key: String = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, key.as_bytes())?;
    Ok(key)
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

/// `djinn makemigrations`: check the project, compare its models with the
/// last migration, write the next one (or say there is nothing to do).
fn makemigrations(args: &MakemigrationsArgs) -> ExitCode {
    if let Some(name) = &args.name
        && !djinn::migrations::valid_name(name)
    {
        eprintln!(
            "djinn makemigrations: --name {name:?}: use lower-case letters, digits and `_` (at most 60)"
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let input = match ProjectInput::load(&args.dir) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("djinn makemigrations: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if input.settings.is_none() && input.specs.is_empty() {
        eprintln!(
            "djinn makemigrations: {} is not a djinn project: it has no djinn.toml and no .djinn files",
            args.dir.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let mut output = djinn::check_project(&input);
    // The difference between the models and the migrations is what this
    // command is for.
    output
        .diagnostics
        .retain(|diagnostic| diagnostic.code != djinn::Code::MigrationDrift);
    let sources = relative_to_cwd(&input.sources, &args.dir);
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    eprint!("{}", render::human(&output.diagnostics, &sources, color));
    let name = output.settings.project.name.clone();
    if output.has_errors() {
        let (errors, _) = render::count(&output.diagnostics);
        eprintln!(
            "djinn makemigrations: {name} — fix {} first",
            plural(errors, "error")
        );
        return ExitCode::from(EXIT_ERRORS);
    }
    let options = djinn::migrations::MakeOptions {
        name: args.name.clone(),
        allow_data_loss: args.allow_data_loss,
    };
    let migration = match djinn::migrations::make(&input, &output.project, &options) {
        Ok(djinn::migrations::Made::NoChanges) => {
            eprintln!("djinn makemigrations: {name} — no changes detected");
            return ExitCode::SUCCESS;
        }
        Ok(djinn::migrations::Made::Migration(migration)) => migration,
        Err(refusals) => {
            eprintln!("djinn makemigrations: {name} — no migration written:");
            for refusal in &refusals {
                eprintln!("  - {}", refusal.message);
                if let Some(help) = &refusal.help {
                    eprintln!("    help: {help}");
                }
            }
            return ExitCode::from(EXIT_ERRORS);
        }
    };
    if args.dry_run {
        for (path, text) in &migration.files {
            println!("=== {path}");
            print!("{text}");
        }
    } else {
        for (path, text) in &migration.files {
            let path = args.dir.join(path);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| {
                    // `create_new`: never overwrite a migration.
                    std::fs::File::options()
                        .write(true)
                        .create_new(true)
                        .open(&path)
                })
                .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()));
            if let Err(error) = written {
                eprintln!(
                    "djinn makemigrations: cannot write {}: {error}",
                    path.display()
                );
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let verb = if args.dry_run { "would write" } else { "wrote" };
    let shown = args
        .dir
        .join("migrations")
        .join(format!("{}.toml", migration.name));
    eprintln!("djinn makemigrations: {name} — {verb} {}", shown.display());
    for operation in &migration.operations {
        eprintln!("  - {operation}");
    }
    ExitCode::SUCCESS
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
