//! Every example under `examples/` (the ones the docs pages show) works against the emulator:
//!
//! * `examples/resources/<type>/resource.tf`: applied through [`Steps`] with the type's
//!   description from `tests/common` (empty plan, import-verify, destroy leaves nothing); the ID
//!   in `import.sh` must be the one import-verify used; the home tenant ends empty.
//! * `examples/data-sources/<type>/data-source.tf`: the tenants it looks up are registered as
//!   directory-only tenants; applied; state and outputs hold what the emulator knows.
//!   Then brownfield adoption (Terraform 1.5+, import blocks): in a second workspace that has
//!   only an `import` block for the object, `terraform plan -generate-config-out` writes
//!   complete HCL; applying it imports the object and the next plan is empty.
//! * `examples/provider/provider.tf`: validates together with every other example.
//!
//! Examples hold no provider block: the test prepends one for the emulator's home tenant
//! (Contoso, `contoso.onmicrosoft.com`) and, when the example uses `provider =
//! coexistence.fabrikam`, an aliased one for the partner tenant (Fabrikam,
//! `fabrikam.onmicrosoft.com`). Two-tenant examples find each other's tenant ID with the
//! `coexistence_tenant` data source by those domains.
//!
//! An import ID the service assigns (a policy's or service principal's object ID) is written
//! in `import.sh` as a `<placeholder>`: the text around placeholders must match the ID
//! import-verify used (`owner/<tenant id>` matches `owner/2f0c...`).

mod common;

use std::path::{Path, PathBuf};

use coexistence_acceptance::emulator::graph::domains::seeded as seeded_domains;
use coexistence_acceptance::harness::workspace_root;
use common::*;
use serde_json::json;

fn examples_dir() -> PathBuf {
    workspace_root().join("examples")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// `(type name, directory)` of every `examples/<kind>/<type>/` directory, sorted.
fn example_dirs(kind: &str) -> Vec<(String, PathBuf)> {
    let root = examples_dir().join(kind);
    let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("listing {}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no examples under {}", root.display());
    dirs
}

/// `(address, id)` from the `terraform import <address> <id>` line of an import.sh.
fn import_command(import_sh: &str, file: &Path) -> (String, String) {
    import_sh
        .lines()
        .find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                ["terraform", "import", address, id] => Some((address.to_string(), id.to_string())),
                _ => None,
            }
        })
        .unwrap_or_else(|| {
            panic!(
                "{} has no `terraform import <address> <id>` line",
                file.display()
            )
        })
}

/// A random tenant whose default domain is `<label>.onmicrosoft.com`, as the examples name it.
fn named_tenant(label: &str) -> Tenant {
    let mut t = Tenant::random(label);
    t.default_domain = format!("{}.onmicrosoft.com", label.to_ascii_lowercase());
    t
}

