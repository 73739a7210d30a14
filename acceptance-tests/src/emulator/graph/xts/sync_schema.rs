//! The job's synchronization schema: the default the service creates with the job, and the
//! checks a PUT of a whole schema passes. API-NOTES.md#xts-schema

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::emulator::graph::envelope::GraphError;
use crate::emulator::util::new_guid;

pub const RULE_NAME: &str = "USER_INBOUND_USER";
pub const SOURCE_DIRECTORY: &str = "Azure Active Directory";
pub const TARGET_DIRECTORY: &str = "Azure Active Directory (target tenant)";
pub const USER_MAPPING: &str = "Provision Microsoft Entra ID Users";
/// The matching attribute (precedence 1) no schema may change.
pub const MATCHING_TARGET: &str = "alternativeSecurityIds";
pub const MATCHING_FUNCTION: &str = "AltSecIdFromNetId";
/// The operators a scoping clause may name: the portal's list, spelled as `EQUALS` (the one
/// operator a documented answer shows) is spelled. API-NOTES.md#xts-schema-scope
pub const FILTER_OPERATORS: &[&str] = &[
    "EQUALS",
    "NOT_EQUALS",
    "IS_TRUE",
    "IS_FALSE",
    "IS_NULL",
    "IS_NOT_NULL",
    "REGEX_MATCH",
    "NOT_REGEX_MATCH",
    "GREATER_THAN",
];
/// Operators that test the attribute alone: their clause carries no values.
pub const UNARY_OPERATORS: &[&str] = &["IS_TRUE", "IS_FALSE", "IS_NULL", "IS_NOT_NULL"];

/// Attributes mapped one to one (same name in both directories), in the portal's order.
const DIRECT: &[&str] = &[
    "isSoftDeleted",
    "accountEnabled",
    "streetAddress",
    "city",
    "state",
    "postalCode",
    "country",
    "companyName",
    "department",
    "employeeId",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "mailNickname",
    "mobile",
    "telephoneNumber",
    "physicalDeliveryOfficeName",
    "userPrincipalName",
];

/// Attributes both directories define that no default mapping uses (assumed: the real
/// directories define many more; these are what overrides map in the tests).
const EXTENSION: &[&str] = &[
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "employeeType",
];

fn attribute(name: &str) -> Value {
    json!({"expression": format!("[{name}]"), "name": name, "parameters": [], "type": "Attribute"})
}

/// A constant source (`name` is the value, `expression` its quoted form).
pub fn constant(value: &str) -> Value {
    json!({"expression": format!("\"{value}\""), "name": value, "parameters": [], "type": "Constant"})
}

fn mapping(target: &str, source: Value, flow_type: &str, matching: i64) -> Value {
    json!({
        "defaultValue": null, "exportMissingReferences": false, "flowBehavior": "FlowWhenChanged",
        "flowType": flow_type, "matchingPriority": matching, "source": source,
        "targetAttributeName": target,
    })
}

fn attr_def(name: &str, ty: &str, anchor: bool) -> Value {
    json!({
        "anchor": anchor, "apiExpressions": [], "caseExact": false, "defaultValue": null,
        "flowNullValues": false, "metadata": [], "multivalued": name == MATCHING_TARGET,
        "mutability": "ReadWrite", "name": name, "referencedObjects": [], "required": false,
        "type": ty,
    })
}

fn directory(name: &str, extra: &[&str]) -> Value {
    let mut attrs = vec![attr_def("objectId", "String", true)];
    for a in DIRECT.iter().chain(extra) {
        let ty = if ["isSoftDeleted", "accountEnabled", "showInAddressList"].contains(a) {
            "Boolean"
        } else {
            "String"
        };
        attrs.push(attr_def(a, ty, false));
    }
    json!({
        "id": new_guid(), "name": name, "discoverabilities": "None", "discoveryDateTime": null,
        "readOnly": false, "version": null,
        "objects": [{"attributes": attrs, "metadata": [], "name": "User", "supportedApis": []}],
    })
}

