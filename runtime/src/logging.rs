//! Logging set-up for a djinn server binary.
//!
//! Input: the debug flag and `RUST_LOG` (`target=level` pairs, as
//! tracing-subscriber's `Targets` reads them). Output: a global `tracing`
//! subscriber writing one line per event to stderr; the access log is target
//! `djinn::access`.

use std::str::FromStr;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the subscriber (a second call, or one after another subscriber
/// was installed, changes nothing). Default level: debug in debug mode,
/// info otherwise; a malformed `RUST_LOG` falls back to it, with a warning.
pub fn init_logging(debug: bool) {
    let default_level = if debug {
        LevelFilter::DEBUG
    } else {
        LevelFilter::INFO
    };
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .map(|spec| Targets::from_str(&spec));
    let filter = match &from_env {
        Some(Ok(targets)) => targets.clone(),
        _ => Targets::new().with_default(default_level),
    };
    let installed = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init()
        .is_ok();
    if installed && let Some(Err(error)) = from_env {
        tracing::warn!(%error, "RUST_LOG is malformed; using the default level");
    }
}
