//! Code generation: a checked project → the Rust crate of its server.
//!
//! Input: the [`CheckOutput`] of a project without errors, its
//! [`ProjectInput`] (for the hand-written Rust under `src/`) and
//! [`CodegenOptions`]. Output: a [`GeneratedCrate`], every file of the crate
//! by relative path. Pure and deterministic: the same input gives the same
//! bytes, so rewriting unchanged files can be skipped and cargo's
//! fingerprints stay valid.
//!
//! Rust is built with `quote!` and formatted with `prettyplease`; the
//! manifest and README are handlebars templates. Generated code calls the
//! runtime and the standard library by full paths (`::djinn_runtime::…`,
//! `::std::…`) and prefixes its own internal names with `__djinn`, so that no
//! model, view or user module name can shadow them.
//!
//! The crate (a library plus a thin binary, so that the API user code may
//! call — models, URL reversing — raises no dead-code warning):
//!
//! ```text
//! Cargo.toml            djinn-runtime by path, its own [workspace]
//! README.md             what the crate is and how to run it
//! src/main.rs           calls the binary's command line
//! src/lib.rs            declares the modules below and the user's modules
//! src/models.rs         a struct per model, row decoding, the schema, fixtures
//! src/urls.rs           the route matcher (a `match` on segments), reverse_<name>()
//! src/admin.rs          the admin site's description (with `include "…" admin`)
//! src/context.rs        a template context struct per HTML view
//! src/templates.rs      render_<view>(): the page of each HTML view
//! src/__djinn/views.rs  an async fn per view, its handler, its SQL
//! src/__djinn/cli.rs    serve | migrate | routes | check | loaddata, the settings
//! src/__djinn/support.rs helpers the generated code shares
//! src/<module>.rs       the project's own Rust, copied
//! ```

mod admin;
mod cli;
mod context;
mod manifest;
mod models;
mod names;
mod rust;
mod support;
mod templates;
mod types;
mod urls;
mod views;

#[cfg(test)]
mod tests;

use crate::CheckOutput;
use crate::check::ir::{Project, ViewId};
use crate::diagnostics::{Code, Diagnostic};
use crate::project::ProjectInput;
use crate::rust_src::{self, ModuleDeclaration};
use crate::sql::CompiledQuery;
use crate::template::TemplateChecks;
use std::collections::BTreeMap;

pub use urls::reverse_names;

/// Every file of a generated crate: relative path (with `/`) → content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// The files, by path relative to the crate's root.
    pub files: BTreeMap<String, String>,
}

/// What code generation needs besides the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodegenOptions {
    /// The `djinn-runtime` crate's directory, written into `Cargo.toml` as a
    /// path dependency.
    pub runtime_path: String,
}

/// The modules the generated crate declares at its root; a file of the
/// project's `src/` with one of these names would clash.
pub const RESERVED_MODULES: [&str; 5] = ["models", "urls", "context", "templates", "__djinn"];

/// The number of SQL statements a request to each view runs, fixed at
/// compile time (what the binary's `routes` command prints); `None` for a
/// Rust view, whose code decides.
pub fn queries_per_request(
    project: &Project,
    checks: &TemplateChecks,
) -> BTreeMap<ViewId, Option<usize>> {
    views::plan_views(project, checks)
        .into_iter()
        .map(|plan| (plan.id, plan.queries))
        .collect()
}

/// The queries of one view, compiled exactly as its generated code runs them.
///
/// A request runs, in order: the count of a paginated list, the main
/// statement, the batched statements of its many relations, then each
/// context query with its own batched statements.
#[derive(Clone, Debug, Default)]
pub struct ViewQueries {
    /// The rows or the object of a list or detail view (HTML or JSON).
    pub main: Option<CompiledQuery>,
    /// The `context` entries that are queries, in order, by name.
    pub context: Vec<(String, CompiledQuery)>,
}

