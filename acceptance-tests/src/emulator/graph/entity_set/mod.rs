//! The handler skeleton every Graph object family repeats, written once:
//!
//! * [`EntitySet`]: `GET` / `POST` on a collection, `GET` / `PATCH` / `DELETE` on `{key}`
//!   (the methods a set serves: [`Ops`]), top-level or nested under an entity of another set
//!   ([`Parent`]: `servicePrincipals/{id}/synchronization/jobs`);
//! * [`Singleton`]: a single-valued navigation property stored under an entity of a set
//!   (`PUT` creates, `GET` / `PATCH` / `DELETE`), expandable from its parent.
//!
//! Both validate bodies strictly against their [`ObjType`] (unknown or mis-cased properties,
//! wrong types, enum members, read-only and create-only properties: [`validate_body`]), accept
//! only the query options they serve ([`Query`]: `$select`, `$expand`, `$filter`, `$top`),
//! honour replication lag, and answer with Graph's context URLs. What differs per family is data plus a few hooks ([`Hooks`]); a new family is a schema,
//! a `static` of one of these and one `.merge(set.routes())` line.
//! Behaviour: API-NOTES.md#graph-entity-sets.

use std::sync::Arc;

use axum::extract::{Path, RawPathParams, State};
use axum::http::StatusCode;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::envelope::{context_url, no_content, odata_json, GraphCtx, GraphError, GraphResult};
use super::odata::{self, parse_filter, parse_select, parse_top, project, Expand};
use super::schema::{ObjType, Op};
use crate::emulator::state::{Shared, TenantStore};
use crate::emulator::util::{is_guid, new_guid};

mod singleton;
pub use singleton::Singleton;

mod spec;
pub use spec::*;

/// An entity set keyed as [`Key`] says.
pub struct EntitySet {
    /// Store path of the collection, e.g. `/policies/crossTenantAccessPolicy/partners`; below
    /// the parent entity when nested (`/synchronization/jobs`).
    pub path: &'static str,
    /// The set whose entities this one is nested under, if any.
    pub parent: Option<&'static Parent>,
    pub ty: &'static ObjType,
    pub key: Key,
    /// The methods it serves.
    pub ops: Ops,
    pub query: &'static Query,
    /// Expandable single-valued navigation properties.
    pub navs: &'static [&'static Singleton],
    /// Expandable collection-valued navigation properties: the name and the type of the
    /// entities stored below `<entity path>/<name>/`.
    pub collections: &'static [(&'static str, &'static ObjType)],
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
type Keys = RawPathParams;
/// One of the set's operations (list, create, get, update, delete).
type Operation = fn(&EntitySet, &Shared, &GraphCtx, &[String]) -> Handler;

/// The keys in the URL, in order: the parent entity's (nested sets), then the entity's.
fn url_keys(p: &RawPathParams) -> Vec<String> {
    p.iter().map(|(_, v)| v.to_string()).collect()
}

/// The collection a request is about.
struct At {
    /// The parent entity's key (nested sets).
    parent: Option<String>,
    /// Store path of the collection.
    path: String,
    /// The context URL's collection: `servicePrincipals('<id>')/synchronization/jobs`.
    context: String,
}

impl At {
    fn item(&self, key: &str) -> String {
        format!("{}/{key}", self.path)
    }
}

impl EntitySet {
    /// The collection and item routes (plus each navigation property's), with the methods
    /// [`Ops`] serves.
    pub fn routes(&'static self) -> Router<Arc<Shared>> {
        let (collection, item) = match self.parent {
            None => (
                format!("/v1.0{}", self.path),
                format!("/v1.0{}/{{id}}", self.path),
            ),
            Some(p) => {
                let base = format!("/v1.0{}/{{id}}{}", p.set.path, self.path);
                let item = format!("{base}/{{key}}");
                (base, item)
            }
        };
        let mut list = self.serve(MethodFilter::GET, EntitySet::list);
        if self.ops.create {
            list = list.merge(self.serve(MethodFilter::POST, EntitySet::create));
        }
        let mut one = self.serve(MethodFilter::GET, EntitySet::get);
        if self.ops.update {
            one = one.merge(self.serve(MethodFilter::PATCH, EntitySet::update));
        }
        if self.ops.delete {
            one = one.merge(self.serve(MethodFilter::DELETE, EntitySet::delete));
        }
        let mut r = Router::new().route(&collection, list).route(&item, one);
        for nav in self.navs {
            r = r.merge(nav.routes(self));
        }
        r
    }

