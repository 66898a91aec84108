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
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
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
