//! One-time messages (Django's messages framework), stored in the session.

use futures_util::future::BoxFuture;

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

/// The `messages` layer of the middleware onion (still a pass-through).
pub fn messages_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move { Ok(next.run(request).await) })
}
