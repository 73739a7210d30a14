//! The per-API latency knob (API-NOTES.md#latency): each admitted request of an API waits its
//! configured time, the other API's do not, it is set on the command line, in the configuration
//! or through the control API, and Conditional Access's pacing holds with it on. Short
//! latencies keep the tests fast; only lower bounds are timed (a loaded machine is slower, never
//! faster).

mod emulator_support;

use coexistence_acceptance::emulator::Latency;
use emulator_support::*;
use std::time::Instant;

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

#[test]
fn the_command_line_spelling_parses_per_api() {
    assert_eq!(
        Latency::parse("graph=80ms,exchange=0.4s,teams=300ms"),
        Ok(Latency {
            graph_ms: 80,
            exchange_ms: 400,
            teams_ms: 300
        })
    );
    assert_eq!(
        Latency::parse("exchange=5ms"),
        Ok(Latency {
            graph_ms: 0,
            exchange_ms: 5,
            teams_ms: 0
        })
    );
    assert_eq!(Latency::parse(""), Ok(Latency::default()));
    for bad in ["graph", "graph=80", "smtp=1ms", "graph=-1ms", "graph=fast"] {
        assert!(Latency::parse(bad).is_err(), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_api_waits_its_own_latency_set_through_the_control_api() {
    let env = Env::new().await;
    let graph = env.token().await;
    let exo = env.token_for(EXCHANGE_SCOPE).await;
    let url = env.emu.url();
    let timed_graph = || async {
        let t = Instant::now();
        let (s, _) = env.graph(Method::GET, PARTNERS, &graph, None).await;
        assert_eq!(s, StatusCode::OK);
        t.elapsed()
    };
    let timed_exchange = || async {
        let t = Instant::now();
        let (s, _, v) = env
            .call(
                Method::POST,
                INVOKE,
                Some(&exo),
                Some(cmdlet("Get-AcceptedDomain", json!({}))),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        t.elapsed()
    };
    assert_eq!(
        env.http
            .get(format!("{url}/_emulator/latency"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
        json!({"graph_ms": 0, "exchange_ms": 0, "teams_ms": 0}),
        "none by default"
    );

    let set = |body: Value| {
        env.http
            .post(format!("{url}/_emulator/latency"))
            .json(&body)
            .send()
    };
    assert_eq!(
        set(json!({"graph_ms": 300})).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert!(timed_graph().await >= Duration::from_millis(300));
    // Exchange's own latency, not Graph's: with Graph at 300 ms and Exchange at 0, an
    // Exchange call that took 300 ms would be Graph's latency leaking over. Timed by the
    // Exchange side's lower bound instead (no upper bounds: a loaded machine is slow).
    assert_eq!(
        set(json!({"graph_ms": 0, "exchange_ms": 250}))
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(timed_exchange().await >= Duration::from_millis(250));
    assert_eq!(
        env.emu.as_ref().latency(),
        Latency {
            graph_ms: 0,
            exchange_ms: 250,
            teams_ms: 0
        }
    );
    // Unknown members are refused, not ignored.
    assert_eq!(
        set(json!({"graph": 80})).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    // The token endpoint has none: it is neither API.
    set(json!({"graph_ms": 5000, "exchange_ms": 5000}))
        .await
        .unwrap();
    let t = Instant::now();
    env.token().await;
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configuration_sets_it_and_conditional_access_pacing_holds() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = EmulatorConfig {
        tenants: vec![tenant(
            CONTOSO,
            "Contoso",
            "contoso.onmicrosoft.com",
            CONTOSO_CLIENT,
            CONTOSO_SECRET,
        )],
        latency: Latency::parse("graph=200ms").unwrap(),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg, dir.path()).await.unwrap();
    // One request a second per tenant: the window counts arrivals on the emulator clock,
    // paused here so the latency cannot carry the second request into the next second.
    emu.pause_clock();
    let pem = std::fs::read(emu.ca_pem_path()).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let token: Value = http
        .post(format!("{}/{CONTOSO}/oauth2/v2.0/token", emu.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CONTOSO_CLIENT),
            ("client_secret", CONTOSO_SECRET),
            ("scope", GRAPH_SCOPE),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let get = || {
        http.get(format!("{}{POLICIES}", emu.url()))
            .bearer_auth(&token)
            .send()
    };
    let t = Instant::now();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(200));
    assert_eq!(
        get().await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "paced as without latency"
    );
    emu.advance(Duration::from_secs(1));
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
}
