//! Update (only what changed) and delete (job, then application, until gone).

use super::model::{js, XtsJob};
use super::{api, assign, mapping, model, read};
use crate::clients::graph::GraphClient;
use crate::clients::{consistency, Deadline};
use crate::framework::{Context, Ctx, Diagnostic, Diagnostics};

fn ids(m: &XtsJob) -> Result<(String, String), Diagnostics> {
    match (&m.service_principal_id, &m.job_id) {
        (Some(sp), Some(job)) => Ok((sp.clone(), job.clone())),
        _ => Err(Diagnostic::error(
            "Configuration incomplete",
            "The state holds no service principal or synchronization job ID; the configuration must be replaced (run `terraform apply` again).",
        )
        .into()),
    }
}

/// Only what changed: display name, secrets (scope, e-mail), the assignment difference, the
/// two mappings, start/pause.
pub(super) async fn update(ctx: &Ctx, old: &XtsJob, new: &XtsJob) -> Result<(), Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let (sp, job) = ids(old)?;
    let name = new.display_name.clone().unwrap_or_default();
    if old.display_name != new.display_name {
        let app = match &old.application_object_id {
            Some(a) => a.clone(),
            None => read::application_of(g, dl, &sp).await?,
        };
        g.send_json(&api::rename_application(&app, &name), dl)
            .await
            .context(|| format!("renaming the application {app} to {name:?}"))?;
        g.send_json(&api::rename_service_principal(&sp, &name), dl)
            .await
            .context(|| format!("renaming the service principal {sp} to {name:?}"))?;
    }
    if (
        old.scope_or_default(),
        &old.notification_email,
        &old.target_tenant_id,
    ) != (
        new.scope_or_default(),
        &new.notification_email,
        &new.target_tenant_id,
    ) {
        let target = new
            .target_tenant_id
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase();
        g.send_json(
            &api::put_secrets(
                &sp,
                &target,
                new.scope_or_default() == "all",
                new.notification_email.as_deref(),
            ),
            dl,
        )
        .await
        .context(|| format!("updating the synchronization secrets of {sp}"))?;
    }
    let (before, after) = (old.principals(), new.principals());
    let removed: Vec<_> = before.iter().filter(|p| !after.contains(p)).collect();
    let added: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    if !removed.is_empty() {
        let list = g
            .list_all(&api::list_assignments(&sp), dl)
            .await
            .context(|| format!("listing the assignments of {sp}"))?;
        let current = model::assignments(&serde_json::json!({ "value": list }));
        for (principal, _) in removed {
            for (id, _, _) in current.iter().filter(|(_, p, _)| p == principal) {
                g.send_unless_gone(&api::unassign(&sp, id), dl)
                    .await
                    .context(|| format!("unassigning principal {principal} from {sp}"))?;
            }
        }
    }
    if !added.is_empty() {
        let sp_body = g
            .send_json(&api::get_service_principal(&sp), dl)
            .await
            .context(|| format!("reading the service principal {sp}"))?;
        let role = model::app_role_id(&sp_body).unwrap_or_default();
        for (principal, ty) in added {
            assign(ctx, &sp, &role, (principal, ty), false).await?;
        }
    }
    let rescoped = old.attribute_mappings.as_deref().unwrap_or_default()
        != new.attribute_mappings.as_deref().unwrap_or_default()
        || old.scoping_filters.as_deref().unwrap_or_default()
            != new.scoping_filters.as_deref().unwrap_or_default();
    if rescoped
        || (
            old.user_type_or_default(),
            old.show_in_address_list_or_default(),
        ) != (
            new.user_type_or_default(),
            new.show_in_address_list_or_default(),
        )
    {
        write_mappings(g, dl, &sp, &job, old, new).await?;
    }
    if rescoped && new.enabled_or_default() {
        // Users already synchronized are evaluated again only from a fresh start: new mappings
        // and scope otherwise reach a user only when it next changes in the source.
        // API-NOTES.md#xts-restart
        tracing::info!(
            job = %job,
            reset_scope = api::RESTART_RESET_SCOPE,
            "attribute mappings or scoping filters changed: restarting the synchronization job so every user is evaluated again"
        );
        g.send_json(&api::restart_job(&sp, &job), dl)
            .await
            .context(|| format!("restarting the synchronization job {job}"))?;
    }
    if old.enabled_or_default() != new.enabled_or_default() {
        let (req, verb) = if new.enabled_or_default() {
            (api::start_job(&sp, &job), "starting")
        } else {
            (api::pause_job(&sp, &job), "pausing")
        };
        g.send_json(&req, dl)
            .await
            .context(|| format!("{verb} the synchronization job {job}"))?;
    }
    Ok(())
}

