//! Exactly what create, read, update and delete send, over a scripted transport: the documented
//! sequence, a create failing half-way kept as state, a lost instantiate answer adopted, the
//! transient refusals right after instantiate, and the partner-settings diagnostic.

use super::tests::{config, ctx_for, default_schema, APP, GROUP, SP, T, USER};
use super::*;
use crate::clients::http::mock::{fail, step, MockTransport, Step};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const BASE: &str = "https://graph.example/v1.0";

/// The path (and query, as the transport sees it) a request goes to.
fn at(r: &GraphRequest) -> String {
    let u = url::Url::parse(&r.url(BASE).unwrap()).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

fn ok(r: GraphRequest, status: u16, body: Option<serde_json::Value>) -> Step {
    step(r.method, &at(&r), status, body)
}

fn err(r: GraphRequest, status: u16, code: &str, message: &str) -> Step {
    ok(
        r,
        status,
        Some(json!({"error": {"code": code, "message": message}})),
    )
}

fn sp_body() -> serde_json::Value {
    json!({"id": SP, "appId": "app-id-1", "displayName": "Sync to Fabrikam",
           "applicationTemplateId": api::TEMPLATE_ID,
           "appRoles": [{"id": "role-1", "displayName": "msiam_access", "allowedMemberTypes": ["User"]}]})
}

fn instance() -> serde_json::Value {
    json!({"application": {"id": APP, "appId": "app-id-1", "displayName": "Sync to Fabrikam"},
           "servicePrincipal": sp_body()})
}

fn job(state: &str) -> serde_json::Value {
    json!({"id": "j1", "templateId": "Azure2Azure",
           "schedule": {"expiration": null, "interval": "PT40M", "state": state},
           "status": {"code": "NotRun", "lastExecution": null, "lastSuccessfulExecution": null, "quarantine": null}})
}

/// The create's requests up to the application and its service principal.
fn up_to_service_principal() -> Vec<Step> {
    vec![
        ok(
            api::find_applications("Sync to Fabrikam"),
            200,
            Some(json!({"value": []})),
        ),
        ok(api::instantiate("Sync to Fabrikam"), 201, Some(instance())),
        ok(api::get_service_principal(SP), 200, Some(sp_body())),
    ]
}

fn sent(m: &MockTransport) -> Vec<String> {
    m.seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let u = url::Url::parse(&r.url).unwrap();
            format!("{} {}", r.method, u.path())
        })
        .collect()
}

async fn create(m: &Arc<MockTransport>, cfg: &Value) -> Result<Value, ApplyError> {
    XtsJobResource
        .create(&ctx_for(m.clone(), Duration::from_secs(600)), cfg)
        .await
}

