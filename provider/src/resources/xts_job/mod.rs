//! `coexistence_xts_job`: the whole cross-tenant synchronization chain in the source tenant,
//! as one resource. Create instantiates the cross-tenant synchronization application template
//! (an application and its service principal), checks the credentials against the target
//! tenant, creates the `Azure2Azure` job, puts its secrets, assigns the scoping users and
//! groups, writes the two constant mappings, the named attribute mappings and scoping filter
//! groups into the schema and starts the job (or leaves it paused). Facts: API-NOTES.md#xts-sequence and the cross-tenant synchronization notes.
//!
//! Reads top to bottom: schema, validation, plan, CRUD. Create is in `create.rs` (the partner
//! settings it needs in `prerequisites.rs`), the read in `read.rs`, update and delete in
//! `write.rs`, the scoping assignments in `assign.rs`, the schema's mappings in `mapping.rs`,
//! the model in `model.rs`, requests in `api.rs`.

mod api;
mod assign;
mod create;
#[cfg(test)]
mod create_tests;
#[cfg(test)]
mod crud_tests;
mod list;
mod mapping;
mod model;
mod prerequisites;
mod read;
#[cfg(test)]
mod tests;
mod write;

use crate::framework::import_id::ImportId;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::schema::timeouts_attribute;
use crate::framework::schema::Kind;
use crate::framework::validators::{guid, is_guid, one_of};
use crate::framework::Type;
use crate::framework::{
    ApplyError, AttrPath, Attribute, Ctx, Diagnostics, ImportCtx, Schema, Value,
};
use assign::assign;
use async_trait::async_trait;
use model::XtsJob;
use std::fmt;
use std::str::FromStr;

pub const TYPE_NAME: &str = "coexistence_xts_job";

pub struct XtsJobResource;

/// The import ID: the configuration's service principal object ID, or its display name (the
/// name the portal shows), resolved by the read through the listing of the configurations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XtsImportId {
    ServicePrincipal(String),
    DisplayName(String),
}

impl FromStr for XtsImportId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_guid(s) {
            Ok(XtsImportId::ServicePrincipal(s.to_ascii_lowercase()))
        } else if s.is_empty() || s.chars().any(char::is_control) {
            Err("neither a GUID nor a display name".into())
        } else {
            Ok(XtsImportId::DisplayName(s.to_string()))
        }
    }
}

impl fmt::Display for XtsImportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XtsImportId::ServicePrincipal(id) | XtsImportId::DisplayName(id) => f.write_str(id),
        }
    }
}

impl ImportId for XtsImportId {
    const FORMAT: &'static str = "`<service principal object ID>` or `<display name>`";
    const EXAMPLE: &'static str = "7b3f2d4c-1e5a-4b6c-8d9e-0f1a2b3c4d5e";
}

// ---- schema -------------------------------------------------------------------------------

const SCOPES: &[&str] = &["assigned", "all"];
const USER_TYPES: &[&str] = &["Member", "Guest"];
/// The schema's `attributeMappingSourceType`.
const SOURCE_TYPES: &[&str] = &["Attribute", "Constant", "Function"];
/// The flow types a user mapping of cross-tenant synchronization uses (the schema's
/// `attributeFlowType` has three more, for multi-valued attributes).
const FLOW_TYPES: &[&str] = &["Always", "ObjectAddOnly"];
/// The scoping operators (API-NOTES.md#xts-schema-scope).
const OPERATORS: &[&str] = &[
    "EQUALS",
    "NOT_EQUALS",
    "IS_TRUE",
    "IS_FALSE",
    "IS_NULL",
    "IS_NOT_NULL",
    "REGEX_MATCH",
    "NOT_REGEX_MATCH",
    "GREATER_THAN",
];
/// Operators that test the attribute alone: their clause takes no values.
const UNARY_OPERATORS: &[&str] = &["IS_TRUE", "IS_FALSE", "IS_NULL", "IS_NOT_NULL"];

