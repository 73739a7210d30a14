//! Pure request builders for Conditional Access policies: no IO, so unit tests assert the exact
//! method, URL and body. Every request keeps the Conditional Access pace (one request per second
//! per tenant, shared by every resource instance of the provider instance; 429s without
//! Retry-After back everyone off) and names the permission it needs.

use super::model::Policy;
use crate::clients::graph::GraphRequest;
use crate::clients::pacer::Pacing;
use crate::clients::Permission;

/// Reading policies (API-NOTES.md#permissions-ca).
pub const READ: Permission = Permission::graph(&["Policy.Read.All"]);
/// Writing them: the documented table lists the three together.
pub const WRITE: Permission = Permission::graph(&[
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Application.Read.All",
]);
pub const PERMISSIONS: &[(&str, Permission)] = &[("read", READ), ("create, update, delete", WRITE)];

pub const POLICIES: &str = "/identity/conditionalAccess/policies";

pub fn policy_path(id: &str) -> String {
    format!("{POLICIES}/{id}")
}

fn paced(r: GraphRequest) -> GraphRequest {
    r.paced(Pacing::ConditionalAccess)
}

pub fn get_policy(id: &str) -> GraphRequest {
    paced(GraphRequest::get(policy_path(id)).needs(READ))
}

/// Every policy (the lookup by display name after a create in doubt). `$filter` on
/// `displayName` is not documented for this collection, so the match is made here; a tenant
/// holds at most a few hundred policies.
pub fn list_policies() -> GraphRequest {
    paced(GraphRequest::get(POLICIES).needs(READ))
}

pub fn create_policy(p: &Policy) -> GraphRequest {
    paced(GraphRequest::post(POLICIES, p.to_graph()).needs(WRITE))
}

/// The whole policy again (API-NOTES.md#ca-patch: PATCH merges nested objects only partly, so
/// the safe update sends every owned object whole).
pub fn update_policy(id: &str, p: &Policy) -> GraphRequest {
    paced(GraphRequest::patch(policy_path(id), p.to_graph()).needs(WRITE))
}

pub fn delete_policy(id: &str) -> GraphRequest {
    paced(GraphRequest::delete(policy_path(id)).needs(WRITE))
}
