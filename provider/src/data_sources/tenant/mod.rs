//! `coexistence_tenant`: looks a Microsoft Entra tenant up by domain name or tenant ID
//! (Graph `tenantRelationships/findTenantInformationBy*`), so configurations can name partners
//! by domain.

use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use crate::framework::validators::{domain_name, guid, ExactlyOneOf};
use crate::framework::{typed, Attribute, Context, Ctx, DataSource, Diagnostics, Schema, Value};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub const TYPE_NAME: &str = "coexistence_tenant";

pub struct Tenant;

/// The tenant lookup functions (API-NOTES.md#permissions-tenant-lookup).
pub const LOOKUP: Permission = Permission::graph(&["CrossTenantInformation.ReadBasic.All"]);

fn schema() -> Schema {
    Schema::new(
        "Looks up a Microsoft Entra tenant by one of its domain names or by its tenant ID. Any tenant can be looked up, not only partners already configured. Each tenant is looked up once per Terraform command and provider block, however many instances name it (a module called once per tenant pair).",
        vec![
            Attribute::string("id").computed().description("The tenant ID."),
            Attribute::string("domain_name")
                .optional()
                .validate(domain_name())
                .description("A domain of the tenant, e.g. `fabrikam.com` or `fabrikam.onmicrosoft.com`. Exactly one of `domain_name` and `tenant_id`."),
            Attribute::string("tenant_id")
                .optional()
                .computed()
                .validate(guid())
                .description("The tenant ID (a GUID). Set it to look the tenant up by ID; otherwise it is found from `domain_name`."),
            Attribute::string("display_name").computed().description("The tenant's display name."),
            Attribute::string("default_domain_name").computed().description("The tenant's default domain (usually `<name>.onmicrosoft.com`)."),
        ],
    )
    .with_validator(ExactlyOneOf(&["domain_name", "tenant_id"]))
}

/// The data source's model: configuration in, the looked-up tenant out.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantModel {
    pub id: Option<String>,
    pub domain_name: Option<String>,
    pub tenant_id: Option<String>,
    pub display_name: Option<String>,
    pub default_domain_name: Option<String>,
}

/// Graph's `tenantInformation` (the properties used).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantInformation {
    tenant_id: Option<String>,
    display_name: Option<String>,
    default_domain_name: Option<String>,
}

impl TenantModel {
    /// The looked-up tenant, keeping the configuration's spelling of the GUID (Graph answers
    /// lowercase) and its domain name.
    fn found(config: &TenantModel, info: TenantInformation) -> TenantModel {
        let tenant_id = match (&config.tenant_id, info.tenant_id) {
            (Some(c), Some(t)) if c.eq_ignore_ascii_case(&t) => Some(c.clone()),
            (_, t) => t,
        };
        TenantModel {
            id: tenant_id.clone(),
            tenant_id,
            domain_name: config.domain_name.clone(),
            display_name: info.display_name,
            default_domain_name: info.default_domain_name,
        }
    }
}

/// OData function call paths; string literals are single-quoted with quotes doubled. Inputs are
/// validated as a GUID or a domain name, so they contain nothing else to escape.
pub fn lookup_request(config: &Value) -> GraphRequest {
    let req = match config.get("tenant_id").as_str() {
        Some(id) => GraphRequest::get(format!(
            "/tenantRelationships/findTenantInformationByTenantId(tenantId='{}')",
            id.replace('\'', "''")
        )),
        None => GraphRequest::get(format!(
            "/tenantRelationships/findTenantInformationByDomainName(domainName='{}')",
            config
                .get("domain_name")
                .as_str()
                .unwrap_or_default()
                .replace('\'', "''")
        )),
    };
    req.needs(LOOKUP)
}

#[async_trait]
impl DataSource for Tenant {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let req = lookup_request(config);
        let what = config
            .get("tenant_id")
            .as_str()
            .or(config.get("domain_name").as_str())
            .unwrap_or_default()
            .to_string();
        let dl = &ctx.deadline;
        let info = ctx
            .clients
            .graph
            .send(&req, dl)
            .await
            .context(|| format!("looking up tenant {what}"))?;
        let info: TenantInformation = serde_json::from_value(info.body.unwrap_or_default())
            .map_err(|e| {
                Diagnostics::from(crate::framework::Diagnostic::error(
                    format!("Unexpected answer looking up tenant {what}"),
                    format!("Graph's tenantInformation could not be read: {e}."),
                ))
            })?;
        let s = schema();
        let config: TenantModel = typed::from_value(&s, config)?;
        typed::to_value(&s, &TenantModel::found(&config, info))
    }

    /// A tenant's ID, name and default domain: nothing this provider writes.
    fn never_written(&self) -> bool {
        true
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        &[("read", LOOKUP)]
    }

    fn model_mismatches(&self) -> Vec<String> {
        typed::model_mismatches::<TenantModel>(&schema())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_paths() {
        let by_id = Value::object([
            (
                "tenant_id",
                Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ),
            ("domain_name", Value::Null),
        ]);
        let req = lookup_request(&by_id);
        assert_eq!(
            req.url("https://graph.example/v1.0").as_deref(),
            Some("https://graph.example/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='72f988bf-86f1-41af-91ab-2d7cd011db47')")
        );
        assert_eq!(
            (req.method, req.body, req.permission),
            ("GET", None, Some(LOOKUP))
        );
        let by_domain = Value::object([
            ("tenant_id", Value::Null),
            ("domain_name", Value::string("contoso.com")),
        ]);
        assert_eq!(
            lookup_request(&by_domain).path,
            "/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')"
        );
    }

    #[test]
    fn model_matches_schema() {
        assert_eq!(Tenant.model_mismatches(), Vec::<String>::new());
    }

    #[test]
    fn found_tenant_keeps_the_configured_spelling() {
        let config = TenantModel {
            tenant_id: Some("72F988BF-86F1-41AF-91AB-2D7CD011DB47".into()),
            ..Default::default()
        };
        let info: TenantInformation = serde_json::from_value(serde_json::json!({
            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "displayName": "Contoso", "defaultDomainName": "contoso.onmicrosoft.com",
            "federationBrandName": null
        }))
        .unwrap();
        let v = typed::to_value(&schema(), &TenantModel::found(&config, info)).unwrap();
        v.conforms(&schema().ty()).unwrap();
        assert_eq!(
            v.get("id"),
            &Value::string("72F988BF-86F1-41AF-91AB-2D7CD011DB47")
        );
        assert_eq!(v.get("display_name"), &Value::string("Contoso"));
        assert!(v.get("domain_name").is_null());
    }

    #[test]
    fn exactly_one_lookup_key() {
        let s = schema();
        let both = Value::object([
            ("id", Value::Null),
            (
                "tenant_id",
                Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ),
            ("domain_name", Value::string("contoso.com")),
            ("display_name", Value::Null),
            ("default_domain_name", Value::Null),
        ]);
        assert!(s.validate(&both).has_errors());
    }
}
