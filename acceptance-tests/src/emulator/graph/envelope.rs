//! Graph's envelope: the error body every Graph answer uses, the JSON response builders and
//! headers, and Graph's readings of a request (OData options, JSON body). Every family of
//! [`graph`](super) builds its answers from here.
//!
//! Errors route modules return as [`GraphError`] get the Graph envelope
//! `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
//! (API-NOTES.md#graph-errors).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::emulator::pipeline::{Caller, Envelope, Ids, Refusal, RequestCtx};
use crate::emulator::state::Shared;
use crate::emulator::util::{now_utc, Stamp};
use crate::emulator::vocab::Api;

/// The content type Graph uses for JSON responses.
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// What a Graph route handler knows about the request (inserted by the pipeline).
pub type GraphCtx = RequestCtx;

/// Graph's readings of a request: OData query options and the JSON object body.
impl RequestCtx {
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

    /// 404 `Directory_ObjectNotFound` (PATCH/PUT against a missing object; API-NOTES.md#xtap).
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

/// Graph's envelope in the shared pipeline.
pub struct Graph;

impl Envelope for Graph {
    type Error = GraphError;
    const API: Api = Api::Graph;
    const AUDIENCES: &'static [&'static str] = crate::emulator::vocab::GRAPH_AUDIENCES;

    fn refuse(r: Refusal, caller: &Caller, ids: &Ids) -> Response {
        Graph::render(&refusal_error(r, caller), ids)
    }

    fn render(e: &GraphError, ids: &Ids) -> Response {
        error_response(e, ids)
    }

    fn decorate(h: &mut HeaderMap) {
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
    }
}

/// Builds the final error response (envelope + innerError).
fn error_response(e: &GraphError, ids: &Ids) -> Response {
    let mut err = json!({
        "code": e.code,
        "message": e.message,
    });
    if let Some(d) = &e.details {
        err["details"] = d.clone();
    }
    err["innerError"] = json!({
        "date": now_utc(Stamp::Bare),
        "request-id": ids.request_id,
        "client-request-id": ids.client_request_id,
    });
    let mut resp = odata_json(e.status, json!({ "error": err }));
    for (k, v) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(k.clone(), v);
        }
    }
    resp
}

/// The Graph error for a pipeline refusal. API-NOTES.md#graph-errors
fn refusal_error(r: Refusal, caller: &Caller) -> GraphError {
    match r {
        Refusal::Unauthenticated(msg) => {
            let mut e =
                GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", msg);
            e.headers.push((
                HeaderName::from_static("www-authenticate"),
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".to_string(),
            ));
            e
        }
        // The error code is an assumption. API-NOTES.md#request-size
        Refusal::TooLarge => GraphError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!(
                "The request size exceeds the maximum limit ({} bytes).",
                crate::emulator::pipeline::MAX_BODY
            ),
        ),
        Refusal::UnsupportedMediaType(ct) => GraphError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "The content type '{}' is not supported. Use 'application/json'.",
                if ct.is_empty() { "(none)" } else { ct.as_str() }
            ),
        ),
        Refusal::InvalidJson(e) => GraphError::bad_request(format!(
            "Invalid JSON. An unexpected token was found in the request body: {e}."
        )),
        Refusal::MethodNotAllowed => GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request uri.",
        ),
        Refusal::Forbidden => fault_error(403, caller),
        Refusal::Fault(f) => {
            let mut e = fault_error(f.status, caller);
            if let Some(ra) = &f.retry_after {
                e.headers
                    .push((HeaderName::from_static("retry-after"), ra.clone()));
            }
            e
        }
        Refusal::RateLimited(limit) => {
            let mut e = fault_error(429, caller);
            if limit.retry_after {
                e.headers
                    .push((HeaderName::from_static("retry-after"), "1".to_string()));
            }
            e
        }
        Refusal::NoConnection => GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "A reset fault needs a connection to close (the emulator's own HTTPS server).",
        ),
    }
}

/// Graph's documented throttling and outage answers. API-NOTES.md#graph-throttling
fn fault_error(status: u16, caller: &Caller) -> GraphError {
    let Caller {
        tenant, client_id, ..
    } = caller;
    match status {
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
        // A permission the app lacks (API-NOTES.md#faults).
        403 => GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
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
    }
}
