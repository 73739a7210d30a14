//! Acceptance scenarios for `coexistence_xts_job` with the emulator's provisioning engine on:
//! who a cycle synchronizes (scoping by department, a matched guest, a user leaving scope),
//! quarantine, and destroy with and without `deprovision_on_destroy`. The resource's own
//! lifecycle, mappings and filters: `xts_job.rs`.

mod common;

use coexistence_acceptance::emulator::graph::xts;
use common::xts_job::{remote, start, steps, Job, GROUP, XTS_ADDR};
use common::*;
use serde_json::{json, Value};

/// The users of `tenant` synchronized from `source`: (target user, source user id).
fn synchronized(acc: &Acc, tenant: &str, source: &str) -> Vec<(Value, String)> {
    let mut v: Vec<(Value, String)> = acc
        .emu
        .as_ref()
        .with_store(tenant, |s| s.children(xts::USERS_PATH))
        .into_iter()
        .filter_map(|(_, u)| {
            let key = u["alternativeSecurityIds"]
                .as_array()?
                .iter()
                .find(|a| a["identityProvider"] == source)?["key"]
                .as_str()?
                .to_string();
            Some((u, key))
        })
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

const SALES_1: &str = "5a1e5000-0000-4000-8000-000000000001";
const SALES_2: &str = "5a1e5000-0000-4000-8000-000000000002";
const MARKETING: &str = "5a1e5000-0000-4000-8000-000000000003";
const GUEST: &str = "9e575000-0000-4000-8000-000000000002";

const SALES_ONLY: &str = r#"
  scoping_filters = [
    { name = "Filter external users", clauses = [
      { attribute = "alternativeSecurityIds", operator = "EQUALS", values = ["None"] },
      { attribute = "department", operator = "EQUALS", values = ["Sales"] },
    ] },
  ]
  attribute_mappings = [
    { target_attribute = "extensionAttribute1", source_type = "Constant", source = "Contoso", flow_type = "ObjectAddOnly" },
  ]
"#;

const SALES_ONLY_DEPROVISIONED: &str = r#"
  scoping_filters = [
    { name = "Filter external users", clauses = [
      { attribute = "alternativeSecurityIds", operator = "EQUALS", values = ["None"] },
      { attribute = "department", operator = "EQUALS", values = ["Sales"] },
    ] },
  ]
  attribute_mappings = [
    { target_attribute = "extensionAttribute1", source_type = "Constant", source = "Contoso", flow_type = "ObjectAddOnly" },
  ]
  deprovision_on_destroy = true
"#;

/// The emulator provisions: a scoping filter by department leaves exactly the Sales members of
/// the assigned group in the target, with the mapped user type and constants; an existing guest
/// is matched by its alternative security ID and converted, not duplicated; a user who leaves
/// the department is soft-deleted at the next cycle. Destroy with `deprovision_on_destroy`
/// leaves no synchronized user; without it, the users stay.
#[tokio::test(flavor = "multi_thread")]
async fn provisioning_by_department_and_deprovision_on_destroy() {
    let acc = start().await;
    xts::set_provisioning(&acc.emu, true);
    let (home, target) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    for (id, dept) in [
        (SALES_1, "Sales"),
        (SALES_2, "Sales"),
        (MARKETING, "Marketing"),
    ] {
        xts::add_user_with(
            &acc.emu,
            &home,
            id,
            json!({"displayName": id, "userPrincipalName": format!("{id}@contoso.com"), "department": dept, "accountEnabled": true}),
        );
    }
    xts::add_group_with_members(
        &acc.emu,
        &home,
        GROUP,
        "Sales",
        &[SALES_1, SALES_2, MARKETING],
    );
    // Already a guest in the target, with the alternative security ID the matching uses.
    xts::add_user_with(
        &acc.emu,
        &target,
        GUEST,
        json!({"userType": "Guest", "alternativeSecurityIds": [{"type": 1, "identityProvider": home, "key": SALES_2}]}),
    );

    let steps = steps(&acc);
    let mut job = Job {
        extra: SALES_ONLY_DEPROVISIONED,
        ..Job::default()
    };
    steps.apply_config(&job.hcl(&acc)).await;
    let users = synchronized(&acc, &target, &home);
    let keys: Vec<&str> = users.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(keys, vec![SALES_1, SALES_2], "exactly the Sales members");
    for (u, _) in &users {
        assert_eq!(u["userType"], "Member", "{u:#}");
        assert_eq!(u["showInAddressList"], true, "{u:#}");
        assert_eq!(u["department"], "Sales", "{u:#}");
    }
    assert_eq!(users[1].0["id"], GUEST, "the guest matched, not duplicated");
    assert!(
        users[1].0.get("extensionAttribute1").is_none(),
        "ObjectAddOnly: not on a matched user"
    );
    assert_eq!(users[0].0["extensionAttribute1"], "Contoso");
    let j = remote(&acc).await.1;
    assert_eq!(j["status"]["code"], "Active", "{j:#}");
    assert_eq!(j["status"]["lastExecution"]["state"], "Succeeded");
    assert_eq!(j["status"]["synchronizedEntryCountByType"][0]["value"], 2);
    assert_ne!(
        j["status"]["steadyStateLastAchievedTime"],
        "0001-01-01T00:00:00Z"
    );

    // Left the department: soft-deleted at the next cycle.
    let mut u1 = acc
        .emu
        .object(&home, &format!("{}/{SALES_1}", xts::USERS_PATH))
        .unwrap();
    u1["department"] = json!("Marketing");
    acc.emu
        .put_object(&home, &format!("{}/{SALES_1}", xts::USERS_PATH), u1);
    let ran = xts::run_cycles(&acc.emu, &home);
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].1.soft_deleted, 1, "{ran:?}");
    let keys: Vec<String> = synchronized(&acc, &target, &home)
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    assert_eq!(keys, vec![SALES_2.to_string()]);

    // The target stops allowing inbound synchronization: the next cycle quarantines the job,
    // and the reason reads back; allowed again, a restart (start) clears it.
    let sync = coexistence_acceptance::emulator::graph::xtap::sync_path(&home);
    let allowed = acc
        .emu
        .object(&target, &sync)
        .expect("the target's sync policy");
    let mut forbidden = allowed.clone();
    forbidden["userSyncInbound"]["isSyncAllowed"] = json!(false);
    acc.emu.put_object(&target, &sync, forbidden);
    let ran = xts::run_cycles(&acc.emu, &home);
    assert!(ran[0].1.quarantined, "{ran:?}");
    let j = remote(&acc).await.1;
    assert_eq!(j["status"]["code"], "Quarantine");
    assert_eq!(
        j["status"]["quarantine"]["reason"],
        "EncounteredQuarantineException"
    );
    assert_eq!(j["status"]["lastExecution"]["state"], "Failed");
    acc.tf
        .run_ok(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
        .await;
    let st = acc.tf.resource(XTS_ADDR).await;
    assert_eq!(st["status"], "Quarantine");
    assert_eq!(st["quarantine_reason"], "EncounteredQuarantineException");
    acc.emu.put_object(&target, &sync, allowed);
    assert!(!xts::run_cycles(&acc.emu, &home)[0].1.quarantined);

    // Destroy with deprovision_on_destroy: nobody synchronized is left.
    steps.destroy().await;
    assert!(
        synchronized(&acc, &target, &home).is_empty(),
        "deprovisioned"
    );
    assert_tenant_empty(&acc, &home);

    // Without it: the users stay.
    job.extra = SALES_ONLY;
    steps.apply_config(&job.hcl(&acc)).await;
    assert_eq!(synchronized(&acc, &target, &home).len(), 1);
    steps.destroy().await;
    assert_eq!(
        synchronized(&acc, &target, &home).len(),
        1,
        "left in the target"
    );
    assert_tenant_empty(&acc, &home);
    xts::set_provisioning(&acc.emu, false);
}
