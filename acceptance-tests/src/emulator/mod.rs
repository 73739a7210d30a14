//! A strict emulator of the Microsoft identity platform token endpoint and the Microsoft Graph
//! endpoints the provider uses.
//!
//! It is as strict as the real service (stricter where the real service is lenient in ways a
//! provider must not rely on), so that a provider bug fails against it. It runs in-process on
//! the caller's tokio runtime ([`Emulator::start`]) and as the `coexistence-emulator` binary.
//!
//! Layout: every emulated object family is one module of routes over the shared pieces:
//!
//! * [`state`] — tenants, the per-tenant object store, issued tokens, queued faults,
//!   replication lag and the request log;
//! * [`token`] — `POST /{tenant}/oauth2/v2.0/token` (client credentials);
//! * [`graph`] — the Graph pipeline (auth, faults, body parsing, headers, error envelope, log)
//!   and one module per object family (`graph/xtap.rs`, `graph/tenant_info.rs`, later
//!   `graph/ca.rs`, ...); an Exchange admin API would be a sibling `exchange` module;
//! * [`control`] — the unauthenticated `/_emulator/` control API for out-of-process callers;
//! * [`tls`] — the CA / server certificate and the HTTPS accept loop.
//!
//! Everything the emulator knows about the API comes from `shared/api/` (the research notes);
//! anything there marked UNCONFIRMED is an assumption here and is commented as such.

pub mod control;
pub mod graph;
pub mod hosts;
pub mod signin;
pub mod state;
pub mod tls;
pub mod token;
pub(crate) mod util;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use state::Shared;

/// A tenant that exists in the emulated world.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct TenantSpec {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub client_id: String,
    pub client_secret: String,
}

/// What the emulated world contains.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct EmulatorConfig {
    /// Tenants with an app registration the provider can sign in to.
    pub tenants: Vec<TenantSpec>,
    /// Other tenants that exist in the world (found by tenant lookup) but that we cannot sign
    /// in to (`client_id` / `client_secret` are ignored).
    #[serde(default)]
    pub directory_only: Vec<TenantSpec>,
    /// 0 = pick a free port.
    #[serde(default)]
    pub port: u16,
    /// Certificates, federated credentials and managed identities (optional).
    #[serde(default)]
    pub sign_in: signin::SignInConfig,
}

/// A queued fault: the next `count` Graph requests matching `method`, `path_contains` and
/// `tenant` (all optional filters) are answered with `status` and the documented throttling /
/// outage body, without touching the store. Never applies to the token endpoint or the
/// control API.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct Fault {
    /// 429, 503 or 504.
    pub status: u16,
    /// `Retry-After` header value: seconds or an HTTP date.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// How many matching requests get the fault.
    pub count: usize,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Tenant GUID or default domain.
    #[serde(default)]
    pub tenant: Option<String>,
}

/// One entry of the request log (Graph requests and token requests; not the control API).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RequestRecord {
    pub tenant: Option<String>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub request_id: String,
    /// The request body; for the token endpoint only `grant_type` and `scope` (never a secret).
    pub body: Option<serde_json::Value>,
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    url: String,
    ca_pem_path: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The whole application: token endpoint, Graph, control API.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(token::routes())
        .merge(hosts::routes())
        .nest("/_emulator", control::routes())
        .merge(graph::routes(shared.clone()))
        .with_state(shared)
}

