//! Malformed requests over gRPC: every RPC that decodes something answers garbage msgpack or
//! JSON, values of the wrong type, missing values and unknown type names with an error
//! diagnostic (never a gRPC error, a panic or a hang), and the server keeps serving.
//!
//! The provider service runs in-process behind a real tonic server on a loopback port, so
//! requests take the same protobuf decoding and dispatch as Terraform's.

use coexistence::server::proto::tfplugin6 as pb;
use coexistence::server::proto::tfplugin6::provider_client::ProviderClient;
use coexistence::server::proto::tfplugin6::provider_server::ProviderServer as ProviderService;
use coexistence::server::rpc::ProviderServer;
use proptest::prelude::*;
use std::time::Duration;
use tonic::transport::Channel;

const RESOURCE: &str = "coexistence_cross_tenant_access_partner";
const DATA_SOURCE: &str = "coexistence_tenant";

struct Server {
    rt: tokio::runtime::Runtime,
    client: ProviderClient<Channel>,
}

fn start() -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(ProviderService::new(ProviderServer::new()))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .timeout(Duration::from_secs(30))
            .connect()
            .await
            .unwrap();
        ProviderClient::new(channel)
    });
    Server { rt, client }
}

fn dv(msgpack: &[u8], json: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack.to_vec(),
        json: json.to_vec(),
    })
}

/// One malformed input, as the fields of a request.
#[derive(Clone, Debug)]
struct Bad {
    value: Option<pb::DynamicValue>,
    type_name: String,
}

