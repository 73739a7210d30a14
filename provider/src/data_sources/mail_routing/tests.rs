use super::*;
use crate::clients::http::mock::{graph_error, step, MockTransport};
use serde_json::json;
use std::time::Duration;

fn mx(host: &str, preference: i64) -> Json {
    json!({"@odata.type": "#microsoft.graph.domainDnsMxRecord", "isOptional": false,
        "label": "x", "recordType": "Mx", "supportedService": "Email", "ttl": 3600,
        "mailExchange": host, "preference": preference})
}

#[test]
fn schema_is_complete_and_matches_the_model() {
    let s = schema();
    assert!(s.lint(TYPE_NAME).is_empty(), "{:?}", s.lint(TYPE_NAME));
    assert_eq!(MailRouting.model_mismatches(), Vec::<String>::new());
    assert_eq!(MailRouting.permissions(), &[("read", READ)]);
}

#[test]
fn only_email_mx_records_count_most_preferred_first() {
    let records = vec![
        json!({"@odata.type": "#microsoft.graph.domainDnsTxtRecord", "recordType": "Txt",
            "supportedService": "Email", "text": "v=spf1 include:spf.protection.outlook.com -all"}),
        mx("b.mail.protection.outlook.com", 10),
        // The documentation's example writes the type without '#'.
        json!({"@odata.type": "microsoft.graph.domainDnsMxRecord", "recordType": "Mx",
            "supportedService": "Email", "mailExchange": "a-com.o-v1.mx.microsoft", "preference": 0}),
        // An MX of another service is not a mail route of Exchange Online.
        json!({"@odata.type": "#microsoft.graph.domainDnsMxRecord", "recordType": "Mx",
            "supportedService": "Sharepoint", "mailExchange": "other.example", "preference": 0}),
        // Without @odata.type, recordType says what it is.
        json!({"recordType": "Mx", "supportedService": "Email", "mailExchange": "c.example", "preference": 5}),
        json!({"@odata.type": "#microsoft.graph.domainDnsCnameRecord", "recordType": "CName",
            "supportedService": "Email", "canonicalName": "autodiscover.outlook.com"}),
    ];
    let hosts: Vec<(String, Option<i64>)> = email_mx(&records)
        .into_iter()
        .map(|m| (m.host, m.preference))
        .collect();
    assert_eq!(
        hosts,
        [
            ("a-com.o-v1.mx.microsoft".to_string(), Some(0)),
            ("c.example".to_string(), Some(5)),
            ("b.mail.protection.outlook.com".to_string(), Some(10)),
        ]
    );
}

#[test]
fn record_paths_escape_what_is_not_a_dns_name() {
    assert_eq!(
        records_request("contoso.onmicrosoft.com").path,
        "/domains/contoso.onmicrosoft.com/serviceConfigurationRecords"
    );
    assert_eq!(
        records_request("a/b?c").path,
        "/domains/a%2Fb%3Fc/serviceConfigurationRecords"
    );
    assert_eq!(records_request("x.com").permission, Some(READ));
    assert_eq!(domains_request().permission, Some(READ));
}

#[tokio::test]
async fn reads_every_page_and_one_record_list_per_mail_domain() {
    let page1 = json!({"value": [{"id": "contoso.onmicrosoft.com", "isDefault": false, "isInitial": true,
            "isVerified": true, "supportedServices": ["OfficeCommunicationsOnline", "Email"]}],
        "@odata.nextLink": "https://graph.example/v1.0/domains?$skiptoken=2"});
    let page2 = json!({"value": [
        {"id": "contoso.com", "isDefault": true, "isInitial": false, "isVerified": true,
            "supportedServices": ["Email"]},
        // Unverified, and verified without Email: no request for either.
        {"id": "pending.example", "isDefault": false, "isInitial": false, "isVerified": false,
            "supportedServices": ["Email"]},
        {"id": "teams.example", "isDefault": false, "isInitial": false, "isVerified": true,
            "supportedServices": ["OfficeCommunicationsOnline"]}]});
    let m = MockTransport::new(vec![
        step("GET", "/v1.0/domains", 200, Some(page1)),
        step("GET", "/v1.0/domains?$skiptoken=2", 200, Some(page2)),
        step(
            "GET",
            "/v1.0/domains/contoso.onmicrosoft.com/serviceConfigurationRecords",
            200,
            Some(json!({"value": [mx("contoso.mail.protection.outlook.com", 0)]})),
        ),
        step(
            "GET",
            "/v1.0/domains/contoso.com/serviceConfigurationRecords",
            200,
            Some(json!({"value": [mx("contoso-com.o-v1.mx.microsoft", 0)]})),
        ),
    ]);
    let c = Ctx::for_tests(m.clone(), Duration::from_secs(5));
    let v = MailRouting.read(&c, &Value::Null).await.unwrap();
    m.assert_done();
    v.conforms(&schema().ty()).unwrap();
    let got: MailRoutingModel = typed::from_value(&schema(), &v).unwrap();
    assert_eq!(got.id.as_deref(), Some("contoso.onmicrosoft.com"));
    assert_eq!(
        got.initial_domain_mx.as_deref(),
        Some("contoso.mail.protection.outlook.com")
    );
    assert_eq!(got.default_domain.as_deref(), Some("contoso.com"));
    assert_eq!(
        got.default_domain_mx.as_deref(),
        Some("contoso-com.o-v1.mx.microsoft")
    );
    let ids: Vec<&str> = got.domains.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "contoso.com",
            "contoso.onmicrosoft.com",
            "pending.example",
            "teams.example"
        ]
    );
    assert!(got.domains[2].mx.is_empty() && got.domains[3].mx.is_empty());
    assert!(!got.domains[2].is_verified);
    assert_eq!(
        got.domains[1].supported_services,
        ["Email", "OfficeCommunicationsOnline"]
    );
}

#[tokio::test]
async fn a_refused_record_read_names_the_domain() {
    let m = MockTransport::new(vec![
        step(
            "GET",
            "/v1.0/domains",
            200,
            Some(
                json!({"value": [{"id": "contoso.onmicrosoft.com", "isDefault": true,
                "isInitial": true, "isVerified": true, "supportedServices": ["Email"]}]}),
            ),
        ),
        graph_error(
            "GET",
            "/v1.0/domains/contoso.onmicrosoft.com/serviceConfigurationRecords",
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
    ]);
    let c = Ctx::for_tests(m, Duration::from_secs(5));
    let e = MailRouting.read(&c, &Value::Null).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("contoso.onmicrosoft.com") && text.contains("Domain.Read.All"),
        "{text}"
    );
}
