//! The database layer: SQLite (embedded, the default) and PostgreSQL
//! behind one non-generic API.
//!
//! Input: a database URL, then SQL text the compiler wrote per dialect
//! ([`Sql`]) with bound parameters ([`Value`]). Output: rows ([`Row`]) with
//! typed getters, row counts, inserted ids, transactions, and errors
//! ([`DbError`]) that tell unique, foreign-key and check violations apart.
//!
//! | file | concept |
//! | --- | --- |
//! | `database.rs` | [`Database`]: connect, query, execute, transactions, schema |
//! | `transaction.rs` | [`Transaction`]: statements that apply together |
//! | `sql.rs` | [`Sql`]: statement text per [`Dialect`] |
//! | `value.rs` | [`Value`]: one SQL value, and how each backend stores it |
//! | `row.rs` | [`Row`]: a result row and its typed getters |
//! | `decimal.rs` | exact decimals as canonical text |
//! | `temporal.rs` | dates and datetimes as text (SQLite) |
//! | `counting.rs` | [`count_queries`]: statements per request (N+1 checks) |
//! | `error.rs` | [`DbError`] and its [`DbErrorKind`] |
//! | `sqlite/` | rusqlite (bundled), WAL, one writer plus readers, `spawn_blocking` |
//! | `postgres/` | tokio-postgres, deadpool pool, rustls TLS, type mapping, `numeric` codec |

mod counting;
mod database;
mod decimal;
mod error;
mod postgres;
mod row;
mod sql;
mod sqlite;
mod temporal;
mod transaction;
mod value;

pub use counting::{QUERY_COUNT_HEADER, count_queries, queries_so_far};
pub use database::{Database, DbOptions};
pub use decimal::normalize_decimal;
pub use error::{DbError, DbErrorKind};
pub use row::Row;
pub use sql::{Dialect, Sql};
pub use transaction::Transaction;
pub use value::Value;
