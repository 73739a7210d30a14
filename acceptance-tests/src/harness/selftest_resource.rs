//! Self-tests of the plan checks and the declarative resource steps: they read what both
//! supported terraform CLIs emit, and they fail when an invariant is broken.

use std::sync::Arc;

use serde_json::{json, Value};

use super::plan::changed_paths;
use super::selftest::terraform_1_0_3;
use super::*;

fn paths(v: &[&str]) -> std::collections::BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn changed_paths_walk_objects_and_keep_lists_whole() {
    let before = json!({
        "id": "x", "tenant_id": "t",
        "inbound_trust": {"mfa_accepted": true, "compliant_device_accepted": false},
        "b2b": {"users": {"access_type": "allowed", "targets": [{"target": "A"}]}},
        "consent": null,
    });
    let after = json!({
        "id": "x", "tenant_id": "t",
        "inbound_trust": {"mfa_accepted": false, "compliant_device_accepted": false},
        "b2b": {"users": {"access_type": "allowed", "targets": [{"target": "B"}]}},
        "consent": {"inbound_allowed": true},
    });
    assert_eq!(
        changed_paths(&before, &after, &json!({})),
        paths(&["inbound_trust.mfa_accepted", "b2b.users.targets", "consent"])
    );
    // A block removed is its name; nothing else changed.
    let removed = json!({"id": "x", "tenant_id": "t", "inbound_trust": null, "b2b": before["b2b"], "consent": null});
    assert_eq!(
        changed_paths(&before, &removed, &json!({})),
        paths(&["inbound_trust"])
    );
    assert!(changed_paths(&before, &before, &json!({})).is_empty());
}

#[test]
fn changed_paths_count_unknown_values() {
    // Create: before is null, the id is known after apply.
    let after = json!({"tenant_id": "t", "id": null, "schedule": {"interval": "PT40M"}});
    let unknown = json!({"id": true, "schedule": {"state": true}});
    assert_eq!(
        changed_paths(&Value::Null, &after, &unknown),
        paths(&[""]),
        "a create changes the whole object"
    );
    // Update where a nested computed value becomes unknown.
    let before =
        json!({"tenant_id": "t", "id": "i", "schedule": {"interval": "PT40M", "state": "Active"}});
    let after = json!({"tenant_id": "t", "id": "i", "schedule": {"interval": "PT40M"}});
    assert_eq!(
        changed_paths(&before, &after, &json!({"schedule": {"state": true}})),
        paths(&["schedule.state"])
    );
    // A list whose values stay equal but one element becomes unknown.
    let list = json!({"members": [{"state": "a"}]});
    assert_eq!(
        changed_paths(&list, &list, &json!({"members": [{"state": true}]})),
        paths(&["members"])
    );
}

#[test]
fn replace_paths_and_actions_read_from_plan_json() {
    let plan = Plan(json!({"resource_changes": [{
        "address": "a.b",
        "change": {
            "actions": ["delete", "create"],
            "before": {"tenant_id": "x", "targets": [1]},
            "after": {"tenant_id": "y", "targets": [1]},
            "after_unknown": {"id": true},
            "replace_paths": [["tenant_id"], ["targets", 0, "target"]],
        },
    }, {
        "address": "a.c", "change": {"actions": ["no-op"], "before": {"x": 1}, "after": {"x": 1}, "after_unknown": {}},
    }]}));
    let c = plan.expect_change("a.b");
    assert!(c.is_replace() && !c.is_noop());
    assert_eq!(c.changed_paths, paths(&["id", "tenant_id"]));
    assert_eq!(c.replace_paths, paths(&["tenant_id", "targets"]));
    assert!(plan.expect_change("a.c").is_noop());
    assert_eq!(plan.changed_addresses(), ["a.b"]);
}

const PARTNER_TYPE: &str = "coexistence_cross_tenant_access_partner";

