//! The auth parts djinn reimplements, compared with what real Django
//! answered (`tests/data/auth_cases.json`, made by
//! `tests/data/make_auth_cases.py` with Django 5.2 and argon2-cffi).

use serde_json::Value as Json;

use super::password::{HasherParams, check_password, hash_with_salt};
use super::safe_url::url_has_allowed_host_and_scheme;
use super::tokens::{check_token_at, decode_uid, encode_uid, session_auth_hash, token_at};
use super::user::AuthUser;
use super::validators::{UserAttributes, validate_password};

fn cases(section: &str) -> Vec<Json> {
    let all: Json = serde_json::from_str(include_str!("../../tests/data/auth_cases.json"))
        .expect("auth_cases.json is JSON");
    all[section].as_array().expect("a list of cases").clone()
}

fn text<'a>(case: &'a Json, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {case}"))
}

fn number(case: &Json, key: &str) -> i64 {
    case[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} in {case}"))
}

#[test]
fn validators_give_djangos_messages() {
    let cases = cases("validators");
    assert!(cases.len() > 300);
    let mut mismatches = Vec::new();
    for case in &cases {
        let password = text(case, "password");
        let user = case["user"].as_object().map(|user| UserAttributes {
            username: user["username"].as_str().unwrap_or_default(),
            first_name: user["first_name"].as_str().unwrap_or_default(),
            last_name: user["last_name"].as_str().unwrap_or_default(),
            email: user["email"].as_str().unwrap_or_default(),
        });
        let expected: Vec<String> = case["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| message.as_str().unwrap().to_owned())
            .collect();
        let actual = validate_password(password, user.as_ref())
            .err()
            .unwrap_or_default();
        if actual != expected {
            mismatches.push(format!(
                "{password:?} for {}: {actual:?} != {expected:?}",
                case["user"]
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn argon2_hashes_equal_djangos() {
    for case in cases("argon2") {
        let params = HasherParams {
            memory_kib: number(&case, "memory_kib") as u32,
            iterations: number(&case, "iterations") as u32,
            parallelism: number(&case, "parallelism") as u32,
        };
        let password = text(&case, "password");
        let encoded = text(&case, "encoded");
        let ours = hash_with_salt(password, text(&case, "salt").as_bytes(), params).unwrap();
        assert_eq!(ours, encoded);
        assert!(check_password(password, encoded));
        assert!(!check_password(&format!("{password}x"), encoded));
    }
}

#[test]
fn djangos_pbkdf2_hashes_verify() {
    for case in cases("pbkdf2") {
        let password = text(&case, "password");
        let encoded = text(&case, "encoded");
        assert!(check_password(password, encoded), "{encoded}");
        assert!(!check_password("wrong", encoded));
    }
}

#[test]
fn tokens_and_session_hashes_equal_djangos() {
    for case in cases("tokens") {
        let mut user = AuthUser::for_tests(number(&case, "id"), text(&case, "password_hash"));
        user.email = text(&case, "email").to_owned();
        user.last_login = case["last_login"]
            .as_str()
            .map(|at| at.replace(' ', "T").parse().unwrap());
        let secret = text(&case, "secret").as_bytes();
        let timestamp = number(&case, "timestamp");
        let token = token_at(&user, timestamp, secret);
        assert_eq!(token, text(&case, "token"));
        assert_eq!(
            session_auth_hash(text(&case, "password_hash"), secret),
            text(&case, "session_auth_hash")
        );
        // Valid until the timeout, not after; not for another secret.
        let made = jiff::Timestamp::from_second(978_307_200 + timestamp).unwrap();
        let timeout = super::PASSWORD_RESET_TIMEOUT.as_secs() as i64;
        let at = |seconds: i64| {
            made.checked_add(jiff::SignedDuration::from_secs(seconds))
                .unwrap()
        };
        assert!(check_token_at(&user, &token, secret, at(timeout)));
        assert!(!check_token_at(&user, &token, secret, at(timeout + 1)));
        assert!(!check_token_at(&user, &token, b"another secret", made));
        // A new password, a login or another email invalidates it.
        let mut changed = user.clone();
        changed.email.push('x');
        assert!(!check_token_at(&changed, &token, secret, made));
        let mut logged_in = user.clone();
        logged_in.last_login = Some(jiff::civil::date(2030, 1, 1).at(0, 0, 0, 0));
        assert!(!check_token_at(&logged_in, &token, secret, made));
    }
}

#[test]
fn uids_equal_djangos() {
    for case in cases("uids") {
        assert_eq!(encode_uid(number(&case, "id")), text(&case, "uidb64"));
        assert_eq!(decode_uid(text(&case, "uidb64")), Some(number(&case, "id")));
    }
}

#[test]
fn safe_urls_equal_djangos() {
    let mut mismatches = Vec::new();
    for case in cases("safe_urls") {
        let url = text(&case, "url");
        let require_https = case["require_https"].as_bool().unwrap();
        let expected = case["safe"].as_bool().unwrap();
        if url_has_allowed_host_and_scheme(url, &["testserver"], require_https) != expected {
            mismatches.push(format!(
                "{url:?} (https {require_https}): Django says {expected}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
