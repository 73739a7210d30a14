//! Acceptance scenarios for `coexistence_cross_tenant_access_default` against the emulator,
//! through the real terraform CLI. [`Steps`] follows every apply with an empty plan and
//! import-verify (`default`), and every destroy with a check that nothing is left stored (the
//! policy is back to Microsoft's defaults).

mod common;

use common::cross_tenant_access_default::*;
use common::*;
use serde_json::{json, Value};

/// The home tenant's default policy as Graph serves it.
fn live(acc: &Acc) -> Value {
    acc.emu
        .object(&acc.home.tenant_id, DEFAULT_PATH)
        .expect("the default policy always exists")
}

/// The policy changed in the admin center: `change` applied to what is live.
fn change_in_portal(acc: &Acc, change: impl FnOnce(&mut Value)) {
    let mut v = live(acc);
    change(&mut v);
    v["isServiceDefault"] = json!(false);
    acc.emu.put_object(&acc.home.tenant_id, DEFAULT_PATH, v);
}

/// Create writes only the configured blocks; update in place; drift on a managed block is a
/// diff on that block and apply restores it, drift on a block left out is no diff; a block
/// added later is managed from then on; destroy resets the policy.
#[tokio::test(flavor = "multi_thread")]
async fn manages_the_configured_blocks_and_destroy_resets() {
    let acc = Acc::start().await;
    let steps = default_steps(&acc);
    assert_eq!(live(&acc)["isServiceDefault"], json!(true));

    let blocked = b2b_all("blocked");
    steps
        .apply_config(&default_hcl(&[
            ("b2b_collaboration_inbound", blocked.clone()),
            ("inbound_trust", trust(false, false, false)),
        ]))
        .await;
    let v = live(&acc);
    assert_eq!(v["isServiceDefault"], json!(false));
    assert_eq!(
        v["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        json!("blocked")
    );
    // Left out: still Microsoft's default.
    assert_eq!(
        v["b2bCollaborationOutbound"]["usersAndGroups"]["accessType"],
        json!("allowed")
    );
    let state = acc.tf.resource(DEFAULT_ADDR).await;
    assert_eq!(state["id"], json!("default"));
    assert_eq!(state["is_service_default"], json!(false));
    assert_eq!(
        state["b2b_direct_connect_inbound"]["users_and_groups"]["access_type"],
        json!("blocked"),
        "a block left out holds its live value: {state:#}"
    );

    // Update in place: only the changed block is sent.
    acc.emu.clear_requests();
    steps.config(&default_hcl(&[
        ("b2b_collaboration_inbound", blocked.clone()),
        ("inbound_trust", trust(true, false, false)),
    ]));
    acc.tf
        .plan_expect_changed_paths(DEFAULT_ADDR, &["inbound_trust.mfa_accepted"])
        .await;
    steps.apply().await;
    assert_eq!(live(&acc)["inboundTrust"]["isMfaAccepted"], json!(true));
    let patches: Vec<Value> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.body)
        .collect();
    assert!(!patches.is_empty(), "no PATCH sent");
    for p in &patches {
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["inboundTrust"], "only the changed block: {p:#}");
    }

    // Drift on a managed block: a diff there, and apply restores it.
    change_in_portal(&acc, |v| v["inboundTrust"]["isMfaAccepted"] = json!(false));
    acc.tf
        .plan_expect_changed_paths(DEFAULT_ADDR, &["inbound_trust.mfa_accepted"])
        .await;
    steps.apply().await;
    assert_eq!(live(&acc)["inboundTrust"]["isMfaAccepted"], json!(true));

    // Drift on a block left out: not managed, no diff, not written back.
    change_in_portal(&acc, |v| {
        v["automaticUserConsentSettings"]["inboundAllowed"] = json!(true)
    });
    acc.tf.plan_expect_empty().await;
    steps.apply().await;
    assert_eq!(
        live(&acc)["automaticUserConsentSettings"]["inboundAllowed"],
        json!(true)
    );

    // A block added to the configuration is managed from then on.
    steps.config(&default_hcl(&[
        ("b2b_collaboration_inbound", blocked),
        ("inbound_trust", trust(true, false, false)),
        (
            "automatic_user_consent",
            "{\n    inbound_allowed  = false\n    outbound_allowed = false\n  }".into(),
        ),
    ]));
    acc.tf
        .plan_expect_changed_paths(DEFAULT_ADDR, &["automatic_user_consent.inbound_allowed"])
        .await;
    steps.apply().await;
    assert_eq!(
        live(&acc)["automaticUserConsentSettings"]["inboundAllowed"],
        json!(false)
    );

    steps.destroy().await;
    assert_eq!(live(&acc)["isServiceDefault"], json!(true));
    assert_eq!(
        live(&acc)["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        json!("allowed")
    );
}

