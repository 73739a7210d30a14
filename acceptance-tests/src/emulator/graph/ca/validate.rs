//! What a Conditional Access policy body must be (API-NOTES.md#ca-1007), and the shape the
//! service stores it in (API-NOTES.md#ca-normalisation).

use serde_json::{json, Map, Value};

use super::types::{GUEST_TYPES, POLICY};
use crate::emulator::graph::envelope::GraphError;
use crate::emulator::graph::schema::{validate_body, Op};
use crate::emulator::util::is_guid;

/// Graph's answer to any policy body that does not match the schema (API-NOTES.md#ca-1007).
pub const MSG_1007: &str = "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.";

pub const ALL_TENANTS: &str = "#microsoft.graph.conditionalAccessAllExternalTenants";
pub const ENUMERATED_TENANTS: &str = "#microsoft.graph.conditionalAccessEnumeratedExternalTenants";

/// The keywords `includeApplications` / `excludeApplications` take besides application ids.
const APP_KEYWORDS: &[&str] = &["All", "None", "Office365", "MicrosoftAdminPortals"];
/// The keywords of `includeUsers` / `excludeUsers` besides user ids.
const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers"];

pub fn err_1007(why: &str) -> GraphError {
    tracing::debug!(why, "conditional access policy refused with 1007");
    GraphError::bad_request(MSG_1007)
}

/// Validates a POST (`Op::Create`) or PATCH body. Every refusal is the documented 1007; the
/// emulator logs why at debug level.
pub fn validate_policy(body: &Map<String, Value>, op: Op) -> Result<(), GraphError> {
    let mut plain = body.clone();
    let users = plain
        .get_mut("conditions")
        .and_then(|c| c.get_mut("users"))
        .and_then(Value::as_object_mut);
    if let Some(users) = users {
        check_keyword_mix(users)?;
        for side in [
            "includeGuestsOrExternalUsers",
            "excludeGuestsOrExternalUsers",
        ] {
            if let Some(Value::Object(g)) = users.get_mut(side) {
                let tenants = g.remove("externalTenants");
                check_guests(g, tenants.as_ref())?;
            }
        }
        for list in ["includeUsers", "excludeUsers"] {
            check_ids(users.get(list), USER_KEYWORDS, list)?;
        }
    }
    if let Some(apps) = plain.get("conditions").and_then(|c| c.get("applications")) {
        for list in ["includeApplications", "excludeApplications"] {
            check_ids(apps.get(list), APP_KEYWORDS, list)?;
        }
    }
    validate_body(&plain, &POLICY, op).map_err(|e| err_1007(&e.message))?;
    if let Some(Value::Object(g)) = plain.get("grantControls") {
        check_grant(g)?;
    }
    if op == Op::Create {
        for k in ["displayName", "state", "conditions"] {
            if body.get(k).is_none_or(Value::is_null) {
                return Err(err_1007(&format!("{k} is required")));
            }
        }
        if !has_a_rule(body) {
            return Err(err_1007(
                "a policy needs an application rule, a user rule, or a grant or session control",
            ));
        }
    }
    Ok(())
}

/// The legacy keyword cannot be combined with the guests objects (azuread #1196).
fn check_keyword_mix(users: &Map<String, Value>) -> Result<(), GraphError> {
    let keyword = ["includeUsers", "excludeUsers"].iter().any(|k| {
        users
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "GuestsOrExternalUsers"))
    });
    let object = [
        "includeGuestsOrExternalUsers",
        "excludeGuestsOrExternalUsers",
    ]
    .iter()
    .any(|k| users.get(*k).is_some_and(|v| !v.is_null()));
    if keyword && object {
        return Err(err_1007(
            "'GuestsOrExternalUsers' cannot be combined with guestOrExternalUsers",
        ));
    }
    Ok(())
}

