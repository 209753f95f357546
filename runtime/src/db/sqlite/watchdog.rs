//! A time budget for SQLite statements run on an async worker thread.
//!
//! Input: a connection's statement, run through [`Watch::run`] on the
//! thread of the task that asked for it. Output: its result, or
//! [`Budgeted::CutOff`] if it ran past [`BUDGET`] and was interrupted
//! (`sqlite3_interrupt`), so that the caller can run it again on tokio's
//! blocking pool, where a request time-out can abandon it.
//!
//! Why: handing every statement to the blocking pool costs two thread
//! hand-offs — tens of microseconds, several times what a read by primary
//! key takes — while running a long statement on a worker thread would stall
//! every task queued behind it and make it impossible to cancel. Most
//! statements finish in microseconds; the few that do not are cut off early
//! and re-run where they can block.
//!
//! Only statements that are safe to run again are watched: read-only ones,
//! and writes outside an explicit transaction, which SQLite rolls back as a
//! whole when interrupted. (An interrupted write inside a transaction rolls
//! the whole transaction back, so those run to completion unwatched.)
//!
//! One thread per process checks the running statements every [`TICK`]; it
//! sleeps while none is running. The interrupt is sent under the watch's
//! lock, which [`Watch::run`] takes again when its statement has returned,
//! so a late interrupt can never reach the connection's next statement
//! (and SQLite clears a pending interrupt when a statement starts on an
//! otherwise idle connection).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use rusqlite::{Connection, InterruptHandle};

use crate::db::error::{DbError, DbErrorKind};

/// How long a statement may run on a worker thread before it is cut off.
pub(crate) const BUDGET: Duration = Duration::from_millis(10);

/// How often the watchdog looks at the running statements.
const TICK: Duration = Duration::from_millis(5);

/// What [`Watch::run`] gives back.
#[derive(Debug)]
pub(crate) enum Budgeted<T> {
    /// The statement finished (or failed on its own) within the budget.
    Done(Result<T, DbError>),
    /// The statement was interrupted for running too long: run it again elsewhere.
    CutOff,
}

/// The watchdog's view of one connection.
pub(crate) struct Watch {
    interrupt: InterruptHandle,
    state: Mutex<WatchState>,
}

#[derive(Default)]
struct WatchState {
    /// When the watched statement started; `None` when none runs.
    started: Option<Instant>,
    /// Whether the watchdog interrupted it.
    interrupted: bool,
}

impl Watch {
    /// A watch for `connection`, or `None` if the watchdog thread cannot
    /// run (then every statement goes to the blocking pool).
    pub(crate) fn new(connection: &Connection) -> Option<Arc<Watch>> {
        let watchdog = watchdog()?;
        let watch = Arc::new(Watch {
            interrupt: connection.get_interrupt_handle(),
            state: Mutex::new(WatchState::default()),
        });
        lock(&watchdog.shared.watches).push(Arc::downgrade(&watch));
        Some(watch)
    }

    /// Runs `work` — calls on this watch's connection, on this thread — under
    /// the [`BUDGET`].
    pub(crate) fn run<T>(&self, work: impl FnOnce() -> Result<T, DbError>) -> Budgeted<T> {
        let Some(watchdog) = watchdog() else {
            return Budgeted::Done(work());
        };
        *lock(&self.state) = WatchState {
            started: Some(Instant::now()),
            interrupted: false,
        };
        watchdog.statement_started();
        let result = work();
        watchdog.statement_ended();
        let interrupted = {
            let mut state = lock(&self.state);
            state.started = None;
            std::mem::take(&mut state.interrupted)
        };
        match result {
            // SQLITE_INTERRUPT maps to `Other`. Decoding errors, which come
            // after the statement has finished, never count as a cut-off.
            Err(error) if interrupted && *error.kind() == DbErrorKind::Other => Budgeted::CutOff,
            result => Budgeted::Done(result),
        }
    }

    /// Interrupts the statement if it has run past the budget at `now`.
    fn check(&self, now: Instant) {
        let mut state = lock(&self.state);
        if let Some(started) = state.started
            && !state.interrupted
            && now.saturating_duration_since(started) >= BUDGET
        {
            self.interrupt.interrupt();
            state.interrupted = true;
        }
    }
}

/// The process's watchdog thread and what it watches.
struct Watchdog {
    shared: Arc<Shared>,
    thread: Thread,
}

struct Shared {
    watches: Mutex<Vec<Weak<Watch>>>,
    /// Watched statements running now; the thread parks while this is 0.
    running: AtomicUsize,
}

impl Watchdog {
    fn statement_started(&self) {
        if self.shared.running.fetch_add(1, Ordering::AcqRel) == 0 {
            // Cheap when the thread is awake: only a parked thread needs a syscall.
            self.thread.unpark();
        }
    }

    fn statement_ended(&self) {
        self.shared.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The watchdog, started on first use; `None` if its thread cannot start.
fn watchdog() -> Option<&'static Watchdog> {
    static WATCHDOG: OnceLock<Option<Watchdog>> = OnceLock::new();
    WATCHDOG
        .get_or_init(|| {
            let shared = Arc::new(Shared {
                watches: Mutex::new(Vec::new()),
                running: AtomicUsize::new(0),
            });
            let watched = Arc::clone(&shared);
            let spawned = thread::Builder::new()
                .name("djinn-sqlite-watchdog".to_owned())
                .spawn(move || watch_forever(&watched));
            match spawned {
                Ok(handle) => Some(Watchdog {
                    shared,
                    thread: handle.thread().clone(),
                }),
                Err(error) => {
                    tracing::warn!(%error, "cannot start the SQLite watchdog; every statement runs on the blocking pool");
                    None
                }
            }
        })
        .as_ref()
}

fn watch_forever(shared: &Shared) {
    loop {
        if shared.running.load(Ordering::Acquire) == 0 {
            // A statement starting after this load unparks us (or left a token).
            thread::park();
            continue;
        }
        thread::sleep(TICK);
        let now = Instant::now();
        lock(&shared.watches).retain(|watch| match watch.upgrade() {
            Some(watch) => {
                watch.check(now);
                true
            }
            None => false,
        });
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOW: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) FROM c";

    fn count(connection: &Connection, sql: &str) -> Result<i64, DbError> {
        connection
            .query_row(sql, [], |row| row.get(0))
            .map_err(|error| DbError::other(error.to_string()))
    }

    #[test]
    fn quick_statements_finish_and_slow_ones_are_cut_off() {
        let connection = Connection::open_in_memory().unwrap();
        let watch = Watch::new(&connection).expect("the watchdog thread starts");
        let quick = watch.run(|| count(&connection, "SELECT 41 + 1"));
        assert!(matches!(quick, Budgeted::Done(Ok(42))), "{quick:?}");
        let started = Instant::now();
        let slow = watch.run(|| count(&connection, SLOW));
        assert!(matches!(slow, Budgeted::CutOff), "{slow:?}");
        assert!(started.elapsed() >= BUDGET);
        // The connection is usable again, and a genuine error stays an error.
        assert!(matches!(
            watch.run(|| count(&connection, "SELECT 7")),
            Budgeted::Done(Ok(7))
        ));
        assert!(matches!(
            watch.run(|| count(&connection, "SELECT nonsense FROM nowhere")),
            Budgeted::Done(Err(_))
        ));
    }
}
