//! Sessions: a signed cookie naming a row of the session store (database or Redis).
//!
//! Input: the request's session cookie — `<key>:<signature>`, signed with
//! the secret key ([`signing`]) — and the configured store
//! ([`crate::SessionBackend`]). Output: a [`Session`] in the request's
//! extensions that handlers (and the CSRF, auth and messages layers) read
//! and write synchronously; after the inner layers answered, the
//! middleware saves what changed and sets, refreshes or deletes the cookie.
//!
//! Django's behaviour, kept on purpose:
//! - a request that never touches its session costs nothing and gets no
//!   cookie (anonymous readers of public pages stay cacheable); one that
//!   reads it gets `Vary: Cookie`;
//! - a cookie whose signature does not verify, or whose session expired or
//!   was deleted, is a new empty session; keys are never taken from the
//!   client (a new session always gets a fresh random key);
//! - [`Session::cycle_key`] (at login) moves the data to a new key and
//!   deletes the old row, [`Session::flush`] (at logout) deletes everything;
//! - saving an existing session whose row vanished meanwhile (a concurrent
//!   logout) does not bring it back: the request gets a 400, as Django's
//!   `SessionInterrupted`;
//! - nothing is saved when the response is a server error.
//!
//! The session is loaded eagerly when a cookie is present (the API is
//! synchronous), but a failure to load it — the store is down, or there is
//! no secret key in production — only fails the requests that actually use
//! the session, with a 500.
//!
//! | file | concept |
//! | --- | --- |
//! | `mod.rs` | [`Session`] and the middleware |
//! | `store.rs` | the database table and Redis: load, create, update, delete, expiry |
//! | `signing.rs` | `value:signature` with HMAC-SHA256 |
//! | `random.rs` | random keys and secrets |

pub mod random;
pub mod signing;
mod store;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::future::BoxFuture;
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE, VARY};
use serde_json::{Map, Value as Json};

use crate::config::{ServerConfig, SessionBackend, SessionConfig};
use crate::db::Database;
use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

pub use store::{SESSION_SCHEMA, clear_expired_sessions, ensure_schema};

use store::Store;

/// The salt session cookies are signed with (see [`signing::sign_salted`]).
pub const SESSION_COOKIE_SALT: &str = "djinn.sessions";

/// The length of a session key (Django's).
pub const SESSION_KEY_LENGTH: usize = 32;

/// What a request gets when its session was deleted while it ran (Django's
/// `SessionInterrupted` message).
const INTERRUPTED: &str = "The request's session was deleted before the request completed. \
                           The user may have logged out in a concurrent request, for example.";

/// The session of one request: a cheap handle (clones share the data).
///
/// Every method locks briefly and returns; none is async, so a handle may
/// be used anywhere, but keep no lock-holding borrow across an `.await`
/// (there is none to keep: values are returned by copy).
///
/// ```
/// use djinn_runtime::session::Session;
/// use djinn_runtime::{HttpError, Request, Response};
///
/// async fn visits(request: Request) -> Result<Response, HttpError> {
///     let session = Session::from_request(&request)
///         .ok_or_else(|| HttpError::Internal("the sessions middleware is not enabled".into()))?;
///     let count = session.get::<u64>("visits").unwrap_or(0) + 1;
///     session.insert("visits", count);
///     Ok(Response::text(format!("visit number {count}")))
/// }
/// ```
#[derive(Clone)]
pub struct Session {
    state: Arc<Mutex<State>>,
}

/// What a [`Session`] holds.
#[derive(Default)]
struct State {
    /// The key the data is stored under; `None` for a new, cycled or flushed session.
    key: Option<String>,
    /// The data.
    data: Map<String, Json>,
    /// Whether the data was read or written (the response then varies by cookie).
    accessed: bool,
    /// Whether the data or the key changed (the session is then saved).
    modified: bool,
    /// Keys whose rows are deleted when the response is saved (cycled or flushed).
    stale_keys: Vec<String>,
    /// Why the session cannot be used (no secret key, store down): using it is a 500.
    unavailable: Option<String>,
}

