//! The provider binary is portable: its only dynamic dependencies are the C library family
//! (no OpenSSL or anything else a CI image may lack); and the registry manifest says protocol 6.

use coexistence_acceptance::harness::{provider_binary, workspace_root};

/// What every glibc Linux has.
const ALLOWED: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];

#[test]
fn provider_links_only_the_c_library() {
    let bin = provider_binary();
    let out = std::process::Command::new("readelf")
        .arg("-d")
        .arg(&bin)
        .output()
        .expect("readelf (binutils) is needed to check the binary's dynamic dependencies");
    assert!(out.status.success(), "readelf -d {} failed", bin.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(
        needed.contains(&"libc.so.6"),
        "no NEEDED entries parsed:\n{text}"
    );
    let extra: Vec<&&str> = needed.iter().filter(|n| !ALLOWED.contains(n)).collect();
    assert!(
        extra.is_empty(),
        "{} links {extra:?} dynamically; only the C library family is allowed",
        bin.display()
    );
}

#[test]
fn registry_manifest_declares_protocol_6() {
    let path = workspace_root().join("terraform-registry-manifest.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("manifest at the repo root"))
            .expect("manifest is JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
}

#[test]
fn version_flag_prints_the_crate_version() {
    let out = std::process::Command::new(provider_binary())
        .arg("--version")
        .output()
        .expect("run the provider with --version");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!(
            "terraform-provider-coexistence {}",
            env!("CARGO_PKG_VERSION")
        )
    );
}
