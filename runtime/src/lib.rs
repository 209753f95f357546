//! `djinn-runtime`: the thin library every generated crate depends on.
//!
//! One concept per module; this file only declares modules and re-exports.

pub mod admin;
pub mod app;
pub mod auth;
pub mod config;
pub mod csrf;
pub mod db;
pub mod error;
pub mod error_pages;
pub mod forms;
pub mod logging;
pub mod messages;
pub mod middleware;
pub mod pagination;
pub mod request;
pub mod response;
pub mod server;
pub mod session;
pub mod static_files;
pub mod template;
pub mod views;

pub use app::{App, Handler, RouteInfo, RouteMatch, Router};
pub use config::{
    AuthConfig, ConfigError, CsrfConfig, FrameOptions, Limits, SecurityConfig, ServerConfig,
    SessionBackend, SessionConfig, StaticConfig,
};
/// A database transaction: what hooks receive.
pub use db::Transaction;
pub use error::HttpError;
pub use error_pages::{ErrorContext, ErrorRenderer};
pub use logging::init_logging;
pub use middleware::{Middleware, MiddlewareFn, MiddlewareKind, Next};
pub use request::{Request, UrlParams};
pub use response::Response;
pub use server::{
    TestServer, bind_and_serve, run, serve, serve_with_shutdown, shutdown_signal, spawn_test_server,
};

/// Bytes, the body type of requests and responses.
pub use bytes::Bytes;
/// Boxed, sendable future: the return type of handlers and middleware.
pub use futures_util::future::BoxFuture;
/// The `http` crate (methods, status codes, headers), so generated code needs no other dependency.
pub use http;
/// Dates and times (`jiff::civil::Date`, `DateTime`): the types of `date` and `datetime` fields.
pub use jiff;
/// The memory allocator of generated servers (mimalloc): a server allocates
/// and frees small buffers on every request, where it is faster than the
/// system's. A generated `main.rs` declares it as the `#[global_allocator]`.
pub use mimalloc::MiMalloc as Allocator;
/// JSON values: the type of `json` fields and the body of JSON views.
pub use serde_json;
/// The async runtime, for the generated binary's `main`.
pub use tokio;
/// UUIDs: the type of `uuid` fields and URL parameters.
pub use uuid;

/// The result of a view or hook: a value or the [`HttpError`] that ends the request.
pub type Result<T, E = HttpError> = std::result::Result<T, E>;
