//! What compiled templates call besides filters: loop state, the tags that
//! compute text (`spaceless`, `widthratio`, `now`, `static`, `csrf_token`),
//! and the conversions of template values (re-exporting [`super::compare`]
//! and [`super::json`], so generated code names one module).
//!
//! Input: the values a generated render function holds (any type the
//! compiler gives a template value: text, numbers, dates, `Option`s,
//! [`Either`]s, slices, JSON, [`ForLoop`]s and the structs it generates);
//! output: text appended to the page buffer, or the Python value a
//! comparison needs ([`Py`]). Everything follows Django's output byte for
//! byte, with the settings the rest of [`crate::template`] assumes.
//!
//! The compiler decides statically what it can (safety, which filter, how a
//! lookup resolves); what only the data decides at run time is here and in
//! the modules it re-exports: Python's `==`, `<` and `in` across types
//! ([`ToPy`]), the conversions that give two branches of a generated
//! `match` one Rust type ([`IntoText`], [`AsInt`], [`AsFloat`]), and JSON
//! output for `json_script` ([`ToJson`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};

use super::display::{DjangoStr, Either, Truthy, write_str_repr};
use super::escape::{Safe, SafeString, escape_into};
use super::filters::args::{AsPyNumber, PyNumber, ToPyInt, is_py_space, py_strip};
use super::filters::dates::Temporal;
use super::filters::lists::Nested;
use super::filters::logic::PluralCount;
use super::filters::numbers::AddOperand;
use super::filters::urls::quote;

pub use super::compare::{Py, PyKey, ToPy, compare, contains, eq, is, ordered, unorderable};
pub use super::json::{Json, ToJson};

// ── loops ───────────────────────────────────────────────────────────────────

/// `forloop` inside `{% for %}`: the position in the sequence and the loop
/// around this one.
#[derive(Clone, Copy, Debug)]
pub struct ForLoop<'a> {
    /// The index of the current item, from 0.
    pub counter0: usize,
    /// The number of items.
    pub len: usize,
    /// The enclosing loop's state, in a nested loop.
    pub parent: Option<&'a ForLoop<'a>>,
}

/// The `forloop` of no loop: Django's empty `parentloop` dict.
static NO_LOOP: ForLoop<'static> = ForLoop {
    counter0: 0,
    len: 0,
    parent: None,
};

impl<'a> ForLoop<'a> {
    /// `forloop.counter0`: the position from 0.
    pub fn counter0(&self) -> usize {
        self.counter0
    }

    /// `forloop.counter`: the position from 1.
    pub fn counter(&self) -> usize {
        self.counter0 + 1
    }

    /// `forloop.revcounter`: the items left, this one included.
    pub fn revcounter(&self) -> usize {
        self.len - self.counter0
    }

    /// `forloop.revcounter0`: the items left after this one.
    pub fn revcounter0(&self) -> usize {
        self.len - self.counter0 - 1
    }

    /// `forloop.first`.
    pub fn first(&self) -> bool {
        self.counter0 == 0
    }

    /// `forloop.last`.
    pub fn last(&self) -> bool {
        self.counter0 + 1 == self.len
    }

    /// `forloop.parentloop` (the compiler allows it only in a nested loop).
    pub fn parentloop(&self) -> &ForLoop<'a> {
        self.parent.unwrap_or(&NO_LOOP)
    }
}

/// A loop's `forloop` prints as Django's dict.
impl DjangoStr for ForLoop<'_> {
    fn write_str(&self, out: &mut String) {
        out.push_str("{'parentloop': ");
        match self.parent {
            Some(parent) => parent.write_str(out),
            None => out.push_str("{}"),
        }
        let _ = write!(
            out,
            ", 'counter0': {}, 'counter': {}, 'revcounter': {}, 'revcounter0': {}, 'first': {}, 'last': {}}}",
            self.counter0,
            self.counter(),
            self.revcounter(),
            self.revcounter0(),
            py_bool(self.first()),
            py_bool(self.last())
        );
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

impl Truthy for ForLoop<'_> {
    fn is_truthy(&self) -> bool {
        true
    }
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The error Django raises when `{% for a, b in items %}` meets an item of
/// another length.
pub fn unpack_error(expected: usize, found: usize) -> super::FilterError {
    super::FilterError::new(
        "ValueError",
        format!("Need {expected} values to unpack in for loop; got {found}. "),
    )
}

impl ToPy for ForLoop<'_> {
    fn to_py(&self) -> Py<'_> {
        Py::Other
    }
}

