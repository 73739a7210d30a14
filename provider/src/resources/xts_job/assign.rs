//! Scoping assignments: one app role assignment per group or user of `scoping_group_ids` /
//! `scoping_user_ids`, with a bounded wait for a principal the service does not find yet.

use super::{api, create, model};
use crate::clients::graph::GraphRequest;
use crate::clients::{consistency, ApiError, Deadline};
use crate::framework::{AttrPath, Context, Ctx, Diagnostic, Diagnostics};
use serde_json::Value as Json;

/// How long an assignment answered 404 is sent again: the principal may have been made
/// moments ago (directory replication lag) or not exist at all, and the two answers are the
/// same. The smaller of 30 s and a quarter of the operation's timeout, so a wrong ID is reported
/// well before the timeout.
pub(super) fn principal_wait(dl: &Deadline) -> std::time::Duration {
    (dl.budget() / 4).min(std::time::Duration::from_secs(30))
}

/// The attribute a principal comes from.
fn principal_attribute(ty: &str) -> &'static str {
    if ty == "Group" {
        "scoping_group_ids"
    } else {
        "scoping_user_ids"
    }
}

/// Sends the assignment of `principal` while it answers 404 within [`principal_wait`] (and,
/// with `settle`, 403 or 409 within the settling window of a new service principal). A
/// principal still not found is reported on its attribute (`Err`); any other answer is
/// returned for [`assign`] to judge.
async fn send_assignment(
    ctx: &Ctx,
    req: &GraphRequest,
    (principal, ty): (&str, &str),
    settle: bool,
) -> Result<Result<Json, ApiError>, Diagnostics> {
    let (g, dl) = (&ctx.clients.graph, &ctx.deadline);
    let attr = principal_attribute(ty);
    let (started, wait) = (tokio::time::Instant::now(), principal_wait(dl));
    let mut attempt = 0;
    loop {
        let e = match g.send_json(req, dl).await {
            Err(e) => e,
            ok => return Ok(ok),
        };
        let waited = started.elapsed();
        match e.status {
            Some(404) if waited < wait => {
                if attempt == 0 {
                    tracing::info!(principal, attribute = attr, wait_s = wait.as_secs(), "assignment answered 404: waiting in case the principal is still replicating");
                } else {
                    tracing::debug!(
                        principal,
                        attribute = attr,
                        attempt,
                        waited_ms = waited.as_millis() as u64,
                        "principal still not found"
                    );
                }
            }
            Some(403 | 409) if settle && waited < create::SETTLING.length => {
                tracing::debug!(principal, attempt, error = %e, "new service principal still settling: retrying the assignment");
            }
            Some(404) => {
                let kind = ty.to_ascii_lowercase();
                let tenant = ctx.clients.tenant_id().unwrap_or("(this tenant)");
                return Err(Diagnostic::error(
                    format!("The {kind} {principal} in {attr} was not found"),
                    format!(
                        "No {kind} with object ID {principal} exists in this (source) tenant {tenant}, where the users to synchronize live: assigning it to the configuration answered 404 for {} (a principal made moments ago may still be replicating; the wait is the smaller of 30s and a quarter of the operation's timeout). Check {attr}.\n\nThe service answered: {e}",
                        crate::clients::deadline::fmt_duration(waited)
                    ),
                )
                .at(AttrPath::root().attr(attr))
                .into());
            }
            _ => return Ok(Err(e)),
        }
        dl.sleep(
            consistency::poll_delay(attempt),
            &format!("the assignment of {principal} ({attr}) still answered {e}"),
        )
        .await
        .context(|| format!("assigning principal {principal} to the configuration"))?;
        attempt += 1;
    }
}

/// Assigns `principal` (`ty`: `Group` or `User`); an assignment that already exists (a retried
/// POST whose first attempt made it, or one made out of band since the last refresh) is what
/// was wanted.
pub(super) async fn assign(
    ctx: &Ctx,
    sp: &str,
    role: &str,
    (principal, ty): (&str, &str),
    settle: bool,
) -> Result<(), Diagnostics> {
    let (g, dl) = (&ctx.clients.graph, &ctx.deadline);
    let what = || format!("assigning principal {principal} to the configuration {sp}");
    let req = api::assign(sp, role, principal);
    match send_assignment(ctx, &req, (principal, ty), settle).await? {
        Ok(_) => Ok(()),
        Err(e) if e.in_doubt || matches!(e.status, Some(400 | 409)) => {
            let existing = g
                .list_all(&api::list_assignments(sp), dl)
                .await
                .context(what)?;
            if model::assignments(&serde_json::json!({ "value": existing }))
                .iter()
                .any(|(_, p, _)| p.eq_ignore_ascii_case(principal))
            {
                return Ok(());
            }
            if e.in_doubt {
                // Not made: the lost attempt was not processed; once more.
                return g.send(&req, dl).await.map(|_| ()).context(what);
            }
            Err(e).context(what)
        }
        Err(e) => Err(e).context(what),
    }
}
