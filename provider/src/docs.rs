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

use crate::framework::schema::{Kind, Nesting};
use crate::framework::{Attribute, DataSource, Resource, Schema, Type};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Prefix of every type name; page file names leave it out.
pub const TYPE_PREFIX: &str = "coexistence_";
const BINARY_NAME: &str = "terraform-provider-coexistence";

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

// ---- pages --------------------------------------------------------------------------------

fn front_matter(out: &mut String, page_title: &str, description: &str) {
    out.push_str("---\n");
    let _ = writeln!(out, "page_title: {}", yaml_quote(page_title));
    out.push_str("subcategory: \"\"\n");
    out.push_str("description: |-\n");
    for line in description.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("---\n\n");
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn code_block(out: &mut String, lang: &str, code: &str) {
    let _ = write!(out, "```{lang}\n{code}\n```\n");
}

/// The first sentence of a description (for summaries). A period that ends an abbreviation
/// ("e.g. ", "i.e. ") does not end the sentence.
fn first_sentence(s: &str) -> &str {
    let mut from = 0;
    while let Some(i) = s[from..].find(". ").map(|i| from + i) {
        let before = &s[..i];
        if !(before.ends_with("e.g") || before.ends_with("i.e")) {
            return &s[..=i];
        }
        from = i + 2;
    }
    s
}

fn render_index(
    schema: &Schema,
    example: &str,
    resources: &[Arc<dyn Resource>],
    data_sources: &[Arc<dyn DataSource>],
) -> String {
    let mut out = String::new();
    front_matter(
        &mut out,
        "Provider: Coexistence",
        "The coexistence provider manages Microsoft Entra / Microsoft 365 cross-tenant coexistence: partner cross-tenant access settings and cross-tenant synchronization policies.",
    );
    out.push_str("# Coexistence Provider\n\n");
    let _ = writeln!(out, "{}\n", schema.description);
    out.push_str(
        "A coexistence between two tenants is configured on both sides: each tenant holds its own partner \
         configuration for the other, so a configuration usually has one aliased provider block per tenant.\n\n",
    );
    out.push_str("Resources:\n\n");
    for r in resources {
        let name = r.type_name();
        let _ = writeln!(
            out,
            "- [`{name}`]({}): {}",
            resource_page(name).display(),
            first_sentence(&r.schema().description)
        );
    }
    out.push_str("\nData sources:\n\n");
    for d in data_sources {
        let name = d.type_name();
        let _ = writeln!(
            out,
            "- [`{name}`]({}): {}",
            data_source_page(name).display(),
            first_sentence(&d.schema().description)
        );
    }

    out.push_str("\n## Authentication\n\n");
    out.push_str(
        "The provider signs in to Microsoft Entra ID as an application and calls Microsoft Graph. \
         The application needs the Graph application permission `Policy.ReadWrite.CrossTenantAccess` \
         (and `CrossTenantInformation.ReadBasic.All` for the `coexistence_tenant` data source) in the \
         tenant it manages.\n\n\
         It uses the first method the configuration satisfies, in this order:\n\n\
         1. **Client secret**: `tenant_id`, `client_id` and `client_secret`.\n\
         2. **Client certificate**: `tenant_id`, `client_id` and `client_certificate_path` (a PKCS#12 file; \
         `client_certificate_password` if it has one).\n\
         3. **OIDC federation** (workload identity federation): `use_oidc = true`, `tenant_id`, `client_id`, \
         and a token from `oidc_token`, `oidc_token_file_path`, or GitHub Actions (requested automatically \
         through `ACTIONS_ID_TOKEN_REQUEST_URL` / `ACTIONS_ID_TOKEN_REQUEST_TOKEN` when the workflow has \
         `id-token: write`).\n\
         4. **Managed identity**: `use_msi = true`; set `client_id` to pick a user-assigned identity.\n\
         5. **Azure CLI**: `use_cli = true`; signs in as the `az login` account, `tenant_id` selects the tenant.\n\n\
         When none matches, the error lists every method and what it was missing. No sign-in happens \
         until the first API call, so `terraform validate` needs no credentials.\n\n",
    );
    out.push_str("### Environment variables\n\n");
    out.push_str(
        "Every argument can be left out of the provider block and read from the environment instead. \
         An argument in the block wins over its variable. Environment variables apply to every provider \
         block that leaves the argument unset, so with one block per tenant, set the per-tenant arguments \
         (`tenant_id`, `client_id`, credentials) in each block, for example from input variables.\n\n",
    );
    out.push_str("| Argument | Environment variable |\n|---|---|\n");
    for a in &schema.attributes {
        if let Some(var) = env_var(&a.description) {
            let _ = writeln!(out, "| `{}` | `{var}` |", a.name);
        }
    }

    out.push_str("\n## Example Usage\n\n");
    code_block(&mut out, "terraform", example);
    out.push_str("\n## Argument Reference\n");
    render_attributes(&mut out, &schema.attributes);
    out
}

/// The environment variable an attribute description names (`Env: `ARM_X`.`).
pub fn env_var(description: &str) -> Option<&str> {
    let rest = &description[description.find("Env: `")? + "Env: `".len()..];
    Some(&rest[..rest.find('`')?])
}

fn render_resource(r: &dyn Resource, example: &str, import_sh: &str) -> Result<String, String> {
    let name = r.type_name();
    let schema = r.schema();
    let mut out = String::new();
    front_matter(
        &mut out,
        &format!("{name} Resource - {BINARY_NAME}"),
        &schema.description,
    );
    let _ = writeln!(out, "# {name} (Resource)\n\n{}\n", schema.description);
    out.push_str("## Example Usage\n\n");
    code_block(&mut out, "terraform", example);
    out.push_str("\n## Argument Reference\n");
    render_attributes(&mut out, &schema.attributes);

    if schema.attribute("timeouts").is_some() {
        let t = r.default_timeouts();
        out.push_str("\n## Timeouts\n\n");
        out.push_str(
            "`timeouts` sets a deadline per operation as a duration (`\"30s\"`, `\"10m\"`, `\"1h\"`); \
             any subset of operations can be given. Every request, retry after throttling and \
             wait for replication ends by it: a request still unanswered at the deadline is \
             abandoned and the error names the request and the timeout to raise. Defaults:\n\n",
        );
        for (op, d) in [
            ("create", t.create),
            ("read", t.read),
            ("update", t.update),
            ("delete", t.delete),
        ] {
            let _ = writeln!(out, "- `{op}`: {}", duration(d));
        }
        out.push_str("\n```terraform\ntimeouts = {\n  create = \"30m\"\n}\n```\n");
    }

    out.push_str("\n## Natural Key\n\n");
    let _ = writeln!(out, "{}\n", r.natural_key());
    out.push_str(
        "When a create request gets no clear answer (the connection drops, no answer arrives in \
         time, or a gateway answers 503 or 504), the service may or may not have created the object. \
         The provider then looks the object up by its natural key instead of failing or sending \
         the create blindly again: an object that matches the configuration is adopted (the \
         earlier attempt made it), a missing one is created again, and a different one is \
         reported as already existing, to be imported.\n",
    );

    let (format, id_example) = r.import_id_format();
    let (address, id) = import_command(import_sh).ok_or_else(|| {
        format!("the import example of {name} has no `terraform import <address> <id>` line")
    })?;
    out.push_str("\n## Import\n\n");
    let _ = writeln!(
        out,
        "The import ID is {} (for example `{id_example}`):\n",
        markdown_code(format)
    );
    code_block(&mut out, "shell", import_sh);
    out.push_str("\nWith Terraform 1.5 or later, an `import` block does the same:\n\n");
    code_block(
        &mut out,
        "terraform",
        &format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}"),
    );
    Ok(out)
}

