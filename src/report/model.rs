//! The report model: the serde types that *are* the JSON schema (docs/report.md,
//! docs/report.schema.json). Field names here are a public interface: add fields, never rename
//! or remove them without bumping [`SCHEMA_VERSION`].

use serde::{Deserialize, Deserializer, Serialize};

pub use super::ciphers::{CipherReport, KeyExchangeReport};
pub use super::versions::{VersionMap, VERSIONS};
pub use crate::grade::rubric::{CheckId, Grade, Status};
use crate::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::wire::keys::KeyType;

/// Version of the JSON report layout. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub started_at: String,
    pub finished_at: String,
    pub targets: Vec<TargetReport>,
    /// Targets that could not be parsed (bad command-line arguments or file lines).
    pub invalid_targets: Vec<InvalidTargetReport>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    /// The version that wrote the report (any version, when a report is read back).
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "tlsgrade".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InvalidTargetReport {
    pub input: String,
    pub line: Option<usize>,
    pub reason: String,
}

/// A failure that stopped a stage: a stable `kind` users can script against and a message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    pub message: String,
}

/// Stable error kinds (documented in docs/report.md).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The domain does not exist (NXDOMAIN).
    DnsNxdomain,
    /// The DNS server answered SERVFAIL (or another error rcode).
    DnsServfail,
    /// No DNS answer within the deadline.
    DnsTimeout,
    /// Any other DNS failure (network, malformed answer, CNAME loop).
    DnsError,
    /// The name has no A/AAAA addresses (or none of the requested family).
    NoAddress,
    /// TCP connection refused.
    ConnectRefused,
    /// TCP connection or a protocol step timed out.
    Timeout,
    /// The network could not reach the address (no route, no IPv6, ...).
    Unreachable,
    /// The connection was reset or closed by the server mid-dialogue.
    ConnectionClosed,
    /// The server refused the session (554 greeting, 421, ...).
    ServerRefused,
    /// The server spoke something that is not the expected protocol, or sent too much.
    ProtocolError,
    /// STARTTLS not offered or refused.
    StarttlsUnavailable,
    /// The TLS handshake failed.
    TlsHandshake,
    /// The port does not speak TLS at all (plain HTTP, another protocol's banner).
    NotTls,
    /// Anything else (I/O errors of our own side).
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::DnsNxdomain => "dns-nxdomain",
            ErrorKind::DnsServfail => "dns-servfail",
            ErrorKind::DnsTimeout => "dns-timeout",
            ErrorKind::DnsError => "dns-error",
            ErrorKind::NoAddress => "no-address",
            ErrorKind::ConnectRefused => "connect-refused",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::ConnectionClosed => "connection-closed",
            ErrorKind::ServerRefused => "server-refused",
            ErrorKind::ProtocolError => "protocol-error",
            ErrorKind::StarttlsUnavailable => "starttls-unavailable",
            ErrorKind::TlsHandshake => "tls-handshake",
            ErrorKind::NotTls => "not-tls",
            ErrorKind::Internal => "internal",
        }
    }
}

impl ErrorInfo {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ErrorInfo {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// The grade field of a target or endpoint: a letter, "?" when nothing could be tested,
/// or absent (JSON null) when the target is not graded (null MX, no mail service).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradeValue {
    Letter(Grade),
    Unknown,
}

impl Serialize for GradeValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            GradeValue::Letter(g) => g.serialize(s),
            GradeValue::Unknown => s.serialize_str("?"),
        }
    }
}

impl<'de> Deserialize<'de> for GradeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::IntoDeserializer;
        let s = String::deserialize(d)?;
        if s == "?" {
            return Ok(GradeValue::Unknown);
        }
        Grade::deserialize(s.as_str().into_deserializer()).map(GradeValue::Letter)
    }
}

impl GradeValue {
    pub fn as_str(self) -> &'static str {
        match self {
            GradeValue::Letter(g) => g.as_str(),
            GradeValue::Unknown => "?",
        }
    }
}

/// One check: its id (the rubric's row), its status, the most a failing check lets the grade be
/// (always the rubric's cap for that status), and a sentence for humans.
///
/// Read back, a check keeps the cap its report states (the rubric may have changed since), and
/// an id this build does not know is an error here: target and endpoint lists keep such checks
/// as [`ForeignCheck`]s instead.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(try_from = "de::WireCheck")]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    /// Highest grade this finding allows (`null` = no cap).
    pub cap: Option<Grade>,
    pub detail: String,
    /// Which of the server's other certificates (`certificates`) the finding is about; absent
    /// for the one a default client gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<SelectedBy>,
}

