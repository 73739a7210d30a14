//! Sign-in scenarios' helpers: certificates, the provider block, tracing every command and
//! searching the trace, outputs and state for secrets.

use super::*;
use coexistence_acceptance::emulator::signin::{
    AppCertificate, FederatedCredential, GithubActions, SignInConfig,
};
use coexistence_acceptance::harness::TfOutput;

/// An RSA certificate and key, as PEM, plus a password-protected PKCS#12 of both.
pub struct Cert {
    pub cert_pem: String,
    pub key_pem: String,
    pub pfx: Vec<u8>,
}

pub fn rsa_cert(cn: &str, password: &str) -> Cert {
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
pub fn certificate_auth(path: &std::path::Path, password: Option<&str>) -> String {
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
pub fn config(acc: &Acc, tenant_id: &str, client_id: &str, auth: &str) -> String {
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
pub fn trace(acc: &mut Acc) -> std::path::PathBuf {
    let path = acc.tf.dir().join("trace.log");
    acc.tf.set_env("TF_LOG", "trace");
    acc.tf.set_env("TF_LOG_PATH", path.display().to_string());
    path
}

/// Neither the trace log nor the outputs contain any of `secrets` or any access token.
pub fn assert_no_leak(acc: &Acc, log: &std::path::Path, outputs: &[TfOutput], secrets: &[&str]) {
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
pub fn assert_one_diagnostic(out: &TfOutput, method: &str, fix: &str) {
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
pub fn key_lines(pem: &str) -> Vec<&str> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .collect()
}

pub fn federated(client_id: &str, issuer: &str, subject: &str) -> FederatedCredential {
    FederatedCredential {
        client_id: client_id.to_string(),
        issuer: issuer.to_string(),
        subject: subject.to_string(),
        audience: None,
    }
}

/// An emulator whose home app trusts the GitHub Actions stand-in's tokens for `subject`, with
/// trace logging on: (the harness, the request token the stand-in accepts, the trace log).
pub async fn github_actions(subject: &'static str) -> (Acc, String, std::path::PathBuf) {
    let request_token = format!("ghs_{}", uuid::Uuid::new_v4().simple());
    let rt = request_token.clone();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        federated: vec![federated(&home.client_id, "{emulator}/_github", subject)],
        github_actions: Some(GithubActions {
            request_token: rt,
            subject: subject.into(),
        }),
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    (acc, request_token, log)
}

/// An emulator whose home app has `certificate_pem` registered, with trace logging on: (the
/// harness, the trace log).
pub async fn certificate_registered(certificate_pem: &str) -> (Acc, std::path::PathBuf) {
    let registered = certificate_pem.to_string();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        certificates: vec![AppCertificate {
            client_id: home.client_id.clone(),
            certificate_pem: registered,
        }],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    (acc, log)
}

/// An emulator whose home app trusts the emulator's own OIDC issuer for a fresh Kubernetes
/// service-account subject, with trace logging on: (the harness, a token for that subject, the
/// trace log).
pub async fn oidc_federated() -> (Acc, String, std::path::PathBuf) {
    let subject = format!("system:serviceaccount:infra:{}", uuid::Uuid::new_v4());
    let s2 = subject.clone();
    let mut acc = Acc::start_sign_in(move |home, _| SignInConfig {
        federated: vec![federated(&home.client_id, "{emulator}/oidc", &s2)],
        ..Default::default()
    })
    .await;
    let log = trace(&mut acc);
    let token = acc.emu.mint_oidc_token(&subject);
    (acc, token, log)
}
