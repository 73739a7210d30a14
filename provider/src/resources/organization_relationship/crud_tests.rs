//! Create, read, update and delete over a scripted transport: reads by Guid and by name, a
//! `New-` in doubt adopted, a duplicate name, warnings shown.

use super::model::OrgRel;
use super::tests::{exchange_object, model, GUID, OTHER};
use super::*;
use crate::clients::http::mock::{step, MockTransport};
use crate::clients::TEST_TENANT;
use crate::framework::Resource;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn invoke() -> String {
    format!("/adminapi/beta/{TEST_TENANT}/InvokeCommand")
}

fn ctx(m: &Arc<MockTransport>) -> Ctx {
    Ctx::for_tests(m.clone(), Duration::from_secs(30))
}

#[tokio::test]
async fn read_is_by_guid_and_filters_the_answer() {
    // A Get whose Identity matches nothing may answer every relationship: none of them is ours.
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        200,
        Some(
            json!({"value": [exchange_object(OTHER, "Contoso"), exchange_object(OTHER, "Other")]}),
        ),
    )]);
    let state = OrgRel {
        id: Some(GUID.into()),
        ..model()
    }
    .to_value()
    .unwrap();
    assert!(OrganizationRelationship
        .read(&ctx(&m), &state)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        m.bodies()[0].as_ref().unwrap()["CmdletInput"]["Parameters"],
        json!({"Identity": GUID})
    );
    // Ours is found wherever it is in the list.
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        200,
        Some(
            json!({"value": [exchange_object(OTHER, "Contoso"), exchange_object(GUID, "Fabrikam")]}),
        ),
    )]);
    let got = OrganizationRelationship
        .read(&ctx(&m), &state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.get("name").as_str(), Some("Fabrikam"));
    // Not found as an error is gone too.
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        404,
        Some(
            json!({"error": {"code": "NotFound", "message": "couldn't be found",
            "innererror": {"type": "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"}}}),
        ),
    )]);
    assert!(OrganizationRelationship
        .read(&ctx(&m), &state)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_imported_state_is_read_by_name() {
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        200,
        Some(
            json!({"value": [exchange_object(OTHER, "Contoso"), exchange_object(GUID, "Fabrikam")]}),
        ),
    )]);
    let state = crate::framework::lifecycle::import(
        &OrganizationRelationship,
        &ImportCtx::default(),
        "fabrikam",
    )
    .unwrap();
    let got = OrganizationRelationship
        .read(&ctx(&m), &state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.get("id").as_str(), Some(GUID));
    assert_eq!(got.get("name").as_str(), Some("Fabrikam"));
    assert!(OrganizationRelationship
        .import(&ImportCtx::default(), "")
        .is_err());
    assert!(OrganizationRelationship
        .import(&ImportCtx::default(), &"n".repeat(65))
        .is_err());
}

#[tokio::test]
async fn create_takes_the_guid_from_new_and_shows_its_warnings() {
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        200,
        Some(json!({"value": [exchange_object(GUID, "Fabrikam")],
                    "@adminapi.warnings": ["The domain fabrikam.com is not federated."]})),
    )]);
    let c = ctx(&m);
    let out = OrganizationRelationship
        .create(&c, &model().to_value().unwrap())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(out.get("id").as_str(), Some(GUID));
    let w = c.take_warnings();
    assert_eq!(w.0.len(), 1);
    assert_eq!(w.0[0].detail, "The domain fabrikam.com is not federated.");
    assert!(w.0[0].summary.contains("New-OrganizationRelationship"));
}

#[tokio::test(start_paused = true)]
async fn a_new_in_doubt_is_looked_up_by_name_and_adopted() {
    let m = MockTransport::new(vec![
        step("POST", &invoke(), 504, None),
        step(
            "POST",
            &invoke(),
            200,
            Some(
                json!({"value": [exchange_object(OTHER, "Contoso"), exchange_object(GUID, "Fabrikam")]}),
            ),
        ),
    ]);
    let out = OrganizationRelationship
        .create(&ctx(&m), &model().to_value().unwrap())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(out.get("id").as_str(), Some(GUID));
    let bodies = m.bodies();
    assert_eq!(
        bodies[1].as_ref().unwrap()["CmdletInput"],
        json!({"CmdletName": "Get-OrganizationRelationship", "Parameters": {"Identity": "Fabrikam"}}),
        "one New only, then the lookup by name"
    );
}

#[tokio::test]
async fn a_duplicate_name_says_import_it() {
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        400,
        Some(
            json!({"error": {"code": "ObjectAlreadyExists", "message": "An organization relationship named 'Fabrikam' already exists.",
            "innererror": {"type": "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"}}}),
        ),
    )]);
    let err = OrganizationRelationship
        .create(&ctx(&m), &model().to_value().unwrap())
        .await
        .unwrap_err();
    m.assert_done();
    let d = &err.diags.0[0];
    assert!(d.summary.contains("already exists"), "{d:?}");
    assert!(
        d.detail
            .contains("terraform import coexistence_organization_relationship.<name> 'Fabrikam'"),
        "{d:?}"
    );
}

