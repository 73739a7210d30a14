//! The request pipeline every emulated API shares (Graph, the Exchange admin API, the Teams
//! tenant admin API), with the
//! API's own error envelope plugged in through [`Envelope`].
//!
//! For every request of an API:
//! 1. a `request-id` is assigned and `client-request-id` echoed (or assigned);
//! 2. the body is read up to [`MAX_BODY`] (413 past it, never a truncated stand-in);
//! 3. the bearer token is checked against the API's audiences (401 otherwise); the token
//!    selects the tenant whose store is used;
//! 4. a rate limit of the API for that tenant refuses the request with 429 (see
//!    [`RateLimit`](super::clock::RateLimit)); an admitted one waits the API's configured
//!    latency ([`Latency`](super::vocab::Latency), none by default);
//! 5. a queued [`Fault`] matching the request delays it, answers it with an error status or
//!    closes the connection, before the store is touched (or, `after_apply`, once the route
//!    has applied it);
//! 6. POST/PUT/PATCH bodies must be `application/json` (415) and well-formed JSON (400);
//! 7. the route runs with a [`RequestCtx`]; errors it returns (as the API's error type, in the
//!    response extensions) get the API's envelope;
//! 8. the API's response headers are added and the request is logged, credentials redacted.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use serde_json::Value;

use super::clock::RateLimit;
use super::state::Shared;
use super::tls::ConnectionCloser;
use super::util::new_guid;
use super::vocab::{Api, Fault, RequestRecord};

/// Largest request body read. The real limit is 4 MB for Graph
/// (API-NOTES.md#request-size); the same is assumed for Exchange.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What a route handler knows about the request (inserted by the pipeline).
#[derive(Clone, Debug)]
pub struct RequestCtx {
    /// Tenant id (lowercase GUID) selected by the access token.
    pub tenant: String,
    /// App (client) id the token was issued to.
    pub client_id: String,
    /// Parsed JSON body; `None` when the request had no body.
    pub body: Option<Value>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

impl RequestCtx {
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The ids of one request, for error envelopes and response headers.
#[derive(Clone, Debug)]
pub struct Ids {
    pub request_id: String,
    pub client_request_id: String,
}

/// Who a request came from, once authenticated (empty before).
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub tenant: String,
    pub client_id: String,
    /// The roles its token carries (`None`: every one).
    pub roles: Option<Vec<String>>,
}

/// Why the pipeline answered instead of the route.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// No, an unknown, an expired or a wrong-audience token (the message says which).
    Unauthenticated(&'static str),
    TooLarge,
    /// The content type given (empty when none).
    UnsupportedMediaType(String),
    /// The JSON parser's message.
    InvalidJson(String),
    MethodNotAllowed,
    /// The token lacks every role the request could be made with (API-NOTES.md#permission-model).
    Forbidden,
    /// An injected fault with a status (429 / 503 / 504).
    Fault(Fault),
    RateLimited(RateLimit),
    /// A reset fault on a request that did not come through the emulator's own server.
    NoConnection,
}

/// What makes one API different from another in the pipeline: who its tokens are for, and how
/// its answers and errors look.
pub trait Envelope: Send + Sync + 'static {
    /// The error type route handlers return (put in the response extensions by its
    /// `IntoResponse`).
    type Error: Clone + Send + Sync + 'static;
    const API: Api;
    /// The resources its tokens may be for (besides the emulator's own URL, when
    /// [`Envelope::OWN_URL_IS_AUDIENCE`]).
    const AUDIENCES: &'static [&'static str];
    /// Whether a token for the emulator's own URL is for this API too: true for the APIs whose
    /// token audience is their endpoint (Graph, Exchange), false for one with a fixed audience
    /// (the Teams tenant admin API).
    const OWN_URL_IS_AUDIENCE: bool = true;
    /// The answer to a refusal, in the API's own shape.
    fn refuse(r: Refusal, caller: &Caller, ids: &Ids) -> Response;
    /// The answer to a route's error.
    fn render(e: &Self::Error, ids: &Ids) -> Response;
    /// Headers every answer of this API carries (request ids are added by the pipeline).
    fn decorate(headers: &mut HeaderMap);
}

