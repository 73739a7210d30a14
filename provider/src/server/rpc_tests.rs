//! The RPCs end to end through the framework: schemas, validation paths, private state and
//! resource plan modification (a `Counter` test resource stands in for a real one).

use super::*;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::registry::Registry;
use crate::framework::Type;
use crate::framework::{ApplyError, AttrPath, Attribute, Ctx, Diagnostic, Resource, Schema, Value};

#[test]
fn every_registered_schema_is_complete() {
    let s = ProviderServer::new();
    let mut problems = s.provider_schema.lint("provider");
    for (name, e) in &s.resources {
        assert!(name.starts_with("coexistence_"), "{name}");
        problems.extend(e.schema.lint(name));
        assert!(
            e.schema.attribute("timeouts").is_some(),
            "{name} has no timeouts"
        );
        assert!(
            e.schema.attribute("id").is_some_and(|a| a.computed),
            "{name} has no computed id"
        );
    }
    for (name, e) in &s.data_sources {
        assert!(name.starts_with("coexistence_"), "{name}");
        problems.extend(e.schema.lint(name));
    }
    assert!(
        problems.is_empty(),
        "schema problems:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn schema_response_lists_everything() {
    let s = ProviderServer::new();
    let r = s
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(r
        .resource_schemas
        .contains_key("coexistence_cross_tenant_access_partner"));
    assert!(r.data_source_schemas.contains_key("coexistence_tenant"));
    assert!(r.provider.is_some());
}

#[tokio::test]
async fn validate_points_at_the_attribute() {
    let s = ProviderServer::new();
    let e = s
        .resource("coexistence_cross_tenant_access_partner")
        .unwrap();
    let mut config = Value::null_object(&e.ty);
    config.set_attr("tenant_id", Value::string("nope"));
    let dv = convert::encode(&config, &e.ty).unwrap();
    let r = s
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "coexistence_cross_tenant_access_partner".into(),
            config: Some(dv),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    let step = &r.diagnostics[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "tenant_id".into()
        ))
    );
}

/// Every resource type is a list resource type, advertised in GetMetadata and with its `list`
/// block schema in GetProviderSchema (lint-clean); partners take the export's options.
#[tokio::test]
async fn every_resource_type_is_a_list_resource_type() {
    let s = ProviderServer::new();
    let meta = s
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    let schemas = s
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let mut listed: Vec<_> = meta
        .list_resources
        .iter()
        .map(|l| l.type_name.clone())
        .collect();
    let mut resources: Vec<_> = meta.resources.iter().map(|r| r.type_name.clone()).collect();
    listed.sort();
    resources.sort();
    assert_eq!(listed, resources);
    let mut problems = Vec::new();
    for name in &resources {
        assert!(schemas.list_resource_schemas.contains_key(name), "{name}");
        problems.extend(s.list_entry(name).unwrap().schema.lint(name));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let partner = &schemas.list_resource_schemas["coexistence_cross_tenant_access_partner"];
    let attrs: Vec<_> = partner
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.optional))
        .collect();
    assert_eq!(
        attrs,
        [("include_service_providers", true), ("tenant_id", true)]
    );
    let other = &schemas.list_resource_schemas["coexistence_mto_membership"];
    assert!(other.block.as_ref().unwrap().attributes.is_empty());
}

