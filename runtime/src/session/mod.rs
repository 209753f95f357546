//! Sessions: a signed cookie naming a row of the session store (database or Redis).

use futures_util::future::BoxFuture;

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

/// The `sessions` layer of the middleware onion (still a pass-through).
pub fn session_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move { Ok(next.run(request).await) })
}
