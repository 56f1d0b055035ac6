//! Plaintext dialogues before TLS: SMTP (RFC 5321, RFC 3207), IMAP (RFC 9051 §6.2.1) and
//! POP3 (RFC 2595 §4), and the short dialogue after TLS that shows what the server offers once
//! encrypted.
//!
//! Each dialogue returns what it saw ([`StartTlsReport`]) and the checks it could decide, plus
//! `Ok(())` when the stream is ready for the TLS handshake. Replies are acted on by code, never
//! by text: servers word them as they like (RFC 5321 §4.2).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::lines::{LineReader, MAX_REPLY_LINES};
use crate::grade::rubric::CheckId;
use crate::report::escape::lossy;
use crate::report::{Check, ErrorInfo, ErrorKind, StartTlsReport, Status};

/// Timeouts for the plaintext steps.
#[derive(Clone, Copy, Debug)]
pub struct DialogueTimeouts {
    /// Waiting for the greeting: tarpits delay banners on purpose (RFC 5321 §4.5.3.2.1 lets a
    /// client wait 5 minutes for it).
    pub greeting: Duration,
    /// Each command's reply.
    pub command: Duration,
}

/// What a dialogue saw and decided.
#[derive(Debug, Default)]
pub struct Dialogue {
    pub report: StartTlsReport,
    pub checks: Vec<Check>,
}

impl Dialogue {
    /// Records a failure that leaves no usable STARTTLS (cap F: mail would travel in clear text
    /// or not at all) and returns the error that ends the dialogue.
    fn refuse(&mut self, id: CheckId, kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
        let msg = msg.into();
        self.checks.push(Check::new(id, Status::Fail, msg.clone()));
        ErrorInfo::new(kind, msg)
    }

    /// Records a temporary refusal (421: "try later"): could not test, not a failure.
    fn temporary(&mut self, id: CheckId, msg: impl Into<String>) -> ErrorInfo {
        let msg = msg.into();
        self.checks.push(Check::new(id, Status::Error, msg.clone()));
        ErrorInfo::new(ErrorKind::ServerRefused, msg)
    }
}

/// One SMTP reply (RFC 5321 §4.2): the code shared by all lines and the text of each line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpReply {
    pub code: u16,
    pub lines: Vec<Vec<u8>>,
}

impl SmtpReply {
    /// The reply as one line of text for the report: `250 first line` plus a line count.
    pub fn summary(&self) -> String {
        let first = self.lines.first().map(|l| lossy(l)).unwrap_or_default();
        if self.lines.len() > 1 {
            format!("{} {} (+{} lines)", self.code, first, self.lines.len() - 1)
        } else {
            format!("{} {}", self.code, first)
        }
    }
}

/// Parses one reply line: `Ok((code, is_last, text))`. `250-x` continues, `250 x` or `250` ends.
pub fn parse_reply_line(line: &[u8]) -> Result<(u16, bool, &[u8]), String> {
    if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "not an SMTP reply line: {:?}",
            lossy(&line[..line.len().min(40)])
        ));
    }
    let code =
        (line[0] - b'0') as u16 * 100 + (line[1] - b'0') as u16 * 10 + (line[2] - b'0') as u16;
    match line.get(3) {
        None => Ok((code, true, &[])),
        Some(b' ') => Ok((code, true, &line[4..])),
        Some(b'-') => Ok((code, false, &line[4..])),
        Some(_) => Err(format!(
            "malformed SMTP reply line: {:?}",
            lossy(&line[..line.len().min(40)])
        )),
    }
}

/// Reads one complete (possibly multi-line) SMTP reply, however the server split it into writes.
pub async fn read_smtp_reply<S: AsyncRead + Unpin>(
    r: &mut LineReader,
    s: &mut S,
    timeout: Duration,
    what: &str,
) -> Result<SmtpReply, ErrorInfo> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut code = None;
    let mut lines = Vec::new();
    loop {
        let line = r.read_line_by(s, deadline, timeout, what).await?;
        let (c, last, text) = parse_reply_line(&line)
            .map_err(|e| ErrorInfo::new(ErrorKind::ProtocolError, format!("{what}: {e}")))?;
        if *code.get_or_insert(c) != c {
            return Err(ErrorInfo::new(
                ErrorKind::ProtocolError,
                format!(
                    "{what}: reply lines carry different codes ({} then {c})",
                    code.unwrap_or(0)
                ),
            ));
        }
        lines.push(text.to_vec());
        if last {
            return Ok(SmtpReply { code: c, lines });
        }
        if lines.len() >= MAX_REPLY_LINES {
            return Err(ErrorInfo::new(
                ErrorKind::ProtocolError,
                format!("{what}: reply longer than {MAX_REPLY_LINES} lines"),
            ));
        }
    }
}

