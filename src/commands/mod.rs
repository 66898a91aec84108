//! One module per subcommand.

mod check;
mod demo;
mod plan;
mod run;
mod schema;
mod simulate;
mod status;
mod vacuum;

use crate::cli::{Cli, Command, LogFormat};

/// Runs the parsed command.
pub async fn dispatch(cli: Cli) -> cxetl::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(args, show_progress(cli.log_format)).await,
        Command::Demo(args) => demo::demo(args).await,
        Command::Simulate(args) => simulate::simulate(args).await,
        Command::Schema(args) => schema::schema(args),
        Command::Check(args) => check::check(args).await,
        Command::Plan(args) => plan::plan(args),
        Command::Status(args) => status::status(args).await,
        Command::Vacuum(args) => vacuum::vacuum(args).await,
    }
}

/// The live status line is for a person: stderr is a terminal, logs are
/// text and `NO_COLOR` is unset. Schedulers (pipes, JSON logs) never get it.
fn show_progress(format: LogFormat) -> bool {
    format == LogFormat::Text
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none()
}
