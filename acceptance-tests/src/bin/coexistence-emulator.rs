//! `coexistence-emulator` — runs the Microsoft Graph / identity platform / Exchange admin API
//! emulator until SIGTERM / SIGINT. `--help` ([`HELP`]) says what it takes and serves; the
//! control API is documented for users in `acceptance-tests/EMULATOR.md`.
//!
//! `--demo` uses two built-in tenants (Contoso and Fabrikam), each with a group of three users
//! seeded so that a synchronization job can scope them at once (and, the provisioning engine on,
//! creates them in the other tenant when it starts), plus a directory-only tenant
//! (Northwind). Once listening, it prints the URL, the CA path and (demo) the tenants and the
//! seeded principals, and only then writes the base URL to `<state-dir>/url`: scripts that wait
//! for that file find the whole banner on stdout.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use coexistence_acceptance::emulator::graph::xts::{
    add_group_with_members, add_user_with, set_provisioning,
};
use coexistence_acceptance::emulator::{Emulator, EmulatorConfig, Latency, TenantSpec};

const HELP: &str = "\
coexistence-emulator: an emulator of the endpoints terraform-provider-coexistence calls
(identity platform sign-in, Microsoft Graph, Exchange Online admin API), over HTTPS on
127.0.0.1 with a CA of its own, for trying the provider and for its acceptance tests.

Usage:
  coexistence-emulator --demo --state-dir <dir> [--port <n>] [--latency <spec>]
  coexistence-emulator --config <file.json> --state-dir <dir> [--port <n>] [--latency <spec>]

