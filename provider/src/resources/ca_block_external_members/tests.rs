//! The model, the managed shape and its comparison, validation and planning, without IO; the
//! fixtures here (`ID`, `BASE`, `planned`, `graph_policy`) serve `crud_tests` too.

use super::model::{managed_shape, Policy};
use super::*;
use crate::clients::pacer::Pacing;
use crate::framework::private::Private;
use crate::framework::Resource;
use serde_json::json;

const T1: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
const T2: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
const U: &str = "124c5b6a-ffa5-483a-9b88-04c3fce5574a";
pub(super) const ID: &str = "c98e6c3d-f6ca-42ea-a927-773b6f12a0c2";
pub(super) const BASE: &str = "/v1.0/identity/conditionalAccess/policies";

fn set(items: &[&str]) -> Value {
    Value::Set(items.iter().map(|s| Value::string(*s)).collect())
}

fn config() -> Value {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("display_name", Value::string("Block partner members"));
    v.set_attr("external_tenant_ids", set(&[T1]));
    v.set_attr("exclude_user_ids", set(&[U]));
    v
}

/// What `plan` makes of [`config`] on create.
pub(super) fn planned() -> Value {
    let mut v = config();
    v.set_attr("state", Value::string(DEFAULT_STATE));
    v.set_attr("exclude_group_ids", set(&[]));
    v.set_attr("shape_differences", Value::List(Vec::new()));
    v
}

