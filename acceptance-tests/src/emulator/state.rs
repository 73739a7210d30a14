//! Shared emulator state: tenants, the per-tenant object store, issued tokens, queued faults,
//! replication lag, rate limits, scheduled transitions, the clock and the request log. Every
//! route module works over this.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::clock::{Clock, RateLimit, RateLimiter};
use super::store::Transition;
pub use super::store::{Stored, TenantStore};
use super::util::{canonical_path, is_guid};
use super::vocab::{Api, EmulatorConfig, Fault, Latency, RequestRecord, TenantSpec};

/// An issued access token.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub tenant_id: String,
    pub client_id: String,
    /// The resource the token was issued for (scope without `/.default`).
    pub audience: String,
    pub expires: Instant,
    /// The application permissions (`roles`) its app held at issue; `None`: every one.
    pub roles: Option<Vec<String>>,
}

struct Inner {
    store: HashMap<String, BTreeMap<String, Stored>>,
    /// Scheduled transitions per tenant, applied when the clock passes them.
    transitions: HashMap<String, Vec<Transition>>,
    limits: RateLimiter,
    tokens: HashMap<String, TokenInfo>,
    /// Application permissions granted per app (client id, lowercase); an app not here holds
    /// every one. API-NOTES.md#permission-model
    grants: HashMap<String, Vec<String>>,
    issued: Vec<String>,
    faults: Vec<Fault>,
    lag: Duration,
    latency: Latency,
    requests: Vec<RequestRecord>,
}

/// How out-of-band reads see objects an API keeps specially: objects that exist without being
/// stored (`virtual_object`) and stored ones that are not live objects of the tenant
/// (`unlisted`). The facade hands it in (the APIs' `virtual_object` and `unlisted`): the store never calls
/// up into the route families.
#[derive(Clone, Copy)]
pub struct Listing {
    pub virtual_object: fn(&str) -> Option<Value>,
    pub unlisted: fn(&str) -> bool,
}

/// State shared by all requests.
pub struct Shared {
    /// Tenants the provider can sign in to.
    pub tenants: Vec<TenantSpec>,
    /// Tenants that only exist for lookups.
    pub directory_only: Vec<TenantSpec>,
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    /// Certificates, federated credentials, managed identities.
    pub sign_in: super::vocab::SignInConfig,
    inner: Mutex<Inner>,
    log_file: Mutex<Option<std::fs::File>>,
    /// Requests being held by a delay fault right now.
    held: AtomicUsize,
    /// What "now" is for lag, transitions, token lifetimes and rate limits.
    pub clock: Clock,
    listing: Listing,
}

/// Counts a request as held while it lives (see [`Shared::hold`]).
pub struct Held<'a>(&'a AtomicUsize);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn normalize_spec(t: &TenantSpec) -> anyhow::Result<TenantSpec> {
    anyhow::ensure!(
        is_guid(&t.tenant_id),
        "tenant_id {:?} is not a GUID",
        t.tenant_id
    );
    let mut t = t.clone();
    t.tenant_id = t.tenant_id.to_ascii_lowercase();
    Ok(t)
}