fn attribute_mappings() -> Attribute {
    Attribute::list_of(
        "attribute_mappings",
        vec![
            Attribute::string("target_attribute").required().description("The target tenant's user attribute set (`department`, `extensionAttribute1`, ...). Not `userType` or `showInAddressList` (`user_type`, `show_in_address_list` set them) nor `alternativeSecurityIds` (the matching attribute, which the service does not let change)."),
            Attribute::string("source_type").required().validate(one_of(SOURCE_TYPES)).description("`Attribute` (a source user attribute), `Constant` (a fixed value) or `Function` (an expression), as the schema's `attributeMappingSource` types."),
            Attribute::string("source").required().description("The source attribute's name (`Attribute`), the value (`Constant`), or the expression (`Function`, e.g. `Join(\"@\", [mailNickname], \"contoso.com\")`)."),
            Attribute::string("flow_type").required().validate(one_of(FLOW_TYPES)).description("`Always` (on creation and every update of the user) or `ObjectAddOnly` (only when the user is created in the target)."),
        ],
    )
    .default(Value::List(Vec::new()))
    .description("Attribute mappings of the user object mapping beyond `user_type` and `show_in_address_list`, one per target attribute, never a matching attribute (cross-tenant synchronization matches users on `alternativeSecurityIds` only and the service refuses a schema that changes that, so no matching priority is offered: every mapping is written with precedence 0). Only the targets named here are managed: every other mapping of the template stays as it is. Removing an entry restores the template's default mapping for that target (read from the template's schema), or removes the mapping when the template has none. The read reports the live mapping of every named target, so a mapping changed in the portal shows as drift on its entry. A change restarts a running job (reset scope `Watermark`) so users already synchronized are evaluated again. Imported, the list holds every mapping that differs from the template's.")
}

fn scoping_filters() -> Attribute {
    Attribute::list_of(
        "scoping_filters",
        vec![
            Attribute::string("name").required().description("The filter group's name (its key)."),
            Attribute::list_of(
                "clauses",
                vec![
                    Attribute::string("attribute").required().description("The source user attribute tested (`department`, `companyName`, `extensionAttribute1`, ...)."),
                    Attribute::string("operator").required().validate(one_of(OPERATORS)).description("The operator: `EQUALS`, `NOT_EQUALS`, `REGEX_MATCH`, `NOT_REGEX_MATCH`, `GREATER_THAN` (each with values), `IS_TRUE`, `IS_FALSE`, `IS_NULL`, `IS_NOT_NULL` (without)."),
                    Attribute::new("values", Kind::Plain(Type::list(Type::String))).required().description("What the attribute is tested against (`[]` for an operator without values)."),
                ],
            )
            .required()
            .description("The clauses, all of which must hold (AND)."),
        ],
    )
    .default(Value::List(Vec::new()))
    .description("Scoping filter groups of the user object mapping, as the API groups them: a user is in scope when every clause of at least one group holds (OR between groups, AND within one), and, with `scope = \"assigned\"`, it is assigned too. Only the groups named here are managed. The template's own group `Filter external users` (`alternativeSecurityIds EQUALS None`: no external users) admits every internal user, so to narrow the scope name that group here with your clauses added to its own. Removing a group restores the template's group of that name, or removes it. A change restarts a running job (reset scope `Watermark`) so users that left the scope are removed from the target (soft-deleted).")
}

/// How the scoping sets treat an ID the service does not find (see [`assign::principal_wait`]).
const NOT_FOUND: &str = "Each must exist in this (source) tenant: an assignment answered \"not found\" is retried for the smaller of 30 seconds and a quarter of the create (or update) timeout, since a principal made moments ago may still be replicating, then the apply fails naming the ID.";

