//! Sessions over real sockets, on every store: a SQLite file, PostgreSQL
//! (`DJINN_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`,
//! a schema per test) and Redis (`DJINN_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379/0`). Without PostgreSQL or Redis those tests say
//! "skipped" and pass — unless `CI=true`, where they fail. Also the
//! messages framework, which lives in the session.

mod pg_schema;
mod session_support;

use std::time::Duration;

use djinn_runtime::db::{Database, Sql, Value};
use djinn_runtime::http::StatusCode;
use djinn_runtime::session::{SESSION_SCHEMA, clear_expired_sessions, signing};
use djinn_runtime::{SessionBackend, TestServer};
use redis::aio::MultiplexedConnection;
use session_support::{Client, PgSchema, REDIS_URL, SECRET, config, redis, sqlite, start};

const COUNT_ROWS: Sql = Sql::new(
    "SELECT count(*) FROM djinn_session WHERE session_key = ?1",
    "SELECT count(*) FROM djinn_session WHERE session_key = $1",
);

const EXPIRE_ALL: Sql = Sql::new(
    "UPDATE djinn_session SET expire_date = ?1",
    "UPDATE djinn_session SET expire_date = $1",
);

const SESSION_DATA: Sql = Sql::new(
    "SELECT session_data FROM djinn_session WHERE session_key = ?1",
    "SELECT session_data FROM djinn_session WHERE session_key = $1",
);

/// Where a test looks at what the server stored.
enum Stored {
    Database(Database),
    Redis(MultiplexedConnection),
}

impl Stored {
    async fn exists(&mut self, key: &str) -> bool {
        match self {
            Stored::Database(db) => {
                let row = db
                    .query_one(&COUNT_ROWS, &[Value::from(key)])
                    .await
                    .unwrap();
                row.get_i64(0).unwrap() == 1
            }
            Stored::Redis(connection) => {
                redis::cmd("EXISTS")
                    .arg(format!("djinn:session:{key}"))
                    .query_async::<i64>(connection)
                    .await
                    .unwrap()
                    == 1
            }
        }
    }

    async fn data(&mut self, key: &str) -> serde_json::Value {
        let text = match self {
            Stored::Database(db) => db
                .query_one(&SESSION_DATA, &[Value::from(key)])
                .await
                .unwrap()
                .get_text(0)
                .unwrap(),
            Stored::Redis(connection) => redis::cmd("GET")
                .arg(format!("djinn:session:{key}"))
                .query_async::<String>(connection)
                .await
                .unwrap(),
        };
        serde_json::from_str(&text).unwrap()
    }
}

fn assert_session_cookie(cookie: &str, age: u64, secure: bool) {
    let attributes: Vec<&str> = cookie.split("; ").collect();
    assert!(attributes[0].starts_with("sessionid="), "{cookie}");
    assert!(
        attributes[1].starts_with("expires=") && attributes[1].ends_with(" GMT"),
        "{cookie}"
    );
    let max_age = format!("Max-Age={age}");
    let mut expected = vec!["HttpOnly", max_age.as_str(), "Path=/", "SameSite=Lax"];
    if secure {
        expected.push("Secure");
    }
    assert_eq!(attributes[2..], expected, "{cookie}");
}

