//! The `urlize` and `urlizetrunc` filters: Django's `Urlizer`, which turns
//! URLs, `www.` and bare domain names, and e-mail addresses in plain text into
//! `<a>` links with `rel="nofollow"`.
//!
//! Input: the value's text, the autoescape flag (false for safe input) and an
//! optional length limit for the link text; output: safe HTML. Punctuation
//! around a URL (trailing `.,:;!`, unbalanced brackets, `(` and `[` before it)
//! stays outside the link, as in Django.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use fancy_regex::Regex;

use crate::template::escape::{SafeString, escape_into, mark_safe};
use crate::template::html_unescape::unescape;

use super::urls::{quote, requote_query, unquote, urlsplit, urlunsplit};

/// Django's `MAX_URL_LENGTH`.
const MAX_URL_LENGTH: usize = 2048;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid urlize regex")
}

/// `DomainNameValidator.hostname_re`: one label of letters (any above
/// U+00A0 up to U+FFFF), digits and inner hyphens.
const HOSTNAME: &str =
    r"[a-z\x{a1}-\x{ffff}0-9](?:[a-z\x{a1}-\x{ffff}0-9-]{0,61}[a-z\x{a1}-\x{ffff}0-9])?";
/// `DomainNameValidator.domain_re`: more labels, each after a dot.
const DOMAIN: &str = r"(?:\.(?!-)[a-z\x{a1}-\x{ffff}0-9-]{1,63}(?<!-))*";
/// `DomainNameValidator.tld_no_fqdn_re`.
const TLD_NO_FQDN: &str = r"\.(?!-)(?:[a-z\x{a1}-\x{ffff}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)";

static SIMPLE_URL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^https?://\[?\w"));
static SIMPLE_URL_2: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)^www\.|^(?!http){HOSTNAME}{DOMAIN}\.(com|edu|gov|int|mil|net|org)($|/.*)$"
    ))
});
static EMAIL_USER: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\z",
        r#"|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"\z)"#
    ))
});
static EMAIL_DOMAIN: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"(?i)^{HOSTNAME}{DOMAIN}{TLD_NO_FQDN}\z")));
static EMAIL_LITERAL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\[([A-F0-9:.]+)\]\z"));

fn is_match(regex: &Regex, text: &str) -> bool {
    regex.is_match(text).unwrap_or(false)
}

/// `urlize` (is_safe=True, needs_autoescape): links with `rel="nofollow"`.
/// Pass `autoescape` false for safe input.
pub fn urlize(value: &str, autoescape: bool) -> SafeString {
    urlize_words(value, None, autoescape)
}

/// `urlizetrunc` (is_safe=True, needs_autoescape): like `urlize`, with link
/// texts longer than `limit` cut to `limit - 1` characters and `…`.
pub fn urlizetrunc(value: &str, limit: usize, autoescape: bool) -> SafeString {
    urlize_words(value, Some(limit), autoescape)
}

