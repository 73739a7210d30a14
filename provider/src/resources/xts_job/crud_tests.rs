//! Exactly what read, update and delete send, over a scripted transport.

use super::tests::{config, default_schema, APP, GROUP, SP, T, USER};
use super::*;
use crate::clients::http::mock::{answer, answer_error, MockTransport};
use crate::framework::Resource;
use serde_json::json;
use std::time::Duration;

fn sp_body() -> serde_json::Value {
    json!({"id": SP, "appId": "app-id-1", "displayName": "Sync to Fabrikam",
           "applicationTemplateId": api::TEMPLATE_ID,
           "appRoles": [{"id": "role-1", "displayName": "msiam_access", "allowedMemberTypes": ["User"]}]})
}

fn job(state: &str) -> serde_json::Value {
    json!({"id": "j1", "templateId": "Azure2Azure",
           "schedule": {"expiration": null, "interval": "PT40M", "state": state},
           "status": {"code": "NotRun", "lastExecution": null, "lastSuccessfulExecution": null, "quarantine": null}})
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
async fn read_takes_four_gets_and_reflects_every_attribute() {
    let mut schema = mapping::with_mappings(&default_schema(), "Guest", false).unwrap();
    schema["@odata.context"] = json!("x");
    let m = MockTransport::new(vec![
        answer(
            api::get_service_principal_with_assignments(SP),
            200,
            Some(
                json!({"id": SP, "appId": "app-id-1", "displayName": "Renamed", "applicationTemplateId": api::TEMPLATE_ID,
                "appRoleAssignedTo": [
                    {"id": "a1", "principalId": USER, "principalType": "User"},
                    {"id": "a2", "principalId": GROUP, "principalType": "Group"},
                ]}),
            ),
        ),
        answer(
            api::list_jobs(SP),
            200,
            Some(json!({"value": [job("Paused")]})),
        ),
        answer(api::get_secrets(SP), 200, Some(secrets("true", None))),
        answer(api::get_schema(SP, "j1"), 200, Some(schema)),
    ]);
    let got = XtsJobResource
        .read(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
        )
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

/// The four GETs are sent at once: a read takes one round trip, not four (each answer here
/// takes a second).
#[tokio::test(start_paused = true)]
async fn the_reads_four_gets_take_one_round_trip() {
    let slow = |mut s: crate::clients::http::mock::Step| {
        s.behaviour = crate::clients::http::mock::Behaviour::Delay(Duration::from_secs(1));
        s
    };
    let m = MockTransport::new(vec![
        slow(answer(
            api::get_service_principal_with_assignments(SP),
            200,
            Some(
                json!({"id": SP, "appId": "app-id-1", "displayName": "Sync", "applicationTemplateId": api::TEMPLATE_ID, "appRoleAssignedTo": []}),
            ),
        )),
        slow(answer(
            api::list_jobs(SP),
            200,
            Some(json!({"value": [job("Active")]})),
        )),
        slow(answer(
            api::get_secrets(SP),
            200,
            Some(secrets("false", None)),
        )),
        slow(answer(
            api::get_schema(SP, "j1"),
            200,
            Some(default_schema()),
        )),
    ]);
    let started = tokio::time::Instant::now();
    XtsJobResource
        .read(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
        )
        .await
        .unwrap()
        .unwrap();
    m.assert_done();
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

/// The target tenant as the service stores it (lowercase): the state's spelling of the same
/// GUID stays, another tenant replaces it (drift).
#[tokio::test]
async fn read_keeps_the_states_spelling_of_the_target_tenant() {
    for (stored, want) in [
        (T.to_string(), T.to_ascii_uppercase()),
        (USER.to_string(), USER.to_string()),
    ] {
        let mut schema = default_schema();
        schema["@odata.context"] = json!("x");
        let mut secrets = secrets("false", None);
        secrets["value"][1]["value"] = json!(stored);
        let m = MockTransport::new(vec![
            answer(
                api::get_service_principal_with_assignments(SP),
                200,
                Some({
                    let mut sp = sp_body();
                    sp["appRoleAssignedTo"] = json!([]);
                    sp
                }),
            ),
            answer(
                api::list_jobs(SP),
                200,
                Some(json!({"value": [job("Active")]})),
            ),
            answer(api::get_secrets(SP), 200, Some(secrets)),
            answer(api::get_schema(SP, "j1"), 200, Some(schema)),
        ]);
        let mut state = state();
        state.set_attr("target_tenant_id", Value::string(T.to_ascii_uppercase()));
        let got = XtsJobResource
            .read(&Ctx::for_tests(m.clone(), Duration::from_secs(30)), &state)
            .await
            .unwrap()
            .unwrap();
        m.assert_done();
        assert_eq!(got.get("target_tenant_id"), &Value::string(want));
        assert_eq!(got.get("id"), &Value::string(SP));
    }
}

#[tokio::test]
async fn read_of_a_deleted_configuration_is_gone_and_import_finds_the_application() {
    // The four GETs go at once; with the service principal gone, the others' 404s are not
    // looked at.
    let gone = |r| answer_error(r, 404, "Request_ResourceNotFound", "gone");
    let m = MockTransport::new(vec![
        gone(api::get_service_principal_with_assignments(SP)),
        gone(api::list_jobs(SP)),
        gone(api::get_secrets(SP)),
        gone(api::get_schema(SP, "j1")),
    ]);
    assert!(XtsJobResource
        .read(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state()
        )
        .await
        .unwrap()
        .is_none());
    m.assert_done();

    let imported =
        crate::framework::lifecycle::import(&XtsJobResource, &ImportCtx::default(), SP).unwrap();
    let m = MockTransport::new(vec![
        // The expansion refused: the service principal alone, then the assignments listed.
        answer_error(
            api::get_service_principal_with_assignments(SP),
            400,
            "BadRequest",
            "no expand",
        ),
        answer(api::get_service_principal(SP), 200, Some(sp_body())),
        answer(
            api::find_application_by_app_id("app-id-1"),
            200,
            Some(json!({"value": [{"id": APP}]})),
        ),
        answer(
            api::list_jobs(SP),
            200,
            Some(json!({"value": [job("Active")]})),
        ),
        answer(
            api::get_secrets(SP),
            200,
            Some(secrets("false", Some("ops@contoso.com"))),
        ),
        answer(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        answer(api::get_template_schema(SP), 200, Some(default_schema())),
        answer(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})),
        ),
    ]);
    let got = XtsJobResource
        .read(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &imported,
        )
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
        answer(api::rename_application(APP, "New name"), 204, None),
        answer(api::rename_service_principal(SP, "New name"), 204, None),
        answer(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})),
        ),
        answer(api::unassign(SP, "a2"), 204, None),
        answer(api::get_service_principal(SP), 200, Some(sp_body())),
        answer(
            api::assign(SP, "role-1", USER),
            201,
            Some(json!({"id": "a3"})),
        ),
        answer(api::pause_job(SP, "j1"), 204, None),
    ]);
    XtsJobResource
        .update(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
            &new,
        )
        .await
        .unwrap();
    m.assert_done();

    // A mapping change: read, modify, write the schema; nothing else.
    let mut new = state();
    new.set_attr("show_in_address_list", Value::Bool(false));
    let m = MockTransport::new(vec![
        answer(api::get_schema(SP, "j1"), 200, Some(default_schema())),
        answer(api::put_schema(SP, "j1", json!({})), 204, None),
    ]);
    XtsJobResource
        .update(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
            &new,
        )
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
    let m = MockTransport::new(vec![answer(api::put_secrets(SP, T, true, None), 204, None)]);
    XtsJobResource
        .update(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
            &new,
        )
        .await
        .unwrap();
    assert_eq!(m.bodies()[0], api::put_secrets(SP, T, true, None).body);
}

