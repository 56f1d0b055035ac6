//! The TLS wire codec the probes build on: what they send and how they read the answer.
//!
//! Everything a scanner needs to ask "does this server accept SSL 3.0 /
//! TLS 1.0 / 1.1 / 1.2 / 1.3?" without a TLS library: hand-built probe
//! ClientHellos ([`hello`]), record deframing and handshake reassembly
//! ([`record`]), and classification of the server's first flight
//! ([`server`], [`alert`]), all built on bounds-checked encoding and
//! decoding primitives ([`codec`]) and the protocol code points as open
//! newtypes ([`enums`]). No I/O and no dependencies: callers own the
//! socket, write [`hello::ClientHelloBuilder::build`]'s bytes, and feed what
//! comes back to [`server::classify_first_flight`].
//!
//! Beside the codec: what the scanner knows about what it sends and sees —
//! the cipher-suite registry and the suite lists hellos offer ([`suites`]),
//! key types and group strengths ([`keys`]), the ServerKeyExchange
//! parameters that key exchange is graded by ([`kx`]) — and encoders for the
//! records a probe sends after its hello ([`flight`]).
//!
//! Decoding never panics on hostile input; every length is bounds-checked
//! and every buffer is capped (see [`record`]).
#![forbid(unsafe_code)]

pub mod alert;
pub mod codec;
pub mod enums;
pub mod flight;
pub mod hello;
pub mod keys;
pub mod kx;
pub mod record;
pub mod server;
pub mod suites;
pub mod tls12;

pub use alert::{parse_alert, Alert};
pub use codec::{Codec, DecodeError, ListLength, Reader};
pub use enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, ExtensionType, HandshakeType,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
pub use flight::EncodeError;
pub use hello::{BuildError, ClientHelloBuilder, Probe};
pub use keys::{Curve, KeyType};
pub use record::{HandshakeJoiner, Record, RecordHeader, RecordReader};
pub use server::{
    classify_first_flight, parse_certificate_list, parse_server_hello, FirstFlight,
    FirstFlightParser, ServerFlight, ServerHello,
};
pub use suites::{class_of, Authentication, BulkCipher, KeyExchange, Mac, SuiteInfo, WeakClass};

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod test_fixtures;
