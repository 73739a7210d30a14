//! The resource and data source contracts. [`Resource`] is the erased contract, over values,
//! that the server and [`super::lifecycle`] (planning, read-after-write, 404 handling, timeouts,
//! import) use; a resource implements it through [`super::typed_resource::TypedResource`] (CRUD
//! over its model) or, until it moves there, directly.

use super::diag::{Diagnostic, Diagnostics};
use super::listing::{ListOptions, Listable, Listing};
use super::plan::{ModifyPlan, PlanRequest};
use super::private::Private;
use super::refresh::{ListedKey, Listings};
use super::schema::Schema;
use super::value::Value;
use crate::clients::{Clients, Deadline, Permission};
use async_trait::async_trait;
use serde_json::Value as Json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What an operation may use: the configured clients, its deadline (which also carries
/// Terraform's stop signal) and the resource's private state (empty for data sources).
pub struct Ctx {
    pub clients: Arc<Clients>,
    pub deadline: Deadline,
    /// Read it, write it: what it holds when the operation ends is stored with the state.
    pub private: Private,
    /// Warnings the API gave on a successful call (Exchange's `@adminapi.warnings`): the
    /// framework shows them with the operation's result, whatever it returns.
    warnings: Mutex<Diagnostics>,
    /// The provider instance's listings for reads, when this operation may be answered from
    /// one ([`Ctx::listed`]): a data source's read. Never set for a resource's operations: the
    /// framework answers their refresh itself, and a read after a write must go direct.
    listings: Option<Arc<Listings>>,
}

impl Ctx {
    /// A context with empty private state.
    pub fn new(clients: Arc<Clients>, deadline: Deadline) -> Ctx {
        Ctx {
            clients,
            deadline,
            private: Private::default(),
            warnings: Mutex::new(Diagnostics::new()),
            listings: None,
        }
    }

    /// Shows `d` (a warning) to the user with this operation's result. The same warning given
    /// twice (read-after-write reads more than once) is shown once.
    pub fn warn(&self, d: Diagnostic) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !w.0.contains(&d) {
            w.push(d);
        }
    }

    /// The warnings given so far, leaving none.
    pub fn take_warnings(&self) -> Diagnostics {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn with_private(mut self, private: Private) -> Ctx {
        self.private = private;
        self
    }

    /// Lets [`Ctx::listed`] answer from `listings` (a data source's read).
    pub fn with_listings(mut self, listings: Arc<Listings>) -> Ctx {
        self.listings = Some(listings);
        self
    }

    /// The object at `key` in `res`'s listing for reads (made once per provider instance, see
    /// [`super::refresh`]), for a data source that reads an object of a resource type (the
    /// partner configuration a `check` block watches): `None` when it must read directly (no
    /// listings in this context, the type offers none, the listing failed, or the key is not
    /// in it: only a direct read decides an object is missing).
    pub async fn listed(&self, res: &dyn Resource, key: &ListedKey) -> Option<Json> {
        self.listings.as_ref()?.find(res, self, key).await
    }

    /// A context for unit tests: [`Clients::for_tests`] over `transport` (usually a scripted
    /// [`crate::clients::http::mock::MockTransport`]) and a deadline `timeout` away that is
    /// never stopped.
    #[cfg(test)]
    pub fn for_tests(
        transport: Arc<dyn crate::clients::http::Transport>,
        timeout: Duration,
    ) -> Ctx {
        Ctx::new(
            Arc::new(Clients::for_tests(transport)),
            Deadline::after(timeout, tokio_util::sync::CancellationToken::new()),
        )
    }
}

/// What an import may use: the provider's configuration, never the network (the read that
/// follows the import does the API calls). An import ID that names "this tenant" is checked
/// against [`ImportCtx::tenant_id`], so a state can never claim another tenant.
#[derive(Clone, Debug, Default)]
pub struct ImportCtx {
    /// The tenant the provider signs in to (lowercase), when configured.
    pub tenant_id: Option<String>,
}

/// The provider's tenant as the docs' examples have it: an example import ID naming "this
/// tenant" names this GUID, one naming another tenant names any other.
pub const EXAMPLE_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

impl ImportCtx {
    /// The context the docs' example import IDs are written for ([`EXAMPLE_TENANT`]).
    pub fn for_examples() -> ImportCtx {
        ImportCtx::new(Some(EXAMPLE_TENANT))
    }

    pub fn new(tenant_id: Option<&str>) -> ImportCtx {
        ImportCtx {
            tenant_id: tenant_id.map(str::to_ascii_lowercase),
        }
    }

    /// The provider's tenant, or an error saying that `type_name`'s import ID cannot be
    /// checked without it.
    pub fn this_tenant(&self, type_name: &str, id: &str) -> Result<&str, Diagnostics> {
        self.tenant_id.as_deref().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider tenant_id not configured",
                format!(
                    "The import ID {id:?} of {type_name} names a tenant, which must be checked against the provider's own tenant, but the provider block sets no tenant_id. Set tenant_id (or ARM_TENANT_ID) in the provider block the import uses."
                ),
            ))
        })
    }
}