// ── conversions that give branches one Rust type ────────────────────────────

/// Text as one type, borrowed when it can be: what a generated `match`
/// whose branches give text of different Rust types converts each to.
pub trait IntoText<'a> {
    /// The text.
    fn into_text(self) -> Cow<'a, str>;
}

impl<'a> IntoText<'a> for String {
    fn into_text(self) -> Cow<'a, str> {
        Cow::Owned(self)
    }
}

impl<'a> IntoText<'a> for Cow<'a, str> {
    fn into_text(self) -> Cow<'a, str> {
        self
    }
}

impl<'a, T: IntoText<'a>> IntoText<'a> for Safe<T> {
    fn into_text(self) -> Cow<'a, str> {
        self.0.into_text()
    }
}

impl<'a, T: AsRef<str> + ?Sized> IntoText<'a> for &'a T {
    fn into_text(self) -> Cow<'a, str> {
        Cow::Borrowed(self.as_ref())
    }
}

impl<T: AsRef<str>> AsRef<str> for Safe<T> {
    fn as_ref(&self) -> &str {
        self.0.as_ref()
    }
}

/// `IntoText` as a function, for generated code.
pub fn text<'a, T: IntoText<'a>>(value: T) -> Cow<'a, str> {
    value.into_text()
}

/// Text marked safe, in one type.
pub fn safe_text<'a, T: IntoText<'a>>(value: T) -> Safe<Cow<'a, str>> {
    Safe(value.into_text())
}

/// An integer of any Rust integer type, as `i64`.
pub trait AsInt {
    /// The value.
    fn as_int(&self) -> i64;
}

