//! The JSON encoding of values, used for stored state (`RawState.json`) and in tests.
use super::{Number, Type, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;

pub fn decode(j: &J, ty: &Type) -> Result<Value, String> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    let bad = || format!("JSON value {j} is not a {}", ty.to_json());
    Ok(match ty {
        Type::Bool => Value::Bool(j.as_bool().ok_or_else(bad)?),
        Type::String => Value::String(j.as_str().ok_or_else(bad)?.to_string()),
        Type::Number => match j {
            // Integers stay exact up to u64; other numbers are as exact as serde_json's
            // f64 (state numbers beyond that precision are rounded: a known limit).
            J::Number(n) => Value::Number(match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Number::Int(i),
                (None, Some(u), _) => Number::Decimal(u.to_string()),
                (None, None, Some(f)) => Number::Float(f),
                _ => Number::parse_decimal(&n.to_string())?,
            }),
            // cty also accepts a number as a JSON string.
            J::String(s) => Value::Number(Number::parse_decimal(s)?),
            _ => return Err(bad()),
        },
        Type::List(t) | Type::Set(t) => {
            let items = j
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|e| decode(e, t))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        Type::Tuple(ts) => {
            let items = j.as_array().ok_or_else(bad)?;
            if items.len() != ts.len() {
                return Err(format!(
                    "tuple of {} elements where {} are expected",
                    items.len(),
                    ts.len()
                ));
            }
            Value::Tuple(
                items
                    .iter()
                    .zip(ts)
                    .map(|(e, t)| decode(e, t))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Map(t) => Value::Map(
            j.as_object()
                .ok_or_else(bad)?
                .iter()
                .map(|(k, e)| Ok((k.clone(), decode(e, t)?)))
                .collect::<Result<_, String>>()?,
        ),
        Type::Object(attrs) => {
            let o = j.as_object().ok_or_else(bad)?;
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                out.insert(k.clone(), decode(o.get(k).unwrap_or(&J::Null), t)?);
            }
            // Attributes the schema no longer has are dropped: that is what upgrading is for.
            Value::Object(out)
        }
        Type::Dynamic => {
            let o = j.as_object().ok_or_else(bad)?;
            let t = Type::from_json(o.get("type").ok_or("dynamic JSON needs a type")?)?;
            let v = decode(o.get("value").unwrap_or(&J::Null), &t)?;
            Value::Dynamic(t, Box::new(v))
        }
    })
}

/// JSON rendering for logs and tests (unknown renders as the string "<unknown>").
pub fn encode(v: &Value) -> J {
    match v {
        Value::Unknown => J::String("<unknown>".into()),
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(Number::Int(i)) => J::from(*i),
        Value::Number(Number::Float(f)) => J::from(*f),
        Value::Number(Number::Decimal(s)) => J::String(s.clone()),
        Value::String(s) => J::String(s.clone()),
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
            J::Array(v.iter().map(encode).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), encode(v))).collect())
        }
        Value::Dynamic(_, v) => encode(v),
    }
}
