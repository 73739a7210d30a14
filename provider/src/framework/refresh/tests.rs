//! List-backed refresh over a probe resource whose "service" is a map: how often it is listed
//! and read, what each read answers, after writes, failures and concurrent reads.

use super::*;
use crate::clients::http::mock::MockTransport;
use crate::clients::Clients;
use crate::framework::lifecycle;
use crate::framework::schema::Attribute;
use crate::framework::{
    ApplyError, Diagnostic, Diagnostics, ImportCtx, ListOptions, Listing, Schema, TypedResource,
    Value,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The service: objects by key, a size each. `lists`/`reads` count the calls; the listing
/// can fail, wait, or miss objects (made after it was taken).
#[derive(Default)]
struct Probe {
    remote: Mutex<HashMap<String, i64>>,
    unlisted: Mutex<Vec<String>>,
    lists: AtomicUsize,
    reads: AtomicUsize,
    fail_listing: bool,
    no_listing: bool,
    listing_takes: Duration,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Model {
    key: String,
    size: Option<i64>,
}

crate::tagged_import_id! {
    struct ProbeId(crate::framework::import_id::TenantGuid) = "probe" / "<GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

impl Probe {
    fn with(objects: &[(&str, i64)]) -> Probe {
        let p = Probe::default();
        p.set(objects);
        p
    }
    fn set(&self, objects: &[(&str, i64)]) {
        let mut r = self.remote.lock().unwrap();
        for (k, v) in objects {
            r.insert(k.to_string(), *v);
        }
    }
    fn counts(&self) -> (usize, usize) {
        (
            self.lists.load(Ordering::SeqCst),
            self.reads.load(Ordering::SeqCst),
        )
    }
}

#[async_trait]
impl TypedResource for Probe {
    type Model = Model;
    type Id = ProbeId;
    const TYPE_NAME: &'static str = "coexistence_probe";
    fn schema(&self) -> Schema {
        Schema::new(
            "d",
            vec![
                Attribute::string("key").required().description("d"),
                Attribute::number("size").optional().description("d"),
            ],
        )
    }
    async fn create(&self, _: &Ctx, m: Model) -> Result<Model, ApplyError> {
        self.set(&[(&m.key, m.size.unwrap_or_default())]);
        Ok(m)
    }
    async fn read(&self, _: &Ctx, m: Model) -> Result<Option<Model>, Diagnostics> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let size = self.remote.lock().unwrap().get(&m.key).copied();
        Ok(size.map(|s| Model {
            key: m.key,
            size: Some(s),
        }))
    }
    async fn update(&self, c: &Ctx, _: Model, m: Model) -> Result<Model, ApplyError> {
        TypedResource::create(self, c, m).await
    }
    async fn delete(&self, _: &Ctx, m: Model) -> Result<(), Diagnostics> {
        self.remote.lock().unwrap().remove(&m.key);
        Ok(())
    }
    fn import(&self, _: &ImportCtx, id: ProbeId) -> Result<Model, Diagnostics> {
        Ok(Model {
            key: id.0.to_string(),
            size: None,
        })
    }
    async fn list(&self, _: &Ctx, _: &ListOptions) -> Result<Listing<Model>, Diagnostics> {
        Ok(Listing::default())
    }
    async fn list_for_reads(
        &self,
        _: &Ctx,
        _: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        if self.no_listing {
            return Ok(None);
        }
        self.lists.fetch_add(1, Ordering::SeqCst);
        let snapshot: Vec<(String, Json)> = {
            let unlisted = self.unlisted.lock().unwrap();
            self.remote
                .lock()
                .unwrap()
                .iter()
                .filter(|(k, _)| !unlisted.contains(k))
                .map(|(k, v)| (k.to_uppercase(), json!({"size": v})))
                .collect()
        };
        tokio::time::sleep(self.listing_takes).await;
        if self.fail_listing {
            return Err(Diagnostic::error("throttled", "429 past every retry").into());
        }
        Ok(Some(snapshot))
    }
    fn listed_key(&self, m: &Model) -> Option<ListedKey> {
        Some(ListedKey::whole(&m.key))
    }
    async fn read_listed(
        &self,
        _: &Ctx,
        m: Model,
        found: &Json,
    ) -> Result<Option<Model>, Diagnostics> {
        Ok(Some(Model {
            key: m.key,
            size: found["size"].as_i64(),
        }))
    }
    fn import_id(&self, m: &Model) -> Option<String> {
        Some(format!("probe/{}", m.key))
    }
    fn natural_key(&self) -> &'static str {
        "`key`"
    }
    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        &[]
    }
}

