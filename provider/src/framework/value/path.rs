//! Values addressed by attribute path (`schedule.interval`, `member_states["t1"]`,
//! `rules[0].on`), as plan modification and diagnostics name them.

use super::Value;
use crate::framework::diag::{AttrPath, PathStep};

impl Value {
    /// The value at `path`; null when any step is missing (or passes through null or unknown).
    pub fn at(&self, path: &AttrPath) -> &Value {
        static NULL: Value = Value::Null;
        let mut v = self;
        for step in &path.0 {
            v = match (step, v) {
                (PathStep::Attr(k) | PathStep::Key(k), Value::Object(m) | Value::Map(m)) => {
                    m.get(k).unwrap_or(&NULL)
                }
                (PathStep::Index(i), Value::List(es) | Value::Tuple(es)) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| es.get(i))
                    .unwrap_or(&NULL),
                _ => &NULL,
            };
        }
        v
    }

    /// Replaces the value at `path`. Every step but the last must exist (an object attribute or
    /// map key may be added by the last); `Err` names the path otherwise. Set elements have no
    /// address: a path into a set is refused.
    pub fn set_at(&mut self, path: &AttrPath, new: Value) -> Result<(), String> {
        let Some((last, parents)) = path.0.split_last() else {
            *self = new;
            return Ok(());
        };
        let mut v = self;
        for step in parents {
            v = match (step, v) {
                (PathStep::Attr(k) | PathStep::Key(k), Value::Object(m) | Value::Map(m)) => {
                    m.get_mut(k).ok_or_else(|| format!("{path}: no {k:?}"))?
                }
                (PathStep::Index(i), Value::List(es) | Value::Tuple(es)) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| es.get_mut(i))
                    .ok_or_else(|| format!("{path}: no element {i}"))?,
                _ => return Err(format!("{path}: cannot be addressed")),
            };
        }
        match (last, v) {
            (PathStep::Attr(k) | PathStep::Key(k), Value::Object(m) | Value::Map(m)) => {
                m.insert(k.clone(), new);
                Ok(())
            }
            (PathStep::Index(i), Value::List(es) | Value::Tuple(es)) => {
                match usize::try_from(*i).ok().and_then(|i| es.get_mut(i)) {
                    Some(e) => {
                        *e = new;
                        Ok(())
                    }
                    None => Err(format!("{path}: no element {i}")),
                }
            }
            _ => Err(format!("{path}: cannot be addressed")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn v() -> Value {
        Value::object([
            (
                "schedule",
                Value::object([("interval", Value::string("PT40M"))]),
            ),
            (
                "member_states",
                Value::Map(BTreeMap::from([("t1".into(), Value::string("active"))])),
            ),
            (
                "rules",
                Value::List(vec![Value::object([("on", Value::Bool(true))])]),
            ),
            ("tags", Value::Set(vec![Value::string("a")])),
        ])
    }

    #[test]
    fn get_and_set_through_objects_maps_and_lists() {
        let mut v = v();
        let interval = AttrPath::root().attr("schedule").attr("interval");
        assert_eq!(v.at(&interval), &Value::string("PT40M"));
        assert!(v.at(&AttrPath::root().attr("nope").attr("x")).is_null());
        v.set_at(&interval, Value::Unknown).unwrap();
        assert!(v.at(&interval).is_unknown());
        let key = AttrPath::root().attr("member_states").key("t2");
        v.set_at(&key, Value::string("pending")).unwrap();
        assert_eq!(v.at(&key), &Value::string("pending"));
        let on = AttrPath::root().attr("rules").index(0).attr("on");
        v.set_at(&on, Value::Bool(false)).unwrap();
        assert_eq!(v.at(&on), &Value::Bool(false));
    }

    #[test]
    fn unaddressable_paths_are_refused() {
        let mut v = v();
        assert!(v
            .set_at(&AttrPath::root().attr("tags").index(0), Value::Null)
            .is_err());
        assert!(v
            .set_at(
                &AttrPath::root().attr("rules").index(3).attr("on"),
                Value::Null
            )
            .unwrap_err()
            .contains("no element 3"));
        assert!(v
            .set_at(&AttrPath::root().attr("gone").attr("x"), Value::Null)
            .is_err());
    }
}
