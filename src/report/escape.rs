//! The one escaping policy: server-controlled text is escaped, for the destination it is printed
//! to, by the functions of this module.
//!
//! Banners, EHLO keywords, certificate subjects and DNS data come from strangers. A server that
//! puts `ESC [ 2 J` in its banner must not clear the user's screen, so every such string goes
//! through [`for_terminal`] before the table, `diff` or any message prints it. JSON and NDJSON
//! keep the original text (serde_json escapes control characters itself); CSV cells go through
//! [`for_spreadsheet`]. [`lossy`] is the
//! other end: how bytes a server sent become the report's text in the first place.

/// Replaces control characters (C0, DEL, C1) and Unicode bidi/format controls with visible
/// escapes: `\x1b`, `\u{202e}`. Printable text, including non-ASCII letters, is kept.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        let bidi_or_format =
            matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF);
        if u < 0x20 || u == 0x7f {
            out.push_str(&format!("\\x{u:02x}"));
        } else if (0x80..0xa0).contains(&u) || bidi_or_format {
            out.push_str(&format!("\\u{{{u:x}}}"));
        } else if c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    out
}

/// A cell of server-, DNS- or input-controlled text for a spreadsheet: a leading `=`, `+`, `-`,
/// `@`, tab or CR would make Excel or LibreOffice read the cell as a formula (which can fetch
/// URLs or run commands), so such text gets a leading `'`, the spreadsheet's own "this is text"
/// mark. Everything else is kept; CSV quoting is the writer's job.
pub fn for_spreadsheet(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Decodes bytes a server sent as text for the report: valid UTF-8 is kept, anything else is
/// replaced (U+FFFD). Used for banners and replies, which are ASCII by standard but not by fact.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_sequences_and_c1_controls() {
        assert_eq!(for_terminal("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(for_terminal("x\r\ny\t"), "x\\x0d\\x0ay\\x09");
        assert_eq!(for_terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(for_terminal("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(for_terminal("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn keeps_printable_unicode() {
        assert_eq!(for_terminal("Grüße 邮件"), "Grüße 邮件");
    }
}
