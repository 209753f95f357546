//! One-time messages (Django's messages framework), stored in the session.
//!
//! Input: messages a handler adds while answering one request ("Saved.",
//! "Wrong password."), usually before a redirect. Output: the same messages
//! on the next page that shows them, once: [`take_messages`] returns and
//! removes them (the template global `messages` calls it).
//!
//! Storage is the session (Django's `SessionStorage`): the list under
//! `_messages`, each entry `{"message", "level", "extra_tags"}`. A request
//! that neither adds nor shows messages leaves the session untouched. As in
//! Django, messages below the minimum level ([`Level::INFO`], Django's
//! default `MESSAGE_LEVEL`) are dropped, so [`debug`] messages are not
//! shown by default.
//!
//! The `messages` middleware puts a [`Messages`] handle in the request's
//! extensions; it needs the `sessions` layer outside it. Without it,
//! adding a message logs a warning and does nothing, and there is nothing
//! to take.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;
use crate::session::Session;
use crate::template::context::Message;

/// The session key the messages are stored under.
pub const MESSAGES_SESSION_KEY: &str = "_messages";

/// A message's level: Django's numbers, so custom levels fit between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(pub i64);

impl Level {
    /// Development detail (10); below the minimum level, so dropped by default.
    pub const DEBUG: Level = Level(10);
    /// Information for the user (20).
    pub const INFO: Level = Level(20);
    /// An action succeeded (25).
    pub const SUCCESS: Level = Level(25);
    /// Something to be careful about (30).
    pub const WARNING: Level = Level(30);
    /// An action failed (40).
    pub const ERROR: Level = Level(40);
}

/// Messages below this level are not recorded (Django's default `MESSAGE_LEVEL`).
pub const MINIMUM_LEVEL: Level = Level::INFO;

/// A message as stored in the session.
#[derive(Serialize, Deserialize)]
struct StoredMessage {
    message: String,
    level: i64,
    #[serde(default)]
    extra_tags: String,
}

/// The messages of one request: a handle on its session.
#[derive(Clone, Debug)]
pub struct Messages {
    session: Session,
}

impl Messages {
    /// The handle the messages middleware attached to `request`, if it runs.
    pub fn from_request(request: &Request) -> Option<Messages> {
        request.extensions().get::<Messages>().cloned()
    }

    /// Messages stored in `session`.
    pub fn new(session: Session) -> Messages {
        Messages { session }
    }

    /// Queues `text` at `level` (dropped below [`MINIMUM_LEVEL`]).
    pub fn add(&self, level: Level, text: impl Into<String>) {
        self.add_with_tags(level, text, "");
    }

    /// Queues `text` at `level` with `extra_tags` (space-separated CSS
    /// classes, say; they come first in the message's `tags`).
    pub fn add_with_tags(&self, level: Level, text: impl Into<String>, extra_tags: &str) {
        if level < MINIMUM_LEVEL {
            return;
        }
        let mut queued = self.stored();
        queued.push(StoredMessage {
            message: text.into(),
            level: level.0,
            extra_tags: extra_tags.to_owned(),
        });
        self.session.insert(MESSAGES_SESSION_KEY, queued);
    }

    /// The queued messages, oldest first, removed from the session: each is
    /// shown once. Nothing queued leaves the session unchanged.
    pub fn take(&self) -> Vec<Message> {
        let Some(stored) = self.session.remove(MESSAGES_SESSION_KEY) else {
            return Vec::new();
        };
        let stored: Vec<StoredMessage> = serde_json::from_value(stored).unwrap_or_else(|error| {
            tracing::warn!(%error, "the session's messages are malformed: dropped");
            Vec::new()
        });
        stored
            .into_iter()
            .map(|stored| Message {
                message: stored.message,
                level: stored.level,
                extra_tags: stored.extra_tags,
            })
            .collect()
    }

    /// Whether messages are queued (without taking them).
    pub fn is_empty(&self) -> bool {
        !self.session.contains(MESSAGES_SESSION_KEY)
    }

    fn stored(&self) -> Vec<StoredMessage> {
        self.session.get(MESSAGES_SESSION_KEY).unwrap_or_default()
    }
}

/// Queues `text` at `level` for the next page that shows messages.
pub fn add_message(request: &Request, level: Level, text: impl Into<String>) {
    add_message_with_tags(request, level, text, "");
}

/// Queues `text` at `level` with `extra_tags`.
pub fn add_message_with_tags(
    request: &Request,
    level: Level,
    text: impl Into<String>,
    extra_tags: &str,
) {
    match Messages::from_request(request) {
        Some(messages) => messages.add_with_tags(level, text, extra_tags),
        None => tracing::warn!(
            "a message was added, but the messages middleware (inside sessions) is not enabled"
        ),
    }
}

/// Queues a [`Level::DEBUG`] message (dropped at the default minimum level).
pub fn debug(request: &Request, text: impl Into<String>) {
    add_message(request, Level::DEBUG, text);
}

/// Queues a [`Level::INFO`] message.
pub fn info(request: &Request, text: impl Into<String>) {
    add_message(request, Level::INFO, text);
}

/// Queues a [`Level::SUCCESS`] message.
pub fn success(request: &Request, text: impl Into<String>) {
    add_message(request, Level::SUCCESS, text);
}

/// Queues a [`Level::WARNING`] message.
pub fn warning(request: &Request, text: impl Into<String>) {
    add_message(request, Level::WARNING, text);
}

/// Queues a [`Level::ERROR`] message.
pub fn error(request: &Request, text: impl Into<String>) {
    add_message(request, Level::ERROR, text);
}

/// The request's queued messages, removed as they are returned (empty
/// without the messages middleware).
pub fn take_messages(request: &Request) -> Vec<Message> {
    Messages::from_request(request).map_or_else(Vec::new, |messages| messages.take())
}

/// The `messages` layer of the middleware onion: attaches a [`Messages`]
/// handle on the request's session (which the `sessions` layer, outside
/// this one, must have attached).
pub fn messages_middleware(
    mut request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        match Session::from_request(&request) {
            Some(session) => {
                request.extensions_mut().insert(Messages::new(session));
            }
            None => tracing::debug!("messages need the sessions middleware outside them"),
        }
        Ok(next.run(request).await)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_kept_in_order_and_taken_once() {
        let session = Session::new();
        let messages = Messages::new(session.clone());
        assert!(messages.take().is_empty());
        assert!(!session.is_modified(), "taking nothing changes nothing");
        messages.add(Level::SUCCESS, "Saved.");
        messages.add_with_tags(Level::ERROR, "Oops", "urgent");
        messages.add(Level::DEBUG, "hidden");
        assert!(!messages.is_empty());
        let taken = messages.take();
        assert_eq!(taken.len(), 2);
        assert_eq!(taken[0].message, "Saved.");
        assert_eq!(taken[0].level_tag(), "success");
        assert_eq!(taken[1].tags(), "urgent error");
        assert!(messages.take().is_empty() && messages.is_empty());
    }

    #[test]
    fn stored_form_is_a_list_of_objects() {
        let session = Session::new();
        Messages::new(session.clone()).add(Level::INFO, "Hi");
        assert_eq!(
            session.get_value(MESSAGES_SESSION_KEY),
            Some(serde_json::json!([{"message": "Hi", "level": 20, "extra_tags": ""}]))
        );
    }
}
