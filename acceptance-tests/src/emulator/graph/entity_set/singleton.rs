//! [`Singleton`]: a single-valued navigation property stored under an entity of a set.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::{apply, conflict, url_key, with_context, Cx, EntitySet, Handler, Hooks, Id, St};
use crate::emulator::graph::envelope::{context_url, no_content, odata_json, GraphCtx, GraphError};
use crate::emulator::graph::odata::{parse_select, project};
use crate::emulator::graph::schema::{validate_body, ObjType, Op};
use crate::emulator::state::Shared;
use axum::http::StatusCode;

/// A single-valued navigation property `<set>/{key}/<name>`, stored at `<entity path>/<name>`.
pub struct Singleton {
    pub name: &'static str,
    pub ty: &'static ObjType,
    /// The key property the stored object repeats from its parent (read-only in bodies; tolerated
    /// when it names the parent), if any.
    pub key: Option<&'static str>,
    pub hooks: Hooks,
}

impl Singleton {
    pub(super) fn routes(&'static self, set: &'static EntitySet) -> Router<Arc<Shared>> {
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