#[tokio::test]
async fn update_sends_one_set_and_delete_treats_not_found_as_done() {
    let old = OrgRel {
        id: Some(GUID.into()),
        ..model()
    };
    let new = OrgRel {
        enabled: Some(false),
        ..old.clone()
    };
    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        200,
        Some(json!({"value": []})),
    )]);
    let out = OrganizationRelationship
        .update(&ctx(&m), &old.to_value().unwrap(), &new.to_value().unwrap())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(out.get("id").as_str(), Some(GUID));
    assert_eq!(
        m.bodies()[0].as_ref().unwrap()["CmdletInput"]["Parameters"],
        json!({"Identity": GUID, "Enabled": false})
    );

    let m = MockTransport::new(vec![step(
        "POST",
        &invoke(),
        404,
        Some(json!({"error": {"code": "NotFound", "message": "gone",
            "innererror": {"type": "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"}}})),
    )]);
    OrganizationRelationship
        .delete(&ctx(&m), &old.to_value().unwrap())
        .await
        .unwrap();
    assert_eq!(
        m.bodies()[0].as_ref().unwrap()["CmdletInput"],
        json!({"CmdletName": "Remove-OrganizationRelationship", "Parameters": {"Identity": GUID}})
    );
}

/// A scope Exchange answers as the group's distinguished name and an endpoint answered
/// normalised keep the configured spellings: `Get-Group` shows the DN is the configured
/// group. A scope answered as another group reads as that group's name (drift).
#[tokio::test]
async fn a_group_in_another_identity_form_and_a_normalised_uri_keep_the_configured_spelling() {
    let dn = "CN=Sharing group,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";
    let group_guid = "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09";
    let mut obj = exchange_object(GUID, "Fabrikam");
    obj["FreeBusyAccessScope"] = json!(dn);
    obj["TargetOwaURL"] = json!("https://outlook.office.com/");
    let group = json!({"Name": "Sharing group", "Identity": "Sharing group",
        "DistinguishedName": dn, "Guid": group_guid});
    let state = OrgRel {
        id: Some(GUID.into()),
        free_busy_access_scope: Some(group_guid.to_ascii_uppercase()),
        target_owa_url: Some("HTTPS://Outlook.Office.com".into()),
        ..model()
    };
    let m = MockTransport::new(vec![
        step(
            "POST",
            &invoke(),
            200,
            Some(json!({"value": [obj.clone()]})),
        ),
        step(
            "POST",
            &invoke(),
            200,
            Some(json!({"value": [group.clone()]})),
        ),
    ]);
    let got = OrganizationRelationship
        .read(&ctx(&m), &state.to_value().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.get("free_busy_access_scope").as_str(),
        Some(group_guid.to_ascii_uppercase().as_str())
    );
    assert_eq!(
        got.get("target_owa_url").as_str(),
        Some("HTTPS://Outlook.Office.com")
    );
    let bodies = m.bodies();
    assert_eq!(
        bodies[1].as_ref().unwrap()["CmdletInput"],
        json!({"CmdletName": "Get-Group", "Parameters": {"Identity": dn}})
    );
    // The state names another group: drift, shown by the answered group's name.
    let other = OrgRel {
        free_busy_access_scope: Some("Fabrikam free/busy".into()),
        ..state.clone()
    };
    let m = MockTransport::new(vec![
        step("POST", &invoke(), 200, Some(json!({"value": [obj]}))),
        step("POST", &invoke(), 200, Some(json!({"value": [group]}))),
    ]);
    let got = OrganizationRelationship
        .read(&ctx(&m), &other.to_value().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.get("free_busy_access_scope").as_str(),
        Some("Sharing group")
    );
}

/// Published scopes answered as distinguished names keep the configured spellings of the same
/// groups (one `Get-Group` per answer that differs in text); an answered group the state does
/// not name reads as its name.
#[tokio::test]
async fn published_scopes_keep_the_configured_spellings_of_the_same_groups() {
    let dn = |n: &str| format!("CN={n},OU=contoso.onmicrosoft.com,DC=PROD,DC=OUTLOOK,DC=COM");
    let group =
        |n: &str, g: &str| json!({"Name": n, "Identity": n, "DistinguishedName": dn(n), "Guid": g});
    let mut obj = exchange_object(GUID, "Fabrikam");
    obj["MailboxMoveCapability"] = json!("RemoteOutbound");
    obj["MailboxMovePublishedScopes"] = json!(["Migration group", dn("Wave 2"), dn("Other")]);
    let wave2 = "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09";
    let state = OrgRel {
        id: Some(GUID.into()),
        mailbox_move_capability: Some(vec!["RemoteOutbound".into()]),
        mailbox_move_published_scopes: Some(vec!["migration group".into(), wave2.into()]),
        ..model()
    };
    let m = MockTransport::new(vec![
        step("POST", &invoke(), 200, Some(json!({"value": [obj]}))),
        step(
            "POST",
            &invoke(),
            200,
            Some(json!({"value": [group("Wave 2", wave2)]})),
        ),
        step(
            "POST",
            &invoke(),
            200,
            Some(json!({"value": [group("Other", OTHER)]})),
        ),
    ]);
    let got = OrganizationRelationship
        .read(&ctx(&m), &state.to_value().unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut scopes: Vec<&str> = got
        .get("mailbox_move_published_scopes")
        .elements()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    scopes.sort();
    assert_eq!(scopes, vec![wave2, "Other", "migration group"]);
    assert_eq!(m.bodies().len(), 3, "one lookup per answer in another form");
}
