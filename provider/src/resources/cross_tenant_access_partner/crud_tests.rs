//! Exactly what create, read, update and delete send, over a scripted transport: one request
//! where one is enough, the fallbacks Graph needs, and a half-failed create kept as state.

use super::tests::{full_config, inbound_trust, T};
use super::*;
use crate::framework::Value;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::clients::http::mock::{step, MockTransport, Step};
use crate::framework::Resource;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn ctx(m: Arc<MockTransport>) -> Ctx {
    Ctx::for_tests(m, Duration::from_secs(3))
}

/// A context whose transport answers `script` in order, and that transport (what was sent).
fn scripted(script: Vec<Step>) -> (Ctx, Arc<MockTransport>) {
    let m = MockTransport::new(script);
    (ctx(m.clone()), m)
}

/// Graph's error body.
fn graph_error(code: &str, message: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": message}})
}

#[tokio::test(start_paused = true)]
async fn half_failed_create_returns_the_partner_as_state() {
    let partners = "/v1.0/policies/crossTenantAccessPolicy/partners";
    let sync = format!("{partners}/{T}/identitySynchronization");
    // The partner is created, then the sync policy PUT is refused: a 400 is final (not
    // retried), so the create fails half-way with the partner already made.
    let m = MockTransport::new(vec![
        step("POST", partners, 201, Some(json!({"tenantId": T}))),
        step(
            "PUT",
            &sync,
            400,
            Some(json!({"error": {"code": "Request_BadRequest", "message": "nope"}})),
        ),
    ]);
    let err = CrossTenantAccessPartner
        .create(&ctx(m.clone()), &full_config())
        .await
        .unwrap_err();
    m.assert_done();
    let state = err.state.expect("partner kept in state");
    assert_eq!(state.get("tenant_id"), &Value::string(T));
    assert!(state.get("identity_synchronization").is_null());
    assert!(
        err.diags.0[0].summary.contains("identity synchronization"),
        "{}",
        err.diags
    );
    assert!(err.diags.0[0].detail.contains("Request_BadRequest"));
}

#[tokio::test]
async fn create_conflict_says_import() {
    let m = MockTransport::new(vec![step(
        "POST",
        "/v1.0/policies/crossTenantAccessPolicy/partners",
        409,
        Some(
            json!({"error": {"code": "Request_MultipleObjectsWithSameKeyValue", "message": "exists"}}),
        ),
    )]);
    let err = CrossTenantAccessPartner
        .create(&ctx(m), &full_config())
        .await
        .unwrap_err();
    assert!(err.state.is_none());
    assert!(err.diags.0[0]
        .detail
        .contains("terraform import coexistence_cross_tenant_access_partner"));
}

#[tokio::test]
async fn delete_removes_sync_policy_first_and_tolerates_404() {
    let partners = "/v1.0/policies/crossTenantAccessPolicy/partners";
    let m = MockTransport::new(vec![
        step(
            "DELETE",
            &format!("{partners}/{T}/identitySynchronization"),
            404,
            None,
        ),
        step("DELETE", &format!("{partners}/{T}"), 204, None),
    ]);
    CrossTenantAccessPartner
        .delete(&ctx(m.clone()), &full_config())
        .await
        .unwrap();
    m.assert_done();
}
// ---- exact requests of read, update and delete ---------------------------------------------

const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";

fn partner_url() -> String {
    format!("{PARTNERS}/{T}")
}

fn expanded_url() -> String {
    format!("{PARTNERS}/{T}?$expand=identitySynchronization")
}

fn sync_url() -> String {
    format!("{PARTNERS}/{T}/identitySynchronization")
}

fn unconfigured_partner(extra: serde_json::Value) -> serde_json::Value {
    let mut p = json!({
        "tenantId": T, "isServiceProvider": null, "inboundTrust": null,
        "b2bCollaborationInbound": null, "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null, "b2bDirectConnectOutbound": null,
        "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}
    });
    p.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    p
}

