//! Acceptance scenarios for `coexistence_cross_tenant_access_partner` against the emulator,
//! through the real terraform CLI (`TF_ACC_TERRAFORM_PATH` selects which).
//!
//! Every apply and destroy goes through [`Steps`] tracking the partner ([`PARTNER`]): each apply
//! is followed by an empty plan and import-verify, each destroy by a check that nothing the
//! partner owned is left. The scenarios below are their steps and what is special about them.

mod common;

use coexistence_acceptance::harness::TfOutput;
use common::*;
use serde_json::json;

/// 1. tenant_id only: every setting null in Graph; destroy leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn minimal_create_and_destroy() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    steps.apply_config(&p.hcl()).await;

    // expected_graph: every block null, consent "inherit".
    assert_emulator_matches(&acc, &home, &p);
    let state = acc.tf.resource(ADDR).await;
    assert_eq!(state["id"], json!(p.tenant_id));
    assert_eq!(state["tenant_id"], json!(p.tenant_id));

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 2. every block set: Graph holds exactly the configured JSON, sync policy exists.
#[tokio::test(flavor = "multi_thread")]
async fn full_create() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    steps.config(&p.hcl());
    acc.tf.plan_expect_create(ADDR).await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 3. every block updated in place; removing blocks nulls them (and deletes the sync policy).
#[tokio::test(flavor = "multi_thread")]
async fn update_every_block_in_place_then_remove_blocks() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    steps
        .apply_config(&Partner::full(&acc.partner.tenant_id).hcl())
        .await;

    let changed = Partner::full_changed(&acc.partner.tenant_id);
    steps.config(&changed.hcl());
    let mut every_change: Vec<&str> = BLOCK_CHANGES
        .iter()
        .flat_map(|(_, p)| *p)
        .copied()
        .collect();
    every_change.sort();
    acc.tf.plan_expect_changed_paths(ADDR, &every_change).await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &changed);

    // Remove every optional block: back to null / default policy, sync policy deleted.
    let minimal = Partner::minimal(&acc.partner.tenant_id);
    steps.config(&minimal.hcl());
    acc.tf.plan_expect_changed_paths(ADDR, &BLOCKS).await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &minimal);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Every optional block of the partner.
const BLOCKS: [&str; 7] = [
    "b2b_collaboration_inbound",
    "b2b_collaboration_outbound",
    "b2b_direct_connect_inbound",
    "b2b_direct_connect_outbound",
    "inbound_trust",
    "automatic_user_consent",
    "identity_synchronization",
];

/// The attribute paths that differ between [`Partner::full`] and [`Partner::full_changed`],
/// block by block.
const BLOCK_CHANGES: [(&str, &[&str]); 7] = [
    (
        "b2b_collaboration_inbound",
        &["b2b_collaboration_inbound.users_and_groups.access_type"],
    ),
    (
        "b2b_collaboration_outbound",
        &[
            "b2b_collaboration_outbound.applications.access_type",
            "b2b_collaboration_outbound.users_and_groups.access_type",
            "b2b_collaboration_outbound.users_and_groups.targets",
        ],
    ),
    (
        "b2b_direct_connect_inbound",
        &[
            "b2b_direct_connect_inbound.applications.access_type",
            "b2b_direct_connect_inbound.applications.targets",
            "b2b_direct_connect_inbound.users_and_groups.access_type",
        ],
    ),
    (
        "b2b_direct_connect_outbound",
        &[
            "b2b_direct_connect_outbound.applications.access_type",
            "b2b_direct_connect_outbound.users_and_groups.access_type",
        ],
    ),
    (
        "inbound_trust",
        &[
            "inbound_trust.hybrid_joined_device_accepted",
            "inbound_trust.mfa_accepted",
        ],
    ),
    (
        "automatic_user_consent",
        &[
            "automatic_user_consent.inbound_allowed",
            "automatic_user_consent.outbound_allowed",
        ],
    ),
    (
        "identity_synchronization",
        &["identity_synchronization.user_sync_inbound_allowed"],
    ),
];

