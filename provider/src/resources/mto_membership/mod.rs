//! `coexistence_mto_membership`: a multitenant organization (MTO) from either side. In the
//! owner tenant it creates the organization and adds the other tenants
//! (`/tenantRelationships/multiTenantOrganization` and its `tenants`); in a member tenant it
//! asks to join (`.../joinRequest`). Which side a resource is, is decided by its arguments:
//! `owner_tenant_id` makes it the member side. Facts: API-NOTES.md#mto-endpoints.
//!
//! Every write is asynchronous in the service: a transition toward the configured value
//! (pending add, pending role change, pending join) reads back as that value, so it is never
//! drift; a transition away from it (a member being removed) reads back as the member missing.

mod api;
#[cfg(test)]
mod crud_tests;
mod import;
mod list;
mod member;
mod model;
mod owner;
#[cfg(test)]
mod tests;

use crate::clients::graph::GraphClient;
use crate::clients::{consistency, create, ApiError, Deadline};
use crate::framework::diag::Diagnostic;
use crate::framework::lifecycle::already_exists;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::schema::{timeouts_attribute, Kind};
use crate::framework::steps::Steps;
use crate::framework::validators::{guid, is_guid};
use crate::framework::value::Type;
use crate::framework::{
    ApplyError, AttrPath, Attribute, Context, Ctx, Diagnostics, ImportCtx, Schema, Value,
};
use async_trait::async_trait;
use member::{create_member, delete_member, read_member};
use model::{js, member_from_graph, MemberTenant, Membership};
use owner::{create_owner, delete_owner, read_owner, update_owner};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub const TYPE_NAME: &str = "coexistence_mto_membership";

pub struct MtoMembership;

// ---- schema -------------------------------------------------------------------------------

const ROLES: &[&str] = &["member", "owner"];
const OWNER_ARGS: &[&str] = &["display_name", "description", "member_tenants"];

fn member_type() -> Type {
    Type::Object(BTreeMap::from([
        ("display_name".to_string(), Type::String),
        ("role".to_string(), Type::String),
    ]))
}

