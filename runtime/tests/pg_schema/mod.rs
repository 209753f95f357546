//! A PostgreSQL schema of its own for one test, shared by the runtime's
//! test files: created on the server `DJINN_TEST_POSTGRES_URL` names
//! (default `postgres://postgres@127.0.0.1:5432/test`, trust auth), reached
//! through `url` (whose `search_path` is the schema), and dropped with
//! everything in it when the value is dropped, even after a panic. Without
//! a server, `create` says "skipped: no PostgreSQL" and gives `None` —
//! unless `CI=true`, where that is a failure.

#![allow(dead_code)] // Each test file uses part of it.

use std::sync::atomic::{AtomicUsize, Ordering};

use djinn_runtime::db::{Database, Sql};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server the tests use.
pub(crate) fn server_url() -> String {
    std::env::var("DJINN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `url` with `parameter` appended as a URL parameter.
pub(crate) fn with_parameter(url: &str, parameter: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{parameter}")
}

/// SQL built at run time (schema names): tests only, so leaking is fine.
pub(crate) fn dynamic(text: String) -> Sql {
    Sql::portable(Box::leak(text.into_boxed_str()))
}

/// A schema for one test.
pub(crate) struct PgSchema {
    /// The schema's name (`djinn_<label>_<process>_<n>`).
    pub(crate) name: String,
    /// The server's URL with the schema as `search_path`.
    pub(crate) url: String,
}

impl PgSchema {
    /// A fresh schema named after `label`, or `None` (after saying so) when
    /// no server answers and `CI` is not `true`.
    pub(crate) async fn create(label: &str) -> Option<PgSchema> {
        let server = server_url();
        let admin = match Database::connect(&server).await {
            Ok(admin) => admin,
            Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL at {server} is unreachable and CI=true: {error}")
            }
            Err(error) => {
                eprintln!("skipped: no PostgreSQL ({error})");
                return None;
            }
        };
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "djinn_{label}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .apply_schema(&[&dynamic(format!("CREATE SCHEMA {name}"))])
            .await
            .unwrap();
        let url = with_parameter(&server, &format!("options=-c%20search_path%3D{name}"));
        Some(PgSchema { name, url })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let drop_schema = dynamic(format!(
            "SET LOCAL lock_timeout = '10s'; DROP SCHEMA {} CASCADE",
            self.name
        ));
        // A thread of its own: the test's runtime may be gone or busy.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = Database::connect(&server_url()).await?;
                admin.apply_schema(&[&drop_schema]).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {dropped:?}", self.name);
        }
    }
}
