//! Credentials. Every method comes from `azure_identity` (the client certificate through its
//! client-assertion credential and our own signed assertion, see `certificate.rs`); this module
//! only chooses one from the provider configuration, adds to its failures what the user can do,
//! and wraps it as a [`TokenSource`] (tokens are cached by azure_identity).
//! Nothing here logs a secret or a token.

use super::certificate::CertificateAssertion;
use super::consistency::Deadline;
use super::error::{ApiError, ErrorKind};
use async_trait::async_trait;
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport as AzTransport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use std::fmt;
use std::sync::Arc;

#[async_trait]
pub trait TokenSource: Send + Sync {
    async fn token(&self, dl: &Deadline) -> Result<String, ApiError>;
}

/// A fixed token, for unit tests.
pub struct StaticToken(pub String);

#[async_trait]
impl TokenSource for StaticToken {
    async fn token(&self, _: &Deadline) -> Result<String, ApiError> {
        Ok(self.0.clone())
    }
}

/// An azure_identity credential asked for one scope (`<endpoint>/.default`).
pub struct CredentialToken {
    pub credential: Arc<dyn TokenCredential>,
    pub scope: String,
    pub method: &'static str,
}

#[async_trait]
impl TokenSource for CredentialToken {
    async fn token(&self, dl: &Deadline) -> Result<String, ApiError> {
        use super::consistency::Bounded;
        let scopes = [self.scope.as_str()];
        let started = tokio::time::Instant::now();
        let waiting = |waited: std::time::Duration| {
            format!(
                "the access token request for {} ({}) had not been answered after {}",
                self.scope,
                self.method,
                super::consistency::fmt_duration(waited)
            )
        };
        // Bounded like every request: by what is left of the operation, the stop signal and
        // the per-attempt cap (a token request is idempotent, so a silent one is sent again).
        let res = loop {
            match dl
                .bound(
                    super::rest::ATTEMPT_CAP,
                    self.credential.get_token(&scopes, None),
                )
                .await
            {
                Bounded::Done(r) => break r,
                Bounded::Stalled {
                    out_of_time: false,
                    waited,
                } => tracing::debug!(
                    waited_ms = waited.as_millis() as u64,
                    "token request got no answer in time: sending it again"
                ),
                Bounded::Stalled { waited, .. } => return Err(dl.expired(&waiting(waited))),
                Bounded::Cancelled => return Err(dl.cancelled(&waiting(started.elapsed()))),
            }
        };
        match res {
            Ok(t) => Ok(t.token.secret().to_string()),
            Err(e) => Err(ApiError::other(
                ErrorKind::Auth,
                format!(
                    "obtaining an access token for {} with {} failed: {e}",
                    self.scope, self.method
                ),
            )),
        }
    }
}

/// Authentication settings, already merged from the provider block and ARM_* variables.
#[derive(Clone, Default)]
pub struct AuthConfig {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_certificate_path: Option<String>,
    pub client_certificate_password: Option<String>,
    pub use_oidc: bool,
    pub oidc_token: Option<String>,
    pub oidc_token_file_path: Option<String>,
    pub oidc_request_url: Option<String>,
    pub oidc_request_token: Option<String>,
    pub use_msi: bool,
    pub use_cli: bool,
    /// e.g. `https://login.microsoftonline.com`
    pub authority_host: String,
}

// Hand-written so that secrets can never reach a log through `{:?}`.
impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("client_certificate_path", &self.client_certificate_path)
            .field("use_oidc", &self.use_oidc)
            .field("use_msi", &self.use_msi)
            .field("use_cli", &self.use_cli)
            .field("authority_host", &self.authority_host)
            .finish_non_exhaustive()
    }
}

fn client_options(http: &reqwest::Client, authority_host: &str) -> ClientOptions {
    let mut custom = azure_core::cloud::CustomConfiguration::default();
    custom.authority_host = authority_host.trim_end_matches('/').to_string();
    ClientOptions {
        // Our own client, so the credential trusts the same roots (SSL_CERT_FILE) and proxies.
        transport: Some(AzTransport::new(Arc::new(http.clone()))),
        cloud: Some(Arc::new(custom.into())),
        // azure_core's default retries a failing token request for up to a minute, which is
        // as long as our own per-attempt cap (`rest::ATTEMPT_CAP`): an unreachable identity
        // endpoint would then look like a silent one and be sent again until the operation's
        // deadline. A short inner retry rides out a blip and still gives the method's real
        // error well within one attempt.
        retry: azure_core::http::RetryOptions::exponential(
            azure_core::http::ExponentialRetryOptions {
                max_retries: 3,
                max_total_elapsed: azure_core::time::Duration::seconds(10),
                ..Default::default()
            },
        ),
        ..Default::default()
    }
}

