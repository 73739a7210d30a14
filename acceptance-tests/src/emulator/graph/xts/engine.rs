//! The provisioning engine: one synchronization cycle of a job, from the users and groups of
//! the source tenant to B2B users in the target tenant. API-NOTES.md#xts-provisioning
//!
//! A cycle runs, once turned on for an emulator with [`set_provisioning`], when a job is
//! started or restarted, whenever a test calls [`run_cycles`], and, with an interval set
//! ([`set_cycle_interval`]), when advancing the emulator clock ([`tick`]) makes one due. It reads the job's secrets
//! (`CompanyId`, `SyncAll`), assignments and schema; quarantines the job when the target's
//! inbound synchronization setting (or either automatic redemption) forbids it; otherwise
//! creates, updates and soft-deletes users in the target and records the run on the job's
//! status.
//!
//! Source users are `/users/{id}` objects with Graph user properties (`displayName`,
//! `userPrincipalName`, `department`, `accountEnabled`, ...); a group's direct members are its
//! `members` (an array of user ids). Target users carry `alternativeSecurityIds`
//! `[{"type": 1, "identityProvider": "<source tenant>", "key": "<source user id>"}]`: the
//! matching attribute, by which an existing guest is found instead of duplicated.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::credentials::test_connection;
use super::sync_schema::{user_mappings, user_scope_groups, MATCHING_TARGET};
use super::*;
use crate::emulator::util::{new_guid, now_utc, Stamp};

/// Emulators (by base URL) whose jobs provision.
static ON: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Turns the engine on (or off) for this emulator: jobs then run a cycle when started or
/// restarted. Off by default, so tests of the configuration see jobs as the service leaves
/// them before their first cycle (`NotRun`).
pub fn set_provisioning(emu: &impl AsRef<Shared>, on: bool) {
    let url = emu.as_ref().base_url.clone();
    let mut g = ON.lock().unwrap_or_else(|e| e.into_inner());
    g.retain(|u| u != &url);
    if on {
        g.push(url);
    }
}

pub(super) fn provisioning(st: &Shared) -> bool {
    ON.lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&st.base_url)
}

/// Per emulator (base URL): the interval between scheduled cycles.
static INTERVAL: Mutex<Vec<(String, Duration)>> = Mutex::new(Vec::new());
/// Per (emulator, job id): when its last cycle ran (emulator clock).
static LAST: Mutex<Option<HashMap<(String, String), Instant>>> = Mutex::new(None);

/// Scheduled cycles: every started job runs one when `interval` has passed on the emulator
/// clock since its last, checked whenever the clock is advanced (`Emulator::advance`, `POST
/// /_emulator/clock/advance`). `None` (the default) schedules none. The service's own interval
/// is the job's `schedule.interval` (`PT40M`); this one is the test's.
pub fn set_cycle_interval(emu: &impl AsRef<Shared>, interval: Option<Duration>) {
    let url = emu.as_ref().base_url.clone();
    let mut g = INTERVAL.lock().unwrap_or_else(|e| e.into_inner());
    g.retain(|(u, _)| u != &url);
    if let Some(d) = interval {
        g.push((url, d));
    }
}

fn note_ran(st: &Shared, job: &str) {
    let mut g = LAST.lock().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashMap::new)
        .insert((st.base_url.clone(), job.to_string()), st.clock.now());
}

/// Runs the cycles that came due (see [`set_cycle_interval`]) in every tenant of the emulator.
pub fn tick(st: &Shared) {
    let interval = INTERVAL
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(u, _)| u == &st.base_url)
        .map(|(_, d)| *d);
    let (Some(interval), true) = (interval, provisioning(st)) else {
        return;
    };
    let now = st.clock.now();
    let tenants: Vec<String> = st.tenants.iter().map(|t| t.tenant_id.clone()).collect();
    for tenant in tenants {
        for (sp, job) in started_jobs(st, &tenant) {
            let last = LAST
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(HashMap::new)
                .get(&(st.base_url.clone(), job.clone()))
                .copied();
            if last.is_none_or(|l| now.saturating_duration_since(l) >= interval) {
                run_cycle(st, &tenant, &sp, &job);
            }
        }
    }
}

/// The started jobs of `tenant`: (service principal id, job id).
fn started_jobs(st: &Shared, tenant: &str) -> Vec<(String, String)> {
    st.with_store(tenant, |s| {
        s.children(SPS_PATH)
            .into_iter()
            .flat_map(|(sp_path, sp)| {
                let sp_id = sp["id"].as_str().unwrap_or_default().to_string();
                s.children(&format!("{sp_path}/synchronization/jobs"))
                    .into_iter()
                    .filter(|(_, j)| j["schedule"]["state"] == "Active")
                    .map(move |(_, j)| {
                        (
                            sp_id.clone(),
                            j["id"].as_str().unwrap_or_default().to_string(),
                        )
                    })
            })
            .collect()
    })
}

