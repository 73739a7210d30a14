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
