//! List resources over gRPC, as Terraform 1.14 calls them for `list` blocks (`terraform
//! query`): ValidateListResourceConfig, then the server-streaming ListResource. The terraform on
//! PATH is older and never calls them, so these scenarios drive the provider's gRPC service
//! in-process against an emulator holding objects of every type made outside Terraform (the
//! export test's tenants), and check each listed object against ReadResource.

mod common;

use coexistence::framework::identity;
use coexistence::framework::{Resource, Type, Value};
use coexistence::server::convert;
use coexistence::server::proto::tfplugin6 as pb;
use coexistence::server::proto::tfplugin6::provider_client::ProviderClient;
use common::adoption::{named_tenant, seed, OTHER_SHAPE_POLICY, SERVICE_PROVIDER};
use common::grpc::provider;
use common::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use tonic::transport::Channel;

const PARTNER_TYPE: &str = "coexistence_cross_tenant_access_partner";

fn resources() -> Vec<Arc<dyn Resource>> {
    coexistence::resources::all()
}

fn resource(type_name: &str) -> Arc<dyn Resource> {
    resources()
        .into_iter()
        .find(|r| r.type_name() == type_name)
        .unwrap()
}

fn list_config_ty(type_name: &str) -> Type {
    resource(type_name).list_config().ty()
}

/// A list block's config with `attrs` set (the rest null), encoded as Terraform sends it.
fn config(type_name: &str, attrs: &[(&str, Value)]) -> Option<pb::DynamicValue> {
    let ty = list_config_ty(type_name);
    let mut v = Value::null_object(&ty);
    for (k, x) in attrs {
        v.set_attr(k, x.clone());
    }
    Some(convert::encode(&v, &ty).unwrap())
}

/// One listed object, decoded.
struct Listed {
    display_name: String,
    identity: Value,
    object: Option<Value>,
    raw: pb::list_resource::Event,
}

async fn list(
    c: &mut ProviderClient<Channel>,
    type_name: &str,
    config: Option<pb::DynamicValue>,
    include_resource_object: bool,
    limit: i64,
) -> Vec<Listed> {
    let mut stream = c
        .list_resource(pb::list_resource::Request {
            type_name: type_name.into(),
            config,
            include_resource_object,
            limit,
        })
        .await
        .unwrap()
        .into_inner();
    let mut events = Vec::new();
    while let Some(e) = stream.message().await.unwrap() {
        events.push(e);
    }
    let id_ty = identity::schema(resource(type_name).as_ref()).ty();
    let ty = resource(type_name).schema().ty();
    events
        .into_iter()
        .map(|e| {
            assert!(e.diagnostic.is_empty(), "{type_name}: {:?}", e.diagnostic);
            let data = e
                .identity
                .as_ref()
                .expect("an identity")
                .identity_data
                .as_ref();
            Listed {
                display_name: e.display_name.clone(),
                identity: convert::decode(data, &id_ty).unwrap(),
                object: e
                    .resource_object
                    .as_ref()
                    .map(|o| convert::decode(Some(o), &ty).unwrap()),
                raw: e,
            }
        })
        .collect()
}

