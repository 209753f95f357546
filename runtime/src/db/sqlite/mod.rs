//! The SQLite backend: one writer, a few readers, short calls inline.
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
//! time. An in-memory database exists only inside its one connection, so
//! there the writer also serves reads.
//!
//! Reads outside a transaction go first to the calling thread's own reader
//! connection, opened on the thread's first read: a server's worker thread
//! per core then reads like a hand-written server with a connection per
//! thread, taking no pool permit and no lock. Only when such a read runs
//! past its budget does it move to the shared readers.
//!
//! Where the calls run: rusqlite is blocking, but a typical statement takes
//! microseconds — less than handing it to tokio's blocking pool and back.
//! So a statement first runs on the calling task's thread, under the
//! [`watchdog`]'s time budget; one that runs past it is interrupted and run
//! again on the blocking pool (`spawn_blocking`), where it may take its
//! time and a request time-out can abandon it. Inline calls never wait for
//! another process's lock: the writer tries them with no busy time-out, and
//! on `SQLITE_BUSY` the statement goes to the blocking pool, which waits up
//! to the configured [`DbOptions::busy_timeout`]. Writes inside a
//! transaction cannot be interrupted without losing the transaction, so
//! they run to completion on the calling thread (after `BEGIN IMMEDIATE`
//! they wait for no lock); reads inside it are budgeted like any other.

mod connection;
mod errors;
mod pool;
mod statement;
mod watchdog;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use thread_local::ThreadLocal;

pub(crate) use connection::Location;
use connection::{Role, open};
use errors::map_error;
use pool::{Pool, PooledConnection};
use statement::ColumnNames;
use watchdog::{Budgeted, Watch};

use crate::db::database::{DbOptions, Fetch, Outcome};
use crate::db::error::{DbError, DbErrorKind};
use crate::db::value::Value;

/// An open SQLite database.
pub(crate) struct SqliteDatabase {
    /// `None` for an in-memory database: the writer serves reads.
    readers: Option<Arc<Pool>>,
    writer: Arc<Pool>,
    /// The configured busy time-out, which inline attempts on the writer
    /// set aside.
    busy_timeout: Duration,
    /// Each thread's own reader, for reads outside transactions (`None`
    /// for an in-memory database, whose only connection is the writer).
    /// Boxed: a `ThreadLocal` holds a table of buckets inline.
    thread_readers: Option<Box<ThreadReaders>>,
}

/// A reader connection per thread, opened on the thread's first read.
struct ThreadReaders {
    location: Location,
    busy_timeout: Duration,
    readers: ThreadLocal<RefCell<ThreadReader>>,
}

/// One thread's reader: its connection, watch and statements' column names.
struct ThreadReader {
    connection: rusqlite::Connection,
    /// `None` if the watchdog cannot run: then reads use the shared readers.
    watch: Option<Arc<Watch>>,
    columns: ColumnNames,
}

