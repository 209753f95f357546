//! The HTTP/1.1 server.
//!
//! Input: an [`App`] and a bound `TcpListener`. Output: connections served
//! with hyper (HTTP/1.1, keep-alive) until a shutdown signal, then a
//! graceful stop: no new connections, idle keep-alive connections closed,
//! in-flight requests given [`crate::Limits::shutdown_grace`] to finish.
//!
//! Threads: the caller's task accepts; each connection then lives on one of
//! a worker thread per core, each with a single-threaded tokio runtime of
//! its own (see [`serve_with_shutdown`]).
//!
//! Limits enforced here: the request head size (hyper answers 431) and read
//! time (a per-connection watchdog closes the connection, see
//! [`watch_head_reads`]); the body size (413, checked against
//! `Content-Length` first, then while reading) and read time (408). The
//! time to answer is bounded in [`App::handle`] (503).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::header::{CONNECTION, CONTENT_LENGTH};
use http::{HeaderMap, HeaderValue};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinHandle};

use crate::app::App;
use crate::config::Limits;
use crate::error::HttpError;
use crate::request::{Request, decode_path};

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
///
/// The calling task accepts connections and hands them out in turn to one
/// worker thread per core, each running its own single-threaded tokio
/// runtime: a connection's requests, and the database calls they make,
/// stay on one thread, with no work-stealing scheduler and no cross-thread
/// wake-ups between them (the layout of the fastest servers of the
/// TechEmpower benchmark). On shutdown each worker stops its connections
/// gracefully, and this returns when every worker has finished.
pub async fn serve_with_shutdown(
    app: App,
    listener: TcpListener,
    mut shutdown: BoxFuture<'static, ()>,
) -> io::Result<()> {
    let app = Arc::new(app);
    let workers = (0..worker_count())
        .map(|index| Worker::start(index, &app))
        .collect::<io::Result<Vec<Worker>>>()?;
    let mut next = 0;

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    // Responses are written whole; don't let Nagle delay their last packet.
                    let _ = stream.set_nodelay(true);
                    match stream.into_std() {
                        Ok(stream) => hand_out(&workers, &mut next, stream, remote)?,
                        Err(error) => tracing::warn!(%remote, %error, "cannot hand a connection to a worker"),
                    }
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
    // Closing its queue tells a worker to stop; each applies the grace period.
    let finished: Vec<_> = workers.into_iter().map(Worker::stop).collect();
    for worker in finished {
        // An error means the worker's thread is gone already.
        let _ = worker.await;
    }
    Ok(())
}

/// The number of worker threads: one per core.
fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Gives `stream` to the next worker in turn that is still running.
fn hand_out(
    workers: &[Worker],
    next: &mut usize,
    mut stream: std::net::TcpStream,
    remote: SocketAddr,
) -> io::Result<()> {
    for _ in 0..workers.len() {
        let worker = &workers[*next % workers.len()];
        *next = next.wrapping_add(1);
        match worker.connections.send((stream, remote)) {
            Ok(()) => return Ok(()),
            // That worker's thread ended (it cannot panic, but be safe): try the next.
            Err(mpsc::error::SendError((returned, _))) => stream = returned,
        }
    }
    Err(io::Error::other("every server worker thread has stopped"))
}

/// A connection as handed to a worker.
type Accepted = (std::net::TcpStream, SocketAddr);

/// One worker thread: its queue of new connections, and the signal it
/// sends when it has stopped.
struct Worker {
    connections: mpsc::UnboundedSender<Accepted>,
    stopped: oneshot::Receiver<()>,
}

impl Worker {
    fn start(index: usize, app: &Arc<App>) -> io::Result<Worker> {
        let (connections, queue) = mpsc::unbounded_channel();
        let (done, stopped) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let app = Arc::clone(app);
        std::thread::Builder::new()
            .name(format!("djinn-worker-{index}"))
            .spawn(move || {
                runtime.block_on(serve_connections(app, queue));
                // Connections still open after the grace period end here.
                drop(runtime);
                let _ = done.send(());
            })?;
        Ok(Worker {
            connections,
            stopped,
        })
    }