async fn send<S: AsyncWrite + Unpin>(
    s: &mut S,
    data: &[u8],
    timeout: Duration,
    what: &str,
) -> Result<(), ErrorInfo> {
    // Flush too: over TLS, write_all may leave the record in the TLS buffer when the socket is
    // momentarily full, and then the command would never leave until the next write.
    let write = async {
        s.write_all(data).await?;
        s.flush().await
    };
    match tokio::time::timeout(timeout, write).await {
        Err(_) => Err(ErrorInfo::new(
            ErrorKind::Timeout,
            format!("{what}: write timed out"),
        )),
        Ok(Err(e)) => Err(super::io_error(&e, what)),
        Ok(Ok(())) => Ok(()),
    }
}

/// EHLO keywords: the first word of each line after the first (RFC 5321 §4.1.1.1), upper-cased.
fn ehlo_keywords(reply: &SmtpReply) -> Vec<String> {
    reply
        .lines
        .iter()
        .skip(1)
        .map(|l| lossy(l).trim().to_string())
        .collect()
}

fn has_keyword(caps: &[String], kw: &str) -> bool {
    caps.iter().any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(kw))
    })
}

/// The SMTP dialogue up to the point where TLS starts: greeting, EHLO, STARTTLS (RFC 3207 §4).
/// Sends nothing before the greeting's last line (pregreet traps).
pub async fn smtp<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    ehlo_name: &str,
    t: DialogueTimeouts,
) -> (Dialogue, Result<(), ErrorInfo>) {
    let mut d = Dialogue::default();
    let r = smtp_inner(s, ehlo_name, t, &mut d).await;
    (d, r)
}

