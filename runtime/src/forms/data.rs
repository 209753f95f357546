//! Submitted form data: the `name → values` pairs of a request body.
//!
//! Input: a request whose body is `application/x-www-form-urlencoded` or
//! `multipart/form-data` (parsed with multer), or pairs built by hand.
//! Output: a [`FormData`] keeping every pair in order, repeated names
//! included, which is what Django's `QueryDict` (`request.POST`) holds.
//! Uploaded files in a multipart body are skipped: djinn forms have no file
//! fields.

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::CONTENT_TYPE;

use crate::error::HttpError;
use crate::request::Request;

/// The most fields a body may hold, like Django's
/// `DATA_UPLOAD_MAX_NUMBER_FIELDS`; more is a 400.
pub const MAX_FIELDS: usize = 1000;

/// Submitted fields in order; a name may repeat (multiple selects).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    /// The form fields of `request`'s body, read according to its
    /// `Content-Type`: URL-encoded or multipart. A request without a
    /// `Content-Type` has no fields (as Django's `request.POST` is empty);
    /// a malformed multipart body or more than [`MAX_FIELDS`] fields is a
    /// 400, any other content type a 415.
    ///
    /// Bytes that are not UTF-8 become U+FFFD, as Django decodes them.
    pub fn from_request(request: &Request) -> Result<FormData, HttpError> {
        let Some(content_type) = request.header(CONTENT_TYPE) else {
            if request.headers().contains_key(CONTENT_TYPE) {
                return Err(HttpError::BadRequest(
                    "the Content-Type header is not visible ASCII".to_owned(),
                ));
            }
            return Ok(FormData::default());
        };
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match media_type.as_str() {
            "application/x-www-form-urlencoded" => FormData::from_urlencoded(request.body()),
            "multipart/form-data" => FormData::from_multipart(content_type, request.body()),
            _ => Err(HttpError::UnsupportedMediaType(format!(
                "`{media_type}`: a form is sent as \
                 application/x-www-form-urlencoded or multipart/form-data"
            ))),
        }
    }

    /// Pairs parsed from an `application/x-www-form-urlencoded` body.
    pub fn from_urlencoded(body: &[u8]) -> Result<FormData, HttpError> {
        let mut pairs = Vec::new();
        for (name, value) in form_urlencoded::parse(body) {
            if pairs.len() == MAX_FIELDS {
                return Err(too_many_fields());
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(FormData { pairs })
    }

    /// Pairs parsed from a `multipart/form-data` body; `content_type` is the
    /// whole header, with its `boundary` parameter.
    pub fn from_multipart(content_type: &str, body: &Bytes) -> Result<FormData, HttpError> {
        let boundary = multer::parse_boundary(content_type).map_err(|error| {
            HttpError::BadRequest(format!("malformed multipart Content-Type: {error}"))
        })?;
        let chunk = body.clone();
        let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(chunk) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        // The whole body is in memory, so every future below completes at
        // once; one that would wait is a parser bug, reported as a 400.
        let pending =
            || HttpError::BadRequest("the multipart body could not be read at once".to_owned());
        let malformed = |error: multer::Error| {
            HttpError::BadRequest(format!("malformed multipart body: {error}"))
        };
        let mut pairs = Vec::new();
        let mut parts = 0;
        while let Some(field) = multipart
            .next_field()
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(malformed)?
        {
            parts += 1;
            if parts > MAX_FIELDS {
                return Err(too_many_fields());
            }
            let name = field.name().map(str::to_owned);
            let is_file = field.file_name().is_some();
            let text = field
                .text()
                .now_or_never()
                .ok_or_else(pending)?
                .map_err(malformed)?;
            if let (Some(name), false) = (name, is_file) {
                pairs.push((name, text));
            }
        }
        Ok(FormData { pairs })
    }

    /// Data from pairs in order (tests, Rust views).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData { pairs }
    }

    /// The value of `name`: the *last* one when the name repeats, as
    /// Django's `QueryDict.get` (what single-value widgets read).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`, in order (Django's `QueryDict.getlist`).
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// Whether `name` was sent at all.
    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(key, _)| key == name)
    }

    /// All pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Whether no field was sent.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

fn too_many_fields() -> HttpError {
    HttpError::BadRequest(format!(
        "the form has more than {MAX_FIELDS} fields (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS)"
    ))
}
