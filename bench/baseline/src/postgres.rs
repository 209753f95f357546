//! The PostgreSQL backend: one tokio-postgres client per worker thread.
//!
//! Like TechEmpower's axum-pg entry: each worker opens its own connection
//! and prepares every statement once. Queries a request issues together
//! (`/queries`, the reads of `/updates`) are started at once on the one
//! client, which pipelines them: N queries cost about one round trip, not N.
//! `/updates` writes all its rows with a single `UPDATE … FROM unnest(…)`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Json, Response};
use axum::routing::get;
use futures_util::future::try_join_all;
use tokio_postgres::{Client, NoTls, Statement};

use crate::Count;
use crate::model::{Fortune, FortunesPage, World, internal, random_id};

const WORLD_BY_ID: &str = r#"SELECT "id", "randomNumber" FROM "world" WHERE "id" = $1"#;
const UPDATE_WORLDS: &str = r#"UPDATE "world" SET "randomNumber" = new."randomNumber"
    FROM (SELECT unnest($1::bigint[]) AS "id", unnest($2::integer[]) AS "randomNumber") AS new
    WHERE "world"."id" = new."id""#;
const ALL_FORTUNES: &str = r#"SELECT "id", "message" FROM "fortune""#;
const SORTED_FORTUNES: &str = r#"SELECT "id", "message" FROM "fortune" ORDER BY "message""#;

/// A worker's client and its prepared statements.
pub struct Connection {
    client: Client,
    world_by_id: Statement,
    update_worlds: Statement,
    all_fortunes: Statement,
    sorted_fortunes: Statement,
}

/// Connects this worker to `url` and returns the routes that use the connection.
pub async fn routes(url: &str) -> Result<Router, String> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|error| format!("cannot connect to PostgreSQL: {error}"))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("baseline: PostgreSQL connection lost: {error}");
        }
    });
    let prepare = |sql| client.prepare(sql);
    let prepared = futures_util::future::try_join4(
        prepare(WORLD_BY_ID),
        prepare(UPDATE_WORLDS),
        prepare(ALL_FORTUNES),
        prepare(SORTED_FORTUNES),
    )
    .await
    .map_err(|error| format!("cannot prepare the statements: {error}"))?;
    let (world_by_id, update_worlds, all_fortunes, sorted_fortunes) = prepared;
    let connection = Arc::new(Connection {
        client,
        world_by_id,
        update_worlds,
        all_fortunes,
        sorted_fortunes,
    });
    Ok(Router::new()
        .route("/db", get(db))
        .route("/queries", get(queries))
        .route("/updates", get(updates))
        .route("/fortunes", get(fortunes))
        .route("/fortunes-spec", get(fortunes_spec))
        .with_state(connection))
}

impl Connection {
    async fn world(&self, id: i32) -> Result<World, tokio_postgres::Error> {
        let row = self
            .client
            .query_one(&self.world_by_id, &[&i64::from(id)])
            .await?;
        Ok(World {
            id: row.get(0),
            random_number: row.get(1),
        })
    }

    /// `count` random rows, their queries pipelined.
    async fn random_worlds(&self, count: usize) -> Result<Vec<World>, tokio_postgres::Error> {
        try_join_all((0..count).map(|_| self.world(random_id()))).await
    }

    async fn fortunes(&self, statement: &Statement) -> Result<Vec<Fortune>, tokio_postgres::Error> {
        let rows = self.client.query(statement, &[]).await?;
        Ok(rows
            .iter()
            .map(|row| Fortune {
                id: row.get(0),
                message: row.get(1),
            })
            .collect())
    }
}

type Db = State<Arc<Connection>>;

async fn db(State(db): Db) -> Result<Json<World>, Response> {
    db.world(random_id()).await.map(Json).map_err(internal)
}

async fn queries(State(db): Db, Query(count): Query<Count>) -> Result<Json<Vec<World>>, Response> {
    db.random_worlds(count.value())
        .await
        .map(Json)
        .map_err(internal)
}

async fn updates(State(db): Db, Query(count): Query<Count>) -> Result<Json<Vec<World>>, Response> {
    let mut worlds = db.random_worlds(count.value()).await.map_err(internal)?;
    for world in &mut worlds {
        world.random_number = random_id();
    }
    // Rows in id order: concurrent updates lock shared rows in the same order.
    let mut writes = worlds.clone();
    writes.sort_unstable_by_key(|world| world.id);
    let ids: Vec<i64> = writes.iter().map(|world| world.id).collect();
    let numbers: Vec<i32> = writes.iter().map(|world| world.random_number).collect();
    db.client
        .execute(&db.update_worlds, &[&ids, &numbers])
        .await
        .map_err(internal)?;
    Ok(Json(worlds))
}

async fn fortunes(State(db): Db) -> Response {
    match db.fortunes(&db.all_fortunes).await {
        Ok(fortunes) => FortunesPage::with_added_row(fortunes).respond(),
        Err(error) => internal(error),
    }
}

async fn fortunes_spec(State(db): Db) -> Response {
    match db.fortunes(&db.sorted_fortunes).await {
        Ok(fortunes) => FortunesPage { fortunes }.respond(),
        Err(error) => internal(error),
    }
}
