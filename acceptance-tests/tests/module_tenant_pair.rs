//! The tenant-pair module (`examples/modules/tenant-pair`) through the real CLI: a pair at low
//! trust (member-blocking policies enforced), raised to high trust (creates and updates only),
//! lowered back (only what high trust added goes, a `check` warns that synchronized users stay)
//! and raised again, a drifted prerequisite warning through a `check`, the optional default
//! policies, and destroy leaving both tenants empty. The module needs Terraform 1.5 (check blocks); on an older client each test
//! asserts that Terraform refuses the module before any request.

mod common;

use coexistence_acceptance::harness::{workspace_root, TfOutput};
use common::*;
use std::path::Path;

const MODULE: &str = "module.pair";

/// Copies the module into the workspace (local module sources are relative paths) and installs
/// it with `terraform get` (modules only: dev_overrides needs no `init` for the provider).
async fn install_module(acc: &Acc) {
    let src = workspace_root().join("examples/modules/tenant-pair");
    copy_dir(&src, &acc.tf.dir().join("tenant-pair"));
    acc.tf.run_ok(&["get", "-no-color"]).await;
}

fn copy_dir(from: &Path, to: &Path) {
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
fn root(acc: &Acc, inputs: &str) -> String {
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
const CONTOSO_GROUP: &str = "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d";
const FABRIKAM_GROUP: &str = "0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5";

const SYNC: &str = r#"  sync = {
    a_to_b_group_ids = ["5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d"]
    b_to_a_group_ids = ["0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5"]
  }
"#;

/// The scoping groups exist in their tenants (a job can only be assigned existing groups).
fn seed_groups(acc: &Acc) {
    use coexistence_acceptance::emulator::graph::xts::add_group;
    add_group(&acc.emu, &acc.home.tenant_id, CONTOSO_GROUP, "Contoso sync");
    add_group(
        &acc.emu,
        &acc.partner.tenant_id,
        FABRIKAM_GROUP,
        "Fabrikam sync",
    );
}

fn level(trust: &str) -> String {
    format!("  trust_level = {}\n{SYNC}", q(trust))
}

/// Whether Terraform is 1.5 or later (check blocks, the module's constraint).
async fn modern(acc: &Acc) -> bool {
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
async fn needs_modern_terraform(acc: &Acc) -> bool {
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
fn family(acc: &Acc, tenant: &str, prefix: &str) -> Vec<serde_json::Value> {
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
fn assert_smart_hosts(acc: &Acc, routing: impl Fn(&Tenant) -> String) {
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
fn assert_free_busy(acc: &Acc, high: bool) {
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
fn assert_conditional_access(acc: &Acc, high: bool) {
    let want = if high { "disabled" } else { "enabled" };
    assert_conditional_access_state(acc, want);
}

fn assert_conditional_access_state(acc: &Acc, want: &str) {
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
fn flat(out: &TfOutput) -> String {
    out.combined()
        .replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The warning of the module's `synchronized_users_remain` check for users synchronized from
/// `source` into `target`.
fn remain_warning(target: &str, source: &str) -> String {
    format!("{target} may still hold users {source} synchronized into it as members while the pair was at high trust")
}

fn addr(resource: &str) -> String {
    format!("{MODULE}.{resource}")
}

/// Applies, then asserts the pair converged: the next plan changes no resource and no output.
/// With the module's checks on, that plan still re-reads the check-scoped data sources, so
/// `-detailed-exitcode` says 2 (hashicorp/terraform#35226): the plan JSON is the judge, and
/// those reads must be the only entries, each for that reason.
async fn apply_and_converge(acc: &Acc) -> TfOutput {
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
fn managed_changes(
    plan: &coexistence_acceptance::harness::plan::Plan,
) -> Vec<(String, Vec<String>)> {
    plan.changes()
        .into_iter()
        .filter(|c| !c.is_noop() && !c.address.contains(".data."))
        .map(|c| (c.address, c.actions))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn low_to_high_and_back_changes_in_place() {
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    seed_groups(&acc);
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());

    // Low trust: the two partner configurations, nothing else; then an empty plan.
    acc.tf.write_config(&root(&acc, &level("low")));
    install_module(&acc).await;
    apply_and_converge(&acc).await;
    assert_conditional_access(&acc, false);
    assert!(acc.emu.object(&home, &partner_path(&partner)).is_some());
    assert!(acc.emu.object(&partner, &partner_path(&home)).is_some());
    assert!(
        acc.emu.object(&home, &sync_path(&partner)).is_none(),
        "no sync policy at low trust"
    );
    let paths =
        |t: &str| -> Vec<String> { acc.emu.objects(t).into_iter().map(|(p, _)| p).collect() };
    let low_objects = (paths(&home), paths(&partner));

    // Raising: every change is a create or an update in place.
    acc.tf.write_config(&root(&acc, &level("high")));
    let plan = acc.tf.plan_changes().await;
    let changes = managed_changes(&plan);
    for (address, actions) in &changes {
        assert!(
            actions == &["create"] || actions == &["update"],
            "raising the trust level must only create and update; {address}: {actions:?}\n{plan}"
        );
    }
    for a in [
        "module.a.coexistence_cross_tenant_access_partner.this",
        "module.b.coexistence_cross_tenant_access_partner.this",
    ] {
        assert_eq!(plan.expect_change(&addr(a)).actions, ["update"], "{plan}");
    }
    assert_eq!(
        plan.expect_change(&addr("coexistence_mto_membership.owner_a[0]"))
            .actions,
        ["create"]
    );
    apply_and_converge(&acc).await;
    // High trust in the emulator: sync policies both ways, trust and consent, the organization.
    for (tenant, other) in [(&home, &partner), (&partner, &home)] {
        let sync = acc
            .emu
            .object(tenant, &sync_path(other))
            .expect("sync policy");
        assert_eq!(sync["userSyncInbound"]["isSyncAllowed"], true);
        let p = acc.emu.object(tenant, &partner_path(other)).unwrap();
        assert_eq!(p["inboundTrust"]["isMfaAccepted"], true, "{p:#}");
        assert_eq!(
            p["automaticUserConsentSettings"]["inboundAllowed"], true,
            "{p:#}"
        );
        assert_eq!(
            p["automaticUserConsentSettings"]["outboundAllowed"], true,
            "{p:#}"
        );
        // Hybrid joined devices are trusted only when asked (hybrid_joined_device_trust).
        assert_eq!(
            p["inboundTrust"]["isHybridAzureADJoinedDeviceAccepted"], false,
            "{p:#}"
        );
    }
    assert_free_busy(&acc, true);
    assert_conditional_access(&acc, true);
    let org = acc.tf.output("organization").await;
    assert_eq!(org["owner_tenant_id"], home.as_str(), "{org:#}");
    // Mail flow both ways: each tenant's outbound to the other and inbound from it.
    let names = acc.tf.output("connector_names").await;
    assert_eq!(
        names,
        serde_json::json!({
            "a": {"outbound": "To Fabrikam", "inbound": "From Fabrikam"},
            "b": {"outbound": "To Contoso", "inbound": "From Contoso"},
        })
    );
    // Without `domains`, each smart host is the MX published for the other's initial domain.
    assert_smart_hosts(&acc, |t| t.default_domain.clone());
    // A sync job per direction, running.
    let jobs = acc.tf.output("sync_jobs").await;
    for dir in ["a_to_b", "b_to_a"] {
        assert!(jobs[dir]["id"].is_string(), "{jobs:#}");
        assert_eq!(
            jobs[dir]["quarantine_reason"],
            serde_json::Value::Null,
            "{jobs:#}"
        );
    }

    // Lowering: only what high trust added goes; the partners are updated, never replaced. The
    // synchronized users stay in each target (no deprovisioning yet): the plan warns, naming
    // the target, and the member-blocking policies are enforced again.
    acc.tf.write_config(&root(&acc, &level("low")));
    let text = flat(&acc.tf.plan().await);
    assert!(
        text.contains("Check block assertion failed")
            && text.contains(&remain_warning("Fabrikam", "Contoso"))
            && text.contains(&remain_warning("Contoso", "Fabrikam"))
            && text.contains(
                "Fabrikam's enforced member-blocking policy blocks their member access meanwhile"
            )
            && text.contains("then empty sync.a_to_b_group_ids to end this warning"),
        "expected the synchronized_users_remain check to warn for both tenants:\n{text}"
    );
    let plan = acc.tf.plan_changes().await;
    for (address, actions) in managed_changes(&plan) {
        let high_only = [
            "coexistence_mto_membership",
            "coexistence_xts_job",
            "coexistence_partner_connector",
        ]
        .iter()
        .any(|t| address.contains(t));
        let want: &[&str] = if high_only { &["delete"] } else { &["update"] };
        assert_eq!(actions, want, "{address}\n{plan}");
    }
    apply_and_converge(&acc).await;
    let jobs = acc.tf.output("sync_jobs").await;
    assert_eq!(jobs, serde_json::json!({"a_to_b": null, "b_to_a": null}));
    assert_eq!(
        (paths(&home), paths(&partner)),
        low_objects,
        "lowering back to low trust leaves exactly what low trust made"
    );
    assert_conditional_access(&acc, false);
    // Every plan at low trust says it again, until the groups are emptied.
    let text = flat(&acc.tf.plan().await);
    assert!(
        text.contains(&remain_warning("Fabrikam", "Contoso")),
        "{text}"
    );

    // Raising again converges (an empty plan after apply) and warns no more.
    acc.tf.write_config(&root(&acc, &level("high")));
    let out = apply_and_converge(&acc).await;
    assert!(!flat(&out).contains("may still hold users"), "{out}");
    assert_conditional_access(&acc, true);
    assert_eq!(
        acc.tf.output("sync_jobs").await["a_to_b"]["quarantine_reason"],
        serde_json::Value::Null
    );

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drifted_prerequisite_warns_on_plan() {
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    seed_groups(&acc);
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    acc.tf.write_config(&root(
        &acc,
        &format!("{}  hybrid_joined_device_trust = true\n", level("high")),
    ));
    install_module(&acc).await;
    let out = apply_and_converge(&acc).await;
    for (tenant, other) in [(&home, &partner), (&partner, &home)] {
        let p = acc.emu.object(tenant, &partner_path(other)).unwrap();
        assert_eq!(
            p["inboundTrust"]["isHybridAzureADJoinedDeviceAccepted"], true,
            "{p:#}"
        );
    }
    assert!(
        !out.combined().contains("Check block assertion failed"),
        "{out}"
    );

    // In the portal, Fabrikam stops allowing synchronization from Contoso.
    assert!(acc.emu.patch_object(
        &partner,
        &sync_path(&home),
        serde_json::json!({"userSyncInbound": {"isSyncAllowed": false}})
    ));
    let out = acc.tf.plan().await;
    assert_eq!(
        out.code,
        Some(2),
        "the drift is also a planned update\n{out}"
    );
    let text = out
        .combined()
        .replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("Check block assertion failed")
            && text.contains("Fabrikam does not accept cross-tenant synchronization from Contoso"),
        "expected the b_partner_configuration check to warn:\n{out}"
    );
    // The other tenant's check still holds.
    assert!(!text.contains("Contoso does not accept"), "{out}");

    // The sync job into Fabrikam is quarantined: run status is no diff, only the check says it.
    let jobs = acc.tf.output("sync_jobs").await;
    let (sp, job) = (
        jobs["a_to_b"]["service_principal_id"]
            .as_str()
            .unwrap()
            .to_string(),
        jobs["a_to_b"]["job_id"].as_str().unwrap().to_string(),
    );
    use coexistence_acceptance::emulator::graph::xts::job_path;
    let mut status = acc.emu.object(&home, &job_path(&sp, &job)).unwrap()["status"].clone();
    status["code"] = "Quarantine".into();
    status["quarantine"] = serde_json::json!({"reason": "EncounteredQuarantineException"});
    assert!(acc.emu.patch_object(
        &home,
        &job_path(&sp, &job),
        serde_json::json!({"status": status})
    ));
    let out = acc.tf.plan().await;
    let text = out
        .combined()
        .replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("Contoso's cross-tenant synchronization job to Fabrikam is quarantined: EncounteredQuarantineException"),
        "expected the sync_job check to warn:\n{out}"
    );
    // Restarting the job is outside Terraform; the emulator clears the quarantine.
    status["code"] = "Active".into();
    status["quarantine"] = serde_json::Value::Null;
    assert!(acc.emu.patch_object(
        &home,
        &job_path(&sp, &job),
        serde_json::json!({"status": status})
    ));

    // Apply restores it; the next plan is empty and warns no more.
    let out = apply_and_converge(&acc).await;
    assert!(
        !out.combined().contains("Check block assertion failed"),
        "{out}"
    );
    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

/// With `checks = false` the module has no check-scoped data source, so a converged pair gives
/// `terraform plan -detailed-exitcode` 0, for pipelines that gate on it. Fabrikam routes mail
/// through its custom domain, whose published host is on `mx.microsoft`.
#[tokio::test(flavor = "multi_thread")]
async fn without_checks_the_plan_after_apply_exits_zero() {
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    seed_groups(&acc);
    // Fabrikam's routing domain is its custom domain, served from an mx.microsoft host.
    let custom = |t: &Tenant| t.default_domain.replace(".onmicrosoft.com", ".com");
    let domains = format!("  domains = {{ b = [{}] }}\n", q(&custom(&acc.partner)));
    acc.tf.write_config(&root(
        &acc,
        &format!("{}  checks = false\n{domains}", level("high")),
    ));
    install_module(&acc).await;
    // apply() asserts `plan -detailed-exitcode` exits 0.
    acc.tf.apply().await;
    let fabrikam = acc.partner.tenant_id.clone();
    assert_smart_hosts(&acc, |t| {
        if t.tenant_id == fabrikam {
            custom(t)
        } else {
            t.default_domain.clone()
        }
    });
    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
}

/// `examples/multi-pair`: a hub and three subsidiaries at mixed trust levels, one organization
/// owned by the hub with the high-trust subsidiaries in it; applies, converges, destroys
/// leaving all four tenants empty.
#[tokio::test(flavor = "multi_thread")]
async fn multi_pair_example_applies_and_destroys() {
    let acc = Acc::start_with_more_tenants(&["Tailspin", "Wingtip"]).await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    let tenants = [
        ("hub", &acc.home),
        ("fabrikam", &acc.partner),
        ("tailspin", &acc.more[0]),
        ("wingtip", &acc.more[1]),
    ];
    let example = std::fs::read_to_string(workspace_root().join("examples/multi-pair/main.tf"))
        .unwrap()
        .replace("../modules/tenant-pair", "./tenant-pair");
    acc.tf.write_config(&example);
    coexistence_acceptance::emulator::graph::xts::add_group(
        &acc.emu,
        &acc.home.tenant_id,
        "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d",
        "Contoso to Fabrikam",
    );
    let vars = serde_json::json!({
        "endpoint": acc.emu.url(),
        "tenants": tenants.iter().map(|(k, t)| (k.to_string(), serde_json::json!({"tenant_id": t.tenant_id, "client_id": t.client_id}))).collect::<serde_json::Map<_, _>>(),
        "client_secrets": tenants.iter().map(|(k, t)| (k.to_string(), serde_json::json!(t.client_secret))).collect::<serde_json::Map<_, _>>(),
    });
    acc.tf.write_file(
        "terraform.tfvars.json",
        &serde_json::to_string_pretty(&vars).unwrap(),
    );
    install_module(&acc).await;
    apply_and_converge(&acc).await;

    let hub = &acc.home.tenant_id;
    for (k, t) in &tenants[1..] {
        assert!(
            acc.emu.object(hub, &partner_path(&t.tenant_id)).is_some(),
            "the hub has no partner configuration for {k}"
        );
        assert!(
            acc.emu.object(&t.tenant_id, &partner_path(hub)).is_some(),
            "{k}"
        );
    }
    // High trust: Fabrikam and Wingtip are in the hub's organization; Tailspin (low) is not.
    use coexistence_acceptance::emulator::graph::mto::tenant_path;
    for (k, t, member) in [
        ("fabrikam", &acc.partner, true),
        ("tailspin", &acc.more[0], false),
        ("wingtip", &acc.more[1], true),
    ] {
        assert_eq!(
            acc.emu.object(hub, &tenant_path(&t.tenant_id)).is_some(),
            member,
            "{k} in the hub's organization"
        );
    }
    let pairs = acc.tf.output("pairs").await;
    assert_eq!(
        pairs["tailspin"]["organization"],
        serde_json::Value::Null,
        "{pairs:#}"
    );
    assert_eq!(
        pairs["wingtip"]["organization"]["owner_tenant_id"],
        hub.as_str(),
        "{pairs:#}"
    );

    acc.tf.destroy().await;
    for (_, t) in &tenants {
        assert_tenant_empty(&acc, &t.tenant_id);
    }
}

/// `manage_default_policy = true`: each tenant's default policy blocks B2B collaboration inbound
/// while the partner configurations still let the pair in; report-only member-blocking policies
/// on request; destroy resets both default policies to Microsoft's defaults.
#[tokio::test(flavor = "multi_thread")]
async fn default_policies_block_others_and_destroy_resets_them() {
    use coexistence_acceptance::emulator::graph::xtap::DEFAULT_PATH;
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    acc.tf.write_config(&root(
        &acc,
        r#"  trust_level           = "low"
  manage_default_policy = true
  conditional_access    = { state = "enabledForReportingButNotEnforced" }
"#,
    ));
    install_module(&acc).await;
    let out = apply_and_converge(&acc).await;
    // No sync groups: nothing to warn about.
    assert!(
        !flat(&out).contains("Check block assertion failed"),
        "{out}"
    );
    for (tenant, other) in [(&home, &partner), (&partner, &home)] {
        let d = acc
            .emu
            .object(tenant, DEFAULT_PATH)
            .expect("a customised default policy");
        assert_eq!(d["isServiceDefault"], false, "{d:#}");
        for part in ["usersAndGroups", "applications"] {
            assert_eq!(
                d["b2bCollaborationInbound"][part]["accessType"], "blocked",
                "{d:#}"
            );
        }
        // Only the managed block changed: outbound stays Microsoft's default.
        assert_eq!(
            d["b2bCollaborationOutbound"]["usersAndGroups"]["accessType"], "allowed",
            "{d:#}"
        );
        let p = acc.emu.object(tenant, &partner_path(other)).unwrap();
        for part in ["usersAndGroups", "applications"] {
            assert_eq!(
                p["b2bCollaborationInbound"][part]["accessType"], "allowed",
                "{p:#}"
            );
        }
    }
    assert_conditional_access_state(&acc, "enabledForReportingButNotEnforced");

    acc.tf.destroy().await;
    for tenant in [&home, &partner] {
        let stored = acc.emu.object(tenant, DEFAULT_PATH);
        assert!(
            stored.is_none() || stored.as_ref().unwrap()["isServiceDefault"] == true,
            "destroy resets the default policy: {stored:#?}"
        );
        assert_tenant_empty(&acc, tenant);
    }
}

/// A default policy already changed in the portal is not overwritten by `manage_default_policy`:
/// the apply fails on that tenant, the policy is imported at the address the README gives, and
/// the next apply changes only the managed block, keeping the portal's other changes.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_changed_default_policy_is_imported_first() {
    use coexistence_acceptance::emulator::graph::xtap::DEFAULT_PATH;
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    let partner = acc.partner.tenant_id.clone();
    // In Fabrikam's portal: outbound B2B collaboration blocked by default.
    let mut portal = acc.emu.object(&partner, DEFAULT_PATH).unwrap();
    portal["b2bCollaborationOutbound"]["usersAndGroups"]["accessType"] = "blocked".into();
    portal["b2bCollaborationOutbound"]["applications"]["accessType"] = "blocked".into();
    portal["isServiceDefault"] = false.into();
    acc.emu.put_object(&partner, DEFAULT_PATH, portal.clone());

    acc.tf.write_config(&root(
        &acc,
        "  trust_level           = \"low\"\n  manage_default_policy = true\n",
    ));
    install_module(&acc).await;
    acc.tf
        .apply_expect_error("were changed outside Terraform")
        .await;
    assert_eq!(
        acc.emu.object(&partner, DEFAULT_PATH).unwrap(),
        portal,
        "Fabrikam's default policy is not overwritten"
    );

    let address = "module.pair.module.b.coexistence_cross_tenant_access_default.this[0]";
    acc.tf
        .run_ok(&["import", "-input=false", "-no-color", address, "default"])
        .await;
    apply_and_converge(&acc).await;
    let d = acc.emu.object(&partner, DEFAULT_PATH).unwrap();
    assert_eq!(
        d["b2bCollaborationInbound"]["usersAndGroups"]["accessType"], "blocked",
        "{d:#}"
    );
    assert_eq!(
        d["b2bCollaborationOutbound"]["usersAndGroups"]["accessType"], "blocked",
        "the portal's change outside the managed block stays: {d:#}"
    );

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &partner);
}

/// `teams_federation = true` (preview): with each tenant's Teams federation in allow-list mode
/// (set outside the module, its ID passed in so the domains follow it), each tenant's allowed list gets
/// the other's initial domain and SMTP domains next to a domain allowed by hand, which stays;
/// destroy removes the pair's domains and restores the switches.
#[tokio::test(flavor = "multi_thread")]
async fn teams_federation_allows_each_tenants_domains_in_the_other() {
    use coexistence_acceptance::emulator::teams::federation::{self, PATH};
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    federation::change_in_portal(
        &acc.emu,
        &home,
        serde_json::json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "byhand.example"}]}}),
    );
    let switches = r#"
resource "coexistence_teams_federation" "contoso" {
  provider    = coexistence.contoso
  domain_mode = "allow_list"
}

resource "coexistence_teams_federation" "fabrikam" {
  provider    = coexistence.fabrikam
  domain_mode = "allow_list"
}
"#;
    acc.tf.write_config(&format!(
        "{}{switches}",
        root(
            &acc,
            r#"  trust_level      = "low"
  domains          = { a = ["contoso.example"], b = [] }
  teams_federation = true
  teams_federation_switches = {
    a = coexistence_teams_federation.contoso.id
    b = coexistence_teams_federation.fabrikam.id
  }
"#,
        )
    ));
    install_module(&acc).await;
    apply_and_converge(&acc).await;
    let allowed = |t: &str| {
        let mut l = federation::allowed(&acc.emu.object(t, PATH).unwrap()).unwrap_or_default();
        l.sort();
        l
    };
    let (a_moera, b_moera) = (&acc.home.default_domain, &acc.partner.default_domain);
    let mut want_a = vec![b_moera.to_string(), "byhand.example".to_string()];
    want_a.sort();
    assert_eq!(
        allowed(&home),
        want_a,
        "Contoso allows Fabrikam's domains, and keeps the one allowed by hand"
    );
    let mut want_b = vec![a_moera.to_string(), "contoso.example".to_string()];
    want_b.sort();
    assert_eq!(
        allowed(&partner),
        want_b,
        "Fabrikam allows Contoso's domains"
    );

    acc.tf.destroy().await;
    assert_eq!(
        allowed(&home),
        ["byhand.example"],
        "the hand-added domain stays"
    );
    assert_tenant_empty(&acc, &partner);
}

/// The users of `tenant` synchronized from `source` (by their alternative security ID).
fn synchronized_from(acc: &Acc, tenant: &str, source: &str) -> usize {
    acc.emu
        .as_ref()
        .with_store(tenant, |s| s.children("/users"))
        .into_iter()
        .filter(|(_, u)| {
            u["alternativeSecurityIds"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["identityProvider"] == source))
        })
        .count()
}

/// With `sync.deprovision_on_lowering`, the emulator provisioning: at high trust each group's
/// members appear in the other tenant; lowering soft-deletes them before the jobs go (the
/// partners' inbound sync still allowed then), and the "may still hold users" check is quiet.
#[tokio::test(flavor = "multi_thread")]
async fn deprovision_on_lowering_leaves_no_synchronized_member() {
    use coexistence_acceptance::emulator::graph::xts;
    let acc = Acc::start().await;
    if !needs_modern_terraform(&acc).await {
        return;
    }
    xts::set_provisioning(&acc.emu, true);
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    for (tenant, group, user) in [
        (&home, CONTOSO_GROUP, "c0000000-0000-4000-8000-000000000001"),
        (
            &partner,
            FABRIKAM_GROUP,
            "f0000000-0000-4000-8000-000000000001",
        ),
    ] {
        xts::add_user_with(
            &acc.emu,
            tenant,
            user,
            serde_json::json!({"displayName": "Ada", "userPrincipalName": format!("ada.{user}@example.com")}),
        );
        xts::add_group_with_members(&acc.emu, tenant, group, "sync", &[user]);
    }
    let with_deprovision = |trust: &str| {
        format!(
            "  trust_level = {}\n{}",
            q(trust),
            SYNC.replace("  }\n", "    deprovision_on_lowering = true\n  }\n")
        )
    };
    acc.tf.write_config(&root(&acc, &with_deprovision("high")));
    install_module(&acc).await;
    apply_and_converge(&acc).await;
    assert_eq!(
        synchronized_from(&acc, &partner, &home),
        1,
        "Contoso's member in Fabrikam"
    );
    assert_eq!(
        synchronized_from(&acc, &home, &partner),
        1,
        "Fabrikam's member in Contoso"
    );

    acc.tf.write_config(&root(&acc, &with_deprovision("low")));
    let text = flat(&acc.tf.plan().await);
    assert!(!text.contains("may still hold users"), "{text}");
    apply_and_converge(&acc).await;
    assert_eq!(
        synchronized_from(&acc, &partner, &home),
        0,
        "deprovisioned on lowering"
    );
    assert_eq!(
        synchronized_from(&acc, &home, &partner),
        0,
        "deprovisioned on lowering"
    );

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
    xts::set_provisioning(&acc.emu, false);
}
