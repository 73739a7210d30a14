//! The multitenant organization (MTO): `/tenantRelationships/multiTenantOrganization`, its
//! `tenants` and the joining tenant's `joinRequest`. Facts: API-NOTES.md#mto-endpoints;
//! assumptions in API-NOTES.md (section "mto").
//!
//! One organization is shared by its tenants: it is stored once, in the owner (creator) tenant
//! (`.../multiTenantOrganization` and `.../tenants/<guid>`); a joining tenant stores only its
//! join request (`.../joinRequest`). A member's views (GET of the organization and of its
//! tenants) read the owner's store. Every transition (join, role change, removal) settles
//! through the emulator clock after [`set_transition_delay`] (zero by default).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use crate::emulator::graph::envelope::{no_content, odata_json, GraphCtx, GraphError, GraphResult};
use crate::emulator::state::Shared;
use crate::emulator::util::{is_guid, new_guid, now_utc, Stamp};

pub const MTO_PATH: &str = "/tenantRelationships/multiTenantOrganization";
pub const TENANTS_PATH: &str = "/tenantRelationships/multiTenantOrganization/tenants";
pub const JOIN_PATH: &str = "/tenantRelationships/multiTenantOrganization/joinRequest";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";
/// At most 100 active tenants, owner included, enforced at join time (API-NOTES.md#mto-endpoints).
pub const MAX_ACTIVE: usize = 100;
pub const NOT_ADDED: &str =
    "The tenant was not added to the multitenant organization by the owner tenant.";

pub fn tenant_path(id: &str) -> String {
    format!("{TENANTS_PATH}/{}", id.to_ascii_lowercase())
}

static DELAYS: Mutex<Option<HashMap<String, Duration>>> = Mutex::new(None);

/// How long transitions started by requests of `tenant` take to settle (default zero).
pub fn set_transition_delay(tenant: &str, d: Duration) {
    DELAYS
        .lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .insert(tenant.to_ascii_lowercase(), d);
}

fn delay(tenant: &str) -> Duration {
    DELAYS
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|m| m.get(tenant).copied())
        .unwrap_or_default()
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization",
            get(get_mto).put(put_mto).patch(patch_mto),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants",
            get(list_tenants).post(add_tenant),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/tenants/{id}",
            get(get_tenant).patch(patch_tenant).delete(delete_tenant),
        )
        .route(
            "/v1.0/tenantRelationships/multiTenantOrganization/joinRequest",
            get(get_join).patch(patch_join),
        )
}

/// The tenant whose store holds the organization `me` belongs to: itself when it created one,
/// the owner it joined when its join is active, `None` otherwise.
fn org_store(st: &Shared, me: &str) -> Option<String> {
    if st.with_store(me, |s| s.get(MTO_PATH).is_some()) {
        return Some(me.to_string());
    }
    let join = st.with_store(me, |s| s.get(JOIN_PATH).cloned())?;
    (join["memberState"] == "active")
        .then(|| join["addedByTenantId"].as_str().map(str::to_string))
        .flatten()
}

fn is_owner(st: &Shared, org: &str, me: &str) -> bool {
    st.with_store(org, |s| s.get(&tenant_path(me)).cloned())
        .is_some_and(|m| m["role"] == "owner" && m["state"] == "active")
}

fn only_keys(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), GraphError> {
    for k in body.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Invalid property '{k}': only {} can be set.",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn string_or_null(body: &Map<String, Value>, k: &str) -> Result<(), GraphError> {
    match body.get(k) {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(_) => Err(GraphError::bad_request(format!(
            "Property '{k}' must be a string."
        ))),
    }
}

fn forbidden(what: &str) -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        format!("Insufficient privileges to complete the operation: {what}"),
    )
}

// ---- the organization ---------------------------------------------------------------------

