//! `coexistence_mail_routing`: the provider's own tenant's domains and the mail exchanger
//! Exchange Online publishes for each (Graph `GET /domains`, then
//! `GET /domains/{id}/serviceConfigurationRecords` per verified Email domain), so mail routing
//! toward a tenant uses the host the service names rather than one built from a string pattern.
//!
//! A data source of its own, not attributes of `coexistence_tenant`: Graph serves a tenant's
//! domains only to that tenant (`/domains` is the signed-in tenant's), whereas
//! `coexistence_tenant` looks up any tenant and needs only
//! `CrossTenantInformation.ReadBasic.All`. Mixing them would leave the attributes null for
//! every other tenant and ask every lookup for `Domain.Read.All`.

use crate::clients::graph::GraphRequest;
use crate::clients::Permission;
use crate::framework::{
    typed, Attribute, Context, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Value,
};
use async_trait::async_trait;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub const TYPE_NAME: &str = "coexistence_mail_routing";

pub struct MailRouting;

/// List domains and their service configuration records (API-NOTES.md#permissions-domains).
pub const READ: Permission = Permission::graph(&["Domain.Read.All"]);

/// Record requests in flight at once: a tenant may have hundreds of domains.
const CONCURRENT_RECORD_READS: usize = 4;

fn schema() -> Schema {
    let mx = vec![
        Attribute::string("host").computed().description("The mail exchanger (`mailExchange`), e.g. `contoso.mail.protection.outlook.com` or `contoso-com.<zone>.mx.microsoft`."),
        Attribute::number("preference").computed().description("The MX preference (lower is tried first)."),
    ];
    let domain = vec![
        Attribute::string("id").computed().description("The domain name, e.g. `contoso.onmicrosoft.com`."),
        Attribute::bool("is_default").computed().description("Whether it is the tenant's default domain (new users' and groups' addresses)."),
        Attribute::bool("is_initial").computed().description("Whether it is the initial domain Microsoft created with the tenant (`<name>.onmicrosoft.com`); a tenant has exactly one."),
        Attribute::bool("is_verified").computed().description("Whether the tenant has proven it owns the domain. Only verified domains route mail, so only their MX records are read."),
        Attribute::string_set("supported_services").computed().description("The services the domain is enabled for (`Email`, `OfficeCommunicationsOnline`, `Intune`, ...). Only `Email` domains have their MX records read."),
        Attribute::list_of("mx", mx).computed().description("The MX records Exchange Online publishes for the domain (service configuration records of type MX for the `Email` service), by preference then host. Empty for an unverified domain or one without `Email`."),
    ];
    Schema::new(
        "Reads the domains of the provider's own tenant and the mail exchanger (MX host) Exchange Online publishes for each, as Microsoft Graph's service configuration records give them. Use it for the smart host of an outbound connector toward this tenant: the host is the service's, not one derived from the domain name (an initial domain's MX is `<name>.mail.protection.outlook.com`, not `<name>-onmicrosoft-com...`, and newer domains are served from `*.mx.microsoft`). It reads the tenant its provider block signs in to: read each tenant with its own provider. A data source of its own rather than attributes of `coexistence_tenant`, because Graph lists a tenant's domains only to that tenant (and needs `Domain.Read.All`), while `coexistence_tenant` looks up any tenant. Read once per Terraform command and provider block: every instance of it (a module called once per tenant pair) shares that read.",
        vec![
            Attribute::string("id").computed().description("The tenant's initial domain (a tenant has exactly one)."),
            Attribute::list_of("domains", domain).computed().description("Every domain of the tenant, sorted by name."),
            Attribute::string("initial_domain").computed().description("The initial domain (`<name>.onmicrosoft.com`)."),
            Attribute::string("initial_domain_mx").computed().description("The initial domain's most preferred MX host (lowest preference), e.g. `contoso.mail.protection.outlook.com`; null when the service publishes none."),
            Attribute::string("default_domain").computed().description("The default domain."),
            Attribute::string("default_domain_mx").computed().description("The default domain's most preferred MX host; null when the service publishes none (an unverified domain or one without `Email`)."),
        ],
    )
}

/// The data source's model (everything computed).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MailRoutingModel {
    pub id: Option<String>,
    pub domains: Vec<DomainModel>,
    pub initial_domain: Option<String>,
    pub initial_domain_mx: Option<String>,
    pub default_domain: Option<String>,
    pub default_domain_mx: Option<String>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DomainModel {
    pub id: String,
    pub is_default: bool,
    pub is_initial: bool,
    pub is_verified: bool,
    pub supported_services: Vec<String>,
    pub mx: Vec<MxModel>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MxModel {
    pub host: String,
    pub preference: Option<i64>,
}

/// Graph's `domain` (the properties used).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphDomain {
    id: String,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    is_initial: bool,
    #[serde(default)]
    is_verified: bool,
    #[serde(default)]
    supported_services: Vec<String>,
}

