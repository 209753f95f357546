//! Exact decimals as text: the canonical form of `decimal` values.
//!
//! Input: decimal text from a form, a literal, SQLite (text, integer or real
//! storage) or PostgreSQL's `numeric`. Output: one canonical spelling —
//! an optional `-`, integer digits without leading zeros (at least one
//! digit), and the fraction digits as given, so the scale (`9.90` in a
//! `decimal(10, 2)`) is kept.
//!
//! Why text rather than a fixed-width decimal type: `decimal(DIGITS, PLACES)`
//! accepts any precision (PostgreSQL's `numeric` goes to 1000 digits,
//! `rust_decimal` stops at 28), the runtime does no decimal arithmetic (sums
//! run in SQL), and every consumer — templates (`floatformat` parses text),
//! JSON output (decimals are strings, as in Django REST Framework), form
//! validation — starts from text. Text keeps the value exact end to end.

/// The canonical form of decimal `text`, or `None` if it is not
/// `[+-]digits[.digits]` (at least one digit on either side of the point;
/// no exponent, no spaces, no NaN or infinity).
///
/// ```
/// use djinn_runtime::db::normalize_decimal;
///
/// assert_eq!(normalize_decimal("+007.50").as_deref(), Some("7.50"));
/// assert_eq!(normalize_decimal("-.5").as_deref(), Some("-0.5"));
/// assert_eq!(normalize_decimal("-0.00").as_deref(), Some("0.00"));
/// assert_eq!(normalize_decimal("1e5"), None);
/// ```
pub fn normalize_decimal(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let fraction_text = fraction.unwrap_or_default();
    if !all_digits(integer)
        || !all_digits(fraction_text)
        || (integer.is_empty() && fraction_text.is_empty())
    {
        return None;
    }
    let integer = integer.trim_start_matches('0');
    let is_zero = integer.is_empty() && fraction_text.bytes().all(|byte| byte == b'0');
    let mut canonical = String::with_capacity(text.len() + 1);
    if negative && !is_zero {
        canonical.push('-');
    }
    canonical.push_str(if integer.is_empty() { "0" } else { integer });
    if !fraction_text.is_empty() {
        canonical.push('.');
        canonical.push_str(fraction_text);
    }
    Some(canonical)
}

/// The decimal a finite float stands for, in its shortest round-trip
/// spelling (`9.99`, not `9.9900000000000002131628…`); `None` for NaN and
/// infinities. SQLite stores `NUMERIC` columns holding fractions as reals.
pub(crate) fn decimal_from_f64(value: f64) -> Option<String> {
    // Rust's `Display` for floats is the shortest round-trip form and never
    // uses an exponent, so the result is plain decimal text.
    value
        .is_finite()
        .then(|| normalize_decimal(&value.to_string()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_keeps_scale_and_drops_noise() {
        let cases = [
            ("0", "0"),
            ("000", "0"),
            ("9.90", "9.90"),
            ("+1", "1"),
            ("-12.340", "-12.340"),
            ("-0", "0"),
            ("-000.000", "0.000"),
            (".25", "0.25"),
            ("5.", "5"),
            (
                "123456789012345678901234567890.0000000001",
                "123456789012345678901234567890.0000000001",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_decimal(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn anything_but_plain_digits_is_rejected() {
        for input in [
            "", "-", ".", "+.", "1e5", "1.2.3", " 1", "1 ", "NaN", "inf", "1,5", "١",
        ] {
            assert_eq!(normalize_decimal(input), None, "{input:?}");
        }
    }

    #[test]
    fn floats_become_their_shortest_spelling() {
        assert_eq!(decimal_from_f64(9.99).as_deref(), Some("9.99"));
        assert_eq!(decimal_from_f64(-0.5).as_deref(), Some("-0.5"));
        assert_eq!(decimal_from_f64(10.0).as_deref(), Some("10"));
        assert_eq!(
            decimal_from_f64(1e21).as_deref(),
            Some("1000000000000000000000")
        );
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(f64::INFINITY), None);
    }
}
