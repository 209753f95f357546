//! Applying migrations: the scripts `djinn makemigrations` wrote, each
//! once, in order, recorded in the table `djinn_migrations`.
//!
//! Input: a [`Database`] and the project's [`Migration`]s (a name and a
//! script per dialect, embedded by the generated binary). Output: the names
//! applied by this call ([`migrate`]), or each migration with whether it is
//! applied ([`migration_status`]); a migration recorded without running
//! ([`mark_applied`]); failures as [`DbError`]s.
//!
//! How a migration is applied:
//! - in a transaction of its own, which also records it: a migration that
//!   fails leaves nothing behind (both databases have transactional DDL)
//!   and is tried again next time;
//! - its script is split into statements on the `;`s outside quotes and
//!   comments ([`split_statements`]) and each runs as one statement;
//! - on PostgreSQL the transaction first takes an advisory lock, and then
//!   looks again whether the migration is recorded, so that servers starting
//!   at the same time apply it once; on SQLite, `BEGIN IMMEDIATE` holds the
//!   database's write lock for the same purpose;
//! - on SQLite, foreign keys are not enforced during the migration (SQLite
//!   needs that to rebuild a table: `PRAGMA foreign_keys` only changes
//!   outside a transaction) and `PRAGMA foreign_key_check` must find no
//!   broken reference before the commit — the procedure SQLite documents for
//!   schema changes, as Django follows it.
//!
//! Run migrations before the server takes requests (the generated binary's
//! `migrate` command): on SQLite, switching foreign keys off affects the
//! one writer connection while the migration runs.

use std::collections::BTreeSet;

use crate::db::database::Database;
use crate::db::error::{DbError, DbErrorKind};
use crate::db::sql::{Dialect, Sql};
use crate::db::transaction::Transaction;
use crate::db::value::Value;

/// One migration: `migrations/NNNN_name.toml` of the project, compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The name (`0002_post_add_subtitle`), recorded once applied.
    pub name: &'static str,
    /// The whole script of each dialect: statements separated by `;`.
    pub sql: Sql,
}

const CREATE_TABLE: Sql = Sql::new(
    "CREATE TABLE IF NOT EXISTS \"djinn_migrations\" (\"name\" varchar(255) NOT NULL PRIMARY KEY, \"applied_at\" datetime NOT NULL)",
    "CREATE TABLE IF NOT EXISTS \"djinn_migrations\" (\"name\" varchar(255) NOT NULL PRIMARY KEY, \"applied_at\" timestamp with time zone NOT NULL)",
);

const TABLE_EXISTS: Sql = Sql::new(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'djinn_migrations'",
    "SELECT 1 WHERE to_regclass('djinn_migrations') IS NOT NULL",
);

/// PostgreSQL: one key for every djinn migration run on the database,
/// released when the transaction ends ("djinn_mi" in ASCII).
const LOCK: Sql = Sql::portable("SELECT pg_advisory_xact_lock(7812726746345236841)");

const APPLIED: Sql = Sql::portable("SELECT \"name\" FROM \"djinn_migrations\"");

const IS_APPLIED: Sql = Sql::new(
    "SELECT 1 FROM \"djinn_migrations\" WHERE \"name\" = ?1",
    "SELECT 1 FROM \"djinn_migrations\" WHERE \"name\" = $1",
);

const RECORD: Sql = Sql::new(
    "INSERT INTO \"djinn_migrations\" (\"name\", \"applied_at\") VALUES (?1, CURRENT_TIMESTAMP)",
    "INSERT INTO \"djinn_migrations\" (\"name\", \"applied_at\") VALUES ($1, CURRENT_TIMESTAMP)",
);

const FOREIGN_KEYS_OFF: Sql = Sql::portable("PRAGMA foreign_keys = OFF");
const FOREIGN_KEYS_ON: Sql = Sql::portable("PRAGMA foreign_keys = ON");
const FOREIGN_KEY_CHECK: Sql = Sql::portable("PRAGMA foreign_key_check");

