//! Acceptance scenarios for what `coexistence_cross_tenant_access_partner` sends to Graph:
//! faults and replication lag ridden out, a half-failed create kept and tainted, one GET per
//! refresh, exactly the DELETEs a destroy needs. Lifecycle scenarios are in
//! `cross_tenant_access_partner.rs`; both run their applies and destroys through [`Steps`]
//! tracking [`PARTNER`].

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

/// 8. throttling, outages and replication lag are ridden out.
#[tokio::test(flavor = "multi_thread")]
async fn apply_through_faults_and_replication_lag() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    steps.config(&p.hcl());

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

    steps.apply().await;
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

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// 9. create half fails (sync policy PUT fails past the deadline): the partner is kept in state,
/// tainted, not orphaned; the next apply replaces it cleanly.
#[tokio::test(flavor = "multi_thread")]
async fn half_failed_create_is_tainted_then_replaced() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner {
        extra: "  timeouts = { create = \"5s\" }\n".into(),
        ..Partner::full(&acc.partner.tenant_id)
    };
    steps.config(&p.hcl());
    // One 503 whose Retry-After lies far past the 5s create deadline: the provider must give up
    // (it may not retry past its deadline), and the fault is used up afterwards.
    acc.emu.inject(Fault {
        retry_after: Some("3600".into()),
        ..fault(503, 1, None, Some("/identitySynchronization"))
    });
    steps.apply_expect_error("identitySynchronization").await;

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

    // Tainted: replaced with no attribute to blame.
    acc.tf.plan_expect_replace_because(ADDR, &[]).await;
    steps.apply().await;
    assert!(!acc.tf.is_tainted(ADDR));
    assert_emulator_matches(&acc, &home, &p);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
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

/// 12. a refresh of one partner costs one Graph GET: the listing of the partners with their
/// policies expanded inline, which answers every partner's refresh in the process; a destroy
/// sends exactly the DELETEs state calls for (none for a policy that does not exist).
#[tokio::test(flavor = "multi_thread")]
async fn one_get_per_refresh_and_no_wasted_delete() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let partner = format!("/v1.0{}", partner_path(&acc.partner.tenant_id));
    let expanded =
        "GET /v1.0/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization"
            .to_string();
    for p in [
        Partner::minimal(&acc.partner.tenant_id),
        Partner::full(&acc.partner.tenant_id),
    ] {
        steps.apply_config(&p.hcl()).await;
        acc.emu.clear_requests();
        acc.tf.plan_expect_empty().await;
        assert_eq!(
            graph_calls(&acc),
            std::slice::from_ref(&expanded),
            "a refresh of one partner must be one GET (the listing)"
        );

        acc.emu.clear_requests();
        steps.destroy().await;
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
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    steps.apply_config(&p.hcl()).await;
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
