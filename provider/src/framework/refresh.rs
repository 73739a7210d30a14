//! List-backed refresh. Terraform starts one provider process per command and refreshes every
//! object of the configuration through it, one ReadResource each; one listing of a type can
//! answer all of them. On the first read of a type whose resource offers a listing for reads
//! ([`Resource::list_for_reads`]), the type is listed once — concurrent reads wait for that
//! same listing — and reads of objects it holds are answered from it, through the same mapping
//! the direct read applies ([`Resource::read_listed`]). The rules that keep it exact:
//!
//! - an object missing from the listing is read directly, and only its own read decides that
//!   it is gone (a listing can miss an object created by another process after it was made);
//! - a write of the type drops its listing (before and after the write), and the read after a
//!   write never looks at a listing ([`super::lifecycle`] reads back directly);
//! - a type whose listing cannot carry everything its read returns offers none and keeps
//!   direct reads;
//! - a listing that fails (or is still running when a read's deadline comes) leaves the reads
//!   direct, each under its own deadline.
//!
//! A data source reading an object of a resource type (the partner configuration a `check`
//! block watches) may be answered from that type's listing too, by the same rules
//! ([`Ctx::listed`]). A data source whose objects this provider never writes
//! ([`super::DataSource::never_written`]: a tenant's directory facts, its domains) is read once
//! per distinct configuration ([`Listings::once`]).
//!
//! [`Listings`] is held per configured provider instance (next to its clients), so two
//! provider instances signed in to two tenants never share a listing or a data source's read.

use super::resource::{Ctx, Resource};
use super::{Diagnostics, Value};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// One type's objects as its API answers them, by the key [`Resource::listed_key`] gives a
/// state (lowercased: the keys are GUIDs or case-insensitive names).
pub type Listed = HashMap<String, Json>;

/// Where a state's object is in its type's listing for reads: the part of the listing (`""`
/// for a type listed whole; e.g. a direction where each is listed by its own request, so a
/// refresh lists only the parts its objects are in) and its key there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedKey {
    pub part: &'static str,
    pub key: String,
}

impl ListedKey {
    /// A key in a listing of the whole type.
    pub fn whole(key: impl Into<String>) -> ListedKey {
        ListedKey {
            part: "",
            key: key.into(),
        }
    }
}

/// A listing being made or made: `None` once made when the type's listing failed.
type Slot = Arc<OnceCell<Option<Arc<Listed>>>>;

/// A data source's read, made or being made: its value and the warnings it gave.
type Once = Arc<OnceCell<(Value, Diagnostics)>>;

/// What the reads of one provider instance share: the listings per resource type, and the
/// reads of data sources whose objects it never writes, per type and configuration.
#[derive(Default)]
pub struct Listings {
    slots: Mutex<HashMap<(&'static str, &'static str), Slot>>,
    reads: Mutex<HashMap<(&'static str, String), Once>>,
}

impl Listings {
    fn slot(&self, type_name: &'static str, part: &'static str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry((type_name, part)).or_default().clone()
    }

    /// Forgets `type_name`'s listing (a write of that type): the next read lists again. A
    /// listing still running finishes into the forgotten slot, seen only by the reads already
    /// waiting for it, which began before the write.
    pub fn drop_type(&self, type_name: &'static str) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let before = slots.len();
        slots.retain(|(t, _), _| *t != type_name);
        if slots.len() < before {
            tracing::debug!(resource = type_name, "write: listing dropped");
        }
    }

