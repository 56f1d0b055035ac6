//! Hand-assembled server responses shared by the server and fuzz tests.
//!
//! Each fixture is written field by field with its length arithmetic in
//! comments, so the tests do not depend on any encoder in this crate.

/// Decode hex, ignoring whitespace.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex length");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

/// Wrap `payload` in one record of content type `ct`, version 0x0303.
pub(crate) fn record(ct: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![ct, 0x03, 0x03];
    v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// 32 bytes of 0xAA: a random with no sentinel.
pub(crate) const PLAIN_RANDOM: &str =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// TLS 1.2 ServerHello *body* with the given 64-hex-digit random.
/// 2 + 32 + 1 + 2 + 1 + (2 + 9) = 49 bytes.
pub(crate) fn tls12_server_hello_body(random_hex: &str) -> Vec<u8> {
    hex(&[
        "0303",         // server_version TLS 1.2
        random_hex,     // random
        "00",           // empty session id
        "c02f",         // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        "00",           // null compression
        "0009",         // extensions: 9 bytes
        "ff01 0001 00", // renegotiation_info, empty renegotiated_connection (RFC 5746 §3.2)
        "0017 0000",    // extended_master_secret (RFC 7627)
    ]
    .concat())
}

/// TLS 1.2 ServerHello handshake message (4 + 49 = 53 bytes).
pub(crate) fn tls12_server_hello_msg() -> Vec<u8> {
    let mut m = hex("02 000031"); // server_hello, 49
    m.extend(tls12_server_hello_body(PLAIN_RANDOM));
    m
}

/// A complete TLS 1.2 ServerHello record (5 + 53 = 58 bytes).
pub(crate) fn tls12_server_hello_record() -> Vec<u8> {
    let mut r = hex("16 0303 0035"); // handshake, 53
    r.extend(tls12_server_hello_msg());
    r
}

/// TLS 1.3 ServerHello body: legacy 0x0303, supported_versions 0x0304,
/// x25519 key_share. 2 + 32 + (1 + 32) + 2 + 1 + (2 + 46) = 118 bytes.
pub(crate) const TLS13_SERVER_HELLO_BODY: &str = concat!(
    "0303",
    "1111111111111111111111111111111111111111111111111111111111111111", // random
    "20 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f", // echoed sid
    "1301",                                                             // TLS_AES_128_GCM_SHA256
    "00",
    "002e",                // extensions: 6 + 40 = 46
    "002b 0002 0304",      // supported_versions: TLS 1.3
    "0033 0024 001d 0020", // key_share: x25519, 32-byte key (data 36)
    "9999999999999999999999999999999999999999999999999999999999999999",
);

/// TLS 1.3 ServerHello record (5 + 4 + 118 = 127 bytes) followed by the
/// middlebox-compatibility ChangeCipherSpec and one encrypted record.
pub(crate) fn tls13_flight() -> Vec<u8> {
    let mut v = hex("16 0303 007a 02 000076"); // record 122, server_hello 118
    v.extend(hex(TLS13_SERVER_HELLO_BODY));
    v.extend(hex("14 0303 0001 01")); // change_cipher_spec
    v.extend(hex("17 0303 0005 0102030405")); // encrypted EncryptedExtensions…
    v
}

/// HelloRetryRequest body: HRR random, key_share selected_group secp256r1.
/// 2 + 32 + 33 + 2 + 1 + (2 + 12) = 84 bytes.
pub(crate) const HRR_BODY: &str = concat!(
    "0303",
    "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", // SHA-256("HelloRetryRequest")
    "20 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
    "1301",
    "00",
    "000c",
    "002b 0002 0304",
    "0033 0002 0017", // key_share: selected_group secp256r1
);

/// HelloRetryRequest record (5 + 4 + 84 = 93 bytes).
pub(crate) fn hrr_record() -> Vec<u8> {
    let mut v = hex("16 0303 0058 02 000054"); // record 88, server_hello 84
    v.extend(hex(HRR_BODY));
    v
}

/// Certificate message with two fake DER blobs, 4 + 15 = 19 bytes.
pub(crate) const CERTIFICATE_MSG: &str = concat!(
    "0b 00000f", // certificate, 15
    "00000c",    // certificate_list: 12 = (3 + 4) + (3 + 2)
    "000004 deadbeef",
    "000002 cafe",
);

/// One record holding ServerHello + Certificate + ServerHelloDone:
/// 53 + 19 + 4 = 76 bytes of payload.
pub(crate) fn tls12_sh_cert_done_record() -> Vec<u8> {
    let mut v = hex("16 0303 004c");
    v.extend(tls12_server_hello_msg());
    v.extend(hex(CERTIFICATE_MSG));
    v.extend(hex("0e 000000")); // server_hello_done
    v
}

/// A fatal alert record with the given description.
pub(crate) fn alert_record(description: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}
