//! tlsgrade's own strict TLS 1.2 client, driving one probe connection through full handshakes
//! (the initial one and renegotiations inside it) and application data, for the flaw probes
//! rustls cannot make. It speaks ECDHE (X25519, P-256) and RSA key exchange with AES-GCM and
//! AES-CBC ([`crate::wire::tls12`]), checks the server's Finished, and verifies no certificate or
//! signature: it measures servers, it never trusts them. Every read is bounded in bytes
//! ([`MAX_SESSION_BYTES`]) and each handshake or wait in time (two of the endpoint's command
//! steps).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use crate::probe::conn::{NotTls, Prober, ServerAnswer};
use crate::target::Transport;
use crate::wire::alert::parse_alert;
use crate::wire::enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::wire::flight::{encode_record, finished, handshake_message, rsa_client_key_exchange};
use crate::wire::record::{HandshakeJoiner, HandshakeMessage, RecordReader};
use crate::wire::server::{parse_certificate_list, parse_server_hello};
use crate::wire::tls12::messages::{
    ecdhe_client_key_exchange, framed, parse_ecdhe_server_key_exchange, renegotiation_info,
    ClientOffer,
};
use crate::wire::tls12::prf::{key_block, master_secret, verify_data, Side};
use crate::wire::tls12::protect::{Kx, Padding, Protector, SuiteSpec};

/// Most bytes read from the server over one session: a dozen full handshakes with large
/// certificate chains fit.
pub const MAX_SESSION_BYTES: usize = 2 * 1024 * 1024;

const V12: ProtocolVersion = ProtocolVersion::TLSv1_2;

/// Why a handshake or an exchange did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls12Error {
    /// The server could not be asked (connection, STARTTLS dialogue, sending).
    NotAsked(String),
    /// The server refused or went away: an alert, a close, silence, or bytes that are not TLS.
    Refused(ServerAnswer),
    /// The server sent something this strict client does not accept.
    Protocol(String),
}

impl std::fmt::Display for Tls12Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tls12Error::NotAsked(w) | Tls12Error::Protocol(w) => f.write_str(w),
            Tls12Error::Refused(a) => a.fmt(f),
        }
    }
}

fn protocol(w: impl std::fmt::Display) -> Tls12Error {
    Tls12Error::Protocol(w.to_string())
}

/// What one completed handshake negotiated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    pub suite: CipherSuite,
    /// The ServerKeyExchange's SignatureAndHashAlgorithm (ECDHE suites; RSA key exchange has
    /// none).
    pub kx_signature: Option<SignatureScheme>,
    /// The ServerHello's renegotiation_info (RFC 5746 §3.2), `None` when absent.
    pub renegotiation_info: Option<Vec<u8>>,
}

/// What the server did with an application-data record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppAnswer {
    /// It answered with this many bytes of application data.
    Data(usize),
    /// It sent an alert, closed, stayed silent or sent something unreadable.
    Refused(ServerAnswer),
    /// Its answer did not decrypt or parse.
    Broken(String),
}

/// One connection speaking TLS 1.2 through tlsgrade's own client.
pub struct Session {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    step: Duration,
    deadline: Instant,
    /// How long the current deadline allows in all (what a silence is reported as).
    wait: Duration,
    /// How long the first handshake took: the measure of this server's answers.
    first_handshake: Duration,
    /// A renegotiation has completed on this connection.
    renegotiated: bool,
    records: RecordReader,
    joiner: HandshakeJoiner,
    read_bytes: usize,
    read: Option<Protector>,
    write: Option<Protector>,
    offer: ClientOffer,
    client_verify: Vec<u8>,
    server_hello_seen: bool,
    /// A harmless command of the protocol inside TLS, sent once, just ahead of the first
    /// renegotiation's ClientHello (see [`Session::renegotiate`]).
    nudge: Option<&'static [u8]>,
    /// Send the next renegotiation's ClientHello (secure or not) with the client's Finished,
    /// rather than after the server's: see [`Session::pipeline`].
    pipeline: Option<bool>,
    /// A ClientHello already sent, for the next handshake.
    sent_hello: Option<Hello>,
}

