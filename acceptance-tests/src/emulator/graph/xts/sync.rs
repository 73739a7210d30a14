//! `servicePrincipals/{id}/synchronization`: jobs, start / pause, validateCredentials,
//! secrets, schema, templates. API-NOTES.md#xts-jobs

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::sync_schema::{check, default_schema};
use super::types::{CREDENTIALS_BODY, MASKED_SECRETS, SCHEMA, SECRETS_BODY};
use super::*;
use crate::emulator::graph::entity_set::with_context;
use crate::emulator::graph::schema::{validate_body, Op};
use crate::emulator::graph::xtap::{partner_path, service_default, sync_path, DEFAULT_PATH};
use crate::emulator::graph::{context_url, no_content, odata_json, GraphCtx, GraphResult};
use crate::emulator::util::is_guid;

const SYNC: &str = "/v1.0/servicePrincipals/{id}/synchronization";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(&format!("{SYNC}/templates"), get(templates))
        .route(&format!("{SYNC}/jobs"), get(list_jobs).post(create_job))
        .route(
            &format!("{SYNC}/jobs/validateCredentials"),
            post(validate_unbound),
        )
        .route(
            &format!("{SYNC}/jobs/{{job}}"),
            get(get_job).delete(delete_job),
        )
        .route(&format!("{SYNC}/jobs/{{job}}/start"), post(start))
        .route(&format!("{SYNC}/jobs/{{job}}/pause"), post(pause))
        .route(
            &format!("{SYNC}/jobs/{{job}}/validateCredentials"),
            post(validate_bound),
        )
        .route(
            &format!("{SYNC}/jobs/{{job}}/schema"),
            get(get_schema).put(put_schema),
        )
        .route(
            &format!("{SYNC}/secrets"),
            get(get_secrets).put(put_secrets),
        )
}

fn entity(st: &Shared, fragment: &str, v: Value) -> Value {
    with_context(
        context_url(st, fragment),
        v.as_object().cloned().unwrap_or_default(),
    )
}

async fn templates(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let app_id = st.with_store(&ctx.tenant, |s| settled_sp(s, &sp))?["appId"].clone();
    let t = json!({
        "id": SYNC_TEMPLATE, "applicationId": app_id, "default": true,
        "description": "Azure Active Directory to Azure Active Directory cross-tenant synchronization",
        "discoverable": true, "factoryTag": SYNC_TEMPLATE, "metadata": [],
    });
    let url = context_url(
        &st,
        &format!("servicePrincipals('{sp}')/synchronization/templates"),
    );
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": url, "value": [t]}),
    ))
}

// ---- jobs ------------------------------------------------------------------------------------

pub(super) fn new_job() -> Value {
    let part = || uuid::Uuid::new_v4().simple().to_string();
    json!({
        "id": format!("{}.{}.{}", SYNC_TEMPLATE.to_ascii_lowercase(), part(), part()),
        "templateId": SYNC_TEMPLATE,
        "schedule": {"expiration": null, "interval": "PT40M", "state": "Disabled"},
        "status": {
            "countSuccessiveCompleteFailures": 0, "escrowsPruned": false, "code": "Paused",
            "lastExecution": null, "lastSuccessfulExecution": null,
            "lastSuccessfulExecutionWithExports": null, "quarantine": null,
            "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
            "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z", "troubleshootingUrl": null,
            "progress": [], "synchronizedEntryCountByType": [],
        },
        "synchronizationJobSettings": [
            {"name": "AzureIngestionAttributeOptimization", "value": "False"},
            {"name": "LookaheadQueryEnabled", "value": "False"},
        ],
    })
}

fn job_not_found(job: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("The synchronization job '{job}' was not found."),
    )
}

/// Runs `f` on the job `job` of `sp` once both are there.
fn with_job<R>(
    st: &Shared,
    ctx: &GraphCtx,
    sp: &str,
    job: &str,
    f: impl FnOnce(&mut TenantStore<'_>, String) -> Result<R, GraphError>,
) -> Result<R, GraphError> {
    let sp = guid_key(sp)?;
    st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        let path = job_path(&sp, job);
        // Documented: a new job can take "several moments" to appear (replication lag).
        if s.visible(&path).is_none() {
            return Err(job_not_found(job));
        }
        f(s, path)
    })
}

async fn list_jobs(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let value = st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        Ok::<_, GraphError>(
            s.children(&jobs_path(&sp))
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>(),
        )
    })?;
    let url = context_url(
        &st,
        &format!("servicePrincipals('{sp}')/synchronization/jobs"),
    );
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": url, "value": value}),
    ))
}

