//! End-to-end: every sample is generated and built once (the same steps as
//! `djinn build`, through the same library functions), then each test starts
//! a fresh server on a free port with a new SQLite database loaded with the
//! sample's demo data, and talks HTTP to it over a real socket.
//!
//! The generated crates share `target/djinn-e2e` under the workspace, so the
//! dependencies compile once per machine and later runs rebuild only what
//! changed. A test that clippy accepts every generated crate with
//! `-D warnings` runs on the same crates.

use djinn::builder::{self, BuildOptions};
use djinn::codegen::{self, CodegenOptions};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

const SAMPLES: [&str; 3] = ["blog", "polls", "shop"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn e2e_dir() -> PathBuf {
    workspace().join("target").join("djinn-e2e")
}

fn crate_dir(sample: &str) -> PathBuf {
    e2e_dir().join("crates").join(sample)
}

/// Generates the crate of the project in `project_dir` into the shared
/// e2e directory; the crate's directory.
fn write_generated(name: &str, project_dir: &Path) -> PathBuf {
    let runtime = workspace().join("runtime");
    let input = djinn::ProjectInput::load(project_dir).expect("the project loads");
    let output = djinn::check_project(&input);
    let options = CodegenOptions {
        runtime_path: runtime.to_string_lossy().into_owned(),
    };
    let generated = codegen::generate(&input, &output, &options)
        .unwrap_or_else(|errors| panic!("{name} generates: {errors:#?}"));
    let dir = crate_dir(name);
    builder::write_crate(&generated, &dir).expect("the crate is written");
    builder::seed_lock_file(&dir, &runtime).expect("the lock file is copied");
    dir
}

/// Generates and builds every sample once; the binaries by sample name.
fn binaries() -> &'static BTreeMap<&'static str, PathBuf> {
    static BINARIES: OnceLock<BTreeMap<&'static str, PathBuf>> = OnceLock::new();
    BINARIES.get_or_init(|| {
        SAMPLES
            .iter()
            .map(|&sample| {
                let dir = write_generated(sample, &workspace().join("samples").join(sample));
                let options = BuildOptions {
                    crate_dir: dir,
                    target_dir: e2e_dir(),
                    release: false,
                    verbose: true,
                    name: sample.to_string(),
                };
                let binary = builder::cargo_build(&options, |line| eprintln!("{line}"))
                    .unwrap_or_else(|error| panic!("{sample} builds: {error}"));
                (sample, binary)
            })
            .collect()
    })
}

/// A running server of a sample, stopped when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
    /// The SQLite database's directory, removed when dropped.
    database_dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only the process this test started, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command of a sample's binary on the database at `url`, in debug mode.
fn command(sample: &str, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(&binaries()[sample]);
    command
        .args(args)
        .current_dir(workspace().join("samples").join(sample))
        .env("DATABASE_URL", url)
        .env("DJINN_DEBUG", "1")
        .env_remove("DJINN_BIND")
        .env_remove("RUST_LOG");
    command
}

/// Runs a command that must succeed; its stdout.
fn run_ok(sample: &str, url: &str, args: &[&str]) -> String {
    let output = command(sample, url, args)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{sample} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("db.sqlite3").display())
}

/// A server of `sample` on a new SQLite database, migrated and loaded with
/// the demo data unless `demo` is false.
fn serve(sample: &str, demo: bool) -> Server {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut server = serve_at(sample, &sqlite_url(dir.path()), demo);
    server.database_dir = Some(dir);
    server
}

/// A server of `sample` on the empty database at `url`.
fn serve_at(sample: &str, url: &str, demo: bool) -> Server {
    assert_eq!(run_ok(sample, url, &["migrate"]).trim(), "schema created");
    assert_eq!(
        run_ok(sample, url, &["migrate"]).trim(),
        "schema up to date"
    );
    if demo {
        run_ok(sample, url, &["loaddata", "fixtures/demo.json"]);
    }
    spawn_server(sample, url)
}

/// Starts `serve` of `sample`'s binary on the (migrated) database at `url`,
/// on a free port.
fn spawn_server(sample: &str, url: &str) -> Server {
    let mut child = command(sample, url, &["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server says where it listens");
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .parse()
        .expect("an address");
    Server {
        child,
        address,
        database_dir: None,
    }
}

/// One HTTP response, read over a raw socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    fn queries(&self) -> u64 {
        self.header("x-djinn-queries")
            .and_then(|count| count.parse().ok())
            .expect("the debug query count header")
    }
}

impl Server {
    /// Sends `head` (request line and headers, without the blank line) and
    /// `body`, closing the connection after the answer.
    fn raw(&self, head: &str, body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(self.address).expect("the server accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("a timeout");
        let request = format!(
            "{head}\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.address.port()
        );
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        // The server may answer (413) before reading the whole body.
        let _ = stream.write_all(body);
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        parse_answer(&bytes)
    }

    fn get(&self, path: &str) -> Answer {
        self.raw(&format!("GET {path} HTTP/1.1"), b"")
    }

    fn request(&self, method: &str, path: &str, headers: &str, body: &[u8]) -> Answer {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nContent-Length: {}{headers}",
            body.len()
        );
        self.raw(&head, body)
    }
}

fn parse_answer(bytes: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

#[test]
fn json_views_return_the_demo_data() {
    let blog = serve("blog", true);
    let list = blog.get("/api/posts/");
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.header("content-type"), Some("application/json"));
    let page = list.json();
    assert_eq!(page["count"], 18, "published posts only");
    assert_eq!(page["previous"], serde_json::Value::Null);
    assert_eq!(page["next"], serde_json::Value::Null, "twenty per page");
    let results = page["results"].as_array().expect("results");
    assert_eq!(results.len(), 18);
    let first = &results[0];
    // Newest first, keys in `fields` order.
    assert_eq!(first["title"], "Choosing boring technology");
    assert_eq!(first["author.name"], "Tomás Ferreira");
    assert_eq!(first["tags.name"], serde_json::json!(["Career", "Tooling"]));
    let keys: Vec<&str> = list
        .body
        .split("\"results\":[{")
        .nth(1)
        .unwrap()
        .split(',')
        .take(2)
        .collect();
    assert_eq!(keys[0], "\"id\":18");
    assert!(keys[1].starts_with("\"title\""));
    assert_eq!(first["published_at"], "2024-02-20T10:18:00Z");

    let detail = blog.get("/api/posts/reading-a-postgresql-query-plan/");
    assert_eq!(detail.status, 200, "{}", detail.body);
    let post = detail.json();
    assert_eq!(post["author.name"], "Mei Chen");
    assert_eq!(
        post["tags.name"],
        serde_json::json!(["Databases", "Performance"])
    );
    assert!(
        post["content"]
            .as_str()
            .unwrap()
            .starts_with("EXPLAIN ANALYZE")
    );

    let shop = serve("shop", true);
    let product = shop.get("/api/products/yixing-clay-teapot/").json();
    assert_eq!(product["price"], "64.00", "decimals keep their places");
    assert_eq!(product["category.name"], "Teapots");
    let catalogue = shop.get("/api/products/").json();
    assert_eq!(catalogue["count"], 13, "active products only");
}

#[test]
fn missing_objects_unknown_paths_and_bad_pages_are_404() {
    let blog = serve("blog", true);
    assert_eq!(blog.get("/api/posts/no-such-post/").status, 404);
    assert_eq!(
        blog.get("/api/posts/draft-notes-on-connection-pools/")
            .status,
        404,
        "drafts are not published"
    );
    assert_eq!(blog.get("/nowhere/").status, 404);
    assert_eq!(blog.get("/api/posts/?page=2").status, 404);
    assert_eq!(blog.get("/api/posts/?page=x").status, 404);
    assert_eq!(blog.get("/api/posts/?page=last").json()["count"], 18);
    let polls = serve("polls", true);
    assert_eq!(polls.get("/polls/999/").status, 404);
    assert_eq!(
        polls.get("/polls/6/").status,
        404,
        "a question dated in the future is hidden"
    );
    assert_eq!(polls.get("/polls/1/").status, 200);
    assert_eq!(polls.get("/polls/abc/").status, 404, "int converter");
}

