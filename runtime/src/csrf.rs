//! CSRF protection: a secret per session, masked tokens in forms, checked on unsafe methods.
//!
//! Input: the request — its method, `Origin`, `Host`, `X-CSRFToken` header
//! or `csrfmiddlewaretoken` form field — and the secret kept in its
//! [`Session`]. Output: for an unsafe method (anything but GET, HEAD,
//! OPTIONS and TRACE) without a matching token or from a foreign origin, a
//! 403 ([`HttpError::Forbidden`]) with Django's reason; otherwise the inner
//! layers' response.
//!
//! This is Django's `CsrfViewMiddleware` with `CSRF_USE_SESSIONS = True`:
//! the 32-character secret lives in the session under `_csrftoken`,
//! created the first time a page asks for a token ([`csrf_token`]). Pages
//! get the secret masked (a fresh 32-character mask plus the secret
//! enciphered with it, 64 characters over `[a-zA-Z0-9]`), so the token
//! differs on every page (no BREACH-style recovery through compression);
//! both the masked and the bare 32-character form are accepted. The token
//! is compared in constant time.
//!
//! Differences from Django: there is no `Referer` check for HTTPS requests
//! without `Origin` (every current browser sends `Origin` on unsafe
//! requests), no `csrf_exempt` (every unsafe request is checked), and the
//! scheme of the request's own origin is not known from the connection:
//! `https://<host>` is accepted, and `http://<host>` too unless the site
//! has `secure_cookies` (then it is served over HTTPS only).

use futures_util::future::BoxFuture;
use futures_util::stream;
use http::Method;
use http::header::{CONTENT_TYPE, ORIGIN};
use subtle::ConstantTimeEq;

use crate::config::ServerConfig;
use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;
use crate::session::Session;
use crate::session::random::{ALPHANUMERIC, random_string};

/// The session key the CSRF secret is stored under (Django's `CSRF_SESSION_KEY`).
pub const CSRF_SESSION_KEY: &str = "_csrftoken";

/// The form field a token is read from (Django's).
pub const CSRF_FIELD_NAME: &str = "csrfmiddlewaretoken";

/// The header a token is read from when the form has none (Django's `X-CSRFToken`).
pub const CSRF_HEADER_NAME: &str = "x-csrftoken";

/// The length of the secret (Django's `CSRF_SECRET_LENGTH`).
pub const CSRF_SECRET_LENGTH: usize = 32;

/// The length of a masked token (Django's `CSRF_TOKEN_LENGTH`).
pub const CSRF_TOKEN_LENGTH: usize = 2 * CSRF_SECRET_LENGTH;

/// Django's reason when the client has no secret (with sessions: no session
/// holding one — a first POST without ever loading a form).
pub const REASON_NO_CSRF_COOKIE: &str = "CSRF cookie not set.";

/// Django's reason when the request carries no token at all.
pub const REASON_CSRF_TOKEN_MISSING: &str = "CSRF token missing.";

/// The masked CSRF token for a page of this request: what `{% csrf_token %}`
/// and `{{ csrf_token }}` write. The secret is created in the session if it
/// has none (so the session is saved and the client gets a cookie). Empty
/// when the sessions middleware did not run (or randomness failed, which is
/// logged): a form posted with it is refused.
pub fn csrf_token(request: &Request) -> String {
    let Some(session) = Session::from_request(request) else {
        return String::new();
    };
    let secret = match session
        .get::<String>(CSRF_SESSION_KEY)
        .filter(|secret| is_valid_token(secret, CSRF_SECRET_LENGTH))
    {
        Some(secret) => secret,
        None => match new_secret(&session) {
            Ok(secret) => secret,
            Err(error) => {
                tracing::error!(%error, "no CSRF secret could be created");
                return String::new();
            }
        },
    };
    mask_cipher_secret(&secret).unwrap_or_else(|error| {
        tracing::error!(%error, "no CSRF token could be masked");
        String::new()
    })
}

/// Replaces the session's CSRF secret with a new one: tokens of pages shown
/// before stop working. Called at login (Django's `rotate_token`), so a
/// token seen before authentication is worthless after it.
pub fn rotate_csrf_token(session: &Session) {
    if let Err(error) = new_secret(session) {
        // Without randomness the old secret at least must not survive.
        session.remove(CSRF_SESSION_KEY);
        tracing::error!(%error, "the CSRF secret could not be rotated");
    }
}

fn new_secret(session: &Session) -> Result<String, HttpError> {
    let secret = random_string(CSRF_SECRET_LENGTH, ALPHANUMERIC)?;
    session.insert(CSRF_SESSION_KEY, &secret);
    Ok(secret)
}

