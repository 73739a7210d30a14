//! Pure request builders for the configuration's objects (API-NOTES.md#xts-sequence):
//! the application template instance (application + service principal), the synchronization
//! job, its secrets and schema, and the service principal's app role assignments. No IO, so
//! unit tests assert the exact method, URL and body. Each request names the permission it needs.

use super::model::notification_settings;
use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use serde_json::{json, Value as Json};

/// The cross-tenant synchronization configuration application in the gallery.
pub const TEMPLATE_ID: &str = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7";
/// The synchronization template (and job `templateId`) of cross-tenant synchronization.
pub const SYNC_TEMPLATE: &str = "Azure2Azure";

/// Instantiating the template, and everything on the application, its service principal, the
/// job, its secrets and schema (API-NOTES.md#permissions-xts: `Application.ReadWrite.OwnedBy`
/// is the least privileged permission for each; the provider's app owns what it instantiates).
pub const APP: Permission = Permission::graph(&["Application.ReadWrite.OwnedBy"]);
/// Assigning users and groups to the configuration.
pub const ASSIGN: Permission =
    Permission::graph(&["AppRoleAssignment.ReadWrite.All", "Application.Read.All"]);
/// Reading this tenant's partner settings to check its own prerequisite before a create.
pub const POLICY_READ: Permission = Permission::graph(&["Policy.Read.All"]);
pub const PERMISSIONS: &[(&str, Permission)] = &[
    ("create, read, update, delete", APP),
    ("the scoping assignments (create, read, update)", ASSIGN),
    (
        "create, to check this tenant's automatic redemption outbound first",
        POLICY_READ,
    ),
];

/// A string inside an OData `'...'` literal: quotes doubled.
fn odata_str(s: &str) -> String {
    s.replace('\'', "''")
}

pub fn instantiate(display_name: &str) -> GraphRequest {
    GraphRequest::post(
        format!("/applicationTemplates/{TEMPLATE_ID}/instantiate"),
        json!({ "displayName": display_name }),
    )
    .needs(APP)
}

/// The applications instantiated from the template under this name: the natural key a create
/// in doubt looks up before instantiating again.
pub fn find_applications(display_name: &str) -> GraphRequest {
    GraphRequest::get("/applications")
        .query(
            "$filter",
            &format!(
                "applicationTemplateId eq '{TEMPLATE_ID}' and displayName eq '{}'",
                odata_str(display_name)
            ),
        )
        .needs(APP)
}

pub fn find_application_by_app_id(app_id: &str) -> GraphRequest {
    GraphRequest::get("/applications")
        .query("$filter", &format!("appId eq '{}'", odata_str(app_id)))
        .needs(APP)
}

pub fn find_service_principal_by_app_id(app_id: &str) -> GraphRequest {
    GraphRequest::get("/servicePrincipals")
        .query("$filter", &format!("appId eq '{}'", odata_str(app_id)))
        .needs(APP)
}

pub fn get_application(id: &str) -> GraphRequest {
    GraphRequest::get(format!("/applications/{id}")).needs(APP)
}

pub fn rename_application(id: &str, display_name: &str) -> GraphRequest {
    GraphRequest::patch(
        format!("/applications/{id}"),
        json!({ "displayName": display_name }),
    )
    .needs(APP)
}

/// Deleting the application removes its service principal, job, secrets and assignments with
/// it (the portal's "Delete configuration"); the application goes to the deleted items.
pub fn delete_application(id: &str) -> GraphRequest {
    GraphRequest::delete(format!("/applications/{id}")).needs(APP)
}

pub fn get_service_principal(sp: &str) -> GraphRequest {
    GraphRequest::get(format!("/servicePrincipals/{sp}")).needs(APP)
}

/// The service principal with its assignments inline (`$expand` on a navigation property of
/// a directory object): one request fewer per read. Graph expands at most 20 related objects,
/// so a read that gets 20 lists them separately.
pub fn get_service_principal_with_assignments(sp: &str) -> GraphRequest {
    get_service_principal(sp)
        .query("$expand", "appRoleAssignedTo")
        .needs(ASSIGN)
}

/// Graph's cap on the objects one `$expand` returns.
pub const EXPAND_CAP: usize = 20;

pub fn rename_service_principal(sp: &str, display_name: &str) -> GraphRequest {
    GraphRequest::patch(
        format!("/servicePrincipals/{sp}"),
        json!({ "displayName": display_name }),
    )
    .needs(APP)
}

fn jobs_path(sp: &str) -> String {
    format!("/servicePrincipals/{sp}/synchronization/jobs")
}

fn job_path(sp: &str, job: &str) -> String {
    format!("{}/{job}", jobs_path(sp))
}

