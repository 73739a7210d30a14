//! Partner connector: plan-time validation, the exact cmdlet bodies, the planned defaults, the
//! model of a read and import IDs. Flows through a scripted transport: `crud_tests.rs`.

use super::model::Connector;
use super::*;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::framework::Resource;
use serde_json::json;

pub(super) const GUID: &str = "5e0b6a7c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

pub(super) fn strings(items: &[&str]) -> Value {
    Value::Set(items.iter().map(|s| Value::string(*s)).collect())
}

/// `base` with one attribute set.
fn with(mut base: Value, k: &str, v: Value) -> Value {
    base.set_attr(k, v);
    base
}

/// A configuration: `direction`, `name` and the given arguments, everything else null.
pub(super) fn config(direction: &str, attrs: &[(&str, Value)]) -> Value {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("direction", Value::string(direction));
    v.set_attr("name", Value::string("To Fabrikam"));
    for (k, a) in attrs {
        v.set_attr(k, a.clone());
    }
    v
}

pub(super) fn outbound() -> Value {
    config(
        "outbound",
        &[
            ("comment", Value::string("Cross-tenant mail flow")),
            (
                "recipient_domains",
                strings(&["fabrikam.onmicrosoft.com", "fabrikam.com"]),
            ),
            (
                "smart_hosts",
                strings(&["fabrikam-com.mail.protection.outlook.com"]),
            ),
            ("tls_settings", Value::string("DomainValidation")),
            ("tls_domain", Value::string("mail.protection.outlook.com")),
        ],
    )
}

pub(super) fn inbound() -> Value {
    config(
        "inbound",
        &[
            ("sender_domains", strings(&["contoso.com"])),
            (
                "trusted_organizations",
                strings(&["contoso.onmicrosoft.com"]),
            ),
            ("restrict_domains_to_certificate", Value::Bool(true)),
            (
                "tls_sender_certificate_name",
                Value::string("*.protection.outlook.com"),
            ),
        ],
    )
}

fn errors(v: &Value) -> Vec<(String, String)> {
    let mut d = Diagnostics::new();
    schema().validate(v).0.into_iter().for_each(|x| d.push(x));
    PartnerConnector.validate(v, &mut d);
    d.0.into_iter()
        .map(|x| (x.path.map(|p| p.to_string()).unwrap_or_default(), x.detail))
        .collect()
}

#[test]
fn valid_configurations_pass_and_the_model_matches_the_schema() {
    assert_eq!(errors(&outbound()), vec![]);
    assert_eq!(errors(&inbound()), vec![]);
    assert!(PartnerConnector.model_mismatches().is_empty());
    assert!(
        schema().lint(TYPE_NAME).is_empty(),
        "{:?}",
        schema().lint(TYPE_NAME)
    );
}