/// ValidateListResourceConfig: the list schema's validators answer with the attribute path; an
/// empty config (a type without options) is valid; an unknown type is a diagnostic.
#[tokio::test]
async fn validate_list_config_points_at_the_attribute() {
    let s = ProviderServer::new();
    let validate = |type_name: &str, config: Value| {
        let e = s.list_entry(type_name).map(|e| e.ty.clone());
        let ty = e.unwrap_or(Type::Object(Default::default()));
        let req = pb::validate_list_resource_config::Request {
            type_name: type_name.into(),
            config: Some(convert::encode(&config, &ty).unwrap()),
            ..Default::default()
        };
        let s = &s;
        async move {
            s.validate_list_resource_config(Request::new(req))
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
    };
    let partner = "coexistence_cross_tenant_access_partner";
    let ty = s.list_entry(partner).unwrap().ty.clone();
    let mut config = Value::null_object(&ty);
    config.set_attr("tenant_id", Value::string("not-a-guid"));
    let d = validate(partner, config.clone()).await;
    assert_eq!(d.len(), 1, "{d:?}");
    let step = &d[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "tenant_id".into()
        ))
    );
    config.set_attr(
        "tenant_id",
        Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47"),
    );
    config.set_attr("include_service_providers", Value::Bool(true));
    assert!(validate(partner, config).await.is_empty());
    assert!(validate("coexistence_mto_membership", Value::Null)
        .await
        .is_empty());
    let d = validate("coexistence_nope", Value::Null).await;
    assert_eq!(d[0].summary, "Unknown list resource type");
}

/// A ListResource that cannot list (here: before ConfigureProvider) is one event carrying the
/// error, with no identity.
#[tokio::test]
async fn a_list_that_cannot_run_is_one_event_with_the_error() {
    use futures::StreamExt as _;
    let s = ProviderServer::new();
    let events: Vec<_> = s
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "coexistence_mto_membership".into(),
            config: Some(convert::encode(&Value::Null, &Type::Object(Default::default())).unwrap()),
            include_resource_object: true,
            limit: 10,
        }))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    let e = events[0].as_ref().unwrap();
    assert!(e.identity.is_none() && e.resource_object.is_none());
    assert_eq!(e.diagnostic[0].summary, "Provider not configured");
}

/// Counts its reads in private state; a plan with `stale` in private state re-reads `id`.
struct Counter;

#[async_trait::async_trait]
impl Resource for Counter {
    fn type_name(&self) -> &'static str {
        "coexistence_test_counter"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            "c",
            vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("d"),
                Attribute::string("name").required().description("d"),
            ],
        )
    }
    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        if req.private.get("stale").is_some() {
            plan.mark_unknown(&AttrPath::root().attr("id"));
        }
    }
    async fn create(&self, ctx: &Ctx, planned: &Value) -> Result<Value, ApplyError> {
        ctx.private.set("created", serde_json::json!(true));
        if planned.get("name").as_str() == Some("warn") {
            // Given twice, shown once.
            for _ in 0..2 {
                ctx.warn(Diagnostic::warning("create warning", "from the API"));
            }
        }
        let mut v = planned.clone();
        v.set_attr("id", Value::string("1"));
        Ok(v)
    }
    async fn read(&self, ctx: &Ctx, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let n = ctx
            .private
            .get("reads")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        ctx.private.set("reads", serde_json::json!(n + 1));
        if state.get("name").as_str() == Some("warn") {
            ctx.warn(Diagnostic::warning("read warning", "from the API"));
        }
        if state.get("name").as_str() == Some("gone") {
            return Ok(None);
        }
        Ok(Some(state.clone()))
    }
    async fn update(&self, _: &Ctx, _: &Value, p: &Value) -> Result<Value, ApplyError> {
        Ok(p.clone())
    }
    async fn delete(&self, _: &Ctx, _: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }
    fn import(&self, _: &ImportCtx, id: &str) -> Result<Value, Diagnostics> {
        Ok(Value::object([("id", Value::string(id))]))
    }
    fn import_id_of(&self, state: &Value) -> Result<Option<String>, Diagnostics> {
        Ok(state.get("id").as_str().map(str::to_string))
    }
    fn natural_key(&self) -> &'static str {
        "`name`"
    }
    fn import_id_format(&self) -> (&'static str, &'static str) {
        ("<id>", "1")
    }
    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        &[]
    }
    fn model_mismatches(&self) -> Vec<String> {
        Vec::new()
    }
}

