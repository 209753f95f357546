//! Truncation filters: `truncatechars`, `truncatewords` and their `_html`
//! forms (Django's `Truncator`).
//!
//! Input: the value's text and a length (Python's `int(arg)`; an invalid one
//! gives the text unchanged); output: the text cut to that many characters or
//! words with `…` (` …` for words). The HTML forms count only text, keep tags,
//! and close the tags left open; they fail only on a malformed `<![` section,
//! as Django does.

use std::borrow::Cow;
use std::collections::VecDeque;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

use crate::template::escape::escape_into;
use crate::template::html_parser::{Flow, HtmlHandler, HtmlParser};

use super::FilterError;
use super::args::{ToPyInt, py_split_whitespace};

/// Django's `VOID_ELEMENTS`: tags that are never closed.
const VOID_ELEMENTS: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "frame", "spacer",
];

fn is_combining(ch: char) -> bool {
    canonical_combining_class(ch) != 0
}

/// `truncatechars` (is_safe=True): at most `length` characters (combining
/// marks not counted), the last one being `…` when cut.
pub fn truncatechars<'a, L: ToPyInt + ?Sized>(value: &'a str, length: &L) -> Cow<'a, str> {
    let Some(length) = length.to_py_int() else {
        return Cow::Borrowed(value);
    };
    if length <= 0 {
        return Cow::Borrowed("");
    }
    let text: String = value.nfc().collect();
    let length = length as u64;
    let truncate_len = length - 1;
    let mut counted: u64 = 0;
    let mut end_index: Option<usize> = None;
    for (index, ch) in text.char_indices() {
        if is_combining(ch) {
            continue;
        }
        counted += 1;
        if end_index.is_none() && counted > truncate_len {
            end_index = Some(index);
        }
        if counted > length {
            let mut out = text[..end_index.unwrap_or(0)].to_owned();
            out.push('…');
            return Cow::Owned(out);
        }
    }
    Cow::Owned(text)
}

/// `truncatewords` (is_safe=True): at most `length` words joined by single
/// spaces, followed by ` …` when cut.
pub fn truncatewords<'a, L: ToPyInt + ?Sized>(value: &'a str, length: &L) -> Cow<'a, str> {
    let Some(length) = length.to_py_int() else {
        return Cow::Borrowed(value);
    };
    if length <= 0 {
        return Cow::Borrowed("");
    }
    let words: Vec<&str> = py_split_whitespace(value).collect();
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    if words.len() > length {
        let mut out = words[..length].join(" ");
        if !out.ends_with(" …") {
            out.push_str(" …");
        }
        Cow::Owned(out)
    } else {
        Cow::Owned(words.join(" "))
    }
}

/// How the HTML truncator counts text.
enum Unit {
    /// Characters; `length` is the requested length, `processed` the
    /// characters seen so far.
    Chars {
        length: u64,
        processed: u64,
        raw_len: u64,
    },
    /// Words.
    Words,
}

/// Django's `TruncateHTMLParser` and its two subclasses.
struct HtmlTruncator {
    unit: Unit,
    output: Vec<String>,
    /// Open tags, innermost first.
    tags: VecDeque<String>,
    remaining: u64,
}

impl HtmlTruncator {
    /// Django's `process`: the data split into counted units and its
    /// (escaped, possibly cut) output.
    fn process(&mut self, data: &str) -> Result<(u64, String), Flow> {
        match &mut self.unit {
            Unit::Chars {
                length,
                processed,
                raw_len,
            } => {
                let count = data.chars().count() as u64;
                *processed += count;
                let output_len: u64 = self
                    .output
                    .iter()
                    .map(|piece| piece.chars().count() as u64)
                    .sum();
                if *processed == *length && output_len + count == *raw_len {
                    self.output.push(data.to_owned());
                    return Err(Flow::Stop);
                }
                let kept: String = data.chars().take(self.remaining as usize).collect();
                let mut output = String::new();
                escape_into(&mut output, &kept);
                Ok((count, output))
            }
            Unit::Words => {
                let words = split_words(data);
                let kept = words
                    .iter()
                    .take(self.remaining as usize)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut output = String::new();
                escape_into(&mut output, &kept);
                Ok((words.len() as u64, output))
            }
        }
    }

    /// Django's `add_truncation_text` for this truncator's replacement.
    fn add_truncation_text(&self, mut text: String) -> String {
        match self.unit {
            Unit::Chars { .. } => text.push('…'),
            Unit::Words => {
                if !text.ends_with(" …") {
                    text.push_str(" …");
                }
            }
        }
        text
    }
}

