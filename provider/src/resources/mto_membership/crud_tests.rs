//! Create, read, update and delete against scripted Graph answers: exact requests in order,
//! the look before a create, creates in doubt, and states naming another tenant.

use super::tests::{config, T};
use super::*;
use crate::clients::http::mock::{fail, step, MockTransport};
use crate::clients::TEST_TENANT;
use crate::framework::{Ctx, Resource};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const MTO: &str = "/v1.0/tenantRelationships/multiTenantOrganization";

fn ctx(m: &Arc<MockTransport>) -> Ctx {
    Ctx::for_tests(m.clone(), Duration::from_secs(30))
}

fn inactive() -> serde_json::Value {
    json!({"createdDateTime": null, "displayName": null, "description": null, "state": "inactive"})
}

#[tokio::test]
async fn owner_create_looks_first_and_writes_nothing_in_a_tenant_already_in_an_organization() {
    let m = MockTransport::new(vec![
        step(
            "GET",
            MTO,
            200,
            Some(json!({"id": "abc", "displayName": "Old Group", "state": "active"})),
        ),
        step("GET", &format!("{MTO}/joinRequest"), 200, Some(no_join())),
    ]);
    let planned = config(&[("display_name", Value::string("C"))]);
    let err = MtoMembership.create(&ctx(&m), &planned).await.unwrap_err();
    // GETs only, no PUT.
    m.assert_done();
    let d = &err.diags.0[0].detail;
    assert!(
        d.contains("\"Old Group\" (id abc)")
            && d.contains(&format!("(import ID: owner/{TEST_TENANT})"))
            && d.contains(&format!("id = \"owner/{TEST_TENANT}\"")),
        "{d}"
    );
}

fn no_join() -> serde_json::Value {
    json!({"id": TEST_TENANT, "addedByTenantId": null, "memberState": null, "role": null, "transitionDetails": null})
}

#[tokio::test]
async fn owner_create_in_a_tenant_that_joined_another_organization_gives_the_member_import_id() {
    let m = MockTransport::new(vec![
        step(
            "GET",
            MTO,
            200,
            Some(json!({"id": "abc", "displayName": "Their Group", "state": "active"})),
        ),
        step(
            "GET",
            &format!("{MTO}/joinRequest"),
            200,
            Some(
                json!({"id": TEST_TENANT, "addedByTenantId": T.to_uppercase(), "memberState": "active", "role": "member"}),
            ),
        ),
    ]);
    let planned = config(&[("display_name", Value::string("C"))]);
    let err = MtoMembership.create(&ctx(&m), &planned).await.unwrap_err();
    m.assert_done();
    let d = &err.diags.0[0].detail;
    assert!(
        d.contains("\"Their Group\"") && d.contains(&format!("(import ID: member/{T})")),
        "{d}"
    );
}

#[tokio::test]
async fn a_state_naming_another_tenant_is_refused_without_a_request() {
    let m = MockTransport::new(vec![]);
    let state = config(&[
        ("id", Value::string(format!("owner/{T}"))),
        ("tenant_id", Value::string(T)),
        ("display_name", Value::string("C")),
    ]);
    let e = MtoMembership.delete(&ctx(&m), &state).await.unwrap_err();
    assert!(
        e.0[0].detail.contains(&format!(
            "tenant_id {T}, but its provider signs in to tenant {TEST_TENANT}"
        )),
        "{e}"
    );
    assert!(MtoMembership.read(&ctx(&m), &state).await.is_err());
    // A real change: a timeouts-only (or no) change reaches no update at all.
    let renamed = config(&[
        ("id", Value::string(format!("owner/{T}"))),
        ("tenant_id", Value::string(T)),
        ("display_name", Value::string("D")),
    ]);
    assert!(MtoMembership
        .update(&ctx(&m), &state, &renamed)
        .await
        .is_err());
    m.assert_done();
}

#[tokio::test]
async fn owner_create_names_an_organization_made_between_the_look_and_the_put() {
    let m = MockTransport::new(vec![
        step("GET", MTO, 200, Some(inactive())),
        crate::clients::http::mock::graph_error(
            "PUT",
            MTO,
            400,
            "Request_BadRequest",
            "The tenant is already part of a multitenant organization.",
        ),
        step(
            "GET",
            MTO,
            200,
            Some(json!({"id": "abc", "displayName": "Old Group", "state": "active"})),
        ),
        step("GET", &format!("{MTO}/joinRequest"), 200, Some(no_join())),
    ]);
    let planned = config(&[("display_name", Value::string("C"))]);
    let err = MtoMembership.create(&ctx(&m), &planned).await.unwrap_err();
    m.assert_done();
    let d = &err.diags.0[0].detail;
    assert!(
        d.contains("\"Old Group\"") && d.contains(&format!("owner/{TEST_TENANT}")),
        "{d}"
    );
}

