//! Conditional Access family: the documented normalisation on create, the 1007 refusals
//! (missing `@odata.type` on enumerated tenants, the legacy keyword mixed with the guests
//! object, unknown properties), PATCH semantics, soft delete under deletedItems, and the
//! one-request-per-second limit answered 429 without Retry-After.

mod emulator_support;

use coexistence_acceptance::emulator::graph::ca::validate::MSG_1007;
use coexistence_acceptance::emulator::graph::ca::{deleted_path, policy_path};
use emulator_support::*;

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";
const DELETED: &str = "/v1.0/identity/conditionalAccess/deletedItems/policies";

/// The emulator with its clock paused; every call moves it one second first, so the family's
/// one-request-per-second limit never gets in the way unless a test wants it to.
async fn env() -> (Env, String) {
    let env = Env::new().await;
    env.emu.pause_clock();
    let token = env.token().await;
    (env, token)
}

async fn call(
    env: &Env,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    env.emu.advance(Duration::from_secs(1));
    env.call(method, path, Some(token), body).await
}

async fn ca(
    env: &Env,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (s, _, v) = call(env, token, method, path, body).await;
    (s, v)
}

/// The documented body of example 2 ("Block access to EXO non-trusted regions.",
/// conditionalaccessroot-post-policies).
fn example_2() -> Value {
    json!({
        "displayName": "Block access to EXO non-trusted regions.",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["00000002-0000-0ff1-ce00-000000000000"]},
            "users": {"includeGroups": ["ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba"]},
            "locations": {"includeLocations": ["198ad66e-87b3-4157-85a3-8a7b51794ee9"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

fn block_members(tenants: &[&str]) -> Value {
    json!({
        "displayName": "Block external members",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {
                "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "b2bCollaborationMember",
                    "externalTenants": {
                        "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                        "membershipKind": "enumerated",
                        "members": tenants,
                    }
                }
            }
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn create_normalises_like_the_documented_response() {
    let (env, token) = env().await;
    let (s, h, got) = call(&env, &token, Method::POST, POLICIES, Some(example_2())).await;
    assert_eq!(s, StatusCode::CREATED, "{got:#}");
    let id = got["id"].as_str().unwrap().to_string();
    assert!(h["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("{POLICIES}/{id}")));
    assert!(got["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identity/conditionalAccess/policies/$entity"));
    // The documented response (create-ex2-block.response.json), member by member.
    assert_eq!(got["modifiedDateTime"], Value::Null);
    assert!(got["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(got["sessionControls"], Value::Null);
    let c = &got["conditions"];
    assert_eq!(c["signInRiskLevels"], json!([]));
    assert_eq!(c["clientAppTypes"], json!(["all"]));
    assert_eq!(c["platforms"], Value::Null);
    assert_eq!(
        c["applications"]["includeApplications"],
        json!(["00000002-0000-0ff1-ce00-000000000000"])
    );
    assert_eq!(c["applications"]["excludeApplications"], json!([]));
    assert_eq!(c["applications"]["includeUserActions"], json!([]));
    for k in [
        "includeUsers",
        "excludeUsers",
        "excludeGroups",
        "includeRoles",
        "excludeRoles",
    ] {
        assert_eq!(c["users"][k], json!([]), "{k}");
    }
    assert_eq!(c["locations"]["excludeLocations"], json!([]));
    assert_eq!(
        got["grantControls"]["customAuthenticationFactors"],
        json!([])
    );
    assert_eq!(got["grantControls"]["termsOfUse"], json!([]));
    // The contained navigation property and its annotation (API-NOTES.md#ca-authentication-strength).
    assert_eq!(got["grantControls"]["authenticationStrength"], Value::Null);
    assert_eq!(
        got["grantControls"]["authenticationStrength@odata.context"],
        format!("https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('{id}')/grantControls/authenticationStrength/$entity")
    );
    // The GET answers the same object.
    let (s, again) = ca(&env, &token, Method::GET, &format!("{POLICIES}/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("@odata.context");
        v
    };
    assert_eq!(strip(&again), strip(&got));

    // clientAppTypes defaults to ["all"] when omitted; the guests object keeps its type.
    let (s, got) = ca(
        &env,
        &token,
        Method::POST,
        POLICIES,
        Some(block_members(&[FABRIKAM])),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{got:#}");
    let guests = &got["conditions"]["users"]["includeGuestsOrExternalUsers"];
    assert_eq!(guests["guestOrExternalUserTypes"], "b2bCollaborationMember");
    assert_eq!(
        guests["externalTenants"]["@odata.type"],
        "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"
    );
    assert_eq!(guests["externalTenants"]["members"], json!([FABRIKAM]));
    let mut minimal = block_members(&[FABRIKAM]);
    minimal["conditions"]
        .as_object_mut()
        .unwrap()
        .remove("clientAppTypes");
    let (s, got) = ca(&env, &token, Method::POST, POLICIES, Some(minimal)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(got["conditions"]["clientAppTypes"], json!(["all"]));

    let (s, list) = ca(&env, &token, Method::GET, POLICIES, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["value"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_that_do_not_match_the_schema_get_1007() {
    let (env, token) = env().await;
    let mut bad = Vec::new();
    // azuread #1555: enumerated tenants without their @odata.type.
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]
        .as_object_mut()
        .unwrap()
        .remove("@odata.type");
    bad.push(("no @odata.type", v));
    // azuread #1196: the legacy keyword next to the guests object.
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers"]);
    bad.push(("keyword mixed with the object", v));
    // The user types are one comma-separated string of known flags.
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] =
        json!(["b2bCollaborationMember"]);
    bad.push(("user types as an array", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] =
        json!("b2bCollaborationMembers");
    bad.push(("unknown user type", v));
    // The "all" type with enumerated members.
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]["@odata.type"] =
        json!("#microsoft.graph.conditionalAccessAllExternalTenants");
    bad.push(("all type, enumerated kind", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]["members"] =
        json!(["fabrikam.onmicrosoft.com"]);
    bad.push(("member not a GUID", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]["members"] =
        json!([]);
    bad.push(("no members", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["Applications"] = v["conditions"]["applications"].take();
    bad.push(("mis-cased property", v));
    let mut v = block_members(&[FABRIKAM]);
    v["state"] = json!("on");
    bad.push(("unknown state", v));
    let mut v = block_members(&[FABRIKAM]);
    v["grantControls"]["builtInControls"] = json!(["block", "mfa"]);
    bad.push(("block with mfa", v));
    let mut v = block_members(&[FABRIKAM]);
    v.as_object_mut().unwrap().remove("displayName");
    bad.push(("no displayName", v));
    // The types as the v1.0 metadata declares them (API-NOTES.md#ca-types).
    let mut v = block_members(&[FABRIKAM]);
    v["grantControls"]["authenticationStrength@odata.context"] = json!("an answer's annotation");
    bad.push(("an annotation in a body", v));
    let mut v = block_members(&[FABRIKAM]);
    v["sessionControls"] = json!({"secureSignInSession": {
        "@odata.type": "#microsoft.graph.conditionalAccessSessionControl", "isEnabled": true}});
    bad.push(("a session control named by its abstract type", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["devices"] =
        json!({"deviceFilter": {"mode": null, "rule": "device.isCompliant -eq True"}});
    bad.push(("a filter without its mode", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["authenticationFlows"] = json!({"transferMethods": null});
    bad.push(("null transferMethods", v));
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["authenticationFlows"] = json!({"transferMethods": "deviceCodeFlow,qrCode"});
    bad.push(("an unknown transfer method", v));
    let mut v = block_members(&[FABRIKAM]);
    v["sessionControls"] = json!({"persistentBrowser": {"isEnabled": true, "mode": "sometimes"}});
    bad.push(("an unknown persistent browser mode", v));
    bad.push((
        "an empty policy",
        json!({"displayName": "x", "state": "enabled", "conditions": {}}),
    ));
    for (why, body) in bad {
        let (s, got) = ca(&env, &token, Method::POST, POLICIES, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{why}: {got:#}");
        assert_eq!(err_code(&got), "BadRequest", "{why}");
        assert_eq!(err_msg(&got), MSG_1007, "{why}");
        assert!(
            got["error"]["innerError"]["request-id"].is_string(),
            "{why}"
        );
    }
    assert!(
        env.emu.objects(CONTOSO).is_empty(),
        "nothing refused was stored"
    );

    // The derived session control types and the flags, as declared, are accepted.
    let mut v = block_members(&[FABRIKAM]);
    v["grantControls"] = Value::Null;
    v["sessionControls"] = json!({
        "secureSignInSession": {"@odata.type": "#microsoft.graph.secureSignInSessionControl", "isEnabled": true},
        "applicationEnforcedRestrictions": {"@odata.type": "#microsoft.graph.applicationEnforcedRestrictionsSessionControl", "isEnabled": true},
    });
    v["conditions"]["authenticationFlows"] =
        json!({"transferMethods": "deviceCodeFlow, authenticationTransfer"});
    let (s, got) = ca(&env, &token, Method::POST, POLICIES, Some(v)).await;
    assert_eq!(s, StatusCode::CREATED, "{got:#}");

    // "all" external tenants, properly typed, is a valid policy.
    let mut v = block_members(&[FABRIKAM]);
    v["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] = json!({
        "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
        "membershipKind": "all"
    });
    let (s, got) = ca(&env, &token, Method::POST, POLICIES, Some(v)).await;
    assert_eq!(s, StatusCode::CREATED, "{got:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_merges_conditions_one_level_and_sets_modified_date_time() {
    let (env, token) = env().await;
    let (_, got) = ca(
        &env,
        &token,
        Method::POST,
        POLICIES,
        Some(block_members(&[FABRIKAM])),
    )
    .await;
    let id = got["id"].as_str().unwrap().to_string();
    let item = format!("{POLICIES}/{id}");
    // The documented partial update.
    let (s, _) = ca(
        &env,
        &token,
        Method::PATCH,
        &item,
        Some(json!({"conditions": {"signInRiskLevels": ["high", "medium", "low"]}, "state": "enabled"})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = ca(&env, &token, Method::GET, &item, None).await;
    assert_eq!(got["state"], "enabled");
    assert_eq!(
        got["conditions"]["signInRiskLevels"],
        json!(["high", "medium", "low"])
    );
    // Not sent: kept.
    assert_eq!(
        got["conditions"]["applications"]["includeApplications"],
        json!(["All"])
    );
    assert_eq!(
        got["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"]["members"],
        json!([FABRIKAM])
    );
    assert!(got["modifiedDateTime"].is_string());
    // Sent: replaced whole (grantControls), reset to null (sessionControls).
    let (s, _) = ca(
        &env,
        &token,
        Method::PATCH,
        &item,
        Some(json!({"grantControls": {"operator": "OR", "builtInControls": ["mfa"]}, "sessionControls": null})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = ca(&env, &token, Method::GET, &item, None).await;
    assert_eq!(got["grantControls"]["builtInControls"], json!(["mfa"]));
    assert_eq!(got["grantControls"]["termsOfUse"], json!([]));
    // A PATCH that would make the policy invalid is refused and changes nothing.
    let (s, err) = ca(
        &env,
        &token,
        Method::PATCH,
        &item,
        Some(json!({"conditions": {"users": {"includeUsers": ["GuestsOrExternalUsers"], "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationMember"}}}})),
    )
    .await;
    assert_eq!((s, err_msg(&err)), (StatusCode::BAD_REQUEST, MSG_1007));
    let (s, err) = ca(&env, &token, Method::PATCH, &item, Some(json!({"id": id}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    let missing = format!("{POLICIES}/{}", "5e0b3e42-1d4c-4f6a-8f1e-2a3b4c5d6e7f");
    let (s, _) = ca(
        &env,
        &token,
        Method::PATCH,
        &missing,
        Some(json!({"state": "enabled"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_keeps_the_policy_under_deleted_items() {
    let (env, token) = env().await;
    let (_, got) = ca(
        &env,
        &token,
        Method::POST,
        POLICIES,
        Some(block_members(&[FABRIKAM])),
    )
    .await;
    let id = got["id"].as_str().unwrap().to_string();
    let (s, _) = ca(
        &env,
        &token,
        Method::DELETE,
        &format!("{POLICIES}/{id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = ca(&env, &token, Method::GET, &format!("{POLICIES}/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = ca(
        &env,
        &token,
        Method::DELETE,
        &format!("{POLICIES}/{id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(env.emu.object(CONTOSO, &policy_path(&id)).is_none());
    let deleted = env
        .emu
        .object(CONTOSO, &deleted_path(&id))
        .expect("soft-deleted");
    assert!(deleted["deletedDateTime"].is_string());
    let (s, list) = ca(&env, &token, Method::GET, DELETED, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["value"][0]["id"], json!(id));
    let (s, got) = ca(&env, &token, Method::GET, &format!("{DELETED}/{id}"), None).await;
    assert_eq!(
        (s, &got["displayName"]),
        (StatusCode::OK, &json!("Block external members"))
    );
    // Restore and purge need delegated permissions: refused for an application.
    let (s, _) = ca(
        &env,
        &token,
        Method::POST,
        &format!("{DELETED}/{id}/restore"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = ca(
        &env,
        &token,
        Method::DELETE,
        &format!("{DELETED}/{id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_request_per_second_per_tenant_429_without_retry_after() {
    let (env, token) = env().await;
    let (s, _, _) = call(&env, &token, Method::GET, POLICIES, None).await;
    assert_eq!(s, StatusCode::OK);
    // Same second: throttled, no Retry-After, and a throttled create is not applied.
    let (s, h, v) = env
        .call(
            Method::POST,
            POLICIES,
            Some(&token),
            Some(block_members(&[FABRIKAM])),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(err_code(&v), "TooManyRequests");
    assert!(!h.contains_key("retry-after"), "{h:?}");
    assert!(env.emu.objects(CONTOSO).is_empty());
    // Other Graph paths are not limited by it.
    let (s, _, _) = env.call(Method::GET, PARTNERS, Some(&token), None).await;
    assert_eq!(s, StatusCode::OK);
    // A second later the tenant may send again.
    env.emu.advance(Duration::from_secs(1));
    let (s, _, _) = env.call(Method::GET, POLICIES, Some(&token), None).await;
    assert_eq!(s, StatusCode::OK);
}
