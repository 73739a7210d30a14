//! The files an export writes: `import` blocks, and the `terraform` / `provider` blocks the
//! directory does not have yet.

/// An HCL string literal: JSON escaping, plus `${` and `%{` (template sequences) escaped.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// One object to import: its address and import ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub type_name: String,
    pub name: String,
    pub id: String,
}

/// `imports.tf` (or `imports_<alias>.tf`): one `import` block per object, in the given order.
pub fn imports_file(tenant: &str, alias: Option<&str>, imports: &[Import]) -> String {
    let mut out = format!(
        "# Written by `terraform-provider-coexistence export` from tenant {tenant}.\n# Next: terraform plan -generate-config-out=generated.tf\n"
    );
    for i in imports {
        out.push_str(&format!(
            "\nimport {{\n  to = {}.{}\n  id = {}\n",
            i.type_name,
            i.name,
            quote(&i.id)
        ));
        if let Some(a) = alias {
            out.push_str(&format!("  provider = coexistence.{a}\n"));
        }
        out.push_str("}\n");
    }
    out
}

pub fn imports_file_name(alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("imports_{a}.tf"),
        None => "imports.tf".into(),
    }
}

pub fn terraform_block() -> String {
    "terraform {\n  # import blocks: Terraform 1.5 or later.\n  required_version = \">= 1.5\"\n  required_providers {\n    coexistence = {\n      source = \"coexistence/coexistence\"\n    }\n  }\n}\n".into()
}

/// A provider setting the export writes: a value, or (for a secret) a variable holding it.
pub enum Setting {
    Value(String, String),
    Bool(String, bool),
    Secret(String),
}

/// The variable a secret setting reads: `coexistence[_<alias>]_<argument>`.
pub fn secret_variable(alias: Option<&str>, attr: &str) -> String {
    match alias {
        Some(a) => format!("coexistence_{a}_{attr}"),
        None => format!("coexistence_{attr}"),
    }
}

/// The `provider "coexistence"` block with the settings the export signed in with. Secrets are
/// never written: each is a variable (null by default, so the `ARM_*` variable still applies).
pub fn provider_block(alias: Option<&str>, settings: &[Setting]) -> String {
    let mut vars = String::new();
    let mut out = String::from("provider \"coexistence\" {\n");
    if let Some(a) = alias {
        out.push_str(&format!("  alias = {}\n", quote(a)));
    }
    for s in settings {
        match s {
            Setting::Value(k, v) => out.push_str(&format!("  {k} = {}\n", quote(v))),
            Setting::Bool(k, b) => out.push_str(&format!("  {k} = {b}\n")),
            Setting::Secret(k) => {
                let var = secret_variable(alias, k);
                out.push_str(&format!("  {k} = var.{var}\n"));
                vars.push_str(&format!(
                    "\nvariable \"{var}\" {{\n  type      = string\n  default   = null\n  sensitive = true\n}}\n"
                ));
            }
        }
    }
    out.push_str("}\n");
    out + &vars
}

pub fn provider_file_name(alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("provider_{a}.tf"),
        None => "provider.tf".into(),
    }
}

/// Whether some `.tf` text already declares this provider in `required_providers`.
pub fn declares_required_provider(text: &str) -> bool {
    text.contains("required_providers") && text.contains("coexistence/coexistence")
}

/// Whether `text` has a `provider "coexistence"` block with this alias (`None`: the default
/// one, without an alias).
pub fn has_provider_block(text: &str, alias: Option<&str>) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find("provider \"coexistence\"") {
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            return false;
        };
        // The block's body: up to the brace that closes it.
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &after[open..end];
        let block_alias = body.lines().find_map(|l| {
            let l = l.trim();
            let v = l.strip_prefix("alias")?.trim_start().strip_prefix('=')?;
            Some(v.trim().trim_matches('"').to_string())
        });
        if block_alias.as_deref() == alias {
            return true;
        }
        rest = &after[end.min(after.len())..];
        if rest.len() == after.len() {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_blocks_quote_ids_and_name_the_aliased_provider() {
        let i = [Import {
            type_name: "coexistence_partner_connector".into(),
            name: "to_fabrikam".into(),
            id: "outbound/To \"Fab\" ${x}".into(),
        }];
        let text = imports_file("t", Some("fabrikam"), &i);
        assert!(text.contains("  to = coexistence_partner_connector.to_fabrikam\n"));
        assert!(
            text.contains(r#"  id = "outbound/To \"Fab\" $${x}""#),
            "{text}"
        );
        assert!(text.contains("  provider = coexistence.fabrikam\n"));
        assert!(!imports_file("t", None, &i).contains("provider ="));
        assert_eq!(imports_file_name(Some("b")), "imports_b.tf");
        assert_eq!(imports_file_name(None), "imports.tf");
    }

    #[test]
    fn secrets_are_variables_never_values() {
        let b = provider_block(
            Some("b"),
            &[
                Setting::Value("tenant_id".into(), "t".into()),
                Setting::Bool("use_oidc".into(), true),
                Setting::Secret("client_secret".into()),
            ],
        );
        assert!(b.contains("  alias = \"b\"\n  tenant_id = \"t\"\n  use_oidc = true\n"));
        assert!(b.contains("client_secret = var.coexistence_b_client_secret"));
        assert!(b.contains("variable \"coexistence_b_client_secret\""));
    }

    #[test]
    fn existing_blocks_are_found_by_alias() {
        let text = "provider \"coexistence\" {\n  tenant_id = \"x\"\n}\n\nprovider \"coexistence\" {\n  alias     = \"b\"\n  features { }\n}\n";
        assert!(has_provider_block(text, None));
        assert!(has_provider_block(text, Some("b")));
        assert!(!has_provider_block(text, Some("c")));
        let only_b = "provider \"coexistence\" {\n  alias = \"b\"\n}\n";
        assert!(!has_provider_block(only_b, None));
        assert!(declares_required_provider(&terraform_block()));
        assert!(!declares_required_provider("terraform {}\n"));
    }
}
