//! The read: every configurable attribute from where the service keeps it, in four GETs sent
//! at once (the service principal with its assignments expanded, the jobs, the secrets, the
//! schema): one round trip. One more lists the assignments when the expansion is refused,
//! missing or possibly capped (20), and one finds the application by `appId` when the state
//! does not know it yet (import). No synchronization endpoint offers `$expand`, so these cannot
//! be fewer requests.

use super::model::{assignments, js, values, JobView, Secrets, XtsJob};
use super::{api, mapping};
use crate::clients::graph::GraphClient;
use crate::clients::Deadline;
use crate::framework::{Context, Ctx, Diagnostic, Diagnostics};

/// The application object ID of the configuration whose service principal is `sp`.
pub(super) async fn application_of(
    g: &GraphClient,
    dl: &Deadline,
    sp: &str,
) -> Result<String, Diagnostics> {
    let what = || format!("finding the application of the service principal {sp}");
    let body = g
        .send_json(&api::get_service_principal(sp), dl)
        .await
        .context(what)?;
    let app_id = js(&body, "appId").unwrap_or_default();
    let apps = g
        .send_json(&api::find_application_by_app_id(&app_id), dl)
        .await
        .context(what)?;
    values(&apps)
        .first()
        .and_then(|a| js(a, "id"))
        .ok_or_else(|| {
            Diagnostic::error(
                format!("Error {}", what()),
                format!("No application has appId {app_id}."),
            )
            .into()
        })
}

/// `ids` as stored, each spelled as `prior` spells the same GUID (so an uppercase GUID in
/// configuration never shows as a change). None is the empty set (the plan's default).
fn keep_spelling(ids: Vec<String>, prior: &Option<Vec<String>>) -> Option<Vec<String>> {
    Some(
        ids.into_iter()
            .map(|id| {
                prior
                    .iter()
                    .flatten()
                    .find(|p| p.eq_ignore_ascii_case(&id))
                    .cloned()
                    .unwrap_or(id)
            })
            .collect(),
    )
}

/// The service principal as [`read`] needs it: its body without the expanded assignments,
/// those assignments when the expansion returned them all, and its application's object ID
/// when the state does not know it yet. `None` when it is gone.
struct Principal {
    body: serde_json::Value,
    expanded: Option<Vec<serde_json::Value>>,
    application_object_id: Option<String>,
}

async fn principal(ctx: &Ctx, s: &XtsJob, sp: &str) -> Result<Option<Principal>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let what = || format!("reading the service principal {sp}");
    let found = match g
        .get_optional(&api::get_service_principal_with_assignments(sp), dl)
        .await
    {
        Err(e) if e.status == Some(400) => {
            tracing::debug!(error = %e, "service principal GET with $expand refused: listing assignments separately");
            g.get_optional(&api::get_service_principal(sp), dl)
                .await
                .context(what)?
        }
        other => other.context(what)?,
    };
    let Some(mut body) = found else {
        return Ok(None);
    };
    let expanded = body
        .as_object_mut()
        .and_then(|m| m.remove("appRoleAssignedTo"))
        .and_then(|a| a.as_array().cloned())
        .filter(|a| a.len() < api::EXPAND_CAP);
    if let Some(t) = js(&body, "applicationTemplateId") {
        if !t.eq_ignore_ascii_case(api::TEMPLATE_ID) {
            return Err(Diagnostic::error(
                "Not a cross-tenant synchronization configuration",
                format!("The service principal {sp} was instantiated from application template {t}, not the cross-tenant synchronization template {}. Import the service principal of a cross-tenant synchronization configuration.", api::TEMPLATE_ID),
            )
            .into());
        }
    }
    let mut application_object_id = s.application_object_id.clone();
    if application_object_id.is_none() {
        let app_id = js(&body, "appId").unwrap_or_default();
        let apps = g
            .send_json(&api::find_application_by_app_id(&app_id), dl)
            .await
            .context(|| format!("finding the application of the service principal {sp}"))?;
        application_object_id = values(&apps).first().and_then(|a| js(a, "id"));
    }
    Ok(Some(Principal {
        body,
        expanded,
        application_object_id,
    }))
}