#[test]
fn every_documented_rule_fails_at_plan_on_its_attribute() {
    let cases = [
        // The other direction's arguments, each named.
        (
            with(outbound(), "require_tls", Value::Bool(true)),
            "require_tls",
            "applies only to inbound",
        ),
        (
            with(outbound(), "sender_ip_addresses", strings(&[])),
            "sender_ip_addresses",
            "applies only to inbound",
        ),
        (
            with(inbound(), "smart_hosts", strings(&["a.example.com"])),
            "smart_hosts",
            "applies only to outbound",
        ),
        (
            with(outbound(), "name", Value::string("x".repeat(65))),
            "name",
            "1 to 64 characters",
        ),
        (
            with(outbound(), "comment", Value::string("")),
            "comment",
            "omit comment",
        ),
        (
            with(
                outbound(),
                "recipient_domains",
                strings(&["mail.*.fabrikam.com"]),
            ),
            "recipient_domains",
            "leading \"*.\"",
        ),
        (
            with(outbound(), "recipient_domains", strings(&["*fabrikam.com"])),
            "recipient_domains",
            "leading \"*.\"",
        ),
        (
            with(outbound(), "smart_hosts", strings(&["not a host"])),
            "smart_hosts",
            "fully qualified",
        ),
        (
            with(
                with(outbound(), "smart_hosts", Value::Null),
                "use_mx_record",
                Value::Bool(false),
            ),
            "smart_hosts",
            "required when use_mx_record is false",
        ),
        (
            with(outbound(), "use_mx_record", Value::Bool(true)),
            "use_mx_record",
            "smart_hosts would be ignored",
        ),
        (
            with(
                outbound(),
                "tls_settings",
                Value::string("domainvalidation"),
            ),
            "tls_settings",
            "Expected one of",
        ),
        (
            with(outbound(), "tls_settings", Value::string("EncryptionOnly")),
            "tls_domain",
            "DomainValidation",
        ),
        (
            with(inbound(), "sender_domains", Value::Null),
            "sender_domains",
            "needs sender_domains",
        ),
        (
            with(inbound(), "sender_domains", strings(&["a.*.contoso.com"])),
            "sender_domains",
            "leading \"*.\"",
        ),
        (
            with(
                inbound(),
                "trusted_organizations",
                strings(&["*.contoso.onmicrosoft.com"]),
            ),
            "trusted_organizations",
            "without wildcards",
        ),
        (
            with(
                inbound(),
                "sender_ip_addresses",
                strings(&["203.0.113.0/23"]),
            ),
            "sender_ip_addresses",
            "/24 to /32",
        ),
        (
            with(inbound(), "sender_ip_addresses", strings(&["2001:db8::1"])),
            "sender_ip_addresses",
            "IPv6",
        ),
        (
            with(inbound(), "tls_sender_certificate_name", Value::Null),
            "tls_sender_certificate_name",
            "restrict_domains_to_certificate",
        ),
        (
            with(
                inbound(),
                "restrict_domains_to_ip_addresses",
                Value::Bool(true),
            ),
            "sender_ip_addresses",
            "list the partner's addresses",
        ),
        (
            with(inbound(), "direction", Value::string("both")),
            "direction",
            "Expected one of",
        ),
    ];
    for (cfg, attr, needle) in cases {
        let e = errors(&cfg);
        assert!(
            e.iter().any(|(p, d)| p == attr && d.contains(needle)),
            "{attr}: expected {needle:?}, got {e:?}"
        );
    }
    // The boundaries that pass.
    let ok = with(
        with(
            inbound(),
            "sender_ip_addresses",
            strings(&["203.0.113.0/24", "198.51.100.7/32", "192.0.2.1"]),
        ),
        "sender_domains",
        strings(&["*.contoso.com"]),
    );
    assert_eq!(errors(&ok), vec![]);
    let ok = with(outbound(), "name", Value::string("x".repeat(64)));
    assert_eq!(errors(&ok), vec![]);
}

#[test]
fn create_sends_every_managed_parameter_with_its_default() {
    let out = Connector::from_value(&outbound()).unwrap();
    assert_eq!(
        api::new(&out).body(),
        json!({"CmdletInput": {"CmdletName": "New-OutboundConnector", "Parameters": {
            "Name": "To Fabrikam",
            "ConnectorType": "Partner",
            "Enabled": true,
            "Comment": "Cross-tenant mail flow",
            "RecipientDomains": ["fabrikam.com", "fabrikam.onmicrosoft.com"],
            "SmartHosts": ["fabrikam-com.mail.protection.outlook.com"],
            "UseMXRecord": false,
            "TlsSettings": "DomainValidation",
            "TlsDomain": "mail.protection.outlook.com",
            "CloudServicesMailEnabled": false,
            "IsTransportRuleScoped": false,
            "TestMode": false,
            "SmtpDaneMode": "Opportunistic",
            "MtaStsMode": "Opportunistic",
        }}})
    );
    let inb = Connector::from_value(&inbound()).unwrap();
    assert_eq!(
        api::new(&inb).body(),
        json!({"CmdletInput": {"CmdletName": "New-InboundConnector", "Parameters": {
            "Name": "To Fabrikam",
            "ConnectorType": "Partner",
            "Enabled": true,
            "SenderDomains": ["contoso.com"],
            "TrustedOrganizations": ["contoso.onmicrosoft.com"],
            "RequireTls": true,
            "RestrictDomainsToCertificate": true,
            "TlsSenderCertificateName": "*.protection.outlook.com",
            "RestrictDomainsToIPAddresses": false,
            "CloudServicesMailEnabled": false,
            "TreatMessagesAsInternal": false,
        }}})
    );
}

