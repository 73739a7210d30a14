//! Schemas as data: every attribute carries its description, validators and plan modifiers.
//! Protocol 6 style: nested attributes, not blocks.

use super::diag::{AttrPath, Diagnostics};
use super::validators::Validator;
use super::value::{Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
}

#[derive(Clone)]
pub enum Kind {
    /// A primitive or a collection of primitives.
    Plain(Type),
    /// Nested attributes (protocol 6 `NestedType`).
    Nested(Nesting, Vec<Attribute>),
}

/// Plan modifiers, applied by the framework's default planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// A change to this attribute destroys and re-creates the object.
    RequiresReplace,
    /// A computed value that never changes once known (an ID): keep the prior state value instead
    /// of marking it unknown on every update.
    UseStateForUnknown,
    /// Values differing only in ASCII case name the same object (GUIDs): such a change never
    /// forces replacement; it plans as an in-place update of the spelling.
    CaseInsensitive,
}

#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub description: String,
    pub kind: Kind,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub validators: Vec<Arc<dyn Validator>>,
    pub modifiers: Vec<Modifier>,
    /// What the planner plans when the configuration leaves the attribute null (optional and
    /// computed attributes only); the docs page says "Defaults to `x`.".
    pub default: Option<Value>,
}

impl Attribute {
    pub fn new(name: &str, kind: Kind) -> Attribute {
        Attribute {
            name: name.to_string(),
            description: String::new(),
            kind,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            validators: Vec::new(),
            modifiers: Vec::new(),
            default: None,
        }
    }
    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Kind::Plain(Type::String))
    }
    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Kind::Plain(Type::Bool))
    }
    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Kind::Plain(Type::Number))
    }
    pub fn string_set(name: &str) -> Attribute {
        Attribute::new(name, Kind::Plain(Type::set(Type::String)))
    }
    pub fn single(name: &str, attrs: Vec<Attribute>) -> Attribute {
        Attribute::new(name, Kind::Nested(Nesting::Single, attrs))
    }
    pub fn list_of(name: &str, attrs: Vec<Attribute>) -> Attribute {
        Attribute::new(name, Kind::Nested(Nesting::List, attrs))
    }
    pub fn set_of(name: &str, attrs: Vec<Attribute>) -> Attribute {
        Attribute::new(name, Kind::Nested(Nesting::Set, attrs))
    }

    pub fn description(mut self, d: &str) -> Attribute {
        self.description = d.to_string();
        self
    }
    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn validate(mut self, v: impl Validator + 'static) -> Attribute {
        self.validators.push(Arc::new(v));
        self
    }
    pub fn requires_replace(mut self) -> Attribute {
        self.modifiers.push(Modifier::RequiresReplace);
        self
    }
    pub fn case_insensitive(mut self) -> Attribute {
        self.modifiers.push(Modifier::CaseInsensitive);
        self
    }
    /// Plans `v` whenever the configuration leaves the attribute null, so drift on it shows and
    /// removing it from the configuration sets the default again. Makes the attribute optional
    /// and computed (Terraform accepts a planned value for a null configuration only then).
    pub fn default(mut self, v: Value) -> Attribute {
        self.optional = true;
        self.computed = true;
        self.default = Some(v);
        self
    }
    pub fn use_state_for_unknown(mut self) -> Attribute {
        self.modifiers.push(Modifier::UseStateForUnknown);
        self
    }

    /// The same attribute as a data source reports it: computed only, with its nested
    /// attributes, no validators and no plan modifiers (nothing to validate or plan).
    pub fn read_only(mut self) -> Attribute {
        self.required = false;
        self.optional = false;
        self.computed = true;
        self.validators.clear();
        self.modifiers.clear();
        self.default = None;
        if let Kind::Nested(mode, attrs) = self.kind {
            self.kind = Kind::Nested(mode, attrs.into_iter().map(Attribute::read_only).collect());
        }
        self
    }

    pub fn ty(&self) -> Type {
        match &self.kind {
            Kind::Plain(t) => t.clone(),
            Kind::Nested(mode, attrs) => {
                let obj = object_type(attrs);
                match mode {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                }
            }
        }
    }
}

