use super::model::Partner;
use super::*;
use crate::clients::http::mock::{step, MockTransport, Step};
use crate::clients::Clients;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub(super) const T: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";

/// One half of a B2B setting with a single target.
fn tc(access: &str, target: &str, ty: &str) -> Value {
    Value::object([
        ("access_type", Value::string(access)),
        (
            "targets",
            Value::Set(vec![Value::object([
                ("target", Value::string(target)),
                ("target_type", Value::string(ty)),
            ])]),
        ),
    ])
}

fn full_config() -> Value {
    let setting = |access: &str| {
        Value::object([
            ("users_and_groups", tc(access, "AllUsers", "user")),
            ("applications", tc(access, "AllApplications", "application")),
        ])
    };
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("tenant_id", Value::string(T));
    v.set_attr("b2b_collaboration_inbound", setting("allowed"));
    v.set_attr("b2b_direct_connect_outbound", setting("blocked"));
    v.set_attr("inbound_trust", inbound_trust(true, false, true));
    v.set_attr(
        "automatic_user_consent",
        Value::object([
            ("inbound_allowed", Value::Bool(true)),
            ("outbound_allowed", Value::Bool(false)),
        ]),
    );
    v.set_attr(
        "identity_synchronization",
        Value::object([("user_sync_inbound_allowed", Value::Bool(true))]),
    );
    v
}

#[test]
fn model_conforms_to_schema_and_round_trips() {
    let v = full_config();
    let p = Partner::from_value(&v).unwrap();
    let back = p.to_value().unwrap();
    back.conforms(&schema().ty()).unwrap();
    let mut expected = v.clone();
    expected.set_attr("id", Value::string(T));
    assert!(back.semantically_equal(&expected), "{back:?}");
}

#[test]
fn model_fields_match_schema() {
    // Every attribute, however deep, has a model field of a fitting type and vice versa.
    assert_eq!(
        CrossTenantAccessPartner.model_mismatches(),
        Vec::<String>::new()
    );
}

#[test]
fn create_body_is_exact() {
    let req = api::create_partner(&Partner::from_value(&full_config()).unwrap());
    assert_eq!(
        (req.method, req.path.as_str()),
        ("POST", "/policies/crossTenantAccessPolicy/partners")
    );
    assert_eq!(
        req.body.unwrap(),
        json!({
            "tenantId": T,
            "b2bCollaborationInbound": {
                "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            },
            "b2bCollaborationOutbound": null,
            "b2bDirectConnectInbound": null,
            "b2bDirectConnectOutbound": {
                "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
            },
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": true},
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false}
        })
    );
}

#[test]
fn removed_blocks_are_sent_as_null_and_consent_as_null_fields() {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("tenant_id", Value::string(T));
    let body = api::update_partner(&Partner::from_value(&v).unwrap())
        .body
        .unwrap();
    assert_eq!(body["inboundTrust"], serde_json::Value::Null);
    assert_eq!(
        body["automaticUserConsentSettings"],
        json!({"inboundAllowed": null, "outboundAllowed": null})
    );
    assert!(body.get("tenantId").is_none(), "the key is not updatable");
}

#[test]
fn graph_shapes_flatten_faithfully() {
    // As Graph returns an unconfigured partner: every setting null, consent as an object of nulls.
    let g = json!({
        "tenantId": T, "isServiceProvider": null, "inboundTrust": null,
        "b2bCollaborationInbound": null, "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null, "b2bDirectConnectOutbound": null,
        "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
        "crossCloudMeetingConfiguration": {"inboundAllowed": null, "outboundAllowed": null}
    });
    let p = Partner::from_graph(&g, None);
    assert!(
        p.automatic_user_consent.is_none()
            && p.inbound_trust.is_none()
            && p.b2b_collaboration_inbound.is_none()
            && p.b2b_collaboration_outbound.is_none()
            && p.b2b_direct_connect_inbound.is_none()
            && p.b2b_direct_connect_outbound.is_none()
    );
    let sync =
        json!({"tenantId": T, "displayName": null, "userSyncInbound": {"isSyncAllowed": false}});
    let p = Partner::from_graph(&g, Some(&sync));
    assert_eq!(
        p.identity_synchronization
            .unwrap()
            .user_sync_inbound_allowed,
        Some(false)
    );
}

