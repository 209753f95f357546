//! Authentication: Django's `django.contrib.auth` with its security
//! defaults — users, argon2 passwords, permissions and groups, login and
//! logout, the built-in account pages and a login rate limit.
//!
//! Input: the session (from the sessions middleware, which runs outside
//! this one), the application's [`Database`] (`request.state::<Database>()`)
//! and its settings (`[auth]`, the secret key). Output: the signed-in
//! [`AuthUser`] in the request's extensions, read by views through
//! [`current_user`], [`template_user`], [`template_perms`] and [`has_perm`];
//! and [`login`] / [`logout`] for views that sign users in and out.
//!
//! How a session stays signed in (Django's scheme): at login the session
//! key is replaced (against session fixation) and the session gets
//! `_auth_user_id` and `_auth_user_hash`, an HMAC of the user's stored
//! password hash under the secret key. Each request reloads the user and
//! compares the hash in constant time: a password change (or a changed
//! secret key) ends every other session; an inactive or deleted user is
//! anonymous.
//!
//! | file | concept |
//! | --- | --- |
//! | `mod.rs` | the middleware, request helpers, [`login`], [`logout`], `createsuperuser` |
//! | `user.rs` | [`AuthUser`], creating users, [`authenticate`], [`set_password`] |
//! | `password.rs` | argon2id hashes in Django's format, [`check_password`] |
//! | `validators.rs` | Django's four default password validators |
//! | `permissions.rs` | `"app.codename"` permissions, groups and grants |
//! | `schema.rs` | the `auth_*` tables, [`sync_permissions`] |
//! | `tokens.rs` | the session auth hash, password reset tokens |
//! | `rate_limit.rs` | failed logins per address and per user name |
//! | `views.rs` | the login, logout, password change and reset pages |
//!
//! See `docs/auth.md`.

mod password;
mod permissions;
mod rate_limit;
mod safe_url;
mod schema;
mod tokens;
mod user;
mod validators;
pub mod views;

#[cfg(test)]
mod django_cases;

use std::io::{BufRead, Write};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub use password::{
    HasherParams, PasswordError, UNUSABLE_PASSWORD_PREFIX, check_password, check_password_async,
    hash_password, hash_password_async, hasher_params, is_password_usable, make_unusable_password,
    must_update, set_hasher_params,
};
pub use permissions::{
    add_user_to_group, create_group, grant_group_permission, grant_user_permission, perm_name,
    revoke_user_permission, split_perm, user_has_perm, user_permissions,
};
pub use rate_limit::{
    AttemptKeys, LoginRateLimit, clear_username_failures, record_failure, retry_after,
};
pub use safe_url::url_has_allowed_host_and_scheme;
pub use schema::{AUTH_SCHEMA, ensure_schema, sync_permissions};
pub use tokens::{
    PASSWORD_RESET_TIMEOUT, check_reset_token, decode_uid, encode_uid, make_reset_token,
};
pub use user::{
    AuthError, AuthUser, EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH, authenticate, create_superuser,
    create_user, get_user, get_user_by_username, normalize_email, normalize_username, set_active,
    set_names, set_password, set_unusable_password, update_last_login, users_for_password_reset,
    validate_username,
};
pub use validators::{
    MIN_PASSWORD_LENGTH, UserAttributes, is_common, password_help_texts, validate_password,
};

use crate::app::App;
use crate::db::Database;
use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;
use crate::session::Session;
use crate::template::context::{Perms, User};

/// The session key holding the signed-in user's id (Django's `SESSION_KEY`).
pub const SESSION_KEY: &str = "_auth_user_id";
/// The session key holding the session auth hash (Django's `HASH_SESSION_KEY`).
pub const HASH_SESSION_KEY: &str = "_auth_user_hash";

/// The application, as the auth middleware saw it: the pages read the
/// settings and the secret key through it.
#[derive(Clone)]
struct AuthApp(Arc<App>);

/// The `auth` layer of the middleware onion: loads the signed-in user named
/// by the session into the request's extensions (see the module docs).
///
/// Needs the sessions middleware outside it and a [`Database`] in the
/// application state; without either, every request is anonymous.
pub fn auth_middleware(
    mut request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let app = Arc::clone(next.app());
        if let Some(user) = session_user(&request, &app).await? {
            request.extensions_mut().insert(user);
        }
        request.extensions_mut().insert(AuthApp(app));
        Ok(next.run(request).await)
    })
}

