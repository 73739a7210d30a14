//! Conditional Access policies: `/identity/conditionalAccess/policies` and the soft-deleted
//! ones under `/identity/conditionalAccess/deletedItems/policies`. Facts:
//! `shared/api/conditional-access.md` and `shared/api/examples/ca/`; every behaviour is in
//! API-NOTES.md ("Graph: Conditional Access").
//!
//! Store paths (per tenant):
//! * `/identity/conditionalAccess/policies/<id>`: a policy as Graph returns it (normalised on
//!   every write: [`validate::normalize`]), `@odata.type` of its external tenants kept;
//! * `/identity/conditionalAccess/deletedItems/policies/<id>`: a deleted policy, with
//!   `deletedDateTime` (restorable for 30 days in the real service; application permissions
//!   cannot restore or purge it).
//!
//! The service allows one request per second per tenant and answers 429 without Retry-After:
//! [`routes`] installs that limit ([`rate_limit`]) in the shared rate limiter, so tests can
//! replace or clear it like any other (API-NOTES.md#ca-throttling).

pub mod types;
pub mod validate;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::envelope::{context_url, no_content, odata_json, GraphCtx, GraphError, GraphResult};
use super::odata::{parse_select, project};
use super::schema::Op;
use crate::emulator::clock::RateLimit;
use crate::emulator::state::Shared;
use crate::emulator::util::{is_guid, new_guid, now_utc, Stamp};

pub const POLICIES_PATH: &str = "/identity/conditionalAccess/policies";
pub const DELETED_PATH: &str = "/identity/conditionalAccess/deletedItems/policies";

pub fn policy_path(id: &str) -> String {
    format!("{POLICIES_PATH}/{}", id.to_ascii_lowercase())
}

pub fn deleted_path(id: &str) -> String {
    format!("{DELETED_PATH}/{}", id.to_ascii_lowercase())
}

/// Identity Protection and Conditional Access: 1 request per second per tenant, 429 without
/// Retry-After (graph-throttling-limits).
pub fn rate_limit() -> RateLimit {
    RateLimit::per_second(1)
        .on("/v1.0/identity/conditionalAccess")
        .without_retry_after()
}

/// The routes. The family's rate limit ([`rate_limit`]) is installed by whoever builds the
/// emulator's state (building routes changes nothing).
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/identity/conditionalAccess/policies",
            get(list).post(create),
        )
        .route(
            "/v1.0/identity/conditionalAccess/policies/{id}",
            get(get_one).patch(update).delete(delete),
        )
        .route(
            "/v1.0/identity/conditionalAccess/deletedItems/policies",
            get(list_deleted),
        )
        .route(
            "/v1.0/identity/conditionalAccess/deletedItems/policies/{id}",
            get(get_deleted).delete(purge),
        )
        .route(
            "/v1.0/identity/conditionalAccess/deletedItems/policies/{id}/restore",
            post(restore),
        )
}

type St = State<Arc<Shared>>;
type Cx = Extension<GraphCtx>;

/// A policy id from the URL: a GUID (400 otherwise, assumed), lowercase.
fn url_id(raw: &str) -> Result<String, GraphError> {
    if is_guid(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(GraphError::bad_request(format!(
            "Invalid policy id '{raw}'."
        )))
    }
}

fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

fn with_context(url: String, body: Map<String, Value>) -> Value {
    super::entity_set::with_context(url, body)
}

fn list_of(st: &Shared, ctx: &GraphCtx, prefix: &str, fragment: &str) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let select = parse_select(ctx, &types::POLICY)?;
    let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
        s.children(prefix)
            .into_iter()
            .map(|(_, v)| Value::Object(project(&v, &select)))
            .collect()
    });
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": context_url(st, fragment), "value": value}),
    ))
}

fn get_from(st: &Shared, ctx: &GraphCtx, path: &str, id: &str, fragment: &str) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let select = parse_select(ctx, &types::POLICY)?;
    let body = st.with_store(&ctx.tenant, |s| {
        s.visible(path)
            .map(|v| project(v, &select))
            .ok_or_else(|| not_found(id))
    })?;
    Ok(odata_json(
        StatusCode::OK,
        with_context(context_url(st, fragment), body),
    ))
}

