//! Key types and their strength: certificate keys by SPKI algorithm, key-exchange groups by
//! `NamedGroup`, and the RSA-equivalent sizes that the key-exchange score compares them by.
//!
//! Report strings ("RSA", "EC P-256", "x25519", …) are produced and read here, so the rest of
//! the crate can hold a [`KeyType`] or a [`NamedGroup`] instead of matching text. Keys and
//! curves this module has no name for are kept with their OID, never dropped.

use std::borrow::Cow;

use crate::wire::enums::NamedGroup;

/// rsaEncryption (RFC 8017 Appendix C).
pub const OID_RSA: &str = "1.2.840.113549.1.1.1";
/// id-RSASSA-PSS (RFC 8017 Appendix C): an RSA key restricted to PSS signatures.
pub const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
/// id-ecPublicKey (RFC 5480 §2.1.1).
pub const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// id-Ed25519 (RFC 8410 §3).
pub const OID_ED25519: &str = "1.3.101.112";
/// id-Ed448 (RFC 8410 §3).
pub const OID_ED448: &str = "1.3.101.113";
/// id-dsa (RFC 3279 §2.3.2).
pub const OID_DSA: &str = "1.2.840.10040.4.1";

/// A named curve of an EC key (RFC 5480 §2.1.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// secp224r1, 1.3.132.0.33.
    P224,
    /// secp256r1, 1.2.840.10045.3.1.7.
    P256,
    /// secp384r1, 1.3.132.0.34.
    P384,
    /// secp521r1, 1.3.132.0.35.
    P521,
    /// Another named curve, by its OID in dotted form.
    Other(String),
    /// The parameters are absent or not a named-curve OID (explicit parameters, or
    /// implicitlyCA, which RFC 5480 §2.1.1 forbids in certificates).
    NotNamed,
}

impl Curve {
    /// The curve with this OID (dotted form).
    pub fn from_oid(oid: &str) -> Curve {
        match oid {
            "1.3.132.0.33" => Curve::P224,
            "1.2.840.10045.3.1.7" => Curve::P256,
            "1.3.132.0.34" => Curve::P384,
            "1.3.132.0.35" => Curve::P521,
            other => Curve::Other(other.to_owned()),
        }
    }

    /// The curve's size in bits, for the curves named here.
    pub fn bits(&self) -> Option<u32> {
        match self {
            Curve::P224 => Some(224),
            Curve::P256 => Some(256),
            Curve::P384 => Some(384),
            Curve::P521 => Some(521),
            Curve::Other(_) | Curve::NotNamed => None,
        }
    }

    /// The TLS group for the same curve (RFC 8422 §5.1.1), which an ECDSA certificate on it
    /// needs the client to offer before TLS 1.3.
    pub fn named_group(&self) -> Option<NamedGroup> {
        match self {
            Curve::P224 => Some(NamedGroup::SECP224R1),
            Curve::P256 => Some(NamedGroup::SECP256R1),
            Curve::P384 => Some(NamedGroup::SECP384R1),
            Curve::P521 => Some(NamedGroup::SECP521R1),
            Curve::Other(_) | Curve::NotNamed => None,
        }
    }
}

/// The type of a certificate's public key, or of finite-field DH parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA, either SPKI algorithm ([`OID_RSA`], [`OID_RSA_PSS`]).
    Rsa,
    /// DSA.
    Dsa,
    /// An EC key on a curve.
    Ec(Curve),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Finite-field DH parameters of a key exchange (their size comes from the
    /// ServerKeyExchange). Certificates are not read as DH: their keys keep their OID.
    Dh,
    /// An algorithm not named here, by its OID in dotted form.
    Unknown(String),
}

