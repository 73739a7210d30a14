//! The export's argument parsing, naming, files and summary, over a scripted transport.
use super::*;
use crate::clients::http::mock::{answer, MockTransport};
use serde_json::json;
use std::path::PathBuf;

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn flags_are_the_provider_arguments() {
    let o = parse_args(&args(&[
        "--tenant-id",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "--use-oidc",
        "--graph-endpoint=https://graph.example",
        "--out",
        "dir",
        "--alias",
        "fabrikam",
        "--types",
        "partner_connector,coexistence_mto_membership",
        "--include-service-providers",
    ]))
    .unwrap();
    assert_eq!(o.out, PathBuf::from("dir"));
    assert_eq!(o.alias.as_deref(), Some("fabrikam"));
    assert_eq!(
        o.types,
        Some(vec![
            "coexistence_partner_connector".to_string(),
            "coexistence_mto_membership".to_string()
        ])
    );
    assert!(o.include_service_providers);
    let c = provider_config(&o);
    assert_eq!(c.get("use_oidc"), &Value::Bool(true));
    assert_eq!(
        c.get("graph_endpoint"),
        &Value::string("https://graph.example")
    );
    assert!(parse_args(&args(&["--types", "nope"]))
        .unwrap_err()
        .contains("coexistence_partner_connector"));
    assert!(parse_args(&args(&["--alias", "Bad Alias"])).is_err());
    assert!(parse_args(&args(&["--bogus", "x"]))
        .unwrap_err()
        .contains("--bogus"));
    assert!(parse_args(&args(&["--tenant-id"]))
        .unwrap_err()
        .contains("needs a value"));
}

#[test]
fn every_sign_in_method_reaches_the_providers_configuration() {
    // The same code as the provider block: a method's flag or variable selects it there.
    let env = |k: &str| match k {
        "ARM_CLIENT_ID" => Some("app".to_string()),
        "ARM_CLIENT_SECRET" => Some("s".to_string()),
        _ => None,
    };
    let o = parse_args(&args(&[
        "--tenant-id",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
    ]))
    .unwrap();
    assert!(crate::provider::configure(&provider_config(&o), &env).is_ok());
    let settings = provider_settings(&o, &env);
    let text = hcl::provider_block(None, &settings);
    assert!(text.contains("tenant_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\""));
    assert!(text.contains("client_id = \"app\""));
    assert!(text.contains("client_secret = var.coexistence_client_secret"));
    assert!(!text.contains("\"s\""), "no secret written: {text}");
    let msi = parse_args(&args(&[
        "--tenant-id",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "--use-msi",
    ]))
    .unwrap();
    assert!(crate::provider::configure(&provider_config(&msi), &|_| None).is_ok());
    assert!(
        hcl::provider_block(None, &provider_settings(&msi, &|_| None)).contains("use_msi = true")
    );
}

fn listing(type_name: &'static str, found: &[(&str, &str)]) -> TypeListing {
    TypeListing {
        type_name,
        found: found
            .iter()
            .map(|(n, i)| (n.to_string(), i.to_string()))
            .collect(),
        skipped: vec![Skipped {
            object: "x".into(),
            reason: "because".into(),
        }],
        notes: vec![],
        not_listed: None,
    }
}

#[test]
fn two_exports_into_one_directory_do_not_clash() {
    let l = [listing(
        "coexistence_cross_tenant_access_default",
        &[("default", "default")],
    )];
    let settings = [Setting::Value("tenant_id".into(), "a".into())];
    let first = files("a", None, &imports(&l, None), &settings, &[]);
    let names: Vec<_> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["imports.tf", "provider.tf"]);
    assert!(first[0]
        .1
        .contains("to = coexistence_cross_tenant_access_default.default\n"));
    assert!(first[1].1.contains("required_providers"));
    let second = files("b", Some("b"), &imports(&l, Some("b")), &settings, &first);
    let names: Vec<_> = second.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["imports_b.tf", "provider_b.tf"]);
    assert!(second[0]
        .1
        .contains("to = coexistence_cross_tenant_access_default.b_default\n"));
    assert!(second[0].1.contains("provider = coexistence.b\n"));
    assert!(!second[1].1.contains("required_providers"), "declared once");
    assert!(second[1].1.contains("alias = \"b\""));
    // Run again, the first export rewrites its own files as they were.
    let mut both = first.clone();
    both.extend(second);
    assert_eq!(
        files("a", None, &imports(&l, None), &settings, &both),
        first
    );
    // A directory with its own provider block gets imports only.
    let own = [("main.tf".to_string(), "terraform {\n  required_providers {\n    coexistence = { source = \"coexistence/coexistence\" }\n  }\n}\nprovider \"coexistence\" {\n}\n".to_string())];
    assert_eq!(files("a", None, &[], &settings, &own).len(), 1);
}

