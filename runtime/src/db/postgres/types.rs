//! [`Value`] ⇄ PostgreSQL types.
//!
//! Input: a [`Value`] and the type PostgreSQL inferred for a parameter when
//! the statement was prepared; or a column's type and its binary value.
//! Output: the binary encoding PostgreSQL expects; or a [`Value`]. Because
//! the server states each parameter's type, one `Value` variant can go to
//! several column types (`Int` to `bigint`, `integer`, `smallint`,
//! `numeric`; `DateTime` to `timestamp` and `timestamptz`) and a value that
//! fits none is a clear error rather than a silent conversion.

use std::error::Error;
use std::fmt;

use bytes::BytesMut;
use jiff::tz::TimeZone;
use tokio_postgres::types::{FromSql, IsNull, Json, ToSql, Type, to_sql_checked};

use crate::db::decimal::{decimal_from_f64, normalize_decimal};
use crate::db::postgres::numeric;
use crate::db::value::Value;

/// A value that does not fit its parameter or column type.
#[derive(Debug)]
pub(crate) struct ConversionError(pub(crate) String);

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for ConversionError {}

type BoxError = Box<dyn Error + Sync + Send>;

/// The text-like types a `Text` value binds to and is read from.
fn is_text(ty: &Type) -> bool {
    <&str as ToSql>::accepts(ty)
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let mismatch = || -> BoxError {
            Box::new(ConversionError(format!(
                "cannot bind a {} value to a parameter of PostgreSQL type {ty}",
                self.type_name()
            )))
        };
        Ok(match self {
            Value::Null => IsNull::Yes,
            Value::Bool(flag) if *ty == Type::BOOL => flag.to_sql(ty, out)?,
            Value::Int(number) => match *ty {
                Type::INT8 => number.to_sql(ty, out)?,
                Type::INT4 => i32::try_from(*number)
                    .map_err(|_| out_of_range(*number, ty))?
                    .to_sql(ty, out)?,
                Type::INT2 => i16::try_from(*number)
                    .map_err(|_| out_of_range(*number, ty))?
                    .to_sql(ty, out)?,
                Type::FLOAT8 => (*number as f64).to_sql(ty, out)?,
                Type::NUMERIC => put_numeric(&number.to_string(), out)?,
                _ => return Err(mismatch()),
            },
            Value::Float(number) => match *ty {
                Type::FLOAT8 => number.to_sql(ty, out)?,
                Type::FLOAT4 => (*number as f32).to_sql(ty, out)?,
                Type::NUMERIC => {
                    put_numeric(&decimal_from_f64(*number).ok_or_else(mismatch)?, out)?
                }
                _ => return Err(mismatch()),
            },
            Value::Decimal(text) => match *ty {
                Type::NUMERIC => put_numeric(text, out)?,
                Type::FLOAT8 => text.parse::<f64>()?.to_sql(ty, out)?,
                _ if is_text(ty) => text.as_str().to_sql(ty, out)?,
                _ => return Err(mismatch()),
            },
            Value::Text(text) if is_text(ty) => text.as_str().to_sql(ty, out)?,
            Value::Date(date) if *ty == Type::DATE => date.to_sql(ty, out)?,
            Value::DateTime(datetime) => match *ty {
                Type::TIMESTAMP => datetime.to_sql(ty, out)?,
                Type::TIMESTAMPTZ => TimeZone::UTC.to_timestamp(*datetime)?.to_sql(ty, out)?,
                _ => return Err(mismatch()),
            },
            Value::Uuid(uuid) if *ty == Type::UUID => uuid.to_sql(ty, out)?,
            Value::Uuid(uuid) if is_text(ty) => uuid.hyphenated().to_string().to_sql(ty, out)?,
            Value::Json(json) if matches!(*ty, Type::JSON | Type::JSONB) => {
                Json(json).to_sql(ty, out)?
            }
            Value::Bytes(bytes) if *ty == Type::BYTEA => bytes.as_slice().to_sql(ty, out)?,
            _ => return Err(mismatch()),
        })
    }

    fn accepts(ty: &Type) -> bool {
        is_text(ty)
            || matches!(
                *ty,
                Type::BOOL
                    | Type::INT2
                    | Type::INT4
                    | Type::INT8
                    | Type::FLOAT4
                    | Type::FLOAT8
                    | Type::NUMERIC
                    | Type::DATE
                    | Type::TIMESTAMP
                    | Type::TIMESTAMPTZ
                    | Type::UUID
                    | Type::JSON
                    | Type::JSONB
                    | Type::BYTEA
            )
    }

    to_sql_checked!();
}

fn out_of_range(number: i64, ty: &Type) -> ConversionError {
    ConversionError(format!("{number} is out of range for PostgreSQL type {ty}"))
}

fn put_numeric(text: &str, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    let canonical = normalize_decimal(text)
        .ok_or_else(|| ConversionError(format!("`{text}` is not a decimal number")))?;
    let bytes = numeric::encode(&canonical)
        .ok_or_else(|| ConversionError(format!("`{text}` is too long for a numeric")))?;
    out.extend_from_slice(&bytes);
    Ok(IsNull::No)
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Value, BoxError> {
        Ok(match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Float(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Float(f64::from_sql(ty, raw)?),
            Type::NUMERIC => Value::Decimal(numeric::decode(raw).map_err(ConversionError)?),
            Type::DATE => Value::Date(FromSql::from_sql(ty, raw)?),
            Type::TIMESTAMP => Value::DateTime(FromSql::from_sql(ty, raw)?),
            Type::TIMESTAMPTZ => {
                Value::DateTime(TimeZone::UTC.to_datetime(jiff::Timestamp::from_sql(ty, raw)?))
            }
            Type::UUID => Value::Uuid(FromSql::from_sql(ty, raw)?),
            Type::JSON | Type::JSONB => {
                Value::Json(Json::<serde_json::Value>::from_sql(ty, raw)?.0)
            }
            Type::BYTEA => Value::Bytes(raw.to_vec()),
            _ => Value::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Value, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(ty: &Type) -> bool {
        <Value as ToSql>::accepts(ty)
    }
}
