//! The install path users take: the release zip in a filesystem mirror, `terraform init`
//! without dev_overrides, the lock file checked against what was packed, then apply / plan /
//! destroy against the emulator.
//!
//! Lock file: from a filesystem mirror Terraform records only the `h1:` hash (a hash of the
//! unpacked files); `zh:` (the zip's SHA-256, as in SHA256SUMS) is only recorded when the
//! registry or a network mirror vouches for it. So the test checks both links of the chain:
//! the mirrored zip's SHA-256 is its SHA256SUMS entry, and the lock's `h1:` is the hash of
//! exactly the binary that zip holds. The zip is packed from the binary under test (the debug build,
//! so `make test` stays fast) by the same `scripts/release.sh` that `make release` runs, twice,
//! to check that packing is reproducible.

mod common;

use std::path::Path;
use std::process::Command;

use coexistence_acceptance::harness::{hcl::quote, provider_binary, workspace_root};
use common::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn pack(out: &Path) -> String {
    let status = Command::new("bash")
        .arg(workspace_root().join("scripts/release.sh"))
        .env("RELEASE_BINARY", provider_binary())
        .env("RELEASE_DIR", out)
        .env("RELEASE_ZIP_LEVEL", "1")
        .env_remove("RELEASE_GPG_KEY")
        .status()
        .expect("run scripts/release.sh");
    assert!(status.success(), "scripts/release.sh failed");
    std::fs::read_to_string(out.join(format!(
        "terraform-provider-coexistence_{VERSION}_SHA256SUMS"
    )))
    .expect("SHA256SUMS written")
}

fn sha256(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b)
        .as_ref()
        .to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn terraform_init_from_a_filesystem_mirror() {
    let tmp = tempfile::tempdir().unwrap();
    let sums = pack(&tmp.path().join("dist-a"));
    let again = pack(&tmp.path().join("dist-b"));
    assert_eq!(
        sums, again,
        "packing the same binary twice gave different checksums"
    );

    let zip = format!("terraform-provider-coexistence_{VERSION}_linux_amd64.zip");
    let manifest = format!("terraform-provider-coexistence_{VERSION}_manifest.json");
    let zip_sum = sums
        .lines()
        .find_map(|l| l.strip_suffix(&format!("  {zip}")))
        .unwrap_or_else(|| panic!("{zip} not in SHA256SUMS:\n{sums}"))
        .to_string();
    assert!(
        sums.contains(&format!("  {manifest}")),
        "manifest not in SHA256SUMS:\n{sums}"
    );
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("dist-a").join(&manifest)).unwrap(),
    )
    .unwrap();
    assert_eq!(
        m["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );

    // Packed filesystem-mirror layout: <mirror>/<hostname>/<namespace>/<type>/<zip>.
    let mirror = tmp.path().join("mirror");
    let dir = mirror.join("registry.terraform.io/coexistence/coexistence");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(tmp.path().join("dist-a").join(&zip), dir.join(&zip)).unwrap();
    let rc = tmp.path().join("mirror.tfrc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    include = [\"registry.terraform.io/coexistence/coexistence\"]\n  }}\n}}\n",
            quote(&mirror.display().to_string())
        ),
    )
    .unwrap();

    let mut acc = Acc::start().await;
    acc.tf
        .set_env("TF_CLI_CONFIG_FILE", rc.display().to_string());
    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    let init = acc.tf.run_ok(&["init", "-input=false", "-no-color"]).await;
    assert!(
        !init.combined().contains("development overrides"),
        "init used dev_overrides\n{init}"
    );
    assert!(
        init.combined().contains(VERSION),
        "init did not install {VERSION}\n{init}"
    );

    let lock = std::fs::read_to_string(acc.tf.dir().join(".terraform.lock.hcl"))
        .expect(".terraform.lock.hcl written by init");
    let mirrored = std::fs::read(dir.join(&zip)).unwrap();
    assert_eq!(
        hex(&sha256(&mirrored)),
        zip_sum,
        "mirrored zip vs SHA256SUMS"
    );
    // h1 (Go's dirhash Hash1): sha256 over "<hex sha256 of file>  <name>\n" for each file.
    let entry = format!("terraform-provider-coexistence_v{VERSION}");
    let binary = std::fs::read(provider_binary()).unwrap();
    let summary = format!("{}  {entry}\n", hex(&sha256(&binary)));
    use base64::Engine as _;
    let h1 = base64::engine::general_purpose::STANDARD.encode(sha256(summary.as_bytes()));
    assert!(
        lock.contains(&format!("\"h1:{h1}\"")),
        "the lock file's h1: hash is not that of the packed binary (h1:{h1}):\n{lock}"
    );
    let flat = lock.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!("version = \"{VERSION}\"")), "{lock}");

    let apply = acc.tf.apply().await;
    assert!(
        !apply.combined().contains("development overrides"),
        "apply used dev_overrides\n{apply}"
    );
    assert!(acc
        .emu
        .object(&acc.home.tenant_id, &partner_path(&acc.partner.tenant_id))
        .is_some());
    acc.tf.plan_expect_empty().await;
    acc.tf.destroy().await;
    assert!(acc
        .emu
        .object(&acc.home.tenant_id, &partner_path(&acc.partner.tenant_id))
        .is_none());
}
