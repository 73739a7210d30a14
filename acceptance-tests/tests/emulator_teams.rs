//! Teams tenant admin API tests: the federation configuration's token audience, its default,
//! the strict PATCH, the error envelope, the pipeline's fault knobs and rate limits on this API,
//! and seeding a portal-made configuration through the control API.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use coexistence_acceptance::emulator::teams::federation::{self, PATH};
use coexistence_acceptance::emulator::{Api, RateLimit};
use emulator_support::*;

const TEAMS_SCOPE: &str = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default";

async fn teams_token(env: &Env) -> String {
    env.token_for(TEAMS_SCOPE).await
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_teams_token_reads_the_configuration_and_it_starts_at_the_default() {
    let env = Env::new().await;
    let teams = teams_token(&env).await;
    let (s, h, v) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(h.contains_key("request-id"));
    assert_eq!(v, federation::service_default());
    assert_eq!(v["AllowedDomains"], json!({"AllowAllKnownDomains": {}}));
    // Either casing of the identity; no other identity.
    let upper = PATH.replace("/global", "/Global");
    let (s, _, _) = env.call(Method::GET, &upper, Some(&teams), None).await;
    assert_eq!(s, StatusCode::OK);
    let other = PATH.replace("/global", "/Tag:Other");
    let (s, _, v) = env.call(Method::GET, &other, Some(&teams), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(err_code(&v), "NotFound");

    // A Graph token, an Exchange token, a token for the emulator's own URL (what Graph and
    // Exchange accept there) and no token are 401 here; a Teams token is no Graph token.
    let own = env.token_for(&format!("{}/.default", env.emu.url())).await;
    for t in [
        Some(env.token().await),
        Some(env.token_for(EXCHANGE_SCOPE).await),
        Some(own),
        None,
    ] {
        let (s, _, v) = env.call(Method::GET, PATH, t.as_deref(), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(err_code(&v), "Unauthorized");
    }
    let (s, _) = env.graph(Method::GET, PARTNERS, &teams, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Other Skype.Policy paths are not emulated; PUT, POST and DELETE are not the write.
    let (s, _, v) = env
        .call(
            Method::GET,
            "/Skype.Policy/configurations/TeamsMeetingPolicy",
            Some(&teams),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    for m in [Method::PUT, Method::POST, Method::DELETE] {
        let (s, _, v) = env
            .call(m.clone(), PATH, Some(&teams), Some(json!({})))
            .await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{m}: {v}");
        assert_eq!(err_code(&v), "MethodNotAllowed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_changes_only_what_it_names_per_tenant_and_back_to_default_stores_nothing() {
    let env = Env::new().await;
    let teams = teams_token(&env).await;
    let patch = json!({
        "AllowTeamsConsumer": false,
        "AllowedDomains": {"AllowedDomain": [{"Domain": "fabrikam.com"}]},
    });
    let (s, _, v) = env
        .call(Method::PATCH, PATH, Some(&teams), Some(patch))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, _, v) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!(v["AllowTeamsConsumer"], json!(false));
    assert_eq!(
        federation::allowed(&v),
        Some(vec!["fabrikam.com".to_string()])
    );
    assert_eq!(v["AllowFederatedUsers"], json!(true), "untouched");
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    // Fabrikam's configuration is its own.
    let fab = env.tenant_token(FABRIKAM, TEAMS_SCOPE).await;
    let (_, _, v) = env.call(Method::GET, PATH, Some(&fab), None).await;
    assert_eq!(v, federation::service_default());

    let back = json!({
        "AllowTeamsConsumer": true,
        "AllowedDomains": {"AllowAllKnownDomains": {}},
    });
    let (s, _, _) = env
        .call(Method::PATCH, PATH, Some(&teams), Some(back))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        env.emu.objects(CONTOSO).is_empty(),
        "the default is not stored"
    );
    assert_eq!(
        env.emu.object(CONTOSO, PATH),
        Some(federation::service_default())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_is_checked_strictly_and_changes_nothing_when_refused() {
    let env = Env::new().await;
    let teams = teams_token(&env).await;
    for (body, needle) in [
        (json!({"Identity": "Global"}), "read-only"),
        (json!({"AllowFederatedUsers": 1}), "Boolean"),
        (json!({"allowFederatedUsers": true}), "not a property"),
        (
            json!({"ExternalAccessWithTrialTenants": "Sometimes"}),
            "Blocked, Allowed",
        ),
        (
            json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "not a domain"}]}}),
            "not a domain",
        ),
        (json!([1]), "JSON object"),
    ] {
        let (s, _, v) = env
            .call(Method::PATCH, PATH, Some(&teams), Some(body.clone()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(err_code(&v), "BadRequest");
        assert!(err_msg(&v).contains(needle), "{body}: {v}");
    }
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_and_rate_limits_apply_to_the_teams_api_alone() {
    let env = Env::new().await;
    let teams = teams_token(&env).await;
    env.emu.inject(Fault {
        retry_after: Some("2".into()),
        ..Fault::status(429).api(Api::Teams)
    });
    // A Graph request does not take the Teams fault.
    let (s, _) = env
        .graph(Method::GET, PARTNERS, &env.token().await, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, v) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(err_code(&v), "TooManyRequests");
    assert_eq!(h["retry-after"], "2");
    // A 503 after applying: the PATCH is applied, the caller is told it was not.
    env.emu
        .inject(Fault::status(503).api(Api::Teams).after_apply());
    let (s, _, _) = env
        .call(
            Method::PATCH,
            PATH,
            Some(&teams),
            Some(json!({"BlockAllSubdomains": true})),
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        env.emu.object(CONTOSO, PATH).unwrap()["BlockAllSubdomains"],
        json!(true)
    );
    env.emu.set_rate_limit(
        Api::Teams,
        RateLimit {
            per_second: 1,
            path_contains: None,
            retry_after: true,
        },
    );
    let (s1, _, _) = env.call(Method::GET, PATH, Some(&teams), None).await;
    let (s2, h, _) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(h["retry-after"], "1");
}

/// A configuration made in the Teams admin center, seeded through the control API (a PUT of
/// the whole object at its path), is what the API then answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_made_configuration_is_seeded_through_the_control_api() {
    let env = Env::new().await;
    let mut portal = federation::service_default();
    portal["AllowedDomains"] = json!({"AllowedDomain": [{"Domain": "partner.example"}]});
    portal["BlockedDomains"] = json!([{"Domain": "blocked.example"}]);
    let url = format!(
        "{}/_emulator/tenants/{CONTOSO}/object?path={PATH}",
        env.emu.url()
    );
    let r = env.http.put(&url).json(&portal).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let teams = teams_token(&env).await;
    let (_, _, v) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!(v, portal);
    // The Rust helper tests use does the same, checked like a PATCH.
    federation::change_in_portal(&env.emu, CONTOSO, json!({"AllowFederatedUsers": false}));
    let (_, _, v) = env.call(Method::GET, PATH, Some(&teams), None).await;
    assert_eq!(v["AllowFederatedUsers"], json!(false));
    assert_eq!(
        federation::allowed(&v),
        Some(vec!["partner.example".into()])
    );
}
