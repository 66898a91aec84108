//! One module per subcommand.

mod check;
mod demo;
mod run;
mod schema;
mod simulate;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub async fn dispatch(cli: Cli) -> cxetl::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(args).await,
        Command::Demo(args) => demo::demo(args).await,
        Command::Simulate(args) => simulate::simulate(args).await,
        Command::Schema(args) => schema::schema(args),
        Command::Check(args) => check::check(args).await,
    }
}
