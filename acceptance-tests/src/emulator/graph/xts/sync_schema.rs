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
            directory(SOURCE_DIRECTORY, &["netId", "showInAddressList", "mail", "userType"]),
            directory(TARGET_DIRECTORY, &[MATCHING_TARGET, "showInAddressList", "mail", "userType"]),
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
