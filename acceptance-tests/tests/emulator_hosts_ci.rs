//! The Azure DevOps OIDC token service and the IMDS managed identity endpoint stand-ins:
//! what they demand of a request and what they answer. Plain reqwest against the emulator.

mod emulator_support;

use coexistence_acceptance::emulator::signin::{AzureDevOps, ManagedIdentity, SignInConfig};
use emulator_support::*;

const BEARER: &str = "ado-access-token-1234567890";
const CONNECTION: &str = "8f0e6b1c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
const IDENTITY: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

async fn env() -> Env {
    Env::with_sign_in(SignInConfig {
        azure_devops: Some(AzureDevOps {
            access_token: BEARER.into(),
            service_connection_id: CONNECTION.into(),
            subject: "sc://contoso/infra/entra".into(),
        }),
        managed_identities: vec![ManagedIdentity {
            tenant_id: CONTOSO.into(),
            client_id: IDENTITY.into(),
            system_assigned: false,
        }],
        ..Default::default()
    })
    .await
}

async fn ado(env: &Env, bearer: &str, query: &str) -> (u16, Value) {
    let resp = env
        .http
        .post(format!("{}{query}", env.emu.ado_request_url()))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_devops_issues_a_federated_token_for_its_service_connection() {
    let env = env().await;
    let ok = format!("?api-version=7.1&serviceConnectionId={CONNECTION}");
    let (s, body) = ado(&env, BEARER, &ok).await;
    assert_eq!(s, 200, "{body}");
    let jwt = body["oidcToken"].as_str().unwrap();
    let claims: Value = {
        use base64::Engine as _;
        let part = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["iss"], env.emu.ado_issuer());
    assert_eq!(claims["sub"], "sc://contoso/infra/entra");
    assert_eq!(claims["aud"], "api://AzureADTokenExchange");

    assert_eq!(ado(&env, "wrong", &ok).await.0, 401);
    let other = "?api-version=7.1&serviceConnectionId=00000000-0000-0000-0000-000000000000";
    assert_eq!(ado(&env, BEARER, other).await.0, 404);
    let no_version = format!("?serviceConnectionId={CONNECTION}");
    assert_eq!(ado(&env, BEARER, &no_version).await.0, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn imds_needs_the_metadata_header_and_an_assigned_identity() {
    let env = env().await;
    let get = |client: &str, metadata: bool| {
        let mut rb = env.http.get(format!(
            "{}?api-version=2018-02-01&resource=https://graph.microsoft.com&client_id={client}",
            env.emu.imds_endpoint()
        ));
        if metadata {
            rb = rb.header("Metadata", "true");
        }
        rb.send()
    };
    let resp = get(IDENTITY, true).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["access_token"].as_str().unwrap().len() > 20);
    assert!(body["expires_on"].as_str().unwrap().parse::<i64>().is_ok());

    let resp = get(IDENTITY, false).await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error_description"],
        "Required metadata header not specified"
    );

    let resp = get("00000000-0000-0000-0000-000000000000", true)
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error_description"], "Identity not found");
}
