//! What a failed sign-in says, through the real terraform CLI: a wrong port, an unknown host
//! and an untrusted certificate each name their cause and the URL contacted (never the
//! client-secret hint); a wrong secret gives the secret hint; an unknown client ID or tenant
//! its own message; and a provider reports its sign-in failure once, however many resources
//! it serves.

mod common;

use coexistence_acceptance::harness::TfOutput;
use common::*;

const SECRET_HINT: &str = "client_secret is the secret's value";

/// A provider signing in to the home tenant with `client_id` / `client_secret` at
/// `authority_host`, and a partner per tenant in `partners`.
fn config(
    acc: &Acc,
    authority_host: &str,
    client_id: &str,
    secret: &str,
    partners: &[&str],
) -> String {
    let url = acc.emu.url();
    let mut hcl = format!(
        "{}\nprovider \"coexistence\" {{\n  tenant_id      = {}\n  client_id      = {}\n  client_secret  = {}\n  authority_host = {}\n  graph_endpoint = {}\n}}\n",
        coexistence_acceptance::harness::terraform_block(),
        q(&acc.home.tenant_id),
        q(client_id),
        q(secret),
        q(authority_host),
        q(&url),
    );
    for (i, p) in partners.iter().enumerate() {
        let mut partner = Partner::minimal(p);
        partner.name = format!("partner{i}");
        hcl += &partner.hcl();
    }
    hcl
}

/// stderr with Terraform's line wrapping undone.
fn flat(out: &TfOutput) -> String {
    out.stderr.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn token_url(authority: &str, tenant: &str) -> String {
    format!("{authority}/{tenant}/oauth2/v2.0/token")
}

/// The apply fails with one diagnostic saying `cause` and naming `url`, without the secret
/// hint.
async fn expect_cause(acc: &Acc, cause: &str, url: &str) -> TfOutput {
    let out = acc.tf.apply_expect_error("Sign-in to tenant").await;
    let f = flat(&out);
    assert_eq!(
        out.stderr.matches("Error: ").count(),
        1,
        "one diagnostic\n{out}"
    );
    assert!(f.contains(cause), "does not say {cause:?}\n{out}");
    assert!(f.contains(url), "does not name the URL {url}\n{out}");
    assert!(!f.contains(SECRET_HINT), "blames the secret\n{out}");
    assert!(
        !f.contains("retry policy expired"),
        "the library's words, not the cause\n{out}"
    );
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_port_says_connection_refused() {
    let acc = Acc::start().await;
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let authority = format!("https://127.0.0.1:{port}");
    let (cid, secret) = (acc.home.client_id.clone(), acc.home.client_secret.clone());
    acc.tf.write_config(&config(
        &acc,
        &authority,
        &cid,
        &secret,
        &[&acc.partner.tenant_id],
    ));
    let url = token_url(&authority, &acc.home.tenant_id);
    expect_cause(&acc, "connection refused", &url).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_host_says_so() {
    let acc = Acc::start().await;
    let authority = "https://login.coexistence.invalid";
    let (cid, secret) = (acc.home.client_id.clone(), acc.home.client_secret.clone());
    acc.tf.write_config(&config(
        &acc,
        authority,
        &cid,
        &secret,
        &[&acc.partner.tenant_id],
    ));
    let url = token_url(authority, &acc.home.tenant_id);
    expect_cause(
        &acc,
        "unknown host: the name login.coexistence.invalid could not be resolved",
        &url,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn untrusted_certificate_names_the_trusted_roots() {
    let mut acc = Acc::start().await;
    // The emulator's CA is only trusted through SSL_CERT_FILE.
    acc.tf.remove_env("SSL_CERT_FILE");
    let authority = acc.emu.url();
    let (cid, secret) = (acc.home.client_id.clone(), acc.home.client_secret.clone());
    acc.tf.write_config(&config(
        &acc,
        &authority,
        &cid,
        &secret,
        &[&acc.partner.tenant_id],
    ));
    let url = token_url(&authority, &acc.home.tenant_id);
    let out = expect_cause(&acc, "TLS certificate is not trusted", &url).await;
    assert!(flat(&out).contains("SSL_CERT_FILE is not set"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_gives_the_secret_hint() {
    let acc = Acc::start().await;
    let authority = acc.emu.url();
    let cid = acc.home.client_id.clone();
    let wrong = format!("Wrong-{}", uuid::Uuid::new_v4().simple());
    acc.tf.write_config(&config(
        &acc,
        &authority,
        &cid,
        &wrong,
        &[&acc.partner.tenant_id],
    ));
    let out = acc.tf.apply_expect_error("AADSTS7000215").await;
    let f = flat(&out);
    assert_eq!(out.stderr.matches("Error: ").count(), 1, "{out}");
    assert!(f.contains(SECRET_HINT), "{out}");
    assert!(
        f.contains(&token_url(&authority, &acc.home.tenant_id)),
        "{out}"
    );
    assert!(
        !out.combined().contains(&wrong),
        "the secret is never shown\n{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_client_id_has_its_own_message() {
    let acc = Acc::start().await;
    let authority = acc.emu.url();
    let unknown = uuid::Uuid::new_v4().to_string();
    let secret = acc.home.client_secret.clone();
    acc.tf.write_config(&config(
        &acc,
        &authority,
        &unknown,
        &secret,
        &[&acc.partner.tenant_id],
    ));
    let out = acc.tf.apply_expect_error("AADSTS700016").await;
    let f = flat(&out);
    assert!(
        f.contains(&format!(
            "No application with client ID {unknown} is registered in tenant {}",
            acc.home.tenant_id
        )),
        "{out}"
    );
    assert!(!f.contains(SECRET_HINT), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_tenant_has_its_own_message() {
    let acc = Acc::start().await;
    let authority = acc.emu.url();
    let unknown = uuid::Uuid::new_v4().to_string();
    let (cid, secret) = (acc.home.client_id.clone(), acc.home.client_secret.clone());
    let hcl = config(&acc, &authority, &cid, &secret, &[&acc.partner.tenant_id])
        .replace(&q(&acc.home.tenant_id), &q(&unknown));
    acc.tf.write_config(&hcl);
    let out = acc.tf.apply_expect_error("AADSTS90002").await;
    let f = flat(&out);
    assert!(
        f.contains(&format!("No tenant {unknown} exists in this cloud")),
        "{out}"
    );
    assert!(!f.contains(SECRET_HINT), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_failure_is_reported_once_per_provider() {
    let acc = Acc::start_with_more_tenants(&["Northwind"]).await;
    let authority = acc.emu.url();
    let cid = acc.home.client_id.clone();
    let wrong = format!("Wrong-{}", uuid::Uuid::new_v4().simple());
    let partners = [
        acc.partner.tenant_id.as_str(),
        acc.more[0].tenant_id.as_str(),
    ];
    acc.tf
        .write_config(&config(&acc, &authority, &cid, &wrong, &partners));
    let out = acc.tf.apply_expect_error("AADSTS7000215").await;
    let f = flat(&out);
    assert_eq!(
        f.matches("Sign-in to tenant").count(),
        1,
        "the long error once\n{out}"
    );
    assert_eq!(f.matches("AADSTS7000215").count(), 1, "{out}");
    assert!(
        f.contains("this provider could not sign in"),
        "the other resource says why briefly\n{out}"
    );
    let token_requests = acc
        .emu
        .requests()
        .iter()
        .filter(|r| r.path.contains("oauth2/v2.0/token"))
        .count();
    assert_eq!(token_requests, 1, "one sign-in attempt per provider");
}