/// A ClientHello: its random and the handshake message (for the transcript).
struct Hello {
    random: [u8; 32],
    message: Vec<u8>,
}

/// The command sent ahead of the first renegotiation: one the server answers in any state
/// (POP3 answers `NOOP` before login with `-ERR`, which is as good). A server whose TLS layer
/// answers a renegotiation only when its application writes (rustls behind a mail server
/// waiting for a command) would otherwise say nothing, and its silence cost a whole
/// [`Session::answer_wait`]; the command makes it write, and its refusal comes with the reply.
/// It goes before the ClientHello, in the same write: after it, it would be application data in
/// the middle of the renegotiation, which a server that renegotiates may refuse. Direct TLS has
/// no such command (an HTTP request would end the connection).
fn nudge(transport: Transport) -> Option<&'static [u8]> {
    match transport {
        Transport::SmtpStartTls | Transport::Pop3StartTls => Some(b"NOOP\r\n"),
        Transport::ImapStartTls => Some(b"r1 NOOP\r\n"),
        Transport::Tls => None,
    }
}

fn random<const N: usize>() -> Result<[u8; N], Tls12Error> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| protocol("no randomness"))?;
    Ok(b)
}

impl Session {
    /// Opens a connection (after the STARTTLS dialogue) and completes a TLS 1.2 handshake
    /// offering `offer` (its SNI filled from the endpoint). One connection.
    pub async fn connect(
        prober: &Prober,
        offer: ClientOffer,
    ) -> Result<(Session, Handshake), Tls12Error> {
        Session::connect_pipelined(prober, offer, None).await
    }

    /// [`connect`](Self::connect), the first renegotiation's ClientHello (secure or not, as
    /// `renegotiation`) sent with the client's Finished: see [`pipeline`](Self::pipeline).
    pub async fn connect_pipelined(
        prober: &Prober,
        mut offer: ClientOffer,
        renegotiation: Option<bool>,
    ) -> Result<(Session, Handshake), Tls12Error> {
        offer.server_name = prober.target().sni.clone();
        let (_, ready) = prober.open().await;
        let (stream, permit) =
            ready.map_err(|e| Tls12Error::NotAsked(format!("could not start: {}", e.message)))?;
        let step = prober.target().timeouts.command;
        let mut s = Session {
            stream,
            _permit: permit,
            step,
            deadline: Instant::now() + step,
            wait: step,
            first_handshake: step,
            renegotiated: false,
            records: RecordReader::new(),
            joiner: HandshakeJoiner::new(),
            read_bytes: 0,
            read: None,
            write: None,
            offer,
            client_verify: Vec::new(),
            server_hello_seen: false,
            nudge: nudge(prober.target().transport),
            pipeline: renegotiation,
            sent_hello: None,
        };
        let started = Instant::now();
        let h = s.handshake(step * 2).await?;
        s.first_handshake = started.elapsed();
        Ok((s, h))
    }

    /// A full handshake inside the established one: the same offer, with renegotiation_info
    /// carrying the client's last verify_data when `secure` (RFC 5746 §3.5), with neither the
    /// extension nor the SCSV when not.
    pub async fn renegotiate(&mut self, secure: bool) -> Result<Handshake, Tls12Error> {
        self.offer.renegotiation_info = secure.then(|| self.client_verify.clone());
        // Once the server has renegotiated, a slow answer is only slow.
        let wait = match self.renegotiated {
            true => self.step * 2,
            false => self.answer_wait(),
        };
        let h = self.handshake(wait).await?;
        self.renegotiated = true;
        Ok(h)
    }

    /// How long to wait for an answer the server gives at once when it gives one (a ServerHello
    /// to a first renegotiation, an alert to a bad record): four times what the first handshake
    /// took, at least half a second, at most the step. A silence is then a refusal, as sslyze
    /// counts it too; the connection holds one of the address's permits while it waits. Some servers (rustls behind an application that
    /// only reads) never answer a renegotiation at all, so silence must not cost whole steps.
    pub fn answer_wait(&self) -> Duration {
        let floor = Duration::from_millis(500).min(self.step);
        (self.first_handshake * 4).clamp(floor, self.step.max(floor))
    }

