//! Multi-step writes: a create that makes several remote objects (a partner, then its sync
//! policy; a synchronization job, then its schema, then its start) records each step as it
//! completes. When a later step fails, the recorder turns the failure into an [`ApplyError`]
//! carrying the state so far, so Terraform stores (and taints) what exists instead of orphaning
//! it. No resource writes that bookkeeping by hand.

use super::diag::Diagnostics;
use super::resource::ApplyError;
use super::value::Value;

/// The state built up by the completed steps of one write.
#[derive(Debug, Default)]
pub struct Steps {
    /// `None` until a step completes: a failure before that leaves nothing to track.
    state: Option<Value>,
    done: Vec<&'static str>,
}

impl Steps {
    pub fn new() -> Steps {
        Steps::default()
    }

    /// Records a completed step and the attributes it made true remotely (an object value; its
    /// attributes are merged over those of earlier steps, later steps win).
    pub fn completed(&mut self, step: &'static str, attrs: Value) {
        let state = self
            .state
            .get_or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(m) = attrs {
            for (k, v) in m {
                state.set_attr(&k, v);
            }
        }
        self.done.push(step);
    }

    /// The steps completed so far, in order (for logs and tests).
    pub fn done(&self) -> &[&'static str] {
        &self.done
    }

    /// The failure of the current step, with the state so far (unknowns nulled: state never
    /// holds them).
    pub fn fail(&self, diags: Diagnostics) -> ApplyError {
        if !self.done.is_empty() {
            tracing::warn!(completed = ?self.done, "write failed half-way: keeping what was made as tainted state");
        }
        ApplyError {
            diags,
            state: self.state.clone().map(unknowns_to_null),
        }
    }

    /// `?`-friendly: a step's result, its error turned into [`Steps::fail`].
    pub fn check<T>(&self, r: Result<T, Diagnostics>) -> Result<T, ApplyError> {
        r.map_err(|d| self.fail(d))
    }
}

/// State must never hold unknowns: where no value came back, store null.
pub fn unknowns_to_null(v: Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::List(v) => Value::List(v.into_iter().map(unknowns_to_null).collect()),
        Value::Set(v) => Value::Set(v.into_iter().map(unknowns_to_null).collect()),
        Value::Tuple(v) => Value::Tuple(v.into_iter().map(unknowns_to_null).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostic;

    fn err() -> Diagnostics {
        Diagnostic::error("Error creating the thing", "boom").into()
    }

    #[test]
    fn failure_before_any_step_leaves_no_state() {
        let s = Steps::new();
        let e = s.fail(err());
        assert!(e.state.is_none());
        assert_eq!(e.diags.0[0].detail, "boom");
    }

    #[test]
    fn failure_after_steps_keeps_what_they_set_with_unknowns_nulled() {
        let mut s = Steps::new();
        s.completed(
            "partner",
            Value::object([("id", Value::string("1")), ("etag", Value::Unknown)]),
        );
        s.completed(
            "schema",
            Value::object([
                ("etag", Value::string("e2")),
                (
                    "schedule",
                    Value::object([("interval", Value::Unknown), ("state", Value::string("on"))]),
                ),
            ]),
        );
        assert_eq!(s.done(), ["partner", "schema"]);
        let e = s.check::<()>(Err(err())).unwrap_err();
        assert_eq!(
            e.state.unwrap(),
            Value::object([
                ("id", Value::string("1")),
                ("etag", Value::string("e2")),
                (
                    "schedule",
                    Value::object([("interval", Value::Null), ("state", Value::string("on"))])
                ),
            ])
        );
    }

    #[test]
    fn check_passes_success_through() {
        let s = Steps::new();
        assert_eq!(s.check(Ok::<_, Diagnostics>(3)).unwrap(), 3);
    }

    #[test]
    fn unknowns_become_null_in_maps_and_sets() {
        let v = Value::object([
            ("a", Value::Unknown),
            (
                "b",
                Value::Set(vec![Value::object([("c", Value::Unknown)])]),
            ),
            (
                "m",
                Value::Map([("k".to_string(), Value::Unknown)].into_iter().collect()),
            ),
        ]);
        assert_eq!(
            unknowns_to_null(v),
            Value::object([
                ("a", Value::Null),
                ("b", Value::Set(vec![Value::object([("c", Value::Null)])])),
                (
                    "m",
                    Value::Map([("k".to_string(), Value::Null)].into_iter().collect())
                ),
            ])
        );
    }
}
