//! The client-certificate credential without OpenSSL: the certificate and its RSA key are read
//! from a PKCS#12 (.pfx) file (pure-Rust `p12-keystore`) or from PEM, and every token request
//! carries a fresh client assertion (a JWT signed with the key through aws-lc-rs, the crypto
//! library rustls already links). azure_identity's `ClientAssertionCredential` sends it and
//! caches the tokens.
//!
//! The assertion is what the Microsoft identity platform documents for certificate
//! credentials: header `alg` RS256 with `x5t` (base64url SHA-1 thumbprint, what MSAL and the
//! other Azure SDKs send) and `x5t#S256` (base64url SHA-256 thumbprint, the newer form);
//! claims `aud` = the token endpoint, `iss` = `sub` = the client ID, a random `jti`, and
//! `nbf` / `exp` five minutes apart.

use async_trait::async_trait;
use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// How long a signed assertion is valid (the value azure_identity and MSAL use).
const ASSERTION_LIFETIME_SECS: u64 = 300;

/// A certificate with its private key, ready to sign client assertions.
#[derive(Clone)]
pub struct CertificateAssertion {
    key: Arc<RsaKeyPair>,
    /// base64url(JSON header), computed once.
    header: String,
    client_id: String,
    /// `<authority>/<tenant>/oauth2/v2.0/token`.
    audience: String,
}

// Never print the key.
impl fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Parses `bytes` (PKCS#12, or PEM holding the certificate and an unencrypted PKCS#8 or
    /// PKCS#1 RSA key). Errors say what is wrong with the file, never its content.
    pub fn new(
        bytes: &[u8],
        password: Option<&str>,
        authority_host: &str,
        tenant_id: &str,
        client_id: &str,
    ) -> Result<Self, String> {
        let (cert, key) = if looks_like_pem(bytes) {
            from_pem(bytes)?
        } else {
            from_pkcs12(bytes, password.unwrap_or(""))?
        };
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &cert)),
            "x5t#S256": URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &cert)),
        });
        Ok(CertificateAssertion {
            key: Arc::new(key),
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
            client_id: client_id.to_string(),
            audience: format!(
                "{}/{tenant_id}/oauth2/v2.0/token",
                authority_host.trim_end_matches('/')
            ),
        })
    }

    /// A freshly signed assertion.
    pub fn sign(&self) -> Result<String, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| "signing the client assertion with the certificate's key failed")?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }
}

#[async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.sign().map_err(|m| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m)
        })
    }
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| bytes[i..].starts_with(b"-----BEGIN "))
}

fn rsa_key(der: &[u8], pkcs1: bool) -> Result<RsaKeyPair, String> {
    let parsed = if pkcs1 {
        RsaKeyPair::from_der(der)
    } else {
        RsaKeyPair::from_pkcs8(der)
    };
    parsed.map_err(|e| {
        format!("the private key is not a usable RSA key ({e}); Entra ID certificate credentials need RSA (2048 bits or more)")
    })
}

fn from_pem(bytes: &[u8]) -> Result<(Vec<u8>, RsaKeyPair), String> {
    let cert = CertificateDer::pem_slice_iter(bytes)
        .next()
        .ok_or("the PEM file has no CERTIFICATE block")?
        .map_err(|e| format!("the PEM file's CERTIFICATE block is invalid: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(bytes).map_err(|_| {
        "the PEM file has no unencrypted PRIVATE KEY or RSA PRIVATE KEY block (encrypted PEM keys are not supported: use a password-protected .pfx instead)".to_string()
    })?;
    let key = match &key {
        PrivateKeyDer::Pkcs8(k) => rsa_key(k.secret_pkcs8_der(), false)?,
        PrivateKeyDer::Pkcs1(k) => rsa_key(k.secret_pkcs1_der(), true)?,
        _ => {
            return Err(
                "the private key is not RSA; Entra ID certificate credentials need an RSA key"
                    .into(),
            )
        }
    };
    Ok((cert.to_vec(), key))
}

fn from_pkcs12(bytes: &[u8], password: &str) -> Result<(Vec<u8>, RsaKeyPair), String> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
    let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| {
        format!("the file is neither PEM nor a PKCS#12 (.pfx) bundle this password opens ({e}); check client_certificate_path and client_certificate_password")
    })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("the PKCS#12 bundle holds no private key")?;
    // The leaf certificate comes first in a key chain.
    let cert = chain
        .certs()
        .first()
        .ok_or("the PKCS#12 bundle holds no certificate for its private key")?;
    let key = rsa_key(chain.key().as_der(), false)?;
    Ok((cert.as_der().to_vec(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa_cert() -> (String, String) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
        let cert = rcgen::CertificateParams::new(vec!["app".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn pem_assertion_has_the_documented_header_and_claims() {
        let (cert, key) = rsa_cert();
        let a = CertificateAssertion::new(
            format!("{cert}{key}").as_bytes(),
            None,
            "https://login.example/",
            "tid",
            "cid",
        )
        .unwrap();
        let jwt = a.sign().unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let h = decode(parts[0]);
        assert_eq!(h["alg"], "RS256");
        assert_eq!(h["x5t"].as_str().unwrap().len(), 27, "SHA-1, base64url");
        assert_eq!(
            h["x5t#S256"].as_str().unwrap().len(),
            43,
            "SHA-256, base64url"
        );
        let c = decode(parts[1]);
        assert_eq!(c["aud"], "https://login.example/tid/oauth2/v2.0/token");
        assert_eq!((&c["iss"], &c["sub"]), (&"cid".into(), &"cid".into()));
        assert_eq!(c["exp"].as_u64().unwrap() - c["nbf"].as_u64().unwrap(), 300);
        assert_ne!(a.sign().unwrap(), jwt, "a fresh jti each time");
    }

    #[test]
    fn pfx_with_password_loads_and_wrong_password_is_explained() {
        let (cert, key) = rsa_cert();
        let cert_der = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        let key_der = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
        let chain = p12_keystore::PrivateKeyChain::new(
            vec![1u8],
            p12_keystore::PrivateKey::from_der(key_der.secret_der()).unwrap(),
            [p12_keystore::Certificate::from_der(&cert_der).unwrap()],
        );
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry("app", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
        let pfx = store.writer("pw").write().unwrap();
        let a = CertificateAssertion::new(&pfx, Some("pw"), "https://l", "t", "c").unwrap();
        assert!(a.sign().is_ok());
        let e = CertificateAssertion::new(&pfx, Some("nope"), "https://l", "t", "c").unwrap_err();
        assert!(e.contains("client_certificate_password"), "{e}");
    }

    #[test]
    fn non_rsa_keys_are_refused_with_a_reason() {
        let key = rcgen::KeyPair::generate().unwrap(); // ECDSA P-256
        let cert = rcgen::CertificateParams::new(vec!["app".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem = format!("{}{}", cert.pem(), key.serialize_pem());
        let e = CertificateAssertion::new(pem.as_bytes(), None, "https://l", "t", "c").unwrap_err();
        assert!(e.contains("RSA"), "{e}");
    }
}
