//! URL quoting: the `urlencode` filter and the Python `urllib.parse` pieces
//! `urlize` needs (`quote`, `unquote`, `urlsplit`, `parse_qsl`, `urlencode`).
//!
//! Input: text; output: percent-encoded text as Python produces it (UTF-8
//! bytes, upper-case hex, letters, digits and `_.-~` never encoded).

use std::fmt::Write as _;

use percent_encoding::percent_decode_str;

/// Python's `urllib.parse.quote(text, safe)`. (`percent-encoding` needs a
/// static byte set; here `safe` is chosen at run time.)
pub fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || b"_.-~".contains(&byte)
            || (byte.is_ascii() && safe.as_bytes().contains(&byte))
        {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Python's `urllib.parse.unquote(text)`: `%XX` decoded, invalid UTF-8
/// replaced by U+FFFD.
pub fn unquote(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `urlencode` (is_safe=False): Python's `quote(value, safe)`, `safe`
/// defaulting to `"/"`.
pub fn urlencode(value: &str, safe: Option<&str>) -> String {
    quote(value, safe.unwrap_or("/"))
}

/// Python's `quote_plus(text, safe="")`: spaces become `+`.
fn quote_plus(text: &str) -> String {
    quote(text, " ").replace(' ', "+")
}

/// Python's `urlencode(parse_qsl(query, keep_blank_values=True))` with each
/// name and value unquoted once more, as Django's `smart_urlquote` does.
pub(crate) fn requote_query(query: &str) -> String {
    let mut pairs = Vec::new();
    for field in query.split('&').filter(|field| !field.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        let name = unquote(&unquote(&name.replace('+', " ")));
        let value = unquote(&unquote(&value.replace('+', " ")));
        pairs.push(format!("{}={}", quote_plus(&name), quote_plus(&value)));
    }
    pairs.join("&")
}

/// The five parts of Python's `urlsplit`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SplitUrl {
    pub(crate) scheme: String,
    pub(crate) netloc: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) fragment: String,
}

/// Python's `urlsplit(url)`, or `None` where it raises `ValueError`.
pub(crate) fn urlsplit(url: &str) -> Option<SplitUrl> {
    let url = url.trim_start_matches(|ch: char| ch <= ' ');
    let mut url: String = url
        .chars()
        .filter(|ch| !matches!(ch, '\t' | '\r' | '\n'))
        .collect();
    let mut split = SplitUrl::default();
    if let Some(colon) = url.find(':')
        && colon > 0
        && url.as_bytes()[0].is_ascii_alphabetic()
        && url[..colon]
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
    {
        split.scheme = url[..colon].to_ascii_lowercase();
        url = url[colon + 1..].to_owned();
    }
    if let Some(rest) = url.strip_prefix("//") {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        split.netloc = rest[..end].to_owned();
        url = rest[end..].to_owned();
        let (open, close) = (split.netloc.contains('['), split.netloc.contains(']'));
        if open != close {
            return None;
        }
        if open {
            let host = split.netloc.split_once('[').map_or("", |(_, after)| after);
            let host = host.split_once(']').map_or(host, |(inside, _)| inside);
            if !is_valid_bracketed_host(host) {
                return None;
            }
        }
    }
    if let Some((before, fragment)) = url.split_once('#') {
        split.fragment = fragment.to_owned();
        url = before.to_owned();
    }
    if let Some((before, query)) = url.split_once('?') {
        split.query = query.to_owned();
        url = before.to_owned();
    }
    split.path = url;
    if !netloc_survives_nfkc(&split.netloc) {
        return None;
    }
    Some(split)
}

/// Python's `_check_bracketed_host`: an IPv6 address or `vX.…` future form.
fn is_valid_bracketed_host(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('v') {
        let hex_len = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        return hex_len > 0 && rest[hex_len..].starts_with('.') && rest.len() > hex_len + 1;
    }
    host.parse::<std::net::Ipv6Addr>().is_ok()
}

/// Python's `_checknetloc`: characters that NFKC-normalize into URL
/// delimiters are refused.
fn netloc_survives_nfkc(netloc: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    if netloc.is_ascii() {
        return true;
    }
    let stripped: String = netloc
        .chars()
        .filter(|ch| !matches!(ch, '@' | ':' | '#' | '?'))
        .collect();
    let normalized: String = stripped.nfkc().collect();
    normalized == stripped || !normalized.contains(['/', '?', '#', '@', ':'])
}

/// Python's `urlunsplit`.
pub(crate) fn urlunsplit(split: &SplitUrl) -> String {
    let mut url = split.path.clone();
    let uses_netloc = matches!(
        split.scheme.as_str(),
        "" | "ftp"
            | "http"
            | "gopher"
            | "nntp"
            | "telnet"
            | "imap"
            | "wais"
            | "file"
            | "mms"
            | "https"
            | "shttp"
            | "snews"
            | "prospero"
            | "rtsp"
            | "rtspu"
            | "rsync"
            | "svn"
            | "svn+ssh"
            | "sftp"
            | "nfs"
            | "git"
            | "git+ssh"
            | "ws"
            | "wss"
    );
    if !split.netloc.is_empty()
        || (!split.scheme.is_empty() && uses_netloc && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{}{url}", split.netloc);
    }
    if !split.scheme.is_empty() {
        url = format!("{}:{url}", split.scheme);
    }
    if !split.query.is_empty() {
        url = format!("{url}?{}", split.query);
    }
    if !split.fragment.is_empty() {
        url = format!("{url}#{}", split.fragment);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python() {
        assert_eq!(urlencode("a b/c?d=é&~", None), "a%20b/c%3Fd%3D%C3%A9%26~");
        assert_eq!(urlencode("a/b", Some("")), "a%2Fb");
        assert_eq!(unquote("%C3%A9%ZZ%ff"), "é%ZZ\u{fffd}");
        assert_eq!(requote_query("q=a+b&x&&y=%2F"), "q=a+b&x=&y=%2F");
    }

    #[test]
    fn splits_urls_like_python() {
        let split = urlsplit("HTTP://example.com:80/p/a?q=1#frag").unwrap();
        assert_eq!(split.scheme, "http");
        assert_eq!(split.netloc, "example.com:80");
        assert_eq!(urlunsplit(&split), "http://example.com:80/p/a?q=1#frag");
        assert_eq!(urlsplit("http://[::1/"), None);
        assert_eq!(urlsplit("http://[1.2.3.4]/"), None);
    }
}