async fn smtp_inner<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    ehlo_name: &str,
    t: DialogueTimeouts,
    d: &mut Dialogue,
) -> Result<(), ErrorInfo> {
    let mut r = LineReader::new();
    let greeting = match read_smtp_reply(&mut r, s, t.greeting, "SMTP greeting").await {
        Ok(g) => g,
        Err(e) => {
            let status = if e.kind == ErrorKind::ProtocolError {
                Status::Fail
            } else {
                Status::Error
            };
            d.checks
                .push(Check::new(CheckId::SmtpGreeting, status, e.message.clone()));
            return Err(e);
        }
    };
    d.report.greeting = greeting.lines.iter().map(|l| lossy(l)).collect();
    match greeting.code {
        220 => d.checks.push(Check::new(
            CheckId::SmtpGreeting,
            Status::Pass,
            greeting.summary(),
        )),
        421 => {
            let msg = format!(
                "server temporarily refused the session: {}",
                greeting.summary()
            );
            return Err(d.temporary(CheckId::SmtpGreeting, msg));
        }
        code => {
            let _ = send(s, b"QUIT\r\n", t.command, "QUIT").await;
            let msg = if code == 554 {
                format!("server refuses SMTP: {}", greeting.summary())
            } else {
                format!("unexpected greeting: {}", greeting.summary())
            };
            return Err(d.refuse(CheckId::SmtpGreeting, ErrorKind::ServerRefused, msg));
        }
    }

    send(
        s,
        format!("EHLO {ehlo_name}\r\n").as_bytes(),
        t.command,
        "EHLO",
    )
    .await?;
    let ehlo = match read_smtp_reply(&mut r, s, t.command, "EHLO reply").await {
        Ok(e) => e,
        // Like a broken greeting: a reply no sender can read (10,000 lines, a line without end)
        // is the server's fault, not "could not test".
        Err(e) if e.kind == ErrorKind::ProtocolError => {
            d.checks.push(Check::new(
                CheckId::SmtpEhlo,
                Status::Fail,
                e.message.clone(),
            ));
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if ehlo.code != 250 {
        let _ = send(s, b"QUIT\r\n", t.command, "QUIT").await;
        if ehlo.code == 421 {
            let msg = format!("server closed the session after EHLO: {}", ehlo.summary());
            return Err(d.temporary(CheckId::SmtpEhlo, msg));
        }
        let msg = match ehlo.code {
            500 | 502 => format!(
                "EHLO not supported (no ESMTP, so no STARTTLS): {}",
                ehlo.summary()
            ),
            _ => format!("EHLO refused: {}", ehlo.summary()),
        };
        return Err(d.refuse(CheckId::SmtpEhlo, ErrorKind::StarttlsUnavailable, msg));
    }
    d.checks
        .push(Check::new(CheckId::SmtpEhlo, Status::Pass, ehlo.summary()));
    d.report.capabilities = ehlo_keywords(&ehlo);
    d.report.offered = has_keyword(&d.report.capabilities, "STARTTLS");
    if !d.report.offered {
        // A middlebox (e.g. Cisco ESMTP inspection) replaces the keyword with X's.
        if d.report
            .capabilities
            .iter()
            .any(|c| c.len() >= 8 && c.starts_with("XXXXXXX"))
        {
            d.checks.push(Check::new(
                CheckId::StarttlsMasked,
                Status::Info,
                "an EHLO keyword is masked with X's: a middlebox may be stripping STARTTLS",
            ));
        }
        let msg =
            "STARTTLS not offered in the EHLO reply: mail to this server travels in clear text";
        let _ = send(s, b"QUIT\r\n", t.command, "QUIT").await;
        return Err(d.refuse(
            CheckId::StarttlsOffered,
            ErrorKind::StarttlsUnavailable,
            msg,
        ));
    }
    d.checks.push(Check::new(
        CheckId::StarttlsOffered,
        Status::Pass,
        "STARTTLS offered",
    ));

    send(s, b"STARTTLS\r\n", t.command, "STARTTLS").await?;
    let reply = read_smtp_reply(&mut r, s, t.command, "STARTTLS reply").await?;
    d.report.reply = Some(reply.summary());
    match reply.code {
        220 => {}
        421 => {
            let msg = format!("STARTTLS temporarily refused: {}", reply.summary());
            return Err(d.temporary(CheckId::StarttlsCommand, msg));
        }
        code => {
            let msg = if code == 454 {
                format!(
                    "STARTTLS advertised but TLS is not available: {}",
                    reply.summary()
                )
            } else {
                format!("STARTTLS advertised but refused: {}", reply.summary())
            };
            let _ = send(s, b"QUIT\r\n", t.command, "QUIT").await;
            return Err(d.refuse(
                CheckId::StarttlsCommand,
                ErrorKind::StarttlsUnavailable,
                msg,
            ));
        }
    }
    ready_for_tls(&r, d, "220")
}

/// After the server's go-ahead nothing may follow in clear text: anything buffered would be
/// mistaken for TLS (or, in a vulnerable server, injected; CVE-2011-0411).
fn ready_for_tls(r: &LineReader, d: &mut Dialogue, what: &str) -> Result<(), ErrorInfo> {
    if !r.pending().is_empty() {
        let msg = format!(
            "server sent {} bytes of clear text after its {what} go-ahead, before TLS",
            r.pending().len()
        );
        return Err(d.refuse(CheckId::StarttlsCommand, ErrorKind::ProtocolError, msg));
    }
    d.checks.push(Check::new(
        CheckId::StarttlsCommand,
        Status::Pass,
        "server accepted STARTTLS",
    ));
    Ok(())
}

/// After the handshake: EHLO again (RFC 3207 §4.2: all earlier knowledge is discarded), note a
/// re-advertised STARTTLS, then QUIT. Failures here do not change what TLS showed.
pub async fn smtp_after_tls<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    ehlo_name: &str,
    t: DialogueTimeouts,
    d: &mut Dialogue,
) {
    let mut r = LineReader::new();
    if send(
        s,
        format!("EHLO {ehlo_name}\r\n").as_bytes(),
        t.command,
        "EHLO",
    )
    .await
    .is_err()
    {
        return;
    }
    if let Ok(reply) = read_smtp_reply(&mut r, s, t.command, "EHLO after TLS").await {
        if reply.code == 250 {
            let caps = ehlo_keywords(&reply);
            if has_keyword(&caps, "STARTTLS") {
                d.checks.push(Check::new(
                    CheckId::StarttlsReadvertised,
                    Status::Warn,
                    "STARTTLS offered again inside TLS (RFC 3207 §4.2 forbids it)",
                ));
            }
            d.report.capabilities_after_tls = Some(caps);
        }
    }
    if send(s, b"QUIT\r\n", t.command, "QUIT").await.is_ok() {
        let _ = read_smtp_reply(&mut r, s, t.command, "QUIT reply").await;
    }
}

/// Reads IMAP lines until the tagged completion for `tag` (RFC 9051 §7.1), returning the untagged
/// lines and the status word of the completion (`OK`, `NO`, `BAD`).
async fn imap_command<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut LineReader,
    s: &mut S,
    tag: &str,
    cmd: &str,
    timeout: Duration,
) -> Result<(Vec<String>, String), ErrorInfo> {
    send(s, format!("{tag} {cmd}\r\n").as_bytes(), timeout, cmd).await?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut untagged = Vec::new();
    loop {
        let line = lossy(&r.read_line_by(s, deadline, timeout, cmd).await?);
        if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
            let word = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            return Ok((untagged, word));
        }
        untagged.push(line);
        if untagged.len() > MAX_REPLY_LINES {
            return Err(ErrorInfo::new(
                ErrorKind::ProtocolError,
                format!("{cmd}: too many lines"),
            ));
        }
    }
}

