//! The Exchange admin API's envelope: its error body, its JSON answers and how the shared
//! pipeline's refusals look in it. Every cmdlet family of [`exchange`](super) answers through it.
//!
//! Errors: `{"error":{"code","message","details":[{"code","target","message":
//! "<code>|<exception type>|<message>"}],"innererror":{"message","type",
//! "internalexception":{"message"}}}}` (API-NOTES.md#exchange-errors).

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::emulator::pipeline::{Caller, Envelope, Ids, Refusal};
use crate::emulator::state::Shared;
use crate::emulator::vocab::Api;

/// The JSON content type of admin API answers (assumed: API-NOTES.md#exchange-invokecommand).
pub const EXO_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The plain-text body of the concurrency throttle (API-NOTES.md#exchange-throttling).
pub const CONCURRENCY_THROTTLE: &str =
    "You have reached the maximum number of concurrent requests per tenant. Please wait and try again";

/// An Exchange admin API error; the pipeline wraps it in the envelope.
#[derive(Clone, Debug)]
pub struct ExchangeError {
    pub status: StatusCode,
    pub code: &'static str,
    /// The .NET exception type (`details.message`'s middle part, `innererror.type`).
    pub exception_type: &'static str,
    pub message: String,
    /// The parameter the error is about (`details.target`).
    pub target: Option<String>,
    pub retry_after: Option<String>,
}

impl ExchangeError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        exception_type: &'static str,
        message: impl Into<String>,
    ) -> ExchangeError {
        ExchangeError {
            status,
            code,
            exception_type,
            message: message.into(),
            target: None,
            retry_after: None,
        }
    }

    /// A malformed `InvokeCommand` body (400; assumed).
    pub fn bad_input(message: String) -> ExchangeError {
        ExchangeError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Microsoft.Exchange.Admin.OData.Core.ODataException",
            message,
        )
    }

    /// A parameter binding error about `param` (400).
    pub fn parameter(param: &str, message: String) -> ExchangeError {
        let mut e = ExchangeError::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "System.Management.Automation.ParameterBindingException",
            message,
        );
        e.target = Some(param.to_string());
        e
    }

    /// A cmdlet-level validation error about `param` (400, Exchange's validation exception).
    pub fn invalid(param: &str, message: String) -> ExchangeError {
        let mut e = ExchangeError::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "Microsoft.Exchange.Data.DataValidationException",
            message,
        );
        e.target = Some(param.to_string());
        e
    }

    /// The object named by `Identity` does not exist (404 assumed; the exception type is
    /// the one PowerShell reports).
    pub fn not_found(identity: &str, what: &str) -> ExchangeError {
        let mut e = ExchangeError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
            format!("The operation couldn't be performed because object '{identity}' couldn't be found on '{what}'."),
        );
        e.target = Some("Identity".into());
        e
    }
}

impl IntoResponse for ExchangeError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(axum::body::Body::empty());
        *resp.status_mut() = self.status;
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type ExchangeResult = Result<Response, ExchangeError>;

/// A 200 answer with result objects: `{"@odata.context", "value": [...]}`, plus
/// `@adminapi.warnings` when the cmdlet wrote warnings with `Write-Warning`
/// (API-NOTES.md#exchange-invokecommand; no warnings: no member). Every cmdlet answers with it.
pub fn objects_response(
    st: &Shared,
    tenant: &str,
    value: Vec<Value>,
    warnings: Vec<String>,
) -> Response {
    let mut body = json!({
        "@odata.context": format!("{}/adminapi/beta/{tenant}/$metadata#Collection(Exchange.GenericHashTable)", st.base_url),
        "value": value,
    });
    if !warnings.is_empty() {
        body["@adminapi.warnings"] = json!(warnings);
    }
    let mut resp = Response::new(axum::body::Body::from(body.to_string()));
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(EXO_JSON));
    resp
}

