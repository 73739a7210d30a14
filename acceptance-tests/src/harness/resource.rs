//! Declarative resource tests: a resource type says once how the harness finds its objects in
//! the emulator and how it is imported; steps run through [`Steps`] then check the invariants
//! every resource must keep, so a scenario is its steps only:
//!
//! * after every apply: an empty plan; every tracked instance in state has its object in the
//!   emulator; import-verify (`state rm`, `import` with the ID taken from state, an empty plan,
//!   the same state attributes, state restored afterwards), once per distinct state and
//!   emulator objects;
//! * after destroy: no tracked instance in state, and nothing any of them ever owned (across
//!   replacements) is left in the emulator.
//!
//! ```ignore
//! pub static PARTNER: ResourceType = ResourceType {
//!     type_name: "coexistence_cross_tenant_access_partner",
//!     path: |s| partner_path(s["tenant_id"].as_str().unwrap()),
//!     import_id: |s| s["id"].as_str().unwrap().to_string(),
//!     ..ResourceType::DEFAULTS
//! };
//! let steps = Steps::new(&acc).track(&PARTNER, "fabrikam", &acc.home.tenant_id);
//! acc.config(&hcl);
//! steps.apply().await;
//! steps.destroy().await;
//! ```

use std::sync::Mutex;

use serde_json::Value;

use super::fixture::Acc;
use super::workspace::{TfOutput, Workspace};

/// How the harness finds one resource type's objects in the emulator and imports an instance.
/// Every function reads the instance's state attributes (`terraform show -json` values).
pub struct ResourceType {
    /// `coexistence_cross_tenant_access_partner`.
    pub type_name: &'static str,
    /// Emulator path of the instance's own object (it must exist while the instance is in state).
    pub path: fn(&Value) -> String,
    /// Whether an emulator object (path and value) belongs to the instance; used to check that
    /// destroy leaves nothing. [`ResourceType::DEFAULTS`]: the object at [`ResourceType::path`]
    /// and everything below it (`.../partners/<id>/identitySynchronization`).
    pub owns: fn(&ResourceType, &Value, &str, &Value) -> bool,
    /// The ID `terraform import` takes, from state (`owner/<id>`, `inbound/<name>`, ...). The
    /// descriptions in `tests/common` ask the provider's own resource (`import_id_of`), so an
    /// ID it gets wrong fails the import checks.
    pub import_id: fn(&ResourceType, &Value) -> String,
    /// State attributes an import cannot know (`timeouts`, write-only secrets): not compared
    /// after an import, and the plan after it may update them and nothing else.
    pub import_ignore: &'static [&'static str],
}

impl ResourceType {
    /// The defaults a description starts from (`..ResourceType::DEFAULTS`); `path` and
    /// `import_id` panic so a description must set them.
    pub const DEFAULTS: ResourceType = ResourceType {
        type_name: "",
        path: |_| panic!("ResourceType::path not set"),
        owns: owns_path_and_below,
        import_id: |_, _| panic!("ResourceType::import_id not set"),
        import_ignore: &[],
    };

    /// Whether the attribute path `path` is in [`ResourceType::import_ignore`] or below it.
    fn ignored(&self, path: &str) -> bool {
        self.import_ignore
            .iter()
            .any(|k| path == *k || path.starts_with(&format!("{k}.")))
    }

    /// `<type_name>.<name>`.
    pub fn address(&self, name: &str) -> String {
        format!("{}.{name}", self.type_name)
    }
}

/// The default [`ResourceType::owns`]: the instance's path and every path below it.
pub fn owns_path_and_below(ty: &ResourceType, state: &Value, path: &str, _object: &Value) -> bool {
    let own = (ty.path)(state);
    path == own || path.starts_with(&format!("{own}/"))
}

/// An instance's state and its tenant's emulator objects when it was import-verified.
type Verified = (Value, Vec<(String, Value)>);

