//! The `## Permissions` sections: one bullet per permission, naming what uses it, so a page
//! never lists a permission twice (a permission several operations need, alone or together
//! with others, would otherwise appear once per operation, and the index once per resource).

use crate::clients::Permission;
use crate::framework::{DataSource, Resource};
use std::fmt::Write as _;
use std::sync::Arc;

/// `perms` split into single permissions (`Permission` lists the ones an operation needs
/// together), in first-use order, each with the users given by `who` for every entry needing it.
fn by_permission<'a>(
    perms: impl IntoIterator<Item = (String, &'a Permission)>,
) -> Vec<(Permission, Vec<String>)> {
    let mut out: Vec<(Permission, Vec<String>)> = Vec::new();
    for (who, p) in perms {
        // A role alone (the Teams tenant admin API) is one permission of its own.
        let singles: Vec<Permission> = if p.application.is_empty() {
            vec![*p]
        } else {
            p.application
                .iter()
                .map(|name| Permission {
                    application: std::slice::from_ref(name),
                    ..*p
                })
                .collect()
        };
        for single in singles {
            match out.iter_mut().find(|(q, _)| *q == single) {
                Some((_, users)) if users.contains(&who) => {}
                Some((_, users)) => users.push(who.clone()),
                None => out.push((single, vec![who.clone()])),
            }
        }
    }
    out
}

/// The index's section: every permission any type needs, once, with the types and operations
/// that need it (a data source that shares a resource's type name is named as such).
pub(super) fn render_permission_union(
    out: &mut String,
    resources: &[Arc<dyn Resource>],
    data_sources: &[Arc<dyn DataSource>],
) {
    let resources = resources
        .iter()
        .map(|r| (format!("`{}`", r.type_name()), r.permissions()));
    let data_sources = data_sources
        .iter()
        .map(|d| (format!("`{}` data source", d.type_name()), d.permissions()));
    // Per type, its operations joined: one entry per type and permission.
    let mut uses: Vec<(String, Permission, Vec<&str>)> = Vec::new();
    for (name, perms) in resources.chain(data_sources) {
        for (ops, p) in perms {
            for (single, _) in by_permission([(String::new(), p)]) {
                match uses.iter_mut().find(|(n, q, _)| *n == name && *q == single) {
                    Some((_, _, o)) => o.push(ops),
                    None => uses.push((name.clone(), single, vec![*ops])),
                }
            }
        }
    }
    let who: Vec<(String, Permission)> = uses
        .iter()
        .map(|(name, p, ops)| (format!("{name} ({})", ops.join("; ")), *p))
        .collect();
    out.push_str("\n## Permissions\n\n");
    out.push_str(
        "What the application needs, by what uses it (each resource and data source page lists \
         its own). Grant only what the configuration uses; a request refused for want of one \
         names it in the error.\n\n",
    );
    for (p, users) in by_permission(who.iter().map(|(w, p)| (w.clone(), p))) {
        let _ = writeln!(out, "- {}: {}", capitalise(&p.describe()), users.join(", "));
    }
}

/// A page's section, from `permissions()` (the same data 403 diagnostics use).
pub(super) fn render_permissions(out: &mut String, what: &str, perms: &[(&str, Permission)]) {
    out.push_str("\n## Permissions\n\n");
    let _ = writeln!(
        out,
        "The application the provider signs in as needs, in the tenant it manages, each of these for the operations of this {what} listed after it:\n"
    );
    for (p, ops) in by_permission(perms.iter().map(|(ops, p)| (ops.to_string(), p))) {
        let _ = writeln!(out, "- {}: {}.", capitalise(&p.describe()), ops.join("; "));
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backticked permission names (`Policy.Read.All`) in each bullet of a page's
    /// `## Permissions` section.
    fn permission_bullets(page: &str) -> Vec<Vec<String>> {
        let Some(start) = page.find("\n## Permissions\n") else {
            return Vec::new();
        };
        let section = &page[start + 1..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
        section
            .lines()
            .filter(|l| l.starts_with("- "))
            .map(|l| {
                l.split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|t| t.contains('.') && !t.contains(' '))
                    .map(str::to_string)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn no_page_lists_a_permission_twice() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let pages = super::super::render_all(&examples).unwrap_or_else(|e| panic!("{e}"));
        let mut sections = 0;
        for page in &pages {
            let bullets = permission_bullets(&page.contents);
            sections += usize::from(!bullets.is_empty());
            let mut seen: Vec<&String> = Vec::new();
            for name in bullets.iter().flatten() {
                assert!(
                    !seen.contains(&name),
                    "{} lists `{name}` twice:\n{}",
                    page.path.display(),
                    page.contents
                );
                seen.push(name);
            }
        }
        assert_eq!(
            sections,
            pages.len(),
            "every page has a permissions section"
        );
    }

    #[test]
    fn a_permission_needed_together_with_others_is_listed_once() {
        const READ: Permission = Permission::graph(&["Policy.Read.All"]);
        const WRITE: Permission =
            Permission::graph(&["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"]);
        let mut page = String::new();
        render_permissions(
            &mut page,
            "resource",
            &[("read", READ), ("create, update", WRITE)],
        );
        assert_eq!(
            page,
            "\n## Permissions\n\nThe application the provider signs in as needs, in the tenant it manages, each of these for the operations of this resource listed after it:\n\n\
             - The Microsoft Graph application permission `Policy.Read.All`, granted with admin consent: read; create, update.\n\
             - The Microsoft Graph application permission `Policy.ReadWrite.ConditionalAccess`, granted with admin consent: create, update.\n"
        );
    }
}
