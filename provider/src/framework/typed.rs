//! Typed models: a resource's model is a plain serde struct (`#[derive(Serialize, Deserialize)]`,
//! field names = attribute names), converted to and from [`Value`] by walking the schema, so no
//! resource spells every attribute name three times.
//!
//! The schema drives the conversion, not the struct: null is `None` (`Option<T>`), sets and lists
//! are `Vec<T>` (or any serde sequence), maps are `BTreeMap<String, T>`, nested attributes are
//! nested structs. An unknown value (a planned value "known after apply") becomes `None` only
//! where the schema says the attribute is computed; anywhere else it is an error naming the
//! attribute path, so a model never silently reads "unknown" as "not set".
//!
//! Attributes the framework owns (`timeouts`) may be left out of a model: they convert to null.
//! [`model_mismatches`] checks the rest, field by field, against the schema.

use super::diag::{AttrPath, Diagnostic, Diagnostics};
use super::schema::{Attribute, Kind, Nesting, Schema};
use super::value::{json, Number, Type, Value};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value as J;
use std::collections::BTreeMap;

/// Attributes a model may leave out: the framework carries them.
pub const FRAMEWORK_ATTRIBUTES: &[&str] = &["timeouts"];

/// A model from a config, plan or state value of `schema`.
pub fn from_value<T: DeserializeOwned>(schema: &Schema, v: &Value) -> Result<T, Diagnostics> {
    let j = object_to_json(&schema.attributes, v, &AttrPath::root())?;
    serde_json::from_value(j).map_err(|e| {
        bug(
            AttrPath::root(),
            format!(
                "the model {} does not match the schema: {e}",
                std::any::type_name::<T>()
            ),
        )
    })
}

/// The value of `schema` a model stands for. Attributes the model has no field for are null.
pub fn to_value<T: Serialize>(schema: &Schema, model: &T) -> Result<Value, Diagnostics> {
    let j = serde_json::to_value(model).map_err(|e| bug(AttrPath::root(), e.to_string()))?;
    object_from_json(&schema.attributes, &j, &AttrPath::root())
}

/// Null read as the type's default (empty): for a required attribute that an import's state
/// leaves null until the read, `#[serde(deserialize_with = "crate::framework::typed::null_is_default")]`.
pub fn null_is_default<'de, T: Deserialize<'de> + Default, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn bug(path: AttrPath, detail: String) -> Diagnostics {
    let d = Diagnostic::error(
        "Provider model does not match its schema",
        format!("{detail}. This is a bug in the provider; please report it."),
    );
    if path.0.is_empty() { d } else { d.at(path) }.into()
}

fn unknown(path: &AttrPath) -> Diagnostics {
    Diagnostic::error(
        "Value not known yet",
        format!(
            "{path} is not known until apply, and the provider needs it now. Use a value known at plan time."
        ),
    )
    .at(path.clone())
    .into()
}

// ---- Value -> JSON (for deserializing) ----------------------------------------------------

fn object_to_json(attrs: &[Attribute], v: &Value, path: &AttrPath) -> Result<J, Diagnostics> {
    match v {
        Value::Null => Ok(J::Null),
        Value::Object(_) => {
            let mut m = serde_json::Map::new();
            for a in attrs {
                let p = path.attr(&a.name);
                m.insert(a.name.clone(), attr_to_json(a, v.get(&a.name), &p)?);
            }
            Ok(J::Object(m))
        }
        Value::Unknown => Err(unknown(path)),
        other => Err(bug(path.clone(), format!("{other:?} is not an object"))),
    }
}

