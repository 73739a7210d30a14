//! The member side: this tenant's join request toward an owner's organization, optionally
//! waited for until active or failed.

use super::model::{js, Membership};
use super::*;

/// The join request's view: (state, role, failure details), `None` when this tenant has no
/// join toward `owner` (never asked, reset, or removed).
pub(super) fn join_view(j: &Json, owner: &str) -> Option<(String, Option<String>, Option<String>)> {
    let by = js(j, "addedByTenantId")?;
    if !by.eq_ignore_ascii_case(owner) {
        return None;
    }
    let t = j.get("transitionDetails").filter(|t| t.is_object());
    let failed = t.and_then(|t| js(t, "status")).as_deref() == Some("failed");
    let state = js(j, "memberState").unwrap_or_else(|| "pending".into());
    if state == "removed" {
        return None;
    }
    if failed {
        return Some((
            "failed".into(),
            js(j, "role"),
            t.and_then(|t| js(t, "details")),
        ));
    }
    Some((state, js(j, "role"), None))
}

pub(super) async fn create_member(ctx: &Ctx, p: &Membership) -> Result<Membership, ApplyError> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, p)?;
    let owner = p.owner_tenant_id.clone().unwrap_or_default();
    g.send_discarding_body(&api::join(&owner.to_ascii_lowercase()), dl)
        .await
        .context(|| format!("asking to join the multitenant organization of tenant {owner}"))?;
    let out = Membership {
        id: Some(format!("member/{}", owner.to_ascii_lowercase())),
        tenant_id: Some(me),
        ..p.clone()
    };
    if p.wait_for_active == Some(true) {
        let mut steps = Steps::new();
        steps.completed("join request", out.to_value()?);
        let seen = consistency::poll_until(
            dl,
            &format!(
                "the join of the multitenant organization of tenant {owner} to be active or failed"
            ),
            || async {
                g.get_optional(&api::get_join_request(), dl)
                    .await
                    .map(|j| j.and_then(|j| join_view(&j, &owner)))
            },
            |v| matches!(v, Some((s, _, _)) if s == "active" || s == "failed"),
        )
        .await;
        let seen = steps.check(seen.context(|| {
            format!("waiting for the join of tenant {owner}'s multitenant organization")
        }))?;
        if let Some((s, role, details)) = seen {
            if s == "failed" {
                let reason = details.clone().unwrap_or_else(|| "no details given".into());
                let reason = reason.trim_end_matches('.');
                // The failed join stays in state (tainted) as the service reports it, so
                // `terraform show` and the next plan say why.
                steps.completed(
                    "join failed",
                    Membership {
                        state: Some(s),
                        role,
                        failure_details: details,
                        ..out.clone()
                    }
                    .to_value()?,
                );
                return Err(steps.fail(Diagnostics::from(Diagnostic::error(
                    "Joining the multitenant organization failed",
                    format!(
                        "The service reports that joining the multitenant organization of tenant {owner} failed: {reason}. Fix the cause (the owner must add this tenant first) and apply again.",
                    ),
                ))));
            }
        }
    }
    Ok(out)
}

pub(super) async fn read_member(
    ctx: &Ctx,
    s: &Membership,
) -> Result<Option<Membership>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, s)?;
    let owner = s.owner_tenant_id.clone().unwrap_or_default();
    let j = g
        .get_optional(&api::get_join_request(), dl)
        .await
        .context(|| "reading this tenant's join request".into())?;
    let Some((state, role, details)) = j.as_ref().and_then(|j| join_view(j, &owner)) else {
        return Ok(None);
    };
    let out = Membership {
        id: Some(format!("member/{}", owner.to_ascii_lowercase())),
        tenant_id: Some(me),
        state: Some(state),
        role,
        failure_details: details,
        wait_for_active: s.wait_for_active,
        ..s.clone()
    };
    Ok(Some(out))
}

/// A join that failed (as the last refresh read it) is said at every plan, with the service's
/// reason: nothing else would show it, since the failure is no difference from the
/// configuration.
pub(super) fn warn_of_a_failed_join(prior: &Value, plan: &mut ModifyPlan) {
    if prior.get("state").as_str() != Some("failed") {
        return;
    }
    let owner = prior.get("owner_tenant_id").as_str().unwrap_or_default();
    plan.diags.push(Diagnostic::warning(
        "Joining the multitenant organization failed",
        format!(
            "This tenant's join of the multitenant organization of tenant {owner} failed: {}. Once the cause is fixed (the owner must add this tenant first), replace this resource (`terraform apply -replace=<address>`) to ask again.",
            prior
                .get("failure_details")
                .as_str()
                .unwrap_or("no details given")
                .trim_end_matches('.')
        ),
    ));
}

pub(super) async fn delete_member(ctx: &Ctx, s: &Membership) -> Result<(), Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, s)?;
    if s.state.as_deref() == Some("active") {
        return remove_and_wait(g, dl, &me).await;
    }
    // Pending or failed: withdraw the request.
    g.send_discarding_body(&api::join(api::NO_TENANT), dl)
        .await
        .context(|| "withdrawing this tenant's join request".into())
}
