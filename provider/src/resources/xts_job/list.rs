//! Listing the synchronization configurations: the service principals instantiated from the
//! cross-tenant synchronization template (one paged, filtered GET), each read as an import of
//! it is read (its application, job, schema and assignments). One without a synchronization
//! job is skipped: adopting it would plan its replacement.

use super::api;
use super::model::XtsJob;
use super::XtsJobResource;
use crate::clients::graph::GraphRequest;
use crate::framework::{Context, Ctx, Diagnostics, ImportCtx, Listing, TypedResource as _};

/// The service principals instantiated from the template (one paged, filtered GET).
async fn service_principals(ctx: &Ctx) -> Result<Vec<serde_json::Value>, Diagnostics> {
    let sps = GraphRequest::get("/servicePrincipals")
        .query(
            "$filter",
            &format!("applicationTemplateId eq '{}'", api::TEMPLATE_ID),
        )
        .needs(api::APP);
    ctx.clients
        .graph
        .list_all(&sps, &ctx.deadline)
        .await
        .context(|| "listing the cross-tenant synchronization configurations".into())
}

/// The service principal of the one configuration named `name` (an import by display name);
/// none or several is an error, several listing their IDs.
pub(super) async fn by_display_name(ctx: &Ctx, name: &str) -> Result<String, Diagnostics> {
    let named: Vec<String> = service_principals(ctx)
        .await?
        .iter()
        .filter(|sp| sp["displayName"].as_str() == Some(name))
        .filter_map(|sp| sp["id"].as_str().map(str::to_string))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(crate::framework::Diagnostic::error(
            "No such synchronization configuration",
            format!("No cross-tenant synchronization configuration of this tenant is named {name:?}. Import it by its service principal object ID, or by the display name the portal shows for it."),
        )
        .into()),
        several => Err(crate::framework::Diagnostic::error(
            "Several synchronization configurations have this name",
            format!(
                "{} cross-tenant synchronization configurations are named {name:?}: import one by its service principal object ID: {}.",
                several.len(),
                several.join(", ")
            ),
        )
        .into()),
    }
}

