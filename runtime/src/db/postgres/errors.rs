//! PostgreSQL errors to [`DbError`]s.
//!
//! Input: a tokio-postgres or deadpool error. Output: a [`DbError`] whose
//! kind comes from the SQLSTATE code (class 23 for constraints, class 08
//! and shutdowns for connections), with the constraint's name and, for
//! unique violations, the columns from the server's detail
//! (`Key (email)=(…) already exists.`).

use std::error::Error as _;

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::WrongType;

use crate::db::error::{DbError, DbErrorKind};
use crate::db::postgres::types::ConversionError;

/// The [`DbError`] for a tokio-postgres error.
pub(crate) fn map_error(error: tokio_postgres::Error) -> DbError {
    if let Some(server) = error.as_db_error() {
        let message = match server.detail() {
            Some(detail) => format!("{} ({detail})", server.message()),
            None => server.message().to_owned(),
        };
        let constraint = server.constraint().map(str::to_owned);
        let code = server.code();
        let kind = if *code == SqlState::UNIQUE_VIOLATION {
            DbErrorKind::UniqueViolation {
                constraint,
                columns: server.detail().map(key_columns).unwrap_or_default(),
            }
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            DbErrorKind::ForeignKeyViolation { constraint }
        } else if *code == SqlState::CHECK_VIOLATION {
            DbErrorKind::CheckViolation { constraint }
        } else if *code == SqlState::NOT_NULL_VIOLATION {
            DbErrorKind::NotNullViolation {
                column: server.column().map(str::to_owned),
            }
        } else if code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::TOO_MANY_CONNECTIONS,
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                SqlState::INVALID_PASSWORD,
                SqlState::INVALID_CATALOG_NAME,
            ]
            .contains(code)
        {
            DbErrorKind::Connection
        } else {
            DbErrorKind::Other
        };
        return DbError::new(kind, message);
    }
    let message = error.to_string();
    let source = error.source();
    if source.is_some_and(|source| source.is::<ConversionError>() || source.is::<WrongType>()) {
        DbError::decode(message)
    } else if error.is_closed() || source.is_some_and(|source| source.is::<std::io::Error>()) {
        DbError::connection(message)
    } else {
        DbError::other(message)
    }
}

/// The [`DbError`] for a failure to get a pooled connection.
pub(crate) fn map_pool_error(error: PoolError) -> DbError {
    match error {
        PoolError::Backend(error) => {
            let error = map_error(error);
            match error.kind() {
                DbErrorKind::Other => DbError::connection(error.message()),
                _ => error,
            }
        }
        other => DbError::connection(format!("PostgreSQL pool: {other}")),
    }
}

/// `Key (a, b)=(1, 2) already exists.` → `["a", "b"]`.
fn key_columns(detail: &str) -> Vec<String> {
    detail
        .strip_prefix("Key (")
        .and_then(|rest| rest.split_once(")=("))
        .map(|(columns, _)| {
            columns
                .split(", ")
                .map(|column| column.trim_matches('"').to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_detail_names_the_columns() {
        assert_eq!(
            key_columns("Key (email)=(a@b.c) already exists."),
            ["email"]
        );
        assert_eq!(
            key_columns("Key (author_id, slug)=(1, x) already exists."),
            ["author_id", "slug"]
        );
        assert!(key_columns("something else").is_empty());
    }
}
