//! The request a handler receives.
//!
//! Input: the head and the already size-limited body of an HTTP request, as
//! read by [`crate::server`]. Output: a [`Request`] owning everything, so a
//! handler future can be `'static` without borrowing from the connection.
//!
//! Building one is cheap on purpose (every request pays for it): the
//! decoded path is stored only when percent-decoding changed it, and the
//! parameter and extension maps allocate only when something is put in.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{AsHeaderName, HOST};
use http::{Extensions, HeaderMap, Method, Uri};
use percent_encoding::percent_decode_str;

use crate::error::HttpError;

/// An HTTP request with its whole body in memory.
#[derive(Debug)]
pub struct Request {
    method: Method,
    uri: Uri,
    /// The percent-decoded path when it differs from `uri.path()` (most
    /// paths have no `%` escape, and then nothing is allocated).
    decoded_path: Option<Box<str>>,
    headers: HeaderMap,
    body: Bytes,
    remote_addr: SocketAddr,
    params: UrlParams,
    extensions: Extensions,
    state: Option<Arc<Extensions>>,
}

impl Request {
    /// Builds a request; fails with 400 when the path does not percent-decode to UTF-8.
    pub fn new(
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
        remote_addr: SocketAddr,
    ) -> Result<Request, HttpError> {
        let decoded_path = decode_path(uri.path())?;
        Ok(Request::with_decoded_path(
            method,
            uri,
            decoded_path,
            headers,
            body,
            remote_addr,
        ))
    }

    /// Builds a request whose path [`decode_path`] has already checked
    /// (the server decodes first, so a 400 needs no copy of the head).
    pub(crate) fn with_decoded_path(
        method: Method,
        uri: Uri,
        decoded_path: Option<Box<str>>,
        headers: HeaderMap,
        body: Bytes,
        remote_addr: SocketAddr,
    ) -> Request {
        Request {
            method,
            uri,
            decoded_path,
            headers,
            body,
            remote_addr,
            params: UrlParams::default(),
            extensions: Extensions::new(),
            state: None,
        }
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request target as sent (still percent-encoded, with the query).
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The percent-decoded path; this is what the router matches (like Django's `path_info`).
    pub fn path(&self) -> &str {
        self.decoded_path.as_deref().unwrap_or(self.uri.path())
    }

    /// The path as sent, still percent-encoded; use it to build redirects.
    pub fn raw_path(&self) -> &str {
        self.uri.path()
    }

    /// The raw query string after `?`, if any.
    pub fn query_string(&self) -> Option<&str> {
        self.uri.query()
    }

    /// The query string decoded as `application/x-www-form-urlencoded` pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.uri.query().unwrap_or_default();
        form_urlencoded::parse(query.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    }

    /// The first query value named `name`, decoded.
    pub fn query_value(&self, name: &str) -> Option<String> {
        let query = self.uri.query()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// All request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// All request headers, for middleware that rewrites them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The first value of header `name`, if present and visible ASCII.
    pub fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The host the client asked for: the `Host` header, or the authority of an
    /// absolute-form request target. Not validated: see the common middleware.
    pub fn host(&self) -> Option<&str> {
        self.header(HOST)
            .or_else(|| self.uri.authority().map(|authority| authority.as_str()))
    }

    /// The request body, already bounded by the configured size limit.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The address of the peer that sent the request (the proxy, behind one).
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// The value of URL parameter `name` captured by the router.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// All URL parameters captured by the router.
    pub fn params(&self) -> &UrlParams {
        &self.params
    }

    /// Replaces the URL parameters (the runtime does this after routing).
    pub fn set_params(&mut self, params: UrlParams) {
        self.params = params;
    }

    /// Per-request typed values set by middleware (session, user, messages...).
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Per-request typed values, for middleware to insert into.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// A value of type `T` shared by the whole application (see [`crate::App::with_state`]).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.state.as_deref()?.get::<T>()
    }

    /// Attaches the application's shared state (the runtime does this before dispatch).
    pub(crate) fn set_state(&mut self, state: Arc<Extensions>) {
        self.state = Some(state);
    }
}

/// The percent-decoded form of `raw_path`: `None` when decoding changes
/// nothing; 400 when the result is not UTF-8.
pub(crate) fn decode_path(raw_path: &str) -> Result<Option<Box<str>>, HttpError> {
    if !raw_path.contains('%') {
        // Nothing to decode, and a `Uri` holds only ASCII: skip the UTF-8 check.
        return Ok(None);
    }
    match percent_decode_str(raw_path).decode_utf8() {
        Ok(Cow::Borrowed(_)) => Ok(None),
        Ok(Cow::Owned(decoded)) => Ok(Some(decoded.into_boxed_str())),
        Err(_) => Err(HttpError::BadRequest(
            "the path is not UTF-8 once percent-decoded".to_owned(),
        )),
    }
}

/// The decoded path for an error page or log line, from a path that may
/// not have been checked yet (a request refused before it was built):
/// invalid UTF-8 is shown replaced rather than failing again.
pub(crate) fn display_path(raw_path: &str) -> Cow<'_, str> {
    percent_decode_str(raw_path).decode_utf8_lossy()
}

/// URL parameters captured by a route, in pattern order: `(name, percent-decoded value)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlParams(Vec<(&'static str, String)>);

impl UrlParams {
    /// No parameters.
    pub fn new() -> UrlParams {
        UrlParams::default()
    }

    /// Adds parameter `name` with `value`.
    pub fn push(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.push((name, value.into()));
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The parameters in pattern order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }

    /// How many parameters were captured.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no parameter was captured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str) -> Result<Request, HttpError> {
        Request::new(
            Method::GET,
            target.parse().unwrap(),
            HeaderMap::new(),
            Bytes::new(),
            SocketAddr::from(([127, 0, 0, 1], 4000)),
        )
    }

    #[test]
    fn path_is_percent_decoded_and_raw_path_is_kept() {
        let request = request("/caf%C3%A9/a%20b?x=1").unwrap();
        assert_eq!(request.path(), "/café/a b");
        assert_eq!(request.raw_path(), "/caf%C3%A9/a%20b");
        assert_eq!(request.query_string(), Some("x=1"));
    }

    #[test]
    fn a_path_without_escapes_is_not_copied() {
        let request = request("/plain/path/?x=%20").unwrap();
        assert!(request.decoded_path.is_none());
        assert_eq!(request.path(), "/plain/path/");
        assert_eq!(decode_path("/a%2Fb").unwrap().as_deref(), Some("/a/b"));
        assert_eq!(display_path("/caf%C3%A9"), "/café");
    }

    #[test]
    fn path_that_is_not_utf8_is_a_bad_request() {
        let error = request("/%FF").unwrap_err();
        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn query_pairs_are_decoded_in_order_and_repeat() {
        let request = request("/s?q=a+b&tag=x&tag=%C3%A9&empty").unwrap();
        assert_eq!(
            request.query_pairs(),
            [
                ("q".to_owned(), "a b".to_owned()),
                ("tag".to_owned(), "x".to_owned()),
                ("tag".to_owned(), "é".to_owned()),
                ("empty".to_owned(), String::new()),
            ]
        );
        assert_eq!(request.query_value("tag").as_deref(), Some("x"));
        assert_eq!(request.query_value("missing"), None);
    }

    #[test]
    fn url_params_keep_pattern_order() {
        let mut params = UrlParams::new();
        params.push("year", "2024");
        params.push("slug", "hello");
        assert_eq!(params.get("slug"), Some("hello"));
        assert_eq!(params.get("missing"), None);
        let names: Vec<_> = params.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["year", "slug"]);
    }
}