/// The configuration as stored, `None` when its service principal is gone. The service
/// principal, the jobs, the secrets and (when the state knows its job) the schema are read at
/// once: a plan waits one round trip per job, not four. When the principal is gone, the
/// others' answers (404s) are not looked at.
pub(super) async fn read(ctx: &Ctx, s: &XtsJob) -> Result<Option<XtsJob>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let Some(sp) = s.service_principal_id.clone() else {
        return Ok(None);
    };
    let schema_of = |job: String| {
        let sp = sp.clone();
        async move {
            g.send_json(&api::get_schema(&sp, &job), dl)
                .await
                .context(|| format!("reading the schema of the synchronization job {job}"))
        }
    };
    let (principal, jobs, secrets, known_schema) = tokio::join!(
        principal(ctx, s, &sp),
        async {
            g.list_all(&api::list_jobs(&sp), dl)
                .await
                .context(|| format!("listing the synchronization jobs of {sp}"))
        },
        async {
            g.send_json(&api::get_secrets(&sp), dl)
                .await
                .context(|| format!("reading the synchronization secrets of {sp}"))
        },
        async {
            match s.job_id.clone() {
                Some(job) => Some(schema_of(job).await),
                None => None,
            }
        }
    );
    let Some(Principal {
        body: sp_body,
        expanded,
        application_object_id,
    }) = principal?
    else {
        return Ok(None);
    };
    let mut m = s.clone();
    // Only destroy reads it; an import has none: the default.
    m.deprovision_on_destroy = Some(s.deprovision_on_destroy.unwrap_or(false));
    m.display_name = js(&sp_body, "displayName");
    m.application_object_id = application_object_id;

    let jobs = jobs?;
    let job = jobs
        .iter()
        .find(|j| s.job_id.is_some() && js(j, "id") == s.job_id)
        .or_else(|| {
            jobs.iter().find(|j| {
                js(j, "templateId").is_some_and(|t| t.eq_ignore_ascii_case(api::SYNC_TEMPLATE))
            })
        });
    match job {
        Some(j) => JobView::from_graph(j).apply_to(&mut m),
        // The job is gone while its application is not: `job_id` null plans a replacement.
        None => {
            m.job_id = None;
            m.enabled = Some(false);
            for f in [
                &mut m.schedule_interval,
                &mut m.status,
                &mut m.last_execution_state,
                &mut m.last_successful_execution_time,
                &mut m.quarantine_reason,
            ] {
                *f = None;
            }
        }
    }

    let secrets = Secrets::from_graph(&secrets?);
    // A value the service masks cannot be compared: the state's stays. (The same GUID in
    // another case keeps the state's spelling: the framework sees to it.)
    if let Some(c) = secrets.company_id.clone() {
        m.target_tenant_id = Some(c);
    }
    if let Some(scope) = secrets.scope() {
        m.scope = Some(scope);
    }
    if secrets.notification.is_some() {
        m.notification_email = secrets.notification_email();
    }

    if let Some(job) = m.job_id.clone() {
        // The schema read at once is the found job's unless the job changed (an import, or
        // a job replaced out of band): then the found job's.
        let schema = match known_schema {
            Some(schema) if s.job_id.as_deref() == Some(job.as_str()) => schema?,
            _ => schema_of(job).await?,
        };
        m.user_type = mapping::user_type(&schema);
        m.show_in_address_list = mapping::show_in_address_list(&schema);
        // Not read before (an import): what differs from the template is what is managed.
        let template = if s.attribute_mappings.is_none() || s.scoping_filters.is_none() {
            Some(
                g.send_json(&api::get_template_schema(&sp), dl)
                    .await
                    .context(|| "reading the template's default schema".to_string())?,
            )
        } else {
            None
        };
        m.attribute_mappings = Some(mapping::read_mappings(
            &schema,
            s.attribute_mappings.as_deref(),
            template.as_ref(),
        ));
        m.scoping_filters = Some(mapping::read_filters(
            &schema,
            s.scoping_filters.as_deref(),
            template.as_ref(),
        ));
    }

    let list = match expanded {
        Some(a) => a,
        None => g
            .list_all(&api::list_assignments(&sp), dl)
            .await
            .context(|| format!("listing the assignments of {sp}"))?,
    };
    let (mut groups, mut users) = (Vec::new(), Vec::new());
    for (_, principal, ty) in assignments(&serde_json::json!({ "value": list })) {
        match ty.as_str() {
            "Group" => groups.push(principal),
            "User" => users.push(principal),
            _ => {}
        }
    }
    for v in [&mut groups, &mut users] {
        v.sort();
        v.dedup();
    }
    m.scoping_group_ids = keep_spelling(groups, &s.scoping_group_ids);
    m.scoping_user_ids = keep_spelling(users, &s.scoping_user_ids);
    Ok(Some(m))
}
