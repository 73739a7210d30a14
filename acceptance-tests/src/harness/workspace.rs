//! One terraform working directory plus the steps scenarios run in it.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod interrupt;
mod steps;
pub use interrupt::Interrupted;
pub use steps::{find_resource, normalize};

/// Variables passed through from the test's environment to terraform; everything else
/// (notably `TF_CLI_CONFIG_FILE`, `TF_LOG*`, `TF_CLI_ARGS*`, proxies, `SSL_CERT_DIR`) is dropped
/// so the run is hermetic.
const PASSTHROUGH_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "RUST_BACKTRACE",
];

/// Result of one terraform command.
#[derive(Debug, Clone)]
pub struct TfOutput {
    /// The command line, e.g. `terraform apply -auto-approve -input=false -no-color`.
    pub command: String,
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl TfOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout followed by stderr.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl fmt::Display for TfOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "killed by signal".into());
        write!(
            f,
            "command: {}\nexit code: {code} (after {:.1?})\n----- stdout -----\n{}\n----- stderr -----\n{}\n------------------",
            self.command, self.elapsed, self.stdout.trim_end(), self.stderr.trim_end()
        )
    }
}

/// A temporary terraform working directory wired to the provider under test through a
/// `dev_overrides` CLI configuration (no `terraform init`).
///
/// All steps are `async` and run terraform with `tokio::process`, so the in-process emulator
/// keeps serving on the test's runtime. Each step panics with the full command, exit code,
/// stdout and stderr when its expectation fails.
pub struct Workspace {
    root: tempfile::TempDir,
    work: PathBuf,
    terraform: PathBuf,
    env: BTreeMap<String, String>,
    log_dir: Option<PathBuf>,
    step: AtomicUsize,
    groups: Arc<Mutex<HashSet<i32>>>,
    timeout: Duration,
}

impl Workspace {
    /// A workspace for the provider binary from [`super::provider_binary`], trusting the
    /// emulator's CA (`SSL_CERT_FILE=<ca_pem>`).
    pub fn new(ca_pem: &Path) -> Workspace {
        let provider_dir = super::provider_dir();
        let mut ws = Workspace::with_binaries(super::terraform_binary(), Some(&provider_dir));
        ws.set_env("SSL_CERT_FILE", ca_pem.display().to_string());
        ws
    }

    /// A workspace for an explicit terraform binary; `provider_dir` (absolute) is where
    /// `terraform-provider-coexistence` lives, `None` for no dev override at all (self-tests).
    pub fn with_binaries(terraform: PathBuf, provider_dir: Option<&Path>) -> Workspace {
        let root = tempfile::Builder::new()
            .prefix("tfacc-")
            .tempdir()
            .expect("create temp dir for terraform workspace");
        let work = root.path().join("work");
        std::fs::create_dir_all(&work).expect("create work dir");

        let cli_config = root.path().join("terraform.rc");
        let overrides = match provider_dir {
            Some(dir) => {
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                format!(
                    "  dev_overrides {{\n    {} = {}\n  }}\n",
                    super::hcl::quote(super::PROVIDER_SOURCE),
                    super::hcl::quote(&dir.display().to_string())
                )
            }
            None => String::new(),
        };
        std::fs::write(
            &cli_config,
            format!("provider_installation {{\n{overrides}  direct {{}}\n}}\n"),
        )
        .expect("write CLI config");

        let mut env = BTreeMap::new();
        for k in PASSTHROUGH_ENV {
            if let Ok(v) = std::env::var(k) {
                env.insert((*k).to_string(), v);
            }
        }
        env.insert(
            "TF_CLI_CONFIG_FILE".into(),
            cli_config.display().to_string(),
        );
        env.insert("TF_IN_AUTOMATION".into(), "1".into());
        env.insert("CHECKPOINT_DISABLE".into(), "1".into());
        env.insert("TF_INPUT".into(), "0".into());

        let log_dir = std::env::var_os("TF_ACC_LOG_DIR")
            .filter(|d| !d.is_empty())
            .map(|d| {
                let name = std::thread::current().name().unwrap_or("unnamed").replace(
                    |c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-',
                    "_",
                );
                let dir = PathBuf::from(d).join(format!("{name}-{}", std::process::id()));
                std::fs::create_dir_all(&dir).expect("create TF_ACC_LOG_DIR subdir");
                dir
            });
        if let (Some(dir), Ok(level)) = (&log_dir, std::env::var("TF_ACC_TF_LOG")) {
            env.insert("TF_LOG".into(), level);
            env.insert(
                "TF_LOG_PATH".into(),
                dir.join("terraform-debug.log").display().to_string(),
            );
        }

        let timeout = std::env::var("TF_ACC_STEP_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(600));

        Workspace {
            root,
            work,
            terraform,
            env,
            log_dir,
            step: AtomicUsize::new(0),
            groups: Arc::default(),
            timeout,
        }
    }

    /// The terraform working directory (holds `main.tf` and `terraform.tfstate`).
    pub fn dir(&self) -> &Path {
        &self.work
    }

    /// The terraform binary this workspace drives.
    pub fn terraform(&self) -> &Path {
        &self.terraform
    }

    /// Set an environment variable for every later terraform command (e.g. `TF_LOG`).
    pub fn set_env(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.env.insert(key.into(), value.into());
    }

    pub fn remove_env(&mut self, key: &str) {
        self.env.remove(key);
    }

    /// The complete environment terraform runs with.
    pub fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    /// Replace `main.tf` with `hcl`.
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Write any file into the working directory.
    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.work.join(name), contents)
            .unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    // ----------------------------------------------------------------- raw commands

