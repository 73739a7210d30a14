//! Exchange admin API tests: `InvokeCommand` auth, the strict `CmdletInput`, the error envelope,
//! throttling (JSON and plain text), and the pipeline it shares with Graph.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use coexistence_acceptance::emulator::{Api, RateLimit};
use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn invoke_command_auth_and_tenant() {
    let env = Env::new().await;
    // What the provider asks for: `<exchange_endpoint>/.default`, the emulator URL in tests.
    let exo = env.token_for(&format!("{}/.default", env.emu.url())).await;
    let outlook = env
        .token_for("https://outlook.office365.com/.default")
        .await;
    let graph = env.token().await;
    let body = cmdlet("Get-AcceptedDomain", json!({}));

    for t in [&exo, &outlook] {
        let (s, h, v) = env
            .call(Method::POST, INVOKE, Some(t), Some(body.clone()))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(h.contains_key("request-id"));
        assert_eq!(v["value"][0]["DomainName"], "contoso.onmicrosoft.com");
        assert_eq!(v["value"][0]["Default"], true);
    }
    // A Graph token is not for Exchange, nor an Exchange one for Graph.
    let (s, _, v) = env
        .call(Method::POST, INVOKE, Some(&graph), Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (code, _, _) = exo_error(&v);
    assert_eq!(code, "Unauthorized");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Invalid audience"));
    let (s, _) = env.graph(Method::GET, PARTNERS, &outlook, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = env
        .call(Method::POST, INVOKE, None, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The tenant in the path: the token's, by GUID or default domain; never another one.
    let by_domain = "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand";
    let (s, _, _) = env
        .call(Method::POST, by_domain, Some(&exo), Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::OK);
    let other = format!("/adminapi/beta/{FABRIKAM}/InvokeCommand");
    let (s, _, v) = env
        .call(Method::POST, &other, Some(&exo), Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    exo_error(&v);

    // Only POST; other admin API endpoints are not emulated.
    let (s, _, v) = env.call(Method::GET, INVOKE, Some(&exo), None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{v}");
    let batch = format!("/adminapi/beta/{CONTOSO}/$batch");
    let (s, _, v) = env
        .call(
            Method::POST,
            &batch,
            Some(&exo),
            Some(json!({"requests": []})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    exo_error(&v);

    // Every request is logged under the token's tenant.
    let logged: Vec<_> = env
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path == INVOKE)
        .collect();
    assert!(logged.len() >= 4);
    assert!(logged
        .iter()
        .filter(|r| r.status == 200)
        .all(|r| r.tenant.as_deref() == Some(CONTOSO)));
}

#[tokio::test(flavor = "multi_thread")]
async fn cmdlet_input_is_strict() {
    let env = Env::new().await;
    let exo = env
        .token_for("https://outlook.office365.com/.default")
        .await;
    let invoke = |body: Value| env.call(Method::POST, INVOKE, Some(&exo), Some(body));

    let bad_bodies = [
        json!({}),
        json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain"}, "Extra": 1}),
        json!({"CmdletInput": "Get-AcceptedDomain"}),
        json!({"CmdletInput": {"Parameters": {}}}),
        json!({"CmdletInput": {"CmdletName": 7}}),
        json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain", "Parameters": []}}),
        json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain", "Params": {}}}),
        json!([1]),
    ];
    for body in bad_bodies {
        let (s, _, v) = invoke(body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} -> {v}");
        let (code, _, _) = exo_error(&v);
        assert_eq!(code, "BadRequest", "{body}");
    }
    // `Parameters` may be left out.
    let (s, _, v) = invoke(json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain"}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // An unknown cmdlet.
    let (s, _, v) = invoke(cmdlet("New-Nonsense", json!({}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (code, ty, _) = exo_error(&v);
    assert_eq!(code, "CommandNotFound");
    assert_eq!(ty, "System.Management.Automation.CommandNotFoundException");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'New-Nonsense'"));

    // Parameters: unknown, mis-cased, wrong type; each names its target.
    for (params, target) in [
        (json!({"DomainController": "dc1"}), "DomainController"),
        (json!({"identity": "contoso.onmicrosoft.com"}), "identity"),
        (json!({"Identity": true}), "Identity"),
    ] {
        let (s, _, v) = invoke(cmdlet("Get-AcceptedDomain", params.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{params} -> {v}");
        let (code, ty, t) = exo_error(&v);
        assert_eq!(code, "InvalidParameter");
        assert_eq!(ty, "System.Management.Automation.ParameterBindingException");
        assert_eq!(t.as_deref(), Some(target), "{v}");
    }

    // Identity: found, or ManagementObjectNotFoundException.
    let (s, _, v) = invoke(cmdlet(
        "Get-AcceptedDomain",
        json!({"Identity": "CONTOSO.onmicrosoft.com"}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _, v) = invoke(cmdlet(
        "Get-AcceptedDomain",
        json!({"Identity": "fabrikam.onmicrosoft.com"}),
    ))
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (_, ty, t) = exo_error(&v);
    assert!(ty.ends_with("ManagementObjectNotFoundException"));
    assert_eq!(t.as_deref(), Some("Identity"));

    // $select projects the result objects; other query options are refused.
    let (s, _, v) = env
        .call(
            Method::POST,
            &format!("{INVOKE}?$select=Name,Default"),
            Some(&exo),
            Some(cmdlet("Get-AcceptedDomain", json!({}))),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["value"],
        json!([{"Name": "contoso.onmicrosoft.com", "Default": true}])
    );
    let (s, _, _) = env
        .call(
            Method::POST,
            &format!("{INVOKE}?$top=1"),
            Some(&exo),
            Some(cmdlet("Get-AcceptedDomain", json!({}))),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The shared pipeline: content type and JSON syntax.
    let resp = env
        .http
        .post(format!("{}{INVOKE}", env.emu.url()))
        .bearer_auth(&exo)
        .header("content-type", "text/plain")
        .body(cmdlet("Get-AcceptedDomain", json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let resp = env
        .http
        .post(format!("{}{INVOKE}", env.emu.url()))
        .bearer_auth(&exo)
        .header("content-type", "application/json; charset=utf-8")
        .body("{\"CmdletInput\":")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let v: Value = resp.json().await.unwrap();
    exo_error(&v);
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_throttling() {
    let env = Env::new().await;
    let exo = env
        .token_for("https://outlook.office365.com/.default")
        .await;
    let graph = env.token().await;
    let body = cmdlet("Get-AcceptedDomain", json!({}));
    let send = || {
        env.http
            .post(format!("{}{INVOKE}", env.emu.url()))
            .bearer_auth(&exo)
            .json(&body)
            .send()
    };

    // The plain-text concurrency throttle: only Exchange requests get it.
    env.emu.inject(Fault::exchange_concurrency());
    let (s, _) = env.graph(Method::GET, PARTNERS, &graph, None).await;
    assert_eq!(s, StatusCode::OK);
    let resp = send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        resp.text().await.unwrap(),
        "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"
    );
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);

    // A JSON 429 in the Exchange envelope, with Retry-After when the fault has one.
    env.emu.inject(Fault {
        retry_after: Some("7".into()),
        ..Fault::status(429).api(Api::Exchange)
    });
    let resp = send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "7");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(exo_error(&v).0, "TooManyRequests");

    // A rate limit on Exchange leaves Graph alone.
    env.emu.pause_clock();
    env.emu.set_rate_limit(
        Api::Exchange,
        RateLimit::per_second(2).without_retry_after(),
    );
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
    let resp = send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!resp.headers().contains_key("retry-after"));
    let (s, _) = env.graph(Method::GET, PARTNERS, &graph, None).await;
    assert_eq!(s, StatusCode::OK);
    env.emu.advance(Duration::from_secs(1));
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
}
