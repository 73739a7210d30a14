//! The model, plan-time validation, the plan's defaults, the request builders and the schema
//! mapping edit, without IO. Fixtures (`T`, `SP`, `config`) serve `create_tests` and `crud_tests`.

use super::model::{notification_settings, Secrets, XtsJob};
use super::*;
use crate::framework::private::Private;
use crate::framework::Resource;
use serde_json::json;

pub(super) const T: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
pub(super) const SP: &str = "11111111-2222-4333-8444-555555555555";
pub(super) const APP: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub(super) const GROUP: &str = "66666666-7777-4888-9999-000000000000";
pub(super) const USER: &str = "12345678-1234-4234-8234-123456789012";
const BASE: &str = "https://graph.example/v1.0";

/// A configuration with one group, running, as planned (defaults filled in).
pub(super) fn config() -> Value {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("target_tenant_id", Value::string(T));
    v.set_attr("display_name", Value::string("Sync to Fabrikam"));
    v.set_attr("scope", Value::string("assigned"));
    v.set_attr("scoping_group_ids", Value::Set(vec![Value::string(GROUP)]));
    v.set_attr("scoping_user_ids", Value::Set(vec![]));
    v.set_attr("user_type", Value::string("Member"));
    v.set_attr("show_in_address_list", Value::Bool(true));
    v.set_attr("enabled", Value::Bool(true));
    v.set_attr("notification_email", Value::string("ops@contoso.com"));
    v.set_attr("attribute_mappings", Value::List(vec![]));
    v.set_attr("scoping_filters", Value::List(vec![]));
    v.set_attr("deprovision_on_destroy", Value::Bool(false));
    v
}

fn errors(config: &Value) -> Vec<(String, String)> {
    let mut d = schema().validate(config);
    XtsJobResource.validate(config, &mut d);
    d.0.iter()
        .map(|d| {
            (
                d.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                d.summary.clone(),
            )
        })
        .collect()
}

#[test]
fn model_fields_match_schema() {
    assert_eq!(XtsJobResource.model_mismatches(), Vec::<String>::new());
    assert!(
        schema().lint(TYPE_NAME).is_empty(),
        "{:?}",
        schema().lint(TYPE_NAME)
    );
}

#[test]
fn model_round_trips_and_id_is_the_service_principal() {
    let mut m = XtsJob::from_value(&config()).unwrap();
    m.service_principal_id = Some(SP.into());
    let v = m.to_value().unwrap();
    v.conforms(&schema().ty()).unwrap();
    assert_eq!(v.get("id"), &Value::string(SP));
    assert_eq!(XtsJob::from_value(&v).unwrap().display_name, m.display_name);
}

#[test]
fn a_valid_configuration_passes() {
    assert_eq!(errors(&config()), vec![]);
}

#[test]
fn bad_input_is_rejected_at_plan_on_its_attribute() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "target_tenant_id",
            Value::string("fabrikam"),
            "target_tenant_id",
        ),
        ("scope", Value::string("everyone"), "scope"),
        ("user_type", Value::string("member"), "user_type"),
        (
            "notification_email",
            Value::string("ops at contoso"),
            "notification_email",
        ),
        (
            "notification_email",
            Value::string("ops@localhost"),
            "notification_email",
        ),
        ("display_name", Value::string("  "), "display_name"),
        (
            "scoping_user_ids",
            Value::Set(vec![Value::string("alice@contoso.com")]),
            "scoping_user_ids",
        ),
    ];
    for (attr, v, path) in cases {
        let mut c = config();
        c.set_attr(attr, v.clone());
        let e = errors(&c);
        assert_eq!(e.len(), 1, "{attr} = {v:?}: {e:?}");
        assert_eq!(e[0].0, path, "{attr}");
    }
}

#[test]
fn running_assigned_scope_needs_an_assignment() {
    let mut c = config();
    c.set_attr("scoping_group_ids", Value::Null);
    c.set_attr("scoping_user_ids", Value::Null);
    assert_eq!(
        errors(&c),
        vec![(
            "scoping_group_ids".into(),
            "No users or groups in scope".into()
        )]
    );
    // The defaults (scope assigned, enabled) count as set.
    c.set_attr("scope", Value::Null);
    c.set_attr("enabled", Value::Null);
    assert_eq!(errors(&c).len(), 1);
    // Paused, or synchronizing everyone, or one user: fine.
    for (attr, v) in [
        ("enabled", Value::Bool(false)),
        ("scope", Value::string("all")),
        ("scoping_user_ids", Value::Set(vec![Value::string(USER)])),
    ] {
        let mut ok = c.clone();
        ok.set_attr(attr, v);
        assert_eq!(errors(&ok), vec![], "{attr}");
    }
    // Unknown until apply (a group made in the same run): no verdict yet.
    c.set_attr("scoping_group_ids", Value::Unknown);
    assert_eq!(errors(&c), vec![]);
}

