//! Choice filters: `default`, `default_if_none`, `yesno`, `pluralize`.
//!
//! Input: a value (its truthiness, `None`-ness or count) and the argument;
//! output: the value or one of the argument's choices.

use crate::template::display::{Either, Truthy};

use super::args::py_strip;

/// `default` (is_safe=False): `value or arg`.
pub fn default<V: Truthy, A>(value: V, arg: A) -> Either<V, A> {
    if value.is_truthy() {
        Either::Left(value)
    } else {
        Either::Right(arg)
    }
}

/// `default_if_none` (is_safe=False): `arg` when the value is `None`.
pub fn default_if_none<V, A>(value: Option<V>, arg: A) -> Either<V, A> {
    match value {
        Some(value) => Either::Left(value),
        None => Either::Right(arg),
    }
}

/// `yesno` (is_safe=False). `value` is `None` for Python's `None`, else the
/// value's truthiness; `arg` `None` means `"yes,no,maybe"`. Returns `None` for
/// an argument with fewer than two choices: Django then shows the value itself.
pub fn yesno(value: Option<bool>, arg: Option<&str>) -> Option<&str> {
    let bits: Vec<&str> = arg.unwrap_or("yes,no,maybe").split(',').collect();
    let (yes, no, maybe) = match bits.as_slice() {
        [yes, no, maybe] => (*yes, *no, *maybe),
        [yes, no, ..] => (*yes, *no, *no),
        _ => return None,
    };
    Some(match value {
        None => maybe,
        Some(true) => yes,
        Some(false) => no,
    })
}

/// What `pluralize` compares with one: Python's `float(value) == 1`, else
/// `len(value) == 1`.
pub trait PluralCount {
    /// Whether the value counts as one; `None` where Python's `float()` and
    /// `len()` both fail (the filter then gives `""`).
    fn is_one(&self) -> Option<bool>;
}

macro_rules! integer_counts {
    ($($int:ty),*) => {$(
        impl PluralCount for $int {
            fn is_one(&self) -> Option<bool> {
                Some(*self == 1)
            }
        }
    )*};
}

integer_counts!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl PluralCount for f64 {
    fn is_one(&self) -> Option<bool> {
        Some(*self == 1.0)
    }
}

impl PluralCount for bool {
    fn is_one(&self) -> Option<bool> {
        Some(*self)
    }
}

/// Text is parsed with Python's `float()`; text that is not a number gives
/// `""` (Python's `ValueError`), even if it has one character.
impl PluralCount for str {
    fn is_one(&self) -> Option<bool> {
        let text = py_strip(self).replace('_', "");
        text.parse::<f64>().ok().map(|number| number == 1.0)
    }
}

impl PluralCount for String {
    fn is_one(&self) -> Option<bool> {
        self.as_str().is_one()
    }
}

impl<T> PluralCount for [T] {
    fn is_one(&self) -> Option<bool> {
        Some(self.len() == 1)
    }
}

impl<T> PluralCount for Vec<T> {
    fn is_one(&self) -> Option<bool> {
        Some(self.len() == 1)
    }
}

impl<T: PluralCount> PluralCount for Option<T> {
    fn is_one(&self) -> Option<bool> {
        self.as_ref().and_then(PluralCount::is_one)
    }
}

impl<T: PluralCount + ?Sized> PluralCount for &T {
    fn is_one(&self) -> Option<bool> {
        (**self).is_one()
    }
}

/// `pluralize` (is_safe=False): `arg` is the plural suffix (default `"s"`) or
/// `"singular,plural"`; more than one comma gives `""`.
pub fn pluralize<'a, V: PluralCount + ?Sized>(value: &V, arg: Option<&'a str>) -> &'a str {
    let arg = arg.unwrap_or("s");
    let (singular, plural) = match arg.split_once(',') {
        None => ("", arg),
        Some((_, plural)) if plural.contains(',') => return "",
        Some(pair) => pair,
    };
    match value.is_one() {
        Some(true) => singular,
        Some(false) => plural,
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pluralize_counts_like_django() {
        assert_eq!(pluralize(&1_i64, None), "");
        assert_eq!(pluralize(&2_i64, Some("es")), "es");
        assert_eq!(pluralize(&1_i64, Some("y,ies")), "y");
        assert_eq!(pluralize("1.0", Some("y,ies")), "y");
        assert_eq!(pluralize("x", None), "");
        assert_eq!(pluralize(&[1][..], None), "");
        assert_eq!(pluralize(&0_i64, Some("a,b,c")), "");
    }

    #[test]
    fn yesno_maps_three_ways() {
        assert_eq!(yesno(None, Some("yeah,no")), Some("no"));
        assert_eq!(yesno(None, None), Some("maybe"));
        assert_eq!(yesno(Some(true), Some("x")), None);
        assert_eq!(default("", "d").into_inner(), "d");
    }
}
