//! Running one statement on a SQLite connection (blocking).
//!
//! Input: a connection, the statement's SQLite text, its [`Value`]
//! parameters and what to fetch. Output: rows of [`Value`]s, a count of
//! affected rows, or an inserted row's id. Statements are prepared once per
//! connection (`prepare_cached`), and their column names are kept per
//! connection too ([`ColumnNames`]); values are bound, never interpolated.

use std::cell::RefCell;
use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{CachedStatement, Connection, Statement, StatementStatus, ToSql, params_from_iter};

use crate::db::database::{Fetch, Outcome};
use crate::db::error::DbError;
use crate::db::row::Row;
use crate::db::sql::{TextKey, TextKeyMap};
use crate::db::sqlite::errors::map_error;
use crate::db::temporal::{format_date, format_datetime};
use crate::db::value::Value;

/// The column names of the statements a connection has run, shared by the
/// rows of every run instead of allocated for each.
#[derive(Default)]
pub(crate) struct ColumnNames {
    /// The names, and the statement's re-prepare count when they were read.
    by_text: RefCell<TextKeyMap<(Arc<[String]>, i32)>>,
}

impl ColumnNames {
    /// The column names of `statement` (prepared from `text`), read after
    /// its first step. The kept ones serve while the statement is the one
    /// they were read from and SQLite has not prepared it again since (a
    /// schema change can give `SELECT *` other columns); a statement run for
    /// the first time (`fresh`: new, or prepared again after leaving the
    /// statement cache) is named anew.
    fn of(&self, text: &'static str, statement: &Statement<'_>, fresh: bool) -> Arc<[String]> {
        let key = TextKey::of(text);
        let reprepared = statement.get_status(StatementStatus::RePrepare);
        let mut by_text = self.by_text.borrow_mut();
        if !fresh
            && let Some((names, when)) = by_text.get(&key)
            && *when == reprepared
        {
            return Arc::clone(names);
        }
        let names: Arc<[String]> = statement.column_names().map(str::to_owned).collect();
        by_text.insert(key, (Arc::clone(&names), reprepared));
        names
    }
}

/// `text` prepared on `connection` (from its cache).
pub(crate) fn prepare<'c>(
    connection: &'c Connection,
    text: &str,
) -> Result<CachedStatement<'c>, DbError> {
    connection.prepare_cached(text).map_err(map_error)
}

/// Runs `text` with `params` on `connection`, whose column names `columns` keeps.
pub(crate) fn run(
    connection: &Connection,
    columns: &ColumnNames,
    text: &'static str,
    params: &[Value],
    fetch: Fetch,
) -> Result<Outcome, DbError> {
    run_prepared(
        connection,
        columns,
        text,
        prepare(connection, text)?,
        params,
        fetch,
    )
}

/// Runs `statement`, prepared from `text` on `connection`: see [`run`].
/// (Whether a prepared statement only reads is `statement.readonly()`:
/// such a statement can be interrupted and run again without changing
/// anything.)
pub(crate) fn run_prepared(
    connection: &Connection,
    columns: &ColumnNames,
    text: &'static str,
    mut statement: CachedStatement<'_>,
    params: &[Value],
    fetch: Fetch,
) -> Result<Outcome, DbError> {
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
    let mut rows = Vec::new();
    // Named after the first step, which prepares the statement again if the
    // schema changed since it was cached.
    let fresh = statement.get_status(StatementStatus::Run) == 0;
    let mut names: Option<Arc<[String]>> = None;
    let mut cursor = statement.query(bound).map_err(map_error)?;
    while let Some(row) = cursor.next().map_err(map_error)? {
        let names = names.get_or_insert_with(|| columns.of(text, row.as_ref(), fresh));
        let values = (0..names.len())
            .map(|index| row.get_ref(index).map_err(map_error).and_then(to_value))
            .collect::<Result<Vec<Value>, DbError>>()?;
        rows.push(Row::new(Arc::clone(names), values));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(outcome: Outcome) -> Vec<String> {
        match outcome {
            Outcome::Rows(rows) => rows[0].columns().to_vec(),
            other => panic!("rows expected, got {other:?}"),
        }
    }

    #[test]
    fn column_names_are_kept_until_the_schema_changes_them() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)")
            .unwrap();
        let columns = ColumnNames::default();
        const ALL: &str = "SELECT * FROM t";
        let first = run(&connection, &columns, ALL, &[], Fetch::Rows).unwrap();
        let Outcome::Rows(first) = first else {
            panic!("rows expected")
        };
        let again = run(&connection, &columns, ALL, &[], Fetch::Rows).unwrap();
        let Outcome::Rows(again) = again else {
            panic!("rows expected")
        };
        assert_eq!(first[0].columns(), ["a"]);
        assert!(
            std::ptr::eq(first[0].columns(), again[0].columns()),
            "the second run shares the first run's names"
        );
        connection
            .execute_batch("ALTER TABLE t ADD COLUMN b TEXT")
            .unwrap();
        let changed = run(&connection, &columns, ALL, &[], Fetch::Rows).unwrap();
        assert_eq!(names(changed), ["a", "b"]);
        // As many columns as before, under another name.
        connection
            .execute_batch("ALTER TABLE t RENAME COLUMN a TO c")
            .unwrap();
        let renamed = run(&connection, &columns, ALL, &[], Fetch::Rows).unwrap();
        assert_eq!(names(renamed), ["c", "b"]);
    }
}