macro_rules! as_int {
    ($($int:ty),*) => {$(
        impl AsInt for $int {
            fn as_int(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}

as_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl AsInt for bool {
    fn as_int(&self) -> i64 {
        i64::from(*self)
    }
}

impl<T: AsInt + ?Sized> AsInt for &T {
    fn as_int(&self) -> i64 {
        (**self).as_int()
    }
}

/// `AsInt` as a function.
pub fn int<T: AsInt + ?Sized>(value: &T) -> i64 {
    value.as_int()
}

/// A value copied out from behind any number of references.
pub trait Copied<T: Copy> {
    /// The value.
    fn copied(&self) -> T;
}

macro_rules! copied {
    ($($ty:ty),*) => {$(
        impl Copied<$ty> for $ty {
            fn copied(&self) -> $ty {
                *self
            }
        }
    )*};
}

copied!(f64, bool, Date, DateTime, uuid::Uuid);

impl<T: Copy, V: Copied<T> + ?Sized> Copied<T> for &V {
    fn copied(&self) -> T {
        (**self).copied()
    }
}

/// `Copied` as a function: `copy::<f64, _>(&value)`.
pub fn copy<T: Copy, V: Copied<T> + ?Sized>(value: &V) -> T {
    value.copied()
}

/// A reference to the value itself, reached through any number of
/// references by method-call auto-deref: how generated code gives values
/// held by reference one type (`&Value`, `&ForLoop`, a struct).
pub trait Itself {
    /// The value.
    fn itself(&self) -> &Self {
        self
    }
}

impl Itself for serde_json::Value {}

impl Itself for ForLoop<'_> {}

/// Text copied out of a value that is about to go out of scope.
pub fn owned_text<'a, T: IntoText<'a>>(value: T) -> Cow<'static, str> {
    Cow::Owned(value.into_text().into_owned())
}

// ── sequences and lookups ───────────────────────────────────────────────────

/// The characters of a text, each as a `&str` (iterating a Python `str`).
pub fn chars<T: AsRef<str> + ?Sized>(value: &T) -> Vec<&str> {
    let text = value.as_ref();
    text.char_indices()
        .map(|(at, ch)| &text[at..at + ch.len_utf8()])
        .collect()
}

/// `text.N`: the character at a position, if there is one.
pub fn char_at<T: AsRef<str> + ?Sized>(value: &T, index: usize) -> Option<&str> {
    let text = value.as_ref();
    text.char_indices()
        .nth(index)
        .map(|(at, ch)| &text[at..at + ch.len_utf8()])
}

/// The items of a JSON value as `{% for %}` sees them: an array's items, an
/// object's keys, a string's characters; nothing for other values.
pub fn json_items(value: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(entries) => entries.keys().map(|k| Value::String(k.clone())).collect(),
        Value::String(text) => chars(text)
            .into_iter()
            .map(|ch| Value::String(ch.to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

/// `value.N` on JSON: an array's item.
pub fn json_index(value: &serde_json::Value, index: usize) -> Option<&serde_json::Value> {
    match value {
        serde_json::Value::Object(entries) => entries.get(&index.to_string()),
        other => other.get(index),
    }
}

/// `value.key` on JSON: an object's member.
pub fn json_key<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    value.get(key)
}

/// `length` of JSON: of an array, object or string; 0 otherwise.
pub fn json_len(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.len(),
        Value::Object(entries) => entries.len(),
        Value::String(text) => text.chars().count(),
        _ => 0,
    }
}

/// `date.isoformat` / `datetime.isoformat`: `2024-03-05`,
/// `2024-03-05T14:30:00[.ffffff]`.
pub fn isoformat<T: super::filters::dates::ToTemporal + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    match value.to_temporal() {
        Some(Temporal::Date(date)) => date.write_str(&mut out),
        Some(Temporal::DateTime(datetime)) => {
            datetime.date().write_str(&mut out);
            out.push('T');
            datetime.time().write_str(&mut out);
        }
        Some(Temporal::Time(time)) => time.write_str(&mut out),
        None => {}
    }
    out
}

// ── filter results ──────────────────────────────────────────────────────────

/// A condition under an `{% if %}` operator: an error while evaluating it
/// makes it false, as Django's operators catch every exception.
pub fn guard(condition: impl FnOnce() -> Result<bool, super::FilterError>) -> bool {
    condition().unwrap_or(false)
}

/// `urlizetrunc`'s limit: Python's `int()` of the argument (below zero
/// behaves as zero).
pub fn py_usize<T: ToPyInt + ?Sized>(value: &T) -> Result<usize, super::FilterError> {
    let limit = value.to_py_int().ok_or_else(|| {
        super::FilterError::new("ValueError", "invalid literal for int() with base 10")
    })?;
    Ok(usize::try_from(limit.max(0)).unwrap_or(usize::MAX))
}

/// `join`'s result as text: a list `join` returns unchanged (autoescaping
/// off, items that are not text) prints as the list.
pub fn joined<T: DjangoStr>(joined: Either<SafeString, &[T]>) -> SafeString {
    match joined {
        Either::Left(text) => text,
        Either::Right(list) => Safe(list.django_str().into_owned()),
    }
}

/// `add` of two numbers: their sum.
pub fn sum(output: super::filters::numbers::AddOutput) -> i64 {
    match output {
        super::filters::numbers::AddOutput::Sum(sum) => {
            i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })
        }
        super::filters::numbers::AddOutput::Text(_) => 0,
    }
}

/// `add` of values that may be text: a sum, or the concatenation (or `""`).
pub fn add_either(output: super::filters::numbers::AddOutput) -> Either<i64, String> {
    match output {
        super::filters::numbers::AddOutput::Sum(sum) => {
            Either::Left(i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX }))
        }
        super::filters::numbers::AddOutput::Text(text) => Either::Right(text),
    }
}

/// Text that is safe or not, decided by its origin: the items
/// `unordered_list` prints.
#[derive(Clone, Debug, PartialEq)]
pub enum ListText<'a> {
    /// Text to escape.
    Plain(Cow<'a, str>),
    /// Text marked safe.
    Safe(Cow<'a, str>),
}

impl DjangoStr for ListText<'_> {
    fn write_str(&self, out: &mut String) {
        match self {
            ListText::Plain(text) | ListText::Safe(text) => out.push_str(text),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            ListText::Plain(text) | ListText::Safe(text) => write_str_repr(out, text),
        }
    }
    fn is_html_safe(&self) -> bool {
        matches!(self, ListText::Safe(_))
    }
    fn is_text(&self) -> bool {
        true
    }
}

/// A value as an item of `unordered_list`: a list becomes a sublist.
pub trait ToNested {
    /// The value as one nested item.
    fn to_nested(&self) -> Nested<ListText<'_>>;
}

macro_rules! nested_text {
    ($($ty:ty),*) => {$(
        impl ToNested for $ty {
            fn to_nested(&self) -> Nested<ListText<'_>> {
                Nested::Item(ListText::Plain(self.django_str()))
            }
        }
    )*};
}

