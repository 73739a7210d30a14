//! Acceptance scenarios for `coexistence_partner_connector`: the outbound connector in the home
//! tenant (Contoso), the inbound one in the partner tenant (Fabrikam) through an aliased
//! provider. [`Steps`] runs the empty-plan, import-verify (`outbound/<name>`, `inbound/<name>`)
//! and destroy-leaves-nothing checks after every step.

mod common;

use coexistence_acceptance::emulator::exchange::connector::{
    inbound_path, outbound_path, NO_TLS_WARNING,
};
use coexistence_acceptance::emulator::Api;
use common::partner_connector::{connector_block, PARTNER_CONNECTOR};
use common::*;
use serde_json::{json, Value};

const TO: &str = "coexistence_partner_connector.to_fabrikam";
const FROM: &str = "coexistence_partner_connector.from_contoso";

/// The first configuration of both connectors.
const OUTBOUND_A: &str = r#"  comment           = "Mail to Fabrikam"
  recipient_domains = ["fabrikam.com", "fabrikam.onmicrosoft.com", "fabrikam.mail.onmicrosoft.com"]
  smart_hosts       = ["fabrikam-com.mail.protection.outlook.com"]
  tls_settings      = "DomainValidation"
  tls_domain        = "mail.protection.outlook.com"
"#;
const INBOUND_A: &str = r#"  sender_domains                  = ["contoso.com"]
  trusted_organizations           = ["contoso.onmicrosoft.com"]
  require_tls                     = true
  restrict_domains_to_certificate = true
  tls_sender_certificate_name     = "*.protection.outlook.com"
"#;
/// Every argument changed (or set, or removed).
const OUTBOUND_B: &str = r#"  enabled           = false
  comment           = "Changed"
  recipient_domains = ["fabrikam.com", "*.fabrikam.net"]
  smart_hosts       = ["203.0.113.10", "fabrikam-com.mail.protection.outlook.com"]
  use_mx_record     = false
  tls_settings      = "CertificateValidation"
"#;
const INBOUND_B: &str = r#"  enabled                          = false
  comment                          = "Changed"
  sender_domains                   = ["contoso.com", "*.contoso.net"]
  trusted_organizations            = ["contoso.onmicrosoft.com", "contoso.mail.onmicrosoft.com"]
  require_tls                      = false
  restrict_domains_to_certificate  = false
  tls_sender_certificate_name      = "mail.contoso.com"
  sender_ip_addresses              = ["203.0.113.0/24", "198.51.100.7"]
  restrict_domains_to_ip_addresses = true
"#;

fn config(acc: &Acc, to: (&str, &str), from: (&str, &str)) -> String {
    format!(
        "{}\n{}\n{}",
        acc.provider_block(&acc.partner, Some("fabrikam")),
        connector_block("to_fabrikam", None, "outbound", to.0, to.1),
        connector_block(
            "from_contoso",
            Some("coexistence.fabrikam"),
            "inbound",
            from.0,
            from.1
        ),
    )
}

fn config_a(acc: &Acc) -> String {
    config(
        acc,
        ("To Fabrikam", OUTBOUND_A),
        ("From Contoso", INBOUND_A),
    )
}

fn steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc)
        .track(&PARTNER_CONNECTOR, "to_fabrikam", &acc.home.tenant_id)
        .track(&PARTNER_CONNECTOR, "from_contoso", &acc.partner.tenant_id)
}

/// The connector in the emulator behind `address` (home tenant outbound, partner inbound).
async fn stored(acc: &Acc, address: &str) -> (String, String, Value) {
    let s = acc.tf.resource(address).await;
    let guid = s["id"].as_str().expect("id").to_string();
    let (tenant, path) = if address == TO {
        (acc.home.tenant_id.clone(), outbound_path(&guid))
    } else {
        (acc.partner.tenant_id.clone(), inbound_path(&guid))
    };
    let o = acc
        .emu
        .object(&tenant, &path)
        .unwrap_or_else(|| panic!("{address}: no {path}"));
    (tenant, path, o)
}

fn sorted(v: &Value) -> Vec<String> {
    let mut l: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    l.sort();
    l
}