impl Check {
    pub fn new(id: CheckId, status: Status, detail: impl Into<String>) -> Self {
        debug_assert!(
            id.allows(status),
            "the rubric does not let {id} be {status:?}"
        );
        Check {
            id,
            status,
            cap: id.cap(status),
            detail: detail.into(),
            certificate: None,
        }
    }

    /// Changes the status, and with it the cap, to the rubric's for the new status.
    pub fn set_status(&mut self, status: Status) {
        debug_assert!(
            self.id.allows(status),
            "the rubric does not let {} be {status:?}",
            self.id
        );
        self.status = status;
        self.cap = self.id.cap(status);
    }
}

/// A check under an id this build does not know, kept when a report is read back: one written
/// by a newer tlsgrade, or naming an id since retired. Scans never make one; `diff` compares
/// them by their id as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignCheck {
    pub id: String,
    pub status: Status,
    pub cap: Option<Grade>,
    pub detail: String,
}

/// What a report read back said that the model cannot: empty for a scan's own reports, and not
/// in the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadBack {
    /// Checks under ids this build does not know.
    pub foreign_checks: Vec<ForeignCheck>,
    /// Sections the JSON does not have at all (which is not `null`: the tlsgrade that wrote it
    /// predates them), by field name: `mta_sts`, `tls_rpt`, `dane`.
    pub unwritten: Vec<&'static str>,
}

/// What a target is: a mail domain (MX → addresses → SMTP on 25) or one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    MailDomain,
    Endpoint,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MailDomain => "mail-domain",
            Kind::Endpoint => "endpoint",
        }
    }
}

/// A version probe's verdict: the server accepts the version, refuses it, or could not be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    Accepted,
    Refused,
    Unknown,
}

impl Support {
    pub fn as_str(self) -> &'static str {
        match self {
            Support::Accepted => "accepted",
            Support::Refused => "refused",
            Support::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "de::TargetWire")]
pub struct TargetReport {
    pub input: String,
    pub kind: Kind,
    pub grade: Option<GradeValue>,
    pub error: Option<ErrorInfo>,
    pub checks: Vec<Check>,
    pub mx: Vec<MxReport>,
    pub endpoints: Vec<EndpointReport>,
    /// MTA-STS (RFC 8461) of a mail domain whose MX hosts were scanned; null otherwise.
    pub mta_sts: Option<MtaStsReport>,
    /// TLS-RPT (RFC 8460) of a mail domain whose MX hosts were scanned; null otherwise.
    pub tls_rpt: Option<TlsRptReport>,
    /// DANE (RFC 7672) of a mail domain whose MX hosts were scanned; null otherwise.
    pub dane: Option<DomainDaneReport>,
    /// What a report read back said beyond the model; not in the JSON.
    #[serde(skip)]
    pub read_back: ReadBack,
}

impl TargetReport {
    /// An empty report for `input` of `kind`, filled in by the scan.
    pub fn new(input: &str, kind: Kind) -> TargetReport {
        TargetReport {
            input: input.to_string(),
            kind,
            grade: None,
            error: None,
            checks: vec![],
            mx: vec![],
            endpoints: vec![],
            mta_sts: None,
            tls_rpt: None,
            dane: None,
            read_back: ReadBack::default(),
        }
    }
}

