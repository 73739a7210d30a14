//! The block-external-members Conditional Access policy: where its objects live, how it is
//! imported, and an HCL builder.

use super::{q, ResourceType};
use coexistence_acceptance::emulator::graph::ca::policy_path;

pub const CA_TYPE: &str = coexistence::resources::ca_block_external_members::TYPE_NAME;

/// A policy is found by the ID Graph assigned, which is also its import ID. A deleted policy
/// moves to `deletedItems` (not below its path): Graph keeps it 30 days and application
/// permissions cannot purge it, so destroy leaving it there is the service's behaviour.
pub static CA_POLICY: ResourceType = ResourceType {
    type_name: CA_TYPE,
    path: |s| policy_path(s["id"].as_str().expect("id in state")),
    ..super::DESCRIPTION
};

/// The resource's configuration; `None` = argument omitted.
#[derive(Clone, Debug, Default)]
pub struct CaPolicy {
    pub name: String,
    pub display_name: String,
    pub state: Option<String>,
    pub external_tenant_ids: Vec<String>,
    pub exclude_user_ids: Option<Vec<String>>,
    pub exclude_group_ids: Option<Vec<String>>,
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", items.join(", "))
}

impl CaPolicy {
    pub fn new(name: &str, display_name: &str, tenants: &[&str]) -> CaPolicy {
        CaPolicy {
            name: name.to_string(),
            display_name: display_name.to_string(),
            external_tenant_ids: tenants.iter().map(|t| t.to_string()).collect(),
            ..CaPolicy::default()
        }
    }

    /// `coexistence_ca_block_external_members.<name>`.
    pub fn address(&self) -> String {
        CA_POLICY.address(&self.name)
    }

    pub fn hcl(&self) -> String {
        let mut s = format!(
            "resource \"{CA_TYPE}\" \"{}\" {{\n  display_name        = {}\n  external_tenant_ids = {}\n",
            self.name,
            q(&self.display_name),
            list(&self.external_tenant_ids)
        );
        if let Some(st) = &self.state {
            s += &format!("  state               = {}\n", q(st));
        }
        if let Some(u) = &self.exclude_user_ids {
            s += &format!("  exclude_user_ids    = {}\n", list(u));
        }
        if let Some(g) = &self.exclude_group_ids {
            s += &format!("  exclude_group_ids   = {}\n", list(g));
        }
        s + "}\n"
    }
}
