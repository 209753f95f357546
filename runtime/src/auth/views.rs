//! The built-in account pages, Django's `django.contrib.auth.urls`: log in,
//! log out, change the password, reset a forgotten one.
//!
//! Input: requests routed to these handlers (see [`AUTH_URLS`] and
//! [`route`]), with the sessions, CSRF and auth middleware enabled and a
//! [`Database`] in the application state. Output: plain HTML pages (a
//! small inline stylesheet, no JavaScript, every value escaped, the CSRF
//! field in every form) and redirects.
//!
//! The pages find each other by their position under a common prefix, as
//! in Django's `accounts/` include: mount the whole table under one prefix
//! (`/accounts/` is what `[auth] login_url` expects by default).
//!
//! Without a mail backend, the password reset page writes the reset link
//! to the log (`djinn::auth`, level info) instead of mailing it.

use std::fmt::Write as _;

use futures_util::future::BoxFuture;
use http::header::{CACHE_CONTROL, EXPIRES, RETRY_AFTER};
use http::{HeaderValue, Method, StatusCode};

use super::rate_limit::{
    AttemptKeys, LoginRateLimit, clear_username_failures, record_failure, retry_after,
};
use super::safe_url::url_has_allowed_host_and_scheme;
use super::tokens::{check_reset_token, decode_uid, encode_uid, make_reset_token};
use super::user::{
    AuthUser, authenticate, get_user, normalize_email, normalize_username, set_password,
    users_for_password_reset,
};
use super::validators::{password_help_texts, validate_password};
use super::{
    auth_app, current_user, login, login_redirect, login_url, logout, secret_of, session_of,
    update_session_auth_hash,
};
use crate::app::{Handler, RouteMatch};
use crate::db::Database;
use crate::error::HttpError;
use crate::request::{Request, UrlParams};
use crate::response::Response;
use crate::template::escape;

/// Django's message for a failed login.
pub const INVALID_LOGIN: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

/// Django's message for a wrong old password.
pub const INCORRECT_OLD_PASSWORD: &str =
    "Your old password was entered incorrectly. Please enter it again.";

/// Django's message for two different new passwords.
pub const PASSWORD_MISMATCH: &str = "The two password fields didn’t match.";

const REQUIRED: &str = "This field is required.";

/// The session key holding a reset token while its form is shown (Django's
/// `INTERNAL_RESET_SESSION_TOKEN`): the token leaves the URL at once, so it
/// cannot leak through the `Referer` header.
const RESET_SESSION_TOKEN: &str = "_password_reset_token";

/// What the confirm URL says instead of a token once the token is in the session.
const SET_PASSWORD_SEGMENT: &str = "set-password";

const GET_AND_POST: &[Method] = &[Method::GET, Method::HEAD, Method::POST];
const POST_ONLY: &[Method] = &[Method::POST];
const GET_ONLY: &[Method] = &[Method::GET, Method::HEAD];

/// One account page: its URL pattern under the prefix, Django's URL name,
/// the handler and the methods it answers.
#[derive(Clone, Copy, Debug)]
pub struct AuthUrl {
    /// The pattern relative to the prefix, in Django's syntax.
    pub pattern: &'static str,
    /// Django's URL name (`{% url 'login' %}`).
    pub name: &'static str,
    /// The view.
    pub handler: Handler,
    /// The methods it answers (others get 405).
    pub methods: &'static [Method],
}

/// Django's `django.contrib.auth.urls`, in Django's order.
pub const AUTH_URLS: &[AuthUrl] = &[
    AuthUrl {
        pattern: "login/",
        name: "login",
        handler: login_page,
        methods: GET_AND_POST,
    },
    AuthUrl {
        pattern: "logout/",
        name: "logout",
        handler: logout_page,
        methods: POST_ONLY,
    },
    AuthUrl {
        pattern: "password_change/",
        name: "password_change",
        handler: password_change_page,
        methods: GET_AND_POST,
    },
    AuthUrl {
        pattern: "password_change/done/",
        name: "password_change_done",
        handler: password_change_done_page,
        methods: GET_ONLY,
    },
    AuthUrl {
        pattern: "password_reset/",
        name: "password_reset",
        handler: password_reset_page,
        methods: GET_AND_POST,
    },
    AuthUrl {
        pattern: "password_reset/done/",
        name: "password_reset_done",
        handler: password_reset_done_page,
        methods: GET_ONLY,
    },
    AuthUrl {
        pattern: "reset/<uidb64>/<token>/",
        name: "password_reset_confirm",
        handler: password_reset_confirm_page,
        methods: GET_AND_POST,
    },
    AuthUrl {
        pattern: "reset/done/",
        name: "password_reset_complete",
        handler: password_reset_complete_page,
        methods: GET_ONLY,
    },
];