/// Reading, writing, cycling and flushing a session, checked in the store.
async fn session_lifecycle(server: &TestServer, stored: &mut Stored) {
    let mut client = Client::new(server);

    // Requests that do not touch the session get no cookie.
    let reply = client.get("/public/").await;
    assert_eq!(reply.body, "public");
    assert!(reply.set_cookies().is_empty() && reply.vary().is_empty());
    // Reading an empty session: no cookie either, but the page varies by cookie.
    let reply = client.get("/get/?key=name").await;
    assert_eq!(reply.body, "none");
    assert!(reply.set_cookies().is_empty());
    assert_eq!(reply.vary(), "Cookie");

    // Writing creates the session and its cookie.
    let reply = client.get("/set/?key=name&value=ada").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_session_cookie(&reply.set_cookie("sessionid").unwrap(), 1_209_600, false);
    let first_key = client.session_key().unwrap();
    assert_eq!(first_key.len(), 32);
    assert!(
        first_key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
    );
    assert!(stored.exists(&first_key).await);
    assert_eq!(
        stored.data(&first_key).await,
        serde_json::json!({"name": "ada"})
    );

    // It persists; reading it again sets no cookie; nor does a public page.
    let reply = client.get("/get/?key=name").await;
    assert_eq!(reply.body, "\"ada\"");
    assert!(reply.set_cookies().is_empty());
    assert!(client.get("/public/").await.set_cookies().is_empty());
    assert_eq!(client.get("/key/").await.body, first_key);
    client.get("/set/?key=lang&value=en").await;
    assert_eq!(
        client.session_key().unwrap(),
        first_key,
        "an update keeps the key"
    );
    assert_eq!(
        stored.data(&first_key).await,
        serde_json::json!({"name": "ada", "lang": "en"})
    );

    // cycle_key: same data, new key, the old row and cookie are worthless.
    let before_cycle = client.clone();
    let reply = client.get("/cycle/").await;
    assert_eq!(reply.body, "cycled, key now None");
    let second_key = client.session_key().unwrap();
    assert_ne!(second_key, first_key);
    assert!(!stored.exists(&first_key).await);
    assert!(stored.exists(&second_key).await);
    assert_eq!(client.get("/get/?key=name").await.body, "\"ada\"");
    let mut stale = before_cycle;
    let reply = stale.get("/get/?key=name").await;
    assert_eq!(reply.body, "none");
    assert!(
        reply.set_cookie("sessionid").unwrap().contains("Max-Age=0"),
        "a cookie naming no session is deleted"
    );

    // flush: the row and the cookie go.
    let before_flush = client.clone();
    let reply = client.get("/flush/").await;
    let deletion = reply.set_cookie("sessionid").unwrap();
    assert!(
        deletion.starts_with("sessionid=\"\"; expires=Thu, 01 Jan 1970"),
        "{deletion}"
    );
    assert!(deletion.contains("Max-Age=0"));
    assert_eq!(client.cookie, None);
    assert!(!stored.exists(&second_key).await);
    let mut stale = before_flush;
    assert_eq!(stale.get("/get/?key=name").await.body, "none");
}

#[tokio::test]
async fn sessions_live_in_a_sqlite_file() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    session_lifecycle(&server, &mut Stored::Database(db)).await;
}

#[tokio::test]
async fn sessions_live_in_postgresql() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    let db = schema.connect().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    session_lifecycle(&server, &mut Stored::Database(db)).await;
}

#[tokio::test]
async fn sessions_live_in_redis() {
    let Some(mut connection) = redis().await else {
        return;
    };
    let backend = SessionBackend::Redis {
        url: REDIS_URL.to_owned(),
    };
    let server = start(config(backend), None).await;
    session_lifecycle(&server, &mut Stored::Redis(connection.clone())).await;

    // Redis expires the key after the session's age.
    let mut client = Client::new(&server);
    client.get("/set/?key=name&value=ada").await;
    let key = format!("djinn:session:{}", client.session_key().unwrap());
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((1_209_590..=1_209_600).contains(&ttl), "TTL {ttl}");
}

#[tokio::test]
async fn redis_sessions_expire_by_themselves() {
    if redis().await.is_none() {
        return;
    }
    let mut config = config(SessionBackend::Redis {
        url: REDIS_URL.to_owned(),
    });
    config.sessions.age_seconds = 1;
    let server = start(config, None).await;
    let mut client = Client::new(&server);
    let reply = client.get("/set/?key=name&value=ada").await;
    assert_session_cookie(&reply.set_cookie("sessionid").unwrap(), 1, false);
    assert_eq!(client.get("/get/?key=name").await.body, "\"ada\"");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(client.get("/get/?key=name").await.body, "none");
}

#[tokio::test]
async fn an_unreachable_redis_fails_only_the_pages_that_use_the_session() {
    // Port 1 on localhost: nothing listens there.
    let backend = SessionBackend::Redis {
        url: "redis://127.0.0.1:1/0".to_owned(),
    };
    let server = start(config(backend), None).await;
    let mut client = Client::new(&server);
    assert_eq!(client.get("/public/").await.status, StatusCode::OK);
    // Reading finds an empty session (an anonymous page asking who is
    // signed in); only a change fails.
    assert_eq!(client.get("/get/?key=name").await.status, StatusCode::OK);
    let reply = client.get("/set/?key=name&value=ada").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.set_cookies().is_empty());
    // With a cookie the session is loaded, which fails: only using it is an error.
    client.cookie = Some(signing::sign_salted(
        SECRET,
        "djinn.sessions",
        "abcdefghijklmnopqrstuvwxyz012345",
    ));
    assert_eq!(client.get("/public/").await.status, StatusCode::OK);
    assert_eq!(
        client.get("/get/?key=name").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn a_session_written_by_one_server_is_read_by_another() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    // Two instances of the site, each with its own pool, one database.
    let first_db = schema.connect().await;
    let second_db = schema.connect().await;
    let first = start(config(SessionBackend::Database), Some(&first_db)).await;
    let second = start(config(SessionBackend::Database), Some(&second_db)).await;
    assert_ne!(first.addr(), second.addr());

    let mut on_first = Client::new(&first);
    on_first.get("/set/?key=cart&value=3%20books").await;
    let mut on_second = on_first.on(&second);
    assert_eq!(on_second.get("/get/?key=cart").await.body, "\"3 books\"");
    on_second.get("/set/?key=cart&value=4%20books").await;
    on_second.get("/cycle/").await;
    let mut on_first = on_second.on(&first);
    assert_eq!(on_first.get("/get/?key=cart").await.body, "\"4 books\"");
    on_first.get("/flush/").await;
    assert_eq!(on_first.cookie, None);
}

