//! Resource identity over gRPC, as Terraform 1.12 and later call it. The terraform on PATH is
//! older and never asks for identity, so these scenarios drive the provider's gRPC service
//! (in-process, behind a real tonic server on a loopback port) against the emulator, with the
//! requests the newer CLI sends: identity schemas, create, refresh, import by ID and by
//! identity, identity upgrade, destroy.

mod common;

use coexistence::framework::identity;
use coexistence::framework::{Resource, Type, Value};
use coexistence::server::convert;
use coexistence::server::proto::tfplugin6 as pb;
use coexistence::server::proto::tfplugin6::provider_client::ProviderClient;
use common::grpc::provider;
use common::*;
use std::sync::Arc;
use tonic::transport::Channel;

const PARTNER_TYPE: &str = "coexistence_cross_tenant_access_partner";

fn resource(type_name: &str) -> Arc<dyn Resource> {
    coexistence::resources::all()
        .into_iter()
        .find(|r| r.type_name() == type_name)
        .unwrap()
}

fn identity_ty(type_name: &str) -> Type {
    identity::schema(resource(type_name).as_ref()).ty()
}

fn identity(type_name: &str, tenant: Option<&str>, import_id: &str) -> pb::ResourceIdentityData {
    let v = Value::object([
        ("tenant_id", tenant.map_or(Value::Null, Value::string)),
        ("import_id", Value::string(import_id)),
    ]);
    pb::ResourceIdentityData {
        identity_data: Some(convert::encode(&v, &identity_ty(type_name)).unwrap()),
    }
}

/// The identity a response carries, as a value (panics when there is none).
fn identity_value(type_name: &str, i: Option<&pb::ResourceIdentityData>) -> Value {
    let data = i.expect("an identity").identity_data.as_ref();
    convert::decode(data, &identity_ty(type_name)).unwrap()
}

fn errors(d: &[pb::Diagnostic]) -> Vec<&str> {
    d.iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| d.summary.as_str())
        .collect()
}

async fn import(
    c: &mut ProviderClient<Channel>,
    type_name: &str,
    id: &str,
    identity: Option<pb::ResourceIdentityData>,
) -> pb::import_resource_state::Response {
    c.import_resource_state(pb::import_resource_state::Request {
        type_name: type_name.into(),
        id: id.into(),
        client_capabilities: None,
        identity,
    })
    .await
    .unwrap()
    .into_inner()
}

/// The scenarios below share one emulator and one provider: the provider reads SSL_CERT_FILE,
/// which is the process's, so tests with emulators of their own CA cannot run side by side.
#[tokio::test(flavor = "multi_thread")]
async fn resource_identity_over_grpc() {
    let acc = Acc::start().await;
    let mut c = provider(&acc, &acc.home).await;
    every_resource_type_has_a_described_identity_schema(&mut c).await;
    identity_of_a_partner_from_create_to_import(&acc, &mut c).await;
    import_by_identity_matches_import_by_id_for_every_type(&acc, &mut c).await;
}

/// Every resource type has an identity schema (version 0; its import ID required for import,
/// the tenant optional; every attribute described).
async fn every_resource_type_has_a_described_identity_schema(c: &mut ProviderClient<Channel>) {
    let meta = c
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let schemas = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schemas.diagnostics.is_empty());
    assert_eq!(meta.resources.len(), schemas.identity_schemas.len());
    assert!(meta.resources.len() >= 7);
    for r in &meta.resources {
        let s = &schemas.identity_schemas[&r.type_name];
        assert_eq!(s.version, 0, "{}", r.type_name);
        let attrs: Vec<(&str, bool, bool)> = s
            .identity_attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.required_for_import,
                    a.optional_for_import,
                )
            })
            .collect();
        assert_eq!(
            attrs,
            [("tenant_id", false, true), ("import_id", true, false)],
            "{}",
            r.type_name
        );
        for a in &s.identity_attributes {
            assert!(a.description.len() > 20, "{}.{}", r.type_name, a.name);
            let ty: serde_json::Value = serde_json::from_slice(&a.r#type).unwrap();
            assert_eq!(ty, serde_json::json!("string"));
        }
    }
}

