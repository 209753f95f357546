//! The benchmark's hand-written baseline: TechEmpower's test types on axum.
//!
//! Input: the command line (`setup FIXTURE` or `serve [--bind ADDR]`) and
//! `DATABASE_URL` (`sqlite://PATH` or `postgres://…`). Output: the tables
//! loaded from the fixture, or a server answering `/plaintext`, `/json`,
//! `/db`, `/queries`, `/fortunes`, `/updates` and `/fortunes-spec`.
//!
//! The layout is the one TechEmpower's fastest Rust entries use: one
//! single-threaded tokio runtime per core, each with its own `SO_REUSEPORT`
//! listener and its own database connection — a rusqlite connection with
//! cached statements, or a tokio-postgres client with prepared statements
//! whose concurrent queries are pipelined on one socket — so that no lock
//! and no pool sits between a request and its connection.

mod model;
mod postgres;
mod setup;
mod sqlite;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::SERVER;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde::Deserialize;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the data lives, from `DATABASE_URL`.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A SQLite file.
    Sqlite(String),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl Backend {
    fn from_env() -> Result<Backend, String> {
        let url = std::env::var("DATABASE_URL")
            .map_err(|_| "set DATABASE_URL to sqlite://PATH or postgres://…".to_owned())?;
        if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Backend::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres(url))
        } else {
            Err("DATABASE_URL must start with sqlite:// or postgres://".to_owned())
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = Backend::from_env().and_then(|backend| match args.as_slice() {
        [command, fixture] if command == "setup" => setup::run(&backend, fixture),
        [command] if command == "serve" => serve(backend, "127.0.0.1:8000"),
        [command, flag, bind] if command == "serve" && flag == "--bind" => serve(backend, bind),
        _ => Err("usage: baseline setup FIXTURE | baseline serve [--bind ADDR]".to_owned()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("baseline: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves on `bind` with one runtime, listener and connection per core.
fn serve(backend: Backend, bind: &str) -> Result<(), String> {
    let addr: SocketAddr = bind
        .parse()
        .map_err(|error| format!("bad address {bind}: {error}"))?;
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let workers: Vec<_> = (0..cores)
        .map(|_| {
            let backend = backend.clone();
            thread::spawn(move || serve_one_core(&backend, addr))
        })
        .collect();
    eprintln!("baseline: listening on http://{addr} with {cores} workers");
    for worker in workers {
        worker
            .join()
            .map_err(|_| "a worker panicked".to_owned())??;
    }
    Ok(())
}

fn serve_one_core(backend: &Backend, addr: SocketAddr) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let database_routes = match backend {
            Backend::Sqlite(path) => sqlite::routes(path)?,
            Backend::Postgres(url) => postgres::routes(url).await?,
        };
        let app = Router::new()
            .route("/plaintext", get(plaintext))
            .route("/json", get(json))
            .merge(database_routes)
            .layer(axum::middleware::map_response(server_header));
        let listener =
            listener(addr).map_err(|error| format!("cannot listen on {addr}: {error}"))?;
        axum::serve(listener, app)
            .await
            .map_err(|error| error.to_string())
    })
}

/// A listener sharing `addr` with the other cores' (`SO_REUSEPORT`): the
/// kernel spreads new connections over them.
fn listener(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    tokio::net::TcpListener::from_std(socket.into())
}

async fn server_header(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(SERVER, HeaderValue::from_static("baseline"));
    response
}

async fn plaintext() -> &'static str {
    "Hello, World!"
}

#[derive(serde::Serialize)]
struct Message {
    message: &'static str,
}

async fn json() -> impl IntoResponse {
    Json(Message {
        message: "Hello, World!",
    })
}

/// The `queries` parameter of `/queries` and `/updates`.
#[derive(Deserialize)]
pub struct Count {
    queries: Option<String>,
}

impl Count {
    /// As the rules read it: missing or not a number is 1; clamped to 1..=500.
    pub fn value(&self) -> usize {
        self.queries
            .as_deref()
            .and_then(|value| value.trim().parse::<i64>().ok())
            .map_or(1, |queries| queries.clamp(1, 500) as usize)
    }
}
