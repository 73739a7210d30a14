//! Every Graph JSON name the provider's Graph resources send or read is declared in the
//! Microsoft Graph v1.0 metadata on the types that resource reads or writes
//! (API-NOTES.md#graph-metadata). The types of what it sends are held by the emulator: every
//! acceptance scenario's body passes the strict tables `emulator_graph_metadata.rs` checks.

mod emulator_support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use emulator_support::graph_metadata::*;

// ---- the provider's Graph names -----------------------------------------------------------

const PARTNER_TYPES: &[&str] = &[
    "crossTenantAccessPolicyConfigurationPartner",
    "crossTenantAccessPolicyConfigurationDefault",
];

/// The provider's Graph resources (the Exchange ones speak cmdlet parameters, not Graph), each
/// with the types it reads or writes: its names must be declared on those types or on the
/// types they reach (properties and navigation properties), or be parameters of their actions.
const GRAPH_RESOURCES: &[(&str, &[&str])] = &[
    ("ca_block_external_members", &["conditionalAccessPolicy"]),
    ("cross_tenant_access_partner", PARTNER_TYPES),
    (
        "cross_tenant_access_default",
        &["crossTenantAccessPolicyConfigurationDefault"],
    ),
    ("shared", PARTNER_TYPES),
    ("mto_membership", &["multiTenantOrganization"]),
    (
        "xts_job",
        &[
            "applicationServicePrincipal",
            "synchronization",
            "appRoleAssignment",
            // Its prerequisites read both tenants' partner settings.
            "crossTenantAccessPolicyConfigurationPartner",
        ],
    ),
];

/// The property names and action parameter names of `roots` and every type they reach,
/// action parameters' types included (a restart's `criteria` names `resetScope`).
fn names_reachable<'a>(meta: &'a Meta, roots: &[&str]) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
    queue.extend(meta.actions.values().flatten().map(|p| p.ty.clone()));
    let mut names = BTreeSet::new();
    while let Some(t) = queue.pop() {
        let Some((name, m)) = meta.types.get_key_value(t.as_str()) else {
            continue;
        };
        if !seen.insert(name.as_str()) {
            continue;
        }
        // Derived types are reached too (an abstract member names its concrete type).
        for (d, dm) in &meta.types {
            if dm.base.as_deref() == Some(name.as_str()) {
                queue.push(d.clone());
            }
        }
        for p in &m.props {
            names.insert(p.name.as_str());
            let target =
                p.ty.strip_prefix("Collection(")
                    .and_then(|x| x.strip_suffix(')'))
                    .unwrap_or(&p.ty);
            queue.push(target.to_string());
        }
    }
    for params in meta.actions.values() {
        for p in params {
            names.insert(p.name.as_str());
        }
    }
    names
}

/// Names in the provider's Graph code that are not properties, with why.
const PROVIDER_NON_PROPERTIES: &[(&str, &str)] = &[
    (
        "value",
        "the collection envelope of a list answer (odata-json)",
    ),
    ("error", "the error envelope (graph-errors)"),
    ("code", "the error envelope (graph-errors)"),
    ("message", "the error envelope (graph-errors)"),
    ("details", "the error envelope (graph-errors)"),
    ("innerError", "the error envelope (graph-errors)"),
];

/// The string literals used as JSON member names in `text`: `["name"]`, `"name":`,
/// `.get("name")`.
fn json_names(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '@')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.')
    };
    let mut out = BTreeSet::new();
    for (open, close) in [("[\"", "\"]"), ("get(\"", "\")")] {
        for (i, _) in text.match_indices(open) {
            // `x["name"]` indexes; `["name"]` alone is an array literal.
            let indexed = text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ']' | ')' | '.'));
            if open.starts_with('[') && !indexed {
                continue;
            }
            let rest = &text[i + open.len()..];
            if let Some(end) = rest.find(close) {
                if ident(&rest[..end]) {
                    out.insert(rest[..end].to_string());
                }
            }
        }
    }
    for (i, _) in text.match_indices("\":") {
        if text[i + 2..].starts_with(':') {
            continue; // a path (`"a::b"`), not a member
        }
        let before = &text[..i];
        if let Some(start) = before.rfind('"') {
            let name = &before[start + 1..];
            if ident(name) {
                out.insert(name.to_string());
            }
        }
    }
    out
}

fn provider_files(resource: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    {
        let dir = repo_root().join("provider/src/resources").join(resource);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            // Tests build answers of their own; the code under test is what speaks Graph.
            if name.ends_with(".rs") && !name.contains("tests") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Every resource folder that sends Graph requests is in [`GRAPH_RESOURCES`]: a new one is
/// checked from its first commit.
#[test]
fn every_graph_resource_is_checked() {
    let dir = repo_root().join("provider/src/resources");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p.is_dir() {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let speaks_graph = provider_files(&name)
            .iter()
            .any(|f| std::fs::read_to_string(f).unwrap().contains("GraphRequest"));
        if speaks_graph && !GRAPH_RESOURCES.iter().any(|(r, _)| *r == name) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "resources sending Graph requests but not in GRAPH_RESOURCES: {missing:?}"
    );
}

#[test]
fn provider_graph_names_are_declared() {
    let meta = meta();
    let mut unknown = Vec::new();
    let mut seen = 0;
    for (resource, roots) in GRAPH_RESOURCES {
        let declared = names_reachable(&meta, roots);
        let files = provider_files(resource);
        assert!(!files.is_empty(), "{resource}");
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // A file's own test module builds answers of its own.
            let text = text.split("#[cfg(test)]\nmod ").next().unwrap();
            // A type the provider names (`@odata.type`) is a declared type of its subset.
            for (i, _) in text.match_indices("#microsoft.graph.") {
                let rest = &text[i + "#microsoft.graph.".len()..];
                let ty: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                seen += 1;
                if !meta.types.contains_key(&ty) {
                    unknown.push(format!("{}: type {ty}", f.display()));
                }
            }
            for name in json_names(text) {
                seen += 1;
                if name.starts_with('@') || declared.contains(name.as_str()) {
                    continue;
                }
                if PROVIDER_NON_PROPERTIES.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                unknown.push(format!(
                    "{}: {name}",
                    f.strip_prefix(repo_root()).unwrap().display()
                ));
            }
        }
    }
    assert!(seen > 50, "the scan found only {seen} names");
    assert!(
        unknown.is_empty(),
        "Graph names in the provider that no v1.0 type it reads or writes declares:\n{unknown:#?}"
    );
    // The scope is each resource's own types: a partner name is not a policy's.
    let ca = names_reachable(&meta, &["conditionalAccessPolicy"]);
    assert!(ca.contains("guestOrExternalUserTypes") && !ca.contains("b2bCollaborationInbound"));
}

#[test]
fn the_name_scan_sees_each_form() {
    let names = json_names(
        r#"p["conditions"]["users"]; ["all"]; json!({"grantControls": {"builtInControls": x}}); m.get("tenantId"); "a::b"; format!("{x}: y")"#,
    );
    let want: BTreeSet<String> = [
        "conditions",
        "users",
        "grantControls",
        "builtInControls",
        "tenantId",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(names, want);
}