/// A credential whose failures end with what the user can do about them (the method's own
/// error says what went wrong; this says where to look).
struct Hinted {
    inner: Arc<dyn TokenCredential>,
    hint: String,
}

impl fmt::Debug for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hinted").finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenCredential for Hinted {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.inner.get_token(scopes, options).await.map_err(|e| {
            let msg = format!("{}. {}", e.to_string().trim_end_matches('.'), self.hint);
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, msg)
        })
    }
}

fn hinted(inner: Arc<dyn TokenCredential>, hint: String) -> Arc<dyn TokenCredential> {
    Arc::new(Hinted { inner, hint })
}

/// The OIDC federated token: given inline, read from a file, or requested from GitHub Actions.
#[derive(Clone)]
struct OidcAssertion {
    token: Option<String>,
    file: Option<String>,
    request_url: Option<String>,
    request_token: Option<String>,
    http: reqwest::Client,
}

impl fmt::Debug for OidcAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcAssertion")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ClientAssertion for OidcAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let fail = |m: String| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m)
        };
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        if let Some(f) = &self.file {
            // Re-read each time: platforms rotate the file.
            return std::fs::read_to_string(f)
                .map(|s| s.trim().to_string())
                .map_err(|e| fail(format!("reading OIDC token file {f}: {e}")));
        }
        if let (Some(url), Some(bearer)) = (&self.request_url, &self.request_token) {
            let sep = if url.contains('?') { '&' } else { '?' };
            let resp = self
                .http
                .get(format!("{url}{sep}audience=api://AzureADTokenExchange"))
                .bearer_auth(bearer)
                .send()
                .await
                .map_err(|e| fail(format!("requesting the GitHub Actions OIDC token: {e}")))?;
            let v: serde_json::Value = resp
                .json()
                .await
                .map_err(|e| fail(format!("GitHub Actions OIDC token response: {e}")))?;
            return v["value"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| fail("GitHub Actions OIDC response has no value".into()));
        }
        Err(fail("no OIDC token: set oidc_token, oidc_token_file_path, or run in GitHub Actions with id-token permission".into()))
    }
}

