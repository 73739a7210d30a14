//! `terraform-provider-coexistence export`: the objects of an existing tenant as `import`
//! blocks, so adopting them is two commands (this, then `terraform plan
//! -generate-config-out=generated.tf`). It signs in as the provider block does (same arguments
//! as flags, same `ARM_*` variables), lists every resource type through the resources' own
//! enumeration, and writes nothing anywhere until every type has been listed: a type the
//! credential cannot list fails the export, naming the permission, with no file written. It
//! only reads from the tenant.

pub mod hcl;
pub mod naming;

use crate::clients::{Clients, Deadline};
use crate::framework::{Ctx, Diagnostics, ListOptions, Resource, Skipped, Value};
use hcl::{Import, Setting};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const USAGE: &str = "\
Usage: terraform-provider-coexistence export [--out DIR] [--alias NAME] [--types T1,T2]
         [--include-service-providers] [provider arguments]

Writes one `import` block per coexistence object of the tenant the provider arguments sign in
to, into DIR/imports.tf (DIR/imports_<NAME>.tf with --alias), plus the terraform and provider
blocks DIR does not have yet. Then run: terraform plan -generate-config-out=generated.tf

Options:
  --out DIR                    Where to write (default: the current directory)
  --alias NAME                 Import through provider coexistence.NAME (a second tenant)
  --types T1,T2                Only these resource types (e.g. partner_connector)
  --include-service-providers  Also export partners marked isServiceProvider
  --timeout SECONDS            Time allowed to list each type (default 300)

Provider arguments: every argument of the provider block as a flag, `_` written `-`
(--tenant-id, --client-id, --client-secret, --client-certificate-path, --use-oidc,
--use-msi, --use-cli, --environment, --authority-host, --graph-endpoint,
--exchange-endpoint, ...); a flag left out comes from its ARM_* variable, as in the
provider block.";

/// What the command line asks for.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    pub out: PathBuf,
    pub alias: Option<String>,
    pub types: Option<Vec<String>>,
    pub include_service_providers: bool,
    pub timeout: Duration,
    /// Provider arguments given as flags, by attribute name.
    pub provider: Vec<(String, String)>,
}

/// Parses the arguments after `export`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let schema = crate::provider::schema();
    let mut o = Options {
        out: PathBuf::from("."),
        timeout: Duration::from_secs(300),
        ..Options::default()
    };
    let mut it = args.iter().peekable();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if arg.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let Some(name) = flag.strip_prefix("--") else {
            return Err(format!("unexpected argument {arg:?}"));
        };
        let attr = name.replace('-', "_");
        let is_bool = schema.attributes.iter().any(|a| {
            a.name == attr
                && matches!(
                    a.kind,
                    crate::framework::schema::Kind::Plain(crate::framework::Type::Bool)
                )
        });
        if name == "include-service-providers" {
            o.include_service_providers = true;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            // A flag alone is `true` for a boolean argument.
            None if is_bool && it.peek().is_none_or(|n| n.starts_with("--")) => "true".into(),
            None => it.next().cloned().ok_or(format!("{flag} needs a value"))?,
        };
        match name {
            "out" => o.out = value.into(),
            "alias" => {
                if naming::sanitize(&value) != value || value.starts_with('_') {
                    return Err(format!("--alias {value:?}: a provider alias is lowercase letters, digits and underscores, starting with a letter"));
                }
                o.alias = Some(value)
            }
            "types" => {
                let all: Vec<&str> = crate::resources::all()
                    .iter()
                    .map(|r| r.type_name())
                    .collect();
                let mut chosen = Vec::new();
                for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let full = if t.starts_with("coexistence_") {
                        t.to_string()
                    } else {
                        format!("coexistence_{t}")
                    };
                    if !all.contains(&full.as_str()) {
                        return Err(format!(
                            "--types: {t:?} is not a resource type; the types are {}",
                            all.join(", ")
                        ));
                    }
                    chosen.push(full);
                }
                o.types = Some(chosen);
            }
            "timeout" => {
                let s: u64 = value
                    .parse()
                    .map_err(|_| format!("--timeout {value:?}: a number of seconds"))?;
                o.timeout = Duration::from_secs(s);
            }
            _ if schema.attributes.iter().any(|a| a.name == attr) => o.provider.push((attr, value)),
            _ => return Err(format!("unknown option {flag:?}")),
        }
    }
    Ok(o)
}

