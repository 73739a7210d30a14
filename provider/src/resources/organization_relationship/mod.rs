//! `coexistence_organization_relationship`: an Exchange Online organization relationship
//! (free/busy, MailTips, photos and message tracking shared with a partner organization),
//! through `Get/New/Set/Remove-OrganizationRelationship` on the admin API. Facts:
//! API-NOTES.md#exchange-organization-relationship.
//!
//! Read by Guid, filtering the answer (a Get whose Identity matches nothing returns every
//! relationship); updated in place with only the changed parameters (a rename keeps the
//! Guid); an interrupted New looks the relationship up by name before running again.

mod api;
#[cfg(test)]
mod crud_tests;
mod identity;
mod list;
mod model;
#[cfg(test)]
mod tests;

use crate::clients::exchange::{is_not_found, Cmdlet};
use crate::clients::ApiError;
use crate::framework::diag::{finish_create, Diagnostic};
use crate::framework::import_id::{self, ImportId};
use crate::framework::lifecycle::already_exists;
use crate::framework::refresh::ListedKey;
use crate::framework::schema::timeouts_attribute;
use crate::framework::validators::{is_domain_name, is_guid, object_name, one_of, size_at_least};
use crate::framework::{
    ApplyError, AttrPath, Attribute, Context, Ctx, Diagnostics, ImportCtx, Schema, Value,
};
use async_trait::async_trait;
use model::{OrgRel, MOVE_CAPABILITIES};
use serde_json::Value as Json;

pub const TYPE_NAME: &str = "coexistence_organization_relationship";

pub struct OrganizationRelationship;

const FREE_BUSY_LEVELS: &[&str] = &["None", "AvailabilityOnly", "LimitedDetails"];
const MAIL_TIPS_LEVELS: &[&str] = &["None", "Limited", "All"];
const MAX_NAME: usize = 64;
/// Documented limit of `DomainNames` values per request.
const MAX_DOMAINS: usize = 238;

