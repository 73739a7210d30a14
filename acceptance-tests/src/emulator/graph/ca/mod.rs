//! Conditional Access policies: `/identity/conditionalAccess/policies` and the soft-deleted
//! ones under `/identity/conditionalAccess/deletedItems/policies`. Facts:
//! the pages API-NOTES.md lists for Conditional Access; every behaviour is in
//! API-NOTES.md ("Graph: Conditional Access").
//!
//! Store paths (per tenant):
//! * `/identity/conditionalAccess/policies/<id>`: a policy as Graph returns it (normalised on
//!   every write: [`validate::normalize`]), `@odata.type` of its external tenants kept;
//! * `/identity/conditionalAccess/deletedItems/policies/<id>`: a deleted policy, with
//!   `deletedDateTime` (restorable for 30 days in the real service; application permissions
//!   cannot restore or purge it).
//!
//! The policies are an [`EntitySet`] ([`POLICIES`]) with server-assigned ids, Conditional
//! Access's own wording ([`DIALECT`]), whole-policy checks after every merge and a soft delete;
//! the deleted items are read here by hand (they are not a set one can write to).
//!
//! The service allows one request per second per tenant and answers 429 without Retry-After:
//! the emulator installs that limit ([`rate_limit`]) in the shared rate limiter when it starts,
//! so tests can replace or clear it like any other (API-NOTES.md#ca-throttling).

pub mod types;
pub mod validate;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::entity_set::{with_context, Dialect, EntitySet, Hooks, Key, Ops, Query, Scope};
use super::envelope::{context_url, odata_json, GraphCtx, GraphError, GraphResult};
use super::odata::{parse_select, project};
use super::schema::Op;
use crate::emulator::clock::RateLimit;
use crate::emulator::state::{Shared, TenantStore};
use crate::emulator::util::{is_guid, now_utc, Stamp};

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
    POLICIES
        .routes()
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

/// `/identity/conditionalAccess/policies`.
pub static POLICIES: EntitySet = EntitySet {
    path: POLICIES_PATH,
    parent: None,
    ty: &types::POLICY,
    key: Key::Server,
    ops: Ops::ALL,
    query: &Query::SELECT,
    navs: &[],
    collections: &[],
    unemulated: &[],
    hooks: Hooks {
        // The schema walker and the policy rules it cannot express.
        validate: |body, _, op| validate::validate_policy(body, op),
        // `conditions` merges one level down (API-NOTES.md, "Graph: Conditional Access").
        merge: Some(validate::merge),
        finish,
        dispose: soft_delete,
        ..Hooks::DEFAULT
    },
    dialect: &DIALECT,
};

/// How Conditional Access words what every set answers: its own codes, no `$select` in
/// context URLs, the id checked before the query options.
pub static DIALECT: Dialect = Dialect {
    bad_key: url_id_error,
    not_found,
    update_not_found: not_found,
    select_in_context: false,
    key_before_query: true,
    get_sees_lag: true,
    update_key_before_query: false,
    update_sees_lag: false,
    delete_sees_lag: false,
    location: true,
};

/// The server-set properties, and (on update) the merged policy must still be a policy (a
/// PATCH cannot, say, add the legacy keyword next to the guests object that is already there).
fn finish(policy: &mut Map<String, Value>, op: Op, id: &str) -> Result<(), GraphError> {
    match op {
        Op::Create => {
            policy.insert("id".into(), Value::String(id.to_string()));
            policy.insert(
                "createdDateTime".into(),
                Value::String(now_utc(Stamp::Ticks)),
            );
            // Null right after create, set by the first update (API-NOTES.md#ca-normalisation).
            policy.insert("modifiedDateTime".into(), Value::Null);
        }
        Op::Update => {
            validate::validate_policy(&strip_read_only(policy), Op::Create)?;
            policy.insert(
                "modifiedDateTime".into(),
                Value::String(now_utc(Stamp::Ticks)),
            );
        }
    }
    validate::normalize(policy);
    Ok(())
}

/// A deleted policy goes to `deletedItems` (restorable for 30 days: API-NOTES.md#ca-deleted-items).
fn soft_delete(
    _: &Scope<'_>,
    s: &mut TenantStore<'_>,
    path: &str,
    id: &str,
) -> Result<(), GraphError> {
    let Some(Value::Object(mut policy)) = s.get(path).cloned() else {
        return Err(not_found(id));
    };
    s.remove(path);
    policy.insert(
        "deletedDateTime".into(),
        Value::String(now_utc(Stamp::Ticks)),
    );
    s.replace(&deleted_path(id), Value::Object(policy));
    Ok(())
}

type St = State<Arc<Shared>>;
type Cx = Extension<GraphCtx>;

/// A policy id from the URL: a GUID (400 otherwise, assumed), lowercase.
fn url_id(raw: &str) -> Result<String, GraphError> {
    if is_guid(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(url_id_error(raw))
    }
}

fn url_id_error(raw: &str) -> GraphError {
    GraphError::bad_request(format!("Invalid policy id '{raw}'."))
}

fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
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
    validate::strip_annotations(&mut m);
    m
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
