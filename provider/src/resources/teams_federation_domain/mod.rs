//! `coexistence_teams_federation_domain` (preview): one domain on the allowed list of the
//! tenant's Teams federation configuration (API-NOTES.md#teams-allowed-domains). Many tenant
//! pairs share that one list, so each resource owns its domain only: create adds it, delete
//! removes it, read says whether it is there, and the other entries (other configurations',
//! or added by hand) are never touched.
//!
//! The service has no ETag and takes the list whole, so every change is a read-modify-write
//! under the provider's lock on the configuration (resources applied in parallel by one
//! provider never lose each other's domain), verified by a read after the write
//! (API-NOTES.md#teams-federation-write). Reads top to bottom: import ID, schema, CRUD.

#[cfg(test)]
mod tests;

use crate::framework::import_id::ImportId;
use crate::framework::lifecycle::import_hint;
use crate::framework::schema::timeouts_attribute;
use crate::framework::validators::{domain_name, is_domain_name};
use crate::framework::{ApplyError, Attribute, Ctx, Diagnostic, Diagnostics, ImportCtx, Schema};
use crate::resources::shared::teams_federation::{self as wire, Config};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Map;

pub const TYPE_NAME: &str = "coexistence_teams_federation_domain";

pub struct TeamsFederationDomain;

/// The model: field names are the schema's attribute names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FederationDomain {
    pub id: Option<String>,
    pub domain: Option<String>,
}

/// The import ID: the domain itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainId(pub String);

impl std::str::FromStr for DomainId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_domain_name(s) {
            Ok(DomainId(s.to_string()))
        } else {
            Err(format!("{s:?} is not a domain name: the import ID is the allowed domain, e.g. fabrikam.com"))
        }
    }
}

impl std::fmt::Display for DomainId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ImportId for DomainId {
    const FORMAT: &'static str = "<domain>";
    const EXAMPLE: &'static str = "fabrikam.com";
}

// ---- schema -------------------------------------------------------------------------------

fn schema() -> Schema {
    Schema::new(
        "**Preview.** One domain on the allowed list of the tenant's Teams federation configuration (Teams external access, \"Allow only specific external domains\"): users may chat, call and meet with users of that domain. Several configurations (one per tenant pair) share the tenant's one list, so this resource owns its domain only: create adds it, destroy removes it, and domains added by others or by hand are never touched. A domain removed outside Terraform is added again by the next apply.\n\nThe list exists only in allow-list mode: set `domain_mode = \"allow_list\"` on `coexistence_teams_federation` and give this resource `depends_on` that resource. In block-list mode, or for a domain on the blocked list, apply fails naming the setting. Changes are read-modify-writes of the whole list under a lock in the provider process, each checked by a read after the write, so domains created in parallel in one apply all land (two Terraform runs changing one tenant's list at the same moment can still overwrite each other: the service offers no concurrency control).\n\nThe API is the Teams tenant admin API (`teams_endpoint`); its write is not documented by Microsoft and is assumed, hence *preview*. The app needs the Microsoft Entra role Teams Administrator.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("The domain, as the allowed list holds it."),
            Attribute::string("domain")
                .required()
                .requires_replace()
                .case_insensitive()
                .validate(domain_name())
                .description("The external domain to allow, e.g. `fabrikam.com` (compared without regard to case). Changing it replaces the resource."),
            timeouts_attribute(&["create", "read", "delete"]),
        ],
    )
}

// ---- CRUD ---------------------------------------------------------------------------------

/// Why `domain` cannot be on the allowed list of `live`, if it cannot.
fn refusal(live: &Config, domain: &str) -> Option<Diagnostic> {
    if live.allowed.is_none() {
        return Some(Diagnostic::error(
            "Teams federation is in block-list mode",
            format!(
                "{domain} cannot be added to the allowed domains: the tenant's Teams federation configuration allows every external domain except the blocked ones (AllowedDomains is AllowAllKnownDomains, \"Allow all external domains\"), so it has no allowed list. Set domain_mode = \"allow_list\" on {} and add depends_on = [<that resource>] here.",
                crate::resources::teams_federation::TYPE_NAME
            ),
        ));
    }
    if live.blocks(domain) {
        return Some(Diagnostic::error(
            "The domain is blocked in Teams federation",
            format!(
                "{domain} is on the blocked domains list (BlockedDomains) of the tenant's Teams federation configuration. Remove it from the blocked list (Teams admin center, External access) before allowing it."
            ),
        ));
    }
    None
}