impl KeyType {
    /// The key type of an SPKI: `algorithm` is the AlgorithmIdentifier's OID and `curve` the
    /// named-curve OID of its parameters when they are one (both dotted).
    pub fn from_spki_oid(algorithm: &str, curve: Option<&str>) -> KeyType {
        match algorithm {
            OID_RSA | OID_RSA_PSS => KeyType::Rsa,
            OID_EC_PUBLIC_KEY => KeyType::Ec(curve.map_or(Curve::NotNamed, Curve::from_oid)),
            OID_ED25519 => KeyType::Ed25519,
            OID_ED448 => KeyType::Ed448,
            OID_DSA => KeyType::Dsa,
            other => KeyType::Unknown(other.to_owned()),
        }
    }

    /// The key type a report string names (the inverse of [`name`](Self::name)); a string
    /// this module did not produce comes back as [`KeyType::Unknown`].
    pub fn from_name(name: &str) -> KeyType {
        match name {
            "RSA" => KeyType::Rsa,
            "DSA" => KeyType::Dsa,
            "DH" => KeyType::Dh,
            "Ed25519" => KeyType::Ed25519,
            "Ed448" => KeyType::Ed448,
            "EC" => KeyType::Ec(Curve::NotNamed),
            "EC P-224" => KeyType::Ec(Curve::P224),
            "EC P-256" => KeyType::Ec(Curve::P256),
            "EC P-384" => KeyType::Ec(Curve::P384),
            "EC P-521" => KeyType::Ec(Curve::P521),
            other => match other.strip_prefix("EC ") {
                Some(oid) => KeyType::Ec(Curve::Other(oid.to_owned())),
                None => KeyType::Unknown(other.to_owned()),
            },
        }
    }

    /// The report string: "RSA", "DSA", "DH", "Ed25519", "Ed448", "EC P-256" (and P-224,
    /// P-384, P-521), `"EC <oid>"` for another curve, "EC" without a named curve, and the OID
    /// itself for an unknown algorithm.
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            KeyType::Rsa => "RSA".into(),
            KeyType::Dsa => "DSA".into(),
            KeyType::Dh => "DH".into(),
            KeyType::Ed25519 => "Ed25519".into(),
            KeyType::Ed448 => "Ed448".into(),
            KeyType::Ec(Curve::P224) => "EC P-224".into(),
            KeyType::Ec(Curve::P256) => "EC P-256".into(),
            KeyType::Ec(Curve::P384) => "EC P-384".into(),
            KeyType::Ec(Curve::P521) => "EC P-521".into(),
            KeyType::Ec(Curve::Other(oid)) => format!("EC {oid}").into(),
            KeyType::Ec(Curve::NotNamed) => "EC".into(),
            KeyType::Unknown(oid) => oid.as_str().into(),
        }
    }

    /// The key size that follows from the type alone: the curve size for EC, 256 for Ed25519
    /// and 456 for Ed448 (the bit lengths of their RFC 8032 §5.1.5 / §5.2.5 public keys).
    /// `None` where the size is in the key itself (RSA modulus, DSA and DH primes) or unknown.
    pub fn fixed_bits(&self) -> Option<u32> {
        match self {
            KeyType::Ec(c) => c.bits(),
            KeyType::Ed25519 => Some(256),
            KeyType::Ed448 => Some(456),
            KeyType::Rsa | KeyType::Dsa | KeyType::Dh | KeyType::Unknown(_) => None,
        }
    }

    /// The RSA modulus size of the same strength (NIST SP 800-57 Part 1, Table 2), which the
    /// key-exchange score is defined on: RSA and DH count their own `bits`; P-224 2048;
    /// P-256 and Ed25519 3072; P-384 and Ed448 7680; P-521 15360. `None` for DSA, other
    /// curves and unknown algorithms, which the score does not rate.
    pub fn rsa_equivalent_bits(&self, bits: Option<u32>) -> Option<u32> {
        match self {
            KeyType::Rsa | KeyType::Dh => bits,
            KeyType::Ec(Curve::P224) => Some(2048),
            KeyType::Ec(Curve::P256) | KeyType::Ed25519 => Some(3072),
            KeyType::Ec(Curve::P384) | KeyType::Ed448 => Some(7680),
            KeyType::Ec(Curve::P521) => Some(15360),
            KeyType::Ec(_) | KeyType::Dsa | KeyType::Unknown(_) => None,
        }
    }
}

