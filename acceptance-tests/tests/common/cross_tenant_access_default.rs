//! The tenant's default cross-tenant access settings: where the policy lives in the emulator (one
//! path per tenant, stored only while it differs from Microsoft's defaults) and its HCL builder.

use super::{Acc, ResourceType, Steps};
pub use coexistence_acceptance::emulator::graph::xtap::DEFAULT_PATH;

pub const DEFAULT_TYPE: &str = coexistence::resources::cross_tenant_access_default::TYPE_NAME;
/// Address of the policy the scenarios manage.
pub const DEFAULT_ADDR: &str = "coexistence_cross_tenant_access_default.this";

/// A singleton: its object is the tenant's default policy, and destroy (a reset) leaves nothing
/// stored.
pub static DEFAULT_POLICY: ResourceType = ResourceType {
    type_name: DEFAULT_TYPE,
    path: |_| DEFAULT_PATH.to_string(),
    ..super::DESCRIPTION
};

/// Steps tracking the policy at [`DEFAULT_ADDR`] in the home tenant.
pub fn default_steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc).track(&DEFAULT_POLICY, "this", &acc.home.tenant_id)
}

/// One B2B setting: both halves `access` for everyone (`AllUsers`, `AllApplications`).
pub fn b2b_all(access: &str) -> String {
    format!(
        "{{\n    users_and_groups = {{\n      access_type = \"{access}\"\n      targets     = [{{ target = \"AllUsers\", target_type = \"user\" }}]\n    }}\n    applications = {{\n      access_type = \"{access}\"\n      targets     = [{{ target = \"AllApplications\", target_type = \"application\" }}]\n    }}\n  }}"
    )
}

/// The resource with `blocks`: `(attribute, HCL expression)` pairs written as they are.
pub fn default_hcl(blocks: &[(&str, String)]) -> String {
    let body: String = blocks
        .iter()
        .map(|(k, v)| format!("  {k} = {v}\n"))
        .collect();
    format!("resource \"{DEFAULT_TYPE}\" \"this\" {{\n{body}}}\n")
}

/// An `inbound_trust` block.
pub fn trust(mfa: bool, compliant: bool, hybrid: bool) -> String {
    format!("{{\n    mfa_accepted                  = {mfa}\n    compliant_device_accepted     = {compliant}\n    hybrid_joined_device_accepted = {hybrid}\n  }}")
}
