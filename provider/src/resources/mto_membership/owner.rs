//! The owner side: the organization in this tenant and the other tenants it adds. Create makes
//! the organization (once, even over a reset) then adds each member; delete removes the
//! others, then this tenant, which ends the organization.

use super::model::{js, member_from_graph, Membership};
use super::*;

/// This tenant is in `existing` already (a tenant belongs to at most one organization). Its
/// import ID depends on the side: `member/<owner>` when this tenant joined another's
/// organization (its join request says whose), else `owner/<this tenant>`.
async fn already_in_organization(
    g: &GraphClient,
    dl: &Deadline,
    existing: &Json,
    me: &str,
) -> Diagnostics {
    let join = g
        .get_optional(&api::get_join_request(), dl)
        .await
        .ok()
        .flatten();
    let joined = join
        .filter(|j| js(j, "memberState").as_deref() == Some("active"))
        .and_then(|j| js(&j, "addedByTenantId"))
        .filter(|owner| !owner.eq_ignore_ascii_case(me));
    let import_id = match joined {
        Some(owner) => format!("member/{}", owner.to_ascii_lowercase()),
        None => format!("owner/{me}"),
    };
    already_exists(
        TYPE_NAME,
        &import_id,
        &format!(
            "This tenant's multitenant organization {:?} (id {})",
            js(existing, "displayName").unwrap_or_default(),
            js(existing, "id").unwrap_or_default(),
        ),
    )
    .into()
}

pub(super) async fn create_owner(ctx: &Ctx, p: &Membership) -> Result<Membership, ApplyError> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, p)?;
    // Look first: a tenant already in an organization gets no write at all, only the
    // diagnostic naming that organization.
    if let Some(existing) = get_mto(g, dl)
        .await
        .context(|| "reading this tenant's multitenant organization".into())?
    {
        return Err(already_in_organization(g, dl, &existing, &me).await.into());
    }
    let dn = p.display_name.clone().unwrap_or_default();
    // The PUT is not idempotent here: a second one answers 400 "already part of a multitenant
    // organization". So a PUT in doubt (reset, no answer in time, gateway 503/504) is followed
    // by a GET: an organization with the name we sent is ours to adopt (clients/create.rs).
    let put = api::create_mto(&dn, p.description.as_deref()).idempotent(false);
    let what = "the multitenant organization";
    let created = create::create_once(
        dl,
        what,
        |dl| {
            let put = &put;
            async move { g.send_discarding_body(put, &dl).await }
        },
        |dl| async move { get_mto(g, &dl).await },
        |found: &Json| js(found, "displayName").as_deref() == Some(dn.as_str()),
    )
    .await;
    match created {
        Ok(_) => {}
        Err(create::CreateError::AlreadyExists { existing, .. }) => {
            // Someone else's organization appeared while ours was in doubt.
            let existing = existing.unwrap_or(Json::Null);
            return Err(already_in_organization(g, dl, &existing, &me).await.into());
        }
        Err(create::CreateError::Api(e)) if e.status == Some(400) => {
            // An organization made between the look and the PUT: name it.
            let existing = get_mto(g, dl)
                .await
                .context(|| "reading this tenant's multitenant organization".into())?;
            return match existing {
                Some(existing) => Err(already_in_organization(g, dl, &existing, &me).await.into()),
                // Refused for another reason: say that one.
                None => Err(Diagnostics::from(crate::framework::diag::api_error(
                    &format!("creating {what}"),
                    &e,
                ))
                .into()),
            };
        }
        Err(create::CreateError::Api(e)) => {
            Err::<(), _>(e).context(|| format!("creating {what}"))?
        }
    }
    let mut done = Membership {
        id: Some(format!("owner/{me}")),
        tenant_id: Some(me.clone()),
        member_tenants: Some(BTreeMap::new()),
        ..p.clone()
    };
    let mut steps = Steps::new();
    steps.completed("organization", done.to_value()?);
    for (id, m) in p.member_tenants.clone().unwrap_or_default() {
        steps.check(add_member(g, dl, &id, &m).await)?;
        done.member_tenants
            .get_or_insert_with(BTreeMap::new)
            .insert(id, m);
        steps.completed("member", done.to_value()?);
    }
    done.member_tenants.clone_from(&p.member_tenants);
    Ok(done)
}