nested_text!(
    str,
    String,
    Cow<'_, str>,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    usize,
    f64,
    bool,
    (),
    Date,
    DateTime,
    serde_json::Value
);

impl<T: DjangoStr> ToNested for Safe<T> {
    fn to_nested(&self) -> Nested<ListText<'_>> {
        Nested::Item(ListText::Safe(self.0.django_str()))
    }
}

impl<T: ToNested> ToNested for Option<T> {
    fn to_nested(&self) -> Nested<ListText<'_>> {
        match self {
            Some(value) => value.to_nested(),
            None => Nested::Item(ListText::Plain(Cow::Borrowed("None"))),
        }
    }
}

impl<L: ToNested, R: ToNested> ToNested for Either<L, R> {
    fn to_nested(&self) -> Nested<ListText<'_>> {
        match self {
            Either::Left(value) => value.to_nested(),
            Either::Right(value) => value.to_nested(),
        }
    }
}

impl<T: ToNested> ToNested for Vec<T> {
    fn to_nested(&self) -> Nested<ListText<'_>> {
        Nested::List(nested_list(self))
    }
}

impl<T: ToNested + ?Sized> ToNested for &T {
    fn to_nested(&self) -> Nested<ListText<'_>> {
        (**self).to_nested()
    }
}

/// The items of a list for `unordered_list`.
pub fn nested_list<T: ToNested>(items: &[T]) -> Vec<Nested<ListText<'_>>> {
    items.iter().map(ToNested::to_nested).collect()
}

// ── Python conversions of the values generated code holds ───────────────────

impl ToPyInt for Cow<'_, str> {
    fn to_py_int(&self) -> Option<i64> {
        super::filters::args::parse_py_int(self)
    }
}

impl<T: ToPyInt> ToPyInt for Safe<T> {
    fn to_py_int(&self) -> Option<i64> {
        self.0.to_py_int()
    }
}

impl ToPyInt for () {
    fn to_py_int(&self) -> Option<i64> {
        None
    }
}

impl<T: ToPyInt> ToPyInt for Option<T> {
    fn to_py_int(&self) -> Option<i64> {
        self.as_ref().and_then(ToPyInt::to_py_int)
    }
}

impl<L: ToPyInt, R: ToPyInt> ToPyInt for Either<L, R> {
    fn to_py_int(&self) -> Option<i64> {
        match self {
            Either::Left(value) => value.to_py_int(),
            Either::Right(value) => value.to_py_int(),
        }
    }
}

impl<T: AsPyNumber> AsPyNumber for Safe<T> {
    fn py_number(&self) -> Option<PyNumber> {
        self.0.py_number()
    }
}

impl AsPyNumber for () {}

impl<L: AsPyNumber, R: AsPyNumber> AsPyNumber for Either<L, R> {
    fn py_number(&self) -> Option<PyNumber> {
        match self {
            Either::Left(value) => value.py_number(),
            Either::Right(value) => value.py_number(),
        }
    }
}

impl PluralCount for Cow<'_, str> {
    fn is_one(&self) -> Option<bool> {
        self.as_ref().is_one()
    }
}

impl<T: PluralCount> PluralCount for Safe<T> {
    fn is_one(&self) -> Option<bool> {
        self.0.is_one()
    }
}

impl PluralCount for () {
    fn is_one(&self) -> Option<bool> {
        None
    }
}

impl<L: PluralCount, R: PluralCount> PluralCount for Either<L, R> {
    fn is_one(&self) -> Option<bool> {
        match self {
            Either::Left(value) => value.is_one(),
            Either::Right(value) => value.is_one(),
        }
    }
}

impl AddOperand for Cow<'_, str> {
    fn add_int(&self) -> Option<i64> {
        super::filters::args::parse_py_int(self)
    }
    fn add_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: AddOperand> AddOperand for Safe<T> {
    fn add_int(&self) -> Option<i64> {
        self.0.add_int()
    }
    fn add_text(&self) -> Option<&str> {
        self.0.add_text()
    }
}

impl AddOperand for () {
    fn add_int(&self) -> Option<i64> {
        None
    }
    fn add_text(&self) -> Option<&str> {
        None
    }
}

