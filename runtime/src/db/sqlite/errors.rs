//! SQLite errors to [`DbError`]s.
//!
//! Input: a `rusqlite::Error`. Output: a [`DbError`] whose kind comes from
//! SQLite's extended result code, with the constraint's columns or name
//! taken from SQLite's fixed English messages (`UNIQUE constraint failed:
//! blog_post.slug`).

use rusqlite::ErrorCode;
use rusqlite::ffi;

use crate::db::error::{DbError, DbErrorKind};

/// The [`DbError`] for a rusqlite error.
pub(crate) fn map_error(error: rusqlite::Error) -> DbError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let message = message.clone().unwrap_or_else(|| failure.to_string());
            DbError::new(kind_of_failure(failure, &message), message)
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::Utf8Error(..)
        | rusqlite::Error::ToSqlConversionFailure(..) => DbError::decode(error.to_string()),
        rusqlite::Error::QueryReturnedNoRows => DbError::not_found(error.to_string()),
        _ => DbError::other(error.to_string()),
    }
}

fn kind_of_failure(failure: &ffi::Error, message: &str) -> DbErrorKind {
    let detail = |prefix: &str| message.strip_prefix(prefix).map(str::trim);
    // `table.column` → `column`.
    let column = |qualified: &str| {
        qualified
            .rsplit_once('.')
            .map_or(qualified, |(_, column)| column)
            .to_owned()
    };
    match failure.extended_code {
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            let columns = detail("UNIQUE constraint failed:")
                .map(|list| list.split(", ").map(column).collect())
                .unwrap_or_default();
            DbErrorKind::UniqueViolation {
                constraint: None,
                columns,
            }
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => DbErrorKind::ForeignKeyViolation { constraint: None },
        ffi::SQLITE_CONSTRAINT_CHECK => DbErrorKind::CheckViolation {
            constraint: detail("CHECK constraint failed:").map(str::to_owned),
        },
        ffi::SQLITE_CONSTRAINT_NOTNULL => DbErrorKind::NotNullViolation {
            column: detail("NOT NULL constraint failed:").map(column),
        },
        _ => match failure.code {
            ErrorCode::CannotOpen
            | ErrorCode::NotADatabase
            | ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::PermissionDenied
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull => DbErrorKind::Connection,
            _ => DbErrorKind::Other,
        },
    }
}
