//! A time budget for SQLite statements run on an async worker thread.
//!
//! Input: a connection's statement, run through [`Watch::run`] on the
//! thread of the task that asked for it. Output: its result, or
//! [`Budgeted::CutOff`] if it ran past its budget and was interrupted
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
//! One thread per process counts ticks of [`TICK`] while statements run
//! (it parks while none does) and cuts off every statement that started
//! [`BUDGET_TICKS`] ticks ago or more: a budget between 5 and 10 ms. The
//! statement path takes no lock: a statement stores the tick it started at
//! in its connection's [`Watch`] and swaps it out when it ends. The
//! watchdog claims a statement with a compare-and-swap before interrupting
//! it, and [`Watch::run`] waits for that interrupt to be sent before it
//! returns, so a late interrupt can never reach the connection's next
//! statement (and SQLite clears a pending interrupt when a statement starts
//! on an otherwise idle connection).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::thread::{self, Thread};
use std::time::Duration;

use rusqlite::{Connection, InterruptHandle};

use crate::db::error::{DbError, DbErrorKind};

/// How often the watchdog looks at the running statements.
const TICK: Duration = Duration::from_millis(5);

/// How many ticks a statement may run into before it is cut off: it has
/// then run for at least one whole tick, at most two.
const BUDGET_TICKS: u64 = 2;

/// A [`Watch`]'s state when no statement runs.
const IDLE: u64 = 0;
/// The watchdog is interrupting the statement.
const INTERRUPTING: u64 = u64::MAX;
/// The watchdog has interrupted the statement.
const INTERRUPTED: u64 = u64::MAX - 1;

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
    /// [`IDLE`], the watchdog's tick when the running statement started
    /// plus one, [`INTERRUPTING`] or [`INTERRUPTED`].
    state: AtomicU64,
}

impl Watch {
    /// A watch for `connection`, or `None` if the watchdog thread cannot
    /// run (then every statement goes to the blocking pool).
    pub(crate) fn new(connection: &Connection) -> Option<Arc<Watch>> {
        let watchdog = watchdog()?;
        let watch = Arc::new(Watch {
            interrupt: connection.get_interrupt_handle(),
            state: AtomicU64::new(IDLE),
        });
        lock(&watchdog.shared.watches).push(Arc::downgrade(&watch));
        Some(watch)
    }

    /// Runs `work` — calls on this watch's connection, on this thread — under
    /// the budget.
    pub(crate) fn run<T>(&self, work: impl FnOnce() -> Result<T, DbError>) -> Budgeted<T> {
        let Some(watchdog) = watchdog() else {
            return Budgeted::Done(work());
        };
        let started = watchdog.shared.tick.load(Ordering::Acquire) + 1;
        self.state.store(started, Ordering::Release);
        watchdog.statement_started();
        let result = work();
        watchdog.statement_ended();
        let interrupted = self.finish();
        match result {
            // SQLITE_INTERRUPT maps to `Other`. Decoding errors, which come
            // after the statement has finished, never count as a cut-off.
            Err(error) if interrupted && *error.kind() == DbErrorKind::Other => Budgeted::CutOff,
            result => Budgeted::Done(result),
        }
    }

    /// Marks the statement as ended; whether the watchdog interrupted it.
    fn finish(&self) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state == INTERRUPTING {
                // The watchdog is sending the interrupt right now: wait for
                // it, so that it cannot hit the next statement.
                std::hint::spin_loop();
                state = self.state.load(Ordering::Acquire);
                continue;
            }
            match self
                .state
                .compare_exchange_weak(state, IDLE, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return state == INTERRUPTED,
                Err(current) => state = current,
            }
        }
    }

    /// Interrupts the statement if it started [`BUDGET_TICKS`] before `now`.
    fn check(&self, now: u64) {
        let state = self.state.load(Ordering::Acquire);
        let running = state != IDLE && state < INTERRUPTED;
        if running
            && now + 1 >= state + BUDGET_TICKS
            && self
                .state
                .compare_exchange(state, INTERRUPTING, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.interrupt.interrupt();
            self.state.store(INTERRUPTED, Ordering::Release);
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
    /// Ticks counted while statements ran.
    tick: AtomicU64,
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
                tick: AtomicU64::new(0),
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
        let now = shared.tick.fetch_add(1, Ordering::AcqRel) + 1;
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
        let slow = watch.run(|| count(&connection, SLOW));
        assert!(matches!(slow, Budgeted::CutOff), "{slow:?}");
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