#[tokio::test(start_paused = true)]
async fn delete_stops_and_deletes_the_job_then_the_application_until_gone() {
    let m = MockTransport::new(vec![
        answer(api::pause_job(SP, "j1"), 204, None),
        answer(api::delete_job(SP, "j1"), 204, None),
        answer(api::delete_application(APP), 204, None),
        answer(
            api::get_application(APP),
            200,
            Some(json!({"id": APP, "displayName": "x"})),
        ),
        answer_error(
            api::get_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
    ]);
    XtsJobResource
        .delete(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
        )
        .await
        .unwrap();
    m.assert_done();

    // Already gone (deleted out of band): every 404 is "done".
    let m = MockTransport::new(vec![
        answer_error(api::pause_job(SP, "j1"), 404, "NotFound", "gone"),
        answer_error(api::delete_job(SP, "j1"), 404, "NotFound", "gone"),
        answer_error(
            api::delete_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
        answer_error(
            api::get_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
    ]);
    XtsJobResource
        .delete(
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &state(),
        )
        .await
        .unwrap();
    m.assert_done();
}

fn job_run(code: &str, activity: Option<&str>) -> serde_json::Value {
    let mut j = job("Active");
    j["status"]["code"] = json!(code);
    j["status"]["lastExecution"] = match activity {
        Some(a) => json!({"activityIdentifier": a, "state": "Succeeded"}),
        None => serde_json::Value::Null,
    };
    if code == "Quarantine" {
        j["status"]["quarantine"] = json!({"reason": "EncounteredQuarantineException"});
    }
    j
}

/// `deprovision_on_destroy`: unassign everything, restart, wait for a cycle that ended after
/// the restart (a new last execution, no longer `NotRun`), then the usual delete.
#[tokio::test(start_paused = true)]
async fn deprovision_on_destroy_waits_for_the_cycle_then_deletes() {
    let mut s = state();
    s.set_attr("deprovision_on_destroy", Value::Bool(true));
    let m = MockTransport::new(vec![
        answer(
            api::list_assignments(SP),
            200,
            Some(json!({"value": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})),
        ),
        answer(api::unassign(SP, "a2"), 204, None),
        answer(
            api::get_job(SP, "j1"),
            200,
            Some(job_run("Active", Some("r1"))),
        ),
        answer(api::restart_job(SP, "j1"), 204, None),
        // Restarted, its cycle not run yet.
        answer(
            api::get_job(SP, "j1"),
            200,
            Some(job_run("NotRun", Some("r1"))),
        ),
        answer(
            api::get_job(SP, "j1"),
            200,
            Some(job_run("Active", Some("r2"))),
        ),
        answer(api::pause_job(SP, "j1"), 204, None),
        answer(api::delete_job(SP, "j1"), 204, None),
        answer(api::delete_application(APP), 204, None),
        answer_error(
            api::get_application(APP),
            404,
            "Request_ResourceNotFound",
            "gone",
        ),
    ]);
    XtsJobResource
        .delete(&Ctx::for_tests(m.clone(), Duration::from_secs(60)), &s)
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(
        m.bodies()[3],
        Some(json!({"criteria": {"resetScope": "Watermark"}}))
    );

    // Quarantined meanwhile: the destroy fails with the reason, the configuration stays.
    let m = MockTransport::new(vec![
        answer(api::list_assignments(SP), 200, Some(json!({"value": []}))),
        answer(
            api::get_job(SP, "j1"),
            200,
            Some(job_run("Active", Some("r1"))),
        ),
        answer(api::restart_job(SP, "j1"), 204, None),
        answer(
            api::get_job(SP, "j1"),
            200,
            Some(job_run("Quarantine", Some("r2"))),
        ),
    ]);
    let err = XtsJobResource
        .delete(&Ctx::for_tests(m.clone(), Duration::from_secs(60)), &s)
        .await
        .unwrap_err();
    m.assert_done();
    let text = format!("{err:?}");
    assert!(
        text.contains("quarantined") && text.contains("EncounteredQuarantineException"),
        "{text}"
    );
}
