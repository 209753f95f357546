//! Password hashing, in Django's storage format.
//!
//! Input: a password in clear (from a login form, `createsuperuser`…) and,
//! to check it, the value stored in `auth_user.password`. Output: the
//! stored form `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` — exactly
//! what Django's `Argon2PasswordHasher` writes, so a Django project reading
//! the same table verifies djinn's hashes and the other way round — and a
//! yes/no that takes the same time whatever the mismatch.
//!
//! Why these choices:
//! - argon2id is memory-hard: guessing costs memory as well as time. The
//!   default cost is Django's (100 MiB, 2 passes, 8 lanes); a process may
//!   lower it with [`set_hasher_params`] (tests, very small machines). The
//!   cost is stored in each hash, so hashes made with other costs still
//!   verify, and [`must_update`] says when to rehash at the next login.
//! - Django's `pbkdf2_sha256` hashes (its default hasher) are verified too,
//!   so users imported from a Django database can log in; they are rehashed
//!   with argon2 at their first login.
//! - Hashing takes a tenth of a second or more: async callers use
//!   [`hash_password_async`] and [`check_password_async`], which run it on
//!   tokio's blocking pool instead of stalling a worker thread. At most one
//!   hash per CPU runs at a time (the others wait their turn), so a burst of
//!   login attempts cannot claim 100 MiB each without bound.
//! - Passwords never appear in `Debug` output, errors or logs.

use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// Stored passwords starting with this can never match (Django's `UNUSABLE_PASSWORD_PREFIX`).
pub const UNUSABLE_PASSWORD_PREFIX: char = '!';

/// Length of the argon2 output in bytes (Django's `hash_len`).
const HASH_LEN: usize = 32;

/// Characters of Django's salts and random strings (`RANDOM_STRING_CHARS`).
const RANDOM_STRING_CHARS: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Salt length: Django's 128 bits of entropy over 62 characters.
const SALT_CHARS: usize = 22;

/// The argon2 cost of new hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HasherParams {
    /// Memory in KiB (`m=`). Django: 102400 (100 MiB).
    pub memory_kib: u32,
    /// Passes over the memory (`t=`). Django: 2.
    pub iterations: u32,
    /// Lanes (`p=`). Django: 8. (The lanes are computed one after the other
    /// here; the value still changes the hash, so it is kept for compatibility.)
    pub parallelism: u32,
}

impl HasherParams {
    /// Django's `Argon2PasswordHasher` defaults: `m=102400,t=2,p=8`.
    pub const DJANGO: HasherParams = HasherParams {
        memory_kib: 102_400,
        iterations: 2,
        parallelism: 8,
    };

    fn to_argon2(self) -> Result<Params, PasswordError> {
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(HASH_LEN),
        )
        .map_err(|error| PasswordError(format!("invalid argon2 parameters: {error}")))
    }
}

impl Default for HasherParams {
    fn default() -> HasherParams {
        HasherParams::DJANGO
    }
}

static PARAMS: RwLock<HasherParams> = RwLock::new(HasherParams::DJANGO);

/// Sets the cost of the hashes this process makes from now on; an error
/// (and no change) if argon2 refuses the parameters (`memory_kib` must be at
/// least 8 × `parallelism`).
pub fn set_hasher_params(params: HasherParams) -> Result<(), PasswordError> {
    params.to_argon2()?;
    match PARAMS.write() {
        Ok(mut current) => *current = params,
        Err(poisoned) => *poisoned.into_inner() = params,
    }
    Ok(())
}

/// The cost of the hashes this process makes.
pub fn hasher_params() -> HasherParams {
    match PARAMS.read() {
        Ok(current) => *current,
        Err(poisoned) => *poisoned.into_inner(),
    }
}

/// A password could not be hashed (the system's random source failed, or
/// the configured parameters are invalid). Never contains the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordError(String);

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "password hashing failed: {}", self.0)
    }
}

impl std::error::Error for PasswordError {}