impl NamedGroup {
    /// The RSA modulus size of the same strength as a key exchange on this group (NIST
    /// SP 800-57 Part 1, Table 2): secp224r1 2048; x25519 and secp256r1 3072; x448 and
    /// secp384r1 7680; secp521r1 15360; an RFC 7919 ffdhe group its modulus size. `None` for
    /// the curves under 224 bits (judged by their own check, not scored), for the hybrid
    /// X25519MLKEM768 (its post-quantum half has no RSA equivalent) and for unknown groups.
    pub fn rsa_equivalent_bits(self) -> Option<u32> {
        Some(match self {
            NamedGroup::SECP224R1 => 2048,
            NamedGroup::X25519 | NamedGroup::SECP256R1 => 3072,
            NamedGroup::X448 | NamedGroup::SECP384R1 => 7680,
            NamedGroup::SECP521R1 => 15360,
            NamedGroup::FFDHE2048 => 2048,
            NamedGroup::FFDHE3072 => 3072,
            NamedGroup::FFDHE4096 => 4096,
            NamedGroup::FFDHE6144 => 6144,
            NamedGroup::FFDHE8192 => 8192,
            _ => return None,
        })
    }

    /// The group whose registry name is `name`, ignoring ASCII case, so both the wire names
    /// ("x25519", "ffdhe2048") and rustls's spellings ("X25519", "FFDHE2048") are found.
    pub fn from_report_name(name: &str) -> Option<NamedGroup> {
        NamedGroup::KNOWN
            .iter()
            .copied()
            .find(|g| g.known_name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }
}

/// The RSA-equivalent size of a key or group named as the report names it: a [`KeyType`]
/// name with the key's `bits`, or else a group name (whose size is fixed, so `bits` is not
/// used).
pub fn rsa_equivalent(name: &str, bits: Option<u32>) -> Option<u32> {
    match KeyType::from_name(name) {
        KeyType::Unknown(_) => NamedGroup::from_report_name(name)?.rsa_equivalent_bits(),
        k => k.rsa_equivalent_bits(bits),
    }
}

/// Written as its report name (`RSA`, `EC P-256`, …); any name reads back (an unknown one as
/// [`KeyType::Unknown`]), so a report from another version always loads.
impl serde::Serialize for KeyType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> serde::Deserialize<'de> for KeyType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(KeyType::from_name(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_oids_give_the_report_names_and_sizes() {
        let cases: [(&str, Option<&str>, &str, Option<u32>); 12] = [
            (OID_RSA, None, "RSA", None),
            (OID_RSA_PSS, None, "RSA", None),
            (
                OID_EC_PUBLIC_KEY,
                Some("1.2.840.10045.3.1.7"),
                "EC P-256",
                Some(256),
            ),
            (
                OID_EC_PUBLIC_KEY,
                Some("1.3.132.0.34"),
                "EC P-384",
                Some(384),
            ),
            (
                OID_EC_PUBLIC_KEY,
                Some("1.3.132.0.35"),
                "EC P-521",
                Some(521),
            ),
            (
                OID_EC_PUBLIC_KEY,
                Some("1.3.132.0.33"),
                "EC P-224",
                Some(224),
            ),
            (
                OID_EC_PUBLIC_KEY,
                Some("1.3.36.3.3.2.8.1.1.7"),
                "EC 1.3.36.3.3.2.8.1.1.7",
                None,
            ),
            (OID_EC_PUBLIC_KEY, None, "EC", None),
            (OID_ED25519, None, "Ed25519", Some(256)),
            (OID_ED448, None, "Ed448", Some(456)),
            (OID_DSA, None, "DSA", None),
            ("1.2.840.10046.2.1", None, "1.2.840.10046.2.1", None),
        ];
        for (alg, curve, name, bits) in cases {
            let k = KeyType::from_spki_oid(alg, curve);
            assert_eq!(k.name(), name, "{alg} {curve:?}");
            assert_eq!(k.fixed_bits(), bits, "{name}");
            // The report string reads back as the same key type (OIDs stay unknown).
            assert_eq!(KeyType::from_name(name), k, "{name}");
        }
        assert_eq!(KeyType::Dh.name(), "DH");
        assert_eq!(KeyType::from_name("DH"), KeyType::Dh);
        assert_eq!(
            KeyType::from_spki_oid(OID_EC_PUBLIC_KEY, Some("1.3.132.0.35")),
            KeyType::Ec(Curve::P521)
        );
    }

    #[test]
    fn rsa_equivalents_keep_the_scores_figures() {
        let cases: [(&str, Option<u32>, Option<u32>); 21] = [
            ("RSA", Some(2048), Some(2048)),
            ("RSA", Some(1000), Some(1000)),
            ("RSA", None, None),
            ("DH", Some(1024), Some(1024)),
            ("EC P-224", None, Some(2048)),
            ("EC P-256", Some(256), Some(3072)),
            ("Ed25519", Some(256), Some(3072)),
            ("EC P-384", Some(384), Some(7680)),
            ("Ed448", Some(456), Some(7680)),
            ("EC P-521", Some(521), Some(15360)),
            ("x25519", None, Some(3072)),
            ("secp256r1", None, Some(3072)),
            ("secp384r1", None, Some(7680)),
            ("x448", None, Some(7680)),
            ("secp521r1", None, Some(15360)),
            ("ffdhe2048", None, Some(2048)),
            ("FFDHE3072", None, Some(3072)),
            ("DSA", Some(2048), None),
            ("EC 1.3.36.3.3.2.8.1.1.7", None, None),
            ("X25519MLKEM768", None, None),
            ("1.2.840.10046.2.1", Some(2048), None),
        ];
        for (name, bits, want) in cases {
            assert_eq!(rsa_equivalent(name, bits), want, "{name} {bits:?}");
        }
    }

    #[test]
    fn groups_are_found_by_either_spelling_and_rated_by_size() {
        assert_eq!(
            NamedGroup::from_report_name("x25519"),
            Some(NamedGroup::X25519)
        );
        assert_eq!(
            NamedGroup::from_report_name("X25519"),
            Some(NamedGroup::X25519)
        );
        assert_eq!(
            NamedGroup::from_report_name("FFDHE8192"),
            Some(NamedGroup::FFDHE8192)
        );
        assert_eq!(NamedGroup::from_report_name("0x0017"), None);
        assert_eq!(NamedGroup::from_report_name(""), None);
        assert_eq!(NamedGroup::FFDHE6144.rsa_equivalent_bits(), Some(6144));
        assert_eq!(NamedGroup::FFDHE4096.rsa_equivalent_bits(), Some(4096));
        assert_eq!(NamedGroup::SECP224R1.rsa_equivalent_bits(), Some(2048));
        for g in [
            NamedGroup::SECP192R1,
            NamedGroup::SECT163K1,
            NamedGroup(0xfefe),
        ] {
            assert_eq!(g.rsa_equivalent_bits(), None, "{g:?}");
        }
        // A certificate curve and its TLS group are rated alike.
        for c in [Curve::P224, Curve::P256, Curve::P384, Curve::P521] {
            let g = c.named_group().expect("named here");
            assert_eq!(
                KeyType::Ec(c.clone()).rsa_equivalent_bits(None),
                g.rsa_equivalent_bits(),
                "{c:?}"
            );
        }
        assert_eq!(Curve::Other("1.2.3".into()).named_group(), None);
    }
}
