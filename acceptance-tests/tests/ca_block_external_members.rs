//! Acceptance scenarios for `coexistence_ca_block_external_members` against the emulator,
//! through the real terraform CLI (`TF_ACC_TERRAFORM_PATH` selects which).
//!
//! Every apply and destroy goes through [`Steps`] tracking the policies ([`CA_POLICY`]): each
//! apply is followed by an empty plan and import-verify, each destroy by a check that no live
//! policy is left. The emulator keeps Conditional Access at one request per second per tenant
//! (429 without Retry-After) throughout, as the service does.

mod common;

use std::time::{Duration, Instant};

use coexistence_acceptance::emulator::graph::ca::{deleted_path, policy_path, POLICIES_PATH};
use common::ca_block_external_members::{CaPolicy, CA_POLICY};
use common::*;
use serde_json::{json, Value};

const NAME: &str = "Block external members from partner tenants";
const BREAK_GLASS: &str = "8e2f4a1b-6c3d-4e5f-9a0b-1c2d3e4f5a6b";
const GROUP: &str = "ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba";
const OTHER_TENANT: &str = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54";

/// The live (not soft-deleted) policies of `tenant`.
fn live_policies(acc: &Acc, tenant: &str) -> Vec<(String, Value)> {
    acc.emu
        .objects(tenant)
        .into_iter()
        .filter(|(p, _)| p.starts_with(&format!("{POLICIES_PATH}/")))
        .collect()
}

async fn policy_of(acc: &Acc, address: &str) -> (String, Value) {
    let id = acc.tf.resource(address).await["id"]
        .as_str()
        .expect("id in state")
        .to_string();
    let obj = acc
        .emu
        .object(&acc.home.tenant_id, &policy_path(&id))
        .unwrap_or_else(|| panic!("no policy {id} in the emulator"));
    (id, obj)
}

/// The parts of a policy the resource owns.
fn owned(p: &Value) -> Value {
    json!({
        "conditions": p["conditions"],
        "grantControls": p["grantControls"],
        "sessionControls": p["sessionControls"],
    })
}