fn counter_server() -> (ProviderServer, Type) {
    let s = ProviderServer::with_registry(Registry::new(vec![Arc::new(Counter)], vec![]));
    *s.clients.write().unwrap() = Some(Arc::new(
        crate::clients::Clients::builder(crate::clients::http::mock::MockTransport::new(vec![]))
            .tenant_id(Some(TENANT.into()))
            .build(),
    ));
    let ty = Counter.schema().ty();
    (s, ty)
}

fn private_json(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap()
}

#[tokio::test]
async fn private_state_reaches_resources_and_comes_back() {
    let (s, ty) = counter_server();
    let name = "coexistence_test_counter".to_string();
    let state = Value::object([("id", Value::string("1")), ("name", Value::string("n"))]);
    let mut private = Vec::new();
    for want in [1, 2] {
        let r = s
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: name.clone(),
                current_state: Some(convert::encode(&state, &ty).unwrap()),
                private: private.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(private_json(&r.private), serde_json::json!({"reads": want}));
        private = r.private;
    }
    // Create: what create wrote, plus what the read after write counted.
    let planned = Value::object([("id", Value::Unknown), ("name", Value::string("n"))]);
    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name.clone(),
            prior_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            planned_state: Some(convert::encode(&planned, &ty).unwrap()),
            config: Some(convert::encode(&planned, &ty).unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        private_json(&r.private),
        serde_json::json!({"created": true, "reads": 1})
    );
    // Destroy leaves no private state.
    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name,
            prior_state: Some(convert::encode(&state, &ty).unwrap()),
            planned_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            config: Some(convert::encode(&Value::Null, &ty).unwrap()),
            planned_private: r.private,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.private.is_empty());
}