/// Applies the migrations not yet recorded, in order; the names of those
/// this call applied (none when the database is up to date). Stops at the
/// first failure, which names the migration and the statement; the
/// migrations applied before it stay applied.
pub async fn migrate(
    db: &Database,
    migrations: &[Migration],
) -> Result<Vec<&'static str>, DbError> {
    ensure_table(db).await?;
    let applied = applied_names(db).await?;
    let mut done = Vec::new();
    for migration in migrations {
        if applied.contains(migration.name) {
            continue;
        }
        if apply(db, migration).await? {
            done.push(migration.name);
        }
    }
    Ok(done)
}

/// Each migration with whether the database records it as applied (all
/// `false` before the first `migrate`). Changes nothing.
pub async fn migration_status(
    db: &Database,
    migrations: &[Migration],
) -> Result<Vec<(&'static str, bool)>, DbError> {
    let applied = if db.query_opt(&TABLE_EXISTS, &[]).await?.is_some() {
        applied_names(db).await?
    } else {
        BTreeSet::new()
    };
    Ok(migrations
        .iter()
        .map(|migration| (migration.name, applied.contains(migration.name)))
        .collect())
}

/// Records `migration` as applied without running its script, as Django's
/// `migrate --fake` does: for a database whose tables were created before
/// the project had migrations (by the schema `migrate` used to create).
/// Whether it was not recorded before.
pub async fn mark_applied(db: &Database, migration: &Migration) -> Result<bool, DbError> {
    ensure_table(db).await?;
    let mut transaction = db.begin().await?;
    lock(&mut transaction).await?;
    let name = Value::from(migration.name);
    if transaction
        .query_opt(&IS_APPLIED, std::slice::from_ref(&name))
        .await?
        .is_some()
    {
        transaction.rollback().await?;
        return Ok(false);
    }
    transaction.execute(&RECORD, &[name]).await?;
    transaction.commit().await?;
    Ok(true)
}

/// Creates `djinn_migrations` if it is missing (under the lock on
/// PostgreSQL, where two concurrent `CREATE TABLE IF NOT EXISTS` can clash).
async fn ensure_table(db: &Database) -> Result<(), DbError> {
    let mut transaction = db.begin().await?;
    lock(&mut transaction).await?;
    transaction.execute(&CREATE_TABLE, &[]).await?;
    transaction.commit().await
}

async fn lock(transaction: &mut Transaction) -> Result<(), DbError> {
    if transaction.dialect() == Dialect::Postgres {
        transaction.execute(&LOCK, &[]).await?;
    }
    Ok(())
}

async fn applied_names(db: &Database) -> Result<BTreeSet<String>, DbError> {
    db.query(&APPLIED, &[])
        .await?
        .iter()
        .map(|row| row.get_text(0))
        .collect()
}

/// Applies one migration unless another process just did; whether this
/// call applied it.
async fn apply(db: &Database, migration: &Migration) -> Result<bool, DbError> {
    let sqlite = db.dialect() == Dialect::Sqlite;
    if sqlite {
        db.execute(&FOREIGN_KEYS_OFF, &[]).await?;
    }
    let outcome = apply_in_transaction(db, migration).await;
    if sqlite {
        let restored = db.execute(&FOREIGN_KEYS_ON, &[]).await;
        if outcome.is_ok() {
            restored?;
        }
    }
    outcome
}

