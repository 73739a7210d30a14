//! `servicePrincipals/{id}/synchronization`: jobs, start / pause, schema, templates
//! (secrets and validateCredentials: `credentials.rs`). API-NOTES.md#xts-jobs

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::credentials::saved;
use super::sync_schema::{check, default_schema};
use super::types::SCHEMA;
use super::*;
use crate::emulator::graph::entity_set::with_context;
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphResult,
};
use crate::emulator::graph::schema::{validate_body, Op};

const SYNC: &str = "/v1.0/servicePrincipals/{id}/synchronization";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(&format!("{SYNC}/templates"), get(templates))
        .route(&format!("{SYNC}/jobs"), get(list_jobs).post(create_job))
        .route(
            &format!("{SYNC}/jobs/{{job}}"),
            get(get_job).delete(delete_job),
        )
        .route(&format!("{SYNC}/jobs/{{job}}/start"), post(start))
        .route(&format!("{SYNC}/jobs/{{job}}/pause"), post(pause))
        .route(
            &format!("{SYNC}/jobs/{{job}}/schema"),
            get(get_schema).put(put_schema),
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

pub(super) fn job_not_found(job: &str) -> GraphError {
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
            // Assumed status and text: the pages do not document a bad templateId.
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
