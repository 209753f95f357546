//! CSRF protection over real sockets, with sessions in a SQLite file: a
//! browser loads a form (getting a session and a masked token), then posts
//! it; attackers post without the token, with a wrong one, or from another
//! origin. Error pages are the debug ones, so the reason can be read.

mod pg_schema;
mod session_support;

use djinn_runtime::db::{Database, Sql, Value};
use djinn_runtime::http::header::CONTENT_TYPE;
use djinn_runtime::http::{HeaderName, Method, StatusCode};
use djinn_runtime::{ServerConfig, SessionBackend, TestServer};
use session_support::{Client, Reply, config, sqlite, start};

const SESSION_DATA: Sql = Sql::new(
    "SELECT session_data FROM djinn_session WHERE session_key = ?1",
    "SELECT session_data FROM djinn_session WHERE session_key = $1",
);

fn x_csrftoken() -> HeaderName {
    HeaderName::from_static("x-csrftoken")
}

fn origin() -> HeaderName {
    HeaderName::from_static("origin")
}

async fn server_with(config: ServerConfig) -> (TestServer, Database, tempfile::TempDir) {
    let (db, dir) = sqlite().await;
    let server = start(config, Some(&db)).await;
    (server, db, dir)
}

async fn server() -> (TestServer, Database, tempfile::TempDir) {
    server_with(config(SessionBackend::Database)).await
}

/// A browser that has loaded a form: its session cookie and the page's token.
async fn browser_with_token(server: &TestServer) -> (Client, String) {
    let mut client = Client::new(server);
    let reply = client.get("/token/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        client.cookie.is_some(),
        "asking for a token starts a session"
    );
    assert_eq!(reply.vary(), "Cookie");
    let token = reply.body;
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|byte| byte.is_ascii_alphanumeric()));
    (client, token)
}

fn assert_accepted(reply: &Reply, method: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, format!("accepted {method}"));
}

fn assert_forbidden(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(
        reply.body.contains(reason),
        "expected {reason:?} in {}",
        reply.body
    );
}

#[tokio::test]
async fn a_form_posted_with_its_token_is_accepted() {
    let (server, _db, _dir) = server().await;
    let (mut client, token) = browser_with_token(&server).await;
    let reply = client
        .post_form(
            "/submit/",
            &[("title", "Hello"), ("csrfmiddlewaretoken", &token)],
        )
        .await;
    assert_accepted(&reply, "POST");

    // Every page gets a differently masked token; all of them work.
    let second = client.get("/token/").await.body;
    assert_ne!(second, token);
    assert!(
        client.get("/token/").await.set_cookies().is_empty(),
        "the secret is kept"
    );
    for token in [&token, &second] {
        let reply = client
            .post_form("/submit/", &[("csrfmiddlewaretoken", token)])
            .await;
        assert_accepted(&reply, "POST");
    }
}

#[tokio::test]
async fn safe_methods_are_never_checked() {
    let (server, _db, _dir) = server().await;
    let mut client = Client::new(&server);
    for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
        let reply = client
            .send(
                method.clone(),
                "/submit/",
                &[(origin(), "https://evil.example")],
                b"",
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{method}");
    }
    assert_eq!(client.cookie, None);
}

#[tokio::test]
async fn a_post_without_a_token_is_refused() {
    let (server, _db, _dir) = server().await;
    let (mut client, _) = browser_with_token(&server).await;
    let reply = client.post_form("/submit/", &[("title", "Hello")]).await;
    assert_forbidden(&reply, "CSRF token missing.");
    let reply = client.send(Method::DELETE, "/submit/", &[], b"").await;
    assert_forbidden(&reply, "CSRF token missing.");
}

#[tokio::test]
async fn a_post_without_a_session_is_refused() {
    let (server, _db, _dir) = server().await;
    let (_, token) = browser_with_token(&server).await;
    // Another browser (an attacker's page) has the token but not the session.
    let mut stranger = Client::new(&server);
    let reply = stranger
        .post_form("/submit/", &[("csrfmiddlewaretoken", &token)])
        .await;
    assert_forbidden(&reply, "CSRF cookie not set.");
    assert!(reply.set_cookies().is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_refused() {
    let (server, _db, _dir) = server().await;
    let (mut client, token) = browser_with_token(&server).await;
    let (_, other_sessions_token) = browser_with_token(&server).await;
    let reply = client
        .post_form(
            "/submit/",
            &[("csrfmiddlewaretoken", &other_sessions_token)],
        )
        .await;
    assert_forbidden(&reply, "CSRF token from POST incorrect.");
    let mut tampered = token.clone().into_bytes();
    tampered[40] = if tampered[40] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &tampered)])
        .await;
    assert_forbidden(&reply, "CSRF token from POST incorrect.");
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", "short")])
        .await;
    assert_forbidden(&reply, "CSRF token from POST has incorrect length.");
    let invalid = format!("{}!", &token[..63]);
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &invalid)])
        .await;
    assert_forbidden(&reply, "CSRF token from POST has invalid characters.");
    let reply = client
        .send(
            Method::PUT,
            "/submit/",
            &[(x_csrftoken(), &other_sessions_token)],
            b"",
        )
        .await;
    assert_forbidden(
        &reply,
        "CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
    );
}

