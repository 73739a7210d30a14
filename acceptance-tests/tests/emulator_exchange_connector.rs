//! Exchange connector cmdlets (`Get/New/Set/Remove-InboundConnector` and `-OutboundConnector`):
//! the lifecycle by name and Guid, Exchange's read-back forms, warnings, and every documented
//! rule with the nested error shape naming the parameter. Plain reqwest against the emulator.

mod emulator_support;

use coexistence_acceptance::emulator::exchange::connector::{
    inbound_path, outbound_path, NO_TLS_WARNING,
};
use emulator_support::*;

fn outbound() -> Value {
    json!({
        "Name": "To Fabrikam",
        "ConnectorType": "Partner",
        "RecipientDomains": ["fabrikam.com", "*.fabrikam.net"],
        "SmartHosts": ["fabrikam-com.mail.protection.outlook.com"],
        "UseMXRecord": false,
        "TlsSettings": "DomainValidation",
        "TlsDomain": "mail.protection.outlook.com",
    })
}

fn inbound() -> Value {
    json!({
        "Name": "From Fabrikam",
        "ConnectorType": "Partner",
        "SenderDomains": ["fabrikam.com"],
        "TrustedOrganizations": ["fabrikam.onmicrosoft.com"],
        "RequireTls": true,
    })
}

/// `base` with one parameter set.
fn with(mut base: Value, k: &str, v: Value) -> Value {
    base[k] = v;
    base
}

