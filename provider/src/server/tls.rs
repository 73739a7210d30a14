//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per process, and a
//! client certificate pinned to exactly the one Terraform passed in `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is ECDSA P-521 and marked as a CA. webpki refuses a CA
//! certificate as an end entity and ring cannot verify P-521, so the usual verifiers do not
//! fit. We compare the presented certificate byte for byte with the pinned one and check
//! the handshake signature with aws-lc-rs's verification algorithms (which support P-521).
//!
//! Start-up cost matters: Terraform starts the provider several times per command and waits
//! for the handshake line each time. aws-lc-rs seeds its random generator from CPU jitter
//! entropy on first use, which measured 25-45 ms here. So everything that needs randomness
//! (our key, the serial, the TLS session's ephemeral keys and randoms) runs on ring, which
//! reads getrandom; aws-lc-rs is only used to verify the client's signature, at connection
//! time, which needs no randomness.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use anyhow::Context as _;
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Validity of our server certificate: go-plugin uses 262980 hours (about 30 years).
const CERT_VALIDITY: time::Duration = time::Duration::hours(262_980);

/// The crypto provider of the plugin's TLS server (key exchange, ciphers, our signatures,
/// randomness): ring, for its cheap start-up (see the module comment).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Algorithms for the client's handshake signature: aws-lc-rs's, the only ones here that
/// include ECDSA P-521 (Terraform's key). Verification draws no randomness, so this never
/// triggers aws-lc-rs's entropy seeding.
fn client_signature_algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms
}

/// Our per-process server certificate and its key.
pub struct ServerIdentity {
    /// DER of the self-signed certificate (also sent, base64, in the handshake line).
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity").finish_non_exhaustive()
    }
}

/// A ring ECDSA P-256 key that rcgen can sign with, whichever crypto backend rcgen was built
/// with (feature unification may give it aws-lc-rs).
struct RingP256 {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl rcgen::PublicKeyData for RingP256 {
    fn der_bytes(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for RingP256 {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key
            .sign(&self.rng, msg)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| rcgen::Error::RingUnspecified)
    }
}

/// Generates a self-signed certificate shaped like go-plugin's `generateCert`: CN and SAN
/// `localhost`, organization HashiCorp, CA, key usages digitalSignature, keyEncipherment,
/// keyAgreement and keyCertSign, extended usages clientAuth and serverAuth, backdated 30 s.
/// We use ECDSA P-256 (go-plugin uses P-521; Terraform accepts either, P-256 is faster).
pub fn generate_server_identity() -> anyhow::Result<ServerIdentity> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod,
        KeyUsagePurpose, SerialNumber,
    };
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("generating the server key failed"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|e| anyhow::anyhow!("loading the generated server key: {e}"))?;
    let key = RingP256 { key, rng };
    let mut params = CertificateParams::new(vec!["localhost".to_string()])
        .context("building the server certificate")?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    // Subject key identifier as RFC 7093 method 1 (what rcgen would compute), hashed with
    // ring so that rcgen's own backend is never touched.
    let spki_hash =
        ring::digest::digest(&ring::digest::SHA256, rcgen::PublicKeyData::der_bytes(&key));
    params.key_identifier_method = KeyIdMethod::PreSpecified(spki_hash.as_ref()[..20].to_vec());
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + CERT_VALIDITY;
    let mut serial = [0u8; 16];
    key.rng
        .fill(&mut serial)
        .map_err(|_| anyhow::anyhow!("drawing the certificate serial failed"))?;
    serial[0] &= 0x7f; // keep it positive
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let cert = params
        .self_signed(&key)
        .context("signing the server certificate")?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(pkcs8.as_ref().to_vec()),
    })
}

/// Accepts exactly one client certificate (byte-equal DER) and nothing else.
#[derive(Debug)]
pub struct PinnedClientCertVerifier {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertVerifier {
    /// Pins the given DER certificate.
    pub fn new(pinned: CertificateDer<'static>) -> Self {
        Self {
            pinned,
            algorithms: client_signature_algorithms(),
        }
    }

    /// Pins the first certificate of a PEM text (the content of `PLUGIN_CLIENT_CERT`).
    pub fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let cert = CertificateDer::pem_slice_iter(pem.as_bytes())
            .next()
            .context("PLUGIN_CLIENT_CERT holds no PEM certificate")?
            .context("PLUGIN_CLIENT_CERT is not a valid PEM certificate")?;
        Ok(Self::new(cert))
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    // No CA hints: Go's client then offers its only certificate without issuer matching.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// rustls server configuration for AutoMTLS: TLS 1.2 and 1.3, ALPN `h2`, client
/// certificate required and pinned.
pub fn server_config(
    client_cert_pem: &str,
    identity: &ServerIdentity,
) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let verifier = PinnedClientCertVerifier::from_pem(client_cert_pem)?;
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("choosing TLS versions")?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )
        .context("loading the server certificate")?;
    // Terraform 1.12+ (grpc-go) insists on ALPN h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Peer information attached to each request served over TLS.
#[derive(Debug, Clone)]
pub struct TlsConnectInfo {
    /// The client's address.
    pub remote_addr: Option<SocketAddr>,
}

/// A server-side TLS connection tonic can serve.
#[derive(Debug)]
pub struct TlsConn {
    inner: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    remote_addr: Option<SocketAddr>,
}

impl TlsConn {
    /// Wraps an accepted TLS stream.
    pub fn new(
        inner: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
        remote_addr: Option<SocketAddr>,
    ) -> Self {
        Self { inner, remote_addr }
    }
}

impl tonic::transport::server::Connected for TlsConn {
    type ConnectInfo = TlsConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        TlsConnectInfo {
            remote_addr: self.remote_addr,
        }
    }
}

impl AsyncRead for TlsConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate shaped like Terraform's AutoMTLS client certificate: P-521, CA.
    fn terraform_like_cert() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        rcgen::CertifiedKey {
            cert,
            signing_key: key,
        }
    }

    #[test]
    fn pinned_cert_is_accepted_and_others_rejected() {
        let pinned = terraform_like_cert();
        let other = terraform_like_cert();
        let verifier = PinnedClientCertVerifier::from_pem(&pinned.cert.pem()).unwrap();
        let now = UnixTime::now();
        assert!(verifier
            .verify_client_cert(pinned.cert.der(), &[], now)
            .is_ok());
        assert!(verifier
            .verify_client_cert(other.cert.der(), &[], now)
            .is_err());
        // Also a P-256 non-CA certificate.
        let small = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        assert!(verifier
            .verify_client_cert(small.cert.der(), &[], now)
            .is_err());
        assert!(verifier.client_auth_mandatory());
        assert!(verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn bad_pem_is_an_error() {
        assert!(PinnedClientCertVerifier::from_pem("not pem").is_err());
    }

    #[test]
    fn server_identity_is_shaped_like_go_plugin() {
        let id = generate_server_identity().unwrap();
        let pem = "-----BEGIN CERTIFICATE-----\n".to_string()
            + &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &id.cert_der)
            + "\n-----END CERTIFICATE-----\n";
        let config = server_config(&pem, &id).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