fn clients() -> Arc<Clients> {
    Arc::new(Clients::for_tests(MockTransport::new(vec![])))
}

fn state(key: &str, size: i64) -> Value {
    Value::object([
        ("key", Value::string(key)),
        (
            "size",
            Value::Number(crate::framework::value::Number::Int(size)),
        ),
    ])
}

async fn refresh(p: &Probe, l: &Listings, key: &str) -> Value {
    let out = lifecycle::read(
        p,
        &clients(),
        l,
        &CancellationToken::new(),
        &state(key, 0),
        &[],
    )
    .await;
    assert!(out.diags.is_empty(), "{:?}", out.diags);
    out.state
}

fn size(v: &Value) -> &Value {
    v.get("size")
}

#[tokio::test]
async fn concurrent_reads_share_one_listing_and_answer_from_it() {
    let p = Probe {
        listing_takes: Duration::from_millis(50),
        ..Probe::with(&[("a", 1), ("b", 2), ("c", 3)])
    };
    let l = Listings::default();
    let (a, b, c) = tokio::join!(
        refresh(&p, &l, "a"),
        refresh(&p, &l, "b"),
        refresh(&p, &l, "c")
    );
    assert_eq!(p.counts(), (1, 0), "one listing, no direct read");
    assert_eq!(size(&a), size(&state("a", 1)));
    assert_eq!(size(&b), size(&state("b", 2)));
    assert_eq!(size(&c), size(&state("c", 3)));
    // Later reads in the process use the same listing.
    refresh(&p, &l, "a").await;
    assert_eq!(p.counts(), (1, 0));
}

#[tokio::test]
async fn an_object_missing_from_the_listing_is_decided_by_its_own_read() {
    let p = Probe::with(&[("a", 1), ("late", 7)]);
    // Made by another process after the listing was taken: the listing misses it.
    p.unlisted.lock().unwrap().push("late".into());
    let l = Listings::default();
    let late = refresh(&p, &l, "late").await;
    assert_eq!(size(&late), size(&state("late", 7)), "found, not removed");
    assert_eq!(p.counts(), (1, 1));
    // Gone for real: the direct read says so.
    let gone = refresh(&p, &l, "gone").await;
    assert!(gone.is_null());
    assert_eq!(p.counts(), (1, 2));
}

