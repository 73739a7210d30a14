//! The Terraform model of the tenant's Teams federation switches and its mapping to and from the
//! configuration's JSON (API-NOTES.md#teams-federation-get, #teams-federation-defaults).

use crate::resources::shared::teams_federation::{allow_all_known, allow_list, Config};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// The singleton's ID, in state and on import.
pub const ID: &str = "global";

/// `domain_mode`'s values: every external domain but the blocked ones, or only the allowed.
pub const BLOCK_LIST: &str = "block_list";
pub const ALLOW_LIST: &str = "allow_list";
pub const DOMAIN_MODES: &[&str] = &[BLOCK_LIST, ALLOW_LIST];
/// `external_access_with_trial_tenants`'s values, as the service spells them.
pub const TRIAL_TENANT_VALUES: &[&str] = &["Blocked", "Allowed"];

/// Field names are the schema's attribute names. Every switch has a default in the schema, so
/// a plan always holds a value; `None` appears only in an import's starting state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Federation {
    pub id: Option<String>,
    pub allow_federated_users: Option<bool>,
    pub domain_mode: Option<String>,
    pub allow_teams_consumer: Option<bool>,
    pub allow_teams_consumer_inbound: Option<bool>,
    pub external_access_with_trial_tenants: Option<String>,
    pub block_all_subdomains: Option<bool>,
    pub restrict_teams_consumer_to_external_user_profiles: Option<bool>,
}

impl Federation {
    /// The service defaults: what a destroy restores (API-NOTES.md#teams-federation-defaults).
    pub fn service_defaults() -> Federation {
        Federation {
            id: Some(ID.into()),
            allow_federated_users: Some(true),
            domain_mode: Some(BLOCK_LIST.into()),
            allow_teams_consumer: Some(true),
            allow_teams_consumer_inbound: Some(true),
            external_access_with_trial_tenants: Some("Blocked".into()),
            block_all_subdomains: Some(false),
            restrict_teams_consumer_to_external_user_profiles: Some(false),
        }
    }

    /// The switches the model holds, as `(attribute, property, value)`; `domain_mode` is not
    /// a property of its own (it is the shape of `AllowedDomains`) and is not among them.
    fn switches(&self) -> Vec<(&'static str, &'static str, Option<Json>)> {
        let b = |v: Option<bool>| v.map(Json::Bool);
        let s = |v: &Option<String>| v.clone().map(Json::String);
        vec![
            (
                "allow_federated_users",
                "AllowFederatedUsers",
                b(self.allow_federated_users),
            ),
            (
                "allow_teams_consumer",
                "AllowTeamsConsumer",
                b(self.allow_teams_consumer),
            ),
            (
                "allow_teams_consumer_inbound",
                "AllowTeamsConsumerInbound",
                b(self.allow_teams_consumer_inbound),
            ),
            (
                "external_access_with_trial_tenants",
                "ExternalAccessWithTrialTenants",
                s(&self.external_access_with_trial_tenants),
            ),
            (
                "block_all_subdomains",
                "BlockAllSubdomains",
                b(self.block_all_subdomains),
            ),
            (
                "restrict_teams_consumer_to_external_user_profiles",
                "RestrictTeamsConsumerToExternalUserProfiles",
                b(self.restrict_teams_consumer_to_external_user_profiles),
            ),
        ]
    }

    /// Every switch of a configuration: what state holds after each read.
    pub fn from_config(c: &Config) -> Federation {
        let b = |p: &str| c.raw[p].as_bool();
        Federation {
            id: Some(ID.into()),
            allow_federated_users: b("AllowFederatedUsers"),
            domain_mode: Some(
                if c.allowed.is_some() {
                    ALLOW_LIST
                } else {
                    BLOCK_LIST
                }
                .into(),
            ),
            allow_teams_consumer: b("AllowTeamsConsumer"),
            allow_teams_consumer_inbound: b("AllowTeamsConsumerInbound"),
            external_access_with_trial_tenants: c.raw["ExternalAccessWithTrialTenants"]
                .as_str()
                .map(str::to_string),
            block_all_subdomains: b("BlockAllSubdomains"),
            restrict_teams_consumer_to_external_user_profiles: b(
                "RestrictTeamsConsumerToExternalUserProfiles",
            ),
        }
    }

    /// The PATCH body that makes `live` hold this model's switches: only the properties that
    /// differ. Entering allow-list mode starts an empty list (the domains are the domain
    /// resources'); leaving it drops the list, as the service's shape cannot keep both.
    pub fn changes_from(&self, live: &Config) -> Map<String, Json> {
        let mut out: Map<String, Json> = self
            .switches()
            .into_iter()
            .filter_map(|(_, prop, v)| Some((prop, v?)))
            .filter(|(prop, v)| &live.raw[*prop] != v)
            .map(|(prop, v)| (prop.to_string(), v))
            .collect();
        match (self.domain_mode.as_deref(), &live.allowed) {
            (Some(ALLOW_LIST), None) => {
                out.insert("AllowedDomains".into(), allow_list(&[]));
            }
            (Some(BLOCK_LIST), Some(_)) => {
                out.insert("AllowedDomains".into(), allow_all_known());
            }
            _ => {}
        }
        out
    }

    /// The attributes this model would change in `live` although `live` no longer holds the
    /// service default there: settings made outside Terraform that a create would overwrite.
    pub fn overwrites(&self, live: &Federation) -> Vec<&'static str> {
        let defaults = Federation::service_defaults();
        let mut out: Vec<&'static str> = self
            .switches()
            .into_iter()
            .zip(live.switches())
            .zip(defaults.switches())
            .filter(|(((_, _, want), (_, _, got)), (_, _, default))| {
                want.is_some() && want != got && got != default
            })
            .map(|(((attr, _, _), _), _)| attr)
            .collect();
        if self.domain_mode.is_some()
            && self.domain_mode != live.domain_mode
            && live.domain_mode != defaults.domain_mode
        {
            out.push("domain_mode");
        }
        out
    }

    /// The attributes whose value in `read` is not this model's: after a write, what did not
    /// take.
    pub fn differences(&self, read: &Federation) -> Vec<String> {
        let mut out: Vec<String> = self
            .switches()
            .into_iter()
            .zip(read.switches())
            .filter(|((_, _, want), (_, _, got))| want.is_some() && want != got)
            .map(|((attr, _, want), (_, _, got))| {
                format!(
                    "{attr} is {} (wanted {})",
                    got.map_or("absent".into(), |g| g.to_string()),
                    want.map(|w| w.to_string()).unwrap_or_default()
                )
            })
            .collect();
        if self.domain_mode.is_some() && self.domain_mode != read.domain_mode {
            out.push(format!(
                "domain_mode is {:?} (wanted {:?})",
                read.domain_mode.as_deref().unwrap_or(""),
                self.domain_mode.as_deref().unwrap_or("")
            ));
        }
        out
    }
}
