//! The values that cross the database boundary, in both directions.
//!
//! Input: Rust values generated code binds as parameters. Output: a
//! [`Value`] each backend converts to its own storage (see the backend
//! modules for the column types each variant maps to). Rows come back as
//! `Value`s too (see [`crate::db::Row`]), so the API has one non-generic
//! shape for every model.

use jiff::civil::{Date, DateTime};
use uuid::Uuid;

use crate::db::decimal::normalize_decimal;
use crate::db::error::DbError;

/// One SQL value.
///
/// | variant | SQLite storage | PostgreSQL type |
/// | --- | --- | --- |
/// | `Null` | `NULL` | `NULL` |
/// | `Bool` | integer 0 / 1 | `boolean` |
/// | `Int` | integer | `bigint` (also `integer`, `smallint` when in range) |
/// | `Float` | real | `double precision` (also `real`) |
/// | `Text` | text | `text`, `varchar`, `char` |
/// | `Decimal` | text (or real, read back exactly as written) | `numeric` |
/// | `Date` | text `YYYY-MM-DD` | `date` |
/// | `DateTime` | text `YYYY-MM-DD HH:MM:SS[.ffffff]` | `timestamp`, or `timestamptz` read and written as UTC |
/// | `Uuid` | text, lower-case hyphenated | `uuid` |
/// | `Json` | text | `jsonb`, `json` |
/// | `Bytes` | blob | `bytea` |
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer (every integer column).
    Int(i64),
    /// A double-precision float.
    Float(f64),
    /// Text.
    Text(String),
    /// An exact decimal in canonical text form (see [`normalize_decimal`];
    /// build one with [`Value::decimal`]).
    Decimal(String),
    /// A calendar date.
    Date(Date),
    /// A date and time of day. For `datetime` fields this is the UTC wall
    /// clock of the instant (djinn stores instants in UTC, like Django's
    /// `USE_TZ = True`), to microsecond precision.
    DateTime(DateTime),
    /// A UUID.
    Uuid(Uuid),
    /// A JSON document (a JSON `null` here is not SQL `NULL`).
    Json(serde_json::Value),
    /// Binary data.
    Bytes(Vec<u8>),
}

impl Value {
    /// A [`Value::Decimal`] from decimal text (`"9.99"`, `"-0.5"`), in
    /// canonical form; a `Decode` error if `text` is not a plain decimal.
    pub fn decimal(text: &str) -> Result<Value, DbError> {
        normalize_decimal(text)
            .map(Value::Decimal)
            .ok_or_else(|| DbError::decode(format!("`{text}` is not a decimal number")))
    }

    /// The variant's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Text(_) => "text",
            Value::Decimal(_) => "decimal",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Uuid(_) => "uuid",
            Value::Json(_) => "json",
            Value::Bytes(_) => "bytes",
        }
    }

    /// Whether this is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<i32> for Value {
    fn from(value: i32) -> Value {
        Value::Int(i64::from(value))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(value)
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Float(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(value.to_owned())
    }
}

impl From<Date> for Value {
    fn from(value: Date) -> Value {
        Value::Date(value)
    }
}

impl From<DateTime> for Value {
    fn from(value: DateTime) -> Value {
        Value::DateTime(value)
    }
}

impl From<Uuid> for Value {
    fn from(value: Uuid) -> Value {
        Value::Uuid(value)
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Value {
        Value::Json(value)
    }
}

impl From<Vec<u8>> for Value {
    fn from(value: Vec<u8>) -> Value {
        Value::Bytes(value)
    }
}

/// `None` is SQL `NULL`.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_canonical_and_validated() {
        assert_eq!(
            Value::decimal("010.50"),
            Ok(Value::Decimal("10.50".to_owned()))
        );
        let error = Value::decimal("ten").unwrap_err();
        assert_eq!(*error.kind(), crate::db::DbErrorKind::Decode);
    }

    #[test]
    fn options_become_null_or_the_value() {
        assert_eq!(Value::from(None::<i64>), Value::Null);
        assert_eq!(Value::from(Some("x")), Value::Text("x".to_owned()));
        assert_eq!(Value::from(7_i32), Value::Int(7));
    }
}
