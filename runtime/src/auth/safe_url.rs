//! Django's `url_has_allowed_host_and_scheme`: whether a redirect target
//! taken from the client (`?next=`) stays on this site.
//!
//! Input: the URL and the hosts this site answers to (the request's own
//! `Host`). Output: `true` for a relative URL or one whose host is allowed
//! and whose scheme is http(s) (https only when asked). Everything browsers
//! treat as another site is refused: `//evil.example`, `///evil.example`,
//! `\\evil.example` (Chrome reads backslashes as slashes), schemes such as
//! `javascript:`, and URLs starting with control characters.
//!
//! The URL is split as Python's `urllib.parse.urlsplit` does (leading C0
//! controls and spaces dropped, tabs and newlines removed), which is what
//! Django's check relies on; the cases in `tests/data/auth_cases.json` were
//! answered by real Django.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether `url` is safe to redirect to (see the module docs).
pub fn url_has_allowed_host_and_scheme(
    url: &str,
    allowed_hosts: &[&str],
    require_https: bool,
) -> bool {
    let url = url.trim();
    if url.is_empty() {
        return false;
    }
    allowed(url, allowed_hosts, require_https)
        && allowed(&url.replace('\\', "/"), allowed_hosts, require_https)
}

fn allowed(url: &str, allowed_hosts: &[&str], require_https: bool) -> bool {
    if url.starts_with("///") {
        return false;
    }
    let Some((scheme, netloc)) = split_scheme_and_netloc(url) else {
        return false;
    };
    if netloc.is_empty() && !scheme.is_empty() {
        return false;
    }
    if url.chars().next().is_some_and(is_other_category) {
        return false;
    }
    let scheme = if scheme.is_empty() && !netloc.is_empty() {
        "http".to_owned()
    } else {
        scheme
    };
    let valid_scheme = if require_https {
        scheme == "https"
    } else {
        scheme == "http" || scheme == "https"
    };
    (netloc.is_empty() || allowed_hosts.contains(&netloc.as_str()))
        && (scheme.is_empty() || valid_scheme)
}

/// The scheme (lower-cased) and host (with port) of `url`, empty when
/// absent (a path) or unparsable.
pub(crate) fn scheme_and_host(url: &str) -> (String, String) {
    split_scheme_and_netloc(url).unwrap_or_default()
}

/// Unicode category `C*` (control, format, surrogate, private use, unassigned).
fn is_other_category(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
    )
}

/// The scheme (lower-cased) and network location of `url`, as Python's
/// `urlsplit` finds them; `None` where it raises `ValueError`.
fn split_scheme_and_netloc(url: &str) -> Option<(String, String)> {
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(colon) = rest.find(':')
        && colon > 0
        && rest.as_bytes()[0].is_ascii_alphabetic()
        && rest[..colon]
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
    {
        scheme = rest[..colon].to_ascii_lowercase();
        rest = &rest[colon + 1..];
    }
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_owned();
        if netloc.contains('[') != netloc.contains(']') {
            return None;
        }
    }
    Some((scheme, netloc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(url: &str) -> bool {
        url_has_allowed_host_and_scheme(url, &["testserver"], false)
    }

    #[test]
    fn relative_and_same_host_urls_are_safe() {
        for url in [
            "/",
            "/accounts/profile/",
            "/a?b=c#d",
            "profile/",
            "http://testserver/x",
            "https://testserver/x",
            "//testserver/x",
        ] {
            assert!(safe(url), "{url}");
        }
    }

    #[test]
    fn other_hosts_and_schemes_are_refused() {
        for url in [
            "",
            "  ",
            "http://evil.example/",
            "//evil.example",
            "///evil.example",
            "\\\\evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "javascript:alert(1)",
            "ftp://testserver/",
            "http:///evil.example",
            "\u{1}//evil.example",
            "\t//evil.example",
            "http://[::1",
            "https://testserver@evil.example/",
        ] {
            assert!(!safe(url), "{url:?}");
        }
        assert!(!url_has_allowed_host_and_scheme(
            "http://testserver/",
            &["testserver"],
            true
        ));
    }
}
