//! Acceptance scenarios for what `coexistence_xts_job` needs before it can be made: the partner
//! settings of both tenants (named all at once, as blocks that apply) and scoping IDs that
//! exist, through the real CLI.

mod common;

use coexistence_acceptance::harness::normalize;
use common::xts_job::{applications, flow, start, steps, Job, Partners, GROUP, XTS_ADDR, XTS_JOB};
use common::*;
use std::time::Duration;

/// The target's partner block the errors suggest (its two settings, complete objects).
const TARGET_SETTINGS: &str = "automatic_user_consent = { inbound_allowed = true, outbound_allowed = false } identity_synchronization = { user_sync_inbound_allowed = true }";

/// A missing setting of this (source) tenant fails before anything is made; a missing setting
/// of the target (only the service's credential check sees it, after the instantiate) names
/// both of the target's settings, whichever the service named, and the application made for
/// the check stays in state (tainted): the next apply replaces it, nothing is orphaned.
#[tokio::test(flavor = "multi_thread")]
async fn each_missing_partner_setting_names_its_attribute_and_nothing_is_orphaned() {
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    let body = Job::default().body();
    steps.config(&flow(
        &acc,
        Partners {
            source_consent_outbound: false,
            ..Partners::default()
        },
        &body,
    ));
    let out = steps.apply_expect_error("Nothing was created.").await;
    let text = normalize(&out.stderr);
    assert!(
        text.contains(
            "automatic_user_consent = { inbound_allowed = false, outbound_allowed = true }"
        ) && text.contains(TARGET_SETTINGS),
        "{out}"
    );
    assert!(!acc.tf.state_list().await.contains(&XTS_ADDR.to_string()));
    assert!(applications(&acc, &home).is_empty(), "nothing was made");

    for partners in [
        Partners {
            target_sync_inbound: false,
            ..Partners::default()
        },
        Partners {
            target_consent_inbound: false,
            ..Partners::default()
        },
    ] {
        steps.config(&flow(&acc, partners, &body));
        let out = steps.apply_expect_error(TARGET_SETTINGS).await;
        assert!(
            normalize(&out.stderr).contains("is not allowed by the partner settings")
                && !out.stderr.contains("This (source) tenant"),
            "{out}"
        );
        let listed = acc.tf.state_list().await;
        assert!(
            listed.contains(&XTS_ADDR.to_string()),
            "kept (tainted): {listed:?}"
        );
        assert_eq!(
            applications(&acc, &home).len(),
            1,
            "the tainted configuration was replaced, not left behind"
        );
    }
    steps.config(&flow(&acc, Partners::default(), &body));
    acc.tf.plan_expect_replace(XTS_ADDR).await;
    steps.apply().await;
    assert_eq!(applications(&acc, &home).len(), 1);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
}

/// The resource blocks of a diagnostic's text: from a `resource` line to its closing brace.
fn suggested_blocks(stderr: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in stderr.lines() {
        let l = line.trim_start_matches(['│', ' ']);
        if l.starts_with("resource \"") {
            current = Some(vec![l]);
        } else if let Some(c) = current.as_mut() {
            c.push(l);
            if l == "}" {
                blocks.push(current.take().unwrap().join("\n"));
            }
        }
    }
    blocks
}

/// Neither tenant has any partner settings: one apply names every missing setting of both
/// tenants, and makes nothing; the HCL it suggests, applied as written (with the target's
/// provider aliased as the suggestion names it), lets the job be made.
#[tokio::test(flavor = "multi_thread")]
async fn missing_settings_of_both_tenants_are_named_at_once_and_the_suggestion_applies() {
    let acc = start().await;
    let home = acc.home.tenant_id.clone();
    let partner = acc.partner.tenant_id.clone();
    let steps = Steps::new(&acc)
        .track(&XTS_JOB, "to_fabrikam", &home)
        .track(&PARTNER, "sync_target", &home)
        .track(&PARTNER, "sync_source", &partner);
    let job = |depends: &str| {
        format!(
            "resource \"coexistence_xts_job\" \"to_fabrikam\" {{\n  target_tenant_id = {}\n{}{depends}}}\n",
            q(&partner),
            Job::default().body()
        )
    };
    let target_provider = acc.provider_block(&acc.partner, Some("target"));
    steps.config(&format!("{target_provider}\n{}", job("")));
    let out = steps.apply_expect_error("Nothing was created.").await;
    let text = normalize(&out.stderr);
    assert!(
        text.contains(&format!(
            "has no partner configuration for the target tenant {partner}"
        )) && text.contains(
            "automatic_user_consent = { inbound_allowed = false, outbound_allowed = true }"
        ) && text.contains(TARGET_SETTINGS),
        "{out}"
    );
    assert_eq!(out.stderr.matches("Error:").count(), 1, "one error: {out}");
    assert!(applications(&acc, &home).is_empty(), "nothing was made");
    assert!(
        !acc.emu
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/instantiate")),
        "no instantiate"
    );

    let blocks = suggested_blocks(&out.stderr);
    assert_eq!(blocks.len(), 2, "{out}");
    steps.config(&format!(
        "{target_provider}\n{}\n\n{}",
        blocks.join("\n\n"),
        job("  depends_on = [coexistence_cross_tenant_access_partner.sync_target, coexistence_cross_tenant_access_partner.sync_source]\n"),
    ));
    steps.apply().await;
    let state = acc.tf.resource(XTS_ADDR).await;
    assert_eq!(state["enabled"], true, "{state:#}");
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

/// A scoping group ID that does not exist in the source tenant fails the create within the
/// bounded wait (a quarter of a 40 s create timeout: 10 s), naming the attribute, the ID, the
/// tenant and the time waited; the configuration made so far is tainted and replaced once the
/// ID is fixed.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_scoping_id_is_named_after_a_bounded_wait() {
    const NO_SUCH_GROUP: &str = "deadbeef-0000-4000-8000-000000000001";
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    let job = Job {
        groups: vec![GROUP, NO_SUCH_GROUP],
        extra: "  timeouts = { create = \"40s\" }\n",
        ..Job::default()
    };
    steps.config(&job.hcl(&acc));
    let started = std::time::Instant::now();
    let out = steps
        .apply_expect_error(&format!(
            "The group {NO_SUCH_GROUP} in scoping_group_ids was not found"
        ))
        .await;
    let took = started.elapsed();
    let text = normalize(&out.stderr);
    assert!(
        text.contains(&format!("exists in this (source) tenant {home}"))
            && text.contains("answered 404 for 1"),
        "{out}"
    );
    assert!(
        took < Duration::from_secs(30),
        "failed within the bounded wait, not the create timeout: {took:?}"
    );
    assert!(acc.tf.is_tainted(XTS_ADDR), "kept, tainted");

    let job = Job {
        groups: vec![GROUP],
        ..job
    };
    steps.config(&job.hcl(&acc));
    acc.tf.plan_expect_replace(XTS_ADDR).await;
    steps.apply().await;
    assert_eq!(applications(&acc, &home).len(), 1);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}
