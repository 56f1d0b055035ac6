//! Protocol code points as open newtypes.
//!
//! A scanner must never lose information: a server may answer with a draft
//! version (0x7f1c), a vendor cipher suite or an alert code we do not know.
//! So every enum here is a transparent newtype over its wire integer with
//! associated constants for the values we know, rather than a closed Rust
//! `enum` that would force an `Unknown` catch-all or a decode failure.
//! Names follow the IANA TLS registries (RFC 8446 §11, RFC 5246 §12).

use crate::wire::codec::{Codec, DecodeError, Reader};
use std::borrow::Cow;
use std::fmt;

/// Defines an open newtype enum with named constants, a name table,
/// `Debug`/`Display` that print the name or the hex value, and a `Codec`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident($int:ident, $read:ident, $hexwidth:literal) {
            $( $(#[$vmeta:meta])* $konst:ident = $val:literal => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $int);

        impl $name {
            // rustls-style names such as `TLSv1_2` read better than `TLSV1_2`.
            $( $(#[$vmeta])* #[allow(non_upper_case_globals)] pub const $konst: $name = $name($val); )*

            /// Every value that has a name here, in table order: lets other tables (the
            /// cipher-suite registry, name look-ups) be checked against this one.
            pub const KNOWN: &'static [$name] = &[$( $name::$konst ),*];

            /// The registry name of this value, or `None` if we do not know it.
            pub fn known_name(self) -> Option<&'static str> {
                match self.0 {
                    $( $val => Some($text), )*
                    _ => None,
                }
            }

            /// The registry name, or the value in hex (e.g. `0x7f1c`) when
            /// unknown — unknown values are kept, never dropped.
            pub fn name(self) -> Cow<'static, str> {
                match self.known_name() {
                    Some(n) => Cow::Borrowed(n),
                    None => Cow::Owned(format!("0x{:0width$x}", self.0, width = $hexwidth)),
                }
            }

            /// The value [`name`](Self::name) prints: a registry name, or `0x…` hex.
            pub fn from_name(name: &str) -> Option<$name> {
                if let Some(v) = Self::KNOWN.iter().find(|v| v.known_name() == Some(name)) {
                    return Some(*v);
                }
                let hex = name.strip_prefix("0x")?;
                $int::from_str_radix(hex, 16).ok().map($name)
            }
        }

        /// Written as its name, so a report says `TLSv1.2`, not a number.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::from_name(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{} {s:?} is neither a registry name nor 0x hex",
                        stringify!($name)
                    ))
                })
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.known_name() {
                    Some(n) => write!(f, "{}({})", stringify!($name), n),
                    None => write!(f, "{}(0x{:0width$x})", stringify!($name), self.0, width = $hexwidth),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.name())
            }
        }

        impl From<$int> for $name {
            fn from(v: $int) -> Self {
                $name(v)
            }
        }

        impl Codec<'_> for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.0.to_be_bytes());
            }
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok($name(r.$read(stringify!($name))?))
            }
        }
    };
}

wire_enum! {
    /// `ProtocolVersion` (RFC 5246 §6.2.1, RFC 8446 §4.1.2; SSL 3.0 is
    /// RFC 6101 §5.2.1).
    ProtocolVersion(u16, u16, 4) {
        /// SSL 3.0 (RFC 6101).
        SSLv3 = 0x0300 => "SSLv3",
        /// TLS 1.0 (RFC 2246).
        TLSv1_0 = 0x0301 => "TLSv1.0",
        /// TLS 1.1 (RFC 4346).
        TLSv1_1 = 0x0302 => "TLSv1.1",
        /// TLS 1.2 (RFC 5246).
        TLSv1_2 = 0x0303 => "TLSv1.2",
        /// TLS 1.3 (RFC 8446).
        TLSv1_3 = 0x0304 => "TLSv1.3",
    }
}

