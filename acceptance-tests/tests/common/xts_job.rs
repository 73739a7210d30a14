//! The cross-tenant synchronization configuration: where its objects live (the application,
//! and the service principal with its job, schema, secrets and assignments below it), how it
//! is imported, and the HCL of the two-tenant flow.

use super::{q, Acc, ResourceType, Steps, PARTNER};
use coexistence_acceptance::emulator::graph::xts::{
    add_group, add_user, app_path, job_path, schema_path, secrets_path, sp_path,
};
use serde_json::Value;

pub const XTS_TYPE: &str = coexistence::resources::xts_job::TYPE_NAME;
/// Address of the configuration most scenarios manage.
pub const XTS_ADDR: &str = "coexistence_xts_job.to_fabrikam";

/// Imported by its service principal's object ID; it owns the service principal and what is
/// below it (job, schema, secrets, assignments) and its application (not below it).
pub static XTS_JOB: ResourceType = ResourceType {
    type_name: XTS_TYPE,
    path: |s| {
        sp_path(
            s["service_principal_id"]
                .as_str()
                .expect("service_principal_id in state"),
        )
    },
    owns: |ty, s, path, _| {
        let sp = (ty.path)(s);
        let app = s["application_object_id"].as_str().map(app_path);
        path == sp || path.starts_with(&format!("{sp}/")) || Some(path) == app.as_deref()
    },
    // Only destroy uses it; an import has the default.
    import_ignore: &["timeouts", "deprovision_on_destroy"],
    ..super::DESCRIPTION
};

/// The partner settings of the flow: which the target (Fabrikam) and the source (Contoso)
/// allow. `Default` is the complete, working set.
#[derive(Clone, Copy, Debug)]
pub struct Partners {
    pub target_sync_inbound: bool,
    pub target_consent_inbound: bool,
    pub source_consent_outbound: bool,
}

impl Default for Partners {
    fn default() -> Self {
        Partners {
            target_sync_inbound: true,
            target_consent_inbound: true,
            source_consent_outbound: true,
        }
    }
}

/// The two partners (target one through `coexistence.fabrikam`) and the job with `job_body`
/// (its arguments besides `target_tenant_id`, one per line), ordered by references.
pub fn flow(acc: &Acc, p: Partners, job_body: &str) -> String {
    format!(
        r#"{partner_provider}
resource "coexistence_cross_tenant_access_partner" "contoso_in_fabrikam" {{
  provider  = coexistence.fabrikam
  tenant_id = {source}
  automatic_user_consent = {{
    inbound_allowed  = {ti}
    outbound_allowed = false
  }}
  identity_synchronization = {{
    user_sync_inbound_allowed = {ts}
  }}
}}

resource "coexistence_cross_tenant_access_partner" "fabrikam" {{
  tenant_id = {target}
  automatic_user_consent = {{
    inbound_allowed  = false
    outbound_allowed = {so}
  }}
}}

resource "coexistence_xts_job" "to_fabrikam" {{
  target_tenant_id = coexistence_cross_tenant_access_partner.fabrikam.tenant_id
{job_body}
  depends_on = [coexistence_cross_tenant_access_partner.contoso_in_fabrikam]
}}
"#,
        partner_provider = acc.provider_block(&acc.partner, Some("fabrikam")),
        source = q(&acc.home.tenant_id),
        target = q(&acc.partner.tenant_id),
        ti = p.target_consent_inbound,
        ts = p.target_sync_inbound,
        so = p.source_consent_outbound,
    )
}

/// Every application in `tenant`'s store (live ones).
pub fn applications(acc: &Acc, tenant: &str) -> Vec<(String, Value)> {
    acc.emu
        .objects(tenant)
        .into_iter()
        .filter(|(p, _)| p.starts_with("/applications/"))
        .collect()
}

// ---- the job's scenarios ------------------------------------------------------------------

/// The group and user `start` seeds in the home tenant.
pub const GROUP: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
pub const USER: &str = "0b6c3a1e-7d2f-4c5a-9e8b-1f2a3b4c5d6e";

/// Steps tracking the job (home tenant) and both partners.
pub fn steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc)
        .track(&XTS_JOB, "to_fabrikam", &acc.home.tenant_id)
        .track(&PARTNER, "fabrikam", &acc.home.tenant_id)
        .track(&PARTNER, "contoso_in_fabrikam", &acc.partner.tenant_id)
}

/// An Acc whose home tenant has the scoping principals.
pub async fn start() -> Acc {
    let acc = Acc::start().await;
    add_group(&acc.emu, &acc.home.tenant_id, GROUP, "Sales");
    add_user(&acc.emu, &acc.home.tenant_id, USER, "Alice");
    acc
}

/// The job's arguments besides `target_tenant_id`.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub scope: &'static str,
    pub groups: Vec<&'static str>,
    pub users: Vec<&'static str>,
    pub user_type: &'static str,
    pub show: bool,
    pub enabled: bool,
    pub email: Option<&'static str>,
    pub extra: &'static str,
}

impl Default for Job {
    fn default() -> Self {
        Job {
            name: "Sync to Fabrikam",
            scope: "assigned",
            groups: vec![GROUP],
            users: vec![],
            user_type: "Member",
            show: true,
            enabled: true,
            email: Some("ops@contoso.com"),
            extra: "",
        }
    }
}

impl Job {
    pub fn body(&self) -> String {
        let set = |v: &[&str]| {
            format!(
                "[{}]",
                v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
            )
        };
        let mut b = format!(
            "  display_name = {}\n  scope = {}\n  scoping_group_ids = {}\n  scoping_user_ids = {}\n  user_type = {}\n  show_in_address_list = {}\n  enabled = {}\n",
            q(self.name),
            q(self.scope),
            set(&self.groups),
            set(&self.users),
            q(self.user_type),
            self.show,
            self.enabled
        );
        if let Some(e) = self.email {
            b.push_str(&format!("  notification_email = {}\n", q(e)));
        }
        b.push_str(self.extra);
        b
    }

    pub fn hcl(&self, acc: &Acc) -> String {
        flow(acc, Partners::default(), &self.body())
    }
}

/// The job's state in Terraform and its objects in the emulator: (state, job, schema, secrets).
pub async fn remote(acc: &Acc) -> (Value, Value, Value, Value) {
    let s = acc.tf.resource(XTS_ADDR).await;
    let (sp, job) = (
        s["service_principal_id"].as_str().unwrap().to_string(),
        s["job_id"].as_str().unwrap().to_string(),
    );
    let home = &acc.home.tenant_id;
    let get = |p: &str| {
        acc.emu
            .object(home, p)
            .unwrap_or_else(|| panic!("no {p} in the emulator"))
    };
    let (j, sc, se) = (
        get(&job_path(&sp, &job)),
        get(&schema_path(&sp, &job)),
        get(&secrets_path(&sp)),
    );
    (s, j, sc, se)
}

/// The principals assigned to the service principal `sp`, sorted.
pub fn assigned(acc: &Acc, sp: &str) -> Vec<String> {
    let mut v: Vec<String> = acc
        .emu
        .objects(&acc.home.tenant_id)
        .into_iter()
        .filter(|(p, _)| p.starts_with(&format!("{}/appRoleAssignedTo/", sp_path(sp))))
        .map(|(_, a)| a["principalId"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}
