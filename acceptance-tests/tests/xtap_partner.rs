//! Acceptance scenarios for `coexistence_cross_tenant_access_partner` against the emulator,
//! through the real terraform CLI (`TF_ACC_TERRAFORM_PATH` selects which).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const SETTINGS: [&str; 6] = [
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "inboundTrust",
    "automaticUserConsentSettings",
];

/// 1. tenant_id only: every setting null in Graph; destroy leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn minimal_create_and_destroy() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;

    let obj = acc
        .emu
        .object(&home, &partner_path(&p.tenant_id))
        .expect("partner created");
    let inherit = json!({"inboundAllowed": null, "outboundAllowed": null});
    for key in SETTINGS {
        assert!(
            obj.get(key).is_none_or(|v| v.is_null() || *v == inherit),
            "{key} should be null: {obj:#}"
        );
    }
    assert_emulator_matches(&acc, &home, &p);
    let state = acc.tf.resource(ADDR).await;
    assert_eq!(state["id"], json!(p.tenant_id));
    assert_eq!(state["tenant_id"], json!(p.tenant_id));

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 2. every block set: Graph holds exactly the configured JSON, sync policy exists.
#[tokio::test(flavor = "multi_thread")]
async fn full_create() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 3. every block updated in place; removing blocks nulls them (and deletes the sync policy).
#[tokio::test(flavor = "multi_thread")]
async fn update_every_block_in_place_then_remove_blocks() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    acc.config(&Partner::full(&acc.partner.tenant_id).hcl());
    acc.tf.apply().await;

    let changed = Partner::full_changed(&acc.partner.tenant_id);
    acc.config(&changed.hcl());
    acc.tf.plan_expect_update(ADDR).await;
    acc.tf
        .plan_expect_changes(&[
            "access_type",
            "mfa_accepted",
            "hybrid_joined_device_accepted",
            "inbound_allowed",
            "outbound_allowed",
            "user_sync_inbound_allowed",
        ])
        .await;
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &changed);

    // Remove every optional block: back to null / default policy, sync policy deleted.
    let minimal = Partner::minimal(&acc.partner.tenant_id);
    acc.config(&minimal.hcl());
    acc.tf.plan_expect_update(ADDR).await;
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &minimal);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 3b. each block added, changed and removed on its own (no cross-talk between blocks).
#[tokio::test(flavor = "multi_thread")]
async fn update_blocks_one_at_a_time() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let changed = Partner::full_changed(&acc.partner.tenant_id);
    let mut p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;

    type Step = fn(&mut Partner, &Partner);
    let steps: [(&str, Step); 7] = [
        ("b2b_collaboration_inbound", |p, c| {
            p.b2b_collaboration_inbound = c.b2b_collaboration_inbound.clone()
        }),
        ("b2b_collaboration_outbound", |p, c| {
            p.b2b_collaboration_outbound = c.b2b_collaboration_outbound.clone()
        }),
        ("b2b_direct_connect_inbound", |p, c| {
            p.b2b_direct_connect_inbound = c.b2b_direct_connect_inbound.clone()
        }),
        ("b2b_direct_connect_outbound", |p, c| {
            p.b2b_direct_connect_outbound = c.b2b_direct_connect_outbound.clone()
        }),
        ("inbound_trust", |p, c| p.inbound_trust = c.inbound_trust),
        ("automatic_user_consent", |p, c| {
            p.automatic_user_consent = c.automatic_user_consent
        }),
        ("identity_synchronization", |p, c| {
            p.identity_synchronization = c.identity_synchronization
        }),
    ];
    for (attr, change) in steps {
        change(&mut p, &changed);
        acc.config(&p.hcl());
        acc.tf.plan_expect_changes(&[attr]).await;
        acc.tf.plan_expect_update(ADDR).await;
        acc.tf.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }
    // Remove them one by one.
    type Removal = fn(&mut Partner);
    let removals: [(&str, Removal); 7] = [
        ("b2b_collaboration_inbound", |p| {
            p.b2b_collaboration_inbound = None
        }),
        ("b2b_collaboration_outbound", |p| {
            p.b2b_collaboration_outbound = None
        }),
        ("b2b_direct_connect_inbound", |p| {
            p.b2b_direct_connect_inbound = None
        }),
        ("b2b_direct_connect_outbound", |p| {
            p.b2b_direct_connect_outbound = None
        }),
        ("inbound_trust", |p| p.inbound_trust = None),
        ("automatic_user_consent", |p| {
            p.automatic_user_consent = None
        }),
        ("identity_synchronization", |p| {
            p.identity_synchronization = None
        }),
    ];
    for (attr, remove) in removals {
        remove(&mut p);
        acc.config(&p.hcl());
        acc.tf.plan_expect_changes(&[attr]).await;
        acc.tf.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }
    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 4. changing tenant_id replaces the resource; the old partner is gone.
