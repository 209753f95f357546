//! The login rate limit: failed logins counted per client address and per
//! user name, in the database.
//!
//! Input: the client's address and the user name of a login attempt, the
//! limit and the period from `[auth]` (`login_rate_limit` failures per
//! `login_rate_period`). Output: whether the attempt may go on, and if not,
//! how long until it may (the `Retry-After` of the 429 answer).
//!
//! Why in the database (`djinn_login_failure`) rather than in memory: every
//! server process sharing the database then shares the counts, and a
//! restart does not reset them. Each failure is one row per key; rows
//! older than the period are deleted as new failures come. The keys are
//! SHA-256 digests of `ip:<address>` and `user:<lower-cased name>`, so the
//! table holds neither addresses nor names, and a long name costs no more
//! than a short one.
//!
//! Limits of the approach:
//! - the address is the TCP peer's: behind a reverse proxy every client
//!   shares the proxy's address, so the per-address limit applies to all
//!   of them together;
//! - the per-name limit lets anyone lock a known account out for one
//!   period (the usual trade-off; the period is short by default);
//! - a successful login clears the failures of its name, not of its address.

use std::net::IpAddr;
use std::time::Duration;

use jiff::civil::DateTime;
use jiff::{Span, Timestamp, ToSpan};
use sha2::{Digest, Sha256};

use super::user::now_utc;
use crate::db::{Database, DbError, Sql, Value};

const COUNT_RECENT: Sql = Sql::new(
    r#"SELECT COUNT(*), MIN("failed_at") FROM "djinn_login_failure" WHERE "scope_key" = ?1 AND "failed_at" > ?2"#,
    r#"SELECT COUNT(*), MIN("failed_at") FROM "djinn_login_failure" WHERE "scope_key" = $1 AND "failed_at" > $2"#,
);

const INSERT_FAILURE: Sql = Sql::new(
    r#"INSERT INTO "djinn_login_failure" ("scope_key", "failed_at") VALUES (?1, ?2)"#,
    r#"INSERT INTO "djinn_login_failure" ("scope_key", "failed_at") VALUES ($1, $2)"#,
);

const DELETE_EXPIRED: Sql = Sql::new(
    r#"DELETE FROM "djinn_login_failure" WHERE "failed_at" <= ?1"#,
    r#"DELETE FROM "djinn_login_failure" WHERE "failed_at" <= $1"#,
);

const DELETE_KEY: Sql = Sql::new(
    r#"DELETE FROM "djinn_login_failure" WHERE "scope_key" = ?1"#,
    r#"DELETE FROM "djinn_login_failure" WHERE "scope_key" = $1"#,
);

/// The limit: at most `limit` failures per key within `period`; a limit of
/// 0 turns the rate limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginRateLimit {
    /// Failures allowed per key in a period.
    pub limit: u32,
    /// The sliding window.
    pub period: Duration,
}

impl LoginRateLimit {
    /// The limit `[auth]` configures.
    pub fn from_config(config: &crate::config::AuthConfig) -> LoginRateLimit {
        LoginRateLimit {
            limit: config.login_rate_limit,
            period: config.login_rate_period,
        }
    }
}

/// What the rate limit counts a login attempt under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptKeys {
    keys: [String; 2],
}

impl AttemptKeys {
    /// The keys of an attempt from `address` for `username`.
    pub fn new(address: IpAddr, username: &str) -> AttemptKeys {
        AttemptKeys {
            keys: [
                digest(&format!("ip:{address}")),
                digest(&format!("user:{}", username.to_lowercase())),
            ],
        }
    }

    fn username_key(&self) -> &str {
        &self.keys[1]
    }
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn window_start(now: DateTime, period: Duration) -> DateTime {
    let span = Span::try_from(period).unwrap_or_else(|_| 1.day());
    now.checked_sub(span).unwrap_or(DateTime::MIN)
}

/// If the attempt is over the limit, how long until it is not (at least a
/// second); `None` when it may go on.
pub async fn retry_after(
    db: &Database,
    keys: &AttemptKeys,
    limit: LoginRateLimit,
) -> Result<Option<Duration>, DbError> {
    if limit.limit == 0 {
        return Ok(None);
    }
    let now = now_utc();
    let since = window_start(now, limit.period);
    let mut wait: Option<Duration> = None;
    for key in &keys.keys {
        let row = db
            .query_one(
                &COUNT_RECENT,
                &[Value::from(key.as_str()), Value::DateTime(since)],
            )
            .await?;
        let count = row.get_i64(0)?;
        if count < i64::from(limit.limit) {
            continue;
        }
        let oldest = row.get_opt_datetime(1)?.unwrap_or(now);
        let free_at = seconds(oldest) + limit.period.as_secs_f64();
        let remaining = (free_at - seconds(now)).ceil().max(1.0);
        let remaining = Duration::from_secs(remaining as u64);
        wait = Some(wait.map_or(remaining, |other| other.max(remaining)));
    }
    Ok(wait)
}

/// Seconds since the Unix epoch of a UTC wall-clock time.
fn seconds(datetime: DateTime) -> f64 {
    datetime
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .as_duration()
        .as_secs_f64()
}

/// Records a failed attempt under both keys and deletes the failures that
/// fell out of the period.
pub async fn record_failure(
    db: &Database,
    keys: &AttemptKeys,
    limit: LoginRateLimit,
) -> Result<(), DbError> {
    if limit.limit == 0 {
        return Ok(());
    }
    let now = now_utc();
    db.execute(
        &DELETE_EXPIRED,
        &[Value::DateTime(window_start(now, limit.period))],
    )
    .await?;
    for key in &keys.keys {
        db.execute(
            &INSERT_FAILURE,
            &[Value::from(key.as_str()), Value::DateTime(now)],
        )
        .await?;
    }
    Ok(())
}

/// Forgets the failures of the attempt's user name (after a successful login).
pub async fn clear_username_failures(db: &Database, keys: &AttemptKeys) -> Result<(), DbError> {
    db.execute(&DELETE_KEY, &[Value::from(keys.username_key())])
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_the_address_and_fold_case() {
        let address: IpAddr = "203.0.113.7".parse().unwrap();
        let first = AttemptKeys::new(address, "Alice");
        let second = AttemptKeys::new(address, "alice");
        assert_eq!(first, second);
        assert_eq!(first.keys[0].len(), 64);
        assert!(!first.keys[0].contains("203"));
        assert_ne!(first.keys[0], first.keys[1]);
    }

    #[test]
    fn the_window_reaches_back_one_period() {
        let now = jiff::civil::date(2024, 3, 1).at(0, 0, 30, 0);
        assert_eq!(
            window_start(now, Duration::from_secs(60)),
            jiff::civil::date(2024, 2, 29).at(23, 59, 30, 0)
        );
        assert_eq!(seconds(jiff::civil::date(1970, 1, 1).at(0, 1, 0, 0)), 60.0);
    }
}