/// The provider block's value from the flags (attributes not given are null: the `ARM_*`
/// variables fill them in as in Terraform).
fn provider_config(o: &Options) -> Value {
    let schema = crate::provider::schema();
    let mut v = Value::null_object(&schema.ty());
    for (k, x) in &o.provider {
        let is_bool = schema.attributes.iter().any(|a| {
            &a.name == k
                && matches!(
                    a.kind,
                    crate::framework::schema::Kind::Plain(crate::framework::Type::Bool)
                )
        });
        let value = if is_bool {
            Value::Bool(matches!(
                x.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes"
            ))
        } else {
            Value::string(x)
        };
        v.set_attr(k, value);
    }
    v
}

/// The first environment variable an attribute's description names (`Env: `ARM_X``).
fn env_var_of(description: &str) -> Option<String> {
    let rest = description.split("Env: `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// The settings the written provider block records: each argument given as a flag or through
/// its variable; secrets as variables.
fn provider_settings(o: &Options, env: &dyn Fn(&str) -> Option<String>) -> Vec<Setting> {
    let schema = crate::provider::schema();
    let mut out = Vec::new();
    for a in &schema.attributes {
        let given = o
            .provider
            .iter()
            .find(|(k, _)| *k == a.name)
            .map(|(_, v)| v.clone())
            .or_else(|| env_var_of(&a.description).and_then(|var| env(&var)))
            .filter(|v| !v.is_empty());
        let Some(v) = given else { continue };
        if a.sensitive {
            out.push(Setting::Secret(a.name.clone()));
        } else if matches!(
            a.kind,
            crate::framework::schema::Kind::Plain(crate::framework::Type::Bool)
        ) {
            let b = matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes");
            if b {
                out.push(Setting::Bool(a.name.clone(), b));
            }
        } else {
            out.push(Setting::Value(a.name.clone(), v));
        }
    }
    out
}

/// One type's listing, with the names its objects are known by.
pub struct TypeListing {
    pub type_name: &'static str,
    /// (name people know, import ID) of each object found.
    pub found: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
    /// Names that could not be looked up (the object's ID stands in), with why.
    pub notes: Vec<String>,
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
        });
    }
    if failures.is_empty() {
        Ok(done)
    } else {
        Err(Failed {
            failures,
            listed: done.iter().map(|d| d.type_name).collect(),
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
mod tests {
    use super::*;
    use crate::clients::http::mock::{answer, MockTransport};
    use serde_json::json;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_are_the_provider_arguments() {
        let o = parse_args(&args(&[
            "--tenant-id",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "--use-oidc",
            "--graph-endpoint=https://graph.example",
            "--out",
            "dir",
            "--alias",
            "fabrikam",
            "--types",
            "partner_connector,coexistence_mto_membership",
            "--include-service-providers",
        ]))
        .unwrap();
        assert_eq!(o.out, PathBuf::from("dir"));
        assert_eq!(o.alias.as_deref(), Some("fabrikam"));
        assert_eq!(
            o.types,
            Some(vec![
                "coexistence_partner_connector".to_string(),
                "coexistence_mto_membership".to_string()
            ])
        );
        assert!(o.include_service_providers);
        let c = provider_config(&o);
        assert_eq!(c.get("use_oidc"), &Value::Bool(true));
        assert_eq!(
            c.get("graph_endpoint"),
            &Value::string("https://graph.example")
        );
        assert!(parse_args(&args(&["--types", "nope"]))
            .unwrap_err()
            .contains("coexistence_partner_connector"));
        assert!(parse_args(&args(&["--alias", "Bad Alias"])).is_err());
        assert!(parse_args(&args(&["--bogus", "x"]))
            .unwrap_err()
            .contains("--bogus"));
        assert!(parse_args(&args(&["--tenant-id"]))
            .unwrap_err()
            .contains("needs a value"));
    }

    #[test]
    fn every_sign_in_method_reaches_the_providers_configuration() {
        // The same code as the provider block: a method's flag or variable selects it there.
        let env = |k: &str| match k {
            "ARM_CLIENT_ID" => Some("app".to_string()),
            "ARM_CLIENT_SECRET" => Some("s".to_string()),
            _ => None,
        };
        let o = parse_args(&args(&[
            "--tenant-id",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ]))
        .unwrap();
        assert!(crate::provider::configure(&provider_config(&o), &env).is_ok());
        let settings = provider_settings(&o, &env);
        let text = hcl::provider_block(None, &settings);
        assert!(text.contains("tenant_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\""));
        assert!(text.contains("client_id = \"app\""));
        assert!(text.contains("client_secret = var.coexistence_client_secret"));
        assert!(!text.contains("\"s\""), "no secret written: {text}");
        let msi = parse_args(&args(&[
            "--tenant-id",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "--use-msi",
        ]))
        .unwrap();
        assert!(crate::provider::configure(&provider_config(&msi), &|_| None).is_ok());
        assert!(
            hcl::provider_block(None, &provider_settings(&msi, &|_| None))
                .contains("use_msi = true")
        );
    }

    fn listing(type_name: &'static str, found: &[(&str, &str)]) -> TypeListing {
        TypeListing {
            type_name,
            found: found
                .iter()
                .map(|(n, i)| (n.to_string(), i.to_string()))
                .collect(),
            skipped: vec![Skipped {
                object: "x".into(),
                reason: "because".into(),
            }],
            notes: vec![],
        }
    }

    #[test]
    fn two_exports_into_one_directory_do_not_clash() {
        let l = [listing(
            "coexistence_cross_tenant_access_default",
            &[("default", "default")],
        )];
        let settings = [Setting::Value("tenant_id".into(), "a".into())];
        let first = files("a", None, &imports(&l, None), &settings, &[]);
        let names: Vec<_> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["imports.tf", "provider.tf"]);
        assert!(first[0]
            .1
            .contains("to = coexistence_cross_tenant_access_default.default\n"));
        assert!(first[1].1.contains("required_providers"));
        let second = files("b", Some("b"), &imports(&l, Some("b")), &settings, &first);
        let names: Vec<_> = second.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["imports_b.tf", "provider_b.tf"]);
        assert!(second[0]
            .1
            .contains("to = coexistence_cross_tenant_access_default.b_default\n"));
        assert!(second[0].1.contains("provider = coexistence.b\n"));
        assert!(!second[1].1.contains("required_providers"), "declared once");
        assert!(second[1].1.contains("alias = \"b\""));
        // Run again, the first export rewrites its own files as they were.
        let mut both = first.clone();
        both.extend(second);
        assert_eq!(
            files("a", None, &imports(&l, None), &settings, &both),
            first
        );
        // A directory with its own provider block gets imports only.
        let own = [("main.tf".to_string(), "terraform {\n  required_providers {\n    coexistence = { source = \"coexistence/coexistence\" }\n  }\n}\nprovider \"coexistence\" {\n}\n".to_string())];
        assert_eq!(files("a", None, &[], &settings, &own).len(), 1);
    }

    #[test]
    fn imports_are_ordered_by_type_then_address() {
        let l = [
            listing("coexistence_a", &[("Zed", "2"), ("alpha", "1")]),
            listing("coexistence_b", &[("x", "3")]),
        ];
        let order: Vec<_> = imports(&l, None)
            .iter()
            .map(|i| format!("{}.{}", i.type_name, i.name))
            .collect();
        assert_eq!(
            order,
            [
                "coexistence_a.alpha",
                "coexistence_a.zed",
                "coexistence_b.x"
            ]
        );
        let s = summary(&l);
        assert!(
            s.contains("coexistence_a: found 3, exported 2, skipped 1\n  skipped x: because\n"),
            "{s}"
        );
    }

    #[tokio::test]
    async fn a_type_that_cannot_be_listed_fails_naming_the_permission_and_the_types_listed() {
        use crate::resources::cross_tenant_access_default::CrossTenantAccessDefault;
        use crate::resources::organization_relationship::OrganizationRelationship;
        let default_get =
            crate::clients::request::Request::get("/policies/crossTenantAccessPolicy/default");
        let mut changed = json!({"isServiceDefault": false});
        changed["inboundTrust"] = json!({"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false});
        let m = MockTransport::new(vec![
            answer(default_get, 200, Some(changed)),
            crate::clients::http::mock::step(
                "POST",
                &format!(
                    "/adminapi/beta/{}/InvokeCommand",
                    crate::clients::TEST_TENANT
                ),
                403,
                Some(json!({"error": {"code": "Forbidden", "message": "denied"}})),
            ),
        ]);
        let resources: Vec<Arc<dyn Resource>> = vec![
            Arc::new(OrganizationRelationship),
            Arc::new(CrossTenantAccessDefault),
        ];
        let f = collect(
            Arc::new(Clients::for_tests(m)),
            &resources,
            &ListOptions::default(),
            Duration::from_secs(5),
            CancellationToken::new(),
        )
        .await
        .err()
        .expect("the export fails");
        let text = failure_message(&f);
        assert!(text.contains("nothing was written"), "{text}");
        assert!(
            text.contains("Cannot list coexistence_organization_relationship"),
            "{text}"
        );
        assert!(
            text.contains("Exchange Administrator"),
            "the permission is named: {text}"
        );
        assert!(
            text.contains("could be exported: coexistence_cross_tenant_access_default"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_partner_is_named_after_its_tenant_and_a_failed_lookup_falls_back_to_its_id() {
        use crate::resources::cross_tenant_access_partner::CrossTenantAccessPartner;
        const A: &str = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
        const B: &str = "4b7c2e19-6a3d-4f58-b0e1-9d2c8a7f3e56";
        let partners =
            crate::clients::request::Request::get("/policies/crossTenantAccessPolicy/partners")
                .query("$expand", "identitySynchronization");
        let lookup = |t: &str| {
            crate::clients::request::Request::get(format!(
                "/tenantRelationships/findTenantInformationByTenantId(tenantId='{t}')"
            ))
        };
        let m = MockTransport::new(vec![
            answer(
                partners,
                200,
                Some(json!({"value": [
                    {"tenantId": A, "isServiceProvider": false, "identitySynchronization": null},
                    {"tenantId": B, "isServiceProvider": false, "identitySynchronization": null},
                ]})),
            ),
            answer(
                lookup(A),
                200,
                Some(
                    json!({"tenantId": A, "displayName": "Fabrikam Ltd.", "defaultDomainName": "fabrikam.com"}),
                ),
            ),
            crate::clients::http::mock::answer_error(
                lookup(B),
                403,
                "Authorization_RequestDenied",
                "denied",
            ),
        ]);
        let resources: Vec<Arc<dyn Resource>> = vec![Arc::new(CrossTenantAccessPartner)];
        let l = collect(
            Arc::new(Clients::for_tests(m)),
            &resources,
            &ListOptions::default(),
            Duration::from_secs(5),
            CancellationToken::new(),
        )
        .await
        .ok()
        .expect("listed");
        let names: Vec<_> = imports(&l, None)
            .into_iter()
            .map(|i| (i.name, i.id))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "_4b7c2e19_6a3d_4f58_b0e1_9d2c8a7f3e56".to_string(),
                    B.to_string()
                ),
                ("fabrikam_ltd".to_string(), A.to_string())
            ]
        );
        assert!(l[0].notes[0].contains(B), "{:?}", l[0].notes);
    }
}
