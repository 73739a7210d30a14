//! A tenant's objects in a few readable lines (`GET /_emulator/tenants/{tenant}/summary`, used
//! by `make demo`): one line per object, named by its collection and its display name, with
//! tenant IDs replaced by the tenants' names. Generic over families, so a new family's objects
//! show without a line here. Soft-deleted objects (under a `deletedItems` segment, such as a
//! deleted Conditional Access policy) are not live: they are listed apart, after the live ones.

use serde_json::Value;

/// The summary as the control API sends it: [`describe`]'s lines, each ending with a newline
/// (a shell printing it leaves the prompt on a line of its own).
pub fn text(objects: &[(String, Value)], name: impl Fn(&str) -> Option<String>) -> String {
    let lines = describe(objects, name);
    if lines.is_empty() {
        return "(no objects)\n".to_string();
    }
    lines.into_iter().map(|l| l + "\n").collect()
}

/// `name(tenant_id)` gives a known tenant's display name.
pub fn describe(objects: &[(String, Value)], name: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let (deleted, live): (Vec<_>, Vec<_>) = objects
        .iter()
        .cloned()
        .partition(|(path, _)| is_deleted(path));
    let mut lines = lines(&live, &name);
    if !deleted.is_empty() {
        lines.push("deleted (restorable, not in effect):".to_string());
        lines.extend(
            deleted_lines(&deleted, &name)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }
    lines
}

/// Under a `deletedItems` segment: Graph's soft-deleted objects.
fn is_deleted(path: &str) -> bool {
    path.split('/').any(|s| s == "deletedItems")
}

/// As [`lines`], with when each was deleted.
fn deleted_lines(
    objects: &[(String, Value)],
    name: &impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    lines(objects, name)
        .into_iter()
        .zip(objects)
        .map(
            |(line, (_, value))| match value.get("deletedDateTime").and_then(Value::as_str) {
                Some(when) => format!("{line} (deleted {when})"),
                None => line,
            },
        )
        .collect()
}

/// One line per object, a child indented under its parent.
fn lines(objects: &[(String, Value)], name: &impl Fn(&str) -> Option<String>) -> Vec<String> {
    let named = |s: &str| {
        name(s)
            .map(|n| format!("{n} ({s})"))
            .unwrap_or_else(|| s.to_string())
    };
    objects
        .iter()
        .map(|(path, value)| {
            let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
            // A child object (a partner's sync policy) sits under its parent.
            let depth = objects
                .iter()
                .filter(|(p, _)| p != path && path.starts_with(&format!("{p}/")))
                .count();
            // The last segment is the object's key when a collection names it, else the
            // object itself (a singleton such as the organization).
            let (what, key) = match segments.as_slice() {
                [.., collection, key] if looks_like_key(key) => (humanize(collection), Some(*key)),
                [.., last] => (humanize(last), None),
                [] => (String::from("object"), None),
            };
            let label = ["displayName", "DisplayName", "Name", "name"]
                .iter()
                .find_map(|k| value.get(*k).and_then(Value::as_str))
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            // A tenant's key reads as its name; any other key only when nothing else names it.
            let key = match key {
                Some(k) if name(k).is_some() || label.is_empty() => format!(" {}", named(k)),
                _ => String::new(),
            };
            let indent = "  ".repeat(depth);
            format!("{indent}{what}{key}{label}")
        })
        .collect()
}

/// A GUID or another opaque key (no spaces, not camelCase words only).
fn looks_like_key(s: &str) -> bool {
    s.len() >= 8 && s.chars().any(|c| c.is_ascii_digit()) || s.contains('-')
}

/// `identitySynchronization` → `identity synchronization`.
fn humanize(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_readable_line_per_object_with_tenant_names() {
        let fab = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";
        let objects = vec![
            (
                format!("/policies/crossTenantAccessPolicy/partners/{fab}"),
                json!({"tenantId": fab}),
            ),
            (
                format!("/policies/crossTenantAccessPolicy/partners/{fab}/identitySynchronization"),
                json!({"displayName": null}),
            ),
            (
                "/tenantRelationships/multiTenantOrganization".to_string(),
                json!({"displayName": "Contoso Group"}),
            ),
            (
                "/exchange/organizationRelationships/eb5921a6-0d46-42fb-ae6a-8bc0d91ca9d3"
                    .to_string(),
                json!({"Name": "Fabrikam"}),
            ),
        ];
        let lines = describe(&objects, |t| (t == fab).then(|| "Fabrikam".to_string()));
        assert_eq!(
            lines,
            [
                format!("partners Fabrikam ({fab})"),
                "  identity synchronization".to_string(),
                "multi tenant organization \"Contoso Group\"".to_string(),
                "organization relationships \"Fabrikam\"".to_string(),
            ]
        );
    }

    #[test]
    fn soft_deleted_objects_are_listed_apart_after_the_live_ones() {
        let policy = |name: &str| json!({"displayName": name, "state": "enabled"});
        let mut deleted = policy("Block Fabrikam members");
        deleted["deletedDateTime"] = json!("2026-12-06T20:00:00Z");
        let objects = vec![
            (
                "/identity/conditionalAccess/deletedItems/policies/1a2b3c4d-0000-4000-8000-000000000001".to_string(),
                deleted,
            ),
            (
                "/identity/conditionalAccess/policies/1a2b3c4d-0000-4000-8000-000000000002".to_string(),
                policy("Block Fabrikam members (v2)"),
            ),
        ];
        assert_eq!(
            describe(&objects, |_| None),
            [
                "policies \"Block Fabrikam members (v2)\"",
                "deleted (restorable, not in effect):",
                "  policies \"Block Fabrikam members\" (deleted 2026-12-06T20:00:00Z)",
            ]
        );
    }

    #[test]
    fn the_text_ends_with_a_newline() {
        let objects = vec![(
            "/tenantRelationships/multiTenantOrganization".to_string(),
            json!({"displayName": "Contoso Group"}),
        )];
        assert_eq!(
            text(&objects, |_| None),
            "multi tenant organization \"Contoso Group\"\n"
        );
        assert_eq!(text(&[], |_| None), "(no objects)\n");
    }
}
