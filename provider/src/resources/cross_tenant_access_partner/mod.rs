//! `coexistence_cross_tenant_access_partner`: partner-specific cross-tenant access settings
//! (Graph `/policies/crossTenantAccessPolicy/partners`) and, optionally, the partner's identity
//! synchronization policy (`.../identitySynchronization`).
//!
//! Reads top to bottom: schema, validation, CRUD. The model and its Graph mapping are in
//! `model.rs`, request builders in `api.rs`; the blocks shared with the default policy (schema
//! builders, target rules, structs, Graph mapping) in `resources/shared/xtap_blocks.rs`.

mod api;
#[cfg(test)]
mod create_tests;
#[cfg(test)]
mod crud_tests;
pub mod data_source;
mod list;
mod model;
pub mod partners_data_source;
#[cfg(test)]
mod tests;

use crate::clients::graph::GraphClient;
use crate::clients::{consistency, Deadline};
use crate::framework::diag::finish_create;
use crate::framework::import_id::{ImportId, TenantGuid};
use crate::framework::lifecycle::already_exists;
use crate::framework::refresh::ListedKey;
use crate::framework::schema::timeouts_attribute;
use crate::framework::steps::Steps;
use crate::framework::validators::guid;
use crate::framework::{
    ApplyError, Attribute, Context, Ctx, Diagnostic, Diagnostics, ImportCtx, Schema,
};
use crate::resources::shared::xtap_blocks::{b2b_setting, flags, validate_targets};
use async_trait::async_trait;
use model::Partner;
use serde_json::Value as Json;

pub const TYPE_NAME: &str = "coexistence_cross_tenant_access_partner";

pub struct CrossTenantAccessPartner;

/// The import ID: the partner tenant's GUID, never this tenant's own (a tenant has no partner
/// configuration for itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerTenant(pub TenantGuid);

impl std::str::FromStr for PartnerTenant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(PartnerTenant)
    }
}

impl std::fmt::Display for PartnerTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ImportId for PartnerTenant {
    const FORMAT: &'static str = "<partner tenant GUID>";
    // Not the examples' own tenant (`framework::resource::EXAMPLE_TENANT`).
    const EXAMPLE: &'static str = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54";
}

// ---- schema -------------------------------------------------------------------------------