#[test]
fn update_sends_only_what_changed_by_guid() {
    let old = Connector::from_value(&outbound()).unwrap();
    assert!(api::set(&old, &old, GUID).is_none(), "no change, no Set");
    let mut new = old.clone();
    new.name = "To Fabrikam EU".into();
    new.comment = None;
    new.smart_hosts = Some(vec!["b.example.com".into(), "a.example.com".into()]);
    assert_eq!(
        api::set(&old, &new, GUID).unwrap().body(),
        json!({"CmdletInput": {"CmdletName": "Set-OutboundConnector", "Parameters": {
            "Identity": GUID,
            "Name": "To Fabrikam EU",
            "Comment": null,
            "SmartHosts": ["a.example.com", "b.example.com"],
        }}})
    );
    // Back to null: the default is sent (Enabled true), a cleared list as null ($null), never
    // an empty list.
    let mut disabled = old.clone();
    disabled.enabled = Some(false);
    let mut cleared = old.clone();
    cleared.recipient_domains = None;
    let p = |a: &Connector, b: &Connector| api::set(a, b, GUID).unwrap().parameters;
    assert_eq!(p(&disabled, &old)["Enabled"], json!(true));
    assert_eq!(p(&old, &cleared)["RecipientDomains"], json!(null));
    let mut no_hosts = old.clone();
    no_hosts.smart_hosts = Some(vec![]);
    no_hosts.use_mx_record = Some(true);
    assert_eq!(p(&old, &no_hosts)["SmartHosts"], json!(null));
    let inb = Connector::from_value(&inbound()).unwrap();
    let mut untrusted = inb.clone();
    untrusted.trusted_organizations = Some(vec![]);
    assert_eq!(
        p(&inb, &untrusted),
        json!({"Identity": GUID, "TrustedOrganizations": null})
            .as_object()
            .unwrap()
            .clone()
    );
}

/// The outbound settings read back and sent under their Exchange names, set back when they
/// drift; test mode and rule scope are looked for under every Get filter, the last seen first.
#[test]
fn outbound_security_settings_and_the_get_filters() {
    let out = json!({"Name": "To", "Guid": GUID, "ConnectorType": "Partner",
        "TestMode": true, "IsTransportRuleScoped": true, "SmtpDaneMode": "Mandatory",
        "MtaStsMode": "None", "CloudServicesMailEnabled": true});
    let drifted = Connector::from_exchange(&out, "outbound");
    assert_eq!(
        (
            drifted.test_mode,
            drifted.is_transport_rule_scoped,
            drifted.smtp_dane_mode.as_deref(),
            drifted.mta_sts_mode.as_deref(),
            drifted.cloud_services_mail_enabled
        ),
        (
            Some(true),
            Some(true),
            Some("Mandatory"),
            Some("None"),
            Some(true)
        )
    );
    let mut back = drifted.clone();
    back.test_mode = Some(false);
    back.is_transport_rule_scoped = Some(false);
    back.smtp_dane_mode = Some("Opportunistic".into());
    back.mta_sts_mode = Some("Opportunistic".into());
    back.cloud_services_mail_enabled = Some(false);
    assert_eq!(
        api::set(&drifted, &back, GUID).unwrap().parameters,
        json!({"Identity": GUID, "TestMode": false, "IsTransportRuleScoped": false,
            "SmtpDaneMode": "Opportunistic", "MtaStsMode": "Opportunistic",
            "CloudServicesMailEnabled": false})
        .as_object()
        .unwrap()
        .clone()
    );
    assert_eq!(
        api::filters(&drifted),
        vec![
            Some((true, true)),
            Some((false, false)),
            Some((true, false)),
            Some((false, true))
        ]
    );
    assert_eq!(
        api::filters(&back),
        vec![
            Some((false, false)),
            Some((true, false)),
            Some((false, true)),
            Some((true, true))
        ]
    );
    assert_eq!(
        api::get(&drifted, GUID, Some((true, true))).body(),
        json!({"CmdletInput": {"CmdletName": "Get-OutboundConnector", "Parameters": {
            "Identity": GUID, "IncludeTestModeConnectors": true, "IsTransportRuleScoped": true}}})
    );
    assert_eq!(
        api::get(&back, GUID, Some((false, false))).parameters,
        json!({"Identity": GUID}).as_object().unwrap().clone(),
        "a $false filter is the default: not sent"
    );
    let inb = Connector::from_value(&inbound()).unwrap();
    assert_eq!(api::filters(&inb), vec![None], "inbound: one Get");
}