#[tokio::test]
async fn the_secure_flag_and_age_come_from_the_settings() {
    let (db, _dir) = sqlite().await;
    let mut config = config(SessionBackend::Database);
    config.sessions.secure_cookie = true;
    config.sessions.age_seconds = 3600;
    config.sessions.cookie_name = "sid".to_owned();
    let server = start(config, Some(&db)).await;
    let mut client = Client::new(&server);
    client.cookie_name = "sid".to_owned();
    let reply = client.get("/set/?key=name&value=ada").await;
    let cookie = reply.set_cookie("sid").unwrap();
    assert_session_cookie(&cookie.replacen("sid=", "sessionid=", 1), 3600, true);
    assert_eq!(client.get("/get/?key=name").await.body, "\"ada\"");
    let deletion = client.get("/flush/").await.set_cookie("sid").unwrap();
    assert!(deletion.contains("Max-Age=0") && deletion.ends_with("; Secure"));
}

#[tokio::test]
async fn tampered_or_unsigned_cookies_are_new_empty_sessions() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    let mut victim = Client::new(&server);
    victim.get("/set/?key=user&value=admin").await;
    let key = victim.session_key().unwrap();
    let signed = victim.cookie.clone().unwrap();

    let mut forgeries = vec![
        // The bare key, without a signature.
        key.clone(),
        // The key signed with another secret, or for another purpose.
        signing::sign_salted("another secret", "djinn.sessions", &key),
        signing::sign(SECRET, &key),
        // The signature cut short, or one character of the key changed.
        signed[..signed.len() - 2].to_owned(),
    ];
    let mut changed = key.clone().into_bytes();
    changed[0] = if changed[0] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(changed).unwrap();
    forgeries.push(signed.replacen(&key, &changed, 1));
    for forged in forgeries {
        let mut attacker = Client::new(&server);
        attacker.cookie = Some(forged.clone());
        let reply = attacker.get("/get/?key=user").await;
        assert_eq!(reply.body, "none", "{forged} opened the session");
        // Writing starts a new session under a new key, never the forged one.
        attacker.get("/set/?key=user&value=mallory").await;
        assert_ne!(attacker.session_key().unwrap(), key);
    }
    assert_eq!(victim.get("/get/?key=user").await.body, "\"admin\"");
}

#[tokio::test]
async fn expired_sessions_are_not_loaded_and_are_cleared() {
    let (db, _dir) = sqlite().await;
    expiry(&db).await;
}

#[tokio::test]
async fn expired_sessions_are_not_loaded_and_are_cleared_on_postgresql() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    expiry(&schema.connect().await).await;
}

async fn expiry(db: &Database) {
    let server = start(config(SessionBackend::Database), Some(db)).await;
    let mut expiring = Client::new(&server);
    expiring.get("/set/?key=name&value=old").await;
    let expired_key = expiring.session_key().unwrap();
    let yesterday = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    let yesterday = jiff::tz::TimeZone::UTC.to_datetime(yesterday);
    db.execute(&EXPIRE_ALL, &[Value::DateTime(yesterday)])
        .await
        .unwrap();
    let mut fresh = Client::new(&server);
    fresh.get("/set/?key=name&value=new").await;

    let reply = expiring.get("/get/?key=name").await;
    assert_eq!(reply.body, "none");
    assert!(reply.set_cookie("sessionid").unwrap().contains("Max-Age=0"));
    assert_eq!(clear_expired_sessions(db).await.unwrap(), 1);
    assert_eq!(clear_expired_sessions(db).await.unwrap(), 0);
    let mut stored = Stored::Database(db.clone());
    assert!(!stored.exists(&expired_key).await);
    assert!(stored.exists(&fresh.session_key().unwrap()).await);
    assert_eq!(fresh.get("/get/?key=name").await.body, "\"new\"");
}

