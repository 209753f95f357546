//! The application: the interface generated code implements, and the
//! dispatch at the heart of the onion.
//!
//! Input: a generated [`Router`] (a plain `fn(&Method, &str) -> RouteMatch`,
//! typically a `match` on path segments), the URL patterns for the debug 404
//! page ([`RouteInfo`]), a [`ServerConfig`], shared state. Output: an [`App`]
//! that answers a [`Request`] with a [`Response`] through the middleware,
//! static files, the router and the matched [`Handler`].
//!
//! Everything crosses this boundary as function pointers and boxed futures,
//! never as generic parameters: hyper, tokio and the onion are compiled once
//! in the runtime, and a rebuild of a generated crate compiles only its own
//! code.
//!
//! The shape of a generated server:
//!
//! ```no_run
//! use djinn_runtime::http::Method;
//! use djinn_runtime::{
//!     App, BoxFuture, HttpError, Request, Response, RouteInfo, RouteMatch, ServerConfig,
//!     UrlParams,
//! };
//!
//! // views.rs: one async fn per view, and its handler wrapper.
//! async fn post_detail(request: Request) -> Result<Response, HttpError> {
//!     let id: i64 = request
//!         .param("id")
//!         .and_then(|id| id.parse().ok())
//!         .ok_or_else(HttpError::not_found)?;
//!     Ok(Response::html(format!("<h1>Post {id}</h1>")))
//! }
//! fn __djinn_h_post_detail(request: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
//!     Box::pin(post_detail(request))
//! }
//!
//! // urls.rs: the matcher and the pattern list.
//! const __DJINN_GET: &[Method] = &[Method::GET];
//! pub fn route(method: &Method, path: &str) -> RouteMatch {
//!     let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
//!     match segments.as_slice() {
//!         ["posts", id, ""] if id.parse::<i64>().is_ok() => match *method {
//!             Method::GET => {
//!                 let mut params = UrlParams::new();
//!                 params.push("id", *id);
//!                 RouteMatch::Found { handler: __djinn_h_post_detail, params }
//!             }
//!             _ => RouteMatch::MethodNotAllowed { allow: __DJINN_GET },
//!         },
//!         _ => RouteMatch::NotFound,
//!     }
//! }
//! pub const ROUTES: &[RouteInfo] =
//!     &[RouteInfo { pattern: "posts/<int:id>/", name: Some("post_detail") }];
//!
//! // main.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let config = ServerConfig {
//!         allowed_hosts: vec!["example.com".to_owned()],
//!         ..ServerConfig::default()
//!     }
//!     .with_process_env()?;
//!     djinn_runtime::init_logging(config.debug);
//!     let app = App::new(config, route)?.with_routes(ROUTES);
//!     djinn_runtime::run(app)?;
//!     Ok(())
//! }
//! ```

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::future::BoxFuture;
use http::{Extensions, Method};
use tokio::time::Sleep;

use crate::config::{ConfigError, ServerConfig};
use crate::error::HttpError;
use crate::error_pages::{self, ErrorContext, ErrorRenderer};
use crate::middleware::security::SecurityHeaders;
use crate::middleware::timing::log_access;
use crate::middleware::{
    Head, Inner, Middleware, MiddlewareKind, Next, Panicked, Run, handler_panicked,
};
use crate::request::{Request, UrlParams};
use crate::response::Response;
use crate::static_files::StaticFiles;

/// A view as the runtime calls it.
///
/// Why this shape:
/// - a `fn` pointer, not a boxed closure: routes are static items of the
///   generated crate and capture nothing, so matching returns a `Copy`
///   value without allocating, and there is one type for every view;
/// - the future is boxed because each `async fn` has its own unnameable
///   type, and a box is what makes one signature fit all views;
/// - `'static + Send` so the runtime can time it out, catch its panics and
///   run it on any worker thread; hence the request is taken by value
///   (it owns its body and parameters) rather than borrowed;
/// - `Result` so views use `?` and errors become error pages in one place.
///
/// Generated code writes `async fn view(request: Request) -> Result<Response, HttpError>`
/// and a one-line wrapper `fn view_handler(r: Request) -> BoxFuture<…> { Box::pin(view(r)) }`.
pub type Handler = fn(Request) -> BoxFuture<'static, Result<Response, HttpError>>;

