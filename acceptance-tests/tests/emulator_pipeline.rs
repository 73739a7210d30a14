//! Graph pipeline tests: auth, headers, body limits, faults, replication lag, the request log, the control API and the TLS server.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn graph_requires_token_and_sets_headers() {
    let env = Env::new().await;
    let (s, h, body) = env.call(Method::GET, PARTNERS, None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(err_code(&body), "InvalidAuthenticationToken");
    assert_eq!(err_msg(&body), "Access token is empty.");
    assert!(body["error"]["innerError"]["request-id"].is_string());
    assert!(h.contains_key("request-id"));

    let (s, _, body) = env
        .call(Method::GET, PARTNERS, Some("not-a-token"), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(err_code(&body), "InvalidAuthenticationToken");

    let token = env.token().await;
    let resp = env
        .http
        .get(format!("{}{PARTNERS}", env.emu.url()))
        .bearer_auth(&token)
        .header("client-request-id", "my-client-request")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    let h = resp.headers();
    assert_eq!(h["client-request-id"], "my-client-request");
    assert!(h.contains_key("request-id"));
    assert!(h.contains_key("x-ms-ags-diagnostic"));
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json;odata.metadata=minimal"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["value"], json!([]));

    let (s, body) = env
        .graph(
            Method::GET,
            "/beta/policies/crossTenantAccessPolicy/partners",
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    let (s, body) = env
        .graph(Method::GET, "/v1.0/policies/nothingHere", &token, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(err_code(&body), "BadRequest");

    // Wrong media type and malformed JSON.
    let resp = env
        .http
        .post(format!("{}{PARTNERS}", env.emu.url()))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(format!(r#"{{"tenantId":"{FABRIKAM}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(err_code(&body), "UnsupportedMediaType");
    let resp = env
        .http
        .post(format!("{}{PARTNERS}", env.emu.url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"tenantId\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(err_code(&body), "BadRequest");
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_body_is_413() {
    let env = Env::new().await;
    let token = env.token().await;
    let big = "x".repeat(5 * 1024 * 1024);
    let (s, b) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "padding": big})),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(err_code(&b), "RequestEntityTooLarge");
    assert!(err_msg(&b).contains("exceeds the maximum"), "{b}");
    assert!(b["error"]["innerError"]["request-id"].is_string(), "{b}");
    assert!(env.emu.objects(CONTOSO).is_empty());
    let log = env.emu.requests();
    assert_eq!(log.last().map(|r| r.status), Some(413));
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_throttling() {
    let env = Env::new().await;
    let token = env.token().await;
    env.emu.inject(Fault {
        status: 429,
        retry_after: Some("2".into()),
        count: 1,
        method: Some("GET".into()),
        path_contains: Some("/partners".into()),
        tenant: Some("contoso.onmicrosoft.com".into()),
        ..Fault::default()
    });
    // Not matching (POST): unaffected.
    env.create_partner(&token, FABRIKAM).await;
    let (s, h, body) = env.call(Method::GET, PARTNERS, Some(&token), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "2");
    assert_eq!(h["x-ms-throttle-information"], "ResourceUnitLimitExceeded");
    assert!(h.contains_key("x-ms-throttle-scope"));
    assert_eq!(err_code(&body), "TooManyRequests");
    assert!(err_msg(&body).contains("Please try again later."));
    let (s, _) = env.graph(Method::GET, PARTNERS, &token, None).await;
    assert_eq!(s, StatusCode::OK);

    env.emu.inject(Fault {
        status: 503,
        retry_after: None,
        count: 2,
        method: None,
        path_contains: None,
        tenant: None,
        ..Fault::default()
    });
    for _ in 0..2 {
        let (s, body) = env.delete_partner(&token, FABRIKAM).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err_code(&body), "serviceNotAvailable");
    }
    // The faults did not touch the store.
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    let (s, _) = env.delete_partner(&token, FABRIKAM).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn replication_lag() {
    let env = Env::new().await;
    let token = env.token().await;
    env.emu.set_replication_lag(Duration::from_millis(1500));
    env.create_partner(&token, FABRIKAM).await;
    let path = format!("{PARTNERS}/{FABRIKAM}");
    let (s, _) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env
        .graph(
            Method::PUT,
            &format!("{path}/identitySynchronization"),
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let (s, _) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    env.emu.set_replication_lag(Duration::ZERO);
    let (s, _) = env
        .graph(
            Method::PUT,
            &format!("{path}/identitySynchronization"),
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_log_has_no_secrets() {
    let env = Env::new().await;
    let token = env.token().await;
    let _ = env.graph(Method::GET, PARTNERS, &token, None).await;
    let reqs = env.emu.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path, format!("/{CONTOSO}/oauth2/v2.0/token"));
    assert_eq!(reqs[0].status, 200);
    assert_eq!(
        reqs[0].body,
        Some(
            json!({"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"})
        )
    );
    assert_eq!(reqs[1].tenant.as_deref(), Some(CONTOSO));
    assert_eq!(reqs[1].method, "GET");
    assert_eq!(reqs[1].status, 200);
    let tokens = env.emu.issued_tokens();
    assert_eq!(tokens, vec![token.clone()]);

    let log = std::fs::read_to_string(env.dir.path().join("emulator.log")).unwrap();
    assert_eq!(log.lines().count(), 2);
    let in_memory = serde_json::to_string(&reqs).unwrap();
    for text in [&log, &in_memory] {
        assert!(!text.contains(CONTOSO_SECRET));
        assert!(!text.contains(&token));
    }
    env.emu.clear_requests();
    assert!(env.emu.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn control_api_over_http() {
    let env = Env::new().await;
    let token = env.token().await;
    let url = env.emu.url();
    let obj_url = |path: &str| {
        format!(
            "{url}/_emulator/tenants/contoso.onmicrosoft.com/object?path={}",
            path.replace('/', "%2F")
        )
    };
    let partner = format!("/policies/crossTenantAccessPolicy/partners/{FABRIKAM}");

    // Out-of-band create (drift) is visible through Graph.
    let mut value = json!({"tenantId": FABRIKAM, "inboundTrust": null, "isServiceProvider": null});
    let resp = env
        .http
        .put(obj_url(&partner))
        .json(&value)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, got) = env
        .graph(Method::GET, &format!("{PARTNERS}/{FABRIKAM}"), &token, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["tenantId"], FABRIKAM);

    let resp = env
        .http
        .patch(obj_url(&partner))
        .json(&json!({"isServiceProvider": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    value["isServiceProvider"] = json!(true);
    let got: Value = env
        .http
        .get(obj_url(&partner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, value);
    let list: Value = env
        .http
        .get(format!("{url}/_emulator/tenants/{CONTOSO}/objects"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([{"path": partner, "value": value}]));

    // Faults over HTTP.
    let resp = env
        .http
        .post(format!("{url}/_emulator/faults"))
        .json(&json!({"status": 504, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, body) = env.graph(Method::GET, PARTNERS, &token, None).await;
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(err_code(&body), "gatewayTimeout");
    let resp = env
        .http
        .post(format!("{url}/_emulator/faults"))
        .json(&json!({"status": 500, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // Replication lag over HTTP.
    let resp = env
        .http
        .post(format!("{url}/_emulator/replication-lag"))
        .json(&json!({"seconds": 0.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    // Request log over HTTP (control calls are not logged).
    let reqs: Vec<Value> = env
        .http
        .get(format!("{url}/_emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert!(reqs
        .iter()
        .all(|r| !r["path"].as_str().unwrap().starts_with("/_emulator")));
    let resp = env
        .http
        .delete(format!("{url}/_emulator/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(env.emu.requests().is_empty());

    let resp = env.http.delete(obj_url(&partner)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = env.http.get(obj_url(&partner)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(env.emu.objects(CONTOSO).is_empty());
    let resp = env
        .http
        .get(format!("{url}/_emulator/tenants/nobody.example/objects"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_tls_handshake_does_not_kill_server() {
    use tokio::io::AsyncWriteExt as _;
    let env = Env::new().await;
    let addr = env.emu.url().trim_start_matches("https://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    drop(s);
    // An untrusting client fails the handshake.
    let plain = reqwest::Client::builder()
        .tls_certs_only(Vec::<reqwest::Certificate>::new())
        .build()
        .unwrap();
    assert!(plain.get(env.emu.url()).send().await.is_err());
    let _ = env.token().await;
}
