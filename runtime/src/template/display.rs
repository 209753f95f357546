//! Python's `str()`, `repr()` and `bool()` of template values, and what
//! `{{ value }}` shows (Django's `localize`).
//!
//! Input: a concrete Rust value (`&str`, integers, `f64`, `bool`, `Option<T>`,
//! slices, `jiff` civil dates and times, [`Safe<T>`]); output: its text appended
//! to a `String`, byte for byte as Python and Django produce it.

use std::borrow::Cow;
use std::fmt::Write as _;

use jiff::civil::{Date, DateTime, Time};
use unicode_general_category::{GeneralCategory, get_general_category};

use super::escape::Safe;
use super::filters::dates::{Temporal, format_named};

/// A value as Django's templates see it: its Python `str()`, `repr()` and
/// rendered form.
pub trait DjangoStr {
    /// Appends Python's `str(value)`: what string filters (`upper`, `cut`, …)
    /// receive.
    fn write_str(&self, out: &mut String);

    /// Appends Python's `repr(value)`: how the value shows inside a list.
    fn write_repr(&self, out: &mut String);

    /// Appends what `{{ value }}` shows before escaping: Django's `localize`,
    /// which differs from `str()` for floats in exponent form and for dates.
    fn write_localized(&self, out: &mut String) {
        self.write_str(out);
    }

    /// Whether the value is marked safe (Django's `SafeData`): autoescaping
    /// leaves it alone.
    fn is_html_safe(&self) -> bool {
        false
    }

    /// Whether the value is a Python `str` (some filters treat text and other
    /// values differently).
    fn is_text(&self) -> bool {
        false
    }

    /// Python's `str(value)`, borrowed when the value already is text.
    fn django_str(&self) -> Cow<'_, str> {
        let mut out = String::new();
        self.write_str(&mut out);
        Cow::Owned(out)
    }
}

/// Python's truthiness (`bool(value)`), used by `{% if %}`, `default` and
/// `yesno`.
pub trait Truthy {
    /// `bool(value)`: false for `0`, `0.0`, `""`, `[]`, `None` and `False`.
    fn is_truthy(&self) -> bool;
}

