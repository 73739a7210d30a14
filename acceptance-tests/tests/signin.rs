//! Every sign-in method end to end, through the real terraform CLI against the emulator: the
//! client certificate (PKCS#12 and PEM), OIDC from a token file and from GitHub Actions, a
//! managed identity (App Service protocol) and the Azure CLI (a stand-in `az` on PATH). Each
//! applies and plans a partner; each typical mistake gives exactly one diagnostic naming the
//! method and what to fix. Every run is traced (`TF_LOG=trace`) and the log is searched for
//! every secret involved.

mod common;

use coexistence_acceptance::emulator::signin::{ManagedIdentity, SignInConfig};
use common::signin::*;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn client_certificate_pfx_and_pem() {
    let good = rsa_cert("contoso-terraform", "Pfx-Passw0rd-7261");
    let (acc, log) = certificate_registered(&good.cert_pem).await;
    let pfx = acc.tf.dir().join("app.pfx");
    std::fs::write(&pfx, &good.pfx).unwrap();
    let pem = acc.tf.dir().join("app.pem");
    std::fs::write(&pem, format!("{}{}", good.cert_pem, good.key_pem)).unwrap();
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());

    acc.tf.write_config(&config(
        &acc,
        &tid,
        &cid,
        &certificate_auth(&pfx, Some("Pfx-Passw0rd-7261")),
    ));
    let mut outs = vec![acc.tf.apply().await];
    // The same credential from PEM.
    acc.tf
        .write_config(&config(&acc, &tid, &cid, &certificate_auth(&pem, None)));
    outs.push(acc.tf.plan_expect_empty().await);
    assert!(
        acc.emu
            .object(&tid, &partner_path(&acc.partner.tenant_id))
            .is_some(),
        "the partner was created through the certificate sign-in"
    );
    outs.push(acc.tf.destroy().await);
    let mut secrets = vec!["Pfx-Passw0rd-7261"];
    secrets.extend(key_lines(&good.key_pem));
    assert_no_leak(&acc, &log, &outs, &secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_certificate_is_one_diagnostic() {
    let registered = rsa_cert("registered", "x");
    let other = rsa_cert("other", "x");
    let (acc, log) = certificate_registered(&registered.cert_pem).await;
    let pem = acc.tf.dir().join("other.pem");
    std::fs::write(&pem, format!("{}{}", other.cert_pem, other.key_pem)).unwrap();
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    acc.tf
        .write_config(&config(&acc, &tid, &cid, &certificate_auth(&pem, None)));
    let out = acc.tf.apply_expect_error("AADSTS700027").await;
    assert_one_diagnostic(&out, "client certificate", "is the one uploaded to app");
    assert_no_leak(&acc, &log, &[out], &key_lines(&other.key_pem));
}

const REPO_SUBJECT: &str = "repo:contoso/infra:ref:refs/heads/main";

#[tokio::test(flavor = "multi_thread")]
async fn oidc_token_file() {
    let (acc, token, log) = oidc_federated().await;
    let file = acc.tf.dir().join("oidc.jwt");
    std::fs::write(&file, &token).unwrap();
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    acc.tf.write_config(&config(
        &acc,
        &tid,
        &cid,
        &format!(
            "  use_oidc             = true\n  oidc_token_file_path = {}\n",
            q(&file.display().to_string())
        ),
    ));
    let outs = vec![acc.tf.apply().await, acc.tf.destroy().await];
    assert_no_leak(&acc, &log, &outs, &[&token]);
}

#[tokio::test(flavor = "multi_thread")]
async fn oidc_untrusted_subject_is_one_diagnostic() {
    let mut acc = Acc::start_sign_in(|home, _| SignInConfig {
        federated: vec![federated(&home.client_id, "{emulator}/oidc", REPO_SUBJECT)],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    let token = acc.emu.mint_oidc_token("repo:contoso/infra:pull_request");
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    acc.tf.set_env("ARM_OIDC_TOKEN", token.clone());
    acc.tf
        .write_config(&config(&acc, &tid, &cid, "  use_oidc = true\n"));
    let out = acc.tf.apply_expect_error("AADSTS70021").await;
    assert_one_diagnostic(
        &out,
        "OIDC",
        "has a federated credential whose issuer, subject and audience",
    );
    let flat = out.stderr.split_whitespace().collect::<String>();
    assert!(
        flat.contains("repo:contoso/infra:pull_request"),
        "names the subject presented\n{out}"
    );
    assert_no_leak(&acc, &log, &[out], &[&token]);
}

#[tokio::test(flavor = "multi_thread")]
async fn oidc_github_actions() {
    let (mut acc, request_token, log) = github_actions(REPO_SUBJECT).await;
    acc.tf
        .set_env("ACTIONS_ID_TOKEN_REQUEST_URL", acc.emu.github_request_url());
    acc.tf
        .set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token.clone());
    acc.tf.set_env("ARM_USE_OIDC", "true");
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    acc.tf.write_config(&config(&acc, &tid, &cid, ""));
    let outs = vec![acc.tf.apply().await, acc.tf.destroy().await];
    assert!(
        acc.emu
            .requests()
            .iter()
            .any(|r| r.path.contains("oauth2/v2.0/token") && r.status == 200),
        "the GitHub token was exchanged at the token endpoint"
    );
    assert_no_leak(&acc, &log, &outs, &[&request_token]);
}

fn msi(home: &Tenant, identity_client: &str, header: &str) -> SignInConfig {
    SignInConfig {
        managed_identities: vec![ManagedIdentity {
            tenant_id: home.tenant_id.clone(),
            client_id: identity_client.to_string(),
            system_assigned: false,
        }],
        identity_header: Some(header.to_string()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn managed_identity_app_service() {
    let identity = uuid::Uuid::new_v4().to_string();
    let header = format!("IdHdr-{}", uuid::Uuid::new_v4().simple());
    let (i2, h2) = (identity.clone(), header.clone());
    let mut acc = Acc::start_sign_in(move |home, _| msi(home, &i2, &h2)).await;
    let log = trace(&mut acc);
    acc.tf
        .set_env("IDENTITY_ENDPOINT", acc.emu.identity_endpoint());
    acc.tf.set_env("IDENTITY_HEADER", header.clone());
    let tid = acc.home.tenant_id.clone();
    acc.tf
        .write_config(&config(&acc, &tid, &identity, "  use_msi = true\n"));
    let outs = vec![acc.tf.apply().await, acc.tf.destroy().await];
    assert!(
        !acc.emu.issued_tokens().is_empty()
            && !acc.emu.requests().iter().any(|r| r.path.contains("oauth2")),
        "the managed identity host issued the token (the token endpoint was never asked)"
    );
    assert_no_leak(&acc, &log, &outs, &[&header]);
}

#[tokio::test(flavor = "multi_thread")]
async fn managed_identity_unreachable_is_one_diagnostic() {
    let identity = uuid::Uuid::new_v4().to_string();
    let header = format!("IdHdr-{}", uuid::Uuid::new_v4().simple());
    let (i2, h2) = (identity.clone(), header.clone());
    let mut acc = Acc::start_sign_in(move |home, _| msi(home, &i2, &h2)).await;
    let log = trace(&mut acc);
    // Nothing listens on port 9 (discard) of this host.
    acc.tf
        .set_env("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token");
    acc.tf.set_env("IDENTITY_HEADER", header.clone());
    let tid = acc.home.tenant_id.clone();
    acc.tf
        .write_config(&config(&acc, &tid, &identity, "  use_msi = true\n"));
    let out = acc.tf.apply_expect_error("managed identity").await;
    assert_one_diagnostic(
        &out,
        "managed identity",
        "runs on an Azure host with a managed identity",
    );
    assert_no_leak(&acc, &log, &[out], &[&header]);
}

/// A stand-in for the Azure CLI: answers exactly the command azure_identity runs
/// (`az account get-access-token -o json --scope <scope> --tenant <tenant>`) with the JSON the
/// real CLI prints, or, logged out, the real CLI's error.
fn fake_az(dir: &std::path::Path, scope: &str, tenant: &str, token: Option<&str>) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let bin = dir.join("az-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let answer = match token {
        Some(t) => format!(
            "expires=$(( $(date +%s) + 3600 ))\nprintf '{{\\n  \"accessToken\": \"%s\",\\n  \"expiresOn\": \"%s\",\\n  \"expires_on\": %s,\\n  \"subscription\": \"00000000-0000-0000-0000-000000000000\",\\n  \"tenant\": \"{tenant}\",\\n  \"tokenType\": \"Bearer\"\\n}}\\n' '{t}' \"$(date -d @$expires '+%Y-%m-%d %H:%M:%S.000000')\" \"$expires\"\n"
        ),
        None => "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n".into(),
    };
    let script = format!(
        "#!/bin/sh\n# Stand-in for the Azure CLI (acceptance test).\n\
         if [ \"$*\" != \"account get-access-token -o json --scope {scope} --tenant {tenant}\" ]; then\n\
         echo \"ERROR: unexpected arguments: $*\" >&2\nexit 2\nfi\n{answer}"
    );
    let az = bin.join("az");
    std::fs::write(&az, script).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_cli() {
    let mut acc = Acc::start().await;
    let log = trace(&mut acc);
    let (tid, cid) = (acc.home.tenant_id.clone(), acc.home.client_id.clone());
    let token = acc.emu.issue_graph_token(&tid, &cid);
    let scope = format!("{}/.default", acc.emu.url());
    let path = fake_az(acc.tf.dir(), &scope, &tid, Some(&token));
    acc.tf.set_env("PATH", path);
    acc.tf
        .write_config(&config(&acc, &tid, "", "  use_cli = true\n"));
    let outs = vec![acc.tf.apply().await, acc.tf.destroy().await];
    assert!(
        !acc.emu.requests().iter().any(|r| r.path.contains("oauth2")),
        "the CLI's token was used; the provider never went to the token endpoint"
    );
    assert_no_leak(&acc, &log, &outs, &[]);
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_cli_logged_out_is_one_diagnostic() {
    let mut acc = Acc::start().await;
    let log = trace(&mut acc);
    let tid = acc.home.tenant_id.clone();
    let scope = format!("{}/.default", acc.emu.url());
    let path = fake_az(acc.tf.dir(), &scope, &tid, None);
    acc.tf.set_env("PATH", path);
    acc.tf
        .write_config(&config(&acc, &tid, "", "  use_cli = true\n"));
    let out = acc.tf.apply_expect_error("az login").await;
    assert_one_diagnostic(&out, "Azure CLI", &format!("az login --tenant {tid}"));
    assert_no_leak(&acc, &log, &[out], &[]);
}
