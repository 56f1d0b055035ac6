//! Runs the lab's benchmark fleet until interrupted: N SMTP STARTTLS endpoints on 127.0.1.1, …
//! with a simulated round-trip time. Used by scripts/bench.
//!
//! usage: fleet ENDPOINTS RTT_MS TARGETS_OUT CA_OUT

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 5 {
        eprintln!("usage: fleet ENDPOINTS RTT_MS TARGETS_OUT CA_OUT");
        std::process::exit(2);
    }
    let n: usize = a[1].parse().expect("ENDPOINTS");
    let rtt = std::time::Duration::from_millis(a[2].parse().expect("RTT_MS"));
    let fleet = match tlsgrade::lab::fleet::spawn_fleet(n, rtt).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fleet: {e}");
            std::process::exit(1);
        }
    };
    std::fs::write(&a[3], fleet.targets.join("\n") + "\n").expect("TARGETS_OUT");
    std::fs::write(&a[4], fleet.pki.root_pem()).expect("CA_OUT");
    eprintln!("fleet: {n} endpoints, {} ms RTT", rtt.as_millis());
    println!("ready");
    let _ = tokio::signal::ctrl_c().await;
}
