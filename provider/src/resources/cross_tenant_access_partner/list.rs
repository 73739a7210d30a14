//! Listing the partner configurations: one paged GET of the collection with each partner's
//! identity synchronization policy expanded (documented for the collection: List partners,
//! example 2), mapped as the read maps one partner.

use super::api;
use super::model::Partner;
use crate::clients::graph::GraphRequest;
use crate::framework::{Context, Ctx, Diagnostics, ListOptions, Listing};
use serde_json::Value as Json;

pub(super) async fn list(ctx: &Ctx, opts: &ListOptions) -> Result<Listing<Partner>, Diagnostics> {
    let mut out = Listing::default();
    for (p, sync) in all_with_sync(ctx).await? {
        let tenant = p["tenantId"].as_str().unwrap_or_default().to_string();
        // A list block naming one partner tenant: the others are not listed at all.
        if opts
            .tenant_id
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case(&tenant))
        {
            continue;
        }
        if p["isServiceProvider"].as_bool() == Some(true) && !opts.include_service_providers {
            out.skip(
                tenant,
                "a service provider partner (isServiceProvider: made by a CSP relationship or a support case, not by this tenant's admins); --include-service-providers exports it",
            );
            continue;
        }
        out.found
            .push(Partner::from_graph(&p, sync.as_ref()).with_id());
    }
    Ok(out)
}

