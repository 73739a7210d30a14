//! Pure request builders for the multitenant organization (API-NOTES.md#mto-endpoints): no
//! IO, so unit tests assert the exact method, URL and body. Each request names its permission.

use super::model::MemberTenant;
use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use serde_json::json;

/// Reading the organization (API-NOTES.md#permissions-mto, least privileged).
pub const READ: Permission = Permission::graph(&["MultiTenantOrganization.Read.All"]);
/// Listing its tenants needs ReadWrite (API-NOTES.md#permissions-mto: the member-get page), as
/// does every write.
pub const WRITE: Permission = Permission::graph(&["MultiTenantOrganization.ReadWrite.All"]);
pub const PERMISSIONS: &[(&str, Permission)] = &[
    ("read (organization)", READ),
    (
        "read (tenants, join request), create, update, delete",
        WRITE,
    ),
];

pub const MTO: &str = "/tenantRelationships/multiTenantOrganization";
pub const TENANTS: &str = "/tenantRelationships/multiTenantOrganization/tenants";
pub const JOIN_REQUEST: &str = "/tenantRelationships/multiTenantOrganization/joinRequest";
/// `addedByTenantId` that resets a failed join (API-NOTES.md#mto-endpoints).
pub const NO_TENANT: &str = "00000000-0000-0000-0000-000000000000";

pub fn tenant_path(tenant_id: &str) -> String {
    format!("{TENANTS}/{tenant_id}")
}

pub fn get_mto() -> GraphRequest {
    GraphRequest::get(MTO).needs(READ)
}

/// PUT creates the organization with this tenant as its owner.
pub fn create_mto(display_name: &str, description: Option<&str>) -> GraphRequest {
    let mut body = json!({ "displayName": display_name });
    if let Some(d) = description {
        body["description"] = json!(d);
    }
    GraphRequest::put(MTO, body).needs(WRITE)
}

/// PATCH sends both: a removed description is sent as null so it is cleared.
pub fn update_mto(display_name: &str, description: Option<&str>) -> GraphRequest {
    GraphRequest::patch(
        MTO,
        json!({ "displayName": display_name, "description": description }),
    )
    .needs(WRITE)
}

/// Every tenant of the organization (the owner's view), in one round trip.
pub fn list_tenants() -> GraphRequest {
    GraphRequest::get(TENANTS).needs(WRITE)
}

pub fn get_tenant(tenant_id: &str) -> GraphRequest {
    GraphRequest::get(tenant_path(tenant_id)).needs(WRITE)
}

pub fn add_tenant(tenant_id: &str, m: &MemberTenant) -> GraphRequest {
    GraphRequest::post(
        TENANTS,
        json!({ "tenantId": tenant_id, "displayName": m.display_name, "role": m.role }),
    )
    .needs(WRITE)
}

/// Only `role` is updatable (API-NOTES.md#mto-endpoints).
pub fn set_role(tenant_id: &str, role: &str) -> GraphRequest {
    GraphRequest::patch(tenant_path(tenant_id), json!({ "role": role })).needs(WRITE)
}

pub fn remove_tenant(tenant_id: &str) -> GraphRequest {
    GraphRequest::delete(tenant_path(tenant_id)).needs(WRITE)
}

pub fn get_join_request() -> GraphRequest {
    GraphRequest::get(JOIN_REQUEST).needs(WRITE)
}

/// Asks to join `owner`'s organization; [`NO_TENANT`] resets a failed join.
pub fn join(owner: &str) -> GraphRequest {
    GraphRequest::patch(JOIN_REQUEST, json!({ "addedByTenantId": owner })).needs(WRITE)
}
