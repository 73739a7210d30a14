//! The tfplugin6 `Provider` service: one short method per RPC (decode, call the framework,
//! encode). RPCs not written here answer UNIMPLEMENTED (generated default stubs). The server's
//! state and the response helpers are in `server_state.rs`.

use super::convert;
use super::list_resources;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
pub use super::server_state::ProviderServer;
use super::server_state::{encode_or, validate_config, FromDiagnostics, IdentityEntry};
use crate::framework::identity;
use crate::framework::lifecycle;
use crate::framework::plan;
use crate::framework::private::Private;
use crate::framework::{Diagnostics, ImportCtx};
use crate::framework::{Resource, Value};
use std::sync::Arc;
use tonic::codegen::BoxStream;
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
            list_resources: self
                .lists
                .keys()
                .map(|k| pb::get_metadata::ListResourceMetadata {
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
                *self.listings.write().expect("lock") = Arc::default();
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
        let mut new_identity = None;
        match (
            convert::decode(req.current_state.as_ref(), &e.ty),
            self.clients(),
        ) {
            (Ok(state), _) if state.is_null() => {}
            (Ok(state), Ok(clients)) => {
                let out = lifecycle::read(
                    e.imp.as_ref(),
                    &clients,
                    &self.listings(),
                    &self.stop,
                    &state,
                    &req.private,
                )
                .await;
                diags.extend(out.diags);
                new_state = encode_or(&out.state, &e.ty, &mut diags);
                private = out.private;
                // Terraform refuses an identity that changes across reads: the stored one
                // stays; a state stored without one (an older Terraform wrote it) gets it now.
                // An object found gone has none.
                let id = self.identity(&req.type_name);
                if !out.state.is_null() {
                    new_identity = kept_identity(req.current_identity.as_ref(), id).or_else(|| {
                        identity_of(e.imp.as_ref(), id, clients.tenant_id(), &out.state)
                    });
                }
            }
            (Err(d), _) | (_, Err(d)) => diags.extend(d),
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: convert::diagnostics(&diags),
            private,
            new_identity,
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
                // An update keeps the object, so its identity; a create has none until apply.
                if !prior.is_null() && !planned.state.is_null() {
                    resp.planned_identity =
                        kept_identity(req.prior_identity.as_ref(), self.identity(&req.type_name));
                }
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
        let mut new_identity = None;
        match (decoded, self.clients()) {
            // Nothing before, nothing after: nothing to do (Terraform never asks this).
            (Ok((prior, planned)), _) if prior.is_null() && planned.is_null() => {}
            (Ok((prior, planned)), Ok(clients)) => {
                tracing::debug!(type_name = %req.type_name, create = prior.is_null(), destroy = planned.is_null(), "applying");
                let out = lifecycle::apply(
                    e.imp.as_ref(),
                    &clients,
                    &self.listings(),
                    &self.stop,
                    &prior,
                    &planned,
                    &req.planned_private,
                )
                .await;
                diags.extend(out.diags);
                new_state = encode_or(&out.state, &e.ty, &mut diags);
                private = out.private;
                // An update keeps the planned (prior) identity; a create, or a state that had
                // none, gets the identity of what now exists; a destroy leaves none.
                let id = self.identity(&req.type_name);
                if !planned.is_null() {
                    new_identity = kept_identity(req.planned_identity.as_ref(), id).or_else(|| {
                        identity_of(e.imp.as_ref(), id, clients.tenant_id(), &out.state)
                    });
                }
            }
            (Err(d), _) | (_, Err(d)) => diags.extend(d),
        }
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            diagnostics: convert::diagnostics(&diags),
            new_identity,
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
        let id = self.identity(&req.type_name);
        // The provider's own tenant, which an import ID (or an identity) naming a tenant must
        // match. An identity (an `import` block's `identity = {...}`, Terraform 1.12+) names
        // the import ID the same import takes.
        let imported_state = self.clients().and_then(|c| {
            let ctx = ImportCtx::new(c.tenant_id());
            let import_id = match req.identity.as_ref().and_then(|i| i.identity_data.as_ref()) {
                Some(data) => {
                    let given = convert::decode(Some(data), &id.ty)?;
                    identity::import_id(e.imp.as_ref(), &ctx, &given)?
                }
                None => req.id.clone(),
            };
            let state = lifecycle::import(e.imp.as_ref(), &ctx, &import_id)?;
            Ok((state, ctx))
        });
        match imported_state {
            Ok((v, ctx)) => {
                if let Some(state) = encode_or(&v, &e.ty, &mut diags) {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        identity: identity_of(e.imp.as_ref(), id, ctx.tenant_id.as_deref(), &v),
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
                let (read, read_diags) = lifecycle::read_data_source(
                    e.imp.as_ref(),
                    &clients,
                    &self.listings(),
                    &self.stop,
                    &config,
                )
                .await;
                if let Some(v) = read {
                    state = encode_or(&v, &e.ty, &mut diags);
                }
                diags.extend(read_diags);
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
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .identities
                .iter()
                .map(|(k, i)| (k.to_string(), convert::identity_schema(&i.schema)))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let e = entry_or_answer!(
            self.resource(&req.type_name),
            pb::upgrade_resource_identity::Response
        );
        let id = self.identity(&req.type_name);
        let mut diags = Diagnostics::new();
        let upgraded = convert::raw_json(req.raw_identity.as_ref(), "identity")
            .and_then(|j| identity::upgrade(e.imp.as_ref(), req.version, &j));
        let upgraded_identity = match upgraded {
            Ok(v) => encode_or(&v, &id.ty, &mut diags).map(|d| pb::ResourceIdentityData {
                identity_data: Some(d),
            }),
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        Ok(Response::new(list_resources::validate(
            self,
            &req.into_inner(),
        )))
    }

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<BoxStream<pb::list_resource::Event>>, Status> {
        Ok(Response::new(
            list_resources::list(self, req.into_inner()).await,
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

/// The identity a request carries, when it carries one that decodes to a known value: what
/// the answer keeps (an identity never changes). A null or unknown one (a create's plan) is
/// none. One that does not decode is left for the
/// provider to compute again rather than failing the operation over it.
fn kept_identity(
    given: Option<&pb::ResourceIdentityData>,
    id: &IdentityEntry,
) -> Option<pb::ResourceIdentityData> {
    let data = given?.identity_data.as_ref()?;
    match convert::decode(Some(data), &id.ty) {
        Ok(v) if !v.is_null() && v.is_wholly_known() => Some(pb::ResourceIdentityData {
            identity_data: convert::encode(&v, &id.ty).ok(),
        }),
        Ok(_) => None,
        Err(d) => {
            tracing::warn!(error = %d, "ignoring an identity that does not decode");
            None
        }
    }
}

/// The identity of the object `state` stands for, in the provider's tenant (`None` when the
/// state names no object). Terraform older than 1.12 never reads it; a failure here is a
/// provider bug, logged rather than failing an operation that succeeded.
fn identity_of(
    res: &dyn Resource,
    id: &IdentityEntry,
    tenant: Option<&str>,
    state: &Value,
) -> Option<pb::ResourceIdentityData> {
    let ctx = ImportCtx::new(tenant);
    let value = match identity::of_state(res, &ctx, state) {
        Ok(v) => v?,
        Err(d) => {
            tracing::error!(type_name = res.type_name(), error = %d, "cannot compute the resource identity");
            return None;
        }
    };
    match convert::encode(&value, &id.ty) {
        Ok(d) => Some(pb::ResourceIdentityData {
            identity_data: Some(d),
        }),
        Err(d) => {
            tracing::error!(type_name = res.type_name(), error = %d, "cannot encode the resource identity");
            None
        }
    }
}

#[cfg(test)]
#[path = "rpc_tests.rs"]
mod tests;
