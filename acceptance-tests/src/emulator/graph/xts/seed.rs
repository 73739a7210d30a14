//! A configuration made outside Terraform (in the portal): application, service principal,
//! job, secrets, default schema and assignments written straight into the store, for import
//! and `-generate-config-out` tests.

use serde_json::{json, Value};

use super::apps::instantiated;
use super::assign::assignment;
use super::sync::{new_job, new_job_id};
use super::sync_schema::default_schema;
use super::*;

/// What the portal configuration holds.
#[derive(Clone, Debug, Default)]
pub struct PortalConfiguration {
    pub display_name: String,
    pub target_tenant_id: String,
    /// `SyncAll` = `"true"` (scope "all").
    pub sync_all: bool,
    /// Users and groups (seeded with [`add_user`] / [`add_group`]) assigned to it.
    pub principal_ids: Vec<String>,
    /// Started (schedule `Active`) rather than paused.
    pub running: bool,
    /// `SyncNotificationSettings.Recipients` (notifications enabled) when set.
    pub notification_email: Option<String>,
}

/// The ids of a configuration [`portal_configuration`] made.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub application_object_id: String,
    pub service_principal_id: String,
    pub job_id: String,
}

/// Writes the configuration `c` into `tenant` as the portal would leave it. Panics on an
/// unknown tenant or principal (a test bug).
pub fn portal_configuration(
    emu: &impl AsRef<Shared>,
    tenant: &str,
    c: &PortalConfiguration,
) -> Seeded {
    let tenant = emu
        .as_ref()
        .signin_tenant(tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_else(|| panic!("unknown tenant {tenant}"));
    let (app, sp) = instantiated(&tenant, &c.display_name);
    let mut job = Value::Object(new_job(&new_job_id()));
    let sp_id = sp["id"].as_str().unwrap_or_default().to_string();
    let job_id = job["id"].as_str().unwrap_or_default().to_string();
    let app_obj = app["id"].as_str().unwrap_or_default().to_string();
    if c.running {
        job["schedule"]["state"] = json!("Active");
        job["status"]["code"] = json!("Active");
    }
    let notifications = match &c.notification_email {
        Some(to) => {
            json!({"Enabled": true, "Recipients": to, "DeleteThresholdEnabled": false, "HumanResourcesLookaheadQueryEnabled": false})
        }
        None => {
            json!({"Enabled": false, "DeleteThresholdEnabled": false, "HumanResourcesLookaheadQueryEnabled": false})
        }
    };
    let secrets = json!({"value": [
        {"key": "AuthenticationType", "value": "SyncPolicy"},
        {"key": "CompanyId", "value": c.target_tenant_id.to_ascii_lowercase()},
        {"key": "SyncAll", "value": if c.sync_all { "true" } else { "false" }},
        {"key": "SyncNotificationSettings", "value": notifications.to_string()},
    ]});
    let role = sp["appRoles"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    emu.as_ref().with_store(&tenant, |s| {
        let mut assignments: Vec<Value> = Vec::new();
        for p in &c.principal_ids {
            let p = p.to_ascii_lowercase();
            let (kind, obj) = if let Some(u) = s.get(&format!("{USERS_PATH}/{p}")) {
                ("User", u.clone())
            } else if let Some(g) = s.get(&format!("{GROUPS_PATH}/{p}")) {
                ("Group", g.clone())
            } else {
                panic!("principal {p} is not seeded (xts::add_user / add_group)");
            };
            assignments.push(assignment(&role, &p, kind, &obj, &sp));
        }
        s.replace(&app_path(&app_obj), app.clone());
        s.replace(&sp_path(&sp_id), sp.clone());
        s.replace(&job_path(&sp_id, &job_id), job);
        s.replace(&schema_path(&sp_id, &job_id), default_schema(&job_id));
        s.replace(&secrets_path(&sp_id), secrets);
        for a in assignments {
            let id = a["id"].as_str().unwrap_or_default().to_string();
            s.replace(&format!("{}/{id}", assignments_path(&sp_id)), a);
        }
    });
    Seeded {
        application_object_id: app_obj,
        service_principal_id: sp_id,
        job_id,
    }
}
