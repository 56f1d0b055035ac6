//! `tlsgrade --demo`: the lab's domains get the grades the lab intends. If a verdict changes,
//! this fails: the demo is what new users see first.

#[tokio::test]
async fn demo_domains_get_their_intended_grades_with_no_network() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .args(["--demo", "--json", "-"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let grade = |d: &str| {
        let t = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["input"] == d)
            .unwrap_or_else(|| panic!("{d} missing"));
        t["grade"].clone()
    };
    assert_eq!(grade("good.demo.test"), "A");
    assert_eq!(grade("tls12.demo.test"), "A");
    assert_eq!(grade("expired.demo.test"), "B");
    assert_eq!(grade("selfsigned.demo.test"), "B");
    assert_eq!(grade("nostarttls.demo.test"), "F");
    assert_eq!(grade("backup.demo.test"), "F");
    assert_eq!(grade("legacy.demo.test"), "C");
    assert_eq!(grade("null.demo.test"), serde_json::Value::Null);
    assert_eq!(grade("stsuncovered.demo.test"), "F");
    assert_eq!(grade("dane.demo.test"), "A+");
    assert_eq!(grade("danestale.demo.test"), "F");
    assert_eq!(grade("sts.demo.test"), "A+");
    assert_eq!(grade("stsbroken.demo.test"), "F");
    assert_eq!(grade("revoked.demo.test"), "F");
    // Revocation is checked on every demo certificate through the lab's CRL.
    let revocation = |d: &str| {
        let t = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["input"] == d)
            .unwrap();
        t["endpoints"][0]["certificate"]["revocation"].clone()
    };
    assert_eq!(revocation("good.demo.test")["status"], "good");
    assert_eq!(revocation("good.demo.test")["source"], "crl");
    assert_eq!(revocation("revoked.demo.test")["status"], "revoked");
    let backup = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["input"] == "backup.demo.test")
        .unwrap();
    assert_eq!(backup["mx"].as_array().unwrap().len(), 2);
    // The downgrade-protection detail says what DANE found (the demo zone is signed).
    let downgrade = |d: &str| {
        let t = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["input"] == d)
            .unwrap();
        t["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "domain.downgrade-protection")
            .map(|c| c["detail"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    for (d, dane) in [
        (
            "stsuncovered.demo.test",
            "no DANE either: no TLSA records for the MX hosts",
        ),
        (
            "danestale.demo.test",
            "DANE does not protect every MX host either",
        ),
    ] {
        let got = downgrade(d);
        assert!(got.contains(dane), "{d}: {got}");
        assert!(!got.contains("not checked"), "{d}: {got}");
    }
}
