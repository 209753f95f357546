//! A result row and its typed getters.
//!
//! Input: the column names of a statement and one row of [`Value`]s, decoded
//! by a backend. Output: typed values by column index for generated code
//! (`get_i64(0)`, `get_opt_text(3)`, …), each returning a `Decode`
//! [`DbError`] — never panicking — when the value does not fit.
//!
//! The getters accept every storage a backend may return for the type:
//! SQLite has no boolean, date, UUID or JSON storage, so `get_bool` takes
//! the integers 0 and 1, `get_datetime` parses text, and so on.

use std::sync::Arc;

use jiff::civil::{Date, DateTime};
use uuid::Uuid;

use crate::db::decimal::{decimal_from_f64, normalize_decimal};
use crate::db::error::DbError;
use crate::db::temporal::{parse_date, parse_datetime};
use crate::db::value::Value;

/// One row of a query result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

/// Defines `get_X` (NULL is an error) and `get_opt_X` (NULL is `None`)
/// from one conversion of a non-NULL value.
macro_rules! getters {
    ($( $(#[$doc:meta])* $get:ident, $get_opt:ident -> $ty:ty = $convert:expr; )*) => {$(
        $(#[$doc])*
        pub fn $get(&self, index: usize) -> Result<$ty, DbError> {
            match self.value(index)? {
                Value::Null => Err(self.mismatch(index, stringify!($ty))),
                value => $convert(value).ok_or_else(|| self.mismatch(index, stringify!($ty))),
            }
        }

        #[doc = concat!("Like [`Row::", stringify!($get), "`], with SQL `NULL` as `None`.")]
        pub fn $get_opt(&self, index: usize) -> Result<Option<$ty>, DbError> {
            match self.value(index)? {
                Value::Null => Ok(None),
                _ => self.$get(index).map(Some),
            }
        }
    )*};
}

impl Row {
    /// A row of `values` under `columns` (one name per value).
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The values, in column order, taken out of the row.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The value in column `index`, whatever its type.
    pub fn value(&self, index: usize) -> Result<&Value, DbError> {
        self.values.get(index).ok_or_else(|| {
            DbError::decode(format!(
                "no column {index}: the row has {} columns",
                self.values.len()
            ))
        })
    }

    /// Whether column `index` is SQL `NULL`.
    pub fn is_null(&self, index: usize) -> Result<bool, DbError> {
        self.value(index).map(Value::is_null)
    }

    getters! {
        /// A boolean (SQLite: the integers 0 and 1).
        get_bool, get_opt_bool -> bool = |value: &Value| match value {
            Value::Bool(flag) => Some(*flag),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        };
        /// A 64-bit integer (also from a whole decimal, such as
        /// PostgreSQL's `sum` of integers).
        get_i64, get_opt_i64 -> i64 = |value: &Value| match value {
            Value::Int(number) => Some(*number),
            Value::Decimal(text) => whole_decimal(text),
            _ => None,
        };
        /// A 32-bit integer (an `int` field); out of range is an error.
        get_i32, get_opt_i32 -> i32 = |value: &Value| match value {
            Value::Int(number) => i32::try_from(*number).ok(),
            Value::Decimal(text) => whole_decimal(text).and_then(|number| i32::try_from(number).ok()),
            _ => None,
        };
        /// A float (also from an integer, or from a decimal such as
        /// PostgreSQL's `avg` result).
        get_f64, get_opt_f64 -> f64 = |value: &Value| match value {
            Value::Float(number) => Some(*number),
            Value::Int(number) => Some(*number as f64),
            Value::Decimal(text) => text.parse().ok(),
            _ => None,
        };
        /// Text.
        get_text, get_opt_text -> String = |value: &Value| match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        };
        /// An exact decimal in canonical text form (SQLite: also integer,
        /// real or text storage).
        get_decimal, get_opt_decimal -> String = |value: &Value| match value {
            Value::Decimal(text) => Some(text.clone()),
            Value::Text(text) => normalize_decimal(text),
            Value::Int(number) => Some(number.to_string()),
            Value::Float(number) => decimal_from_f64(*number),
            _ => None,
        };
        /// A date (SQLite: text `YYYY-MM-DD`).
        get_date, get_opt_date -> Date = |value: &Value| match value {
            Value::Date(date) => Some(*date),
            Value::Text(text) => parse_date(text),
            _ => None,
        };
        /// A datetime, as the UTC wall clock for instants (SQLite: text
        /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, with `T` or an offset accepted).
        get_datetime, get_opt_datetime -> DateTime = |value: &Value| match value {
            Value::DateTime(datetime) => Some(*datetime),
            Value::Text(text) => parse_datetime(text),
            _ => None,
        };
        /// A UUID (SQLite: text, or a 16-byte blob).
        get_uuid, get_opt_uuid -> Uuid = |value: &Value| match value {
            Value::Uuid(uuid) => Some(*uuid),
            Value::Text(text) => Uuid::parse_str(text).ok(),
            Value::Bytes(bytes) => Uuid::from_slice(bytes).ok(),
            _ => None,
        };
        /// A JSON document (SQLite: text).
        get_json, get_opt_json -> serde_json::Value = |value: &Value| match value {
            Value::Json(json) => Some(json.clone()),
            Value::Text(text) => serde_json::from_str(text).ok(),
            _ => None,
        };
        /// Binary data.
        get_bytes, get_opt_bytes -> Vec<u8> = |value: &Value| match value {
            Value::Bytes(bytes) => Some(bytes.clone()),
            _ => None,
        };
    }

    fn mismatch(&self, index: usize, wanted: &str) -> DbError {
        let name = self.columns.get(index).map_or("?", String::as_str);
        let found = match &self.values[index] {
            Value::Text(text) if text.chars().count() <= 40 => format!("text `{text}`"),
            value => value.type_name().to_owned(),
        };
        DbError::decode(format!(
            "column {index} (`{name}`) holds {found}, not a {wanted}"
        ))
    }
}