#[test]
fn keyword_pairing_and_half_types_are_validated() {
    let mut v = full_config();
    let bad = Value::object([
        ("users_and_groups", tc("allowed", "AllUsers", "application")),
        ("applications", tc("allowed", "g1", "group")),
    ]);
    v.set_attr("b2b_collaboration_outbound", bad);
    let mut d = Diagnostics::new();
    validate_targets(&v, &mut d);
    let paths: Vec<String> =
        d.0.iter()
            .map(|x| x.path.as_ref().unwrap().to_string())
            .collect();
    assert!(
        paths.contains(&"b2b_collaboration_outbound.users_and_groups.targets".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"b2b_collaboration_outbound.applications.targets".to_string()),
        "{paths:?}"
    );
    assert!(schema().validate(&full_config()).is_empty());
}

#[test]
fn bad_enums_fail_schema_validation() {
    let mut v = full_config();
    let mut s = v.get("b2b_collaboration_inbound").clone();
    let mut half = s.get("users_and_groups").clone();
    half.set_attr("access_type", Value::string("allow"));
    s.set_attr("users_and_groups", half);
    v.set_attr("b2b_collaboration_inbound", s);
    let d = schema().validate(&v);
    assert_eq!(d.0.len(), 1);
    assert_eq!(
        d.0[0].path.as_ref().unwrap().to_string(),
        "b2b_collaboration_inbound.users_and_groups.access_type"
    );
}

/// A test context over `m` whose operation deadline is `timeout`.
pub(super) fn ctx_for(m: Arc<MockTransport>, timeout: Duration) -> Ctx {
    Ctx::new(
        Arc::new(Clients::for_tests(m)),
        Deadline::after(timeout, CancellationToken::new()),
    )
}

fn ctx(m: Arc<MockTransport>) -> Ctx {
    ctx_for(m, Duration::from_secs(3))
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

/// `inbound_trust = { ... }` with the three claims.
pub(super) fn inbound_trust(mfa: bool, compliant: bool, hybrid: bool) -> Value {
    Value::object([
        ("mfa_accepted", Value::Bool(mfa)),
        ("compliant_device_accepted", Value::Bool(compliant)),
        ("hybrid_joined_device_accepted", Value::Bool(hybrid)),
    ])
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

#[test]
fn import_id_is_typed() {
    let v = CrossTenantAccessPartner.import(T).unwrap();
    assert_eq!(v.get("tenant_id"), &Value::string(T));
    // Graph's canonical lowercase.
    let v = CrossTenantAccessPartner
        .import("3D0F5DEC-5d3d-455c-8016-e2af1ae4d31a")
        .unwrap();
    assert_eq!(v.get("tenant_id"), &Value::string(T));
    let e = CrossTenantAccessPartner.import("fabrikam.com").unwrap_err();
    assert!(e.0[0].detail.contains("<partner tenant GUID>"));
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

/// Method and path-with-query of every request the resource sent, in order.
fn sent(m: &MockTransport) -> Vec<String> {
    m.seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let u = url::Url::parse(&r.url).unwrap();
            match u.query() {
                Some(q) => format!("{} {}?{q}", r.method, u.path()),
                None => format!("{} {}", r.method, u.path()),
            }
        })
        .collect()
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
    assert_eq!(sent(&m), [format!("GET {}", expanded_url())]);
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
    assert_eq!(sent(&m), [format!("GET {}", expanded_url())]);
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
    assert_eq!(sent(&m), [format!("GET {}", expanded_url())]);
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
        sent(&m),
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
    assert!(sent(&m).is_empty(), "{:?}", sent(&m));

    // A setting changed: exactly the PATCH of the partner.
    let mut planned = minimal_state();
    planned.set_attr("inbound_trust", inbound_trust(true, false, false));
    let (c, m) = scripted(vec![step("PATCH", &partner_url(), 204, None)]);
    CrossTenantAccessPartner
        .update(&c, &minimal_state(), &planned)
        .await
        .unwrap();
    assert_eq!(sent(&m), [format!("PATCH {}", partner_url())]);
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
        assert_eq!(sent(&m), want);
    }
}

#[tokio::test]
async fn delete_without_policy_in_state_is_one_delete() {
    let (c, m) = scripted(vec![step("DELETE", &partner_url(), 204, None)]);
    let deleted = CrossTenantAccessPartner.delete(&c, &minimal_state()).await;
    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(sent(&m), [format!("DELETE {}", partner_url())]);
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
        sent(&m),
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
