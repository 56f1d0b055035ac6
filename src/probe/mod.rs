//! Probes: one connection each. Today the full TLS handshake with rustls (TLS 1.2 and 1.3);
//! the hand-built legacy-version probes will live beside it.

pub mod ciphers;
pub mod enumerate;
pub mod injection;
pub mod tls;
pub mod versions;
