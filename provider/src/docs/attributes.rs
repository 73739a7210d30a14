//! Attribute lists: `Required` / `Optional` / `Read-Only`, then a section per nested attribute.

use crate::framework::schema::{Kind, Nesting};
use crate::framework::{Attribute, Type, Value};
use std::fmt::Write as _;

/// `### Required` / `### Optional` / `### Read-Only` lists of the top-level attributes, then one
/// sub-section per nested attribute (depth first, in schema order).
pub(super) fn render_attributes(out: &mut String, attrs: &[Attribute]) {
    attribute_groups(out, attrs, &[], "### ", "");
    render_nested(out, attrs, &[]);
}

fn attribute_groups(
    out: &mut String,
    attrs: &[Attribute],
    parent: &[&str],
    heading: &str,
    suffix: &str,
) {
    for title in ["Required", "Optional", "Read-Only"] {
        let picked: Vec<&Attribute> = attrs.iter().filter(|a| group(a) == title).collect();
        if picked.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}{title}{suffix}\n");
        for a in picked {
            let mut path = parent.to_vec();
            path.push(&a.name);
            let _ = write!(
                out,
                "- `{}` ({}) {}{}{}",
                a.name,
                type_label(a),
                a.description,
                default(a),
                constraints(a)
            );
            if matches!(a.kind, Kind::Nested(..)) {
                let _ = write!(
                    out,
                    " (see [below for nested schema](#{}))",
                    nested_anchor(&path)
                );
            }
            out.push('\n');
        }
    }
}

/// The declared default, as the planner plans it: a string as written, anything else as JSON.
fn default(a: &Attribute) -> String {
    match &a.default {
        None => String::new(),
        Some(Value::String(s)) => format!(" Defaults to `{s}`."),
        Some(v) => format!(
            " Defaults to `{}`.",
            crate::framework::value::json::encode(v)
        ),
    }
}

/// What the validators check, in their own words (the same checks run at plan time).
fn constraints(a: &Attribute) -> String {
    if a.validators.is_empty() {
        return String::new();
    }
    let d: Vec<String> = a.validators.iter().map(|v| v.description()).collect();
    format!(" Validation: {}.", d.join("; "))
}

/// Which list an attribute is shown in: optional+computed counts as optional.
fn group(a: &Attribute) -> &'static str {
    if a.required {
        "Required"
    } else if a.optional {
        "Optional"
    } else {
        "Read-Only"
    }
}

fn render_nested(out: &mut String, attrs: &[Attribute], parent: &[&str]) {
    for a in attrs {
        let Kind::Nested(_, inner) = &a.kind else {
            continue;
        };
        let mut path = parent.to_vec();
        path.push(&a.name);
        let _ = writeln!(
            out,
            "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n\n{}",
            nested_anchor(&path),
            path.join("."),
            a.description
        );
        attribute_groups(out, inner, &path, "", ":");
        render_nested(out, inner, &path);
    }
}

fn nested_anchor(path: &[&str]) -> String {
    format!("nestedatt--{}", path.join("--"))
}

fn type_label(a: &Attribute) -> String {
    let base = match &a.kind {
        Kind::Plain(t) => type_name(t),
        Kind::Nested(Nesting::Single, _) => "Attributes".to_string(),
        Kind::Nested(Nesting::List, _) => "Attributes List".to_string(),
        Kind::Nested(Nesting::Set, _) => "Attributes Set".to_string(),
    };
    if a.sensitive {
        format!("{base}, Sensitive")
    } else {
        base
    }
}

fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
        Type::Dynamic => "Dynamic".into(),
    }
}
