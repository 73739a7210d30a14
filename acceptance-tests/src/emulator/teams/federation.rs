//! The tenant's federation configuration (Teams external access):
//! `GET` / `PATCH /Skype.Policy/configurations/TenantFederationSettings/configuration/global`.
//! Facts: API-NOTES.md#teams-federation-get (read, properties), #teams-allowed-domains (the
//! domain lists), #teams-federation-defaults (the service default), #teams-federation-write
//! (the assumed PATCH and what it refuses).
//!
//! The configuration always exists. It is stored only while it differs from the service default
//! (so a tenant whose configuration is back to the default holds nothing, as after a reset of
//! the default cross-tenant access policy); a GET of an unstored one answers the default.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use super::{TeamsError, TeamsResult};
use crate::emulator::pipeline::RequestCtx;
use crate::emulator::state::Shared;
use crate::emulator::util::is_domain_name;

/// Where the configuration is stored (and its URL path).
pub const PATH: &str = "/Skype.Policy/configurations/TenantFederationSettings/configuration/global";

/// At most this many domains per list (API-NOTES.md#teams-allowed-domains).
pub const MAX_DOMAINS: usize = 4000;

/// The Boolean switches a PATCH may change.
const SWITCHES: &[&str] = &[
    "AllowFederatedUsers",
    "AllowPublicUsers",
    "AllowTeamsConsumer",
    "AllowTeamsConsumerInbound",
    "TreatDiscoveredPartnersAsUnverified",
    "SharedSipAddressSpace",
    "RestrictTeamsConsumerToExternalUserProfiles",
    "BlockAllSubdomains",
];
/// Domain lists (`[{"Domain": ...}]`) a PATCH may replace.
const DOMAIN_LISTS: &[&str] = &["BlockedDomains", "AllowedTrialTenantDomains"];
/// Bookkeeping the service keeps itself.
const READ_ONLY: &[&str] = &["Identity", "Key", "ConfigId", "ConfigMetadata"];
/// `ExternalAccessWithTrialTenants`'s values (API-NOTES.md#teams-federation-defaults).
pub const TRIAL_TENANT_VALUES: &[&str] = &["Blocked", "Allowed"];

/// The service default: every external domain allowed but the blocked ones (none), federation,
/// Teams consumer accounts both ways, trial-only tenants blocked.
pub fn service_default() -> Value {
    json!({
        "Identity": "Global",
        "AllowedDomains": {"AllowAllKnownDomains": {}},
        "BlockedDomains": [],
        "AllowedTrialTenantDomains": [],
        "AllowFederatedUsers": true,
        "AllowPublicUsers": false,
        "AllowTeamsConsumer": true,
        "AllowTeamsConsumerInbound": true,
        "TreatDiscoveredPartnersAsUnverified": false,
        "SharedSipAddressSpace": false,
        "RestrictTeamsConsumerToExternalUserProfiles": false,
        "BlockAllSubdomains": false,
        "ExternalAccessWithTrialTenants": "Blocked",
        "Key": {
            "ScopeClass": "Global",
            "SchemaId": {"XName": {"name": "TenantFederationSettings"}},
            "AuthorityId": {"Class": "Tenant"},
        },
        "ConfigId": "Global",
        "ConfigMetadata": {"Authority": "Tenant"},
    })
}

/// For out-of-band reads: the default when nothing is stored.
pub fn virtual_object(path: &str) -> Option<Value> {
    (path == PATH).then(service_default)
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route(
        "/Skype.Policy/configurations/TenantFederationSettings/configuration/{identity}",
        get(read).patch(update),
    )
}

/// The one configuration is `global` (either casing: API-NOTES.md#teams-federation-get).
fn check_identity(identity: &str) -> Result<(), TeamsError> {
    if identity.eq_ignore_ascii_case("global") {
        Ok(())
    } else {
        Err(TeamsError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("No TenantFederationSettings configuration with identity '{identity}': a tenant has only 'Global'."),
        ))
    }
}

