//! Authentication end to end: a real server (sessions, CSRF and auth
//! middleware, the account pages under `/accounts/`, two protected test
//! views) on a real SQLite file and on real PostgreSQL, talked to over HTTP
//! by a client that keeps the session cookie.
//!
//! PostgreSQL is `DJINN_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), one schema per test. Without a
//! server the PostgreSQL tests print "skipped" and pass — unless `CI=true`.
//!
//! Every line the server logs is captured: the tests check that no
//! password ever appears in it (and read the reset link from it).

mod pg_schema;

use pg_schema::PgSchema;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use djinn_runtime::auth::{self, AuthError, HasherParams};
use djinn_runtime::db::{Database, Sql, Value};
use djinn_runtime::http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_TYPE, COOKIE, HOST, LOCATION, RETRY_AFTER, SET_COOKIE,
};
use djinn_runtime::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use djinn_runtime::{
    App, AuthConfig, BoxFuture, Bytes, HttpError, MiddlewareKind, Request, Response, RouteMatch,
    ServerConfig, TestServer, UrlParams, spawn_test_server,
};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

// ---- captured log ------------------------------------------------------------

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Everything logged so far by any test of this binary.
fn log_text() -> String {
    String::from_utf8_lossy(&log().0.lock().unwrap()).into_owned()
}

fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

/// Cheap hashes (the cost is stored in each hash, so they verify the same
/// way), and the log captured.
fn setup() {
    auth::set_hasher_params(HasherParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    })
    .unwrap();
    log();
}

fn assert_not_logged(secrets: &[&str]) {
    let text = log_text();
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} appears in the log");
    }
}

// ---- databases ---------------------------------------------------------------

/// A test database, dropped (file or schema) with this value.
enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] PgSchema),
}

async fn sqlite() -> (Database, TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    let db = Database::connect(&url).await.unwrap();
    prepare(&db).await;
    (db, TestDb::Sqlite(dir))
}

async fn postgres() -> Option<(Database, TestDb)> {
    let schema = PgSchema::create("auth_test").await?;
    let db = Database::connect(&schema.url).await.unwrap();
    prepare(&db).await;
    Some((db, TestDb::Postgres(schema)))
}

async fn prepare(db: &Database) {
    auth::ensure_schema(db).await.unwrap();
    // Twice: the schema is idempotent.
    auth::ensure_schema(db).await.unwrap();
    djinn_runtime::session::ensure_schema(db).await.unwrap();
    auth::sync_permissions(
        db,
        &[
            ("blog", "add_post", "Can add post"),
            ("blog", "delete_post", "Can delete post"),
            ("blog", "view_post", "Can view post"),
        ],
    )
    .await
    .unwrap();
}

/// Runs `$scenario(db)` on SQLite and on PostgreSQL, as two tests.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::setup();
                    let (db, _guard) = super::sqlite().await;
                    super::$scenario(db).await;
                }
            )*
        }
        mod postgres_schema {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::setup();
                    let Some((db, _guard)) = super::postgres().await else {
                        return;
                    };
                    super::$scenario(db).await;
                }
            )*
        }
    };
}

on_both_databases!(
    login_logout_and_session_fixation,
    next_is_followed_only_when_safe,
    protected_views_see_the_user_and_permissions,
    failed_logins_are_rate_limited,
    password_change_keeps_this_session_and_ends_the_others,
    password_reset_by_logged_link,
    inactive_users_cannot_log_in,
    users_permissions_and_groups,
    django_hashes_are_upgraded_at_login,
    createsuperuser_from_the_environment,
);

// ---- the application under test ---------------------------------------------

type Answer = BoxFuture<'static, Result<Response, HttpError>>;

fn home(_: Request) -> Answer {
    Box::pin(async { Ok(Response::text("home")) })
}

