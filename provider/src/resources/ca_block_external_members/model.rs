//! The Terraform model of the policy (a derived struct converted by the schema:
//! [`crate::framework::typed`]) and its mapping to and from Graph JSON. The Graph side is
//! always the whole managed shape ([`managed_shape`]): the resource owns `conditions`,
//! `grantControls` and `sessionControls` outright.

use super::shape;
#[cfg(test)]
use crate::framework::{typed, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// Report-only: a first apply never locks anyone out.
pub const DEFAULT_STATE: &str = "enabledForReportingButNotEnforced";
/// Enumerated external tenants (required on the wire: azuread #1555).
pub const ENUMERATED: &str = "#microsoft.graph.conditionalAccessEnumeratedExternalTenants";
/// B2B collaboration *members* only: the users cross-tenant synchronization provisions.
pub const USER_TYPES: &str = "b2bCollaborationMember";

/// The policy as Terraform sees it; field names are the schema's attribute names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: Option<String>,
    /// Empty only in an import's state (the attribute is 1 to 256 characters), until the read.
    #[serde(deserialize_with = "crate::framework::typed::null_is_default")]
    pub display_name: String,
    pub state: Option<String>,
    /// Empty only in an import's state, until the read.
    #[serde(deserialize_with = "crate::framework::typed::null_is_default")]
    pub external_tenant_ids: Vec<String>,
    pub exclude_user_ids: Option<Vec<String>>,
    pub exclude_group_ids: Option<Vec<String>>,
    pub created_date_time: Option<String>,
    pub modified_date_time: Option<String>,
    pub shape_differences: Option<Vec<String>>,
}

impl Policy {
    #[cfg(test)]
    pub fn from_value(v: &Value) -> Result<Policy, Diagnostics> {
        typed::from_value(&super::schema(), v)
    }

    #[cfg(test)]
    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), self)
    }

    /// The state an import starts from: the id, everything else empty until the read.
    pub fn imported(id: String) -> Policy {
        Policy {
            id: Some(id),
            display_name: String::new(),
            state: None,
            external_tenant_ids: Vec::new(),
            exclude_user_ids: None,
            exclude_group_ids: None,
            created_date_time: None,
            modified_date_time: None,
            shape_differences: None,
        }
    }

    /// Whether this is an import's state: the only state without a display name.
    pub fn is_imported(&self) -> bool {
        self.display_name.is_empty()
    }

    pub fn state(&self) -> &str {
        self.state.as_deref().unwrap_or(DEFAULT_STATE)
    }

    fn excluded_users(&self) -> &[String] {
        self.exclude_user_ids.as_deref().unwrap_or_default()
    }

    fn excluded_groups(&self) -> &[String] {
        self.exclude_group_ids.as_deref().unwrap_or_default()
    }

    /// The whole policy, as POST and every PATCH send it.
    pub fn to_graph(&self) -> Json {
        let mut body = managed_shape(
            &self.external_tenant_ids,
            self.excluded_users(),
            self.excluded_groups(),
        );
        body["displayName"] = json!(self.display_name);
        body["state"] = json!(self.state());
        body
    }

    /// A policy GET, with the differences from the managed shape.
    pub fn from_graph(p: &Json) -> Policy {
        let users = &p["conditions"]["users"];
        let tenants = &users["includeGuestsOrExternalUsers"]["externalTenants"];
        let strings = |v: &Json| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let external_tenant_ids = if tenants["membershipKind"] == "enumerated" {
            strings(&tenants["members"])
        } else {
            Vec::new()
        };
        let exclude_users = strings(&users["excludeUsers"]);
        let exclude_groups = strings(&users["excludeGroups"]);
        let expected = managed_shape(&external_tenant_ids, &exclude_users, &exclude_groups);
        let str_of = |k: &str| p[k].as_str().map(str::to_string);
        Policy {
            id: str_of("id"),
            display_name: str_of("displayName").unwrap_or_default(),
            state: str_of("state"),
            external_tenant_ids,
            exclude_user_ids: Some(exclude_users),
            exclude_group_ids: Some(exclude_groups),
            created_date_time: str_of("createdDateTime"),
            modified_date_time: str_of("modifiedDateTime"),
            shape_differences: Some(shape::differences(&expected, p)),
        }
    }

    /// Whether `found` is the policy this model describes: same name, state, tenants and
    /// exclusions (GUIDs compared without case) and the managed shape.
    pub fn same_policy(&self, found: &Policy) -> bool {
        let same_set = |a: &[String], b: &[String]| {
            a.len() == b.len()
                && a.iter()
                    .all(|x| b.iter().any(|y| x.eq_ignore_ascii_case(y)))
                && b.iter()
                    .all(|y| a.iter().any(|x| x.eq_ignore_ascii_case(y)))
        };
        found.display_name == self.display_name
            && found.state() == self.state()
            && same_set(&found.external_tenant_ids, &self.external_tenant_ids)
            && same_set(found.excluded_users(), self.excluded_users())
            && same_set(found.excluded_groups(), self.excluded_groups())
            && found.shape_differences.as_ref().is_none_or(Vec::is_empty)
    }

    /// Keeps `prior`'s spelling of GUIDs that Graph returned in another case, so an uppercase
    /// GUID in configuration never shows as a change.
    pub fn keep_spelling(&mut self, prior: &Policy) {
        fn respell(got: &mut [String], prior: &[String]) {
            for g in got.iter_mut() {
                if let Some(p) = prior.iter().find(|p| p.eq_ignore_ascii_case(g)) {
                    g.clone_from(p);
                }
            }
        }
        respell(&mut self.external_tenant_ids, &prior.external_tenant_ids);
        if let Some(u) = &mut self.exclude_user_ids {
            respell(u, prior.excluded_users());
        }
        if let Some(g) = &mut self.exclude_group_ids {
            respell(g, prior.excluded_groups());
        }
    }
}

/// The parts of a policy the resource owns, for these tenants and exclusions: every member of
/// `conditions` (collections empty, other conditions null), `grantControls` = block, and no
/// `sessionControls`. Sent whole, so an out-of-band edit of any of them is undone.
pub fn managed_shape(
    tenants: &[String],
    exclude_users: &[String],
    exclude_groups: &[String],
) -> Json {
    json!({
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {
                "includeApplications": ["All"],
                "excludeApplications": [],
                "includeUserActions": [],
                "includeAuthenticationContextClassReferences": [],
                "applicationFilter": null,
            },
            "users": {
                "includeUsers": [],
                "excludeUsers": exclude_users,
                "includeGroups": [],
                "excludeGroups": exclude_groups,
                "includeRoles": [],
                "excludeRoles": [],
                "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": USER_TYPES,
                    "externalTenants": {
                        "@odata.type": ENUMERATED,
                        "membershipKind": "enumerated",
                        "members": tenants,
                    },
                },
                "excludeGuestsOrExternalUsers": null,
            },
            "platforms": null,
            "locations": null,
            "devices": null,
            "clientApplications": null,
            "signInRiskLevels": [],
            "userRiskLevels": [],
            "servicePrincipalRiskLevels": [],
            "insiderRiskLevels": null,
            "authenticationFlows": null,
        },
        "grantControls": {
            "operator": "OR",
            "builtInControls": ["block"],
            "customAuthenticationFactors": [],
            "termsOfUse": [],
        },
        "sessionControls": null,
    })
}