/// One tracked instance: its description, address and the tenant whose emulator holds it.
struct Instance {
    ty: &'static ResourceType,
    address: String,
    tenant: String,
    /// Every distinct state the instance has had, so a replacement's old objects are checked too.
    seen: Mutex<Vec<Value>>,
    /// The (state, emulator objects) pairs already import-verified: an apply that restores
    /// a verified pair (drift fixed, a step undone) is not verified again, as the same import
    /// of the same objects gives the same answer.
    verified: Mutex<Vec<Verified>>,
}

/// Steps that check the invariants of the resource instances they track (module docs).
pub struct Steps<'a> {
    acc: &'a Acc,
    instances: Vec<Instance>,
}

impl<'a> Steps<'a> {
    /// Steps on `acc`'s workspace tracking nothing yet.
    pub fn new(acc: &'a Acc) -> Steps<'a> {
        Steps {
            acc,
            instances: Vec::new(),
        }
    }

    /// Track the instance `name` of `ty`, managed in `tenant` (the tenant of the provider the
    /// resource uses).
    pub fn track(mut self, ty: &'static ResourceType, name: &str, tenant: &str) -> Steps<'a> {
        self.instances.push(Instance {
            ty,
            address: ty.address(name),
            tenant: tenant.to_string(),
            seen: Mutex::new(Vec::new()),
            verified: Mutex::new(Vec::new()),
        });
        self
    }

    pub fn tf(&self) -> &Workspace {
        &self.acc.tf
    }

    /// Write `main.tf` = provider + `body` ([`Acc::config`]).
    pub fn config(&self, body: &str) {
        self.acc.config(body);
    }

    /// `terraform apply` (must succeed), then: empty plan, every tracked instance in state has
    /// its object, import-verify.
    pub async fn apply(&self) -> TfOutput {
        let out = self.acc.tf.apply().await;
        self.after_apply(true).await;
        out
    }

    /// [`Steps::apply`] without import-verify, for a configuration an import cannot reproduce
    /// (a partner GUID spelled in upper case: import yields Graph's canonical lowercase, so the
    /// plan after it respells it). Every other invariant still holds.
    pub async fn apply_without_import_verify(&self) -> TfOutput {
        let out = self.acc.tf.apply().await;
        self.after_apply(false).await;
        out
    }

    /// [`Acc::config`] + [`Steps::apply`].
    pub async fn apply_config(&self, body: &str) -> TfOutput {
        self.config(body);
        self.apply().await
    }

    /// `terraform apply` must fail with `needle` in stderr; records what reached state (a
    /// half-created instance still counts for destroy-leaves-nothing).
    pub async fn apply_expect_error(&self, needle: &str) -> TfOutput {
        let out = self.acc.tf.apply_expect_error(needle).await;
        let state = self.acc.tf.state_json().await;
        for inst in &self.instances {
            if let Some(values) = in_state(&state, &inst.address) {
                inst.remember(values);
            }
        }
        out
    }

    /// `terraform destroy` (must succeed), then no tracked instance is in state and nothing any
    /// of them owned is left in the emulator.
    pub async fn destroy(&self) -> TfOutput {
        // What refresh and destroy will see: record the latest state first.
        let state = self.acc.tf.state_json().await;
        for inst in &self.instances {
            if let Some(values) = in_state(&state, &inst.address) {
                inst.remember(values);
            }
        }
        let out = self.acc.tf.destroy().await;
        let state = self.acc.tf.state_json().await;
        for inst in &self.instances {
            assert!(
                in_state(&state, &inst.address).is_none(),
                "{} is still in state after destroy",
                inst.address
            );
            let left = self.owned_objects(inst);
            assert!(
                left.is_empty(),
                "destroy left objects of {} in tenant {}: {left:#?}",
                inst.address,
                inst.tenant
            );
        }
        out
    }

    /// Import-verify every tracked instance that is in state: `state rm`, `import` with the ID
    /// from state, an empty plan, the same attributes as before (minus `import_ignore`).
    pub async fn import_verify(&self) {
        let state = self.acc.tf.state_json().await;
        for inst in &self.instances {
            if let Some(before) = in_state(&state, &inst.address) {
                self.import_verify_one(inst, &before).await;
            }
        }
    }

    async fn after_apply(&self, import_verify: bool) {
        let state = self.acc.tf.state_json().await;
        for inst in &self.instances {
            let Some(values) = in_state(&state, &inst.address) else {
                continue;
            };
            let path = (inst.ty.path)(&values);
            assert!(
                self.acc.emu.object(&inst.tenant, &path).is_some(),
                "{} is in state but the emulator's tenant {} has no {path}; objects: {:#?}",
                inst.address,
                inst.tenant,
                self.acc.emu.objects(&inst.tenant)
            );
            inst.remember(values.clone());
            if import_verify {
                self.import_verify_one(inst, &values).await;
            }
        }
    }

    async fn import_verify_one(&self, inst: &Instance, before: &Value) {
        let tf = &self.acc.tf;
        let id = (inst.ty.import_id)(inst.ty, before);
        let objects = self.acc.emu.objects(&inst.tenant);
        let key = (before.clone(), objects.clone());
        if inst.verified.lock().expect("verified").contains(&key) {
            return;
        }
        // Import-verify leaves state as the apply wrote it: attributes an import cannot know
        // (`import_ignore`) would otherwise show up in the scenario's next plan.
        let applied = tf.raw_state().expect("state file after apply");
        tf.state_rm(&inst.address).await;
        tf.run_ok(&["import", "-input=false", "-no-color", &inst.address, &id])
            .await;
        if inst.ty.import_ignore.is_empty() {
            tf.plan_expect_empty().await;
        } else {
            let plan = tf.plan_changes().await;
            let unexpected: Vec<String> = plan
                .changes()
                .into_iter()
                .filter(|c| !c.is_noop())
                .flat_map(|c| {
                    let ours = c.address == inst.address && c.actions == ["update"];
                    let paths: Vec<String> = if ours {
                        c.changed_paths
                            .iter()
                            .filter(|p| !inst.ty.ignored(p))
                            .cloned()
                            .collect()
                    } else {
                        vec![format!("{} ({:?})", c.address, c.actions)]
                    };
                    paths
                })
                .collect();
            assert!(
                unexpected.is_empty(),
                "import-verify: after importing {} as {id:?} the plan changes {unexpected:?} \
                 (only {:?} may differ)\n{plan}",
                inst.address,
                inst.ty.import_ignore
            );
        }
        let after = tf.resource(&inst.address).await;
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(m) = v.as_object_mut() {
                m.retain(|k, _| !inst.ty.ignored(k));
            }
            v
        };
        assert_eq!(
            strip(&after),
            strip(before),
            "import-verify: {} imported as {id:?} differs from its applied state",
            inst.address
        );
        assert_eq!(
            self.acc.emu.objects(&inst.tenant),
            objects,
            "import-verify of {} changed the emulator's objects",
            inst.address
        );
        tf.write_file("terraform.tfstate", &applied);
        inst.verified.lock().expect("verified").push(key);
    }

    /// The emulator objects of `inst`'s tenant that any state it ever had owns.
    fn owned_objects(&self, inst: &Instance) -> Vec<String> {
        let seen = inst.seen.lock().expect("seen states").clone();
        self.acc
            .emu
            .objects(&inst.tenant)
            .into_iter()
            .filter(|(path, obj)| seen.iter().any(|s| (inst.ty.owns)(inst.ty, s, path, obj)))
            .map(|(path, _)| path)
            .collect()
    }
}

impl Instance {
    fn remember(&self, values: Value) {
        let mut seen = self.seen.lock().expect("seen states");
        if !seen.contains(&values) {
            seen.push(values);
        }
    }
}

fn in_state(state: &Value, address: &str) -> Option<Value> {
    super::workspace::find_resource(state, address).map(|r| r["values"].clone())
}