#[tokio::test(flavor = "multi_thread")]
async fn outbound_lifecycle_by_name_and_guid_and_rename_keeps_the_guid() {
    let x = Exo::new().await;
    let v = x.ok("New-OutboundConnector", outbound()).await;
    let created = &v["value"][0];
    let guid = created["Guid"].as_str().unwrap().to_string();
    assert_eq!(created["Name"], "To Fabrikam");
    assert_eq!(created["Identity"], "To Fabrikam");
    assert_eq!(created["Enabled"], true, "documented default");
    assert_eq!(created["Comment"], Value::Null);
    assert!(v.get("@adminapi.warnings").is_none(), "{v}");
    assert!(x.env.emu.object(CONTOSO, &outbound_path(&guid)).is_some());

    // Get by name (any case), by Guid, and every connector without Identity.
    for id in ["to fabrikam", guid.as_str()] {
        let v = x.ok("Get-OutboundConnector", json!({"Identity": id})).await;
        assert_eq!(v["value"].as_array().unwrap().len(), 1, "{id}");
        assert_eq!(v["value"][0]["Guid"], guid.as_str());
    }
    x.ok(
        "New-OutboundConnector",
        json!({"Name": "Second", "ConnectorType": "Partner"}),
    )
    .await;
    for params in [json!({}), json!({"Identity": null})] {
        let v = x.ok("Get-OutboundConnector", params).await;
        assert_eq!(v["value"].as_array().unwrap().len(), 2, "{v}");
    }
    let v = x
        .ok("Get-OutboundConnector", json!({"Identity": guid}))
        .await;
    assert_eq!(
        v["value"][0]["SmartHosts"],
        json!(["fabrikam-com.mail.protection.outlook.com"])
    );
    // $select projects.
    let (s, _, v) = x
        .env
        .call(
            Method::POST,
            &format!("{INVOKE}?$select=Name,Guid"),
            Some(&x.token),
            Some(cmdlet("Get-OutboundConnector", json!({"Identity": guid}))),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["value"][0].as_object().unwrap().len(), 2, "{v}");

    // Set by Guid: rename, clear the comment with $null; the Guid stays.
    x.ok(
        "Set-OutboundConnector",
        json!({"Identity": guid, "Comment": "c"}),
    )
    .await;
    let v = x
        .ok(
            "Set-OutboundConnector",
            json!({"Identity": guid, "Name": "To Fabrikam EU", "Comment": null}),
        )
        .await;
    assert_eq!(v["value"], json!([]), "Set answers no objects");
    let o = x.env.emu.object(CONTOSO, &outbound_path(&guid)).unwrap();
    assert_eq!(
        (o["Name"].as_str(), o["Identity"].as_str()),
        (Some("To Fabrikam EU"), Some("To Fabrikam EU"))
    );
    assert_eq!(o["Comment"], Value::Null);
    assert_eq!(o["Guid"], guid.as_str());
    // The reference's caution: an Identity that matches nothing returns every connector.
    let v = x
        .ok("Get-OutboundConnector", json!({"Identity": "To Fabrikam"}))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2, "{v}");

    x.ok("Remove-OutboundConnector", json!({"Identity": guid}))
        .await;
    assert!(x.env.emu.object(CONTOSO, &outbound_path(&guid)).is_none());
    let (s, _) = x
        .run("Remove-OutboundConnector", json!({"Identity": guid}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = x
        .run(
            "Set-OutboundConnector",
            json!({"Identity": guid, "Enabled": false}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn inbound_reads_sender_domains_as_address_spaces_and_warns_without_tls() {
    let x = Exo::new().await;
    let v = x.ok("New-InboundConnector", inbound()).await;
    let c = &v["value"][0];
    assert_eq!(c["SenderDomains"], json!(["smtp:fabrikam.com;1"]));
    assert_eq!(
        c["TrustedOrganizations"],
        json!(["fabrikam.onmicrosoft.com"])
    );
    assert_eq!(c["SenderIPAddresses"], json!([]));
    assert!(v.get("@adminapi.warnings").is_none(), "{v}");
    let guid = c["Guid"].as_str().unwrap().to_string();
    assert!(x.env.emu.object(CONTOSO, &inbound_path(&guid)).is_some());

    let v = x
        .ok(
            "Set-InboundConnector",
            json!({"Identity": guid, "RequireTls": false}),
        )
        .await;
    assert_eq!(v["@adminapi.warnings"], json!([NO_TLS_WARNING]));
    // A list cleared with $null reads back empty.
    x.ok(
        "Set-InboundConnector",
        json!({"Identity": guid, "TrustedOrganizations": null}),
    )
    .await;
    let o = x.env.emu.object(CONTOSO, &inbound_path(&guid)).unwrap();
    assert_eq!(o["TrustedOrganizations"], json!([]));
    // The default ConnectorType is not Partner: a Partner connector has to say so.
    let v = x
        .ok(
            "New-InboundConnector",
            json!({"Name": "Untyped", "SenderDomains": ["*"]}),
        )
        .await;
    assert_eq!(v["value"][0]["ConnectorType"], "OnPremises");
    // Inbound and outbound names are separate.
    x.ok("New-OutboundConnector", json!({"Name": "From Fabrikam"}))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_rules_are_enforced_naming_the_parameter() {
    let x = Exo::new().await;
    let mut no_name = outbound();
    no_name.as_object_mut().unwrap().remove("Name");
    x.refused_containing(
        "New-OutboundConnector",
        no_name,
        "Name",
        "missing mandatory parameters",
    )
    .await;
    let mut no_domains = inbound();
    no_domains.as_object_mut().unwrap().remove("SenderDomains");
    x.refused_containing(
        "New-InboundConnector",
        no_domains,
        "SenderDomains",
        "missing mandatory",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SenderDomains", Value::Null),
        "SenderDomains",
        "because it is null",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SenderDomains", json!([])),
        "SenderDomains",
        "pass $null",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "Name", json!("x".repeat(65))),
        "Name",
        "maximum length is 64",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(
            outbound(),
            "RecipientDomains",
            json!(["mail.*.fabrikam.com"]),
        ),
        "RecipientDomains",
        "leading wildcard",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SenderDomains", json!(["fab*.com"])),
        "SenderDomains",
        "leading wildcard",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "TlsDomain", json!("a.*.com")),
        "TlsDomain",
        "valid domain",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "SmartHosts", Value::Null),
        "SmartHosts",
        "required when UseMXRecord is $false",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "SmartHosts", json!(["not a host"])),
        "SmartHosts",
        "valid smart host",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "RouteAllMessagesViaOnPremises", json!(true)),
        "RouteAllMessagesViaOnPremises",
        "OnPremises",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SenderIPAddresses", json!(["203.0.113.0/23"])),
        "SenderIPAddresses",
        "/24 to /32",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SenderIPAddresses", json!(["2001:db8::/64"])),
        "SenderIPAddresses",
        "IPv6",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "TreatMessagesAsInternal", json!(true)),
        "TreatMessagesAsInternal",
        "OnPremises",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "TlsSenderCertificateName", json!("*contoso.com")),
        "TlsSenderCertificateName",
        "leading wildcard",
    )
    .await;
    // Enums exactly as documented; unknown and mis-cased parameters; a Boolean has no $null.
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "TlsSettings", json!("domainvalidation")),
        "TlsSettings",
        "enumerator names",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "ConnectorType", json!("Internet")),
        "ConnectorType",
        "enumerator names",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "RequireTls", json!(true)),
        "RequireTls",
        "cannot be found",
    )
    .await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "UseMxRecord", json!(true)),
        "UseMxRecord",
        "cannot be found",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "SmartHosts", json!(["a.example.com"])),
        "SmartHosts",
        "cannot be found",
    )
    .await;
    x.refused_containing(
        "New-InboundConnector",
        with(inbound(), "Enabled", Value::Null),
        "Enabled",
        "System.Boolean",
    )
    .await;
    x.refused_containing(
        "Set-InboundConnector",
        json!({"Identity": "x", "ClientHostNames": ["mail.fabrikam.com"]}),
        "ClientHostNames",
        "cannot be found",
    )
    .await;
    x.refused_containing(
        "Set-OutboundConnector",
        json!({"Name": "x"}),
        "Identity",
        "missing mandatory",
    )
    .await;

    // Names are unique per direction, case-insensitive, on New and on a Set rename.
    x.ok("New-OutboundConnector", outbound()).await;
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "Name", json!("TO FABRIKAM")),
        "Name",
        "already exists",
    )
    .await;
    let other = x
        .ok(
            "New-OutboundConnector",
            with(outbound(), "Name", json!("Other")),
        )
        .await;
    let guid = other["value"][0]["Guid"].as_str().unwrap().to_string();
    x.refused_containing(
        "Set-OutboundConnector",
        json!({"Identity": guid, "Name": "to fabrikam"}),
        "Name",
        "already exists",
    )
    .await;
    // A Set is checked on the result: dropping the smart hosts of a non-MX connector fails.
    x.refused_containing(
        "Set-OutboundConnector",
        json!({"Identity": guid, "SmartHosts": null}),
        "SmartHosts",
        "UseMXRecord",
    )
    .await;
    x.ok(
        "Set-OutboundConnector",
        json!({"Identity": guid, "SmartHosts": null, "UseMXRecord": true}),
    )
    .await;
    let o = x.env.emu.object(CONTOSO, &outbound_path(&guid)).unwrap();
    assert_eq!(
        (o["UseMXRecord"].as_bool(), o["SmartHosts"].clone()),
        (Some(true), json!([]))
    );
}

