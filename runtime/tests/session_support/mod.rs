//! What the session and CSRF tests share: a test application whose handlers
//! read and write the session, a client that keeps the session cookie like
//! a browser, and real stores (a SQLite file, a PostgreSQL schema, Redis).

#![allow(dead_code)] // Each test file uses part of it.

use std::net::SocketAddr;

use djinn_runtime::db::{Database, Dialect, Sql};
use djinn_runtime::http::header::{HOST, SET_COOKIE};
use djinn_runtime::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use djinn_runtime::session::{Session, ensure_schema};
use djinn_runtime::{
    App, BoxFuture, Bytes, HttpError, MiddlewareKind, Request, Response, RouteMatch, ServerConfig,
    SessionBackend, TestServer, UrlParams, csrf, messages, spawn_test_server,
};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub(crate) const SECRET: &str = "test-secret-key-for-sessions";

// ---- the application under test -------------------------------------------

type Answer = BoxFuture<'static, Result<Response, HttpError>>;

fn session(request: &Request) -> Result<Session, HttpError> {
    Session::from_request(request).ok_or_else(|| HttpError::Internal("no session".to_owned()))
}

fn query(request: &Request, name: &str) -> String {
    request.query_value(name).unwrap_or_default()
}

/// Does not touch the session.
fn public(_: Request) -> Answer {
    Box::pin(async { Ok(Response::text("public")) })
}

/// `/get/?key=K`: the JSON value under K, or `none`.
fn get_value(request: Request) -> Answer {
    Box::pin(async move {
        let value = session(&request)?.get_value(&query(&request, "key"));
        Ok(Response::text(
            value.map_or("none".to_owned(), |value| value.to_string()),
        ))
    })
}

/// `/set/?key=K&value=V`: stores the string V under K.
fn set_value(request: Request) -> Answer {
    Box::pin(async move {
        session(&request)?.insert(&query(&request, "key"), query(&request, "value"));
        Ok(Response::text("stored"))
    })
}

/// `/key/`: the session's key when the handler ran (`none` if unsaved).
fn key(request: Request) -> Answer {
    Box::pin(async move {
        let key = session(&request)?.key();
        Ok(Response::text(key.unwrap_or_else(|| "none".to_owned())))
    })
}

fn cycle(request: Request) -> Answer {
    Box::pin(async move {
        let session = session(&request)?;
        session.cycle_key();
        let key = session.key();
        Ok(Response::text(format!("cycled, key now {key:?}")))
    })
}

fn flush(request: Request) -> Answer {
    Box::pin(async move {
        session(&request)?.flush();
        Ok(Response::text("flushed"))
    })
}

/// Logs out and says so, like a logout view with a message.
fn flush_then_message(request: Request) -> Answer {
    Box::pin(async move {
        session(&request)?.flush();
        messages::info(&request, "You have been logged out.");
        Ok(Response::text("flushed"))
    })
}

/// Writes to the session, then fails.
fn broken(request: Request) -> Answer {
    Box::pin(async move {
        session(&request)?.insert("lost", true);
        Err(HttpError::Internal("the handler failed".to_owned()))
    })
}

/// Deletes this session's row, as a concurrent logout would, then writes.
fn delete_meanwhile(request: Request) -> Answer {
    Box::pin(async move {
        const DELETE: Sql = Sql::new(
            "DELETE FROM djinn_session WHERE session_key = ?1",
            "DELETE FROM djinn_session WHERE session_key = $1",
        );
        let session = session(&request)?;
        let db = request
            .state::<Database>()
            .ok_or_else(HttpError::not_found)?;
        db.execute(&DELETE, &[session.key().unwrap_or_default().into()])
            .await?;
        session.insert("theme", "dark");
        Ok(Response::text("written"))
    })
}

/// `/token/`: a masked CSRF token, as a form would show it.
fn token(request: Request) -> Answer {
    Box::pin(async move { Ok(Response::text(csrf::csrf_token(&request))) })
}

