//! HCL snippets shared by the scenarios.

/// `terraform { required_providers { coexistence = { source = "coexistence/coexistence" } } }`.
/// Emit it once per configuration (terraform rejects duplicate `required_providers` entries).
pub fn terraform_block() -> String {
    "terraform {\n  required_providers {\n    coexistence = {\n      source = \"coexistence/coexistence\"\n    }\n  }\n}\n".to_string()
}

/// A `provider "coexistence"` block (default when `alias` is `None`) signing in to `tenant`
/// through the emulator at `emulator_url`.
pub fn provider_block(emulator_url: &str, tenant: &super::Tenant, alias: Option<&str>) -> String {
    let alias = alias
        .map(|a| format!("  alias          = {}\n", quote(a)))
        .unwrap_or_default();
    format!(
        "provider \"coexistence\" {{\n{alias}  tenant_id      = {}\n  client_id      = {}\n  client_secret  = {}\n  authority_host = {}\n  graph_endpoint = {}\n  exchange_endpoint = {}\n  teams_endpoint = {}\n}}\n",
        quote(&tenant.tenant_id),
        quote(&tenant.client_id),
        quote(&tenant.client_secret),
        quote(emulator_url),
        quote(emulator_url),
        quote(emulator_url),
        quote(emulator_url),
    )
}

/// [`terraform_block`] followed by one default or aliased [`provider_block`].
pub fn provider_config(emulator_url: &str, tenant: &super::Tenant, alias: Option<&str>) -> String {
    format!(
        "{}\n{}",
        terraform_block(),
        provider_block(emulator_url, tenant, alias)
    )
}

/// An HCL string literal (JSON string escaping is valid HCL; `${` and `%{` are escaped).
pub fn quote(s: &str) -> String {
    serde_json::to_string(s)
        .expect("string serializes")
        .replace("${", "$${")
        .replace("%{", "%%{")
}