/// `guestOrExternalUserTypes` (a comma-separated flags string) and the abstract
/// `externalTenants`, told apart by its `@odata.type` (required: azuread #1555).
fn check_guests(g: &Map<String, Value>, tenants: Option<&Value>) -> Result<(), GraphError> {
    let types = match g.get("guestOrExternalUserTypes") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err(err_1007("guestOrExternalUserTypes is required")),
    };
    let flags: Vec<&str> = types.split(',').map(str::trim).collect();
    if flags.iter().any(|f| !GUEST_TYPES.contains(f)) {
        return Err(err_1007(&format!("guestOrExternalUserTypes {types:?}")));
    }
    let Some(t) = tenants.filter(|t| !t.is_null()) else {
        return Ok(());
    };
    if flags == ["none"] {
        return Err(err_1007(
            "externalTenants needs guestOrExternalUserTypes other than none",
        ));
    }
    let Some(t) = t.as_object() else {
        return Err(err_1007("externalTenants is not an object"));
    };
    let kind = t.get("membershipKind").and_then(Value::as_str);
    match (t.get("@odata.type").and_then(Value::as_str), kind) {
        (Some(ALL_TENANTS), Some("all")) => {
            if t.keys()
                .any(|k| k != "@odata.type" && k != "membershipKind")
            {
                return Err(err_1007("all external tenants take no members"));
            }
        }
        (Some(ENUMERATED_TENANTS), Some("enumerated")) => {
            if t.keys()
                .any(|k| !["@odata.type", "membershipKind", "members"].contains(&k.as_str()))
            {
                return Err(err_1007("unknown property of enumerated external tenants"));
            }
            let ok = t.get("members").and_then(Value::as_array).is_some_and(|m| {
                !m.is_empty() && m.iter().all(|x| x.as_str().is_some_and(is_guid))
            });
            if !ok {
                return Err(err_1007("members must be tenant GUIDs"));
            }
        }
        (None, _) => return Err(err_1007("externalTenants without @odata.type")),
        _ => return Err(err_1007("externalTenants @odata.type / membershipKind")),
    }
    Ok(())
}

fn check_ids(list: Option<&Value>, keywords: &[&str], what: &str) -> Result<(), GraphError> {
    let Some(items) = list.and_then(Value::as_array) else {
        return Ok(());
    };
    for v in items {
        let ok = v
            .as_str()
            .is_some_and(|s| is_guid(s) || keywords.iter().any(|k| k.eq_ignore_ascii_case(s)));
        if !ok {
            return Err(err_1007(&format!(
                "{what}: {v} is neither an id nor a keyword"
            )));
        }
    }
    Ok(())
}

fn check_grant(g: &Map<String, Value>) -> Result<(), GraphError> {
    match g.get("operator") {
        None | Some(Value::Null) => {}
        Some(Value::String(o)) if o == "AND" || o == "OR" => {}
        Some(o) => return Err(err_1007(&format!("operator {o}"))),
    }
    let controls = g
        .get("builtInControls")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // Assumed: block cannot be combined with the controls that grant access.
    if controls.len() > 1 && controls.iter().any(|c| c == "block") {
        return Err(err_1007("block cannot be combined with other controls"));
    }
    Ok(())
}

fn non_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => m.values().any(|x| non_empty(Some(x))),
        Some(_) => true,
    }
}

/// An application rule, a user rule, or a grant / session control (API-NOTES.md#ca-1007).
fn has_a_rule(body: &Map<String, Value>) -> bool {
    let c = body.get("conditions");
    non_empty(c.and_then(|c| c.get("applications")))
        || non_empty(c.and_then(|c| c.get("users")))
        || non_empty(body.get("grantControls"))
        || non_empty(body.get("sessionControls"))
}

// ---- the stored shape -----------------------------------------------------------------------

/// Fills `m`'s missing members: `collections` as `[]`, `nulls` as `null`.
fn fill(m: &mut Map<String, Value>, collections: &[&str], nulls: &[&str]) {
    for k in collections {
        m.entry(k.to_string()).or_insert_with(|| json!([]));
    }
    for k in nulls {
        m.entry(k.to_string()).or_insert(Value::Null);
    }
}