#[tokio::test]
async fn a_write_drops_the_listing_and_its_read_back_never_uses_one() {
    let p = Probe::with(&[("a", 1), ("b", 2)]);
    let l = Listings::default();
    refresh(&p, &l, "a").await;
    assert_eq!(p.counts(), (1, 0));
    let out = lifecycle::apply(
        &p,
        &clients(),
        &l,
        &CancellationToken::new(),
        &state("b", 2),
        &state("b", 5),
        &[],
    )
    .await;
    assert!(out.diags.is_empty(), "{:?}", out.diags);
    assert_eq!(size(&out.state), size(&state("b", 5)));
    assert_eq!(p.counts(), (1, 1), "the read back went direct");
    // The next read lists again and sees the write.
    assert_eq!(size(&refresh(&p, &l, "b").await), size(&state("b", 5)));
    assert_eq!(p.counts(), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_stalled_listing_gets_half_the_first_reads_time_then_it_reads_directly() {
    let p = Probe {
        listing_takes: Duration::from_secs(600),
        ..Probe::with(&[("a", 1)])
    };
    let l = Listings::default();
    let ctx = Ctx::for_tests(MockTransport::new(vec![]), Duration::from_secs(10));
    let started = tokio::time::Instant::now();
    assert!(l.read(&p, &ctx, &state("a", 0)).await.is_none());
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(
        ctx.deadline.remaining(),
        Duration::from_secs(5),
        "half left"
    );
}

#[tokio::test]
async fn a_failed_listing_leaves_every_read_direct() {
    let p = Probe {
        fail_listing: true,
        ..Probe::with(&[("a", 1), ("b", 2)])
    };
    let l = Listings::default();
    assert_eq!(size(&refresh(&p, &l, "a").await), size(&state("a", 1)));
    assert_eq!(size(&refresh(&p, &l, "b").await), size(&state("b", 2)));
    assert_eq!(p.counts(), (1, 2), "listed once, not per read");
}

#[tokio::test]
async fn a_type_without_a_listing_reads_directly() {
    let p = Probe {
        no_listing: true,
        ..Probe::with(&[("a", 1)])
    };
    let l = Listings::default();
    assert_eq!(size(&refresh(&p, &l, "a").await), size(&state("a", 1)));
    assert_eq!(p.counts(), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn a_read_does_not_wait_past_its_deadline_for_another_reads_listing() {
    let p = Arc::new(Probe {
        listing_takes: Duration::from_secs(600),
        ..Probe::with(&[("a", 1)])
    });
    let l = Arc::new(Listings::default());
    // One read starts the slow listing (under its own long deadline).
    let first = {
        let (p, l) = (p.clone(), l.clone());
        tokio::spawn(async move {
            let ctx = Ctx::for_tests(MockTransport::new(vec![]), Duration::from_secs(3600));
            l.get(p.as_ref(), &ctx, "").await.is_some()
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Another, with 5 s left, gives up on it after half of them and reads directly.
    let ctx = Ctx::for_tests(MockTransport::new(vec![]), Duration::from_secs(5));
    let started = tokio::time::Instant::now();
    assert!(l.read(p.as_ref(), &ctx, &state("a", 0)).await.is_none());
    assert_eq!(started.elapsed(), Duration::from_millis(2500));
    assert!(
        first.await.unwrap(),
        "the first read still gets the listing"
    );
    assert_eq!(p.counts().0, 1);
}

#[tokio::test]
async fn two_provider_instances_never_share_a_listing() {
    let home = Probe::with(&[("a", 1)]);
    let other = Probe::with(&[("a", 9)]);
    let (lh, lo) = (Listings::default(), Listings::default());
    assert_eq!(size(&refresh(&home, &lh, "a").await), size(&state("a", 1)));
    assert_eq!(size(&refresh(&other, &lo, "a").await), size(&state("a", 9)));
    assert_eq!(home.counts().0 + other.counts().0, 2);
}

/// A data source counting its reads; `never_written` as given, `fail` fails the next read.
#[derive(Default)]
struct Facts {
    never_written: bool,
    reads: AtomicUsize,
    fail: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl crate::framework::DataSource for Facts {
    fn type_name(&self) -> &'static str {
        "coexistence_facts"
    }
    fn schema(&self) -> Schema {
        Schema::new("d", vec![])
    }
    async fn read(&self, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let n = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
        if self.fail.swap(false, Ordering::SeqCst) {
            return Err(Diagnostic::error("throttled", "429 past every retry").into());
        }
        ctx.warn(Diagnostic::warning("from the API", "a warning"));
        Ok(Value::object([
            ("asked", config.clone()),
            ("read", Value::string(n.to_string())),
        ]))
    }
    fn never_written(&self) -> bool {
        self.never_written
    }
    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        &[]
    }
    fn model_mismatches(&self) -> Vec<String> {
        Vec::new()
    }
}

async fn read_facts(ds: &Facts, l: &Arc<Listings>, config: &str) -> (Option<Value>, Diagnostics) {
    lifecycle::read_data_source(
        ds,
        &clients(),
        l,
        &CancellationToken::new(),
        &Value::string(config),
    )
    .await
}

#[tokio::test]
async fn a_never_written_data_source_is_read_once_per_configuration() {
    let ds = Facts {
        never_written: true,
        ..Facts::default()
    };
    let l = Arc::new(Listings::default());
    let (a1, a2, b) = tokio::join!(
        read_facts(&ds, &l, "hub"),
        read_facts(&ds, &l, "hub"),
        read_facts(&ds, &l, "subsidiary")
    );
    let a3 = read_facts(&ds, &l, "hub").await;
    assert_eq!(
        ds.reads.load(Ordering::SeqCst),
        2,
        "one read per configuration"
    );
    for (v, d) in [&a1, &a2, &a3] {
        assert_eq!(
            v, &a1.0,
            "every read of one configuration has the one answer"
        );
        assert_eq!(d.0.len(), 1, "its warning is shown with each: {d}");
    }
    assert_eq!(b.0.unwrap().get("asked"), &Value::string("subsidiary"));
    // Another provider instance (another tenant, or a new configuration) reads for itself.
    read_facts(&ds, &Arc::default(), "hub").await;
    assert_eq!(ds.reads.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_read_is_not_kept_and_other_data_sources_always_read() {
    let ds = Facts {
        never_written: true,
        ..Facts::default()
    };
    ds.fail.store(true, Ordering::SeqCst);
    let l = Arc::new(Listings::default());
    let (v, d) = read_facts(&ds, &l, "hub").await;
    assert!(v.is_none() && d.has_errors(), "{d}");
    let (v, _) = read_facts(&ds, &l, "hub").await;
    assert!(v.is_some(), "read again after a failure");
    assert_eq!(ds.reads.load(Ordering::SeqCst), 2);

    let live = Facts::default();
    read_facts(&live, &l, "hub").await;
    read_facts(&live, &l, "hub").await;
    assert_eq!(
        live.reads.load(Ordering::SeqCst),
        2,
        "each read goes to the API"
    );
}
