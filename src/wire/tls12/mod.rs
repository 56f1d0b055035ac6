//! The pure parts of tlsgrade's own strict TLS 1.2 client, for the flaw probes rustls cannot
//! make (renegotiation, CBC padding): the PRF and key derivation ([`prf`]), record protection
//! ([`protect`]) and the handshake messages it sends and reads ([`messages`]). No I/O: the
//! driver is [`crate::probe::tls12`].

pub mod messages;
pub mod prf;
pub mod protect;

pub use messages::{ClientOffer, ServerKeyExchange};
pub use prf::{PrfHash, Side};
pub use protect::{Kx, Padding, ProtectError, Protector, SuiteSpec};
