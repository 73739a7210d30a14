//! `coexistence_teams_federation` (preview): the tenant-wide switches of Teams external access
//! (federation with other organizations, allow-list or block-list mode, Teams accounts not
//! managed by an organization, trial-only tenants), on the Teams tenant admin API's federation
//! configuration (API-NOTES.md#teams-federation-get). A singleton: it always exists, so create
//! writes the configured switches onto it and destroy restores the service defaults. It never
//! manages the domain lists: the allowed domains are `coexistence_teams_federation_domain`'s,
//! the blocked ones are left as they are.
//!
//! Reads top to bottom: schema, CRUD. The model and its mapping are in `model.rs`; the requests
//! are shared with the domain resource (`resources/shared/teams_federation.rs`). Every write is
//! a read, a PATCH of what differs and a read after it, under the provider's lock on the
//! configuration (the domain resources write the same object).

mod model;
#[cfg(test)]
mod tests;

use crate::framework::import_id::ImportId;
use crate::framework::lifecycle::import_hint;
use crate::framework::schema::timeouts_attribute;
use crate::framework::validators::one_of;
use crate::framework::{
    ApplyError, Attribute, Ctx, Diagnostic, Diagnostics, ImportCtx, Schema, Value,
};
use crate::resources::shared::teams_federation::{self as wire, Config};
use async_trait::async_trait;
use model::{Federation, ALLOW_LIST, BLOCK_LIST, DOMAIN_MODES, ID, TRIAL_TENANT_VALUES};

pub const TYPE_NAME: &str = "coexistence_teams_federation";

pub struct TeamsFederation;

/// The import ID: the word `global` (a tenant has one federation configuration, reached through
/// the provider of that tenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalId;

impl std::str::FromStr for GlobalId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case(ID) {
            Ok(GlobalId)
        } else {
            Err("a tenant has one Teams federation configuration, imported as \"global\" through the provider of that tenant".into())
        }
    }
}

impl std::fmt::Display for GlobalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(ID)
    }
}

impl ImportId for GlobalId {
    const FORMAT: &'static str = "global";
    const EXAMPLE: &'static str = "global";
}

// ---- schema -------------------------------------------------------------------------------

/// A switch with its service default: left out, the default is planned, so drift shows and
/// removing it from the configuration restores the default.
fn switch(name: &str, default: bool, what: &str) -> Attribute {
    Attribute::bool(name)
        .default(Value::Bool(default))
        .description(&format!(
            "{what} Its default, `{default}`, is the service default. Service property `{}`.",
            property(name)
        ))
}

