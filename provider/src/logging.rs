//! Logging to stderr in hclog's JSON format, which go-plugin's host parses line by line.
//!
//! Each line is one JSON object: `@level` (trace|debug|info|warn|error), `@message`,
//! `@module` (`provider` or `provider.<target>`), `@timestamp` (RFC 3339 with microseconds),
//! plus every event field under its own key. Terraform reads these and shows them under
//! `TF_LOG` / `TF_LOG_PROVIDER`.

use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

/// Our crate's target prefix; events from it get `@module` `provider[.<rest>]`.
const OWN_TARGET: &str = "coexistence";

/// Installs the global subscriber: hclog JSON on stderr, level from the environment.
pub fn init() {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::new(std::io::stderr).with_filter(filter(level)))
        .try_init();
}

/// Our code at `level`; dependencies (hyper, h2, rustls...) at most at INFO.
fn filter(level: LevelFilter) -> Targets {
    Targets::new()
        .with_default(level.min(LevelFilter::INFO))
        .with_target(OWN_TARGET, level)
        .with_target("terraform_provider_coexistence", level)
}

/// Level from `TF_LOG_PROVIDER`, else `TF_LOG`.
///
/// TRACE/DEBUG/INFO/WARN/ERROR (any case) pick that level; JSON or any other non-empty value
/// means TRACE (Terraform filters what it shows). Unset, empty or OFF means INFO.
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let value = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| !v.is_empty());
    match value.map(str::to_ascii_uppercase).as_deref() {
        None | Some("OFF") => LevelFilter::INFO,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE,
    }
}

/// A `tracing` layer writing hclog JSON lines to `W`.
#[derive(Debug)]
pub struct HclogLayer<W> {
    make_writer: W,
}

impl<W> HclogLayer<W> {
    /// Writes to whatever `make_writer` produces (stderr in production).
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        let line = format_line(
            *meta.level(),
            meta.target(),
            fields.message.take().unwrap_or_default(),
            fields.fields,
            time::OffsetDateTime::now_utc(),
        );
        let mut writer = self.make_writer.make_writer();
        // One write per line so concurrent events do not interleave.
        let _ = writer.write_all(line.as_bytes());
    }
}

/// One hclog JSON line (with trailing newline).
fn format_line(
    level: Level,
    target: &str,
    message: String,
    fields: Map<String, Value>,
    now: time::OffsetDateTime,
) -> String {
    let mut obj = Map::with_capacity(fields.len() + 4);
    obj.insert("@level".into(), Value::from(hclog_level(level)));
    obj.insert("@message".into(), Value::from(message));
    obj.insert("@module".into(), Value::from(module_name(target)));
    obj.insert("@timestamp".into(), Value::from(timestamp(now)));
    for (key, value) in fields {
        // Never let a field named like a reserved key overwrite it.
        if key.starts_with('@') {
            obj.insert(format!("field.{key}"), value);
        } else {
            obj.insert(key, value);
        }
    }
    let mut line = Value::Object(obj).to_string();
    line.push('\n');
    line
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `coexistence::server::tls` becomes `provider.server.tls`; other crates `provider.<crate>...`.
fn module_name(target: &str) -> String {
    let rest = target
        .strip_prefix(OWN_TARGET)
        .filter(|r| r.is_empty() || r.starts_with("::"))
        .map(|r| r.trim_start_matches("::"))
        .unwrap_or(target);
    if rest.is_empty() {
        "provider".to_string()
    } else {
        format!("provider.{}", rest.replace("::", "."))
    }
}

/// `2006-01-02T15:04:05.000000Z` (UTC, microseconds), as hclog writes it.
fn timestamp(now: time::OffsetDateTime) -> String {
    let t = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    fields: Map<String, Value>,
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_string(), value);
        }
    }
}

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(value.to_string()));
        self.put(field, v);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn capture(f: impl FnOnce()) -> Vec<Value> {
        let buf = Buf::default();
        let subscriber = tracing_subscriber::registry()
            .with(HclogLayer::new(buf.clone()).with_filter(filter(LevelFilter::TRACE)));
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    }

    #[test]
    fn lines_are_hclog_json() {
        let lines = capture(|| {
            tracing::warn!(target: "coexistence::server::tls", peer = "127.0.0.1:1", attempt = 3u64, ok = false, ratio = 0.5, "handshake failed");
            tracing::info!(target: "coexistence", "plain");
            tracing::trace!(target: "h2::codec", "dependency trace is filtered");
        });
        assert_eq!(lines.len(), 2, "{lines:?}");
        let l = &lines[0];
        assert_eq!(l["@level"], "warn");
        assert_eq!(l["@message"], "handshake failed");
        assert_eq!(l["@module"], "provider.server.tls");
        assert_eq!(l["peer"], "127.0.0.1:1");
        assert_eq!(l["attempt"], 3);
        assert_eq!(l["ok"], false);
        assert_eq!(l["ratio"], 0.5);
        let ts = l["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
        assert_eq!(lines[1]["@module"], "provider");
        assert_eq!(lines[1]["@level"], "info");
    }

    #[test]
    fn all_levels_map_to_hclog_names() {
        let lines = capture(|| {
            tracing::trace!(target: "coexistence", "t");
            tracing::debug!(target: "coexistence", "d");
            tracing::info!(target: "coexistence", "i");
            tracing::warn!(target: "coexistence", "w");
            tracing::error!(target: "coexistence", "e");
        });
        let levels: Vec<_> = lines
            .iter()
            .map(|l| l["@level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["trace", "debug", "info", "warn", "error"]);
    }

    #[test]
    fn timestamp_format() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_136_214_245_000_123_456).unwrap();
        assert_eq!(timestamp(t), "2006-01-02T15:04:05.000123Z");
    }

    #[test]
    fn module_names() {
        assert_eq!(module_name("coexistence"), "provider");
        assert_eq!(
            module_name("coexistence::clients::graph"),
            "provider.clients.graph"
        );
        assert_eq!(module_name("coexistencefoo"), "provider.coexistencefoo");
        assert_eq!(module_name("hyper::proto"), "provider.hyper.proto");
    }

    #[test]
    fn levels_from_env() {
        assert_eq!(level_from_env(None, None), LevelFilter::INFO);
        assert_eq!(level_from_env(None, Some("off")), LevelFilter::INFO);
        assert_eq!(level_from_env(None, Some("json")), LevelFilter::TRACE);
        assert_eq!(level_from_env(None, Some("Debug")), LevelFilter::DEBUG);
        assert_eq!(
            level_from_env(Some("warn"), Some("trace")),
            LevelFilter::WARN
        );
        assert_eq!(level_from_env(Some(""), Some("error")), LevelFilter::ERROR);
        assert_eq!(level_from_env(Some("TRACE"), None), LevelFilter::TRACE);
    }
}