fn fill_obj(parent: &mut Map<String, Value>, key: &str, collections: &[&str], nulls: &[&str]) {
    match parent.get_mut(key) {
        Some(Value::Object(m)) => fill(m, collections, nulls),
        Some(_) => {}
        None => {
            parent.insert(key.to_string(), Value::Null);
        }
    }
}

/// The policy as the service stores and returns it (API-NOTES.md#ca-normalisation): omitted
/// collections `[]`, omitted complex properties `null`, `clientAppTypes` `["all"]`.
pub fn normalize(policy: &mut Map<String, Value>) {
    fill(
        policy,
        &[],
        &[
            "description",
            "grantControls",
            "sessionControls",
            "templateId",
        ],
    );
    if let Some(Value::Object(c)) = policy.get_mut("conditions") {
        c.entry("clientAppTypes").or_insert_with(|| json!(["all"]));
        fill(
            c,
            &[
                "signInRiskLevels",
                "userRiskLevels",
                "servicePrincipalRiskLevels",
            ],
            &["insiderRiskLevels", "authenticationFlows"],
        );
        fill_obj(
            c,
            "applications",
            &[
                "includeApplications",
                "excludeApplications",
                "includeUserActions",
                "includeAuthenticationContextClassReferences",
            ],
            &["applicationFilter"],
        );
        fill_obj(
            c,
            "users",
            &[
                "includeUsers",
                "excludeUsers",
                "includeGroups",
                "excludeGroups",
                "includeRoles",
                "excludeRoles",
            ],
            &[
                "includeGuestsOrExternalUsers",
                "excludeGuestsOrExternalUsers",
            ],
        );
        fill_obj(
            c,
            "platforms",
            &["includePlatforms", "excludePlatforms"],
            &[],
        );
        fill_obj(
            c,
            "locations",
            &["includeLocations", "excludeLocations"],
            &[],
        );
        fill_obj(c, "devices", &[], &["deviceFilter"]);
        fill_obj(
            c,
            "clientApplications",
            &["includeServicePrincipals", "excludeServicePrincipals"],
            &["servicePrincipalFilter"],
        );
    }
    if let Some(Value::Object(g)) = policy.get_mut("grantControls") {
        fill(
            g,
            &[
                "builtInControls",
                "customAuthenticationFactors",
                "termsOfUse",
            ],
            &["operator"],
        );
    }
    strength_annotation(policy);
}

/// The context of `authenticationStrength` in a policy's answers (`https://graph.microsoft.com`,
/// as Graph words it: the provider never reads it).
pub fn strength_context(id: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('{id}')/grantControls/authenticationStrength/$entity")
}

/// `authenticationStrength` is a contained navigation property that answers carry without
/// `$expand`: the reference as written (`null` when none), with its context annotation beside
/// it (API-NOTES.md#ca-authentication-strength).
fn strength_annotation(policy: &mut Map<String, Value>) {
    let Some(id) = policy.get("id").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    if let Some(Value::Object(g)) = policy.get_mut("grantControls") {
        g.entry("authenticationStrength").or_insert(Value::Null);
        g.insert(
            "authenticationStrength@odata.context".into(),
            Value::String(strength_context(&id)),
        );
    }
}

/// Property annotations (`name@odata.context`) are answers' own: a body never carries them.
pub fn strip_annotations(policy: &mut Map<String, Value>) {
    if let Some(Value::Object(g)) = policy.get_mut("grantControls") {
        g.retain(|k, _| !k.contains('@') || k == "@odata.type");
    }
}

/// PATCH: properties not sent keep their value; `conditions` is merged one level deep (the
/// documented partial `{"conditions":{"signInRiskLevels":[...]}}` update), every other complex
/// property is replaced whole (API-NOTES.md#ca-patch).
pub fn merge(stored: &mut Map<String, Value>, body: &Map<String, Value>) {
    for (k, v) in body {
        match (k.as_str(), stored.get_mut(k), v) {
            ("conditions", Some(Value::Object(c)), Value::Object(patch)) => {
                for (ck, cv) in patch {
                    c.insert(ck.clone(), cv.clone());
                }
            }
            _ => {
                stored.insert(k.clone(), v.clone());
            }
        }
    }
}
