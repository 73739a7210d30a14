//! The tenant-pair module (`examples/modules/tenant-pair`) through the real CLI: a pair at low
//! trust (member-blocking policies enforced), raised to high trust (creates and updates only),
//! lowered back (only what high trust added goes, a `check` warns that synchronized users stay)
//! and raised again, a drifted prerequisite warning through a `check`, the multi-pair example,
//! and destroy leaving both tenants empty. The optional inputs (default policies, Teams
//! federation, deprovisioning on lowering): `module_tenant_pair_options.rs`. The module needs
//! Terraform 1.5 (check blocks); on an older client each test asserts that Terraform refuses
//! the module before any request.

mod common;

use coexistence_acceptance::harness::workspace_root;
use common::module::*;
use common::*;

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