#[test]
fn methods_are_checked_with_allow() {
    let blog = serve("blog", false);
    // A POST carries a CSRF token, or the CSRF middleware refuses it first
    // (as Django's does, before the view sees the method).
    let mut client = Client::new(&blog);
    let token = csrf_token(&client.get("/admin/login/").body);
    let answer = client.send(
        "POST",
        "/api/posts/",
        &format!("\r\nX-CSRFToken: {token}"),
        b"",
    );
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    let head = blog.raw("HEAD /api/posts/ HTTP/1.1", b"");
    assert_eq!(head.status, 200);
    let polls = serve("polls", false);
    let vote = polls.get("/polls/1/vote/");
    assert_eq!(vote.status, 405);
    assert_eq!(vote.header("allow"), Some("POST"));
}

#[test]
fn security_headers_are_present() {
    let blog = serve("blog", false);
    for path in ["/api/posts/", "/nowhere/"] {
        let answer = blog.get(path);
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            answer.header("referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(
            answer.header("cross-origin-opener-policy"),
            Some("same-origin"),
            "{path}"
        );
    }
}

#[test]
fn static_files_have_etags_and_refuse_traversal() {
    let blog = serve("blog", false);
    let css = blog.get("/static/css/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let etag = css.header("etag").expect("an ETag").to_string();
    let again = blog.raw(
        &format!("GET /static/css/style.css HTTP/1.1\r\nIf-None-Match: {etag}"),
        b"",
    );
    assert_eq!(again.status, 304);
    for attempt in [
        "/static/../djinn.toml",
        "/static/%2e%2e/djinn.toml",
        "/static/css/../../djinn.toml",
        "/static/..%2fdjinn.toml",
    ] {
        let answer = blog.get(attempt);
        assert_eq!(answer.status, 404, "{attempt}");
        assert!(!answer.body.contains("[project]"), "{attempt}");
    }
}

#[test]
fn over_limit_bodies_are_refused_with_413() {
    let polls = serve("polls", false);
    let body = vec![b'x'; 3 * 1024 * 1024];
    let answer = polls.request(
        "POST",
        "/polls/1/vote/",
        "\r\nContent-Type: application/x-www-form-urlencoded",
        &body,
    );
    assert_eq!(answer.status, 413);
}

#[test]
fn redirect_views_redirect() {
    let blog = serve("blog", false);
    let old = blog.get("/blog/why-we-moved-our-api-to-rust/");
    assert_eq!(old.status, 301);
    assert_eq!(
        old.header("location"),
        Some("/posts/why-we-moved-our-api-to-rust/")
    );
    assert_eq!(blog.get("/blog/").header("location"), Some("/"));
    let polls = serve("polls", false);
    let root = polls.get("/");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/polls/"));
    // APPEND_SLASH.
    let slash = polls.get("/polls");
    assert_eq!(slash.status, 301);
    assert_eq!(slash.header("location"), Some("/polls/"));
}

#[test]
fn signed_in_views_send_anonymous_users_to_the_login_page() {
    let blog = serve("blog", false);
    let dashboard = blog.get("/write/?x=1");
    assert_eq!(dashboard.status, 302);
    assert_eq!(
        dashboard.header("location"),
        Some("/admin/login/?next=/write/%3Fx%3D1")
    );
    assert_eq!(
        dashboard.header("set-cookie"),
        None,
        "no session for a redirect"
    );
    let shop = serve("shop", false);
    assert_eq!(
        shop.get("/api/orders/").status,
        403,
        "JSON views answer 403"
    );
}

#[test]
fn rust_views_run_the_projects_code() {
    let polls = serve("polls", true);
    let mut voter = Client::new(&polls);
    let form = voter.get("/polls/1/");
    let token = csrf_token(&form.body);
    let before = votes_of(&polls, 2);
    let voted = voter.post_form(
        "/polls/1/vote/",
        &[("csrfmiddlewaretoken", &token), ("choice", "2")],
    );
    assert_eq!(voted.status, 302, "{}", voted.body);
    assert_eq!(voted.header("location"), Some("/polls/1/results/"));
    assert_eq!(votes_of(&polls, 2), before + 1);
    let refused = voter.post_form("/polls/1/vote/", &[("csrfmiddlewaretoken", &token)]);
    assert_eq!(refused.status, 400, "no choice");
    let foreign = voter.post_form(
        "/polls/1/vote/",
        &[("csrfmiddlewaretoken", &token), ("choice", "999")],
    );
    assert_eq!(foreign.status, 400, "a choice of no such question");
    let forged = polls.request(
        "POST",
        "/polls/1/vote/",
        "\r\nContent-Type: application/x-www-form-urlencoded",
        b"choice=2",
    );
    assert_eq!(forged.status, 403, "a POST without a CSRF token is refused");
}

#[test]
fn concurrent_votes_are_all_counted() {
    let polls = serve("polls", true);
    vote_concurrently(&polls);
}

/// 200 votes for choice 1 over 20 connections; all are counted.
fn vote_concurrently(polls: &Server) {
    let mut voter = Client::new(polls);
    let token = csrf_token(&voter.get("/polls/1/").body);
    let cookie = voter.cookie_header();
    let body = format!("csrfmiddlewaretoken={token}&choice=1");
    let before = votes_of(polls, 1);
    std::thread::scope(|scope| {
        for _ in 0..20 {
            scope.spawn(|| {
                for _ in 0..10 {
                    let answer = polls.request(
                        "POST",
                        "/polls/1/vote/",
                        &format!("\r\nContent-Type: application/x-www-form-urlencoded{cookie}"),
                        body.as_bytes(),
                    );
                    assert_eq!(answer.status, 302, "{}", answer.body);
                }
            });
        }
    });
    assert_eq!(
        votes_of(polls, 1),
        before + 200,
        "200 concurrent votes, 200 counted"
    );
}

/// The votes of choice `id` of question 1, read from the results page.
fn votes_of(polls: &Server, id: u32) -> u64 {
    let page = polls.get("/polls/1/results/").body;
    let id_marker = format!("data-choice=\"{id}\"");
    let line = page
        .lines()
        .find(|line| line.contains(&id_marker))
        .unwrap_or_else(|| panic!("choice {id} on the results page: {page}"));
    line.split("data-votes=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|votes| votes.parse().ok())
        .unwrap_or_else(|| panic!("a vote count in {line}"))
}

/// The CSRF token of the first form of a page.
fn csrf_token(page: &str) -> String {
    page.split("name=\"csrfmiddlewaretoken\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a CSRF token in the page: {page}"))
        .to_string()
}

/// A browser-like client: keeps the cookies the server sets.
struct Client<'s> {
    server: &'s Server,
    cookies: BTreeMap<String, String>,
}

impl<'s> Client<'s> {
    fn new(server: &'s Server) -> Client<'s> {
        Client {
            server,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        if self.cookies.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!("\r\nCookie: {}", pairs.join("; "))
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for (name, value) in &answer.headers {
            if !name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || value.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    fn get(&mut self, path: &str) -> Answer {
        let cookies = self.cookie_header();
        let answer = self
            .server
            .raw(&format!("GET {path} HTTP/1.1{cookies}"), b"");
        self.keep_cookies(&answer);
        answer
    }

    fn send(&mut self, method: &str, path: &str, headers: &str, body: &[u8]) -> Answer {
        let cookies = self.cookie_header();
        let answer = self
            .server
            .request(method, path, &format!("{headers}{cookies}"), body);
        self.keep_cookies(&answer);
        answer
    }

    fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            "POST",
            path,
            "\r\nContent-Type: application/x-www-form-urlencoded",
            body.as_bytes(),
        )
    }

    /// Signs in through the login page; the session cookie's value before and after.
    fn log_in(&mut self, login_path: &str, username: &str, password: &str) -> Answer {
        let page = self.get(login_path);
        assert_eq!(page.status, 200, "{}", page.body);
        let token = csrf_token(&page.body);
        self.post_form(
            login_path,
            &[
                ("csrfmiddlewaretoken", &token),
                ("username", username),
                ("password", password),
            ],
        )
    }
}

/// Creates a superuser in the sample's database, as the binary's
/// `createsuperuser` does from the environment.
fn create_superuser(sample: &str, url: &str, username: &str, password: &str) {
    let output = command(sample, url, &["createsuperuser", "--no-input"])
        .env("DJINN_SUPERUSER_USERNAME", username)
        .env("DJINN_SUPERUSER_EMAIL", format!("{username}@example.com"))
        .env("DJINN_SUPERUSER_PASSWORD", password)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "createsuperuser: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !logs.contains(password),
        "the password is never printed: {logs}"
    );
}

/// A blog server with demo data and a superuser `editor`, and a client signed in as them.
fn signed_in_blog() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = sqlite_url(dir.path());
    let server = serve_at("blog", &url, true);
    create_superuser("blog", &url, "editor", "a long editor passphrase");
    (server, dir)
}

