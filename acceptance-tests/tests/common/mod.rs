//! Helpers shared by the scenario files. Generic ones live here; each resource has its own
//! module, named after its type, with its HCL builder, the Graph JSON it must produce and its
//! [`ResourceType`] description (`cross_tenant_access_partner.rs`). A new resource adds
//! `common/<resource>.rs` and one `pub mod` line below.
#![allow(dead_code, unused_imports)]

pub mod adoption;
pub mod ca_block_external_members;
pub mod cross_tenant_access_default;
pub mod cross_tenant_access_partner;
pub mod grpc;
pub mod module;
pub mod mto_membership;
pub mod organization_relationship;
pub mod partner_connector;
pub mod signin;
pub mod teams_federation;
pub mod xts_job;

pub use cross_tenant_access_partner::*;

pub use coexistence_acceptance::emulator::Fault;
pub use coexistence_acceptance::harness::{normalize, Acc, ResourceType, Steps, Tenant, Workspace};

/// The import ID the provider's own resource gives for a state (its `import_id_of`): the
/// harness imports with it, so an ID the resource gets wrong fails import-verify.
pub fn provider_import_id(ty: &ResourceType, state: &serde_json::Value) -> String {
    let resource = coexistence::resources::all()
        .into_iter()
        .find(|r| r.type_name() == ty.type_name)
        .unwrap_or_else(|| panic!("the provider has no resource {}", ty.type_name));
    let value = coexistence::framework::value::json::decode(state, &resource.schema().ty())
        .unwrap_or_else(|e| panic!("{} state does not decode: {e}: {state:#}", ty.type_name));
    resource
        .import_id_of(&value)
        .unwrap_or_else(|e| panic!("{}: {e}", ty.type_name))
        .unwrap_or_else(|| panic!("{} state identifies no object: {state:#}", ty.type_name))
}

/// What every description starts from: import IDs from the provider's own resource, and
/// `timeouts` (configuration only, which no import can know) left out of the import checks.
pub const DESCRIPTION: ResourceType = ResourceType {
    import_id: provider_import_id,
    import_ignore: &["timeouts"],
    ..ResourceType::DEFAULTS
};

/// Every resource type's description, for scenarios that walk all of them (`examples.rs`).
/// A new resource adds its description here.
pub static RESOURCE_TYPES: &[&ResourceType] = &[
    &cross_tenant_access_partner::PARTNER,
    &mto_membership::MTO_MEMBERSHIP,
    &organization_relationship::ORGANIZATION_RELATIONSHIP,
    &ca_block_external_members::CA_POLICY,
    &xts_job::XTS_JOB,
    &partner_connector::PARTNER_CONNECTOR,
    &cross_tenant_access_default::DEFAULT_POLICY,
    &teams_federation::FEDERATION,
    &teams_federation::DOMAIN,
];

/// The description of `type_name`; panics naming the file to teach when there is none.
pub fn resource_type(type_name: &str) -> &'static ResourceType {
    RESOURCE_TYPES
        .iter()
        .copied()
        .find(|t| t.type_name == type_name)
        .unwrap_or_else(|| {
            panic!(
                "no ResourceType for {type_name}: add it to RESOURCE_TYPES in tests/common/mod.rs"
            )
        })
}

/// An HCL string literal.
pub fn q(s: &str) -> String {
    coexistence_acceptance::harness::hcl::quote(s)
}

/// Where the Exchange groups a scenario seeds live.
const EXCHANGE_GROUPS: &str = coexistence_acceptance::emulator::exchange::group::COLLECTION;

/// Assert the emulator holds nothing for `tenant` but soft-deleted objects (a deleted
/// Conditional Access policy stays under `deletedItems` for 30 days, and application
/// permissions cannot purge it: API-NOTES.md#ca-deleted-items) and seeded Exchange groups.
pub fn assert_tenant_empty(acc: &Acc, tenant: &str) {
    let mut objs = acc.emu.objects(tenant);
    // Deleted items, and the Exchange groups a scenario seeded (directory objects, not ours).
    objs.retain(|(path, _)| !path.contains("/deletedItems/") && !path.starts_with(EXCHANGE_GROUPS));
    assert!(
        objs.is_empty(),
        "expected no objects in {tenant}, found {objs:#?}"
    );
}

/// A fault with only the given filters.
pub fn fault(
    status: u16,
    count: usize,
    method: Option<&str>,
    path_contains: Option<&str>,
) -> Fault {
    Fault {
        status,
        retry_after: None,
        count,
        method: method.map(String::from),
        path_contains: path_contains.map(String::from),
        tenant: None,
        ..Fault::default()
    }
}

/// Brownfield adoption of the object behind `address` (as if made in the portal: this
/// workspace has never seen it): an `import` block, `plan -generate-config-out`, apply, then an
/// empty plan; returns the generated HCL. Import blocks need Terraform 1.5; on older clients
/// this says so and returns `None`.
pub async fn adopt_with_generated_config(acc: &Acc, address: &str, id: &str) -> Option<String> {
    let ws = Workspace::new(&acc.emu.ca_pem_path());
    let version = ws.version().await;
    if !supports_import_blocks(&version) {
        eprintln!(
            "adoption of {address}: not run on {version:?} (import blocks need Terraform 1.5+)"
        );
        return None;
    }
    ws.write_config(&format!(
        "{}\nimport {{\n  to = {address}\n  id = {}\n}}\n",
        acc.provider(),
        q(id)
    ));
    let out = ws
        .run_ok(&["plan", "-input=false", "-generate-config-out=generated.tf"])
        .await;
    let generated = std::fs::read_to_string(ws.dir().join("generated.tf"))
        .unwrap_or_else(|e| panic!("no generated.tf for {address} ({e})\n{out}"));
    eprintln!("adoption of {address}: generated.tf\n{generated}");
    let (type_name, name) = address.split_once('.').expect("<type>.<name>");
    assert!(
        generated.contains(&format!("resource \"{type_name}\" \"{name}\"")),
        "generated.tf does not declare {address}:\n{generated}"
    );
    ws.run_ok(&["apply", "-auto-approve", "-input=false"]).await;
    let plan = ws
        .run(&["plan", "-input=false", "-detailed-exitcode"])
        .await;
    assert!(
        plan.success(),
        "the plan after adopting {address} with the generated HCL is not empty:\n{generated}\n{plan}"
    );
    // The adopting workspace forgets the object; the example's workspace destroys it.
    ws.run_ok(&["state", "rm", address]).await;
    Some(generated)
}

/// Whether `terraform version` output names 1.5 or later.
pub fn supports_import_blocks(version: &str) -> bool {
    let v = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .unwrap_or("0.0");
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 5)
}
