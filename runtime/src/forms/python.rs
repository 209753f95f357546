//! Python's text-to-number conversions, which Django's form fields call.
//!
//! Input: submitted text. Output: what Python's `str.strip()`, `int()`,
//! `float()` and `decimal.Decimal()` make of it, so a value Django accepts
//! is accepted here and one it refuses is refused: surrounding white space
//! (Python's definition), `_` between digits, and any Unicode decimal digit
//! (`١٢٣` is 123).

use unicode_general_category::{GeneralCategory, get_general_category};

/// Python's `str.isspace()` for one character: Unicode white space plus the
/// information separators U+001C–U+001F.
pub(crate) fn is_py_space(ch: char) -> bool {
    ch.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&ch)
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

/// The value of a Unicode decimal digit (general category Nd), as Python's
/// `int()` reads it; `None` for anything else.
pub(crate) fn digit_value(ch: char) -> Option<u32> {
    if ch.is_ascii_digit() {
        return Some(ch as u32 - '0' as u32);
    }
    if ch.is_ascii() || get_general_category(ch) != GeneralCategory::DecimalNumber {
        return None;
    }
    // Decimal digits come in runs of whole blocks of ten, each starting at zero.
    let mut start = ch as u32;
    while let Some(previous) = start.checked_sub(1).and_then(char::from_u32) {
        if get_general_category(previous) != GeneralCategory::DecimalNumber {
            break;
        }
        start -= 1;
    }
    Some((ch as u32 - start) % 10)
}

/// ASCII digits for a run of Python digits with `_` allowed only between
/// two digits; `None` if the run is empty or breaks a rule.
fn digits_with_underscores(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut previous_was_digit = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '_' {
            let next_is_digit = chars
                .peek()
                .is_some_and(|next| digit_value(*next).is_some());
            if !previous_was_digit || !next_is_digit {
                return None;
            }
            previous_was_digit = false;
            continue;
        }
        let digit = digit_value(ch)?;
        out.push(char::from_digit(digit, 10)?);
        previous_was_digit = true;
    }
    (!out.is_empty()).then_some(out)
}

/// Python refuses to convert integers longer than this many digits
/// (`sys.get_int_max_str_digits()`).
const INT_MAX_STR_DIGITS: usize = 4300;

/// An integer of any size as Python's `int(text)` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyInt {
    /// Whether the value is below zero.
    pub(crate) negative: bool,
    /// ASCII digits without leading zeros (`"0"` for zero).
    pub(crate) digits: String,
}

impl PyInt {
    /// The value as an `i64`, if it fits.
    pub(crate) fn to_i64(&self) -> Option<i64> {
        if self.digits.len() > 19 {
            return None;
        }
        let magnitude: i128 = self.digits.parse().ok()?;
        let value = if self.negative { -magnitude } else { magnitude };
        i64::try_from(value).ok()
    }

    /// Whether the value is below `limit`.
    pub(crate) fn less_than(&self, limit: i64) -> bool {
        match self.to_i64() {
            Some(value) => value < limit,
            None => self.negative,
        }
    }

    /// Whether the value is above `limit`.
    pub(crate) fn greater_than(&self, limit: i64) -> bool {
        match self.to_i64() {
            Some(value) => value > limit,
            None => !self.negative,
        }
    }
}