async fn get_mto(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let org =
        org_store(&st, &ctx.tenant).and_then(|o| st.with_store(&o, |s| s.get(MTO_PATH).cloned()));
    // A tenant in no organization still gets 200, with the "inactive" shape and an id (the
    // entity key is never null): API-NOTES.md#mto-inactive-id.
    let body = org.unwrap_or_else(|| {
        json!({"id": ZERO, "createdDateTime": null, "displayName": null, "description": null, "state": "inactive"})
    });
    Ok(odata_json(StatusCode::OK, body))
}

async fn put_mto(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    let body = ctx.object_body()?.clone();
    only_keys(&body, &["displayName", "description"])?;
    string_or_null(&body, "description")?;
    let Some(name) = body
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(GraphError::bad_request(
            "Property 'displayName' is required.",
        ));
    };
    let me = ctx.tenant.clone();
    let joined = st.with_store(&me, |s| s.get(JOIN_PATH).cloned());
    if org_store(&st, &me).is_some() || joined.is_some_and(|j| j["memberState"] == "pending") {
        // One organization per tenant (API-NOTES.md#mto-endpoints; the status is assumed).
        return Err(GraphError::request_bad_request(
            "The tenant is already part of a multitenant organization.",
        ));
    }
    let mto = json!({
        "id": new_guid(), "createdDateTime": now_utc(Stamp::Bare), "displayName": name,
        "description": body.get("description").cloned().unwrap_or(Value::Null), "state": "active",
    });
    let owner = json!({
        "id": new_guid(), "tenantId": me, "displayName": name, "role": "owner", "state": "active",
        "addedByTenantId": me, "addedDateTime": now_utc(Stamp::Bare), "joinedDateTime": null, "transitionDetails": null,
    });
    st.with_store(&me, |s| {
        s.create(MTO_PATH, mto.clone());
        s.create(&tenant_path(&me), owner);
    });
    Ok(odata_json(StatusCode::CREATED, mto))
}

async fn patch_mto(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    let body = ctx.object_body()?.clone();
    only_keys(&body, &["displayName", "description"])?;
    string_or_null(&body, "description")?;
    string_or_null(&body, "displayName")?;
    let me = ctx.tenant.clone();
    let Some(org) = org_store(&st, &me) else {
        return Err(GraphError::object_not_found());
    };
    if !is_owner(&st, &org, &me) {
        return Err(forbidden("only owner tenants can update the organization."));
    }
    st.with_store(&org, |s| {
        if let Some(Value::Object(m)) = s.get_mut(MTO_PATH) {
            for (k, v) in body {
                m.insert(k, v);
            }
        }
    });
    Ok(no_content())
}

// ---- tenants ------------------------------------------------------------------------------

async fn list_tenants(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$filter", "$select"])?;
    let Some(org) = org_store(&st, &ctx.tenant) else {
        return Err(GraphError::object_not_found());
    };
    let value: Vec<Value> = st.with_store(&org, |s| {
        s.children(TENANTS_PATH)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    });
    Ok(odata_json(StatusCode::OK, json!({ "value": value })))
}

