//! Docs: the [`Site`] → files, through handlebars templates.
//!
//! Input: a [`Site`], the ER diagram and the OpenAPI document. Output: file
//! path → contents, for HTML (`compiler/docs_templates/html/`, one
//! stylesheet, no JavaScript) or Markdown (`compiler/docs_templates/markdown/`).
//! Both formats share the page structure; links are page keys made relative
//! by the `href` helper, so the site works from `file://` and from any
//! sub-directory it is published under.

use super::site::Site;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The output format of `djinn docs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A static HTML site.
    Html,
    /// Markdown files, for a wiki or a repository.
    Markdown,
}

impl Format {
    /// The extension of pages.
    fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

/// Templates of the HTML pages, by name.
const HTML_TEMPLATES: &[(&str, &str)] = &[
    ("head", include_str!("../../docs_templates/html/head.hbs")),
    ("foot", include_str!("../../docs_templates/html/foot.hbs")),
    ("link", include_str!("../../docs_templates/html/link.hbs")),
    ("index", include_str!("../../docs_templates/html/index.hbs")),
    ("er", include_str!("../../docs_templates/html/er.hbs")),
    (
        "routes",
        include_str!("../../docs_templates/html/routes.hbs"),
    ),
    ("admin", include_str!("../../docs_templates/html/admin.hbs")),
    ("model", include_str!("../../docs_templates/html/model.hbs")),
    ("view", include_str!("../../docs_templates/html/view.hbs")),
    (
        "template",
        include_str!("../../docs_templates/html/template.hbs"),
    ),
];

/// Templates of the Markdown pages, by name.
const MARKDOWN_TEMPLATES: &[(&str, &str)] = &[
    (
        "head",
        include_str!("../../docs_templates/markdown/head.hbs"),
    ),
    (
        "link",
        include_str!("../../docs_templates/markdown/link.hbs"),
    ),
    (
        "index",
        include_str!("../../docs_templates/markdown/index.hbs"),
    ),
    ("er", include_str!("../../docs_templates/markdown/er.hbs")),
    (
        "routes",
        include_str!("../../docs_templates/markdown/routes.hbs"),
    ),
    (
        "admin",
        include_str!("../../docs_templates/markdown/admin.hbs"),
    ),
    (
        "model",
        include_str!("../../docs_templates/markdown/model.hbs"),
    ),
    (
        "view",
        include_str!("../../docs_templates/markdown/view.hbs"),
    ),
    (
        "template",
        include_str!("../../docs_templates/markdown/template.hbs"),
    ),
];

/// The stylesheet of the HTML site.
const STYLESHEET: &str = include_str!("../../docs_templates/html/style.css");

/// Why the docs could not be rendered (a bug in djinn's own templates).
#[derive(Debug)]
pub struct RenderFailure(pub String);

impl std::fmt::Display for RenderFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot render the docs: {}", self.0)
    }
}

impl std::error::Error for RenderFailure {}

/// What the renderer needs besides the site model.
pub(crate) struct Extras<'a> {
    /// The ER diagram, drawn with links for this format.
    pub er_svg: &'a str,
    /// The ER diagram as Mermaid text.
    pub mermaid: &'a str,
    /// `openapi.json`'s text.
    pub openapi: &'a str,
}

/// Renders every file of the site.
pub(crate) fn render(
    site: &Site,
    extras: &Extras<'_>,
    format: Format,
) -> Result<BTreeMap<String, String>, RenderFailure> {
    let registry = registry(format)?;
    let ext = format.extension();
    let nav = json!({
        "models": site.overview.models,
        "views": site.overview.views,
        "templates": site.overview.templates,
        "has_api": site.has_api,
        "has_admin": !site.admin.models.is_empty() || site.admin.prefix.is_some(),
    });
    let mut files = BTreeMap::new();
    let mut page =
        |template: &str, key: &str, title: &str, data: Value| -> Result<(), RenderFailure> {
            let depth = key.matches('/').count();
            let context = json!({
                "page_key": key,
                "root": "../".repeat(depth),
                "title": title,
                "project": {"name": site.name, "description": site.description},
                "nav": nav,
                "page": data,
            });
            let text = registry
                .render(template, &context)
                .map_err(|e| RenderFailure(format!("{template} ({key}): {e}")))?;
            files.insert(format!("{key}.{ext}"), text);
            Ok(())
        };
    page("index", "index", "Overview", to_value(&site.overview)?)?;
    page(
        "er",
        "er",
        "Entity-relationship diagram",
        json!({"svg": extras.er_svg, "mermaid": extras.mermaid}),
    )?;
    page(
        "routes",
        "routes",
        "Routes",
        json!({"routes": to_value(&site.routes)?}),
    )?;
    page("admin", "admin", "Admin", to_value(&site.admin)?)?;
    for model in &site.models {
        page("model", &model.page, &model.name, to_value(model)?)?;
    }
    for view in &site.views {
        page("view", &view.page, &view.name, to_value(view)?)?;
    }
    for template in &site.templates {
        page(
            "template",
            &template.page,
            &template.name,
            to_value(template)?,
        )?;
    }
    files.insert("er.svg".to_string(), extras.er_svg.to_string());
    files.insert("openapi.json".to_string(), extras.openapi.to_string());
    if format == Format::Html {
        files.insert("style.css".to_string(), STYLESHEET.to_string());
    }
    Ok(files)
}

/// A page's data as JSON for the templates.
fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, RenderFailure> {
    serde_json::to_value(value).map_err(|e| RenderFailure(e.to_string()))
}

fn registry(format: Format) -> Result<Handlebars<'static>, RenderFailure> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    let templates = match format {
        Format::Html => HTML_TEMPLATES,
        Format::Markdown => {
            registry.register_escape_fn(markdown_escape);
            MARKDOWN_TEMPLATES
        }
    };
    for (name, text) in templates {
        registry
            .register_template_string(name, *text)
            .map_err(|e| RenderFailure(format!("template {name}: {e}")))?;
    }
    registry.register_helper(
        "href",
        Box::new(Href {
            ext: format.extension(),
        }),
    );
    registry.register_helper("asset", Box::new(asset));
    registry.register_helper("markdown", Box::new(markdown_to_html));
    registry.register_helper("code", Box::new(code_span));
    registry.register_helper("join", Box::new(join));
    if format == Format::Markdown {
        // Raw text (the Mermaid source, doc comments) is written as is.
        registry.register_helper("raw", Box::new(raw));
        registry.register_helper("inline", Box::new(inline_markdown));
    } else {
        registry.register_helper("raw", Box::new(raw_html_escaped));
        registry.register_helper("inline", Box::new(inline_html));
    }
    Ok(registry)
}

/// Text in a Markdown table cell or paragraph: one line, pipes escaped,
/// angle brackets as entities (`<slug:slug>` is not an autolink).
fn markdown_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

/// The relative link from the page being rendered to a page key
/// (`models/Post#field-title` → `../models/Post.html#field-title`).
pub(crate) fn relative(from: &str, target: &str, ext: &str) -> String {
    let depth = from.matches('/').count();
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let mut link = "../".repeat(depth);
    if path.is_empty() {
        // An anchor on the same page.
        link.clear();
    } else {
        link.push_str(path);
        link.push('.');
        link.push_str(ext);
    }
    if let Some(anchor) = anchor {
        link.push('#');
        link.push_str(anchor);
    }
    link
}

