//! Every sign-in method end to end, through the real terraform CLI against the emulator: the
//! client certificate (PKCS#12 and PEM), OIDC from a token file and from GitHub Actions, a
//! managed identity (App Service protocol) and the Azure CLI (a stand-in `az` on PATH). Each
//! applies and plans a partner; each typical mistake gives exactly one diagnostic naming the
//! method and what to fix. Every run is traced (`TF_LOG=trace`) and the log is searched for
//! every secret involved.

mod common;

use coexistence_acceptance::emulator::signin::{
    AppCertificate, FederatedCredential, GithubActions, ManagedIdentity, SignInConfig,
};
use coexistence_acceptance::harness::TfOutput;
use common::*;

/// An RSA certificate and key, as PEM, plus a password-protected PKCS#12 of both.
struct Cert {
    cert_pem: String,
    key_pem: String,
    pfx: Vec<u8>,
}

fn rsa_cert(cn: &str, password: &str) -> Cert {
    use aws_lc_rs::encoding::AsDer as _;
    let rsa = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8 = rsa.as_der().unwrap().as_ref().to_vec();
    let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.clone()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .unwrap();
    let cert = rcgen::CertificateParams::new(vec![cn.into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let chain = p12_keystore::PrivateKeyChain::new(
        vec![1u8],
        p12_keystore::PrivateKey::from_der(&pkcs8).unwrap(),
        [p12_keystore::Certificate::from_der(cert.der()).unwrap()],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(cn, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    Cert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        pfx: store.writer(password).write().unwrap(),
    }
}

/// The provider arguments of a certificate sign-in (PFX with a password, or PEM without).
fn certificate_auth(path: &std::path::Path, password: Option<&str>) -> String {
    let mut auth = format!(
        "  client_certificate_path = {}\n",
        q(&path.display().to_string())
    );
    if let Some(p) = password {
        auth.push_str(&format!("  client_certificate_password = {}\n", q(p)));
    }
    auth
}

/// `terraform` block + a provider signing in to `tenant` with `auth` (HCL lines) + a partner.
fn config(acc: &Acc, tenant_id: &str, client_id: &str, auth: &str) -> String {
    let url = acc.emu.url();
    let client = if client_id.is_empty() {
        String::new()
    } else {
        format!("  client_id      = {}\n", q(client_id))
    };
    format!(
        "{}\nprovider \"coexistence\" {{\n  tenant_id      = {}\n{client}{auth}  authority_host = {}\n  graph_endpoint = {}\n}}\n{}",
        coexistence_acceptance::harness::terraform_block(),
        q(tenant_id),
        q(&url),
        q(&url),
        Partner::full(&acc.partner.tenant_id).hcl()
    )
}

/// Traces every command to a file (returned) so it can be searched for secrets.
fn trace(acc: &mut Acc) -> std::path::PathBuf {
    let path = acc.tf.dir().join("trace.log");
    acc.tf.set_env("TF_LOG", "trace");
    acc.tf.set_env("TF_LOG_PATH", path.display().to_string());
    path
}

/// Neither the trace log nor the outputs contain any of `secrets` or any access token.
fn assert_no_leak(acc: &Acc, log: &std::path::Path, outputs: &[TfOutput], secrets: &[&str]) {
    let mut all = std::fs::read_to_string(log).expect("trace log written");
    assert!(
        all.contains("TRACE"),
        "the trace log is empty: the check proves nothing"
    );
    for o in outputs {
        all += &o.combined();
    }
    if let Some(state) = acc.tf.raw_state() {
        all += &state;
    }
    let tokens = acc.emu.issued_tokens();
    for s in secrets
        .iter()
        .map(|s| s.to_string())
        .chain(tokens.iter().cloned())
    {
        assert!(s.len() >= 16, "secret too short to search for: {s:?}");
        assert!(
            !all.contains(&s),
            "a secret or token leaked into output, trace log or state"
        );
    }
}

/// The failure is one diagnostic, naming `method` and saying what to check.
fn assert_one_diagnostic(out: &TfOutput, method: &str, fix: &str) {
    let errors = out.stderr.matches("Error: ").count();
    assert_eq!(errors, 1, "expected exactly one diagnostic\n{out}");
    // Terraform wraps diagnostics at 78 columns.
    let flat = out.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(method),
        "diagnostic does not name {method:?}\n{out}"
    );
    assert!(flat.contains(fix), "diagnostic does not say {fix:?}\n{out}");
}

/// The PEM body lines of a key (what a leak would show).
fn key_lines(pem: &str) -> Vec<&str> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn client_certificate_pfx_and_pem() {
    let good = rsa_cert("contoso-terraform", "Pfx-Passw0rd-7261");
    let registered = good.cert_pem.clone();
    let mut acc = Acc::start_sign_in(|home, _| SignInConfig {
        certificates: vec![AppCertificate {
            client_id: home.client_id.clone(),
            certificate_pem: registered,
        }],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
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
    let mut acc = Acc::start_sign_in(|home, _| SignInConfig {
        certificates: vec![AppCertificate {
            client_id: home.client_id.clone(),
            certificate_pem: registered.cert_pem.clone(),
        }],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
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

fn federated(client_id: &str, issuer: &str, subject: &str) -> FederatedCredential {
    FederatedCredential {
        client_id: client_id.to_string(),
        issuer: issuer.to_string(),
        subject: subject.to_string(),
        audience: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oidc_token_file() {
    let subject = format!("system:serviceaccount:infra:{}", uuid::Uuid::new_v4());
    let s2 = subject.clone();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        federated: vec![federated(&home.client_id, "{emulator}/oidc", &s2)],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    let token = acc.emu.mint_oidc_token(&subject);
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
    let request_token = format!("ghs_{}", uuid::Uuid::new_v4().simple());
    let rt = request_token.clone();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        federated: vec![federated(
            &home.client_id,
            "{emulator}/_github",
            REPO_SUBJECT,
        )],
        github_actions: Some(GithubActions {
            request_token: rt,
            subject: REPO_SUBJECT.into(),
        }),
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
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
