//! `coexistence_cross_tenant_access_default`: the tenant's default cross-tenant access settings
//! (Graph `/policies/crossTenantAccessPolicy/default`), which apply to every organization
//! without a partner configuration. A singleton: it always exists, so create writes the
//! configured blocks onto it and destroy resets it to Microsoft's defaults.
//!
//! Reads top to bottom: schema, validation, CRUD. The model and its Graph mapping are in
//! `model.rs`, request builders in `api.rs`; the blocks are the partner's
//! (`resources/shared/xtap_blocks.rs`).

mod api;
#[cfg(test)]
mod crud_tests;
mod model;
#[cfg(test)]
mod tests;

use crate::clients::consistency;
use crate::framework::import_id::ImportId;
use crate::framework::lifecycle::import_hint;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::schema::{timeouts_attribute, Kind};
use crate::framework::validators::{one_of, size_at_least};
use crate::framework::{
    ApplyError, AttrPath, Attribute, Context, Ctx, Diagnostic, Diagnostics, ImportCtx, Schema,
    Type, Value,
};
use crate::resources::shared::xtap_blocks::{
    b2b_setting, flags, validate_targets_of, B2B_SETTINGS,
};
use async_trait::async_trait;
use model::{DefaultPolicy, ID};

pub const TYPE_NAME: &str = "coexistence_cross_tenant_access_default";

pub struct CrossTenantAccessDefault;

/// The import ID: the word `default` (a tenant has one default policy, reached through the
/// provider of that tenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultId;

impl std::str::FromStr for DefaultId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == ID {
            Ok(DefaultId)
        } else {
            Err("a tenant has one default policy, imported as \"default\" through the provider of that tenant".into())
        }
    }
}

impl std::fmt::Display for DefaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(ID)
    }
}

impl ImportId for DefaultId {
    const FORMAT: &'static str = "default";
    const EXAMPLE: &'static str = "default";
}

// ---- schema -------------------------------------------------------------------------------

/// The values invitation redemption documents for each list (API-NOTES.md#xtap-default);
/// `unknownFutureValue` is never sent.
const PRIMARY_IDPS: &[&str] = &[
    "azureActiveDirectory",
    "externalFederation",
    "socialIdentityProviders",
];
const FALLBACK_IDPS: &[&str] = &[
    "defaultConfiguredIdp",
    "emailOneTimePasscode",
    "microsoftAccount",
];

/// Every block is optional and computed: left out, it is not managed (never written, never a
/// diff) and state shows its live value.
fn managed(block: Attribute, what: &str) -> Attribute {
    block
        .optional()
        .computed()
        .use_state_for_unknown()
        .description(&format!(
            "{what} Leave it out to leave this setting as it is: it is then neither written nor compared."
        ))
}