#[test]
fn the_plan_shows_defaults_and_replaces_a_configuration_without_job() {
    let mut cfg = config();
    for a in ["scope", "user_type", "show_in_address_list", "enabled"] {
        cfg.set_attr(a, Value::Null);
    }
    let private = Private::default();
    let (p, d) = crate::framework::plan::plan_resource(
        &XtsJobResource,
        &schema(),
        &Value::Null,
        &cfg,
        &cfg,
        &private,
    );
    assert!(d.is_empty(), "{d}");
    assert_eq!(p.state.get("scope"), &Value::string("assigned"));
    assert_eq!(p.state.get("user_type"), &Value::string("Member"));
    assert_eq!(p.state.get("show_in_address_list"), &Value::Bool(true));
    assert_eq!(p.state.get("enabled"), &Value::Bool(true));
    assert_eq!(p.state.get("scoping_user_ids"), &Value::Set(vec![]));
    assert!(p.requires_replace.is_empty());

    // A prior state whose job is gone: replace.
    let mut prior = config();
    prior.set_attr("service_principal_id", Value::string(SP));
    prior.set_attr("id", Value::string(SP));
    let (p, _) = crate::framework::plan::plan_resource(
        &XtsJobResource,
        &schema(),
        &prior,
        &config(),
        &config(),
        &private,
    );
    assert_eq!(p.requires_replace, vec![AttrPath::root().attr("job_id")]);
    assert!(p.state.get("job_id").is_unknown());

    // Only `timeouts` changes: the run status keeps its value; any other change makes it
    // known after apply.
    prior.set_attr("job_id", Value::string("j1"));
    prior.set_attr("status", Value::string("Active"));
    let mut timed = prior.clone();
    timed.set_attr("timeouts", Value::object([("create", Value::string("1m"))]));
    for a in [
        "status",
        "schedule_interval",
        "last_execution_state",
        "last_successful_execution_time",
        "quarantine_reason",
    ] {
        timed.set_attr(a, Value::Null);
    }
    let plan = |cfg: &Value| {
        let proposed = {
            let mut p = cfg.clone();
            for a in [
                "id",
                "service_principal_id",
                "application_object_id",
                "job_id",
                "status",
            ] {
                p.set_attr(a, prior.get(a).clone());
            }
            p
        };
        crate::framework::plan::plan_resource(
            &XtsJobResource,
            &schema(),
            &prior,
            &proposed,
            cfg,
            &private,
        )
        .0
    };
    assert_eq!(plan(&timed).state.get("status"), &Value::string("Active"));
    timed.set_attr("enabled", Value::Bool(false));
    assert!(plan(&timed).state.get("status").is_unknown());
}

#[test]
fn import_takes_the_service_principal_id_or_the_display_name() {
    let v = XtsJobResource
        .import(&ImportCtx::default(), &SP.to_uppercase())
        .unwrap();
    assert_eq!(v.get("service_principal_id"), &Value::string(SP));
    // A name: only the name is known until the read finds the configuration.
    let v = XtsJobResource
        .import(&ImportCtx::default(), "Sync to Fabrikam")
        .unwrap();
    assert_eq!(v.get("display_name"), &Value::string("Sync to Fabrikam"));
    assert!(v.get("service_principal_id").is_null());
    let e = XtsJobResource
        .import(&ImportCtx::default(), "tab\there")
        .unwrap_err();
    assert!(
        e.0[0].detail.contains("<service principal object ID>"),
        "{e}"
    );
}