#[test]
fn writers_sign_in_and_create_edit_and_delete_posts() {
    let (blog, _dir) = signed_in_blog();
    writers_flow(&blog);
}

#[test]
fn writers_flow_on_postgresql() {
    let Some(schema) = PostgresSchema::create("blog_writes") else {
        return;
    };
    let blog = serve_at("blog", &schema.url(), true);
    create_superuser("blog", &schema.url(), "editor", "a long editor passphrase");
    writers_flow(&blog);
}

/// Two server processes of the same binary on one PostgreSQL database:
/// a session made through one is valid on the other, a write through one
/// is read through the other, and concurrent votes through both all count.
#[test]
fn two_servers_share_one_postgresql_database() {
    let Some(schema) = PostgresSchema::create("blog_scale") else {
        return;
    };
    let first = serve_at("blog", &schema.url(), true);
    let second = spawn_server("blog", &schema.url());
    create_superuser("blog", &schema.url(), "editor", "a long editor passphrase");
    let mut client = Client::new(&first);
    let signed_in = client.log_in("/admin/login/", "editor", "a long editor passphrase");
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    // The same cookies, sent to the other process.
    let mut elsewhere = Client {
        server: &second,
        cookies: client.cookies.clone(),
    };
    let form = elsewhere.get("/write/new/");
    assert_eq!(
        form.status, 200,
        "signed in on the second server too: {}",
        form.body
    );
    let token = csrf_token(&form.body);
    let created = elsewhere.post_form(
        "/write/new/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("title", "Written on the second server"),
            ("slug", "written-on-the-second-server"),
            ("content", "Shared."),
            ("author", "1"),
            ("status", "published"),
            ("published_at", "2024-05-01 10:00:00"),
        ],
    );
    assert_eq!(created.status, 302, "{}", created.body);
    let read = first.get("/posts/written-on-the-second-server/");
    assert_eq!(read.status, 200, "read through the first server");
    assert!(read.body.contains("Shared."));
}

#[test]
fn concurrent_votes_on_postgresql_are_all_counted() {
    let Some(schema) = PostgresSchema::create("polls_votes") else {
        return;
    };
    let polls = serve_at("polls", &schema.url(), true);
    vote_concurrently(&polls);
}

#[test]
fn orders_are_created_with_items_through_forms_and_the_api() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = sqlite_url(dir.path());
    let shop = serve_at("shop", &url, true);
    create_superuser("shop", &url, "clerk", "a long clerk passphrase");
    let mut client = Client::new(&shop);
    assert_eq!(
        client
            .log_in("/admin/login/", "clerk", "a long clerk passphrase")
            .status,
        302
    );

    let form = client.get("/orders/new/");
    assert_eq!(form.status, 200, "{}", form.body);
    let token = csrf_token(&form.body);
    let created = client.post_form(
        "/orders/new/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("customer", "1"),
            ("shipping_address", ""),
            ("note", "Gift wrap, please."),
        ],
    );
    assert_eq!(created.status, 302, "{}", created.body);
    let location = created.header("location").expect("a redirect").to_string();
    assert!(location.starts_with("/orders/"), "{location}");
    let order_id: String = location
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();

    let line = |client: &mut Client<'_>, product: &str, quantity: &str| {
        let token = csrf_token(&client.get("/orders/lines/new/").body);
        client.post_form(
            "/orders/lines/new/",
            &[
                ("csrfmiddlewaretoken", &token),
                ("order", &order_id),
                ("product", product),
                ("quantity", quantity),
                ("unit_price", "12.50"),
            ],
        )
    };
    let added = line(&mut client, "1", "2");
    assert_eq!(added.status, 302, "{}", added.body);
    assert_eq!(
        added.header("location"),
        Some(location.as_str()),
        "back to the order"
    );
    let twice = line(&mut client, "1", "1");
    assert_eq!(twice.status, 200, "unique (order, product) is a form error");
    assert!(
        twice
            .body
            .contains("with this Order and Product already exists."),
        "{}",
        twice.body
    );
    let none = line(&mut client, "2", "0");
    assert_eq!(
        none.status, 200,
        "check (quantity > 0) is a form error, not a 500"
    );
    assert!(
        none.body.contains("order_item_quantity_positive"),
        "{}",
        none.body
    );
    let detail = client.get(&location);
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert!(detail.body.contains("Gift wrap, please."));

    // The JSON API.
    let token = csrf_token(&client.get("/orders/new/").body);
    let headers = format!("\r\nContent-Type: application/json\r\nX-CSRFToken: {token}");
    let created = client.send(
        "POST",
        "/api/orders/new/",
        &headers,
        br#"{"customer": 2, "note": "API"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["note"], "API");
    let missing = client.send(
        "POST",
        "/api/orders/new/",
        &headers,
        br#"{"note": "no customer"}"#,
    );
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(
        missing.json()["customer"],
        serde_json::json!(["This field is required."])
    );
    let not_json = client.send("POST", "/api/orders/new/", &headers, b"{");
    assert_eq!(not_json.status, 400);
}

