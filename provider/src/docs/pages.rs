//! The pages: provider index, resource and data source pages, and their shared pieces (front
//! matter, summaries, the permissions section).

use super::attributes::render_attributes;
use super::permissions::{render_permission_union, render_permissions};
use super::{data_source_page, resource_page, BINARY_NAME};
use crate::framework::identity;
use crate::framework::resource::EXAMPLE_TENANT;
use crate::framework::{DataSource, Resource, Schema};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

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

pub(super) fn render_index(
    schema: &Schema,
    example: &str,
    resources: &[Arc<dyn Resource>],
    data_sources: &[Arc<dyn DataSource>],
) -> String {
    let mut out = String::new();
    front_matter(
        &mut out,
        "Provider: Coexistence",
        "The coexistence provider manages Microsoft Entra / Microsoft 365 cross-tenant coexistence: partner cross-tenant access settings, multitenant organizations, cross-tenant synchronization, Conditional Access for synchronized users, and Exchange Online organization relationships and Partner connectors.",
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
         The application needs the permissions listed under [Permissions](#permissions) in the \
         tenant it manages.\n\n\
         It uses the first method the configuration satisfies, in this order:\n\n\
         1. **Client secret**: `tenant_id`, `client_id` and `client_secret` (or `client_id_file_path` / \
         `client_secret_file_path`, files holding them).\n\
         2. **Client certificate**: `tenant_id`, `client_id` and `client_certificate_path` (a PKCS#12 or PEM file; \
         `client_certificate_password` if it has one), or `client_certificate` (the PKCS#12 bundle, base64).\n\
         3. **OIDC federation** (workload identity federation): `use_oidc = true`, `tenant_id`, `client_id`, \
         and a token from `oidc_token`, `oidc_token_file_path`, or requested from `oidc_request_url` with \
         `oidc_request_token`. In GitHub Actions these come from `ACTIONS_ID_TOKEN_REQUEST_URL` / \
         `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (the workflow needs `id-token: write`); in Azure DevOps set \
         `ado_pipeline_service_connection_id` and they come from `SYSTEM_OIDCREQUESTURI` / `SYSTEM_ACCESSTOKEN`. \
         With `use_aks_workload_identity = true` the token file, client ID, tenant ID and authority host \
         come from the variables AKS workload identity injects (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, \
         `AZURE_TENANT_ID`, `AZURE_AUTHORITY_HOST`).\n\
         4. **Managed identity**: `use_msi = true`; set `client_id` to pick a user-assigned identity, \
         `msi_endpoint` to ask a specific endpoint (IMDS protocol).\n\
         5. **Azure CLI**: `use_cli = true`; signs in as the `az login` account, `tenant_id` selects the tenant.\n\n\
         When none matches, the error lists every method and what it was missing. No sign-in happens \
         until the first API call, so `terraform validate` needs no credentials.\n\n\
         Conflicting arguments (a certificate both inline and by path, a `client_id` that differs from \
         `client_id_file_path`) are refused at plan, naming the argument. A failed sign-in is reported once \
         per provider block with its cause: the URL contacted and what went wrong (connection refused, \
         unknown host, a TLS certificate not trusted by the system roots or `SSL_CERT_FILE`), or the \
         AADSTS error the sign-in service answered and what to check for it.\n\n",
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
        if let Some(vars) = env_vars(&a.description) {
            let _ = writeln!(out, "| `{}` | {vars} |", a.name);
        }
    }

    render_permission_union(&mut out, resources, data_sources);

    out.push_str("\n## Example Usage\n\n");
    code_block(&mut out, "terraform", example);
    out.push_str("\n## Argument Reference\n");
    render_attributes(&mut out, &schema.attributes);
    out
}

/// The environment variable an attribute description names (`Env: `ARM_X`.`).
/// Every variable an argument reads, as its description lists them ("`A`, `B` or `C`").
fn env_vars(description: &str) -> Option<&str> {
    let rest = &description[description.find("Env: ")? + "Env: ".len()..];
    let end = rest.find("`.").map_or(rest.len(), |i| i + 1);
    Some(&rest[..end])
}

pub fn env_var(description: &str) -> Option<&str> {
    let rest = &description[description.find("Env: `")? + "Env: `".len()..];
    Some(&rest[..rest.find('`')?])
}

pub(super) fn render_resource(
    r: &dyn Resource,
    example: &str,
    import_sh: &str,
) -> Result<String, String> {
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

    render_permissions(&mut out, "resource", r.permissions());

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
        import_id_markdown(format)
    );
    code_block(&mut out, "shell", import_sh);
    out.push_str("\nWith Terraform 1.5 or later, an `import` block does the same:\n\n");
    code_block(
        &mut out,
        "terraform",
        &format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}"),
    );
    render_identity(&mut out, r, address, id);
    render_list(&mut out, r);
    Ok(out)
}

/// "List blocks": what a Terraform 1.14 `list` block of this type lists, and its `config`.
fn render_list(out: &mut String, r: &dyn Resource) {
    let name = r.type_name();
    let config = r.list_config();
    out.push_str(
        "
## List (Terraform 1.14+)

",
    );
    if let crate::framework::Listable::No(why) = r.listable() {
        let _ = writeln!(
            out,
            "Not listed: {why} A `list` block of this type lists nothing, and `terraform-provider-coexistence export` writes nothing for it."
        );
        return;
    }
    let _ = writeln!(
        out,
        "{} In a `*.tfquery.hcl` file, a `list` block lists the objects `terraform-provider-coexistence export` would export (and skips what it skips), each with its identity; `terraform query -generate-config-out=generated.tf` writes their `import` and `resource` blocks.\n",
        config.description
    );
    let example = if config.attributes.is_empty() {
        format!("list \"{name}\" \"all\" {{\n  provider = coexistence\n}}")
    } else {
        let settings: Vec<String> = config
            .attributes
            .iter()
            .filter(|a| {
                matches!(
                    a.kind,
                    crate::framework::schema::Kind::Plain(crate::framework::Type::Bool)
                )
            })
            .map(|a| format!("    {} = true", a.name))
            .collect();
        format!(
            "list \"{name}\" \"all\" {{\n  provider = coexistence\n  config {{\n{}\n  }}\n}}",
            settings.join("\n")
        )
    };
    code_block(out, "terraform", &example);
    if !config.attributes.is_empty() {
        out.push_str("\nThe `config` block takes:\n");
        render_attributes(out, &config.attributes);
    }
}

/// "Import by identity": the identity's attributes, and the `import` block naming them.
fn render_identity(out: &mut String, r: &dyn Resource, address: &str, id: &str) {
    out.push_str("\n### Import by identity (Terraform 1.12+)\n\n");
    out.push_str(
        "Terraform 1.12 and later store each object's identity beside its state and can import \
         by it instead of by ID. The identity is set when the object is created or imported (or \
         first refreshed) and never changes afterwards:\n\n",
    );
    for a in identity::schema(r).attributes {
        let need = if a.required_for_import {
            "required for import"
        } else {
            "optional for import"
        };
        let _ = writeln!(out, "- `{}` (String, {need}) {}", a.name, a.description);
    }
    out.push('\n');
    code_block(
        out,
        "terraform",
        &format!(
            "import {{\n  to = {address}\n  identity = {{\n    tenant_id = \"{EXAMPLE_TENANT}\"\n    import_id = \"{id}\"\n  }}\n}}"
        ),
    );
}

pub(super) fn render_data_source(d: &dyn DataSource, example: &str) -> String {
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
    render_permissions(&mut out, "data source", d.permissions());
    out
}

/// An import ID format as Markdown: one code span, or as written when it already marks its
/// forms as code (several forms with words between, see `ImportId::FORMAT`).
fn import_id_markdown(format: &str) -> String {
    if format.contains('`') {
        format.to_string()
    } else {
        markdown_code(format)
    }
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

    #[test]
    fn declared_defaults_are_shown() {
        let r = crate::resources::organization_relationship::OrganizationRelationship;
        let page = render_resource(&r, "resource {}", "terraform import x y").unwrap();
        for needle in [
            "- `enabled` (Boolean) Whether the relationship is in effect; `false` stops all sharing without deleting it. Defaults to `true`.",
            "Defaults to `None`. Validation:",
        ] {
            assert!(page.contains(needle), "{needle} not in {page}");
        }
        let r = crate::resources::ca_block_external_members::CaBlockExternalMembers;
        let page = render_resource(&r, "resource {}", "terraform import x y").unwrap();
        assert!(
            page.contains("Omitted means none. Defaults to `[]`."),
            "{page}"
        );
    }

    /// The committed `docs/` must be exactly what the generator renders now.

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
            "## Permissions\n\nThe application the provider signs in as needs, in the tenant it manages, each of these for the operations of this resource listed after it:\n\n- The Microsoft Graph application permission `Policy.Read.All`, granted with admin consent: read.\n- The Microsoft Graph application permission `Policy.ReadWrite.CrossTenantAccess`, granted with admin consent: create, update, delete.\n",
            "- `tenant_id` (String) The partner's tenant ID (a GUID). Changing it replaces the partner configuration. Import ID. Validation: must be a GUID",
            "  to = coexistence_cross_tenant_access_partner.x\n  id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"",
            "### Import by identity (Terraform 1.12+)",
            "- `import_id` (String, required for import) The object's import ID, `<partner tenant GUID>`",
            "- `tenant_id` (String, optional for import) ",
            "  identity = {\n    tenant_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n    import_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n  }",
        ] {
            assert!(page.contains(needle), "missing {needle:?} in\n{page}");
        }
        let index = render_index(
            &crate::provider::schema(),
            "provider {}",
            &crate::resources::all(),
            &crate::data_sources::all(),
        );
        assert!(index.contains("\n## Permissions\n"), "{index}");
        assert!(index.contains("- The Microsoft Graph application permission `Policy.ReadWrite.CrossTenantAccess`, granted with admin consent: `coexistence_cross_tenant_access_default` (create, update, delete), `coexistence_cross_tenant_access_partner` (create, update, delete)\n"), "{index}");
        assert!(index.contains("`CrossTenantInformation.ReadBasic.All`, granted with admin consent: `coexistence_tenant` data source (read)\n"), "{index}");
        assert!(index.contains("- `client_secret` (String, Sensitive) "));
        assert!(index.contains("| `client_secret` | `ARM_CLIENT_SECRET` |"));
    }

    #[test]
    fn import_ids_of_several_forms_are_code_spans_with_words_between() {
        let r = crate::resources::mto_membership::MtoMembership;
        let page = render_resource(
            &r,
            "resource {}",
            "terraform import coexistence_mto_membership.x owner/x",
        )
        .unwrap();
        assert!(
            page.contains("The import ID is `owner/<this tenant GUID>` (owner side) or `member/<owner tenant GUID>` (member side) (for example"),
            "{page}"
        );
        assert_eq!(
            import_id_markdown("<partner tenant GUID>"),
            "`<partner tenant GUID>`"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration(Duration::from_secs(600)), "`10m`");
        assert_eq!(duration(Duration::from_secs(5400)), "`1h30m`");
        assert_eq!(duration(Duration::from_secs(45)), "`45s`");
    }
}
