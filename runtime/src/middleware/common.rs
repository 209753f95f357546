//! Common middleware (Django's `CommonMiddleware` and host validation).
//!
//! Input: a request. Output: 400 when its host is not allowed (Django's
//! `DisallowedHost`); otherwise the inner response, except that a 404 for a
//! GET/HEAD of `/path` becomes a 301 to `/path/` when only the latter has a
//! route (`APPEND_SLASH`, see [`crate::App::append_slash_location`]).

use futures_util::future::BoxFuture;
use http::header::HOST;
use http::{Method, StatusCode};

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

/// Hosts a debug server answers to when `allowed_hosts` is empty (as Django does).
const DEBUG_DEFAULT_HOSTS: [&str; 3] = [".localhost", "127.0.0.1", "[::1]"];

/// The middleware: host check, then `APPEND_SLASH` on the way out.
pub fn common_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let app = next.app().clone();
        let config = app.config();
        if request.headers().get_all(HOST).iter().nth(1).is_some() {
            // RFC 9112 §3.2: a request with several Host headers must get 400.
            return Err(HttpError::DisallowedHost("several Host headers".to_owned()));
        }
        check_host(request.host(), &config.allowed_hosts, config.debug)?;

        let slash_candidate = (config.append_slash
            && matches!(*request.method(), Method::GET | Method::HEAD)
            && !request.path().ends_with('/'))
        .then(|| {
            (
                request.method().clone(),
                request.path().to_owned(),
                request.raw_path().to_owned(),
                request.query_string().map(str::to_owned),
            )
        });
        let response = next.run(request).await;
        if response.status() == StatusCode::NOT_FOUND
            && let Some((method, path, raw_path, query)) = slash_candidate
            && let Some(location) =
                app.append_slash_location(&method, &path, &raw_path, query.as_deref())
        {
            return Ok(Response::redirect_permanent(&location));
        }
        Ok(response)
    })
}

/// Accepts `host` (a `Host` header value) when it is well formed and matches
/// `allowed_hosts`; see [`crate::ServerConfig::allowed_hosts`] for the patterns.
pub fn check_host(
    host: Option<&str>,
    allowed_hosts: &[String],
    debug: bool,
) -> Result<(), HttpError> {
    let Some(host) = host else {
        return Err(HttpError::DisallowedHost(
            "the request has no Host header".to_owned(),
        ));
    };
    let Some(domain) = host_domain(host) else {
        return Err(HttpError::DisallowedHost(format!(
            "invalid Host header {host:?}"
        )));
    };
    let allowed = if allowed_hosts.is_empty() && debug {
        DEBUG_DEFAULT_HOSTS
            .iter()
            .any(|pattern| host_matches(&domain, pattern))
    } else {
        allowed_hosts
            .iter()
            .any(|pattern| host_matches(&domain, pattern))
    };
    if allowed {
        Ok(())
    } else {
        Err(HttpError::DisallowedHost(format!(
            "invalid Host header {host:?}: you may need to add {domain:?} to allowed_hosts"
        )))
    }
}

/// The lower-cased domain of a `Host` value without its port and trailing
/// dot, or `None` if the value is not `domain[:port]` or `[ipv6][:port]`
/// (the shape Django's `host_validation_re` accepts).
fn host_domain(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let (domain, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        host.split_at(end + 1)
    } else {
        match host.rfind(':') {
            Some(colon) => host.split_at(colon),
            None => (host.as_str(), ""),
        }
    };
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port.starts_with(':')
            && port[1..].bytes().all(|byte| byte.is_ascii_digit()));
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(address) => {
            address.contains(':')
                && address
                    .bytes()
                    .all(|byte| byte.is_ascii_hexdigit() || byte == b':' || byte == b'.')
        }
        None => {
            !domain.is_empty()
                && domain
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-')
        }
    };
    (port_ok && domain_ok).then(|| domain.strip_suffix('.').unwrap_or(domain).to_owned())
}

/// Django's `is_same_domain` plus `"*"`: `.example.com` matches the domain and its subdomains.
fn host_matches(domain: &str, pattern: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    if pattern == "*" || pattern == domain {
        return true;
    }
    match pattern.strip_prefix('.') {
        Some(parent) => domain == parent || domain.ends_with(&pattern),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(host: &str, patterns: &[&str], debug: bool) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        check_host(Some(host), &patterns, debug).is_ok()
    }

    #[test]
    fn exact_wildcard_and_subdomain_patterns() {
        assert!(allowed("example.com", &["example.com"], false));
        assert!(allowed("EXAMPLE.com:8000", &["example.com"], false));
        assert!(allowed("example.com.", &["example.com"], false));
        assert!(!allowed("www.example.com", &["example.com"], false));
        assert!(allowed("www.example.com", &[".example.com"], false));
        assert!(allowed("example.com", &[".example.com"], false));
        assert!(!allowed("badexample.com", &[".example.com"], false));
        assert!(allowed("anything.test", &["*"], false));
        assert!(allowed("[::1]:8000", &["[::1]"], false));
    }

    #[test]
    fn empty_list_allows_localhost_in_debug_only() {
        assert!(allowed("localhost:8000", &[], true));
        assert!(allowed("api.localhost", &[], true));
        assert!(allowed("127.0.0.1:8000", &[], true));
        assert!(!allowed("example.com", &[], true));
        assert!(!allowed("localhost", &[], false));
    }

    #[test]
    fn malformed_or_missing_hosts_are_refused_even_with_star() {
        for host in [
            "",
            "exa mple.com",
            "example.com:80x",
            "example.com:",
            "[::1",
            "a@b.com",
        ] {
            assert!(!allowed(host, &["*"], false), "{host:?} was accepted");
        }
        let error = check_host(None, &["*".to_owned()], false).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }
}
