//! Helpers shared by the crate's unit tests.

/// xorshift64 (Marsaglia 2003): a tiny deterministic generator for the no-panic robustness
/// tests, so failures reproduce from the seed and no fuzzing crate is needed.
pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// A server's first flight that is only a ServerHello at `version` choosing `suite`, with
/// `extensions` and `compression`; TLS 1.3 is announced by supported_versions, as servers do.
pub(crate) fn server_hello(
    version: crate::wire::enums::ProtocolVersion,
    suite: crate::wire::enums::CipherSuite,
    compression: u8,
    extensions: Vec<crate::wire::server::Extension>,
) -> crate::wire::server::ServerFlight {
    use crate::wire::enums::ProtocolVersion;
    let tls13 = version == ProtocolVersion::TLSv1_3;
    crate::wire::server::ServerFlight {
        server_hello: crate::wire::server::ServerHello {
            legacy_version: if tls13 {
                ProtocolVersion::TLSv1_2
            } else {
                version
            },
            random: [7; 32],
            session_id: vec![],
            cipher_suite: suite,
            compression,
            extensions,
            selected_version: tls13.then_some(version),
            key_share_group: None,
        },
        certificates: None,
        server_hello_done: true,
        server_key_exchange: None,
    }
}