/// The tenant's configuration as the service answers it.
pub fn current(st: &Shared, tenant: &str) -> Value {
    st.with_store(tenant, |s| s.get(PATH).cloned())
        .unwrap_or_else(service_default)
}

/// Stores `v`, or nothing when it is the service default.
fn put(s: &mut crate::emulator::store::TenantStore<'_>, v: Value) {
    if v == service_default() {
        s.remove(PATH);
    } else {
        s.replace(PATH, v);
    }
}

async fn read(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<RequestCtx>,
    Path(identity): Path<String>,
) -> TeamsResult {
    check_identity(&identity)?;
    if let Some((k, _)) = ctx.query.first() {
        return Err(TeamsError::bad_request(format!(
            "Query option '{k}' is not supported."
        )));
    }
    Ok(Json(current(&st, &ctx.tenant)).into_response())
}

async fn update(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<RequestCtx>,
    Path(identity): Path<String>,
) -> TeamsResult {
    check_identity(&identity)?;
    let Some(Value::Object(changes)) = ctx.body.as_ref() else {
        return Err(TeamsError::bad_request(
            "The request body must be a JSON object of the properties to change.",
        ));
    };
    validate(changes)?;
    // Read, merge and store under one lock: two PATCHes never interleave.
    st.with_store(&ctx.tenant, |s| {
        let mut v = s.get(PATH).cloned().unwrap_or_else(service_default);
        for (k, x) in changes {
            v[k] = x.clone();
        }
        put(s, v);
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Every property of a PATCH, strictly (API-NOTES.md#teams-federation-write).
pub fn validate(changes: &Map<String, Value>) -> Result<(), TeamsError> {
    if changes.is_empty() {
        return Err(TeamsError::bad_request("The request body changes nothing."));
    }
    for (k, v) in changes {
        let bad = |why: &str| Err(TeamsError::bad_request(format!("Property '{k}': {why}")));
        if READ_ONLY.contains(&k.as_str()) {
            return bad("is read-only.");
        } else if SWITCHES.contains(&k.as_str()) {
            if !v.is_boolean() {
                return bad(&format!("expected a Boolean, got {v}."));
            }
        } else if k == "ExternalAccessWithTrialTenants" {
            if !v.as_str().is_some_and(|s| TRIAL_TENANT_VALUES.contains(&s)) {
                return bad(&format!(
                    "expected one of {}, got {v}.",
                    TRIAL_TENANT_VALUES.join(", ")
                ));
            }
        } else if k == "AllowedDomains" {
            allowed_domains(v).map_err(|why| {
                TeamsError::bad_request(format!("Property 'AllowedDomains': {why}"))
            })?;
        } else if DOMAIN_LISTS.contains(&k.as_str()) {
            domain_list(v)
                .map_err(|why| TeamsError::bad_request(format!("Property '{k}': {why}")))?;
        } else {
            return bad("is not a property of TenantFederationSettings.");
        }
    }
    Ok(())
}

/// `{"AllowAllKnownDomains": {}}` or `{"AllowedDomain": [{"Domain": ...}]}`, nothing else.
fn allowed_domains(v: &Value) -> Result<(), String> {
    let Some(o) = v.as_object() else {
        return Err(format!("expected an object, got {v}."));
    };
    match (
        o.len(),
        o.get("AllowAllKnownDomains"),
        o.get("AllowedDomain"),
    ) {
        (1, Some(all), None) => {
            if all.as_object().is_some_and(Map::is_empty) {
                Ok(())
            } else {
                Err(format!(
                    "AllowAllKnownDomains takes an empty object, got {all}."
                ))
            }
        }
        (1, None, Some(list)) => domain_list(list).map_err(|e| format!("AllowedDomain: {e}")),
        _ => Err(format!(
            "expected exactly one of AllowAllKnownDomains or AllowedDomain, got {v}."
        )),
    }
}

/// `[{"Domain": "<DNS name>"}, ...]`, no duplicates, at most [`MAX_DOMAINS`].
fn domain_list(v: &Value) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Err(format!(
            "expected an array of {{\"Domain\": ...}}, got {v}."
        ));
    };
    if items.len() > MAX_DOMAINS {
        return Err(format!(
            "{} domains; a list holds at most {MAX_DOMAINS}.",
            items.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let domain = item
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("Domain"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("each entry is {{\"Domain\": \"<name>\"}}, got {item}."))?;
        if !is_domain_name(domain) {
            return Err(format!("'{domain}' is not a domain name."));
        }
        if !seen.insert(domain.to_ascii_lowercase()) {
            return Err(format!("'{domain}' is listed twice."));
        }
    }
    Ok(())
}

/// The configuration changed in the Teams admin center (for tests): `change` merged at the
/// top level into what the tenant has now, checked like a PATCH.
pub fn change_in_portal(st: &impl AsRef<Shared>, tenant: &str, change: Value) {
    let st = st.as_ref();
    let t = st
        .signin_tenant(tenant)
        .unwrap_or_else(|| panic!("no tenant {tenant}"))
        .tenant_id
        .clone();
    let Value::Object(changes) = change else {
        panic!("a change is an object of properties")
    };
    if let Err(e) = validate(&changes) {
        panic!("a change the service would refuse: {}", e.message);
    }
    st.with_store(&t, |s| {
        let mut v = s.get(PATH).cloned().unwrap_or_else(service_default);
        for (k, x) in changes {
            v[&k] = x;
        }
        put(s, v);
    });
}

/// The allowed domains of a configuration (`None` in AllowAllKnownDomains mode).
pub fn allowed(v: &Value) -> Option<Vec<String>> {
    v["AllowedDomains"]["AllowedDomain"].as_array().map(|a| {
        a.iter()
            .filter_map(|d| d["Domain"].as_str().map(str::to_string))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_default_passes_its_own_writable_checks() {
        let mut d = obj(service_default());
        for k in READ_ONLY {
            d.remove(*k);
        }
        validate(&d).unwrap();
    }

    #[test]
    fn refuses_what_the_service_would() {
        for (body, needle) in [
            (json!({"Identity": "Global"}), "read-only"),
            (json!({"AllowFederatedUsers": "true"}), "Boolean"),
            (json!({"Nope": true}), "not a property"),
            (
                json!({"ExternalAccessWithTrialTenants": "blocked"}),
                "Blocked, Allowed",
            ),
            (json!({"AllowedDomains": {}}), "exactly one"),
            (
                json!({"AllowedDomains": {"AllowAllKnownDomains": {}, "AllowedDomain": []}}),
                "exactly one",
            ),
            (
                json!({"AllowedDomains": {"AllowAllKnownDomains": true}}),
                "empty object",
            ),
            (
                json!({"AllowedDomains": {"AllowedDomain": ["a.com"]}}),
                "\"Domain\"",
            ),
            (
                json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "a b"}]}}),
                "not a domain",
            ),
            (
                json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "a.com"}, {"Domain": "A.com"}]}}),
                "twice",
            ),
            (
                json!({"BlockedDomains": [{"Domain": "a.com", "x": 1}]}),
                "\"Domain\"",
            ),
            (json!({}), "changes nothing"),
        ] {
            let e = validate(&obj(body.clone())).unwrap_err();
            assert!(e.message.contains(needle), "{body}: {}", e.message);
        }
        let many: Vec<Value> = (0..=MAX_DOMAINS)
            .map(|i| json!({"Domain": format!("d{i}.com")}))
            .collect();
        let e = validate(&obj(json!({"BlockedDomains": many}))).unwrap_err();
        assert!(e.message.contains("at most 4000"), "{}", e.message);
    }
}