#[test]
fn the_new_settings_are_checked_at_plan() {
    let cases = [
        (
            with(outbound(), "smtp_dane_mode", Value::string("Strict")),
            "smtp_dane_mode",
            "Expected one of",
        ),
        (
            with(outbound(), "mta_sts_mode", Value::string("Mandatory")),
            "mta_sts_mode",
            "Expected one of",
        ),
        (
            with(inbound(), "treat_messages_as_internal", Value::Bool(true)),
            "treat_messages_as_internal",
            "OnPremises",
        ),
        (
            with(inbound(), "test_mode", Value::Bool(true)),
            "test_mode",
            "outbound connectors",
        ),
        (
            with(
                outbound(),
                "associated_accepted_domains",
                strings(&["contoso.com"]),
            ),
            "associated_accepted_domains",
            "inbound connectors",
        ),
        (
            with(
                inbound(),
                "associated_accepted_domains",
                strings(&["*.contoso.com"]),
            ),
            "associated_accepted_domains",
            "without wildcards",
        ),
    ];
    for (cfg, attr, needle) in cases {
        let e = errors(&cfg);
        assert!(
            e.iter().any(|(p, d)| p == attr && d.contains(needle)),
            "{attr}: expected {needle:?}, got {e:?}"
        );
    }
}

/// A connector as Exchange returns it, with every property at its default.
pub(super) fn stored_inbound() -> serde_json::Value {
    json!({
        "Identity": "From Contoso", "Name": "From Contoso", "Guid": GUID.to_uppercase(),
        "Enabled": true, "Comment": null, "ConnectorType": "Partner",
        "SenderDomains": ["smtp:contoso.com;1", "smtp:*.contoso.net;1"],
        "TrustedOrganizations": [], "SenderIPAddresses": [],
        "RequireTls": true, "RestrictDomainsToCertificate": false,
        "RestrictDomainsToIPAddresses": false, "TlsSenderCertificateName": null,
    })
}

#[test]
fn a_read_shows_what_exchange_holds_in_the_model_of_its_direction() {
    let c = Connector::from_exchange(&stored_inbound(), "inbound");
    assert_eq!(c.id.as_deref(), Some(GUID), "the Guid, lowercase");
    assert_eq!(
        c.sender_domains,
        Some(vec!["contoso.com".into(), "*.contoso.net".into()]),
        "address spaces read as domains"
    );
    assert_eq!(
        (
            c.enabled,
            c.require_tls,
            c.trusted_organizations.clone(),
            c.sender_ip_addresses.clone()
        ),
        (Some(true), Some(true), Some(vec![]), Some(vec![]))
    );
    assert_eq!(c.comment, None);
    assert!(c.recipient_domains.is_none() && c.use_mx_record.is_none() && c.smart_hosts.is_none());
    let out = json!({"Name": "To", "Guid": GUID, "Enabled": false, "ConnectorType": "OnPremises",
        "RecipientDomains": ["fabrikam.com"], "SmartHosts": ["h.example.com"], "UseMXRecord": false,
        "TlsSettings": null, "TlsDomain": "", "SenderDomains": ["smtp:x.com;1"]});
    let c = Connector::from_exchange(&out, "outbound");
    assert_eq!(
        (c.enabled, c.use_mx_record, c.tls_domain.clone()),
        (Some(false), Some(false), None)
    );
    assert_eq!(c.connector_type.as_deref(), Some("OnPremises"));
    assert!(
        c.sender_domains.is_none(),
        "the other direction's properties are ignored"
    );
}