/// Whether the documented import ID `doc` (with `<placeholder>` parts) matches `used`,
/// case-insensitively: the literal parts in order, each placeholder standing for one or more
/// characters.
fn id_matches(doc: &str, used: &str) -> bool {
    let (doc, used) = (doc.to_ascii_lowercase(), used.to_ascii_lowercase());
    let mut literals = Vec::new();
    let mut rest = doc.as_str();
    while let Some((lit, after)) = rest.split_once('<') {
        literals.push(lit);
        rest = after.split_once('>').map_or("", |(_, a)| a);
    }
    if literals.is_empty() {
        return doc == used;
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if !used.starts_with(first) || !used.ends_with(last) || used.len() < first.len() + last.len() {
        return false;
    }
    let mut middle = &used[first.len()..used.len() - last.len()];
    for lit in &literals[1..literals.len() - 1] {
        // Each placeholder before `lit` stands for at least one character.
        match middle.get(1..).and_then(|m| m.find(lit)) {
            Some(i) => middle = &middle[1 + i + lit.len()..],
            None => return false,
        }
    }
    // The last placeholder stands for at least one character too.
    !middle.is_empty()
}

#[test]
fn import_id_placeholders() {
    assert!(id_matches("3F2A", "3f2a"));
    assert!(!id_matches("3f2a", "3f2b"));
    assert!(id_matches("owner/<tenant id>", "owner/2f0c-11"));
    assert!(!id_matches("owner/<tenant id>", "owner/"));
    assert!(!id_matches("owner/<tenant id>", "member/2f0c"));
    assert!(id_matches("<id>", "abc"));
    assert!(id_matches("a/<x>/b/<y>", "a/1/b/2"));
    assert!(!id_matches("a/<x>/b/<y>", "a//b/2"));
}

/// A top-level block of an example: its header words (`data "coexistence_tenant" "x"` ->
/// `["data", "coexistence_tenant", "x"]`) and its body lines. Examples are `terraform fmt`ed:
/// blocks open at column 0 and close with a `}` line at column 0.
struct Block {
    labels: Vec<String>,
    body: Vec<String>,
}

fn blocks(hcl: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for line in hcl.lines() {
        if let Some(b) = &mut current {
            if line == "}" {
                out.extend(current.take());
            } else {
                b.body.push(line.trim().to_string());
            }
        } else if line.ends_with('{') && !line.starts_with([' ', '#']) {
            let labels = line
                .trim_end_matches('{')
                .split_whitespace()
                .map(|w| w.trim_matches('"').to_string())
                .collect();
            current = Some(Block {
                labels,
                body: Vec::new(),
            });
        }
    }
    out
}

impl Block {
    /// The value of a top-level `name = ...` line of the body (string quotes removed).
    fn arg(&self, name: &str) -> Option<String> {
        self.body.iter().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn resource_examples_apply_import_and_destroy() {
    for (type_name, dir) in example_dirs("resources") {
        let tf_file = dir.join("resource.tf");
        let sh_file = dir.join("import.sh");
        let example = read(&tf_file);
        let (address, id) = import_command(&read(&sh_file), &sh_file);
        assert!(
            address.starts_with(&format!("{type_name}.")),
            "{} imports {address}, not a {type_name}",
            sh_file.display()
        );
        eprintln!("example {type_name}: apply, state rm, import {address} {id}, destroy");

        let two_tenants = example.contains("coexistence.fabrikam");
        let acc = Acc::start_pair(named_tenant("Contoso"), named_tenant("Fabrikam")).await;
        let home = acc.home.tenant_id.clone();
        assert!(
            !id.eq_ignore_ascii_case(&home),
            "the example's import ID must not be the test's home tenant"
        );
        let ty = resource_type(&type_name);
        let name = &address[type_name.len() + 1..];
        let steps = Steps::new(&acc).track(ty, name, &home);
        if two_tenants {
            acc.config(&format!(
                "{}\n{example}",
                acc.provider_block(&acc.partner, Some("fabrikam"))
            ));
        } else {
            acc.config(&example);
        }
        // Apply, an empty plan, the object in the emulator, then import-verify (state rm,
        // import with the ID the description derives from state, empty plan, same state).
        steps.apply().await;
        assert!(
            !acc.emu.objects(&home).is_empty(),
            "applying {} created nothing in the home tenant",
            tf_file.display()
        );
        let state = acc.tf.try_resource(&address).await.unwrap_or_else(|| {
            panic!(
                "{address} (from import.sh) is not what {} declares",
                tf_file.display()
            )
        });
        // The documented import ID is the one import-verify used.
        let used = (ty.import_id)(ty, &state);
        assert!(
            id_matches(&id, &used),
            "{} shows import ID {id}, the resource's state gives {used}: {state:#}",
            sh_file.display()
        );

        adopt_with_generated_config(&acc, &address, &(ty.import_id)(ty, &state)).await;

        steps.destroy().await;
        assert_tenant_empty(&acc, &home);
        assert_tenant_empty(&acc, &acc.partner.tenant_id);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn data_source_examples_read() {
    for (type_name, dir) in example_dirs("data-sources") {
        let tf_file = dir.join("data-source.tf");
        let example = read(&tf_file);
        let blocks = blocks(&example);
        let data: Vec<&Block> = blocks
            .iter()
            .filter(|b| b.labels.first().map(String::as_str) == Some("data"))
            .collect();
        assert!(
            data.iter().any(|b| b.labels[1] == type_name),
            "{} declares no data \"{type_name}\"",
            tf_file.display()
        );
        eprintln!("example {type_name}: apply");

        // Every tenant the example looks up exists, as a directory-only tenant; every partner
        // configuration it reads exists in the home tenant (seeded after start, below).
        let mut lookups = Vec::new();
        let mut partners = Vec::new();
        let mut routings = Vec::new();
        let mut listings = Vec::new();
        for b in &data {
            match b.labels[1].as_str() {
                "coexistence_tenant" => {
                    let mut t = Tenant::random("Example");
                    if let Some(domain) = b.arg("domain_name") {
                        t.default_domain = domain;
                    }
                    if let Some(id) = b.arg("tenant_id") {
                        t.tenant_id = id;
                    }
                    lookups.push((format!("data.coexistence_tenant.{}", b.labels[2]), t));
                }
                PARTNER_TYPE => {
                    let id = b.arg("tenant_id").expect("the example names tenant_id");
                    partners.push((format!("data.{PARTNER_TYPE}.{}", b.labels[2]), id));
                }
                // Lists the home tenant's partners: the example's managed one and one that
                // nobody manages, both seeded below.
                "coexistence_cross_tenant_access_partners" => {
                    listings.push(format!(
                        "data.coexistence_cross_tenant_access_partners.{}",
                        b.labels[2]
                    ));
                }
                // Reads the home tenant's own domains, which every emulated tenant has.
                "coexistence_mail_routing" => {
                    routings.push(format!("data.coexistence_mail_routing.{}", b.labels[2]));
                }
                other => panic!(
                    "{}: no emulator setup for data source {other}: teach examples.rs about it",
                    tf_file.display()
                ),
            }
        }
        let acc = Acc::start_with(lookups.iter().map(|(_, t)| t.clone()).collect()).await;
        let home = acc.home.tenant_id.clone();
        for (_, id) in &partners {
            // A portal-made configuration: every block set (Partner::full), with its sync policy.
            let mut graph = json!({"tenantId": id, "isServiceProvider": null, "isInMultiTenantOrganization": false,
                "tenantRestrictions": null,
                "crossCloudMeetingConfiguration": {"inboundAllowed": null, "outboundAllowed": null}});
            for (k, v) in Partner::full(id).expected_graph() {
                graph[k] = v;
            }
            acc.emu.put_object(&home, &partner_path(id), graph);
            acc.emu.put_object(
                &home,
                &sync_path(id),
                json!({"tenantId": id, "displayName": null, "userSyncInbound": {"isSyncAllowed": true}}),
            );
        }
        // For the listing: the example's managed partner and a portal-made one.
        let unmanaged = uuid::Uuid::new_v4().to_string();
        if !listings.is_empty() {
            for id in ["3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54", unmanaged.as_str()] {
                acc.emu.put_object(
                    &home,
                    &partner_path(id),
                    json!({"tenantId": id, "isServiceProvider": null, "isInMultiTenantOrganization": false,
                        "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null}}),
                );
            }
        }
        let seeded = acc.emu.objects(&home);
        acc.config(&example);
        acc.tf.apply().await;
        for (address, id) in &partners {
            let v = acc.tf.resource(address).await;
            assert_eq!(v["tenant_id"], json!(id), "{address}: {v:#}");
            assert_eq!(v["exists"], json!(true), "{address}: {v:#}");
            assert_eq!(
                v["inbound_trust"],
                json!({"mfa_accepted": true, "compliant_device_accepted": true, "hybrid_joined_device_accepted": false}),
                "{address}: {v:#}"
            );
            assert_eq!(
                v["identity_synchronization"],
                json!({"user_sync_inbound_allowed": true}),
                "{address}: {v:#}"
            );
            assert_eq!(
                v["b2b_direct_connect_outbound"]["users_and_groups"]["access_type"],
                json!("blocked"),
                "{address}: {v:#}"
            );
        }

        for (address, t) in &lookups {
            let v = acc.tf.resource(address).await;
            assert_eq!(v["id"], json!(t.tenant_id), "{address}: {v:#}");
            assert_eq!(v["tenant_id"], json!(t.tenant_id), "{address}: {v:#}");
            assert_eq!(v["display_name"], json!(t.display_name), "{address}: {v:#}");
            assert_eq!(
                v["default_domain_name"],
                json!(t.default_domain),
                "{address}: {v:#}"
            );
        }

        for address in &listings {
            let v = acc.tf.resource(address).await;
            let mut want = vec![
                "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54".to_string(),
                unmanaged.clone(),
            ];
            want.sort();
            let mut got: Vec<String> = v["tenant_ids"]
                .as_array()
                .expect("tenant_ids")
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            got.sort();
            assert_eq!(got, want, "{address}: {v:#}");
            assert_eq!(v["partners"].as_array().unwrap().len(), 2, "{v:#}");
            let out = acc.tf.output("unmanaged_partners").await;
            assert_eq!(out, json!([unmanaged]), "the example's output");
        }

        for address in &routings {
            let v = acc.tf.resource(address).await;
            let hosts: Vec<(String, String)> = v["domains"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["id"].as_str().unwrap().to_string(),
                        d["mx"][0]["host"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let mut published: Vec<(String, String)> = seeded_domains(&acc.home.spec())
                .into_iter()
                .map(|d| (d.id, d.mx.0))
                .collect();
            published.sort();
            assert_eq!(hosts, published, "{address}: {v:#}");
        }

        // Outputs: known, and equal to the attribute they name.
        for b in blocks.iter().filter(|b| b.labels[0] == "output") {
            let name = &b.labels[1];
            let got = acc.tf.output(name).await;
            assert!(!got.is_null(), "output {name} is null");
            let expr = b.arg("value").unwrap_or_default();
            if let Some((address, attr)) = expr
                .strip_prefix("data.")
                .and_then(|_| expr.rsplit_once('.'))
            {
                let v = acc.tf.resource(address).await;
                assert_eq!(got, v[attr], "output {name} = {expr}");
            }
        }
        // Nothing was written anywhere.
        assert_eq!(
            acc.emu.objects(&home),
            seeded,
            "a data source wrote something"
        );
    }
}

/// The provider example (two aliased tenants) validates against the provider's schema, together
/// with every resource and data source example.
#[tokio::test(flavor = "multi_thread")]
async fn provider_example_validates_with_every_example() {
    let acc = Acc::start().await;
    let mut config = read(&examples_dir().join("provider").join("provider.tf"));
    for (_, dir) in example_dirs("resources") {
        config += "\n";
        config += &read(&dir.join("resource.tf"));
    }
    for (_, dir) in example_dirs("data-sources") {
        config += "\n";
        config += &read(&dir.join("data-source.tf"));
    }
    let aliases: Vec<String> = blocks(&config)
        .iter()
        .filter(|b| b.labels == ["provider", "coexistence"])
        .filter_map(|b| b.arg("alias"))
        .collect();
    assert!(
        aliases.len() >= 2,
        "provider.tf should have one aliased provider block per tenant, found {aliases:?}"
    );
    acc.tf.write_config(&config);
    let out = acc.tf.run_ok(&["validate", "-no-color"]).await;
    assert!(out.stdout.contains("Success"), "{out}");
    // Validation signs in nowhere.
    assert!(acc.emu.requests().is_empty(), "{:#?}", acc.emu.requests());
}
