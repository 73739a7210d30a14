//! The create paths (clean, in doubt and adopted, in doubt and absent) and the read of an
//! import, against a scripted transport.

use super::tests::{graph_policy, planned, BASE, ID};
use super::*;
// The erased trait: these tests drive the resource as the server does, over values.
use crate::clients::http::mock::{fail, step, MockTransport};
use crate::framework::Resource;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn ctx(m: Arc<MockTransport>) -> Ctx {
    Ctx::for_tests(m, Duration::from_secs(120))
}

#[tokio::test(start_paused = true)]
async fn a_create_looks_first_and_refuses_a_namesake_without_posting() {
    // Any policy of that name, of whatever shape: a second one would make the name ambiguous.
    let namesake = json!({"value": [graph_policy()]});
    let m = MockTransport::new(vec![step("GET", BASE, 200, Some(namesake))]);
    let e = CaBlockExternalMembers
        .create(&ctx(m.clone()), &planned())
        .await
        .unwrap_err();
    m.assert_done();
    let d = &e.diags.0[0];
    assert!(
        d.detail.contains(&format!("(import ID: {ID})"))
            && d.detail.contains(&format!(
                "terraform import coexistence_ca_block_external_members.<name> '{ID}'"
            )),
        "{d:?}"
    );
    assert_eq!(d.path, Some(AttrPath::root().attr("display_name")));
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_was_lost_adopts_the_policy_it_made() {
    let list = json!({"value": [
        {"id": "aaaaaaaa-0000-4000-8000-000000000000", "displayName": "Block partner members", "state": "enabled"},
        graph_policy(),
    ]});
    let m = MockTransport::new(vec![
        step("GET", BASE, 200, Some(json!({"value": []}))),
        fail("POST", BASE, "connection reset by peer"),
        step("GET", BASE, 200, Some(list)),
    ]);
    let v = CaBlockExternalMembers
        .create(&ctx(m.clone()), &planned())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(
        v.get("id"),
        &Value::string(ID),
        "the matching one, not the namesake"
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_in_doubt_that_made_nothing_is_sent_again_once() {
    let m = MockTransport::new(vec![
        step("GET", BASE, 200, Some(json!({"value": []}))),
        fail("POST", BASE, "connection reset by peer"),
        step("GET", BASE, 200, Some(json!({"value": []}))),
        step("POST", BASE, 201, Some(graph_policy())),
    ]);
    let v = CaBlockExternalMembers
        .create(&ctx(m.clone()), &planned())
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(v.get("id"), &Value::string(ID));
    let bodies = m.bodies();
    assert_eq!(bodies[1], bodies[3], "the same policy both times");
}

#[tokio::test(start_paused = true)]
async fn a_foreign_namesake_found_after_a_lost_answer_is_already_exists() {
    let mut other = graph_policy();
    other["grantControls"]["builtInControls"] = json!(["mfa"]);
    let m = MockTransport::new(vec![
        step("GET", BASE, 200, Some(json!({"value": []}))),
        fail("POST", BASE, "connection reset by peer"),
        step("GET", BASE, 200, Some(json!({"value": [other]}))),
    ]);
    let e = CaBlockExternalMembers
        .create(&ctx(m.clone()), &planned())
        .await
        .unwrap_err();
    m.assert_done();
    assert!(
        e.diags.to_string().contains("already exists"),
        "{}",
        e.diags
    );
}

#[tokio::test(start_paused = true)]
async fn an_import_of_another_shape_is_refused_saying_what_differs() {
    let mut foreign = graph_policy();
    foreign["conditions"]["applications"]["includeApplications"] = json!(["Office365"]);
    let m = MockTransport::new(vec![step(
        "GET",
        &format!("{BASE}/{ID}"),
        200,
        Some(foreign),
    )]);
    let imported =
        crate::framework::lifecycle::import(&CaBlockExternalMembers, &ImportCtx::default(), ID)
            .unwrap();
    let e = CaBlockExternalMembers
        .read(&ctx(m.clone()), &imported)
        .await
        .unwrap_err();
    m.assert_done();
    let text = e.to_string();
    assert!(
        text.contains("Not a block-external-members policy"),
        "{text}"
    );
    assert!(
        text.contains("conditions.applications.includeApplications"),
        "{text}"
    );
    // The same policy in state (a refresh, not an import) reads, with the difference.
    let m = MockTransport::new(vec![step(
        "GET",
        &format!("{BASE}/{ID}"),
        200,
        Some({
            let mut f = graph_policy();
            f["conditions"]["applications"]["includeApplications"] = json!(["Office365"]);
            f
        }),
    )]);
    let mut state = planned();
    state.set_attr("id", Value::string(ID));
    let v = CaBlockExternalMembers
        .read(&ctx(m), &state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.get("shape_differences").elements().len(), 1);
    assert!(crate::framework::lifecycle::import(
        &CaBlockExternalMembers,
        &ImportCtx::default(),
        // Neither a GUID nor a display name (display names are taken too).
        "no\ttabs"
    )
    .is_err());
}
