//! Conversions between protocol messages and framework types. Nothing else outside `server/`
//! sees a generated type.

use super::proto::tfplugin6 as pb;
use crate::framework::diag::{PathStep, Severity};
use crate::framework::schema::{Kind, Nesting};
use crate::framework::value::{json, msgpack};
use crate::framework::{AttrPath, Attribute, Diagnostic, Diagnostics, Schema, Type, Value};

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(pb::schema::Block {
            version: s.version,
            attributes: s.attributes.iter().map(attribute).collect(),
            block_types: Vec::new(),
            description: s.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested) = match &a.kind {
        Kind::Plain(t) => (serde_json::to_vec(&t.to_json()).expect("type JSON"), None),
        Kind::Nested(mode, attrs) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: attrs.iter().map(attribute).collect(),
                nesting: match mode {
                    Nesting::Single => pb::schema::object::NestingMode::Single,
                    Nesting::List => pb::schema::object::NestingMode::List,
                    Nesting::Set => pb::schema::object::NestingMode::Set,
                } as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type: nested,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
        write_only: false,
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.iter().map(diagnostic).collect()
}

fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.path.as_ref().filter(|p| !p.0.is_empty()).map(path),
    }
}

pub fn path(p: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                }),
            })
            .collect(),
    }
}

/// Decodes a DynamicValue (msgpack preferred, JSON accepted); absent means null.
pub fn decode(v: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let bad = |e: String| Diagnostics::from(Diagnostic::error("Invalid value from Terraform", e));
    match v {
        None => Ok(Value::Null),
        Some(dv) if !dv.msgpack.is_empty() => msgpack::decode(&dv.msgpack, ty).map_err(bad),
        Some(dv) if !dv.json.is_empty() => {
            let j: serde_json::Value =
                serde_json::from_slice(&dv.json).map_err(|e| bad(e.to_string()))?;
            json::decode(&j, ty).map_err(bad)
        }
        Some(_) => Ok(Value::Null),
    }
}

pub fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    msgpack::encode(v, ty)
        .map(|b| pb::DynamicValue {
            msgpack: b,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Provider produced a value it cannot encode",
                e,
            ))
        })
}

/// Decodes stored state JSON (UpgradeResourceState) for the current schema.
pub fn decode_raw_state(raw: Option<&pb::RawState>, ty: &Type) -> Result<Value, Diagnostics> {
    let Some(raw) = raw else {
        return Ok(Value::Null);
    };
    if raw.json.is_empty() {
        if !raw.flatmap.is_empty() {
            return Err(Diagnostic::error("Unsupported state format", "This state was written in the legacy flatmap format, which this provider never used.").into());
        }
        return Ok(Value::Null);
    }
    let j: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Stored state is not valid JSON",
            e.to_string(),
        ))
    })?;
    json::decode(&j, ty).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Stored state does not match the schema",
            e,
        ))
    })
}