    /// Whether each handshake from now on sends the next renegotiation's ClientHello (secure or
    /// not) together with the client's Finished. The server reads it once its handshake is
    /// done, as if it had come after its Finished, and a renegotiation costs one round trip
    /// instead of two; `None` once the next is the last.
    pub fn pipeline(&mut self, next: Option<bool>) {
        self.pipeline = next;
    }

    /// Another connection showed that the server renegotiates: wait for its renegotiation as
    /// for any slow answer, not [`answer_wait`](Self::answer_wait).
    pub fn expect_renegotiation(&mut self) {
        self.renegotiated = true;
    }

    /// Whether the last handshake attempt got as far as a ServerHello.
    pub fn server_hello_seen(&self) -> bool {
        self.server_hello_seen
    }

    /// A full handshake; `first_answer` bounds the wait for the ServerHello, the rest has two
    /// steps.
    async fn handshake(&mut self, first_answer: Duration) -> Result<Handshake, Tls12Error> {
        self.set_deadline(first_answer);
        self.server_hello_seen = false;
        let Hello {
            random: client_random,
            message: ch,
        } = match self.sent_hello.take() {
            Some(sent) => sent,
            None => {
                let (hello, bytes) = self.hello_records()?;
                self.write_all(&bytes).await?;
                hello
            }
        };
        let mut transcript = ch.clone();

        let m = self.expect(HandshakeType::SERVER_HELLO).await?;
        transcript.extend(framed(m.typ, &m.body));
        let sh = parse_server_hello(&m.body).map_err(protocol)?;
        self.server_hello_seen = true;
        self.set_deadline(self.step * 2);
        if sh.negotiated_version() != V12 {
            return Err(protocol(format!(
                "the server chose {} instead of TLS 1.2",
                sh.negotiated_version().name()
            )));
        }
        if !self.offer.suites.contains(&sh.cipher_suite) || sh.compression != 0 {
            return Err(protocol(format!(
                "the server chose {} (compression {}), which was not offered",
                sh.cipher_suite.name(),
                sh.compression
            )));
        }
        let spec = SuiteSpec::of(sh.cipher_suite)
            .ok_or_else(|| protocol("the chosen suite cannot be spoken"))?;
        let ri = renegotiation_info(&sh).map_err(protocol)?;

        let m = self.expect(HandshakeType::CERTIFICATE).await?;
        transcript.extend(framed(m.typ, &m.body));
        let chain = parse_certificate_list(&m.body).map_err(protocol)?;
        let leaf = chain
            .first()
            .ok_or_else(|| protocol("an empty certificate list"))?
            .clone();
        let (mut ske, mut cert_request) = (None, false);
        loop {
            let m = self.next_handshake().await?;
            transcript.extend(framed(m.typ, &m.body));
            match m.typ {
                HandshakeType::SERVER_KEY_EXCHANGE if ske.is_none() => {
                    ske = Some(parse_ecdhe_server_key_exchange(&m.body).map_err(protocol)?)
                }
                HandshakeType::CERTIFICATE_REQUEST => cert_request = true,
                HandshakeType::CERTIFICATE_STATUS => {}
                HandshakeType::SERVER_HELLO_DONE => break,
                other => return Err(protocol(format!("unexpected {}", other.name()))),
            }
        }

        let (premaster, cke) = match (spec.kx, &ske) {
            (Kx::Ecdhe, Some(ske)) => ecdhe(ske.group, &ske.point)?,
            (Kx::Rsa, None) => rsa(&leaf)?,
            _ => return Err(protocol("a ServerKeyExchange that does not fit the suite")),
        };
        let mut flight = Vec::new();
        if cert_request {
            // No client certificate: an empty list (RFC 5246 §7.4.6).
            flight.extend(
                handshake_message(HandshakeType::CERTIFICATE, &[0, 0, 0]).map_err(protocol)?,
            );
        }
        flight.extend(cke);
        transcript.extend_from_slice(&flight);
        let master = master_secret(spec.prf, &premaster, &client_random, &sh.random, None);
        let kb = key_block(
            spec.prf,
            &master,
            &client_random,
            &sh.random,
            spec.key_block_len(),
        );
        let (client_write, server_write) =
            spec.protectors(&kb).ok_or_else(|| protocol("no keys"))?;
        let cvd = verify_data(spec.prf, &master, Side::Client, &spec.prf.hash(&transcript));
        let fin = finished(&cvd).map_err(protocol)?;
        self.send(ContentType::HANDSHAKE, V12, &flight).await?;
        self.send(ContentType::CHANGE_CIPHER_SPEC, V12, &[1])
            .await?;
        self.write = Some(client_write);
        let mut bytes = self.sealed(ContentType::HANDSHAKE, V12, &fin)?;
        if let Some(secure) = self.pipeline {
            self.offer.renegotiation_info = secure.then(|| cvd.to_vec());
            let (hello, records) = self.hello_records()?;
            bytes.extend(records);
            self.sent_hello = Some(hello);
        }
        self.write_all(&bytes).await?;
        transcript.extend_from_slice(&fin);

        self.change_cipher_spec().await?;
        // A NewSessionTicket (sent although none was asked for) precedes the ChangeCipherSpec
        // and is part of the transcript.
        while let Some(m) = self.joiner.next_message().map_err(protocol)? {
            if m.typ != HandshakeType::NEW_SESSION_TICKET {
                return Err(protocol(format!("unexpected {}", m.typ.name())));
            }
            transcript.extend(framed(m.typ, &m.body));
        }
        self.read = Some(server_write);
        let m = self.expect(HandshakeType::FINISHED).await?;
        let svd = verify_data(spec.prf, &master, Side::Server, &spec.prf.hash(&transcript));
        if m.body != svd {
            return Err(protocol("the server's Finished does not verify"));
        }
        self.client_verify = cvd.to_vec();
        Ok(Handshake {
            suite: sh.cipher_suite,
            kx_signature: ske.map(|s| s.scheme),
            renegotiation_info: ri,
        })
    }

