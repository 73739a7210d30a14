//! Cross-tenant synchronization (XTS): the configuration application instantiated from the
//! gallery template, its service principal, the `Azure2Azure` synchronization job, secrets,
//! schema, start / pause, validateCredentials, user and group assignments, and deleted
//! applications. Facts: API-NOTES.md#xts-sequence (documented steps); assumptions in
//! API-NOTES.md ("Cross-tenant synchronization", anchors `xts-*`).
//!
//! Routes (all `/v1.0`):
//! * `POST /applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate`
//!   `{"displayName"}` → 201 `{application, servicePrincipal}` (only that template; another id
//!   is 404). Not idempotent: two calls make two applications.
//! * `GET /applications` and `GET /servicePrincipals` (`$filter` with `eq` clauses joined by
//!   `and` on `displayName`, `appId`, `applicationTemplateId`, `id`; `$select`; `$top`),
//!   `GET/PATCH/DELETE /applications/{id}`, `GET/PATCH/DELETE /servicePrincipals/{id}` (GET also
//!   with `$expand=appRoleAssignedTo`, the assignments in the same read).
//!   PATCH of the application's `displayName` also changes the service principal's
//!   `appDisplayName` (not its `displayName`). DELETE of the application deletes its service
//!   principal (and its jobs, secrets, assignments) and moves the application to
//!   `/directory/deletedItems/{id}`; DELETE of the service principal alone leaves the
//!   application.
//! * `GET /directory/deletedItems/{id}`, `GET /directory/deletedItems/microsoft.graph.application`,
//!   `DELETE /directory/deletedItems/{id}` (permanent).
//! * `.../servicePrincipals/{spId}/synchronization/`: `jobs` (GET list, POST
//!   `{"templateId":"Azure2Azure"}` → 201), `jobs/{jobId}` (GET, DELETE), `jobs/{jobId}/start`
//!   and `/pause` (POST, no body, 204), `jobs/{jobId}/restart` (POST
//!   `{"criteria":{"resetScope":"<flags>"}}`, 204), `jobs/validateCredentials` and
//!   `jobs/{jobId}/validateCredentials` (POST, 204), `jobs/{jobId}/schema` (GET; PUT replaces
//!   it whole, 204), `secrets` (PUT merges by key, `""` removes a key, 204; GET answers
//!   `{"value":[{key,value}]}` with credential keys such as `Password` / `SecretToken` as `*`,
//!   the XTS keys `CompanyId`, `AuthenticationType`, `SyncAll`, `SyncNotificationSettings` in
//!   clear), `templates` (GET), `templates/Azure2Azure/schema` (GET: a new job's schema).
//!   Start needs saved `CompanyId` and `AuthenticationType` secrets (400 otherwise); a new
//!   job is listed at once but its GET routes answer 404 during the replication lag. The
//!   notification email goes in `SyncNotificationSettings` as
//!   `{"Enabled":true,"Recipients":"<email>",...}`. The default schema ([`sync_schema`]) has
//!   one rule `USER_INBOUND_USER`; constants are `{"type":"Constant","name":"<value>",
//!   "expression":"\"<value>\"","parameters":[]}`: `userType` `Member` (flow
//!   `ObjectAddOnly`), `showInAddressList` `True` (flow `Always`); changing the
//!   `alternativeSecurityIds` matching mapping is 400 `schemaInvalid`, and so are mappings and
//!   scoping clauses naming attributes the directories do not define.
//! * `.../servicePrincipals/{spId}/appRoleAssignedTo`: GET (list), POST
//!   `{"appRoleId","resourceId","principalId"}` → 201, `DELETE .../{assignmentId}` → 204.
//!
//! Store paths (per tenant, [`Emulator::objects`](crate::emulator::Emulator::objects) lists the
//! live ones): `/applications/{id}`, `/servicePrincipals/{id}`,
//! `/servicePrincipals/{id}/synchronization/secrets`,
//! `/servicePrincipals/{id}/synchronization/jobs/{jobId}` and `.../{jobId}/schema`,
//! `/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}`. Not listed (not live, or not
//! made by the provider): `/directory/deletedItems/{id}` (a deleted application, readable with
//! `Emulator::object`), `/users/{id}` and `/groups/{id}` (principals seeded by tests with
//! [`add_user`] / [`add_group`]; an assignment needs its principal to exist).
//!
//! validateCredentials (`CompanyId` = target tenant, `AuthenticationType` = `SyncPolicy`)
//! reads, in this emulator, the target tenant's partner configuration for the source tenant
//! (`identitySynchronization.userSyncInbound.isSyncAllowed`, then
//! `automaticUserConsentSettings.inboundAllowed`) and the source tenant's partner configuration
//! for the target (`automaticUserConsentSettings.outboundAllowed`); a partner's
//! `automaticUserConsentSettings` that is `null` inherits the tenant's default configuration.
//! Failures are 400 `AzureDirectoryB2BManagementPolicyCheckFailure` with the documented message
//! and one `details` entry: [`SYNC_NOT_ALLOWED`] for the target's inbound sync, [`AUTO_REDEEM`]
//! (the same documented text) for either tenant's automatic redemption, so a provider tells
//! the two redemption cases apart by reading the source tenant's own partner configuration.
//!
//! Knobs (tests):
//! * [`set_transient_delay`]`(&emu, tenant, d)` (zero by default): for `d` of emulator clock after a
//!   service principal of `tenant` is instantiated, its synchronization and appRoleAssignedTo
//!   requests answer 403 `Authorization_RequestDenied` and 409 `Conflict`, alternately (403
//!   first): what the service does right after instantiate.
//! * `Emulator::set_replication_lag`: a new application / service principal answers 404 to
//!   GET and PATCH, and its synchronization and assignment routes 404, during the lag.
//! * [`set_delete_delay`]`(&emu, tenant, d)` (zero by default): a deleted job or application
//!   (with its service principal) still reads as there for `d`; the application reaches
//!   deleted items at once.
//! * [`add_user`] / [`add_group`]: principals for assignments.
//! * [`portal_configuration`]: a whole configuration made out of band (application, service
//!   principal, job running or paused, secrets, default schema, assignments), for import and
//!   `-generate-config-out`. Drift: `Emulator::patch_object` / `put_object` on [`job_path`]
//!   (`schedule.state`), [`schema_path`], [`secrets_path`], [`sp_path`], [`app_path`], and
//!   `delete_object` on an assignment under [`assignments_path`].
//!
//! Layout: `apps.rs` (instantiate, deleted items, and `applications` and `servicePrincipals`
//! as [`EntitySet`](super::entity_set::EntitySet)s: their `$filter` / `$select` / `$top`
//! lists, GET, PATCH, DELETE are the set's, what is theirs is in hooks), `sync.rs` (the jobs, a
//! set nested under the service principals; start / pause, schema routes), `sync_schema.rs`
//! (the default schema and the PUT checks), `credentials.rs` (secrets, validateCredentials),
//! `assign.rs` (appRoleAssignedTo: a nested set, with an explicit create), `seed.rs` (portal-made configurations), `types.rs` (the
//! CSDL types bodies are checked against).