fn render_data_source(d: &dyn DataSource, example: &str) -> String {
    let name = d.type_name();
    let schema = d.schema();
    let mut out = String::new();
    front_matter(
        &mut out,
        &format!("{name} Data Source - {BINARY_NAME}"),
        &schema.description,
    );
    let _ = writeln!(out, "# {name} (Data Source)\n\n{}\n", schema.description);
    out.push_str("## Example Usage\n\n");
    code_block(&mut out, "terraform", example);
    out.push_str("\n## Argument Reference\n");
    render_attributes(&mut out, &schema.attributes);
    out
}

/// The address and ID of the `terraform import <address> <id>` line of an `import.sh`.
pub fn import_command(import_sh: &str) -> Option<(&str, &str)> {
    import_sh.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        match (words.next(), words.next(), words.next(), words.next()) {
            (Some("terraform"), Some("import"), Some(address), Some(id)) => Some((address, id)),
            _ => None,
        }
    })
}

fn markdown_code(s: &str) -> String {
    format!("`{s}`")
}

/// Go-style duration as the `timeouts` attribute takes it: `10m`, `90s`, `1h30m`.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h");
    }
    if m > 0 {
        let _ = write!(out, "{m}m");
    }
    if sec > 0 || out.is_empty() {
        let _ = write!(out, "{sec}s");
    }
    format!("`{out}`")
}

// ---- attributes ---------------------------------------------------------------------------

/// `### Required` / `### Optional` / `### Read-Only` lists of the top-level attributes, then one
/// sub-section per nested attribute (depth first, in schema order).
fn render_attributes(out: &mut String, attrs: &[Attribute]) {
    attribute_groups(out, attrs, &[], "### ", "");
    render_nested(out, attrs, &[]);
}