async fn list(State(st): St, Extension(ctx): Cx) -> GraphResult {
    list_of(
        &st,
        &ctx,
        POLICIES_PATH,
        "identity/conditionalAccess/policies",
    )
}

async fn create(State(st): St, Extension(ctx): Cx) -> GraphResult {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?;
    validate::validate_policy(body, Op::Create)?;
    let id = new_guid();
    let mut policy = body.clone();
    policy.insert("id".into(), Value::String(id.clone()));
    policy.insert(
        "createdDateTime".into(),
        Value::String(now_utc(Stamp::Ticks)),
    );
    // Facts §3: null right after create, set by the first update.
    policy.insert("modifiedDateTime".into(), Value::Null);
    validate::normalize(&mut policy);
    let path = policy_path(&id);
    st.with_store(&ctx.tenant, |s| {
        s.create(&path, Value::Object(policy.clone()))
    });
    let url = context_url(&st, "identity/conditionalAccess/policies/$entity");
    let mut resp = odata_json(StatusCode::CREATED, with_context(url, policy));
    if let Ok(v) = format!("{}/v1.0{path}", st.base_url).parse() {
        resp.headers_mut().insert("location", v);
    }
    Ok(resp)
}

async fn get_one(State(st): St, Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    let id = url_id(&id)?;
    get_from(
        &st,
        &ctx,
        &policy_path(&id),
        &id,
        "identity/conditionalAccess/policies/$entity",
    )
}

async fn update(State(st): St, Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    ctx.only_query_options(&[])?;
    let id = url_id(&id)?;
    let body = ctx.object_body()?;
    validate::validate_policy(body, Op::Update)?;
    st.with_store(&ctx.tenant, |s| {
        let stored = s
            .get_mut(&policy_path(&id))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| not_found(&id))?;
        // The merged policy must still be a policy (a PATCH cannot, say, add the legacy
        // keyword next to the guests object that is already there).
        let mut merged = stored.clone();
        validate::merge(&mut merged, body);
        validate::validate_policy(&strip_read_only(&merged), Op::Create)?;
        merged.insert(
            "modifiedDateTime".into(),
            Value::String(now_utc(Stamp::Ticks)),
        );
        validate::normalize(&mut merged);
        *stored = merged;
        Ok(no_content())
    })
}

/// The stored policy without the properties a client cannot send, to validate a merge.
fn strip_read_only(m: &Map<String, Value>) -> Map<String, Value> {
    let mut m = m.clone();
    for k in [
        "id",
        "createdDateTime",
        "modifiedDateTime",
        "templateId",
        "deletedDateTime",
    ] {
        m.remove(k);
    }
    m
}

/// Facts §1: a deleted policy goes to `deletedItems` (restorable for 30 days).
async fn delete(State(st): St, Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    ctx.only_query_options(&[])?;
    let id = url_id(&id)?;
    st.with_store(&ctx.tenant, |s| {
        let path = policy_path(&id);
        let Some(Value::Object(mut policy)) = s.get(&path).cloned() else {
            return Err(not_found(&id));
        };
        s.remove(&path);
        policy.insert(
            "deletedDateTime".into(),
            Value::String(now_utc(Stamp::Ticks)),
        );
        s.replace(&deleted_path(&id), Value::Object(policy));
        Ok(no_content())
    })
}

async fn list_deleted(State(st): St, Extension(ctx): Cx) -> GraphResult {
    list_of(
        &st,
        &ctx,
        DELETED_PATH,
        "identity/conditionalAccess/deletedItems/policies",
    )
}

async fn get_deleted(State(st): St, Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    let id = url_id(&id)?;
    get_from(
        &st,
        &ctx,
        &deleted_path(&id),
        &id,
        "identity/conditionalAccess/deletedItems/policies/$entity",
    )
}

/// Restore and purge list no application permission ("Not supported."): every emulator caller
/// signs in as an application (API-NOTES.md#ca-deleted-items).
fn app_not_supported() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "This operation is not supported with application permissions.",
    )
}

async fn purge(Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    ctx.only_query_options(&[])?;
    url_id(&id)?;
    Err(app_not_supported())
}

async fn restore(Extension(ctx): Cx, Path(id): Path<String>) -> GraphResult {
    ctx.only_query_options(&[])?;
    url_id(&id)?;
    Err(app_not_supported())
}
