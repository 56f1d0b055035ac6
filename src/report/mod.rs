//! Output: the report model (= JSON schema), the JSON writer and the terminal table.

pub mod ciphers;
pub mod model;
pub mod table;

pub use ciphers::*;
pub use model::*;

/// Writes the report as pretty JSON followed by a newline.
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising our own types cannot fail short of a bug; never lose the scan over it.
        format!("{{\"error\": \"could not serialise report: {e}\"}}")
    });
    s.push('\n');
    s
}