/// Read-modify-write of the schema: only what the resource manages changes; a mapping or group
/// no longer named gets the template's default back.
async fn write_mappings(
    g: &GraphClient,
    dl: &Deadline,
    sp: &str,
    job: &str,
    old: &XtsJob,
    new: &XtsJob,
) -> Result<(), Diagnostics> {
    let what = || format!("writing the attribute mappings of the synchronization job {job}");
    let current = g
        .send_json(&api::get_schema(sp, job), dl)
        .await
        .context(what)?;
    let template = if mapping::removes_something(old, new) {
        Some(
            g.send_json(&api::get_template_schema(sp), dl)
                .await
                .context(|| "reading the template's default schema".to_string())?,
        )
    } else {
        None
    };
    let desired = mapping::desired_schema(&current, new, Some(old), template.as_ref());
    if desired.as_ref().is_ok_and(|d| mapping::holds(&current, d)) {
        return Ok(());
    }
    let Ok(next) = desired else {
        return Err(Diagnostic::error(
            format!("Error {}", what()),
            format!("The job's schema has no User → User object mapping in rule {}: the configuration was changed in a way the provider cannot map userType / showInAddressList into. Restore the default mappings in the portal (Provisioning → Mappings) or replace the configuration.", mapping::USER_RULE),
        )
        .into());
    };
    g.send_json(&api::put_schema(sp, job, next), dl)
        .await
        .context(what)?;
    Ok(())
}

/// Stop the job, delete it, delete the application (it goes to the deleted items), and wait
/// until the application is gone.
pub(super) async fn delete(ctx: &Ctx, s: &XtsJob) -> Result<(), Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let Some(sp) = s.service_principal_id.clone() else {
        return Ok(());
    };
    if let (Some(job), Some(true)) = (&s.job_id, s.deprovision_on_destroy) {
        deprovision(ctx, &sp, job, s).await?;
    }
    if let Some(job) = &s.job_id {
        if s.enabled == Some(true) || s.deprovision_on_destroy == Some(true) {
            g.send_unless_gone(&api::pause_job(&sp, job), dl)
                .await
                .context(|| format!("stopping the synchronization job {job}"))?;
        }
        g.send_unless_gone(&api::delete_job(&sp, job), dl)
            .await
            .context(|| format!("deleting the synchronization job {job}"))?;
    }
    let app = match &s.application_object_id {
        Some(a) => a.clone(),
        None => match read::application_of(g, dl, &sp).await {
            Ok(a) => a,
            // No service principal left: nothing to delete.
            Err(_)
                if g.get_optional(&api::get_service_principal(&sp), dl)
                    .await
                    .ok()
                    == Some(None) =>
            {
                return Ok(())
            }
            Err(e) => return Err(e),
        },
    };
    g.send_unless_gone(&api::delete_application(&app), dl)
        .await
        .context(|| format!("deleting the application {app}"))?;
    // The delete is answered before every replica has applied it.
    consistency::wait_for_deletion(dl, &format!("the application {app}"), || async {
        g.get_optional(&api::get_application(&app), dl)
            .await
            .map(|a| a.map(|a| js(&a, "displayName")))
    })
    .await
    .context(|| format!("waiting for the application {app} to be deleted"))?;
    Ok(())
}

