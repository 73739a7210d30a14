//! Tests of the Graph emulator itself, with a plain reqwest client trusting the emulator CA.

use std::time::Duration;

use coexistence_acceptance::emulator::{Emulator, EmulatorConfig, Fault, TenantSpec};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CONTOSO: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
const FABRIKAM: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
const NORTHWIND: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
const CONTOSO_SECRET: &str = "contoso-very-secret-value";
const PARTNERS: &str = "/v1.0/policies/crossTenantAccessPolicy/partners";

fn tenant(id: &str, name: &str, domain: &str, client: &str, secret: &str) -> TenantSpec {
    TenantSpec {
        tenant_id: id.into(),
        display_name: name.into(),
        default_domain: domain.into(),
        client_id: client.into(),
        client_secret: secret.into(),
    }
}

struct Env {
    emu: Emulator,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let cfg = EmulatorConfig {
            tenants: vec![
                tenant(
                    CONTOSO,
                    "Contoso",
                    "contoso.onmicrosoft.com",
                    "11111111-1111-4111-8111-111111111111",
                    CONTOSO_SECRET,
                ),
                tenant(
                    FABRIKAM,
                    "Fabrikam",
                    "fabrikam.onmicrosoft.com",
                    "22222222-2222-4222-8222-222222222222",
                    "fabrikam-secret",
                ),
            ],
            directory_only: vec![tenant(
                NORTHWIND,
                "Northwind",
                "northwind.onmicrosoft.com",
                "",
                "",
            )],
            port: 0,
            sign_in: Default::default(),
        };
        let emu = Emulator::start(cfg, dir.path()).await.unwrap();
        let pem = std::fs::read(emu.ca_pem_path()).unwrap();
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        Env { emu, http, dir }
    }

    async fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.emu.url()))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    async fn token(&self) -> String {
        let (status, body) = self
            .token_request(
                CONTOSO,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "11111111-1111-4111-8111-111111111111"),
                    ("client_secret", CONTOSO_SECRET),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.emu.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, headers, value)
    }

    async fn graph(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self.call(method, path, Some(token), body).await;
        (s, v)
    }
}

fn err_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

