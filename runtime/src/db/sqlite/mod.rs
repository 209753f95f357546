//! The SQLite backend: one writer, a few readers, calls off the async threads.
//!
//! Input: a [`Location`] and the [`DbOptions`]; then statements with their
//! parameters. Output: [`Outcome`]s, and [`SqliteTransaction`]s holding the
//! writer.
//!
//! Why this shape: SQLite allows one writer at a time per database file.
//! Several connections that all write would fight over the lock and get
//! `SQLITE_BUSY` under load; funnelling every write and transaction through
//! ONE writer connection queues them in the pool instead (fairly, by the
//! semaphore), while WAL mode lets the reader connections run at the same
//! time. rusqlite is blocking, so every call runs on tokio's blocking
//! thread pool (`spawn_blocking`). An in-memory database exists only inside
//! its one connection, so there the writer also serves reads.

mod connection;
mod errors;
mod pool;
mod statement;

use std::sync::Arc;

pub(crate) use connection::Location;
use connection::{Role, open};
use errors::map_error;
use pool::{Pool, PooledConnection};

use crate::db::database::{DbOptions, Fetch, Outcome};
use crate::db::error::DbError;
use crate::db::value::Value;

/// An open SQLite database.
pub(crate) struct SqliteDatabase {
    /// `None` for an in-memory database: the writer serves reads.
    readers: Option<Arc<Pool>>,
    writer: Arc<Pool>,
}

impl SqliteDatabase {
    /// Opens the writer (which sets WAL mode) and then the readers.
    pub(crate) async fn open(
        location: Location,
        options: &DbOptions,
    ) -> Result<SqliteDatabase, DbError> {
        let options = options.clone();
        blocking(move || {
            let writer = open(&location, Role::Writer, options.busy_timeout)?;
            let writer = Pool::new("writer", vec![writer], options.acquire_timeout);
            let readers = match location {
                Location::Memory => None,
                Location::File(_) => {
                    let readers = (0..options.max_connections.max(1))
                        .map(|_| open(&location, Role::Reader, options.busy_timeout))
                        .collect::<Result<Vec<_>, DbError>>()?;
                    Some(Pool::new("reader", readers, options.acquire_timeout))
                }
            };
            Ok(SqliteDatabase { readers, writer })
        })
        .await
    }

    /// Runs one statement outside any transaction: reads on a reader,
    /// everything else on the writer.
    pub(crate) async fn run(
        &self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        let pool = match (&self.readers, fetch) {
            (Some(readers), Fetch::Rows) => readers,
            _ => &self.writer,
        };
        let connection = pool.acquire().await?;
        let params = params.to_vec();
        blocking(move || statement::run(&connection, text, &params, fetch)).await
    }

    /// Runs `statements` (each possibly several `;`-separated statements,
    /// without parameters) in one transaction on the writer.
    pub(crate) async fn run_batch(&self, statements: Vec<&'static str>) -> Result<(), DbError> {
        let connection = self.writer.acquire().await?;
        blocking(move || {
            connection
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(map_error)?;
            for text in statements {
                // On error the connection goes back to the pool, which rolls back.
                connection.execute_batch(text).map_err(map_error)?;
            }
            connection.execute_batch("COMMIT").map_err(map_error)
        })
        .await
    }

    /// Takes the writer and starts a transaction on it. `IMMEDIATE` takes
    /// SQLite's write lock now, so another process cannot make a later
    /// write in this transaction fail with `SQLITE_BUSY`.
    pub(crate) async fn begin(&self) -> Result<SqliteTransaction, DbError> {
        let connection = self.writer.acquire().await?;
        let connection = blocking(move || {
            connection
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(map_error)?;
            Ok(connection)
        })
        .await?;
        Ok(SqliteTransaction {
            connection: Some(connection),
        })
    }
}

/// A transaction holding the writer connection until it ends.
pub(crate) struct SqliteTransaction {
    /// `None` while a statement runs on the blocking pool, and for good if
    /// that statement's future was cancelled (the connection then returns to
    /// the pool by itself, rolled back).
    connection: Option<PooledConnection>,
}

impl SqliteTransaction {
    /// Runs one statement inside the transaction.
    pub(crate) async fn run(
        &mut self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        let connection = self.take_connection()?;
        let params = params.to_vec();
        let (connection, outcome) = blocking(move || {
            let outcome = statement::run(&connection, text, &params, fetch);
            Ok((connection, outcome))
        })
        .await?;
        self.connection = Some(connection);
        outcome
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK`. If `COMMIT` fails,
    /// the connection rolls back on its way back to the pool.
    pub(crate) async fn finish(mut self, statement: &'static str) -> Result<(), DbError> {
        let connection = self.take_connection()?;
        blocking(move || connection.execute_batch(statement).map_err(map_error)).await
    }

    fn take_connection(&mut self) -> Result<PooledConnection, DbError> {
        self.connection.take().ok_or_else(|| {
            DbError::other("the transaction was abandoned when one of its statements was cancelled")
        })
    }
}

impl Drop for SqliteTransaction {
    /// Not committed: the pooled connection rolls back when it is returned,
    /// on a blocking thread when a runtime is at hand.
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn_blocking(move || drop(connection));
        }
    }
}

/// Runs blocking SQLite work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DbError> + Send + 'static,
) -> Result<T, DbError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| DbError::other(format!("a SQLite call failed: {error}")))?
}