fn schema() -> Schema {
    Schema::new(
        "An Exchange Online organization relationship: what this organization shares with a partner organization (free/busy, MailTips, photos, message tracking), managed through the Exchange admin API (`*-OrganizationRelationship` cmdlets). For a coexistence between two Microsoft 365 tenants, each tenant creates one relationship naming the other's domains (its primary SMTP domains, `<tenant>.onmicrosoft.com` and `<tenant>.mail.onmicrosoft.com`), with `target_application_uri = \"outlook.com\"` and the Exchange Online Autodiscover endpoint. For cross-tenant mailbox migration, Microsoft's setup names the partner by its tenant ID in `domain_names` and sets `mailbox_move_enabled` in both tenants, with `mailbox_move_capability = [\"Inbound\"]` in the target tenant and, in the source tenant, `[\"RemoteOutbound\"]`, the groups whose members may move in `mailbox_move_published_scopes` and the migration application in `oauth_application_id`. Needs the provider's `tenant_id`.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("The relationship's Guid (kept across renames)."),
            Attribute::string("name").required().validate(object_name(MAX_NAME)).description("The relationship's name (its Identity), unique in the organization, at most 64 characters. Renamed in place. Import ID."),
            Attribute::string_set("domain_names")
                .required()
                .validate(size_at_least(1))
                .description("The partner organization's domains (at most 238): its SMTP domains, `<tenant>.onmicrosoft.com` and `<tenant>.mail.onmicrosoft.com`; or, for cross-tenant mailbox migration, the partner's tenant ID (a GUID, which Microsoft's cross-tenant mailbox migration setup puts here instead of a domain name). A domain can be in one relationship only. A set: order never matters."),
            Attribute::bool("archive_access_enabled").default(Value::Bool(false)).description("Whether the partner may access this organization's archive mailboxes (`ArchiveAccessEnabled`)."),
            Attribute::bool("enabled").default(Value::Bool(true)).description("Whether the relationship is in effect; `false` stops all sharing without deleting it."),
            Attribute::bool("free_busy_access_enabled").default(Value::Bool(false)).description("Whether the partner may see this organization's free/busy information."),
            Attribute::string("free_busy_access_level").default(Value::string("None"))
                .validate(one_of(FREE_BUSY_LEVELS))
                .description("How much free/busy the partner sees: `None`, `AvailabilityOnly` (free/busy only) or `LimitedDetails` (also subject and location). Used when `free_busy_access_enabled` is `true`."),
            Attribute::string("free_busy_access_scope").optional().description("A mail-enabled security group of this organization whose members' free/busy the partner may see, by name, distinguished name, canonical DN or GUID; null for everyone. Used when `free_busy_access_enabled` is `true`. Compared by the group it names: Exchange answering another form of the same group is no change (an import reads the group's name)."),
            Attribute::string("target_application_uri").optional().description("The partner's application URI for federated sharing: `outlook.com` for a partner in Exchange Online."),
            Attribute::string("target_autodiscover_epr").optional().description("The partner's Autodiscover endpoint (an absolute http(s) URL), e.g. `https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity` for Exchange Online. Compared as a URL: Exchange answering it normalised (scheme and host in lower case, no default port) is no change."),
            Attribute::string("target_sharing_epr").optional().description("The partner's Exchange Web Services endpoint (an absolute http(s) URL). When set it is always used instead of Autodiscover; usually null. Compared as a URL, as `target_autodiscover_epr`."),
            Attribute::bool("mail_tips_access_enabled").default(Value::Bool(false)).description("Whether the partner gets MailTips for this organization's recipients."),
            Attribute::string("mail_tips_access_level").default(Value::string("None"))
                .validate(one_of(MAIL_TIPS_LEVELS))
                .description("Which MailTips the partner gets: `None`, `Limited` (out-of-office and similar) or `All`. Used when `mail_tips_access_enabled` is `true`."),
            Attribute::string("mail_tips_access_scope").optional().description("A mail-enabled security group of this organization whose members' MailTips the partner gets, by name, distinguished name, canonical DN or GUID; null (the default) for every recipient. Used when `mail_tips_access_enabled` is `true`. Compared by the group it names, as `free_busy_access_scope`."),
            Attribute::string("target_owa_url").optional().description("The partner organization's Outlook on the web URL (an absolute http(s) URL), used to redirect users in cross-premises mailbox access; omit it for none. Compared as a URL, as `target_autodiscover_epr`."),
            Attribute::bool("delivery_report_enabled").default(Value::Bool(false)).description("Whether delivery reports (message tracking) are shared; both organizations must enable it for cross-organization tracking."),
            Attribute::bool("photos_enabled").default(Value::Bool(false)).description("Whether the partner sees this organization's users' photos."),
            Attribute::string("organization_contact").optional().description("An SMTP address the partner can contact about this relationship."),
            Attribute::bool("mailbox_move_enabled").default(Value::Bool(false)).description("Whether mailboxes may move to or from the partner organization (cross-tenant mailbox migration, set in both tenants)."),
            Attribute::string_set("mailbox_move_capability")
                .default(Value::Set(Vec::new()))
                .description("Cross-tenant mailbox migration: the move directions this relationship allows, any of `Inbound`, `Outbound`, `RemoteInbound` and `RemoteOutbound` (sent as one combination, e.g. `Inbound, RemoteOutbound`); empty (Exchange's `None`) for none. Microsoft's setup gives the target tenant's relationship `[\"Inbound\"]` and the source tenant's `[\"RemoteOutbound\"]`; to move mailboxes back as well, both get `[\"Inbound\", \"RemoteOutbound\"]`."),
            Attribute::string_set("mailbox_move_published_scopes")
                .default(Value::Set(Vec::new()))
                .description("Cross-tenant mailbox migration, in the source tenant: the mail-enabled security groups whose members may move (nested groups are not supported), each by name, distinguished name, canonical DN or GUID, compared by the group it names. Needs `Outbound` or `RemoteOutbound` in `mailbox_move_capability`."),
            Attribute::string("oauth_application_id")
                .optional()
                .case_insensitive()
                .description("Cross-tenant mailbox migration, in the source tenant: the application (client) ID of the mailbox migration application the target tenant created and this tenant consented to (a GUID)."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_values)
}

// ---- validation ---------------------------------------------------------------------------

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn is_smtp_address(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !local.contains(char::is_whitespace) && is_domain_name(domain)
    })
}

