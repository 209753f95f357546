//! Query counting, for the N+1 guarantee.
//!
//! Input: a future (typically a handler answering one request) and the
//! statements the database layer runs while it is polled. Output: the
//! future's output and how many statements it ran, so that debug builds can
//! send the `X-Djinn-Queries: N` header and tests can assert that a page
//! costs a fixed number of queries whatever the number of rows.
//!
//! The count is a tokio task-local: statements run by the counted future
//! itself (including `join!`ed sub-futures) count; work moved to another
//! task with `tokio::spawn` does not.

use std::cell::Cell;
use std::future::Future;

/// The debug response header carrying the number of queries a request ran.
pub const QUERY_COUNT_HEADER: &str = "x-djinn-queries";

tokio::task_local! {
    static QUERY_COUNT: Cell<u64>;
}

/// Runs `future` and returns its output with the number of SQL statements
/// it ran (transaction control — `BEGIN`, `COMMIT`, `ROLLBACK` — is not
/// counted; every statement of [`crate::db::Database::apply_schema`] is).
///
/// Nested counts add up: the statements of an inner `count_queries` also
/// count for the outer one.
///
/// ```no_run
/// # async fn example(db: djinn_runtime::db::Database) -> Result<(), djinn_runtime::db::DbError> {
/// use djinn_runtime::db::{Sql, count_queries};
///
/// const ONE: Sql = Sql::portable("SELECT 1");
/// let (rows, queries) = count_queries(db.query(&ONE, &[])).await;
/// assert_eq!((rows?.len(), queries), (1, 1));
/// # Ok(())
/// # }
/// ```
pub async fn count_queries<F: Future>(future: F) -> (F::Output, u64) {
    let (output, count) = QUERY_COUNT
        .scope(Cell::new(0), async {
            let output = future.await;
            (output, QUERY_COUNT.with(Cell::get))
        })
        .await;
    // `scope` hides the outer counter; hand the inner count on to it.
    add_to_current(count);
    (output, count)
}

/// The statements counted so far by the enclosing [`count_queries`], if any.
pub fn queries_so_far() -> Option<u64> {
    QUERY_COUNT.try_with(Cell::get).ok()
}

/// Counts one statement in the enclosing [`count_queries`], if any.
pub(crate) fn record_query() {
    add_to_current(1);
}

fn add_to_current(count: u64) {
    // Outside any `count_queries` there is nothing to count into.
    let _ = QUERY_COUNT.try_with(|counter| counter.set(counter.get() + count));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_add_up_through_nesting_and_stop_outside() {
        let ((inner, outer_before), outer) = count_queries(async {
            record_query();
            let before = queries_so_far();
            let ((), inner) = count_queries(async {
                record_query();
                record_query();
            })
            .await;
            (inner, before)
        })
        .await;
        assert_eq!((inner, outer_before, outer), (2, Some(1), 3));
        record_query();
        assert_eq!(queries_so_far(), None);
    }
}