fn schema() -> Schema {
    Schema::new(
        "One tenant's part in a Microsoft Entra multitenant organization. On the owner side (`display_name` set) it creates the organization in this tenant and adds the other tenants; on the member side (`owner_tenant_id` set) this tenant asks to join the owner's organization. A two-provider configuration expresses both: the owner adds the tenant, the tenant joins.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("`owner/<this tenant ID>` on the owner side, `member/<owner tenant ID>` on the member side (the import ID)."),
            // role, state and failure_details move only through the service, never through an
            // update (the member side's update changes nothing remote), hence use-state.
            Attribute::string("tenant_id").computed().use_state_for_unknown().description("This tenant's ID (the provider's sign-in tenant)."),
            Attribute::string("display_name").optional().description("Owner side: the organization's name. Required on the owner side; updatable. Conflicts with `owner_tenant_id`."),
            Attribute::string("description").optional().description("Owner side: the organization's description. Updatable."),
            Attribute::new("member_tenants", Kind::Plain(Type::map(member_type())))
                .optional()
                .description("Owner side: the other tenants, keyed by tenant GUID, each `{ display_name, role }`. `role` is `member` or `owner`, changed in place; `display_name` is fixed once added, so changing it removes and re-adds that tenant only. Adding or removing an entry adds or removes that tenant in place."),
            Attribute::new("member_states", Kind::Plain(Type::map(Type::String)))
                .computed()
                .description("Owner side: each member tenant's state (`pending`, `active`, ...), keyed by tenant GUID."),
            Attribute::string("owner_tenant_id")
                .optional()
                .requires_replace()
                .case_insensitive()
                .validate(guid())
                .description("Member side: the owner tenant whose organization this tenant joins. Changing it replaces the membership. Conflicts with the owner-side arguments."),
            Attribute::bool("wait_for_active").optional().description("Member side: wait, bounded by `timeouts.create`, until the join is active or failed (joins can take up to two hours). A failed join is an error quoting the service's reason. Default `false`."),
            Attribute::string("role").computed().use_state_for_unknown().description("This tenant's role in the organization: `owner` or `member` (null while a join is pending)."),
            Attribute::string("failure_details").computed().use_state_for_unknown().description("Member side: why the join failed, as the service reports it (null unless `state` is `failed`)."),
            Attribute::string("state").computed().use_state_for_unknown().description("Owner side: the organization's state (`active`). Member side: the join's state (`pending`, `active`, `failed`)."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_sides)
}

/// Exactly one side per resource, and member keys and roles Graph would reject.
fn validate_sides(config: &Value, diags: &mut Diagnostics) {
    let member_side = !config.get("owner_tenant_id").is_null();
    if member_side {
        for a in OWNER_ARGS {
            if !config.get(a).is_null() {
                diags.error_at(
                    &AttrPath::root().attr(a),
                    "Conflicting configuration arguments",
                    format!("\"{a}\" is an owner-side argument and cannot be set together with \"owner_tenant_id\" (the member side)."),
                );
            }
        }
    } else {
        if config.get("display_name").is_null() {
            diags.error_at(
                &AttrPath::root().attr("display_name"),
                "Missing required argument",
                "Set \"display_name\" (owner side: create the organization) or \"owner_tenant_id\" (member side: join an owner's organization).",
            );
        }
        if !config.get("wait_for_active").is_null() {
            diags.error_at(
                &AttrPath::root().attr("wait_for_active"),
                "Member-side argument on the owner side",
                "\"wait_for_active\" applies only with \"owner_tenant_id\" (the member side).",
            );
        }
    }
    let path = AttrPath::root().attr("member_tenants");
    if let Value::Map(m) = config.get("member_tenants") {
        for (k, v) in m {
            if !is_guid(k) {
                diags.error_at(
                    &path,
                    "Invalid member tenant key",
                    format!("member_tenants keys are tenant GUIDs; {k:?} is not one."),
                );
            }
            if let Some(role) = v.get("role").as_str() {
                if !ROLES.contains(&role) {
                    diags.error_at(&path, "Invalid role", format!("member_tenants[{k:?}].role must be \"member\" or \"owner\", not {role:?}."));
                }
            }
            if v.get("display_name").as_str() == Some("") {
                diags.error_at(
                    &path,
                    "Empty display name",
                    format!("member_tenants[{k:?}].display_name must not be empty."),
                );
            }
        }
    }
}

// ---- helpers ------------------------------------------------------------------------------

/// This tenant: the provider's. A state naming another tenant (imported before import IDs
/// were checked) is refused, so no operation acts on another tenant's organization.
fn this_tenant(ctx: &Ctx, state: &Membership) -> Result<String, Diagnostics> {
    let provider = ctx.clients.tenant_id().map(str::to_ascii_lowercase);
    match (&state.tenant_id, provider) {
        (Some(s), Some(p)) if !s.eq_ignore_ascii_case(&p) => Err(Diagnostic::error(
            "State names another tenant",
            format!(
                "This coexistence_mto_membership's state has tenant_id {s}, but its provider signs in to tenant {p}. Nothing was sent. Remove it from the state (`terraform state rm`) and import it through the provider of tenant {s}."
            ),
        )
        .into()),
        (_, Some(p)) => Ok(p),
        (Some(s), None) => Ok(s.to_ascii_lowercase()),
        (None, None) => Err(Diagnostic::error(
            "Tenant ID unknown",
            "coexistence_mto_membership needs the provider's tenant_id to be configured.",
        )
        .into()),
    }
}

/// The organization as this tenant sees it, `None` when the tenant is in no organization
/// (Graph still answers 200, with `state: inactive`).
async fn get_mto(g: &GraphClient, dl: &Deadline) -> Result<Option<Json>, ApiError> {
    let mto = g.get_optional(&api::get_mto(), dl).await?;
    Ok(mto.filter(|m| js(m, "state").as_deref() == Some("active")))
}

async fn list_tenants(g: &GraphClient, dl: &Deadline) -> Result<Vec<Json>, ApiError> {
    let list = g.get_optional(&api::list_tenants(), dl).await?;
    Ok(list
        .and_then(|l| l.get("value").and_then(Json::as_array).cloned())
        .unwrap_or_default())
}

/// Removes `tenant` and waits until the service has finished (GET answers 404).
async fn remove_and_wait(g: &GraphClient, dl: &Deadline, tenant: &str) -> Result<(), Diagnostics> {
    match g
        .send_discarding_body(&api::remove_tenant(tenant), dl)
        .await
    {
        Err(e) if e.is_not_found() => return Ok(()),
        other => other
            .context(|| format!("removing tenant {tenant} from the multitenant organization"))?,
    }
    consistency::wait_for_deletion(
        dl,
        &format!("the removal of tenant {tenant} from the multitenant organization"),
        || async { g.get_optional(&api::get_tenant(tenant), dl).await },
    )
    .await
    .context(|| format!("waiting for tenant {tenant} to leave the multitenant organization"))
}

async fn add_member(
    g: &GraphClient,
    dl: &Deadline,
    id: &str,
    m: &MemberTenant,
) -> Result<(), Diagnostics> {
    match g.send_discarding_body(&api::add_tenant(id, m), dl).await {
        // 400 "already being added": a retried POST whose first attempt made it. Adopt it only
        // if it is the tenant we asked for.
        Err(e) if e.status == Some(400) => {
            let found = g
                .get_optional(&api::get_tenant(id), dl)
                .await
                .ok()
                .flatten();
            match found.as_ref().and_then(member_from_graph) {
                Some((_, f, _)) if f.display_name == m.display_name => {
                    if f.role != m.role {
                        g.send_discarding_body(&api::set_role(id, &m.role), dl)
                            .await
                            .context(|| format!("setting the role of tenant {id}"))?;
                    }
                    Ok(())
                }
                _ => Err::<(), _>(e)
                    .context(|| format!("adding tenant {id} to the multitenant organization")),
            }
        }
        other => other.context(|| format!("adding tenant {id} to the multitenant organization")),
    }
}

// ---- the resource -------------------------------------------------------------------------

#[async_trait]
impl crate::framework::TypedResource for MtoMembership {
    type Model = Membership;
    type Id = import::MtoImportId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        member::warn_of_a_failed_join(req.prior, plan);
    }

    async fn create(&self, ctx: &Ctx, p: Membership) -> Result<Membership, ApplyError> {
        if p.is_member_side() {
            create_member(ctx, &p).await
        } else {
            create_owner(ctx, &p).await
        }
    }

    async fn read(&self, ctx: &Ctx, s: Membership) -> Result<Option<Membership>, Diagnostics> {
        if s.is_member_side() {
            read_member(ctx, &s).await
        } else {
            read_owner(ctx, &s).await
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        old: Membership,
        new: Membership,
    ) -> Result<Membership, ApplyError> {
        if new.is_member_side() {
            // Only wait_for_active can change in place; it affects creates only.
            return Ok(new);
        }
        update_owner(ctx, &old, &new).await
    }

    async fn delete(&self, ctx: &Ctx, s: Membership) -> Result<(), Diagnostics> {
        if s.is_member_side() {
            delete_member(ctx, &s).await
        } else {
            delete_owner(ctx, &s).await
        }
    }

    fn import(&self, ctx: &ImportCtx, id: import::MtoImportId) -> Result<Membership, Diagnostics> {
        import::import(ctx, id)
    }

    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<Membership>, Diagnostics> {
        list::list(self, ctx).await
    }

    fn import_id(&self, state: &Membership) -> Option<String> {
        import::import_id(state)
    }

    fn natural_key(&self) -> &'static str {
        "the tenant itself: a tenant belongs to at most one multitenant organization, so a create first checks that this tenant is in none."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}
