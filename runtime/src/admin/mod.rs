//! The admin site: Django's `django.contrib.admin`, as generic code driven
//! by a static description of the project's `admin Model { … }` blocks.
//!
//! Input: an [`AdminSite`] the compiler generates (`src/admin.rs` of a
//! generated crate: models, tables, columns and their kinds, each model's
//! `str`, the change lists' columns, filters, search fields and ordering,
//! the edit forms), and requests under the site's prefix, routed here by
//! the generated `route` function through [`route`]. Output: the admin's
//! pages — the index of models, each model's change list (sorting, search,
//! filters, pagination, the "delete selected" action), the add, change and
//! delete pages — as HTML with one served stylesheet and no JavaScript.
//!
//! Access, as Django's admin: every page needs a signed-in, active staff
//! user (anonymous requests are sent to `[auth] login_url` with `next`,
//! others get 403); each model's pages need its `view`, `add`, `change` or
//! `delete` permission (`"<app>.change_post"`; superusers have them all).
//! The login, logout and password pages are the auth module's, served by
//! the generated router under the login URL's prefix: [`route`] leaves
//! those paths alone.
//!
//! SQL is built per request from the spec ([`sql`]): identifiers only from
//! the spec, every request value bound. Writes run in one transaction each.
//!
//! | file | concept |
//! | --- | --- |
//! | `spec.rs` | the static description: [`AdminSite`], [`ModelAdmin`], [`ModelInfo`], … |
//! | `sql.rs` | statements built from the spec, both dialects |
//! | `values.rs` | values between rows, URLs and pages |
//! | `views.rs` | the pages |
//! | `html.rs` | the page layout, links, the stylesheet (`style.css`) |
//!
//! See `docs/admin.md`.

mod html;
pub mod spec;
pub mod sql;
pub mod values;
mod views;

use futures_util::future::BoxFuture;
use http::Method;

pub use spec::{
    AdminSite, End, Field, FieldKind, FormRow, HookPhase, Hooks, Hop, ListColumn, ListFilter,
    ManyToMany, ModelAdmin, ModelInfo, OnDelete, Order, Path, Related, Scalar, StrPart,
};

use crate::app::RouteMatch;
use crate::error::HttpError;
use crate::request::{Request, UrlParams};
use crate::response::Response;

/// The URL parameter holding the path under the admin's prefix.
pub const PATH_PARAM: &str = "admin_path";

/// The methods admin pages answer.
const METHODS: &[Method] = &[Method::GET, Method::HEAD, Method::POST];

/// The first segments the account pages use under the login URL's prefix
/// (Django's `django.contrib.auth.urls`): not the admin's.
const ACCOUNT_PAGES: [&str; 5] = [
    "login",
    "logout",
    "password_change",
    "password_reset",
    "reset",
];

/// Routes `rest`, the path under the site's prefix (`""` for the index,
/// `"blog/post/3/change/"`): [`RouteMatch::Found`] with the site's handler
/// for an admin page, `NotFound` for anything else (including the account
/// pages, which the generated router serves next), 405 for methods other
/// than GET, HEAD and POST.
pub fn route(site: &'static AdminSite, method: &Method, rest: &str) -> RouteMatch {
    if !is_admin_path(site, rest) {
        return RouteMatch::NotFound;
    }
    if !METHODS.contains(method) {
        return RouteMatch::MethodNotAllowed { allow: METHODS };
    }
    let mut params = UrlParams::new();
    params.push(PATH_PARAM, rest);
    RouteMatch::Found {
        handler: site.handler,
        params,
    }
}

/// Whether `rest` names an admin page of `site`.
fn is_admin_path(site: &AdminSite, rest: &str) -> bool {
    let segments: Vec<&str> = rest.split('/').collect();
    if let Some(first) = segments.first()
        && ACCOUNT_PAGES.contains(first)
    {
        return false;
    }
    let model_known =
        |app: &str, model: &str| app == site.app_label && site.model_admin(model).is_some();
    match segments.as_slice() {
        [""] | [html::STYLESHEET] => true,
        [app, ""] => *app == site.app_label,
        [app, model, ""] | [app, model, "add", ""] => model_known(app, model),
        [app, model, key, ""] | [app, model, key, "change" | "delete", ""] => {
            !key.is_empty() && model_known(app, model)
        }
        _ => false,
    }
}

/// Answers a request [`route`] matched: what the generated handler of
/// [`AdminSite::handler`] calls.
pub fn serve(
    site: &'static AdminSite,
    request: Request,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(views::dispatch(site, request))
}

#[cfg(test)]
mod tests;
