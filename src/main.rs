//! The `cxetl` binary: parses the command line, sets up logging, runs the
//! command, and maps the library's errors to the contract's exit codes.

mod cli;
mod commands;

use clap::Parser;
use cli::{Cli, LogFormat};
use cxetl::Error;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: first thing in main, no other thread started yet.
    unsafe { cxetl::allocator::shorten_purge_delay() };
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads())
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Threads for CPU work (parse, encode) and local file writes.
///
/// More threads than cores cannot make the CPU work faster, but each extra
/// thread keeps its own allocator heap of freed page and row-group buffers:
/// with tokio's default (up to 512) a 1M-conversation run peaked at 1.0 GB
/// RSS, with one per core at 0.4 GB and no loss of speed (BENCHMARKS.md).
fn blocking_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

/// The contract's exit codes, in one place.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Internal(_) => 1,
        Error::Config(_) => 2,
        Error::Auth(_) => 3,
        Error::Permission(_) => 4,
        Error::Upstream(_) => 5,
        Error::Storage(_) => 6,
        Error::TooManyBadRecords { .. } => 7,
        Error::Interrupted { number, .. } => 128 + number,
    }
}

/// Logs go to stderr (stdout carries only the summary line). `RUST_LOG`
/// filters as usual; the default shows cxetl's info lines and others' warnings.
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,cxetl=info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => builder.with_target(false).init(),
        LogFormat::Json => builder.json().with_current_span(true).init(),
    }
}