fn guid_set(name: &str, what: &str) -> Attribute {
    // None assigned reads back as an empty set, whether written `[]` or left out.
    Attribute::string_set(name)
        .default(Value::Set(Vec::new()))
        .validate(EachGuid)
        .description(what)
}

fn computed(name: &str, what: &str) -> Attribute {
    Attribute::string(name).computed().description(what)
}

fn schema() -> Schema {
    Schema::new(
        "A cross-tenant synchronization configuration in the source tenant (where the users live), made in one step: the configuration application from the gallery template `518e5f48-1fc8-4c48-9387-9fdf28b0dfe7` and its service principal, the credential check against the target tenant, the `Azure2Azure` synchronization job, its secrets, the users and groups in scope, the `userType` and `showInAddressList` mappings, the attribute mappings and scoping filters it names, and the job's start. Needs, before it: in the target tenant, a `coexistence_cross_tenant_access_partner` for this tenant with `identity_synchronization.user_sync_inbound_allowed = true` and `automatic_user_consent.inbound_allowed = true`; in this tenant, one for the target tenant with `automatic_user_consent.outbound_allowed = true`. This tenant's setting is checked before anything is made; the target's only the service can check, after the configuration application is made (a refusal leaves it in state, tainted, and the next apply replaces it). Either error names every setting to declare, as resource blocks. Every other default attribute mapping is left as the template made it. `Application.ReadWrite.OwnedBy` covers the configurations the provider makes (it owns them); importing one made elsewhere (the portal) needs `Application.ReadWrite.All` and `Synchronization.ReadWrite.All` instead.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("The configuration's service principal object ID (the import ID)."),
            Attribute::string("target_tenant_id")
                .required()
                .requires_replace()
                .case_insensitive()
                .validate(guid())
                .description("The target tenant's ID (a GUID): where users are created. Changing it replaces the configuration."),
            Attribute::string("display_name")
                .required()
                .validate(NonEmpty)
                .description("The configuration's name (its application and service principal). Updatable in place. The natural key: a create first checks that no configuration of this name exists."),
            Attribute::string("scope")
                .default(Value::string(model::DEFAULT_SCOPE))
                .validate(one_of(SCOPES))
                .description("`assigned` (default): synchronize only the users and groups assigned (`scoping_group_ids`, `scoping_user_ids`); `all`: every user (the `SyncAll` secret). Updatable."),
            guid_set("scoping_group_ids", &format!("Object IDs of the groups assigned to the configuration (default none). Only direct members are in scope (no nesting). Adding or removing one assigns or unassigns only that group. {NOT_FOUND}")),
            guid_set("scoping_user_ids", &format!("Object IDs of the users assigned directly to the configuration (default none). Adding or removing one assigns or unassigns only that user. {NOT_FOUND}")),
            Attribute::string("user_type")
                .default(Value::string(model::DEFAULT_USER_TYPE))
                .validate(one_of(USER_TYPES))
                .description("`Member` (default) or `Guest`: the constant mapped to the target users' `userType`, applied always (flow type `Always`), so users already in the target tenant as guests are converted too. Updatable (the schema's other mappings stay as they are)."),
            Attribute::bool("show_in_address_list")
                .default(Value::Bool(model::DEFAULT_SHOW_IN_ADDRESS_LIST))
                .description("The constant mapped to the target users' `showInAddressList` (default `true`: synchronized users appear in the target's global address list). Updatable."),
            attribute_mappings(),
            scoping_filters(),
            Attribute::bool("enabled")
                .default(Value::Bool(model::DEFAULT_ENABLED))
                .description("Whether the job runs (default `true`: started) or stays paused. Updatable: `start` or `pause`. Running with `scope = \"assigned\"` needs at least one assignment."),
            Attribute::string("notification_email")
                .optional()
                .validate(Email)
                .description("Where the service sends an e-mail when the job fails or is quarantined (`SyncNotificationSettings`). Omit it for no notification. Updatable."),
            Attribute::bool("deprovision_on_destroy")
                .default(Value::Bool(false))
                .description("What destroy does with the users the job created in the target tenant. `false` (default): they stay there, as deleting a configuration in the portal leaves them (the service only soft-deletes users that leave the scope, never on a delete of the configuration). `true`: destroy first unassigns every user and group (and turns `SyncAll` off), restarts the job so its cycle soft-deletes every user it synchronized, waits (bounded by `timeouts.delete`, logging progress every 30 s) until the job reports a cycle that ended after the restart, and only then deletes the configuration. The target's inbound synchronization setting (`identity_synchronization.user_sync_inbound_allowed` on its partner configuration for this tenant) must stay on until then: with the partner referenced by this resource (as in the example), Terraform destroys this resource first. A job quarantined meanwhile fails the destroy with its reason. Only used on destroy: changing it never touches the configuration."),
            Attribute::string("service_principal_id").computed().use_state_for_unknown().description("The configuration's service principal object ID."),
            Attribute::string("application_object_id").computed().use_state_for_unknown().description("The configuration's application object ID."),
            Attribute::string("job_id").computed().use_state_for_unknown().description("The synchronization job's ID. A job deleted out of band plans a replacement of the configuration."),
            computed("schedule_interval", "How often the job runs, as an ISO 8601 duration (`PT40M`)."),
            computed("status", "The job's status code: `NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`. Run status never causes a diff."),
            computed("last_execution_state", "The last run's outcome: `Succeeded`, `Failed` or `EntryLevelErrors` (null before the first run)."),
            computed("last_successful_execution_time", "When the last successful run ended (null before one)."),
            computed("quarantine_reason", "Why the job is quarantined (null unless `status` is `Quarantine`)."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate_assignments)
    .with_check(validate_mappings)
    .with_check(validate_filters)
}

/// One entry per target; none of the targets other attributes set or the service keeps; no
/// matching attribute (the service refuses a change of it).
fn validate_mappings(config: &Value, diags: &mut Diagnostics) {
    let list = config.get("attribute_mappings");
    let mut seen: Vec<String> = Vec::new();
    for (i, e) in list.elements().iter().enumerate() {
        let at = AttrPath::root().attr("attribute_mappings").index(i);
        if let Some(t) = e.get("target_attribute").as_str() {
            let reason = match t {
                "userType" => Some("`userType` is set by `user_type`."),
                "showInAddressList" => Some("`showInAddressList` is set by `show_in_address_list`."),
                mapping::MATCHING_TARGET => Some("`alternativeSecurityIds` is the matching attribute of cross-tenant synchronization: the service refuses any change of it (schemaInvalid)."),
                _ => None,
            };
            if let Some(r) = reason {
                diags.error_at(
                    &at.attr("target_attribute"),
                    "Target attribute not mappable here",
                    r,
                );
            }
            if seen.iter().any(|s| s == t) {
                diags.error_at(
                    &at.attr("target_attribute"),
                    "Duplicate target attribute",
                    format!("{t:?} is mapped by an earlier entry: one entry per target attribute."),
                );
            }
            seen.push(t.to_string());
        }
        if e.get("source")
            .as_str()
            .is_some_and(|s| s.trim().is_empty())
        {
            diags.error_at(
                &at.attr("source"),
                "Empty source",
                "The source must name an attribute, hold a value or an expression.",
            );
        }
    }
}

/// Unique group names, at least one clause each, values as the operator takes them.
fn validate_filters(config: &Value, diags: &mut Diagnostics) {
    let mut seen: Vec<String> = Vec::new();
    for (i, g) in config.get("scoping_filters").elements().iter().enumerate() {
        let at = AttrPath::root().attr("scoping_filters").index(i);
        if let Some(n) = g.get("name").as_str() {
            if n.trim().is_empty() {
                diags.error_at(
                    &at.attr("name"),
                    "Empty filter group name",
                    "Each scoping filter group needs a name.",
                );
            }
            if seen.iter().any(|s| s == n) {
                diags.error_at(
                    &at.attr("name"),
                    "Duplicate filter group",
                    format!("{n:?} names an earlier group too: one entry per group."),
                );
            }
            seen.push(n.to_string());
        }
        let clauses = g.get("clauses");
        if !clauses.is_unknown() && !clauses.is_null() && clauses.elements().is_empty() {
            diags.error_at(
                &at.attr("clauses"),
                "No clauses",
                "A scoping filter group needs at least one clause.",
            );
        }
        for (j, c) in clauses.elements().iter().enumerate() {
            let (op, values) = (c.get("operator"), c.get("values"));
            let (Some(op), false) = (op.as_str(), values.is_unknown()) else {
                continue;
            };
            let n = values.elements().len();
            let unary = UNARY_OPERATORS.contains(&op);
            if unary && n > 0 {
                diags.error_at(
                    &at.attr("clauses").index(j).attr("values"),
                    "Values not taken",
                    format!("The operator {op} tests the attribute alone: leave values out."),
                );
            } else if !unary && OPERATORS.contains(&op) && n == 0 {
                diags.error_at(
                    &at.attr("clauses").index(j).attr("values"),
                    "Values missing",
                    format!(
                        "The operator {op} compares the attribute with values: set at least one."
                    ),
                );
            }
        }
    }
}

/// Every element of a set of strings is a GUID.
struct EachGuid;

impl crate::framework::validators::Validator for EachGuid {
    fn description(&self) -> String {
        "each element must be an object ID (a GUID)".into()
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        for e in v.elements() {
            if let Some(s) = e.as_str() {
                if !is_guid(s) {
                    diags.error_at(
                        path,
                        format!(
                            "Invalid value for {}",
                            path.last_attr().unwrap_or("attribute")
                        ),
                        format!("{s:?} is not an object ID. Expected a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx."),
                    );
                }
            }
        }
    }
}

struct NonEmpty;

impl crate::framework::validators::Validator for NonEmpty {
    fn description(&self) -> String {
        "must not be empty (at most 256 characters)".into()
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        if let Some(s) = v.as_str() {
            if s.trim().is_empty() || s.chars().count() > 256 {
                diags.error_at(
                    path,
                    "Invalid display name",
                    format!("The display name must hold 1 to 256 characters, not only spaces; got {s:?}."),
                );
            }
        }
    }
}

/// `local@domain.tld`: what the service accepts as a notification address.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && !domain.contains('@')
        && crate::framework::validators::is_domain_name(domain)
}

