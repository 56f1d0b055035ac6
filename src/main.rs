//! The `tlsgrade` binary: parse arguments (or hand `diff` to its own parser), start the runtime,
//! run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `tlsgrade diff OLD NEW` has its own options; anything else is a scan (a domain named
    // "diff" is still reachable as `tlsgrade -v diff` or `smtp://diff`).
    let mut args = std::env::args_os();
    if args.nth(1).is_some_and(|a| a == "diff") {
        return tlsgrade::diff::main(std::env::args_os().skip(1));
    }
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
    rt.block_on(tlsgrade::run(cli))
}
