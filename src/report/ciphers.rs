//! Report types of the cipher and key-exchange probes: per version, which weak suite classes
//! the server accepted and with which suite; the key-exchange groups and DH size. Part of the
//! JSON schema (docs/report.md): add fields, never rename them.

use serde::{Deserialize, Serialize};

use super::versions::VersionMap;

/// A cipher suite by both of its names: IANA (RFC registry) and OpenSSL, when OpenSSL has one.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SuiteName {
    pub iana: String,
    pub openssl: Option<String>,
}

/// One weak class probed in one version: a hello offering only that class's suites.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WeakClassResult {
    /// `rc4`, `3des`, `export`, `null` or `anon`.
    pub class: crate::wire::suites::WeakClass,
    /// `true` accepted, `false` refused, `null` could not tell.
    pub accepted: Option<bool>,
    /// The suite the server picked, when accepted.
    pub suite: Option<SuiteName>,
}

/// What the cipher probes found for one accepted version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct VersionCiphers {
    pub weak_classes: Vec<WeakClassResult>,
    /// Every accepted suite in the order the server chose them: `--ciphers` only, else `null`.
    pub accepted_suites: Option<Vec<SuiteName>>,
    /// Does the server choose by its own order? `null` when not tested or not decidable (one
    /// suite only).
    pub server_preference: Option<bool>,
}

/// The endpoint's cipher results.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct CipherReport {
    /// Per accepted version (`null` for versions not accepted or not probed).
    pub versions: VersionMap<Option<VersionCiphers>>,
    /// Some forward-secret suite accepted (ECDHE/DHE, or any TLS 1.3 suite).
    pub forward_secrecy: Option<bool>,
    /// Some AEAD suite accepted (GCM, CCM, ChaCha20-Poly1305).
    pub aead: Option<bool>,
    /// Symmetric key bits of the weakest accepted suite seen (0 for NULL).
    pub weakest_bits: Option<u32>,
    /// Connections the cipher, key-exchange, renegotiation and compression probes opened.
    pub connections: u32,
}

/// One key-exchange group and whether the server accepts it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct GroupResult {
    /// `x25519`, `secp256r1`, `secp384r1`, `secp521r1`, `X25519MLKEM768`.
    pub name: String,
    pub accepted: Option<bool>,
}

/// The endpoint's key exchange.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct KeyExchangeReport {
    pub groups: Vec<GroupResult>,
    /// Bits of the finite-field DH prime when a DHE suite is accepted; `null` when DHE is refused
    /// or could not be tested.
    pub dh_bits: Option<u32>,
    /// `true` DHE accepted, `false` refused, `null` could not tell.
    pub dhe: Option<bool>,
}