struct Email;

impl crate::framework::validators::Validator for Email {
    fn description(&self) -> String {
        "must be an e-mail address".into()
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        if let Some(s) = v.as_str() {
            if !is_email(s) {
                diags.error_at(
                    path,
                    "Invalid value for notification_email",
                    format!("{s:?} is not an e-mail address, e.g. ops@contoso.com."),
                );
            }
        }
    }
}

/// A running job synchronizing only assigned principals needs one: "for cross-tenant
/// synchronization to work, at least one internal user must be assigned to the configuration".
fn validate_assignments(config: &Value, diags: &mut Diagnostics) {
    let scope = config.get("scope");
    let enabled = config.get("enabled");
    let (groups, users) = (
        config.get("scoping_group_ids"),
        config.get("scoping_user_ids"),
    );
    if scope.is_unknown() || enabled.is_unknown() || groups.is_unknown() || users.is_unknown() {
        return;
    }
    let assigned = scope.as_str().unwrap_or(model::DEFAULT_SCOPE) == "assigned";
    let running = enabled.as_bool().unwrap_or(model::DEFAULT_ENABLED);
    if assigned && running && groups.elements().is_empty() && users.elements().is_empty() {
        diags.error_at(
            &AttrPath::root().attr("scoping_group_ids"),
            "No users or groups in scope",
            "With scope = \"assigned\" (the default) and enabled = true (the default) the job synchronizes only assigned users and groups, and the service needs at least one to run. Set scoping_group_ids or scoping_user_ids, set scope = \"all\", or set enabled = false.",
        );
    }
}

