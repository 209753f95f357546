//! Users: the `auth_user` row as [`AuthUser`], creating users, checking
//! their passwords, changing them.
//!
//! Input: a [`Database`] with the [`super::AUTH_SCHEMA`] tables, user names
//! and passwords from forms or the command line. Output: user ids,
//! [`AuthUser`] values (with their permissions loaded), and [`AuthError`]s
//! carrying Django's messages.
//!
//! Timing: [`authenticate`] runs the password hasher once whether or not
//! the user exists (or has a usable password), so the answer time does not
//! tell which user names exist. Password hashing runs on tokio's blocking
//! pool.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use unicode_normalization::UnicodeNormalization;

use super::password::{
    PasswordError, check_password_async, hash_password_async, is_password_usable,
    make_unusable_password, must_update,
};
use super::permissions::permissions_for;
use super::validators::UserAttributes;
use crate::db::{Database, DbError, Row, Sql, Value};
use crate::error::HttpError;
use crate::template::context::{Perms, User};

/// Longest user name (Django's `max_length=150`).
pub const USERNAME_MAX_LENGTH: usize = 150;

/// Longest email address (Django's `EmailField` default of 254).
pub const EMAIL_MAX_LENGTH: usize = 254;

/// A row of `auth_user` and the user's permissions: what the auth
/// middleware puts into the request for the signed-in user.
///
/// The stored password hash is kept private and is left out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthUser {
    /// The primary key.
    pub id: i64,
    /// The user name (unique, case-sensitive).
    pub username: String,
    /// The email address (may be empty).
    pub email: String,
    /// First name (may be empty).
    pub first_name: String,
    /// Last name (may be empty).
    pub last_name: String,
    /// May use the admin.
    pub is_staff: bool,
    /// Has every permission.
    pub is_superuser: bool,
    /// May log in. Inactive users are treated as anonymous.
    pub is_active: bool,
    /// When the account was created (UTC).
    pub date_joined: DateTime,
    /// The last successful login (UTC), if any.
    pub last_login: Option<DateTime>,
    /// The user's permissions, `"app_label.codename"`, from the user's own
    /// and their groups' (every permission for a superuser).
    pub perms: Perms,
    password_hash: String,
}

impl fmt::Debug for AuthUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("is_staff", &self.is_staff)
            .field("is_superuser", &self.is_superuser)
            .field("is_active", &self.is_active)
            .field("perms", &self.perms.granted)
            .finish_non_exhaustive()
    }
}

impl AuthUser {
    /// The user as templates see it (`{{ user }}`, `user.is_authenticated`…).
    pub fn to_template_user(&self) -> User {
        User {
            id: Some(self.id),
            username: self.username.clone(),
            is_staff: self.is_staff,
            is_superuser: self.is_superuser,
            is_active: self.is_active,
            email: Some(self.email.clone()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
        }
    }

    /// Django's `has_perm("app_label.codename")`: an active superuser has
    /// every permission, an inactive user none.
    pub fn has_perm(&self, perm: &str) -> bool {
        if !self.is_active {
            return false;
        }
        self.is_superuser || self.perms.granted.iter().any(|granted| granted == perm)
    }

    /// Whether the user has every one of `perms`.
    pub fn has_perms(&self, perms: &[&str]) -> bool {
        perms.iter().all(|perm| self.has_perm(perm))
    }

    /// Whether the user has any permission of `app_label` (Django's `has_module_perms`).
    pub fn has_module_perms(&self, app_label: &str) -> bool {
        self.is_active && (self.is_superuser || self.perms.has_module(app_label))
    }

    /// First and last name, separated by a space and trimmed.
    pub fn get_full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// Whether the stored password can match some password.
    pub fn has_usable_password(&self) -> bool {
        is_password_usable(&self.password_hash)
    }

    /// The attributes the password similarity check compares with.
    pub fn attributes(&self) -> UserAttributes<'_> {
        UserAttributes {
            username: &self.username,
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
        }
    }

    /// The stored password hash (for the session auth hash and reset tokens).
    pub(crate) fn password_hash(&self) -> &str {
        &self.password_hash
    }

