//! JSON as Python's `json` module reads and writes it, for JSON form fields
//! and Django's `errors.as_json`.
//!
//! Input: JSON text (`json.loads`) or a `serde_json::Value`. Output:
//! `json.dumps` text — `", "` and `": "` separators, floats as Python's
//! `repr`, object keys in the order they were written — so a redisplayed
//! JSON field shows exactly what Django shows. serde_json (without
//! `preserve_order`) would sort the keys, hence this small parser.

use std::fmt::Write as _;

use crate::template::display::write_float_repr;

/// A JSON document as `json.loads` returns it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PyJson {
    /// `None`
    Null,
    /// `True` / `False`
    Bool(bool),
    /// An `int` of any size, as its decimal text (`-` and digits).
    Int(String),
    /// A `float`, including the infinities and NaN Python accepts.
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `list`.
    List(Vec<PyJson>),
    /// A `dict`, keys in first-insertion order (a repeated key keeps its
    /// place and takes the last value, as in Python).
    Dict(Vec<(String, PyJson)>),
}

/// How deep arrays and objects may nest (Python's recursion limit stops
/// deeper documents too).
const MAX_DEPTH: usize = 500;

/// `json.loads(text)`, or `None` when Python raises `JSONDecodeError`.
pub(crate) fn loads(text: &str) -> Option<PyJson> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    parser.skip_space();
    let value = parser.value(0)?;
    parser.skip_space();
    (parser.at == parser.bytes.len()).then_some(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.text[self.at..].starts_with(literal) {
            self.at += literal.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<PyJson> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.bytes.get(self.at)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(PyJson::Str),
            b'n' if self.eat("null") => Some(PyJson::Null),
            b't' if self.eat("true") => Some(PyJson::Bool(true)),
            b'f' if self.eat("false") => Some(PyJson::Bool(false)),
            b'N' if self.eat("NaN") => Some(PyJson::Float(f64::NAN)),
            b'I' if self.eat("Infinity") => Some(PyJson::Float(f64::INFINITY)),
            b'-' if self.eat("-Infinity") => Some(PyJson::Float(f64::NEG_INFINITY)),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<PyJson> {
        self.at += 1;
        let mut entries: Vec<(String, PyJson)> = Vec::new();
        self.skip_space();
        if self.eat("}") {
            return Some(PyJson::Dict(entries));
        }
        loop {
            self.skip_space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            self.skip_space();
            if !self.eat(":") {
                return None;
            }
            self.skip_space();
            let value = self.value(depth + 1)?;
            match entries.iter_mut().find(|(existing, _)| *existing == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
            self.skip_space();
            if self.eat("}") {
                return Some(PyJson::Dict(entries));
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<PyJson> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat("]") {
            return Some(PyJson::List(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            if self.eat("]") {
                return Some(PyJson::List(items));
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let stop = rest.find(|ch: char| ch == '"' || ch == '\\' || ch < ' ')?;
            out.push_str(&rest[..stop]);
            self.at += stop;
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.at += 1;
                    let escape = *self.bytes.get(self.at)?;
                    self.at += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            out.push(self.surrogate_pair(unit));
                        }
                        _ => return None,
                    }
                }
                // A raw control character: Python's strict mode refuses it.
                _ => return None,
            }
        }
    }

    /// A `\uXXXX` escape, joined with a following low surrogate escape;
    /// a lone surrogate (which Rust text cannot hold) becomes U+FFFD.
    fn surrogate_pair(&mut self, unit: u32) -> char {
        if (0xD800..0xDC00).contains(&unit) && self.text[self.at..].starts_with("\\u") {
            let saved = self.at;
            self.at += 2;
            if let Some(low) = self.hex4()
                && (0xDC00..0xE000).contains(&low)
            {
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return char::from_u32(code).unwrap_or('\u{fffd}');
            }
            self.at = saved;
        }
        char::from_u32(unit).unwrap_or('\u{fffd}')
    }

    fn number(&mut self) -> Option<PyJson> {
        let start = self.at;
        let digits = |parser: &mut Self| {
            let from = parser.at;
            while parser.bytes.get(parser.at).is_some_and(u8::is_ascii_digit) {
                parser.at += 1;
            }
            parser.at - from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        let mut is_float = false;
        if self.bytes.get(self.at) == Some(&b'.')
            && self.bytes.get(self.at + 1).is_some_and(u8::is_ascii_digit)
        {
            self.at += 1;
            digits(self);
            is_float = true;
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            let saved = self.at;
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                // Python's scanner stops before a bare `e`; the document
                // then fails on the leftover text.
                self.at = saved;
            } else {
                is_float = true;
            }
        }
        let text = &self.text[start..self.at];
        if is_float {
            text.parse().ok().map(PyJson::Float)
        } else {
            let negative = text.starts_with('-');
            let magnitude = text.trim_start_matches('-');
            Some(PyJson::Int(if negative && magnitude != "0" {
                text.to_owned()
            } else {
                magnitude.to_owned()
            }))
        }
    }
}

impl PyJson {
    /// The value from a `serde_json::Value` (numbers that fit an `i64` or a
    /// `u64` are ints, the others floats).
    pub(crate) fn from_serde(value: &serde_json::Value) -> PyJson {
        match value {
            serde_json::Value::Null => PyJson::Null,
            serde_json::Value::Bool(flag) => PyJson::Bool(*flag),
            serde_json::Value::Number(number) => {
                if let Some(int) = number.as_i64() {
                    PyJson::Int(int.to_string())
                } else if let Some(int) = number.as_u64() {
                    PyJson::Int(int.to_string())
                } else {
                    PyJson::Float(number.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(text) => PyJson::Str(text.clone()),
            serde_json::Value::Array(items) => {
                PyJson::List(items.iter().map(PyJson::from_serde).collect())
            }
            serde_json::Value::Object(entries) => PyJson::Dict(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), PyJson::from_serde(value)))
                    .collect(),
            ),
        }
    }

    /// The value as a `serde_json::Value`, for storage; `None` when it holds
    /// a NaN or an infinity, which JSON columns cannot store. Integers beyond
    /// 64 bits become the nearest float.
    pub(crate) fn to_serde(&self) -> Option<serde_json::Value> {
        Some(match self {
            PyJson::Null => serde_json::Value::Null,
            PyJson::Bool(flag) => serde_json::Value::Bool(*flag),
            PyJson::Int(text) => {
                if let Ok(int) = text.parse::<i64>() {
                    serde_json::Value::from(int)
                } else if let Ok(int) = text.parse::<u64>() {
                    serde_json::Value::from(int)
                } else {
                    let float: f64 = text.parse().ok()?;
                    serde_json::Value::Number(serde_json::Number::from_f64(float)?)
                }
            }
            PyJson::Float(float) => {
                serde_json::Value::Number(serde_json::Number::from_f64(*float)?)
            }
            PyJson::Str(text) => serde_json::Value::String(text.clone()),
            PyJson::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(PyJson::to_serde)
                    .collect::<Option<Vec<_>>>()?,
            ),
            PyJson::Dict(entries) => {
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    map.insert(key.clone(), value.to_serde()?);
                }
                serde_json::Value::Object(map)
            }
        })
    }
}

/// `json.dumps(value, ensure_ascii=ascii)` appended to `out`.
pub(crate) fn dumps_into(out: &mut String, value: &PyJson, ascii: bool) {
    match value {
        PyJson::Null => out.push_str("null"),
        PyJson::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        PyJson::Int(text) => out.push_str(text),
        PyJson::Float(float) if float.is_nan() => out.push_str("NaN"),
        PyJson::Float(float) if float.is_infinite() => {
            out.push_str(if *float > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            });
        }
        PyJson::Float(float) => write_float_repr(out, *float),
        PyJson::Str(text) => write_json_string(out, text, ascii),
        PyJson::List(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                dumps_into(out, item, ascii);
            }
            out.push(']');
        }
        PyJson::Dict(entries) => {
            out.push('{');
            for (index, (key, item)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_json_string(out, key, ascii);
                out.push_str(": ");
                dumps_into(out, item, ascii);
            }
            out.push('}');
        }
    }
}