/// ReadResource of `state` with its stored `identity`, as Terraform's refresh sends it.
async fn read_resource(
    c: &mut ProviderClient<Channel>,
    t: &str,
    state: Option<pb::DynamicValue>,
    identity: Option<pb::ResourceIdentityData>,
) -> pb::read_resource::Response {
    c.read_resource(pb::read_resource::Request {
        type_name: t.into(),
        current_state: state,
        current_identity: identity,
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
}

fn import_ids(listed: &[Listed]) -> Vec<String> {
    listed
        .iter()
        .map(|l| l.identity.get("import_id").as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_resources_over_grpc() {
    let acc = Acc::start_pair(named_tenant("Contoso"), named_tenant("Fabrikam")).await;
    seed(&acc).await;
    acc.emu.clear_requests();
    let mut c = provider(&acc, &acc.home).await;
    every_resource_type_is_advertised_with_its_list_schema(&mut c).await;
    a_bad_list_config_is_refused_at_its_attribute(&mut c).await;
    every_object_is_listed_with_its_identity_and_reads_back_the_same(&acc, &mut c).await;
    the_partner_options_and_the_limit_are_honoured(&acc, &mut c).await;
    let mut fabrikam = provider(&acc, &acc.partner).await;
    let xts = "coexistence_xts_job";
    let sync = list(&mut fabrikam, xts, config(xts, &[]), true, 100).await;
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].display_name, "Sync to Contoso");
    assert_eq!(
        sync[0].identity.get("tenant_id"),
        &Value::string(&acc.partner.tenant_id)
    );
    // Listing only reads: Graph GETs and Exchange Get- cmdlets.
    for r in acc.emu.requests() {
        let cmdlet = r
            .body
            .as_ref()
            .and_then(|b| b["CmdletInput"]["CmdletName"].as_str())
            .unwrap_or_default()
            .to_string();
        assert!(
            r.method == "GET" || cmdlet.starts_with("Get-") || r.path.contains("/oauth2/"),
            "a listing wrote: {} {} {cmdlet}",
            r.method,
            r.path
        );
    }
    // A provider of its own, as the next Terraform command starts one: this one's listings
    // for reads were made before the renames.
    let mut next = provider(&acc, &acc.home).await;
    a_rename_keeps_the_identity_and_importing_by_it_finds_the_object(&acc, &mut next).await;
}

/// An organization relationship and a connector renamed outside Terraform (Exchange renames in
/// place): a refresh with the stored identity gives the new name and the same identity
/// (Terraform refuses one that changes), and importing by that identity finds the renamed
/// object, not whatever holds the old name.
async fn a_rename_keeps_the_identity_and_importing_by_it_finds_the_object(
    acc: &Acc,
    c: &mut ProviderClient<Channel>,
) {
    let home = acc.home.tenant_id.clone();
    for (t, collection) in [
        (
            "coexistence_organization_relationship",
            "/exchange/organizationRelationships",
        ),
        (
            "coexistence_partner_connector",
            "/exchange/outboundConnectors",
        ),
    ] {
        let listed = list(c, t, config(t, &[]), true, 100).await;
        let [l] = listed.as_slice() else {
            panic!("{t}: one object, listed {}", listed.len());
        };
        let object = l.object.as_ref().expect("the resource object");
        let guid = object.get("id").as_str().unwrap().to_string();
        let old_name = object.get("name").as_str().unwrap().to_string();
        let id_ty = identity::schema(resource(t).as_ref()).ty();
        let identity_import_id = l.identity.get("import_id").as_str().unwrap().to_string();
        assert!(
            identity_import_id.ends_with(&guid),
            "{t}: the identity names the Guid: {identity_import_id}"
        );
        assert!(acc.emu.patch_object(
            &home,
            &format!("{collection}/{guid}"),
            serde_json::json!({"Name": format!("{old_name} (renamed)")}),
        ));
        let read = read_resource(c, t, l.raw.resource_object.clone(), l.raw.identity.clone()).await;
        assert!(read.diagnostics.is_empty(), "{t}: {:?}", read.diagnostics);
        let ty = resource(t).schema().ty();
        let state = convert::decode(read.new_state.as_ref(), &ty).unwrap();
        assert_eq!(
            state.get("name").as_str(),
            Some(format!("{old_name} (renamed)").as_str()),
            "{t}"
        );
        assert_eq!(read.new_identity, l.raw.identity, "{t}: the identity stays");
        // Import by that identity, then the read Terraform sends after an import.
        let imported = c
            .import_resource_state(pb::import_resource_state::Request {
                type_name: t.into(),
                id: String::new(),
                client_capabilities: None,
                identity: l.raw.identity.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            imported.diagnostics.is_empty(),
            "{t}: {:?}",
            imported.diagnostics
        );
        let i = &imported.imported_resources[0];
        let read = read_resource(c, t, i.state.clone(), i.identity.clone()).await;
        assert!(read.diagnostics.is_empty(), "{t}: {:?}", read.diagnostics);
        assert_eq!(
            convert::decode(read.new_state.as_ref(), &ty).unwrap(),
            state,
            "{t}: imported by identity, the renamed object"
        );
        let identity = convert::decode(
            read.new_identity
                .as_ref()
                .and_then(|i| i.identity_data.as_ref()),
            &id_ty,
        )
        .unwrap();
        assert_eq!(
            identity.get("import_id").as_str(),
            Some(identity_import_id.as_str()),
            "{t}"
        );
    }
}

/// GetMetadata names every resource type as a list resource type too; GetProviderSchema gives
/// each a `list` block schema: the partner's takes the export's options, the others nothing.
async fn every_resource_type_is_advertised_with_its_list_schema(c: &mut ProviderClient<Channel>) {
    let meta = c
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let schema = c
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let mut listed: Vec<_> = meta.list_resources.iter().map(|l| &l.type_name).collect();
    listed.sort();
    let mut types: Vec<_> = meta.resources.iter().map(|r| &r.type_name).collect();
    types.sort();
    assert_eq!(listed, types);
    assert_eq!(types.len(), resources().len());
    for t in &types {
        let s = &schema.list_resource_schemas[*t];
        let block = s.block.as_ref().unwrap();
        assert!(block.description.len() > 20, "{t}");
        let names: Vec<_> = block.attributes.iter().map(|a| a.name.as_str()).collect();
        if *t == PARTNER_TYPE {
            assert_eq!(names, ["include_service_providers", "tenant_id"]);
            assert!(block.attributes.iter().all(|a| a.optional && !a.required));
        } else {
            assert!(names.is_empty(), "{t}: {names:?}");
        }
    }
}

/// ValidateListResourceConfig, as Terraform calls it before the query: a partner tenant that
/// is not a GUID is refused at `tenant_id`; good configs pass.
async fn a_bad_list_config_is_refused_at_its_attribute(c: &mut ProviderClient<Channel>) {
    let validate = |type_name: &str, config: Option<pb::DynamicValue>| {
        pb::validate_list_resource_config::Request {
            type_name: type_name.into(),
            config,
            ..Default::default()
        }
    };
    let bad = c
        .validate_list_resource_config(validate(
            PARTNER_TYPE,
            config(
                PARTNER_TYPE,
                &[("tenant_id", Value::string("fabrikam.com"))],
            ),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bad.diagnostics.len(), 1, "{:?}", bad.diagnostics);
    let d = &bad.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    assert_eq!(
        d.attribute.as_ref().unwrap().steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "tenant_id".into()
        ))
    );
    for r in resources() {
        let t = r.type_name();
        let ok = c
            .validate_list_resource_config(validate(t, config(t, &[])))
            .await
            .unwrap()
            .into_inner();
        assert!(ok.diagnostics.is_empty(), "{t}: {:?}", ok.diagnostics);
    }
}

/// Every type, with the resource objects: each object made outside Terraform is listed once,
/// with the identity the identity RPCs give it (this tenant, its import ID), which is the
/// import ID of the listed object; the objects the export skips are not listed; ReadResource of
/// each listed object returns the same value and identity.
async fn every_object_is_listed_with_its_identity_and_reads_back_the_same(
    acc: &Acc,
    c: &mut ProviderClient<Channel>,
) {
    let home = Value::string(&acc.home.tenant_id);
    let mut counts = BTreeMap::new();
    for r in resources() {
        let t = r.type_name();
        let listed = list(c, t, config(t, &[]), true, 100).await;
        counts.insert(t, listed.len());
        let ty = r.schema().ty();
        for l in &listed {
            let object = l.object.as_ref().expect("the resource object");
            let id = r.import_id_of(object).unwrap().unwrap();
            // The import ID, or the form of it that never changes (an Exchange object's Guid).
            let stable = r.identity_import_id_of(object).unwrap().unwrap();
            assert_eq!(l.identity.get("import_id"), &Value::string(&stable), "{t}");
            assert_eq!(l.identity.get("tenant_id"), &home, "{t}");
            assert!(!l.display_name.is_empty(), "{t}");
            let read =
                read_resource(c, t, l.raw.resource_object.clone(), l.raw.identity.clone()).await;
            assert!(read.diagnostics.is_empty(), "{t}: {:?}", read.diagnostics);
            assert_eq!(
                &convert::decode(read.new_state.as_ref(), &ty).unwrap(),
                object,
                "{t} {id}"
            );
            assert_eq!(read.new_identity, l.raw.identity, "{t} {id}");
            if t == "coexistence_ca_block_external_members" {
                assert_eq!(
                    Some(l.display_name.as_str()),
                    object.get("display_name").as_str()
                );
            }
            if t == PARTNER_TYPE && id == acc.partner.tenant_id {
                assert_eq!(l.display_name, acc.partner.display_name);
            }
        }
        let ids = import_ids(&listed);
        for skipped in [SERVICE_PROVIDER, OTHER_SHAPE_POLICY, "outbound/Hybrid"] {
            assert!(!ids.iter().any(|i| i == skipped), "{t} listed {skipped}");
        }
    }
    let want: BTreeMap<&str, usize> = [
        ("coexistence_ca_block_external_members", 1),
        ("coexistence_cross_tenant_access_default", 1),
        (PARTNER_TYPE, 2),
        ("coexistence_mto_membership", 1),
        ("coexistence_organization_relationship", 1),
        ("coexistence_partner_connector", 1),
        // Preview: advertised, listing nothing yet (their list config says so).
        ("coexistence_teams_federation", 0),
        ("coexistence_teams_federation_domain", 0),
        ("coexistence_xts_job", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, want);
}

/// The partner's options (service providers included on request, one tenant alone), the
/// `limit`, and no resource objects unless asked for.
async fn the_partner_options_and_the_limit_are_honoured(
    acc: &Acc,
    c: &mut ProviderClient<Channel>,
) {
    let all = list(
        c,
        PARTNER_TYPE,
        config(
            PARTNER_TYPE,
            &[("include_service_providers", Value::Bool(true))],
        ),
        false,
        100,
    )
    .await;
    let ids = import_ids(&all);
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().any(|i| i == SERVICE_PROVIDER));
    assert!(all.iter().all(|l| l.object.is_none()));

    let one = list(
        c,
        PARTNER_TYPE,
        config(
            PARTNER_TYPE,
            &[(
                "tenant_id",
                Value::string(acc.partner.tenant_id.to_uppercase()),
            )],
        ),
        false,
        100,
    )
    .await;
    assert_eq!(import_ids(&one), vec![acc.partner.tenant_id.as_str()]);

    // The listing's order, without the service provider: the first `limit` of it.
    let managed: Vec<_> = ids
        .iter()
        .filter(|i| *i != SERVICE_PROVIDER)
        .cloned()
        .collect();
    for limit in [1, 2] {
        let some = list(c, PARTNER_TYPE, config(PARTNER_TYPE, &[]), true, limit).await;
        assert_eq!(import_ids(&some), managed[..limit as usize]);
        assert!(some.iter().all(|l| l.object.is_some()));
    }
}
