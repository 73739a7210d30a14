//! Listing the Partner connectors in both directions: `Get-InboundConnector` once and
//! `Get-OutboundConnector` under each filter combination (a connector in test mode or scoped to
//! transport rules shows only under its own filter values,
//! API-NOTES.md#exchange-outbound-filters), each mapped as the read maps it. Connectors of
//! another type are skipped, as are names held twice in one direction (the import by name
//! could not tell them apart).

use super::api;
use super::model::{Connector, INBOUND, OUTBOUND, PARTNER};
use crate::clients::exchange::Cmdlet;
use crate::framework::{Context, Ctx, Diagnostics, Listing};
use serde_json::Value as Json;

fn get(direction: &str) -> Cmdlet {
    let probe = Connector {
        direction: direction.into(),
        ..Connector::default()
    };
    Cmdlet::new(&format!("Get-{}", probe.noun())).needs(api::MANAGE)
}

pub(super) async fn list(ctx: &Ctx) -> Result<Listing<Connector>, Diagnostics> {
    let dl = &ctx.deadline;
    let mut out = Listing::default();
    let inbound = ctx
        .exchange(&get(INBOUND), dl)
        .await
        .context(|| "listing the inbound connectors".into())?
        .objects;
    let mut outbound: Vec<Json> = Vec::new();
    for (test_mode, rule_scoped) in [(false, false), (true, false), (false, true), (true, true)] {
        let mut c = get(OUTBOUND);
        if test_mode {
            c = c.param("IncludeTestModeConnectors", true);
        }
        if rule_scoped {
            c = c.param("IsTransportRuleScoped", true);
        }
        let page = ctx
            .exchange(&c, dl)
            .await
            .context(|| "listing the outbound connectors".into())?
            .objects;
        for o in page {
            let guid = o.get("Guid").and_then(Json::as_str);
            if !outbound
                .iter()
                .any(|seen| seen.get("Guid").and_then(Json::as_str) == guid)
            {
                outbound.push(o);
            }
        }
    }
    for (direction, objects) in [(INBOUND, inbound), (OUTBOUND, outbound)] {
        let names: Vec<String> = objects
            .iter()
            .map(|o| o["Name"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        for o in &objects {
            let c = Connector::from_exchange(o, direction);
            let object = format!("{direction}/{}", c.name);
            let kind = o["ConnectorType"].as_str().unwrap_or_default();
            if !kind.eq_ignore_ascii_case(PARTNER) {
                out.skip(
                    object,
                    format!("an {kind} connector: only Partner connectors are managed"),
                );
            } else if names
                .iter()
                .filter(|n| **n == c.name.to_lowercase())
                .count()
                > 1
            {
                out.skip(
                    object,
                    format!("another {direction} connector has the same name: rename one so the import by name finds it"),
                );
            } else {
                out.found.push(c);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::stored_inbound;
    use super::super::PartnerConnector;
    use crate::clients::http::mock::{step, MockTransport, Step};
    use crate::clients::TEST_TENANT;
    use crate::framework::listing::read_back;
    use crate::framework::{Ctx, ListOptions, Resource};
    use serde_json::json;
    use std::time::Duration;

    fn answer(objects: serde_json::Value) -> Step {
        step(
            "POST",
            &format!("/adminapi/beta/{TEST_TENANT}/InvokeCommand"),
            200,
            Some(json!({ "value": objects })),
        )
    }

    fn outbound(guid: &str, name: &str, kind: &str, test_mode: bool) -> serde_json::Value {
        json!({"Identity": name, "Name": name, "Guid": guid, "Enabled": true, "Comment": null,
            "ConnectorType": kind, "RecipientDomains": ["fabrikam.com"], "SmartHosts": [],
            "UseMXRecord": true, "TlsSettings": "EncryptionOnly", "TlsDomain": null,
            "TestMode": test_mode, "IsTransportRuleScoped": false, "RouteAllMessagesViaOnPremises": false})
    }

    #[tokio::test]
    async fn both_directions_every_outbound_filter_partner_connectors_only() {
        let to = outbound(
            "11111111-1111-4111-8111-111111111111",
            "To Fabrikam",
            "Partner",
            false,
        );
        let trial = outbound(
            "22222222-2222-4222-8222-222222222222",
            "Trial",
            "Partner",
            true,
        );
        let hybrid = outbound(
            "33333333-3333-4333-8333-333333333333",
            "Hybrid",
            "OnPremises",
            false,
        );
        let m = MockTransport::new(vec![
            answer(json!([stored_inbound()])),
            answer(json!([to, hybrid])),
            // A test-mode connector shows under its own filter; the others again (deduplicated).
            answer(json!([to, trial])),
            answer(json!([])),
            answer(json!([trial])),
        ]);
        let r = PartnerConnector;
        let l = Resource::list(
            &r,
            &Ctx::for_tests(m.clone(), Duration::from_secs(30)),
            &ListOptions::default(),
        )
        .await
        .unwrap();
        m.assert_done();
        let names: Vec<_> = m
            .bodies()
            .iter()
            .map(|b| b.as_ref().unwrap()["CmdletInput"].clone())
            .collect();
        assert_eq!(
            names[0],
            json!({"CmdletName": "Get-InboundConnector", "Parameters": {}})
        );
        assert_eq!(
            names[4],
            json!({"CmdletName": "Get-OutboundConnector", "Parameters": {"IncludeTestModeConnectors": true, "IsTransportRuleScoped": true}})
        );
        let ids: Vec<_> = l
            .found
            .iter()
            .map(|v| r.import_id_of(v).unwrap().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "inbound/From Contoso",
                "outbound/To Fabrikam",
                "outbound/Trial"
            ]
        );
        assert_eq!(l.skipped.len(), 1);
        assert_eq!(l.skipped[0].object, "outbound/Hybrid");
        assert!(
            l.skipped[0].reason.contains("OnPremises"),
            "{}",
            l.skipped[0].reason
        );

        // Each reads back as listed (the import reads by name, under the default filter first).
        let reads = [
            vec![answer(json!([stored_inbound()]))],
            vec![answer(json!([to]))],
            vec![answer(json!([])), answer(json!([trial]))],
        ];
        for (listed, script) in l.found.iter().zip(reads) {
            let c = Ctx::for_tests(MockTransport::new(script), Duration::from_secs(30));
            assert_eq!(&read_back(&r, &c, listed).await, listed);
        }
    }

    #[tokio::test]
    async fn a_refresh_from_the_listing_equals_the_direct_read() {
        let to = outbound(
            "11111111-1111-4111-8111-111111111111",
            "To Fabrikam",
            "Partner",
            false,
        );
        let r = PartnerConnector;
        let ctx = |m| Ctx::for_tests(m, Duration::from_secs(30));
        // Each direction by its own Get without an identity, under the default filters.
        for (import_id, object) in [
            ("inbound/From Contoso", stored_inbound()),
            ("outbound/To Fabrikam", to.clone()),
        ] {
            let listing = || MockTransport::new(vec![answer(json!([object.clone()]))]);
            let imported = crate::framework::lifecycle::import(
                &r,
                &crate::framework::ImportCtx::default(),
                import_id,
            )
            .unwrap();
            assert_eq!(r.listed_key(&imported).unwrap(), None, "no Guid yet");
            let get = || MockTransport::new(vec![answer(json!([object.clone()]))]);
            let state = read_back(&r, &ctx(get()), &imported).await;
            let (listed, direct) = crate::framework::refresh::listed_and_direct(
                &r,
                &ctx(listing()),
                &ctx(get()),
                &state,
            )
            .await;
            assert_eq!(listed, direct, "{import_id}");
        }
        for (part, cmdlet) in [
            ("inbound", "Get-InboundConnector"),
            ("outbound", "Get-OutboundConnector"),
        ] {
            let m = MockTransport::new(vec![answer(json!([]))]);
            Resource::list_for_reads(&r, &ctx(m.clone()), part)
                .await
                .unwrap();
            m.assert_done();
            assert_eq!(
                m.bodies()[0].as_ref().unwrap()["CmdletInput"],
                json!({"CmdletName": cmdlet, "Parameters": {}})
            );
        }
    }

    #[tokio::test]
    async fn a_name_held_twice_in_one_direction_is_skipped() {
        let mut twin = stored_inbound();
        twin["Guid"] = json!("44444444-4444-4444-8444-444444444444");
        twin["Name"] = json!("from contoso");
        let m = MockTransport::new(vec![
            answer(json!([stored_inbound(), twin])),
            answer(json!([])),
            answer(json!([])),
            answer(json!([])),
            answer(json!([])),
        ]);
        let l = Resource::list(
            &PartnerConnector,
            &Ctx::for_tests(m, Duration::from_secs(30)),
            &ListOptions::default(),
        )
        .await
        .unwrap();
        assert!(l.found.is_empty());
        assert_eq!(l.skipped.len(), 2);
        assert!(l.skipped[0].reason.contains("same name"));
    }
}
