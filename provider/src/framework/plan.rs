//! Planning, as terraform-plugin-framework does it: first the attribute modifiers (a computed
//! attribute left null in configuration becomes unknown when the object is created or changes,
//! unless it keeps its state value (use-state-for-unknown); a change to a requires-replace
//! attribute asks Terraform to destroy and re-create), then the resource's own
//! [`Resource::modify_plan`] through [`ModifyPlan`].
//!
//! Computed attributes may be nested: inside a single nested object the configuration sets, and
//! inside list elements (matched with prior elements by index). Set elements have no identity
//! across plans, so a computed attribute inside a set element is planned like any other only
//! when the whole set is computed.

use super::diag::{AttrPath, Diagnostics};
use super::private::Private;
use super::resource::Resource;
use super::schema::{Attribute, Kind, Modifier, Nesting, Schema};
use super::value::Value;

#[derive(Debug, PartialEq)]
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// What a resource's plan modification sees.
pub struct PlanRequest<'a> {
    pub config: &'a Value,
    /// Null when the object is being created.
    pub prior: &'a Value,
    /// The prior private state (read-only at plan time: Terraform keeps what apply writes).
    pub private: &'a Private,
}

/// The plan under modification: planned values, replacement paths and diagnostics.
#[derive(Debug)]
pub struct ModifyPlan {
    planned: Value,
    requires_replace: Vec<AttrPath>,
    pub diags: Diagnostics,
}

impl ModifyPlan {
    pub fn planned(&self) -> &Value {
        &self.planned
    }

    /// The planned value at `path` (null when absent).
    pub fn get(&self, path: &AttrPath) -> &Value {
        self.planned.at(path)
    }

    /// Plans `v` at `path`. A path that does not exist in the planned value is a provider bug,
    /// reported as an error diagnostic on that path.
    pub fn set(&mut self, path: &AttrPath, v: Value) {
        if let Err(e) = self.planned.set_at(path, v) {
            self.diags.push(
                super::Diagnostic::error(
                    "Provider bug: invalid plan modification",
                    format!("{e}. Please report it."),
                )
                .at(path.clone()),
            );
        }
    }

    /// "Known after apply".
    pub fn mark_unknown(&mut self, path: &AttrPath) {
        self.set(path, Value::Unknown);
    }

    /// A change at `path` destroys and re-creates the object (once per path).
    pub fn require_replace(&mut self, path: &AttrPath) {
        if !self.requires_replace.contains(path) {
            self.requires_replace.push(path.clone());
        }
    }
}

/// The full plan of one resource: the attribute modifiers, then the resource's own. Destroy
/// plans null and calls nothing.
pub fn plan_resource(
    res: &dyn Resource,
    schema: &Schema,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    private: &Private,
) -> (Planned, Diagnostics) {
    let p = plan(schema, prior, proposed, config);
    if p.state.is_null() {
        return (p, Diagnostics::new());
    }
    let mut m = ModifyPlan {
        planned: p.state,
        requires_replace: p.requires_replace,
        diags: Diagnostics::new(),
    };
    res.modify_plan(
        &PlanRequest {
            config,
            prior,
            private,
        },
        &mut m,
    );
    (
        Planned {
            state: m.planned,
            requires_replace: m.requires_replace,
        },
        m.diags,
    )
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
    let mut planned = proposed.clone();
    null_removed_blocks(&schema.attributes, &mut planned, config);
    // Terraform's proposed value already carries prior state for computed attributes, so any
    // difference here is a configuration change.
    let changing = creating || !planned.semantically_equal(prior);
    plan_computed(&schema.attributes, &mut planned, prior, config, changing);
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
    plan_defaults(&schema.attributes, &mut planned, config);
    Planned {
        state: planned,
        requires_replace,
    }
}

/// Declared defaults ([`Attribute::default`]): an attribute the configuration leaves null plans
/// its default, in nested objects the configuration sets too. They come last, as a resource's
/// own plan modification would set them: they decide neither what is changing nor a
/// replacement.
fn plan_defaults(attrs: &[Attribute], planned: &mut Value, config: &Value) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for a in attrs {
        let cfg = config.get(&a.name);
        match (&a.default, &a.kind) {
            (Some(d), _) if cfg.is_null() => planned.set_attr(&a.name, d.clone()),
            (None, Kind::Nested(Nesting::Single, inner)) if !cfg.is_null() => {
                let mut sub = planned.get(&a.name).clone();
                plan_defaults(inner, &mut sub, cfg);
                planned.set_attr(&a.name, sub);
            }
            _ => {}
        }
    }
}

/// Computed attributes of one object (`planned`), recursively. `prior` is null for an object
/// that is new (the resource, or a nested object or list element the configuration just added).
fn plan_computed(
    attrs: &[Attribute],
    planned: &mut Value,
    prior: &Value,
    config: &Value,
    changing: bool,
) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for a in attrs {
        let cfg = config.get(&a.name);
        if a.computed && cfg.is_null() {
            let v = if prior.is_null() {
                Value::Unknown
            } else if a.modifiers.contains(&Modifier::UseStateForUnknown) || !changing {
                prior.get(&a.name).clone()
            } else {
                Value::Unknown
            };
            planned.set_attr(&a.name, v);
            continue;
        }
        let Kind::Nested(mode, inner) = &a.kind else {
            continue;
        };
        if !inner.iter().any(has_computed) {
            continue;
        }
        if cfg.is_null() {
            continue;
        }
        let mut sub = planned.get(&a.name).clone();
        match mode {
            Nesting::Single => plan_computed(inner, &mut sub, prior.get(&a.name), cfg, changing),
            Nesting::List => {
                if let Value::List(es) = &mut sub {
                    for (i, e) in es.iter_mut().enumerate() {
                        let p = prior.get(&a.name).elements().get(i).unwrap_or(&Value::Null);
                        let c = cfg.elements().get(i).unwrap_or(&Value::Null);
                        plan_computed(inner, e, p, c, changing);
                    }
                }
            }
            Nesting::Set => {}
        }
        planned.set_attr(&a.name, sub);
    }
}

/// A nested block holding computed attributes is computed on the wire (see `server::convert`),
/// so Terraform proposes the prior value for a block the configuration removed: the plan is the
/// configuration's null.
fn null_removed_blocks(attrs: &[Attribute], planned: &mut Value, config: &Value) {
    for a in attrs {
        let Kind::Nested(Nesting::Single, inner) = &a.kind else {
            continue;
        };
        if a.computed || !inner.iter().any(has_computed) {
            continue;
        }
        let cfg = config.get(&a.name);
        if cfg.is_null() {
            planned.set_attr(&a.name, Value::Null);
        } else if let Some(Value::Object(m)) = match planned {
            Value::Object(m) => m.get_mut(&a.name),
            _ => None,
        } {
            let mut sub = Value::Object(std::mem::take(m));
            null_removed_blocks(inner, &mut sub, cfg);
            if let Value::Object(s) = sub {
                *m = s;
            }
        }
    }
}

fn has_computed(a: &Attribute) -> bool {
    a.computed || matches!(&a.kind, Kind::Nested(_, inner) if inner.iter().any(has_computed))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
