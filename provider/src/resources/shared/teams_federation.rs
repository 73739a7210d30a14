//! The tenant's Teams federation configuration on the wire (the Teams tenant admin API, preview:
//! API-NOTES.md#teams-federation-get and the notes after it), shared by
//! `coexistence_teams_federation` (its switches) and `coexistence_teams_federation_domain` (one
//! entry of its allowed-domains list): the request builders (pure, no IO), the parsed
//! configuration, and the read every write is followed by.

use crate::clients::pacer::Pacing;
use crate::clients::{Permission, Request};
use crate::framework::{Context, Ctx, Diagnostics};
use serde_json::{json, Map, Value as Json};

/// The one (global) configuration of the tenant.
pub const PATH: &str = "/Skype.Policy/configurations/TenantFederationSettings/configuration/global";

/// What the app needs for both reads and writes (API-NOTES.md#teams-role).
pub const ROLE: Permission = Permission::teams("Teams Administrator");
pub const PERMISSIONS: &[(&str, Permission)] = &[("read, create, update, delete", ROLE)];

/// The configuration as the service answers it.
pub fn get() -> Request {
    Request::get(PATH).paced(Pacing::Teams).needs(ROLE)
}

/// Changes the named properties only; the others keep their values
/// (API-NOTES.md#teams-federation-write, assumed). Sending the same values twice does no harm.
pub fn patch(changes: Map<String, Json>) -> Request {
    Request::patch(PATH, Json::Object(changes))
        .paced(Pacing::Teams)
        .needs(ROLE)
}

/// `AllowedDomains` in allow-list mode holding exactly `domains`.
pub fn allow_list(domains: &[String]) -> Json {
    let entries: Vec<Json> = domains.iter().map(|d| json!({"Domain": d})).collect();
    json!({"AllowedDomain": entries})
}

/// `AllowedDomains` allowing every external domain but the blocked ones (the service default).
pub fn allow_all_known() -> Json {
    json!({"AllowAllKnownDomains": {}})
}

/// What the resources read from the configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The raw answer: every property, for the switches.
    pub raw: Json,
    /// `None` in AllowAllKnownDomains (block-list) mode, else the allowed domains in order.
    pub allowed: Option<Vec<String>>,
    pub blocked: Vec<String>,
}

impl Config {
    pub fn from_json(raw: Json) -> Config {
        let domains = |v: &Json| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d["Domain"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let allowed = raw["AllowedDomains"].get("AllowedDomain").map(&domains);
        let blocked = domains(&raw["BlockedDomains"]);
        Config {
            raw,
            allowed,
            blocked,
        }
    }

    /// Whether `domain` is on the allowed list (DNS names compare case-insensitively).
    pub fn allows(&self, domain: &str) -> bool {
        self.allowed
            .as_ref()
            .is_some_and(|l| l.iter().any(|d| d.eq_ignore_ascii_case(domain)))
    }

    pub fn blocks(&self, domain: &str) -> bool {
        self.blocked.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

/// Reads the configuration.
pub async fn read(ctx: &Ctx) -> Result<Config, Diagnostics> {
    let v = ctx
        .clients
        .teams
        .send_json(&get(), &ctx.deadline)
        .await
        .context(|| "reading the Teams federation configuration".into())?;
    Ok(Config::from_json(v))
}

/// Sends the changes (nothing when there are none).
pub async fn write(ctx: &Ctx, changes: Map<String, Json>, what: &str) -> Result<(), Diagnostics> {
    if changes.is_empty() {
        return Ok(());
    }
    ctx.clients
        .teams
        .send_json(&patch(changes), &ctx.deadline)
        .await
        .context(|| format!("{what} (Teams federation configuration)"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_modes_and_the_blocked_list() {
        let c = Config::from_json(json!({
            "AllowedDomains": {"AllowedDomain": [{"Domain": "Fabrikam.com"}]},
            "BlockedDomains": [{"Domain": "evil.example"}],
        }));
        assert_eq!(c.allowed, Some(vec!["Fabrikam.com".to_string()]));
        assert!(c.allows("fabrikam.COM"));
        assert!(c.blocks("EVIL.example"));
        let open = Config::from_json(
            json!({"AllowedDomains": {"AllowAllKnownDomains": {}}, "BlockedDomains": []}),
        );
        assert_eq!(open.allowed, None);
        assert!(!open.allows("fabrikam.com"));
    }

    #[test]
    fn requests_are_paced_and_name_the_role() {
        let r = patch(Map::new());
        assert_eq!((r.method, r.path.as_str()), ("PATCH", PATH));
        assert_eq!(r.pacing, Pacing::Teams);
        assert_eq!(r.permission, Some(ROLE));
        assert_eq!(
            allow_list(&["a.example".into()]),
            json!({"AllowedDomain": [{"Domain": "a.example"}]})
        );
    }
}
