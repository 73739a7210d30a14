//! The Microsoft Graph pipeline shared by every Graph route module.
//!
//! For every request under Graph (anything that is not the token endpoint or `/_emulator/`):
//! 1. `request-id` / `client-request-id` are assigned;
//! 2. the bearer token is checked (401 `InvalidAuthenticationToken` otherwise); the token
//!    selects the tenant whose store is used;
//! 3. a queued [`Fault`](super::Fault) matching the request delays it, answers it with an
//!    error status or closes the connection, before the store is touched (or, `after_apply`,
//!    once the route has applied it);
//! 4. POST/PUT/PATCH bodies must be `application/json` (415) and well-formed JSON (400);
//! 5. the route module runs with a [`GraphCtx`]; errors it returns as [`GraphError`] get the
//!    Graph envelope `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`;
//! 6. Graph response headers are added and the request is logged.
//!
//! Route modules: [`xtap`] (cross-tenant access policy), [`tenant_info`] (tenant lookup).

pub mod odata;
pub mod schema;
pub mod tenant_info;
pub mod xtap;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

use super::state::Shared;
use super::tls::ConnectionCloser;
use super::util::{graph_date, new_guid};
use super::RequestRecord;

/// The content type Graph uses for JSON responses.
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

const MAX_BODY: usize = 4 * 1024 * 1024;

/// What a Graph route handler knows about the request (inserted by the pipeline).
#[derive(Clone, Debug)]
pub struct GraphCtx {
    /// Tenant id (lowercase GUID) selected by the access token.
    pub tenant: String,
    /// App (client) id the token was issued to.
    pub client_id: String,
    /// Parsed JSON body; `None` when the request had no body.
    pub body: Option<Value>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

impl GraphCtx {
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Rejects OData system query options (`$...`) other than `allowed`.
    pub fn only_query_options(&self, allowed: &[&str]) -> Result<(), GraphError> {
        for (k, _) in &self.query {
            if k.starts_with('$') && !allowed.contains(&k.as_str()) {
                return Err(GraphError::bad_request(format!(
                    "Query option '{k}' is not allowed. Allowed query options: {}.",
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                )));
            }
        }
        Ok(())
    }

    /// The JSON object body, or 400 when missing / not an object.
    pub fn object_body(&self) -> Result<&serde_json::Map<String, Value>, GraphError> {
        match &self.body {
            None => Err(GraphError::bad_request("Empty Payload. JSON content expected.")),
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(GraphError::bad_request(
                "A node of type 'StartArray' or 'PrimitiveValue' was read from the JSON reader when trying to read the start of an entry; however, a 'StartObject' node was expected.",
            )),
        }
    }
}

/// A Graph error; the pipeline wraps it in the envelope with `innerError`.
#[derive(Clone, Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub details: Option<Value>,
    pub headers: Vec<(HeaderName, String)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code: code.to_string(),
            message: message.into(),
            details: None,
            headers: Vec::new(),
        }
    }

    /// 400 `BadRequest` (OData layer: syntax, types, query options).
    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 `Request_BadRequest` (directory layer: properties, values, ordering rules).
    pub fn request_bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 404 `Request_ResourceNotFound` (GET/DELETE of a missing object).
    pub fn resource_not_found(id: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// 404 `Directory_ObjectNotFound` (PATCH/PUT against a missing object; facts file §5).
    pub fn object_not_found() -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Directory_ObjectNotFound",
            "Unable to read the company information from the directory.",
        )
    }

    pub fn with_details(mut self, details: Value) -> GraphError {
        self.details = Some(details);
        self
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = self.status;
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type GraphResult = Result<Response, GraphError>;

/// A JSON response with Graph's content type.
pub fn odata_json(status: StatusCode, value: Value) -> Response {
    let mut resp = Response::new(Body::from(value.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(ODATA_JSON));
    resp
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// `@odata.context` for a metadata fragment.
pub fn context_url(st: &Shared, fragment: &str) -> String {
    format!("{}/v1.0/$metadata#{fragment}", st.base_url)
}

/// Objects that exist without being stored (e.g. the service-default cross-tenant access
/// policy), for [`Emulator::object`](super::Emulator::object).
pub fn virtual_object(path: &str) -> Option<Value> {
    xtap::virtual_object(path)
}

/// All Graph routes, wrapped in the pipeline.
pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    Router::new()
        .merge(xtap::routes())
        .merge(tenant_info::routes())
        .route("/beta", any(beta))
        .route("/beta/{*rest}", any(beta))
        .fallback(unknown_segment)
        .layer(middleware::from_fn_with_state(shared, pipeline))
}

async fn beta() -> GraphError {
    GraphError::bad_request("The beta endpoint is not emulated; the provider must only use /v1.0.")
}

async fn unknown_segment(req: Request) -> GraphError {
    let path = req.uri().path();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    match segs.next() {
        Some("v1.0") => {
            let last = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            GraphError::bad_request(format!("Resource not found for the segment '{last}'."))
        }
        Some(v) => GraphError::bad_request(format!("Invalid version: {v}")),
        None => GraphError::bad_request("Invalid version: "),
    }
}

/// Masks credential-looking members (`*secret*`, `*password*`, `*token*`, `*key*` with a
/// string value) before a request body is logged, so later routes that carry credentials
/// (e.g. synchronization secrets) cannot leak them into the log.
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

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Builds the final error response (envelope + innerError).
fn error_response(e: &GraphError, request_id: &str, client_request_id: &str) -> Response {
    let mut err = json!({
        "code": e.code,
        "message": e.message,
    });
    if let Some(d) = &e.details {
        err["details"] = d.clone();
    }
    err["innerError"] = json!({
        "date": graph_date(),
        "request-id": request_id,
        "client-request-id": client_request_id,
    });
    let mut resp = odata_json(e.status, json!({ "error": err }));
    for (k, v) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(k.clone(), v);
        }
    }
    resp
}