fn rotate(request: Request) -> Answer {
    Box::pin(async move {
        csrf::rotate_csrf_token(&session(&request)?);
        Ok(Response::text("rotated"))
    })
}

/// `/submit/`: what a form posts to (any method).
fn submit(request: Request) -> Answer {
    Box::pin(async move { Ok(Response::text(format!("accepted {}", request.method()))) })
}

/// `/messages/add/?text=T&level=success|error|debug`.
fn add_message(request: Request) -> Answer {
    Box::pin(async move {
        let text = query(&request, "text");
        match query(&request, "level").as_str() {
            "error" => messages::error(&request, text),
            "debug" => messages::debug(&request, text),
            "warning" => messages::warning(&request, text),
            _ => messages::success(&request, text),
        }
        Ok(Response::text("added"))
    })
}

/// `/messages/show/`: `level_tag:text` of each message, `|`-separated.
fn show_messages(request: Request) -> Answer {
    Box::pin(async move {
        let shown: Vec<String> = messages::take_messages(&request)
            .iter()
            .map(|message| format!("{}:{}", message.level_tag(), message.message))
            .collect();
        Ok(Response::text(shown.join("|")))
    })
}

fn found(handler: djinn_runtime::Handler) -> RouteMatch {
    RouteMatch::Found {
        handler,
        params: UrlParams::new(),
    }
}

fn router(method: &Method, path: &str) -> RouteMatch {
    match (path, method) {
        ("/submit/", _) => found(submit),
        (_, &Method::GET | &Method::HEAD) => match path {
            "/public/" => found(public),
            "/get/" => found(get_value),
            "/set/" => found(set_value),
            "/key/" => found(key),
            "/cycle/" => found(cycle),
            "/flush/" => found(flush),
            "/logout/" => found(flush_then_message),
            "/broken/" => found(broken),
            "/delete-meanwhile/" => found(delete_meanwhile),
            "/token/" => found(token),
            "/rotate/" => found(rotate),
            "/messages/add/" => found(add_message),
            "/messages/show/" => found(show_messages),
            _ => RouteMatch::NotFound,
        },
        _ => RouteMatch::NotFound,
    }
}

/// Debug mode (error pages show the reason), sessions, CSRF and messages.
pub(crate) fn config(backend: SessionBackend) -> ServerConfig {
    let mut config = ServerConfig {
        debug: true,
        secret_key: Some(SECRET.to_owned()),
        allowed_hosts: vec!["testserver".to_owned()],
        middleware: vec![
            MiddlewareKind::Security,
            MiddlewareKind::Common,
            MiddlewareKind::Sessions,
            MiddlewareKind::Csrf,
            MiddlewareKind::Messages,
        ],
        ..ServerConfig::default()
    };
    config.sessions.backend = backend;
    config
}

/// The test application on a real socket, with `db` as its database (if any).
pub(crate) async fn start(config: ServerConfig, db: Option<&Database>) -> TestServer {
    let mut app = App::new(config, router).unwrap();
    if let Some(db) = db {
        app = app.with_state(db.clone());
    }
    spawn_test_server(app).await.unwrap()
}

// ---- stores ----------------------------------------------------------------

/// A SQLite file in a temporary directory, with the session table.
pub(crate) async fn sqlite() -> (Database, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
    let db = Database::connect(&url).await.unwrap();
    assert_eq!(db.dialect(), Dialect::Sqlite);
    ensure_schema(&db).await.unwrap();
    (db, dir)
}

fn is_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A PostgreSQL schema of its own for one test, with the session table.
pub(crate) struct PgSchema(crate::pg_schema::PgSchema);

impl PgSchema {
    /// A fresh schema with the session table, or `None` (after saying so)
    /// when no server answers and `CI` is not `true`.
    pub(crate) async fn create() -> Option<PgSchema> {
        let schema = PgSchema(crate::pg_schema::PgSchema::create("sessions").await?);
        ensure_schema(&schema.connect().await).await.unwrap();
        Some(schema)
    }

