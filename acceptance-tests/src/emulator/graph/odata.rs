//! OData system query options shared by the Graph route modules: `$select` and `$expand`
//! parsed strictly against the emulated types, the projection they ask for, and the matching
//! `@odata.context` fragment; `$filter` (`eq` clauses joined by `and`) and `$top` of lists.
//!
//! Sources: OData URL Conventions (system query options, at most once each), OData JSON Format
//! ("Expanded Navigation Property": single-valued and no related entity is `null`), and the
//! OData library's error messages as Graph returns them. Messages marked "ours" are
//! assumptions.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::envelope::{GraphCtx, GraphError};
use super::schema::ObjType;

pub fn prop_names(ty: &ObjType) -> Vec<&'static str> {
    ty.props.iter().map(|p| p.name).collect()
}

/// The value of a system query option, which may be given at most once.
pub fn single_option<'a>(ctx: &'a GraphCtx, name: &str) -> Result<Option<&'a str>, GraphError> {
    let mut values = ctx.query.iter().filter(|(k, _)| k == name);
    let first = values.next().map(|(_, v)| v.as_str());
    if values.next().is_some() {
        return Err(GraphError::bad_request(format!(
            "Query option '{name}' was specified more than once, but it must be specified at most once."
        )));
    }
    Ok(first)
}

/// A `$select` list: top-level property names of `ty`; `None` = every property.
pub fn parse_select_value(sel: &str, ty: &ObjType) -> Result<Option<Vec<String>>, GraphError> {
    let names = prop_names(ty);
    let mut out = Vec::new();
    for s in sel.split(',').map(str::trim) {
        if s == "*" {
            return Ok(None);
        }
        if !names.contains(&s) {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{s}' on type 'microsoft.graph.{}'.",
                ty.name
            )));
        }
        out.push(s.to_string());
    }
    Ok(Some(out))
}

/// `$select` of the request, for entities of `ty`.
pub fn parse_select(ctx: &GraphCtx, ty: &ObjType) -> Result<Option<Vec<String>>, GraphError> {
    match single_option(ctx, "$select")? {
        None => Ok(None),
        Some(sel) => parse_select_value(sel, ty),
    }
}

/// The navigation properties to expand, each with its nested `$select` (`None` = all).
#[derive(Debug, Default)]
pub struct Expand(Vec<(&'static str, Option<Vec<String>>)>);

impl Expand {
    /// `navs` expanded whole (no nested `$select`).
    pub fn whole(navs: &[&'static str]) -> Expand {
        Expand(navs.iter().map(|n| (*n, None)).collect())
    }

    /// `Some(nested select)` when `nav` is expanded.
    pub fn get(&self, nav: &str) -> Option<&Option<Vec<String>>> {
        self.0.iter().find(|(n, _)| *n == nav).map(|(_, s)| s)
    }
}

fn syntax_error(exp: &str, what: &str) -> GraphError {
    // Ours: the OData library's syntax messages depend on the parser position.
    GraphError::bad_request(format!("Syntax error: {what} in '$expand={exp}'."))
}

/// Splits on commas outside parentheses (`a($select=x,y),b`); `None` when unbalanced.
fn split_top_level(s: &str) -> Option<Vec<&str>> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return None,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    (depth == 0).then_some(out)
}

/// Parses `$expand` for entities of `on`, entity or collection alike. `navs` are the navigation
/// properties the emulator serves (name, target type); `unemulated` the other navigation
/// properties of the real type, refused rather than answered wrongly (as is `*`). Unknown names
/// and structural properties get the OData library's messages; a nested option other than
/// `$select` is refused (ours: the provider never sends one, and which ones Graph honours
/// inside `$expand` is not documented per API).
pub fn parse_expand(
    ctx: &GraphCtx,
    on: &ObjType,
    navs: &[(&'static str, &ObjType)],
    unemulated: &[&str],
) -> Result<Expand, GraphError> {
    let Some(exp) = single_option(ctx, "$expand")? else {
        return Ok(Expand::default());
    };
    let items = split_top_level(exp).ok_or_else(|| syntax_error(exp, "unbalanced parentheses"))?;
    let on_name = format!("microsoft.graph.{}", on.name);
    let mut out = Expand::default();
    for item in items.into_iter().map(str::trim) {
        let (name, nested) = match item.split_once('(') {
            Some((n, rest)) => match rest.strip_suffix(')') {
                Some(inner) => (n.trim(), Some(inner)),
                None => return Err(syntax_error(exp, "text after ')'")),
            },
            None => (item, None),
        };
        let Some((nav, target)) = navs.iter().find(|(n, _)| *n == name) else {
            return Err(match name {
                "" => syntax_error(exp, "an empty item"),
                "*" => GraphError::bad_request(format!(
                    "$expand=* is not emulated: name the navigation properties ({}).",
                    navs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                )),
                n if unemulated.contains(&n) => {
                    GraphError::bad_request(format!("Expanding '{n}' is not emulated."))
                }
                n if prop_names(on).contains(&n) => GraphError::bad_request(format!(
                    "Property '{n}' on type '{on_name}' is not a navigation property or complex property. Only navigation properties can be expanded."
                )),
                n => GraphError::bad_request(format!(
                    "Could not find a property named '{n}' on type '{on_name}'."
                )),
            });
        };
        let mut select = None;
        for opt in nested.into_iter().flat_map(|o| o.split(';')).map(str::trim) {
            match opt.split_once('=') {
                Some(("$select", v)) => select = parse_select_value(v, target)?,
                _ if opt.is_empty() => {}
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Query option '{}' is not allowed inside $expand={nav}(...). Allowed query options: $select.",
                        opt.split('=').next().unwrap_or(opt)
                    )))
                }
            }
        }
        out.0.push((nav, select));
    }
    Ok(out)
}