    /// `method` answered by `op` with the URL's keys.
    fn serve(&'static self, method: MethodFilter, op: Operation) -> MethodRouter<Arc<Shared>> {
        on(
            method,
            move |State(st): St, Extension(ctx): Cx, k: Keys| async move {
                op(self, &st, &ctx, &url_keys(&k))
            },
        )
    }

    /// Store path of the entity with `key` (a top-level set's).
    pub fn item_path(&self, key: &str) -> String {
        format!("{}/{key}", self.path)
    }

    /// `policies/crossTenantAccessPolicy/partners` (the context URL's collection, top level).
    fn context(&self) -> &'static str {
        self.path.trim_start_matches('/')
    }

    /// The collection of a request: a nested set's parent key read from the URL (400 for a bad
    /// one, in the parent's words).
    fn at(&self, keys: &[String]) -> Result<At, GraphError> {
        let Some(p) = self.parent else {
            return Ok(At {
                parent: None,
                path: self.path.to_string(),
                context: self.context().to_string(),
            });
        };
        let raw = keys.first().map(String::as_str).unwrap_or_default();
        let key = p.set.url_key(raw)?;
        Ok(At {
            path: format!("{}{}", p.set.item_path(&key), self.path),
            context: format!("{}('{key}'){}", p.set.context(), self.path),
            parent: Some(key),
        })
    }

    /// What the parent entity of a nested set's request says (see [`Parent::check`]).
    fn check_parent(&self, s: &TenantStore<'_>, at: &At) -> Result<(), GraphError> {
        match (self.parent, &at.parent) {
            (Some(p), Some(key)) => (p.check)(s, key),
            _ => Ok(()),
        }
    }

    /// The entity's key: the last one in the URL.
    fn own_key(&self, keys: &[String]) -> Result<String, GraphError> {
        self.url_key(keys.last().map(String::as_str).unwrap_or_default())
    }

    /// A key from the URL, lowercase (opaque keys as they are).
    fn url_key(&self, raw: &str) -> Result<String, GraphError> {
        match self.key {
            Key::Opaque(_) => Ok(raw.to_string()),
            _ if is_guid(raw) => Ok(raw.to_ascii_lowercase()),
            _ => Err((self.dialect.bad_key)(raw)),
        }
    }

    /// The `$select` / `$expand` part of a context URL, as the dialect writes it.
    fn context_select(&self, select: &Option<Vec<String>>, expand: &Expand) -> String {
        if self.dialect.select_in_context {
            odata::context_select(select, expand)
        } else {
            odata::context_select(&None, expand)
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
        if let Some(expand) = self.hooks.expand {
            return expand(ctx);
        }
        let navs: Vec<(&'static str, &ObjType)> = self
            .navs
            .iter()
            .map(|n| (n.name, n.ty))
            .chain(self.collections.iter().copied())
            .collect();
        odata::parse_expand(ctx, self.ty, &navs, self.unemulated)
    }

    /// The entity at `path` projected on `$select`, with its `$expand`ed navigation properties
    /// (single-valued ones as a GET of them would see them when `lagged`; collections listed).
    fn shape(
        &self,
        s: &TenantStore<'_>,
        path: &str,
        v: &Value,
        select: &Option<Vec<String>>,
        expand: &Expand,
        lagged: bool,
    ) -> Map<String, Value> {
        let mut m = project(v, select);
        for nav in self.navs {
            if let Some(sel) = expand.get(nav.name) {
                let at = format!("{path}/{}", nav.name);
                let related = if lagged { s.visible(&at) } else { s.get(&at) };
                m.insert(nav.name.into(), odata::expanded(related, sel));
            }
        }
        for (name, _) in self.collections {
            if let Some(sel) = expand.get(name) {
                let items = s
                    .children(&format!("{path}/{name}"))
                    .into_iter()
                    .map(|(_, v)| Value::Object(project(&v, sel)))
                    .collect();
                m.insert((*name).into(), Value::Array(items));
            }
        }
        m
    }

    fn list(&self, st: &Shared, ctx: &GraphCtx, keys: &[String]) -> Handler {
        ctx.only_query_options(self.query.list)?;
        let at = self.at(keys)?;
        let clauses = parse_filter(ctx, self.query.filter, self.ty)?;
        let top = parse_top(ctx)?;
        let select = parse_select(ctx, self.ty)?;
        let expand = self.parse_expand(ctx)?;
        // Replication lag hides new objects from a GET of them, not from the list
        // (API-NOTES.md#replication-lag).
        let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
            self.check_parent(s, &at)?;
            Ok::<_, GraphError>(
                s.children(&at.path)
                    .into_iter()
                    .filter(|(_, v)| odata::matches(v, &clauses))
                    .take(top)
                    .map(|(path, v)| {
                        Value::Object(self.shape(s, &path, &v, &select, &expand, false))
                    })
                    .collect(),
            )
        })?;
        let fragment = format!("{}{}", at.context, self.context_select(&select, &expand));
        Ok(odata_json(
            StatusCode::OK,
            json!({"@odata.context": context_url(st, &fragment), "value": value}),
        ))
    }

    fn create(&self, st: &Shared, ctx: &GraphCtx, keys: &[String]) -> Handler {
        ctx.only_query_options(&[])?;
        let at = self.at(keys)?;
        let body = ctx.object_body()?;
        (self.hooks.validate)(body, self.ty, Op::Create)?;
        let key = match self.key {
            Key::Property(prop) => self.client_key(body, prop)?,
            Key::Server => new_guid(),
            Key::Opaque(new) => new(),
        };
        (self.hooks.check_create)(ctx, &key)?;
        let path = at.item(&key);
        let created = st.with_store(&ctx.tenant, |s| {
            self.check_parent(s, &at)?;
            let skip: &[&str] = match self.key {
                Key::Property(prop) => {
                    if s.get(&path).is_some() {
                        return Err(conflict(&format!(
                            "Another object with the same value for property {prop} already exists."
                        )));
                    }
                    &[prop][..]
                }
                Key::Server | Key::Opaque(_) => &[],
            };
            let mut obj = (self.hooks.new)(&key);
            self.merge(&mut obj, body, skip);
            (self.hooks.finish)(&mut obj, Op::Create, &key)?;
            s.create(&path, Value::Object(obj.clone()));
            (self.hooks.written)(s, Op::Create, &path, body);
            Ok(obj)
        })?;
        let ctx_url = context_url(st, &format!("{}/$entity", at.context));
        let mut resp = odata_json(StatusCode::CREATED, with_context(ctx_url, created));
        if self.dialect.location {
            if let Ok(v) = format!("{}/v1.0{path}", st.base_url).parse() {
                resp.headers_mut().insert("location", v);
            }
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

    /// The entity `key` of the collection `at` as a GET finds it: the parent's check first,
    /// then `not_found` while it is missing (or, where the dialect says, still replicating).
    fn find<'s>(
        &self,
        s: &'s TenantStore<'_>,
        at: &At,
        key: &str,
    ) -> Result<&'s Value, GraphError> {
        self.check_parent(s, at)?;
        let path = at.item(key);
        let v = if self.dialect.get_sees_lag {
            s.visible(&path)
        } else {
            s.get(&path)
        };
        v.ok_or_else(|| (self.dialect.not_found)(key))
    }

    /// Runs `f` on the entity the URL's `keys` name (the parent's, then its own), at its store
    /// path, once a GET would find it: for a family's actions on an entity
    /// (`jobs/{key}/start`), which answer 400 and 404 as the set does.
    pub fn with_entity<R>(
        &self,
        st: &Shared,
        ctx: &GraphCtx,
        keys: &[&str],
        f: impl FnOnce(&mut TenantStore<'_>, String) -> Result<R, GraphError>,
    ) -> Result<R, GraphError> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let at = self.at(&keys)?;
        let key = self.own_key(&keys)?;
        st.with_store(&ctx.tenant, |s| {
            self.find(s, &at, &key)?;
            f(s, at.item(&key))
        })
    }

    fn get(&self, st: &Shared, ctx: &GraphCtx, keys: &[String]) -> Handler {
        let (at, key) = if self.dialect.key_before_query {
            let at = self.at(keys)?;
            let key = self.own_key(keys)?;
            ctx.only_query_options(self.query.item)?;
            (at, key)
        } else {
            ctx.only_query_options(self.query.item)?;
            (self.at(keys)?, self.own_key(keys)?)
        };
        let select = parse_select(ctx, self.ty)?;
        let expand = self.parse_expand(ctx)?;
        let path = at.item(&key);
        let body = st.with_store(&ctx.tenant, |s| {
            let v = self.find(s, &at, &key)?;
            // Assumed: the replica answering sees an expanded navigation property as a GET of
            // it would (replication lag applies), unlike the list (API-NOTES.md#replication-lag).
            Ok::<_, GraphError>(self.shape(s, &path, v, &select, &expand, true))
        })?;
        let fragment = format!(
            "{}{}/$entity",
            at.context,
            self.context_select(&select, &expand)
        );
        Ok(odata_json(
            StatusCode::OK,
            with_context(context_url(st, &fragment), body),
        ))
    }

    fn update(&self, st: &Shared, ctx: &GraphCtx, keys: &[String]) -> Handler {
        let (at, key) = if self.dialect.update_key_before_query {
            let at = self.at(keys)?;
            let key = self.own_key(keys)?;
            ctx.only_query_options(&[])?;
            (at, key)
        } else {
            ctx.only_query_options(&[])?;
            (self.at(keys)?, self.own_key(keys)?)
        };
        let body = ctx.object_body()?;
        (self.hooks.validate)(body, self.ty, Op::Update)?;
        st.with_store(&ctx.tenant, |s| {
            self.check_parent(s, &at)?;
            let path = at.item(&key);
            if self.dialect.update_sees_lag && s.visible(&path).is_none() {
                return Err((self.dialect.update_not_found)(&key));
            }
            let stored = s
                .get_mut(&path)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| (self.dialect.update_not_found)(&key))?;
            // Merged into a copy: a result `finish` refuses leaves the entity as it was.
            let mut merged = stored.clone();
            self.merge(&mut merged, body, &[]);
            (self.hooks.finish)(&mut merged, Op::Update, &key)?;
            *stored = merged;
            (self.hooks.written)(s, Op::Update, &path, body);
            Ok(no_content())
        })
    }

    fn delete(&self, st: &Shared, ctx: &GraphCtx, keys: &[String]) -> Handler {
        ctx.only_query_options(&[])?;
        let at = self.at(keys)?;
        let key = self.own_key(keys)?;
        let scope = Scope {
            emulator: &st.base_url,
            tenant: &ctx.tenant,
        };
        st.with_store(&ctx.tenant, |s| {
            self.check_parent(s, &at)?;
            let path = at.item(&key);
            let there = if self.dialect.delete_sees_lag {
                s.visible(&path).is_some()
            } else {
                s.get(&path).is_some()
            };
            if !there {
                return Err((self.dialect.not_found)(&key));
            }
            (self.hooks.check_delete)(s, &path)?;
            (self.hooks.dispose)(&scope, s, &path, &key)?;
            Ok(no_content())
        })
    }
}
