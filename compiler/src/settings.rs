//! Settings: `djinn.toml` → [`Settings`].
//!
//! Stage input: the settings file of a [`ProjectInput`]. Output: typed
//! [`Settings`] (defaults wherever a key is missing or wrong) plus every
//! problem found, each at the exact bytes of the key or value:
//!
//! | code  | problem |
//! | ----- | ------- |
//! | E0010 | the file is not valid TOML |
//! | E0011 | a table or key the schema does not know (with did-you-mean) |
//! | E0012 | a value of the wrong type |
//! | E0013 | a required key is missing |
//! | E0014 | a value of the right type that is still invalid |
//! | E0015 | the middleware list: unknown, duplicate or misordered entries |
//! | E0016 | the project has no `djinn.toml` |
//!
//! The file is parsed with `toml`'s spanned document parser
//! ([`DeTable::parse_recoverable`]), then read table by table against
//! [`SCHEMA`]. `docs/settings.md` documents every key.

use crate::diagnostics::{Code, Diagnostic};
use crate::project::ProjectInput;
use crate::source::{FileId, Span};
use std::net::SocketAddr;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Every table of `djinn.toml` with its keys: what unknown-key detection and
/// did-you-mean suggestions compare against.
pub const SCHEMA: &[(&str, &[&str])] = &[
    ("project", &["name", "description", "debug"]),
    ("database", &["url", "pool_size"]),
    (
        "server",
        &[
            "bind",
            "max_body_bytes",
            "max_header_bytes",
            "request_timeout_secs",
        ],
    ),
    (
        "security",
        &[
            "secret_key_env",
            "allowed_hosts",
            "hsts_seconds",
            "hsts_include_subdomains",
            "hsts_preload",
            "content_security_policy",
            "frame_options",
            "referrer_policy",
            "secure_cookies",
            "csrf_trusted_origins",
        ],
    ),
    ("middleware", &["order"]),
    (
        "sessions",
        &["backend", "redis_url", "cookie_name", "age_seconds"],
    ),
    ("static", &["url"]),
    ("auth", &["login_url", "login_rate_limit"]),
];

/// Typed project settings: one field per table of `djinn.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `[project]`: what the project is called.
    pub project: ProjectSettings,
    /// `[database]`: where the data lives.
    pub database: DatabaseSettings,
    /// `[server]`: the listening socket and request limits.
    pub server: ServerSettings,
    /// `[security]`: hosts, secret key, security headers.
    pub security: SecuritySettings,
    /// `[middleware]`: the middleware onion, outermost first.
    pub middleware: MiddlewareSettings,
    /// `[sessions]`: where sessions are stored and their cookie.
    pub sessions: SessionSettings,
    /// `[static]`: how static files are served.
    pub static_files: StaticSettings,
    /// `[auth]`: login page and login throttling.
    pub auth: AuthSettings,
}

/// `[project]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectSettings {
    /// `name` (required): a lowercase identifier, used as the generated
    /// crate's name and as the app label in permissions (`blog.add_post`).
    /// `app` only when `djinn.toml` is missing or has no valid name, which
    /// is always reported as an error.
    pub name: String,
    /// `description`: one line shown in generated docs and the admin.
    pub description: Option<String>,
    /// `debug` (default `false`): detailed error pages. Never in production.
    pub debug: bool,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        ProjectSettings {
            name: "app".to_string(),
            description: None,
            debug: false,
        }
    }
}

/// `[database]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// `url` (default `sqlite://<name>.sqlite3`): `sqlite://PATH` or
    /// `postgres://USER:PASSWORD@HOST/DB`. `DATABASE_URL` overrides it at run time.
    pub url: String,
    /// The database engine the URL names.
    pub backend: DatabaseBackend,
    /// `pool_size` (default 8): connections per server process.
    pub pool_size: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: default_database_url(&ProjectSettings::default().name),
            backend: DatabaseBackend::Sqlite,
            pool_size: 8,
        }
    }
}

/// The database engine of a [`DatabaseSettings::url`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseBackend {
    /// `sqlite://`: embedded, one file.
    Sqlite,
    /// `postgres://` or `postgresql://`.
    Postgres,
}

/// `[server]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSettings {
    /// `bind` (default `127.0.0.1:8000`): the socket address to listen on.
    pub bind: SocketAddr,
    /// `max_body_bytes` (default 2 621 440 = 2.5 MiB, Django's
    /// `DATA_UPLOAD_MAX_MEMORY_SIZE`): larger request bodies get 413.
    pub max_body_bytes: u64,
    /// `max_header_bytes` (default 16 384, at least 8 192): larger request
    /// heads get 431.
    pub max_header_bytes: u64,
    /// `request_timeout_secs` (default 30): a request that takes longer is
    /// answered with 503.
    pub request_timeout_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            max_body_bytes: 2_621_440,
            max_header_bytes: 16_384,
            request_timeout_secs: 30,
        }
    }
}

/// `[security]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecuritySettings {
    /// `secret_key_env` (default `DJINN_SECRET_KEY`): the environment
    /// variable the secret key (signing sessions and CSRF tokens) is read from.
    pub secret_key_env: String,
    /// `allowed_hosts` (default `["localhost", "127.0.0.1", "[::1]"]`):
    /// `Host` header values served, as Django's `ALLOWED_HOSTS` (`.example.com`
    /// matches subdomains, `*` anything).
    pub allowed_hosts: Vec<String>,
    /// `hsts_seconds` (default 0 = no `Strict-Transport-Security` header).
    pub hsts_seconds: u64,
    /// `hsts_include_subdomains` (default `false`).
    pub hsts_include_subdomains: bool,
    /// `hsts_preload` (default `false`).
    pub hsts_preload: bool,
    /// `content_security_policy` (default none): the `Content-Security-Policy` header.
    pub content_security_policy: Option<String>,
    /// `frame_options` (default `DENY`): the `X-Frame-Options` header.
    pub frame_options: FrameOptions,
    /// `referrer_policy` (default `same-origin`): the `Referrer-Policy`
    /// header, one policy or a comma-separated fallback list.
    pub referrer_policy: String,
    /// `secure_cookies` (default `false`): session and CSRF cookies only over HTTPS.
    pub secure_cookies: bool,
    /// `csrf_trusted_origins` (default empty): extra origins
    /// (`https://app.example.com`) allowed to send unsafe requests.
    pub csrf_trusted_origins: Vec<String>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            secret_key_env: "DJINN_SECRET_KEY".to_string(),
            allowed_hosts: ["localhost", "127.0.0.1", "[::1]"]
                .map(String::from)
                .to_vec(),
            hsts_seconds: 0,
            hsts_include_subdomains: false,
            hsts_preload: false,
            content_security_policy: None,
            frame_options: FrameOptions::Deny,
            referrer_policy: "same-origin".to_string(),
            secure_cookies: false,
            csrf_trusted_origins: Vec::new(),
        }
    }
}

/// The `X-Frame-Options` header value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameOptions {
    /// `DENY`: never framed.
    Deny,
    /// `SAMEORIGIN`: framed by pages of the same origin only.
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

/// `[middleware]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MiddlewareSettings {
    /// `order` (default Django's: security, sessions, common, csrf, auth,
    /// messages, timing): outermost first.
    pub order: Vec<Middleware>,
}