/// The user the session names, if the session is still valid for them.
async fn session_user(request: &Request, app: &App) -> Result<Option<AuthUser>, HttpError> {
    let Some(session) = Session::from_request(request) else {
        return Ok(None);
    };
    let Some(user_id) = session_user_id(&session) else {
        return Ok(None);
    };
    let Some(db) = request.state::<Database>() else {
        tracing::warn!("a session names a user but the application has no database");
        return Ok(None);
    };
    let Some(user) = get_user(db, user_id).await? else {
        return Ok(None);
    };
    if !user.is_active {
        return Ok(None);
    }
    let secret = crate::session::signing::secret_key(app.config())?;
    let stored_hash = session.get::<String>(HASH_SESSION_KEY).unwrap_or_default();
    if !tokens::session_auth_hash_matches(&stored_hash, user.password_hash(), secret.as_bytes()) {
        // The password changed since this session logged in: sign it out.
        session.flush();
        return Ok(None);
    }
    Ok(Some(user))
}

/// `_auth_user_id` as Django stores it (a string), or as a number.
fn session_user_id(session: &Session) -> Option<i64> {
    match session.get_value(SESSION_KEY)? {
        serde_json::Value::String(text) => text.parse().ok(),
        serde_json::Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

fn auth_app(request: &Request) -> Result<&Arc<App>, HttpError> {
    request
        .extensions()
        .get::<AuthApp>()
        .map(|app| &app.0)
        .ok_or_else(|| HttpError::Internal("the auth middleware is not enabled".to_owned()))
}

fn session_of(request: &Request) -> Result<Session, HttpError> {
    Session::from_request(request)
        .ok_or_else(|| HttpError::Internal("the sessions middleware is not enabled".to_owned()))
}

/// The secret key the session auth hash and reset tokens are signed with.
fn secret_of(request: &Request) -> Result<Vec<u8>, HttpError> {
    let app = auth_app(request)?;
    Ok(crate::session::signing::secret_key(app.config())?
        .as_bytes()
        .to_vec())
}

/// The signed-in user, if any (`None` for anonymous requests).
pub fn current_user(request: &Request) -> Option<&AuthUser> {
    request.extensions().get::<AuthUser>()
}

/// `user` for templates: the signed-in user, or Django's `AnonymousUser`.
pub fn template_user(request: &Request) -> User {
    current_user(request).map_or_else(User::anonymous, AuthUser::to_template_user)
}

/// `perms` for templates: the signed-in user's permissions (none when anonymous).
pub fn template_perms(request: &Request) -> Perms {
    current_user(request).map_or_else(Perms::default, |user| user.perms.clone())
}

/// Whether the signed-in user has `perm` (`"app_label.codename"`); never
/// for anonymous requests.
pub fn has_perm(request: &Request, perm: &str) -> bool {
    current_user(request).is_some_and(|user| user.has_perm(perm))
}

/// The login page's URL from `[auth]` (`/accounts/login/` by default).
pub fn login_url(request: &Request) -> String {
    match auth_app(request) {
        Ok(app) => app.config().auth.login_url.clone(),
        Err(_) => crate::config::AuthConfig::default().login_url,
    }
}

/// What a `next` value may hold unencoded: Python's `quote_plus(safe="/")`.
const NEXT_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'/');

/// A 302 to `login_url?next=<this request's path and query>` (Django's
/// `redirect_to_login`): where a view sends anonymous users. When
/// `login_url` is on another host, `next` is this request's absolute URL,
/// as in Django's `login_required`.
pub fn login_redirect(request: &Request, login_url: &str) -> Response {
    let mut next = request.raw_path().to_owned();
    if let Some(query) = request.query_string() {
        next.push('?');
        next.push_str(query);
    }
    let (login_scheme, login_host) = safe_url::scheme_and_host(login_url);
    let scheme = request_scheme(request);
    let same_site = (login_scheme.is_empty() || login_scheme == scheme)
        && (login_host.is_empty() || Some(login_host.as_str()) == request.host());
    if !same_site {
        next = format!("{scheme}://{}{next}", request.host().unwrap_or_default());
    }
    let separator = if login_url.contains('?') { '&' } else { '?' };
    let next = utf8_percent_encode(&next, NEXT_ENCODE);
    Response::redirect(&format!("{login_url}{separator}next={next}"))
}

/// The scheme clients use to reach this site, as far as the settings tell
/// (djinn speaks plain HTTP, usually behind a TLS proxy): `https` when the
/// session cookie is `Secure` or HSTS is on.
pub(crate) fn request_scheme(request: &Request) -> &'static str {
    let https = auth_app(request).is_ok_and(|app| {
        app.config().sessions.secure_cookie || app.config().security.hsts_seconds > 0
    });
    if https { "https" } else { "http" }
}