/// Exchange's envelope in the shared pipeline: tokens for Exchange Online, errors as
/// [`ExchangeError`], plain text for the concurrency throttle.
pub struct Exchange;

impl Envelope for Exchange {
    const AUDIENCES: &'static [&'static str] = crate::emulator::vocab::EXCHANGE_AUDIENCES;
    const API: Api = Api::Exchange;
    type Error = ExchangeError;

    fn refuse(r: Refusal, _caller: &Caller, ids: &Ids) -> Response {
        if let Refusal::Fault(f) = &r {
            if f.plain_text {
                let mut resp =
                    (StatusCode::TOO_MANY_REQUESTS, CONCURRENCY_THROTTLE).into_response();
                resp.headers_mut().insert(
                    "content-type",
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                return resp;
            }
        }
        Exchange::render(&refusal_error(r), ids)
    }

    fn render(e: &ExchangeError, _ids: &Ids) -> Response {
        let mut detail = json!({
            "code": e.code,
            "message": format!("{}|{}|{}", e.code, e.exception_type, e.message),
        });
        if let Some(t) = &e.target {
            detail["target"] = Value::String(t.clone());
        }
        let body = json!({"error": {
            "code": e.code,
            "message": e.message,
            "details": [detail],
            "innererror": {
                "message": e.message,
                "type": e.exception_type,
                "internalexception": {"message": e.message},
            },
        }});
        let mut resp = (e.status, body.to_string()).into_response();
        resp.headers_mut()
            .insert("content-type", HeaderValue::from_static(EXO_JSON));
        if let Some(ra) = e.retry_after.as_deref().and_then(|v| v.parse().ok()) {
            resp.headers_mut().insert("retry-after", ra);
        }
        resp
    }

    fn decorate(h: &mut HeaderMap) {
        h.insert("cache-control", HeaderValue::from_static("no-cache"));
        h.insert("x-diaginfo", HeaderValue::from_static("EMULATOR"));
    }
}

/// The Exchange error for a pipeline refusal (codes assumed: API-NOTES.md#exchange-errors).
fn refusal_error(r: Refusal) -> ExchangeError {
    let odata = "Microsoft.Exchange.Admin.OData.Core.ODataException";
    match r {
        Refusal::Unauthenticated(msg) => ExchangeError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Microsoft.Exchange.Admin.OData.Core.AuthenticationException",
            msg,
        ),
        Refusal::TooLarge => ExchangeError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            odata,
            format!(
                "The request size exceeds the maximum limit ({} bytes).",
                crate::emulator::pipeline::MAX_BODY
            ),
        ),
        Refusal::UnsupportedMediaType(ct) => ExchangeError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            odata,
            format!("The content type '{ct}' is not supported. Use 'application/json'."),
        ),
        Refusal::InvalidJson(e) => {
            ExchangeError::bad_input(format!("The request body is not valid JSON: {e}."))
        }
        Refusal::MethodNotAllowed => ExchangeError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            odata,
            "The admin API only accepts POST.",
        ),
        Refusal::Forbidden => status_error(403),
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
        Refusal::NoConnection => ExchangeError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            odata,
            "A reset fault needs a connection to close (the emulator's own HTTPS server).",
        ),
    }
}

fn status_error(status: u16) -> ExchangeError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (code, msg) = match status.as_u16() {
        // A role the app lacks (API-NOTES.md#faults).
        403 => (
            "Forbidden",
            "The user isn't assigned to any management roles that allow this cmdlet.",
        ),
        429 => (
            "TooManyRequests",
            "Too many requests. Please try again later.",
        ),
        503 => (
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        504 => (
            "GatewayTimeout",
            "The gateway did not receive a timely response from the upstream server.",
        ),
        _ => ("InternalServerError", "An injected fault occurred."),
    };
    ExchangeError::new(
        status,
        code,
        "Microsoft.Exchange.Admin.OData.Core.ODataException",
        msg,
    )
}
