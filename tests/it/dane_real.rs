//! DANE through a real validating stack: a zone signed by ldns (NSEC3), served by nsd, reached
//! through unbound validating with the zone's DS as trust anchor. tlsgrade validates again itself
//! (from the same DS, given as --trust-anchor) and must agree with unbound: a valid 3 1 1 is DANE
//! valid, and the RRset whose signature was broken is bogus to both.

use std::process::{Command, Stdio};

use hickory_proto::rr::RecordType;
use tlsgrade::dns::{load_trust_anchors, Dns, DnsError};
use tlsgrade::report::{Grade, Status};
use x509_parser::prelude::*;

use crate::common::*;
use crate::peers::{free_port, need, Peer};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn spki_hex(der: &[u8]) -> String {
    let (_, c) = X509Certificate::from_der(der).unwrap();
    ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn wait_udp(port: u16, child: &mut std::process::Child, what: &str) {
    for _ in 0..100 {
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited: {st}");
        }
        // nsd and unbound also listen on TCP; that is the easy thing to poll.
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{what} did not start on port {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldns_signed_zone_through_nsd_and_unbound_agrees_with_our_validation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let leaf = leaf(&["mx.example.test"]);
    let smtp = {
        use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
        use tlsgrade::lab::tls::{server_config, Versions};
        spawn_smtp(
            &[ip("127.0.0.1")],
            SmtpScript::new(
                "mx.example.test",
                Some(server_config(&leaf, Versions::Tls12And13).unwrap()),
            ),
        )
        .await
        .unwrap()
    };
    std::fs::write(
        d.join("example.test.zone"),
        format!(
            "$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n\
             @ IN MX 10 mx\nmx IN A 127.0.0.1\n_25._tcp.mx IN TLSA 3 1 1 {}\n\
             _smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.test\"\nbad IN A 127.0.0.2\n",
            spki_hex(&leaf.chain[0])
        ),
    )
    .unwrap();
    let keygen = need("ldns-keygen");
    let ksk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "-k", "example.test"])
        .current_dir(d));
    let zsk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "example.test"])
        .current_dir(d));
    run(Command::new(need("ldns-signzone"))
        .args([
            "-n",
            "-f",
            "example.test.signed",
            "example.test.zone",
            &zsk,
            &ksk,
        ])
        .current_dir(d));
    let ds = run(Command::new(need("ldns-key2ds"))
        .args(["-n", "-2", &format!("{ksk}.key")])
        .current_dir(d));
    // Break the signature over bad.example.test A, as a stale or tampered RRSIG would be.
    let signed = std::fs::read_to_string(d.join("example.test.signed")).unwrap();
    let broken: String = signed
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() > 5 && f[0] == "bad.example.test." && f[3] == "RRSIG" && f[4] == "A" {
                let last = f[f.len() - 1];
                let flipped = format!(
                    "{}{}",
                    if last.starts_with('A') { "B" } else { "A" },
                    &last[1..]
                );
                let mut g = f.clone();
                let n = g.len();
                g[n - 1] = &flipped;
                return format!("{}\n", g.join("\t"));
            }
            format!("{l}\n")
        })
        .collect();
    std::fs::write(d.join("example.test.signed"), broken).unwrap();

    // The parent zone, signed too, holding example.test's DS: its DS is the trust anchor (hickory
    // asks for the DS of every zone up to the anchor, and wants NSEC proof where there is none).
    std::fs::write(
        d.join("test.zone"),
        format!(
            "$ORIGIN test.\n$TTL 300\n@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300\n@ IN NS ns1.example.test.\nexample IN NS ns1.example.test.\n{ds}\n"
        ),
    )
    .unwrap();
    let pksk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "-k", "test"])
        .current_dir(d));
    let pzsk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "test"])
        .current_dir(d));
    run(Command::new(need("ldns-signzone"))
        .args(["-n", "-f", "test.signed", "test.zone", &pzsk, &pksk])
        .current_dir(d));
    let test_ds = run(Command::new(need("ldns-key2ds"))
        .args(["-n", "-2", &format!("{pksk}.key")])
        .current_dir(d));
    // And a root above it, as in the real DNS: the trust anchor is the root's key, and no
    // resolver has to ask anyone for the DS of the anchor zone.
    std::fs::write(
        d.join("root.zone"),
        format!(
            "$ORIGIN .\n$TTL 300\n@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300\n@ IN NS ns1.example.test.\ntest. IN NS ns1.example.test.\n{test_ds}\n"
        ),
    )
    .unwrap();
    let rksk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "-k", "."])
        .current_dir(d));
    let rzsk = run(Command::new(&keygen)
        .args(["-a", "ECDSAP256SHA256", "."])
        .current_dir(d));
    run(Command::new(need("ldns-signzone"))
        .args(["-n", "-f", "root.signed", "root.zone", &rzsk, &rksk])
        .current_dir(d));
    let ds = run(Command::new(need("ldns-key2ds"))
        .args(["-n", "-2", &format!("{rksk}.key")])
        .current_dir(d));
    let nsd_port = free_port();
    let conf = format!(
        "server:\n ip-address: 127.0.0.1\n port: {nsd_port}\n do-ip6: no\n username: \"\"\n chroot: \"\"\n database: \"\"\n zonesdir: \"{z}\"\n zonelistfile: \"{z}/zone.list\"\n xfrdfile: \"{z}/xfrd.state\"\n xfrdir: \"{z}\"\n pidfile: \"{z}/nsd.pid\"\n server-count: 1\nremote-control:\n control-enable: no\nzone:\n name: \"example.test\"\n zonefile: \"example.test.signed\"\nzone:\n name: \"test\"\n zonefile: \"test.signed\"\nzone:\n name: \".\"\n zonefile: \"root.signed\"\n",
        z = d.display()
    );
    std::fs::write(d.join("nsd.conf"), conf).unwrap();
    let mut nsd = Command::new(need("nsd"))
        .args(["-d", "-c"])
        .arg(d.join("nsd.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_udp(nsd_port, &mut nsd, "nsd");
    let _nsd = Peer(nsd, None);

    let ub_port = free_port();
    let ta: Vec<&str> = ds.split_whitespace().collect(); // owner ttl IN DS tag alg type digest
    let conf = format!(
        "server:\n interface: 127.0.0.1\n port: {ub_port}\n do-ip6: no\n username: \"\"\n chroot: \"\"\n directory: \"{z}\"\n pidfile: \"{z}/unbound.pid\"\n use-syslog: no\n logfile: \"\"\n module-config: \"validator iterator\"\n do-not-query-localhost: no\n access-control: 127.0.0.0/8 allow\n trust-anchor: \"{} DS {} {} {} {}\"\n local-zone: \"test.\" nodefault\nremote-control:\n control-enable: no\nstub-zone:\n name: \".\"\n stub-addr: 127.0.0.1@{nsd_port}\n",
        ta[0], ta[4], ta[5], ta[6], ta[7],
        z = d.display()
    );
    std::fs::write(d.join("unbound.conf"), conf).unwrap();
    let mut ub = Command::new(need("unbound"))
        .args(["-d", "-c"])
        .arg(d.join("unbound.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_udp(ub_port, &mut ub, "unbound");
    let _ub = Peer(ub, None);
    let resolver: std::net::SocketAddr = format!("127.0.0.1:{ub_port}").parse().unwrap();

    // Unbound's own verdict on the broken RRset: SERVFAIL.
    let plain = Dns::new(Some(resolver), std::time::Duration::from_secs(5)).unwrap();
    assert!(matches!(
        plain.lookup_proof("bad.example.test", RecordType::A).await,
        Err(DnsError::ServFail(_))
    ));

    // Ours, from the DS as --trust-anchor.
    std::fs::write(d.join("anchor.ds"), format!("{ds}\n")).unwrap();
    let anchors = load_trust_anchors(&[d.join("anchor.ds")], &plain)
        .await
        .expect("DS anchor resolves to the KSK");
    // Straight from nsd (no unbound in between), our own validation calls the broken RRset
    // bogus and the good one secure: the same verdicts as unbound.
    let nsd_addr: std::net::SocketAddr = format!("127.0.0.1:{nsd_port}").parse().unwrap();
    let ours = Dns::validating(
        Some(nsd_addr),
        std::time::Duration::from_secs(5),
        std::sync::Arc::new(anchors.clone()),
    )
    .unwrap();
    let (_, bad) = ours
        .lookup_proof("bad.example.test", RecordType::A)
        .await
        .unwrap();
    assert_eq!(bad, hickory_proto::dnssec::Proof::Bogus);
    let (_, good) = ours
        .lookup_proof("mx.example.test", RecordType::A)
        .await
        .unwrap();
    assert_eq!(good, hickory_proto::dnssec::Proof::Secure);
    let mut cfg = config(
        Some(resolver),
        &[&format!("mx.example.test:25:127.0.0.1:{}", smtp.port())],
    );
    cfg.trust_anchors = Some(std::sync::Arc::new(anchors));
    let r = scan(&cfg, "example.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.valid", Status::Pass);
    assert_eq!(r.dane.as_ref().unwrap().mx_dnssec, "secure");
    has(&r.checks, "dane.domain", Status::Pass);
    assert!(matches!(r.grade, Some(tlsgrade::report::GradeValue::Letter(g)) if g <= Grade::A));
}
