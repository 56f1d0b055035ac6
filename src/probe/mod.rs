//! Probes: each builds what it sends (a hand-built hello, a record, a command) and interprets
//! what comes back. They reach the server only through [`conn`], the connection layer (the
//! address's connection limit, the STARTTLS dialogue, SNI, bounded reads, one typed answer).
//!
//! - [`tls`]: the full TLS 1.2/1.3 handshake with rustls, recording the chain whatever it is;
//! - [`versions`]: which of SSL 3.0 … TLS 1.3 are accepted, and TLS_FALLBACK_SCSV;
//! - [`ciphers`]: weak suite classes, forward secrecy, AEAD, key exchange, compression and
//!   renegotiation ([`ciphers::judge`] turns the answers into findings); [`enumerate`]: every
//!   accepted suite (`--ciphers`);
//! - [`heartbleed`], [`ccs`], [`robot`]: the classic flaws, at the best TLS 1.0–1.2 version;
//! - [`renegotiation`]: insecure and client-initiated renegotiation, the ServerKeyExchange hash;
//!   [`poodle`]: CBC padding checks (POODLE against TLS);
//! - [`resumption`]: session resumption and TLS 1.3 early data;
//! - [`tls12`]: tlsgrade's own strict TLS 1.2 client, for what rustls cannot do (renegotiation,
//!   CBC padding);
//! - [`injection`]: STARTTLS command injection (SMTP, IMAP, POP3).

pub mod ccs;
pub mod ciphers;
pub mod conn;
pub mod enumerate;
pub mod heartbleed;
pub mod injection;
pub mod kx;
pub mod poodle;
pub mod renegotiation;
pub mod resumption;
pub mod robot;
pub mod tls;
pub mod tls12;
pub mod versions;