impl Default for MiddlewareSettings {
    fn default() -> Self {
        MiddlewareSettings {
            order: BuiltinMiddleware::ALL
                .iter()
                .map(|&builtin| Middleware {
                    kind: MiddlewareKind::Builtin(builtin),
                    span: None,
                })
                .collect(),
        }
    }
}

/// One entry of the middleware order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Middleware {
    /// What runs.
    pub kind: MiddlewareKind,
    /// Where `djinn.toml` names it; `None` for the default order.
    pub span: Option<Span>,
}

/// A built-in middleware or a user function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MiddlewareKind {
    /// One of the runtime's middleware.
    Builtin(BuiltinMiddleware),
    /// `rust:module::function`: a function in `src/` (the path without `rust:`).
    Rust(String),
}

/// The runtime's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltinMiddleware {
    /// Security headers, HTTPS redirect, allowed hosts.
    Security,
    /// Loads and saves the session.
    Sessions,
    /// Trailing-slash redirects, `Content-Length`.
    Common,
    /// Rejects unsafe requests without a valid CSRF token.
    Csrf,
    /// Puts the logged-in user on the request.
    Auth,
    /// One-time messages carried in the session.
    Messages,
    /// `Server-Timing` header and request log line.
    Timing,
}

impl BuiltinMiddleware {
    /// All built-in middleware, in Django's default order.
    pub const ALL: [BuiltinMiddleware; 7] = [
        BuiltinMiddleware::Security,
        BuiltinMiddleware::Sessions,
        BuiltinMiddleware::Common,
        BuiltinMiddleware::Csrf,
        BuiltinMiddleware::Auth,
        BuiltinMiddleware::Messages,
        BuiltinMiddleware::Timing,
    ];

    /// The name written in `[middleware] order`.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinMiddleware::Security => "security",
            BuiltinMiddleware::Sessions => "sessions",
            BuiltinMiddleware::Common => "common",
            BuiltinMiddleware::Csrf => "csrf",
            BuiltinMiddleware::Auth => "auth",
            BuiltinMiddleware::Messages => "messages",
            BuiltinMiddleware::Timing => "timing",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// `[sessions]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    /// `backend` (default `database`): where sessions are stored.
    pub backend: SessionBackend,
    /// `redis_url`: required when `backend = "redis"`.
    pub redis_url: Option<String>,
    /// `cookie_name` (default `sessionid`).
    pub cookie_name: String,
    /// `age_seconds` (default 1 209 600 = two weeks): session cookie lifetime.
    pub age_seconds: u64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            backend: SessionBackend::Database,
            redis_url: None,
            cookie_name: "sessionid".to_string(),
            age_seconds: 1_209_600,
        }
    }
}

/// Where sessions are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionBackend {
    /// A table in the project's database.
    Database,
    /// A Redis server (`redis_url`).
    Redis,
}

/// `[static]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticSettings {
    /// `url` (default `/static/`): the URL prefix of files under `static/`;
    /// starts and ends with `/`.
    pub url: String,
}

impl Default for StaticSettings {
    fn default() -> Self {
        StaticSettings {
            url: "/static/".to_string(),
        }
    }
}

/// `[auth]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthSettings {
    /// `login_url` (default `/accounts/login/`): where `login_required`
    /// views send anonymous users.
    pub login_url: String,
    /// `login_rate_limit` (default `"5/minute"`): failed logins allowed per
    /// client address and period.
    pub login_rate_limit: RateLimit,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            login_url: "/accounts/login/".to_string(),
            login_rate_limit: RateLimit {
                requests: 5,
                period: RatePeriod::Minute,
            },
        }
    }
}

/// A rate written `"REQUESTS/PERIOD"`, as in Django REST framework's
/// throttle rates: `"5/minute"`, `"100/h"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests are allowed per period (at least 1).
    pub requests: u32,
    /// The period.
    pub period: RatePeriod,
}

/// The period of a [`RateLimit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatePeriod {
    /// `s`, `sec`, `second`.
    Second,
    /// `m`, `min`, `minute`.
    Minute,
    /// `h`, `hour`.
    Hour,
    /// `d`, `day`.
    Day,
}

impl RatePeriod {
    /// The period's length in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            RatePeriod::Second => 1,
            RatePeriod::Minute => 60,
            RatePeriod::Hour => 3_600,
            RatePeriod::Day => 86_400,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "s" | "sec" | "second" => Some(RatePeriod::Second),
            "m" | "min" | "minute" => Some(RatePeriod::Minute),
            "h" | "hour" => Some(RatePeriod::Hour),
            "d" | "day" => Some(RatePeriod::Day),
            _ => None,
        }
    }
}

/// Reads `djinn.toml` from the input.
///
/// Without a `djinn.toml`, reports E0016 at the start of the first spec file
/// (or of the first file of any kind); a project with no files at all gets
/// defaults and no diagnostic. When the TOML itself is broken, every syntax
/// error is reported and the rest is read on a best-effort basis without
/// further diagnostics, since the recovered document may not be what the
/// user meant.
pub fn parse(input: &ProjectInput, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let Some(file) = input.settings else {
        let anchor = input
            .specs
            .first()
            .copied()
            .or_else(|| input.sources.iter().next().map(|(id, _)| id));
        if let Some(anchor) = anchor {
            diagnostics.push(
                Diagnostic::new(
                    Code::SettingsMissingFile,
                    Span::new(anchor, 0, 0),
                    "this project has no `djinn.toml`",
                )
                .with_help("create `djinn.toml` next to the `.djinn` files, with at least `[project]` and `name = \"…\"`")
                .with_note("`djinn new NAME` scaffolds a project with a complete `djinn.toml`"),
            );
        }
        return Settings::default();
    };
    let text = &input.sources.get(file).text;
    let (document, mut syntax_errors) = DeTable::parse_recoverable(text);
    syntax_errors.sort_by_key(|error| error.span().map(|span| (span.start, span.end)));
    if syntax_errors.is_empty() {
        Reader { file, diagnostics }.settings(document.get_ref())
    } else {
        for error in &syntax_errors {
            let range = error.span().unwrap_or(0..0);
            diagnostics.push(Diagnostic::new(
                Code::SettingsSyntax,
                Span::new(file, range.start, range.end),
                format!("invalid TOML: {}", error.message().trim_end()),
            ));
        }
        let mut discarded = Vec::new();
        Reader {
            file,
            diagnostics: &mut discarded,
        }
        .settings(document.get_ref())
    }
}

/// Checks a project name: a lowercase identifier that is a valid Rust crate
/// name and app label. Returns why it is not, as a sentence fragment
/// ("starts with a digit").
pub fn validate_project_name(name: &str) -> Result<(), String> {
    const RESERVED: &[&str] = &[
        // Rust keywords, strict and reserved: cargo refuses them as crate names.
        "abstract",
        "as",
        "async",
        "await",
        "become",
        "box",
        "break",
        "const",
        "continue",
        "crate",
        "do",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "final",
        "fn",
        "for",
        "gen",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "macro",
        "match",
        "mod",
        "move",
        "mut",
        "override",
        "priv",
        "pub",
        "ref",
        "return",
        "self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "try",
        "type",
        "typeof",
        "unsafe",
        "unsized",
        "use",
        "virtual",
        "where",
        "while",
        "yield",
        // Crates every generated crate links: the name would shadow them.
        "alloc",
        "core",
        "proc_macro",
        "std",
        "test",
        "djinn",
        "djinn_runtime",
    ];
    let Some(first) = name.chars().next() else {
        return Err("is empty".to_string());
    };
    if !first.is_ascii_lowercase() {
        return Err("must start with a lowercase ASCII letter".to_string());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "may only contain lowercase ASCII letters, digits and `_`, not `{bad}`"
        ));
    }
    if name.len() > 64 {
        return Err("is longer than 64 characters".to_string());
    }
    if RESERVED.contains(&name) {
        return Err("is a Rust keyword or the name of a crate the generated code uses".to_string());
    }
    Ok(())
}