wire_enum! {
    /// Record-layer `ContentType` (RFC 5246 §6.2.1, RFC 8446 §5.1).
    ContentType(u8, u8, 2) {
        /// change_cipher_spec(20).
        CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
        /// alert(21).
        ALERT = 21 => "alert",
        /// handshake(22).
        HANDSHAKE = 22 => "handshake",
        /// application_data(23).
        APPLICATION_DATA = 23 => "application_data",
        /// heartbeat(24), RFC 6520.
        HEARTBEAT = 24 => "heartbeat",
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 5246 §7.4, RFC 8446 §4).
    HandshakeType(u8, u8, 2) {
        /// hello_request(0), pre-1.3 only.
        HELLO_REQUEST = 0 => "hello_request",
        /// client_hello(1).
        CLIENT_HELLO = 1 => "client_hello",
        /// server_hello(2); also carries HelloRetryRequest in TLS 1.3.
        SERVER_HELLO = 2 => "server_hello",
        /// new_session_ticket(4).
        NEW_SESSION_TICKET = 4 => "new_session_ticket",
        /// end_of_early_data(5).
        END_OF_EARLY_DATA = 5 => "end_of_early_data",
        /// encrypted_extensions(8).
        ENCRYPTED_EXTENSIONS = 8 => "encrypted_extensions",
        /// certificate(11).
        CERTIFICATE = 11 => "certificate",
        /// server_key_exchange(12).
        SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
        /// certificate_request(13).
        CERTIFICATE_REQUEST = 13 => "certificate_request",
        /// server_hello_done(14).
        SERVER_HELLO_DONE = 14 => "server_hello_done",
        /// certificate_verify(15).
        CERTIFICATE_VERIFY = 15 => "certificate_verify",
        /// client_key_exchange(16).
        CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
        /// finished(20).
        FINISHED = 20 => "finished",
        /// certificate_status(22), RFC 6066 §8.
        CERTIFICATE_STATUS = 22 => "certificate_status",
        /// key_update(24).
        KEY_UPDATE = 24 => "key_update",
        /// message_hash(254).
        MESSAGE_HASH = 254 => "message_hash",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 5246 §7.2). TLS 1.3 keeps the field but ignores it
    /// (RFC 8446 §6).
    AlertLevel(u8, u8, 2) {
        /// warning(1).
        WARNING = 1 => "warning",
        /// fatal(2).
        FATAL = 2 => "fatal",
    }
}

