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

    /// Declared defaults plan when the configuration is null, on create and on update (the
    /// proposed value carries the prior, drifted value), and nested in a block that is set.
    #[test]
    fn declared_defaults_plan_when_the_configuration_is_null() {
        let s = Schema::new(
            "s",
            vec![
                Attribute::bool("enabled")
                    .default(Value::Bool(true))
                    .description("d"),
                Attribute::single(
                    "opts",
                    vec![
                        Attribute::string("level")
                            .default(Value::string("None"))
                            .description("d"),
                        Attribute::string("x").optional().description("d"),
                    ],
                )
                .optional()
                .description("d"),
            ],
        );
        let cfg = Value::object([
            ("enabled", Value::Null),
            (
                "opts",
                Value::object([("level", Value::Null), ("x", Value::string("a"))]),
            ),
        ]);
        let p = plan(&s, &Value::Null, &cfg, &cfg);
        assert_eq!(p.state.get("enabled"), &Value::Bool(true));
        assert_eq!(p.state.get("opts").get("level"), &Value::string("None"));
        // Drifted to false out of band: the default plans it back.
        let prior = Value::object([
            ("enabled", Value::Bool(false)),
            (
                "opts",
                Value::object([("level", Value::string("All")), ("x", Value::string("a"))]),
            ),
        ]);
        let p = plan(&s, &prior, &prior, &cfg);
        assert_eq!(p.state.get("enabled"), &Value::Bool(true));
        assert_eq!(p.state.get("opts").get("level"), &Value::string("None"));
        // Configured: the configuration wins.
        let mut set = cfg.clone();
        set.set_attr("enabled", Value::Bool(false));
        let p = plan(&s, &Value::Null, &set, &set);
        assert_eq!(p.state.get("enabled"), &Value::Bool(false));
        let a = &s.attributes[0];
        assert!(
            a.optional && a.computed,
            "a default makes it optional+computed"
        );
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

    /// A sync job's shape: a computed single-nested `schedule`, a computed map, and a computed
    /// attribute inside an optional nested object and inside list elements.
    fn job_schema() -> Schema {
        use crate::framework::value::Type;
        Schema::new(
            "s",
            vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("d"),
                Attribute::string("template").required().description("d"),
                Attribute::single(
                    "schedule",
                    vec![
                        Attribute::string("interval").computed().description("d"),
                        Attribute::string("state").computed().description("d"),
                    ],
                )
                .computed()
                .description("d"),
                Attribute::new("member_states", Kind::Plain(Type::map(Type::String)))
                    .computed()
                    .description("d"),
                Attribute::single(
                    "options",
                    vec![
                        Attribute::string("mode").required().description("d"),
                        Attribute::string("effective").computed().description("d"),
                    ],
                )
                .optional()
                .description("d"),
                Attribute::list_of(
                    "rules",
                    vec![
                        Attribute::string("name").required().description("d"),
                        Attribute::string("rule_id").computed().description("d"),
                    ],
                )
                .optional()
                .description("d"),
            ],
        )
    }

    fn job(template: &str, known: bool) -> Value {
        let c = |s: &str| if known { Value::string(s) } else { Value::Null };
        Value::object([
            ("id", c("j1")),
            ("template", Value::string(template)),
            (
                "schedule",
                if known {
                    Value::object([("interval", c("PT40M")), ("state", c("Active"))])
                } else {
                    Value::Null
                },
            ),
            (
                "member_states",
                if known {
                    Value::Map([("t1".to_string(), c("active"))].into_iter().collect())
                } else {
                    Value::Null
                },
            ),
            (
                "options",
                Value::object([("mode", Value::string("m")), ("effective", c("m!"))]),
            ),
            (
                "rules",
                Value::List(vec![Value::object([
                    ("name", Value::string("r")),
                    ("rule_id", c("r1")),
                ])]),
            ),
        ])
    }

    #[test]
    fn nested_computed_attributes_are_unknown_on_create() {
        let cfg = job("t", false);
        let p = plan(&job_schema(), &Value::Null, &cfg, &cfg).state;
        assert!(p.get("schedule").is_unknown() && p.get("member_states").is_unknown());
        assert!(p.get("options").get("effective").is_unknown());
        assert_eq!(p.get("options").get("mode"), &Value::string("m"));
        assert!(p.get("rules").elements()[0].get("rule_id").is_unknown());
    }

    #[test]
    fn nested_computed_attributes_keep_state_without_a_change() {
        let prior = job("t", true);
        let cfg = job("t", false);
        // Terraform proposes prior values for computed attributes the configuration leaves null.
        let p = plan(&job_schema(), &prior, &prior, &cfg);
        assert_eq!(p.state, prior);
    }

    #[test]
    fn nested_computed_attributes_are_unknown_after_a_change() {
        let prior = job("t", true);
        let cfg = job("t2", false);
        let mut proposed = prior.clone();
        proposed.set_attr("template", Value::string("t2"));
        let p = plan(&job_schema(), &prior, &proposed, &cfg).state;
        assert_eq!(p.get("id"), &Value::string("j1"));
        assert!(p.get("schedule").is_unknown());
        assert!(p.get("options").get("effective").is_unknown());
        assert!(p.get("rules").elements()[0].get("rule_id").is_unknown());
    }

    #[test]
    fn a_removed_block_with_computed_attributes_plans_null() {
        let prior = job("t", true);
        let mut cfg = job("t", false);
        cfg.set_attr("options", Value::Null);
        // Terraform proposes the prior block: the attribute is computed on the wire.
        let p = plan(&job_schema(), &prior, &prior, &cfg).state;
        assert!(p.get("options").is_null());
        // ... and that is a change: other computed attributes are unknown again.
        assert!(p.get("schedule").is_unknown());
    }

    /// Changing the template restarts the job: its schedule state becomes unknown and the
    /// `options.mode` change needs a new job.
    struct Job;

    #[async_trait::async_trait]
    impl Resource for Job {
        fn type_name(&self) -> &'static str {
            "coexistence_test_job"
        }
        fn schema(&self) -> Schema {
            job_schema()
        }
        fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
            let mode = AttrPath::root().attr("options").attr("mode");
            if !req.prior.is_null() && plan.get(&mode) != req.prior.at(&mode) {
                plan.require_replace(&mode);
                plan.require_replace(&mode);
            }
            if req.private.get("restart").is_some() {
                plan.mark_unknown(&AttrPath::root().attr("schedule").attr("state"));
            }
            if plan.planned().get("template") == &Value::string("bad") {
                plan.diags
                    .error_at(&AttrPath::root().attr("template"), "Bad template", "no");
            }
            plan.set(&AttrPath::root().attr("nope").attr("x"), Value::Null);
        }
        async fn create(
            &self,
            _: &crate::framework::Ctx,
            _: &Value,
        ) -> Result<Value, crate::framework::ApplyError> {
            unimplemented!("plan only")
        }
        async fn read(
            &self,
            _: &crate::framework::Ctx,
            _: &Value,
        ) -> Result<Option<Value>, Diagnostics> {
            unimplemented!("plan only")
        }
        async fn update(
            &self,
            _: &crate::framework::Ctx,
            _: &Value,
            _: &Value,
        ) -> Result<Value, crate::framework::ApplyError> {
            unimplemented!("plan only")
        }
        async fn delete(&self, _: &crate::framework::Ctx, _: &Value) -> Result<(), Diagnostics> {
            unimplemented!("plan only")
        }
        fn import(&self, _: &crate::framework::ImportCtx, _: &str) -> Result<Value, Diagnostics> {
            unimplemented!("plan only")
        }
        fn natural_key(&self) -> &'static str {
            "`template`"
        }
        fn import_id_format(&self) -> (&'static str, &'static str) {
            ("<id>", "j1")
        }
        fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
            &[]
        }
        fn model_mismatches(&self) -> Vec<String> {
            Vec::new()
        }
    }

    #[test]
    fn resource_plan_modification_runs_after_the_attribute_modifiers() {
        let prior = job("t", true);
        let mut cfg = job("t", false);
        cfg.set_at(
            &AttrPath::root().attr("options").attr("mode"),
            Value::string("m2"),
        )
        .unwrap();
        let mut proposed = prior.clone();
        proposed
            .set_at(
                &AttrPath::root().attr("options").attr("mode"),
                Value::string("m2"),
            )
            .unwrap();
        let private = Private::decode(br#"{"restart":true}"#);
        let (p, diags) = plan_resource(&Job, &job_schema(), &prior, &proposed, &cfg, &private);
        let mode = AttrPath::root().attr("options").attr("mode");
        assert_eq!(p.requires_replace, vec![mode]);
        // The attribute modifiers made the whole schedule unknown (a change); the resource's own
        // modification could not address inside it, and said so.
        assert!(p.state.get("schedule").is_unknown());
        assert_eq!(diags.0.len(), 2, "{diags}");
        assert!(diags
            .0
            .iter()
            .all(|d| d.summary.contains("invalid plan modification")));
        // Without a change, the schedule keeps its state and the resource marks one part unknown.
        let (p, diags) = plan_resource(
            &Job,
            &job_schema(),
            &prior,
            &prior,
            &job("t", false),
            &private,
        );
        assert!(p.requires_replace.is_empty());
        assert!(p.state.get("schedule").get("state").is_unknown());
        assert_eq!(
            p.state.get("schedule").get("interval"),
            &Value::string("PT40M")
        );
        assert_eq!(diags.0.len(), 1, "{diags}");
        let mut bad = job("bad", false);
        let (_, diags) = plan_resource(
            &Job,
            &job_schema(),
            &Value::Null,
            &bad,
            &bad,
            &Private::default(),
        );
        assert!(diags.0.iter().any(|d| d.summary == "Bad template"));
        // Destroy calls nothing.
        bad = Value::Null;
        let (p, diags) = plan_resource(&Job, &job_schema(), &prior, &bad, &bad, &private);
        assert!(p.state.is_null() && diags.is_empty());
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