/// A failed create/update. `state` is what exists remotely despite the failure (for a half-done
/// multi-step create): Terraform stores it as tainted, so nothing is orphaned.
#[derive(Debug)]
pub struct ApplyError {
    pub diags: Diagnostics,
    pub state: Option<Value>,
}

impl From<Diagnostics> for ApplyError {
    fn from(diags: Diagnostics) -> Self {
        ApplyError { diags, state: None }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub create: Duration,
    pub read: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            create: Duration::from_secs(10 * 60),
            read: Duration::from_secs(5 * 60),
            update: Duration::from_secs(10 * 60),
            delete: Duration::from_secs(10 * 60),
        }
    }
}

#[async_trait]
pub trait Resource: Send + Sync {
    /// e.g. `coexistence_cross_tenant_access_partner`
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks beyond per-attribute validators (cross-attribute rules). Runs at plan time.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    fn default_timeouts(&self) -> Timeouts {
        Timeouts::default()
    }
    /// Resource-level plan modification, after the attribute modifiers (computed attributes,
    /// use-state-for-unknown, requires-replace): set planned values, mark them unknown, require
    /// replacement, add diagnostics; all through `plan`. Rules no single attribute can express:
    /// "changing `schedule.interval` restarts the job, so `status` becomes unknown". Not called
    /// for destroy.
    fn modify_plan(&self, _req: &PlanRequest<'_>, _plan: &mut ModifyPlan) {}

    /// Creates the object from the planned value. Returns a state that at least identifies the
    /// object; the framework then reads it back and stores what the API says.
    async fn create(&self, ctx: &Ctx, planned: &Value) -> Result<Value, ApplyError>;
    /// Reads the object identified by `state`. `Ok(None)` means it is gone.
    async fn read(&self, ctx: &Ctx, state: &Value) -> Result<Option<Value>, Diagnostics>;
    async fn update(&self, ctx: &Ctx, prior: &Value, planned: &Value) -> Result<Value, ApplyError>;
    async fn delete(&self, ctx: &Ctx, state: &Value) -> Result<(), Diagnostics>;
    /// Turns an import ID into a state holding the identifying attributes (the rest stays null
    /// until the read that follows). Errors quote the expected format. An ID naming a tenant is
    /// checked against the provider's (`ctx`): a state never claims another tenant's object.
    fn import(&self, ctx: &ImportCtx, id: &str) -> Result<Value, Diagnostics>;
    /// The import ID of the object a state stands for, in the form [`Resource::import`] takes
    /// (`None` while the state identifies no object yet): what an export writes into `import`
    /// blocks and what the acceptance harness imports with.
    fn import_id_of(&self, state: &Value) -> Result<Option<String>, Diagnostics>;
    /// The import ID the resource identity holds ([`super::identity`]): one naming the object
    /// for its whole life, since Terraform refuses an identity that changes. By default the
    /// import ID; a type whose import ID can change in place (an Exchange object renamed) gives
    /// the form naming what cannot (its Guid), `None` until the state knows it.
    fn identity_import_id_of(&self, state: &Value) -> Result<Option<String>, Diagnostics> {
        self.import_id_of(state)
    }
    /// Every object of this type in the provider's tenant, each as [`Resource::read`] returns
    /// it after an import (so [`Resource::import_id_of`] gives its import ID), and the objects
    /// left out with the reason. Reads only. Every resource lists through
    /// [`super::typed_resource::TypedResource::list`]; a resource implementing this trait by
    /// hand lists nothing until it says how.
    async fn list(&self, _ctx: &Ctx, _opts: &ListOptions) -> Result<Listing<Value>, Diagnostics> {
        Err(super::listing::not_listed(self.type_name()))
    }
    /// As [`super::typed_resource::TypedResource::listable`]: a type that is not listed lists
    /// nothing (no request), and export, list blocks and the docs say why.
    fn listable(&self) -> Listable {
        Listable::Yes
    }
    /// The `config` a Terraform 1.14 `list` block for this type takes: the [`ListOptions`]
    /// its listing honours, by the names [`ListOptions::from_config`] reads.
    fn list_config(&self) -> Schema {
        super::listing::no_config(self.type_name())
    }
    /// List-backed refresh ([`super::refresh`]): every object of this type (of `part` of it,
    /// see [`ListedKey`]) as the API answers it, each under the key [`Resource::listed_key`]
    /// gives its state, in as few requests as the API allows. `None` (the default): this
    /// type's reads stay direct.
    async fn list_for_reads(
        &self,
        _ctx: &Ctx,
        _part: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        Ok(None)
    }
    /// Where `state`'s object is in [`Resource::list_for_reads`]' answer; `None` while the
    /// state does not know it (read directly).
    fn listed_key(&self, _state: &Value) -> Result<Option<ListedKey>, Diagnostics> {
        Ok(None)
    }
    /// What [`Resource::read`] returns for `state` when the API answers `found`, the object as
    /// the listing holds it.
    async fn read_listed(
        &self,
        ctx: &Ctx,
        state: &Value,
        _found: &Json,
    ) -> Result<Option<Value>, Diagnostics> {
        self.read(ctx, state).await
    }
    /// The natural key: the attribute(s) the service keeps unique for this kind of object, in
    /// a sentence for the docs page (e.g. "`tenant_id`: a tenant has at most one partner
    /// configuration per partner tenant."). When a create's outcome is in doubt (connection
    /// reset, no answer in time, 503/504), `create` looks the object up by it
    /// ([`crate::clients::create::create_once`]): it adopts an object that matches what was
    /// sent, sends the create again when there is none, and reports "already exists" otherwise.
    fn natural_key(&self) -> &'static str;
    /// The import ID's format and an example, as the docs page shows them (from the resource's
    /// [`super::import_id::ImportId`] type: `(T::FORMAT, T::EXAMPLE)`). A format offering
    /// several forms puts each in backticks, with words between (see [`super::import_id`]).
    fn import_id_format(&self) -> (&'static str, &'static str);
    /// What each operation needs from the app registration, as (operations, permission), e.g.
    /// `("read", api::READ)`. The same constants are attached to the requests, so a 403 names
    /// the permission and the docs page lists it.
    fn permissions(&self) -> &'static [(&'static str, Permission)];
    /// Where the resource's model (a serde struct) and its schema disagree, as sentences:
    /// `typed::model_mismatches::<Model>(&self.schema())`. Empty when they agree; the registry
    /// test walks every resource.
    fn model_mismatches(&self) -> Vec<String>;
}

#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics>;
    /// Whether this provider never writes what the data source reads (a tenant's directory
    /// facts, its domains' DNS records). Then one read per distinct configuration answers
    /// every read of it in the provider instance (one Terraform command): a module called for
    /// twenty pairs reads its hub's facts once, not twenty times. Default `false`: each read
    /// goes to the API, as it must for objects a resource of this provider may change.
    fn never_written(&self) -> bool {
        false
    }
    /// As [`Resource::permissions`].
    fn permissions(&self) -> &'static [(&'static str, Permission)];
    /// As [`Resource::model_mismatches`].
    fn model_mismatches(&self) -> Vec<String>;
}