/// The `csrf` layer of the middleware onion: safe methods pass; unsafe ones
/// pass only with a same-origin (or trusted) `Origin`, if any, and a token
/// matching the session's secret. Put it inside the `sessions` layer.
pub fn csrf_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        if !is_safe_method(request.method())
            && let Err(reason) = check(&request, next.app().config()).await
        {
            tracing::warn!(path = request.path(), %reason, "Forbidden (CSRF)");
            return Err(HttpError::Forbidden(reason));
        }
        Ok(next.run(request).await)
    })
}

/// GET, HEAD, OPTIONS and TRACE: RFC 9110's safe methods, never checked.
fn is_safe_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Django's `process_view` for an unsafe method: the origin, then the token.
async fn check(request: &Request, config: &ServerConfig) -> Result<(), String> {
    if let Some(origin) = request.headers().get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !origin_verified(request, origin, config) {
            return Err(format!(
                "Origin checking failed - {origin} does not match any trusted origins."
            ));
        }
    }
    let secret = Session::from_request(request)
        .and_then(|session| session.get::<String>(CSRF_SESSION_KEY))
        .ok_or_else(|| REASON_NO_CSRF_COOKIE.to_owned())?;
    if let Err(reason) = check_token_format(&secret) {
        return Err(format!("CSRF cookie {reason}."));
    }
    let mut source = "POST";
    let mut token = if *request.method() == Method::POST {
        form_token(request).await.unwrap_or_default()
    } else {
        String::new()
    };
    if token.is_empty() {
        token = request
            .header(CSRF_HEADER_NAME)
            .ok_or_else(|| REASON_CSRF_TOKEN_MISSING.to_owned())?
            .to_owned();
        source = "the 'X-Csrftoken' HTTP header";
    }
    if let Err(reason) = check_token_format(&token) {
        return Err(format!("CSRF token from {source} {reason}."));
    }
    if !does_token_match(&token, &secret) {
        return Err(format!("CSRF token from {source} incorrect."));
    }
    Ok(())
}

/// Django's `_origin_verified`: the request's own origin, or a trusted one
/// (exactly, or `scheme://*.domain` for the domain and its subdomains).
fn origin_verified(request: &Request, origin: &str, config: &ServerConfig) -> bool {
    if let Some(host) = request.host() {
        let https = format!("https://{host}");
        let http = format!("http://{host}");
        if origin.eq_ignore_ascii_case(&https)
            || (!config.sessions.secure_cookie && origin.eq_ignore_ascii_case(&http))
        {
            return true;
        }
    }
    let Some((scheme, netloc)) = origin.split_once("://") else {
        return false;
    };
    config.csrf.trusted_origins.iter().any(|trusted| {
        if trusted.eq_ignore_ascii_case(origin) {
            return true;
        }
        match trusted.split_once("://") {
            Some((trusted_scheme, pattern)) if trusted_scheme.eq_ignore_ascii_case(scheme) => {
                pattern
                    .strip_prefix('*')
                    .is_some_and(|domain| is_same_domain(netloc, domain))
            }
            _ => false,
        }
    })
}

/// Django's `is_same_domain` for a pattern starting with `.`: the domain
/// itself or any subdomain (ASCII case-insensitive).
fn is_same_domain(host: &str, pattern: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix('.') {
        Some(domain) => host == domain || host.ends_with(&pattern),
        None => host == pattern,
    }
}

/// The `csrfmiddlewaretoken` field of a URL-encoded or multipart body.
async fn form_token(request: &Request) -> Option<String> {
    let content_type = request.header(CONTENT_TYPE)?;
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media_type.as_str() {
        "application/x-www-form-urlencoded" => form_urlencoded::parse(request.body())
            .find(|(name, _)| name == CSRF_FIELD_NAME)
            .map(|(_, value)| value.into_owned()),
        "multipart/form-data" => multipart_token(content_type, request.body().clone()).await,
        _ => None,
    }
}

/// The token field of a `multipart/form-data` body (the first such field);
/// `None` for a malformed body.
async fn multipart_token(content_type: &str, body: bytes::Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let body = stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(body, boundary);
    while let Some(field) = multipart.next_field().await.ok()? {
        if field.name() == Some(CSRF_FIELD_NAME) {
            return field.text().await.ok();
        }
    }
    None
}

/// Django's `_check_token_format`: 32 or 64 characters of `[a-zA-Z0-9]`.
fn check_token_format(token: &str) -> Result<(), &'static str> {
    if token.len() != CSRF_SECRET_LENGTH && token.len() != CSRF_TOKEN_LENGTH {
        return Err("has incorrect length");
    }
    if !token.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
        return Err("has invalid characters");
    }
    Ok(())
}

