//! The runtime's HTTP side over real sockets: a server on 127.0.0.1:0 with a
//! hand-written router (standing in for generated code), talked to by
//! hyper's HTTP/1.1 client or, for malformed input, by raw TCP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use djinn_runtime::http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HOST, IF_NONE_MATCH, LOCATION,
};
use djinn_runtime::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use djinn_runtime::{
    App, BoxFuture, Bytes, HttpError, Limits, Middleware, MiddlewareKind, Next, Request, Response,
    RouteInfo, RouteMatch, ServerConfig, StaticConfig, TestServer, UrlParams, spawn_test_server,
};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---- the application under test -------------------------------------------

type Answer = BoxFuture<'static, Result<Response, HttpError>>;

fn hello(request: Request) -> Answer {
    Box::pin(async move {
        let name = request.param("name").unwrap_or("world");
        Ok(Response::html(format!("<p>hello {name}</p>")))
    })
}

fn echo_length(request: Request) -> Answer {
    Box::pin(async move { Ok(Response::text(format!("{} bytes", request.body().len()))) })
}

fn slow(_: Request) -> Answer {
    Box::pin(async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        Ok(Response::text("slow done"))
    })
}

/// Signalled when `/slow-in-flight/` has started (used by the shutdown test only).
static IN_FLIGHT_STARTED: tokio::sync::Notify = tokio::sync::Notify::const_new();

fn slow_in_flight(request: Request) -> Answer {
    IN_FLIGHT_STARTED.notify_one();
    slow(request)
}

fn panicking(_: Request) -> Answer {
    Box::pin(async { panic!("secret panic detail") })
}

/// Shared state a handler reads, as a database pool would be.
#[derive(Clone)]
struct SiteName(&'static str);

fn site_name(request: Request) -> Answer {
    Box::pin(async move {
        let name = request.state::<SiteName>().map_or("none", |site| site.0);
        Ok(Response::text(name))
    })
}

const POST_ONLY: &[Method] = &[Method::POST];

fn found(handler: djinn_runtime::Handler) -> RouteMatch {
    RouteMatch::Found {
        handler,
        params: UrlParams::new(),
    }
}

fn router(method: &Method, path: &str) -> RouteMatch {
    match (path, method) {
        ("/" | "/articles/", &Method::GET) => found(hello),
        ("/submit/", &Method::POST) => found(echo_length),
        ("/submit/", _) => RouteMatch::MethodNotAllowed { allow: POST_ONLY },
        ("/slow/", &Method::GET) => found(slow),
        ("/slow-in-flight/", &Method::GET) => found(slow_in_flight),
        ("/panic/", &Method::GET) => found(panicking),
        ("/site/", &Method::GET) => found(site_name),
        (_, &Method::GET) => match path
            .strip_prefix("/hello/")
            .and_then(|rest| rest.strip_suffix('/'))
        {
            Some(name) if !name.is_empty() && !name.contains('/') => {
                let mut params = UrlParams::new();
                params.push("name", name);
                RouteMatch::Found {
                    handler: hello,
                    params,
                }
            }
            _ => RouteMatch::NotFound,
        },
        _ => RouteMatch::NotFound,
    }
}

const ROUTES: &[RouteInfo] = &[
    RouteInfo {
        pattern: "articles/",
        name: Some("article_list"),
    },
    RouteInfo {
        pattern: "hello/<str:name>/",
        name: Some("hello"),
    },
];

fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/static")
}

fn config() -> ServerConfig {
    ServerConfig {
        allowed_hosts: vec!["testserver".to_owned()],
        limits: Limits {
            max_body_bytes: 1024,
            max_header_bytes: 4096,
            body_read_timeout: Duration::from_millis(300),
            ..Limits::default()
        },
        static_files: StaticConfig {
            dir: Some(static_dir()),
            ..StaticConfig::default()
        },
        ..ServerConfig::default()
    }
}

async fn start(config: ServerConfig) -> TestServer {
    let app = App::new(config, router)
        .unwrap()
        .with_routes(ROUTES)
        .with_state(SiteName("djinn test site"));
    spawn_test_server(app).await.unwrap()
}

// ---- clients ---------------------------------------------------------------

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }
}

fn build_request(
    method: Method,
    path: &str,
    headers: &[(HeaderName, &str)],
    body: &[u8],
) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let request_headers = request.headers_mut();
    request_headers.insert(HOST, HeaderValue::from_static("testserver"));
    for (name, value) in headers {
        request_headers.insert(name, HeaderValue::from_str(value).unwrap());
    }
    request
}