    /// A new ClientHello of the offer, its random and its records: in a TLS 1.0 record for the
    /// initial hello, as the other probes' (RFC 5246 Appendix E.1), protected and after the
    /// [`nudge`] for the first renegotiation.
    fn hello_records(&mut self) -> Result<(Hello, Vec<u8>), Tls12Error> {
        let client_random = random::<32>()?;
        let ch = self.offer.client_hello(&client_random).map_err(protocol)?;
        let record_version = if self.write.is_none() {
            ProtocolVersion::TLSv1_0
        } else {
            V12
        };
        let mut bytes = match self.write.is_some().then(|| self.nudge.take()).flatten() {
            Some(command) => self.sealed(ContentType::APPLICATION_DATA, V12, command)?,
            None => Vec::new(),
        };
        bytes.extend(self.sealed(ContentType::HANDSHAKE, record_version, &ch)?);
        let hello = Hello {
            random: client_random,
            message: ch,
        };
        Ok((hello, bytes))
    }

    /// Sends `data` as records of `ct`, protected once keys are in use.
    async fn send(
        &mut self,
        ct: ContentType,
        version: ProtocolVersion,
        data: &[u8],
    ) -> Result<(), Tls12Error> {
        let bytes = self.sealed(ct, version, data)?;
        self.write_all(&bytes).await
    }

    /// `data` as records of `ct`, protected once keys are in use.
    fn sealed(
        &mut self,
        ct: ContentType,
        version: ProtocolVersion,
        data: &[u8],
    ) -> Result<Vec<u8>, Tls12Error> {
        Ok(match &mut self.write {
            None => encode_record(ct, version, data),
            Some(w) => {
                let mut out = Vec::new();
                for chunk in data.chunks(crate::wire::flight::MAX_FRAGMENT) {
                    out.extend(w.seal(ct, version, chunk).map_err(protocol)?);
                }
                out
            }
        })
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), Tls12Error> {
        match tokio::time::timeout(self.step, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            // A server that refused may close before our next record is written.
            Ok(Err(_)) => Err(Tls12Error::Refused(ServerAnswer::Closed)),
            Err(_) => Err(Tls12Error::NotAsked("sending timed out".into())),
        }
    }

