//! The typed resource contract. A resource declares its model (a serde struct whose fields are
//! its attributes, see [`super::typed`]) and its import-ID type ([`ImportId`]); CRUD then works
//! on models. The blanket implementation below turns every [`TypedResource`] into the erased
//! [`Resource`] the server and the lifecycle use, and does once, for every resource, what each
//! used to write by hand:
//!
//! - decoding the planned, prior and state values into the model and encoding the result;
//! - parsing the import ID, with the diagnostic that quotes its format;
//! - the import-ID format and the model-vs-schema check the docs and the registry test read;
//! - no update call when only `timeouts` changed (configuration the API never sees);
//! - the user's spelling of a case-insensitive attribute kept on read when the API answers the
//!   same value in another case (GUIDs come back lowercase), so no plan respells it.

use super::diag::Diagnostics;
use super::import_id::{self, ImportId};
use super::listing::{not_listed, ListOptions, Listable, Listing};
use super::plan::{ModifyPlan, PlanRequest};
use super::refresh::ListedKey;
use super::resource::{ApplyError, Ctx, ImportCtx, Resource, Timeouts};
use super::schema::{Attribute, Modifier, Schema};
use super::typed::{from_value, model_mismatches, to_value, FRAMEWORK_ATTRIBUTES};
use super::value::Value;
use crate::clients::Permission;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value as Json;

/// A resource over its model. The methods mirror [`Resource`]'s; only what differs is described.
/// Checks of the whole configuration are declared with the schema ([`Schema::with_check`]), as
/// the attributes' validators are.
/// Implement it by path (`impl crate::framework::TypedResource for X`) rather than importing it:
/// with both traits in scope, calls such as `x.schema()` would be ambiguous.
#[async_trait]
pub trait TypedResource: Send + Sync {
    /// The state as a serde struct over the schema (`Option` where the value may be null, which
    /// includes every attribute an import leaves null until the read).
    type Model: Serialize + DeserializeOwned + Send + Sync;
    /// The import ID: parsed (and its format quoted) by the framework.
    type Id: ImportId<Err = String> + Send;

    /// e.g. `coexistence_cross_tenant_access_partner`
    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema;
    fn default_timeouts(&self) -> Timeouts {
        Timeouts::default()
    }
    fn modify_plan(&self, _req: &PlanRequest<'_>, _plan: &mut ModifyPlan) {}

    async fn create(&self, ctx: &Ctx, planned: Self::Model) -> Result<Self::Model, ApplyError>;
    async fn read(&self, ctx: &Ctx, state: Self::Model)
        -> Result<Option<Self::Model>, Diagnostics>;
    /// Not called when only `timeouts` changed.
    async fn update(
        &self,
        ctx: &Ctx,
        prior: Self::Model,
        planned: Self::Model,
    ) -> Result<Self::Model, ApplyError>;
    async fn delete(&self, ctx: &Ctx, state: Self::Model) -> Result<(), Diagnostics>;
    /// Parses an import ID, with an error quoting `Self::Id`'s format. Overridden only where
    /// each of one type's several forms quotes its own format.
    fn parse_import_id(&self, id: &str) -> Result<Self::Id, Diagnostics> {
        import_id::parse(Self::TYPE_NAME, id)
    }
    /// The state an import starts from: the identifying attributes, everything else `None`.
    fn import(&self, ctx: &ImportCtx, id: Self::Id) -> Result<Self::Model, Diagnostics>;
    /// The import ID of the object `state` stands for (`None` while the state does not identify
    /// one yet): the inverse of [`TypedResource::import`].
    fn import_id(&self, state: &Self::Model) -> Option<String>;
    /// The import ID the resource identity holds (see [`Resource::identity_import_id_of`]): by
    /// default [`TypedResource::import_id`]; overridden where that can change in place.
    fn identity_import_id(&self, state: &Self::Model) -> Option<String> {
        self.import_id(state)
    }
    /// Every object of this type in the provider's tenant, each the model [`TypedResource::read`]
    /// returns for it after an import (the same mapping: tests assert the equality), and the
    /// objects of this kind left out with the reason. Reads only, following paging, within
    /// `ctx`'s deadline.
    /// A type that cannot be listed says so in [`TypedResource::listable`] instead.
    async fn list(
        &self,
        _ctx: &Ctx,
        _opts: &ListOptions,
    ) -> Result<Listing<Self::Model>, Diagnostics> {
        Err(not_listed(Self::TYPE_NAME))
    }
    /// Whether `export` and `list` blocks enumerate this type: by default yes, through
    /// [`TypedResource::list`]; [`Listable::No`] with the reason for a type that cannot be
    /// listed yet (the framework then never calls `list`).
    fn listable(&self) -> Listable {
        Listable::Yes
    }
    /// The `config` of a `list` block for this type (Terraform 1.14): by default, none.
    fn list_config(&self) -> Schema {
        super::listing::no_config(Self::TYPE_NAME)
    }
    /// List-backed refresh (see [`Resource::list_for_reads`]): the type's objects as the API
    /// answers them, keyed as [`TypedResource::listed_key`] keys a state. Offered only where
    /// the listing carries everything [`TypedResource::read`] maps; `None` keeps reads direct.
    async fn list_for_reads(
        &self,
        _ctx: &Ctx,
        _part: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        Ok(None)
    }
    /// Where `state`'s object is in the listing for reads (`None`: read directly).
    fn listed_key(&self, _state: &Self::Model) -> Option<ListedKey> {
        None
    }
    /// [`TypedResource::read`] of `state` when the API answers `found`: the read's own mapping
    /// (tests assert the equality with the direct read).
    async fn read_listed(
        &self,
        ctx: &Ctx,
        state: Self::Model,
        _found: &Json,
    ) -> Result<Option<Self::Model>, Diagnostics> {
        TypedResource::read(self, ctx, state).await
    }
    fn natural_key(&self) -> &'static str;
    fn permissions(&self) -> &'static [(&'static str, Permission)];
}

