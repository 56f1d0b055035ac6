//! Tests of OCSP verification against responses the real `openssl ocsp` responder makes (a test
//! PKI generated once per run in a temporary directory, an `index.txt` database, no network),
//! of the request against the same responder, and of hostile bytes: truncations, corruptions,
//! random input.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::*;

/// The test PKI: every file, generated once, written into each test's own directory.
struct Pki {
    files: Vec<(String, Vec<u8>)>,
}

/// Extensions of the certificates the CAs issue.
const EXTENSIONS: &str = "\
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[responder]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[no_eku]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
";

/// Serials of the leaves (hex, as openssl's index.txt writes them).
const LEAF1: &str = "1001";
const LEAF2: &str = "1002";

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A self-signed CA `name` with key `key_args` (`-newkey` arguments).
fn make_ca(dir: &Path, name: &str, cn: &str, key_args: &[&str]) {
    let subject = format!("/CN={cn}");
    let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
    let mut args = vec!["req", "-x509", "-nodes"];
    args.extend_from_slice(key_args);
    args.extend_from_slice(&[
        "-keyout",
        &key,
        "-out",
        &pem,
        "-subj",
        &subject,
        "-days",
        "3650",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
    openssl(dir, &args);
}

/// A certificate `name` (P-256 key unless `rsa`) issued by `ca` with extension section `ext`.
fn make_cert(dir: &Path, name: &str, ca: &str, serial: &str, ext: &str, days: &str, rsa: bool) {
    let subject = format!("/CN={name}.example");
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    let key_args: &[&str] = if rsa {
        &["-newkey", "rsa:2048"]
    } else {
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    };
    let mut args = vec!["req", "-new", "-nodes"];
    args.extend_from_slice(key_args);
    args.extend_from_slice(&["-keyout", &key, "-out", &csr, "-subj", &subject]);
    openssl(dir, &args);
    let (ca_pem, ca_key, serial) = (
        format!("{ca}.pem"),
        format!("{ca}.key"),
        format!("0x{serial}"),
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            &serial,
            "-days",
            days,
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &pem,
        ],
    );
}

/// An index.txt line: V (valid), or R with the revocation field (`time[,reason]`).
fn index_line(status: &str, revocation: &str, serial: &str) -> String {
    format!("{status}\t301231235959Z\t{revocation}\t{serial}\tunknown\t/CN=cert{serial}\n")
}

impl Pki {
    fn generate() -> Pki {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("ext.cnf"), EXTENSIONS).expect("write ext.cnf");
        make_ca(d, "ca", "OCSP Test CA", &["-newkey", "rsa:2048"]);
        make_ca(
            d,
            "other",
            "Other CA",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        );
        make_ca(d, "ed", "Ed25519 CA", &["-newkey", "ed25519"]);
        make_ca(
            d,
            "p521",
            "P-521 CA",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
        );
        make_cert(d, "leaf1", "ca", LEAF1, "leaf", "90", false);
        make_cert(d, "leaf2", "ca", LEAF2, "leaf", "90", false);
        make_cert(d, "responder", "ca", "2001", "responder", "90", true);
        make_cert(d, "no_eku", "ca", "2002", "no_eku", "90", true);
        make_cert(d, "short", "ca", "2003", "responder", "1", true);
        make_cert(
            d,
            "other_responder",
            "other",
            "2004",
            "responder",
            "90",
            false,
        );
        make_cert(d, "ec_leaf", "other", "3001", "leaf", "90", false);
        make_cert(d, "ed_leaf", "ed", "4001", "leaf", "90", false);
        make_cert(d, "p521_leaf", "p521", "5001", "leaf", "90", false);
        let names = [
            "ca",
            "other",
            "ed",
            "p521",
            "leaf1",
            "leaf2",
            "responder",
            "no_eku",
            "short",
            "other_responder",
            "ec_leaf",
            "ed_leaf",
            "p521_leaf",
        ];
        let mut files = vec![("ext.cnf".to_string(), EXTENSIONS.as_bytes().to_vec())];
        for name in names {
            let der = format!("{name}.der");
            openssl(
                d,
                &[
                    "x509",
                    "-in",
                    &format!("{name}.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &der,
                ],
            );
            for file in [format!("{name}.pem"), format!("{name}.key"), der] {
                let bytes = std::fs::read(d.join(&file)).expect("read generated file");
                files.push((file, bytes));
            }
        }
        Pki { files }
    }
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::generate)
}

