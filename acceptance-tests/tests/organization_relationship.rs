//! Acceptance scenarios for `coexistence_organization_relationship` against the emulator's
//! Exchange admin API, through the real terraform CLI. [`Steps`] follows every apply with an
//! empty plan and import-verify (by name), and every destroy with a check that nothing is left.

mod common;

use coexistence_acceptance::emulator::exchange::organization_relationship::COLLECTION;
use coexistence_acceptance::emulator::Api;
use common::organization_relationship::*;
use common::*;
use serde_json::{json, Value};

const DOMAINS: &[&str] = &[
    "fabrikam.com",
    "fabrikam.onmicrosoft.com",
    "fabrikam.mail.onmicrosoft.com",
];

/// The stored relationship of the resource at `address`.
async fn stored(acc: &Acc, address: &str) -> (String, Value) {
    let state = acc.tf.resource(address).await;
    let guid = state["id"].as_str().expect("id").to_string();
    let obj = acc
        .emu
        .object(&acc.home.tenant_id, &orgrel_path(&guid))
        .unwrap_or_else(|| panic!("no relationship {guid} in the emulator"));
    (guid, obj)
}

fn assert_props(obj: &Value, want: &[(&str, Value)]) {
    for (k, v) in want {
        assert_eq!(&obj[*k], v, "{k} in {obj:#}");
    }
}

fn sorted(v: &Value) -> Vec<String> {
    let mut d: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    d.sort();
    d
}