/// The schema a new `Azure2Azure` job starts with: one rule, `USER_INBOUND_USER`, whose user
/// mapping matches on `alternativeSecurityIds` and sets `showInAddressList` (constant `True`,
/// always) and `userType` (constant `Member`, on creation only).
pub fn default_schema(job_id: &str) -> Value {
    let mut mappings = vec![mapping(
        MATCHING_TARGET,
        json!({
            "expression": "AltSecIdFromNetId([netId])", "name": MATCHING_FUNCTION, "type": "Function",
            "parameters": [{"key": "netId", "value": attribute("netId")}],
        }),
        "Always",
        1,
    )];
    for a in DIRECT {
        mappings.push(mapping(a, attribute(a), "Always", 0));
    }
    mappings.push(mapping("showInAddressList", constant("True"), "Always", 0));
    mappings.push(mapping("mail", attribute("mail"), "Always", 0));
    mappings.push(mapping("userType", constant("Member"), "ObjectAddOnly", 0));
    json!({
        "id": job_id,
        "version": "v1.2",
        "synchronizationRules": [{
            "containerFilter": null, "editable": true, "groupFilter": null, "id": new_guid(),
            "name": RULE_NAME, "priority": 1,
            "sourceDirectoryName": SOURCE_DIRECTORY, "targetDirectoryName": TARGET_DIRECTORY,
            "metadata": [
                {"key": "defaultSourceObjectMappings", "value": "[]"},
                {"key": "supportsProvisionOnDemand", "value": "true"},
            ],
            "objectMappings": [{
                "attributeMappings": mappings, "enabled": true, "flowTypes": "Add, Update, Delete",
                "metadata": [], "name": USER_MAPPING, "sourceObjectName": "User",
                "targetObjectName": "User",
                "scope": {
                    "categoryFilterGroups": [], "inputFilterGroups": [],
                    "groups": [{"name": "Filter external users", "clauses": [{
                        "operatorName": "EQUALS", "sourceOperandName": "alternativeSecurityIds",
                        "targetOperand": {"values": ["None"]},
                    }]}],
                },
            }],
        }],
        "directories": [
            directory(SOURCE_DIRECTORY, &[&["netId", "showInAddressList", "mail", "userType"][..], EXTENSION].concat()),
            directory(TARGET_DIRECTORY, &[&[MATCHING_TARGET, "showInAddressList", "mail", "userType"][..], EXTENSION].concat()),
        ],
    })
}

fn invalid(message: impl Into<String>) -> GraphError {
    // The docs name the error `schemaInvalid`; its status is assumed.
    GraphError::new(StatusCode::BAD_REQUEST, "schemaInvalid", message)
}

/// The user mappings of `schema`'s `USER_INBOUND_USER` rule.
pub fn user_mappings(schema: &Value) -> Option<&Vec<Value>> {
    schema["synchronizationRules"]
        .as_array()?
        .iter()
        .find(|r| r["name"] == RULE_NAME)?["objectMappings"]
        .as_array()?
        .iter()
        .find(|m| m["sourceObjectName"] == "User")?["attributeMappings"]
        .as_array()
}

