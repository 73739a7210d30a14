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
//! * [`pipeline`] — what every API shares: request ids, bearer auth selecting the tenant, rate
//!   limits, faults, body limits (413), content type, the request log with credentials redacted;
//!   each API plugs in its error envelope;
//! * [`graph`] — Graph's envelope and one module per object family (`graph/xtap/`,
//!   `graph/tenant_info.rs`, later `graph/ca.rs`, ...);
//! * [`exchange`] — the Exchange admin API (`InvokeCommand`): its envelope and one module per
//!   cmdlet family;
//! * [`clock`] — the controllable clock, scheduled transitions and rate limits;
//! * [`control`] — the unauthenticated `/_emulator/` control API for out-of-process callers;
//! * [`tls`] — the CA / server certificate and the HTTPS accept loop.
//!
//! Every emulated behaviour is listed in `acceptance-tests/API-NOTES.md` with the Microsoft
//! documentation page it comes from, or "assumed" and why; comments point there by anchor.

pub mod clock;
pub mod control;
pub mod exchange;
pub mod graph;
pub mod hosts;
pub mod hosts_ci;
pub mod pipeline;
pub mod signin;
pub mod state;
pub mod summary;
pub mod tls;
pub mod token;
pub(crate) mod util;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use clock::RateLimit;
use state::Shared;

/// An emulated API: faults, rate limits and token audiences are per API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    Graph,
    /// The Exchange admin API (`/adminapi/beta/{tenant}/InvokeCommand`).
    Exchange,
}

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

/// A queued fault: the next `count` requests matching `api`, `method`, `path_contains` and
/// `tenant` (all optional filters) are disturbed. Never applies to the token endpoint or the
/// control API. What happens, in order:
///
/// 1. `delay_seconds` (if > 0): the request is held that long before the service sees it (with
///    `after_apply`, after the service applied it and before the answer is sent). A client
///    that gives up meanwhile leaves nothing behind: the request is dropped with its
///    connection or stream, unapplied (the service's behaviour for abandoned requests is
///    assumed; see the note on `reset`).
/// 2. then one of:
///    * `status` 429 / 503 / 504: answered with that status and the documented throttling /
///      outage body (with `plain_text`, Exchange's plain-text concurrency throttle instead:
///      [`Fault::exchange_concurrency`]). Without `after_apply` the store is not touched; with it (503/504 only) the
///      service applies the request and the gateway loses the answer, as a gateway timeout can;
///    * `reset`: the connection is closed without an answer, before the service saw the
///      request or (`after_apply`) after it applied it. Every request in flight on that
///      connection is lost with it;
///    * neither: answered normally (a pure delay).
///
/// Build one with [`Fault::status`], [`Fault::delay`] or [`Fault::reset`] and the filter
/// methods. API-NOTES.md#faults
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct Fault {
    /// 429, 503 or 504; 0 (the default) for none (a delay or a reset).
    #[serde(default)]
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
    /// Hold the request this long first.
    #[serde(default)]
    pub delay_seconds: f64,
    /// Close the connection instead of answering.
    #[serde(default)]
    pub reset: bool,
    /// Let the service apply the request before the status / reset / delay.
    #[serde(default)]
    pub after_apply: bool,
    /// Only requests to this API (any API when `None`).
    #[serde(default)]
    pub api: Option<Api>,
    /// Answer the status with a plain-text body instead of the API's JSON error (Exchange's
    /// concurrency throttle: API-NOTES.md#exchange-throttling).
    #[serde(default)]
    pub plain_text: bool,
}

impl Fault {
    /// Answer `status` (429, 503 or 504) once.
    pub fn status(status: u16) -> Fault {
        Fault {
            status,
            count: 1,
            ..Fault::default()
        }
    }
    /// Hold the request `seconds`, then answer normally (or see [`Fault::then_status`]).
    pub fn delay(seconds: f64) -> Fault {
        Fault {
            delay_seconds: seconds,
            count: 1,
            ..Fault::default()
        }
    }
    /// Close the connection without an answer, once.
    pub fn reset() -> Fault {
        Fault {
            reset: true,
            count: 1,
            ..Fault::default()
        }
    }
    /// Exchange's plain-text 429 "maximum number of concurrent requests per tenant", once.
    pub fn exchange_concurrency() -> Fault {
        Fault {
            status: 429,
            count: 1,
            api: Some(Api::Exchange),
            plain_text: true,
            ..Fault::default()
        }
    }
    /// Only requests to `api`.
    pub fn api(mut self, api: Api) -> Fault {
        self.api = Some(api);
        self
    }
    pub fn then_status(mut self, status: u16) -> Fault {
        self.status = status;
        self
    }
    pub fn after_apply(mut self) -> Fault {
        self.after_apply = true;
        self
    }
    pub fn times(mut self, count: usize) -> Fault {
        self.count = count;
        self
    }
    pub fn on(mut self, method: &str, path_contains: &str) -> Fault {
        self.method = Some(method.to_string());
        self.path_contains = Some(path_contains.to_string());
        self
    }

    /// Why the fault is impossible, if it is (the control API answers 400 with it).
    pub fn invalid(&self) -> Option<&'static str> {
        if ![0, 429, 503, 504].contains(&self.status) {
            return Some("fault status must be 429, 503 or 504");
        }
        if !(self.delay_seconds.is_finite() && self.delay_seconds >= 0.0) {
            return Some("delay_seconds must be a non-negative number");
        }
        if self.reset && self.status != 0 {
            return Some("a fault either resets the connection or answers a status, not both");
        }
        if self.status == 0 && !self.reset && self.delay_seconds == 0.0 {
            return Some("a fault needs a status, a reset or a delay");
        }
        if self.plain_text && (self.status != 429 || self.api != Some(Api::Exchange)) {
            return Some("plain_text is Exchange's concurrency throttle: status 429, api exchange");
        }
        if self.after_apply && self.status == 429 {
            // Throttled requests are not processed: that is what makes 429 safe to retry.
            return Some("a 429 is never sent after applying the request");
        }
        None
    }
}