impl DjangoStr for str {
    fn write_str(&self, out: &mut String) {
        out.push_str(self);
    }
    fn is_text(&self) -> bool {
        true
    }
    fn write_repr(&self, out: &mut String) {
        write_str_repr(out, self);
    }
    fn django_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Truthy for str {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl DjangoStr for String {
    fn write_str(&self, out: &mut String) {
        out.push_str(self);
    }
    fn is_text(&self) -> bool {
        true
    }
    fn write_repr(&self, out: &mut String) {
        write_str_repr(out, self);
    }
    fn django_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Truthy for String {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl DjangoStr for Cow<'_, str> {
    fn write_str(&self, out: &mut String) {
        out.push_str(self);
    }
    fn is_text(&self) -> bool {
        true
    }
    fn write_repr(&self, out: &mut String) {
        write_str_repr(out, self);
    }
    fn django_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Truthy for Cow<'_, str> {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T: DjangoStr + ?Sized> DjangoStr for &T {
    fn write_str(&self, out: &mut String) {
        (**self).write_str(out);
    }
    fn write_repr(&self, out: &mut String) {
        (**self).write_repr(out);
    }
    fn write_localized(&self, out: &mut String) {
        (**self).write_localized(out);
    }
    fn is_html_safe(&self) -> bool {
        (**self).is_html_safe()
    }
    fn is_text(&self) -> bool {
        (**self).is_text()
    }
    fn django_str(&self) -> Cow<'_, str> {
        (**self).django_str()
    }
}

impl<T: Truthy + ?Sized> Truthy for &T {
    fn is_truthy(&self) -> bool {
        (**self).is_truthy()
    }
}

impl<T: DjangoStr> DjangoStr for Safe<T> {
    fn write_str(&self, out: &mut String) {
        self.0.write_str(out);
    }
    fn write_repr(&self, out: &mut String) {
        self.0.write_repr(out);
    }
    fn write_localized(&self, out: &mut String) {
        self.0.write_localized(out);
    }
    fn is_html_safe(&self) -> bool {
        true
    }
    fn is_text(&self) -> bool {
        self.0.is_text()
    }
    fn django_str(&self) -> Cow<'_, str> {
        self.0.django_str()
    }
}

impl<T: Truthy> Truthy for Safe<T> {
    fn is_truthy(&self) -> bool {
        self.0.is_truthy()
    }
}

macro_rules! integer_values {
    ($($int:ty),*) => {$(
        impl DjangoStr for $int {
            fn write_str(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
            fn write_repr(&self, out: &mut String) {
                self.write_str(out);
            }
        }

        impl Truthy for $int {
            fn is_truthy(&self) -> bool {
                *self != 0
            }
        }
    )*};
}

integer_values!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl DjangoStr for f64 {
    fn write_str(&self, out: &mut String) {
        write_float_repr(out, *self);
    }
    fn write_repr(&self, out: &mut String) {
        write_float_repr(out, *self);
    }
    fn write_localized(&self, out: &mut String) {
        write_float_localized(out, *self);
    }
}

impl Truthy for f64 {
    fn is_truthy(&self) -> bool {
        *self != 0.0
    }
}

impl DjangoStr for bool {
    fn write_str(&self, out: &mut String) {
        out.push_str(if *self { "True" } else { "False" });
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

impl Truthy for bool {
    fn is_truthy(&self) -> bool {
        *self
    }
}

/// `None` is Python's `None`; `Some(value)` is the value itself.
impl<T: DjangoStr> DjangoStr for Option<T> {
    fn write_str(&self, out: &mut String) {
        match self {
            Some(value) => value.write_str(out),
            None => out.push_str("None"),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            Some(value) => value.write_repr(out),
            None => out.push_str("None"),
        }
    }
    fn write_localized(&self, out: &mut String) {
        match self {
            Some(value) => value.write_localized(out),
            None => out.push_str("None"),
        }
    }
    fn is_html_safe(&self) -> bool {
        self.as_ref().is_some_and(DjangoStr::is_html_safe)
    }
    fn is_text(&self) -> bool {
        self.as_ref().is_some_and(DjangoStr::is_text)
    }
    fn django_str(&self) -> Cow<'_, str> {
        match self {
            Some(value) => value.django_str(),
            None => Cow::Borrowed("None"),
        }
    }
}

impl<T: Truthy> Truthy for Option<T> {
    fn is_truthy(&self) -> bool {
        self.as_ref().is_some_and(Truthy::is_truthy)
    }
}

/// A slice is a Python list: `['a', 1, None]`.
impl<T: DjangoStr> DjangoStr for [T] {
    fn write_str(&self, out: &mut String) {
        out.push('[');
        for (index, item) in self.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            item.write_repr(out);
        }
        out.push(']');
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

impl<T> Truthy for [T] {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T: DjangoStr> DjangoStr for Vec<T> {
    fn write_str(&self, out: &mut String) {
        self.as_slice().write_str(out);
    }
    fn write_repr(&self, out: &mut String) {
        self.as_slice().write_str(out);
    }
}

impl<T> Truthy for Vec<T> {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

/// `datetime.date`: `str()` is ISO `2024-03-05`; `{{ }}` shows `DATE_FORMAT`.
impl DjangoStr for Date {
    fn write_str(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        );
    }
    fn write_repr(&self, out: &mut String) {
        let _ = write!(
            out,
            "datetime.date({}, {}, {})",
            self.year(),
            self.month(),
            self.day()
        );
    }
    fn write_localized(&self, out: &mut String) {
        out.push_str(&format_named(&Temporal::Date(*self), "DATE_FORMAT"));
    }
}

/// `datetime.datetime` (naive): `str()` is `2024-03-05 14:30:00[.ffffff]`;
/// `{{ }}` shows `DATETIME_FORMAT`.
impl DjangoStr for DateTime {
    fn write_str(&self, out: &mut String) {
        self.date().write_str(out);
        out.push(' ');
        self.time().write_str(out);
    }
    fn write_repr(&self, out: &mut String) {
        let _ = write!(
            out,
            "datetime.datetime({}, {}, {}, {}, {}",
            self.year(),
            self.month(),
            self.day(),
            self.hour(),
            self.minute()
        );
        write_time_repr_tail(out, &self.time());
    }
    fn write_localized(&self, out: &mut String) {
        out.push_str(&format_named(&Temporal::DateTime(*self), "DATETIME_FORMAT"));
    }
}

/// `datetime.time`: `str()` is `14:30:00[.ffffff]`; `{{ }}` shows `TIME_FORMAT`.
impl DjangoStr for Time {
    fn write_str(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            self.hour(),
            self.minute(),
            self.second()
        );
        let micros = microsecond(self);
        if micros != 0 {
            let _ = write!(out, ".{micros:06}");
        }
    }
    fn write_repr(&self, out: &mut String) {
        let _ = write!(out, "datetime.time({}, {}", self.hour(), self.minute());
        write_time_repr_tail(out, self);
    }
    fn write_localized(&self, out: &mut String) {
        out.push_str(&format_named(&Temporal::Time(*self), "TIME_FORMAT"));
    }
}

/// Dates, datetimes and times are always true in Python.
impl Truthy for Date {
    fn is_truthy(&self) -> bool {
        true
    }
}

impl Truthy for DateTime {
    fn is_truthy(&self) -> bool {
        true
    }
}

impl Truthy for Time {
    fn is_truthy(&self) -> bool {
        true
    }
}

/// A value of one of two types, for filters whose result is either the value
/// or something else (`default`, `first` on an empty list, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Either<L, R> {
    /// The first kind.
    Left(L),
    /// The second kind.
    Right(R),
}

impl<T> Either<T, T> {
    /// The value, when both kinds are the same type.
    pub fn into_inner(self) -> T {
        match self {
            Either::Left(value) | Either::Right(value) => value,
        }
    }
}

impl<L: DjangoStr, R: DjangoStr> DjangoStr for Either<L, R> {
    fn write_str(&self, out: &mut String) {
        match self {
            Either::Left(value) => value.write_str(out),
            Either::Right(value) => value.write_str(out),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            Either::Left(value) => value.write_repr(out),
            Either::Right(value) => value.write_repr(out),
        }
    }
    fn write_localized(&self, out: &mut String) {
        match self {
            Either::Left(value) => value.write_localized(out),
            Either::Right(value) => value.write_localized(out),
        }
    }
    fn is_html_safe(&self) -> bool {
        match self {
            Either::Left(value) => value.is_html_safe(),
            Either::Right(value) => value.is_html_safe(),
        }
    }
    fn is_text(&self) -> bool {
        match self {
            Either::Left(value) => value.is_text(),
            Either::Right(value) => value.is_text(),
        }
    }
    fn django_str(&self) -> Cow<'_, str> {
        match self {
            Either::Left(value) => value.django_str(),
            Either::Right(value) => value.django_str(),
        }
    }
}

impl<L: Truthy, R: Truthy> Truthy for Either<L, R> {
    fn is_truthy(&self) -> bool {
        match self {
            Either::Left(value) => value.is_truthy(),
            Either::Right(value) => value.is_truthy(),
        }
    }
}

/// Python keeps microseconds; jiff keeps nanoseconds.
pub(crate) fn microsecond(time: &Time) -> i32 {
    time.subsec_nanosecond() / 1000
}

/// The end of a `datetime`/`time` repr: seconds and microseconds only when
/// non-zero, then `)`.
fn write_time_repr_tail(out: &mut String, time: &Time) {
    let micros = microsecond(time);
    if micros != 0 {
        let _ = write!(out, ", {}, {micros}", time.second());
    } else if time.second() != 0 {
        let _ = write!(out, ", {}", time.second());
    }
    out.push(')');
}

/// Python's `repr(str)`: single quotes unless the text has `'` and no `"`;
/// backslash escapes for the quote, `\`, `\t \n \r` and unprintable characters.
pub fn write_str_repr(out: &mut String, text: &str) {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if ch == quote => {
                out.push('\\');
                out.push(ch);
            }
            _ if is_printable(ch) => out.push(ch),
            _ if (ch as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", ch as u32);
            }
            _ if (ch as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            _ => {
                let _ = write!(out, "\\U{:08x}", ch as u32);
            }
        }
    }
    out.push(quote);
}

/// Python's `str.isprintable()` for one character: everything but control,
/// format, surrogate, private-use, unassigned and separator characters (the
/// ASCII space excepted).
fn is_printable(ch: char) -> bool {
    if ch == ' ' {
        return true;
    }
    !matches!(
        get_general_category(ch),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::SpaceSeparator
    )
}

/// The shortest round-trip decimal digits of a finite, non-negative float and
/// its decimal point position: `x = 0.DIGITS × 10^point`.
pub(crate) fn shortest_digits(x: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest digits that round-trip, like Python's repr.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    (digits, exponent + 1)
}

/// Python's `repr(float)`: shortest round-trip digits, positional notation when
/// the decimal exponent is in -4..16 (with `.0` for whole numbers), otherwise
/// `1e+16`-style; `nan`, `inf`, `-inf`.
pub fn write_float_repr(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return;
    }
    let (digits, point) = shortest_digits(x);
    if -4 < point && point <= 16 {
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            out.push_str(&digits);
        } else {
            let point = point as usize;
            if point >= digits.len() {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exponent = point - 1;
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
    }
}

/// Python's `repr(float)` as a new string.
pub fn float_repr(x: f64) -> String {
    let mut out = String::new();
    write_float_repr(&mut out, x);
    out
}

/// Django's `localize(float)` (`number_format` without grouping): the repr,
/// except that exponent forms are written out in full unless they would have
/// more than 200 digits.
fn write_float_localized(out: &mut String, x: f64) {
    if !x.is_finite() {
        write_float_repr(out, x);
        return;
    }
    let (digits, point) = shortest_digits(x);
    let in_exponent_form = !(-4 < point && point <= 16);
    // Decimal's as_tuple(): the exponent of the last digit.
    let last_digit_exponent = point - digits.len() as i32;
    if !in_exponent_form || last_digit_exponent.unsigned_abs() as usize + digits.len() > 200 {
        write_float_repr(out, x);
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    write_positional(out, &digits, point);
}

/// Writes `0.DIGITS × 10^point` in positional notation without exponent, as
/// Python's `'{:f}'.format(Decimal)` does.
pub(crate) fn write_positional(out: &mut String, digits: &str, point: i32) {
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr<T: DjangoStr + ?Sized>(value: &T) -> String {
        let mut out = String::new();
        value.write_repr(&mut out);
        out
    }

    fn localized<T: DjangoStr + ?Sized>(value: &T) -> String {
        let mut out = String::new();
        value.write_localized(&mut out);
        out
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789.125, "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_repr(value), expected, "repr({value:?})");
        }
    }

    #[test]
    fn localized_float_expands_exponents() {
        assert_eq!(localized(&1e16), "10000000000000000");
        assert_eq!(localized(&-1.5e-7), "-0.00000015");
        assert_eq!(localized(&1e300), "1e+300");
        assert_eq!(localized(&2.5), "2.5");
    }

    #[test]
    fn str_repr_chooses_quotes_like_python() {
        assert_eq!(repr("a'b"), "\"a'b\"");
        assert_eq!(repr("a'b\""), "'a\\'b\"'");
        assert_eq!(repr("tab\there\\"), "'tab\\there\\\\'");
        assert_eq!(repr("\u{a0}\u{7f}\u{200b}日本"), "'\\xa0\\x7f\\u200b日本'");
    }

    #[test]
    fn lists_and_dates_use_repr() {
        let date = Date::new(2024, 3, 5).unwrap();
        let items: Vec<Option<Cow<'_, str>>> = vec![Some("a".into()), None];
        assert_eq!(repr(&items), "['a', None]");
        assert_eq!(repr(&vec![date]), "[datetime.date(2024, 3, 5)]");
        let datetime = date.at(14, 30, 5, 250_000_000);
        assert_eq!(
            repr(&datetime),
            "datetime.datetime(2024, 3, 5, 14, 30, 5, 250000)"
        );
        assert_eq!(datetime.django_str(), "2024-03-05 14:30:05.250000");
        assert_eq!(repr(&Time::new(9, 0, 0, 0).unwrap()), "datetime.time(9, 0)");
    }

    #[test]
    fn truthiness_matches_python() {
        assert!(!0_i64.is_truthy());
        assert!(f64::NAN.is_truthy());
        assert!(!(-0.0_f64).is_truthy());
        assert!(!Some(0_i64).is_truthy());
        assert!(!Vec::<i64>::new().is_truthy());
        assert!(!"".is_truthy());
        assert!(Safe("x").is_truthy());
    }
}
