//! Multitenant organization family: the inactive shape, create, the documented 400 for adding a
//! tenant twice, 404 after removal, and a join that fails because the owner did not add it.

mod emulator_support;

use coexistence_acceptance::emulator::graph::mto::NOT_ADDED;
use emulator_support::*;

const MTO: &str = "/v1.0/tenantRelationships/multiTenantOrganization";

#[tokio::test(flavor = "multi_thread")]
async fn organization_lifecycle_and_documented_errors() {
    let env = Env::new().await;
    let token = env.token().await;
    let (s, got) = env.graph(Method::GET, MTO, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["state"], "inactive");
    assert_eq!(got["displayName"], Value::Null);
    // The entity key is never null, even with no organization (API-NOTES.md#mto-inactive-id).
    assert_eq!(got["id"], "00000000-0000-0000-0000-000000000000");

    // A join toward an owner that never added this tenant fails, with the reason.
    let other = "6b1f3c2e-9a4d-4e8f-b7c6-2d5a1e0f9c83";
    let join = format!("{MTO}/joinRequest");
    let (s, _) = env
        .graph(
            Method::PATCH,
            &join,
            &token,
            Some(json!({"addedByTenantId": other})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, j) = env.graph(Method::GET, &join, &token, None).await;
    assert_eq!(j["transitionDetails"]["status"], "failed", "{j}");
    assert_eq!(j["transitionDetails"]["details"], NOT_ADDED);
    let zero = "00000000-0000-0000-0000-000000000000";
    let (s, _) = env
        .graph(
            Method::PATCH,
            &join,
            &token,
            Some(json!({"addedByTenantId": zero})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (s, created) = env
        .graph(Method::PUT, MTO, &token, Some(json!({"displayName": "C"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["state"], "active");
    let tenants = format!("{MTO}/tenants");
    let add = json!({"tenantId": FABRIKAM, "displayName": "Fabrikam"});
    let (s, m) = env
        .graph(Method::POST, &tenants, &token, Some(add.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(
        (m["state"].as_str(), m["role"].as_str()),
        (Some("pending"), Some("member"))
    );
    let (s, e) = env.graph(Method::POST, &tenants, &token, Some(add)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        e["error"]["message"],
        "Tenant is already being added in Multi-Tenant Organization."
    );

    let one = format!("{tenants}/{FABRIKAM}");
    let (s, _) = env.graph(Method::DELETE, &one, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = env.graph(Method::GET, &one, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "Directory_ObjectNotFound");
}
