//! Probes: one connection each. The full TLS handshake with rustls (TLS 1.2 and 1.3) in [`tls`];
//! hand-built hellos for versions ([`versions`]), weak cipher classes, key exchange,
//! renegotiation and compression ([`ciphers`]) and `--ciphers` enumeration ([`enumerate`]); the
//! SMTP STARTTLS-injection probe ([`injection`]); Heartbleed ([`heartbleed`]).

pub mod ccs;
pub mod ciphers;
pub mod conn;
pub mod enumerate;
pub mod heartbleed;
pub mod injection;
pub mod robot;
pub mod tls;
pub mod versions;
