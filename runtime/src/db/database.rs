//! The database handle generated code calls.
//!
//! Input: a database URL (`sqlite://PATH`, `sqlite::memory:`,
//! `postgres://…`, `postgresql://…`) and [`DbOptions`]; then [`Sql`]
//! statements with bound [`Value`] parameters. Output: [`Row`]s, affected
//! row counts, inserted ids, [`Transaction`]s; failures as [`DbError`]s.
//!
//! The API is deliberately not generic: every model and view of a
//! generated crate goes through the same few compiled functions, so a
//! rebuild compiles only the generated code.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::db::counting::record_query;
use crate::db::error::DbError;
use crate::db::postgres::PostgresDatabase;
use crate::db::row::Row;
use crate::db::sql::{Dialect, Sql};
use crate::db::sqlite::{Location, SqliteDatabase};
use crate::db::transaction::Transaction;
use crate::db::value::Value;

/// Connection settings; the defaults suit a small server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbOptions {
    /// PostgreSQL: the size of the pool transactions take their connection
    /// from; statements outside transactions share up to one more
    /// connection per core (no more than this number), pipelined. SQLite:
    /// the number of reader connections (there is always exactly one
    /// writer).
    pub max_connections: usize,
    /// How long a statement waits for a free connection (and PostgreSQL for
    /// a new connection to open) before failing with `Connection`.
    pub acquire_timeout: Duration,
    /// SQLite: how long a connection waits for another process's lock
    /// before failing with `SQLITE_BUSY`.
    pub busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> DbOptions {
        DbOptions {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// What a backend should return for a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fetch {
    /// The result rows.
    Rows,
    /// The number of rows changed.
    Affected,
    /// The id of the inserted row: the first column of the first returned
    /// row, or (SQLite, no rows returned) the last inserted rowid.
    InsertId,
}

/// What a backend returned, matching the [`Fetch`] asked for.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// For [`Fetch::Rows`].
    Rows(Vec<Row>),
    /// For [`Fetch::Affected`].
    Affected(u64),
    /// For [`Fetch::InsertId`].
    InsertId(i64),
}

impl Outcome {
    pub(crate) fn into_rows(self) -> Result<Vec<Row>, DbError> {
        match self {
            Outcome::Rows(rows) => Ok(rows),
            other => Err(other.mismatch("rows")),
        }
    }

    pub(crate) fn into_affected(self) -> Result<u64, DbError> {
        match self {
            Outcome::Affected(count) => Ok(count),
            other => Err(other.mismatch("a row count")),
        }
    }

    pub(crate) fn into_insert_id(self) -> Result<i64, DbError> {
        match self {
            Outcome::InsertId(id) => Ok(id),
            other => Err(other.mismatch("an inserted id")),
        }
    }

    fn mismatch(&self, wanted: &str) -> DbError {
        DbError::other(format!(
            "the backend returned {self:?} where {wanted} was expected"
        ))
    }
}

/// The one row of `rows`: `NotFound` for none, an error for several.
pub(crate) fn exactly_one(rows: Vec<Row>) -> Result<Row, DbError> {
    at_most_one(rows)?.ok_or_else(|| DbError::not_found("the query returned no row"))
}

/// The row of `rows`, if any: an error for several.
pub(crate) fn at_most_one(rows: Vec<Row>) -> Result<Option<Row>, DbError> {
    if rows.len() > 1 {
        return Err(DbError::other(format!(
            "the query returned {} rows where at most one was expected",
            rows.len()
        )));
    }
    Ok(rows.into_iter().next())
}

pub(crate) enum Backend {
    Sqlite(SqliteDatabase),
    Postgres(PostgresDatabase),
}

/// A connected database: a cheap, cloneable handle to its pool.
///
/// Generated `main` connects once and shares it with every view through
/// [`crate::App::with_state`]; a view gets it back with
/// `request.state::<Database>()`.
#[derive(Clone)]
pub struct Database {
    backend: Arc<Backend>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("dialect", &self.dialect())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects with the default [`DbOptions`]. See [`Database::connect_with`].
    pub async fn connect(url: &str) -> Result<Database, DbError> {
        Database::connect_with(url, &DbOptions::default()).await
    }

