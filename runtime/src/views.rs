//! Helpers the generated views call: access checks, form values as
//! database values, and the answers of write views.
//!
//! Input: the request, a validated [`Form`], database errors. Output:
//! [`Value`]s to bind, or the [`Response`] / [`HttpError`] Django's generic
//! views would give. Kept here, compiled once, rather than repeated in each
//! generated crate.

use http::StatusCode;
use http::header::HeaderValue;

use crate::db::{DbError, DbErrorKind, Row, Value};
use crate::error::HttpError;
use crate::forms::{Cleaned, Form};
use crate::request::Request;
use crate::response::Response;

/// The access a view requires (`login_required`, `staff_required`,
/// `permission = "app.codename"`).
#[derive(Clone, Copy, Debug)]
pub struct Access<'a> {
    /// Where anonymous users are sent (`[auth] login_url`).
    pub login_url: &'a str,
    /// `staff_required`.
    pub staff: bool,
    /// `permission = "…"`.
    pub permission: Option<&'a str>,
    /// A JSON view: anonymous users get 403 instead of a redirect.
    pub json: bool,
}

/// Checks `access`: `Ok(None)` lets the view run, `Ok(Some(redirect))`
/// sends an anonymous user to the login page (Django's
/// `redirect_to_login`), `Err(403)` refuses a signed-in user without the
/// staff flag or the permission.
pub fn require(request: &Request, access: Access<'_>) -> Result<Option<Response>, HttpError> {
    let Some(user) = crate::auth::current_user(request) else {
        if access.json {
            return Err(HttpError::Forbidden(
                "Authentication credentials were not provided.".to_owned(),
            ));
        }
        return Ok(Some(crate::auth::login_redirect(request, access.login_url)));
    };
    if access.staff && !user.is_staff {
        return Err(HttpError::Forbidden(
            "this page is for staff members".to_owned(),
        ));
    }
    if let Some(permission) = access.permission
        && !crate::auth::has_perm(request, permission)
    {
        return Err(HttpError::Forbidden(format!(
            "you do not have the permission {permission}"
        )));
    }
    Ok(None)
}

/// The cleaned value of a single-valued field (`NULL` when absent).
pub fn cleaned(form: &Form, field: &str) -> Value {
    match form.cleaned(field) {
        Some(Cleaned::Value(value)) => value.clone(),
        _ => Value::Null,
    }
}

/// The cleaned value of a `null` field: empty text is stored as `NULL`
/// (Django's `empty_value = None` for nullable fields).
pub fn cleaned_or_null(form: &Form, field: &str) -> Value {
    match cleaned(form, field) {
        Value::Text(text) if text.is_empty() => Value::Null,
        value => value,
    }
}

/// The value an update writes to `field`: the cleaned value when the
/// request sent the field, else the row's `current` value (a `PATCH`
/// changes only the fields it sends). Empty text of a `nullable` field is
/// `NULL`.
pub fn cleaned_or_current(form: &Form, field: &str, current: Value, nullable: bool) -> Value {
    match form.cleaned(field) {
        Some(Cleaned::Value(Value::Text(text))) if nullable && text.is_empty() => Value::Null,
        Some(Cleaned::Value(value)) => value.clone(),
        Some(Cleaned::Values(_)) | None => current,
    }
}

/// Whether the request sent `field` (a `PATCH` may leave fields out).
pub fn was_sent(form: &Form, field: &str) -> bool {
    form.cleaned(field).is_some()
}

/// The cleaned keys of a many-to-many field.
pub fn cleaned_many(form: &Form, field: &str) -> Vec<Value> {
    match form.cleaned(field) {
        Some(Cleaned::Values(values)) => values.clone(),
        _ => Vec::new(),
    }
}

/// The values of `fields` for a uniqueness check, or `None` when one of
/// them has an error or no value (Django skips the check then; `NULL`s
/// never collide).
pub fn unique_values(form: &Form, fields: &[&str]) -> Option<Vec<Value>> {
    fields
        .iter()
        .map(|field| {
            if form.has_error(field) {
                return None;
            }
            match form.cleaned(field) {
                Some(Cleaned::Value(Value::Null)) | None => None,
                Some(Cleaned::Value(value)) => Some(value.clone()),
                Some(Cleaned::Values(_)) => None,
            }
        })
        .collect()
}

