//! String filters that reshape text: case, padding, slugs, word wrapping.
//!
//! Input: the value's `str()` (Django's `@stringfilter`) and typed arguments;
//! output: the new text. Lengths count Unicode code points, as Python does.

use std::borrow::Cow;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

use super::FilterError;
use super::args::{ToPyInt, is_py_space, py_split_whitespace, py_strip};

/// `addslashes` (is_safe=True): a backslash before `\`, `"` and `'`.
pub fn addslashes(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        if matches!(ch, '\\' | '"' | '\'') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// `capfirst` (is_safe=True): the first character upper-cased.
pub fn capfirst(value: &str) -> Cow<'_, str> {
    let mut chars = value.chars();
    match chars.next() {
        Some(first) if !first.is_uppercase() => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(value),
    }
}

/// `lower` (is_safe=True): Python's `str.lower()`.
pub fn lower(value: &str) -> String {
    value.to_lowercase()
}

/// `upper` (is_safe=False): Python's `str.upper()`.
pub fn upper(value: &str) -> String {
    value.to_uppercase()
}

/// The width argument of `ljust`, `rjust`, `center` and `wordwrap`: Python's
/// `int(arg)`, which fails the render when it raises.
fn width_arg<W: ToPyInt + ?Sized>(width: &W) -> Result<i64, FilterError> {
    width
        .to_py_int()
        .ok_or_else(|| FilterError::new("ValueError", "invalid literal for int() with base 10"))
}

fn pad(out: &mut String, count: usize) {
    out.extend(std::iter::repeat_n(' ', count));
}

/// Code points of `value` missing to reach `width` (never negative).
fn missing(value: &str, width: i64) -> usize {
    usize::try_from(width)
        .unwrap_or(0)
        .saturating_sub(value.chars().count())
}

/// `ljust` (is_safe=True): `value.ljust(width)`.
pub fn ljust<W: ToPyInt + ?Sized>(value: &str, width: &W) -> Result<String, FilterError> {
    let mut out = value.to_owned();
    pad(&mut out, missing(value, width_arg(width)?));
    Ok(out)
}

/// `rjust` (is_safe=True): `value.rjust(width)`.
pub fn rjust<W: ToPyInt + ?Sized>(value: &str, width: &W) -> Result<String, FilterError> {
    let mut out = String::new();
    pad(&mut out, missing(value, width_arg(width)?));
    out.push_str(value);
    Ok(out)
}

/// `center` (is_safe=True): `f"{value:^{width}}"`, the odd space on the right.
pub fn center<W: ToPyInt + ?Sized>(value: &str, width: &W) -> Result<String, FilterError> {
    let total = missing(value, width_arg(width)?);
    let mut out = String::new();
    pad(&mut out, total / 2);
    out.push_str(value);
    pad(&mut out, total - total / 2);
    Ok(out)
}

/// `cut` (is_safe=False): every occurrence of `arg` removed. The result is
/// safe when the input was safe and `arg` is not `";"`.
pub fn cut(value: &str, arg: &str) -> String {
    value.replace(arg, "")
}

/// `make_list` (is_safe=False): the characters as a list.
pub fn make_list(value: &str) -> Vec<String> {
    value.chars().map(String::from).collect()
}

/// `wordcount` (is_safe=False): `len(value.split())`.
pub fn wordcount(value: &str) -> usize {
    py_split_whitespace(value).count()
}

/// `slugify` (is_safe=True): NFKD to ASCII, lower case, only letters, digits,
/// `_`, `-` and white space kept, runs of `-`/white space made one `-`, and
/// `-`/`_` stripped from the ends.
pub fn slugify(value: &str) -> String {
    let ascii: String = value.nfkd().filter(char::is_ascii).collect();
    let mut slug = String::with_capacity(ascii.len());
    let mut in_separator = false;
    for ch in ascii.to_lowercase().chars() {
        if ch == '-' || is_py_space(ch) {
            in_separator = true;
        } else if ch.is_ascii_alphanumeric() || ch == '_' {
            if in_separator {
                slug.push('-');
                in_separator = false;
            }
            slug.push(ch);
        }
    }
    if in_separator {
        slug.push('-');
    }
    slug.trim_matches(['-', '_']).to_owned()
}

