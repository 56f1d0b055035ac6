//! rustls server configurations for the lab's servers, and a direct-TLS server for the tests
//! (the demo's servers all speak STARTTLS or HTTPS, so only the `lab` feature builds that one).

use std::sync::Arc;

use rustls::ServerConfig;

use super::pki::Leaf;

/// Which TLS versions a lab server accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    Tls12And13,
    Tls12Only,
    Tls13Only,
}

/// A rustls server config serving `leaf` (ring provider).
pub fn server_config(leaf: &Leaf, versions: Versions) -> Result<Arc<ServerConfig>, rustls::Error> {
    let v: &[&'static rustls::SupportedProtocolVersion] = match versions {
        Versions::Tls12And13 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls12Only => &[&rustls::version::TLS12],
        Versions::Tls13Only => &[&rustls::version::TLS13],
    };
    let cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(v)?
            .with_no_client_auth()
            .with_single_cert(leaf.chain.clone(), leaf.key())?;
    Ok(Arc::new(cfg))
}

/// A direct-TLS server on `ips` (one shared port): handshakes, writes a line, closes.
#[cfg(feature = "lab")]
pub async fn spawn_tls(
    ips: &[std::net::IpAddr],
    config: Arc<ServerConfig>,
) -> std::io::Result<super::ServerHandle> {
    use tokio::io::AsyncWriteExt;
    let listeners = super::bind_all(ips).await?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    Ok(super::serve(
        listeners,
        std::time::Duration::from_secs(20),
        move |sock| {
            let acceptor = acceptor.clone();
            async move {
                if let Ok(mut tls) = acceptor.accept(sock).await {
                    let _ = tls.write_all(b"hello from the tlsgrade lab\r\n").await;
                    let _ = tls.shutdown().await;
                }
            }
        },
    ))
}
