//! Addresses for the exported objects: HCL identifiers derived from the names people know,
//! the same for the same objects whatever order the service lists them in.

use std::collections::BTreeSet;

/// `name` as a Terraform resource name: lowercase ASCII letters, digits and underscores, runs
/// of anything else one underscore, never empty and never starting with a digit or a dash.
pub fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        "unnamed".into()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

/// The resource name of each of one type's objects, given as (name people know, import ID),
/// returned in the same order. Objects whose names sanitize alike are told apart by `_2`,
/// `_3`, ... in the order of their import IDs, so the same objects always get the same names;
/// a suffixed name never takes one another object has by itself. `prefix` (the provider
/// alias) keeps two exports into one directory apart.
pub fn assign(objects: &[(String, String)], prefix: Option<&str>) -> Vec<String> {
    let base = |name: &str| match prefix {
        Some(p) => sanitize(&format!("{p}_{name}")),
        None => sanitize(name),
    };
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.sort_by(|&a, &b| {
        (base(&objects[a].0), &objects[a].1).cmp(&(base(&objects[b].0), &objects[b].1))
    });
    // Names held by themselves first: a suffix never takes one.
    let mut taken: BTreeSet<String> = objects.iter().map(|(n, _)| base(n)).collect();
    let mut first_of: BTreeSet<String> = BTreeSet::new();
    let mut out = vec![String::new(); objects.len()];
    for i in order {
        let b = base(&objects[i].0);
        if first_of.insert(b.clone()) {
            out[i] = b;
            continue;
        }
        let mut n = 2;
        while taken.contains(&format!("{b}_{n}")) {
            n += 1;
        }
        let name = format!("{b}_{n}");
        taken.insert(name.clone());
        out[i] = name;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn unusual_characters_make_identifiers() {
        assert_eq!(sanitize("Sync to Fabrikam"), "sync_to_fabrikam");
        assert_eq!(
            sanitize("  Block -- \"partner\" members!  "),
            "block_partner_members"
        );
        assert_eq!(sanitize("Fabrikam Ltd. (Zürich)"), "fabrikam_ltd_z_rich");
        assert_eq!(sanitize("2024 policy"), "_2024_policy");
        assert_eq!(sanitize("東京"), "unnamed");
        assert_eq!(sanitize(""), "unnamed");
        assert_eq!(sanitize("${oops}%{x}"), "oops_x");
        assert_eq!(sanitize("outbound/To Fabrikam"), "outbound_to_fabrikam");
    }

    #[test]
    fn collisions_are_resolved_by_import_id_whatever_the_listing_order() {
        let a = pairs(&[
            ("Block members", "id-c"),
            ("block  members", "id-a"),
            ("Other", "id-b"),
            ("BLOCK MEMBERS", "id-b"),
        ]);
        let names = assign(&a, None);
        assert_eq!(
            names,
            [
                "block_members_3",
                "block_members",
                "other",
                "block_members_2"
            ]
        );
        // The same objects listed in another order get the same names.
        let mut b = a.clone();
        b.reverse();
        let mut again = assign(&b, None);
        again.reverse();
        assert_eq!(again, names);
    }

    #[test]
    fn a_suffix_never_takes_a_name_an_object_has_by_itself() {
        let names = assign(&pairs(&[("a", "1"), ("a", "2"), ("a 2", "0")]), None);
        assert_eq!(names, ["a", "a_3", "a_2"]);
    }

    #[test]
    fn an_alias_prefixes_every_name() {
        assert_eq!(
            assign(&pairs(&[("default", "default")]), Some("fabrikam")),
            ["fabrikam_default"]
        );
    }
}