/// Routes `rest` — the percent-decoded path after the prefix the pages
/// are mounted under, such as `login/` — to its page; the two parameters of
/// `reset/<uidb64>/<token>/` are captured.
pub fn route(method: &Method, rest: &str) -> RouteMatch {
    let segments: Vec<&str> = rest.split('/').collect();
    let (index, params) = match segments.as_slice() {
        ["login", ""] => (0, UrlParams::new()),
        ["logout", ""] => (1, UrlParams::new()),
        ["password_change", ""] => (2, UrlParams::new()),
        ["password_change", "done", ""] => (3, UrlParams::new()),
        ["password_reset", ""] => (4, UrlParams::new()),
        ["password_reset", "done", ""] => (5, UrlParams::new()),
        ["reset", "done", ""] => (7, UrlParams::new()),
        ["reset", uidb64, token, ""] if !uidb64.is_empty() && !token.is_empty() => {
            let mut params = UrlParams::new();
            params.push("uidb64", *uidb64);
            params.push("token", *token);
            (6, params)
        }
        _ => return RouteMatch::NotFound,
    };
    let page = &AUTH_URLS[index];
    if page.methods.contains(method) {
        RouteMatch::Found {
            handler: page.handler,
            params,
        }
    } else {
        RouteMatch::MethodNotAllowed {
            allow: page.methods,
        }
    }
}

// ---- the pages ---------------------------------------------------------------

/// `login/`: the login form; on a correct POST, signs the user in and
/// redirects to the safe `next` (or `/`). Failed attempts are rate-limited
/// per address and per user name (429 with `Retry-After`).
pub fn login_page(request: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(login_view(request))
}

/// `logout/` (POST only, as in Django 5): signs out and redirects to the
/// safe `next`, or to the login page.
pub fn logout_page(request: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        if request.method() != Method::POST {
            return Err(HttpError::MethodNotAllowed { allow: POST_ONLY });
        }
        let form = Form::parse(&request);
        logout(&request);
        let target = safe_next(&request, &form).unwrap_or_else(|| login_url(&request));
        Ok(never_cache(Response::redirect(&target)))
    })
}

/// `password_change/`: old password and the new one twice (login required).
pub fn password_change_page(request: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(password_change_view(request))
}

/// `password_change/done/`: says the password was changed (login required).
pub fn password_change_done_page(
    request: Request,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        if current_user(&request).is_none() {
            return Ok(login_redirect(&request, &login_url(&request)));
        }
        Ok(page(
            StatusCode::OK,
            "Password change successful",
            "<p>Your password was changed.</p>",
        ))
    })
}

/// `password_reset/`: asks for an email address; writes a reset link for
/// each active account with that address to the log, and always answers
/// the same way (whether an account exists is not revealed).
pub fn password_reset_page(request: Request) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(password_reset_view(request))
}

/// `password_reset/done/`: says the instructions were sent.
pub fn password_reset_done_page(
    _request: Request,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        Ok(page(
            StatusCode::OK,
            "Password reset sent",
            "<p>We’ve emailed you instructions for setting your password, if an account exists with the email you entered. You should receive them shortly.</p>\
             <p>If you don’t receive an email, please make sure you’ve entered the address you registered with, and check your spam folder.</p>",
        ))
    })
}

/// `reset/<uidb64>/<token>/`: checks the link, moves the token into the
/// session and shows the new-password form (at `reset/<uidb64>/set-password/`).
pub fn password_reset_confirm_page(
    request: Request,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(password_reset_confirm_view(request))
}

