//! The database layer on PostgreSQL, through the shared suite, plus what
//! only PostgreSQL has (TLS, `numeric`, `timestamptz`, typed parameters).
//!
//! The server is `DJINN_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Each test works in a schema
//! of its own, dropped afterwards. Without a server the tests print
//! "skipped: no PostgreSQL" and pass — unless `CI=true`, where they fail.

mod db_suite;
mod pg_schema;

use djinn_runtime::db::{Database, DbErrorKind, DbOptions, Dialect, Sql, Value};
use jiff::civil::date;
use pg_schema::{PgSchema, server_url, with_parameter};

/// A database whose `search_path` is a fresh schema (dropped with the
/// returned guard), or `None` when no server answers and `CI` is not `true`.
async fn test_database() -> Option<(Database, PgSchema)> {
    let schema = PgSchema::create("test").await?;
    let db = Database::connect(&schema.url).await.unwrap();
    assert_eq!(db.dialect(), Dialect::Postgres);
    Some((db, schema))
}

/// Each suite function in a fresh schema.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some((db, _schema)) = super::test_database().await else {
                return;
            };
            super::db_suite::$name(&db).await;
        }
    )*};
}

mod suite {
    suite!(
        every_value_type_round_trips,
        single_row_queries_report_missing_and_extra_rows,
        constraint_violations_map_to_their_kinds,
        failed_transactions_leave_no_row,
        concurrent_writers_all_succeed,
        queries_are_counted,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_violations_name_the_constraint() {
    let Some((db, _schema)) = test_database().await else {
        return;
    };
    db_suite::with_schema(&db).await;
    const INSERT: Sql = Sql::new(
        "",
        "INSERT INTO author (email, name) VALUES ('a@example.com', 'A')",
    );
    db.execute(&INSERT, &[]).await.unwrap();
    let error = db.execute(&INSERT, &[]).await.unwrap_err();
    assert_eq!(
        *error.kind(),
        DbErrorKind::UniqueViolation {
            constraint: Some("author_email_key".to_owned()),
            columns: vec!["email".to_owned()],
        }
    );
}

/// Our binary `numeric` encoding and decoding agree with the server's own
/// text rendering, for any precision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numeric_values_agree_with_the_server() {
    let Some((db, _schema)) = test_database().await else {
        return;
    };
    const ECHO: Sql = Sql::new("", "SELECT $1::numeric, $1::numeric::text");
    const PARSE: Sql = Sql::new("", "SELECT $1::text::numeric");
    for text in [
        "0",
        "0.00",
        "-1.5",
        "9.99",
        "10000",
        "99999999.99",
        "0.0001",
        "-0.00012",
        "1000000.000",
        "123456789012345678901234567890.123456789012345678901234567890",
    ] {
        let row = db
            .query_one(&ECHO, &[Value::decimal(text).unwrap()])
            .await
            .unwrap();
        assert_eq!(row.get_text(1).as_deref(), Ok(text), "encoded {text}");
        assert_eq!(row.get_decimal(0).as_deref(), Ok(text), "decoded {text}");
        let parsed = db.query_one(&PARSE, &[text.into()]).await.unwrap();
        assert_eq!(
            parsed.get_decimal(0).as_deref(),
            Ok(text),
            "server's {text}"
        );
    }
    const NAN: Sql = Sql::new("", "SELECT 'NaN'::numeric");
    let error = db.query(&NAN, &[]).await.unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Decode, "{error}");
}

