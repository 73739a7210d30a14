//! The handler skeleton every Graph object family repeats, written once:
//!
//! * [`EntitySet`]: `GET` / `POST` on a collection, `GET` / `PATCH` / `DELETE` on `{key}`;
//! * [`Singleton`]: a single-valued navigation property stored under an entity of a set
//!   (`PUT` creates, `GET` / `PATCH` / `DELETE`), expandable from its parent.
//!
//! Both validate bodies strictly against their [`ObjType`] (unknown or mis-cased properties,
//! wrong types, enum members, read-only and create-only properties: [`validate_body`]), accept
//! only the query options they serve, honour replication lag, and answer with Graph's context
//! URLs. What differs per family is data plus a few hooks ([`Hooks`]); a new family is a schema,
//! a `static` of one of these and one `.merge(set.routes())` line.
//! Behaviour: API-NOTES.md#graph-entity-sets.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::envelope::{context_url, no_content, odata_json, GraphCtx, GraphError, GraphResult};
use super::odata::{self, parse_select, project, Expand};
use super::schema::{validate_body, ObjType, Op};
use crate::emulator::state::{Shared, TenantStore};
use crate::emulator::util::{is_guid, new_guid};

mod singleton;
pub use singleton::Singleton;

/// A JSON object: a body, a stored entity.
pub type Object = Map<String, Value>;

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
    /// How a body is merged into the stored entity; `None`: [`apply`] with these hooks.
    pub merge: Option<fn(stored: &mut Object, body: &Object)>,
    /// The whole entity after a create or an update merged the body, before it is stored
    /// (server-set properties, checks of the result); an error stores nothing.
    pub finish: fn(obj: &mut Object, op: Op, key: &str) -> Result<(), GraphError>,
    /// What a delete does with the entity at `path` (removes it and what is below it by
    /// default; a soft delete moves it elsewhere).
    pub dispose: fn(s: &mut TenantStore<'_>, path: &str, key: &str) -> Result<(), GraphError>,
}

impl Hooks {
    pub const DEFAULT: Hooks = Hooks {
        new: |_| Map::new(),
        null_of: |_| Value::Null,
        normalize: |_, v| v,
        check_create: |_, _| Ok(()),
        check_delete: |_, _| Ok(()),
        validate: validate_body,
        merge: None,
        finish: |_, _, _| Ok(()),
        dispose: |s, path, _| {
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
    /// Context URLs name `$select` / `$expand` (`partners(id,x)/$entity`).
    pub select_in_context: bool,
    /// A GET checks the key before the query options.
    pub key_before_query: bool,
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
    };
}

/// An entity set keyed by GUIDs (see [`Key`]).
pub struct EntitySet {
    /// Store path of the collection, e.g. `/policies/crossTenantAccessPolicy/partners`.
    pub path: &'static str,
    pub ty: &'static ObjType,
    pub key: Key,
    /// Expandable single-valued navigation properties.
    pub navs: &'static [&'static Singleton],
    /// Navigation properties of the real type the emulator does not serve (refused in
    /// `$expand` rather than answered wrongly).
    pub unemulated: &'static [&'static str],
    pub hooks: Hooks,
    pub dialect: &'static Dialect,
}

/// Top-level merge of a validated body into a stored object. Complex values replace the stored
/// value wholesale (API-NOTES.md#graph-patch); `null` is mapped by the hooks.
pub fn apply(stored: &mut Map<String, Value>, body: &Map<String, Value>, skip: &[&str], h: &Hooks) {
    for (k, v) in body {
        if k.starts_with('@') || skip.contains(&k.as_str()) {
            continue;
        }
        let value = if v.is_null() {
            (h.null_of)(k)
        } else {
            strip_annotations(v)
        };
        stored.insert(k.clone(), (h.normalize)(k, value));
    }
}

/// Removes `@odata.type` annotations (validated already; not stored).
fn strip_annotations(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('@'))
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

/// `{"@odata.context": ..., ...body}`.
pub fn with_context(ctx_url: String, body: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("@odata.context".into(), Value::String(ctx_url));
    out.extend(body);
    Value::Object(out)
}

/// A GUID key from the URL, lowercase.
fn url_key(raw: &str) -> Result<String, GraphError> {
    if is_guid(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(GraphError::request_bad_request(format!(
            "Invalid object identifier '{raw}'."
        )))
    }
}

