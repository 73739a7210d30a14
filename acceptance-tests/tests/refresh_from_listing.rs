//! List-backed refresh through the real CLI: fifty partner configurations in one workspace,
//! refreshed from one listing per provider process. A plan costs one Graph request for all
//! of them; drift still shows on exactly the attribute changed; an object deleted out of band
//! leaves state; one (re)created by another process after the listing was taken is read
//! directly and kept; an apply's read-back never answers from the listing its refresh made.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const N: usize = 50;

/// The partner tenants, sorted as Terraform lists `for_each` keys.
fn partner_tenants() -> Vec<String> {
    let mut t: Vec<String> = (0..N).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    t.sort();
    t
}

fn config(acc: &Acc, tenants: &[String]) -> String {
    let list = tenants
        .iter()
        .map(|t| format!("    \"{t}\","))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "{}\nlocals {{\n  partners = [\n{list}\n  ]\n}}\n\nresource \"{PARTNER_TYPE}\" \"p\" {{\n  for_each  = toset(local.partners)\n  tenant_id = each.key\n  inbound_trust = {{ mfa_accepted = true, compliant_device_accepted = false, hybrid_joined_device_accepted = false }}\n}}\n",
        acc.provider()
    )
}

fn address(tenant: &str) -> String {
    format!("{PARTNER_TYPE}.p[\"{tenant}\"]")
}

/// Graph requests of the partner configurations in the log since the last clear.
fn partner_requests(acc: &Acc) -> Vec<String> {
    acc.emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/crossTenantAccessPolicy/partners"))
        .map(|r| match r.query {
            Some(q) => format!("{} {}?{q}", r.method, r.path),
            None => format!("{} {}", r.method, r.path),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_partners_refresh_from_one_listing_and_stay_exact() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let tenants = partner_tenants();
    acc.tf.write_config(&config(&acc, &tenants));
    acc.tf.apply_no_plan_check().await;
    assert_eq!(
        acc.emu
            .objects(&home)
            .iter()
            .filter(|(p, _)| p.starts_with("/policies/crossTenantAccessPolicy/partners/"))
            .count(),
        N
    );

    // A plan of fifty partners: one listing answers every refresh.
    acc.emu.clear_requests();
    acc.tf.plan_expect_empty().await;
    let calls = partner_requests(&acc);
    assert!(
        calls.len() <= 3,
        "a plan of {N} partners sent {} partner requests: {calls:#?}",
        calls.len()
    );
    assert_eq!(
        calls,
        ["GET /v1.0/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization"]
    );

    // Out of band: one partner changed, one deleted, and one deleted and made again by another
    // process while this plan's listing is being answered (held after the service computed it,
    // so the listing lacks it): its own read finds it.
    let (changed, deleted, late) = (&tenants[7], &tenants[13], &tenants[21]);
    assert!(acc.emu.patch_object(
        &home,
        &partner_path(changed),
        json!({"inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}}),
    ));
    assert!(acc.emu.delete_object(&home, &partner_path(deleted)));
    let late_object = acc.emu.object(&home, &partner_path(late)).unwrap();
    assert!(acc.emu.delete_object(&home, &partner_path(late)));
    acc.emu.inject(Fault {
        after_apply: true,
        delay_seconds: 3.0,
        ..fault(0, 1, Some("GET"), Some("/crossTenantAccessPolicy/partners"))
    });
    acc.emu.clear_requests();
    let recreate = async {
        let started = std::time::Instant::now();
        while acc.emu.held_requests() == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the listing was never sent"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        acc.emu
            .put_object(&home, &partner_path(late), late_object.clone());
    };
    let (plan, ()) = tokio::join!(acc.tf.plan_changes(), recreate);
    let mut changed_addresses = plan.changed_addresses();
    changed_addresses.sort();
    let mut want = vec![address(changed), address(deleted)];
    want.sort();
    assert_eq!(changed_addresses, want, "{plan}");
    let drift = plan.expect_change(&address(changed));
    assert_eq!(drift.actions, ["update"]);
    assert_eq!(
        drift.changed_paths.iter().collect::<Vec<_>>(),
        ["inbound_trust.mfa_accepted"]
    );
    assert_eq!(plan.expect_change(&address(deleted)).actions, ["create"]);
    assert!(plan.expect_change(&address(late)).is_noop(), "{plan}");
    let calls = partner_requests(&acc);
    assert!(
        calls.contains(&format!(
            "GET /v1.0{}?$expand=identitySynchronization",
            partner_path(late)
        )),
        "the partner missing from the listing is read directly: {calls:#?}"
    );
    assert!(
        !calls.contains(&format!(
            "GET /v1.0{}?$expand=identitySynchronization",
            partner_path(changed)
        )),
        "a listed partner is not read again: {calls:#?}"
    );

    // The apply's refresh lists again (the drift is in that listing); the update's read-back
    // is a direct GET after the PATCH, never the listing, so it sees what was written.
    acc.emu.clear_requests();
    acc.tf.apply_no_plan_check().await;
    let calls = partner_requests(&acc);
    let patch = calls
        .iter()
        .position(|c| *c == format!("PATCH /v1.0{}", partner_path(changed)))
        .unwrap_or_else(|| panic!("no PATCH of the changed partner: {calls:#?}"));
    assert!(
        calls[patch..].contains(&format!(
            "GET /v1.0{}?$expand=identitySynchronization",
            partner_path(changed)
        )),
        "read back directly after the PATCH: {calls:#?}"
    );
    let state = acc.tf.resource(&address(changed)).await;
    assert_eq!(state["inbound_trust"]["mfa_accepted"], json!(true));
    assert!(acc.emu.object(&home, &partner_path(deleted)).is_some());
    acc.tf.plan_expect_empty().await;
}
