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

/// A configuration made in the Teams admin center is never overwritten by a create: the error
/// says to import it (`global`), nothing is written; after the import the plan shows exactly
/// the switch the configuration changes, and with the configuration saying what the tenant has
/// the plan is empty. Destroy then restores the defaults but keeps allow-list mode for the
/// domains someone listed by hand.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_made_configuration_is_imported_not_overwritten() {
    let acc = Acc::start().await;
    change_in_portal(
        &acc,
        json!({
            "BlockAllSubdomains": true,
            "AllowedDomains": {"AllowedDomain": [{"Domain": "partner.example"}]},
        }),
    );
    let portal = live(&acc);
    let steps = federation_steps(&acc);
    steps.config(&federation_hcl(&[("domain_mode", "\"allow_list\"")]));
    let out = steps
        .apply_expect_error("were changed outside Terraform")
        .await;
    assert!(
        normalize(&out.combined()).contains("block_all_subdomains"),
        "{out}"
    );
    assert_eq!(live(&acc), portal, "nothing written");

    acc.tf
        .run_ok(&["import", "-input=false", FEDERATION_ADDR, "global"])
        .await;
    acc.tf
        .plan_expect_changed_paths(FEDERATION_ADDR, &["block_all_subdomains"])
        .await;
    steps.config(&federation_hcl(&[
        ("domain_mode", "\"allow_list\""),
        ("block_all_subdomains", "true"),
    ]));
    acc.tf.plan_expect_empty().await;
    steps.apply().await;
    steps.destroy().await;
    let v = live(&acc);
    assert_eq!(v["BlockAllSubdomains"], json!(false));
    assert_eq!(allowed(&acc), Some(vec!["partner.example".to_string()]));
}

/// The switches in allow-list mode plus the domain resources `names` (`d1` → `d1.example`).
fn allow_list_with(names: &[&str]) -> String {
    let mut hcl = federation_hcl(&[("domain_mode", "\"allow_list\"")]);
    for n in names {
        hcl += &domain_hcl(n, &format!("{n}.example"));
    }
    hcl
}

/// Five domains in one apply all land next to one added by hand; one removed out of band comes
/// back on the next apply; domains added by hand (before, and while the configuration is
/// applied) survive every apply and the destroy; a blocked domain is an error naming the
/// setting; destroy leaves the list as it was before.
#[tokio::test(flavor = "multi_thread")]
async fn domains_are_added_in_parallel_and_only_their_own_are_touched() {
    let acc = Acc::start().await;
    // Made by hand before this configuration: allow-list mode with one partner.
    change_in_portal(
        &acc,
        json!({
            "AllowedDomains": {"AllowedDomain": [{"Domain": "byhand.example"}]},
            "BlockedDomains": [{"Domain": "blocked.example"}],
        }),
    );
    let before = live(&acc);
    let names = ["d1", "d2", "d3", "d4", "d5"];
    let steps = federation_steps(&acc)
        .track(&DOMAIN, "d1", &acc.home.tenant_id)
        .track(&DOMAIN, "d3", &acc.home.tenant_id);
    steps.apply_config(&allow_list_with(&names)).await;
    let list = allowed(&acc).unwrap();
    for n in names {
        assert!(list.contains(&format!("{n}.example")), "{n} lost: {list:?}");
    }
    assert!(list.contains(&"byhand.example".to_string()), "{list:?}");
    assert_eq!(list.len(), 6, "{list:?}");

    // Added by hand while the configuration is applied: no diff, never removed.
    let mut with_later = list.clone();
    with_later.push("later.example".into());
    let entries: Vec<_> = with_later.iter().map(|d| json!({"Domain": d})).collect();
    change_in_portal(&acc, json!({"AllowedDomains": {"AllowedDomain": entries}}));
    acc.tf.plan_expect_empty().await;

    // Removed out of band: the plan adds it back, apply does.
    let mut without_d3 = live(&acc);
    let kept: Vec<_> = allowed(&acc)
        .unwrap()
        .iter()
        .filter(|d| *d != "d3.example")
        .map(|d| json!({"Domain": d}))
        .collect();
    without_d3["AllowedDomains"] = json!({"AllowedDomain": kept});
    change_in_portal(
        &acc,
        json!({"AllowedDomains": without_d3["AllowedDomains"]}),
    );
    let plan = acc.tf.run_ok(&["plan", "-input=false", "-no-color"]).await;
    assert!(
        plan.stdout
            .contains(&format!("{DOMAIN_TYPE}.d3 will be created")),
        "{plan}"
    );
    steps.apply().await;
    assert!(allowed(&acc).unwrap().contains(&"d3.example".to_string()));

    // A blocked domain: an error naming the setting, nothing written.
    let mut with_blocked = allow_list_with(&names);
    with_blocked += &format!(
        "resource \"{DOMAIN_TYPE}\" \"blocked\" {{\n  domain     = \"blocked.example\"\n  depends_on = [{FEDERATION_ADDR}]\n}}\n"
    );
    steps.config(&with_blocked);
    steps.apply_expect_error("BlockedDomains").await;
    assert!(!allowed(&acc)
        .unwrap()
        .contains(&"blocked.example".to_string()));

    // Destroy: the five go, the ones added by hand stay, so does allow-list mode: the
    // configuration is as it was before, plus what was added by hand meanwhile.
    steps.config(&allow_list_with(&names));
    steps.destroy().await;
    let mut expected = before;
    expected["AllowedDomains"] =
        json!({"AllowedDomain": [{"Domain": "byhand.example"}, {"Domain": "later.example"}]});
    assert_eq!(live(&acc), expected);
}

/// Without allow-list mode there is no allowed list: the error names the setting and how to
/// turn it on.
#[tokio::test(flavor = "multi_thread")]
async fn a_domain_in_block_list_mode_is_an_error_naming_the_setting() {
    let acc = Acc::start().await;
    let steps = Steps::new(&acc).track(&DOMAIN, "d1", &acc.home.tenant_id);
    steps.config(&format!(
        "resource \"{DOMAIN_TYPE}\" \"d1\" {{\n  domain = \"d1.example\"\n}}\n"
    ));
    let out = steps.apply_expect_error("block-list mode").await;
    let text = normalize(&out.combined());
    assert!(
        text.contains("AllowAllKnownDomains") && text.contains("domain_mode = \"allow_list\""),
        "{text}"
    );
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}
