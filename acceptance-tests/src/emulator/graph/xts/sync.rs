//! `servicePrincipals/{id}/synchronization`: jobs (an entity set nested under the service
//! principals, [`JOBS`]), start / pause, schema, templates (secrets and validateCredentials:
//! `credentials.rs`). API-NOTES.md#xts-jobs

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
use crate::emulator::graph::entity_set::{
    with_context, Dialect, EntitySet, Hooks, Key, Object, Ops, Query,
};
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphResult,
};
use crate::emulator::graph::schema::{validate_body, ObjType, Op};

const SYNC: &str = "/v1.0/servicePrincipals/{id}/synchronization";

// The job's own routes name it `{key}`, as the entity set's item route does (one name per
// path segment).
pub(super) fn routes() -> Router<Arc<Shared>> {
    JOBS.routes()
        .route(&format!("{SYNC}/templates"), get(templates))
        .route(
            &format!("{SYNC}/templates/{{template}}/schema"),
            get(template_schema),
        )
        .route(&format!("{SYNC}/jobs/{{key}}/start"), post(start))
        .route(&format!("{SYNC}/jobs/{{key}}/restart"), post(restart))
        .route(&format!("{SYNC}/jobs/{{key}}/pause"), post(pause))
        .route(
            &format!("{SYNC}/jobs/{{key}}/schema"),
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

/// `GET .../synchronization/templates/{templateId}/schema`: the schema a new job of the
/// template starts with (its `id` the template's). API-NOTES.md#xts-schema-mappings
async fn template_schema(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, template)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let sp = guid_key(&sp)?;
    st.with_store(&ctx.tenant, |s| settled_sp(s, &sp))?;
    if template != SYNC_TEMPLATE {
        // Assumed status and text, as for a job of an unknown template.
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The synchronization template '{template}' was not found."),
        ));
    }
    let fragment =
        format!("servicePrincipals('{sp}')/synchronization/templates('{template}')/schema/$entity");
    Ok(odata_json(
        StatusCode::OK,
        entity(&st, &fragment, default_schema(SYNC_TEMPLATE)),
    ))
}

// ---- jobs ------------------------------------------------------------------------------------

/// `servicePrincipals/{id}/synchronization/jobs`: created from the `Azure2Azure` template
/// (with its default schema), read, deleted (eventually: [`set_delete_delay`]); no PATCH.
pub static JOBS: EntitySet = EntitySet {
    path: "/synchronization/jobs",
    parent: Some(&SETTLED_SERVICE_PRINCIPAL),
    ty: &JOB,
    key: Key::Opaque(new_job_id),
    ops: Ops {
        update: false,
        ..Ops::ALL
    },
    query: &Query::NONE,
    navs: &[],
    collections: &[],
    unemulated: &[],
    hooks: Hooks {
        new: new_job,
        validate: validate_job,
        finish: known_template,
        written: with_default_schema,
        dispose: |scope, s, path, _| {
            // "Stop synchronization, and permanently delete all the state associated with the
            // job" (its schema included).
            remove_later(s, path, delete_delay(scope));
            Ok(())
        },
        ..Hooks::DEFAULT
    },
    dialect: &JOB_DIALECT,
};

/// What the synchronization service answers: its own 404, no `Location`, and, documented, a
/// new job can take "several moments" to appear (replication lag) to a GET or a DELETE.
static JOB_DIALECT: Dialect = Dialect {
    not_found: job_not_found,
    update_not_found: job_not_found,
    select_in_context: false,
    delete_sees_lag: true,
    location: false,
    ..Dialect::DIRECTORY
};

/// `synchronizationJob`, by name only: no query option reads its properties and a create body
/// is checked by [`validate_job`].
static JOB: ObjType = ObjType {
    name: "synchronizationJob",
    props: &[],
};

/// A job id: `azure2azure.<hex>.<hex>`.
pub(super) fn new_job_id() -> String {
    let part = || uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}.{}.{}",
        SYNC_TEMPLATE.to_ascii_lowercase(),
        part(),
        part()
    )
}

pub(super) fn new_job(id: &str) -> Object {
    let job = json!({
        "id": id,
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
    });
    job.as_object().cloned().unwrap_or_default()
}