/// `reset/done/`: says the password was set.
pub fn password_reset_complete_page(
    request: Request,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let login = escape(&login_url(&request)).into_owned();
        Ok(page(
            StatusCode::OK,
            "Password reset complete",
            &format!(
                "<p>Your password has been set. You may go ahead and log in now.</p>\
                 <p><a href=\"{login}\">Log in</a></p>"
            ),
        ))
    })
}

// ---- views -------------------------------------------------------------------

fn database(request: &Request) -> Result<Database, HttpError> {
    request
        .state::<Database>()
        .cloned()
        .ok_or_else(|| HttpError::Internal("the application has no database".to_owned()))
}

async fn login_view(request: Request) -> Result<Response, HttpError> {
    let form = Form::parse(&request);
    let next = form
        .value("next")
        .map(str::to_owned)
        .or_else(|| request.query_value("next"))
        .unwrap_or_default();
    let method = request.method().clone();
    if method == Method::GET || method == Method::HEAD {
        return Ok(login_form(
            &request,
            "",
            &next,
            &Errors::default(),
            StatusCode::OK,
        ));
    }
    if method != Method::POST {
        return Err(HttpError::MethodNotAllowed {
            allow: GET_AND_POST,
        });
    }
    let db = database(&request)?;
    let username = normalize_username(form.get("username"));
    let password = form.get("password");
    let mut errors = Errors::default();
    if username.is_empty() {
        errors.add("username", REQUIRED);
    }
    if password.is_empty() {
        errors.add("password", REQUIRED);
    }
    if !errors.is_empty() {
        return Ok(login_form(
            &request,
            &username,
            &next,
            &errors,
            StatusCode::OK,
        ));
    }
    let limit = LoginRateLimit::from_config(&auth_app(&request)?.config().auth);
    let keys = AttemptKeys::new(request.remote_addr().ip(), &username);
    if let Some(wait) = retry_after(&db, &keys, limit).await? {
        tracing::warn!(
            target: "djinn::auth",
            client = %request.remote_addr().ip(),
            "login refused: too many failed attempts"
        );
        return Ok(too_many_attempts(wait, "Log in"));
    }
    match authenticate(&db, &username, password).await? {
        Some(user) => {
            clear_username_failures(&db, &keys).await?;
            login(&request, &db, &user).await?;
            let target = safe_redirect(&request, &next).unwrap_or_else(|| "/".to_owned());
            Ok(never_cache(Response::redirect(&target)))
        }
        None => {
            record_failure(&db, &keys, limit).await?;
            tracing::info!(
                target: "djinn::auth",
                client = %request.remote_addr().ip(),
                "failed login"
            );
            errors.add(NON_FIELD, INVALID_LOGIN);
            Ok(login_form(
                &request,
                &username,
                &next,
                &errors,
                StatusCode::OK,
            ))
        }
    }
}

/// The 429 page of the rate limit, with `Retry-After`.
fn too_many_attempts(wait: std::time::Duration, title: &str) -> Response {
    let seconds = wait.as_secs().max(1);
    let body = format!(
        "<p class=\"errornote\">Too many failed attempts. Please try again in {seconds} seconds.</p>"
    );
    page(StatusCode::TOO_MANY_REQUESTS, title, &body)
        .with_header(RETRY_AFTER, HeaderValue::from(seconds))
}

fn login_form(
    request: &Request,
    username: &str,
    next: &str,
    errors: &Errors,
    status: StatusCode,
) -> Response {
    let mut body = String::new();
    errors.write_non_field(&mut body);
    open_form(&mut body, request);
    errors.write_field(&mut body, "username");
    let _ = write!(
        body,
        "<p><label for=\"id_username\">Username:</label>\
         <input type=\"text\" name=\"username\" value=\"{}\" autofocus autocapitalize=\"none\" autocomplete=\"username\" maxlength=\"150\" required id=\"id_username\"></p>",
        escape(username)
    );
    errors.write_field(&mut body, "password");
    body.push_str(
        "<p><label for=\"id_password\">Password:</label>\
         <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required id=\"id_password\"></p>",
    );
    let _ = write!(
        body,
        "<input type=\"hidden\" name=\"next\" value=\"{}\">\
         <p><button type=\"submit\">Log in</button></p></form>\
         <p><a href=\"{}\">Forgotten your password or username?</a></p>",
        escape(next),
        escape(&sibling(request, "login/", "password_reset/"))
    );
    page(status, "Log in", &body)
}