/// Runs the authoring flow of the blog against a server with the demo
/// data and a superuser `editor`.
fn writers_flow(blog: &Server) {
    let mut client = Client::new(blog);
    // Anonymous: sent to the login page.
    let anonymous = client.get("/write/new/");
    assert_eq!(anonymous.status, 302);
    assert_eq!(
        anonymous.header("location"),
        Some("/admin/login/?next=/write/new/")
    );

    let wrong = client.log_in("/admin/login/", "editor", "not the password");
    assert_eq!(wrong.status, 200, "the form again");
    assert!(
        wrong
            .body
            .contains("Please enter a correct username and password")
    );
    let before = client.cookies.get("sessionid").cloned();
    let signed_in = client.log_in("/admin/login/", "editor", "a long editor passphrase");
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    let cookie = signed_in
        .headers
        .iter()
        .find(|(name, value)| {
            name.eq_ignore_ascii_case("set-cookie") && value.starts_with("sessionid=")
        })
        .map(|(_, value)| value.clone())
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_ne!(
        client.cookies.get("sessionid").cloned(),
        before,
        "a new session key at login"
    );

    // The dashboard lists every post.
    let dashboard = client.get("/write/");
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    assert!(
        dashboard.body.contains("Draft: notes on connection pools"),
        "drafts too"
    );

    // An empty form.
    let form = client.get("/write/new/");
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"title\""), "{}", form.body);
    let token = csrf_token(&form.body);

    // Without the token: 403.
    let forged = client.send(
        "POST",
        "/write/new/",
        "\r\nContent-Type: application/x-www-form-urlencoded",
        b"title=x",
    );
    assert_eq!(forged.status, 403);

    // Invalid: the form again, with the submitted values (escaped) and the errors.
    let invalid = client.post_form(
        "/write/new/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("title", "<script>alert(1)</script>"),
            ("slug", "not a slug!"),
            ("status", "published"),
        ],
    );
    assert_eq!(invalid.status, 200, "{}", invalid.body);
    assert!(
        invalid
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!invalid.body.contains("<script>alert(1)</script>"));
    assert!(
        invalid.body.contains("This field is required."),
        "content and author are missing"
    );
    assert!(
        invalid.body.contains("Enter a valid “slug”"),
        "{}",
        invalid.body
    );

    // A slug already taken: a field error, not a 500.
    let taken = client.post_form(
        "/write/new/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("title", "Another post"),
            ("slug", "why-we-moved-our-api-to-rust"),
            ("content", "Text."),
            ("author", "1"),
            ("status", "draft"),
        ],
    );
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert!(
        taken.body.contains("with this Slug already exists."),
        "{}",
        taken.body
    );

    // Valid: saved, then the dashboard.
    let created = client.post_form(
        "/write/new/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("title", "Written in a test"),
            ("slug", "written-in-a-test"),
            ("content", "Hello from the end-to-end suite."),
            ("author", "1"),
            ("tags", "1"),
            ("tags", "2"),
            ("status", "published"),
            ("published_at", "2024-05-01 10:00:00"),
        ],
    );
    assert_eq!(created.status, 302, "{}", created.body);
    assert_eq!(created.header("location"), Some("/write/"));
    let public = client.get("/posts/written-in-a-test/");
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(public.body.contains("Hello from the end-to-end suite."));

    // Edit: the form holds the row; the change is saved.
    let edit = client.get("/write/written-in-a-test/edit/");
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(
        edit.body.contains("value=\"Written in a test\""),
        "{}",
        edit.body
    );
    let token = csrf_token(&edit.body);
    let edited = client.post_form(
        "/write/written-in-a-test/edit/",
        &[
            ("csrfmiddlewaretoken", &token),
            ("title", "Rewritten in a test"),
            ("slug", "written-in-a-test"),
            ("content", "Edited."),
            ("author", "1"),
            ("status", "published"),
            ("published_at", "2024-05-01 10:00:00"),
        ],
    );
    assert_eq!(edited.status, 302, "{}", edited.body);
    assert!(
        client
            .get("/posts/written-in-a-test/")
            .body
            .contains("Rewritten in a test")
    );

    // Delete: a confirmation page, then the row is gone.
    let confirm = client.get("/write/written-in-a-test/delete/");
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let token = csrf_token(&confirm.body);
    let deleted = client.post_form(
        "/write/written-in-a-test/delete/",
        &[("csrfmiddlewaretoken", &token)],
    );
    assert_eq!(deleted.status, 302, "{}", deleted.body);
    assert_eq!(client.get("/posts/written-in-a-test/").status, 404);

    // The JSON API, with the token in X-CSRFToken.
    let token = csrf_token(&client.get("/write/new/").body);
    let body = serde_json::json!({
        "title": "From the API",
        "slug": "from-the-api",
        "content": "JSON.",
        "author": 2,
        "tags": [3],
        "status": "published"
    })
    .to_string();
    let created = client.send(
        "POST",
        "/api/posts/new/",
        &format!("\r\nContent-Type: application/json\r\nX-CSRFToken: {token}"),
        body.as_bytes(),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["slug"], "from-the-api");
    assert_eq!(created.json()["tags"], serde_json::json!([3]));
    // The blog's post_save hook stamped the publication time in the same transaction.
    let published = client.get("/api/posts/from-the-api/");
    assert_eq!(published.status, 200, "{}", published.body);
    assert!(
        published.json()["published_at"].is_string(),
        "stamped by hooks::stamp_publication: {}",
        published.body
    );
    let invalid = client.send(
        "POST",
        "/api/posts/new/",
        &format!("\r\nContent-Type: application/json\r\nX-CSRFToken: {token}"),
        br#"{"title": "", "author": 999}"#,
    );
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert!(invalid.json()["title"].is_array(), "{}", invalid.body);

    // PATCH changes the fields sent, PUT needs them all, DELETE removes.
    let patched = client.send(
        "PATCH",
        "/api/posts/from-the-api/edit/",
        &format!("\r\nContent-Type: application/json\r\nX-CSRFToken: {token}"),
        br#"{"title": "Patched through the API"}"#,
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["title"], "Patched through the API");
    assert_eq!(patched.json()["content"], "JSON.", "unchanged");
    let incomplete = client.send(
        "PUT",
        "/api/posts/from-the-api/edit/",
        &format!("\r\nContent-Type: application/json\r\nX-CSRFToken: {token}"),
        br#"{"title": "Only a title"}"#,
    );
    assert_eq!(incomplete.status, 400, "{}", incomplete.body);
    assert_eq!(
        incomplete.json()["content"],
        serde_json::json!(["This field is required."])
    );
    let deleted = client.send(
        "DELETE",
        "/api/posts/from-the-api/delete/",
        &format!("\r\nX-CSRFToken: {token}"),
        b"",
    );
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(client.get("/api/posts/from-the-api/").status, 404);
    let missing = client.send(
        "DELETE",
        "/api/posts/from-the-api/delete/",
        &format!("\r\nX-CSRFToken: {token}\r\nAccept: application/json"),
        b"",
    );
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["detail"], "Not found.");

    // Log out (POST), then the dashboard is closed again.
    let token = csrf_token(&client.get("/write/new/").body);
    let out = client.post_form("/admin/logout/", &[("csrfmiddlewaretoken", &token)]);
    assert_eq!(out.status, 302, "{}", out.body);
    assert_eq!(client.get("/write/").status, 302);
}

/// Runs `work` against the database at `url` through the runtime's API.
fn with_database<T>(url: &str, work: impl AsyncFnOnce(&djinn_runtime::db::Database) -> T) -> T {
    let runtime = djinn_runtime::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let database = djinn_runtime::db::Database::connect(url)
            .await
            .expect("the database opens");
        work(&database).await
    })
}

#[test]
fn permissions_decide_who_may_write() {
    let (blog, dir) = signed_in_blog();
    let url = sqlite_url(dir.path());
    let reader = with_database(&url, async |db| {
        djinn_runtime::auth::create_user(
            db,
            "reader",
            "reader@example.com",
            Some("a long reader passphrase"),
        )
        .await
        .expect("a user")
    });
    let mut client = Client::new(&blog);
    assert_eq!(
        client
            .log_in("/admin/login/", "reader", "a long reader passphrase")
            .status,
        302
    );
    assert_eq!(
        client.get("/write/").status,
        200,
        "login_required: any signed-in user"
    );
    assert_eq!(
        client.get("/write/new/").status,
        403,
        "permission = \"blog.add_post\""
    );
    let api = client.send(
        "POST",
        "/api/posts/new/",
        "\r\nAccept: application/json",
        b"{}",
    );
    assert_eq!(api.status, 403);
    assert!(
        api.json()["detail"].is_string(),
        "a JSON error for a JSON client: {}",
        api.body
    );
    with_database(&url, async |db| {
        djinn_runtime::auth::grant_user_permission(db, reader, "blog.add_post")
            .await
            .expect("granted")
    });
    assert_eq!(client.get("/write/new/").status, 200, "granted");
    // The password is stored hashed, never in clear.
    let stored = with_database(&url, async |db| {
        let sql = djinn_runtime::db::Sql::portable(
            "SELECT password FROM auth_user WHERE username = 'reader'",
        );
        db.query_one(&sql, &[])
            .await
            .expect("the row")
            .get_text(0)
            .expect("text")
    });
    assert!(stored.starts_with("argon2$argon2id$"), "{stored}");
    assert!(!stored.contains("a long reader passphrase"));
}

#[test]
fn the_login_page_limits_failed_attempts() {
    let (blog, _dir) = signed_in_blog();
    let mut client = Client::new(&blog);
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(client.log_in("/admin/login/", "editor", "wrong").status);
    }
    assert_eq!(statuses[..5], [200; 5], "{statuses:?}");
    assert_eq!(statuses[6], 429, "{statuses:?}");
}

#[test]
fn html_pages_render_with_their_data() {
    let blog = serve("blog", true);
    for path in [
        "/",
        "/posts/why-we-moved-our-api-to-rust/",
        "/tags/",
        "/tags/rust/",
        "/authors/mei-chen/",
        "/about/",
    ] {
        let page = blog.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
    }
    let home = blog.get("/");
    assert!(
        home.body.contains("Choosing boring technology"),
        "{}",
        home.body
    );
    assert_eq!(blog.get("/?page=3").status, 404);
    assert_eq!(
        blog.get("/about/").header("cache-control"),
        Some("max-age=300")
    );
    let shop = serve("shop", true);
    assert_eq!(shop.get("/").status, 200);
    assert_eq!(shop.get("/category/tea/").status, 200);
    assert_eq!(shop.get("/product/genmaicha/").status, 200);
    assert_eq!(shop.get("/product/discontinued-earl-grey/").status, 404);
}

