//! Per-test fixture: an emulator with a home and a partner tenant, plus a terraform workspace
//! whose provider trusts the emulator.

use crate::emulator::signin::SignInConfig;
use crate::emulator::{Emulator, EmulatorConfig, TenantSpec};

use super::workspace::Workspace;

/// A tenant of the emulated world (random GUID, domain and credentials).
#[derive(Clone, Debug)]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Tenant {
    /// A fresh tenant; `label` shapes the display name and domain (`Contoso` ->
    /// `contoso<rand>.onmicrosoft.com`).
    pub fn random(label: &str) -> Tenant {
        let short = uuid::Uuid::new_v4().simple().to_string();
        let lower = label.to_ascii_lowercase();
        Tenant {
            tenant_id: uuid::Uuid::new_v4().to_string(),
            display_name: format!("{label} {}", &short[..6]),
            default_domain: format!("{lower}{}.onmicrosoft.com", &short[..8]),
            client_id: uuid::Uuid::new_v4().to_string(),
            // Distinctive so a leak is unmistakable in logs.
            client_secret: format!(
                "SeCrEt~{}{}",
                short,
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
        }
    }

    pub fn spec(&self) -> TenantSpec {
        TenantSpec {
            tenant_id: self.tenant_id.clone(),
            display_name: self.display_name.clone(),
            default_domain: self.default_domain.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        }
    }
}

/// Everything one acceptance test needs. Fields are public so scenarios can reach the
/// emulator (`acc.emu`), the tenants and the workspace (`acc.tf`) directly.
pub struct Acc {
    /// The workspace is declared first so it is dropped (its processes killed) before the
    /// emulator stops.
    pub tf: Workspace,
    pub emu: Emulator,
    /// The tenant the default provider signs in to.
    pub home: Tenant,
    /// A second tenant with its own app registration (used as the partner, or as a second
    /// provider alias).
    pub partner: Tenant,
    /// More tenants with their own app registrations ([`Acc::start_with_more_tenants`]), for
    /// configurations of three providers or more.
    pub more: Vec<Tenant>,
    /// Tenants that exist (tenant lookup finds them) but cannot be signed in to.
    pub directory_only: Vec<Tenant>,
    _state_dir: tempfile::TempDir,
}

impl Acc {
    /// Emulator with a home and a partner tenant, and a fresh workspace.
    pub async fn start() -> Acc {
        Acc::start_with(Vec::new()).await
    }

    /// Like [`Acc::start`], plus directory-only tenants.
    pub async fn start_with(directory_only: Vec<Tenant>) -> Acc {
        Acc::start_full(directory_only, |_, _| SignInConfig::default()).await
    }

    /// Like [`Acc::start`], with sign-in methods beyond the client secret, built from the
    /// (home, partner) tenants: certificates, federated credentials, managed identities.
    pub async fn start_sign_in(sign_in: impl FnOnce(&Tenant, &Tenant) -> SignInConfig) -> Acc {
        Acc::start_full(Vec::new(), sign_in).await
    }

    /// Like [`Acc::start`], with the given home and partner tenants (examples that name their
    /// tenants' domains).
    pub async fn start_pair(home: Tenant, partner: Tenant) -> Acc {
        Acc::start_all(home, partner, Vec::new(), Vec::new(), |_, _| {
            SignInConfig::default()
        })
        .await
    }

    /// Like [`Acc::start`], plus `labels.len()` more sign-in tenants ([`Acc::more`]).
    pub async fn start_with_more_tenants(labels: &[&str]) -> Acc {
        let more = labels.iter().map(|l| Tenant::random(l)).collect();
        Acc::start_all(
            Tenant::random("Contoso"),
            Tenant::random("Fabrikam"),
            more,
            Vec::new(),
            |_, _| SignInConfig::default(),
        )
        .await
    }

    async fn start_full(
        directory_only: Vec<Tenant>,
        sign_in: impl FnOnce(&Tenant, &Tenant) -> SignInConfig,
    ) -> Acc {
        let home = Tenant::random("Contoso");
        let partner = Tenant::random("Fabrikam");
        Acc::start_all(home, partner, Vec::new(), directory_only, sign_in).await
    }

    async fn start_all(
        home: Tenant,
        partner: Tenant,
        more: Vec<Tenant>,
        directory_only: Vec<Tenant>,
        sign_in: impl FnOnce(&Tenant, &Tenant) -> SignInConfig,
    ) -> Acc {
        let state_dir = tempfile::Builder::new()
            .prefix("emulator-")
            .tempdir()
            .expect("create emulator state dir");
        let cfg = EmulatorConfig {
            tenants: [&home, &partner]
                .into_iter()
                .chain(&more)
                .map(Tenant::spec)
                .collect(),
            directory_only: directory_only.iter().map(Tenant::spec).collect(),
            port: 0,
            sign_in: sign_in(&home, &partner),
            latency: Default::default(),
        };
        let emu = Emulator::start(cfg, state_dir.path())
            .await
            .unwrap_or_else(|e| panic!("emulator failed to start: {e:#}"));
        let tf = Workspace::new(&emu.ca_pem_path());
        Acc {
            tf,
            emu,
            home,
            partner,
            more,
            directory_only,
            _state_dir: state_dir,
        }
    }

    /// `terraform { required_providers ... }` + default provider signed in to the home tenant.
    pub fn provider(&self) -> String {
        super::hcl::provider_config(&self.emu.url(), &self.home, None)
    }

    /// A provider block (no `terraform` block) for `tenant`, default or aliased.
    pub fn provider_block(&self, tenant: &Tenant, alias: Option<&str>) -> String {
        super::hcl::provider_block(&self.emu.url(), tenant, alias)
    }

    /// Write `main.tf` = [`Acc::provider`] + `body`.
    pub fn config(&self, body: &str) {
        self.tf
            .write_config(&format!("{}\n{body}", self.provider()));
    }
}