impl GraphDomain {
    /// Whether the domain can have a published mail exchanger worth a request.
    fn routes_mail(&self) -> bool {
        self.is_verified
            && self
                .supported_services
                .iter()
                .any(|s| s.eq_ignore_ascii_case("Email"))
    }
}

pub fn domains_request() -> GraphRequest {
    GraphRequest::get("/domains").needs(READ)
}

/// A domain name as a path segment: DNS names need no escaping; anything else is
/// percent-encoded rather than trusted.
pub fn records_request(domain: &str) -> GraphRequest {
    let segment: String = domain
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    GraphRequest::get(format!("/domains/{segment}/serviceConfigurationRecords")).needs(READ)
}

/// The Email MX records among a domain's service configuration records (the derived type names
/// them; `recordType` is the fallback for an answer without `@odata.type`), by preference.
/// API-NOTES.md#domains
fn email_mx(records: &[Json]) -> Vec<MxModel> {
    let mut mx: Vec<MxModel> = records
        .iter()
        .filter(|r| {
            let ty = r["@odata.type"].as_str().unwrap_or_default();
            let is_mx = if ty.is_empty() {
                r["recordType"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("Mx"))
            } else {
                ty.trim_start_matches('#') == "microsoft.graph.domainDnsMxRecord"
            };
            is_mx
                && r["supportedService"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("Email"))
        })
        .filter_map(|r| {
            Some(MxModel {
                host: r["mailExchange"].as_str()?.to_string(),
                preference: r["preference"].as_i64(),
            })
        })
        .collect();
    mx.sort_by(|a, b| {
        (a.preference.unwrap_or(i64::MAX), &a.host)
            .cmp(&(b.preference.unwrap_or(i64::MAX), &b.host))
    });
    mx.dedup();
    mx
}

impl MailRoutingModel {
    fn from_domains(mut domains: Vec<DomainModel>) -> MailRoutingModel {
        domains.sort_by(|a, b| a.id.cmp(&b.id));
        let first_mx = |d: &DomainModel| d.mx.first().map(|m| m.host.clone());
        let initial = domains.iter().find(|d| d.is_initial);
        let default = domains.iter().find(|d| d.is_default);
        MailRoutingModel {
            id: initial.map(|d| d.id.clone()),
            initial_domain: initial.map(|d| d.id.clone()),
            initial_domain_mx: initial.and_then(first_mx),
            default_domain: default.map(|d| d.id.clone()),
            default_domain_mx: default.and_then(first_mx),
            domains,
        }
    }
}

fn unexpected(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(
        format!("Unexpected answer {what}"),
        format!("Graph's answer could not be read: {e}."),
    )
    .into()
}

#[async_trait]
impl DataSource for MailRouting {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, _config: &Value) -> Result<Value, Diagnostics> {
        let dl = &ctx.deadline;
        let graph = &ctx.clients.graph;
        let listed = graph
            .list_all(&domains_request(), dl)
            .await
            .context(|| "listing the tenant's domains".to_string())?;
        let listed: Vec<GraphDomain> = listed
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()
            .map_err(|e| unexpected("listing the tenant's domains", e))?;
        // One request per domain that routes mail, a few at a time, all under the deadline.
        let domains: Vec<DomainModel> = stream::iter(listed)
            .map(|d| async move {
                let mx = if d.routes_mail() {
                    let records = graph
                        .list_all(&records_request(&d.id), dl)
                        .await
                        .context(|| format!("reading the DNS records of domain {}", d.id))?;
                    email_mx(&records)
                } else {
                    Vec::new()
                };
                let mut supported_services = d.supported_services;
                supported_services.sort();
                supported_services.dedup();
                Ok::<_, Diagnostics>(DomainModel {
                    id: d.id,
                    is_default: d.is_default,
                    is_initial: d.is_initial,
                    is_verified: d.is_verified,
                    supported_services,
                    mx,
                })
            })
            .buffered(CONCURRENT_RECORD_READS)
            .try_collect()
            .await?;
        typed::to_value(&schema(), &MailRoutingModel::from_domains(domains))
    }

    /// The tenant's domains and their DNS records: nothing this provider writes.
    fn never_written(&self) -> bool {
        true
    }

    fn permissions(&self) -> &'static [(&'static str, Permission)] {
        &[("read", READ)]
    }

    fn model_mismatches(&self) -> Vec<String> {
        typed::model_mismatches::<MailRoutingModel>(&schema())
    }
}

#[cfg(test)]
mod tests;