/// Create the pair; update every argument of both in place, with a rename (the Guid stays,
/// Exchange's TLS warning is shown); a direction change replaces; destroy leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn create_update_every_argument_rename_replace_destroy() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    steps.apply_config(&config_a(&acc)).await;
    let (_, _, o) = stored(&acc, TO).await;
    assert_eq!(o["ConnectorType"], "Partner");
    assert_eq!(
        o["UseMXRecord"], false,
        "smart hosts without use_mx_record: no MX"
    );
    assert_eq!(o["TlsSettings"], "DomainValidation");
    let (_, _, i) = stored(&acc, FROM).await;
    assert_eq!(
        i["TrustedOrganizations"],
        json!(["contoso.onmicrosoft.com"])
    );
    assert_eq!(i["RestrictDomainsToCertificate"], true);
    let state = acc.tf.resource(TO).await;
    assert_eq!(state["enabled"], true, "left out: the default, read back");
    assert_eq!(
        state["sender_domains"],
        Value::Null,
        "the other direction's: null"
    );
    assert_eq!(state["connector_type"], "Partner");
    let (to_guid, from_guid) = (
        state["id"].as_str().unwrap().to_string(),
        acc.tf.resource(FROM).await["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );

    let b = config(
        &acc,
        ("To Fabrikam EU", OUTBOUND_B),
        ("From Contoso EU", INBOUND_B),
    );
    steps.config(&b);
    acc.tf.plan_expect_update(TO).await;
    acc.tf.plan_expect_update(FROM).await;
    let out = steps.apply().await;
    assert!(
        out.combined().contains("received without TLS"),
        "Exchange's warning is shown: {NO_TLS_WARNING}\n{out}"
    );
    let (_, _, o) = stored(&acc, TO).await;
    assert_eq!(o["Guid"], to_guid.as_str(), "a rename keeps the Guid");
    assert_eq!(o["Name"], "To Fabrikam EU");
    assert_eq!(
        (o["Enabled"].as_bool(), o["Comment"].as_str()),
        (Some(false), Some("Changed"))
    );
    assert_eq!(
        sorted(&o["RecipientDomains"]),
        ["*.fabrikam.net", "fabrikam.com"]
    );
    assert_eq!(o["TlsSettings"], "CertificateValidation");
    assert_eq!(o["TlsDomain"], Value::Null, "removed: cleared");
    let (_, _, i) = stored(&acc, FROM).await;
    assert_eq!(i["Guid"], from_guid.as_str());
    assert_eq!(i["Name"], "From Contoso EU");
    assert_eq!(
        sorted(&i["SenderDomains"]),
        ["smtp:*.contoso.net;1", "smtp:contoso.com;1"]
    );
    assert_eq!(
        sorted(&i["SenderIPAddresses"]),
        ["198.51.100.7", "203.0.113.0/24"]
    );
    assert_eq!(
        (
            i["RequireTls"].as_bool(),
            i["RestrictDomainsToIPAddresses"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(i["TlsSenderCertificateName"], "mail.contoso.com");

    // Back to the first configuration: arguments removed go back to Exchange's defaults.
    steps.apply_config(&config_a(&acc)).await;
    let (_, _, i) = stored(&acc, FROM).await;
    assert_eq!(i["SenderIPAddresses"], json!([]));
    assert_eq!(
        (i["Enabled"].as_bool(), i["Comment"].clone()),
        (Some(true), Value::Null)
    );
    assert_eq!(i["RestrictDomainsToIPAddresses"], false);

    // Another direction is another cmdlet family: replaced.
    let flipped = format!(
        "{}\n{}",
        acc.provider_block(&acc.partner, Some("fabrikam")),
        connector_block("to_fabrikam", None, "inbound", "To Fabrikam", INBOUND_A)
    ) + &connector_block(
        "from_contoso",
        Some("coexistence.fabrikam"),
        "inbound",
        "From Contoso",
        INBOUND_A,
    );
    steps.config(&flipped);
    acc.tf.plan_expect_replace_because(TO, &["direction"]).await;
    steps.apply().await;
    assert!(acc
        .emu
        .object(&acc.home.tenant_id, &outbound_path(&to_guid))
        .is_none());
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
}

/// A change made out of band to any attribute is a diff on that attribute, fixed by the next
/// apply; a connector deleted out of band is created again.
#[tokio::test(flavor = "multi_thread")]
async fn drift_on_each_attribute_and_deletion_are_detected() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    steps.apply_config(&config_a(&acc)).await;
    let drifts: &[(&str, Value, &str)] = &[
        (TO, json!({"Enabled": false}), "enabled"),
        (TO, json!({"Comment": "out of band"}), "comment"),
        (
            TO,
            json!({"Name": "Renamed", "Identity": "Renamed"}),
            "name",
        ),
        (TO, json!({"ConnectorType": "OnPremises"}), "connector_type"),
        (
            TO,
            json!({"RecipientDomains": ["fabrikam.com"]}),
            "recipient_domains",
        ),
        (TO, json!({"SmartHosts": ["198.51.100.1"]}), "smart_hosts"),
        (TO, json!({"UseMXRecord": true}), "use_mx_record"),
        (TO, json!({"TlsSettings": "EncryptionOnly"}), "tls_settings"),
        (TO, json!({"TlsDomain": "other.example.com"}), "tls_domain"),
        (FROM, json!({"Comment": "out of band"}), "comment"),
        (
            FROM,
            json!({"SenderDomains": ["smtp:contoso.com;1", "smtp:evil.example;1"]}),
            "sender_domains",
        ),
        (
            FROM,
            json!({"TrustedOrganizations": []}),
            "trusted_organizations",
        ),
        (FROM, json!({"RequireTls": false}), "require_tls"),
        (
            FROM,
            json!({"RestrictDomainsToCertificate": false}),
            "restrict_domains_to_certificate",
        ),
        (
            FROM,
            json!({"TlsSenderCertificateName": "other.example.com"}),
            "tls_sender_certificate_name",
        ),
        (
            FROM,
            json!({"SenderIPAddresses": ["203.0.113.5"]}),
            "sender_ip_addresses",
        ),
        (
            FROM,
            json!({"RestrictDomainsToIPAddresses": true, "SenderIPAddresses": []}),
            "restrict_domains_to_ip_addresses",
        ),
        // Settings the configuration leaves out: their service defaults are managed too.
        (
            TO,
            json!({"CloudServicesMailEnabled": true}),
            "cloud_services_mail_enabled",
        ),
        (TO, json!({"SmtpDaneMode": "Mandatory"}), "smtp_dane_mode"),
        (TO, json!({"MtaStsMode": "None"}), "mta_sts_mode"),
        // Get-OutboundConnector leaves these out unless asked: still read, a diff, no create.
        (TO, json!({"TestMode": true}), "test_mode"),
        (
            TO,
            json!({"IsTransportRuleScoped": true}),
            "is_transport_rule_scoped",
        ),
        (
            FROM,
            json!({"CloudServicesMailEnabled": true}),
            "cloud_services_mail_enabled",
        ),
        (
            FROM,
            json!({"TreatMessagesAsInternal": true}),
            "treat_messages_as_internal",
        ),
        (
            FROM,
            json!({"AssociatedAcceptedDomains": [acc.partner.default_domain.clone()]}),
            "associated_accepted_domains",
        ),
    ];
    for (address, patch, attr) in drifts {
        let (tenant, path, before) = stored(&acc, address).await;
        assert!(acc.emu.patch_object(&tenant, &path, patch.clone()));
        acc.tf.plan_expect_changed_paths(address, &[attr]).await;
        steps.apply().await;
        let (_, _, after) = stored(&acc, address).await;
        for k in patch.as_object().unwrap().keys() {
            assert_eq!(after[k], before[k], "{address}.{attr}: {k} set back");
        }
    }

    for address in [TO, FROM] {
        let (tenant, path, _) = stored(&acc, address).await;
        assert!(acc.emu.delete_object(&tenant, &path));
        acc.tf.plan_expect_create(address).await;
        steps.apply().await;
    }
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
}

/// The other direction's arguments and every documented rule fail at plan, naming the
/// attribute, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_configurations_rejected_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let out = |body: &str| connector_block("x", None, "outbound", "To Fabrikam", body);
    let inb = |body: &str| connector_block("x", None, "inbound", "From Contoso", body);
    let cases = [
        ("\"require_tls\" applies only to inbound", out("  require_tls = true\n")),
        ("\"smart_hosts\" applies only to outbound", inb("  sender_domains = [\"contoso.com\"]\n  smart_hosts = [\"a.example.com\"]\n")),
        ("needs sender_domains", inb("  comment = \"no domains\"\n")),
        ("1 to 64 characters", connector_block("x", None, "outbound", &"x".repeat(65), "")),
        ("a wildcard only as the leading", out("  recipient_domains = [\"mail.*.fabrikam.com\"]\n")),
        ("from /24 to /32", inb("  sender_domains = [\"contoso.com\"]\n  sender_ip_addresses = [\"203.0.113.0/23\"]\n")),
        ("smart_hosts is required when use_mx_record is false", out("  use_mx_record = false\n")),
        ("Expected one of", out("  tls_settings = \"domainvalidation\"\n")),
        ("tls_domain is used only with", out("  tls_settings = \"EncryptionOnly\"\n  tls_domain = \"mail.protection.outlook.com\"\n")),
        ("Expected one of", connector_block("x", None, "sideways", "X", "")),
    ];
    for (needle, hcl) in cases {
        acc.config(&hcl);
        acc.tf.plan_expect_error(needle).await;
        let reqs = acc.emu.requests();
        assert!(reqs.is_empty(), "{needle}: reached the network: {reqs:#?}");
    }
}

/// A connector of the same name made out of band: the create says it exists and how to import
/// it; importing it by name then adopts it with an empty plan.
#[tokio::test(flavor = "multi_thread")]
async fn duplicate_name_says_import_it() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&PARTNER_CONNECTOR, "to_fabrikam", &home);
    let hcl = connector_block("to_fabrikam", None, "outbound", "To Fabrikam", OUTBOUND_A);
    acc.config(&hcl);
    // Made out of band, with other letter case: names are case-insensitive.
    steps.apply().await;
    let (_, path, o) = stored(&acc, TO).await;
    let mut theirs = o.clone();
    theirs["Guid"] = json!("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
    theirs["Name"] = json!("TO FABRIKAM");
    acc.tf.state_rm(TO).await;
    acc.emu.delete_object(&home, &path);
    acc.emu.put_object(
        &home,
        &outbound_path("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"),
        theirs,
    );
    let out = steps
        .apply_expect_error(
            "A partner connector named \"To Fabrikam\" already exists (import ID: outbound/To Fabrikam)",
        )
        .await;
    assert!(
        out.combined().contains(
            "terraform import coexistence_partner_connector.<name> 'outbound/To Fabrikam'"
        ),
        "{out}"
    );
    // Not `import` (it wants an empty plan after): the plan respells the name.
    acc.tf
        .run_ok(&[
            "import",
            "-input=false",
            "-no-color",
            TO,
            "outbound/To Fabrikam",
        ])
        .await;
    assert_eq!(acc.tf.resource(TO).await["name"], "TO FABRIKAM");
    // The configuration's spelling: a rename in place.
    acc.tf.plan_expect_changed_paths(TO, &["name"]).await;
    steps.apply().await;
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Applies survive Exchange's plain-text concurrency throttle, JSON 429s and a reset after the
/// New was applied (found by name, adopted: one connector).
#[tokio::test(flavor = "multi_thread")]
async fn applies_survive_throttling_and_a_create_in_doubt() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&PARTNER_CONNECTOR, "to_fabrikam", &home);
    acc.emu.inject(Fault::exchange_concurrency().times(2));
    acc.emu
        .inject(Fault::status(429).api(Api::Exchange).times(2));
    acc.emu.inject(Fault {
        tenant: Some(home.clone()),
        ..Fault::reset().api(Api::Exchange).after_apply()
    });
    steps
        .apply_config(&connector_block(
            "to_fabrikam",
            None,
            "outbound",
            "To Fabrikam",
            OUTBOUND_A,
        ))
        .await;
    let connectors: Vec<_> = acc
        .emu
        .objects(&home)
        .into_iter()
        .filter(|(p, _)| p.starts_with("/exchange/outboundConnectors/"))
        .collect();
    assert_eq!(connectors.len(), 1, "no duplicate: {connectors:#?}");
    let throttled = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("InvokeCommand") && r.status == 429)
        .count();
    assert!(throttled >= 4, "the faults were served: {throttled}");
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// An outbound connector put in test mode and scoped to transport rules out of band (so a plain
/// Get-OutboundConnector no longer lists it) is still read: a diff on both attributes, an update
/// in place (same Guid), never a create.
#[tokio::test(flavor = "multi_thread")]
async fn an_outbound_connector_in_test_mode_and_rule_scoped_is_still_read() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&PARTNER_CONNECTOR, "to_fabrikam", &home);
    let block = connector_block("to_fabrikam", None, "outbound", "To Fabrikam", OUTBOUND_A);
    steps.apply_config(&block).await;
    let (_, path, _) = stored(&acc, TO).await;
    assert!(acc.emu.patch_object(
        &home,
        &path,
        json!({"TestMode": true, "IsTransportRuleScoped": true})
    ));
    acc.tf
        .plan_expect_changed_paths(TO, &["is_transport_rule_scoped", "test_mode"])
        .await;
    steps.apply().await;
    let (_, after_path, after) = stored(&acc, TO).await;
    assert_eq!(after_path, path, "updated in place");
    assert_eq!(
        (&after["TestMode"], &after["IsTransportRuleScoped"]),
        (&json!(false), &json!(false))
    );
    // Managed in test mode: read under the filter, an empty plan and import-verify (Steps).
    let testing = connector_block(
        "to_fabrikam",
        None,
        "outbound",
        "To Fabrikam",
        &format!("{OUTBOUND_A}  test_mode = true\n"),
    );
    steps.apply_config(&testing).await;
    assert_eq!(stored(&acc, TO).await.2["TestMode"], true);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Removing the last trusted organization (and the last sender address) empties the lists