mod apps;
mod assign;
mod credentials;
pub mod engine;
mod seed;
mod sync;
pub mod sync_schema;
pub mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Map, Value};

use super::entity_set::{Parent, Scope};
use super::envelope::GraphError;
use crate::emulator::state::{Shared, TenantStore};
pub use engine::{run_cycles, set_cycle_interval, set_provisioning, tick, Cycle};
pub use seed::{portal_configuration, PortalConfiguration, Seeded};

/// The gallery template of the cross-tenant synchronization configuration application.
pub const XTS_TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template (and job `templateId`) of cross-tenant synchronization.
pub const SYNC_TEMPLATE: &str = "Azure2Azure";
pub const APPS_PATH: &str = "/applications";
pub const SPS_PATH: &str = "/servicePrincipals";
pub const DELETED_PATH: &str = "/directory/deletedItems";
pub const USERS_PATH: &str = "/users";
pub const GROUPS_PATH: &str = "/groups";
/// The documented validateCredentials failure text (portal "Test connection").
pub const INVALID_CREDENTIALS: &str = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.";
pub const POLICY_CHECK_FAILURE: &str = "AzureDirectoryB2BManagementPolicyCheckFailure";
/// Detail when either tenant's automatic redemption is missing (documented).
pub const AUTO_REDEEM: &str = "Policy permitting auto-redemption of invitations not configured.";
/// Detail when the target tenant does not allow inbound user synchronization (assumed).
pub const SYNC_NOT_ALLOWED: &str =
    "Policy permitting cross-tenant user synchronization into the target tenant not configured.";

