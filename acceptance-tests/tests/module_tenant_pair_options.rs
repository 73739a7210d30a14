//! The tenant-pair module's optional inputs through the real CLI: each tenant's default
//! policy (`manage_default_policy`), Teams federation between the pair (`teams_federation`,
//! preview) and deprovisioning when trust goes down (`sync.deprovision_on_lowering`). The
//! trust transitions themselves: `module_tenant_pair.rs`. Needs Terraform 1.5 (check blocks);
//! on an older client each test asserts that Terraform refuses the module.

mod common;

use common::module::*;
use common::*;

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
