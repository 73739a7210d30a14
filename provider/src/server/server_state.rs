//! The provider server's state (the registered types with their schemas, the configured
//! clients, the stop signal) and the helpers every RPC answer shares.

use super::convert;
use super::proto::tfplugin6 as pb;
use crate::clients::Clients;
use crate::framework::identity::{self, IdentitySchema};
use crate::framework::refresh::Listings;
use crate::framework::registry::Registry;
use crate::framework::{DataSource, Diagnostic, Diagnostics, Resource, Schema, Type, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use tokio_util::sync::CancellationToken;

pub(super) struct Entry<T: ?Sized> {
    pub(super) imp: Arc<T>,
    pub(super) schema: Schema,
    pub(super) ty: Type,
}

/// A resource's identity schema and its value type (data sources have none).
pub(super) struct IdentityEntry {
    pub(super) schema: IdentitySchema,
    pub(super) ty: Type,
}

/// The `config` schema of a resource type's `list` block and its value type.
pub(super) struct ListEntry {
    pub(super) schema: Schema,
    pub(super) ty: Type,
}

pub struct ProviderServer {
    pub(super) provider_schema: Schema,
    pub(super) provider_ty: Type,
    pub(super) resources: HashMap<&'static str, Entry<dyn Resource>>,
    pub(super) identities: HashMap<&'static str, IdentityEntry>,
    /// Every resource type is also a list resource type (Terraform 1.14 `list` blocks).
    pub(super) lists: HashMap<&'static str, ListEntry>,
    pub(super) data_sources: HashMap<&'static str, Entry<dyn DataSource>>,
    /// Built once: Terraform asks for the schema several times per command.
    pub(super) schema_response: OnceLock<pb::get_provider_schema::Response>,
    pub(super) clients: RwLock<Option<Arc<Clients>>>,
    /// The listings reads are answered from, made anew with each configuration: they belong
    /// to the one tenant the clients sign in to.
    pub(super) listings: RwLock<Arc<Listings>>,
    /// Cancelled by StopProvider: every in-flight wait and retry watches it.
    pub(super) stop: CancellationToken,
}

impl Default for ProviderServer {
    fn default() -> Self {
        Self::new()
    }
}

impl ProviderServer {
    pub fn new() -> Self {
        Self::with_registry(Registry::new(
            crate::resources::all(),
            crate::data_sources::all(),
        ))
    }

    pub fn with_registry(registry: Registry) -> Self {
        let provider_schema = crate::provider::schema();
        let identities = registry
            .resources
            .iter()
            .map(|(name, imp)| {
                let schema = identity::schema(imp.as_ref());
                let ty = schema.ty();
                (*name, IdentityEntry { schema, ty })
            })
            .collect();
        let lists = registry
            .resources
            .iter()
            .map(|(name, imp)| {
                let schema = imp.list_config();
                let ty = schema.ty();
                (*name, ListEntry { schema, ty })
            })
            .collect();
        let resources = registry
            .resources
            .into_iter()
            .map(|(name, imp)| {
                let schema = imp.schema();
                let ty = schema.ty();
                (name, Entry { imp, schema, ty })
            })
            .collect();
        let data_sources = registry
            .data_sources
            .into_iter()
            .map(|(name, imp)| {
                let schema = imp.schema();
                let ty = schema.ty();
                (name, Entry { imp, schema, ty })
            })
            .collect();
        ProviderServer {
            provider_ty: provider_schema.ty(),
            provider_schema,
            resources,
            identities,
            lists,
            data_sources,
            schema_response: OnceLock::new(),
            clients: RwLock::new(None),
            listings: RwLock::new(Arc::default()),
            stop: CancellationToken::new(),
        }
    }

    pub(super) fn resource(&self, name: &str) -> Result<&Entry<dyn Resource>, Diagnostics> {
        self.resources
            .get(name)
            .ok_or_else(|| unknown_type("resource", name, self.resources.keys()))
    }

    /// The `list` block schema of a resource type.
    pub(super) fn list_entry(&self, name: &str) -> Result<&ListEntry, Diagnostics> {
        self.lists
            .get(name)
            .ok_or_else(|| unknown_type("list resource", name, self.lists.keys()))
    }

    /// The identity schema of a registered resource type (every one has one).
    pub(super) fn identity(&self, name: &str) -> &IdentityEntry {
        &self.identities[name]
    }

    pub(super) fn data_source(&self, name: &str) -> Result<&Entry<dyn DataSource>, Diagnostics> {
        self.data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name, self.data_sources.keys()))
    }

    pub(super) fn listings(&self) -> Arc<Listings> {
        self.listings.read().expect("lock").clone()
    }

    pub(super) fn clients(&self) -> Result<Arc<Clients>, Diagnostics> {
        self.clients.read().expect("lock").clone().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider not configured",
                "Terraform called the provider before configuring it. This is a bug in the provider or in Terraform.",
            ))
        })
    }

    pub(super) fn capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: false,
            get_provider_schema_optional: true,
            move_resource_state: false,
            generate_resource_config: false,
        }
    }

    pub(super) fn build_schema_response(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(convert::schema(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.to_string(), convert::schema(&e.schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.to_string(), convert::schema(&e.schema)))
                .collect(),
            // Terraform before 1.14 does not know this field and skips it.
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(k, e)| (k.to_string(), convert::schema(&e.schema)))
                .collect(),
            server_capabilities: Some(Self::capabilities()),
            ..Default::default()
        }
    }
}

/// An unknown type name is an error diagnostic (as terraform-plugin-framework answers), not a
/// gRPC error: Terraform shows it like any other and the server goes on serving.
fn unknown_type<'a>(
    what: &str,
    name: &str,
    known: impl Iterator<Item = &'a &'static str>,
) -> Diagnostics {
    let mut known: Vec<&str> = known.copied().collect();
    known.sort_unstable();
    Diagnostic::error(
        format!("Unknown {what} type"),
        format!(
            "This provider has no {what} type {name:?}; it has {}. This is a bug in Terraform or in the provider.",
            known.join(", ")
        ),
    )
    .into()
}

/// Responses that can carry nothing but diagnostics.
pub(super) trait FromDiagnostics: Default {
    fn set(&mut self, d: Vec<pb::Diagnostic>);
    fn from_diagnostics(d: &Diagnostics) -> Self {
        let mut r = Self::default();
        r.set(convert::diagnostics(d));
        r
    }
}

macro_rules! from_diagnostics {
    ($($t:ty),*) => {$(
        impl FromDiagnostics for $t {
            fn set(&mut self, d: Vec<pb::Diagnostic>) {
                self.diagnostics = d;
            }
        }
    )*};
}

from_diagnostics!(
    pb::validate_resource_config::Response,
    pb::validate_data_resource_config::Response,
    pb::upgrade_resource_state::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::upgrade_resource_identity::Response,
    pb::read_data_source::Response
);

pub(super) fn encode_or(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match convert::encode(v, ty) {
        Ok(dv) => Some(dv),
        Err(d) => {
            diags.extend(d);
            None
        }
    }
}

/// Decodes a configuration and runs the schema's validators, then the type's own checks.
pub(super) fn validate_config(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    schema: &Schema,
    extra: impl FnOnce(&Value, &mut Diagnostics),
) -> Diagnostics {
    match convert::decode(dv, ty) {
        Ok(config) => {
            let mut d = schema.validate(&config);
            extra(&config, &mut d);
            d
        }
        Err(d) => d,
    }
}
