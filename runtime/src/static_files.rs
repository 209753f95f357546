//! Static files.
//!
//! Input: a GET or HEAD request whose decoded path starts with the static URL
//! prefix (default `/static/`). Output: the file below the static directory
//! with `Content-Type` (from its extension), a strong `ETag`,
//! `Last-Modified` and `Cache-Control`; or 304 when the client's copy is
//! current; or 404.
//!
//! The ETag is a SHA-256 of the content (first 128 bits, hex). A content
//! hash, not size + mtime, because several copies of the server behind one
//! proxy must give a file the same tag even when their checkouts have
//! different mtimes. Files are read whole (static assets are small), so
//! hashing costs one pass over bytes already in memory.
//!
//! Path safety: the relative path must be plain segments: no empty segment,
//! no segment starting with `.` (so no `..`, `.`, `.git`, `.env`), no
//! backslash, no NUL, not absolute. The URL is percent-decoded once before
//! this check, so `%2e%2e` and `..%2f` are caught as `..`. The result is
//! then canonicalized and must still lie inside the canonical static
//! directory, which also refuses symlinks that lead out of it. Every refusal
//! is a 404, which tells a prober nothing.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use headers::{CacheControl, ETag, HeaderMapExt, IfModifiedSince, IfNoneMatch, LastModified};
use http::{HeaderValue, Method};
use sha2::{Digest, Sha256};

use crate::config::{ConfigError, StaticConfig};
use crate::error::HttpError;
use crate::request::Request;
use crate::response::Response;

/// Static files answer only these methods.
const GET_AND_HEAD: &[Method] = &[Method::GET, Method::HEAD];

/// The static file handler of one application.
#[derive(Clone, Debug)]
pub struct StaticFiles {
    url_prefix: String,
    root: PathBuf,
    cache_control: CacheControl,
}

impl StaticFiles {
    /// The handler for `config`, or `None` when no static directory is set.
    /// Debug mode sends `Cache-Control: no-cache`, so an edited file shows at once.
    pub fn new(config: &StaticConfig, debug: bool) -> Result<Option<StaticFiles>, ConfigError> {
        let prefix = &config.url_prefix;
        if !prefix.starts_with('/') || !prefix.ends_with('/') {
            return Err(ConfigError::InvalidStaticPrefix(prefix.clone()));
        }
        let Some(root) = &config.dir else {
            return Ok(None);
        };
        let cache_control = if debug {
            CacheControl::new().with_no_cache()
        } else {
            CacheControl::new()
                .with_public()
                .with_max_age(config.max_age)
        };
        Ok(Some(StaticFiles {
            url_prefix: prefix.clone(),
            root: root.clone(),
            cache_control,
        }))
    }

    /// The part of `path` after the static prefix, if `path` is a static URL.
    pub fn relative_path<'a>(&self, path: &'a str) -> Option<&'a str> {
        path.strip_prefix(&self.url_prefix)
    }

    /// Answers `request` for the file at `relative` (see the module doc).
    pub async fn serve(&self, request: &Request, relative: &str) -> Result<Response, HttpError> {
        if !GET_AND_HEAD.contains(request.method()) {
            return Err(HttpError::MethodNotAllowed {
                allow: GET_AND_HEAD,
            });
        }
        let relative = safe_relative_path(relative).ok_or_else(|| {
            HttpError::NotFound(format!(
                "static path {relative:?} refused: not a plain relative path"
            ))
        })?;
        let root = self.root.clone();
        let file = tokio::task::spawn_blocking(move || read_file(&root, &relative))
            .await
            .map_err(HttpError::internal)??;

        let client_is_current = match request.headers().typed_get::<IfNoneMatch>() {
            Some(if_none_match) => !if_none_match.precondition_passes(&file.etag),
            None => match (
                request.headers().typed_get::<IfModifiedSince>(),
                file.modified,
            ) {
                (Some(since), Some(modified)) => !since.is_modified(modified),
                _ => false,
            },
        };
        let mut response = if client_is_current {
            Response::not_modified()
        } else {
            Response::with_content(file.content_type, file.contents)
        };
        let headers = response.headers_mut();
        headers.typed_insert(file.etag);
        if let Some(modified) = file.modified {
            headers.typed_insert(LastModified::from(modified));
        }
        headers.typed_insert(self.cache_control.clone());
        Ok(response)
    }
}

