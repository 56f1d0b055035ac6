//! The `report` command: read a saved report (JSON or NDJSON) and write it as HTML, CSV or the
//! terminal table, without scanning. Exit status 0 written, 2 unreadable input or output.

use std::process::ExitCode;

use super::{table_options, write_output};
use crate::cli::ReportArgs;
use crate::report::escape::for_terminal as esc;

pub fn run(args: &ReportArgs) -> ExitCode {
    let to_stdout = [&args.html, &args.csv]
        .iter()
        .filter(|p| p.as_deref().is_some_and(|p| p.as_os_str() == "-"))
        .count();
    if to_stdout > 1 {
        eprintln!("tlsgrade report: only one of --html and --csv can be '-' (standard output)");
        return ExitCode::from(2);
    }
    let report = match crate::report::read::load_report(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tlsgrade report: {}", esc(&e));
            return ExitCode::from(2);
        }
    };
    let mut ok = true;
    let mut write = |path: &std::path::Path, what: &str, text: String| {
        if let Err(e) = write_output(path, what, &text) {
            eprintln!("tlsgrade report: {e}");
            ok = false;
        }
    };
    if let Some(path) = &args.html {
        write(path, "HTML report", crate::report::html::render(&report));
    }
    if let Some(path) = &args.csv {
        write(path, "CSV", crate::report::csv::render(&report));
    }
    let table = args.table || (args.html.is_none() && args.csv.is_none());
    if table && to_stdout == 0 {
        let text =
            crate::report::table::render(&report, table_options(args.no_color, args.verbose));
        let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
