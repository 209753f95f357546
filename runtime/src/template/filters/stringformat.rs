//! The `stringformat` filter: Python's printf-style `("%" + arg) % value`.
//!
//! Input: a value (its `str()`, `repr()` and, for numbers, its numeric value)
//! and a conversion like `"s"`, `"05d"`, `".2f"`, `"x"`, `"r"`; output: the
//! formatted text, or `""` where Python raises `TypeError`/`ValueError`.

use std::fmt::Write as _;

use crate::template::display::DjangoStr;

use super::args::{AsPyNumber, PyNumber};

/// A parsed `%` conversion specifier.
#[derive(Debug, Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    conversion: char,
}

/// Parses `[flags][width][.precision][length]conversion` at the start of
/// `arg`; returns the spec and the rest of the text.
fn parse_spec(arg: &str) -> Option<(Spec, &str)> {
    let mut spec = Spec::default();
    let mut chars = arg.char_indices().peekable();
    while let Some(&(_, ch)) = chars.peek() {
        match ch {
            '-' => spec.left = true,
            '+' => spec.plus = true,
            ' ' => spec.space = true,
            '#' => spec.alternate = true,
            '0' => spec.zero = true,
            _ => break,
        }
        chars.next();
    }
    let number = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        let mut value: Option<usize> = None;
        while let Some(&(_, ch)) = chars.peek() {
            let Some(digit) = ch.to_digit(10) else { break };
            value = Some(
                value
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(digit as usize),
            );
            chars.next();
        }
        value
    };
    spec.width = number(&mut chars).unwrap_or(0);
    if chars.peek().is_some_and(|&(_, ch)| ch == '.') {
        chars.next();
        spec.precision = Some(number(&mut chars).unwrap_or(0));
    }
    while chars
        .peek()
        .is_some_and(|&(_, ch)| matches!(ch, 'h' | 'l' | 'L'))
    {
        chars.next();
    }
    let (index, conversion) = chars.next()?;
    spec.conversion = conversion;
    Some((spec, &arg[index + conversion.len_utf8()..]))
}

/// `stringformat` (is_safe=True): `("%" + arg) % value`, `""` on failure.
pub fn stringformat<V: DjangoStr + AsPyNumber + ?Sized>(value: &V, arg: &str) -> String {
    let Some((spec, rest)) = parse_spec(arg) else {
        return String::new();
    };
    let Some(body) = convert(value, &spec) else {
        return String::new();
    };
    let mut out = body;
    // The rest is literal text; `%%` is a percent sign, any other `%` would
    // need a second value, which is an error.
    let mut chars = rest.chars();
    while let Some(ch) = chars.next() {
        if ch == '%' && chars.next() != Some('%') {
            return String::new();
        }
        out.push(ch);
    }
    out
}

/// Applies one conversion, padded to the width; `None` where Python raises.
fn convert<V: DjangoStr + AsPyNumber + ?Sized>(value: &V, spec: &Spec) -> Option<String> {
    let number = value.py_number();
    let (sign, digits, numeric) = match spec.conversion {
        's' | 'r' | 'a' => {
            let mut text = String::new();
            if spec.conversion == 's' {
                value.write_str(&mut text);
            } else {
                value.write_repr(&mut text);
            }
            if spec.conversion == 'a' {
                text = text.chars().fold(String::new(), |mut out, ch| {
                    match u32::from(ch) {
                        0..0x80 => out.push(ch),
                        code @ 0x80..=0xff => {
                            let _ = write!(out, "\\x{code:02x}");
                        }
                        code @ 0x100..=0xffff => {
                            let _ = write!(out, "\\u{code:04x}");
                        }
                        code => {
                            let _ = write!(out, "\\U{code:08x}");
                        }
                    }
                    out
                });
            }
            if let Some(precision) = spec.precision {
                text = text.chars().take(precision).collect();
            }
            (String::new(), text, false)
        }
        'c' => {
            let ch = match number {
                Some(PyNumber::Int(code)) => char::from_u32(u32::try_from(code).ok()?)?,
                _ => {
                    let text = value.django_str();
                    let mut chars = text.chars();
                    match (value.is_text(), chars.next(), chars.next()) {
                        (true, Some(ch), None) => ch,
                        _ => return None,
                    }
                }
            };
            (String::new(), ch.to_string(), false)
        }
        'd' | 'i' | 'u' => {
            let int = match number? {
                PyNumber::Int(int) => int,
                PyNumber::Float(float) if float.is_finite() => float.trunc() as i128,
                PyNumber::Float(_) => return None,
            };
            let mut digits = int.unsigned_abs().to_string();
            if let Some(precision) = spec.precision {
                digits = format!("{digits:0>precision$}");
            }
            (sign_of(int < 0, spec), digits, true)
        }
        'x' | 'X' | 'o' => {
            let Some(PyNumber::Int(int)) = number else {
                return None;
            };
            let magnitude = int.unsigned_abs();
            let mut digits = match spec.conversion {
                'x' => format!("{magnitude:x}"),
                'X' => format!("{magnitude:X}"),
                _ => format!("{magnitude:o}"),
            };
            if let Some(precision) = spec.precision {
                digits = format!("{digits:0>precision$}");
            }
            let mut sign = sign_of(int < 0, spec);
            if spec.alternate {
                sign.push_str(match spec.conversion {
                    'x' => "0x",
                    'X' => "0X",
                    _ => "0o",
                });
            }
            (sign, digits, true)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let float = match number? {
                PyNumber::Int(int) => int as f64,
                PyNumber::Float(float) => float,
            };
            let digits = format_float(float.abs(), spec);
            (
                sign_of(float.is_sign_negative() && !float.is_nan(), spec),
                digits,
                float.is_finite(),
            )
        }
        _ => return None,
    };
    Some(pad(spec, &sign, &digits, numeric))
}

