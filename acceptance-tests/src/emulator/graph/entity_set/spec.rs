//! What a family declares beside its schema: its [`Hooks`], how its entities are keyed
//! ([`Key`]), which methods ([`Ops`]) and query options ([`Query`]) it serves, its [`Parent`]
//! when nested, and the service's own conventions ([`Dialect`]). The serving is in `mod.rs`.

use serde_json::{Map, Value};

use super::super::envelope::{GraphCtx, GraphError};
use super::super::odata::Expand;
use super::super::schema::{validate_body, ObjType, Op};
use super::EntitySet;
use crate::emulator::state::TenantStore;

/// A JSON object: a body, a stored entity.
pub type Object = Map<String, Value>;

/// Reads a request's `$expand` (see [`Hooks::expand`]).
pub type ReadExpand = fn(ctx: &GraphCtx) -> Result<Expand, GraphError>;

/// What differs between families beyond their schema. Every hook has a plain default.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// The stored object a create starts from (every property present, most `null`).
    pub new: fn(key: &str) -> Map<String, Value>,
    /// What an explicit `null` for a property becomes when stored.
    pub null_of: fn(prop: &str) -> Value,
    /// Normalises a written (non-null or mapped) value before it is stored.
    pub normalize: fn(prop: &str, value: Value) -> Value,
    /// Checks on create beyond the schema (`key` is the new entity's key).
    pub check_create: fn(ctx: &GraphCtx, key: &str) -> Result<(), GraphError>,
    /// Ordering rules before a delete (`path` is the entity's store path).
    pub check_delete: fn(s: &TenantStore<'_>, path: &str) -> Result<(), GraphError>,
    /// Body validation (the schema walker by default).
    pub validate: fn(body: &Object, ty: &ObjType, op: Op) -> Result<(), GraphError>,
    /// How `$expand` is read, where a family words its refusals itself; `None`: against the
    /// set's navigation properties ([`odata::parse_expand`]).
    pub expand: Option<ReadExpand>,
    /// How a body is merged into the stored entity; `None`: [`apply`] with these hooks.
    pub merge: Option<fn(stored: &mut Object, body: &Object)>,
    /// The whole entity after a create or an update merged the body, before it is stored
    /// (server-set properties, checks of the result); an error stores nothing.
    pub finish: fn(obj: &mut Object, op: Op, key: &str) -> Result<(), GraphError>,
    /// What else a create or an update changes once the entity is stored at `path` (`body`: the
    /// request's), e.g. objects made with it or properties other entities repeat.
    pub written: fn(s: &mut TenantStore<'_>, op: Op, path: &str, body: &Object),
    /// What a delete does with the entity at `path` (removes it and what is below it by
    /// default; a soft delete moves it elsewhere). `scope` names the emulator and the tenant,
    /// for a family's per-tenant knobs.
    pub dispose: fn(
        scope: &Scope<'_>,
        s: &mut TenantStore<'_>,
        path: &str,
        key: &str,
    ) -> Result<(), GraphError>,
}

/// Who a request is for: the emulator (its base URL; tests running side by side share tenant
/// ids) and the tenant.
pub struct Scope<'a> {
    pub emulator: &'a str,
    pub tenant: &'a str,
}

impl Hooks {
    pub const DEFAULT: Hooks = Hooks {
        new: |_| Map::new(),
        null_of: |_| Value::Null,
        normalize: |_, v| v,
        check_create: |_, _| Ok(()),
        check_delete: |_, _| Ok(()),
        validate: validate_body,
        expand: None,
        merge: None,
        finish: |_, _, _| Ok(()),
        written: |_, _, _, _| {},
        dispose: |_, s, path, _| {
            s.remove(path);
            Ok(())
        },
    };
}

/// How an entity is keyed.
#[derive(Clone, Copy)]
pub enum Key {
    /// By a GUID property the client sends on create (e.g. `tenantId`), matched
    /// case-insensitively and stored lowercase.
    Property(&'static str),
    /// By an `id` the service assigns on create (a new GUID; what the create hooks store it as
    /// is theirs to say: [`Hooks::finish`] gets it).
    Server,
    /// By an opaque id the service assigns on create (made by the function; not a GUID), taken
    /// from the URL as it is.
    Opaque(fn() -> String),
}

/// The methods a set serves besides `GET`; one it does not serve answers 405.
#[derive(Clone, Copy)]
pub struct Ops {
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

impl Ops {
    pub const ALL: Ops = Ops {
        create: true,
        update: true,
        delete: true,
    };
}

/// The query options a set serves, in the order its refusals name them. `$select`, `$expand`,
/// `$filter` (on [`Query::filter`]) and `$top` are the ones there are.
pub struct Query {
    /// On a list.
    pub list: &'static [&'static str],
    /// On a GET of one entity.
    pub item: &'static [&'static str],
    /// The properties `$filter` may compare (`eq` clauses joined by `and`).
    pub filter: &'static [&'static str],
}

impl Query {
    pub const SELECT: Query = Query {
        list: &["$select"],
        item: &["$select"],
        filter: &[],
    };
    pub const SELECT_EXPAND: Query = Query {
        list: &["$select", "$expand"],
        item: &["$select", "$expand"],
        filter: &[],
    };
    /// No query option at all.
    pub const NONE: Query = Query {
        list: &[],
        item: &[],
        filter: &[],
    };
}

/// The entity a nested set's collection hangs off: `<parent set>/{id}/<path>`.
pub struct Parent {
    pub set: &'static EntitySet,
    /// What a request of the nested set sees of the parent entity `key`, in the store, before
    /// its own checks (missing, still replicating, refusing requests for a while).
    pub check: fn(s: &TenantStore<'_>, key: &str) -> Result<(), GraphError>,
}

/// How the service behind a set words what every set answers: the directory's (the default)
/// or a workload's own (Conditional Access answers with other codes and context URLs).
pub struct Dialect {
    /// 400 for a key in the URL that is not a GUID.
    pub bad_key: fn(raw: &str) -> GraphError,
    /// 404 of a GET or DELETE of a missing entity.
    pub not_found: fn(key: &str) -> GraphError,
    /// 404 of a PATCH of a missing entity.
    pub update_not_found: fn(key: &str) -> GraphError,
    /// Context URLs name `$select` (`partners(id,x)/$entity`); expanded navigation properties
    /// are named either way.
    pub select_in_context: bool,
    /// A GET checks the key before the query options.
    pub key_before_query: bool,
    /// A GET of an entity still replicating answers `not_found`.
    pub get_sees_lag: bool,
    /// A PATCH checks the key before the query options.
    pub update_key_before_query: bool,
    /// A PATCH of an entity still replicating answers `update_not_found`.
    pub update_sees_lag: bool,
    /// A DELETE of an entity still replicating answers `not_found`.
    pub delete_sees_lag: bool,
    /// A create answers with a `Location` header.
    pub location: bool,
}

impl Dialect {
    pub const DIRECTORY: Dialect = Dialect {
        bad_key: |raw| {
            GraphError::request_bad_request(format!("Invalid object identifier '{raw}'."))
        },
        not_found: GraphError::resource_not_found,
        update_not_found: |_| GraphError::object_not_found(),
        select_in_context: true,
        key_before_query: false,
        get_sees_lag: true,
        update_key_before_query: false,
        update_sees_lag: false,
        delete_sees_lag: false,
        location: true,
    };
}
