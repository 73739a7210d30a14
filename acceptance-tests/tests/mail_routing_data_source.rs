//! Acceptance scenarios for `data "coexistence_mail_routing"`: what each tenant's provider reads
//! is exactly what the service publishes for that tenant (the emulator's seeded domains, an
//! initial one on `mail.protection.outlook.com` and a custom one on `mx.microsoft`), through
//! every page of `/domains`, one record request per domain, and past a throttled request.

mod common;

use coexistence_acceptance::emulator::graph::domains::seeded;
use coexistence_acceptance::emulator::Fault;
use common::*;
use serde_json::{json, Value};

/// The data source's `domains` as the emulator publishes them for `t`, sorted by name.
fn published(t: &Tenant) -> Value {
    let mut domains = seeded(&t.spec());
    domains.sort_by(|a, b| a.id.cmp(&b.id));
    Value::Array(
        domains
            .into_iter()
            .map(|d| {
                let mut services: Vec<&str> = d.supported_services.clone();
                services.sort();
                json!({
                    "id": d.id,
                    "is_default": d.is_default,
                    "is_initial": d.is_initial,
                    "is_verified": d.is_verified,
                    "supported_services": services,
                    "mx": [{"host": d.mx.0, "preference": d.mx.1}],
                })
            })
            .collect(),
    )
}

const OUTPUTS: &str = r#"
output "initial_mx" {
  value = data.coexistence_mail_routing.this.initial_domain_mx
}
output "custom_mx" {
  value = one([for d in data.coexistence_mail_routing.this.domains : d.mx[0].host if !d.is_initial])
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn reads_the_published_mail_exchangers_of_initial_and_custom_domains() {
    let acc = Acc::start().await;
    // A throttled first page is retried, within the data source's deadline.
    acc.emu
        .inject(Fault::status(429).on("GET", "/v1.0/domains"));
    acc.config(&format!(
        "data \"coexistence_mail_routing\" \"this\" {{}}\n{OUTPUTS}"
    ));
    acc.tf.apply().await;
    let v = acc.tf.resource("data.coexistence_mail_routing.this").await;
    let home = &acc.home;
    assert_eq!(v["domains"], published(home), "{v:#}");
    let name = home.default_domain.trim_end_matches(".onmicrosoft.com");
    // The initial domain's host is the tenant name's, not the domain with dots as dashes.
    let initial_mx = format!("{name}.mail.protection.outlook.com");
    assert_eq!(v["initial_domain_mx"], json!(initial_mx), "{v:#}");
    assert_eq!(v["id"], json!(home.default_domain));
    assert_eq!(v["initial_domain"], json!(home.default_domain));
    assert_eq!(v["default_domain"], json!(home.default_domain));
    assert_eq!(v["default_domain_mx"], json!(initial_mx));
    assert_eq!(acc.tf.output("initial_mx").await, json!(initial_mx));
    assert_eq!(
        acc.tf.output("custom_mx").await,
        json!(format!("{name}-com.o-v1.mx.microsoft"))
    );

    // Every page of /domains was read, and each domain's records once per read.
    let log = acc.emu.requests();
    let domain_pages = log
        .iter()
        .filter(|r| r.path == "/v1.0/domains" && r.status == 200)
        .count();
    let record_reads = log
        .iter()
        .filter(|r| r.path.ends_with("/serviceConfigurationRecords"))
        .count();
    assert!(domain_pages >= 2, "every page, each read: {domain_pages}");
    assert!(
        log.iter()
            .any(|r| r.path == "/v1.0/domains" && r.status == 429),
        "the throttled page was answered 429"
    );
    // One domain per page: as many record requests as pages read.
    assert_eq!(
        record_reads, domain_pages,
        "one record request per domain per read"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_provider_reads_its_own_tenant() {
    let acc = Acc::start().await;
    acc.config(&format!(
        "{partner}\ndata \"coexistence_mail_routing\" \"home\" {{}}\n\ndata \"coexistence_mail_routing\" \"partner\" {{\n  provider = coexistence.fabrikam\n}}\n",
        partner = acc.provider_block(&acc.partner, Some("fabrikam")),
    ));
    acc.tf.apply().await;
    let home = acc.tf.resource("data.coexistence_mail_routing.home").await;
    let partner = acc
        .tf
        .resource("data.coexistence_mail_routing.partner")
        .await;
    assert_eq!(home["domains"], published(&acc.home), "{home:#}");
    assert_eq!(partner["domains"], published(&acc.partner), "{partner:#}");
    assert_ne!(home["initial_domain_mx"], partner["initial_domain_mx"]);
}