/// The generated route matcher: method and percent-decoded path to a route.
pub type Router = fn(&Method, &str) -> RouteMatch;

/// What the router found for a method and path.
#[derive(Clone, Debug)]
pub enum RouteMatch {
    /// A route matches: call `handler` with `params` set on the request.
    Found {
        /// The view.
        handler: Handler,
        /// The URL parameters captured from the path.
        params: UrlParams,
    },
    /// The path matches a route, but not for this method: 405 with `Allow`.
    MethodNotAllowed {
        /// The methods the path answers.
        allow: &'static [Method],
    },
    /// No route matches the path: 404 (or an `APPEND_SLASH` redirect).
    NotFound,
}

/// A URL pattern as written in the spec, listed on the debug 404 page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    /// The pattern, such as `posts/<int:id>/`.
    pub pattern: &'static str,
    /// The route's name, if it has one.
    pub name: Option<&'static str>,
}

/// An application: router, settings, middleware, static files and shared state.
pub struct App {
    config: ServerConfig,
    router: Router,
    routes: &'static [RouteInfo],
    middleware: Vec<Middleware>,
    security_headers: SecurityHeaders,
    static_files: Option<StaticFiles>,
    state: Arc<Extensions>,
    error_renderer: Option<ErrorRenderer>,
}

impl App {
    /// An application routing with `router`; fails if a setting cannot be used.
    pub fn new(config: ServerConfig, router: Router) -> Result<App, ConfigError> {
        let security_headers = SecurityHeaders::from_config(&config.security)?;
        let static_files = StaticFiles::new(&config.static_files, config.debug)?;
        let middleware = config
            .middleware
            .iter()
            .map(|kind| kind.middleware())
            .collect();
        if config.allowed_hosts.is_empty() && !config.debug {
            tracing::warn!("allowed_hosts is empty and debug is off: every request will get 400");
        }
        Ok(App {
            config,
            router,
            routes: &[],
            middleware,
            security_headers,
            static_files,
            state: Arc::default(),
            error_renderer: None,
        })
    }

    /// Sets the URL patterns shown on the debug 404 page.
    pub fn with_routes(mut self, routes: &'static [RouteInfo]) -> App {
        self.routes = routes;
        self
    }

    /// Adds a value every handler can read with [`Request::state`] (a database pool, say).
    pub fn with_state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> App {
        Arc::make_mut(&mut self.state).insert(value);
        self
    }

    /// Sets the project's own production error pages.
    pub fn with_error_renderer(mut self, renderer: ErrorRenderer) -> App {
        self.error_renderer = Some(renderer);
        self
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The URL patterns given to [`App::with_routes`].
    pub fn routes(&self) -> &'static [RouteInfo] {
        self.routes
    }

    /// The middleware layers, outermost first.
    pub fn middleware(&self) -> &[Middleware] {
        &self.middleware
    }

    /// The headers of the security middleware, validated at start-up.
    pub fn security_headers(&self) -> &SecurityHeaders {
        &self.security_headers
    }

    /// Routes `method` and `path`; a HEAD request falls back to the GET route.
    pub fn route(&self, method: &Method, path: &str) -> RouteMatch {
        let found = (self.router)(method, path);
        if *method == Method::HEAD && !matches!(found, RouteMatch::Found { .. }) {
            return (self.router)(&Method::GET, path);
        }
        found
    }

    /// Django's `APPEND_SLASH`: for a GET or HEAD of `path` (decoded) that has
    /// no route while `path/` has one, the location to redirect to: the raw
    /// path plus `/`, with the query string kept.
    pub fn append_slash_location(
        &self,
        method: &Method,
        path: &str,
        raw_path: &str,
        query: Option<&str>,
    ) -> Option<String> {
        let eligible = self.config.append_slash
            && matches!(*method, Method::GET | Method::HEAD)
            && !path.ends_with('/');
        if !eligible || !matches!(self.route(method, path), RouteMatch::NotFound) {
            return None;
        }
        let with_slash = format!("{path}/");
        if matches!(self.route(method, &with_slash), RouteMatch::NotFound) {
            return None;
        }
        // `//evil.example/` would be a protocol-relative URL: an open redirect.
        let mut location = match raw_path.strip_prefix("//") {
            Some(rest) => format!("/%2F{rest}/"),
            None => format!("{raw_path}/"),
        };
        if let Some(query) = query {
            location.push('?');
            location.push_str(query);
        }
        Some(location)
    }

