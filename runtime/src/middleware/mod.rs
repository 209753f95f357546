//! The middleware onion.
//!
//! Input: a [`Request`] and the rest of the onion as a [`Next`]. Output: a
//! [`Response`]. Each layer is a plain function pointer ([`MiddlewareFn`]),
//! so built-in layers, later ones (sessions, CSRF, auth, messages) and user
//! middleware written in Rust all plug in the same way, and the generic
//! async machinery is compiled once, in the runtime.
//!
//! The order comes from [`crate::ServerConfig::middleware`], outermost
//! first: a layer sees the request before every layer after it, and the
//! response after them. As in Django, an error a layer returns becomes an
//! error page right there, so the layers outside it see an ordinary response
//! (and add their headers to it).

pub mod common;
pub mod security;
pub mod timing;

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::app::App;
use crate::error::HttpError;
use crate::request::Request;
use crate::response::Response;

/// One layer of the onion: do something with the request, call
/// `next.run(request)` (or not, to answer early), do something with the response.
///
/// ```
/// use djinn_runtime::{BoxFuture, HttpError, Next, Request, Response};
/// use djinn_runtime::http::{HeaderName, HeaderValue};
///
/// fn powered_by(request: Request, next: Next) -> BoxFuture<'static, Result<Response, HttpError>> {
///     Box::pin(async move {
///         let mut response = next.run(request).await;
///         response.headers_mut().insert(
///             HeaderName::from_static("x-powered-by"),
///             HeaderValue::from_static("djinn"),
///         );
///         Ok(response)
///     })
/// }
/// ```
pub type MiddlewareFn = fn(Request, Next) -> BoxFuture<'static, Result<Response, HttpError>>;

/// A named middleware layer.
#[derive(Clone, Copy)]
pub struct Middleware {
    /// The name shown in logs and the debug output (`"myapp::audit"`).
    pub name: &'static str,
    /// The layer itself.
    pub call: MiddlewareFn,
}

impl fmt::Debug for Middleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Middleware").field(&self.name).finish()
    }
}

/// An entry of the configured middleware order.
#[derive(Clone, Copy, Debug)]
pub enum MiddlewareKind {
    /// Security headers ([`security`]).
    Security,
    /// Allowed hosts and `APPEND_SLASH` ([`common`]).
    Common,
    /// Access log and, in debug, `Server-Timing` ([`timing`]).
    Timing,
    /// Loads the session before the handler, saves it and sets its cookie after ([`crate::session`]).
    Sessions,
    /// Refuses unsafe requests without a valid CSRF token ([`crate::csrf`]).
    Csrf,
    /// Loads the signed-in user from the session ([`crate::auth`]).
    Auth,
    /// One-time messages stored in the session ([`crate::messages`]).
    Messages,
    /// A middleware written in Rust by the project.
    Custom(Middleware),
}

impl MiddlewareKind {
    /// The layer this entry stands for.
    pub fn middleware(self) -> Middleware {
        match self {
            MiddlewareKind::Security => Middleware {
                name: "security",
                call: security::security_middleware,
            },
            MiddlewareKind::Common => Middleware {
                name: "common",
                call: common::common_middleware,
            },
            MiddlewareKind::Timing => Middleware {
                name: "timing",
                call: timing::timing_middleware,
            },
            MiddlewareKind::Sessions => Middleware {
                name: "sessions",
                call: crate::session::session_middleware,
            },
            MiddlewareKind::Csrf => Middleware {
                name: "csrf",
                call: crate::csrf::csrf_middleware,
            },
            MiddlewareKind::Auth => Middleware {
                name: "auth",
                call: crate::auth::auth_middleware,
            },
            MiddlewareKind::Messages => Middleware {
                name: "messages",
                call: crate::messages::messages_middleware,
            },
            MiddlewareKind::Custom(middleware) => middleware,
        }
    }
}

/// The rest of the onion, from one layer inwards; ends with the router and the handler.
pub struct Next {
    app: Arc<App>,
    position: usize,
}

impl Next {
    /// The onion from its outermost layer.
    pub(crate) fn start(app: Arc<App>) -> Next {
        Next { app, position: 0 }
    }

    /// The application: its settings, router and shared state.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Runs the inner layers and the handler; an error any of them returns
    /// is already turned into its error page.
    pub fn run(self, request: Request) -> BoxFuture<'static, Response> {
        let Next { app, position } = self;
        let method = request.method().clone();
        let path = request.path().to_owned();
        let json = crate::error_pages::wants_json(request.headers());
        let answer = match app.middleware().get(position) {
            Some(layer) => {
                let inner = Next {
                    app: Arc::clone(&app),
                    position: position + 1,
                };
                (layer.call)(request, inner)
            }
            None => Arc::clone(&app).dispatch(request),
        };
        Box::pin(async move {
            match answer.await {
                Ok(response) => response,
                Err(error) => app.error_answer(&method, &path, json, error),
            }
        })
    }
}
