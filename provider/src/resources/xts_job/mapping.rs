//! What the resource manages inside the job's synchronization schema, all in the user object
//! mapping of the `USER_INBOUND_USER` rule: the constants mapped to `userType` and
//! `showInAddressList`, the `attribute_mappings` it names (by target attribute) and the
//! `scoping_filters` it names (filter groups, by name). `PUT .../schema` replaces the whole
//! schema, so a write is a read-modify-write that changes exactly these and leaves every other
//! mapping and group (the matching attribute above all: changing it is a `schemaInvalid`
//! error) as it was. A mapping or group no longer named gets the template's back (read from
//! `GET .../templates/Azure2Azure/schema`), or goes when the template has none.
//! API-NOTES.md#xts-schema-mappings

use super::model::{AttributeMapping, ScopingClause, ScopingFilter, XtsJob};
use serde_json::{json, Value as Json};

/// Targets `attribute_mappings` may not name: the two with their own attributes, and the
/// matching attribute no schema may change.
pub const RESERVED_TARGETS: &[&str] = &["userType", "showInAddressList", MATCHING_TARGET];
/// The matching attribute of cross-tenant synchronization (precedence 1, not changeable).
pub const MATCHING_TARGET: &str = "alternativeSecurityIds";

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

/// Why a schema cannot carry the mappings.
#[derive(Debug, PartialEq)]
pub struct NoUserMapping;

/// The user object mapping of `schema`, to change in place.
fn user_mapping_mut(out: &mut Json) -> Result<&mut Json, NoUserMapping> {
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
    rule.get_mut("objectMappings")
        .and_then(Json::as_array_mut)
        .and_then(|ms| ms.iter_mut().find(|m| is_user_mapping(m)))
        .ok_or(NoUserMapping)
}

/// `schema` as read, OData annotations dropped (they describe the answer, not the entity).
fn entity(schema: &Json) -> Json {
    let mut out = schema.clone();
    if let Some(m) = out.as_object_mut() {
        m.retain(|k, _| !k.starts_with("@odata."));
    }
    out
}

/// The schema to PUT: `schema` as read with the `userType` constant (flow type `Always`, so
/// users already in the target tenant as guests are converted too), the `showInAddressList`
/// constant, the named `attribute_mappings` and `scoping_filters` of `new` set, and those
/// `old` named that `new` does not restored from `template` (or removed when it has none).
/// Every other part of the schema is sent back as it was read.
pub fn desired_schema(
    schema: &Json,
    new: &XtsJob,
    old: Option<&XtsJob>,
    template: Option<&Json>,
) -> Result<Json, NoUserMapping> {
    let mut out = entity(schema);
    let mapping = user_mapping_mut(&mut out)?;
    if !mapping.get("attributeMappings").is_some_and(Json::is_array) {
        mapping["attributeMappings"] = json!([]);
    }
    let attrs = mapping["attributeMappings"]
        .as_array_mut()
        .ok_or(NoUserMapping)?;
    set_constant(
        attrs,
        "userType",
        new.user_type_or_default(),
        Some("Always"),
    );
    set_constant(
        attrs,
        "showInAddressList",
        if new.show_in_address_list_or_default() {
            "True"
        } else {
            "False"
        },
        None,
    );
    let named = new.attribute_mappings.clone().unwrap_or_default();
    for gone in old
        .and_then(|o| o.attribute_mappings.as_ref())
        .into_iter()
        .flatten()
        .filter(|o| {
            !named
                .iter()
                .any(|n| n.target_attribute == o.target_attribute)
        })
    {
        let t = gone.target_attribute.as_str();
        attrs.retain(|a| target_of(a) != Some(t));
        if let Some(d) = template.and_then(|tm| template_mapping(tm, t)) {
            attrs.push(d);
        }
    }
    for m in &named {
        set_mapping(attrs, m);
    }

    let filters = new.scoping_filters.clone().unwrap_or_default();
    let old_filters = old
        .and_then(|o| o.scoping_filters.clone())
        .unwrap_or_default();
    if filters.is_empty() && old_filters.is_empty() {
        return Ok(out);
    }
    if !mapping.get("scope").is_some_and(Json::is_object) {
        mapping["scope"] =
            json!({"categoryFilterGroups": [], "inputFilterGroups": [], "groups": []});
    }
    if !mapping["scope"].get("groups").is_some_and(Json::is_array) {
        mapping["scope"]["groups"] = json!([]);
    }
    let groups = mapping["scope"]["groups"]
        .as_array_mut()
        .ok_or(NoUserMapping)?;
    for gone in old_filters
        .iter()
        .filter(|o| !filters.iter().any(|f| f.name == o.name))
    {
        groups.retain(|g| group_name(g) != Some(gone.name.as_str()));
        if let Some(d) = template.and_then(|tm| template_group(tm, &gone.name)) {
            groups.push(d);
        }
    }
    for f in &filters {
        let g = group_json(f);
        match groups
            .iter_mut()
            .find(|x| group_name(x) == Some(f.name.as_str()))
        {
            Some(x) => *x = g,
            None => groups.push(g),
        }
    }
    Ok(out)
}