/// `count` random characters from `[a-zA-Z0-9]` (Django's `get_random_string`).
pub(crate) fn random_string(count: usize) -> Result<String, PasswordError> {
    let mut out = String::with_capacity(count);
    let mut buffer = [0u8; 64];
    while out.len() < count {
        getrandom::fill(&mut buffer)
            .map_err(|error| PasswordError(format!("no random bytes: {error}")))?;
        // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
        for byte in buffer.iter().filter(|byte| **byte < 248) {
            if out.len() == count {
                break;
            }
            out.push(char::from(
                RANDOM_STRING_CHARS[usize::from(*byte) % RANDOM_STRING_CHARS.len()],
            ));
        }
    }
    Ok(out)
}

/// Hashes `password` with a new random salt and the current
/// [`hasher_params`], in Django's format:
/// `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`.
///
/// Blocks for the whole computation: from async code use [`hash_password_async`].
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = random_string(SALT_CHARS)?;
    hash_with_salt(password, salt.as_bytes(), hasher_params())
}

/// [`hash_password`] with a given salt and cost (tests compare with Django's output).
pub(crate) fn hash_with_salt(
    password: &str,
    salt: &[u8],
    params: HasherParams,
) -> Result<String, PasswordError> {
    let hash = argon2_raw(
        password,
        salt,
        Algorithm::Argon2id,
        Version::V0x13,
        params.to_argon2()?,
    )?;
    Ok(format!(
        "argon2$argon2id$v=19$m={},t={},p={}${}${}",
        params.memory_kib,
        params.iterations,
        params.parallelism,
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(hash),
    ))
}

fn argon2_raw(
    password: &str,
    salt: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
) -> Result<Vec<u8>, PasswordError> {
    let length = params.output_len().unwrap_or(HASH_LEN);
    let mut out = vec![0u8; length];
    Argon2::new(algorithm, version, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|error| PasswordError(format!("argon2: {error}")))?;
    Ok(out)
}

/// The hashing slots: one per CPU (at least one, at most 16).
fn hashing_slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Arc::new(Semaphore::new(cpus.clamp(1, 16)))
    });
    Arc::clone(slots)
}

/// Runs `work` on the blocking pool once a hashing slot is free; the slot
/// is held until `work` ends, even if the caller stops waiting.
async fn run_in_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    let slot = hashing_slots()
        .acquire_owned()
        .await
        .map_err(|error| PasswordError(format!("no hashing slot: {error}")))?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(slot);
        result
    })
    .await
    .map_err(|error| PasswordError(format!("the hashing task failed: {error}")))
}

/// Hashes on tokio's blocking pool, one hash per CPU at a time (see [`hash_password`]).
pub async fn hash_password_async(password: String) -> Result<String, PasswordError> {
    run_in_slot(move || hash_password(&password)).await?
}

/// Whether `password` matches the stored value `encoded` (an argon2 or a
/// Django `pbkdf2_sha256` hash). The hashes are compared in constant time.
/// An unusable or malformed stored value never matches (and is not an error:
/// it is the stored data's problem, not the client's).
///
/// Blocks for the whole computation: from async code use [`check_password_async`].
pub fn check_password(password: &str, encoded: &str) -> bool {
    match StoredHash::parse(encoded) {
        Some(stored) => stored.matches(password),
        None => false,
    }
}

/// Checks on tokio's blocking pool, one hash per CPU at a time (see
/// [`check_password`]); `false` if the task fails.
pub async fn check_password_async(password: String, encoded: String) -> bool {
    run_in_slot(move || check_password(&password, &encoded))
        .await
        .unwrap_or(false)
}

/// Whether a stored value should be replaced by a fresh [`hash_password`]
/// after a successful check: it is not argon2id, or its cost differs from
/// the current [`hasher_params`] (Django's `must_update`).
pub fn must_update(encoded: &str) -> bool {
    must_update_with(encoded, hasher_params())
}

fn must_update_with(encoded: &str, current: HasherParams) -> bool {
    match StoredHash::parse(encoded) {
        Some(StoredHash::Argon2 {
            algorithm: Algorithm::Argon2id,
            version: Version::V0x13,
            params,
            ..
        }) => {
            (params.m_cost(), params.t_cost(), params.p_cost())
                != (current.memory_kib, current.iterations, current.parallelism)
        }
        _ => is_password_usable(encoded),
    }
}