fn minimal_state() -> Value {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("id", Value::string(T));
    v.set_attr("tenant_id", Value::string(T));
    v
}

fn sync_state(allowed: bool) -> Value {
    let mut v = minimal_state();
    v.set_attr(
        "identity_synchronization",
        Value::object([("user_sync_inbound_allowed", Value::Bool(allowed))]),
    );
    v
}

#[tokio::test]
async fn read_is_one_expanded_get() {
    let (c, m) = scripted(vec![step(
        "GET",
        &expanded_url(),
        200,
        Some(unconfigured_partner(json!({"identitySynchronization": {
            "tenantId": T, "displayName": null, "userSyncInbound": {"isSyncAllowed": true}
        }}))),
    )]);
    let got = CrossTenantAccessPartner
        .read(&c, &minimal_state())
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(m.sent(), [format!("GET {}", expanded_url())]);
    assert_eq!(
        got.get("identity_synchronization")
            .get("user_sync_inbound_allowed"),
        &Value::Bool(true)
    );
    got.conforms(&schema().ty()).unwrap();
}

#[tokio::test]
async fn read_with_null_expansion_has_no_policy_and_no_second_get() {
    let (c, m) = scripted(vec![step(
        "GET",
        &expanded_url(),
        200,
        Some(unconfigured_partner(
            json!({"identitySynchronization": null}),
        )),
    )]);
    let got = CrossTenantAccessPartner
        .read(&c, &sync_state(true))
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(m.sent(), [format!("GET {}", expanded_url())]);
    assert!(got.get("identity_synchronization").is_null());
    assert!(got.semantically_equal(&minimal_state()), "{got:?}");
}

#[tokio::test]
async fn read_of_a_missing_partner_is_one_get() {
    let (c, m) = scripted(vec![step("GET", &expanded_url(), 404, None)]);
    let got = CrossTenantAccessPartner
        .read(&c, &minimal_state())
        .await
        .unwrap();
    assert!(got.is_none());
    assert_eq!(m.sent(), [format!("GET {}", expanded_url())]);
}

#[tokio::test]
async fn read_falls_back_to_two_gets_when_expand_is_refused_or_ignored() {
    // Refused (400): plain GET, then the policy GET.
    let (c, m) = scripted(vec![
        step(
            "GET",
            &expanded_url(),
            400,
            Some(graph_error(
                "BadRequest",
                "Query option '$expand' is not allowed.",
            )),
        ),
        step(
            "GET",
            &partner_url(),
            200,
            Some(unconfigured_partner(json!({}))),
        ),
        step(
            "GET",
            &sync_url(),
            200,
            Some(json!({"tenantId": T, "userSyncInbound": {"isSyncAllowed": false}})),
        ),
    ]);
    let got = CrossTenantAccessPartner
        .read(&c, &minimal_state())
        .await
        .unwrap()
        .unwrap();
    m.assert_done();
    assert_eq!(
        got.get("identity_synchronization")
            .get("user_sync_inbound_allowed"),
        &Value::Bool(false)
    );
    // Ignored (no identitySynchronization member at all): the policy GET decides.
    let (c, m) = scripted(vec![
        step(
            "GET",
            &expanded_url(),
            200,
            Some(unconfigured_partner(json!({}))),
        ),
        step("GET", &sync_url(), 404, None),
    ]);
    let got = CrossTenantAccessPartner
        .read(&c, &sync_state(true))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        m.sent(),
        [
            format!("GET {}", expanded_url()),
            format!("GET {}", sync_url())
        ]
    );
    assert!(got.get("identity_synchronization").is_null());
}

