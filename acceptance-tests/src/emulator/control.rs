//! The unauthenticated control API under `/_emulator/` (for the binary and for tests in other
//! processes). Same functions as the Rust methods on [`Emulator`](super::Emulator); never
//! logged and never subject to faults. Documented for users, with `curl` examples that
//! `tests/emulator_docs.rs` runs, in `acceptance-tests/EMULATOR.md`.
//!
//! * `GET    /_emulator/tenants/{tenant}/objects` → `[{"path": ..., "value": ...}]`
//! * `GET    /_emulator/tenants/{tenant}/summary` → text, one readable line per object
//! * `GET    /_emulator/tenants/{tenant}/object?path=<urlencoded>` → 200 value | 404
//! * `PUT    /_emulator/tenants/{tenant}/object?path=...` (JSON value) → 204 | 404 unknown tenant
//! * `PATCH  /_emulator/tenants/{tenant}/object?path=...` (JSON object) → 204 | 404
//! * `DELETE /_emulator/tenants/{tenant}/object?path=...` → 204 | 404
//! * `POST   /_emulator/faults` (Fault JSON: status / delay / reset) → 204 | 400 (impossible fault)
//! * `PUT    /_emulator/apps/{client_id}/roles` (`["Policy.Read.All", ...]`) → 204 | 400: the
//!   app's application permissions from its next token on; `DELETE` grants every one again
//! * `POST   /_emulator/replication-lag` (`{"seconds": f64}`) → 204 | 400
//! * `POST   /_emulator/latency` (`{"graph_ms": n, "exchange_ms": n, "teams_ms": n}`, each optional, 0 when
//!   absent) → 204 | 400; `GET /_emulator/latency` → the same shape
//! * `POST   /_emulator/clock/advance` (`{"seconds": f64}`) → 204 | 400
//! * `POST   /_emulator/rate-limits` (`{"api": "graph"|"exchange", "per_second": n,
//!   "path_contains"?: ..., "retry_after"?: bool}`) → 204 | 400;
//!   `DELETE /_emulator/rate-limits?api=graph` → 204 | 400
//! * `GET    /_emulator/requests` → `[RequestRecord]`; `DELETE /_emulator/requests` → 204
//! * `POST   /_emulator/tenants/{tenant}/portal/sync-configuration` (`{"display_name",
//!   "target_tenant_id", "sync_all"?, "principal_ids"?, "running"?, "notification_email"?}`) →
//!   201 `{"application_object_id", "service_principal_id", "job_id"}` | 400 | 404: a
//!   cross-tenant synchronization configuration as the portal leaves it (its objects have
//!   service-assigned IDs, so no single PUT makes one)
//! * `POST   /_emulator/xts/provisioning` (`{"on": bool, "interval_seconds"?: n}`) → 204 |
//!   400: turns the cross-tenant synchronization engine on or off (a cycle on each start and
//!   restart, and every `interval_seconds` of emulator clock, checked when it is advanced)
//! * `POST   /_emulator/tenants/{tenant}/xts/run-cycles` → 200 `[{"job_id", "created",
//!   "updated", "soft_deleted", "in_scope", "quarantined"}]` | 404: a cycle of every started job
//!   of the (source) tenant; users and groups (`"members": [<user id>]`) are seeded with PUT
//!   object at `/users/<id>` and `/groups/<id>`
//! * `GET    /_emulator/tenants/{tenant}/xts/synchronized-users` → text, one line per user
//!   cross-tenant synchronization made in the tenant: user type, display name, UPN, source

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::clock::RateLimit;
use super::state::Shared;
use super::vocab::{Api, Fault, Latency};

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/tenants/{tenant}/objects", get(list_objects))
        .route("/tenants/{tenant}/summary", get(summary))
        .route(
            "/tenants/{tenant}/object",
            get(get_object)
                .put(put_object)
                .patch(patch_object)
                .delete(delete_object),
        )
        .route(
            "/tenants/{tenant}/portal/sync-configuration",
            post(portal_sync_configuration),
        )
        .route("/xts/provisioning", post(xts_provisioning))
        .route("/tenants/{tenant}/xts/run-cycles", post(xts_run_cycles))
        .route(
            "/tenants/{tenant}/xts/synchronized-users",
            get(xts_synchronized_users),
        )
        .route("/faults", post(add_fault))
        .route(
            "/apps/{client_id}/roles",
            put(set_roles).delete(reset_roles),
        )
        .route("/replication-lag", post(set_lag))
        .route("/latency", get(latency).post(set_latency))
        .route("/clock/advance", post(advance))
        .route(
            "/rate-limits",
            post(set_rate_limit).delete(clear_rate_limits),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "unknown control API route") })
}

