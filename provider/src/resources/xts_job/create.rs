//! Create: the documented sequence (API-NOTES.md#xts-sequence, steps 6-12), each step
//! recorded as it completes so that a failure after the application exists returns the IDs
//! made so far (Terraform taints the configuration; the next apply deletes and re-creates it:
//! nothing is orphaned).

use super::model::{js, values, XtsJob};
use super::{api, assign, mapping, model, prerequisites, TYPE_NAME};
use crate::clients::consistency::{retry_within, Window};
use crate::clients::create::{create_once, CreateError, Created};
use crate::clients::graph::GraphClient;
use crate::clients::{consistency, ApiError, Deadline};
use crate::framework::lifecycle::already_exists;
use crate::framework::steps::Steps;
use crate::framework::{ApplyError, Context, Ctx, Diagnostic, Diagnostics};
use serde_json::Value as Json;
use std::time::Duration;

/// How long the synchronization endpoints of a service principal just instantiated may still
/// answer 403, 404 or 409: the service provisions the synchronization back end after
/// instantiate answers, and until it has, calls on the new service principal are refused
/// (terraform-provider-azuread retries 403 and 409 on every synchronization call for this;
/// API-NOTES.md#xts-settling). Past this window the answer is taken as final, so a real
/// permission problem is reported in minutes, not at the end of the create timeout.
pub(super) const SETTLING: Window = Window {
    length: Duration::from_secs(120),
    retry_on: |e| matches!(e.status, Some(403 | 404 | 409)),
    cause: "right after the service principal was made",
};

/// What the template instance holds that the next steps need.
struct Instance {
    application_object_id: String,
    service_principal_id: String,
    app_role_id: Option<String>,
}

fn instance_from_response(body: &Json) -> Option<Instance> {
    let app = body.get("application")?;
    let sp = body.get("servicePrincipal")?;
    Some(Instance {
        application_object_id: js(app, "id")?,
        service_principal_id: js(sp, "id")?,
        app_role_id: model::app_role_id(sp),
    })
}

/// Instantiates the template once, even over a lost answer: applications of the template under
/// this name are looked up first (none may exist: the natural key), and again when an
/// instantiate's outcome is in doubt, before instantiating again.
async fn instantiate(g: &GraphClient, dl: &Deadline, name: &str) -> Result<Instance, Diagnostics> {
    let find = api::find_applications(name);
    let what = format!("the cross-tenant synchronization configuration {name:?}");
    let existing = g
        .send_json(&find, dl)
        .await
        .context(|| format!("looking for an existing configuration named {name:?}"))?;
    if let Some(app) = values(&existing).first() {
        return Err(exists(g, dl, name, app).await);
    }
    let post = api::instantiate(name);
    let created = create_once(
        dl,
        &what,
        |dl| {
            let post = &post;
            async move { g.send_json(post, &dl).await }
        },
        |dl| {
            let find = &find;
            async move { Ok(values(&g.send_json(find, &dl).await?).into_iter().next()) }
        },
        // None existed before the first attempt: one found now is the attempt's.
        |_: &Json| true,
    )
    .await;
    match created {
        Ok(Created::Sent(body)) => instance_from_response(&body).ok_or_else(|| {
            Diagnostic::error(
                format!("Error instantiating {what}"),
                format!("The answer named no application and service principal: {body}"),
            )
            .into()
        }),
        Ok(Created::Adopted(app)) => adopt(g, dl, &app).await,
        Err(CreateError::AlreadyExists { existing, .. }) => {
            Err(exists(g, dl, name, &existing.unwrap_or(Json::Null)).await)
        }
        Err(CreateError::Api(e)) => Err(e).context(|| format!("instantiating {what}")),
    }
}

/// The instance an attempt in doubt made: its service principal, by `appId`, may not be
/// visible yet (replication lag after instantiate).
async fn adopt(g: &GraphClient, dl: &Deadline, app: &Json) -> Result<Instance, Diagnostics> {
    let app_id = js(app, "appId").unwrap_or_default();
    let what = || format!("finding the service principal of application {app_id}");
    let found = consistency::poll_until(
        dl,
        &format!("the service principal of application {app_id} to appear"),
        || async {
            g.send_json(api::find_service_principal_by_app_id(&app_id), dl)
                .await
                .map(|b| values(&b))
        },
        |v: &Vec<Json>| !v.is_empty(),
    )
    .await
    .context(what)?;
    let sp = &found[0];
    Ok(Instance {
        application_object_id: js(app, "id").unwrap_or_default(),
        service_principal_id: js(sp, "id").unwrap_or_default(),
        app_role_id: model::app_role_id(sp),
    })
}

/// "Already exists: import it", with the service principal ID the import takes.
async fn exists(g: &GraphClient, dl: &Deadline, name: &str, app: &Json) -> Diagnostics {
    let app_id = js(app, "appId").unwrap_or_default();
    let sp = g
        .send_json(api::find_service_principal_by_app_id(&app_id), dl)
        .await
        .ok()
        .and_then(|b| values(&b).first().and_then(|s| js(s, "id")))
        .unwrap_or_else(|| format!("<service principal of application {app_id}>"));
    already_exists(
        TYPE_NAME,
        &sp,
        &format!("A cross-tenant synchronization configuration named {name:?}"),
    )
    .into()
}

