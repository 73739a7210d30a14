//! `coexistence_tenant`: looks a Microsoft Entra tenant up by domain name or tenant ID
//! (Graph `tenantRelationships/findTenantInformationBy*`), so configurations can name partners
//! by domain.

use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use crate::framework::validators::{domain_name, guid, ExactlyOneOf};
use crate::framework::{Attribute, Context, Ctx, DataSource, Diagnostics, Schema, Value};
use async_trait::async_trait;

pub const TYPE_NAME: &str = "coexistence_tenant";

pub struct Tenant;

/// The tenant lookup functions (facts file §2).
pub const LOOKUP: Permission = Permission::graph(&["CrossTenantInformation.ReadBasic.All"]);

fn schema() -> Schema {
    Schema::new(
        "Looks up a Microsoft Entra tenant by one of its domain names or by its tenant ID. Any tenant can be looked up, not only partners already configured.",
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
        let dl = crate::framework::lifecycle::data_source_deadline(TYPE_NAME, &ctx.deadline);
        let info = ctx
            .clients
            .graph
            .send(&req, &dl)
            .await
            .context(|| format!("looking up tenant {what}"))?;
        let body = info.body.unwrap_or_default();
        let field = |k: &str| Value::opt_string(body.get(k).and_then(|v| v.as_str()));
        let tenant_id = field("tenantId");
        // Keep the user's spelling of the GUID (Graph answers lowercase).
        let tenant_id = match (config.get("tenant_id"), &tenant_id) {
            (Value::String(c), Value::String(t)) if c.eq_ignore_ascii_case(t) => {
                Value::string(c.clone())
            }
            _ => tenant_id,
        };
        Ok(Value::object([
            ("id", tenant_id.clone()),
            ("tenant_id", tenant_id),
            ("domain_name", config.get("domain_name").clone()),
            ("display_name", field("displayName")),
            ("default_domain_name", field("defaultDomainName")),
        ]))
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        &[("read", LOOKUP)]
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
