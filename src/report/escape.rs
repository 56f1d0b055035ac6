//! The one escaping policy: server-controlled text is escaped, for the destination it is printed
//! to, by the functions of this module.
//!
//! Banners, EHLO keywords, certificate subjects and DNS data come from strangers. A server that
//! puts `ESC [ 2 J` in its banner must not clear the user's screen, so every such string goes
//! through [`for_terminal`] before the table, `diff` or any message prints it. The HTML report
//! puts every such string through [`for_html`], which escapes markup as well, so a banner of
//! `<script>` is text on the page and its control characters are as visible as in the terminal.
//! CSV cells go through [`for_spreadsheet`]. JSON and NDJSON keep the original text (serde_json
//! escapes control characters itself). [`lossy`] is the other end: how bytes a server sent
//! become the report's text in the first place.

/// Replaces control characters (C0, DEL, C1) and Unicode bidi/format controls with visible
/// escapes: `\x1b`, `\u{202e}`. Printable text, including non-ASCII letters, is kept.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !push_visible_control(&mut out, c) {
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

/// Escapes text for HTML, in element content and in quoted attribute values alike: `& < > " '`
/// become character references, and control characters become the visible escapes of
/// [`for_terminal`] (`\x1b`), so the page shows what the terminal shows.
pub fn for_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        if push_visible_control(&mut out, c) {
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the visible escape of `c` when it is a control character (C0, DEL, C1, a bidi or
/// format control) or the backslash that begins such escapes, and says whether it did.
fn push_visible_control(out: &mut String, c: char) -> bool {
    let u = c as u32;
    let bidi_or_format = matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF);
    if u < 0x20 || u == 0x7f {
        out.push_str(&format!("\\x{u:02x}"));
    } else if (0x80..0xa0).contains(&u) || bidi_or_format {
        out.push_str(&format!("\\u{{{u:x}}}"));
    } else if c == '\\' {
        out.push_str("\\\\");
    } else {
        return false;
    }
    true
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
        assert_eq!(for_html("Grüße 邮件"), "Grüße 邮件");
    }

    #[test]
    fn html_escapes_markup_in_text_and_attributes() {
        assert_eq!(
            for_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            for_html("\"><img src=x onerror='alert(1)'>"),
            "&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;"
        );
        assert_eq!(for_html("a&amp;b"), "a&amp;amp;b");
    }

    #[test]
    fn html_shows_control_characters_as_the_terminal_does() {
        for s in [
            "a\x1b[2Jb",
            "x\r\ny\t\x07",
            "\u{9b}31m",
            "\u{202e}evil",
            "back\\slash",
        ] {
            assert_eq!(for_html(s), for_terminal(s), "{s:?}");
        }
        assert_eq!(for_html("<\x1b>"), "&lt;\\x1b&gt;");
    }
}