fn imap_caps(untagged: &[String]) -> Vec<String> {
    untagged
        .iter()
        .filter_map(|l| {
            let u = l.to_ascii_uppercase();
            u.strip_prefix("* CAPABILITY ").map(|_| l[13..].to_string())
        })
        .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// `imap.login-plaintext` from the capabilities before TLS: passwords may not travel in clear
/// text (RFC 9051 §6.2.3), so a server should advertise LOGINDISABLED and no plaintext SASL
/// mechanism until STARTTLS has run.
fn imap_login_plaintext(caps: &[String]) -> Check {
    let has = |c: &str| caps.iter().any(|k| k.eq_ignore_ascii_case(c));
    let mut open = Vec::new();
    if !has("LOGINDISABLED") {
        open.push("LOGIN (no LOGINDISABLED)");
    }
    if has("AUTH=PLAIN") {
        open.push("AUTH=PLAIN");
    }
    if has("AUTH=LOGIN") {
        open.push("AUTH=LOGIN");
    }
    if open.is_empty() {
        Check::new(
            CheckId::ImapLoginPlaintext,
            Status::Pass,
            "LOGINDISABLED and no plaintext SASL mechanism before STARTTLS",
        )
    } else {
        Check::new(
            CheckId::ImapLoginPlaintext,
            Status::Warn,
            format!(
                "before STARTTLS the server accepts {}: clients may send passwords in clear text (RFC 9051 §6.2.3)",
                open.join(", ")
            ),
        )
    }
}

/// `smtp.auth-plaintext` from the EHLO keywords before STARTTLS: AUTH there invites passwords
/// in clear text. `submission`: the endpoint is the submission port (587), where clients do
/// authenticate, so it fails; elsewhere (25) it warns.
pub fn smtp_auth_plaintext(caps: &[String], submission: bool) -> Check {
    let auth = caps.iter().find(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("AUTH"))
    });
    match auth {
        None => Check::new(
            CheckId::SmtpAuthPlaintext,
            Status::Pass,
            "no AUTH before STARTTLS: passwords can only be sent inside TLS",
        ),
        Some(line) => Check::new(
            CheckId::SmtpAuthPlaintext,
            if submission { Status::Fail } else { Status::Warn },
            format!(
                "{} advertised before STARTTLS: clients may send passwords in clear text (RFC 8314 §3){}",
                crate::policy::quote::quote(line.as_bytes()),
                if submission {
                    " on the port they authenticate on"
                } else {
                    ""
                }
            ),
        ),
    }
}

