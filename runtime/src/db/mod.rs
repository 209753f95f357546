//! The database layer: SQLite (embedded, the default) and PostgreSQL
//! behind one non-generic API.
//!
//! Input: a database URL, then SQL text the compiler wrote per dialect
//! ([`Sql`]) with bound parameters ([`Value`]). Output: rows ([`Row`]) with
//! typed getters, row counts, inserted ids, transactions, and errors
//! ([`DbError`]) that tell unique, foreign-key and check violations apart.
//!
//! How generated code uses it (SQL text and row decoding are written by
//! the compiler; values are always bound, never spliced into the text):
//!
//! ```no_run
//! use djinn_runtime::db::{Database, DbError, Sql, Value};
//! use djinn_runtime::{App, HttpError, Request, Response, ServerConfig};
//!
//! const POST_TITLE_BY_SLUG: Sql = Sql::new(
//!     "SELECT title FROM blog_post WHERE slug = ?1",
//!     "SELECT title FROM blog_post WHERE slug = $1",
//! );
//!
//! async fn post_detail(request: Request) -> Result<Response, HttpError> {
//!     let db = request
//!         .state::<Database>()
//!         .ok_or_else(|| HttpError::Internal("no database".to_owned()))?;
//!     let slug = request.param("slug").unwrap_or_default();
//!     // No row: `DbError` NotFound, which `?` turns into a 404.
//!     let row = db.query_one(&POST_TITLE_BY_SLUG, &[Value::from(slug)]).await?;
//!     Ok(Response::html(format!("<h1>{}</h1>", row.get_text(0)?)))
//! }
//!
//! # fn route(_: &djinn_runtime::http::Method, _: &str) -> djinn_runtime::RouteMatch {
//! #     djinn_runtime::RouteMatch::NotFound
//! # }
//! # async fn start() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Database::connect("sqlite://db.sqlite3").await?;
//! let app = App::new(ServerConfig::default(), route)?.with_state(db);
//! # Ok(())
//! # }
//! ```
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
//! | `migrate.rs` | [`migrate::migrate`]: the project's migrations, each applied once |
//! | `error.rs` | [`DbError`] and its [`DbErrorKind`] |
//! | `sqlite/` | rusqlite (bundled), WAL, one writer plus readers; statements inline under a time budget, long ones on `spawn_blocking` |
//! | `postgres/` | tokio-postgres: shared pipelined connections, a deadpool pool for transactions, rustls TLS, type mapping, `numeric` codec |

mod counting;
mod database;
mod decimal;
mod error;
pub mod migrate;
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