/// `re.split(r"(?<=\S)\s+(?=\S)", data)`: splits at white space between two
/// non-space characters; white space at either end stays with its word.
fn split_words(data: &str) -> Vec<&str> {
    let is_space = |ch: char| ch.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&ch);
    let chars: Vec<(usize, char)> = data.char_indices().collect();
    let mut words = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < chars.len() {
        let (offset, ch) = chars[index];
        if is_space(ch) && index > 0 && !is_space(chars[index - 1].1) {
            let mut end = index;
            while end < chars.len() && is_space(chars[end].1) {
                end += 1;
            }
            if end < chars.len() {
                words.push(&data[start..offset]);
                start = chars[end].0;
                index = end;
                continue;
            }
        }
        index += 1;
    }
    words.push(&data[start..]);
    words
}

impl HtmlHandler for HtmlTruncator {
    fn start_tag(&mut self, tag: &str, text: &str) -> Flow {
        self.output.push(text.to_owned());
        if !VOID_ELEMENTS.contains(&tag) {
            self.tags.push_front(tag.to_owned());
        }
        Flow::Continue
    }

    fn start_end_tag(&mut self, tag: &str, text: &str) -> Flow {
        self.start_tag(tag, text);
        if !VOID_ELEMENTS.contains(&tag) {
            self.end_tag(tag);
        }
        Flow::Continue
    }

    fn end_tag(&mut self, tag: &str) -> Flow {
        if !VOID_ELEMENTS.contains(&tag) {
            self.output.push(format!("</{tag}>"));
            if self.tags.front().is_some_and(|open| open == tag) {
                self.tags.pop_front();
            }
        }
        Flow::Continue
    }

    fn data(&mut self, data: &str) -> Flow {
        let (count, output) = match self.process(data) {
            Ok(processed) => processed,
            Err(flow) => return flow,
        };
        if self.remaining < count {
            self.remaining = 0;
            let truncated = self.add_truncation_text(output);
            self.output.push(truncated);
            return Flow::Stop;
        }
        self.remaining -= count;
        self.output.push(output);
        Flow::Continue
    }
}

/// Runs Django's truncating parser: a `feed` (text it leaves for later is
/// dropped by its `reset`), then the still-open tags closed if it stopped. A
/// malformed `<![` section fails the render, as Python's parser raises.
fn truncate_html(text: &str, unit: Unit, remaining: u64) -> Result<String, FilterError> {
    let mut truncator = HtmlTruncator {
        unit,
        output: Vec::new(),
        tags: VecDeque::new(),
        remaining,
    };
    let mut parser = HtmlParser::new(true);
    let flow = parser
        .feed(text, &mut truncator)
        .map_err(|error| FilterError::new("AssertionError", error.0))?;
    if flow == Flow::Stop {
        let closing: Vec<String> = truncator
            .tags
            .iter()
            .map(|tag| format!("</{tag}>"))
            .collect();
        truncator.output.extend(closing);
    }
    Ok(truncator.output.concat())
}

/// `truncatechars_html` (is_safe=True): like `truncatechars` on the text of
/// HTML, keeping the tags and closing those left open.
pub fn truncatechars_html<'a, L: ToPyInt + ?Sized>(
    value: &'a str,
    length: &L,
) -> Result<Cow<'a, str>, FilterError> {
    let Some(length) = length.to_py_int() else {
        return Ok(Cow::Borrowed(value));
    };
    if length <= 0 {
        return Ok(Cow::Borrowed(""));
    }
    let text: String = value.nfc().collect();
    let length = length as u64;
    let unit = Unit::Chars {
        length,
        processed: 0,
        raw_len: text.chars().count() as u64,
    };
    truncate_html(&text, unit, length - 1).map(Cow::Owned)
}

/// `truncatewords_html` (is_safe=True): like `truncatewords` on the text of
/// HTML, keeping the tags and closing those left open.
pub fn truncatewords_html<'a, L: ToPyInt + ?Sized>(
    value: &'a str,
    length: &L,
) -> Result<Cow<'a, str>, FilterError> {
    let Some(length) = length.to_py_int() else {
        return Ok(Cow::Borrowed(value));
    };
    if length <= 0 {
        return Ok(Cow::Borrowed(""));
    }
    truncate_html(value, Unit::Words, length as u64).map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_characters() {
        assert_eq!(truncatechars("Hello world", &5), "Hell…");
        assert_eq!(truncatechars("Hello", &5), "Hello");
        assert_eq!(truncatechars("Hello", "x"), "Hello");
        assert_eq!(truncatewords("a  b c", &2), "a b …");
        assert_eq!(truncatewords(" a  b ", &2), "a b");
    }

    #[test]
    fn truncates_html_and_closes_tags() {
        assert_eq!(
            truncatechars_html("<p>Hello <b>world</b></p>", &8).unwrap(),
            "<p>Hello <b>w…</b></p>"
        );
        assert_eq!(
            truncatewords_html("<p>one two <i>three</i> four</p>", &3).unwrap(),
            "<p>one two <i>three</i> …</p>"
        );
        assert_eq!(split_words(" a  b\n"), [" a", "b\n"]);
        assert!(truncatewords_html("a <![bogus x]> b", &3).is_err());
    }
}
