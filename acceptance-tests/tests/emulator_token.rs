//! Token endpoint tests: client credentials, audiences, and the tenant a token selects.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn token_endpoint() {
    let env = Env::new().await;
    let client = "11111111-1111-4111-8111-111111111111";
    let scope = "https://graph.microsoft.com/.default";
    let (s, body) = env
        .token_request(
            "contoso.onmicrosoft.com",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", CONTOSO_SECRET),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body["access_token"].as_str().unwrap().len() > 20);

    let (s, body) = env
        .token_request(
            CONTOSO,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", "wrong"),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"], json!([7000215]));
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS7000215"));
    assert!(body["trace_id"].is_string() && body["correlation_id"].is_string());

    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, u64);
    let cases: Vec<Case> = vec![
        (
            CONTOSO,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "33333333-3333-4333-8333-333333333333"),
                ("client_secret", CONTOSO_SECRET),
                ("scope", scope),
            ],
            "unauthorized_client",
            700016,
        ),
        (
            "nowhere.onmicrosoft.com",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", CONTOSO_SECRET),
                ("scope", scope),
            ],
            "invalid_request",
            90002,
        ),
        (
            CONTOSO,
            vec![
                ("grant_type", "password"),
                ("client_id", client),
                ("client_secret", CONTOSO_SECRET),
                ("scope", scope),
            ],
            "unsupported_grant_type",
            70003,
        ),
        (
            CONTOSO,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", CONTOSO_SECRET),
            ],
            "invalid_scope",
            900144,
        ),
        (
            NORTHWIND,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", CONTOSO_SECRET),
                ("scope", scope),
            ],
            "unauthorized_client",
            700016,
        ),
    ];
    for (tenant, form, error, code) in cases {
        let (s, body) = env.token_request(tenant, &form).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], error, "{body}");
        assert_eq!(body["error_codes"], json!([code]), "{body}");
    }

    // A client assertion must be a JWT the emulator can verify (the secret is not one).
    let (s, body) = env
        .token_request(
            CONTOSO,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", CONTOSO_SECRET),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_codes"], json!([50027]), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn token_audience_and_tenant_binding() {
    let env = Env::new().await;
    let get_token =
        |tenant: &'static str, client: &'static str, secret: &'static str, scope: String| {
            let env = &env;
            async move {
                let (s, body) = env
                    .token_request(
                        tenant,
                        &[
                            ("grant_type", "client_credentials"),
                            ("client_id", client),
                            ("client_secret", secret),
                            ("scope", scope.as_str()),
                        ],
                    )
                    .await;
                (
                    s,
                    body["access_token"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            }
        };
    // The provider asks for `<graph_endpoint>/.default`; with the emulator as the Graph
    // endpoint that is the emulator URL.
    let (s, contoso) = get_token(
        CONTOSO,
        "11111111-1111-4111-8111-111111111111",
        CONTOSO_SECRET,
        format!("{}/.default", env.emu.url()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, fabrikam) = get_token(
        FABRIKAM,
        "22222222-2222-4222-8222-222222222222",
        "fabrikam-secret",
        "https://graph.microsoft.com/.default".into(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, exchange) = get_token(
        CONTOSO,
        "11111111-1111-4111-8111-111111111111",
        CONTOSO_SECRET,
        "https://outlook.office365.com/.default".into(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = get_token(
        CONTOSO,
        "11111111-1111-4111-8111-111111111111",
        CONTOSO_SECRET,
        "https://unknown.example/.default".into(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, body) = env.graph(Method::GET, PARTNERS, &exchange, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(err_msg(&body).contains("Invalid audience"), "{body}");

    // The token selects the tenant.
    let (s, _) = env.post_partner(&contoso, FABRIKAM).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = env.graph(Method::GET, PARTNERS, &fabrikam, None).await;
    assert_eq!(list["value"], json!([]));
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    assert!(env.emu.objects("fabrikam.onmicrosoft.com").is_empty());
}