async fn add_tenant(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    let body = ctx.object_body()?.clone();
    only_keys(&body, &["tenantId", "displayName", "role"])?;
    let me = ctx.tenant.clone();
    let Some(org) = org_store(&st, &me) else {
        return Err(GraphError::object_not_found());
    };
    if !is_owner(&st, &org, &me) {
        return Err(forbidden("only owner tenants can add tenants."));
    }
    let Some(id) = body
        .get("tenantId")
        .and_then(Value::as_str)
        .filter(|s| is_guid(s))
    else {
        return Err(GraphError::bad_request(
            "Property 'tenantId' is required and must be a GUID.",
        ));
    };
    let id = id.to_ascii_lowercase();
    let Some(name) = body
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(GraphError::bad_request(
            "Property 'displayName' is required.",
        ));
    };
    let role = match body.get("role") {
        None | Some(Value::Null) => "member",
        Some(Value::String(r)) if r == "member" || r == "owner" => r.as_str(),
        Some(r) => {
            return Err(GraphError::bad_request(format!(
                "Invalid value {r} for property 'role'."
            )))
        }
    };
    let path = tenant_path(&id);
    if st.with_store(&org, |s| s.get(&path).is_some()) {
        // Documented (API-NOTES.md#mto-endpoints).
        return Err(GraphError::request_bad_request(
            "Tenant is already being added in Multi-Tenant Organization.",
        ));
    }
    let member = json!({
        "id": new_guid(), "tenantId": id, "displayName": name, "role": role, "state": "pending",
        "addedByTenantId": me, "addedDateTime": now_utc(Stamp::Bare), "joinedDateTime": null,
        "transitionDetails": {"desiredState": "active", "desiredRole": role, "status": "notStarted", "details": ""},
    });
    st.with_store(&org, |s| s.create(&path, member.clone()));
    // The immediate response shows no transition details (API-NOTES.md#mto-endpoints: asynchronous).
    let mut shown = member;
    shown["transitionDetails"] = Value::Null;
    Ok(odata_json(StatusCode::CREATED, shown))
}

async fn get_tenant(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    let Some(org) = org_store(&st, &ctx.tenant) else {
        return Err(GraphError::object_not_found());
    };
    st.with_store(&org, |s| s.get(&tenant_path(&id)).cloned())
        .map(|m| odata_json(StatusCode::OK, m))
        .ok_or_else(GraphError::object_not_found)
}

async fn patch_tenant(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    let body = ctx.object_body()?.clone();
    only_keys(&body, &["role"])?;
    let role = match body.get("role").and_then(Value::as_str) {
        Some(r @ ("member" | "owner")) => r.to_string(),
        _ => {
            return Err(GraphError::bad_request(
                "Property 'role' must be 'member' or 'owner'.",
            ))
        }
    };
    let me = ctx.tenant.clone();
    let Some(org) = org_store(&st, &me) else {
        return Err(GraphError::object_not_found());
    };
    if !is_owner(&st, &org, &me) {
        return Err(forbidden("only owner tenants can call this API."));
    }
    let path = tenant_path(&id);
    let d = delay(&me);
    st.with_store(&org, |s| {
        let Some(m) = s.get_mut(&path) else {
            return Err(GraphError::object_not_found());
        };
        if m["state"] == "pending" {
            // Not joined yet: the role it will have when it does.
            m["role"] = json!(role);
            m["transitionDetails"]["desiredRole"] = json!(role);
            return Ok(());
        }
        let state = m["state"].clone();
        m["transitionDetails"] = json!({"desiredState": state, "desiredRole": role, "status": "notStarted", "details": ""});
        s.schedule(&path, d, json!({"role": role, "transitionDetails": null}));
        Ok(())
    })?;
    Ok(no_content())
}

