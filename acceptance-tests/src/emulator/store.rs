//! The per-tenant object store: objects by canonical path, replication lag, and the
//! asynchronous transitions scheduled for them (an organization member that becomes
//! `active`, a job that finishes), applied when the emulator clock passes them.
//!
//! It knows nothing of any API: routes work over it through [`TenantStore`], and the state
//! ([`Shared`](super::state::Shared)) owns one per tenant.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One stored object. `created` is set when the object was created through the emulated API
/// (and drives replication lag); out-of-band writes leave it `None`.
#[derive(Clone, Debug)]
pub struct Stored {
    pub value: Value,
    pub created: Option<Instant>,
}

/// The objects of one tenant, keyed by canonical path, plus the replication lag in force and
/// the emulator clock's reading.
pub struct TenantStore<'a> {
    pub(crate) map: &'a mut BTreeMap<String, Stored>,
    pub(crate) transitions: &'a mut Vec<Transition>,
    pub(crate) lag: Duration,
    pub(crate) now: Instant,
}

impl TenantStore<'_> {
    /// The stored object regardless of replication lag.
    pub fn get(&self, path: &str) -> Option<&Value> {
        self.map.get(path).map(|s| &s.value)
    }

    pub fn get_mut(&mut self, path: &str) -> Option<&mut Value> {
        self.map.get_mut(path).map(|s| &mut s.value)
    }

    /// `true` while the object was created less than the replication lag ago.
    pub fn lagging(&self, path: &str) -> bool {
        match self.map.get(path).and_then(|s| s.created) {
            Some(created) if !self.lag.is_zero() => self.now.duration_since(created) < self.lag,
            _ => false,
        }
    }

    /// The object as a reader sees it: `None` while it is still "replicating".
    pub fn visible(&self, path: &str) -> Option<&Value> {
        if self.lagging(path) {
            None
        } else {
            self.get(path)
        }
    }

    /// Stores a newly created object (subject to replication lag).
    pub fn create(&mut self, path: &str, value: Value) {
        self.map.insert(
            path.to_string(),
            Stored {
                value,
                created: Some(self.now),
            },
        );
    }

    /// The emulator clock's reading (see [`Clock`](super::clock::Clock)).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// An asynchronous transition: once the clock has passed `after` from now, `patch` is
    /// merged (top level) into the object at `path`, or, when `patch` is `null`, the object is
    /// removed. A transition of an object that is gone by then is dropped.
    pub fn schedule(&mut self, path: &str, after: Duration, patch: Value) {
        self.transitions.push(Transition {
            at: self.now + after,
            path: path.to_string(),
            patch,
        });
    }

    /// Transitions of `path` not applied yet.
    pub fn pending(&self, path: &str) -> usize {
        self.transitions.iter().filter(|t| t.path == path).count()
    }

    /// Replaces an object, keeping its creation time.
    pub fn replace(&mut self, path: &str, value: Value) {
        match self.map.get_mut(path) {
            Some(s) => s.value = value,
            None => {
                self.map.insert(
                    path.to_string(),
                    Stored {
                        value,
                        created: None,
                    },
                );
            }
        }
    }

    /// Removes an object and everything under it; `true` if the object itself existed.
    pub fn remove(&mut self, path: &str) -> bool {
        let existed = self.map.remove(path).is_some();
        let prefix = format!("{path}/");
        self.map.retain(|k, _| !k.starts_with(&prefix));
        existed
    }

    /// Direct children of a collection path (`<prefix>/<key>`, no deeper), sorted by path.
    pub fn children(&self, prefix: &str) -> Vec<(String, Value)> {
        let p = format!("{prefix}/");
        self.map
            .iter()
            .filter(|(k, _)| k.starts_with(&p) && !k[p.len()..].contains('/'))
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect()
    }
}

/// A change scheduled for an object (see `TenantStore::schedule`).
#[derive(Clone, Debug)]
pub struct Transition {
    pub at: Instant,
    pub path: String,
    /// Merged into the object at the top level; `null` removes the object.
    pub patch: Value,
}

impl Transition {
    pub(crate) fn apply(self, map: &mut BTreeMap<String, Stored>) {
        if self.patch.is_null() {
            map.remove(&self.path);
            let prefix = format!("{}/", self.path);
            map.retain(|k, _| !k.starts_with(&prefix));
            return;
        }
        let Some(stored) = map.get_mut(&self.path) else {
            return;
        };
        match (stored.value.as_object_mut(), self.patch) {
            (Some(obj), Value::Object(patch)) => obj.extend(patch),
            (_, patch) => stored.value = patch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_merge_or_remove() {
        let mut map = BTreeMap::new();
        map.insert(
            "/a".to_string(),
            Stored {
                value: serde_json::json!({"state": "pending", "x": 1}),
                created: None,
            },
        );
        map.insert(
            "/a/child".to_string(),
            Stored {
                value: serde_json::json!({}),
                created: None,
            },
        );
        let now = Instant::now();
        Transition {
            at: now,
            path: "/a".into(),
            patch: serde_json::json!({"state": "active"}),
        }
        .apply(&mut map);
        assert_eq!(
            map["/a"].value,
            serde_json::json!({"state": "active", "x": 1})
        );
        Transition {
            at: now,
            path: "/a".into(),
            patch: Value::Null,
        }
        .apply(&mut map);
        assert!(map.is_empty());
    }
}