/// Every partner configuration as Graph answers it, with its identity synchronization policy
/// (`None`: no policy): one paged GET with the policies expanded, a GET per partner only where
/// the service did not expand them.
pub(super) async fn all_with_sync(ctx: &Ctx) -> Result<Vec<(Json, Option<Json>)>, Diagnostics> {
    let g = &ctx.clients.graph;
    let dl = &ctx.deadline;
    let what = || "listing the partner configurations".to_string();
    let all = GraphRequest::get(api::PARTNERS).needs(api::READ);
    let expanded = all.clone().query("$expand", "identitySynchronization");
    let partners = match g.list_all(&expanded, dl).await {
        // As the read: a service refusing the expansion gets the policies one by one.
        Err(e) if e.status == Some(400) => g.list_all(&all, dl).await.context(what)?,
        other => other.context(what)?,
    };
    let mut out = Vec::with_capacity(partners.len());
    for mut p in partners {
        let tenant = p["tenantId"].as_str().unwrap_or_default().to_string();
        // The read's rule: null is "no policy", absent means "not expanded".
        let sync = match p
            .as_object_mut()
            .and_then(|m| m.remove("identitySynchronization"))
        {
            Some(Json::Null) => None,
            Some(s) => Some(s),
            None => g
                .get_optional(&api::get_sync(&tenant), dl)
                .await
                .context(|| {
                    format!(
                        "reading the identity synchronization policy for partner tenant {tenant}"
                    )
                })?,
        };
        out.push((p, sync));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::T;
    use super::super::CrossTenantAccessPartner;
    use crate::clients::http::mock::{answer, answer_error, MockTransport};
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    const CSP: &str = "8e3a1c52-0d7b-4f6e-a1c9-2b5d7f0e4a63";
    const THIRD: &str = "4b7c2e19-6a3d-4f58-b0e1-9d2c8a7f3e56";

    fn partner(tenant: &str, service_provider: bool, sync: serde_json::Value) -> serde_json::Value {
        json!({
            "tenantId": tenant, "isServiceProvider": service_provider,
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
            "b2bCollaborationInbound": null, "b2bCollaborationOutbound": null,
            "b2bDirectConnectInbound": null, "b2bDirectConnectOutbound": null,
            "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": null},
            "identitySynchronization": sync,
        })
    }

    fn expanded() -> crate::clients::request::Request {
        crate::clients::request::Request::get(super::api::PARTNERS)
            .query("$expand", "identitySynchronization")
    }

    fn ctx(m: std::sync::Arc<MockTransport>) -> Ctx {
        Ctx::for_tests(m, Duration::from_secs(5))
    }

    #[tokio::test]
    async fn lists_every_page_skips_service_providers_and_equals_the_read() {
        let sync = json!({"tenantId": T, "userSyncInbound": {"isSyncAllowed": true}});
        let page2 = format!(
            "{}/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=2",
            crate::clients::http::mock::GRAPH_BASE.trim_end_matches("/v1.0")
        );
        let m = MockTransport::new(vec![
            answer(
                expanded(),
                200,
                Some(
                    json!({"value": [partner(T, false, sync.clone()), partner(CSP, true, json!(null))],
                            "@odata.nextLink": page2}),
                ),
            ),
            crate::clients::http::mock::step(
                "GET",
                "/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=2",
                200,
                Some(json!({"value": [partner(THIRD, false, json!(null))]})),
            ),
        ]);
        let r = CrossTenantAccessPartner;
        let listing = Resource::list(&r, &ctx(m.clone()), &ListOptions::default())
            .await
            .unwrap();
        m.assert_done();
        let ids: Vec<_> = listing
            .found
            .iter()
            .map(|v| r.import_id_of(v).unwrap().unwrap())
            .collect();
        assert_eq!(ids, [T, THIRD]);
        assert_eq!(listing.skipped.len(), 1);
        assert_eq!(listing.skipped[0].object, CSP);
        assert!(listing.skipped[0].reason.contains("isServiceProvider"));

        // Each listed value is what its import's read gives.
        for (listed, (tenant, sync)) in listing.found.iter().zip([(T, sync), (THIRD, json!(null))])
        {
            let m = MockTransport::new(vec![answer(
                super::api::get_partner_with_sync(tenant),
                200,
                Some(partner(tenant, false, sync)),
            )]);
            assert_eq!(&read_back(&r, &ctx(m), listed).await, listed);
        }

        // Asked to, the service provider is listed too.
        let m = MockTransport::new(vec![answer(
            expanded(),
            200,
            Some(json!({"value": [partner(CSP, true, json!(null))]})),
        )]);
        let all = Resource::list(
            &r,
            &ctx(m),
            &ListOptions {
                include_service_providers: true,
                ..ListOptions::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(all.found.len(), 1);
        assert!(all.skipped.is_empty());
    }

    /// A `list` block naming one partner tenant (any case) lists that partner alone, and
    /// reports nothing skipped about the others.
    #[tokio::test]
    async fn a_tenant_filter_lists_that_partner_alone() {
        let m = MockTransport::new(vec![answer(
            expanded(),
            200,
            Some(
                json!({"value": [partner(T, false, json!(null)), partner(CSP, true, json!(null)), partner(THIRD, false, json!(null))]}),
            ),
        )]);
        let r = CrossTenantAccessPartner;
        let opts = ListOptions::from_config(&crate::framework::Value::object([(
            "tenant_id",
            crate::framework::Value::string(THIRD.to_ascii_uppercase()),
        )]));
        let one = Resource::list(&r, &ctx(m), &opts).await.unwrap();
        let ids: Vec<_> = one
            .found
            .iter()
            .map(|v| r.import_id_of(v).unwrap().unwrap())
            .collect();
        assert_eq!(ids, [THIRD]);
        assert!(one.skipped.is_empty());
    }

    #[tokio::test]
    async fn a_refresh_from_the_listing_equals_the_direct_read() {
        let sync = json!({"tenantId": T, "userSyncInbound": {"isSyncAllowed": true}});
        let r = CrossTenantAccessPartner;
        for (tenant, sync) in [(T, sync), (THIRD, json!(null))] {
            let listing = || {
                MockTransport::new(vec![answer(
                    expanded(),
                    200,
                    Some(
                        json!({"value": [partner(THIRD, false, json!(null)), partner(T, false, sync.clone())]}),
                    ),
                )])
            };
            let get = |spelled: &str| {
                MockTransport::new(vec![answer(
                    super::api::get_partner_with_sync(spelled),
                    200,
                    Some(partner(tenant, false, sync.clone())),
                )])
            };
            // A state as the import leaves it, and one as a read leaves it (the GUID in
            // capitals, as a user may write it).
            let imported = crate::framework::lifecycle::import(
                &r,
                &crate::framework::ImportCtx::new(Some(crate::clients::TEST_TENANT)),
                tenant,
            )
            .unwrap();
            let mut refreshed = read_back(&r, &ctx(get(tenant)), &imported).await;
            refreshed.set_attr(
                "tenant_id",
                crate::framework::Value::string(tenant.to_uppercase()),
            );
            for state in [imported, refreshed] {
                let (listed, direct) = crate::framework::refresh::listed_and_direct(
                    &r,
                    &ctx(listing()),
                    &ctx(get(state.get("tenant_id").as_str().unwrap())),
                    &state,
                )
                .await;
                assert_eq!(listed, direct, "{tenant}");
            }
        }
    }

    /// The data source a `check` block reads answers from the resource's listing: one
    /// request for every partner the listing holds, each equal to the data source's direct
    /// read; a partner the listing misses is read directly, and only that read says it is
    /// missing.
    #[tokio::test]
    async fn the_data_source_answers_from_the_listing_as_its_direct_read() {
        use crate::framework::lifecycle::read_data_source;
        use crate::framework::refresh::Listings;
        use crate::framework::Value;
        use tokio_util::sync::CancellationToken;
        let sync = json!({"tenantId": T, "userSyncInbound": {"isSyncAllowed": true}});
        async fn read(
            m: std::sync::Arc<MockTransport>,
            l: std::sync::Arc<Listings>,
            t: String,
        ) -> Value {
            let clients = std::sync::Arc::new(crate::clients::Clients::for_tests(m));
            let config = Value::object([("tenant_id", Value::string(t))]);
            let ds = super::super::data_source::PartnerDataSource;
            let (v, d) =
                read_data_source(&ds, &clients, &l, &CancellationToken::new(), &config).await;
            assert!(d.is_empty(), "{d}");
            v.unwrap()
        }
        let m = MockTransport::new(vec![
            answer(
                expanded(),
                200,
                Some(
                    json!({"value": [partner(THIRD, false, json!(null)), partner(T, false, sync.clone())]}),
                ),
            ),
            answer(super::api::get_partner_with_sync("absent"), 404, None),
        ]);
        let shared = std::sync::Arc::new(Listings::default());
        let (t, third) = tokio::join!(
            read(m.clone(), shared.clone(), T.to_uppercase()),
            read(m.clone(), shared.clone(), THIRD.to_string())
        );
        let absent = read(m.clone(), shared, "absent".into()).await;
        m.assert_done();
        assert_eq!(absent.get("exists"), &Value::Bool(false));
        assert_eq!(t.get("exists"), &Value::Bool(true));
        assert_eq!(t.get("tenant_id").as_str(), Some(T.to_uppercase().as_str()));
        for (tenant, sync, listed) in [
            (T.to_uppercase(), sync, t),
            (THIRD.into(), json!(null), third),
        ] {
            let direct = MockTransport::new(vec![answer(
                super::api::get_partner_with_sync(&tenant),
                200,
                Some(partner(&tenant.to_lowercase(), false, sync)),
            )]);
            // Without listings in its context, the data source reads directly.
            let direct = crate::framework::DataSource::read(
                &super::super::data_source::PartnerDataSource,
                &ctx(direct),
                &Value::object([("tenant_id", Value::string(tenant.clone()))]),
            )
            .await
            .unwrap();
            assert_eq!(listed, direct, "{tenant}");
        }
    }

    #[tokio::test]
    async fn a_refused_expansion_reads_the_policies_one_by_one() {
        let m = MockTransport::new(vec![
            answer_error(expanded(), 400, "Request_BadRequest", "no expand"),
            answer(
                crate::clients::request::Request::get(super::api::PARTNERS),
                200,
                Some(json!({"value": [{"tenantId": T, "isServiceProvider": false}]})),
            ),
            answer(
                super::api::get_sync(T),
                200,
                Some(json!({"userSyncInbound": {"isSyncAllowed": false}})),
            ),
        ]);
        let listing = Resource::list(
            &CrossTenantAccessPartner,
            &ctx(m.clone()),
            &ListOptions::default(),
        )
        .await
        .unwrap();
        m.assert_done();
        assert_eq!(
            listing.found[0]
                .get("identity_synchronization")
                .get("user_sync_inbound_allowed"),
            &crate::framework::Value::Bool(false)
        );
    }

    #[tokio::test]
    async fn a_refusal_names_the_permission() {
        let m = MockTransport::new(vec![answer_error(
            expanded(),
            403,
            "Authorization_RequestDenied",
            "denied",
        )]);
        let e = Resource::list(&CrossTenantAccessPartner, &ctx(m), &ListOptions::default())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Policy.Read.All"), "{e}");
    }
}
