//! HTTP errors: what a handler or middleware returns instead of a response.
//!
//! Input: a failure detected while answering a request. Output: an
//! [`HttpError`] carrying its status code and a detail for the debug page;
//! [`crate::error_pages`] turns it into the response the client sees.

use std::fmt;

use http::{Method, StatusCode};

/// A failure that ends a request with an error page.
///
/// The `String` details are shown only on the debug error page; production
/// pages show the status text alone, so details may name internals.
#[derive(Debug)]
pub enum HttpError {
    /// 400: the request is malformed (bad path encoding, bad form data...).
    BadRequest(String),
    /// 400: the `Host` header is not in `allowed_hosts` (Django's `DisallowedHost`).
    DisallowedHost(String),
    /// 403: the request is understood but refused.
    Forbidden(String),
    /// 404: nothing answers at this path; the detail says what was looked for.
    NotFound(String),
    /// 405: the path exists but not for this method; `allow` becomes the `Allow` header.
    MethodNotAllowed {
        /// The methods the path does answer.
        allow: &'static [Method],
    },
    /// 408: the client was too slow sending its request body.
    RequestTimeout,
    /// 413: the request body is larger than the configured limit.
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// 409: the request conflicts with the data (a delete refused by a
    /// protected relation, a lost uniqueness race).
    Conflict(String),
    /// 415: the body is not of a type the view accepts.
    UnsupportedMediaType(String),
    /// 503: the server took longer than the configured time to answer.
    ServiceUnavailable(String),
    /// 500: a bug or an unavailable dependency (database down, handler panic...).
    Internal(String),
}

impl HttpError {
    /// A 404 with no particular detail.
    pub fn not_found() -> HttpError {
        HttpError::NotFound(String::new())
    }

    /// A 500 whose detail is `error`'s message (shown only in debug mode).
    pub fn internal(error: impl fmt::Display) -> HttpError {
        HttpError::Internal(error.to_string())
    }

    /// The status code of the error page.
    pub fn status(&self) -> StatusCode {
        match self {
            HttpError::BadRequest(_) | HttpError::DisallowedHost(_) => StatusCode::BAD_REQUEST,
            HttpError::Forbidden(_) => StatusCode::FORBIDDEN,
            HttpError::NotFound(_) => StatusCode::NOT_FOUND,
            HttpError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            HttpError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            HttpError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::Conflict(_) => StatusCode::CONFLICT,
            HttpError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::BadRequest(detail) => write!(f, "bad request: {detail}"),
            HttpError::DisallowedHost(detail) => write!(f, "disallowed host: {detail}"),
            HttpError::Forbidden(detail) => write!(f, "forbidden: {detail}"),
            HttpError::Conflict(detail) => write!(f, "conflict: {detail}"),
            HttpError::UnsupportedMediaType(detail) => {
                write!(f, "unsupported media type: {detail}")
            }
            HttpError::NotFound(detail) if detail.is_empty() => f.write_str("not found"),
            HttpError::NotFound(detail) => write!(f, "not found: {detail}"),
            HttpError::MethodNotAllowed { allow } => {
                let allow: Vec<&str> = allow.iter().map(Method::as_str).collect();
                write!(f, "method not allowed (allowed: {})", allow.join(", "))
            }
            HttpError::RequestTimeout => f.write_str("request body not received in time"),
            HttpError::PayloadTooLarge { limit } => {
                write!(f, "request body larger than {limit} bytes")
            }
            HttpError::ServiceUnavailable(detail) => write!(f, "service unavailable: {detail}"),
            HttpError::Internal(detail) => write!(f, "internal error: {detail}"),
        }
    }
}

impl std::error::Error for HttpError {}
