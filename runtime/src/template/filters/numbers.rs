//! Number filters: `add`, `divisibleby`, `filesizeformat`.
//!
//! Input: typed values and arguments, converted with Python's `int()` where
//! Django does; output: the number or text Django shows.

use std::borrow::Cow;

use crate::template::display::{DjangoStr, Truthy};

use super::FilterError;
use super::args::{ToPyInt, parse_py_int};

/// A value the `add` filter accepts: something Python's `int()` may convert,
/// or text that concatenates.
pub trait AddOperand {
    /// Python's `int(value)`, or `None` where it raises.
    fn add_int(&self) -> Option<i64>;
    /// The text, if the value is a Python `str` (for `value + arg`).
    fn add_text(&self) -> Option<&str>;
}

macro_rules! numeric_operands {
    ($($number:ty),*) => {$(
        impl AddOperand for $number {
            fn add_int(&self) -> Option<i64> {
                self.to_py_int()
            }
            fn add_text(&self) -> Option<&str> {
                None
            }
        }
    )*};
}

numeric_operands!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f64, bool
);

impl AddOperand for str {
    fn add_int(&self) -> Option<i64> {
        parse_py_int(self)
    }
    fn add_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl AddOperand for String {
    fn add_int(&self) -> Option<i64> {
        parse_py_int(self)
    }
    fn add_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: AddOperand> AddOperand for Option<T> {
    fn add_int(&self) -> Option<i64> {
        self.as_ref().and_then(AddOperand::add_int)
    }
    fn add_text(&self) -> Option<&str> {
        self.as_ref().and_then(AddOperand::add_text)
    }
}

impl<T: AddOperand + ?Sized> AddOperand for &T {
    fn add_int(&self) -> Option<i64> {
        (**self).add_int()
    }
    fn add_text(&self) -> Option<&str> {
        (**self).add_text()
    }
}

/// The result of `add`: an integer sum, concatenated text, or `""` when
/// Python's `+` fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddOutput {
    /// `int(value) + int(arg)`.
    Sum(i128),
    /// `value + arg` for two strings; also `""` for a failed addition.
    Text(String),
}

impl AddOperand for AddOutput {
    fn add_int(&self) -> Option<i64> {
        match self {
            AddOutput::Sum(sum) => i64::try_from(*sum).ok(),
            AddOutput::Text(text) => parse_py_int(text),
        }
    }
    fn add_text(&self) -> Option<&str> {
        match self {
            AddOutput::Sum(_) => None,
            AddOutput::Text(text) => Some(text),
        }
    }
}

impl DjangoStr for AddOutput {
    fn write_str(&self, out: &mut String) {
        match self {
            AddOutput::Sum(sum) => sum.write_str(out),
            AddOutput::Text(text) => out.push_str(text),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            AddOutput::Sum(sum) => sum.write_repr(out),
            AddOutput::Text(text) => text.write_repr(out),
        }
    }
    fn django_str(&self) -> Cow<'_, str> {
        match self {
            AddOutput::Sum(sum) => sum.django_str(),
            AddOutput::Text(text) => Cow::Borrowed(text),
        }
    }
}

impl Truthy for AddOutput {
    fn is_truthy(&self) -> bool {
        match self {
            AddOutput::Sum(sum) => *sum != 0,
            AddOutput::Text(text) => !text.is_empty(),
        }
    }
}

/// `add` (is_safe=False): `int(value) + int(arg)`, else `value + arg` for two
/// strings, else `""`. Lists concatenate with [`add_lists`].
pub fn add<A: AddOperand + ?Sized, B: AddOperand + ?Sized>(value: &A, arg: &B) -> AddOutput {
    if let (Some(left), Some(right)) = (value.add_int(), arg.add_int()) {
        return AddOutput::Sum(i128::from(left) + i128::from(right));
    }
    match (value.add_text(), arg.add_text()) {
        (Some(left), Some(right)) => AddOutput::Text(format!("{left}{right}")),
        _ => AddOutput::Text(String::new()),
    }
}

/// `add` on two lists (is_safe=False): `value + arg`.
pub fn add_lists<T: Clone>(value: &[T], arg: &[T]) -> Vec<T> {
    value.iter().chain(arg).cloned().collect()
}

/// `divisibleby` (is_safe=False): `int(value) % int(arg) == 0`; a value or
/// argument that is not an integer, or a zero argument, fails the render.
pub fn divisibleby<A: ToPyInt + ?Sized, B: ToPyInt + ?Sized>(
    value: &A,
    arg: &B,
) -> Result<bool, FilterError> {
    let not_int = || FilterError::new("ValueError", "invalid literal for int() with base 10");
    let value = value.to_py_int().ok_or_else(not_int)?;
    let arg = arg.to_py_int().ok_or_else(not_int)?;
    if arg == 0 {
        return Err(FilterError::new(
            "ZeroDivisionError",
            "integer modulo by zero",
        ));
    }
    Ok(value.rem_euclid(arg) == 0)
}

/// `filesizeformat` (is_safe=True): `13 KB`, `4.1 MB`, `102 bytes`, with
/// non-breaking spaces; a value that is not an integer shows as `0 bytes`.
pub fn filesizeformat<V: ToPyInt + ?Sized>(value: &V) -> String {
    const UNITS: [(&str, u32); 5] = [("KB", 10), ("MB", 20), ("GB", 30), ("TB", 40), ("PB", 50)];
    let bytes = value.to_py_int().unwrap_or(0);
    let size = bytes.unsigned_abs();
    let mut text = if size == 1 {
        "1\u{a0}byte".to_owned()
    } else if size < 1 << 10 {
        format!("{size}\u{a0}bytes")
    } else {
        let (unit, shift) = UNITS
            .iter()
            .rev()
            .find(|(_, shift)| size >= 1 << shift || *shift == 10)
            .copied()
            .unwrap_or(UNITS[0]);
        let scaled = size as f64 / (1_u64 << shift) as f64;
        // round(x, 1) then one decimal place: both round the exact binary value.
        format!("{scaled:.1}\u{a0}{unit}")
    };
    if bytes < 0 {
        text.insert(0, '-');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_follows_python() {
        assert_eq!(add(&2_i64, "3"), AddOutput::Sum(5));
        assert_eq!(add("a", "b"), AddOutput::Text("ab".into()));
        assert_eq!(add(&2.7_f64, &1_i64), AddOutput::Sum(3));
        assert_eq!(add(&5_i64, "x"), AddOutput::Text(String::new()));
    }

    #[test]
    fn filesizes() {
        assert_eq!(filesizeformat(&1023_i64), "1023\u{a0}bytes");
        assert_eq!(filesizeformat(&1024_i64), "1.0\u{a0}KB");
        assert_eq!(filesizeformat(&-1_i64), "-1\u{a0}byte");
        assert_eq!(filesizeformat("x"), "0\u{a0}bytes");
        assert_eq!(filesizeformat(&(1_i64 << 50)), "1.0\u{a0}PB");
    }

    #[test]
    fn divisibility_uses_python_modulo() {
        assert_eq!(divisibleby(&-6_i64, &4_i64), Ok(false));
        assert_eq!(divisibleby(&-8_i64, &4_i64), Ok(true));
        assert!(divisibleby(&1_i64, &0_i64).is_err());
    }
}
