//! Error pages.
//!
//! Input: an [`HttpError`] and the [`ErrorContext`] of the request it ended.
//! Output: the [`Response`] the client sees. In debug mode a detailed page
//! (method, path, the error's detail, for a 404 the URL patterns tried); in
//! production a short page with the status alone, or the project's own page
//! from an [`ErrorRenderer`]. Production never shows a detail, so neither a
//! panic message nor an internal error text reaches the client.

use std::any::Any;
use std::fmt::Write;

use htmlize::escape_text;
use http::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::app::RouteInfo;
use crate::error::HttpError;
use crate::response::Response;

/// What an error page may tell about the request that failed.
#[derive(Clone, Copy, Debug)]
pub struct ErrorContext<'a> {
    /// Whether the detailed debug page is wanted.
    pub debug: bool,
    /// The request method.
    pub method: &'a Method,
    /// The decoded request path.
    pub path: &'a str,
    /// The application's URL patterns, listed on the debug 404 page.
    pub routes: &'a [RouteInfo],
    /// The client asked for JSON ([`wants_json`]): the answer is
    /// `{"detail": "…"}`, as Django REST framework gives it.
    pub json: bool,
}

/// Whether a request's headers ask for a JSON error: an `Accept` that
/// names `application/json` and not `text/html`, or a JSON body.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let accept = header(ACCEPT);
    let content_type = header(CONTENT_TYPE);
    (accept.contains("application/json") && !accept.contains("text/html"))
        || content_type.starts_with("application/json")
}

/// The `detail` of a JSON error: Django REST framework's wording, or the
/// error's own message where it is written for the client.
fn json_detail(error: &HttpError, debug: bool) -> String {
    match error {
        HttpError::BadRequest(detail)
        | HttpError::Forbidden(detail)
        | HttpError::Conflict(detail)
        | HttpError::UnsupportedMediaType(detail)
            if !detail.is_empty() =>
        {
            detail.clone()
        }
        HttpError::BadRequest(_) => "Bad request.".to_owned(),
        HttpError::Forbidden(_) => "You do not have permission to perform this action.".to_owned(),
        HttpError::NotFound(_) => "Not found.".to_owned(),
        HttpError::MethodNotAllowed { .. } => "Method not allowed.".to_owned(),
        HttpError::PayloadTooLarge { limit } => {
            format!("Request body larger than {limit} bytes.")
        }
        HttpError::RequestTimeout => "Request timeout.".to_owned(),
        other if debug => other.to_string(),
        HttpError::ServiceUnavailable(_) => "Service unavailable.".to_owned(),
        _ => "A server error occurred.".to_owned(),
    }
}

/// A project's own error page (Django's `handler404` / `handler500`), used in
/// production; `None` falls back to the built-in page.
pub type ErrorRenderer = fn(&ErrorContext<'_>, &HttpError) -> Option<Response>;

/// The response for `error`: the debug page, the project's page, or the plain page.
pub fn render(
    context: &ErrorContext<'_>,
    error: &HttpError,
    custom: Option<ErrorRenderer>,
) -> Response {
    let status = error.status();
    let page = if context.debug {
        None
    } else {
        custom.and_then(|render| render(context, error))
    };
    let mut response = page.unwrap_or_else(|| {
        if context.json {
            let body = serde_json::json!({ "detail": json_detail(error, context.debug) });
            return Response::with_content(
                HeaderValue::from_static("application/json"),
                body.to_string(),
            )
            .with_status(status);
        }
        let body = if context.debug {
            debug_page(context, error)
        } else {
            production_page(status, user_message(error))
        };
        Response::html(body).with_status(status)
    });
    if let HttpError::MethodNotAllowed { allow } = error {
        response.headers_mut().insert(ALLOW, allow_header(allow));
    }
    response
}

/// The `Allow` value for `allow`; HEAD is listed with GET because the
/// runtime answers HEAD with the GET handler.
pub fn allow_header(allow: &[Method]) -> HeaderValue {
    let mut methods: Vec<&str> = allow.iter().map(Method::as_str).collect();
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        methods.push("HEAD");
    }
    HeaderValue::try_from(methods.join(", ")).unwrap_or(HeaderValue::from_static(""))
}

/// The text of a panic payload, for the log and the debug page.
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "a panic with a non-text payload"
    }
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// The detail of errors written for the user (a refused delete, a form
/// value the view rejects), shown even in production; other details may
/// name internals and stay in the log.
fn user_message(error: &HttpError) -> Option<&str> {
    match error {
        HttpError::Conflict(detail) | HttpError::BadRequest(detail) if !detail.is_empty() => {
            Some(detail)
        }
        _ => None,
    }
}

fn production_page(status: StatusCode, message: Option<&str>) -> String {
    let code = status.as_u16();
    let reason = reason(status);
    let explanation = match message {
        Some(message) => format!("<p>{}</p>", crate::template::escape(message)),
        None if status == StatusCode::NOT_FOUND => {
            "<p>The requested resource was not found on this server.</p>".to_owned()
        }
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{code} {reason}</title></head>\n\
         <body><h1>{reason} ({code})</h1>{explanation}</body></html>\n"
    )
}