/// What a sender honouring MTA-STS would find for the domain (docs/report.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MtaStsReport {
    /// The `_mta-sts` TXT record senders use (exactly one valid record), else null.
    pub record: Option<String>,
    /// Its `id=`.
    pub id: Option<String>,
    /// Every TXT record at `_mta-sts.<domain>` beginning with `v=STSv1`, valid or not.
    pub candidates: Vec<String>,
    /// The policy fetch, when a usable record made a sender fetch.
    pub fetch: Option<PolicyFetchReport>,
    /// The valid policy senders apply, else null.
    pub policy: Option<PolicyReport>,
    /// Each MX host and the policy pattern covering it (null = not covered), when a policy exists.
    pub mx_coverage: Vec<MxCoverage>,
    /// The policy is `enforce` and every MX host passes it (covered, STARTTLS, a trusted
    /// certificate valid for its name, TLS 1.2+): senders that honour MTA-STS cannot be
    /// downgraded to plaintext. (Absent from reports of tlsgrade versions before it: false.)
    #[serde(default)]
    pub protected: bool,
    /// Every MTA-STS finding (also listed in the target's `checks`).
    #[serde(deserialize_with = "de::known_checks")]
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyFetchReport {
    pub url: String,
    /// HTTP status of the last attempt, null when no response came.
    pub status: Option<u16>,
    pub content_type: Option<String>,
    /// `Location` of a redirect (never followed).
    pub location: Option<String>,
    /// Bytes read (at most 65536).
    pub body_bytes: Option<u64>,
    /// 1, or 2 after a retry.
    pub attempts: u32,
    /// Why no usable response came (no such host, certificate, timeout).
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyReport {
    pub mode: crate::policy::mta_sts::Mode,
    pub max_age: u64,
    /// The `mx` patterns, lower-case, as `mail.example.com` or `*.example.com`.
    pub mx: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MxCoverage {
    pub host: String,
    /// The first pattern that matches the host (RFC 8461 §4.1), null when none does.
    pub pattern: Option<String>,
}

/// The domain's TLS-RPT record (RFC 8460 §3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TlsRptReport {
    /// The `_smtp._tls` TXT record senders use, else null.
    pub record: Option<String>,
    /// Its usable `rua` URIs (`mailto:` and `https:`).
    pub rua: Vec<String>,
    /// Every TXT record beginning with `v=TLSRPTv1`, valid or not.
    pub candidates: Vec<String>,
    /// Every TLS-RPT finding (also listed in the target's `checks`).
    #[serde(deserialize_with = "de::known_checks")]
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MxReport {
    pub preference: u16,
    pub host: String,
    pub addresses: Vec<String>,
    /// Why this host has no endpoints, when it has none (dangling, lookup failure, ...).
    pub error: Option<ErrorInfo>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "de::EndpointWire")]
pub struct EndpointReport {
    pub host: String,
    /// The IP address actually connected to (after `--connect-to`), when known.
    pub address: Option<String>,
    pub port: u16,
    pub transport: crate::target::Transport,
    /// `host:port` actually dialled when `--connect-to` rerouted this endpoint.
    pub connected_to: Option<String>,
    pub grade: Option<GradeValue>,
    pub error: Option<ErrorInfo>,
    pub checks: Vec<Check>,
    pub negotiated: Option<Negotiated>,
    /// Which versions the endpoint accepts: `true` accepted, `false` refused, `null` could not tell.
    pub protocols: Option<VersionMap<Option<bool>>>,
    /// Per version: what the probe saw.
    pub protocol_details: Option<VersionMap<Option<ProtocolDetail>>>,
    pub certificate: Option<CertificateReport>,
    /// What the plaintext dialogue showed (SMTP greeting and EHLO keywords, IMAP/POP3 capabilities).
    pub starttls: Option<StartTlsReport>,
    pub ocsp_stapled: Option<bool>,
    /// Weak suite classes per accepted version (docs/report.md, "ciphers").
    pub ciphers: Option<CipherReport>,
    /// ECDHE groups and DH size (docs/report.md, "key_exchange").
    pub key_exchange: Option<KeyExchangeReport>,
    /// How long the endpoint took, in milliseconds.
    pub elapsed_ms: u64,
    /// DANE (RFC 7672) for this endpoint: TLSA records, DNSSEC statuses, what matched.
    pub dane: Option<DaneReport>,
    /// Every distinct chain the server presented (the default client's, then those offering
    /// only ECDSA or only RSA signatures select), each judged like `certificate`.
    #[serde(default)]
    pub certificates: Vec<CertificateReport>,
    /// The certificates as presented (DER), kept for DANE matching; not in the JSON.
    #[serde(skip)]
    pub chain_der: Vec<Vec<u8>>,
    /// The chains of `certificates` after the first (DER), for DANE matching; not in the JSON.
    #[serde(skip)]
    pub other_chains_der: Vec<Vec<Vec<u8>>>,
    /// The domain's MTA-STS policy is `enforce` and this MX passes it (covered, STARTTLS, a
    /// trusted certificate valid for its name, TLS 1.2+): the MTA-STS half of the A+ evidence.
    #[serde(skip)]
    pub mta_sts_authenticated: bool,
    /// What a report read back said beyond the model; not in the JSON.
    #[serde(skip)]
    pub read_back: ReadBack,
}

/// DANE for one endpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DaneReport {
    /// Where TLSA was looked up: `_25._tcp.<mx-host>`.
    pub tlsa_name: String,
    pub dnssec: DnssecStatus,
    #[serde(deserialize_with = "de::tlsa_records")]
    pub tlsa: Vec<crate::policy::dane::TlsaReport>,
    /// The record that matched, as "usage selector matching data…".
    pub matched: Option<String>,
    pub valid: bool,
    #[serde(deserialize_with = "de::known_checks")]
    pub checks: Vec<Check>,
    /// The record that matched is DANE-EE (usage 3): the PKIX findings no longer count.
    #[serde(skip)]
    pub dane_ee: bool,
}

