//! A hand-written view.

use djinn_runtime::{Request, Response, Result};

/// Answers with the id it was given.
pub async fn vote(request: &mut Request, id: i64) -> Result<Response> {
    let _ = request;
    Ok(Response::text(format!("{id}")))
}
