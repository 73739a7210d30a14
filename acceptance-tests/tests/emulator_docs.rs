//! The emulator as a user meets it: `coexistence-emulator --help`, what `--demo` seeds and
//! prints, and the control API examples of `acceptance-tests/EMULATOR.md`, run as documented
//! (with `bash` and `curl`) against the binary, outputs compared.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_coexistence-emulator");

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `coexistence-emulator --demo` with its state in `<root>/.demo/emulator` (where
/// `make emulator` keeps it, relative to the repository root); killed on drop.
struct Demo {
    child: Child,
    state: PathBuf,
    url: String,
}

impl Demo {
    fn start(root: &Path) -> Demo {
        let state = root.join(".demo/emulator");
        std::fs::create_dir_all(&state).unwrap();
        let stdout = std::fs::File::create(root.join("stdout.log")).unwrap();
        let child = Command::new(BIN)
            .args(["--demo", "--state-dir"])
            .arg(&state)
            .stdout(stdout)
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut demo = Demo {
            child,
            state,
            url: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while demo.url.is_empty() {
            assert!(Instant::now() < deadline, "the emulator wrote no url");
            std::thread::sleep(Duration::from_millis(50));
            demo.url = std::fs::read_to_string(demo.state.join("url")).unwrap_or_default();
        }
        demo
    }

    fn banner(&self) -> String {
        std::fs::read_to_string(self.state.join("../../stdout.log")).unwrap()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn help_describes_every_flag_the_endpoints_and_where_the_docs_are() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    // Every flag the argument parser accepts (its match arms).
    let source =
        std::fs::read_to_string(crate_dir().join("src/bin/coexistence-emulator.rs")).unwrap();
    let flags: Vec<&str> = source
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("\"-") && l.contains("=>"))
        .flat_map(|l| l[..l.find("=>").unwrap()].split('|'))
        .map(|f| f.trim().trim_matches('"'))
        .collect();
    assert!(flags.len() >= 5, "{flags:?}");
    // The flags of the option lines ("  -h, --help   This text.").
    let described: Vec<&str> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| l.split("  ").next().unwrap().split(", "))
        .map(|f| f.split(' ').next().unwrap())
        .collect();
    for flag in flags {
        assert!(
            described.contains(&flag),
            "--help does not describe {flag}:\n{help}"
        );
    }
    for needle in [
        "/_emulator/",
        "authority_host",
        "graph_endpoint",
        "exchange_endpoint",
        "ca.pem",
        "emulator.log",
        "acceptance-tests/EMULATOR.md",
    ] {
        assert!(
            help.contains(needle),
            "--help does not mention {needle}:\n{help}"
        );
    }
    assert!(crate_dir().join("EMULATOR.md").is_file());
    // `-h` is the same text; a mistyped flag points at it.
    let short = Command::new(BIN).arg("-h").output().unwrap();
    assert_eq!(String::from_utf8(short.stdout).unwrap(), help);
    let bad = Command::new(BIN).arg("--demo-mode").output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--help"));
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_tenants_come_with_the_principals_the_banner_prints() {
    let root = tempfile::tempdir().unwrap();
    let demo = Demo::start(root.path());
    let banner = demo.banner();
    // "  Contoso    tenant_id=<id> ..." lines name the tenants.
    let tenant_id = |name: &str| -> String {
        banner
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")) && l.contains("tenant_id="))
            .and_then(|l| l.split("tenant_id=").nth(1))
            .map(|rest| rest.split(' ').next().unwrap().to_string())
            .unwrap_or_else(|| panic!("no tenant {name} in\n{banner}"))
    };
    let seeded: Vec<(String, String, String, String)> = banner
        .lines()
        .skip_while(|l| !l.starts_with("seeded principals"))
        .skip(1)
        .map(|l| {
            let mut w = l.split_whitespace();
            let (tenant, kind, id) = (w.next().unwrap(), w.next().unwrap(), w.next().unwrap());
            let name = l[l.find('"').unwrap()..].trim_matches('"');
            (tenant.into(), kind.into(), id.into(), name.into())
        })
        .collect();
    let pem = std::fs::read(demo.state.join("ca.pem")).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    for tenant in ["Contoso", "Fabrikam"] {
        let of = |kind: &str| {
            seeded
                .iter()
                .filter(|s| s.0 == tenant && s.1 == kind)
                .count()
        };
        assert!(of("group") >= 1 && of("user") >= 3, "{tenant}: {seeded:?}");
    }
    for (tenant, kind, id, name) in &seeded {
        let path = format!("/{kind}s/{id}");
        let resp = http
            .get(format!(
                "{}/_emulator/tenants/{}/object?path={path}",
                demo.url,
                tenant_id(tenant)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "{tenant} {path}");
        let value: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(value["displayName"], name.as_str(), "{value}");
    }
    // The demo synchronizes groups that exist.
    let main_tf = std::fs::read_to_string(crate_dir().join("../examples/demo/main.tf")).unwrap();
    for (_, kind, id, _) in seeded.iter().filter(|s| s.1 == "group") {
        assert_eq!(kind, "group");
        assert!(
            main_tf.contains(id.as_str()),
            "examples/demo does not use group {id}"
        );
    }
}

/// The fenced blocks of `markdown` from `heading` on: (language, body).
fn blocks(markdown: &str, heading: &str) -> Vec<(String, String)> {
    let from = markdown.find(heading).expect("the section exists");
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown[from..].lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.to_string(), String::new())),
            (Some(_), Some("")) => out.push(current.take().unwrap()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "an unclosed code block");
    out
}

#[test]
fn the_documented_control_api_examples_run_as_shown() {
    let doc = std::fs::read_to_string(crate_dir().join("EMULATOR.md")).unwrap();
    // Every control API route is documented.
    let control = std::fs::read_to_string(crate_dir().join("src/emulator/control.rs")).unwrap();
    let routes: Vec<&str> = control
        .split(".route(")
        .skip(1)
        .map(|r| r.trim_start().trim_start_matches('"'))
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert!(routes.len() >= 7, "{routes:?}");
    for route in routes {
        assert!(
            doc.contains(&format!("/_emulator{route}")),
            "EMULATOR.md does not document {route}"
        );
    }

    let blocks = blocks(&doc, "## Control API");
    let root = tempfile::tempdir().unwrap();
    let _demo = Demo::start(root.path());
    // One shell for all of them, in order (the first sets the variables); a marker after
    // each splits the output.
    let mut script = String::from("set -eu\n");
    let mut expected: Vec<(usize, &str)> = Vec::new();
    for (i, (lang, body)) in blocks.iter().enumerate() {
        match lang.as_str() {
            "sh" => {
                script.push_str(body);
                script.push_str(&format!("echo '@@ block {i}'\n"));
            }
            "text" => {
                assert_eq!(
                    blocks[i - 1].0,
                    "sh",
                    "an output block follows a command block"
                );
                expected.push((i - 1, body));
            }
            _ => {}
        }
    }
    assert!(expected.len() >= 10, "{expected:?}");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root.path())
        .output()
        .expect("bash runs the examples (with curl)");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "the examples failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut outputs = std::collections::HashMap::new();
    let mut rest = stdout.as_str();
    for (i, (lang, _)) in blocks.iter().enumerate() {
        if lang == "sh" {
            let marker = format!("@@ block {i}\n");
            let at = rest.find(&marker).expect("every block ran");
            outputs.insert(i, &rest[..at]);
            rest = &rest[at + marker.len()..];
        }
    }
    for (i, want) in expected {
        assert_eq!(outputs[&i], want, "the output of\n{}", blocks[i].1);
    }
}
