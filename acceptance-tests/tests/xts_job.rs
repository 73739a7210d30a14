//! Acceptance scenarios for `coexistence_xts_job`: the two-tenant flow (the target's partner
//! through an aliased provider, the source's partner, the job) through the real CLI. [`Steps`]
//! runs the empty-plan, import-verify and destroy-leaves-nothing checks after every step.
//! What the job needs first (partner settings, scoping IDs that exist): `xts_job_prerequisites.rs`.

mod common;

use coexistence_acceptance::emulator::graph::xts::{
    self, deleted_path, job_path, schema_path, secrets_path, sp_path, PortalConfiguration,
};
use common::xts_job::{
    applications, assigned, remote, start, steps, Job, GROUP, USER, XTS_ADDR, XTS_JOB,
};
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// The run status: computed, known after apply whenever the configuration changes.
const RUN_STATUS: &[&str] = &[
    "last_execution_state",
    "last_successful_execution_time",
    "quarantine_reason",
    "schedule_interval",
    "status",
];

/// The constant mapped to `target` in the user mapping of a schema, and its flow type.
fn constant(schema: &Value, target: &str) -> (String, String) {
    let m = xts_user_mapping(schema)
        .iter()
        .find(|m| m["targetAttributeName"] == target)
        .unwrap_or_else(|| panic!("no {target} mapping"))
        .clone();
    (
        m["source"]["name"].as_str().unwrap_or_default().to_string(),
        m["flowType"].as_str().unwrap_or_default().to_string(),
    )
}