/// A valid project name close to `name`, if the obvious repair
/// (lowercase, `-` and other separators to `_`) gives one.
pub fn suggest_project_name(name: &str) -> Option<String> {
    let repaired: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let repaired = repaired.trim_matches('_').to_string();
    (repaired != name && validate_project_name(&repaired).is_ok()).then_some(repaired)
}

fn default_database_url(project_name: &str) -> String {
    format!("sqlite://{project_name}.sqlite3")
}

/// One table of the document being read.
struct Table<'t, 'i> {
    /// The table's name in [`SCHEMA`].
    name: &'static str,
    /// Its entries; `None` when the table is absent (all keys default).
    entries: Option<&'t DeTable<'i>>,
    /// Its header (or inline table): where a missing key is reported.
    span: Range<usize>,
}

impl<'t, 'i> Table<'t, 'i> {
    fn get(&self, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.entries?.get(key)
    }
}

/// Reads the parsed document into [`Settings`], reporting into `diagnostics`.
struct Reader<'d> {
    file: FileId,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn settings(&mut self, root: &DeTable<'_>) -> Settings {
        self.check_tables(root);
        let table = |name: &'static str| match root.get(name).map(|v| (v.get_ref(), v.span())) {
            Some((DeValue::Table(entries), span)) => Table {
                name,
                entries: Some(entries),
                span,
            },
            _ => Table {
                name,
                entries: None,
                span: 0..0,
            },
        };
        let project = self.project(&table("project"), root.contains_key("project"));
        let database = self.database(&table("database"), &project.name);
        let server = self.server(&table("server"));
        let security = self.security(&table("security"), project.debug);
        let middleware = self.middleware(&table("middleware"));
        let sessions = self.sessions(&table("sessions"));
        let static_files = self.static_files(&table("static"));
        let auth = self.auth(&table("auth"));
        Settings {
            project,
            database,
            server,
            security,
            middleware,
            sessions,
            static_files,
            auth,
        }
    }

    /// Reports unknown tables at the top level and unknown keys in known
    /// tables (nested tables included: `[server.tls]` is an unknown key `tls`).
    fn check_tables(&mut self, root: &DeTable<'_>) {
        for (key, value) in root.iter() {
            let name: &str = key.get_ref();
            let Some((section, known)) = SCHEMA.iter().find(|(section, _)| *section == name) else {
                self.unknown_key(None, key);
                continue;
            };
            match value.get_ref() {
                DeValue::Table(entries) => {
                    for (key, _) in entries.iter() {
                        if !known.contains(&key.get_ref().as_ref()) {
                            self.unknown_key(Some(section), key);
                        }
                    }
                }
                other => self.wrong_type(section, "a table", other, value.span()),
            }
        }
    }

    fn unknown_key(&mut self, section: Option<&str>, key: &Spanned<std::borrow::Cow<'_, str>>) {
        let name: &str = key.get_ref();
        let span = self.span(key.span());
        let (message, candidates): (String, Vec<&str>) = match section {
            None => (
                format!("unknown table `[{name}]`"),
                SCHEMA.iter().map(|(section, _)| *section).collect(),
            ),
            Some(section) => (
                format!("unknown key `{name}` in `[{section}]`"),
                SCHEMA
                    .iter()
                    .find(|(s, _)| *s == section)
                    .map(|(_, keys)| keys.to_vec())
                    .unwrap_or_default(),
            ),
        };
        let diagnostic = Diagnostic::new(Code::SettingsUnknownKey, span, message)
            .with_label(if section.is_some() {
                "unknown key"
            } else {
                "unknown table"
            })
            .with_suggestion(
                name,
                if section.is_some() {
                    "a key"
                } else {
                    "a table"
                },
                candidates,
            );
        // A known key in the wrong table is a likelier mistake than a typo.
        let home = SCHEMA
            .iter()
            .find(|(s, keys)| Some(*s) != section && keys.contains(&name));
        let diagnostic = match (diagnostic.help.is_none(), home) {
            (true, Some((home, _))) => {
                diagnostic.with_help(format!("`{name}` is a key of the `[{home}]` table"))
            }
            _ => diagnostic,
        };
        self.report(diagnostic);
    }

    fn wrong_type(&mut self, key: &str, expected: &str, found: &DeValue<'_>, span: Range<usize>) {
        let found = match found {
            DeValue::Integer(_) => "an integer",
            DeValue::Array(_) => "an array",
            other => match other.type_str() {
                "string" => "a string",
                "float" => "a float",
                "boolean" => "a boolean",
                "datetime" => "a datetime",
                _ => "a table",
            },
        };
        let span = self.span(span);
        self.report(
            Diagnostic::new(
                Code::SettingsWrongType,
                span,
                format!("`{key}`: expected {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}")),
        );
    }

    fn invalid(&mut self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::SettingsInvalidValue, self.span(range), message)
    }

    fn string(&mut self, table: &Table<'_, '_>, key: &str) -> Option<Spanned<String>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(Spanned::new(value.span(), text.to_string())),
            other => {
                self.wrong_type(
                    &format!("{}.{key}", table.name),
                    "a string",
                    other,
                    value.span(),
                );
                None
            }
        }
    }

    fn bool(&mut self, table: &Table<'_, '_>, key: &str) -> Option<bool> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(flag) => Some(*flag),
            other => {
                self.wrong_type(
                    &format!("{}.{key}", table.name),
                    "a boolean",
                    other,
                    value.span(),
                );
                None
            }
        }
    }

    /// An integer of at least `min` that fits in `T`.
    fn integer<T: TryFrom<i64>>(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        min: i64,
    ) -> Option<T> {
        let value = table.get(key)?;
        let qualified = format!("{}.{key}", table.name);
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(&qualified, "an integer", value.get_ref(), value.span());
            return None;
        };
        let number = i64::from_str_radix(integer.as_str(), integer.radix()).ok();
        if let Some(number) = number.filter(|n| *n < min) {
            let (message, label) = if number < 0 && min >= 0 {
                (
                    format!("`{qualified}` cannot be negative"),
                    "negative".to_string(),
                )
            } else {
                (
                    format!("`{qualified}` must be at least {min}"),
                    format!("less than {min}"),
                )
            };
            let diagnostic = self.invalid(value.span(), message).with_label(label);
            self.report(diagnostic);
            return None;
        }
        match number.map(T::try_from) {
            Some(Ok(number)) => Some(number),
            _ => {
                let diagnostic = self
                    .invalid(value.span(), format!("`{qualified}` is too large"))
                    .with_label("too large");
                self.report(diagnostic);
                None
            }
        }
    }

    fn string_list(&mut self, table: &Table<'_, '_>, key: &str) -> Option<Vec<Spanned<String>>> {
        let value = table.get(key)?;
        let qualified = format!("{}.{key}", table.name);
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(
                &qualified,
                "an array of strings",
                value.get_ref(),
                value.span(),
            );
            return None;
        };
        let mut strings = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push(Spanned::new(item.span(), text.to_string())),
                other => self.wrong_type(&qualified, "a string", other, item.span()),
            }
        }
        // A list with a wrong element keeps its default rather than a partial list.
        (strings.len() == items.len()).then_some(strings)
    }

    /// Reads a string that must be one of `choices`; returns its index.
    fn choice(&mut self, table: &Table<'_, '_>, key: &str, choices: &[&str]) -> Option<usize> {
        let value = self.string(table, key)?;
        if let Some(index) = choices.iter().position(|c| *c == value.get_ref()) {
            return Some(index);
        }
        let listed = choices
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let diagnostic = self
            .invalid(
                value.span(),
                format!(
                    "`{}.{key}` must be one of {listed}, not `{}`",
                    table.name,
                    value.get_ref()
                ),
            )
            .with_label("not a known value")
            .with_suggestion(value.get_ref(), "a value", choices.iter().copied());
        self.report(diagnostic);
        None
    }

    fn project(&mut self, table: &Table<'_, '_>, present: bool) -> ProjectSettings {
        let defaults = ProjectSettings::default();
        let name = match self.string(table, "name") {
            Some(name) => match validate_project_name(name.get_ref()) {
                Ok(()) => Some(name.into_inner()),
                Err(why) => {
                    let mut diagnostic = self
                        .invalid(name.span(), format!("project name `{}` {why}", name.get_ref()))
                        .with_label("not a valid project name")
                        .with_note("the name is the generated crate's name and the app label, so it must be a lowercase identifier");
                    if let Some(better) = suggest_project_name(name.get_ref()) {
                        diagnostic = diagnostic.with_help(format!("try `name = \"{better}\"`"));
                    }
                    self.report(diagnostic);
                    None
                }
            },
            // A wrong type, already reported: for `name`, or for `project` itself.
            None if table.get("name").is_some() || (present && table.entries.is_none()) => None,
            None => {
                let diagnostic = if present {
                    Diagnostic::new(
                        Code::SettingsMissingKey,
                        self.span(table.span.clone()),
                        "missing `project.name`",
                    )
                    .with_label("this table needs `name`")
                } else {
                    Diagnostic::new(
                        Code::SettingsMissingKey,
                        self.span(0..0),
                        "missing `[project]` table with the project's `name`",
                    )
                };
                self.report(diagnostic.with_help(
                    "add `name = \"my_app\"` under `[project]`: a lowercase identifier",
                ));
                None
            }
        };
        ProjectSettings {
            name: name.unwrap_or(defaults.name),
            description: self.string(table, "description").map(Spanned::into_inner),
            debug: self.bool(table, "debug").unwrap_or(defaults.debug),
        }
    }

    fn database(&mut self, table: &Table<'_, '_>, project_name: &str) -> DatabaseSettings {
        let defaults = DatabaseSettings::default();
        let (url, backend) = self
            .string(table, "url")
            .and_then(|url| match database_backend(url.get_ref()) {
                Ok(backend) => Some((url.into_inner(), backend)),
                Err(why) => {
                    let diagnostic = self
                        .invalid(url.span(), format!("invalid database URL `{}`: {why}", url.get_ref()))
                        .with_label("unsupported database URL")
                        .with_help("use `sqlite://FILE` (embedded, the default) or `postgres://USER:PASSWORD@HOST/DATABASE`");
                    self.report(diagnostic);
                    None
                }
            })
            .unwrap_or_else(|| (default_database_url(project_name), DatabaseBackend::Sqlite));
        DatabaseSettings {
            url,
            backend,
            pool_size: self
                .integer(table, "pool_size", 1)
                .unwrap_or(defaults.pool_size),
        }
    }

    fn server(&mut self, table: &Table<'_, '_>) -> ServerSettings {
        let defaults = ServerSettings::default();
        let bind = self.string(table, "bind").and_then(|bind| match bind.get_ref().parse() {
            Ok(address) => Some(address),
            Err(_) => {
                let diagnostic = self
                    .invalid(
                        bind.span(),
                        format!("`server.bind` is not a socket address: `{}`", bind.get_ref()),
                    )
                    .with_label("expected IP:PORT")
                    .with_help("write an IP address and a port, like `127.0.0.1:8000`, `0.0.0.0:8000` or `[::1]:8000`");
                self.report(diagnostic);
                None
            }
        });
        ServerSettings {
            bind: bind.unwrap_or(defaults.bind),
            max_body_bytes: self
                .integer(table, "max_body_bytes", 0)
                .unwrap_or(defaults.max_body_bytes),
            max_header_bytes: self
                .integer(table, "max_header_bytes", 8_192)
                .unwrap_or(defaults.max_header_bytes),
            request_timeout_secs: self
                .integer(table, "request_timeout_secs", 1)
                .unwrap_or(defaults.request_timeout_secs),
        }
    }

    fn security(&mut self, table: &Table<'_, '_>, debug: bool) -> SecuritySettings {
        const REFERRER_POLICIES: &[&str] = &[
            "no-referrer",
            "no-referrer-when-downgrade",
            "origin",
            "origin-when-cross-origin",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
            "unsafe-url",
        ];
        let defaults = SecuritySettings::default();
        let secret_key_env = self.string(table, "secret_key_env").filter(|name| {
            let valid = name
                .get_ref()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                let diagnostic = self
                    .invalid(
                        name.span(),
                        format!(
                            "`security.secret_key_env` is not an environment variable name: `{}`",
                            name.get_ref()
                        ),
                    )
                    .with_label("expected a name like `DJINN_SECRET_KEY`")
                    .with_note(
                        "this is the *name* of the variable holding the key, never the key itself",
                    );
                self.report(diagnostic);
            }
            valid
        });
        let allowed_hosts = self.string_list(table, "allowed_hosts").filter(|hosts| {
            let mut valid = true;
            for host in hosts {
                let text = host.get_ref();
                let problem = if text.is_empty() {
                    Some("an empty host")
                } else if text.contains("://") || text.contains('/') {
                    Some("a URL, not a host")
                } else if text.chars().any(char::is_whitespace) {
                    Some("a host with blanks")
                } else {
                    None
                };
                if let Some(problem) = problem {
                    valid = false;
                    let diagnostic = self
                        .invalid(host.span(), format!("`security.allowed_hosts` contains {problem}: `{text}`"))
                        .with_label("not a host name")
                        .with_help("write host names only: `example.com`, `.example.com` for subdomains, `*` for any");
                    self.report(diagnostic);
                }
            }
            if hosts.is_empty() && !debug {
                valid = false;
                let span = table.get("allowed_hosts").map(|v| v.span()).unwrap_or_default();
                let diagnostic = self
                    .invalid(span, "`security.allowed_hosts` is empty, so no request would be served")
                    .with_label("empty")
                    .with_help("list the host names the site answers to, e.g. `[\"example.com\"]`");
                self.report(diagnostic);
            }
            valid
        });
        let csrf_trusted_origins =
            self.string_list(table, "csrf_trusted_origins")
                .filter(|origins| {
                    let mut valid = true;
                    for origin in origins {
                        if !(origin.get_ref().starts_with("https://")
                            || origin.get_ref().starts_with("http://"))
                        {
                            valid = false;
                            let diagnostic = self
                                .invalid(
                                    origin.span(),
                                    format!(
                                        "CSRF trusted origin `{}` has no scheme",
                                        origin.get_ref()
                                    ),
                                )
                                .with_label("expected `https://…` or `http://…`")
                                .with_help(format!(
                                    "write the full origin: `https://{}`",
                                    origin.get_ref()
                                ));
                            self.report(diagnostic);
                        }
                    }
                    valid
                });
        let content_security_policy =
            self.string(table, "content_security_policy")
                .filter(|policy| {
                    let valid = !policy.get_ref().trim().is_empty();
                    if !valid {
                        let diagnostic = self
                            .invalid(policy.span(), "`security.content_security_policy` is empty")
                            .with_label("empty")
                            .with_help(
                                "remove the key to send no `Content-Security-Policy` header",
                            );
                        self.report(diagnostic);
                    }
                    valid
                });
        let frame_options = self
            .choice(table, "frame_options", &["DENY", "SAMEORIGIN"])
            .map(|index| [FrameOptions::Deny, FrameOptions::SameOrigin][index]);
        let referrer_policy = self.string(table, "referrer_policy").filter(|policy| {
            let mut valid = true;
            // Point at the bad token when the string is written without
            // escapes (its source is the text plus two quotes), else at all of it.
            let exact = policy.span().len() == policy.get_ref().len() + 2;
            let mut offset = policy.span().start + 1;
            for token in policy.get_ref().split(',') {
                let name = token.trim();
                if !REFERRER_POLICIES.contains(&name) {
                    valid = false;
                    let start = offset + token.len() - token.trim_start().len();
                    let range = if exact {
                        start..start + name.len()
                    } else {
                        policy.span()
                    };
                    let diagnostic = self
                        .invalid(range, format!("unknown referrer policy `{name}`"))
                        .with_label("not a Referrer-Policy value")
                        .with_suggestion(name, "a policy", REFERRER_POLICIES.iter().copied());
                    self.report(diagnostic);
                }
                offset += token.len() + 1;
            }
            valid
        });
        SecuritySettings {
            secret_key_env: secret_key_env.map_or(defaults.secret_key_env, Spanned::into_inner),
            allowed_hosts: allowed_hosts.map_or(defaults.allowed_hosts, into_strings),
            hsts_seconds: self
                .integer(table, "hsts_seconds", 0)
                .unwrap_or(defaults.hsts_seconds),
            hsts_include_subdomains: self
                .bool(table, "hsts_include_subdomains")
                .unwrap_or(defaults.hsts_include_subdomains),
            hsts_preload: self
                .bool(table, "hsts_preload")
                .unwrap_or(defaults.hsts_preload),
            content_security_policy: content_security_policy.map(Spanned::into_inner),
            frame_options: frame_options.unwrap_or(defaults.frame_options),
            referrer_policy: referrer_policy.map_or(defaults.referrer_policy, Spanned::into_inner),
            secure_cookies: self
                .bool(table, "secure_cookies")
                .unwrap_or(defaults.secure_cookies),
            csrf_trusted_origins: csrf_trusted_origins
                .map_or(defaults.csrf_trusted_origins, into_strings),
        }
    }

    fn middleware(&mut self, table: &Table<'_, '_>) -> MiddlewareSettings {
        let Some(entries) = self.string_list(table, "order") else {
            return MiddlewareSettings::default();
        };
        let mut order: Vec<Middleware> = Vec::new();
        let mut valid = true;
        for entry in &entries {
            let span = self.span(entry.span());
            let text = entry.get_ref().as_str();
            let kind = if let Some(path) = text.strip_prefix("rust:") {
                if is_rust_function_path(path) {
                    MiddlewareKind::Rust(path.to_string())
                } else {
                    valid = false;
                    self.report(
                        Diagnostic::new(Code::SettingsMiddleware, span, format!("invalid Rust middleware `{text}`"))
                            .with_label("expected `rust:module::function`")
                            .with_help("name a function in `src/`, e.g. `rust:middleware::add_request_id` for `add_request_id` in `src/middleware.rs`"),
                    );
                    continue;
                }
            } else if let Some(builtin) = BuiltinMiddleware::from_name(text) {
                MiddlewareKind::Builtin(builtin)
            } else {
                valid = false;
                let known = BuiltinMiddleware::ALL.map(BuiltinMiddleware::name);
                self.report(
                    Diagnostic::new(Code::SettingsMiddleware, span, format!("unknown middleware `{text}`"))
                        .with_label("unknown middleware")
                        .with_suggestion(text, "a middleware", known)
                        .with_note(format!(
                            "the built-in middleware are {}; user middleware is written `rust:module::function`",
                            known.map(|n| format!("`{n}`")).join(", ")
                        )),
                );
                continue;
            };
            if let Some(first) = order.iter().find(|m| m.kind == kind) {
                valid = false;
                let first_span = first.span.unwrap_or(span);
                self.report(
                    Diagnostic::new(
                        Code::SettingsMiddleware,
                        span,
                        format!("middleware `{text}` is listed twice"),
                    )
                    .with_label("listed again here")
                    .with_secondary(first_span, "first listed here"),
                );
                continue;
            }
            order.push(Middleware {
                kind,
                span: Some(span),
            });
        }
        valid &= self.check_middleware_order(&order);
        if valid {
            MiddlewareSettings { order }
        } else {
            MiddlewareSettings::default()
        }
    }

    /// Django's ordering rules: what reads the session must run inside `sessions`.
    fn check_middleware_order(&mut self, order: &[Middleware]) -> bool {
        let position = |builtin| {
            order
                .iter()
                .position(|m| m.kind == MiddlewareKind::Builtin(builtin))
        };
        let mut valid = true;
        for dependent in [
            BuiltinMiddleware::Csrf,
            BuiltinMiddleware::Auth,
            BuiltinMiddleware::Messages,
        ] {
            let Some(at) = position(dependent) else {
                continue;
            };
            let span = order[at].span.unwrap_or_default();
            let name = dependent.name();
            match position(BuiltinMiddleware::Sessions) {
                Some(sessions) if sessions < at => {}
                Some(sessions) => {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::SettingsMiddleware,
                            span,
                            format!("`{name}` must come after `sessions`"),
                        )
                        .with_label(format!("`{name}` reads the session"))
                        .with_secondary(
                            order[sessions].span.unwrap_or_default(),
                            "`sessions` is listed here, after it",
                        )
                        .with_help(format!("move \"sessions\" before \"{name}\"")),
                    );
                }
                None => {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::SettingsMiddleware,
                            span,
                            format!("`{name}` needs the `sessions` middleware"),
                        )
                        .with_label(format!("`{name}` reads the session"))
                        .with_help(format!("add \"sessions\" before \"{name}\"")),
                    );
                }
            }
        }
        valid
    }

    fn sessions(&mut self, table: &Table<'_, '_>) -> SessionSettings {
        let defaults = SessionSettings::default();
        let backend = self
            .choice(table, "backend", &["database", "redis"])
            .map(|index| [SessionBackend::Database, SessionBackend::Redis][index]);
        let redis_url = self.string(table, "redis_url").filter(|url| {
            let schemes = ["redis://", "rediss://", "redis+unix://", "unix://"];
            let valid = schemes.iter().any(|s| url.get_ref().starts_with(s));
            if !valid {
                let diagnostic = self
                    .invalid(url.span(), format!("invalid Redis URL `{}`", url.get_ref()))
                    .with_label("expected `redis://…` or `rediss://…`")
                    .with_help("write `redis://HOST:6379/0`, or `rediss://` for TLS");
                self.report(diagnostic);
            }
            valid
        });
        if backend == Some(SessionBackend::Redis) && table.get("redis_url").is_none() {
            let span = table.get("backend").map(|v| v.span()).unwrap_or_default();
            self.report(
                Diagnostic::new(
                    Code::SettingsMissingKey,
                    self.span(span),
                    "missing `sessions.redis_url` for the Redis session backend",
                )
                .with_label("Redis sessions need `redis_url`")
                .with_help("add `redis_url = \"redis://127.0.0.1:6379/0\"` under `[sessions]`"),
            );
        }
        let cookie_name = self.string(table, "cookie_name").filter(|name| {
            // RFC 6265: a cookie name is an HTTP token.
            let valid = !name.get_ref().is_empty()
                && name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
            if !valid {
                let diagnostic = self
                    .invalid(
                        name.span(),
                        format!("invalid cookie name `{}`", name.get_ref()),
                    )
                    .with_label("not a cookie name")
                    .with_help("use letters, digits, `_` and `-`, e.g. `sessionid`");
                self.report(diagnostic);
            }
            valid
        });
        SessionSettings {
            backend: backend.unwrap_or(defaults.backend),
            redis_url: redis_url.map(Spanned::into_inner),
            cookie_name: cookie_name.map_or(defaults.cookie_name, Spanned::into_inner),
            age_seconds: self
                .integer(table, "age_seconds", 1)
                .unwrap_or(defaults.age_seconds),
        }
    }

    fn static_files(&mut self, table: &Table<'_, '_>) -> StaticSettings {
        let url = self.string(table, "url").filter(|url| {
            let text = url.get_ref();
            let valid = text.starts_with('/') && text.ends_with('/');
            if !valid {
                let fixed = format!("/{}/", text.trim_matches('/'));
                let diagnostic = self
                    .invalid(
                        url.span(),
                        format!("`static.url` must start and end with `/`: `{text}`"),
                    )
                    .with_label("expected `/…/`")
                    .with_help(format!("try `url = \"{}\"`", fixed.replace("//", "/")));
                self.report(diagnostic);
            }
            valid
        });
        StaticSettings {
            url: url.map_or_else(|| StaticSettings::default().url, Spanned::into_inner),
        }
    }

    fn auth(&mut self, table: &Table<'_, '_>) -> AuthSettings {
        let defaults = AuthSettings::default();
        let login_url = self.string(table, "login_url").filter(|url| {
            let text = url.get_ref();
            let valid = text.starts_with('/')
                || text.starts_with("https://")
                || text.starts_with("http://");
            if !valid {
                let diagnostic = self
                    .invalid(
                        url.span(),
                        format!("`auth.login_url` must be a path or an absolute URL: `{text}`"),
                    )
                    .with_label("expected `/…` or `https://…`")
                    .with_help(format!(
                        "try `login_url = \"/{}\"`",
                        text.trim_start_matches('/')
                    ));
                self.report(diagnostic);
            }
            valid
        });
        let login_rate_limit = self.string(table, "login_rate_limit").and_then(|rate| match parse_rate(rate.get_ref()) {
            Some(limit) => Some(limit),
            None => {
                let diagnostic = self
                    .invalid(rate.span(), format!("invalid rate `{}`", rate.get_ref()))
                    .with_label("expected `REQUESTS/PERIOD`")
                    .with_help("write a positive count and a period: `5/minute`, `100/hour`, `1000/day` (or `s`, `m`, `h`, `d`)");
                self.report(diagnostic);
                None
            }
        });
        AuthSettings {
            login_url: login_url.map_or(defaults.login_url, Spanned::into_inner),
            login_rate_limit: login_rate_limit.unwrap_or(defaults.login_rate_limit),
        }
    }
}

