//! Listing the policies this resource can manage: every Conditional Access policy in one paged
//! GET, mapped as the read maps one; a policy an import would refuse (not the managed shape, or
//! no external tenants named) is skipped with the differences the import would name.

use super::api;
use super::model::Policy;
use crate::framework::{Context, Ctx, Diagnostics, Listing};

/// The ID of the one policy named `name` (an import by display name); none or several is an
/// error, several listing their IDs.
pub(super) async fn by_display_name(ctx: &Ctx, name: &str) -> Result<String, Diagnostics> {
    let policies = ctx
        .clients
        .graph
        .list_all(&api::list_policies(), &ctx.deadline)
        .await
        .context(|| format!("looking for the Conditional Access policy named {name:?}"))?;
    let named: Vec<String> = policies
        .iter()
        .filter(|p| p["displayName"].as_str() == Some(name))
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(crate::framework::Diagnostic::error(
            "No such Conditional Access policy",
            format!("No Conditional Access policy of this tenant is named {name:?}. Import it by its ID, or by its exact display name."),
        )
        .into()),
        several => Err(crate::framework::Diagnostic::error(
            "Several Conditional Access policies have this name",
            format!(
                "{} Conditional Access policies are named {name:?}: import one by its ID: {}.",
                several.len(),
                several.join(", ")
            ),
        )
        .into()),
    }
}

pub(super) async fn list(ctx: &Ctx) -> Result<Listing<Policy>, Diagnostics> {
    let policies = ctx
        .clients
        .graph
        .list_all(&api::list_policies(), &ctx.deadline)
        .await
        .context(|| "listing the Conditional Access policies".into())?;
    let mut out = Listing::default();
    for p in &policies {
        let policy = Policy::from_graph(p);
        let differences = policy.shape_differences.clone().unwrap_or_default();
        let object = format!(
            "{} ({:?})",
            policy.id.as_deref().unwrap_or_default(),
            policy.display_name
        );
        if !differences.is_empty() {
            out.skip(
                object,
                format!("not the managed shape: {}", differences.join("; ")),
            );
        } else if policy.external_tenant_ids.is_empty() {
            out.skip(
                object,
                "not the managed shape: it names no external tenants",
            );
        } else {
            out.found.push(policy);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod import_by_name_tests {
    use super::super::tests::{graph_policy, ID};
    use super::super::CaBlockExternalMembers;
    use super::api;
    use crate::clients::http::mock::{answer, MockTransport};
    use crate::framework::{Ctx, ImportCtx, Resource, Value};
    use serde_json::json;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn the_one_policy_of_that_name_is_read_and_several_list_their_ids() {
        let r = CaBlockExternalMembers;
        let imported = r
            .import(&ImportCtx::default(), "Block partner members")
            .unwrap();
        let mut other = graph_policy();
        other["id"] = json!("11111111-1111-4111-8111-111111111111");
        other["displayName"] = json!("Something else");
        let m = MockTransport::new(vec![
            answer(
                api::list_policies(),
                200,
                Some(json!({"value": [other, graph_policy()]})),
            ),
            answer(api::get_policy(ID), 200, Some(graph_policy())),
        ]);
        let got = r
            .read(
                &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
                &imported,
            )
            .await
            .unwrap()
            .unwrap();
        m.assert_done();
        assert_eq!(got.get("id"), &Value::string(ID));

        let mut twin = graph_policy();
        twin["id"] = json!("22222222-2222-4222-8222-222222222222");
        let m = MockTransport::new(vec![answer(
            api::list_policies(),
            200,
            Some(json!({"value": [graph_policy(), twin]})),
        )]);
        let e = r
            .read(&Ctx::for_tests(m, Duration::from_secs(30)), &imported)
            .await
            .unwrap_err();
        assert!(
            e.0[0].detail.contains(ID)
                && e.0[0]
                    .detail
                    .contains("22222222-2222-4222-8222-222222222222"),
            "{e}"
        );
        let m = MockTransport::new(vec![answer(
            api::list_policies(),
            200,
            Some(json!({"value": []})),
        )]);
        let e = r
            .read(&Ctx::for_tests(m, Duration::from_secs(30)), &imported)
            .await
            .unwrap_err();
        assert!(e.0[0].summary.contains("No such"), "{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{graph_policy, ID};
    use super::super::CaBlockExternalMembers;
    use super::api;
    use crate::clients::http::mock::{answer, MockTransport};
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    const MFA: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    const EMPTY: &str = "1f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    #[tokio::test(start_paused = true)]
    async fn a_refresh_from_the_listing_equals_the_direct_read() {
        let r = CaBlockExternalMembers;
        let mut mfa = graph_policy();
        mfa["id"] = json!(MFA);
        mfa["grantControls"]["builtInControls"] = json!(["mfa"]);
        let listing = || {
            MockTransport::new(vec![answer(
                api::list_policies(),
                200,
                Some(json!({"value": [mfa, graph_policy()]})),
            )])
        };
        let get =
            || MockTransport::new(vec![answer(api::get_policy(ID), 200, Some(graph_policy()))]);
        let ctx = |m| Ctx::for_tests(m, Duration::from_secs(30));
        let imported =
            crate::framework::lifecycle::import(&r, &crate::framework::ImportCtx::default(), ID)
                .unwrap();
        let refreshed = read_back(&r, &ctx(get()), &imported).await;
        for state in [imported, refreshed] {
            let (listed, direct) = crate::framework::refresh::listed_and_direct(
                &r,
                &ctx(listing()),
                &ctx(get()),
                &state,
            )
            .await;
            assert_eq!(listed, direct);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn lists_the_managed_shape_and_skips_others_with_the_difference() {
        // Another shape: a policy requiring MFA of every user.
        let mut mfa = graph_policy();
        mfa["id"] = json!(MFA);
        mfa["displayName"] = json!("Require MFA");
        mfa["grantControls"]["builtInControls"] = json!(["mfa"]);
        // The managed shape naming no tenant.
        let mut empty = graph_policy();
        empty["id"] = json!(EMPTY);
        empty["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] =
            json!({"membershipKind": "all"});
        let m = MockTransport::new(vec![answer(
            api::list_policies(),
            200,
            Some(json!({"value": [mfa, graph_policy(), empty]})),
        )]);
        let r = CaBlockExternalMembers;
        let ctx = Ctx::for_tests(m.clone(), Duration::from_secs(30));
        let listing = Resource::list(&r, &ctx, &ListOptions::default())
            .await
            .unwrap();
        m.assert_done();
        assert_eq!(listing.found.len(), 1);
        assert_eq!(r.import_id_of(&listing.found[0]).unwrap().unwrap(), ID);
        assert_eq!(listing.skipped.len(), 2, "{:?}", listing.skipped);
        let mfa = &listing.skipped[0];
        assert!(mfa.object.contains(MFA) && mfa.object.contains("Require MFA"));
        assert!(
            mfa.reason.starts_with("not the managed shape: ")
                && mfa.reason.contains("grantControls"),
            "{}",
            mfa.reason
        );
        assert!(listing.skipped[1].object.contains(EMPTY));

        let m = MockTransport::new(vec![answer(api::get_policy(ID), 200, Some(graph_policy()))]);
        let ctx = Ctx::for_tests(m, Duration::from_secs(30));
        assert_eq!(
            read_back(&r, &ctx, &listing.found[0]).await,
            listing.found[0]
        );
    }
}