const DEBUG_STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0}\
    header{background:#ffc;padding:1em 2em;border-bottom:1px solid #ddd}\
    main{padding:1em 2em}h1{margin:0;font-weight:normal}\
    th{text-align:right;padding-right:1em;color:#555}code{background:#f4f4f4}\
    .detail{white-space:pre-wrap;font-family:monospace;background:#f4f4f4;padding:1em}\
    footer{padding:1em 2em;color:#777;border-top:1px solid #ddd}";

fn debug_page(context: &ErrorContext<'_>, error: &HttpError) -> String {
    let status = error.status();
    let code = status.as_u16();
    let reason = reason(status);
    let method = escape_text(context.method.as_str());
    let path = escape_text(context.path);
    let mut page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{reason} at {path}</title><style>{DEBUG_STYLE}</style></head>\n<body>\
         <header><h1>{reason} <small>({code})</small></h1>\
         <table><tr><th>Request method</th><td>{method}</td></tr>\
         <tr><th>Request path</th><td><code>{path}</code></td></tr></table></header>\n<main>"
    );
    let detail = error.to_string();
    let _ = write!(page, "<p class=\"detail\">{}</p>", escape_text(&detail));
    if status == StatusCode::NOT_FOUND && !context.routes.is_empty() {
        page.push_str("<p>djinn tried these URL patterns, in this order:</p><ol>");
        for route in context.routes {
            let _ = write!(page, "<li><code>{}</code>", escape_text(route.pattern));
            if let Some(name) = route.name {
                let _ = write!(page, " [name='{}']", escape_text(name));
            }
            page.push_str("</li>");
        }
        let _ = write!(
            page,
            "</ol><p>The current path, <code>{path}</code>, matched none of these.</p>"
        );
    }
    page.push_str(
        "</main>\n<footer>You're seeing this page because debug is on. \
         Turn it off in production: the client will then see a short page \
         with the status alone.</footer></body></html>\n",
    );
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[RouteInfo] = &[RouteInfo {
        pattern: "posts/<int:id>/",
        name: Some("post_detail"),
    }];

    fn context(debug: bool) -> ErrorContext<'static> {
        ErrorContext {
            debug,
            method: &Method::GET,
            path: "/<script>",
            routes: ROUTES,
            json: false,
        }
    }

    fn body(response: &Response) -> String {
        String::from_utf8(response.body().to_vec()).unwrap()
    }

    #[test]
    fn json_clients_get_json_errors_without_internals() {
        let mut headers = HeaderMap::new();
        assert!(!wants_json(&headers));
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("text/html,application/json"),
        );
        assert!(!wants_json(&headers), "a browser");
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        assert!(wants_json(&headers));
        let json = ErrorContext {
            json: true,
            ..context(false)
        };
        let missing = render(&json, &HttpError::not_found(), None);
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(body(&missing), r#"{"detail":"Not found."}"#);
        let failed = render(&json, &HttpError::internal("password=hunter2"), None);
        assert_eq!(body(&failed), r#"{"detail":"A server error occurred."}"#);
        let refused = render(
            &json,
            &HttpError::Forbidden("CSRF token missing.".into()),
            None,
        );
        assert_eq!(body(&refused), r#"{"detail":"CSRF token missing."}"#);
        let method = render(
            &json,
            &HttpError::MethodNotAllowed {
                allow: &[Method::GET],
            },
            None,
        );
        assert_eq!(method.headers()[ALLOW], "GET, HEAD");
    }

    #[test]
    fn debug_404_lists_routes_and_escapes_the_path() {
        let response = render(&context(true), &HttpError::not_found(), None);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = body(&response);
        assert!(page.contains("posts/&lt;int:id&gt;/</code> [name='post_detail']"));
        assert!(page.contains("/&lt;script&gt;"));
        assert!(!page.contains("<script>"));
    }

    #[test]
    fn production_500_hides_the_detail() {
        let error = HttpError::internal("password=hunter2 in connection string");
        let response = render(&context(false), &error, None);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let page = body(&response);
        assert!(page.contains("Internal Server Error (500)"));
        assert!(!page.contains("hunter2"));
    }

    #[test]
    fn method_not_allowed_sets_allow_with_head_for_get() {
        let error = HttpError::MethodNotAllowed {
            allow: &[Method::GET, Method::POST],
        };
        let response = render(&context(false), &error, None);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[ALLOW], "GET, POST, HEAD");
    }

    #[test]
    fn a_custom_renderer_is_used_in_production_only() {
        fn own_page(_: &ErrorContext<'_>, error: &HttpError) -> Option<Response> {
            (error.status() == StatusCode::NOT_FOUND)
                .then(|| Response::html("our 404").with_status(StatusCode::NOT_FOUND))
        }
        let production = render(&context(false), &HttpError::not_found(), Some(own_page));
        assert_eq!(body(&production), "our 404");
        let debug = render(&context(true), &HttpError::not_found(), Some(own_page));
        assert!(body(&debug).contains("djinn tried these URL patterns"));
        let other = render(&context(false), &HttpError::internal("x"), Some(own_page));
        assert!(body(&other).contains("(500)"));
    }

    #[test]
    fn panic_payloads_become_text() {
        let payload: Box<dyn Any + Send> = Box::new(String::from("boom"));
        assert_eq!(panic_message(payload.as_ref()), "boom");
        let payload: Box<dyn Any + Send> = Box::new(7_u8);
        assert_eq!(
            panic_message(payload.as_ref()),
            "a panic with a non-text payload"
        );
    }
}