/// One entry of the request log (API requests and token requests; not the control API).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RequestRecord {
    pub tenant: Option<String>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// 0 when no answer was sent (a `reset` fault closed the connection).
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

/// The whole application: token endpoint, Exchange, Graph, control API. Exchange's routes are
/// merged before Graph's, whose fallback answers every other path.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(token::routes())
        .merge(hosts::routes())
        .merge(hosts_ci::routes())
        .nest("/_emulator", control::routes())
        .merge(exchange::routes(shared.clone()))
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
    /// only appears here while it is customised (i.e. not the service default); deleted
    /// applications and the users / groups tests seed are not listed (`graph::unlisted`), but
    /// [`Emulator::object`] reads them.
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

    /// Queues a fault. Panics on an impossible one (see [`Fault::invalid`]).
    pub fn inject(&self, fault: Fault) {
        if let Some(why) = fault.invalid() {
            panic!("invalid fault {fault:?}: {why}");
        }
        self.shared.inject(fault);
    }

    /// How many requests a delay fault is holding right now (so a test can act while one is
    /// in flight).
    pub fn held_requests(&self) -> usize {
        self.shared.held()
    }

    /// Models directory replication lag (API-NOTES.md#replication-lag): for
    /// `lag` after an object is created through Graph, GETs of it and PUT/PATCH of its child
    /// paths answer 404 as if it did not exist yet. `Duration::ZERO` turns it off.
    pub fn set_replication_lag(&self, lag: Duration) {
        self.shared.set_replication_lag(lag);
    }

    /// Stops real time from moving the emulator clock: from now on only [`Emulator::advance`]
    /// does (replication lag, token lifetimes, transitions, rate-limit windows).
    pub fn pause_clock(&self) {
        self.shared.clock.pause();
    }

    /// Lets real time move the emulator clock again.
    pub fn resume_clock(&self) {
        self.shared.clock.resume();
    }

    /// Moves the emulator clock forward; transitions that come due are applied.
    pub fn advance(&self, by: Duration) {
        self.shared.advance(by);
    }

    /// Schedules an asynchronous transition of a stored object: `after` from now (on the
    /// emulator clock) `patch` is merged into it at the top level, or with `null` it is removed.
    /// Route modules schedule their own through `TenantStore::schedule`; this is for drift.
    pub fn schedule_transition(
        &self,
        tenant: &str,
        path: &str,
        after: Duration,
        patch: serde_json::Value,
    ) -> bool {
        self.shared.schedule_transition(tenant, path, after, patch)
    }

    /// Limits `api` to `limit.per_second` requests per tenant (on the paths it names): beyond
    /// it, 429, with or without `Retry-After`. Replaces a limit of `api` on the same paths.
    pub fn set_rate_limit(&self, api: Api, limit: RateLimit) {
        self.shared.set_rate_limit(api, Some(limit));
    }

    /// Removes every rate limit of `api`.
    pub fn clear_rate_limits(&self, api: Api) {
        self.shared.set_rate_limit(api, None);
    }

    /// An access token for the Exchange admin API (this emulator) as `client_id` in
    /// `tenant_id`, audience Exchange Online.
    pub fn issue_exchange_token(&self, tenant_id: &str, client_id: &str) -> String {
        hosts::issue_access_token(
            &self.shared,
            tenant_id,
            client_id,
            token::EXCHANGE_AUDIENCES[0],
        )
    }

    /// The request log (API requests + token endpoint; not the control API).
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

    /// `SYSTEM_OIDCREQUESTURI` for the Azure DevOps stand-in.
    pub fn ado_request_url(&self) -> String {
        format!("{}/_ado/oidctoken", self.url)
    }

    /// The Azure DevOps stand-in's issuer (`<url>/_ado`).
    pub fn ado_issuer(&self) -> String {
        hosts_ci::ado_issuer(&self.shared)
    }

    /// `msi_endpoint` for the Instance Metadata Service stand-in.
    pub fn imds_endpoint(&self) -> String {
        format!("{}/_imds/token", self.url)
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

#[cfg(test)]
mod tests {
    use super::Fault;

    #[test]
    fn impossible_faults_are_refused() {
        assert_eq!(Fault::status(503).invalid(), None);
        assert_eq!(Fault::delay(2.5).then_status(504).invalid(), None);
        assert_eq!(Fault::reset().after_apply().invalid(), None);
        assert!(Fault::status(500).invalid().is_some());
        assert!(Fault::reset().then_status(503).invalid().is_some());
        assert!(Fault::status(429).after_apply().invalid().is_some());
        assert!(Fault::delay(-1.0).invalid().is_some());
        assert!(Fault {
            count: 1,
            ..Fault::default()
        }
        .invalid()
        .is_some());
        // The JSON form of the control API keeps the old shape working.
        let f: Fault = serde_json::from_str(r#"{"status": 504, "count": 1}"#).unwrap();
        assert_eq!(f.invalid(), None);
        let f: Fault =
            serde_json::from_str(r#"{"reset": true, "after_apply": true, "count": 1}"#).unwrap();
        assert!(f.reset && f.after_apply);
    }
}