/// `json.dumps(value, ensure_ascii=False)`.
pub(crate) fn dumps(value: &PyJson) -> String {
    let mut out = String::new();
    dumps_into(&mut out, value, false);
    out
}

/// A JSON string literal as Python writes it; with `ascii`, every
/// non-ASCII character is a lower-case `\uXXXX` escape (surrogate pairs
/// beyond the BMP).
pub(crate) fn write_json_string(out: &mut String, text: &str, ascii: bool) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ if ch < ' ' => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            _ if ascii && !ch.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            _ => out.push(ch),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Option<String> {
        loads(text).map(|value| dumps(&value))
    }

    #[test]
    fn dumps_like_python_keeping_key_order() {
        assert_eq!(
            round_trip(r#"{"z":1,"a":[true,null, 2.50, 1e3, -0, -0.0]}"#).as_deref(),
            Some(r#"{"z": 1, "a": [true, null, 2.5, 1000.0, 0, -0.0]}"#)
        );
        assert_eq!(
            round_trip(r#"{"a":1,"b":2,"a":3}"#).as_deref(),
            Some(r#"{"a": 3, "b": 2}"#)
        );
        assert_eq!(
            round_trip(r#""é\u00e9\ud83d\ude00\n\u0001""#).as_deref(),
            Some("\"éé😀\\n\\u0001\"")
        );
        assert_eq!(round_trip("1E400").as_deref(), Some("Infinity"));
        assert_eq!(
            round_trip("123456789012345678901234567890").as_deref(),
            Some("123456789012345678901234567890")
        );
        assert_eq!(
            round_trip(" [NaN, -Infinity] ").as_deref(),
            Some("[NaN, -Infinity]")
        );
    }

    #[test]
    fn refuses_what_python_refuses() {
        for bad in [
            "",
            "  ",
            "{bad",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "\"a\tb\"",
            "'a'",
            "1 2",
            "tru",
            "\"\\x\"",
            "-",
            "1e",
        ] {
            assert_eq!(loads(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(loads(&deep), None);
    }

    #[test]
    fn ascii_output_escapes_like_python() {
        let mut out = String::new();
        write_json_string(&mut out, "“x” 😀", true);
        assert_eq!(out, r#""\u201cx\u201d \ud83d\ude00""#);
    }
}
