//! The partner settings cross-tenant synchronization needs of both tenants
//! (API-NOTES.md#xts-prerequisites): in the target tenant, a partner configuration for this
//! (source) tenant that allows inbound user synchronization and automatic redemption inbound;
//! in this tenant, one
//! for the target that allows automatic redemption outbound.
//!
//! This tenant's own setting is read before anything is made, so a missing one fails the
//! create with nothing to taint. The target's settings cannot be read with this tenant's
//! credentials: only the service's credential check tests them, and it needs the
//! configuration's service principal, so it runs after the instantiate (the application it
//! made then stays in state, tainted, and the next apply replaces it). The service names one
//! missing setting per answer, so every error here names all that may be missing, each as a
//! complete resource block (object-typed attributes take whole objects: a partial
//! `automatic_user_consent = { outbound_allowed = true }` is refused by Terraform).

use super::api;
use crate::clients::ApiError;
use crate::framework::{AttrPath, Ctx, Diagnostic, Diagnostics};
use serde_json::Value as Json;

const PARTNER: &str = "coexistence_cross_tenant_access_partner";

/// This tenant's automatic redemption outbound for the target, as the service evaluates it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum SourceSide {
    Allowed,
    /// Not allowed. `inbound`: the partner's current inbound value (kept in the suggestion);
    /// `partner`: whether this tenant has a partner configuration for the target at all.
    Missing {
        partner: bool,
        inbound: bool,
    },
    /// Not readable (e.g. `Policy.Read.All` not granted): the credential check decides.
    Unknown(String),
}

/// `automaticUserConsentSettings.<member>` of a policy, when set (`null` inherits).
fn consent(policy: &Json, member: &str) -> Option<bool> {
    policy
        .get("automaticUserConsentSettings")
        .and_then(|c| c.get(member))
        .and_then(Json::as_bool)
}

/// Reads this tenant's setting: the partner configuration for the target, and when that has
/// none (no partner, or `null`), the default configuration it inherits.
pub(super) async fn source_side(ctx: &Ctx, target: &str) -> SourceSide {
    let (g, dl) = (&ctx.clients.graph, &ctx.deadline);
    let partner = match g.get_optional(&api::get_partner(target), dl).await {
        Ok(p) => p,
        Err(e) => return SourceSide::Unknown(e.to_string()),
    };
    let inbound = partner
        .as_ref()
        .and_then(|p| consent(p, "inboundAllowed"))
        .unwrap_or(false);
    let outbound = match partner.as_ref().and_then(|p| consent(p, "outboundAllowed")) {
        Some(v) => v,
        None => match g.send_json(api::get_default_policy(), dl).await {
            Ok(d) => consent(&d, "outboundAllowed").unwrap_or(false),
            Err(e) => return SourceSide::Unknown(e.to_string()),
        },
    };
    if outbound {
        SourceSide::Allowed
    } else {
        SourceSide::Missing {
            partner: partner.is_some(),
            inbound,
        }
    }
}

/// This tenant's ID in the suggested HCL.
fn this_tenant(ctx: &Ctx) -> String {
    ctx.clients
        .tenant_id()
        .map_or_else(|| "<this tenant's ID>".to_string(), str::to_ascii_lowercase)
}

/// The block this tenant declares (indented: Terraform does not re-wrap indented lines).
fn source_block(target: &str, inbound: bool) -> String {
    format!(
        "  resource \"{PARTNER}\" \"sync_target\" {{\n    tenant_id              = \"{target}\"\n    automatic_user_consent = {{ inbound_allowed = {inbound}, outbound_allowed = true }}\n  }}"
    )
}

/// The block the target tenant declares, with its own provider.
fn target_block(source: &str) -> String {
    format!(
        "  resource \"{PARTNER}\" \"sync_source\" {{\n    provider                 = coexistence.target # the target tenant's provider\n    tenant_id                = \"{source}\"\n    automatic_user_consent   = {{ inbound_allowed = true, outbound_allowed = false }}\n    identity_synchronization = {{ user_sync_inbound_allowed = true }}\n  }}"
    )
}

fn source_text(target: &str, side: &SourceSide) -> String {
    let (why, inbound) = match side {
        SourceSide::Missing { partner: false, .. } => (
            format!("it has no partner configuration for the target tenant {target} and its default configuration does not allow automatic redemption outbound"),
            false,
        ),
        SourceSide::Missing { inbound, .. } => (
            format!("its partner configuration for the target tenant {target} does not allow automatic redemption outbound (automatic_user_consent.outbound_allowed)"),
            *inbound,
        ),
        SourceSide::Unknown(e) => (
            format!("its partner configuration for the target tenant {target} could not be read ({e}); it needs automatic_user_consent.outbound_allowed = true"),
            false,
        ),
        SourceSide::Allowed => unreachable!("only a missing or unread setting is described"),
    };
    format!(
        "This (source) tenant: {why}. Declare it with this tenant's provider, or set these values in the {PARTNER} that already has tenant_id = \"{target}\":\n\n{}",
        source_block(target, inbound)
    )
}

fn target_text(source: &str, target: &str, checked: &str) -> String {
    format!(
        "The target tenant {target}: its partner configuration for this tenant must allow inbound user synchronization (identity_synchronization.user_sync_inbound_allowed) and automatic redemption inbound (automatic_user_consent.inbound_allowed). {checked} Declare it with the target tenant's provider (aliased coexistence.target below), or set these values in the {PARTNER} there that already has tenant_id = \"{source}\":\n\n{}",
        target_block(source)
    )
}

fn diagnostic(target: &str, detail: String) -> Diagnostics {
    Diagnostic::error(
        format!("Cross-tenant synchronization to tenant {target} is not allowed by the partner settings"),
        format!("{detail}\n\nApply the coexistence_xts_job after both (depends_on)."),
    )
    .at(AttrPath::root().attr("target_tenant_id"))
    .into()
}

/// Before anything is made: this tenant's setting read, an error naming every setting to
/// declare when it is missing. Otherwise what was read, for [`refused`].
pub(super) async fn check_before_create(
    ctx: &Ctx,
    target: &str,
) -> Result<SourceSide, Diagnostics> {
    let side = source_side(ctx, target).await;
    if let SourceSide::Unknown(e) = &side {
        tracing::warn!(error = %e, "this tenant's partner settings could not be read: the credential check decides");
    }
    if !matches!(side, SourceSide::Missing { .. }) {
        return Ok(side);
    }
    let source = this_tenant(ctx);
    Err(diagnostic(
        target,
        format!(
            "Nothing was created. Both tenants need partner settings:\n\n1. {}\n\n2. {}",
            source_text(target, &side),
            target_text(&source, target, "This tenant cannot read them; the service checks them once this tenant's settings are in place.")
        ),
    ))
}

/// The service's credential check refused: the target's settings (which it tested) are named
/// together, with this tenant's too when they could not be read.
pub(super) fn refused(ctx: &Ctx, target: &str, side: &SourceSide, e: &ApiError) -> Diagnostics {
    let source = this_tenant(ctx);
    let checked = format!(
        "The service's credential check refused (it names one missing setting at a time: {e})."
    );
    let target_part = target_text(&source, target, &checked);
    let detail = match side {
        SourceSide::Allowed => target_part,
        _ => format!(
            "Both tenants may need partner settings:\n\n1. {}\n\n2. {target_part}",
            source_text(target, side)
        ),
    };
    diagnostic(
        target,
        format!("{detail}\n\nThe configuration application made for the check stays in state, tainted: the next apply replaces it."),
    )
}
