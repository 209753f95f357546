//! The rows, the fortunes page and the random ids every backend shares.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rand::RngExt;
use serde::Serialize;

/// The row the fortunes test adds at request time.
pub const ADDED_FORTUNE: &str = "Additional fortune added at request time.";

/// A row of `world`.
#[derive(Clone, Copy, Serialize)]
pub struct World {
    pub id: i64,
    #[serde(rename = "randomNumber")]
    pub random_number: i32,
}

/// A row of `fortune`.
pub struct Fortune {
    pub id: i64,
    pub message: String,
}

/// `templates/fortunes.html`, compiled by askama.
#[derive(Template)]
#[template(path = "fortunes.html")]
pub struct FortunesPage {
    pub fortunes: Vec<Fortune>,
}

impl FortunesPage {
    /// The fortunes test's page: `fortunes` plus the added row, sorted by message.
    pub fn with_added_row(mut fortunes: Vec<Fortune>) -> FortunesPage {
        fortunes.push(Fortune {
            id: 0,
            message: ADDED_FORTUNE.to_owned(),
        });
        fortunes.sort_unstable_by(|left, right| left.message.cmp(&right.message));
        FortunesPage { fortunes }
    }

    /// The page as an HTML response.
    pub fn respond(self) -> Response {
        match self.render() {
            Ok(page) => Html(page).into_response(),
            Err(error) => internal(error),
        }
    }
}

/// A random id between 1 and 10,000 (also the range of random numbers).
pub fn random_id() -> i32 {
    rand::rng().random_range(1..=10_000)
}

/// A 500 for a failure the client cannot fix.
pub fn internal(error: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}
