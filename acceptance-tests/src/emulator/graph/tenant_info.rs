//! Tenant lookup: `GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')`
//! and `.../findTenantInformationByDomainName(domainName='{domain}')` (OData function-call
//! syntax with a single-quoted literal inside the path segment, parsed by hand).
//!
//! Lookups search every configured tenant (sign-in and directory-only). Domain matching is
//! case-insensitive on the default domain. Assumptions (API-NOTES.md#tenant-lookup): unknown
//! tenant → 404 `Directory_ObjectNotFound`; malformed GUID → 400 `Request_BadRequest`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;

use super::envelope::{context_url, odata_json, GraphCtx, GraphError, GraphResult};
use crate::emulator::state::Shared;
use crate::emulator::util::is_guid;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1.0/tenantRelationships/{call}", get(lookup))
}

/// Parses `name(param='value')` (with `''` as an escaped quote); `None` if malformed.
fn parse_call(segment: &str, name: &str, param: &str) -> Option<Result<String, ()>> {
    let rest = segment.strip_prefix(name)?;
    let inner = match rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(i) => i,
        None => return Some(Err(())),
    };
    let Some((p, lit)) = inner.split_once('=') else {
        return Some(Err(()));
    };
    if p.trim() != param {
        return Some(Err(()));
    }
    let lit = lit.trim();
    match lit.strip_prefix('\'').and_then(|l| l.strip_suffix('\'')) {
        Some(v) => Some(Ok(v.replace("''", "'"))),
        None => Some(Err(())),
    }
}

async fn lookup(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(call): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let by_id = parse_call(&call, "findTenantInformationByTenantId", "tenantId");
    let by_domain = parse_call(&call, "findTenantInformationByDomainName", "domainName");
    let spec = match (by_id, by_domain) {
        (Some(Ok(id)), _) => {
            if !is_guid(&id) {
                return Err(GraphError::request_bad_request(format!(
                    "Invalid tenant identifier '{id}'. The tenantId must be a GUID."
                )));
            }
            st.any_tenant(&id)
                .filter(|t| t.tenant_id.eq_ignore_ascii_case(&id))
        }
        (_, Some(Ok(domain))) => {
            if domain.is_empty() {
                return Err(GraphError::request_bad_request(
                    "The domainName parameter cannot be empty.",
                ));
            }
            st.any_tenant(&domain)
                .filter(|t| t.default_domain.eq_ignore_ascii_case(&domain))
        }
        (Some(Err(())), _) | (_, Some(Err(()))) => {
            return Err(GraphError::bad_request(format!(
                "Bad Request - Error in query syntax: invalid function call '{call}'."
            )))
        }
        (None, None) => {
            return Err(GraphError::bad_request(format!(
                "Resource not found for the segment '{call}'."
            )))
        }
    };
    let Some(t) = spec else {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "Directory_ObjectNotFound",
            "Specified tenant identifier or domain name was not found.",
        ));
    };
    Ok(odata_json(
        StatusCode::OK,
        json!({
            "@odata.context": context_url(&st, "microsoft.graph.tenantInformation"),
            "tenantId": t.tenant_id,
            "federationBrandName": null,
            "displayName": t.display_name,
            "defaultDomainName": t.default_domain,
        }),
    ))
}