/// The credential check before the job exists (step 7): an action with no side effect, so safe
/// to send again after a lost answer.
pub fn validate_credentials(sp: &str, target_tenant_id: &str) -> GraphRequest {
    GraphRequest::post(
        format!("{}/validateCredentials", jobs_path(sp)),
        json!({
            "useSavedCredentials": false,
            "templateId": SYNC_TEMPLATE,
            "credentials": [
                {"key": "CompanyId", "value": target_tenant_id},
                {"key": "AuthenticationType", "value": "SyncPolicy"},
            ],
        }),
    )
    .idempotent(true)
    .needs(APP)
}

pub fn create_job(sp: &str) -> GraphRequest {
    GraphRequest::post(jobs_path(sp), json!({ "templateId": SYNC_TEMPLATE })).needs(APP)
}

pub fn list_jobs(sp: &str) -> GraphRequest {
    GraphRequest::get(jobs_path(sp)).needs(APP)
}

pub fn get_job(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::get(job_path(sp, job)).needs(APP)
}

pub fn delete_job(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::delete(job_path(sp, job)).needs(APP)
}

/// `start` resumes a paused job; both actions are idempotent (starting a running job, pausing
/// a paused one, change nothing), so a lost answer is sent again.
pub fn start_job(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::new("POST", format!("{}/start", job_path(sp, job)), None)
        .idempotent(true)
        .needs(APP)
}

pub fn pause_job(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::new("POST", format!("{}/pause", job_path(sp, job)), None)
        .idempotent(true)
        .needs(APP)
}

/// The reset scope of the restart after a change of mappings or scoping filters: `Watermark`
/// makes the next cycle read every source object again (not only the changed ones), while the
/// connector's data store, which knows the users already created, is kept so users that left
/// the scope are still deprovisioned (API-NOTES.md#xts-restart).
pub const RESTART_RESET_SCOPE: &str = "Watermark";

/// `restart` with [`RESTART_RESET_SCOPE`]: idempotent (a second restart only evaluates again).
pub fn restart_job(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::post(
        format!("{}/restart", job_path(sp, job)),
        json!({"criteria": {"resetScope": RESTART_RESET_SCOPE}}),
    )
    .idempotent(true)
    .needs(APP)
}

/// The template's schema: the default mappings and scoping groups a new job starts with.
pub fn get_template_schema(sp: &str) -> GraphRequest {
    GraphRequest::get(format!(
        "/servicePrincipals/{sp}/synchronization/templates/{SYNC_TEMPLATE}/schema"
    ))
    .needs(APP)
}

pub fn get_schema(sp: &str, job: &str) -> GraphRequest {
    GraphRequest::get(format!("{}/schema", job_path(sp, job))).needs(APP)
}

pub fn put_schema(sp: &str, job: &str, schema: Json) -> GraphRequest {
    GraphRequest::put(format!("{}/schema", job_path(sp, job)), schema).needs(APP)
}

fn secrets_path(sp: &str) -> String {
    format!("/servicePrincipals/{sp}/synchronization/secrets")
}

/// Step 9: every key the configuration uses, each time (all values are strings).
pub fn put_secrets(
    sp: &str,
    target_tenant_id: &str,
    sync_all: bool,
    email: Option<&str>,
) -> GraphRequest {
    GraphRequest::put(
        secrets_path(sp),
        json!({"value": [
            {"key": "AuthenticationType", "value": "SyncPolicy"},
            {"key": "CompanyId", "value": target_tenant_id},
            {"key": "SyncNotificationSettings", "value": notification_settings(email)},
            {"key": "SyncAll", "value": if sync_all { "true" } else { "false" }},
        ]}),
    )
    .needs(APP)
}

pub fn get_secrets(sp: &str) -> GraphRequest {
    GraphRequest::get(secrets_path(sp)).needs(APP)
}

fn assignments_path(sp: &str) -> String {
    format!("/servicePrincipals/{sp}/appRoleAssignedTo")
}

pub fn list_assignments(sp: &str) -> GraphRequest {
    GraphRequest::get(assignments_path(sp)).needs(ASSIGN)
}

pub fn assign(sp: &str, app_role_id: &str, principal_id: &str) -> GraphRequest {
    GraphRequest::post(
        assignments_path(sp),
        json!({"appRoleId": app_role_id, "resourceId": sp, "principalId": principal_id}),
    )
    .needs(ASSIGN)
}

pub fn unassign(sp: &str, assignment_id: &str) -> GraphRequest {
    GraphRequest::delete(format!("{}/{assignment_id}", assignments_path(sp))).needs(ASSIGN)
}

/// This (source) tenant's partner settings for the target tenant: read before the create to
/// check its automatic redemption outbound.
pub fn get_partner(target_tenant_id: &str) -> GraphRequest {
    GraphRequest::get(format!(
        "/policies/crossTenantAccessPolicy/partners/{target_tenant_id}"
    ))
    .needs(POLICY_READ)
}

/// This tenant's default cross-tenant access settings: what a partner without its own
/// automatic redemption setting inherits.
pub fn get_default_policy() -> GraphRequest {
    GraphRequest::get("/policies/crossTenantAccessPolicy/default").needs(POLICY_READ)
}