    /// Run `terraform <args>` in the working directory; never panics on a non-zero exit.
    pub async fn run(&self, args: &[&str]) -> TfOutput {
        let (command, started, child) = self.spawn(args);
        let _group = child
            .id()
            .map(|pid| GroupGuard::new(pid as i32, self.groups.clone()));
        let result = tokio::time::timeout(self.timeout, child.wait_with_output()).await;
        self.finish(args, command, started, result, "killed it")
    }

    /// Starts `terraform <args>`: its display name, start time and process.
    fn spawn(&self, args: &[&str]) -> (String, Instant, tokio::process::Child) {
        let command = format!("terraform {}", args.join(" "));
        let started = Instant::now();
        let child = self.command(args).spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start `{command}` ({}): {e}",
                self.terraform.display()
            )
        });
        (command, started, child)
    }

    /// Turns a finished (or timed-out) command into its output and keeps its log.
    /// `on_timeout` says what happened to a command that outlived the step timeout.
    fn finish(
        &self,
        args: &[&str],
        command: String,
        started: Instant,
        result: Result<std::io::Result<std::process::Output>, tokio::time::error::Elapsed>,
        on_timeout: &str,
    ) -> TfOutput {
        let out = match result {
            Ok(Ok(o)) => TfOutput {
                command,
                code: o.status.code(),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
                elapsed: started.elapsed(),
            },
            Ok(Err(e)) => panic!("waiting for `{command}` failed: {e}"),
            Err(_) => panic!(
                "`{command}` did not finish within {:?} (TF_ACC_STEP_TIMEOUT); {on_timeout}",
                self.timeout
            ),
        };
        self.keep_log(args, &out);
        out
    }

    /// The `terraform <args>` command of a step, not started.
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(&self.work)
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            // Own process group: terraform and the provider plugins it starts can be killed
            // together, so nothing outlives the step or the workspace.
            .process_group(0);
        cmd
    }

    /// Run `terraform <args>` and panic unless it exits 0.
    pub async fn run_ok(&self, args: &[&str]) -> TfOutput {
        let out = self.run(args).await;
        assert!(out.success(), "terraform command failed\n{out}");
        out
    }

    /// `terraform version`.
    pub async fn version(&self) -> String {
        self.run_ok(&["version"]).await.stdout
    }

    // ----------------------------------------------------------------- internals

    fn keep_log(&self, args: &[&str], out: &TfOutput) {
        let n = self.step.fetch_add(1, Ordering::Relaxed);
        let Some(dir) = &self.log_dir else { return };
        let name = format!(
            "{n:02}-{}.log",
            args.iter()
                .take_while(|a| !a.starts_with('-'))
                .take(2)
                .copied()
                .collect::<Vec<_>>()
                .join("-")
        );
        let _ = std::fs::write(dir.join(name), out.to_string());
        let _ = std::fs::copy(self.work.join("main.tf"), dir.join("main.tf"));
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // Normally empty: every step's guard kills its group when the step ends. This covers
        // a step future leaked mid-flight.
        let groups = self.groups.lock().map(|g| g.clone()).unwrap_or_default();
        for pgid in groups {
            kill_group(pgid);
        }
        let _ = &self.root;
    }
}

/// Kills a terraform process group (terraform + provider plugins) when the step ends or is
/// abandoned (timeout, panic, dropped future).
struct GroupGuard {
    pgid: i32,
    groups: Arc<Mutex<HashSet<i32>>>,
}

impl GroupGuard {
    fn new(pgid: i32, groups: Arc<Mutex<HashSet<i32>>>) -> GroupGuard {
        if let Ok(mut g) = groups.lock() {
            g.insert(pgid);
        }
        GroupGuard { pgid, groups }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.pgid);
        if let Ok(mut g) = self.groups.lock() {
            g.remove(&self.pgid);
        }
    }
}

fn kill_group(pgid: i32) {
    if pgid > 1 {
        // SAFETY: plain syscall; the group is the one terraform was started in
        // (`process_group(0)` makes its pgid its pid), ESRCH when already gone.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