/// A stored value that no password matches: `!` and 40 random characters
/// (Django's `make_password(None)`), for accounts that must not log in with
/// a password.
pub fn make_unusable_password() -> Result<String, PasswordError> {
    Ok(format!("{UNUSABLE_PASSWORD_PREFIX}{}", random_string(40)?))
}

/// Whether a stored value can match some password (it does not start with `!`).
pub fn is_password_usable(encoded: &str) -> bool {
    !encoded.starts_with(UNUSABLE_PASSWORD_PREFIX)
}

/// A parsed stored password.
enum StoredHash {
    Argon2 {
        algorithm: Algorithm,
        version: Version,
        params: Params,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Pbkdf2Sha256 {
        iterations: u32,
        salt: String,
        hash: Vec<u8>,
    },
}

/// The largest PBKDF2 iteration count accepted (Django 5.2 uses 1,000,000):
/// a stored value cannot make one login take minutes.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

impl StoredHash {
    fn parse(encoded: &str) -> Option<StoredHash> {
        if let Some(rest) = encoded.strip_prefix("argon2$") {
            return StoredHash::parse_argon2(rest);
        }
        let rest = encoded.strip_prefix("pbkdf2_sha256$")?;
        let mut parts = rest.split('$');
        let iterations: u32 = parts.next()?.parse().ok()?;
        let salt = parts.next()?.to_owned();
        let hash = STANDARD.decode(parts.next()?).ok()?;
        if parts.next().is_some() || iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
            return None;
        }
        Some(StoredHash::Pbkdf2Sha256 {
            iterations,
            salt,
            hash,
        })
    }

    /// `argon2id$v=19$m=…,t=…,p=…$salt$hash` (the version is absent in
    /// hashes made by argon2 1.0, as old Django versions did).
    fn parse_argon2(rest: &str) -> Option<StoredHash> {
        let parts: Vec<&str> = rest.split('$').collect();
        let (variety, version, costs, salt, hash) = match parts.as_slice() {
            [variety, version, costs, salt, hash] => {
                (*variety, Some(*version), *costs, *salt, *hash)
            }
            [variety, costs, salt, hash] => (*variety, None, *costs, *salt, *hash),
            _ => return None,
        };
        let algorithm = match variety {
            "argon2id" => Algorithm::Argon2id,
            "argon2i" => Algorithm::Argon2i,
            "argon2d" => Algorithm::Argon2d,
            _ => return None,
        };
        let version = match version {
            None | Some("v=16") => Version::V0x10,
            Some("v=19") => Version::V0x13,
            Some(_) => return None,
        };
        let (mut memory, mut iterations, mut lanes) = (None, None, None);
        for cost in costs.split(',') {
            let (name, value) = cost.split_once('=')?;
            let value: u32 = value.parse().ok()?;
            match name {
                "m" => memory = Some(value),
                "t" => iterations = Some(value),
                "p" => lanes = Some(value),
                _ => return None,
            }
        }
        let hash = decode_unpadded(hash)?;
        let params = Params::new(memory?, iterations?, lanes?, Some(hash.len())).ok()?;
        Some(StoredHash::Argon2 {
            algorithm,
            version,
            params,
            salt: decode_unpadded(salt)?,
            hash,
        })
    }

    fn matches(&self, password: &str) -> bool {
        let (computed, expected) = match self {
            StoredHash::Argon2 {
                algorithm,
                version,
                params,
                salt,
                hash,
            } => match argon2_raw(password, salt, *algorithm, *version, params.clone()) {
                Ok(computed) => (computed, hash),
                Err(_) => return false,
            },
            StoredHash::Pbkdf2Sha256 {
                iterations,
                salt,
                hash,
            } => (
                pbkdf2_sha256(
                    password.as_bytes(),
                    salt.as_bytes(),
                    *iterations,
                    hash.len(),
                ),
                hash,
            ),
        };
        computed.len() == expected.len() && bool::from(computed.ct_eq(expected))
    }
}

