//! `*-OrganizationRelationship` in the emulator: required, unknown and on-premises-only
//! parameters, enums and value rules, unique names and domains, Identity semantics (Get of an
//! unmatched Identity returns everything; Set/Remove answer not found), the no-change warning,
//! and the Exchange audience (a Graph token is 401).

mod emulator_support;

use coexistence_acceptance::emulator::exchange::group::{add_group, add_group_of_type};
use emulator_support::*;

const PATH: &str = "/exchange/organizationRelationships";

/// Makes a relationship (must answer 200) and returns it.
async fn new_rel(x: &Exo, name: &str, domains: &[&str]) -> Value {
    let (s, v) = x
        .run(
            "New-OrganizationRelationship",
            json!({"Name": name, "DomainNames": domains}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["value"][0].clone()
}

/// The stored relationships of Contoso.
fn stored(x: &Exo) -> Vec<(String, Value)> {
    x.env
        .emu
        .objects(CONTOSO)
        .into_iter()
        .filter(|(p, _)| p.starts_with(PATH))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn new_stores_the_documented_defaults_and_get_reads_by_guid_or_name() {
    let x = Exo::new().await;
    let made = new_rel(&x, "Fabrikam", &["fabrikam.com"]).await;
    let guid = made["Guid"].as_str().unwrap().to_string();
    assert_eq!(made["Identity"], "Fabrikam");
    assert_eq!(made["Enabled"], true);
    assert_eq!(made["FreeBusyAccessEnabled"], false);
    assert_eq!(made["FreeBusyAccessLevel"], "None");
    assert_eq!(made["MailTipsAccessLevel"], "None");
    assert_eq!(made["TargetSharingEpr"], Value::Null);
    let stored = stored(&x);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, format!("{PATH}/{guid}"));
    assert_eq!(stored[0].1, made);

    for identity in [guid.clone(), guid.to_ascii_uppercase(), "fabrikam".into()] {
        let (s, v) = x
            .run(
                "Get-OrganizationRelationship",
                json!({"Identity": identity}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["value"].as_array().unwrap().len(), 1, "{identity}: {v}");
        assert_eq!(v["value"][0]["Guid"], guid.as_str());
    }
    // The docs' caution: an Identity matching nothing returns every relationship.
    new_rel(&x, "Northwind", &["northwind.com"]).await;
    let (s, v) = x
        .run(
            "Get-OrganizationRelationship",
            json!({"Identity": "5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["value"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = x.run("Get-OrganizationRelationship", json!({})).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn parameters_and_values_are_checked() {
    let x = Exo::new().await;
    let new = "New-OrganizationRelationship";
    let ok = |extra: Value| {
        let mut p = json!({"Name": "Fabrikam", "DomainNames": ["fabrikam.com"]});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        p
    };
    // Required, unknown, on-premises-only, mis-typed and enum parameters: binding errors.
    let binding = "System.Management.Automation.ParameterBindingException";
    for (params, target) in [
        (json!({"DomainNames": ["fabrikam.com"]}), "Name"),
        (json!({"Name": "Fabrikam"}), "DomainNames"),
        (
            ok(json!({"DomainController": "dc1.contoso.com"})),
            "DomainController",
        ),
        (ok(json!({"Enabled": "true"})), "Enabled"),
        (ok(json!({"DomainNames": "fabrikam.com"})), "DomainNames"),
        (
            ok(json!({"FreeBusyAccessLevel": "limiteddetails"})),
            "FreeBusyAccessLevel",
        ),
        (
            ok(json!({"MailTipsAccessLevel": "Everything"})),
            "MailTipsAccessLevel",
        ),
        (ok(json!({"Identity": "Fabrikam"})), "Identity"),
        // A list is emptied with $null, never `[]` (and DomainNames is never empty).
        (ok(json!({"DomainNames": []})), "DomainNames"),
    ] {
        let (ty, _) = x.refused(new, params, target).await;
        assert_eq!(ty, binding);
    }
    // Value rules: validation errors naming the parameter.
    let validation = "Microsoft.Exchange.Data.DataValidationException";
    for (params, target) in [
        (ok(json!({"Name": "x".repeat(65)})), "Name"),
        // Neither a domain name nor a whole GUID.
        (
            ok(json!({"DomainNames": ["72f988bf-86f1-41af-91ab-2d7cd011db4"]})),
            "DomainNames",
        ),
        (
            ok(json!({"DomainNames": ["*.fabrikam.com"]})),
            "DomainNames",
        ),
        (
            ok(
                json!({"DomainNames": (0..239).map(|i| format!("d{i}.fabrikam.com")).collect::<Vec<_>>()}),
            ),
            "DomainNames",
        ),
        (
            ok(json!({"TargetAutodiscoverEpr": "autodiscover.outlook.com"})),
            "TargetAutodiscoverEpr",
        ),
        (
            ok(json!({"TargetSharingEpr": "ftp://x.example/ews"})),
            "TargetSharingEpr",
        ),
        (
            ok(json!({"TargetApplicationUri": "outlook com"})),
            "TargetApplicationUri",
        ),
        (
            ok(json!({"OrganizationContact": "nobody"})),
            "OrganizationContact",
        ),
    ] {
        let (ty, _) = x.refused(new, params, target).await;
        assert_eq!(ty, validation);
    }
    assert!(stored(&x).is_empty(), "nothing refused was stored");
    add_group(&x.env.emu, CONTOSO, "Sharing group");
    // Every documented parameter with a valid value is accepted; nulls clear strings.
    let (s, v) = x
        .run(
            new,
            ok(json!({
                "Enabled": false, "FreeBusyAccessEnabled": true, "FreeBusyAccessLevel": "LimitedDetails",
                "FreeBusyAccessScope": "Sharing group", "MailTipsAccessEnabled": true,
                "MailTipsAccessLevel": "Limited", "DeliveryReportEnabled": true, "PhotosEnabled": true,
                "TargetApplicationUri": "outlook.com",
                "TargetAutodiscoverEpr": "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity",
                "TargetSharingEpr": null, "OrganizationContact": "admin@fabrikam.com",
                "ArchiveAccessEnabled": false, "MailboxMoveEnabled": false,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"][0]["MailTipsAccessLevel"], "Limited");
    assert_eq!(v["value"][0]["OrganizationContact"], "admin@fabrikam.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn names_and_domains_are_unique() {
    let x = Exo::new().await;
    new_rel(&x, "Fabrikam", &["fabrikam.com"]).await;
    let (ty, msg) = x
        .refused(
            "New-OrganizationRelationship",
            json!({"Name": "FABRIKAM", "DomainNames": ["other.com"]}),
            "Name",
        )
        .await;
    assert_eq!(
        ty,
        "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
    );
    assert!(msg.contains("already exists"), "{msg}");
    let (_, msg) = x
        .refused(
            "New-OrganizationRelationship",
            json!({"Name": "Other", "DomainNames": ["Fabrikam.com"]}),
            "DomainNames",
        )
        .await;
    assert!(msg.contains("already used"), "{msg}");
    // Renaming onto another's name is refused too; onto its own (case change) is not.
    new_rel(&x, "Northwind", &["northwind.com"]).await;
    x.refused(
        "Set-OrganizationRelationship",
        json!({"Identity": "Northwind", "Name": "Fabrikam"}),
        "Name",
    )
    .await;
    let (s, v) = x
        .run(
            "Set-OrganizationRelationship",
            json!({"Identity": "Northwind", "Name": "NorthWind"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(stored(&x).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn set_changes_in_place_warns_on_no_change_and_remove_deletes() {
    let x = Exo::new().await;
    let guid = new_rel(&x, "Fabrikam", &["fabrikam.com"]).await["Guid"]
        .as_str()
        .unwrap()
        .to_string();
    let set = "Set-OrganizationRelationship";
    let (s, v) = x
        .run(
            set,
            json!({"Identity": guid, "Name": "Fabrikam Ltd", "PhotosEnabled": true,
                   "TargetSharingEpr": "https://outlook.office365.com/EWS/Exchange.asmx"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"], json!([]));
    assert!(v.get("@adminapi.warnings").is_none(), "{v}");
    let (path, obj) = stored(&x).remove(0);
    assert_eq!(path, format!("{PATH}/{guid}"), "a rename keeps the Guid");
    assert_eq!(obj["Name"], "Fabrikam Ltd");
    assert_eq!(obj["Identity"], "Fabrikam Ltd");
    assert_eq!(obj["PhotosEnabled"], true);

    // Clearing with null, then a Set that changes nothing: success with Exchange's warning.
    let (s, _) = x
        .run(set, json!({"Identity": guid, "TargetSharingEpr": null}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stored(&x)[0].1["TargetSharingEpr"], Value::Null);
    let (s, v) = x
        .run(set, json!({"Identity": guid, "PhotosEnabled": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["@adminapi.warnings"],
        json!(["The command completed successfully but no settings of 'Fabrikam Ltd' have been modified."])
    );

    // Set / Remove of an unknown Identity: ManagementObjectNotFoundException.
    for c in [set, "Remove-OrganizationRelationship"] {
        let (s, v) = x.run(c, json!({"Identity": "Contoso"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        assert_eq!(
            v["error"]["innererror"]["type"],
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
        );
    }
    x.refused("Remove-OrganizationRelationship", json!({}), "Identity")
        .await;
    let (s, v) = x
        .run("Remove-OrganizationRelationship", json!({"Identity": guid}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(stored(&x).is_empty());
    assert!(x.env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_graph_token_is_refused_and_tenants_are_separate() {
    let x = Exo::new().await;
    let graph = x.env.token().await;
    let body = cmdlet(
        "New-OrganizationRelationship",
        json!({"Name": "Fabrikam", "DomainNames": ["fabrikam.com"]}),
    );
    let (s, _, v) = x
        .env
        .call(Method::POST, INVOKE, Some(&graph), Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["error"]["code"], "Unauthorized");
    assert!(stored(&x).is_empty(), "a refused token changes nothing");
    // Another tenant's relationships are its own.
    let fabrikam = x.env.tenant_token(FABRIKAM, EXCHANGE_SCOPE).await;
    let other = format!("/adminapi/beta/{FABRIKAM}/InvokeCommand");
    let (s, _, v) = x
        .env
        .call(Method::POST, &other, Some(&fabrikam), Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(stored(&x).is_empty());
    let (_, v) = x.run("Get-OrganizationRelationship", json!({})).await;
    assert_eq!(v["value"], json!([]));
}

/// Cross-tenant mailbox migration names the partner by its tenant ID in `DomainNames`.
#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_id_is_accepted_in_domain_names_once() {
    let x = Exo::new().await;
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let made = new_rel(&x, "Fabrikam", &[tenant, "fabrikam.com"]).await;
    assert_eq!(made["DomainNames"], json!([tenant, "fabrikam.com"]));
    let (ty, _) = x
        .refused(
            "New-OrganizationRelationship",
            json!({"Name": "Other", "DomainNames": [tenant.to_ascii_uppercase()]}),
            "DomainNames",
        )
        .await;
    assert_eq!(ty, "Microsoft.Exchange.Data.DataValidationException");
}

/// `Set-OrganizationRelationship` refuses `$null` for `Name` and `DomainNames` (a relationship
/// always has both) but clears other properties with it; `-WhatIf` changes nothing and
/// `-Confirm` is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn set_refuses_a_null_name_or_domains_and_what_if_changes_nothing() {
    let x = Exo::new().await;
    let made = new_rel(&x, "Fabrikam", &["fabrikam.com"]).await;
    assert_eq!(
        (
            &made["ArchiveAccessEnabled"],
            &made["MailTipsAccessScope"],
            &made["TargetOwaURL"]
        ),
        (&json!(false), &Value::Null, &Value::Null),
        "the reference's defaults"
    );
    for p in ["Name", "DomainNames"] {
        let (ty, msg) = x
            .refused(
                "Set-OrganizationRelationship",
                json!({"Identity": "Fabrikam", p: null}),
                p,
            )
            .await;
        assert_eq!(ty, "System.Management.Automation.ParameterBindingException");
        assert!(msg.contains("because it is null"), "{msg}");
    }
    x.refused_containing(
        "Set-OrganizationRelationship",
        json!({"Identity": "Fabrikam", "TargetOwaURL": "outlook.office.com/owa"}),
        "TargetOwaURL",
        "absolute",
    )
    .await;
    let mailtips = add_group(&x.env.emu, CONTOSO, "MailTips group");
    let set = json!({"Identity": "Fabrikam", "ArchiveAccessEnabled": true,
        "MailTipsAccessScope": "MailTips group",
        "TargetOwaURL": "https://outlook.office.com/owa/fabrikam.com"});
    let mut what_if = set.clone();
    what_if["WhatIf"] = json!(true);
    x.run("Set-OrganizationRelationship", what_if).await;
    assert_eq!(stored(&x)[0].1, made, "WhatIf changed nothing");
    let mut confirmed = set.clone();
    confirmed["Confirm"] = json!(false);
    let (s, v) = x.run("Set-OrganizationRelationship", confirmed).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let o = &stored(&x)[0].1;
    assert_eq!(o["ArchiveAccessEnabled"], true);
    assert_eq!(o["MailTipsAccessScope"], mailtips["DistinguishedName"]);
    assert!(o.get("Confirm").is_none(), "{o}");
    let (s, _) = x
        .run(
            "Set-OrganizationRelationship",
            json!({"Identity": "Fabrikam", "MailTipsAccessScope": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stored(&x)[0].1["MailTipsAccessScope"], Value::Null);
    let (s, _) = x
        .run(
            "Remove-OrganizationRelationship",
            json!({"Identity": "Fabrikam", "WhatIf": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stored(&x).len(), 1, "WhatIf removed nothing");
}

/// A scope names a group by its name, distinguished name, canonical DN or Guid (any case) and
/// is stored and answered as the group's distinguished name; a name that is no group, or a
/// group that is not a mail-enabled security group, is refused on the parameter. `Get-Group`
/// finds the group by each form; an unknown identity is not found.
#[tokio::test(flavor = "multi_thread")]
async fn a_scope_is_resolved_and_answered_as_the_groups_distinguished_name() {
    let x = Exo::new().await;
    let g = add_group(&x.env.emu, CONTOSO, "Fabrikam free/busy");
    add_group_of_type(
        &x.env.emu,
        CONTOSO,
        "All staff",
        "MailUniversalDistributionGroup",
    );
    let dn = g["DistinguishedName"].as_str().unwrap().to_string();
    let guid = g["Guid"].as_str().unwrap().to_string();
    assert!(
        dn.starts_with("CN=Fabrikam free/busy,OU=contoso.onmicrosoft.com,"),
        "{dn}"
    );
    let canonical = coexistence_acceptance::emulator::exchange::group::canonical_name(&dn);
    assert!(
        canonical.ends_with("/contoso.onmicrosoft.com/Fabrikam free\\/busy"),
        "{canonical}"
    );
    let made = new_rel(&x, "Fabrikam", &["fabrikam.com"]).await;
    for form in [
        "fabrikam FREE/busy".to_string(),
        dn.to_ascii_lowercase(),
        canonical.clone(),
        guid.to_ascii_uppercase(),
    ] {
        let (s, v) = x
            .run(
                "Set-OrganizationRelationship",
                json!({"Identity": "Fabrikam", "FreeBusyAccessScope": form, "MailTipsAccessScope": null}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{form}: {v}");
        assert_eq!(
            stored(&x)[0].1["FreeBusyAccessScope"],
            dn.as_str(),
            "{form}"
        );
        let (s, v) = x.run("Get-Group", json!({"Identity": form})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["value"][0]["Guid"], guid.as_str(), "{form}");
    }
    let (_, v) = x
        .run(
            "Get-OrganizationRelationship",
            json!({"Identity": made["Guid"]}),
        )
        .await;
    assert_eq!(v["value"][0]["FreeBusyAccessScope"], dn.as_str());
    let (ty, _) = x
        .refused(
            "Set-OrganizationRelationship",
            json!({"Identity": "Fabrikam", "MailTipsAccessScope": "Nobody"}),
            "MailTipsAccessScope",
        )
        .await;
    assert_eq!(
        ty,
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    );
    x.refused_containing(
        "New-OrganizationRelationship",
        json!({"Name": "Other", "DomainNames": ["other.example.com"], "FreeBusyAccessScope": "All staff"}),
        "FreeBusyAccessScope",
        "mail-enabled security group",
    )
    .await;
    let (s, v) = x.run("Get-Group", json!({"Identity": "Nobody"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = x.run("Get-Group", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["value"].as_array().unwrap().len(), 2, "{v}");
}

/// The endpoint URIs are stored normalised: scheme and host lowercase, no default port, `/`
/// for an empty path; the path keeps its case.
#[tokio::test(flavor = "multi_thread")]
async fn endpoint_uris_are_answered_normalised() {
    let x = Exo::new().await;
    let (s, v) = x
        .run(
            "New-OrganizationRelationship",
            json!({"Name": "Fabrikam", "DomainNames": ["fabrikam.com"],
                "TargetAutodiscoverEpr": "HTTPS://Autodiscover.Outlook.COM:443/autodiscover/autodiscover.svc/WSSecurity",
                "TargetOwaURL": "https://Outlook.Office.com",
                "TargetSharingEpr": "http://EWS.example.com:80/EWS/Exchange.asmx"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let o = &v["value"][0];
    assert_eq!(
        o["TargetAutodiscoverEpr"],
        "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"
    );
    assert_eq!(o["TargetOwaURL"], "https://outlook.office.com/");
    assert_eq!(
        o["TargetSharingEpr"],
        "http://ews.example.com/EWS/Exchange.asmx"
    );
}

/// Mailbox moves: `MailboxMoveCapability` takes a combination of the documented values in one
/// string and is answered in the reference's order (`None` once cleared); a value outside them
/// is refused; published scopes are groups (answered as DNs) and need an outbound capability;
/// `OAuthApplicationId` is a Guid; `$null` clears the capability and the scopes.
#[tokio::test(flavor = "multi_thread")]
async fn mailbox_move_settings_combinations_and_clearing() {
    let x = Exo::new().await;
    let g = add_group(&x.env.emu, CONTOSO, "Migration group");
    let app = "6aa3cf87-4754-43e2-8ec6-606f6b938ae8";
    let (s, v) = x
        .run(
            "New-OrganizationRelationship",
            json!({"Name": "Fabrikam", "DomainNames": [FABRIKAM], "MailboxMoveEnabled": true,
                "MailboxMoveCapability": "RemoteOutbound, Inbound",
                "MailboxMovePublishedScopes": ["migration GROUP"], "OAuthApplicationId": app}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let o = &v["value"][0];
    assert_eq!(o["MailboxMoveCapability"], "Inbound, RemoteOutbound");
    assert_eq!(
        o["MailboxMovePublishedScopes"],
        json!([g["DistinguishedName"]])
    );
    assert_eq!(o["OAuthApplicationId"], app);
    assert_eq!(o["MailboxMoveEnabled"], true);
    let set = "Set-OrganizationRelationship";
    for bad in ["None", "Inbound, Sideways", "inbound"] {
        x.refused_containing(
            set,
            json!({"Identity": "Fabrikam", "MailboxMoveCapability": bad}),
            "MailboxMoveCapability",
            "allowed value",
        )
        .await;
    }
    // Scopes without an outbound capability, as the relationship would be left.
    x.refused_containing(
        set,
        json!({"Identity": "Fabrikam", "MailboxMoveCapability": "Inbound"}),
        "MailboxMovePublishedScopes",
        "Outbound or RemoteOutbound",
    )
    .await;
    x.refused_containing(
        set,
        json!({"Identity": "Fabrikam", "OAuthApplicationId": "migration app"}),
        "OAuthApplicationId",
        "Guid",
    )
    .await;
    x.refused(
        set,
        json!({"Identity": "Fabrikam", "MailboxMovePublishedScopes": ["Nobody"]}),
        "MailboxMovePublishedScopes",
    )
    .await;
    assert_eq!(
        stored(&x)[0].1["MailboxMoveCapability"],
        "Inbound, RemoteOutbound"
    );
    let (s, v) = x
        .run(
            set,
            json!({"Identity": "Fabrikam", "MailboxMoveCapability": "Inbound",
                "MailboxMovePublishedScopes": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = x
        .run(
            set,
            json!({"Identity": "Fabrikam", "MailboxMoveCapability": null, "OAuthApplicationId": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let o = &stored(&x)[0].1;
    assert_eq!(o["MailboxMoveCapability"], "None");
    assert_eq!(o["MailboxMovePublishedScopes"], json!([]));
    assert_eq!(o["OAuthApplicationId"], Value::Null);
}
