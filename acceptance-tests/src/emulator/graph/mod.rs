//! Microsoft Graph: its error envelope and response headers over the shared
//! [`pipeline`](super::pipeline) (ids, auth, rate limits, faults, body checks, request log), and
//! one module per object family.
//!
//! Errors route modules return as [`GraphError`] get the Graph envelope
//! `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
//! (API-NOTES.md#graph-errors).
//!
//! Route modules: [`xtap`] (cross-tenant access policy), [`tenant_info`] (tenant lookup). A new
//! object family is a module here and one `.merge(...)` line in [`routes`];.

pub mod ca;
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
