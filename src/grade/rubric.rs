//! The rubric table: every check id tlsgrade reports, defined once, with the statuses it can
//! take, the grade cap each status implies and why. Stages name checks by [`CheckId`]; the cap
//! of a check always comes from here ([`CheckId::cap`]), and docs/grading.md's tables are
//! generated from this table (a test fails when they differ), so code and documentation cannot
//! drift apart.
//!
//! Check ids are a public interface (users script against them): an id never changes meaning;
//! new ones are added as checks land.

use serde::{Deserialize, Serialize};

/// Outcome of one check. `error` means "could not test" and is never a failure.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Info,
    Warn,
    Fail,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

/// A letter grade. Ordered from best to worst so `max()` is the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    APlus,
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::APlus => "A+",
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        Some(match s.to_ascii_uppercase().as_str() {
            "A+" => Grade::APlus,
            "A" => Grade::A,
            "B" => Grade::B,
            "C" => Grade::C,
            "D" => Grade::D,
            "F" => Grade::F,
            _ => return None,
        })
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Exactly the names [`Grade::as_str`] writes (reading a report is not parsing user input).
impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const ALL: [Grade; 6] = [
            Grade::APlus,
            Grade::A,
            Grade::B,
            Grade::C,
            Grade::D,
            Grade::F,
        ];
        let s = String::deserialize(d)?;
        ALL.into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| serde::de::Error::unknown_variant(&s, &["A+", "A", "B", "C", "D", "F"]))
    }
}

/// Where a check belongs in docs/grading.md (one table per section).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// TCP, the plaintext dialogue before TLS, STARTTLS.
    Dialogue,
    /// Protocol versions and the full handshake.
    Versions,
    /// The certificate chain.
    Certificate,
    /// Cipher suites and key exchange.
    Ciphers,
    /// Known flaws probed with hand-built hellos.
    Flaws,
    /// MX resolution and the other checks of a mail domain as a whole.
    Domain,
    /// DANE (RFC 7672).
    Dane,
    /// MTA-STS (RFC 8461).
    MtaSts,
    /// TLS-RPT (RFC 8460).
    TlsRpt,
    /// Certificate consistency across the peers of a run.
    Consistency,
    /// `tlsgrade cert`: a certificate file checked before it is bound.
    Preflight,
}

impl Section {
    /// Every section, in the order docs/grading.md shows them.
    pub const ALL: [Section; 11] = [
        Section::Dialogue,
        Section::Versions,
        Section::Certificate,
        Section::Ciphers,
        Section::Flaws,
        Section::Domain,
        Section::Dane,
        Section::MtaSts,
        Section::TlsRpt,
        Section::Consistency,
        Section::Preflight,
    ];

    /// The marker name of the section's generated table in docs/grading.md.
    pub fn key(self) -> &'static str {
        match self {
            Section::Dialogue => "dialogue",
            Section::Versions => "versions",
            Section::Certificate => "certificate",
            Section::Ciphers => "ciphers",
            Section::Flaws => "flaws",
            Section::Domain => "domain",
            Section::Dane => "dane",
            Section::MtaSts => "mta-sts",
            Section::TlsRpt => "tls-rpt",
            Section::Consistency => "consistency",
            Section::Preflight => "preflight",
        }
    }
}

/// One row of the rubric.
#[derive(Debug)]
pub struct Rule {
    pub id: CheckId,
    /// The stable id users see (`cert.expired`).
    pub name: &'static str,
    pub section: Section,
    /// Every status the check can take, each with the cap it implies (`None`: no cap). `pass`
    /// and `error` (could not test) never cap.
    pub statuses: &'static [(Status, Option<Grade>)],
    /// When the check fires and why it matters, for docs/grading.md.
    pub why: &'static str,
}

macro_rules! rubric {
    ($($variant:ident = $name:literal, $section:ident,
       [$($status:ident $(=> $cap:ident)?),+ $(,)?], $why:expr;)+) => {
        /// A check's identity. Its name, statuses, caps and reason are in [`RULES`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CheckId { $($variant),+ }

        /// The rubric, one rule per [`CheckId`], in declaration order.
        pub const RULES: &[Rule] = &[$(Rule {
            id: CheckId::$variant,
            name: $name,
            section: Section::$section,
            statuses: &[$((Status::$status, rubric!(@cap $($cap)?))),+],
            why: $why,
        }),+];
    };
    (@cap) => { None };
    (@cap $cap:ident) => { Some(Grade::$cap) };
}

