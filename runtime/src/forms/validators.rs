//! Django's text validators: e-mail addresses, URLs, slugs and UUIDs.
//!
//! Input: cleaned (stripped) text. Output: whether Django 6.1's
//! `EmailValidator`, `URLValidator`, `validate_slug` and `uuid.UUID()`
//! accept it. The regular expressions are Django's own, compiled once with
//! fancy-regex (they need look-around); Python's `\s` is spelled out, since
//! it also matches U+001C–U+001F.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use fancy_regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::python::{digit_value, py_strip};

/// `DomainNameValidator.hostname_re`.
const HOSTNAME: &str =
    r"[a-z\x{a1}-\x{ffff}0-9](?:[a-z\x{a1}-\x{ffff}0-9-]{0,61}[a-z\x{a1}-\x{ffff}0-9])?";
/// `DomainNameValidator.domain_re`.
const DOMAIN: &str = r"(?:\.(?!-)[a-z\x{a1}-\x{ffff}0-9-]{1,63}(?<!-))*";
/// `DomainNameValidator.tld_no_fqdn_re`.
const TLD_NO_FQDN: &str = r"\.(?!-)(?:[a-z\x{a1}-\x{ffff}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)";
/// `URLValidator.ipv4_re`.
const IPV4: &str = r"(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)(?:\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}";
/// Python's `\s` (Unicode white space and U+001C–U+001F), inside a class.
const PY_SPACE: &str = r"\s\x{1c}-\x{1f}";

fn compiled(
    cell: &'static OnceLock<Option<Regex>>,
    pattern: impl FnOnce() -> String,
) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(&pattern()).ok()).as_ref()
}

/// Whether `regex` matches `text`; a regex that fails to compile or runs
/// out of backtracking budget matches nothing.
fn is_match(regex: Option<&Regex>, text: &str) -> bool {
    regex.is_some_and(|regex| regex.is_match(text).unwrap_or(false))
}

fn user_regex() -> Option<&'static Regex> {
    static CELL: OnceLock<Option<Regex>> = OnceLock::new();
    compiled(&CELL, || {
        concat!(
            r"(?i)(?:^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\z",
            r#"|^"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"\z)"#
        )
        .to_owned()
    })
}

fn email_domain_regex() -> Option<&'static Regex> {
    static CELL: OnceLock<Option<Regex>> = OnceLock::new();
    compiled(&CELL, || format!(r"(?i)^{HOSTNAME}{DOMAIN}{TLD_NO_FQDN}\z"))
}

fn url_regex() -> Option<&'static Regex> {
    static CELL: OnceLock<Option<Regex>> = OnceLock::new();
    compiled(&CELL, || {
        format!(
            r"(?i)^(?:[a-z0-9.+-]*)://(?:[^{PY_SPACE}:@/]+(?::[^{PY_SPACE}:@/]*)?@)?(?:{IPV4}|\[[0-9a-f:.]+\]|({HOSTNAME}{DOMAIN}{TLD_NO_FQDN}\.?|localhost))(?::[0-9]{{1,5}})?(?:[/?#][^{PY_SPACE}]*)?\z"
        )
    })
}

/// Python's `ipaddress.IPv4Address(text)` (four decimal octets, no leading
/// zeros).
fn is_ipv4(text: &str) -> bool {
    text.parse::<Ipv4Addr>().is_ok()
}

/// Django's `is_valid_ipv6_address` (at most 39 characters).
fn is_ipv6(text: &str) -> bool {
    text.chars().count() <= 39 && text.parse::<Ipv6Addr>().is_ok()
}

/// Django's `validate_email`.
pub(crate) fn is_valid_email(value: &str) -> bool {
    if value.is_empty() || !value.contains('@') || value.chars().count() > 320 {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    if !is_match(user_regex(), user) {
        return false;
    }
    if domain == "localhost" || is_match(email_domain_regex(), domain) {
        return true;
    }
    // `literal_regex`: `\[([A-F0-9:.]+)\]\Z`, then an IPv4 or IPv6 address.
    domain
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|literal| {
            !literal.is_empty()
                && literal
                    .chars()
                    .all(|ch| ch.is_ascii_hexdigit() || ch == ':' || ch == '.')
                && (is_ipv4(literal) || is_ipv6(literal))
        })
}

