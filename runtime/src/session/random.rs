//! Random strings from the operating system's generator.
//!
//! Input: a length and an alphabet. Output: a string of characters drawn
//! uniformly from the alphabet (rejection sampling, no modulo bias) with
//! bytes from `getrandom` — for session keys, CSRF secrets and masks, and
//! any other token that must not be guessed.

use crate::error::HttpError;

/// Django's session-key alphabet: lower-case letters and digits.
pub const LOWERCASE_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Django's `get_random_string` default alphabet (and CSRF's): letters and digits.
pub const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `length` characters of `alphabet` (1 to 256 distinct ASCII bytes), each
/// equally likely. Fails with a 500 when the operating system has no
/// randomness to give or the alphabet is unusable.
pub fn random_string(length: usize, alphabet: &[u8]) -> Result<String, HttpError> {
    if alphabet.is_empty() || alphabet.len() > 256 || !alphabet.is_ascii() {
        return Err(HttpError::Internal(
            "random_string needs 1 to 256 ASCII characters to draw from".to_owned(),
        ));
    }
    // Bytes at or above the largest multiple of the alphabet's size are
    // dropped, so every character has the same chance.
    let limit = 256 - 256 % alphabet.len();
    let mut text = String::with_capacity(length);
    let mut buffer = [0_u8; 64];
    while text.len() < length {
        getrandom::fill(&mut buffer)
            .map_err(|error| HttpError::Internal(format!("no randomness available: {error}")))?;
        for &byte in &buffer {
            if text.len() == length {
                break;
            }
            if usize::from(byte) < limit {
                text.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn strings_have_the_length_and_alphabet_asked_for() {
        let key = random_string(32, LOWERCASE_ALPHANUMERIC).unwrap();
        assert_eq!(key.len(), 32);
        assert!(
            key.bytes()
                .all(|byte| LOWERCASE_ALPHANUMERIC.contains(&byte))
        );
        assert_ne!(key, random_string(32, LOWERCASE_ALPHANUMERIC).unwrap());
        assert_eq!(random_string(0, ALPHANUMERIC).unwrap(), "");
        assert_eq!(random_string(200, b"x").unwrap(), "x".repeat(200));
        assert!(random_string(5, b"").is_err());
    }

    #[test]
    fn every_character_shows_up() {
        let text = random_string(20_000, ALPHANUMERIC).unwrap();
        let seen: BTreeSet<u8> = text.bytes().collect();
        assert_eq!(seen.len(), ALPHANUMERIC.len());
    }
}
