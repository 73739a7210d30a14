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

/// Nested attributes go on the wire as attributes of object type (`object`, `set(object)`),
/// not as protocol-6 `nested_type`. The HCL is identical (`inbound_trust = { ... }`), but
/// Terraform 1.0.0-1.0.4 crash while planning any null single-nested attribute
/// (hashicorp/terraform#29388) and mishandle nested collections until 1.0.9 (#29580, #29701),
/// and 1.0 is a supported client. The framework keeps the nested schema, so validation, paths
/// and documentation still see every nested attribute and its description.
const WIRE_NESTED_TYPES: bool = false;

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested) = match &a.kind {
        Kind::Nested(mode, attrs) if WIRE_NESTED_TYPES => (
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
        _ => (
            serde_json::to_vec(&a.ty().to_json()).expect("type JSON"),
            None,
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type: nested,
        description: describe(a),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
        write_only: false,
    }
}

/// An object-typed attribute carries its nested attributes' descriptions in its own.
fn describe(a: &Attribute) -> String {
    match &a.kind {
        Kind::Nested(_, attrs) if !WIRE_NESTED_TYPES => {
            let mut d = a.description.clone();
            for n in attrs {
                d.push_str(&format!(
                    "\n- `{}` ({}): {}",
                    n.name,
                    if n.required { "required" } else { "optional" },
                    n.description
                ));
            }
            d
        }
        _ => a.description.clone(),
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

/// Decodes a DynamicValue (msgpack preferred, JSON accepted). Terraform always sends one, even
/// for null (msgpack nil): an absent or empty one is a malformed request, never read as null
/// (a null planned state would mean "destroy").
pub fn decode(v: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let bad = |e: String| {
        Diagnostics::from(Diagnostic::error(
            "Invalid value from Terraform",
            format!("{e}. This is a bug in Terraform or in the provider."),
        ))
    };
    match v {
        None => Err(bad(
            "the request carries no value where one is required".into()
        )),
        Some(dv) if !dv.msgpack.is_empty() => msgpack::decode(&dv.msgpack, ty).map_err(bad),
        Some(dv) if !dv.json.is_empty() => {
            let j: serde_json::Value =
                serde_json::from_slice(&dv.json).map_err(|e| bad(format!("invalid JSON: {e}")))?;
            json::decode(&j, ty).map_err(bad)
        }
        Some(_) => Err(bad("the value is empty (neither msgpack nor JSON)".into())),
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
    // Terraform only upgrades objects that exist, and always sends their attributes.
    let missing = || {
        Diagnostics::from(Diagnostic::error(
            "Invalid value from Terraform",
            "UpgradeResourceState carries no stored state. This is a bug in Terraform or in the provider.",
        ))
    };
    let raw = raw.ok_or_else(missing)?;
    if raw.json.is_empty() {
        if !raw.flatmap.is_empty() {
            return Err(Diagnostic::error("Unsupported state format", "This state was written in the legacy flatmap format, which this provider never used.").into());
        }
        return Err(missing());
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
