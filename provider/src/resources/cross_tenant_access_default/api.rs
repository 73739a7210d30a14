//! Pure request builders for the default cross-tenant access settings: no IO, so unit tests
//! assert the exact method, URL and body. Each request names the permission it needs, so a 403
//! says what to grant (the partner's permissions: the same policy object,
//! API-NOTES.md#permissions-xtap).

use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use serde_json::{json, Map, Value as Json};

pub const READ: Permission = Permission::graph(&["Policy.Read.All"]);
pub const WRITE: Permission = Permission::graph(&["Policy.ReadWrite.CrossTenantAccess"]);
pub const PERMISSIONS: &[(&str, Permission)] = &[("read", READ), ("create, update, delete", WRITE)];

pub const DEFAULT_PATH: &str = "/policies/crossTenantAccessPolicy/default";

pub fn get_default() -> GraphRequest {
    GraphRequest::get(DEFAULT_PATH).needs(READ)
}

/// The managed settings only: a setting left out of the body keeps its value.
pub fn update_default(settings: Map<String, Json>) -> GraphRequest {
    GraphRequest::patch(DEFAULT_PATH, Json::Object(settings)).needs(WRITE)
}

/// Back to Microsoft's defaults (`isServiceDefault` true again): an action without parameters.
/// Sending it twice resets twice, so a reset in doubt may be sent again.
pub fn reset_to_system_default() -> GraphRequest {
    GraphRequest::post(format!("{DEFAULT_PATH}/resetToSystemDefault"), json!({}))
        .idempotent(true)
        .needs(WRITE)
}