/// `pop3.login-plaintext` from CAPA before STLS: USER, or SASL with PLAIN or LOGIN.
fn pop3_login_plaintext(caps: &[String]) -> Check {
    let mut open = Vec::new();
    for line in caps {
        let mut words = line.split_whitespace();
        match words.next() {
            Some(w) if w.eq_ignore_ascii_case("USER") => open.push("USER".to_string()),
            Some(w) if w.eq_ignore_ascii_case("SASL") => {
                for m in words
                    .filter(|m| m.eq_ignore_ascii_case("PLAIN") || m.eq_ignore_ascii_case("LOGIN"))
                {
                    open.push(format!("SASL {}", m.to_ascii_uppercase()));
                }
            }
            _ => {}
        }
    }
    if open.is_empty() {
        Check::new(
            CheckId::Pop3LoginPlaintext,
            Status::Pass,
            "no USER and no plaintext SASL mechanism before STLS",
        )
    } else {
        Check::new(
            CheckId::Pop3LoginPlaintext,
            Status::Warn,
            format!(
                "before STLS the server offers {}: clients may send passwords in clear text (RFC 2595 §4)",
                open.join(", ")
            ),
        )
    }
}

/// IMAP: greeting, CAPABILITY, STARTTLS (RFC 9051 §6.2.1).
pub async fn imap<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    t: DialogueTimeouts,
) -> (Dialogue, Result<(), ErrorInfo>) {
    let mut d = Dialogue::default();
    let res = async {
        let mut r = LineReader::new();
        let g = lossy(&r.read_line(s, t.greeting, "IMAP greeting").await?);
        d.report.greeting = vec![g.clone()];
        let up = g.to_ascii_uppercase();
        if up.starts_with("* PREAUTH") {
            let msg = "IMAP PREAUTH greeting: the session is already authenticated, STARTTLS is ruled out";
            return Err(d.refuse(CheckId::StarttlsOffered, ErrorKind::StarttlsUnavailable, msg));
        }
        if !up.starts_with("* OK") {
            let msg = format!("IMAP server refused the session: {g}");
            return Err(d.refuse(CheckId::ImapGreeting, ErrorKind::ServerRefused, msg));
        }
        let (untagged, status) = imap_command(&mut r, s, "a1", "CAPABILITY", t.command).await?;
        d.report.capabilities = imap_caps(&untagged);
        if status == "OK" {
            d.checks.push(imap_login_plaintext(&d.report.capabilities));
        }
        d.report.offered = status == "OK" && d.report.capabilities.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS"));
        if !d.report.offered {
            let msg = "STARTTLS not in the IMAP capabilities";
            return Err(d.refuse(CheckId::StarttlsOffered, ErrorKind::StarttlsUnavailable, msg));
        }
        d.checks.push(Check::new(CheckId::StarttlsOffered, Status::Pass, "STARTTLS offered"));
        let (_, status) = imap_command(&mut r, s, "a2", "STARTTLS", t.command).await?;
        d.report.reply = Some(status.clone());
        if status != "OK" {
            let msg = format!("STARTTLS refused: {status}");
            return Err(d.refuse(CheckId::StarttlsCommand, ErrorKind::StarttlsUnavailable, msg));
        }
        ready_for_tls(&r, &mut d, "OK")
    }
    .await;
    (d, res)
}

/// IMAP after TLS: CAPABILITY again, then LOGOUT.
pub async fn imap_after_tls<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    t: DialogueTimeouts,
    d: &mut Dialogue,
) {
    let mut r = LineReader::new();
    if let Ok((untagged, _)) = imap_command(&mut r, s, "a3", "CAPABILITY", t.command).await {
        d.report.capabilities_after_tls = Some(imap_caps(&untagged));
    }
    let _ = imap_command(&mut r, s, "a4", "LOGOUT", t.command).await;
}

/// Reads a POP3 single-line status; `+OK` is success.
async fn pop3_status<S: AsyncRead + Unpin>(
    r: &mut LineReader,
    s: &mut S,
    timeout: Duration,
    what: &str,
) -> Result<(bool, String), ErrorInfo> {
    let line = lossy(&r.read_line(s, timeout, what).await?);
    Ok((line.starts_with("+OK"), line))
}

