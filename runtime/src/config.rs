//! Server settings.
//!
//! Input: the values the compiler wrote from `djinn.toml` (as a
//! [`ServerConfig`] literal in the generated crate), then the process
//! environment (`DJINN_BIND`, `DJINN_DEBUG`, `DJINN_SECRET_KEY`,
//! `DATABASE_URL`). Output: the [`ServerConfig`] an [`crate::App`] runs with.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::middleware::MiddlewareKind;

/// Everything the HTTP side of a djinn server can be told.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on (`DJINN_BIND`). Default `127.0.0.1:8000`.
    pub bind: SocketAddr,
    /// Debug mode (`DJINN_DEBUG`): detailed error pages, `Server-Timing` header.
    pub debug: bool,
    /// Secret for signing cookies and CSRF tokens (`DJINN_SECRET_KEY`); carried for later layers.
    pub secret_key: Option<String>,
    /// Database URL (`DATABASE_URL`); carried for the database layer.
    pub database_url: Option<String>,
    /// Host names this site answers to, Django-style: `"example.com"`,
    /// `".example.com"` (the domain and its subdomains) or `"*"`. Empty in
    /// debug mode means `.localhost`, `127.0.0.1` and `[::1]`; empty in
    /// production refuses every request.
    pub allowed_hosts: Vec<String>,
    /// Redirect `/path` to `/path/` when only the latter has a route (Django's `APPEND_SLASH`).
    pub append_slash: bool,
    /// Size and time limits.
    pub limits: Limits,
    /// The headers of the security middleware.
    pub security: SecurityConfig,
    /// Where static files are served from.
    pub static_files: StaticConfig,
    /// The middleware onion, outermost first.
    pub middleware: Vec<MiddlewareKind>,
    /// Sessions: where they are stored and their cookie.
    pub sessions: SessionConfig,
    /// CSRF protection.
    pub csrf: CsrfConfig,
    /// Authentication: the login page and its rate limit.
    pub auth: AuthConfig,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            debug: false,
            secret_key: None,
            database_url: None,
            allowed_hosts: Vec::new(),
            append_slash: true,
            limits: Limits::default(),
            security: SecurityConfig::default(),
            static_files: StaticConfig::default(),
            middleware: vec![
                MiddlewareKind::Timing,
                MiddlewareKind::Security,
                MiddlewareKind::Common,
            ],
            sessions: SessionConfig::default(),
            csrf: CsrfConfig::default(),
            auth: AuthConfig::default(),
        }
    }
}

/// Secrets are never printed, not even in debug logs.
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("debug", &self.debug)
            .field("secret_key", &redacted(&self.secret_key))
            .field("database_url", &redacted(&self.database_url))
            .field("allowed_hosts", &self.allowed_hosts)
            .field("append_slash", &self.append_slash)
            .field("limits", &self.limits)
            .field("security", &self.security)
            .field("static_files", &self.static_files)
            .field("middleware", &self.middleware)
            .field("sessions", &self.sessions)
            .field("csrf", &self.csrf)
            .field("auth", &self.auth)
            .finish()
    }
}

impl ServerConfig {
    /// Applies the overrides found in the process environment.
    pub fn with_process_env(self) -> Result<ServerConfig, ConfigError> {
        self.with_env(|name| std::env::var(name).ok())
    }

