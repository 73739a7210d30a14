//! OData system query options shared by the Graph route modules: `$select` and `$expand`
//! parsed strictly against the emulated types, the projection they ask for, and the matching
//! `@odata.context` fragment.
//!
//! Sources: OData URL Conventions (system query options, at most once each), OData JSON Format
//! ("Expanded Navigation Property": single-valued and no related entity is `null`), and the
//! OData library's error messages as Graph returns them. Messages marked "ours" are
//! assumptions.

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
