//! The explicit registry: every resource and data source the provider serves, looked up by type
//! name. The lists themselves live in `resources::all()` and `data_sources::all()`.

use super::resource::{DataSource, Resource};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Registry {
    pub resources: BTreeMap<&'static str, Arc<dyn Resource>>,
    pub data_sources: BTreeMap<&'static str, Arc<dyn DataSource>>,
}

impl Registry {
    pub fn new(
        resources: Vec<Arc<dyn Resource>>,
        data_sources: Vec<Arc<dyn DataSource>>,
    ) -> Registry {
        let mut r = BTreeMap::new();
        for res in resources {
            let name = res.type_name();
            assert!(
                r.insert(name, res).is_none(),
                "resource {name} registered twice"
            );
        }
        let mut d = BTreeMap::new();
        for ds in data_sources {
            let name = ds.type_name();
            assert!(
                d.insert(name, ds).is_none(),
                "data source {name} registered twice"
            );
        }
        Registry {
            resources: r,
            data_sources: d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a registered type owes its users and the framework, walked over every
    /// resource and data source: a new type that misses one fails here, not in review.
    #[test]
    fn every_registered_type_is_complete() {
        let resources = crate::resources::all();
        let data_sources = crate::data_sources::all();
        let mut problems = Vec::new();
        for name in resources
            .iter()
            .map(|r| r.type_name())
            .chain(data_sources.iter().map(|d| d.type_name()))
        {
            // Docs pages are named after the type without the prefix.
            if !name.starts_with(crate::docs::TYPE_PREFIX) {
                problems.push(format!("{name}: type names start with coexistence_"));
            }
        }
        // A resource and a data source may share a name (Terraform keeps them apart); two of a
        // kind may not.
        let unique = |it: Vec<&str>| {
            let n = it.len();
            it.into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                == n
        };
        assert!(unique(resources.iter().map(|r| r.type_name()).collect()));
        assert!(unique(data_sources.iter().map(|d| d.type_name()).collect()));
        for r in &resources {
            let name = r.type_name();
            problems.extend(r.schema().lint(name));
            if r.permissions().is_empty() {
                problems.push(format!("{name}: no permissions"));
            }
            let (format, example) = r.import_id_format();
            if format.trim().is_empty() || example.trim().is_empty() {
                problems.push(format!("{name}: no import ID format or example"));
            } else if let Err(d) = r.import(&crate::framework::ImportCtx::for_examples(), example) {
                problems.push(format!("{name}: the import ID example does not parse: {d}"));
            }
            if r.natural_key().trim().is_empty() {
                problems.push(format!("{name}: no natural key"));
            }
            problems.extend(
                r.model_mismatches()
                    .into_iter()
                    .map(|m| format!("{name} model: {m}")),
            );
        }
        for d in &data_sources {
            let name = d.type_name();
            problems.extend(d.schema().lint(name));
            if d.permissions().is_empty() {
                problems.push(format!("{name}: no permissions"));
            }
            problems.extend(
                d.model_mismatches()
                    .into_iter()
                    .map(|m| format!("{name} model: {m}")),
            );
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every type lists (its `list` written: offline, it fails on the network, not with the
    /// default's "cannot list"), or declares why not, and then lists nothing without a request.
    #[tokio::test]
    async fn every_type_lists_or_says_why_not() {
        struct Offline;
        #[async_trait::async_trait]
        impl crate::clients::http::Transport for Offline {
            async fn send(
                &self,
                _: crate::clients::http::HttpRequest,
            ) -> Result<crate::clients::http::HttpResponse, String> {
                Err("offline".into())
            }
        }
        let unwritten = super::super::listing::not_listed("x").0[0].summary.clone();
        for r in crate::resources::all() {
            let ctx = crate::framework::Ctx::for_tests(
                std::sync::Arc::new(Offline),
                std::time::Duration::from_millis(200),
            );
            let listed = r.list(&ctx, &Default::default()).await;
            match r.listable() {
                crate::framework::Listable::Yes => {
                    let e = listed.expect_err("offline, a listing fails");
                    assert_ne!(e.0[0].summary, unwritten, "{}: {e}", r.type_name());
                }
                crate::framework::Listable::No(why) => {
                    assert_eq!(listed.unwrap(), Default::default(), "{}", r.type_name());
                    assert!(
                        r.list_config().description.contains(why),
                        "{}",
                        r.type_name()
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_type_registered_twice_is_refused() {
        let r = crate::resources::all();
        let twice = vec![r[0].clone(), r[0].clone()];
        Registry::new(twice, vec![]);
    }
}