/// The policy as Graph returns it after creating [`planned`] (normalised, like the emulator).
pub(super) fn graph_policy() -> Json {
    let mut p = managed_shape(&[T1.into()], &[U.into()], &[]);
    p["id"] = json!(ID);
    p["displayName"] = json!("Block partner members");
    p["state"] = json!(DEFAULT_STATE);
    p["createdDateTime"] = json!("2026-01-01T00:00:00.0000000Z");
    p["modifiedDateTime"] = Json::Null;
    // Graph's normalisation: not a difference.
    p["description"] = Json::Null;
    p["conditions"]["times"] = Json::Null;
    p["conditions"]["applications"]["includeProtectionLevels"] = json!([]);
    p["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]["@odata.type"] =
        json!("microsoft.graph.conditionalAccessEnumeratedExternalTenants");
    // The contained navigation property and its annotation (API-NOTES.md#ca-authentication-strength).
    p["grantControls"]["authenticationStrength@odata.context"] = json!(format!(
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('{ID}')/grantControls/authenticationStrength/$entity"
    ));
    p["grantControls"]["authenticationStrength"] = Json::Null;
    p
}

#[test]
fn model_matches_schema_and_schema_lints_clean() {
    assert_eq!(
        CaBlockExternalMembers.model_mismatches(),
        Vec::<String>::new()
    );
    assert_eq!(schema().lint(TYPE_NAME), Vec::<String>::new());
}

#[test]
fn the_body_is_the_whole_managed_shape() {
    let p = Policy::from_value(&planned()).unwrap();
    let body = p.to_graph();
    let guests = &body["conditions"]["users"]["includeGuestsOrExternalUsers"];
    assert_eq!(guests["guestOrExternalUserTypes"], "b2bCollaborationMember");
    assert_eq!(
        guests["externalTenants"],
        json!({"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": [T1]})
    );
    assert_eq!(
        body["conditions"]["applications"]["includeApplications"],
        json!(["All"])
    );
    assert_eq!(body["conditions"]["users"]["excludeUsers"], json!([U]));
    assert_eq!(body["conditions"]["users"]["includeUsers"], json!([]));
    assert_eq!(body["grantControls"]["builtInControls"], json!(["block"]));
    assert_eq!(body["grantControls"]["operator"], "OR");
    assert_eq!(body["sessionControls"], Json::Null);
    assert_eq!(body["state"], DEFAULT_STATE);
    assert_eq!(body["displayName"], "Block partner members");
    // Never the legacy keyword (it cannot be combined with the guests object: azuread #1196).
    assert!(!body.to_string().contains("\"GuestsOrExternalUsers\""));
    let r = api::create_policy(&p);
    assert_eq!((r.method, r.path.as_str()), ("POST", api::POLICIES));
    for r in [
        api::create_policy(&p),
        api::update_policy(ID, &p),
        api::get_policy(ID),
        api::list_policies(),
        api::delete_policy(ID),
    ] {
        assert_eq!(r.pacing, Pacing::ConditionalAccess, "{}", r.describe());
    }
    assert_eq!(api::update_policy(ID, &p).body, Some(p.to_graph()));
    assert_eq!(api::get_policy(ID).permission, Some(api::READ));
    assert_eq!(api::delete_policy(ID).permission, Some(api::WRITE));
}

#[test]
fn a_normalised_read_has_no_differences_and_reads_back_the_model() {
    let read = Policy::from_graph(&graph_policy());
    assert_eq!(read.shape_differences, Some(Vec::new()));
    assert_eq!(read.external_tenant_ids, vec![T1.to_string()]);
    assert_eq!(read.exclude_user_ids, Some(vec![U.to_string()]));
    assert_eq!(read.exclude_group_ids, Some(Vec::new()));
    assert_eq!(read.state.as_deref(), Some(DEFAULT_STATE));
    assert!(Policy::from_value(&planned()).unwrap().same_policy(&read));
}

/// Annotations anywhere and null navigation properties are not the policy: no difference,
/// whether or not the answer carries them; a strength actually required is one.
#[test]
fn annotations_and_null_navigation_properties_are_not_differences() {
    let mut p = graph_policy();
    p["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]
        ["members@odata.type"] = json!("#Collection(String)");
    p["sessionControls"] = json!({"signInFrequency@odata.context": "x"});
    assert_eq!(Policy::from_graph(&p).shape_differences, Some(Vec::new()));
    let mut bare = graph_policy();
    let g = bare["grantControls"].as_object_mut().unwrap();
    g.remove("authenticationStrength@odata.context");
    g.remove("authenticationStrength");
    assert_eq!(
        Policy::from_graph(&bare).shape_differences,
        Some(Vec::new())
    );

    p["grantControls"]["authenticationStrength"] =
        json!({"id": "00000000-0000-0000-0000-000000000002"});
    let d = Policy::from_graph(&p).shape_differences.unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].starts_with("grantControls.authenticationStrength is"),
        "{d:?}"
    );
}

/// An out-of-band edit of a policy read from Graph.
type Edit = fn(&mut Json);

#[test]
fn every_kind_of_out_of_band_edit_is_a_difference() {
    let edits: Vec<(&str, Edit)> = vec![
        ("guestOrExternalUserTypes", |p| {
            p["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] =
                json!("b2bCollaborationGuest,b2bCollaborationMember")
        }),
        ("includeApplications", |p| {
            p["conditions"]["applications"]["includeApplications"] = json!(["Office365"])
        }),
        ("builtInControls", |p| {
            p["grantControls"]["builtInControls"] = json!(["block", "mfa"])
        }),
        (
            "sessionControls",
            |p| {
                p["sessionControls"] =
                    json!({"signInFrequency": {"value": 4, "type": "hours", "isEnabled": true}})
            },
        ),
        ("membershipKind", |p| {
            p["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] = json!({
                "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                "membershipKind": "all"
            })
        }),
        ("includeUsers", |p| {
            p["conditions"]["users"]["includeUsers"] = json!(["All"])
        }),
        (
            "locations",
            |p| {
                p["conditions"]["locations"] =
                    json!({"includeLocations": ["All"], "excludeLocations": []})
            },
        ),
        ("clientAppTypes", |p| {
            p["conditions"]["clientAppTypes"] = json!(["browser"])
        }),
    ];
    for (what, edit) in edits {
        let mut p = graph_policy();
        edit(&mut p);
        let d = Policy::from_graph(&p).shape_differences.unwrap();
        assert!(d.iter().any(|s| s.contains(what)), "{what}: {d:?}");
        assert!(!Policy::from_value(&planned())
            .unwrap()
            .same_policy(&Policy::from_graph(&p)));
    }
}

