//! The tenant-pair module's test support: its copy into the workspace, the root configuration
//! around one module call, the groups it synchronizes, and the assertions the module's
//! scenarios share (`module_tenant_pair.rs`, `module_tenant_pair_options.rs`).

use super::*;
use coexistence_acceptance::harness::{workspace_root, TfOutput};
use std::path::Path;

pub const MODULE: &str = "module.pair";

/// Copies the module into the workspace (local module sources are relative paths) and installs
/// it with `terraform get` (modules only: dev_overrides needs no `init` for the provider).
pub async fn install_module(acc: &Acc) {
    let src = workspace_root().join("examples/modules/tenant-pair");
    copy_dir(&src, &acc.tf.dir().join("tenant-pair"));
    acc.tf.run_ok(&["get", "-no-color"]).await;
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The root configuration: one aliased provider per tenant, the module between them.
pub fn root(acc: &Acc, inputs: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    coexistence = {{ source = "coexistence/coexistence" }}
  }}
}}
{contoso}
{fabrikam}
module "pair" {{
  source    = "./tenant-pair"
  providers = {{ coexistence.a = coexistence.contoso, coexistence.b = coexistence.fabrikam }}
  tenant_a  = {{ tenant_id = {a}, name = "Contoso" }}
  tenant_b  = {{ tenant_id = {b}, name = "Fabrikam" }}
{inputs}
}}

output "organization" {{
  value = module.pair.organization
}}

output "sync_jobs" {{
  value = module.pair.sync_jobs
}}

output "connector_names" {{
  value = module.pair.connector_names
}}
"#,
        contoso = acc.provider_block(&acc.home, Some("contoso")),
        fabrikam = acc.provider_block(&acc.partner, Some("fabrikam")),
        a = q(&acc.home.tenant_id),
        b = q(&acc.partner.tenant_id),
    )
}

/// The scoping group of each sync direction: in Contoso (synchronized into Fabrikam) and in
/// Fabrikam (into Contoso).
pub const CONTOSO_GROUP: &str = "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d";
pub const FABRIKAM_GROUP: &str = "0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5";

pub const SYNC: &str = r#"  sync = {
    a_to_b_group_ids = ["5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d"]
    b_to_a_group_ids = ["0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5"]
  }
"#;

/// The scoping groups exist in their tenants (a job can only be assigned existing groups).
pub fn seed_groups(acc: &Acc) {
    use coexistence_acceptance::emulator::graph::xts::add_group;
    add_group(&acc.emu, &acc.home.tenant_id, CONTOSO_GROUP, "Contoso sync");
    add_group(
        &acc.emu,
        &acc.partner.tenant_id,
        FABRIKAM_GROUP,
        "Fabrikam sync",
    );
}

pub fn level(trust: &str) -> String {
    format!("  trust_level = {}\n{SYNC}", q(trust))
}

/// Whether Terraform is 1.5 or later (check blocks, the module's constraint).
pub async fn modern(acc: &Acc) -> bool {
    let v = acc.tf.version().await;
    let v = v
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .unwrap_or("0.0")
        .to_string();
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (1, 5)
}

/// On Terraform before 1.5 the module cannot load (it uses optional object attributes, 1.3,
/// and check blocks, 1.5; a client that old fails on their syntax before it reaches the
/// module's `required_version`): the plan fails on the module's files, before any request.
/// Returns true when the rest of a scenario should run.
pub async fn needs_modern_terraform(acc: &Acc) -> bool {
    if modern(acc).await {
        return true;
    }
    acc.tf.write_config(&root(acc, &level("low")));
    install_module(acc).await;
    let out = acc.tf.plan().await;
    assert_eq!(out.code, Some(1), "{out}");
    assert!(
        out.stderr.contains("on tenant-pair/") && out.stderr.contains("Unsupported block type"),
        "expected this Terraform to refuse the module's check blocks:\n{out}"
    );
    assert!(acc.emu.requests().is_empty(), "{:#?}", acc.emu.requests());
    eprintln!("the tenant-pair module needs Terraform 1.5+: this client refuses it, as documented");
    false
}

/// The objects of one family (by its emulator path prefix) in `tenant`.
pub fn family(acc: &Acc, tenant: &str, prefix: &str) -> Vec<serde_json::Value> {
    acc.emu
        .objects(tenant)
        .into_iter()
        .filter(|(p, _)| p.starts_with(prefix))
        .map(|(_, v)| v)
        .collect()
}

