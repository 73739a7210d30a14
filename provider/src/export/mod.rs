//! `terraform-provider-coexistence export`: the objects of an existing tenant as `import`
//! blocks, so adopting them is two commands (this, then `terraform plan
//! -generate-config-out=generated.tf`). It signs in as the provider block does (same arguments
//! as flags, same `ARM_*` variables), lists every resource type through the resources' own
//! enumeration, and writes nothing anywhere until every type has been listed: a type the
//! credential cannot list fails the export, naming the permission, with no file written. It
//! only reads from the tenant.

pub mod args;
pub mod hcl;
pub mod naming;
pub mod query;

pub use args::{parse_args, Options, USAGE};
use args::{provider_config, provider_settings};

use crate::clients::{Clients, Deadline};
use crate::framework::{Ctx, Diagnostics, ListOptions, Listable, Resource, Skipped, Value};
use hcl::{Import, Setting};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One type's listing, with the names its objects are known by.
pub struct TypeListing {
    pub type_name: &'static str,
    /// (name people know, import ID) of each object found.
    pub found: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
    /// Names that could not be looked up (the object's ID stands in), with why.
    pub notes: Vec<String>,
    /// Why the type is not listed at all ([`crate::framework::Listable::No`]): nothing found.
    pub not_listed: Option<&'static str>,
}

