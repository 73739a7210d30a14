//! `terraform-provider-coexistence export` through the real CLI: two tenants holding objects of
//! every type made outside the adopting configuration (by another configuration, and written
//! straight into the emulator as the portal leaves them) are exported, one export per tenant
//! (the second with `--alias`), then adopted with `terraform plan -generate-config-out` and
//! `terraform apply`: every object imported, nothing added, changed or destroyed, and the next
//! plan empty. The export only reads. Import blocks need Terraform 1.5+: on an older client the
//! test says so and stops after checking the export itself.

mod common;

use coexistence_acceptance::emulator::graph::xts::{self, PortalConfiguration};
use coexistence_acceptance::harness::provider_binary;
use common::adoption::{named_tenant, seed};
use common::*;
use serde_json::json;
use std::path::Path;

/// Whether `terraform version` output names 1.5 or later.
fn supports_import_blocks(version: &str) -> bool {
    let v = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .unwrap_or("0.0");
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (1, 5)
}

/// Runs the export for `tenant` into `out`; the provider arguments as flags, the secret from
/// `ARM_CLIENT_SECRET`, as a user would.
async fn export(acc: &Acc, tenant: &Tenant, out: &Path, extra: &[&str]) -> std::process::Output {
    let url = acc.emu.url();
    let mut cmd = tokio::process::Command::new(provider_binary());
    cmd.arg("export")
        .args(["--out", &out.display().to_string()])
        .args(["--tenant-id", &tenant.tenant_id])
        .args(["--client-id", &tenant.client_id])
        .args(["--authority-host", &url])
        .args(["--graph-endpoint", &url])
        .args(["--exchange-endpoint", &url])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SSL_CERT_FILE", acc.emu.ca_pem_path())
        .env("ARM_CLIENT_SECRET", &tenant.client_secret);
    cmd.output().await.expect("the provider binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// The `.tf` files of a directory, by name.
fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tenants_are_adopted_in_two_commands() {
    let acc = Acc::start_pair(named_tenant("Contoso"), named_tenant("Fabrikam")).await;
    seed(&acc).await;
    acc.emu.clear_requests();

    let ws = Workspace::new(&acc.emu.ca_pem_path());
    let dir = ws.dir().to_path_buf();
    let first = export(&acc, &acc.home, &dir, &[]).await;
    let summary = text(&first.stdout);
    assert!(first.status.success(), "{summary}\n{}", text(&first.stderr));
    eprintln!("export of Contoso:\n{summary}");
    let second = export(&acc, &acc.partner, &dir, &["--alias", "fabrikam"]).await;
    assert!(
        second.status.success(),
        "{}\n{}",
        text(&second.stdout),
        text(&second.stderr)
    );
    eprintln!("export of Fabrikam:\n{}", text(&second.stdout));

    // The summary: counts per type and what was skipped, with the reason.
    for line in [
        "coexistence_ca_block_external_members: found 2, exported 1, skipped 1",
        "skipped 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 (\"Require MFA for guests\"): not the managed shape: ",
        "coexistence_cross_tenant_access_partner: found 3, exported 2, skipped 1",
        "skipped 8e3a1c52-0d7b-4f6e-a1c9-2b5d7f0e4a63: a service provider partner",
        "coexistence_partner_connector: found 2, exported 1, skipped 1",
        "skipped outbound/Hybrid: an OnPremises connector",
        "coexistence_xts_job: found 1, exported 1, skipped 0",
        "coexistence_mto_membership: found 1, exported 1, skipped 0",
        "coexistence_organization_relationship: found 1, exported 1, skipped 0",
        "coexistence_cross_tenant_access_default: found 1, exported 1, skipped 0",
        // A type that cannot be listed says why (its declaration), and is never listed.
        "coexistence_teams_federation: not exported: the Teams resources are in preview",
        "coexistence_teams_federation_domain: not exported: the Teams resources are in preview",
    ] {
        assert!(summary.contains(line), "{line:?} missing from:\n{summary}");
    }

    let files = tf_files(&dir);
    let names: Vec<_> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "imports.tf",
            "imports_fabrikam.tf",
            "provider.tf",
            "provider_fabrikam.tf"
        ]
    );
    for (name, t) in &files {
        eprintln!("--- {name}\n{t}");
    }
    let fabrikam = &files[1].1;
    for block in [
        "  to = coexistence_xts_job.fabrikam_sync_to_contoso\n",
        "  to = coexistence_partner_connector.fabrikam_from_contoso\n",
        "  to = coexistence_mto_membership.fabrikam_member\n",
        "  provider = coexistence.fabrikam\n",
    ] {
        assert!(fabrikam.contains(block), "{block:?} missing:\n{fabrikam}");
    }
    assert!(files[0]
        .1
        .contains("  to = coexistence_cross_tenant_access_default.default\n  id = \"default\"\n"));
    let imports: usize = files
        .iter()
        .map(|(_, t)| t.matches("\nimport {").count())
        .sum();
    assert_eq!(imports, 12, "{files:#?}");
    for (name, t) in &files {
        assert!(
            !t.contains(&acc.home.client_secret) && !t.contains(&acc.partner.client_secret),
            "a secret in {name}"
        );
    }

    // No write reached either tenant: Graph only read, Exchange ran Get cmdlets only.
    for r in acc.emu.requests() {
        if r.path.contains("/oauth2/") || r.path.contains("/token") {
            continue;
        }
        let cmdlet = r
            .body
            .as_ref()
            .and_then(|b| b["CmdletInput"]["CmdletName"].as_str())
            .unwrap_or_default()
            .to_string();
        assert!(
            r.method == "GET" || cmdlet.starts_with("Get-"),
            "the export wrote: {} {} {cmdlet}",
            r.method,
            r.path
        );
    }

    // The same tenants exported into a fresh directory: byte-identical files.
    let again = Workspace::new(&acc.emu.ca_pem_path());
    assert!(export(&acc, &acc.home, again.dir(), &[])
        .await
        .status
        .success());
    assert!(
        export(&acc, &acc.partner, again.dir(), &["--alias", "fabrikam"])
            .await
            .status
            .success()
    );
    assert_eq!(tf_files(again.dir()), files);

    let version = ws.version().await;
    if !supports_import_blocks(&version) {
        eprintln!("adoption: not run on {version:?} (import blocks need Terraform 1.5+)");
        return;
    }
    let mut ws = ws;
    ws.set_env("TF_VAR_coexistence_client_secret", &acc.home.client_secret);
    ws.set_env(
        "TF_VAR_coexistence_fabrikam_client_secret",
        &acc.partner.client_secret,
    );
    let plan = ws
        .run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ])
        .await;
    let generated = std::fs::read_to_string(dir.join("generated.tf"))
        .unwrap_or_else(|e| panic!("no generated.tf ({e})\n{plan}"));
    let apply = ws
        .run(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .await;
    assert!(apply.success(), "{generated}\n{apply}");
    assert!(
        apply
            .stdout
            .contains("Apply complete! Resources: 12 imported, 0 added, 0 changed, 0 destroyed."),
        "{generated}\n{apply}"
    );
    let after = ws
        .run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"])
        .await;
    assert!(
        after.success(),
        "the plan after adoption is not empty:\n{generated}\n{after}"
    );
}