/// The computed attributes that move with the job's runs.
const RUN_STATUS: &[&str] = &[
    "schedule_interval",
    "status",
    "last_execution_state",
    "last_successful_execution_time",
    "quarantine_reason",
];

#[async_trait]
impl crate::framework::TypedResource for XtsJobResource {
    type Model = XtsJob;
    type Id = XtsImportId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    /// The run status kept when only `timeouts` changed, and a replacement when the job is
    /// gone while the application is not. (Defaults are declared on the attributes.)
    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        // Only `timeouts` or `deprovision_on_destroy` changed (configuration the API never
        // sees): nothing is sent, so the run status stays as read instead of becoming "known
        // after apply".
        if !req.prior.is_null() {
            let only_timeouts = schema().attributes.iter().all(|a| {
                a.name == "timeouts"
                    || a.name == "deprovision_on_destroy"
                    || RUN_STATUS.contains(&a.name.as_str())
                    || plan
                        .get(&AttrPath::root().attr(&a.name))
                        .semantically_equal(req.prior.get(&a.name))
            });
            if only_timeouts {
                for name in RUN_STATUS {
                    plan.set(&AttrPath::root().attr(name), req.prior.get(name).clone());
                }
            }
        }
        if !req.prior.is_null() && req.prior.get("job_id").is_null() {
            let p = AttrPath::root().attr("job_id");
            plan.mark_unknown(&p);
            plan.require_replace(&p);
        }
    }

    async fn create(&self, ctx: &Ctx, planned: XtsJob) -> Result<XtsJob, ApplyError> {
        Ok(create::create(ctx, &planned).await?.with_id())
    }

    async fn read(&self, ctx: &Ctx, mut state: XtsJob) -> Result<Option<XtsJob>, Diagnostics> {
        if state.service_principal_id.is_none() {
            // Imported by display name: the configuration that has it.
            let Some(name) = state.display_name.clone() else {
                return Ok(None);
            };
            state.service_principal_id = Some(list::by_display_name(ctx, &name).await?);
        }
        Ok(read::read(ctx, &state).await?.map(XtsJob::with_id))
    }

    async fn update(&self, ctx: &Ctx, old: XtsJob, new: XtsJob) -> Result<XtsJob, ApplyError> {
        write::update(ctx, &old, &new).await?;
        let mut out = new;
        out.service_principal_id
            .clone_from(&old.service_principal_id);
        out.application_object_id
            .clone_from(&old.application_object_id);
        out.job_id.clone_from(&old.job_id);
        Ok(out.with_id())
    }

    async fn delete(&self, ctx: &Ctx, state: XtsJob) -> Result<(), Diagnostics> {
        write::delete(ctx, &state).await
    }

    /// By display name, only the name is known until the read finds the configuration.
    fn import(&self, _: &ImportCtx, id: XtsImportId) -> Result<XtsJob, Diagnostics> {
        Ok(match id {
            XtsImportId::ServicePrincipal(sp) => XtsJob {
                id: Some(sp.clone()),
                service_principal_id: Some(sp),
                ..XtsJob::default()
            },
            XtsImportId::DisplayName(name) => XtsJob {
                display_name: Some(name),
                ..XtsJob::default()
            },
        })
    }

    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<XtsJob>, Diagnostics> {
        list::list(self, ctx).await
    }

    fn import_id(&self, state: &XtsJob) -> Option<String> {
        state.service_principal_id.clone()
    }

    fn natural_key(&self) -> &'static str {
        "`display_name` among the applications instantiated from the cross-tenant synchronization template: a create first checks that none has this name, and a create whose answer was lost looks the application up by name and template before instantiating again."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}