impl fmt::Debug for Session {
    /// Neither the key nor the data: both are secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Session")
            .field("saved", &state.key.is_some())
            .field("entries", &state.data.len())
            .field("accessed", &state.accessed)
            .field("modified", &state.modified)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new, empty session (not stored until something is inserted).
    pub fn new() -> Session {
        Session::from_state(State::default())
    }

    fn from_state(state: State) -> Session {
        Session {
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn loaded(key: String, data: Map<String, Json>) -> Session {
        Session::from_state(State {
            key: Some(key),
            data,
            ..State::default()
        })
    }

    fn unavailable(reason: String) -> Session {
        Session::from_state(State {
            unavailable: Some(reason),
            ..State::default()
        })
    }

    /// The session the sessions middleware attached to `request`, if it runs.
    pub fn from_request(request: &Request) -> Option<Session> {
        request.extensions().get::<Session>().cloned()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves consistent data:
        // every method changes the state in one step.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lock, with the session marked accessed.
    fn access(&self) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        state.accessed = true;
        state
    }

    /// The value under `key` converted to `T`; `None` if absent or of another shape.
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.get_value(key)?;
        serde_json::from_value(value).ok()
    }

    /// The JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Json> {
        self.access().data.get(key).cloned()
    }

    /// Stores `value` under `key` (replacing any value there). A value that
    /// cannot be represented as JSON (a map with non-string keys, say) is
    /// not stored, and the failure is logged.
    pub fn insert<T: serde::Serialize>(&self, key: &str, value: T) {
        match serde_json::to_value(value) {
            Ok(value) => {
                let mut state = self.access();
                state.data.insert(key.to_owned(), value);
                state.modified = true;
            }
            Err(error) => {
                tracing::error!(key, %error, "a session value cannot be stored as JSON");
            }
        }
    }

    /// Removes the value under `key` and returns it.
    pub fn remove(&self, key: &str) -> Option<Json> {
        let mut state = self.access();
        let removed = state.data.remove(key);
        if removed.is_some() {
            state.modified = true;
        }
        removed
    }

    /// Whether there is a value under `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.access().data.contains_key(key)
    }

    /// Whether the session holds no data.
    pub fn is_empty(&self) -> bool {
        self.access().data.is_empty()
    }

    /// Keeps the data under a new key (chosen when the session is saved)
    /// and deletes the old row: call it when the user's privileges change,
    /// at login, against session fixation.
    pub fn cycle_key(&self) {
        let mut state = self.access();
        if let Some(old) = state.key.take() {
            state.stale_keys.push(old);
        }
        state.modified = true;
    }

    /// Drops all data and the key, and deletes the stored row; the cookie is
    /// deleted too unless something is inserted afterwards (which starts a
    /// new session under a new key). Call it at logout.
    pub fn flush(&self) {
        let mut state = self.access();
        if let Some(old) = state.key.take() {
            state.stale_keys.push(old);
        }
        state.data.clear();
        state.modified = true;
    }

    /// The session's key: `None` until the session is saved (and after
    /// [`Session::cycle_key`] or [`Session::flush`] until it is saved again).
    pub fn key(&self) -> Option<String> {
        self.lock().key.clone()
    }

    /// Whether the data or the key changed during this request.
    pub fn is_modified(&self) -> bool {
        self.lock().modified
    }

    /// Whether the data was read or written during this request.
    pub fn is_accessed(&self) -> bool {
        self.lock().accessed
    }
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

