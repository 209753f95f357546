//! The HTTP/1.1 server.
//!
//! Input: an [`App`] and a bound `TcpListener`. Output: connections served
//! with hyper (HTTP/1.1, keep-alive) until a shutdown signal, then a
//! graceful stop: no new connections, idle keep-alive connections closed,
//! in-flight requests given [`crate::Limits::shutdown_grace`] to finish.
//!
//! Limits enforced here: the request head size (hyper answers 431) and read
//! time (hyper closes the connection); the body size (413, checked against
//! `Content-Length` first, then while reading) and read time (408). The
//! time to answer is bounded in [`App::handle`] (503).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::header::{CONNECTION, CONTENT_LENGTH};
use http::{HeaderMap, HeaderValue};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::config::Limits;
use crate::error::HttpError;
use crate::request::Request;

/// How long to wait before accepting again after `accept` failed (e.g. out of file descriptors).
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Runs `app` on a new multi-threaded tokio runtime, bound to its configured
/// address, until SIGTERM or Ctrl-C. The entry point of a generated `main`,
/// which then needs no async runtime of its own.
pub fn run(app: App) -> io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bind_and_serve(app))
}

/// Binds the configured address and serves until SIGTERM or Ctrl-C.
pub async fn bind_and_serve(app: App) -> io::Result<()> {
    let listener = TcpListener::bind(app.config().bind).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    serve(app, listener).await
}

/// Serves `listener` until SIGTERM or Ctrl-C.
pub async fn serve(app: App, listener: TcpListener) -> io::Result<()> {
    serve_with_shutdown(app, listener, Box::pin(shutdown_signal())).await
}

/// Completes on SIGTERM (what process managers and containers send) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}

/// Serves `listener` until `shutdown` completes, then stops gracefully.
pub async fn serve_with_shutdown(
    app: App,
    listener: TcpListener,
    mut shutdown: BoxFuture<'static, ()>,
) -> io::Result<()> {
    let app = Arc::new(app);
    let limits = &app.config().limits;
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .max_header_size(limits.max_header_bytes)
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    // Responses are written whole; don't let Nagle delay their last packet.
                    let _ = stream.set_nodelay(true);
                    let app = Arc::clone(&app);
                    let service = service_fn(move |request| respond(Arc::clone(&app), remote, request));
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        if let Err(error) = connection.await {
                            tracing::debug!(%remote, %error, "connection ended with an error");
                        }
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                }
            },
            () = &mut shutdown => break,
        }
    }

    drop(listener);
    let grace = app.config().limits.shutdown_grace;
    tracing::info!("shutting down: finishing in-flight requests (up to {grace:?})");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(grace) => tracing::warn!("grace period over; dropping open connections"),
    }
    Ok(())
}

/// Turns one hyper request into a [`Request`], answers it, and back.
async fn respond(
    app: Arc<App>,
    remote: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let response = match read_body(&app.config().limits, &parts.headers, body).await {
        Ok(body) => {
            let method = parts.method.clone();
            let uri = parts.uri.clone();
            match Request::new(parts.method, parts.uri, parts.headers, body, remote) {
                Ok(request) => app.handle(request).await,
                Err(error) => app.reject(&method, uri.path(), error, started),
            }
        }
        Err(error) => {
            let mut response = app.reject(&parts.method, parts.uri.path(), error, started);
            // The unread rest of the body makes the connection unusable.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
    };
    let (status, headers, body) = response.into_parts();
    let mut response = hyper::Response::new(Full::new(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// Reads the whole body within the size and time limits.
async fn read_body(
    limits: &Limits,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Bytes, HttpError> {
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let limit = limits.max_body_bytes;
    let declared_length = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limit as u64) {
        return Err(HttpError::PayloadTooLarge { limit });
    }
    let collected = tokio::time::timeout(
        limits.body_read_timeout,
        Limited::new(body, limit).collect(),
    )
    .await
    .map_err(|_| HttpError::RequestTimeout)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(HttpError::PayloadTooLarge { limit }),
        Err(error) => Err(HttpError::BadRequest(format!(
            "the request body could not be read: {error}"
        ))),
    }
}

/// A server running in the background on `127.0.0.1:<free port>`, for tests.
pub struct TestServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

/// Starts `app` on `127.0.0.1:0` in a background task.
pub async fn spawn_test_server(app: App) -> io::Result<TestServer> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = Box::pin(async move {
        // A dropped sender stops the server too.
        let _ = stopped.await;
    });
    let task = tokio::spawn(serve_with_shutdown(app, listener, shutdown));
    Ok(TestServer { addr, stop, task })
}

impl TestServer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts the graceful shutdown and waits until the server has stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }
}