/// One test's directory holding the PKI, an index (every leaf valid unless replaced) and the
/// requests and responses the test makes.
struct Lab {
    dir: tempfile::TempDir,
    counter: Cell<u32>,
}

impl Lab {
    fn new() -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, bytes) in &pki().files {
            std::fs::write(dir.path().join(name), bytes).expect("write PKI file");
        }
        let lab = Lab {
            dir,
            counter: Cell::new(0),
        };
        lab.set_index(&[
            index_line("V", "", LEAF1),
            index_line("V", "", LEAF2),
            index_line("V", "", "3001"),
            index_line("V", "", "4001"),
            index_line("V", "", "5001"),
        ]);
        lab
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn der(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(&format!("{name}.der"))).expect("read certificate")
    }

    fn set_index(&self, lines: &[String]) {
        std::fs::write(self.path("index.txt"), lines.concat()).expect("write index.txt");
    }

    fn fresh_name(&self, stem: &str) -> String {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        format!("{stem}{n}.der")
    }

    /// `openssl ocsp -reqout`: a request about `leaves` of `issuer`, with `extra` options.
    fn openssl_request(&self, issuer: &str, leaves: &[&str], extra: &[&str]) -> String {
        let out = self.fresh_name("req");
        let issuer = format!("{issuer}.pem");
        let leaves: Vec<String> = leaves.iter().map(|l| format!("{l}.pem")).collect();
        // openssl takes a digest option only before the -cert it applies to.
        let mut args = vec!["ocsp", "-issuer", &issuer];
        args.extend_from_slice(extra);
        for l in &leaves {
            args.extend_from_slice(&["-cert", l]);
        }
        args.extend_from_slice(&["-reqout", &out]);
        openssl(self.dir.path(), &args);
        out
    }

    /// `openssl ocsp -index`: the responder for `ca`, signing with `signer`'s key, answering
    /// the request file `req`.
    fn respond(&self, req: &str, ca: &str, signer: &str, extra: &[&str]) -> Vec<u8> {
        let out = self.fresh_name("resp");
        let (ca, cert, key) = (
            format!("{ca}.pem"),
            format!("{signer}.pem"),
            format!("{signer}.key"),
        );
        let mut args = vec![
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            &ca,
            "-rsigner",
            &cert,
            "-rkey",
            &key,
            "-reqin",
            req,
            "-respout",
            &out,
        ];
        args.extend_from_slice(extra);
        openssl(self.dir.path(), &args);
        std::fs::read(self.path(&out)).expect("read response")
    }

    /// A response about `leaf` of `ca` signed by `signer`.
    fn response(&self, leaf: &str, ca: &str, signer: &str, extra: &[&str]) -> Vec<u8> {
        let req = self.openssl_request(ca, &[leaf], &[]);
        self.respond(&req, ca, signer, extra)
    }

    /// verify() of `response` for `leaf` of `issuer` at `now`.
    fn verify(
        &self,
        response: &[u8],
        leaf: &str,
        issuer: &str,
        now: i64,
    ) -> Result<OcspFacts, OcspError> {
        verify(response, &self.der(leaf), &self.der(issuer), now)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn kind(r: Result<OcspFacts, OcspError>) -> &'static str {
    match r {
        Ok(f) => panic!("expected an error, verified: {f:?}"),
        Err(e) => e.kind(),
    }
}

const DAY: i64 = 86_400;

// ---- statuses ----

#[test]
fn good_response_signed_by_the_issuer() {
    let lab = Lab::new();
    let t = now();
    let resp = lab.response("leaf1", "ca", "ca", &["-ndays", "1"]);
    let facts = lab.verify(&resp, "leaf1", "ca", t).expect("verifies");
    assert_eq!(facts.status, CertStatus::Good);
    assert_eq!(facts.signer, Signer::Issuer);
    assert!(
        (facts.this_update - t).abs() < 120,
        "thisUpdate {} vs now {t}",
        facts.this_update
    );
    assert!((facts.produced_at - t).abs() < 120);
    assert_eq!(facts.next_update, Some(facts.this_update + DAY));
}