pub(super) async fn read_owner(
    ctx: &Ctx,
    s: &Membership,
) -> Result<Option<Membership>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, s)?;
    let Some(mto) = get_mto(g, dl)
        .await
        .context(|| "reading the multitenant organization".into())?
    else {
        return Ok(None);
    };
    let tenants = list_tenants(g, dl)
        .await
        .context(|| "listing the tenants of the multitenant organization".into())?;
    let mut members = BTreeMap::new();
    let mut states = BTreeMap::new();
    let mut my_role = None;
    for t in &tenants {
        let Some((id, m, state)) = member_from_graph(t) else {
            continue;
        };
        if id.eq_ignore_ascii_case(&me) {
            my_role = Some(m.role);
            continue;
        }
        // Keep the configuration's spelling of the same GUID.
        let key = s
            .member_tenants
            .iter()
            .flatten()
            .map(|(k, _)| k)
            .find(|k| k.eq_ignore_ascii_case(&id))
            .cloned()
            .unwrap_or(id);
        states.insert(key.clone(), state);
        members.insert(key, m);
    }
    // A tenant no longer in its own organization's list has left it.
    let Some(role) = my_role else { return Ok(None) };
    let out = Membership {
        id: Some(format!("owner/{me}")),
        tenant_id: Some(me),
        display_name: js(&mto, "displayName"),
        description: js(&mto, "description"),
        member_tenants: (!members.is_empty() || s.member_tenants.is_some()).then_some(members),
        member_states: Some(states),
        owner_tenant_id: None,
        wait_for_active: None,
        role: Some(role),
        failure_details: None,
        state: js(&mto, "state"),
    };
    Ok(Some(out))
}

pub(super) async fn update_owner(
    ctx: &Ctx,
    old: &Membership,
    new: &Membership,
) -> Result<Membership, ApplyError> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    this_tenant(ctx, old)?;
    if (&old.display_name, &old.description) != (&new.display_name, &new.description) {
        g.send_discarding_body(
            &api::update_mto(
                new.display_name.as_deref().unwrap_or_default(),
                new.description.as_deref(),
            ),
            dl,
        )
        .await
        .context(|| "updating the multitenant organization".into())?;
    }
    let (before, after) = (
        old.member_tenants.clone().unwrap_or_default(),
        new.member_tenants.clone().unwrap_or_default(),
    );
    let find = |m: &BTreeMap<String, MemberTenant>, k: &str| {
        m.iter()
            .find(|(x, _)| x.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    for k in before.keys() {
        if find(&after, k).is_none() {
            remove_and_wait(g, dl, &k.to_ascii_lowercase()).await?;
        }
    }
    for (k, m) in &after {
        let id = k.to_ascii_lowercase();
        match find(&before, k) {
            None => add_member(g, dl, &id, m).await?,
            // The display name is fixed once set: remove the tenant and add it again.
            Some(b) if b.display_name != m.display_name => {
                remove_and_wait(g, dl, &id).await?;
                add_member(g, dl, &id, m).await?;
            }
            Some(b) if b.role != m.role => g
                .send_discarding_body(&api::set_role(&id, &m.role), dl)
                .await
                .context(|| format!("changing the role of tenant {id}"))?,
            Some(_) => {}
        }
    }
    let mut out = new.clone();
    out.member_states = None;
    Ok(out)
}

pub(super) async fn delete_owner(ctx: &Ctx, s: &Membership) -> Result<(), Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, s)?;
    let tenants = list_tenants(g, dl)
        .await
        .context(|| "listing the tenants of the multitenant organization".into())?;
    // Every other tenant first: removing the last tenant (this one) deletes the organization.
    for t in &tenants {
        let Some(id) = js(t, "tenantId") else {
            continue;
        };
        if !id.eq_ignore_ascii_case(&me) {
            remove_and_wait(g, dl, &id.to_ascii_lowercase()).await?;
        }
    }
    match g.send_discarding_body(&api::remove_tenant(&me), dl).await {
        Err(e) if e.is_not_found() => return Ok(()),
        other => other.context(|| {
            "removing this tenant (the last) from the multitenant organization".into()
        })?,
    }
    consistency::poll_until(
        dl,
        "the multitenant organization to be deleted",
        || async { get_mto(g, dl).await },
        Option::is_none,
    )
    .await
    .context(|| "waiting for the multitenant organization to be deleted".into())?;
    Ok(())
}