fn fault_error(f: &super::Fault, client_id: &str, tenant: &str) -> GraphError {
    let mut e = match f.status {
        429 => {
            let mut e = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!("Too many requests from Identifier:{client_id}+{tenant} under category:throttle.aad.ags.msgraph.Tenant_Application.ReadWrite. Please try again later."),
            );
            e.headers.push((
                HeaderName::from_static("x-ms-throttle-scope"),
                format!("Tenant_Application/ReadWrite/{client_id}/{tenant}"),
            ));
            e.headers.push((
                HeaderName::from_static("x-ms-throttle-information"),
                "ResourceUnitLimitExceeded".to_string(),
            ));
            e
        }
        503 => GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        504 => GraphError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "gatewayTimeout",
            "The server, while acting as a gateway, did not receive a timely response from the upstream server.",
        ),
        other => GraphError::new(
            StatusCode::from_u16(other).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "generalException",
            "An injected fault occurred.",
        ),
    };
    if let Some(ra) = &f.retry_after {
        e.headers
            .push((HeaderName::from_static("retry-after"), ra.clone()));
    }
    e
}

/// Authenticates the request; `Ok((tenant, client_id))`.
fn authenticate(st: &Shared, headers: &HeaderMap) -> Result<(String, String), GraphError> {
    let unauth = |msg: &str| {
        let mut e = GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", msg);
        e.headers.push((
            HeaderName::from_static("www-authenticate"),
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".to_string(),
        ));
        e
    };
    let raw = header(headers, "authorization").unwrap_or("").trim();
    if raw.is_empty() {
        return Err(unauth("Access token is empty."));
    }
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => return Err(unauth("Access token is empty.")),
    };
    if token.is_empty() {
        return Err(unauth("Access token is empty."));
    }
    let Some(info) = st.token(token) else {
        return Err(unauth("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format."));
    };
    if !st.is_graph_audience(&info.audience) {
        return Err(unauth("Access token validation failure. Invalid audience."));
    }
    if Instant::now() >= info.expires {
        return Err(unauth("Lifetime validation failed, the token is expired."));
    }
    Ok((info.tenant_id, info.client_id))
}

