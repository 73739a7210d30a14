//! The Teams federation resources (preview): where their object lives in the emulator (one
//! configuration per tenant, stored only while it differs from the service default) and their
//! HCL builders.

use super::{Acc, ResourceType, Steps};
use coexistence_acceptance::emulator::teams::federation;
pub use coexistence_acceptance::emulator::teams::federation::PATH as FEDERATION_PATH;
use serde_json::Value;

pub const FEDERATION_TYPE: &str = coexistence::resources::teams_federation::TYPE_NAME;
/// Address of the switches the scenarios manage.
pub const FEDERATION_ADDR: &str = "coexistence_teams_federation.this";

/// The switches the resource manages, as properties (the domain lists are not its).
const SWITCHES: &[&str] = &[
    "AllowFederatedUsers",
    "AllowTeamsConsumer",
    "AllowTeamsConsumerInbound",
    "ExternalAccessWithTrialTenants",
    "BlockAllSubdomains",
    "RestrictTeamsConsumerToExternalUserProfiles",
];

/// Whether the configuration `obj` still carries something the switches resource set: a switch
/// off its default, or allow-list mode with an empty list (a list that holds domains keeps the
/// mode: destroy leaves it).
fn owns_switches(_: &ResourceType, _: &Value, path: &str, obj: &Value) -> bool {
    let default = federation::service_default();
    path == FEDERATION_PATH
        && (SWITCHES.iter().any(|s| obj[*s] != default[*s])
            || federation::allowed(obj).is_some_and(|l| l.is_empty()))
}

/// A singleton: its object is the tenant's federation configuration; destroy restores the
/// switches' defaults.
pub static FEDERATION: ResourceType = ResourceType {
    type_name: FEDERATION_TYPE,
    path: |_| FEDERATION_PATH.to_string(),
    owns: owns_switches,
    ..super::DESCRIPTION
};

/// Steps tracking the switches at [`FEDERATION_ADDR`] in the home tenant.
pub fn federation_steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc).track(&FEDERATION, "this", &acc.home.tenant_id)
}

/// The switches resource with `args`: `(attribute, HCL expression)` pairs written as they are.
pub fn federation_hcl(args: &[(&str, &str)]) -> String {
    let body: String = args.iter().map(|(k, v)| format!("  {k} = {v}\n")).collect();
    format!("resource \"{FEDERATION_TYPE}\" \"this\" {{\n{body}}}\n")
}

/// The home tenant's configuration as the API answers it.
pub fn live(acc: &Acc) -> Value {
    acc.emu
        .object(&acc.home.tenant_id, FEDERATION_PATH)
        .expect("the federation configuration always exists")
}

/// The allowed domains of the home tenant (`None` in block-list mode).
pub fn allowed(acc: &Acc) -> Option<Vec<String>> {
    federation::allowed(&live(acc))
}

/// The configuration changed in the Teams admin center.
pub fn change_in_portal(acc: &Acc, change: Value) {
    federation::change_in_portal(&acc.emu, &acc.home.tenant_id, change);
}

pub const DOMAIN_TYPE: &str = coexistence::resources::teams_federation_domain::TYPE_NAME;

/// Whether the configuration `obj` still lists the instance's domain.
fn owns_domain(_: &ResourceType, state: &Value, path: &str, obj: &Value) -> bool {
    let domain = state["domain"].as_str().unwrap_or_default();
    path == FEDERATION_PATH
        && federation::allowed(obj)
            .is_some_and(|l| l.iter().any(|d| d.eq_ignore_ascii_case(domain)))
}

/// One allowed domain: its object is the shared configuration, and it owns its entry only.
pub static DOMAIN: ResourceType = ResourceType {
    type_name: DOMAIN_TYPE,
    path: |_| FEDERATION_PATH.to_string(),
    owns: owns_domain,
    ..super::DESCRIPTION
};

/// A domain resource named `name` that depends on the switches at [`FEDERATION_ADDR`].
pub fn domain_hcl(name: &str, domain: &str) -> String {
    format!(
        "resource \"{DOMAIN_TYPE}\" \"{name}\" {{\n  domain     = \"{domain}\"\n  depends_on = [{FEDERATION_ADDR}]\n}}\n"
    )
}