/// Python's `int(text)`: white space around, an optional sign, decimal
/// digits with single `_` between them.
pub(crate) fn parse_int(text: &str) -> Option<PyInt> {
    let text = py_strip(text);
    let (negative, unsigned) = split_sign(text);
    let digits = digits_with_underscores(unsigned)?;
    if digits.len() > INT_MAX_STR_DIGITS {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    Some(PyInt {
        negative: negative && digits != "0",
        digits: digits.to_owned(),
    })
}

fn split_sign(text: &str) -> (bool, &str) {
    if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else {
        (false, text)
    }
}

/// Django's `IntegerField.to_python` on text: a trailing `.000` (and white
/// space after it) is dropped, then Python's `int()`.
pub(crate) fn parse_django_int(text: &str) -> Option<PyInt> {
    let text = match text.rfind('.') {
        Some(point)
            if text[point + 1..]
                .trim_start_matches('0')
                .chars()
                .all(is_py_space) =>
        {
            &text[..point]
        }
        _ => text,
    };
    parse_int(text)
}

/// Splits `[sign] mantissa [e[sign]digits]` into its ASCII parts, each run of
/// digits checked for `_` placement; `None` if the text is not a number.
struct NumberParts {
    negative: bool,
    integer: String,
    fraction: String,
    exponent: Option<(bool, String)>,
}

fn number_parts(text: &str) -> Option<NumberParts> {
    let (negative, unsigned) = split_sign(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let integer = if integer.is_empty() {
        String::new()
    } else {
        digits_with_underscores(integer)?
    };
    let fraction = match fraction {
        Some(fraction) if !fraction.is_empty() => digits_with_underscores(fraction)?,
        _ => String::new(),
    };
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let exponent = match exponent {
        Some(exponent) => {
            let (negative, digits) = split_sign(exponent);
            Some((negative, digits_with_underscores(digits)?))
        }
        None => None,
    };
    Some(NumberParts {
        negative,
        integer,
        fraction,
        exponent,
    })
}

/// Python's `float(text)`; infinities and NaN included (Django's
/// `FloatField` refuses those afterwards).
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    let text = py_strip(text);
    let (negative, unsigned) = split_sign(text);
    let lower = unsigned.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(value) = special {
        return Some(if negative { -value } else { value });
    }
    let parts = number_parts(text)?;
    let mut ascii = String::with_capacity(text.len());
    if parts.negative {
        ascii.push('-');
    }
    ascii.push_str(if parts.integer.is_empty() {
        "0"
    } else {
        &parts.integer
    });
    if !parts.fraction.is_empty() {
        ascii.push('.');
        ascii.push_str(&parts.fraction);
    }
    if let Some((negative, digits)) = &parts.exponent {
        ascii.push('e');
        if *negative {
            ascii.push('-');
        }
        // Huge exponents overflow to infinity or zero, as in Python.
        let digits = digits.trim_start_matches('0');
        ascii.push_str(if digits.len() > 6 {
            "999999"
        } else if digits.is_empty() {
            "0"
        } else {
            digits
        });
    }
    ascii.parse().ok()
}

/// A value as Python's `decimal.Decimal(text)` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PyDecimal {
    /// `coefficient × 10^exponent`.
    Finite {
        /// Whether the sign is negative (kept for `-0`).
        negative: bool,
        /// ASCII digits without leading zeros (`"0"` for zero).
        coefficient: String,
        /// The power of ten of the last digit.
        exponent: i64,
    },
    /// `Infinity`, `NaN` or `sNaN`.
    NotFinite,
}

/// Python's `decimal.Decimal(text)`.
pub(crate) fn parse_decimal(text: &str) -> Option<PyDecimal> {
    let text = py_strip(text);
    let (_, unsigned) = split_sign(text);
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(PyDecimal::NotFinite);
    }
    for nan in ["snan", "nan"] {
        if let Some(payload) = lower.strip_prefix(nan) {
            if payload.is_empty() || digits_with_underscores(payload).is_some() {
                return Some(PyDecimal::NotFinite);
            }
            return None;
        }
    }
    let parts = number_parts(text)?;
    let mut exponent: i64 = match &parts.exponent {
        Some((negative, digits)) => {
            let digits = digits.trim_start_matches('0');
            // Beyond 10^18 the value is far outside any field anyway.
            let magnitude: i64 = if digits.len() > 18 {
                i64::MAX / 4
            } else if digits.is_empty() {
                0
            } else {
                digits.parse().ok()?
            };
            if *negative { -magnitude } else { magnitude }
        }
        None => 0,
    };
    exponent -= i64::try_from(parts.fraction.len()).ok()?;
    let all_digits = format!("{}{}", parts.integer, parts.fraction);
    let coefficient = all_digits.trim_start_matches('0');
    Some(PyDecimal::Finite {
        negative: parts.negative,
        coefficient: if coefficient.is_empty() {
            "0".to_owned()
        } else {
            coefficient.to_owned()
        },
        exponent,
    })
}

