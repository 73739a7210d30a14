//! Strict request-body validation against the documented (CSDL) types.
//!
//! Unknown or mis-cased properties anywhere → 400 `Request_BadRequest`
//! `Invalid property '<name as given>'.`; wrong JSON type → 400 `BadRequest`; enum values
//! outside the documented members (including `unknownFutureValue`, which the provider must
//! never send) → 400 `Request_BadRequest` naming the value; read-only properties → 400.

use serde_json::{Map, Value};

use super::envelope::GraphError;

/// How a property may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    /// Settable on create only (e.g. an entity key).
    CreateOnly,
    /// Never settable by a client.
    ReadOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
}

#[derive(Debug)]
pub struct EnumType {
    pub name: &'static str,
    pub members: &'static [&'static str],
}

#[derive(Debug)]
pub struct ObjType {
    /// Unqualified type name (`microsoft.graph.<name>`).
    pub name: &'static str,
    pub props: &'static [Prop],
}

#[derive(Debug)]
pub enum Ty {
    Bool,
    Str,
    /// `Edm.Int32` / `Edm.Int64` (a JSON integer).
    Int,
    Enum(&'static EnumType),
    /// A flags enum (`IsFlags`): one string of members separated by commas (`"Add, Update"`).
    Flags(&'static EnumType),
    Obj(&'static ObjType),
    Coll(&'static Ty),
}

#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    pub nullable: bool,
    pub access: Access,
    /// A (contained) navigation property rather than a structural one: written in bodies like
    /// one (a deep insert or a reference by `id`), declared apart in the CSDL.
    pub nav: bool,
}

impl Prop {
    pub const fn rw(name: &'static str, ty: Ty) -> Prop {
        Prop {
            name,
            ty,
            nullable: true,
            access: Access::ReadWrite,
            nav: false,
        }
    }
    /// A writable navigation property.
    pub const fn nav(name: &'static str, ty: Ty) -> Prop {
        Prop {
            name,
            ty,
            nullable: true,
            access: Access::ReadWrite,
            nav: true,
        }
    }
    pub const fn ro(name: &'static str, ty: Ty) -> Prop {
        Prop {
            name,
            ty,
            nullable: true,
            access: Access::ReadOnly,
            nav: false,
        }
    }
    pub const fn non_null(mut self) -> Prop {
        self.nullable = false;
        self
    }
    pub const fn create_only(mut self) -> Prop {
        self.access = Access::CreateOnly;
        self
    }
}

fn ty_name(ty: &Ty) -> String {
    match ty {
        Ty::Bool => "Edm.Boolean".into(),
        Ty::Str => "Edm.String".into(),
        Ty::Int => "Edm.Int32".into(),
        Ty::Enum(e) | Ty::Flags(e) => format!("microsoft.graph.{}", e.name),
        Ty::Obj(o) => format!("microsoft.graph.{}", o.name),
        Ty::Coll(t) => format!("Collection({})", ty_name(t)),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(name: &str, ty: &Ty, v: &Value) -> GraphError {
    GraphError::bad_request(format!(
        "Cannot convert the {} value {} of property '{name}' to the expected type '{}'.",
        json_kind(v),
        compact(v),
        ty_name(ty)
    ))
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}...", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

/// Validates a top-level request body (a JSON object) for `op` on an entity of type `ty`.
pub fn validate_body(body: &Map<String, Value>, ty: &ObjType, op: Op) -> Result<(), GraphError> {
    validate_object(body, ty, Some(op))
}

/// `op` is `Some` only at the top level (read-only / create-only checks apply to entity
/// properties; nested complex values are replaced wholesale and have no per-member access).
fn validate_object(
    obj: &Map<String, Value>,
    ty: &ObjType,
    op: Option<Op>,
) -> Result<(), GraphError> {
    for (name, value) in obj {
        if name == "@odata.type" {
            let expected = format!("#microsoft.graph.{}", ty.name);
            if value.as_str() != Some(expected.as_str()) {
                return Err(GraphError::bad_request(format!(
                    "A type named '{}' could not be resolved by the model; expected '{expected}'.",
                    value.as_str().unwrap_or_default()
                )));
            }
            continue;
        }
        let Some(prop) = ty.props.iter().find(|p| p.name == name) else {
            return Err(GraphError::request_bad_request(format!(
                "Invalid property '{name}'."
            )));
        };
        if let Some(op) = op {
            let writable = match prop.access {
                Access::ReadWrite => true,
                Access::CreateOnly => op == Op::Create,
                Access::ReadOnly => false,
            };
            if !writable {
                return Err(GraphError::request_bad_request(format!(
                    "Property '{name}' is read-only and cannot be set."
                )));
            }
        }
        validate_value(name, value, &prop.ty, prop.nullable)?;
    }
    Ok(())
}

fn validate_value(name: &str, v: &Value, ty: &Ty, nullable: bool) -> Result<(), GraphError> {
    if v.is_null() {
        return if nullable {
            Ok(())
        } else {
            Err(GraphError::bad_request(format!(
                "A null value was found for the property named '{name}', which has the expected type '{}[Nullable=False]'. The expected type '{}[Nullable=False]' does not allow null values.",
                ty_name(ty),
                ty_name(ty)
            )))
        };
    }
    match ty {
        Ty::Bool if v.is_boolean() => Ok(()),
        Ty::Str if v.is_string() => Ok(()),
        Ty::Int if v.is_i64() => Ok(()),
        Ty::Enum(e) => match v.as_str() {
            Some(s) if e.members.contains(&s) => Ok(()),
            Some(s) => Err(GraphError::request_bad_request(format!(
                "Requested value '{s}' was not found. Property '{name}' of type 'microsoft.graph.{}' accepts: {}.",
                e.name,
                e.members.join(", ")
            ))),
            None => Err(type_error(name, ty, v)),
        },
        Ty::Flags(e) => match v.as_str() {
            Some(s) => match s.split(',').map(str::trim).find(|f| !e.members.contains(f)) {
                None => Ok(()),
                Some(f) => Err(GraphError::request_bad_request(format!(
                    "Requested value '{f}' was not found. Property '{name}' of type 'microsoft.graph.{}' accepts: {}.",
                    e.name,
                    e.members.join(", ")
                ))),
            },
            None => Err(type_error(name, ty, v)),
        },
        Ty::Obj(o) => match v.as_object() {
            Some(m) => validate_object(m, o, None),
            None => Err(type_error(name, ty, v)),
        },
        Ty::Coll(inner) => match v.as_array() {
            Some(items) => items
                .iter()
                .try_for_each(|item| validate_value(name, item, inner, false)),
            None => Err(type_error(name, ty, v)),
        },
        _ => Err(type_error(name, ty, v)),
    }
}