wire_enum! {
    /// `AlertDescription` (RFC 5246 §7.2, RFC 8446 §6, RFC 7507, RFC 6066).
    AlertDescription(u8, u8, 2) {
        /// close_notify(0).
        CLOSE_NOTIFY = 0 => "close_notify",
        /// unexpected_message(10).
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        /// bad_record_mac(20).
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        /// decryption_failed_RESERVED(21).
        DECRYPTION_FAILED = 21 => "decryption_failed",
        /// record_overflow(22).
        RECORD_OVERFLOW = 22 => "record_overflow",
        /// decompression_failure_RESERVED(30).
        DECOMPRESSION_FAILURE = 30 => "decompression_failure",
        /// handshake_failure(40): typically "no shared cipher suite".
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        /// no_certificate_RESERVED(41), SSL 3.0 only.
        NO_CERTIFICATE = 41 => "no_certificate",
        /// bad_certificate(42).
        BAD_CERTIFICATE = 42 => "bad_certificate",
        /// unsupported_certificate(43).
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        /// certificate_revoked(44).
        CERTIFICATE_REVOKED = 44 => "certificate_revoked",
        /// certificate_expired(45).
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        /// certificate_unknown(46).
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        /// illegal_parameter(47).
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        /// unknown_ca(48).
        UNKNOWN_CA = 48 => "unknown_ca",
        /// access_denied(49).
        ACCESS_DENIED = 49 => "access_denied",
        /// decode_error(50).
        DECODE_ERROR = 50 => "decode_error",
        /// decrypt_error(51).
        DECRYPT_ERROR = 51 => "decrypt_error",
        /// export_restriction_RESERVED(60).
        EXPORT_RESTRICTION = 60 => "export_restriction",
        /// protocol_version(70): the server refuses the offered version.
        PROTOCOL_VERSION = 70 => "protocol_version",
        /// insufficient_security(71).
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        /// internal_error(80).
        INTERNAL_ERROR = 80 => "internal_error",
        /// inappropriate_fallback(86), RFC 7507 §2.
        INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
        /// user_canceled(90).
        USER_CANCELED = 90 => "user_canceled",
        /// no_renegotiation(100).
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        /// missing_extension(109), RFC 8446.
        MISSING_EXTENSION = 109 => "missing_extension",
        /// unsupported_extension(110).
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
        /// certificate_unobtainable(111), RFC 6066.
        CERTIFICATE_UNOBTAINABLE = 111 => "certificate_unobtainable",
        /// unrecognized_name(112), RFC 6066 §3.
        UNRECOGNIZED_NAME = 112 => "unrecognized_name",
        /// bad_certificate_status_response(113).
        BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
        /// bad_certificate_hash_value(114).
        BAD_CERTIFICATE_HASH_VALUE = 114 => "bad_certificate_hash_value",
        /// unknown_psk_identity(115).
        UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
        /// certificate_required(116).
        CERTIFICATE_REQUIRED = 116 => "certificate_required",
        /// no_application_protocol(120), RFC 7301.
        NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// `ExtensionType` (IANA "TLS ExtensionType Values").
    ExtensionType(u16, u16, 4) {
        /// server_name(0), RFC 6066 §3.
        SERVER_NAME = 0x0000 => "server_name",
        /// status_request(5), RFC 6066 §8.
        STATUS_REQUEST = 0x0005 => "status_request",
        /// supported_groups(10), RFC 8422 §5.1.1 / RFC 8446 §4.2.7.
        SUPPORTED_GROUPS = 0x000a => "supported_groups",
        /// ec_point_formats(11), RFC 8422 §5.1.2.
        EC_POINT_FORMATS = 0x000b => "ec_point_formats",
        /// signature_algorithms(13), RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3.
        SIGNATURE_ALGORITHMS = 0x000d => "signature_algorithms",
        /// heartbeat(15), RFC 6520 §2.
        HEARTBEAT = 0x000f => "heartbeat",
        /// application_layer_protocol_negotiation(16), RFC 7301.
        ALPN = 0x0010 => "application_layer_protocol_negotiation",
        /// padding(21), RFC 7685.
        PADDING = 0x0015 => "padding",
        /// encrypt_then_mac(22), RFC 7366.
        ENCRYPT_THEN_MAC = 0x0016 => "encrypt_then_mac",
        /// extended_master_secret(23), RFC 7627 §5.1.
        EXTENDED_MASTER_SECRET = 0x0017 => "extended_master_secret",
        /// session_ticket(35), RFC 5077.
        SESSION_TICKET = 0x0023 => "session_ticket",
        /// pre_shared_key(41), RFC 8446 §4.2.11.
        PRE_SHARED_KEY = 0x0029 => "pre_shared_key",
        /// early_data(42), RFC 8446 §4.2.10.
        EARLY_DATA = 0x002a => "early_data",
        /// supported_versions(43), RFC 8446 §4.2.1.
        SUPPORTED_VERSIONS = 0x002b => "supported_versions",
        /// cookie(44), RFC 8446 §4.2.2.
        COOKIE = 0x002c => "cookie",
        /// psk_key_exchange_modes(45), RFC 8446 §4.2.9.
        PSK_KEY_EXCHANGE_MODES = 0x002d => "psk_key_exchange_modes",
        /// key_share(51), RFC 8446 §4.2.8.
        KEY_SHARE = 0x0033 => "key_share",
        /// renegotiation_info(65281), RFC 5746 §3.2.
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// `NamedGroup` (RFC 8446 §4.2.7, RFC 8422 §5.1.1, RFC 7919).
    NamedGroup(u16, u16, 4) {
        /// sect163k1(1), RFC 8422 §5.1.1 (deprecated: under 224 bits).
        SECT163K1 = 0x0001 => "sect163k1",
        /// sect163r1(2).
        SECT163R1 = 0x0002 => "sect163r1",
        /// sect163r2(3).
        SECT163R2 = 0x0003 => "sect163r2",
        /// sect193r1(4).
        SECT193R1 = 0x0004 => "sect193r1",
        /// sect193r2(5).
        SECT193R2 = 0x0005 => "sect193r2",
        /// secp160k1(15).
        SECP160K1 = 0x000f => "secp160k1",
        /// secp160r1(16).
        SECP160R1 = 0x0010 => "secp160r1",
        /// secp160r2(17).
        SECP160R2 = 0x0011 => "secp160r2",
        /// secp192k1(18).
        SECP192K1 = 0x0012 => "secp192k1",
        /// secp192r1(19).
        SECP192R1 = 0x0013 => "secp192r1",
        /// secp224k1(20).
        SECP224K1 = 0x0014 => "secp224k1",
        /// secp224r1(21).
        SECP224R1 = 0x0015 => "secp224r1",
        /// secp256r1(23).
        SECP256R1 = 0x0017 => "secp256r1",
        /// secp384r1(24).
        SECP384R1 = 0x0018 => "secp384r1",
        /// secp521r1(25).
        SECP521R1 = 0x0019 => "secp521r1",
        /// x25519(29).
        X25519 = 0x001d => "x25519",
        /// x448(30).
        X448 = 0x001e => "x448",
        /// ffdhe2048(256), RFC 7919.
        FFDHE2048 = 0x0100 => "ffdhe2048",
        /// ffdhe3072(257).
        FFDHE3072 = 0x0101 => "ffdhe3072",
        /// ffdhe4096(258).
        FFDHE4096 = 0x0102 => "ffdhe4096",
        /// ffdhe6144(259).
        FFDHE6144 = 0x0103 => "ffdhe6144",
        /// ffdhe8192(260).
        FFDHE8192 = 0x0104 => "ffdhe8192",
        /// X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem).
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
    }
}

impl NamedGroup {
    /// An elliptic-curve group (or a hybrid on one), not one of the finite-field groups that
    /// RFC 7919 §6 reserves 0x0100–0x01ff for.
    pub fn is_ecdhe(self) -> bool {
        !(0x0100..=0x01ff).contains(&self.0)
    }
}

wire_enum! {
    /// `SignatureScheme` (RFC 8446 §4.2.3); the pre-1.3 values are the
    /// (HashAlgorithm, SignatureAlgorithm) pairs of RFC 5246 §7.4.1.4.1.
    SignatureScheme(u16, u16, 4) {
        /// rsa_pkcs1_sha1 (legacy).
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        /// ecdsa_sha1 (legacy).
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
        /// rsa_pkcs1_sha256.
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        /// ecdsa_secp256r1_sha256.
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// rsa_pkcs1_sha384.
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        /// ecdsa_secp384r1_sha384.
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// rsa_pkcs1_sha512.
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        /// ecdsa_secp521r1_sha512.
        ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
        /// rsa_pss_rsae_sha256.
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// rsa_pss_rsae_sha384.
        RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
        /// rsa_pss_rsae_sha512.
        RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
        /// ed25519.
        ED25519 = 0x0807 => "ed25519",
        /// ed448.
        ED448 = 0x0808 => "ed448",
        /// rsa_pss_pss_sha256.
        RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
        /// rsa_pss_pss_sha384.
        RSA_PSS_PSS_SHA384 = 0x080a => "rsa_pss_pss_sha384",
        /// rsa_pss_pss_sha512.
        RSA_PSS_PSS_SHA512 = 0x080b => "rsa_pss_pss_sha512",
    }
}

wire_enum! {
    /// `CipherSuite` (IANA "TLS Cipher Suites"). The table covers every
    /// suite this crate offers in a probe plus the signalling values.
    CipherSuite(u16, u16, 4) {
        /// TLS_RSA_EXPORT_WITH_RC4_40_MD5.
        TLS_RSA_EXPORT_WITH_RC4_40_MD5 = 0x0003 => "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        /// TLS_RSA_WITH_RC4_128_MD5.
        TLS_RSA_WITH_RC4_128_MD5 = 0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        /// TLS_RSA_WITH_RC4_128_SHA.
        TLS_RSA_WITH_RC4_128_SHA = 0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        /// TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5.
        TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5 = 0x0006 => "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
        /// TLS_RSA_EXPORT_WITH_DES40_CBC_SHA.
        TLS_RSA_EXPORT_WITH_DES40_CBC_SHA = 0x0008 => "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        /// TLS_RSA_WITH_DES_CBC_SHA.
        TLS_RSA_WITH_DES_CBC_SHA = 0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
        /// TLS_RSA_WITH_3DES_EDE_CBC_SHA.
        TLS_RSA_WITH_3DES_EDE_CBC_SHA = 0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        /// TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA.
        TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA = 0x0011 => "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
        /// TLS_DHE_DSS_WITH_DES_CBC_SHA.
        TLS_DHE_DSS_WITH_DES_CBC_SHA = 0x0012 => "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        /// TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA.
        TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA = 0x0013 => "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        /// TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA.
        TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA = 0x0014 => "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
        /// TLS_DHE_RSA_WITH_DES_CBC_SHA.
        TLS_DHE_RSA_WITH_DES_CBC_SHA = 0x0015 => "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        /// TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA.
        TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA = 0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        /// TLS_RSA_WITH_AES_128_CBC_SHA.
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        /// TLS_DHE_DSS_WITH_AES_128_CBC_SHA.
        TLS_DHE_DSS_WITH_AES_128_CBC_SHA = 0x0032 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA.
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        /// TLS_RSA_WITH_AES_256_CBC_SHA.
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        /// TLS_DHE_DSS_WITH_AES_256_CBC_SHA.
        TLS_DHE_DSS_WITH_AES_256_CBC_SHA = 0x0038 => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA.
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        /// TLS_RSA_WITH_AES_128_CBC_SHA256.
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        /// TLS_RSA_WITH_AES_256_CBC_SHA256.
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        /// TLS_RSA_WITH_CAMELLIA_128_CBC_SHA.
        TLS_RSA_WITH_CAMELLIA_128_CBC_SHA = 0x0041 => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
        /// TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA.
        TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA = 0x0044 => "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA",
        /// TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA.
        TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA = 0x0045 => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA256.
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA256.
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        /// TLS_RSA_WITH_CAMELLIA_256_CBC_SHA.
        TLS_RSA_WITH_CAMELLIA_256_CBC_SHA = 0x0084 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
        /// TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA.
        TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA = 0x0087 => "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA",
        /// TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA.
        TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA = 0x0088 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
        /// TLS_RSA_WITH_SEED_CBC_SHA.
        TLS_RSA_WITH_SEED_CBC_SHA = 0x0096 => "TLS_RSA_WITH_SEED_CBC_SHA",
        /// TLS_DHE_RSA_WITH_SEED_CBC_SHA.
        TLS_DHE_RSA_WITH_SEED_CBC_SHA = 0x009a => "TLS_DHE_RSA_WITH_SEED_CBC_SHA",
        /// TLS_RSA_WITH_AES_128_GCM_SHA256.
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS_RSA_WITH_AES_256_GCM_SHA384.
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS_DHE_RSA_WITH_AES_128_GCM_SHA256.
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS_DHE_RSA_WITH_AES_256_GCM_SHA384.
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256.
        TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256 = 0x00c0 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        /// TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256.
        TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256 = 0x00c4 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3): signals
        /// secure-renegotiation support without an extension, so it also
        /// works in the extension-less SSLv3 probe.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// TLS_AES_128_GCM_SHA256 (TLS 1.3).
        TLS13_AES_128_GCM_SHA256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        /// TLS_AES_256_GCM_SHA384 (TLS 1.3).
        TLS13_AES_256_GCM_SHA384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        /// TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3).
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        /// TLS_AES_128_CCM_SHA256 (TLS 1.3).
        TLS13_AES_128_CCM_SHA256 = 0x1304 => "TLS_AES_128_CCM_SHA256",
        /// TLS_AES_128_CCM_8_SHA256 (TLS 1.3).
        TLS13_AES_128_CCM_8_SHA256 = 0x1305 => "TLS_AES_128_CCM_8_SHA256",
        /// TLS_FALLBACK_SCSV (RFC 7507 §2).
        TLS_FALLBACK_SCSV = 0x5600 => "TLS_FALLBACK_SCSV",
        /// TLS_ECDHE_ECDSA_WITH_RC4_128_SHA.
        TLS_ECDHE_ECDSA_WITH_RC4_128_SHA = 0xc007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        /// TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA.
        TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA = 0xc008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA.
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA.
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        /// TLS_ECDHE_RSA_WITH_RC4_128_SHA.
        TLS_ECDHE_RSA_WITH_RC4_128_SHA = 0xc011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        /// TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA.
        TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA = 0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA.
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA.
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256.
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384.
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256.
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384.
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384.
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS_RSA_WITH_ARIA_256_GCM_SHA384.
        TLS_RSA_WITH_ARIA_256_GCM_SHA384 = 0xc051 => "TLS_RSA_WITH_ARIA_256_GCM_SHA384",
        /// TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384.
        TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384 = 0xc053 => "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
        /// TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384.
        TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384 = 0xc05d => "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",
        /// TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384.
        TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384 = 0xc061 => "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
        /// TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384.
        TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384 = 0xc073 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
        /// TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384.
        TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384 = 0xc077 => "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
        /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    }
}

impl CipherSuite {
    /// The IANA name, if this suite is in our table.
    pub fn iana_name(self) -> Option<&'static str> {
        self.known_name()
    }
}

