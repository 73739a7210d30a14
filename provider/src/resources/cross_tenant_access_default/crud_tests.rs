//! Exactly what create, read, update and delete send, over a scripted transport: a create that
//! looks first and writes only the configured blocks, an update that sends only what changed,
//! a destroy that resets and waits.

use super::tests::{planned, service_default};
use super::*;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::clients::http::mock::{answer, MockTransport, Step};
use crate::framework::Resource;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::Duration;

fn scripted(script: Vec<Step>) -> (Ctx, Arc<MockTransport>) {
    let m = MockTransport::new(script);
    (Ctx::for_tests(m.clone(), Duration::from_secs(3)), m)
}

/// The JSON bodies sent, in order.
fn bodies(m: &MockTransport) -> Vec<Json> {
    m.seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.body.as_ref())
        .map(|b| serde_json::from_slice(b).unwrap())
        .collect()
}

/// The service default with the configured blocks of [`planned`] applied.
fn patched() -> Json {
    let mut v = service_default();
    v["isServiceDefault"] = json!(false);
    v["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] = json!("blocked");
    v["b2bCollaborationInbound"]["applications"]["accessType"] = json!("blocked");
    v["inboundTrust"]["isMfaAccepted"] = json!(true);
    v
}

#[tokio::test]
async fn create_reads_first_and_patches_only_the_configured_blocks() {
    let (ctx, m) = scripted(vec![
        answer(api::get_default(), 200, Some(service_default())),
        answer(api::update_default(Default::default()), 204, None),
        answer(api::get_default(), 200, Some(patched())),
    ]);
    let state = CrossTenantAccessDefault
        .create(&ctx, &planned())
        .await
        .unwrap();
    m.assert_done();
    let sent = bodies(&m);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let keys: Vec<_> = sent[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["b2bCollaborationInbound", "inboundTrust"]);
    assert_eq!(sent[0]["inboundTrust"]["isMfaAccepted"], json!(true));
    // The blocks left out hold the live values; nothing stays unknown.
    assert_eq!(
        state
            .get("b2b_direct_connect_inbound")
            .get("users_and_groups")
            .get("access_type"),
        &Value::string("blocked")
    );
    assert_eq!(state.get("is_service_default"), &Value::Bool(false));
    assert_eq!(state.get("id"), &Value::string("default"));
    assert!(state.is_wholly_known(), "{state:?}");
}

#[tokio::test]
async fn create_refuses_to_overwrite_settings_changed_outside_terraform() {
    let mut portal = service_default();
    portal["isServiceDefault"] = json!(false);
    portal["inboundTrust"]["isCompliantDeviceAccepted"] = json!(true);
    let (ctx, m) = scripted(vec![answer(api::get_default(), 200, Some(portal))]);
    let err = CrossTenantAccessDefault
        .create(&ctx, &planned())
        .await
        .unwrap_err();
    m.assert_done();
    assert!(bodies(&m).is_empty(), "nothing written");
    let d = &err.diags.0[0];
    assert!(
        d.detail.contains("b2bCollaborationInbound, inboundTrust"),
        "{}",
        d.detail
    );
    assert!(d.detail.contains("id = \"default\""), "{}", d.detail);
}

#[tokio::test]
async fn create_adopts_a_changed_policy_that_already_matches() {
    // A create whose PATCH landed but whose answer was lost, run again: nothing to overwrite.
    let (ctx, m) = scripted(vec![answer(api::get_default(), 200, Some(patched()))]);
    let state = CrossTenantAccessDefault
        .create(&ctx, &planned())
        .await
        .unwrap();
    m.assert_done();
    assert!(bodies(&m).is_empty());
    assert_eq!(state.get("is_service_default"), &Value::Bool(false));
}

#[tokio::test]
async fn update_sends_only_the_changed_block() {
    let prior = CrossTenantAccessDefault
        .read(
            &scripted(vec![answer(api::get_default(), 200, Some(patched()))]).0,
            &planned(),
        )
        .await
        .unwrap()
        .unwrap();
    let mut next = prior.clone();
    next.set_attr(
        "automatic_user_consent",
        Value::object([
            ("inbound_allowed", Value::Bool(true)),
            ("outbound_allowed", Value::Bool(false)),
        ]),
    );
    let (ctx, m) = scripted(vec![answer(
        api::update_default(Default::default()),
        204,
        None,
    )]);
    let state = CrossTenantAccessDefault
        .update(&ctx, &prior, &next)
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(
        bodies(&m),
        [
            json!({"automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false}})
        ]
    );
    assert_eq!(
        state.get("automatic_user_consent"),
        next.get("automatic_user_consent")
    );
}

#[tokio::test(start_paused = true)]
async fn delete_resets_and_waits_for_the_service_default() {
    let (ctx, m) = scripted(vec![
        answer(api::reset_to_system_default(), 204, None),
        // Not yet: the reset has not reached the replica that answers.
        answer(api::get_default(), 200, Some(patched())),
        answer(api::get_default(), 200, Some(service_default())),
    ]);
    CrossTenantAccessDefault
        .delete(&ctx, &planned())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(bodies(&m), [json!({})]);
}
