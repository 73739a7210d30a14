//! Credentials. Every method comes from `azure_identity` (the client certificate through its
//! client-assertion credential and our own signed assertion, see `certificate.rs`; federated
//! tokens from `oidc.rs`; a managed identity at an explicit endpoint from `imds.rs`); this
//! module only chooses one from the provider configuration and wraps it as a [`TokenSource`]
//! (tokens are cached by azure_identity). What a failure says is `signin.rs`.
//! Nothing here logs a secret or a token.

use super::certificate::CertificateAssertion;
use super::deadline::Deadline;
use super::error::ApiError;
use super::imds::ImdsCredential;
use super::oidc::{OidcAssertion, OidcSource};
use super::signin::{Hint, SignIn, SignInState, BAD_SECRET};
use async_trait::async_trait;
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, Transport as AzTransport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredential,
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

/// An azure_identity credential asked for one scope (`<endpoint>/.default`). The provider's
/// token sources share one [`SignInState`], so a failed sign-in is explained once.
pub struct CredentialToken {
    pub credential: Arc<dyn TokenCredential>,
    pub scope: String,
    pub sign_in: Arc<SignInState>,
}

#[async_trait]
impl TokenSource for CredentialToken {
    async fn token(&self, dl: &Deadline) -> Result<String, ApiError> {
        use super::deadline::Bounded;
        let scopes = [self.scope.as_str()];
        let started = tokio::time::Instant::now();
        let waiting = |waited: std::time::Duration| {
            format!(
                "the access token request for {} ({}) had not been answered after {}",
                self.scope,
                self.sign_in.info.method,
                super::deadline::fmt_duration(waited)
            )
        };
        // Bounded like every request: by what is left of the operation, the stop signal and
        // the per-attempt cap (a token request is idempotent, so a silent one is sent again).
        let fetch = async {
            loop {
                match dl
                    .bound(
                        super::rest::ATTEMPT_CAP,
                        self.credential.get_token(&scopes, None),
                    )
                    .await
                {
                    Bounded::Done(r) => return Ok(r),
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
            }
        };
        let t = self.sign_in.fetch(dl, fetch).await?;
        Ok(t.token.secret().to_string())
    }
}

/// Authentication settings, already merged from the provider block and ARM_* variables (file
/// paths read, AKS workload identity's variables filled in).
#[derive(Clone, Default)]
pub struct AuthConfig {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_certificate_path: Option<String>,
    /// A PKCS#12 bundle given inline (`client_certificate`, base64-decoded).
    pub client_certificate: Option<Vec<u8>>,
    pub client_certificate_password: Option<String>,
    pub use_oidc: bool,
    pub oidc_token: Option<String>,
    pub oidc_token_file_path: Option<String>,
    pub oidc_request_url: Option<String>,
    pub oidc_request_token: Option<String>,
    /// Azure DevOps: the service connection whose federated token is requested.
    pub ado_service_connection_id: Option<String>,
    pub use_msi: bool,
    /// A managed identity endpoint speaking the IMDS protocol, instead of the platform's.
    pub msi_endpoint: Option<String>,
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
            .field("ado_service_connection_id", &self.ado_service_connection_id)
            .field("use_msi", &self.use_msi)
            .field("msi_endpoint", &self.msi_endpoint)
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

/// A credential that signs in with a client assertion (a certificate's signed JWT or an OIDC
/// token): the certificate and OIDC methods differ only in where the assertion comes from.
fn assertion_credential<A: azure_identity::ClientAssertion + 'static>(
    tenant: &str,
    client: &str,
    assertion: A,
    client_options: ClientOptions,
    method: &str,
) -> Result<Arc<dyn TokenCredential>, String> {
    let cred = ClientAssertionCredential::new(
        tenant.to_string(),
        client.to_string(),
        assertion,
        Some(ClientAssertionCredentialOptions { client_options }),
    )
    .map_err(|e| format!("{method}: {e}"))?;
    Ok(cred)
}

/// Picks the first authentication method the configuration satisfies, in the order azuread
/// users know: client secret, client certificate, OIDC, managed identity, Azure CLI. When none
/// matches, the error lists each method and what it was missing.
pub fn select_credential(
    cfg: &AuthConfig,
    http: &reqwest::Client,
) -> Result<(Arc<dyn TokenCredential>, SignIn), String> {
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
    let token_url = |t: &str| {
        Some(format!(
            "{}/{t}/oauth2/v2.0/token",
            cfg.authority_host.trim_end_matches('/')
        ))
    };
    let sign_in = |method, t: &str, c: &str, hint| SignIn {
        method,
        tenant_id: Some(t.to_string()),
        client_id: Some(c.to_string()),
        url: token_url(t),
        hint,
    };

    if let Some(secret) = cfg.client_secret.clone().filter(|s| !s.is_empty()) {
        if let Some((t, c)) = need_ids("client secret", &mut tried) {
            let cred = ClientSecretCredential::new(
                &t,
                c.clone(),
                Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: opts(),
                }),
            )
            .map_err(|e| err("client secret", e))?;
            let hint = format!("Check that client_secret is the secret's value (not its ID) for app {c} and has not expired");
            let hint = Hint::Refused(BAD_SECRET, hint);
            return Ok((cred, sign_in("a client secret", &t, &c, hint)));
        }
    } else {
        tried.push("client secret: client_secret (ARM_CLIENT_SECRET) not set".into());
    }

    let certificate = match (&cfg.client_certificate, &cfg.client_certificate_path) {
        (Some(bytes), _) => Some((bytes.clone(), "client_certificate".to_string())),
        (None, Some(path)) if !path.is_empty() => Some((
            std::fs::read(path).map_err(|e| format!("client certificate: reading {path}: {e}"))?,
            path.clone(),
        )),
        _ => None,
    };
    if let Some((bytes, from)) = certificate {
        if let Some((t, c)) = need_ids("client certificate", &mut tried) {
            let assertion = CertificateAssertion::new(
                &bytes,
                cfg.client_certificate_password.as_deref(),
                &cfg.authority_host,
                &t,
                &c,
            )
            .map_err(|e| format!("client certificate {from}: {e}"))?;
            let hint = format!("Check that the certificate in {from} is the one uploaded to app {c} (Certificates & secrets) in tenant {t}, and that it has not expired");
            let cred = assertion_credential(&t, &c, assertion, opts(), "client certificate")?;
            let hint = Hint::Refused(&[], hint);
            return Ok((cred, sign_in("a client certificate", &t, &c, hint)));
        }
    } else {
        tried.push(
            "client certificate: client_certificate (ARM_CLIENT_CERTIFICATE) or client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) not set"
                .into(),
        );
    }

    if cfg.use_oidc {
        let request = cfg
            .oidc_request_url
            .clone()
            .zip(cfg.oidc_request_token.clone());
        let source = if let Some(tok) = &cfg.oidc_token {
            Some(OidcSource::Token(tok.clone()))
        } else if let Some(f) = &cfg.oidc_token_file_path {
            Some(OidcSource::File(f.clone()))
        } else if let Some((url, bearer)) = request {
            Some(match &cfg.ado_service_connection_id {
                Some(id) => OidcSource::AzureDevOps {
                    url,
                    bearer,
                    service_connection_id: id.clone(),
                },
                None => OidcSource::Github { url, bearer },
            })
        } else {
            None
        };
        match source {
            None => tried.push("OIDC: use_oidc is set but there is no oidc_token, oidc_token_file_path, or oidc_request_url with oidc_request_token (GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN; Azure DevOps: SYSTEM_OIDCREQUESTURI/SYSTEM_ACCESSTOKEN with ado_pipeline_service_connection_id)".into()),
            Some(source) => {
                if let Some((t, c)) = need_ids("OIDC", &mut tried) {
                    let hint = format!("The token came from {}. Check that app {c} in tenant {t} has a federated credential whose issuer, subject and audience (api://AzureADTokenExchange) match the OIDC token's iss, sub and aud (in GitHub Actions the subject looks like repo:<owner>/<repo>:ref:refs/heads/<branch> or repo:<owner>/<repo>:environment:<name>)", source.describe());
                    let assertion = OidcAssertion {
                        source,
                        http: http.clone(),
                    };
                    let cred = assertion_credential(&t, &c, assertion, opts(), "OIDC")?;
                    let hint = Hint::Refused(&[], hint);
                    return Ok((cred, sign_in("OIDC federation", &t, &c, hint)));
                }
            }
        }
    } else {
        tried.push("OIDC: use_oidc (ARM_USE_OIDC) not set".into());
    }

    if cfg.use_msi {
        let which = match &client {
            Some(c) => format!("the user-assigned identity with client ID {c} is assigned to it"),
            None => {
                "a system-assigned identity is enabled (or set client_id to a user-assigned one)"
                    .into()
            }
        };
        let (cred, url, hint): (Arc<dyn TokenCredential>, _, _) = match &cfg.msi_endpoint {
            Some(endpoint) => (
                Arc::new(ImdsCredential::new(
                    endpoint.clone(),
                    client.clone(),
                    http.clone(),
                )),
                Some(endpoint.clone()),
                format!("Check msi_endpoint (ARM_MSI_ENDPOINT) and that {which}"),
            ),
            None => {
                let options = ManagedIdentityCredentialOptions {
                    user_assigned_id: client.clone().map(UserAssignedId::ClientId),
                    client_options: opts(),
                };
                let cred = ManagedIdentityCredential::new(Some(options))
                    .map_err(|e| err("managed identity", e))?;
                (cred as Arc<dyn TokenCredential>, None, format!("Check that the provider runs on an Azure host with a managed identity (App Service, Functions and Container Apps set IDENTITY_ENDPOINT and IDENTITY_HEADER; VMs answer on IMDS 169.254.169.254) and that {which}"))
            }
        };
        let info = SignIn {
            method: "a managed identity",
            tenant_id: tenant.clone(),
            client_id: client.clone(),
            url,
            hint: Hint::Always(hint),
        };
        return Ok((cred, info));
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
        let info = SignIn {
            method: "the Azure CLI",
            tenant_id: tenant.clone(),
            client_id: None,
            url: None,
            hint: Hint::Always(hint),
        };
        return Ok((cred, info));
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
        assert_eq!(
            select_credential(&cfg, &http).unwrap().1.method,
            "a client secret"
        );
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
