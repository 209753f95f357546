//! Security headers middleware (Django's `SecurityMiddleware` and
//! `XFrameOptionsMiddleware`).
//!
//! Input: the [`SecurityConfig`], turned once at start-up into a
//! [`SecurityHeaders`] list. Output: each response carries those headers,
//! unless the view already set one of them (a view may relax its own page).

use futures_util::future::BoxFuture;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::{ConfigError, SecurityConfig};
use crate::error::HttpError;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");

/// The security headers as validated header values, in a fixed order.
#[derive(Clone, Debug, Default)]
pub struct SecurityHeaders(Vec<(HeaderName, HeaderValue)>);

impl SecurityHeaders {
    /// Validates the configured values; a newline in a policy string is an error here,
    /// not a broken response later.
    pub fn from_config(config: &SecurityConfig) -> Result<SecurityHeaders, ConfigError> {
        let mut headers = Vec::new();
        if config.content_type_nosniff {
            headers.push((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")));
        }
        if let Some(frame_options) = config.frame_options {
            let value = HeaderValue::from_static(frame_options.as_str());
            headers.push((X_FRAME_OPTIONS, value));
        }
        if let Some(policy) = &config.referrer_policy {
            headers.push((REFERRER_POLICY, header_value("referrer_policy", policy)?));
        }
        if let Some(policy) = &config.cross_origin_opener_policy {
            let value = header_value("cross_origin_opener_policy", policy)?;
            headers.push((CROSS_ORIGIN_OPENER_POLICY, value));
        }
        if config.hsts_seconds > 0 {
            let mut hsts = format!("max-age={}", config.hsts_seconds);
            if config.hsts_include_subdomains {
                hsts.push_str("; includeSubDomains");
            }
            if config.hsts_preload {
                hsts.push_str("; preload");
            }
            headers.push((STRICT_TRANSPORT_SECURITY, header_value("hsts", &hsts)?));
        }
        if let Some(policy) = &config.content_security_policy {
            let value = header_value("content_security_policy", policy)?;
            headers.push((CONTENT_SECURITY_POLICY, value));
        }
        Ok(SecurityHeaders(headers))
    }

    /// Adds every header that `headers` does not have yet.
    pub fn apply(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.0 {
            headers.entry(name).or_insert_with(|| value.clone());
        }
    }
}

fn header_value(setting: &'static str, value: &str) -> Result<HeaderValue, ConfigError> {
    HeaderValue::from_str(value).map_err(|_| ConfigError::InvalidHeaderValue {
        setting,
        value: value.to_owned(),
    })
}

/// The middleware: adds the configured security headers to every response.
pub fn security_middleware(
    request: Request,
    next: Next,
) -> BoxFuture<'static, Result<Response, HttpError>> {
    Box::pin(async move {
        let app = next.app().clone();
        let mut response = next.run(request).await;
        app.security_headers().apply(response.headers_mut());
        Ok(response)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FrameOptions;

    #[test]
    fn defaults_send_django_like_headers_without_hsts() {
        let mut headers = HeaderMap::new();
        SecurityHeaders::from_config(&SecurityConfig::default())
            .unwrap()
            .apply(&mut headers);
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[REFERRER_POLICY], "same-origin");
        assert_eq!(headers[CROSS_ORIGIN_OPENER_POLICY], "same-origin");
        assert!(!headers.contains_key(STRICT_TRANSPORT_SECURITY));
        assert!(!headers.contains_key(CONTENT_SECURITY_POLICY));
    }

    #[test]
    fn hsts_and_csp_follow_the_settings_and_views_keep_their_own_values() {
        let config = SecurityConfig {
            frame_options: Some(FrameOptions::SameOrigin),
            hsts_seconds: 31_536_000,
            hsts_include_subdomains: true,
            hsts_preload: true,
            content_security_policy: Some("default-src 'self'".to_owned()),
            ..SecurityConfig::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        SecurityHeaders::from_config(&config)
            .unwrap()
            .apply(&mut headers);
        assert_eq!(
            headers[STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains; preload"
        );
        assert_eq!(headers[CONTENT_SECURITY_POLICY], "default-src 'self'");
        assert_eq!(headers[X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(headers[REFERRER_POLICY], "no-referrer");
    }

    #[test]
    fn a_policy_with_a_newline_is_a_config_error() {
        let config = SecurityConfig {
            content_security_policy: Some("default-src\n'self'".to_owned()),
            ..SecurityConfig::default()
        };
        let error = SecurityHeaders::from_config(&config).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::InvalidHeaderValue {
                setting: "content_security_policy",
                ..
            }
        ));
    }
}
