//! `servicePrincipals/{id}/appRoleAssignedTo`: the users and groups assigned to the
//! configuration (its scope when `SyncAll` is `false`). API-NOTES.md#xts-assignments

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Router};
use base64::Engine as _;
use rand::Rng as _;
use serde_json::{json, Value};

use super::types::APP_ROLE_ASSIGNMENT;
use super::*;
use crate::emulator::graph::entity_set::{
    with_context, Dialect, EntitySet, Hooks, Key, Ops, Query,
};
use crate::emulator::graph::envelope::{context_url, odata_json, GraphCtx, GraphResult};
use crate::emulator::graph::schema::{validate_body, Op};
use crate::emulator::util::{is_guid, now_utc, Stamp};

// The create is explicit: what it stores comes from the service principal, the principal and
// the other assignments, not from the body.
pub(super) fn routes() -> Router<Arc<Shared>> {
    ASSIGNMENTS.routes().route(
        "/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
        post(create),
    )
}

/// `servicePrincipals/{id}/appRoleAssignedTo`: listed, read and deleted as a set nested under
/// the service principals (seen through [`settled_sp`]).
pub static ASSIGNMENTS: EntitySet = EntitySet {
    path: "/appRoleAssignedTo",
    parent: Some(&SETTLED_SERVICE_PRINCIPAL),
    ty: &APP_ROLE_ASSIGNMENT,
    key: Key::Opaque(assignment_id),
    ops: Ops {
        create: false,
        update: false,
        delete: true,
    },
    query: &Query::NONE,
    navs: &[],
    collections: &[],
    unemulated: &[],
    hooks: Hooks::DEFAULT,
    dialect: &DIALECT,
};

/// The directory's words; a GET reads an assignment at once (no replication lag).
static DIALECT: Dialect = Dialect {
    get_sees_lag: false,
    ..Dialect::DIRECTORY
};

/// Assignment ids are opaque base64url strings, not GUIDs.
fn assignment_id() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new assignment of `role` of the service principal `sp` to the principal `p` (`kind`
/// `User` or `Group`).
pub(super) fn assignment(role: &str, principal: &str, kind: &str, p: &Value, sp: &Value) -> Value {
    json!({
        "id": assignment_id(), "deletedDateTime": null, "appRoleId": role,
        "createdDateTime": now_utc(Stamp::Seconds),
        "principalDisplayName": p["displayName"], "principalId": principal,
        "principalType": kind, "resourceDisplayName": sp["displayName"],
        "resourceId": sp["id"],
    })
}

fn guid_prop(body: &serde_json::Map<String, Value>, name: &str) -> Result<String, GraphError> {
    match body.get(name) {
        Some(Value::String(s)) if is_guid(s) => Ok(s.to_ascii_lowercase()),
        None | Some(Value::Null) => Err(GraphError::request_bad_request(format!(
            "Required property '{name}' is missing from the request body."
        ))),
        Some(v) => Err(GraphError::bad_request(format!(
            "Cannot convert the literal '{v}' to the expected type 'Edm.Guid'."
        ))),
    }
}

async fn create(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let body = ctx.object_body()?.clone();
    validate_body(&body, &APP_ROLE_ASSIGNMENT, Op::Create)?;
    let role = guid_prop(&body, "appRoleId")?;
    let resource = guid_prop(&body, "resourceId")?;
    let principal = guid_prop(&body, "principalId")?;
    let created = st.with_store(&ctx.tenant, |s| {
        let resource_sp = settled_sp(s, &sp)?;
        if resource != sp {
            // Assumed: the resource of an appRoleAssignedTo POST is the service principal in
            // the URL. API-NOTES.md#xts-assignments
            return Err(GraphError::request_bad_request(format!(
                "Property 'resourceId' must be the service principal in the request URL ('{sp}')."
            )));
        }
        let known_role = resource_sp["appRoles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["id"] == json!(role)));
        if !known_role {
            return Err(GraphError::request_bad_request(format!(
                "Permission being assigned was not found on application '{}'.",
                resource_sp["appId"].as_str().unwrap_or_default()
            )));
        }
        let (kind, p) = if let Some(u) = s.get(&format!("{USERS_PATH}/{principal}")) {
            ("User", u.clone())
        } else if let Some(g) = s.get(&format!("{GROUPS_PATH}/{principal}")) {
            ("Group", g.clone())
        } else {
            return Err(GraphError::resource_not_found(&principal));
        };
        let prefix = assignments_path(&sp);
        let duplicate = s
            .children(&prefix)
            .iter()
            .any(|(_, a)| a["principalId"] == json!(principal) && a["appRoleId"] == json!(role));
        if duplicate {
            return Err(GraphError::request_bad_request(
                "Permission being assigned already exists on the object",
            ));
        }
        let a = assignment(&role, &principal, kind, &p, &resource_sp);
        s.create(
            &format!("{prefix}/{}", a["id"].as_str().unwrap_or_default()),
            a.clone(),
        );
        Ok(a)
    })?;
    let url = context_url(
        &st,
        &format!("servicePrincipals('{sp}')/appRoleAssignedTo/$entity"),
    );
    Ok(odata_json(
        StatusCode::CREATED,
        with_context(url, created.as_object().cloned().unwrap_or_default()),
    ))
}