fn err_msg(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or_default()
}

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
async fn partner_lifecycle() {
    let env = Env::new().await;
    let token = env.token().await;
    let upper = FABRIKAM.to_ascii_uppercase();
    let b2b = json!({
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
    });
    let (s, created) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": upper, "b2bCollaborationInbound": b2b, "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["tenantId"], FABRIKAM);
    assert!(created["@odata.context"].is_string());
    assert_eq!(created["isServiceProvider"], Value::Null);
    assert_eq!(created["isInMultiTenantOrganization"], false);
    assert_eq!(created["tenantRestrictions"], Value::Null);
    assert_eq!(created["b2bDirectConnectInbound"], Value::Null);
    let all_null = json!({"inboundAllowed": null, "outboundAllowed": null});
    assert_eq!(created["automaticUserConsentSettings"], all_null);
    assert_eq!(created["crossCloudMeetingConfiguration"], all_null);
    assert_eq!(created["protectedContentSharing"], all_null);
    assert_eq!(created["b2bCollaborationInbound"], b2b);

    let path = format!("{PARTNERS}/{upper}");
    let (s, got) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["tenantId"], FABRIKAM);
    assert_eq!(got["inboundTrust"]["isMfaAccepted"], true);

    // Nested replace: a provided complex property replaces the stored one wholesale.
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({
                "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}},
                "inboundTrust": null,
                "automaticUserConsentSettings": {"inboundAllowed": true}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let stored = env
        .emu
        .object(
            CONTOSO,
            &format!("/policies/crossTenantAccessPolicy/partners/{FABRIKAM}"),
        )
        .unwrap();
    assert_eq!(
        stored["b2bCollaborationInbound"],
        json!({"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}})
    );
    assert_eq!(stored["inboundTrust"], Value::Null);
    assert_eq!(
        stored["automaticUserConsentSettings"],
        json!({"inboundAllowed": true, "outboundAllowed": null})
    );

    // automaticUserConsentSettings: null is stored as the all-null object.
    let (s, _) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"automaticUserConsentSettings": null})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(got["automaticUserConsentSettings"], all_null);
    assert_eq!(
        got["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );

    // Duplicate.
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(err_code(&body), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(
        err_msg(&body),
        "Another object with the same value for property tenantId already exists."
    );

    // List with $select and $expand.
    let (s, list) = env
        .graph(
            Method::GET,
            &format!("{PARTNERS}?$select=tenantId&$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(
        list["value"],
        json!([{"tenantId": FABRIKAM, "identitySynchronization": null}])
    );

    // Read-only and create-only properties.
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"isInMultiTenantOrganization": true})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    // Delete, then 404s.
    let (s, _) = env.graph(Method::DELETE, &path, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&body), "Request_ResourceNotFound");
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"inboundTrust": null})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&body), "Directory_ObjectNotFound");
    let (s, _) = env.graph(Method::DELETE, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn strict_validation() {
    let env = Env::new().await;
    let token = env.token().await;

    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "B2BDirectConnectInbound": null})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_code(&body), "Request_BadRequest");
    assert_eq!(
        err_msg(&body),
        "Invalid property 'B2BDirectConnectInbound'."
    );

    // Nested mis-cased property.
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndgroups": {"accessType": "allowed"}}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_msg(&body), "Invalid property 'usersAndgroups'.");

    for bad in ["permitted", "unknownFutureValue", "Allowed"] {
        let (s, body) = env
            .graph(
                Method::POST,
                PARTNERS,
                &token,
                Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": bad, "targets": []}}})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(err_code(&body), "Request_BadRequest");
        assert!(err_msg(&body).contains(&format!("'{bad}'")), "{body}");
    }
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "users"}]}}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err_msg(&body).contains("'users'"), "{body}");

    // Wrong JSON type.
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "inboundTrust": {"isMfaAccepted": "yes"}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Missing / malformed tenantId.
    let (s, _) = env
        .graph(Method::POST, PARTNERS, &token, Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": "fabrikam.onmicrosoft.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_synchronization() {
    let env = Env::new().await;
    let token = env.token().await;
    let sync = format!("{PARTNERS}/{FABRIKAM}/identitySynchronization");
    let body = json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}});

    // Partner missing → 404.
    let (s, _) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&b), "Directory_ObjectNotFound");

    let (s, _) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(err_code(&b), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(b["error"]["details"][0]["code"], "ConflictingObjects");
    assert!(b["error"]["innerError"]["request-id"].is_string());

    let (s, _) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, got) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["tenantId"], FABRIKAM);
    assert_eq!(got["displayName"], "Fabrikam");
    assert_eq!(got["userSyncInbound"], json!({"isSyncAllowed": false}));

    let (s, b) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"IsSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_msg(&b), "Invalid property 'IsSyncAllowed'.");

    // Expanded list shows it.
    let (_, list) = env
        .graph(
            Method::GET,
            &format!("{PARTNERS}?$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        list["value"][0]["identitySynchronization"]["displayName"],
        "Fabrikam"
    );

    // Partner cannot be deleted while the sync policy exists.
    let partner = format!("{PARTNERS}/{FABRIKAM}");
    let (s, b) = env.graph(Method::DELETE, &partner, &token, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_code(&b), "Request_BadRequest");
    assert!(err_msg(&b).contains("identity synchronization policy"));

    let (s, _) = env.graph(Method::DELETE, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env.graph(Method::DELETE, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env.graph(Method::DELETE, &partner, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

/// `$expand=identitySynchronization` on the partner entity and collection: null when there is
/// no policy, the policy (projected) when there is one; everything else Graph refuses is 400.
#[tokio::test(flavor = "multi_thread")]
async fn partner_expand() {
    let env = Env::new().await;
    let token = env.token().await;
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let partner = format!("{PARTNERS}/{FABRIKAM}");
    let expanded = format!("{partner}?$expand=identitySynchronization");

    // No policy: the member is present and null (never absent).
    let (s, got) = env.graph(Method::GET, &expanded, &token, None).await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(
        got.get("identitySynchronization"),
        Some(&Value::Null),
        "{got}"
    );
    assert_eq!(got["tenantId"], FABRIKAM);
    assert!(
        got["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#policies/crossTenantAccessPolicy/partners(identitySynchronization())/$entity"),
        "{got}"
    );
    // Without $expand the navigation property is not there at all.
    let (_, plain) = env.graph(Method::GET, &partner, &token, None).await;
    assert!(plain.get("identitySynchronization").is_none(), "{plain}");

    let (s, _) = env
        .graph(
            Method::PUT,
            &format!("{partner}/identitySynchronization"),
            &token,
            Some(json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &expanded, &token, None).await;
    assert_eq!(
        got["identitySynchronization"],
        json!({"tenantId": FABRIKAM, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})
    );
    // With $select and a nested $select.
    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{partner}?$select=tenantId&$expand=identitySynchronization($select=userSyncInbound)"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    let mut body = got.as_object().unwrap().clone();
    let ctx = body.remove("@odata.context").unwrap();
    assert_eq!(
        Value::Object(body),
        json!({"tenantId": FABRIKAM, "identitySynchronization": {"userSyncInbound": {"isSyncAllowed": true}}})
    );
    assert!(ctx
        .as_str()
        .unwrap()
        .ends_with("partners(tenantId,identitySynchronization(userSyncInbound))/$entity"));

    // Refused, on the entity and on the collection alike.
    let refused: [(&str, &str); 9] = [
        ("$expand=owners", "Could not find a property named 'owners' on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'."),
        ("$expand=IdentitySynchronization", "Could not find a property named 'IdentitySynchronization'"),
        ("$expand=inboundTrust", "Only navigation properties can be expanded."),
        ("$expand=serviceProviderConstraints", "not emulated"),
        ("$expand=*", "not emulated"),
        ("$expand=identitySynchronization($filter=displayName eq 'x')", "Query option '$filter' is not allowed"),
        ("$expand=identitySynchronization($select=nope)", "Could not find a property named 'nope' on type 'microsoft.graph.crossTenantIdentitySyncPolicyPartner'."),
        ("$expand=identitySynchronization(", "unbalanced parentheses"),
        ("$expand=identitySynchronization&$expand=identitySynchronization", "specified more than once"),
    ];
    for base in [partner.as_str(), PARTNERS] {
        for (query, msg) in refused {
            let (s, b) = env
                .graph(Method::GET, &format!("{base}?{query}"), &token, None)
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{base}?{query}: {b}");
            assert_eq!(err_code(&b), "BadRequest", "{base}?{query}: {b}");
            assert!(err_msg(&b).contains(msg), "{base}?{query}: {b}");
        }
        // Options the partner GET does not support at all.
        let (s, b) = env
            .graph(
                Method::GET,
                &format!("{base}?$top=1&$expand=identitySynchronization"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(err_msg(&b).contains("'$top' is not allowed"), "{b}");
    }
    // The policy itself has no navigation properties to expand.
    let (s, b) = env
        .graph(
            Method::GET,
            &format!("{partner}/identitySynchronization?$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
}

/// A body over the size limit is refused with 413 and Graph's envelope, never read as empty.
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
async fn default_policy() {
    let env = Env::new().await;
    let token = env.token().await;
    let path = "/v1.0/policies/crossTenantAccessPolicy/default";
    let (s, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["isServiceDefault"], true);
    assert_eq!(
        got["b2bDirectConnectInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );
    let (s, _) = env
        .graph(
            Method::PATCH,
            path,
            &token,
            Some(json!({"inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(got["isServiceDefault"], false);
    assert_eq!(got["inboundTrust"]["isMfaAccepted"], true);
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    let (s, _) = env
        .graph(
            Method::PATCH,
            path,
            &token,
            Some(json!({"isServiceDefault": true})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env
        .graph(
            Method::POST,
            &format!("{path}/resetToSystemDefault"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(got["isServiceDefault"], true);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_lookup() {
    let env = Env::new().await;
    let token = env.token().await;
    let base = "/v1.0/tenantRelationships";
    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByTenantId(tenantId='{FABRIKAM}')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["displayName"], "Fabrikam");
    assert_eq!(got["defaultDomainName"], "fabrikam.onmicrosoft.com");
    assert_eq!(got["federationBrandName"], Value::Null);

    let (s, got) = env
        .graph(
            Method::GET,
            &format!(
                "{base}/findTenantInformationByDomainName(domainName='NorthWind.onmicrosoft.com')"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["tenantId"], NORTHWIND);

    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByDomainName(domainName='unknown.example')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&got), "Directory_ObjectNotFound");
    let (s, _) = env
        .graph(
            Method::GET,
            &format!(
                "{base}/findTenantInformationByTenantId(tenantId='00000000-0000-4000-8000-000000000000')"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByTenantId(tenantId='not-a-guid')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
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
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
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
        let (s, body) = env
            .graph(
                Method::DELETE,
                &format!("{PARTNERS}/{FABRIKAM}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err_code(&body), "serviceNotAvailable");
    }
    // The faults did not touch the store.
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    let (s, _) = env
        .graph(
            Method::DELETE,
            &format!("{PARTNERS}/{FABRIKAM}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn replication_lag() {
    let env = Env::new().await;
    let token = env.token().await;
    env.emu.set_replication_lag(Duration::from_millis(1500));
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
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
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &contoso,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = env.graph(Method::GET, PARTNERS, &fabrikam, None).await;
    assert_eq!(list["value"], json!([]));
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    assert!(env.emu.objects("fabrikam.onmicrosoft.com").is_empty());
}