/// The first column of each row.
pub fn first_column(rows: &[Row]) -> Result<Vec<Value>, DbError> {
    rows.iter().map(|row| row.value(0).cloned()).collect()
}

/// A failed write: a uniqueness race lost to another request is a 409,
/// anything else a 500.
pub fn write_error(error: DbError) -> HttpError {
    match error.kind() {
        DbErrorKind::UniqueViolation { .. } => HttpError::Conflict(
            "another request saved the same unique value first; reload and try again".to_owned(),
        ),
        DbErrorKind::ForeignKeyViolation { .. } => HttpError::Conflict(
            "a related row was deleted meanwhile; reload and try again".to_owned(),
        ),
        _ => HttpError::internal(error),
    }
}

/// Why a write did not happen: the database refused it, or a hook
/// (`on pre_save …`) returned an error.
#[derive(Debug)]
pub enum WriteError {
    /// The database refused a statement.
    Db(DbError),
    /// A hook refused the write.
    Hook(HttpError),
}

impl From<DbError> for WriteError {
    fn from(error: DbError) -> WriteError {
        WriteError::Db(error)
    }
}

impl From<HttpError> for WriteError {
    fn from(error: HttpError) -> WriteError {
        WriteError::Hook(error)
    }
}

/// A write refused after the form was valid: a violated `check (…)`
/// constraint becomes Django's non-field error and a lost uniqueness race
/// a non-field error, so the form is shown again; a hook's error or any
/// other database error ends the request.
pub fn form_write_error(form: &mut Form, error: WriteError) -> Result<(), HttpError> {
    let error = match error {
        WriteError::Db(error) => error,
        WriteError::Hook(error) => return Err(error),
    };
    match error.kind() {
        DbErrorKind::CheckViolation { constraint } => {
            let name = constraint.clone().unwrap_or_default();
            form.add_constraint_error(&name);
            Ok(())
        }
        DbErrorKind::UniqueViolation { .. } => {
            form.add_error(
                None,
                "Another entry with the same unique values was saved meanwhile.",
            );
            Ok(())
        }
        _ => Err(write_error(error)),
    }
}

/// A refused delete: rows of a `protect`ed or `restrict`ed relation still
/// refer to the row (Django's `ProtectedError` / `RestrictedError`), 409.
pub fn delete_error(error: DbError, what: &str) -> HttpError {
    match error.kind() {
        DbErrorKind::ForeignKeyViolation { .. } => HttpError::Conflict(format!(
            "Cannot delete this {what}: other rows refer to it through protected relations. \
             Delete or change them first."
        )),
        _ => HttpError::internal(error),
    }
}

/// An integer value (0 for anything else).
pub fn value_int(value: &Value) -> i64 {
    match value {
        Value::Int(number) => *number,
        Value::Text(text) => text.parse().unwrap_or_default(),
        _ => 0,
    }
}

/// A UUID value (nil for anything else).
pub fn value_uuid(value: &Value) -> uuid::Uuid {
    match value {
        Value::Uuid(uuid) => *uuid,
        Value::Text(text) => uuid::Uuid::try_parse(text).unwrap_or_default(),
        _ => uuid::Uuid::nil(),
    }
}

/// The body of a JSON request: 415 for another content type, 400 for
/// malformed JSON.
pub fn json_body(request: &Request) -> Result<serde_json::Value, HttpError> {
    let content_type = request
        .header(http::header::CONTENT_TYPE)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/json") {
        return Err(HttpError::UnsupportedMediaType(format!(
            "send the object as application/json, not {content_type:?}"
        )));
    }
    serde_json::from_slice(request.body())
        .map_err(|error| HttpError::BadRequest(format!("JSON parse error: {error}")))
}

/// 400 with the form's errors, as Django REST framework answers.
pub fn json_errors(form: &Form) -> Response {
    let body = form.errors_json().to_string();
    json_with_status(body, StatusCode::BAD_REQUEST)
}

/// JSON text with `status`.
pub fn json_with_status(body: String, status: StatusCode) -> Response {
    Response::with_content(HeaderValue::from_static("application/json"), body).with_status(status)
}

/// 204 No Content.
pub fn no_content() -> Response {
    Response::new(StatusCode::NO_CONTENT)
}
