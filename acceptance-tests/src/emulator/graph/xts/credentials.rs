//! `servicePrincipals/{id}/synchronization`: secrets and validateCredentials (the test
//! connection against both tenants' partner settings). API-NOTES.md#xts-secrets,
//! API-NOTES.md#xts-validate

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::sync::job_not_found;
use super::types::{CREDENTIALS_BODY, MASKED_SECRETS, SECRETS_BODY};
use super::*;
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphResult,
};
use crate::emulator::graph::schema::{validate_body, Op};
use crate::emulator::graph::xtap::{partner_path, service_default, sync_path, DEFAULT_PATH};
use crate::emulator::util::is_guid;

const SYNC: &str = "/v1.0/servicePrincipals/{id}/synchronization";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            &format!("{SYNC}/jobs/validateCredentials"),
            post(validate_unbound),
        )
        .route(
            &format!("{SYNC}/jobs/{{key}}/validateCredentials"),
            post(validate_bound),
        )
        .route(
            &format!("{SYNC}/secrets"),
            get(get_secrets).put(put_secrets),
        )
}

// ---- secrets ---------------------------------------------------------------------------------

/// The saved secrets of `sp`, by key.
pub(super) fn saved(s: &TenantStore<'_>, sp: &str) -> Map<String, Value> {
    s.get(&secrets_path(sp))
        .and_then(|v| v["value"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p["key"].as_str()?.to_string(), p["value"].clone())))
                .collect()
        })
        .unwrap_or_default()
}

async fn get_secrets(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let pairs = st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        Ok::<_, GraphError>(saved(s, &sp))
    })?;
    let value: Vec<Value> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = if MASKED_SECRETS.contains(&k.as_str()) {
                json!("*")
            } else {
                v
            };
            json!({"key": k, "value": v})
        })
        .collect();
    let url = context_url(
        &st,
        &format!("servicePrincipals('{sp}')/synchronization/secrets"),
    );
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": url, "value": value}),
    ))
}

/// The members `SyncNotificationSettings` may carry (assumed names beyond the documented
/// example: `Recipients`, `DeleteThresholdValue`). API-NOTES.md#xts-secrets
fn check_notification_settings(v: &str) -> Result<(), GraphError> {
    let bad = |why: String| {
        GraphError::bad_request(format!(
            "The value of secret 'SyncNotificationSettings' is not valid: {why}"
        ))
    };
    let parsed: Value =
        serde_json::from_str(v).map_err(|e| bad(format!("not a JSON object ({e}).")))?;
    let Some(m) = parsed.as_object() else {
        return Err(bad("not a JSON object.".into()));
    };
    for (k, v) in m {
        let ok = match k.as_str() {
            "Enabled" | "DeleteThresholdEnabled" | "HumanResourcesLookaheadQueryEnabled" => {
                v.is_boolean()
            }
            "Recipients" => v.is_string() || v.is_null(),
            "DeleteThresholdValue" => v.is_u64(),
            _ => return Err(bad(format!("unknown member '{k}'."))),
        };
        if !ok {
            return Err(bad(format!("member '{k}' has the wrong type ({v}).")));
        }
    }
    Ok(())
}

/// The XTS secrets' value rules (assumed: the how-to gives the values, not the checks).
fn check_secret(key: &str, value: &str) -> Result<(), GraphError> {
    let bad = |why: &str| {
        GraphError::bad_request(format!(
            "The value '{value}' of secret '{key}' is not valid: {why}"
        ))
    };
    match key {
        "CompanyId" if !is_guid(value) => Err(bad("it must be a tenant id (GUID).")),
        "AuthenticationType" if value != "SyncPolicy" => {
            Err(bad("cross-tenant synchronization uses 'SyncPolicy'."))
        }
        "SyncAll" if value != "true" && value != "false" => Err(bad("use \"true\" or \"false\".")),
        "SyncNotificationSettings" => check_notification_settings(value),
        _ => Ok(()),
    }
}

async fn put_secrets(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let body = ctx.object_body()?;
    validate_body(body, &SECRETS_BODY, Op::Create)?;
    let Some(pairs) = body.get("value").and_then(Value::as_array) else {
        return Err(GraphError::bad_request(
            "Property 'value' is required: a collection of key / value pairs.",
        ));
    };
    let mut seen = Vec::new();
    for p in pairs {
        let key = p["key"].as_str().unwrap_or_default();
        if seen.contains(&key) {
            return Err(GraphError::bad_request(format!(
                "The secret '{key}' is given more than once."
            )));
        }
        seen.push(key);
        match &p["value"] {
            Value::String(v) if v.is_empty() => {}
            Value::String(v) => check_secret(key, v)?,
            _ => {
                return Err(GraphError::bad_request(format!(
                    "The value of secret '{key}' must be a string."
                )))
            }
        }
    }
    st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        // Keys sent replace their value; "" removes a key (how clients delete secrets, there
        // is no DELETE); keys not sent keep theirs. API-NOTES.md#xts-secrets
        let mut merged = saved(s, &sp);
        for p in pairs {
            let key = p["key"].as_str().unwrap_or_default().to_string();
            match p["value"].as_str() {
                Some("") => {
                    merged.remove(&key);
                }
                _ => {
                    merged.insert(key, p["value"].clone());
                }
            }
        }
        let value: Vec<Value> = merged
            .into_iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        s.replace(&secrets_path(&sp), json!({ "value": value }));
        Ok(no_content())
    })
}