impl ProtocolVersion {
    /// True for the SSL 3.0 – TLS 1.3 range this crate probes.
    pub fn is_known(self) -> bool {
        self.known_name().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_versions_have_scanner_friendly_names_and_keep_unknowns() {
        assert_eq!(ProtocolVersion::SSLv3.name(), "SSLv3");
        assert_eq!(ProtocolVersion::TLSv1_0.name(), "TLSv1.0");
        assert_eq!(ProtocolVersion::TLSv1_1.name(), "TLSv1.1");
        assert_eq!(ProtocolVersion::TLSv1_2.name(), "TLSv1.2");
        assert_eq!(ProtocolVersion::TLSv1_3.name(), "TLSv1.3");
        assert_eq!(ProtocolVersion(0x7f1c).name(), "0x7f1c");
        assert_eq!(
            format!("{:?}", ProtocolVersion(0x7f1c)),
            "ProtocolVersion(0x7f1c)"
        );
        assert!(ProtocolVersion::TLSv1_2 < ProtocolVersion::TLSv1_3);
    }

    #[test]
    fn cipher_suites_report_iana_names_or_none() {
        assert_eq!(
            CipherSuite(0xc02f).iana_name(),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(
            CipherSuite(0x1301).iana_name(),
            Some("TLS_AES_128_GCM_SHA256")
        );
        assert_eq!(CipherSuite(0x5600).iana_name(), Some("TLS_FALLBACK_SCSV"));
        assert_eq!(CipherSuite(0xfefe).iana_name(), None);
        assert_eq!(CipherSuite(0xfefe).to_string(), "0xfefe");
    }

    #[test]
    fn alert_descriptions_cover_the_scanner_relevant_codes() {
        for (v, n) in [
            (0, "close_notify"),
            (10, "unexpected_message"),
            (20, "bad_record_mac"),
            (40, "handshake_failure"),
            (47, "illegal_parameter"),
            (50, "decode_error"),
            (70, "protocol_version"),
            (71, "insufficient_security"),
            (80, "internal_error"),
            (86, "inappropriate_fallback"),
            (90, "user_canceled"),
            (109, "missing_extension"),
            (112, "unrecognized_name"),
        ] {
            assert_eq!(AlertDescription(v).known_name(), Some(n));
        }
        assert_eq!(AlertDescription(201).name(), "0xc9");
    }

    #[test]
    fn enums_round_trip_through_the_codec() {
        let v = ProtocolVersion(0x0303).get_encoding();
        assert_eq!(v, [3, 3]);
        assert_eq!(
            ProtocolVersion::read_bytes(&v),
            Ok(ProtocolVersion::TLSv1_2)
        );
        assert_eq!(
            ContentType::read_bytes(&[]),
            Err(DecodeError::Truncated("ContentType"))
        );
    }
}
