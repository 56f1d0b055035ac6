//! The documentation agrees with the code: docs/grading.md's check tables are generated from the
//! rubric table, every check id the documents name is one the rubric defines, and every default
//! the README states for an option is the one the command line has, and the exporter's metrics
//! and the CSV columns are the documented ones.
//!
//! After changing the rubric, regenerate the tables with
//! `TLSGRADE_BLESS=1 cargo test --test it docs::` and commit docs/grading.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use clap::CommandFactory;

use tlsgrade::grade::rubric::{markdown_table, CheckId, Section, RULES};

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `text` with every `<!-- rubric:KEY -->` … `<!-- /rubric -->` block filled from the rubric.
fn regenerate(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    let mut seen = BTreeSet::new();
    while let Some(start) = rest.find("<!-- rubric:") {
        let open_end = rest[start..]
            .find("-->")
            .ok_or("unterminated rubric marker")?
            + start
            + 3;
        let key = rest[start + "<!-- rubric:".len()..open_end - 3].trim();
        let section = Section::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .ok_or_else(|| format!("unknown rubric section {key:?}"))?;
        let close = rest[open_end..]
            .find("<!-- /rubric -->")
            .ok_or_else(|| format!("rubric section {key:?} is not closed"))?
            + open_end;
        out.push_str(&rest[..open_end]);
        out.push('\n');
        out.push_str(&markdown_table(section));
        rest = &rest[close..];
        seen.insert(key.to_string());
    }
    out.push_str(rest);
    let missing: Vec<_> = Section::ALL
        .iter()
        .filter(|s| !seen.contains(s.key()))
        .map(|s| s.key())
        .collect();
    if !missing.is_empty() {
        return Err(format!("docs/grading.md has no table for {missing:?}"));
    }
    Ok(out)
}

