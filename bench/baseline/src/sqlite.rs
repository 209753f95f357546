//! The SQLite backend: one rusqlite connection per worker thread.
//!
//! Each worker's runtime is single-threaded, so its handlers run on the
//! thread that owns the connection and call it directly: a read takes a few
//! microseconds, less than handing it to another thread would. Statements
//! are prepared once per connection (`prepare_cached`). WAL mode lets the
//! workers read while one of them writes; writers wait for each other
//! through SQLite's busy timeout.

use std::cell::OnceCell;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::response::{Json, Response};
use axum::routing::get;
use rusqlite::{Connection, TransactionBehavior};

use crate::Count;
use crate::model::{Fortune, FortunesPage, World, internal, random_id};

const WORLD_BY_ID: &str = r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = ?1"#;
const UPDATE_WORLD: &str = r#"UPDATE "world" SET "randomNumber" = ?1 WHERE "id" = ?2"#;
const ALL_FORTUNES: &str = r#"SELECT "id", "message" FROM "fortune""#;
const SORTED_FORTUNES: &str = r#"SELECT "id", "message" FROM "fortune" ORDER BY "message""#;

thread_local! {
    /// This worker's connection, opened by [`routes`] on the worker's thread.
    static CONNECTION: OnceCell<Connection> = const { OnceCell::new() };
}

/// Opens `path` with the settings every connection of the benchmark uses.
pub fn open(path: &str) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(connection)
}

/// Opens this worker's connection and returns the routes that use it.
pub fn routes(path: &str) -> Result<Router, String> {
    let connection = open(path).map_err(|error| format!("cannot open {path}: {error}"))?;
    CONNECTION
        .with(|cell| cell.set(connection))
        .map_err(|_| "the worker's connection is already open".to_owned())?;
    Ok(Router::new()
        .route("/db", get(db))
        .route("/queries", get(queries))
        .route("/updates", get(updates))
        .route("/fortunes", get(fortunes))
        .route("/fortunes-spec", get(fortunes_spec)))
}

/// Runs `work` on this worker's connection.
fn with_connection<T>(
    work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    CONNECTION.with(|cell| match cell.get() {
        Some(connection) => work(connection),
        None => Err(rusqlite::Error::InvalidQuery),
    })
}

fn fetch_world(connection: &Connection, id: i32) -> rusqlite::Result<World> {
    connection
        .prepare_cached(WORLD_BY_ID)?
        .query_row([id], |row| {
            Ok(World {
                id: row.get(0)?,
                random_number: row.get(1)?,
            })
        })
}

fn fetch_fortunes(connection: &Connection, sql: &str) -> rusqlite::Result<Vec<Fortune>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map([], |row| {
        Ok(Fortune {
            id: row.get(0)?,
            message: row.get(1)?,
        })
    })?;
    rows.collect()
}

async fn db() -> Result<Json<World>, Response> {
    with_connection(|connection| fetch_world(connection, random_id()))
        .map(Json)
        .map_err(internal)
}

async fn queries(Query(count): Query<Count>) -> Result<Json<Vec<World>>, Response> {
    with_connection(|connection| {
        (0..count.value())
            .map(|_| fetch_world(connection, random_id()))
            .collect()
    })
    .map(Json)
    .map_err(internal)
}

async fn updates(Query(count): Query<Count>) -> Result<Json<Vec<World>>, Response> {
    with_connection(|connection| {
        let mut worlds = (0..count.value())
            .map(|_| fetch_world(connection, random_id()))
            .collect::<rusqlite::Result<Vec<World>>>()?;
        for world in &mut worlds {
            world.random_number = random_id();
        }
        // IMMEDIATE takes the write lock at once, so the busy timeout
        // applies instead of a failed lock upgrade halfway through.
        let transaction =
            rusqlite::Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
        {
            let mut update = transaction.prepare_cached(UPDATE_WORLD)?;
            for world in &worlds {
                update.execute((world.random_number, world.id))?;
            }
        }
        transaction.commit()?;
        Ok(worlds)
    })
    .map(Json)
    .map_err(internal)
}

async fn fortunes() -> Response {
    match with_connection(|connection| fetch_fortunes(connection, ALL_FORTUNES)) {
        Ok(fortunes) => FortunesPage::with_added_row(fortunes).respond(),
        Err(error) => internal(error),
    }
}

async fn fortunes_spec() -> Response {
    match with_connection(|connection| fetch_fortunes(connection, SORTED_FORTUNES)) {
        Ok(fortunes) => FortunesPage { fortunes }.respond(),
        Err(error) => internal(error),
    }
}
