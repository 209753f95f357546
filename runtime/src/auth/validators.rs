//! Password validation: Django's four default `AUTH_PASSWORD_VALIDATORS`.
//!
//! Input: a candidate password and, when known, the user it is for (their
//! username, names and email). Output: nothing, or every problem found as
//! Django's English message, in Django's order:
//!
//! 1. `UserAttributeSimilarityValidator` (max similarity 0.7) — "The
//!    password is too similar to the username." Implemented as Django does
//!    it: the lower-cased password against each attribute and each of its
//!    `\W+`-separated parts, with `SequenceMatcher.quick_ratio()` (twice the
//!    number of characters in common, as multisets, over the total length).
//! 2. `MinimumLengthValidator` (8 characters, counted as code points).
//! 3. `CommonPasswordValidator`: Django's own list of 19,640 common
//!    passwords (`common-passwords.txt`, copied from Django 5.2's
//!    `django/contrib/auth/common-passwords.txt.gz`), compared lower-cased
//!    and trimmed.
//! 4. `NumericPasswordValidator`: entirely decimal digits.
//!
//! The outputs are compared with real Django's by `tests/auth.rs`
//! (`tests/data/auth_cases.json`, made by `tests/data/make_auth_cases.py`).

use std::collections::HashSet;
use std::sync::OnceLock;

use unicode_general_category::{GeneralCategory, get_general_category};

/// Django's minimum password length.
pub const MIN_PASSWORD_LENGTH: usize = 8;

/// Django's `max_similarity`.
const MAX_SIMILARITY: f64 = 0.7;

/// The user a password is checked against (Django's `user` argument).
#[derive(Clone, Copy, Debug, Default)]
pub struct UserAttributes<'a> {
    /// `username`.
    pub username: &'a str,
    /// `first_name`.
    pub first_name: &'a str,
    /// `last_name`.
    pub last_name: &'a str,
    /// `email`.
    pub email: &'a str,
}

/// Checks `password` against the default validators; `Err` holds every
/// message, in Django's order. Without a `user`, similarity is not checked
/// (as in Django).
pub fn validate_password(
    password: &str,
    user: Option<&UserAttributes<'_>>,
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if let Some(user) = user
        && let Some(attribute) = too_similar(password, user)
    {
        errors.push(format!("The password is too similar to the {attribute}."));
    }
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        errors.push(format!(
            "This password is too short. It must contain at least {MIN_PASSWORD_LENGTH} characters."
        ));
    }
    if is_common(password) {
        errors.push("This password is too common.".to_owned());
    }
    if !password.is_empty() && password.chars().all(is_digit) {
        errors.push("This password is entirely numeric.".to_owned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The validators' help texts, as Django lists them under a new-password field.
pub fn password_help_texts() -> [&'static str; 4] {
    [
        "Your password can’t be too similar to your other personal information.",
        "Your password must contain at least 8 characters.",
        "Your password can’t be a commonly used password.",
        "Your password can’t be entirely numeric.",
    ]
}

/// The verbose name of the first attribute the password is too similar to.
fn too_similar(password: &str, user: &UserAttributes<'_>) -> Option<&'static str> {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    let attributes = [
        ("username", user.username),
        ("first name", user.first_name),
        ("last name", user.last_name),
        ("email address", user.email),
    ];
    for (verbose_name, value) in attributes {
        if value.is_empty() {
            continue;
        }
        let lower = value.to_lowercase();
        let parts = split_non_word(&lower).chain(std::iter::once(lower.as_str()));
        for part in parts {
            let part: Vec<char> = part.chars().collect();
            if exceeds_maximum_length_ratio(password.len(), part.len()) {
                continue;
            }
            if quick_ratio(&password, &part) >= MAX_SIMILARITY {
                return Some(verbose_name);
            }
        }
    }
    None
}

/// Python's `re.split(r"\W+", text)`: the pieces between runs of non-word
/// characters, with the empty first and last pieces Python keeps.
fn split_non_word(text: &str) -> impl Iterator<Item = &str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if is_word(c) {
            continue;
        }
        pieces.push(&text[start..index]);
        let mut end = index + c.len_utf8();
        while let Some(&(next_index, next)) = chars.peek() {
            if is_word(next) {
                break;
            }
            end = next_index + next.len_utf8();
            chars.next();
        }
        start = end;
    }
    pieces.push(&text[start..]);
    pieces.into_iter()
}

/// Python's `\w` on text: alphanumeric or `_`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Python's `str.isdigit()`, for decimal digits.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || get_general_category(c) == GeneralCategory::DecimalNumber
}

/// Django's `exceeds_maximum_length_ratio`: a password at least ten times
/// longer than a short value cannot be similar enough, so it is skipped.
fn exceeds_maximum_length_ratio(password_len: usize, value_len: usize) -> bool {
    let length_bound_similarity = MAX_SIMILARITY / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < length_bound_similarity
}

/// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut available: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for c in b {
        *available.entry(*c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a {
        if let Some(count) = available.get_mut(c)
            && *count > 0
        {
            *count -= 1;
            matches += 1;
        }
    }
    2.0 * matches as f64 / total as f64
}

/// Whether `password`, lower-cased and trimmed, is on Django's list.
pub fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let common = COMMON.get_or_init(|| {
        include_str!("common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    });
    common.contains(password.to_lowercase().trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user<'a>(username: &'a str, email: &'a str) -> UserAttributes<'a> {
        UserAttributes {
            username,
            email,
            ..UserAttributes::default()
        }
    }

    #[test]
    fn messages_come_in_django_order() {
        assert_eq!(
            validate_password("1234", None).unwrap_err(),
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            validate_password("PassWord", None).unwrap_err(),
            ["This password is too common."]
        );
        assert!(validate_password("correct-horse-battery", None).is_ok());
    }

    #[test]
    fn similarity_uses_parts_of_attributes() {
        let alice = user("alice", "alice.wonder@example.com");
        assert_eq!(
            validate_password("Alice1234", Some(&alice)).unwrap_err(),
            ["The password is too similar to the username."]
        );
        let bob = user("bob", "sandwich.maker@example.com");
        assert_eq!(
            validate_password("sandwich42", Some(&bob)).unwrap_err(),
            ["The password is too similar to the email address."]
        );
        assert!(validate_password("sandwich42", None).is_ok());
    }

    #[test]
    fn python_split_keeps_empty_ends() {
        let pieces: Vec<&str> = split_non_word("@a..b@").collect();
        assert_eq!(pieces, ["", "a", "b", ""]);
        let pieces: Vec<&str> = split_non_word("plain").collect();
        assert_eq!(pieces, ["plain"]);
    }

    #[test]
    fn quick_ratio_counts_shared_characters() {
        let chars = |text: &str| text.chars().collect::<Vec<_>>();
        assert_eq!(quick_ratio(&chars("abcd"), &chars("bcde")), 0.75);
        assert_eq!(quick_ratio(&chars(""), &chars("")), 1.0);
        assert_eq!(quick_ratio(&chars("aaa"), &chars("a")), 0.5);
    }

    #[test]
    fn the_whole_django_list_is_embedded() {
        assert!(is_common("123456"));
        assert!(is_common("  Fallen_Angel "));
        assert!(!is_common("a rather unusual passphrase"));
    }
}