async fn pipeline(State(st): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let request_id = new_guid();
    let client_request_id = header(req.headers(), "client-request-id")
        .map(str::to_string)
        .unwrap_or_else(new_guid);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().map(str::to_string);

    let (parts, body) = req.into_parts();
    // `to_bytes` fails past MAX_BODY (or when the client stops sending): never act on a
    // truncated or empty stand-in, answer 413 (Graph's errors page: "The request size exceeds
    // the maximum limit"; the error code is an assumption).
    let (bytes, oversized): (Bytes, bool) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let body_text = String::from_utf8_lossy(&bytes);
    let has_body = !body_text.trim().is_empty();
    let parsed: Option<Result<Value, serde_json::Error>> =
        has_body.then(|| serde_json::from_slice::<Value>(&bytes));
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
            request_id: request_id.clone(),
            body: logged_body.clone(),
        })
    };
    let mut tenant_for_log = None;
    // A fault that acts once the service has applied the request (with who it was for).
    let mut after_apply: Option<(super::Fault, String, String)> = None;
    let outcome: Result<Response, GraphError> = async {
        if oversized {
            return Err(GraphError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!("The request size exceeds the maximum limit ({MAX_BODY} bytes)."),
            ));
        }
        let (tenant, client_id) = authenticate(&st, &parts.headers)?;
        tenant_for_log = Some(tenant.clone());
        if let Some(f) = st.take_fault(method.as_str(), &path, &tenant) {
            if f.after_apply {
                after_apply = Some((f, client_id.clone(), tenant.clone()));
            } else {
                hold(&st, &f).await;
                if f.reset {
                    log(Some(tenant), 0);
                    return Err(reset(closer.as_ref()).await);
                }
                if f.status != 0 {
                    return Err(fault_error(&f, &client_id, &tenant));
                }
            }
        }
        let body = match parsed {
            Some(res) if matches!(method, Method::POST | Method::PUT | Method::PATCH) => {
                let ct = header(&parts.headers, "content-type")
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let mime = ct.split(';').next().unwrap_or("").trim();
                if mime != "application/json" {
                    return Err(GraphError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "UnsupportedMediaType",
                        format!(
                            "The content type '{}' is not supported. Use 'application/json'.",
                            if ct.is_empty() { "(none)" } else { ct.as_str() }
                        ),
                    ));
                }
                match res {
                    Ok(v) => Some(v),
                    Err(e) => {
                        return Err(GraphError::bad_request(format!(
                            "Invalid JSON. An unexpected token was found in the request body: {e}."
                        )))
                    }
                }
            }
            _ => None,
        };
        let query = raw_query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let ctx = GraphCtx {
            tenant,
            client_id,
            body,
            query,
        };
        let mut req = Request::from_parts(parts, Body::empty());
        req.extensions_mut().insert(ctx);
        Ok(next.run(req).await)
    }
    .await;

    let mut resp = match outcome {
        Ok(mut resp) => {
            if let Some(e) = resp.extensions_mut().remove::<GraphError>() {
                error_response(&e, &request_id, &client_request_id)
            } else if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
                let e = GraphError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Request_BadRequest",
                    "Specified HTTP method is not allowed for the request uri.",
                );
                error_response(&e, &request_id, &client_request_id)
            } else {
                resp
            }
        }
        Err(e) => error_response(&e, &request_id, &client_request_id),
    };
    if let Some((f, client_id, tenant)) = after_apply {
        // The service has applied the request; what the client gets is up to the fault.
        hold(&st, &f).await;
        if f.reset {
            log(Some(tenant), 0);
            let e = reset(closer.as_ref()).await;
            return error_response(&e, &request_id, &client_request_id);
        }
        if f.status != 0 {
            resp = error_response(
                &fault_error(&f, &client_id, &tenant),
                &request_id,
                &client_request_id,
            );
        }
    }

    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&client_request_id) {
        h.insert("client-request-id", v);
    }
    h.insert(
        "x-ms-ags-diagnostic",
        HeaderValue::from_static(r#"{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"EMULATOR"}}"#),
    );
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
    h.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=31536000"),
    );
    if h.contains_key("content-type") {
        h.insert("content-type", HeaderValue::from_static(ODATA_JSON));
    }

    log(tenant_for_log, resp.status().as_u16());
    resp
}

/// A fault's delay. If the client gives up meanwhile, the connection or stream goes away and
/// this future is dropped with it: the request is never applied (before) or answered (after).
async fn hold(st: &Shared, f: &super::Fault) {
    if f.delay_seconds > 0.0 {
        let _held = st.hold();
        tokio::time::sleep(Duration::from_secs_f64(f.delay_seconds)).await;
    }
}

/// Closes the request's connection without an answer; only returns (with an error to answer
/// instead) when the request did not come through the emulator's own server.
async fn reset(closer: Option<&ConnectionCloser>) -> GraphError {
    match closer {
        Some(c) => {
            c.close();
            // The connection task drops this request with the connection.
            std::future::pending::<GraphError>().await
        }
        None => GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "A reset fault needs a connection to close (the emulator's own HTTPS server).",
        ),
    }
}