rubric! {
    // ---- the dialogue before TLS ----
    TcpConnect = "tcp.connect", Dialogue, [Error],
        "the TCP connection failed (refused, unreachable, timed out): could not test";
    SmtpGreeting = "smtp.greeting", Dialogue, [Pass, Fail => F, Error],
        "fail: the server refuses SMTP (554, or any greeting but 220) or sends a greeting no sender can read (not an SMTP reply, a line over 4096 bytes, more than 256 lines, mixed reply codes): mail cannot be delivered here. error: no greeting in time, a close, or 421 (try later)";
    SmtpEhlo = "smtp.ehlo", Dialogue, [Pass, Fail => F, Error],
        "fail: EHLO refused or unreadable (no ESMTP means no STARTTLS). error: 421 after EHLO";
    ImapGreeting = "imap.greeting", Dialogue, [Fail => F],
        "the IMAP server refuses the session (BYE or an unreadable greeting)";
    Pop3Greeting = "pop3.greeting", Dialogue, [Fail => F],
        "the POP3 server refuses the session (-ERR or an unreadable greeting)";
    StarttlsOffered = "starttls.offered", Dialogue, [Pass, Fail => F],
        "STARTTLS (STLS) is not offered: mail to this server travels in clear text";
    StarttlsCommand = "starttls.command", Dialogue, [Pass, Fail => F, Error],
        "STARTTLS is offered but refused (454, 5xx), or clear text follows the go-ahead before TLS; error: 421";
    StarttlsDialogue = "starttls.dialogue", Dialogue, [Error],
        "the dialogue before TLS failed without a finding of its own (a timeout, a close): could not test";
    StarttlsMasked = "starttls.masked", Dialogue, [Info],
        "an EHLO keyword masked with X's (`XXXXXXXA`): the mark of a middlebox stripping STARTTLS";
    StarttlsReadvertised = "starttls.readvertised", Dialogue, [Warn],
        "STARTTLS offered again inside TLS (RFC 3207 §4.2)";
    SmtpAuthPlaintext = "smtp.auth-plaintext", Dialogue, [Pass, Warn, Fail],
        "AUTH advertised in the EHLO reply before STARTTLS: the server invites clients to send passwords in clear text (RFC 8314 §3, RFC 4954 §4). Fail on submission (587), where clients authenticate; warn on 25, where only misconfigured clients would";
    Pop3LoginPlaintext = "pop3.login-plaintext", Dialogue, [Pass, Warn],
        "before STLS the POP3 server's CAPA offers USER or a plaintext SASL mechanism (PLAIN, LOGIN): clients may send passwords in clear text (RFC 2595 §4, RFC 8314 §3)";
    ImapLoginPlaintext = "imap.login-plaintext", Dialogue, [Pass, Warn],
        "before STARTTLS the IMAP server does not advertise LOGINDISABLED, or offers AUTH=PLAIN or AUTH=LOGIN: it invites clients to send passwords in clear text, which RFC 9051 §6.2.3 says servers should not allow and RFC 8314 §3 forbids where TLS is available";

    // ---- versions and the full handshake ----
    TlsVersions = "tls.versions", Versions, [Info, Error],
        "the version matrix in words: what was accepted, refused and could not be told (error when nothing could be told)";
    TlsSslv3 = "tls.sslv3", Versions, [Fail => F],
        "SSL 3.0 accepted: broken by POODLE, prohibited by RFC 7568";
    TlsModernMissing = "tls.modern-missing", Versions, [Fail => C],
        "no TLS 1.2 or 1.3: only versions deprecated by RFC 8996 are spoken";
    TlsHandshake = "tls.handshake", Versions, [Fail => C, Info, Error],
        "fail: no TLS 1.2 or 1.3 handshake could be completed with a server that is not known to speak them; info: the server speaks TLS 1.2 or 1.3, but not with anything tlsgrade's own client can complete (the certificate is then judged from the clear-text handshake of a version probe); error: it timed out, the answer is not TLS, or the certificate could not be read";
    TlsHandshakeIncomplete = "tls.handshake-incomplete", Versions, [Fail => F],
        "the server answers with ServerHello and its certificate, then a fatal alert where its key exchange or signature belongs: no client can complete a handshake, so neither STARTTLS nor TLS works here (often a server whose key cannot sign)";
    TlsLegacyVersions = "tls.legacy-versions", Versions, [Warn => B],
        "TLS 1.0 or 1.1 accepted: deprecated since 2021 (RFC 8996)";
    TlsVersion = "tls.version", Versions, [Pass, Warn => A],
        "TLS 1.2 negotiated although TLS 1.3 was offered: the server has no TLS 1.3";
    TlsVersionIntolerance = "tls.version-intolerance", Versions, [Warn => A],
        "the server drops a newer hello instead of answering with an older version it supports: clients that offer the newer version fail to connect";
    TlsFallbackScsv = "tls.fallback-scsv", Versions, [Pass, Warn, Error],
        "a hello for a lower supported version with TLS_FALLBACK_SCSV is accepted: nothing stops an attacker forcing old versions (RFC 7507). A TLS 1.3 server that ignores the SCSV but marks its answer with the RFC 8446 downgrade sentinel passes, as does one that refuses the SCSV hello with a close or another alert while it accepts the same hello without";
    TlsCipher = "tls.cipher", Versions, [Info],
        "the suite and group the full handshake negotiated";
    TlsResumption = "tls.resumption", Versions, [Info, Error],
        "whether a second connection resumes the full handshake's session (a TLS 1.3 ticket, or a TLS 1.2 session ID or ticket): information, for the report";
    Tls0Rtt = "tls.0rtt", Versions, [Pass, Warn],
        "TLS 1.3 early data (0-RTT) accepted on resumption: what a client sends in it can be replayed by anyone who recorded it (RFC 8446 §8); harmless for most web requests, not for mail commands";
    TlsHandshakeSignature = "tls.handshake-signature", Versions, [Warn],
        "the server's handshake signature does not verify with modern algorithms (e.g. an RSA key under 2048 bits)";

    // ---- the certificate ----
    CertValidity = "cert.validity", Certificate, [Pass],
        "the leaf is inside its validity period";
    CertExpired = "cert.expired", Certificate, [Fail => B, Info],
        "the leaf has expired (info under a DANE-EE match)";
    CertNotYetValid = "cert.not-yet-valid", Certificate, [Fail => B, Info],
        "the leaf is not valid yet (info under a DANE-EE match)";
    CertExpiring = "cert.expiring", Certificate, [Warn],
        "the leaf expires within `--warn-days` (default 30)";
    CertTrusted = "cert.trusted", Certificate, [Pass],
        "the chain leads to a trusted root (webpki-roots and `--ca-file`)";
    CertSelfSigned = "cert.self-signed", Certificate, [Warn => B, Info],
        "the leaf is self-signed: no path to a trusted root (info under a DANE-EE match)";
    CertUntrusted = "cert.untrusted", Certificate, [Warn => B, Info],
        "no path to a trusted root: unknown issuer, or a chain certificate outside its validity (info under a DANE-EE match)";
    CertChainIncomplete = "cert.chain-incomplete", Certificate, [Warn => B, Info],
        "the server sent only its own certificate, whose issuer is not a trusted root: a missing intermediate (info under a DANE-EE match)";
    CertName = "cert.name", Certificate, [Pass],
        "the certificate is valid for the host name";
    CertNameMismatch = "cert.name-mismatch", Certificate, [Warn => B, Info],
        "the certificate is not valid for the host name (info under a DANE-EE match)";
    CertWeakKey = "cert.weak-key", Certificate, [Fail => F, Warn => B],
        "fail: an RSA key below 1024 bits; warn: an RSA key below 2048 bits, or P-224";
    CertWeakSignature = "cert.weak-signature", Certificate, [Fail => F, Warn => B, Info],
        "fail: an MD5-signed certificate in the chain; warn: a SHA-1-signed one (a self-signed root's signature is never checked, so it does not count; info under a DANE-EE match)";
    CertChainOrder = "cert.chain-order", Certificate, [Info],
        "a chain certificate did not issue the one before it: wrong order or extra certificates (RFC 5246 §7.4.2)";
    CertParse = "cert.parse", Certificate, [Fail => F],
        "the certificate does not parse";
    CertRevocation = "cert.revocation", Certificate, [Pass],
        "a fresh OCSP answer (stapled or fetched) or the issuer's current CRL says the certificate is not revoked";
    CertRevoked = "cert.revoked", Certificate, [Fail => F, Info],
        "the issuer has revoked the certificate (a stapled or fetched OCSP answer, or its CRL): no client should trust it (info under a DANE-EE match: DANE senders do not check revocation)";
    CertRevocationUnavailable = "cert.revocation-unavailable", Certificate, [Error, Info],
        "error: revocation could not be told: nothing usable stapled, and the CRL and OCSP responder the certificate names were not reachable, too large, out of date or not signed by the issuer (could not test, never a failure); info: the certificate names neither (a private CA's choice), so there is nothing to look up";
    CertOcspStapleInvalid = "cert.ocsp-staple-invalid", Certificate, [Warn, Info],
        "the stapled OCSP response is not one a client can use: not signed by the issuer or its delegated responder, for another certificate, expired, not yet valid, or an error answer (info under a DANE-EE match)";
    CertMustStaple = "cert.must-staple", Certificate, [Pass, Fail => B, Info],
        "the certificate demands OCSP stapling (RFC 7633 TLS Feature status_request) and the server staples no valid response: clients that honour it (browsers, some MTAs) refuse the connection, as they refuse an untrusted chain (info under a DANE-EE match)";

    // ---- cipher suites and key exchange ----
    CipherExport = "cipher.export", Ciphers, [Pass, Fail => F, Error],
        "EXPORT or single-DES suites accepted: keys under 112 bits, breakable by anyone who records the session";
    CipherNull = "cipher.null", Ciphers, [Pass, Fail => F, Error],
        "NULL-encryption suites accepted: the \"encrypted\" session can carry mail in clear text";
    CipherRc4 = "cipher.rc4", Ciphers, [Pass, Fail => C, Error],
        "RC4 suites accepted (RFC 7465 prohibits them): biases let an attacker recover repeated plaintext such as login credentials";
    Cipher3des = "cipher.3des", Ciphers, [Pass, Fail => C, Error],
        "3DES or IDEA (64-bit blocks) accepted: long sessions leak data (Sweet32)";
    CipherAnon = "cipher.anon", Ciphers, [Pass, Warn => A, Error],
        "anonymous (aNULL) suites accepted: no server authentication. Tolerated for opportunistic SMTP (RFC 7672 §8.2), where clients do not authenticate anyway";
    CipherNoFs = "cipher.no-fs", Ciphers, [Pass, Warn => B],
        "no forward-secret (ECDHE/DHE) suite: whoever gets the server's key later can decrypt recorded mail";
    CipherNoAead = "cipher.no-aead", Ciphers, [Pass, Warn => B],
        "no AEAD suite (GCM, ChaCha20-Poly1305): only CBC or stream ciphers, which have a long record of padding attacks";
    CipherOrder = "cipher.order", Ciphers, [Warn => A],
        "from a client list that puts forward-secret AEAD suites first, the server picks a weaker suite although it has a better one";
    KxDhSmall = "kx.dh-small", Ciphers, [Pass, Fail => F, Warn => B, Error],
        "fail: DHE with a group below 1024 bits (Logjam: the session key can be recovered); warn: below 2048 bits, within reach of well-funded attackers";
    KxWeakCurve = "kx.weak-curve", Ciphers, [Pass, Warn => B, Error],
        "ECDHE on a named curve under 224 bits (secp192r1, sect163k1, secp160r1, …) accepted from a TLS ≤ 1.2 hello that lists them first: as weak as the small DH groups. With an ECDSA certificate the hello also lists P-256/384/521 last, since the certificate's curve must be offered (RFC 8422 §5.1.1). TLS 1.3-only servers pass";
    KxGroups = "kx.groups", Ciphers, [Info],
        "the ECDHE groups accepted (x25519, P-256, P-384, P-521, X25519MLKEM768 when TLS 1.3 is spoken)";

    // ---- flaws ----
    TlsHeartbleed = "tls.heartbleed", Flaws, [Pass, Fail => F, Error],
        "a malformed heartbeat request is answered with server memory (CVE-2014-0160): private keys and other people's mail can be read remotely";
    TlsCcsInjection = "tls.ccs-injection", Flaws, [Pass, Fail => F, Error],
        "a ChangeCipherSpec sent before any key exchange is taken, and the next record then fails to decrypt (alert bad_record_mac or decryption_failed; CVE-2014-0224, OpenSSL before 1.0.1h): a man in the middle can make both ends use keys from an empty master secret. Silence to two early ChangeCipherSpec messages is \"could not tell\" (error), never a pass";
    TlsRobot = "tls.robot", Flaws, [Pass, Fail => F, Error],
        "the server answers RSA key exchanges differently depending on the premaster secret's PKCS #1 padding, the same way in two rounds (ROBOT, a Bleichenbacher oracle): recorded RSA key-exchange sessions can be decrypted and the server's key used to sign. Answers that differ once but not twice are \"could not tell\" (error)";
    TlsCompression = "tls.compression", Flaws, [Pass, Fail => C, Error],
        "the server enables TLS compression when offered: secrets in the stream can be guessed (CRIME)";
    TlsRenegotiation = "tls.renegotiation", Flaws, [Pass, Warn => A, Error],
        "no renegotiation_info in the ServerHello: no RFC 5746 secure renegotiation, so a man in the middle can splice his own data in front of a client's session";
    TlsExtendedMasterSecret = "tls.extended-master-secret", Flaws, [Pass, Warn, Error],
        "the TLS 1.2 ServerHello does not answer the extended_master_secret the hello offered (RFC 7627): a man in the middle can synchronise two TLS 1.2 sessions and break client authentication and renegotiation across them (the triple-handshake attack). TLS 1.3-only servers pass (their key schedule binds the session)";
    TlsRenegotiationInsecure = "tls.renegotiation-insecure", Flaws, [Pass, Fail => F, Error],
        "after a TLS 1.2 handshake that offered no RFC 5746 (no renegotiation_info, no SCSV), a new ClientHello inside the session drew a ServerHello: the server renegotiates insecurely, so a man in the middle can splice his own request in front of a client's session (CVE-2009-3555)";
    TlsClientRenegotiation = "tls.client-renegotiation", Flaws, [Pass, Info, Warn, Error],
        "the server honours client-initiated renegotiation (RFC 5746 secure renegotiation). warn: eleven full renegotiations on one connection were all accepted, so one client can make the server do public-key work at will (a cheap denial of service); info: some were accepted before the server stopped; pass: refused";
    TlsPoodleTls = "tls.poodle-tls", Flaws, [Pass, Fail => F, Info, Error],
        "with a TLS 1.2 CBC suite, a record whose MAC is right but whose padding bytes are wrong was taken as a good one instead of refused with bad_record_mac: the server does not check CBC padding, so an attacker can decrypt a session byte by byte (POODLE against TLS, CVE-2014-8730). info: not probed, because no probe saw a CBC suite chosen in TLS 1.2, or its CBC suites are none tlsgrade's own client speaks (AES-CBC)";
    TlsKxSha1 = "tls.kx-sha1", Flaws, [Pass, Warn => A, Error],
        "the TLS 1.2 ServerKeyExchange is signed with SHA-1 (or MD5) although the hello offered SHA-256 and better first: a collision on SHA-1 can forge key-exchange signatures (SLOTH)";
    SmtpStarttlsInjection = "smtp.starttls-injection", Flaws, [Pass, Warn, Fail => C, Error, Info],
        "fail: commands sent in clear text together with STARTTLS are answered inside TLS (CVE-2011-0411): an attacker can inject commands into the encrypted session. warn: a reply in clear text before the handshake, not exploitable but against RFC 3207. A server that refuses STARTTLS sent with another command passes; without TLS 1.2 or 1.3 the probe does not apply (info)";
    ImapStarttlsInjection = "imap.starttls-injection", Flaws, [Pass, Warn, Fail => C, Error, Info],
        "the IMAP form of `smtp.starttls-injection`: `a NOOP` sent in the same segment as `STARTTLS` is answered inside TLS (fail), or in clear text before the handshake (warn, against RFC 9051 §6.2.1)";
    Pop3StarttlsInjection = "pop3.starttls-injection", Flaws, [Pass, Warn, Fail => C, Error, Info],
        "the POP3 form of `smtp.starttls-injection`: `NOOP` sent in the same segment as `STLS` is answered inside TLS (fail), or in clear text before the handshake (warn, against RFC 2595 §4)";

    // ---- the mail domain ----
    MxLookup = "mx.lookup", Domain, [Fail, Error],
        "fail: the domain does not exist (NXDOMAIN); error: SERVFAIL or a timeout. Never falls back to A/AAAA";
    MxNull = "mx.null", Domain, [Info],
        "exactly `MX 0 .` (RFC 7505): the domain accepts no mail and is not graded";
    MxNullMalformed = "mx.null-malformed", Domain, [Warn],
        "`.` with a preference other than 0 or next to other MX records (RFC 7505 §3); ignored";
    MxNoMailService = "mx.no-mail-service", Domain, [Info],
        "no MX and no A/AAAA: the domain has no mail service and is not graded";
    MxImplicit = "mx.implicit", Domain, [Warn => A],
        "no MX record: senders fall back to the domain's own address (implicit MX, RFC 5321 §5.1)";
    MxCname = "mx.cname", Domain, [Warn],
        "an MX host is a CNAME, which RFC 2181 §10.3 forbids";
    MxDangling = "mx.dangling", Domain, [Warn],
        "an MX host does not exist or has no address";
    MxIpLiteral = "mx.ip-literal", Domain, [Fail],
        "an MX target written as an IP address (RFC 1035 §3.3.9): senders may refuse it";
    MxUnroutable = "mx.unroutable", Domain, [Fail],
        "an MX host on loopback, private or link-local addresses, which no sender can reach (`--allow-private` for internal relays)";
    MxAddressLookup = "mx.address-lookup", Domain, [Error],
        "SERVFAIL or a timeout looking up an MX host's address";
    MxUsable = "mx.usable", Domain, [Warn => A, Fail => F],
        "warn: some MX hosts are unusable; fail: none is, so mail to the domain cannot be delivered";
    DnsAddress = "dns.address", Domain, [Error],
        "an endpoint target's host has no address, or its look-up failed";
    DomainDowngradeProtection = "domain.downgrade-protection", Domain, [Pass, Info => A],
        "neither DANE nor MTA-STS `enforce` covering every MX protects the domain (the detail says why): STARTTLS is opportunistic, so an attacker on the path can strip it and read the mail. Passes when MTA-STS `enforce` covers every MX or DANE protects the domain";

    // ---- DANE ----
    DaneValid = "dane.valid", Dane, [Pass],
        "endpoint: a usable TLSA record matches, so DANE senders authenticate this server";
    DaneTlsaMismatch = "dane.tlsa-mismatch", Dane, [Fail => F],
        "endpoint: usable TLSA records exist and none matches (a stale `3 1 1` after a key change, a `2 1 1` on a CA the server does not send): DANE senders will not deliver";
    DaneLookupFailed = "dane.lookup-failed", Dane, [Fail => F],
        "endpoint: the TLSA answer is bogus or the look-up failed, or the host's address is bogus while the MX RRset validates: DANE senders treat the host as unreachable";
    DaneUnusable = "dane.unusable", Dane, [Warn],
        "endpoint: TLSA records exist but none is usable for SMTP (only PKIX usages 0/1, unknown parameters, wrong digest length): TLS becomes mandatory, authentication does not";
    DaneNone = "dane.none", Dane, [Info],
        "endpoint: no TLSA, or the address or TLSA is DNSSEC-insecure (not DANE), or could not be validated";
    DaneDomain = "dane.domain", Dane, [Pass],
        "domain: secure MX RRset and every MX endpoint DANE-valid: the domain is protected";
    DaneMxInsecure = "dane.mx-insecure", Dane, [Warn => A],
        "domain: TLSA records exist but the MX RRset is not secure: host DANE only, an attacker can still change where mail goes";
    DanePartial = "dane.partial", Dane, [Warn => A],
        "domain: TLSA on some MX endpoints only: an attacker can steer mail to the others";
    DaneMxBogus = "dane.mx-bogus", Dane, [Error],
        "domain: the MX RRset fails validation while host records validate";
    DaneUnmatchedCertificate = "dane.unmatched-certificate", Dane, [Warn],
        "the server holds several certificates (RSA and ECDSA) and the TLSA records match only some of them: a DANE sender whose handshake selects another one fails to deliver";
    DaneRollover = "dane.rollover", Dane, [Info],
        "domain: fewer than two DANE-EE records (or one DANE-EE and one DANE-TA): a key change will break delivery unless the next key's record is published first (RFC 7671 §8.1)";

    // ---- MTA-STS ----
    MtaStsTxtMissing = "mta-sts.txt-missing", MtaSts, [Info],
        "no `v=STSv1` record: the domain does not publish MTA-STS";
    MtaStsTxtValid = "mta-sts.txt-valid", MtaSts, [Pass],
        "exactly one valid `_mta-sts` record";
    MtaStsTxtInvalid = "mta-sts.txt-invalid", MtaSts, [Fail => B],
        "the record breaks the syntax (e.g. an `id` longer than 32 characters or with `-`): senders ignore MTA-STS";
    MtaStsTxtMultiple = "mta-sts.txt-multiple", MtaSts, [Fail => B],
        "more than one `v=STSv1` record: senders ignore MTA-STS (RFC 8461 §3.1)";
    MtaStsTxtSpaceBeforeSemicolon = "mta-sts.txt-space-before-semicolon", MtaSts, [Warn],
        "a space before the first `;` (allowed by erratum 6285; strict senders may ignore the record)";
    MtaStsTxtTrailingWsp = "mta-sts.txt-trailing-wsp", MtaSts, [Warn],
        "trailing whitespace after the record, which strict senders may misread";
    MtaStsTxtNearMiss = "mta-sts.txt-near-miss", MtaSts, [Warn],
        "a record that almost begins with `v=STSv1` (wrong case, missing `;`): senders ignore it";
    MtaStsTxtTooManyRrs = "mta-sts.txt-too-many-rrs", MtaSts, [Warn],
        "more TXT records than tlsgrade reads at `_mta-sts`; the rest are ignored";
    MtaStsTxtLookup = "mta-sts.txt-lookup", MtaSts, [Error],
        "the TXT look-up failed (SERVFAIL, timeout)";
    MtaStsPolicyMissing = "mta-sts.policy-missing", MtaSts, [Fail => B],
        "the record exists, but `mta-sts.<domain>` does not or the policy URL answers 404";
    MtaStsPolicyHost = "mta-sts.policy-host", MtaSts, [Fail => B],
        "the policy host's certificate is not trusted, expired or not valid for `mta-sts.<domain>`, or TLS fails";
    MtaStsPolicyFetch = "mta-sts.policy-fetch", MtaSts, [Error],
        "the policy could not be fetched: a timeout or connection failure twice, or a DNS error";
    MtaStsHttpStatus = "mta-sts.http-status", MtaSts, [Pass, Fail => B],
        "any answer but 200: redirects (never followed), 204, 5xx twice, …";
    MtaStsContentType = "mta-sts.content-type", MtaSts, [Pass, Warn],
        "the policy is not served as `text/plain`; it is still used";
    MtaStsCharset = "mta-sts.charset", MtaSts, [Warn],
        "an odd charset on the policy; it is still used";
    MtaStsBodyTooLarge = "mta-sts.body-too-large", MtaSts, [Fail => B],
        "the policy is larger than 64 KiB";
    MtaStsPolicyInvalid = "mta-sts.policy-invalid", MtaSts, [Fail => B],
        "a required key missing, an unknown mode, a bad `max_age`, an invalid `mx` pattern (e.g. a U-label)";
    MtaStsPolicyValid = "mta-sts.policy-valid", MtaSts, [Pass],
        "a valid policy";
    MtaStsPolicyDuplicateKey = "mta-sts.policy-duplicate-key", MtaSts, [Warn],
        "a key repeated in the policy: the first value is used, senders may differ";
    MtaStsPolicyLineIgnored = "mta-sts.policy-line-ignored", MtaSts, [Warn],
        "a policy line that is not `key: value`; ignored";
    MtaStsMxTrailingDot = "mta-sts.mx-trailing-dot", MtaSts, [Warn],
        "an `mx` pattern with a trailing dot, which senders may not match";
    MtaStsPolicyTruncated = "mta-sts.policy-truncated", MtaSts, [Warn],
        "the policy ends without a line break, or is cut short";
    MtaStsPolicyTooManyLines = "mta-sts.policy-too-many-lines", MtaSts, [Warn],
        "more lines than tlsgrade reads; the rest are ignored";
    MtaStsMxTooMany = "mta-sts.mx-too-many", MtaSts, [Warn],
        "more `mx` patterns than tlsgrade reads; the rest are ignored";
    MtaStsModeTesting = "mta-sts.mode-testing", MtaSts, [Warn],
        "`mode: testing`: senders report failures but deliver anyway";
    MtaStsModeNone = "mta-sts.mode-none", MtaSts, [Info],
        "`mode: none`: the policy is being withdrawn";
    MtaStsMaxAgeTooLarge = "mta-sts.max-age-too-large", MtaSts, [Warn],
        "`max_age` over one year, which some MTAs reject";
    MtaStsMaxAgeZero = "mta-sts.max-age-zero", MtaSts, [Warn],
        "`max_age` of 0: senders cache nothing";
    MtaStsMaxAgeShort = "mta-sts.max-age-short", MtaSts, [Warn],
        "`max_age` under a day: an attacker who blocks the policy fetch soon wins";
    MtaStsMaxAgeWeeks = "mta-sts.max-age-weeks", MtaSts, [Info],
        "`max_age` under a week with `enforce` (RFC 8461 suggests weeks)";
    MtaStsMxCoverage = "mta-sts.mx-coverage", MtaSts, [Pass, Info],
        "how many MX hosts the `mx` patterns cover (`*.example.com` covers one extra label only)";
    MtaStsEnforceViolation = "mta-sts.enforce-violation", MtaSts, [Fail => F],
        "endpoint: the policy is `enforce` and this MX is not covered by an `mx` pattern, has no working STARTTLS, no certificate that is trusted and valid for its name, or no TLS 1.2+ (RFC 8461 §4.2, §7.2): mail from MTA-STS senders will not be delivered here";
    MtaStsTestingViolation = "mta-sts.testing-violation", MtaSts, [Warn => A],
        "`mode: testing` and some MX would fail the policy (not covered, no STARTTLS, bad certificate, no TLS 1.2+): switching to `enforce` as it is would stop mail there";

    // ---- TLS-RPT ----
    TlsRptValid = "tls-rpt.valid", TlsRpt, [Pass],
        "a valid record with at least one `mailto:` or `https:` address";
    TlsRptMissing = "tls-rpt.missing", TlsRpt, [Info, Warn],
        "no `v=TLSRPTv1` record: info, or warn when MTA-STS is published or DANE deployed (failed secure deliveries go unreported)";
    TlsRptInvalid = "tls-rpt.invalid", TlsRpt, [Warn],
        "the record breaks the syntax, so senders send no reports";
    TlsRptMultiple = "tls-rpt.multiple", TlsRpt, [Warn],
        "more than one `v=TLSRPTv1` record: senders send no reports";
    TlsRptRuaInvalid = "tls-rpt.rua-invalid", TlsRpt, [Warn],
        "a malformed report address; it is dropped";
    TlsRptRuaScheme = "tls-rpt.rua-scheme", TlsRpt, [Warn],
        "a report address that is neither `mailto:` nor `https:`; it is dropped";
    TlsRptRuaUnencoded = "tls-rpt.rua-unencoded", TlsRpt, [Warn],
        "a character in a report address that must be percent-encoded";
    TlsRptRuaTooMany = "tls-rpt.rua-too-many", TlsRpt, [Warn],
        "more report addresses than tlsgrade reads; the rest are ignored";
    TlsRptNearMiss = "tls-rpt.near-miss", TlsRpt, [Warn],
        "a record that almost begins with `v=TLSRPTv1`: senders ignore it";
    TlsRptSpaceBeforeSemicolon = "tls-rpt.space-before-semicolon", TlsRpt, [Warn],
        "a space before the first `;`, which strict senders may not accept";
    TlsRptTrailingWsp = "tls-rpt.trailing-wsp", TlsRpt, [Warn],
        "trailing whitespace after the record";
    TlsRptTooManyRrs = "tls-rpt.too-many-rrs", TlsRpt, [Warn],
        "more TXT records than tlsgrade reads at `_smtp._tls`; the rest are ignored";
    TlsRptTxtLookup = "tls-rpt.txt-lookup", TlsRpt, [Error],
        "the TXT look-up failed";

    // ---- consistency across the run ----
    CertInconsistentAddress = "cert.inconsistent-address", Consistency, [Warn],
        "endpoint: this address presents a different certificate than most addresses of the same host and port: a renewal or a certificate binding that reached only some nodes";
    CertOlderCertificate = "cert.older-certificate", Consistency, [Warn],
        "endpoint: this address presents a certificate that expires sooner than the one other addresses of the host present: the renewal did not reach it (both thumbprints and expiries are named)";
    CertInconsistentPort = "cert.inconsistent-port", Consistency, [Info, Warn],
        "endpoint: this port of a host presents a different certificate than its other ports in the run: info when it is simply different (a web certificate on 443), warn when it is an older certificate for the same names (a service the renewal missed, e.g. the new certificate enabled for IIS but not SMTP)";
    CertInconsistentMx = "cert.inconsistent-mx", Consistency, [Info, Warn],
        "domain: info when the MX hosts' certificates come from different CAs (compared by the issuer's organisation, so a CA's rotating intermediates count as one); warn when one certificate (the same names) is deployed to several MX hosts and one host still has an older copy";
    CertDefaultLooking = "cert.default-looking", Consistency, [Warn],
        "endpoint: a self-signed (subject equals issuer) or single-label-CN certificate (`CN=EXCH01`, `CN=localhost`) next to CA-issued certificates elsewhere in the same domain or on the same host: a connector still bound to its default certificate";

    // ---- `tlsgrade cert`: before binding ----
    PreflightNames = "preflight.names", Preflight, [Pass, Fail],
        "per target: every name the certificate must serve there is among its SANs: the host of a host or URL target; for a mail domain, each MX host and each literal name of its MTA-STS `mx` patterns";
    PreflightChain = "preflight.chain", Preflight, [Pass, Warn, Fail],
        "pass: the file holds the chain to a trusted root (webpki-roots and `--ca-file`), in order; warn: complete only with an intermediate fetched from the leaf's AIA, or out of order (bind the complete, ordered chain); fail: no path to a trusted root";
    PreflightKey = "preflight.key", Preflight, [Pass, Warn, Fail],
        "fail: the private key in the file is not the certificate's, or the key is weak (RSA under 2048 bits, P-224); warn: no private key in the file, or one whose type cannot be checked";
    PreflightLifetime = "preflight.lifetime", Preflight, [Pass, Info, Fail],
        "the validity period is within the CA/Browser Forum maximum for its issue date (398 days; 200 from 2026-03-15; 100 from 2027-03-15; 47 from 2029-03-15): fail for a certificate of a public CA, info for a private one";
    PreflightExpiry = "preflight.expiry", Preflight, [Pass, Warn, Fail],
        "fail: expired, or not valid yet, at the time judged (`--at`); warn: expires within `--warn-days`";
    PreflightTlsa = "preflight.tlsa", Preflight, [Pass, Fail, Error],
        "per target: every MX host with DNSSEC-signed TLSA records has one that matches the new certificate; otherwise DANE senders stop delivering the moment it is bound: publish the records shown first and wait out the TTL. error: the TLSA look-up failed";
    PreflightRevocation = "preflight.revocation", Preflight, [Pass, Fail, Error],
        "the issuer's CRL or OCSP responder says the certificate is not revoked (fail: revoked; error: could not be told)";
}