/// The sign prefix: `-`, or `+`/space for positive numbers with those flags.
fn sign_of(negative: bool, spec: &Spec) -> String {
    if negative {
        "-".into()
    } else if spec.plus {
        "+".into()
    } else if spec.space {
        " ".into()
    } else {
        String::new()
    }
}

/// Pads to the width: left-justified with `-`, zero-filled after the sign for
/// numbers with `0`, otherwise right-justified with spaces.
fn pad(spec: &Spec, sign: &str, digits: &str, numeric: bool) -> String {
    let len = sign.chars().count() + digits.chars().count();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        format!("{sign}{digits}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{sign}{digits}", " ".repeat(fill))
    }
}

/// `%e`, `%f`, `%g` of a non-negative float (Python's `float.__format__`
/// rules, correctly rounded).
fn format_float(x: f64, spec: &Spec) -> String {
    let upper = spec.conversion.is_ascii_uppercase();
    if x.is_nan() || x.is_infinite() {
        let text = if x.is_nan() { "nan" } else { "inf" };
        return if upper {
            text.to_uppercase()
        } else {
            text.to_owned()
        };
    }
    let precision = spec.precision.unwrap_or(6);
    let text = match spec.conversion.to_ascii_lowercase() {
        'f' => {
            let mut text = format!("{x:.precision$}");
            if spec.alternate && precision == 0 {
                text.push('.');
            }
            text
        }
        'e' => exponent_form(x, precision, spec.alternate),
        _ => {
            let precision = precision.max(1);
            let exponent = if x == 0.0 {
                0
            } else {
                let rounded = format!("{x:.*e}", precision - 1);
                rounded
                    .split_once('e')
                    .and_then(|(_, exponent)| exponent.parse::<i32>().ok())
                    .unwrap_or(0)
            };
            let mut text = if -4 <= exponent && exponent < precision as i32 {
                let decimals = (precision as i32 - 1 - exponent) as usize;
                format!("{x:.decimals$}")
            } else {
                exponent_form(x, precision - 1, spec.alternate)
            };
            if !spec.alternate {
                text = strip_fraction_zeros(&text);
            }
            text
        }
    };
    if upper { text.to_uppercase() } else { text }
}

/// `1.234560e+03`: Rust's exponent form with Python's signed, two-digit
/// exponent.
fn exponent_form(x: f64, precision: usize, alternate: bool) -> String {
    let rust = format!("{x:.precision$e}");
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((&rust, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let dot = if alternate && precision == 0 { "." } else { "" };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}{dot}e{sign}{:02}", exponent.unsigned_abs())
}

/// `%g` without `#`: trailing zeros of the fraction, and a bare `.`, removed.
fn strip_fraction_zeros(text: &str) -> String {
    let (mantissa, exponent) = match text.find('e') {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_percent() {
        assert_eq!(stringformat(&42_i64, "05d"), "00042");
        assert_eq!(stringformat(&-42_i64, "05d"), "-0042");
        assert_eq!(stringformat(&255_i64, "x"), "ff");
        assert_eq!(stringformat(&255_i64, "#X"), "0XFF");
        assert_eq!(stringformat(&1.005_f64, ".2f"), "1.00");
        assert_eq!(stringformat(&1234.5_f64, "e"), "1.234500e+03");
        assert_eq!(stringformat(&0.00001234_f64, "g"), "1.234e-05");
        assert_eq!(stringformat(&100000.0_f64, "g"), "100000");
        assert_eq!(stringformat(&1e6_f64, "g"), "1e+06");
        assert_eq!(stringformat("abc", "5s"), "  abc");
        assert_eq!(stringformat("abc", "-5s|"), "abc  |");
        assert_eq!(stringformat("abc", "r"), "'abc'");
        assert_eq!(stringformat("abc", "d"), "");
        assert_eq!(stringformat(&3.7_f64, "d"), "3");
        assert_eq!(stringformat(&1_i64, "s%%"), "1%");
        assert_eq!(stringformat(&1_i64, "s %s"), "");
    }
}
