//! Database errors, one vocabulary for both backends.
//!
//! Input: a rusqlite or tokio-postgres error (mapped in the backend
//! modules from SQLite's extended result codes and PostgreSQL's SQLSTATE),
//! or a failure of this layer (no row, a value of the wrong type, a pool
//! time-out). Output: a [`DbError`] whose [`DbErrorKind`] generated code
//! matches on — a unique violation becomes a form field error, `NotFound`
//! a 404 — and whose message is for logs and the debug page.

use std::fmt;

use crate::error::HttpError;

/// What went wrong, as far as callers need to tell cases apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbErrorKind {
    /// The query matched no row where one was required (`query_one`).
    NotFound,
    /// A `UNIQUE` or primary key constraint rejected the row.
    UniqueViolation {
        /// The constraint's name (PostgreSQL; SQLite does not report it).
        constraint: Option<String>,
        /// The columns of the constraint, when the backend says (SQLite
        /// always; PostgreSQL in its detail message).
        columns: Vec<String>,
    },
    /// A `FOREIGN KEY` constraint rejected the change (a missing target row,
    /// or a delete of a row still referenced).
    ForeignKeyViolation {
        /// The constraint's name (PostgreSQL; SQLite does not report it).
        constraint: Option<String>,
    },
    /// A `CHECK` constraint rejected the row.
    CheckViolation {
        /// The constraint's name (SQLite reports the name of a named
        /// constraint, or the expression of an unnamed one).
        constraint: Option<String>,
    },
    /// A `NOT NULL` column was given no value.
    NotNullViolation {
        /// The column, when the backend says.
        column: Option<String>,
    },
    /// The database cannot be reached or opened, a connection broke, or no
    /// connection became free in time.
    Connection,
    /// A column value does not convert to the requested Rust type, or a
    /// parameter does not convert to the column's type.
    Decode,
    /// Anything else: a syntax error, a missing table, a serialization failure…
    Other,
}

/// A failed database operation: its [`DbErrorKind`] and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbError {
    kind: DbErrorKind,
    message: String,
}

impl DbError {
    /// An error of `kind` described by `message`.
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            message: message.into(),
        }
    }

    /// A [`DbErrorKind::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::NotFound, message)
    }

    /// A [`DbErrorKind::Decode`] error.
    pub fn decode(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::Decode, message)
    }

    /// A [`DbErrorKind::Connection`] error.
    pub fn connection(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::Connection, message)
    }

    /// A [`DbErrorKind::Other`] error.
    pub fn other(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::Other, message)
    }

    /// What went wrong.
    pub fn kind(&self) -> &DbErrorKind {
        &self.kind
    }

    /// The backend's message (may name tables and values: log it, show it
    /// only on debug pages).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is a unique violation (a duplicate key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self.kind, DbErrorKind::UniqueViolation { .. })
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DbErrorKind::NotFound => "no matching row",
            DbErrorKind::UniqueViolation { .. } => "unique constraint violated",
            DbErrorKind::ForeignKeyViolation { .. } => "foreign key constraint violated",
            DbErrorKind::CheckViolation { .. } => "check constraint violated",
            DbErrorKind::NotNullViolation { .. } => "not-null constraint violated",
            DbErrorKind::Connection => "database unavailable",
            DbErrorKind::Decode => "value conversion failed",
            DbErrorKind::Other => "database error",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl std::error::Error for DbError {}

/// `NotFound` becomes a 404; everything else a 500. The message goes into
/// the error's detail, which only the debug error page shows.
impl From<DbError> for HttpError {
    fn from(error: DbError) -> HttpError {
        match error.kind {
            DbErrorKind::NotFound => HttpError::NotFound(error.message),
            _ => HttpError::Internal(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    #[test]
    fn not_found_is_a_404_and_the_rest_a_500() {
        let missing: HttpError = DbError::not_found("no post with slug `x`").into();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.to_string(), "not found: no post with slug `x`");

        let unique = DbError::new(
            DbErrorKind::UniqueViolation {
                constraint: None,
                columns: vec!["slug".to_owned()],
            },
            "UNIQUE constraint failed: blog_post.slug",
        );
        assert!(unique.is_unique_violation());
        let http: HttpError = unique.into();
        assert_eq!(http.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(http.to_string().contains("blog_post.slug"));
    }
}
