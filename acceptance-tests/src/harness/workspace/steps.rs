//! The steps scenarios run in a workspace: apply, destroy, plan, import and state queries, each
//! asserting its expectation and panicking with the command's full output when it fails.

use std::sync::atomic::Ordering;

use serde_json::Value;

use super::{TfOutput, Workspace};
use crate::harness::plan::{Change, Plan};

impl Workspace {
    // ----------------------------------------------------------------- apply / destroy

    /// `terraform apply`; must succeed, then asserts the next plan is empty
    /// (`plan -detailed-exitcode` exits 0).
    pub async fn apply(&self) -> TfOutput {
        let out = self.apply_no_plan_check().await;
        self.plan_expect_empty().await;
        out
    }

    /// `terraform apply`; must succeed. No plan check afterwards.
    pub async fn apply_no_plan_check(&self) -> TfOutput {
        self.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .await
    }

    /// `terraform apply` must fail and its stderr must contain `needle` (whitespace and
    /// diagnostic box drawing are normalised, so wrapped lines still match).
    pub async fn apply_expect_error(&self, needle: &str) -> TfOutput {
        let out = self
            .run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .await;
        assert!(
            !out.success(),
            "expected apply to fail, it succeeded\n{out}"
        );
        assert_contains(&out.stderr, needle, "stderr", &out);
        out
    }

    /// `terraform destroy`; must succeed.
    pub async fn destroy(&self) -> TfOutput {
        self.run_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .await
    }

    // ----------------------------------------------------------------- plan

    /// `terraform plan -detailed-exitcode` (0 = empty, 1 = error, 2 = changes); no assertion.
    pub async fn plan(&self) -> TfOutput {
        self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
            .await
    }

    /// The plan must be empty (exit 0).
    pub async fn plan_expect_empty(&self) -> TfOutput {
        let out = self.plan().await;
        assert!(
            out.code == Some(0),
            "expected an empty plan (exit 0 from -detailed-exitcode)\n{out}"
        );
        out
    }

    /// `terraform plan` must fail (validation or plan error) and stderr must contain `needle`.
    pub async fn plan_expect_error(&self, needle: &str) -> TfOutput {
        let out = self.plan().await;
        assert!(out.code == Some(1), "expected plan to fail (exit 1)\n{out}");
        assert_contains(&out.stderr, needle, "stderr", &out);
        out
    }

    /// `terraform plan -out` + `terraform show -json <planfile>`, parsed.
    pub async fn plan_json(&self) -> Value {
        let planfile = format!("plan-{}.tfplan", self.step.load(Ordering::Relaxed));
        self.run_ok(&[
            "plan",
            "-input=false",
            "-no-color",
            &format!("-out={planfile}"),
        ])
        .await;
        let out = self.run_ok(&["show", "-json", &planfile]).await;
        let _ = std::fs::remove_file(self.work.join(&planfile));
        parse_json(&out)
    }

    /// [`Workspace::plan_json`] as a [`Plan`]: actions and changed paths per resource.
    pub async fn plan_changes(&self) -> Plan {
        Plan(self.plan_json().await)
    }

    /// The planned actions for `address` (`["no-op"]`, `["update"]`, `["delete","create"]`...).
    /// Panics when the plan has no change entry for it.
    pub async fn plan_actions(&self, address: &str) -> Vec<String> {
        self.plan_changes().await.expect_change(address).actions
    }

    /// The plan for `address` must be exactly `expected` actions.
    pub async fn plan_expect_actions(&self, address: &str, expected: &[&str]) -> Change {
        let plan = self.plan_changes().await;
        let change = plan.expect_change(address);
        assert!(
            change
                .actions
                .iter()
                .map(String::as_str)
                .eq(expected.iter().copied()),
            "expected actions {expected:?} for {address}, got {change}\n{plan}"
        );
        change
    }

    /// The plan must replace `address` (`["delete","create"]` or `["create","delete"]`).
    pub async fn plan_expect_replace(&self, address: &str) -> Change {
        let plan = self.plan_changes().await;
        let change = plan.expect_change(address);
        assert!(
            change.is_replace(),
            "expected {address} to be replaced, got {change}\n{plan}"
        );
        change
    }

    /// The plan must replace `address` because of exactly `replace_paths` (Terraform's
    /// `replace_paths`, e.g. `["tenant_id"]`); a tainted resource has none.
    pub async fn plan_expect_replace_because(
        &self,
        address: &str,
        replace_paths: &[&str],
    ) -> Change {
        let change = self.plan_expect_replace(address).await;
        assert_paths(
            &change.replace_paths,
            replace_paths,
            "replace paths",
            &change,
        );
        change
    }

    /// The plan must update `address` in place.
    pub async fn plan_expect_update(&self, address: &str) -> Change {
        self.plan_expect_actions(address, &["update"]).await
    }

    /// The plan must create `address`.
    pub async fn plan_expect_create(&self, address: &str) -> Change {
        self.plan_expect_actions(address, &["create"]).await
    }

