//! HTML filters: `escape`, `force_escape`, `escapejs`, `safe`, `safeseq`,
//! `linebreaks`, `linebreaksbr`, `linenumbers`, `striptags`, `json_script`.
//!
//! Input: the value's text (or, for `safeseq`/`json_script`, the typed value);
//! output: HTML, marked safe where Django marks it.

use std::fmt::Write as _;
use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};

use crate::template::display::{DjangoStr, write_float_repr};
use crate::template::escape::{Safe, SafeString, conditional_escape_into, escape_into, mark_safe};
use crate::template::html_parser::{Flow, HtmlHandler, HtmlParser};

use super::FilterError;

/// `escape` (is_safe=True): Django's `conditional_escape`, so an already safe
/// value is left alone.
pub fn escape<T: DjangoStr + ?Sized>(value: &T) -> SafeString {
    let mut out = String::new();
    conditional_escape_into(&mut out, value);
    Safe(out)
}

/// `force_escape` (is_safe=True): escapes even safe text.
pub fn force_escape(value: &str) -> SafeString {
    let mut out = String::with_capacity(value.len());
    escape_into(&mut out, value);
    Safe(out)
}

/// `safe` (is_safe=True): the value's text marked safe.
pub fn safe(value: &str) -> SafeString {
    mark_safe(value)
}

/// `safeseq` (is_safe=True): each item's text marked safe.
pub fn safeseq<T: DjangoStr>(value: &[T]) -> Vec<SafeString> {
    value
        .iter()
        .map(|item| Safe(item.django_str().into_owned()))
        .collect()
}

/// `escapejs` (is_safe=False, result marked safe): characters that could end a
/// JavaScript string or an HTML block written as `\uXXXX`.
pub fn escapejs(value: &str) -> SafeString {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        let code = u32::from(ch);
        let escaped = matches!(
            ch,
            '\\' | '\'' | '"' | '>' | '<' | '&' | '=' | '-' | ';' | '`' | '\u{2028}' | '\u{2029}'
        ) || code < 32
            || (0x7f..0xa0).contains(&code);
        if escaped {
            let _ = write!(out, "\\u{code:04X}");
        } else {
            out.push(ch);
        }
    }
    Safe(out)
}

/// Django's `normalize_newlines`: `\r\n` and `\r` become `\n`.
fn normalize_newlines(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// `linebreaks` (is_safe=True, needs_autoescape): paragraphs (separated by
/// blank lines) in `<p>`, single newlines as `<br>`. Pass `autoescape` false
/// for safe input.
pub fn linebreaks(value: &str, autoescape: bool) -> SafeString {
    let value = normalize_newlines(value);
    let mut out = String::with_capacity(value.len() + 16);
    let mut paragraphs = Vec::new();
    let mut rest = value.as_str();
    // re.split("\n{2,}")
    while let Some(at) = rest.find("\n\n") {
        paragraphs.push(&rest[..at]);
        rest = rest[at..].trim_start_matches('\n');
    }
    paragraphs.push(rest);
    for (index, paragraph) in paragraphs.iter().enumerate() {
        if index > 0 {
            out.push_str("\n\n");
        }
        out.push_str("<p>");
        let mut text = String::new();
        if autoescape {
            escape_into(&mut text, paragraph);
        } else {
            text.push_str(paragraph);
        }
        out.push_str(&text.replace('\n', "<br>"));
        out.push_str("</p>");
    }
    Safe(out)
}

/// `linebreaksbr` (is_safe=True, needs_autoescape): newlines as `<br>`. Pass
/// `autoescape` false for safe input.
pub fn linebreaksbr(value: &str, autoescape: bool) -> SafeString {
    let value = normalize_newlines(value);
    let mut text = String::with_capacity(value.len());
    if autoescape {
        escape_into(&mut text, &value);
    } else {
        text.push_str(&value);
    }
    Safe(text.replace('\n', "<br>"))
}

/// `linenumbers` (is_safe=True, needs_autoescape): each line prefixed with its
/// zero-padded number. Pass `autoescape` false for safe input.
pub fn linenumbers(value: &str, autoescape: bool) -> SafeString {
    let lines: Vec<&str> = value.split('\n').collect();
    let width = lines.len().to_string().len();
    let mut out = String::with_capacity(value.len() + lines.len() * (width + 2));
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{:0width$}. ", index + 1);
        if autoescape {
            escape_into(&mut out, line);
        } else {
            out.push_str(line);
        }
    }
    Safe(out)
}

/// Django's `MLStripper`: keeps text and character references, drops tags.
#[derive(Default)]
struct TagStripper {
    fed: String,
}

impl HtmlHandler for TagStripper {
    fn data(&mut self, data: &str) -> Flow {
        self.fed.push_str(data);
        Flow::Continue
    }
    fn entity_ref(&mut self, name: &str) -> Flow {
        let _ = write!(self.fed, "&{name};");
        Flow::Continue
    }
    fn char_ref(&mut self, name: &str) -> Flow {
        let _ = write!(self.fed, "&#{name};");
        Flow::Continue
    }
}

/// Django's `_strip_once`.
fn strip_once(value: &str) -> Result<String, FilterError> {
    let mut parser = HtmlParser::new(false);
    let mut stripper = TagStripper::default();
    let malformed = |error: crate::template::html_parser::MalformedMarkup| {
        FilterError::new("AssertionError", error.0)
    };
    parser.feed(value, &mut stripper).map_err(malformed)?;
    parser.close(&mut stripper).map_err(malformed)?;
    Ok(stripper.fed)
}

/// Django's `MAX_STRIP_TAGS_DEPTH`.
const MAX_STRIP_TAGS_DEPTH: usize = 50;