// ---- validateCredentials ---------------------------------------------------------------------

fn policy_failure(detail: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        POLICY_CHECK_FAILURE,
        INVALID_CREDENTIALS,
    )
    .with_details(json!([{"code": POLICY_CHECK_FAILURE, "message": detail, "target": "CompanyId"}]))
}

/// `automaticUserConsentSettings.<member>` of `tenant`'s partner configuration for `partner`,
/// inheriting the tenant's default configuration when the partner's is `null` or missing.
fn auto_consent(st: &Shared, tenant: &str, partner: &str, member: &str) -> bool {
    st.with_store(tenant, |s| {
        let own = s
            .get(&partner_path(partner))
            .map(|p| p["automaticUserConsentSettings"][member].clone())
            .unwrap_or(Value::Null);
        let value = if own.is_null() {
            s.get(DEFAULT_PATH).cloned().unwrap_or_else(service_default)
                ["automaticUserConsentSettings"][member]
                .clone()
        } else {
            own
        };
        value == json!(true)
    })
}

/// The service's test connection for `source` syncing into `target`.
/// API-NOTES.md#xts-validate
pub(super) fn test_connection(st: &Shared, source: &str, target: &str) -> Result<(), GraphError> {
    // Only tenants of this emulated world that we can sign in to have policies; any other
    // target has no partner configuration for the source.
    let Some(target) = st.signin_tenant(target).map(|t| t.tenant_id.clone()) else {
        return Err(policy_failure(SYNC_NOT_ALLOWED));
    };
    let sync_allowed = st.with_store(&target, |s| {
        s.get(&sync_path(source))
            .is_some_and(|p| p["userSyncInbound"]["isSyncAllowed"] == json!(true))
    });
    if !sync_allowed {
        return Err(policy_failure(SYNC_NOT_ALLOWED));
    }
    if !auto_consent(st, &target, source, "inboundAllowed") {
        return Err(policy_failure(AUTO_REDEEM));
    }
    if !auto_consent(st, source, &target, "outboundAllowed") {
        return Err(policy_failure(AUTO_REDEEM));
    }
    Ok(())
}

fn validate(st: &Shared, ctx: &GraphCtx, sp: &str, job: Option<&str>) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(sp)?;
    let body = ctx.object_body()?;
    validate_body(body, &CREDENTIALS_BODY, Op::Create)?;
    match body.get("templateId").and_then(Value::as_str) {
        Some(SYNC_TEMPLATE) => {}
        None if job.is_some() => {}
        Some(t) => {
            return Err(GraphError::bad_request(format!(
                "The synchronization template '{t}' does not exist for this service principal."
            )))
        }
        None => {
            return Err(GraphError::bad_request(
                "Parameter 'templateId' is required when no job is given.",
            ))
        }
    }
    let use_saved = body.get("useSavedCredentials") == Some(&json!(true));
    let creds: Map<String, Value> = st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        if let Some(j) = job {
            if s.visible(&job_path(&sp, j)).is_none() {
                return Err(job_not_found(j));
            }
        }
        if use_saved {
            return Ok(saved(s, &sp));
        }
        Ok(body
            .get("credentials")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p["key"].as_str()?.to_string(), p["value"].clone())))
                    .collect()
            })
            .unwrap_or_default())
    })?;
    let target = match creds.get("CompanyId").and_then(Value::as_str) {
        Some(t) if is_guid(t) => t.to_ascii_lowercase(),
        _ => {
            return Err(GraphError::bad_request(
                "Credential 'CompanyId' (the target tenant id) is missing or not a GUID.",
            ))
        }
    };
    if creds.get("AuthenticationType").and_then(Value::as_str) != Some("SyncPolicy") {
        return Err(GraphError::bad_request(
            "Credential 'AuthenticationType' must be 'SyncPolicy' for cross-tenant synchronization.",
        ));
    }
    test_connection(st, &ctx.tenant, &target)?;
    Ok(no_content())
}

async fn validate_unbound(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    validate(&st, &ctx, &sp, None)
}

async fn validate_bound(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    validate(&st, &ctx, &sp, Some(&job))
}