/// `relative` as a path of plain segments, or `None` if it could leave the directory.
fn safe_relative_path(relative: &str) -> Option<PathBuf> {
    if relative.is_empty() || relative.contains(['\0', '\\']) {
        return None;
    }
    let mut path = PathBuf::new();
    for segment in relative.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return None;
        }
        path.push(segment);
    }
    // Catches what segments alone cannot, such as a drive prefix on Windows.
    path.components()
        .all(|component| matches!(component, Component::Normal(_)))
        .then_some(path)
}

struct StaticFile {
    contents: Bytes,
    content_type: HeaderValue,
    etag: ETag,
    modified: Option<SystemTime>,
}

/// Reads `root/relative` after checking that it resolves inside `root` (blocking IO).
fn read_file(root: &Path, relative: &Path) -> Result<StaticFile, HttpError> {
    let not_found = |why: String| HttpError::NotFound(format!("static file {relative:?}: {why}"));
    let root = root
        .canonicalize()
        .map_err(|error| not_found(format!("static directory {root:?}: {error}")))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|error| not_found(error.to_string()))?;
    if !path.starts_with(&root) {
        return Err(not_found(
            "resolves outside the static directory".to_owned(),
        ));
    }
    let metadata = std::fs::metadata(&path).map_err(|error| io_error(&not_found, error))?;
    if !metadata.is_file() {
        return Err(not_found("not a regular file".to_owned()));
    }
    let contents = std::fs::read(&path).map_err(|error| io_error(&not_found, error))?;
    let digest = format!("{:x}", Sha256::digest(&contents));
    let etag = format!("\"{}\"", &digest[..32])
        .parse::<ETag>()
        .map_err(HttpError::internal)?;
    Ok(StaticFile {
        contents: Bytes::from(contents),
        content_type: content_type(&path),
        etag,
        modified: metadata.modified().ok(),
    })
}

fn io_error(not_found: &dyn Fn(String) -> HttpError, error: io::Error) -> HttpError {
    match error.kind() {
        io::ErrorKind::NotFound => not_found(error.to_string()),
        _ => HttpError::internal(format!("reading a static file: {error}")),
    }
}

/// The MIME type by extension; text types are declared UTF-8.
fn content_type(path: &Path) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "image/svg+xml"
        );
    let value = if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::try_from(value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        assert_eq!(
            safe_relative_path("css/site.css"),
            Some(PathBuf::from("css/site.css"))
        );
        for refused in [
            "",
            "../Cargo.toml",
            "css/../../x",
            "./x",
            "/etc/passwd",
            "css//x",
            "css/",
            "..\\x",
            "x\0.css",
            ".env",
            "css/.hidden",
        ] {
            assert_eq!(safe_relative_path(refused), None, "{refused:?} passed");
        }
    }

    #[test]
    fn content_types_come_from_extensions() {
        assert_eq!(content_type(Path::new("a.css")), "text/css; charset=utf-8");
        assert_eq!(content_type(Path::new("a.png")), "image/png");
        assert_eq!(
            content_type(Path::new("a.unknownext")),
            "application/octet-stream"
        );
    }

    #[test]
    fn a_prefix_must_start_and_end_with_a_slash() {
        let config = StaticConfig {
            url_prefix: "static".to_owned(),
            ..StaticConfig::default()
        };
        assert!(StaticFiles::new(&config, false).is_err());
        assert!(
            StaticFiles::new(&StaticConfig::default(), false)
                .unwrap()
                .is_none()
        );
    }
}