/// `Get-OutboundConnector` lists only connectors whose `TestMode` and `IsTransportRuleScoped`
/// equal its two filters, `$false` when left out, by Identity too; a Get without the filters
/// does not show a connector in test mode or scoped to rules.
#[tokio::test(flavor = "multi_thread")]
async fn get_outbound_filters_test_mode_and_rule_scoped_connectors() {
    let x = Exo::new().await;
    let mut guids = Vec::new();
    for (name, test_mode, scoped) in [
        ("Plain", false, false),
        ("Testing", true, false),
        ("Scoped", false, true),
        ("Both", true, true),
    ] {
        let v = x
            .ok(
                "New-OutboundConnector",
                json!({"Name": name, "ConnectorType": "Partner", "TestMode": test_mode,
                    "IsTransportRuleScoped": scoped}),
            )
            .await;
        assert_eq!(v["value"][0]["TestMode"], test_mode);
        guids.push(v["value"][0]["Guid"].as_str().unwrap().to_string());
    }
    let names = |v: &Value| -> Vec<String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["Name"].as_str().unwrap().to_string())
            .collect()
    };
    for (filters, want) in [
        (json!({}), "Plain"),
        (
            json!({"IncludeTestModeConnectors": false, "IsTransportRuleScoped": false}),
            "Plain",
        ),
        (json!({"IncludeTestModeConnectors": true}), "Testing"),
        (json!({"IsTransportRuleScoped": true}), "Scoped"),
        (
            json!({"IncludeTestModeConnectors": true, "IsTransportRuleScoped": true}),
            "Both",
        ),
    ] {
        let v = x.ok("Get-OutboundConnector", filters.clone()).await;
        assert_eq!(names(&v), vec![want.to_string()], "{filters}");
    }
    // By Identity: a connector in test mode is left out of a Get without the filter.
    let v = x
        .ok("Get-OutboundConnector", json!({"Identity": guids[1]}))
        .await;
    assert_eq!(names(&v), Vec::<String>::new(), "{v}");
    let v = x
        .ok(
            "Get-OutboundConnector",
            json!({"Identity": guids[1], "IncludeTestModeConnectors": true}),
        )
        .await;
    assert_eq!(names(&v), vec!["Testing".to_string()]);
    // An Identity matching nothing: every connector the filters list.
    let v = x
        .ok(
            "Get-OutboundConnector",
            json!({"Identity": "Nobody", "IsTransportRuleScoped": true}),
        )
        .await;
    assert_eq!(names(&v), vec!["Scoped".to_string()]);
}

/// A multi-valued property is emptied with `$null`; an empty list is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_list_is_cleared_with_null_and_an_empty_list_is_refused() {
    let x = Exo::new().await;
    let v = x.ok("New-InboundConnector", inbound()).await;
    let guid = v["value"][0]["Guid"].as_str().unwrap().to_string();
    for p in ["TrustedOrganizations", "SenderIPAddresses"] {
        x.refused_containing(
            "Set-InboundConnector",
            json!({"Identity": guid, p: []}),
            p,
            "pass $null",
        )
        .await;
    }
    x.ok(
        "Set-InboundConnector",
        json!({"Identity": guid, "TrustedOrganizations": null}),
    )
    .await;
    let o = x.env.emu.object(CONTOSO, &inbound_path(&guid)).unwrap();
    assert_eq!(o["TrustedOrganizations"], json!([]), "read back empty");
    x.refused_containing(
        "New-OutboundConnector",
        with(outbound(), "RecipientDomains", json!([])),
        "RecipientDomains",
        "pass $null",
    )
    .await;
}

