//! The two attribute mappings the resource manages inside the job's synchronization schema:
//! the constants mapped to `userType` and `showInAddressList` in the user object mapping of the
//! `USER_INBOUND_USER` rule. `PUT .../schema` replaces the whole schema, so an update is a
//! read-modify-write that changes exactly these two mappings and leaves every other mapping
//! (the matching attribute above all: changing it is a `schemaInvalid` error) as it was.

use serde_json::{json, Value as Json};

/// The rule cross-tenant synchronization uses for users (API-NOTES.md#xts-schema).
pub const USER_RULE: &str = "USER_INBOUND_USER";

/// The user object mapping of the user rule (the `User` → `User` mapping of `USER_INBOUND_USER`,
/// or of the only rule when the service names it differently).
fn user_mapping(schema: &Json) -> Option<&Json> {
    let rules = schema.get("synchronizationRules")?.as_array()?;
    let rule = rules
        .iter()
        .find(|r| r.get("name").and_then(Json::as_str) == Some(USER_RULE))
        .or_else(|| (rules.len() == 1).then(|| &rules[0]))?;
    rule.get("objectMappings")?
        .as_array()?
        .iter()
        .find(|m| is_user_mapping(m))
}

fn is_user_mapping(m: &Json) -> bool {
    m.get("sourceObjectName").and_then(Json::as_str) == Some("User")
        && m.get("targetObjectName").and_then(Json::as_str) == Some("User")
}

/// The constant a mapping of `target` holds, `None` when the mapping is missing or not a
/// constant (an attribute or expression mapped instead: drift the plan then shows).
fn constant(schema: &Json, target: &str) -> Option<String> {
    let mapping = user_mapping(schema)?
        .get("attributeMappings")?
        .as_array()?
        .iter()
        .find(|a| a.get("targetAttributeName").and_then(Json::as_str) == Some(target))?;
    let source = mapping.get("source")?;
    if source.get("type").and_then(Json::as_str) != Some("Constant") {
        return None;
    }
    // A constant source carries its value in `name`; `expression` quotes it ("\"Member\"").
    source
        .get("name")
        .and_then(Json::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| {
            source
                .get("expression")
                .and_then(Json::as_str)
                .map(|e| e.trim_matches('"').to_string())
        })
}

/// `user_type` as read: the constant mapped to `userType`.
pub fn user_type(schema: &Json) -> Option<String> {
    constant(schema, "userType")
}

/// `show_in_address_list` as read: the constant mapped to `showInAddressList` (`True`/`False`,
/// any case).
pub fn show_in_address_list(schema: &Json) -> Option<bool> {
    match constant(schema, "showInAddressList")?
        .to_ascii_lowercase()
        .as_str()
    {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn constant_source(value: &str) -> Json {
    json!({
        "expression": format!("\"{value}\""),
        "name": value,
        "parameters": [],
        "type": "Constant",
    })
}

/// Sets `target` to the constant `value` in `mappings`, keeping the mapping's other fields;
/// `flow_type` overrides its flow type. A missing mapping is added with the defaults Graph
/// gives an attribute mapping.
fn set_constant(mappings: &mut Vec<Json>, target: &str, value: &str, flow_type: Option<&str>) {
    let source = constant_source(value);
    if let Some(m) = mappings
        .iter_mut()
        .find(|a| a.get("targetAttributeName").and_then(Json::as_str) == Some(target))
    {
        m["source"] = source;
        if let Some(f) = flow_type {
            m["flowType"] = json!(f);
        }
        return;
    }
    mappings.push(json!({
        "defaultValue": null,
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": flow_type.unwrap_or("Always"),
        "matchingPriority": 0,
        "source": source,
        "targetAttributeName": target,
    }));
}

/// Why a schema cannot carry the two mappings.
#[derive(Debug, PartialEq)]
pub struct NoUserMapping;

/// The schema to PUT: `schema` as read (OData annotations dropped: they describe the answer,
/// not the entity) with the `userType` constant (flow type `Always`, so users already in the
/// target tenant as guests are converted too) and the `showInAddressList` constant set. Every
/// other part of the schema is sent back as it was read.
pub fn with_mappings(
    schema: &Json,
    user_type: &str,
    show_in_address_list: bool,
) -> Result<Json, NoUserMapping> {
    let mut out = schema.clone();
    if let Some(m) = out.as_object_mut() {
        m.retain(|k, _| !k.starts_with("@odata."));
    }
    let rules = out
        .get_mut("synchronizationRules")
        .and_then(Json::as_array_mut)
        .ok_or(NoUserMapping)?;
    let n = rules.len();
    let rule = rules
        .iter_mut()
        .enumerate()
        .find(|(i, r)| {
            r.get("name").and_then(Json::as_str) == Some(USER_RULE) || (n == 1 && *i == 0)
        })
        .map(|(_, r)| r)
        .ok_or(NoUserMapping)?;
    let mapping = rule
        .get_mut("objectMappings")
        .and_then(Json::as_array_mut)
        .and_then(|ms| ms.iter_mut().find(|m| is_user_mapping(m)))
        .ok_or(NoUserMapping)?;
    if !mapping.get("attributeMappings").is_some_and(Json::is_array) {
        mapping["attributeMappings"] = json!([]);
    }
    let attrs = mapping["attributeMappings"]
        .as_array_mut()
        .ok_or(NoUserMapping)?;
    set_constant(attrs, "userType", user_type, Some("Always"));
    set_constant(
        attrs,
        "showInAddressList",
        if show_in_address_list {
            "True"
        } else {
            "False"
        },
        None,
    );
    Ok(out)
}

/// Whether the schema already holds what [`with_mappings`] would write (then no PUT is needed).
pub fn has_mappings(schema: &Json, user_type: &str, show_in_address_list: bool) -> bool {
    let flow_always = user_mapping(schema)
        .and_then(|m| m.get("attributeMappings"))
        .and_then(Json::as_array)
        .and_then(|a| {
            a.iter()
                .find(|x| x.get("targetAttributeName").and_then(Json::as_str) == Some("userType"))
        })
        .and_then(|x| x.get("flowType"))
        .and_then(Json::as_str)
        == Some("Always");
    flow_always
        && self::user_type(schema).as_deref() == Some(user_type)
        && self::show_in_address_list(schema) == Some(show_in_address_list)
}