pub fn app_path(id: &str) -> String {
    format!("{APPS_PATH}/{id}")
}
pub fn sp_path(id: &str) -> String {
    format!("{SPS_PATH}/{id}")
}
pub fn deleted_path(id: &str) -> String {
    format!("{DELETED_PATH}/{id}")
}
pub fn jobs_path(sp: &str) -> String {
    format!("{SPS_PATH}/{sp}/synchronization/jobs")
}
pub fn job_path(sp: &str, job: &str) -> String {
    format!("{}/{job}", jobs_path(sp))
}
pub fn schema_path(sp: &str, job: &str) -> String {
    format!("{}/schema", job_path(sp, job))
}
pub fn secrets_path(sp: &str) -> String {
    format!("{SPS_PATH}/{sp}/synchronization/secrets")
}
pub fn assignments_path(sp: &str) -> String {
    format!("{SPS_PATH}/{sp}/appRoleAssignedTo")
}

/// Paths [`Emulator::objects`](crate::emulator::Emulator::objects) leaves out: deleted applications (soft-deleted, not live) and
/// the principals tests seed (directory content no resource creates).
pub fn unlisted(path: &str) -> bool {
    [DELETED_PATH, USERS_PATH, GROUPS_PATH]
        .iter()
        .any(|p| path.starts_with(&format!("{p}/")))
}

/// A user `id` in `tenant`, for assignments (`principalType` `User`).
pub fn add_user(emu: &impl AsRef<Shared>, tenant: &str, id: &str, display_name: &str) {
    let v = json!({"id": id.to_ascii_lowercase(), "displayName": display_name, "@odata.type": "#microsoft.graph.user"});
    emu.as_ref()
        .put_object(tenant, &format!("{USERS_PATH}/{id}"), v);
}

/// A user of `tenant` with Graph user properties (`userPrincipalName`, `department`, ...), for
/// the provisioning engine ([`engine`]); `props` is merged over `{id, displayName}`.
pub fn add_user_with(emu: &impl AsRef<Shared>, tenant: &str, id: &str, props: Value) {
    let mut v = json!({"id": id.to_ascii_lowercase(), "@odata.type": "#microsoft.graph.user"});
    if let (Some(m), Some(p)) = (v.as_object_mut(), props.as_object()) {
        m.extend(p.clone());
    }
    emu.as_ref().put_object(
        tenant,
        &format!("{USERS_PATH}/{}", id.to_ascii_lowercase()),
        v,
    );
}

/// A group `id` of `tenant` whose direct members are `members` (user ids).
pub fn add_group_with_members(
    emu: &impl AsRef<Shared>,
    tenant: &str,
    id: &str,
    display_name: &str,
    members: &[&str],
) {
    let v = json!({"id": id.to_ascii_lowercase(), "displayName": display_name, "@odata.type": "#microsoft.graph.group",
        "members": members.iter().map(|m| m.to_ascii_lowercase()).collect::<Vec<_>>()});
    emu.as_ref().put_object(
        tenant,
        &format!("{GROUPS_PATH}/{}", id.to_ascii_lowercase()),
        v,
    );
}

/// A group `id` in `tenant`, for assignments (`principalType` `Group`).
pub fn add_group(emu: &impl AsRef<Shared>, tenant: &str, id: &str, display_name: &str) {
    let v = json!({"id": id.to_ascii_lowercase(), "displayName": display_name, "@odata.type": "#microsoft.graph.group"});
    emu.as_ref()
        .put_object(tenant, &format!("{GROUPS_PATH}/{id}"), v);
}

// ---- the transient errors after instantiate ------------------------------------------------

#[derive(Default)]
struct Transient {
    /// Per (emulator URL, tenant): how long after instantiate the errors last. Keyed by the
    /// emulator too, since tests running side by side share tenant ids.
    delays: HashMap<(String, String), Duration>,
    /// Per (emulator URL, tenant): how long a deleted job or application stays visible.
    delete_delays: HashMap<(String, String), Duration>,
    /// Per service principal: when it was instantiated (emulator clock), and the refusals so
    /// far (403 and 409 alternate).
    born: HashMap<String, (Instant, usize)>,
}

static TRANSIENT: Mutex<Option<Transient>> = Mutex::new(None);

fn transient<R>(f: impl FnOnce(&mut Transient) -> R) -> R {
    let mut g = TRANSIENT.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(Transient::default))
}