/// Create with every attribute, update every attribute in place, rename (same Guid), then
/// defaults again by leaving attributes out; destroy leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn create_update_every_attribute_rename_and_destroy() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let full = OrgRel::full(DOMAINS);
    steps.config(&full.hcl());
    acc.tf.plan_expect_create(ORGREL_ADDR).await;
    steps.apply().await;
    let (guid, obj) = stored(&acc, ORGREL_ADDR).await;
    assert_props(
        &obj,
        &[
            ("Name", json!("Fabrikam")),
            ("Enabled", json!(true)),
            ("FreeBusyAccessEnabled", json!(true)),
            ("FreeBusyAccessLevel", json!("LimitedDetails")),
            // Exchange answers the group in another form (its DN) than configured (its name).
            (
                "FreeBusyAccessScope",
                group(&acc, "Fabrikam free/busy")["DistinguishedName"].clone(),
            ),
            ("TargetApplicationUri", json!("outlook.com")),
            (
                "TargetAutodiscoverEpr",
                json!("https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"),
            ),
            (
                "TargetSharingEpr",
                json!("https://outlook.office365.com/EWS/Exchange.asmx"),
            ),
            ("MailTipsAccessEnabled", json!(true)),
            ("MailTipsAccessLevel", json!("All")),
            ("DeliveryReportEnabled", json!(true)),
            ("PhotosEnabled", json!(true)),
            ("OrganizationContact", json!("admin@fabrikam.com")),
        ],
    );
    let mut want_domains: Vec<String> = DOMAINS.iter().map(|d| d.to_string()).collect();
    want_domains.sort();
    assert_eq!(sorted(&obj["DomainNames"]), want_domains);

    // Every attribute but the name, changed in place.
    let changed = OrgRel {
        domains: vec!["fabrikam.com".into(), "fabrikam.onmicrosoft.com".into()],
        ..full.clone()
    }
    .with("enabled", "false")
    .with("free_busy_access_enabled", "false")
    .with("free_busy_access_level", q("AvailabilityOnly"))
    .with("free_busy_access_scope", q("Sharing group"))
    .with("target_application_uri", q("outlook.office365.com"))
    .with(
        "target_autodiscover_epr",
        q("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity"),
    )
    .without("target_sharing_epr")
    .with("mail_tips_access_enabled", "false")
    .with("mail_tips_access_level", q("Limited"))
    .with("delivery_report_enabled", "false")
    .with("photos_enabled", "false")
    .with("organization_contact", q("it@fabrikam.com"));
    steps.config(&changed.hcl());
    let change = acc
        .tf
        .plan_expect_changed_paths(
            ORGREL_ADDR,
            &[
                "delivery_report_enabled",
                "domain_names",
                "enabled",
                "free_busy_access_enabled",
                "free_busy_access_level",
                "free_busy_access_scope",
                "mail_tips_access_enabled",
                "mail_tips_access_level",
                "organization_contact",
                "photos_enabled",
                "target_application_uri",
                "target_autodiscover_epr",
                "target_sharing_epr",
            ],
        )
        .await;
    assert_eq!(change.actions, vec!["update"]);
    acc.emu.clear_requests();
    steps.apply().await;
    let sets: Vec<Value> = acc
        .emu
        .requests()
        .into_iter()
        .filter_map(|r| r.body)
        .filter(|b| b["CmdletInput"]["CmdletName"] == "Set-OrganizationRelationship")
        .collect();
    assert!(
        !sets.is_empty(),
        "the update ran Set-OrganizationRelationship"
    );
    assert!(
        sets[0]["CmdletInput"]["Parameters"].get("Name").is_none(),
        "only changed parameters: {}",
        sets[0]
    );
    let (same, obj) = stored(&acc, ORGREL_ADDR).await;
    assert_eq!(same, guid, "updated in place");
    assert_props(
        &obj,
        &[
            ("Enabled", json!(false)),
            ("FreeBusyAccessLevel", json!("AvailabilityOnly")),
            ("TargetSharingEpr", Value::Null),
            ("MailTipsAccessLevel", json!("Limited")),
            ("OrganizationContact", json!("it@fabrikam.com")),
        ],
    );

    // Rename in place: same Guid.
    let renamed = OrgRel {
        name: "Fabrikam Ltd".into(),
        ..changed.clone()
    };
    steps.config(&renamed.hcl());
    acc.tf
        .plan_expect_changed_paths(ORGREL_ADDR, &["name"])
        .await;
    steps.apply().await;
    let (same, obj) = stored(&acc, ORGREL_ADDR).await;
    assert_eq!(same, guid, "a rename keeps the Guid");
    assert_eq!(obj["Name"], "Fabrikam Ltd");

    // Leaving attributes out resets them to the service defaults.
    let minimal = OrgRel::minimal("Fabrikam Ltd", DOMAINS);
    steps.apply_config(&minimal.hcl()).await;
    let (_, obj) = stored(&acc, ORGREL_ADDR).await;
    assert_props(
        &obj,
        &[
            ("Enabled", json!(true)),
            ("FreeBusyAccessLevel", json!("None")),
            ("FreeBusyAccessScope", Value::Null),
            ("TargetAutodiscoverEpr", Value::Null),
            ("OrganizationContact", Value::Null),
        ],
    );

    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}

