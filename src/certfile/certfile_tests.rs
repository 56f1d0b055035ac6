//! Tests of the certificate-file reader against files the real `openssl` CLI writes at test
//! time: a root, an intermediate and leaves (RSA 2048, ECDSA P-256, Ed25519) valid from now, as
//! PEM in every order and key format, and as PFX in the encryptions Windows, Exchange and
//! OpenSSL 3 use; then every truncation of them, random bytes and oversized input.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use super::*;

const PW: &str = "Secret-1";

/// Every file the tests read, generated once per test run; the temporary directory is gone by
/// the time a test runs.
struct Pki {
    ca: Vec<u8>,
    int: Vec<u8>,
    /// Same subject as `int`, another key, also issued by the root.
    impostor: Vec<u8>,
    leaf: Vec<u8>,
    ec_leaf: Vec<u8>,
    ed_leaf: Vec<u8>,
    /// A self-signed non-CA certificate from elsewhere.
    stray: Vec<u8>,
    /// A P-384 intermediate, a same-name impostor of it, and a P-256 leaf it issued (ECDSA
    /// signatures on the path).
    ec_int: Vec<u8>,
    ec_impostor: Vec<u8>,
    ec_child: Vec<u8>,
    ec_int_der: Vec<u8>,
    ec_child_der: Vec<u8>,
    /// Leaves on P-384 (ring derives the point), P-521 (the stored point is compared) and
    /// Ed448 (not derivable), with their keys.
    p384_leaf: Vec<u8>,
    p384_key: Vec<u8>,
    p521_leaf: Vec<u8>,
    p521_key: Vec<u8>,
    p521_key_no_public: Vec<u8>,
    ed448_leaf: Vec<u8>,
    ed448_key: Vec<u8>,
    // DER of the certificates above.
    ca_der: Vec<u8>,
    int_der: Vec<u8>,
    leaf_der: Vec<u8>,
    ec_leaf_der: Vec<u8>,
    ed_leaf_der: Vec<u8>,
    // Keys of `leaf`, `ec_leaf`, `ed_leaf` in each format, and others.
    rsa_pkcs8: Vec<u8>,
    rsa_pkcs1: Vec<u8>,
    ec_pkcs8: Vec<u8>,
    ec_sec1: Vec<u8>,
    ec_sec1_no_public: Vec<u8>,
    ec_pkcs8_no_public: Vec<u8>,
    ed_pkcs8: Vec<u8>,
    other_rsa: Vec<u8>,
    other_ec_no_public: Vec<u8>,
    rsa_pbes2: Vec<u8>,
    rsa_pbes1_3des: Vec<u8>,
    rsa_legacy_encrypted: Vec<u8>,
    rsa_pbes2_sha1_prf: Vec<u8>,
    rsa_pbes2_des3: Vec<u8>,
    // PFX files of leaf + int + ca + the leaf's key, password PW unless said.
    pfx_default: Vec<u8>,
    pfx_legacy: Vec<u8>,
    pfx_exchange: Vec<u8>,
    pfx_empty_password: Vec<u8>,
    pfx_no_mac_no_encryption: Vec<u8>,
    pfx_no_key: Vec<u8>,
    /// Encrypted as by default but without a MAC: only the decryption can tell a wrong password.
    pfx_no_mac: Vec<u8>,
    pfx_ec: Vec<u8>,
    /// `openssl pkcs12 -nodes` output of `pfx_default`: Bag Attributes around every block.
    pem_from_pfx: Vec<u8>,
    p7b_der: Vec<u8>,
    p7b_pem: Vec<u8>,
}

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mail.example.test
";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(build_pki)
}