/// A `login_required` view that shows who it sees.
fn private(request: Request) -> Answer {
    Box::pin(async move {
        if let Some(redirect) = auth::require_login(&request) {
            return Ok(redirect);
        }
        let user = auth::template_user(&request);
        let perms = auth::template_perms(&request);
        Ok(Response::text(format!(
            "user={} staff={} add_post={} delete_post={} blog={} granted={:?}",
            user.username,
            user.is_staff,
            auth::has_perm(&request, "blog.add_post"),
            auth::has_perm(&request, "blog.delete_post"),
            perms.has_module("blog"),
            perms.granted,
        )))
    })
}

/// A view requiring `blog.delete_post`.
fn deleter(request: Request) -> Answer {
    Box::pin(async move {
        if let Some(redirect) = auth::require_perms(&request, &["blog.delete_post"])? {
            return Ok(redirect);
        }
        Ok(Response::text("deleted"))
    })
}

fn router(method: &Method, path: &str) -> RouteMatch {
    if let Some(rest) = path.strip_prefix("/accounts/") {
        return auth::views::route(method, rest);
    }
    let handler: djinn_runtime::Handler = match path {
        "/" => home,
        "/private/" => private,
        "/delete/" => deleter,
        _ => return RouteMatch::NotFound,
    };
    RouteMatch::Found {
        handler,
        params: UrlParams::new(),
    }
}

fn config(login_rate_limit: u32) -> ServerConfig {
    ServerConfig {
        allowed_hosts: vec!["testserver".to_owned()],
        secret_key: Some("auth-test-secret-key".to_owned()),
        middleware: vec![
            MiddlewareKind::Security,
            MiddlewareKind::Common,
            MiddlewareKind::Sessions,
            MiddlewareKind::Csrf,
            MiddlewareKind::Auth,
            MiddlewareKind::Messages,
        ],
        auth: AuthConfig {
            login_rate_limit,
            login_rate_period: Duration::from_secs(60),
            ..AuthConfig::default()
        },
        ..ServerConfig::default()
    }
}

async fn start(db: &Database, login_rate_limit: u32) -> TestServer {
    let app = App::new(config(login_rate_limit), router)
        .unwrap()
        .with_state(db.clone());
    spawn_test_server(app).await.unwrap()
}