/// The N+1 guarantee: a list whose output reads each row's author and tags
/// costs the same number of statements with one row and with many.
#[test]
fn queries_per_request_do_not_depend_on_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("one.json");
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("samples/blog/fixtures/demo.json")).unwrap(),
    )
    .unwrap();
    let one: Vec<&serde_json::Value> = demo
        .as_array()
        .unwrap()
        .iter()
        .filter(|object| object["model"] != "blog.post" || object["pk"] == 1)
        .filter(|object| object["model"] != "blog.comment")
        .collect();
    std::fs::write(&fixture, serde_json::to_string(&one).unwrap()).unwrap();
    let few = {
        let server = serve("blog", false);
        let url = sqlite_url(server.database_dir.as_ref().unwrap().path());
        run_ok("blog", &url, &["loaddata", &fixture.to_string_lossy()]);
        let api = server.get("/api/posts/");
        assert_eq!(api.json()["count"], 1);
        (api.queries(), server.get("/").queries())
    };
    let many = {
        let server = serve("blog", true);
        let api = server.get("/api/posts/");
        assert_eq!(api.json()["count"], 18);
        (api.queries(), server.get("/").queries())
    };
    assert_eq!(few, many);
    // A count, the page's rows with their authors, one query for all their tags.
    assert_eq!(many.0, 3);

    // 200 published posts, each with an author and two tags: the pages
    // over them run as many statements as over one post.
    let mut objects: Vec<serde_json::Value> = one
        .iter()
        .filter(|object| object["model"] != "blog.post")
        .map(|object| (*object).clone())
        .collect();
    for pk in 1..=200 {
        objects.push(serde_json::json!({
            "model": "blog.post",
            "pk": pk,
            "fields": {
                "title": format!("Post number {pk}"),
                "slug": format!("post-number-{pk}"),
                "summary": "",
                "content": "Text.",
                "author": 1 + pk % 3,
                "tags": [1, 2 + pk % 4],
                "status": "published",
                "published_at": format!("2024-01-01T{:02}:{:02}:00Z", pk / 60, pk % 60),
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z"
            }
        }));
    }
    let hundreds = dir.path().join("two-hundred.json");
    std::fs::write(&hundreds, serde_json::to_string(&objects).unwrap()).unwrap();
    let server = serve("blog", false);
    let url = sqlite_url(server.database_dir.as_ref().unwrap().path());
    run_ok("blog", &url, &["loaddata", &hundreds.to_string_lossy()]);
    let api = server.get("/api/posts/");
    assert_eq!(api.json()["count"], 200);
    assert_eq!((api.queries(), server.get("/").queries()), few);
    let tag_slug = objects
        .iter()
        .find(|object| object["model"] == "blog.tag" && object["pk"] == 1)
        .and_then(|tag| tag["fields"]["slug"].as_str())
        .expect("tag 1")
        .to_string();
    let tag_page = server.get(&format!("/tags/{tag_slug}/"));
    assert_eq!(
        tag_page.body.matches("Post number ").count(),
        200,
        "every post has tag 1"
    );
    let small = serve("blog", false);
    let small_url = sqlite_url(small.database_dir.as_ref().unwrap().path());
    run_ok(
        "blog",
        &small_url,
        &["loaddata", &fixture.to_string_lossy()],
    );
    assert_eq!(
        tag_page.queries(),
        small.get(&format!("/tags/{tag_slug}/")).queries(),
        "the same statements for 200 rows as for one"
    );
}

#[test]
fn the_routes_command_lists_queries_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let routes = run_ok("blog", &url, &["routes"]);
    let line = routes
        .lines()
        .find(|line| line.starts_with("/api/posts/ "))
        .expect("the API route");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "/api/posts/",
            "api-post-list",
            "api_post_list",
            "GET,",
            "HEAD",
            "3"
        ]
    );
    let check = run_ok("blog", &url, &["check"]);
    assert!(check.contains("database: ok (Sqlite)"), "{check}");
}

/// A PostgreSQL schema of its own, dropped afterwards; `None` without a
/// server (after saying so), unless `CI=true`, where that fails. The server
/// is `DJINN_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
struct PostgresSchema {
    server: String,
    name: String,
}

impl PostgresSchema {
    fn create(label: &str) -> Option<PostgresSchema> {
        let server = std::env::var("DJINN_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = format!("djinn_e2e_{label}_{}", std::process::id());
        let created = postgres(&server, format!("CREATE SCHEMA {name}"));
        match created {
            Ok(()) => Some(PostgresSchema { server, name }),
            Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL at {server} is unreachable and CI=true: {error}")
            }
            Err(error) => {
                eprintln!("skipped: no PostgreSQL ({error})");
                None
            }
        }
    }

    /// The URL of a connection whose `search_path` is the schema.
    fn url(&self) -> String {
        let separator = if self.server.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.server, self.name
        )
    }
}

impl Drop for PostgresSchema {
    fn drop(&mut self) {
        let drop = format!("DROP SCHEMA {} CASCADE", self.name);
        if let Err(error) = postgres(&self.server, drop) {
            eprintln!("could not drop schema {}: {error}", self.name);
        }
    }
}

/// Runs one statement on the server at `url`.
fn postgres(url: &str, statement: String) -> Result<(), String> {
    use djinn_runtime::db::{Database, Sql};
    let runtime = djinn_runtime::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let database = Database::connect(url)
            .await
            .map_err(|error| error.to_string())?;
        // Test-only statement text built at run time.
        let sql = Sql::portable(Box::leak(statement.into_boxed_str()));
        database
            .apply_schema(&[&sql])
            .await
            .map_err(|error| error.to_string())
    })
}

/// The same binary on PostgreSQL answers every page and API call of the
/// samples exactly as it does on SQLite (statements are written per
/// dialect at compile time), with the same number of queries.
#[test]
fn postgresql_answers_as_sqlite_does() {
    let pages: [(&str, &[&str]); 3] = [
        (
            "blog",
            &[
                "/api/posts/",
                "/api/posts/reading-a-postgresql-query-plan/",
                "/",
                "/posts/why-we-moved-our-api-to-rust/",
                "/tags/rust/",
                "/authors/mei-chen/",
                "/about/",
                "/api/posts/?page=2",
            ],
        ),
        (
            "shop",
            &[
                "/",
                "/api/products/",
                "/api/products/yixing-clay-teapot/",
                "/category/tea/",
                "/product/genmaicha/",
            ],
        ),
        (
            "polls",
            &["/polls/", "/polls/1/", "/polls/1/results/", "/polls/6/"],
        ),
    ];
    for (sample, paths) in pages {
        let Some(schema) = PostgresSchema::create(sample) else {
            return;
        };
        let on_postgres = serve_at(sample, &schema.url(), true);
        let on_sqlite = serve(sample, true);
        for path in paths {
            let (expected, actual) = (on_sqlite.get(path), on_postgres.get(path));
            assert_eq!(actual.status, expected.status, "{sample} {path}");
            assert_eq!(actual.queries(), expected.queries(), "{sample} {path}");
            if expected.status == 200 {
                assert_eq!(
                    without_csrf_tokens(&actual.body),
                    without_csrf_tokens(&expected.body),
                    "{sample} {path}"
                );
            }
        }
    }
}

/// A page with its CSRF tokens blanked: each rendering masks the token anew.
fn without_csrf_tokens(page: &str) -> String {
    let marker = "name=\"csrfmiddlewaretoken\" value=\"";
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find(marker) {
        let (before, after) = rest.split_at(at + marker.len());
        out.push_str(before);
        rest = after.split_once('"').map_or("", |(_, tail)| tail);
        out.push('"');
    }
    out.push_str(rest);
    out
}

