//! Default planning, as terraform-plugin-framework does it: a computed attribute left null in
//! configuration becomes unknown when the object is created or changes, unless it keeps its
//! state value (use-state-for-unknown); a change to a requires-replace attribute asks Terraform
//! to destroy and re-create.
//!
//! Modifiers apply to top-level attributes: nested attributes in this provider are never computed.

use super::diag::AttrPath;
use super::schema::{Modifier, Schema};
use super::value::Value;

#[derive(Debug, PartialEq)]
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

pub fn plan(schema: &Schema, prior: &Value, proposed: &Value, config: &Value) -> Planned {
    if proposed.is_null() {
        // Destroy: nothing to plan.
        return Planned {
            state: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let creating = prior.is_null();
    // Terraform's proposed value already carries prior state for computed attributes, so any
    // difference here is a configuration change.
    let changing = creating || !proposed.semantically_equal(prior);
    let mut planned = proposed.clone();
    for a in schema.attributes.iter().filter(|a| a.computed) {
        if !config.get(&a.name).is_null() {
            continue;
        }
        let v = if creating {
            Value::Unknown
        } else if a.modifiers.contains(&Modifier::UseStateForUnknown) || !changing {
            prior.get(&a.name).clone()
        } else {
            Value::Unknown
        };
        planned.set_attr(&a.name, v);
    }
    let mut requires_replace = Vec::new();
    if !creating {
        for a in schema
            .attributes
            .iter()
            .filter(|a| a.modifiers.contains(&Modifier::RequiresReplace))
        {
            let (new, old) = (planned.get(&a.name), prior.get(&a.name));
            let same_ignoring_case = a.modifiers.contains(&Modifier::CaseInsensitive)
                && matches!((new, old), (Value::String(x), Value::String(y)) if x.eq_ignore_ascii_case(y));
            if !new.semantically_equal(old) && !same_ignoring_case {
                requires_replace.push(AttrPath::root().attr(&a.name));
            }
        }
    }
    Planned {
        state: planned,
        requires_replace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Attribute;

    fn schema() -> Schema {
        Schema::new(
            "s",
            vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("d"),
                Attribute::string("etag").computed().description("d"),
                Attribute::string("key")
                    .required()
                    .requires_replace()
                    .description("d"),
                Attribute::string("name").optional().description("d"),
            ],
        )
    }

    fn obj(id: Value, etag: Value, key: &str, name: &str) -> Value {
        Value::object([
            ("id", id),
            ("etag", etag),
            ("key", Value::string(key)),
            ("name", Value::string(name)),
        ])
    }

    #[test]
    fn create_marks_computed_unknown() {
        let cfg = obj(Value::Null, Value::Null, "k", "n");
        let p = plan(&schema(), &Value::Null, &cfg, &cfg);
        assert!(p.state.get("id").is_unknown() && p.state.get("etag").is_unknown());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_state_for_id_and_unknowns_the_rest() {
        let prior = obj(Value::string("1"), Value::string("e1"), "k", "n");
        let cfg = obj(Value::Null, Value::Null, "k", "n2");
        let proposed = obj(Value::string("1"), Value::string("e1"), "k", "n2");
        let p = plan(&schema(), &prior, &proposed, &cfg);
        assert_eq!(p.state.get("id"), &Value::string("1"));
        assert!(p.state.get("etag").is_unknown());
    }

    #[test]
    fn no_change_plans_prior_state() {
        let prior = obj(Value::string("1"), Value::string("e1"), "k", "n");
        let cfg = obj(Value::Null, Value::Null, "k", "n");
        let p = plan(&schema(), &prior, &prior, &cfg);
        assert_eq!(p.state, prior);
    }

    #[test]
    fn requires_replace_on_key_change() {
        let prior = obj(Value::string("1"), Value::string("e1"), "k", "n");
        let cfg = obj(Value::Null, Value::Null, "k2", "n");
        let proposed = obj(Value::string("1"), Value::string("e1"), "k2", "n");
        let p = plan(&schema(), &prior, &proposed, &cfg);
        assert_eq!(p.requires_replace, vec![AttrPath::root().attr("key")]);
    }

    #[test]
    fn case_only_change_of_a_case_insensitive_key_is_not_a_replacement() {
        let s = Schema::new(
            "s",
            vec![Attribute::string("key")
                .required()
                .requires_replace()
                .case_insensitive()
                .description("d")],
        );
        let prior = Value::object([("key", Value::string("ABC"))]);
        let cfg = Value::object([("key", Value::string("abc"))]);
        assert!(plan(&s, &prior, &cfg, &cfg).requires_replace.is_empty());
        let cfg = Value::object([("key", Value::string("abd"))]);
        assert_eq!(plan(&s, &prior, &cfg, &cfg).requires_replace.len(), 1);
    }

    #[test]
    fn destroy_plans_null() {
        let prior = obj(Value::string("1"), Value::string("e1"), "k", "n");
        assert_eq!(
            plan(&schema(), &prior, &Value::Null, &Value::Null).state,
            Value::Null
        );
    }
}