#[test]
fn request_builders_send_the_documented_method_url_and_body() {
    let jobs = format!("{BASE}/servicePrincipals/{SP}/synchronization/jobs");
    let cases = [
        (
            api::instantiate("Sync to Fabrikam"),
            "POST",
            format!("{BASE}/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate"),
            Some(json!({"displayName": "Sync to Fabrikam"})),
        ),
        (
            api::find_applications("O'Brien"),
            "GET",
            format!("{BASE}/applications?$filter=applicationTemplateId%20eq%20'518e5f48-1fc8-4c48-9387-9fdf28b0dfe7'%20and%20displayName%20eq%20'O''Brien'"),
            None,
        ),
        (
            api::validate_credentials(SP, T),
            "POST",
            format!("{jobs}/validateCredentials"),
            Some(json!({"useSavedCredentials": false, "templateId": "Azure2Azure", "credentials": [
                {"key": "CompanyId", "value": T}, {"key": "AuthenticationType", "value": "SyncPolicy"}]})),
        ),
        (api::create_job(SP), "POST", jobs.clone(), Some(json!({"templateId": "Azure2Azure"}))),
        (api::start_job(SP, "j1"), "POST", format!("{jobs}/j1/start"), None),
        (api::pause_job(SP, "j1"), "POST", format!("{jobs}/j1/pause"), None),
        (api::delete_job(SP, "j1"), "DELETE", format!("{jobs}/j1"), None),
        (api::get_schema(SP, "j1"), "GET", format!("{jobs}/j1/schema"), None),
        (
            api::put_secrets(SP, T, false, None),
            "PUT",
            format!("{BASE}/servicePrincipals/{SP}/synchronization/secrets"),
            Some(json!({"value": [
                {"key": "AuthenticationType", "value": "SyncPolicy"},
                {"key": "CompanyId", "value": T},
                {"key": "SyncNotificationSettings", "value": "{\"DeleteThresholdEnabled\":false,\"Enabled\":false,\"HumanResourcesLookaheadQueryEnabled\":false}"},
                {"key": "SyncAll", "value": "false"},
            ]})),
        ),
        (
            api::assign(SP, "r1", GROUP),
            "POST",
            format!("{BASE}/servicePrincipals/{SP}/appRoleAssignedTo"),
            Some(json!({"appRoleId": "r1", "resourceId": SP, "principalId": GROUP})),
        ),
        (
            api::unassign(SP, "a1"),
            "DELETE",
            format!("{BASE}/servicePrincipals/{SP}/appRoleAssignedTo/a1"),
            None,
        ),
        (
            api::rename_application(APP, "New"),
            "PATCH",
            format!("{BASE}/applications/{APP}"),
            Some(json!({"displayName": "New"})),
        ),
        (api::delete_application(APP), "DELETE", format!("{BASE}/applications/{APP}"), None),
    ];
    for (r, method, url, body) in cases {
        assert_eq!(
            (r.method, r.url(BASE).unwrap(), r.body.clone()),
            (method, url, body),
            "{}",
            r.describe()
        );
        assert!(r.permission.is_some(), "{}", r.describe());
    }
    // Actions with no side effect beyond their goal are safe to send again; creates are not.
    assert!(api::validate_credentials(SP, T).idempotent && api::start_job(SP, "j").idempotent);
    assert!(!api::instantiate("x").idempotent && !api::create_job(SP).idempotent);
}

/// A default schema as the template makes it: the matching attribute, some plain mappings, the
/// two constants.
pub(super) fn default_schema() -> serde_json::Value {
    json!({
        "@odata.context": "https://graph.example/v1.0/$metadata#x",
        "id": "j1",
        "version": "v1.2",
        "directories": [{"name": "Azure Active Directory", "objects": []}],
        "synchronizationRules": [{
            "id": "r1", "name": "USER_INBOUND_USER", "editable": true, "priority": 1,
            "sourceDirectoryName": "Azure Active Directory",
            "targetDirectoryName": "Azure Active Directory (target tenant)",
            "objectMappings": [{
                "name": "Provision Microsoft Entra ID Users", "enabled": true,
                "flowTypes": "Add, Update, Delete",
                "sourceObjectName": "User", "targetObjectName": "User",
                "attributeMappings": [
                    {"targetAttributeName": "alternativeSecurityIds", "matchingPriority": 1, "flowType": "Always",
                     "source": {"type": "Function", "name": "AltSecIdFromNetId", "expression": "AltSecIdFromNetId([netId])", "parameters": []}},
                    {"targetAttributeName": "displayName", "matchingPriority": 0, "flowType": "Always",
                     "source": {"type": "Attribute", "name": "displayName", "expression": "[displayName]", "parameters": []}},
                    {"targetAttributeName": "showInAddressList", "matchingPriority": 0, "flowType": "Always",
                     "source": {"type": "Constant", "name": "True", "expression": "\"True\"", "parameters": []}},
                    {"targetAttributeName": "userType", "matchingPriority": 0, "flowType": "ObjectAddOnly",
                     "source": {"type": "Constant", "name": "Member", "expression": "\"Member\"", "parameters": []}},
                ],
            }],
        }],
    })
}