#[test]
fn revoked_carries_the_time_and_reason() {
    let lab = Lab::new();
    lab.set_index(&[index_line("R", "250102030405Z,keyCompromise", LEAF1)]);
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    let at = time::macros::datetime!(2025-01-02 03:04:05 UTC).unix_timestamp();
    assert_eq!(
        facts.status,
        CertStatus::Revoked {
            at,
            reason: Some(1)
        }
    );
}

#[test]
fn revoked_without_a_reason() {
    let lab = Lab::new();
    lab.set_index(&[index_line("R", "240229235959Z", LEAF1)]);
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    let at = time::macros::datetime!(2024-02-29 23:59:59 UTC).unix_timestamp();
    assert_eq!(facts.status, CertStatus::Revoked { at, reason: None });
}

#[test]
fn revoked_superseded_reason_code() {
    let lab = Lab::new();
    lab.set_index(&[index_line("R", "250102030405Z,superseded", LEAF1)]);
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert!(matches!(
        facts.status,
        CertStatus::Revoked {
            reason: Some(4),
            ..
        }
    ));
}

#[test]
fn serial_not_in_the_index_is_unknown() {
    let lab = Lab::new();
    lab.set_index(&[index_line("V", "", LEAF2)]);
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert_eq!(facts.status, CertStatus::Unknown);
    assert_eq!(facts.signer, Signer::Issuer);
}

#[test]
fn the_matching_single_response_is_found_among_several() {
    let lab = Lab::new();
    lab.set_index(&[
        index_line("V", "", LEAF1),
        index_line("R", "250102030405Z,keyCompromise", LEAF2),
    ]);
    let req = lab.openssl_request("ca", &["leaf1", "leaf2"], &[]);
    let resp = lab.respond(&req, "ca", "ca", &[]);
    let t = now();
    assert_eq!(
        lab.verify(&resp, "leaf1", "ca", t).expect("leaf1").status,
        CertStatus::Good
    );
    assert!(matches!(
        lab.verify(&resp, "leaf2", "ca", t).expect("leaf2").status,
        CertStatus::Revoked {
            reason: Some(1),
            ..
        }
    ));
}

#[test]
fn sha256_cert_id_matches() {
    let lab = Lab::new();
    let req = lab.openssl_request("ca", &["leaf1"], &["-sha256"]);
    let resp = lab.respond(&req, "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert_eq!(facts.status, CertStatus::Good);
    // The responder answered with the request's hash, so the match was a SHA-256 one.
    let basic = parse_response(&resp).expect("parses");
    let first = Der::new(basic.responses)
        .expect(SEQUENCE, "single")
        .expect("one");
    assert_eq!(
        parse_single(first).expect("parses").hash,
        Some(CertIdHash::Sha256)
    );
}

#[test]
fn responder_id_by_key_and_no_nonce() {
    let lab = Lab::new();
    let req = lab.openssl_request("ca", &["leaf1"], &["-no_nonce"]);
    let resp = lab.respond(&req, "ca", "ca", &["-resp_key_id"]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert_eq!(facts.status, CertStatus::Good);
}

#[test]
fn response_for_another_leaf_has_no_match() {
    let lab = Lab::new();
    let resp = lab.response("leaf2", "ca", "ca", &[]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "no-matching-response"
    );
}

// ---- signers ----

#[test]
fn delegated_responder_with_the_eku() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "responder", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert_eq!(facts.signer, Signer::Delegated);
    assert_eq!(facts.status, CertStatus::Good);
}

#[test]
fn responder_without_the_eku_is_not_authorized() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "no_eku", &[]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "signer-not-authorized"
    );
}

#[test]
fn responder_outside_its_validity_is_not_authorized() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "short", &[]);
    let t = now();
    assert_eq!(
        lab.verify(&resp, "leaf1", "ca", t)
            .expect("valid now")
            .signer,
        Signer::Delegated
    );
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", t + 3 * DAY)),
        "signer-not-authorized"
    );
}

#[test]
fn another_ca_signing_is_not_authorized() {
    let lab = Lab::new();
    // It carries its own certificate: that verifies the signature but was not issued by ca.
    let resp = lab.response("leaf1", "ca", "other", &[]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "signer-not-authorized"
    );
    // Without it, no key at hand verifies the signature.
    let resp = lab.response("leaf1", "ca", "other", &["-resp_no_certs"]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "bad-signature"
    );
}

