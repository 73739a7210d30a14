//! `coexistence_ca_block_external_members`: the low-trust mitigation for cross-tenant
//! synchronization as one Conditional Access policy (Graph
//! `/identity/conditionalAccess/policies`): B2B collaboration *members* from the named external
//! tenants, all applications, grant = block.
//!
//! Reads top to bottom: schema, validation, plan, CRUD, import. The model and its Graph mapping
//! are in `model.rs`, the comparison with the managed shape in `shape.rs`, request builders in
//! `api.rs`.

mod api;
#[cfg(test)]
mod crud_tests;
mod list;
mod model;
mod shape;
#[cfg(test)]
mod tests;

use crate::clients::graph::GraphClient;
use crate::clients::{ApiError, Deadline};
use crate::framework::diag::finish_create;
use crate::framework::import_id::ImportId;
use crate::framework::lifecycle::already_exists;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::refresh::ListedKey;
use crate::framework::schema::{timeouts_attribute, Kind};
use crate::framework::validators::{is_guid, one_of, size_at_least};
use crate::framework::{
    ApplyError, AttrPath, Attribute, Context, Ctx, Diagnostic, Diagnostics, ImportCtx, Schema,
    Type, Value,
};
use async_trait::async_trait;
use model::{Policy, DEFAULT_STATE};
use serde_json::Value as Json;

pub const TYPE_NAME: &str = "coexistence_ca_block_external_members";

pub struct CaBlockExternalMembers;

// ---- schema -------------------------------------------------------------------------------

const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
/// Assumed: the portal caps policy names at 256 characters; Graph documents no limit.
const MAX_NAME: usize = 256;

