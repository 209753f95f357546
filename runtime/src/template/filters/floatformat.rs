//! The `floatformat` filter: Django's decimal rounding of numbers for display.
//!
//! Input: the value's `str()` (so a float goes through Python's `repr`, as in
//! Django's `Decimal(str(value))`) and the optional argument (`"2"`, `"-3"`,
//! `"2g"`, `"u"`); output: the rounded number with `ROUND_HALF_UP`, digits
//! grouped by `,` with the `g` suffix.

use crate::template::display::{DjangoStr, float_repr};
use crate::template::escape::{SafeString, mark_safe};

use super::args::{AsPyNumber, PyNumber, parse_py_int};

/// A number as Python's `Decimal.as_tuple()` sees it.
#[derive(Debug, PartialEq)]
enum Decimal {
    /// `(-1)^negative × digits × 10^exponent`; `digits` has no leading zeros
    /// (except the single `0` of zero).
    Finite {
        negative: bool,
        digits: Vec<u8>,
        exponent: i64,
    },
    /// `NaN`, `sNaN` and the infinities.
    Special,
}

/// Python's `Decimal(text)`, or `None` where it raises `InvalidOperation`.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim_matches(super::args::is_py_space);
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity") {
        return Some(Decimal::Special);
    }
    for prefix in ["nan", "snan"] {
        if let Some(payload) = lower.strip_prefix(prefix) {
            return payload
                .bytes()
                .all(|byte| byte.is_ascii_digit())
                .then_some(Decimal::Special);
        }
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let exponent = match exponent {
        Some(exponent) => parse_digits_with_sign(exponent)?,
        None => 0,
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let whole = digits_with_underscores(whole)?;
    let fraction = digits_with_underscores(fraction)?;
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let exponent = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let mut digits: Vec<u8> = whole
        .into_iter()
        .chain(fraction)
        .skip_while(|&digit| digit == 0)
        .collect();
    if digits.is_empty() {
        digits.push(0);
    }
    Some(Decimal::Finite {
        negative,
        digits,
        exponent,
    })
}

/// ASCII digits with single underscores between them; `""` is allowed.
fn digits_with_underscores(text: &str) -> Option<Vec<u8>> {
    if text.starts_with('_') || text.ends_with('_') || text.contains("__") {
        return None;
    }
    text.bytes()
        .filter(|&byte| byte != b'_')
        .map(|byte| byte.is_ascii_digit().then_some(byte - b'0'))
        .collect()
}

fn parse_digits_with_sign(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digits_with_underscores(digits)?;
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for digit in digits {
        value = value.checked_mul(10)?.checked_add(i64::from(digit))?;
    }
    Some(if negative { -value } else { value })
}

/// The argument split into precision and the `g` (group thousands) flag; the
/// `u` (unlocalized) flag changes nothing in English.
fn parse_arg(arg: &str) -> (&str, bool) {
    let (rest, grouping) = if arg.ends_with("gu") || arg.ends_with("ug") {
        (&arg[..arg.len() - 2], true)
    } else if let Some(rest) = arg.strip_suffix('g') {
        (rest, true)
    } else if let Some(rest) = arg.strip_suffix('u') {
        (rest, false)
    } else {
        (arg, false)
    };
    (if rest.is_empty() { "-1" } else { rest }, grouping)
}

/// Inserts `,` every three digits of a run of integer digits.
fn group_thousands(int_part: &str) -> String {
    let mut out = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (index, ch) in int_part.chars().enumerate() {
        if index > 0 && (int_part.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `floatformat` (is_safe=True). `arg` `None` means `-1`: one decimal place,
/// shown only when needed.
///
/// Django's steps: `Decimal(str(value))`, else `Decimal(str(float(value)))`
/// (so `True` is `1`); a value that is not a number gives `""`,
/// an argument that is not an integer gives the value unchanged; a whole number
/// with `arg <= 0` shows without decimals; otherwise the value is quantized to
/// `abs(arg)` places with `ROUND_HALF_UP`.
pub fn floatformat<V: DjangoStr + AsPyNumber + ?Sized>(value: &V, arg: Option<&str>) -> SafeString {
    let (precision, grouping) = parse_arg(arg.unwrap_or("-1"));
    let number = value;
    let text = value.django_str();
    let value = text.as_ref();
    let as_float = || {
        let float = match number.py_number()? {
            PyNumber::Int(int) => int as f64,
            PyNumber::Float(float) => float,
        };
        parse_decimal(&float_repr(float))
    };
    let Some(decimal) = parse_decimal(value).or_else(as_float) else {
        return mark_safe("");
    };
    let Some(precision) = parse_py_int(precision) else {
        return mark_safe(value);
    };
    let Decimal::Finite {
        negative,
        mut digits,
        exponent,
    } = decimal
    else {
        return mark_safe(value);
    };
    if digits.len() as u64 + exponent.unsigned_abs() > 200 {
        return mark_safe(value);
    }
    // Python's Decimal context refuses exponents below -999999 (Django then
    // fails the render); the value is shown unchanged instead.
    if precision.unsigned_abs() > 999_999 {
        return mark_safe(value);
    }
    let places = precision.unsigned_abs() as i64;
    let fraction_digits = usize::try_from(-exponent).unwrap_or(0).min(digits.len());
    let is_whole = digits[digits.len() - fraction_digits..]
        .iter()
        .all(|&digit| digit == 0);
    let (int_part, fraction) = if is_whole && precision <= 0 {
        digits.truncate(digits.len() - fraction_digits);
        let mut int_part: String = digits
            .iter()
            .map(|&digit| char::from(b'0' + digit))
            .collect();
        int_part.extend(std::iter::repeat_n(
            '0',
            usize::try_from(exponent).unwrap_or(0),
        ));
        if int_part.is_empty() {
            int_part.push('0');
        }
        let int_part = int_part.trim_start_matches('0');
        let sign = if negative && !int_part.is_empty() {
            "-"
        } else {
            ""
        };
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        (format!("{sign}{int_part}"), String::new())
    } else {
        let rounded = quantize_half_up(digits, exponent, -places);
        let is_zero = rounded.iter().all(|&digit| digit == 0);
        let mut text: String = rounded
            .iter()
            .map(|&digit| char::from(b'0' + digit))
            .collect();
        let places = places as usize;
        if text.len() <= places {
            text = format!("{}{text}", "0".repeat(places + 1 - text.len()));
        }
        let fraction = text.split_off(text.len() - places);
        let sign = if negative && !is_zero { "-" } else { "" };
        (format!("{sign}{text}"), fraction)
    };
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", int_part.as_str()),
    };
    let digits = if grouping {
        group_thousands(digits)
    } else {
        digits.to_owned()
    };
    if fraction.is_empty() {
        mark_safe(format!("{sign}{digits}"))
    } else {
        mark_safe(format!("{sign}{digits}.{fraction}"))
    }
}

/// The coefficient of `digits × 10^exponent` quantized to `target` exponent
/// with `ROUND_HALF_UP` (halves away from zero).
fn quantize_half_up(mut digits: Vec<u8>, exponent: i64, target: i64) -> Vec<u8> {
    if exponent >= target {
        digits.extend(std::iter::repeat_n(0, (exponent - target) as usize));
        return digits;
    }
    let dropped = (target - exponent) as usize;
    if dropped > digits.len() {
        return vec![0];
    }
    let round_up = digits
        .get(digits.len() - dropped)
        .is_some_and(|&digit| digit >= 5);
    digits.truncate(digits.len() - dropped);
    if round_up {
        let mut index = digits.len();
        loop {
            if index == 0 {
                digits.insert(0, 1);
                break;
            }
            index -= 1;
            if digits[index] == 9 {
                digits[index] = 0;
            } else {
                digits[index] += 1;
                break;
            }
        }
    }
    if digits.is_empty() {
        digits.push(0);
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(value: &str, arg: &str) -> String {
        floatformat(value, Some(arg)).0
    }

    #[test]
    fn booleans_format_as_numbers() {
        assert_eq!(floatformat(&true, None).0, "1");
        assert_eq!(floatformat(&true, Some("x")).0, "True");
    }

    #[test]
    fn rounds_half_up_on_the_repr() {
        assert_eq!(format("1.005", "2"), "1.01");
        assert_eq!(format("34.23234", "-1"), "34.2");
        assert_eq!(format("34.00000", "-1"), "34");
        assert_eq!(format("34.26000", "-3"), "34.260");
        assert_eq!(format("-0.001", "2"), "0.00");
        assert_eq!(format("0.5", "0"), "1");
        assert_eq!(format("9.99", "1"), "10.0");
    }

    #[test]
    fn groups_and_fails_like_django() {
        assert_eq!(format("6666.6666", "2g"), "6,666.67");
        assert_eq!(format("10000", "g"), "10,000");
        assert_eq!(format("1e+16", "-1"), "10000000000000000");
        assert_eq!(format("abc", "2"), "");
        assert_eq!(format("1.5", "x"), "1.5");
        assert_eq!(format("nan", "2"), "nan");
    }

    #[test]
    fn parses_python_decimals() {
        assert_eq!(
            parse_decimal(" 0012.50 "),
            Some(Decimal::Finite {
                negative: false,
                digits: vec![1, 2, 5, 0],
                exponent: -2
            })
        );
        assert_eq!(parse_decimal("1e"), None);
        assert_eq!(parse_decimal("-Infinity"), Some(Decimal::Special));
    }
}