#[test]
fn responder_of_another_ca_is_not_authorized() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "other_responder", &[]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "signer-not-authorized"
    );
}

#[test]
fn delegated_responder_not_carried_is_a_bad_signature() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "responder", &["-resp_no_certs"]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "bad-signature"
    );
}

#[test]
fn corrupted_signature_is_bad() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "ca", &["-badsig"]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "bad-signature"
    );
}

#[test]
fn wrong_issuer_given() {
    let lab = Lab::new();
    // ca's own certificate rides along, verifies, and was not issued by `other`.
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "other", now())),
        "signer-not-authorized"
    );
}

// ---- signature algorithms ----

#[test]
fn rsa_pkcs1_digests() {
    let lab = Lab::new();
    for md in ["sha1", "sha256", "sha384", "sha512"] {
        let resp = lab.response("leaf1", "ca", "ca", &["-rmd", md]);
        let facts = lab
            .verify(&resp, "leaf1", "ca", now())
            .unwrap_or_else(|e| panic!("{md}: {e}"));
        assert_eq!(
            (facts.status, facts.signer),
            (CertStatus::Good, Signer::Issuer),
            "{md}"
        );
    }
}

#[test]
fn rsa_pss() {
    let lab = Lab::new();
    for md in ["sha256", "sha384", "sha512"] {
        let resp = lab.response(
            "leaf1",
            "ca",
            "ca",
            &[
                "-rmd",
                md,
                "-rsigopt",
                "rsa_padding_mode:pss",
                "-rsigopt",
                "rsa_pss_saltlen:digest",
            ],
        );
        let facts = lab
            .verify(&resp, "leaf1", "ca", now())
            .unwrap_or_else(|e| panic!("{md}: {e}"));
        assert_eq!(facts.signer, Signer::Issuer, "{md}");
    }
    // A salt length other than the hash's is a parameter set not supported.
    let resp = lab.response(
        "leaf1",
        "ca",
        "ca",
        &[
            "-rsigopt",
            "rsa_padding_mode:pss",
            "-rsigopt",
            "rsa_pss_saltlen:20",
        ],
    );
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "unsupported-algorithm"
    );
}

#[test]
fn ecdsa_p256() {
    let lab = Lab::new();
    for md in ["sha256", "sha384"] {
        let resp = lab.response("ec_leaf", "other", "other", &["-rmd", md]);
        let facts = lab
            .verify(&resp, "ec_leaf", "other", now())
            .unwrap_or_else(|e| panic!("{md}: {e}"));
        assert_eq!(
            (facts.status, facts.signer),
            (CertStatus::Good, Signer::Issuer),
            "{md}"
        );
    }
    // A delegated ECDSA responder of `other`.
    let resp = lab.response("ec_leaf", "other", "other_responder", &[]);
    assert_eq!(
        lab.verify(&resp, "ec_leaf", "other", now())
            .expect("verifies")
            .signer,
        Signer::Delegated
    );
}

#[test]
fn ed25519() {
    let lab = Lab::new();
    let resp = lab.response("ed_leaf", "ed", "ed", &[]);
    let facts = lab.verify(&resp, "ed_leaf", "ed", now()).expect("verifies");
    assert_eq!(
        (facts.status, facts.signer),
        (CertStatus::Good, Signer::Issuer)
    );
}

#[test]
fn p521_is_unsupported() {
    let lab = Lab::new();
    let resp = lab.response("p521_leaf", "p521", "p521", &[]);
    assert_eq!(
        lab.verify(&resp, "p521_leaf", "p521", now()),
        Err(OcspError::UnsupportedAlgorithm("1.3.132.0.35".into()))
    );
    let resp = lab.response("p521_leaf", "p521", "p521", &["-rmd", "sha512"]);
    assert_eq!(
        lab.verify(&resp, "p521_leaf", "p521", now()),
        Err(OcspError::UnsupportedAlgorithm(
            "1.2.840.10045.4.3.4".into()
        ))
    );
}

// ---- response status and type ----