    /// Answers `request` through the whole onion, like the server does
    /// (also usable without a socket, in tests). Panics and the request
    /// time limit are handled here.
    pub async fn handle(self: &Arc<App>, request: Request) -> Response {
        Arc::clone(self).answer(request, Instant::now()).await
    }

    /// [`App::handle`] for the server, which has its own `Arc` and start time.
    ///
    /// Cheap when nothing goes wrong: the onion is polled once before the
    /// request timer is armed, so a request answered on its first poll (no
    /// I/O to wait for) never touches tokio's timer; the request's method
    /// and path are read again only for an error page.
    pub(crate) fn answer(self: Arc<App>, mut request: Request, started: Instant) -> Answer {
        request.set_state(Arc::clone(&self.state));
        let head = Head::of(&request);
        let state = match Next::start(Arc::clone(&self), head, request) {
            Ok(onion) => AnswerState::Running { onion, timer: None },
            Err(panicked) => {
                let Panicked { head, panic } = *panicked;
                AnswerState::Panicked(head, middleware_panicked(panic.as_ref()))
            }
        };
        Answer {
            app: self,
            started,
            state,
        }
    }

    /// The innermost layer: static files, or the router and the matched
    /// handler (called right away; the caller polls its future).
    pub(crate) fn dispatch(self: &Arc<App>, mut request: Request) -> Inner {
        if let Some(static_files) = &self.static_files
            && static_files.relative_path(request.path()).is_some()
        {
            let app = Arc::clone(self);
            return Inner::Layer(Box::pin(async move {
                let static_files = app.static_files.as_ref().expect("checked above");
                let relative = static_files
                    .relative_path(request.path())
                    .expect("checked above");
                static_files.serve(&request, relative).await
            }));
        }
        match self.route(request.method(), request.path()) {
            RouteMatch::Found { handler, params } => {
                request.set_params(params);
                match panic::catch_unwind(AssertUnwindSafe(|| handler(request))) {
                    Ok(future) => Inner::Handler(future),
                    Err(panic) => Inner::Ready(Some(Err(handler_panicked(panic.as_ref())))),
                }
            }
            RouteMatch::MethodNotAllowed { allow } => {
                Inner::Ready(Some(Err(HttpError::MethodNotAllowed { allow })))
            }
            RouteMatch::NotFound => Inner::Ready(Some(Err(HttpError::NotFound(format!(
                "no route matches {:?}",
                request.path()
            ))))),
        }
    }

    /// The error page for `error` on a request for `method` and `path`.
    pub fn error_response(&self, method: &Method, path: &str, error: HttpError) -> Response {
        self.error_answer(method, path, false, error)
    }

    /// The error answer for `error`: JSON when `json` (the client asked
    /// for it: [`error_pages::wants_json`]), else the HTML page.
    pub fn error_answer(
        &self,
        method: &Method,
        path: &str,
        json: bool,
        error: HttpError,
    ) -> Response {
        if error.status().is_server_error() {
            tracing::error!(%method, path, %error, "request failed");
        } else {
            tracing::debug!(%method, path, %error, "request refused");
        }
        let context = ErrorContext {
            debug: self.config.debug,
            method,
            path,
            routes: self.routes,
            json,
        };
        error_pages::render(&context, &error, self.error_renderer)
    }

    /// The answer to a request refused outside the onion (body too large or
    /// too slow, bad path, timeout, panic in a middleware): its error page
    /// gets the security headers and the access-log line that the
    /// configured middleware would have given it.
    pub fn reject(
        &self,
        method: &Method,
        path: &str,
        error: HttpError,
        started: Instant,
    ) -> Response {
        let mut response = self.error_response(method, path, error);
        let enabled =
            |wanted: fn(&MiddlewareKind) -> bool| self.config.middleware.iter().any(wanted);
        if enabled(|kind| matches!(kind, MiddlewareKind::Security)) {
            self.security_headers.apply(response.headers_mut());
        }
        if enabled(|kind| matches!(kind, MiddlewareKind::Timing)) {
            let status = response.status();
            log_access(
                method,
                path,
                status,
                response.body().len(),
                started.elapsed(),
            );
        }
        response
    }
}