/// DNSSEC status (`secure`, `insecure`, `bogus`, `indeterminate`) of the answers DANE rests on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DnssecStatus {
    pub address: String,
    /// `null` when TLSA was not looked up (address not secure).
    pub tlsa: Option<String>,
}

/// DANE for a mail domain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DomainDaneReport {
    /// DNSSEC status of the MX RRset.
    pub mx_dnssec: String,
    /// Secure MX RRset and every MX endpoint DANE-valid.
    pub protected: bool,
    /// The domain-level DANE findings (also listed in the target's `checks`).
    #[serde(deserialize_with = "de::known_checks")]
    pub checks: Vec<Check>,
}

/// What the probe for one version saw.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProtocolDetail {
    pub result: Support,
    /// The suite the server chose (IANA name), when accepted.
    pub cipher: Option<CipherSuite>,
    /// The ServerHello, alert or close seen, in words.
    pub detail: String,
}

impl EndpointReport {
    /// An empty report for one endpoint, filled in by the scan.
    pub fn new(
        host: String,
        address: Option<String>,
        port: u16,
        transport: crate::target::Transport,
    ) -> Self {
        EndpointReport {
            host,
            address,
            port,
            transport,
            connected_to: None,
            grade: None,
            error: None,
            checks: vec![],
            negotiated: None,
            protocols: None,
            protocol_details: None,
            certificate: None,
            starttls: None,
            ocsp_stapled: None,
            ciphers: None,
            key_exchange: None,
            elapsed_ms: 0,
            dane: None,
            certificates: Vec::new(),
            chain_der: Vec::new(),
            other_chains_der: Vec::new(),
            mta_sts_authenticated: false,
            read_back: ReadBack::default(),
        }
    }

    /// DANE found TLSA records for this endpoint (usable or not).
    pub fn has_tlsa(&self) -> bool {
        self.dane.as_ref().is_some_and(|d| !d.tlsa.is_empty())
    }
}

/// What the full handshake negotiated (or, for a server without TLS 1.2/1.3, the best legacy
/// version's ServerHello chose).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Negotiated {
    pub version: ProtocolVersion,
    /// IANA name.
    pub cipher: CipherSuite,
    /// `x25519`, `secp256r1`, …; null before TLS 1.3 without ECDHE.
    pub group: Option<NamedGroup>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct StartTlsReport {
    /// Greeting lines as received (control characters kept; escape before printing).
    pub greeting: Vec<String>,
    /// EHLO keywords (SMTP) or capabilities (IMAP/POP3) before TLS.
    pub capabilities: Vec<String>,
    pub offered: bool,
    /// Reply to the STARTTLS/STLS command, when sent.
    pub reply: Option<String>,
    /// Capabilities after TLS, when the dialogue got that far.
    pub capabilities_after_tls: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CertificateReport {
    pub trusted: bool,
    pub name_matches: bool,
    pub not_after: String,
    pub days_remaining: i64,
    /// Why the chain is not trusted, when it is not.
    pub trust_error: Option<String>,
    pub chain: Vec<CertInfo>,
    /// Whether the leaf is revoked and how that was told; `null` when the chain could not be
    /// judged (no certificate parsed).
    #[serde(default)]
    pub revocation: Option<RevocationReport>,
    /// The OCSP response the server stapled (`null` when the handshake carrying it did not
    /// complete).
    #[serde(default)]
    pub ocsp_staple: Option<OcspStapleReport>,
    /// The leaf carries the RFC 7633 TLS Feature extension with status_request ("must-staple").
    #[serde(default)]
    pub must_staple: bool,
    /// In `certificates`: which client preferences get this chain (`default`, `ecdsa`, `rsa`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_by: Vec<SelectedBy>,
}

/// A client preference that selects one of a server's certificates.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum SelectedBy {
    /// The full handshake, offering every signature algorithm.
    Default,
    /// A handshake offering only ECDSA signatures (and ECDSA suites for TLS 1.2).
    Ecdsa,
    /// A handshake offering only RSA signatures (and RSA suites for TLS 1.2).
    Rsa,
}

