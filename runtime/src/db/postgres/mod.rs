//! The PostgreSQL backend: tokio-postgres, shared connections for single
//! statements and a deadpool pool for transactions.
//!
//! Input: a `postgres://` or `postgresql://` URL and the [`DbOptions`];
//! then statements with their parameters. Output: [`Outcome`]s, and
//! [`PostgresTransaction`]s holding one pooled connection.
//!
//! A statement outside a transaction runs on one of a few connections
//! shared by every task (one per core, see [`shared`]), where concurrent
//! queries are pipelined; a transaction takes a connection of the pool to
//! itself. Each connection prepares a statement once and keeps it, so a
//! query costs one round trip, shared with the queries sent alongside it.
//! TLS is rustls with the ring provider, chosen by `sslmode` (see [`tls`]).

mod errors;
mod numeric;
mod shared;
mod tls;
mod types;

use std::sync::Arc;

use deadpool_postgres::{Client, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;

use crate::db::database::{DbOptions, Fetch, Outcome};
use crate::db::error::DbError;
use crate::db::row::Row;
use crate::db::value::Value;
use errors::{map_error, map_pool_error};
use shared::SharedClients;

/// Connections to one PostgreSQL database.
pub(crate) struct PostgresDatabase {
    /// For transactions (and schema batches): a connection each.
    pool: Pool,
    /// For single statements: shared, pipelined.
    shared: SharedClients,
}

impl PostgresDatabase {
    /// Builds the pool and opens one connection, so that a wrong URL or an
    /// unreachable server is reported at start-up.
    pub(crate) async fn connect(
        url: &str,
        options: &DbOptions,
    ) -> Result<PostgresDatabase, DbError> {
        let (url, tls_mode) = tls::split_url(url)?;
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|error| DbError::connection(format!("invalid PostgreSQL URL: {error}")))?;
        config.connect_timeout(options.acquire_timeout);
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let tls = tls::connector(&tls_mode)?;
        config.ssl_mode(match tls {
            None => SslMode::Disable,
            Some(_) => SslMode::Require,
        });
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let shared = SharedClients::new(
            config.clone(),
            tls.clone(),
            cores.min(options.max_connections),
        );
        let manager = match tls {
            None => Manager::from_config(config, NoTls, manager_config),
            Some(tls) => Manager::from_config(config, tls, manager_config),
        };
        let timeout = Some(options.acquire_timeout);
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(timeout)
            .create_timeout(timeout)
            .recycle_timeout(timeout)
            .build()
            .map_err(|error| DbError::connection(format!("PostgreSQL pool: {error}")))?;
        drop(pool.get().await.map_err(map_pool_error)?);
        Ok(PostgresDatabase { pool, shared })
    }

    /// Runs one statement on a shared connection.
    pub(crate) async fn run(
        &self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        self.shared.run(text, params, fetch).await
    }

    /// Runs `statements` (each possibly several `;`-separated statements,
    /// without parameters) in one transaction: PostgreSQL's DDL is
    /// transactional, so a failing schema leaves nothing behind.
    pub(crate) async fn run_batch(&self, statements: Vec<&'static str>) -> Result<(), DbError> {
        let transaction = self.begin().await?;
        for text in statements {
            transaction
                .client()?
                .batch_execute(text)
                .await
                .map_err(map_error)?;
        }
        transaction.finish("COMMIT").await
    }

    /// Takes a connection and starts a transaction on it.
    pub(crate) async fn begin(&self) -> Result<PostgresTransaction, DbError> {
        let client = self.pool.get().await.map_err(map_pool_error)?;
        client.batch_execute("BEGIN").await.map_err(map_error)?;
        Ok(PostgresTransaction {
            client: Some(client),
        })
    }
}

/// A transaction holding one pooled connection until it ends.
pub(crate) struct PostgresTransaction {
    /// `None` once committed or rolled back.
    client: Option<Client>,
}

impl PostgresTransaction {
    /// Runs one statement inside the transaction.
    pub(crate) async fn run(
        &mut self,
        text: &'static str,
        params: &[Value],
        fetch: Fetch,
    ) -> Result<Outcome, DbError> {
        run_on(self.client()?, text, params, fetch).await
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK`.
    pub(crate) async fn finish(mut self, statement: &'static str) -> Result<(), DbError> {
        let client = self.client.take().ok_or_else(finished)?;
        client.batch_execute(statement).await.map_err(map_error)
    }

    fn client(&self) -> Result<&Client, DbError> {
        self.client.as_ref().ok_or_else(finished)
    }
}

fn finished() -> DbError {
    DbError::other("the transaction has already ended")
}

impl Drop for PostgresTransaction {
    /// Not committed: roll back before the connection goes back to the
    /// pool; a connection that cannot roll back is closed, never reused.
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        drop(Object::take(client));
                    }
                });
            }
            Err(_) => drop(Object::take(client)),
        }
    }
}

/// Runs `text` with `params` on `client`.
async fn run_on(
    client: &Client,
    text: &'static str,
    params: &[Value],
    fetch: Fetch,
) -> Result<Outcome, DbError> {
    let statement = client.prepare_cached(text).await.map_err(map_error)?;
    let params: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect();
    if fetch == Fetch::Affected {
        let affected = client
            .execute(&statement, &params)
            .await
            .map_err(map_error)?;
        return Ok(Outcome::Affected(affected));
    }
    let columns: Arc<[String]> = statement
        .columns()
        .iter()
        .map(|column| column.name().to_owned())
        .collect();
    let rows = client.query(&statement, &params).await.map_err(map_error)?;
    outcome_of_rows(decode_rows(&rows, &columns)?, fetch)
}

/// The rows of a result as [`Row`]s of [`Value`]s under `columns`.
fn decode_rows(rows: &[tokio_postgres::Row], columns: &Arc<[String]>) -> Result<Vec<Row>, DbError> {
    rows.iter()
        .map(|row| {
            let values = (0..columns.len())
                .map(|index| row.try_get::<_, Value>(index).map_err(map_error))
                .collect::<Result<Vec<Value>, DbError>>()?;
            Ok(Row::new(Arc::clone(columns), values))
        })
        .collect()
}

/// What a statement's `rows` answer for `fetch` (not [`Fetch::Affected`]).
fn outcome_of_rows(rows: Vec<Row>, fetch: Fetch) -> Result<Outcome, DbError> {
    Ok(match fetch {
        Fetch::InsertId => Outcome::InsertId(
            rows.first()
                .ok_or_else(|| {
                    DbError::other("an insert on PostgreSQL must end in `RETURNING id`")
                })?
                .get_i64(0)?,
        ),
        Fetch::Rows | Fetch::Affected => Outcome::Rows(rows),
    })
}