/// The `sessions` layer of the middleware onion: loads the session named by
/// the cookie, runs the inner layers, then saves the session if it changed
/// and sets the cookie (see the module documentation).
pub fn session_middleware(
    mut request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let app = Arc::clone(next.app());
        let cookies = cookie_values(&request, &app.config().sessions.cookie_name);
        let cookie_sent = !cookies.is_empty();
        let opened = open(&request, app.config(), &cookies).await;
        let session = match &opened {
            Ok((_, _, session)) | Err(session) => session.clone(),
        };
        request.extensions_mut().insert(session);
        let response = next.run(request).await;
        match opened {
            Ok((store, secret, session)) => {
                let context = SaveContext {
                    store: &store,
                    secret: &secret,
                    settings: &app.config().sessions,
                    cookie_sent: !cookies.is_empty(),
                };
                finish(&session, &context, response).await
            }
            Err(session) => {
                // Without a cookie, reading the (empty) session is harmless:
                // an anonymous page asking who is signed in. A change needs
                // the store and the secret; a cookie's session could not be
                // loaded, so reading it is an error too.
                let reason = session.lock().unavailable.clone();
                let failed = session.is_modified() || (cookie_sent && session.is_accessed());
                match reason {
                    Some(reason) if failed => Err(HttpError::Internal(reason)),
                    _ => Ok(response),
                }
            }
        }
    })
}

/// The store, the secret and the loaded session; or a session that fails
/// when used, carrying the reason.
async fn open(
    request: &Request,
    config: &ServerConfig,
    cookies: &[String],
) -> Result<(Store, String, Session), Session> {
    let secret = signing::secret_key(config)
        .map(str::to_owned)
        .map_err(|error| Session::unavailable(detail(error)))?;
    let store = match &config.sessions.backend {
        SessionBackend::Database => request
            .state::<Database>()
            .cloned()
            .map(Store::database)
            .ok_or_else(|| {
                "sessions are stored in the database, but the application has no Database state"
                    .to_owned()
            }),
        SessionBackend::Redis { url } => Store::redis(url),
    }
    .map_err(Session::unavailable)?;
    let key = cookies.iter().find_map(|cookie| {
        signing::unsign_salted(&secret, SESSION_COOKIE_SALT, cookie).filter(|key| is_valid_key(key))
    });
    let session = match key {
        None => Session::new(),
        Some(key) => match store.load(&key).await {
            Ok(Some(data)) => Session::loaded(key, data),
            Ok(None) => Session::new(),
            Err(error) => {
                tracing::error!(%error, "loading a session failed");
                return Err(Session::unavailable(error));
            }
        },
    };
    Ok((store, secret, session))
}

/// The detail of an [`HttpError`] without its status prefix.
fn detail(error: HttpError) -> String {
    match error {
        HttpError::Internal(detail) => detail,
        other => other.to_string(),
    }
}

/// Whether `key` looks like a key this runtime issues (Django accepts 8 to 40
/// characters too; anything else is not even looked up).
fn is_valid_key(key: &str) -> bool {
    (8..=40).contains(&key.len())
        && key
            .bytes()
            .all(|byte| random::LOWERCASE_ALPHANUMERIC.contains(&byte))
}

/// The values of every cookie named `name` the request carries, in order.
fn cookie_values(request: &Request, name: &str) -> Vec<String> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(cookie, _)| cookie.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .collect()
}

/// What saving needs besides the session.
struct SaveContext<'a> {
    store: &'a Store,
    secret: &'a str,
    settings: &'a SessionConfig,
    cookie_sent: bool,
}

/// What the session looked like when the inner layers were done.
struct Outcome {
    key: Option<String>,
    data: Option<String>,
    accessed: bool,
    modified: bool,
    stale_keys: Vec<String>,
}

impl Session {
    /// The state to save, serialized, taken out in one lock.
    fn outcome(&self) -> Result<Outcome, HttpError> {
        let mut state = self.lock();
        let data = if state.key.is_none() && state.data.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&state.data).map_err(HttpError::internal)?)
        };
        Ok(Outcome {
            key: state.key.clone(),
            data,
            accessed: state.accessed,
            modified: state.modified,
            stale_keys: std::mem::take(&mut state.stale_keys),
        })
    }

    fn set_key(&self, key: String) {
        self.lock().key = Some(key);
    }
}