    /// Sends a close_notify alert (RFC 5246 §7.2.1), protected as every record after the
    /// handshake.
    pub async fn close_notify(&mut self) -> Result<(), Tls12Error> {
        let alert = [AlertLevel::WARNING.0, AlertDescription::CLOSE_NOTIFY.0];
        self.send(ContentType::ALERT, V12, &alert).await
    }

    /// Sends one application-data record with the CBC padding chosen (GCM has none).
    pub async fn send_application_data(
        &mut self,
        data: &[u8],
        padding: Padding,
    ) -> Result<(), Tls12Error> {
        let w = self
            .write
            .as_mut()
            .ok_or_else(|| protocol("no handshake yet"))?;
        let rec = w
            .seal_padded(ContentType::APPLICATION_DATA, V12, data, padding)
            .map_err(protocol)?;
        self.write_all(&rec).await
    }

    fn set_deadline(&mut self, wait: Duration) {
        self.wait = wait;
        self.deadline = Instant::now() + wait;
    }

    /// Waits up to `quiet` for the server's answer to application data.
    pub async fn application_answer(&mut self, quiet: Duration) -> AppAnswer {
        self.set_deadline(quiet.min(self.step * 2));
        loop {
            match self.record().await {
                Ok((ContentType::APPLICATION_DATA, data)) if !data.is_empty() => {
                    return AppAnswer::Data(data.len())
                }
                Ok((ContentType::ALERT, data)) => match alert(&data) {
                    Some(e) => return AppAnswer::Refused(e),
                    None => continue,
                },
                // Empty records and handshake messages (a HelloRequest) are not an answer.
                Ok(_) => continue,
                Err(Tls12Error::Refused(a)) => return AppAnswer::Refused(a),
                Err(e) => return AppAnswer::Broken(e.to_string()),
            }
        }
    }

    /// The next record's type and plaintext, within the current deadline.
    async fn record(&mut self) -> Result<(ContentType, Vec<u8>), Tls12Error> {
        let mut buf = [0u8; 8192];
        loop {
            match self.records.next_record() {
                Ok(Some(r)) => {
                    let ct = r.header.content_type;
                    let plain = match &mut self.read {
                        None => r.payload,
                        Some(p) => p
                            .open(ct, r.header.version, &r.payload)
                            .map_err(|e| protocol(format!("the server's record: {e}")))?,
                    };
                    return Ok((ct, plain));
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(Tls12Error::Refused(ServerAnswer::NotTls(
                        NotTls::Malformed(e.to_string()),
                    )))
                }
            }
            if self.read_bytes > MAX_SESSION_BYTES {
                return Err(Tls12Error::Refused(ServerAnswer::NotTls(NotTls::TooLong(
                    MAX_SESSION_BYTES,
                ))));
            }
            match tokio::time::timeout_at(self.deadline, self.stream.read(&mut buf)).await {
                Err(_) => return Err(Tls12Error::Refused(ServerAnswer::Silent(self.wait))),
                Ok(Ok(0)) | Ok(Err(_)) => return Err(Tls12Error::Refused(ServerAnswer::Closed)),
                Ok(Ok(n)) => {
                    self.read_bytes += n;
                    self.records.feed(&buf[..n]).map_err(|e| {
                        Tls12Error::Refused(ServerAnswer::NotTls(NotTls::Malformed(e.to_string())))
                    })?;
                }
            }
        }
    }

    /// The next handshake message, skipping HelloRequests (not part of any transcript,
    /// RFC 5246 §7.4.1.1) and warning alerts that end nothing.
    async fn next_handshake(&mut self) -> Result<HandshakeMessage, Tls12Error> {
        loop {
            if let Some(m) = self.joiner.next_message().map_err(protocol)? {
                if m.typ == HandshakeType::HELLO_REQUEST {
                    continue;
                }
                return Ok(m);
            }
            let (ct, data) = self.record().await?;
            match ct {
                ContentType::HANDSHAKE => self.joiner.push(&data).map_err(protocol)?,
                ContentType::ALERT => {
                    if let Some(e) = alert(&data) {
                        return Err(Tls12Error::Refused(e));
                    }
                }
                // Application data the server had in flight when a renegotiation began.
                ContentType::APPLICATION_DATA => {}
                other => return Err(protocol(format!("an unexpected {} record", other.name()))),
            }
        }
    }

