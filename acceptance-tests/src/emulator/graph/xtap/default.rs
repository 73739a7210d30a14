//! The default cross-tenant access configuration: `GET` / `PATCH` of
//! `/policies/crossTenantAccessPolicy/default` and its `resetToSystemDefault` action. Stored only
//! while customised; otherwise the service default is served without being stored.
//! API-NOTES.md#xtap-default

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use serde_json::{json, Map, Value};

use super::types::DEFAULT;
use super::DEFAULT_PATH;
use crate::emulator::graph::entity_set::{apply, with_context, Hooks};
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphError, GraphResult,
};
use crate::emulator::graph::odata::{parse_select, project};
use crate::emulator::graph::schema::{validate_body, Op};
use crate::emulator::state::Shared;

/// `null` resets a setting to its service-default value (assumed: API-NOTES.md#xtap-default).
const HOOKS: Hooks = Hooks {
    null_of: |k| service_default().get(k).cloned().unwrap_or(Value::Null),
    normalize: super::normalize,
    ..Hooks::DEFAULT
};

fn b2b_all(access: &str) -> Value {
    json!({
        "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]},
    })
}

/// The service default (the default-get page's example answer, plus the settings the
/// example omits: API-NOTES.md#xtap-default).
pub fn service_default() -> Value {
    json!({
        "isServiceDefault": true,
        "inboundTrust": {
            "isMfaAccepted": false,
            "isCompliantDeviceAccepted": false,
            "isHybridAzureADJoinedDeviceAccepted": false
        },
        "b2bCollaborationOutbound": b2b_all("allowed"),
        "b2bCollaborationInbound": b2b_all("allowed"),
        "b2bDirectConnectOutbound": b2b_all("blocked"),
        "b2bDirectConnectInbound": b2b_all("blocked"),
        "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
        "tenantRestrictions": b2b_all("blocked"),
        "invitationRedemptionIdentityProviderConfiguration": {
            "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
            "fallbackIdentityProvider": "defaultConfiguredIdp"
        },
        "appServiceConnectInbound": null,
        "m365CollaborationInbound": null,
        "m365CollaborationOutbound": null
    })
}

pub(super) async fn get_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let select = parse_select(&ctx, &DEFAULT)?;
    let current = st
        .with_store(&ctx.tenant, |s| s.get(DEFAULT_PATH).cloned())
        .unwrap_or_else(service_default);
    Ok(odata_json(
        StatusCode::OK,
        with_context(
            context_url(&st, "policies/crossTenantAccessPolicy/default/$entity"),
            project(&current, &select),
        ),
    ))
}

pub(super) async fn update_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?;
    validate_body(body, &DEFAULT, Op::Update)?;
    if body.keys().all(|k| k.starts_with('@')) {
        return Ok(no_content());
    }
    st.with_store(&ctx.tenant, |s| {
        let mut current = match s.get(DEFAULT_PATH).cloned().unwrap_or_else(service_default) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        apply(&mut current, body, &[], &HOOKS);
        current.insert("isServiceDefault".into(), Value::Bool(false));
        s.replace(DEFAULT_PATH, Value::Object(current));
    });
    Ok(no_content())
}

pub(super) async fn reset_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    // An action without parameters: no body, or an empty JSON object.
    if let Some(body) = &ctx.body {
        match body.as_object() {
            Some(m) if m.is_empty() => {}
            Some(m) => {
                let k = m.keys().next().cloned().unwrap_or_default();
                return Err(GraphError::request_bad_request(format!(
                    "Invalid property '{k}'."
                )));
            }
            None => return Err(GraphError::bad_request("The action takes no parameters.")),
        }
    }
    st.with_store(&ctx.tenant, |s| s.remove(DEFAULT_PATH));
    Ok(no_content())
}