#[tokio::test(flavor = "multi_thread")]
async fn tenant_id_change_replaces() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let old = Partner::full(&acc.partner.tenant_id);
    acc.config(&old.hcl());
    acc.tf.apply().await;

    let new = Partner::full(&uuid::Uuid::new_v4().to_string());
    acc.config(&new.hcl());
    acc.tf.plan_expect_replace(ADDR).await;
    acc.tf.apply().await;
    assert!(
        acc.emu
            .object(&home, &partner_path(&old.tenant_id))
            .is_none(),
        "old partner still in the emulator: {:#?}",
        acc.emu.objects(&home)
    );
    assert!(acc.emu.object(&home, &sync_path(&old.tenant_id)).is_none());
    assert_emulator_matches(&acc, &home, &new);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 5. import by partner GUID round-trips to an empty plan; bad ids fail clearly.
#[tokio::test(flavor = "multi_thread")]
async fn import() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;
    let before = acc.tf.resource(ADDR).await;

    acc.tf.state_rm(ADDR).await;
    assert!(acc.tf.try_resource(ADDR).await.is_none());
    acc.tf.import(ADDR, &p.tenant_id).await; // + empty plan
    assert_eq!(
        acc.tf.resource(ADDR).await,
        before,
        "imported state differs from created state"
    );

    // Upper-case GUID is the same partner.
    acc.tf.state_rm(ADDR).await;
    acc.tf.import(ADDR, &p.tenant_id.to_ascii_uppercase()).await;

    // Respelling the GUID in configuration is an in-place update, never a replacement.
    let upper = Partner::full(&p.tenant_id.to_ascii_uppercase());
    acc.config(&upper.hcl());
    acc.tf.plan_expect_update(ADDR).await;
    acc.tf.apply().await;
    acc.config(&p.hcl());
    acc.tf.apply().await;

    // A second resource whose partner does not exist / whose id is malformed.
    let ghost_id = uuid::Uuid::new_v4().to_string();
    let ghost = Partner {
        name: "ghost".into(),
        ..Partner::minimal(&ghost_id)
    };
    acc.config(&format!("{}\n{}", p.hcl(), ghost.hcl()));
    let out = acc
        .tf
        .run(&[
            "import",
            "-input=false",
            "-no-color",
            &ghost.address(),
            &ghost_id,
        ])
        .await;
    assert!(
        !out.success(),
        "import of a nonexistent partner succeeded\n{out}"
    );
    let err = out.stderr.to_ascii_lowercase();
    assert!(
        err.contains("non-existent") || err.contains("not found") || err.contains("does not exist"),
        "import of a nonexistent partner should say it does not exist\n{out}"
    );
    let out = acc
        .tf
        .run(&[
            "import",
            "-input=false",
            "-no-color",
            &ghost.address(),
            "not-a-guid",
        ])
        .await;
    assert!(!out.success(), "import of a malformed id succeeded\n{out}");
    assert!(
        out.stderr.to_ascii_lowercase().contains("guid") && out.stderr.contains("not-a-guid"),
        "import of a malformed id should quote it and say a tenant GUID is expected\n{out}"
    );
    assert!(acc.tf.try_resource(&ghost.address()).await.is_none());

    acc.config(&p.hcl());
    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 6. out-of-band change of each block shows in the plan naming the attribute; apply fixes it.