#[tokio::test]
async fn plan_runs_the_resource_modifier_with_prior_private_state() {
    let (s, ty) = counter_server();
    let state = Value::object([("id", Value::string("1")), ("name", Value::string("n"))]);
    let config = Value::object([("id", Value::Null), ("name", Value::string("n"))]);
    for (private, id_unknown) in [(&b""[..], false), (&br#"{"stale":true}"#[..], true)] {
        let r = s
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "coexistence_test_counter".into(),
                prior_state: Some(convert::encode(&state, &ty).unwrap()),
                proposed_new_state: Some(convert::encode(&state, &ty).unwrap()),
                config: Some(convert::encode(&config, &ty).unwrap()),
                prior_private: private.to_vec(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let planned = convert::decode(r.planned_state.as_ref(), &ty).unwrap();
        assert_eq!(planned.get("id").is_unknown(), id_unknown);
        assert_eq!(r.planned_private, private);
    }
}

#[tokio::test]
async fn warnings_of_a_successful_apply_and_read_reach_terraform_once_each() {
    let (s, ty) = counter_server();
    let name = "coexistence_test_counter".to_string();
    let planned = Value::object([("id", Value::Unknown), ("name", Value::string("warn"))]);
    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name.clone(),
            prior_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            planned_state: Some(convert::encode(&planned, &ty).unwrap()),
            config: Some(convert::encode(&planned, &ty).unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let got: Vec<(i32, &str)> = r
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.summary.as_str()))
        .collect();
    let warning = pb::diagnostic::Severity::Warning as i32;
    assert_eq!(
        got,
        vec![(warning, "create warning"), (warning, "read warning")]
    );
    assert!(r.new_state.is_some());
    let state = Value::object([("id", Value::string("1")), ("name", Value::string("warn"))]);
    let r = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: name,
            current_state: Some(convert::encode(&state, &ty).unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].summary, "read warning");
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn identity(tenant: &str, id: &str) -> Option<pb::ResourceIdentityData> {
    let v = Value::object([
        ("tenant_id", Value::string(tenant)),
        ("import_id", Value::string(id)),
    ]);
    Some(pb::ResourceIdentityData {
        identity_data: Some(convert::encode(&v, &identity_ty()).unwrap()),
    })
}

fn identity_ty() -> Type {
    crate::framework::identity::schema(&Counter).ty()
}

fn identity_value(i: &Option<pb::ResourceIdentityData>) -> Value {
    let data = i.as_ref().expect("an identity").identity_data.as_ref();
    convert::decode(data, &identity_ty()).unwrap()
}

/// The lifecycle as Terraform 1.12 drives it: create gives the identity (the import ID in the
/// provider's tenant), reads and updates keep it, even one the provider would now compute
/// differently (Terraform refuses a changed identity), and destroy leaves none.
#[tokio::test]
async fn identity_is_given_at_create_and_kept_by_reads_and_updates() {
    let (s, ty) = counter_server();
    let name = "coexistence_test_counter".to_string();
    let planned = Value::object([("id", Value::Unknown), ("name", Value::string("n"))]);
    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name.clone(),
            prior_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            planned_state: Some(convert::encode(&planned, &ty).unwrap()),
            config: Some(convert::encode(&planned, &ty).unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        identity_value(&r.new_identity),
        identity_value(&identity(TENANT, "1"))
    );
    let state = r.new_state.clone();

    for given in [
        None,
        identity(TENANT, "1"),
        identity(TENANT, "stored-earlier"),
    ] {
        let r = s
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: name.clone(),
                current_state: state.clone(),
                current_identity: given.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let want = given.clone().or_else(|| identity(TENANT, "1"));
        assert_eq!(identity_value(&r.new_identity), identity_value(&want));
    }

    // Deleted out of band: no state, so no identity, whatever was stored.
    let mut gone = convert::decode(state.as_ref(), &ty).unwrap();
    gone.set_attr("name", Value::string("gone"));
    let r = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: name.clone(),
            current_state: Some(convert::encode(&gone, &ty).unwrap()),
            current_identity: identity(TENANT, "1"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(convert::decode(r.new_state.as_ref(), &ty)
        .unwrap()
        .is_null());
    assert!(r.new_identity.is_none());

    let prior = convert::decode(state.as_ref(), &ty).unwrap();
    let mut renamed = prior.clone();
    renamed.set_attr("name", Value::string("m"));
    let r = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: name.clone(),
            prior_state: state.clone(),
            proposed_new_state: Some(convert::encode(&renamed, &ty).unwrap()),
            config: Some(convert::encode(&renamed, &ty).unwrap()),
            prior_identity: identity(TENANT, "1"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        identity_value(&r.planned_identity),
        identity_value(&identity(TENANT, "1"))
    );
    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name.clone(),
            prior_state: state.clone(),
            planned_state: r.planned_state,
            config: Some(convert::encode(&renamed, &ty).unwrap()),
            planned_identity: identity(TENANT, "1"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        identity_value(&r.new_identity),
        identity_value(&identity(TENANT, "1"))
    );

    let r = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: name,
            prior_state: state,
            planned_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            config: Some(convert::encode(&Value::Null, &ty).unwrap()),
            planned_identity: identity(TENANT, "1"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.new_identity.is_none());
}

/// Terraform before 1.12 sends no identity anywhere: every operation answers as before, with
/// no diagnostic (the identity it is given back is a field it does not know and skips).
#[tokio::test]
async fn a_client_sending_no_identity_gets_no_errors() {
    let (s, ty) = counter_server();
    let name = "coexistence_test_counter".to_string();
    let config = Value::object([("id", Value::Null), ("name", Value::string("n"))]);
    let r = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: name.clone(),
            prior_state: Some(convert::encode(&Value::Null, &ty).unwrap()),
            proposed_new_state: Some(convert::encode(&config, &ty).unwrap()),
            config: Some(convert::encode(&config, &ty).unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.planned_identity.is_none(), "a create plans no identity");
    let r = s
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: name,
            id: "7".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let imported = &r.imported_resources[0];
    let state = convert::decode(imported.state.as_ref(), &ty).unwrap();
    assert_eq!(state.get("id"), &Value::string("7"));
    assert_eq!(
        identity_value(&imported.identity),
        identity_value(&identity(TENANT, "7"))
    );
}