async fn password_change_view(request: Request) -> Result<Response, HttpError> {
    let Some(user) = current_user(&request).cloned() else {
        return Ok(login_redirect(&request, &login_url(&request)));
    };
    let method = request.method().clone();
    if method == Method::GET || method == Method::HEAD {
        return Ok(password_change_form(&request, &Errors::default()));
    }
    if method != Method::POST {
        return Err(HttpError::MethodNotAllowed {
            allow: GET_AND_POST,
        });
    }
    let db = database(&request)?;
    let form = Form::parse(&request);
    let old = form.get("old_password");
    let mut errors = Errors::default();
    if old.is_empty() {
        errors.add("old_password", REQUIRED);
    } else {
        // Guessing the old password from a stolen session counts against
        // the same limit as guessing at the login page.
        let limit = LoginRateLimit::from_config(&auth_app(&request)?.config().auth);
        let keys = AttemptKeys::new(request.remote_addr().ip(), &user.username);
        if let Some(wait) = retry_after(&db, &keys, limit).await? {
            return Ok(too_many_attempts(wait, "Password change"));
        }
        let matches =
            super::password::check_password_async(old.to_owned(), user.password_hash().to_owned())
                .await;
        if !matches {
            record_failure(&db, &keys, limit).await?;
            errors.add("old_password", INCORRECT_OLD_PASSWORD);
        }
    }
    let new_password = check_new_passwords(&form, &user, &mut errors);
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        return Ok(password_change_form(&request, &errors));
    };
    set_password(&db, user.id, &new_password).await?;
    let changed = get_user(&db, user.id)
        .await?
        .ok_or_else(|| HttpError::NotFound("the user was deleted".to_owned()))?;
    update_session_auth_hash(&request, &changed)?;
    tracing::info!(target: "djinn::auth", user_id = user.id, "password changed");
    let done = format!("{}done/", with_trailing_slash(request.raw_path()));
    Ok(never_cache(Response::redirect(&done)))
}

/// The new password of `new_password1` / `new_password2`, if both are
/// given, equal and valid for `user`; the problems go into `errors`.
fn check_new_passwords(form: &Form, user: &AuthUser, errors: &mut Errors) -> Option<String> {
    let first = form.get("new_password1");
    let second = form.get("new_password2");
    if first.is_empty() {
        errors.add("new_password1", REQUIRED);
    }
    if second.is_empty() {
        errors.add("new_password2", REQUIRED);
    }
    if first.is_empty() || second.is_empty() {
        return None;
    }
    if first != second {
        errors.add("new_password2", PASSWORD_MISMATCH);
        return None;
    }
    if let Err(messages) = validate_password(second, Some(&user.attributes())) {
        for message in messages {
            errors.add("new_password2", &message);
        }
        return None;
    }
    Some(second.to_owned())
}

fn password_change_form(request: &Request, errors: &Errors) -> Response {
    let mut body = String::new();
    errors.write_non_field(&mut body);
    body.push_str("<p>Please enter your old password, for security’s sake, and then enter your new password twice so we can verify you typed it in correctly.</p>");
    open_form(&mut body, request);
    password_field(
        &mut body,
        errors,
        "old_password",
        "Old password",
        "current-password",
        true,
    );
    new_password_fields(&mut body, errors);
    body.push_str("<p><button type=\"submit\">Change my password</button></p></form>");
    page(StatusCode::OK, "Password change", &body)
}

fn password_field(
    body: &mut String,
    errors: &Errors,
    name: &str,
    label: &str,
    autocomplete: &str,
    autofocus: bool,
) {
    errors.write_field(body, name);
    let _ = write!(
        body,
        "<p><label for=\"id_{name}\">{label}:</label>\
         <input type=\"password\" name=\"{name}\" autocomplete=\"{autocomplete}\"{} required id=\"id_{name}\"></p>",
        if autofocus { " autofocus" } else { "" }
    );
}

