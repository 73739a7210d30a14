//! Domains family: each tenant's two domains served one per page with `@odata.nextLink`, the
//! real response shapes (`@odata.context`, `@odata.type` on each record), the published MX
//! records (`<name>.mail.protection.outlook.com` for the initial domain, an `mx.microsoft` host
//! for the custom one), strict query options and an unknown domain.

mod emulator_support;

use emulator_support::*;

/// Every domain of the tenant behind `token`, following `@odata.nextLink`; the pages too.
async fn all_domains(env: &Env, token: &str, first: &str) -> (Vec<Value>, Vec<Value>) {
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    let mut path = first.to_string();
    loop {
        let (s, page) = env.graph(Method::GET, &path, token, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        items.extend(page["value"].as_array().unwrap().iter().cloned());
        pages.push(page.clone());
        match page["@odata.nextLink"].as_str() {
            Some(link) => {
                path = link
                    .strip_prefix(&env.emu.url())
                    .expect("next link on the emulator")
                    .to_string()
            }
            None => return (items, pages),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn domains_are_paged_with_the_documented_shape() {
    let env = Env::new().await;
    let token = env.token().await;
    let (domains, pages) = all_domains(&env, &token, "/v1.0/domains").await;
    assert_eq!(pages.len(), 2, "one domain per page: {pages:#?}");
    for p in &pages {
        assert!(
            p["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#domains"),
            "{p}"
        );
    }
    assert!(pages[1].get("@odata.nextLink").is_none());
    let ids: Vec<&str> = domains.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["contoso.onmicrosoft.com", "contoso.com"]);
    let initial = &domains[0];
    assert_eq!(
        (
            &initial["isInitial"],
            &initial["isDefault"],
            &initial["isVerified"]
        ),
        (&json!(true), &json!(true), &json!(true)),
        "{initial}"
    );
    assert_eq!(initial["authenticationType"], "Managed");
    assert!(initial["supportedServices"]
        .as_array()
        .unwrap()
        .contains(&json!("Email")));
    let custom = &domains[1];
    assert_eq!(
        (
            &custom["isInitial"],
            &custom["isDefault"],
            &custom["isVerified"]
        ),
        (&json!(false), &json!(false), &json!(true)),
        "{custom}"
    );

    // Each tenant sees its own domains.
    let fab = env.tenant_token(FABRIKAM, GRAPH_SCOPE).await;
    let (domains, _) = all_domains(&env, &fab, "/v1.0/domains").await;
    assert_eq!(domains[0]["id"], "fabrikam.onmicrosoft.com");
    assert_eq!(domains[1]["id"], "fabrikam.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn select_is_kept_across_pages_and_checked() {
    let env = Env::new().await;
    let token = env.token().await;
    let (domains, pages) = all_domains(&env, &token, "/v1.0/domains?$select=isInitial").await;
    assert_eq!(domains.len(), 2);
    for d in &domains {
        let keys: Vec<&String> = d.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "isInitial"], "{d}");
    }
    assert!(pages[0]["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#domains(isInitial)"));

    let (s, e) = env
        .graph(Method::GET, "/v1.0/domains?$select=mx", &token, None)
        .await;
    assert_eq!((s, err_code(&e)), (StatusCode::BAD_REQUEST, "BadRequest"));
    assert!(err_msg(&e).contains("'mx'"), "{e}");
    for bad in ["/v1.0/domains?$top=1", "/v1.0/domains?$skiptoken=bogus"] {
        let (s, e) = env.graph(Method::GET, bad, &token, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn service_configuration_records_publish_the_mail_exchangers() {
    let env = Env::new().await;
    let token = env.token().await;
    for (domain, mx) in [
        (
            "contoso.onmicrosoft.com",
            "contoso.mail.protection.outlook.com",
        ),
        // Case-insensitive key, as directory keys are.
        ("Contoso.com", "contoso-com.o-v1.mx.microsoft"),
    ] {
        let path = format!("/v1.0/domains/{domain}/serviceConfigurationRecords");
        let (s, body) = env.graph(Method::GET, &path, &token, None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/serviceConfigurationRecords"),
            "{body}"
        );
        let records = body["value"].as_array().unwrap();
        assert!(records.len() > 1, "not only the MX record: {body}");
        for r in records {
            assert!(
                r["@odata.type"]
                    .as_str()
                    .unwrap()
                    .starts_with("#microsoft.graph.domainDns"),
                "{r}"
            );
        }
        let mxs: Vec<&Value> = records
            .iter()
            .filter(|r| r["@odata.type"] == "#microsoft.graph.domainDnsMxRecord")
            .collect();
        assert_eq!(mxs.len(), 1, "{body}");
        assert_eq!(mxs[0]["mailExchange"], mx);
        assert_eq!(mxs[0]["preference"], 0);
        assert_eq!(mxs[0]["supportedService"], "Email");
        assert_eq!(mxs[0]["recordType"], "Mx");
    }

    // Another tenant's domain is not this tenant's.
    let (s, e) = env
        .graph(
            Method::GET,
            "/v1.0/domains/fabrikam.com/serviceConfigurationRecords",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (s, err_code(&e)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
    );
    let (s, _) = env
        .graph(
            Method::GET,
            "/v1.0/domains/contoso.com/serviceConfigurationRecords?$top=1",
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
