//! Template values as JSON for the `json_script` filter, written as
//! Django's `DjangoJSONEncoder` does (dict keys in insertion order, dates in
//! ISO 8601).
//!
//! Input: any value generated code holds, through [`ToJson`]. Output: a
//! [`Json`] value, which serde serializes.

use std::borrow::Cow;

use jiff::civil::{Date, DateTime};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::display::Either;
use super::escape::Safe;
use super::filters::dates::{Temporal, json_isoformat};

/// A template value as `json_script` serializes it (Django's
/// `DjangoJSONEncoder`, dict keys in insertion order).
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A float.
    Float(f64),
    /// A string (dates as ISO 8601).
    Str(Cow<'a, str>),
    /// An array.
    List(Vec<Json<'a>>),
    /// An object.
    Map(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(flag) => serializer.serialize_bool(*flag),
            Json::Int(int) => serializer.serialize_i128(*int),
            Json::Float(float) => serializer.serialize_f64(*float),
            Json::Str(text) => serializer.serialize_str(text),
            Json::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key.as_ref(), value)?;
                }
                map.end()
            }
        }
    }
}

/// Conversion to [`Json`] for `json_script`.
pub trait ToJson {
    /// The value as JSON.
    fn to_json(&self) -> Json<'_>;
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Json<'_> {
        (**self).to_json()
    }
}

impl ToJson for str {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Borrowed(self))
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Borrowed(self))
    }
}

impl ToJson for Cow<'_, str> {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Borrowed(self))
    }
}

impl<T: ToJson> ToJson for Safe<T> {
    fn to_json(&self) -> Json<'_> {
        self.0.to_json()
    }
}

macro_rules! int_json {
    ($($int:ty),*) => {$(
        impl ToJson for $int {
            fn to_json(&self) -> Json<'_> {
                Json::Int(i128::try_from(*self).unwrap_or(i128::MAX))
            }
        }
    )*};
}

int_json!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl ToJson for f64 {
    fn to_json(&self) -> Json<'_> {
        Json::Float(*self)
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Json<'_> {
        Json::Bool(*self)
    }
}

impl ToJson for () {
    fn to_json(&self) -> Json<'_> {
        Json::Null
    }
}

impl ToJson for Date {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Owned(json_isoformat(&Temporal::Date(*self))))
    }
}

impl ToJson for DateTime {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Owned(json_isoformat(&Temporal::DateTime(*self))))
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json<'_> {
        self.as_ref().map_or(Json::Null, ToJson::to_json)
    }
}

impl<L: ToJson, R: ToJson> ToJson for Either<L, R> {
    fn to_json(&self) -> Json<'_> {
        match self {
            Either::Left(value) => value.to_json(),
            Either::Right(value) => value.to_json(),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json<'_> {
        Json::List(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json<'_> {
        self.as_slice().to_json()
    }
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn to_json(&self) -> Json<'_> {
        Json::List(vec![self.0.to_json(), self.1.to_json()])
    }
}

impl ToJson for serde_json::Value {
    fn to_json(&self) -> Json<'_> {
        use serde_json::Value;
        match self {
            Value::Null => Json::Null,
            Value::Bool(flag) => Json::Bool(*flag),
            Value::Number(number) => match (number.as_i64(), number.as_u64()) {
                (Some(int), _) => Json::Int(i128::from(int)),
                (None, Some(int)) => Json::Int(i128::from(int)),
                _ => Json::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(text) => Json::Str(Cow::Borrowed(text)),
            Value::Array(items) => Json::List(items.iter().map(ToJson::to_json).collect()),
            Value::Object(entries) => Json::Map(
                entries
                    .iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), value.to_json()))
                    .collect(),
            ),
        }
    }
}