impl<L: AddOperand, R: AddOperand> AddOperand for Either<L, R> {
    fn add_int(&self) -> Option<i64> {
        match self {
            Either::Left(value) => value.add_int(),
            Either::Right(value) => value.add_int(),
        }
    }
    fn add_text(&self) -> Option<&str> {
        match self {
            Either::Left(value) => value.add_text(),
            Either::Right(value) => value.add_text(),
        }
    }
}

/// A tuple prints as Python's: `('a', 1)`.
impl<A: DjangoStr, B: DjangoStr> DjangoStr for (A, B) {
    fn write_str(&self, out: &mut String) {
        out.push('(');
        self.0.write_repr(out);
        out.push_str(", ");
        self.1.write_repr(out);
        out.push(')');
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

/// Python's `float(value)` for the values a template passes to
/// `widthratio`; `None` where Python raises.
pub trait AsFloat {
    /// `float(value)`.
    fn as_float(&self) -> Option<f64>;
}

macro_rules! as_float_int {
    ($($int:ty),*) => {$(
        impl AsFloat for $int {
            fn as_float(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}

as_float_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl AsFloat for f64 {
    fn as_float(&self) -> Option<f64> {
        Some(*self)
    }
}

impl AsFloat for bool {
    fn as_float(&self) -> Option<f64> {
        Some(if *self { 1.0 } else { 0.0 })
    }
}

impl AsFloat for str {
    fn as_float(&self) -> Option<f64> {
        parse_py_float(self)
    }
}

impl AsFloat for String {
    fn as_float(&self) -> Option<f64> {
        parse_py_float(self)
    }
}

impl AsFloat for Cow<'_, str> {
    fn as_float(&self) -> Option<f64> {
        parse_py_float(self)
    }
}

impl<T: AsFloat> AsFloat for Safe<T> {
    fn as_float(&self) -> Option<f64> {
        self.0.as_float()
    }
}

impl<T: AsFloat> AsFloat for Option<T> {
    fn as_float(&self) -> Option<f64> {
        self.as_ref().and_then(AsFloat::as_float)
    }
}

impl<L: AsFloat, R: AsFloat> AsFloat for Either<L, R> {
    fn as_float(&self) -> Option<f64> {
        match self {
            Either::Left(value) => value.as_float(),
            Either::Right(value) => value.as_float(),
        }
    }
}

impl AsFloat for () {
    fn as_float(&self) -> Option<f64> {
        None
    }
}

impl<T: AsFloat + ?Sized> AsFloat for &T {
    fn as_float(&self) -> Option<f64> {
        (**self).as_float()
    }
}

/// Python's `float(text)`: surrounding white space, a sign, digits with
/// single underscores between them, an exponent, or `inf`/`nan`.
pub fn parse_py_float(text: &str) -> Option<f64> {
    let text = py_strip(text);
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return text.to_ascii_lowercase().parse().ok().or_else(|| {
            let value = if lower == "nan" {
                f64::NAN
            } else {
                f64::INFINITY
            };
            Some(if text.starts_with('-') { -value } else { value })
        });
    }
    let valid_underscores = unsigned.split('_').count() == 1
        || unsigned.split('_').all(|part| {
            !part.is_empty() && part.bytes().next().is_some_and(|b| b.is_ascii_digit())
        });
    if !valid_underscores
        || unsigned.is_empty()
        || !unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
    {
        return None;
    }
    text.replace('_', "").parse().ok()
}

// ── text output ─────────────────────────────────────────────────────────────

/// Which replacement each byte has when escaped (index into `ENTITIES`).
static ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 2;
    table[b'>' as usize] = 3;
    table[b'"' as usize] = 4;
    table[b'\'' as usize] = 5;
    table
};

const ENTITIES: [&str; 6] = ["", "&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"];

/// Appends text escaped as Django's `escape` does (`& < > " '`), straight
/// from the value's text: what `{{ value }}` writes for text.
#[inline]
pub fn escape_text<T: AsRef<str> + ?Sized>(out: &mut String, value: &T) {
    let text = value.as_ref();
    let mut copied = 0;
    for (index, &byte) in text.as_bytes().iter().enumerate() {
        let entity = ESCAPES[usize::from(byte)];
        if entity != 0 {
            out.push_str(&text[copied..index]);
            out.push_str(ENTITIES[usize::from(entity)]);
            copied = index + 1;
        }
    }
    out.push_str(&text[copied..]);
}

/// Appends text as it is (safe text, or text with autoescaping off).
#[inline]
pub fn push_text<T: AsRef<str> + ?Sized>(out: &mut String, value: &T) {
    out.push_str(value.as_ref());
}

/// Appends an integer's digits.
#[inline]
pub fn write_int<T: AsInt + ?Sized>(out: &mut String, value: &T) {
    let mut buffer = itoa::Buffer::new();
    out.push_str(buffer.format(value.as_int()));
}

/// `None` prints as `None` and is false.
impl DjangoStr for () {
    fn write_str(&self, out: &mut String) {
        out.push_str("None");
    }
    fn write_repr(&self, out: &mut String) {
        out.push_str("None");
    }
}

impl Truthy for () {
    fn is_truthy(&self) -> bool {
        false
    }
}

/// A JSON value prints as the Python value `json.loads` gives.
impl DjangoStr for serde_json::Value {
    fn write_str(&self, out: &mut String) {
        match self {
            serde_json::Value::String(text) => out.push_str(text),
            other => other.write_repr(out),
        }
    }
    fn write_repr(&self, out: &mut String) {
        use serde_json::Value;
        match self {
            Value::Null => out.push_str("None"),
            Value::Bool(flag) => out.push_str(py_bool(*flag)),
            Value::Number(number) => match (number.as_i64(), number.as_u64()) {
                (Some(int), _) => int.write_str(out),
                (None, Some(int)) => int.write_str(out),
                _ => number.as_f64().unwrap_or(f64::NAN).write_repr(out),
            },
            Value::String(text) => write_str_repr(out, text),
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Value::Object(entries) => {
                out.push('{');
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_str_repr(out, key);
                    out.push_str(": ");
                    value.write_repr(out);
                }
                out.push('}');
            }
        }
    }
    fn is_text(&self) -> bool {
        self.is_string()
    }
}

impl Truthy for serde_json::Value {
    fn is_truthy(&self) -> bool {
        use serde_json::Value;
        match self {
            Value::Null => false,
            Value::Bool(flag) => *flag,
            Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0),
            Value::String(text) => !text.is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Object(entries) => !entries.is_empty(),
        }
    }
}

/// `{{ queryset }}`: Django's `<QuerySet [<Post: …>, …]>` (at most 20
/// items, then `'...(remaining elements truncated)...'`), escaped when
/// autoescaping is on.
pub fn write_queryset<T: DjangoStr>(out: &mut String, items: &[T], autoescape: bool) {
    let mut text = String::from("<QuerySet [");
    for (index, item) in items.iter().take(20).enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        item.write_repr(&mut text);
    }
    if items.len() > 20 {
        text.push_str(", '...(remaining elements truncated)...'");
    }
    text.push_str("]>");
    if autoescape {
        escape_into(out, &text);
    } else {
        out.push_str(&text);
    }
}

