//! Plan checks read from `terraform show -json <planfile>`, not from the plan's text: which
//! actions a resource gets, which attribute paths change, which force a replacement.
//!
//! Both supported CLIs emit what is read here: `resource_changes[].change.{actions, before,
//! after, after_unknown}` (since 0.12) and `replace_paths` (since 0.15; Terraform 1.0.3 emits
//! it, `plan_json_matches_on_both_versions` in the self-tests checks both CLIs).

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

/// A parsed plan (`terraform show -json <planfile>`).
#[derive(Clone, Debug)]
pub struct Plan(pub Value);

/// What the plan does to one resource instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub address: String,
    /// `["no-op"]`, `["create"]`, `["update"]`, `["delete", "create"]`, ...
    pub actions: Vec<String>,
    /// Attribute paths whose planned value differs from the prior state (or becomes unknown),
    /// see [`changed_paths`].
    pub changed_paths: BTreeSet<String>,
    /// Paths that force the replacement (`replace_paths`), in the same notation.
    pub replace_paths: BTreeSet<String>,
}

impl Plan {
    /// Every resource instance's change (data sources included, as Terraform lists them).
    pub fn changes(&self) -> Vec<Change> {
        self.0["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(change_of)
            .collect()
    }

    /// The change of `address`, `None` when the plan does not mention it.
    pub fn change(&self, address: &str) -> Option<Change> {
        self.changes().into_iter().find(|c| c.address == address)
    }

    /// The change of `address`; panics (showing the plan) when the plan does not mention it.
    pub fn expect_change(&self, address: &str) -> Change {
        self.change(address).unwrap_or_else(|| {
            panic!("plan has no resource_changes entry for {address}; plan:\n{self}")
        })
    }

    /// The addresses whose actions are not `["no-op"]` (or `["read"]` for a data source).
    pub fn changed_addresses(&self) -> Vec<String> {
        self.changes()
            .into_iter()
            .filter(|c| !c.is_noop())
            .map(|c| c.address)
            .collect()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = self
            .changes()
            .iter()
            .map(|c| format!("  {c}"))
            .collect::<Vec<_>>()
            .join("\n");
        write!(
            f,
            "{summary}\nplan JSON:\n{}",
            serde_json::to_string_pretty(&self.0).unwrap_or_default()
        )
    }
}

impl Change {
    /// Nothing to do: `["no-op"]` (or a data source `["read"]` whose result is unchanged).
    pub fn is_noop(&self) -> bool {
        self.actions == ["no-op"] || (self.actions == ["read"] && self.changed_paths.is_empty())
    }

    /// `["delete", "create"]` or `["create", "delete"]`.
    pub fn is_replace(&self) -> bool {
        matches!(self.actions.as_slice(), [a, b]
            if (a == "delete" && b == "create") || (a == "create" && b == "delete"))
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: actions {:?}, changed {:?}",
            self.address, self.actions, self.changed_paths
        )?;
        if !self.replace_paths.is_empty() {
            write!(f, ", replace because of {:?}", self.replace_paths)?;
        }
        Ok(())
    }
}

fn change_of(rc: &Value) -> Change {
    let change = &rc["change"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(String::from))
            .collect()
    };
    Change {
        address: rc["address"].as_str().unwrap_or_default().to_string(),
        actions: strings(&change["actions"]),
        changed_paths: changed_paths(
            &change["before"],
            &change["after"],
            &change["after_unknown"],
        ),
        replace_paths: change["replace_paths"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| path_string(p.as_array().map(Vec::as_slice).unwrap_or_default()))
            .collect(),
    }
}

/// The attribute paths where `after` differs from `before`, or `after_unknown` marks the value
/// as known only after apply. Paths are attribute names joined by `.`
/// (`inbound_trust.mfa_accepted`); objects are compared member by member, anything else (a
/// scalar, a list or set, or an object appearing or disappearing) is one path. Lists and sets are
/// whole because a set has no stable index: `b2b_collaboration_outbound.users_and_groups.targets`.
pub fn changed_paths(before: &Value, after: &Value, after_unknown: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(&mut Vec::new(), before, after, after_unknown, &mut out);
    out
}

fn walk<'a>(
    path: &mut Vec<&'a str>,
    before: &'a Value,
    after: &'a Value,
    unknown: &'a Value,
    out: &mut BTreeSet<String>,
) {
    if unknown == &Value::Bool(true) {
        // Known after apply: a change unless it is a computed value nobody set yet and stays so.
        out.insert(path.join("."));
        return;
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            // after_unknown names attributes that `after` leaves out (known after apply).
            let unknown_keys = unknown.as_object().into_iter().flat_map(|u| u.keys());
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).chain(unknown_keys).collect();
            for k in keys {
                path.push(k);
                walk(
                    path,
                    b.get(k.as_str()).unwrap_or(&Value::Null),
                    a.get(k.as_str()).unwrap_or(&Value::Null),
                    unknown.get(k.as_str()).unwrap_or(&Value::Null),
                    out,
                );
                path.pop();
            }
        }
        (b, a) if b != a => {
            out.insert(path.join("."));
        }
        _ => {
            // Equal, but parts of a list may still be unknown after apply.
            if contains_true(unknown) {
                out.insert(path.join("."));
            }
        }
    }
}

fn contains_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(contains_true),
        Value::Object(m) => m.values().any(contains_true),
        _ => false,
    }
}

/// `["inbound_trust", "mfa_accepted"]` -> `inbound_trust.mfa_accepted`; list indices (numbers)
/// are left out, matching [`changed_paths`], which treats a list as one value.
fn path_string(steps: &[Value]) -> String {
    steps
        .iter()
        .take_while(|s| s.is_string())
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(".")
}
