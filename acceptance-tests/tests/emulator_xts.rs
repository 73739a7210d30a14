//! Cross-tenant synchronization family: instantiate, applications and service principals,
//! deleted items, jobs, secrets, schema, start / pause, validateCredentials against both
//! tenants' partner settings, appRoleAssignedTo, and the transient errors after instantiate.

mod emulator_support;

use coexistence_acceptance::emulator::graph::xts::{
    self, add_group, add_user, AUTO_REDEEM, POLICY_CHECK_FAILURE, SYNC_NOT_ALLOWED, XTS_TEMPLATE_ID,
};
use emulator_support::*;

const INSTANTIATE: &str =
    "/v1.0/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate";
const USER: &str = "0b6c3a1e-7d2f-4c5a-9e8b-1f2a3b4c5d6e";
const GROUP: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

/// Instantiates a configuration named `name`: (application object id, service principal id,
/// msiam_access app role id).
async fn instantiate(env: &Env, token: &str, name: &str) -> (String, String, String) {
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
async fn create_job(env: &Env, token: &str, sp: &str) -> String {
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

fn secrets(target: &str) -> Value {
    json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": target},
        {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}"},
        {"key": "SyncAll", "value": "false"},
    ]})
}

#[tokio::test(flavor = "multi_thread")]
async fn instantiate_applications_service_principals_and_deleted_items() {
    let env = Env::new().await;
    let token = env.token().await;

    // Only the cross-tenant synchronization template; only `displayName`.
    let generic = "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate";
    let (s, _) = env
        .graph(
            Method::POST,
            generic,
            &token,
            Some(json!({"displayName": "X"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = env
        .graph(
            Method::POST,
            INSTANTIATE,
            &token,
            Some(json!({"displayName": "X", "description": "d"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err_msg(&e).contains("'description'"), "{e}");
    let (s, _) = env
        .graph(Method::POST, INSTANTIATE, &token, Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, body) = env
        .graph(
            Method::POST,
            INSTANTIATE,
            &token,
            Some(json!({"displayName": "Sync to Fabrikam"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body:#}");
    let (app, sp) = (&body["application"], &body["servicePrincipal"]);
    assert_eq!(app["applicationTemplateId"], XTS_TEMPLATE_ID);
    assert_eq!(sp["appId"], app["appId"]);
    assert_eq!(sp["appRoleAssignmentRequired"], true);
    assert_eq!(sp["appRoles"][0]["displayName"], "msiam_access");
    assert_eq!(sp["appRoles"][0]["allowedMemberTypes"], json!(["User"]));
    let app_id = app["id"].as_str().unwrap().to_string();
    let sp_id = sp["id"].as_str().unwrap().to_string();
    let paths: Vec<String> = env
        .emu
        .objects(CONTOSO)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        paths,
        vec![
            format!("/applications/{app_id}"),
            format!("/servicePrincipals/{sp_id}")
        ]
    );

    // Not idempotent: a second instantiate is a second application with the same name, which
    // a lookup by name and template finds.
    let (second, _, _) = instantiate(&env, &token, "Sync to Fabrikam").await;
    let filter = format!(
        "/v1.0/applications?$filter=displayName eq 'Sync to Fabrikam' and applicationTemplateId eq '{XTS_TEMPLATE_ID}'&$select=id,displayName"
    );
    let (s, list) = env.graph(Method::GET, &filter, &token, None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
    assert_eq!(list["value"][0].as_object().unwrap().len(), 2, "{list}");
    // Quotes: `and` inside a name, '' for a quote, non-ASCII.
    let (odd, _, _) = instantiate(&env, &token, "Contoso and Fabrikam's sync ü").await;
    let (s, l) = env
        .graph(
            Method::GET,
            "/v1.0/applications?$filter=displayName eq 'Contoso and Fabrikam''s sync ü' and applicationTemplateId eq '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'",
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["value"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(l["value"][0]["id"], json!(odd));
    let (s, _) = env
        .graph(
            Method::DELETE,
            &format!("/v1.0/applications/{odd}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env
        .graph(
            Method::GET,
            "/v1.0/applications?$filter=displayName eq 'it's'",
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) = env
        .graph(
            Method::GET,
            "/v1.0/applications?$filter=notes eq 'x'",
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_code(&e), "Request_UnsupportedQuery");
    let by_app = format!(
        "/v1.0/servicePrincipals?$filter=appId eq '{}'",
        app["appId"].as_str().unwrap()
    );
    let (_, l) = env.graph(Method::GET, &by_app, &token, None).await;
    assert_eq!(l["value"][0]["id"], json!(sp_id));

    // The application's name shows on its service principal as appDisplayName only.
    let app_url = format!("/v1.0/applications/{app_id}");
    let sp_url = format!("/v1.0/servicePrincipals/{sp_id}");
    let (s, _) = env
        .graph(
            Method::PATCH,
            &app_url,
            &token,
            Some(json!({"displayName": "Renamed"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &sp_url, &token, None).await;
    assert_eq!(
        (got["appDisplayName"].as_str(), got["displayName"].as_str()),
        (Some("Renamed"), Some("Sync to Fabrikam"))
    );
    let (s, _) = env
        .graph(
            Method::PATCH,
            &sp_url,
            &token,
            Some(json!({"displayName": "Renamed"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &sp_url, &token, None).await;
    assert_eq!(got["displayName"], "Renamed");
    for bad in [
        json!({"displayname": "x"}),
        json!({"appId": "x"}),
        json!({"displayName": null}),
        json!({"displayName": ""}),
    ] {
        let (s, e) = env
            .graph(Method::PATCH, &app_url, &token, Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} -> {e}");
    }

    // Deleting the application takes its service principal and keeps it in deleted items,
    // which are not live objects.
    let job = create_job(&env, &token, &sp_id).await;
    let (s, _) = env.graph(Method::DELETE, &app_url, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for url in [&app_url, &sp_url] {
        let (s, e) = env.graph(Method::GET, url, &token, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(err_code(&e), "Request_ResourceNotFound");
    }
    let deleted = format!("/v1.0/directory/deletedItems/{app_id}");
    let (s, d) = env.graph(Method::GET, &deleted, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["@odata.type"], "#microsoft.graph.application");
    assert!(d["deletedDateTime"].is_string(), "{d}");
    let (_, all) = env
        .graph(
            Method::GET,
            "/v1.0/directory/deletedItems/microsoft.graph.application",
            &token,
            None,
        )
        .await;
    assert_eq!(
        all["value"].as_array().unwrap().len(),
        2,
        "this one and the odd name"
    );
    assert!(env
        .emu
        .object(CONTOSO, &format!("/directory/deletedItems/{app_id}"))
        .is_some());
    let left: Vec<String> = env
        .emu
        .objects(CONTOSO)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        left.iter()
            .all(|p| !p.contains(&app_id) && !p.contains(&sp_id) && !p.contains(&job)),
        "{left:#?}"
    );
    let (s, _) = env.graph(Method::DELETE, &deleted, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &deleted, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The other one: deleting its service principal alone leaves the application.
    let (_, l) = env
        .graph(
            Method::GET,
            "/v1.0/servicePrincipals?$filter=displayName eq 'Sync to Fabrikam'",
            &token,
            None,
        )
        .await;
    let other_sp = l["value"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = env
        .graph(
            Method::DELETE,
            &format!("/v1.0/servicePrincipals/{other_sp}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let paths: Vec<String> = env
        .emu
        .objects(CONTOSO)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(paths, vec![format!("/applications/{second}")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn job_secrets_start_and_pause() {
    let env = Env::new().await;
    let token = env.token().await;
    let (_, sp, _) = instantiate(&env, &token, "Fabrikam").await;
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs");
    let (s, e) = env
        .graph(
            Method::POST,
            &jobs,
            &token,
            Some(json!({"templateId": "BoxOutDelta"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let job = create_job(&env, &token, &sp).await;
    assert!(job.starts_with("azure2azure."), "{job}");
    let job_url = format!("{jobs}/{job}");
    let (s, j) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["schedule"]["state"], "Disabled");
    assert_eq!(j["schedule"]["interval"], "PT40M");
    let (_, l) = env.graph(Method::GET, &jobs, &token, None).await;
    assert_eq!(l["value"].as_array().unwrap().len(), 1);

    // No credentials saved yet: the job cannot start.
    let start = format!("{job_url}/start");
    let (s, e) = env.graph(Method::POST, &start, &token, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    let sec = format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets");
    for bad in [
        json!({"value": [{"key": "NotAKey", "value": "x"}]}),
        json!({"value": [{"key": "SyncAll", "value": "yes"}]}),
        json!({"value": [{"key": "CompanyId", "value": "fabrikam"}]}),
        json!({"value": [{"key": "SyncNotificationSettings", "value": "{\"Colour\":1}"}]}),
        json!({"value": [{"key": "SyncAll", "value": true}]}),
        json!({"value": [{"key": "SyncAll", "value": "true"}, {"key": "SyncAll", "value": "false"}]}),
    ] {
        let (s, e) = env
            .graph(Method::PUT, &sec, &token, Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} -> {e}");
    }
    let (s, _) = env
        .graph(Method::PUT, &sec, &token, Some(secrets(FABRIKAM)))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Keys sent replace theirs, "" removes one, credentials read back as "*".
    let more = json!({"value": [
        {"key": "SyncAll", "value": "true"},
        {"key": "Password", "value": "hunter2"},
        {"key": "SyncNotificationSettings", "value": ""},
    ]});
    let (s, _) = env.graph(Method::PUT, &sec, &token, Some(more)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, got) = env.graph(Method::GET, &sec, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    let pairs: Vec<(String, String)> = got["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("AuthenticationType", "SyncPolicy"),
        ("CompanyId", FABRIKAM),
        ("Password", "*"),
        ("SyncAll", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, want);

    let (s, _) = env
        .graph(Method::POST, &start, &token, Some(json!({"x": 1})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env.graph(Method::POST, &start, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, j) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(
        (
            j["schedule"]["state"].as_str(),
            j["status"]["code"].as_str()
        ),
        (Some("Active"), Some("NotRun"))
    );
    let (s, _) = env
        .graph(Method::POST, &format!("{job_url}/pause"), &token, None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, j) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(j["schedule"]["state"], "Paused");

    let (s, _) = env.graph(Method::DELETE, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env
        .graph(Method::GET, &format!("{job_url}/schema"), &token, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(env
        .emu
        .objects(CONTOSO)
        .iter()
        .all(|(p, _)| !p.contains("/jobs/")));
}

fn user_mappings(schema: &Value) -> Vec<Value> {
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array()
        .unwrap()
        .clone()
}

fn set_mappings(schema: &mut Value, mappings: Vec<Value>) {
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"] =
        Value::Array(mappings);
}

fn mapping<'a>(mappings: &'a [Value], target: &str) -> &'a Value {
    mappings
        .iter()
        .find(|m| m["targetAttributeName"] == target)
        .unwrap_or_else(|| panic!("no mapping to {target}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_default_put_and_the_matching_attribute() {
    let env = Env::new().await;
    let token = env.token().await;
    let (_, sp, _) = instantiate(&env, &token, "Fabrikam").await;
    let job = create_job(&env, &token, &sp).await;
    let url = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema");
    let (s, schema) = env.graph(Method::GET, &url, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(schema["id"], json!(job));
    assert_eq!(
        schema["synchronizationRules"][0]["name"],
        "USER_INBOUND_USER"
    );
    let defaults = user_mappings(&schema);
    let matching = mapping(&defaults, "alternativeSecurityIds");
    assert_eq!(matching["matchingPriority"], 1);
    assert_eq!(matching["source"]["name"], "AltSecIdFromNetId");
    let user_type = mapping(&defaults, "userType");
    assert_eq!(
        (
            user_type["source"]["type"].as_str(),
            user_type["source"]["name"].as_str(),
            user_type["flowType"].as_str()
        ),
        (Some("Constant"), Some("Member"), Some("ObjectAddOnly"))
    );
    assert_eq!(
        mapping(&defaults, "showInAddressList")["source"]["name"],
        "True"
    );
    assert!(defaults.len() > 15, "{}", defaults.len());

    // Read-modify-write (the body as read, context annotation included): userType Guest,
    // always; everything else untouched.
    let mut changed = schema.clone();
    let mut mappings = defaults.clone();
    for m in mappings.iter_mut() {
        if m["targetAttributeName"] == "userType" {
            m["source"] = json!({"expression": "\"Guest\"", "name": "Guest", "parameters": [], "type": "Constant"});
            m["flowType"] = json!("Always");
        }
    }
    set_mappings(&mut changed, mappings.clone());
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(changed)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    let (_, now) = env.graph(Method::GET, &url, &token, None).await;
    assert_eq!(user_mappings(&now), mappings);
    assert_eq!(now["directories"], schema["directories"]);

    // The matching attribute cannot change, nor another be added; constants are checked.
    let bad_schemas = {
        let mut a = defaults.clone();
        a[0]["matchingPriority"] = json!(2);
        let mut b = defaults.clone();
        b[5]["matchingPriority"] = json!(2);
        let mut c = defaults.clone();
        c.remove(0);
        let mut d = defaults.clone();
        for m in d.iter_mut() {
            if m["targetAttributeName"] == "userType" {
                m["source"]["name"] = json!("Admin");
            }
        }
        [a, b, c, d]
    };
    for bad in bad_schemas {
        let mut body = schema.clone();
        set_mappings(&mut body, bad);
        let (s, e) = env.graph(Method::PUT, &url, &token, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert_eq!(err_code(&e), "schemaInvalid", "{e}");
    }
    // Strict types: an unknown member anywhere, a rule dropped.
    let mut unknown = schema.clone();
    unknown["synchronizationRules"][0]["objectMappings"][0]["colour"] = json!("red");
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(unknown)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_msg(&e), "Invalid property 'colour'.");
    let mut no_rules = schema.clone();
    no_rules["synchronizationRules"] = json!([]);
    let (s, _) = env.graph(Method::PUT, &url, &token, Some(no_rules)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, still) = env.graph(Method::GET, &url, &token, None).await;
    assert_eq!(user_mappings(&still), mappings);
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_credentials_reads_both_tenants_partner_settings() {
    let env = Env::new().await;
    let token = env.token().await;
    let target = env.tenant_token(FABRIKAM, GRAPH_SCOPE).await;
    let (_, sp, _) = instantiate(&env, &token, "Fabrikam").await;
    let url = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/validateCredentials");
    let body = json!({
        "useSavedCredentials": false, "templateId": "Azure2Azure",
        "credentials": [{"key": "CompanyId", "value": FABRIKAM}, {"key": "AuthenticationType", "value": "SyncPolicy"}],
    });
    let detail = |e: &Value| {
        e["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let check = |want: Option<&'static str>| {
        let body = body.clone();
        let (env, token, url) = (&env, &token, &url);
        async move {
            let (s, e) = env.graph(Method::POST, url, token, Some(body)).await;
            match want {
                None => assert_eq!(s, StatusCode::NO_CONTENT, "{e}"),
                Some(d) => {
                    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
                    assert_eq!(err_code(&e), POLICY_CHECK_FAILURE);
                    assert_eq!(detail(&e), d, "{e}");
                }
            }
        }
    };
    check(Some(SYNC_NOT_ALLOWED)).await;

    // Target: a partner for the source with inbound sync allowed.
    env.create_partner(&target, CONTOSO).await;
    let sync = format!("{PARTNERS}/{CONTOSO}/identitySynchronization");
    let (s, _) = env
        .graph(
            Method::PUT,
            &sync,
            &target,
            Some(json!({"displayName": "Contoso", "userSyncInbound": {"isSyncAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    check(Some(AUTO_REDEEM)).await;
    // Target: inbound automatic redemption.
    let (s, _) = env
        .graph(
            Method::PATCH,
            &format!("{PARTNERS}/{CONTOSO}"),
            &target,
            Some(json!({"automaticUserConsentSettings": {"inboundAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    check(Some(AUTO_REDEEM)).await;
    // Source: outbound automatic redemption, here through its default configuration.
    let (s, e) = env
        .graph(
            Method::PATCH,
            "/v1.0/policies/crossTenantAccessPolicy/default",
            &token,
            Some(json!({"automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    check(None).await;
    // A source partner that says no overrides the default.
    env.create_partner(&token, FABRIKAM).await;
    let (s, _) = env
        .graph(
            Method::PATCH,
            &format!("{PARTNERS}/{FABRIKAM}"),
            &token,
            Some(json!({"automaticUserConsentSettings": {"outboundAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    check(Some(AUTO_REDEEM)).await;
    let (s, _) = env
        .graph(
            Method::PATCH,
            &format!("{PARTNERS}/{FABRIKAM}"),
            &token,
            Some(json!({"automaticUserConsentSettings": {"outboundAllowed": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    check(None).await;

    // Saved credentials, on the job; a target outside the world has no policies.
    let job = create_job(&env, &token, &sp).await;
    let bound =
        format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/validateCredentials");
    let saved = json!({"useSavedCredentials": true});
    let (s, _) = env
        .graph(Method::POST, &bound, &token, Some(saved.clone()))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "nothing saved yet");
    let sec = format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets");
    env.graph(Method::PUT, &sec, &token, Some(secrets(FABRIKAM)))
        .await;
    let (s, e) = env
        .graph(Method::POST, &bound, &token, Some(saved.clone()))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    env.graph(Method::PUT, &sec, &token, Some(secrets(NORTHWIND)))
        .await;
    let (s, e) = env.graph(Method::POST, &bound, &token, Some(saved)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(detail(&e), SYNC_NOT_ALLOWED);
    // Strict parameters.
    let (s, _) = env
        .graph(
            Method::POST,
            &url,
            &token,
            Some(json!({"templateId": "Azure2Azure", "credentials": [{"key": "Tenant", "value": FABRIKAM}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn app_role_assignments() {
    let env = Env::new().await;
    let token = env.token().await;
    add_user(&env.emu, CONTOSO, USER, "Adele");
    add_group(&env.emu, CONTOSO, GROUP, "Sales");
    let (_, sp, role) = instantiate(&env, &token, "Fabrikam").await;
    let url = format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo");
    let assign =
        |principal: &str| json!({"appRoleId": role, "resourceId": sp, "principalId": principal});
    let (s, a) = env
        .graph(Method::POST, &url, &token, Some(assign(USER)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(
        (
            a["principalType"].as_str(),
            a["principalDisplayName"].as_str()
        ),
        (Some("User"), Some("Adele"))
    );
    assert_eq!(a["resourceDisplayName"], "Fabrikam");
    let (s, g) = env
        .graph(Method::POST, &url, &token, Some(assign(GROUP)))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(g["principalType"], "Group");
    let (s, e) = env
        .graph(Method::POST, &url, &token, Some(assign(USER)))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        err_msg(&e),
        "Permission being assigned already exists on the object"
    );
    let (s, _) = env
        .graph(Method::POST, &url, &token, Some(assign(NORTHWIND)))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut wrong_role = assign(USER);
    wrong_role["appRoleId"] = json!(GROUP);
    let (s, _) = env
        .graph(Method::POST, &url, &token, Some(wrong_role))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let mut extra = assign(USER);
    extra["principalType"] = json!("User");
    let (s, _) = env.graph(Method::POST, &url, &token, Some(extra)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (_, l) = env.graph(Method::GET, &url, &token, None).await;
    assert_eq!(l["value"].as_array().unwrap().len(), 2);
    let listed = env
        .emu
        .objects(CONTOSO)
        .iter()
        .filter(|(p, _)| p.contains("/appRoleAssignedTo/"))
        .count();
    assert_eq!(
        listed, 2,
        "assignments are live objects; seeded principals are not"
    );
    // The service principal with its assignments in one read.
    let sp_url = format!("/v1.0/servicePrincipals/{sp}");
    let (s, both) = env
        .graph(
            Method::GET,
            &format!("{sp_url}?$select=id,displayName&$expand=appRoleAssignedTo"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{both}");
    assert_eq!(both["displayName"], "Fabrikam");
    assert_eq!(both["appRoleAssignedTo"].as_array().unwrap().len(), 2);
    assert!(both.get("appRoles").is_none(), "{both}");
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("{sp_url}?$expand=owners"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let one = format!("{url}/{}", a["id"].as_str().unwrap());
    let (s, _) = env.graph(Method::DELETE, &one, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::DELETE, &one, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = env.graph(Method::GET, &url, &token, None).await;
    assert_eq!(l["value"][0]["principalId"], json!(GROUP));
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_errors_after_instantiate_and_replication_lag() {
    let env = Env::new().await;
    let token = env.token().await;
    env.emu.pause_clock();
    xts::set_transient_delay(&env.emu, CONTOSO, Duration::from_secs(60));
    let (_, sp, _) = instantiate(&env, &token, "Fabrikam").await;
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs");
    let body = json!({"templateId": "Azure2Azure"});
    let (s, e) = env
        .graph(Method::POST, &jobs, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(err_code(&e), "Authorization_RequestDenied");
    let (s, _) = env
        .graph(Method::POST, &jobs, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The service principal itself reads fine meanwhile.
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("/v1.0/servicePrincipals/{sp}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    env.emu.advance(Duration::from_secs(61));
    let (s, e) = env
        .graph(Method::POST, &jobs, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    xts::set_transient_delay(&env.emu, CONTOSO, Duration::ZERO);

    // Replication lag: a new configuration is not there yet for GET, PATCH or its jobs.
    env.emu.set_replication_lag(Duration::from_secs(5));
    let (app, sp, _) = instantiate(&env, &token, "Fabrikam 2").await;
    for url in [
        format!("/v1.0/servicePrincipals/{sp}"),
        format!("/v1.0/applications/{app}"),
        format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs"),
    ] {
        let (s, _) = env.graph(Method::GET, &url, &token, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{url}");
    }
    let (s, _) = env
        .graph(
            Method::PATCH,
            &format!("/v1.0/applications/{app}"),
            &token,
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    env.emu.advance(Duration::from_secs(6));
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs");
    let (s, _) = env.graph(Method::POST, &jobs, &token, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_made_configuration_reads_like_one_made_through_the_api() {
    let env = Env::new().await;
    let token = env.token().await;
    add_group(&env.emu, CONTOSO, GROUP, "Sales");
    let seeded = xts::portal_configuration(
        &env.emu,
        "contoso.onmicrosoft.com",
        &xts::PortalConfiguration {
            display_name: "From the portal".into(),
            target_tenant_id: FABRIKAM.into(),
            principal_ids: vec![GROUP.into()],
            running: true,
            notification_email: Some("ops@contoso.com".into()),
            ..Default::default()
        },
    );
    let sp = &seeded.service_principal_id;
    let (_, l) = env
        .graph(
            Method::GET,
            &format!(
                "/v1.0/servicePrincipals?$filter=applicationTemplateId eq '{XTS_TEMPLATE_ID}'"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(l["value"][0]["displayName"], "From the portal");
    let (_, job) = env
        .graph(
            Method::GET,
            &format!(
                "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{}",
                seeded.job_id
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(job["schedule"]["state"], "Active");
    let (_, sec) = env
        .graph(
            Method::GET,
            &format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets"),
            &token,
            None,
        )
        .await;
    let notif = sec["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "SyncNotificationSettings")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let notif: Value = serde_json::from_str(&notif).unwrap();
    assert_eq!(notif["Recipients"], "ops@contoso.com");
    let (_, a) = env
        .graph(
            Method::GET,
            &format!("/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"),
            &token,
            None,
        )
        .await;
    assert_eq!(a["value"][0]["principalType"], "Group");
    // Its schema is accepted back as read.
    let url = format!(
        "/v1.0/servicePrincipals/{sp}/synchronization/jobs/{}/schema",
        seeded.job_id
    );
    let (_, schema) = env.graph(Method::GET, &url, &token, None).await;
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(schema)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    assert_eq!(
        env.emu.objects(CONTOSO).len(),
        6,
        "application, service principal, job, schema, secrets, one assignment"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deletes_settle_after_the_delete_delay_and_new_jobs_replicate() {
    let env = Env::new().await;
    let token = env.token().await;
    env.emu.pause_clock();
    let (app, sp, _) = instantiate(&env, &token, "Fabrikam").await;

    // A new job is in the list at once, but not yet readable by itself (the service
    // principal is old enough to be seen).
    env.emu.advance(Duration::from_secs(10));
    env.emu.set_replication_lag(Duration::from_secs(5));
    let job = create_job(&env, &token, &sp).await;
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs");
    let job_url = format!("{jobs}/{job}");
    let (s, _) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = env.graph(Method::GET, &jobs, &token, None).await;
    assert_eq!(l["value"][0]["id"], json!(job));
    env.emu.advance(Duration::from_secs(6));
    env.emu.set_replication_lag(Duration::ZERO);

    xts::set_delete_delay(&env.emu, CONTOSO, Duration::from_secs(30));
    let (s, _) = env.graph(Method::DELETE, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::OK, "still there during the delete delay");
    env.emu.advance(Duration::from_secs(31));
    let (s, _) = env.graph(Method::GET, &job_url, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let app_url = format!("/v1.0/applications/{app}");
    let (s, _) = env.graph(Method::DELETE, &app_url, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &app_url, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        env.emu.objects(CONTOSO).len(),
        2,
        "application and service principal"
    );
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("/v1.0/directory/deletedItems/{app}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    env.emu.advance(Duration::from_secs(31));
    for url in [app_url, format!("/v1.0/servicePrincipals/{sp}")] {
        let (s, _) = env.graph(Method::GET, &url, &token, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{url}");
    }
    assert!(env.emu.objects(CONTOSO).is_empty());
    xts::set_delete_delay(&env.emu, CONTOSO, Duration::ZERO);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_instantiate_may_or_may_not_have_made_the_application() {
    let env = Env::new().await;
    let token = env.token().await;
    let send = || {
        env.http
            .post(format!("{}{INSTANTIATE}", env.emu.url()))
            .bearer_auth(&token)
            .json(&json!({"displayName": "In doubt"}))
            .send()
    };
    // Lost before the service saw it: nothing made.
    env.emu.inject(Fault::reset().on("POST", "/instantiate"));
    assert!(send().await.is_err(), "the connection is reset");
    assert!(env.emu.objects(CONTOSO).is_empty());
    // Lost after the service applied it: the application exists, and a lookup by name and
    // template finds exactly it.
    env.emu
        .inject(Fault::reset().after_apply().on("POST", "/instantiate"));
    assert!(send().await.is_err(), "the connection is reset");
    let filter = format!(
        "/v1.0/applications?$filter=displayName eq 'In doubt' and applicationTemplateId eq '{XTS_TEMPLATE_ID}'"
    );
    let (s, l) = env.graph(Method::GET, &filter, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["value"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(
        env.emu.objects(CONTOSO).len(),
        2,
        "application and service principal"
    );
}