/// A create body: `{"templateId": "<string>"}`.
fn validate_job(body: &Object, _: &ObjType, _: Op) -> Result<(), GraphError> {
    only_props(body, &["templateId"])?;
    match body.get("templateId") {
        Some(Value::String(_)) => Ok(()),
        _ => Err(GraphError::bad_request(
            "Property 'templateId' is required and must be a string.",
        )),
    }
}

/// Only the `Azure2Azure` template (checked once the service principal is found).
fn known_template(job: &mut Object, _: Op, _: &str) -> Result<(), GraphError> {
    match job.get("templateId").and_then(Value::as_str) {
        Some(SYNC_TEMPLATE) => Ok(()),
        // Assumed status and text: the pages do not document a bad templateId.
        t => Err(GraphError::bad_request(format!(
            "The synchronization template '{}' does not exist for this service principal. Available templates: {SYNC_TEMPLATE}.",
            t.unwrap_or_default()
        ))),
    }
}

/// A new job comes with the template's default schema.
fn with_default_schema(s: &mut TenantStore<'_>, op: Op, path: &str, _: &Object) {
    if matches!(op, Op::Create) {
        let id = path.rsplit('/').next().unwrap_or_default();
        s.create(&format!("{path}/schema"), default_schema(id));
    }
}

pub(super) fn job_not_found(job: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("The synchronization job '{job}' was not found."),
    )
}

/// Runs `f` on the job `job` of `sp` once both are there (404 as a GET of the job answers).
fn with_job<R>(
    st: &Shared,
    ctx: &GraphCtx,
    sp: &str,
    job: &str,
    f: impl FnOnce(&mut TenantStore<'_>, String) -> Result<R, GraphError>,
) -> Result<R, GraphError> {
    JOBS.with_entity(st, ctx, &[sp, job], f)
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
        Ok(())
    })?;
    cycle_if_provisioning(&st, &ctx, &sp_id, &job);
    Ok(no_content())
}

/// With the engine on, the cycle a start or restart begins (at once: the emulator does not
/// model the delay before it). API-NOTES.md#xts-provisioning
fn cycle_if_provisioning(st: &Shared, ctx: &GraphCtx, sp: &str, job: &str) {
    if super::engine::provisioning(st) {
        super::engine::run_cycle(st, &ctx.tenant, sp, job);
    }
}

/// The reset scopes `restart` takes (`synchronizationJobRestartCriteria.resetScope`, a flags
/// enum sent as a comma-separated string).
const RESET_SCOPES: &[&str] = &[
    "None",
    "ConnectorDataStore",
    "Escrows",
    "Watermark",
    "QuarantineState",
    "Full",
    "ForceDeletes",
];

/// `POST .../restart` `{"criteria":{"resetScope":"<flags>"}}` → 204: the job runs again from a
/// fresh evaluation of every object (assumed: a paused job is started too, as the docs call it
/// restarting "a stopped synchronization job"). Tests see the reset scope in the request log.
async fn restart(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path((sp, job)): Path<(String, String)>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?.clone();
    only_props(&body, &["criteria"])?;
    let scope = match body.get("criteria") {
        None | Some(Value::Null) => "None".to_string(),
        Some(Value::Object(c)) => {
            only_props(c, &["resetScope"])?;
            match c.get("resetScope") {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => "None".to_string(),
                _ => {
                    return Err(GraphError::bad_request(
                        "Property 'resetScope' must be a string of comma-separated flags.",
                    ))
                }
            }
        }
        _ => {
            return Err(GraphError::bad_request(
                "Property 'criteria' must be a synchronizationJobRestartCriteria object.",
            ))
        }
    };
    if let Some(bad) = scope
        .split(',')
        .map(str::trim)
        .find(|f| !RESET_SCOPES.contains(f))
    {
        return Err(GraphError::bad_request(format!(
            "The value '{bad}' is not a member of synchronizationJobRestartCriteria.resetScope ({}).",
            RESET_SCOPES.join(", ")
        )));
    }
    with_job(&st, &ctx, &sp, &job, |s, path| {
        set_state(s, &path, "Active", "NotRun");
        Ok(())
    })?;
    cycle_if_provisioning(&st, &ctx, &guid_key(&sp)?, &job);
    Ok(no_content())
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