async fn pop3_capa<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut LineReader,
    s: &mut S,
    timeout: Duration,
) -> Result<Option<Vec<String>>, ErrorInfo> {
    send(s, b"CAPA\r\n", timeout, "CAPA").await?;
    let (ok, _) = pop3_status(r, s, timeout, "CAPA").await?;
    if !ok {
        return Ok(None);
    }
    let mut caps = Vec::new();
    loop {
        let line = lossy(&r.read_line(s, timeout, "CAPA list").await?);
        if line == "." {
            return Ok(Some(caps));
        }
        caps.push(line);
        if caps.len() > MAX_REPLY_LINES {
            return Err(ErrorInfo::new(
                ErrorKind::ProtocolError,
                "CAPA: too many lines",
            ));
        }
    }
}

/// POP3: greeting, CAPA, STLS (RFC 2595 §4, RFC 2449).
pub async fn pop3<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    t: DialogueTimeouts,
) -> (Dialogue, Result<(), ErrorInfo>) {
    let mut d = Dialogue::default();
    let res = async {
        let mut r = LineReader::new();
        let (ok, g) = pop3_status(&mut r, s, t.greeting, "POP3 greeting").await?;
        d.report.greeting = vec![g.clone()];
        if !ok {
            let msg = format!("POP3 server refused the session: {g}");
            return Err(d.refuse(CheckId::Pop3Greeting, ErrorKind::ServerRefused, msg));
        }
        let capa = pop3_capa(&mut r, s, t.command).await?;
        if let Some(caps) = &capa {
            d.checks.push(pop3_login_plaintext(caps));
        }
        d.report.capabilities = capa.unwrap_or_default();
        d.report.offered = has_keyword(&d.report.capabilities, "STLS");
        if !d.report.offered {
            let msg = "STLS not in the POP3 capabilities";
            return Err(d.refuse(
                CheckId::StarttlsOffered,
                ErrorKind::StarttlsUnavailable,
                msg,
            ));
        }
        d.checks.push(Check::new(
            CheckId::StarttlsOffered,
            Status::Pass,
            "STLS offered",
        ));
        send(s, b"STLS\r\n", t.command, "STLS").await?;
        let (ok, line) = pop3_status(&mut r, s, t.command, "STLS").await?;
        d.report.reply = Some(line.clone());
        if !ok {
            let msg = format!("STLS refused: {line}");
            return Err(d.refuse(
                CheckId::StarttlsCommand,
                ErrorKind::StarttlsUnavailable,
                msg,
            ));
        }
        ready_for_tls(&r, &mut d, "+OK")
    }
    .await;
    (d, res)
}

