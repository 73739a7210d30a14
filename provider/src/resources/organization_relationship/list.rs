//! Listing the organization relationships: one `Get-OrganizationRelationship` without an
//! identity (every relationship, all pages), each mapped as the read after an import maps it.

use super::api;
use super::model::OrgRel;
use crate::clients::exchange::Cmdlet;
use crate::framework::{Context, Ctx, Diagnostics, Listing};

pub(super) async fn list(ctx: &Ctx) -> Result<Listing<OrgRel>, Diagnostics> {
    let all = Cmdlet::new("Get-OrganizationRelationship").needs(api::EXO);
    let objects = ctx
        .exchange(&all, &ctx.deadline)
        .await
        .context(|| "listing the organization relationships".into())?
        .objects;
    // As an import's read sees each one: a group or URL in the form the import reads it.
    let mut found = Vec::with_capacity(objects.len());
    for o in &objects {
        let read = OrgRel::from_exchange(o);
        let imported = OrgRel::imported(read.name.clone());
        let name = read.name.clone();
        found.push(
            super::keep_spellings(ctx, &imported, read)
                .await
                .context(|| format!("reading the organization relationship {name:?}"))?,
        );
    }
    Ok(Listing {
        found,
        skipped: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{exchange_object, GUID, OTHER};
    use super::super::OrganizationRelationship;
    use crate::clients::http::mock::{step, MockTransport};
    use crate::clients::TEST_TENANT;
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    fn invoke() -> String {
        format!("/adminapi/beta/{TEST_TENANT}/InvokeCommand")
    }

    #[tokio::test]
    async fn a_refresh_from_the_listing_equals_the_direct_read() {
        let all = json!({"value": [exchange_object(OTHER, "Contoso"), exchange_object(GUID, "Fabrikam")]});
        let one = json!({"value": [exchange_object(GUID, "Fabrikam")]});
        let answer = |v: &serde_json::Value| {
            MockTransport::new(vec![step("POST", &invoke(), 200, Some(v.clone()))])
        };
        let ctx = |m| Ctx::for_tests(m, Duration::from_secs(30));
        let r = OrganizationRelationship;
        let imported = crate::framework::lifecycle::import(
            &r,
            &crate::framework::ImportCtx::default(),
            "Fabrikam",
        )
        .unwrap();
        let state = read_back(&r, &ctx(answer(&one)), &imported).await;
        let (listed, direct) = crate::framework::refresh::listed_and_direct(
            &r,
            &ctx(answer(&all)),
            &ctx(answer(&one)),
            &state,
        )
        .await;
        assert_eq!(listed, direct);
        // Just imported, it has no Guid yet: read directly.
        assert_eq!(r.listed_key(&imported).unwrap(), None);
    }

    #[tokio::test]
    async fn one_get_without_identity_lists_every_relationship_as_its_read() {
        let all = json!({"value": [exchange_object(GUID, "Fabrikam"), exchange_object(OTHER, "Contoso")]});
        let m = MockTransport::new(vec![step("POST", &invoke(), 200, Some(all.clone()))]);
        let r = OrganizationRelationship;
        let l = Resource::list(
            &r,
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &ListOptions::default(),
        )
        .await
        .unwrap();
        m.assert_done();
        assert_eq!(
            m.bodies()[0].as_ref().unwrap()["CmdletInput"],
            json!({"CmdletName": "Get-OrganizationRelationship", "Parameters": {}})
        );
        let ids: Vec<_> = l
            .found
            .iter()
            .map(|v| r.import_id_of(v).unwrap().unwrap())
            .collect();
        assert_eq!(ids, ["Fabrikam", "Contoso"]);
        for listed in &l.found {
            let m = MockTransport::new(vec![step("POST", &invoke(), 200, Some(all.clone()))]);
            let c = Ctx::for_tests(m, Duration::from_secs(30));
            assert_eq!(&read_back(&r, &c, listed).await, listed);
        }
    }
}