/// Django's `validate_slug`: `^[-a-zA-Z0-9_]+\Z`.
pub(crate) fn is_valid_slug(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// `URLValidator.schemes`.
const SCHEMES: [&str; 4] = ["http", "https", "ftp", "ftps"];

/// Django's `URLValidator` (`MAX_URL_LENGTH` 2048, the four schemes, Python's
/// `urlsplit` checks, the URL pattern, bracketed IPv6 hosts, host names of
/// at most 253 characters).
pub(crate) fn is_valid_url(value: &str) -> bool {
    if value.chars().count() > 2048 || value.contains(['\t', '\r', '\n']) {
        return false;
    }
    let scheme = value.split("://").next().unwrap_or_default().to_lowercase();
    if !SCHEMES.contains(&scheme.as_str()) {
        return false;
    }
    let Some(netloc) = split_netloc(value) else {
        return false;
    };
    if !netloc_is_valid(netloc) {
        return false;
    }
    if !is_match(url_regex(), value) {
        return false;
    }
    // `^\[(.+)\](?::[0-9]{1,5})?$` on the netloc: the host must be IPv6.
    if let Some(rest) = netloc.strip_prefix('[')
        && let Some(close) = rest.rfind(']')
    {
        let (host, after) = (&rest[..close], &rest[close + 1..]);
        let port_ok = after.is_empty()
            || after.strip_prefix(':').is_some_and(|port| {
                (1..=5).contains(&port.len()) && port.bytes().all(|byte| byte.is_ascii_digit())
            });
        if port_ok && !host.is_empty() && !is_ipv6(host) {
            return false;
        }
    }
    hostname(netloc).is_some_and(|host| host.chars().count() <= 253)
}

/// The netloc of `scheme://netloc/…` as Python's `urlsplit` cuts it.
fn split_netloc(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Python's `urlsplit` refusals: unbalanced brackets, a bracketed host that
/// is not an IP address, and characters that NFKC-normalize into URL
/// delimiters.
fn netloc_is_valid(netloc: &str) -> bool {
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return false;
    }
    if open && close {
        let inside = netloc
            .split_once('[')
            .map(|(_, rest)| rest.split_once(']').map_or(rest, |(host, _)| host))
            .unwrap_or_default();
        // An IPvFuture host (`v1.x`) passes here but never the URL pattern;
        // an IPv4 address in brackets is refused.
        if !inside.starts_with('v') && inside.parse::<Ipv6Addr>().is_err() {
            return false;
        }
    }
    if netloc.is_ascii() {
        return true;
    }
    let stripped: String = netloc.chars().filter(|ch| !"@:#?".contains(*ch)).collect();
    let normalized: String = stripped.nfkc().collect();
    normalized == stripped || !normalized.contains(['/', '?', '#', '@', ':'])
}

/// Python's `SplitResult.hostname`: the host of the netloc, lower case;
/// `None` when empty.
fn hostname(netloc: &str) -> Option<String> {
    let host = netloc.rsplit_once('@').map_or(netloc, |(_, host)| host);
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(inside, _)| inside)
    } else {
        host.split_once(':').map_or(host, |(name, _)| name)
    };
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// Python's `uuid.UUID(text)`: `urn:` and `uuid:` prefixes anywhere, braces
/// at the ends and hyphens anywhere removed, then 32 hexadecimal digits.
pub(crate) fn parse_uuid(text: &str) -> Option<uuid::Uuid> {
    let text = text.replace("urn:", "").replace("uuid:", "");
    let text = text.trim_matches(['{', '}']).replace('-', "");
    if text.chars().count() != 32 {
        return None;
    }
    // `int(text, 16)`: surrounding white space, a `+`, `_` between digits.
    let digits = py_strip(&text);
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    let mut value: u128 = 0;
    let mut previous_was_digit = false;
    let mut chars = digits.chars().peekable();
    let mut count = 0;
    while let Some(ch) = chars.next() {
        if ch == '_' {
            let next_is_digit = chars.peek().is_some_and(|next| hex_value(*next).is_some());
            if !previous_was_digit || !next_is_digit {
                return None;
            }
            previous_was_digit = false;
            continue;
        }
        let digit = hex_value(ch)?;
        value = value.checked_mul(16)?.checked_add(u128::from(digit))?;
        previous_was_digit = true;
        count += 1;
    }
    (count > 0).then(|| uuid::Uuid::from_u128(value))
}

fn hex_value(ch: char) -> Option<u32> {
    ch.to_digit(16).or_else(|| digit_value(ch))
}

/// Whether the text has a NUL character (Django's
/// `ProhibitNullCharactersValidator`).
pub(crate) fn has_null(text: &str) -> bool {
    text.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        assert!(user_regex().is_some());
        assert!(email_domain_regex().is_some());
        assert!(url_regex().is_some());
    }

    #[test]
    fn emails_follow_django() {
        for good in [
            "a@b.co",
            "a@localhost",
            "user@[127.0.0.1]",
            "user@[::1]",
            "a@exämple.com",
            "a@xn--80ak6aa92e.com",
            "\"q\\\"x\"@example.com",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "nope",
            "a@b",
            "a..b@example.com",
            "a@-example.com",
            "user@[300.1.1.1]",
            "a@b.c",
            "a@😀.com",
            "\"quoted name\"@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls_follow_django() {
        for good in [
            "http://example.com",
            "http://[::1]:80/",
            "http://例え.テスト/",
            "http://example.com.",
            "https://user:pass@example.com/path?q=1#x",
        ] {
            assert!(is_valid_url(good), "{good}");
        }
        for bad in [
            "http://[::zz]/",
            "http://[::1",
            "mailto:x@y.z",
            "http://example",
            "http://256.1.1.1/",
            "https://example.com/path?q=a b",
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn uuids_follow_python() {
        let expected = uuid::Uuid::from_u128(0x12345678_1234_5678_1234_567812345678);
        for good in [
            "12345678-1234-5678-1234-567812345678",
            "{12345678123456781234567812345678}",
            "urn:uuid:12345678-1234-5678-1234-567812345678",
        ] {
            assert_eq!(parse_uuid(good), Some(expected), "{good}");
        }
        assert_eq!(parse_uuid("1234-5678"), None);
        assert_eq!(parse_uuid("g2345678123456781234567812345678"), None);
    }
}
