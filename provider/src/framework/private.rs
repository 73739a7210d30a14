//! Private state: bytes Terraform stores beside a resource's state, never shows, and hands back
//! on the next plan, apply and read (an ETag, the id of a long-running operation, which step of
//! a multi-step create last succeeded). Ours is a JSON object of keys, as terraform-plugin-framework
//! keeps it, so several pieces can live side by side.

use serde_json::Value as J;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A resource's private state during one operation. Read and written through `&Ctx` (the
/// operation's context), hence the lock; what it holds at the end goes back to Terraform.
#[derive(Debug, Default)]
pub struct Private(Mutex<BTreeMap<String, J>>);

impl Private {
    /// Decodes what Terraform handed back. Empty bytes are an empty private state; bytes that are
    /// not ours (not a JSON object) are dropped with a warning rather than failing the operation:
    /// nothing in private state is needed to find the object, only to do better.
    pub fn decode(bytes: &[u8]) -> Private {
        if bytes.is_empty() {
            return Private::default();
        }
        match serde_json::from_slice::<BTreeMap<String, J>>(bytes) {
            Ok(m) => Private(Mutex::new(m)),
            Err(e) => {
                tracing::warn!(error = %e, "private state is not a JSON object: starting empty");
                Private::default()
            }
        }
    }

    /// The bytes for Terraform: empty when nothing is stored (what Terraform itself sends then).
    pub fn encode(&self) -> Vec<u8> {
        let m = self.0.lock().expect("lock");
        if m.is_empty() {
            Vec::new()
        } else {
            serde_json::to_vec(&*m).expect("JSON of JSON values")
        }
    }

    pub fn get(&self, key: &str) -> Option<J> {
        self.0.lock().expect("lock").get(key).cloned()
    }

    pub fn set(&self, key: &str, v: J) {
        self.0.lock().expect("lock").insert(key.to_string(), v);
    }

    pub fn remove(&self, key: &str) {
        self.0.lock().expect("lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_empty_is_empty() {
        assert!(Private::decode(b"").encode().is_empty());
        let p = Private::decode(br#"{"etag":"W/\"1\""}"#);
        assert_eq!(p.get("etag"), Some(json!("W/\"1\"")));
        p.set("step", json!(2));
        p.remove("etag");
        let back = Private::decode(&p.encode());
        assert_eq!(back.get("step"), Some(json!(2)));
        assert_eq!(back.get("etag"), None);
        back.remove("step");
        assert!(back.encode().is_empty());
    }

    #[test]
    fn foreign_bytes_start_empty() {
        let p = Private::decode(b"\x00not json");
        assert_eq!(p.get("x"), None);
        assert!(p.encode().is_empty());
    }
}
