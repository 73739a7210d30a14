//! The Terraform model of a cross-tenant synchronization configuration (a serde struct
//! converted by the schema, [`crate::framework::typed`]) and how each attribute is read from the
//! Graph objects that hold it: the service principal (display name), the synchronization job
//! (schedule, status), its secrets (target tenant, scope, notification e-mail), its schema (the
//! two constant mappings) and the service principal's app role assignments.

use crate::framework::{typed, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// The configuration as Terraform sees it: field names are the schema's attribute names
/// (checked by `model_fields_match_schema`), `None` is null.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct XtsJob {
    /// The service principal's object ID (the import ID).
    pub id: Option<String>,
    pub target_tenant_id: Option<String>,
    pub display_name: Option<String>,
    pub scope: Option<String>,
    pub scoping_group_ids: Option<Vec<String>>,
    pub scoping_user_ids: Option<Vec<String>>,
    pub user_type: Option<String>,
    pub show_in_address_list: Option<bool>,
    /// `None` only in a state not yet read (an import): the read then reports every mapping
    /// that differs from the template's.
    pub attribute_mappings: Option<Vec<AttributeMapping>>,
    /// `None` only in a state not yet read, as `attribute_mappings`.
    pub scoping_filters: Option<Vec<ScopingFilter>>,
    pub enabled: Option<bool>,
    pub notification_email: Option<String>,
    pub deprovision_on_destroy: Option<bool>,
    pub service_principal_id: Option<String>,
    pub application_object_id: Option<String>,
    pub job_id: Option<String>,
    pub schedule_interval: Option<String>,
    pub status: Option<String>,
    pub last_execution_state: Option<String>,
    pub last_successful_execution_time: Option<String>,
    pub quarantine_reason: Option<String>,
}

/// One managed mapping of the user object mapping: the target attribute it sets and its source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttributeMapping {
    pub target_attribute: String,
    /// `Attribute`, `Constant` or `Function` (the schema's `attributeMappingSourceType`).
    pub source_type: String,
    /// The source attribute's name, the constant, or the expression.
    pub source: String,
    /// `Always` or `ObjectAddOnly`.
    pub flow_type: String,
}

/// One scoping filter group of the user object mapping: its clauses must all hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopingFilter {
    pub name: String,
    pub clauses: Vec<ScopingClause>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopingClause {
    /// The source attribute tested.
    pub attribute: String,
    pub operator: String,
    /// Empty for an operator that takes no value (`IS_TRUE`, `IS_NULL`, ...).
    pub values: Vec<String>,
}

/// What create does when an optional attribute is left out (the plan shows these values).
pub const DEFAULT_SCOPE: &str = "assigned";
pub const DEFAULT_USER_TYPE: &str = "Member";
pub const DEFAULT_SHOW_IN_ADDRESS_LIST: bool = true;
pub const DEFAULT_ENABLED: bool = true;

impl XtsJob {
    pub fn from_value(v: &Value) -> Result<XtsJob, Diagnostics> {
        typed::from_value(&super::schema(), v)
    }

    /// The state value (`timeouts` null: the framework carries it over). `id` is the service
    /// principal's ID.
    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), &self.clone().with_id())
    }

    /// The model with `id` set: the service principal's ID.
    pub fn with_id(mut self) -> XtsJob {
        self.id.clone_from(&self.service_principal_id);
        self
    }

    pub fn scope_or_default(&self) -> &str {
        self.scope.as_deref().unwrap_or(DEFAULT_SCOPE)
    }
    pub fn user_type_or_default(&self) -> &str {
        self.user_type.as_deref().unwrap_or(DEFAULT_USER_TYPE)
    }
    pub fn show_in_address_list_or_default(&self) -> bool {
        self.show_in_address_list
            .unwrap_or(DEFAULT_SHOW_IN_ADDRESS_LIST)
    }
    pub fn enabled_or_default(&self) -> bool {
        self.enabled.unwrap_or(DEFAULT_ENABLED)
    }

    /// Every principal to assign: (object ID, principal type as Graph spells it).
    pub fn principals(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for g in self.scoping_group_ids.iter().flatten() {
            out.push((g.to_ascii_lowercase(), "Group"));
        }
        for u in self.scoping_user_ids.iter().flatten() {
            out.push((u.to_ascii_lowercase(), "User"));
        }
        out
    }
}

// ---- JSON helpers ---------------------------------------------------------------------------

pub fn js(v: &Json, k: &str) -> Option<String> {
    v.get(k).and_then(Json::as_str).map(str::to_string)
}

/// The ID of the `msiam_access` app role of a service principal (the only role the template
/// makes; assignments name it).
pub fn app_role_id(sp: &Json) -> Option<String> {
    let roles = sp.get("appRoles")?.as_array()?;
    roles
        .iter()
        .find(|r| js(r, "displayName").as_deref() == Some("msiam_access"))
        .or_else(|| roles.first())
        .and_then(|r| js(r, "id"))
}

