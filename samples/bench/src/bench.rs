//! The TechEmpower test types that the spec language cannot express.
//!
//! Input: requests routed here by `views.djinn` (`rust "bench::…"` views)
//! and the application's [`Database`], reached with
//! `request.state::<Database>()`. Output: the responses the benchmark's
//! rules ask for. The rules, and why each test needs Rust, are in
//! `docs/performance.md` ("Server benchmark").
//!
//! Everything here uses only the runtime's public API, the generated
//! crate's own API (the `Fortune` model, the compiled page of
//! `fortunes.html`) and the standard library, the things a project's `src/`
//! can rely on.
//!
//! On PostgreSQL the queries a request needs together are started together
//! ([`join_all`]): the runtime's shared connections pipeline them, so twenty
//! reads cost about one round trip. On SQLite each runs on the spot, on the
//! worker thread's own connection, so they simply run in turn.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::fmt::Write;
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::task::Poll;

use djinn_runtime::db::{Database, DbError, Dialect, Row, Sql, Value};
use djinn_runtime::http::HeaderValue;
use djinn_runtime::http::header::SERVER;
use djinn_runtime::{BoxFuture, HttpError, Next, Request, Response, Result};

use crate::context::FortunesSpecContext;
use crate::models::Fortune;

/// One World row by id.
const WORLD_BY_ID: Sql = Sql::new(
    r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = ?1"#,
    r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = $1"#,
);

/// A World row's new random number (SQLite: one per row, in a transaction).
const UPDATE_WORLD: Sql = Sql::new(
    r#"UPDATE "world" SET "randomNumber" = ?1 WHERE "id" = ?2"#,
    r#"UPDATE "world" SET "randomNumber" = $1 WHERE "id" = $2"#,
);

/// New random numbers for several World rows in one statement (PostgreSQL;
/// the rules allow a batch): the parameters are two array literals of the
/// same length, `{id,id,…}` and `{number,number,…}`, which `unnest` turns
/// into rows to join with — as TechEmpower's fastest PostgreSQL entries do.
/// (SQLite writes row by row in a transaction instead: each `UPDATE` runs
/// in microseconds on the calling thread, less than building and parsing a
/// batch would cost, so this text runs on PostgreSQL only.)
const UPDATE_WORLDS: Sql = Sql::portable(
    r#"UPDATE "world" SET "randomNumber" = "new"."number"
    FROM (SELECT unnest($1::text::bigint[]) AS "id", unnest($2::text::integer[]) AS "number") AS "new"
    WHERE "world"."id" = "new"."id""#,
);

/// Every fortune, unordered: the rules forbid `ORDER BY` here, since the
/// list is sorted after a row is added in memory.
const ALL_FORTUNES: Sql = Sql::portable(r#"SELECT "id", "message" FROM "fortune""#);

/// The row the fortunes test adds at request time.
const ADDED_FORTUNE: &str = "Additional fortune added at request time.";

/// The most World rows one request may ask for.
const MAX_QUERIES: usize = 500;

/// The number of World rows; ids run from 1 to this.
const WORLD_ROWS: u64 = 10_000;

/// Room for the fortunes page (about 1.2 KiB), so it is allocated once.
const FORTUNES_PAGE_BYTES: usize = 2048;

/// Middleware (`"rust:bench::server_header"` in `djinn.toml`): the `Server`
/// header the benchmark's rules require on every response.
pub fn server_header(request: Request, next: Next) -> BoxFuture<'static, Result<Response>> {
    Box::pin(async move {
        let mut response = next.run(request).await;
        response
            .headers_mut()
            .insert(SERVER, HeaderValue::from_static("djinn"));
        Ok(response)
    })
}

/// Test 6, plaintext: the body is a constant, not a model's row.
pub async fn plaintext(_request: &mut Request) -> Result<Response> {
    Ok(Response::text("Hello, World!"))
}

/// Test 1, JSON serialization: an object built and serialized per request.
pub async fn json(_request: &mut Request) -> Result<Response> {
    Response::json(&BTreeMap::from([("message", "Hello, World!")]))
}

/// Test 2, single query: one World row picked at random.
pub async fn db(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let world = World::fetch(&database, random_world_id()).await?;
    Response::json(&world.to_json())
}

/// Test 3, multiple queries: `?queries=N` random World rows, one query
/// each, sent together.
pub async fn queries(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let worlds = random_worlds(&database, query_count(request)).await?;
    Response::json(&to_json_array(&worlds))
}

/// Test 5, updates: `?queries=N` random World rows, each read, given a new
/// random number and written back together: on PostgreSQL by one `UPDATE`
/// (one round trip), on SQLite by one `UPDATE` per row in a transaction.
pub async fn updates(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let mut worlds = random_worlds(&database, query_count(request)).await?;
    for world in &mut worlds {
        world.random_number = random_world_id();
    }
    // Writing in id order makes concurrent requests that share rows take
    // their row locks in the same order, so they cannot deadlock.
    let mut writes: Vec<&World> = worlds.iter().collect();
    writes.sort_by_key(|world| world.id);
    match database.dialect() {
        Dialect::Postgres => {
            let ids = array_literal(writes.iter().map(|world| world.id));
            let numbers = array_literal(writes.iter().map(|world| world.random_number));
            database
                .execute(&UPDATE_WORLDS, &[Value::Text(ids), Value::Text(numbers)])
                .await?;
        }
        Dialect::Sqlite => {
            let mut transaction = database.begin().await?;
            for world in writes {
                let params = [Value::Int(world.random_number), Value::Int(world.id)];
                transaction.execute(&UPDATE_WORLD, &params).await?;
            }
            transaction.commit().await?;
        }
    }
    Response::json(&to_json_array(&worlds))
}