/// Python's `_PyUnicode_IsCased`: has the Lowercase or Uppercase property or
/// is a titlecase letter.
fn is_cased(ch: char) -> bool {
    ch.is_lowercase()
        || ch.is_uppercase()
        || get_general_category(ch) == GeneralCategory::TitlecaseLetter
}

/// Python's full titlecase mapping of one character, where it differs from the
/// upper-case mapping (digraphs and ligatures); `None` elsewhere.
fn special_titlecase(ch: char) -> Option<&'static str> {
    Some(match ch {
        'Ǆ' | 'ǅ' | 'ǆ' => "ǅ",
        'Ǉ' | 'ǈ' | 'ǉ' => "ǈ",
        'Ǌ' | 'ǋ' | 'ǌ' => "ǋ",
        'Ǳ' | 'ǲ' | 'ǳ' => "ǲ",
        'ß' => "Ss",
        'ﬀ' => "Ff",
        'ﬁ' => "Fi",
        'ﬂ' => "Fl",
        'ﬃ' => "Ffi",
        'ﬄ' => "Ffl",
        'ﬅ' | 'ﬆ' => "St",
        'և' => "Եւ",
        'ﬓ' => "Մն",
        'ﬔ' => "Մե",
        'ﬕ' => "Մի",
        'ﬖ' => "Վն",
        'ﬗ' => "Մխ",
        _ => return None,
    })
}

/// Python's `str.title()`: each cased character after an uncased one is
/// title-cased, the others lower-cased.
fn py_title(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut previous_is_cased = false;
    // Capital sigma lower-cases by context (final `ς`), in Python as in
    // `str::to_lowercase`, where it is the only contextual mapping: walk the
    // whole lower-cased text alongside to pick it up.
    let lowered = value.to_lowercase();
    let mut lowered_at = 0;
    for ch in value.chars() {
        let lower_len = if ch == 'Σ' {
            'σ'.len_utf8()
        } else {
            ch.to_lowercase().map(char::len_utf8).sum()
        };
        let lower = &lowered[lowered_at..lowered_at + lower_len];
        lowered_at += lower_len;
        if previous_is_cased {
            out.push_str(lower);
        } else if let Some(title) = special_titlecase(ch) {
            out.push_str(title);
        } else {
            out.extend(ch.to_uppercase());
        }
        previous_is_cased = is_cased(ch);
    }
    out
}

/// `title` (is_safe=True): Python's `str.title()`, then Django's fixes that
/// lower-case a letter after `x'` (`"o'neil"` → `"O'neil"`) and after a digit
/// (`"1st"` → `"1st"`).
pub fn title(value: &str) -> String {
    let titled: Vec<char> = py_title(value).chars().collect();
    // re.sub("([a-z])'([A-Z])", lower): non-overlapping, left to right.
    let mut fixed = Vec::with_capacity(titled.len());
    let mut index = 0;
    while index < titled.len() {
        if index + 2 < titled.len()
            && titled[index].is_ascii_lowercase()
            && titled[index + 1] == '\''
            && titled[index + 2].is_ascii_uppercase()
        {
            fixed.extend([titled[index], '\'', titled[index + 2].to_ascii_lowercase()]);
            index += 3;
        } else {
            fixed.push(titled[index]);
            index += 1;
        }
    }
    // re.sub(r"\d([A-Z])", lower): a decimal digit, then an ASCII capital.
    let mut out = String::with_capacity(value.len());
    let mut index = 0;
    while index < fixed.len() {
        let ch = fixed[index];
        out.push(ch);
        if is_decimal_digit(ch) && fixed.get(index + 1).is_some_and(char::is_ascii_uppercase) {
            out.push(fixed[index + 1].to_ascii_lowercase());
            index += 2;
        } else {
            index += 1;
        }
    }
    out
}

/// Python's `\d` in a str pattern: a Unicode decimal digit.
fn is_decimal_digit(ch: char) -> bool {
    get_general_category(ch) == GeneralCategory::DecimalNumber
}