/// Python's `str(Decimal)` of canonical decimal text (`"0.0000001"` is
/// `"1E-7"`): scientific notation when the exponent is positive or the
/// value's adjusted exponent is below -6.
pub(crate) fn decimal_str(text: &str) -> String {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{integer}{fraction}");
    let coefficient = digits.trim_start_matches('0');
    let coefficient = if coefficient.is_empty() {
        "0"
    } else {
        coefficient
    };
    let exponent = -(fraction.len() as i64);
    let adjusted = exponent + coefficient.len() as i64 - 1;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if exponent <= 0 && adjusted >= -6 {
        out.push_str(text.trim_start_matches('-'));
        return out;
    }
    out.push_str(&coefficient[..1]);
    if coefficient.len() > 1 {
        out.push('.');
        out.push_str(&coefficient[1..]);
    }
    out.push('E');
    if adjusted >= 0 {
        out.push('+');
    }
    out.push_str(&adjusted.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(text: &str) -> Option<i64> {
        parse_int(text).and_then(|value| value.to_i64())
    }

    #[test]
    fn ints_read_like_python() {
        assert_eq!(int(" 12 "), Some(12));
        assert_eq!(int("+3"), Some(3));
        assert_eq!(int("-0"), Some(0));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("١٢٣"), Some(123));
        assert_eq!(int("𝟗"), Some(9));
        for bad in [
            "", " ", "1__0", "_1", "1_", "1.0", "0x10", "1e3", "--1", "+",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
        let huge = parse_int("-99999999999999999999").unwrap();
        assert!(huge.less_than(i64::MIN) && !huge.greater_than(0));
    }

    #[test]
    fn django_ints_drop_a_zero_fraction() {
        assert_eq!(parse_django_int("1.00  ").and_then(|v| v.to_i64()), Some(1));
        assert_eq!(parse_django_int("1.").and_then(|v| v.to_i64()), Some(1));
        assert_eq!(parse_django_int("1.5"), None);
        assert_eq!(parse_django_int(".0"), None);
        assert_eq!(parse_django_int("1.0 0"), None);
    }

    #[test]
    fn floats_and_decimals_read_like_python() {
        assert_eq!(parse_float(" 1_0.5 "), Some(10.5));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("5."), Some(5.0));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float("1e999"), Some(f64::INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        for bad in ["", ".", "e5", "1e", "1_.5", "abc", "0x1"] {
            assert_eq!(parse_float(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_decimal("00001.50"),
            Some(PyDecimal::Finite {
                negative: false,
                coefficient: "150".into(),
                exponent: -2
            })
        );
        assert_eq!(
            parse_decimal("1E+2"),
            Some(PyDecimal::Finite {
                negative: false,
                coefficient: "1".into(),
                exponent: 2
            })
        );
        assert_eq!(parse_decimal("sNaN12"), Some(PyDecimal::NotFinite));
        assert_eq!(parse_decimal("  "), None);
    }

    #[test]
    fn decimal_str_switches_to_exponents_like_python() {
        assert_eq!(decimal_str("0.0000001"), "1E-7");
        assert_eq!(decimal_str("0.0000010"), "0.0000010");
        assert_eq!(decimal_str("1234.50"), "1234.50");
        assert_eq!(decimal_str("-0.00000012"), "-1.2E-7");
        assert_eq!(decimal_str("0"), "0");
    }
}
