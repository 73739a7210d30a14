//! Cross-tenant synchronization family, the configuration's objects: instantiate, applications
//! and service principals, deleted items, the transient errors and replication lag after
//! instantiate, portal-made configurations, delete delays and a reset instantiate. Jobs,
//! secrets, schema, credentials and assignments: `emulator_xts_sync.rs`.

mod emulator_support;

use coexistence_acceptance::emulator::graph::xts::{self, add_group, XTS_TEMPLATE_ID};
use emulator_support::xts::*;
use emulator_support::*;

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
