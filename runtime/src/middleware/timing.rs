//! Timing middleware: the access log.
//!
//! Input: a request. Output: the inner response, unchanged except for a
//! `Server-Timing: total;dur=<ms>` header in debug mode (the standard header
//! browsers' developer tools show); and one `tracing` event per request with
//! method, path, status, body bytes and duration, at target `djinn::access`.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use http::{HeaderName, HeaderValue, Method, StatusCode};

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// The middleware: measures the inner layers and logs one line.
pub fn timing_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let started = Instant::now();
        let debug = next.app().config().debug;
        let method = request.method().clone();
        let path = request.path().to_owned();
        let mut response = next.run(request).await;
        let elapsed = started.elapsed();
        log_access(
            &method,
            &path,
            response.status(),
            response.body().len(),
            elapsed,
        );
        if debug {
            let timing = format!("total;dur={:.3}", elapsed.as_secs_f64() * 1000.0);
            if let Ok(value) = HeaderValue::try_from(timing) {
                response.headers_mut().insert(SERVER_TIMING, value);
            }
        }
        Ok(response)
    })
}

/// Writes the access-log event of one request (also used for requests the
/// server refuses before the onion runs).
pub fn log_access(
    method: &Method,
    path: &str,
    status: StatusCode,
    bytes: usize,
    elapsed: Duration,
) {
    tracing::info!(
        target: "djinn::access",
        method = %method,
        path,
        status = status.as_u16(),
        bytes,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "{method} {path} {} {bytes}B {:.3}ms",
        status.as_u16(),
        elapsed.as_secs_f64() * 1000.0,
    );
}
