//! Where session data lives between requests: the `djinn_session` table or Redis.
//!
//! Input: a session key and the session's data (a JSON object). Output: the
//! data back while it has not expired; saves that either create a row under
//! a new key (never overwriting one that exists) or update the row of an
//! existing key (failing if it is gone, as when a concurrent request logged
//! out), and deletes.
//!
//! On the database, data is JSON text and `expire_date` a UTC datetime
//! (`timestamptz` on PostgreSQL, Django's text form on SQLite, as every
//! datetime of the runtime); expired rows stay until
//! [`clear_expired_sessions`] removes them, and are never loaded. On Redis,
//! the key is `djinn:session:<key>`, the value JSON text, and Redis expires
//! it by itself (`SET … EX`). The Redis pool is created once per process and
//! URL, on first use; it connects lazily, so an unreachable server fails
//! only the requests that use a session.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use deadpool_redis::{Pool, PoolConfig, Runtime, Timeouts};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Map, Value as Json};

use crate::db::{Database, DbError, Sql, Value};

/// The session table: `CREATE TABLE IF NOT EXISTS djinn_session …` and the
/// index on `expire_date` (which [`clear_expired_sessions`] scans). The
/// generated binary's `migrate` applies it; see also [`ensure_schema`].
pub const SESSION_SCHEMA: &[Sql] = &[
    Sql::new(
        "CREATE TABLE IF NOT EXISTS djinn_session (\
         session_key varchar(40) NOT NULL PRIMARY KEY, \
         session_data text NOT NULL, \
         expire_date datetime NOT NULL)",
        "CREATE TABLE IF NOT EXISTS djinn_session (\
         session_key varchar(40) NOT NULL PRIMARY KEY, \
         session_data text NOT NULL, \
         expire_date timestamptz NOT NULL)",
    ),
    Sql::portable(
        "CREATE INDEX IF NOT EXISTS djinn_session_expire_date_idx \
         ON djinn_session (expire_date)",
    ),
];

const LOAD: Sql = Sql::new(
    "SELECT session_data FROM djinn_session WHERE session_key = ?1 AND expire_date > ?2",
    "SELECT session_data FROM djinn_session WHERE session_key = $1 AND expire_date > $2",
);

const CREATE: Sql = Sql::new(
    "INSERT INTO djinn_session (session_key, session_data, expire_date) VALUES (?1, ?2, ?3) \
     ON CONFLICT (session_key) DO NOTHING",
    "INSERT INTO djinn_session (session_key, session_data, expire_date) VALUES ($1, $2, $3) \
     ON CONFLICT (session_key) DO NOTHING",
);

const UPDATE: Sql = Sql::new(
    "UPDATE djinn_session SET session_data = ?2, expire_date = ?3 WHERE session_key = ?1",
    "UPDATE djinn_session SET session_data = $2, expire_date = $3 WHERE session_key = $1",
);

const DELETE: Sql = Sql::new(
    "DELETE FROM djinn_session WHERE session_key = ?1",
    "DELETE FROM djinn_session WHERE session_key = $1",
);

const CLEAR_EXPIRED: Sql = Sql::new(
    "DELETE FROM djinn_session WHERE expire_date < ?1",
    "DELETE FROM djinn_session WHERE expire_date < $1",
);

/// Creates the session table and its index if they do not exist.
pub async fn ensure_schema(db: &Database) -> Result<(), DbError> {
    let statements: Vec<&Sql> = SESSION_SCHEMA.iter().collect();
    db.apply_schema(&statements).await
}

/// Deletes the expired rows of the session table (the binary's
/// `clearsessions`, Django's command of that name); the number deleted.
/// Redis sessions expire by themselves.
pub async fn clear_expired_sessions(db: &Database) -> Result<u64, DbError> {
    db.execute(&CLEAR_EXPIRED, &[Value::DateTime(utc_now())])
        .await
}

/// The current UTC wall clock, as datetimes are stored.
fn utc_now() -> DateTime {
    TimeZone::UTC.to_datetime(jiff::Timestamp::now())
}

/// The UTC wall clock `seconds` from now (saturating far in the future).
fn utc_in(seconds: u64) -> DateTime {
    let now = jiff::Timestamp::now();
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    let later = jiff::SignedDuration::from_secs(seconds);
    let expiry = now.checked_add(later).unwrap_or(jiff::Timestamp::MAX);
    TimeZone::UTC.to_datetime(expiry)
}

/// A session store ready for one request.
#[derive(Clone)]
pub(crate) enum Store {
    /// The `djinn_session` table.
    Database(Database),
    /// A Redis server.
    Redis(Pool),
}

impl Store {
    /// The store of the database backend.
    pub(crate) fn database(db: Database) -> Store {
        Store::Database(db)
    }

    /// The store of the Redis backend at `url` (the pool is shared per process).
    pub(crate) fn redis(url: &str) -> Result<Store, String> {
        redis_pool(url).map(Store::Redis)
    }