/// The service property behind an attribute, for the docs.
fn property(attr: &str) -> String {
    attr.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn schema() -> Schema {
    Schema::new(
        "**Preview.** The tenant-wide switches of Teams external access (the Teams admin center's \"External access\" page, `Set-CsTenantFederationConfiguration`): federation with other Microsoft 365 organizations, whether it is limited to an allow list of domains, chat with Teams accounts not managed by an organization, and with tenants that hold only trial licenses. A tenant has exactly one such configuration, so this resource adopts it: create writes every switch (each has the service default as its default) but refuses to overwrite a switch changed outside Terraform (import it first, ID `global`, so the plan shows the change), and destroy restores the service defaults. It never manages the domain lists: allowed domains are `coexistence_teams_federation_domain` resources (one per domain, so that several configurations can share the list), blocked domains are left as they are.\n\nThe low-trust step of a tenant pair is `domain_mode = \"allow_list\"` here plus one `coexistence_teams_federation_domain` per partner domain (with `depends_on` this resource). Leaving allow-list mode (`domain_mode = \"block_list\"`) drops the allowed list: the service keeps either the list or \"all known domains\". Destroy leaves allow-list mode in place while the list still holds domains (added out of band, or by other configurations), so they are never dropped by a destroy.\n\nThe API is the Teams tenant admin API (`teams_endpoint`), the service behind the MicrosoftTeams PowerShell module. Microsoft documents no REST contract for it: reads follow what public security tools send; the write (a PATCH of the changed properties) is assumed, hence *preview*. The app signs in with a token for the Skype and Teams Tenant Admin API and needs the Microsoft Entra role Teams Administrator.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("Always `global`."),
            switch("allow_federated_users", true, "Whether users may communicate with users of other Microsoft 365 organizations at all (`false`: \"Block all external domains\")."),
            Attribute::string("domain_mode")
                .default(Value::string(BLOCK_LIST))
                .validate(one_of(DOMAIN_MODES))
                .description("Which external domains federation reaches when `allow_federated_users` is on: `block_list` (every domain except the blocked ones; the service property `AllowedDomains` is `AllowAllKnownDomains`) or `allow_list` (only the domains on the allowed list, which `coexistence_teams_federation_domain` resources fill; the blocked list is then ignored). Its default, `block_list`, is the service default."),
            switch("allow_teams_consumer", true, "Whether users may communicate with people using Teams with an account not managed by an organization."),
            switch("allow_teams_consumer_inbound", true, "Whether people using Teams with an account not managed by an organization may discover and start conversations with users (only with `allow_teams_consumer`)."),
            Attribute::string("external_access_with_trial_tenants")
                .default(Value::string("Blocked"))
                .validate(one_of(TRIAL_TENANT_VALUES))
                .description("Whether users may communicate with tenants that hold only trial licenses: `Blocked` or `Allowed`. Its default, `Blocked`, is the service default. Service property `ExternalAccessWithTrialTenants`."),
            switch("block_all_subdomains", false, "Whether the subdomains of blocked domains are blocked too (block-list mode only)."),
            switch("restrict_teams_consumer_to_external_user_profiles", false, "Whether chats with Teams accounts not managed by an organization are limited to external user profiles."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
}

// ---- CRUD ---------------------------------------------------------------------------------

/// Under the provider's lock on the configuration: reads it, writes what differs from the
/// target (chosen from what was read) and reads it back; fails naming each switch that did not
/// take.
async fn make_it_so(
    ctx: &Ctx,
    what: &str,
    target: impl FnOnce(&Config) -> Federation,
) -> Result<Federation, Diagnostics> {
    let _lock = ctx
        .clients
        .teams
        .lock_federation(&ctx.deadline)
        .await
        .map_err(|e| Diagnostics::from(crate::framework::diag::api_error(what, &e)))?;
    let live = wire::read(ctx).await?;
    let target = target(&live);
    let changes = target.changes_from(&live);
    if changes.is_empty() {
        return Ok(Federation::from_config(&live));
    }
    wire::write(ctx, changes, what).await?;
    let after = Federation::from_config(&wire::read(ctx).await?);
    let missed = target.differences(&after);
    if !missed.is_empty() {
        return Err(Diagnostic::error(
            "The Teams federation configuration did not take the change",
            format!(
                "After {what}, the configuration read back differs: {}. The Teams tenant admin API's write is not documented (this resource is in preview); please report this with the provider's debug log (TF_LOG=DEBUG).",
                missed.join("; ")
            ),
        )
        .into());
    }
    Ok(after)
}

/// What destroy restores: the service defaults, but allow-list mode stays while the allowed
/// list holds domains (leaving it would drop them: API-NOTES.md#teams-allowed-domains).
fn restored(live: &Config) -> Federation {
    let keep_list = live.allowed.as_ref().is_some_and(|l| !l.is_empty());
    Federation {
        domain_mode: Some(if keep_list { ALLOW_LIST } else { BLOCK_LIST }.into()),
        ..Federation::service_defaults()
    }
}

#[async_trait]
impl crate::framework::TypedResource for TeamsFederation {
    type Model = Federation;
    type Id = GlobalId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    /// Adopts the configuration, but never overwrites a switch changed outside Terraform
    /// without showing it first: such a create fails asking for an import, so the plan after
    /// it shows the change (as the default cross-tenant access policy does).
    async fn create(&self, ctx: &Ctx, planned: Federation) -> Result<Federation, ApplyError> {
        let mut refused = Vec::new();
        let result = make_it_so(ctx, "writing the Teams federation switches", |live| {
            refused = planned.overwrites(&Federation::from_config(live));
            if refused.is_empty() {
                planned
            } else {
                // Nothing to write: the target is what is live.
                Federation::from_config(live)
            }
        })
        .await?;
        if !refused.is_empty() {
            return Err(Diagnostics::from(Diagnostic::error(
                "The Teams federation switches were changed outside Terraform",
                format!(
                    "This tenant's Teams federation configuration no longer holds the service defaults, and this configuration would replace {}. Terraform does not overwrite settings it does not manage without showing them first. {}\nThe plan after the import shows what the configuration changes.",
                    refused.join(", "),
                    import_hint(TYPE_NAME, ID)
                ),
            ))
            .into());
        }
        Ok(result)
    }

    async fn read(&self, ctx: &Ctx, _: Federation) -> Result<Option<Federation>, Diagnostics> {
        // The configuration always exists: it is never gone from state.
        Ok(Some(Federation::from_config(&wire::read(ctx).await?)))
    }

    /// Writes what differs from the live configuration (not from prior state): drift on a
    /// switch is corrected along with the change.
    async fn update(
        &self,
        ctx: &Ctx,
        _: Federation,
        planned: Federation,
    ) -> Result<Federation, ApplyError> {
        Ok(make_it_so(ctx, "updating the Teams federation switches", |_| planned).await?)
    }

    async fn delete(&self, ctx: &Ctx, _: Federation) -> Result<(), Diagnostics> {
        make_it_so(ctx, "restoring the Teams federation defaults", restored).await?;
        Ok(())
    }

    fn import(&self, _: &ImportCtx, _: GlobalId) -> Result<Federation, Diagnostics> {
        Ok(Federation {
            id: Some(ID.into()),
            ..Federation::default()
        })
    }

    fn listable(&self) -> crate::framework::Listable {
        crate::framework::Listable::No(
            "the Teams resources are in preview, so neither `export` nor a `list` block adopts them yet; import it with the ID `global`.",
        )
    }

    fn import_id(&self, _: &Federation) -> Option<String> {
        Some(ID.into())
    }

    fn natural_key(&self) -> &'static str {
        "the tenant itself: a tenant has exactly one Teams federation configuration, so create adopts it and writes every switch."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        wire::PERMISSIONS
    }
}
