//! The emulator clock: replication lag, token lifetimes and scheduled transitions move with
//! `advance`, and rate limits count requests per tenant per API in windows of that clock.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use coexistence_acceptance::emulator::{Api, RateLimit};
use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn lag_and_token_lifetime_follow_the_clock() {
    let env = Env::new().await;
    env.emu.pause_clock();
    let token = env.token().await;
    env.emu.set_replication_lag(Duration::from_secs(30));
    env.create_partner(&token, FABRIKAM).await;
    let path = format!("{PARTNERS}/{FABRIKAM}");
    // Real time passing does not end the lag of a paused clock.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (s, _) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    env.emu.advance(Duration::from_secs(29));
    let (s, _) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    env.emu.advance(Duration::from_secs(2));
    let (s, _) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::OK);

    // Tokens live an hour of emulator time.
    env.emu.advance(Duration::from_secs(3600));
    let (s, v) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(err_msg(&v).contains("expired"), "{v}");
    let fresh = env.token().await;
    let (s, _) = env.graph(Method::GET, &path, &fresh, None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_transitions_happen_when_the_clock_passes_them() {
    let env = Env::new().await;
    env.emu.pause_clock();
    let token = env.token().await;
    let store_path = format!("/policies/crossTenantAccessPolicy/partners/{FABRIKAM}");
    env.create_partner(&token, FABRIKAM).await;
    assert!(env.emu.schedule_transition(
        CONTOSO,
        &store_path,
        Duration::from_secs(60),
        json!({"isInMultiTenantOrganization": true}),
    ));
    assert!(env.emu.schedule_transition(
        "contoso.onmicrosoft.com",
        &store_path,
        Duration::from_secs(120),
        Value::Null,
    ));
    assert!(!env.emu.schedule_transition(
        "unknown.example",
        &store_path,
        Duration::ZERO,
        Value::Null
    ));
    let item = format!("{PARTNERS}/{FABRIKAM}");
    let get = || env.graph(Method::GET, &item, &token, None);

    env.emu.advance(Duration::from_secs(59));
    let (_, v) = get().await;
    assert_eq!(v["isInMultiTenantOrganization"], false);
    env.emu.advance(Duration::from_secs(1));
    let (_, v) = get().await;
    assert_eq!(v["isInMultiTenantOrganization"], true, "{v}");
    assert_eq!(
        env.emu.object(CONTOSO, &store_path).unwrap()["isInMultiTenantOrganization"],
        true
    );
    // The `null` transition removes the object once due, seen by the Rust API too.
    env.emu.advance(Duration::from_secs(60));
    assert!(env.emu.objects(CONTOSO).is_empty());
    let (s, _) = get().await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_per_tenant_per_api() {
    let env = Env::new().await;
    env.emu.pause_clock();
    let contoso = env.token().await;
    let fabrikam = env.tenant_token(FABRIKAM, GRAPH_SCOPE).await;
    // Conditional Access style: one request a second on some paths, 429 without Retry-After.
    env.emu.set_rate_limit(
        Api::Graph,
        RateLimit::per_second(1)
            .on("/crossTenantAccessPolicy/partners")
            .without_retry_after(),
    );
    let (s, _) = env.graph(Method::GET, PARTNERS, &contoso, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, v) = env.call(Method::GET, PARTNERS, Some(&contoso), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(err_code(&v), "TooManyRequests");
    assert!(!h.contains_key("retry-after"));
    // Nothing was applied: a refused create leaves no partner behind.
    let (s, _) = env.post_partner(&contoso, FABRIKAM).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(env.emu.objects(CONTOSO).is_empty());
    // Another tenant has its own budget; other paths are not limited.
    let (s, _) = env.graph(Method::GET, PARTNERS, &fabrikam, None).await;
    assert_eq!(s, StatusCode::OK);
    let lookup =
        format!("/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{FABRIKAM}')");
    let (s, _) = env.graph(Method::GET, &lookup, &contoso, None).await;
    assert_eq!(s, StatusCode::OK);
    // The window moves with the clock.
    env.emu.advance(Duration::from_secs(1));
    let (s, _) = env.graph(Method::GET, PARTNERS, &contoso, None).await;
    assert_eq!(s, StatusCode::OK);

    // A limit with Retry-After (the default) says when to come back.
    env.emu.set_rate_limit(
        Api::Graph,
        RateLimit::per_second(1).on("/crossTenantAccessPolicy/partners"),
    );
    env.emu.advance(Duration::from_secs(1));
    let (s, _) = env.graph(Method::GET, PARTNERS, &contoso, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, _) = env.call(Method::GET, PARTNERS, Some(&contoso), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "1");
    env.emu.clear_rate_limits(Api::Graph);
    for _ in 0..3 {
        let (s, _) = env.graph(Method::GET, PARTNERS, &contoso, None).await;
        assert_eq!(s, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clock_and_rate_limits_over_the_control_api() {
    let env = Env::new().await;
    let url = env.emu.url();
    let token = env.token().await;
    let post = |path: &str, body: Value| {
        env.http
            .post(format!("{url}/_emulator/{path}"))
            .json(&body)
            .send()
    };
    let resp = post(
        "rate-limits",
        json!({"api": "graph", "per_second": 1, "path_contains": "/partners", "retry_after": false}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = post("rate-limits", json!({"api": "smtp", "per_second": 1}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    env.emu.pause_clock();
    let (s, _) = env.graph(Method::GET, PARTNERS, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, _) = env.call(Method::GET, PARTNERS, Some(&token), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(!h.contains_key("retry-after"));
    let resp = post("clock/advance", json!({"seconds": 1.0}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, PARTNERS, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    let resp = post("clock/advance", json!({"seconds": -1.0}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = env
        .http
        .delete(format!("{url}/_emulator/rate-limits?api=graph"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for _ in 0..2 {
        let (s, _) = env.graph(Method::GET, PARTNERS, &token, None).await;
        assert_eq!(s, StatusCode::OK);
    }
}