// ---- a client with a cookie jar --------------------------------------------------

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name:?} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    fn location(&self) -> &str {
        assert_eq!(
            self.status,
            StatusCode::FOUND,
            "not a redirect: {}",
            self.body
        );
        self.header(LOCATION)
    }

    /// The CSRF token of the page's form.
    fn csrf_token(&self) -> String {
        let marker = "name=\"csrfmiddlewaretoken\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// A browser: one session cookie, sent back until the server deletes it.
struct Client {
    addr: SocketAddr,
    cookie: Option<String>,
}

impl Client {
    fn new(server: &TestServer) -> Client {
        Client {
            addr: server.addr(),
            cookie: None,
        }
    }

    /// The session key in the cookie (the part before the signature).
    fn session_key(&self) -> Option<String> {
        let value = self.cookie.as_ref()?.split_once('=')?.1;
        Some(value.split(':').next()?.to_owned())
    }

    async fn send(&mut self, method: Method, path: &str, body: Vec<u8>) -> Reply {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, "testserver")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        for set_cookie in parts.headers.get_all(SET_COOKIE) {
            let set_cookie = set_cookie.to_str().unwrap();
            let pair = set_cookie.split(';').next().unwrap().trim();
            if set_cookie.contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = Some(pair.to_owned());
            }
        }
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, Vec::new()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(Method::POST, path, body.into_bytes()).await
    }

    /// GETs `form_path` for its CSRF token, then POSTs `fields` with it to `form_path`.
    async fn submit(&mut self, form_path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.get(form_path).await.csrf_token();
        let mut with_token = vec![("csrfmiddlewaretoken", token.as_str())];
        with_token.extend_from_slice(fields);
        self.post(form_path, &with_token).await
    }

    async fn log_in(&mut self, username: &str, password: &str) -> Reply {
        self.submit(
            "/accounts/login/",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// POSTs the logout form (its token taken from the login page).
    async fn log_out(&mut self) -> Reply {
        let token = self.get("/accounts/login/").await.csrf_token();
        self.post(
            "/accounts/logout/",
            &[("csrfmiddlewaretoken", token.as_str())],
        )
        .await
    }
}

const GOOD_PASSWORD: &str = "Ultr4-Secret-Passphrase!";

async fn stored_password(db: &Database, username: &str) -> String {
    const STORED: Sql = Sql::new(
        r#"SELECT "password" FROM "auth_user" WHERE "username" = ?1"#,
        r#"SELECT "password" FROM "auth_user" WHERE "username" = $1"#,
    );
    db.query_one(&STORED, &[Value::from(username)])
        .await
        .unwrap()
        .get_text(0)
        .unwrap()
}

// ---- scenarios ------------------------------------------------------------------

async fn login_logout_and_session_fixation(db: Database) {
    let server = start(&db, 100).await;
    auth::create_user(&db, "alice", "alice@example.com", Some(GOOD_PASSWORD))
        .await
        .unwrap();
    assert!(
        stored_password(&db, "alice")
            .await
            .starts_with("argon2$argon2id$v=19$")
    );

    let mut browser = Client::new(&server);
    let form = browser.get("/accounts/login/").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header(CONTENT_TYPE), "text/html; charset=utf-8");
    assert!(form.header(CACHE_CONTROL).contains("no-store"));
    assert_eq!(form.csrf_token().len(), 64);
    assert!(form.body.contains("name=\"username\"") && form.body.contains("type=\"password\""));
    let before_login = browser.session_key().expect("the form starts a session");
    let cookie_before_login = browser.cookie.clone();

    // A POST without the CSRF token is refused before the view runs.
    let forged = browser
        .post(
            "/accounts/login/",
            &[("username", "alice"), ("password", GOOD_PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let wrong = browser.log_in("alice", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong.body.contains(auth::views::INVALID_LOGIN),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("value=\"alice\""),
        "the user name is kept"
    );
    assert!(!wrong.body.contains("not-the-password"));

    let right = browser.log_in("alice", GOOD_PASSWORD).await;
    assert_eq!(right.location(), "/");
    let cookie = right.header(SET_COOKIE);
    assert!(cookie.starts_with("sessionid="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let after_login = browser.session_key().unwrap();
    assert_ne!(
        before_login, after_login,
        "the session key changes at login"
    );

    let page = browser.get("/private/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.starts_with("user=alice staff=false"),
        "{}",
        page.body
    );
    let user = auth::get_user_by_username(&db, "alice")
        .await
        .unwrap()
        .unwrap();
    assert!(user.last_login.is_some(), "last_login is set at login");

    // The old session key is no longer signed in (it was deleted).
    let mut attacker = Client {
        addr: server.addr(),
        cookie: cookie_before_login,
    };
    assert_eq!(attacker.get("/private/").await.status, StatusCode::FOUND);

    // Logging out: GET is not allowed (Django 5), POST is.
    let get_logout = browser.get("/accounts/logout/").await;
    assert_eq!(get_logout.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get_logout.header(ALLOW), "POST");
    assert_eq!(
        browser.get("/private/").await.status,
        StatusCode::OK,
        "still signed in"
    );
    let logout = browser.log_out().await;
    assert_eq!(logout.location(), "/accounts/login/");
    let after_logout = browser.get("/private/").await;
    assert_eq!(after_logout.location(), "/accounts/login/?next=/private/");

    assert_not_logged(&[GOOD_PASSWORD, "not-the-password"]);
    server.shutdown().await.unwrap();
}

async fn next_is_followed_only_when_safe(db: Database) {
    let server = start(&db, 100).await;
    let password = "Next-Test-Password-42";
    auth::create_user(&db, "nina", "", Some(password))
        .await
        .unwrap();
    for (next, expected) in [
        ("/private/?tab=1", "/private/?tab=1"),
        ("http://testserver/private/", "http://testserver/private/"),
        ("http://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ] {
        let mut browser = Client::new(&server);
        let path = format!(
            "/accounts/login/?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let form = browser.get(&path).await;
        let escaped_next = djinn_runtime::template::escape(next);
        assert!(
            form.body
                .contains(&format!("name=\"next\" value=\"{escaped_next}\""))
        );
        let token = form.csrf_token();
        let reply = browser
            .post(
                &path,
                &[
                    ("csrfmiddlewaretoken", token.as_str()),
                    ("username", "nina"),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(reply.location(), expected, "next={next:?}");
    }
    // The logout page follows a safe next too.
    let mut browser = Client::new(&server);
    browser.log_in("nina", password).await;
    let token = browser.get("/accounts/login/").await.csrf_token();
    let reply = browser
        .post(
            "/accounts/logout/?next=http://evil.example/",
            &[("csrfmiddlewaretoken", token.as_str())],
        )
        .await;
    assert_eq!(reply.location(), "/accounts/login/");
    server.shutdown().await.unwrap();
}

async fn protected_views_see_the_user_and_permissions(db: Database) {
    let server = start(&db, 100).await;
    let password = "Perm-Test-Password-42";
    let writer = auth::create_user(&db, "writer", "", Some(password))
        .await
        .unwrap();
    let editors = auth::create_group(&db, "editors").await.unwrap();
    auth::grant_group_permission(&db, editors, "blog.add_post")
        .await
        .unwrap();
    auth::add_user_to_group(&db, writer, editors).await.unwrap();
    auth::create_superuser(&db, "root", "root@example.com", Some(password))
        .await
        .unwrap();

    let mut anonymous = Client::new(&server);
    let redirect = anonymous.get("/private/?x=1&y=a%20b").await;
    assert_eq!(
        redirect.location(),
        "/accounts/login/?next=/private/%3Fx%3D1%26y%3Da%2520b"
    );
    assert!(
        anonymous
            .get("/delete/")
            .await
            .location()
            .starts_with("/accounts/login/?next=/delete/")
    );

    let mut browser = Client::new(&server);
    browser.log_in("writer", password).await;
    let page = browser.get("/private/").await;
    assert_eq!(
        page.body,
        "user=writer staff=false add_post=true delete_post=false blog=true granted=[\"blog.add_post\"]"
    );
    assert_eq!(browser.get("/delete/").await.status, StatusCode::FORBIDDEN);

    let mut admin = Client::new(&server);
    admin.log_in("root", password).await;
    let page = admin.get("/private/").await;
    assert!(
        page.body
            .starts_with("user=root staff=true add_post=true delete_post=true blog=true"),
        "{}",
        page.body
    );
    assert_eq!(admin.get("/delete/").await.body, "deleted");
    server.shutdown().await.unwrap();
}

async fn failed_logins_are_rate_limited(db: Database) {
    let server = start(&db, 3).await;
    let password = "Rate-Limit-Password-42";
    auth::create_user(&db, "rita", "", Some(password))
        .await
        .unwrap();
    auth::create_user(&db, "other", "", Some(password))
        .await
        .unwrap();
    let mut signed_in = Client::new(&server);
    assert_eq!(signed_in.log_in("other", password).await.location(), "/");
    let mut browser = Client::new(&server);
    for attempt in 0..3 {
        let reply = browser.log_in("rita", &format!("wrong-{attempt}")).await;
        assert_eq!(reply.status, StatusCode::OK, "attempt {attempt}");
    }
    // Over the limit: refused even with the right password, for any user
    // name from this address.
    let limited = browser.log_in("rita", password).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.header(RETRY_AFTER).parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    assert!(limited.body.contains("Too many failed attempts"));
    assert_eq!(
        browser.log_in("other", password).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        browser.get("/private/").await.status,
        StatusCode::FOUND,
        "not signed in"
    );
    // Guessing an old password from a signed-in session counts the same way.
    let change = signed_in
        .submit(
            "/accounts/password_change/",
            &[
                ("old_password", "guess"),
                ("new_password1", "Some-New-Password-42"),
                ("new_password2", "Some-New-Password-42"),
            ],
        )
        .await;
    assert_eq!(change.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(change.headers.contains_key(RETRY_AFTER));
    // The limit is in the database: a second server process sees it too.
    let second = start(&db, 3).await;
    let mut elsewhere = Client::new(&second);
    assert_eq!(
        elsewhere.log_in("rita", password).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_not_logged(&["wrong-0", "wrong-2", password]);
    server.shutdown().await.unwrap();
    second.shutdown().await.unwrap();
}

async fn password_change_keeps_this_session_and_ends_the_others(db: Database) {
    let server = start(&db, 100).await;
    let old = "Old-Password-Number-1";
    let new = "Brand-New-Password-2";
    auth::create_user(&db, "carol", "carol@example.com", Some(old))
        .await
        .unwrap();
    let mut laptop = Client::new(&server);
    let mut phone = Client::new(&server);
    laptop.log_in("carol", old).await;
    phone.log_in("carol", old).await;
    assert_eq!(phone.get("/private/").await.status, StatusCode::OK);

    let mut anonymous = Client::new(&server);
    assert_eq!(
        anonymous.get("/accounts/password_change/").await.location(),
        "/accounts/login/?next=/accounts/password_change/"
    );

    let change = "/accounts/password_change/";
    let form = laptop.get(change).await;
    assert!(form.body.contains("name=\"old_password\"") && form.body.contains("new_password2"));
    let wrong_old = laptop
        .submit(
            change,
            &[
                ("old_password", "nope"),
                ("new_password1", new),
                ("new_password2", new),
            ],
        )
        .await;
    assert!(wrong_old.body.contains(auth::views::INCORRECT_OLD_PASSWORD));
    let mismatch = laptop
        .submit(
            change,
            &[
                ("old_password", old),
                ("new_password1", new),
                ("new_password2", "other"),
            ],
        )
        .await;
    assert!(
        mismatch
            .body
            .contains("The two password fields didn’t match.")
    );
    let weak = laptop
        .submit(
            change,
            &[
                ("old_password", old),
                ("new_password1", "carol123"),
                ("new_password2", "carol123"),
            ],
        )
        .await;
    assert!(
        weak.body
            .contains("The password is too similar to the username."),
        "{}",
        weak.body
    );
    assert!(weak.body.contains("This password is too common."));

    let done = laptop
        .submit(
            change,
            &[
                ("old_password", old),
                ("new_password1", new),
                ("new_password2", new),
            ],
        )
        .await;
    assert_eq!(done.location(), "/accounts/password_change/done/");
    assert!(
        laptop
            .get("/accounts/password_change/done/")
            .await
            .body
            .contains("Your password was changed.")
    );
    assert_eq!(
        laptop.get("/private/").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        phone.get("/private/").await.status,
        StatusCode::FOUND,
        "other sessions end"
    );

    let mut fresh = Client::new(&server);
    assert_eq!(
        fresh.log_in("carol", old).await.status,
        StatusCode::OK,
        "old password refused"
    );
    assert_eq!(fresh.log_in("carol", new).await.location(), "/");
    assert_not_logged(&[old, new]);
    server.shutdown().await.unwrap();
}

async fn password_reset_by_logged_link(db: Database) {
    let server = start(&db, 100).await;
    let old = "Forgotten-Password-1";
    let new = "Remembered-Password-2";
    // A unique address, so the link can be found in the shared log.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let email = format!("dave{}@example.com", NEXT.fetch_add(1, Ordering::Relaxed));
    let dave = auth::create_user(&db, "dave", &email, Some(old))
        .await
        .unwrap();
    let uid = auth::encode_uid(dave);

    let mut browser = Client::new(&server);
    let form = browser.get("/accounts/password_reset/").await;
    assert!(form.body.contains("type=\"email\""));
    let sent = browser
        .submit(
            "/accounts/password_reset/",
            &[("email", &email.to_uppercase())],
        )
        .await;
    assert_eq!(sent.location(), "/accounts/password_reset/done/");
    let unknown = browser
        .submit(
            "/accounts/password_reset/",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(
        unknown.location(),
        "/accounts/password_reset/done/",
        "no account enumeration"
    );

    let log = log_text();
    let marker = format!("http://testserver/accounts/reset/{uid}/");
    let links: Vec<&str> = log
        .lines()
        .filter_map(|line| line.find(&marker).map(|at| &line[at..]))
        .map(|rest| rest.split_whitespace().next().unwrap())
        .collect();
    // Several tests share the log (and user ids): keep the link of this database.
    let user = auth::get_user(&db, dave).await.unwrap().unwrap();
    let link = links
        .iter()
        .rev()
        .find(|link| {
            let token = link.trim_end_matches('/').rsplit('/').next().unwrap();
            auth::check_reset_token(&user, token, b"auth-test-secret-key")
        })
        .unwrap_or_else(|| panic!("no reset link for {uid} in the log"));
    let path = link.strip_prefix("http://testserver").unwrap().to_owned();

    let moved = browser.get(&path).await;
    let set_password = format!("/accounts/reset/{uid}/set-password/");
    assert_eq!(moved.location(), set_password, "the token leaves the URL");
    let form = browser.get(&set_password).await;
    assert!(form.body.contains("new_password1"), "{}", form.body);
    let short = browser
        .submit(
            &set_password,
            &[("new_password1", "short"), ("new_password2", "short")],
        )
        .await;
    assert!(short.body.contains("This password is too short."));
    let done = browser
        .submit(
            &set_password,
            &[("new_password1", new), ("new_password2", new)],
        )
        .await;
    assert_eq!(done.location(), "/accounts/reset/done/");
    assert!(
        browser
            .get("/accounts/reset/done/")
            .await
            .body
            .contains("Your password has been set.")
    );

    // The link is used up; a link for another browser too.
    let mut other = Client::new(&server);
    let again = other.get(&path).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("The password reset link was invalid"));
    let forged = other
        .get(&format!("/accounts/reset/{uid}/1-0123456789abcdef/"))
        .await;
    assert!(forged.body.contains("The password reset link was invalid"));
    let stolen = other.get(&set_password).await;
    assert!(stolen.body.contains("The password reset link was invalid"));

    assert_eq!(other.log_in("dave", new).await.location(), "/");
    assert_not_logged(&[old, new]);
    server.shutdown().await.unwrap();
}

async fn inactive_users_cannot_log_in(db: Database) {
    let server = start(&db, 100).await;
    let password = "Inactive-Password-42";
    let erin = auth::create_user(&db, "erin", "", Some(password))
        .await
        .unwrap();
    let mut browser = Client::new(&server);
    assert_eq!(browser.log_in("erin", password).await.location(), "/");
    auth::set_active(&db, erin, false).await.unwrap();
    // The signed-in session becomes anonymous, and logging in fails with
    // the same message as a wrong password.
    assert_eq!(browser.get("/private/").await.status, StatusCode::FOUND);
    let refused = browser.log_in("erin", password).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains(auth::views::INVALID_LOGIN));
    assert!(
        auth::authenticate(&db, "erin", password)
            .await
            .unwrap()
            .is_none()
    );
    auth::set_active(&db, erin, true).await.unwrap();
    assert!(
        auth::authenticate(&db, "erin", password)
            .await
            .unwrap()
            .is_some()
    );
    server.shutdown().await.unwrap();
}

async fn users_permissions_and_groups(db: Database) {
    // Names: NFKC, valid characters, unique.
    let id = auth::create_user(&db, "ｆｒａｎｋ", "Frank@EXAMPLE.com", None)
        .await
        .unwrap();
    let frank = auth::get_user(&db, id).await.unwrap().unwrap();
    assert_eq!(frank.username, "frank");
    assert_eq!(frank.email, "Frank@example.com");
    assert!(!frank.has_usable_password(), "no password: unusable");
    assert!(
        auth::authenticate(&db, "frank", "")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        auth::create_user(&db, "frank", "", None).await,
        Err(AuthError::UsernameTaken)
    ));
    assert!(matches!(
        auth::create_user(&db, "bad name", "", None).await,
        Err(AuthError::InvalidUsername(_))
    ));

    // Permissions: direct, through groups, all for superusers.
    assert_eq!(
        auth::sync_permissions(
            &db,
            &[
                ("blog", "add_post", "renamed"),
                ("shop", "view_order", "Can view order")
            ]
        )
        .await
        .unwrap(),
        1,
        "only the missing permission is added"
    );
    assert!(auth::user_permissions(&db, id).await.unwrap().is_empty());
    auth::grant_user_permission(&db, id, "shop.view_order")
        .await
        .unwrap();
    auth::grant_user_permission(&db, id, "shop.view_order")
        .await
        .unwrap();
    let readers = auth::create_group(&db, "readers").await.unwrap();
    assert_eq!(auth::create_group(&db, "readers").await.unwrap(), readers);
    auth::grant_group_permission(&db, readers, "blog.view_post")
        .await
        .unwrap();
    auth::add_user_to_group(&db, id, readers).await.unwrap();
    assert_eq!(
        auth::user_permissions(&db, id).await.unwrap(),
        ["blog.view_post", "shop.view_order"]
    );
    assert!(
        auth::user_has_perm(&db, id, "blog.view_post")
            .await
            .unwrap()
    );
    assert!(
        !auth::user_has_perm(&db, id, "blog.delete_post")
            .await
            .unwrap()
    );
    assert!(matches!(
        auth::grant_user_permission(&db, id, "blog.fly").await,
        Err(AuthError::UnknownPermission(_))
    ));
    auth::revoke_user_permission(&db, id, "shop.view_order")
        .await
        .unwrap();
    assert_eq!(
        auth::user_permissions(&db, id).await.unwrap(),
        ["blog.view_post"]
    );

    let boss = auth::create_superuser(&db, "boss", "", Some("Boss-Password-42"))
        .await
        .unwrap();
    assert_eq!(auth::user_permissions(&db, boss).await.unwrap().len(), 4);
    assert!(
        auth::user_has_perm(&db, boss, "anything.at_all")
            .await
            .unwrap()
    );
    auth::set_active(&db, boss, false).await.unwrap();
    assert!(
        !auth::user_has_perm(&db, boss, "blog.add_post")
            .await
            .unwrap()
    );
    assert!(auth::user_permissions(&db, boss).await.unwrap().is_empty());
}

async fn django_hashes_are_upgraded_at_login(db: Database) {
    // A user imported from Django with its default PBKDF2 hash (made by
    // Django 5.2 for the password "correct horse").
    const DJANGO_HASH: &str = "pbkdf2_sha256$1000$f8cPqBnQ0m1lYpRkHfDgVZ$";
    const SET_HASH: Sql = Sql::new(
        r#"UPDATE "auth_user" SET "password" = ?1 WHERE "id" = ?2"#,
        r#"UPDATE "auth_user" SET "password" = $1 WHERE "id" = $2"#,
    );
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("data/auth_cases.json")).unwrap();
    let encoded = cases["pbkdf2"][0]["encoded"].as_str().unwrap();
    assert!(encoded.starts_with(DJANGO_HASH));
    let id = auth::create_user(&db, "imported", "", None).await.unwrap();
    db.execute(&SET_HASH, &[Value::from(encoded), Value::Int(id)])
        .await
        .unwrap();
    assert!(
        auth::authenticate(&db, "imported", "wrong")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        stored_password(&db, "imported").await,
        encoded,
        "no upgrade on failure"
    );
    let user = auth::authenticate(&db, "imported", "correct horse")
        .await
        .unwrap()
        .expect("Django's hash verifies");
    assert_eq!(user.id, id);
    let upgraded = stored_password(&db, "imported").await;
    assert!(
        upgraded.starts_with("argon2$argon2id$v=19$m=256,t=1,p=1$"),
        "{upgraded}"
    );
    assert!(
        auth::authenticate(&db, "imported", "correct horse")
            .await
            .unwrap()
            .is_some()
    );
}

async fn createsuperuser_from_the_environment(db: Database) {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    };
    let missing =
        auth::createsuperuser_with_env(&db, env(&[("DJINN_SUPERUSER_PASSWORD", "x")])).await;
    assert!(
        matches!(missing, Err(AuthError::InvalidUsername(message)) if message.contains("DJINN_SUPERUSER_USERNAME"))
    );
    let weak = auth::createsuperuser_with_env(
        &db,
        env(&[
            ("DJINN_SUPERUSER_USERNAME", "admin"),
            ("DJINN_SUPERUSER_PASSWORD", "admin123"),
        ]),
    )
    .await;
    let Err(AuthError::InvalidPassword(messages)) = weak else {
        panic!("a weak password is refused: {weak:?}");
    };
    assert!(messages.contains(&"The password is too similar to the username.".to_owned()));
    assert!(messages.contains(&"This password is too common.".to_owned()));
    let id = auth::createsuperuser_with_env(
        &db,
        env(&[
            ("DJINN_SUPERUSER_USERNAME", "admin"),
            ("DJINN_SUPERUSER_EMAIL", "admin@Example.com"),
            ("DJINN_SUPERUSER_PASSWORD", "Env-Provided-Password-42"),
        ]),
    )
    .await
    .unwrap();
    let admin = auth::authenticate(&db, "admin", "Env-Provided-Password-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.id, id);
    assert!(admin.is_staff && admin.is_superuser && admin.is_active);
    assert_eq!(admin.email, "admin@example.com");
    assert_not_logged(&["Env-Provided-Password-42"]);
}

// ---- without a database round trip ------------------------------------------------

#[test]
fn login_redirects_carry_the_path_or_the_absolute_url() {
    let request = |target: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("testserver"));
        Request::new(
            Method::GET,
            target.parse().unwrap(),
            headers,
            Bytes::new(),
            SocketAddr::from(([127, 0, 0, 1], 5000)),
        )
        .unwrap()
    };
    let location = |response: Response| response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location(auth::login_redirect(
            &request("/a/b/?q=x%20y"),
            "/accounts/login/"
        )),
        "/accounts/login/?next=/a/b/%3Fq%3Dx%2520y"
    );
    assert_eq!(
        location(auth::login_redirect(&request("/a/"), "/login/?lang=fr")),
        "/login/?lang=fr&next=/a/"
    );
    assert_eq!(
        location(auth::login_redirect(
            &request("/a/"),
            "http://testserver/login/"
        )),
        "http://testserver/login/?next=/a/"
    );
    assert_eq!(
        location(auth::login_redirect(
            &request("/a/?b=1"),
            "https://sso.example/login"
        )),
        "https://sso.example/login?next=http%3A//testserver/a/%3Fb%3D1"
    );
}

#[test]
fn passwords_hash_in_djangos_format_with_djangos_default_cost() {
    assert_eq!(HasherParams::default(), HasherParams::DJANGO);
    assert_eq!(
        (
            HasherParams::DJANGO.memory_kib,
            HasherParams::DJANGO.iterations,
            HasherParams::DJANGO.parallelism
        ),
        (102_400, 2, 8)
    );
    let unusable = auth::make_unusable_password().unwrap();
    assert!(!auth::is_password_usable(&unusable));
    assert!(!auth::check_password("", &unusable));
}
