//! Shared connections: the statements run outside transactions, from every
//! task at once, pipelined.
//!
//! Input: the connection settings and how many connections to keep (one
//! per core); then statements with their parameters. Output: [`Outcome`]s.
//!
//! Why: a tokio-postgres client can carry many queries at the same time —
//! it writes every query queued so far in one send and reads their answers
//! in order — so a handful of connections shared by every task serve more
//! requests, with fewer system calls and fewer PostgreSQL processes busy,
//! than a pool that lends each request a connection of its own. A statement
//! outside a transaction needs no connection to itself. (Transactions do:
//! they take a pooled connection, see [`super`].)
//!
//! Each thread keeps to one connection (threads are numbered in the order
//! they first run a statement), so that with the server's worker per core
//! a request's queries, and the connection's I/O, stay on its thread, and
//! the queries of one request are pipelined together.
//!
//! Each connection prepares a statement once, the first time it runs it,
//! and keeps it with its column names, found by the address of the
//! statement's `'static` text (no hashing of the SQL). A connection that
//! breaks is replaced on its next use.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio_postgres::{Client, Config, NoTls, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::db::database::{Fetch, Outcome};
use crate::db::error::DbError;
use crate::db::postgres::errors::map_error;
use crate::db::postgres::{decode_rows, outcome_of_rows};
use crate::db::sql::{TextKey, TextKeyMap};
use crate::db::value::Value;

/// A few connections shared by every task; see the module documentation.
pub(crate) struct SharedClients {
    /// Boxed: it is large, and read only to connect.
    config: Box<Config>,
    tls: Option<MakeRustlsConnect>,
    slots: Box<[Slot]>,
}

/// One shared connection, opened on first use and reopened when broken.
struct Slot {
    current: Mutex<Option<Arc<SharedClient>>>,
    /// Held while (re)connecting, so a burst of requests opens one connection.
    connecting: tokio::sync::Mutex<()>,
}

/// An open shared connection and its prepared statements.
pub(crate) struct SharedClient {
    client: Client,
    statements: Mutex<TextKeyMap<Prepared>>,
}

/// A prepared statement and its column names.
#[derive(Clone)]
struct Prepared {
    statement: Statement,
    columns: Arc<[String]>,
}

impl SharedClients {
    /// `count` shared connections (at least one) to the database of
    /// `config`, opened when first used.
    pub(crate) fn new(
        config: Config,
        tls: Option<MakeRustlsConnect>,
        count: usize,
    ) -> SharedClients {
        let slots = (0..count.max(1))
            .map(|_| Slot {
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
            })
            .collect();
        SharedClients {
            config: Box::new(config),
            tls,
            slots,
        }
    }

    /// Runs one statement on the next shared connection.
    pub(crate) async fn run(
        &self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        let client = self.client().await?;
        client.run(text, params, fetch).await
    }

    /// This thread's connection, opened or reopened if need be.
    async fn client(&self) -> Result<Arc<SharedClient>, DbError> {
        let slot = &self.slots[thread_number() % self.slots.len()];
        match slot.open_client() {
            Some(client) => Ok(client),
            // Boxed: connecting is rare, and its large future would
            // otherwise enlarge every query's.
            None => Box::pin(self.reconnect(slot)).await,
        }
    }

    /// Opens `slot`'s connection, unless another task has just done so.
    async fn reconnect(&self, slot: &Slot) -> Result<Arc<SharedClient>, DbError> {
        let _connecting = slot.connecting.lock().await;
        // Another task may have connected while this one waited.
        if let Some(client) = slot.open_client() {
            return Ok(client);
        }
        let client = Arc::new(SharedClient {
            client: self.connect().await?,
            statements: Mutex::new(TextKeyMap::default()),
        });
        *lock(&slot.current) = Some(Arc::clone(&client));
        Ok(client)
    }

    async fn connect(&self) -> Result<Client, DbError> {
        match &self.tls {
            None => {
                let (client, connection) = self.config.connect(NoTls).await.map_err(map_error)?;
                tokio::spawn(drive(connection));
                Ok(client)
            }
            Some(tls) => {
                let (client, connection) =
                    self.config.connect(tls.clone()).await.map_err(map_error)?;
                tokio::spawn(drive(connection));
                Ok(client)
            }
        }
    }
}

/// This thread's number: threads are numbered in the order they first ask.
fn thread_number() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static NUMBER: Cell<Option<usize>> = const { Cell::new(None) };
    }
    NUMBER.with(|number| {
        number.get().unwrap_or_else(|| {
            let assigned = NEXT.fetch_add(1, Ordering::Relaxed);
            number.set(Some(assigned));
            assigned
        })
    })
}

/// Runs a connection's I/O until it closes.
async fn drive<F>(connection: F)
where
    F: Future<Output = Result<(), tokio_postgres::Error>>,
{
    if let Err(error) = connection.await {
        tracing::warn!(%error, "a shared PostgreSQL connection closed");
    }
}

impl Slot {
    fn open_client(&self) -> Option<Arc<SharedClient>> {
        lock(&self.current)
            .as_ref()
            .filter(|client| !client.client.is_closed())
            .cloned()
    }
}

impl SharedClient {
    async fn run(
        &self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        let prepared = self.prepared(text).await?;
        if fetch == Fetch::Affected {
            let affected = self
                .client
                .execute_raw(&prepared.statement, params.iter())
                .await
                .map_err(map_error)?;
            return Ok(Outcome::Affected(affected));
        }
        let rows = self
            .client
            .query(&prepared.statement, &as_params(params))
            .await
            .map_err(map_error)?;
        outcome_of_rows(decode_rows(&rows, &prepared.columns)?, fetch)
    }

    /// `text` prepared on this connection: from the cache, or prepared now.
    async fn prepared(&self, text: &'static str) -> Result<Prepared, DbError> {
        let key = TextKey::of(text);
        let cached = lock(&self.statements).get(&key).cloned();
        match cached {
            Some(prepared) => Ok(prepared),
            // Boxed, like connecting: it happens once per statement.
            None => Box::pin(self.prepare(key, text)).await,
        }
    }

    async fn prepare(&self, key: TextKey, text: &'static str) -> Result<Prepared, DbError> {
        // Two tasks may prepare the same text at once; either result serves.
        let statement = self.client.prepare(text).await.map_err(map_error)?;
        let columns = statement
            .columns()
            .iter()
            .map(|column| column.name().to_owned())
            .collect();
        let prepared = Prepared { statement, columns };
        lock(&self.statements).insert(key, prepared.clone());
        Ok(prepared)
    }
}

/// Parameters as tokio-postgres takes them.
fn as_params(params: &[Value]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|value| value as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