async fn create_job(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(sp): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    let body = ctx.object_body()?;
    only_props(body, &["templateId"])?;
    let template = match body.get("templateId") {
        Some(Value::String(t)) => t.clone(),
        _ => {
            return Err(GraphError::bad_request(
                "Property 'templateId' is required and must be a string.",
            ))
        }
    };
    let job = st.with_store(&ctx.tenant, |s| {
        settled_sp(s, &sp)?;
        if template != SYNC_TEMPLATE {
            // Assumed status and text: the facts do not document a bad templateId.
            return Err(GraphError::bad_request(format!(
                "The synchronization template '{template}' does not exist for this service principal. Available templates: {SYNC_TEMPLATE}."
            )));
        }
        let job = new_job();
        let id = job["id"].as_str().unwrap_or_default().to_string();
        s.create(&job_path(&sp, &id), job.clone());
        s.create(&schema_path(&sp, &id), default_schema(&id));
        Ok(job)
    })?;
    let fragment = format!("servicePrincipals('{sp}')/synchronization/jobs/$entity");
    Ok(odata_json(StatusCode::CREATED, entity(&st, &fragment, job)))
}

async fn get_job(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let v = with_job(&st, &ctx, &sp, &job, |s, path| {
        Ok(s.get(&path).cloned().unwrap_or_default())
    })?;
    let fragment = format!("servicePrincipals('{sp}')/synchronization/jobs/$entity");
    Ok(odata_json(StatusCode::OK, entity(&st, &fragment, v)))
}

async fn delete_job(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let d = delete_delay(&st, &ctx.tenant);
    with_job(&st, &ctx, &sp, &job, |s, path| {
        // "Stop synchronization, and permanently delete all the state associated with the job"
        // (its schema included).
        remove_later(s, &path, d);
        Ok(no_content())
    })
}

/// Sets the schedule state and status code (start / pause).
fn set_state(s: &mut TenantStore<'_>, path: &str, state: &str, code: &str) {
    if let Some(j) = s.get_mut(path) {
        j["schedule"]["state"] = json!(state);
        j["status"]["code"] = json!(code);
        if code != "Quarantine" {
            j["status"]["quarantine"] = Value::Null;
        }
    }
}

async fn start(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    no_body(&ctx)?;
    let sp_id = guid_key(&sp)?;
    with_job(&st, &ctx, &sp, &job, |s, path| {
        let saved = saved(s, &sp_id);
        if !saved.contains_key("CompanyId") || !saved.contains_key("AuthenticationType") {
            // Assumed: a job without saved credentials cannot run. API-NOTES.md#xts-jobs
            return Err(GraphError::bad_request(
                "The job cannot be started: its credentials (CompanyId, AuthenticationType) are not saved. Save them with PUT synchronization/secrets first.",
            ));
        }
        // Documented: start resumes a paused job and clears quarantine; the job then waits
        // for its first cycle (`NotRun`).
        set_state(s, &path, "Active", "NotRun");
        Ok(no_content())
    })
}

async fn pause(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    no_body(&ctx)?;
    with_job(&st, &ctx, &sp, &job, |s, path| {
        set_state(s, &path, "Paused", "Paused");
        Ok(no_content())
    })
}

// ---- schema ----------------------------------------------------------------------------------

async fn get_schema(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let v = with_job(&st, &ctx, &sp, &job, |s, path| {
        Ok(s.get(&format!("{path}/schema"))
            .cloned()
            .unwrap_or_default())
    })?;
    let fragment =
        format!("servicePrincipals('{sp}')/synchronization/jobs('{job}')/schema/$entity");
    Ok(odata_json(StatusCode::OK, entity(&st, &fragment, v)))
}

async fn put_schema(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let mut body = ctx.object_body()?.clone();
    // A schema read back with its context annotation is accepted (assumed).
    body.remove("@odata.context");
    validate_body(&body, &SCHEMA, Op::Create)?;
    if body.get("id").is_some_and(|i| i != &json!(job)) {
        return Err(GraphError::request_bad_request(
            "Property 'id' of the schema must be the job id in the request URL.",
        ));
    }
    with_job(&st, &ctx, &sp, &job, |s, path| {
        let spath = format!("{path}/schema");
        let old = s.get(&spath).cloned().unwrap_or_default();
        let mut new = Value::Object(body);
        check(&old, &new)?;
        // "Fully replaces the current schema"; id and version stay the service's.
        new["id"] = json!(job);
        new["version"] = old["version"].clone();
        s.replace(&spath, new);
        Ok(no_content())
    })
}

// ---- secrets ---------------------------------------------------------------------------------

/// The saved secrets of `sp`, by key.
fn saved(s: &TenantStore<'_>, sp: &str) -> Map<String, Value> {
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

/// The XTS secrets' value rules (assumed: the facts give the values, not the checks).
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
fn test_connection(st: &Shared, source: &str, target: &str) -> Result<(), GraphError> {
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