/// What one cycle did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cycle {
    pub created: usize,
    /// Users already in the target (a matched guest, or created by an earlier cycle) whose
    /// attributes changed.
    pub updated: usize,
    pub soft_deleted: usize,
    /// Users in scope after the cycle.
    pub in_scope: usize,
    pub quarantined: bool,
}

/// Runs a cycle of every started (`Active` schedule) job of `tenant` (source). Returns what
/// each did, by job id.
pub fn run_cycles(emu: &impl AsRef<Shared>, tenant: &str) -> Vec<(String, Cycle)> {
    let st = emu.as_ref();
    let tenant = st
        .signin_tenant(tenant)
        .map(|t| t.tenant_id.clone())
        .unwrap_or_else(|| tenant.to_ascii_lowercase());
    let jobs = started_jobs(st, &tenant);
    jobs.into_iter()
        .filter_map(|(sp, job)| run_cycle(st, &tenant, &sp, &job).map(|c| (job, c)))
        .collect()
}

/// The job's inputs, read from the source tenant.
struct Inputs {
    target: String,
    sync_all: bool,
    mappings: Vec<Value>,
    scope: Vec<Value>,
    users: Vec<Value>,
    /// Assigned user ids and members of assigned groups.
    assigned: HashSet<String>,
}

fn inputs(st: &Shared, source: &str, sp: &str, job: &str) -> Option<Inputs> {
    st.with_store(source, |s| {
        let schema = s.get(&schema_path(sp, job))?.clone();
        let saved = super::credentials::saved(s, sp);
        let secret = |k: &str| saved.get(k).and_then(Value::as_str).map(str::to_string);
        let mut assigned = HashSet::new();
        for (_, a) in s.children(&assignments_path(sp)) {
            let p = a["principalId"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match a["principalType"].as_str() {
                Some("User") => {
                    assigned.insert(p);
                }
                Some("Group") => {
                    // Direct members only: nested groups are not synchronized.
                    let g = s.get(&format!("{GROUPS_PATH}/{p}")).cloned();
                    for m in g
                        .iter()
                        .flat_map(|g| g["members"].as_array().cloned().unwrap_or_default())
                    {
                        if let Some(id) = m.as_str() {
                            assigned.insert(id.to_ascii_lowercase());
                        }
                    }
                }
                _ => {}
            }
        }
        Some(Inputs {
            target: secret("CompanyId")?.to_ascii_lowercase(),
            sync_all: secret("SyncAll").as_deref() == Some("true"),
            mappings: user_mappings(&schema).cloned().unwrap_or_default(),
            scope: user_scope_groups(&schema),
            users: s.children(USERS_PATH).into_iter().map(|(_, u)| u).collect(),
            assigned,
        })
    })
}

/// A source user's value of `attr` for scoping: `alternativeSecurityIds` of a user of the
/// tenant itself (not an external user) is `None`, as the template's clause expects.
fn operand(user: &Value, attr: &str) -> Value {
    match (attr, &user[attr]) {
        (MATCHING_TARGET, Value::Null) => json!("None"),
        (_, v) => v.clone(),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `REGEX_MATCH`, for the patterns the tests use: `^` and `$` anchors around a literal
/// (assumed: the emulator has no regular expression engine; anything else is a substring).
fn matches_pattern(value: &str, pattern: &str) -> bool {
    let (start, rest) = match pattern.strip_prefix('^') {
        Some(r) => (true, r),
        None => (false, pattern),
    };
    let (end, lit) = match rest.strip_suffix('$') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    match (start, end) {
        (true, true) => value == lit,
        (true, false) => value.starts_with(lit),
        (false, true) => value.ends_with(lit),
        (false, false) => value.contains(lit),
    }
}

fn clause_holds(user: &Value, c: &Value) -> bool {
    let v = operand(user, c["sourceOperandName"].as_str().unwrap_or_default());
    let values: Vec<String> = c["targetOperand"]["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    let t = text(&v);
    let eq = |x: &String| t.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(x));
    match c["operatorName"].as_str().unwrap_or_default() {
        "EQUALS" => values.iter().any(eq),
        "NOT_EQUALS" => !values.iter().any(eq),
        "IS_TRUE" => t.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("true")),
        "IS_FALSE" => t
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("false")),
        "IS_NULL" => v.is_null(),
        "IS_NOT_NULL" => !v.is_null(),
        "REGEX_MATCH" => t.is_some_and(|t| values.iter().any(|p| matches_pattern(&t, p))),
        "NOT_REGEX_MATCH" => !t.is_some_and(|t| values.iter().any(|p| matches_pattern(&t, p))),
        "GREATER_THAN" => {
            let n = t.and_then(|t| t.parse::<f64>().ok());
            values
                .iter()
                .filter_map(|x| x.parse::<f64>().ok())
                .any(|x| n.is_some_and(|n| n > x))
        }
        _ => false,
    }
}

/// In scope: assigned (or every user with `SyncAll`), and, when the mapping has scoping groups,
/// every clause of at least one group holds (OR between groups, AND within one).
fn in_scope(i: &Inputs, user: &Value) -> bool {
    let id = user["id"].as_str().unwrap_or_default().to_ascii_lowercase();
    (i.sync_all || i.assigned.contains(&id))
        && (i.scope.is_empty()
            || i.scope.iter().any(|g| {
                g["clauses"]
                    .as_array()
                    .is_some_and(|cs| cs.iter().all(|c| clause_holds(user, c)))
            }))
}

/// The target attributes of `user` (the matching attribute aside): `(name, value, always)`,
/// `always` false for `ObjectAddOnly`. Constants `True` / `False` are Booleans; `Function`
/// sources other than the matching one are not evaluated (assumed: no expression engine).
fn mapped(mappings: &[Value], user: &Value) -> Vec<(String, Value, bool)> {
    mappings
        .iter()
        .filter(|m| m["targetAttributeName"] != MATCHING_TARGET)
        .filter_map(|m| {
            let src = &m["source"];
            let name = src["name"].as_str().unwrap_or_default();
            let v = match src["type"].as_str() {
                Some("Attribute") => user.get(name).cloned().filter(|v| !v.is_null())?,
                Some("Constant") if name.eq_ignore_ascii_case("true") => json!(true),
                Some("Constant") if name.eq_ignore_ascii_case("false") => json!(false),
                Some("Constant") => json!(name),
                _ => return None,
            };
            Some((
                m["targetAttributeName"].as_str()?.to_string(),
                v,
                m["flowType"] != "ObjectAddOnly",
            ))
        })
        .collect()
}

fn source_key(source: &str, user_id: &str) -> Value {
    json!({"type": 1, "identityProvider": source, "key": user_id})
}

/// The source user a target user stands for (by its alternative security ID), if `source`'s.
fn source_user_of(target_user: &Value, source: &str) -> Option<String> {
    target_user[MATCHING_TARGET]
        .as_array()?
        .iter()
        .find(|a| a["identityProvider"].as_str() == Some(source))
        .and_then(|a| a["key"].as_str())
        .map(str::to_ascii_lowercase)
}

/// One cycle of `job`; `None` when the job or its schema or secrets are not there.
pub(super) fn run_cycle(st: &Shared, source: &str, sp: &str, job: &str) -> Option<Cycle> {
    let i = inputs(st, source, sp, job)?;
    note_ran(st, job);
    let began = now_utc(Stamp::Seconds);
    if let Err(e) = test_connection(st, source, &i.target) {
        st.with_store(source, |s| quarantine(s, &job_path(sp, job), &e, &began));
        return Some(Cycle {
            quarantined: true,
            ..Cycle::default()
        });
    }
    let scoped: Vec<&Value> = i.users.iter().filter(|u| in_scope(&i, u)).collect();
    let ids: HashSet<String> = scoped
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let domain = st
        .signin_tenant(&i.target)
        .map(|t| t.default_domain.clone())
        .unwrap_or_else(|| format!("{}.onmicrosoft.com", i.target));
    let mut cycle = Cycle {
        in_scope: scoped.len(),
        ..Cycle::default()
    };
    st.with_store(&i.target, |s| {
        let existing = s.children(USERS_PATH);
        for u in &scoped {
            let uid = u["id"].as_str().unwrap_or_default().to_ascii_lowercase();
            let attrs = mapped(&i.mappings, u);
            match existing
                .iter()
                .find(|(_, t)| source_user_of(t, source).as_deref() == Some(uid.as_str()))
            {
                Some((path, t)) => {
                    let mut next = t.clone();
                    for (k, v, always) in &attrs {
                        if *always {
                            next[k.as_str()] = v.clone();
                        }
                    }
                    if &next != t {
                        s.replace(path, next);
                        cycle.updated += 1;
                    }
                }
                None => {
                    let id = new_guid();
                    let upn = u["userPrincipalName"]
                        .as_str()
                        .unwrap_or(uid.as_str())
                        .replace('@', "_");
                    let mut obj = Map::new();
                    obj.insert("id".into(), json!(id));
                    obj.insert("@odata.type".into(), json!("#microsoft.graph.user"));
                    obj.insert(
                        "userPrincipalName".into(),
                        json!(format!("{upn}#EXT#@{domain}")),
                    );
                    obj.insert("creationType".into(), json!("Invitation"));
                    obj.insert("externalUserState".into(), json!("Accepted"));
                    obj.insert(MATCHING_TARGET.into(), json!([source_key(source, &uid)]));
                    for (k, v, _) in attrs {
                        obj.insert(k, v);
                    }
                    s.replace(&format!("{USERS_PATH}/{id}"), Value::Object(obj));
                    cycle.created += 1;
                }
            }
        }
        // Out of scope now: soft-deleted (to the deleted items), never hard-deleted.
        for (path, t) in existing {
            let Some(src) = source_user_of(&t, source) else {
                continue;
            };
            if ids.contains(&src) {
                continue;
            }
            let id = t["id"].as_str().unwrap_or_default().to_string();
            let mut gone = t.clone();
            gone["deletedDateTime"] = json!(now_utc(Stamp::Seconds));
            s.remove(&path);
            s.replace(&deleted_path(&id), gone);
            cycle.soft_deleted += 1;
        }
    });
    st.with_store(source, |s| succeeded(s, &job_path(sp, job), &cycle, &began));
    Some(cycle)
}

/// The job after a successful cycle: `Active`, the run's counters, steady state reached.
fn succeeded(s: &mut TenantStore<'_>, path: &str, c: &Cycle, began: &str) {
    let Some(j) = s.get_mut(path) else {
        return;
    };
    let ended = now_utc(Stamp::Seconds);
    let exported = (c.created + c.updated + c.soft_deleted) as u64;
    let run = json!({
        "activityIdentifier": new_guid(), "state": "Succeeded", "timeBegan": began,
        "timeEnded": ended, "error": null,
        "countEntitled": c.in_scope, "countEntitledForProvisioning": c.in_scope,
        "countEscrowed": 0, "countEscrowedRaw": 0, "countExported": exported,
        "countExports": exported, "countImported": c.in_scope, "countImportedDeltas": c.in_scope,
        "countImportedReferenceDeltas": 0,
    });
    let st = &mut j["status"];
    st["code"] = json!("Active");
    st["quarantine"] = Value::Null;
    st["countSuccessiveCompleteFailures"] = json!(0);
    st["lastExecution"] = run.clone();
    st["lastSuccessfulExecution"] = run.clone();
    if exported > 0 {
        st["lastSuccessfulExecutionWithExports"] = run;
    }
    if st["steadyStateFirstAchievedTime"] == "0001-01-01T00:00:00Z" {
        st["steadyStateFirstAchievedTime"] = json!(ended);
    }
    st["steadyStateLastAchievedTime"] = json!(ended);
    st["synchronizedEntryCountByType"] = json!([{"key": "User", "value": c.in_scope}]);
}

/// The job quarantined: the target tenant's policy forbids the synchronization.
fn quarantine(s: &mut TenantStore<'_>, path: &str, e: &GraphError, began: &str) {
    let Some(j) = s.get_mut(path) else {
        return;
    };
    let now = now_utc(Stamp::Seconds);
    let error = json!({"code": e.code, "message": e.message, "tenantActionable": true});
    let st = &mut j["status"];
    let failures = st["countSuccessiveCompleteFailures"].as_u64().unwrap_or(0) + 1;
    st["code"] = json!("Quarantine");
    st["countSuccessiveCompleteFailures"] = json!(failures);
    st["lastExecution"] = json!({
        "activityIdentifier": new_guid(), "state": "Failed", "timeBegan": began,
        "timeEnded": now, "error": error,
        "countEntitled": 0, "countEntitledForProvisioning": 0, "countEscrowed": 0,
        "countEscrowedRaw": 0, "countExported": 0, "countExports": 0, "countImported": 0,
        "countImportedDeltas": 0, "countImportedReferenceDeltas": 0,
    });
    st["quarantine"] = json!({
        "currentBegan": now, "nextAttempt": now, "reason": "EncounteredQuarantineException",
        "seriesBegan": now, "seriesCount": failures, "error": error,
    });
}
