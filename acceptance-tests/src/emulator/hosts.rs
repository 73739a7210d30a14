//! The places tokens come from on a real host, emulated so every sign-in method runs end to end:
//!
//! * an **OIDC issuer** (`<base>/oidc`): tokens signed RS256 with the emulator's own key, for
//!   `oidc_token` / `oidc_token_file_path` (what Kubernetes or another CI writes to a file);
//! * the **GitHub Actions token service** (`GET <base>/_github/idtoken?api-version=2.0&audience=..`
//!   with `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"count":..,
//!   "value": "<jwt>"}` as GitHub does; issuer `<base>/_github` stands in for
//!   `https://token.actions.githubusercontent.com`);
//! * the **App Service managed identity endpoint** azure_identity speaks when
//!   `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set: `GET <base>/_msi/token?api-version=
//!   2019-08-01&resource=<r>[&client_id=<c>]` with `X-IDENTITY-HEADER` and `Metadata: true`,
//!   answering `access_token`, `expires_on` (epoch seconds as a string), `resource`,
//!   `token_type`.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::aad::TOKEN_LIFETIME;
use super::jwt::{now_secs, Jwt, TOKEN_EXCHANGE_AUDIENCE};
use super::state::{Shared, TokenInfo};
use super::util::random_token;

const KEY_ID: &str = "emulator-oidc-1";

/// The issuer key, one per test process (RSA key generation is the slow part).
fn key() -> &'static RsaKeyPair {
    static KEY: OnceLock<RsaKeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .expect("generate the OIDC issuer key")
    })
}

pub fn oidc_issuer(st: &Shared) -> String {
    format!("{}/oidc", st.base_url)
}

pub fn github_issuer(st: &Shared) -> String {
    format!("{}/_github", st.base_url)
}

/// The Azure DevOps stand-in's issuer (its routes are in `hosts_ci`, which uses this module).
pub fn ado_issuer(st: &Shared) -> String {
    format!("{}/_ado", st.base_url)
}

/// A token from `issuer` for `subject`, valid ten minutes.
pub fn mint(issuer: &str, subject: &str, audience: &str) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
    let now = now_secs();
    let claims = json!({
        "iss": issuer, "sub": subject, "aud": audience,
        "iat": now, "nbf": now, "exp": now + 600,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let k = key();
    let mut sig = vec![0u8; k.public_modulus_len()];
    k.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign OIDC token");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// True when `jwt` was issued by this emulator: its issuer is one of ours and the signature
/// verifies with our key.
pub(crate) fn verify_issued(st: &Shared, jwt: &Jwt<'_>) -> bool {
    let iss = jwt.claims["iss"].as_str().unwrap_or("");
    let ours = iss == oidc_issuer(st) || iss == github_issuer(st) || iss == ado_issuer(st);
    ours && jwt.header["alg"] == "RS256"
        && jwt.header["kid"] == KEY_ID
        && UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            key().public_key().as_ref(),
        )
        .verify(jwt.signing_input.as_bytes(), &jwt.signature)
        .is_ok()
}

/// An access token for `client_id` in `tenant_id`, for `resource` (as the token endpoint would
/// issue it; used by the managed identity host and by the stand-in Azure CLI).
pub fn issue_access_token(st: &Shared, tenant_id: &str, client_id: &str, resource: &str) -> String {
    let token = random_token();
    st.add_token(
        token.clone(),
        TokenInfo {
            tenant_id: tenant_id.to_ascii_lowercase(),
            client_id: client_id.to_string(),
            audience: resource.trim_end_matches('/').to_ascii_lowercase(),
            expires: st.clock.now() + TOKEN_LIFETIME,
            roles: st.roles(client_id),
        },
    );
    token
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_github/idtoken", get(github_token))
        .route("/_msi/token", get(msi_token))
}

fn fail(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

async fn github_token(
    State(st): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let Some(gh) = &st.sign_in.github_actions else {
        return fail(StatusCode::NOT_FOUND, json!({"message": "Not Found"}));
    };
    if bearer(&headers) != Some(gh.request_token.as_str()) {
        return fail(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Bad credentials: ACTIONS_ID_TOKEN_REQUEST_TOKEN is invalid or expired"}),
        );
    }
    let audience = q
        .iter()
        .find(|(k, _)| k == "audience")
        .map(|(_, v)| v.as_str())
        .unwrap_or(TOKEN_EXCHANGE_AUDIENCE);
    let value = mint(&github_issuer(&st), &gh.subject, audience);
    Json(json!({"count": value.len(), "value": value})).into_response()
}

async fn msi_token(
    State(st): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let secret = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok());
    match (&st.sign_in.identity_header, secret) {
        (Some(expected), Some(got)) if expected == got => {}
        _ => {
            return fail(
                StatusCode::UNAUTHORIZED,
                json!({"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER secret is missing or wrong"}),
            )
        }
    }
    if param("api-version") != Some("2019-08-01") {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 400, "message": "api-version 2019-08-01 is required"}),
        );
    }
    let Some(resource) = param("resource").map(|r| r.trim_end_matches('/')) else {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 400, "message": "resource is required"}),
        );
    };
    let known = st.is_graph_audience(resource) || st.is_exchange_audience(resource);
    if !known {
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 400, "message": format!("AADSTS500011: The resource principal named {resource} was not found")}),
        );
    }
    let ids = &st.sign_in.managed_identities;
    let identity = match param("client_id") {
        Some(c) => ids.iter().find(|m| m.client_id.eq_ignore_ascii_case(c)),
        None => ids.iter().find(|m| m.system_assigned),
    };
    let Some(mi) = identity else {
        // App Service answers 400 when the identity is not assigned to the app.
        return fail(
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 400, "message": "No managed identity found for the specified ClientId/ResourceId/PrincipalId."}),
        );
    };
    let token = issue_access_token(&st, &mi.tenant_id, &mi.client_id, resource);
    let expires = now_secs() + TOKEN_LIFETIME.as_secs() as i64;
    Json(json!({
        "access_token": token,
        "expires_on": expires.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": mi.client_id,
    }))
    .into_response()
}