impl Emulator {
    /// Starts the emulator on the current tokio runtime. Writes `state_dir/ca.pem` (the CA that
    /// signed the server certificate) and appends one JSON line per request to
    /// `state_dir/emulator.log`. Returns once the server accepts connections.
    pub async fn start(cfg: EmulatorConfig, state_dir: &Path) -> anyhow::Result<Emulator> {
        use anyhow::Context as _;
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("creating state dir {}", state_dir.display()))?;
        let certs = tls::generate()?;
        let ca_pem_path = state_dir.join("ca.pem");
        std::fs::write(&ca_pem_path, &certs.ca_pem)
            .with_context(|| format!("writing {}", ca_pem_path.display()))?;
        let log_path = state_dir.join("emulator.log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", cfg.port))?;
        let port = listener.local_addr()?.port();
        let url = format!("https://127.0.0.1:{port}");

        let shared = Arc::new(Shared::new(&cfg, url.clone(), Some(log_file))?);
        let app = app(shared.clone());
        let server = tokio::spawn(tls::serve(listener, certs.acceptor, app));
        Ok(Emulator {
            shared,
            url,
            ca_pem_path,
            server,
        })
    }

    /// `https://127.0.0.1:PORT` (no trailing slash): token endpoint, Graph and control API.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn ca_pem_path(&self) -> PathBuf {
        self.ca_pem_path.clone()
    }

    /// The stored object as Graph would return it (without `@odata.context`), e.g.
    /// `/policies/crossTenantAccessPolicy/partners/<guid>`. `tenant` is a GUID or default domain.
    pub fn object(&self, tenant: &str, path: &str) -> Option<serde_json::Value> {
        self.shared.object(tenant, path)
    }

    /// Everything stored for a tenant, sorted by path. The default cross-tenant access policy
    /// only appears here while it is customised (i.e. not the service default).
    pub fn objects(&self, tenant: &str) -> Vec<(String, serde_json::Value)> {
        self.shared.objects(tenant)
    }

    /// Out-of-band create/replace (drift).
    pub fn put_object(&self, tenant: &str, path: &str, value: serde_json::Value) {
        self.shared.put_object(tenant, path, value);
    }

    /// Out-of-band top-level merge (drift); false if the object is missing.
    pub fn patch_object(&self, tenant: &str, path: &str, patch: serde_json::Value) -> bool {
        self.shared.patch_object(tenant, path, patch)
    }

    /// Out-of-band delete (also removes child paths under it); false if nothing was there.
    pub fn delete_object(&self, tenant: &str, path: &str) -> bool {
        self.shared.delete_object(tenant, path)
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        self.shared.inject(fault);
    }

    /// Models directory replication lag (undocumented by Microsoft, commonly observed): for
    /// `lag` after an object is created through Graph, GETs of it and PUT/PATCH of its child
    /// paths answer 404 as if it did not exist yet. `Duration::ZERO` turns it off.
    pub fn set_replication_lag(&self, lag: Duration) {
        self.shared.set_replication_lag(lag);
    }

    /// The request log (Graph + token endpoint; not the control API).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// The emulator's own OIDC issuer (`<url>/oidc`); see [`Emulator::mint_oidc_token`].
    pub fn oidc_issuer(&self) -> String {
        hosts::oidc_issuer(&self.shared)
    }

    /// The GitHub Actions stand-in's issuer (`<url>/_github`).
    pub fn github_issuer(&self) -> String {
        hosts::github_issuer(&self.shared)
    }

    /// `ACTIONS_ID_TOKEN_REQUEST_URL` for the GitHub Actions stand-in.
    pub fn github_request_url(&self) -> String {
        format!("{}/_github/idtoken?api-version=2.0", self.url)
    }

    /// `IDENTITY_ENDPOINT` for the managed identity host.
    pub fn identity_endpoint(&self) -> String {
        format!("{}/_msi/token", self.url)
    }

    /// A token from the emulator's OIDC issuer for `subject` (audience
    /// `api://AzureADTokenExchange`).
    pub fn mint_oidc_token(&self, subject: &str) -> String {
        hosts::mint(
            &self.oidc_issuer(),
            subject,
            signin::TOKEN_EXCHANGE_AUDIENCE,
        )
    }

    /// An access token for the Graph endpoint (this emulator) as `client_id` in `tenant_id`,
    /// as if obtained elsewhere (what the stand-in Azure CLI hands out).
    pub fn issue_graph_token(&self, tenant_id: &str, client_id: &str) -> String {
        hosts::issue_access_token(&self.shared, tenant_id, client_id, &self.url)
    }

    /// Every access token handed out.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.issued_tokens()
    }
}
