//! Pure request builders for the partner and its identity synchronization policy: no IO, so
//! unit tests assert the exact method, URL and body. Each request names the permission it
//! needs, so a 403 says what to grant.

use super::model::{IdentitySync, Partner};
use crate::clients::graph::GraphRequest;
use crate::clients::Permission;

/// Reading partners and their sync policies (API-NOTES.md#permissions-xtap, least privileged).
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

/// The partner alone (the lookup after a create in doubt, and the read's fallback).
pub fn get_partner(tenant_id: &str) -> GraphRequest {
    GraphRequest::get(partner_path(tenant_id)).needs(READ)
}

/// The partner with its identity synchronization policy inline: one round trip per refresh.
///
/// `$expand=identitySynchronization` is documented for the partner collection (List partners,
/// example 2). The Get partner page has no "Optional query parameters" section, but the API's
/// OpenAPI description offers `$expand` and `$select` on the single entity too (the generated
/// `Get-MgPolicyCrossTenantAccessPolicyPartner -CrossTenantAccessPolicyConfigurationPartnerTenantId
/// ... -ExpandProperty` parameter set), and OData applies `$expand` to an entity as to a
/// collection. The read falls back to two GETs if the service refuses or ignores it.
pub fn get_partner_with_sync(tenant_id: &str) -> GraphRequest {
    get_partner(tenant_id).query("$expand", "identitySynchronization")
}

pub fn get_sync(tenant_id: &str) -> GraphRequest {
    GraphRequest::get(sync_path(tenant_id)).needs(READ)
}

pub fn create_partner(p: &Partner) -> GraphRequest {
    GraphRequest::post(PARTNERS, p.create_json()).needs(WRITE)
}

pub fn update_partner(p: &Partner) -> GraphRequest {
    GraphRequest::patch(
        partner_path(&p.tenant_id),
        serde_json::Value::Object(p.settings_json()),
    )
    .needs(WRITE)
}

pub fn delete_partner(tenant_id: &str) -> GraphRequest {
    GraphRequest::delete(partner_path(tenant_id)).needs(WRITE)
}

/// PUT creates the policy; it answers 409 when one exists (then PATCH is the update).
pub fn put_sync(tenant_id: &str, s: &IdentitySync) -> GraphRequest {
    GraphRequest::put(sync_path(tenant_id), s.to_json()).needs(WRITE)
}

pub fn patch_sync(tenant_id: &str, s: &IdentitySync) -> GraphRequest {
    GraphRequest::patch(sync_path(tenant_id), s.to_json()).needs(WRITE)
}

pub fn delete_sync(tenant_id: &str) -> GraphRequest {
    GraphRequest::delete(sync_path(tenant_id)).needs(WRITE)
}

#[cfg(test)]
mod tests {
    use super::super::{CrossTenantAccessPartner, Partner as P};
    use super::*;
    use crate::clients::http::mock::{graph_error, MockTransport};
    use crate::framework::{Ctx, Resource, Value};
    use std::time::Duration;

    const T: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
    const BASE: &str = "https://graph.example/v1.0";

    fn partner() -> P {
        P::from_value(&Value::object([("tenant_id", Value::string(T))])).unwrap()
    }

    #[test]
    fn the_read_expands_the_sync_policy_through_a_query_parameter() {
        let r = get_partner_with_sync(T);
        assert_eq!((r.method, r.body.as_ref()), ("GET", None));
        assert_eq!(
            r.url(BASE).unwrap(),
            format!("{BASE}/policies/crossTenantAccessPolicy/partners/{T}?$expand=identitySynchronization")
        );
    }

    #[test]
    fn every_request_names_the_permission_it_needs() {
        let sync = crate::resources::cross_tenant_access_partner::model::IdentitySync {
            user_sync_inbound_allowed: Some(true),
        };
        for r in [get_partner(T), get_partner_with_sync(T), get_sync(T)] {
            assert_eq!(r.permission, Some(READ), "{}", r.describe());
        }
        for r in [
            create_partner(&partner()),
            update_partner(&partner()),
            delete_partner(T),
            put_sync(T, &sync),
            patch_sync(T, &sync),
            delete_sync(T),
        ] {
            assert_eq!(r.permission, Some(WRITE), "{}", r.describe());
        }
    }

    #[tokio::test]
    async fn a_403_on_create_tells_the_user_what_to_grant() {
        let m = MockTransport::new(vec![graph_error(
            "POST",
            "/v1.0/policies/crossTenantAccessPolicy/partners",
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )]);
        let ctx = Ctx::for_tests(m.clone(), Duration::from_secs(30));
        let mut planned = Value::null_object(&super::super::schema().ty());
        planned.set_attr("tenant_id", Value::string(T));
        let err = CrossTenantAccessPartner
            .create(&ctx, &planned)
            .await
            .unwrap_err();
        m.assert_done();
        let d = &err.diags.0[0];
        assert!(
            d.detail.contains("HTTP 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. This operation needs the Microsoft Graph application permission `Policy.ReadWrite.CrossTenantAccess`, granted with admin consent."),
            "{}",
            d.detail
        );
    }
}
