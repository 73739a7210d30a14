//! Sign-in methods beyond the client secret, as the token endpoint checks them:
//!
//! * **client assertions signed with a certificate** registered on the app: an RS256 (or
//!   PS256) JWT whose header names the certificate by `x5t` (base64url SHA-1) or `x5t#S256`
//!   (base64url SHA-256), with `aud` = this token endpoint, `iss` = `sub` = the client ID, a
//!   `jti`, and a current `nbf`..`exp` window;
//! * **federated OIDC tokens** (workload identity federation) for an app configured to trust
//!   their issuer, subject and audience. The emulator is the only issuer it can verify: it
//!   signs tokens with its own key (see `hosts.rs`), as the OIDC issuer and as the GitHub
//!   Actions token service.
//!
//! Error codes and messages follow the identity platform's documented AADSTS codes; which
//! exact code Entra returns for each assertion defect is UNCONFIRMED where marked.

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::Value;

use super::aad::{aad_error, AadError};
pub use super::jwt::TOKEN_EXCHANGE_AUDIENCE;
pub(crate) use super::jwt::{decode, now_secs, Jwt};
use super::state::Shared;
pub use super::vocab::{
    AppCertificate, AzureDevOps, FederatedCredential, GithubActions, ManagedIdentity, SignInConfig,
};

/// Clock skew the identity platform tolerates on `nbf` / `exp` (UNCONFIRMED: 5 minutes is
/// MSAL's documented default; the service's own tolerance is not published).
const SKEW_SECS: i64 = 300;

fn malformed() -> AadError {
    aad_error(
        "invalid_request",
        50027,
        "AADSTS50027: JWT token is invalid or malformed.",
    )
}

fn check_lifetime(claims: &Value) -> Result<(), AadError> {
    let now = now_secs();
    let (Some(exp), nbf) = (claims["exp"].as_i64(), claims["nbf"].as_i64()) else {
        return Err(malformed());
    };
    if exp + SKEW_SECS < now || nbf.is_some_and(|n| n - SKEW_SECS > now) {
        return Err(aad_error(
            "invalid_client",
            700024,
            "AADSTS700024: Client assertion is not within its valid time range.",
        ));
    }
    Ok(())
}

/// Checks `assertion` presented by `client_id` at `endpoint`
/// (`<base>/<tenant as sent>/oauth2/v2.0/token`): a certificate-signed client assertion when
/// `iss` is the client itself, else a federated token.
pub(crate) fn verify_assertion(
    st: &Shared,
    client_id: &str,
    endpoint: &str,
    assertion: &str,
) -> Result<(), AadError> {
    let jwt = decode(assertion).ok_or_else(malformed)?;
    let iss = jwt.claims["iss"].as_str().unwrap_or("");
    if iss.eq_ignore_ascii_case(client_id) {
        verify_certificate_assertion(st, client_id, endpoint, &jwt)
    } else {
        verify_federated(st, client_id, &jwt)
    }
}

fn verify_certificate_assertion(
    st: &Shared,
    client_id: &str,
    endpoint: &str,
    jwt: &Jwt<'_>,
) -> Result<(), AadError> {
    let c = &jwt.claims;
    if !c["sub"]
        .as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case(client_id))
    {
        // UNCONFIRMED code: Entra reports iss/sub mismatches as AADSTS700021/700023.
        return Err(aad_error(
            "invalid_client",
            700023,
            "AADSTS700023: Client assertion subject does not match 'client_id' parameter.",
        ));
    }
    // Entra compares aud with the token endpoint it serves (case-insensitive host/tenant).
    if !c["aud"]
        .as_str()
        .is_some_and(|a| a.eq_ignore_ascii_case(endpoint))
    {
        return Err(aad_error(
            "invalid_client",
            700016,
            format!("AADSTS700016: Client assertion audience claim does not match the token endpoint {endpoint}."),
        ));
    }
    if c["jti"].as_str().is_none_or(str::is_empty) {
        return Err(malformed());
    }
    check_lifetime(c)?;
    let h = &jwt.header;
    let x5t = h["x5t"].as_str();
    let x5t256 = h["x5t#S256"].as_str();
    if x5t.is_none() && x5t256.is_none() {
        return Err(aad_error(
            "invalid_client",
            700027,
            "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found. The assertion header has neither x5t nor x5t#S256.]",
        ));
    }
    let shown = x5t256.or(x5t).unwrap_or("");
    let registered = st
        .sign_in
        .certificates
        .iter()
        .filter(|a| a.client_id.eq_ignore_ascii_case(client_id))
        .filter_map(|a| CertificateDer::from_pem_slice(a.certificate_pem.as_bytes()).ok())
        .find(|der| {
            let sha1 =
                URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der));
            let sha256 = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, der));
            x5t.is_some_and(|t| t == sha1) || x5t256.is_some_and(|t| t == sha256)
        });
    let Some(der) = registered else {
        return Err(aad_error(
            "invalid_client",
            700027,
            format!("AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{shown}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"),
        ));
    };
    let alg: &dyn rustls::pki_types::SignatureVerificationAlgorithm =
        match h["alg"].as_str().unwrap_or("") {
            "RS256" => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
            "PS256" => webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            other => {
                return Err(aad_error(
                    "invalid_client",
                    700027,
                    format!("AADSTS700027: Client assertion contains an invalid signature. [Reason - Unsupported algorithm '{other}'.]"),
                ))
            }
        };
    let cert = webpki::EndEntityCert::try_from(&der).map_err(|_| malformed())?;
    cert.verify_signature(alg, jwt.signing_input.as_bytes(), &jwt.signature)
        .map_err(|_| {
            aad_error(
                "invalid_client",
                700027,
                "AADSTS700027: Client assertion failed signature validation.",
            )
        })
}

fn verify_federated(st: &Shared, client_id: &str, jwt: &Jwt<'_>) -> Result<(), AadError> {
    let c = &jwt.claims;
    let (iss, sub) = (
        c["iss"].as_str().unwrap_or(""),
        c["sub"].as_str().unwrap_or(""),
    );
    let auds: Vec<&str> = match &c["aud"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    // The issuer's signing key: the emulator verifies only tokens it issued itself (as the
    // stand-in OIDC provider and GitHub Actions token service), by its own key.
    if !super::hosts::verify_issued(st, jwt) {
        return Err(aad_error(
            "invalid_client",
            700027,
            format!("AADSTS700027: Client assertion failed signature validation. [Reason - The key was not found for issuer '{iss}'.]"),
        ));
    }
    check_lifetime(c)?;
    let trusted = st.sign_in.federated.iter().find(|f| {
        f.client_id.eq_ignore_ascii_case(client_id)
            && f.issuer.replace("{emulator}", &st.base_url) == iss
            && f.subject == sub
            && auds.contains(&f.audience.as_deref().unwrap_or(TOKEN_EXCHANGE_AUDIENCE))
    });
    if trusted.is_none() {
        return Err(aad_error(
            "invalid_client",
            70021,
            format!("AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{}'.", auds.join(",")),
        ));
    }
    Ok(())
}