fn sorted(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("{v} is not an array"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

fn sorted_of(items: &[&str]) -> Vec<String> {
    let mut s: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    s.sort();
    s
}

/// Out-of-band edit of the stored policy (as the portal would make it).
fn edit(acc: &Acc, id: &str, f: impl FnOnce(&mut Value)) {
    let path = policy_path(id);
    let mut obj = acc.emu.object(&acc.home.tenant_id, &path).expect("policy");
    f(&mut obj);
    acc.emu.put_object(&acc.home.tenant_id, &path, obj);
}

/// Create in report-only mode; enable in place; add and remove tenants and exclusions in place;
/// recreate after it disappeared remotely; destroy leaves only the soft-deleted copy.
#[tokio::test(flavor = "multi_thread")]
async fn lifecycle_report_only_then_enabled_tenants_and_exclusions_in_place() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let partner = acc.partner.tenant_id.clone();
    let mut p = CaPolicy::new("partners", NAME, &[&partner]);
    let addr = p.address();
    steps.config(&p.hcl());
    acc.tf.plan_expect_create(&addr).await;
    steps.apply().await;

    let state = acc.tf.resource(&addr).await;
    assert_eq!(state["state"], "enabledForReportingButNotEnforced");
    assert_eq!(state["exclude_user_ids"], json!([]));
    assert_eq!(state["shape_differences"], json!([]));
    assert!(state["created_date_time"].is_string());
    assert_eq!(state["modified_date_time"], Value::Null);
    let (id, obj) = policy_of(&acc, &addr).await;
    assert_eq!(obj["displayName"], NAME);
    assert_eq!(obj["state"], "enabledForReportingButNotEnforced");
    let guests = &obj["conditions"]["users"]["includeGuestsOrExternalUsers"];
    assert_eq!(guests["guestOrExternalUserTypes"], "b2bCollaborationMember");
    assert_eq!(guests["externalTenants"]["membershipKind"], "enumerated");
    assert_eq!(guests["externalTenants"]["members"], json!([partner]));
    assert_eq!(
        obj["conditions"]["applications"]["includeApplications"],
        json!(["All"])
    );
    assert_eq!(obj["grantControls"]["builtInControls"], json!(["block"]));
    assert_eq!(obj["grantControls"]["operator"], "OR");

    // Enforce it: an in-place update of the same policy.
    p.state = Some("enabled".into());
    steps.config(&p.hcl());
    acc.tf
        .plan_expect_changed_paths(&addr, &["state", "modified_date_time"])
        .await;
    steps.apply().await;
    let (same, obj) = policy_of(&acc, &addr).await;
    assert_eq!(same, id);
    assert_eq!(obj["state"], "enabled");
    assert!(obj["modifiedDateTime"].is_string());

    // Another tenant and both kinds of exclusion, in place.
    p.external_tenant_ids.push(OTHER_TENANT.into());
    p.exclude_user_ids = Some(vec![BREAK_GLASS.into()]);
    p.exclude_group_ids = Some(vec![GROUP.into()]);
    steps.config(&p.hcl());
    acc.tf
        .plan_expect_changed_paths(
            &addr,
            &[
                "external_tenant_ids",
                "exclude_user_ids",
                "exclude_group_ids",
                "modified_date_time",
            ],
        )
        .await;
    steps.apply().await;
    let (same, obj) = policy_of(&acc, &addr).await;
    assert_eq!(same, id);
    let users = &obj["conditions"]["users"];
    assert_eq!(
        sorted(&users["includeGuestsOrExternalUsers"]["externalTenants"]["members"]),
        sorted_of(&[&partner, OTHER_TENANT])
    );
    assert_eq!(users["excludeUsers"], json!([BREAK_GLASS]));
    assert_eq!(users["excludeGroups"], json!([GROUP]));

    // Remove the first tenant and the exclusions (one omitted, one emptied), in place.
    p.external_tenant_ids = vec![OTHER_TENANT.into()];
    p.exclude_user_ids = None;
    p.exclude_group_ids = Some(Vec::new());
    steps.config(&p.hcl());
    acc.tf
        .plan_expect_changed_paths(
            &addr,
            &[
                "external_tenant_ids",
                "exclude_user_ids",
                "exclude_group_ids",
                "modified_date_time",
            ],
        )
        .await;
    steps.apply().await;
    let (same, obj) = policy_of(&acc, &addr).await;
    assert_eq!(same, id);
    let users = &obj["conditions"]["users"];
    assert_eq!(
        users["includeGuestsOrExternalUsers"]["externalTenants"]["members"],
        json!([OTHER_TENANT])
    );
    assert_eq!(users["excludeUsers"], json!([]));
    assert_eq!(users["excludeGroups"], json!([]));

    // Deleted out of band: the next plan creates it again.
    assert!(acc.emu.delete_object(&home, &policy_path(&id)));
    acc.tf.plan_expect_create(&addr).await;
    steps.apply().await;
    let (new_id, _) = policy_of(&acc, &addr).await;
    assert_ne!(new_id, id);

    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
    let deleted = acc
        .emu
        .object(&home, &deleted_path(&new_id))
        .expect("soft-deleted");
    assert!(deleted["deletedDateTime"].is_string());
}

/// An out-of-band edit of a stored policy.
type Edit = fn(&mut Value);

/// Each kind of out-of-band shape change shows on `shape_differences` in the plan and the
/// apply restores the managed shape.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_shape_changes_are_planned_and_repaired() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    let addr = p.address();
    steps.apply_config(&p.hcl()).await;
    let (id, created) = policy_of(&acc, &addr).await;
    let managed = owned(&created);

    let edits: Vec<(&str, Edit, &[&str])> = vec![
        (
            "a user type added",
            |o| {
                o["conditions"]["users"]["includeGuestsOrExternalUsers"]
                    ["guestOrExternalUserTypes"] =
                    json!("b2bCollaborationGuest,b2bCollaborationMember")
            },
            &[],
        ),
        (
            "applications narrowed",
            |o| o["conditions"]["applications"]["includeApplications"] = json!(["Office365"]),
            &[],
        ),
        (
            "a grant control added",
            |o| o["grantControls"]["builtInControls"] = json!(["block", "mfa"]),
            &[],
        ),
        (
            "a session control added",
            |o| {
                o["sessionControls"] =
                    json!({"signInFrequency": {"value": 4, "type": "hours", "isEnabled": true}})
            },
            &[],
        ),
        (
            "external tenants switched to all",
            |o| {
                o["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] = json!({
                    "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                    "membershipKind": "all"
                })
            },
            &["external_tenant_ids"],
        ),
    ];
    for (what, f, also) in edits {
        edit(&acc, &id, f);
        let mut paths = vec!["shape_differences", "modified_date_time"];
        paths.extend_from_slice(also);
        let change = acc.tf.plan_expect_changed_paths(&addr, &paths).await;
        eprintln!("{what}: {change}");
        let refreshed = acc.tf.plan_changes().await;
        let before = &refreshed.0["resource_changes"][0]["change"]["before"]["shape_differences"];
        assert!(
            before.as_array().is_some_and(|d| !d.is_empty()),
            "{what}: the plan shows no shape difference: {before}"
        );
        steps.apply().await;
        let (same, repaired) = policy_of(&acc, &addr).await;
        assert_eq!(same, id, "{what}: repaired in place");
        assert_eq!(
            owned(&repaired),
            managed,
            "{what}: the managed shape is back"
        );
    }
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// Three policies in one apply under the one-request-per-second limit: no error, no 429 after
/// the pacer took over, in about the time the limit allows for the requests made.
#[tokio::test(flavor = "multi_thread")]
async fn three_policies_in_one_apply_keep_the_rate_limit() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let names = ["one", "two", "three"];
    let mut steps = Steps::new(&acc);
    let mut hcl = String::new();
    for n in names {
        steps = steps.track(&CA_POLICY, n, &home);
        hcl += &CaPolicy::new(
            n,
            &format!("Block external members {n}"),
            &[&acc.partner.tenant_id],
        )
        .hcl();
    }
    acc.config(&hcl);
    acc.emu.clear_requests();
    let started = Instant::now();
    acc.tf.apply_no_plan_check().await;
    let took = started.elapsed();
    let ca: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/identity/conditionalAccess"))
        .collect();
    let throttled = ca.iter().filter(|r| r.status == 429).count();
    let admitted = ca.len() - throttled;
    eprintln!("{} requests ({throttled} throttled) in {took:?}", ca.len());
    assert_eq!(live_policies(&acc, &home).len(), 3);
    assert!(admitted >= 6, "three POSTs and three reads: {ca:#?}");
    // One a second: the admitted requests cannot take less than (n - 1) seconds...
    let floor = Duration::from_secs(admitted as u64 - 1);
    assert!(took >= floor, "{took:?} < {floor:?}");
    // ... and the pacer keeps the apply near that floor (terraform itself takes a few seconds).
    assert!(
        took <= floor + Duration::from_secs(8),
        "{took:?} is far above the {floor:?} the limit allows; {throttled} throttled"
    );
    assert!(throttled <= 1, "the pacer should avoid throttling: {ca:#?}");
    acc.tf.plan_expect_empty().await;
    steps.import_verify().await;
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// A policy made in the portal with the managed shape imports with an empty plan; one of
/// another shape is refused with what differs.
#[tokio::test(flavor = "multi_thread")]
async fn import_adopts_the_managed_shape_and_refuses_a_foreign_policy() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    // Made by the provider in a throwaway workspace state, then forgotten: a portal-made
    // policy with exactly the managed shape.
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    let addr = p.address();
    acc.config(&p.hcl());
    acc.tf.apply().await;
    let (id, obj) = policy_of(&acc, &addr).await;
    acc.tf.state_rm(&addr).await;

    // A foreign policy: the same but for MFA on Office 365 only.
    let foreign_id = "5e0b3e42-1d4c-4f6a-8f1e-2a3b4c5d6e7f";
    let mut foreign = obj.clone();
    foreign["id"] = json!(foreign_id);
    foreign["displayName"] = json!("Require MFA for partner members");
    foreign["conditions"]["applications"]["includeApplications"] = json!(["Office365"]);
    foreign["grantControls"]["builtInControls"] = json!(["mfa"]);
    acc.emu.put_object(&home, &policy_path(foreign_id), foreign);
    let out = acc
        .tf
        .import_expect_error(&addr, foreign_id, "Not a block-external-members policy")
        .await;
    assert!(
        out.stderr.contains("includeApplications") && out.stderr.contains("builtInControls"),
        "{out}"
    );
    assert!(acc.tf.try_resource(&addr).await.is_none());

    // By the display name people know (exactly one policy has it): the read finds its ID.
    acc.tf.import(&addr, NAME).await;
    let state = acc.tf.resource(&addr).await;
    assert_eq!(state["id"], json!(id));
    assert_eq!(state["display_name"], NAME);
    assert_eq!(state["external_tenant_ids"], json!([acc.partner.tenant_id]));
    steps.destroy().await;
    assert_eq!(
        live_policies(&acc, &home).len(),
        1,
        "only the foreign policy is left"
    );
}