fn build_pki() -> Pki {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let run = |args: &[&str]| openssl(d, args);
    let file = |name: &str| std::fs::read(d.join(name)).expect(name);
    std::fs::write(d.join("cfg"), CONFIG).expect("config");

    let rsa = |name: &str| {
        run(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            name,
        ]);
    };
    let ec = |name: &str| {
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            name,
        ]);
    };
    rsa("ca.key");
    rsa("int.key");
    rsa("impostor.key");
    rsa("leaf.key");
    rsa("other.key");
    ec("ec.key");
    ec("other-ec.key");
    ec("stray.key");
    ec("ec-child.key");
    let curve = |name: &str, curve: &str| {
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            curve,
            "-out",
            name,
        ]);
    };
    curve("ec-int.key", "ec_paramgen_curve:P-384");
    curve("ec-impostor.key", "ec_paramgen_curve:P-384");
    curve("p384.key", "ec_paramgen_curve:P-384");
    curve("p521.key", "ec_paramgen_curve:P-521");
    run(&["genpkey", "-algorithm", "ED448", "-out", "ed448.key"]);
    run(&["genpkey", "-algorithm", "ED25519", "-out", "ed.key"]);

    run(&[
        "req",
        "-x509",
        "-new",
        "-config",
        "cfg",
        "-extensions",
        "ca",
        "-key",
        "ca.key",
        "-subj",
        "/O=tlsgrade test/CN=Test Root",
        "-days",
        "30",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-x509",
        "-new",
        "-config",
        "cfg",
        "-extensions",
        "leaf",
        "-key",
        "stray.key",
        "-subj",
        "/CN=stray.example.test",
        "-days",
        "30",
        "-out",
        "stray.pem",
    ]);
    let mut serial = 100;
    let mut issue = |key: &str, subject: &str, ca: &str, ca_key: &str, ext: &str, out: &str| {
        serial += 1;
        run(&[
            "req", "-new", "-config", "cfg", "-key", key, "-subj", subject, "-out", "x.csr",
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            "x.csr",
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-set_serial",
            &serial.to_string(),
            "-days",
            "30",
            "-extfile",
            "cfg",
            "-extensions",
            ext,
            "-out",
            out,
        ]);
    };
    let int_dn = "/O=tlsgrade test/CN=Test Intermediate";
    issue("int.key", int_dn, "ca.pem", "ca.key", "ca", "int.pem");
    issue(
        "impostor.key",
        int_dn,
        "ca.pem",
        "ca.key",
        "ca",
        "impostor.pem",
    );
    issue(
        "leaf.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "leaf.pem",
    );
    issue(
        "ec.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "ec.pem",
    );
    issue(
        "ed.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "ed.pem",
    );
    let ec_int_dn = "/O=tlsgrade test/CN=Test EC Intermediate";
    issue(
        "ec-int.key",
        ec_int_dn,
        "ca.pem",
        "ca.key",
        "ca",
        "ec-int.pem",
    );
    issue(
        "ec-impostor.key",
        ec_int_dn,
        "ca.pem",
        "ca.key",
        "ca",
        "ec-impostor.pem",
    );
    issue(
        "ec-child.key",
        "/CN=mx.example.test",
        "ec-int.pem",
        "ec-int.key",
        "leaf",
        "ec-child.pem",
    );
    issue(
        "p384.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "p384.pem",
    );
    issue(
        "p521.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "p521.pem",
    );
    issue(
        "ed448.key",
        "/CN=mail.example.test",
        "int.pem",
        "int.key",
        "leaf",
        "ed448.pem",
    );
    let der = |pem: &str| run(&["x509", "-in", pem, "-outform", "DER"]);

    let chain = [file("int.pem"), file("ca.pem")].concat();
    std::fs::write(d.join("chain.pem"), &chain).expect("chain");
    std::fs::write(
        d.join("full.pem"),
        [file("leaf.pem"), chain.clone()].concat(),
    )
    .expect("full");
    let pass = format!("pass:{PW}");
    let export = |inkey: &str, leaf: &str, pass: &str, extra: &[&str]| {
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            leaf,
            "-inkey",
            inkey,
            "-certfile",
            "chain.pem",
            "-passout",
            pass,
            "-out",
            "out.p12",
        ];
        args.extend_from_slice(extra);
        run(&args);
        file("out.p12")
    };
    let pfx_default = export("leaf.key", "leaf.pem", &pass, &[]);
    std::fs::write(d.join("default.p12"), &pfx_default).expect("pfx");

    Pki {
        ca: file("ca.pem"),
        int: file("int.pem"),
        impostor: file("impostor.pem"),
        leaf: file("leaf.pem"),
        ec_leaf: file("ec.pem"),
        ed_leaf: file("ed.pem"),
        stray: file("stray.pem"),
        ec_int: file("ec-int.pem"),
        ec_impostor: file("ec-impostor.pem"),
        ec_child: file("ec-child.pem"),
        ec_int_der: der("ec-int.pem"),
        ec_child_der: der("ec-child.pem"),
        p384_leaf: file("p384.pem"),
        p384_key: file("p384.key"),
        p521_leaf: file("p521.pem"),
        p521_key: run(&["pkey", "-in", "p521.key", "-traditional"]),
        p521_key_no_public: run(&["ec", "-in", "p521.key", "-no_public"]),
        ed448_leaf: file("ed448.pem"),
        ed448_key: file("ed448.key"),
        ca_der: der("ca.pem"),
        int_der: der("int.pem"),
        leaf_der: der("leaf.pem"),
        ec_leaf_der: der("ec.pem"),
        ed_leaf_der: der("ed.pem"),
        rsa_pkcs8: file("leaf.key"),
        rsa_pkcs1: run(&["pkey", "-in", "leaf.key", "-traditional"]),
        ec_pkcs8: file("ec.key"),
        ec_sec1: run(&["pkey", "-in", "ec.key", "-traditional"]),
        ec_sec1_no_public: run(&["ec", "-in", "ec.key", "-no_public"]),
        ec_pkcs8_no_public: {
            std::fs::write(
                d.join("nopub.key"),
                run(&["ec", "-in", "ec.key", "-no_public"]),
            )
            .expect("key");
            run(&["pkcs8", "-topk8", "-nocrypt", "-in", "nopub.key"])
        },
        ed_pkcs8: file("ed.key"),
        other_rsa: file("other.key"),
        other_ec_no_public: run(&["ec", "-in", "other-ec.key", "-no_public"]),
        rsa_pbes2: run(&["pkey", "-in", "leaf.key", "-aes256", "-passout", &pass]),
        rsa_pbes1_3des: run(&[
            "pkcs8",
            "-topk8",
            "-in",
            "leaf.key",
            "-v1",
            "PBE-SHA1-3DES",
            "-passout",
            &pass,
        ]),
        rsa_legacy_encrypted: run(&[
            "rsa",
            "-in",
            "leaf.key",
            "-aes256",
            "-traditional",
            "-passout",
            &pass,
        ]),
        rsa_pbes2_sha1_prf: run(&[
            "pkcs8",
            "-topk8",
            "-in",
            "leaf.key",
            "-v2",
            "aes256",
            "-v2prf",
            "hmacWithSHA1",
            "-passout",
            &pass,
        ]),
        rsa_pbes2_des3: run(&[
            "pkcs8", "-topk8", "-in", "leaf.key", "-v2", "des3", "-passout", &pass,
        ]),
        pfx_legacy: export("leaf.key", "leaf.pem", &pass, &["-legacy"]),
        pfx_exchange: export(
            "leaf.key",
            "leaf.pem",
            &pass,
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
        pfx_empty_password: export("leaf.key", "leaf.pem", "pass:", &[]),
        pfx_no_mac_no_encryption: export(
            "leaf.key",
            "leaf.pem",
            "pass:",
            &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
        ),
        pfx_no_key: {
            run(&[
                "pkcs12",
                "-export",
                "-nokeys",
                "-in",
                "full.pem",
                "-passout",
                &pass,
                "-out",
                "nokey.p12",
            ]);
            file("nokey.p12")
        },
        pfx_ec: export("ec.key", "ec.pem", &pass, &[]),
        pfx_no_mac: export("leaf.key", "leaf.pem", &pass, &["-nomac"]),
        pem_from_pfx: run(&["pkcs12", "-in", "default.p12", "-nodes", "-passin", &pass]),
        p7b_der: run(&[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "full.pem",
            "-outform",
            "DER",
        ]),
        p7b_pem: run(&["crl2pkcs7", "-nocrl", "-certfile", "full.pem"]),
        pfx_default,
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn ok(bytes: &[u8], password: Option<&str>) -> CertFile {
    match read(bytes, password) {
        Ok(f) => f,
        Err(e) => panic!("expected a certificate file, got {} ({e})", e.kind()),
    }
}

fn kind(bytes: &[u8], password: Option<&str>) -> &'static str {
    match read(bytes, password) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(e) => e.kind(),
    }
}

