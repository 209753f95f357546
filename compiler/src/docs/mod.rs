//! `djinn docs`: the checked project → a documentation site.
//!
//! Input: a [`CheckOutput`]. Output: [`GeneratedDocs`], relative file path →
//! contents; the CLI writes them. Nothing here touches the file system, and
//! the same project always gives byte-identical files.
//!
//! ```text
//! CheckOutput ──build::build_site──▶ Site (every page's content, links as page keys)
//!             ──er::layout─────────▶ ErDiagram ──er::svg──▶ er.svg   (──er::mermaid──▶ Mermaid text)
//!             ──openapi::document──▶ serde_json::Value ──▶ openapi.json
//! Site + extras ──render::render (handlebars, HTML or Markdown)──▶ GeneratedDocs
//! ```
//!
//! `docs/docs-command.md` describes the pages and the OpenAPI mapping.

mod build;
mod describe;
pub mod er;
pub mod openapi;
mod render;
pub mod site;

pub use build::build_site;
pub use render::{Format, RenderFailure};

use crate::CheckOutput;
use std::collections::BTreeMap;

/// The files of a generated documentation site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedDocs {
    /// Path relative to the output directory (`models/Post.html`) → contents.
    pub files: BTreeMap<String, String>,
}

/// Generates the documentation of a checked project in `format`.
pub fn generate(output: &CheckOutput, format: Format) -> Result<GeneratedDocs, RenderFailure> {
    let site = build_site(output);
    let diagram = er::layout(&output.project);
    let ext = match format {
        Format::Html => "html",
        Format::Markdown => "md",
    };
    let title = format!("Models of {}", output.settings.project.name);
    let er_svg = er::svg(&diagram, &title, &|model| {
        render::relative("er", &build::model_key(model), ext)
    });
    let mermaid = er::mermaid(&output.project);
    let openapi = openapi::document(&output.project, &output.settings);
    let mut openapi_text =
        serde_json::to_string_pretty(&openapi).map_err(|error| RenderFailure(error.to_string()))?;
    openapi_text.push('\n');
    let extras = render::Extras {
        er_svg: &er_svg,
        mermaid: &mermaid,
        openapi: &openapi_text,
    };
    let files = render::render(&site, &extras, format)?;
    Ok(GeneratedDocs { files })
}