    /// Applies the overrides that `lookup` finds (tests pass a map instead of
    /// the process environment).
    pub fn with_env(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ServerConfig, ConfigError> {
        if let Some(value) = lookup("DJINN_BIND") {
            self.bind = value.parse().map_err(|_| ConfigError::InvalidEnv {
                variable: "DJINN_BIND",
                value: value.clone(),
                expected: "an address and port such as 0.0.0.0:8000 or [::1]:8000",
            })?;
        }
        if let Some(value) = lookup("DJINN_DEBUG") {
            self.debug = parse_flag(&value).ok_or(ConfigError::InvalidEnv {
                variable: "DJINN_DEBUG",
                value,
                expected: "one of 1, true, yes, on, 0, false, no, off",
            })?;
        }
        if let Some(value) = lookup("DJINN_SECRET_KEY") {
            self.secret_key = Some(value);
        }
        if let Some(value) = lookup("DATABASE_URL") {
            self.database_url = Some(value);
        }
        Ok(self)
    }
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Size and time limits, so one client cannot hold memory or a worker forever.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted request body; larger gets 413. Default 2.5 MiB (Django's
    /// `DATA_UPLOAD_MAX_MEMORY_SIZE`).
    pub max_body_bytes: usize,
    /// Largest accepted request head (request line and headers); larger gets 431. Default 16 KiB.
    pub max_header_bytes: usize,
    /// Time a client has to send the request head; then the connection is
    /// closed. It also bounds how long a keep-alive connection may sit idle
    /// (hyper starts it when it waits for the next request). Default 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send the request body; then 408. Default 30 s.
    pub body_read_timeout: Duration,
    /// Time the middleware and the handler have to answer; then 503. Default 30 s.
    pub request_timeout: Duration,
    /// On shutdown, how long in-flight requests may still run. Default 30 s.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 2_621_440,
            max_header_bytes: 16 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// The headers the security middleware adds (each only if the response lacks it).
#[derive(Clone, Debug)]
pub struct SecurityConfig {
    /// `X-Content-Type-Options: nosniff`. Default on.
    pub content_type_nosniff: bool,
    /// `X-Frame-Options`. Default `DENY`; `None` sends nothing.
    pub frame_options: Option<FrameOptions>,
    /// `Referrer-Policy`. Default `same-origin`.
    pub referrer_policy: Option<String>,
    /// `Cross-Origin-Opener-Policy`. Default `same-origin`.
    pub cross_origin_opener_policy: Option<String>,
    /// `Strict-Transport-Security` max-age in seconds; 0 (the default) sends no header.
    /// Browsers ignore it over plain HTTP, so it is safe to send behind a TLS proxy.
    pub hsts_seconds: u64,
    /// Adds `includeSubDomains` to HSTS.
    pub hsts_include_subdomains: bool,
    /// Adds `preload` to HSTS.
    pub hsts_preload: bool,
    /// `Content-Security-Policy`, sent verbatim when set. Default none.
    pub content_security_policy: Option<String>,
}

impl Default for SecurityConfig {
    fn default() -> SecurityConfig {
        SecurityConfig {
            content_type_nosniff: true,
            frame_options: Some(FrameOptions::Deny),
            referrer_policy: Some("same-origin".to_owned()),
            cross_origin_opener_policy: Some("same-origin".to_owned()),
            hsts_seconds: 0,
            hsts_include_subdomains: false,
            hsts_preload: false,
            content_security_policy: None,
        }
    }
}

/// The value of `X-Frame-Options`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameOptions {
    /// No framing at all.
    Deny,
    /// Framing by pages of the same origin only.
    SameOrigin,
}

impl FrameOptions {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameOptions::Deny => "DENY",
            FrameOptions::SameOrigin => "SAMEORIGIN",
        }
    }
}

/// Static files: `url_prefix` + relative path maps to `dir` + relative path.
#[derive(Clone, Debug)]
pub struct StaticConfig {
    /// URL prefix, starting and ending with `/`. Default `/static/`.
    pub url_prefix: String,
    /// Directory served; `None` (the default) serves no static files.
    pub dir: Option<PathBuf>,
    /// `Cache-Control: public, max-age` in production; debug sends `no-cache`
    /// so edits show at once. Default one hour.
    pub max_age: Duration,
}

impl Default for StaticConfig {
    fn default() -> StaticConfig {
        StaticConfig {
            url_prefix: "/static/".to_owned(),
            dir: None,
            max_age: Duration::from_secs(3600),
        }
    }
}