/// Every documented value rule, at plan time, on the attribute at fault.
fn validate_values(config: &Value, diags: &mut Diagnostics) {
    let at = |a: &str| AttrPath::root().attr(a);
    let domains = config.get("domain_names");
    if domains.elements().len() > MAX_DOMAINS {
        diags.error_at(
            &at("domain_names"),
            "Too many domain names",
            format!(
                "An organization relationship holds at most {MAX_DOMAINS} domains; got {}.",
                domains.elements().len()
            ),
        );
    }
    for d in domains.elements().iter().filter_map(Value::as_str) {
        // A partner's tenant ID is what cross-tenant mailbox migration puts in DomainNames
        // (API-NOTES.md#exchange-orgrel-tenant-id); a near-GUID is no domain name (no dot).
        if !(is_domain_name(d) || is_guid(d)) {
            diags.error_at(
                &at("domain_names"),
                "Invalid value for domain_names",
                format!(
                    "{d:?} is neither a domain name such as fabrikam.com (no wildcards, no addresses) nor a tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)."
                ),
            );
        }
    }
    for a in [
        "target_autodiscover_epr",
        "target_sharing_epr",
        "target_owa_url",
    ] {
        if let Some(s) = config.get(a).as_str() {
            if !is_http_url(s) {
                diags.error_at(
                    &at(a),
                    format!("Invalid value for {a}"),
                    format!("{s:?} is not an absolute http(s) URL, e.g. https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity."),
                );
            }
        }
    }
    if let Some(s) = config.get("target_application_uri").as_str() {
        if s.is_empty() || s.contains(char::is_whitespace) {
            diags.error_at(
                &at("target_application_uri"),
                "Invalid value for target_application_uri",
                format!("{s:?} is not a URI, e.g. outlook.com."),
            );
        }
    }
    for a in ["free_busy_access_scope", "mail_tips_access_scope"] {
        if config.get(a).as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.error_at(
                &at(a),
                format!("Invalid value for {a}"),
                "Name a mail-enabled security group, or leave the attribute out for everyone.",
            );
        }
    }
    validate_mailbox_move(config, diags);
    if let Some(s) = config.get("organization_contact").as_str() {
        if !is_smtp_address(s) {
            diags.error_at(
                &at("organization_contact"),
                "Invalid value for organization_contact",
                format!("{s:?} is not an SMTP address such as admin@fabrikam.com."),
            );
        }
    }
}

/// The mailbox-move attributes (API-NOTES.md#exchange-orgrel-mailbox-move): documented
/// capability values, an application ID that is a GUID, named scope groups, and scopes only
/// with an outbound capability.
fn validate_mailbox_move(config: &Value, diags: &mut Diagnostics) {
    let at = |a: &str| AttrPath::root().attr(a);
    let capability = config.get("mailbox_move_capability");
    for c in capability.elements().iter().filter_map(Value::as_str) {
        if !MOVE_CAPABILITIES.contains(&c) {
            diags.error_at(
                &at("mailbox_move_capability"),
                "Invalid value for mailbox_move_capability",
                format!(
                    "{c:?} is not a mailbox move capability; use any of {}.",
                    MOVE_CAPABILITIES.join(", ")
                ),
            );
        }
    }
    if let Some(id) = config.get("oauth_application_id").as_str() {
        if !is_guid(id) {
            diags.error_at(
                &at("oauth_application_id"),
                "Invalid value for oauth_application_id",
                format!("{id:?} is not an application (client) ID, a GUID such as 6aa3cf87-4754-43e2-8ec6-606f6b938ae8."),
            );
        }
    }
    let scopes = config.get("mailbox_move_published_scopes");
    if scopes
        .elements()
        .iter()
        .filter_map(Value::as_str)
        .any(|s| s.trim().is_empty())
    {
        diags.error_at(
            &at("mailbox_move_published_scopes"),
            "Invalid value for mailbox_move_published_scopes",
            "Name each mail-enabled security group (by name, distinguished name, canonical DN or GUID).",
        );
    }
    // Only when both are known: an unknown capability may yet include an outbound one.
    let outbound = capability
        .elements()
        .iter()
        .any(|c| matches!(c.as_str(), Some("Outbound" | "RemoteOutbound")));
    if !scopes.elements().is_empty() && capability.is_wholly_known() && !outbound {
        diags.error_at(
            &at("mailbox_move_published_scopes"),
            "Published scopes need an outbound capability",
            "mailbox_move_published_scopes scopes the mailboxes that may move out of this (source) tenant: set mailbox_move_capability to include \"RemoteOutbound\" (or \"Outbound\"), or leave the scopes out.",
        );
    }
}

