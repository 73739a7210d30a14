//! Acceptance scenarios for `data "coexistence_tenant"`.

mod common;

use common::*;
use serde_json::json;

const DS: &str = "data.coexistence_tenant.t";

#[tokio::test(flavor = "multi_thread")]
async fn lookup_by_domain() {
    let acc = Acc::start().await;
    let p = acc.partner.clone();
    acc.config(&format!(
        "data \"coexistence_tenant\" \"t\" {{\n  domain_name = {}\n}}\noutput \"tid\" {{\n  value = data.coexistence_tenant.t.tenant_id\n}}\n",
        q(&p.default_domain)
    ));
    acc.tf.apply().await;
    let v = acc.tf.resource(DS).await;
    assert_eq!(v["tenant_id"], json!(p.tenant_id), "{v:#}");
    assert_eq!(v["display_name"], json!(p.display_name), "{v:#}");
    assert_eq!(v["default_domain_name"], json!(p.default_domain), "{v:#}");
    assert_eq!(acc.tf.output("tid").await, json!(p.tenant_id));
}

#[tokio::test(flavor = "multi_thread")]
async fn lookup_by_id_of_directory_only_tenant() {
    let other = Tenant::random("Northwind");
    let acc = Acc::start_with(vec![other.clone()]).await;
    acc.config(&format!(
        "data \"coexistence_tenant\" \"t\" {{\n  tenant_id = {}\n}}\n",
        q(&other.tenant_id)
    ));
    acc.tf.apply().await;
    let v = acc.tf.resource(DS).await;
    assert_eq!(v["tenant_id"], json!(other.tenant_id), "{v:#}");
    assert_eq!(v["display_name"], json!(other.display_name), "{v:#}");
    assert_eq!(
        v["default_domain_name"],
        json!(other.default_domain),
        "{v:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_domain_errors() {
    let acc = Acc::start().await;
    acc.config(
        "data \"coexistence_tenant\" \"t\" {\n  domain_name = \"no-such-tenant.example.com\"\n}\n",
    );
    acc.tf.plan_expect_error("no-such-tenant.example.com").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn both_or_neither_argument_rejected_at_plan() {
    let acc = Acc::start().await;
    let p = acc.partner.clone();
    acc.config(&format!(
        "data \"coexistence_tenant\" \"t\" {{\n  domain_name = {}\n  tenant_id   = {}\n}}\n",
        q(&p.default_domain),
        q(&p.tenant_id)
    ));
    acc.tf.plan_expect_error("domain_name").await;
    acc.config("data \"coexistence_tenant\" \"t\" {\n}\n");
    acc.tf.plan_expect_error("domain_name").await;
    assert!(acc.emu.requests().is_empty(), "{:#?}", acc.emu.requests());
}