// ---- the resource -------------------------------------------------------------------------

/// The `value` array of a collection answer (empty when absent).
pub fn values(v: &Json) -> Vec<Json> {
    v.get("value")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

// ---- secrets --------------------------------------------------------------------------------

/// What the secrets hold that Terraform manages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Secrets {
    pub company_id: Option<String>,
    /// `"true"` / `"false"` as stored.
    pub sync_all: Option<String>,
    /// The `SyncNotificationSettings` JSON, decoded.
    pub notification: Option<Json>,
}

impl Secrets {
    /// From `GET .../synchronization/secrets` (`{"value":[{key,value}]}`). Values masked as `*`
    /// (the service masks sensitive secrets) are treated as unknown: `None`.
    pub fn from_graph(body: &Json) -> Secrets {
        let mut s = Secrets::default();
        for kv in values(body) {
            let (Some(k), Some(v)) = (js(&kv, "key"), js(&kv, "value")) else {
                continue;
            };
            if v == "*" {
                continue;
            }
            match k.as_str() {
                "CompanyId" => s.company_id = Some(v),
                "SyncAll" => s.sync_all = Some(v),
                "SyncNotificationSettings" => s.notification = serde_json::from_str(&v).ok(),
                _ => {}
            }
        }
        s
    }

    /// `scope` as the configuration spells it.
    pub fn scope(&self) -> Option<String> {
        match self
            .sync_all
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("true") => Some("all".into()),
            Some("false") => Some("assigned".into()),
            _ => None,
        }
    }

    /// The notification e-mail: the recipients of `SyncNotificationSettings` when enabled.
    pub fn notification_email(&self) -> Option<String> {
        let n = self.notification.as_ref()?;
        if n.get("Enabled").and_then(Json::as_bool) != Some(true) {
            return None;
        }
        js(n, "Recipients").filter(|r| !r.is_empty())
    }
}

/// `SyncNotificationSettings` for an e-mail (or none). The `Enabled`, `DeleteThresholdEnabled`
/// and `HumanResourcesLookaheadQueryEnabled` fields are those the documented secrets PUT sends;
/// `Recipients` (the address the portal's "Notification Email" sets) is an assumed name
/// (API-NOTES.md#xts-secrets).
pub fn notification_settings(email: Option<&str>) -> String {
    let v = match email {
        Some(e) => json!({
            "Enabled": true,
            "Recipients": e,
            "DeleteThresholdEnabled": false,
            "HumanResourcesLookaheadQueryEnabled": false,
        }),
        None => json!({
            "Enabled": false,
            "DeleteThresholdEnabled": false,
            "HumanResourcesLookaheadQueryEnabled": false,
        }),
    };
    v.to_string()
}

// ---- job ------------------------------------------------------------------------------------

/// The job's computed attributes and `enabled`, from a job GET.
pub struct JobView {
    pub id: Option<String>,
    pub enabled: bool,
    pub schedule_interval: Option<String>,
    pub status: Option<String>,
    pub last_execution_state: Option<String>,
    pub last_successful_execution_time: Option<String>,
    pub quarantine_reason: Option<String>,
}

impl JobView {
    pub fn from_graph(job: &Json) -> JobView {
        let schedule = job.get("schedule").cloned().unwrap_or(Json::Null);
        let status = job.get("status").cloned().unwrap_or(Json::Null);
        let sub = |o: &str, k: &str| status.get(o).and_then(|x| js(x, k));
        JobView {
            id: js(job, "id"),
            // The schedule is Active after start, Paused after pause, Disabled as created.
            enabled: js(&schedule, "state").as_deref() == Some("Active"),
            schedule_interval: js(&schedule, "interval"),
            status: js(&status, "code"),
            last_execution_state: sub("lastExecution", "state"),
            last_successful_execution_time: sub("lastSuccessfulExecution", "timeEnded"),
            quarantine_reason: sub("quarantine", "reason"),
        }
    }

    pub fn apply_to(&self, m: &mut XtsJob) {
        m.job_id.clone_from(&self.id);
        m.enabled = Some(self.enabled);
        m.schedule_interval.clone_from(&self.schedule_interval);
        m.status.clone_from(&self.status);
        m.last_execution_state
            .clone_from(&self.last_execution_state);
        m.last_successful_execution_time
            .clone_from(&self.last_successful_execution_time);
        m.quarantine_reason.clone_from(&self.quarantine_reason);
    }
}

/// Assignments as (assignment ID, principal ID lowercase, principal type).
pub fn assignments(body: &Json) -> Vec<(String, String, String)> {
    values(body)
        .iter()
        .filter_map(|a| {
            Some((
                js(a, "id")?,
                js(a, "principalId")?.to_ascii_lowercase(),
                js(a, "principalType").unwrap_or_default(),
            ))
        })
        .collect()
}