// ---- import ID ----------------------------------------------------------------------------

/// The import ID: the relationship's name, as Exchange shows it, or its Guid (what its
/// resource identity holds: a rename in place keeps it). A name in the form of a GUID is taken
/// as a Guid, as Exchange's `-Identity` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationshipName(pub String);

impl std::str::FromStr for RelationshipName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: import_id::Name = s.parse()?;
        if n.0.chars().count() > MAX_NAME {
            return Err(format!("a name has at most {MAX_NAME} characters"));
        }
        Ok(RelationshipName(n.0))
    }
}

impl std::fmt::Display for RelationshipName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ImportId for RelationshipName {
    const FORMAT: &'static str = "`<relationship name>` or `<relationship Guid>` (its identity holds the Guid, which a rename keeps)";
    const EXAMPLE: &'static str = "Fabrikam";
}

// ---- CRUD ---------------------------------------------------------------------------------

/// `read` with the state's spelling of every value Exchange answers in another form but that
/// denotes the same thing: groups, endpoint URIs (see [`identity`]).
async fn keep_spellings(ctx: &Ctx, state: &OrgRel, mut read: OrgRel) -> Result<OrgRel, ApiError> {
    read.target_autodiscover_epr =
        identity::uri_spelling(&state.target_autodiscover_epr, read.target_autodiscover_epr);
    read.target_sharing_epr =
        identity::uri_spelling(&state.target_sharing_epr, read.target_sharing_epr);
    read.target_owa_url = identity::uri_spelling(&state.target_owa_url, read.target_owa_url);
    read.free_busy_access_scope = identity::reconcile_group(
        ctx,
        state.free_busy_access_scope.as_deref(),
        read.free_busy_access_scope,
    )
    .await?;
    read.mail_tips_access_scope = identity::reconcile_group(
        ctx,
        state.mail_tips_access_scope.as_deref(),
        read.mail_tips_access_scope,
    )
    .await?;
    read.mailbox_move_published_scopes = identity::reconcile_groups(
        ctx,
        state.mailbox_move_published_scopes.as_deref(),
        read.mailbox_move_published_scopes,
    )
    .await?;
    Ok(read)
}

/// Runs a cmdlet under the operation's deadline, showing its warnings with the result.
async fn run(ctx: &Ctx, c: &Cmdlet) -> Result<Vec<Json>, ApiError> {
    Ok(ctx.exchange(c, &ctx.deadline).await?.objects)
}