/// Sets `block` of `p` to its value in `from` (`None` when `from` omits it).
fn set_block(p: &mut Partner, from: &Partner, block: &str) {
    match block {
        "b2b_collaboration_inbound" => {
            p.b2b_collaboration_inbound = from.b2b_collaboration_inbound.clone()
        }
        "b2b_collaboration_outbound" => {
            p.b2b_collaboration_outbound = from.b2b_collaboration_outbound.clone()
        }
        "b2b_direct_connect_inbound" => {
            p.b2b_direct_connect_inbound = from.b2b_direct_connect_inbound.clone()
        }
        "b2b_direct_connect_outbound" => {
            p.b2b_direct_connect_outbound = from.b2b_direct_connect_outbound.clone()
        }
        "inbound_trust" => p.inbound_trust = from.inbound_trust,
        "automatic_user_consent" => p.automatic_user_consent = from.automatic_user_consent,
        "identity_synchronization" => p.identity_synchronization = from.identity_synchronization,
        other => panic!("no partner block {other}"),
    }
}

/// 3b. each block changed, then removed, on its own: the plan changes exactly that block's
/// attributes (no cross-talk between blocks), and Graph follows.
#[tokio::test(flavor = "multi_thread")]
async fn update_blocks_one_at_a_time() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let changed = Partner::full_changed(&acc.partner.tenant_id);
    let minimal = Partner::minimal(&acc.partner.tenant_id);
    let mut p = Partner::full(&acc.partner.tenant_id);
    steps.apply_config(&p.hcl()).await;

    for (block, paths) in BLOCK_CHANGES {
        set_block(&mut p, &changed, block);
        steps.config(&p.hcl());
        acc.tf.plan_expect_changed_paths(ADDR, paths).await;
        steps.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }
    for block in BLOCKS {
        set_block(&mut p, &minimal, block);
        steps.config(&p.hcl());
        acc.tf.plan_expect_changed_paths(ADDR, &[block]).await;
        steps.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 4. changing tenant_id replaces the resource because of tenant_id; the old partner and its
/// sync policy are gone (the steps check every object any state of the instance owned).
#[tokio::test(flavor = "multi_thread")]
async fn tenant_id_change_replaces() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let old = Partner::full(&acc.partner.tenant_id);
    steps.apply_config(&old.hcl()).await;

    let new = Partner::full(&uuid::Uuid::new_v4().to_string());
    steps.config(&new.hcl());
    acc.tf
        .plan_expect_replace_because(ADDR, &["tenant_id"])
        .await;
    steps.apply().await;
    assert!(
        acc.emu
            .object(&home, &partner_path(&old.tenant_id))
            .is_none(),
        "old partner still in the emulator: {:#?}",
        acc.emu.objects(&home)
    );
    assert!(acc.emu.object(&home, &sync_path(&old.tenant_id)).is_none());
    assert_emulator_matches(&acc, &home, &new);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Runs `terraform import <address> <id>`, which must fail.
async fn import_fails(acc: &Acc, address: &str, id: &str) -> TfOutput {
    let out = acc
        .tf
        .run(&["import", "-input=false", "-no-color", address, id])
        .await;
    assert!(!out.success(), "import of {id:?} succeeded\n{out}");
    out
}

/// 5. import by partner GUID (the steps import-verify every apply) also takes the GUID in upper
/// case; bad ids, and this tenant's own GUID, fail clearly.
#[tokio::test(flavor = "multi_thread")]
async fn import() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    steps.apply_config(&p.hcl()).await;

    // Upper-case GUID is the same partner.
    acc.tf.state_rm(ADDR).await;
    assert!(acc.tf.try_resource(ADDR).await.is_none());
    acc.tf.import(ADDR, &p.tenant_id.to_ascii_uppercase()).await; // + empty plan

    // Respelling the GUID in configuration is an in-place update, never a replacement.
    let upper = Partner::full(&p.tenant_id.to_ascii_uppercase());
    steps.config(&upper.hcl());
    acc.tf.plan_expect_changed_paths(ADDR, &["tenant_id"]).await;
    // Import would answer the canonical lowercase GUID: no import-verify for this spelling.
    steps.apply_without_import_verify().await;
    steps.apply_config(&p.hcl()).await;

    // A second resource whose partner does not exist / whose id is malformed.
    let ghost_id = uuid::Uuid::new_v4().to_string();
    let ghost = Partner {
        name: "ghost".into(),
        ..Partner::minimal(&ghost_id)
    };
    steps.config(&format!("{}\n{}", p.hcl(), ghost.hcl()));
    let out = import_fails(&acc, &ghost.address(), &ghost_id).await;
    let err = out.stderr.to_ascii_lowercase();
    assert!(
        err.contains("non-existent") || err.contains("not found") || err.contains("does not exist"),
        "import of a nonexistent partner should say it does not exist\n{out}"
    );
    let out = import_fails(&acc, &ghost.address(), "not-a-guid").await;
    assert!(
        out.stderr.to_ascii_lowercase().contains("guid") && out.stderr.contains("not-a-guid"),
        "import of a malformed id should quote it and say a tenant GUID is expected\n{out}"
    );
    assert!(acc.tf.try_resource(&ghost.address()).await.is_none());
    // This tenant as its own partner: refused before any request, saying why.
    acc.emu.clear_requests();
    let out = import_fails(&acc, &ghost.address(), &home.to_ascii_uppercase()).await;
    assert!(
        normalize(&out.stderr).contains("a tenant has no partner configuration for itself"),
        "{out}"
    );
    let graph: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("crossTenantAccessPolicy"))
        .collect();
    assert!(graph.is_empty(), "{graph:#?}");
    assert!(acc.tf.try_resource(&ghost.address()).await.is_none());

    steps.config(&p.hcl());
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 6. out-of-band change of each block shows in the plan as exactly the drifted attributes;
/// apply fixes it.
#[tokio::test(flavor = "multi_thread")]
async fn drift_on_each_block() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    let path = partner_path(&p.tenant_id);
    steps.apply_config(&p.hcl()).await;

    let blocked_all = B2b::block_all().graph();
    let allowed_all = B2b::allow_all().graph();
    let drifts: [(&str, serde_json::Value, &[&str]); 7] = [
        (
            "b2bCollaborationInbound",
            blocked_all.clone(),
            &[
                "b2b_collaboration_inbound.applications.access_type",
                "b2b_collaboration_inbound.users_and_groups.access_type",
            ],
        ),
        // The configured outbound block targets a group: AllUsers is another target.
        (
            "b2bCollaborationOutbound",
            allowed_all.clone(),
            &["b2b_collaboration_outbound.users_and_groups.targets"],
        ),
        (
            "b2bDirectConnectInbound",
            blocked_all,
            &[
                "b2b_direct_connect_inbound.applications.access_type",
                "b2b_direct_connect_inbound.applications.targets",
                "b2b_direct_connect_inbound.users_and_groups.access_type",
            ],
        ),
        (
            "b2bDirectConnectOutbound",
            allowed_all,
            &[
                "b2b_direct_connect_outbound.applications.access_type",
                "b2b_direct_connect_outbound.users_and_groups.access_type",
            ],
        ),
        (
            "inboundTrust",
            json!({"isMfaAccepted": false, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false}),
            &["inbound_trust.mfa_accepted"],
        ),
        (
            "automaticUserConsentSettings",
            json!({"inboundAllowed": true, "outboundAllowed": true}),
            &["automatic_user_consent.outbound_allowed"],
        ),
        ("inboundTrust", serde_json::Value::Null, &["inbound_trust"]),
    ];
    for (key, value, paths) in drifts {
        assert!(
            acc.emu.patch_object(&home, &path, json!({ key: value })),
            "patch {key}"
        );
        acc.tf.plan_expect_changed_paths(ADDR, paths).await;
        steps.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }

    // The identity synchronization policy.
    assert!(acc.emu.patch_object(
        &home,
        &sync_path(&p.tenant_id),
        json!({"userSyncInbound": {"isSyncAllowed": false}})
    ));
    acc.tf
        .plan_expect_changed_paths(
            ADDR,
            &["identity_synchronization.user_sync_inbound_allowed"],
        )
        .await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    // Sync policy deleted out of band.
    assert!(acc.emu.delete_object(&home, &sync_path(&p.tenant_id)));
    acc.tf
        .plan_expect_changed_paths(ADDR, &["identity_synchronization"])
        .await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 7. out-of-band delete: plan shows a create; apply recreates.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_delete_recreates() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    steps.apply_config(&p.hcl()).await;

    assert!(acc.emu.delete_object(&home, &partner_path(&p.tenant_id)));
    acc.tf.plan_expect_create(ADDR).await;
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 10. invalid input fails at plan, naming the attribute, before any API call. Inside a nested
/// attribute the text names the full path and Terraform shows the top-level attribute.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_rejected_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let partner = acc.partner.tenant_id.clone();
    let b2b = |access: &str, target_type: &str, targets: &str| {
        format!(
            "  b2b_collaboration_inbound = {{\n    users_and_groups = {{ access_type = {}, targets = {targets} }}\n    applications = {{ access_type = \"allowed\", targets = [{{ target = \"AllApplications\", target_type = {} }}] }}\n  }}\n",
            q(access),
            q(target_type)
        )
    };
    let user_targets = "[{ target = \"AllUsers\", target_type = \"user\" }]";
    let cases = [
        ("tenant_id", Partner::minimal("not-a-guid")),
        (
            "Invalid value for b2b_collaboration_inbound.users_and_groups.access_type",
            Partner {
                extra: b2b("allow", "application", user_targets),
                ..Partner::minimal(&partner)
            },
        ),
        (
            "Invalid value for b2b_collaboration_inbound.applications.targets.target_type",
            Partner {
                extra: b2b("allowed", "app", user_targets),
                ..Partner::minimal(&partner)
            },
        ),
        (
            "b2b_collaboration_inbound.users_and_groups.targets needs at least 1",
            Partner {
                extra: b2b("allowed", "application", "[]"),
                ..Partner::minimal(&partner)
            },
        ),
    ];
    for (attr, p) in cases {
        acc.config(&p.hcl());
        let out = acc.tf.plan_expect_error(attr).await;
        if attr.contains('.') {
            // The source line under "in resource ...:" is the attribute's, not the header's.
            let shown = out
                .stderr
                .lines()
                .skip_while(|l| {
                    !l.contains("in resource \"coexistence_cross_tenant_access_partner\"")
                })
                .nth(1)
                .unwrap_or_default();
            assert!(
                shown.ends_with("b2b_collaboration_inbound = {"),
                "Terraform shows the top-level attribute: {out}"
            );
        }
        let reqs = acc.emu.requests();
        assert!(
            reqs.is_empty(),
            "invalid {attr} reached the network: {reqs:#?}"
        );
    }
    // Missing half of a b2b block.
    acc.config(&Partner {
        extra: "  b2b_collaboration_inbound = {\n    users_and_groups = { access_type = \"allowed\", targets = [{ target = \"AllUsers\", target_type = \"user\" }] }\n  }\n".into(),
        ..Partner::minimal(&partner)
    }.hcl());
    acc.tf.plan_expect_error("applications").await;
    assert!(acc.emu.requests().is_empty(), "{:#?}", acc.emu.requests());
}

