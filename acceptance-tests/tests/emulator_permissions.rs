//! Application permissions: an app granted only some roles gets tokens carrying those, and the
//! requests that need another are refused with the service's 403 (Graph
//! `Authorization_RequestDenied`, Exchange `Forbidden`), before the service acts on them.
//! Apps hold every role until a test restricts them; a token keeps the roles it was issued with.

mod emulator_support;

use emulator_support::*;

const CA: &str = "/v1.0/identity/conditionalAccess/policies";

fn denied(s: StatusCode, v: &Value) {
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(err_code(v), "Authorization_RequestDenied");
    assert_eq!(
        err_msg(v),
        "Insufficient privileges to complete the operation."
    );
    assert!(v["error"]["innerError"]["request-id"].is_string(), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_need_the_roles_their_token_carries() {
    let env = Env::new().await;
    // Conditional Access is paced per tenant; this test is about permissions only.
    env.emu
        .clear_rate_limits(coexistence_acceptance::emulator::vocab::Api::Graph);
    // By default every role: reads and writes of every family go through.
    let all = env.token().await;
    let (s, v) = env.graph(Method::GET, CA, &all, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Read-only on policies: partner and CA reads pass, their writes are refused, unapplied.
    env.emu
        .set_roles(CONTOSO_CLIENT, Some(&["Policy.Read.All"]));
    let read_only = env.token().await;
    let (s, v) = env.graph(Method::GET, PARTNERS, &read_only, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = env.graph(Method::GET, CA, &read_only, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = env.post_partner(&read_only, FABRIKAM).await;
    denied(s, &v);
    let (s, v) = env
        .graph(Method::GET, &format!("{PARTNERS}/{FABRIKAM}"), &all, None)
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "the refused POST made a partner: {v}"
    );
    let (s, v) = env
        .graph(
            Method::POST,
            CA,
            &read_only,
            Some(json!({"displayName": "x", "state": "disabled"})),
        )
        .await;
    denied(s, &v);
    // Other families need their own roles.
    let (s, v) = env
        .graph(
            Method::GET,
            "/v1.0/tenantRelationships/multiTenantOrganization",
            &read_only,
            None,
        )
        .await;
    denied(s, &v);
    let exo = env.token_for(EXCHANGE_SCOPE).await;
    let (s, _, v) = env
        .call(
            Method::POST,
            INVOKE,
            Some(&exo),
            Some(cmdlet("Get-OrganizationRelationship", json!({}))),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(exo_error(&v).0, "Forbidden");

    // Without Policy.Read.All, CA reads are refused; the write role alone reads too.
    env.emu.set_roles(
        CONTOSO_CLIENT,
        Some(&["Policy.ReadWrite.CrossTenantAccess", "Exchange.ManageAsApp"]),
    );
    let no_policy_read = env.token().await;
    let (s, v) = env.graph(Method::GET, CA, &no_policy_read, None).await;
    denied(s, &v);
    let (s, v) = env
        .graph(Method::GET, PARTNERS, &no_policy_read, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = env.post_partner(&no_policy_read, FABRIKAM).await;
    assert_eq!(s, StatusCode::CREATED);

    // A token keeps the roles it was issued with; the other tenant's app is untouched.
    let (s, v) = env.graph(Method::GET, CA, &all, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let fabrikam = env.tenant_token(FABRIKAM, GRAPH_SCOPE).await;
    let (s, v) = env.graph(Method::GET, CA, &fabrikam, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Every role again.
    env.emu.set_roles(CONTOSO_CLIENT, None);
    let again = env.token().await;
    let (s, v) = env.graph(Method::GET, CA, &again, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