/// An out-of-band change of each property shows as exactly its attribute; apply fixes it.
#[tokio::test(flavor = "multi_thread")]
async fn drift_on_each_attribute() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    steps.apply_config(&OrgRel::full(DOMAINS).hcl()).await;
    let (guid, original) = stored(&acc, ORGREL_ADDR).await;
    let path = orgrel_path(&guid);
    let drifts: [(&str, Value, &str); 17] = [
        ("Name", json!("Renamed"), "name"),
        ("DomainNames", json!(["fabrikam.com"]), "domain_names"),
        ("Enabled", json!(false), "enabled"),
        (
            "FreeBusyAccessEnabled",
            json!(false),
            "free_busy_access_enabled",
        ),
        (
            "FreeBusyAccessLevel",
            json!("AvailabilityOnly"),
            "free_busy_access_level",
        ),
        ("FreeBusyAccessScope", Value::Null, "free_busy_access_scope"),
        (
            "TargetApplicationUri",
            json!("example.com"),
            "target_application_uri",
        ),
        (
            "TargetAutodiscoverEpr",
            Value::Null,
            "target_autodiscover_epr",
        ),
        (
            "TargetSharingEpr",
            json!("https://ews.example.com/EWS/Exchange.asmx"),
            "target_sharing_epr",
        ),
        (
            "MailTipsAccessEnabled",
            json!(false),
            "mail_tips_access_enabled",
        ),
        (
            "MailTipsAccessLevel",
            json!("None"),
            "mail_tips_access_level",
        ),
        (
            "DeliveryReportEnabled",
            json!(false),
            "delivery_report_enabled",
        ),
        ("PhotosEnabled", json!(false), "photos_enabled"),
        (
            "OrganizationContact",
            json!("someone@else.com"),
            "organization_contact",
        ),
        // Settings the configuration leaves out: their service defaults are managed too.
        (
            "ArchiveAccessEnabled",
            json!(true),
            "archive_access_enabled",
        ),
        (
            "MailTipsAccessScope",
            json!("MailTips group"),
            "mail_tips_access_scope",
        ),
        (
            "TargetOwaURL",
            json!("https://outlook.office.com/owa/fabrikam.com"),
            "target_owa_url",
        ),
    ];
    for (prop, value, attr) in drifts {
        let mut patch = json!({ prop: value });
        if prop == "Name" {
            patch["Identity"] = json!("Renamed");
        }
        assert!(acc.emu.patch_object(&home, &path, patch), "patch {prop}");
        acc.tf.plan_expect_changed_paths(ORGREL_ADDR, &[attr]).await;
        steps.apply().await;
        let (_, now) = stored(&acc, ORGREL_ADDR).await;
        assert_eq!(now[prop], original[prop], "{prop} restored");
    }
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Cross-tenant mailbox migration: the partner named by its tenant ID in `domain_names`, beside a
/// domain; created as sent, then an empty plan and an import with an empty plan ([`Steps`]);
/// a GUID with a digit missing is refused at plan.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_tenant_id_in_domain_names() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let partner = acc.partner.tenant_id.to_ascii_lowercase();
    let rel = OrgRel::minimal("Fabrikam migration", &[partner.as_str(), "fabrikam.com"]);
    steps.apply_config(&rel.hcl()).await;
    let (_, obj) = stored(&acc, ORGREL_ADDR).await;
    let mut want = vec![partner.clone(), "fabrikam.com".to_string()];
    want.sort();
    assert_eq!(sorted(&obj["DomainNames"]), want);
    // A GUID with a digit missing is refused at plan, on the attribute.
    let bad = OrgRel::minimal("Fabrikam migration", &[&partner[..35], "fabrikam.com"]);
    steps.config(&bad.hcl());
    let out = acc.tf.plan_expect_error("nor a tenant ID").await;
    assert!(out.stderr.contains("domain_names"), "{out}");
    steps.config(&rel.hcl());
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
}

/// Deleted out of band: the plan creates it again, with a new Guid.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_delete_recreates() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    steps.apply_config(&OrgRel::full(DOMAINS).hcl()).await;
    let (guid, _) = stored(&acc, ORGREL_ADDR).await;
    assert!(acc.emu.delete_object(&home, &orgrel_path(&guid)));
    acc.tf.plan_expect_create(ORGREL_ADDR).await;
    steps.apply().await;
    let (again, _) = stored(&acc, ORGREL_ADDR).await;
    assert_ne!(again, guid);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Import by name (any case) gives an empty plan; an unknown name fails clearly; a
