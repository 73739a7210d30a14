//! Acceptance scenarios for the Teams federation resources (preview) against the emulator,
//! through the real terraform CLI. [`Steps`] follows every apply with an empty plan and
//! import-verify, and every destroy with a check that nothing the resource set is left.

mod common;

use common::teams_federation::*;
use common::*;
use serde_json::json;

/// The switches: set on create (only what differs is written), changed in place, drift shown
/// on its attribute and corrected, imported with an empty plan (import-verify after every
/// apply, and a fresh import of a portal-made configuration), destroy restores the defaults.
#[tokio::test(flavor = "multi_thread")]
async fn switches_are_set_changed_drifted_imported_and_restored() {
    let acc = Acc::start().await;
    let steps = federation_steps(&acc);
    assert_eq!(
        allowed(&acc),
        None,
        "the service default is block-list mode"
    );

    steps
        .apply_config(&federation_hcl(&[
            ("domain_mode", "\"allow_list\""),
            ("allow_teams_consumer", "false"),
            ("allow_teams_consumer_inbound", "false"),
        ]))
        .await;
    let v = live(&acc);
    assert_eq!(v["AllowTeamsConsumer"], json!(false));
    assert_eq!(v["AllowTeamsConsumerInbound"], json!(false));
    assert_eq!(
        v["AllowFederatedUsers"],
        json!(true),
        "left out: the default"
    );
    assert_eq!(
        allowed(&acc),
        Some(vec![]),
        "allow-list mode, nobody listed yet"
    );
    let state = acc.tf.resource(FEDERATION_ADDR).await;
    assert_eq!(state["id"], json!("global"));
    assert_eq!(
        state["external_access_with_trial_tenants"],
        json!("Blocked")
    );

    // In place: only the changed switch is sent.
    acc.emu.clear_requests();
    steps.config(&federation_hcl(&[
        ("domain_mode", "\"allow_list\""),
        ("allow_teams_consumer", "false"),
        ("allow_teams_consumer_inbound", "false"),
        ("external_access_with_trial_tenants", "\"Allowed\""),
    ]));
    acc.tf
        .plan_expect_changed_paths(FEDERATION_ADDR, &["external_access_with_trial_tenants"])
        .await;
    steps.apply().await;
    let patches: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.body)
        .collect();
    assert_eq!(
        patches.first(),
        Some(&json!({"ExternalAccessWithTrialTenants": "Allowed"})),
        "{patches:#?}"
    );
    assert_eq!(
        live(&acc)["ExternalAccessWithTrialTenants"],
        json!("Allowed")
    );

    // Drift in the admin center: a diff on that attribute, and apply restores it.
    change_in_portal(&acc, json!({"AllowTeamsConsumer": true}));
    acc.tf
        .plan_expect_changed_paths(FEDERATION_ADDR, &["allow_teams_consumer"])
        .await;
    steps.apply().await;
    assert_eq!(live(&acc)["AllowTeamsConsumer"], json!(false));
    // Drift of the mode (someone chose "Allow all external domains").
    change_in_portal(
        &acc,
        json!({"AllowedDomains": {"AllowAllKnownDomains": {}}}),
    );
    acc.tf
        .plan_expect_changed_paths(FEDERATION_ADDR, &["domain_mode"])
        .await;
    steps.apply().await;
    assert_eq!(allowed(&acc), Some(vec![]));

    // Bad values are refused at plan, naming the attribute.
    steps.config(&federation_hcl(&[("domain_mode", "\"allowlist\"")]));
    let out = acc.tf.run(&["plan", "-input=false", "-no-color"]).await;
    assert!(!out.success());
    let text = normalize(&out.combined());
    assert!(text.contains("domain_mode"), "{text}");

    // Destroy: back to the service defaults, nothing stored.
    steps.config(&federation_hcl(&[
        ("domain_mode", "\"allow_list\""),
        ("allow_teams_consumer", "false"),
        ("allow_teams_consumer_inbound", "false"),
        ("external_access_with_trial_tenants", "\"Allowed\""),
    ]));
    steps.destroy().await;
    assert_eq!(
        live(&acc),
        coexistence_acceptance::emulator::teams::federation::service_default()
    );
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}

/// A configuration made in the Teams admin center is imported with `global`: the plan is
/// empty when the configuration says what the tenant has, and destroy then restores the
/// defaults but keeps allow-list mode for the domains someone listed by hand.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_made_configuration_is_imported_with_an_empty_plan() {
    let acc = Acc::start().await;
    change_in_portal(
        &acc,
        json!({
            "AllowFederatedUsers": true,
            "BlockAllSubdomains": true,
            "AllowedDomains": {"AllowedDomain": [{"Domain": "partner.example"}]},
        }),
    );
    let steps = federation_steps(&acc);
    steps.config(&federation_hcl(&[
        ("domain_mode", "\"allow_list\""),
        ("block_all_subdomains", "true"),
    ]));
    acc.tf
        .run_ok(&["import", "-input=false", FEDERATION_ADDR, "global"])
        .await;
    acc.tf.plan_expect_empty().await;
    steps.apply().await;
    steps.destroy().await;
    let v = live(&acc);
    assert_eq!(v["BlockAllSubdomains"], json!(false));
    assert_eq!(allowed(&acc), Some(vec!["partner.example".to_string()]));
}