/// Under the provider's lock: reads the configuration, sends `AllowedDomains` as `change`
/// makes it (nothing when it returns `None`), and reads it back.
async fn change_list(
    ctx: &Ctx,
    what: &str,
    change: impl FnOnce(&Config) -> Result<Option<Vec<String>>, Diagnostics>,
) -> Result<Config, Diagnostics> {
    let _lock = ctx
        .clients
        .teams
        .lock_federation(&ctx.deadline)
        .await
        .map_err(|e| Diagnostics::from(crate::framework::diag::api_error(what, &e)))?;
    let live = wire::read(ctx).await?;
    let Some(list) = change(&live)? else {
        return Ok(live);
    };
    let mut body = Map::new();
    body.insert("AllowedDomains".into(), wire::allow_list(&list));
    wire::write(ctx, body, what).await?;
    wire::read(ctx).await
}

fn did_not_take(what: &str, domain: &str) -> Diagnostics {
    Diagnostic::error(
        "The Teams federation configuration did not take the change",
        format!("After {what}, the allowed domains read back {} {domain}. The Teams tenant admin API's write is not documented (this resource is in preview); please report this with the provider's debug log (TF_LOG=DEBUG).", if what.starts_with("adding") { "do not hold" } else { "still hold" }),
    )
    .into()
}

#[async_trait]
impl crate::framework::TypedResource for TeamsFederationDomain {
    type Model = FederationDomain;
    type Id = DomainId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    /// Adds the domain; one already listed was put there by someone else, so it is imported,
    /// not taken over (destroy would remove it for them).
    async fn create(
        &self,
        ctx: &Ctx,
        planned: FederationDomain,
    ) -> Result<FederationDomain, ApplyError> {
        let domain = planned.domain.clone().unwrap_or_default();
        let what = format!("adding {domain} to the allowed Teams federation domains");
        let after = change_list(ctx, &what, |live| {
            if let Some(d) = refusal(live, &domain) {
                return Err(d.into());
            }
            if live.allows(&domain) {
                return Err(Diagnostic::error(
                    "The domain is already allowed in Teams federation",
                    format!(
                        "{domain} is already on the allowed domains list, added outside this configuration. {}",
                        import_hint(TYPE_NAME, &domain)
                    ),
                )
                .into());
            }
            let mut list = live.allowed.clone().unwrap_or_default();
            list.push(domain.clone());
            Ok(Some(list))
        })
        .await?;
        if !after.allows(&domain) {
            return Err(did_not_take(&what, &domain).into());
        }
        Ok(FederationDomain {
            id: Some(domain.clone()),
            domain: Some(domain),
        })
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: FederationDomain,
    ) -> Result<Option<FederationDomain>, Diagnostics> {
        let domain = state
            .domain
            .clone()
            .or(state.id.clone())
            .unwrap_or_default();
        let live = wire::read(ctx).await?;
        // The spelling the list holds; the framework keeps the configuration's when it only
        // differs in case.
        Ok(live
            .allowed
            .unwrap_or_default()
            .into_iter()
            .find(|d| d.eq_ignore_ascii_case(&domain))
            .map(|d| FederationDomain {
                id: Some(d.clone()),
                domain: Some(d),
            }))
    }

    /// Only `timeouts` can change in place (the domain replaces the resource).
    async fn update(
        &self,
        _: &Ctx,
        prior: FederationDomain,
        _: FederationDomain,
    ) -> Result<FederationDomain, ApplyError> {
        Ok(prior)
    }

    async fn delete(&self, ctx: &Ctx, state: FederationDomain) -> Result<(), Diagnostics> {
        let domain = state
            .domain
            .clone()
            .or(state.id.clone())
            .unwrap_or_default();
        let what = format!("removing {domain} from the allowed Teams federation domains");
        let after = change_list(ctx, &what, |live| {
            // Already gone (or no list at all): nothing to remove.
            Ok(live
                .allowed
                .as_ref()
                .filter(|_| live.allows(&domain))
                .map(|l| {
                    l.iter()
                        .filter(|d| !d.eq_ignore_ascii_case(&domain))
                        .cloned()
                        .collect()
                }))
        })
        .await?;
        if after.allows(&domain) {
            return Err(did_not_take(&what, &domain));
        }
        Ok(())
    }

    fn import(&self, _: &ImportCtx, id: DomainId) -> Result<FederationDomain, Diagnostics> {
        Ok(FederationDomain {
            id: Some(id.0.clone()),
            domain: Some(id.0),
        })
    }

    fn listable(&self) -> crate::framework::Listable {
        crate::framework::Listable::No(
            "the Teams resources are in preview, so neither `export` nor a `list` block adopts them yet; import each allowed domain with the domain as its ID.",
        )
    }

    fn import_id(&self, state: &FederationDomain) -> Option<String> {
        state.domain.clone().or(state.id.clone())
    }

    fn natural_key(&self) -> &'static str {
        "the domain: an allowed domain is its own key, so a create that finds it already listed refuses to take it over (import it instead)."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        wire::PERMISSIONS
    }
}