/// Test 4, fortunes: every stored fortune plus one added in memory, sorted
/// by message, rendered by the compiled `fortunes.html` (the page function
/// djinn generated for the `fortunes_spec` view, which uses the same
/// template).
pub async fn fortunes(request: &mut Request) -> Result<Response> {
    let rows = database(request)?.query(&ALL_FORTUNES, &[]).await?;
    let mut fortunes = Vec::with_capacity(rows.len() + 1);
    for row in rows {
        fortunes.push(Fortune {
            id: row.get_i64(0)?,
            message: take_text(row, 1)?,
        });
    }
    fortunes.push(Fortune {
        id: 0,
        message: ADDED_FORTUNE.to_owned(),
    });
    fortunes.sort_by(|left, right| left.message.cmp(&right.message));

    let mut page = String::with_capacity(FORTUNES_PAGE_BYTES);
    crate::templates::render_fortunes_spec(&FortunesSpecContext { fortunes }, request, &mut page)
        .map_err(HttpError::internal)?;
    Ok(Response::html(page))
}

/// A row of the `world` table.
struct World {
    id: i64,
    random_number: i64,
}

impl World {
    /// The row with `id`.
    async fn fetch(database: &Database, id: i64) -> Result<World, DbError> {
        let row = database.query_one(&WORLD_BY_ID, &[Value::Int(id)]).await?;
        World::from_row(&row)
    }

    fn from_row(row: &Row) -> Result<World, DbError> {
        Ok(World {
            id: row.get_i64(0)?,
            random_number: row.get_i64(1)?,
        })
    }

    /// The row as the JSON object the rules ask for (a map with borrowed
    /// keys: serialized like `serde_json::Value`, without allocating keys).
    fn to_json(&self) -> BTreeMap<&'static str, i64> {
        BTreeMap::from([("id", self.id), ("randomNumber", self.random_number)])
    }
}

fn to_json_array(worlds: &[World]) -> Vec<BTreeMap<&'static str, i64>> {
    worlds.iter().map(World::to_json).collect()
}

/// PostgreSQL's text form of an array of integers: `{1,2,3}`.
fn array_literal(numbers: impl ExactSizeIterator<Item = i64>) -> String {
    let mut literal = String::with_capacity(2 + 6 * numbers.len());
    literal.push('{');
    for (index, number) in numbers.enumerate() {
        if index > 0 {
            literal.push(',');
        }
        // Writing into a `String` cannot fail.
        let _ = write!(literal, "{number}");
    }
    literal.push('}');
    literal
}

/// The text in column `index` of `row`, moved out rather than copied.
fn take_text(row: Row, index: usize) -> Result<String, DbError> {
    match row.into_values().into_iter().nth(index) {
        Some(Value::Text(text)) => Ok(text),
        other => Err(DbError::decode(format!(
            "column {index} holds {}, not text",
            other.as_ref().map_or("nothing", Value::type_name)
        ))),
    }
}

/// `count` random World rows: on PostgreSQL their queries are started
/// together (pipelined); on SQLite each read runs on the spot, so they run
/// one after another and nothing needs boxing.
async fn random_worlds(database: &Database, count: usize) -> Result<Vec<World>, DbError> {
    match database.dialect() {
        Dialect::Postgres => {
            let fetches = (0..count).map(|_| World::fetch(database, random_world_id()));
            join_all(fetches).await.into_iter().collect()
        }
        Dialect::Sqlite => {
            let mut worlds = Vec::with_capacity(count);
            for _ in 0..count {
                worlds.push(World::fetch(database, random_world_id()).await?);
            }
            Ok(worlds)
        }
    }
}

/// Runs `futures` concurrently and returns their outputs in order: the
/// `join_all` of the futures crate, with the standard library alone.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |context| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(outputs.drain(..).flatten().collect())
        }
    })
    .await
}

/// The database the generated `main` shares with every view.
fn database(request: &Request) -> Result<Database> {
    request
        .state::<Database>()
        .cloned()
        .ok_or_else(|| HttpError::Internal("the server has no database".to_owned()))
}

/// `?queries=N` as the rules read it: missing or not a number is 1, and
/// the count is clamped to 1..=500.
fn query_count(request: &Request) -> usize {
    request
        .query_value("queries")
        .and_then(|value| value.trim().parse::<i64>().ok())
        .map_or(1, |count| count.clamp(1, MAX_QUERIES as i64) as usize)
}

thread_local! {
    /// A xorshift64* generator per thread, seeded from the standard
    /// library's randomly keyed hasher — its only source of randomness, so
    /// that `src/` needs no crate of its own. (Never zero, which xorshift
    /// would keep.)
    static GENERATOR: Cell<u64> = Cell::new(RandomState::new().hash_one(0_u64) | 1);
}

/// A random id between 1 and 10,000.
fn random_world_id() -> i64 {
    GENERATOR.with(|generator| {
        let mut state = generator.get();
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        generator.set(state);
        let draw = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32;
        (draw % WORLD_ROWS) as i64 + 1
    })
}
