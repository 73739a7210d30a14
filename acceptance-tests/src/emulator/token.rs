//! The Microsoft identity platform token endpoint, client-credentials grant only:
//! `POST /{tenant}/oauth2/v2.0/token` (form-encoded; `{tenant}` is a GUID or default domain).
//!
//! Credentials: `client_secret` must equal the tenant's `TenantSpec::client_secret`; a
//! `client_assertion` of type `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` is
//! verified as a certificate-signed assertion or a federated OIDC token (`signin.rs`).
//!
//! Tokens are opaque random strings bound to the tenant and the requested resource; they
//! expire after one hour of the emulator clock. API-NOTES.md#token-endpoint

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

pub use super::aad::TOKEN_LIFETIME;
pub(crate) use super::aad::{aad_error, AadError};
use super::state::{Shared, TokenInfo};
use super::util::{new_guid, now_utc, random_token, Stamp};
use super::vocab::RequestRecord;

pub use super::vocab::{EXCHANGE_AUDIENCES, GRAPH_AUDIENCES};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/{tenant}/oauth2/v2.0/token", post(token))
}

async fn token(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = new_guid();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let resolved = st.signin_tenant(&tenant).map(|t| t.tenant_id.clone());
    let mut logged = serde_json::Map::new();
    if let Some(g) = field("grant_type") {
        logged.insert("grant_type".into(), Value::String(g.to_string()));
    }
    if let Some(s) = field("scope") {
        logged.insert("scope".into(), Value::String(s.to_string()));
    }

    let result = issue(&st, &tenant, &headers, &field);
    let (status, body) = match result {
        Ok(v) => (StatusCode::OK, v),
        Err(e) => {
            let ts = now_utc(Stamp::Aad);
            let corr = new_guid();
            (
                StatusCode::BAD_REQUEST,
                json!({
                    "error": e.error,
                    "error_description": format!(
                        "{} Trace ID: {request_id} Correlation ID: {corr} Timestamp: {ts}",
                        e.description
                    ),
                    "error_codes": [e.code],
                    "timestamp": ts,
                    "trace_id": request_id,
                    "correlation_id": corr,
                    "error_uri": format!("https://login.microsoftonline.com/error?code={}", e.code),
                }),
            )
        }
    };
    st.record(RequestRecord {
        tenant: resolved,
        method: "POST".into(),
        path: format!("/{tenant}/oauth2/v2.0/token"),
        query: None,
        status: status.as_u16(),
        request_id: request_id.clone(),
        body: Some(Value::Object(logged)),
    });
    let mut resp = (status, axum::Json(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        "cache-control",
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert("pragma", HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-ms-request-id", v);
    }
    resp
}

fn issue<'a>(
    st: &Shared,
    tenant: &str,
    headers: &HeaderMap,
    field: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<Value, AadError> {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(aad_error(
            "invalid_request",
            900144,
            "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
        ));
    }
    let grant = field("grant_type").ok_or_else(|| {
        aad_error(
            "invalid_request",
            900144,
            "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
        )
    })?;
    let Some(spec) = st.any_tenant(tenant) else {
        return Err(aad_error(
            "invalid_request",
            90002,
            format!("AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
        ));
    };
    if grant != "client_credentials" {
        return Err(aad_error(
            "unsupported_grant_type",
            70003,
            format!("AADSTS70003: The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let client_id = field("client_id").ok_or_else(|| {
        aad_error(
            "invalid_request",
            900144,
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        )
    })?;
    // Directory-only tenants have no app registration for us.
    let signin = st.signin_tenant(tenant);
    let Some(app) = signin.filter(|t| t.client_id.eq_ignore_ascii_case(client_id)) else {
        return Err(aad_error(
            "unauthorized_client",
            700016,
            format!("AADSTS700016: Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", spec.display_name),
        ));
    };
    match (
        field("client_secret"),
        field("client_assertion_type"),
        field("client_assertion"),
    ) {
        (Some(secret), None, None) => {
            if secret != app.client_secret {
                return Err(aad_error(
                    "invalid_client",
                    7000215,
                    format!("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", app.client_id),
                ));
            }
        }
        (None, Some(kind), Some(assertion)) => {
            if kind != JWT_BEARER {
                return Err(aad_error(
                    "invalid_request",
                    700024,
                    format!("AADSTS700024: Client assertion type '{kind}' is not supported."),
                ));
            }
            let endpoint = format!("{}/{tenant}/oauth2/v2.0/token", st.base_url);
            super::signin::verify_assertion(st, &app.client_id, &endpoint, assertion)?;
        }
        (None, None, None) => {
            return Err(aad_error(
                "invalid_client",
                7000218,
                "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        _ => {
            return Err(aad_error(
                "invalid_request",
                90014,
                "AADSTS90014: The request must contain exactly one of 'client_secret' or 'client_assertion' with 'client_assertion_type'.",
            ));
        }
    }
    let scope = field("scope").unwrap_or("").trim();
    if scope.is_empty() {
        return Err(aad_error(
            "invalid_scope",
            900144,
            "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        ));
    }
    let Some(resource) = scope
        .strip_suffix("/.default")
        .filter(|_| !scope.contains(' '))
    else {
        return Err(aad_error(
            "invalid_scope",
            1002012,
            format!("AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        ));
    };
    let resource = resource.trim_end_matches('/');
    let known = st.is_graph_audience(resource)
        || st.is_exchange_audience(resource)
        || st.is_audience(super::vocab::TEAMS_AUDIENCES, resource);
    if !known {
        return Err(aad_error(
            "invalid_resource",
            500011,
            format!("AADSTS500011: The resource principal named {resource} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", app.display_name),
        ));
    }
    let token = random_token();
    st.add_token(
        token.clone(),
        TokenInfo {
            tenant_id: app.tenant_id.clone(),
            client_id: app.client_id.clone(),
            audience: resource.to_ascii_lowercase(),
            expires: st.clock.now() + TOKEN_LIFETIME,
            roles: st.roles(&app.client_id),
        },
    );
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
    }))
}
