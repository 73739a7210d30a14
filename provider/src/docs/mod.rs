//! Generated documentation in the Terraform registry layout, rendered from the schemas (every
//! attribute carries its description) and the files under `examples/`:
//!
//! - `docs/index.md`: provider overview, authentication, `examples/provider/provider.tf`, the
//!   provider block's arguments;
//! - `docs/resources/<name>.md`: `examples/resources/<type>/resource.tf` and `import.sh`;
//! - `docs/data-sources/<name>.md`: `examples/data-sources/<type>/data-source.tf`.
//!
//! `<name>` is the type name without the `coexistence_` prefix. Regenerate with `make docs`
//! (`terraform-provider-coexistence docs docs`); a unit test fails when the committed pages are
//! stale.

mod attributes;
mod pages;
mod permissions;

use crate::framework::{DataSource, Resource};
pub use pages::{env_var, import_command};
use pages::{render_data_source, render_index, render_resource};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Prefix of every type name; page file names leave it out.
pub const TYPE_PREFIX: &str = "coexistence_";
pub(crate) const BINARY_NAME: &str = "terraform-provider-coexistence";

/// One generated page: its path relative to the docs directory, and its Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub path: PathBuf,
    pub contents: String,
}

/// Where each example lives, relative to the examples directory.
pub fn provider_example() -> PathBuf {
    Path::new("provider").join("provider.tf")
}
pub fn resource_example(type_name: &str) -> PathBuf {
    Path::new("resources").join(type_name).join("resource.tf")
}
pub fn resource_import_example(type_name: &str) -> PathBuf {
    Path::new("resources").join(type_name).join("import.sh")
}
pub fn data_source_example(type_name: &str) -> PathBuf {
    Path::new("data-sources")
        .join(type_name)
        .join("data-source.tf")
}

/// The page path (relative to the docs directory) of a resource or data source.
pub fn resource_page(type_name: &str) -> PathBuf {
    Path::new("resources").join(format!("{}.md", short_name(type_name)))
}
pub fn data_source_page(type_name: &str) -> PathBuf {
    Path::new("data-sources").join(format!("{}.md", short_name(type_name)))
}

fn short_name(type_name: &str) -> &str {
    type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name)
}

fn read_example(examples: &Path, rel: &Path) -> Result<String, String> {
    let p = examples.join(rel);
    std::fs::read_to_string(&p)
        .map(|s| s.trim_end().to_string())
        .map_err(|e| format!("reading example {}: {e}", p.display()))
}

/// Renders every page from the registered resources and data sources and the examples under
/// `examples`.
pub fn render_all(examples: &Path) -> Result<Vec<Page>, String> {
    render(
        examples,
        &crate::resources::all(),
        &crate::data_sources::all(),
    )
}

fn render(
    examples: &Path,
    resources: &[Arc<dyn Resource>],
    data_sources: &[Arc<dyn DataSource>],
) -> Result<Vec<Page>, String> {
    let mut resources = resources.to_vec();
    resources.sort_by_key(|r| r.type_name());
    let mut data_sources = data_sources.to_vec();
    data_sources.sort_by_key(|d| d.type_name());

    let mut pages = vec![Page {
        path: PathBuf::from("index.md"),
        contents: render_index(
            &crate::provider::schema(),
            &read_example(examples, &provider_example())?,
            &resources,
            &data_sources,
        ),
    }];
    for r in &resources {
        let name = r.type_name();
        pages.push(Page {
            path: resource_page(name),
            contents: render_resource(
                r.as_ref(),
                &read_example(examples, &resource_example(name))?,
                &read_example(examples, &resource_import_example(name))?,
            )?,
        });
    }
    for d in &data_sources {
        let name = d.type_name();
        pages.push(Page {
            path: data_source_page(name),
            contents: render_data_source(
                d.as_ref(),
                &read_example(examples, &data_source_example(name))?,
            ),
        });
    }
    Ok(pages)
}