#[tokio::test]
async fn the_header_carries_the_token_for_scripts() {
    let (server, _db, _dir) = server().await;
    let (mut client, token) = browser_with_token(&server).await;
    let json = (CONTENT_TYPE, "application/json");
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let reply = client
            .send(
                method.clone(),
                "/submit/",
                &[(x_csrftoken(), &token), json.clone()],
                b"{}",
            )
            .await;
        assert_accepted(&reply, method.as_str());
    }
    // A form without the field falls back to the header, as in Django.
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[
                (x_csrftoken(), &token),
                (CONTENT_TYPE, "application/x-www-form-urlencoded"),
            ],
            b"title=Hello",
        )
        .await;
    assert_accepted(&reply, "POST");
}

#[tokio::test]
async fn the_bare_secret_is_accepted_too() {
    let (server, db, _dir) = server().await;
    let (mut client, _) = browser_with_token(&server).await;
    let row = db
        .query_one(&SESSION_DATA, &[Value::from(client.session_key().unwrap())])
        .await
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&row.get_text(0).unwrap()).unwrap();
    let secret = data["_csrftoken"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &secret)])
        .await;
    assert_accepted(&reply, "POST");
}

#[tokio::test]
async fn a_multipart_form_carries_the_token() {
    let (server, _db, _dir) = server().await;
    let (mut client, token) = browser_with_token(&server).await;
    let boundary = "----djinnBoundary7MA4YWxkTrZu0gW";
    let multipart = |token: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nfile body\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n\
             {token}\r\n--{boundary}--\r\n"
        )
    };
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[(CONTENT_TYPE, &content_type)],
            multipart(&token).as_bytes(),
        )
        .await;
    assert_accepted(&reply, "POST");
    let wrong = "x".repeat(64);
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[(CONTENT_TYPE, &content_type)],
            multipart(&wrong).as_bytes(),
        )
        .await;
    assert_forbidden(&reply, "CSRF token from POST incorrect.");
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[(CONTENT_TYPE, &content_type)],
            b"not multipart at all",
        )
        .await;
    assert_forbidden(&reply, "CSRF token missing.");
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let mut config = config(SessionBackend::Database);
    config.csrf.trusted_origins = vec![
        "https://admin.example.org".to_owned(),
        "https://*.example.com".to_owned(),
    ];
    let (server, _db, _dir) = server_with(config).await;
    let (mut client, token) = browser_with_token(&server).await;
    let post = |origin_value: &'static str| {
        let mut client = client.clone();
        let token = token.clone();
        async move {
            client
                .send(
                    Method::POST,
                    "/submit/",
                    &[(origin(), origin_value), (x_csrftoken(), &token)],
                    b"",
                )
                .await
        }
    };
    for foreign in [
        "https://evil.example",
        "http://testserver.evil.example",
        "null",
        "https://admin.example.org.evil.example",
        "http://app.example.com",
        "https://badexample.com",
    ] {
        let reply = post(foreign).await;
        assert_forbidden(
            &reply,
            &format!("Origin checking failed - {foreign} does not match any trusted origins."),
        );
    }
    for same in [
        "http://testserver",
        "https://testserver",
        "https://admin.example.org",
        "https://example.com",
        "https://app.example.com",
    ] {
        assert_accepted(&post(same).await, "POST");
    }
    // Without Origin (an older client), the token alone decides.
    let reply = client
        .send(Method::POST, "/submit/", &[(x_csrftoken(), &token)], b"")
        .await;
    assert_accepted(&reply, "POST");
}

#[tokio::test]
async fn an_https_site_refuses_its_plain_http_origin() {
    let mut config = config(SessionBackend::Database);
    config.sessions.secure_cookie = true;
    let (server, _db, _dir) = server_with(config).await;
    let (mut client, token) = browser_with_token(&server).await;
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[(origin(), "http://testserver"), (x_csrftoken(), &token)],
            b"",
        )
        .await;
    assert_forbidden(&reply, "Origin checking failed");
    let reply = client
        .send(
            Method::POST,
            "/submit/",
            &[(origin(), "https://testserver"), (x_csrftoken(), &token)],
            b"",
        )
        .await;
    assert_accepted(&reply, "POST");
}

#[tokio::test]
async fn rotating_the_secret_voids_earlier_tokens() {
    let (server, _db, _dir) = server().await;
    let (mut client, old_token) = browser_with_token(&server).await;
    assert_eq!(client.get("/rotate/").await.body, "rotated");
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &old_token)])
        .await;
    assert_forbidden(&reply, "CSRF token from POST incorrect.");
    let new_token = client.get("/token/").await.body;
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &new_token)])
        .await;
    assert_accepted(&reply, "POST");
}

#[tokio::test]
async fn a_token_dies_with_its_session() {
    let (server, _db, _dir) = server().await;
    let (mut client, token) = browser_with_token(&server).await;
    client.get("/flush/").await;
    assert_eq!(client.cookie, None);
    let reply = client
        .post_form("/submit/", &[("csrfmiddlewaretoken", &token)])
        .await;
    assert_forbidden(&reply, "CSRF cookie not set.");
}
