//! Pure request builders for the partner and its identity synchronization policy: no IO, so
//! unit tests assert the exact method, path and body.

use super::model::{IdentitySync, Partner};
use crate::clients::graph::GraphRequest;
use crate::clients::Permission;

/// Reading partners and their sync policies (facts file §2, least privileged).
pub const READ: Permission = Permission::graph(&["Policy.Read.All"]);
/// Creating, updating and deleting them (it also grants reading).
pub const WRITE: Permission = Permission::graph(&["Policy.ReadWrite.CrossTenantAccess"]);
pub const PERMISSIONS: &[(&str, Permission)] = &[("read", READ), ("create, update, delete", WRITE)];

pub const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";

pub fn partner_path(tenant_id: &str) -> String {
    format!("{PARTNERS}/{tenant_id}")
}

pub fn sync_path(tenant_id: &str) -> String {
    format!("{PARTNERS}/{tenant_id}/identitySynchronization")
}

/// The partner with its identity synchronization policy inline: one round trip per refresh.
///
/// `$expand=identitySynchronization` is documented for the partner collection (List partners,
/// example 2). The Get partner page has no "Optional query parameters" section, but the API's
/// OpenAPI description offers `$expand` and `$select` on the single entity too (the generated
/// `Get-MgPolicyCrossTenantAccessPolicyPartner -CrossTenantAccessPolicyConfigurationPartnerTenantId
/// ... -ExpandProperty` parameter set), and OData applies `$expand` to an entity as to a
/// collection. The read falls back to two GETs if the service refuses or ignores it.
pub fn partner_with_sync_path(tenant_id: &str) -> String {
    format!(
        "{}?$expand=identitySynchronization",
        partner_path(tenant_id)
    )
}

pub fn create_partner(p: &Partner) -> GraphRequest {
    GraphRequest::post(PARTNERS, p.create_json())
}

pub fn update_partner(p: &Partner) -> GraphRequest {
    GraphRequest::patch(
        partner_path(&p.tenant_id),
        serde_json::Value::Object(p.settings_json()),
    )
}

pub fn delete_partner(tenant_id: &str) -> GraphRequest {
    GraphRequest::delete(partner_path(tenant_id))
}

/// PUT creates the policy; it answers 409 when one exists (then PATCH is the update).
pub fn put_sync(tenant_id: &str, s: &IdentitySync) -> GraphRequest {
    GraphRequest::put(sync_path(tenant_id), s.to_json())
}

pub fn patch_sync(tenant_id: &str, s: &IdentitySync) -> GraphRequest {
    GraphRequest::patch(sync_path(tenant_id), s.to_json())
}

pub fn delete_sync(tenant_id: &str) -> GraphRequest {
    GraphRequest::delete(sync_path(tenant_id))
}
