//! The `CmdletInput` envelope of `InvokeCommand` and cmdlet parameter schemas.
//!
//! Body: `{"CmdletInput": {"CmdletName": "<Verb-Noun>", "Parameters": {...}}}`
//! (API-NOTES.md#exchange-invokecommand). Strict on purpose: any other member, a missing or
//! non-string `CmdletName`, non-object `Parameters`, an unknown or mis-cased parameter, a wrong
//! JSON type, an enum value outside the documented ones or a missing required parameter is a
//! 400 naming the parameter (API-NOTES.md#exchange-parameters).

use axum::response::Response;
use serde_json::{Map, Value};

use super::envelope::ExchangeError;
use crate::emulator::pipeline::RequestCtx;
use crate::emulator::state::Shared;

/// A parameter's type as the REST envelope carries it.
#[derive(Debug)]
pub enum PTy {
    Str,
    Bool,
    /// `MultiValuedProperty`: a JSON array of strings.
    Multi,
    /// A string out of the documented values (matched exactly: API-NOTES.md#exchange-parameters).
    Enum(&'static [&'static str]),
    /// A flags enum: one or more of the documented values in one string, comma-separated
    /// (`"Inbound, RemoteOutbound"`, as .NET prints and parses a flags enum:
    /// API-NOTES.md#exchange-orgrel-mailbox-move).
    Flags(&'static [&'static str]),
}

/// The members of a flags value (`"Inbound, RemoteOutbound"`), trimmed.
pub fn flag_members(s: &str) -> Vec<&str> {
    s.split(',').map(str::trim).collect()
}

#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: PTy,
    pub required: bool,
    /// Whether JSON `null` (`$null`) is accepted: it clears an optional string, list or enum
    /// property; a required parameter, a Boolean and the parameters made with
    /// [`Param::not_null`] refuse it.
    pub nullable: bool,
}

impl Param {
    pub const fn optional(name: &'static str, ty: PTy) -> Param {
        Param {
            name,
            nullable: !matches!(ty, PTy::Bool),
            ty,
            required: false,
        }
    }
    pub const fn required(name: &'static str, ty: PTy) -> Param {
        Param {
            name,
            ty,
            required: true,
            nullable: false,
        }
    }
    /// Optional, but never `$null`: a property that must always hold a value (the `Name` and
    /// `DomainNames` of `Set-OrganizationRelationship`).
    pub const fn not_null(name: &'static str, ty: PTy) -> Param {
        Param {
            name,
            ty,
            required: false,
            nullable: false,
        }
    }
    /// A switch (`-Confirm`, `-WhatIf`, `-Force`): JSON `true` or `false`.
    pub const fn switch(name: &'static str) -> Param {
        Param::optional(name, PTy::Bool)
    }
}

/// What a cmdlet handler gets: the shared state, the request and its validated parameters.
pub struct Invocation<'a> {
    pub st: &'a Shared,
    pub ctx: &'a RequestCtx,
    pub params: &'a Map<String, Value>,
    /// `$select` of the request (`None` = every property).
    pub select: Option<Vec<String>>,
}

impl Invocation<'_> {
    /// `-WhatIf`: the cmdlet checks everything and changes nothing (the reference's WhatIf
    /// switch, "shows what the command does without making any changes").
    pub fn what_if(&self) -> bool {
        self.params.get("WhatIf") == Some(&Value::Bool(true))
    }
}

/// The switches a New, Set or Remove takes besides its own parameters, which never change the
/// object: `-Confirm` (no prompt over REST), `-WhatIf` and `-Force` (no warning to hide over
/// REST) (API-NOTES.md#exchange-common-switches).
pub const SWITCHES: &[&str] = &["Confirm", "WhatIf", "Force"];

/// One emulated cmdlet.
pub struct Cmdlet {
    pub name: &'static str,
    pub params: &'static [Param],
    pub run: fn(&Invocation<'_>) -> Result<Response, ExchangeError>,
}

/// The cmdlet name and parameters of an `InvokeCommand` body.
pub fn parse_input(body: Option<&Value>) -> Result<(String, Map<String, Value>), ExchangeError> {
    let invalid = |msg: &str| ExchangeError::bad_input(msg.to_string());
    let Some(Value::Object(top)) = body else {
        return Err(invalid(
            "The request body must be a JSON object with a 'CmdletInput' member.",
        ));
    };
    if let Some(k) = top.keys().find(|k| *k != "CmdletInput") {
        return Err(invalid(&format!(
            "Unexpected member '{k}' in the request body; only 'CmdletInput' is allowed."
        )));
    }
    let Some(Value::Object(input)) = top.get("CmdletInput") else {
        return Err(invalid("'CmdletInput' must be a JSON object."));
    };
    if let Some(k) = input
        .keys()
        .find(|k| !["CmdletName", "Parameters"].contains(&k.as_str()))
    {
        return Err(invalid(&format!(
            "Unexpected member '{k}' in 'CmdletInput'; allowed: CmdletName, Parameters."
        )));
    }
    let name = match input.get("CmdletName") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => {
            return Err(invalid(
                "'CmdletInput.CmdletName' must be a non-empty string.",
            ))
        }
    };
    let params = match input.get("Parameters") {
        None => Map::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => return Err(invalid("'CmdletInput.Parameters' must be a JSON object.")),
    };
    Ok((name, params))
}

