//! The azuread provider's other sign-in arguments, end to end through the real terraform CLI
//! against the emulator (which stands in for the GitHub, Azure DevOps, AKS and IMDS token
//! issuers): an inline PKCS#12 certificate, client ID and secret from files, the OIDC request
//! URL and token, an Azure DevOps service connection, AKS workload identity and an explicit
//! managed identity endpoint. Conflicting arguments are refused at plan, naming the argument,
//! before any request. Every run is traced and searched for the secrets involved.

mod common;

use base64::Engine as _;
use coexistence_acceptance::emulator::signin::{AzureDevOps, ManagedIdentity, SignInConfig};
use common::signin::*;
use common::*;

/// Applies and destroys the partner, then searches everything for `secrets`.
async fn apply_destroy_no_leak(acc: &Acc, log: &std::path::Path, secrets: &[&str]) {
    let outs = vec![acc.tf.apply().await, acc.tf.destroy().await];
    assert_no_leak(acc, log, &outs, secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn client_certificate_inline_from_the_environment() {
    let good = rsa_cert("contoso-inline", "Inline-Passw0rd-5512");
    let (mut acc, log) = certificate_registered(&good.cert_pem).await;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&good.pfx);
    acc.tf.set_env("ARM_CLIENT_CERTIFICATE", b64.clone());
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    acc.tf.write_config(&config(
        &acc,
        &tid,
        &cid,
        "  client_certificate_password = \"Inline-Passw0rd-5512\"\n",
    ));
    let mut secrets = vec!["Inline-Passw0rd-5512", &b64[..64]];
    secrets.extend(key_lines(&good.key_pem));
    apply_destroy_no_leak(&acc, &log, &secrets).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_id_and_secret_from_files() {
    let mut acc = Acc::start().await;
    let log = trace(&mut acc);
    let (tid, cid, secret) = (
        acc.home.tenant_id.clone(),
        acc.home.client_id.clone(),
        acc.home.client_secret.clone(),
    );
    acc.tf.write_file("client_id", &format!("{cid}\n"));
    acc.tf.write_file("client_secret", &format!("{secret}\n"));
    let dir = acc.tf.dir().display().to_string();
    acc.tf.set_env(
        "ARM_CLIENT_SECRET_FILE_PATH",
        format!("{dir}/client_secret"),
    );
    acc.tf.write_config(&config(
        &acc,
        &tid,
        "",
        &format!(
            "  client_id_file_path = {}\n",
            q(&format!("{dir}/client_id"))
        ),
    ));
    apply_destroy_no_leak(&acc, &log, &[&secret]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn conflicting_arguments_are_refused_at_plan() {
    let mut acc = Acc::start().await;
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    let dir = acc.tf.dir().display().to_string();
    acc.tf
        .write_file("client_id", "11111111-2222-3333-4444-555555555555");
    acc.tf.write_config(&config(
        &acc,
        &tid,
        &cid,
        &format!(
            "  client_secret = \"s\"\n  client_id_file_path = {}\n",
            q(&format!("{dir}/client_id"))
        ),
    ));
    let out = acc.tf.plan_expect_error("client_id_file_path").await;
    assert!(
        out.stderr.contains("Conflicting configuration arguments"),
        "{out}"
    );

    acc.tf.write_config(&config(
        &acc,
        &tid,
        &cid,
        "  client_certificate = \"AAAA\"\n  client_certificate_path = \"app.pfx\"\n",
    ));
    let out = acc.tf.plan_expect_error("client_certificate_path").await;
    assert!(
        out.stderr.contains("Conflicting configuration arguments"),
        "{out}"
    );

    // AKS workload identity without its token file.
    acc.tf.set_env("ARM_USE_AKS_WORKLOAD_IDENTITY", "true");
    acc.tf.write_config(&config(&acc, &tid, &cid, ""));
    let out = acc.tf.plan_expect_error("AZURE_FEDERATED_TOKEN_FILE").await;
    assert!(out.stderr.contains("use_aks_workload_identity"), "{out}");
    assert!(
        acc.emu.requests().is_empty(),
        "nothing was sent: {:?}",
        acc.emu.requests()
    );
}

const REPO_SUBJECT: &str = "repo:contoso/infra:environment:production";

#[tokio::test(flavor = "multi_thread")]
async fn oidc_request_url_and_token_arguments() {
    let (mut acc, request_token, log) = github_actions(REPO_SUBJECT).await;
    acc.tf
        .set_env("ARM_OIDC_REQUEST_TOKEN", request_token.clone());
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    let auth = format!(
        "  use_oidc         = true\n  oidc_request_url = {}\n",
        q(&acc.emu.github_request_url())
    );
    acc.tf.write_config(&config(&acc, &tid, &cid, &auth));
    apply_destroy_no_leak(&acc, &log, &[&request_token]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_devops_service_connection() {
    let access_token = format!("ado-{}", uuid::Uuid::new_v4().simple());
    let connection = uuid::Uuid::new_v4().to_string();
    let subject = "sc://contoso/infra/entra-coexistence";
    let (at, sc) = (access_token.clone(), connection.clone());
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        federated: vec![federated(&home.client_id, "{emulator}/_ado", subject)],
        azure_devops: Some(AzureDevOps {
            access_token: at,
            service_connection_id: sc,
            subject: subject.into(),
        }),
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    // What a pipeline step with the service connection exports.
    acc.tf
        .set_env("SYSTEM_OIDCREQUESTURI", acc.emu.ado_request_url());
    acc.tf.set_env("SYSTEM_ACCESSTOKEN", access_token.clone());
    acc.tf.set_env("ARM_USE_OIDC", "true");
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    let auth = format!(
        "  ado_pipeline_service_connection_id = {}\n",
        q(&connection)
    );
    acc.tf.write_config(&config(&acc, &tid, &cid, &auth));
    apply_destroy_no_leak(&acc, &log, &[&access_token]).await;

    // A service connection the pipeline may not use: the cause, from Azure DevOps.
    let other = uuid::Uuid::new_v4().to_string();
    let auth = format!("  ado_pipeline_service_connection_id = {}\n", q(&other));
    acc.tf.write_config(&config(&acc, &tid, &cid, &auth));
    let out = acc.tf.apply_expect_error("Azure DevOps").await;
    assert_one_diagnostic(&out, "OIDC federation", &other);
}

#[tokio::test(flavor = "multi_thread")]
async fn aks_workload_identity() {
    let (mut acc, token, log) = oidc_federated().await;
    acc.tf.write_file("azure-identity-token", &token);
    let file = acc.tf.dir().join("azure-identity-token");
    // What the workload identity webhook injects into the pod.
    acc.tf.set_env("ARM_USE_AKS_WORKLOAD_IDENTITY", "true");
    acc.tf
        .set_env("AZURE_FEDERATED_TOKEN_FILE", file.display().to_string());
    acc.tf
        .set_env("AZURE_CLIENT_ID", acc.home.client_id.clone());
    acc.tf
        .set_env("AZURE_TENANT_ID", acc.home.tenant_id.clone());
    acc.tf.set_env("AZURE_AUTHORITY_HOST", acc.emu.url());
    let url = acc.emu.url();
    acc.tf.write_config(&format!(
        "{}\nprovider \"coexistence\" {{\n  graph_endpoint = {}\n}}\n{}",
        coexistence_acceptance::harness::terraform_block(),
        q(&url),
        Partner::full(&acc.partner.tenant_id).hcl()
    ));
    apply_destroy_no_leak(&acc, &log, &[&token]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn managed_identity_at_msi_endpoint() {
    let identity = uuid::Uuid::new_v4().to_string();
    let i2 = identity.clone();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        managed_identities: vec![ManagedIdentity {
            tenant_id: home.tenant_id.clone(),
            client_id: i2,
            system_assigned: false,
        }],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    acc.tf.set_env("ARM_MSI_ENDPOINT", acc.emu.imds_endpoint());
    let tid = acc.home.tenant_id.clone();
    acc.tf
        .write_config(&config(&acc, &tid, &identity, "  use_msi = true\n"));
    apply_destroy_no_leak(&acc, &log, &[]).await;
    assert!(
        !acc.emu.requests().iter().any(|r| r.path.contains("oauth2")),
        "the managed identity endpoint issued the token"
    );
}
