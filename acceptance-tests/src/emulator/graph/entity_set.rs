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
use crate::emulator::util::is_guid;

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
}

impl Hooks {
    pub const DEFAULT: Hooks = Hooks {
        new: |_| Map::new(),
        null_of: |_| Value::Null,
        normalize: |_, v| v,
        check_create: |_, _| Ok(()),
        check_delete: |_, _| Ok(()),
    };
}

/// An entity set keyed by a GUID property of its entities (matched case-insensitively, stored
/// lowercase).
pub struct EntitySet {
    /// Store path of the collection, e.g. `/policies/crossTenantAccessPolicy/partners`.
    pub path: &'static str,
    pub ty: &'static ObjType,
    /// The key property, required on create (e.g. `tenantId`).
    pub key: &'static str,
    /// Expandable single-valued navigation properties.
    pub navs: &'static [&'static Singleton],
    /// Navigation properties of the real type the emulator does not serve (refused in
    /// `$expand` rather than answered wrongly).
    pub unemulated: &'static [&'static str],
    pub hooks: Hooks,
}

/// A single-valued navigation property `<set>/{key}/<name>`, stored at `<entity path>/<name>`.
pub struct Singleton {
    pub name: &'static str,
    pub ty: &'static ObjType,
    /// The key property the stored object repeats from its parent (read-only in bodies; tolerated
    /// when it names the parent), if any.
    pub key: Option<&'static str>,
    pub hooks: Hooks,
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
        ctx.only_query_options(&["$select", "$expand"])?;
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
            odata::context_select(&select, &expand)
        );
        Ok(odata_json(
            StatusCode::OK,
            json!({"@odata.context": context_url(st, &fragment), "value": value}),
        ))
    }

    fn create(&self, st: &Shared, ctx: &GraphCtx) -> Handler {
        ctx.only_query_options(&[])?;
        let body = ctx.object_body()?;
        validate_body(body, self.ty, Op::Create)?;
        let key = match body.get(self.key) {
            None => {
                return Err(GraphError::request_bad_request(format!(
                    "Required property '{}' is missing from the request body.",
                    self.key
                )))
            }
            Some(Value::String(t)) if is_guid(t) => t.to_ascii_lowercase(),
            Some(_) => {
                let mut resource = self.ty.name.to_string();
                if let Some(first) = resource.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                return Err(GraphError::request_bad_request(format!(
                    "Invalid value specified for property '{}' of resource '{resource}'.",
                    self.key
                )));
            }
        };
        (self.hooks.check_create)(ctx, &key)?;
        let path = self.item_path(&key);
        let created = st.with_store(&ctx.tenant, |s| {
            if s.get(&path).is_some() {
                return Err(conflict(&format!(
                    "Another object with the same value for property {} already exists.",
                    self.key
                )));
            }
            let mut obj = (self.hooks.new)(&key);
            apply(&mut obj, body, &[self.key], &self.hooks);
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

    fn get(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&["$select", "$expand"])?;
        let key = url_key(id)?;
        let select = parse_select(ctx, self.ty)?;
        let expand = self.parse_expand(ctx)?;
        let path = self.item_path(&key);
        let body = st.with_store(&ctx.tenant, |s| {
            let v = s
                .visible(&path)
                .ok_or_else(|| GraphError::resource_not_found(&key))?;
            // Assumed: the replica answering sees an expanded navigation property as a GET of
            // it would (replication lag applies), unlike the list (API-NOTES.md#replication-lag).
            Ok::<_, GraphError>(self.shape(&path, v, &select, &expand, |p| s.visible(p)))
        })?;
        let fragment = format!(
            "{}{}/$entity",
            self.context(),
            odata::context_select(&select, &expand)
        );
        Ok(odata_json(
            StatusCode::OK,
            with_context(context_url(st, &fragment), body),
        ))
    }

    fn update(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = url_key(id)?;
        let body = ctx.object_body()?;
        validate_body(body, self.ty, Op::Update)?;
        st.with_store(&ctx.tenant, |s| {
            let stored = s
                .get_mut(&self.item_path(&key))
                .and_then(Value::as_object_mut)
                .ok_or_else(GraphError::object_not_found)?;
            apply(stored, body, &[], &self.hooks);
            Ok(no_content())
        })
    }

    fn delete(&self, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = url_key(id)?;
        st.with_store(&ctx.tenant, |s| {
            let path = self.item_path(&key);
            if s.get(&path).is_none() {
                return Err(GraphError::resource_not_found(&key));
            }
            (self.hooks.check_delete)(s, &path)?;
            s.remove(&path);
            Ok(no_content())
        })
    }
}

impl Singleton {
    fn routes(&'static self, set: &'static EntitySet) -> Router<Arc<Shared>> {
        let url = format!("/v1.0{}/{{id}}/{}", set.path, self.name);
        Router::new().route(
            &url,
            get(
                move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                    self.get(set, &st, &ctx, &id)
                },
            )
            .put(
                move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                    self.put(set, &st, &ctx, &id)
                },
            )
            .patch(
                move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                    self.update(set, &st, &ctx, &id)
                },
            )
            .delete(
                move |State(st): St, Extension(ctx): Cx, Path(id): Id| async move {
                    self.delete(set, &st, &ctx, &id)
                },
            ),
        )
    }

    fn path(&self, set: &EntitySet, key: &str) -> String {
        format!("{}/{}", set.item_path(key), self.name)
    }

    fn put(&self, set: &EntitySet, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = url_key(id)?;
        let mut body = ctx.object_body()?.clone();
        // The key comes from the URL; tolerated in the body only when it names the same entity.
        if let Some(k) = self.key {
            if let Some(t) = body.remove(k) {
                if !t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(&key)) {
                    return Err(GraphError::request_bad_request(format!(
                        "Property '{k}' is read-only and must match the {k} in the request URL."
                    )));
                }
            }
        }
        validate_body(&body, self.ty, Op::Create)?;
        st.with_store(&ctx.tenant, |s| {
            if s.visible(&set.item_path(&key)).is_none() {
                return Err(GraphError::object_not_found());
            }
            let path = self.path(set, &key);
            if s.get(&path).is_some() {
                let msg = "A conflicting object with one or more of the specified property values is present in the directory.";
                return Err(conflict(msg)
                    .with_details(json!([{"code": "ConflictingObjects", "message": msg}])));
            }
            let mut obj = (self.hooks.new)(&key);
            apply(&mut obj, &body, &[], &self.hooks);
            s.create(&path, Value::Object(obj));
            Ok(no_content())
        })
    }

    fn get(&self, set: &EntitySet, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&["$select"])?;
        let key = url_key(id)?;
        let select = parse_select(ctx, self.ty)?;
        let body = st.with_store(&ctx.tenant, |s| {
            if s.visible(&set.item_path(&key)).is_none() {
                return Err(GraphError::resource_not_found(&key));
            }
            s.visible(&self.path(set, &key))
                .map(|v| project(v, &select))
                .ok_or_else(|| GraphError::resource_not_found(&key))
        })?;
        let fragment = format!("{}('{key}')/{}/$entity", set.context(), self.name);
        Ok(odata_json(
            StatusCode::OK,
            with_context(context_url(st, &fragment), body),
        ))
    }

    fn update(&self, set: &EntitySet, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = url_key(id)?;
        let body = ctx.object_body()?;
        validate_body(body, self.ty, Op::Update)?;
        st.with_store(&ctx.tenant, |s| {
            if s.visible(&set.item_path(&key)).is_none() {
                return Err(GraphError::object_not_found());
            }
            let stored = s
                .get_mut(&self.path(set, &key))
                .and_then(Value::as_object_mut)
                .ok_or_else(GraphError::object_not_found)?;
            apply(stored, body, &[], &self.hooks);
            Ok(no_content())
        })
    }

    fn delete(&self, set: &EntitySet, st: &Shared, ctx: &GraphCtx, id: &str) -> Handler {
        ctx.only_query_options(&[])?;
        let key = url_key(id)?;
        st.with_store(&ctx.tenant, |s| {
            if !s.remove(&self.path(set, &key)) {
                return Err(GraphError::resource_not_found(&key));
            }
            Ok(no_content())
        })
    }
}