/// Projects an object onto `select` (`None` = every property).
pub fn project(value: &Value, select: &Option<Vec<String>>) -> Map<String, Value> {
    let m = value.as_object().cloned().unwrap_or_default();
    match select {
        None => m,
        Some(names) => m
            .into_iter()
            .filter(|(k, _)| names.iter().any(|n| n == k))
            .collect(),
    }
}

/// An expanded single-valued navigation property: the related entity (projected), or `null`
/// when none is related (OData JSON Format, "Expanded Navigation Property"; never absent).
pub fn expanded(related: Option<&Value>, select: &Option<Vec<String>>) -> Value {
    related.map_or(Value::Null, |v| Value::Object(project(v, select)))
}

/// The select list of a context URL: `(tenantId,identitySynchronization())`, or empty.
pub fn context_select(select: &Option<Vec<String>>, expand: &Expand) -> String {
    let mut parts: Vec<String> = select.clone().unwrap_or_default();
    for (nav, nested) in &expand.0 {
        parts.push(format!(
            "{nav}({})",
            nested.clone().unwrap_or_default().join(",")
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("({})", parts.join(","))
    }
}

// ---- $filter and $top -----------------------------------------------------------------------

/// One `$filter` clause: `<property> eq '<value>'`.
pub struct Clause {
    prop: String,
    value: String,
}

/// `$filter` of the request: `eq` clauses joined by `and`, on the properties in `filterable`
/// of `ty`; none when it is absent. API-NOTES.md#xts-queries
pub fn parse_filter(
    ctx: &GraphCtx,
    filterable: &[&str],
    ty: &ObjType,
) -> Result<Vec<Clause>, GraphError> {
    let Some(f) = single_option(ctx, "$filter")? else {
        return Ok(Vec::new());
    };
    split_and(f)
        .into_iter()
        .map(|clause| parse_clause(clause.trim(), filterable, ty.name))
        .collect()
}

/// Splits on ` and ` outside quoted strings (a `''` inside quotes toggles twice, so stays in).
fn split_and(f: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    let bytes = f.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && bytes[i..].len() >= 5 && bytes[i..i + 5].eq_ignore_ascii_case(b" and ")
        {
            out.push(&f[start..i]);
            start = i + 5;
            i += 5;
            continue;
        }
        i += 1;
    }
    out.push(&f[start..]);
    out
}

fn parse_clause(clause: &str, filterable: &[&str], resource: &str) -> Result<Clause, GraphError> {
    let mut parts = clause.splitn(3, ' ');
    let (Some(prop), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(GraphError::bad_request(format!(
            "Invalid filter clause: '{clause}'."
        )));
    };
    if !filterable.contains(&prop) || !op.eq_ignore_ascii_case("eq") {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."),
        ));
    }
    let value = value.trim();
    let inner = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .filter(|v| !v.replace("''", "").contains('\''));
    let Some(inner) = inner else {
        return Err(GraphError::bad_request(format!(
            "Invalid filter clause: the value {value} of '{prop}' must be a quoted string."
        )));
    };
    Ok(Clause {
        prop: prop.to_string(),
        value: inner.replace("''", "'"),
    })
}

/// Whether `v` passes every clause (string properties, compared case-insensitively).
pub fn matches(v: &Value, clauses: &[Clause]) -> bool {
    clauses.iter().all(|c| {
        v[&c.prop]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(&c.value))
    })
}

/// `$top` of the request (1 to 999); unbounded when it is absent.
pub fn parse_top(ctx: &GraphCtx) -> Result<usize, GraphError> {
    match single_option(ctx, "$top")? {
        None => Ok(usize::MAX),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => Ok(n),
            _ => Err(GraphError::bad_request(format!(
                "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
            ))),
        },
    }
}
