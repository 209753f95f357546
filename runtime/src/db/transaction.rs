//! A transaction: several statements that apply together or not at all.
//!
//! Input: a connection taken from the pool (on SQLite, the single writer)
//! by [`crate::db::Database::begin`]. Output: the same query methods as the
//! [`crate::db::Database`], then a commit or a rollback.
//!
//! Both backends behave alike: after a statement fails, the transaction is
//! aborted — later statements and `commit` fail and it rolls back (what
//! PostgreSQL does by itself; SQLite would carry on). Dropped without
//! `commit`, for instance when `?` returns early or the request is
//! cancelled, it rolls back.

use crate::db::counting::record_query;
use crate::db::database::{Backend, Fetch, Outcome, at_most_one, exactly_one};
use crate::db::error::DbError;
use crate::db::postgres::PostgresTransaction;
use crate::db::row::Row;
use crate::db::sql::{Dialect, Sql};
use crate::db::sqlite::SqliteTransaction;
use crate::db::value::Value;

/// An open transaction; see the module documentation.
pub struct Transaction {
    dialect: Dialect,
    connection: Connection,
    /// The error that aborted the transaction, if one did.
    failure: Option<DbError>,
}

enum Connection {
    Sqlite(SqliteTransaction),
    Postgres(PostgresTransaction),
}

impl Transaction {
    pub(crate) async fn begin(dialect: Dialect, backend: &Backend) -> Result<Transaction, DbError> {
        let connection = match backend {
            Backend::Sqlite(sqlite) => Connection::Sqlite(sqlite.begin().await?),
            Backend::Postgres(postgres) => Connection::Postgres(postgres.begin().await?),
        };
        Ok(Transaction {
            dialect,
            connection,
            failure: None,
        })
    }

    /// The dialect, which picks the text of each [`Sql`].
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// All rows of a statement (a `SELECT`, or a write with `RETURNING`).
    pub async fn query(&mut self, sql: &Sql, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.run(sql, params, Fetch::Rows).await?.into_rows()
    }

    /// The single row of a query: `NotFound` if there is none, an error if
    /// there are several.
    pub async fn query_one(&mut self, sql: &Sql, params: &[Value]) -> Result<Row, DbError> {
        exactly_one(self.query(sql, params).await?)
    }

    /// The row of a query, if any; an error if there are several.
    pub async fn query_opt(&mut self, sql: &Sql, params: &[Value]) -> Result<Option<Row>, DbError> {
        at_most_one(self.query(sql, params).await?)
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub async fn execute(&mut self, sql: &Sql, params: &[Value]) -> Result<u64, DbError> {
        self.run(sql, params, Fetch::Affected)
            .await?
            .into_affected()
    }

    /// Runs an insert and returns the new row's id (see
    /// [`crate::db::Database::insert_returning_id`]).
    pub async fn insert_returning_id(
        &mut self,
        sql: &Sql,
        params: &[Value],
    ) -> Result<i64, DbError> {
        self.run(sql, params, Fetch::InsertId)
            .await?
            .into_insert_id()
    }

    /// Makes the transaction's changes permanent. Fails, having rolled
    /// back, if a statement of the transaction failed before.
    pub async fn commit(self) -> Result<(), DbError> {
        if let Some(failure) = &self.failure {
            let error = aborted(failure);
            self.rollback().await?;
            return Err(error);
        }
        self.finish("COMMIT").await
    }

    /// Undoes the transaction's changes.
    pub async fn rollback(self) -> Result<(), DbError> {
        self.finish("ROLLBACK").await
    }

    async fn finish(self, statement: &'static str) -> Result<(), DbError> {
        match self.connection {
            Connection::Sqlite(sqlite) => sqlite.finish(statement).await,
            Connection::Postgres(postgres) => postgres.finish(statement).await,
        }
    }

    async fn run(&mut self, sql: &Sql, params: &[Value], fetch: Fetch) -> Result<Outcome, DbError> {
        if let Some(failure) = &self.failure {
            return Err(aborted(failure));
        }
        record_query();
        let text = sql.text(self.dialect);
        let outcome = match &mut self.connection {
            Connection::Sqlite(sqlite) => sqlite.run(text, params, fetch).await,
            Connection::Postgres(postgres) => postgres.run(text, params, fetch).await,
        };
        if let Err(error) = &outcome {
            self.failure = Some(error.clone());
        }
        outcome
    }
}

fn aborted(failure: &DbError) -> DbError {
    DbError::other(format!(
        "the transaction was aborted by an earlier error ({failure}) and rolled back"
    ))
}
