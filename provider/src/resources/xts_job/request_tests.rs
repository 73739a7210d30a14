//! Exactly what create sends, over a scripted transport: the documented sequence, a create
//! failing half-way kept as state, a lost instantiate answer adopted, the transient refusals
//! right after instantiate, and the partner-settings diagnostic. Read, update and delete are
//! in `write_tests.rs`.

use super::tests::{config, ctx_for, default_schema, APP, GROUP, SP, T};
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
        e.diags.0[0].detail.contains(&format!(
            "terraform import coexistence_xts_job.<name> '{SP}'"
        )),
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