fn schema() -> Schema {
    Schema::new(
        "The tenant's default cross-tenant access settings: what applies to every external organization that has no partner configuration (`coexistence_cross_tenant_access_partner`). A tenant has exactly one default policy, so this resource adopts it: only the blocks in the configuration are managed, and destroying the resource resets the whole policy to Microsoft's defaults (`resetToSystemDefault`). A default policy already changed outside Terraform is imported first (ID `default`), so the plan shows what the configuration would change. Not managed: `appServiceConnectInbound`, `m365CollaborationInbound` and `m365CollaborationOutbound`, which the v1.0 metadata lists but the v1.0 update operation does not document as writable.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("Always `default`."),
            managed(b2b_setting("b2b_collaboration_inbound", ""), "Who from other organizations may be invited as B2B guests into this tenant, and to which applications."),
            managed(b2b_setting("b2b_collaboration_outbound", ""), "Which of this tenant's users may be invited into other organizations, and to which of their applications."),
            managed(b2b_setting("b2b_direct_connect_inbound", ""), "Which users of other organizations may reach this tenant's resources through B2B direct connect (Teams shared channels)."),
            managed(b2b_setting("b2b_direct_connect_outbound", ""), "Which of this tenant's users may reach other organizations' resources through B2B direct connect."),
            managed(
                b2b_setting("tenant_restrictions", ""),
                "Tenant restrictions v2: which accounts of other organizations this tenant's users may sign in with from this tenant's network or managed devices (`users_and_groups`: the other organizations' users and groups; `applications`: their applications). Microsoft's default blocks all of them; the setting takes effect only where tenant restrictions v2 signalling is deployed. The `devices` filter is not offered: v1.0 documents it as not supported by the service yet.",
            ),
            managed(
                flags(
                    "inbound_trust",
                    &[
                        ("mfa_accepted", "Accept multifactor authentication performed in other organizations."),
                        ("compliant_device_accepted", "Accept other organizations' compliant-device claims."),
                        ("hybrid_joined_device_accepted", "Accept other organizations' hybrid Microsoft Entra joined device claims."),
                    ],
                ),
                "Which claims from other organizations Conditional Access trusts.",
            ),
            managed(
                flags(
                    "automatic_user_consent",
                    &[
                        ("inbound_allowed", "Suppress the consent prompt for users of other organizations arriving in this tenant."),
                        ("outbound_allowed", "Suppress the consent prompt for this tenant's users going to other organizations."),
                    ],
                ),
                "Automatic invitation redemption, per direction.",
            ),
            managed(
                Attribute::single(
                    "invitation_redemption",
                    vec![
                        Attribute::new("primary_identity_provider_precedence_order", Kind::Plain(Type::list(Type::String)))
                            .required()
                            .validate(one_of(PRIMARY_IDPS))
                            .validate(size_at_least(1))
                            .description("The identity providers a guest redeems with, in the order they are tried: `azureActiveDirectory` (the guest's own Microsoft Entra tenant), `externalFederation` (SAML/WS-Fed federation), `socialIdentityProviders` (Google, Facebook)."),
                        Attribute::string("fallback_identity_provider")
                            .required()
                            .validate(one_of(FALLBACK_IDPS))
                            .description("The identity provider used when none of the primary ones applies: `defaultConfiguredIdp`, `emailOneTimePasscode` or `microsoftAccount`."),
                    ],
                ),
                "How B2B guests from other organizations redeem invitations: which identity providers they sign in with, in order.",
            ),
            Attribute::bool("is_service_default")
                .computed()
                .description("Whether the policy holds Microsoft's defaults (nothing changed since the last reset). `false` after any change, by Terraform or in the admin center."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_targets)
}

/// The partner's target rules, on the four B2B settings and on tenant restrictions.
fn validate_targets(config: &Value, diags: &mut Diagnostics) {
    let [a, b, c, d] = B2B_SETTINGS.map(|(tf, _)| tf);
    validate_targets_of([a, b, c, d, "tenant_restrictions"], config, diags)
}

// ---- CRUD ---------------------------------------------------------------------------------

async fn read_default(ctx: &Ctx) -> Result<DefaultPolicy, Diagnostics> {
    let g = &ctx.clients.graph;
    let live = g
        .send_json(&api::get_default(), &ctx.deadline)
        .await
        .context(|| "reading the default cross-tenant access settings".into())?;
    Ok(DefaultPolicy::from_graph(&live))
}

/// The configured blocks whose live value differs: what a create would overwrite.
fn overwritten(planned: &DefaultPolicy, live: &DefaultPolicy) -> Vec<String> {
    let live = live.settings();
    planned
        .settings()
        .into_iter()
        .filter(|(k, v)| live.get(k) != Some(v))
        .map(|(k, _)| k)
        .collect()
}

#[async_trait]
impl crate::framework::TypedResource for CrossTenantAccessDefault {
    type Model = DefaultPolicy;
    type Id = DefaultId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    /// `is_service_default` is false after any write, so a policy already changed stays so:
    /// no "known after apply" on every update. Only a policy still at Microsoft's defaults
    /// leaves it unknown.
    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        let path = AttrPath::root().attr("is_service_default");
        if plan.get(&path).is_unknown()
            && req.prior.get("is_service_default") == &Value::Bool(false)
        {
            plan.set(&path, Value::Bool(false));
        }
    }

    /// Looks first: a policy changed outside Terraform is written only when the configuration
    /// already matches it (nothing to overwrite); otherwise it is imported first, so the user
    /// sees the diff before anything made in the admin center is replaced.
    async fn create(&self, ctx: &Ctx, planned: DefaultPolicy) -> Result<DefaultPolicy, ApplyError> {
        let live = read_default(ctx).await?;
        let changing = overwritten(&planned, &live);
        if live.is_service_default == Some(false) && !changing.is_empty() {
            return Err(Diagnostics::from(Diagnostic::error(
                "The default cross-tenant access settings were changed outside Terraform",
                format!(
                    "This tenant's default policy no longer holds Microsoft's defaults (isServiceDefault is false), and this configuration would replace {}. Terraform does not overwrite settings it does not manage without showing them first. {}\nThe plan after the import shows what the configuration changes.",
                    changing.join(", "),
                    import_hint(TYPE_NAME, ID)
                ),
            ))
            .into());
        }
        if !changing.is_empty() {
            ctx.clients
                .graph
                .send_discarding_body(api::update_default(planned.settings()), &ctx.deadline)
                .await
                .context(|| "updating the default cross-tenant access settings".into())?;
        }
        let after = if changing.is_empty() {
            live
        } else {
            read_default(ctx).await?
        };
        Ok(planned.completed_by(after))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        _: DefaultPolicy,
    ) -> Result<Option<DefaultPolicy>, Diagnostics> {
        // The policy always exists: it is never gone from state.
        Ok(Some(read_default(ctx).await?))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: DefaultPolicy,
        planned: DefaultPolicy,
    ) -> Result<DefaultPolicy, ApplyError> {
        let changed = planned.changed_since(&prior);
        if changed.is_empty() {
            return Ok(planned.completed_by(prior));
        }
        ctx.clients
            .graph
            .send_discarding_body(api::update_default(changed), &ctx.deadline)
            .await
            .context(|| "updating the default cross-tenant access settings".into())?;
        // `is_service_default` is false after any PATCH; the read that follows confirms it.
        Ok(DefaultPolicy {
            is_service_default: Some(false),
            ..planned.completed_by(prior)
        })
    }

    /// Resets the whole policy, then waits (bounded by the delete timeout) until it reports
    /// Microsoft's defaults again.
    async fn delete(&self, ctx: &Ctx, _: DefaultPolicy) -> Result<(), Diagnostics> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        g.send_discarding_body(api::reset_to_system_default(), dl)
            .await
            .context(|| "resetting the default cross-tenant access settings".into())?;
        consistency::poll_until(
            dl,
            "the default cross-tenant access settings to report isServiceDefault = true",
            || async { g.send_json(&api::get_default(), dl).await },
            |v| v["isServiceDefault"].as_bool() == Some(true),
        )
        .await
        .context(|| "waiting for the reset of the default cross-tenant access settings".into())?;
        Ok(())
    }

    fn import(&self, _: &ImportCtx, _: DefaultId) -> Result<DefaultPolicy, Diagnostics> {
        Ok(DefaultPolicy {
            id: Some(ID.into()),
            ..DefaultPolicy::default()
        })
    }

    /// The policy always exists; it is listed once it no longer holds Microsoft's defaults
    /// (`isServiceDefault` false), since only then was anything made in it to adopt.
    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<DefaultPolicy>, Diagnostics> {
        let live = read_default(ctx).await?;
        let mut out = crate::framework::Listing::default();
        if live.is_service_default == Some(false) {
            out.found.push(live);
        } else {
            out.skip(
                ID,
                "still Microsoft's defaults (isServiceDefault): nothing changed to adopt",
            );
        }
        Ok(out)
    }

    fn import_id(&self, _: &DefaultPolicy) -> Option<String> {
        Some(ID.into())
    }

    fn natural_key(&self) -> &'static str {
        "the tenant itself: a tenant has exactly one default policy, so a create reads it first and refuses to overwrite settings changed outside Terraform (import it instead)."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}

