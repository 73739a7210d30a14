//! The model, its Graph mapping and the schema's validation, without IO; the fixtures here
//! (`T`, `full_config`, `inbound_trust`) serve `crud_tests` and `create_tests` too.

use super::model::Partner;
use super::*;
use crate::framework::Value;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::framework::Resource;
use serde_json::json;

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

pub(super) fn full_config() -> Value {
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
        p.blocks.automatic_user_consent.is_none()
            && p.blocks.inbound_trust.is_none()
            && p.blocks.b2b_collaboration_inbound.is_none()
            && p.blocks.b2b_collaboration_outbound.is_none()
            && p.blocks.b2b_direct_connect_inbound.is_none()
            && p.blocks.b2b_direct_connect_outbound.is_none()
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

/// `inbound_trust = { ... }` with the three claims.
pub(super) fn inbound_trust(mfa: bool, compliant: bool, hybrid: bool) -> Value {
    Value::object([
        ("mfa_accepted", Value::Bool(mfa)),
        ("compliant_device_accepted", Value::Bool(compliant)),
        ("hybrid_joined_device_accepted", Value::Bool(hybrid)),
    ])
}

#[test]
fn import_id_is_typed() {
    let ctx = ImportCtx::new(Some(crate::clients::TEST_TENANT));
    let v = CrossTenantAccessPartner.import(&ctx, T).unwrap();
    assert_eq!(v.get("tenant_id"), &Value::string(T));
    // Graph's canonical lowercase.
    let v = CrossTenantAccessPartner
        .import(&ctx, "3D0F5DEC-5d3d-455c-8016-e2af1ae4d31a")
        .unwrap();
    assert_eq!(v.get("tenant_id"), &Value::string(T));
    let e = CrossTenantAccessPartner
        .import(&ctx, "fabrikam.com")
        .unwrap_err();
    assert!(e.0[0].detail.contains("<partner tenant GUID>"));
}

#[test]
fn import_of_this_tenant_as_its_own_partner_is_refused() {
    let me = crate::clients::TEST_TENANT;
    let ctx = ImportCtx::new(Some(&me.to_ascii_uppercase()));
    let e = CrossTenantAccessPartner.import(&ctx, me).unwrap_err();
    assert!(
        e.0[0]
            .detail
            .contains("has no partner configuration for itself"),
        "{e}"
    );
    // Without the provider's tenant the ID cannot be checked: refused, saying so.
    let e = CrossTenantAccessPartner
        .import(&ImportCtx::default(), T)
        .unwrap_err();
    assert!(e.0[0].detail.contains("sets no tenant_id"), "{e}");
}