/// A setting that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// An environment variable holds a value of the wrong shape.
    InvalidEnv {
        /// The variable.
        variable: &'static str,
        /// What it held.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// A security setting is not a valid header value (a newline, say).
    InvalidHeaderValue {
        /// The setting.
        setting: &'static str,
        /// What it held.
        value: String,
    },
    /// The static URL prefix does not start and end with `/`.
    InvalidStaticPrefix(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidEnv {
                variable,
                value,
                expected,
            } => write!(f, "{variable}={value:?} is invalid: expected {expected}"),
            ConfigError::InvalidHeaderValue { setting, value } => {
                write!(f, "{setting} = {value:?} is not a valid HTTP header value")
            }
            ConfigError::InvalidStaticPrefix(prefix) => {
                write!(
                    f,
                    "static url prefix {prefix:?} must start and end with '/'"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn with_env(pairs: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        ServerConfig::default().with_env(|name| env.get(name).cloned())
    }

    #[test]
    fn environment_overrides_bind_debug_and_carried_secrets() {
        let config = with_env(&[
            ("DJINN_BIND", "0.0.0.0:9000"),
            ("DJINN_DEBUG", "yes"),
            ("DJINN_SECRET_KEY", "s3cret"),
            ("DATABASE_URL", "postgres://u:pw@db/app"),
        ])
        .unwrap();
        assert_eq!(config.bind, SocketAddr::from(([0, 0, 0, 0], 9000)));
        assert!(config.debug);
        assert_eq!(config.secret_key.as_deref(), Some("s3cret"));
        assert_eq!(
            config.database_url.as_deref(),
            Some("postgres://u:pw@db/app")
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cret") && !printed.contains("pw@db"));
    }

    #[test]
    fn malformed_environment_values_are_errors() {
        let error = with_env(&[("DJINN_BIND", "localhost")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("DJINN_BIND=\"localhost\" is invalid")
        );
        let error = with_env(&[("DJINN_DEBUG", "maybe")]).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::InvalidEnv {
                variable: "DJINN_DEBUG",
                ..
            }
        ));
    }

    #[test]
    fn absent_environment_keeps_compiled_settings() {
        let config = with_env(&[]).unwrap();
        assert!(!config.debug);
        assert_eq!(config.bind.port(), 8000);
        assert_eq!(config.secret_key, None);
    }
}

/// Where sessions are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionBackend {
    /// The `djinn_session` table of the application's database (the default),
    /// so every server process sharing the database shares the sessions.
    Database,
    /// A Redis server, by URL (`redis://127.0.0.1:6379/0`).
    Redis {
        /// The server's URL.
        url: String,
    },
}

/// `[sessions]` of `djinn.toml`.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Where sessions are stored.
    pub backend: SessionBackend,
    /// The cookie's name. Default `sessionid`.
    pub cookie_name: String,
    /// How long a session lives, in seconds. Default two weeks.
    pub age_seconds: u64,
    /// Send the cookie with `Secure` (behind HTTPS). Default off.
    pub secure_cookie: bool,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            backend: SessionBackend::Database,
            cookie_name: "sessionid".to_owned(),
            age_seconds: 1_209_600,
            secure_cookie: false,
        }
    }
}

/// CSRF protection settings.
#[derive(Clone, Debug, Default)]
pub struct CsrfConfig {
    /// Origins besides the request's own host that may POST
    /// (`https://example.com`), Django's `CSRF_TRUSTED_ORIGINS`.
    pub trusted_origins: Vec<String>,
}

/// `[auth]` of `djinn.toml`.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Where `login_required` views send anonymous users. Default `/accounts/login/`.
    pub login_url: String,
    /// Failed logins allowed per client address, and per account, in `login_rate_period`.
    pub login_rate_limit: u32,
    /// The period of the login rate limit.
    pub login_rate_period: Duration,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            login_url: "/accounts/login/".to_owned(),
            login_rate_limit: 5,
            login_rate_period: Duration::from_secs(60),
        }
    }
}