/// Django's `login_required`: `None` when a user is signed in, else the
/// redirect to the login page to answer with.
///
/// ```
/// use djinn_runtime::{HttpError, Request, Response, auth};
///
/// async fn dashboard(request: Request) -> Result<Response, HttpError> {
///     if let Some(redirect) = auth::require_login(&request) {
///         return Ok(redirect);
///     }
///     Ok(Response::text("members only"))
/// }
/// ```
pub fn require_login(request: &Request) -> Option<Response> {
    match current_user(request) {
        Some(_) => None,
        None => Some(login_redirect(request, &login_url(request))),
    }
}

/// Django's `PermissionRequiredMixin`: `Ok(None)` when the signed-in user
/// has every one of `perms`; `Ok(Some(redirect))` to the login page for an
/// anonymous request; a 403 for a user without them.
pub fn require_perms(request: &Request, perms: &[&str]) -> Result<Option<Response>, HttpError> {
    match current_user(request) {
        None => Ok(Some(login_redirect(request, &login_url(request)))),
        Some(user) if user.has_perms(perms) => Ok(None),
        Some(_) => Err(HttpError::Forbidden(format!(
            "missing permission among {perms:?}"
        ))),
    }
}

/// Signs `user` in on this request's session (Django's `login`): a session
/// of another user is emptied first; the session key is always replaced
/// (against session fixation); the session gets the user's id and auth
/// hash; the CSRF secret is rotated; `last_login` is set to now.
///
/// Fails with a 500 when the sessions or auth middleware is not enabled.
pub async fn login(request: &Request, db: &Database, user: &AuthUser) -> Result<(), HttpError> {
    let session = session_of(request)?;
    let secret = secret_of(request)?;
    if session_user_id(&session).is_some_and(|id| id != user.id) {
        session.flush();
    } else {
        session.cycle_key();
    }
    session.insert(SESSION_KEY, user.id.to_string());
    session.insert(
        HASH_SESSION_KEY,
        tokens::session_auth_hash(user.password_hash(), &secret),
    );
    crate::csrf::rotate_csrf_token(&session);
    update_last_login(db, user.id).await?;
    tracing::info!(target: "djinn::auth", user_id = user.id, "user logged in");
    Ok(())
}

/// Signs the session out (Django's `logout`): all its data is deleted and
/// the cookie with it.
pub fn logout(request: &Request) {
    if let Some(session) = Session::from_request(request) {
        if let Some(user_id) = session_user_id(&session) {
            tracing::info!(target: "djinn::auth", user_id, "user logged out");
        }
        session.flush();
    }
}

/// After the signed-in user changed their own password: keeps this session
/// signed in under the new hash (with a new key), while every other
/// session of the user ends (Django's `update_session_auth_hash`). `user`
/// must be reloaded after the change.
pub fn update_session_auth_hash(request: &Request, user: &AuthUser) -> Result<(), HttpError> {
    let session = session_of(request)?;
    let secret = secret_of(request)?;
    session.cycle_key();
    if session_user_id(&session) == Some(user.id) {
        session.insert(
            HASH_SESSION_KEY,
            tokens::session_auth_hash(user.password_hash(), &secret),
        );
    }
    Ok(())
}

/// The environment variables [`createsuperuser_from_env`] reads.
pub const SUPERUSER_ENV: [&str; 3] = [
    "DJINN_SUPERUSER_USERNAME",
    "DJINN_SUPERUSER_EMAIL",
    "DJINN_SUPERUSER_PASSWORD",
];

/// Creates a superuser from `DJINN_SUPERUSER_USERNAME`, `DJINN_SUPERUSER_EMAIL`
/// (optional) and `DJINN_SUPERUSER_PASSWORD` (Django's `createsuperuser
/// --noinput`). The password must pass the validators. Returns the new id.
pub async fn createsuperuser_from_env(db: &Database) -> Result<i64, AuthError> {
    createsuperuser_with_env(db, |name| std::env::var(name).ok()).await
}

/// [`createsuperuser_from_env`] with the variables looked up by `lookup`.
pub async fn createsuperuser_with_env(
    db: &Database,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<i64, AuthError> {
    let [username_var, email_var, password_var] = SUPERUSER_ENV;
    let username = lookup(username_var)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| AuthError::InvalidUsername(format!("{username_var} is not set")))?;
    let email = lookup(email_var).unwrap_or_default();
    let password = lookup(password_var)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| AuthError::InvalidPassword(vec![format!("{password_var} is not set")]))?;
    check_new_superuser(&username, &email, &password)?;
    create_superuser(db, &username, &email, Some(&password)).await
}

/// The checks of `createsuperuser`: user name and email valid, password
/// passing the validators for this user.
fn check_new_superuser(username: &str, email: &str, password: &str) -> Result<(), AuthError> {
    let username = normalize_username(username);
    validate_username(&username).map_err(AuthError::InvalidUsername)?;
    let email = normalize_email(email);
    let attributes = UserAttributes {
        username: &username,
        email: &email,
        ..UserAttributes::default()
    };
    validate_password(password, Some(&attributes)).map_err(AuthError::InvalidPassword)
}

