//! The `tlsgrade` binary: parse the command line, start the runtime, run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tlsgrade::cli::Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tlsgrade: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(tlsgrade::app::run(cli))
}
