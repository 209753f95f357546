//! A small pool of SQLite connections, used from async code.
//!
//! Input: connections already opened and configured by
//! [`super::connection`]. Output: [`PooledConnection`]s, handed out at most
//! one per connection (a semaphore makes callers wait, with a time-out; a
//! free connection is taken without touching the timer), and put back when
//! dropped — rolled back first if a transaction was left open, so a
//! cancelled request never leaks its transaction to the next user. Each
//! connection carries its [`Watch`], the time budget of the statements run
//! on it from async code.
//!
//! The database keeps two of these: one of readers and one holding the
//! single writer connection (see [`super`]). deadpool-sqlite is not used
//! because it pins an older rusqlite.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::db::error::DbError;
use crate::db::sqlite::statement::ColumnNames;
use crate::db::sqlite::watchdog::Watch;

/// A connection, its watch and its statements' column names, as the pool
/// keeps them.
struct Entry {
    connection: Connection,
    /// `None` if the watchdog cannot run.
    watch: Option<Arc<Watch>>,
    columns: ColumnNames,
}

/// A fixed set of open connections.
pub(crate) struct Pool {
    name: &'static str,
    idle: Mutex<Vec<Entry>>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
}

impl Pool {
    /// A pool of `connections`; `name` (`"reader"`, `"writer"`) is for messages.
    pub(crate) fn new(
        name: &'static str,
        connections: Vec<Connection>,
        acquire_timeout: Duration,
    ) -> Arc<Pool> {
        let idle = connections
            .into_iter()
            .map(|connection| Entry {
                watch: Watch::new(&connection),
                connection,
                columns: ColumnNames::default(),
            })
            .collect::<Vec<_>>();
        Arc::new(Pool {
            name,
            permits: Arc::new(Semaphore::new(idle.len())),
            idle: Mutex::new(idle),
            acquire_timeout,
        })
    }

    /// A free connection, waiting up to the acquire time-out for one.
    pub(crate) async fn acquire(self: &Arc<Pool>) -> Result<PooledConnection, DbError> {
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            // Boxed: waiting is the exception, and its future is large.
            Err(_) => Box::pin(self.wait_for_permit()).await?,
        };
        let entry = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| DbError::other("SQLite pool holds fewer connections than permits"))?;
        Ok(PooledConnection {
            connection: Some(entry.connection),
            watch: entry.watch,
            columns: entry.columns,
            pool: Arc::clone(self),
            permit: Some(permit),
        })
    }

    async fn wait_for_permit(self: &Arc<Pool>) -> Result<OwnedSemaphorePermit, DbError> {
        tokio::time::timeout(
            self.acquire_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        .map_err(|_| {
            DbError::connection(format!(
                "no SQLite {} connection became free within {:?}",
                self.name, self.acquire_timeout
            ))
        })?
        .map_err(|_| DbError::connection("the SQLite pool is closed"))
    }
}

/// A connection on loan from a [`Pool`]; returns itself when dropped.
pub(crate) struct PooledConnection {
    connection: Option<Connection>,
    watch: Option<Arc<Watch>>,
    columns: ColumnNames,
    pool: Arc<Pool>,
    // Released after `drop` has put the connection back (fields drop after the body).
    permit: Option<OwnedSemaphorePermit>,
}

impl PooledConnection {
    /// The connection's watch; `None` if the watchdog cannot run.
    pub(crate) fn watch(&self) -> Option<&Watch> {
        self.watch.as_deref()
    }

    /// The column names of the statements run on the connection.
    pub(crate) fn columns(&self) -> &ColumnNames {
        &self.columns
    }
}

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.connection
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else {
            return;
        };
        if !connection.is_autocommit() {
            // A transaction left open (dropped, cancelled or failed commit).
            if let Err(error) = connection.execute_batch("ROLLBACK") {
                tracing::error!(%error, "discarding a SQLite connection that could not roll back");
                // The pool shrinks by one: retire the permit with the connection.
                if let Some(permit) = self.permit.take() {
                    permit.forget();
                }
                return;
            }
        }
        let entry = Entry {
            connection,
            watch: self.watch.take(),
            columns: std::mem::take(&mut self.columns),
        };
        self.pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
}
