//! Lifecycle guards around a resource's CRUD: deadlines from `timeouts`, read after write (with
//! replication-lag waits), 404 on read removes from state, half-done creates kept as tainted
//! state, planned values checked against what the API stored, and import.

use super::diag::{AttrPath, Diagnostic, Diagnostics};
use super::private::Private;
use super::refresh::Listings;
use super::resource::{ApplyError, Ctx, DataSource, ImportCtx, Resource};
use super::steps::unknowns_to_null;
use super::validators::parse_duration;
use super::value::Value;
use crate::clients::deadline::fmt_duration;
use crate::clients::{Clients, Deadline};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug)]
pub enum Op {
    Create,
    Read,
    Update,
    Delete,
}

impl Op {
    fn key(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Read => "read",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Create => "creating",
            Op::Read => "reading",
            Op::Update => "updating",
            Op::Delete => "deleting",
        }
    }
}

/// The deadline for an operation: the value's `timeouts.<op>` if set, else the resource
/// default. `true` when it came from the configuration.
pub fn op_timeout(res: &dyn Resource, v: &Value, op: Op) -> (Duration, bool) {
    let d = res.default_timeouts();
    let default = match op {
        Op::Create => d.create,
        Op::Read => d.read,
        Op::Update => d.update,
        Op::Delete => d.delete,
    };
    match v
        .get("timeouts")
        .get(op.key())
        .as_str()
        .and_then(parse_duration)
    {
        Some(t) => (t, true),
        None => (default, false),
    }
}

/// The operation's deadline, described for the messages of whatever times out under it: the
/// operation, the timeout that applied and how to raise it.
pub fn op_deadline(res: &dyn Resource, v: &Value, op: Op, cancel: &CancellationToken) -> Deadline {
    let (timeout, configured) = op_timeout(res, v, op);
    let key = op.key();
    let now = fmt_duration(timeout);
    // Something clearly bigger to copy: twice the current value, at least ten minutes.
    let more = fmt_duration((timeout * 2).max(Duration::from_secs(600)));
    let hint = if res.schema().attribute("timeouts").is_none() {
        format!("The {key} timeout is {now}.")
    } else if configured {
        format!(
            "The {key} timeout is {now} (from `timeouts`); raise it in the resource block, e.g. `timeouts = {{ {key} = \"{more}\" }}`."
        )
    } else {
        format!(
            "The {key} timeout is {now} (the default); raise it in the resource block, e.g. `timeouts = {{ {key} = \"{more}\" }}`."
        )
    };
    Deadline::after(timeout, cancel.clone())
        .labelled(format!("{} {}", op.verb(), res.type_name()), hint)
}

fn ctx(
    res: &dyn Resource,
    clients: &Arc<Clients>,
    cancel: &CancellationToken,
    v: &Value,
    op: Op,
    private: &[u8],
) -> Ctx {
    Ctx::new(clients.clone(), op_deadline(res, v, op, cancel))
        .with_private(Private::decode(private))
}

/// How long a data source read may take (data sources have no `timeouts`).
pub const DATA_SOURCE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A data source's deadline, described like a resource operation's: data sources have no
/// `timeouts`, so the hint only says how long they wait.
fn data_source_deadline(type_name: &str, cancel: &CancellationToken) -> Deadline {
    Deadline::after(DATA_SOURCE_TIMEOUT, cancel.clone()).labelled(
        format!("reading data source {type_name}"),
        format!(
            "Data sources wait at most {}; run the command again once the service answers.",
            fmt_duration(DATA_SOURCE_TIMEOUT)
        ),
    )
}

/// ReadDataSource, as a resource's read: under the data source's described deadline, with the
/// warnings the API gave. The value read (`None` on failure) and every diagnostic, errors first.
/// A data source may answer from `listings` ([`Ctx::listed`]), and one whose objects the
/// provider never writes is read once per configuration ([`Listings::once`]).
pub async fn read_data_source(
    ds: &dyn DataSource,
    clients: &Arc<Clients>,
    listings: &Arc<Listings>,
    cancel: &CancellationToken,
    config: &Value,
) -> (Option<Value>, Diagnostics) {
    let ctx = Ctx::new(
        clients.clone(),
        data_source_deadline(ds.type_name(), cancel),
    )
    .with_listings(listings.clone());
    let read = || async {
        let value = ds.read(&ctx, config).await?;
        Ok((value, ctx.take_warnings()))
    };
    let read = if ds.never_written() {
        listings.once(ds.type_name(), config, read).await
    } else {
        read().await
    };
    match read {
        Ok((value, warnings)) => (Some(value), warnings),
        Err(mut diags) => {
            diags.extend(ctx.take_warnings());
            (None, diags)
        }
    }
}

