//! Shared by the `emulator_*` test files: a two-tenant emulator (plus one directory-only
//! tenant) and a reqwest client trusting its CA. Not every file uses every helper.
#![allow(dead_code, unused_imports)]

mod exchange;
pub mod graph_metadata;
pub mod xts;
pub use exchange::*;

pub use std::time::Duration;

pub use coexistence_acceptance::emulator::{Emulator, EmulatorConfig, Fault, TenantSpec};
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};

pub const CONTOSO: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
pub const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
pub const NORTHWIND: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
pub const CONTOSO_SECRET: &str = "contoso-very-secret-value";
pub const FABRIKAM_CLIENT: &str = "22222222-2222-4222-8222-222222222222";
pub const FABRIKAM_SECRET: &str = "fabrikam-secret";
pub const CONTOSO_CLIENT: &str = "11111111-1111-4111-8111-111111111111";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
pub const EXCHANGE_SCOPE: &str = "https://outlook.office365.com/.default";
pub const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";

pub fn tenant(id: &str, name: &str, domain: &str, client: &str, secret: &str) -> TenantSpec {
    TenantSpec {
        tenant_id: id.into(),
        display_name: name.into(),
        default_domain: domain.into(),
        client_id: client.into(),
        client_secret: secret.into(),
    }
}

pub struct Env {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

impl Env {
    /// POST a bare partner configuration for `partner_tenant` (must answer 201): the setup
    /// most scenarios start from.
    pub async fn create_partner(&self, token: &str, partner_tenant: &str) {
        let (s, body) = self.post_partner(token, partner_tenant).await;
        assert_eq!(s, StatusCode::CREATED, "{body:#}");
    }

    /// DELETE the partner configuration for `partner_tenant`, whatever the answer.
    pub async fn delete_partner(&self, token: &str, partner_tenant: &str) -> (StatusCode, Value) {
        self.graph(
            Method::DELETE,
            &format!("{PARTNERS}/{partner_tenant}"),
            token,
            None,
        )
        .await
    }

    /// PUT the identity synchronization policy of `partner_tenant` allowing inbound sync,
    /// whatever the answer.
    pub async fn put_sync_policy(&self, token: &str, partner_tenant: &str) -> (StatusCode, Value) {
        self.graph(
            Method::PUT,
            &format!("{PARTNERS}/{partner_tenant}/identitySynchronization"),
            token,
            Some(serde_json::json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})),
        )
        .await
    }

    /// POST a bare partner configuration for `partner_tenant`, whatever the answer.
    pub async fn post_partner(&self, token: &str, partner_tenant: &str) -> (StatusCode, Value) {
        self.graph(
            Method::POST,
            PARTNERS,
            token,
            Some(serde_json::json!({ "tenantId": partner_tenant })),
        )
        .await
    }

    pub async fn new() -> Env {
        Env::with_sign_in(Default::default()).await
    }

    /// An emulator that also knows these certificates, federated credentials and hosts.
    pub async fn with_sign_in(
        sign_in: coexistence_acceptance::emulator::signin::SignInConfig,
    ) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let cfg = EmulatorConfig {
            tenants: vec![
                tenant(
                    CONTOSO,
                    "Contoso",
                    "contoso.onmicrosoft.com",
                    "11111111-1111-4111-8111-111111111111",
                    CONTOSO_SECRET,
                ),
                tenant(
                    FABRIKAM,
                    "Fabrikam",
                    "fabrikam.onmicrosoft.com",
                    "22222222-2222-4222-8222-222222222222",
                    "fabrikam-secret",
                ),
            ],
            directory_only: vec![tenant(
                NORTHWIND,
                "Northwind",
                "northwind.onmicrosoft.com",
                "",
                "",
            )],
            port: 0,
            sign_in,
            latency: Default::default(),
        };
        let emu = Emulator::start(cfg, dir.path()).await.unwrap();
        let pem = std::fs::read(emu.ca_pem_path()).unwrap();
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        Env { emu, http, dir }
    }

    pub async fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.emu.url()))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    pub async fn token(&self) -> String {
        self.token_for("https://graph.microsoft.com/.default").await
    }

    /// A Contoso token for `scope` (client credentials with the secret).
    pub async fn token_for(&self, scope: &str) -> String {
        self.tenant_token(CONTOSO, scope).await
    }

    /// A token of `tenant` (Contoso or Fabrikam) for `scope` (client credentials with the
    /// secret).
    pub async fn tenant_token(&self, tenant: &str, scope: &str) -> String {
        let (client, secret) = match tenant {
            CONTOSO => (CONTOSO_CLIENT, CONTOSO_SECRET),
            FABRIKAM => (FABRIKAM_CLIENT, FABRIKAM_SECRET),
            other => panic!("no app registration in {other}"),
        };
        let (status, body) = self
            .token_request(
                tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client),
                    ("client_secret", secret),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.emu.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, headers, value)
    }

    pub async fn graph(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self.call(method, path, Some(token), body).await;
        (s, v)
    }
}

pub fn err_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

pub fn err_msg(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or_default()
}