fn suspicious() -> FilterError {
    FilterError::new("SuspiciousOperation", "")
}

/// `striptags` (is_safe=True): Django's `strip_tags`, which strips repeatedly
/// until no tag is left. Deeply nested or huge unclosed tags fail the render
/// (Django's `SuspiciousOperation`).
pub fn striptags(value: &str) -> Result<String, FilterError> {
    check_long_open_tags(value)?;
    let mut value = value.to_owned();
    let mut depth = 0;
    while value.contains('<') && value.contains('>') {
        if depth >= MAX_STRIP_TAGS_DEPTH {
            return Err(suspicious());
        }
        let stripped = strip_once(&value)?;
        if value.matches('<').count() == stripped.matches('<').count() {
            break;
        }
        value = stripped;
        depth += 1;
    }
    Ok(value)
}

/// Django's `long_open_tag_without_closing_re` (`<[a-zA-Z][^>]{1000,}`) check:
/// such a tag with 50 or more `<` in it is suspicious.
fn check_long_open_tags(value: &str) -> Result<(), FilterError> {
    let mut rest = value;
    while let Some(at) = rest.find('<') {
        let candidate = &rest[at..];
        let mut chars = candidate.chars();
        chars.next();
        if !chars.next().is_some_and(|ch| ch.is_ascii_alphabetic()) {
            rest = &candidate[1..];
            continue;
        }
        let tag_len = candidate[1..]
            .find('>')
            .map_or(candidate.len(), |offset| offset + 1);
        let tag = &candidate[..tag_len];
        if tag.chars().count() > 1001 {
            if tag.matches('<').count() >= MAX_STRIP_TAGS_DEPTH {
                return Err(suspicious());
            }
            rest = &candidate[tag_len..];
        } else {
            rest = &candidate[1..];
        }
    }
    Ok(())
}

/// Python's `json.dumps` layout (`", "` and `": "` separators, ASCII only,
/// float repr) followed by Django's escaping of `<`, `>` and `&`.
struct DjangoJsonFormatter;

impl Formatter for DjangoJsonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let text = if value.is_nan() {
            "NaN".to_owned()
        } else if value.is_infinite() {
            if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        } else {
            let mut text = String::new();
            write_float_repr(&mut text, value);
            text
        };
        writer.write_all(text.as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut out = String::with_capacity(fragment.len());
        for ch in fragment.chars() {
            match ch {
                '<' => out.push_str("\\u003C"),
                '>' => out.push_str("\\u003E"),
                '&' => out.push_str("\\u0026"),
                ' '..='~' => out.push(ch),
                _ => {
                    let mut units = [0_u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
            }
        }
        writer.write_all(out.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        let text = match char_escape {
            CharEscape::Quote => "\\\"".to_owned(),
            CharEscape::ReverseSolidus => "\\\\".to_owned(),
            CharEscape::Solidus => "\\/".to_owned(),
            CharEscape::Backspace => "\\b".to_owned(),
            CharEscape::FormFeed => "\\f".to_owned(),
            CharEscape::LineFeed => "\\n".to_owned(),
            CharEscape::CarriageReturn => "\\r".to_owned(),
            CharEscape::Tab => "\\t".to_owned(),
            CharEscape::AsciiControl(byte) => format!("\\u{byte:04x}"),
        };
        writer.write_all(text.as_bytes())
    }
}

/// `json_script` (is_safe=True): the value as JSON (Python's `json.dumps`
/// layout) in a `<script type="application/json">` element, with an optional
/// id (conditionally escaped: a literal id in a template is safe).
pub fn json_script<T: Serialize + ?Sized, I: DjangoStr + ?Sized>(
    value: &T,
    element_id: Option<&I>,
) -> Result<SafeString, FilterError> {
    let mut json = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut json, DjangoJsonFormatter);
    value
        .serialize(&mut serializer)
        .map_err(|error| FilterError::new("TypeError", error.to_string()))?;
    let json = String::from_utf8(json)
        .map_err(|error| FilterError::new("TypeError", error.to_string()))?;
    let mut out = String::with_capacity(json.len() + 48);
    match element_id.filter(|id| !id.django_str().is_empty()) {
        Some(id) => {
            out.push_str("<script id=\"");
            conditional_escape_into(&mut out, id);
            out.push_str("\" type=\"application/json\">");
        }
        None => out.push_str("<script type=\"application/json\">"),
    }
    out.push_str(&json);
    out.push_str("</script>");
    Ok(Safe(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn striptags_repeats_until_clean() {
        assert_eq!(
            striptags("<p>a <b>b</b> &amp; c</p>").unwrap(),
            "a b &amp; c"
        );
        assert_eq!(striptags("<<b>script>x").unwrap(), "");
        assert_eq!(striptags("a < b > c").unwrap(), "a < b > c");
    }

    #[test]
    fn linebreaks_make_paragraphs() {
        assert_eq!(
            linebreaks("a\nb\n\n\nc<", true).0,
            "<p>a<br>b</p>\n\n<p>c&lt;</p>"
        );
        assert_eq!(linebreaksbr("a\r\nb<", false).0, "a<br>b<");
        assert_eq!(linenumbers("a\nb", true).0, "1. a\n2. b");
    }

    #[test]
    fn json_script_matches_python_layout() {
        let value = serde_json::json!({"a": [1, 2.0, "</script>é"], "b": null});
        assert_eq!(
            json_script(&value, Some("data")).unwrap().0,
            "<script id=\"data\" type=\"application/json\">{\"a\": [1, 2.0, \"\\u003C/script\\u003E\\u00e9\"], \"b\": null}</script>"
        );
        assert_eq!(escapejs("a'b\n").0, "a\\u0027b\\u000A");
    }
}
