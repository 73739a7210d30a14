//! Tenant lookup tests (findTenantInformationBy*).
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn tenant_lookup() {
    let env = Env::new().await;
    let token = env.token().await;
    let base = "/v1.0/tenantRelationships";
    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByTenantId(tenantId='{FABRIKAM}')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["displayName"], "Fabrikam");
    assert_eq!(got["defaultDomainName"], "fabrikam.onmicrosoft.com");
    assert_eq!(got["federationBrandName"], Value::Null);

    let (s, got) = env
        .graph(
            Method::GET,
            &format!(
                "{base}/findTenantInformationByDomainName(domainName='NorthWind.onmicrosoft.com')"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["tenantId"], NORTHWIND);

    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByDomainName(domainName='unknown.example')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&got), "Directory_ObjectNotFound");
    let (s, _) = env
        .graph(
            Method::GET,
            &format!(
                "{base}/findTenantInformationByTenantId(tenantId='00000000-0000-4000-8000-000000000000')"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env
        .graph(
            Method::GET,
            &format!("{base}/findTenantInformationByTenantId(tenantId='not-a-guid')"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
