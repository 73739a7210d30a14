//! A strict emulator of the Microsoft identity platform token endpoint and the Microsoft Graph
//! endpoints the provider uses.
//!
//! It is as strict as the real service (stricter where the real service is lenient in ways a
//! provider must not rely on), so that a provider bug fails against it. It runs in-process on
//! the caller's tokio runtime ([`Emulator::start`]) and as the `coexistence-emulator` binary.
//!
//! Layout, floor by floor (a module uses only modules on its floor or below; checked by
//! `tests/emulator_layers.rs`, which also fails on any import cycle):
//!
//! 1. the ground floor, used by every module and using none:
//!    * [`vocab`] — the shared vocabulary: [`Api`], [`TenantSpec`], [`EmulatorConfig`] (with
//!      the sign-in part, [`vocab::SignInConfig`]), [`Fault`], [`RequestRecord`], token
//!      audiences;
//!    * `util` — GUIDs, random tokens, canonical paths, domain names, the one timestamp helper;
//!    * `jwt` — decoding compact JWS; `aad` — the identity platform's errors and token lifetime;
//! 2. the store, which never calls up into an API:
//!    * [`store`] — one tenant's objects by path, replication lag, scheduled transitions;
//!    * [`clock`] — the controllable clock and rate limits;
//!    * [`state`] — everything shared by requests: tenants, a store per tenant, issued tokens,
//!      queued faults, the request log; reads of objects an API keeps specially go through the
//!      [`state::Listing`] the API hands in;
//! 3. what the APIs share: [`tls`] (the CA / server certificate and the HTTPS accept loop),
//!    [`pipeline`] (request ids, bearer auth selecting the tenant, rate limits, faults, body
//!    limits (413), content type, the redacted request log; each API plugs in its envelope);
//! 4. the APIs, one module of routes per family:
//!    * [`token`] — `POST /{tenant}/oauth2/v2.0/token`, with [`signin`] (certificates,
//!      federated credentials) and [`hosts`] (the OIDC issuer, the GitHub Actions and managed
//!      identity stand-ins, the Azure CLI's tokens);
//!    * [`graph`] — Graph's envelope and its object families (listed in its module doc:
//!      cross-tenant access, tenant lookup, multi-tenant organization, Conditional Access,
//!      cross-tenant synchronization);
//!    * [`exchange`] — the Exchange admin API (`InvokeCommand`): its envelope and one module per
//!      cmdlet family (accepted domains, organization relationships, connectors);
//!    * [`teams`] — the Teams tenant admin API: its envelope and the federation configuration;
//!    * [`control`] — the unauthenticated `/_emulator/` control API for out-of-process callers,
//!      and [`summary`], its readable listing of a tenant;
//! 5. this facade: [`Emulator`], which starts it all and is what tests and the binary use.
//!
//! Every emulated behaviour is listed in `acceptance-tests/API-NOTES.md` with the Microsoft
//! documentation page it comes from, or "assumed" and why; comments point there by anchor.

pub mod clock;
pub mod control;
pub mod exchange;
pub mod graph;
pub mod hosts;
pub mod hosts_ci;
pub mod permissions;
pub mod pipeline;
pub mod signin;
pub mod state;
pub mod store;
pub mod summary;
pub mod teams;
pub mod tls;
pub mod token;
pub(crate) mod util;
pub mod vocab;

pub(crate) mod aad;
pub(crate) mod jwt;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use clock::RateLimit;
use state::Shared;
pub use vocab::{Api, EmulatorConfig, Fault, Latency, RequestRecord, TenantSpec};

/// How out-of-band reads see every API's special objects: Graph's, and the Teams federation
/// configuration, which exists (as the service default) without being stored.
const LISTING: state::Listing = state::Listing {
    virtual_object: |path| graph::virtual_object(path).or_else(|| teams::virtual_object(path)),
    unlisted: graph::unlisted,
};

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    url: String,
    ca_pem_path: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

/// The state behind a running emulator, for the seeding helpers of the route families (e.g.
/// `graph::xts::add_user`), which take `&impl AsRef<Shared>` so they need not know the facade.
impl AsRef<Shared> for Emulator {
    fn as_ref(&self) -> &Shared {
        &self.shared
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The whole application: token endpoint, Exchange, Teams, Graph, control API. Exchange's and
/// Teams' routes are merged before Graph's, whose fallback answers every other path.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(token::routes())
        .merge(hosts::routes())
        .merge(hosts_ci::routes())
        .nest("/_emulator", control::routes())
        .merge(exchange::routes(shared.clone()))
        .merge(teams::routes(shared.clone()))
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

        let shared = Shared::new(&cfg, url.clone(), Some(log_file), LISTING)?;
        // Conditional Access is throttled from the start (the limit can be lifted like any).
        shared.set_rate_limit(Api::Graph, Some(graph::ca::rate_limit()));
        let shared = Arc::new(shared);
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

    /// Grants `client_id`'s app exactly `roles` (application permissions such as
    /// `Policy.Read.All`, `Exchange.ManageAsApp`) from its next token on; `None` grants every
    /// one again (the default). API-NOTES.md#permission-model
    pub fn set_roles(&self, client_id: &str, roles: Option<&[&str]>) {
        self.shared.set_roles(
            client_id,
            roles.map(|r| r.iter().map(|s| s.to_string()).collect()),
        );
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

    /// Adds `latency` to every later request of each API (API-NOTES.md#latency); the default,
    /// [`Latency::default`], adds none.
    pub fn set_latency(&self, latency: Latency) {
        self.shared.set_latency(latency);
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

    /// Moves the emulator clock forward; transitions that come due are applied, and so are
    /// the synchronization cycles that come due (`graph::xts::set_cycle_interval`).
    pub fn advance(&self, by: Duration) {
        self.shared.advance(by);
        graph::xts::tick(&self.shared);
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

    /// An access token for the Teams tenant admin API as `client_id` in `tenant_id` (audience
    /// the Skype and Teams Tenant Admin API).
    pub fn issue_teams_token(&self, tenant_id: &str, client_id: &str) -> String {
        hosts::issue_access_token(
            &self.shared,
            tenant_id,
            client_id,
            vocab::TEAMS_AUDIENCES[0],
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
        hosts::ado_issuer(&self.shared)
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
        hosts::mint(&self.oidc_issuer(), subject, jwt::TOKEN_EXCHANGE_AUDIENCE)
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