/// Every sample, and a project using every field type and view kind.
#[test]
fn generated_crates_pass_clippy_with_warnings_denied() {
    binaries();
    write_generated("kitchen", &workspace().join("tests/projects/kitchen"));
    for name in SAMPLES.into_iter().chain(["kitchen"]) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(["clippy", "--quiet", "--manifest-path"])
            .arg(crate_dir(name).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(e2e_dir())
            .args(["--", "-D", "warnings"])
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("cargo clippy runs");
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Rows without `pk` (Django allows it) are numbered by the database, on
/// SQLite and on PostgreSQL, and keep their many-to-many links.
#[test]
fn fixture_rows_without_keys_are_numbered_by_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("keyless.json");
    let rows = serde_json::json!([
        {"model": "blog.author", "fields": {"name": "Keyless", "slug": "keyless", "email": "k@example.com", "joined": "2024-01-01"}},
        {"model": "blog.tag", "pk": 90, "fields": {"name": "Ninety", "slug": "ninety"}},
        {"model": "blog.post", "fields": {
            "title": "Without a key", "slug": "without-a-key", "content": "Text.",
            "author": 1, "tags": [90], "status": "published",
            "published_at": "2024-03-01T10:00:00Z"
        }}
    ]);
    std::fs::write(&fixture, rows.to_string()).unwrap();
    let check = |server: &Server, url: &str| {
        run_ok("blog", url, &["loaddata", &fixture.to_string_lossy()]);
        let post = server.get("/api/posts/without-a-key/");
        assert_eq!(post.status, 200, "{}", post.body);
        assert_eq!(post.json()["tags.name"], serde_json::json!(["Ninety"]));
    };
    let on_sqlite = serve("blog", false);
    let url = sqlite_url(on_sqlite.database_dir.as_ref().unwrap().path());
    check(&on_sqlite, &url);
    if let Some(schema) = PostgresSchema::create("keyless") {
        let on_postgres = serve_at("blog", &schema.url(), false);
        check(&on_postgres, &schema.url());
    }
}

/// Every fixture project that passes `djinn check` (the ones whose
/// diagnostics are only warnings) generates a crate that compiles: what
/// passes `check` must build.
#[test]
fn fixture_projects_that_pass_check_generate_crates_that_compile() {
    binaries();
    let runtime = workspace().join("runtime");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(workspace().join("tests/fixtures"))
        .expect("the fixtures")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "fixture"))
        .collect();
    fixtures.sort();
    let mut compiled = Vec::new();
    for path in fixtures {
        let text = std::fs::read_to_string(&path).expect("a fixture");
        let input = djinn_tests::Fixture::parse(&text).to_input();
        let output = djinn::check_project(&input);
        if output.has_errors() {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_lowercase();
        let options = CodegenOptions {
            runtime_path: runtime.to_string_lossy().into_owned(),
        };
        let generated = codegen::generate(&input, &output, &options)
            .unwrap_or_else(|errors| panic!("{stem} generates: {errors:#?}"));
        let dir = e2e_dir().join("fixtures").join(&stem);
        builder::write_crate(&generated, &dir).expect("the crate is written");
        builder::seed_lock_file(&dir, &runtime).expect("the lock file is copied");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let result = Command::new(cargo)
            .args(["check", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(e2e_dir())
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("cargo check runs");
        assert!(
            result.status.success(),
            "{stem}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        compiled.push(stem);
    }
    assert!(compiled.len() >= 5, "only {compiled:?} pass check");
}

// ── schemathesis: the live JSON API against its openapi.json ────────────────
//
// `djinn docs` writes an OpenAPI document of every sample's JSON views; here
// Schemathesis sends generated requests to the running sample (127.0.0.1
// only) and checks that every answer is one the document describes: status
// code, content type, body schema. Create views need a CSRF token the
// generated requests do not carry, so they answer 403, which the document
// lists for unsafe methods; they stay in the run, so that 403 is checked too.

/// The `schemathesis` command of a venv under `target/`, installed from
/// PyPI on first use; `None` when it cannot be installed.
fn schemathesis() -> Option<PathBuf> {
    let venv = workspace().join("target").join("schemathesis-venv");
    let program = venv.join("bin").join("schemathesis");
    let works = |program: &Path| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if works(&program) {
        return Some(program);
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    let installed = created
        && Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "schemathesis>=4,<5"])
            .status()
            .is_ok_and(|status| status.success());
    (installed && works(&program)).then_some(program)
}

/// Path parameters naming rows of the demo data, added to the document as
/// examples: random values almost never name a row, and the examples make
/// sure that 200 answers are checked against their schemas too.
fn demo_examples(sample: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match sample {
        "blog" => &[(
            "/api/posts/{slug}/",
            "slug",
            "reading-a-postgresql-query-plan",
        )],
        "shop" => &[
            ("/api/products/{slug}/", "slug", "yixing-clay-teapot"),
            ("/api/orders/{id}/", "id", "1"),
        ],
        _ => &[],
    }
}

/// The sample's `openapi.json`, as `djinn docs` writes it, with the demo
/// examples added to its path parameters.
fn openapi_with_examples(sample: &str) -> serde_json::Value {
    let input = djinn::ProjectInput::load(&workspace().join("samples").join(sample))
        .expect("the project loads");
    let output = djinn::check_project(&input);
    let mut document = djinn::docs::openapi::document(&output.project, &output.settings);
    for &(path, name, value) in demo_examples(sample) {
        let operation = &mut document["paths"][path]["get"];
        let parameters = operation["parameters"]
            .as_array_mut()
            .unwrap_or_else(|| panic!("{sample}: no parameters at {path}"));
        let parameter = parameters
            .iter_mut()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{sample}: no parameter {name} at {path}"));
        let example = match parameter["schema"]["type"].as_str() {
            Some("integer") => serde_json::json!(value.parse::<i64>().expect("an integer")),
            _ => serde_json::json!(value),
        };
        parameter["example"] = example;
    }
    document
}

/// Runs `command` until it exits or `limit` passes (then kills it).
fn output_within(mut command: Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the command runs") {
            break status;
        }
        if started.elapsed() > limit {
            // Only the process this test started, by its handle.
            let _ = child.kill();
            panic!("{command:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::process::Output {
        status,
        stdout: out.join().expect("stdout is read"),
        stderr: err.join().expect("stderr is read"),
    }
}

#[test]
fn json_answers_conform_to_openapi_json_under_schemathesis() {
    let Some(schemathesis) = schemathesis() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "schemathesis cannot be installed (python3 -m venv target/schemathesis-venv && target/schemathesis-venv/bin/pip install 'schemathesis>=4,<5')"
        );
        eprintln!(
            "note: skipping the schemathesis run: schemathesis is not installed and could not be"
        );
        return;
    };
    for sample in ["blog", "shop"] {
        let server = serve(sample, true);
        let dir = tempfile::tempdir().expect("a temp dir");
        let document = openapi_with_examples(sample);
        for &(path, name, value) in demo_examples(sample) {
            let concrete = path.replace(&format!("{{{name}}}"), value);
            let answer = server.get(&concrete);
            assert_ne!(
                answer.status, 404,
                "{sample}: the example {concrete} names a row"
            );
        }
        let schema = dir.path().join("openapi.json");
        std::fs::write(&schema, serde_json::to_string_pretty(&document).unwrap()).unwrap();
        let mut command = Command::new(&schemathesis);
        command
            .arg("--no-color")
            .arg("run")
            .arg(&schema)
            .args(["--url", &format!("http://{}", server.address)])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            .args(["--max-examples", "60", "--seed", "20240220"])
            .args(["--workers", "1", "--request-timeout", "10"])
            .args(["--generation-database", "none"])
            .current_dir(dir.path())
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1");
        let output = output_within(command, Duration::from_secs(90));
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{sample}: schemathesis found answers that break openapi.json:\n{report}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(report.contains("passed"), "{sample}: {report}");
    }
}

// ── the admin site (generated from the samples' `admin` blocks) ─────────────
//
// Appended section, owned by the admin work: the blog's admin over HTTP on
// SQLite and PostgreSQL — access rules, the change list's search, filters,
// sorting and pages, add / change / delete with their messages — then the
// shop's protected delete and every admin page of every sample.

/// The texts of the first column of a change list (escaped as in the page).
fn admin_first_column(page: &str) -> Vec<String> {
    page.split("<th class=\"field-")
        .skip(1)
        .filter_map(|cell| {
            let link = cell.split("<a href=\"").nth(1)?;
            let text = link.split_once("\">")?.1;
            Some(text.split("</a>").next()?.to_string())
        })
        .collect()
}

/// The keys of the rows of a change list (its action checkboxes).
fn admin_keys(page: &str) -> Vec<String> {
    page.split("name=\"_selected_action\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Creates a user (staff or not) with `perms`, straight in the database.
fn admin_create_user(url: &str, username: &str, password: &str, staff: bool, perms: &[&str]) {
    use djinn_runtime::db::{Database, Sql, Value};
    const STAFF: Sql = Sql::new(
        r#"UPDATE "auth_user" SET "is_staff" = ?1 WHERE "id" = ?2"#,
        r#"UPDATE "auth_user" SET "is_staff" = $1 WHERE "id" = $2"#,
    );
    let runtime = djinn_runtime::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let db = Database::connect(url).await.expect("the database");
        let email = format!("{username}@example.com");
        let id = djinn_runtime::auth::create_user(&db, username, &email, Some(password))
            .await
            .expect("the user is created");
        db.execute(&STAFF, &[Value::Bool(staff), Value::Int(id)])
            .await
            .expect("the staff flag is set");
        for perm in perms {
            djinn_runtime::auth::grant_user_permission(&db, id, perm)
                .await
                .expect("the permission is granted");
        }
    });
}

/// A client signed in as `username`.
fn admin_client<'s>(server: &'s Server, username: &str, password: &str) -> Client<'s> {
    let mut client = Client::new(server);
    let signed_in = client.log_in("/admin/login/", username, password);
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    client
}