#[test]
fn validation_points_at_the_attribute() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "external_tenant_ids",
            set(&["contoso.onmicrosoft.com"]),
            "not a GUID",
        ),
        (
            "external_tenant_ids",
            set(&[T1, &T1.to_uppercase()]),
            "listed twice",
        ),
        ("exclude_user_ids", set(&["bob"]), "not a GUID"),
        ("exclude_group_ids", set(&["g"]), "not a GUID"),
        ("display_name", Value::string("   "), "1 to 256"),
        ("display_name", Value::string("x".repeat(257)), "1 to 256"),
    ];
    for (attr, v, needle) in cases {
        let mut c = config();
        c.set_attr(attr, v);
        let mut d = schema().validate(&c);
        CaBlockExternalMembers.validate(&c, &mut d);
        assert!(d.has_errors(), "{attr}");
        assert_eq!(d.0[0].path, Some(AttrPath::root().attr(attr)), "{attr}");
        assert!(d.to_string().contains(needle), "{attr}: {d}");
    }
    let mut c = config();
    c.set_attr("external_tenant_ids", set(&[]));
    assert!(schema().validate(&c).has_errors(), "at least one tenant");
    c.set_attr("external_tenant_ids", set(&[T1]));
    c.set_attr("state", Value::string("on"));
    assert!(schema().validate(&c).has_errors(), "state enum");
    let mut ok = schema().validate(&config());
    CaBlockExternalMembers.validate(&config(), &mut ok);
    assert!(ok.is_empty(), "{ok}");
}

#[test]
fn plan_defaults_and_plans_the_managed_shape_back() {
    let s = schema();
    let private = Private::default();
    let (p, d) = crate::framework::plan::plan_resource(
        &CaBlockExternalMembers,
        &s,
        &Value::Null,
        &config(),
        &config(),
        &private,
    );
    assert!(d.is_empty(), "{d}");
    assert_eq!(p.state.get("state"), &Value::string(DEFAULT_STATE));
    assert_eq!(p.state.get("exclude_group_ids"), &set(&[]));
    assert_eq!(p.state.get("shape_differences"), &Value::List(Vec::new()));
    // A prior state with differences plans them away, and the PATCH moves modified_date_time.
    let mut prior = Policy::from_graph(&graph_policy()).to_value().unwrap();
    prior.set_attr(
        "shape_differences",
        Value::List(vec![Value::string("sessionControls is ...")]),
    );
    prior.set_attr("modified_date_time", Value::string("2026-01-02T00:00:00Z"));
    let (p, _) = crate::framework::plan::plan_resource(
        &CaBlockExternalMembers,
        &s,
        &prior,
        &prior,
        &config(),
        &private,
    );
    assert_eq!(p.state.get("shape_differences"), &Value::List(Vec::new()));
    assert!(p.state.get("modified_date_time").is_unknown());
    assert_eq!(p.state.get("id"), &Value::string(ID));
    // No differences, nothing configured changed: the plan is the prior state.
    prior.set_attr("shape_differences", Value::List(Vec::new()));
    let (p, _) = crate::framework::plan::plan_resource(
        &CaBlockExternalMembers,
        &s,
        &prior,
        &prior,
        &config(),
        &private,
    );
    assert_eq!(p.state, prior);
}

#[test]
fn several_tenants_are_all_sent() {
    let mut c = config();
    c.set_attr("external_tenant_ids", set(&[T1, T2]));
    let p = Policy::from_value(&c).unwrap();
    assert_eq!(
        p.to_graph()["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]
            ["members"],
        json!([T1, T2])
    );
}