fn ders(f: &CertFile) -> Vec<&[u8]> {
    f.chain.iter().map(|c| c.as_ref()).collect()
}

/// leaf, int, root as DER.
fn full_chain(p: &Pki) -> Vec<&[u8]> {
    vec![&p.leaf_der, &p.int_der, &p.ca_der]
}

// ------------------------------------------------------------------------------------------
// PEM

#[test]
fn pem_in_order_with_its_key() {
    let p = pki();
    let f = ok(&cat(&[&p.leaf, &p.int, &p.ca, &p.rsa_pkcs8]), None);
    assert_eq!(f.format, Format::Pem);
    assert_eq!(ders(&f), full_chain(p));
    assert!(f.in_order);
    assert_eq!((f.unrelated, f.duplicates, f.private_keys), (0, 0, 1));
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pem_shuffled_is_put_in_order() {
    let p = pki();
    for file in [
        cat(&[&p.ca, &p.leaf, &p.int]),
        cat(&[&p.int, &p.ca, &p.rsa_pkcs8, &p.leaf]),
        cat(&[&p.ca, &p.int, &p.leaf]),
        cat(&[&p.leaf, &p.ca, &p.int]),
    ] {
        let f = ok(&file, None);
        assert_eq!(ders(&f), full_chain(p));
        assert!(!f.in_order);
        assert_eq!(f.unrelated, 0);
    }
    // Without the root, and with the leaf alone, the chain goes as far as the file.
    let f = ok(&cat(&[&p.int, &p.leaf]), None);
    assert_eq!(ders(&f), vec![&p.leaf_der[..], &p.int_der]);
    assert!(!f.in_order);
    let f = ok(&p.leaf, None);
    assert_eq!(ders(&f), vec![&p.leaf_der[..]]);
    assert!(f.in_order);
    assert_eq!(f.key, KeyMatch::Absent);
}

#[test]
fn pem_unrelated_certificates_are_counted_not_chained() {
    let p = pki();
    // After the chain: still in order.
    let f = ok(&cat(&[&p.leaf, &p.int, &p.ca, &p.stray]), None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.unrelated, 1);
    assert!(f.in_order);
    // First in the file, a self-signed non-CA certificate is not taken for the leaf.
    let f = ok(&cat(&[&p.stray, &p.leaf, &p.int, &p.ca]), None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.unrelated, 1);
    assert!(!f.in_order);
    // Two leaves: the one the key belongs to is the leaf, the other is unrelated.
    let f = ok(&cat(&[&p.leaf, &p.ec_leaf, &p.int, &p.ec_sec1]), None);
    assert_eq!(ders(&f), vec![&p.ec_leaf_der[..], &p.int_der]);
    assert_eq!(f.unrelated, 1);
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pem_same_name_intermediate_with_another_key_is_not_the_issuer() {
    let p = pki();
    // The impostor has the intermediate's subject; only the signature tells them apart.
    let f = ok(&cat(&[&p.leaf, &p.impostor, &p.int, &p.ca]), None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.unrelated, 1);
    assert!(!f.in_order);
    let f = ok(&cat(&[&p.impostor, &p.leaf, &p.ca]), None);
    assert_eq!(ders(&f), vec![&p.leaf_der[..]]);
    assert_eq!(f.unrelated, 2);
}

#[test]
fn pem_same_name_ecdsa_intermediate_with_another_key_is_not_the_issuer() {
    let p = pki();
    let f = ok(&cat(&[&p.ec_impostor, &p.ca, &p.ec_child, &p.ec_int]), None);
    assert_eq!(
        ders(&f),
        vec![&p.ec_child_der[..], &p.ec_int_der, &p.ca_der]
    );
    assert_eq!(f.unrelated, 1);
    assert!(!f.in_order);
    let f = ok(&cat(&[&p.ec_child, &p.ec_impostor, &p.ca]), None);
    assert_eq!(ders(&f), vec![&p.ec_child_der[..]]);
    assert_eq!(f.unrelated, 2);
}

#[test]
fn pem_with_a_byte_order_mark() {
    let p = pki();
    let f = ok(&cat(&[b"\xef\xbb\xbf", &p.leaf, &p.int]), None);
    assert_eq!(ders(&f), vec![&p.leaf_der[..], &p.int_der]);
}

#[test]
fn keys_on_other_curves_and_algorithms() {
    let p = pki();
    let judged = |leaf: &[u8], key: &[u8]| ok(&cat(&[leaf, key]), None).key;
    assert_eq!(judged(&p.p384_leaf, &p.p384_key), KeyMatch::Matches);
    assert_eq!(judged(&p.p384_leaf, &p.ec_pkcs8), KeyMatch::DoesNotMatch);
    assert_eq!(judged(&p.ec_leaf, &p.p384_key), KeyMatch::DoesNotMatch);
    // P-521: ring has no P-521 signing, so the point stored in the key is compared.
    assert_eq!(judged(&p.p521_leaf, &p.p521_key), KeyMatch::Matches);
    assert_eq!(judged(&p.p384_leaf, &p.p521_key), KeyMatch::DoesNotMatch);
    assert!(matches!(
        judged(&p.p521_leaf, &p.p521_key_no_public),
        KeyMatch::Unverifiable { .. }
    ));
    // Ed448: never claimed to match, but certainly not an RSA leaf's key.
    assert!(matches!(
        judged(&p.ed448_leaf, &p.ed448_key),
        KeyMatch::Unverifiable { .. }
    ));
    assert_eq!(judged(&p.leaf, &p.ed448_key), KeyMatch::DoesNotMatch);
}

#[test]
fn pem_duplicates_are_counted() {
    let p = pki();
    let f = ok(&cat(&[&p.leaf, &p.int, &p.int, &p.ca]), None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!((f.duplicates, f.unrelated), (1, 0));
    assert!(!f.in_order);
}

#[test]
fn pem_key_formats_match_their_leaf() {
    let p = pki();
    let cases: [(&[u8], &[u8]); 7] = [
        (&p.leaf, &p.rsa_pkcs8),
        (&p.leaf, &p.rsa_pkcs1),
        (&p.ec_leaf, &p.ec_pkcs8),
        (&p.ec_leaf, &p.ec_sec1),
        (&p.ec_leaf, &p.ec_sec1_no_public),
        (&p.ec_leaf, &p.ec_pkcs8_no_public),
        (&p.ed_leaf, &p.ed_pkcs8),
    ];
    for (i, (leaf, key)) in cases.into_iter().enumerate() {
        let f = ok(&cat(&[key, leaf, &p.int]), None);
        assert_eq!(f.key, KeyMatch::Matches, "case {i}");
        assert_eq!(f.private_keys, 1);
    }
    assert!(String::from_utf8_lossy(&p.rsa_pkcs1).contains("BEGIN RSA PRIVATE KEY"));
    assert!(String::from_utf8_lossy(&p.ec_sec1).contains("BEGIN EC PRIVATE KEY"));
    let f = ok(&cat(&[&p.ed_leaf, &p.ed_pkcs8]), None);
    assert_eq!(ders(&f), vec![&p.ed_leaf_der[..]]);
}

#[test]
fn pem_another_key_does_not_match() {
    let p = pki();
    let cases: [(&[u8], &[u8]); 6] = [
        (&p.leaf, &p.other_rsa),
        (&p.leaf, &p.ec_sec1),
        (&p.ec_leaf, &p.rsa_pkcs1),
        // Without a stored public point the key's point is derived (ring) and compared.
        (&p.ec_leaf, &p.other_ec_no_public),
        (&p.ed_leaf, &p.ec_pkcs8),
        (&p.leaf, &p.ed_pkcs8),
    ];
    for (i, (leaf, key)) in cases.into_iter().enumerate() {
        let f = ok(&cat(&[leaf, &p.int, key]), None);
        assert_eq!(f.key, KeyMatch::DoesNotMatch, "case {i}");
    }
    let f = ok(&cat(&[&p.leaf, &p.int, &p.ca]), None);
    assert_eq!((f.key, f.private_keys), (KeyMatch::Absent, 0));
    // Two keys, one of them the leaf's.
    let f = ok(&cat(&[&p.leaf, &p.other_rsa, &p.rsa_pkcs8]), None);
    assert_eq!((f.key, f.private_keys), (KeyMatch::Matches, 2));
}

#[test]
fn pem_encrypted_keys() {
    let p = pki();
    for key in [&p.rsa_pbes2, &p.rsa_pbes1_3des] {
        assert!(String::from_utf8_lossy(key).contains("BEGIN ENCRYPTED PRIVATE KEY"));
        let file = cat(&[&p.leaf, &p.int, key]);
        assert_eq!(ok(&file, Some(PW)).key, KeyMatch::Matches);
        assert_eq!(kind(&file, Some("wrong")), "wrong-password");
        assert_eq!(kind(&file, Some("")), "wrong-password");
        assert_eq!(kind(&file, None), "password-needed");
    }
    // Encrypted against another leaf: decrypted, then judged.
    let file = cat(&[&p.ec_leaf, &p.rsa_pbes2]);
    assert_eq!(ok(&file, Some(PW)).key, KeyMatch::DoesNotMatch);
    // Schemes that are refused before any password is tried, whatever the password.
    for key in [
        &p.rsa_legacy_encrypted,
        &p.rsa_pbes2_sha1_prf,
        &p.rsa_pbes2_des3,
    ] {
        let file = cat(&[&p.leaf, key]);
        assert_eq!(kind(&file, Some(PW)), "unsupported");
        assert_eq!(kind(&file, Some("wrong")), "unsupported");
    }
}

#[test]
fn pem_written_by_openssl_pkcs12_with_bag_attributes() {
    let p = pki();
    assert!(String::from_utf8_lossy(&p.pem_from_pfx).contains("Bag Attributes"));
    let f = ok(&p.pem_from_pfx, None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pem_crlf_line_ends() {
    let p = pki();
    let text =
        String::from_utf8_lossy(&cat(&[&p.leaf, &p.int, &p.rsa_pkcs8])).replace('\n', "\r\n");
    let f = ok(text.as_bytes(), None);
    assert_eq!(ders(&f), vec![&p.leaf_der[..], &p.int_der]);
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pem_damage() {
    let p = pki();
    // A character base64 does not have, inside the certificate.
    let mut bad = p.leaf.clone();
    let at = bad.iter().position(|&b| b == b'\n').expect("a line") + 5;
    bad[at] = b'*';
    assert_eq!(kind(&bad, None), "malformed");
    // Valid base64 of a broken certificate: drop one line from the middle.
    let text = String::from_utf8_lossy(&p.leaf).into_owned();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(3);
    assert_eq!(kind(lines.join("\n").as_bytes(), None), "malformed");
    // END of another label.
    let mixed = String::from_utf8_lossy(&p.leaf).replace("END CERTIFICATE", "END PRIVATE KEY");
    assert_eq!(kind(mixed.as_bytes(), None), "malformed");
    // An EC key whose scalar is out of range for P-256, hand-built: SEC1 with 32 × 0xff.
    let sec1 = der::tlv(
        der::SEQUENCE,
        &[
            der::tlv(der::INTEGER, &[1]),
            der::tlv(der::OCTET_STRING, &[0xff; 32]),
            der::tlv(der::CTX0, &der::tlv(der::OID, oid::P256)),
        ]
        .concat(),
    );
    let key = pem("EC PRIVATE KEY", &sec1);
    assert_eq!(kind(&cat(&[&p.ec_leaf, &key]), None), "malformed");
}

#[test]
fn pem_without_certificates() {
    let p = pki();
    assert_eq!(
        read(&p.rsa_pkcs8, None),
        Err(CertFileError::NoCertificate { private_key: true })
    );
    assert_eq!(
        read(b"-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n", None),
        Err(CertFileError::NoCertificate { private_key: false })
    );
    assert_eq!(kind(&p.p7b_pem, None), "unsupported");
    assert_eq!(kind(&p.p7b_der, None), "unsupported");
}

#[test]
fn pem_too_many_certificates() {
    let p = pki();
    let many: Vec<u8> = (0..=MAX_CERTIFICATES).flat_map(|_| p.int.clone()).collect();
    assert_eq!(kind(&many, None), "too-many");
    let enough: Vec<u8> = (0..MAX_CERTIFICATES).flat_map(|_| p.int.clone()).collect();
    assert_eq!(ok(&enough, None).duplicates, MAX_CERTIFICATES - 1);
}

// ------------------------------------------------------------------------------------------
// DER

#[test]
fn der_certificate() {
    let p = pki();
    let f = ok(&p.leaf_der, None);
    assert_eq!(f.format, Format::Der);
    assert_eq!(ders(&f), vec![&p.leaf_der[..]]);
    assert_eq!(f.key, KeyMatch::Absent);
    assert!(!looks_like_pkcs12(&p.leaf_der));
}

// ------------------------------------------------------------------------------------------
// PKCS#12

#[test]
fn pfx_encryptions_windows_exchange_and_openssl_write() {
    let p = pki();
    for (name, pfx) in [
        ("PBES2 AES-256 (OpenSSL 3 default)", &p.pfx_default),
        ("RC2-40 certificates, 3DES key (-legacy)", &p.pfx_legacy),
        ("3DES, SHA-1 MAC (Exchange)", &p.pfx_exchange),
    ] {
        assert!(looks_like_pkcs12(pfx), "{name}");
        let f = ok(pfx, Some(PW));
        assert_eq!(f.format, Format::Pkcs12, "{name}");
        assert_eq!(ders(&f), full_chain(p), "{name}");
        assert!(f.in_order, "{name}");
        assert_eq!((f.unrelated, f.private_keys), (0, 1), "{name}");
        assert_eq!(f.key, KeyMatch::Matches, "{name}");
        assert_eq!(kind(pfx, Some("Secret-2")), "wrong-password", "{name}");
        assert_eq!(kind(pfx, Some("")), "wrong-password", "{name}");
        assert_eq!(kind(pfx, None), "password-needed", "{name}");
    }
    let f = ok(&p.pfx_ec, Some(PW));
    assert_eq!(ders(&f), vec![&p.ec_leaf_der[..], &p.int_der, &p.ca_der]);
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pfx_empty_password_is_a_password() {
    let p = pki();
    let f = ok(&p.pfx_empty_password, Some(""));
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.key, KeyMatch::Matches);
    assert_eq!(kind(&p.pfx_empty_password, None), "password-needed");
    assert_eq!(kind(&p.pfx_empty_password, Some(PW)), "wrong-password");
}

#[test]
fn pfx_without_mac_or_encryption_needs_no_password() {
    let p = pki();
    let f = ok(&p.pfx_no_mac_no_encryption, None);
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.key, KeyMatch::Matches);
}

#[test]
fn pfx_encrypted_without_mac() {
    let p = pki();
    let f = ok(&p.pfx_no_mac, Some(PW));
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!(f.key, KeyMatch::Matches);
    for wrong in ["Secret-2", "", "x"] {
        assert_eq!(
            kind(&p.pfx_no_mac, Some(wrong)),
            "wrong-password",
            "{wrong:?}"
        );
    }
    assert_eq!(kind(&p.pfx_no_mac, None), "password-needed");
}

#[test]
fn pfx_without_a_key() {
    let p = pki();
    let f = ok(&p.pfx_no_key, Some(PW));
    assert_eq!(ders(&f), full_chain(p));
    assert_eq!((f.key, f.private_keys), (KeyMatch::Absent, 0));
}

#[test]
fn pfx_in_ber_is_unsupported() {
    let p = pki();
    // The same PFX with its outer SEQUENCE re-encoded with an indefinite length.
    let (_, hdr, len) = der::header(&p.pfx_default).expect("a DER header");
    assert_eq!(hdr + len, p.pfx_default.len());
    let ber = cat(&[&[0x30, 0x80], &p.pfx_default[hdr..], &[0, 0]]);
    assert!(looks_like_pkcs12(&ber));
    assert_eq!(kind(&ber, Some(PW)), "unsupported");
}

#[test]
fn pfx_with_a_flipped_byte_fails_its_mac() {
    let p = pki();
    let mut pfx = p.pfx_default.clone();
    let mid = pfx.len() / 2;
    pfx[mid] ^= 0x01;
    let k = kind(&pfx, Some(PW));
    assert!(k == "wrong-password" || k == "malformed", "{k}");
}

// ------------------------------------------------------------------------------------------
// Hostile input

#[test]
fn every_truncated_pfx_is_refused() {
    let p = pki();
    for pfx in [&p.pfx_default, &p.pfx_legacy, &p.pfx_no_mac_no_encryption] {
        for len in 0..pfx.len() {
            let prefix = &pfx[..len];
            match read(prefix, Some(PW)) {
                Ok(_) => panic!("prefix of {len} bytes read as a certificate file"),
                Err(CertFileError::NoCertificate { .. }) => assert_eq!(len, 0),
                Err(e) => assert_eq!(e.kind(), "truncated", "prefix of {len} bytes: {e}"),
            }
            if len > 0 {
                assert_eq!(kind(prefix, None), "truncated");
            }
        }
    }
}

/// Every prefix of a PEM file either ends inside a block (truncated) or holds only whole
/// blocks, and then reads as exactly those.
#[test]
fn every_truncated_pem_is_refused_or_read_as_its_whole_blocks() {
    let p = pki();
    let file = cat(&[&p.leaf, &p.int, &p.rsa_pkcs8, &p.ca]);
    let end_cert = b"-----END CERTIFICATE-----";
    let end_key = b"-----END PRIVATE KEY-----";
    let count =
        |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).filter(|w| *w == needle).count();
    let mut read_ok = 0;
    for len in 0..=file.len() {
        let prefix = &file[..len];
        let certs = count(prefix, end_cert);
        let keys = count(prefix, end_key);
        match read(prefix, None) {
            Ok(f) => {
                read_ok += 1;
                assert_eq!(f.chain.len() + f.unrelated, certs, "prefix of {len}");
                assert_eq!(f.private_keys, keys, "prefix of {len}");
                assert_eq!(f.key == KeyMatch::Matches, keys == 1, "prefix of {len}");
            }
            Err(CertFileError::NoCertificate { .. }) => assert_eq!(certs, 0, "prefix of {len}"),
            Err(e) => assert_eq!(e.kind(), "truncated", "prefix of {len}: {e}"),
        }
    }
    // One whole-blocks prefix per block end (with and without its newline), and the file.
    assert!(read_ok >= 6, "{read_ok}");
}

#[test]
fn random_bytes_are_not_a_certificate() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..64 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(kind(&bytes, Some(PW)), "not-a-certificate", "round {round}");
    }
    assert_eq!(
        kind(b"hello, this is not a certificate\n", None),
        "not-a-certificate"
    );
}

#[test]
fn sizes_and_empty_files() {
    let big = vec![b'A'; 2 << 20];
    assert_eq!(
        read(&big, None),
        Err(CertFileError::TooLarge {
            size: 2 << 20,
            limit: MAX_FILE_BYTES
        })
    );
    assert_eq!(kind(b"", None), "no-certificate");
    assert_eq!(kind(b"\n \r\n\t", None), "no-certificate");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.pem");
    std::fs::write(&path, &big).expect("write");
    assert_eq!(
        read_path(&path, None).map_err(|e| e.kind()),
        Err("too-large")
    );
    let path = dir.path().join("chain.pem");
    let p = pki();
    std::fs::write(&path, cat(&[&p.leaf, &p.int])).expect("write");
    assert_eq!(read_path(&path, None).map(|f| f.chain.len()), Ok(2));
    let missing = dir.path().join("missing.pfx");
    assert_eq!(
        read_path(&missing, None).map_err(|e| e.kind()),
        Err("unreadable")
    );
}

#[test]
fn every_error_says_something() {
    let errors = [
        CertFileError::Unreadable {
            reason: "denied".into(),
        },
        CertFileError::TooLarge { size: 2, limit: 1 },
        CertFileError::TooMany {
            what: Limited::Certificates,
            count: 2,
            limit: 1,
        },
        CertFileError::NoCertificate { private_key: true },
        CertFileError::NotACertificate,
        CertFileError::Truncated {
            format: Format::Pkcs12,
        },
        CertFileError::Malformed {
            format: Format::Pem,
            what: "x".into(),
        },
        CertFileError::PasswordNeeded {
            format: Format::Pkcs12,
        },
        CertFileError::WrongPassword {
            format: Format::Pkcs12,
        },
        CertFileError::Unsupported { what: "x".into() },
    ];
    let mut kinds: Vec<&str> = errors.iter().map(|e| e.kind()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), errors.len(), "one kind per variant");
    for e in &errors {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn base64_edge_cases() {
    assert_eq!(base64_decode(b"TWFu"), Some(b"Man".to_vec()));
    assert_eq!(base64_decode(b"TWE="), Some(b"Ma".to_vec()));
    assert_eq!(base64_decode(b"TQ=="), Some(b"M".to_vec()));
    assert_eq!(base64_decode(b"TQ"), Some(b"M".to_vec()));
    assert_eq!(base64_decode(b"T"), None);
    assert_eq!(base64_decode(b"TQ=a"), None);
    assert_eq!(base64_decode(b"TQ==="), None);
    assert_eq!(base64_decode(b"TWE=="), None);
}

fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | b as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let body: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
    .into_bytes()
}