fn new_password_fields(body: &mut String, errors: &Errors) {
    password_field(
        body,
        errors,
        "new_password1",
        "New password",
        "new-password",
        false,
    );
    body.push_str("<ul class=\"helptext\">");
    for text in password_help_texts() {
        let _ = write!(body, "<li>{}</li>", escape(text));
    }
    body.push_str("</ul>");
    password_field(
        body,
        errors,
        "new_password2",
        "New password confirmation",
        "new-password",
        false,
    );
}

async fn password_reset_view(request: Request) -> Result<Response, HttpError> {
    let method = request.method().clone();
    if method == Method::GET || method == Method::HEAD {
        return Ok(password_reset_form(&request, "", &Errors::default()));
    }
    if method != Method::POST {
        return Err(HttpError::MethodNotAllowed {
            allow: GET_AND_POST,
        });
    }
    let db = database(&request)?;
    let form = Form::parse(&request);
    let email = normalize_email(form.get("email"));
    let mut errors = Errors::default();
    if email.is_empty() {
        errors.add("email", REQUIRED);
    } else if !looks_like_email(&email) {
        errors.add("email", "Enter a valid email address.");
    }
    if !errors.is_empty() {
        return Ok(password_reset_form(&request, &email, &errors));
    }
    let secret = secret_of(&request)?;
    let scheme = super::request_scheme(&request);
    let host = request.host().unwrap_or("localhost").to_owned();
    let prefix = prefix_before(&request, "password_reset/");
    for user in users_for_password_reset(&db, &email).await? {
        let link = format!(
            "{scheme}://{host}{prefix}reset/{}/{}/",
            encode_uid(user.id),
            make_reset_token(&user, &secret)
        );
        tracing::info!(
            target: "djinn::auth",
            user_id = user.id,
            %link,
            "password reset requested; no mail backend is configured, so the link is logged"
        );
    }
    let done = format!("{}done/", with_trailing_slash(request.raw_path()));
    Ok(never_cache(Response::redirect(&done)))
}

fn password_reset_form(request: &Request, email: &str, errors: &Errors) -> Response {
    let mut body = String::new();
    body.push_str("<p>Forgotten your password? Enter your email address below, and we’ll email instructions for setting a new one.</p>");
    open_form(&mut body, request);
    errors.write_field(&mut body, "email");
    let _ = write!(
        body,
        "<p><label for=\"id_email\">Email address:</label>\
         <input type=\"email\" name=\"email\" value=\"{}\" autocomplete=\"email\" maxlength=\"254\" required id=\"id_email\"></p>\
         <p><button type=\"submit\">Reset my password</button></p></form>",
        escape(email)
    );
    page(StatusCode::OK, "Password reset", &body)
}

async fn password_reset_confirm_view(request: Request) -> Result<Response, HttpError> {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD && method != Method::POST {
        return Err(HttpError::MethodNotAllowed {
            allow: GET_AND_POST,
        });
    }
    let db = database(&request)?;
    let secret = secret_of(&request)?;
    let session = session_of(&request)?;
    let uidb64 = request.param("uidb64").unwrap_or_default().to_owned();
    let token = request.param("token").unwrap_or_default().to_owned();
    let user = match decode_uid(&uidb64) {
        Some(id) => get_user(&db, id).await?,
        None => None,
    };
    let Some(user) = user else {
        return Ok(reset_link_invalid());
    };
    if token != SET_PASSWORD_SEGMENT {
        if !check_reset_token(&user, &token, &secret) {
            return Ok(reset_link_invalid());
        }
        // Keep the token out of the URL (and the Referer header) from now on.
        session.insert(RESET_SESSION_TOKEN, token);
        let path = request.raw_path().trim_end_matches('/');
        let base = path.rsplit_once('/').map_or("", |(base, _)| base);
        return Ok(never_cache(Response::redirect(&format!(
            "{base}/{SET_PASSWORD_SEGMENT}/"
        ))));
    }
    let stored = session
        .get::<String>(RESET_SESSION_TOKEN)
        .unwrap_or_default();
    if !check_reset_token(&user, &stored, &secret) {
        return Ok(reset_link_invalid());
    }
    if method != Method::POST {
        return Ok(set_password_form(&request, &Errors::default()));
    }
    let form = Form::parse(&request);
    let mut errors = Errors::default();
    let Some(new_password) = check_new_passwords(&form, &user, &mut errors) else {
        return Ok(set_password_form(&request, &errors));
    };
    set_password(&db, user.id, &new_password).await?;
    session.remove(RESET_SESSION_TOKEN);
    tracing::info!(target: "djinn::auth", user_id = user.id, "password reset");
    // `<prefix>reset/<uidb64>/set-password/` → `<prefix>reset/done/`
    let path = request.raw_path().trim_end_matches('/');
    let reset = path
        .rsplit_once('/')
        .and_then(|(rest, _)| rest.rsplit_once('/'))
        .map_or("", |(reset, _)| reset);
    Ok(never_cache(Response::redirect(&format!("{reset}/done/"))))
}

