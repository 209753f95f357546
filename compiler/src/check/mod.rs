//! Resolve and check: `ast::SpecFile`s → [`ir::Project`].
//!
//! Input: the parsed spec files, the settings (for the app label), the
//! project's templates and its [`RustIndex`]. Output: the resolved, typed
//! [`ir::Project`] and diagnostics. Names become ids, types are computed and
//! every rule of the language is checked. Errors leave the offending part out
//! of the IR and the run goes on; names that failed to resolve are
//! remembered, so that one mistake is reported once, not at every use.
//!
//! The passes run in dependency order, one module each:
//!
//! ```text
//! models   declarations, fields, reverse relations, meta     (models.rs)
//! views    headers: names, parameters, kinds                  (views.rs)
//! urls     groups flattened through includes, route checks    (urls.rs)
//! views    bodies: clauses, queries, context, URL reverses    (views.rs, queries.rs)
//! admin    `admin Model { … }`                                (admin.rs)
//! hooks    `on signal Model -> rust "…"`                      (hooks.rs)
//! fixtures `fixtures/*.json` rows against the models          (fixtures/)
//! ```
//!
//! Field paths (`author.name`) are resolved by `paths.rs` for all of them.

pub mod ir;

mod admin;
mod fixtures;
mod hooks;
mod models;
mod paths;
mod queries;
mod urls;
mod views;

use crate::diagnostics::Diagnostic;
use crate::project::ProjectInput;
use crate::rust_src::RustIndex;
use crate::settings::Settings;
use crate::source::Span;
use crate::syntax::ast;
use std::collections::BTreeSet;

/// Resolves and checks the parsed spec files.
pub fn check(
    input: &ProjectInput,
    settings: &Settings,
    files: &[ast::SpecFile],
    rust: &RustIndex,
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Project {
    let mut cx = Checker {
        input,
        rust,
        diags: diagnostics,
        project: ir::Project {
            app_label: settings.project.name.clone(),
            ..ir::Project::default()
        },
        broken: Broken::default(),
    };
    let items = files.iter().flat_map(|file| &file.items);
    let mut models = Vec::new();
    let mut groups = Vec::new();
    let mut views = Vec::new();
    let mut admins = Vec::new();
    let mut hooks = Vec::new();
    for item in items {
        match item {
            ast::Item::Model(m) => models.push(m),
            ast::Item::Urls(g) => groups.push(g),
            ast::Item::View(v) => views.push(v),
            ast::Item::Admin(a) => admins.push(a),
            ast::Item::Hook(h) => hooks.push(h),
        }
    }
    models::check_models(&mut cx, &models);
    let declared = views::declare_views(&mut cx, &views);
    urls::check_urls(&mut cx, &groups);
    views::check_view_bodies(&mut cx, declared);
    admin::check_admins(&mut cx, &admins);
    hooks::check_hooks(&mut cx, &hooks);
    fixtures::check_fixtures(&mut cx);
    cx.project
}

/// The state shared by the passes.
struct Checker<'a> {
    input: &'a ProjectInput,
    rust: &'a RustIndex,
    diags: &'a mut Vec<Diagnostic>,
    project: ir::Project,
    broken: Broken,
}

/// Names whose declaration had an error. Uses of them report nothing more:
/// the declaration's error already explains them.
#[derive(Default)]
struct Broken {
    /// Fields left out of their model, by model.
    fields: BTreeSet<(ir::ModelId, String)>,
    /// Views left out of the project (e.g. over an unknown model).
    views: BTreeSet<String>,
    /// Views with an invalid parameter: routes are not compared with them.
    view_params: BTreeSet<String>,
    /// URL names whose routes were left out or are never included.
    url_names: BTreeSet<String>,
    /// Views some route declaration names, even one left out or never
    /// included: only the others are reported as never routed.
    named_by_routes: BTreeSet<String>,
}

impl Checker<'_> {
    /// Reports a diagnostic.
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    /// The name of a model.
    fn model_name(&self, id: ir::ModelId) -> &str {
        &self.project.model(id).name
    }
}

/// The first `len` bytes of `span`: a keyword at the start of a declaration.
fn head_span(span: Span, len: usize) -> Span {
    Span {
        end: span.start.saturating_add(len as u32).min(span.end),
        ..span
    }
}

/// `word` in backticks after its article: "a `string`", "an `int`".
fn a(word: &str) -> String {
    let sounds_like_vowel = word.starts_with(['a', 'e', 'i', 'o', 'A', 'E', 'I', 'O'])
        || (word.starts_with(['u', 'U']) && !word.starts_with("uuid") && !word.starts_with("url"));
    let article = if sounds_like_vowel { "an" } else { "a" };
    format!("{article} `{word}`")
}

/// "a string", "an integer"…: how diagnostics name what was written.
fn describe_literal(kind: &ast::LiteralKind) -> &'static str {
    match kind {
        ast::LiteralKind::Str(_) => "a string",
        ast::LiteralKind::Int(_) => "an integer",
        ast::LiteralKind::Float(_) => "a decimal number",
        ast::LiteralKind::Bool(_) => "a boolean",
        ast::LiteralKind::None => "`none`",
    }
}

/// `a`, `b` and `c` → "`a`, `b`, `c`" for help lines.
fn backticked<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