/// The integer a canonical decimal with no fraction (or a zero one) stands for.
fn whole_decimal(text: &str) -> Option<i64> {
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    fraction
        .bytes()
        .all(|digit| digit == b'0')
        .then(|| integer.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::db::DbErrorKind;

    fn row(values: Vec<Value>) -> Row {
        let columns: Vec<String> = (0..values.len()).map(|index| format!("c{index}")).collect();
        Row::new(columns.into(), values)
    }

    #[test]
    fn sqlite_storage_converts_to_the_wanted_type() {
        let row = row(vec![
            Value::Int(1),
            Value::Text("2024-01-31 09:30:00.5".to_owned()),
            Value::Text("67e55044-10b1-426f-9247-bb680e5fe0c8".to_owned()),
            Value::Text("{\"a\": [1, 2]}".to_owned()),
            Value::Float(9.99),
            Value::Text("2024-02-29".to_owned()),
        ]);
        assert_eq!(row.get_bool(0), Ok(true));
        assert_eq!(
            row.get_datetime(1),
            Ok(date(2024, 1, 31).at(9, 30, 0, 500_000_000))
        );
        assert_eq!(
            row.get_uuid(2).unwrap().to_string(),
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
        assert_eq!(row.get_json(3), Ok(serde_json::json!({"a": [1, 2]})));
        assert_eq!(row.get_decimal(4).as_deref(), Ok("9.99"));
        assert_eq!(row.get_date(5), Ok(date(2024, 2, 29)));
    }

    #[test]
    fn mismatches_and_nulls_are_errors_not_panics() {
        let row = row(vec![
            Value::Null,
            Value::Text("abc".to_owned()),
            Value::Int(1 << 40),
        ]);
        assert_eq!(row.get_opt_i64(0), Ok(None));
        let null = row.get_i64(0).unwrap_err();
        assert_eq!(*null.kind(), DbErrorKind::Decode);
        assert_eq!(null.message(), "column 0 (`c0`) holds NULL, not a i64");
        assert_eq!(
            row.get_i64(1).unwrap_err().message(),
            "column 1 (`c1`) holds text `abc`, not a i64"
        );
        assert!(row.get_opt_i64(1).is_err());
        assert!(row.get_i32(2).is_err(), "out of range for an int field");
        let sums = super::Row::new(
            vec!["a".to_owned(), "b".to_owned()].into(),
            vec![
                Value::Decimal("42.00".to_owned()),
                Value::Decimal("4.5".to_owned()),
            ],
        );
        assert_eq!(sums.get_i64(0), Ok(42));
        assert!(sums.get_i64(1).is_err(), "a fraction is not an integer");
        assert_eq!(
            row.get_text(9).unwrap_err().message(),
            "no column 9: the row has 3 columns"
        );
    }
}