    /// Closes the queue, which starts the worker's graceful stop; the
    /// receiver completes when the worker has stopped.
    fn stop(self) -> oneshot::Receiver<()> {
        drop(self.connections);
        self.stopped
    }
}

/// A worker's loop: serves each connection it is given on this thread's
/// runtime until the queue closes, then stops gracefully.
async fn serve_connections(app: Arc<App>, mut queue: mpsc::UnboundedReceiver<Accepted>) {
    let limits = &app.config().limits;
    let head_timeout = limits.header_read_timeout;
    let mut http = http1::Builder::new();
    // hyper's own header read timeout arms a timer for every request; the
    // head watchdog below does the same job for a few instructions per request.
    http.keep_alive(true)
        .max_header_size(limits.max_header_bytes)
        .header_read_timeout(None);
    let graceful = GracefulShutdown::new();
    while let Some((stream, remote)) = queue.recv().await {
        let stream = match TcpStream::from_std(stream) {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%remote, %error, "a worker cannot take a connection");
                continue;
            }
        };
        let app = Arc::clone(&app);
        let activity = Arc::new(Activity::default());
        let service = {
            let activity = Arc::clone(&activity);
            service_fn(move |request| {
                activity.step();
                respond(Arc::clone(&app), remote, request, Arc::clone(&activity))
            })
        };
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let (ended, closed) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%remote, %error, "connection ended with an error");
            }
            drop(ended);
        });
        tokio::spawn(watch_head_reads(
            activity,
            task.abort_handle(),
            closed,
            head_timeout,
            remote,
        ));
    }
    let grace = app.config().limits.shutdown_grace;
    tokio::select! {
        () = graceful.shutdown() => tracing::debug!("a worker's connections all closed"),
        () = tokio::time::sleep(grace) => tracing::warn!("grace period over; dropping open connections"),
    }
}

/// What a connection's head watchdog sees of it: a counter bumped when a
/// request's head has been read (the service is called) and again when its
/// response is ready. Odd: a request is being answered; even: the
/// connection is waiting for the next request head.
#[derive(Default)]
struct Activity(AtomicU32);

impl Activity {
    fn step(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Slow-loris protection: closes a connection that has been waiting for a
/// request head (the first one, or the next on a keep-alive connection) for
/// a whole `timeout` — like hyper's `header_read_timeout`, but a connection
/// is checked once per `timeout` instead of arming a timer per request, so
/// it is closed between one and two `timeout`s after its last request
/// (answering a request does not count). Ends when the connection does.
async fn watch_head_reads(
    activity: Arc<Activity>,
    connection: AbortHandle,
    mut closed: oneshot::Receiver<()>,
    timeout: Duration,
    remote: SocketAddr,
) {
    let mut seen = activity.get();
    loop {
        tokio::select! {
            _ = &mut closed => return,
            () = tokio::time::sleep(timeout) => {}
        }
        let now = activity.get();
        if now == seen && now.is_multiple_of(2) {
            tracing::debug!(%remote, "no request head within {timeout:?}; closing the connection");
            connection.abort();
            return;
        }
        seen = now;
    }
}

/// Turns one hyper request into a [`Request`], answers it, and back.
///
/// The head moves into the [`Request`] uncopied: the path is checked
/// (percent-decoded) before, so a refusal still has it; the response's
/// header map moves into hyper's response as it is.
async fn respond(
    app: Arc<App>,
    remote: SocketAddr,
    request: hyper::Request<Incoming>,
    activity: Arc<Activity>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let response = match read_body(&app.config().limits, &parts.headers, body).await {
        Ok(body) => match decode_path(parts.uri.path()) {
            Ok(decoded_path) => {
                let request = Request::with_decoded_path(
                    parts.method,
                    parts.uri,
                    decoded_path,
                    parts.headers,
                    body,
                    remote,
                );
                app.answer(request, started).await
            }
            Err(error) => app.reject(&parts.method, parts.uri.path(), error, started),
        },
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
    activity.step();
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