    /// The listing of `res`'s type, made on the first call (single flight) under that caller's
    /// context; `None` when the type offers none or its listing failed. A read waits for a
    /// listing at most half the time it has left, and the listing it starts gets that half:
    /// a stalled listing leaves each read the other half for its direct read.
    async fn get(&self, res: &dyn Resource, ctx: &Ctx, part: &'static str) -> Option<Arc<Listed>> {
        let slot = self.slot(res.type_name(), part);
        let half = ctx.deadline.remaining() / 2;
        let make = slot.get_or_init(|| async {
            let lctx = Ctx::new(ctx.clients.clone(), ctx.deadline.reserving(half));
            let listed = res.list_for_reads(&lctx, part).await;
            for w in lctx.take_warnings().0 {
                ctx.warn(w);
            }
            match listed {
                Ok(Some(objects)) => {
                    let listed: Listed = objects
                        .into_iter()
                        .map(|(k, v)| (k.to_lowercase(), v))
                        .collect();
                    tracing::debug!(
                        resource = res.type_name(),
                        objects = listed.len(),
                        "listed once for this process's reads"
                    );
                    Some(Arc::new(listed))
                }
                Ok(None) => None,
                Err(d) => {
                    tracing::debug!(resource = res.type_name(), error = %d, "listing failed: reads go direct");
                    None
                }
            }
        });
        tokio::time::timeout(half, make)
            .await
            .ok()
            .and_then(|made| made.clone())
    }

    /// Reads `state` through the type's listing when it holds the object: `None` when the read
    /// must go direct (no key yet, e.g. just imported by name; no listing; not in it).
    pub async fn read(
        &self,
        res: &dyn Resource,
        ctx: &Ctx,
        state: &Value,
    ) -> Option<Result<Option<Value>, Diagnostics>> {
        let at = res.listed_key(state).ok().flatten()?;
        let found = self.find(res, ctx, &at).await?;
        Some(res.read_listed(ctx, state, &found).await)
    }

    /// The object at `at` in `res`'s listing (made on the first call, as [`Listings::read`]);
    /// `None` when there is no listing or the object is not in it.
    pub async fn find(&self, res: &dyn Resource, ctx: &Ctx, at: &ListedKey) -> Option<Json> {
        let key = at.key.to_lowercase();
        let listed = self.get(res, ctx, at.part).await?;
        let Some(found) = listed.get(&key) else {
            tracing::debug!(resource = res.type_name(), key = %key, "not in the listing: read directly");
            return None;
        };
        tracing::debug!(resource = res.type_name(), key = %key, "read answered from the listing");
        Some(found.clone())
    }

    /// `read` (a data source's, giving its value and warnings) once per `type_name` and
    /// `config` in this provider instance: concurrent callers wait for the same read, later
    /// ones get its answer. A failed read is not kept: the next caller reads again. Callers
    /// wait without a timer of their own: the read runs under the deadline of the caller that
    /// started it, which began no later than theirs and is as long (data sources share one
    /// timeout), and if that caller gives up (stop, deadline), a waiting caller reads itself.
    pub async fn once<F, Fut>(
        &self,
        type_name: &'static str,
        config: &Value,
        read: F,
    ) -> Result<(Value, Diagnostics), Diagnostics>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Value, Diagnostics), Diagnostics>>,
    {
        let cell = {
            let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
            reads
                .entry((type_name, format!("{config:?}")))
                .or_default()
                .clone()
        };
        if cell.initialized() {
            tracing::debug!(
                data_source = type_name,
                "answered by this process's earlier read of the same configuration"
            );
        }
        cell.get_or_try_init(read).await.cloned()
    }
}

/// A resource's read of `state` answered from its listing for reads (made over `list_ctx`) and
/// its direct read (over `read_ctx`): a listing is right when both are equal.
#[cfg(test)]
pub async fn listed_and_direct(
    r: &dyn Resource,
    list_ctx: &Ctx,
    read_ctx: &Ctx,
    state: &Value,
) -> (Value, Value) {
    let at = r
        .listed_key(state)
        .expect("the state decodes")
        .expect("the state has a listing key");
    let key = at.key.to_lowercase();
    let listed = r
        .list_for_reads(list_ctx, at.part)
        .await
        .expect("the listing succeeds")
        .expect("the type offers a listing for reads");
    let found = listed
        .iter()
        .find(|(k, _)| k.to_lowercase() == key)
        .map(|(_, v)| v)
        .expect("the object is listed");
    let from_listing = r
        .read_listed(read_ctx, state, found)
        .await
        .expect("the listed read succeeds")
        .expect("the object exists");
    let direct = r
        .read(read_ctx, state)
        .await
        .expect("the read succeeds")
        .expect("the object exists");
    (from_listing, direct)
}

#[cfg(test)]
mod tests;
