//! Quoting DNS and HTTP input inside report text: control characters, non-ASCII bytes and the
//! backslash become `\xNN`, and long input is cut, so hostile records and policies can neither
//! smuggle terminal escapes into a report nor bloat it.

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