#[test]
fn unsuccessful_statuses() {
    let cases = [
        (1, ResponseStatus::MalformedRequest),
        (2, ResponseStatus::InternalError),
        (3, ResponseStatus::TryLater),
        (5, ResponseStatus::SigRequired),
        (6, ResponseStatus::Unauthorized),
    ];
    let lab = Lab::new();
    let (leaf, ca) = (lab.der("leaf1"), lab.der("ca"));
    for (code, status) in cases {
        let resp = [0x30, 0x03, 0x0a, 0x01, code];
        let err = verify(&resp, &leaf, &ca, now()).expect_err("not successful");
        assert_eq!(err, OcspError::NotSuccessful(status));
        assert_eq!(err.kind(), "not-successful");
    }
    // 4 is not used by RFC 6960; 0 (successful) needs responseBytes.
    for code in [4, 7, 0] {
        assert_eq!(
            kind(verify(&[0x30, 0x03, 0x0a, 0x01, code], &leaf, &ca, now())),
            "malformed"
        );
    }
    assert_eq!(
        verify(&[0x30, 0x03, 0x0a, 0x01, 0x03], &leaf, &ca, now()).map_err(|e| e.to_string()),
        Err("the OCSP responder answered tryLater instead of a response".to_string())
    );
}

#[test]
fn response_type_other_than_basic() {
    let lab = Lab::new();
    // OCSPResponse { successful, [0] { ResponseBytes { 1.3.6.1.5.5.7.48.1.2, OCTET STRING } } }
    let rb = tlv(
        SEQUENCE,
        &[
            tlv(OID, &[0x2b, 6, 1, 5, 5, 7, 0x30, 1, 2]),
            tlv(OCTET_STRING, &[0x30, 0]),
        ]
        .concat(),
    );
    let resp = tlv(SEQUENCE, &[vec![0x0a, 1, 0], tlv(ctx(0), &rb)].concat());
    assert_eq!(
        kind(lab.verify(&resp, "leaf1", "ca", now())),
        "no-basic-response"
    );
}

#[test]
fn bad_certificates_are_named() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "ca", &[]);
    assert_eq!(
        verify(&resp, b"junk", &lab.der("ca"), now()),
        Err(OcspError::BadCertificate("leaf"))
    );
    assert_eq!(
        verify(&resp, &lab.der("leaf1"), b"junk", now()),
        Err(OcspError::BadCertificate("issuer"))
    );
    assert_eq!(
        request(b"", &lab.der("ca")),
        Err(OcspError::BadCertificate("leaf"))
    );
}

// ---- freshness ----

#[test]
fn freshness_of_a_one_day_response() {
    let lab = Lab::new();
    let t = now();
    let resp = lab.response("leaf1", "ca", "ca", &["-ndays", "1"]);
    let facts = lab.verify(&resp, "leaf1", "ca", t).expect("verifies");
    assert_eq!(facts.freshness(t), Freshness::Fresh);
    assert_eq!(facts.freshness(t + 2 * DAY), Freshness::Expired);
    assert_eq!(facts.freshness(t - DAY), Freshness::NotYetValid);
}

fn facts(this_update: i64, next_update: Option<i64>) -> OcspFacts {
    OcspFacts {
        status: CertStatus::Good,
        this_update,
        next_update,
        produced_at: this_update,
        signer: Signer::Issuer,
    }
}

#[test]
fn freshness_boundaries_allow_five_minutes_of_skew() {
    let f = facts(1_000_000, Some(1_000_000 + DAY));
    assert_eq!(f.freshness(1_000_000 - 300), Freshness::Fresh);
    assert_eq!(f.freshness(1_000_000 - 301), Freshness::NotYetValid);
    assert_eq!(f.freshness(1_000_000 + DAY + 300), Freshness::Fresh);
    assert_eq!(f.freshness(1_000_000 + DAY + 301), Freshness::Expired);
}

#[test]
fn no_next_update_is_fresh_for_seven_days() {
    let f = facts(1_000_000, None);
    assert_eq!(f.freshness(1_000_000 + 7 * DAY + 300), Freshness::Fresh);
    assert_eq!(f.freshness(1_000_000 + 7 * DAY + 301), Freshness::Expired);
}

#[test]
fn freshness_does_not_overflow() {
    let f = facts(i64::MAX, Some(i64::MAX));
    assert_eq!(f.freshness(i64::MAX), Freshness::Fresh);
    assert_eq!(f.freshness(i64::MIN), Freshness::NotYetValid);
    assert_eq!(
        facts(i64::MIN, Some(i64::MIN)).freshness(i64::MAX),
        Freshness::Expired
    );
}