/// A partner through its life as Terraform 1.12 drives it: the identity the create returns is
/// the import ID in the provider's tenant; refresh returns the same; importing by that
/// identity gives the same state (and identity) as importing by the ID; an identity naming
/// another tenant is refused; the stored identity upgrades from version 0 as it is.
async fn identity_of_a_partner_from_create_to_import(acc: &Acc, c: &mut ProviderClient<Channel>) {
    let home = acc.home.tenant_id.clone();
    let partner = acc.partner.tenant_id.clone();
    let ty = resource(PARTNER_TYPE).schema().ty();
    let enc = |v: &Value| Some(convert::encode(v, &ty).unwrap());
    let null = Value::Null;

    let mut config = Value::null_object(&ty);
    config.set_attr("tenant_id", Value::string(&partner));
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: PARTNER_TYPE.into(),
            prior_state: enc(&null),
            proposed_new_state: enc(&config),
            config: enc(&config),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(
        plan.planned_identity.is_none(),
        "a create plans no identity"
    );
    let created = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: PARTNER_TYPE.into(),
            prior_state: enc(&null),
            planned_state: plan.planned_state.clone(),
            config: enc(&config),
            planned_private: plan.planned_private.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    let want = identity_value(
        PARTNER_TYPE,
        Some(&identity(PARTNER_TYPE, Some(&home), &partner)),
    );
    assert_eq!(
        identity_value(PARTNER_TYPE, created.new_identity.as_ref()),
        want
    );
    let state = convert::decode(created.new_state.as_ref(), &ty).unwrap();
    let import_id = resource(PARTNER_TYPE)
        .import_id_of(&state)
        .unwrap()
        .unwrap();
    assert_eq!(want.get("import_id"), &Value::string(import_id));

    // Refresh, with the stored identity and (a state written before 1.12) without.
    for current_identity in [created.new_identity.clone(), None] {
        let read = c
            .read_resource(pb::read_resource::Request {
                type_name: PARTNER_TYPE.into(),
                current_state: created.new_state.clone(),
                private: created.private.clone(),
                current_identity,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        assert_eq!(
            identity_value(PARTNER_TYPE, read.new_identity.as_ref()),
            want
        );
        assert_eq!(
            convert::decode(read.new_state.as_ref(), &ty).unwrap(),
            state
        );
    }

    // Import by ID, by the identity, and by the identity without its (optional) tenant.
    let by_id = import(c, PARTNER_TYPE, &partner, None).await;
    assert!(by_id.diagnostics.is_empty(), "{:?}", by_id.diagnostics);
    for given in [
        identity(PARTNER_TYPE, Some(&home), &partner),
        identity(PARTNER_TYPE, None, &partner),
    ] {
        let by_identity = import(c, PARTNER_TYPE, "", Some(given)).await;
        assert!(
            by_identity.diagnostics.is_empty(),
            "{:?}",
            by_identity.diagnostics
        );
        assert_eq!(by_identity.imported_resources, by_id.imported_resources);
    }
    let imported = &by_id.imported_resources[0];
    assert_eq!(
        identity_value(PARTNER_TYPE, imported.identity.as_ref()),
        want
    );

    // An identity naming another tenant imports nothing.
    let other = import(
        c,
        PARTNER_TYPE,
        "",
        Some(identity(PARTNER_TYPE, Some(&partner), &partner)),
    )
    .await;
    assert_eq!(
        errors(&other.diagnostics),
        ["Identity names another tenant"]
    );
    assert!(other.imported_resources.is_empty());

    // Stored identities of version 0 pass through; a newer version is refused.
    let stored = serde_json::json!({"tenant_id": home, "import_id": partner});
    for (version, ok) in [(0, true), (1, false)] {
        let up = c
            .upgrade_resource_identity(pb::upgrade_resource_identity::Request {
                type_name: PARTNER_TYPE.into(),
                version,
                raw_identity: Some(pb::RawState {
                    json: serde_json::to_vec(&stored).unwrap(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner();
        if ok {
            assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
            assert_eq!(
                identity_value(PARTNER_TYPE, up.upgraded_identity.as_ref()),
                want
            );
        } else {
            assert_eq!(
                errors(&up.diagnostics),
                ["Identity written by a newer provider"]
            );
        }
    }

    // Destroy: no identity after it.
    let destroyed = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: PARTNER_TYPE.into(),
            prior_state: created.new_state.clone(),
            planned_state: enc(&null),
            config: enc(&null),
            planned_private: created.private.clone(),
            planned_identity: created.new_identity.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        destroyed.diagnostics.is_empty(),
        "{:?}",
        destroyed.diagnostics
    );
    assert!(destroyed.new_identity.is_none());
    assert_tenant_empty(acc, &home);
}

/// For every resource type, importing by identity answers what importing by the ID it names
/// answers (the same state and identity, or the same refusal), with the docs' example IDs.
async fn import_by_identity_matches_import_by_id_for_every_type(
    acc: &Acc,
    c: &mut ProviderClient<Channel>,
) {
    let home = acc.home.tenant_id.clone();
    let mut imported = 0;
    for r in coexistence::resources::all() {
        let name = r.type_name();
        let (_, example) = r.import_id_format();
        // The owner side of a membership names this tenant: use the provider's.
        let id = example.replace(coexistence::framework::resource::EXAMPLE_TENANT, &home);
        let by_id = import(c, name, &id, None).await;
        let by_identity = import(c, name, "", Some(identity(name, Some(&home), &id))).await;
        assert_eq!(
            by_identity.imported_resources, by_id.imported_resources,
            "{name}"
        );
        assert_eq!(
            errors(&by_identity.diagnostics),
            errors(&by_id.diagnostics),
            "{name}"
        );
        if let Some(i) = by_id.imported_resources.first() {
            imported += 1;
            let state = convert::decode(i.state.as_ref(), &r.schema().ty()).unwrap();
            match r.identity_import_id_of(&state).unwrap() {
                Some(stable) => {
                    let got = identity_value(name, i.identity.as_ref());
                    assert_eq!(
                        got.get("import_id").as_str().map(str::trim),
                        Some(stable.trim()),
                        "{name}"
                    );
                    assert_eq!(got.get("tenant_id"), &Value::string(&home), "{name}");
                }
                // Imported by name, an Exchange object's identity (its Guid) comes with the
                // read that follows the import (list_grpc.rs covers it).
                None => assert!(i.identity.is_none(), "{name}"),
            }
        }
    }
    assert_eq!(imported, coexistence::resources::all().len());
}
