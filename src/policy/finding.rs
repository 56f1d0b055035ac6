//! Shared result vocabulary: the [`Finding`] record every parser in this
//! crate emits, its [`Status`], and the escaping helper that keeps hostile
//! DNS/HTTP input from smuggling control characters into report text.

use std::fmt;

/// How a finding should be rendered / graded by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The checked property is correct.
    Pass,
    /// Works with most senders, but deviates from the RFC or best practice.
    Warn,
    /// Broken: senders following the RFC will ignore the record or policy.
    Fail,
    /// Neutral information (e.g. a deliberate `mode: none`).
    Info,
    /// The check itself could not be carried out (reserved for callers,
    /// e.g. DNS timeouts; the pure parsers here never emit it).
    Error,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Info => "info",
            Status::Error => "error",
        })
    }
}

/// One observation about a domain's configuration.
///
/// `id` is a stable dotted identifier (see NOTES.md for the full list);
/// `detail` is human-readable text in which any quoted input has been passed
/// through [`escape`], so it never contains raw control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: &'static str,
    pub status: Status,
    pub detail: String,
}

impl Finding {
    pub fn new(id: &'static str, status: Status, detail: impl Into<String>) -> Self {
        Finding {
            id,
            status,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.status, self.id, self.detail)
    }
}

/// Longest slice of input quoted verbatim in a detail string; longer input is
/// cut and marked with `...` so a 64 KiB hostile body cannot bloat reports.
pub const MAX_QUOTE: usize = 200;

/// Render bytes for inclusion in a report: printable ASCII (0x20..=0x7E) is
/// kept, everything else (control characters, DEL, non-ASCII / UTF-8 bytes)
/// and the backslash itself become `\xNN`, so the output is unambiguous and
/// safe to print on a terminal or embed in HTML/JSON after normal escaping.
pub fn escape(input: &[u8]) -> String {
    let mut out = escape_full(&input[..input.len().min(MAX_QUOTE)]);
    if input.len() > MAX_QUOTE {
        out.push_str("...");
    }
    out
}

/// Like [`escape`] but without the length cap; used for record texts
/// returned to the caller (already bounded by the 65535-byte RDATA limit).
pub fn escape_full(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for &b in input {
        if (0x20..=0x7e).contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// [`escape`] wrapped in double quotes, for "value \"...\"" style details.
pub fn quote(input: &[u8]) -> String {
    format!("\"{}\"", escape(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_control_and_non_ascii_bytes_with_hex() {
        assert_eq!(
            escape(b"a\r\nb\x1b[0m\\\xc3\xa9"),
            "a\\x0D\\x0Ab\\x1B[0m\\x5C\\xC3\\xA9"
        );
    }

    #[test]
    fn escape_truncates_long_input() {
        let long = vec![b'a'; 1000];
        let e = escape(&long);
        assert_eq!(e.len(), MAX_QUOTE + 3);
        assert!(e.ends_with("..."));
    }
}