    async fn expect(&mut self, typ: HandshakeType) -> Result<HandshakeMessage, Tls12Error> {
        let m = self.next_handshake().await?;
        if m.typ != typ {
            return Err(protocol(format!(
                "{} where {} belongs",
                m.typ.name(),
                typ.name()
            )));
        }
        Ok(m)
    }

    /// Reads up to the server's ChangeCipherSpec; handshake messages before it stay in the
    /// joiner for the caller.
    async fn change_cipher_spec(&mut self) -> Result<(), Tls12Error> {
        loop {
            let (ct, data) = self.record().await?;
            match ct {
                ContentType::CHANGE_CIPHER_SPEC if data == [1] => return Ok(()),
                ContentType::HANDSHAKE => self.joiner.push(&data).map_err(protocol)?,
                ContentType::ALERT => {
                    if let Some(e) = alert(&data) {
                        return Err(Tls12Error::Refused(e));
                    }
                }
                other => return Err(protocol(format!("an unexpected {} record", other.name()))),
            }
        }
    }
}

/// What an alert record means here: `None` for a warning that ends nothing (anything but
/// close_notify and no_renegotiation), else the refusal.
fn alert(data: &[u8]) -> Option<ServerAnswer> {
    match parse_alert(data) {
        Ok(a)
            if a.level == AlertLevel::WARNING
                && a.description != AlertDescription::CLOSE_NOTIFY
                && a.description != AlertDescription::NO_RENEGOTIATION =>
        {
            None
        }
        Ok(a) => Some(ServerAnswer::Alert(a.description)),
        Err(e) => Some(ServerAnswer::NotTls(NotTls::Malformed(format!(
            "unreadable alert: {e}"
        )))),
    }
}

/// The ECDHE premaster secret and ClientKeyExchange for the server's point.
fn ecdhe(group: NamedGroup, point: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Tls12Error> {
    use ring::agreement;
    let alg = match group {
        NamedGroup::X25519 => &agreement::X25519,
        NamedGroup::SECP256R1 => &agreement::ECDH_P256,
        other => {
            return Err(protocol(format!(
                "the server chose {}, not offered",
                other.name()
            )))
        }
    };
    let rng = ring::rand::SystemRandom::new();
    let key = agreement::EphemeralPrivateKey::generate(alg, &rng)
        .map_err(|_| protocol("no ECDHE key"))?;
    let public = key
        .compute_public_key()
        .map_err(|_| protocol("no ECDHE key"))?
        .as_ref()
        .to_vec();
    let premaster =
        agreement::agree_ephemeral(key, &agreement::UnparsedPublicKey::new(alg, point), |k| {
            k.to_vec()
        })
        .map_err(|_| protocol("the server's ECDHE point is invalid"))?;
    let cke = ecdhe_client_key_exchange(&public).map_err(protocol)?;
    Ok((premaster, cke))
}

/// The RSA premaster secret (RFC 5246 §7.4.7.1: client_version ‖ 46 random bytes) and its
/// ClientKeyExchange, PKCS #1 v1.5-encrypted to the leaf certificate's key.
fn rsa(leaf: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Tls12Error> {
    use crate::probe::robot::{message, rsa_encrypt, rsa_public_key, Variant};
    let (n, e) =
        rsa_public_key(leaf).ok_or_else(|| protocol("the certificate's key is not RSA"))?;
    let k = n.iter().skip_while(|b| **b == 0).count();
    // PKCS #1 padding bytes must be non-zero; the secret need not be, but the shared message
    // builder refuses zeros there too (it builds ROBOT's variants from the same bytes).
    let pad: Vec<u8> = random::<1024>()?.iter().map(|b| (*b).max(1)).collect();
    let secret = random::<46>()?.map(|b| b.max(1));
    let m = message(Variant::Good, k, V12.0.to_be_bytes(), &pad, &secret)
        .ok_or_else(|| protocol(format!("an RSA key of {} bits cannot be used", k * 8)))?;
    let c = rsa_encrypt(&m, &n, &e);
    let cke = rsa_client_key_exchange(V12, &c).map_err(protocol)?;
    Ok(([&V12.0.to_be_bytes()[..], &secret].concat(), cke))
}