#[test]
fn grading_tables_are_generated_from_the_rubric() {
    let path = repo_file("docs/grading.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let fresh = regenerate(&text).unwrap();
    if std::env::var_os("TLSGRADE_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    assert!(
        text == fresh,
        "docs/grading.md differs from the rubric (src/grade/rubric.rs): \
         run `TLSGRADE_BLESS=1 cargo test --test it docs::` and commit the result"
    );
}

#[test]
fn every_rubric_id_is_in_exactly_one_generated_table() {
    let text = std::fs::read_to_string(repo_file("docs/grading.md")).unwrap();
    let text = regenerate(&text).unwrap();
    for rule in RULES {
        let row = format!("| `{}` |", rule.name);
        assert_eq!(text.matches(&row).count(), 1, "{}", rule.name);
    }
}

/// Every backticked `prefix.name` in the user-facing documents whose prefix is one of the
/// rubric's must be a check id the rubric defines: a renamed or removed check cannot linger.
#[test]
fn every_check_id_named_in_the_documents_exists() {
    let prefixes: BTreeSet<&str> = RULES
        .iter()
        .filter_map(|r| r.name.split_once('.').map(|(p, _)| p))
        .collect();
    let is_id_like = |t: &str| {
        t.split_once('.').is_some_and(|(p, rest)| {
            prefixes.contains(p)
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    };
    let mut unknown = Vec::new();
    for doc in ["README.md", "docs/grading.md", "docs/report.md"] {
        let text = std::fs::read_to_string(repo_file(doc)).unwrap();
        for (i, piece) in text.split('`').enumerate() {
            if i % 2 == 1 && is_id_like(piece) && CheckId::from_name(piece).is_none() {
                unknown.push(format!("{doc}: {piece}"));
            }
        }
    }
    assert!(unknown.is_empty(), "unknown check ids: {unknown:?}");
}

/// The value of the first "(default X)" in `text` (X up to the closing parenthesis).
fn default_in(text: &str) -> Option<&str> {
    let rest = &text[text.find("(default ")? + "(default ".len()..];
    Some(&rest[..rest.find(')')?])
}

/// The long option names (`--timeout`) in a README table cell such as `` `-f, --targets FILE` ``.
fn longs_in(cell: &str) -> Vec<String> {
    cell.split(|c: char| c.is_whitespace() || c == '`' || c == ',' || c == '/')
        .filter(|w| w.starts_with("--"))
        .map(str::to_string)
        .collect()
}

/// Every default the README states — in its option table, "(default N)" in the option's row,
/// and in its prose, "`--option` (default N)" — is the default value of that option in the
/// clap definition, and every option that has a default states it in its table row: the
/// README cannot drift from `--help`, whose "[default: N]" clap prints from the same values.
#[test]
fn readme_defaults_are_the_command_line_defaults() {
    let cli = tlsgrade::cli::Cli::command();
    let defaults = |command: &str| -> BTreeMap<String, String> {
        cli.find_subcommand(command)
            .unwrap_or_else(|| panic!("a {command} command"))
            .get_arguments()
            .filter_map(|a| {
                let values: Vec<String> = a
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                Some((format!("--{}", a.get_long()?), values.join(",")))
            })
            .filter(|(_, v)| !v.is_empty())
            .collect()
    };
    // Every scan option has a row in the options table; the exporter's own are stated in prose.
    let actual = defaults("scan");
    assert!(actual.contains_key("--per-ip"), "{actual:?}");
    let mut stated_anywhere = actual.clone();
    stated_anywhere.extend(defaults("exporter"));
    assert!(stated_anywhere.contains_key("--min-interval"));

    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let mut in_table: BTreeMap<String, String> = BTreeMap::new();
    let mut stated: Vec<(String, String, String)> = Vec::new();
    for row in readme.lines().filter(|l| l.starts_with("| `-")) {
        let cell = row.split('|').nth(1).unwrap_or_default();
        if let Some(d) = default_in(row) {
            for long in longs_in(cell) {
                in_table.insert(long.clone(), d.to_string());
                stated.push((long, d.to_string(), format!("table row {cell:?}")));
            }
        }
    }
    for (i, _) in readme.match_indices("` (default ") {
        let open = readme[..i].rfind('`').unwrap();
        let d = default_in(&readme[i..]).unwrap();
        for long in longs_in(&readme[open..i]) {
            stated.push((
                long,
                d.to_string(),
                format!("prose {:?}", &readme[open..=i]),
            ));
        }
    }
    assert!(stated.len() >= actual.len(), "{stated:?}");
    for (long, said, where_) in &stated {
        let real = stated_anywhere.get(long);
        assert_eq!(
            real.map(String::as_str),
            Some(said.as_str()),
            "README {where_} says {long} defaults to {said}; the command line has {real:?}"
        );
    }
    for (long, value) in &actual {
        assert!(
            in_table.contains_key(long),
            "{long} defaults to {value}, but its README table row does not say \"(default {value})\""
        );
    }
}

/// The first column of every row of the table under `heading` in `doc`, backticks removed.
fn table_keys(doc: &str, heading: &str) -> BTreeSet<String> {
    let section = doc
        .split(&format!("\n{heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    let section = section.split("\n#").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .trim()
                .trim_matches('`')
                .to_string()
        })
        .collect()
}

/// docs/exporter.md lists exactly the metrics the exporter writes, and docs/report.md exactly
/// the CSV columns: names that are an interface are documented, and only those.
#[test]
fn exporter_metrics_and_csv_columns_are_the_documented_ones() {
    let doc = std::fs::read_to_string(repo_file("docs/exporter.md")).unwrap();
    let names = |list: &[(&str, &str)]| list.iter().map(|(n, _)| n.to_string()).collect();
    let probe: BTreeSet<String> = names(tlsgrade::report::metrics::PROBE_METRICS);
    assert_eq!(table_keys(&doc, "## `/probe`"), probe);
    let own: BTreeSet<String> = names(tlsgrade::app::exporter::EXPORTER_METRICS);
    assert_eq!(table_keys(&doc, "## `/metrics`"), own);
    let report = std::fs::read_to_string(repo_file("docs/report.md")).unwrap();
    let columns: BTreeSet<String> = tlsgrade::report::csv::COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        table_keys(
            &report,
            "## CSV (`--csv FILE`, `tlsgrade report FILE --csv OUT`)"
        ),
        columns
    );
    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains(&tlsgrade::report::csv::COLUMNS.join(", ")),
        "the README lists the CSV columns in order"
    );
}
