//! A small pool of SQLite connections, used from async code.
//!
//! Input: connections already opened and configured by
//! [`super::connection`]. Output: [`PooledConnection`]s, handed out at most
//! one per connection (a semaphore makes callers wait, with a time-out), and
//! put back when dropped — rolled back first if a transaction was left open,
//! so a cancelled request never leaks its transaction to the next user.
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

/// A fixed set of open connections.
pub(crate) struct Pool {
    name: &'static str,
    idle: Mutex<Vec<Connection>>,
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
        Arc::new(Pool {
            name,
            permits: Arc::new(Semaphore::new(connections.len())),
            idle: Mutex::new(connections),
            acquire_timeout,
        })
    }

    /// A free connection, waiting up to the acquire time-out for one.
    pub(crate) async fn acquire(self: &Arc<Pool>) -> Result<PooledConnection, DbError> {
        let permit = tokio::time::timeout(
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
        .map_err(|_| DbError::connection("the SQLite pool is closed"))?;
        let connection = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| DbError::other("SQLite pool holds fewer connections than permits"))?;
        Ok(PooledConnection {
            connection: Some(connection),
            pool: Arc::clone(self),
            permit: Some(permit),
        })
    }
}

/// A connection on loan from a [`Pool`]; returns itself when dropped.
pub(crate) struct PooledConnection {
    connection: Option<Connection>,
    pool: Arc<Pool>,
    // Released after `drop` has put the connection back (fields drop after the body).
    permit: Option<OwnedSemaphorePermit>,
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
        self.pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(connection);
    }
}