/// Each tenant's outbound connector delivers to the mail exchanger the other tenant publishes
/// for `routing(other)` (read with the other tenant's provider), exactly, with the certificate
/// domain of that host's infrastructure.
pub fn assert_smart_hosts(acc: &Acc, routing: impl Fn(&Tenant) -> String) {
    use coexistence_acceptance::emulator::exchange::connector::OUTBOUND;
    use coexistence_acceptance::emulator::graph::domains::seeded;
    for (tenant, other) in [(&acc.home, &acc.partner), (&acc.partner, &acc.home)] {
        let out = family(acc, &tenant.tenant_id, OUTBOUND);
        assert_eq!(out.len(), 1, "{out:#?}");
        let domain = routing(other);
        let host = seeded(&other.spec())
            .into_iter()
            .find(|d| d.id == domain)
            .unwrap_or_else(|| panic!("{domain} is not a domain of {}", other.display_name))
            .mx
            .0;
        assert_eq!(out[0]["SmartHosts"], serde_json::json!([host]), "{out:#?}");
        let tls = if host.ends_with(".mx.microsoft") {
            "mx.microsoft"
        } else {
            "mail.protection.outlook.com"
        };
        assert_eq!(out[0]["TlsDomain"], tls, "{out:#?}");
    }
}

/// Each tenant's organization relationship for the other: named after it, with its domains,
/// and mail tips shared only at high trust.
pub fn assert_free_busy(acc: &Acc, high: bool) {
    use coexistence_acceptance::emulator::exchange::organization_relationship::COLLECTION;
    for (tenant, other) in [(&acc.home, "Fabrikam"), (&acc.partner, "Contoso")] {
        let rels = family(acc, &tenant.tenant_id, COLLECTION);
        assert_eq!(rels.len(), 1, "{rels:#?}");
        assert_eq!(rels[0]["Name"], other, "{rels:#?}");
        assert_eq!(
            rels[0]["FreeBusyAccessLevel"], "LimitedDetails",
            "{rels:#?}"
        );
        let tips = if high { "All" } else { "None" };
        assert_eq!(rels[0]["MailTipsAccessLevel"], tips, "{rels:#?}");
    }
}

/// Each tenant's member-blocking policy names the other tenant; enforced at low trust (the
/// module's default), disabled at high trust (members are synchronized on purpose).
pub fn assert_conditional_access(acc: &Acc, high: bool) {
    let want = if high { "disabled" } else { "enabled" };
    assert_conditional_access_state(acc, want);
}

pub fn assert_conditional_access_state(acc: &Acc, want: &str) {
    use coexistence_acceptance::emulator::graph::ca::POLICIES_PATH;
    for (tenant, other) in [(&acc.home, &acc.partner), (&acc.partner, &acc.home)] {
        let policies = family(acc, &tenant.tenant_id, &format!("{POLICIES_PATH}/"));
        assert_eq!(policies.len(), 1, "{policies:#?}");
        assert_eq!(policies[0]["state"], want, "{policies:#?}");
        let text = policies[0].to_string();
        assert!(text.contains(&other.tenant_id), "{policies:#?}");
    }
}

/// A command's output as one line: diagnostic box drawing and line wrapping removed.
pub fn flat(out: &TfOutput) -> String {
    out.combined()
        .replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The warning of the module's `synchronized_users_remain` check for users synchronized from
/// `source` into `target`.
pub fn remain_warning(target: &str, source: &str) -> String {
    format!("{target} may still hold users {source} synchronized into it as members while the pair was at high trust")
}

pub fn addr(resource: &str) -> String {
    format!("{MODULE}.{resource}")
}

/// Applies, then asserts the pair converged: the next plan changes no resource and no output.
/// With the module's checks on, that plan still re-reads the check-scoped data sources, so
/// `-detailed-exitcode` says 2 (hashicorp/terraform#35226): the plan JSON is the judge, and
/// those reads must be the only entries, each for that reason.
pub async fn apply_and_converge(acc: &Acc) -> TfOutput {
    let out = acc.tf.apply_no_plan_check().await;
    let plan = acc.tf.plan_json().await;
    for c in plan["resource_changes"].as_array().into_iter().flatten() {
        let actions = &c["change"]["actions"];
        let check_read = actions == &serde_json::json!(["read"])
            && c["action_reason"] == "read_because_check_nested";
        assert!(
            actions == &serde_json::json!(["no-op"]) || check_read,
            "the plan after apply is not empty: {c:#}"
        );
    }
    for (name, c) in plan["output_changes"].as_object().into_iter().flatten() {
        assert_eq!(
            c["actions"],
            serde_json::json!(["no-op"]),
            "output {name} changes: {c:#}"
        );
    }
    out
}

/// The plan's changes to managed resources (data source reads left out).
pub fn managed_changes(
    plan: &coexistence_acceptance::harness::plan::Plan,
) -> Vec<(String, Vec<String>)> {
    plan.changes()
        .into_iter()
        .filter(|c| !c.is_noop() && !c.address.contains(".data."))
        .map(|c| (c.address, c.actions))
        .collect()
}
