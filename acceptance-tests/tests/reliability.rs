//! Reliability scenarios through the real terraform CLI: requests bounded by the operation's
//! deadline and by StopProvider (Ctrl-C), and creates that survive a lost answer without
//! failing, duplicating or orphaning (the create-once rule, `clients/create.rs`).

mod common;

use std::time::{Duration, Instant};

use coexistence_acceptance::harness::TfOutput;
use common::*;

const PARTNERS: &str = "/policies/crossTenantAccessPolicy/partners";

/// stderr with terraform's diagnostic box drawing and line wrapping removed.
fn flat(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_says(out: &TfOutput, needles: &[&str]) {
    let text = flat(&out.combined());
    for n in needles {
        assert!(text.contains(n), "expected {n:?} in the output\n{out}");
    }
}

/// Partner objects (not their children) stored in `tenant`.
fn partners(acc: &Acc, tenant: &str) -> Vec<String> {
    acc.emu
        .objects(tenant)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| {
            p.strip_prefix(&format!("{PARTNERS}/"))
                .is_some_and(|rest| !rest.contains('/'))
        })
        .collect()
}

/// Statuses of the partner create POSTs in the request log (0: no answer, connection closed).
fn create_posts(acc: &Acc) -> Vec<u16> {
    acc.emu
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(PARTNERS))
        .map(|r| r.status)
        .collect()
}