async fn read_reply(response: hyper::Response<hyper::body::Incoming>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// Sends one request over a new HTTP/1.1 connection.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(HeaderName, &str)],
    body: &[u8],
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(build_request(method, path, headers, body))
        .await
        .unwrap();
    read_reply(response).await
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, Method::GET, path, &[], b"").await
}

/// Writes `bytes` on a new connection and reads until the server closes it.
async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server did not close the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

// ---- tests -----------------------------------------------------------------

#[tokio::test]
async fn a_page_is_served_with_security_headers() {
    let mut config = config();
    config.security.hsts_seconds = 3600;
    let server = start(config).await;
    let reply = get(server.addr(), "/hello/ada/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "<p>hello ada</p>");
    assert_eq!(reply.header(CONTENT_TYPE), "text/html; charset=utf-8");
    assert_eq!(
        reply.header(HeaderName::from_static("x-content-type-options")),
        "nosniff"
    );
    assert_eq!(
        reply.header(HeaderName::from_static("x-frame-options")),
        "DENY"
    );
    assert_eq!(
        reply.header(HeaderName::from_static("referrer-policy")),
        "same-origin"
    );
    assert_eq!(
        reply.header(HeaderName::from_static("cross-origin-opener-policy")),
        "same-origin"
    );
    assert_eq!(
        reply.header(HeaderName::from_static("strict-transport-security")),
        "max-age=3600"
    );
    assert!(
        !reply.headers.contains_key("server-timing"),
        "timing header only in debug"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_paths_get_404_plain_in_production_and_detailed_in_debug() {
    let server = start(config()).await;
    let reply = get(server.addr(), "/nowhere/").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("<h1>Not Found (404)</h1>"));
    assert!(!reply.body.contains("hello/&lt;str:name&gt;/"));
    assert_eq!(
        reply.header(HeaderName::from_static("x-frame-options")),
        "DENY"
    );
    server.shutdown().await.unwrap();

    let server = start(ServerConfig {
        debug: true,
        ..config()
    })
    .await;
    let reply = get(server.addr(), "/nowhere/").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply
            .body
            .contains("hello/&lt;str:name&gt;/</code> [name='hello']")
    );
    assert!(reply.body.contains("/nowhere/"));
    assert!(reply.headers.contains_key("server-timing"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_method_gets_405_with_allow() {
    let server = start(config()).await;
    let reply = get(server.addr(), "/submit/").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header(ALLOW), "POST");
    let reply = send(server.addr(), Method::POST, "/submit/", &[], b"12345").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "5 bytes");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_missing_slash_is_a_301_that_keeps_the_query() {
    let server = start(config()).await;
    let reply = get(server.addr(), "/articles?page=2&q=caf%C3%A9").await;
    assert_eq!(reply.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(reply.header(LOCATION), "/articles/?page=2&q=caf%C3%A9");
    let reply = get(server.addr(), "/hello/bob").await;
    assert_eq!(reply.header(LOCATION), "/hello/bob/");
    let reply = send(server.addr(), Method::POST, "/articles", &[], b"").await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "only GET and HEAD are redirected"
    );
    let reply = get(server.addr(), "/nowhere").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_disallowed_host_gets_400() {
    let server = start(config()).await;
    let reply = send(
        server.addr(),
        Method::GET,
        "/",
        &[(HOST, "evil.example")],
        b"",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Bad Request (400)"));
    assert!(
        !reply.body.contains("evil.example"),
        "production pages carry no detail"
    );
    let answer = raw_exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: testserver\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "two Host headers: {answer}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_over_limit_body_gets_413_declared_or_chunked() {
    let server = start(config()).await;
    let reply = send(server.addr(), Method::POST, "/submit/", &[], &[b'x'; 4096]).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        reply.header(HeaderName::from_static("x-content-type-options")),
        "nosniff"
    );

    let chunk = "x".repeat(800);
    let chunked = format!(
        "POST /submit/ HTTP/1.1\r\nHost: testserver\r\nTransfer-Encoding: chunked\r\n\r\n\
         320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    let answer = raw_exchange(server.addr(), chunked.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_slow_body_gets_408() {
    let server = start(config()).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"POST /submit/ HTTP/1.1\r\nHost: testserver\r\nContent-Length: 10\r\n\r\nab")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let server = start(config()).await;
    let big = "a".repeat(8000);
    let request = format!("GET / HTTP/1.1\r\nHost: testserver\r\nX-Big: {big}\r\n\r\n");
    let answer = raw_exchange(server.addr(), request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert_eq!(get(server.addr(), "/").await.status, StatusCode::OK);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_head_that_never_ends_is_cut_off_but_a_slow_answer_is_not() {
    let mut config = config();
    config.limits.header_read_timeout = Duration::from_millis(200);
    let server = start(config).await;
    // Slow loris: half a head, then nothing. The server closes the
    // connection without an answer (raw_exchange fails if it never does).
    let answer = raw_exchange(server.addr(), b"GET / HTTP/1.1\r\nHost: testse").await;
    assert_eq!(answer, "");
    // Answering takes three head timeouts; the connection stays usable.
    let stream = TcpStream::connect(server.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    for path in ["/slow/", "/hello/again/"] {
        let response = sender
            .send_request(build_request(Method::GET, path, &[], b""))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        read_reply(response).await;
    }
    assert!(!connection.is_finished());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_malformed_request_line_gets_400_and_the_server_keeps_serving() {
    let server = start(config()).await;
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /a b c HTTP/1.1\r\nHost: testserver\r\n\r\n",
        b"\x00\x01\x02 / HTTP/1.1\r\n\r\n",
    ] {
        let answer = raw_exchange(server.addr(), garbage).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    }
    let answer = raw_exchange(
        server.addr(),
        b"GET /%FF/ HTTP/1.1\r\nHost: testserver\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "non-UTF-8 path: {answer}"
    );
    assert_eq!(get(server.addr(), "/").await.status, StatusCode::OK);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn static_files_have_an_etag_and_answer_304_when_it_matches() {
    let server = start(config()).await;
    let reply = get(server.addr(), "/static/css/site.css").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "body { color: #333; }\n");
    assert_eq!(reply.header(CONTENT_TYPE), "text/css; charset=utf-8");
    assert_eq!(reply.header(CACHE_CONTROL), "public, max-age=3600");
    assert!(reply.headers.contains_key("last-modified"));
    let etag = reply.header(ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");

    let reply = send(
        server.addr(),
        Method::GET,
        "/static/css/site.css",
        &[(IF_NONE_MATCH, &etag)],
        b"",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_MODIFIED);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header(ETAG), etag);

    let reply = send(
        server.addr(),
        Method::GET,
        "/static/css/site.css",
        &[(IF_NONE_MATCH, "\"stale\"")],
        b"",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    let reply = send(server.addr(), Method::HEAD, "/static/app.js", &[], b"").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header(CONTENT_LENGTH), "22");

    let reply = send(server.addr(), Method::POST, "/static/app.js", &[], b"").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header(ALLOW), "GET, HEAD");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn static_path_traversal_is_refused() {
    let server = start(config()).await;
    // Both targets exist, so a 404 means refused, not missing.
    assert!(static_dir().join("../server.rs").is_file());
    assert!(static_dir().join("../../Cargo.toml").is_file());
    for path in [
        "/static/../server.rs",
        "/static/../../Cargo.toml",
        "/static/%2e%2e/server.rs",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..%2fserver.rs",
        "/static/..%2f..%2fCargo.toml",
        "/static/css/..%2f..%2fserver.rs",
        "/static/..%5cserver.rs",
        "/static//etc/passwd",
        "/static/css/site.css%00.png",
        "/static/.env",
        "/static/css/",
    ] {
        let answer = raw_exchange(
            server.addr(),
            format!("GET {path} HTTP/1.1\r\nHost: testserver\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(!answer.contains("SECRET") && !answer.contains("[package]"));
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn keep_alive_serves_two_requests_on_one_connection() {
    let server = start(config()).await;
    let stream = TcpStream::connect(server.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    for name in ["first", "second"] {
        let path = format!("/hello/{name}/");
        let response = sender
            .send_request(build_request(Method::GET, &path, &[], b""))
            .await
            .unwrap();
        let reply = read_reply(response).await;
        assert_eq!(reply.body, format!("<p>hello {name}</p>"));
    }
    assert!(!connection.is_finished(), "the connection was kept open");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn graceful_shutdown_lets_an_in_flight_request_finish() {
    let server = start(config()).await;
    let addr = server.addr();
    let in_flight = tokio::spawn(async move { get(addr, "/slow-in-flight/").await });
    // Shut down once the handler runs; it then sleeps 600 ms.
    IN_FLIGHT_STARTED.notified().await;
    let stopping = tokio::spawn(server.shutdown());
    let reply = in_flight.await.unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "slow done");
    stopping.await.unwrap().unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn a_slow_handler_gets_503_after_the_request_timeout() {
    let mut config = config();
    config.limits.request_timeout = Duration::from_millis(200);
    let server = start(config).await;
    let reply = get(server.addr(), "/slow/").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_gives_500_without_the_panic_text_in_production() {
    let server = start(config()).await;
    let reply = get(server.addr(), "/panic/").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("Internal Server Error (500)"));
    assert!(!reply.body.contains("secret panic detail"));
    assert_eq!(get(server.addr(), "/").await.status, StatusCode::OK);
    server.shutdown().await.unwrap();

    let server = start(ServerConfig {
        debug: true,
        ..config()
    })
    .await;
    let reply = get(server.addr(), "/panic/").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("handler panicked: secret panic detail"));
    server.shutdown().await.unwrap();
}

fn tag_response(request: Request, next: Next) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        if request.query_value("deny").is_some() {
            return Err(HttpError::Forbidden(
                "denied by the test middleware".to_owned(),
            ));
        }
        let mut response = next.run(request).await;
        response.headers_mut().insert(
            HeaderName::from_static("x-tagged"),
            HeaderValue::from_static("yes"),
        );
        Ok(response)
    })
}

#[tokio::test]
async fn user_middleware_plugs_into_the_onion_and_handlers_see_shared_state() {
    let mut config = config();
    config.middleware.push(MiddlewareKind::Custom(Middleware {
        name: "tests::tag_response",
        call: tag_response,
    }));
    let server = start(config).await;
    let reply = get(server.addr(), "/site/").await;
    assert_eq!(reply.body, "djinn test site");
    assert_eq!(reply.header(HeaderName::from_static("x-tagged")), "yes");

    let reply = get(server.addr(), "/site/?deny=1").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.header(HeaderName::from_static("x-frame-options")),
        "DENY",
        "outer layers still see the error page"
    );
    server.shutdown().await.unwrap();
}

/// A middleware that panics when called (`?sync`) or while running (`?async`).
fn panic_on_demand(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    if request.query_value("sync").is_some() {
        panic!("panicked when called");
    }
    Box::pin(async move {
        if request.query_value("async").is_some() {
            panic!("panicked while running");
        }
        Ok(next.run(request).await)
    })
}

#[tokio::test]
async fn a_panicking_middleware_gives_500_and_a_panicking_view_passes_through_the_layers() {
    let mut config = ServerConfig {
        debug: true,
        ..config()
    };
    config.middleware.push(MiddlewareKind::Custom(Middleware {
        name: "tests::tag_response",
        call: tag_response,
    }));
    config.middleware.push(MiddlewareKind::Custom(Middleware {
        name: "tests::panic_on_demand",
        call: panic_on_demand,
    }));
    let server = start(config.clone()).await;
    for (query, text) in [
        ("sync", "panicked when called"),
        ("async", "panicked while running"),
    ] {
        let reply = get(server.addr(), &format!("/hello/x/?{query}=1")).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{query}");
        assert!(reply.body.contains(text), "{query}: {}", reply.body);
        assert_eq!(
            reply.header(HeaderName::from_static("x-frame-options")),
            "DENY",
            "{query}: a refused request still gets the security headers"
        );
    }
    // A view's panic is an error page inside the onion: outer layers see it.
    let reply = get(server.addr(), "/panic/").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.header(HeaderName::from_static("x-tagged")), "yes");
    assert_eq!(get(server.addr(), "/hello/x/").await.status, StatusCode::OK);
    server.shutdown().await.unwrap();

    // The outermost layer panicking when called.
    config.middleware = vec![MiddlewareKind::Custom(Middleware {
        name: "tests::panic_on_demand",
        call: panic_on_demand,
    })];
    let server = start(config).await;
    let reply = get(server.addr(), "/hello/x/?sync=1").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        reply
            .body
            .contains("middleware panicked: panicked when called")
    );
    assert_eq!(get(server.addr(), "/hello/x/").await.status, StatusCode::OK);
    server.shutdown().await.unwrap();
}