/// The certificate findings of the web PKI (issuer, names, dates, signatures). Under a DANE-EE
/// match they are informational: DNSSEC authenticates the key instead (RFC 7672 §3.1.1).
pub const PKIX: &[CheckId] = &[
    CheckId::CertSelfSigned,
    CheckId::CertUntrusted,
    CheckId::CertChainIncomplete,
    CheckId::CertNameMismatch,
    CheckId::CertExpired,
    CheckId::CertNotYetValid,
    CheckId::CertWeakSignature,
    CheckId::CertRevoked,
    CheckId::CertOcspStapleInvalid,
    CheckId::CertMustStaple,
];

impl CheckId {
    /// This check's row of the rubric.
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    /// The stable id users see, e.g. `cert.expired`.
    pub fn as_str(self) -> &'static str {
        self.rule().name
    }

    /// The id named `name`, if tlsgrade knows it.
    pub fn from_name(name: &str) -> Option<CheckId> {
        RULES.iter().find(|r| r.name == name).map(|r| r.id)
    }

    /// Whether the rubric lets this check take `status`.
    pub fn allows(self, status: Status) -> bool {
        self.rule().statuses.iter().any(|(s, _)| *s == status)
    }

    /// The grade cap this check implies with `status` (`None`: no cap; `pass` and `error`
    /// never cap).
    pub fn cap(self, status: Status) -> Option<Grade> {
        self.rule()
            .statuses
            .iter()
            .find(|(s, _)| *s == status)
            .and_then(|(_, cap)| *cap)
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Check ids sort by their names, as reports list them.
impl Ord for CheckId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for CheckId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<CheckId> for &str {
    fn eq(&self, other: &CheckId) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The rubric as Markdown tables for docs/grading.md: one table per [`Section`].
pub fn markdown_table(section: Section) -> String {
    fn status_list(rule: &Rule) -> String {
        rule.statuses
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn caps(rule: &Rule) -> String {
        let caps: Vec<String> = rule
            .statuses
            .iter()
            .filter_map(|(s, cap)| cap.map(|c| format!("{} → {}", s.as_str(), c.as_str())))
            .collect();
        if caps.is_empty() {
            "—".into()
        } else {
            caps.join(", ")
        }
    }
    let mut out =
        String::from("| check id | status | cap | when, and why it matters |\n|---|---|---|---|\n");
    for rule in RULES.iter().filter(|r| r.section == section) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.name,
            status_list(rule),
            caps(rule),
            rule.why.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_sits_at_its_own_index_with_a_unique_name() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{}", r.name);
            assert_eq!(CheckId::from_name(r.name), Some(r.id));
        }
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn pass_and_error_never_cap_and_every_rule_can_report_a_status() {
        for r in RULES {
            assert!(!r.statuses.is_empty(), "{}", r.name);
            for (s, cap) in r.statuses {
                if matches!(s, Status::Pass | Status::Error) {
                    assert_eq!(*cap, None, "{} {s:?}", r.name);
                }
            }
        }
    }

    #[test]
    fn caps_come_from_the_table() {
        assert_eq!(CheckId::CertExpired.cap(Status::Fail), Some(Grade::B));
        assert_eq!(CheckId::CertExpired.cap(Status::Info), None);
        assert_eq!(CheckId::MxUsable.cap(Status::Warn), Some(Grade::A));
        assert_eq!(CheckId::MxUsable.cap(Status::Fail), Some(Grade::F));
        assert_eq!(CheckId::TlsSslv3.as_str(), "tls.sslv3");
        assert!(CheckId::TlsHandshake.allows(Status::Error));
        assert!(!CheckId::TlsHandshake.allows(Status::Warn));
    }
}
