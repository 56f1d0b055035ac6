//! Captures a server's raw answer to one of tlsgrade's probe ClientHellos (fixed random, so the
//! hello is reproducible) into a file, for the decoding tests under tests/data.
//!
//! usage: cargo run --example capture_replies -- HOST:PORT ssl3|tls10|tls11|tls12|tls13 OUT [--scsv] [--sni NAME]
//!
//! tests/data/README.md lists the commands and servers each file came from.

use std::io::{Read, Write};
use std::time::Duration;

use tlsgrade::wire::hello::{ClientHelloBuilder, Probe};
use tlsgrade::wire::server::FirstFlightParser;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: capture_replies HOST:PORT ssl3|tls10|tls11|tls12|tls13 OUT [--scsv] [--sni NAME]");
        std::process::exit(2);
    }
    let probe = match args[2].as_str() {
        "ssl3" => Probe::Ssl3,
        "tls10" => Probe::Tls10,
        "tls11" => Probe::Tls11,
        "tls12" => Probe::Tls12,
        "tls13" => Probe::Tls13,
        other => {
            eprintln!("unknown probe {other}");
            std::process::exit(2);
        }
    };
    let mut b = ClientHelloBuilder::new(probe).fallback_scsv(args.iter().any(|a| a == "--scsv"));
    if let Some(i) = args.iter().position(|a| a == "--sni") {
        b = b.server_name(&args[i + 1]);
    }
    let hello = b.build().expect("hello");
    let mut s = std::net::TcpStream::connect(&args[1]).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(3))).ok();
    s.write_all(&hello).expect("send");
    let mut got = Vec::new();
    let mut parser = FirstFlightParser::new();
    let mut buf = [0u8; 16384];
    while !parser.is_finished() {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                parser.feed(&buf[..n]);
            }
        }
    }
    std::fs::write(&args[3], &got).expect("write");
    eprintln!("{} bytes: {:?}", got.len(), parser.result());
}
