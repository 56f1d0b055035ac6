//! The application layer: runs the command the command line names, one module per command
//! ([`scan`], [`diff`], [`cert`], [`report`], [`exporter`]; `completions` and `man` are
//! generated from the clap definition here), each ending in the process's exit status.

pub mod cert;
pub mod diff;
pub mod exporter;
pub mod report;
pub mod scan;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::report::escape::for_terminal as esc;

/// Runs the parsed command line and returns the exit status.
pub async fn run(cli: Cli) -> ExitCode {
    match cli.into_command() {
        Command::Scan(args) => scan::run(args).await,
        Command::Diff(args) => diff::run(&args),
        Command::Cert(args) => cert::run(&args).await,
        Command::Report(args) => report::run(&args),
        Command::Exporter(args) => exporter::run(args).await,
        Command::Completions(args) => {
            let mut cmd = Cli::command();
            clap_complete::generate(args.shell, &mut cmd, "tlsgrade", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => {
                    let _ = std::io::stdout().write_all(&page);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("tlsgrade man: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Writes an output file, or standard output for `-`; the error names the file.
pub(crate) fn write_output(path: &Path, what: &str, text: &str) -> Result<(), String> {
    let res = if path.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes())
    } else {
        std::fs::write(path, text)
    };
    res.map_err(|e| {
        format!(
            "cannot write the {what} to {}: {e}",
            esc(&path.display().to_string())
        )
    })
}

/// How the table is drawn: colours only on a terminal, never under `--no-color` or `NO_COLOR`.
pub(crate) fn table_options(no_color: bool, verbose: bool) -> crate::report::table::TableOptions {
    let color = !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    crate::report::table::TableOptions { color, verbose }
}
