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

/// What a module called once per pair reads on every plan, in one provider process: the
/// same tenant lookup and mail routing per call, and a `check`-style partner data source per
/// pair. The lookup and the routing are read once per configuration (this provider never
/// writes them); the partner data sources are answered from the partner listing the refresh
/// already made, except a partner the listing lacks, read directly. An apply's data source
/// that depends on a partner just written sees the write.
#[tokio::test(flavor = "multi_thread")]
async fn data_sources_read_per_pair_cost_one_read_per_process() {
    const PAIRS: usize = 10;
    let acc = Acc::start().await;
    let tenants: Vec<String> = partner_tenants().into_iter().take(3).collect();
    let absent = uuid::Uuid::new_v4().to_string();
    let list = tenants
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    acc.config(&format!(
        r#"
locals {{
  pairs    = toset([for i in range({PAIRS}) : tostring(i)])
  partners = toset([{list}])
}}

resource "{PARTNER_TYPE}" "p" {{
  for_each      = local.partners
  tenant_id     = each.key
  inbound_trust = {{ mfa_accepted = true, compliant_device_accepted = false, hybrid_joined_device_accepted = false }}
}}

data "coexistence_tenant" "hub" {{
  for_each    = local.pairs
  domain_name = "{domain}"
}}

data "coexistence_mail_routing" "hub" {{
  for_each = local.pairs
}}

data "{PARTNER_TYPE}" "live" {{
  for_each  = {PARTNER_TYPE}.p
  tenant_id = each.value.tenant_id
}}

data "{PARTNER_TYPE}" "absent" {{
  tenant_id = "{absent}"
}}

output "live" {{
  value = {{ for k, d in data.{PARTNER_TYPE}.live : k => [d.exists, d.inbound_trust.mfa_accepted] }}
}}
output "absent" {{
  value = data.{PARTNER_TYPE}.absent.exists
}}
output "hub" {{
  value = distinct([for d in data.coexistence_tenant.hub : d.tenant_id])
}}
output "routing" {{
  value = length(distinct([for d in data.coexistence_mail_routing.hub : d.initial_domain_mx]))
}}
"#,
        domain = acc.home.default_domain,
    ));
    acc.tf.apply_no_plan_check().await;
    // Read at apply, after the partners were created: the creates dropped the listing.
    let live = acc.tf.output("live").await;
    for t in &tenants {
        assert_eq!(live[t], json!([true, true]), "{live:#}");
    }
    assert_eq!(acc.tf.output("absent").await, json!(false));
    assert_eq!(acc.tf.output("hub").await, json!([acc.home.tenant_id]));
    assert_eq!(acc.tf.output("routing").await, json!(1));

    acc.emu.clear_requests();
    acc.tf.plan_expect_empty().await;
    let log = acc.emu.requests();
    let count = |f: &dyn Fn(&str) -> bool| log.iter().filter(|r| f(&r.path)).count();
    assert_eq!(
        count(&|p| p.contains("findTenantInformationBy")),
        1,
        "{PAIRS} lookups of one domain: one request"
    );
    let first_pages = log
        .iter()
        .filter(|r| {
            r.path == "/v1.0/domains" && r.query.as_deref().is_none_or(|q| !q.contains("skiptoken"))
        })
        .count();
    assert_eq!(first_pages, 1, "{PAIRS} routings: one listing: {log:#?}");
    let records = count(&|p| p.ends_with("/serviceConfigurationRecords"));
    let distinct_records = log
        .iter()
        .filter(|r| r.path.ends_with("/serviceConfigurationRecords"))
        .map(|r| r.path.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(
        records > 0 && records == distinct_records,
        "each domain's records once: {log:#?}"
    );
    let mut calls = partner_requests(&acc);
    calls.sort();
    let mut want = vec![
        "GET /v1.0/policies/crossTenantAccessPolicy/partners?$expand=identitySynchronization"
            .to_string(),
        format!(
            "GET /v1.0{}?$expand=identitySynchronization",
            partner_path(&absent)
        ),
    ];
    want.sort();
    assert_eq!(
        calls,
        want,
        "the partners' refreshes and their data sources share one listing; only the partner it lacks is read directly"
    );
}
