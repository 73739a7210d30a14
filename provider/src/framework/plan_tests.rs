//! The planner's tests: computed attributes, use-state-for-unknown, requires-replace,
//! declared defaults and removed blocks, over small schemas.

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
    fn import_id_of(&self, _: &Value) -> Result<Option<String>, Diagnostics> {
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