fn schema() -> Schema {
    Schema::new(
        "A Conditional Access policy that blocks B2B collaboration members from the named external tenants (the users cross-tenant synchronization provisions) from every application: the low-trust mitigation of a coexistence. \
         The resource owns the policy's whole `conditions`, `grantControls` and `sessionControls`: users = `includeGuestsOrExternalUsers` with user type `b2bCollaborationMember` and enumerated external tenants, no other users, groups or roles included, `excludeUsers` / `excludeGroups` from the exclusions below; applications = `All` with nothing excluded; client apps `all`; no platform, location, device, client application, risk or authentication-flow condition; grant = `block` (operator `OR`) and nothing else; no session controls. \
         An out-of-band edit of any of these shows in `shape_differences` and the next apply restores the managed shape. The policy's `description` is left as it is. \
         Conditional Access allows about one request per second per tenant: the provider paces these requests per tenant and backs off on throttling, so an apply of several policies takes about a second per request.",
        vec![
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("The policy ID (a GUID assigned by Graph). Import ID."),
            Attribute::string("display_name")
                .required()
                .description("The policy's name (1 to 256 characters); updatable in place. Keep it unique in the tenant: an interrupted create finds its policy by this name instead of creating a second one."),
            Attribute::string("state")
                .default(Value::string(DEFAULT_STATE))
                .validate(one_of(STATES))
                .description("`enabled`, `disabled` or `enabledForReportingButNotEnforced` (report-only, the default, so a first apply never locks anyone out)."),
            Attribute::string_set("external_tenant_ids")
                .required()
                .validate(size_at_least(1))
                .description("Tenant IDs (GUIDs) whose B2B collaboration members are blocked; at least one. Updatable in place."),
            Attribute::string_set("exclude_user_ids")
                .default(Value::Set(Vec::new()))
                .description("Object IDs (GUIDs) of users the policy never applies to, e.g. break-glass accounts. Omitted means none."),
            Attribute::string_set("exclude_group_ids")
                .default(Value::Set(Vec::new()))
                .description("Object IDs (GUIDs) of groups whose members the policy never applies to. Omitted means none."),
            Attribute::string("created_date_time")
                .computed()
                .use_state_for_unknown()
                .description("When the policy was created (RFC 3339)."),
            Attribute::string("modified_date_time")
                .computed()
                .description("When the policy was last changed (RFC 3339); null until its first update."),
            Attribute::new("shape_differences", Kind::Plain(Type::list(Type::String)))
                .computed()
                .description("How the policy differs from the managed shape (out-of-band edits of the conditions, grant or session controls), one sentence each; empty when it matches. A non-empty list plans an in-place update that restores the shape."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_config)
}

// ---- validation ---------------------------------------------------------------------------

/// GUIDs, no GUID twice (a set keeps `A` and `a` apart; Graph would not).
fn validate_ids(config: &Value, attr: &str, what: &str, diags: &mut Diagnostics) {
    let path = AttrPath::root().attr(attr);
    let mut seen: Vec<String> = Vec::new();
    for e in config.get(attr).elements() {
        let Some(s) = e.as_str() else { continue };
        if !is_guid(s) {
            diags.error_at(
                &path,
                format!("Invalid value for {attr}"),
                format!("{s:?} is not a GUID. {what} are GUIDs of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx."),
            );
        } else if seen.iter().any(|x| x.eq_ignore_ascii_case(s)) {
            diags.error_at(
                &path,
                format!("Duplicate value in {attr}"),
                format!("{s:?} is listed twice (GUIDs are compared without case)."),
            );
        } else {
            seen.push(s.to_string());
        }
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    if let Some(name) = config.get("display_name").as_str() {
        let len = name.chars().count();
        if name.trim().is_empty() || len > MAX_NAME {
            diags.error_at(
                &AttrPath::root().attr("display_name"),
                "Invalid value for display_name",
                format!("display_name must be 1 to {MAX_NAME} characters and not only spaces; got {len} characters."),
            );
        }
    }
    validate_ids(config, "external_tenant_ids", "Tenant IDs", diags);
    validate_ids(config, "exclude_user_ids", "User object IDs", diags);
    validate_ids(config, "exclude_group_ids", "Group object IDs", diags);
}

// ---- plan ---------------------------------------------------------------------------------

/// The managed shape always planned (defaults are declared on the attributes): a policy edited out of band plans an update.
fn plan(req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
    let root = AttrPath::root();
    plan.set(&root.attr("shape_differences"), Value::List(Vec::new()));
    // Any change is a PATCH, which moves modifiedDateTime.
    if !req.prior.is_null() && !plan.planned().semantically_equal(req.prior) {
        plan.mark_unknown(&root.attr("modified_date_time"));
    }
}

// ---- CRUD ---------------------------------------------------------------------------------

/// A policy by its id; `None` when it does not exist.
/// What a read of `state` makes of `found`, the policy `id` as Graph answers it (a GET or the
/// listing: the same mapping).
fn read_found(state: &Policy, id: &str, found: &Json) -> Result<Policy, Diagnostics> {
    let mut read = Policy::from_graph(found);
    // An import is the only state without a display name (it is required): a policy that
    // is not this resource's shape is refused instead of adopted and rewritten.
    let imported = state.is_imported();
    let differences = read.shape_differences.clone().unwrap_or_default();
    if imported && (!differences.is_empty() || read.external_tenant_ids.is_empty()) {
        return Err(Diagnostic::error(
            "Not a block-external-members policy",
            format!(
                "The Conditional Access policy {id} ({:?}) is not the shape {TYPE_NAME} manages, so it cannot be imported as one:\n- {}\nImport only a policy that blocks B2B collaboration members of enumerated external tenants from all applications, or manage this one another way.",
                read.display_name,
                if differences.is_empty() { "it names no external tenants".to_string() } else { differences.join("\n- ") }
            ),
        )
        .into());
    }
    if !imported {
        read.keep_spelling(state);
    }
    Ok(read)
}

async fn get_policy(g: &GraphClient, dl: &Deadline, id: &str) -> Result<Option<Json>, ApiError> {
    g.get_optional(&api::get_policy(id), dl).await
}

/// The policy a create of `sent` may have made: a policy with its display name, preferring one
/// that matches what was sent (display names are not unique in Conditional Access).
/// A policy named as `p` exists already: import it, or pick another name.
fn namesake_exists(p: &Policy, existing: &Json) -> Diagnostic {
    already_exists(
        TYPE_NAME,
        &id_of(existing).unwrap_or_default(),
        &format!("A Conditional Access policy named {:?}", p.display_name),
    )
    .at(AttrPath::root().attr("display_name"))
}

async fn find_by_name(
    g: &GraphClient,
    dl: &Deadline,
    sent: &Policy,
) -> Result<Option<Json>, ApiError> {
    let mut named: Vec<Json> = g
        .list_all(&api::list_policies(), dl)
        .await?
        .into_iter()
        .filter(|p| p["displayName"].as_str() == Some(sent.display_name.as_str()))
        .collect();
    let matching = named
        .iter()
        .position(|p| sent.same_policy(&Policy::from_graph(p)));
    Ok(match matching {
        Some(i) => Some(named.swap_remove(i)),
        None => named.into_iter().next(),
    })
}

fn id_of(v: &Json) -> Option<String> {
    v["id"].as_str().map(str::to_string)
}

#[async_trait]
impl crate::framework::TypedResource for CaBlockExternalMembers {
    type Model = Policy;
    type Id = PolicyId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, m: &mut ModifyPlan) {
        plan(req, m);
    }

    async fn create(&self, ctx: &Ctx, p: Policy) -> Result<Policy, ApplyError> {
        let g = &ctx.clients.graph;
        let dl = &ctx.deadline;
        let what = format!("the Conditional Access policy {:?}", p.display_name);
        // Look first: Graph accepts any number of policies of one name, but this resource finds
        // an interrupted create by its name, so the name must stay unique.
        let namesake = find_by_name(g, dl, &p)
            .await
            .context(|| format!("looking for {what} before creating it"))?;
        if let Some(existing) = namesake {
            return Err(Diagnostics::from(namesake_exists(&p, &existing)).into());
        }
        let post = api::create_policy(&p);
        // The POST assigns the id: an attempt whose answer was lost is found by display name.
        let created = g
            .create_once(
                dl,
                &what,
                &post,
                |dl| {
                    let p = &p;
                    async move { find_by_name(g, &dl, p).await }
                },
                |found: &Json| p.same_policy(&Policy::from_graph(found)),
            )
            .await;
        let id = finish_create(created, &format!("creating {what}"), |existing| {
            namesake_exists(&p, &existing.unwrap_or(Json::Null)).into()
        })?
        .object(|r| r.body)
        .and_then(|made| id_of(&made));
        let Some(id) = id else {
            return Err(Diagnostics::from(Diagnostic::error(
                format!("Error creating {what}"),
                "Graph answered the create without the policy's id.",
            ))
            .into());
        };
        Ok(Policy { id: Some(id), ..p })
    }

    async fn read(&self, ctx: &Ctx, state: Policy) -> Result<Option<Policy>, Diagnostics> {
        let g = &ctx.clients.graph;
        let mut id = state.id.clone().unwrap_or_default();
        if state.is_imported() && !is_guid(&id) {
            // Imported by display name: the one policy that has it.
            id = list::by_display_name(ctx, &id).await?;
        }
        let Some(found) = get_policy(g, &ctx.deadline, &id)
            .await
            .context(|| format!("reading the Conditional Access policy {id}"))?
        else {
            return Ok(None);
        };
        read_found(&state, &id, &found).map(Some)
    }

    /// Every policy in one paged request (a GET of each answers the same object,
    /// API-NOTES.md#ca-normalisation): at one request a second per tenant, a refresh of N
    /// policies takes one request instead of N seconds.
    async fn list_for_reads(
        &self,
        ctx: &Ctx,
        _: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        let all = ctx
            .clients
            .graph
            .list_all(&api::list_policies(), &ctx.deadline)
            .await
            .context(|| "listing the Conditional Access policies".into())?;
        Ok(Some(
            all.into_iter()
                .filter_map(|p| Some((id_of(&p)?, p)))
                .collect(),
        ))
    }

    /// By ID; a policy imported by display name has none yet and is read directly.
    fn listed_key(&self, state: &Policy) -> Option<ListedKey> {
        state
            .id
            .as_deref()
            .filter(|id| is_guid(id))
            .map(ListedKey::whole)
    }

    async fn read_listed(
        &self,
        _: &Ctx,
        state: Policy,
        found: &Json,
    ) -> Result<Option<Policy>, Diagnostics> {
        let id = state.id.clone().unwrap_or_default();
        read_found(&state, &id, found).map(Some)
    }

    /// Not called for a change of `timeouts` alone (the framework skips it): anything else
    /// is a change to send.
    async fn update(&self, ctx: &Ctx, old: Policy, new: Policy) -> Result<Policy, ApplyError> {
        let g = &ctx.clients.graph;
        let id = old.id.clone().unwrap_or_default();
        g.send(&api::update_policy(&id, &new), &ctx.deadline)
            .await
            .context(|| format!("updating the Conditional Access policy {id}"))?;
        Ok(Policy {
            id: Some(id),
            ..new
        })
    }

    async fn delete(&self, ctx: &Ctx, state: Policy) -> Result<(), Diagnostics> {
        let id = state.id.as_deref().unwrap_or_default();
        // Graph keeps a deleted policy under deletedItems for 30 days; application permissions
        // cannot purge it. 404: already gone, which is the goal.
        match ctx
            .clients
            .graph
            .send(&api::delete_policy(id), &ctx.deadline)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other
                .map(|_| ())
                .context(|| format!("deleting the Conditional Access policy {id}")),
        }
    }

    fn import(&self, _: &ImportCtx, id: PolicyId) -> Result<Policy, Diagnostics> {
        Ok(Policy::imported(id.to_string()))
    }

    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<Policy>, Diagnostics> {
        list::list(ctx).await
    }

    fn import_id(&self, state: &Policy) -> Option<String> {
        state.id.clone()
    }

    fn natural_key(&self) -> &'static str {
        "`display_name`: Graph assigns the policy ID on create, so a create whose answer was lost looks for a policy of that name (and the managed shape) before sending it again."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}

/// A Conditional Access policy ID: a GUID, kept lowercase as Graph returns it; or the policy's
/// display name, which the read resolves to the one policy that has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyId(pub String);

impl std::str::FromStr for PolicyId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_guid(s) {
            Ok(PolicyId(s.to_ascii_lowercase()))
        } else if s.is_empty() || s.chars().any(char::is_control) {
            Err("neither a GUID nor a display name".into())
        } else {
            Ok(PolicyId(s.to_string()))
        }
    }
}

impl std::fmt::Display for PolicyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ImportId for PolicyId {
    const FORMAT: &'static str = "`<policy id (GUID)>` or `<display name>`";
    const EXAMPLE: &'static str = "c98e6c3d-f6ca-42ea-a927-773b6f12a0c2";
}
