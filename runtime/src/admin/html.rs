//! The admin's page layout and HTML helpers.
//!
//! Input: a page's title, breadcrumbs and body (already HTML), the
//! request (for the signed-in user, the CSRF token and the queued
//! messages). Output: the whole page — header bar with the user's links,
//! breadcrumbs, messages, the title and the body — as a [`Response`] that
//! is never cached; and the stylesheet every page links to. Every text
//! that does not come from this module is escaped here or by the caller
//! through [`text`] / [`attr`].

use std::fmt::Write as _;

use http::HeaderValue;
use http::header::CACHE_CONTROL;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::auth;
use crate::request::Request;
use crate::response::Response;
use crate::template::escape_into;

use super::spec::{AdminSite, ModelInfo};

/// The stylesheet's path under the site's prefix.
pub(crate) const STYLESHEET: &str = "admin.css";

/// The stylesheet (Django's admin colours, no JavaScript needed).
const STYLE: &str = include_str!("style.css");

/// What a key keeps unencoded in a path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `text`, escaped for HTML text.
pub(crate) fn text(out: &mut String, text: &str) {
    escape_into(out, text);
}

/// `text`, escaped for a double-quoted attribute value.
pub(crate) fn attr(out: &mut String, text: &str) {
    escape_into(out, text);
}

/// A key as one path segment.
pub(crate) fn segment(key: &str) -> String {
    utf8_percent_encode(key, SEGMENT).to_string()
}

/// The URLs of a model's pages.
pub(crate) struct Urls<'a> {
    site: &'a AdminSite,
    model: &'a ModelInfo,
}

impl<'a> Urls<'a> {
    /// The URLs of `model` in `site`.
    pub(crate) fn new(site: &'a AdminSite, model: &'a ModelInfo) -> Urls<'a> {
        Urls { site, model }
    }

    /// The change list: `/admin/blog/post/`.
    pub(crate) fn changelist(&self) -> String {
        format!(
            "{}{}/{}/",
            self.site.prefix, self.site.app_label, self.model.model_name
        )
    }

    /// The add page.
    pub(crate) fn add(&self) -> String {
        format!("{}add/", self.changelist())
    }

    /// The change page of the row whose key reads `key`.
    pub(crate) fn change(&self, key: &str) -> String {
        format!("{}{}/change/", self.changelist(), segment(key))
    }

    /// The delete page of the row whose key reads `key`.
    pub(crate) fn delete(&self, key: &str) -> String {
        format!("{}{}/delete/", self.changelist(), segment(key))
    }
}

/// The app's index: `/admin/blog/`.
pub(crate) fn app_url(site: &AdminSite) -> String {
    format!("{}{}/", site.prefix, site.app_label)
}

/// The account pages' prefix: the login URL without its `login/` (the
/// generated router mounts them there), `/accounts/` otherwise.
fn accounts_prefix(login_url: &str) -> String {
    match login_url.strip_suffix("login/") {
        Some(prefix) if prefix.ends_with('/') => prefix.to_owned(),
        _ => "/accounts/".to_owned(),
    }
}

/// The stylesheet's response.
pub(crate) fn stylesheet() -> Response {
    Response::with_content(HeaderValue::from_static("text/css; charset=utf-8"), STYLE).with_header(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    )
}

/// A breadcrumb: its label and link (none for the current page).
pub(crate) struct Crumb {
    /// What it says.
    pub(crate) label: String,
    /// Where it leads.
    pub(crate) url: Option<String>,
}

impl Crumb {
    /// A crumb linking to `url`.
    pub(crate) fn link(label: impl Into<String>, url: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            url: Some(url.into()),
        }
    }

    /// The current page's crumb.
    pub(crate) fn here(label: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            url: None,
        }
    }
}

/// A whole admin page around `body`.
pub(crate) struct Page<'a> {
    /// The site.
    pub(crate) site: &'a AdminSite,
    /// The `<title>` and `<h1>`.
    pub(crate) title: &'a str,
    /// Shown under the title (the object's `str` on its change page).
    pub(crate) subtitle: Option<&'a str>,
    /// The trail after "Home".
    pub(crate) crumbs: Vec<Crumb>,
    /// The `<body>`'s class (`change-list`, `change-form`, …).
    pub(crate) class: &'a str,
    /// The content, HTML.
    pub(crate) body: String,
}