fn into_strings(items: Vec<Spanned<String>>) -> Vec<String> {
    items.into_iter().map(Spanned::into_inner).collect()
}

/// The engine a database URL names, or why it names none.
fn database_backend(url: &str) -> Result<DatabaseBackend, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("no scheme".to_string());
    };
    let backend = match scheme {
        "sqlite" => DatabaseBackend::Sqlite,
        "postgres" | "postgresql" => DatabaseBackend::Postgres,
        other => return Err(format!("unsupported scheme `{other}`")),
    };
    if rest.is_empty() {
        return Err(match backend {
            DatabaseBackend::Sqlite => "no file name after `sqlite://`".to_string(),
            DatabaseBackend::Postgres => format!("no host or database after `{scheme}://`"),
        });
    }
    Ok(backend)
}

/// `module::function` (at least two segments, each an identifier).
fn is_rust_function_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split("::").collect();
    segments.len() >= 2
        && segments.iter().all(|segment| {
            segment
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `"5/minute"` → 5 per minute; `None` unless the count is at least 1.
fn parse_rate(text: &str) -> Option<RateLimit> {
    let (requests, period) = text.split_once('/')?;
    let requests: u32 = requests.trim().parse().ok().filter(|n| *n >= 1)?;
    let period = RatePeriod::from_name(period.trim())?;
    Some(RateLimit { requests, period })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `toml` as the project's `djinn.toml`.
    fn parse_toml(toml: &str) -> (Settings, Vec<Diagnostic>, ProjectInput) {
        let input = ProjectInput::builder().settings(toml).build();
        let mut diagnostics = Vec::new();
        let settings = parse(&input, &mut diagnostics);
        (settings, diagnostics, input)
    }

    /// The one diagnostic a `djinn.toml` produces, with the text it points at.
    fn single(toml: &str) -> (Diagnostic, String) {
        let (_, diagnostics, input) = parse_toml(toml);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let diagnostic = diagnostics.into_iter().next().unwrap();
        let snippet = input.sources.snippet(diagnostic.primary.span).to_string();
        (diagnostic, snippet)
    }

    const MINIMAL: &str = "[project]\nname = \"blog\"\n";

    #[test]
    fn minimal_file_gives_defaults_and_no_diagnostics() {
        let (settings, diagnostics, _) = parse_toml(MINIMAL);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        assert_eq!(settings.project.name, "blog");
        assert_eq!(settings.database.url, "sqlite://blog.sqlite3");
        assert_eq!(settings.database.backend, DatabaseBackend::Sqlite);
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8000");
        assert_eq!(settings.server.max_body_bytes, 2_621_440);
        assert_eq!(settings.security.frame_options, FrameOptions::Deny);
        assert_eq!(settings.middleware, MiddlewareSettings::default());
        assert_eq!(
            settings.auth.login_rate_limit,
            RateLimit {
                requests: 5,
                period: RatePeriod::Minute
            }
        );
    }

    #[test]
    fn full_file_is_read_into_typed_settings() {
        let (settings, diagnostics, _) = parse_toml(
            r#"
[project]
name = "shop"
description = "A shop"
debug = true

[database]
url = "postgresql://shop@db/shop"
pool_size = 0x20

[server]
bind = "0.0.0.0:80"
max_body_bytes = 1_000
max_header_bytes = 8192
request_timeout_secs = 5

[security]
secret_key_env = "SHOP_KEY"
allowed_hosts = [".shop.example"]
hsts_seconds = 31536000
hsts_include_subdomains = true
hsts_preload = true
content_security_policy = "default-src 'self'"
frame_options = "SAMEORIGIN"
referrer_policy = "no-referrer, strict-origin"
secure_cookies = true
csrf_trusted_origins = ["https://admin.shop.example"]

[middleware]
order = ["security", "sessions", "csrf", "rust:middleware::request_id"]

[sessions]
backend = "redis"
redis_url = "redis://cache:6379/1"
cookie_name = "sid"
age_seconds = 3600

[static]
url = "/assets/"

[auth]
login_url = "/login/"
login_rate_limit = "10/h"
"#,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        assert_eq!(settings.project.description.as_deref(), Some("A shop"));
        assert!(settings.project.debug);
        assert_eq!(settings.database.backend, DatabaseBackend::Postgres);
        assert_eq!(settings.database.pool_size, 32);
        assert_eq!(settings.server.bind.port(), 80);
        assert_eq!(settings.server.max_body_bytes, 1_000);
        assert_eq!(settings.security.allowed_hosts, [".shop.example"]);
        assert_eq!(settings.security.frame_options, FrameOptions::SameOrigin);
        assert_eq!(
            settings.security.referrer_policy,
            "no-referrer, strict-origin"
        );
        let kinds: Vec<_> = settings
            .middleware
            .order
            .iter()
            .map(|m| m.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            [
                MiddlewareKind::Builtin(BuiltinMiddleware::Security),
                MiddlewareKind::Builtin(BuiltinMiddleware::Sessions),
                MiddlewareKind::Builtin(BuiltinMiddleware::Csrf),
                MiddlewareKind::Rust("middleware::request_id".to_string()),
            ]
        );
        assert_eq!(settings.sessions.backend, SessionBackend::Redis);
        assert_eq!(settings.static_files.url, "/assets/");
        assert_eq!(settings.auth.login_rate_limit.period.seconds(), 3_600);
    }

    #[test]
    fn invalid_toml_reports_every_syntax_error() {
        let (settings, diagnostics, input) =
            parse_toml("[project]\nname = \"blog\"\nname = \"again\"\n[server\nbind = 1\n");
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::SettingsSyntax, Code::SettingsSyntax]);
        assert_eq!(input.sources.snippet(diagnostics[0].primary.span), "name");
        assert_eq!(diagnostics[0].message, "invalid TOML: duplicate key");
        assert!(
            diagnostics[1].message.contains("unclosed table"),
            "{}",
            diagnostics[1].message
        );
        // What could be recovered is still used, silently.
        assert_eq!(settings.project.name, "blog");
    }

    #[test]
    fn unknown_table_suggests_a_similar_table() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[sever]\nbind = \"0.0.0.0:80\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsUnknownKey);
        assert_eq!(snippet, "sever");
        assert_eq!(diagnostic.message, "unknown table `[sever]`");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a table with a similar name exists: `server`")
        );
    }

    #[test]
    fn unknown_key_suggests_a_similar_key_of_its_table() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[database]\npool_sise = 3\n"));
        assert_eq!(diagnostic.code, Code::SettingsUnknownKey);
        assert_eq!(snippet, "pool_sise");
        assert_eq!(
            diagnostic.message,
            "unknown key `pool_sise` in `[database]`"
        );
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a key with a similar name exists: `pool_size`")
        );
    }

    #[test]
    fn key_in_the_wrong_table_names_its_table() {
        let (diagnostic, snippet) = single("bind = \"0.0.0.0:80\"\n[project]\nname = \"blog\"\n");
        assert_eq!(diagnostic.code, Code::SettingsUnknownKey);
        assert_eq!(snippet, "bind");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("`bind` is a key of the `[server]` table")
        );
    }

    #[test]
    fn nested_table_is_an_unknown_key() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[server.tls]\ncert = \"x\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsUnknownKey);
        assert_eq!(snippet, "tls");
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let (_, diagnostics, _) = parse_toml(&format!(
            "{MINIMAL}[server]\nbnd = 1\nbind = 80\nmax_body_bytes = -5\n[static]\nurl = \"static\"\n"
        ));
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::SettingsUnknownKey,
                Code::SettingsWrongType,
                Code::SettingsInvalidValue,
                Code::SettingsInvalidValue
            ]
        );
    }

    #[test]
    fn wrong_type_is_reported_at_the_value() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[database]\npool_size = \"8\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsWrongType);
        assert_eq!(snippet, "\"8\"");
        assert_eq!(
            diagnostic.message,
            "`database.pool_size`: expected an integer, found a string"
        );
    }

    #[test]
    fn wrong_type_in_a_list_is_reported_at_the_element() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[security]\nallowed_hosts = [\"a.example\", 3]\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsWrongType);
        assert_eq!(snippet, "3");
        assert_eq!(
            diagnostic.message,
            "`security.allowed_hosts`: expected a string, found an integer"
        );
    }

    #[test]
    fn known_table_that_is_not_a_table_is_a_wrong_type() {
        let (diagnostic, snippet) = single(&format!("server = \"x\"\n{MINIMAL}"));
        assert_eq!(diagnostic.code, Code::SettingsWrongType);
        assert_eq!(snippet, "\"x\"");
        assert_eq!(
            diagnostic.message,
            "`server`: expected a table, found a string"
        );
    }

    #[test]
    fn project_that_is_not_a_table_is_reported_once() {
        let (diagnostic, snippet) = single("project = \"blog\"\n");
        assert_eq!(diagnostic.code, Code::SettingsWrongType);
        assert_eq!(snippet, "\"blog\"");
    }

    #[test]
    fn missing_name_is_reported_at_the_project_table() {
        let (diagnostic, snippet) = single("[project]\ndebug = true\n");
        assert_eq!(diagnostic.code, Code::SettingsMissingKey);
        assert_eq!(snippet, "[project]");
        assert_eq!(diagnostic.message, "missing `project.name`");
    }

    #[test]
    fn missing_project_table_is_reported_at_the_start() {
        let (diagnostic, snippet) = single("[server]\nbind = \"127.0.0.1:9000\"\n");
        assert_eq!(diagnostic.code, Code::SettingsMissingKey);
        assert_eq!(snippet, "");
        assert_eq!(diagnostic.primary.span.start, 0);
        assert_eq!(
            diagnostic.message,
            "missing `[project]` table with the project's `name`"
        );
    }

    #[test]
    fn redis_sessions_need_a_redis_url() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[sessions]\nbackend = \"redis\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsMissingKey);
        assert_eq!(snippet, "\"redis\"");
        assert_eq!(
            diagnostic.message,
            "missing `sessions.redis_url` for the Redis session backend"
        );
    }

    #[test]
    fn project_name_must_be_a_lowercase_identifier() {
        let (diagnostic, snippet) = single("[project]\nname = \"My-Blog\"\n");
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "\"My-Blog\"");
        assert_eq!(
            diagnostic.message,
            "project name `My-Blog` must start with a lowercase ASCII letter"
        );
        assert_eq!(diagnostic.help.as_deref(), Some("try `name = \"my_blog\"`"));
        for bad in ["fn", "std", "1blog", "", "blog-x", "blög"] {
            assert!(validate_project_name(bad).is_err(), "{bad}");
        }
        for good in ["blog", "my_blog2", "a"] {
            assert_eq!(validate_project_name(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn bind_must_be_a_socket_address() {
        let (diagnostic, snippet) =
            single(&format!("{MINIMAL}[server]\nbind = \"localhost:8000\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "\"localhost:8000\"");
        assert_eq!(
            diagnostic.message,
            "`server.bind` is not a socket address: `localhost:8000`"
        );
    }

    #[test]
    fn database_url_must_be_sqlite_or_postgres() {
        let (diagnostic, snippet) =
            single(&format!("{MINIMAL}[database]\nurl = \"mysql://db/blog\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "\"mysql://db/blog\"");
        assert_eq!(
            diagnostic.message,
            "invalid database URL `mysql://db/blog`: unsupported scheme `mysql`"
        );
        for good in ["sqlite://x.db", "postgres://u@h/d", "postgresql://h/d"] {
            assert!(database_backend(good).is_ok(), "{good}");
        }
        for bad in ["sqlite://", "blog.sqlite3", "postgres://"] {
            assert!(database_backend(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_cannot_be_negative_or_too_small() {
        let (diagnostic, snippet) = single(&format!("{MINIMAL}[server]\nmax_body_bytes = -1\n"));
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "-1");
        assert_eq!(
            diagnostic.message,
            "`server.max_body_bytes` cannot be negative"
        );

        let (diagnostic, snippet) = single(&format!("{MINIMAL}[database]\npool_size = 0\n"));
        assert_eq!(snippet, "0");
        assert_eq!(
            diagnostic.message,
            "`database.pool_size` must be at least 1"
        );

        let (diagnostic, _) = single(&format!("{MINIMAL}[database]\npool_size = 99999999999\n"));
        assert_eq!(diagnostic.message, "`database.pool_size` is too large");
    }

    #[test]
    fn choices_suggest_the_closest_value() {
        let (diagnostic, snippet) =
            single(&format!("{MINIMAL}[security]\nframe_options = \"deny\"\n"));
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "\"deny\"");
        assert_eq!(
            diagnostic.message,
            "`security.frame_options` must be one of `DENY`, `SAMEORIGIN`, not `deny`"
        );
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a value with a similar name exists: `DENY`")
        );
    }

    #[test]
    fn unknown_referrer_policy_is_reported_at_its_token() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[security]\nreferrer_policy = \"no-referrer, same-orign\"\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsInvalidValue);
        assert_eq!(snippet, "same-orign");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a policy with a similar name exists: `same-origin`")
        );
        // With an escape in the string, offsets inside it are unknown: the whole value.
        let (_, snippet) = single(&format!(
            "{MINIMAL}[security]\nreferrer_policy = \"origin,\\tsame-orign\"\n"
        ));
        assert_eq!(snippet, "\"origin,\\tsame-orign\"");
    }

    #[test]
    fn other_invalid_values_are_reported_at_the_value() {
        let cases = [
            (
                "[static]\nurl = \"static/\"\n",
                "\"static/\"",
                "`static.url` must start and end with `/`: `static/`",
            ),
            (
                "[auth]\nlogin_rate_limit = \"5 per minute\"\n",
                "\"5 per minute\"",
                "invalid rate `5 per minute`",
            ),
            (
                "[auth]\nlogin_url = \"login\"\n",
                "\"login\"",
                "`auth.login_url` must be a path or an absolute URL: `login`",
            ),
            (
                "[security]\ncsrf_trusted_origins = [\"example.com\"]\n",
                "\"example.com\"",
                "CSRF trusted origin `example.com` has no scheme",
            ),
            (
                "[security]\nallowed_hosts = [\"https://example.com\"]\n",
                "\"https://example.com\"",
                "`security.allowed_hosts` contains a URL, not a host: `https://example.com`",
            ),
            (
                "[security]\nallowed_hosts = []\n",
                "[]",
                "`security.allowed_hosts` is empty, so no request would be served",
            ),
            (
                "[security]\nsecret_key_env = \"my key\"\n",
                "\"my key\"",
                "`security.secret_key_env` is not an environment variable name: `my key`",
            ),
            (
                "[sessions]\ncookie_name = \"session id\"\n",
                "\"session id\"",
                "invalid cookie name `session id`",
            ),
            (
                "[sessions]\nredis_url = \"http://cache\"\n",
                "\"http://cache\"",
                "invalid Redis URL `http://cache`",
            ),
        ];
        for (toml, expected_snippet, expected_message) in cases {
            let (diagnostic, snippet) = single(&format!("{MINIMAL}{toml}"));
            assert_eq!(diagnostic.code, Code::SettingsInvalidValue, "{toml}");
            assert_eq!(snippet, expected_snippet, "{toml}");
            assert_eq!(diagnostic.message, expected_message, "{toml}");
        }
    }

    #[test]
    fn unknown_middleware_suggests_a_known_one() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[middleware]\norder = [\"security\", \"sesions\"]\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsMiddleware);
        assert_eq!(snippet, "\"sesions\"");
        assert_eq!(diagnostic.message, "unknown middleware `sesions`");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a middleware with a similar name exists: `sessions`")
        );
    }

    #[test]
    fn duplicate_middleware_points_at_the_first_occurrence() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[middleware]\norder = [\"timing\", \"security\", \"timing\"]\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsMiddleware);
        assert_eq!(snippet, "\"timing\"");
        assert_eq!(diagnostic.message, "middleware `timing` is listed twice");
        assert_eq!(diagnostic.secondary.len(), 1);
        assert_eq!(diagnostic.secondary[0].message, "first listed here");
        assert!(diagnostic.secondary[0].span.start < diagnostic.primary.span.start);
    }

    #[test]
    fn malformed_rust_middleware_is_rejected() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[middleware]\norder = [\"rust:request_id\"]\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsMiddleware);
        assert_eq!(snippet, "\"rust:request_id\"");
        assert_eq!(
            diagnostic.message,
            "invalid Rust middleware `rust:request_id`"
        );
    }

    #[test]
    fn session_middleware_must_come_first() {
        let (diagnostic, snippet) = single(&format!(
            "{MINIMAL}[middleware]\norder = [\"csrf\", \"sessions\"]\n"
        ));
        assert_eq!(diagnostic.code, Code::SettingsMiddleware);
        assert_eq!(snippet, "\"csrf\"");
        assert_eq!(diagnostic.message, "`csrf` must come after `sessions`");
        assert_eq!(
            diagnostic.secondary[0].message,
            "`sessions` is listed here, after it"
        );

        let (_, diagnostics, _) = parse_toml(&format!(
            "{MINIMAL}[middleware]\norder = [\"auth\", \"messages\"]\n"
        ));
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`auth` needs the `sessions` middleware",
                "`messages` needs the `sessions` middleware"
            ]
        );
    }

    #[test]
    fn missing_file_points_at_the_first_spec() {
        let input = ProjectInput::builder()
            .spec("b.djinn", "model B {}")
            .spec("a.djinn", "model A {}")
            .build();
        let mut diagnostics = Vec::new();
        let settings = parse(&input, &mut diagnostics);
        assert_eq!(settings, Settings::default());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::SettingsMissingFile);
        assert_eq!(diagnostics[0].primary.span, Span::new(input.specs[0], 0, 0));
        assert_eq!(input.sources.get(input.specs[0]).path, "a.djinn");

        let mut diagnostics = Vec::new();
        parse(&ProjectInput::default(), &mut diagnostics);
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn settings_docs_cover_every_key() {
        let docs = include_str!("../../docs/settings.md");
        for (table, keys) in SCHEMA {
            assert!(
                docs.contains(&format!("## `[{table}]`")),
                "docs/settings.md lacks `[{table}]`"
            );
            for key in *keys {
                assert!(
                    docs.contains(&format!("`{key}`")),
                    "docs/settings.md lacks `{table}.{key}`"
                );
            }
        }
    }
}