/// Picks the first authentication method the configuration satisfies, in the order azuread
/// users know: client secret, client certificate, OIDC, managed identity, Azure CLI. When none
/// matches, the error lists each method and what it was missing.
pub fn select_credential(
    cfg: &AuthConfig,
    http: &reqwest::Client,
) -> Result<(Arc<dyn TokenCredential>, &'static str), String> {
    let mut tried = Vec::new();
    let tenant = cfg.tenant_id.clone().filter(|s| !s.is_empty());
    let client = cfg.client_id.clone().filter(|s| !s.is_empty());
    let opts = || client_options(http, &cfg.authority_host);
    let need_ids = |what: &str, tried: &mut Vec<String>| -> Option<(String, String)> {
        match (&tenant, &client) {
            (Some(t), Some(c)) => Some((t.clone(), c.clone())),
            _ => {
                tried.push(format!(
                    "{what}: needs tenant_id (ARM_TENANT_ID) and client_id (ARM_CLIENT_ID)"
                ));
                None
            }
        }
    };
    let err = |what: &str, e: azure_core::Error| format!("{what}: {e}");

    if let Some(secret) = cfg.client_secret.clone().filter(|s| !s.is_empty()) {
        if let Some((t, c)) = need_ids("client secret", &mut tried) {
            let cred = ClientSecretCredential::new(
                &t,
                c,
                Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: opts(),
                }),
            )
            .map_err(|e| err("client secret", e))?;
            let hint = format!("Check that client_secret is the secret's value (not its ID) for app {c_hint} and has not expired", c_hint = client.as_deref().unwrap_or(""));
            return Ok((hinted(cred, hint), "a client secret"));
        }
    } else {
        tried.push("client secret: client_secret (ARM_CLIENT_SECRET) not set".into());
    }

    if let Some(path) = cfg
        .client_certificate_path
        .clone()
        .filter(|s| !s.is_empty())
    {
        if let Some((t, c)) = need_ids("client certificate", &mut tried) {
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("client certificate: reading {path}: {e}"))?;
            let assertion = CertificateAssertion::new(
                &bytes,
                cfg.client_certificate_password.as_deref(),
                &cfg.authority_host,
                &t,
                &c,
            )
            .map_err(|e| format!("client certificate {path}: {e}"))?;
            let hint = format!("Check that the certificate in {path} is the one uploaded to app {c} (Certificates & secrets) in tenant {t}, and that it has not expired");
            let cred = ClientAssertionCredential::new(
                t,
                c,
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: opts(),
                }),
            )
            .map_err(|e| err("client certificate", e))?;
            let cred = hinted(cred, hint);
            return Ok((cred, "a client certificate"));
        }
    } else {
        tried.push(
            "client certificate: client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) not set"
                .into(),
        );
    }

    if cfg.use_oidc {
        let has_source = cfg.oidc_token.is_some()
            || cfg.oidc_token_file_path.is_some()
            || (cfg.oidc_request_url.is_some() && cfg.oidc_request_token.is_some());
        if !has_source {
            tried.push("OIDC: use_oidc is set but there is no oidc_token, oidc_token_file_path, or ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN".into());
        } else if let Some((t, c)) = need_ids("OIDC", &mut tried) {
            let hint = format!("Check that app {c} in tenant {t} has a federated credential whose issuer, subject and audience (api://AzureADTokenExchange) match the OIDC token's iss, sub and aud (in GitHub Actions the subject looks like repo:<owner>/<repo>:ref:refs/heads/<branch> or repo:<owner>/<repo>:environment:<name>)");
            let assertion = OidcAssertion {
                token: cfg.oidc_token.clone(),
                file: cfg.oidc_token_file_path.clone(),
                request_url: cfg.oidc_request_url.clone(),
                request_token: cfg.oidc_request_token.clone(),
                http: http.clone(),
            };
            let cred = ClientAssertionCredential::new(
                t,
                c,
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: opts(),
                }),
            )
            .map_err(|e| err("OIDC", e))?;
            return Ok((hinted(cred, hint), "OIDC federation"));
        }
    } else {
        tried.push("OIDC: use_oidc (ARM_USE_OIDC) not set".into());
    }

    if cfg.use_msi {
        let options = ManagedIdentityCredentialOptions {
            user_assigned_id: client.clone().map(UserAssignedId::ClientId),
            client_options: opts(),
        };
        let cred = ManagedIdentityCredential::new(Some(options))
            .map_err(|e| err("managed identity", e))?;
        let which = match &client {
            Some(c) => format!("the user-assigned identity with client ID {c} is assigned to it"),
            None => {
                "a system-assigned identity is enabled (or set client_id to a user-assigned one)"
                    .into()
            }
        };
        let hint = format!("Check that the provider runs on an Azure host with a managed identity (App Service, Functions and Container Apps set IDENTITY_ENDPOINT and IDENTITY_HEADER; VMs answer on IMDS 169.254.169.254) and that {which}");
        return Ok((hinted(cred, hint), "a managed identity"));
    }
    tried.push("managed identity: use_msi (ARM_USE_MSI) not set".into());

    if cfg.use_cli {
        let options = AzureCliCredentialOptions {
            tenant_id: tenant.clone(),
            ..Default::default()
        };
        let cred = AzureCliCredential::new(Some(options)).map_err(|e| err("Azure CLI", e))?;
        let login = match &tenant {
            Some(t) => format!("az login --tenant {t}"),
            None => "az login".into(),
        };
        let hint = format!("Check that `az` is on PATH and signed in (`{login}`; `az account get-access-token` must work in the same shell), or choose another sign-in method");
        return Ok((hinted(cred, hint), "the Azure CLI"));
    }
    tried.push("Azure CLI: use_cli (ARM_USE_CLI) not set".into());

    Err(format!(
        "No authentication method matched the provider configuration. Tried:\n  - {}",
        tried.join("\n  - ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_method_lists_everything_tried() {
        let http = reqwest::Client::new();
        let e = select_credential(
            &AuthConfig {
                authority_host: "https://login.example".into(),
                ..Default::default()
            },
            &http,
        )
        .unwrap_err();
        for m in [
            "client secret",
            "client certificate",
            "OIDC",
            "managed identity",
            "Azure CLI",
        ] {
            assert!(e.contains(m), "{m} missing from: {e}");
        }
    }

    #[test]
    fn secret_needs_ids() {
        let http = reqwest::Client::new();
        let cfg = AuthConfig {
            client_secret: Some("s3cret".into()),
            authority_host: "https://login.example".into(),
            ..Default::default()
        };
        let e = select_credential(&cfg, &http).unwrap_err();
        assert!(e.contains("needs tenant_id"), "{e}");
        assert!(!e.contains("s3cret"));
    }

    #[test]
    fn secret_is_chosen_first() {
        let http = reqwest::Client::new();
        let cfg = AuthConfig {
            tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            use_cli: true,
            authority_host: "https://login.example".into(),
            ..Default::default()
        };
        assert_eq!(select_credential(&cfg, &http).unwrap().1, "a client secret");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let cfg = AuthConfig {
            client_secret: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