/// relationship made out of band under the configured name is "already exists: import it".
#[tokio::test(flavor = "multi_thread")]
async fn import_and_duplicate_name() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let full = OrgRel::full(DOMAINS);
    steps.apply_config(&full.hcl()).await;

    acc.tf.state_rm(ORGREL_ADDR).await;
    acc.tf.import(ORGREL_ADDR, "FABRIKAM").await; // + empty plan

    let ghost = OrgRel {
        resource_name: "ghost".into(),
        ..OrgRel::minimal("Ghost", &["ghost.example.com"])
    };
    steps.config(&format!("{}\n{}", full.hcl(), ghost.hcl()));
    let out = acc
        .tf
        .run(&[
            "import",
            "-input=false",
            "-no-color",
            &ghost.address(),
            "Ghost",
        ])
        .await;
    assert!(!out.success(), "import of an unknown name succeeded\n{out}");
    let err = out.stderr.to_ascii_lowercase();
    assert!(
        err.contains("non-existent") || err.contains("not found") || err.contains("does not exist"),
        "{out}"
    );

    // Another configuration asks for the same name: a clear diagnostic, nothing made.
    let dup = OrgRel {
        resource_name: "dup".into(),
        ..OrgRel::minimal("fabrikam", &["other.example.com"])
    };
    steps.config(&format!("{}\n{}", full.hcl(), dup.hcl()));
    let out = steps.apply_expect_error("already exists").await;
    assert!(
        out.stderr
            .contains("terraform import coexistence_organization_relationship.<name> 'fabrikam'"),
        "{out}"
    );
    let rels = acc
        .emu
        .objects(&home)
        .into_iter()
        .filter(|(p, _)| p.starts_with(COLLECTION))
        .count();
    assert_eq!(rels, 1, "the duplicate made nothing");

    steps.config(&full.hcl());
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Applies survive Exchange's plain-text concurrency throttle and 429s (with and without
/// Retry-After); every call used an Exchange-audience token (a Graph one would be 401).
#[tokio::test(flavor = "multi_thread")]
async fn applies_survive_throttling_with_the_exchange_audience() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    acc.emu.inject(Fault::exchange_concurrency().times(2));
    acc.emu.inject(Fault::status(429).api(Api::Exchange));
    acc.emu.inject(Fault {
        retry_after: Some("1".into()),
        ..Fault::status(429).api(Api::Exchange)
    });
    steps.apply_config(&OrgRel::full(DOMAINS).hcl()).await;
    let reqs = acc.emu.requests();
    let invokes: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/InvokeCommand"))
        .collect();
    assert!(
        invokes.iter().filter(|r| r.status == 429).count() >= 4,
        "the throttles were met: {invokes:#?}"
    );
    assert!(invokes.iter().all(|r| r.status != 401), "{invokes:#?}");
    let exchange_scope = format!("{}/.default", acc.emu.url());
    assert!(
        reqs.iter().any(|r| r.path.ends_with("/oauth2/v2.0/token")
            && r.body
                .as_ref()
                .is_some_and(|b| b["scope"] == exchange_scope.as_str())),
        "the provider asked for the Exchange audience: {reqs:#?}"
    );

    // An update meets the throttle too.
    acc.emu.inject(Fault::exchange_concurrency());
    steps
        .apply_config(&OrgRel::full(DOMAINS).with("photos_enabled", "false").hcl())
        .await;
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Exchange's `@adminapi.warnings` reach the user: a Set that changes nothing remote (state
/// not refreshed after the same change out of band) succeeds with Exchange's warning.
#[tokio::test(flavor = "multi_thread")]
async fn exchange_warnings_are_shown() {
    let acc = Acc::start().await;
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let full = OrgRel::full(DOMAINS);
    steps.apply_config(&full.hcl()).await;
    let (guid, _) = stored(&acc, ORGREL_ADDR).await;
    assert!(acc
        .emu
        .patch_object(&home, &orgrel_path(&guid), json!({"PhotosEnabled": false})));
    steps.config(&full.clone().with("photos_enabled", "false").hcl());
    let out = acc
        .tf
        .run(&[
            "apply",
            "-refresh=false",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
        .await;
    assert!(out.success(), "{out}");
    // Terraform wraps diagnostic text: compare with whitespace collapsed.
    let all = out
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        all.contains("Warning: Exchange Online warning from Set-OrganizationRelationship"),
        "{out}"
    );
    assert!(
        all.contains("no settings of 'Fabrikam' have been modified"),
        "{out}"
    );
    steps.apply().await;
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// A cmdlet the service refuses is named in the error, with the parameter it blamed, and in
/// the provider's debug log line of the request (every cmdlet is the same `InvokeCommand` URL).
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_cmdlet_is_named_in_the_error_and_the_log() {
    let mut acc = Acc::start().await;
    let log_dir = tempfile::tempdir().expect("temp dir");
    let log_path = log_dir.path().join("terraform.log");
    acc.tf.set_env("TF_LOG", "debug");
    acc.tf
        .set_env("TF_LOG_PATH", log_path.display().to_string());
    let steps = orgrel_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let full = OrgRel::full(DOMAINS);
    steps.apply_config(&full.hcl()).await;
    // A second relationship for a domain the first one has: Exchange refuses the domain.
    let other = OrgRel {
        resource_name: "other".into(),
        ..OrgRel::minimal("Other", &[DOMAINS[0]])
    };
    steps.config(&format!("{}\n{}", full.hcl(), other.hcl()));
    steps
        .apply_expect_error("New-OrganizationRelationship -DomainNames refused: The domain 'fabrikam.com' is already used")
        .await;
    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH log written");
    assert!(
        log.contains("/InvokeCommand (New-OrganizationRelationship)"),
        "no request line naming the cmdlet in the debug log"
    );
    assert!(
        log.contains("/InvokeCommand (Get-OrganizationRelationship)"),
        "no request line naming the read cmdlet in the debug log"
    );
    steps.config(&full.hcl());
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Invalid input fails at plan on the attribute, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_rejected_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let base = OrgRel::full(DOMAINS);
    let cases = [
        (
            "name",
            OrgRel {
                name: "x".repeat(65),
                ..base.clone()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domains: vec!["*.fabrikam.com".into()],
                ..base.clone()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domains: vec![],
                ..base.clone()
            },
        ),
        (
            "free_busy_access_level",
            base.clone().with("free_busy_access_level", q("Full")),
        ),
        (
            "mail_tips_access_level",
            base.clone().with("mail_tips_access_level", q("all")),
        ),
        (
            "target_autodiscover_epr",
            base.clone()
                .with("target_autodiscover_epr", q("outlook.com")),
        ),
        (
            "organization_contact",
            base.clone().with("organization_contact", q("nobody")),
        ),
    ];
    for (attr, c) in cases {
        acc.config(&c.hcl());
        acc.tf.plan_expect_error(attr).await;
        let reqs = acc.emu.requests();
        assert!(
            reqs.is_empty(),
            "invalid {attr} reached the network: {reqs:#?}"
        );
    }
}

/// A New whose answer is lost (the gateway's 504 after Exchange made it, or a reset
/// connection) is looked up by name and adopted: one New, one relationship, no error.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_in_doubt_is_adopted_not_duplicated() {
    for fault in [
        Fault::status(504).after_apply().api(Api::Exchange),
        Fault::reset().after_apply().api(Api::Exchange),
    ] {
        let acc = Acc::start().await;
        let steps = orgrel_steps(&acc);
        let home = acc.home.tenant_id.clone();
        // A new resource is not refreshed: the apply's first Exchange request is the New.
        acc.emu.inject(fault.clone());
        steps.apply_config(&OrgRel::full(DOMAINS).hcl()).await;
        let news: Vec<_> = acc
            .emu
            .requests()
            .into_iter()
            .filter(|r| {
                r.body.as_ref().is_some_and(|b| {
                    b["CmdletInput"]["CmdletName"] == "New-OrganizationRelationship"
                })
            })
            .collect();
        assert_eq!(news.len(), 1, "{fault:?}: New sent once: {news:#?}");
        // The fault hit it: no answer (reset) or the gateway's 504.
        assert!(matches!(news[0].status, 0 | 504), "{news:#?}");
        let rels = acc
            .emu
            .objects(&home)
            .into_iter()
            .filter(|(p, _)| p.starts_with(COLLECTION))
            .count();
        assert_eq!(rels, 1, "{fault:?}: one relationship");
        steps.destroy().await;
        assert_tenant_empty(&acc, &home);
    }
}