/// The future of [`App::answer`]: the onion's response, or the error page
/// of a panic or of the request timeout.
pub(crate) struct Answer {
    app: Arc<App>,
    started: Instant,
    state: AnswerState,
}

enum AnswerState {
    Running {
        onion: Run,
        /// Armed when the onion first returns `Pending`.
        timer: Option<Pin<Box<Sleep>>>,
    },
    /// The outermost layer panicked when called.
    Panicked(Head, HttpError),
    Done,
}

impl Future for Answer {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        let AnswerState::Running { onion, timer } = &mut this.state else {
            let AnswerState::Panicked(head, error) =
                std::mem::replace(&mut this.state, AnswerState::Done)
            else {
                panic!("`Answer` polled after it completed");
            };
            return Poll::Ready(
                this.app
                    .reject(&head.method, &head.path(), error, this.started),
            );
        };
        let error = match panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut *onion).poll(cx))) {
            Ok(Poll::Ready(response)) => {
                this.state = AnswerState::Done;
                return Poll::Ready(response);
            }
            Ok(Poll::Pending) => {
                let limit = this.app.config.limits.request_timeout;
                let timer = timer.get_or_insert_with(|| {
                    let deadline = tokio::time::Instant::from_std(this.started) + limit;
                    Box::pin(tokio::time::sleep_until(deadline))
                });
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                HttpError::ServiceUnavailable(format!(
                    "no response within the request timeout of {limit:?}"
                ))
            }
            Err(panic) => middleware_panicked(panic.as_ref()),
        };
        let response = {
            let head = onion.head();
            this.app
                .reject(&head.method, &head.path(), error, this.started)
        };
        // Dropping the onion now cancels the timed-out or broken handler.
        this.state = AnswerState::Done;
        Poll::Ready(response)
    }
}

/// The error a middleware's panic becomes.
fn middleware_panicked(panic: &(dyn Any + Send)) -> HttpError {
    let message = error_pages::panic_message(panic);
    HttpError::Internal(format!("middleware panicked: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
        Box::pin(async { Ok(Response::text("ok")) })
    }

    const POST_ONLY: &[Method] = &[Method::POST];

    fn router(method: &Method, path: &str) -> RouteMatch {
        match (path, method) {
            ("/articles/", &Method::GET) => RouteMatch::Found {
                handler: ok,
                params: UrlParams::new(),
            },
            ("/submit/", _) if *method != Method::POST => {
                RouteMatch::MethodNotAllowed { allow: POST_ONLY }
            }
            ("//evil.example/", _) => RouteMatch::Found {
                handler: ok,
                params: UrlParams::new(),
            },
            _ => RouteMatch::NotFound,
        }
    }

    fn app(append_slash: bool) -> App {
        let config = ServerConfig {
            append_slash,
            ..ServerConfig::default()
        };
        App::new(config, router).unwrap()
    }

    #[test]
    fn append_slash_keeps_the_query_and_only_applies_when_needed() {
        let with_slash = app(true);
        let location = |method: &Method, path: &str, query| {
            with_slash.append_slash_location(method, path, path, query)
        };
        assert_eq!(
            location(&Method::GET, "/articles", Some("page=2")).as_deref(),
            Some("/articles/?page=2")
        );
        assert_eq!(
            location(&Method::HEAD, "/articles", None).as_deref(),
            Some("/articles/")
        );
        assert_eq!(
            location(&Method::GET, "/submit", None).as_deref(),
            Some("/submit/"),
            "a route for another method still counts, as in Django"
        );
        assert_eq!(location(&Method::POST, "/articles", None), None);
        assert_eq!(location(&Method::GET, "/missing", None), None);
        assert_eq!(location(&Method::GET, "/articles/", None), None);
        assert_eq!(
            location(&Method::GET, "//evil.example", None).as_deref(),
            Some("/%2Fevil.example/")
        );
        assert_eq!(
            app(false).append_slash_location(&Method::GET, "/articles", "/articles", None),
            None
        );
    }

    #[test]
    fn head_falls_back_to_the_get_route() {
        let app = app(true);
        assert!(matches!(
            app.route(&Method::HEAD, "/articles/"),
            RouteMatch::Found { .. }
        ));
        assert!(matches!(
            app.route(&Method::GET, "/submit/"),
            RouteMatch::MethodNotAllowed { allow: POST_ONLY }
        ));
    }
}