#[cfg(test)]
mod list_tests {
    use super::tests::service_default;
    use super::*;
    use crate::clients::http::mock::{answer, MockTransport};
    use crate::framework::listing::read_back;
    use crate::framework::{ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    #[tokio::test]
    async fn listed_once_changed_and_equal_to_the_read() {
        let r = CrossTenantAccessDefault;
        let m = MockTransport::new(vec![answer(
            api::get_default(),
            200,
            Some(service_default()),
        )]);
        let ctx = Ctx::for_tests(m, Duration::from_secs(5));
        let listing = Resource::list(&r, &ctx, &ListOptions::default())
            .await
            .unwrap();
        assert!(listing.found.is_empty());
        assert!(listing.skipped[0].reason.contains("isServiceDefault"));

        let mut changed = service_default();
        changed["isServiceDefault"] = json!(false);
        changed["inboundTrust"]["isMfaAccepted"] = json!(true);
        let m = MockTransport::new(vec![answer(api::get_default(), 200, Some(changed.clone()))]);
        let ctx = Ctx::for_tests(m, Duration::from_secs(5));
        let listing = Resource::list(&r, &ctx, &ListOptions::default())
            .await
            .unwrap();
        assert_eq!(listing.found.len(), 1);
        assert_eq!(
            r.import_id_of(&listing.found[0]).unwrap().as_deref(),
            Some(ID)
        );
        let m = MockTransport::new(vec![answer(api::get_default(), 200, Some(changed))]);
        let ctx = Ctx::for_tests(m, Duration::from_secs(5));
        assert_eq!(
            read_back(&r, &ctx, &listing.found[0]).await,
            listing.found[0]
        );
    }
}