/// A control API error: `{"error": "<message>"}`.
pub struct CtlError(StatusCode, String);

impl IntoResponse for CtlError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

type CtlResult = Result<Response, CtlError>;

fn error(status: StatusCode, msg: impl Into<String>) -> CtlError {
    CtlError(status, msg.into())
}

fn parse_json(body: &Bytes) -> Result<Value, CtlError> {
    serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
}

fn path_param(q: &HashMap<String, String>) -> Result<String, CtlError> {
    q.get("path")
        .cloned()
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, "missing ?path="))
}

fn check_tenant(st: &Shared, tenant: &str) -> Result<(), CtlError> {
    match st.signin_tenant(tenant) {
        Some(_) => Ok(()),
        None => Err(error(
            StatusCode::NOT_FOUND,
            format!("unknown tenant '{tenant}'"),
        )),
    }
}

async fn list_objects(State(st): State<Arc<Shared>>, Path(tenant): Path<String>) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let list: Vec<Value> = st
        .objects(&tenant)
        .into_iter()
        .map(|(path, value)| json!({"path": path, "value": value}))
        .collect();
    Ok(Json(list).into_response())
}

async fn summary(State(st): State<Arc<Shared>>, Path(tenant): Path<String>) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let text = super::summary::text(&st.objects(&tenant), |t| {
        st.any_tenant(t).map(|s| s.display_name.clone())
    });
    Ok(text.into_response())
}

async fn get_object(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let path = path_param(&q)?;
    st.object(&tenant, &path)
        .map(|v| Json(v).into_response())
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no object at '{path}'")))
}

async fn put_object(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let path = path_param(&q)?;
    let value = parse_json(&body)?;
    st.put_object(&tenant, &path, value);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What `POST .../portal/sync-configuration` takes.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalSync {
    display_name: String,
    target_tenant_id: String,
    #[serde(default)]
    sync_all: bool,
    #[serde(default)]
    principal_ids: Vec<String>,
    #[serde(default)]
    running: bool,
    #[serde(default)]
    notification_email: Option<String>,
}

async fn portal_sync_configuration(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> CtlResult {
    use super::graph::xts::{self, PortalConfiguration, GROUPS_PATH, USERS_PATH};
    check_tenant(&st, &tenant)?;
    let c: PortalSync = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))?;
    let id = st
        .signin_tenant(&tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_default();
    for p in &c.principal_ids {
        let p = p.to_ascii_lowercase();
        if st.object(&id, &format!("{USERS_PATH}/{p}")).is_none()
            && st.object(&id, &format!("{GROUPS_PATH}/{p}")).is_none()
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("principal {p} is not a user or group of the tenant"),
            ));
        }
    }
    let seeded = xts::portal_configuration(
        &st,
        &id,
        &PortalConfiguration {
            display_name: c.display_name,
            target_tenant_id: c.target_tenant_id,
            sync_all: c.sync_all,
            principal_ids: c.principal_ids,
            running: c.running,
            notification_email: c.notification_email,
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "application_object_id": seeded.application_object_id,
            "service_principal_id": seeded.service_principal_id,
            "job_id": seeded.job_id,
        })),
    )
        .into_response())
}

async fn xts_provisioning(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let v = parse_json(&body)?;
    let Some(on) = v.get("on").and_then(Value::as_bool) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "expected {\"on\": true|false}".to_string(),
        ));
    };
    let interval = match v.get("interval_seconds") {
        None | Some(Value::Null) => None,
        Some(n) => Some(
            n.as_f64()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    error(
                        StatusCode::BAD_REQUEST,
                        "interval_seconds must be a positive number".to_string(),
                    )
                })?,
        ),
    };
    super::graph::xts::set_provisioning(&st, on);
    super::graph::xts::set_cycle_interval(&st, interval);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn xts_run_cycles(State(st): State<Arc<Shared>>, Path(tenant): Path<String>) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let ran: Vec<Value> = super::graph::xts::run_cycles(&st, &tenant)
        .into_iter()
        .map(|(job, c)| {
            json!({"job_id": job, "created": c.created, "updated": c.updated,
                "soft_deleted": c.soft_deleted, "in_scope": c.in_scope, "quarantined": c.quarantined})
        })
        .collect();
    Ok((StatusCode::OK, Json(json!(ran))).into_response())
}

