//! Acceptance harness: drives the real `terraform` CLI against the in-process Graph emulator.
//!
//! Every scenario file uses it the same way:
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread")]
//! async fn minimal_create() {
//!     let mut acc = Acc::start().await;                 // emulator (home + partner tenant) + workspace
//!     acc.tf.write_config(&format!("{}{}", acc.provider(), partner_hcl));
//!     acc.tf.apply().await;                             // apply, then asserts an empty plan
//!     acc.tf.destroy().await;
//! }
//! ```
//!
//! Binaries:
//! * terraform: `TF_ACC_TERRAFORM_PATH`, else `terraform` on `PATH`; missing -> panic (never skip).
//! * provider: `TF_ACC_PROVIDER_PATH`, else `<workspace>/target/debug/terraform-provider-coexistence`.
//!
//! Environment knobs: `TF_ACC_LOG_DIR` (keep every command's output, per test),
//! `TF_ACC_TF_LOG` (pass `TF_LOG=<level>` to every command, log written to `TF_ACC_LOG_DIR`),
//! `TF_ACC_STEP_TIMEOUT` (seconds, default 600, per terraform command).

mod fixture;
pub mod hcl;
pub mod plan;
pub mod resource;
mod workspace;

#[cfg(test)]
mod selftest;
#[cfg(test)]
mod selftest_resource;

use std::path::{Path, PathBuf};

pub use fixture::{Acc, Tenant};
pub use hcl::{provider_block, provider_config, terraform_block};
pub use plan::{Change, Plan};
pub use resource::{ResourceType, Steps};
pub use workspace::{find_resource, normalize, Interrupted, TfOutput, Workspace};

/// Address of the provider in configurations (`source = "coexistence/coexistence"`).
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/coexistence/coexistence";
/// Name of the provider executable.
pub const PROVIDER_BINARY_NAME: &str = "terraform-provider-coexistence";

/// The terraform CLI to drive: `TF_ACC_TERRAFORM_PATH` if set, else `terraform` from `PATH`.
///
/// Panics with a clear message when neither exists: the acceptance suite fails loudly, it never
/// skips.
pub fn terraform_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            is_executable(&p),
            "TF_ACC_TERRAFORM_PATH={} is not an executable file. Point it at a terraform CLI \
             (e.g. `scripts/install-terraform-1.0.3.sh` installs .tools/terraform-1.0.3/terraform) \
             or unset it to use `terraform` from PATH.",
            p.display()
        );
        return p;
    }
    match find_on_path("terraform") {
        Some(p) => p,
        None => panic!(
            "no terraform CLI: TF_ACC_TERRAFORM_PATH is not set and `terraform` is not on PATH. \
             The acceptance suite needs a real terraform (>= 1.0.3): run \
             `scripts/require-terraform.sh` and export TF_ACC_TERRAFORM_PATH to the path it prints."
        ),
    }
}

/// The provider binary under test: `TF_ACC_PROVIDER_PATH` if set, else
/// `<workspace root>/target/debug/terraform-provider-coexistence`.
///
/// Panics when it does not exist, telling how to build it.
pub fn provider_binary() -> PathBuf {
    let (p, from_env) = match std::env::var_os("TF_ACC_PROVIDER_PATH").filter(|p| !p.is_empty()) {
        Some(p) => (PathBuf::from(p), true),
        None => (
            workspace_root()
                .join("target")
                .join("debug")
                .join(PROVIDER_BINARY_NAME),
            false,
        ),
    };
    if !is_executable(&p) {
        if from_env {
            panic!(
                "TF_ACC_PROVIDER_PATH={} is not an executable file: point it at a built \
                 `{PROVIDER_BINARY_NAME}` binary",
                p.display()
            );
        }
        panic!(
            "provider binary {} not found: run `cargo build -p {PROVIDER_BINARY_NAME}` first \
             (`make testacc` does it), or set TF_ACC_PROVIDER_PATH to a built binary",
            p.display()
        );
    }
    assert!(
        p.file_name().and_then(|n| n.to_str()) == Some(PROVIDER_BINARY_NAME),
        "TF_ACC_PROVIDER_PATH={} must name a file called `{PROVIDER_BINARY_NAME}` (terraform's \
         dev_overrides look the provider up by that name in its directory)",
        p.display()
    );
    p
}

/// The directory terraform's `dev_overrides` point at: a per-test-process snapshot (hard link,
/// else copy) of [`provider_binary`], so a concurrent `cargo build` replacing the binary cannot
/// break or change a running suite. Falls back to the binary's own directory when no snapshot
/// can be made. Snapshots of finished test processes are removed.
pub fn provider_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let provider = provider_binary();
        let own_dir = provider
            .parent()
            .expect("provider binary has a parent dir")
            .to_path_buf();
        snapshot_provider(&provider, &own_dir).unwrap_or(own_dir)
    })
    .clone()
}

fn snapshot_provider(provider: &Path, own_dir: &Path) -> Option<PathBuf> {
    let base = own_dir.join(".tfacc-provider-snapshots");
    std::fs::create_dir_all(&base).ok()?;
    // Remove snapshots whose test process is gone.
    for entry in std::fs::read_dir(&base).ok()?.flatten() {
        let pid: Option<i32> = entry.file_name().to_str().and_then(|n| n.parse().ok());
        if let Some(pid) = pid {
            // SAFETY: signal 0 only checks that the process exists.
            let alive = unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).ok()?;
    let dest = dir.join(PROVIDER_BINARY_NAME);
    let _ = std::fs::remove_file(&dest);
    if std::fs::hard_link(provider, &dest).is_err() {
        std::fs::copy(provider, &dest).ok()?;
    }
    Some(dir)
}

/// Root of the cargo workspace: the parent of this crate's manifest dir.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("CARGO_MANIFEST_DIR has a parent")
        .to_path_buf()
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