/// Real answers carry `grantControls.authenticationStrength` (a contained navigation property,
/// `null` here) with its `@odata.context` annotation beside it, and so do the emulator's
/// (API-NOTES.md#ca-authentication-strength): such a policy reads with an empty plan, and a
/// portal-made one imports with an empty plan.
#[tokio::test(flavor = "multi_thread")]
async fn an_annotated_answer_reads_and_imports_with_an_empty_plan() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    let addr = p.address();
    acc.config(&p.hcl());
    acc.tf.apply().await;
    let (id, obj) = policy_of(&acc, &addr).await;
    let grant = &obj["grantControls"];
    assert_eq!(grant["authenticationStrength"], Value::Null, "{grant}");
    assert!(
        grant["authenticationStrength@odata.context"]
            .as_str()
            .is_some_and(|c| c.contains(&format!(
                "policies('{id}')/grantControls/authenticationStrength"
            ))),
        "{grant}"
    );
    acc.tf.plan_expect_empty().await;
    assert_eq!(acc.tf.resource(&addr).await["shape_differences"], json!([]));

    // Forgotten, then imported as a portal-made policy would be.
    acc.tf.state_rm(&addr).await;
    acc.tf.import(&addr, &id).await;
    let state = acc.tf.resource(&addr).await;
    assert_eq!(state["shape_differences"], json!([]));
    assert_eq!(state["external_tenant_ids"], json!([acc.partner.tenant_id]));
    acc.tf.plan_expect_empty().await;
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// A policy of the configured name made out of band (here: by an earlier apply, then
/// forgotten): the create is refused, naming it and its import ID, and no second policy is
/// made (the name is how an interrupted create finds its policy, so it must stay unique).
#[tokio::test(flavor = "multi_thread")]
async fn a_namesake_made_out_of_band_is_refused_not_duplicated() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    acc.config(&p.hcl());
    acc.tf.apply().await;
    let (id, _) = policy_of(&acc, &p.address()).await;
    acc.tf.state_rm(&p.address()).await;
    acc.emu.clear_requests();
    let out = steps
        .apply_expect_error(&format!(
            "A Conditional Access policy named \"{NAME}\" already exists (import ID: {id})"
        ))
        .await;
    assert!(
        out.stderr.contains(&format!(
            "terraform import coexistence_ca_block_external_members.<name> '{id}'"
        )),
        "{out}"
    );
    let posts: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains("/conditionalAccess/"))
        .collect();
    assert!(posts.is_empty(), "no create was sent: {posts:#?}");
    let live = live_policies(&acc, &home);
    assert_eq!(live.len(), 1, "no second policy: {live:#?}");
    // Imported as the diagnostic says, it is managed again.
    acc.tf.import(&p.address(), &id).await;
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// The create POST is applied but its answer lost (connection reset): the provider finds the
/// policy by display name and adopts it. Exactly one policy.
#[tokio::test(flavor = "multi_thread")]
async fn a_reset_on_the_create_post_leaves_exactly_one_policy() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    acc.emu.inject(
        Fault::reset()
            .after_apply()
            .on("POST", "/identity/conditionalAccess/policies"),
    );
    acc.emu.clear_requests();
    steps.apply_config(&p.hcl()).await;
    let posts: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains("/conditionalAccess/policies"))
        .collect();
    assert_eq!(posts.len(), 1, "never posted again: {posts:#?}");
    assert_eq!(posts[0].status, 0, "the answer was lost");
    let live = live_policies(&acc, &home);
    assert_eq!(live.len(), 1, "{live:#?}");
    let (id, _) = policy_of(&acc, &p.address()).await;
    assert!(live[0].0.ends_with(&id));
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// The create POST is lost before the service saw it (connection reset), and the lookup that
/// follows is throttled (429 without Retry-After, twice): the provider backs off, finds no
/// policy, posts again. Exactly one policy.
#[tokio::test(flavor = "multi_thread")]
async fn an_unapplied_reset_then_throttling_still_leave_exactly_one_policy() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&CA_POLICY, "partners", &home);
    let p = CaPolicy::new("partners", NAME, &[&acc.partner.tenant_id]);
    acc.emu
        .inject(Fault::reset().on("POST", "/identity/conditionalAccess/policies"));
    acc.emu.inject(
        Fault::status(429)
            .times(2)
            .on("GET", "/identity/conditionalAccess/policies"),
    );
    acc.emu.clear_requests();
    steps.apply_config(&p.hcl()).await;
    let ca: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/conditionalAccess/policies"))
        .collect();
    let posts: Vec<u16> = ca
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, vec![0, 201], "lost, then sent again once: {ca:#?}");
    assert!(
        ca.iter().filter(|r| r.status == 429).count() >= 2,
        "{ca:#?}"
    );
    assert_eq!(live_policies(&acc, &home).len(), 1);
    steps.destroy().await;
    assert!(live_policies(&acc, &home).is_empty());
}

/// Bad input is refused at plan time, pointing at the attribute, before any API call.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_at_plan_time() {
    let acc = Acc::start().await;
    let mut p = CaPolicy::new("partners", NAME, &["fabrikam.onmicrosoft.com"]);
    acc.config(&p.hcl());
    acc.tf.plan_expect_error("is not a GUID").await;
    p.external_tenant_ids = Vec::new();
    acc.config(&p.hcl());
    acc.tf.plan_expect_error("at least 1").await;
    p.external_tenant_ids = vec![OTHER_TENANT.into(), OTHER_TENANT.to_uppercase()];
    p.state = Some("on".into());
    acc.config(&p.hcl());
    let out = acc.tf.plan_expect_error("listed twice").await;
    assert!(out.stderr.contains("\"on\" is not allowed"), "{out}");
    assert!(
        !acc.emu
            .requests()
            .iter()
            .any(|r| r.path.contains("/identity/conditionalAccess")),
        "no Conditional Access request"
    );
}