fn attribute_groups(
    out: &mut String,
    attrs: &[Attribute],
    parent: &[&str],
    heading: &str,
    suffix: &str,
) {
    for title in ["Required", "Optional", "Read-Only"] {
        let picked: Vec<&Attribute> = attrs.iter().filter(|a| group(a) == title).collect();
        if picked.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}{title}{suffix}\n");
        for a in picked {
            let mut path = parent.to_vec();
            path.push(&a.name);
            let _ = write!(out, "- `{}` ({}) {}", a.name, type_label(a), a.description);
            if matches!(a.kind, Kind::Nested(..)) {
                let _ = write!(
                    out,
                    " (see [below for nested schema](#{}))",
                    nested_anchor(&path)
                );
            }
            out.push('\n');
        }
    }
}

/// Which list an attribute is shown in: optional+computed counts as optional.
fn group(a: &Attribute) -> &'static str {
    if a.required {
        "Required"
    } else if a.optional {
        "Optional"
    } else {
        "Read-Only"
    }
}

fn render_nested(out: &mut String, attrs: &[Attribute], parent: &[&str]) {
    for a in attrs {
        let Kind::Nested(_, inner) = &a.kind else {
            continue;
        };
        let mut path = parent.to_vec();
        path.push(&a.name);
        let _ = writeln!(
            out,
            "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n\n{}",
            nested_anchor(&path),
            path.join("."),
            a.description
        );
        attribute_groups(out, inner, &path, "", ":");
        render_nested(out, inner, &path);
    }
}

fn nested_anchor(path: &[&str]) -> String {
    format!("nestedatt--{}", path.join("--"))
}

fn type_label(a: &Attribute) -> String {
    let base = match &a.kind {
        Kind::Plain(t) => type_name(t),
        Kind::Nested(Nesting::Single, _) => "Attributes".to_string(),
        Kind::Nested(Nesting::List, _) => "Attributes List".to_string(),
        Kind::Nested(Nesting::Set, _) => "Attributes Set".to_string(),
    };
    if a.sensitive {
        format!("{base}, Sensitive")
    } else {
        base
    }
}

fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
        Type::Dynamic => "Dynamic".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_do_not_stop_at_abbreviations() {
        assert_eq!(
            first_sentence("Sets a name, e.g. `x`. Then more."),
            "Sets a name, e.g. `x`."
        );
        assert_eq!(first_sentence("One, i.e. two. Three."), "One, i.e. two.");
        assert_eq!(first_sentence("No period"), "No period");
    }

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the provider crate sits in the repository")
            .to_path_buf()
    }

    /// The committed `docs/` must be exactly what the generator renders now.
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
            assert!(
                tf.contains(id),
                "{name}: resource.tf does not contain the import ID {id}"
            );
            r.import(id)
                .unwrap_or_else(|e| panic!("{name}: import.sh ID {id} does not parse: {e:?}"));
            let (format, example) = r.import_id_format();
            assert!(!format.is_empty() && !example.is_empty(), "{name}");
            r.import(example)
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

    #[test]
    fn renders_nested_attributes_as_sections() {
        let r = crate::resources::cross_tenant_access_partner::CrossTenantAccessPartner;
        let page = render_resource(
            &r,
            "resource {}",
            "terraform import coexistence_cross_tenant_access_partner.x 72f988bf-86f1-41af-91ab-2d7cd011db47",
        )
        .unwrap();
        assert!(page.starts_with("---\npage_title: \"coexistence_cross_tenant_access_partner Resource - terraform-provider-coexistence\"\nsubcategory: \"\"\ndescription: |-\n  Partner-specific"), "{page}");
        for needle in [
            "### Required\n\n- `tenant_id` (String) ",
            "### Read-Only\n\n- `id` (String) ",
            "- `b2b_collaboration_inbound` (Attributes) ",
            "(see [below for nested schema](#nestedatt--b2b_collaboration_inbound))",
            "<a id=\"nestedatt--b2b_collaboration_inbound--users_and_groups--targets\"></a>\n### Nested Schema for `b2b_collaboration_inbound.users_and_groups.targets`",
            "- `targets` (Attributes Set) ",
            "- `timeouts` (Map of String) ",
            "- `create`: `10m`",
            "## Natural Key\n\n`tenant_id`",
            "The import ID is `<partner tenant GUID>`",
            "  to = coexistence_cross_tenant_access_partner.x\n  id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"",
        ] {
            assert!(page.contains(needle), "missing {needle:?} in\n{page}");
        }
        let index = render_index(&crate::provider::schema(), "provider {}", &[], &[]);
        assert!(index.contains("- `client_secret` (String, Sensitive) "));
        assert!(index.contains("| `client_secret` | `ARM_CLIENT_SECRET` |"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration(Duration::from_secs(600)), "`10m`");
        assert_eq!(duration(Duration::from_secs(5400)), "`1h30m`");
        assert_eq!(duration(Duration::from_secs(45)), "`45s`");
    }
}
