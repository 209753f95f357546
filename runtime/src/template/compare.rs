//! Python's comparisons of template values, as `{% if %}` evaluates them:
//! `==`, `<`, `in` and `is` across types, and the sort keys of `dictsort`.
//!
//! Input: any value generated code holds, through [`ToPy`]. Output: the
//! [`Py`] value Python would compare, and the comparisons' results — false
//! where Python raises (`{% if %}` operators swallow the error).

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::civil::{Date, DateTime};

use super::display::Either;
use super::escape::Safe;

/// A template value as Python compares it in `{% if %}`.
#[derive(Clone, Debug)]
pub enum Py<'a> {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An `int`.
    Int(i128),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(Cow<'a, str>),
    /// A `datetime.date`.
    Date(Date),
    /// A `datetime.datetime`.
    DateTime(DateTime),
    /// A `list`.
    List(Vec<Py<'a>>),
    /// A `tuple`.
    Tuple(Vec<Py<'a>>),
    /// A `dict`, in insertion order.
    Dict(Vec<(Cow<'a, str>, Py<'a>)>),
    /// A model instance: equal to another of the same model with the same
    /// primary key.
    Object(&'static str, Box<Py<'a>>),
    /// Anything else: equal only to itself, never ordered.
    Other,
}

/// Conversion of a template value to the [`Py`] value comparisons use.
pub trait ToPy {
    /// The value as Python sees it.
    fn to_py(&self) -> Py<'_>;
}

impl<T: ToPy + ?Sized> ToPy for &T {
    fn to_py(&self) -> Py<'_> {
        (**self).to_py()
    }
}

impl ToPy for str {
    fn to_py(&self) -> Py<'_> {
        Py::Str(Cow::Borrowed(self))
    }
}

impl ToPy for String {
    fn to_py(&self) -> Py<'_> {
        Py::Str(Cow::Borrowed(self))
    }
}

impl ToPy for Cow<'_, str> {
    fn to_py(&self) -> Py<'_> {
        Py::Str(Cow::Borrowed(self))
    }
}

impl<T: ToPy> ToPy for Safe<T> {
    fn to_py(&self) -> Py<'_> {
        self.0.to_py()
    }
}

macro_rules! int_py {
    ($($int:ty),*) => {$(
        impl ToPy for $int {
            fn to_py(&self) -> Py<'_> {
                Py::Int(i128::try_from(*self).unwrap_or(i128::MAX))
            }
        }
    )*};
}

int_py!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl ToPy for f64 {
    fn to_py(&self) -> Py<'_> {
        Py::Float(*self)
    }
}

impl ToPy for bool {
    fn to_py(&self) -> Py<'_> {
        Py::Bool(*self)
    }
}

impl ToPy for () {
    fn to_py(&self) -> Py<'_> {
        Py::None
    }
}

impl ToPy for Date {
    fn to_py(&self) -> Py<'_> {
        Py::Date(*self)
    }
}

impl ToPy for DateTime {
    fn to_py(&self) -> Py<'_> {
        Py::DateTime(*self)
    }
}

impl<T: ToPy> ToPy for Option<T> {
    fn to_py(&self) -> Py<'_> {
        self.as_ref().map_or(Py::None, ToPy::to_py)
    }
}

impl<L: ToPy, R: ToPy> ToPy for Either<L, R> {
    fn to_py(&self) -> Py<'_> {
        match self {
            Either::Left(value) => value.to_py(),
            Either::Right(value) => value.to_py(),
        }
    }
}

impl<T: ToPy> ToPy for [T] {
    fn to_py(&self) -> Py<'_> {
        Py::List(self.iter().map(ToPy::to_py).collect())
    }
}

impl<T: ToPy> ToPy for Vec<T> {
    fn to_py(&self) -> Py<'_> {
        self.as_slice().to_py()
    }
}

impl<A: ToPy, B: ToPy> ToPy for (A, B) {
    fn to_py(&self) -> Py<'_> {
        Py::Tuple(vec![self.0.to_py(), self.1.to_py()])
    }
}

impl<A: ToPy, B: ToPy, C: ToPy> ToPy for (A, B, C) {
    fn to_py(&self) -> Py<'_> {
        Py::Tuple(vec![self.0.to_py(), self.1.to_py(), self.2.to_py()])
    }
}

