//! The TechEmpower test types that the spec language cannot express.
//!
//! Input: requests routed here by `views.djinn` (`rust "bench::…"` views)
//! and the application's [`Database`], reached with
//! `request.state::<Database>()`. Output: the responses the benchmark's
//! rules ask for. The rules, and why each test needs Rust, are in
//! `docs/performance.md` ("Server benchmark").
//!
//! Everything here uses only the runtime's public API and the standard
//! library, the two things a project's `src/` can rely on.

use std::collections::hash_map::RandomState;
use std::fmt::Write;
use std::hash::BuildHasher;

use djinn_runtime::db::{Database, DbError, Row, Sql, Value};
use djinn_runtime::http::HeaderValue;
use djinn_runtime::http::header::SERVER;
use djinn_runtime::serde_json::{self, json};
use djinn_runtime::template::escape_into;
use djinn_runtime::{BoxFuture, HttpError, Next, Request, Response, Result};

/// One World row by id.
const WORLD_BY_ID: Sql = Sql::new(
    r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = ?1"#,
    r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = $1"#,
);

/// A World row's new random number.
const UPDATE_WORLD: Sql = Sql::new(
    r#"UPDATE "world" SET "randomNumber" = ?1 WHERE "id" = ?2"#,
    r#"UPDATE "world" SET "randomNumber" = $1 WHERE "id" = $2"#,
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

/// The fortunes page around its rows: the markup of `templates/fortunes.html`.
const FORTUNES_HEAD: &str = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>";
const FORTUNES_TAIL: &str = "</table></body></html>\n";

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
    Response::json(&json!({ "message": "Hello, World!" }))
}

/// Test 2, single query: one World row picked at random.
pub async fn db(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let world = World::fetch(&database, random_world_id()).await?;
    Response::json(&world.to_json())
}

/// Test 3, multiple queries: `?queries=N` random World rows, one query each.
pub async fn queries(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let count = query_count(request);
    let mut worlds = Vec::with_capacity(count);
    for _ in 0..count {
        worlds.push(World::fetch(&database, random_world_id()).await?);
    }
    Response::json(&to_json_array(&worlds))
}

/// Test 5, updates: `?queries=N` random World rows, each read, given a new
/// random number and written back in one transaction.
pub async fn updates(request: &mut Request) -> Result<Response> {
    let database = database(request)?;
    let count = query_count(request);
    let mut worlds = Vec::with_capacity(count);
    for _ in 0..count {
        let mut world = World::fetch(&database, random_world_id()).await?;
        world.random_number = random_world_id();
        worlds.push(world);
    }
    // Writing in id order makes concurrent requests that share rows take
    // their row locks in the same order, so they cannot deadlock.
    let mut writes: Vec<&World> = worlds.iter().collect();
    writes.sort_by_key(|world| world.id);
    let mut transaction = database.begin().await?;
    for world in writes {
        let params = [Value::Int(world.random_number), Value::Int(world.id)];
        transaction.execute(&UPDATE_WORLD, &params).await?;
    }
    transaction.commit().await?;
    Response::json(&to_json_array(&worlds))
}

/// Test 4, fortunes: every stored fortune plus one added in memory, sorted
/// by message, escaped into the page of `templates/fortunes.html`.
pub async fn fortunes(request: &mut Request) -> Result<Response> {
    let rows = database(request)?.query(&ALL_FORTUNES, &[]).await?;
    let mut fortunes = rows
        .iter()
        .map(|row| Ok((row.get_i64(0)?, row.get_text(1)?)))
        .collect::<Result<Vec<(i64, String)>, DbError>>()?;
    fortunes.push((0, ADDED_FORTUNE.to_owned()));
    fortunes.sort_by(|(_, left), (_, right)| left.cmp(right));

    let mut page = String::with_capacity(2048);
    page.push_str(FORTUNES_HEAD);
    for (id, message) in &fortunes {
        // Writing into a `String` cannot fail.
        let _ = write!(page, "<tr><td>{id}</td><td>");
        escape_into(&mut page, message);
        page.push_str("</td></tr>");
    }
    page.push_str(FORTUNES_TAIL);
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

    fn to_json(&self) -> serde_json::Value {
        json!({ "id": self.id, "randomNumber": self.random_number })
    }
}

fn to_json_array(worlds: &[World]) -> serde_json::Value {
    serde_json::Value::Array(worlds.iter().map(World::to_json).collect())
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
    /// Randomly keyed SipHash per thread: the standard library's only
    /// source of randomness, so that `src/` needs no crate of its own.
    static RANDOM_KEYS: RandomState = RandomState::new();
    static DRAWS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A random id between 1 and 10,000: the keyed hash of a per-thread counter.
fn random_world_id() -> i64 {
    let draw = DRAWS.with(|draws| {
        let next = draws.get().wrapping_add(1);
        draws.set(next);
        next
    });
    let hash = RANDOM_KEYS.with(|keys| keys.hash_one(draw));
    (hash % WORLD_ROWS) as i64 + 1
}