fn attr_to_json(a: &Attribute, v: &Value, path: &AttrPath) -> Result<J, Diagnostics> {
    if v.is_unknown() {
        return if a.computed {
            Ok(J::Null)
        } else {
            Err(unknown(path))
        };
    }
    match &a.kind {
        Kind::Plain(t) => plain_to_json(t, v, path, a.computed),
        Kind::Nested(Nesting::Single, inner) => object_to_json(inner, v, path),
        Kind::Nested(_, inner) => match v {
            Value::Null => Ok(J::Null),
            Value::List(es) | Value::Set(es) => es
                .iter()
                .enumerate()
                .map(|(i, e)| object_to_json(inner, e, &path.index(i)))
                .collect::<Result<Vec<_>, _>>()
                .map(J::Array),
            other => Err(bug(path.clone(), format!("{other:?} is not a collection"))),
        },
    }
}

/// `computed`: an unknown inside a computed attribute (an element of a computed map) is `None`.
fn plain_to_json(t: &Type, v: &Value, path: &AttrPath, computed: bool) -> Result<J, Diagnostics> {
    Ok(match (v, t) {
        (Value::Unknown, _) if computed => J::Null,
        (Value::Unknown, _) => return Err(unknown(path)),
        (Value::Null, _) => J::Null,
        (Value::Bool(b), Type::Bool) => J::Bool(*b),
        (Value::String(s), Type::String) => J::String(s.clone()),
        (Value::Number(n), Type::Number) => match n {
            Number::Int(i) => J::from(*i),
            _ => n
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(J::Number)
                .ok_or_else(|| bug(path.clone(), format!("{n:?} does not fit a model number")))?,
        },
        (Value::List(es), Type::List(t)) | (Value::Set(es), Type::Set(t)) => J::Array(
            es.iter()
                .enumerate()
                .map(|(i, e)| plain_to_json(t, e, &path.index(i), computed))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(m), Type::Map(t)) => J::Object(
            m.iter()
                .map(|(k, e)| Ok((k.clone(), plain_to_json(t, e, &path.key(k), computed)?)))
                .collect::<Result<_, Diagnostics>>()?,
        ),
        (Value::Object(m), Type::Object(ts)) => J::Object(
            ts.iter()
                .map(|(k, t)| {
                    let e = m.get(k).unwrap_or(&Value::Null);
                    Ok((k.clone(), plain_to_json(t, e, &path.attr(k), computed)?))
                })
                .collect::<Result<_, Diagnostics>>()?,
        ),
        (v, t) => {
            return Err(bug(
                path.clone(),
                format!("{v:?} is not of type {}", t.to_json()),
            ))
        }
    })
}

// ---- JSON (from serializing) -> Value -----------------------------------------------------

fn object_from_json(attrs: &[Attribute], j: &J, path: &AttrPath) -> Result<Value, Diagnostics> {
    match j {
        J::Null => Ok(Value::Null),
        J::Object(o) => {
            if let Some(k) = o.keys().find(|k| !attrs.iter().any(|a| &a.name == *k)) {
                return Err(bug(
                    path.clone(),
                    format!("model field {k:?} is not an attribute of the schema"),
                ));
            }
            let mut out = BTreeMap::new();
            for a in attrs {
                let p = path.attr(&a.name);
                let v = o.get(&a.name).unwrap_or(&J::Null);
                out.insert(a.name.clone(), attr_from_json(a, v, &p)?);
            }
            Ok(Value::Object(out))
        }
        other => Err(bug(
            path.clone(),
            format!("model value {other} is not an object"),
        )),
    }
}

