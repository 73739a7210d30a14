//! The export's command line: its own options, and every provider argument as a flag (read
//! like the provider block, with the same `ARM_*` variables).

use super::hcl::Setting;
use super::naming;
use crate::framework::Value;
use std::path::PathBuf;
use std::time::Duration;

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
pub(super) fn provider_config(o: &Options) -> Value {
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
pub(super) fn provider_settings(o: &Options, env: &dyn Fn(&str) -> Option<String>) -> Vec<Setting> {
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
