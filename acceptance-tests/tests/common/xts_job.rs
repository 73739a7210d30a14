//! The cross-tenant synchronization configuration: where its objects live (the application,
//! and the service principal with its job, schema, secrets and assignments below it), how it
//! is imported, and the HCL of the two-tenant flow.

use super::{q, Acc, ResourceType};
use coexistence_acceptance::emulator::graph::xts::{app_path, sp_path};
use serde_json::Value;

pub const XTS_TYPE: &str = "coexistence_xts_job";
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
    import_id: |s| {
        s["service_principal_id"]
            .as_str()
            .expect("service_principal_id in state")
            .to_string()
    },
    import_ignore: &["timeouts"],
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
