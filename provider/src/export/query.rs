//! The objects of one type for a Terraform 1.14 `list` block (`terraform query`): the same
//! enumeration and names as the export, each object with its resource identity (the provider's
//! tenant and the import ID) and, when asked, the value its read returns. Skipped objects are
//! not listed: a `list` block shows what the type manages. Plain values only: the server turns
//! these into ListResource events.

use super::known_name;
use crate::clients::deadline::fmt_duration;
use crate::clients::{Clients, Deadline};
use crate::framework::identity;
use crate::framework::lifecycle::DATA_SOURCE_TIMEOUT;
use crate::framework::{Ctx, Diagnostics, ImportCtx, ListOptions, Resource, Value};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// One listed object.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    /// The name the export derives the object's address from (the partner tenant's name, the
    /// policy's, relationship's or connector's name).
    pub display_name: String,
    /// The object's resource identity, as every other RPC answers it.
    pub identity: Value,
    /// The value [`Resource::read`] returns for it after an import.
    pub value: Value,
}

/// What a query of one type found: at most `limit` objects (all of them when `limit` is not
/// positive), in the listing's order, and the warnings the API gave.
pub async fn list(
    res: &dyn Resource,
    clients: Arc<Clients>,
    cancel: &CancellationToken,
    opts: &ListOptions,
    limit: i64,
) -> Result<(Vec<Listed>, Diagnostics), Diagnostics> {
    let type_name = res.type_name();
    // A listing waits as long as a data source read: a `list` block has no `timeouts`.
    let deadline = Deadline::after(DATA_SOURCE_TIMEOUT, cancel.clone()).labelled(
        format!("listing {type_name}"),
        format!(
            "A listing waits at most {}; run the query again once the service answers.",
            fmt_duration(DATA_SOURCE_TIMEOUT)
        ),
    );
    let ictx = ImportCtx::new(clients.tenant_id());
    let ctx = Ctx::new(clients, deadline);
    let listing = res.list(&ctx, opts).await?;
    let take = usize::try_from(limit)
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for value in listing.found.into_iter().take(take) {
        let Some(identity) = identity::of_state(res, &ictx, &value)? else {
            continue;
        };
        // A name that cannot be looked up falls back to the object's ID, as in the export.
        let display_name = known_name(&ctx, type_name, &value, &mut Vec::new()).await;
        out.push(Listed {
            display_name,
            identity,
            value,
        });
    }
    Ok((out, ctx.take_warnings()))
}