/// How often the deprovisioning wait reads the job, and how often it logs.
const DEPROVISION_POLL: std::time::Duration = std::time::Duration::from_secs(5);
const DEPROVISION_LOG: std::time::Duration = std::time::Duration::from_secs(30);

/// `deprovision_on_destroy`: nobody in scope any more, a restarted cycle, and a wait until the
/// job reports a cycle that ended after the restart (it has then soft-deleted every user it
/// synchronized). API-NOTES.md#xts-provisioning
async fn deprovision(ctx: &Ctx, sp: &str, job: &str, s: &XtsJob) -> Result<(), Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let list = match g.list_all(&api::list_assignments(sp), dl).await {
        Ok(l) => l,
        // The configuration is gone already: nothing to deprovision through it.
        Err(e) if e.status == Some(404) => return Ok(()),
        Err(e) => {
            return Err(e).context(|| format!("listing the assignments of {sp}"));
        }
    };
    for (id, principal, _) in model::assignments(&serde_json::json!({ "value": list })) {
        g.send_unless_gone(&api::unassign(sp, &id), dl)
            .await
            .context(|| format!("unassigning principal {principal} from {sp}"))?;
    }
    if s.scope_or_default() == "all" {
        let target = s
            .target_tenant_id
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase();
        g.send_json(
            &api::put_secrets(sp, &target, false, s.notification_email.as_deref()),
            dl,
        )
        .await
        .context(|| format!("turning SyncAll off for {sp}"))?;
    }
    let before = g
        .send_json(&api::get_job(sp, job), dl)
        .await
        .context(|| format!("reading the synchronization job {job}"))?;
    let last = |j: &serde_json::Value| j["status"]["lastExecution"]["activityIdentifier"].clone();
    let previous = last(&before);
    tracing::info!(job = %job, "deprovision_on_destroy: every user and group unassigned; restarting the job so its cycle soft-deletes the users it synchronized");
    g.send_json(&api::restart_job(sp, job), dl)
        .await
        .context(|| format!("restarting the synchronization job {job}"))?;
    let started = std::time::Instant::now();
    let mut logged = started;
    loop {
        let j = g
            .send_json(&api::get_job(sp, job), dl)
            .await
            .context(|| format!("reading the synchronization job {job}"))?;
        let view = model::JobView::from_graph(&j);
        if view.status.as_deref() == Some("Quarantine") {
            return Err(Diagnostic::error(
                "Synchronization job quarantined while deprovisioning",
                format!("The job {job} was quarantined ({}) before its cycle removed the synchronized users, so they are still in the target tenant. Check that the target tenant's partner configuration for this tenant still allows inbound user synchronization (identity_synchronization.user_sync_inbound_allowed) and automatic redemption, then run destroy again.", view.quarantine_reason.unwrap_or_else(|| "no reason given".into())),
            )
            .into());
        }
        let finished =
            !last(&j).is_null() && last(&j) != previous && view.status.as_deref() != Some("NotRun");
        if finished {
            tracing::info!(job = %job, "deprovision_on_destroy: the job finished a cycle after the restart; deleting the configuration");
            return Ok(());
        }
        if logged.elapsed() >= DEPROVISION_LOG {
            logged = std::time::Instant::now();
            tracing::info!(job = %job, waited_s = started.elapsed().as_secs(), status = ?view.status, "deprovision_on_destroy: still waiting for the job's cycle to finish");
        }
        dl.sleep(
            DEPROVISION_POLL,
            "waiting for the synchronization job to finish its deprovisioning cycle",
        )
        .await
        .map_err(|e| {
            Err::<(), _>(e)
                .context(|| format!("waiting for the synchronization job {job}"))
                .unwrap_err()
        })?;
    }
}
