//! Signed values derived from a user's state: the session auth hash and
//! password reset tokens, computed exactly as Django computes them.
//!
//! Input: the server's secret key and a user (id, stored password hash,
//! last login, email). Output:
//! - the *session auth hash* (`_auth_user_hash` in the session): an HMAC of
//!   the stored password hash, so a password change ends every other session;
//! - a *password reset token* `<timestamp base36>-<hmac>` over the user's id,
//!   password hash, last login and email: it expires after
//!   [`PASSWORD_RESET_TIMEOUT`] and stops working once the password changes
//!   or the user logs in;
//! - the `uidb64` of reset links (the id in URL-safe base64).
//!
//! All comparisons are constant-time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::user::AuthUser;

/// How long a reset link works: three days, Django's `PASSWORD_RESET_TIMEOUT`.
pub const PASSWORD_RESET_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(259_200);

const SESSION_HASH_SALT: &str = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";
const RESET_TOKEN_SALT: &str = "django.contrib.auth.tokens.PasswordResetTokenGenerator";

/// Seconds from 1970-01-01 to 2001-01-01, the epoch of reset tokens.
const TOKEN_EPOCH: i64 = 978_307_200;

/// Django's `salted_hmac(key_salt, value, secret, algorithm="sha256")`.
pub(crate) fn salted_hmac(key_salt: &str, value: &str, secret: &[u8]) -> Vec<u8> {
    let mut key_hasher = Sha256::new();
    key_hasher.update(key_salt.as_bytes());
    key_hasher.update(secret);
    let key = key_hasher.finalize();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return Vec::new();
    };
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The session auth hash of a stored password hash (Django's
/// `get_session_auth_hash`), 64 hex digits.
pub(crate) fn session_auth_hash(password_hash: &str, secret: &[u8]) -> String {
    hex(&salted_hmac(SESSION_HASH_SALT, password_hash, secret))
}

/// Whether `candidate` is the session auth hash of `password_hash`.
pub(crate) fn session_auth_hash_matches(
    candidate: &str,
    password_hash: &str,
    secret: &[u8],
) -> bool {
    let expected = session_auth_hash(password_hash, secret);
    bool::from(candidate.as_bytes().ct_eq(expected.as_bytes()))
}

/// A new password reset token for `user`.
pub fn make_reset_token(user: &AuthUser, secret: &[u8]) -> String {
    token_at(user, seconds_since_epoch(Timestamp::now()), secret)
}

/// Whether `token` is a reset token for `user` in its current state, made
/// with `secret` less than [`PASSWORD_RESET_TIMEOUT`] ago.
pub fn check_reset_token(user: &AuthUser, token: &str, secret: &[u8]) -> bool {
    check_token_at(user, token, secret, Timestamp::now())
}

pub(crate) fn check_token_at(user: &AuthUser, token: &str, secret: &[u8], now: Timestamp) -> bool {
    let Some((timestamp, _)) = token.split_once('-') else {
        return false;
    };
    let Some(timestamp) = base36_to_int(timestamp) else {
        return false;
    };
    let expected = token_at(user, timestamp, secret);
    if !bool::from(expected.as_bytes().ct_eq(token.as_bytes())) {
        return false;
    }
    let age = seconds_since_epoch(now) - timestamp;
    age <= PASSWORD_RESET_TIMEOUT.as_secs() as i64
}

pub(crate) fn token_at(user: &AuthUser, timestamp: i64, secret: &[u8]) -> String {
    let login = user
        .last_login
        .map(|at| {
            format!(
                "{} {:02}:{:02}:{:02}",
                at.date(),
                at.hour(),
                at.minute(),
                at.second()
            )
        })
        .unwrap_or_default();
    let value = format!(
        "{}{}{login}{timestamp}{}",
        user.id,
        user.password_hash(),
        user.email
    );
    let digest = hex(&salted_hmac(RESET_TOKEN_SALT, &value, secret));
    // Every other hex digit, to shorten the URL (Django's `[::2]`).
    let short: String = digest.chars().step_by(2).collect();
    format!("{}-{short}", int_to_base36(timestamp))
}

fn seconds_since_epoch(now: Timestamp) -> i64 {
    now.as_second() - TOKEN_EPOCH
}

fn int_to_base36(mut value: i64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if value <= 0 {
        return "0".to_owned();
    }
    let mut digits = Vec::new();
    while value > 0 {
        digits.push(DIGITS[(value % 36) as usize]);
        value /= 36;
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Django's `base36_to_int`: at most 13 digits.
fn base36_to_int(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 13 {
        return None;
    }
    i64::from_str_radix(text, 36)
        .ok()
        .filter(|value| *value >= 0)
}

/// The `uidb64` of a reset link: the decimal id in URL-safe base64, unpadded.
pub fn encode_uid(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(id.to_string())
}

/// The id in a `uidb64`, if it is one.
pub fn decode_uid(uidb64: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(uidb64.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_round_trips_and_refuses_junk() {
        assert_eq!(int_to_base36(0), "0");
        assert_eq!(int_to_base36(35), "z");
        assert_eq!(int_to_base36(36), "10");
        assert_eq!(
            base36_to_int("c8n3yq"),
            Some(i64::from_str_radix("c8n3yq", 36).unwrap())
        );
        assert_eq!(base36_to_int(""), None);
        assert_eq!(base36_to_int("-1"), None);
        assert_eq!(base36_to_int("zzzzzzzzzzzzzz"), None);
    }

    #[test]
    fn uids_round_trip() {
        assert_eq!(encode_uid(1), "MQ");
        assert_eq!(encode_uid(42), "NDI");
        assert_eq!(decode_uid("NDI"), Some(42));
        assert_eq!(decode_uid("NDI="), Some(42));
        assert_eq!(decode_uid("!!"), None);
        assert_eq!(decode_uid("YWJj"), None, "abc is not an id");
        assert_eq!(decode_uid(""), None);
    }
}
