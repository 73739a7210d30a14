//! The msgpack wire encoding of values (Terraform's `DynamicValue.msgpack`).
use super::{Number, Type, Value};
use rmpv::Value as M;
use std::collections::BTreeMap;

pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, String> {
    let mut rd = bytes;
    let m = rmpv::decode::read_value(&mut rd).map_err(|e| format!("invalid msgpack: {e}"))?;
    if !rd.is_empty() {
        return Err(format!(
            "invalid msgpack: {} bytes after the value",
            rd.len()
        ));
    }
    from_msgpack(&m, ty)
}

pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, String> {
    let m = to_msgpack(v, ty)?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &m).map_err(|e| e.to_string())?;
    Ok(out)
}

fn from_msgpack(m: &M, ty: &Type) -> Result<Value, String> {
    // Terraform marks unknowns with extension type 0, or 12 with refinements (1.6+): any
    // extension value is an unknown.
    if let M::Ext(_, _) = m {
        return Ok(Value::Unknown);
    }
    if m.is_nil() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Bool => m.as_bool().map(Value::Bool).ok_or_else(|| mismatch(m, ty)),
        Type::String => match m {
            M::String(s) => Ok(Value::String(
                s.as_str().ok_or("invalid utf-8")?.to_string(),
            )),
            M::Binary(b) => Ok(Value::String(
                String::from_utf8(b.clone()).map_err(|e| e.to_string())?,
            )),
            _ => Err(mismatch(m, ty)),
        },
        Type::Number => match m {
            M::Integer(i) => Ok(Value::Number(match i.as_i64() {
                Some(i) => Number::Int(i),
                None => Number::Decimal(i.to_string()),
            })),
            // cty numbers may be infinite, never NaN.
            M::F32(f) if !f.is_nan() => Ok(Value::Number(Number::Float(*f as f64))),
            M::F64(f) if !f.is_nan() => Ok(Value::Number(Number::Float(*f))),
            // Numbers that don't fit a float travel as decimal strings.
            M::String(s) => Ok(Value::Number(Number::parse_decimal(
                s.as_str().ok_or("invalid utf-8")?,
            )?)),
            _ => Err(mismatch(m, ty)),
        },
        Type::List(t) | Type::Set(t) => {
            let arr = m.as_array().ok_or_else(|| mismatch(m, ty))?;
            let items = arr
                .iter()
                .map(|e| from_msgpack(e, t))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(ts) => {
            let arr = m.as_array().ok_or_else(|| mismatch(m, ty))?;
            if arr.len() != ts.len() {
                return Err("tuple length mismatch".into());
            }
            Ok(Value::Tuple(
                arr.iter()
                    .zip(ts)
                    .map(|(e, t)| from_msgpack(e, t))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Type::Map(t) => {
            let entries = m.as_map().ok_or_else(|| mismatch(m, ty))?;
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                out.insert(key(k)?, from_msgpack(v, t)?);
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let entries = m.as_map().ok_or_else(|| mismatch(m, ty))?;
            let mut out: BTreeMap<String, Value> = BTreeMap::new();
            for (k, v) in entries {
                let k = key(k)?;
                let t = attrs
                    .get(&k)
                    .ok_or_else(|| format!("unexpected attribute {k:?}"))?;
                out.insert(k, from_msgpack(v, t)?);
            }
            // Absent attributes are null.
            for k in attrs.keys() {
                out.entry(k.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            // A dynamic value is a two-element array: the JSON type, then the value.
            let arr = m.as_array().ok_or_else(|| mismatch(m, ty))?;
            if arr.len() != 2 {
                return Err("dynamic value must be [type, value]".into());
            }
            let tjson = match &arr[0] {
                M::Binary(b) => b.clone(),
                M::String(s) => s.as_bytes().to_vec(),
                _ => return Err("dynamic type must be bytes".into()),
            };
            let t = Type::from_json(&serde_json::from_slice(&tjson).map_err(|e| e.to_string())?)?;
            let v = from_msgpack(&arr[1], &t)?;
            Ok(Value::Dynamic(t, Box::new(v)))
        }
    }
}

fn key(k: &M) -> Result<String, String> {
    k.as_str()
        .map(str::to_string)
        .ok_or_else(|| "map key must be a string".to_string())
}

fn mismatch(m: &M, ty: &Type) -> String {
    format!("msgpack value {m} is not a {}", ty.to_json())
}

fn to_msgpack(v: &Value, ty: &Type) -> Result<M, String> {
    Ok(match (v, ty) {
        // cty's unknown: fixext1, extension type 0, one zero byte.
        (Value::Unknown, _) => M::Ext(0, vec![0]),
        (Value::Null, _) => M::Nil,
        (Value::Dynamic(t, inner), Type::Dynamic) => {
            let tj = serde_json::to_vec(&t.to_json()).map_err(|e| e.to_string())?;
            M::Array(vec![M::Binary(tj), to_msgpack(inner, t)?])
        }
        (_, Type::Dynamic) => return Err("dynamic attributes need a typed value".into()),
        (Value::Bool(b), Type::Bool) => M::Boolean(*b),
        (Value::String(s), Type::String) => M::String(s.clone().into()),
        (Value::Number(n), Type::Number) => match n {
            Number::Int(i) => M::Integer((*i).into()),
            Number::Float(f) => M::F64(*f),
            Number::Decimal(s) => M::String(s.clone().into()),
        },
        (Value::List(items), Type::List(t)) | (Value::Set(items), Type::Set(t)) => M::Array(
            items
                .iter()
                .map(|e| to_msgpack(e, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Tuple(items), Type::Tuple(ts)) => M::Array(
            items
                .iter()
                .zip(ts)
                .map(|(e, t)| to_msgpack(e, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(m), Type::Map(t)) => M::Map(
            m.iter()
                .map(|(k, e)| Ok((M::String(k.clone().into()), to_msgpack(e, t)?)))
                .collect::<Result<_, String>>()?,
        ),
        (Value::Object(m), Type::Object(attrs)) => M::Map(
            attrs
                .iter()
                .map(|(k, t)| {
                    let e = m.get(k).unwrap_or(&Value::Null);
                    Ok((M::String(k.clone().into()), to_msgpack(e, t)?))
                })
                .collect::<Result<_, String>>()?,
        ),
        (v, t) => return Err(format!("cannot encode {v:?} as {}", t.to_json())),
    })
}
