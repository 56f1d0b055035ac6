//! Output: the report model (= JSON schema) and every form it leaves the program in — the JSON
//! writer, NDJSON lines, the terminal table, CSV, the self-contained HTML report ([`html`]), the
//! exporter's Prometheus text — with the one escaping policy for server-controlled text
//! ([`escape`]), and reading saved reports back into the model ([`read`]).

pub mod ciphers;
pub mod csv;
pub mod escape;
pub mod html;
pub mod metrics;
pub mod model;
pub mod ndjson;
pub mod read;
pub mod table;
pub mod versions;

pub use ciphers::*;
pub use model::*;
pub use versions::{VersionMap, VERSIONS};

/// Writes the report as pretty JSON followed by a newline.
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising our own types cannot fail short of a bug; never lose the scan over it.
        format!("{{\"error\": \"could not serialise report: {e}\"}}")
    });
    s.push('\n');
    s
}