impl Shared {
    pub fn new(
        cfg: &EmulatorConfig,
        base_url: String,
        log_file: Option<std::fs::File>,
        listing: Listing,
    ) -> anyhow::Result<Shared> {
        let tenants = cfg
            .tenants
            .iter()
            .map(normalize_spec)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let directory_only = cfg
            .directory_only
            .iter()
            .map(normalize_spec)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let store = tenants
            .iter()
            .map(|t| (t.tenant_id.clone(), BTreeMap::new()))
            .collect();
        Ok(Shared {
            tenants,
            directory_only,
            base_url,
            sign_in: cfg.sign_in.clone(),
            inner: Mutex::new(Inner {
                store,
                transitions: HashMap::new(),
                limits: RateLimiter::default(),
                tokens: HashMap::new(),
                grants: HashMap::new(),
                issued: Vec::new(),
                faults: Vec::new(),
                lag: Duration::ZERO,
                latency: cfg.latency,
                requests: Vec::new(),
            }),
            log_file: Mutex::new(log_file),
            held: AtomicUsize::new(0),
            clock: Clock::default(),
            listing,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A tenant the provider can sign in to, by GUID or default domain (case-insensitive).
    pub fn signin_tenant(&self, t: &str) -> Option<&TenantSpec> {
        find_tenant(&self.tenants, t)
    }

    /// Any tenant in the world (sign-in tenants first, then directory-only ones).
    pub fn any_tenant(&self, t: &str) -> Option<&TenantSpec> {
        find_tenant(&self.tenants, t).or_else(|| find_tenant(&self.directory_only, t))
    }

    /// Runs `f` over one tenant's store under the lock (atomic check-and-write).
    /// `tenant` must be a sign-in tenant id (as carried by a token).
    /// Due transitions are applied first, so a route sees the world as of the clock.
    pub fn with_store<R>(&self, tenant: &str, f: impl FnOnce(&mut TenantStore<'_>) -> R) -> R {
        let now = self.clock.now();
        let mut inner = self.lock();
        settle(&mut inner, now);
        let inner = &mut *inner;
        let lag = inner.lag;
        let map = inner.store.entry(tenant.to_string()).or_default();
        let transitions = inner.transitions.entry(tenant.to_string()).or_default();
        let mut ts = TenantStore {
            map,
            transitions,
            lag,
            now,
        };
        f(&mut ts)
    }

    /// Moves the clock forward and applies the transitions that came due.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
        let now = self.clock.now();
        settle(&mut self.lock(), now);
    }

    // ---- rate limits --------------------------------------------------------------------

    pub fn set_rate_limit(&self, api: Api, limit: Option<RateLimit>) {
        self.lock().limits.set(api, limit);
    }

    /// Counts a request of `tenant` to `api` at `path`; `Err(limit)` when it is over a rate
    /// limit (the request is then refused and not counted).
    pub fn admit(&self, api: Api, tenant: &str, path: &str) -> Result<(), RateLimit> {
        let now = self.clock.now();
        self.lock().limits.admit(api, tenant, path, now)
    }

    /// Resources whose tokens Graph accepts: Microsoft Graph itself, and the emulator's own
    /// base URL (the provider asks for `<graph_endpoint>/.default`, and in tests the Graph
    /// endpoint is the emulator).
    pub fn is_graph_audience(&self, aud: &str) -> bool {
        self.is_audience(super::vocab::GRAPH_AUDIENCES, aud)
    }

    /// Resources whose tokens the Exchange admin API accepts: Exchange Online, and the
    /// emulator's own base URL (the provider asks for `<exchange_endpoint>/.default`, and in
    /// tests the Exchange endpoint is the emulator too). API-NOTES.md#exchange-auth
    pub fn is_exchange_audience(&self, aud: &str) -> bool {
        self.is_audience(super::vocab::EXCHANGE_AUDIENCES, aud)
    }

    /// `aud` is one of `known`, or the emulator's own URL (as 127.0.0.1 or localhost).
    pub fn is_audience(&self, known: &[&str], aud: &str) -> bool {
        let aud = aud.trim_end_matches('/');
        let localhost = self.base_url.replacen("127.0.0.1", "localhost", 1);
        known.iter().any(|a| a.eq_ignore_ascii_case(aud))
            || aud.eq_ignore_ascii_case(&self.base_url)
            || aud.eq_ignore_ascii_case(&localhost)
    }

    // ---- tokens -------------------------------------------------------------------------

    pub fn add_token(&self, token: String, info: TokenInfo) {
        let mut inner = self.lock();
        inner.issued.push(token.clone());
        inner.tokens.insert(token, info);
    }

    /// Grants `client_id`'s app exactly `roles` (`None`: every role again). Tokens issued
    /// before keep the roles they carry.
    pub fn set_roles(&self, client_id: &str, roles: Option<Vec<String>>) {
        let mut inner = self.lock();
        let key = client_id.to_ascii_lowercase();
        match roles {
            Some(r) => inner.grants.insert(key, r),
            None => inner.grants.remove(&key),
        };
    }

    /// The roles `client_id`'s app holds now (`None`: every one), for a token being issued.
    pub fn roles(&self, client_id: &str) -> Option<Vec<String>> {
        self.lock()
            .grants
            .get(&client_id.to_ascii_lowercase())
            .cloned()
    }

    pub fn token(&self, token: &str) -> Option<TokenInfo> {
        self.lock().tokens.get(token).cloned()
    }

    pub fn issued_tokens(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    // ---- faults and lag -----------------------------------------------------------------

    pub fn inject(&self, fault: Fault) {
        if fault.count > 0 {
            self.lock().faults.push(fault);
        }
    }

    /// Takes one use of the first queued fault matching this request to `api`.
    pub fn take_fault(&self, api: Api, method: &str, path: &str, tenant: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let resolved: Vec<Option<String>> = inner
            .faults
            .iter()
            .map(|f| {
                f.tenant.as_ref().map(|t| {
                    self.any_tenant(t)
                        .map(|s| s.tenant_id.clone())
                        .unwrap_or_else(|| t.to_ascii_lowercase())
                })
            })
            .collect();
        let idx = inner.faults.iter().enumerate().position(|(i, f)| {
            f.api.is_none_or(|a| a == api)
                && f.method
                    .as_ref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.path_contains
                    .as_ref()
                    .is_none_or(|p| path.contains(p.as_str()))
                && resolved
                    .get(i)
                    .cloned()
                    .flatten()
                    .is_none_or(|t| t == tenant)
        })?;
        let f = &mut inner.faults[idx];
        let out = f.clone();
        f.count -= 1;
        if f.count == 0 {
            inner.faults.remove(idx);
        }
        Some(out)
    }

    /// Marks a request as held by a delay fault until the guard is dropped (the delay ends,
    /// or the client gave up and the request was dropped).
    pub fn hold(&self) -> Held<'_> {
        self.held.fetch_add(1, Ordering::SeqCst);
        Held(&self.held)
    }

    /// How many requests a delay fault is holding right now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    pub fn set_replication_lag(&self, lag: Duration) {
        self.lock().lag = lag;
    }

    /// The delay added to each request of each API (API-NOTES.md#latency).
    pub fn set_latency(&self, latency: Latency) {
        self.lock().latency = latency;
    }

    pub fn latency(&self) -> Latency {
        self.lock().latency
    }

    // ---- request log --------------------------------------------------------------------

    pub fn record(&self, rec: RequestRecord) {
        if let Ok(line) = serde_json::to_string(&rec) {
            let mut f = self.log_file.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(f) = f.as_mut() {
                let _ = writeln!(f, "{line}");
            }
        }
        self.lock().requests.push(rec);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    // ---- out-of-band object access (Rust API and control API) ---------------------------

    fn tenant_key(&self, tenant: &str) -> Option<String> {
        self.signin_tenant(tenant).map(|t| t.tenant_id.clone())
    }

    pub fn object(&self, tenant: &str, path: &str) -> Option<Value> {
        let t = self.tenant_key(tenant)?;
        let path = canonical_path(path);
        self.with_store(&t, |s| s.get(&path).cloned())
            .or_else(|| (self.listing.virtual_object)(&path))
    }

    pub fn objects(&self, tenant: &str) -> Vec<(String, Value)> {
        let Some(t) = self.tenant_key(tenant) else {
            return Vec::new();
        };
        let now = self.clock.now();
        let mut inner = self.lock();
        settle(&mut inner, now);
        inner
            .store
            .get(&t)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| !(self.listing.unlisted)(k))
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `false` if the tenant is unknown.
    pub fn put_object(&self, tenant: &str, path: &str, value: Value) -> bool {
        let Some(t) = self.tenant_key(tenant) else {
            return false;
        };
        let path = canonical_path(path);
        self.with_store(&t, |s| {
            s.map.insert(
                path,
                Stored {
                    value,
                    created: None,
                },
            )
        });
        true
    }

    pub fn patch_object(&self, tenant: &str, path: &str, patch: Value) -> bool {
        let Some(t) = self.tenant_key(tenant) else {
            return false;
        };
        let path = canonical_path(path);
        self.with_store(&t, |s| {
            let Some(obj) = s.get_mut(&path) else {
                return false;
            };
            match (obj.as_object_mut(), patch) {
                (Some(o), Value::Object(p)) => {
                    for (k, v) in p {
                        o.insert(k, v);
                    }
                }
                (_, p) => *obj = p,
            }
            true
        })
    }

    /// `false` if the tenant is unknown.
    pub fn schedule_transition(
        &self,
        tenant: &str,
        path: &str,
        after: Duration,
        patch: Value,
    ) -> bool {
        let Some(t) = self.tenant_key(tenant) else {
            return false;
        };
        let path = canonical_path(path);
        self.with_store(&t, |s| s.schedule(&path, after, patch));
        true
    }

    pub fn delete_object(&self, tenant: &str, path: &str) -> bool {
        let Some(t) = self.tenant_key(tenant) else {
            return false;
        };
        let path = canonical_path(path);
        self.with_store(&t, |s| s.remove(&path))
    }
}

/// Applies every transition whose time has come, in time order.
fn settle(inner: &mut Inner, now: Instant) {
    for (tenant, list) in inner.transitions.iter_mut() {
        if !list.iter().any(|t| t.at <= now) {
            continue;
        }
        list.sort_by_key(|t| t.at);
        let due: Vec<Transition> = {
            let split = list.partition_point(|t| t.at <= now);
            list.drain(..split).collect()
        };
        let Some(map) = inner.store.get_mut(tenant) else {
            continue;
        };
        for t in due {
            t.apply(map);
        }
    }
}

fn find_tenant<'a>(list: &'a [TenantSpec], t: &str) -> Option<&'a TenantSpec> {
    list.iter()
        .find(|s| s.tenant_id.eq_ignore_ascii_case(t) || s.default_domain.eq_ignore_ascii_case(t))
}
