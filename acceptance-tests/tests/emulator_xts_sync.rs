//! Cross-tenant synchronization family, the synchronization side: jobs, secrets, start / pause,
//! the schema and its mappings, validateCredentials against both tenants' partner settings,
//! and appRoleAssignedTo. The configuration's objects: `emulator_xts.rs`.

mod emulator_support;

use coexistence_acceptance::emulator::graph::xts::{
    add_group, add_user, AUTO_REDEEM, POLICY_CHECK_FAILURE, SYNC_NOT_ALLOWED,
};
use emulator_support::xts::*;
use emulator_support::*;

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
    // The types the v1.0 metadata declares (API-NOTES.md#xts-schema-types): a rule's metadata
    // is `stringKeyStringValuePair` (not `keyValuePair`), `flowTypes` a flags enum.
    let mut base = schema.clone();
    set_mappings(&mut base, mappings.clone());
    let mut named = base.clone();
    named["synchronizationRules"][0]["metadata"][0]["@odata.type"] =
        json!("#microsoft.graph.keyValuePair");
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(named)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let mut named = base.clone();
    named["synchronizationRules"][0]["metadata"][0]["@odata.type"] =
        json!("#microsoft.graph.stringKeyStringValuePair");
    named["synchronizationRules"][0]["objectMappings"][0]["flowTypes"] = json!("Add,Update");
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(named)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    let mut flows = base.clone();
    flows["synchronizationRules"][0]["objectMappings"][0]["flowTypes"] = json!("Add, Upsert");
    let (s, e) = env.graph(Method::PUT, &url, &token, Some(flows)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(err_msg(&e).contains("'Upsert'"), "{e}");
    let (s, e) = env
        .graph(Method::PUT, &url, &token, Some(base.clone()))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
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