/// Revocation status of a leaf (docs/report.md, "revocation").
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevocationReport {
    pub status: RevocationStatus,
    /// Where the status came from; `null` when it is `unavailable`.
    pub source: Option<RevocationSource>,
    /// In words: the URL asked, the revocation time, or why nothing could be told.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RevocationStatus {
    /// Not revoked, by a fresh answer signed for the issuer.
    Good,
    Revoked,
    /// The OCSP responder does not know the certificate.
    Unknown,
    /// Nothing usable: not stapled, and no CRL or OCSP answer could be had (or `--no-revocation`).
    Unavailable,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationSource {
    OcspStaple,
    Ocsp,
    Crl,
}

/// The stapled OCSP response.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OcspStapleReport {
    pub present: bool,
    /// What it says (`good`, `revoked`, `unknown`), when it could be read and verified.
    pub status: Option<RevocationStatus>,
    /// Signed for the issuer, about this leaf, and fresh at the time judged.
    pub valid: bool,
    /// Its nextUpdate (RFC 3339), when it has one.
    pub next_update: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub key_type: KeyType,
    pub key_bits: Option<u32>,
    pub signature_algorithm: String,
    pub sha256: String,
    /// SHA-1 thumbprint, upper-case hex, no separators (as Windows and Exchange show it).
    pub sha1: String,
    pub spki_sha256: String,
    pub self_issued: bool,
}

mod de;

#[cfg(test)]
mod tests {
    use super::*;

    /// What a scan writes reads back into the same model: written again, it is the same JSON.
    #[test]
    fn a_report_reads_back_byte_for_byte() {
        let json = crate::report::to_json(&crate::testkit::full_report());
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(crate::report::to_json(&back), json);
    }

    #[test]
    fn fields_skipped_in_the_json_read_back_as_their_defaults() {
        let json = crate::report::to_json(&crate::testkit::full_report());
        let back: Report = serde_json::from_str(&json).unwrap();
        let e = &back.targets[0].endpoints[0];
        assert!(e.chain_der.is_empty() && !e.mta_sts_authenticated);
        assert!(!e.dane.as_ref().unwrap().dane_ee);
        assert_eq!(e.read_back, ReadBack::default());
        assert_eq!(back.targets[0].read_back, ReadBack::default());
    }

    /// `mta_sts.protected` came later than the rest of schema 1: older reports still read.
    #[test]
    fn an_older_report_without_later_fields_reads() {
        let mut v: serde_json::Value = serde_json::to_value(crate::testkit::full_report()).unwrap();
        v["targets"][0]["mta_sts"]
            .as_object_mut()
            .unwrap()
            .remove("protected");
        let back: Report = serde_json::from_value(v).unwrap();
        assert!(!back.targets[0].mta_sts.as_ref().unwrap().protected);
    }

    /// An absent section is told apart from a null one (an older tlsgrade did not check it).
    #[test]
    fn absent_sections_are_told_from_null_ones() {
        let mut v: serde_json::Value = serde_json::to_value(crate::testkit::full_report()).unwrap();
        let t = v["targets"][0].as_object_mut().unwrap();
        t.remove("dane");
        t.insert("tls_rpt".into(), serde_json::Value::Null);
        let back: Report = serde_json::from_value(v).unwrap();
        let t = &back.targets[0];
        assert!(t.dane.is_none() && t.tls_rpt.is_none() && t.mta_sts.is_some());
        assert_eq!(t.read_back.unwritten, ["dane"]);
        assert!(t.endpoints[0].read_back.unwritten.is_empty());
    }
}
