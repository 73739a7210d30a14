//! Two more token sources, beside `hosts.rs`:
//!
//! * the **Azure DevOps OIDC token service** an Azure service connection with workload
//!   identity federation uses: `POST <base>/_ado/oidctoken?api-version=7.1&serviceConnectionId=<id>`
//!   (the URL stands in for `$SYSTEM_OIDCREQUESTURI`) with `Authorization: Bearer
//!   $SYSTEM_ACCESSTOKEN`, answering `{"oidcToken": "<jwt>"}`; issuer `<base>/_ado` stands in
//!   for `https://vstoken.dev.azure.com/<organization id>`, subject `sc://<org>/<project>/<name>`;
//! * an **Instance Metadata Service** managed identity endpoint (`msi_endpoint`):
//!   `GET <base>/_imds/token?api-version=2018-02-01&resource=<r>[&client_id=<c>]` with
//!   `Metadata: true`, answering `access_token`, `expires_on` (epoch seconds as a string),
//!   `expires_in`, `resource`, `token_type`.
//!
//! API-NOTES.md#ci-token-services, API-NOTES.md#imds

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::hosts::{ado_issuer, issue_access_token, mint};
use super::signin::{now_secs, TOKEN_EXCHANGE_AUDIENCE};
use super::state::Shared;
use super::token::TOKEN_LIFETIME;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_ado/oidctoken", post(ado_token))
        .route("/_imds/token", get(imds_token))
}

fn fail(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

async fn ado_token(
    State(st): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let Some(ado) = &st.sign_in.azure_devops else {
        return fail(StatusCode::NOT_FOUND, json!({"message": "Not Found"}));
    };
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(ado.access_token.as_str()) {
        // Azure DevOps answers an unauthenticated call with 401 when the client suppresses its
        // sign-in redirect (X-TFS-FedAuthRedirect: Suppress), as the SDKs do.
        return fail(
            StatusCode::UNAUTHORIZED,
            json!({"message": "TF400813: The user is not authorized to access this resource."}),
        );
    }
    if param(&q, "api-version").is_none() {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"message": "VS800075: The project name is required or an api-version must be supplied."}),
        );
    }
    if param(&q, "serviceConnectionId") != Some(ado.service_connection_id.as_str()) {
        // ASSUMED: the exact status and text for an unknown service connection are not
        // documented; 404 with a message naming it.
        return fail(
            StatusCode::NOT_FOUND,
            json!({"message": format!("Service connection {} was not found or is not authorized for this pipeline.", param(&q, "serviceConnectionId").unwrap_or(""))}),
        );
    }
    let token = mint(&ado_issuer(&st), &ado.subject, TOKEN_EXCHANGE_AUDIENCE);
    Json(json!({"oidcToken": token})).into_response()
}

async fn imds_token(
    State(st): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    if headers.get("metadata").and_then(|v| v.to_str().ok()) != Some("true") {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}),
        );
    }
    if param(&q, "api-version").is_none() {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Required query variable 'api-version' is missing"}),
        );
    }
    let Some(resource) = param(&q, "resource").map(|r| r.trim_end_matches('/')) else {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"}),
        );
    };
    if !(st.is_graph_audience(resource) || st.is_exchange_audience(resource)) {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_resource", "error_description": format!("AADSTS500011: The resource principal named {resource} was not found")}),
        );
    }
    let ids = &st.sign_in.managed_identities;
    let identity = match param(&q, "client_id") {
        Some(c) => ids.iter().find(|m| m.client_id.eq_ignore_ascii_case(c)),
        None => ids.iter().find(|m| m.system_assigned),
    };
    let Some(mi) = identity else {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Identity not found"}),
        );
    };
    let token = issue_access_token(&st, &mi.tenant_id, &mi.client_id, resource);
    let lifetime = TOKEN_LIFETIME.as_secs() as i64;
    Json(json!({
        "access_token": token,
        "client_id": mi.client_id,
        "expires_in": lifetime.to_string(),
        "expires_on": (now_secs() + lifetime).to_string(),
        "ext_expires_in": lifetime.to_string(),
        "not_before": now_secs().to_string(),
        "resource": resource,
        "token_type": "Bearer",
    }))
    .into_response()
}