/// `wordwrap` (is_safe=True): Django's `wrap`, Python's `textwrap` per line
/// with long words kept whole and existing line breaks preserved.
pub fn wordwrap<W: ToPyInt + ?Sized>(value: &str, width: &W) -> Result<String, FilterError> {
    let width = width_arg(width)?;
    if width <= 0 {
        return Err(FilterError::new(
            "ValueError",
            format!("invalid width {width} (must be > 0)"),
        ));
    }
    let width = width as usize;
    let mut lines: Vec<String> = Vec::new();
    for line in py_splitlines(value) {
        let wrapped = wrap_line(line, width);
        if wrapped.is_empty() {
            lines.push(line.to_owned());
        } else {
            lines.extend(wrapped);
        }
    }
    if value.ends_with('\n') {
        lines.push(String::new());
    }
    Ok(lines.join("\n"))
}

/// Python's `str.splitlines()`: splits on all Unicode line boundaries, `\r\n`
/// counting as one; no empty last line.
fn py_splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, ch)) = chars.next() {
        if matches!(
            ch,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        ) {
            lines.push(&text[start..index]);
            start = index + ch.len_utf8();
            if ch == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                chars.next();
                start += 1;
            }
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `str.expandtabs(8)`.
fn expand_tabs(line: &str) -> Cow<'_, str> {
    if !line.contains('\t') {
        return Cow::Borrowed(line);
    }
    let mut out = String::new();
    let mut column = 0;
    for ch in line.chars() {
        match ch {
            '\t' => {
                let spaces = 8 - column % 8;
                pad(&mut out, spaces);
                column += spaces;
            }
            '\n' | '\r' => {
                out.push(ch);
                column = 0;
            }
            _ => {
                out.push(ch);
                column += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// `textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False,
/// replace_whitespace=False).wrap(line)`.
fn wrap_line(line: &str, width: usize) -> Vec<String> {
    let expanded = expand_tabs(line);
    // Chunks alternate runs of ASCII white space and runs of anything else.
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut in_space: Option<bool> = None;
    for (index, ch) in expanded.char_indices() {
        let space = matches!(ch, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ');
        if in_space.is_some_and(|was| was != space) {
            chunks.push(&expanded[start..index]);
            start = index;
        }
        in_space = Some(space);
    }
    if start < expanded.len() {
        chunks.push(&expanded[start..]);
    }
    chunks.reverse();
    let length = |chunk: &str| chunk.chars().count();
    let is_blank = |chunk: &str| py_strip(chunk).is_empty();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut current: Vec<&str> = Vec::new();
        let mut current_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|chunk| is_blank(chunk)) {
            chunks.pop();
        }
        while let Some(&chunk) = chunks.last() {
            if current_len + length(chunk) <= width {
                current.push(chunk);
                current_len += length(chunk);
                chunks.pop();
            } else {
                break;
            }
        }
        if current.is_empty() && chunks.last().is_some_and(|chunk| length(chunk) > width) {
            current.extend(chunks.pop());
        }
        if current.last().is_some_and(|chunk| is_blank(chunk)) {
            current.pop();
        }
        if !current.is_empty() {
            lines.push(current.concat());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_applies_djangos_fixes() {
        assert_eq!(title("o'neil's 1st BOOK"), "O'Neil's 1st Book");
        assert_eq!(title("john's 2ND"), "John's 2nd");
        assert_eq!(title("straße ǆungla"), "Straße ǅungla");
        assert_eq!(title("ΣΑΣ ΣΑΣΑ"), "Σας Σασα");
    }

    #[test]
    fn slugify_transliterates_and_collapses() {
        assert_eq!(slugify(" Ünïcödé -- Text_ here! "), "unicode-text_-here");
        assert_eq!(slugify("日本語"), "");
    }

    #[test]
    fn wordwrap_keeps_long_words_and_newlines() {
        assert_eq!(
            wordwrap("a verylongword b\n\nc d", &4).unwrap(),
            "a\nverylongword\nb\n\nc d"
        );
        assert!(wordwrap("x", &0).is_err());
    }

    #[test]
    fn padding_counts_code_points() {
        assert_eq!(center("日本", &5).unwrap(), " 日本  ");
        assert_eq!(ljust("ab", "4").unwrap(), "ab  ");
        assert!(rjust("ab", "x").is_err());
    }
}