#[async_trait]
impl<T: TypedResource> Resource for T {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        TypedResource::schema(self)
    }

    fn default_timeouts(&self) -> Timeouts {
        TypedResource::default_timeouts(self)
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        TypedResource::modify_plan(self, req, plan)
    }

    async fn create(&self, ctx: &Ctx, planned: &Value) -> Result<Value, ApplyError> {
        let schema = TypedResource::schema(self);
        let created = TypedResource::create(self, ctx, from_value(&schema, planned)?).await?;
        Ok(to_value(&schema, &created)?)
    }

    async fn read(&self, ctx: &Ctx, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let schema = TypedResource::schema(self);
        let found = TypedResource::read(self, ctx, from_value(&schema, state)?).await?;
        read_value(&schema, state, found)
    }

    async fn list_for_reads(
        &self,
        ctx: &Ctx,
        part: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        TypedResource::list_for_reads(self, ctx, part).await
    }

    fn listed_key(&self, state: &Value) -> Result<Option<ListedKey>, Diagnostics> {
        let state = from_value(&TypedResource::schema(self), state)?;
        Ok(TypedResource::listed_key(self, &state))
    }

    async fn read_listed(
        &self,
        ctx: &Ctx,
        state: &Value,
        found: &Json,
    ) -> Result<Option<Value>, Diagnostics> {
        let schema = TypedResource::schema(self);
        let read =
            TypedResource::read_listed(self, ctx, from_value(&schema, state)?, found).await?;
        read_value(&schema, state, read)
    }

    async fn update(&self, ctx: &Ctx, prior: &Value, planned: &Value) -> Result<Value, ApplyError> {
        let schema = TypedResource::schema(self);
        if only_timeouts_changed(&schema, prior, planned) {
            // The read that follows every write refreshes the rest.
            return Ok(prior.clone());
        }
        let (old, new) = (from_value(&schema, prior)?, from_value(&schema, planned)?);
        let updated = TypedResource::update(self, ctx, old, new).await?;
        Ok(to_value(&schema, &updated)?)
    }

    async fn delete(&self, ctx: &Ctx, state: &Value) -> Result<(), Diagnostics> {
        let schema = TypedResource::schema(self);
        TypedResource::delete(self, ctx, from_value(&schema, state)?).await
    }

    fn import(&self, ctx: &ImportCtx, id: &str) -> Result<Value, Diagnostics> {
        let id = TypedResource::parse_import_id(self, id)?;
        let state = TypedResource::import(self, ctx, id)?;
        to_value(&TypedResource::schema(self), &state)
    }

    fn import_id_of(&self, state: &Value) -> Result<Option<String>, Diagnostics> {
        let state = from_value(&TypedResource::schema(self), state)?;
        let Some(id) = TypedResource::import_id(self, &state) else {
            return Ok(None);
        };
        // An ID the resource's own import would refuse is a bug in `import_id`: say so here,
        // not in a user's failed `terraform import`.
        TypedResource::parse_import_id(self, &id)?;
        Ok(Some(id))
    }

    fn identity_import_id_of(&self, state: &Value) -> Result<Option<String>, Diagnostics> {
        let state = from_value(&TypedResource::schema(self), state)?;
        let Some(id) = TypedResource::identity_import_id(self, &state) else {
            return Ok(None);
        };
        // As above: an identity names an ID the import takes.
        TypedResource::parse_import_id(self, &id)?;
        Ok(Some(id))
    }

    async fn list(&self, ctx: &Ctx, opts: &ListOptions) -> Result<Listing<Value>, Diagnostics> {
        if let Listable::No(_) = TypedResource::listable(self) {
            return Ok(Listing::default());
        }
        let schema = TypedResource::schema(self);
        TypedResource::list(self, ctx, opts)
            .await?
            .try_map(|m| to_value(&schema, &m))
    }

    fn listable(&self) -> Listable {
        TypedResource::listable(self)
    }

    fn list_config(&self) -> Schema {
        match TypedResource::listable(self) {
            Listable::No(why) => Schema::new(&format!("Lists nothing: {why}"), Vec::new()),
            Listable::Yes => TypedResource::list_config(self),
        }
    }

    fn natural_key(&self) -> &'static str {
        TypedResource::natural_key(self)
    }

    fn import_id_format(&self) -> (&'static str, &'static str) {
        (T::Id::FORMAT, T::Id::EXAMPLE)
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        TypedResource::permissions(self)
    }

    fn model_mismatches(&self) -> Vec<String> {
        model_mismatches::<T::Model>(&TypedResource::schema(self))
    }
}

