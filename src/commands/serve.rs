//! `driftlab serve SNAPSHOT`.

use super::print_diagnostics;
use crate::cli::args::ServeArgs;
use std::time::Duration;

use crate::error::{Error, ExitStatus, Result};
use crate::serve::{self, Api, Limits, ServeOptions};
use crate::source::{self, ReadOptions};

/// Reads the snapshot and serves it until interrupted.
pub fn run(args: &ServeArgs) -> Result<ExitStatus> {
    let options = ServeOptions {
        listen: args.listen,
        allow_remote: args.allow_remote,
        limits: limits_from_env()?,
    };
    // Refuse a remote address before reading anything.
    serve::check_listen(&options)?;
    let read = ReadOptions {
        max_bytes: args.max_bytes,
        ..ReadOptions::default()
    };
    let snapshot = source::read(&args.snapshot, &read)?;
    print_diagnostics(&snapshot, false);
    let api = Api::new(&snapshot, args.show_secrets);
    drop(snapshot);
    serve::run(api, &options)?;
    Ok(ExitStatus::Clean)
}

/// The limits, with the defaults changed by environment variables (not flags: they are for
/// tests and unusual setups, and the defaults suit kubectl):
/// `DRIFTLAB_SERVE_HEADER_TIMEOUT_MS`, `DRIFTLAB_SERVE_WRITE_TIMEOUT_MS`,
/// `DRIFTLAB_SERVE_MAX_CONNECTIONS`.
fn limits_from_env() -> Result<Limits> {
    let mut limits = Limits::default();
    if let Some(ms) = positive_env("DRIFTLAB_SERVE_HEADER_TIMEOUT_MS")? {
        limits.header_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = positive_env("DRIFTLAB_SERVE_WRITE_TIMEOUT_MS")? {
        limits.write_timeout = Duration::from_millis(ms);
    }
    if let Some(count) = positive_env("DRIFTLAB_SERVE_MAX_CONNECTIONS")? {
        limits.max_connections = Some(usize::try_from(count).unwrap_or(usize::MAX));
    }
    Ok(limits)
}

/// A positive whole number from the environment variable `name`, if it is set.
fn positive_env(name: &str) -> Result<Option<u64>> {
    let Some(value) = std::env::var_os(name) else {
        return Ok(None);
    };
    match value.to_str().and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(number) if number > 0 => Ok(Some(number)),
        _ => Err(Error::Usage(format!(
            "{name} must be a positive whole number, not {value:?}"
        ))),
    }
}