/// Whether `schema` already holds what [`desired_schema`] would write (then no PUT is needed).
pub fn holds(schema: &Json, desired: &Json) -> bool {
    &entity(schema) == desired
}

/// Whether a write from `old` to `new` takes a mapping or a group away (then the template's
/// schema is needed to restore its default).
pub fn removes_something(old: &XtsJob, new: &XtsJob) -> bool {
    let named = |m: &XtsJob| -> Vec<String> {
        m.attribute_mappings
            .iter()
            .flatten()
            .map(|a| a.target_attribute.clone())
            .collect()
    };
    let groups = |m: &XtsJob| -> Vec<String> {
        m.scoping_filters
            .iter()
            .flatten()
            .map(|f| f.name.clone())
            .collect()
    };
    let (nn, ng) = (named(new), groups(new));
    named(old).iter().any(|t| !nn.contains(t)) || groups(old).iter().any(|g| !ng.contains(g))
}

fn target_of(a: &Json) -> Option<&str> {
    a.get("targetAttributeName").and_then(Json::as_str)
}

fn group_name(g: &Json) -> Option<&str> {
    g.get("name").and_then(Json::as_str)
}

fn template_mapping(template: &Json, target: &str) -> Option<Json> {
    user_mapping(template)?
        .get("attributeMappings")?
        .as_array()?
        .iter()
        .find(|a| target_of(a) == Some(target))
        .cloned()
}

fn template_group(template: &Json, name: &str) -> Option<Json> {
    scope_groups(template)
        .into_iter()
        .find(|g| group_name(g) == Some(name))
}