    /// Connects to `url`:
    /// - `sqlite://PATH` (relative), `sqlite:///PATH` (absolute) or
    ///   `sqlite:PATH`: a SQLite file, created if missing, in WAL mode;
    /// - `sqlite::memory:`: a private in-memory SQLite database, gone when
    ///   the last clone of the handle is dropped;
    /// - `postgres://…` or `postgresql://…`: PostgreSQL (libpq URL syntax;
    ///   `sslmode` as described in the TLS notes of `docs/runtime.md`).
    ///
    /// PostgreSQL is contacted once here, so an unreachable server fails now.
    pub async fn connect_with(url: &str, options: &DbOptions) -> Result<Database, DbError> {
        let backend = if let Some(location) = Location::from_url(url) {
            Backend::Sqlite(SqliteDatabase::open(location, options).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(PostgresDatabase::connect(url, options).await?)
        } else {
            // Only the scheme: the rest may hold a password.
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            return Err(DbError::connection(format!(
                "unsupported database URL scheme `{scheme}`: use sqlite://PATH, sqlite::memory: or postgres://…"
            )));
        };
        Ok(Database {
            backend: Arc::new(backend),
        })
    }

    /// The dialect, which picks the text of each [`Sql`].
    pub fn dialect(&self) -> Dialect {
        match *self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// All rows of a query. On SQLite this runs on a reader connection,
    /// which refuses writes: run `INSERT … RETURNING` in a [`Transaction`].
    pub async fn query(&self, sql: &Sql, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.run(sql, params, Fetch::Rows).await?.into_rows()
    }

    /// The single row of a query: `NotFound` if there is none, an error if
    /// there are several.
    pub async fn query_one(&self, sql: &Sql, params: &[Value]) -> Result<Row, DbError> {
        exactly_one(self.query(sql, params).await?)
    }

    /// The row of a query, if any; an error if there are several.
    pub async fn query_opt(&self, sql: &Sql, params: &[Value]) -> Result<Option<Row>, DbError> {
        at_most_one(self.query(sql, params).await?)
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub async fn execute(&self, sql: &Sql, params: &[Value]) -> Result<u64, DbError> {
        self.run(sql, params, Fetch::Affected)
            .await?
            .into_affected()
    }

    /// Runs an insert and returns the new row's id: the first column of the
    /// row it returns (write `RETURNING id`; required on PostgreSQL), or on
    /// SQLite without `RETURNING`, the rowid.
    pub async fn insert_returning_id(&self, sql: &Sql, params: &[Value]) -> Result<i64, DbError> {
        self.run(sql, params, Fetch::InsertId)
            .await?
            .into_insert_id()
    }

    /// Starts a transaction. It holds its connection (on SQLite, the single
    /// writer) until [`Transaction::commit`] or [`Transaction::rollback`];
    /// dropped without either, it rolls back. Do not use the `Database`
    /// handle for writes while holding a transaction in the same task: on
    /// SQLite that write would wait for the writer this transaction holds.
    pub async fn begin(&self) -> Result<Transaction, DbError> {
        Transaction::begin(self.dialect(), &self.backend).await
    }

    /// Runs `work` in a transaction: committed if it returns `Ok`, rolled
    /// back if it returns `Err` (whose error is returned).
    ///
    /// ```no_run
    /// # async fn example(db: djinn_runtime::db::Database) -> Result<(), djinn_runtime::db::DbError> {
    /// use djinn_runtime::db::{Sql, Value};
    ///
    /// const DEBIT: Sql = Sql::new(
    ///     "UPDATE account SET balance = balance - ?1 WHERE id = ?2",
    ///     "UPDATE account SET balance = balance - $1 WHERE id = $2",
    /// );
    /// const CREDIT: Sql = Sql::new(
    ///     "UPDATE account SET balance = balance + ?1 WHERE id = ?2",
    ///     "UPDATE account SET balance = balance + $1 WHERE id = $2",
    /// );
    /// db.transaction(|tx| {
    ///     Box::pin(async move {
    ///         tx.execute(&DEBIT, &[Value::Int(10), Value::Int(1)]).await?;
    ///         tx.execute(&CREDIT, &[Value::Int(10), Value::Int(2)]).await?;
    ///         Ok::<_, djinn_runtime::db::DbError>(())
    ///     })
    /// })
    /// .await
    /// # }
    /// ```
    pub async fn transaction<T, E, F>(&self, work: F) -> Result<T, E>
    where
        E: From<DbError>,
        F: for<'t> FnOnce(&'t mut Transaction) -> BoxFuture<'t, Result<T, E>>,
    {
        let mut transaction = self.begin().await?;
        match work(&mut transaction).await {
            Ok(value) => {
                transaction.commit().await?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) = transaction.rollback().await {
                    tracing::error!(%rollback, "rolling back a failed transaction failed");
                }
                Err(error)
            }
        }
    }

    /// Runs DDL `statements` in one transaction: all apply, or none.
    /// Each [`Sql`] may hold several `;`-separated statements but no
    /// parameters. (Recording applied migrations is a later layer.)
    pub async fn apply_schema(&self, statements: &[&Sql]) -> Result<(), DbError> {
        let dialect = self.dialect();
        let texts: Vec<&'static str> = statements.iter().map(|sql| sql.text(dialect)).collect();
        texts.iter().for_each(|_| record_query());
        match &*self.backend {
            Backend::Sqlite(sqlite) => sqlite.run_batch(texts).await,
            Backend::Postgres(postgres) => postgres.run_batch(texts).await,
        }
    }

    async fn run(&self, sql: &Sql, params: &[Value], fetch: Fetch) -> Result<Outcome, DbError> {
        record_query();
        let text = sql.text(self.dialect());
        match &*self.backend {
            Backend::Sqlite(sqlite) => sqlite.run(text, params, fetch).await,
            Backend::Postgres(postgres) => postgres.run(text, params, fetch).await,
        }
    }
}