/// Saves the session after the inner layers answered `response`, and sets
/// or deletes its cookie.
async fn finish(
    session: &Session,
    context: &SaveContext<'_>,
    mut response: Response,
) -> Result<Response, HttpError> {
    let outcome = session.outcome()?;
    if !outcome.accessed {
        return Ok(response);
    }
    add_vary_cookie(&mut response);
    if response.status().is_server_error() {
        return Ok(response);
    }
    let Some(data) = outcome.data else {
        // Empty and without a key: whatever was stored goes, and so does the cookie.
        delete_rows(context.store, &outcome.stale_keys).await?;
        if context.cookie_sent {
            response
                .headers_mut()
                .append(SET_COOKIE, deletion_cookie(context.settings)?);
        }
        return Ok(response);
    };
    if !outcome.modified {
        return Ok(response);
    }
    let age = context.settings.age_seconds;
    let key = match outcome.key {
        Some(key) => {
            if !context
                .store
                .update(&key, &data, age)
                .await
                .map_err(HttpError::Internal)?
            {
                return Err(HttpError::BadRequest(INTERRUPTED.to_owned()));
            }
            key
        }
        None => create(context.store, &data, age).await?,
    };
    delete_rows(context.store, &outcome.stale_keys).await?;
    let value = signing::sign_salted(context.secret, SESSION_COOKIE_SALT, &key);
    response
        .headers_mut()
        .append(SET_COOKIE, session_cookie(context.settings, &value)?);
    session.set_key(key);
    Ok(response)
}

/// Stores `data` under a new random key; the key.
async fn create(store: &Store, data: &str, age: u64) -> Result<String, HttpError> {
    // 32 characters of 36: a collision is practically impossible, but a
    // taken key is never overwritten.
    for _ in 0..5 {
        let key = random::random_string(SESSION_KEY_LENGTH, random::LOWERCASE_ALPHANUMERIC)?;
        if store
            .create(&key, data, age)
            .await
            .map_err(HttpError::Internal)?
        {
            return Ok(key);
        }
    }
    Err(HttpError::Internal(
        "no unused session key found in five attempts".to_owned(),
    ))
}

async fn delete_rows(store: &Store, keys: &[String]) -> Result<(), HttpError> {
    for key in keys {
        store.delete(key).await.map_err(HttpError::Internal)?;
    }
    Ok(())
}

/// `Set-Cookie` for the session: Django's attributes and order.
fn session_cookie(settings: &SessionConfig, value: &str) -> Result<HeaderValue, HttpError> {
    let age = settings.age_seconds;
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(
            i64::try_from(age).unwrap_or(i64::MAX),
        ))
        .unwrap_or(jiff::Timestamp::MAX);
    let mut cookie = format!(
        "{}={value}; expires={}; HttpOnly; Max-Age={age}; Path=/; SameSite=Lax",
        settings.cookie_name,
        http_date(expires)
    );
    if settings.secure_cookie {
        cookie.push_str("; Secure");
    }
    header_value(cookie)
}

/// `Set-Cookie` that deletes the session cookie.
fn deletion_cookie(settings: &SessionConfig) -> Result<HeaderValue, HttpError> {
    let mut cookie = format!(
        "{}=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Max-Age=0; Path=/; SameSite=Lax",
        settings.cookie_name
    );
    if settings.secure_cookie {
        cookie.push_str("; Secure");
    }
    header_value(cookie)
}

fn header_value(cookie: String) -> Result<HeaderValue, HttpError> {
    HeaderValue::try_from(cookie).map_err(|_| {
        HttpError::Internal("the session cookie name is not a valid header value".to_owned())
    })
}