fn xts_user_mapping(schema: &Value) -> Vec<Value> {
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn secret(secrets: &Value, key: &str) -> Option<String> {
    secrets["value"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .and_then(|kv| kv["value"].as_str())
        .map(str::to_string)
}

fn paths_with_status<'a>(paths: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = paths.iter().chain(RUN_STATUS).copied().collect();
    v.sort();
    v
}

/// The full two-tenant flow converges in one apply (running); then every updatable attribute
/// changes in place, and destroy leaves nothing in either tenant.
#[tokio::test(flavor = "multi_thread")]
async fn two_tenant_flow_then_every_attribute_in_place() {
    let acc = start().await;
    let steps = steps(&acc);
    let mut job = Job::default();
    steps.apply_config(&job.hcl(&acc)).await;
    let (s, j, sc, se) = remote(&acc).await;
    assert_eq!(j["schedule"]["state"], "Active", "{j:#}");
    assert_eq!(s["enabled"], true);
    assert_eq!(
        constant(&sc, "userType"),
        ("Member".into(), "Always".into())
    );
    assert_eq!(constant(&sc, "showInAddressList").0, "True");
    assert_eq!(secret(&se, "SyncAll").as_deref(), Some("false"));
    assert_eq!(
        secret(&se, "CompanyId").as_deref(),
        Some(acc.partner.tenant_id.as_str())
    );
    let sp = s["service_principal_id"].as_str().unwrap().to_string();
    assert_eq!(assigned(&acc, &sp), vec![GROUP.to_string()]);
    assert_eq!(applications(&acc, &acc.home.tenant_id).len(), 1);

    // Name, scope, both mappings and the e-mail, in place.
    job.name = "Contoso to Fabrikam";
    job.scope = "all";
    job.user_type = "Guest";
    job.show = false;
    job.email = Some("sync@contoso.com");
    steps.config(&job.hcl(&acc));
    acc.tf.plan_expect_update(XTS_ADDR).await;
    steps.apply().await;
    let (s, _, sc, se) = remote(&acc).await;
    assert_eq!(s["service_principal_id"], json!(sp), "updated in place");
    let app = acc
        .emu
        .object(
            &acc.home.tenant_id,
            &format!(
                "/applications/{}",
                s["application_object_id"].as_str().unwrap()
            ),
        )
        .unwrap();
    assert_eq!(app["displayName"], "Contoso to Fabrikam");
    assert_eq!(
        acc.emu.object(&acc.home.tenant_id, &sp_path(&sp)).unwrap()["displayName"],
        "Contoso to Fabrikam"
    );
    assert_eq!(constant(&sc, "userType"), ("Guest".into(), "Always".into()));
    assert_eq!(constant(&sc, "showInAddressList").0, "False");
    // Every other mapping as the template made it (the matching attribute first).
    let m = xts_user_mapping(&sc);
    assert_eq!(m[0]["targetAttributeName"], "alternativeSecurityIds");
    assert_eq!(m[0]["matchingPriority"], 1);
    assert_eq!(secret(&se, "SyncAll").as_deref(), Some("true"));
    assert!(secret(&se, "SyncNotificationSettings")
        .unwrap()
        .contains("sync@contoso.com"));

    // Assignments (the difference only) and pause.
    job.scope = "assigned";
    job.groups = vec![];
    job.users = vec![USER];
    job.enabled = false;
    job.email = None;
    steps.config(&job.hcl(&acc));
    acc.tf.plan_expect_update(XTS_ADDR).await;
    steps.apply().await;
    let (_, j, _, se) = remote(&acc).await;
    assert_eq!(j["schedule"]["state"], "Paused");
    assert_eq!(assigned(&acc, &sp), vec![USER.to_string()]);
    assert!(!secret(&se, "SyncNotificationSettings")
        .unwrap()
        .contains("@"));

    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
    // The application went to the deleted items.
    let app = s["application_object_id"].as_str().unwrap();
    assert!(acc
        .emu
        .object(&acc.home.tenant_id, &deleted_path(app))
        .is_some());
}

/// Created paused; drift on enabled, display name, each mapping, scope and the assignments
/// shows on that attribute, and apply puts it back.
#[tokio::test(flavor = "multi_thread")]
async fn created_paused_then_drift_on_each_attribute() {
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    let job = Job {
        enabled: false,
        ..Job::default()
    };
    steps.apply_config(&job.hcl(&acc)).await;
    let (s, j, _, _) = remote(&acc).await;
    assert_eq!(
        j["schedule"]["state"], "Disabled",
        "created, never started: {j:#}"
    );
    assert_eq!(s["enabled"], false);
    let sp = s["service_principal_id"].as_str().unwrap().to_string();
    let jid = s["job_id"].as_str().unwrap().to_string();

    // Started out of band.
    assert!(acc.emu.patch_object(
        &home,
        &job_path(&sp, &jid),
        json!({"schedule": {"expiration": null, "interval": "PT40M", "state": "Active"}})
    ));
    acc.tf
        .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&["enabled"]))
        .await;
    steps.apply().await;
    assert_eq!(remote(&acc).await.1["schedule"]["state"], "Paused");

    // Renamed in the portal.
    assert!(acc
        .emu
        .patch_object(&home, &sp_path(&sp), json!({"displayName": "Renamed"})));
    acc.tf
        .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&["display_name"]))
        .await;
    steps.apply().await;

    // Each mapping changed in the portal.
    for (target, value, attr) in [
        ("userType", "Guest", "user_type"),
        ("showInAddressList", "False", "show_in_address_list"),
    ] {
        let mut schema = remote(&acc).await.2;
        let maps = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
            .as_array_mut()
            .unwrap();
        let m = maps
            .iter_mut()
            .find(|m| m["targetAttributeName"] == target)
            .unwrap();
        m["source"]["name"] = json!(value);
        m["source"]["expression"] = json!(format!("\"{value}\""));
        acc.emu.put_object(&home, &schema_path(&sp, &jid), schema);
        acc.tf
            .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&[attr]))
            .await;
        steps.apply().await;
        assert_eq!(
            constant(&remote(&acc).await.2, target).0,
            if target == "userType" {
                "Member"
            } else {
                "True"
            }
        );
    }

    // Scope: every user, set in the portal.
    let mut secrets = remote(&acc).await.3;
    for kv in secrets["value"].as_array_mut().unwrap() {
        if kv["key"] == "SyncAll" {
            kv["value"] = json!("true");
        }
    }
    acc.emu.put_object(&home, &secrets_path(&sp), secrets);
    acc.tf
        .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&["scope"]))
        .await;
    steps.apply().await;

    // An assignment removed in the portal.
    let (p, _) = acc
        .emu
        .objects(&home)
        .into_iter()
        .find(|(p, _)| p.starts_with(&format!("{}/appRoleAssignedTo/", sp_path(&sp))))
        .expect("an assignment");
    assert!(acc.emu.delete_object(&home, &p));
    acc.tf
        .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&["scoping_group_ids"]))
        .await;
    steps.apply().await;
    assert_eq!(assigned(&acc, &sp), vec![GROUP.to_string()]);

    // The whole configuration deleted in the portal: the plan creates it again.
    let app = remote(&acc).await.0["application_object_id"]
        .as_str()
        .unwrap()
        .to_string();
    for (p, _) in acc.emu.objects(&home) {
        if p.starts_with(&sp_path(&sp)) || p == format!("/applications/{app}") {
            acc.emu.delete_object(&home, &p);
        }
    }
    acc.tf.plan_expect_create(XTS_ADDR).await;
    steps.apply().await;
    assert_eq!(applications(&acc, &home).len(), 1);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// A create that fails half-way (the secrets PUT gets no answer before the create deadline)
