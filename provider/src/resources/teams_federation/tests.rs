//! The model's mapping, the schema's validation and, over a scripted transport, what each
//! operation sends: a read, a PATCH of what differs, a read after it.

use super::model::*;
use super::*;
use crate::clients::http::mock::{step, MockTransport, Step};
use crate::framework::TypedResource;
use crate::resources::shared::teams_federation::PATH;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::Duration;

/// The service default as the API answers it (API-NOTES.md#teams-federation-defaults).
pub(super) fn service_default() -> Json {
    json!({
        "Identity": "Global",
        "AllowedDomains": {"AllowAllKnownDomains": {}},
        "BlockedDomains": [],
        "AllowFederatedUsers": true,
        "AllowTeamsConsumer": true,
        "AllowTeamsConsumerInbound": true,
        "ExternalAccessWithTrialTenants": "Blocked",
        "BlockAllSubdomains": false,
        "RestrictTeamsConsumerToExternalUserProfiles": false,
    })
}

fn low_trust() -> Federation {
    Federation {
        domain_mode: Some(ALLOW_LIST.into()),
        allow_teams_consumer: Some(false),
        allow_teams_consumer_inbound: Some(false),
        ..Federation::service_defaults()
    }
}

fn scripted(script: Vec<Step>) -> (Ctx, Arc<MockTransport>) {
    let m = MockTransport::new(script);
    (Ctx::for_tests(m.clone(), Duration::from_secs(3)), m)
}

fn get(body: Json) -> Step {
    step("GET", PATH, 200, Some(body))
}

fn patched(mut v: Json, changes: Json) -> Json {
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[test]
fn the_default_configuration_reads_as_the_defaults() {
    let c = Config::from_json(service_default());
    assert_eq!(Federation::from_config(&c), Federation::service_defaults());
}

#[test]
fn changes_name_only_what_differs_and_the_mode_is_the_allowed_domains_shape() {
    let live = Config::from_json(service_default());
    let changes = low_trust().changes_from(&live);
    assert_eq!(
        Json::Object(changes),
        json!({
            "AllowTeamsConsumer": false,
            "AllowTeamsConsumerInbound": false,
            "AllowedDomains": {"AllowedDomain": []},
        })
    );
    // Already in allow-list mode: the list (the domain resources') is not sent.
    let listed = Config::from_json(patched(
        service_default(),
        json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "fabrikam.com"}]}}),
    ));
    let changes = low_trust().changes_from(&listed);
    assert!(!changes.contains_key("AllowedDomains"), "{changes:?}");
    // Back to block-list mode.
    let changes = Federation::service_defaults().changes_from(&listed);
    assert_eq!(
        Json::Object(changes),
        json!({"AllowedDomains": {"AllowAllKnownDomains": {}}})
    );
}

#[test]
fn destroy_keeps_allow_list_mode_while_the_list_holds_domains() {
    let empty = Config::from_json(patched(
        service_default(),
        json!({"AllowedDomains": {"AllowedDomain": []}}),
    ));
    assert_eq!(restored(&empty).domain_mode.as_deref(), Some(BLOCK_LIST));
    let listed = Config::from_json(patched(
        service_default(),
        json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "other.example"}]}}),
    ));
    assert_eq!(restored(&listed).domain_mode.as_deref(), Some(ALLOW_LIST));
    assert_eq!(restored(&listed).allow_teams_consumer, Some(true));
}

#[test]
fn bad_values_are_refused_at_plan_naming_the_attribute() {
    let mut config = Value::null_object(&schema().ty());
    config.set_attr("domain_mode", Value::string("allowlist"));
    config.set_attr(
        "external_access_with_trial_tenants",
        Value::string("blocked"),
    );
    let d = schema().validate(&config);
    let paths: Vec<String> =
        d.0.iter()
            .filter_map(|x| x.path.as_ref())
            .map(|p| p.to_string())
            .collect();
    assert!(paths.iter().any(|p| p.contains("domain_mode")), "{d}");
    assert!(
        paths
            .iter()
            .any(|p| p.contains("external_access_with_trial_tenants")),
        "{d}"
    );
}

#[test]
fn the_import_id_is_global() {
    let r = TeamsFederation;
    assert!(TypedResource::parse_import_id(&r, "global").is_ok());
    assert!(TypedResource::parse_import_id(&r, "Global").is_ok());
    let e = TypedResource::parse_import_id(&r, "default").unwrap_err();
    assert!(e.to_string().contains("global"), "{e}");
}

