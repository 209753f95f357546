//! The values every page's template may read besides its view's context:
//! `user`, `perms`, `csrf_token` and `messages` (Django's `auth`, `csrf` and
//! `messages` context processors).
//!
//! Input: the request, as the middleware left it (session, signed-in user,
//! CSRF secret, queued messages). Output: the value a template reads. Each is
//! computed only when a template reads it: generated render functions call
//! these by full path, and only for the names the page uses — so a page that
//! shows no messages does not consume them, as in Django, where messages are
//! marked as read only when iterated.

use crate::request::Request;

use super::context::{Message, Perms, User};

/// `user`: the signed-in user, or the anonymous user.
pub fn user(request: &Request) -> User {
    crate::auth::template_user(request)
}

/// `perms`: the signed-in user's permissions (none for the anonymous user).
pub fn perms(request: &Request) -> Perms {
    crate::auth::template_perms(request)
}

/// `csrf_token`: a masked CSRF token for this page (empty without the
/// sessions and CSRF middleware).
pub fn csrf_token(request: &Request) -> String {
    crate::csrf::csrf_token(request)
}

/// `messages`: the queued one-time messages, removed from the session as
/// they are read.
pub fn messages(request: &Request) -> Vec<Message> {
    crate::messages::take_messages(request)
}

/// `form.<field>`: the bound field named `name`. The compiler only writes
/// names of the form's fields, so the error is for a form built by hand
/// with other fields.
pub fn form_field<'a>(
    form: &'a crate::forms::Form,
    name: &str,
) -> Result<crate::forms::BoundField<'a>, super::FilterError> {
    form.field(name).ok_or_else(|| {
        super::FilterError::new("KeyError", format!("Key '{name}' not found in form"))
    })
}