/// Posts a form of the page at `path` (with its CSRF token) to `path`.
fn admin_post(client: &mut Client<'_>, path: &str, fields: &[(&str, &str)]) -> Answer {
    let page = client.get(path);
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    let token = csrf_token(&page.body);
    let mut all = vec![("csrfmiddlewaretoken", token.as_str())];
    all.extend_from_slice(fields);
    client.post_form(path, &all)
}

/// The whole admin flow on a blog server whose database is at `url`.
fn admin_flow(blog: &Server, url: &str) {
    // Anonymous: sent to the login page; the stylesheet is public.
    let mut anonymous = Client::new(blog);
    let answer = anonymous.get("/admin/");
    assert_eq!(answer.status, 302);
    assert_eq!(
        answer.header("location"),
        Some("/admin/login/?next=/admin/")
    );
    let answer = anonymous.get("/admin/blog/post/?q=rust");
    assert_eq!(answer.status, 302);
    assert!(
        answer
            .header("location")
            .is_some_and(|to| to.starts_with("/admin/login/?next=/admin/blog/post/")),
        "{:?}",
        answer.header("location")
    );
    let css = anonymous.get("/admin/admin.css");
    assert_eq!(css.status, 200);
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css"))
    );

    // A signed-in user without the staff flag: 403 everywhere.
    admin_create_user(url, "reader", "a long reader passphrase", false, &[]);
    let mut reader = admin_client(blog, "reader", "a long reader passphrase");
    for path in ["/admin/", "/admin/blog/post/", "/admin/blog/post/1/change/"] {
        assert_eq!(reader.get(path).status, 403, "{path}");
    }

    // A staff user who may only view posts.
    admin_create_user(
        url,
        "viewer",
        "a long viewer passphrase",
        true,
        &["blog.view_post"],
    );
    let mut viewer = admin_client(blog, "viewer", "a long viewer passphrase");
    let index = viewer.get("/admin/");
    assert_eq!(index.status, 200);
    assert!(index.body.contains("Blog posts") && index.body.contains("class=\"viewlink\""));
    assert!(!index.body.contains("Authors") && !index.body.contains("class=\"addlink\""));
    let list = viewer.get("/admin/blog/post/");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Select blog post to view"));
    assert!(
        !list.body.contains("delete_selected"),
        "no action without delete"
    );
    assert_eq!(viewer.get("/admin/blog/post/add/").status, 403);
    assert_eq!(viewer.get("/admin/blog/tag/").status, 403);
    assert_eq!(viewer.get("/admin/blog/post/1/delete/").status, 403);
    let view = viewer.get("/admin/blog/post/1/change/");
    assert_eq!(view.status, 200);
    assert!(view.body.contains("View blog post") && !view.body.contains("name=\"_save\""));
    let token = csrf_token(&view.body);
    let refused = viewer.post_form(
        "/admin/blog/post/1/change/",
        &[("csrfmiddlewaretoken", &token), ("title", "Hijacked")],
    );
    assert_eq!(refused.status, 403);

    // The superuser.
    let mut client = admin_client(blog, "editor", "a long editor passphrase");
    let index = client.get("/admin/");
    assert_eq!(index.status, 200);
    for (name, path) in [
        ("Blog posts", "/admin/blog/post/"),
        ("Authors", "/admin/blog/author/"),
        ("Tags", "/admin/blog/tag/"),
        ("Comments", "/admin/blog/comment/"),
    ] {
        assert!(
            index
                .body
                .contains(&format!("<a href=\"{path}\">{name}</a>")),
            "{name} in {}",
            index.body
        );
    }
    assert!(
        index.body.contains("action=\"/admin/logout/\""),
        "the log out form"
    );

    // The change list: the demo posts, newest change first.
    let list = client.get("/admin/blog/post/");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("20 blog posts"));
    let titles = admin_first_column(&list.body);
    assert_eq!(titles.len(), 20);
    assert_eq!(titles[0], "Draft: a second look at HTMX");
    assert!(
        list.body
            .contains("<td class=\"field-author\">Tomás Ferreira</td>")
    );
    assert!(
        list.body.contains("<td class=\"field-status\">Draft</td>"),
        "choice labels"
    );
    // Search: every term somewhere, case-insensitive; injections are text.
    let found = client.get("/admin/blog/post/?q=QUERY+plan");
    assert_eq!(
        admin_first_column(&found.body),
        [
            "The N+1 query problem, explained with coffee",
            "Reading a PostgreSQL query plan"
        ]
    );
    assert!(
        found
            .body
            .contains("2 results (<a href=\"?\">20 total</a>)")
    );
    let injected = client.get("/admin/blog/post/?q=%27+OR+1%3D1+--");
    assert_eq!(injected.status, 200);
    assert!(admin_first_column(&injected.body).is_empty());
    // Filters: a choice, a foreign key, a many-to-many relation.
    let drafts = client.get("/admin/blog/post/?status__exact=draft");
    assert_eq!(
        admin_first_column(&drafts.body),
        [
            "Draft: a second look at HTMX",
            "Draft: notes on connection pools"
        ]
    );
    assert!(drafts.body.contains("<li class=\"selected\"><a aria-current=\"true\" href=\"?status__exact=draft\">Draft</a></li>"));
    let by_mei = client.get("/admin/blog/post/?author__id__exact=3");
    assert_eq!(admin_first_column(&by_mei.body).len(), 6);
    let both = client.get("/admin/blog/post/?author__id__exact=3&status__exact=draft");
    assert_eq!(
        admin_first_column(&both.body),
        ["Draft: notes on connection pools"]
    );
    let databases = client.get("/admin/blog/post/?tags__id__exact=3");
    assert_eq!(admin_first_column(&databases.body).len(), 7);
    // Sorting by a column, both ways.
    let ascending = admin_first_column(&client.get("/admin/blog/post/?o=1").body);
    assert_eq!(ascending[0], "A gentle introduction to async Rust");
    let descending = admin_first_column(&client.get("/admin/blog/post/?o=-1").body);
    assert_eq!(descending[0], "Writing a tiny HTTP server");
    assert_eq!(descending.len(), 20);
    // Pages: one page of 50; the second does not exist.
    assert_eq!(client.get("/admin/blog/post/?p=2").status, 404);
    assert_eq!(client.get("/admin/blog/post/999/change/").status, 404);
    assert_eq!(client.get("/admin/blog/post/abc/change/").status, 404);

    // Add a post with tags: the form offers the authors and the tags.
    let form = client.get("/admin/blog/post/add/");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<option value=\"3\">Mei Chen</option>"));
    assert!(
        form.body
            .contains("<select name=\"tags\" id=\"id_tags\" multiple>")
    );
    let post = [
        ("title", "Admin-made post"),
        ("slug", "admin-made-post"),
        ("summary", ""),
        ("content", "Written in the admin."),
        ("author", "3"),
        ("tags", "1"),
        ("tags", "3"),
        ("status", "published"),
        ("published_at", ""),
        ("_save", "1"),
    ];
    let added = admin_post(&mut client, "/admin/blog/post/add/", &post);
    assert_eq!(added.status, 302, "{}", added.body);
    assert_eq!(added.header("location"), Some("/admin/blog/post/"));
    let list = client.get("/admin/blog/post/");
    assert!(
        list.body
            .contains("The blog post “Admin-made post” was added successfully.")
    );
    assert!(list.body.contains("21 blog posts"));
    // Messages are shown once.
    assert!(
        !client
            .get("/admin/blog/post/")
            .body
            .contains("was added successfully")
    );
    // Found by search and by the tag filter.
    let found = client.get("/admin/blog/post/?q=admin-made");
    assert_eq!(admin_first_column(&found.body), ["Admin-made post"]);
    let key = admin_keys(&found.body).remove(0);
    let rust = client.get("/admin/blog/post/?tags__id__exact=1&q=admin");
    assert_eq!(admin_first_column(&rust.body), ["Admin-made post"]);
    // Its change page: the tags chosen, and the publication time the
    // blog's post_save hook stamped in the same transaction.
    let change_path = format!("/admin/blog/post/{key}/change/");
    let change = client.get(&change_path);
    assert_eq!(change.status, 200);
    assert!(
        change
            .body
            .contains("<option value=\"1\" selected>Rust</option>")
    );
    assert!(
        change
            .body
            .contains("<option value=\"3\" selected>Databases</option>")
    );
    assert!(
        !change.body.contains("name=\"published_at\" value=\"\""),
        "stamped by the hook"
    );
    assert!(
        !change.body.contains("name=\"published_at\" id="),
        "stamped by the hook"
    );

    // Unique checks, in Django's words.
    let mut again = post;
    again[0] = ("title", "Another title");
    let taken = admin_post(&mut client, "/admin/blog/post/add/", &again);
    assert_eq!(taken.status, 200);
    assert!(
        taken
            .body
            .contains("Blog post with this Slug already exists.")
    );
    assert!(taken.body.contains("Please correct the error below."));
    let mut same_title = post;
    same_title[1] = ("slug", "another-slug");
    let taken = admin_post(&mut client, "/admin/blog/post/add/", &same_title);
    assert!(
        taken
            .body
            .contains("Blog post with this Author and Title already exists."),
        "{}",
        taken.body
    );
    let missing = admin_post(
        &mut client,
        "/admin/blog/post/add/",
        &[("title", ""), ("_save", "1")],
    );
    assert_eq!(missing.status, 200);
    assert!(missing.body.contains("This field is required."));
    assert!(missing.body.contains("Please correct the errors below."));

    // Change it: other tags, "Save and continue editing".
    let changed = admin_post(
        &mut client,
        &change_path,
        &[
            ("title", "Admin-made post, edited"),
            ("slug", "admin-made-post"),
            ("content", "Edited in the admin."),
            ("author", "3"),
            ("tags", "2"),
            ("status", "draft"),
            ("published_at", ""),
            ("_continue", "1"),
        ],
    );
    assert_eq!(changed.status, 302, "{}", changed.body);
    assert_eq!(changed.header("location"), Some(change_path.as_str()));
    let change = client.get(&change_path);
    assert!(change.body.contains(
        "The blog post “Admin-made post, edited” was changed successfully. You may edit it again below."
    ));
    assert!(
        change
            .body
            .contains("<option value=\"2\" selected>Django</option>")
    );
    assert!(
        !change.body.contains("<option value=\"1\" selected>"),
        "Rust unlinked"
    );
    let drafts = client.get("/admin/blog/post/?status__exact=draft");
    assert!(admin_first_column(&drafts.body).contains(&"Admin-made post, edited".to_string()));

    // Delete it through the action: confirmation, then the delete.
    let list = client.get("/admin/blog/post/");
    let token = csrf_token(&list.body);
    let selected = [
        ("csrfmiddlewaretoken", token.as_str()),
        ("action", "delete_selected"),
        ("_selected_action", key.as_str()),
    ];
    let confirm = client.post_form("/admin/blog/post/", &selected);
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete the selected blog posts?")
    );
    assert!(confirm.body.contains("Admin-made post, edited"));
    let token = csrf_token(&confirm.body);
    let deleted = client.post_form(
        "/admin/blog/post/",
        &[
            ("csrfmiddlewaretoken", token.as_str()),
            ("action", "delete_selected"),
            ("_selected_action", key.as_str()),
            ("post", "yes"),
        ],
    );
    assert_eq!(deleted.status, 302);
    let list = client.get("/admin/blog/post/");
    assert!(list.body.contains("Successfully deleted 1 blog post."));
    assert!(list.body.contains("20 blog posts"));
    assert_eq!(client.get(&change_path).status, 404);
    // No row selected: a warning, nothing deleted.
    let token = csrf_token(&list.body);
    let nothing = client.post_form(
        "/admin/blog/post/",
        &[
            ("csrfmiddlewaretoken", token.as_str()),
            ("action", "delete_selected"),
        ],
    );
    assert_eq!(nothing.status, 302);
    assert!(
        client
            .get("/admin/blog/post/")
            .body
            .contains("Items must be selected")
    );

    // "Save and add another", then the delete page.
    let tag = admin_post(
        &mut client,
        "/admin/blog/tag/add/",
        &[("name", "Admin"), ("slug", "admin"), ("_addanother", "1")],
    );
    assert_eq!(tag.status, 302);
    assert_eq!(tag.header("location"), Some("/admin/blog/tag/add/"));
    let tags = client.get("/admin/blog/tag/?q=admin");
    assert!(
        tags.body
            .contains("The tag “Admin” was added successfully. You may add another tag below.")
    );
    let tag_key = admin_keys(&tags.body).remove(0);
    let delete_path = format!("/admin/blog/tag/{tag_key}/delete/");
    let confirm = client.get(&delete_path);
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete the tag “Admin”?")
    );
    let removed = admin_post(&mut client, &delete_path, &[("post", "yes")]);
    assert_eq!(removed.status, 302);
    assert_eq!(removed.header("location"), Some("/admin/blog/tag/"));
    assert!(
        client
            .get("/admin/blog/tag/")
            .body
            .contains("The tag “Admin” was deleted successfully.")
    );
    assert_eq!(client.get(&delete_path).status, 404);

    // Deleting an author takes their posts along: the summary says so.
    let author = client.get("/admin/blog/author/1/delete/");
    assert!(
        author.body.contains("<li>Blog posts: 6</li>"),
        "{}",
        author.body
    );
    // POST without a CSRF token is refused.
    let forged = client.post_form("/admin/blog/author/1/delete/", &[("post", "yes")]);
    assert_eq!(forged.status, 403);
}