impl ThreadReaders {
    /// Runs the read `text` on this thread's reader under the watchdog's
    /// budget; `None` if it must run on the blocking pool instead (cut
    /// off, no watchdog, or the reader is in use further up this thread's
    /// stack, which a statement's synchronous run never is).
    fn run(&self, text: &'static str, params: &[Value]) -> Option<Result<Outcome, DbError>> {
        let reader = self.readers.get_or_try(|| {
            let connection = open(&self.location, Role::Reader, self.busy_timeout)?;
            Ok::<_, DbError>(RefCell::new(ThreadReader {
                watch: Watch::new(&connection),
                connection,
                columns: ColumnNames::default(),
            }))
        });
        let reader = match reader {
            Ok(reader) => reader.try_borrow_mut().ok()?,
            Err(error) => return Some(Err(error)),
        };
        let watch = reader.watch.as_deref()?;
        let budgeted = watch.run(|| {
            statement::run(
                &reader.connection,
                &reader.columns,
                text,
                params,
                Fetch::Rows,
            )
        });
        match budgeted {
            Budgeted::Done(result) => Some(result),
            Budgeted::CutOff => None,
        }
    }
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
            let (readers, thread_readers) = match location {
                Location::Memory => (None, None),
                Location::File(_) => {
                    let readers = (0..options.max_connections.max(1))
                        .map(|_| open(&location, Role::Reader, options.busy_timeout))
                        .collect::<Result<Vec<_>, DbError>>()?;
                    let thread_readers = ThreadReaders {
                        location,
                        busy_timeout: options.busy_timeout,
                        readers: ThreadLocal::new(),
                    };
                    (
                        Some(Pool::new("reader", readers, options.acquire_timeout)),
                        Some(Box::new(thread_readers)),
                    )
                }
            };
            Ok(SqliteDatabase {
                readers,
                writer,
                busy_timeout: options.busy_timeout,
                thread_readers,
            })
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
        let (pool, busy_timeout) = match (&self.readers, fetch) {
            (Some(readers), Fetch::Rows) => {
                if let Some(thread_readers) = &self.thread_readers
                    && let Some(outcome) = thread_readers.run(text, params)
                {
                    return outcome;
                }
                // Cut off (or no watchdog): straight to the blocking pool.
                let connection = readers.acquire().await?;
                let params = params.to_vec();
                return blocking(move || {
                    statement::run(&connection, connection.columns(), text, &params, fetch)
                })
                .await;
            }
            _ => (&self.writer, Some(self.busy_timeout)),
        };
        let connection = pool.acquire().await?;
        // Outside a transaction every statement can run again: a read changes
        // nothing, and an interrupted write is rolled back whole.
        let inline = run_inline(&connection, busy_timeout, || {
            statement::run(&connection, connection.columns(), text, params, fetch)
        });
        if let Some(outcome) = inline {
            return outcome;
        }
        let params = params.to_vec();
        blocking(move || statement::run(&connection, connection.columns(), text, &params, fetch))
            .await
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
        let inline = run_inline(&connection, Some(self.busy_timeout), || {
            connection
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(map_error)
        });
        let connection = match inline {
            Some(Ok(())) => connection,
            Some(Err(error)) => return Err(error),
            None => {
                blocking(move || {
                    connection
                        .execute_batch("BEGIN IMMEDIATE")
                        .map_err(map_error)?;
                    Ok(connection)
                })
                .await?
            }
        };
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
        let connection = self.connection.as_ref().ok_or_else(abandoned)?;
        if let Some(outcome) = run_in_transaction(connection, text, params, fetch) {
            return outcome;
        }
        let connection = self.take_connection()?;
        let params = params.to_vec();
        let (connection, outcome) = blocking(move || {
            let outcome = statement::run(&connection, connection.columns(), text, &params, fetch);
            Ok((connection, outcome))
        })
        .await?;
        self.connection = Some(connection);
        outcome
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK`, on the calling
    /// thread: in WAL mode neither waits for another connection. If `COMMIT`
    /// fails, the connection rolls back on its way back to the pool.
    pub(crate) async fn finish(mut self, statement: &'static str) -> Result<(), DbError> {
        let connection = self.take_connection()?;
        connection.execute_batch(statement).map_err(map_error)
    }

    fn take_connection(&mut self) -> Result<PooledConnection, DbError> {
        self.connection.take().ok_or_else(abandoned)
    }
}

fn abandoned() -> DbError {
    DbError::other("the transaction was abandoned when one of its statements was cancelled")
}

impl Drop for SqliteTransaction {
    /// Not committed: the pooled connection rolls back when it is returned
    /// (a `ROLLBACK` discards the transaction's pages; it waits for nothing).
    fn drop(&mut self) {
        drop(self.connection.take());
    }
}

/// Runs a statement of a transaction on this thread: `None` if it is a read
/// that was cut off, to run again on the blocking pool.
fn run_in_transaction(
    connection: &PooledConnection,
    text: &'static str,
    params: &[Value],
    fetch: Fetch,
) -> Option<Result<Outcome, DbError>> {
    let prepared = match statement::prepare(connection, text) {
        Ok(prepared) => prepared,
        Err(error) => return Some(Err(error)),
    };
    let columns = connection.columns();
    if prepared.readonly() {
        // A read can be cut off and run again; the transaction goes on.
        run_inline(connection, None, || {
            statement::run_prepared(connection, columns, text, prepared, params, fetch)
        })
    } else {
        // An interrupted write would roll the whole transaction back: it
        // runs to completion here (holding the write lock, it waits for no
        // other connection).
        Some(statement::run_prepared(
            connection, columns, text, prepared, params, fetch,
        ))
    }
}

/// Runs `work` (calls on `connection`) on this thread under the watchdog's
/// budget: `None` if it must run again on the blocking pool — it was cut
/// off, or, when `busy_timeout` is given (the writer), it found another
/// process's lock, which an inline call does not wait for.
fn run_inline<T>(
    connection: &PooledConnection,
    busy_timeout: Option<Duration>,
    work: impl FnOnce() -> Result<T, DbError>,
) -> Option<Result<T, DbError>> {
    let watch = connection.watch()?;
    if busy_timeout.is_some() {
        connection.busy_timeout(Duration::ZERO).ok()?;
    }
    let budgeted = watch.run(work);
    if let Some(timeout) = busy_timeout
        && let Err(error) = connection.busy_timeout(timeout)
    {
        return Some(Err(map_error(error)));
    }
    match budgeted {
        Budgeted::CutOff => None,
        // Busy or locked: nothing ran; the blocking pool waits for the lock.
        Budgeted::Done(Err(error))
            if busy_timeout.is_some() && *error.kind() == DbErrorKind::Connection =>
        {
            None
        }
        Budgeted::Done(result) => Some(result),
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
