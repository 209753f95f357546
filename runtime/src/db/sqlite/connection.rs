//! Opening and configuring one SQLite connection.
//!
//! Input: where the database lives and the options. Output: a
//! `rusqlite::Connection` in WAL mode (file databases), with foreign keys
//! enforced, a busy time-out for other processes, a larger statement cache,
//! and — for readers — `query_only`, so a write sent to a reader fails
//! loudly instead of competing with the writer.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::Connection;

use crate::db::error::DbError;
use crate::db::sqlite::errors::map_error;

/// Prepared statements kept per connection (`prepare_cached`): enough for
/// every distinct statement of a typical project.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// Where a SQLite database lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    /// A file, created if missing.
    File(PathBuf),
    /// A private in-memory database (one connection: see [`super`]).
    Memory,
}

impl Location {
    /// `sqlite::memory:`, `sqlite://relative/path.db`, `sqlite:///absolute/path.db`
    /// or `sqlite:path.db`; `None` for other schemes.
    pub(crate) fn from_url(url: &str) -> Option<Location> {
        let rest = url.strip_prefix("sqlite:")?;
        if matches!(rest, ":memory:" | "//:memory:") {
            return Some(Location::Memory);
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        Some(Location::File(PathBuf::from(path)))
    }
}

/// Whether the connection may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The single writer (also the only connection of an in-memory database).
    Writer,
    /// A reader: `query_only`.
    Reader,
}

/// Opens and configures a connection to `location`.
pub(crate) fn open(
    location: &Location,
    role: Role,
    busy_timeout: Duration,
) -> Result<Connection, DbError> {
    let connection = match location {
        Location::File(path) => Connection::open(path),
        Location::Memory => Connection::open_in_memory(),
    }
    .map_err(|error| {
        DbError::connection(format!("cannot open SQLite database {location:?}: {error}"))
    })?;
    connection.busy_timeout(busy_timeout).map_err(map_error)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    if matches!(location, Location::File(_)) && role == Role::Writer {
        // WAL lets readers run while the writer writes; the setting is
        // stored in the file, so the writer (opened first) sets it once.
        // NORMAL is durable across application crashes in WAL mode.
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(map_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DbError::connection(format!(
                "SQLite database {location:?} cannot use WAL mode (journal mode is {mode})"
            )));
        }
        connection
            .execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(map_error)?;
    }
    connection
        .execute_batch("PRAGMA foreign_keys = ON")
        .map_err(map_error)?;
    if role == Role::Reader {
        connection
            .execute_batch("PRAGMA query_only = ON")
            .map_err(map_error)?;
    }
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_file_or_memory() {
        let file = |path: &str| Some(Location::File(PathBuf::from(path)));
        assert_eq!(
            Location::from_url("sqlite::memory:"),
            Some(Location::Memory)
        );
        assert_eq!(
            Location::from_url("sqlite://db.sqlite3"),
            file("db.sqlite3")
        );
        assert_eq!(
            Location::from_url("sqlite:///var/app/db.sqlite3"),
            file("/var/app/db.sqlite3")
        );
        assert_eq!(Location::from_url("sqlite:db.sqlite3"), file("db.sqlite3"));
        assert_eq!(Location::from_url("postgres://localhost/app"), None);
    }
}
