//! Listing the membership: at most one object, the tenant's side of the organization it is in.
//! The organization GET says whether there is one; the join request whether this tenant joined
//! another's (member side) or not (owner side); the resource's own read then gives the value.

use super::import::{self, MtoImportId};
use super::model::{js, Membership};
use super::{api, get_mto, this_tenant, MtoMembership};
use crate::framework::{Context, Ctx, Diagnostics, ImportCtx, Listing, TypedResource as _};

pub(super) async fn list(r: &MtoMembership, ctx: &Ctx) -> Result<Listing<Membership>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let me = this_tenant(ctx, &Membership::default())?;
    let mut out = Listing::default();
    if get_mto(g, dl)
        .await
        .context(|| "reading the multitenant organization".into())?
        .is_none()
    {
        return Ok(out);
    }
    let join = g
        .get_optional(&api::get_join_request(), dl)
        .await
        .context(|| "reading this tenant's join request".into())?;
    let owner = join
        .as_ref()
        .and_then(|j| js(j, "addedByTenantId"))
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != api::NO_TENANT && *t != me);
    let id = match owner {
        Some(owner) => format!("member/{owner}"),
        None => format!("owner/{me}"),
    };
    let parsed: MtoImportId = r.parse_import_id(&id)?;
    let imported = import::import(&ImportCtx::new(Some(&me)), parsed)?;
    if let Some(found) = r.read(ctx, imported).await? {
        out.found.push(found);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::T;
    use super::super::{api, MtoMembership};
    use crate::clients::http::mock::{answer, MockTransport, Step};
    use crate::clients::TEST_TENANT;
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource, Value};
    use serde_json::json;
    use std::time::Duration;

    fn ctx(script: Vec<Step>) -> (Ctx, std::sync::Arc<MockTransport>) {
        let m = MockTransport::new(script);
        (Ctx::for_tests(m.clone(), Duration::from_secs(30)), m)
    }

    fn mto(state: &str) -> Step {
        answer(
            api::get_mto(),
            200,
            Some(
                json!({"id": "abc", "displayName": "Contoso group", "description": null, "state": state, "createdDateTime": "2026-01-01T00:00:00Z"}),
            ),
        )
    }

    fn join(by: Option<&str>) -> Step {
        answer(
            api::get_join_request(),
            200,
            Some(match by {
                Some(owner) => {
                    json!({"id": TEST_TENANT, "addedByTenantId": owner, "memberState": "active", "role": "member", "transitionDetails": {"status": "succeeded", "details": null}})
                }
                None => {
                    json!({"id": TEST_TENANT, "addedByTenantId": null, "memberState": null, "role": null, "transitionDetails": null})
                }
            }),
        )
    }

    fn tenants() -> Step {
        let t = |id: &str, role: &str| json!({"tenantId": id, "displayName": id, "role": role, "state": "active", "joinedDateTime": null, "transitionDetails": null});
        answer(
            api::list_tenants(),
            200,
            Some(json!({"value": [t(TEST_TENANT, "owner"), t(T, "member")]})),
        )
    }

    async fn list(script: Vec<Step>) -> crate::framework::Listing<Value> {
        let (ctx, m) = ctx(script);
        let out = Resource::list(&MtoMembership, &ctx, &ListOptions::default())
            .await
            .unwrap();
        m.assert_done();
        out
    }

    #[tokio::test]
    async fn no_organization_lists_nothing() {
        let l = list(vec![mto("inactive")]).await;
        assert!(l.found.is_empty() && l.skipped.is_empty());
    }

    #[tokio::test]
    async fn the_owner_side_is_listed_as_its_read() {
        let l = list(vec![mto("active"), join(None), mto("active"), tenants()]).await;
        let r = MtoMembership;
        assert_eq!(
            r.import_id_of(&l.found[0]).unwrap().unwrap(),
            format!("owner/{TEST_TENANT}")
        );
        assert!(l.found[0].get("member_tenants").get(T).get("role") == &Value::string("member"));
        let (c, _) = ctx(vec![mto("active"), tenants()]);
        assert_eq!(read_back(&r, &c, &l.found[0]).await, l.found[0]);
    }

    #[tokio::test]
    async fn the_member_side_is_listed_as_its_read() {
        let l = list(vec![mto("active"), join(Some(T)), join(Some(T))]).await;
        let r = MtoMembership;
        assert_eq!(
            r.import_id_of(&l.found[0]).unwrap().unwrap(),
            format!("member/{T}")
        );
        let (c, _) = ctx(vec![join(Some(T))]);
        assert_eq!(read_back(&r, &c, &l.found[0]).await, l.found[0]);
    }
}
