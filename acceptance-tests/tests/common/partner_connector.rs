//! The partner connector: where its objects live (by direction and Guid) and how it is
//! imported (`inbound/<name>` or `outbound/<name>`), plus the HCL scenarios build on.

use super::{q, ResourceType};
use coexistence_acceptance::emulator::exchange::connector::{inbound_path, outbound_path};

pub const CONNECTOR_TYPE: &str = coexistence::resources::partner_connector::TYPE_NAME;

/// A connector in the tenant of its provider: `/exchange/{inbound,outbound}Connectors/<Guid>`.
pub static PARTNER_CONNECTOR: ResourceType = ResourceType {
    type_name: CONNECTOR_TYPE,
    path: |s| {
        let guid = s["id"].as_str().expect("id in state");
        match s["direction"].as_str() {
            Some("inbound") => inbound_path(guid),
            _ => outbound_path(guid),
        }
    },
    ..super::DESCRIPTION
};

/// A `coexistence_partner_connector` block named `label` with `body` (HCL arguments, one a line).
pub fn connector_block(
    label: &str,
    provider: Option<&str>,
    direction: &str,
    name: &str,
    body: &str,
) -> String {
    let provider = provider
        .map(|p| format!("  provider  = {p}\n"))
        .unwrap_or_default();
    format!(
        "resource \"{CONNECTOR_TYPE}\" \"{label}\" {{\n{provider}  direction = {}\n  name      = {}\n{body}}}\n",
        q(direction),
        q(name)
    )
}
