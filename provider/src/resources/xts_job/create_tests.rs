//! Exactly what create sends, over a scripted transport: the documented sequence, a create
//! failing half-way kept as state, a lost instantiate answer adopted, the transient refusals
//! right after instantiate, and the partner-settings diagnostic. Read, update and delete are
//! in `crud_tests.rs`.

use super::tests::{config, default_schema, APP, GROUP, SP, T};
use super::*;
use crate::clients::http::mock::{answer, answer_error, Behaviour, MockTransport, Step};
use crate::clients::Deadline;
use crate::framework::Resource;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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

/// This tenant's partner for the target, allowing automatic redemption outbound.
fn source_ready() -> Step {
    answer(
        api::get_partner(T),
        200,
        Some(
            json!({"tenantId": T, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": true}}),
        ),
    )
}

/// The create's requests up to the application and its service principal.
fn up_to_service_principal() -> Vec<Step> {
    vec![
        source_ready(),
        answer(
            api::find_applications("Sync to Fabrikam"),
            200,
            Some(json!({"value": []})),
        ),
        answer(api::instantiate("Sync to Fabrikam"), 201, Some(instance())),
        answer(api::get_service_principal(SP), 200, Some(sp_body())),
    ]
}

async fn create(m: &Arc<MockTransport>, cfg: &Value) -> Result<Value, ApplyError> {
    XtsJobResource
        .create(&Ctx::for_tests(m.clone(), Duration::from_secs(600)), cfg)
        .await
}

#[tokio::test(start_paused = true)]
async fn create_sends_the_documented_sequence() {
    let mut script = up_to_service_principal();
    script.extend([
        answer(api::validate_credentials(SP, T), 204, None),
        answer(api::create_job(SP), 201, Some(job("Disabled"))),
        answer(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        answer(
            api::put_secrets(SP, T, false, Some("ops@contoso.com")),
            204,
            None,
        ),
        answer(
            api::assign(SP, "role-1", GROUP),
            201,
            Some(json!({"id": "as-1"})),
        ),
        answer(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        answer(api::put_schema(SP, "j1", json!({})), 204, None),
        answer(api::start_job(SP, "j1"), 204, None),
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
        bodies[8],
        Some(json!({"appRoleId": "role-1", "resourceId": SP, "principalId": GROUP}))
    );
    // The schema PUT is the schema read, with the two constants changed.
    let put = bodies[10].clone().unwrap();
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
        answer_error(
            api::validate_credentials(SP, T),
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        answer_error(api::validate_credentials(SP, T), 409, "Conflict", "busy"),
        answer(api::validate_credentials(SP, T), 204, None),
        answer_error(
            api::create_job(SP),
            403,
            "Authorization_RequestDenied",
            "not yet",
        ),
        answer(api::create_job(SP), 201, Some(job("Disabled"))),
        answer_error(api::get_job(SP, "j1"), 404, "NotFound", "not yet"),
        answer(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        answer(api::put_secrets(SP, T, true, None), 204, None),
        answer(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        answer(api::put_schema(SP, "j1", json!({})), 204, None),
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
        script.push(answer_error(
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
        answer(api::validate_credentials(SP, T), 204, None),
        answer(api::create_job(SP), 201, Some(job("Disabled"))),
        answer(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        answer_error(
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
        source_ready(),
        answer(find.clone(), 200, Some(json!({"value": []}))),
        Step {
            behaviour: Behaviour::Fail("connection reset by peer".into()),
            ..answer(api::instantiate("x"), 0, None)
        },
        answer(find.clone(), 200, Some(made)),
        // The service principal is not visible yet by appId, then is.
        answer(
            api::find_service_principal_by_app_id("app-id-1"),
            200,
            Some(json!({"value": []})),
        ),
        answer(
            api::find_service_principal_by_app_id("app-id-1"),
            200,
            Some(json!({"value": [sp_body()]})),
        ),
        answer(api::get_service_principal(SP), 200, Some(sp_body())),
        answer_error(
            api::validate_credentials(SP, T),
            500,
            "InternalServerError",
            "boom",
        ),
    ]);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    let posts = m
        .sent()
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
        source_ready(),
        answer(
            api::find_applications("Sync to Fabrikam"),
            200,
            Some(json!({"value": [{"id": APP, "appId": "app-id-1"}]})),
        ),
        answer(
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

async fn credential_failure(message: &str) -> crate::framework::Diagnostic {
    let mut script = up_to_service_principal();
    script.push(answer_error(
        api::validate_credentials(SP, T),
        400,
        "AzureDirectoryB2BManagementPolicyCheckFailure",
        message,
    ));
    let m = MockTransport::new(script);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    assert!(e.state.is_some(), "the application exists: kept");
    e.diags.0[0].clone()
}

/// The target's two settings, as one complete block.
const TARGET_BLOCK: &str = "    automatic_user_consent   = { inbound_allowed = true, outbound_allowed = false }\n    identity_synchronization = { user_sync_inbound_allowed = true }\n";

#[tokio::test(start_paused = true)]
async fn a_refused_credential_check_names_both_settings_of_the_target() {
    // Whichever setting the service names, both are to be declared: it names one at a time.
    for message in [
        "Policy permitting auto-redemption of invitations not configured.",
        "Policy permitting cross-tenant user synchronization into the target tenant not configured.",
    ] {
        let d = credential_failure(message).await;
        assert!(
            d.detail.contains(&format!("The target tenant {T}"))
                && d.detail.contains(TARGET_BLOCK)
                && d.detail.contains(message)
                && !d.detail.contains("This (source) tenant"),
            "{}",
            d.detail
        );
        assert_eq!(d.path, Some(AttrPath::root().attr("target_tenant_id")));
    }
}

/// This tenant's missing setting fails the create before anything is made, naming this
/// tenant's block and the target's.
async fn source_missing(script: Vec<Step>) -> crate::framework::Diagnostic {
    let m = MockTransport::new(script);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    assert!(e.state.is_none(), "nothing was made");
    let d = e.diags.0[0].clone();
    assert!(
        d.detail.starts_with("Nothing was created.") && d.detail.contains(TARGET_BLOCK),
        "{}",
        d.detail
    );
    d
}

#[tokio::test(start_paused = true)]
async fn a_missing_setting_of_this_tenant_fails_before_anything_is_made() {
    // The partner's own value: its inbound value is kept in the suggestion.
    let d = source_missing(vec![answer(
        api::get_partner(T),
        200,
        Some(json!({"tenantId": T, "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false}})),
    )])
    .await;
    assert!(
        d.detail.contains(&format!("    tenant_id              = \"{T}\"\n    automatic_user_consent = {{ inbound_allowed = true, outbound_allowed = true }}\n")),
        "{}",
        d.detail
    );
    // Not set on the partner: the default configuration decides.
    let inherit = json!({"tenantId": T, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}});
    let default_off = json!({"automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false}});
    let d = source_missing(vec![
        answer(api::get_partner(T), 200, Some(inherit.clone())),
        answer(api::get_default_policy(), 200, Some(default_off)),
    ])
    .await;
    assert!(
        d.detail.contains(
            "automatic_user_consent = { inbound_allowed = false, outbound_allowed = true }"
        ),
        "{}",
        d.detail
    );
    // No partner at all.
    let d = source_missing(vec![
        answer_error(api::get_partner(T), 404, "Request_ResourceNotFound", "none"),
        answer(
            api::get_default_policy(),
            200,
            Some(json!({"automaticUserConsentSettings": {"outboundAllowed": false}})),
        ),
    ])
    .await;
    assert!(
        d.detail.contains("has no partner configuration"),
        "{}",
        d.detail
    );
    // A default that allows it is enough: the create goes on.
    let m = MockTransport::new(vec![
        answer(api::get_partner(T), 200, Some(inherit)),
        answer(
            api::get_default_policy(),
            200,
            Some(json!({"automaticUserConsentSettings": {"outboundAllowed": true}})),
        ),
        answer_error(
            api::find_applications("Sync to Fabrikam"),
            500,
            "Boom",
            "stop here",
        ),
    ]);
    let e = create(&m, &config()).await.unwrap_err();
    m.assert_done();
    assert!(e.diags.0[0].detail.contains("stop here"), "{}", e.diags);
}

#[tokio::test(start_paused = true)]
async fn a_scoping_id_not_found_fails_on_its_attribute_after_a_bounded_wait() {
    let mut script = up_to_service_principal();
    script.extend([
        answer(api::validate_credentials(SP, T), 204, None),
        answer(api::create_job(SP), 201, Some(job("Disabled"))),
        answer(api::get_job(SP, "j1"), 200, Some(job("Disabled"))),
        answer(
            api::put_secrets(SP, T, false, Some("ops@contoso.com")),
            204,
            None,
        ),
    ]);
    for _ in 0..100 {
        script.push(answer_error(
            api::assign(SP, "role-1", GROUP),
            404,
            "Request_ResourceNotFound",
            "Resource does not exist.",
        ));
    }
    let m = MockTransport::new(script);
    let started = tokio::time::Instant::now();
    // A 600 s create timeout: the wait is 30 s (the smaller of 30 s and a quarter of it).
    let e = create(&m, &config()).await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(40),
        "{waited:?}"
    );
    let d = &e.diags.0[0];
    assert_eq!(d.path, Some(AttrPath::root().attr("scoping_group_ids")));
    assert!(
        d.summary.contains(GROUP) && d.detail.contains("answered 404 for 3"),
        "{d:?}"
    );
    assert!(e.state.is_some(), "the configuration exists: kept");
    // A shorter timeout shortens the wait: a quarter of 20 s.
    assert_eq!(
        assign::principal_wait(&Deadline::after(
            Duration::from_secs(20),
            tokio_util::sync::CancellationToken::new()
        )),
        Duration::from_secs(5)
    );
}