/// with `$null`, which the emulator requires, and reads back as an empty set.
#[tokio::test(flavor = "multi_thread")]
async fn clearing_the_last_trusted_organization() {
    let acc = Acc::start().await;
    let partner = acc.partner.tenant_id.clone();
    let steps = Steps::new(&acc).track(&PARTNER_CONNECTOR, "from_contoso", &partner);
    let block = |body: &str| {
        format!(
            "{}\n{}",
            acc.provider_block(&acc.partner, Some("fabrikam")),
            connector_block(
                "from_contoso",
                Some("coexistence.fabrikam"),
                "inbound",
                "From Contoso",
                body
            )
        )
    };
    steps
        .apply_config(&block(
            "  sender_domains        = [\"contoso.com\"]\n  trusted_organizations = [\"contoso.onmicrosoft.com\"]\n  sender_ip_addresses   = [\"203.0.113.7\"]\n",
        ))
        .await;
    steps
        .apply_config(&block(
            "  sender_domains        = [\"contoso.com\"]\n  trusted_organizations = []\n",
        ))
        .await;
    let (_, _, o) = stored(&acc, FROM).await;
    assert_eq!(o["TrustedOrganizations"], json!([]));
    assert_eq!(o["SenderIPAddresses"], json!([]));
    let sets: Vec<Value> = acc
        .emu
        .requests()
        .into_iter()
        .filter_map(|r| r.body)
        .filter(|b| b["CmdletInput"]["CmdletName"] == "Set-InboundConnector")
        .collect();
    assert_eq!(sets.len(), 1, "{sets:#?}");
    let p = &sets[0]["CmdletInput"]["Parameters"];
    assert_eq!(
        (&p["TrustedOrganizations"], &p["SenderIPAddresses"]),
        (&Value::Null, &Value::Null),
        "{p}"
    );
    assert!(p.get("TrustedOrganizations").is_some(), "{p}");
    steps.destroy().await;
    assert_tenant_empty(&acc, &partner);
}