fn attr_from_json(a: &Attribute, j: &J, path: &AttrPath) -> Result<Value, Diagnostics> {
    match &a.kind {
        Kind::Plain(t) => plain_from_json(t, j, path),
        Kind::Nested(Nesting::Single, inner) => object_from_json(inner, j, path),
        Kind::Nested(mode, inner) => match j {
            J::Null => Ok(Value::Null),
            J::Array(es) => {
                let items = es
                    .iter()
                    .enumerate()
                    .map(|(i, e)| object_from_json(inner, e, &path.index(i)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if *mode == Nesting::Set {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            other => Err(bug(
                path.clone(),
                format!("model value {other} is not a sequence"),
            )),
        },
    }
}

/// A plain-typed attribute's model value: the state JSON decoding ([`json::decode`]) with the
/// attribute path in the error. (Plain object types are rare; an extra model field inside one is
/// dropped there, as stored state drops attributes a schema no longer has.)
fn plain_from_json(t: &Type, j: &J, path: &AttrPath) -> Result<Value, Diagnostics> {
    json::decode(j, t).map_err(|e| bug(path.clone(), format!("model value {j}: {e}")))
}

// ---- the model-matches-schema check -------------------------------------------------------

/// Every way model `T` and `schema` disagree, as sentences (empty when they match): a schema
/// attribute with no model field (other than [`FRAMEWORK_ATTRIBUTES`]), a model field that is
/// no attribute, or a field whose type cannot hold the attribute's values. Works by converting
/// a value with every attribute set, however deep, through the model and back.
pub fn model_mismatches<T: Serialize + DeserializeOwned>(schema: &Schema) -> Vec<String> {
    let full = sample_object(&schema.attributes);
    let model: T = match from_value(schema, &full) {
        Ok(m) => m,
        Err(d) => return vec![d.to_string()],
    };
    let back = match to_value(schema, &model) {
        Ok(v) => v,
        Err(d) => return vec![d.to_string()],
    };
    let mut problems = Vec::new();
    diff(&full, &back, &AttrPath::root(), &mut problems);
    problems
}

fn diff(want: &Value, got: &Value, path: &AttrPath, problems: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                if path.0.is_empty() && FRAMEWORK_ATTRIBUTES.contains(&k.as_str()) {
                    continue;
                }
                diff(
                    wv,
                    g.get(k).unwrap_or(&Value::Null),
                    &path.attr(k),
                    problems,
                );
            }
        }
        (Value::List(w), Value::List(g)) | (Value::Set(w), Value::Set(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                diff(wv, gv, &path.index(i), problems);
            }
        }
        (w, Value::Null) if !w.is_null() => {
            problems.push(format!("{path}: schema attribute has no model field"))
        }
        (w, g) if !w.semantically_equal(g) => {
            problems.push(format!("{path}: model turns {w:?} into {g:?}"))
        }
        _ => {}
    }
}

fn sample_object(attrs: &[Attribute]) -> Value {
    Value::object(attrs.iter().map(|a| {
        let v = match &a.kind {
            Kind::Plain(t) => sample(t),
            Kind::Nested(Nesting::Single, inner) => sample_object(inner),
            Kind::Nested(Nesting::List, inner) => Value::List(vec![sample_object(inner)]),
            Kind::Nested(Nesting::Set, inner) => Value::Set(vec![sample_object(inner)]),
        };
        (a.name.clone(), v)
    }))
}

fn sample(t: &Type) -> Value {
    match t {
        Type::Bool => Value::Bool(true),
        Type::Number => Value::Number(Number::Int(7)),
        Type::String | Type::Dynamic => Value::string("x"),
        Type::List(e) => Value::List(vec![sample(e)]),
        Type::Set(e) => Value::Set(vec![sample(e)]),
        Type::Map(e) => Value::Map(BTreeMap::from([("k".to_string(), sample(e))])),
        Type::Object(ts) => Value::Object(ts.iter().map(|(k, t)| (k.clone(), sample(t))).collect()),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(sample).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn schema() -> Schema {
        Schema::new(
            "s",
            vec![
                Attribute::string("id").computed().description("d"),
                Attribute::string("name").required().description("d"),
                Attribute::number("count").optional().description("d"),
                Attribute::string_set("tags").optional().description("d"),
                Attribute::new("member_states", Kind::Plain(Type::map(Type::String)))
                    .computed()
                    .description("d"),
                Attribute::single(
                    "schedule",
                    vec![
                        Attribute::string("interval").required().description("d"),
                        Attribute::string("state").computed().description("d"),
                    ],
                )
                .optional()
                .description("d"),
                Attribute::list_of(
                    "rules",
                    vec![Attribute::bool("on").required().description("d")],
                )
                .optional()
                .description("d"),
                super::super::schema::timeouts_attribute(&["create"]),
            ],
        )
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Model {
        id: Option<String>,
        name: String,
        count: Option<i64>,
        tags: Option<Vec<String>>,
        member_states: Option<BTreeMap<String, String>>,
        schedule: Option<Schedule>,
        rules: Vec<Rule>,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Schedule {
        interval: String,
        state: Option<String>,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Rule {
        on: bool,
    }

    fn planned() -> Value {
        Value::object([
            ("id", Value::Unknown),
            ("name", Value::string("n")),
            ("count", Value::Number(Number::Int(2))),
            ("tags", Value::Set(vec![Value::string("a")])),
            ("member_states", Value::Unknown),
            (
                "schedule",
                Value::object([
                    ("interval", Value::string("PT40M")),
                    ("state", Value::Unknown),
                ]),
            ),
            (
                "rules",
                Value::List(vec![Value::object([("on", Value::Bool(true))])]),
            ),
            ("timeouts", Value::Null),
        ])
    }

    #[test]
    fn unknown_computed_attributes_read_as_none_even_nested() {
        let m: Model = from_value(&schema(), &planned()).unwrap();
        assert_eq!(
            m,
            Model {
                id: None,
                name: "n".into(),
                count: Some(2),
                tags: Some(vec!["a".into()]),
                member_states: None,
                schedule: Some(Schedule {
                    interval: "PT40M".into(),
                    state: None
                }),
                rules: vec![Rule { on: true }],
            }
        );
    }

    #[test]
    fn unknown_where_not_computed_is_an_error_at_its_path() {
        let mut v = planned();
        v.set_attr(
            "schedule",
            Value::object([("interval", Value::Unknown), ("state", Value::Null)]),
        );
        let e = from_value::<Model>(&schema(), &v).unwrap_err();
        assert_eq!(
            e.0[0].path,
            Some(AttrPath::root().attr("schedule").attr("interval"))
        );
        assert!(e.0[0].detail.contains("schedule.interval"), "{e}");
    }

    #[test]
    fn round_trip_keeps_sets_maps_and_nested_objects() {
        let mut v = planned();
        v.set_attr("id", Value::string("1"));
        v.set_attr(
            "member_states",
            Value::Map(BTreeMap::from([("t1".into(), Value::string("active"))])),
        );
        v.set_attr(
            "schedule",
            Value::object([
                ("interval", Value::string("PT40M")),
                ("state", Value::string("Active")),
            ]),
        );
        let m: Model = from_value(&schema(), &v).unwrap();
        let back = to_value(&schema(), &m).unwrap();
        back.conforms(&schema().ty()).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn a_model_field_outside_the_schema_is_named() {
        #[derive(Serialize)]
        struct Extra {
            name: String,
            bogus: bool,
        }
        let e = to_value(
            &schema(),
            &Extra {
                name: "n".into(),
                bogus: true,
            },
        )
        .unwrap_err();
        assert!(e.0[0].detail.contains("\"bogus\""), "{e}");
    }

    #[test]
    fn mismatches_name_missing_and_mistyped_fields() {
        assert_eq!(model_mismatches::<Model>(&schema()), Vec::<String>::new());
        #[derive(Serialize, Deserialize)]
        struct Missing {
            id: Option<String>,
            name: String,
            count: Option<i64>,
            tags: Option<Vec<String>>,
            member_states: Option<BTreeMap<String, String>>,
            rules: Vec<Rule>,
            schedule: Option<MissingState>,
        }
        #[derive(Serialize, Deserialize)]
        struct MissingState {
            interval: String,
        }
        assert_eq!(
            model_mismatches::<Missing>(&schema()),
            vec!["schedule.state: schema attribute has no model field".to_string()]
        );
        #[derive(Serialize, Deserialize)]
        struct Mistyped {
            name: bool,
        }
        let p = model_mismatches::<Mistyped>(&schema());
        assert!(p.len() == 1 && p[0].contains("does not match"), "{p:?}");
    }
}