/// `{% spaceless %}`: the body stripped, and white space between a `>` and
/// the next `<` removed (Django's `strip_spaces_between_tags`).
pub fn spaceless(out: &mut String, body: &str) {
    let body = py_strip(body);
    let mut rest = body;
    while let Some(at) = rest.find('>') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let spaces = rest.len() - rest.trim_start_matches(is_py_space).len();
        if spaces > 0 && rest[spaces..].starts_with('<') {
            rest = &rest[spaces..];
        }
    }
    out.push_str(rest);
}

/// `{% widthratio value max width %}`: `str(round(value / max * width))`;
/// `"0"` for a zero maximum, `""` when a value is not a number. `width` is
/// Python's `int()` of the third argument; `None` fails the page, as in
/// Django.
pub fn widthratio(
    value: Option<f64>,
    max_value: Option<f64>,
    max_width: Option<i64>,
) -> Result<String, super::FilterError> {
    let Some(max_width) = max_width else {
        return Err(super::FilterError::new(
            "TemplateSyntaxError",
            "widthratio final argument must be a number",
        ));
    };
    let (Some(value), Some(max_value)) = (value, max_value) else {
        return Ok(String::new());
    };
    if max_value == 0.0 {
        return Ok("0".to_owned());
    }
    let ratio = (value / max_value) * max_width as f64;
    if !ratio.is_finite() {
        return Ok(String::new());
    }
    let rounded = ratio.round_ties_even();
    Ok(if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded:.0}")
    })
}

