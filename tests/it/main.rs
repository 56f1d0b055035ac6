//! Integration tests: one binary, a module per area. Everything talks to 127.0.0.0/8 or ::1 only:
//! the lab's in-process DNS, SMTP and TLS servers, and real peers (openssl s_server, Postfix)
//! started by the harness in `peers`.

mod bad_input;
mod batch;
mod budget;
mod captures;
mod certs;
mod ciphers;
mod cli;
mod common;
mod dane;
mod dane_real;

mod demo;
mod docs;
mod domain;
mod every_cert;
mod exporter;
mod handshake;
mod hostile;
mod html;
mod imap;
mod key_exchange;
mod mta_sts;
mod openssl_ca;
mod outputs;
mod peers;
mod plaintext;
mod poodle;
mod preflight;
mod renegotiation;
mod renewal;
mod resumption;
mod revocation;
mod schema;
mod smtp;
mod stacks;
mod versions;