/// Why an export wrote nothing.
pub struct Failed {
    /// Each type that could not be listed, with what the service said.
    pub failures: Vec<(&'static str, Diagnostics)>,
    /// The types that were listed.
    pub listed: Vec<&'static str>,
}

/// The name people know an object by: the partner tenant's name (looked up as the
/// `coexistence_tenant` data source does), or the object's own name.
async fn known_name(ctx: &Ctx, type_name: &str, v: &Value, notes: &mut Vec<String>) -> String {
    let s = |k: &str| v.get(k).as_str().unwrap_or_default().to_string();
    match type_name {
        "coexistence_cross_tenant_access_partner" => {
            let tenant = s("tenant_id");
            match tenant_name(ctx, &tenant).await {
                Ok(Some(name)) => name,
                Ok(None) => tenant,
                Err(e) => {
                    notes.push(format!(
                        "the name of tenant {tenant} could not be looked up ({}): named by its ID",
                        first_line(&e)
                    ));
                    tenant
                }
            }
        }
        "coexistence_ca_block_external_members" | "coexistence_xts_job" => s("display_name"),
        "coexistence_organization_relationship" | "coexistence_partner_connector" => s("name"),
        "coexistence_mto_membership" => {
            if v.get("owner_tenant_id").is_null() {
                "owner".into()
            } else {
                "member".into()
            }
        }
        _ => "default".into(),
    }
}

fn first_line(d: &Diagnostics) -> String {
    d.0.first()
        .map(|d| {
            format!(
                "{}: {}",
                d.summary,
                d.detail.lines().next().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

async fn tenant_name(ctx: &Ctx, tenant: &str) -> Result<Option<String>, Diagnostics> {
    let Some(ds) = crate::data_sources::all()
        .into_iter()
        .find(|d| d.type_name() == crate::data_sources::tenant::TYPE_NAME)
    else {
        return Ok(None);
    };
    let mut config = Value::null_object(&ds.schema().ty());
    config.set_attr("tenant_id", Value::string(tenant));
    let found = ds.read(ctx, &config).await?;
    Ok(found.get("display_name").as_str().map(str::to_string))
}

/// Lists every chosen type (in type-name order), failing only after trying them all, so the
/// message can say which types could be exported.
pub async fn collect(
    clients: Arc<Clients>,
    resources: &[Arc<dyn Resource>],
    opts: &ListOptions,
    timeout: Duration,
    cancel: CancellationToken,
) -> Result<Vec<TypeListing>, Failed> {
    let mut resources: Vec<_> = resources.to_vec();
    resources.sort_by_key(|r| r.type_name());
    let mut done = Vec::new();
    let mut failures = Vec::new();
    for r in &resources {
        let type_name = r.type_name();
        if let Listable::No(why) = r.listable() {
            done.push(TypeListing {
                type_name,
                found: Vec::new(),
                skipped: Vec::new(),
                notes: Vec::new(),
                not_listed: Some(why),
            });
            continue;
        }
        let ctx = Ctx::new(
            clients.clone(),
            Deadline::after(timeout, cancel.clone()).labelled(
                format!("listing {type_name}"),
                "Raise it with --timeout <seconds>.",
            ),
        );
        let listing = match r.list(&ctx, opts).await {
            Ok(l) => l,
            Err(e) => {
                failures.push((type_name, e));
                continue;
            }
        };
        let mut found = Vec::new();
        let mut notes = Vec::new();
        let mut failed = None;
        for v in &listing.found {
            match r.import_id_of(v) {
                Ok(Some(id)) => {
                    let name = known_name(&ctx, type_name, v, &mut notes).await;
                    found.push((name, id));
                }
                Ok(None) => {}
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            failures.push((type_name, e));
            continue;
        }
        done.push(TypeListing {
            type_name,
            found,
            skipped: listing.skipped,
            notes,
            not_listed: None,
        });
    }
    if failures.is_empty() {
        Ok(done)
    } else {
        Err(Failed {
            failures,
            listed: done
                .iter()
                .filter(|d| d.not_listed.is_none())
                .map(|d| d.type_name)
                .collect(),
        })
    }
}

/// The import blocks of all listings: types in name order, each type's objects by address.
pub fn imports(listings: &[TypeListing], alias: Option<&str>) -> Vec<Import> {
    let mut out = Vec::new();
    for l in listings {
        let names = naming::assign(&l.found, alias);
        let mut these: Vec<Import> = l
            .found
            .iter()
            .zip(names)
            .map(|((_, id), name)| Import {
                type_name: l.type_name.to_string(),
                name,
                id: id.clone(),
            })
            .collect();
        these.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(these);
    }
    out
}

/// The files to write, as (file name, content): the imports, and the `terraform` / `provider`
/// blocks `existing` (the `.tf` files already in the directory, by name) does not have.
pub fn files(
    tenant: &str,
    alias: Option<&str>,
    imports: &[Import],
    settings: &[Setting],
    existing: &[(String, String)],
) -> Vec<(String, String)> {
    let imports_name = hcl::imports_file_name(alias);
    // The files this export writes are rewritten, not counted as already there.
    let provider_name = hcl::provider_file_name(alias);
    let others: Vec<&str> = existing
        .iter()
        .filter(|(n, _)| *n != imports_name && *n != provider_name)
        .map(|(_, t)| t.as_str())
        .collect();
    let mut out = vec![(imports_name, hcl::imports_file(tenant, alias, imports))];
    let mut provider = String::new();
    // The provider's source is declared once per directory, by whichever export came first.
    if !others.iter().any(|t| hcl::declares_required_provider(t)) {
        provider.push_str(&hcl::terraform_block());
        provider.push('\n');
    }
    if !others.iter().any(|t| hcl::has_provider_block(t, alias)) {
        provider.push_str(&hcl::provider_block(alias, settings));
    }
    if !provider.is_empty() {
        out.push((provider_name, provider));
    }
    out
}

fn existing_tf(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "tf") {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            out.push((name, std::fs::read_to_string(&p)?));
        }
    }
    out.sort();
    Ok(out)
}

/// Writes each file whole (a temporary file renamed into place), after all are known.
fn write_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in files {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, dir.join(name))?;
    }
    Ok(())
}

/// The summary: per type, found, exported, skipped with the reasons.
pub fn summary(listings: &[TypeListing]) -> String {
    let mut out = String::new();
    for l in listings {
        if let Some(why) = l.not_listed {
            out.push_str(&format!("{}: not exported: {why}\n", l.type_name));
            continue;
        }
        out.push_str(&format!(
            "{}: found {}, exported {}, skipped {}\n",
            l.type_name,
            l.found.len() + l.skipped.len(),
            l.found.len(),
            l.skipped.len()
        ));
        for s in &l.skipped {
            out.push_str(&format!("  skipped {}: {}\n", s.object, s.reason));
        }
        for n in &l.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

/// The message of a failed export: each type that could not be listed and why (a refusal
/// names the permission), the types that could, and that nothing was written.
pub fn failure_message(f: &Failed) -> String {
    let mut out = String::from("Export failed: nothing was written.\n");
    for (t, d) in &f.failures {
        out.push_str(&format!("\nCannot list {t}:\n"));
        for d in &d.0 {
            out.push_str(&format!(
                "  {}: {}\n",
                d.summary,
                d.detail.replace('\n', "\n  ")
            ));
        }
    }
    if f.listed.is_empty() {
        out.push_str("\nNo type could be listed.\n");
    } else {
        out.push_str(&format!(
            "\nThese types could be exported: {}. Grant what is named above, or leave the failing types out with --types.\n",
            f.listed.join(", ")
        ));
    }
    out
}

/// Runs `export` with `args` (after the word `export`); the process's exit code.
pub async fn run(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> u8 {
    let o = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return 2;
        }
    };
    let config = provider_config(&o);
    let clients = match crate::provider::configure(&config, env) {
        Ok(c) => Arc::new(c),
        Err(d) => {
            eprintln!("Cannot sign in as the provider block would:\n{d}");
            return 1;
        }
    };
    let Some(tenant) = clients.tenant_id().map(str::to_ascii_lowercase) else {
        eprintln!("The tenant is not known: give --tenant-id (or set ARM_TENANT_ID).");
        return 1;
    };
    let resources: Vec<_> = crate::resources::all()
        .into_iter()
        .filter(|r| {
            o.types
                .as_ref()
                .is_none_or(|t| t.iter().any(|t| t == r.type_name()))
        })
        .collect();
    let opts = ListOptions {
        include_service_providers: o.include_service_providers,
        ..ListOptions::default()
    };
    let listings = match collect(
        clients,
        &resources,
        &opts,
        o.timeout,
        CancellationToken::new(),
    )
    .await
    {
        Ok(l) => l,
        Err(f) => {
            eprint!("{}", failure_message(&f));
            return 1;
        }
    };
    let alias = o.alias.as_deref();
    let imports = imports(&listings, alias);
    let existing = match existing_tf(&o.out) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("Cannot read {}: {e}. Nothing was written.", o.out.display());
            return 1;
        }
    };
    let files = files(
        &tenant,
        alias,
        &imports,
        &provider_settings(&o, env),
        &existing,
    );
    print!("{}", summary(&listings));
    if let Err(e) = write_files(&o.out, &files) {
        eprintln!("Cannot write into {}: {e}", o.out.display());
        return 1;
    }
    for (name, _) in &files {
        println!("wrote {}", o.out.join(name).display());
    }
    println!("Next: terraform plan -generate-config-out=generated.tf");
    0
}

#[cfg(test)]
mod tests;
