//! Three-state Terraform values (known / null / unknown, never confused) and their types.
//!
//! Terraform sends values as msgpack (plan/apply/read) or JSON (stored state being upgraded).
//! Neither encoding is self-describing for collections (a list and a set look alike), so decoding
//! always walks the schema's [`Type`] next to the bytes.

use std::collections::BTreeMap;

pub mod json;
pub mod msgpack;
mod path;

/// A cty type, as much of it as a provider needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
    /// A value whose type travels with it (cty's DynamicPseudoType).
    Dynamic,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The JSON type constraint Terraform expects in schemas (`"string"`, `["set", ...]`, ...).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", m])
            }
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Type, String> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(format!("unknown primitive type {other:?}")),
            },
            J::Array(a) if a.len() == 2 => {
                let kind = a[0].as_str().ok_or("type kind must be a string")?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&a[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&a[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&a[1])?)),
                    "tuple" => Ok(Type::Tuple(
                        a[1].as_array()
                            .ok_or("tuple element types must be an array")?
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()?,
                    )),
                    "object" => {
                        let m = a[1]
                            .as_object()
                            .ok_or("object attribute types must be a map")?;
                        let mut attrs = BTreeMap::new();
                        for (k, t) in m {
                            attrs.insert(k.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    other => Err(format!("unknown type kind {other:?}")),
                }
            }
            // ["object", {...}, [optional attrs]] carries optional-attribute markers we can ignore.
            J::Array(a) if a.len() == 3 && a[0] == "object" => {
                Type::from_json(&serde_json::json!(["object", a[1]]))
            }
            other => Err(format!("invalid type constraint {other}")),
        }
    }
}