/// A default policy changed in the admin center is never overwritten by a create: the error
/// says to import it, nothing is written; after the import the plan shows exactly the blocks
/// the configuration changes, and apply makes them so.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_changed_policy_is_imported_not_overwritten() {
    let acc = Acc::start().await;
    let steps = default_steps(&acc);
    change_in_portal(&acc, |v| {
        v["inboundTrust"]["isCompliantDeviceAccepted"] = json!(true)
    });
    let before = live(&acc);

    steps.config(&default_hcl(&[(
        "inbound_trust",
        trust(true, false, false),
    )]));
    steps
        .apply_expect_error("were changed outside Terraform")
        .await;
    assert_eq!(live(&acc), before, "nothing written");
    assert!(acc.tf.try_resource(DEFAULT_ADDR).await.is_none());

    // Brownfield adoption (Terraform 1.5+): the generated HCL holds the portal's settings, and
    // the plan after applying it is empty.
    if let Some(generated) = adopt_with_generated_config(&acc, DEFAULT_ADDR, "default").await {
        assert!(
            generated.contains("compliant_device_accepted     = true"),
            "{generated}"
        );
        assert_eq!(live(&acc), before, "adoption writes nothing");
    }
    acc.tf
        .run_ok(&[
            "import",
            "-input=false",
            "-no-color",
            DEFAULT_ADDR,
            "default",
        ])
        .await;
    let imported = acc.tf.resource(DEFAULT_ADDR).await;
    assert_eq!(
        imported["inbound_trust"]["compliant_device_accepted"],
        json!(true)
    );
    acc.tf
        .plan_expect_changed_paths(
            DEFAULT_ADDR,
            &[
                "inbound_trust.mfa_accepted",
                "inbound_trust.compliant_device_accepted",
            ],
        )
        .await;
    steps.apply().await;
    assert_eq!(live(&acc)["inboundTrust"]["isMfaAccepted"], json!(true));
    assert_eq!(
        live(&acc)["inboundTrust"]["isCompliantDeviceAccepted"],
        json!(false)
    );
    steps.destroy().await;
}

/// Bad input is refused at plan, naming the attribute, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn bad_targets_are_refused_at_plan() {
    let acc = Acc::start().await;
    acc.config(&default_hcl(&[(
        "b2b_collaboration_inbound",
        b2b_all("blocked").replace(
            "\"AllUsers\", target_type = \"user\"",
            "\"AllUsers\", target_type = \"application\"",
        ),
    )]));
    acc.emu.clear_requests();
    acc.tf.plan_expect_error("b2b_collaboration_inbound").await;
    assert!(
        acc.emu
            .requests()
            .iter()
            .all(|r| !r.path.contains("crossTenantAccessPolicy")),
        "a request for a configuration refused at plan"
    );
}

/// Every block managed at once; a change made in the admin center to any one of them is a diff
/// on that block's attribute alone, and apply restores it.
#[tokio::test(flavor = "multi_thread")]
async fn drift_on_each_block_shows_on_its_attribute() {
    let acc = Acc::start().await;
    let steps = default_steps(&acc);
    steps
        .apply_config(&default_hcl(&[
            ("b2b_collaboration_inbound", b2b_all("blocked")),
            ("b2b_collaboration_outbound", b2b_all("blocked")),
            ("b2b_direct_connect_inbound", b2b_all("allowed")),
            ("b2b_direct_connect_outbound", b2b_all("allowed")),
            ("inbound_trust", trust(true, true, false)),
            ("tenant_restrictions", b2b_all("allowed")),
            (
                "automatic_user_consent",
                "{\n    inbound_allowed  = true\n    outbound_allowed = true\n  }".into(),
            ),
            (
                "invitation_redemption",
                "{\n    primary_identity_provider_precedence_order = [\"azureActiveDirectory\", \"socialIdentityProviders\"]\n    fallback_identity_provider                 = \"emailOneTimePasscode\"\n  }".into(),
            ),
        ]))
        .await;
    assert_eq!(
        live(&acc)["invitationRedemptionIdentityProviderConfiguration"],
        json!({
            "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "socialIdentityProviders"],
            "fallbackIdentityProvider": "emailOneTimePasscode"
        })
    );
    type Drift = fn(&mut Value);
    assert_eq!(
        live(&acc)["tenantRestrictions"]["usersAndGroups"]["accessType"],
        json!("allowed")
    );
    let drifts: [(&str, &str, Drift); 8] = [
        (
            "b2bCollaborationInbound",
            "b2b_collaboration_inbound.users_and_groups.access_type",
            |v| v["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] = json!("allowed"),
        ),
        (
            "b2bCollaborationOutbound",
            "b2b_collaboration_outbound.applications.access_type",
            |v| v["b2bCollaborationOutbound"]["applications"]["accessType"] = json!("allowed"),
        ),
        (
            "b2bDirectConnectInbound",
            "b2b_direct_connect_inbound.users_and_groups.access_type",
            |v| v["b2bDirectConnectInbound"]["usersAndGroups"]["accessType"] = json!("blocked"),
        ),
        (
            "b2bDirectConnectOutbound",
            "b2b_direct_connect_outbound.applications.access_type",
            |v| v["b2bDirectConnectOutbound"]["applications"]["accessType"] = json!("blocked"),
        ),
        (
            "inboundTrust",
            "inbound_trust.hybrid_joined_device_accepted",
            |v| v["inboundTrust"]["isHybridAzureADJoinedDeviceAccepted"] = json!(true),
        ),
        (
            "tenantRestrictions",
            "tenant_restrictions.applications.access_type",
            |v| v["tenantRestrictions"]["applications"]["accessType"] = json!("blocked"),
        ),
        (
            "automaticUserConsentSettings",
            "automatic_user_consent.outbound_allowed",
            |v| v["automaticUserConsentSettings"]["outboundAllowed"] = json!(false),
        ),
        (
            "invitationRedemptionIdentityProviderConfiguration",
            "invitation_redemption.fallback_identity_provider",
            |v| {
                v["invitationRedemptionIdentityProviderConfiguration"]["fallbackIdentityProvider"] =
                    json!("microsoftAccount")
            },
        ),
    ];
    for (graph, attribute, drift) in drifts {
        let applied = live(&acc);
        change_in_portal(&acc, drift);
        acc.tf
            .plan_expect_changed_paths(DEFAULT_ADDR, &[attribute])
            .await;
        steps.apply().await;
        assert_eq!(live(&acc)[graph], applied[graph], "{graph} restored");
    }
    steps.destroy().await;
    assert_eq!(live(&acc)["isServiceDefault"], json!(true));
}
