//! `coexistence-emulator` — runs the Microsoft Graph / identity platform emulator.
//!
//! ```text
//! coexistence-emulator --config <file.json> --state-dir <dir> [--port N]
//! coexistence-emulator --demo --state-dir <dir> [--port N]
//! ```
//!
//! The config is `EmulatorConfig` JSON. `--demo` uses two built-in tenants (Contoso and
//! Fabrikam) plus a directory-only tenant (Northwind). Once listening, the base URL is written
//! to `<state-dir>/url`, and the URL and CA path are printed. Runs until SIGTERM / SIGINT.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use coexistence_acceptance::emulator::{Emulator, EmulatorConfig, TenantSpec};

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
    }
}

fn usage() -> &'static str {
    "usage: coexistence-emulator (--config <file.json> | --demo) --state-dir <dir> [--port N]"
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config: Option<PathBuf> = None;
    let mut state_dir: Option<PathBuf> = None;
    let mut demo = false;
    let mut port: Option<u16> = None;
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
            "-h" | "--help" => {
                println!("{}", usage());
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

    let emu = Emulator::start(cfg.clone(), &state_dir).await?;
    let url_file = state_dir.join("url");
    std::fs::write(&url_file, emu.url())
        .with_context(|| format!("writing {}", url_file.display()))?;
    println!("coexistence-emulator listening on {}", emu.url());
    println!("CA certificate: {}", emu.ca_pem_path().display());
    if demo {
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
    }

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    drop(emu);
    Ok(())
}
