//! A CA run with the real `openssl` CLI: `openssl ca` issues (RSA or ECDSA keys, any dates, any
//! extensions: CRL distribution points, OCSP responders, must-staple), revokes and signs CRLs;
//! `openssl ocsp` answers for it, as a server or into a file to staple. Dates are relative to
//! now, so nothing rots.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::peers::{need, Peer};

/// An `openssl ca` directory: key, certificate, database.
pub struct Ca {
    pub dir: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    name: String,
}

/// A certificate `openssl ca` issued.
pub struct Issued {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The certificate followed by its issuer (what a server sends).
    pub chain: PathBuf,
}

#[derive(Clone, Copy)]
pub enum Key {
    Rsa,
    P256,
}

pub fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new(need("openssl"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn genkey(key: Key, path: &Path, dir: &Path) {
    let p = path.to_str().unwrap();
    match key {
        Key::Rsa => openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                p,
            ],
            dir,
        ),
        Key::P256 => openssl(
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                p,
            ],
            dir,
        ),
    }
}

/// `openssl ca`'s date form, `days` from now.
fn date(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

impl Ca {
    /// A self-signed root in `dir/name`.
    pub fn root(dir: &Path, name: &str) -> Ca {
        let ca = Ca::layout(dir, name);
        genkey(Key::P256, &ca.key, &ca.dir);
        openssl(
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                &format!("/O=tlsgrade test/CN={name}"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            &ca.dir,
        );
        ca
    }

    /// An intermediate CA issued by `self`.
    pub fn intermediate(&self, name: &str) -> Ca {
        let ca = Ca::layout(&self.dir, name);
        genkey(Key::P256, &ca.key, &ca.dir);
        openssl(
            &[
                "req",
                "-new",
                "-key",
                "ca.key",
                "-out",
                "ca.csr",
                "-subj",
                &format!("/O=tlsgrade test/CN={name}"),
            ],
            &ca.dir,
        );
        let ext = ca.dir.join("ca.ext");
        std::fs::write(
            &ext,
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
        )
        .unwrap();
        self.sign(&ca.dir.join("ca.csr"), &ca.cert, &ext, -1, 3000);
        ca
    }

    fn layout(parent: &Path, name: &str) -> Ca {
        let dir = parent.join(name);
        std::fs::create_dir_all(dir.join("new")).unwrap();
        std::fs::write(dir.join("index.txt"), "").unwrap();
        std::fs::write(dir.join("index.txt.attr"), "unique_subject = no\n").unwrap();
        std::fs::write(dir.join("serial"), "1000\n").unwrap();
        std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
        std::fs::write(
            dir.join("ca.cnf"),
            "[ca]\ndefault_ca = d\n[d]\ndir = .\ndatabase = index.txt\nnew_certs_dir = new\n\
             certificate = ca.pem\nprivate_key = ca.key\nserial = serial\ncrlnumber = crlnumber\n\
             default_md = sha256\npolicy = any\ndefault_crl_days = 7\nunique_subject = no\n\
             email_in_dn = no\n[any]\ncommonName = supplied\norganizationName = optional\n",
        )
        .unwrap();
        Ca {
            cert: dir.join("ca.pem"),
            key: dir.join("ca.key"),
            dir,
            name: name.to_string(),
        }
    }

    fn sign(&self, csr: &Path, out: &Path, ext: &Path, from_days: i64, to_days: i64) {
        openssl(
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                // The subject as requested, so that another CA can be given exactly the same
                // name.
                "-preserveDN",
                "-notext",
                "-in",
                csr.to_str().unwrap(),
                "-out",
                out.to_str().unwrap(),
                "-extfile",
                ext.to_str().unwrap(),
                "-startdate",
                &date(from_days),
                "-enddate",
                &date(to_days),
            ],
            &self.dir,
        );
    }

    /// A server certificate for `names`, valid `from_days`..`to_days` from now, with `ext`
    /// (extra extension lines: `crlDistributionPoints=URI:…`, `authorityInfoAccess=OCSP;URI:…`,
    /// `tlsfeature=status_request`).
    pub fn issue(
        &self,
        file: &str,
        names: &[&str],
        key: Key,
        ext: &str,
        from_days: i64,
        to_days: i64,
    ) -> Issued {
        let key_path = self.dir.join(format!("{file}.key"));
        genkey(key, &key_path, &self.dir);
        self.issue_with_key(file, names, &key_path, ext, from_days, to_days)
    }

    /// [`Ca::issue`] for an existing key: a renewal that keeps it.
    pub fn issue_with_key(
        &self,
        file: &str,
        names: &[&str],
        key_path: &Path,
        ext: &str,
        from_days: i64,
        to_days: i64,
    ) -> Issued {
        let key_path = key_path.to_path_buf();
        let csr = self.dir.join(format!("{file}.csr"));
        openssl(
            &[
                "req",
                "-new",
                "-key",
                key_path.to_str().unwrap(),
                "-out",
                csr.to_str().unwrap(),
                "-subj",
                &format!("/CN={}", names[0]),
            ],
            &self.dir,
        );
        let ext_path = self.dir.join(format!("{file}.ext"));
        let sans: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
        std::fs::write(
            &ext_path,
            format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
                 extendedKeyUsage=serverAuth\nsubjectAltName={}\n{ext}\n",
                sans.join(",")
            ),
        )
        .unwrap();
        let cert = self.dir.join(format!("{file}.pem"));
        self.sign(&csr, &cert, &ext_path, from_days, to_days);
        let chain = self.dir.join(format!("{file}.chain.pem"));
        let both =
            std::fs::read_to_string(&cert).unwrap() + &std::fs::read_to_string(&self.cert).unwrap();
        std::fs::write(&chain, both).unwrap();
        Issued {
            cert,
            key: key_path,
            chain,
        }
    }

    /// `openssl ca -revoke` with a CRLReason.
    pub fn revoke(&self, cert: &Path, reason: &str) {
        openssl(
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-revoke",
                cert.to_str().unwrap(),
                "-crl_reason",
                reason,
            ],
            &self.dir,
        );
    }

    /// The current CRL, DER.
    pub fn crl_der(&self) -> Vec<u8> {
        openssl(
            &["ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"],
            &self.dir,
        );
        openssl(
            &[
                "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der",
            ],
            &self.dir,
        );
        std::fs::read(self.dir.join("crl.der")).unwrap()
    }

    /// An OCSP response for `cert` signed by this CA, valid a day, for stapling.
    pub fn ocsp_response(&self, cert: &Path) -> PathBuf {
        let stem = cert.file_stem().unwrap().to_str().unwrap().to_string();
        let req = self.dir.join(format!("{stem}.ocsp-req"));
        let resp = self.dir.join(format!("{stem}.ocsp"));
        openssl(
            &[
                "ocsp",
                "-issuer",
                "ca.pem",
                "-cert",
                cert.to_str().unwrap(),
                "-no_nonce",
                "-reqout",
                req.to_str().unwrap(),
            ],
            &self.dir,
        );
        openssl(
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "ca.pem",
                "-rsigner",
                "ca.pem",
                "-rkey",
                "ca.key",
                "-reqin",
                req.to_str().unwrap(),
                "-respout",
                resp.to_str().unwrap(),
                "-ndays",
                "1",
            ],
            &self.dir,
        );
        resp
    }

    /// `openssl ocsp` as a responder on `port` for this CA (it listens on every address: the
    /// tests run in a loopback-only namespace). Ready once it prints its ACCEPT line: a probe
    /// connection that sends nothing would wedge it (it waits on that connection for good).
    pub fn ocsp_responder(&self, port: u16) -> Peer {
        use std::io::BufRead;
        let mut child = Command::new(need("openssl"))
            .args([
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "ca.pem",
                "-rsigner",
                "ca.pem",
                "-rkey",
                "ca.key",
                "-ndays",
                "1",
                "-port",
                &port.to_string(),
            ])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start openssl ocsp");
        let stdout = child.stdout.take().expect("responder stdout");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            for line in lines.by_ref() {
                if line.as_deref().is_ok_and(|l| l.starts_with("ACCEPT")) {
                    let _ = ready_tx.send(());
                    break;
                }
            }
            // Drained so that the responder never blocks on a full pipe.
            for _ in lines {}
        });
        ready_rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("openssl ocsp for {} did not start listening", self.name));
        Peer(child, None)
    }

    pub fn der(&self) -> Vec<u8> {
        pem_to_der(&self.cert)
    }
}

pub fn pem_to_der(p: &Path) -> Vec<u8> {
    let data = std::fs::read(p).unwrap();
    let mut rd = &data[..];
    let first = rustls_pemfile::certs(&mut rd).next();
    first.unwrap().unwrap().to_vec()
}
