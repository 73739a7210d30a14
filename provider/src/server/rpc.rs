//! The tfplugin6 `Provider` service: one short method per RPC (decode, call the framework,
//! encode). RPCs not written here answer UNIMPLEMENTED (generated default stubs). The server's
//! state and the response helpers are in `server_state.rs`.

use super::convert;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
pub use super::server_state::ProviderServer;
use super::server_state::{encode_or, validate_config, FromDiagnostics, DATA_SOURCE_TIMEOUT};
use crate::clients::Deadline;
use crate::framework::lifecycle;
use crate::framework::plan;
use crate::framework::private::Private;
use crate::framework::{Ctx, Diagnostics};
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// The registry entry for a request's type name, or the response carrying the diagnostic.
macro_rules! entry_or_answer {
    ($lookup:expr, $resp:ty) => {
        match $lookup {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(<$resp>::from_diagnostics(&d)));
            }
        }
    };
}

#[tonic::async_trait]
impl Provider for ProviderServer {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(
            self.schema_response
                .get_or_init(|| self.build_schema_response())
                .clone(),
        ))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let diags = validate_config(
            req.config.as_ref(),
            &self.provider_ty,
            &self.provider_schema,
            |_, _| {},
        );
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::validate_resource_config::Response
        );
        let diags = validate_config(req.config.as_ref(), &e.ty, &e.schema, |c, d| {
            e.imp.validate(c, d)
        });
        tracing::debug!(type_name = %req.type_name, errors = diags.has_errors(), "validated resource configuration");
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.data_source(&req.type_name),
            pb::validate_data_resource_config::Response
        );
        let diags = validate_config(req.config.as_ref(), &e.ty, &e.schema, |c, d| {
            e.imp.validate(c, d)
        });
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::upgrade_resource_state::Response
        );
        let mut diags = Diagnostics::new();
        let mut upgraded = None;
        if req.version > e.schema.version {
            diags.error(
                "State written by a newer provider",
                format!("The state of this {} has schema version {}, newer than this provider's {}. Upgrade the provider.", req.type_name, req.version, e.schema.version),
            );
        } else {
            // Version 0 is the only version so far: re-encoding for the current schema is the upgrade.
            match convert::decode_raw_state(req.raw_state.as_ref(), &e.ty) {
                Ok(v) => upgraded = encode_or(&v, &e.ty, &mut diags),
                Err(d) => diags.extend(d),
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        tracing::debug!(terraform_version = %req.terraform_version, "configuring provider");
        let result = convert::decode(req.config.as_ref(), &self.provider_ty)
            .and_then(|config| crate::provider::configure(&config, &|k| std::env::var(k).ok()));
        let diags = match result {
            Ok(clients) => {
                *self.clients.write().expect("lock") = Some(Arc::new(clients));
                Diagnostics::new()
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(self.resource(&req.type_name), pb::read_resource::Response);
        let mut diags = Diagnostics::new();
        let mut new_state = req.current_state.clone();
        let mut private = req.private.clone();
        match (
            convert::decode(req.current_state.as_ref(), &e.ty),
            self.clients(),
        ) {
            (Ok(state), _) if state.is_null() => {}
            (Ok(state), Ok(clients)) => {
                let out =
                    lifecycle::read(e.imp.as_ref(), &clients, &self.stop, &state, &req.private)
                        .await;
                diags.extend(out.diags);
                new_state = encode_or(&out.state, &e.ty, &mut diags);
                private = out.private;
            }
            (Err(d), _) | (_, Err(d)) => diags.extend(d),
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: convert::diagnostics(&diags),
            private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::plan_resource_change::Response
        );
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                convert::decode(req.prior_state.as_ref(), &e.ty)?,
                convert::decode(req.proposed_new_state.as_ref(), &e.ty)?,
                convert::decode(req.config.as_ref(), &e.ty)?,
            ))
        })();
        let mut diags = Diagnostics::new();
        let mut resp = pb::plan_resource_change::Response::default();
        match decoded {
            Ok((prior, proposed, config)) => {
                let private = Private::decode(&req.prior_private);
                let (planned, d) = plan::plan_resource(
                    e.imp.as_ref(),
                    &e.schema,
                    &prior,
                    &proposed,
                    &config,
                    &private,
                );
                diags.extend(d);
                resp.planned_state = encode_or(&planned.state, &e.ty, &mut diags);
                resp.requires_replace =
                    planned.requires_replace.iter().map(convert::path).collect();
                resp.planned_private = req.prior_private;
            }
            Err(d) => diags.extend(d),
        }
        resp.diagnostics = convert::diagnostics(&diags);
        Ok(Response::new(resp))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::apply_resource_change::Response
        );
        let mut diags = Diagnostics::new();
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                convert::decode(req.prior_state.as_ref(), &e.ty)?,
                convert::decode(req.planned_state.as_ref(), &e.ty)?,
            ))
        })();
        let mut new_state = req.prior_state.clone();
        let mut private = req.planned_private.clone();
        match (decoded, self.clients()) {
            // Nothing before, nothing after: nothing to do (Terraform never asks this).
            (Ok((prior, planned)), _) if prior.is_null() && planned.is_null() => {}
            (Ok((prior, planned)), Ok(clients)) => {
                tracing::debug!(type_name = %req.type_name, create = prior.is_null(), destroy = planned.is_null(), "applying");
                let out = lifecycle::apply(
                    e.imp.as_ref(),
                    &clients,
                    &self.stop,
                    &prior,
                    &planned,
                    &req.planned_private,
                )
                .await;
                diags.extend(out.diags);
                new_state = encode_or(&out.state, &e.ty, &mut diags);
                private = out.private;
            }
            (Err(d), _) | (_, Err(d)) => diags.extend(d),
        }
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            diagnostics: convert::diagnostics(&diags),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::import_resource_state::Response
        );
        let mut diags = Diagnostics::new();
        let mut imported = Vec::new();
        match lifecycle::import(e.imp.as_ref(), &req.id) {
            Ok(v) => {
                if let Some(state) = encode_or(&v, &e.ty, &mut diags) {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        ..Default::default()
                    });
                }
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: convert::diagnostics(&diags),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.data_source(&req.type_name),
            pb::read_data_source::Response
        );
        let mut diags = Diagnostics::new();
        let mut state = None;
        match (convert::decode(req.config.as_ref(), &e.ty), self.clients()) {
            (Ok(config), Ok(clients)) => {
                let ctx = Ctx::new(
                    clients,
                    Deadline::after(DATA_SOURCE_TIMEOUT, self.stop.clone()),
                );
                match e.imp.read(&ctx, &config).await {
                    Ok(v) => state = encode_or(&v, &e.ty, &mut diags),
                    Err(d) => diags.extend(d),
                }
            }
            (Err(d), _) | (_, Err(d)) => diags.extend(d),
        }
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: convert::diagnostics(&diags),
            ..Default::default()
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::{ModifyPlan, PlanRequest};
    use crate::framework::registry::Registry;
    use crate::framework::Type;
    use crate::framework::{ApplyError, AttrPath, Attribute, Resource, Schema, Value};

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
            Ok(Some(state.clone()))
        }
        async fn update(&self, _: &Ctx, _: &Value, p: &Value) -> Result<Value, ApplyError> {
            Ok(p.clone())
        }
        async fn delete(&self, _: &Ctx, _: &Value) -> Result<(), Diagnostics> {
            Ok(())
        }
        fn import(&self, _: &str) -> Result<Value, Diagnostics> {
            unimplemented!()
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
        *s.clients.write().unwrap() = Some(Arc::new(crate::clients::Clients::for_tests(
            crate::clients::http::mock::MockTransport::new(vec![]),
        )));
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
}
