//! Request builders (exact method, URL, body), plan-time validation, the read's view of
//! asynchronous transitions, and import IDs.

use super::api::*;
use super::member::join_view;
use super::model::{member_from_graph, MemberTenant};
use super::*;
use crate::framework::Resource;
use serde_json::json;

pub(super) const T: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
const BASE: &str = "https://graph.example/v1.0";

fn member(role: &str) -> MemberTenant {
    MemberTenant {
        display_name: "Fabrikam".into(),
        role: role.into(),
    }
}

#[test]
fn request_builders_send_the_documented_method_url_and_body() {
    let mto = format!("{BASE}/tenantRelationships/multiTenantOrganization");
    let cases = [
        (api::get_mto(), "GET", mto.clone(), None),
        (
            create_mto("Contoso Group", Some("All")),
            "PUT",
            mto.clone(),
            Some(json!({"displayName": "Contoso Group", "description": "All"})),
        ),
        (
            create_mto("Contoso Group", None),
            "PUT",
            mto.clone(),
            Some(json!({"displayName": "Contoso Group"})),
        ),
        (
            update_mto("New", None),
            "PATCH",
            mto.clone(),
            Some(json!({"displayName": "New", "description": null})),
        ),
        (api::list_tenants(), "GET", format!("{mto}/tenants"), None),
        (get_tenant(T), "GET", format!("{mto}/tenants/{T}"), None),
        (
            add_tenant(T, &member("owner")),
            "POST",
            format!("{mto}/tenants"),
            Some(json!({"tenantId": T, "displayName": "Fabrikam", "role": "owner"})),
        ),
        (
            set_role(T, "member"),
            "PATCH",
            format!("{mto}/tenants/{T}"),
            Some(json!({"role": "member"})),
        ),
        (
            remove_tenant(T),
            "DELETE",
            format!("{mto}/tenants/{T}"),
            None,
        ),
        (
            get_join_request(),
            "GET",
            format!("{mto}/joinRequest"),
            None,
        ),
        (
            join(T),
            "PATCH",
            format!("{mto}/joinRequest"),
            Some(json!({"addedByTenantId": T})),
        ),
    ];
    for (r, method, url, body) in cases {
        assert_eq!(r.method, method, "{}", r.describe());
        assert_eq!(r.url(BASE).unwrap(), url);
        assert_eq!(r.body, body, "{}", r.describe());
        let want = if r.method == "GET" && r.path.ends_with("multiTenantOrganization") {
            READ
        } else {
            WRITE
        };
        assert_eq!(r.permission, Some(want), "{}", r.describe());
    }
}

pub(super) fn config(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::null_object(&schema().ty());
    for (k, x) in pairs {
        v.set_attr(k, x.clone());
    }
    v
}

fn errors(v: &Value) -> Vec<(String, String)> {
    let mut d = Diagnostics::default();
    validate_sides(v, &mut d);
    d.0.iter()
        .map(|d| (format!("{:?}", d.path), d.detail.clone()))
        .collect()
}

#[test]
fn validation_enforces_one_side_and_names_the_attribute() {
    let ok_owner = config(&[("display_name", Value::string("C"))]);
    assert!(errors(&ok_owner).is_empty());
    let ok_member = config(&[("owner_tenant_id", Value::string(T))]);
    assert!(errors(&ok_member).is_empty());

    let mixed = config(&[
        ("owner_tenant_id", Value::string(T)),
        ("display_name", Value::string("C")),
    ]);
    let e = errors(&mixed);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].0.contains("display_name") && e[0].1.contains("owner_tenant_id"),
        "{e:?}"
    );

    let neither = config(&[]);
    let e = errors(&neither);
    assert!(e.len() == 1 && e[0].0.contains("display_name"), "{e:?}");

    let wait_on_owner = config(&[
        ("display_name", Value::string("C")),
        ("wait_for_active", Value::Bool(true)),
    ]);
    assert!(errors(&wait_on_owner)[0].0.contains("wait_for_active"));
}

#[test]
fn validation_rejects_bad_member_keys_and_roles() {
    let m = |role: &str| {
        Value::object([
            ("display_name", Value::string("F")),
            ("role", Value::string(role)),
        ])
    };
    let v = config(&[
        ("display_name", Value::string("C")),
        (
            "member_tenants",
            Value::Map(BTreeMap::from([
                ("nope".to_string(), m("member")),
                (T.to_string(), m("admin")),
            ])),
        ),
    ]);
    let e = errors(&v);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|(p, _)| p.contains("member_tenants")), "{e:?}");
    assert!(
        e.iter().any(|(_, d)| d.contains("\"nope\" is not")),
        "{e:?}"
    );
    assert!(e.iter().any(|(_, d)| d.contains("not \"admin\"")), "{e:?}");
}

