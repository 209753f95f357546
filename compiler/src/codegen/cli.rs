//! The binary: `src/main.rs`, `src/lib.rs`, `src/__djinn/mod.rs` and
//! `src/__djinn/cli.rs`.
//!
//! Input: the project, its settings, its input files (whether it has
//! static files) and the view plans. Output: the tokens of those files. The
//! command line of the generated binary:
//!
//! ```text
//! serve [--bind ADDR]   serve (the default)
//! migrate [--list | --fake NAME]
//!                       apply the pending migrations of `migrations/` (--list:
//!                       each with [X] when applied; --fake: record one as
//!                       applied without running it); without migrations,
//!                       create the schema if the database has none
//! routes                path, name, view, methods, queries per request
//! check                 the settings, and whether the database answers
//! loaddata FILE         load a fixture in Django's dumpdata format
//! dumpdata [MODEL…] [--indent N] [--output FILE]
//!                       write the rows in Django's dumpdata format
//! ```
//!
//! The settings of `djinn.toml` are compiled into `config()`; the
//! environment overrides them (`DATABASE_URL`, `DJINN_BIND`, the secret key
//! variable, `DJINN_DEBUG`, `DJINN_STATIC_DIR`).

use super::names::{ident, internal};
use super::views::{ViewPlan, literal_value};
use crate::check::ir::{FieldType, HttpMethod, ModelId, Project, ValueKind};
use crate::migrations::Migration;
use crate::project::ProjectInput;
use crate::settings::{BuiltinMiddleware, FrameOptions, MiddlewareKind, SessionBackend, Settings};
use crate::sql::{self, ScalarKind, join_columns, model_columns, quote as quote_sql};
use proc_macro2::TokenStream;
use quote::quote;
use std::net::SocketAddr;

/// `src/main.rs`.
pub(super) fn main_rs() -> TokenStream {
    quote! {
        //! The server's binary: see `djinn_app::__djinn::cli` for its commands.

        /// mimalloc: faster than the system allocator for a server's many
        /// small, short-lived buffers.
        #[global_allocator]
        static ALLOCATOR: ::djinn_runtime::Allocator = ::djinn_runtime::Allocator;

        fn main() -> ::std::process::ExitCode {
            ::djinn_app::__djinn::cli::main()
        }
    }
}