pub(super) async fn create(ctx: &Ctx, p: &XtsJob) -> Result<XtsJob, ApplyError> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let name = p.display_name.clone().unwrap_or_default();
    let target = p
        .target_tenant_id
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    // This tenant's own prerequisite first: when it is missing nothing is made.
    let source_side = prerequisites::check_before_create(ctx, &target).await?;
    let inst = instantiate(g, dl, &name).await?;
    let sp = inst.service_principal_id.clone();
    let mut done = XtsJob {
        service_principal_id: Some(sp.clone()),
        application_object_id: Some(inst.application_object_id.clone()),
        job_id: None,
        enabled: Some(false),
        scoping_group_ids: None,
        scoping_user_ids: None,
        ..p.clone()
    };
    let mut steps = Steps::new();
    steps.completed("application", done.to_value()?);

    // The service principal is made with the application, but a replica may not know it yet.
    let sp_body = steps.check(
        consistency::retry_while_not_found(dl, "the new service principal", || {
            g.send_json(api::get_service_principal(&sp), dl)
        })
        .await
        .context(|| format!("waiting for the service principal {sp}")),
    )?;
    let role = inst
        .app_role_id
        .clone()
        .or_else(|| model::app_role_id(&sp_body))
        .unwrap_or_default();

    let checked = retry_within(dl, &SETTLING, "validateCredentials", || {
        g.send_json(api::validate_credentials(&sp, &target), dl)
    })
    .await;
    if let Err(e) = checked {
        let d = if matches!(e.status, Some(400..=499))
            && !matches!(e.status, Some(403 | 404 | 409 | 429))
        {
            prerequisites::refused(ctx, &target, &source_side, &e)
        } else {
            Err::<(), _>(e)
                .context(|| format!("checking the credentials against the target tenant {target}"))
                .unwrap_err()
        };
        return Err(steps.fail(d));
    }

    let job = steps.check(create_job(g, dl, &sp).await)?;
    done.job_id = Some(job.clone());
    steps.completed("job", done.to_value()?);

    steps.check(
        retry_within(dl, &SETTLING, "the secrets PUT", || {
            g.send_json(
                api::put_secrets(
                    &sp,
                    &target,
                    p.scope_or_default() == "all",
                    p.notification_email.as_deref(),
                ),
                dl,
            )
        })
        .await
        .context(|| format!("putting the synchronization secrets of {sp}")),
    )?;

    for (principal, ty) in p.principals() {
        steps.check(assign(ctx, &sp, &role, (&principal, ty), true).await)?;
        let list = if ty == "Group" {
            &mut done.scoping_group_ids
        } else {
            &mut done.scoping_user_ids
        };
        list.get_or_insert_with(Vec::new).push(principal);
        steps.completed("assignment", done.to_value()?);
    }

    let what = || format!("writing the attribute mappings of the synchronization job {job}");
    let schema = steps.check(
        retry_within(dl, &SETTLING, "the schema GET", || {
            g.send_json(api::get_schema(&sp, &job), dl)
        })
        .await
        .context(what),
    )?;
    let desired = mapping::desired_schema(&schema, p, None, None);
    let needs_put = desired
        .as_ref()
        .map_or(true, |d| !mapping::holds(&schema, d));
    if needs_put {
        let Ok(next) = desired else {
            return Err(steps.fail(
                Diagnostic::error(
                    format!("Error {}", what()),
                    format!(
                        "The template's schema has no User → User object mapping in rule {}.",
                        mapping::USER_RULE
                    ),
                )
                .into(),
            ));
        };
        steps.check(
            retry_within(dl, &SETTLING, "the schema PUT", || {
                g.send_json(api::put_schema(&sp, &job, next.clone()), dl)
            })
            .await
            .context(what),
        )?;
    }

    if p.enabled_or_default() {
        steps.check(
            retry_within(dl, &SETTLING, "the job start", || {
                g.send_json(api::start_job(&sp, &job), dl)
            })
            .await
            .context(|| format!("starting the synchronization job {job}")),
        )?;
    }
    let out = XtsJob {
        service_principal_id: Some(sp),
        application_object_id: Some(inst.application_object_id),
        job_id: Some(job),
        ..p.clone()
    };
    Ok(out)
}

/// Creates the `Azure2Azure` job once (a lost answer is followed by a look at the jobs), then
/// waits until it can be read: "wait for the job to appear, this can take several moments"
/// (API-NOTES.md#xts-settling).
async fn create_job(g: &GraphClient, dl: &Deadline, sp: &str) -> Result<String, Diagnostics> {
    let post = api::create_job(sp);
    let list = api::list_jobs(sp);
    let what = format!("the synchronization job of {sp}");
    let created =
        create_once(
            dl,
            &what,
            |dl| {
                let post = &post;
                async move {
                    retry_within(&dl, &SETTLING, "the job POST", || g.send_json(post, &dl)).await
                }
            },
            |dl| {
                let list = &list;
                async move {
                    Ok(values(&g.send_json(list, &dl).await?)
                        .into_iter()
                        .find(|j| {
                            js(j, "templateId")
                                .is_some_and(|t| t.eq_ignore_ascii_case(api::SYNC_TEMPLATE))
                        }))
                }
            },
            |_: &Json| true,
        )
        .await;
    let job = match created {
        Ok(Created::Sent(b)) | Ok(Created::Adopted(b)) => js(&b, "id"),
        Err(CreateError::AlreadyExists { existing, error }) => existing
            .as_ref()
            .and_then(|j| js(j, "id"))
            .ok_or_else(|| {
                error.unwrap_or_else(|| ApiError::http(409, "Conflict", "a job exists", None))
            })
            .map(Some)
            .context(|| format!("creating {what}"))?,
        Err(CreateError::Api(e)) => Err(e).context(|| format!("creating {what}"))?,
    }
    .ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(
            format!("Error creating {what}"),
            "The answer named no job ID.",
        ))
    })?;
    retry_within(dl, &SETTLING, "the new job", || {
        g.send_json(api::get_job(sp, &job), dl)
    })
    .await
    .context(|| format!("waiting for the synchronization job {job} to appear"))?;
    Ok(job)
}