/// Sends `bad` to every RPC that takes a value or a type name and returns, per RPC, the
/// diagnostics of the answer; a gRPC error fails the test.
async fn send_everywhere(
    c: &mut ProviderClient<Channel>,
    bad: &Bad,
) -> Vec<(&'static str, Vec<pb::Diagnostic>)> {
    let t = bad.type_name.clone();
    let v = bad.value.clone();
    let mut out = Vec::new();
    let r: pb::validate_provider_config::Response = ok(
        c.validate_provider_config(pb::validate_provider_config::Request { config: v.clone() })
            .await,
        "ValidateProviderConfig",
    );
    out.push(("ValidateProviderConfig", r.diagnostics));
    let r: pb::configure_provider::Response = ok(
        c.configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "ConfigureProvider",
    );
    out.push(("ConfigureProvider", r.diagnostics));
    let r = ok(
        c.validate_resource_config(pb::validate_resource_config::Request {
            type_name: t.clone(),
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "ValidateResourceConfig",
    );
    out.push(("ValidateResourceConfig", r.diagnostics));
    let r = ok(
        c.validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: if t == RESOURCE {
                DATA_SOURCE.into()
            } else {
                t.clone()
            },
            config: v.clone(),
        })
        .await,
        "ValidateDataResourceConfig",
    );
    out.push(("ValidateDataResourceConfig", r.diagnostics));
    let r = ok(
        c.read_resource(pb::read_resource::Request {
            type_name: t.clone(),
            current_state: v.clone(),
            ..Default::default()
        })
        .await,
        "ReadResource",
    );
    out.push(("ReadResource", r.diagnostics));
    let r = ok(
        c.plan_resource_change(pb::plan_resource_change::Request {
            type_name: t.clone(),
            prior_state: v.clone(),
            proposed_new_state: v.clone(),
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "PlanResourceChange",
    );
    out.push(("PlanResourceChange", r.diagnostics));
    let r = ok(
        c.apply_resource_change(pb::apply_resource_change::Request {
            type_name: t.clone(),
            prior_state: v.clone(),
            planned_state: v.clone(),
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "ApplyResourceChange",
    );
    out.push(("ApplyResourceChange", r.diagnostics));
    let r = ok(
        c.read_data_source(pb::read_data_source::Request {
            type_name: if t == RESOURCE {
                DATA_SOURCE.into()
            } else {
                t.clone()
            },
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "ReadDataSource",
    );
    out.push(("ReadDataSource", r.diagnostics));
    let raw = v.as_ref().map(|d| pb::RawState {
        json: if d.json.is_empty() {
            d.msgpack.clone()
        } else {
            d.json.clone()
        },
        flatmap: Default::default(),
    });
    let r = ok(
        c.upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: t.clone(),
            version: 0,
            raw_state: raw.clone(),
        })
        .await,
        "UpgradeResourceState",
    );
    out.push(("UpgradeResourceState", r.diagnostics));
    // The same bytes as a stored identity, and as the identity an import names (Terraform
    // 1.12's `import` block with `identity = {...}`).
    let r = ok(
        c.upgrade_resource_identity(pb::upgrade_resource_identity::Request {
            type_name: t.clone(),
            version: 0,
            raw_identity: raw,
        })
        .await,
        "UpgradeResourceIdentity",
    );
    out.push(("UpgradeResourceIdentity", r.diagnostics));
    let r = ok(
        c.import_resource_state(pb::import_resource_state::Request {
            type_name: t.clone(),
            identity: Some(pb::ResourceIdentityData {
                identity_data: v.clone(),
            }),
            ..Default::default()
        })
        .await,
        "ImportResourceState",
    );
    out.push(("ImportResourceState", r.diagnostics));
    // Terraform 1.14's list blocks: the same bytes as a list block's config.
    let r = ok(
        c.validate_list_resource_config(pb::validate_list_resource_config::Request {
            type_name: t.clone(),
            config: v.clone(),
            ..Default::default()
        })
        .await,
        "ValidateListResourceConfig",
    );
    out.push(("ValidateListResourceConfig", r.diagnostics));
    let mut events = ok(
        c.list_resource(pb::list_resource::Request {
            type_name: t.clone(),
            config: v.clone(),
            include_resource_object: true,
            limit: 10,
        })
        .await,
        "ListResource",
    );
    let mut diags = Vec::new();
    while let Some(e) = events.message().await.expect("ListResource events") {
        diags.extend(e.diagnostic);
    }
    out.push(("ListResource", diags));
    out
}

fn ok<T>(r: Result<tonic::Response<T>, tonic::Status>, rpc: &str) -> T {
    r.unwrap_or_else(|s| panic!("{rpc} answered a gRPC error instead of a diagnostic: {s}"))
        .into_inner()
}

fn is_error(d: &pb::Diagnostic) -> bool {
    d.severity == pb::diagnostic::Severity::Error as i32
        && !d.summary.is_empty()
        && !d.detail.is_empty()
}

/// The server still answers a well-formed request after everything it was sent.
async fn still_serving(c: &mut ProviderClient<Channel>) {
    let r = c
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("the server still serves")
        .into_inner();
    assert!(r.resource_schemas.contains_key(RESOURCE));
}

fn msgpack_of(v: &rmpv::Value) -> Vec<u8> {
    let mut b = Vec::new();
    rmpv::encode::write_value(&mut b, v).unwrap();
    b
}

#[test]
fn malformed_requests_get_error_diagnostics_and_the_server_keeps_serving() {
    // Hermetic even if some input happens to be a valid provider configuration: every
    // endpoint is a closed local port. (Set before any thread exists: the one test here.)
    for k in [
        "ARM_GRAPH_ENDPOINT",
        "ARM_AUTHORITY_HOST",
        "ARM_EXCHANGE_ENDPOINT",
    ] {
        std::env::set_var(k, "https://127.0.0.1:9");
    }
    for k in [
        "ARM_USE_MSI",
        "ARM_USE_CLI",
        "ARM_USE_OIDC",
        "ARM_ENVIRONMENT",
    ] {
        std::env::remove_var(k);
    }
    let mut s = start();
    let garbage = [0xc1u8, 0xff, 0x00];
    let cases: Vec<(&str, Bad)> = vec![
        (
            "garbage msgpack",
            Bad {
                value: dv(&garbage, b""),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "truncated msgpack",
            Bad {
                value: dv(&[0x82, 0xa1], b""),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "garbage JSON",
            Bad {
                value: dv(b"", b"{not json"),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "a string where an object is expected",
            Bad {
                value: dv(&msgpack_of(&rmpv::Value::from("x")), b""),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "an attribute the schema does not have",
            Bad {
                value: dv(
                    &msgpack_of(&rmpv::Value::Map(vec![(
                        rmpv::Value::from("no_such_attribute"),
                        rmpv::Value::Nil,
                    )])),
                    b"",
                ),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "a number where a string is expected",
            Bad {
                value: dv(
                    &msgpack_of(&rmpv::Value::Map(vec![(
                        rmpv::Value::from("tenant_id"),
                        rmpv::Value::from(7),
                    )])),
                    b"",
                ),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "a missing value",
            Bad {
                value: None,
                type_name: RESOURCE.into(),
            },
        ),
        (
            "an empty value",
            Bad {
                value: dv(b"", b""),
                type_name: RESOURCE.into(),
            },
        ),
        (
            "an unknown type name",
            Bad {
                value: dv(&[0xc0], b""),
                type_name: "coexistence_nope".into(),
            },
        ),
        (
            "an empty type name",
            Bad {
                value: dv(&[0xc0], b""),
                type_name: String::new(),
            },
        ),
    ];
    for (what, bad) in &cases {
        let answers = s.rt.block_on(send_everywhere(&mut s.client, bad));
        let bad_name = bad.type_name != RESOURCE;
        for (rpc, diags) in answers {
            // The provider-level RPCs take no type name: with a well-formed null config there
            // is nothing wrong for them to report.
            if bad_name && (rpc == "ValidateProviderConfig" || rpc == "ConfigureProvider") {
                continue;
            }
            assert!(
                diags.iter().any(is_error),
                "{rpc} with {what}: no error diagnostic, got {diags:?}"
            );
            if bad.type_name == "coexistence_nope"
                && rpc != "ValidateProviderConfig"
                && rpc != "ConfigureProvider"
            {
                assert!(
                    diags.iter().any(|d| d.summary.starts_with("Unknown")
                        && d.detail.contains("coexistence_nope")),
                    "{rpc}: {diags:?}"
                );
            }
        }
        s.rt.block_on(still_serving(&mut s.client));
    }
    // Import with an ID that is not a GUID, and with an unknown type name.
    for (type_name, id) in [(RESOURCE, "not-a-guid"), ("coexistence_nope", "x")] {
        let r =
            s.rt.block_on(
                s.client
                    .import_resource_state(pb::import_resource_state::Request {
                        type_name: type_name.into(),
                        id: id.into(),
                        ..Default::default()
                    }),
            )
            .expect("a diagnostic, not a gRPC error")
            .into_inner();
        assert!(
            r.diagnostics.iter().any(is_error),
            "{type_name} {id}: {r:?}"
        );
        assert!(r.imported_resources.is_empty());
    }
    s.rt.block_on(still_serving(&mut s.client));
    arbitrary_bytes_never_take_the_server_down(&s);
}

/// Random bytes in every value of every RPC, many rounds on the same server.
fn arbitrary_bytes_never_take_the_server_down(s: &Server) {
    use proptest::test_runner::{Config, TestRunner};
    let config = Config {
        // Each case is a round of 9 RPCs: a tenth of the decoder properties' effort.
        cases: Config::default().cases.div_ceil(10).max(8),
        failure_persistence: None,
        ..Config::default()
    };
    let strategy = (prop::collection::vec(any::<u8>(), 0..128), any::<bool>());
    TestRunner::new(config)
        .run(&strategy, |(bytes, as_json)| {
            let value = if as_json {
                dv(b"", &bytes)
            } else {
                dv(&bytes, b"")
            };
            let bad = Bad {
                value,
                type_name: RESOURCE.into(),
            };
            let mut c = s.client.clone();
            let answers = s.rt.block_on(send_everywhere(&mut c, &bad));
            for (rpc, diags) in answers {
                // Random bytes may happen to be a valid value (msgpack nil is null); then only
                // well-formed diagnostics are asked for.
                for d in &diags {
                    prop_assert!(!d.summary.is_empty(), "{}: {:?}", rpc, d);
                }
            }
            s.rt.block_on(still_serving(&mut c));
            Ok(())
        })
        .unwrap();
}