impl ToPy for serde_json::Value {
    fn to_py(&self) -> Py<'_> {
        use serde_json::Value;
        match self {
            Value::Null => Py::None,
            Value::Bool(flag) => Py::Bool(*flag),
            Value::Number(number) => match number.as_i64() {
                Some(int) => Py::Int(i128::from(int)),
                None => number
                    .as_u64()
                    .map(|int| Py::Int(i128::from(int)))
                    .unwrap_or_else(|| Py::Float(number.as_f64().unwrap_or(f64::NAN))),
            },
            Value::String(text) => Py::Str(Cow::Borrowed(text)),
            Value::Array(items) => Py::List(items.iter().map(ToPy::to_py).collect()),
            Value::Object(entries) => Py::Dict(
                entries
                    .iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), value.to_py()))
                    .collect(),
            ),
        }
    }
}

/// A number as Python's numeric tower compares it.
enum Number {
    Int(i128),
    Float(f64),
}

fn number(value: &Py<'_>) -> Option<Number> {
    match value {
        Py::Bool(flag) => Some(Number::Int(i128::from(*flag))),
        Py::Int(int) => Some(Number::Int(*int)),
        Py::Float(float) => Some(Number::Float(*float)),
        _ => None,
    }
}

fn compare_numbers(left: &Number, right: &Number) -> Option<Ordering> {
    match (left, right) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
        (Number::Float(a), Number::Float(b)) => a.partial_cmp(b),
        (Number::Int(a), Number::Float(b)) => compare_int_float(*a, *b),
        (Number::Float(a), Number::Int(b)) => compare_int_float(*b, *a).map(Ordering::reverse),
    }
}

/// Python compares an int and a float exactly.
fn compare_int_float(int: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    if float.is_infinite() {
        return Some(if float > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let whole = float.trunc();
    // Beyond ±2^127 every i128 compares the same way.
    if whole >= 1.7e38 {
        return Some(Ordering::Less);
    }
    if whole <= -1.7e38 {
        return Some(Ordering::Greater);
    }
    match int.cmp(&(whole as i128)) {
        Ordering::Equal if float > whole => Some(Ordering::Less),
        Ordering::Equal if float < whole => Some(Ordering::Greater),
        other => Some(other),
    }
}

/// Python's `left == right`.
pub fn eq(left: &Py<'_>, right: &Py<'_>) -> bool {
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return compare_numbers(&a, &b) == Some(Ordering::Equal);
    }
    match (left, right) {
        (Py::None, Py::None) => true,
        (Py::Str(a), Py::Str(b)) => a == b,
        (Py::Date(a), Py::Date(b)) => a == b,
        (Py::DateTime(a), Py::DateTime(b)) => a == b,
        (Py::List(a), Py::List(b)) | (Py::Tuple(a), Py::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y))
        }
        (Py::Dict(a), Py::Dict(b)) => {
            a.len() == b.len()
                && a.iter().all(|(key, value)| {
                    b.iter()
                        .any(|(other_key, other)| key == other_key && eq(value, other))
                })
        }
        (Py::Object(a, pk_a), Py::Object(b, pk_b)) => a == b && eq(pk_a, pk_b),
        _ => false,
    }
}

/// Python's ordering of two values, `None` where Python raises `TypeError`
/// (the `{% if %}` condition is then false) or the values are unordered
/// (`nan`).
pub fn compare(left: &Py<'_>, right: &Py<'_>) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return compare_numbers(&a, &b);
    }
    match (left, right) {
        (Py::Str(a), Py::Str(b)) => Some(a.cmp(b)),
        (Py::Date(a), Py::Date(b)) => Some(a.cmp(b)),
        (Py::DateTime(a), Py::DateTime(b)) => Some(a.cmp(b)),
        (Py::List(a), Py::List(b)) | (Py::Tuple(a), Py::Tuple(b)) => {
            for (x, y) in a.iter().zip(b) {
                if !eq(x, y) {
                    return compare(x, y);
                }
            }
            Some(a.len().cmp(&b.len()))
        }
        _ => None,
    }
}

/// `left < right`, `left <= right`, … as `{% if %}` evaluates them.
pub fn ordered(left: &Py<'_>, right: &Py<'_>, accept: fn(Ordering) -> bool) -> bool {
    compare(left, right).is_some_and(accept)
}

/// Python's `item in container`; `false` where Python raises (`x in None`,
/// a number in text).
pub fn contains(item: &Py<'_>, container: &Py<'_>) -> bool {
    match container {
        Py::List(items) | Py::Tuple(items) => items.iter().any(|other| eq(item, other)),
        Py::Str(text) => matches!(item, Py::Str(needle) if text.contains(needle.as_ref())),
        Py::Dict(entries) => matches!(item, Py::Str(key) if entries.iter().any(|(k, _)| k == key)),
        _ => false,
    }
}