#[test]
fn the_admin_manages_the_blog() {
    let (blog, dir) = signed_in_blog();
    admin_flow(&blog, &sqlite_url(dir.path()));
}

#[test]
fn the_admin_manages_the_blog_on_postgresql() {
    let Some(schema) = PostgresSchema::create("blog_admin") else {
        return;
    };
    let blog = serve_at("blog", &schema.url(), true);
    create_superuser("blog", &schema.url(), "editor", "a long editor passphrase");
    admin_flow(&blog, &schema.url());
}

/// Protected rows refuse a delete (409), and every admin page of every
/// sample renders for a superuser.
#[test]
fn the_admin_refuses_protected_deletes_and_serves_every_sample() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = sqlite_url(dir.path());
    let shop = serve_at("shop", &url, true);
    create_superuser("shop", &url, "owner", "a long owner passphrase");
    let mut client = admin_client(&shop, "owner", "a long owner passphrase");
    let page = client.get("/admin/shop/category/1/delete/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Cannot delete category"),
        "{}",
        page.body
    );
    let refused = admin_post(
        &mut client,
        "/admin/shop/category/1/delete/",
        &[("post", "yes")],
    );
    assert_eq!(refused.status, 409);
    assert_eq!(
        client.get("/admin/shop/category/1/change/").status,
        200,
        "still there"
    );
    drop(shop);

    for sample in SAMPLES {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = sqlite_url(dir.path());
        let server = serve_at(sample, &url, true);
        create_superuser(sample, &url, "owner", "a long owner passphrase");
        // Polls signs in at the default /accounts/login/.
        let login = if sample == "polls" {
            "/accounts/login/"
        } else {
            "/admin/login/"
        };
        let mut client = Client::new(&server);
        assert_eq!(
            client
                .log_in(login, "owner", "a long owner passphrase")
                .status,
            302
        );
        let index = client.get("/admin/");
        assert_eq!(index.status, 200, "{sample}");
        let changelists: Vec<String> = index
            .body
            .split("class=\"changelink\"")
            .filter_map(|part| part.rsplit("<a href=\"").next())
            .filter_map(|part| part.split('"').next())
            .filter(|path| path.starts_with("/admin/"))
            .map(str::to_string)
            .collect();
        assert!(!changelists.is_empty(), "{sample}: {}", index.body);
        for list in changelists {
            let page = client.get(&list);
            assert_eq!(page.status, 200, "{list}: {}", page.body);
            let add = client.get(&format!("{list}add/"));
            assert_eq!(add.status, 200, "{list}add/: {}", add.body);
            if let Some(key) = admin_keys(&page.body).first() {
                let change = client.get(&format!("{list}{key}/change/"));
                assert_eq!(change.status, 200, "{list}{key}: {}", change.body);
                let delete = client.get(&format!("{list}{key}/delete/"));
                assert_eq!(delete.status, 200, "{list}{key}/delete/: {}", delete.body);
            }
            // Every filter option answers.
            for option in page.body.split("<details open>").skip(1) {
                for href in option.split("<a href=\"").skip(1).take(3) {
                    let query = href
                        .split('"')
                        .next()
                        .unwrap_or_default()
                        .replace("&amp;", "&");
                    let filtered = client.get(&format!("{list}{query}"));
                    assert_eq!(filtered.status, 200, "{list}{query}");
                }
            }
        }
    }
}