/// Django's `Urlizer.__call__`: the text split at white space, `<`, `>` and
/// quotes, each piece handled on its own.
fn urlize_words(value: &str, limit: Option<usize>, autoescape: bool) -> SafeString {
    let is_separator = |ch: char| {
        ch.is_whitespace()
            || ('\u{1c}'..='\u{1f}').contains(&ch)
            || matches!(ch, '<' | '>' | '"' | '\'')
    };
    let mut out = String::with_capacity(value.len());
    let mut cache: BTreeMap<&str, String> = BTreeMap::new();
    let mut rest = value;
    while !rest.is_empty() {
        let starts_with_separator = rest.chars().next().is_some_and(is_separator);
        let end = if starts_with_separator {
            rest.find(|ch: char| !is_separator(ch))
                .unwrap_or(rest.len())
        } else {
            rest.find(is_separator).unwrap_or(rest.len())
        };
        let piece = &rest[..end];
        let handled = cache
            .entry(piece)
            .or_insert_with(|| handle_word(piece, limit, autoescape));
        out.push_str(handled);
        rest = &rest[end..];
    }
    mark_safe(out)
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Django's `Urlizer.handle_word`.
fn handle_word(word: &str, limit: Option<usize>, autoescape: bool) -> String {
    let plain = || {
        if autoescape {
            escaped(word)
        } else {
            word.to_owned()
        }
    };
    if !word.contains(['.', '@', ':']) {
        return plain();
    }
    let (lead, middle, trail) = trim_punctuation(word);
    let short_enough = middle.chars().count() <= MAX_URL_LENGTH;
    let mut nofollow = " rel=\"nofollow\"";
    let url = if short_enough && is_match(&SIMPLE_URL, &middle) {
        smart_urlquote(&unescape(&middle))
    } else if short_enough && is_match(&SIMPLE_URL_2, &middle) {
        smart_urlquote(&format!("http://{}", unescape(&middle)))
    } else if !middle.contains(':') && is_email_simple(&middle) {
        let (local, domain) = middle.rsplit_once('@').unwrap_or(("", ""));
        nofollow = "";
        format!("mailto:{}@{}", quote(local, ""), quote(domain, ""))
    } else {
        return plain();
    };
    let trimmed = trim_url(&middle, limit);
    let (lead, trail, trimmed) = if autoescape {
        (escaped(&lead), escaped(&trail), escaped(&trimmed))
    } else {
        (lead, trail, trimmed)
    };
    format!(
        "{lead}<a href=\"{}\"{nofollow}>{trimmed}</a>{trail}",
        escaped(&url)
    )
}

/// Django's `trim_url`: the link text cut to `limit - 1` characters and `…`.
fn trim_url(text: &str, limit: Option<usize>) -> String {
    match limit {
        Some(limit) if text.chars().count() > limit => {
            let mut out: String = text.chars().take(limit.saturating_sub(1)).collect();
            out.push('…');
            out
        }
        _ => text.to_owned(),
    }
}

/// The last `count` characters of `text` split off (all of it if shorter).
fn split_last_chars(text: &str, count: usize) -> (String, String) {
    let total = text.chars().count();
    let keep = total.saturating_sub(count);
    let at = text
        .char_indices()
        .nth(keep)
        .map_or(text.len(), |(index, _)| index);
    (text[..at].to_owned(), text[at..].to_owned())
}

/// Django's `Urlizer.trim_punctuation`: `(lead, middle, trail)`.
fn trim_punctuation(word: &str) -> (String, String, String) {
    let mut middle = word.trim_start_matches(['(', '[']).to_owned();
    let lead = word[..word.len() - middle.len()].to_owned();
    let mut trail: Vec<String> = Vec::new();
    // Counts are taken once from the untrimmed middle; only the closing
    // counts are lowered as closing brackets are trimmed.
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let original = middle.clone();
    let count = |ch: char, counts: &mut BTreeMap<char, usize>| {
        *counts
            .entry(ch)
            .or_insert_with(|| original.matches(ch).count())
    };
    let mut trimmed_something = true;
    while trimmed_something && !middle.is_empty() {
        trimmed_something = false;
        for (opening, closing) in [('(', ')'), ('[', ']')] {
            let opened = count(opening, &mut counts);
            let closed = count(closing, &mut counts);
            if opened < closed && middle.ends_with(closing) {
                let strip = closed - opened;
                let (kept, stripped) = split_last_chars(&middle, strip);
                trail.insert(0, stripped);
                middle = kept;
                trimmed_something = true;
                counts.insert(closing, closed - strip);
            }
        }
        let amp = middle.rfind('&');
        let punctuation: &[char] = if amp.is_none() {
            &['.', ',', ':', ';', '!']
        } else {
            &['.', ',', ':', '!']
        };
        let rstripped = middle.trim_end_matches(punctuation);
        if rstripped.len() != middle.len() {
            trail.insert(0, middle[rstripped.len()..].to_owned());
            middle.truncate(rstripped.len());
            trimmed_something = true;
        }
        if middle.ends_with(';') {
            // middle[amp:], where a missing `&` (-1) takes the last character.
            let potential_entity = match amp {
                Some(at) => &middle[at..],
                None => &middle[middle.len() - 1..],
            };
            let unescaped = unescape(potential_entity);
            if unescaped == potential_entity || unescaped.ends_with(';') {
                let rstripped_len = middle.trim_end_matches(['.', ',', ':', ';', '!']).len();
                let trailing_semicolons = middle.len() - middle.trim_end_matches(';').len();
                if amp.is_some() && trailing_semicolons > 1 {
                    let recent_semicolon = middle[rstripped_len..].find(';').unwrap_or(0);
                    let semicolon_end = rstripped_len + recent_semicolon + 1;
                    trail.insert(0, middle[semicolon_end..].to_owned());
                    middle.truncate(semicolon_end);
                } else {
                    trail.insert(0, middle[rstripped_len..].to_owned());
                    middle.truncate(rstripped_len);
                }
                trimmed_something = true;
            }
        }
    }
    (lead, middle, trail.concat())
}

/// Django's `smart_urlquote`: each part unquoted and quoted again, the query
/// re-encoded pair by pair.
fn smart_urlquote(url: &str) -> String {
    let unquote_quote = |segment: &str| quote(&unquote(segment), "!$&'()*+,;=:/?#[]@~");
    let Some(mut split) = urlsplit(url) else {
        return unquote_quote(url);
    };
    split.netloc = unquote_quote(&split.netloc);
    if !split.query.is_empty() {
        split.query = requote_query(&split.query);
    }
    split.path = unquote_quote(&split.path);
    split.fragment = unquote_quote(&split.fragment);
    urlunsplit(&split)
}

/// Django's `EmailValidator(allowlist=[])`: a dot-atom or quoted local part,
/// then a domain name or a bracketed IP address.
fn is_email_simple(value: &str) -> bool {
    if value.is_empty() || value.chars().count() > 320 {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    if !is_match(&EMAIL_USER, user) {
        return false;
    }
    if is_match(&EMAIL_DOMAIN, domain) {
        return true;
    }
    let Ok(Some(captures)) = EMAIL_LITERAL.captures(domain) else {
        return false;
    };
    let address = captures.get(1).map_or("", |m| m.as_str());
    address.parse::<std::net::Ipv4Addr>().is_ok() || address.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_urls_domains_and_emails() {
        assert_eq!(
            urlize("see https://example.com/a?b=c d.", true).0,
            "see <a href=\"https://example.com/a?b=c\" rel=\"nofollow\">https://example.com/a?b=c</a> d."
        );
        assert_eq!(
            urlize("(www.example.com).", true).0,
            "(<a href=\"http://www.example.com\" rel=\"nofollow\">www.example.com</a>)."
        );
        assert_eq!(
            urlize("mail me@example.org", true).0,
            "mail <a href=\"mailto:me@example.org\">me@example.org</a>"
        );
        assert_eq!(urlize("a <b> c", true).0, "a &lt;b&gt; c");
    }

    #[test]
    fn trims_punctuation_like_django() {
        assert_eq!(
            trim_punctuation("[(example.com)]!"),
            ("[(".into(), "example.com".into(), ")]!".into())
        );
        assert_eq!(
            trim_punctuation("a.com/&amp;;"),
            (String::new(), "a.com/&amp;".into(), ";".into())
        );
    }
}