#[tokio::test(start_paused = true)]
async fn owner_create_after_a_reset_adopts_the_organization_it_made() {
    let made = json!({"id": "o1", "displayName": "C", "state": "active"});
    let m = MockTransport::new(vec![
        step("GET", MTO, 200, Some(inactive())),
        // The service made it; the answer was lost. No second PUT (it would answer 400).
        fail("PUT", MTO, "connection reset by peer"),
        step("GET", MTO, 200, Some(made)),
    ]);
    let planned = config(&[("display_name", Value::string("C"))]);
    let out = MtoMembership.create(&ctx(&m), &planned).await.unwrap();
    m.assert_done();
    assert_eq!(
        out.get("id").as_str(),
        Some(format!("owner/{TEST_TENANT}").as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn owner_create_after_a_reset_that_made_nothing_puts_again() {
    let m = MockTransport::new(vec![
        step("GET", MTO, 200, Some(inactive())),
        fail("PUT", MTO, "connection reset by peer"),
        step("GET", MTO, 200, Some(inactive())),
        step("PUT", MTO, 201, Some(json!({"state": "active"}))),
    ]);
    let planned = config(&[("display_name", Value::string("C"))]);
    MtoMembership.create(&ctx(&m), &planned).await.unwrap();
    m.assert_done();
}

#[tokio::test]
async fn owner_create_makes_the_organization_then_adds_each_member() {
    let m = MockTransport::new(vec![
        step("GET", MTO, 200, Some(inactive())),
        step("PUT", MTO, 201, Some(json!({"state": "active"}))),
        step(
            "POST",
            &format!("{MTO}/tenants"),
            201,
            Some(json!({"tenantId": T})),
        ),
    ]);
    let planned = config(&[
        ("display_name", Value::string("C")),
        (
            "member_tenants",
            Value::Map(BTreeMap::from([(
                T.to_string(),
                Value::object([
                    ("display_name", Value::string("Fabrikam")),
                    ("role", Value::string("member")),
                ]),
            )])),
        ),
    ]);
    let out = MtoMembership.create(&ctx(&m), &planned).await.unwrap();
    m.assert_done();
    assert_eq!(
        out.get("id").as_str(),
        Some(format!("owner/{TEST_TENANT}").as_str())
    );
    assert_eq!(
        m.bodies()[2],
        Some(json!({"tenantId": T, "displayName": "Fabrikam", "role": "member"}))
    );
}

#[tokio::test]
async fn a_failed_join_with_wait_for_active_quotes_the_service_and_keeps_the_state() {
    let m = MockTransport::new(vec![
        step("PATCH", &format!("{MTO}/joinRequest"), 204, None),
        step(
            "GET",
            &format!("{MTO}/joinRequest"),
            200,
            Some(
                json!({"addedByTenantId": T, "memberState": "pending", "role": null,
                "transitionDetails": {"desiredMemberState": "active", "status": "failed", "details": "Tenant was not added by the owner."}}),
            ),
        ),
    ]);
    let planned = config(&[
        ("owner_tenant_id", Value::string(T)),
        ("wait_for_active", Value::Bool(true)),
    ]);
    let err = MtoMembership.create(&ctx(&m), &planned).await.unwrap_err();
    m.assert_done();
    let detail = &err.diags.0[0].detail;
    assert!(
        detail.contains("Tenant was not added by the owner."),
        "{detail}"
    );
    let state = err.state.expect("the join request exists: state keeps it");
    assert_eq!(
        state.get("id").as_str(),
        Some(format!("member/{T}").as_str())
    );
}

#[tokio::test]
async fn owner_delete_removes_the_others_first_waits_then_removes_itself() {
    let me = TEST_TENANT;
    let m = MockTransport::new(vec![
        step(
            "GET",
            &format!("{MTO}/tenants"),
            200,
            Some(json!({"value": [
                {"tenantId": me, "displayName": "C", "role": "owner", "state": "active"},
                {"tenantId": T, "displayName": "F", "role": "member", "state": "active"}
            ]})),
        ),
        step("DELETE", &format!("{MTO}/tenants/{T}"), 204, None),
        step(
            "GET",
            &format!("{MTO}/tenants/{T}"),
            404,
            Some(
                json!({"error": {"code": "Directory_ObjectNotFound", "message": "Unable to read the company information from the directory."}}),
            ),
        ),
        step("DELETE", &format!("{MTO}/tenants/{me}"), 204, None),
        step("GET", MTO, 200, Some(inactive())),
    ]);
    let state = config(&[
        ("display_name", Value::string("C")),
        ("tenant_id", Value::string(me)),
    ]);
    MtoMembership.delete(&ctx(&m), &state).await.unwrap();
    m.assert_done();
}