    /// A user from a row of [`USER_COLUMNS`], without permissions.
    fn from_row(row: &Row) -> Result<AuthUser, DbError> {
        Ok(AuthUser {
            id: row.get_i64(0)?,
            password_hash: row.get_text(1)?,
            last_login: row.get_opt_datetime(2)?,
            is_superuser: row.get_bool(3)?,
            username: row.get_text(4)?,
            first_name: row.get_text(5)?,
            last_name: row.get_text(6)?,
            email: row.get_text(7)?,
            is_staff: row.get_bool(8)?,
            is_active: row.get_bool(9)?,
            date_joined: row.get_datetime(10)?,
            perms: Perms::default(),
        })
    }

    #[cfg(test)]
    pub(crate) fn for_tests(id: i64, password_hash: &str) -> AuthUser {
        AuthUser {
            id,
            username: format!("user{id}"),
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            is_staff: false,
            is_superuser: false,
            is_active: true,
            date_joined: jiff::civil::date(2024, 1, 1).at(0, 0, 0, 0),
            last_login: None,
            perms: Perms::default(),
            password_hash: password_hash.to_owned(),
        }
    }
}

/// Why a user could not be created or changed.
#[derive(Debug)]
pub enum AuthError {
    /// The user name is empty, too long or has characters other than
    /// letters, digits and `@.+-_`; the message is Django's.
    InvalidUsername(String),
    /// Another user has this name.
    UsernameTaken,
    /// The email address is longer than 254 characters.
    InvalidEmail(String),
    /// The password fails the validators; Django's messages.
    InvalidPassword(Vec<String>),
    /// No permission `"app_label.codename"` exists (see [`super::sync_permissions`]).
    UnknownPermission(String),
    /// The password could not be hashed.
    Password(PasswordError),
    /// The database failed.
    Db(DbError),
    /// The input ended before a question of `createsuperuser` was answered.
    Cancelled,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::InvalidUsername(message) | AuthError::InvalidEmail(message) => {
                f.write_str(message)
            }
            AuthError::UsernameTaken => f.write_str("A user with that username already exists."),
            AuthError::InvalidPassword(messages) => f.write_str(&messages.join(" ")),
            AuthError::UnknownPermission(perm) => write!(f, "no permission named {perm:?}"),
            AuthError::Password(error) => error.fmt(f),
            AuthError::Db(error) => error.fmt(f),
            AuthError::Cancelled => f.write_str("cancelled: the input ended"),
        }
    }
}

impl std::error::Error for AuthError {}

impl From<DbError> for AuthError {
    fn from(error: DbError) -> AuthError {
        AuthError::Db(error)
    }
}

impl From<PasswordError> for AuthError {
    fn from(error: PasswordError) -> AuthError {
        AuthError::Password(error)
    }
}

/// Database failures are 500s; the others are the client's input: 400.
impl From<AuthError> for HttpError {
    fn from(error: AuthError) -> HttpError {
        match error {
            AuthError::Db(error) => error.into(),
            AuthError::Password(error) => HttpError::internal(error),
            other => HttpError::BadRequest(other.to_string()),
        }
    }
}

/// Django's `normalize_username`: Unicode NFKC, so look-alike forms of a
/// name (full-width letters, ligatures) are the same name.
pub fn normalize_username(username: &str) -> String {
    username.nfkc().collect()
}

/// Django's `normalize_email`: the domain part lower-cased.
pub fn normalize_email(email: &str) -> String {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => email.to_owned(),
    }
}

