//! Request builders (exact method, URL, body), plan-time validation, the read's view of
//! asynchronous transitions, and import IDs.

use super::api::*;
use super::member::join_view;
use super::model::{member_from_graph, MemberTenant};
use super::*;
use serde_json::json;

const T: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
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

fn config(pairs: &[(&str, Value)]) -> Value {
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

mod flows {
    use super::*;
    use crate::clients::http::mock::{fail, step, MockTransport};
    use crate::clients::{Clients, Deadline, TEST_TENANT};
    use crate::framework::Ctx;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    const MTO: &str = "/v1.0/tenantRelationships/multiTenantOrganization";

    fn ctx(m: &Arc<MockTransport>) -> Ctx {
        Ctx::new(
            Arc::new(Clients::for_tests(m.clone())),
            Deadline::after(Duration::from_secs(30), CancellationToken::new()),
        )
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
    async fn owner_create_in_a_tenant_that_joined_another_organization_gives_the_member_import_id()
    {
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
        assert!(MtoMembership
            .update(&ctx(&m), &state, &state)
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
}