fn is_valid_token(token: &str, length: usize) -> bool {
    token.len() == length && check_token_format(token).is_ok()
}

/// Whether `token` (masked or bare, already format-checked) is `secret`, in constant time.
fn does_token_match(token: &str, secret: &str) -> bool {
    let unmasked;
    let token = if token.len() == CSRF_TOKEN_LENGTH {
        unmasked = unmask_cipher_token(token);
        unmasked.as_str()
    } else {
        token
    };
    token.as_bytes().ct_eq(secret.as_bytes()).into()
}

/// The position of `byte` in [`ALPHANUMERIC`] (0 for anything else, which
/// format checks exclude beforehand).
fn char_index(byte: u8) -> usize {
    match byte {
        b'a'..=b'z' => usize::from(byte - b'a'),
        b'A'..=b'Z' => usize::from(byte - b'A') + 26,
        b'0'..=b'9' => usize::from(byte - b'0') + 52,
        _ => 0,
    }
}

/// Django's `_mask_cipher_secret`: a random mask, then each secret
/// character shifted by the mask's character at the same position.
fn mask_cipher_secret(secret: &str) -> Result<String, HttpError> {
    let mask = random_string(CSRF_SECRET_LENGTH, ALPHANUMERIC)?;
    let modulus = ALPHANUMERIC.len();
    let cipher: String = secret
        .bytes()
        .zip(mask.bytes())
        .map(|(secret, mask)| {
            char::from(ALPHANUMERIC[(char_index(secret) + char_index(mask)) % modulus])
        })
        .collect();
    Ok(mask + &cipher)
}

/// Django's `_unmask_cipher_token`: the secret a 64-character token hides.
fn unmask_cipher_token(token: &str) -> String {
    let (mask, cipher) = token.split_at(CSRF_SECRET_LENGTH.min(token.len()));
    let modulus = ALPHANUMERIC.len();
    cipher
        .bytes()
        .zip(mask.bytes())
        .map(|(cipher, mask)| {
            char::from(ALPHANUMERIC[(char_index(cipher) + modulus - char_index(mask)) % modulus])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "lcccNtmmkaQvrVtLpLvYxGfeaBsHgVNY";

    #[test]
    fn masked_tokens_differ_and_unmask_to_the_secret() {
        let first = mask_cipher_secret(SECRET).unwrap();
        let second = mask_cipher_secret(SECRET).unwrap();
        assert_eq!(first.len(), CSRF_TOKEN_LENGTH);
        assert_ne!(first, second);
        assert!(check_token_format(&first).is_ok());
        assert_eq!(unmask_cipher_token(&first), SECRET);
        assert!(does_token_match(&first, SECRET));
        assert!(does_token_match(SECRET, SECRET));
        assert!(!does_token_match(&"a".repeat(64), SECRET));
    }

    #[test]
    fn tokens_masked_by_django_unmask_to_their_secret() {
        // Recorded from Django 5.2's `_mask_cipher_secret(SECRET)`.
        for token in [
            "6ySGiJdyIWr2zvX1Dkg8ydKKSebuwiYYhAUIV2pKSW7nQggCSVBWVJPOSFt1C3BM",
            "aFwaoL2sJpkr7oagE4zex9n9eVTyMXsulHyc14eETp0Mo9tRTFU2UFsdemb5SI5i",
        ] {
            assert_eq!(unmask_cipher_token(token), SECRET);
            assert!(does_token_match(token, SECRET));
        }
        // 'a' minus 'b' wraps around to '9', the last character.
        let wrapped = format!("{}{}", "b".repeat(32), "a".repeat(32));
        assert_eq!(unmask_cipher_token(&wrapped), "9".repeat(32));
    }

    #[test]
    fn token_formats_are_checked_like_django() {
        assert_eq!(check_token_format("short"), Err("has incorrect length"));
        assert_eq!(
            check_token_format(&format!("{}-", "a".repeat(31))),
            Err("has invalid characters")
        );
        assert_eq!(
            check_token_format(&"é".repeat(16)),
            Err("has invalid characters")
        );
    }

    #[test]
    fn subdomain_patterns_match_the_domain_and_below() {
        assert!(is_same_domain("example.com", ".example.com"));
        assert!(is_same_domain("a.Example.com", ".example.com"));
        assert!(!is_same_domain("badexample.com", ".example.com"));
        assert!(is_same_domain("example.com", "example.com"));
    }
}
