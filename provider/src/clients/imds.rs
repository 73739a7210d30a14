//! A managed identity at an explicit endpoint (`msi_endpoint`, as in the azuread provider):
//! the Azure Instance Metadata Service protocol, `GET <endpoint>?api-version=2018-02-01&
//! resource=<resource>[&client_id=<id>]` with `Metadata: true`, answered with `access_token`
//! and `expires_on` (seconds since the epoch, as a string). azure_identity only knows the
//! fixed IMDS address, so this is ours; tokens are cached until five minutes before expiry.

use async_trait::async_trait;
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

pub struct ImdsCredential {
    pub endpoint: String,
    pub client_id: Option<String>,
    pub http: reqwest::Client,
    cache: Mutex<HashMap<String, AccessToken>>,
}

impl ImdsCredential {
    pub fn new(endpoint: String, client_id: Option<String>, http: reqwest::Client) -> Self {
        ImdsCredential {
            endpoint,
            client_id,
            http,
            cache: Mutex::default(),
        }
    }
}

impl fmt::Debug for ImdsCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImdsCredential")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

fn fail(m: String) -> azure_core::Error {
    azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m)
}

#[async_trait]
impl TokenCredential for ImdsCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let scope = scopes.first().copied().unwrap_or_default();
        let now = OffsetDateTime::now_utc();
        if let Some(t) = self.cache.lock().unwrap().get(scope) {
            if t.expires_on - Duration::minutes(5) > now {
                return Ok(t.clone());
            }
        }
        let resource = scope.trim_end_matches("/.default");
        let mut url = url::Url::parse(&self.endpoint)
            .map_err(|e| fail(format!("msi_endpoint {:?}: {e}", self.endpoint)))?;
        url.query_pairs_mut()
            .append_pair("api-version", "2018-02-01")
            .append_pair("resource", resource);
        if let Some(c) = &self.client_id {
            url.query_pairs_mut().append_pair("client_id", c);
        }
        let resp = self
            .http
            .get(url)
            .header("Metadata", "true")
            .send()
            .await
            .map_err(|e| {
                azure_core::Error::with_error(
                    azure_core::error::ErrorKind::Connection,
                    e,
                    "requesting a managed identity token",
                )
            })?;
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let token = body["access_token"].as_str();
        let (Some(token), 200) = (token, status) else {
            let why = body["error_description"]
                .as_str()
                .or(body["message"].as_str())
                .unwrap_or("no access_token in the answer");
            return Err(fail(format!(
                "the managed identity endpoint answered HTTP {status}: {why}"
            )));
        };
        let expires = body["expires_on"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .or(body["expires_on"].as_i64())
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .unwrap_or(now + Duration::minutes(10));
        let t = AccessToken::new(token.to_string(), expires);
        self.cache
            .lock()
            .unwrap()
            .insert(scope.to_string(), t.clone());
        Ok(t)
    }
}
