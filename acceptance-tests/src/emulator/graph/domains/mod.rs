//! The tenant's domains: `GET /v1.0/domains` (paged) and
//! `GET /v1.0/domains/{id}/serviceConfigurationRecords` (the DNS records each service needs,
//! among them the MX record Exchange Online publishes for the domain). API-NOTES.md#domains
//!
//! Every sign-in tenant has the same two domains, derived from its default domain
//! `<name>.onmicrosoft.com` (API-NOTES.md#domains-seed): its initial domain, whose mail
//! exchanger is `<name>.mail.protection.outlook.com`, and one verified custom domain
//! `<name>.com`, whose mail exchanger is on the newer `mx.microsoft` infrastructure. They are
//! not stored (nothing writes them): [`seeded`] is what both endpoints serve, and what tests
//! compare the provider's reading with.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::envelope::{context_url, odata_json, GraphCtx, GraphError, GraphResult};
use crate::emulator::state::Shared;
use crate::emulator::vocab::TenantSpec;

/// Domains per page of `GET /domains` (API-NOTES.md#domains-paging): small on purpose, so
/// every client follows `@odata.nextLink`.
pub const PAGE_SIZE: usize = 1;

/// The properties of `microsoft.graph.domain` (csdl), for `$select`.
const DOMAIN_PROPS: &[&str] = &[
    "id",
    "authenticationType",
    "availabilityStatus",
    "isAdminManaged",
    "isDefault",
    "isInitial",
    "isRoot",
    "isVerified",
    "manufacturer",
    "model",
    "passwordNotificationWindowInDays",
    "passwordValidityPeriodInDays",
    "state",
    "supportedServices",
];

/// One seeded domain and the mail exchanger published for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub id: String,
    pub is_default: bool,
    pub is_initial: bool,
    pub is_verified: bool,
    pub supported_services: Vec<&'static str>,
    /// `(mailExchange, preference)` of its Email MX record.
    pub mx: (String, i64),
}

/// The tenant's name: its default domain without `.onmicrosoft.com` (or its first label).
fn tenant_name(t: &TenantSpec) -> String {
    let d = t.default_domain.to_ascii_lowercase();
    match d.strip_suffix(".onmicrosoft.com") {
        Some(name) => name.to_string(),
        None => d.split('.').next().unwrap_or_default().to_string(),
    }
}

/// The domains every tenant has: initial (and default) first, then the custom one.
pub fn seeded(t: &TenantSpec) -> Vec<Domain> {
    let name = tenant_name(t);
    let initial = format!("{name}.onmicrosoft.com");
    let custom = format!("{name}.com");
    vec![
        Domain {
            mx: (format!("{name}.mail.protection.outlook.com"), 0),
            id: initial,
            is_default: true,
            is_initial: true,
            is_verified: true,
            supported_services: vec!["Email", "OfficeCommunicationsOnline"],
        },
        Domain {
            mx: (format!("{}.o-v1.mx.microsoft", custom.replace('.', "-")), 0),
            id: custom,
            is_default: false,
            is_initial: false,
            is_verified: true,
            supported_services: vec!["Email", "OfficeCommunicationsOnline", "Intune"],
        },
    ]
}

impl Domain {
    /// The `microsoft.graph.domain` as Graph answers it.
    fn to_graph(&self) -> Value {
        json!({
            "id": self.id,
            "authenticationType": "Managed",
            "availabilityStatus": null,
            "isAdminManaged": true,
            "isDefault": self.is_default,
            "isInitial": self.is_initial,
            "isRoot": true,
            "isVerified": self.is_verified,
            "manufacturer": null,
            "model": null,
            "passwordNotificationWindowInDays": null,
            "passwordValidityPeriodInDays": null,
            "state": null,
            "supportedServices": self.supported_services,
        })
    }