#[test]
fn the_schema_edit_changes_the_two_constants_and_nothing_else() {
    let s = default_schema();
    assert_eq!(mapping::user_type(&s).as_deref(), Some("Member"));
    assert_eq!(mapping::show_in_address_list(&s), Some(true));
    // userType is not applied always yet: writing is needed even for the same constant.
    assert!(!mapping::has_mappings(&s, "Member", true));
    let out = mapping::with_mappings(&s, "Guest", false).unwrap();
    assert_eq!(mapping::user_type(&out).as_deref(), Some("Guest"));
    assert_eq!(mapping::show_in_address_list(&out), Some(false));
    assert!(mapping::has_mappings(&out, "Guest", false));
    assert!(out.get("@odata.context").is_none());
    let attrs = |v: &serde_json::Value| {
        v["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
            .as_array()
            .unwrap()
            .clone()
    };
    let (before, after) = (attrs(&s), attrs(&out));
    assert_eq!(before[..2], after[..2], "other mappings untouched");
    assert_eq!(after[3]["flowType"], json!("Always"));
    assert_eq!(after[2]["flowType"], json!("Always"));
    // Everything outside the user mapping's attribute list is as read.
    let mut a = out.clone();
    let mut b = s.clone();
    b.as_object_mut().unwrap().remove("@odata.context");
    a["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"] = json!(null);
    b["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"] = json!(null);
    assert_eq!(a, b);
}

#[test]
fn a_mapping_not_constant_reads_as_null_and_a_missing_one_is_added() {
    let mut s = default_schema();
    let m = &mut s["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"];
    m[3]["source"] = json!({"type": "Attribute", "name": "userType", "parameters": []});
    m.as_array_mut().unwrap().remove(2);
    assert_eq!(mapping::user_type(&s), None);
    assert_eq!(mapping::show_in_address_list(&s), None);
    let out = mapping::with_mappings(&s, "Member", true).unwrap();
    assert_eq!(mapping::user_type(&out).as_deref(), Some("Member"));
    assert_eq!(mapping::show_in_address_list(&out), Some(true));
    assert!(mapping::with_mappings(&json!({"synchronizationRules": []}), "Member", true).is_err());
}

#[test]
fn secrets_read_back_scope_and_email_and_masked_values_are_unknown() {
    let body = json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": T},
        {"key": "SyncNotificationSettings", "value": notification_settings(Some("ops@contoso.com"))},
        {"key": "SyncAll", "value": "true"},
    ]});
    let s = Secrets::from_graph(&body);
    assert_eq!(s.company_id.as_deref(), Some(T));
    assert_eq!(s.scope().as_deref(), Some("all"));
    assert_eq!(s.notification_email().as_deref(), Some("ops@contoso.com"));
    let off = Secrets::from_graph(&json!({"value": [
        {"key": "SyncNotificationSettings", "value": notification_settings(None)},
        {"key": "SyncAll", "value": "*"},
    ]}));
    assert_eq!((off.scope(), off.notification_email()), (None, None));
    assert!(off.notification.is_some());
}

#[test]
fn email_syntax() {
    for ok in ["ops@contoso.com", "a.b+c@sub.contoso.co.uk"] {
        assert!(is_email(ok), "{ok}");
    }
    for bad in [
        "ops",
        "@contoso.com",
        "ops@",
        "ops@contoso",
        "a b@contoso.com",
        "a@b@contoso.com",
    ] {
        assert!(!is_email(bad), "{bad}");
    }
}

fn am(target: &str, ty: &str, source: &str) -> model::AttributeMapping {
    model::AttributeMapping {
        target_attribute: target.into(),
        source_type: ty.into(),
        source: source.into(),
        flow_type: "Always".into(),
    }
}