fn request_log(acc: &Acc) -> String {
    acc.emu
        .requests()
        .iter()
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits (bounded) until `cond` holds.
async fn eventually(what: &str, limit: Duration, cond: impl Fn() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// GETs that never answer in time: `plan` fails at the 5 s read timeout (not after the API's
/// 25 s), saying what timed out, which timeout applied, how to raise it and what it was waiting
/// for. The refresh first lists the partners (given half the read's time), then, the listing
/// stalled, reads the partner directly in what is left.
#[tokio::test(flavor = "multi_thread")]
async fn stalled_read_fails_plan_at_the_read_timeout() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner {
        extra: "  timeouts = { read = \"5s\" }\n".into(),
        ..Partner::minimal(&acc.partner.tenant_id)
    };
    steps.apply_config(&p.hcl()).await;

    // The listing (the collection's path), then the direct read (the partner's).
    acc.emu.inject(Fault::delay(25.0).on("GET", PARTNERS));
    acc.emu
        .inject(Fault::delay(25.0).on("GET", &format!("{PARTNERS}/")));
    let out = acc.tf.plan().await;
    eprintln!("plan with a stalled GET ended after {:?}", out.elapsed);
    assert_eq!(out.code, Some(1), "plan must fail\n{out}");
    assert!(
        out.elapsed >= Duration::from_secs(5) && out.elapsed < Duration::from_secs(15),
        "plan took {:?}; expected the 5s read timeout to end it\n{out}",
        out.elapsed
    );
    assert_says(
        &out,
        &[
            "reading coexistence_cross_tenant_access_partner timed out after 5s",
            "The read timeout is 5s (from `timeouts`)",
            "timeouts = { read = \"10m\" }",
        ],
    );
    // The direct read is one GET with the sync policy expanded; sent once the listing had
    // waited its half of the 5 s, it waited what was left (under load, a little less).
    let stalled = format!(
        "GET {}?$expand=identitySynchronization had not answered after ",
        partner_path(&p.tenant_id)
    );
    let text = flat(&out.combined());
    let waited = text
        .split_once(&stalled)
        .and_then(|(_, rest)| rest.split_once('s'))
        .and_then(|(n, _)| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("expected {stalled:?} and a duration in the output\n{out}"));
    assert!(
        (1.5..=3.0).contains(&waited),
        "the GET waited {waited}s; expected what was left of the 5s read timeout\n{out}"
    );

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Ctrl-C while the create POST is held for 60 s: terraform stops within seconds, reports the
/// cancellation, and nothing is left behind (the abandoned request was never applied, and no
/// state records an object that does not exist).
#[tokio::test(flavor = "multi_thread")]
async fn interrupt_during_a_stalled_create_returns_promptly() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    acc.config(&p.hcl());
    acc.emu.inject(Fault::delay(60.0).on("POST", PARTNERS));

    let emu = &acc.emu;
    let run = acc
        .tf
        .run_interrupted(
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            eventually("the create POST is held", Duration::from_secs(120), || {
                emu.held_requests() > 0
            }),
        )
        .await;
    let out = &run.out;
    let after = run
        .exit_after_signal
        .unwrap_or_else(|| panic!("apply ended before the interrupt\n{out}"));
    eprintln!("terraform exited {after:?} after SIGINT");
    assert!(
        after < Duration::from_secs(10),
        "terraform took {after:?} to stop after SIGINT\n{out}"
    );
    assert!(!out.success(), "an interrupted apply must fail\n{out}");
    assert_says(out, &["cancelled: a stop was requested while creating"]);

    eventually(
        "the abandoned request is dropped",
        Duration::from_secs(10),
        || emu.held_requests() == 0,
    )
    .await;
    assert!(
        partners(&acc, &home).is_empty(),
        "an object was created behind terraform's back: {:#?}",
        acc.emu.objects(&home)
    );
    assert!(
        acc.tf.try_resource(ADDR).await.is_none(),
        "state records a partner that does not exist:\n{}",
        acc.tf.raw_state().unwrap_or_default()
    );

    // Nothing half-done blocks the next run.
    steps.apply().await;
    assert_eq!(partners(&acc, &home).len(), 1);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// Applies the full partner with `fault` on its create POST: the apply succeeds with exactly
/// one partner, as configured, after create POSTs answered `want_posts` (`what` says why);
/// destroy leaves nothing.
async fn apply_through_create_fault(fault: Fault, want_posts: &[u16], what: &str) {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::full(&acc.partner.tenant_id);
    steps.config(&p.hcl());
    acc.emu.inject(fault.on("POST", PARTNERS));
    acc.emu.clear_requests();

    steps.apply().await;
    assert_eq!(
        partners(&acc, &home),
        vec![partner_path(&p.tenant_id)],
        "expected exactly one partner; request log:\n{}",
        request_log(&acc)
    );
    assert_emulator_matches(&acc, &home, &p);
    assert_eq!(
        create_posts(&acc),
        want_posts,
        "expected {what}; request log:\n{}",
        request_log(&acc)
    );
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// The connection drops before the service saw the create: the provider finds nothing and
/// sends it again.
#[tokio::test(flavor = "multi_thread")]
async fn reset_before_the_create_was_applied_creates_it_once() {
    apply_through_create_fault(Fault::reset(), &[0, 201], "a reset, then one create").await;
}

/// The connection drops after the service created the partner: the provider finds it, sees
/// it is what it sent, and adopts it (no second POST, no "already exists").
#[tokio::test(flavor = "multi_thread")]
async fn reset_after_the_create_was_applied_adopts_it() {
    apply_through_create_fault(
        Fault::reset().after_apply(),
        &[0],
        "one create, answered by a reset",
    )
    .await;
}

/// A gateway timeout that hid a successful create: adopted, never "import it".
#[tokio::test(flavor = "multi_thread")]
async fn gateway_timeout_after_the_create_was_applied_adopts_it() {
    apply_through_create_fault(
        Fault::status(504).after_apply(),
        &[504],
        "one create, answered 504",
    )
    .await;
}

/// A 504 that did not hide anything: looked up, not found, created.
#[tokio::test(flavor = "multi_thread")]
async fn gateway_timeout_before_the_create_was_applied_creates_it_once() {
    apply_through_create_fault(Fault::status(504), &[504, 201], "a 504, then one create").await;
}

/// A slow 503 on a read (held 2 s, then "unavailable") is waited out and retried: the apply
/// succeeds, and took at least the delay.
#[tokio::test(flavor = "multi_thread")]
async fn slow_unavailable_read_is_retried() {
    let acc = Acc::start().await;
    let steps = partner_steps(&acc);
    let home = acc.home.tenant_id.clone();
    let p = Partner::minimal(&acc.partner.tenant_id);
    steps.config(&p.hcl());
    acc.emu.inject(
        Fault::delay(2.0)
            .then_status(503)
            .on("GET", &format!("{PARTNERS}/")),
    );
    let out = steps.apply().await;
    assert!(out.elapsed >= Duration::from_secs(2), "{out}");
    let log = request_log(&acc);
    assert!(
        acc.emu
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.status == 503),
        "expected the held GET answered 503; request log:\n{log}"
    );
    assert_emulator_matches(&acc, &home, &p);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}
