//! `coexistence_organization_relationship`: cross-tenant mailbox migration settings through the
//! real CLI (API-NOTES.md#exchange-orgrel-mailbox-move). [`Steps`] follows every apply with an
//! empty plan and import-verify (by name), and destroy with a check that nothing is left.

mod common;

use common::organization_relationship::*;
use common::*;
use serde_json::{json, Value};

const APP: &str = "6aa3cf87-4754-43e2-8ec6-606f6b938ae8";
const OTHER_APP: &str = "0b7c2f4e-9d1a-4e3b-8c5f-2a6d9e1b3c7f";

async fn stored(acc: &Acc) -> (String, Value) {
    let state = acc.tf.resource(ORGREL_ADDR).await;
    let guid = state["id"].as_str().expect("id").to_string();
    let obj = acc
        .emu
        .object(&acc.home.tenant_id, &orgrel_path(&guid))
        .expect("stored");
    (guid, obj)
}

/// The source tenant's relationship of Microsoft's setup: the partner by tenant ID, moves out
/// (`RemoteOutbound`) of the members of one group, through the migration application.
fn source_side(partner: &str) -> OrgRel {
    OrgRel::minimal("Fabrikam migration", &[partner])
        .with("mailbox_move_enabled", "true")
        .with("mailbox_move_capability", r#"["RemoteOutbound"]"#)
        .with("mailbox_move_published_scopes", r#"["Migration group"]"#)
        .with("oauth_application_id", q(APP))
}

/// Create with the mailbox-move attributes, update them in place (the move-back combination,
/// a second group, another application), drift on one is a diff on it alone and apply restores
/// it, an import (every apply's import-verify) plans nothing, and leaving them out clears them.
#[tokio::test(flavor = "multi_thread")]
async fn create_update_drift_import_and_clear() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let partner = acc.partner.tenant_id.to_ascii_lowercase();
    let dn = |name: &str| group(&acc, name)["DistinguishedName"].clone();

    let source = source_side(&partner);
    steps.config(&source.hcl());
    acc.tf.plan_expect_create(ORGREL_ADDR).await;
    steps.apply().await;
    let (guid, obj) = stored(&acc).await;
    assert_eq!(obj["MailboxMoveEnabled"], true);
    assert_eq!(obj["MailboxMoveCapability"], "RemoteOutbound");
    assert_eq!(
        obj["MailboxMovePublishedScopes"],
        json!([dn("Migration group")])
    );
    assert_eq!(obj["OAuthApplicationId"], APP);

    // Moving mailboxes back as well: both directions, another group, another application.
    let both = source
        .clone()
        .with(
            "mailbox_move_capability",
            r#"["Inbound", "RemoteOutbound"]"#,
        )
        .with(
            "mailbox_move_published_scopes",
            r#"["Migration group", "Sharing group"]"#,
        )
        .with("oauth_application_id", q(OTHER_APP));
    steps.config(&both.hcl());
    let change = acc
        .tf
        .plan_expect_changed_paths(
            ORGREL_ADDR,
            &[
                "mailbox_move_capability",
                "mailbox_move_published_scopes",
                "oauth_application_id",
            ],
        )
        .await;
    assert_eq!(change.actions, vec!["update"]);
    steps.apply().await;
    let (same, obj) = stored(&acc).await;
    assert_eq!(same, guid, "updated in place");
    assert_eq!(obj["MailboxMoveCapability"], "Inbound, RemoteOutbound");
    let mut scopes: Vec<Value> = obj["MailboxMovePublishedScopes"]
        .as_array()
        .unwrap()
        .clone();
    scopes.sort_by_key(|v| v.to_string());
    let mut want = vec![dn("Migration group"), dn("Sharing group")];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(scopes, want);
    assert_eq!(obj["OAuthApplicationId"], OTHER_APP);

    // Drift on each mailbox-move property is a diff on its attribute; apply restores it.
    let path = orgrel_path(&guid);
    let drifts: [(&str, Value, &str); 4] = [
        (
            "MailboxMoveCapability",
            json!("Inbound"),
            "mailbox_move_capability",
        ),
        ("MailboxMoveEnabled", json!(false), "mailbox_move_enabled"),
        (
            "MailboxMovePublishedScopes",
            json!([dn("Migration group")]),
            "mailbox_move_published_scopes",
        ),
        ("OAuthApplicationId", json!(APP), "oauth_application_id"),
    ];
    for (prop, value, attr) in drifts {
        let before = stored(&acc).await.1[prop].clone();
        assert!(acc.emu.patch_object(&home, &path, json!({ prop: value })));
        acc.tf.plan_expect_changed_paths(ORGREL_ADDR, &[attr]).await;
        steps.apply().await;
        assert_eq!(stored(&acc).await.1[prop], before, "{prop} restored");
    }

    // Left out: the defaults, so the settings are cleared.
    steps
        .apply_config(&OrgRel::minimal("Fabrikam migration", &[&partner]).hcl())
        .await;
    let (_, obj) = stored(&acc).await;
    assert_eq!(obj["MailboxMoveEnabled"], false);
    assert_eq!(obj["MailboxMoveCapability"], "None");
    assert_eq!(obj["MailboxMovePublishedScopes"], json!([]));
    assert_eq!(obj["OAuthApplicationId"], Value::Null);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Combinations the service refuses are refused at plan, on the attribute, before any request:
/// published scopes without an outbound capability, a capability outside the documented
/// values (`None` is what Exchange shows, not a value to send), an application ID that is not
/// a GUID.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_mailbox_move_combinations_are_refused_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let partner = acc.partner.tenant_id.to_ascii_lowercase();
    let base = source_side(&partner);
    let cases = [
        (
            "mailbox_move_published_scopes",
            base.clone()
                .with("mailbox_move_capability", r#"["Inbound"]"#),
        ),
        (
            "mailbox_move_published_scopes",
            base.clone().without("mailbox_move_capability"),
        ),
        (
            "mailbox_move_capability",
            base.clone()
                .with("mailbox_move_capability", r#"["None", "RemoteOutbound"]"#),
        ),
        (
            "mailbox_move_capability",
            base.clone()
                .with("mailbox_move_capability", r#"["remoteoutbound"]"#),
        ),
        (
            "oauth_application_id",
            base.clone()
                .with("oauth_application_id", q("migration app")),
        ),
    ];
    for (attr, c) in cases {
        acc.config(&c.hcl());
        let out = acc.tf.plan_expect_error(attr).await;
        assert!(
            out.stderr.contains("Invalid value") || out.stderr.contains("outbound capability"),
            "{out}"
        );
        let reqs = acc.emu.requests();
        assert!(
            reqs.is_empty(),
            "invalid {attr} reached the network: {reqs:#?}"
        );
    }
}
