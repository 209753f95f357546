//! Python's `html.unescape`: character references in text replaced by the
//! characters they stand for.
//!
//! Input: text with references like `&amp;`, `&#39;`, `&#x27;` or `&eacute`;
//! output: the text with them replaced, following Python's rules (HTML5 named
//! references, with or without `;`, longest known prefix; numeric references
//! with the Windows-1252 fix-ups, invalid code points dropped).

use std::borrow::Cow;
use std::sync::LazyLock;

use fancy_regex::{Captures, Regex};

/// Python's `html._charref`.
static CHARREF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
        .expect("valid charref regex")
});

/// Python's `html.unescape(text)`.
pub(crate) fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    CHARREF.replace_all(text, |captures: &Captures<'_, str>| {
        replace_reference(&captures[1])
    })
}

/// The named entity's text from the HTML5 table (`name` without `&`, with or
/// without its `;`).
fn named_entity(name: &str) -> Option<&'static str> {
    let key = format!("&{name}");
    htmlize::ENTITIES
        .get(key.as_bytes())
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
}

/// Python's `html._replace_charref` for the text after `&`.
fn replace_reference(reference: &str) -> String {
    if let Some(number) = reference.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        let digits = digits.trim_end_matches(';');
        // Saturate: anything past U+10FFFF is replaced the same way.
        let code = digits
            .chars()
            .filter_map(|ch| ch.to_digit(radix))
            .fold(0_u64, |code, digit| {
                code.saturating_mul(u64::from(radix))
                    .saturating_add(u64::from(digit))
                    .min(0x11_0000)
            });
        return numeric_reference(code).into_owned();
    }
    if let Some(text) = named_entity(reference) {
        return text.to_owned();
    }
    let chars: Vec<(usize, char)> = reference.char_indices().collect();
    for length in (2..chars.len()).rev() {
        let (end, _) = chars[length];
        if let Some(text) = named_entity(&reference[..end]) {
            return format!("{text}{}", &reference[end..]);
        }
    }
    format!("&{reference}")
}

/// The text for a numeric reference, as Python maps it.
fn numeric_reference(code: u64) -> Cow<'static, str> {
    let windows_1252 = match code {
        0x00 => "\u{fffd}",
        0x0d => "\r",
        0x80 => "\u{20ac}",
        0x81 => "\u{81}",
        0x82 => "\u{201a}",
        0x83 => "\u{0192}",
        0x84 => "\u{201e}",
        0x85 => "\u{2026}",
        0x86 => "\u{2020}",
        0x87 => "\u{2021}",
        0x88 => "\u{02c6}",
        0x89 => "\u{2030}",
        0x8a => "\u{0160}",
        0x8b => "\u{2039}",
        0x8c => "\u{0152}",
        0x8d => "\u{8d}",
        0x8e => "\u{017d}",
        0x8f => "\u{8f}",
        0x90 => "\u{90}",
        0x91 => "\u{2018}",
        0x92 => "\u{2019}",
        0x93 => "\u{201c}",
        0x94 => "\u{201d}",
        0x95 => "\u{2022}",
        0x96 => "\u{2013}",
        0x97 => "\u{2014}",
        0x98 => "\u{02dc}",
        0x99 => "\u{2122}",
        0x9a => "\u{0161}",
        0x9b => "\u{203a}",
        0x9c => "\u{0153}",
        0x9d => "\u{9d}",
        0x9e => "\u{017e}",
        0x9f => "\u{0178}",
        _ => "",
    };
    if !windows_1252.is_empty() {
        return Cow::Borrowed(windows_1252);
    }
    let Some(ch) = u32::try_from(code).ok().and_then(char::from_u32) else {
        // Surrogates and values past U+10FFFF.
        return Cow::Borrowed("\u{fffd}");
    };
    let invalid = matches!(code, 0x01..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f | 0xfdd0..=0xfdef)
        || code & 0xfffe == 0xfffe;
    if invalid {
        Cow::Borrowed("")
    } else {
        Cow::Owned(ch.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_like_python() {
        assert_eq!(
            unescape("a &amp; b &lt;c&gt; &#39;&#x27;&quot;"),
            "a & b <c> ''\""
        );
        assert_eq!(
            unescape("&eacute &eacutex &ampx &notin; &notit;"),
            "é éx &x ∉ ¬it;"
        );
        assert_eq!(
            unescape("&#128; &#0; &#1; &#xD800; &#9999999999;"),
            "€ \u{fffd}  \u{fffd} \u{fffd}"
        );
        assert_eq!(unescape("&nosuch; & &#;"), "&nosuch; & &#;");
    }
}