    /// The data of session `key`, if it exists and has not expired. Data that
    /// is not a JSON object (written by hand, say) reads as an empty session.
    pub(crate) async fn load(&self, key: &str) -> Result<Option<Map<String, Json>>, String> {
        let text = match self {
            Store::Database(db) => {
                let params = [Value::from(key), Value::DateTime(utc_now())];
                let row = db
                    .query_opt(&LOAD, &params)
                    .await
                    .map_err(|error| error.to_string())?;
                match row {
                    Some(row) => Some(row.get_text(0).map_err(|error| error.to_string())?),
                    None => None,
                }
            }
            Store::Redis(pool) => {
                let mut connection = redis_connection(pool).await?;
                redis::cmd("GET")
                    .arg(redis_key(key))
                    .query_async::<Option<String>>(&mut connection)
                    .await
                    .map_err(redis_error)?
            }
        };
        Ok(text.map(|text| match serde_json::from_str::<Json>(&text) {
            Ok(Json::Object(data)) => data,
            _ => {
                tracing::warn!("session data is not a JSON object: read as an empty session");
                Map::new()
            }
        }))
    }

    /// Stores `data` under the new key `key` for `age_seconds`; `false` (and
    /// nothing written) when the key is already taken.
    pub(crate) async fn create(
        &self,
        key: &str,
        data: &str,
        age_seconds: u64,
    ) -> Result<bool, String> {
        match self {
            Store::Database(db) => {
                let params = [
                    Value::from(key),
                    Value::from(data),
                    Value::DateTime(utc_in(age_seconds)),
                ];
                let created = db
                    .execute(&CREATE, &params)
                    .await
                    .map_err(|error| error.to_string())?;
                Ok(created == 1)
            }
            Store::Redis(pool) => redis_set(pool, key, data, age_seconds, "NX").await,
        }
    }

    /// Replaces the data of the existing session `key` and restarts its
    /// lifetime; `false` (and nothing written) when the session is gone.
    pub(crate) async fn update(
        &self,
        key: &str,
        data: &str,
        age_seconds: u64,
    ) -> Result<bool, String> {
        match self {
            Store::Database(db) => {
                let params = [
                    Value::from(key),
                    Value::from(data),
                    Value::DateTime(utc_in(age_seconds)),
                ];
                let updated = db
                    .execute(&UPDATE, &params)
                    .await
                    .map_err(|error| error.to_string())?;
                Ok(updated > 0)
            }
            Store::Redis(pool) => redis_set(pool, key, data, age_seconds, "XX").await,
        }
    }

    /// Deletes session `key` (nothing happens if it does not exist).
    pub(crate) async fn delete(&self, key: &str) -> Result<(), String> {
        match self {
            Store::Database(db) => {
                db.execute(&DELETE, &[Value::from(key)])
                    .await
                    .map_err(|error| error.to_string())?;
            }
            Store::Redis(pool) => {
                let mut connection = redis_connection(pool).await?;
                redis::cmd("DEL")
                    .arg(redis_key(key))
                    .query_async::<i64>(&mut connection)
                    .await
                    .map_err(redis_error)?;
            }
        }
        Ok(())
    }
}

/// The Redis key of session `key`.
pub(crate) fn redis_key(key: &str) -> String {
    format!("djinn:session:{key}")
}

/// `SET key data EX age <condition>`: whether Redis wrote it (`NX`: only a
/// new key; `XX`: only an existing one).
async fn redis_set(
    pool: &Pool,
    key: &str,
    data: &str,
    age_seconds: u64,
    condition: &str,
) -> Result<bool, String> {
    let mut connection = redis_connection(pool).await?;
    let answer = redis::cmd("SET")
        .arg(redis_key(key))
        .arg(data)
        .arg("EX")
        .arg(age_seconds.max(1))
        .arg(condition)
        .query_async::<Option<String>>(&mut connection)
        .await
        .map_err(redis_error)?;
    Ok(answer.is_some())
}

async fn redis_connection(pool: &Pool) -> Result<deadpool_redis::Connection, String> {
    pool.get()
        .await
        .map_err(|error| format!("no Redis connection for sessions: {error}"))
}

fn redis_error(error: redis::RedisError) -> String {
    format!("Redis session store: {error}")
}

/// The pool for `url`, created on first use and kept for the process.
fn redis_pool(url: &str) -> Result<Pool, String> {
    static POOLS: OnceLock<Mutex<HashMap<String, Pool>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(pool) = pools.get(url) {
        return Ok(pool.clone());
    }
    let limit = Some(Duration::from_secs(5));
    let mut config = deadpool_redis::Config::from_url(url);
    config.pool = Some(PoolConfig {
        timeouts: Timeouts {
            wait: limit,
            create: limit,
            recycle: limit,
        },
        ..PoolConfig::default()
    });
    // The URL may hold a password: never in the message.
    let pool = config
        .create_pool(Some(Runtime::Tokio1))
        .map_err(|error| format!("the Redis session URL cannot be used: {error}"))?;
    pools.insert(url.to_owned(), pool.clone());
    Ok(pool)
}