impl Page<'_> {
    /// The page as HTML, for `request`'s user; takes the queued messages.
    pub(crate) fn render(&self, request: &Request) -> String {
        let site = self.site;
        let mut out = String::with_capacity(self.body.len() + 4096);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n<title>");
        text(&mut out, self.title);
        out.push_str(" | ");
        text(&mut out, site.site_header);
        out.push_str("</title>\n<link rel=\"stylesheet\" href=\"");
        attr(&mut out, site.prefix);
        out.push_str(STYLESHEET);
        out.push_str("\">\n</head>\n<body class=\"");
        attr(&mut out, self.class);
        out.push_str(
            "\">\n<a href=\"#content-start\" class=\"skip-link\">Skip to main content</a>\n",
        );
        out.push_str("<header id=\"header\">\n<div id=\"branding\"><a href=\"");
        attr(&mut out, site.prefix);
        out.push_str("\">");
        text(&mut out, site.site_header);
        out.push_str("</a></div>\n");
        self.user_tools(&mut out, request);
        out.push_str("</header>\n<nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\"><a href=\"");
        attr(&mut out, site.prefix);
        out.push_str("\">Home</a>");
        for crumb in &self.crumbs {
            out.push_str(" <span aria-hidden=\"true\">›</span> ");
            match &crumb.url {
                Some(url) => {
                    out.push_str("<a href=\"");
                    attr(&mut out, url);
                    out.push_str("\">");
                    text(&mut out, &crumb.label);
                    out.push_str("</a>");
                }
                None => {
                    out.push_str("<span aria-current=\"page\">");
                    text(&mut out, &crumb.label);
                    out.push_str("</span>");
                }
            }
        }
        out.push_str("</nav>\n<main id=\"content-start\" class=\"content\" tabindex=\"-1\">\n");
        let messages = crate::messages::take_messages(request);
        if !messages.is_empty() {
            out.push_str("<ul class=\"messagelist\">\n");
            for message in messages {
                out.push_str("<li class=\"");
                attr(&mut out, &message.tags());
                out.push_str("\">");
                text(&mut out, &message.message);
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        out.push_str("<h1>");
        text(&mut out, self.title);
        out.push_str("</h1>\n");
        if let Some(subtitle) = self.subtitle {
            out.push_str("<h2 class=\"subtitle\">");
            text(&mut out, subtitle);
            out.push_str("</h2>\n");
        }
        out.push_str(&self.body);
        out.push_str("\n</main>\n</body>\n</html>\n");
        out
    }

    fn user_tools(&self, out: &mut String, request: &Request) {
        let Some(user) = auth::current_user(request) else {
            return;
        };
        let accounts = accounts_prefix(&auth::login_url(request));
        let name = if user.first_name.is_empty() {
            &user.username
        } else {
            &user.first_name
        };
        out.push_str("<div id=\"user-tools\">Welcome, <strong>");
        text(out, name);
        out.push_str("</strong>. <a href=\"/\">View site</a> / <a href=\"");
        attr(out, &accounts);
        out.push_str("password_change/\">Change password</a> / ");
        out.push_str("<form id=\"logout-form\" method=\"post\" action=\"");
        attr(out, &accounts);
        out.push_str("logout/\">");
        csrf_input(out, request);
        out.push_str("<button type=\"submit\">Log out</button></form></div>\n");
    }

    /// The page as a response with `status` (never cached, as Django's
    /// admin pages).
    pub(crate) fn respond(&self, request: &Request, status: http::StatusCode) -> Response {
        never_cache(Response::html(self.render(request)).with_status(status))
    }
}

/// Django's `never_cache`.
pub(crate) fn never_cache(response: Response) -> Response {
    response.with_header(
        CACHE_CONTROL,
        HeaderValue::from_static("max-age=0, no-cache, no-store, must-revalidate, private"),
    )
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_input(out: &mut String, request: &Request) {
    let token = crate::csrf::csrf_token(request);
    out.push_str("<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"");
    attr(out, &token);
    out.push_str("\">");
}

/// A hidden field.
pub(crate) fn hidden(out: &mut String, name: &str, value: &str) {
    out.push_str("<input type=\"hidden\" name=\"");
    attr(out, name);
    out.push_str("\" value=\"");
    attr(out, value);
    out.push_str("\">");
}

/// `<a href="url">label</a>`
pub(crate) fn link(out: &mut String, url: &str, label: &str) {
    out.push_str("<a href=\"");
    attr(out, url);
    out.push_str("\">");
    text(out, label);
    out.push_str("</a>");
}

/// A query string (`?a=1&b=2`, or `?` when empty, which still clears the
/// current one) from `pairs`.
pub(crate) fn query(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    // The serializer appends after the target's text: "?" + "a=1&b=2".
    serializer.finish()
}

/// `1 blog post` / `3 blog posts`.
pub(crate) fn count_of(model: &ModelInfo, count: u64) -> String {
    let mut out = String::new();
    let noun = if count == 1 {
        model.verbose_name
    } else {
        model.verbose_name_plural
    };
    let _ = write!(out, "{count} {noun}");
    out
}

/// Django's `capfirst`.
pub(crate) fn capfirst(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
