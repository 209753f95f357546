//! Running one statement on a SQLite connection (blocking).
//!
//! Input: a connection, the statement's SQLite text, its [`Value`]
//! parameters and what to fetch. Output: rows of [`Value`]s, a count of
//! affected rows, or an inserted row's id. Statements are prepared once per
//! connection (`prepare_cached`); values are bound, never interpolated.

use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use crate::db::database::{Fetch, Outcome};
use crate::db::error::DbError;
use crate::db::row::Row;
use crate::db::sqlite::errors::map_error;
use crate::db::temporal::{format_date, format_datetime};
use crate::db::value::Value;

/// Whether `text` only reads (`sqlite3_stmt_readonly`): such a statement
/// can be interrupted and run again without changing anything.
pub(crate) fn is_read_only(connection: &Connection, text: &str) -> Result<bool, DbError> {
    Ok(connection
        .prepare_cached(text)
        .map_err(map_error)?
        .readonly())
}

/// Runs `text` with `params` on `connection`.
pub(crate) fn run(
    connection: &Connection,
    text: &str,
    params: &[Value],
    fetch: Fetch,
) -> Result<Outcome, DbError> {
    let mut statement = connection.prepare_cached(text).map_err(map_error)?;
    let bound = params_from_iter(params.iter().map(Param));
    if fetch == Fetch::Affected {
        if statement.column_count() == 0 {
            let affected = statement.execute(bound).map_err(map_error)?;
            return Ok(Outcome::Affected(affected as u64));
        }
        // A write with `RETURNING`: step through its rows, as PostgreSQL does.
        let mut cursor = statement.query(bound).map_err(map_error)?;
        while cursor.next().map_err(map_error)?.is_some() {}
        return Ok(Outcome::Affected(connection.changes()));
    }
    let columns: Arc<[String]> = statement.column_names().map(str::to_owned).collect();
    let mut rows = Vec::new();
    let mut cursor = statement.query(bound).map_err(map_error)?;
    while let Some(row) = cursor.next().map_err(map_error)? {
        let values = (0..columns.len())
            .map(|index| row.get_ref(index).map_err(map_error).and_then(to_value))
            .collect::<Result<Vec<Value>, DbError>>()?;
        rows.push(Row::new(Arc::clone(&columns), values));
    }
    Ok(match fetch {
        // `INSERT … RETURNING id` returns it; a plain insert has the rowid.
        Fetch::InsertId => Outcome::InsertId(match rows.first() {
            Some(row) => row.get_i64(0)?,
            None => connection.last_insert_rowid(),
        }),
        Fetch::Rows | Fetch::Affected => Outcome::Rows(rows),
    })
}

/// A SQLite value read back: SQLite has five storage classes only; the
/// typed getters of [`Row`] turn them into dates, booleans, UUIDs…
fn to_value(value: ValueRef<'_>) -> Result<Value, DbError> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Int(number),
        ValueRef::Real(number) => Value::Float(number),
        ValueRef::Text(bytes) => Value::Text(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| DbError::decode("SQLite returned text that is not UTF-8"))?,
        ),
        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
    })
}

/// A [`Value`] bound as a SQLite parameter, in the storage the table in
/// [`Value`]'s documentation gives.
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(flag) => ToSqlOutput::Owned(Owned::Integer(i64::from(*flag))),
            Value::Int(number) => ToSqlOutput::Owned(Owned::Integer(*number)),
            Value::Float(number) => ToSqlOutput::Owned(Owned::Real(*number)),
            Value::Text(text) | Value::Decimal(text) => {
                ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes()))
            }
            Value::Date(date) => ToSqlOutput::Owned(Owned::Text(format_date(*date))),
            Value::DateTime(datetime) => {
                ToSqlOutput::Owned(Owned::Text(format_datetime(*datetime)))
            }
            Value::Uuid(uuid) => ToSqlOutput::Owned(Owned::Text(uuid.hyphenated().to_string())),
            Value::Json(json) => ToSqlOutput::Owned(Owned::Text(json.to_string())),
            Value::Bytes(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}