fn schema() -> Schema {
    Schema::new(
        "Partner-specific cross-tenant access settings for one partner tenant: B2B collaboration and B2B direct connect in both directions, inbound trust, automatic invitation redemption, and (optionally) the partner's identity synchronization policy that allows cross-tenant synchronization into this tenant. Any setting left out inherits the tenant's default cross-tenant access settings.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("The partner tenant ID (same as `tenant_id`)."),
            Attribute::string("tenant_id")
                .required()
                .requires_replace()
                .case_insensitive()
                .validate(guid())
                .description("The partner's tenant ID (a GUID). Changing it replaces the partner configuration. Import ID."),
            b2b_setting("b2b_collaboration_inbound", "Who from the partner tenant may be invited as B2B guests (or members) into this tenant, and to which applications."),
            b2b_setting("b2b_collaboration_outbound", "Which of this tenant's users may be invited into the partner tenant, and to which of its applications."),
            b2b_setting("b2b_direct_connect_inbound", "Which partner users may reach this tenant's resources through B2B direct connect (Teams shared channels)."),
            b2b_setting("b2b_direct_connect_outbound", "Which of this tenant's users may reach the partner's resources through B2B direct connect."),
            flags(
                "inbound_trust",
                &[
                    ("mfa_accepted", "Accept multifactor authentication performed in the partner tenant."),
                    ("compliant_device_accepted", "Accept the partner's compliant-device claims."),
                    ("hybrid_joined_device_accepted", "Accept the partner's hybrid Microsoft Entra joined device claims."),
                ],
            )
            .description("Which claims from the partner tenant Conditional Access trusts. Omit it to inherit the default settings."),
            flags(
                "automatic_user_consent",
                &[
                    ("inbound_allowed", "Suppress the consent prompt for partner users arriving in this tenant (needed on the target side of cross-tenant synchronization)."),
                    ("outbound_allowed", "Suppress the consent prompt for this tenant's users going to the partner (needed on the source side of cross-tenant synchronization)."),
                ],
            )
            .description("Automatic invitation redemption. Omit it to leave both directions not configured (inherits the default: off)."),
            flags(
                "identity_synchronization",
                &[("user_sync_inbound_allowed", "Allow users from the partner tenant to be synchronized into this tenant by cross-tenant synchronization. `false` stops new synchronization; already synchronized users stay.")],
            )
            .description("The partner's identity synchronization policy (this tenant as the target of cross-tenant synchronization). Omit it to have no policy; removing it deletes the policy."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_targets)
}

// ---- CRUD ---------------------------------------------------------------------------------

/// Whether a partner found by its tenant ID is the one a create sent (so an earlier attempt in
/// doubt made it, and it can be adopted).
fn same_partner(sent: &Partner, found: &serde_json::Value) -> bool {
    let mut found = Partner::from_graph(found, None);
    if !found.tenant_id.eq_ignore_ascii_case(&sent.tenant_id) {
        return false;
    }
    found.tenant_id.clone_from(&sent.tenant_id);
    match (found.to_value(), sent.to_value()) {
        (Ok(a), Ok(b)) => a.semantically_equal(&b),
        _ => false,
    }
}

/// The partner and its identity synchronization policy (`None`: no policy), or `None` when the
/// partner does not exist. One GET with `$expand` (see [`api::get_partner_with_sync`]); two
/// GETs only when the service refuses the expansion (400) or answers without it.
/// A partner as [`CrossTenantAccessPartner::list_for_reads`] holds it, split as
/// [`read_partner`] returns it: the partner without its expanded policy, and the policy apart.
fn split_listed(found: &Json) -> (Json, Option<Json>) {
    let mut partner = found.clone();
    let sync = partner
        .as_object_mut()
        .and_then(|m| m.remove("identitySynchronization"))
        .filter(|s| !s.is_null());
    (partner, sync)
}

async fn read_partner(
    g: &GraphClient,
    dl: &Deadline,
    id: &str,
) -> Result<Option<(Json, Option<Json>)>, Diagnostics> {
    let what = || format!("reading the partner configuration for tenant {id}");
    let partner = match g.get_optional(&api::get_partner_with_sync(id), dl).await {
        Err(e) if e.status == Some(400) => {
            tracing::debug!(error = %e, "partner GET with $expand refused: reading the sync policy separately");
            g.get_optional(&api::get_partner(id), dl)
                .await
                .context(what)?
        }
        other => other.context(what)?,
    };
    let Some(mut partner) = partner else {
        return Ok(None);
    };
    // OData JSON format, "Expanded Navigation Property": a single-valued navigation property
    // is expanded as the related entity, or null when none is related. Absent means it was not
    // expanded at all, so only the separate GET can tell.
    let sync = match partner
        .as_object_mut()
        .and_then(|m| m.remove("identitySynchronization"))
    {
        Some(Json::Null) => None,
        Some(s) => Some(s),
        None => g.get_optional(&api::get_sync(id), dl).await.context(|| {
            format!("reading the identity synchronization policy for partner tenant {id}")
        })?,
    };
    Ok(Some((partner, sync)))
}

#[async_trait]
impl crate::framework::TypedResource for CrossTenantAccessPartner {
    type Model = Partner;
    type Id = PartnerTenant;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Ctx, p: Partner) -> Result<Partner, ApplyError> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        let id = &p.tenant_id;
        let what = format!("the partner configuration for tenant {id}");
        let (post, lookup) = (api::create_partner(&p), api::get_partner(id));
        // What the POST makes: the partner without its sync policy (a separate object).
        let sent = Partner {
            identity_synchronization: None,
            ..p.clone()
        };
        let created = g
            .create_once(
                dl,
                &what,
                &post,
                |dl| {
                    let lookup = &lookup;
                    async move { g.get_optional(lookup, &dl).await }
                },
                |found: &serde_json::Value| same_partner(&sent, found),
            )
            .await;
        finish_create(created, &format!("creating {what}"), |_| {
            already_exists(
                TYPE_NAME,
                id,
                &format!("A partner configuration for tenant {id}"),
            )
            .into()
        })?;
        let mut steps = Steps::new();
        steps.completed("partner", sent.to_value()?);
        if let Some(sync) = &p.identity_synchronization {
            // The partner was just created: the sync policy, its child, can 404 until the partner
            // has replicated.
            let put = consistency::retry_while_not_found(dl, "identitySynchronization PUT", || {
                g.send_discarding_body(api::put_sync(id, sync), dl)
            })
            .await;
            // On failure the partner stays in state (Terraform taints it) instead of orphaned.
            steps.check(put.context(|| {
                format!("creating the identity synchronization policy for partner tenant {id}")
            }))?;
        }
        Ok(p.with_id())
    }

    /// Graph returns the key lowercase; the framework keeps the user's spelling of the same GUID
    /// (`tenant_id` is case-insensitive).
    async fn read(&self, ctx: &Ctx, state: Partner) -> Result<Option<Partner>, Diagnostics> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        let Some((partner, sync)) = read_partner(g, dl, &state.tenant_id).await? else {
            return Ok(None);
        };
        Ok(Some(Partner::from_graph(&partner, sync.as_ref()).with_id()))
    }

    /// The collection with every partner's identity synchronization policy expanded carries
    /// all the read maps: one paged request answers every partner's refresh.
    async fn list_for_reads(
        &self,
        ctx: &Ctx,
        _: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        let all = list::all_with_sync(ctx).await?;
        Ok(Some(
            all.into_iter()
                .map(|(mut p, sync)| {
                    let tenant = p["tenantId"].as_str().unwrap_or_default().to_string();
                    p["identitySynchronization"] = sync.unwrap_or(Json::Null);
                    (tenant, p)
                })
                .collect(),
        ))
    }

    fn listed_key(&self, state: &Partner) -> Option<ListedKey> {
        Some(ListedKey::whole(&state.tenant_id))
    }

    async fn read_listed(
        &self,
        _: &Ctx,
        _: Partner,
        found: &Json,
    ) -> Result<Option<Partner>, Diagnostics> {
        let (partner, sync) = split_listed(found);
        Ok(Some(Partner::from_graph(&partner, sync.as_ref()).with_id()))
    }

    async fn update(&self, ctx: &Ctx, old: Partner, new: Partner) -> Result<Partner, ApplyError> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        let id = &new.tenant_id;
        if old.settings_json() != new.settings_json() {
            g.send_discarding_body(api::update_partner(&new), dl)
                .await
                .context(|| format!("updating the partner configuration for tenant {id}"))?;
        }
        match (&old.identity_synchronization, &new.identity_synchronization) {
            // No policy before or after: nothing to send.
            (None, None) => {}
            (Some(_), None) => {
                g.send_unless_gone(api::delete_sync(id), dl)
                    .await
                    .context(|| {
                        format!(
                            "deleting the identity synchronization policy for partner tenant {id}"
                        )
                    })?
            }
            (None, Some(s)) => match g.send(&api::put_sync(id, s), dl).await {
                // Created out of band since the last refresh: update it instead.
                Err(e) if e.is_conflict() => {
                    g.send_discarding_body(api::patch_sync(id, s), dl).await
                }
                other => other.map(|_| ()),
            }
            .context(|| {
                format!("creating the identity synchronization policy for partner tenant {id}")
            })?,
            (Some(a), Some(b)) if a != b => match g.send(&api::patch_sync(id, b), dl).await {
                // Deleted out of band since the last refresh: create it again.
                Err(e) if e.is_not_found() => {
                    g.send_discarding_body(api::put_sync(id, b), dl).await
                }
                other => other.map(|_| ()),
            }
            .context(|| {
                format!("updating the identity synchronization policy for partner tenant {id}")
            })?,
            _ => {}
        }
        Ok(new.with_id())
    }

    async fn delete(&self, ctx: &Ctx, state: Partner) -> Result<(), Diagnostics> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        let id = state.tenant_id.as_str();
        let sync_what =
            || format!("deleting the identity synchronization policy for partner tenant {id}");
        // Graph refuses to delete a partner that still has a sync policy: the policy goes first
        // when state knows of one.
        let had_sync = state.identity_synchronization.is_some();
        if had_sync {
            g.send_unless_gone(api::delete_sync(id), dl)
                .await
                .context(sync_what)?;
        }
        let what = || format!("deleting the partner configuration for tenant {id}");
        match g.send_unless_gone(api::delete_partner(id), dl).await {
            // Refused, and state knew of no policy: one may have been created out of band since
            // the last refresh (or the plan ran with -refresh=false). The status of that refusal
            // is not documented (400 in the emulator), so any 400/409 gets one policy DELETE: a
            // 404 there means the refusal had another cause, which is then reported as it was.
            Err(e) if !had_sync && matches!(e.status, Some(400 | 409)) => {
                match g.send(&api::delete_sync(id), dl).await {
                    Err(s) if s.is_not_found() => return Err::<(), _>(e).context(what),
                    other => other.map(|_| ()).context(sync_what)?,
                }
                g.send_unless_gone(api::delete_partner(id), dl)
                    .await
                    .context(what)?;
            }
            other => other.context(what)?,
        }
        Ok(())
    }

    fn import(&self, ctx: &ImportCtx, id: PartnerTenant) -> Result<Partner, Diagnostics> {
        if id.to_string() == ctx.this_tenant(TYPE_NAME, &id.to_string())? {
            return Err(Diagnostic::error(
                "Import ID names this tenant",
                format!(
                    "{id} is the tenant of the provider this import uses, and a tenant has no partner configuration for itself. Import the partner's GUID here, or import this configuration through the provider of the tenant that holds it (the other side of the pair)."
                ),
            )
            .into());
        }
        Ok(Partner::imported(id.to_string()))
    }

    async fn list(
        &self,
        ctx: &Ctx,
        opts: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<Partner>, Diagnostics> {
        list::list(ctx, opts).await
    }

    fn import_id(&self, state: &Partner) -> Option<String> {
        // The GUID as configured: import keeps its spelling, so the plan after it stays empty.
        Some(state.tenant_id.clone())
    }

    fn list_config(&self) -> Schema {
        use crate::framework::listing::{INCLUDE_SERVICE_PROVIDERS, TENANT_ID};
        Schema::new(
            "Lists the partner configurations of the provider's tenant (with their identity synchronization policies). Partners the service marks as service providers are left out unless `include_service_providers` is true.",
            vec![
                Attribute::bool(INCLUDE_SERVICE_PROVIDERS).optional().description(
                    "Also list partners the service marks `isServiceProvider` (made by CSP relationships and support cases, not by the tenant's admins), as `export --include-service-providers` does. Defaults to `false`.",
                ),
                Attribute::string(TENANT_ID).optional().validate(guid()).description(
                    "List only the partner configuration of this partner tenant (a GUID).",
                ),
            ],
        )
    }

    fn natural_key(&self) -> &'static str {
        "`tenant_id`: a tenant holds at most one partner configuration per partner tenant."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}