/// Renders every page into `out` (creating directories), and removes pages under `resources/`
/// and `data-sources/` that no longer belong to a registered type. Returns the pages written.
pub fn write_all(out: &Path, examples: &Path) -> Result<Vec<PathBuf>, String> {
    let pages = render_all(examples)?;
    for sub in ["resources", "data-sources"] {
        let dir = out.join(sub);
        for stale in markdown_files(&dir)? {
            if !pages.iter().any(|p| p.path == Path::new(sub).join(&stale)) {
                let p = dir.join(&stale);
                std::fs::remove_file(&p).map_err(|e| format!("removing {}: {e}", p.display()))?;
            }
        }
    }
    let mut written = Vec::new();
    for page in pages {
        let p = out.join(&page.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        std::fs::write(&p, &page.contents).map_err(|e| format!("writing {}: {e}", p.display()))?;
        written.push(p);
    }
    Ok(written)
}

/// The `.md` file names directly in `dir` (none when it does not exist).
fn markdown_files(dir: &Path) -> Result<Vec<String>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("listing {}: {e}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the provider crate sits in the repository")
            .to_path_buf()
    }

    #[test]
    fn committed_docs_are_current() {
        let repo = repo();
        let docs = repo.join("docs");
        let pages = render_all(&repo.join("examples")).unwrap_or_else(|e| panic!("{e}"));
        for page in &pages {
            let file = docs.join(&page.path);
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == page.contents,
                "docs are stale: run `make docs` (docs/{} {})",
                page.path.display(),
                if file.exists() {
                    "differs"
                } else {
                    "is missing"
                }
            );
        }
        for sub in ["resources", "data-sources"] {
            for name in markdown_files(&docs.join(sub)).unwrap() {
                let rel = Path::new(sub).join(&name);
                assert!(
                    pages.iter().any(|p| p.path == rel),
                    "docs are stale: run `make docs` (docs/{} documents no registered type)",
                    rel.display()
                );
            }
        }
    }

    #[test]
    fn every_type_has_examples() {
        let examples = repo().join("examples");
        let exists = |rel: &Path| examples.join(rel).is_file();
        let mut missing = Vec::new();
        if !exists(&provider_example()) {
            missing.push(provider_example());
        }
        for r in crate::resources::all() {
            let name = r.type_name();
            for rel in [resource_example(name), resource_import_example(name)] {
                if !exists(&rel) {
                    missing.push(rel);
                }
            }
        }
        for d in crate::data_sources::all() {
            let rel = data_source_example(d.type_name());
            if !exists(&rel) {
                missing.push(rel);
            }
        }
        assert!(
            missing.is_empty(),
            "missing examples (under examples/): {missing:?}"
        );
    }

    /// Examples hold only resources, data sources and outputs (the acceptance test prepends its
    /// own provider block), and each import example imports that resource with a valid ID.
    #[test]
    fn examples_are_usable_by_the_examples_test() {
        let examples = repo().join("examples");
        for r in crate::resources::all() {
            let name = r.type_name();
            let tf = read_example(&examples, &resource_example(name)).unwrap();
            assert!(
                !tf.contains("provider \"") && !tf.contains("terraform {"),
                "{name}: resource.tf must not configure the provider"
            );
            let sh = read_example(&examples, &resource_import_example(name)).unwrap();
            let (address, id) =
                import_command(&sh).unwrap_or_else(|| panic!("{name}: import.sh has no import"));
            let label = address
                .strip_prefix(&format!("{name}."))
                .unwrap_or_else(|| panic!("{name}: import.sh imports {address}"));
            assert!(
                tf.contains(&format!("resource \"{name}\" \"{label}\"")),
                "{name}: resource.tf does not declare {address}"
            );
            // A service-assigned or tenant ID is written as a `<placeholder>` (examples.rs
            // matches it against the ID import-verify used); only a literal ID must parse.
            if !id.contains('<') {
                assert!(
                    tf.contains(id),
                    "{name}: resource.tf does not contain the import ID {id}"
                );
                r.import(&crate::framework::ImportCtx::for_examples(), id)
                    .unwrap_or_else(|e| panic!("{name}: import.sh ID {id} does not parse: {e:?}"));
            }
            let (format, example) = r.import_id_format();
            assert!(!format.is_empty() && !example.is_empty(), "{name}");
            r.import(&crate::framework::ImportCtx::for_examples(), example)
                .unwrap_or_else(|e| panic!("{name}: import ID example does not parse: {e:?}"));
        }
        for d in crate::data_sources::all() {
            let name = d.type_name();
            let tf = read_example(&examples, &data_source_example(name)).unwrap();
            assert!(
                !tf.contains("provider \"") && !tf.contains("terraform {"),
                "{name}: data-source.tf must not configure the provider"
            );
            assert!(tf.contains(&format!("data \"{name}\" \"")), "{name}");
        }
    }

    #[test]
    fn every_provider_argument_names_its_environment_variable() {
        for a in &crate::provider::schema().attributes {
            let var = env_var(&a.description)
                .unwrap_or_else(|| panic!("provider argument {} names no Env: `...`", a.name));
            assert!(var.starts_with("ARM_"), "{}: {var}", a.name);
        }
    }
}