/// leaves the configuration tainted in state; the next apply replaces it: one application.
/// Meanwhile the service principal refuses calls for a while after instantiate (403/409).
#[tokio::test(flavor = "multi_thread")]
async fn a_failure_mid_create_is_tainted_and_replaced_without_orphan() {
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    xts::set_transient_delay(&acc.emu, &home, Duration::from_secs(2));
    acc.emu
        .inject(Fault::delay(120.0).on("PUT", "/synchronization/secrets"));
    let job = Job {
        extra: "  timeouts = { create = \"15s\" }\n",
        ..Job::default()
    };
    steps.config(&job.hcl(&acc));
    steps.apply_expect_error("timed out").await;
    let refused = acc
        .emu
        .requests()
        .iter()
        .filter(|r| r.path.contains("/synchronization/") && [403, 409].contains(&r.status))
        .count();
    assert!(
        refused >= 2,
        "the settling refusals were met and waited out"
    );
    let tainted = acc.tf.resource(XTS_ADDR).await;
    assert!(
        tainted["job_id"].is_string(),
        "the job is in state: {tainted:#}"
    );
    assert_eq!(applications(&acc, &home).len(), 1);

    acc.tf.plan_expect_replace(XTS_ADDR).await;
    steps.apply().await;
    let apps = applications(&acc, &home);
    assert_eq!(apps.len(), 1, "{apps:#?}");
    let old = tainted["application_object_id"].as_str().unwrap();
    assert!(
        acc.emu.object(&home, &deleted_path(old)).is_some(),
        "the tainted one was deleted"
    );
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// The connection resets after the service instantiated the template: the provider finds the
/// application by name and template instead of instantiating again.
#[tokio::test(flavor = "multi_thread")]
async fn a_reset_on_instantiate_leaves_exactly_one_application() {
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    acc.emu
        .inject(Fault::reset().on("POST", "/instantiate").after_apply());
    steps.apply_config(&Job::default().hcl(&acc)).await;
    let instantiates: Vec<u16> = acc
        .emu
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/instantiate"))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        instantiates,
        vec![0],
        "one instantiate, its answer lost; never a second"
    );
    assert_eq!(applications(&acc, &home).len(), 1);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// A configuration made in the portal: import by service principal ID with an empty plan, and
/// (Terraform 1.5+) `plan -generate-config-out` writes HCL that adopts it with an empty plan.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_configuration_is_imported_and_generated() {
    let acc = start().await;
    let home = acc.home.tenant_id.clone();
    let seeded = xts::portal_configuration(
        &acc.emu,
        &home,
        &PortalConfiguration {
            display_name: "Made in the portal".into(),
            target_tenant_id: acc.partner.tenant_id.clone(),
            sync_all: false,
            principal_ids: vec![USER.into(), GROUP.into()],
            running: true,
            notification_email: Some("ops@contoso.com".into()),
        },
    );
    let sp = seeded.service_principal_id.clone();
    // Customised in the portal: one mapping changed, one scoping group added.
    let spath = schema_path(&sp, &seeded.job_id);
    let mut schema = acc.emu.object(&home, &spath).unwrap();
    let om = &mut schema["synchronizationRules"][0]["objectMappings"][0];
    for m in om["attributeMappings"].as_array_mut().unwrap() {
        if m["targetAttributeName"] == "department" {
            m["source"] = json!({"type": "Attribute", "name": "companyName", "expression": "[companyName]", "parameters": []});
        }
    }
    om["scope"]["groups"].as_array_mut().unwrap().push(json!({"name": "Only Sales", "clauses": [
        {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Sales"]}}]}));
    acc.emu.put_object(&home, &spath, schema);
    let version = acc.tf.version().await;
    let import_blocks = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .map(|v| {
            let mut p = v.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
            (p.next().unwrap_or(0), p.next().unwrap_or(0)) >= (1, 5)
        })
        .unwrap_or(false);
    if import_blocks {
        acc.config(&format!(
            "import {{\n  to = {XTS_ADDR}\n  id = {}\n}}\n",
            q(&sp)
        ));
        let out = acc
            .tf
            .run_ok(&["plan", "-input=false", "-generate-config-out=generated.tf"])
            .await;
        let generated = std::fs::read_to_string(acc.tf.dir().join("generated.tf"))
            .unwrap_or_else(|e| panic!("no generated.tf ({e})\n{out}"));
        for attr in [
            "display_name",
            "target_tenant_id",
            "scope",
            "scoping_group_ids",
            "scoping_user_ids",
            "user_type",
            "show_in_address_list",
            "enabled",
            "notification_email",
            "attribute_mappings",
            "companyName",
            "scoping_filters",
            "Only Sales",
        ] {
            assert!(generated.contains(attr), "{attr} missing:\n{generated}");
        }
        acc.tf.apply().await;
        acc.tf.plan_expect_empty().await;
        std::fs::remove_file(acc.tf.dir().join("generated.tf")).unwrap();
        acc.tf.state_rm(XTS_ADDR).await;
    }
    // Hand-written HCL of the same configuration, and `terraform import` (every version).
    let job = format!(
        "resource \"coexistence_xts_job\" \"to_fabrikam\" {{\n  target_tenant_id = {}\n  display_name = \"Made in the portal\"\n  scoping_group_ids = [{}]\n  scoping_user_ids = [{}]\n  notification_email = \"ops@contoso.com\"\n{PORTAL_CUSTOMISED}}}\n",
        q(&acc.partner.tenant_id),
        q(GROUP),
        q(USER)
    );
    acc.config(&job);
    acc.tf.import(XTS_ADDR, &sp).await;
    let s = acc.tf.resource(XTS_ADDR).await;
    assert_eq!(s["enabled"], true);
    assert_eq!(s["user_type"], "Member");
    assert_eq!(s["job_id"], json!(seeded.job_id));
    let steps = Steps::new(&acc).track(&XTS_JOB, "to_fabrikam", &home);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// The portal's customisations of `a_portal_configuration_is_imported_and_generated`, as HCL.
const PORTAL_CUSTOMISED: &str = r#"  attribute_mappings = [
    { target_attribute = "department", source_type = "Attribute", source = "companyName", flow_type = "Always" },
  ]
  scoping_filters = [
    { name = "Only Sales", clauses = [{ attribute = "department", operator = "EQUALS", values = ["Sales"] }] },
  ]
"#;

/// Bad input fails at plan, naming the attribute, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_rejected_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let target = q(&acc.partner.tenant_id);
    let block = |body: &str| {
        format!("resource \"coexistence_xts_job\" \"x\" {{\n  display_name = \"X\"\n{body}\n}}\n")
    };
    let cases = [
        (
            "\"fabrikam\" is not a GUID",
            "  target_tenant_id = \"fabrikam\"\n  scope = \"all\"".to_string(),
        ),
        (
            "\"everyone\" is not allowed",
            format!("  target_tenant_id = {target}\n  scope = \"everyone\""),
        ),
        (
            "\"member\" is not allowed",
            format!("  target_tenant_id = {target}\n  scope = \"all\"\n  user_type = \"member\""),
        ),
        (
            "is not an e-mail address",
            format!(
                "  target_tenant_id = {target}\n  scope = \"all\"\n  notification_email = \"ops\""
            ),
        ),
        (
            "is not an object ID",
            format!("  target_tenant_id = {target}\n  scoping_user_ids = [\"alice@contoso.com\"]"),
        ),
        (
            "No users or groups in scope",
            format!("  target_tenant_id = {target}"),
        ),
    ];
    for (needle, body) in cases {
        acc.config(&block(&body));
        acc.tf.plan_expect_error(needle).await;
        let reqs = acc.emu.requests();
        assert!(reqs.is_empty(), "{needle}: reached the network: {reqs:#?}");
    }
}

/// The mapping of `target` in the user mapping of a schema: (source type, source name or
/// expression, flow type).
fn mapping_of(schema: &Value, target: &str) -> Option<(String, String, String)> {
    xts_user_mapping(schema)
        .iter()
        .find(|m| m["targetAttributeName"] == target)
        .map(|m| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            let ty = s(&m["source"]["type"]);
            let src = if ty == "Function" {
                s(&m["source"]["expression"])
            } else {
                s(&m["source"]["name"])
            };
            (ty, src, s(&m["flowType"]))
        })
}

fn scope_groups(schema: &Value) -> Vec<Value> {
    schema["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

const MAPPINGS: &str = r#"
  attribute_mappings = [
    { target_attribute = "department", source_type = "Attribute", source = "companyName", flow_type = "Always" },
    { target_attribute = "extensionAttribute1", source_type = "Constant", source = "Contoso", flow_type = "ObjectAddOnly" },
  ]
  scoping_filters = [
    { name = "Filter external users", clauses = [
      { attribute = "alternativeSecurityIds", operator = "EQUALS", values = ["None"] },
      { attribute = "department", operator = "EQUALS", values = ["Sales"] },
    ] },
  ]
"#;

const MAPPINGS_CHANGED: &str = r#"
  attribute_mappings = [
    { target_attribute = "department", source_type = "Function", source = "Join(\" \", [department], [companyName])", flow_type = "Always" },
    { target_attribute = "extensionAttribute1", source_type = "Constant", source = "Fabrikam", flow_type = "ObjectAddOnly" },
  ]
  scoping_filters = [
    { name = "Filter external users", clauses = [
      { attribute = "alternativeSecurityIds", operator = "EQUALS", values = ["None"] },
      { attribute = "department", operator = "EQUALS", values = ["Sales"] },
    ] },
    { name = "Managers", clauses = [
      { attribute = "jobTitle", operator = "REGEX_MATCH", values = ["^Manager"] },
      { attribute = "accountEnabled", operator = "IS_TRUE", values = [] },
    ] },
  ]
"#;

/// Attribute mappings and scoping filters: added, changed (a running job restarted with reset
/// scope `Watermark`), drift from the portal on a named mapping, removed in place (the
/// template's default restored, a mapping it lacks removed), imported with an empty plan.
#[tokio::test(flavor = "multi_thread")]
async fn attribute_mappings_and_scoping_filters_in_place() {
    let acc = start().await;
    let steps = steps(&acc);
    let home = acc.home.tenant_id.clone();
    let mut job = Job {
        extra: MAPPINGS,
        ..Job::default()
    };
    steps.apply_config(&job.hcl(&acc)).await;
    let (s, _, sc, _) = remote(&acc).await;
    let (sp, jid) = (
        s["service_principal_id"].as_str().unwrap().to_string(),
        s["job_id"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        mapping_of(&sc, "department"),
        Some(("Attribute".into(), "companyName".into(), "Always".into()))
    );
    assert_eq!(
        mapping_of(&sc, "extensionAttribute1"),
        Some(("Constant".into(), "Contoso".into(), "ObjectAddOnly".into()))
    );
    // Other template mappings untouched.
    assert_eq!(
        mapping_of(&sc, "city"),
        Some(("Attribute".into(), "city".into(), "Always".into()))
    );
    let groups = scope_groups(&sc);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0]["clauses"][1]["sourceOperandName"], "department");

    // Changed in place: the running job is restarted so every user is evaluated again.
    acc.emu.clear_requests();
    job.extra = MAPPINGS_CHANGED;
    steps.config(&job.hcl(&acc));
    acc.tf.plan_expect_update(XTS_ADDR).await;
    steps.apply().await;
    let (s2, _, sc, _) = remote(&acc).await;
    assert_eq!(s2["service_principal_id"], json!(sp), "in place");
    assert_eq!(
        mapping_of(&sc, "department"),
        Some((
            "Function".into(),
            "Join(\" \", [department], [companyName])".into(),
            "Always".into()
        ))
    );
    assert_eq!(
        mapping_of(&sc, "extensionAttribute1").unwrap().1,
        "Fabrikam"
    );
    assert_eq!(scope_groups(&sc).len(), 2);
    let restarts: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/restart"))
        .collect();
    assert_eq!(restarts.len(), 1, "one restart after the change");
    assert_eq!(
        restarts[0].body,
        Some(json!({"criteria": {"resetScope": "Watermark"}}))
    );

    // A named mapping changed in the portal: drift on attribute_mappings only.
    let mut schema = remote(&acc).await.2;
    let maps = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap();
    let m = maps
        .iter_mut()
        .find(|m| m["targetAttributeName"] == "extensionAttribute1")
        .unwrap();
    m["source"] =
        json!({"type": "Attribute", "name": "mail", "expression": "[mail]", "parameters": []});
    acc.emu.put_object(&home, &schema_path(&sp, &jid), schema);
    acc.tf
        .plan_expect_changed_paths(XTS_ADDR, &paths_with_status(&["attribute_mappings"]))
        .await;
    steps.apply().await;
    assert_eq!(
        mapping_of(&remote(&acc).await.2, "extensionAttribute1")
            .unwrap()
            .1,
        "Fabrikam"
    );

    // Removed: department gets the template's mapping back, extensionAttribute1 (not in the
    // template) goes; the group added goes, the template's group is restored.
    job.extra = "";
    steps.config(&job.hcl(&acc));
    acc.tf.plan_expect_update(XTS_ADDR).await;
    steps.apply().await;
    let sc = remote(&acc).await.2;
    assert_eq!(
        mapping_of(&sc, "department"),
        Some(("Attribute".into(), "department".into(), "Always".into()))
    );
    assert_eq!(mapping_of(&sc, "extensionAttribute1"), None);
    let groups = scope_groups(&sc);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0]["name"], "Filter external users");
    assert_eq!(groups[0]["clauses"].as_array().unwrap().len(), 1);

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Refused at plan, naming the attribute: the matching attribute, a reserved target, and a
/// clause whose values do not fit its operator.
#[tokio::test(flavor = "multi_thread")]
async fn mappings_and_filters_refused_at_plan() {
    let acc = start().await;
    for (extra, want) in [
        (
            r#"  attribute_mappings = [{ target_attribute = "alternativeSecurityIds", source_type = "Attribute", source = "mail", flow_type = "Always" }]"#,
            "matching attribute",
        ),
        (
            r#"  attribute_mappings = [{ target_attribute = "userType", source_type = "Constant", source = "Guest", flow_type = "Always" }]"#,
            "user_type",
        ),
        (
            r#"  scoping_filters = [{ name = "g", clauses = [{ attribute = "department", operator = "IS_NULL", values = ["x"] }] }]"#,
            "Values not taken",
        ),
        (
            r#"  scoping_filters = [{ name = "g", clauses = [{ attribute = "department", operator = "EQUALS", values = [] }] }]"#,
            "Values missing",
        ),
    ] {
        let job = Job {
            extra,
            ..Job::default()
        };
        acc.config(&job.hcl(&acc));
        acc.tf.plan_expect_error(want).await;
    }
}
