//! Signed values, for cookies and tokens a client must hand back unchanged.
//!
//! Input: the site's secret key, a purpose (the salt: `"djinn.sessions"`,
//! `"djinn.password_reset"`…) and a value. Output: `value:signature`, the
//! signature being HMAC-SHA256 in URL-safe base64 without padding, under a
//! key derived from the secret and the salt (as Django's `signing`), so a
//! value signed for one purpose is worthless for another. [`unsign`] gives
//! the value back only when the signature verifies, compared in constant
//! time; anything else (tampered, truncated, signed with another key) is
//! `None`, never an error the client could learn from.
//!
//! [`secret_key`] decides which secret to use: `DJINN_SECRET_KEY`, or in
//! debug mode a fixed development key (with a warning); in production
//! without a secret, nothing is signed.

use std::sync::Once;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::config::ServerConfig;
use crate::error::HttpError;

/// The salt of [`sign`] and [`unsign`] (Django's default is `django.core.signing`).
pub const DEFAULT_SALT: &str = "djinn.signing";

/// The secret used in debug mode when `DJINN_SECRET_KEY` is not set. It is
/// public, so anything signed with it can be forged: debug only.
pub const DEVELOPMENT_SECRET_KEY: &str =
    "djinn-insecure-development-secret-key-do-not-use-in-production";

/// What the detail of the 500 says when a production server needs the secret.
pub const MISSING_SECRET_KEY: &str = "DJINN_SECRET_KEY is not set";

/// Between the value and its signature; the value may contain it too (the
/// signature is what follows the last one).
const SEPARATOR: char = ':';

/// `value` followed by `:` and its signature under `secret` and [`DEFAULT_SALT`].
///
/// ```
/// use djinn_runtime::session::signing::{sign, unsign};
///
/// let signed = sign("s3cret", "user:42");
/// assert_eq!(unsign("s3cret", &signed).as_deref(), Some("user:42"));
/// assert_eq!(unsign("other secret", &signed), None);
/// ```
pub fn sign(secret: &str, value: &str) -> String {
    sign_salted(secret, DEFAULT_SALT, value)
}

/// The value of `signed` if its signature under `secret` and [`DEFAULT_SALT`] verifies.
pub fn unsign(secret: &str, signed: &str) -> Option<String> {
    unsign_salted(secret, DEFAULT_SALT, signed)
}

/// `value` followed by `:` and its signature under `secret` for the purpose `salt`.
pub fn sign_salted(secret: &str, salt: &str, value: &str) -> String {
    let mut mac = keyed_mac(secret, salt);
    mac.update(value.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{value}{SEPARATOR}{signature}")
}

/// The value of `signed` if its signature under `secret` for the purpose
/// `salt` verifies (in constant time); `None` for anything else.
pub fn unsign_salted(secret: &str, salt: &str, signed: &str) -> Option<String> {
    let (value, signature) = signed.rsplit_once(SEPARATOR)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = keyed_mac(secret, salt);
    mac.update(value.as_bytes());
    mac.verify_slice(&signature).ok()?;
    Some(value.to_owned())
}

/// HMAC-SHA256 keyed with SHA-256(salt, "signer", secret): one key per purpose.
fn keyed_mac(secret: &str, salt: &str) -> Hmac<Sha256> {
    let key = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update([0])
        .chain_update(b"signer")
        .chain_update([0])
        .chain_update(secret.as_bytes())
        .finalize();
    <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts keys of any length")
}

/// The secret to sign with: `config.secret_key` when set (and not empty);
/// in debug mode without one, [`DEVELOPMENT_SECRET_KEY`] (logging a warning
/// once per process); in production without one, a 500 whose detail is
/// [`MISSING_SECRET_KEY`] — nothing is signed with a guessable key.
pub fn secret_key(config: &ServerConfig) -> Result<&str, HttpError> {
    match config.secret_key.as_deref() {
        Some(secret) if !secret.is_empty() => Ok(secret),
        _ if config.debug => {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    "DJINN_SECRET_KEY is not set: signing with the public development key \
                     (debug mode only; set DJINN_SECRET_KEY before deploying)"
                );
            });
            Ok(DEVELOPMENT_SECRET_KEY)
        }
        _ => Err(HttpError::Internal(MISSING_SECRET_KEY.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_round_trip_and_anything_else_is_refused() {
        let signed = sign_salted("key", "djinn.sessions", "abc123");
        assert!(signed.starts_with("abc123:"));
        assert_eq!(
            unsign_salted("key", "djinn.sessions", &signed).as_deref(),
            Some("abc123")
        );
        // Another key, another purpose, a changed value or signature, garbage.
        assert_eq!(unsign_salted("other", "djinn.sessions", &signed), None);
        assert_eq!(unsign_salted("key", "djinn.signing", &signed), None);
        let changed_value = signed.replacen("abc123", "abc124", 1);
        assert_eq!(unsign_salted("key", "djinn.sessions", &changed_value), None);
        let mut changed_signature = signed.clone();
        let last = changed_signature.pop().unwrap();
        changed_signature.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(
            unsign_salted("key", "djinn.sessions", &changed_signature),
            None
        );
        for garbage in ["", ":", "abc123", "abc123:", "abc123:%%%", "\u{e9}:\u{e9}"] {
            assert_eq!(unsign_salted("key", "djinn.sessions", garbage), None);
        }
    }

    #[test]
    fn values_may_contain_the_separator() {
        let signed = sign("key", "a:b:c");
        assert_eq!(unsign("key", &signed).as_deref(), Some("a:b:c"));
    }

    #[test]
    fn the_secret_is_required_outside_debug() {
        let mut config = ServerConfig {
            secret_key: Some("k".to_owned()),
            ..ServerConfig::default()
        };
        assert_eq!(secret_key(&config).unwrap(), "k");
        config.secret_key = Some(String::new());
        let error = secret_key(&config).unwrap_err();
        assert_eq!(
            error.to_string(),
            "internal error: DJINN_SECRET_KEY is not set"
        );
        config.debug = true;
        assert_eq!(secret_key(&config).unwrap(), DEVELOPMENT_SECRET_KEY);
    }
}
