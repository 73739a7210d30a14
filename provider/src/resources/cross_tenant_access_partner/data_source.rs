//! The `coexistence_cross_tenant_access_partner` data source: the partner configuration as the
//! tenant holds it now, with the resource's attributes (all computed). Made for `check` blocks
//! that watch a tenant pair's prerequisites ("does the target still allow inbound sync?"),
//! which must see the live object rather than the planned one.

use super::model::Partner;
use super::{api, read_partner, schema as resource_schema, split_listed, CrossTenantAccessPartner};
use crate::clients::Permission;
use crate::framework::refresh::ListedKey;
use crate::framework::validators::guid;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema, Value};
use async_trait::async_trait;

pub struct PartnerDataSource;

/// The resource's attributes as read-only, except `tenant_id`, the lookup key; no `timeouts`.
fn schema() -> Schema {
    let mut attributes: Vec<Attribute> = resource_schema()
        .attributes
        .into_iter()
        .filter(|a| a.name != "timeouts")
        .map(|a| match a.name.as_str() {
            "tenant_id" => Attribute::string("tenant_id")
                .required()
                .validate(guid())
                .description("The partner's tenant ID (a GUID) whose configuration to read."),
            _ => a.read_only(),
        })
        .collect();
    attributes.push(Attribute::bool("exists").computed().description("Whether the tenant holds a partner configuration for `tenant_id`. When it does not, every other attribute is null: the tenant applies its default settings to that partner."));
    Schema::new(
        "Reads the partner-specific cross-tenant access settings this tenant holds for one partner tenant, and its identity synchronization policy, as they are now (a configuration made in the portal or by another workspace). A partner without a configuration reads as `exists = false` rather than an error, so a `check` block can watch a pair's prerequisites on every plan, including the first, before anything is created.",
        attributes,
    )
}

#[async_trait]
impl DataSource for PartnerDataSource {
    fn type_name(&self) -> &'static str {
        super::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let id = config
            .get("tenant_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        // The resource's listing answers when it holds the partner (a `check` block per pair
        // of a hub reads many partners of one tenant); otherwise, and for a partner the
        // listing misses, the direct read decides.
        let found = match ctx
            .listed(&CrossTenantAccessPartner, &ListedKey::whole(&id))
            .await
        {
            Some(listed) => Some(split_listed(&listed)),
            None => read_partner(&ctx.clients.graph, &ctx.deadline, &id).await?,
        };
        let Some((partner, sync)) = found else {
            let mut v = Value::null_object(&schema().ty());
            v.set_attr("tenant_id", Value::string(id.clone()));
            v.set_attr("id", Value::string(id.to_ascii_lowercase()));
            v.set_attr("exists", Value::Bool(false));
            return Ok(v);
        };
        let mut p = Partner::from_graph(&partner, sync.as_ref());
        // As the resource: keep the configuration's spelling of the GUID.
        if p.tenant_id.eq_ignore_ascii_case(&id) {
            p.tenant_id = id;
        }
        let mut v = p.to_value()?;
        if let Value::Object(m) = &mut v {
            m.remove("timeouts");
            m.insert("exists".into(), Value::Bool(true));
        }
        Ok(v)
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        &api::PERMISSIONS[..1]
    }

    fn model_mismatches(&self) -> Vec<String> {
        crate::framework::typed::model_mismatches::<Partner>(&resource_schema())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::http::mock::{graph_error, step, MockTransport};
    use std::time::Duration;

    #[test]
    fn schema_is_the_resource_read_only_keyed_by_tenant_id() {
        let s = schema();
        assert!(s.lint("ds").is_empty(), "{:?}", s.lint("ds"));
        assert!(s.attribute("timeouts").is_none());
        let key = s.attribute("tenant_id").unwrap();
        assert!(key.required && !key.computed);
        for a in s.attributes.iter().filter(|a| a.name != "tenant_id") {
            assert!(a.computed && !a.optional && !a.required, "{}", a.name);
        }
        assert_eq!(
            resource_schema().attributes.len(),
            s.attributes.len(),
            "every resource attribute but timeouts, and exists"
        );
    }

    #[tokio::test]
    async fn reads_the_partner_in_one_request_and_a_missing_one_as_not_existing() {
        let id = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54";
        let config = Value::object([("tenant_id", Value::string(id))]);
        let found = serde_json::json!({
            "tenantId": id,
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
            "identitySynchronization": {"tenantId": id, "userSyncInbound": {"isSyncAllowed": true}}
        });
        let path = format!(
            "/v1.0{}/{id}?$expand=identitySynchronization",
            api::PARTNERS
        );
        let m = MockTransport::new(vec![step("GET", &path, 200, Some(found))]);
        let c = crate::framework::Ctx::for_tests(m.clone(), Duration::from_secs(5));
        let v = PartnerDataSource.read(&c, &config).await.unwrap();
        v.conforms(&schema().ty()).unwrap();
        assert_eq!(
            v.get("identity_synchronization")
                .get("user_sync_inbound_allowed"),
            &Value::Bool(true)
        );
        assert_eq!(
            v.get("inbound_trust").get("mfa_accepted"),
            &Value::Bool(true)
        );
        assert_eq!(
            v.get("automatic_user_consent").get("outbound_allowed"),
            &Value::Null
        );

        assert_eq!(m.seen.lock().unwrap().len(), 1, "one request");
        let m = MockTransport::new(vec![graph_error(
            "GET",
            &path,
            404,
            "ResourceNotFound",
            "gone",
        )]);
        let c = crate::framework::Ctx::for_tests(m, Duration::from_secs(5));
        let v = PartnerDataSource.read(&c, &config).await.unwrap();
        v.conforms(&schema().ty()).unwrap();
        assert_eq!(v.get("exists"), &Value::Bool(false));
        assert_eq!(v.get("tenant_id"), &Value::string(id));
        assert!(v.get("inbound_trust").is_null());
    }
}