fn conflict(msg: &str) -> GraphError {
    GraphError::new(
        StatusCode::CONFLICT,
        "Request_MultipleObjectsWithSameKeyValue",
        msg,
    )
}

type Handler = GraphResult;
// The extractors of the generated handlers.
type St = State<Arc<Shared>>;
type Cx = Extension<GraphCtx>;
type Id = Path<String>;

impl EntitySet {
    /// The collection and item routes (plus each navigation property's).
    pub fn routes(&'static self) -> Router<Arc<Shared>> {
        let item = format!("/v1.0{}/{{id}}", self.path);
        let mut r = Router::new()
            .route(
                &format!("/v1.0{}", self.path),
                get(move |State(st): St, Extension(ctx): Cx| async move { self.list(&st, &ctx) })
                    .post(move |State(st): St, Extension(ctx): Cx| async move {
                        self.create(&st, &ctx)
                    }),
            )
            .route(
                &item,
                get(
                    move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                        self.get(&st, &ctx, &id)
                    },
                )
                .patch(
                    move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                        self.update(&st, &ctx, &id)
                    },
                )
                .delete(
                    move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                        self.delete(&st, &ctx, &id)
                    },
                ),
            );
        for nav in self.navs {
            r = r.merge(nav.routes(self));
        }
        r
    }

    /// Store path of the entity with `key`.
    pub fn item_path(&self, key: &str) -> String {
        format!("{}/{key}", self.path)
    }

    /// `policies/crossTenantAccessPolicy/partners` (the context URL's collection).
    fn context(&self) -> &'static str {
        self.path.trim_start_matches('/')
    }

    /// A key from the URL, lowercase.
    fn url_key(&self, raw: &str) -> Result<String, GraphError> {
        if is_guid(raw) {
            Ok(raw.to_ascii_lowercase())
        } else {
            Err((self.dialect.bad_key)(raw))
        }
    }

    /// The query options a read serves: `$expand` only where there is something to expand.
    fn read_options(&self) -> &'static [&'static str] {
        if self.navs.is_empty() && self.unemulated.is_empty() {
            &["$select"]
        } else {
            &["$select", "$expand"]
        }
    }

    /// The `$select` / `$expand` part of a context URL, in the dialects that write it.
    fn context_select(&self, select: &Option<Vec<String>>, expand: &Expand) -> String {
        if self.dialect.select_in_context {
            odata::context_select(select, expand)
        } else {
            String::new()
        }
    }

    /// Merges `body` into `obj` as the hooks say (`skip`: properties [`apply`] leaves out).
    fn merge(&self, obj: &mut Map<String, Value>, body: &Map<String, Value>, skip: &[&str]) {
        match self.hooks.merge {
            Some(merge) => merge(obj, body),
            None => apply(obj, body, skip, &self.hooks),
        }
    }

    fn parse_expand(&self, ctx: &GraphCtx) -> Result<Expand, GraphError> {
        let navs: Vec<(&'static str, &ObjType)> =
            self.navs.iter().map(|n| (n.name, n.ty)).collect();
        odata::parse_expand(ctx, self.ty, &navs, self.unemulated)
    }

    /// The entity projected on `$select`, with `$expand`ed navigation properties read by `read`.
    fn shape<'s>(
        &self,
        path: &str,
        v: &Value,
        select: &Option<Vec<String>>,
        expand: &Expand,
        read: impl Fn(&str) -> Option<&'s Value>,
    ) -> Map<String, Value> {
        let mut m = project(v, select);
        for nav in self.navs {
            if let Some(sel) = expand.get(nav.name) {
                let related = read(&format!("{path}/{}", nav.name));
                m.insert(nav.name.into(), odata::expanded(related, sel));
            }
        }
        m
    }

    fn list(&self, st: &Shared, ctx: &GraphCtx) -> Handler {
        ctx.only_query_options(self.read_options())?;
        let select = parse_select(ctx, self.ty)?;
        let expand = self.parse_expand(ctx)?;
        // Replication lag hides new objects from a GET of them, not from the list
        // (API-NOTES.md#replication-lag).
        let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
            s.children(self.path)
                .into_iter()
                .map(|(path, v)| {
                    Value::Object(self.shape(&path, &v, &select, &expand, |p| s.get(p)))
                })
                .collect()
        });
        let fragment = format!(
            "{}{}",
            self.context(),
            self.context_select(&select, &expand)
        );
        Ok(odata_json(
            StatusCode::OK,
            json!({"@odata.context": context_url(st, &fragment), "value": value}),
        ))
    }

    fn create(&self, st: &Shared, ctx: &GraphCtx) -> Handler {
        ctx.only_query_options(&[])?;
        let body = ctx.object_body()?;
        (self.hooks.validate)(body, self.ty, Op::Create)?;
        let key = match self.key {
            Key::Property(prop) => self.client_key(body, prop)?,
            Key::Server => new_guid(),
        };
        (self.hooks.check_create)(ctx, &key)?;
        let path = self.item_path(&key);
        let created = st.with_store(&ctx.tenant, |s| {
            let skip: &[&str] = match self.key {
                Key::Property(prop) => {
                    if s.get(&path).is_some() {
                        return Err(conflict(&format!(
                            "Another object with the same value for property {prop} already exists."
                        )));
                    }
                    &[prop][..]
                }
                Key::Server => &[],
            };
            let mut obj = (self.hooks.new)(&key);
            self.merge(&mut obj, body, skip);
            (self.hooks.finish)(&mut obj, Op::Create, &key)?;
            s.create(&path, Value::Object(obj.clone()));
            Ok(obj)
        })?;
        let ctx_url = context_url(st, &format!("{}/$entity", self.context()));
        let mut resp = odata_json(StatusCode::CREATED, with_context(ctx_url, created));
        if let Ok(v) = format!("{}/v1.0{path}", st.base_url).parse() {
            resp.headers_mut().insert("location", v);
        }
        Ok(resp)
    }

    /// The key property a create must carry.
    fn client_key(&self, body: &Map<String, Value>, prop: &str) -> Result<String, GraphError> {
        match body.get(prop) {
            None => Err(GraphError::request_bad_request(format!(
                "Required property '{prop}' is missing from the request body."
            ))),
            Some(Value::String(t)) if is_guid(t) => Ok(t.to_ascii_lowercase()),
            Some(_) => {
                let mut resource = self.ty.name.to_string();
                if let Some(first) = resource.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                Err(GraphError::request_bad_request(format!(
                    "Invalid value specified for property '{prop}' of resource '{resource}'."
                )))
            }
        }
    }

    fn get(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        let key = if self.dialect.key_before_query {
            let key = self.url_key(id)?;
            ctx.only_query_options(self.read_options())?;
            key
        } else {
            ctx.only_query_options(self.read_options())?;
            self.url_key(id)?
        };
        let select = parse_select(ctx, self.ty)?;
        let expand = self.parse_expand(ctx)?;
        let path = self.item_path(&key);
        let body = st.with_store(&ctx.tenant, |s| {
            let v = s
                .visible(&path)
                .ok_or_else(|| (self.dialect.not_found)(&key))?;
            // Assumed: the replica answering sees an expanded navigation property as a GET of
            // it would (replication lag applies), unlike the list (API-NOTES.md#replication-lag).
            Ok::<_, GraphError>(self.shape(&path, v, &select, &expand, |p| s.visible(p)))
        })?;
        let fragment = format!(
            "{}{}/$entity",
            self.context(),
            self.context_select(&select, &expand)
        );
        Ok(odata_json(
            StatusCode::OK,
            with_context(context_url(st, &fragment), body),
        ))
    }

    fn update(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = self.url_key(id)?;
        let body = ctx.object_body()?;
        (self.hooks.validate)(body, self.ty, Op::Update)?;
        st.with_store(&ctx.tenant, |s| {
            let stored = s
                .get_mut(&self.item_path(&key))
                .and_then(Value::as_object_mut)
                .ok_or_else(|| (self.dialect.update_not_found)(&key))?;
            // Merged into a copy: a result `finish` refuses leaves the entity as it was.
            let mut merged = stored.clone();
            self.merge(&mut merged, body, &[]);
            (self.hooks.finish)(&mut merged, Op::Update, &key)?;
            *stored = merged;
            Ok(no_content())
        })
    }

    fn delete(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = self.url_key(id)?;
        st.with_store(&ctx.tenant, |s| {
            let path = self.item_path(&key);
            if s.get(&path).is_none() {
                return Err((self.dialect.not_found)(&key));
            }
            (self.hooks.check_delete)(s, &path)?;
            (self.hooks.dispose)(s, &path, &key)?;
            Ok(no_content())
        })
    }
}