/// "Already exists" is the one create failure users can always fix the same way: import it.
/// `what` names the object as a sentence starts (`A partner connector named "X"`); the detail
/// gives its import ID, an `import` block (Terraform 1.5+) and the command (any version).
pub fn already_exists(type_name: &str, id: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} already exists"),
        format!(
            "{what} already exists (import ID: {id}), so Terraform cannot create it. {}",
            import_hint(type_name, id)
        ),
    )
}

/// How to import `id` as a `type_name`: an `import` block and the command, the ID quoted for
/// HCL and for a POSIX shell. Both are indented: Terraform wraps a diagnostic's lines, but not
/// indented ones, so they stay copyable.
pub fn import_hint(type_name: &str, id: &str) -> String {
    let hcl = serde_json::Value::String(id.to_string()).to_string();
    let shell = format!("'{}'", id.replace('\'', "'\\''"));
    format!(
        "To manage it with Terraform, import it:\n  import {{\n    to = {type_name}.<name>\n    id = {hcl}\n  }}\nor:\n  terraform import {type_name}.<name> {shell}"
    )
}

/// The `timeouts` value is configuration only (the API never sees it): carry it from the plan or
/// prior state into whatever the API read back.
fn carry_timeouts(mut v: Value, from: &Value) -> Value {
    if let Value::Object(m) = &mut v {
        if m.contains_key("timeouts") {
            m.insert("timeouts".into(), from.get("timeouts").clone());
        }
    }
    v
}

/// Known planned values must come back unchanged, or Terraform reports "Provider produced
/// inconsistent result". Say precisely which attribute the API stored differently.
fn check_against_plan(planned: &Value, got: &Value, diags: &mut Diagnostics) {
    if let (Value::Object(p), Value::Object(_)) = (planned, got) {
        for (k, pv) in p {
            let gv = got.get(k);
            if pv.is_wholly_known() && !pv.semantically_equal(gv) {
                diags.push(
                    Diagnostic::error(
                        "The API stored a different value than planned",
                        format!(
                            "After writing {k}, the API returned {} instead of the planned {}. This is a provider bug or an API normalisation the provider does not know; please report it.",
                            super::value::json::encode(gv),
                            super::value::json::encode(pv)
                        ),
                    )
                    .at(AttrPath::root().attr(k)),
                );
            }
        }
    }
}

/// How long read-after-write waits for a read that *reflects* the write (as opposed to one
/// that finds the object at all, which may take the whole deadline). Past this, the read is
/// taken as the truth and any difference is reported on its attribute.
const REFLECT_WINDOW: Duration = Duration::from_secs(60);

fn reflects(planned: &Value, got: &Value) -> bool {
    let mut d = Diagnostics::new();
    check_against_plan(planned, got, &mut d);
    d.is_empty()
}

/// Reads an object after writing it, until a read finds it and shows what was written (one
/// such read is enough: Graph's replicas converge, they don't flap back). Works around replication lag: right after a write, a replica may not know
/// the object (404), or may still serve its previous version or miss a child just written.
async fn read_after_write(
    res: &dyn Resource,
    ctx: &Ctx,
    written: &Value,
    planned: &Value,
) -> Result<Value, Diagnostics> {
    let mut attempt = 0u32;
    let started = std::time::Instant::now();
    loop {
        let got = res.read(ctx, written).await?;
        let why = match &got {
            Some(v) if reflects(planned, &carry_timeouts(v.clone(), planned)) => {
                return Ok(v.clone())
            }
            Some(v) if started.elapsed() >= REFLECT_WINDOW => return Ok(v.clone()),
            Some(_) => "was read back without the values just written",
            None => "was written but could not be read back",
        };
        let delay = crate::clients::consistency::poll_delay(attempt);
        match ctx
            .deadline
            .sleep(delay, &format!("{} {why}", res.type_name()))
            .await
        {
            Ok(()) => {}
            // Out of time: a stale read is still better than no state at all.
            Err(_) if got.is_some() => return Ok(got.unwrap()),
            Err(e) => return Err(super::diag::api_error("calling the API", &e).into()),
        }
        attempt += 1;
    }
}