/// The attribute names of the `User` object of directory `name` in `schema`.
fn directory_attributes(schema: &Value, name: &str) -> Vec<String> {
    schema["directories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["name"] == name)
        .flat_map(|d| d["objects"].as_array().cloned().unwrap_or_default())
        .filter(|o| o["name"] == "User")
        .flat_map(|o| o["attributes"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect()
}

/// The scoping filter groups of the user mapping of `schema`.
pub fn user_scope_groups(schema: &Value) -> Vec<Value> {
    schema["synchronizationRules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["name"] == RULE_NAME)
        .flat_map(|r| r["objectMappings"].as_array().cloned().unwrap_or_default())
        .find(|m| m["sourceObjectName"] == "User")
        .and_then(|m| m["scope"]["groups"].as_array().cloned())
        .unwrap_or_default()
}

/// Each mapping names an attribute of the target directory once, and each source an attribute
/// of the source directory (an `Attribute`), a value (a `Constant`) or an expression (a
/// `Function`); each scoping clause a source attribute, a known operator and the values the
/// operator takes. API-NOTES.md#xts-schema-mappings
fn check_mappings_and_scope(
    schema: &Value,
    directories: &Value,
    mappings: &[Value],
) -> Result<(), GraphError> {
    let (source, target) = (
        directory_attributes(directories, SOURCE_DIRECTORY),
        directory_attributes(directories, TARGET_DIRECTORY),
    );
    let mut seen = Vec::new();
    for m in mappings {
        let t = m["targetAttributeName"].as_str().unwrap_or_default();
        if !target.iter().any(|a| a == t) {
            return Err(invalid(format!(
                "The target attribute '{t}' is not defined on the User object of directory '{TARGET_DIRECTORY}'."
            )));
        }
        if seen.contains(&t) {
            return Err(invalid(format!(
                "The target attribute '{t}' is mapped more than once."
            )));
        }
        seen.push(t);
        let src = &m["source"];
        let name = src["name"].as_str().unwrap_or_default();
        match src["type"].as_str() {
            Some("Attribute") if !source.iter().any(|a| a == name) => {
                return Err(invalid(format!(
                    "The source attribute '{name}' mapped to '{t}' is not defined on the User object of directory '{SOURCE_DIRECTORY}'."
                )))
            }
            Some("Function")
                if name.is_empty() || src["expression"].as_str().unwrap_or_default().is_empty() =>
            {
                return Err(invalid(format!(
                    "The expression mapped to '{t}' needs its function name and expression."
                )))
            }
            _ => {}
        }
    }
    for g in user_scope_groups(schema) {
        let clauses = g["clauses"].as_array().cloned().unwrap_or_default();
        if g["name"].as_str().unwrap_or_default().is_empty() || clauses.is_empty() {
            return Err(invalid(
                "A scoping filter group needs a name and at least one clause.",
            ));
        }
        for c in clauses {
            let (op, attr) = (
                c["operatorName"].as_str().unwrap_or_default(),
                c["sourceOperandName"].as_str().unwrap_or_default(),
            );
            if !FILTER_OPERATORS.contains(&op) {
                return Err(invalid(format!(
                    "The scoping operator '{op}' is not supported. Supported operators: {}.",
                    FILTER_OPERATORS.join(", ")
                )));
            }
            if !source.iter().any(|a| a == attr) && attr != MATCHING_TARGET {
                return Err(invalid(format!(
                    "The scoping clause names '{attr}', which is not an attribute of the User object of directory '{SOURCE_DIRECTORY}'."
                )));
            }
            let n = c["targetOperand"]["values"].as_array().map_or(0, Vec::len);
            if UNARY_OPERATORS.contains(&op) != (n == 0) {
                return Err(invalid(format!(
                    "The scoping operator '{op}' on '{attr}' takes {} values, got {n}.",
                    if UNARY_OPERATORS.contains(&op) {
                        "no"
                    } else {
                        "one or more"
                    }
                )));
            }
        }
    }
    Ok(())
}

/// Why the service refuses `new` replacing `old` (both validated against the CSDL types).
pub fn check(old: &Value, new: &Value) -> Result<(), GraphError> {
    let ids = |s: &Value| -> Vec<Value> {
        s["synchronizationRules"]
            .as_array()
            .map(|r| r.iter().map(|r| r["id"].clone()).collect())
            .unwrap_or_default()
    };
    if ids(old) != ids(new) {
        return Err(invalid(
            "The synchronization rules of a template cannot be added, removed or renamed; send every rule of the current schema with its id.",
        ));
    }
    let Some(mappings) = user_mappings(new) else {
        return Err(invalid(format!(
            "The rule {RULE_NAME} must keep its User object mapping."
        )));
    };
    let matching: Vec<&Value> = mappings
        .iter()
        .filter(|m| m["matchingPriority"].as_i64().unwrap_or(0) != 0)
        .collect();
    let fixed = matches!(matching.as_slice(), [m]
        if m["targetAttributeName"] == MATCHING_TARGET
            && m["matchingPriority"] == 1
            && m["source"]["type"] == "Function"
            && m["source"]["name"] == MATCHING_FUNCTION);
    if !fixed {
        // Documented: the matching attribute cannot be changed, nor another one added.
        return Err(invalid(format!(
            "The matching attribute of cross-tenant synchronization cannot be changed: {MATCHING_FUNCTION}(netId) -> {MATCHING_TARGET} must be the only matching attribute, with precedence 1."
        )));
    }
    // A schema sent without its directories keeps the current ones (assumed).
    let directories = if new["directories"].is_array() {
        new
    } else {
        old
    };
    check_mappings_and_scope(new, directories, mappings)?;
    for m in mappings {
        let constant = (m["source"]["type"] == "Constant").then(|| m["source"]["name"].as_str());
        match (m["targetAttributeName"].as_str(), constant) {
            (Some("userType"), Some(v)) if !matches!(v, Some("Member" | "Guest")) => {
                return Err(invalid(format!(
                    "The constant {} mapped to userType is not valid: use Member or Guest.",
                    m["source"]["name"]
                )))
            }
            (Some("showInAddressList"), Some(v))
                if !v.is_some_and(|v| {
                    v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
                }) =>
            {
                return Err(invalid(format!(
                    "The constant {} mapped to showInAddressList is not a Boolean.",
                    m["source"]["name"]
                )))
            }
            _ => {}
        }
    }
    Ok(())
}