    /// Its `serviceConfigurationRecords`: the Email MX, SPF and Autodiscover records, each
    /// with its derived type in `@odata.type`.
    fn records(&self) -> Vec<Value> {
        let id = |kind: &str| format!("{}-{kind}", self.id.replace('.', "-"));
        vec![
            json!({
                "@odata.type": "#microsoft.graph.domainDnsMxRecord",
                "id": id("mx"),
                "isOptional": false,
                "label": self.id,
                "recordType": "Mx",
                "supportedService": "Email",
                "ttl": 3600,
                "mailExchange": self.mx.0,
                "preference": self.mx.1,
            }),
            json!({
                "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
                "id": id("spf"),
                "isOptional": false,
                "label": self.id,
                "recordType": "Txt",
                "supportedService": "Email",
                "ttl": 3600,
                "text": "v=spf1 include:spf.protection.outlook.com -all",
            }),
            json!({
                "@odata.type": "#microsoft.graph.domainDnsCnameRecord",
                "id": id("autodiscover"),
                "isOptional": false,
                "label": format!("autodiscover.{}", self.id),
                "recordType": "CName",
                "supportedService": "Email",
                "ttl": 3600,
                "canonicalName": "autodiscover.outlook.com",
            }),
        ]
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/domains", get(list_domains))
        .route(
            "/v1.0/domains/{id}/serviceConfigurationRecords",
            get(list_records),
        )
}

fn tenant_domains(st: &Shared, ctx: &GraphCtx) -> Vec<Domain> {
    st.signin_tenant(&ctx.tenant)
        .map(seeded)
        .unwrap_or_default()
}

/// `$select` on domains: known property names only (API-NOTES.md#domains).
fn select(ctx: &GraphCtx) -> Result<Option<Vec<String>>, GraphError> {
    let Some(sel) = super::odata::single_option(ctx, "$select")? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for s in sel.split(',').map(str::trim) {
        if !DOMAIN_PROPS.contains(&s) {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{s}' on type 'microsoft.graph.domain'."
            )));
        }
        out.push(s.to_string());
    }
    Ok(Some(out))
}

/// The page a `$skiptoken` starts at: a token this emulator issued, or 400.
fn page_start(ctx: &GraphCtx) -> Result<usize, GraphError> {
    match super::odata::single_option(ctx, "$skiptoken")? {
        None => Ok(0),
        Some(tok) => tok
            .strip_prefix("domains-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| GraphError::bad_request(format!("Invalid skip token '{tok}'."))),
    }
}

async fn list_domains(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$select", "$skiptoken"])?;
    let select = select(&ctx)?;
    let start = page_start(&ctx)?;
    let all = tenant_domains(&st, &ctx);
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|d| {
            let v = d.to_graph();
            match &select {
                None => v,
                // The key is always there (OData returns it with any $select).
                Some(names) => Value::Object(
                    v.as_object()
                        .unwrap()
                        .iter()
                        .filter(|(k, _)| *k == "id" || names.contains(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Map<_, _>>(),
                ),
            }
        })
        .collect();
    let context = match &select {
        None => context_url(&st, "domains"),
        Some(names) => context_url(&st, &format!("domains({})", names.join(","))),
    };
    let mut body = json!({"@odata.context": context, "value": page});
    if start + PAGE_SIZE < all.len() {
        let mut next = format!(
            "{}/v1.0/domains?$skiptoken=domains-{}",
            st.base_url,
            start + PAGE_SIZE
        );
        if let Some(names) = &select {
            next += &format!("&$select={}", names.join(","));
        }
        body["@odata.nextLink"] = next.into();
    }
    Ok(odata_json(StatusCode::OK, body))
}

async fn list_records(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let Some(domain) = tenant_domains(&st, &ctx)
        .into_iter()
        .find(|d| d.id.eq_ignore_ascii_case(&id))
    else {
        return Err(GraphError::resource_not_found(&id));
    };
    Ok(odata_json(
        StatusCode::OK,
        json!({
            "@odata.context": context_url(&st, &format!("domains('{}')/serviceConfigurationRecords", domain.id)),
            "value": domain.records(),
        }),
    ))
}