/// A read's model as the value Terraform gets, the state's spelling kept.
fn read_value<M: Serialize>(
    schema: &Schema,
    state: &Value,
    read: Option<M>,
) -> Result<Option<Value>, Diagnostics> {
    let Some(found) = read else {
        return Ok(None);
    };
    let mut found = to_value(schema, &found)?;
    keep_spelling(&schema.attributes, state, &mut found);
    Ok(Some(found))
}

/// Whether `planned` differs from `prior` in the framework's attributes only. A computed
/// attribute planned unknown is no difference: the planner marks those unknown on any change,
/// `timeouts` included.
pub fn only_timeouts_changed(schema: &Schema, prior: &Value, planned: &Value) -> bool {
    schema.attributes.iter().all(|a| {
        let (old, new) = (prior.get(&a.name), planned.get(&a.name));
        FRAMEWORK_ATTRIBUTES.contains(&a.name.as_str())
            || (a.computed && !new.is_wholly_known())
            || new.semantically_equal(old)
    })
}

/// Case-insensitive attributes the API answers in another case than the state has (Graph
/// lowercases GUIDs) keep the state's spelling: the same value, and no plan to respell it.
fn keep_spelling(attrs: &[Attribute], state: &Value, found: &mut Value) {
    for a in attrs
        .iter()
        .filter(|a| a.modifiers.contains(&Modifier::CaseInsensitive))
    {
        if let (Value::String(was), Value::String(now)) = (state.get(&a.name), found.get(&a.name)) {
            if was != now && was.eq_ignore_ascii_case(now) {
                let was = was.clone();
                found.set_attr(&a.name, Value::String(was));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::http::mock::MockTransport;
    use crate::clients::{Clients, Deadline};
    use crate::framework::schema::timeouts_attribute;
    use serde::Deserialize;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    /// A resource whose API lowercases its key and counts updates.
    #[derive(Default)]
    struct Probe {
        updates: AtomicUsize,
        /// Makes `import_id` answer without the `probe/` tag, which its own import refuses.
        untagged_ids: bool,
    }

    #[derive(Serialize, Deserialize)]
    struct Model {
        key: String,
        size: Option<i64>,
        etag: Option<String>,
    }

    crate::tagged_import_id! {
        struct ProbeId(crate::framework::import_id::TenantGuid) = "probe" / "<GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
    }

    #[async_trait]
    impl TypedResource for Probe {
        type Model = Model;
        type Id = ProbeId;
        const TYPE_NAME: &'static str = "coexistence_probe";
        fn schema(&self) -> Schema {
            Schema::new(
                "d",
                vec![
                    Attribute::string("key")
                        .required()
                        .case_insensitive()
                        .description("d"),
                    Attribute::number("size").optional().description("d"),
                    Attribute::string("etag").computed().description("d"),
                    timeouts_attribute(&["update"]),
                ],
            )
        }
        async fn create(&self, _: &Ctx, m: Model) -> Result<Model, ApplyError> {
            Ok(m)
        }
        async fn read(&self, _: &Ctx, m: Model) -> Result<Option<Model>, Diagnostics> {
            Ok(Some(Model {
                key: m.key.to_ascii_lowercase(),
                etag: Some("e".into()),
                ..m
            }))
        }
        async fn update(&self, _: &Ctx, _: Model, m: Model) -> Result<Model, ApplyError> {
            self.updates.fetch_add(1, Ordering::SeqCst);
            Ok(m)
        }
        async fn delete(&self, _: &Ctx, _: Model) -> Result<(), Diagnostics> {
            Ok(())
        }
        fn import(&self, _: &ImportCtx, id: ProbeId) -> Result<Model, Diagnostics> {
            Ok(Model {
                key: id.0.to_string(),
                size: None,
                etag: None,
            })
        }
        async fn list(&self, _: &Ctx, _: &ListOptions) -> Result<Listing<Model>, Diagnostics> {
            Ok(Listing {
                found: vec![Model {
                    key: "k".into(),
                    size: Some(1),
                    etag: None,
                }],
                skipped: vec![],
            })
        }
        fn import_id(&self, m: &Model) -> Option<String> {
            let tag = if self.untagged_ids { "" } else { "probe/" };
            Some(format!("{tag}{}", m.key))
        }
        fn natural_key(&self) -> &'static str {
            "`key`"
        }
        fn permissions(&self) -> &'static [(&'static str, Permission)] {
            &[]
        }
    }

    fn ctx() -> Ctx {
        Ctx::new(
            Arc::new(Clients::for_tests(MockTransport::new(vec![]))),
            Deadline::after(Duration::from_secs(5), CancellationToken::new()),
        )
    }

    fn state(key: &str, size: i64, etag: Value, timeouts: Value) -> Value {
        Value::object([
            ("key", Value::string(key)),
            (
                "size",
                Value::Number(crate::framework::value::Number::Int(size)),
            ),
            ("etag", etag),
            ("timeouts", timeouts),
        ])
    }

    #[tokio::test]
    async fn a_timeouts_only_change_calls_no_update() {
        let r = Probe::default();
        let prior = state("k", 1, Value::string("e"), Value::Null);
        let timed = Value::Map([("update".to_string(), Value::string("1m"))].into());
        // The planner marks computed attributes unknown on any change, `timeouts` included.
        let planned = state("k", 1, Value::Unknown, timed.clone());
        let out = Resource::update(&r, &ctx(), &prior, &planned)
            .await
            .unwrap();
        assert_eq!(r.updates.load(Ordering::SeqCst), 0);
        assert_eq!(out, prior);
        let planned = state("k", 2, Value::Unknown, timed);
        Resource::update(&r, &ctx(), &prior, &planned)
            .await
            .unwrap();
        assert_eq!(r.updates.load(Ordering::SeqCst), 1, "a real change updates");
    }

    #[tokio::test]
    async fn read_keeps_the_users_spelling_of_a_case_insensitive_value() {
        let r = Probe::default();
        let got = Resource::read(&r, &ctx(), &state("AbC", 1, Value::Null, Value::Null))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.get("key"), &Value::string("AbC"));
        assert_eq!(got.get("etag"), &Value::string("e"));
    }

    #[test]
    fn import_ids_are_parsed_and_described_by_the_type() {
        let r = Probe::default();
        let v = Resource::import(
            &r,
            &ImportCtx::default(),
            "probe/72F988BF-86f1-41af-91ab-2d7cd011db47",
        )
        .unwrap();
        assert_eq!(
            v.get("key"),
            &Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert!(v.get("size").is_null());
        let e = Resource::import(&r, &ImportCtx::default(), "nope").unwrap_err();
        assert!(e.0[0].detail.contains("probe/<GUID>"), "{e}");
        assert_eq!(r.import_id_format(), ("probe/<GUID>", ProbeId::EXAMPLE));
        assert!(r.model_mismatches().is_empty());
    }

    #[test]
    fn the_import_id_of_a_state_imports_that_object() {
        let r = Probe::default();
        let guid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let st = state(guid, 1, Value::string("e"), Value::Null);
        let id = r.import_id_of(&st).unwrap().unwrap();
        assert_eq!(id, format!("probe/{guid}"));
        let imported = Resource::import(&r, &ImportCtx::default(), &id).unwrap();
        assert_eq!(imported.get("key"), st.get("key"));

        let wrong = Probe {
            untagged_ids: true,
            ..Probe::default()
        };
        let e = wrong.import_id_of(&st).unwrap_err();
        assert!(e.0[0].detail.contains("probe/<GUID>"), "{e}");
    }
}