fn reset_link_invalid() -> Response {
    page(
        StatusCode::OK,
        "Password reset unsuccessful",
        "<p>The password reset link was invalid, possibly because it has already been used. Please request a new password reset.</p>",
    )
}

fn set_password_form(request: &Request, errors: &Errors) -> Response {
    let mut body = String::new();
    errors.write_non_field(&mut body);
    body.push_str(
        "<p>Please enter your new password twice so we can verify you typed it in correctly.</p>",
    );
    open_form(&mut body, request);
    new_password_fields(&mut body, errors);
    body.push_str("<p><button type=\"submit\">Change my password</button></p></form>");
    page(StatusCode::OK, "Enter new password", &body)
}

// ---- helpers -----------------------------------------------------------------

/// The submitted form fields of a POST (empty for other methods).
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(request: &Request) -> Form {
        if request.method() != Method::POST {
            return Form(Vec::new());
        }
        Form(
            form_urlencoded::parse(request.body())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn get(&self, name: &str) -> &str {
        self.value(name).unwrap_or_default()
    }
}

const NON_FIELD: &str = "__all__";

/// Form errors by field name (`__all__` for the form as a whole), in order.
#[derive(Default)]
struct Errors(Vec<(&'static str, String)>);

impl Errors {
    fn add(&mut self, field: &'static str, message: &str) {
        self.0.push((field, message.to_owned()));
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn write_list(&self, out: &mut String, field: &str, class: &str) {
        let messages: Vec<&str> = self
            .0
            .iter()
            .filter(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
            .collect();
        if messages.is_empty() {
            return;
        }
        let _ = write!(out, "<ul class=\"{class}\">");
        for message in messages {
            let _ = write!(out, "<li>{}</li>", escape(message));
        }
        out.push_str("</ul>");
    }

    fn write_non_field(&self, out: &mut String) {
        self.write_list(out, NON_FIELD, "errorlist nonfield");
    }

    fn write_field(&self, out: &mut String, field: &str) {
        self.write_list(out, field, "errorlist");
    }
}

/// `<form method="post">` and the CSRF field. The action is empty: the
/// form posts to its own URL, query string (`?next=`) included.
fn open_form(out: &mut String, request: &Request) {
    let token = crate::csrf::csrf_token(request);
    let _ = write!(
        out,
        "<form method=\"post\" action=\"\">\
         <input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"{}\">",
        escape(&token)
    );
}

/// The `next` of a form or query, if it is safe to redirect to.
fn safe_next(request: &Request, form: &Form) -> Option<String> {
    let next = form
        .value("next")
        .map(str::to_owned)
        .or_else(|| request.query_value("next"))?;
    safe_redirect(request, &next)
}

/// `target` if it stays on this site (Django's `url_has_allowed_host_and_scheme`
/// with the request's host).
fn safe_redirect(request: &Request, target: &str) -> Option<String> {
    let hosts: Vec<&str> = request.host().into_iter().collect();
    url_has_allowed_host_and_scheme(target, &hosts, false).then(|| target.to_owned())
}

fn with_trailing_slash(path: &str) -> String {
    if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    }
}

/// The prefix the pages are mounted under, from a page whose own pattern
/// is `own`; the login page's folder when the path does not end with it.
fn prefix_before(request: &Request, own: &str) -> String {
    match request.raw_path().strip_suffix(own) {
        Some(prefix) => prefix.to_owned(),
        None => {
            let login = login_url(request);
            let trimmed = login.trim_end_matches('/');
            trimmed
                .rsplit_once('/')
                .map_or_else(|| "/".to_owned(), |(folder, _)| format!("{folder}/"))
        }
    }
}

/// The URL of page `target` next to this page (`own`).
fn sibling(request: &Request, own: &str, target: &str) -> String {
    format!("{}{target}", prefix_before(request, own))
}

/// Django's `EmailValidator`, loosely: one `@`, something on both sides,
/// a dot in the domain, no spaces.
fn looks_like_email(email: &str) -> bool {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !email.chars().any(char::is_whitespace)
                && (domain.contains('.') || domain == "localhost")
        }
        None => false,
    }
}

/// Django's `never_cache`: account pages are never stored by caches.
fn never_cache(response: Response) -> Response {
    response
        .with_header(
            CACHE_CONTROL,
            HeaderValue::from_static("max-age=0, no-cache, no-store, must-revalidate, private"),
        )
        .with_header(
            EXPIRES,
            HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"),
        )
}

const STYLE: &str = "\
body{margin:0;background:#f5f6f8;color:#1f2933;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\
main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #d9dee4;border-radius:8px}\
h1{margin:0 0 1.25rem;font-size:1.5rem}\
label{display:block;margin-bottom:.25rem;font-weight:600}\
input[type=text],input[type=password],input[type=email]{box-sizing:border-box;width:100%;padding:.5rem .625rem;border:1px solid #b8c0ca;border-radius:4px;font:inherit}\
button{padding:.5rem 1.25rem;border:0;border-radius:4px;background:#2563eb;color:#fff;font:inherit;cursor:pointer}\
.errorlist{margin:0 0 .5rem;padding:.5rem .75rem;list-style:none;background:#fdecea;color:#a61b1b;border-radius:4px}\
.errornote{padding:.5rem .75rem;background:#fdecea;color:#a61b1b;border-radius:4px}\
.helptext{margin:-.25rem 0 1rem;padding-left:1.25rem;color:#52606d;font-size:.875rem}\
a{color:#2563eb}";

/// A whole page: `content` is HTML already escaped by the caller.
fn page(status: StatusCode, title: &str, content: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{content}</main></body></html>\n"
    );
    never_cache(Response::html(html).with_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_routes_every_page() {
        for (path, name) in [
            ("login/", "login"),
            ("password_change/done/", "password_change_done"),
            ("reset/done/", "password_reset_complete"),
        ] {
            let RouteMatch::Found { handler, .. } = route(&Method::GET, path) else {
                panic!("{path} not routed");
            };
            let page = AUTH_URLS.iter().find(|page| page.name == name).unwrap();
            assert_eq!(handler as usize, page.handler as usize, "{path}");
        }
        let RouteMatch::Found { params, .. } = route(&Method::POST, "reset/MQ/abc-123/") else {
            panic!("confirm not routed");
        };
        assert_eq!(params.get("uidb64"), Some("MQ"));
        assert_eq!(params.get("token"), Some("abc-123"));
        assert!(matches!(
            route(&Method::GET, "logout/"),
            RouteMatch::MethodNotAllowed { allow: POST_ONLY }
        ));
        assert!(matches!(
            route(&Method::GET, "reset//x/"),
            RouteMatch::NotFound
        ));
        assert!(matches!(route(&Method::GET, "nope/"), RouteMatch::NotFound));
    }

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a@example.com"));
        assert!(!looks_like_email("a@"));
        assert!(!looks_like_email("a b@example.com"));
        assert!(!looks_like_email("plain"));
    }

    #[test]
    fn pages_escape_their_title() {
        let response = page(StatusCode::OK, "<x>", "");
        let body = String::from_utf8(response.body().to_vec()).unwrap();
        assert!(body.contains("<title>&lt;x&gt;</title>"));
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "max-age=0, no-cache, no-store, must-revalidate, private"
        );
    }
}