fn scope_groups(schema: &Json) -> Vec<Json> {
    user_mapping(schema)
        .and_then(|m| m.get("scope"))
        .and_then(|s| s.get("groups"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The `attributeMappingSource` of a mapping: an attribute by name (`[name]`), a constant, or
/// a function by its expression (the function's name is the expression's head; its
/// parameters the service derives from the expression: assumed, API-NOTES.md#xts-schema-mappings).
pub fn source_json(source_type: &str, source: &str) -> Json {
    match source_type {
        "Constant" => constant_source(source),
        "Function" => json!({
            "expression": source,
            "name": source.split('(').next().unwrap_or_default().trim(),
            "parameters": [],
            "type": "Function",
        }),
        _ => json!({
            "expression": format!("[{source}]"),
            "name": source,
            "parameters": [],
            "type": "Attribute",
        }),
    }
}

/// (source type, source) of a live `attributeMappingSource`, as the model spells them.
fn source_of(src: &Json) -> (String, String) {
    let s = |k: &str| src.get(k).and_then(Json::as_str).unwrap_or_default();
    let ty = s("type").to_string();
    let value = match ty.as_str() {
        "Function" => s("expression").to_string(),
        "Constant" if s("name").is_empty() => s("expression").trim_matches('"').to_string(),
        _ => s("name").to_string(),
    };
    (ty, value)
}

/// Sets the mapping of `m.target_attribute`, keeping the live mapping's other fields.
fn set_mapping(attrs: &mut Vec<Json>, m: &AttributeMapping) {
    let source = source_json(&m.source_type, &m.source);
    let flow = m.flow_type.as_str();
    // Never a matching attribute: the service refuses any but alternativeSecurityIds.
    let priority = 0;
    if let Some(a) = attrs
        .iter_mut()
        .find(|a| target_of(a) == Some(m.target_attribute.as_str()))
    {
        a["source"] = source;
        a["flowType"] = json!(flow);
        a["matchingPriority"] = json!(priority);
        return;
    }
    attrs.push(json!({
        "defaultValue": null,
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": flow,
        "matchingPriority": priority,
        "source": source,
        "targetAttributeName": m.target_attribute,
    }));
}

fn group_json(f: &ScopingFilter) -> Json {
    json!({
        "name": f.name,
        "clauses": f.clauses.iter().map(|c| json!({
            "operatorName": c.operator,
            "sourceOperandName": c.attribute,
            "targetOperand": {"values": c.values},
        })).collect::<Vec<_>>(),
    })
}

/// A live mapping as the model spells it.
fn mapping_of(a: &Json) -> AttributeMapping {
    let (source_type, source) = source_of(a.get("source").unwrap_or(&Json::Null));
    AttributeMapping {
        target_attribute: target_of(a).unwrap_or_default().to_string(),
        source_type,
        source,
        flow_type: a
            .get("flowType")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
    }
}

fn filter_of(g: &Json) -> ScopingFilter {
    let clauses = g
        .get("clauses")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    ScopingFilter {
        name: group_name(g).unwrap_or_default().to_string(),
        clauses: clauses
            .iter()
            .map(|c| {
                let values: Vec<String> = c
                    .get("targetOperand")
                    .and_then(|o| o.get("values"))
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                ScopingClause {
                    attribute: c
                        .get("sourceOperandName")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    operator: c
                        .get("operatorName")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    values,
                }
            })
            .collect(),
    }
}

/// `attribute_mappings` as read. With the state's entries (`prior`): the live mapping of each
/// target they name, in their order (a target whose mapping is gone drops out: drift). Without
/// (an import): every mapping, reserved targets aside, that `template` does not hold as is.
pub fn read_mappings(
    schema: &Json,
    prior: Option<&[AttributeMapping]>,
    template: Option<&Json>,
) -> Vec<AttributeMapping> {
    let live: Vec<Json> = user_mapping(schema)
        .and_then(|m| m.get("attributeMappings"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    match prior {
        Some(prior) => prior
            .iter()
            .filter_map(|p| {
                live.iter()
                    .find(|a| target_of(a) == Some(p.target_attribute.as_str()))
                    .map(mapping_of)
            })
            .collect(),
        None => live
            .iter()
            .filter(|a| !RESERVED_TARGETS.contains(&target_of(a).unwrap_or_default()))
            .filter(|a| {
                let t = target_of(a).unwrap_or_default();
                template
                    .and_then(|tm| template_mapping(tm, t))
                    .is_none_or(|d| mapping_of(&d) != mapping_of(a))
            })
            .map(mapping_of)
            .collect(),
    }
}

/// `scoping_filters` as read: the live groups `prior` names, in its order; without (an
/// import), every group `template` does not hold as is.
pub fn read_filters(
    schema: &Json,
    prior: Option<&[ScopingFilter]>,
    template: Option<&Json>,
) -> Vec<ScopingFilter> {
    let live = scope_groups(schema);
    match prior {
        Some(prior) => prior
            .iter()
            .filter_map(|p| {
                live.iter()
                    .find(|g| group_name(g) == Some(p.name.as_str()))
                    .map(filter_of)
            })
            .collect(),
        None => live
            .iter()
            .filter(|g| {
                template
                    .and_then(|tm| template_group(tm, group_name(g).unwrap_or_default()))
                    .is_none_or(|d| filter_of(&d) != filter_of(g))
            })
            .map(filter_of)
            .collect(),
    }
}

/// The schema with only the two constants set (the tests' shorthand for [`desired_schema`]).
#[cfg(test)]
pub fn with_mappings(
    schema: &Json,
    user_type: &str,
    show_in_address_list: bool,
) -> Result<Json, NoUserMapping> {
    let m = XtsJob {
        user_type: Some(user_type.into()),
        show_in_address_list: Some(show_in_address_list),
        ..XtsJob::default()
    };
    desired_schema(schema, &m, None, None)
}

/// Whether the schema holds the two constants as [`with_mappings`] writes them.
#[cfg(test)]
pub fn has_mappings(schema: &Json, user_type: &str, show_in_address_list: bool) -> bool {
    with_mappings(schema, user_type, show_in_address_list).is_ok_and(|d| holds(schema, &d))
}