async fn apply_in_transaction(db: &Database, migration: &Migration) -> Result<bool, DbError> {
    let dialect = db.dialect();
    let mut transaction = db.begin().await?;
    lock(&mut transaction).await?;
    let name = Value::from(migration.name);
    if transaction
        .query_opt(&IS_APPLIED, std::slice::from_ref(&name))
        .await?
        .is_some()
    {
        transaction.rollback().await?;
        return Ok(false);
    }
    for statement in split_statements(migration.sql.text(dialect), dialect) {
        transaction
            .execute(&Sql::portable(statement), &[])
            .await
            .map_err(|error| {
                DbError::new(
                    error.kind().clone(),
                    format!(
                        "migration {} failed: {}; the statement was: {statement}",
                        migration.name,
                        error.message()
                    ),
                )
            })?;
    }
    if dialect == Dialect::Sqlite {
        let broken = transaction.query(&FOREIGN_KEY_CHECK, &[]).await?;
        if let Some(row) = broken.first() {
            let table = row.get_text(0).unwrap_or_default();
            let parent = row.get_text(2).unwrap_or_default();
            return Err(DbError::new(
                DbErrorKind::ForeignKeyViolation { constraint: None },
                format!(
                    "migration {} failed: {} row(s) refer to missing rows (the first: a row of `{table}` refers to `{parent}`)",
                    migration.name,
                    broken.len()
                ),
            ));
        }
    }
    transaction.execute(&RECORD, &[name]).await?;
    transaction.commit().await?;
    Ok(true)
}

/// The statements of `script`: split on the `;`s that are outside string
/// literals (`'…'`), quoted identifiers (`"…"`), comments (`-- …`,
/// `/* … */`) and, on PostgreSQL, dollar-quoted strings (`$$…$$`,
/// `$tag$…$tag$`); trimmed, without the `;`, and leaving out pieces that
/// hold nothing but blanks and comments.
pub fn split_statements(script: &str, dialect: Dialect) -> Vec<&str> {
    let bytes = script.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut has_code = false;
    let mut i = 0;
    let mut finish = |from: usize, to: usize, has_code: bool| {
        if has_code {
            statements.push(script[from..to].trim());
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                has_code = true;
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'$' if dialect == Dialect::Postgres => {
                has_code = true;
                match dollar_tag(&script[i..]) {
                    Some(tag) => {
                        let body = i + tag.len();
                        i = script[body..]
                            .find(tag)
                            .map_or(bytes.len(), |end| body + end + tag.len());
                    }
                    None => i += 1,
                }
            }
            b';' => {
                finish(start, i, has_code);
                has_code = false;
                i += 1;
                start = i;
            }
            byte => {
                if !byte.is_ascii_whitespace() {
                    has_code = true;
                }
                i += 1;
            }
        }
    }
    finish(start, script.len(), has_code);
    statements
}

/// `$$` or `$tag$` at the start of `text`: a dollar quote's opening tag.
fn dollar_tag(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('$')?;
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(index, c)| c == '_' || c.is_ascii_alphabetic() || (index > 0 && c.is_ascii_digit()));
    valid.then(|| &text[..end + 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_on_semicolons_outside_quotes_and_comments() {
        let script = "CREATE TABLE \"a;b\" (x text DEFAULT 'it''s; fine');\n\
                      -- a comment; with a semicolon\n\
                      INSERT INTO t VALUES ('a'); /* c; d */\n\
                      ;\n  -- only a comment\n";
        assert_eq!(
            split_statements(script, Dialect::Sqlite),
            [
                "CREATE TABLE \"a;b\" (x text DEFAULT 'it''s; fine')",
                "-- a comment; with a semicolon\nINSERT INTO t VALUES ('a')",
            ]
        );
        assert_eq!(split_statements("SELECT 1", Dialect::Sqlite), ["SELECT 1"]);
        assert!(split_statements("", Dialect::Postgres).is_empty());
        assert!(split_statements("'unclosed; x", Dialect::Sqlite).len() == 1);
    }

    #[test]
    fn postgres_dollar_quotes_hold_semicolons() {
        let script = "DO $body$ BEGIN PERFORM 1; END $body$;\nSELECT $$a;b$$; SELECT 2";
        assert_eq!(
            split_statements(script, Dialect::Postgres),
            [
                "DO $body$ BEGIN PERFORM 1; END $body$",
                "SELECT $$a;b$$",
                "SELECT 2"
            ]
        );
        assert_eq!(dollar_tag("$1, $2"), None);
    }
}