pub(super) async fn list(r: &XtsJobResource, ctx: &Ctx) -> Result<Listing<XtsJob>, Diagnostics> {
    let sps = service_principals(ctx).await?;
    let mut out = Listing::default();
    for sp in &sps {
        let Some(id) = sp["id"].as_str() else {
            continue;
        };
        let name = sp["displayName"].as_str().unwrap_or_default();
        let imported = r.import(&ImportCtx::default(), r.parse_import_id(id)?)?;
        match r.read(ctx, imported).await? {
            Some(found) if found.job_id.is_some() => out.found.push(found),
            Some(_) => out.skip(
                format!("{id} ({name:?})"),
                "no synchronization job: an unfinished configuration (adopting it would plan its replacement)",
            ),
            // Deleted between the list and the read.
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{default_schema, APP, GROUP, SP, T};
    use super::super::XtsJobResource;
    use super::api;
    use crate::clients::http::mock::{answer, MockTransport, Step};
    use crate::clients::request::Request;
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    const BARE: &str = "77777777-2222-4333-8444-555555555555";

    fn sp(id: &str, name: &str) -> serde_json::Value {
        json!({"id": id, "appId": format!("app-{id}"), "displayName": name,
               "applicationTemplateId": api::TEMPLATE_ID,
               "appRoleAssignedTo": [{"id": "a2", "principalId": GROUP, "principalType": "Group"}]})
    }

    /// What the read of an imported configuration sends; `job` when it has one.
    fn read(id: &str, name: &str, job: bool) -> Vec<Step> {
        let jobs = if job {
            json!({"value": [{"id": "j1", "templateId": "Azure2Azure",
                "schedule": {"expiration": null, "interval": "PT40M", "state": "Active"},
                "status": {"code": "NotRun", "lastExecution": null, "lastSuccessfulExecution": null, "quarantine": null}}]})
        } else {
            json!({"value": []})
        };
        let mut s = vec![
            answer(
                api::get_service_principal_with_assignments(id),
                200,
                Some(sp(id, name)),
            ),
            answer(
                api::find_application_by_app_id(&format!("app-{id}")),
                200,
                Some(json!({"value": [{"id": APP}]})),
            ),
            answer(api::list_jobs(id), 200, Some(jobs)),
            answer(
                api::get_secrets(id),
                200,
                Some(
                    json!({"value": [{"key": "CompanyId", "value": T}, {"key": "SyncAll", "value": "false"}]}),
                ),
            ),
        ];
        if job {
            s.push(answer(
                api::get_schema(id, "j1"),
                200,
                Some(default_schema()),
            ));
            s.push(answer(
                api::get_template_schema(id),
                200,
                Some(default_schema()),
            ));
        }
        s
    }

    #[tokio::test]
    async fn the_templates_service_principals_with_a_job_are_listed_as_their_read() {
        let list = Request::get("/servicePrincipals").query(
            "$filter",
            &format!("applicationTemplateId eq '{}'", api::TEMPLATE_ID),
        );
        let mut script = vec![answer(
            list,
            200,
            Some(json!({"value": [sp(SP, "Sync to Fabrikam"), sp(BARE, "Half made")]})),
        )];
        script.extend(read(SP, "Sync to Fabrikam", true));
        script.extend(read(BARE, "Half made", false));
        let m = MockTransport::new(script);
        let r = XtsJobResource;
        let l = Resource::list(
            &r,
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &ListOptions::default(),
        )
        .await
        .unwrap();
        m.assert_done();
        assert_eq!(l.found.len(), 1);
        assert_eq!(r.import_id_of(&l.found[0]).unwrap().as_deref(), Some(SP));
        assert_eq!(l.skipped.len(), 1);
        assert!(l.skipped[0].object.contains("Half made"));
        assert!(l.skipped[0].reason.contains("no synchronization job"));
        let c = Ctx::for_tests(
            MockTransport::new(read(SP, "Sync to Fabrikam", true)),
            Duration::from_secs(30),
        );
        assert_eq!(read_back(&r, &c, &l.found[0]).await, l.found[0]);
    }
}

#[cfg(test)]
mod import_by_name_tests {
    use super::super::tests::SP;
    use super::super::XtsJobResource;
    use super::api;
    use crate::clients::http::mock::{answer, MockTransport};
    use crate::clients::request::Request;
    use crate::framework::{Ctx, ImportCtx, Resource};
    use serde_json::json;
    use std::time::Duration;

    fn listed(names: &[(&str, &str)]) -> crate::clients::http::mock::Step {
        let value: Vec<_> = names
            .iter()
            .map(|(id, n)| json!({"id": id, "displayName": n, "applicationTemplateId": api::TEMPLATE_ID}))
            .collect();
        answer(
            Request::get("/servicePrincipals").query(
                "$filter",
                &format!("applicationTemplateId eq '{}'", api::TEMPLATE_ID),
            ),
            200,
            Some(json!({ "value": value })),
        )
    }

    async fn read_by_name(
        name: &str,
        script: Vec<crate::clients::http::mock::Step>,
    ) -> Result<Option<crate::framework::Value>, crate::framework::Diagnostics> {
        let r = XtsJobResource;
        let imported = r.import(&ImportCtx::default(), name).unwrap();
        let m = MockTransport::new(script);
        r.read(&Ctx::for_tests(m, Duration::from_secs(30)), &imported)
            .await
    }

    #[tokio::test]
    async fn one_configuration_of_that_name_is_read_by_its_service_principal() {
        // The listing, then the read of the one found (here: gone meanwhile, so none).
        let got = read_by_name(
            "Sync to Fabrikam",
            vec![
                listed(&[(SP, "Sync to Fabrikam"), ("other", "Sync to Northwind")]),
                crate::clients::http::mock::answer_error(
                    api::get_service_principal_with_assignments(SP),
                    404,
                    "Request_ResourceNotFound",
                    "gone",
                ),
                // Sent with it (the read's GETs go at once), not looked at.
                crate::clients::http::mock::answer_error(
                    api::list_jobs(SP),
                    404,
                    "Request_ResourceNotFound",
                    "gone",
                ),
                crate::clients::http::mock::answer_error(
                    api::get_secrets(SP),
                    404,
                    "Request_ResourceNotFound",
                    "gone",
                ),
            ],
        )
        .await
        .unwrap();
        assert!(got.is_none());
    }

    #[tokio::test]
    async fn none_or_several_of_that_name_is_an_error_listing_the_ids() {
        let e = read_by_name("Sync to Fabrikam", vec![listed(&[])])
            .await
            .unwrap_err();
        assert!(e.0[0].detail.contains("named \"Sync to Fabrikam\""), "{e}");
        let e = read_by_name(
            "Sync to Fabrikam",
            vec![listed(&[
                ("sp-1", "Sync to Fabrikam"),
                ("sp-2", "Sync to Fabrikam"),
            ])],
        )
        .await
        .unwrap_err();
        assert!(e.0[0].detail.contains("sp-1, sp-2"), "{e}");
    }
}