async fn delete_tenant(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    let me = ctx.tenant.clone();
    let id = id.to_ascii_lowercase();
    let Some(org) = org_store(&st, &me) else {
        return Err(GraphError::object_not_found());
    };
    let path = tenant_path(&id);
    let Some(target) = st.with_store(&org, |s| s.get(&path).cloned()) else {
        return Err(GraphError::object_not_found());
    };
    let owner = is_owner(&st, &org, &me);
    let d = delay(&me);
    if id == me {
        let others: Vec<Value> = st.with_store(&org, |s| {
            s.children(TENANTS_PATH)
                .into_iter()
                .map(|(_, v)| v)
                .filter(|v| v["tenantId"] != json!(me))
                .collect()
        });
        if org == me {
            // The creator: removable only as the last tenant, which deletes the organization.
            if !others.is_empty() {
                return Err(GraphError::request_bad_request(
                    "The original creator tenant can't be removed while other tenants remain.",
                ));
            }
            st.with_store(&org, |s| {
                if let Some(m) = s.get_mut(&path) {
                    m["transitionDetails"] = json!({"desiredState": "removed", "desiredRole": "owner", "status": "notStarted", "details": ""});
                }
                s.schedule(MTO_PATH, d, Value::Null);
            });
            return Ok(no_content());
        }
    } else if !owner {
        return Err(forbidden("only owner tenants can remove other tenants."));
    } else if target["role"] == "owner" && target["state"] == "active" {
        return Err(GraphError::request_bad_request(
            "You can't remove owner tenants.",
        ));
    }
    st.with_store(&org, |s| {
        if let Some(m) = s.get_mut(&path) {
                    m["transitionDetails"] = json!({"desiredState": "removed", "desiredRole": target["role"].clone(), "status": "notStarted", "details": ""});
                }
        s.schedule(&path, d, Value::Null);
    });
    // The removed tenant's join request goes with it.
    st.with_store(&id, |s| {
        if s.get(JOIN_PATH).is_some() {
            s.schedule(JOIN_PATH, d, Value::Null);
        }
    });
    Ok(no_content())
}

// ---- join request -------------------------------------------------------------------------

async fn get_join(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    let body = st.with_store(&ctx.tenant, |s| s.get(JOIN_PATH).cloned()).unwrap_or_else(|| {
        json!({"id": ctx.tenant, "addedByTenantId": null, "memberState": null, "role": null, "transitionDetails": null})
    });
    Ok(odata_json(StatusCode::OK, body))
}

async fn patch_join(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    let body = ctx.object_body()?.clone();
    only_keys(&body, &["addedByTenantId"])?;
    let Some(owner) = body
        .get("addedByTenantId")
        .and_then(Value::as_str)
        .filter(|s| is_guid(s))
    else {
        return Err(GraphError::bad_request(
            "Property 'addedByTenantId' must be a GUID.",
        ));
    };
    let owner = owner.to_ascii_lowercase();
    let me = ctx.tenant.clone();
    if owner == ZERO {
        // Resets a join, a failed or pending one (API-NOTES.md#mto-endpoints: the zero GUID).
        st.with_store(&me, |s| s.remove(JOIN_PATH));
        return Ok(no_content());
    }
    if st.with_store(&me, |s| s.get(MTO_PATH).is_some()) {
        return Err(GraphError::request_bad_request(
            "The tenant is already part of a multitenant organization.",
        ));
    }
    let d = delay(&me);
    let path = tenant_path(&me);
    let added = st.with_store(&owner, |s| s.get(&path).cloned());
    let active = st.with_store(&owner, |s| {
        s.children(TENANTS_PATH)
            .iter()
            .filter(|(_, v)| v["state"] == "active")
            .count()
    });
    let pending = json!({"id": me, "addedByTenantId": owner, "memberState": "pending", "role": null,
        "transitionDetails": {"desiredMemberState": "active", "status": "notStarted", "details": ""}});
    let failure = match &added {
        None => Some(NOT_ADDED.to_string()),
        Some(_) if active >= MAX_ACTIVE => Some(format!(
            "The multitenant organization would exceed the maximum of {MAX_ACTIVE} active tenants."
        )),
        Some(_) => None,
    };
    st.with_store(&me, |s| {
        s.replace(JOIN_PATH, pending);
        let settle = match &failure {
            Some(why) => json!({"transitionDetails": {"desiredMemberState": "active", "status": "failed", "details": why}}),
            None => json!({"memberState": "active", "role": added.as_ref().map(|m| m["role"].clone()), "transitionDetails": null}),
        };
        s.schedule(JOIN_PATH, d, settle);
    });
    if failure.is_none() {
        st.with_store(&owner, |s| {
            s.schedule(&path, d, json!({"state": "active", "joinedDateTime": now_utc(Stamp::Bare), "transitionDetails": null}));
        });
    }
    Ok(no_content())
}