/// `Thu, 01 Jan 1970 00:00:00 GMT`.
fn http_date(timestamp: jiff::Timestamp) -> String {
    timestamp.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Adds `Cookie` to the response's `Vary` (unless it is there, or `*` is),
/// keeping the other values, like Django's `patch_vary_headers`.
fn add_vary_cookie(response: &mut Response) {
    let mut values: Vec<String> = response
        .headers()
        .get_all(VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .collect();
    if values
        .iter()
        .any(|value| value == "*" || value.eq_ignore_ascii_case("cookie"))
    {
        return;
    }
    values.push("Cookie".to_owned());
    if let Ok(vary) = HeaderValue::try_from(values.join(", ")) {
        response.headers_mut().insert(VARY, vary);
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use http::{HeaderMap, Method};

    use super::*;

    fn request_with_cookies(cookies: &[&str]) -> Request {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        Request::new(
            Method::GET,
            "/".parse().unwrap(),
            headers,
            bytes::Bytes::new(),
            SocketAddr::from(([127, 0, 0, 1], 1)),
        )
        .unwrap()
    }

    #[test]
    fn cookies_are_found_by_name_in_every_header() {
        let request =
            request_with_cookies(&["a=1; sessionid=abc:sig", "sessionid=\"def:sig\"; b=2"]);
        assert_eq!(cookie_values(&request, "sessionid"), ["abc:sig", "def:sig"]);
        assert!(cookie_values(&request, "session").is_empty());
    }

    #[test]
    fn data_access_marks_accessed_and_changes_mark_modified() {
        let session = Session::new();
        assert!(!session.is_accessed());
        assert_eq!(session.key(), None);
        assert!(!session.is_accessed(), "key() is not an access");
        assert_eq!(session.get::<i64>("n"), None);
        assert!(session.is_accessed() && !session.is_modified());
        assert_eq!(session.remove("n"), None);
        assert!(!session.is_modified(), "removing nothing changes nothing");
        session.insert("n", 3);
        assert_eq!(session.get::<i64>("n"), Some(3));
        assert_eq!(session.get::<String>("n"), None, "wrong shape is None");
        assert!(session.contains("n") && session.is_modified());
        assert_eq!(session.remove("n"), Some(Json::from(3)));
        assert!(session.is_empty());
    }

    #[test]
    fn cycle_keeps_data_and_flush_drops_it() {
        let session = Session::loaded("k".repeat(32), Map::new());
        session.insert("user", 7);
        session.cycle_key();
        assert_eq!(session.key(), None);
        assert_eq!(session.get::<i64>("user"), Some(7));
        let outcome = session.outcome().unwrap();
        assert_eq!(outcome.stale_keys, ["k".repeat(32)]);
        assert!(outcome.data.is_some());

        let session = Session::loaded("k".repeat(32), Map::new());
        session.insert("user", 7);
        session.flush();
        assert!(session.is_empty() && session.key().is_none());
        let outcome = session.outcome().unwrap();
        assert!(outcome.data.is_none() && outcome.modified);
        assert_eq!(outcome.stale_keys.len(), 1);
    }

    #[test]
    fn keys_are_checked_before_lookup() {
        assert!(is_valid_key("abcdefgh0123456789abcdefgh012345"));
        assert!(!is_valid_key("short"));
        assert!(!is_valid_key("ABCDEFGH0123456789abcdefgh012345"));
        assert!(!is_valid_key(&"a".repeat(41)));
    }

    #[test]
    fn vary_gets_cookie_once() {
        let mut response = Response::text("x");
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        add_vary_cookie(&mut response);
        add_vary_cookie(&mut response);
        assert_eq!(response.headers()[VARY], "Accept-Encoding, Cookie");
        let mut star = Response::text("x").with_header(VARY, HeaderValue::from_static("*"));
        add_vary_cookie(&mut star);
        assert_eq!(star.headers()[VARY], "*");
    }

    #[test]
    fn http_dates_are_rfc_1123() {
        assert_eq!(
            http_date(jiff::Timestamp::UNIX_EPOCH),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