/// Python's `left is right` for the values a template can name: `None`,
/// `True`, `False`, CPython's cached small integers and its one-character
/// Latin-1 and empty strings are the same object whenever they are equal;
/// any other two values are distinct objects.
pub fn is(left: &Py<'_>, right: &Py<'_>) -> bool {
    match (left, right) {
        (Py::None, Py::None) => true,
        (Py::Bool(a), Py::Bool(b)) => a == b,
        (Py::Int(a), Py::Int(b)) => a == b && (-5..=256).contains(a),
        (Py::Str(a), Py::Str(b)) => {
            let mut chars = a.chars();
            a == b
                && match (chars.next(), chars.next()) {
                    (None, _) => true,
                    (Some(c), None) => u32::from(c) < 256,
                    _ => false,
                }
        }
        _ => false,
    }
}

/// A sort key ordered as Python's `sorted` orders values (for `dictsort`).
#[derive(Clone, Debug)]
pub struct PyKey<'a>(pub Py<'a>);

impl PartialEq for PyKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PyKey<'_> {}

impl PartialOrd for PyKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PyKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(&self.0, &other.0).unwrap_or(Ordering::Equal)
    }
}

/// Whether `sorted()` over these keys would raise `TypeError` (Django's
/// `dictsort` then gives `""`): keys of kinds Python cannot order against
/// each other, or several keys of a kind that has no order (`None`, dicts).
pub fn unorderable(keys: &[Py<'_>]) -> bool {
    fn kind(key: &Py<'_>) -> u8 {
        match key {
            Py::Bool(_) | Py::Int(_) | Py::Float(_) => 0,
            Py::Str(_) => 1,
            Py::Date(_) => 2,
            Py::DateTime(_) => 3,
            Py::List(_) => 4,
            Py::Tuple(_) => 5,
            Py::None | Py::Dict(_) | Py::Object(..) | Py::Other => 6,
        }
    }
    let Some(first) = keys.first().map(kind) else {
        return false;
    };
    keys.len() > 1 && (first == 6 || keys.iter().any(|key| kind(key) != first))
}

impl<'a> Py<'a> {
    /// The value with its text owned, free of the values it came from.
    pub fn into_owned(self) -> Py<'static> {
        match self {
            Py::None => Py::None,
            Py::Bool(flag) => Py::Bool(flag),
            Py::Int(int) => Py::Int(int),
            Py::Float(float) => Py::Float(float),
            Py::Str(text) => Py::Str(Cow::Owned(text.into_owned())),
            Py::Date(date) => Py::Date(date),
            Py::DateTime(datetime) => Py::DateTime(datetime),
            Py::List(items) => Py::List(items.into_iter().map(Py::into_owned).collect()),
            Py::Tuple(items) => Py::Tuple(items.into_iter().map(Py::into_owned).collect()),
            Py::Dict(entries) => Py::Dict(
                entries
                    .into_iter()
                    .map(|(key, value)| (Cow::Owned(key.into_owned()), value.into_owned()))
                    .collect(),
            ),
            Py::Object(model, pk) => Py::Object(model, Box::new(pk.into_owned())),
            Py::Other => Py::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_equality_and_order() {
        assert!(eq(&1_i64.to_py(), &1.0_f64.to_py()));
        assert!(eq(&true.to_py(), &1_i64.to_py()));
        assert!(!eq(&"1".to_py(), &1_i64.to_py()));
        assert!(eq(&().to_py(), &Option::<i64>::None.to_py()));
        assert_eq!(compare(&"b".to_py(), &"a".to_py()), Some(Ordering::Greater));
        assert_eq!(compare(&"a".to_py(), &1_i64.to_py()), None);
        assert_eq!(
            compare(&2_i64.to_py(), &2.5_f64.to_py()),
            Some(Ordering::Less)
        );
        let list = vec![1_i64, 2];
        assert!(contains(&2.0_f64.to_py(), &list.to_py()));
        assert!(contains(&"ell".to_py(), &"hello".to_py()));
        assert!(!contains(&1_i64.to_py(), &"1".to_py()));
        assert!(is(&5_i64.to_py(), &5_i64.to_py()));
        assert!(!is(&500_i64.to_py(), &500_i64.to_py()));
        assert!(is(&"x".to_py(), &"x".to_py()));
        assert!(!is(&"xy".to_py(), &"xy".to_py()));
    }
}
