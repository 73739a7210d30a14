//! The typed model (field names are the schema's attribute names) and its mapping from Graph.

use crate::framework::{typed, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub id: Option<String>,
    pub tenant_id: Option<String>,
    // owner side
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub member_tenants: Option<BTreeMap<String, MemberTenant>>,
    pub member_states: Option<BTreeMap<String, String>>,
    // member side
    pub owner_tenant_id: Option<String>,
    pub wait_for_active: Option<bool>,
    pub role: Option<String>,
    pub failure_details: Option<String>,
    // both
    pub state: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberTenant {
    pub display_name: String,
    pub role: String,
}

impl Membership {
    /// The state a completed step leaves (kept if a later step fails).
    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), self)
    }

    pub fn is_member_side(&self) -> bool {
        self.owner_tenant_id.is_some()
    }
}

pub fn js(v: &Json, k: &str) -> Option<String> {
    v.get(k).and_then(Json::as_str).map(str::to_string)
}

/// One entry of the owner's tenants list, as the configuration would say it. A pending
/// transition toward a role or toward active is reported as its target (so it is no drift); a
/// transition toward removal (or a removed tenant) is reported as absent (so it is drift).
pub fn member_from_graph(m: &Json) -> Option<(String, MemberTenant, String)> {
    let id = js(m, "tenantId")?.to_ascii_lowercase();
    let state = js(m, "state").unwrap_or_default();
    let t = m.get("transitionDetails").filter(|t| t.is_object());
    let failed = t.and_then(|t| js(t, "status")).as_deref() == Some("failed");
    let desired_state = t.and_then(|t| js(t, "desiredState"));
    if state == "removed" || (!failed && desired_state.as_deref() == Some("removed")) {
        return None;
    }
    let role = t
        .filter(|_| !failed)
        .and_then(|t| js(t, "desiredRole"))
        .or_else(|| js(m, "role"))
        .unwrap_or_else(|| "member".into());
    Some((
        id,
        MemberTenant {
            display_name: js(m, "displayName").unwrap_or_default(),
            role,
        },
        state,
    ))
}