fn object_type(attrs: &[Attribute]) -> Type {
    Type::Object(
        attrs
            .iter()
            .map(|a| (a.name.clone(), a.ty()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Whole-object checks that need several attributes at once (exactly one of, conflicts).
pub trait ObjectValidator: Send + Sync {
    fn validate(&self, obj: &Value, path: &AttrPath, diags: &mut Diagnostics);
}

/// [`Schema::with_check`]'s function as a validator of the whole configuration.
struct Check(fn(&Value, &mut Diagnostics));

impl ObjectValidator for Check {
    fn validate(&self, obj: &Value, _: &AttrPath, diags: &mut Diagnostics) {
        (self.0)(obj, diags)
    }
}

#[derive(Clone)]
pub struct Schema {
    pub version: i64,
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub object_validators: Vec<Arc<dyn ObjectValidator>>,
}

impl Schema {
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Schema {
        Schema {
            version: 0,
            description: description.to_string(),
            attributes,
            object_validators: Vec::new(),
        }
    }
    pub fn with_validator(mut self, v: impl ObjectValidator + 'static) -> Schema {
        self.object_validators.push(Arc::new(v));
        self
    }
    /// A whole-configuration check written as a function over the configuration (rules that
    /// span several attributes), declared with the schema like the attributes' validators.
    pub fn with_check(self, check: fn(&Value, &mut Diagnostics)) -> Schema {
        self.with_validator(Check(check))
    }
    pub fn ty(&self) -> Type {
        object_type(&self.attributes)
    }
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Runs every attribute validator over a configuration. Unknown values are skipped: they are
    /// validated again at apply time once known.
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        validate_attrs(&self.attributes, config, &AttrPath::root(), &mut diags);
        for v in &self.object_validators {
            v.validate(config, &AttrPath::root(), &mut diags);
        }
        diags
    }

    /// Problems with the schema itself (used by the registry test): empty descriptions, duplicate
    /// names, impossible flag combinations.
    pub fn lint(&self, owner: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.description.trim().is_empty() {
            problems.push(format!("{owner}: schema has no description"));
        }
        lint_attrs(&self.attributes, owner, &mut problems);
        problems
    }
}

fn lint_attrs(attrs: &[Attribute], at: &str, problems: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    for a in attrs {
        let here = format!("{at}.{}", a.name);
        if !seen.insert(&a.name) {
            problems.push(format!("{here}: duplicate attribute"));
        }
        if a.description.trim().is_empty() {
            problems.push(format!("{here}: no description"));
        }
        if a.required && (a.optional || a.computed) {
            problems.push(format!("{here}: required cannot be optional or computed"));
        }
        if !a.required && !a.optional && !a.computed {
            problems.push(format!("{here}: must be required, optional or computed"));
        }
        if a.name.is_empty()
            || !a
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            problems.push(format!("{here}: names are snake_case"));
        }
        if let Kind::Nested(_, inner) = &a.kind {
            lint_attrs(inner, &here, problems);
        }
    }
}

fn validate_attrs(attrs: &[Attribute], obj: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    if !matches!(obj, Value::Object(_)) {
        return;
    }
    for a in attrs {
        let v = obj.get(&a.name);
        let p = path.attr(&a.name);
        if v.is_unknown() {
            continue;
        }
        for val in &a.validators {
            val.validate(v, &p, obj, diags);
        }
        if let Kind::Nested(mode, inner) = &a.kind {
            match mode {
                Nesting::Single => validate_attrs(inner, v, &p, diags),
                // Set elements have no address in the protocol: diagnostics point at the set.
                Nesting::Set => v
                    .elements()
                    .iter()
                    .for_each(|e| validate_attrs(inner, e, &p, diags)),
                Nesting::List => v
                    .elements()
                    .iter()
                    .enumerate()
                    .for_each(|(i, e)| validate_attrs(inner, e, &p.index(i), diags)),
            }
        }
    }
}

/// The optional `timeouts` attribute every resource carries: a map from operation to a Go-style
/// duration (`timeouts = { create = "30m" }`). A map rather than an object so any subset of
/// operations can be given.
pub fn timeouts_attribute(ops: &'static [&'static str]) -> Attribute {
    Attribute::new("timeouts", Kind::Plain(Type::map(Type::String)))
        .optional()
        .validate(super::validators::timeouts(ops))
        .description(&format!(
            "Deadlines per operation ({}), as durations such as \"30s\" or \"10m\". Throttling retries and replication-lag waits never run past them.",
            ops.join(", ")
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_types() {
        let a = Attribute::set_of(
            "t",
            vec![Attribute::string("x").required().description("d")],
        )
        .optional()
        .description("d");
        assert_eq!(
            a.ty(),
            Type::set(Type::Object(BTreeMap::from([("x".into(), Type::String)])))
        );
    }

    #[test]
    fn lint_finds_missing_descriptions_and_bad_flags() {
        let s = Schema::new(
            "s",
            vec![
                Attribute::string("a").required().optional(),
                Attribute::string("b"),
            ],
        );
        let p = s.lint("r");
        assert!(p.iter().any(|m| m.contains("r.a: no description")));
        assert!(p.iter().any(|m| m.contains("r.a: required cannot")));
        assert!(p.iter().any(|m| m.contains("r.b: must be")));
    }
}
