//! Python conversions that filters apply to their values and arguments:
//! `int(x)`, `float(x)`, and `str.isspace()`.
//!
//! Input: a typed value or argument; output: the Python conversion's result,
//! or `None` where Python raises.

/// A value Python's `int()` accepts (`int("12")`, `int(3.9)`, `int(True)`).
pub trait ToPyInt {
    /// Python's `int(value)`, or `None` where it raises (or overflows `i64`).
    fn to_py_int(&self) -> Option<i64>;
}

macro_rules! int_args {
    ($($int:ty),*) => {$(
        impl ToPyInt for $int {
            fn to_py_int(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
        }
    )*};
}

int_args!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl ToPyInt for f64 {
    fn to_py_int(&self) -> Option<i64> {
        let truncated = self.trunc();
        // i64::MAX as f64 rounds up to 2^63, which is already out of range.
        (self.is_finite() && truncated >= i64::MIN as f64 && truncated < i64::MAX as f64)
            .then_some(truncated as i64)
    }
}

impl ToPyInt for bool {
    fn to_py_int(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl ToPyInt for str {
    fn to_py_int(&self) -> Option<i64> {
        parse_py_int(self)
    }
}

impl ToPyInt for String {
    fn to_py_int(&self) -> Option<i64> {
        parse_py_int(self)
    }
}

impl<T: ToPyInt + ?Sized> ToPyInt for &T {
    fn to_py_int(&self) -> Option<i64> {
        (**self).to_py_int()
    }
}

/// A Python number (`int`, `bool` or `float`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PyNumber {
    /// An `int` (or `bool`).
    Int(i128),
    /// A `float`.
    Float(f64),
}

/// A value that may be a Python number: `stringformat`'s numeric conversions
/// and `floatformat`'s `float(value)` fallback use it.
pub trait AsPyNumber {
    /// The value as a Python number, or `None` for other types (text too).
    fn py_number(&self) -> Option<PyNumber> {
        None
    }
}

macro_rules! int_values {
    ($($int:ty),*) => {$(
        impl AsPyNumber for $int {
            fn py_number(&self) -> Option<PyNumber> {
                i128::try_from(*self).ok().map(PyNumber::Int)
            }
        }
    )*};
}

int_values!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl AsPyNumber for bool {
    fn py_number(&self) -> Option<PyNumber> {
        Some(PyNumber::Int(i128::from(*self)))
    }
}

impl AsPyNumber for f64 {
    fn py_number(&self) -> Option<PyNumber> {
        Some(PyNumber::Float(*self))
    }
}

impl AsPyNumber for str {}
impl AsPyNumber for String {}
impl AsPyNumber for std::borrow::Cow<'_, str> {}
impl<T> AsPyNumber for [T] {}
impl<T> AsPyNumber for Vec<T> {}
impl AsPyNumber for jiff::civil::Date {}
impl AsPyNumber for jiff::civil::DateTime {}
impl AsPyNumber for jiff::civil::Time {}

impl<T: AsPyNumber> AsPyNumber for Option<T> {
    fn py_number(&self) -> Option<PyNumber> {
        self.as_ref().and_then(AsPyNumber::py_number)
    }
}

impl<T: AsPyNumber + ?Sized> AsPyNumber for &T {
    fn py_number(&self) -> Option<PyNumber> {
        (**self).py_number()
    }
}

/// Python's `str.isspace()` for one character: Unicode white space plus the
/// ASCII separators `\x1c`–`\x1f`.
pub fn is_py_space(ch: char) -> bool {
    ch.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&ch)
}

/// Python's `str.strip()` with no argument.
pub fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

/// Python's `str.split()` with no argument: runs of white space separate
/// words, and leading or trailing white space gives no empty words.
pub fn py_split_whitespace(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space).filter(|word| !word.is_empty())
}

/// Python's `int(text)` for a string: surrounding white space, an optional
/// sign, decimal digits with single underscores between them.
pub fn parse_py_int(text: &str) -> Option<i64> {
    let text = py_strip(text);
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for ch in digits.chars().filter(|&ch| ch != '_') {
        let digit = i64::from(ch.to_digit(10)?);
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_python_int() {
        assert_eq!(parse_py_int(" -12 "), Some(-12));
        assert_eq!(parse_py_int("1_000"), Some(1000));
        assert_eq!(parse_py_int("1__0"), None);
        assert_eq!(parse_py_int("1.5"), None);
        assert_eq!(parse_py_int(""), None);
        assert_eq!(3.9_f64.to_py_int(), Some(3));
        assert_eq!((-3.9_f64).to_py_int(), Some(-3));
        assert_eq!(f64::NAN.to_py_int(), None);
    }

    #[test]
    fn splits_on_python_whitespace() {
        let words: Vec<_> = py_split_whitespace(" a\u{1f}b\u{3000}c ").collect();
        assert_eq!(words, ["a", "b", "c"]);
    }
}