/// POP3 after TLS: CAPA again, then QUIT.
pub async fn pop3_after_tls<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    t: DialogueTimeouts,
    d: &mut Dialogue,
) {
    let mut r = LineReader::new();
    if let Ok(caps) = pop3_capa(&mut r, s, t.command).await {
        d.report.capabilities_after_tls = caps;
    }
    if send(s, b"QUIT\r\n", t.command, "QUIT").await.is_ok() {
        let _ = pop3_status(&mut r, s, t.command, "QUIT").await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pop3_and_smtp_plaintext_logins_are_read_from_the_keywords() {
        let caps = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let st = |c: Check| (c.id, c.status);
        assert_eq!(
            st(pop3_login_plaintext(&caps(&[
                "STLS",
                "SASL SCRAM-SHA-256",
                "TOP"
            ]))),
            (CheckId::Pop3LoginPlaintext, Status::Pass)
        );
        assert_eq!(
            pop3_login_plaintext(&caps(&["STLS", "user"])).status,
            Status::Warn
        );
        let c = pop3_login_plaintext(&caps(&["SASL CRAM-MD5 plain"]));
        assert!(
            c.status == Status::Warn && c.detail.contains("SASL PLAIN"),
            "{}",
            c.detail
        );
        let ehlo = caps(&["PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"]);
        assert_eq!(
            st(smtp_auth_plaintext(&ehlo, true)),
            (CheckId::SmtpAuthPlaintext, Status::Fail)
        );
        assert_eq!(smtp_auth_plaintext(&ehlo, false).status, Status::Warn);
        // AUTH= (the old form) is a different keyword; AUTHX is not AUTH.
        let other = caps(&["AUTHX PLAIN", "STARTTLS"]);
        assert_eq!(smtp_auth_plaintext(&other, true).status, Status::Pass);
    }

    #[test]
    fn imap_plaintext_login_is_what_the_capabilities_allow_before_tls() {
        let caps = |list: &str| list.split(' ').map(str::to_string).collect::<Vec<_>>();
        let c = imap_login_plaintext(&caps("IMAP4rev1 STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256"));
        assert_eq!(
            (c.id, c.status),
            (CheckId::ImapLoginPlaintext, Status::Pass)
        );
        let c = imap_login_plaintext(&caps("IMAP4rev1 STARTTLS"));
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("no LOGINDISABLED"), "{c:?}");
        let c = imap_login_plaintext(&caps("IMAP4rev1 STARTTLS logindisabled auth=plain"));
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("AUTH=PLAIN") && !c.detail.contains("no LOGINDISABLED"));
        assert_eq!(c.cap, None);
    }

    #[test]
    fn reply_lines_parse_by_code_and_separator() {
        assert_eq!(
            parse_reply_line(b"250-PIPELINING").unwrap(),
            (250, false, &b"PIPELINING"[..])
        );
        assert_eq!(
            parse_reply_line(b"250 OK").unwrap(),
            (250, true, &b"OK"[..])
        );
        assert_eq!(parse_reply_line(b"220").unwrap(), (220, true, &b""[..]));
        assert!(parse_reply_line(b"25").is_err());
        assert!(parse_reply_line(b"2x0 hi").is_err());
        assert!(parse_reply_line(b"250_hi").is_err());
        assert!(parse_reply_line(b"").is_err());
    }

    #[test]
    fn every_prefix_of_a_reply_line_is_handled_without_panic() {
        let line = b"250-STARTTLS extra";
        for n in 0..=line.len() {
            let _ = parse_reply_line(&line[..n]);
        }
    }

    #[test]
    fn keyword_match_is_case_insensitive_and_whole_word() {
        let caps = vec!["starttls".to_string(), "SIZE 100".to_string()];
        assert!(has_keyword(&caps, "STARTTLS"));
        assert!(has_keyword(&caps, "size"));
        assert!(!has_keyword(&["STARTTLSX".to_string()], "STARTTLS"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_reply_cut_short_names_the_steps_deadline_not_what_was_left_of_it() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            a.write_all(b"250-first line\r\n").await.unwrap();
            tokio::time::sleep(Duration::from_millis(900)).await;
            a.write_all(b"250-second line\r\n").await.unwrap();
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let mut r = LineReader::new();
        let e = read_smtp_reply(&mut r, &mut b, Duration::from_secs(1), "EHLO reply")
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert!(e.message.ends_with("within 1 s"), "{}", e.message);
    }

    #[tokio::test]
    async fn multi_line_reply_split_over_writes_is_one_reply() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            for part in [
                &b"250-mx.exa"[..],
                b"mple\r\n250-STARTTLS\r",
                b"\n250 SIZE 10\r\n",
            ] {
                a.write_all(part).await.unwrap();
                tokio::task::yield_now().await;
            }
        });
        let mut r = LineReader::new();
        let reply = read_smtp_reply(&mut r, &mut b, Duration::from_secs(5), "EHLO")
            .await
            .unwrap();
        assert_eq!(reply.code, 250);
        assert_eq!(reply.lines.len(), 3);
        assert_eq!(ehlo_keywords(&reply), vec!["STARTTLS", "SIZE 10"]);
    }

    #[tokio::test]
    async fn commands_are_flushed_not_left_in_a_buffer() {
        // A buffering writer stands for a TLS stream whose socket was momentarily full.
        let (a, mut b) = tokio::io::duplex(1024);
        let mut w = tokio::io::BufWriter::new(a);
        send(&mut w, b"EHLO x\r\n", Duration::from_secs(5), "EHLO")
            .await
            .unwrap();
        let mut got = [0u8; 8];
        use tokio::io::AsyncReadExt;
        tokio::time::timeout(Duration::from_secs(5), b.read_exact(&mut got))
            .await
            .expect("the command never left the buffer")
            .unwrap();
        assert_eq!(&got, b"EHLO x\r\n");
    }

    #[tokio::test]
    async fn mixed_codes_in_one_reply_are_a_protocol_error() {
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(b"250-a\r\n251 b\r\n").await.unwrap();
        let e = read_smtp_reply(
            &mut LineReader::new(),
            &mut b,
            Duration::from_secs(5),
            "EHLO",
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ProtocolError);
    }
}