#[tokio::test]
async fn the_schema_can_be_applied_twice() {
    let (db, _dir) = sqlite().await;
    let statements: Vec<&Sql> = SESSION_SCHEMA.iter().collect();
    db.apply_schema(&statements).await.unwrap();
    djinn_runtime::session::ensure_schema(&db).await.unwrap();
}

#[tokio::test]
async fn nothing_is_saved_when_the_handler_fails() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    let mut client = Client::new(&server);
    let reply = client.get("/broken/").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.set_cookies().is_empty());
    client.get("/set/?key=name&value=ada").await;
    let reply = client.get("/broken/").await;
    assert!(reply.set_cookies().is_empty());
    let data = Stored::Database(db)
        .data(&client.session_key().unwrap())
        .await;
    assert_eq!(data, serde_json::json!({"name": "ada"}));
}

#[tokio::test]
async fn a_logged_out_session_stays_logged_out_in_other_tabs() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    let mut tab = Client::new(&server);
    tab.get("/set/?key=user&value=ada").await;
    let mut other_tab = tab.clone();
    // One tab logs out; the other, still holding the old cookie, writes.
    tab.get("/flush/").await;
    let reply = other_tab.get("/set/?key=theme&value=dark").await;
    // The old session reads as empty, so the write starts a new one.
    assert_eq!(reply.status, StatusCode::OK);
    assert_ne!(other_tab.session_key(), tab.session_key());
    assert_eq!(other_tab.get("/get/?key=user").await.body, "none");
}

#[tokio::test]
async fn a_session_deleted_during_the_request_is_not_brought_back() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    let mut client = Client::new(&server);
    client.get("/set/?key=user&value=ada").await;
    let key = client.session_key().unwrap();
    let reply = client.get("/delete-meanwhile/").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply
            .body
            .contains("session was deleted before the request completed")
    );
    assert!(reply.set_cookies().is_empty());
    assert!(!Stored::Database(db).exists(&key).await);
}

#[tokio::test]
async fn without_a_secret_key_only_pages_changing_the_session_fail() {
    let (db, _dir) = sqlite().await;
    let mut production = config(SessionBackend::Database);
    production.debug = false;
    production.secret_key = None;
    let server = start(production.clone(), Some(&db)).await;
    let mut client = Client::new(&server);
    assert_eq!(client.get("/public/").await.status, StatusCode::OK);
    // Reading finds an empty session; only a change fails.
    assert_eq!(client.get("/get/?key=name").await.status, StatusCode::OK);
    let reply = client.get("/set/?key=name&value=ada").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.set_cookies().is_empty());

    // In debug mode the development key signs (with a warning in the log).
    let mut debug = production;
    debug.debug = true;
    let server = start(debug, Some(&db)).await;
    let mut client = Client::new(&server);
    client.get("/set/?key=name&value=ada").await;
    let cookie = client.cookie.clone().unwrap();
    assert!(
        signing::unsign_salted(signing::DEVELOPMENT_SECRET_KEY, "djinn.sessions", &cookie)
            .is_some()
    );
    assert_eq!(client.get("/get/?key=name").await.body, "\"ada\"");
}

#[tokio::test]
async fn messages_are_shown_once() {
    let (db, _dir) = sqlite().await;
    let server = start(config(SessionBackend::Database), Some(&db)).await;
    let mut client = Client::new(&server);

    // Showing no messages touches no session: no cookie.
    let reply = client.get("/messages/show/").await;
    assert_eq!(reply.body, "");
    assert!(reply.set_cookies().is_empty());

    client.get("/messages/add/?text=Saved.").await;
    client
        .get("/messages/add/?text=Careful&level=warning")
        .await;
    client.get("/messages/add/?text=hidden&level=debug").await;
    assert!(client.cookie.is_some(), "a message starts a session");
    let reply = client.get("/messages/show/").await;
    assert_eq!(reply.body, "success:Saved.|warning:Careful");
    assert_eq!(client.get("/messages/show/").await.body, "", "shown once");

    // A message added at logout survives the flush, in a new session.
    client.get("/set/?key=user&value=ada").await;
    let before = client.session_key();
    client.get("/logout/").await;
    assert_ne!(client.session_key(), before);
    assert_eq!(client.get("/get/?key=user").await.body, "none");
    assert_eq!(
        client.get("/messages/show/").await.body,
        "info:You have been logged out."
    );
}