/// `int(value)` for `widthratio`'s width, from any value Python's `int()`
/// accepts.
pub fn py_int<T: ToPyInt + ?Sized>(value: &T) -> Option<i64> {
    value.to_py_int()
}

/// `{% now "format" %}`: the current time (UTC, Django's `TIME_ZONE`)
/// formatted with the `date` filter's format.
pub fn now(format: &str) -> Result<String, super::FilterError> {
    let now = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime();
    super::filters::dates::date(&now, Some(format))
}

/// `{% static "path" %}`: the path quoted and joined to `STATIC_URL`
/// (Python's `urljoin`): an absolute URL or path replaces the prefix.
pub fn static_url(prefix: &str, path: &str) -> String {
    let quoted = quote(path, "/");
    let has_scheme = quoted.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    if prefix.is_empty() || has_scheme || quoted.starts_with("//") {
        return quoted;
    }
    if quoted.starts_with('/') {
        // Keep the prefix's scheme and host, if it has them.
        let origin_end = prefix
            .find("://")
            .and_then(|at| prefix[at + 3..].find('/').map(|slash| at + 3 + slash))
            .unwrap_or(0);
        return format!("{}{quoted}", &prefix[..origin_end]);
    }
    let base = &prefix[..prefix.rfind('/').map_or(0, |at| at + 1)];
    format!("{base}{quoted}")
}

/// `{% csrf_token %}`: the hidden input with the token, escaped; nothing
/// for an empty token. Django 6 fails on its `NOTPROVIDED` token (its
/// `format_html("")` raises), and so does this.
pub fn csrf_input<T: DjangoStr + ?Sized>(
    out: &mut String,
    token: &T,
) -> Result<(), super::FilterError> {
    let token = token.django_str();
    if token == "NOTPROVIDED" {
        return Err(super::FilterError::new(
            "TypeError",
            "args or kwargs must be provided.",
        ));
    }
    if !token.is_empty() {
        out.push_str("<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"");
        escape_into(out, &token);
        out.push_str("\">");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_django() {
        let mut out = String::new();
        escape_text(&mut out, "<a href=\"x\">Tom & 'Jerry'</a> é");
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt; é"
        );
    }

    #[test]
    fn spaceless_removes_space_between_tags_only() {
        let mut out = String::new();
        spaceless(&mut out, "\n <p> <a>x y</a>\n\t</p> text <b>\n");
        assert_eq!(out, "<p><a>x y</a></p> text <b>");
    }

    #[test]
    fn widthratio_rounds_half_to_even() {
        assert_eq!(
            widthratio(Some(175.0), Some(200.0), Some(100)).unwrap(),
            "88"
        );
        assert_eq!(widthratio(Some(5.0), Some(2.0), Some(1)).unwrap(), "2");
        assert_eq!(widthratio(Some(1.0), Some(0.0), Some(100)).unwrap(), "0");
        assert_eq!(widthratio(None, Some(1.0), Some(100)).unwrap(), "");
        assert!(widthratio(Some(1.0), Some(1.0), None).is_err());
    }

    #[test]
    fn python_floats_parse() {
        assert_eq!(parse_py_float(" 1_000.5 "), Some(1000.5));
        assert_eq!(parse_py_float("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_py_float("1e3"), Some(1000.0));
        assert_eq!(parse_py_float("abc"), None);
        assert_eq!(parse_py_float(""), None);
    }

    #[test]
    fn static_urls_join_like_urljoin() {
        assert_eq!(static_url("", "a b.css"), "a%20b.css");
        assert_eq!(
            static_url("/static/", "css/site.css"),
            "/static/css/site.css"
        );
        assert_eq!(
            static_url("https://cdn.example/s/", "/x.js"),
            "https://cdn.example/x.js"
        );
        // `quote` encodes the colon, so a URL is a relative path, as in Django.
        assert_eq!(
            static_url("/static/", "https://x.org/a"),
            "/static/https%3A//x.org/a"
        );
    }

    #[test]
    fn loops_count_like_django() {
        let outer = ForLoop {
            counter0: 1,
            len: 3,
            parent: None,
        };
        let inner = ForLoop {
            counter0: 0,
            len: 1,
            parent: Some(&outer),
        };
        assert!(inner.first() && inner.last());
        assert_eq!(inner.parentloop().counter(), 2);
        assert_eq!(outer.revcounter0(), 1);
    }
}
