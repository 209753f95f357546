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
//!
//! Cost per layer: the layer's own boxed future, an `Arc` clone and a copy
//! of the request's [`Head`] (method and URI, for error pages). Nothing
//! else is boxed: [`Next::run`] returns a plain [`Run`] future, and the
//! innermost one polls the view's future directly.

pub mod common;
pub mod security;
pub mod timing;

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_util::future::BoxFuture;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Uri};

use crate::app::App;
use crate::error::HttpError;
use crate::request::{Request, display_path};
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
    head: Head,
}

/// What an error page needs to know about the request once the request
/// itself has moved inwards: taken once per request, then handed from
/// layer to layer. A method, a URI and a header value are cheap to clone,
/// and a request's method and URI cannot change on the way in; whether the
/// client wants a JSON error is worked out only when there is an error.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// The first `Accept` and `Content-Type` values, for [`Head::json`].
    accept: Option<HeaderValue>,
    content_type: Option<HeaderValue>,
}

impl Head {
    pub(crate) fn of(request: &Request) -> Head {
        // One pass over the (few) headers is cheaper than two hashed lookups.
        let (mut accept, mut content_type) = (None, None);
        for (name, value) in request.headers() {
            if *name == ACCEPT {
                accept.get_or_insert_with(|| value.clone());
            } else if *name == CONTENT_TYPE {
                content_type.get_or_insert_with(|| value.clone());
            }
        }
        Head {
            method: request.method().clone(),
            uri: request.uri().clone(),
            accept,
            content_type,
        }
    }

    /// The decoded path, for an error page or a log line (errors only).
    pub(crate) fn path(&self) -> Cow<'_, str> {
        display_path(self.uri.path())
    }

    /// Whether the client asked for a JSON error ([`crate::error_pages::wants_json`]).
    pub(crate) fn json(&self) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(accept) = &self.accept {
            headers.insert(ACCEPT, accept.clone());
        }
        if let Some(content_type) = &self.content_type {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        crate::error_pages::wants_json(&headers)
    }
}

impl Next {
    /// Starts the onion at its outermost layer for `request`, whose head is
    /// `head`. A panic in the layer's synchronous part comes back with the
    /// head, for the error page.
    pub(crate) fn start(app: Arc<App>, head: Head, request: Request) -> Result<Run, Box<Panicked>> {
        match panic::catch_unwind(AssertUnwindSafe(|| inner(&app, 0, &head, request))) {
            Ok(inner) => Ok(Run { app, head, inner }),
            Err(panic) => Err(Box::new(Panicked { head, panic })),
        }
    }

    /// The application: its settings, router and shared state.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Runs the inner layers and the handler; an error any of them returns
    /// is already turned into its error page.
    ///
    /// The next layer (or the router) is called right away; the returned
    /// [`Run`] polls what it returned, without another box.
    pub fn run(self, request: Request) -> Run {
        let Next {
            app,
            position,
            head,
        } = self;
        let inner = inner(&app, position, &head, request);
        Run { app, head, inner }
    }
}

/// Calls the layer at `position` (or, past the last one, the router).
fn inner(app: &Arc<App>, position: usize, head: &Head, request: Request) -> Inner {
    match app.middleware().get(position) {
        Some(layer) => {
            let next = Next {
                app: Arc::clone(app),
                position: position + 1,
                head: head.clone(),
            };
            Inner::Layer((layer.call)(request, next))
        }
        None => app.dispatch(request),
    }
}

/// The outermost layer panicked when called: its panic, and the head for the error page.
pub(crate) struct Panicked {
    pub(crate) head: Head,
    pub(crate) panic: Box<dyn Any + Send>,
}

/// The future of [`Next::run`]: the rest of the onion's response.
#[must_use = "futures do nothing unless polled"]
pub struct Run {
    app: Arc<App>,
    head: Head,
    inner: Inner,
}

/// What a [`Run`] waits for.
pub(crate) enum Inner {
    /// A middleware layer (its panics reach [`App::handle`]: 500).
    Layer(BoxFuture<'static, Result<Response, HttpError>>),
    /// A view: a panic in it becomes a 500 error page right here, so the
    /// layers around it still add their headers.
    Handler(BoxFuture<'static, Result<Response, HttpError>>),
    /// Decided without waiting (routing errors, a view that panicked when called).
    Ready(Option<Result<Response, HttpError>>),
}

impl Run {
    /// The request's head, for the error page of a panic or a timeout.
    pub(crate) fn head(&self) -> &Head {
        &self.head
    }
}

impl Future for Run {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let answer = match &mut self.inner {
            Inner::Layer(layer) => ready!(layer.as_mut().poll(cx)),
            Inner::Handler(handler) => {
                match panic::catch_unwind(AssertUnwindSafe(|| handler.as_mut().poll(cx))) {
                    Ok(Poll::Ready(answer)) => answer,
                    Ok(Poll::Pending) => return Poll::Pending,
                    Err(panic) => Err(handler_panicked(panic.as_ref())),
                }
            }
            Inner::Ready(answer) => answer.take().expect("`Run` polled after it completed"),
        };
        Poll::Ready(match answer {
            Ok(response) => response,
            Err(error) => {
                let head = &self.head;
                (self.app).error_answer(&head.method, &head.path(), head.json(), error)
            }
        })
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("head", &self.head)
            .finish_non_exhaustive()
    }
}

/// The error a view's panic becomes.
pub(crate) fn handler_panicked(panic: &(dyn Any + Send)) -> HttpError {
    let message = crate::error_pages::panic_message(panic);
    HttpError::Internal(format!("handler panicked: {message}"))
}
