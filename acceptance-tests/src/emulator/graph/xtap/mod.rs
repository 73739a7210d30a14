//! Cross-tenant access settings (XTAP): partner configurations, the partner identity
//! synchronization policy, and the default configuration.
//! Facts: API-NOTES.md#graph-entity-sets, #graph-patch and #xtap (each names its page).
//!
//! Store paths (per tenant):
//! * `/policies/crossTenantAccessPolicy/partners/<lowercase tenant guid>`
//! * `/policies/crossTenantAccessPolicy/partners/<guid>/identitySynchronization`
//! * `/policies/crossTenantAccessPolicy/default` — only while customised; otherwise the
//!   service default is served without being stored (so `objects()` stays empty).
//!
//! Assumptions (not documented; API-NOTES.md#xtap):
//! * PATCH semantics: a provided complex property REPLACES the stored one wholesale (OData
//!   4.0 default); explicit `null` resets a setting to "inherit from default"; properties not
//!   sent keep their value. `automaticUserConsentSettings` is never null itself: null (or a
//!   partial object) is stored with the missing members as null.
//! * POST duplicate partner → 409 (status not documented, code/message are).
//! * DELETE partner while it has an identity synchronization policy → 400
//!   `Request_BadRequest` (status/code not documented; only the ordering rule is).
//! * PATCH of a missing object → 404 `Directory_ObjectNotFound` (documented code/message,
//!   status inferred); GET/DELETE of a missing object → 404 `Request_ResourceNotFound`.
//! * A non-GUID partner key in the URL → 400 `Request_BadRequest`.
//! * `isInMultiTenantOrganization` is rejected in request bodies (set by the MTO service).
//!   `crossCloudMeetingConfiguration` and `protectedContentSharing` are beta-only: unknown
//!   properties in v1.0 bodies (API-NOTES.md#xtap-v1-properties).
//! * A partner for the signed-in tenant itself is rejected with 400.
//! * PATCH default with `null` for a setting resets that setting to its service-default value.
//! * The service default also carries `automaticUserConsentSettings` (both false),
//!   `tenantRestrictions` (all blocked, per the overview) and
//!   `invitationRedemptionIdentityProviderConfiguration`, which the documented example omits.
//! * Partner creation does not check that the partner tenant exists.
//! * Replication lag hides a just-created object from GET of that object (and PUT/PATCH of its
//!   children) but not from the partner list.
//!
//! Layout: [`types`] (the CSDL types), the partner entity set and its identity synchronization
//! singleton below (data and hooks for [`entity_set`](super::entity_set)), [`default`] (the
//! default configuration). Every assumption above is in API-NOTES.md#xtap.

mod default;
pub mod types;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use super::entity_set::{Dialect, EntitySet, Hooks, Key, Ops, Query, Singleton};
use super::envelope::{GraphCtx, GraphError};
use crate::emulator::state::{Shared, TenantStore};
pub use default::service_default;
pub use types::{DEFAULT, IDENTITY_SYNC, PARTNER};

pub const PARTNERS_PATH: &str = "/policies/crossTenantAccessPolicy/partners";
pub const DEFAULT_PATH: &str = "/policies/crossTenantAccessPolicy/default";

pub fn partner_path(id: &str) -> String {
    format!("{PARTNERS_PATH}/{id}")
}

pub fn sync_path(id: &str) -> String {
    format!("{PARTNERS_PATH}/{id}/identitySynchronization")
}

/// `crossTenantAccessPolicyConfigurationPartner` entities, keyed by `tenantId`.
pub static PARTNERS: EntitySet = EntitySet {
    path: PARTNERS_PATH,
    parent: None,
    ty: &PARTNER,
    key: Key::Property("tenantId"),
    ops: Ops::ALL,
    query: &Query::SELECT_EXPAND,
    navs: &[&IDENTITY_SYNCHRONIZATION],
    collections: &[],
    // Navigation properties of the v1.0 type that are not emulated.
    unemulated: &["serviceProviderConstraints"],
    hooks: Hooks {
        new: new_partner,
        null_of: partner_null,
        normalize,
        check_create: not_self,
        check_delete: sync_deleted_first,
        ..Hooks::DEFAULT
    },
    dialect: &Dialect::DIRECTORY,
};

/// `partners/{id}/identitySynchronization` (`crossTenantIdentitySyncPolicyPartner`).
pub static IDENTITY_SYNCHRONIZATION: Singleton = Singleton {
    name: "identitySynchronization",
    ty: &IDENTITY_SYNC,
    key: Some("tenantId"),
    hooks: Hooks {
        new: |key| {
            let mut m = Map::new();
            m.insert("tenantId".into(), Value::String(key.to_string()));
            m.insert("displayName".into(), Value::Null);
            m.insert("userSyncInbound".into(), Value::Null);
            m
        },
        ..Hooks::DEFAULT
    },
};

pub fn routes() -> Router<Arc<Shared>> {
    PARTNERS
        .routes()
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default",
            get(default::get_default).patch(default::update_default),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default/resetToSystemDefault",
            post(default::reset_default),
        )
}

/// Objects that exist without being stored: the service-default policy.
pub fn virtual_object(path: &str) -> Option<Value> {
    (path == DEFAULT_PATH).then(service_default)
}

fn in_out_null() -> Value {
    json!({"inboundAllowed": null, "outboundAllowed": null})
}

fn new_partner(tenant_id: &str) -> Map<String, Value> {
    let v = json!({
        "tenantId": tenant_id,
        "isServiceProvider": null,
        "isInMultiTenantOrganization": false,
        "inboundTrust": null,
        "b2bCollaborationInbound": null,
        "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null,
        "b2bDirectConnectOutbound": null,
        "tenantRestrictions": null,
        "automaticUserConsentSettings": in_out_null(),
        "appServiceConnectInbound": null,
        "m365CollaborationInbound": null,
        "m365CollaborationOutbound": null,
        // Not a v1.0 property, yet a v1.0 answer carries it (API-NOTES.md#xtap-v1-properties).
        "crossCloudMeetingConfiguration": in_out_null(),
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// `automaticUserConsentSettings` is never null itself (API-NOTES.md#xtap-patch).
fn partner_null(prop: &str) -> Value {
    if prop == "automaticUserConsentSettings" {
        in_out_null()
    } else {
        Value::Null
    }
}

/// `inboundOutboundPolicyConfiguration` is always an object with both members.
fn normalize(prop: &str, value: Value) -> Value {
    if prop != "automaticUserConsentSettings" {
        return value;
    }
    let mut out = in_out_null();
    if let Some(m) = value.as_object() {
        for k in ["inboundAllowed", "outboundAllowed"] {
            if let Some(x) = m.get(k) {
                out[k] = x.clone();
            }
        }
    }
    out
}

/// A partner for the signed-in tenant itself is refused (assumed: API-NOTES.md#xtap-self).
fn not_self(ctx: &GraphCtx, key: &str) -> Result<(), GraphError> {
    if key == ctx.tenant {
        return Err(GraphError::request_bad_request(
            "A partner configuration cannot be created for the tenant itself.",
        ));
    }
    Ok(())
}

/// The documented ordering rule; status and code are assumed (API-NOTES.md#partner-delete-order).
fn sync_deleted_first(s: &TenantStore<'_>, path: &str) -> Result<(), GraphError> {
    if s.get(&format!("{path}/identitySynchronization")).is_some() {
        return Err(GraphError::request_bad_request(
            "The partner configuration has a user synchronization policy (identitySynchronization). You must first delete the identity synchronization policy before you can delete the partner-specific configuration.",
        ));
    }
    Ok(())
}
