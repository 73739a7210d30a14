//! The `coexistence_cross_tenant_access_partners` data source: every partner configuration the
//! tenant holds, in one paged request, with what a reviewer watches for: partners that allow
//! synchronization or automatic redemption, service-provider partners (made by CSP
//! relationships and support cases, not by the tenant's admins) and multitenant-organization
//! members. Made for `check` blocks that warn about partners nobody added on purpose.

use super::{api, list::all_with_sync};
use crate::clients::Permission;
use crate::framework::{typed, Attribute, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::resources::shared::xtap_blocks::{jb, js};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub struct PartnersDataSource;

pub const TYPE_NAME: &str = "coexistence_cross_tenant_access_partners";

fn schema() -> Schema {
    let partner = vec![
        Attribute::string("tenant_id").computed().description("The partner's tenant ID."),
        Attribute::bool("is_service_provider").computed().description("Whether the service marks the partner as a service provider (`isServiceProvider`): made by a CSP relationship or a support case rather than by this tenant's admins."),
        Attribute::bool("is_in_multi_tenant_organization").computed().description("Whether the partner is in the same multitenant organization as this tenant (set by the service)."),
        Attribute::bool("user_sync_inbound_allowed").computed().description("Whether the partner's identity synchronization policy allows its users to be synchronized into this tenant; null when the partner has no such policy."),
        Attribute::bool("automatic_user_consent_inbound_allowed").computed().description("Whether invitations from the partner are redeemed without a consent prompt (null: not configured, the default applies)."),
        Attribute::bool("automatic_user_consent_outbound_allowed").computed().description("Whether this tenant's users are redeemed into the partner without a consent prompt (null: not configured, the default applies)."),
    ];
    Schema::new(
        "Every partner configuration this tenant holds, as it is now, whoever made it (this configuration, another workspace, the admin center, a CSP relationship). For `check` blocks that watch a tenant for partners nobody added on purpose: compare `tenant_ids` with the partners the configuration manages.",
        vec![
            Attribute::list_of("partners", partner).computed().description("Each partner configuration, sorted by tenant ID."),
            Attribute::string_set("tenant_ids").computed().description("The partners' tenant IDs (lowercase), for set arithmetic in `check` blocks."),
        ],
    )
}

/// The data source's value (field names are the schema's attribute names).
#[derive(Serialize, Deserialize)]
struct PartnersModel {
    partners: Vec<PartnerRow>,
    tenant_ids: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct PartnerRow {
    tenant_id: String,
    is_service_provider: Option<bool>,
    is_in_multi_tenant_organization: Option<bool>,
    user_sync_inbound_allowed: Option<bool>,
    automatic_user_consent_inbound_allowed: Option<bool>,
    automatic_user_consent_outbound_allowed: Option<bool>,
}

impl PartnerRow {
    fn from_graph(p: &Json, sync: Option<&Json>) -> PartnerRow {
        let consent = p.get("automaticUserConsentSettings").unwrap_or(&Json::Null);
        PartnerRow {
            tenant_id: js(p, "tenantId").unwrap_or_default().to_ascii_lowercase(),
            is_service_provider: jb(p, "isServiceProvider"),
            is_in_multi_tenant_organization: jb(p, "isInMultiTenantOrganization"),
            user_sync_inbound_allowed: sync
                .and_then(|s| s.get("userSyncInbound"))
                .and_then(|u| jb(u, "isSyncAllowed")),
            automatic_user_consent_inbound_allowed: jb(consent, "inboundAllowed"),
            automatic_user_consent_outbound_allowed: jb(consent, "outboundAllowed"),
        }
    }
}

#[async_trait]
impl DataSource for PartnersDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, _: &Value) -> Result<Value, Diagnostics> {
        let mut partners: Vec<PartnerRow> = all_with_sync(ctx)
            .await?
            .iter()
            .map(|(p, sync)| PartnerRow::from_graph(p, sync.as_ref()))
            .collect();
        partners.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
        let tenant_ids = partners.iter().map(|p| p.tenant_id.clone()).collect();
        typed::to_value(
            &schema(),
            &PartnersModel {
                partners,
                tenant_ids,
            },
        )
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        &api::PERMISSIONS[..1]
    }

    fn model_mismatches(&self) -> Vec<String> {
        typed::model_mismatches::<PartnersModel>(&schema())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::graph::GraphRequest;
    use crate::clients::http::mock::{answer, MockTransport};
    use serde_json::json;
    use std::time::Duration;

    const A: &str = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54";
    const CSP: &str = "8E3A1C52-0D7B-4F6E-A1C9-2B5D7F0E4A63";

    #[tokio::test]
    async fn every_partner_in_one_paged_request_sorted_with_what_a_reviewer_watches() {
        let page = json!({"value": [
            {"tenantId": CSP, "isServiceProvider": true, "isInMultiTenantOrganization": false,
             "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
             "identitySynchronization": null},
            {"tenantId": A, "isServiceProvider": null, "isInMultiTenantOrganization": true,
             "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false},
             "identitySynchronization": {"tenantId": A, "userSyncInbound": {"isSyncAllowed": true}}},
        ]});
        let list = GraphRequest::get(api::PARTNERS).query("$expand", "identitySynchronization");
        let m = MockTransport::new(vec![answer(list, 200, Some(page))]);
        let ctx = Ctx::for_tests(m.clone(), Duration::from_secs(5));
        let v = PartnersDataSource
            .read(&ctx, &Value::null_object(&schema().ty()))
            .await
            .unwrap();
        m.assert_done();
        v.conforms(&schema().ty()).unwrap();
        let ps = v.get("partners").elements();
        assert_eq!(ps.len(), 2);
        // Sorted by (lowercase) tenant ID.
        assert_eq!(ps[0].get("tenant_id"), &Value::string(A));
        assert_eq!(ps[0].get("user_sync_inbound_allowed"), &Value::Bool(true));
        assert_eq!(
            ps[0].get("is_in_multi_tenant_organization"),
            &Value::Bool(true)
        );
        assert_eq!(
            ps[0].get("automatic_user_consent_outbound_allowed"),
            &Value::Bool(false)
        );
        assert!(ps[0].get("is_service_provider").is_null());
        assert_eq!(
            ps[1].get("tenant_id"),
            &Value::string(CSP.to_ascii_lowercase())
        );
        assert_eq!(ps[1].get("is_service_provider"), &Value::Bool(true));
        assert!(
            ps[1].get("user_sync_inbound_allowed").is_null(),
            "no policy"
        );
        assert_eq!(v.get("tenant_ids").elements().len(), 2);
    }

    #[test]
    fn schema_is_described() {
        assert!(
            schema().lint(TYPE_NAME).is_empty(),
            "{:?}",
            schema().lint(TYPE_NAME)
        );
    }
}