/// The partner resource as the scenario files describe it (kept small here: the self-tests may
/// not depend on `tests/common`).
const fn partner_type() -> ResourceType {
    ResourceType {
        type_name: PARTNER_TYPE,
        path: |s| {
            format!(
                "/policies/crossTenantAccessPolicy/partners/{}",
                s["tenant_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            )
        },
        import_id: |_, s| s["id"].as_str().unwrap_or_default().to_string(),
        ..ResourceType::DEFAULTS
    }
}

static PARTNER: ResourceType = partner_type();

fn partner_hcl(tenant_id: &str, mfa: bool) -> String {
    format!(
        "resource \"{PARTNER_TYPE}\" \"p\" {{\n  tenant_id = \"{tenant_id}\"\n  inbound_trust = {{ mfa_accepted = {mfa}, compliant_device_accepted = true, hybrid_joined_device_accepted = false }}\n}}\n"
    )
}

/// What both CLIs emit in `show -json`: an in-place update names exactly the nested attribute,
/// a tenant change is a replacement because of `tenant_id` (`replace_paths` exists in 1.0.3).
#[tokio::test(flavor = "multi_thread")]
async fn plan_json_matches_on_both_versions() {
    for tf in [terraform_binary(), terraform_1_0_3()] {
        let mut acc = Acc::start().await;
        let mut ws = Workspace::with_binaries(tf, Some(&provider_dir()));
        ws.set_env("SSL_CERT_FILE", acc.emu.ca_pem_path().display().to_string());
        acc.tf = ws;
        let address = format!("{PARTNER_TYPE}.p");
        let partner = acc.partner.tenant_id.clone();
        acc.config(&partner_hcl(&partner, true));
        let create = acc.tf.plan_expect_create(&address).await;
        assert_eq!(create.changed_paths, paths(&[""]), "{create}");
        acc.tf.apply().await;

        acc.config(&partner_hcl(&partner, false));
        let update = acc
            .tf
            .plan_expect_changed_paths(&address, &["inbound_trust.mfa_accepted"])
            .await;
        assert!(update.replace_paths.is_empty(), "{update}");

        acc.config(&partner_hcl(&uuid::Uuid::new_v4().to_string(), true));
        let replace = acc
            .tf
            .plan_expect_replace_because(&address, &["tenant_id"])
            .await;
        assert!(replace.changed_paths.contains("tenant_id"), "{replace}");

        // The substring-free check fails on a wrong path.
        acc.config(&partner_hcl(&partner, false));
        let acc = Arc::new(acc);
        let a = acc.clone();
        let wrong = tokio::spawn(async move {
            a.tf.plan_expect_changed_paths(&format!("{PARTNER_TYPE}.p"), &["inbound_trust"])
                .await;
        })
        .await;
        assert!(wrong.expect_err("a wrong path must fail").is_panic());
        acc.tf.destroy().await;
    }
}

/// Runs `steps` on a fresh partner world and returns whether it panicked.
async fn panics<F, Fut>(setup: impl FnOnce(&Acc), steps: F) -> bool
where
    F: FnOnce(Arc<Acc>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let acc = Acc::start().await;
    let partner = acc.partner.tenant_id.clone();
    acc.config(&partner_hcl(&partner, true));
    setup(&acc);
    tokio::spawn(steps(Arc::new(acc))).await.is_err()
}

static WRONG_PATH: ResourceType = ResourceType {
    path: |s| format!("/nowhere/{}", s["id"].as_str().unwrap_or_default()),
    ..partner_type()
};
static WRONG_IMPORT_ID: ResourceType = ResourceType {
    import_id: |_, _| uuid::Uuid::nil().to_string(),
    ..partner_type()
};
static IGNORES_TIMEOUTS: ResourceType = ResourceType {
    import_ignore: &["timeouts"],
    ..partner_type()
};
static OWNS_EVERYTHING: ResourceType = ResourceType {
    owns: |_, _, _, _| true,
    ..partner_type()
};

/// The same steps pass with the right description and fail with each broken one.
#[tokio::test(flavor = "multi_thread")]
async fn steps_fail_when_an_invariant_is_broken() {
    let run = |ty: &'static ResourceType| {
        move |acc: Arc<Acc>| async move {
            let home = acc.home.tenant_id.clone();
            let steps = Steps::new(&acc).track(ty, "p", &home);
            steps.apply().await;
            steps.destroy().await;
        }
    };
    assert!(
        !panics(|_| {}, run(&PARTNER)).await,
        "the right description passes"
    );
    assert!(
        panics(|_| {}, run(&WRONG_PATH)).await,
        "an object missing from the emulator fails the apply"
    );
    assert!(
        panics(|_| {}, run(&WRONG_IMPORT_ID)).await,
        "an import ID that finds nothing fails import-verify"
    );
    // `timeouts` cannot be imported: the plan after import updates it, which only a description
    // that says so accepts.
    let with_timeouts = |acc: &Acc| {
        let hcl = partner_hcl(&acc.partner.tenant_id, true);
        acc.config(&hcl.replace("\n}\n", "\n  timeouts = { create = \"5m\" }\n}\n"));
    };
    assert!(
        panics(with_timeouts, run(&PARTNER)).await,
        "an attribute import cannot know fails import-verify"
    );
    assert!(
        !panics(with_timeouts, run(&IGNORES_TIMEOUTS)).await,
        "unless the description ignores it"
    );
    // Something the destroy cannot know about stays behind.
    let leftover = |acc: &Acc| {
        acc.emu.put_object(
            &acc.home.tenant_id,
            "/policies/crossTenantAccessPolicy/partners/left-behind",
            json!({"tenantId": "left-behind"}),
        )
    };
    assert!(
        !panics(leftover, run(&PARTNER)).await,
        "an unrelated object is not the partner's"
    );
    assert!(
        panics(leftover, run(&OWNS_EVERYTHING)).await,
        "an object the instance owns left after destroy fails it"
    );
}