/// Base64 with or without padding (argon2 strings have none).
fn decode_unpadded(text: &str) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// PBKDF2-HMAC-SHA256 (RFC 8018) producing `length` bytes.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32, length: usize) -> Vec<u8> {
    let Ok(keyed) = Hmac::<Sha256>::new_from_slice(password) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(length);
    let mut block_index: u32 = 1;
    while out.len() < length {
        let mut mac = keyed.clone();
        mac.update(salt);
        mac.update(&block_index.to_be_bytes());
        let mut u = mac.finalize().into_bytes();
        let mut block = u;
        for _ in 1..iterations {
            let mut mac = keyed.clone();
            mac.update(&u);
            u = mac.finalize().into_bytes();
            block
                .iter_mut()
                .zip(u.iter())
                .for_each(|(acc, x)| *acc ^= x);
        }
        out.extend_from_slice(&block);
        block_index = block_index.wrapping_add(1);
    }
    out.truncate(length);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters for tests that only need *a* hash.
    const CHEAP: HasherParams = HasherParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn hashes_are_in_django_format_and_verify() {
        let encoded = hash_with_salt("correct horse", b"abcdefghijklmnopqrstuv", CHEAP).unwrap();
        assert!(encoded.starts_with("argon2$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(encoded.split('$').count(), 6);
        assert!(check_password("correct horse", &encoded));
        assert!(!check_password("correct horsf", &encoded));
        assert!(!check_password("", &encoded));
    }

    #[test]
    fn salts_differ_and_are_django_sized() {
        let first = random_string(SALT_CHARS).unwrap();
        let second = random_string(SALT_CHARS).unwrap();
        assert_eq!(first.len(), 22);
        assert_ne!(first, second);
        assert!(first.bytes().all(|byte| byte.is_ascii_alphanumeric()));
    }

    #[test]
    fn malformed_and_unusable_values_never_match() {
        for stored in [
            "",
            "!",
            "!abc",
            "argon2$",
            "argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ",
            "argon2$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=99$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "argon2$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "argon2$argon2xx$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "pbkdf2_sha256$0$salt$aGFzaA==",
            "pbkdf2_sha256$99999999999$salt$aGFzaA==",
            "md5$salt$hash",
            "plain text",
        ] {
            assert!(!check_password("password", stored), "{stored:?}");
        }
        let unusable = make_unusable_password().unwrap();
        assert!(unusable.starts_with('!') && unusable.len() == 41);
        assert!(!is_password_usable(&unusable));
        assert!(!check_password(&unusable, &unusable));
        assert!(!must_update(&unusable));
    }

    #[test]
    fn pbkdf2_matches_rfc_7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64).
        let derived = pbkdf2_sha256(b"passwd", b"salt", 1, 64);
        let hex: String = derived.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }

    #[test]
    fn must_update_follows_the_current_cost() {
        let encoded = hash_with_salt("pw", b"saltsaltsalt", CHEAP).unwrap();
        assert!(!must_update_with(&encoded, CHEAP));
        assert!(must_update_with(&encoded, HasherParams::DJANGO));
        assert!(must_update_with("pbkdf2_sha256$1000$salt$aGFzaA==", CHEAP));
        let argon2i = "argon2$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
        assert!(must_update_with(argon2i, CHEAP));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checks_run_in_limited_slots_and_all_finish() {
        let encoded = hash_with_salt("slot test", b"saltsaltsalt", CHEAP).unwrap();
        let checks = (0..40).map(|index| {
            let password = if index % 2 == 0 { "slot test" } else { "wrong" };
            check_password_async(password.to_owned(), encoded.clone())
        });
        let results = futures_util::future::join_all(checks).await;
        assert_eq!(results.iter().filter(|matched| **matched).count(), 20);
        assert!(hashing_slots().available_permits() >= 1);
    }

    #[test]
    fn invalid_parameters_are_refused() {
        let invalid = HasherParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 4,
        };
        assert!(set_hasher_params(invalid).is_err());
        assert_ne!(hasher_params(), invalid);
    }
}