/// Creates a superuser by asking on the terminal (Django's interactive
/// `createsuperuser`): user name, email address, then the password twice,
/// without echo when the terminal allows it (`stty`). A problem is shown
/// and the question asked again; the end of the input gives up with
/// [`AuthError::Cancelled`].
pub async fn createsuperuser_interactive(db: &Database) -> Result<i64, AuthError> {
    createsuperuser_prompted(db, ask).await
}

/// The questions of [`createsuperuser_interactive`], answered by `ask`
/// (prompt, whether the answer is hidden; `None` at the end of the input).
async fn createsuperuser_prompted<F, Answer>(db: &Database, mut ask: F) -> Result<i64, AuthError>
where
    F: FnMut(&'static str, bool) -> Answer,
    Answer: std::future::Future<Output = Result<String, AuthError>>,
{
    let username = loop {
        let username = normalize_username(&ask("Username: ", false).await?);
        if let Err(message) = validate_username(&username) {
            eprintln!("Error: {message}");
        } else if get_user_by_username(db, &username).await?.is_some() {
            eprintln!("Error: That username is already taken.");
        } else {
            break username;
        }
    };
    let email = loop {
        let email = normalize_email(&ask("Email address: ", false).await?);
        if email.chars().count() <= EMAIL_MAX_LENGTH {
            break email;
        }
        eprintln!("Error: Ensure this value has at most {EMAIL_MAX_LENGTH} characters.");
    };
    let password = loop {
        let first = ask("Password: ", true).await?;
        let second = ask("Password (again): ", true).await?;
        if first != second {
            eprintln!("Error: Your passwords didn't match.");
            continue;
        }
        if first.trim().is_empty() {
            eprintln!("Error: Blank passwords aren't allowed.");
            continue;
        }
        match check_new_superuser(&username, &email, &first) {
            Ok(()) => break first,
            Err(AuthError::InvalidPassword(messages)) => {
                messages.iter().for_each(|message| eprintln!("{message}"));
            }
            Err(other) => return Err(other),
        }
    };
    create_superuser(db, &username, &email, Some(&password)).await
}

/// One answer from the terminal, read on the blocking pool.
async fn ask(prompt: &'static str, hidden: bool) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || prompt_line(prompt, hidden))
        .await
        .ok()
        .flatten()
        .ok_or(AuthError::Cancelled)
}

/// Reads one line after printing `prompt`; `None` at end of input.
fn prompt_line(prompt: &str, hidden: bool) -> Option<String> {
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "{prompt}");
    let _ = stdout.flush();
    let echo_off = hidden && set_echo(false);
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        set_echo(true);
        let _ = writeln!(stdout);
    }
    match read {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
    }
}

/// Turns terminal echo on or off with `stty`; whether it worked.
fn set_echo(on: bool) -> bool {
    std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(
        answers: &[&str],
    ) -> impl FnMut(&'static str, bool) -> futures_util::future::Ready<Result<String, AuthError>>
    {
        let mut answers: Vec<String> = answers.iter().rev().map(|a| (*a).to_owned()).collect();
        move |_prompt, _hidden| {
            futures_util::future::ready(answers.pop().ok_or(AuthError::Cancelled))
        }
    }

    #[tokio::test]
    async fn createsuperuser_asks_again_after_each_problem() {
        set_hasher_params(HasherParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let db = Database::connect("sqlite::memory:").await.unwrap();
        ensure_schema(&db).await.unwrap();
        create_user(&db, "taken", "", None).await.unwrap();
        let answers = [
            "bad name",
            "taken",
            "ｒｏｏｔ",
            "root@Example.COM",
            "Passphrase-One-42",
            "Passphrase-Two-42",
            "root12",
            "root12",
            "   ",
            "   ",
            "Passphrase-One-42",
            "Passphrase-One-42",
        ];
        let id = createsuperuser_prompted(&db, scripted(&answers))
            .await
            .unwrap();
        let root = get_user(&db, id).await.unwrap().unwrap();
        assert_eq!(
            (root.username.as_str(), root.email.as_str()),
            ("root", "root@example.com")
        );
        assert!(root.is_superuser && root.is_staff);
        assert!(
            authenticate(&db, "root", "Passphrase-One-42")
                .await
                .unwrap()
                .is_some()
        );

        let cancelled = createsuperuser_prompted(&db, scripted(&["someone", "a@b.c"])).await;
        assert!(matches!(cancelled, Err(AuthError::Cancelled)));
        assert!(
            get_user_by_username(&db, "someone")
                .await
                .unwrap()
                .is_none()
        );
    }
}
