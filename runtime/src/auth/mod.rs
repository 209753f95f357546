//! Authentication: users, argon2 passwords, permissions, login and logout.

use futures_util::future::BoxFuture;

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

/// The `auth` layer of the middleware onion (still a pass-through).
pub fn auth_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move { Ok(next.run(request).await) })
}