#[test]
fn named_mappings_are_set_and_a_removed_one_gets_the_templates_back() {
    let template = default_schema();
    let mut live = template.clone();
    live["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"] =
        json!({"type": "Constant", "name": "x", "expression": "\"x\"", "parameters": []});
    let old = model::XtsJob {
        attribute_mappings: Some(vec![
            am("displayName", "Constant", "x"),
            am("extensionAttribute1", "Attribute", "mail"),
        ]),
        ..model::XtsJob::default()
    };
    let new = model::XtsJob {
        attribute_mappings: Some(vec![am(
            "department",
            "Function",
            "Join(\" \", [department], [companyName])",
        )]),
        ..model::XtsJob::default()
    };
    assert!(mapping::removes_something(&old, &new));
    let out = mapping::desired_schema(&live, &new, Some(&old), Some(&template)).unwrap();
    let maps = out["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array()
        .unwrap()
        .clone();
    let find = |t: &str| maps.iter().find(|m| m["targetAttributeName"] == t).cloned();
    // Restored from the template, not left as the old constant.
    assert_eq!(find("displayName").unwrap()["source"]["type"], "Attribute");
    assert!(find("extensionAttribute1").is_none());
    let d = find("department").unwrap();
    assert_eq!(d["source"]["type"], "Function");
    assert_eq!(d["source"]["name"], "Join");
    assert_eq!(d["flowType"], "Always");
    assert_eq!(d["matchingPriority"], 0);
    // The matching attribute stays first and unchanged.
    assert_eq!(maps[0]["targetAttributeName"], "alternativeSecurityIds");

    // Read with the state's entries: the named target only; as an import: what differs.
    let read = mapping::read_mappings(&out, new.attribute_mappings.as_deref(), None);
    assert_eq!(read, new.attribute_mappings.clone().unwrap());
    let imported = mapping::read_mappings(&live, None, Some(&template));
    assert_eq!(imported, vec![am("displayName", "Constant", "x")]);
    // A named target whose mapping was removed out of band drops out (drift).
    assert!(
        mapping::read_mappings(&template, Some(&[am("department", "Attribute", "x")]), None)
            .is_empty()
    );
}

#[test]
fn scoping_groups_are_set_by_name_and_read_back() {
    let template = default_schema();
    let f = model::ScopingFilter {
        name: "Sales".into(),
        clauses: vec![
            model::ScopingClause {
                attribute: "department".into(),
                operator: "EQUALS".into(),
                values: vec!["Sales".into()],
            },
            model::ScopingClause {
                attribute: "accountEnabled".into(),
                operator: "IS_TRUE".into(),
                values: vec![],
            },
        ],
    };
    let new = model::XtsJob {
        scoping_filters: Some(vec![f.clone()]),
        ..model::XtsJob::default()
    };
    let out = mapping::desired_schema(&template, &new, None, None).unwrap();
    let groups = &out["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"];
    assert_eq!(
        groups[0],
        json!({"name": "Sales", "clauses": [
            {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Sales"]}},
            {"operatorName": "IS_TRUE", "sourceOperandName": "accountEnabled", "targetOperand": {"values": []}},
        ]})
    );
    assert_eq!(
        mapping::read_filters(&out, Some(std::slice::from_ref(&f)), None),
        vec![f.clone()]
    );
    assert_eq!(mapping::read_filters(&out, None, Some(&template)), vec![f]);
    // Removed: gone again.
    let back =
        mapping::desired_schema(&out, &model::XtsJob::default(), Some(&new), Some(&template))
            .unwrap();
    assert_eq!(
        back["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"],
        json!([])
    );
}

#[test]
fn mappings_and_filters_refused_at_plan_name_the_path() {
    let with = |f: &dyn Fn(&mut XtsJob)| {
        let mut m = XtsJob::from_value(&config()).unwrap();
        f(&mut m);
        let mut c = m.to_value().unwrap();
        c.set_attr("id", Value::Null);
        errors(&c)
    };
    let e = with(&|m| {
        m.attribute_mappings = Some(vec![am("alternativeSecurityIds", "Attribute", "mail")])
    });
    assert!(
        e.iter().any(
            |(p, s)| p.contains("attribute_mappings[0].target_attribute")
                && s.contains("not mappable")
        ),
        "{e:?}"
    );
    let e = with(&|m| {
        m.scoping_filters = Some(vec![model::ScopingFilter {
            name: "g".into(),
            clauses: vec![model::ScopingClause {
                attribute: "department".into(),
                operator: "EQUALS".into(),
                values: vec![],
            }],
        }])
    });
    assert!(
        e.iter()
            .any(|(p, s)| p.contains("scoping_filters[0].clauses[0].values")
                && s.contains("Values missing")),
        "{e:?}"
    );
}