#[test]
fn imports_are_ordered_by_type_then_address() {
    let l = [
        listing("coexistence_a", &[("Zed", "2"), ("alpha", "1")]),
        listing("coexistence_b", &[("x", "3")]),
    ];
    let order: Vec<_> = imports(&l, None)
        .iter()
        .map(|i| format!("{}.{}", i.type_name, i.name))
        .collect();
    assert_eq!(
        order,
        [
            "coexistence_a.alpha",
            "coexistence_a.zed",
            "coexistence_b.x"
        ]
    );
    let s = summary(&l);
    assert!(
        s.contains("coexistence_a: found 3, exported 2, skipped 1\n  skipped x: because\n"),
        "{s}"
    );
}

#[tokio::test]
async fn a_type_that_cannot_be_listed_fails_naming_the_permission_and_the_types_listed() {
    use crate::resources::cross_tenant_access_default::CrossTenantAccessDefault;
    use crate::resources::organization_relationship::OrganizationRelationship;
    let default_get =
        crate::clients::request::Request::get("/policies/crossTenantAccessPolicy/default");
    let mut changed = json!({"isServiceDefault": false});
    changed["inboundTrust"] = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false});
    let m = MockTransport::new(vec![
        answer(default_get, 200, Some(changed)),
        crate::clients::http::mock::step(
            "POST",
            &format!(
                "/adminapi/beta/{}/InvokeCommand",
                crate::clients::TEST_TENANT
            ),
            403,
            Some(json!({"error": {"code": "Forbidden", "message": "denied"}})),
        ),
    ]);
    let resources: Vec<Arc<dyn Resource>> = vec![
        Arc::new(OrganizationRelationship),
        Arc::new(CrossTenantAccessDefault),
    ];
    let f = collect(
        Arc::new(Clients::for_tests(m)),
        &resources,
        &ListOptions::default(),
        Duration::from_secs(5),
        CancellationToken::new(),
    )
    .await
    .err()
    .expect("the export fails");
    let text = failure_message(&f);
    assert!(text.contains("nothing was written"), "{text}");
    assert!(
        text.contains("Cannot list coexistence_organization_relationship"),
        "{text}"
    );
    assert!(
        text.contains("Exchange Administrator"),
        "the permission is named: {text}"
    );
    assert!(
        text.contains("could be exported: coexistence_cross_tenant_access_default"),
        "{text}"
    );
}

#[tokio::test]
async fn a_partner_is_named_after_its_tenant_and_a_failed_lookup_falls_back_to_its_id() {
    use crate::resources::cross_tenant_access_partner::CrossTenantAccessPartner;
    const A: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
    const B: &str = "4b7c2e19-6a3d-4f58-b0e1-9d2c8a7f3e56";
    let partners =
        crate::clients::request::Request::get("/policies/crossTenantAccessPolicy/partners")
            .query("$expand", "identitySynchronization");
    let lookup = |t: &str| {
        crate::clients::request::Request::get(format!(
            "/tenantRelationships/findTenantInformationByTenantId(tenantId='{t}')"
        ))
    };
    let m = MockTransport::new(vec![
        answer(
            partners,
            200,
            Some(json!({"value": [
                {"tenantId": A, "isServiceProvider": false, "identitySynchronization": null},
                {"tenantId": B, "isServiceProvider": false, "identitySynchronization": null},
            ]})),
        ),
        answer(
            lookup(A),
            200,
            Some(
                json!({"tenantId": A, "displayName": "Fabrikam Ltd.", "defaultDomainName": "fabrikam.com"}),
            ),
        ),
        crate::clients::http::mock::answer_error(
            lookup(B),
            403,
            "Authorization_RequestDenied",
            "denied",
        ),
    ]);
    let resources: Vec<Arc<dyn Resource>> = vec![Arc::new(CrossTenantAccessPartner)];
    let l = collect(
        Arc::new(Clients::for_tests(m)),
        &resources,
        &ListOptions::default(),
        Duration::from_secs(5),
        CancellationToken::new(),
    )
    .await
    .ok()
    .expect("listed");
    let names: Vec<_> = imports(&l, None)
        .into_iter()
        .map(|i| (i.name, i.id))
        .collect();
    assert_eq!(
        names,
        [
            (
                "_4b7c2e19_6a3d_4f58_b0e1_9d2c8a7f3e56".to_string(),
                B.to_string()
            ),
            ("fabrikam_ltd".to_string(), A.to_string())
        ]
    );
    assert!(l[0].notes[0].contains(B), "{:?}", l[0].notes);
}