    /// The plan must update `address` in place, changing exactly the attribute paths `paths`
    /// (notation of [`crate::harness::plan::changed_paths`]: `inbound_trust.mfa_accepted`, a
    /// whole block that appears or disappears is its name) and nothing else, and every other
    /// resource must be left alone.
    pub async fn plan_expect_changed_paths(&self, address: &str, paths: &[&str]) -> Change {
        let plan = self.plan_changes().await;
        let change = plan.expect_change(address);
        assert!(
            change.actions == ["update"],
            "expected an in-place update of {address}, got {change}\n{plan}"
        );
        assert_paths(&change.changed_paths, paths, "changed paths", &change);
        let others: Vec<String> = plan
            .changed_addresses()
            .into_iter()
            .filter(|a| a != address)
            .collect();
        assert!(
            others.is_empty(),
            "only {address} should change, the plan also changes {others:?}\n{plan}"
        );
        change
    }

    // ----------------------------------------------------------------- import / state

    /// `terraform import <address> <id>`; must succeed, then the plan must be empty
    /// (import verify).
    pub async fn import(&self, address: &str, id: &str) -> TfOutput {
        let out = self
            .run_ok(&["import", "-input=false", "-no-color", address, id])
            .await;
        self.plan_expect_empty().await;
        out
    }

    /// `terraform import` must fail with `needle` in stderr.
    pub async fn import_expect_error(&self, address: &str, id: &str, needle: &str) -> TfOutput {
        let out = self
            .run(&["import", "-input=false", "-no-color", address, id])
            .await;
        assert!(
            !out.success(),
            "expected import to fail, it succeeded\n{out}"
        );
        assert_contains(&out.stderr, needle, "stderr", &out);
        out
    }

    /// `terraform state rm <address>`.
    pub async fn state_rm(&self, address: &str) -> TfOutput {
        self.run_ok(&["state", "rm", address]).await
    }

    /// `terraform state list` as lines.
    pub async fn state_list(&self) -> Vec<String> {
        self.run_ok(&["state", "list"])
            .await
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    }

    /// `terraform show -json`, parsed.
    pub async fn state_json(&self) -> Value {
        let out = self.run_ok(&["show", "-json"]).await;
        parse_json(&out)
    }

    /// Attribute values of the resource or data source at `address` (e.g.
    /// `coexistence_cross_tenant_access_partner.x`, `data.coexistence_tenant.y`), `None` when
    /// it is not in state.
    pub async fn try_resource(&self, address: &str) -> Option<Value> {
        let state = self.state_json().await;
        find_resource(&state, address).map(|r| r["values"].clone())
    }

    /// Attribute values of `address`; panics when it is not in state.
    pub async fn resource(&self, address: &str) -> Value {
        let state = self.state_json().await;
        match find_resource(&state, address) {
            Some(r) => r["values"].clone(),
            None => panic!("{address} is not in state; state:\n{}", pretty(&state)),
        }
    }

    /// The raw local state file (`terraform.tfstate`), if any.
    pub fn raw_state(&self) -> Option<String> {
        std::fs::read_to_string(self.work.join("terraform.tfstate")).ok()
    }

    /// Whether the (root module, single instance) resource at `address` is tainted, read from
    /// the raw state file (works on every terraform version).
    pub fn is_tainted(&self, address: &str) -> bool {
        let raw = self
            .raw_state()
            .unwrap_or_else(|| panic!("no terraform.tfstate in {}", self.work.display()));
        let state: Value = serde_json::from_str(&raw).expect("state file is JSON");
        let (mode, rest) = match address.strip_prefix("data.") {
            Some(r) => ("data", r),
            None => ("managed", address),
        };
        let (ty, name) = rest
            .split_once('.')
            .unwrap_or_else(|| panic!("bad address {address}"));
        let res = state["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| {
                r["mode"] == mode
                    && r["type"] == ty
                    && r["name"] == name
                    && r.get("module").is_none()
            })
            .unwrap_or_else(|| panic!("{address} not in state file:\n{raw}"));
        res["instances"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["status"] == "tainted")
    }

    /// `terraform output -json <name>`, parsed.
    pub async fn output(&self, name: &str) -> Value {
        let out = self.run_ok(&["output", "-no-color", "-json", name]).await;
        parse_json(&out)
    }
}

/// Collapse whitespace and terraform's diagnostic box drawing so wrapped text still matches.
pub fn normalize(s: &str) -> String {
    s.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_contains(haystack: &str, needle: &str, what: &str, out: &TfOutput) {
    assert!(
        haystack.contains(needle) || normalize(haystack).contains(&normalize(needle)),
        "expected {what} to contain {needle:?}\n{out}"
    );
}

fn parse_json(out: &TfOutput) -> Value {
    serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("output is not JSON ({e})\n{out}"))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The resource object at `address` in `terraform show -json` output (root and child modules).
pub fn find_resource<'a>(state: &'a Value, address: &str) -> Option<&'a Value> {
    fn walk<'a>(module: &'a Value, address: &str) -> Option<&'a Value> {
        if let Some(r) = module["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
        {
            return Some(r);
        }
        module["child_modules"]
            .as_array()?
            .iter()
            .find_map(|m| walk(m, address))
    }
    walk(&state["values"]["root_module"], address)
}

fn assert_paths(
    got: &std::collections::BTreeSet<String>,
    want: &[&str],
    what: &str,
    change: &Change,
) {
    let want: std::collections::BTreeSet<String> = want.iter().map(|p| p.to_string()).collect();
    let missing: Vec<&String> = want.difference(got).collect();
    let extra: Vec<&String> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} of {} differ: missing {missing:?}, unexpected {extra:?}
{change}",
        change.address
    );
}
