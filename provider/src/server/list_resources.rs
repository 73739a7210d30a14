//! List resources (Terraform 1.14 `list` blocks, `terraform query`): ValidateListResourceConfig
//! and the server-streaming ListResource, over the export's enumeration
//! ([`crate::export::query`]). Terraform validates a `list` block's `config` first, then asks
//! for the list; it wraps the schema served here as the block's `config` and sends that body
//! alone. Older Terraform never calls these, and ignores the schemas GetProviderSchema adds.

use super::convert;
use super::proto::tfplugin6 as pb;
use super::server_state::{encode_or, ProviderServer};
use crate::export::query;
use crate::framework::{Diagnostic, Diagnostics, ListOptions};
use tonic::codegen::BoxStream;

/// ValidateListResourceConfig: the `config` against the type's list schema (its validators
/// name the attribute path).
pub(super) fn validate(
    server: &ProviderServer,
    req: &pb::validate_list_resource_config::Request,
) -> pb::validate_list_resource_config::Response {
    let diags = match server.list_entry(&req.type_name) {
        Ok(e) => match convert::decode(req.config.as_ref(), &e.ty) {
            Ok(config) => e.schema.validate(&config),
            Err(d) => d,
        },
        Err(d) => d,
    };
    pb::validate_list_resource_config::Response {
        diagnostics: convert::diagnostics(&diags),
    }
}

/// ListResource: one event per object (its display name, identity and, when asked, its
/// value), at most `limit`; a listing that fails is one event carrying the diagnostics.
pub(super) async fn list(
    server: &ProviderServer,
    req: pb::list_resource::Request,
) -> BoxStream<pb::list_resource::Event> {
    let events = match events(server, &req).await {
        Ok(events) => events,
        Err(d) => vec![diagnostics_event(&d)],
    };
    Box::pin(futures::stream::iter(events.into_iter().map(Ok)))
}

async fn events(
    server: &ProviderServer,
    req: &pb::list_resource::Request,
) -> Result<Vec<pb::list_resource::Event>, Diagnostics> {
    let e = server.resource(&req.type_name)?;
    let list = server.list_entry(&req.type_name)?;
    let config = convert::decode(req.config.as_ref(), &list.ty)?;
    let invalid = list.schema.validate(&config);
    if invalid.has_errors() {
        return Err(invalid);
    }
    if !config.is_wholly_known() {
        return Err(Diagnostic::error(
            "List configuration not known",
            "A list block's config must be known when the query runs.",
        )
        .into());
    }
    let clients = server.clients()?;
    let id = server.identity(&req.type_name);
    let opts = ListOptions::from_config(&config);
    let (listed, warnings) =
        query::list(e.imp.as_ref(), clients, &server.stop, &opts, req.limit).await?;
    let mut events = Vec::with_capacity(listed.len() + 1);
    for l in listed {
        let mut diags = Diagnostics::new();
        let identity =
            encode_or(&l.identity, &id.ty, &mut diags).map(|d| pb::ResourceIdentityData {
                identity_data: Some(d),
            });
        let resource_object = if req.include_resource_object {
            encode_or(&l.value, &e.ty, &mut diags)
        } else {
            None
        };
        if diags.has_errors() {
            return Err(diags);
        }
        events.push(pb::list_resource::Event {
            identity,
            display_name: l.display_name,
            resource_object,
            diagnostic: Vec::new(),
        });
    }
    // Warnings the API gave: an event of their own, which Terraform shows and lists nothing for.
    if !warnings.0.is_empty() {
        events.push(diagnostics_event(&warnings));
    }
    Ok(events)
}

fn diagnostics_event(d: &Diagnostics) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: convert::diagnostics(d),
        ..Default::default()
    }
}