// ---- the request ----

#[test]
fn request_is_what_openssl_sends_and_its_responder_answers() {
    let lab = Lab::new();
    lab.set_index(&[index_line("R", "250102030405Z,keyCompromise", LEAF1)]);
    let ours = request(&lab.der("leaf1"), &lab.der("ca")).expect("request");
    // Byte for byte what `openssl ocsp -no_nonce` sends.
    let theirs = lab.openssl_request("ca", &["leaf1"], &["-no_nonce"]);
    assert_eq!(ours, std::fs::read(lab.path(&theirs)).expect("read"));
    std::fs::write(lab.path("ours.der"), &ours).expect("write");
    // The responder finds the certificate by it (a wrong hash would make it answer unknown).
    let resp = lab.respond("ours.der", "ca", "ca", &[]);
    let facts = lab.verify(&resp, "leaf1", "ca", now()).expect("verifies");
    assert!(matches!(
        facts.status,
        CertStatus::Revoked {
            reason: Some(1),
            ..
        }
    ));
    // And openssl reads it back as one SHA-1 CertID for serial 1001.
    let text = openssl(lab.dir.path(), &["ocsp", "-reqin", "ours.der", "-req_text"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(text.contains("Serial Number: 1001"), "{text}");
    assert_eq!(text.matches("Certificate ID:").count(), 1, "{text}");
}

#[test]
fn request_for_a_delegated_responders_answer() {
    let lab = Lab::new();
    let ours = request(&lab.der("ec_leaf"), &lab.der("other")).expect("request");
    std::fs::write(lab.path("ours.der"), &ours).expect("write");
    let resp = lab.respond("ours.der", "other", "other_responder", &[]);
    let facts = lab
        .verify(&resp, "ec_leaf", "other", now())
        .expect("verifies");
    assert_eq!(
        (facts.status, facts.signer),
        (CertStatus::Good, Signer::Delegated)
    );
}

#[test]
fn tlv_lengths_are_minimal() {
    assert_eq!(tlv(0x04, &[]), [0x04, 0x00]);
    assert_eq!(tlv(0x04, &[0; 0x7f])[..2], [0x04, 0x7f]);
    assert_eq!(tlv(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
    assert_eq!(tlv(0x04, &[0; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
    assert_eq!(
        tlv(0x04, &[0; 0x10000])[..5],
        [0x04, 0x83, 0x01, 0x00, 0x00]
    );
}

// ---- hostile bytes ----

#[test]
fn every_truncation_is_malformed() {
    let lab = Lab::new();
    let resp = lab.response("leaf1", "ca", "responder", &[]);
    let (leaf, ca) = (lab.der("leaf1"), lab.der("ca"));
    assert!(verify(&resp, &leaf, &ca, now()).is_ok());
    for len in 0..resp.len() {
        assert_eq!(
            kind(verify(&resp[..len], &leaf, &ca, now())),
            "malformed",
            "prefix {len}"
        );
    }
    let mut longer = resp.clone();
    longer.push(0);
    assert_eq!(kind(verify(&longer, &leaf, &ca, now())), "malformed");
}

#[test]
fn single_byte_corruptions_never_pass_as_something_else() {
    let lab = Lab::new();
    let t = now();
    let (leaf, ca) = (lab.der("leaf1"), lab.der("ca"));
    for signer in ["ca", "responder"] {
        let resp = lab.response("leaf1", "ca", signer, &[]);
        let good = verify(&resp, &leaf, &ca, t).expect("verifies");
        // Where the signed data and the signature lie in the response.
        let basic = parse_response(&resp).expect("parses");
        let offset = |part: &[u8]| part.as_ptr() as usize - resp.as_ptr() as usize;
        let signed = offset(basic.tbs_raw)..offset(basic.tbs_raw) + basic.tbs_raw.len();
        let signature = offset(basic.signature)..offset(basic.signature) + basic.signature.len();
        assert!(!signed.is_empty() && !signature.is_empty());
        for i in 0..resp.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = resp.clone();
                bad[i] ^= flip;
                let what = format!("{signer}: byte {i} ^ {flip:#04x}");
                match verify(&bad, &leaf, &ca, t) {
                    // Only what the signature does not cover may change (the certificates
                    // carried beside the issuer's own key), and then the answer is the same.
                    Ok(f) => {
                        assert_eq!(f, good, "{what}");
                        assert!(!signed.contains(&i) && !signature.contains(&i), "{what}");
                    }
                    Err(e) if signed.contains(&i) || signature.contains(&i) => assert!(
                        ["malformed", "bad-signature", "no-matching-response"].contains(&e.kind()),
                        "{what}: {e:?}"
                    ),
                    Err(_) => {}
                }
            }
        }
    }
}

/// xorshift64: deterministic noise without a dependency.
fn noise(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn random_bytes_are_malformed() {
    let lab = Lab::new();
    let (leaf, ca) = (lab.der("leaf1"), lab.der("ca"));
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2_000 {
        let len = (noise(&mut state) % 700) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| noise(&mut state) as u8).collect();
        assert_eq!(
            kind(verify(&bytes, &leaf, &ca, now())),
            "malformed",
            "{bytes:02x?}"
        );
        // The same noise inside a well-formed outer shell reaches the inner parsers.
        let shell = tlv(
            SEQUENCE,
            &[
                vec![0x0a, 1, 0],
                tlv(
                    ctx(0),
                    &tlv(
                        SEQUENCE,
                        &[tlv(OID, OID_OCSP_BASIC), tlv(OCTET_STRING, &bytes)].concat(),
                    ),
                ),
            ]
            .concat(),
        );
        assert_eq!(kind(verify(&shell, &leaf, &ca, now())), "malformed");
    }
}

#[test]
fn der_reader_rejects_ber_and_non_minimal_lengths() {
    let read = |b: &[u8]| {
        Der::new(b)
            .any("test")
            .map(|t| (t.tag, t.value.len(), t.raw.len()))
    };
    assert_eq!(read(&[0x04, 0x01, 0xaa]).ok(), Some((0x04, 1, 3)));
    assert_eq!(read(&[0x04, 0x81, 0x80]).ok(), None, "short of its length");
    assert!(
        read(&[0x30, 0x80, 0x00, 0x00]).is_err(),
        "indefinite length"
    );
    assert!(
        read(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err(),
        "long form for a short length"
    );
    assert!(
        read(&[0x04, 0x82, 0x00, 0x80]).is_err(),
        "leading zero length octet"
    );
    assert!(
        read(&[0x04, 0x85, 1, 0, 0, 0, 0]).is_err(),
        "length past 4 GiB"
    );
    assert!(read(&[0x1f, 0x81, 0x01, 0x00]).is_err(), "high tag number");
    assert!(read(&[0x04]).is_err() && read(&[]).is_err());
}

#[test]
fn generalized_time_forms() {
    let t = |s: &str| {
        generalized_time(
            Tlv {
                tag: GENERALIZED_TIME,
                value: s.as_bytes(),
                raw: &[],
            },
            "t",
        )
    };
    let base = time::macros::datetime!(2025-01-02 03:04:05 UTC).unix_timestamp();
    assert_eq!(t("20250102030405Z"), Ok(base));
    assert_eq!(t("20250102030405.123Z"), Ok(base));
    for bad in [
        "20250102030405",
        "250102030405Z",
        "20250102030405+0000",
        "20250102030405.Z",
        "20251302030405Z",
        "20250230030405Z",
        "20250102240000Z",
        "20250102030460Z",
        "2025010203040aZ",
        "",
    ] {
        assert!(t(bad).is_err(), "{bad}");
    }
    let utc = Tlv {
        tag: 0x17,
        value: b"250102030405Z",
        raw: &[],
    };
    assert!(
        generalized_time(utc, "t").is_err(),
        "UTCTime is not GeneralizedTime"
    );
}

#[test]
fn oid_strings() {
    assert_eq!(oid_string(OID_SHA1).as_deref(), Some("1.3.14.3.2.26"));
    assert_eq!(
        oid_string(OID_OCSP_BASIC).as_deref(),
        Some("1.3.6.1.5.5.7.48.1.1")
    );
    assert_eq!(oid_string(&[0x88, 0x37]).as_deref(), Some("2.999"));
    assert_eq!(oid_string(&[]), None);
    assert_eq!(oid_string(&[0x2b, 0x86]), None, "unterminated arc");
    assert_eq!(oid_string(&[0xff; 12]), None, "arc past 64 bits");
}

#[test]
fn the_scan_stops_after_ten_thousand_single_responses() {
    let lab = Lab::new();
    let (leaf_der, ca_der) = (lab.der("leaf1"), lab.der("ca"));
    let (_, leaf) = X509Certificate::from_der(&leaf_der).expect("leaf");
    let (_, ca) = X509Certificate::from_der(&ca_der).expect("ca");
    let id = LeafId::new(&leaf, &ca);
    let (name_hash, key_hash) = id.hashes(CertIdHash::Sha1);
    let single = |serial: &[u8], status: &[u8]| {
        let alg = tlv(SEQUENCE, &[tlv(OID, OID_SHA1), vec![NULL, 0]].concat());
        let cert_id = tlv(
            SEQUENCE,
            &[
                alg,
                tlv(OCTET_STRING, &name_hash),
                tlv(OCTET_STRING, &key_hash),
                tlv(INTEGER, serial),
            ]
            .concat(),
        );
        tlv(
            SEQUENCE,
            &[
                cert_id,
                status.to_vec(),
                tlv(GENERALIZED_TIME, b"20250102030405Z"),
            ]
            .concat(),
        )
    };
    let good = [0x80, 0x00];
    let other = single(&[0x77], &good);
    let mine = single(id.serial, &good);
    let list = |before: usize| [other.repeat(before), mine.clone()].concat();
    let at_the_cap = list(MAX_SINGLE_RESPONSES - 1);
    let found = find_single(&at_the_cap, &id).expect("last one scanned");
    assert_eq!(found.status, CertStatus::Good);
    assert_eq!(
        find_single(&list(MAX_SINGLE_RESPONSES), &id),
        Err(OcspError::NoMatchingResponse)
    );
    // A revocation listed after a good answer for the same certificate wins.
    let revoked = single(
        id.serial,
        &tlv(ctx(1), &tlv(GENERALIZED_TIME, b"20250102030405Z")),
    );
    let both = [mine.clone(), revoked].concat();
    let found = find_single(&both, &id).expect("found");
    assert!(matches!(
        found.status,
        CertStatus::Revoked { reason: None, .. }
    ));
}

// ---- must-staple ----

#[test]
fn must_staple_from_openssl_certificates() {
    let lab = Lab::new();
    let d = lab.dir.path();
    for (name, ext) in [
        ("staple", Some("tlsfeature = status_request")),
        ("plain", None),
    ] {
        let mut args = vec![
            "req",
            "-x509",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "s.key",
            "-subj",
            "/CN=staple.example",
            "-days",
            "30",
            "-outform",
            "DER",
        ];
        let out = format!("{name}.der");
        args.extend_from_slice(&["-out", &out]);
        if let Some(ext) = ext {
            args.extend_from_slice(&["-addext", ext]);
        }
        openssl(d, &args);
    }
    let staple = lab.der("staple");
    assert!(must_staple(&staple));
    assert!(!must_staple(&lab.der("plain")));
    assert!(!must_staple(&lab.der("leaf1")));
    assert!(!must_staple(b"not a certificate"));
    // The extension as RFC 7633 spells it: OID, then OCTET STRING { SEQUENCE { INTEGER 5 } }.
    let ext = [
        0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18, 0x04, 0x05, 0x30, 0x03, 0x02,
        0x01, 0x05,
    ];
    assert!(
        staple.windows(ext.len()).any(|w| w == ext),
        "extension bytes in the certificate"
    );
}

#[test]
fn tls_feature_values() {
    assert!(features_include_status_request(&[
        0x30, 0x03, 0x02, 0x01, 0x05
    ]));
    assert!(features_include_status_request(&[
        0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01, 0x05
    ]));
    // status_request_v2 (17) alone is not status_request.
    assert!(!features_include_status_request(&[
        0x30, 0x03, 0x02, 0x01, 0x11
    ]));
    assert!(!features_include_status_request(&[0x30, 0x00]));
    assert!(!features_include_status_request(&[
        0x30, 0x04, 0x02, 0x02, 0x00, 0x05
    ]));
    assert!(!features_include_status_request(&[0x30, 0x03, 0x02, 0x01]));
    assert!(!features_include_status_request(&[
        0x30, 0x03, 0x02, 0x01, 0x05, 0x00
    ]));
    assert!(!features_include_status_request(&[]));
}