/// What an apply or read hands back to Terraform.
#[derive(Debug)]
pub struct Outcome {
    /// Null when destroyed, never created, or gone.
    pub state: Value,
    /// The private state the operation left (see [`Private`]).
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

/// ApplyResourceChange: create, update or delete. Returns the new state (null when destroyed or
/// never created) and diagnostics; a non-null state with errors makes Terraform taint it.
/// `private` is the planned private state; the resource may rewrite it.
/// A write drops its type's listing ([`super::refresh`]), before and after it: no later
/// read in this process answers from a listing made before the write completed.
pub async fn apply(
    res: &dyn Resource,
    clients: &Arc<Clients>,
    listings: &Listings,
    cancel: &CancellationToken,
    prior: &Value,
    planned: &Value,
    private: &[u8],
) -> Outcome {
    listings.drop_type(res.type_name());
    let out = apply_write(res, clients, cancel, prior, planned, private).await;
    listings.drop_type(res.type_name());
    out
}

async fn apply_write(
    res: &dyn Resource,
    clients: &Arc<Clients>,
    cancel: &CancellationToken,
    prior: &Value,
    planned: &Value,
    private: &[u8],
) -> Outcome {
    let mut diags = Diagnostics::new();
    if planned.is_null() {
        let c = ctx(res, clients, cancel, prior, Op::Delete, private);
        let result = res.delete(&c, prior).await;
        diags.extend(c.take_warnings());
        return match result {
            // Gone: nothing private survives it.
            Ok(()) => Outcome {
                state: Value::Null,
                private: Vec::new(),
                diags,
            },
            Err(d) => {
                diags.extend(d);
                Outcome {
                    state: prior.clone(),
                    private: c.private.encode(),
                    diags,
                }
            }
        };
    }
    let (op, c, result) = if prior.is_null() {
        let c = ctx(res, clients, cancel, planned, Op::Create, private);
        let r = run_write(res, &c, planned, res.create(&c, planned).await).await;
        (Op::Create, c, r)
    } else {
        let c = ctx(res, clients, cancel, planned, Op::Update, private);
        let r = run_write(res, &c, planned, res.update(&c, prior, planned).await).await;
        (Op::Update, c, r)
    };
    diags.extend(c.take_warnings());
    let state = match result {
        Ok(state) => {
            let state = carry_timeouts(state, planned);
            check_against_plan(planned, &state, &mut diags);
            state
        }
        Err(ApplyError { diags: d, state }) => {
            diags.extend(d);
            let fallback = match op {
                // Nothing was created: no state.
                Op::Create => Value::Null,
                // An update that failed leaves the object as it was as far as we know.
                _ => prior.clone(),
            };
            state
                .map(|s| unknowns_to_null(carry_timeouts(s, planned)))
                .unwrap_or(fallback)
        }
    };
    Outcome {
        private: if state.is_null() {
            Vec::new()
        } else {
            c.private.encode()
        },
        state,
        diags,
    }
}

async fn run_write(
    res: &dyn Resource,
    c: &Ctx,
    planned: &Value,
    written: Result<Value, ApplyError>,
) -> Result<Value, ApplyError> {
    let written = written?;
    read_after_write(res, c, &written, planned)
        .await
        .map_err(|diags| ApplyError {
            diags,
            // The write happened: keep what we know so the object is tracked (tainted), not orphaned.
            state: Some(written.clone()),
        })
}

/// ReadResource: refresh. `Value::Null` means the object is gone and leaves the state. An
/// object the type's listing holds is read from it ([`super::refresh`]); any other is read
/// directly, and only that read decides it is gone.
pub async fn read(
    res: &dyn Resource,
    clients: &Arc<Clients>,
    listings: &Listings,
    cancel: &CancellationToken,
    state: &Value,
    private: &[u8],
) -> Outcome {
    let c = ctx(res, clients, cancel, state, Op::Read, private);
    let read = match listings.read(res, &c, state).await {
        Some(from_listing) => from_listing,
        None => res.read(&c, state).await,
    };
    let (state, diags) = match read {
        Ok(Some(v)) => (carry_timeouts(v, state), Diagnostics::new()),
        Ok(None) => {
            tracing::info!(
                resource = res.type_name(),
                "object no longer exists remotely: removing it from state"
            );
            (Value::Null, Diagnostics::new())
        }
        Err(d) => (state.clone(), d),
    };
    let mut diags = diags;
    diags.extend(c.take_warnings());
    Outcome {
        private: c.private.encode(),
        state,
        diags,
    }
}

/// ImportResourceState: the identifying attributes from the ID, every other attribute null.
pub fn import(res: &dyn Resource, ctx: &ImportCtx, id: &str) -> Result<Value, Diagnostics> {
    let partial = res.import(ctx, id)?;
    let mut full = Value::null_object(&res.schema().ty());
    if let Value::Object(m) = partial {
        for (k, v) in m {
            full.set_attr(&k, v);
        }
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_check_names_the_attribute() {
        let planned = Value::object([("a", Value::string("x")), ("id", Value::Unknown)]);
        let got = Value::object([("a", Value::string("y")), ("id", Value::string("1"))]);
        let mut d = Diagnostics::new();
        check_against_plan(&planned, &got, &mut d);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(AttrPath::root().attr("a")));
    }

    #[test]
    fn deadline_messages_name_the_operation_and_how_to_raise_the_timeout() {
        let res = crate::resources::cross_tenant_access_partner::CrossTenantAccessPartner;
        let ty = res.schema().ty();
        let mut v = Value::null_object(&ty);
        v.set_attr("timeouts", Value::object([("read", Value::string("5s"))]));
        let cancel = CancellationToken::new();
        let e =
            op_deadline(&res, &v, Op::Read, &cancel).expired("GET /x had not answered after 5s");
        assert_eq!(
            e.to_string(),
            "reading coexistence_cross_tenant_access_partner timed out after 5s: GET /x had not answered after 5s. \
             The read timeout is 5s (from `timeouts`); raise it in the resource block, e.g. `timeouts = { read = \"10m\" }`."
        );
        let e = op_deadline(&res, &Value::null_object(&ty), Op::Create, &cancel).expired("w");
        assert!(
            e.message.contains("timed out after 10m")
                && e.message.contains("(the default)")
                && e.message.contains("`timeouts = { create = \"20m\" }`"),
            "{e}"
        );
    }

    /// A data source that fails as its first request would when out of time, after a warning.
    struct Slow;

    #[async_trait::async_trait]
    impl DataSource for Slow {
        fn type_name(&self) -> &'static str {
            "coexistence_tenant"
        }
        fn schema(&self) -> crate::framework::Schema {
            unreachable!()
        }
        async fn read(&self, ctx: &Ctx, _: &Value) -> Result<Value, Diagnostics> {
            assert_eq!(ctx.deadline.budget(), DATA_SOURCE_TIMEOUT);
            ctx.warn(Diagnostic::warning("careful", "w"));
            Err(super::super::diag::api_error(
                "looking up tenant x",
                &ctx.deadline.expired("GET /t had not answered after 1m"),
            )
            .into())
        }
        fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
            &[]
        }
        fn model_mismatches(&self) -> Vec<String> {
            Vec::new()
        }
    }

    #[tokio::test]
    async fn data_source_reads_run_under_a_described_deadline_and_keep_warnings() {
        let clients = Arc::new(Clients::for_tests(
            crate::clients::http::mock::MockTransport::new(vec![]),
        ));
        let (v, d) = read_data_source(
            &Slow,
            &clients,
            &Arc::default(),
            &CancellationToken::new(),
            &Value::Null,
        )
        .await;
        assert!(v.is_none());
        assert_eq!(d.0.len(), 2, "{d}");
        assert_eq!(
            d.0[0].detail,
            "reading data source coexistence_tenant timed out after 5m: GET /t had not answered after 1m. \
             Data sources wait at most 5m; run the command again once the service answers."
        );
        assert_eq!(d.0[1].summary, "careful");
    }

    #[test]
    fn already_exists_gives_the_import_id_an_import_block_and_the_command() {
        let d = already_exists(
            "coexistence_partner_connector",
            "outbound/X",
            "A partner connector named \"X\"",
        );
        assert_eq!(d.summary, "A partner connector named \"X\" already exists");
        assert_eq!(
            d.detail,
            "A partner connector named \"X\" already exists (import ID: outbound/X), so Terraform cannot create it. To manage it with Terraform, import it:\n  import {\n    to = coexistence_partner_connector.<name>\n    id = \"outbound/X\"\n  }\nor:\n  terraform import coexistence_partner_connector.<name> 'outbound/X'"
        );
        // Quotes survive both languages.
        let h = import_hint("t", "it's \"q\"");
        assert!(h.contains("id = \"it's \\\"q\\\"\""), "{h}");
        assert!(
            h.contains("terraform import t.<name> 'it'\\''s \"q\"'"),
            "{h}"
        );
    }

    #[test]
    fn timeouts_carry_over() {
        let planned =
            Value::object([("timeouts", Value::object([("create", Value::string("5s"))]))]);
        let got = Value::object([("timeouts", Value::Null)]);
        assert_eq!(carry_timeouts(got, &planned), planned);
    }
}
