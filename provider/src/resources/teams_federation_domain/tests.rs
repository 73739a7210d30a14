//! Validation and, over a scripted transport, what each operation sends: a read, the whole list
//! with the domain added or removed (the other entries untouched), a read after it; and the
//! errors of block-list mode and a blocked domain, before anything is written.

use super::*;
use crate::clients::http::mock::{step, MockTransport, Step};
use crate::framework::{TypedResource, Value};
use crate::resources::shared::teams_federation::PATH;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::Duration;

fn config(allowed: Option<&[&str]>, blocked: &[&str]) -> Json {
    let domains = |l: &[&str]| -> Vec<Json> { l.iter().map(|d| json!({"Domain": d})).collect() };
    json!({
        "AllowedDomains": match allowed {
            Some(l) => json!({"AllowedDomain": domains(l)}),
            None => json!({"AllowAllKnownDomains": {}}),
        },
        "BlockedDomains": domains(blocked),
        "AllowFederatedUsers": true,
    })
}

fn scripted(script: Vec<Step>) -> (Ctx, Arc<MockTransport>) {
    let m = MockTransport::new(script);
    (Ctx::for_tests(m.clone(), Duration::from_secs(3)), m)
}

fn get(body: Json) -> Step {
    step("GET", PATH, 200, Some(body))
}

fn model(d: &str) -> FederationDomain {
    FederationDomain {
        id: None,
        domain: Some(d.into()),
    }
}

#[test]
fn a_bad_domain_is_refused_at_plan_naming_the_attribute() {
    let mut v = Value::null_object(&schema().ty());
    v.set_attr("domain", Value::string("not a domain"));
    let d = schema().validate(&v);
    assert_eq!(
        d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
        Some("domain"),
        "{d}"
    );
    assert!(TypedResource::parse_import_id(&TeamsFederationDomain, "fabrikam.com").is_ok());
    assert!(TypedResource::parse_import_id(&TeamsFederationDomain, "global").is_err());
}

#[tokio::test]
async fn create_adds_to_the_list_keeping_the_other_entries_and_reads_back() {
    let (ctx, m) = scripted(vec![
        get(config(Some(&["oob.example"]), &[])),
        step("PATCH", PATH, 204, None),
        get(config(Some(&["oob.example", "fabrikam.com"]), &[])),
    ]);
    let got = TypedResource::create(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap();
    m.assert_done();
    assert_eq!(got.id.as_deref(), Some("fabrikam.com"));
    let bodies = m.bodies();
    assert_eq!(
        bodies.iter().flatten().next().unwrap(),
        &json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "oob.example"}, {"Domain": "fabrikam.com"}]}})
    );
}

#[tokio::test]
async fn block_list_mode_and_a_blocked_domain_fail_naming_the_setting_and_write_nothing() {
    let (ctx, m) = scripted(vec![get(config(None, &[]))]);
    let e = TypedResource::create(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap_err();
    m.assert_done();
    let text = format!("{e:?}");
    assert!(
        text.contains("AllowAllKnownDomains") && text.contains("domain_mode"),
        "{text}"
    );

    let (ctx, m) = scripted(vec![get(config(Some(&[]), &["Fabrikam.com"]))]);
    let e = TypedResource::create(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap_err();
    m.assert_done();
    assert!(format!("{e:?}").contains("BlockedDomains"), "{e:?}");
}

#[tokio::test]
async fn an_already_listed_domain_is_imported_not_taken_over() {
    let (ctx, m) = scripted(vec![get(config(Some(&["FABRIKAM.com"]), &[]))]);
    let e = TypedResource::create(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap_err();
    m.assert_done();
    assert!(format!("{e:?}").contains("terraform import"), "{e:?}");
}

#[tokio::test]
async fn a_write_that_does_not_land_is_an_error() {
    let (ctx, _) = scripted(vec![
        get(config(Some(&[]), &[])),
        step("PATCH", PATH, 204, None),
        get(config(Some(&[]), &[])),
    ]);
    let e = TypedResource::create(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap_err();
    assert!(
        format!("{e:?}").contains("do not hold fabrikam.com"),
        "{e:?}"
    );
}

#[tokio::test]
async fn read_says_whether_the_domain_is_listed() {
    let (ctx, _) = scripted(vec![get(config(Some(&["Fabrikam.com"]), &[]))]);
    let got = TypedResource::read(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap();
    assert_eq!(got.unwrap().domain.as_deref(), Some("Fabrikam.com"));
    let (ctx, _) = scripted(vec![get(config(None, &[]))]);
    let got = TypedResource::read(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap();
    assert_eq!(got, None);
}

#[tokio::test]
async fn delete_removes_only_its_domain_and_a_gone_one_needs_no_write() {
    let (ctx, m) = scripted(vec![
        get(config(Some(&["oob.example", "fabrikam.com"]), &[])),
        step("PATCH", PATH, 204, None),
        get(config(Some(&["oob.example"]), &[])),
    ]);
    TypedResource::delete(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap();
    m.assert_done();
    let bodies = m.bodies();
    assert_eq!(
        bodies.iter().flatten().next().unwrap(),
        &json!({"AllowedDomains": {"AllowedDomain": [{"Domain": "oob.example"}]}})
    );
    let (ctx, m) = scripted(vec![get(config(Some(&["oob.example"]), &[]))]);
    TypedResource::delete(&TeamsFederationDomain, &ctx, model("fabrikam.com"))
        .await
        .unwrap();
    m.assert_done();
}

/// Five creates at once over one provider: the lock makes each read-modify-write see the
/// others' domains, so all five land (a transport that keeps the list, like the service).
#[tokio::test]
async fn parallel_creates_all_land() {
    use crate::clients::http::{HttpRequest, HttpResponse, Transport};
    use std::sync::Mutex;
    struct Service(Mutex<Json>);
    #[async_trait]
    impl Transport for Service {
        async fn send(&self, req: HttpRequest) -> Result<HttpResponse, String> {
            // Yield so that unsynchronised callers would interleave their read and write.
            tokio::task::yield_now().await;
            let mut v = self.0.lock().unwrap();
            let body = if req.method == "PATCH" {
                let b: Json = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
                v["AllowedDomains"] = b["AllowedDomains"].clone();
                Vec::new()
            } else {
                serde_json::to_vec(&*v).unwrap()
            };
            Ok(HttpResponse {
                status: if body.is_empty() { 204 } else { 200 },
                headers: Vec::new(),
                body,
            })
        }
    }
    let service = Arc::new(Service(Mutex::new(config(Some(&[]), &[]))));
    let ctx = Arc::new(Ctx::for_tests(service.clone(), Duration::from_secs(5)));
    let domains: Vec<String> = (1..=5).map(|i| format!("d{i}.example")).collect();
    let tasks: Vec<_> = domains
        .iter()
        .map(|d| {
            let ctx = ctx.clone();
            let d = d.clone();
            tokio::spawn(async move {
                TypedResource::create(&TeamsFederationDomain, &ctx, model(&d)).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let listed = Config::from_json(service.0.lock().unwrap().clone());
    for d in &domains {
        assert!(listed.allows(d), "{d} lost: {:?}", listed.allowed);
    }
}
