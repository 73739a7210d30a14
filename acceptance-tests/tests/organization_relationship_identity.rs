//! `coexistence_organization_relationship`: values Exchange answers in another spelling than
//! the configured one, through the real CLI. The emulator answers a scope group as its
//! distinguished name whatever form named it, and an endpoint URI normalised
//! (API-NOTES.md#exchange-groups, #exchange-orgrel-uri): the provider compares by identity,
//! so the plan stays empty, and a different group or URL is still drift.

mod common;

use common::organization_relationship::*;
use common::*;
use serde_json::{json, Value};

const DOMAINS: &[&str] = &["fabrikam.com"];

async fn stored(acc: &Acc) -> (String, Value) {
    let state = acc.tf.resource(ORGREL_ADDR).await;
    let path = orgrel_path(state["id"].as_str().expect("id"));
    let obj = acc.emu.object(&acc.home.tenant_id, &path).expect("stored");
    (path, obj)
}

fn with_scopes(free_busy: &str, mail_tips: &str) -> OrgRel {
    OrgRel::minimal("Fabrikam", DOMAINS)
        .with("free_busy_access_enabled", "true")
        .with("free_busy_access_level", q("AvailabilityOnly"))
        .with("free_busy_access_scope", q(free_busy))
        .with("mail_tips_access_enabled", "true")
        .with("mail_tips_access_scope", q(mail_tips))
}

/// Scopes configured by name, then by Guid and canonical DN, come back as distinguished names:
/// every plan is empty, the state keeps the configured spelling; a scope changed out of band to
/// another group is a diff on that attribute, and apply restores it.
#[tokio::test(flavor = "multi_thread")]
async fn a_scope_group_read_back_in_another_identity_form_gives_an_empty_plan() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let (free_busy, mail_tips) = (
        group(&acc, "Fabrikam free/busy"),
        group(&acc, "MailTips group"),
    );
    let dn = |g: &Value| g["DistinguishedName"].as_str().unwrap().to_string();

    // By name: answered as the DN, an empty plan (and an import reads the name back).
    steps
        .apply_config(&with_scopes("Fabrikam free/busy", "MailTips group").hcl())
        .await;
    let (path, obj) = stored(&acc).await;
    assert_eq!(obj["FreeBusyAccessScope"], dn(&free_busy).as_str());
    assert_eq!(obj["MailTipsAccessScope"], dn(&mail_tips).as_str());
    let state = acc.tf.resource(ORGREL_ADDR).await;
    assert_eq!(state["free_busy_access_scope"], "Fabrikam free/busy");

    // By Guid (upper case) and by canonical DN: the same groups, respelled in state only. An
    // import cannot know these spellings (it reads names), so no import-verify here.
    let guid = mail_tips["Guid"].as_str().unwrap().to_ascii_uppercase();
    let canonical =
        coexistence_acceptance::emulator::exchange::group::canonical_name(&dn(&free_busy));
    steps.config(&with_scopes(&canonical, &guid).hcl());
    acc.tf
        .plan_expect_changed_paths(
            ORGREL_ADDR,
            &["free_busy_access_scope", "mail_tips_access_scope"],
        )
        .await;
    steps.apply_without_import_verify().await; // + an empty plan
    let state = acc.tf.resource(ORGREL_ADDR).await;
    assert_eq!(state["free_busy_access_scope"], canonical.as_str());
    assert_eq!(state["mail_tips_access_scope"], guid.as_str());
    let (_, obj) = stored(&acc).await;
    assert_eq!(obj["MailTipsAccessScope"], dn(&mail_tips).as_str());

    // Exchange answering yet another form (the name) of the same group: still no change.
    assert!(acc.emu.patch_object(
        &acc.home.tenant_id,
        &path,
        json!({"FreeBusyAccessScope": "fabrikam FREE/busy"})
    ));
    acc.tf.plan_expect_empty().await;

    // Another group is drift on that attribute alone; apply sets the configured one again.
    let sharing = group(&acc, "Sharing group");
    assert!(acc.emu.patch_object(
        &acc.home.tenant_id,
        &path,
        json!({"MailTipsAccessScope": dn(&sharing)})
    ));
    acc.tf
        .plan_expect_changed_paths(ORGREL_ADDR, &["mail_tips_access_scope"])
        .await;
    // The drifted group is shown by its name.
    let plan = acc.tf.plan().await;
    assert!(plan.stdout.contains("\"Sharing group\""), "{plan}");
    steps.apply_without_import_verify().await;
    let (_, obj) = stored(&acc).await;
    assert_eq!(obj["MailTipsAccessScope"], dn(&mail_tips).as_str());

    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}

/// Endpoint URIs configured with upper-case scheme and host, a default port and no path come
/// back normalised: the plan is empty and the state keeps the configured spelling; another URL
/// out of band is a diff on that attribute.
#[tokio::test(flavor = "multi_thread")]
async fn a_uri_returned_normalised_gives_an_empty_plan() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let autodiscover =
        "HTTPS://Autodiscover.Outlook.COM:443/autodiscover/autodiscover.svc/WSSecurity";
    let owa = "https://Outlook.Office.com";
    let rel = OrgRel::minimal("Fabrikam", DOMAINS)
        .with("target_autodiscover_epr", q(autodiscover))
        .with("target_owa_url", q(owa));
    steps.config(&rel.hcl());
    // An import reads the normalised form, which this configuration does not spell.
    steps.apply_without_import_verify().await; // + an empty plan
    let (path, obj) = stored(&acc).await;
    assert_eq!(
        obj["TargetAutodiscoverEpr"],
        "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"
    );
    assert_eq!(obj["TargetOwaURL"], "https://outlook.office.com/");
    let state = acc.tf.resource(ORGREL_ADDR).await;
    assert_eq!(state["target_autodiscover_epr"], autodiscover);
    assert_eq!(state["target_owa_url"], owa);

    assert!(acc.emu.patch_object(
        &acc.home.tenant_id,
        &path,
        json!({"TargetOwaURL": "https://owa.example.com/"})
    ));
    acc.tf
        .plan_expect_changed_paths(ORGREL_ADDR, &["target_owa_url"])
        .await;
    steps.apply_without_import_verify().await;
    let (_, obj) = stored(&acc).await;
    assert_eq!(obj["TargetOwaURL"], "https://outlook.office.com/");

    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}