fn page_key(ctx: &Context) -> &str {
    ctx.data()
        .get("page_key")
        .and_then(Value::as_str)
        .unwrap_or("index")
}

fn string_param<'a>(helper: &'a Helper<'_>, index: usize) -> Result<&'a str, RenderError> {
    helper
        .param(index)
        .and_then(|p| p.value().as_str())
        .ok_or_else(|| {
            RenderErrorReason::Other(format!(
                "`{}` needs a string as parameter {index}",
                helper.name()
            ))
            .into()
        })
}

/// `{{href "models/Post"}}`: a page key → a relative link.
struct Href {
    ext: &'static str,
}

impl HelperDef for Href {
    fn call<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let target = string_param(helper, 0)?;
        out.write(&relative(page_key(ctx), target, self.ext))?;
        Ok(())
    }
}

/// `{{asset "style.css"}}`: a file at the site's root, relative to the page.
fn asset(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let file = string_param(helper, 0)?;
    let depth = page_key(ctx).matches('/').count();
    out.write(&format!("{}{file}", "../".repeat(depth)))?;
    Ok(())
}

/// `{{{markdown doc}}}`: a doc comment (Markdown) as HTML; raw HTML in it is escaped.
fn markdown_to_html(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    use pulldown_cmark::{Event, Parser, html};
    let text = text_param(helper);
    let events = Parser::new(text).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut rendered = String::new();
    html::push_html(&mut rendered, events);
    out.write(&rendered)?;
    Ok(())
}

/// `{{inline text}}` in HTML: one line of Markdown (code spans, emphasis)
/// as HTML without a paragraph around it.
fn inline_html(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd, html};
    let text = text_param(helper);
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        other => Some(other),
    });
    let mut rendered = String::new();
    html::push_html(&mut rendered, events);
    out.write(rendered.trim_end())?;
    Ok(())
}

/// `{{inline text}}` in Markdown: the text as is, on one line of a table.
fn inline_markdown(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let text = text_param(helper);
    out.write(&text.replace('|', "\\|").replace('\n', " "))?;
    Ok(())
}

/// `{{code value}}` in Markdown: a code span that survives tables.
fn code_span(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let text = helper
        .param(0)
        .map(|p| match p.value() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let text = text.replace('\n', " ");
    if text.is_empty() {
        return Ok(());
    }
    // A fence longer than any run of backticks inside.
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    out.write(&format!(
        "{fence}{pad}{}{pad}{fence}",
        text.replace('|', "\\|")
    ))?;
    Ok(())
}

/// `{{join list ", "}}`: strings joined, escaped by the format.
fn join(
    helper: &Helper<'_>,
    registry: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let separator = helper
        .param(1)
        .and_then(|p| p.value().as_str())
        .unwrap_or(", ");
    let items: Vec<String> = helper
        .param(0)
        .and_then(|p| p.value().as_array())
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    out.write(&registry.get_escape_fn()(&items.join(separator)))?;
    Ok(())
}

/// `{{raw text}}` in Markdown: written as is.
fn raw(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(text_param(helper))?;
    Ok(())
}

/// `{{raw text}}` in HTML: escaped, newlines kept (for `<pre>`).
fn raw_html_escaped(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let text = text_param(helper);
    out.write(&handlebars::html_escape(text))?;
    Ok(())
}

/// A helper's first parameter as text (empty when absent or not a string).
fn text_param<'a>(helper: &'a Helper<'_>) -> &'a str {
    helper
        .param(0)
        .and_then(|p| p.value().as_str())
        .unwrap_or_default()
}