/// A credential that may not read Conditional Access policies (its app holds every permission
/// but `Policy.Read.All` and `Policy.ReadWrite.ConditionalAccess`): the export fails naming
/// the permission and the types it could export, and writes no file.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_permission_fails_naming_it_and_writes_nothing() {
    let acc = Acc::start_pair(named_tenant("Contoso"), named_tenant("Fabrikam")).await;
    let granted: Vec<&str> = coexistence_acceptance::emulator::permissions::ALL
        .iter()
        .copied()
        .filter(|r| !["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"].contains(r))
        .collect();
    acc.emu.set_roles(&acc.home.client_id, Some(&granted));
    let ws = Workspace::new(&acc.emu.ca_pem_path());
    let out = export(&acc, &acc.home, ws.dir(), &[]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}\n{err}", text(&out.stdout));
    for needed in [
        "nothing was written",
        "Cannot list coexistence_ca_block_external_members",
        "Policy.Read.All",
        "These types could be exported: coexistence_cross_tenant_access_default, coexistence_cross_tenant_access_partner, coexistence_mto_membership, coexistence_organization_relationship, coexistence_partner_connector, coexistence_xts_job.",
    ] {
        assert!(err.contains(needed), "{needed:?} missing from:\n{err}");
    }
    assert!(
        std::fs::read_dir(ws.dir()).unwrap().next().is_none(),
        "the export wrote into its directory"
    );
    // The service refused the request (it was sent), and nothing else.
    let refused: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.status == 403)
        .map(|r| r.path)
        .collect();
    assert!(!refused.is_empty());
    assert!(
        refused
            .iter()
            .all(|p| p.contains("/identity/conditionalAccess/policies")),
        "{refused:?}"
    );
}

/// A synchronization configuration imported by the display name the portal shows (resolved
/// through the listing), adopted with the generated HCL and an empty plan after.
#[tokio::test(flavor = "multi_thread")]
async fn a_sync_configuration_is_imported_by_its_display_name() {
    let acc = Acc::start_pair(named_tenant("Contoso"), named_tenant("Fabrikam")).await;
    let seeded = xts::portal_configuration(
        &acc.emu,
        &acc.home.tenant_id,
        &PortalConfiguration {
            display_name: "Made in the portal".into(),
            target_tenant_id: acc.partner.tenant_id.clone(),
            sync_all: true,
            ..PortalConfiguration::default()
        },
    );
    let version = acc.tf.version().await;
    if !supports_import_blocks(&version) {
        eprintln!("import by name: not run on {version:?} (import blocks need Terraform 1.5+)");
        return;
    }
    acc.config("import {\n  to = coexistence_xts_job.adopted\n  id = \"Made in the portal\"\n}\n");
    acc.tf
        .run_ok(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ])
        .await;
    acc.tf
        .run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .await;
    let state = acc.tf.resource("coexistence_xts_job.adopted").await;
    assert_eq!(
        state["service_principal_id"],
        json!(seeded.service_principal_id)
    );
    assert_eq!(state["display_name"], "Made in the portal");
    let after = acc
        .tf
        .run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"])
        .await;
    assert!(after.success(), "{after}");
}
