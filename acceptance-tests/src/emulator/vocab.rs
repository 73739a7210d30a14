//! The emulator's vocabulary: the types every module speaks in (which API, which tenant, what
//! the world contains, a queued fault, a logged request). The ground floor: it uses no other
//! module of the emulator, and every module may use it.

/// An emulated API: faults, rate limits and token audiences are per API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    Graph,
    /// The Exchange admin API (`/adminapi/beta/{tenant}/InvokeCommand`).
    Exchange,
    /// The Teams tenant admin API (`/Skype.Policy/...`).
    Teams,
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
    pub sign_in: SignInConfig,
    /// Time added to every request of each API (default none): a benchmarking knob, not
    /// emulated behaviour (API-NOTES.md#latency).
    #[serde(default)]
    pub latency: Latency,
}

/// A fixed delay per API, in milliseconds, added to each of its requests once admitted (after
/// the rate limits, so documented pacing holds as without it). JSON `{"graph_ms": 80,
/// "exchange_ms": 400, "teams_ms": 300}`; on the command line
/// `graph=80ms,exchange=400ms,teams=300ms`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    #[serde(default)]
    pub graph_ms: u64,
    #[serde(default)]
    pub exchange_ms: u64,
    #[serde(default)]
    pub teams_ms: u64,
}

impl Latency {
    /// The delay of `api`'s requests.
    pub fn of(&self, api: Api) -> std::time::Duration {
        std::time::Duration::from_millis(match api {
            Api::Graph => self.graph_ms,
            Api::Exchange => self.exchange_ms,
            Api::Teams => self.teams_ms,
        })
    }

    /// `graph=80ms,exchange=400ms` (either part optional; `ms` or `s`, e.g. `exchange=0.4s`).
    pub fn parse(spec: &str) -> Result<Latency, String> {
        let mut out = Latency::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (api, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected <api>=<duration>, e.g. graph=80ms"))?;
            let ms = parse_ms(value.trim())
                .ok_or_else(|| format!("{part:?}: the duration must be e.g. 80ms or 0.4s"))?;
            match api.trim() {
                "graph" => out.graph_ms = ms,
                "exchange" => out.exchange_ms = ms,
                "teams" => out.teams_ms = ms,
                other => return Err(format!("{other:?}: the APIs are graph, exchange and teams")),
            }
        }
        Ok(out)
    }
}

fn parse_ms(v: &str) -> Option<u64> {
    let (number, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    let x: f64 = number.parse().ok()?;
    (x.is_finite() && x >= 0.0 && x * scale < 3_600_000.0).then(|| (x * scale).round() as u64)
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
    /// 429, 503 or 504; 403 for a permission the app lacks (API-NOTES.md#faults); 0 (the
    /// default) for none (a delay or a reset).
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
        if ![0, 403, 429, 503, 504].contains(&self.status) {
            return Some("fault status must be 403, 429, 503 or 504");
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
        if self.after_apply && self.status == 403 {
            // A refused request is not processed.
            return Some("a 403 is never sent after applying the request");
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

/// Microsoft Graph, by application ID URI and by app id.
pub const GRAPH_AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];
/// Exchange Online (for the admin API "InvokeCommand" routes).
pub const EXCHANGE_AUDIENCES: &[&str] = &[
    "https://outlook.office365.com",
    "00000002-0000-0ff1-ce00-000000000000",
];

/// The Skype and Teams Tenant Admin API, by app ID (API-NOTES.md#teams-token).
pub const TEAMS_AUDIENCES: &[&str] = &["48ac35b8-9aa8-4d74-927d-1f4a14a0b239"];

impl Api {
    /// The token audiences (resources) that select this API.
    pub fn audiences(self) -> &'static [&'static str] {
        match self {
            Api::Graph => GRAPH_AUDIENCES,
            Api::Exchange => EXCHANGE_AUDIENCES,
            Api::Teams => TEAMS_AUDIENCES,
        }
    }
}

/// Credentials apps accept besides their client secret, and the managed identity host.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct SignInConfig {
    /// Certificates uploaded to app registrations ("Certificates & secrets").
    #[serde(default)]
    pub certificates: Vec<AppCertificate>,
    /// Federated identity credentials of app registrations.
    #[serde(default)]
    pub federated: Vec<FederatedCredential>,
    /// Identities the emulated App Service host (`IDENTITY_ENDPOINT`) hands tokens out for.
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    /// The `IDENTITY_HEADER` secret the host expects in `X-IDENTITY-HEADER`.
    #[serde(default)]
    pub identity_header: Option<String>,
    /// GitHub Actions stand-in: the `ACTIONS_ID_TOKEN_REQUEST_TOKEN` bearer it accepts and the
    /// `sub` of the tokens it issues (e.g. `repo:contoso/infra:ref:refs/heads/main`).
    #[serde(default)]
    pub github_actions: Option<GithubActions>,
    /// Azure DevOps stand-in: the `SYSTEM_ACCESSTOKEN` it accepts, the one service connection
    /// it issues tokens for, and their `sub` (e.g. `sc://contoso/infra/entra`).
    #[serde(default)]
    pub azure_devops: Option<AzureDevOps>,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct AzureDevOps {
    pub access_token: String,
    pub service_connection_id: String,
    pub subject: String,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct AppCertificate {
    pub client_id: String,
    /// The public certificate, PEM.
    pub certificate_pem: String,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct FederatedCredential {
    pub client_id: String,
    /// `{emulator}` stands for the emulator's base URL, known only once it listens: the
    /// emulator's issuers are `{emulator}/oidc`, `{emulator}/_github` and `{emulator}/_ado`.
    pub issuer: String,
    pub subject: String,
    /// Defaults to `api://AzureADTokenExchange`.
    #[serde(default)]
    pub audience: Option<String>,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct ManagedIdentity {
    pub tenant_id: String,
    pub client_id: String,
    /// System-assigned identities answer requests without a `client_id`.
    #[serde(default)]
    pub system_assigned: bool,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct GithubActions {
    pub request_token: String,
    pub subject: String,
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
