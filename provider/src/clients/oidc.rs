//! The federated (OIDC) token a client assertion carries: given inline, read from a file
//! (AKS workload identity, any platform that writes one), or requested from the CI system:
//! GitHub Actions (`GET <request url>&audience=api://AzureADTokenExchange`, answer `value`) or
//! an Azure DevOps service connection (`POST <SYSTEM_OIDCREQUESTURI>?api-version=7.1&
//! serviceConnectionId=<id>`, answer `oidcToken`), both with the request token as a bearer.
//! Nothing here logs a token.

use async_trait::async_trait;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use std::fmt;

/// Where the federated token comes from.
#[derive(Clone)]
pub enum OidcSource {
    Token(String),
    File(String),
    Github {
        url: String,
        bearer: String,
    },
    AzureDevOps {
        url: String,
        bearer: String,
        service_connection_id: String,
    },
}

#[derive(Clone)]
pub struct OidcAssertion {
    pub source: OidcSource,
    pub http: reqwest::Client,
}

impl fmt::Debug for OidcAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcAssertion").finish_non_exhaustive()
    }
}

impl OidcSource {
    /// For messages: where the token was taken from (never the token).
    pub fn describe(&self) -> String {
        match self {
            OidcSource::Token(_) => "the oidc_token given".into(),
            OidcSource::File(f) => format!("the token file {f}"),
            OidcSource::Github { .. } => "the GitHub Actions token service".into(),
            OidcSource::AzureDevOps {
                service_connection_id,
                ..
            } => format!("Azure DevOps service connection {service_connection_id}"),
        }
    }
}

fn fail(m: String) -> azure_core::Error {
    azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m)
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> Result<url::Url, String> {
    let mut u = url::Url::parse(url).map_err(|e| format!("oidc_request_url {url:?}: {e}"))?;
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    Ok(u)
}

#[async_trait]
impl ClientAssertion for OidcAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let (req, field, who) = match &self.source {
            OidcSource::Token(t) => return Ok(t.clone()),
            // Re-read each time: platforms rotate the file.
            OidcSource::File(f) => {
                return std::fs::read_to_string(f)
                    .map(|s| s.trim().to_string())
                    .map_err(|e| fail(format!("reading OIDC token file {f}: {e}")))
            }
            OidcSource::Github { url, bearer } => {
                let u =
                    with_query(url, &[("audience", "api://AzureADTokenExchange")]).map_err(fail)?;
                (
                    self.http.get(u).bearer_auth(bearer),
                    "value",
                    "GitHub Actions",
                )
            }
            OidcSource::AzureDevOps {
                url,
                bearer,
                service_connection_id,
            } => {
                let u = with_query(
                    url,
                    &[
                        ("api-version", "7.1"),
                        ("serviceConnectionId", service_connection_id),
                    ],
                )
                .map_err(fail)?;
                let rb = self
                    .http
                    .post(u)
                    .bearer_auth(bearer)
                    // Without it Azure DevOps answers an expired token with a sign-in page.
                    .header("X-TFS-FedAuthRedirect", "Suppress")
                    .header("Content-Length", "0");
                (rb, "oidcToken", "Azure DevOps")
            }
        };
        let resp = req.send().await.map_err(|e| {
            azure_core::Error::with_error(
                azure_core::error::ErrorKind::Connection,
                e,
                format!("requesting the {who} OIDC token"),
            )
        })?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            let body: String = body.chars().take(300).collect();
            return Err(fail(format!(
                "the {who} OIDC token service answered HTTP {}: {body} (check oidc_request_token / oidc_request_url{})",
                status.as_u16(),
                if who == "Azure DevOps" {
                    " and ado_pipeline_service_connection_id"
                } else {
                    ""
                }
            )));
        }
        let v: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| fail(format!("the {who} OIDC token response: {e}")))?;
        v[field]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| fail(format!("the {who} OIDC token response has no {field}")))
    }
}