#[tokio::test(flavor = "multi_thread")]
async fn drift_on_each_block() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    let path = partner_path(&p.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;

    let blocked_all = json!({
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]},
    });
    let allowed_all = json!({
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]},
    });
    let drifts = [
        (
            "b2bCollaborationInbound",
            blocked_all.clone(),
            "access_type",
        ),
        // The configured outbound block targets a group: AllUsers is another target.
        ("b2bCollaborationOutbound", allowed_all.clone(), "target"),
        ("b2bDirectConnectInbound", blocked_all, "access_type"),
        ("b2bDirectConnectOutbound", allowed_all, "access_type"),
        (
            "inboundTrust",
            json!({"isMfaAccepted": false, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false}),
            "mfa_accepted",
        ),
        (
            "automaticUserConsentSettings",
            json!({"inboundAllowed": true, "outboundAllowed": true}),
            "outbound_allowed",
        ),
        ("inboundTrust", serde_json::Value::Null, "inbound_trust"),
    ];
    for (key, value, attr) in drifts {
        assert!(
            acc.emu.patch_object(&home, &path, json!({ key: value })),
            "patch {key}"
        );
        acc.tf.plan_expect_changes(&[attr]).await;
        acc.tf.apply().await;
        assert_emulator_matches(&acc, &home, &p);
    }

    // The identity synchronization policy.
    assert!(acc.emu.patch_object(
        &home,
        &sync_path(&p.tenant_id),
        json!({"userSyncInbound": {"isSyncAllowed": false}})
    ));
    acc.tf
        .plan_expect_changes(&["user_sync_inbound_allowed"])
        .await;
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    // Sync policy deleted out of band.
    assert!(acc.emu.delete_object(&home, &sync_path(&p.tenant_id)));
    acc.tf
        .plan_expect_changes(&["identity_synchronization"])
        .await;
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 7. out-of-band delete: plan shows a create; apply recreates.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_delete_recreates() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;

    assert!(acc.emu.delete_object(&home, &partner_path(&p.tenant_id)));
    acc.tf.plan_expect_create(ADDR).await;
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 8. throttling, outages and replication lag are ridden out.
#[tokio::test(flavor = "multi_thread")]
async fn apply_through_faults_and_replication_lag() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());

    acc.emu.inject(Fault {
        retry_after: Some("1".into()),
        ..fault(
            429,
            2,
            Some("POST"),
            Some("/crossTenantAccessPolicy/partners"),
        )
    });
    acc.emu.inject(fault(
        503,
        1,
        Some("GET"),
        Some("/crossTenantAccessPolicy/partners/"),
    ));
    acc.emu.set_replication_lag(Duration::from_secs(2));
    acc.emu.clear_requests();

    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &p);

    let reqs = acc.emu.requests();
    let log = reqs
        .iter()
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect::<Vec<_>>()
        .join("\n");
    let posts: Vec<u16> = reqs
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.path
                    .ends_with("/policies/crossTenantAccessPolicy/partners")
        })
        .map(|r| r.status)
        .collect();
    assert!(
        posts.len() == 3 && posts[..2] == [429, 429] && (200..300).contains(&posts[2]),
        "expected POST 429, 429, 2xx; request log:\n{log}"
    );
    assert!(
        reqs.iter().any(|r| r.method == "GET" && r.status == 503),
        "expected a GET answered 503 then retried; request log:\n{log}"
    );
    assert!(
        reqs.iter()
            .filter(|r| r.path.contains("/v1.0/"))
            .all(|r| r.status != 500),
        "request log:\n{log}"
    );

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 9. create half fails (sync policy PUT fails past the deadline): the partner is kept in state,
/// tainted, not orphaned; the next apply replaces it cleanly.
#[tokio::test(flavor = "multi_thread")]
async fn half_failed_create_is_tainted_then_replaced() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner {
        extra: "  timeouts = { create = \"5s\" }\n".into(),
        ..Partner::full(&acc.partner.tenant_id)
    };
    acc.config(&p.hcl());
    // One 503 whose Retry-After lies far past the 5s create deadline: the provider must give up
    // (it may not retry past its deadline), and the fault is used up afterwards.
    acc.emu.inject(Fault {
        retry_after: Some("3600".into()),
        ..fault(503, 1, None, Some("/identitySynchronization"))
    });
    acc.tf.apply_expect_error("identitySynchronization").await;

    assert!(
        acc.emu.object(&home, &partner_path(&p.tenant_id)).is_some(),
        "partner orphaned: created in Graph but the emulator lost it"
    );
    assert!(
        acc.tf.try_resource(ADDR).await.is_some(),
        "half-created partner not recorded in state (orphaned)"
    );
    assert!(
        acc.tf.is_tainted(ADDR),
        "half-created partner is not tainted:\n{}",
        acc.tf.raw_state().unwrap_or_default()
    );

    acc.tf.plan_expect_replace(ADDR).await;
    acc.tf.apply().await;
    assert!(!acc.tf.is_tainted(ADDR));
    assert_emulator_matches(&acc, &home, &p);

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 10. invalid input fails at plan, naming the attribute, before any API call.
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
            "access_type",
            Partner {
                extra: b2b("allow", "application", user_targets),
                ..Partner::minimal(&partner)
            },
        ),
        (
            "target_type",
            Partner {
                extra: b2b("allowed", "app", user_targets),
                ..Partner::minimal(&partner)
            },
        ),
        (
            "targets",
            Partner {
                extra: b2b("allowed", "application", "[]"),
                ..Partner::minimal(&partner)
            },
        ),
    ];
    for (attr, p) in cases {
        acc.config(&p.hcl());
        acc.tf.plan_expect_error(attr).await;
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
    acc.tf.write_config(&format!(
        "{}\n{}\n{}\n{}\n{}",
        coexistence_acceptance::harness::terraform_block(),
        acc.provider_block(&acc.home, Some("contoso")),
        acc.provider_block(&acc.partner, Some("fabrikam")),
        in_home.hcl(),
        in_partner.hcl()
    ));
    acc.tf.apply().await;
    assert_emulator_matches(&acc, &home, &in_home);
    assert_emulator_matches(&acc, &partner, &in_partner);
    assert!(acc.emu.object(&home, &partner_path(&home)).is_none());
    assert!(acc.emu.object(&partner, &partner_path(&partner)).is_none());

    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

/// Graph requests in the emulator's log since the last clear, as `METHOD path?query`.
fn graph_calls(acc: &Acc) -> Vec<String> {
    acc.emu
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1.0/"))
        .map(|r| match r.query {
            Some(q) => format!("{} {}?{q}", r.method, r.path),
            None => format!("{} {}", r.method, r.path),
        })
        .collect()
}

/// 12. a refresh of one partner costs one Graph GET (policy expanded inline); a destroy sends
/// exactly the DELETEs state calls for (none for a policy that does not exist).
#[tokio::test(flavor = "multi_thread")]
async fn one_get_per_refresh_and_no_wasted_delete() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let partner = format!("/v1.0{}", partner_path(&acc.partner.tenant_id));
    let expanded = format!("GET {partner}?$expand=identitySynchronization");
    for p in [
        Partner::minimal(&acc.partner.tenant_id),
        Partner::full(&acc.partner.tenant_id),
    ] {
        acc.config(&p.hcl());
        acc.tf.apply().await;
        acc.emu.clear_requests();
        acc.tf.plan_expect_empty().await;
        assert_eq!(
            graph_calls(&acc),
            std::slice::from_ref(&expanded),
            "a refresh of one partner must be one GET"
        );

        acc.emu.clear_requests();
        acc.tf.destroy().await;
        let calls = graph_calls(&acc);
        let deletes: Vec<&String> = calls.iter().filter(|c| c.starts_with("DELETE")).collect();
        let want: Vec<String> = match p.identity_synchronization {
            None => vec![format!("DELETE {partner}")],
            Some(_) => vec![
                format!("DELETE {partner}/identitySynchronization"),
                format!("DELETE {partner}"),
            ],
        };
        assert_eq!(
            deletes,
            want.iter().collect::<Vec<_>>(),
            "destroy: {calls:#?}"
        );
        assert_eq!(
            calls.iter().filter(|c| c.starts_with("GET")).count(),
            1,
            "destroy refreshes with one GET: {calls:#?}"
        );
        assert_tenant_empty(&acc, &home);
    }
}

/// 13. a sync policy created out of band after the last refresh does not block the destroy
/// (`-refresh=false`): the refused partner DELETE is followed by the policy's, then a retry.
#[tokio::test(flavor = "multi_thread")]
async fn destroy_removes_a_policy_created_out_of_band() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.tf.apply().await;
    acc.emu.put_object(
        &home,
        &sync_path(&p.tenant_id),
        json!({"tenantId": p.tenant_id, "displayName": null, "userSyncInbound": {"isSyncAllowed": true}}),
    );
    acc.emu.clear_requests();
    acc.tf
        .run_ok(&[
            "destroy",
            "-auto-approve",
            "-refresh=false",
            "-input=false",
            "-no-color",
        ])
        .await;
    let partner = format!("/v1.0{}", partner_path(&p.tenant_id));
    let deletes: Vec<String> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    assert_eq!(
        deletes,
        [
            format!("DELETE {partner} -> 400"),
            format!("DELETE {partner}/identitySynchronization -> 204"),
            format!("DELETE {partner} -> 204"),
        ]
    );
    assert_tenant_empty(&acc, &home);
}
