//! The Teams tenant admin API (`https://api.interfaces.records.teams.microsoft.com`), over the
//! shared [`pipeline`](super::pipeline) with its own error envelope. One object family:
//! [`federation`], the tenant's federation configuration (Teams external access).
//! Facts: API-NOTES.md#teams-federation-get and the notes around it.
//!
//! * Tokens must be for the Skype and Teams Tenant Admin API (app ID
//!   `48ac35b8-9aa8-4d74-927d-1f4a14a0b239`), whatever the endpoint: unlike Graph and Exchange,
//!   the emulator's own URL is no audience here, so a Graph token is 401
//!   (API-NOTES.md#teams-token).
//! * Errors: `{"error":{"code","message"}}` (API-NOTES.md#teams-errors, assumed).
//! * Other paths under `/Skype.Policy/` are 404: the provider must not use them.

pub mod federation;

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::json;

use super::pipeline::{self, Caller, Envelope, Ids, Refusal};
use super::state::Shared;
use super::vocab::Api;

/// An error of the Teams API, rendered by [`Teams`] as `{"error":{"code","message"}}`.
#[derive(Clone, Debug)]
pub struct TeamsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<String>,
}

impl TeamsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> TeamsError {
        TeamsError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A request the service refuses as malformed (400).
    pub fn bad_request(message: impl Into<String>) -> TeamsError {
        TeamsError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }
}

impl IntoResponse for TeamsError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(axum::body::Body::empty());
        *resp.status_mut() = self.status;
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type TeamsResult = Result<Response, TeamsError>;

/// The Teams API's envelope in the shared pipeline.
pub struct Teams;

impl Envelope for Teams {
    type Error = TeamsError;
    const API: Api = Api::Teams;
    const AUDIENCES: &'static [&'static str] = super::vocab::TEAMS_AUDIENCES;
    const OWN_URL_IS_AUDIENCE: bool = false;

    fn refuse(r: Refusal, _caller: &Caller, ids: &Ids) -> Response {
        Teams::render(&refusal_error(r), ids)
    }

    fn render(e: &TeamsError, _ids: &Ids) -> Response {
        let body = json!({"error": {"code": e.code, "message": e.message}});
        let mut resp = (e.status, body.to_string()).into_response();
        resp.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Some(ra) = e.retry_after.as_deref().and_then(|v| v.parse().ok()) {
            resp.headers_mut().insert("retry-after", ra);
        }
        resp
    }

    fn decorate(h: &mut HeaderMap) {
        h.insert("cache-control", HeaderValue::from_static("no-cache"));
    }
}

fn refusal_error(r: Refusal) -> TeamsError {
    match r {
        Refusal::Unauthenticated(msg) => {
            TeamsError::new(StatusCode::UNAUTHORIZED, "Unauthorized", msg)
        }
        Refusal::TooLarge => TeamsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!(
                "The request size exceeds the maximum limit ({} bytes).",
                pipeline::MAX_BODY
            ),
        ),
        Refusal::UnsupportedMediaType(ct) => TeamsError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!("The content type '{ct}' is not supported. Use 'application/json'."),
        ),
        Refusal::InvalidJson(e) => {
            TeamsError::bad_request(format!("The request body is not valid JSON: {e}."))
        }
        Refusal::MethodNotAllowed => TeamsError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The configuration is read with GET and changed with PATCH.",
        ),
        Refusal::Fault(f) => {
            let mut e = status_error(f.status);
            e.retry_after = f.retry_after;
            e
        }
        Refusal::RateLimited(limit) => {
            let mut e = status_error(429);
            e.retry_after = limit.retry_after.then(|| "1".to_string());
            e
        }
        // Never raised for Teams (it checks no app role: permissions::required), kept exhaustive.
        Refusal::Forbidden => status_error(403),
        Refusal::NoConnection => TeamsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "A reset fault needs a connection to close (the emulator's own HTTPS server).",
        ),
    }
}

fn status_error(status: u16) -> TeamsError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (code, msg) = match status.as_u16() {
        // An app without the Teams Administrator role (API-NOTES.md#teams-role).
        403 => (
            "Forbidden",
            "The caller is not authorized to perform this action.",
        ),
        429 => (
            "TooManyRequests",
            "Too many requests. Please try again later.",
        ),
        503 => (
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        ),
        504 => ("GatewayTimeout", "The gateway timed out."),
        _ => ("InternalServerError", "An injected fault occurred."),
    };
    TeamsError::new(status, code, msg)
}

/// The Teams routes, wrapped in the pipeline.
pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let routes = federation::routes().route("/Skype.Policy/{*rest}", any(unknown_endpoint));
    pipeline::wrap::<Teams>(routes, shared)
}

async fn unknown_endpoint(axum::extract::Path(rest): axum::extract::Path<String>) -> TeamsError {
    TeamsError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("'/Skype.Policy/{rest}' is not emulated: only the global TenantFederationSettings configuration is."),
    )
}

/// Objects that exist without being stored: the service-default configuration.
pub fn virtual_object(path: &str) -> Option<serde_json::Value> {
    federation::virtual_object(path)
}
