//! Microsoft Graph: the facade that puts its object families behind the shared
//! [`pipeline`](super::pipeline) (ids, auth, rate limits, faults, body checks, request log) in
//! Graph's [`envelope`].
//!
//! Shared by the families (never a family itself, and never using one):
//! * [`envelope`] — the error envelope, JSON answers, headers (API-NOTES.md#graph-errors);
//! * [`entity_set`] — the handler skeleton of a collection or a singleton
//!   (API-NOTES.md#graph-entity-sets);
//! * [`odata`] — `$select` / `$expand` and projections; [`schema`] — strict body validation.
//!
//! The object families, each serving its paths under `/v1.0`:
//! * [`xtap`] — cross-tenant access: `policies/crossTenantAccessPolicy` (partners, their
//!   identity synchronization policy, the default configuration);
//! * [`tenant_info`] — tenant lookup: `tenantRelationships/findTenantInformationBy...`;
//! * [`mto`] — the multi-tenant organization: `tenantRelationships/multiTenantOrganization`,
//!   its tenants and join request;
//! * [`ca`] — Conditional Access: `identity/conditionalAccess/policies` and deleted policies;
//! * [`xts`] — cross-tenant synchronization: applications instantiated from the gallery
//!   template, service principals, synchronization jobs, secrets, schema, assignments.
//!
//! A new object family is a module here and one `.merge(...)` line in [`routes`].

pub mod ca;
pub mod domains;
pub mod entity_set;
pub mod envelope;
pub mod mto;
pub mod odata;
pub mod schema;
pub mod tenant_info;
pub mod xtap;
pub mod xts;

use std::sync::Arc;

use axum::extract::Request;
use axum::routing::any;
use axum::Router;
use serde_json::Value;

use super::pipeline;
use super::state::{Listing, Shared};

pub use super::pipeline::redact;

pub use envelope::{
    context_url, no_content, odata_json, Graph, GraphCtx, GraphError, GraphResult, ODATA_JSON,
};

/// What out-of-band reads of the store must know of Graph's objects (see [`Listing`]).
pub const LISTING: Listing = Listing {
    virtual_object,
    unlisted,
};

/// Objects that exist without being stored (e.g. the service-default cross-tenant access
/// policy), for [`Emulator::object`](super::Emulator::object).
pub fn virtual_object(path: &str) -> Option<Value> {
    xtap::virtual_object(path)
}

/// Stored objects that are not live objects of the tenant (deleted items, seeded principals),
/// left out of [`Emulator::objects`](super::Emulator::objects).
pub fn unlisted(path: &str) -> bool {
    xts::unlisted(path)
}

/// All Graph routes, wrapped in the pipeline.
pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let routes = Router::new()
        .merge(xtap::routes())
        .merge(tenant_info::routes())
        .merge(mto::routes())
        .merge(ca::routes())
        .merge(xts::routes())
        .merge(domains::routes())
        .route("/beta", any(beta))
        .route("/beta/{*rest}", any(beta))
        .fallback(unknown_segment);
    pipeline::wrap::<Graph>(routes, shared)
}

async fn beta() -> GraphError {
    GraphError::bad_request("The beta endpoint is not emulated; the provider must only use /v1.0.")
}

async fn unknown_segment(req: Request) -> GraphError {
    let path = req.uri().path();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    match segs.next() {
        Some("v1.0") => {
            let last = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            GraphError::bad_request(format!("Resource not found for the segment '{last}'."))
        }
        Some(v) => GraphError::bad_request(format!("Invalid version: {v}")),
        None => GraphError::bad_request("Invalid version: "),
    }
}
