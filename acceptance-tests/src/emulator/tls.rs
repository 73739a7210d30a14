//! Certificates (a throw-away CA and a server certificate for 127.0.0.1 / localhost signed by
//! it) and the HTTPS accept loop (tokio-rustls + hyper-util, HTTP/2 and HTTP/1.1 via ALPN).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// Lets a request handler close the connection it arrived on without answering (the `reset`
/// fault). Inserted into every request's extensions by [`serve`].
#[derive(Clone, Debug, Default)]
pub struct ConnectionCloser(Arc<Notify>);

impl ConnectionCloser {
    /// Drops the connection: the client sees it closed with no answer (to this request and to
    /// any other in flight on the same connection).
    pub fn close(&self) {
        self.0.notify_one();
    }
}

pub struct Certs {
    /// PEM of the CA certificate (what clients must trust).
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

/// Generates a fresh CA and a server certificate for `127.0.0.1` and `localhost`.
pub fn generate() -> anyhow::Result<Certs> {
    let ca_key = KeyPair::generate().context("generating CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "coexistence-emulator test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).context("self-signing CA")?;

    let server_key = KeyPair::generate().context("generating server key")?;
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "coexistence-emulator");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params
        .signed_by(&server_key, &ca)
        .context("signing server certificate")?;

    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone(), ca.der().clone()];
    let key: PrivateKeyDer<'static> = server_key.into();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("building TLS server config")?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Certs {
        ca_pem: ca.pem(),
        acceptor: TlsAcceptor::from(Arc::new(cfg)),
    })
}

/// The accept loop. A failed accept or TLS handshake only drops that connection. Aborting the
/// task running this future drops every connection task with it.
pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, app: Router) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            res = listener.accept() => {
                let (tcp, _) = match res {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!("emulator accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                conns.spawn(async move {
                    let _ = tcp.set_nodelay(true);
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!("emulator TLS handshake failed: {e}");
                            return;
                        }
                        Err(_) => return,
                    };
                    let closer = ConnectionCloser::default();
                    let handle = closer.clone();
                    let app = tower::ServiceExt::map_request(
                        app,
                        move |mut req: axum::http::Request<hyper::body::Incoming>| {
                            req.extensions_mut().insert(handle.clone());
                            req
                        },
                    );
                    let svc = TowerToHyperService::new(app);
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), svc);
                    tokio::select! {
                        _ = conn => {}
                        // Dropping the connection closes the socket with nothing more written
                        // (no TLS close_notify, no HTTP answer): the client sees EOF.
                        _ = closer.0.notified() => tracing::debug!("emulator: connection closed by a reset fault"),
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}
