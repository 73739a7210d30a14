//! Conversions between protocol messages and framework types. Nothing else outside `server/`
//! sees a generated type.

use super::proto::tfplugin6 as pb;
use crate::framework::diag::{PathStep, Severity};
use crate::framework::identity::IdentitySchema;
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

/// A resource's identity schema: every attribute a string.
pub fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    let string = serde_json::to_vec(&Type::String.to_json()).expect("type JSON");
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_string(),
                r#type: string.clone(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
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
        computed: a.computed || (!WIRE_NESTED_TYPES && inner_computed(a)),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
        write_only: false,
    }
}

/// An object-typed attribute holding a computed attribute (a job's `options.effective`) must be
/// computed itself on the wire: Terraform only accepts a planned value that differs from the
/// configuration (unknown there) for a computed attribute. The configuration then writes such an
/// inner attribute as `null` (object types have no optional attributes in Terraform 1.0); the
/// planner keeps the block null when the configuration removes it
/// ([`crate::framework::plan`]).
fn inner_computed(a: &Attribute) -> bool {
    match &a.kind {
        Kind::Nested(_, attrs) => attrs.iter().any(|n| n.computed || inner_computed(n)),
        Kind::Plain(_) => false,
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
                    if n.required {
                        "required"
                    } else if n.optional {
                        "optional"
                    } else {
                        "read-only"
                    },
                    n.description
                ));
            }
            d
        }
        _ => a.description.clone(),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.iter().map(|d| diagnostic(&d.for_terraform())).collect()
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

/// The stored JSON of a RawState (state or identity), or why there is none: Terraform only
/// upgrades what exists, and always sends it as JSON.
pub fn raw_json(raw: Option<&pb::RawState>, what: &str) -> Result<serde_json::Value, Diagnostics> {
    let missing = || {
        Diagnostics::from(Diagnostic::error(
            "Invalid value from Terraform",
            format!("The upgrade request carries no stored {what}. This is a bug in Terraform or in the provider."),
        ))
    };
    let raw = raw.ok_or_else(missing)?;
    if raw.json.is_empty() {
        return Err(missing());
    }
    serde_json::from_slice(&raw.json).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            format!("Stored {what} is not valid JSON"),
            e.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::value::Type;
    use std::collections::BTreeMap;

    /// The shapes the next resources need: a computed single-nested object (a sync job's
    /// `schedule`), a computed map (an organization's `member_states`) and a computed attribute
    /// inside an optional nested object.
    fn schema() -> Schema {
        Schema::new(
            "s",
            vec![
                Attribute::single(
                    "schedule",
                    vec![Attribute::string("interval")
                        .computed()
                        .description("Interval.")],
                )
                .computed()
                .description("Schedule."),
                Attribute::new("member_states", Kind::Plain(Type::map(Type::String)))
                    .computed()
                    .description("States."),
                Attribute::single(
                    "options",
                    vec![
                        Attribute::string("mode").required().description("Mode."),
                        Attribute::string("effective")
                            .computed()
                            .description("Effective."),
                    ],
                )
                .optional()
                .description("Options."),
            ],
        )
    }

    fn wire(name: &str) -> pb::schema::Attribute {
        schema_block()
            .attributes
            .into_iter()
            .find(|a| a.name == name)
            .unwrap()
    }

    fn schema_block() -> pb::schema::Block {
        super::schema(&schema()).block.unwrap()
    }

    #[test]
    fn nested_computed_attributes_go_on_the_wire_as_computed_objects() {
        let s = wire("schedule");
        assert!(s.computed && !s.optional && s.nested_type.is_none());
        let ty: serde_json::Value = serde_json::from_slice(&s.r#type).unwrap();
        assert_eq!(ty, serde_json::json!(["object", {"interval": "string"}]));
        assert!(s
            .description
            .contains("- `interval` (read-only): Interval."));
        let m = wire("member_states");
        assert!(m.computed);
        // Optional, and computed on the wire because of `effective`.
        let o = wire("options");
        assert!(o.optional && o.computed, "{o:?}");
        assert!(o.description.contains("- `mode` (required)"));
        assert!(o.description.contains("- `effective` (read-only)"));
    }

    #[test]
    fn planned_and_applied_nested_computed_values_round_trip() {
        let ty = schema().ty();
        let planned = Value::object([
            ("schedule", Value::Unknown),
            ("member_states", Value::Unknown),
            (
                "options",
                Value::object([("mode", Value::string("m")), ("effective", Value::Unknown)]),
            ),
        ]);
        let applied = Value::object([
            (
                "schedule",
                Value::object([("interval", Value::string("PT40M"))]),
            ),
            (
                "member_states",
                Value::Map(BTreeMap::from([("t1".into(), Value::string("active"))])),
            ),
            (
                "options",
                Value::object([
                    ("mode", Value::string("m")),
                    ("effective", Value::string("m")),
                ]),
            ),
        ]);
        for v in [planned, applied] {
            let back = decode(Some(&encode(&v, &ty).unwrap()), &ty).unwrap();
            assert_eq!(back, v);
        }
    }
}