/// Django's `UnicodeUsernameValidator` and `max_length=150`, with its messages.
pub fn validate_username(username: &str) -> Result<(), String> {
    if username.is_empty() {
        return Err("This field is required.".to_owned());
    }
    let length = username.chars().count();
    if length > USERNAME_MAX_LENGTH {
        return Err(format!(
            "Ensure this value has at most {USERNAME_MAX_LENGTH} characters (it has {length})."
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '+' | '-');
    if !username.chars().all(allowed) {
        return Err("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.".to_owned());
    }
    Ok(())
}

/// The current instant as the UTC wall clock, to the microsecond (how the
/// runtime stores `datetime` values).
pub(crate) fn now_utc() -> DateTime {
    let now = Timestamp::now();
    let micros = now.subsec_nanosecond() / 1000 * 1000;
    let datetime = TimeZone::UTC.to_datetime(now);
    datetime
        .with()
        .subsec_nanosecond(micros)
        .build()
        .unwrap_or(datetime)
}

macro_rules! select_user {
    ($where_sqlite:literal, $where_postgres:literal) => {
        Sql::new(
            concat!(
                r#"SELECT "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined" FROM "auth_user" WHERE "#,
                $where_sqlite
            ),
            concat!(
                r#"SELECT "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined" FROM "auth_user" WHERE "#,
                $where_postgres
            ),
        )
    };
}

const USER_BY_ID: Sql = select_user!(r#""id" = ?1"#, r#""id" = $1"#);
const USER_BY_USERNAME: Sql = select_user!(r#""username" = ?1"#, r#""username" = $1"#);
const ACTIVE_USERS_BY_EMAIL: Sql = select_user!(
    r#"lower("email") = lower(?1) AND "is_active" ORDER BY "id""#,
    r#"lower("email") = lower($1) AND "is_active" ORDER BY "id""#
);

const INSERT_USER: Sql = Sql::new(
    r#"INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined") VALUES (?1, NULL, ?2, ?3, '', '', ?4, ?5, ?6, ?7)"#,
    r#"INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined") VALUES ($1, NULL, $2, $3, '', '', $4, $5, $6, $7) RETURNING "id""#,
);

const UPDATE_PASSWORD: Sql = Sql::new(
    r#"UPDATE "auth_user" SET "password" = ?1 WHERE "id" = ?2"#,
    r#"UPDATE "auth_user" SET "password" = $1 WHERE "id" = $2"#,
);

const UPDATE_LAST_LOGIN: Sql = Sql::new(
    r#"UPDATE "auth_user" SET "last_login" = ?1 WHERE "id" = ?2"#,
    r#"UPDATE "auth_user" SET "last_login" = $1 WHERE "id" = $2"#,
);

const UPDATE_ACTIVE: Sql = Sql::new(
    r#"UPDATE "auth_user" SET "is_active" = ?1 WHERE "id" = ?2"#,
    r#"UPDATE "auth_user" SET "is_active" = $1 WHERE "id" = $2"#,
);

const UPDATE_NAMES: Sql = Sql::new(
    r#"UPDATE "auth_user" SET "first_name" = ?1, "last_name" = ?2 WHERE "id" = ?3"#,
    r#"UPDATE "auth_user" SET "first_name" = $1, "last_name" = $2 WHERE "id" = $3"#,
);

/// What kind of account [`insert_user`] creates.
#[derive(Clone, Copy)]
struct Flags {
    is_staff: bool,
    is_superuser: bool,
}

async fn insert_user(
    db: &Database,
    username: &str,
    email: &str,
    password: Option<&str>,
    flags: Flags,
) -> Result<i64, AuthError> {
    let username = normalize_username(username);
    validate_username(&username).map_err(AuthError::InvalidUsername)?;
    let email = normalize_email(email);
    if email.chars().count() > EMAIL_MAX_LENGTH {
        return Err(AuthError::InvalidEmail(format!(
            "Ensure this value has at most {EMAIL_MAX_LENGTH} characters."
        )));
    }
    let stored = match password {
        Some(password) => hash_password_async(password.to_owned()).await?,
        None => make_unusable_password()?,
    };
    let inserted = db
        .insert_returning_id(
            &INSERT_USER,
            &[
                Value::Text(stored),
                Value::Bool(flags.is_superuser),
                Value::Text(username),
                Value::Text(email),
                Value::Bool(flags.is_staff),
                Value::Bool(true),
                Value::DateTime(now_utc()),
            ],
        )
        .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(error) if error.is_unique_violation() => Err(AuthError::UsernameTaken),
        Err(error) => Err(AuthError::Db(error)),
    }
}

/// Creates an active user (not staff, not superuser) and returns its id.
/// The user name is NFKC-normalized and must be valid; the email's domain
/// is lower-cased. `None` as password gives an unusable password. As in
/// Django, the password validators are not run here: forms and
/// `createsuperuser` run [`super::validate_password`] first.
pub async fn create_user(
    db: &Database,
    username: &str,
    email: &str,
    password: Option<&str>,
) -> Result<i64, AuthError> {
    let flags = Flags {
        is_staff: false,
        is_superuser: false,
    };
    insert_user(db, username, email, password, flags).await
}

/// Like [`create_user`], with `is_staff` and `is_superuser` set.
pub async fn create_superuser(
    db: &Database,
    username: &str,
    email: &str,
    password: Option<&str>,
) -> Result<i64, AuthError> {
    let flags = Flags {
        is_staff: true,
        is_superuser: true,
    };
    insert_user(db, username, email, password, flags).await
}

/// The user with `id`, active or not, with permissions loaded.
pub async fn get_user(db: &Database, id: i64) -> Result<Option<AuthUser>, DbError> {
    let Some(row) = db.query_opt(&USER_BY_ID, &[Value::Int(id)]).await? else {
        return Ok(None);
    };
    with_perms(db, AuthUser::from_row(&row)?).await.map(Some)
}

/// The user named `username` (exactly, after NFKC normalization), active
/// or not, with permissions loaded.
pub async fn get_user_by_username(
    db: &Database,
    username: &str,
) -> Result<Option<AuthUser>, DbError> {
    let username = normalize_username(username);
    let Some(row) = db
        .query_opt(&USER_BY_USERNAME, &[Value::Text(username)])
        .await?
    else {
        return Ok(None);
    };
    with_perms(db, AuthUser::from_row(&row)?).await.map(Some)
}

/// The active users whose email is `email` (case-insensitive) and whose
/// password is usable: who a password reset for `email` goes to (Django's
/// `PasswordResetForm.get_users`). Without permissions.
pub async fn users_for_password_reset(
    db: &Database,
    email: &str,
) -> Result<Vec<AuthUser>, DbError> {
    let rows = db
        .query(&ACTIVE_USERS_BY_EMAIL, &[Value::from(email.trim())])
        .await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in &rows {
        let user = AuthUser::from_row(row)?;
        if user.has_usable_password() {
            users.push(user);
        }
    }
    Ok(users)
}

async fn with_perms(db: &Database, mut user: AuthUser) -> Result<AuthUser, DbError> {
    if user.is_active {
        user.perms = Perms {
            granted: permissions_for(db, user.id, user.is_superuser).await?,
        };
    }
    Ok(user)
}

/// The active user named `username` whose password is `password`, with
/// permissions loaded; `None` otherwise (unknown name, wrong password,
/// unusable password, inactive user — not told apart, as in Django).
///
/// The hasher runs once in every case. A password stored with other costs
/// (or with Django's PBKDF2) is rehashed with the current ones.
pub async fn authenticate(
    db: &Database,
    username: &str,
    password: &str,
) -> Result<Option<AuthUser>, DbError> {
    let username = normalize_username(username);
    let row = db
        .query_opt(&USER_BY_USERNAME, &[Value::Text(username)])
        .await?;
    let user = match row {
        Some(row) => AuthUser::from_row(&row)?,
        None => {
            // Same work as a real check, so timing does not reveal the name.
            let _ = hash_password_async(password.to_owned()).await;
            return Ok(None);
        }
    };
    if !user.has_usable_password() {
        let _ = hash_password_async(password.to_owned()).await;
        return Ok(None);
    }
    let matches = check_password_async(password.to_owned(), user.password_hash.clone()).await;
    if !matches || !user.is_active {
        return Ok(None);
    }
    let mut user = user;
    if must_update(&user.password_hash) {
        match hash_password_async(password.to_owned()).await {
            Ok(stored) => {
                db.execute(
                    &UPDATE_PASSWORD,
                    &[Value::Text(stored.clone()), Value::Int(user.id)],
                )
                .await?;
                user.password_hash = stored;
            }
            Err(error) => {
                tracing::warn!(user_id = user.id, %error, "could not upgrade a password hash")
            }
        }
    }
    with_perms(db, user).await.map(Some)
}

/// Stores a new hash of `password` for user `user_id` (no validation: run
/// [`super::validate_password`] first). This ends the user's other sessions
/// and invalidates their reset links. A missing user is `Db(NotFound)`.
pub async fn set_password(db: &Database, user_id: i64, password: &str) -> Result<(), AuthError> {
    let stored = hash_password_async(password.to_owned()).await?;
    store_password(db, user_id, stored).await
}

/// Makes user `user_id`'s password unusable (no password logs them in).
pub async fn set_unusable_password(db: &Database, user_id: i64) -> Result<(), AuthError> {
    store_password(db, user_id, make_unusable_password()?).await
}

async fn store_password(db: &Database, user_id: i64, stored: String) -> Result<(), AuthError> {
    let changed = db
        .execute(
            &UPDATE_PASSWORD,
            &[Value::Text(stored), Value::Int(user_id)],
        )
        .await?;
    if changed == 0 {
        return Err(AuthError::Db(DbError::not_found(format!(
            "no user with id {user_id}"
        ))));
    }
    Ok(())
}

/// Sets `last_login` of user `user_id` to now; returns the time stored.
pub async fn update_last_login(db: &Database, user_id: i64) -> Result<DateTime, DbError> {
    let now = now_utc();
    db.execute(
        &UPDATE_LAST_LOGIN,
        &[Value::DateTime(now), Value::Int(user_id)],
    )
    .await?;
    Ok(now)
}

/// Activates or deactivates user `user_id` (an inactive user cannot log in
/// and their sessions become anonymous).
pub async fn set_active(db: &Database, user_id: i64, active: bool) -> Result<(), DbError> {
    db.execute(&UPDATE_ACTIVE, &[Value::Bool(active), Value::Int(user_id)])
        .await?;
    Ok(())
}

/// Sets the first and last name of user `user_id`.
pub async fn set_names(
    db: &Database,
    user_id: i64,
    first_name: &str,
    last_name: &str,
) -> Result<(), DbError> {
    db.execute(
        &UPDATE_NAMES,
        &[
            Value::from(first_name),
            Value::from(last_name),
            Value::Int(user_id),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_django_rules() {
        assert!(validate_username("alice.b+c@d-e_f").is_ok());
        assert!(validate_username("Zoë").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("with space").is_err());
        assert!(validate_username("semi;colon").is_err());
        assert!(validate_username(&"x".repeat(150)).is_ok());
        assert_eq!(
            validate_username(&"x".repeat(151)).unwrap_err(),
            "Ensure this value has at most 150 characters (it has 151)."
        );
        assert_eq!(normalize_username("ｊｏｅ"), "joe");
    }

    #[test]
    fn emails_lower_case_the_domain_only() {
        assert_eq!(normalize_email(" Bob@Example.COM "), "Bob@example.com");
        assert_eq!(normalize_email("no-at-sign"), "no-at-sign");
        assert_eq!(normalize_email(""), "");
    }

    #[test]
    fn debug_output_leaves_out_the_hash() {
        let user = AuthUser::for_tests(7, "argon2$argon2id$secret-hash");
        let printed = format!("{user:?}");
        assert!(printed.contains("user7"));
        assert!(!printed.contains("secret-hash"));
    }

    #[test]
    fn permissions_follow_activity_and_superuser() {
        let mut user = AuthUser::for_tests(1, "!");
        user.perms.granted = vec!["blog.add_post".to_owned()];
        assert!(user.has_perm("blog.add_post"));
        assert!(!user.has_perm("blog.delete_post"));
        assert!(user.has_module_perms("blog"));
        assert!(!user.has_module_perms("shop"));
        user.is_superuser = true;
        assert!(user.has_perms(&["blog.delete_post", "shop.anything"]));
        user.is_active = false;
        assert!(!user.has_perm("blog.add_post"));
        let template = user.to_template_user();
        assert_eq!(template.id, Some(1));
        assert!(template.is_authenticated());
    }
}