/// `src/lib.rs`: the generated modules and the project's own.
pub(super) fn lib_rs(settings: &Settings, user_modules: &[String]) -> TokenStream {
    let description = settings
        .project
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{}` server.", settings.project.name));
    let description = super::names::inner_doc(&description);
    let user = user_modules.iter().map(|module| {
        let name = ident(module);
        let doc = format!("The project's `src/{module}.rs`.");
        let doc_attr = super::names::doc(&doc);
        quote! {
            #doc_attr
            pub mod #name;
        }
    });
    quote! {
        #description

        // Names come from the spec, where Django's conventions allow
        // `randomNumber` fields and lower-case model names.
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod context;
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod models;
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod templates;
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod urls;

        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types)]
        pub mod __djinn;

        #(#user)*
    }
}

/// `src/__djinn/mod.rs`.
pub(super) fn internal_mod() -> TokenStream {
    quote! {
        //! The generated crate's internals: views, command line, helpers.

        pub mod cli;
        pub mod support;
        pub mod views;
    }
}

/// `src/__djinn/cli.rs`.
pub(super) fn generate(
    project: &Project,
    settings: &Settings,
    input: &ProjectInput,
    plans: &[ViewPlan],
) -> TokenStream {
    let name = &settings.project.name;
    let migrations = crate::migrations::load(input, &mut Vec::new());
    let migrate_usage = if migrations.is_some() {
        "migrate [--list | --fake NAME]  apply the pending migrations (--list: show which are\n                       applied; --fake: record NAME as applied without running it)"
    } else {
        "migrate              create the database schema if it is absent"
    };
    let usage = format!(
        "usage: {name} [COMMAND]\n\n\
         commands:\n  \
         serve [--bind ADDR]  serve the site (the default)\n  \
         {migrate_usage}\n  \
         routes               list the URL patterns, views, methods and queries per request\n  \
         check                check the settings and that the database answers\n  \
         loaddata FILE        load a fixture (Django's dumpdata JSON)\n  \
         dumpdata [MODEL...] [--indent N] [--output FILE]  write the rows of every model (or of the\n                       `app.model` labels given) as Django's dumpdata JSON\n  \
         createsuperuser [--no-input]  create a superuser (asks, or reads DJINN_SUPERUSER_USERNAME, _EMAIL, _PASSWORD)\n  \
         clearsessions        remove expired sessions\n\n\
         environment: DATABASE_URL, DJINN_BIND, {}, DJINN_DEBUG, DJINN_STATIC_DIR\n",
        settings.security.secret_key_env
    );
    let failure = format!("{name}: {{message}}");
    let config = config_fn(settings, !input.static_files.is_empty());
    let migrate = migrate_items(project, migrations.as_deref());
    let migrate_list = migrations.is_some().then(|| {
        quote! {
            ["migrate", "--list"] => migrate_list(),
            ["migrate", "--fake", migration] => migrate_fake(migration),
        }
    });
    let routes = routes_table(project, plans);
    let fixtures = fixture_items(project);
    let dump = dumpdata_items(project);
    let pool_size = usize::try_from(settings.database.pool_size).unwrap_or(8);
    let permissions = permissions(project);
    quote! {
        //! The binary's command line and the compiled settings.

        use ::std::string::String;

        const USAGE: &str = #usage;

        /// Runs the command the arguments name.
        pub fn main() -> ::std::process::ExitCode {
            let args: ::std::vec::Vec<String> = ::std::env::args().skip(1).collect();
            let args: ::std::vec::Vec<&str> = args.iter().map(String::as_str).collect();
            let outcome = match args.as_slice() {
                [] | ["serve"] => serve(::std::option::Option::None),
                ["serve", "--bind", address] => serve(::std::option::Option::Some(address)),
                ["migrate"] => migrate(),
                #migrate_list
                ["routes"] => {
                    routes();
                    ::core::result::Result::Ok(())
                }
                ["check"] => check(),
                ["createsuperuser"] => createsuperuser(true),
                ["createsuperuser", "--no-input" | "--noinput"] => createsuperuser(false),
                ["clearsessions"] => clearsessions(),
                ["loaddata", file] => loaddata(file),
                ["dumpdata", rest @ ..] => dumpdata(rest),
                ["help" | "--help" | "-h"] => {
                    ::std::print!("{USAGE}");
                    ::core::result::Result::Ok(())
                }
                _ => {
                    ::std::eprint!("{USAGE}");
                    return ::std::process::ExitCode::from(2);
                }
            };
            match outcome {
                ::core::result::Result::Ok(()) => ::std::process::ExitCode::SUCCESS,
                ::core::result::Result::Err(message) => {
                    ::std::eprintln!(#failure);
                    ::std::process::ExitCode::FAILURE
                }
            }
        }

        #config

        fn runtime() -> ::core::result::Result<::djinn_runtime::tokio::runtime::Runtime, String> {
            ::djinn_runtime::tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|error| ::std::format!("cannot start the async runtime: {error}"))
        }

        /// Connects to the configured database.
        pub async fn connect(
            config: &::djinn_runtime::ServerConfig,
        ) -> ::core::result::Result<::djinn_runtime::db::Database, String> {
            let url = config.database_url.as_deref().unwrap_or_default();
            let options = ::djinn_runtime::db::DbOptions {
                max_connections: #pool_size,
                ..::djinn_runtime::db::DbOptions::default()
            };
            ::djinn_runtime::db::Database::connect_with(url, &options)
                .await
                .map_err(|error| ::std::format!("cannot connect to the database: {error}"))
        }

        fn serve(bind: ::std::option::Option<&str>) -> ::core::result::Result<(), String> {
            let mut config = config()?;
            if let ::std::option::Option::Some(bind) = bind {
                config.bind = bind
                    .parse()
                    .map_err(|_| ::std::format!("--bind {bind:?}: expected an address such as 127.0.0.1:8000"))?;
            }
            ::djinn_runtime::init_logging(config.debug);
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let bind = config.bind;
                let app = ::djinn_runtime::App::new(config, crate::urls::route)
                    .map_err(|error| error.to_string())?
                    .with_routes(crate::urls::ROUTES)
                    .with_state(database);
                let listener = ::djinn_runtime::tokio::net::TcpListener::bind(bind)
                    .await
                    .map_err(|error| ::std::format!("cannot listen on {bind}: {error}"))?;
                let address = listener
                    .local_addr()
                    .map_err(|error| ::std::format!("cannot read the listening address: {error}"))?;
                ::std::println!("listening on http://{address}");
                ::djinn_runtime::serve(app, listener)
                    .await
                    .map_err(|error| ::std::format!("the server stopped: {error}"))
            })
        }

        #migrate

        /// The runtime's own tables (sessions, users, permissions) and the
        /// permissions of every model.
        async fn runtime_tables(
            database: &::djinn_runtime::db::Database,
        ) -> ::core::result::Result<(), String> {
            ::djinn_runtime::session::ensure_schema(database)
                .await
                .map_err(|error| ::std::format!("cannot create the session table: {error}"))?;
            ::djinn_runtime::auth::ensure_schema(database)
                .await
                .map_err(|error| ::std::format!("cannot create the auth tables: {error}"))?;
            ::djinn_runtime::auth::sync_permissions(database, PERMISSIONS)
                .await
                .map_err(|error| ::std::format!("cannot record the permissions: {error}"))?;
            ::core::result::Result::Ok(())
        }

        /// Every model's permissions: `(app label, codename, name)`.
        const PERMISSIONS: &[(&str, &str, &str)] = &[#(#permissions),*];

        fn createsuperuser(interactive: bool) -> ::core::result::Result<(), String> {
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                runtime_tables(&database).await?;
                let created = if interactive {
                    ::djinn_runtime::auth::createsuperuser_interactive(&database).await
                } else {
                    ::djinn_runtime::auth::createsuperuser_from_env(&database).await
                };
                created.map_err(|error| error.to_string())?;
                ::std::println!("Superuser created successfully.");
                ::core::result::Result::Ok(())
            })
        }

        fn clearsessions() -> ::core::result::Result<(), String> {
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let removed = ::djinn_runtime::session::clear_expired_sessions(&database)
                    .await
                    .map_err(|error| error.to_string())?;
                ::std::println!("{removed} expired sessions removed");
                ::core::result::Result::Ok(())
            })
        }

        #routes

        fn check() -> ::core::result::Result<(), String> {
            let config = config()?;
            ::std::println!(
                "settings: bind {}, debug {}, allowed hosts {:?}, static files {}",
                config.bind,
                config.debug,
                config.allowed_hosts,
                config
                    .static_files
                    .dir
                    .as_ref()
                    .map_or_else(|| String::from("none"), |dir| dir.display().to_string()),
            );
            ::djinn_runtime::App::new(config.clone(), crate::urls::route)
                .map_err(|error| ::std::format!("settings: {error}"))?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                database
                    .query(&::djinn_runtime::db::Sql::portable("SELECT 1"), &[])
                    .await
                    .map_err(|error| ::std::format!("the database does not answer: {error}"))?;
                ::std::println!("database: ok ({:?})", database.dialect());
                ::core::result::Result::Ok(())
            })
        }

        #fixtures

        #dump
    }
}

/// `config()`: the settings of `djinn.toml` as a `ServerConfig`.
fn config_fn(settings: &Settings, has_static: bool) -> TokenStream {
    let bind = socket_addr(settings.server.bind);
    let debug = settings.project.debug;
    let database_url = &settings.database.url;
    let hosts = settings.security.allowed_hosts.iter();
    let max_body = usize::try_from(settings.server.max_body_bytes).unwrap_or(usize::MAX);
    let max_header = usize::try_from(settings.server.max_header_bytes).unwrap_or(usize::MAX);
    let timeout = settings.server.request_timeout_secs;
    let security = &settings.security;
    let frame = match security.frame_options {
        FrameOptions::Deny => quote!(::djinn_runtime::FrameOptions::Deny),
        FrameOptions::SameOrigin => quote!(::djinn_runtime::FrameOptions::SameOrigin),
    };
    let referrer = &security.referrer_policy;
    let hsts = security.hsts_seconds;
    let hsts_subdomains = security.hsts_include_subdomains;
    let hsts_preload = security.hsts_preload;
    let csp = match &security.content_security_policy {
        Some(policy) => quote!(::std::option::Option::Some(String::from(#policy))),
        None => quote!(::std::option::Option::None),
    };
    let static_prefix = &settings.static_files.url;
    let static_dir = if has_static {
        quote!(::std::option::Option::Some(::std::path::PathBuf::from(
            "static"
        )))
    } else {
        quote!(::std::option::Option::None)
    };
    let middleware = settings
        .middleware
        .order
        .iter()
        .map(|entry| match &entry.kind {
            MiddlewareKind::Builtin(BuiltinMiddleware::Security) => {
                quote!(::djinn_runtime::MiddlewareKind::Security)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Common) => {
                quote!(::djinn_runtime::MiddlewareKind::Common)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Timing) => {
                quote!(::djinn_runtime::MiddlewareKind::Timing)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Sessions) => {
                quote!(::djinn_runtime::MiddlewareKind::Sessions)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Csrf) => {
                quote!(::djinn_runtime::MiddlewareKind::Csrf)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Auth) => {
                quote!(::djinn_runtime::MiddlewareKind::Auth)
            }
            MiddlewareKind::Builtin(BuiltinMiddleware::Messages) => {
                quote!(::djinn_runtime::MiddlewareKind::Messages)
            }
            MiddlewareKind::Rust(path) => {
                let mut segments = vec![quote!(crate)];
                segments.extend(path.split("::").map(|part| {
                    let part = ident(part);
                    quote!(#part)
                }));
                quote! {
                    ::djinn_runtime::MiddlewareKind::Custom(::djinn_runtime::Middleware {
                        name: #path,
                        call: #(#segments)::*,
                    })
                }
            }
        });
    let session_backend = match (&settings.sessions.backend, &settings.sessions.redis_url) {
        (SessionBackend::Redis, Some(url)) => {
            quote!(::djinn_runtime::SessionBackend::Redis { url: String::from(#url) })
        }
        _ => quote!(::djinn_runtime::SessionBackend::Database),
    };
    let cookie_name = &settings.sessions.cookie_name;
    let session_age = settings.sessions.age_seconds;
    let secure_cookies = settings.security.secure_cookies;
    let trusted_origins = &settings.security.csrf_trusted_origins;
    let login_url = &settings.auth.login_url;
    let rate_requests = settings.auth.login_rate_limit.requests;
    let rate_seconds = settings.auth.login_rate_limit.period.seconds();
    let secret_env = &settings.security.secret_key_env;
    let secret = (secret_env != "DJINN_SECRET_KEY").then(|| {
        quote! {
            if let ::core::result::Result::Ok(key) = ::std::env::var(#secret_env) {
                config.secret_key = ::std::option::Option::Some(key);
            }
        }
    });
    quote! {
        /// The settings compiled from `djinn.toml`, with the environment's overrides.
        pub fn config() -> ::core::result::Result<::djinn_runtime::ServerConfig, String> {
            let mut config = ::djinn_runtime::ServerConfig {
                bind: #bind,
                debug: #debug,
                secret_key: ::std::option::Option::None,
                database_url: ::std::option::Option::Some(String::from(#database_url)),
                allowed_hosts: ::std::vec![#(String::from(#hosts)),*],
                append_slash: true,
                limits: ::djinn_runtime::Limits {
                    max_body_bytes: #max_body,
                    max_header_bytes: #max_header,
                    request_timeout: ::std::time::Duration::from_secs(#timeout),
                    ..::djinn_runtime::Limits::default()
                },
                security: ::djinn_runtime::SecurityConfig {
                    content_type_nosniff: true,
                    frame_options: ::std::option::Option::Some(#frame),
                    referrer_policy: ::std::option::Option::Some(String::from(#referrer)),
                    cross_origin_opener_policy: ::std::option::Option::Some(String::from("same-origin")),
                    hsts_seconds: #hsts,
                    hsts_include_subdomains: #hsts_subdomains,
                    hsts_preload: #hsts_preload,
                    content_security_policy: #csp,
                },
                static_files: ::djinn_runtime::StaticConfig {
                    url_prefix: String::from(#static_prefix),
                    dir: #static_dir,
                    ..::djinn_runtime::StaticConfig::default()
                },
                middleware: ::std::vec![#(#middleware),*],
                sessions: ::djinn_runtime::SessionConfig {
                    backend: #session_backend,
                    cookie_name: String::from(#cookie_name),
                    age_seconds: #session_age,
                    secure_cookie: #secure_cookies,
                },
                csrf: ::djinn_runtime::CsrfConfig {
                    trusted_origins: ::std::vec![#(String::from(#trusted_origins)),*],
                },
                auth: ::djinn_runtime::AuthConfig {
                    login_url: String::from(#login_url),
                    login_rate_limit: #rate_requests,
                    login_rate_period: ::std::time::Duration::from_secs(#rate_seconds),
                },
            }
            .with_process_env()
            .map_err(|error| error.to_string())?;
            #secret
            if let ::core::result::Result::Ok(dir) = ::std::env::var("DJINN_STATIC_DIR") {
                config.static_files.dir = ::std::option::Option::Some(::std::path::PathBuf::from(dir));
            }
            if config.debug {
                config.middleware.push(::djinn_runtime::MiddlewareKind::Custom(::djinn_runtime::Middleware {
                    name: "djinn::queries",
                    call: crate::__djinn::support::count_queries,
                }));
            }
            ::core::result::Result::Ok(config)
        }
    }
}

fn socket_addr(address: SocketAddr) -> TokenStream {
    let port = address.port();
    match address {
        SocketAddr::V4(v4) => {
            let [a, b, c, d] = v4.ip().octets();
            quote!(::std::net::SocketAddr::from(([#a, #b, #c, #d], #port)))
        }
        SocketAddr::V6(v6) => {
            let segments = v6.ip().segments();
            quote!(::std::net::SocketAddr::from(([#(#segments),*], #port)))
        }
    }
}

/// `migrate` (and `migrate --list`, `--fake NAME`): with a `migrations/` directory, the
/// migrations' scripts as constants, applied by the runtime's
/// `db::migrate`; without, the schema of the models, created when absent.
/// Either way `migrate` then creates the runtime's own tables
/// (`runtime_tables`), and prints `schema created` when it made the schema
/// of an empty database (`djinn run` then loads the demo data), else
/// `schema up to date` or how many migrations it applied.
fn migrate_items(project: &Project, migrations: Option<&[Migration]>) -> TokenStream {
    let Some(migrations) = migrations else {
        let schema = schema_items(project);
        return quote! {
            #schema

            fn migrate() -> ::core::result::Result<(), String> {
                let config = config()?;
                runtime()?.block_on(async move {
                    let database = connect(&config).await?;
                    let created = create_schema(&database)
                        .await
                        .map_err(|error| ::std::format!("cannot create the schema: {error}"))?;
                    runtime_tables(&database).await?;
                    ::std::println!("{}", if created { "schema created" } else { "schema up to date" });
                    ::core::result::Result::Ok(())
                })
            }
        };
    };
    let entries = migrations.iter().map(|migration| {
        let name = &migration.name;
        let sqlite = &migration.sqlite;
        let postgres = &migration.postgres;
        quote! {
            ::djinn_runtime::db::migrate::Migration {
                name: #name,
                sql: ::djinn_runtime::db::Sql::new(#sqlite, #postgres),
            }
        }
    });
    quote! {
        /// The project's migrations (`migrations/NNNN_name.toml`), in order.
        pub const MIGRATIONS: &[::djinn_runtime::db::migrate::Migration] = &[#(#entries),*];

        fn migrate() -> ::core::result::Result<(), String> {
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let applied = ::djinn_runtime::db::migrate::migrate(&database, MIGRATIONS)
                    .await
                    .map_err(|error| ::std::format!("cannot migrate: {error}"))?;
                runtime_tables(&database).await?;
                for name in &applied {
                    ::std::eprintln!("applied {name}");
                }
                let created = MIGRATIONS
                    .first()
                    .is_some_and(|first| applied.first() == ::std::option::Option::Some(&first.name));
                if applied.is_empty() {
                    ::std::println!("schema up to date");
                } else if created {
                    ::std::println!("schema created");
                } else {
                    ::std::println!("applied {} of {} migrations", applied.len(), MIGRATIONS.len());
                }
                ::core::result::Result::Ok(())
            })
        }

        /// Records a migration as applied without running it (tables
        /// created before the project had migrations).
        fn migrate_fake(name: &str) -> ::core::result::Result<(), String> {
            let migration = MIGRATIONS
                .iter()
                .find(|migration| migration.name == name)
                .ok_or_else(|| ::std::format!("no migration is called {name:?} (see migrate --list)"))?;
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let recorded = ::djinn_runtime::db::migrate::mark_applied(&database, migration)
                    .await
                    .map_err(|error| ::std::format!("cannot record {name}: {error}"))?;
                if recorded {
                    ::std::println!("{name} recorded as applied, without running it");
                } else {
                    ::std::println!("{name} was already applied");
                }
                ::core::result::Result::Ok(())
            })
        }

        fn migrate_list() -> ::core::result::Result<(), String> {
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let status = ::djinn_runtime::db::migrate::migration_status(&database, MIGRATIONS)
                    .await
                    .map_err(|error| ::std::format!("cannot read the applied migrations: {error}"))?;
                for (name, applied) in status {
                    ::std::println!("[{}] {name}", if applied { "X" } else { " " });
                }
                ::core::result::Result::Ok(())
            })
        }
    }
}

/// The schema, the tables and `create_schema`.
fn schema_items(project: &Project) -> TokenStream {
    let schema = sql::schema(project);
    let sqlite = &schema.sqlite;
    let postgres = &schema.postgres;
    let first = match schema.tables.first() {
        Some(table) => quote!(::std::option::Option::Some(#table)),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        /// The schema: every table and index of the models.
        pub const SCHEMA: ::djinn_runtime::db::Sql = ::djinn_runtime::db::Sql::new(#sqlite, #postgres);

        const TABLE_EXISTS: ::djinn_runtime::db::Sql = ::djinn_runtime::db::Sql::new(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            "SELECT 1 WHERE to_regclass($1::text) IS NOT NULL",
        );

        /// Creates the schema unless its first table exists; whether it did.
        pub async fn create_schema(
            database: &::djinn_runtime::db::Database,
        ) -> ::core::result::Result<bool, ::djinn_runtime::db::DbError> {
            let ::std::option::Option::Some(first) = #first else {
                return ::core::result::Result::Ok(false);
            };
            let exists = database
                .query_opt(&TABLE_EXISTS, &[::djinn_runtime::db::Value::from(first)])
                .await?
                .is_some();
            if exists {
                return ::core::result::Result::Ok(false);
            }
            database.apply_schema(&[&SCHEMA]).await?;
            ::core::result::Result::Ok(true)
        }
    }
}

/// `routes`: the table of URL patterns.
fn routes_table(project: &Project, plans: &[ViewPlan]) -> TokenStream {
    let rows = project.routes.iter().map(|route| {
        let plan = &plans[route.view.0 as usize];
        let pattern = format!("/{}", route.pattern);
        let name = route.name.clone().unwrap_or_else(|| "-".into());
        let view = &project.view(route.view).name;
        let methods = match &plan.methods {
            None => "any".to_string(),
            Some(methods) => {
                let mut names: Vec<&str> = methods
                    .iter()
                    .map(|m| {
                        HttpMethod::ALL
                            .iter()
                            .find(|(_, candidate)| candidate == m)
                            .map_or("?", |(name, _)| name)
                    })
                    .collect();
                if methods.contains(&HttpMethod::Get) && !methods.contains(&HttpMethod::Head) {
                    names.push("HEAD");
                }
                names.join(", ")
            }
        };
        let queries = plan
            .queries
            .map_or_else(|| "rust".to_string(), |count| count.to_string());
        quote!([#pattern, #name, #view, #methods, #queries])
    });
    quote! {
        /// Path, URL name, view, methods, SQL statements per request.
        const ROUTE_TABLE: &[[&str; 5]] = &[#(#rows),*];

        fn routes() {
            let header = ["PATH", "NAME", "VIEW", "METHODS", "QUERIES"];
            let mut widths = header.map(str::len);
            for row in ROUTE_TABLE {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.chars().count());
                }
            }
            for row in ::std::iter::once(&header).chain(ROUTE_TABLE) {
                let cells: ::std::vec::Vec<String> = row
                    .iter()
                    .zip(widths)
                    .map(|(cell, width)| ::std::format!("{cell:<width$}"))
                    .collect();
                ::std::println!("{}", cells.join("  ").trim_end());
            }
        }
    }
}

/// `loaddata`: a loader per model, reading Django's dumpdata format.
fn fixture_items(project: &Project) -> TokenStream {
    let mut loaders = Vec::new();
    let mut arms = Vec::new();
    let mut resets = Vec::new();
    for (index, model) in project.models.iter().enumerate() {
        let id = ModelId(index as u32);
        let label = format!("{}.{}", project.app_label, model.name.to_lowercase());
        let loader = internal(&["load", &model.name.to_lowercase()]);
        arms.push(quote!(#label => #loader(transaction, &pk, fields).await,));
        loaders.push(model_loader(project, id, &loader));
        if model.pk().ty == FieldType::AutoId {
            let table = quote_sql(&model.table);
            let column = quote_sql(model.pk().column.as_deref().unwrap_or("id"));
            let postgres = format!(
                "SELECT setval(pg_get_serial_sequence('{}', '{}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}",
                table.replace('\'', "''"),
                model
                    .pk()
                    .column
                    .as_deref()
                    .unwrap_or("id")
                    .replace('\'', "''"),
            );
            resets.push(quote!(::djinn_runtime::db::Sql::new("SELECT 1", #postgres)));
        }
    }
    quote! {
        /// After loading rows with explicit keys, PostgreSQL's identity
        /// sequences continue after the largest key (SQLite does this itself).
        const SEQUENCE_RESETS: &[::djinn_runtime::db::Sql] = &[#(#resets),*];

        fn loaddata(file: &str) -> ::core::result::Result<(), String> {
            let text = ::std::fs::read_to_string(file)
                .map_err(|error| ::std::format!("cannot read {file}: {error}"))?;
            let fixture: ::djinn_runtime::serde_json::Value = ::djinn_runtime::serde_json::from_str(&text)
                .map_err(|error| ::std::format!("{file} is not JSON: {error}"))?;
            let objects = fixture
                .as_array()
                .ok_or_else(|| ::std::format!("{file}: a fixture is a JSON array of objects"))?
                .clone();
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let mut transaction = database
                    .begin()
                    .await
                    .map_err(|error| ::std::format!("cannot start a transaction: {error}"))?;
                for (index, object) in objects.iter().enumerate() {
                    load_object(&mut transaction, object)
                        .await
                        .map_err(|error| ::std::format!("{file}: object {index}: {error}"))?;
                }
                for reset in SEQUENCE_RESETS {
                    transaction
                        .query(reset, &[])
                        .await
                        .map_err(|error| ::std::format!("cannot reset a key sequence: {error}"))?;
                }
                transaction
                    .commit()
                    .await
                    .map_err(|error| ::std::format!("{file}: {error}"))?;
                ::std::println!("loaded {} objects from {file}", objects.len());
                ::core::result::Result::Ok(())
            })
        }

        async fn load_object(
            transaction: &mut ::djinn_runtime::db::Transaction,
            object: &::djinn_runtime::serde_json::Value,
        ) -> ::core::result::Result<(), String> {
            let model = object
                .get("model")
                .and_then(::djinn_runtime::serde_json::Value::as_str)
                .ok_or("no \"model\"")?
                .to_ascii_lowercase();
            let pk = object.get("pk").cloned().unwrap_or_default();
            let empty = ::djinn_runtime::serde_json::Map::new();
            let fields = object
                .get("fields")
                .and_then(::djinn_runtime::serde_json::Value::as_object)
                .unwrap_or(&empty);
            match model.as_str() {
                #(#arms)*
                other => ::core::result::Result::Err(::std::format!("unknown model `{other}`")),
            }
        }

        /// What a fixture value is converted to.
        #[derive(Clone, Copy, Debug)]
        pub enum Kind {
            /// An integer.
            Int,
            /// A float.
            Float,
            /// A decimal (a JSON number or string).
            Decimal,
            /// A boolean.
            Bool,
            /// Text.
            Text,
            /// A UUID string.
            Uuid,
            /// An ISO date string.
            Date,
            /// An ISO datetime string (`Z` or an offset: converted to UTC).
            DateTime,
            /// Any JSON.
            Json,
        }

        /// A fixture's JSON value as a database value of `kind`.
        pub fn convert(
            value: &::djinn_runtime::serde_json::Value,
            kind: Kind,
        ) -> ::core::result::Result<::djinn_runtime::db::Value, String> {
            use ::djinn_runtime::db::Value;
            use ::djinn_runtime::serde_json::Value as Json;
            let wrong = || ::std::format!("unexpected value {value}");
            ::core::result::Result::Ok(match (kind, value) {
                (_, Json::Null) => Value::Null,
                (Kind::Json, json) => Value::Json(json.clone()),
                (Kind::Int, Json::Number(number)) => Value::Int(number.as_i64().ok_or_else(wrong)?),
                (Kind::Float, Json::Number(number)) => Value::Float(number.as_f64().ok_or_else(wrong)?),
                (Kind::Decimal, Json::Number(number)) => {
                    Value::decimal(&number.to_string()).map_err(|error| error.to_string())?
                }
                (Kind::Decimal, Json::String(text)) => {
                    Value::decimal(text).map_err(|error| error.to_string())?
                }
                (Kind::Bool, Json::Bool(flag)) => Value::Bool(*flag),
                (Kind::Text, Json::String(text)) => Value::Text(text.clone()),
                (Kind::Uuid, Json::String(text)) => Value::Uuid(text.parse().map_err(|_| wrong())?),
                (Kind::Date, Json::String(text)) => Value::Date(text.parse().map_err(|_| wrong())?),
                (Kind::DateTime, Json::String(text)) => {
                    let datetime = match text.parse::<::djinn_runtime::jiff::Timestamp>() {
                        ::core::result::Result::Ok(instant) => instant
                            .to_zoned(::djinn_runtime::jiff::tz::TimeZone::UTC)
                            .datetime(),
                        ::core::result::Result::Err(_) => text.parse().map_err(|_| wrong())?,
                    };
                    Value::DateTime(datetime)
                }
                _ => return ::core::result::Result::Err(wrong()),
            })
        }

        /// The value of field `name`: from the fixture, else the field's
        /// default (`now` for automatic timestamps), else NULL if allowed.
        pub fn field(
            fields: &::djinn_runtime::serde_json::Map<String, ::djinn_runtime::serde_json::Value>,
            name: &str,
            kind: Kind,
            fallback: ::std::option::Option<::djinn_runtime::db::Value>,
        ) -> ::core::result::Result<::djinn_runtime::db::Value, String> {
            match (fields.get(name), fallback) {
                (::std::option::Option::Some(value), _) => {
                    convert(value, kind).map_err(|error| ::std::format!("field `{name}`: {error}"))
                }
                (::std::option::Option::None, ::std::option::Option::Some(value)) => ::core::result::Result::Ok(value),
                (::std::option::Option::None, ::std::option::Option::None) => {
                    ::core::result::Result::Err(::std::format!("field `{name}` is missing"))
                }
            }
        }

        #(#loaders)*
    }
}

/// `dumpdata [MODEL…] [--indent N] [--output FILE]`: the rows of every
/// model (or of the models named by their `app.model` label) in Django's
/// dumpdata JSON, written as Django's serializer writes it — models in
/// declaration order, rows by key, `fields` in field order with the
/// many-to-many lists (keys, in key order) last, datetimes in UTC with `Z`
/// and milliseconds, decimals as strings with the field's places — so that
/// `loaddata` of the output into an empty database gives the same rows.
fn dumpdata_items(project: &Project) -> TokenStream {
    let mut labels = Vec::new();
    let mut calls = Vec::new();
    let mut dumpers = Vec::new();
    for (index, model) in project.models.iter().enumerate() {
        let id = ModelId(index as u32);
        let label = format!("{}.{}", project.app_label, model.name.to_lowercase());
        let dumper = internal(&["dump", &model.name.to_lowercase()]);
        calls.push(quote! {
            if wanted(#label) {
                objects.extend(#dumper(&database).await?);
            }
        });
        dumpers.push(model_dumper(project, id, &label, &dumper));
        labels.push(label);
    }
    if calls.is_empty() {
        calls.push(quote!(let _ = &wanted;));
    }
    quote! {
        /// The label of every model, in declaration order.
        const DUMP_LABELS: &[&str] = &[#(#labels),*];

        /// One row as dumpdata writes it: `model`, `pk`, then `fields` in order.
        pub struct Dumped {
            /// The model's label (`blog.post`).
            pub label: &'static str,
            /// The primary key.
            pub pk: ::djinn_runtime::serde_json::Value,
            /// The fields by name, in the model's order.
            pub fields: ::std::vec::Vec<(&'static str, ::djinn_runtime::serde_json::Value)>,
        }

        fn dumpdata(args: &[&str]) -> ::core::result::Result<(), String> {
            let mut output: ::std::option::Option<&str> = ::std::option::Option::None;
            let mut indent: ::std::option::Option<usize> = ::std::option::Option::None;
            let mut labels: ::std::vec::Vec<String> = ::std::vec::Vec::new();
            let mut args = args.iter().copied();
            while let ::std::option::Option::Some(arg) = args.next() {
                match arg {
                    "--output" | "-o" => {
                        output = ::std::option::Option::Some(args.next().ok_or("--output needs a file name")?);
                    }
                    "--indent" => {
                        let width = args.next().and_then(|width| width.parse().ok());
                        indent = ::std::option::Option::Some(width.ok_or("--indent needs a number of spaces")?);
                    }
                    option if option.starts_with('-') => {
                        return ::core::result::Result::Err(::std::format!("dumpdata: unknown option {option}"));
                    }
                    label => {
                        let label = label.to_ascii_lowercase();
                        if !DUMP_LABELS.contains(&label.as_str()) {
                            return ::core::result::Result::Err(::std::format!(
                                "unknown model `{label}` (the models are {})",
                                DUMP_LABELS.join(", ")
                            ));
                        }
                        labels.push(label);
                    }
                }
            }
            let config = config()?;
            runtime()?.block_on(async move {
                let database = connect(&config).await?;
                let wanted = |label: &str| labels.is_empty() || labels.iter().any(|wanted| wanted == label);
                let mut objects: ::std::vec::Vec<Dumped> = ::std::vec::Vec::new();
                #(#calls)*
                let text = write_dump(&objects, indent);
                match output {
                    ::std::option::Option::Some(file) => {
                        ::std::fs::write(file, &text)
                            .map_err(|error| ::std::format!("cannot write {file}: {error}"))?;
                        ::std::eprintln!("dumped {} objects to {file}", objects.len());
                    }
                    ::std::option::Option::None => {
                        use ::std::io::Write as _;
                        let mut stdout = ::std::io::stdout().lock();
                        stdout
                            .write_all(text.as_bytes())
                            .and_then(|()| if text.ends_with('\n') { ::core::result::Result::Ok(()) } else { stdout.write_all(b"\n") })
                            .map_err(|error| ::std::format!("cannot write the output: {error}"))?;
                    }
                }
                ::core::result::Result::Ok(())
            })
        }

        /// The objects as Django's JSON serializer writes them (`[`, the
        /// objects separated by `, ` — or by `,` and a line break with an
        /// indent —, `]`).
        pub fn write_dump(objects: &[Dumped], indent: ::std::option::Option<usize>) -> String {
            use ::djinn_runtime::serde_json::Value as Json;
            let mut out = String::from("[");
            for (index, object) in objects.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                    if indent.is_none() {
                        out.push(' ');
                    }
                }
                if indent.is_some() {
                    out.push('\n');
                }
                out.push('{');
                json_separator(&mut out, 0, indent, 1);
                out.push_str("\"model\": ");
                write_json(&mut out, &Json::from(object.label), indent, 1);
                json_separator(&mut out, 1, indent, 1);
                out.push_str("\"pk\": ");
                write_json(&mut out, &object.pk, indent, 1);
                json_separator(&mut out, 2, indent, 1);
                out.push_str("\"fields\": {");
                for (position, (name, value)) in object.fields.iter().enumerate() {
                    json_separator(&mut out, position, indent, 2);
                    write_json(&mut out, &Json::from(*name), indent, 2);
                    out.push_str(": ");
                    write_json(&mut out, value, indent, 2);
                }
                if !object.fields.is_empty() {
                    json_line(&mut out, indent, 1);
                }
                out.push('}');
                json_line(&mut out, indent, 0);
                out.push('}');
            }
            if indent.is_some() {
                out.push('\n');
            }
            out.push(']');
            if indent.is_some() {
                out.push('\n');
            }
            out
        }

        /// Python's `json.dumps` of a value at nesting `level` (Django's
        /// options: non-ASCII kept, `, ` and `: ` without an indent).
        pub fn write_json(
            out: &mut String,
            value: &::djinn_runtime::serde_json::Value,
            indent: ::std::option::Option<usize>,
            level: usize,
        ) {
            use ::djinn_runtime::serde_json::Value as Json;
            match value {
                Json::Array(items) if !items.is_empty() => {
                    out.push('[');
                    for (position, item) in items.iter().enumerate() {
                        json_separator(out, position, indent, level + 1);
                        write_json(out, item, indent, level + 1);
                    }
                    json_line(out, indent, level);
                    out.push(']');
                }
                Json::Object(members) if !members.is_empty() => {
                    out.push('{');
                    for (position, (key, item)) in members.iter().enumerate() {
                        json_separator(out, position, indent, level + 1);
                        out.push_str(&Json::from(key.as_str()).to_string());
                        out.push_str(": ");
                        write_json(out, item, indent, level + 1);
                    }
                    json_line(out, indent, level);
                    out.push('}');
                }
                other => out.push_str(&other.to_string()),
            }
        }

        /// Before the item at `position` of a list or object.
        fn json_separator(out: &mut String, position: usize, indent: ::std::option::Option<usize>, level: usize) {
            if position > 0 {
                out.push(',');
                if indent.is_none() {
                    out.push(' ');
                }
            }
            json_line(out, indent, level);
        }

        /// With an indent, a line break and the indentation of `level`.
        fn json_line(out: &mut String, indent: ::std::option::Option<usize>, level: usize) {
            if let ::std::option::Option::Some(width) = indent {
                out.push('\n');
                out.extend(::std::iter::repeat_n(' ', width * level));
            }
        }

        /// A column of a row as dumpdata writes it.
        pub fn dump_value(
            row: &::djinn_runtime::db::Row,
            index: usize,
            kind: Kind,
        ) -> ::core::result::Result<::djinn_runtime::serde_json::Value, String> {
            use ::djinn_runtime::serde_json::Value as Json;
            let failed = |error: ::djinn_runtime::db::DbError| error.to_string();
            if row.is_null(index).map_err(failed)? {
                return ::core::result::Result::Ok(Json::Null);
            }
            ::core::result::Result::Ok(match kind {
                Kind::Int => Json::from(row.get_i64(index).map_err(failed)?),
                Kind::Float => {
                    let number = row.get_f64(index).map_err(failed)?;
                    ::djinn_runtime::serde_json::Number::from_f64(number)
                        .map(Json::Number)
                        .ok_or_else(|| ::std::format!("{number} has no JSON number"))?
                }
                Kind::Decimal => Json::String(row.get_decimal(index).map_err(failed)?),
                Kind::Bool => Json::Bool(row.get_bool(index).map_err(failed)?),
                Kind::Text => Json::String(row.get_text(index).map_err(failed)?),
                Kind::Uuid => Json::String(row.get_uuid(index).map_err(failed)?.to_string()),
                Kind::Date => Json::String(row.get_date(index).map_err(failed)?.to_string()),
                Kind::DateTime => {
                    // Django's DjangoJSONEncoder: ISO 8601, milliseconds, `Z` for UTC.
                    let datetime = row.get_datetime(index).map_err(failed)?;
                    let mut text = ::std::format!(
                        "{}T{:02}:{:02}:{:02}",
                        datetime.date(),
                        datetime.hour(),
                        datetime.minute(),
                        datetime.second()
                    );
                    let micros = datetime.subsec_nanosecond() / 1000;
                    if micros != 0 {
                        text.push_str(&::std::format!(".{:03}", micros / 1000));
                    }
                    text.push('Z');
                    Json::String(text)
                }
                Kind::Json => row.get_json(index).map_err(failed)?,
            })
        }

        /// A decimal column with the field's decimal places (`64.00`), as a string.
        pub fn dump_decimal(
            row: &::djinn_runtime::db::Row,
            index: usize,
            places: usize,
        ) -> ::core::result::Result<::djinn_runtime::serde_json::Value, String> {
            let value = dump_value(row, index, Kind::Decimal)?;
            let ::djinn_runtime::serde_json::Value::String(mut text) = value else {
                return ::core::result::Result::Ok(value);
            };
            let written = text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
            if written < places {
                if written == 0 {
                    text.push('.');
                }
                text.extend(::std::iter::repeat_n('0', places - written));
            }
            ::core::result::Result::Ok(::djinn_runtime::serde_json::Value::String(text))
        }

        /// The keys of a many-to-many join table, by the key of the row they belong to.
        pub async fn dump_many(
            database: &::djinn_runtime::db::Database,
            statement: &::djinn_runtime::db::Sql,
            source: Kind,
            target: Kind,
        ) -> ::core::result::Result<
            ::std::collections::BTreeMap<String, ::std::vec::Vec<::djinn_runtime::serde_json::Value>>,
            String,
        > {
            let rows = database
                .query(statement, &[])
                .await
                .map_err(|error| error.to_string())?;
            let mut related: ::std::collections::BTreeMap<String, ::std::vec::Vec<::djinn_runtime::serde_json::Value>> =
                ::std::collections::BTreeMap::new();
            for row in &rows {
                let key = dump_value(row, 0, source)?.to_string();
                related.entry(key).or_default().push(dump_value(row, 1, target)?);
            }
            ::core::result::Result::Ok(related)
        }

        #(#dumpers)*
    }
}

/// The dumper of one model: its rows by key, then its many-to-many lists.
fn model_dumper(
    project: &Project,
    id: ModelId,
    label: &str,
    dumper: &proc_macro2::Ident,
) -> TokenStream {
    let model = project.model(id);
    let pk_index = model.primary_key as usize;
    let pk_column = quote_sql(model.pk().column.as_deref().unwrap_or("id"));
    let key_kind = kind_tokens(ScalarKind::of_key(project, id));
    // The key first, then the other columns in field order.
    let mut columns = vec![pk_column.clone()];
    let mut values = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let Some(column) = &field.column else {
            continue;
        };
        if index == pk_index {
            continue;
        }
        let position = proc_macro2::Literal::usize_unsuffixed(columns.len());
        columns.push(quote_sql(column));
        let name = &field.name;
        let value = match field.ty {
            FieldType::Decimal { places, .. } => {
                let places = proc_macro2::Literal::usize_unsuffixed(places as usize);
                quote!(dump_decimal(row, #position, #places)?)
            }
            _ => {
                let kind = kind_tokens(ScalarKind::of_field(project, &field.ty));
                quote!(dump_value(row, #position, #kind)?)
            }
        };
        values.push(quote!((#name, #value)));
    }
    let select = format!(
        "SELECT {} FROM {} ORDER BY {pk_column}",
        columns.join(", "),
        quote_sql(&model.table)
    );
    let failure = format!("cannot read {label}: {{error}}");
    let mut many_queries = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let FieldType::ManyToMany(relation) = &field.ty else {
            continue;
        };
        let (source, target) = join_columns(project, id, relation.target);
        let (source, target) = (quote_sql(&source), quote_sql(&target));
        let text = format!(
            "SELECT {source}, {target} FROM {} ORDER BY {source}, {target}",
            quote_sql(&relation.table)
        );
        let target_kind = kind_tokens(ScalarKind::of_key(project, relation.target));
        let related = internal(&["related", &index.to_string()]);
        many_queries.push(quote! {
            let #related = dump_many(
                database,
                &::djinn_runtime::db::Sql::portable(#text),
                #key_kind,
                #target_kind,
            )
            .await
            .map_err(|error| ::std::format!(#failure))?;
        });
        let name = &field.name;
        values.push(quote! {
            (#name, ::djinn_runtime::serde_json::Value::Array(#related.get(&key).cloned().unwrap_or_default()))
        });
    }
    let key = (!many_queries.is_empty()).then(|| quote!(let key = pk.to_string();));
    let doc = format!("The rows of `{}` as dumpdata writes them.", model.name);
    let doc_attr = super::names::doc(&doc);
    quote! {
        #doc_attr
        async fn #dumper(
            database: &::djinn_runtime::db::Database,
        ) -> ::core::result::Result<::std::vec::Vec<Dumped>, String> {
            let rows = database
                .query(&::djinn_runtime::db::Sql::portable(#select), &[])
                .await
                .map_err(|error| ::std::format!(#failure))?;
            #(#many_queries)*
            let mut objects = ::std::vec::Vec::with_capacity(rows.len());
            for row in &rows {
                let pk = dump_value(row, 0, #key_kind)?;
                #key
                objects.push(Dumped {
                    label: #label,
                    pk,
                    fields: ::std::vec![#(#values),*],
                });
            }
            ::core::result::Result::Ok(objects)
        }
    }
}

fn kind_tokens(kind: ScalarKind) -> TokenStream {
    match kind {
        ScalarKind::Int | ScalarKind::Int32 => quote!(Kind::Int),
        ScalarKind::Float => quote!(Kind::Float),
        ScalarKind::Decimal => quote!(Kind::Decimal),
        ScalarKind::Bool => quote!(Kind::Bool),
        ScalarKind::Text => quote!(Kind::Text),
        ScalarKind::Uuid => quote!(Kind::Uuid),
        ScalarKind::Date => quote!(Kind::Date),
        ScalarKind::DateTime => quote!(Kind::DateTime),
        ScalarKind::Json => quote!(Kind::Json),
    }
}

/// The loader of one model: its row, then its many-to-many rows.
fn model_loader(project: &Project, id: ModelId, loader: &proc_macro2::Ident) -> TokenStream {
    let model = project.model(id);
    let columns = model_columns(project, id);
    let names: Vec<String> = columns
        .iter()
        .map(|&field| quote_sql(project.field(field).column.as_deref().unwrap_or_default()))
        .collect();
    let placeholders = |prefix: char| -> Vec<String> {
        (1..=columns.len())
            .map(|n| format!("{prefix}{n}"))
            .collect()
    };
    // An automatic key left out of a row (`"pk": null` or no `pk`, as
    // Django allows) is numbered by the database: SQLite numbers a NULL
    // key itself; PostgreSQL's identity column is given its next value.
    // The key is returned for the row's many-to-many links.
    let auto_key = model.pk().ty == FieldType::AutoId;
    let pk_column = model
        .pk()
        .column
        .clone()
        .unwrap_or_else(|| "id".to_string());
    let insert = |prefix: char| {
        let mut marks = placeholders(prefix);
        if auto_key && prefix == '$' {
            for (mark, &field) in marks.iter_mut().zip(&columns) {
                if project.field(field).primary_key {
                    *mark = format!(
                        "COALESCE({mark}, nextval(pg_get_serial_sequence('{}', '{}')))",
                        model.table.replace('\'', "''"),
                        pk_column.replace('\'', "''"),
                    );
                }
            }
        }
        let returning = if auto_key {
            format!(" RETURNING {}", quote_sql(&pk_column))
        } else {
            String::new()
        };
        format!(
            "INSERT INTO {} ({}) VALUES ({}){returning}",
            quote_sql(&model.table),
            names.join(", "),
            marks.join(", ")
        )
    };
    let (sqlite, postgres) = (insert('?'), insert('$'));
    let key_kind = kind_tokens(ScalarKind::of_key(project, id));
    let mut uses_now = false;
    let values: Vec<TokenStream> = columns
        .iter()
        .map(|&field_id| {
            let field = project.field(field_id);
            let kind = ScalarKind::of_field(project, &field.ty);
            if field.primary_key {
                return quote!(convert(pk, #key_kind)?);
            }
            let fallback = if field.auto_now || field.auto_now_add {
                uses_now = true;
                match kind {
                    ScalarKind::Date => quote!(::std::option::Option::Some(::djinn_runtime::db::Value::Date(now.date()))),
                    _ => quote!(::std::option::Option::Some(::djinn_runtime::db::Value::DateTime(now))),
                }
            } else if let Some(default) = &field.default {
                match &default.kind {
                    ValueKind::Literal(literal) => {
                        let value = literal_value(literal, &default.ty, kind);
                        quote!(::std::option::Option::Some(#value))
                    }
                    ValueKind::Choice { key, .. } => quote! {
                        ::std::option::Option::Some(::djinn_runtime::db::Value::Text(String::from(#key)))
                    },
                    ValueKind::Now | ValueKind::Today => {
                        uses_now = true;
                        match kind {
                            ScalarKind::Date => quote!(::std::option::Option::Some(::djinn_runtime::db::Value::Date(now.date()))),
                            _ => quote!(::std::option::Option::Some(::djinn_runtime::db::Value::DateTime(now))),
                        }
                    }
                    _ => quote!(::std::option::Option::None),
                }
            } else if field.null {
                quote!(::std::option::Option::Some(::djinn_runtime::db::Value::Null))
            } else if field.blank && kind == ScalarKind::Text {
                quote!(::std::option::Option::Some(::djinn_runtime::db::Value::Text(String::new())))
            } else {
                quote!(::std::option::Option::None)
            };
            let name = &field.name;
            let kind = kind_tokens(kind);
            quote!(field(fields, #name, #kind, #fallback)?)
        })
        .collect();
    let mut many = Vec::new();
    for field in &model.fields {
        let FieldType::ManyToMany(relation) = &field.ty else {
            continue;
        };
        let (source, dest) = join_columns(project, id, relation.target);
        let text = |a: &str, b: &str| {
            format!(
                "INSERT INTO {} ({}, {}) VALUES ({a}, {b})",
                quote_sql(&relation.table),
                quote_sql(&source),
                quote_sql(&dest)
            )
        };
        let (sqlite, postgres) = (text("?1", "?2"), text("$1", "$2"));
        let name = &field.name;
        let target_kind = kind_tokens(ScalarKind::of_key(project, relation.target));
        many.push(quote! {
            if let ::std::option::Option::Some(related) = fields.get(#name) {
                let related = related
                    .as_array()
                    .ok_or_else(|| ::std::format!("field `{}`: expected a list of keys", #name))?;
                for key in related {
                    let statement = ::djinn_runtime::db::Sql::new(#sqlite, #postgres);
                    transaction
                        .execute(&statement, &[key_value.clone(), convert(key, #target_kind)?])
                        .await
                        .map_err(|error| error.to_string())?;
                }
            }
        });
    }
    let now = uses_now.then(|| quote!(let now = crate::__djinn::support::now();));
    let link_key = (!many.is_empty()).then(|| quote!(key_value));
    let run = if auto_key {
        let bind = match &link_key {
            Some(name) => quote!(let #name = ::djinn_runtime::db::Value::Int(key);),
            None => quote!(let _ = key;),
        };
        quote! {
            let key = transaction
                .insert_returning_id(&statement, &values)
                .await
                .map_err(|error| error.to_string())?;
            #bind
        }
    } else {
        let bind = link_key.map(|name| quote!(let #name = convert(pk, #key_kind)?;));
        quote! {
            transaction
                .execute(&statement, &values)
                .await
                .map_err(|error| error.to_string())?;
            #bind
        }
    };
    let doc = format!("Loads one `{}` of a fixture.", model.name);
    let doc_attr = super::names::doc(&doc);
    quote! {
        #doc_attr
        async fn #loader(
            transaction: &mut ::djinn_runtime::db::Transaction,
            pk: &::djinn_runtime::serde_json::Value,
            fields: &::djinn_runtime::serde_json::Map<String, ::djinn_runtime::serde_json::Value>,
        ) -> ::core::result::Result<(), String> {
            #now
            let values = [#(#values),*];
            let statement = ::djinn_runtime::db::Sql::new(#sqlite, #postgres);
            #run
            #(#many)*
            ::core::result::Result::Ok(())
        }
    }
}

/// `(app label, codename, name)` of every permission: Django's `add`,
/// `change`, `delete` and `view` per model, then the model's own.
fn permissions(project: &Project) -> Vec<TokenStream> {
    let app = &project.app_label;
    let mut out = Vec::new();
    for model in &project.models {
        let lower = model.name.to_lowercase();
        for action in ["add", "change", "delete", "view"] {
            let codename = format!("{action}_{lower}");
            let name = format!("Can {action} {}", model.verbose_name);
            out.push(quote!((#app, #codename, #name)));
        }
        for permission in &model.permissions {
            let codename = &permission.codename;
            let name = &permission.label;
            out.push(quote!((#app, #codename, #name)));
        }
    }
    out
}