/// The settings a connector reads back with the reference's defaults, their documented values
/// checked; `AssociatedAcceptedDomains` must be accepted domains.
#[tokio::test(flavor = "multi_thread")]
async fn defaults_and_values_of_the_hybrid_and_security_settings() {
    let x = Exo::new().await;
    let o = &x.ok("New-OutboundConnector", outbound()).await["value"][0];
    assert_eq!(
        (
            &o["SmtpDaneMode"],
            &o["MtaStsMode"],
            &o["TestMode"],
            &o["IsTransportRuleScoped"],
            &o["CloudServicesMailEnabled"]
        ),
        (
            &json!("Opportunistic"),
            &json!("Opportunistic"),
            &json!(false),
            &json!(false),
            &json!(false)
        )
    );
    let i = &x.ok("New-InboundConnector", inbound()).await["value"][0];
    assert_eq!(
        (
            &i["AssociatedAcceptedDomains"],
            &i["TreatMessagesAsInternal"],
            &i["CloudServicesMailEnabled"]
        ),
        (&json!([]), &json!(false), &json!(false))
    );
    x.refused_containing(
        "Set-OutboundConnector",
        json!({"Identity": "To Fabrikam", "MtaStsMode": "Mandatory"}),
        "MtaStsMode",
        "enumerator names",
    )
    .await;
    x.refused_containing(
        "Set-OutboundConnector",
        json!({"Identity": "To Fabrikam", "SmtpDaneMode": "Strict"}),
        "SmtpDaneMode",
        "enumerator names",
    )
    .await;
    x.refused_containing(
        "Set-InboundConnector",
        json!({"Identity": "From Fabrikam", "AssociatedAcceptedDomains": ["fabrikam.com"]}),
        "AssociatedAcceptedDomains",
        "accepted domain",
    )
    .await;
    x.refused_containing(
        "Set-InboundConnector",
        json!({"Identity": "From Fabrikam", "TreatMessagesAsInternal": true}),
        "TreatMessagesAsInternal",
        "OnPremises",
    )
    .await;
}

/// `-WhatIf` checks and changes nothing; `-Confirm` is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn what_if_changes_nothing_and_confirm_is_accepted() {
    let x = Exo::new().await;
    let v = x
        .ok(
            "New-OutboundConnector",
            with(outbound(), "WhatIf", json!(true)),
        )
        .await;
    assert_eq!(v["value"], json!([]));
    assert_eq!(
        x.ok("Get-OutboundConnector", json!({})).await["value"],
        json!([])
    );
    x.refused_containing(
        "New-OutboundConnector",
        with(
            with(outbound(), "WhatIf", json!(true)),
            "SmartHosts",
            json!(["not a host"]),
        ),
        "SmartHosts",
        "valid smart host",
    )
    .await;
    let v = x
        .ok(
            "New-OutboundConnector",
            with(outbound(), "Confirm", json!(false)),
        )
        .await;
    let guid = v["value"][0]["Guid"].as_str().unwrap().to_string();
    x.ok(
        "Set-OutboundConnector",
        json!({"Identity": guid, "Enabled": false, "WhatIf": true, "Confirm": false}),
    )
    .await;
    let o = x.env.emu.object(CONTOSO, &outbound_path(&guid)).unwrap();
    assert_eq!(o["Enabled"], true, "WhatIf changed nothing");
    assert!(
        o.get("WhatIf").is_none() && o.get("Confirm").is_none(),
        "{o}"
    );
    x.ok(
        "Remove-OutboundConnector",
        json!({"Identity": guid, "WhatIf": true}),
    )
    .await;
    assert!(x.env.emu.object(CONTOSO, &outbound_path(&guid)).is_some());
    x.ok(
        "Remove-OutboundConnector",
        json!({"Identity": guid, "Confirm": false}),
    )
    .await;
    assert!(x.env.emu.object(CONTOSO, &outbound_path(&guid)).is_none());
}

/// A certificate name reads back lowercase, the `*.` wildcard kept.
#[tokio::test(flavor = "multi_thread")]
async fn the_certificate_name_reads_back_lowercase() {
    let x = Exo::new().await;
    let v = x
        .ok(
            "New-InboundConnector",
            with(
                inbound(),
                "TlsSenderCertificateName",
                json!("*.Protection.Outlook.COM"),
            ),
        )
        .await;
    assert_eq!(
        v["value"][0]["TlsSenderCertificateName"],
        "*.protection.outlook.com"
    );
}