/// For `d` (emulator clock) after a service principal of `tenant` is instantiated, its
/// synchronization and appRoleAssignedTo requests answer 403 and 409 alternately. Zero (the
/// default) turns it off. API-NOTES.md#xts-transient
pub fn set_transient_delay(emu: &impl AsRef<Shared>, tenant: &str, d: Duration) {
    let st = emu.as_ref();
    let tenant = st
        .signin_tenant(tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_else(|| tenant.to_ascii_lowercase());
    let key = (st.base_url.clone(), tenant);
    transient(|t| t.delays.insert(key, d));
}

/// For `d` (emulator clock) after a DELETE of a synchronization job or an application of
/// `tenant` answered 204, the object (and the application's service principal) still reads
/// as there: deletion is eventually consistent, so a provider must wait until it is gone.
/// Zero (the default) deletes at once. API-NOTES.md#xts-delete
pub fn set_delete_delay(emu: &impl AsRef<Shared>, tenant: &str, d: Duration) {
    let st = emu.as_ref();
    let tenant = st
        .signin_tenant(tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_else(|| tenant.to_ascii_lowercase());
    let key = (st.base_url.clone(), tenant);
    transient(|t| t.delete_delays.insert(key, d));
}

fn delete_delay(scope: &Scope<'_>) -> Duration {
    let key = (scope.emulator.to_string(), scope.tenant.to_string());
    transient(|t| t.delete_delays.get(&key).copied().unwrap_or_default())
}

/// Removes `path` (and everything below it) now, or after the delete delay.
fn remove_later(s: &mut TenantStore<'_>, path: &str, d: Duration) {
    if d.is_zero() {
        s.remove(path);
    } else {
        s.schedule(path, d, Value::Null);
    }
}

fn note_instantiated(st: &Shared, tenant: &str, sp: &str, now: Instant) {
    let key = (st.base_url.clone(), tenant.to_string());
    transient(|t| {
        let d = t.delays.get(&key).copied().unwrap_or_default();
        if !d.is_zero() {
            t.born.insert(sp.to_string(), (now + d, 0));
        }
    });
}

/// The transient refusal for a request against `sp` at `now`, if it is still settling.
fn transient_refusal(sp: &str, now: Instant) -> Option<GraphError> {
    let n = transient(|t| {
        let (until, n) = t.born.get_mut(sp)?;
        if now >= *until {
            t.born.remove(sp);
            return None;
        }
        *n += 1;
        Some(*n)
    })?;
    Some(if n % 2 == 1 {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    } else {
        GraphError::new(
            StatusCode::CONFLICT,
            "Conflict",
            "The service principal is still being provisioned. Please retry the request.",
        )
    })
}

/// The service principal `sp` as a synchronization / assignment route sees it: 404 when it is
/// missing or still replicating, then the transient refusal after instantiate.
fn settled_sp(s: &TenantStore<'_>, sp: &str) -> Result<Value, GraphError> {
    let v = s
        .visible(&sp_path(sp))
        .cloned()
        .ok_or_else(|| GraphError::resource_not_found(sp))?;
    if let Some(e) = transient_refusal(sp, s.now()) {
        return Err(e);
    }
    Ok(v)
}

/// The parent of the sets nested under a service principal (jobs, assignments): seen through
/// [`settled_sp`].
static SETTLED_SERVICE_PRINCIPAL: Parent = Parent {
    set: &apps::SERVICE_PRINCIPALS,
    check: |s, sp| settled_sp(s, sp).map(drop),
};

// ---- shared helpers --------------------------------------------------------------------------

/// A key from the URL: lowercase GUID, or 400.
fn guid_key(raw: &str) -> Result<String, GraphError> {
    if crate::emulator::util::is_guid(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(GraphError::request_bad_request(format!(
            "Invalid object identifier '{raw}'."
        )))
    }
}

/// Refuses members of `body` outside `allowed` (Graph's text for an unknown property).
fn only_props(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), GraphError> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(GraphError::request_bad_request(format!(
            "Invalid property '{k}'."
        ))),
        None => Ok(()),
    }
}

/// Refuses members of an action's parameters outside `allowed` (OData's text).
fn only_params(
    body: &Map<String, Value>,
    allowed: &[&str],
    action: &str,
) -> Result<(), GraphError> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(GraphError::bad_request(format!(
            "The parameter '{k}' in the request payload is not a valid parameter for the operation '{action}'."
        ))),
        None => Ok(()),
    }
}

/// A request that must carry no body (start, pause).
fn no_body(ctx: &super::envelope::GraphCtx) -> Result<(), GraphError> {
    match &ctx.body {
        None => Ok(()),
        Some(Value::Object(m)) if m.is_empty() => Ok(()),
        Some(_) => Err(GraphError::bad_request(
            "The request body must be empty for this action.",
        )),
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .merge(apps::routes())
        .merge(sync::routes())
        .merge(credentials::routes())
        .merge(assign::routes())
}