fn modified(config: &Value, prior: &Value) -> Value {
    let schema = schema();
    let (p, diags) = crate::framework::plan::plan_resource(
        &PartnerConnector,
        &schema,
        prior,
        config,
        config,
        &Default::default(),
    );
    assert!(diags.is_empty(), "{diags}");
    p.state
}

#[test]
fn arguments_left_out_plan_their_defaults_and_the_other_direction_null() {
    let p = modified(&inbound(), &Value::Null);
    assert_eq!(p.get("enabled"), &Value::Bool(true));
    assert_eq!(p.get("require_tls"), &Value::Bool(true));
    assert_eq!(p.get("sender_ip_addresses"), &Value::Set(vec![]));
    assert_eq!(
        p.get("restrict_domains_to_ip_addresses"),
        &Value::Bool(false)
    );
    assert_eq!(
        p.get("restrict_domains_to_certificate"),
        &Value::Bool(true),
        "as configured"
    );
    assert_eq!(p.get("connector_type"), &Value::string("Partner"));
    assert_eq!(p.get("cloud_services_mail_enabled"), &Value::Bool(false));
    assert_eq!(p.get("treat_messages_as_internal"), &Value::Bool(false));
    assert_eq!(p.get("associated_accepted_domains"), &Value::Set(vec![]));
    for a in OUTBOUND_ONLY {
        assert_eq!(p.get(a), &Value::Null, "{a}");
    }
    assert!(p.get("id").is_unknown());
    let p = modified(&outbound(), &Value::Null);
    assert_eq!(
        p.get("use_mx_record"),
        &Value::Bool(false),
        "smart hosts given: no MX"
    );
    for a in INBOUND_ONLY {
        assert_eq!(p.get(a), &Value::Null, "{a}");
    }
    assert_eq!(p.get("test_mode"), &Value::Bool(false));
    assert_eq!(p.get("is_transport_rule_scoped"), &Value::Bool(false));
    assert_eq!(p.get("smtp_dane_mode"), &Value::string("Opportunistic"));
    assert_eq!(p.get("mta_sts_mode"), &Value::string("Opportunistic"));
    let mut mx = outbound();
    mx.set_attr("smart_hosts", Value::Null);
    mx.set_attr("tls_domain", Value::Null);
    let p = modified(&mx, &Value::Null);
    assert_eq!(p.get("use_mx_record"), &Value::Bool(true));
    assert_eq!(p.get("smart_hosts"), &Value::Set(vec![]));
    // Drift on a left-out argument: the plan sets the default back.
    let mut state = p.clone();
    state.set_attr("id", Value::string(GUID));
    state.set_attr("enabled", Value::Bool(false));
    let p = modified(&mx, &state);
    assert_eq!(p.get("enabled"), &Value::Bool(true));
    assert_eq!(p.get("id"), &Value::string(GUID));
}

#[test]
fn import_ids_name_the_direction() {
    let v = PartnerConnector
        .import(&ImportCtx::default(), "inbound/From Contoso/EU")
        .unwrap();
    assert_eq!(v.get("direction"), &Value::string("inbound"));
    assert_eq!(v.get("name"), &Value::string("From Contoso/EU"));
    let v = PartnerConnector
        .import(&ImportCtx::default(), "outbound/To Fabrikam")
        .unwrap();
    assert_eq!(v.get("direction"), &Value::string("outbound"));
    // A Guid for the name (what the identity holds): found by Guid, whatever it is named now.
    let v = PartnerConnector
        .import(&ImportCtx::default(), &format!("outbound/{GUID}"))
        .unwrap();
    assert_eq!(v.get("id"), &Value::string(GUID));
    assert_eq!(
        PartnerConnector.identity_import_id_of(&v).unwrap(),
        Some(format!("outbound/{GUID}"))
    );
    assert_eq!(
        PartnerConnector.import_id_of(&v).unwrap(),
        Some(format!("outbound/{GUID}")),
        "until its read fills in the name"
    );
    for bad in ["To Fabrikam", "outbound/", "sideways/x"] {
        let e = PartnerConnector
            .import(&ImportCtx::default(), bad)
            .unwrap_err();
        assert!(
            e.0[0].detail.contains("outbound/<connector name>"),
            "{bad}: {e}"
        );
    }
}