/// A number as Terraform sent it. Large or fractional values keep their decimal text so nothing
/// is rounded on the way back.
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
    Decimal(String),
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Decimal(a), Number::Decimal(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl Number {
    /// A number from its decimal text (how cty sends numbers that do not fit a float), refusing
    /// text that is not one: `[+-]digits[.digits][e[+-]digits]`.
    pub fn parse_decimal(s: &str) -> Result<Number, String> {
        let t = s.strip_prefix(['-', '+']).unwrap_or(s);
        let (mantissa, exp) = match t.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
            None => (t, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        let ok = !(int.is_empty() && frac.is_empty())
            && digits(int)
            && digits(frac)
            && exp.is_none_or(|e| !e.is_empty() && digits(e));
        if ok {
            Ok(Number::Decimal(s.to_string()))
        } else {
            Err(format!("{s:?} is not a number"))
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(s) => s.parse().ok(),
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Decimal(s) => s.parse().ok(),
        }
    }
}

/// A Terraform value. `Unknown` and `Null` are states of any type, kept apart on purpose:
/// unknown means "known after apply", null means "not set".
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Unknown,
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Element order carries no meaning; equality is order-insensitive.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A value of a dynamically typed attribute, with the type it travelled with.
    Dynamic(Type, Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn object<I, K>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// `Some(s)` for a known string, `None` for null; unknown also gives `None`.
    pub fn opt_string(s: Option<&str>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.to_string()))
    }

    pub fn opt_bool(b: Option<bool>) -> Value {
        b.map_or(Value::Null, Value::Bool)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True when no part of the value, however deep, is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// Attribute of an object; null when the object is null or lacks it.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// Elements of a list, set or tuple; empty for null.
    pub fn elements(&self) -> &[Value] {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v,
            _ => &[],
        }
    }

    /// Replace (or add) one attribute of an object value.
    pub fn set_attr(&mut self, name: &str, v: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), v);
        }
    }

    /// Semantic equality: sets compare as multisets, everything else structurally.
    pub fn semantically_equal(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| b.iter().any(|y| x.semantically_equal(y)))
                    && b.iter().all(|y| a.iter().any(|x| x.semantically_equal(y)))
            }
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.semantically_equal(y))
            }
            (Value::Object(a), Value::Object(b)) | (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, x)| b.get(k).is_some_and(|y| x.semantically_equal(y)))
            }
            _ => self == other,
        }
    }

    /// The null value of a type with every object attribute spelled out, used to start an imported
    /// state (Terraform wants every attribute present).
    pub fn null_object(ty: &Type) -> Value {
        match ty {
            Type::Object(attrs) => {
                Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
            }
            _ => Value::Null,
        }
    }

    /// Checks that the value has the shape of `ty` (every object attribute present, no extras,
    /// primitive kinds right). Returns the path of the first mismatch.
    pub fn conforms(&self, ty: &Type) -> Result<(), String> {
        self.conforms_at(ty, String::new())
    }

    fn conforms_at(&self, ty: &Type, at: String) -> Result<(), String> {
        let bad = |what: &str| Err(format!("{}: {what}", if at.is_empty() { "." } else { &at }));
        match (self, ty) {
            (Value::Null | Value::Unknown, _) => Ok(()),
            (_, Type::Dynamic) => Ok(()),
            (Value::Bool(_), Type::Bool)
            | (Value::Number(_), Type::Number)
            | (Value::String(_), Type::String) => Ok(()),
            (Value::List(v), Type::List(t)) | (Value::Set(v), Type::Set(t)) => {
                for (i, e) in v.iter().enumerate() {
                    e.conforms_at(t, format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            (Value::Map(m), Type::Map(t)) => {
                for (k, e) in m {
                    e.conforms_at(t, format!("{at}[{k:?}]"))?;
                }
                Ok(())
            }
            (Value::Object(m), Type::Object(attrs)) => {
                for k in m.keys() {
                    if !attrs.contains_key(k) {
                        return bad(&format!("unexpected attribute {k:?}"));
                    }
                }
                for (k, t) in attrs {
                    match m.get(k) {
                        None => return bad(&format!("missing attribute {k:?}")),
                        Some(v) => v.conforms_at(t, format!("{at}.{k}"))?,
                    }
                }
                Ok(())
            }
            (Value::Tuple(v), Type::Tuple(ts)) if v.len() == ts.len() => {
                for (i, (e, t)) in v.iter().zip(ts).enumerate() {
                    e.conforms_at(t, format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            (v, t) => bad(&format!("value {v:?} is not of type {}", t.to_json())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty() -> Type {
        Type::Object(BTreeMap::from([
            ("s".to_string(), Type::String),
            ("n".to_string(), Type::Number),
            ("b".to_string(), Type::Bool),
            ("set".to_string(), Type::set(Type::String)),
            ("l".to_string(), Type::list(Type::Number)),
            ("m".to_string(), Type::map(Type::Bool)),
            ("d".to_string(), Type::Dynamic),
        ]))
    }

    #[test]
    fn msgpack_round_trip_keeps_null_and_unknown_apart() {
        let v = Value::object([
            ("s", Value::Unknown),
            ("n", Value::Null),
            ("b", Value::Bool(true)),
            ("set", Value::Set(vec![Value::string("a"), Value::Unknown])),
            (
                "l",
                Value::List(vec![
                    Value::Number(Number::Int(3)),
                    Value::Number(Number::Float(1.5)),
                ]),
            ),
            (
                "m",
                Value::Map(BTreeMap::from([("k".to_string(), Value::Bool(false))])),
            ),
            (
                "d",
                Value::Dynamic(Type::String, Box::new(Value::string("x"))),
            ),
        ]);
        let bytes = msgpack::encode(&v, &ty()).unwrap();
        let back = msgpack::decode(&bytes, &ty()).unwrap();
        assert_eq!(back, v);
        assert!(back.get("s").is_unknown());
        assert!(back.get("n").is_null());
    }

    #[test]
    fn any_extension_type_is_unknown() {
        // Terraform 1.6+ sends refined unknowns as extension type 12.
        let m = rmpv::Value::Map(vec![(
            rmpv::Value::from("s"),
            rmpv::Value::Ext(12, vec![1, 2, 3]),
        )]);
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &m).unwrap();
        let v = msgpack::decode(
            &buf,
            &Type::Object(BTreeMap::from([("s".into(), Type::String)])),
        )
        .unwrap();
        assert!(v.get("s").is_unknown());
    }

    #[test]
    fn numbers_arrive_as_int_float_or_decimal_string() {
        for (m, want) in [
            (rmpv::Value::from(7), Number::Int(7)),
            (rmpv::Value::F64(2.5), Number::Float(2.5)),
            (
                rmpv::Value::from("123456789012345678901234567890"),
                Number::Decimal("123456789012345678901234567890".into()),
            ),
        ] {
            let mut buf = Vec::new();
            rmpv::encode::write_value(&mut buf, &m).unwrap();
            assert_eq!(
                msgpack::decode(&buf, &Type::Number).unwrap(),
                Value::Number(want)
            );
        }
    }

    #[test]
    fn json_decode_fills_missing_and_drops_removed_attributes() {
        let t = Type::Object(BTreeMap::from([
            ("a".to_string(), Type::String),
            ("b".to_string(), Type::set(Type::String)),
        ]));
        let v = json::decode(&serde_json::json!({"a": "x", "gone": 1}), &t).unwrap();
        assert_eq!(
            v,
            Value::object([("a", Value::string("x")), ("b", Value::Null)])
        );
    }

    #[test]
    fn sets_compare_without_order() {
        let a = Value::Set(vec![Value::string("x"), Value::string("y")]);
        let b = Value::Set(vec![Value::string("y"), Value::string("x")]);
        assert!(a.semantically_equal(&b));
        assert!(!a.semantically_equal(&Value::Set(vec![Value::string("x")])));
    }

    #[test]
    fn conforms_reports_missing_and_extra_attributes() {
        let t = Type::Object(BTreeMap::from([("a".to_string(), Type::String)]));
        assert!(Value::object([("a", Value::Null)]).conforms(&t).is_ok());
        assert!(Value::object([("b", Value::Null)])
            .conforms(&t)
            .unwrap_err()
            .contains("unexpected"));
        assert!(Value::object([("a", Value::Bool(true))])
            .conforms(&t)
            .is_err());
        assert!(Value::Object(BTreeMap::new())
            .conforms(&t)
            .unwrap_err()
            .contains("missing"));
    }

    #[test]
    fn type_json_round_trip() {
        let t = ty();
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
    }
}