/// The queries each view runs for a request its access rules let through
/// (what `djinn docs` shows as SQL). Redirects, Rust views, and create,
/// update and delete views until forms and writes exist run none.
pub fn view_queries(project: &Project, checks: &TemplateChecks) -> BTreeMap<ViewId, ViewQueries> {
    project
        .views
        .iter()
        .enumerate()
        .map(|(index, view)| {
            let id = ViewId(index as u32);
            let queries = match views::plan_body(project, checks, id, view) {
                views::Body::Json { main, .. } => ViewQueries {
                    main: Some(main),
                    context: Vec::new(),
                },
                views::Body::JsonWrite { main, .. } => ViewQueries {
                    main,
                    context: Vec::new(),
                },
                views::Body::Page { main, entries, .. } => ViewQueries {
                    main,
                    context: entries
                        .into_iter()
                        .filter_map(|entry| match entry.value {
                            views::EntryValue::Query(query) => Some((entry.name, query)),
                            views::EntryValue::Value(_) => None,
                        })
                        .collect(),
                },
                _ => ViewQueries::default(),
            };
            (id, queries)
        })
        .collect()
}

/// The header every generated file starts with (`#` for TOML, `//` for Rust).
fn header(comment: &str) -> String {
    format!(
        "{comment} Generated by djinn {}. Do not edit: edit the project and build again.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Generates the crate of a checked project. Fails with diagnostics when the
/// project cannot become a crate (it has errors, or a file under `src/`
/// takes a name the generated crate needs).
pub fn generate(
    input: &ProjectInput,
    output: &CheckOutput,
    options: &CodegenOptions,
) -> Result<GeneratedCrate, Vec<Diagnostic>> {
    if output.has_errors() {
        return Err(output
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect());
    }
    let rust_index = rust_src::index(input, &mut Vec::new());
    let user_modules: Vec<String> = rust_index
        .modules()
        .filter(|module| module.declaration == ModuleDeclaration::Root)
        .map(|module| module.path.clone())
        .collect();
    let clashes: Vec<Diagnostic> = rust_index
        .modules()
        .filter(|module| module.declaration == ModuleDeclaration::Root)
        .filter(|module| RESERVED_MODULES.contains(&module.path.as_str()))
        .map(|module| {
            let span = crate::source::Span::new(module.file, 0, 0);
            Diagnostic::new(
                Code::RustSyntaxError,
                span,
                format!(
                    "`src/` cannot have a module called `{}`: the generated crate declares it",
                    module.path
                ),
            )
            .with_label("reserved module name")
            .with_help(format!(
                "rename the file; the reserved names are {}",
                RESERVED_MODULES.join(", ")
            ))
        })
        .collect();
    if !clashes.is_empty() {
        return Err(clashes);
    }
    if let Some(clash) = admin::module_clash(&output.project, &rust_index) {
        return Err(vec![clash]);
    }
    let project = &output.project;
    let settings = &output.settings;
    let plans = views::plan_views(project, &output.template_checks);
    let mut files = BTreeMap::new();
    files.insert(
        "Cargo.toml".to_string(),
        manifest::cargo_toml(settings, options),
    );
    files.insert("README.md".to_string(), manifest::readme(settings, project));
    files.insert("src/main.rs".to_string(), rust::file(cli::main_rs()));
    files.insert(
        "src/lib.rs".to_string(),
        rust::file(admin::with_declaration(
            project,
            cli::lib_rs(settings, &user_modules),
        )),
    );
    files.insert(
        "src/models.rs".to_string(),
        rust::file(models::generate(project)),
    );
    if let Some(admin) = admin::generate(project) {
        files.insert("src/admin.rs".to_string(), rust::file(admin));
    }
    files.insert(
        "src/urls.rs".to_string(),
        rust::file(urls::generate(project, settings, &plans)),
    );
    files.insert(
        "src/context.rs".to_string(),
        rust::file(context::generate(project, &plans)),
    );
    files.insert(
        "src/templates.rs".to_string(),
        rust::file(templates::generate(output, &plans)?),
    );
    files.insert(
        "src/__djinn/mod.rs".to_string(),
        rust::file(cli::internal_mod()),
    );
    files.insert(
        "src/__djinn/views.rs".to_string(),
        rust::file(views::generate(project, settings, &plans)),
    );
    files.insert(
        "src/__djinn/cli.rs".to_string(),
        rust::file(cli::generate(project, settings, input, &plans)),
    );
    files.insert(
        "src/__djinn/support.rs".to_string(),
        rust::file(support::generate()),
    );
    for (path, &file) in &input.rust {
        let text = &input.sources.get(file).text;
        let copy =
            format!("// Copied by djinn from the project's src/{path}: edit the original.\n{text}");
        files.insert(format!("src/{path}"), copy);
    }
    Ok(GeneratedCrate { files })
}
