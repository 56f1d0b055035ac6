//! The application layer: runs the command the command line names, one module per command
//! ([`scan`], [`diff`], [`cert`]), each ending in the process's exit status.

pub mod cert;
pub mod diff;
pub mod scan;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the parsed command line and returns the exit status.
pub async fn run(cli: Cli) -> ExitCode {
    match cli.into_command() {
        Command::Scan(args) => scan::run(args).await,
        Command::Diff(args) => diff::run(&args),
        Command::Cert(args) => cert::run(&args).await,
    }
}