Options:
  --demo             Built-in tenants: Contoso and Fabrikam (fake credentials, printed at
                     start), each seeded with a group of three users for cross-tenant
                     synchronization (a started job provisions them into the other
                     tenant), and Northwind (directory only: tenant lookup, no
                     sign-in).
  --config <file>    The tenants as JSON instead: {\"tenants\": [{\"tenant_id\", \"display_name\",
                     \"default_domain\", \"client_id\", \"client_secret\"}, ...],
                     \"directory_only\": [same fields], \"port\": 0}; optionally
                     \"sign_in\": app certificates, federated credentials and managed
                     identities (SignInConfig in acceptance-tests/src/emulator/signin.rs).
  --state-dir <dir>  Required. Written there: ca.pem (the CA to trust, e.g. SSL_CERT_FILE),
                     emulator.log (one JSON line per request, credentials redacted) and url
                     (the base URL, written last, once listening).
  --port <n>         Port to listen on (default: any free port).
  --latency <spec>   Time added to each request of an API, e.g. graph=80ms,exchange=400ms,teams=300ms
                     (default none; also \"latency\": {\"graph_ms\", \"exchange_ms\", \"teams_ms\"} in the
                     config, and POST /_emulator/latency). A benchmarking knob: the real
                     services' latency is not emulated.
  -h, --help         This text.

The base URL (https://127.0.0.1:<port>) serves, for the provider block:
  authority_host     <url>/<tenant>/oauth2/v2.0/token (client secret, certificate, OIDC)
  graph_endpoint     <url>/v1.0/...
  exchange_endpoint  <url>/adminapi/beta/<tenant>/InvokeCommand
  teams_endpoint     <url>/Skype.Policy/configurations/TenantFederationSettings/...
and, unauthenticated, the control API under <url>/_emulator/: seed, read, change and delete
objects out of band, a tenant's summary, faults, replication lag, the clock, rate limits and
the request log.

Docs: acceptance-tests/EMULATOR.md (the control API, with curl examples);
acceptance-tests/API-NOTES.md (what each emulated behaviour rests on).
`make emulator` runs it with --demo and prints provider blocks to paste.
Runs until SIGINT (Ctrl-C) or SIGTERM.";

fn usage() -> &'static str {
    "usage: coexistence-emulator (--config <file.json> | --demo) --state-dir <dir> [--port N] [--latency graph=80ms,exchange=400ms] (--help for more)"
}

fn demo_config() -> EmulatorConfig {
    let t = |id: &str, name: &str, domain: &str, client: &str, secret: &str| TenantSpec {
        tenant_id: id.into(),
        display_name: name.into(),
        default_domain: domain.into(),
        client_id: client.into(),
        client_secret: secret.into(),
    };
    EmulatorConfig {
        tenants: vec![
            t(
                "6babcaad-604b-40ac-a9d7-9fd97c0b779f",
                "Contoso",
                "contoso.onmicrosoft.com",
                "0c0a11e5-c011-4a11-8c0a-000000000001",
                "contoso-demo-secret",
            ),
            t(
                "9c5d131d-b1c3-4fc4-9e3f-c6557947d551",
                "Fabrikam",
                "fabrikam.onmicrosoft.com",
                "fab0a11e-fab1-4a11-8fab-000000000002",
                "fabrikam-demo-secret",
            ),
        ],
        directory_only: vec![t(
            "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
            "Northwind Traders",
            "northwind.onmicrosoft.com",
            "",
            "",
        )],
        port: 0,
        sign_in: Default::default(),
        latency: Default::default(),
    }
}

/// A principal `--demo` seeds: (tenant, kind, id, display name).
type Principal = (&'static str, &'static str, &'static str, &'static str);

/// Per demo tenant, the group `examples/demo` synchronizes to the other tenant, and users
/// (every user of a tenant is a direct member of its group).
const DEMO_PRINCIPALS: &[Principal] = &[
    (
        "Contoso",
        "group",
        "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d",
        "Contoso people in Fabrikam",
    ),
    (
        "Contoso",
        "user",
        "c0a1e5e1-0001-4c0a-8c0a-000000000101",
        "Adele Vance",
    ),
    (
        "Contoso",
        "user",
        "c0a1e5e1-0002-4c0a-8c0a-000000000102",
        "Alex Wilber",
    ),
    (
        "Contoso",
        "user",
        "c0a1e5e1-0003-4c0a-8c0a-000000000103",
        "Megan Bowen",
    ),
    (
        "Fabrikam",
        "group",
        "0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5",
        "Fabrikam people in Contoso",
    ),
    (
        "Fabrikam",
        "user",
        "fab0e5e1-0001-4fab-8fab-000000000201",
        "Diego Siciliani",
    ),
    (
        "Fabrikam",
        "user",
        "fab0e5e1-0002-4fab-8fab-000000000202",
        "Isaiah Langer",
    ),
    (
        "Fabrikam",
        "user",
        "fab0e5e1-0003-4fab-8fab-000000000203",
        "Lynne Robbins",
    ),
];

/// The demo principals, and the provisioning engine on: the jobs the demo starts at high trust
/// create each group's members in the other tenant.
fn seed_demo(emu: &Emulator, cfg: &EmulatorConfig) {
    for (tenant, kind, id, name) in DEMO_PRINCIPALS {
        let Some(t) = cfg.tenants.iter().find(|t| t.display_name == *tenant) else {
            continue;
        };
        if *kind == "group" {
            let members: Vec<&str> = DEMO_PRINCIPALS
                .iter()
                .filter(|p| p.0 == *tenant && p.1 == "user")
                .map(|p| p.2)
                .collect();
            add_group_with_members(emu, &t.tenant_id, id, name, &members);
        } else {
            let upn = format!(
                "{}@{}",
                name.to_ascii_lowercase().replace(' ', "."),
                t.default_domain
            );
            add_user_with(
                emu,
                &t.tenant_id,
                id,
                serde_json::json!({"displayName": name, "userPrincipalName": upn, "accountEnabled": true}),
            );
        }
    }
    set_provisioning(emu, true);
}

fn print_demo_banner(emu: &Emulator, cfg: &EmulatorConfig) {
    println!("demo tenants (token endpoint: {}/<tenant>/oauth2/v2.0/token, scope https://graph.microsoft.com/.default):", emu.url());
    for t in &cfg.tenants {
        println!(
            "  {:<10} tenant_id={} domain={} client_id={} client_secret={}",
            t.display_name, t.tenant_id, t.default_domain, t.client_id, t.client_secret
        );
    }
    for t in &cfg.directory_only {
        println!(
            "  {:<10} tenant_id={} domain={} (directory only: lookup, no sign-in)",
            t.display_name, t.tenant_id, t.default_domain
        );
    }
    println!(
        "seeded principals (for a coexistence_xts_job's scoping_group_ids / scoping_user_ids):"
    );
    for (tenant, kind, id, name) in DEMO_PRINCIPALS {
        println!("  {tenant:<10} {kind:<5} {id} \"{name}\"");
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config: Option<PathBuf> = None;
    let mut state_dir: Option<PathBuf> = None;
    let mut demo = false;
    let mut port: Option<u16> = None;
    let mut latency: Option<Latency> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => config = args.next().map(PathBuf::from),
            "--state-dir" => state_dir = args.next().map(PathBuf::from),
            "--demo" => demo = true,
            "--port" => {
                port = Some(
                    args.next()
                        .context("--port needs a value")?
                        .parse()
                        .context("--port must be a number")?,
                )
            }
            "--latency" => {
                let spec = args.next().context("--latency needs a value")?;
                latency = Some(Latency::parse(&spec).map_err(|e| anyhow::anyhow!("--latency {e}"))?)
            }
            "-h" | "--help" => {
                println!("{HELP}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n{}", usage()),
        }
    }
    let Some(state_dir) = state_dir else {
        bail!("--state-dir is required\n{}", usage());
    };
    let mut cfg = match (config, demo) {
        (Some(path), false) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str::<EmulatorConfig>(&text)
                .with_context(|| format!("parsing {}", path.display()))?
        }
        (None, true) => demo_config(),
        _ => bail!("exactly one of --config or --demo is required\n{}", usage()),
    };
    if let Some(p) = port {
        cfg.port = p;
    }
    if let Some(l) = latency {
        cfg.latency = l;
    }

    let emu = Emulator::start(cfg.clone(), &state_dir).await?;
    println!("coexistence-emulator listening on {}", emu.url());
    println!("CA certificate: {}", emu.ca_pem_path().display());
    println!(
        "control API: {}/_emulator/ (acceptance-tests/EMULATOR.md)",
        emu.url()
    );
    if demo {
        seed_demo(&emu, &cfg);
        print_demo_banner(&emu, &cfg);
    }
    let url_file = state_dir.join("url");
    std::fs::write(&url_file, emu.url())
        .with_context(|| format!("writing {}", url_file.display()))?;

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    drop(emu);
    Ok(())
}