/// Validates `params` against the cmdlet's parameter schema.
pub fn validate(cmdlet: &Cmdlet, params: &Map<String, Value>) -> Result<(), ExchangeError> {
    for (name, value) in params {
        let Some(p) = cmdlet.params.iter().find(|p| p.name == name) else {
            return Err(ExchangeError::parameter(
                name,
                format!("A parameter cannot be found that matches parameter name '{name}'."),
            ));
        };
        // (A Boolean's `null` is answered below, as a type error.)
        if value.is_null() && !p.nullable && !matches!(p.ty, PTy::Bool) {
            return Err(ExchangeError::parameter(
                name,
                format!("Cannot bind argument to parameter '{name}' because it is null."),
            ));
        }
        let ok = match (&p.ty, value) {
            (PTy::Str, Value::String(_)) | (PTy::Bool, Value::Bool(_)) => true,
            (PTy::Bool, Value::Null) => false,
            // `-Comment $null` clears a string, list or enum property; a Boolean has no null
            // (API-NOTES.md#exchange-parameters).
            (_, Value::Null) => true,
            // A multi-valued property is emptied with `$null`, never an empty list
            // (API-NOTES.md#exchange-clear-list).
            (PTy::Multi, Value::Array(items)) if items.is_empty() => {
                return Err(ExchangeError::parameter(
                    name,
                    format!("Cannot validate argument on parameter '{name}'. The argument is null, empty, or an element of the argument collection contains a null value. Supply a collection that does not contain any null values and then try the command again. To clear the property, pass $null."),
                ));
            }
            (PTy::Multi, Value::Array(items)) => items.iter().all(Value::is_string),
            (PTy::Flags(members), Value::String(s)) => {
                if let Some(bad) = flag_members(s).into_iter().find(|m| !members.contains(m)) {
                    return Err(ExchangeError::parameter(
                        name,
                        format!(
                            "Cannot process argument transformation on parameter '{name}'. Cannot convert value \"{bad}\" to an allowed value. Specify one of the following enumerator names and try again: {}",
                            members.join(", ")
                        ),
                    ));
                }
                true
            }
            (PTy::Enum(members), Value::String(s)) => {
                if !members.contains(&s.as_str()) {
                    return Err(ExchangeError::parameter(
                        name,
                        format!(
                            "Cannot process argument transformation on parameter '{name}'. Cannot convert value \"{s}\" to an allowed value. Specify one of the following enumerator names and try again: {}",
                            members.join(", ")
                        ),
                    ));
                }
                true
            }
            _ => false,
        };
        if !ok {
            return Err(ExchangeError::parameter(
                name,
                format!(
                    "Cannot process argument transformation on parameter '{name}'. Cannot convert the value {value} to type {}.",
                    match p.ty {
                        PTy::Str | PTy::Enum(_) | PTy::Flags(_) => "System.String",
                        PTy::Bool => "System.Boolean",
                        PTy::Multi => "Microsoft.Exchange.Data.MultiValuedProperty",
                    }
                ),
            ));
        }
    }
    if let Some(p) = cmdlet
        .params
        .iter()
        .find(|p| p.required && !params.contains_key(p.name))
    {
        return Err(ExchangeError::parameter(
            p.name,
            format!(
                "Cannot process command because of one or more missing mandatory parameters: {}.",
                p.name
            ),
        ));
    }
    Ok(())
}

/// Projects result objects onto `$select` (`None` = every property).
pub fn project(objects: Vec<Value>, select: &Option<Vec<String>>) -> Vec<Value> {
    match select {
        None => objects,
        Some(names) => objects
            .into_iter()
            .map(|o| match o {
                Value::Object(m) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| names.iter().any(|n| n == k))
                        .collect(),
                ),
                other => other,
            })
            .collect(),
    }
}