async fn xts_synchronized_users(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let id = st
        .signin_tenant(&tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_default();
    let mut lines: Vec<String> = st
        .with_store(&id, |s| s.children(super::graph::xts::USERS_PATH))
        .into_iter()
        .filter_map(|(_, u)| {
            let source = u["alternativeSecurityIds"]
                .as_array()?
                .iter()
                .find_map(|a| a["identityProvider"].as_str())?
                .to_string();
            let from = st
                .any_tenant(&source)
                .map(|t| t.display_name.clone())
                .unwrap_or(source);
            let s = |k: &str| u[k].as_str().unwrap_or("-").to_string();
            Some(format!(
                "{:<7} {:<20} {} (from {from})",
                s("userType"),
                s("displayName"),
                s("userPrincipalName")
            ))
        })
        .collect();
    lines.sort();
    let mut text = lines.join("\n");
    if text.is_empty() {
        text.push_str("(none)");
    }
    text.push('\n');
    Ok(text.into_response())
}

async fn patch_object(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let path = path_param(&q)?;
    let value = parse_json(&body)?;
    if st.patch_object(&tenant, &path, value) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(error(
            StatusCode::NOT_FOUND,
            format!("no object at '{path}'"),
        ))
    }
}

async fn delete_object(
    State(st): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> CtlResult {
    check_tenant(&st, &tenant)?;
    let path = path_param(&q)?;
    if st.delete_object(&tenant, &path) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(error(
            StatusCode::NOT_FOUND,
            format!("no object at '{path}'"),
        ))
    }
}

async fn add_fault(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let fault: Fault = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid fault: {e}")))?;
    if let Some(why) = fault.invalid() {
        return Err(error(StatusCode::BAD_REQUEST, why));
    }
    st.inject(fault);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_roles(
    State(st): State<Arc<Shared>>,
    Path(client_id): Path<String>,
    body: Bytes,
) -> CtlResult {
    let roles: Vec<String> = serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("invalid roles (a JSON array of permission names): {e}"),
        )
    })?;
    st.set_roles(&client_id, Some(roles));
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reset_roles(State(st): State<Arc<Shared>>, Path(client_id): Path<String>) -> Response {
    st.set_roles(&client_id, None);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(serde::Deserialize)]
struct Lag {
    seconds: f64,
}

async fn set_lag(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let lag: Lag = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))?;
    let d = Duration::try_from_secs_f64(lag.seconds)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid seconds: {e}")))?;
    st.set_replication_lag(d);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_latency(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let l: Latency = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid latency: {e}")))?;
    st.set_latency(l);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn latency(State(st): State<Arc<Shared>>) -> Response {
    Json(st.latency()).into_response()
}

async fn advance(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let by: Lag = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))?;
    let d = Duration::try_from_secs_f64(by.seconds)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid seconds: {e}")))?;
    st.advance(d);
    super::graph::xts::tick(&st);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(serde::Deserialize)]
struct ApiLimit {
    api: Api,
    #[serde(flatten)]
    limit: RateLimit,
}

async fn set_rate_limit(State(st): State<Arc<Shared>>, body: Bytes) -> CtlResult {
    let l: ApiLimit = serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("invalid rate limit: {e}")))?;
    st.set_rate_limit(l.api, Some(l.limit));
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_rate_limits(
    State(st): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> CtlResult {
    let api: Api = q
        .get("api")
        .and_then(|a| serde_json::from_value(Value::String(a.clone())).ok())
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, "?api=graph or ?api=exchange"))?;
    st.set_rate_limit(api, None);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn requests(State(st): State<Arc<Shared>>) -> Response {
    Json(st.requests()).into_response()
}

async fn clear_requests(State(st): State<Arc<Shared>>) -> Response {
    st.clear_requests();
    StatusCode::NO_CONTENT.into_response()
}