#[tokio::test]
async fn create_reads_patches_what_differs_and_reads_back() {
    let after = patched(
        service_default(),
        json!({"AllowTeamsConsumer": false, "AllowTeamsConsumerInbound": false, "AllowedDomains": {"AllowedDomain": []}}),
    );
    let (ctx, m) = scripted(vec![
        get(service_default()),
        step("PATCH", PATH, 204, None),
        get(after),
    ]);
    let got = TypedResource::create(&TeamsFederation, &ctx, low_trust())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(got, low_trust());
    let bodies = m.bodies();
    let sent = bodies.iter().flatten().next().unwrap();
    assert_eq!(sent["AllowedDomains"], json!({"AllowedDomain": []}));
    assert!(sent.get("AllowFederatedUsers").is_none(), "{sent}");
}

#[tokio::test]
async fn a_write_that_does_not_take_is_an_error_naming_the_switch() {
    let (ctx, m) = scripted(vec![
        get(service_default()),
        step("PATCH", PATH, 204, None),
        get(service_default()),
    ]);
    let e = TypedResource::update(&TeamsFederation, &ctx, low_trust(), low_trust())
        .await
        .unwrap_err();
    m.assert_done();
    let text = format!("{e:?}");
    assert!(
        text.contains("allow_teams_consumer is true (wanted false)"),
        "{text}"
    );
}

#[tokio::test]
async fn nothing_differs_nothing_is_written() {
    let (ctx, m) = scripted(vec![get(service_default())]);
    let got = TypedResource::create(&TeamsFederation, &ctx, Federation::service_defaults())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(got, Federation::service_defaults());
}

#[tokio::test]
async fn delete_restores_the_defaults_but_never_drops_listed_domains() {
    let live = patched(
        service_default(),
        json!({"AllowTeamsConsumer": false, "AllowedDomains": {"AllowedDomain": [{"Domain": "other.example"}]}}),
    );
    let after = patched(live.clone(), json!({"AllowTeamsConsumer": true}));
    let (ctx, m) = scripted(vec![get(live), step("PATCH", PATH, 204, None), get(after)]);
    TypedResource::delete(&TeamsFederation, &ctx, low_trust())
        .await
        .unwrap();
    m.assert_done();
    let bodies = m.bodies();
    assert_eq!(
        bodies.iter().flatten().next().unwrap(),
        &json!({"AllowTeamsConsumer": true})
    );
}

#[tokio::test]
async fn a_403_names_the_teams_administrator_role() {
    let (ctx, _) = scripted(vec![step(
        "GET",
        PATH,
        403,
        Some(json!({"error": {"code": "Forbidden", "message": "Access denied."}})),
    )]);
    let e = TypedResource::read(&TeamsFederation, &ctx, Federation::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Teams Administrator"), "{e}");
}

#[tokio::test]
async fn create_never_overwrites_a_switch_changed_outside_terraform() {
    // Someone turned Teams consumer chat off in the admin center; a create that would turn it
    // back on (the default) is refused, nothing is written.
    let portal = patched(service_default(), json!({"AllowTeamsConsumer": false}));
    let (ctx, m) = scripted(vec![get(portal.clone())]);
    let planned = Federation {
        domain_mode: Some(ALLOW_LIST.into()),
        ..Federation::service_defaults()
    };
    let e = TypedResource::create(&TeamsFederation, &ctx, planned)
        .await
        .unwrap_err();
    m.assert_done();
    let text = format!("{e:?}");
    assert!(
        text.contains("allow_teams_consumer") && text.contains("global"),
        "{text}"
    );
    // A configuration that keeps the portal's value is written.
    let (ctx, m) = scripted(vec![
        get(portal.clone()),
        step("PATCH", PATH, 204, None),
        get(patched(
            portal,
            json!({"AllowedDomains": {"AllowedDomain": []}}),
        )),
    ]);
    let planned = Federation {
        allow_teams_consumer: Some(false),
        domain_mode: Some(ALLOW_LIST.into()),
        ..Federation::service_defaults()
    };
    TypedResource::create(&TeamsFederation, &ctx, planned)
        .await
        .unwrap();
    m.assert_done();
}
