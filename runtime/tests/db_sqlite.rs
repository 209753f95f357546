//! The database layer on SQLite: a temporary file (WAL, readers and one
//! writer) and an in-memory database, through the shared suite, plus what
//! only SQLite has.

mod db_suite;

use std::time::Duration;

use djinn_runtime::db::{Database, DbErrorKind, Dialect, Sql, Value};
use tempfile::TempDir;

/// A fresh SQLite file database in its own temporary directory (removed
/// when the `TempDir` is dropped).
async fn file_database() -> (Database, TempDir) {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", directory.path().join("test.db").display());
    let db = Database::connect(&url).await.unwrap();
    assert_eq!(db.dialect(), Dialect::Sqlite);
    (db, directory)
}

async fn memory_database() -> Database {
    Database::connect("sqlite::memory:").await.unwrap()
}

/// Each suite function, on a file and in memory.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_a_file() {
                let (db, _directory) = super::file_database().await;
                super::db_suite::$name(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn in_memory() {
                super::db_suite::$name(&super::memory_database().await).await;
            }
        }
    )*};
}

suite!(
    every_value_type_round_trips,
    single_row_queries_report_missing_and_extra_rows,
    constraint_violations_map_to_their_kinds,
    failed_transactions_leave_no_row,
    concurrent_writers_all_succeed,
    queries_are_counted,
);

const JOURNAL_MODE: Sql = Sql::portable("PRAGMA journal_mode");
const FOREIGN_KEYS: Sql = Sql::portable("PRAGMA foreign_keys");

#[tokio::test]
async fn files_use_wal_and_enforce_foreign_keys() {
    let (db, directory) = file_database().await;
    let mode = db.query_one(&JOURNAL_MODE, &[]).await.unwrap();
    assert_eq!(mode.get_text(0).as_deref(), Ok("wal"));
    let keys = db.query_one(&FOREIGN_KEYS, &[]).await.unwrap();
    assert_eq!(keys.get_bool(0), Ok(true));
    assert!(directory.path().join("test.db-wal").exists());
}

#[tokio::test]
async fn readers_refuse_writes_so_they_never_compete_with_the_writer() {
    let (db, _directory) = file_database().await;
    db_suite::with_schema(&db).await;
    const INSERT: Sql = Sql::portable("INSERT INTO counter (id, n) VALUES (1, 0) RETURNING id");
    let error = db.query(&INSERT, &[]).await.unwrap_err();
    assert!(error.message().contains("readonly"), "{error}");
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.query(&INSERT, &[]).await.unwrap()[0].get_i64(0), Ok(1));
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_reopened_file_keeps_its_rows() {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", directory.path().join("kept.db").display());
    const INSERT: Sql = Sql::portable("INSERT INTO counter (id, n) VALUES (7, 42)");
    const SELECT: Sql = Sql::portable("SELECT n FROM counter WHERE id = 7");
    {
        let db = Database::connect(&url).await.unwrap();
        db_suite::with_schema(&db).await;
        assert_eq!(db.execute(&INSERT, &[]).await, Ok(1));
    }
    let db = Database::connect(&url).await.unwrap();
    assert_eq!(db.query_one(&SELECT, &[]).await.unwrap().get_i64(0), Ok(42));
}

/// Decimals kept in a `NUMERIC` column are stored as reals by SQLite and
/// read back in their shortest exact spelling; a `TEXT` column keeps them
/// digit for digit (the suite's round trip).
#[tokio::test]
async fn numeric_affinity_decimals_read_back_as_written() {
    let db = memory_database().await;
    const CREATE: Sql = Sql::portable("CREATE TABLE price (amount NUMERIC NOT NULL)");
    const INSERT: Sql = Sql::portable("INSERT INTO price (amount) VALUES (?1)");
    const SUM: Sql = Sql::portable("SELECT sum(amount), typeof(sum(amount)) FROM price");
    db.apply_schema(&[&CREATE]).await.unwrap();
    for amount in ["9.99", "0.01", "100"] {
        db.execute(&INSERT, &[Value::decimal(amount).unwrap()])
            .await
            .unwrap();
    }
    let row = db.query_one(&SUM, &[]).await.unwrap();
    assert_eq!(row.get_text(1).as_deref(), Ok("real"));
    assert_eq!(row.get_decimal(0).as_deref(), Ok("110"));
}

