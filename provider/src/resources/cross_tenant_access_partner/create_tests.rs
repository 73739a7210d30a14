//! The partner create under an unreliable network: every branch of the create-once rule
//! (`clients::create`) through the Graph client and a scripted transport.

use super::model::Partner;
use super::tests::{inbound_trust, T};
use super::*;
use crate::framework::Value;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::clients::http::mock::{fail, stall, step, MockTransport};
use crate::framework::Resource;
use serde_json::json;
use std::time::Duration;

const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";

fn partner_get() -> String {
    format!("{PARTNERS}/{T}")
}

/// A partner without a sync policy (one POST, no PUT).
fn config() -> Value {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("tenant_id", Value::string(T));
    v.set_attr("inbound_trust", inbound_trust(true, false, false));
    v
}

/// The partner as Graph returns it after storing what the POST sent.
fn stored() -> serde_json::Value {
    let mut body = api::create_partner(&Partner::from_value(&config()).unwrap())
        .body
        .unwrap();
    body["isServiceProvider"] = json!(null);
    body["@odata.context"] = json!("https://graph.example/v1.0/$metadata#x");
    body
}

fn posts(m: &MockTransport) -> usize {
    m.seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

#[tokio::test(start_paused = true)]
async fn reset_after_the_service_applied_it_adopts_the_partner() {
    let m = MockTransport::new(vec![
        fail(
            "POST",
            PARTNERS,
            "connection closed before message completed",
        ),
        step("GET", &partner_get(), 200, Some(stored())),
    ]);
    let state = CrossTenantAccessPartner
        .create(
            &Ctx::for_tests(m.clone(), Duration::from_secs(60)),
            &config(),
        )
        .await
        .unwrap();
    assert_eq!(state.get("tenant_id"), &Value::string(T));
    assert_eq!(posts(&m), 1, "adopted, not created twice");
    m.assert_done();
}

#[tokio::test(start_paused = true)]
async fn gateway_timeout_after_applying_adopts_instead_of_saying_import() {
    // 504, lookup misses (replication lag), the resend answers 409, then the lookup finds it.
    let conflict =
        json!({"error": {"code": "Request_MultipleObjectsWithSameKeyValue", "message": "exists"}});
    let m = MockTransport::new(vec![
        step("POST", PARTNERS, 504, None),
        step("GET", &partner_get(), 404, None),
        step("POST", PARTNERS, 409, Some(conflict)),
        step("GET", &partner_get(), 404, None),
        step("GET", &partner_get(), 200, Some(stored())),
    ]);
    CrossTenantAccessPartner
        .create(
            &Ctx::for_tests(m.clone(), Duration::from_secs(60)),
            &config(),
        )
        .await
        .unwrap();
    m.assert_done();
}

#[tokio::test(start_paused = true)]
async fn reset_before_the_service_saw_it_sends_the_create_again() {
    let m = MockTransport::new(vec![
        fail("POST", PARTNERS, "connection reset by peer"),
        step("GET", &partner_get(), 404, None),
        step("POST", PARTNERS, 201, Some(stored())),
    ]);
    CrossTenantAccessPartner
        .create(
            &Ctx::for_tests(m.clone(), Duration::from_secs(60)),
            &config(),
        )
        .await
        .unwrap();
    assert_eq!(posts(&m), 2);
    let bodies = m.bodies();
    assert_eq!(bodies[0], bodies[2], "the same create, sent again");
    m.assert_done();
}

#[tokio::test(start_paused = true)]
async fn a_different_partner_found_after_a_reset_says_import_it() {
    let mut theirs = stored();
    theirs["inboundTrust"]["isMfaAccepted"] = json!(false);
    let m = MockTransport::new(vec![
        stall("POST", PARTNERS),
        step("GET", &partner_get(), 200, Some(theirs)),
    ]);
    let err = CrossTenantAccessPartner
        .create(
            &Ctx::for_tests(m.clone(), Duration::from_secs(600)),
            &config(),
        )
        .await
        .unwrap_err();
    assert!(err.state.is_none(), "not ours: not put in state");
    assert!(
        err.diags.0[0]
            .detail
            .contains("terraform import coexistence_cross_tenant_access_partner.<name> '3d0f5dec"),
        "{}",
        err.diags
    );
    m.assert_done();
}

#[tokio::test(start_paused = true)]
async fn a_create_that_never_answers_fails_at_the_deadline_with_time_to_look() {
    // Each POST stalls until the time kept back for the lookup, the lookup finds nothing, and
    // the create is sent again while time remains.
    let mut script = Vec::new();
    for _ in 0..10 {
        script.push(stall("POST", PARTNERS));
        script.push(step("GET", &partner_get(), 404, None));
    }
    let m = MockTransport::new(script);
    let mut c = Ctx::for_tests(m.clone(), Duration::from_secs(4));
    c.deadline = c
        .deadline
        .labelled("creating x", "Raise `timeouts.create`.");
    let started = tokio::time::Instant::now();
    let err = CrossTenantAccessPartner
        .create(&c, &config())
        .await
        .unwrap_err();
    assert!(started.elapsed() <= Duration::from_secs(4));
    let d = &err.diags.0[0];
    assert!(
        d.summary.contains("creating the partner configuration"),
        "{d:?}"
    );
    assert!(
        d.detail.contains("creating x timed out after 4s")
            && d.detail.contains("Raise `timeouts.create`."),
        "{d:?}"
    );
    let seen = m.seen.lock().unwrap();
    assert!(seen.len() >= 4, "sent again after the first lookup");
    assert_eq!(
        seen.last().map(|r| r.method.as_str()),
        Some("GET"),
        "the last word was a lookup: nothing was left in doubt"
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_on_create_is_a_plain_retry() {
    let m = MockTransport::new(vec![
        step("POST", PARTNERS, 429, None),
        step("POST", PARTNERS, 201, Some(stored())),
    ]);
    CrossTenantAccessPartner
        .create(
            &Ctx::for_tests(m.clone(), Duration::from_secs(60)),
            &config(),
        )
        .await
        .unwrap();
    m.assert_done();
}
