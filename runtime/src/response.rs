//! The response a handler returns.
//!
//! Input: what a view decided to answer (HTML, text, JSON, a redirect...).
//! Output: a [`Response`] with a status, headers and a complete body; the
//! server hands it to hyper unchanged. Bodies are whole `Bytes`: djinn's
//! templates render into a buffer, so nothing here needs streaming.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use crate::error::HttpError;

/// Bytes that may not appear raw in a `Location` header; everything else of a
/// URL (reserved characters, `%` escapes) is kept, like Django's `iri_to_uri`.
const LOCATION_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const TEXT: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// An HTTP response with its whole body in memory.
#[derive(Clone, Debug)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// An empty response with `status`.
    pub fn new(status: StatusCode) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A 200 response with `body` of type `content_type`.
    pub fn with_content(content_type: HeaderValue, body: impl Into<Bytes>) -> Response {
        let mut response = Response::new(StatusCode::OK);
        response.headers.insert(CONTENT_TYPE, content_type);
        response.body = body.into();
        response
    }

    /// A 200 `text/html; charset=utf-8` response.
    pub fn html(body: impl Into<Bytes>) -> Response {
        Response::with_content(HTML, body)
    }

    /// A 200 `text/plain; charset=utf-8` response.
    pub fn text(body: impl Into<Bytes>) -> Response {
        Response::with_content(TEXT, body)
    }

    /// A 200 `application/json` response; fails with 500 if `value` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Response, HttpError> {
        let body = serde_json::to_vec(value).map_err(HttpError::internal)?;
        Ok(Response::with_content(JSON, body))
    }

    /// A redirect with `status` (301, 302, 303, 307 or 308) to `location`.
    ///
    /// Characters not allowed in a header (spaces, non-ASCII, controls...) are
    /// percent-encoded, so any string gives a valid response.
    pub fn redirect_with_status(status: StatusCode, location: &str) -> Response {
        let encoded = utf8_percent_encode(location, LOCATION_UNSAFE).to_string();
        let location = HeaderValue::try_from(encoded)
            .expect("a percent-encoded location holds only visible ASCII");
        let mut response = Response::new(status);
        response.headers.insert(LOCATION, location);
        response
    }

    /// A 302 Found redirect to `location`.
    pub fn redirect(location: &str) -> Response {
        Response::redirect_with_status(StatusCode::FOUND, location)
    }

    /// A 301 Moved Permanently redirect to `location`.
    pub fn redirect_permanent(location: &str) -> Response {
        Response::redirect_with_status(StatusCode::MOVED_PERMANENTLY, location)
    }

    /// A 308 Permanent Redirect to `location`: like 301, but the client keeps
    /// the method and body (a POST stays a POST).
    pub fn redirect_permanent_keep_method(location: &str) -> Response {
        Response::redirect_with_status(StatusCode::PERMANENT_REDIRECT, location)
    }

    /// A bare 404 with a plain-text body. Views usually return
    /// `Err(HttpError::not_found())` instead, to get the site's 404 page.
    pub fn not_found() -> Response {
        Response::text("Not Found").with_status(StatusCode::NOT_FOUND)
    }

    /// A 204 No Content response.
    pub fn no_content() -> Response {
        Response::new(StatusCode::NO_CONTENT)
    }

    /// A 304 Not Modified response (for conditional GETs).
    pub fn not_modified() -> Response {
        Response::new(StatusCode::NOT_MODIFIED)
    }

    /// This response with its status replaced.
    pub fn with_status(mut self, status: StatusCode) -> Response {
        self.status = status;
        self
    }

    /// This response with header `name` set to `value` (replacing earlier values).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Response {
        self.headers.insert(name, value);
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Replaces the status code.
    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response headers, for middleware to add to.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The response body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Replaces the response body.
    pub fn set_body(&mut self, body: impl Into<Bytes>) {
        self.body = body.into();
    }

    /// Splits the response for the server: status, headers, body.
    pub(crate) fn into_parts(self) -> (StatusCode, HeaderMap, Bytes) {
        (self.status, self.headers, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_set_content_type_and_status() {
        let html = Response::html("<p>hi</p>");
        assert_eq!(html.status(), StatusCode::OK);
        assert_eq!(html.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(html.body().as_ref(), b"<p>hi</p>");

        let json = Response::json(&serde_json::json!({"id": 7})).unwrap();
        assert_eq!(json.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(json.body().as_ref(), br#"{"id":7}"#);

        assert_eq!(Response::not_found().status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn redirects_encode_what_a_header_cannot_carry() {
        let response = Response::redirect("/search/?q=caf\u{e9} bar&x=1\r\nSet-Cookie: a");
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()[LOCATION],
            "/search/?q=caf%C3%A9%20bar&x=1%0D%0ASet-Cookie:%20a"
        );
        let permanent = Response::redirect_permanent_keep_method("/new/");
        assert_eq!(permanent.status(), StatusCode::PERMANENT_REDIRECT);
    }
}