#[tokio::test]
async fn a_failing_schema_applies_nothing() {
    let db = memory_database().await;
    const GOOD: Sql = Sql::portable("CREATE TABLE kept (id INTEGER PRIMARY KEY)");
    const BAD: Sql = Sql::portable("CREATE TABLE broken (id INTEGER PRIMARY KEY,)");
    const TABLES: Sql = Sql::portable("SELECT name FROM sqlite_master WHERE type = 'table'");
    let error = db.apply_schema(&[&GOOD, &BAD]).await.unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Other);
    assert!(db.query(&TABLES, &[]).await.unwrap().is_empty());
    db.apply_schema(&[&GOOD]).await.unwrap();
    assert_eq!(db.query(&TABLES, &[]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_urls_and_missing_directories_are_connection_errors() {
    let error = Database::connect("mysql://root:secret@db/app")
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Connection);
    assert!(error.message().contains("`mysql`"), "{error}");
    assert!(!error.message().contains("secret"), "{error}");

    let error = Database::connect("sqlite:///nonexistent-djinn-dir/x/db.sqlite3")
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Connection, "{error}");
}

/// A request cancelled while its transaction's statement runs (a time-out,
/// a closed connection) rolls the transaction back: the writer returns to
/// the pool clean once the statement finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_statement_rolls_its_transaction_back() {
    let (db, _directory) = file_database().await;
    db_suite::with_schema(&db).await;
    const INSERT: Sql = Sql::portable("INSERT INTO counter (id, n) VALUES (1, 0)");
    const SLOW: Sql = Sql::portable(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)
         SELECT count(*) FROM c",
    );
    const COUNT: Sql = Sql::portable("SELECT count(*) FROM counter");
    let mut tx = db.begin().await.unwrap();
    tx.execute(&INSERT, &[]).await.unwrap();
    let slow = tokio::time::timeout(Duration::from_millis(20), tx.query(&SLOW, &[])).await;
    assert!(slow.is_err(), "the slow statement should have been cut off");
    let abandoned = tx.execute(&INSERT, &[]).await.unwrap_err();
    assert!(abandoned.message().contains("cancelled"), "{abandoned}");
    drop(tx);
    // Waits for the writer, which comes back rolled back.
    assert_eq!(db.execute(&INSERT, &[]).await, Ok(1));
    assert_eq!(db.query_one(&COUNT, &[]).await.unwrap().get_i64(0), Ok(1));
}

/// A read runs on the calling thread's own reader until it passes its
/// budget; then it is cut off and finished on the blocking pool, so that a
/// single-threaded server goes on serving other requests meanwhile, and
/// the answer is the same.
#[tokio::test(flavor = "current_thread")]
async fn a_long_read_leaves_the_thread_and_still_answers() {
    let (db, _directory) = file_database().await;
    const LONG: Sql = Sql::portable(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000)
         SELECT count(*) FROM c",
    );
    const QUICK: Sql = Sql::portable("SELECT 41 + 1");
    let long = tokio::spawn({
        let db = db.clone();
        async move { db.query_one(&LONG, &[]).await }
    });
    let quick = tokio::spawn({
        let db = db.clone();
        async move { db.query_one(&QUICK, &[]).await }
    });
    // On this one thread, the quick read can only finish first if the long
    // one gave the thread up.
    assert_eq!(quick.await.unwrap().unwrap().get_i64(0), Ok(42));
    assert!(
        !long.is_finished(),
        "the long read should have moved off the thread"
    );
    assert_eq!(long.await.unwrap().unwrap().get_i64(0), Ok(5_000_000));
    // The thread's reader serves again afterwards.
    assert_eq!(db.query_one(&QUICK, &[]).await.unwrap().get_i64(0), Ok(42));
}