/// A certificate name configured in mixed case comes back lowercase: the plan stays empty and
/// the state keeps the configured spelling (an import reads the lowercase form, so no
/// import-verify); another certificate name out of band is drift.
#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_name_read_back_in_another_case_gives_an_empty_plan() {
    let acc = Acc::start().await;
    let partner = acc.partner.tenant_id.clone();
    let steps = Steps::new(&acc).track(&PARTNER_CONNECTOR, "from_contoso", &partner);
    steps.config(&format!(
        "{}\n{}",
        acc.provider_block(&acc.partner, Some("fabrikam")),
        connector_block(
            "from_contoso",
            Some("coexistence.fabrikam"),
            "inbound",
            "From Contoso",
            "  sender_domains              = [\"contoso.com\"]\n  require_tls                 = true\n  tls_sender_certificate_name = \"*.Protection.Outlook.COM\"\n",
        )
    ));
    steps.apply_without_import_verify().await; // + an empty plan
    let (_, path, o) = stored(&acc, FROM).await;
    assert_eq!(o["TlsSenderCertificateName"], "*.protection.outlook.com");
    let state = acc.tf.resource(FROM).await;
    assert_eq!(
        state["tls_sender_certificate_name"],
        "*.Protection.Outlook.COM"
    );
    assert!(acc.emu.patch_object(
        &partner,
        &path,
        json!({"TlsSenderCertificateName": "mail.contoso.com"})
    ));
    acc.tf
        .plan_expect_changed_paths(FROM, &["tls_sender_certificate_name"])
        .await;
    steps.destroy().await;
}
