//! `djinn`: a compiler for Django-style web applications.
//!
//! The front end is a library so that the CLI, tests, the fuzzer and (later)
//! a language server share it. The pipeline, one named type between stages:
//!
//! ```text
//! disk ──ProjectInput::load──▶ ProjectInput (SourceMap + file roles)
//!   ──settings::parse──▶ Settings
//!   ──syntax::parse────▶ ast::SpecFile per .djinn file
//!   ──template::parse──▶ template::ast::Template per template
//!   ──check::check─────▶ ir::Project (resolved, typed)
//!   ──migrations::check──▶ (with `migrations/`) the models against the last migration
//!   ──template::check_templates──▶ TemplateChecks (templates typed per view)
//! ```
//!
//! Every stage returns its value and a list of [`Diagnostic`]s; it keeps going
//! after errors so that one run reports them all.

pub mod builder;
pub mod check;
pub mod codegen;
pub mod diagnostics;
pub mod docs;
pub mod migrations;
pub mod project;
pub mod rust_src;
pub mod scaffold;
pub mod settings;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod template;

pub use diagnostics::{Code, Diagnostic, Severity};
pub use project::ProjectInput;

/// The result of checking a project.
#[derive(Debug)]
pub struct CheckOutput {
    /// The settings (defaults where `djinn.toml` was missing or wrong).
    pub settings: settings::Settings,
    /// The resolved, checked project; present even when there are errors,
    /// with the erroneous parts left out.
    pub project: check::ir::Project,
    /// Every template under `templates/`, parsed, by name.
    pub templates: std::collections::BTreeMap<String, template::ast::Template>,
    /// Every template typed against the views that render it.
    pub template_checks: template::TemplateChecks,
    /// All diagnostics, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutput {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the whole front end on a project held in memory.
pub fn check_project(input: &ProjectInput) -> CheckOutput {
    let mut diagnostics = Vec::new();
    let settings = settings::parse(input, &mut diagnostics);
    let files: Vec<_> = input
        .specs
        .iter()
        .map(|&id| syntax::parse_file(id, &input.sources.get(id).text, &mut diagnostics))
        .collect();
    let templates = input
        .templates
        .iter()
        .map(|(name, &id)| {
            let parsed =
                template::parse_template(id, &input.sources.get(id).text, &mut diagnostics);
            (name.clone(), parsed)
        })
        .collect();
    let rust = rust_src::index(input, &mut diagnostics);
    let project = check::check(input, &settings, &files, &rust, &mut diagnostics);
    migrations::check(input, &project, &mut diagnostics);
    let template_checks = template::check_templates(input, &project, &templates, &mut diagnostics);
    diagnostics::sort(&mut diagnostics);
    CheckOutput {
        settings,
        project,
        templates,
        template_checks,
        diagnostics,
    }
}
