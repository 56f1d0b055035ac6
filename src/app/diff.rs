//! The `diff` command: read both reports, compare, print the text or JSON form. Exit status 0
//! when it ran (changes or not), 2 when an input cannot be read.

use std::process::ExitCode;

use crate::cli::DiffArgs;
use crate::report::escape::for_terminal as esc;

pub fn run(args: &DiffArgs) -> ExitCode {
    if args.old.as_os_str() == "-" && args.new.as_os_str() == "-" {
        eprintln!("tlsgrade diff: only one of OLD and NEW can be '-' (standard input)");
        return ExitCode::from(2);
    }
    let load = |p: &std::path::Path| {
        crate::report::read::load(p).map_err(|e| eprintln!("tlsgrade diff: {}", esc(&e)))
    };
    // Both are read (and both named when both are bad) before anything is printed.
    let (Ok(old), Ok(new)) = (load(&args.old), load(&args.new)) else {
        return ExitCode::from(2);
    };
    let d = crate::diff::diff(
        &args.old.display().to_string(),
        &old,
        &args.new.display().to_string(),
        &new,
    );
    let out = if args.json {
        let mut s = serde_json::to_string_pretty(&d)
            .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the diff: {e}\"}}"));
        s.push('\n');
        s
    } else {
        crate::diff::render(&d)
    };
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    ExitCode::SUCCESS
}