#[tokio::test(start_paused = true)]
async fn create_sends_the_documented_sequence() {
    let mut script = up_to_service_principal();
    script.extend([
        ok(api::validate_credentials(SP, T), 204, None),
        ok(api::create_job(SP), 201, Some(job("Disabled"))),
        ok(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        ok(
            api::put_secrets(SP, T, false, Some("ops@contoso.com")),
            204,
            None,
        ),
        ok(
            api::assign(SP, "role-1", GROUP),
            201,
            Some(json!({"id": "as-1"})),
        ),
        ok(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        ok(api::put_schema(SP, "j1", json!({})), 204, None),
        ok(api::start_job(SP, "j1"), 204, None),
    ]);
    let m = MockTransport::new(script);
    let mut cfg = config();
    cfg.set_attr("user_type", Value::string("Guest"));
    let state = create(&m, &cfg).await.unwrap();
    m.assert_done();
    assert_eq!(state.get("service_principal_id"), &Value::string(SP));
    assert_eq!(state.get("application_object_id"), &Value::string(APP));
    assert_eq!(state.get("job_id"), &Value::string("j1"));
    let bodies = m.bodies();
    // The assignment names the msiam_access role of the new service principal.
    assert_eq!(
        bodies[7],
        Some(json!({"appRoleId": "role-1", "resourceId": SP, "principalId": GROUP}))
    );
    // The schema PUT is the schema read, with the two constants changed.
    let put = bodies[9].clone().unwrap();
    assert_eq!(
        put,
        mapping::with_mappings(&default_schema(), "Guest", true).unwrap()
    );
    assert_eq!(mapping::user_type(&put).as_deref(), Some("Guest"));
}

#[tokio::test(start_paused = true)]
async fn transient_refusals_right_after_instantiate_are_waited_out() {
    let mut script = up_to_service_principal();
    script.extend([
        err(
            api::validate_credentials(SP, T),
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        err(api::validate_credentials(SP, T), 409, "Conflict", "busy"),
        ok(api::validate_credentials(SP, T), 204, None),
        err(
            api::create_job(SP),
            403,
            "Authorization_RequestDenied",
            "not yet",
        ),
        ok(api::create_job(SP), 201, Some(job("Disabled"))),
        err(api::get_job(SP, "j1"), 404, "NotFound", "not yet"),
        ok(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        ok(api::put_secrets(SP, T, true, None), 204, None),
        ok(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        ok(api::put_schema(SP, "j1", json!({})), 204, None),
    ]);
    let m = MockTransport::new(script);
    let mut cfg = config();
    cfg.set_attr("scope", Value::string("all"));
    cfg.set_attr("scoping_group_ids", Value::Null);
    cfg.set_attr("notification_email", Value::Null);
    cfg.set_attr("enabled", Value::Bool(false));
    create(&m, &cfg).await.unwrap();
    m.assert_done();
}

#[tokio::test(start_paused = true)]
async fn a_refusal_that_outlasts_the_settling_window_is_reported() {
    let mut script = up_to_service_principal();
    for _ in 0..200 {
        script.push(err(
            api::validate_credentials(SP, T),
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    let m = MockTransport::new(script);
    let started = tokio::time::Instant::now();
    let e = create(&m, &config()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(180),
        "not the whole timeout"
    );
    assert!(
        e.diags.0[0]
            .detail
            .contains("Application.ReadWrite.OwnedBy"),
        "{}",
        e.diags
    );
    assert_eq!(
        e.state.unwrap().get("service_principal_id"),
        &Value::string(SP)
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_after_the_application_exists_returns_its_ids_as_state() {
    let mut script = up_to_service_principal();
    script.extend([
        ok(api::validate_credentials(SP, T), 204, None),
        ok(api::create_job(SP), 201, Some(job("Disabled"))),
        ok(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        err(
            api::put_secrets(SP, T, false, Some("ops@contoso.com")),
            400,
            "BadRequest",
            "bad secret",
        ),
    ]);
    let m = MockTransport::new(script);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    let state = e.state.expect("kept as (tainted) state");
    assert_eq!(state.get("service_principal_id"), &Value::string(SP));
    assert_eq!(state.get("application_object_id"), &Value::string(APP));
    assert_eq!(state.get("job_id"), &Value::string("j1"));
    assert!(e.diags.0[0].summary.contains("secrets"), "{}", e.diags);
}

#[tokio::test(start_paused = true)]
async fn a_lost_instantiate_answer_adopts_the_application_it_made() {
    let find = api::find_applications("Sync to Fabrikam");
    let made =
        json!({"value": [{"id": APP, "appId": "app-id-1", "displayName": "Sync to Fabrikam"}]});
    let m = MockTransport::new(vec![
        ok(find.clone(), 200, Some(json!({"value": []}))),
        fail(
            "POST",
            &at(&api::instantiate("x")),
            "connection reset by peer",
        ),
        ok(find.clone(), 200, Some(made)),
        // The service principal is not visible yet by appId, then is.
        ok(
            api::find_service_principal_by_app_id("app-id-1"),
            200,
            Some(json!({"value": []})),
        ),
        ok(
            api::find_service_principal_by_app_id("app-id-1"),
            200,
            Some(json!({"value": [sp_body()]})),
        ),
        ok(api::get_service_principal(SP), 200, Some(sp_body())),
        err(
            api::validate_credentials(SP, T),
            500,
            "InternalServerError",
            "boom",
        ),
    ]);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    let posts = sent(&m)
        .iter()
        .filter(|s| s.ends_with("/instantiate"))
        .count();
    assert_eq!(posts, 1, "one instantiate: never a second application");
    let state = e.state.unwrap();
    assert_eq!(state.get("application_object_id"), &Value::string(APP));
    assert_eq!(state.get("service_principal_id"), &Value::string(SP));
}

#[tokio::test(start_paused = true)]
async fn a_configuration_of_the_same_name_says_import_it() {
    let m = MockTransport::new(vec![
        ok(
            api::find_applications("Sync to Fabrikam"),
            200,
            Some(json!({"value": [{"id": APP, "appId": "app-id-1"}]})),
        ),
        ok(
            api::find_service_principal_by_app_id("app-id-1"),
            200,
            Some(json!({"value": [sp_body()]})),
        ),
    ]);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    assert!(e.state.is_none());
    assert!(
        e.diags.0[0]
            .detail
            .contains(&format!("terraform import coexistence_xts_job.<name> {SP}")),
        "{}",
        e.diags
    );
}

async fn credential_failure(partner: Step, message: &str) -> crate::framework::Diagnostic {
    let mut script = up_to_service_principal();
    script.push(err(
        api::validate_credentials(SP, T),
        400,
        "AzureDirectoryB2BManagementPolicyCheckFailure",
        message,
    ));
    script.push(partner);
    let m = MockTransport::new(script);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    assert!(e.state.is_some(), "the application exists: kept");
    e.diags.0[0].clone()
}

#[tokio::test(start_paused = true)]
async fn a_missing_partner_setting_is_named_with_its_tenant_and_attribute() {
    let redemption = "Policy permitting auto-redemption of invitations not configured.";
    // Source side: this tenant's partner lacks outbound consent (read, so certain).
    let d = credential_failure(
        ok(
            api::get_partner(T),
            200,
            Some(json!({"tenantId": T, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}})),
        ),
        redemption,
    )
    .await;
    assert!(
        d.detail
            .contains("This (source) tenant's coexistence_cross_tenant_access_partner")
            && d.detail
                .contains("automatic_user_consent.outbound_allowed = true")
            && !d.detail.contains("inbound_allowed"),
        "{}",
        d.detail
    );
    assert_eq!(d.path, Some(AttrPath::root().attr("target_tenant_id")));
    // Source side fine: the target lacks inbound consent.
    let d = credential_failure(
        ok(
            api::get_partner(T),
            200,
            Some(json!({"tenantId": T, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": true}})),
        ),
        redemption,
    )
    .await;
    assert!(
        d.detail.contains(&format!("The target tenant {T} needs"))
            && d.detail
                .contains("automatic_user_consent.inbound_allowed = true")
            && !d.detail.contains("user_sync_inbound_allowed"),
        "{}",
        d.detail
    );
    // ...or inbound synchronization.
    let d = credential_failure(
        ok(
            api::get_partner(T),
            200,
            Some(json!({"tenantId": T, "automaticUserConsentSettings": {"outboundAllowed": true}})),
        ),
        "The target tenant does not allow user synchronization from this tenant.",
    )
    .await;
    assert!(
        d.detail
            .contains("identity_synchronization.user_sync_inbound_allowed = true")
            && !d.detail.contains("automatic_user_consent"),
        "{}",
        d.detail
    );
    // No partner in this tenant at all.
    let d = credential_failure(
        err(api::get_partner(T), 404, "Request_ResourceNotFound", "none"),
        redemption,
    )
    .await;
    assert!(
        d.detail.contains("has no partner configuration"),
        "{}",
        d.detail
    );
}

fn state() -> Value {
    let mut v = config();
    for (k, x) in [
        ("id", SP),
        ("service_principal_id", SP),
        ("application_object_id", APP),
        ("job_id", "j1"),
    ] {
        v.set_attr(k, Value::string(x));
    }
    v
}

fn secrets(sync_all: &str, email: Option<&str>) -> serde_json::Value {
    json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": T},
        {"key": "SyncNotificationSettings", "value": model::notification_settings(email)},
        {"key": "SyncAll", "value": sync_all},
    ]})
}

#[tokio::test]
async fn read_takes_five_gets_and_reflects_every_attribute() {
    let mut schema = mapping::with_mappings(&default_schema(), "Guest", false).unwrap();
    schema["@odata.context"] = json!("x");
    let m = MockTransport::new(vec![
        ok(
            api::get_service_principal(SP),
            200,
            Some(
                json!({"id": SP, "appId": "app-id-1", "displayName": "Renamed", "applicationTemplateId": api::TEMPLATE_ID}),
            ),
        ),
        ok(
            api::list_jobs(SP),
            200,
            Some(json!({"value": [job("Paused")]})),
        ),
        ok(api::get_secrets(SP), 200, Some(secrets("true", None))),
        ok(api::get_schema(SP, "j1"), 200, Some(schema)),
        ok(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [
                {"id": "a1", "principalId": USER, "principalType": "User"},
                {"id": "a2", "principalId": GROUP, "principalType": "Group"},
            ]})),
        ),
    ]);
    let got = XtsJobResource
        .read(&ctx_for(m.clone(), Duration::from_secs(30)), &state())
        .await
        .unwrap()
        .unwrap();
    m.assert_done();
    assert_eq!(got.get("display_name"), &Value::string("Renamed"));
    assert_eq!(got.get("enabled"), &Value::Bool(false));
    assert_eq!(got.get("scope"), &Value::string("all"));
    assert!(got.get("notification_email").is_null());
    assert_eq!(got.get("user_type"), &Value::string("Guest"));
    assert_eq!(got.get("show_in_address_list"), &Value::Bool(false));
    assert_eq!(
        got.get("scoping_user_ids"),
        &Value::Set(vec![Value::string(USER)])
    );
    assert_eq!(
        got.get("scoping_group_ids"),
        &Value::Set(vec![Value::string(GROUP)])
    );
    assert_eq!(got.get("schedule_interval"), &Value::string("PT40M"));
    assert_eq!(got.get("status"), &Value::string("NotRun"));
}

#[tokio::test]
async fn read_of_a_deleted_configuration_is_gone_and_import_finds_the_application() {
    let m = MockTransport::new(vec![err(
        api::get_service_principal(SP),
        404,
        "Request_ResourceNotFound",
        "gone",
    )]);
    assert!(XtsJobResource
        .read(&ctx_for(m, Duration::from_secs(30)), &state())
        .await
        .unwrap()
        .is_none());

    let imported = crate::framework::lifecycle::import(&XtsJobResource, SP).unwrap();
    let m = MockTransport::new(vec![
        ok(api::get_service_principal(SP), 200, Some(sp_body())),
        ok(
            api::find_application_by_app_id("app-id-1"),
            200,
            Some(json!({"value": [{"id": APP}]})),
        ),
        ok(
            api::list_jobs(SP),
            200,
            Some(json!({"value": [job("Active")]})),
        ),
        ok(
            api::get_secrets(SP),
            200,
            Some(secrets("false", Some("ops@contoso.com"))),
        ),
        ok(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        ok(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})),
        ),
    ]);
    let got = XtsJobResource
        .read(&ctx_for(m.clone(), Duration::from_secs(30)), &imported)
        .await
        .unwrap()
        .unwrap();
    m.assert_done();
    let mut want = state();
    for k in ["schedule_interval", "status"] {
        want.set_attr(k, got.get(k).clone());
    }
    assert!(got.semantically_equal(&want), "{got:?}");
}

#[tokio::test]
async fn update_sends_only_the_differences() {
    let mut new = state();
    new.set_attr("scoping_group_ids", Value::Null);
    new.set_attr("scoping_user_ids", Value::Set(vec![Value::string(USER)]));
    new.set_attr("enabled", Value::Bool(false));
    new.set_attr("display_name", Value::string("New name"));
    let m = MockTransport::new(vec![
        ok(api::rename_application(APP, "New name"), 204, None),
        ok(api::rename_service_principal(SP, "New name"), 204, None),
        ok(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})),
        ),
        ok(api::unassign(SP, "a2"), 204, None),
        ok(api::get_service_principal(SP), 200, Some(sp_body())),
        ok(
            api::assign(SP, "role-1", USER),
            201,
            Some(json!({"id": "a3"})),
        ),
        ok(api::pause_job(SP, "j1"), 204, None),
    ]);
    XtsJobResource
        .update(&ctx_for(m.clone(), Duration::from_secs(30)), &state(), &new)
        .await
        .unwrap();
    m.assert_done();

    // A mapping change: read, modify, write the schema; nothing else.
    let mut new = state();
    new.set_attr("show_in_address_list", Value::Bool(false));
    let m = MockTransport::new(vec![
        ok(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        ok(api::put_schema(SP, "j1", json!({})), 204, None),
    ]);
    XtsJobResource
        .update(&ctx_for(m.clone(), Duration::from_secs(30)), &state(), &new)
        .await
        .unwrap();
    m.assert_done();
    let put = m.bodies()[1].clone().unwrap();
    assert_eq!(
        put,
        mapping::with_mappings(&default_schema(), "Member", false).unwrap()
    );

    // Scope and e-mail: one secrets PUT with every key.
    let mut new = state();
    new.set_attr("scope", Value::string("all"));
    new.set_attr("notification_email", Value::Null);
    let m = MockTransport::new(vec![ok(api::put_secrets(SP, T, true, None), 204, None)]);
    XtsJobResource
        .update(&ctx_for(m.clone(), Duration::from_secs(30)), &state(), &new)
        .await
        .unwrap();
    assert_eq!(m.bodies()[0], api::put_secrets(SP, T, true, None).body);
}

#[tokio::test(start_paused = true)]
async fn delete_stops_and_deletes_the_job_then_the_application_until_gone() {
    let m = MockTransport::new(vec![
        ok(api::pause_job(SP, "j1"), 204, None),
        ok(api::delete_job(SP, "j1"), 204, None),
        ok(api::delete_application(APP), 204, None),
        ok(
            api::get_application(APP),
            200,
            Some(json!({"id": APP, "displayName": "x"})),
        ),
        err(
            api::get_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
    ]);
    XtsJobResource
        .delete(&ctx_for(m.clone(), Duration::from_secs(30)), &state())
        .await
        .unwrap();
    m.assert_done();

    // Already gone (deleted out of band): every 404 is "done".
    let m = MockTransport::new(vec![
        err(api::pause_job(SP, "j1"), 404, "NotFound", "gone"),
        err(api::delete_job(SP, "j1"), 404, "NotFound", "gone"),
        err(
            api::delete_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
        err(
            api::get_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
    ]);
    XtsJobResource
        .delete(&ctx_for(m.clone(), Duration::from_secs(30)), &state())
        .await
        .unwrap();
    m.assert_done();
}