/// 11. two aliased providers, each tenant configures the other as partner.
#[tokio::test(flavor = "multi_thread")]
async fn two_provider_aliases() {
    let acc = Acc::start().await;
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    let in_home = Partner {
        name: "fabrikam_in_contoso".into(),
        provider_alias: Some("contoso".into()),
        ..Partner::full(&partner)
    };
    let in_partner = Partner {
        name: "contoso_in_fabrikam".into(),
        provider_alias: Some("fabrikam".into()),
        ..Partner::full_changed(&home)
    };
    let steps = Steps::new(&acc)
        .track(&PARTNER, &in_home.name, &home)
        .track(&PARTNER, &in_partner.name, &partner);
    acc.tf.write_config(&format!(
        "{}\n{}\n{}\n{}\n{}",
        coexistence_acceptance::harness::terraform_block(),
        acc.provider_block(&acc.home, Some("contoso")),
        acc.provider_block(&acc.partner, Some("fabrikam")),
        in_home.hcl(),
        in_partner.hcl()
    ));
    steps.apply().await;
    assert_emulator_matches(&acc, &home, &in_home);
    assert_emulator_matches(&acc, &partner, &in_partner);
    assert!(acc.emu.object(&home, &partner_path(&home)).is_none());
    assert!(acc.emu.object(&partner, &partner_path(&partner)).is_none());

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}