/// The relationship `identity` (Guid or name) names, found in the Get's answer by `pick`;
/// `None` when there is none.
async fn find(
    ctx: &Ctx,
    identity: &str,
    pick: fn(Vec<Json>, &str) -> Option<Json>,
) -> Result<Option<Json>, ApiError> {
    match run(ctx, &api::get(identity)).await {
        Ok(objects) => Ok(pick(objects, identity)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl crate::framework::TypedResource for OrganizationRelationship {
    type Model = OrgRel;
    type Id = RelationshipName;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Ctx, p: OrgRel) -> Result<OrgRel, ApplyError> {
        let ex = &ctx.clients.exchange;
        let what = format!("the organization relationship {:?}", p.name);
        let (new, lookup) = (api::new(&p), api::get(&p.name));
        let created = ctx
            .exchange_create_once(
                &what,
                &new,
                |dl| {
                    let lookup = &lookup;
                    let name = p.name.clone();
                    async move {
                        match ex.invoke(lookup, &dl).await {
                            Ok(out) => Ok(api::with_name(out.objects, &name)),
                            Err(e) if is_not_found(&e) => Ok(None),
                            Err(e) => Err(e),
                        }
                    }
                },
                |found: &Json| p.made_by(&OrgRel::from_exchange(found)),
            )
            .await;
        let made = finish_create(created, &format!("creating {what}"), |_| {
            already_exists(
                TYPE_NAME,
                &p.name,
                &format!("An organization relationship named {:?}", p.name),
            )
            .into()
        })?
        .object(|out| api::with_name(out.objects, &p.name));
        // New answers the object it made; should it not, the name finds it.
        let made = match made {
            Some(m) => Some(m),
            None => find(ctx, &p.name, api::with_name)
                .await
                .context(|| format!("reading {what} after creating it"))?,
        };
        let id = made
            .as_ref()
            .and_then(|m| m.get("Guid"))
            .and_then(Json::as_str)
            .map(str::to_ascii_lowercase);
        let Some(id) = id else {
            return Err(Diagnostics::from(Diagnostic::error(
                format!("Error creating {what}"),
                "New-OrganizationRelationship succeeded but the relationship could not be found by its name afterwards.",
            ))
            .into());
        };
        Ok(OrgRel { id: Some(id), ..p })
    }

    async fn read(&self, ctx: &Ctx, state: OrgRel) -> Result<Option<OrgRel>, Diagnostics> {
        let found = match &state.id {
            Some(guid) => find(ctx, guid, api::with_guid).await,
            // Just imported: only the name is known.
            None => find(ctx, &state.name, api::with_name).await,
        };
        let name = &state.name;
        let what = || format!("reading the organization relationship {name:?}");
        let Some(found) = found.context(what)? else {
            return Ok(None);
        };
        let read = OrgRel::from_exchange(&found);
        Ok(Some(keep_spellings(ctx, &state, read).await.context(what)?))
    }

    /// `Get-OrganizationRelationship` without an identity answers every relationship as the
    /// Get of one answers it: one call refreshes them all.
    async fn list_for_reads(
        &self,
        ctx: &Ctx,
        _: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        let all = run(
            ctx,
            &Cmdlet::new("Get-OrganizationRelationship").needs(api::EXO),
        )
        .await
        .context(|| "listing the organization relationships".into())?;
        Ok(Some(
            all.into_iter()
                .filter_map(|o| Some((o.get("Guid")?.as_str()?.to_string(), o)))
                .collect(),
        ))
    }

    /// By Guid; a relationship just imported (by name) has none yet and is read directly.
    fn listed_key(&self, state: &OrgRel) -> Option<ListedKey> {
        state.id.as_deref().map(ListedKey::whole)
    }

    async fn read_listed(
        &self,
        ctx: &Ctx,
        state: OrgRel,
        found: &Json,
    ) -> Result<Option<OrgRel>, Diagnostics> {
        let name = &state.name;
        let read = OrgRel::from_exchange(found);
        Ok(Some(keep_spellings(ctx, &state, read).await.context(
            || format!("reading the organization relationship {name:?}"),
        )?))
    }

    async fn update(&self, ctx: &Ctx, old: OrgRel, new: OrgRel) -> Result<OrgRel, ApplyError> {
        let guid = old.id.clone().unwrap_or_default();
        if let Some(set) = api::set(&guid, &old, &new) {
            run(ctx, &set)
                .await
                .context(|| format!("updating the organization relationship {:?}", old.name))?;
        }
        Ok(OrgRel {
            id: Some(guid),
            ..new
        })
    }

    async fn delete(&self, ctx: &Ctx, state: OrgRel) -> Result<(), Diagnostics> {
        let guid = state.id.as_deref().unwrap_or_default();
        let name = &state.name;
        match run(ctx, &api::remove(guid)).await {
            // Already gone: the goal is "it does not exist".
            Err(e) if is_not_found(&e) => Ok(()),
            other => other
                .map(|_| ())
                .context(|| format!("deleting the organization relationship {name:?}")),
        }
    }

    fn import(&self, _: &ImportCtx, name: RelationshipName) -> Result<OrgRel, Diagnostics> {
        // By Guid (an identity's form): the read finds it by Guid and fills in the name.
        let guid = is_guid(&name.0).then(|| name.0.clone());
        Ok(OrgRel {
            id: guid,
            ..OrgRel::imported(name.0)
        })
    }

    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<OrgRel>, Diagnostics> {
        list::list(ctx).await
    }

    fn import_id(&self, state: &OrgRel) -> Option<String> {
        Some(state.name.clone())
    }

    /// The Guid, which a rename in place keeps (the name is the import ID people write).
    fn identity_import_id(&self, state: &OrgRel) -> Option<String> {
        state.id.clone()
    }

    fn natural_key(&self) -> &'static str {
        "`name`: Exchange Online keeps organization relationship names unique in an organization (case-insensitive)."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}
