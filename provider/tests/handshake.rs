//! End-to-end checks of the go-plugin handshake against the real binary: cookie refusal, the
//! handshake line and the served certificate as Terraform checks them, AutoMTLS with a
//! Terraform-shaped client certificate, health, Shutdown, and refusal of clients without the
//! pinned certificate.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use coexistence::server::proto::plugin::grpc_controller_client::GrpcControllerClient;
use coexistence::server::proto::plugin::Empty;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{health_check_response::ServingStatus, HealthCheckRequest};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-coexistence");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate like Terraform's AutoMTLS one: ECDSA P-521, marked CA.
struct ClientCert {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn terraform_like_client_cert() -> ClientCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// Trusts exactly the server certificate from the handshake line (as go-plugin's client does
/// by putting it alone in its root pool; webpki would reject it as a CA used as end entity).
#[derive(Debug)]
struct PinnedServer {
    der: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Always offers the same certificate and key.
#[derive(Debug)]
struct FixedClientCert(Arc<CertifiedKey>);

impl ResolvesClientCert for FixedClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn client_tls(server_der: &[u8], client: Option<&ClientCert>) -> Arc<rustls::ClientConfig> {
    client_tls_versions(server_der, client, rustls::DEFAULT_VERSIONS)
}

fn client_tls_versions(
    server_der: &[u8],
    client: Option<&ClientCert>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let key_provider = provider.key_provider;
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            der: server_der.to_vec(),
            provider,
        }));
    let mut config = match client {
        // CertifiedKey::new skips rustls' check that the key matches the certificate, so a
        // test can present a certificate with a key it does not belong to.
        Some(c) => builder.with_client_cert_resolver(Arc::new(FixedClientCert(Arc::new(
            CertifiedKey::new(
                vec![c.der.clone()],
                key_provider
                    .load_private_key(PrivateKeyDer::Pkcs8(c.key.clone_key()))
                    .unwrap(),
            ),
        )))),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

async fn channel(
    addr: String,
    tls: Arc<rustls::ClientConfig>,
) -> Result<Channel, tonic::transport::Error> {
    let connector = tower::service_fn(move |_uri: tonic::codegen::http::Uri| {
        let addr = addr.clone();
        let tls = tls.clone();
        async move {
            let tcp = tokio::net::TcpStream::connect(&addr).await?;
            let stream = tokio_rustls::TlsConnector::from(tls)
                .connect(ServerName::try_from("localhost").unwrap(), tcp)
                .await?;
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(5))
        .connect_with_connector(connector)
        .await
}

struct Plugin {
    child: Child,
    addr: String,
    server_der: Vec<u8>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_plugin(client_pem: &str) -> Plugin {
    let mut child = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .env_remove("PLUGIN_MIN_PORT")
        .env_remove("PLUGIN_MAX_PORT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the provider");
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = stderr.read_to_end(&mut sink);
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("handshake line within 10 s");
    // go-plugin reads exactly one line: CORE|APP|NETWORK|ADDR|PROTOCOL|CERT.
    assert!(
        line.ends_with('\n') && !line.trim_end().contains('\n'),
        "{line:?}"
    );
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(&parts[..3], ["1", "6", "tcp"], "{line:?}");
    let addr: std::net::SocketAddr = parts[3].parse().expect("ADDR is host:port");
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{line:?}");
    assert_eq!(parts[4], "grpc");
    assert!(
        !parts[5].contains('='),
        "RawStdEncoding has no padding: {line:?}"
    );
    let server_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("certificate is RawStdEncoding base64");
    Plugin {
        addr: parts[3].to_string(),
        child,
        server_der,
    }
}

async fn health(channel: Channel) -> Result<i32, tonic::Status> {
    let resp = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    Ok(resp.into_inner().status)
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// What Terraform's go-plugin client does with the handshake line: decode CERT, put it alone
/// in a root pool, dial ADDR with server name `localhost` and ALPN `h2`, and let Go's x509
/// verification accept the certificate the server presents. Each condition that verification
/// rests on is checked here on the certificate actually served.
#[tokio::test]
async fn the_served_certificate_is_the_pinned_one_and_verifies_as_terraform_would() {
    use x509_parser::extensions::GeneralName;
    let client = terraform_like_client_cert();
    let plugin = start_plugin(&client.pem);
    let tcp = tokio::net::TcpStream::connect(&plugin.addr).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(client_tls(&plugin.server_der, Some(&client)))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the pinned certificates");
    let (_, conn) = tls.get_ref();
    // grpc-go (Terraform 1.12+) refuses a connection without ALPN h2.
    assert_eq!(conn.alpn_protocol(), Some(&b"h2"[..]));
    // go-plugin's client sets MinVersion TLS 1.2.
    assert!(matches!(
        conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3 | rustls::ProtocolVersion::TLSv1_2)
    ));
    let served = conn.peer_certificates().expect("a server certificate");
    assert_eq!(served.len(), 1, "the certificate alone, no chain");
    assert_eq!(
        served[0].as_ref(),
        plugin.server_der.as_slice(),
        "the certificate served is the one on the handshake line"
    );
    let (rest, cert) = x509_parser::parse_x509_certificate(served[0].as_ref())
        .expect("an X.509 certificate Go can parse");
    assert!(rest.is_empty(), "nothing after the certificate");
    // Go ignores the common name: `localhost` must be a DNS subject alternative name.
    let san = cert
        .subject_alternative_name()
        .expect("well-formed extensions")
        .expect("a subjectAltName extension");
    assert!(
        san.value
            .general_names
            .iter()
            .any(|n| matches!(n, GeneralName::DNSName("localhost"))),
        "{:?}",
        san.value.general_names
    );
    // Valid now (go-plugin back-dates NotBefore by 30 s against clock skew).
    assert!(cert.validity().is_valid(), "{:?}", cert.validity());
    assert!(
        cert.validity().not_before.timestamp() <= time_now() - 10,
        "NotBefore is back-dated: {}",
        cert.validity().not_before
    );
    // Go checks the extended key usage of the verified chain: serverAuth (or none at all).
    if let Some(eku) = cert.extended_key_usage().expect("well-formed EKU") {
        assert!(eku.value.server_auth || eku.value.any, "{:?}", eku.value);
    }
    // A root in Go's pool that is also the leaf: a v3 self-signed CA certificate whose key
    // usage allows signing (Go's verifier and go-plugin's own certificate both have it).
    assert_eq!(cert.version(), x509_parser::x509::X509Version::V3);
    assert_eq!(cert.subject(), cert.issuer(), "self-signed");
    assert!(cert.is_ca(), "marked CA, as go-plugin's own certificate is");
    let ku = cert
        .key_usage()
        .expect("well-formed key usage")
        .expect("a key usage extension");
    assert!(
        ku.value.digital_signature() && ku.value.key_cert_sign(),
        "{}",
        ku.value
    );
    // An ECDSA key Go's TLS stack signs with (P-256, P-384 or P-521).
    let spki = &cert.public_key().algorithm;
    assert_eq!(
        spki.algorithm,
        x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY
    );
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn refuses_to_run_without_magic_cookie() {
    let out = Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("This binary is the Terraform provider for coexistence"),
        "{stderr}"
    );
    assert!(stderr.contains("not meant to be run directly"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout: {:?}", out.stdout);
}

#[test]
fn refuses_protocol_5_only() {
    let out = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6"));
}

#[tokio::test]
async fn automtls_health_and_shutdown() {
    let client = terraform_like_client_cert();
    let mut plugin = start_plugin(&client.pem);

    let ch = channel(
        plugin.addr.clone(),
        client_tls(&plugin.server_der, Some(&client)),
    )
    .await
    .expect("connect with the pinned client certificate");
    assert_eq!(
        health(ch.clone()).await.unwrap(),
        ServingStatus::Serving as i32
    );

    GrpcControllerClient::new(ch)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let status = tokio::task::spawn_blocking(move || {
        let status = wait_exit(&mut plugin.child, Duration::from_secs(5));
        drop(plugin);
        status
    })
    .await
    .unwrap()
    .expect("exits within 5 s of Shutdown");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn clients_without_the_pinned_certificate_are_refused() {
    let client = terraform_like_client_cert();
    let stranger = terraform_like_client_cert();
    let plugin = start_plugin(&client.pem);

    // No client certificate at all.
    let no_cert = match channel(plugin.addr.clone(), client_tls(&plugin.server_der, None)).await {
        Ok(ch) => health(ch).await.is_err(),
        Err(_) => true,
    };
    assert!(no_cert, "a client without a certificate must be refused");

    // A different certificate of the same shape.
    let wrong = match channel(
        plugin.addr.clone(),
        client_tls(&plugin.server_der, Some(&stranger)),
    )
    .await
    {
        Ok(ch) => health(ch).await.is_err(),
        Err(_) => true,
    };
    assert!(wrong, "a client with another certificate must be refused");

    // Failed handshakes did not hurt the server.
    let ch = channel(
        plugin.addr.clone(),
        client_tls(&plugin.server_der, Some(&client)),
    )
    .await
    .expect("the right client still connects");
    assert_eq!(health(ch).await.unwrap(), ServingStatus::Serving as i32);
}

/// The pinned certificate's bytes are not enough: the client must also prove it holds the
/// matching P-521 key (the handshake signature is verified), on TLS 1.3 and on TLS 1.2.
#[tokio::test]
async fn the_pinned_certificate_with_another_key_is_refused() {
    let client = terraform_like_client_cert();
    let other = terraform_like_client_cert();
    let impostor = ClientCert {
        pem: client.pem.clone(),
        der: client.der.clone(),
        key: other.key.clone_key(),
    };
    let plugin = start_plugin(&client.pem);
    for versions in [
        &[&rustls::version::TLS13][..],
        &[&rustls::version::TLS12][..],
    ] {
        let refused = match channel(
            plugin.addr.clone(),
            client_tls_versions(&plugin.server_der, Some(&impostor), versions),
        )
        .await
        {
            Ok(ch) => health(ch).await.is_err(),
            Err(_) => true,
        };
        assert!(
            refused,
            "pinned DER with a non-matching key must be refused ({versions:?})"
        );
        // The genuine client, same protocol version: its P-521 signature verifies.
        let ch = channel(
            plugin.addr.clone(),
            client_tls_versions(&plugin.server_der, Some(&client), versions),
        )
        .await
        .unwrap_or_else(|e| panic!("the right client connects ({versions:?}): {e}"));
        assert_eq!(health(ch).await.unwrap(), ServingStatus::Serving as i32);
    }
}
