//! The cross-tenant synchronization family's helpers, shared by `emulator_xts*.rs`: instantiate
//! a configuration, create its job, its secrets.

use super::*;

pub const INSTANTIATE: &str =
    "/v1.0/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate";
pub const USER: &str = "0b6c3a1e-7d2f-4c5a-9e8b-1f2a3b4c5d6e";
pub const GROUP: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

/// Instantiates a configuration named `name`: (application object id, service principal id,
/// msiam_access app role id).
pub async fn instantiate(env: &Env, token: &str, name: &str) -> (String, String, String) {
    let (s, body) = env
        .graph(
            Method::POST,
            INSTANTIATE,
            token,
            Some(json!({ "displayName": name })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body:#}");
    let sp = &body["servicePrincipal"];
    (
        body["application"]["id"].as_str().unwrap().to_string(),
        sp["id"].as_str().unwrap().to_string(),
        sp["appRoles"][0]["id"].as_str().unwrap().to_string(),
    )
}

/// Creates the `Azure2Azure` job of `sp`; its id.
pub async fn create_job(env: &Env, token: &str, sp: &str) -> String {
    let (s, job) = env
        .graph(
            Method::POST,
            &format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs"),
            token,
            Some(json!({"templateId": "Azure2Azure"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{job:#}");
    job["id"].as_str().unwrap().to_string()
}

pub fn secrets(target: &str) -> Value {
    json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": target},
        {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}"},
        {"key": "SyncAll", "value": "false"},
    ]})
}