/// A `DateTime` bound to `timestamptz` is the UTC wall clock, whatever the
/// session's time zone, and reads back unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamptz_is_read_and_written_as_utc() {
    let Some((db, _schema)) = test_database().await else {
        return;
    };
    const TOKYO: Sql = Sql::new("", "SET LOCAL TIME ZONE 'Asia/Tokyo'");
    const INSTANT: Sql = Sql::new(
        "",
        "SELECT $1::timestamptz, $1::timestamptz::text, extract(epoch FROM $1::timestamptz)::bigint",
    );
    let moment = date(2024, 1, 31).at(9, 30, 0, 0);
    let mut tx = db.begin().await.unwrap();
    tx.execute(&TOKYO, &[]).await.unwrap();
    let row = tx.query_one(&INSTANT, &[moment.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(row.get_datetime(0), Ok(moment));
    assert_eq!(row.get_text(1).as_deref(), Ok("2024-01-31 18:30:00+09"));
    assert_eq!(row.get_i64(2), Ok(1_706_693_400));
}

/// A value that does not fit the parameter's type is a `Decode` error,
/// not a silent conversion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_must_fit_their_type() {
    let Some((db, _schema)) = test_database().await else {
        return;
    };
    const BIGINT: Sql = Sql::new("", "SELECT $1::bigint");
    const INT: Sql = Sql::new("", "SELECT $1::integer");
    let error = db.query(&BIGINT, &["12".into()]).await.unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Decode, "{error}");
    let error = db.query(&INT, &[Value::Int(1 << 40)]).await.unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Decode, "{error}");
    let row = db.query_one(&INT, &[Value::Int(-7)]).await.unwrap();
    assert_eq!(row.get_i32(0), Ok(-7));
}

/// A transaction dropped without commit rolls back before its connection
/// serves anyone else: with a pool of one, the next query runs on that
/// same connection and must not see the uncommitted row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_transaction_returns_a_clean_connection() {
    let Some((db, schema)) = test_database().await else {
        return;
    };
    db_suite::with_schema(&db).await;
    let options = DbOptions {
        max_connections: 1,
        ..DbOptions::default()
    };
    let single = Database::connect_with(&schema.url, &options).await.unwrap();
    const INSERT: Sql = Sql::new(
        "",
        "INSERT INTO author (email, name) VALUES ('a@example.com', 'A')",
    );
    const COUNT: Sql = Sql::portable("SELECT count(*) FROM author");
    let mut tx = single.begin().await.unwrap();
    tx.execute(&INSERT, &[]).await.unwrap();
    drop(tx);
    let count = single.query_one(&COUNT, &[]).await.unwrap();
    assert_eq!(count.get_i64(0), Ok(0));
}

/// `sslmode=require` encrypts (the local server's certificate is
/// self-signed, which libpq's `require` accepts); `verify-full` checks the
/// certificate, which a self-signed one fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_uses_tls() {
    let Some((db, _schema)) = test_database().await else {
        return;
    };
    const SSL_ON: Sql = Sql::portable("SHOW ssl");
    const MY_SSL: Sql = Sql::portable("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    let plain = db.query_one(&MY_SSL, &[]).await.unwrap();
    assert_eq!(plain.get_bool(0), Ok(false));
    let server_ssl = db
        .query_one(&SSL_ON, &[])
        .await
        .unwrap()
        .get_text(0)
        .unwrap();
    if server_ssl != "on" {
        eprintln!("skipped TLS checks: the server has ssl = {server_ssl}");
        return;
    }
    let tls = Database::connect(&with_parameter(&server_url(), "sslmode=require"))
        .await
        .unwrap();
    let encrypted = tls.query_one(&MY_SSL, &[]).await.unwrap();
    assert_eq!(encrypted.get_bool(0), Ok(true));

    let error = Database::connect(&with_parameter(&server_url(), "sslmode=verify-full"))
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Connection, "{error}");
}

/// No server at the address: a `Connection` error at start-up.
#[tokio::test]
async fn an_unreachable_server_is_a_connection_error() {
    let options = DbOptions {
        acquire_timeout: std::time::Duration::from_secs(5),
        ..DbOptions::default()
    };
    let error = Database::connect_with("postgres://postgres@127.0.0.1:1/test", &options)
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), DbErrorKind::Connection, "{error}");
}