/// Wraps `routes` in the pipeline of API `E`.
pub fn wrap<E: Envelope>(routes: Router<Arc<Shared>>, shared: Arc<Shared>) -> Router<Arc<Shared>> {
    routes.layer(middleware::from_fn_with_state(shared, pipeline::<E>))
}

pub(crate) fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Masks credential-looking members (`*secret*`, `*password*`, `*token*`, `*credential*`,
/// `*key*` with a string value) before a request body is logged, so routes that carry
/// credentials (e.g. synchronization secrets) cannot leak them into the log.
pub fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let lk = k.to_ascii_lowercase();
                    let sensitive = ["secret", "password", "token", "credential", "key"]
                        .iter()
                        .any(|w| lk.contains(w));
                    let v = if sensitive && v.is_string() {
                        Value::String("***".into())
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Authenticates the request for API `E`; the caller (tenant, client id).
fn authenticate<E: Envelope>(st: &Shared, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let raw = header(headers, "authorization").unwrap_or("").trim();
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => "",
    };
    if token.is_empty() {
        return Err(Refusal::Unauthenticated("Access token is empty."));
    }
    let Some(info) = st.token(token) else {
        return Err(Refusal::Unauthenticated("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format."));
    };
    let audience = if E::OWN_URL_IS_AUDIENCE {
        st.is_audience(E::AUDIENCES, &info.audience)
    } else {
        E::AUDIENCES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&info.audience))
    };
    if !audience {
        return Err(Refusal::Unauthenticated(
            "Access token validation failure. Invalid audience.",
        ));
    }
    if st.clock.now() >= info.expires {
        return Err(Refusal::Unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    Ok(Caller {
        tenant: info.tenant_id,
        client_id: info.client_id,
        roles: info.roles,
    })
}

/// The JSON body of a POST/PUT/PATCH: `application/json` (any parameters) and well formed.
fn json_body(
    method: &Method,
    headers: &HeaderMap,
    parsed: Option<Result<Value, serde_json::Error>>,
) -> Result<Option<Value>, Refusal> {
    match parsed {
        Some(res) if matches!(*method, Method::POST | Method::PUT | Method::PATCH) => {
            let ct = header(headers, "content-type")
                .unwrap_or("")
                .to_ascii_lowercase();
            let mime = ct.split(';').next().unwrap_or("").trim();
            if mime != "application/json" {
                return Err(Refusal::UnsupportedMediaType(ct));
            }
            res.map(Some)
                .map_err(|e| Refusal::InvalidJson(e.to_string()))
        }
        _ => Ok(None),
    }
}

/// What the pipeline decided before and around the route.
enum Outcome {
    Answered(Response),
    Refused(Refusal),
}

async fn pipeline<E: Envelope>(
    State(st): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let ids = Ids {
        request_id: new_guid(),
        client_request_id: header(req.headers(), "client-request-id")
            .map(str::to_string)
            .unwrap_or_else(new_guid),
    };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().map(str::to_string);

    let (parts, body) = req.into_parts();
    // `to_bytes` fails past MAX_BODY (or when the client stops sending): never act on a
    // truncated or empty stand-in, answer 413. API-NOTES.md#request-size
    let (bytes, oversized): (Bytes, bool) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let body_text = String::from_utf8_lossy(&bytes);
    let parsed: Option<Result<Value, serde_json::Error>> =
        (!body_text.trim().is_empty()).then(|| serde_json::from_slice::<Value>(&bytes));
    let logged_body = match &parsed {
        None if oversized => Some(Value::String(format!("(over {MAX_BODY} bytes)"))),
        None => None,
        Some(Ok(v)) => Some(redact(v)),
        Some(Err(_)) => Some(Value::String(body_text.chars().take(2000).collect())),
    };

    let closer = parts.extensions.get::<ConnectionCloser>().cloned();
    let log = |tenant: Option<String>, status: u16| {
        st.record(RequestRecord {
            tenant,
            method: method.to_string(),
            path: path.clone(),
            query: raw_query.clone(),
            status,
            request_id: ids.request_id.clone(),
            body: logged_body.clone(),
        })
    };
    let mut caller = Caller::default();
    // A fault that acts once the service has applied the request.
    let mut after_apply: Option<Fault> = None;
    let outcome: Outcome = async {
        if oversized {
            return Outcome::Refused(Refusal::TooLarge);
        }
        caller = match authenticate::<E>(&st, &parts.headers) {
            Ok(c) => c,
            Err(r) => return Outcome::Refused(r),
        };
        // Throttled requests are refused before the service sees them (as a fault's 429).
        if let Err(limit) = st.admit(E::API, &caller.tenant, &path) {
            return Outcome::Refused(Refusal::RateLimited(limit));
        }
        // A request the app has no permission for is refused before the service sees it.
        if !super::permissions::allowed(caller.roles.as_deref(), E::API, method.as_str(), &path) {
            return Outcome::Refused(Refusal::Forbidden);
        }
        // The configured per-API latency, once admitted: pacing counts requests as they
        // arrive, as the service does, whatever they then take (API-NOTES.md#latency).
        let latency = st.latency().of(E::API);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if let Some(f) = st.take_fault(E::API, method.as_str(), &path, &caller.tenant) {
            if f.after_apply {
                after_apply = Some(f);
            } else {
                hold(&st, &f).await;
                if f.reset {
                    log(Some(caller.tenant.clone()), 0);
                    return Outcome::Refused(reset(closer.as_ref()).await);
                }
                if f.status != 0 {
                    return Outcome::Refused(Refusal::Fault(f));
                }
            }
        }
        let body = match json_body(&method, &parts.headers, parsed) {
            Ok(b) => b,
            Err(r) => return Outcome::Refused(r),
        };
        let query = raw_query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let ctx = RequestCtx {
            tenant: caller.tenant.clone(),
            client_id: caller.client_id.clone(),
            body,
            query,
        };
        let mut req = Request::from_parts(parts, Body::empty());
        req.extensions_mut().insert(ctx);
        Outcome::Answered(next.run(req).await)
    }
    .await;

    let mut resp = match outcome {
        Outcome::Answered(mut resp) => {
            if let Some(e) = resp.extensions_mut().remove::<E::Error>() {
                E::render(&e, &ids)
            } else if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
                E::refuse(Refusal::MethodNotAllowed, &caller, &ids)
            } else {
                resp
            }
        }
        Outcome::Refused(r) => E::refuse(r, &caller, &ids),
    };
    if let Some(f) = after_apply {
        // The service has applied the request; what the client gets is up to the fault.
        hold(&st, &f).await;
        if f.reset {
            log(Some(caller.tenant.clone()), 0);
            let r = reset(closer.as_ref()).await;
            return E::refuse(r, &caller, &ids);
        }
        if f.status != 0 {
            resp = E::refuse(Refusal::Fault(f), &caller, &ids);
        }
    }

    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
        h.insert("client-request-id", v);
    }
    E::decorate(h);

    let tenant = (!caller.tenant.is_empty()).then(|| caller.tenant.clone());
    log(tenant, resp.status().as_u16());
    resp
}

/// A fault's delay. If the client gives up meanwhile, the connection or stream goes away and
/// this future is dropped with it: the request is never applied (before) or answered (after).
async fn hold(st: &Shared, f: &Fault) {
    if f.delay_seconds > 0.0 {
        let _held = st.hold();
        tokio::time::sleep(Duration::from_secs_f64(f.delay_seconds)).await;
    }
}

/// Closes the request's connection without an answer; only returns (with a refusal to answer
/// instead) when the request did not come through the emulator's own server.
async fn reset(closer: Option<&ConnectionCloser>) -> Refusal {
    match closer {
        Some(c) => {
            c.close();
            // The connection task drops this request with the connection.
            std::future::pending::<Refusal>().await
        }
        None => Refusal::NoConnection,
    }
}