    /// A new pool on the schema (each server process has its own).
    pub(crate) async fn connect(&self) -> Database {
        let db = Database::connect(&self.0.url).await.unwrap();
        assert_eq!(db.dialect(), Dialect::Postgres);
        db
    }
}

pub(crate) const REDIS_URL: &str = "redis://127.0.0.1:6379/0";

/// A connection to the test Redis, or `None` (after saying so) when none
/// answers and `CI` is not `true`.
pub(crate) async fn redis() -> Option<redis::aio::MultiplexedConnection> {
    let url = std::env::var("DJINN_TEST_REDIS_URL").unwrap_or_else(|_| REDIS_URL.to_owned());
    let connected = async {
        let client = redis::Client::open(url.as_str())?;
        client.get_multiplexed_async_connection().await
    }
    .await;
    match connected {
        Ok(connection) => Some(connection),
        Err(error) if is_ci() => panic!("Redis at {url} is unreachable and CI=true: {error}"),
        Err(error) => {
            eprintln!("skipped: no Redis ({error})");
            None
        }
    }
}

// ---- the client ------------------------------------------------------------

/// One HTTP answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    /// The `Set-Cookie` headers.
    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }

    /// The one `Set-Cookie` for `name`, if any (fails on several).
    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        let mut found: Vec<String> = self
            .set_cookies()
            .into_iter()
            .filter(|cookie| cookie.starts_with(&format!("{name}=")))
            .collect();
        assert!(found.len() <= 1, "several cookies named {name}: {found:?}");
        found.pop()
    }

    /// The `Vary` header, or "".
    pub(crate) fn vary(&self) -> String {
        self.headers
            .get("vary")
            .map_or(String::new(), |value| value.to_str().unwrap().to_owned())
    }
}

/// A browser with one cookie jar entry: the session cookie.
#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub(crate) addr: SocketAddr,
    pub(crate) cookie_name: String,
    /// The session cookie's value as the browser would send it.
    pub(crate) cookie: Option<String>,
}

impl Client {
    pub(crate) fn new(server: &TestServer) -> Client {
        Client {
            addr: server.addr(),
            cookie_name: "sessionid".to_owned(),
            cookie: None,
        }
    }

    /// The same browser talking to another server (another instance of the site).
    pub(crate) fn on(&self, server: &TestServer) -> Client {
        Client {
            addr: server.addr(),
            ..self.clone()
        }
    }

    /// The session key inside the cookie (before the signature).
    pub(crate) fn session_key(&self) -> Option<String> {
        let cookie = self.cookie.as_ref()?;
        Some(cookie.rsplit_once(':')?.0.to_owned())
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, &[], b"").await
    }

    /// A POST of a URL-encoded form.
    pub(crate) async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let content_type = HeaderName::from_static("content-type");
        self.send(
            Method::POST,
            path,
            &[(content_type, "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await
    }

    /// Sends a request with the session cookie, and keeps the cookie the
    /// answer sets (a `Max-Age=0` one deletes it).
    pub(crate) async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: &[u8],
    ) -> Reply {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .body(Full::new(Bytes::copy_from_slice(body)))
            .unwrap();
        let request_headers = request.headers_mut();
        request_headers.insert(HOST, HeaderValue::from_static("testserver"));
        if let Some(cookie) = &self.cookie {
            let header = format!("{}={cookie}", self.cookie_name);
            request_headers.insert("cookie", HeaderValue::from_str(&header).unwrap());
        }
        for (name, value) in headers {
            request_headers.insert(name, HeaderValue::from_str(value).unwrap());
        }
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let reply = Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        };
        if let Some(set_cookie) = reply.set_cookie(&self.cookie_name) {
            let value = set_cookie
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, value)| value.to_owned())
                .unwrap();
            self.cookie = if set_cookie.contains("Max-Age=0") {
                None
            } else {
                Some(value)
            };
        }
        reply
    }
}