#[tokio::test]
async fn update_without_policy_before_or_after_sends_no_policy_request() {
    // Nothing changed: nothing sent.
    let (c, m) = scripted(vec![]);
    CrossTenantAccessPartner
        .update(&c, &minimal_state(), &minimal_state())
        .await
        .unwrap();
    assert!(m.sent().is_empty(), "{:?}", m.sent());

    // A setting changed: exactly the PATCH of the partner.
    let mut planned = minimal_state();
    planned.set_attr("inbound_trust", inbound_trust(true, false, false));
    let (c, m) = scripted(vec![step("PATCH", &partner_url(), 204, None)]);
    CrossTenantAccessPartner
        .update(&c, &minimal_state(), &planned)
        .await
        .unwrap();
    assert_eq!(m.sent(), [format!("PATCH {}", partner_url())]);
}

#[tokio::test]
async fn update_sends_exactly_the_policy_request_the_change_needs() {
    type Case = (Value, Value, Vec<(&'static str, u16)>);
    let cases: Vec<Case> = vec![
        // Removed: DELETE.
        (sync_state(true), minimal_state(), vec![("DELETE", 204)]),
        // Added: PUT.
        (minimal_state(), sync_state(true), vec![("PUT", 204)]),
        // Added, but it exists already (out of band): PUT 409, then PATCH.
        (
            minimal_state(),
            sync_state(true),
            vec![("PUT", 409), ("PATCH", 204)],
        ),
        // Changed: PATCH.
        (sync_state(true), sync_state(false), vec![("PATCH", 204)]),
        // Changed, but deleted out of band: PATCH 404, then PUT.
        (
            sync_state(true),
            sync_state(false),
            vec![("PATCH", 404), ("PUT", 204)],
        ),
        // Unchanged: nothing.
        (sync_state(true), sync_state(true), vec![]),
    ];
    for (prior, planned, script) in cases {
        let (c, m) = scripted(
            script
                .iter()
                .map(|(method, status)| step(method, &sync_url(), *status, None))
                .collect(),
        );
        CrossTenantAccessPartner
            .update(&c, &prior, &planned)
            .await
            .unwrap();
        let want: Vec<String> = script
            .iter()
            .map(|(method, _)| format!("{method} {}", sync_url()))
            .collect();
        assert_eq!(m.sent(), want);
    }
}

#[tokio::test]
async fn delete_without_policy_in_state_is_one_delete() {
    let (c, m) = scripted(vec![step("DELETE", &partner_url(), 204, None)]);
    let deleted = CrossTenantAccessPartner.delete(&c, &minimal_state()).await;
    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(m.sent(), [format!("DELETE {}", partner_url())]);
}

#[tokio::test]
async fn delete_refused_for_an_unknown_policy_deletes_it_and_retries() {
    // The partner DELETE is refused while a policy we did not know of exists.
    let script = vec![
        step(
            "DELETE",
            &partner_url(),
            400,
            Some(graph_error(
                "Request_BadRequest",
                "You must first delete the identity synchronization policy",
            )),
        ),
        step("DELETE", &sync_url(), 204, None),
        step("DELETE", &partner_url(), 204, None),
    ];
    let (c, m) = scripted(script);
    CrossTenantAccessPartner
        .delete(&c, &minimal_state())
        .await
        .unwrap();
    assert_eq!(
        m.sent(),
        [
            format!("DELETE {}", partner_url()),
            format!("DELETE {}", sync_url()),
            format!("DELETE {}", partner_url()),
        ]
    );
}

#[tokio::test]
async fn delete_refused_for_another_reason_reports_that_refusal() {
    let (c, m) = scripted(vec![
        step(
            "DELETE",
            &partner_url(),
            400,
            Some(graph_error("Request_BadRequest", "something else")),
        ),
        step("DELETE", &sync_url(), 404, None),
    ]);
    let d = CrossTenantAccessPartner
        .delete(&c, &minimal_state())
        .await
        .unwrap_err();
    m.assert_done();
    assert!(
        d.0[0]
            .summary
            .contains("deleting the partner configuration"),
        "{d}"
    );
    assert!(d.0[0].detail.contains("something else"), "{d}");
}