#[test]
fn pending_transitions_toward_a_value_read_as_that_value_and_removals_as_absent() {
    let adding = json!({"tenantId": T.to_uppercase(), "displayName": "F", "role": "member", "state": "pending",
        "transitionDetails": {"desiredState": "active", "desiredRole": "member", "status": "notStarted"}});
    let (id, m, state) = member_from_graph(&adding).unwrap();
    assert_eq!(
        (id.as_str(), m, state.as_str()),
        (
            T,
            MemberTenant {
                display_name: "F".into(),
                role: "member".into()
            },
            "pending"
        )
    );

    let promoting = json!({"tenantId": T, "displayName": "F", "role": "member", "state": "active",
        "transitionDetails": {"desiredState": "active", "desiredRole": "owner", "status": "running"}});
    assert_eq!(member_from_graph(&promoting).unwrap().1.role, "owner");

    let failed_promotion = json!({"tenantId": T, "displayName": "F", "role": "member", "state": "active",
        "transitionDetails": {"desiredState": "active", "desiredRole": "owner", "status": "failed"}});
    assert_eq!(
        member_from_graph(&failed_promotion).unwrap().1.role,
        "member"
    );

    let removing = json!({"tenantId": T, "displayName": "F", "role": "member", "state": "active",
        "transitionDetails": {"desiredState": "removed", "desiredRole": "member", "status": "notStarted"}});
    assert!(member_from_graph(&removing).is_none());
}

#[test]
fn the_join_view_reports_failure_details_and_ignores_other_owners() {
    let failed = json!({"addedByTenantId": T, "memberState": "pending", "role": null,
        "transitionDetails": {"desiredMemberState": "active", "status": "failed", "details": "Tenant was not added by the owner."}});
    assert_eq!(
        join_view(&failed, &T.to_uppercase()),
        Some((
            "failed".into(),
            None,
            Some("Tenant was not added by the owner.".into())
        ))
    );
    let active = json!({"addedByTenantId": T, "memberState": "active", "role": "member", "transitionDetails": null});
    assert_eq!(
        join_view(&active, T),
        Some(("active".into(), Some("member".into()), None))
    );
    assert_eq!(join_view(&active, NO_TENANT), None);
    let reset = json!({"addedByTenantId": null, "memberState": null});
    assert_eq!(join_view(&reset, T), None);
}

#[test]
fn import_ids_name_the_side_and_this_tenant() {
    let ctx = ImportCtx::new(Some(T));
    let o = MtoMembership
        .import(&ctx, &format!("owner/{}", T.to_uppercase()))
        .unwrap();
    assert_eq!(o.get("id").as_str(), Some(format!("owner/{T}").as_str()));
    assert_eq!(o.get("tenant_id").as_str(), Some(T));
    assert!(o.get("owner_tenant_id").is_null());
    let other = crate::clients::TEST_TENANT;
    let m = MtoMembership
        .import(&ctx, &format!("member/{other}"))
        .unwrap();
    assert_eq!(m.get("owner_tenant_id").as_str(), Some(other));
    let e = MtoMembership
        .import(&ctx, &format!("owner/{other}"))
        .unwrap_err();
    assert!(e.0[0].detail.contains("signs in to tenant"), "{e}");
    assert_eq!(
        MtoMembership.import_id_format().0,
        "`owner/<this tenant GUID>` (owner side) or `member/<owner tenant GUID>` (member side)"
    );
}

#[test]
fn every_plan_after_a_failed_join_says_why() {
    let s = schema();
    let mut prior = config(&[
        ("owner_tenant_id", Value::string(T)),
        ("state", Value::string("failed")),
        ("failure_details", Value::string("Not added by the owner.")),
    ]);
    let (_, d) = crate::framework::plan::plan_resource(
        &MtoMembership,
        &s,
        &prior,
        &prior,
        &prior,
        &Default::default(),
    );
    assert!(!d.has_errors());
    assert!(
        d.0.len() == 1
            && d.0[0]
                .detail
                .contains(&format!("tenant {T} failed: Not added by the owner.")),
        "{d}"
    );
    prior.set_attr("state", Value::string("active"));
    let (_, d) = crate::framework::plan::plan_resource(
        &MtoMembership,
        &s,
        &prior,
        &prior,
        &prior,
        &Default::default(),
    );
    assert!(d.is_empty(), "{d}");
}
