//! Reads and writes shared by `applications` and `servicePrincipals`: `$filter` / `$select` /
//! `$top` lists, GET of one, PATCH. API-NOTES.md#xts-queries

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::*;
use crate::emulator::graph::entity_set::with_context;
use crate::emulator::graph::envelope::{context_url, odata_json, GraphCtx, GraphResult};
use crate::emulator::graph::odata::{parse_select_value, project, single_option};
use crate::emulator::graph::schema::{validate_body, ObjType, Op};

// ---- queries ---------------------------------------------------------------------------------

/// One `$filter` clause: `<property> eq '<value>'`.
struct Clause {
    prop: String,
    value: String,
}

/// `$filter` of `eq` clauses joined by `and`, on the properties in `filterable`.
/// API-NOTES.md#xts-queries
fn parse_filter(f: &str, filterable: &[&str], resource: &str) -> Result<Vec<Clause>, GraphError> {
    split_and(f)
        .into_iter()
        .map(|clause| parse_clause(clause.trim(), filterable, resource))
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

fn matches(v: &Value, clauses: &[Clause]) -> bool {
    clauses.iter().all(|c| {
        v[&c.prop]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(&c.value))
    })
}

/// `$select` names checked against the type's properties.
pub(super) fn select(ctx: &GraphCtx, ty: &ObjType) -> Result<Option<Vec<String>>, GraphError> {
    match single_option(ctx, "$select")? {
        None => Ok(None),
        Some(sel) => parse_select_value(sel, ty),
    }
}

pub(super) fn list(
    st: &Shared,
    ctx: &GraphCtx,
    prefix: &str,
    ty: &ObjType,
    resource: &str,
) -> GraphResult {
    ctx.only_query_options(&["$filter", "$select", "$top"])?;
    let clauses = match single_option(ctx, "$filter")? {
        Some(f) => parse_filter(
            f,
            &["id", "appId", "displayName", "applicationTemplateId"],
            resource,
        )?,
        None => Vec::new(),
    };
    let top = match single_option(ctx, "$top")? {
        None => usize::MAX,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => n,
            _ => {
                return Err(GraphError::bad_request(format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                )))
            }
        },
    };
    let sel = select(ctx, ty)?;
    // Replication lag hides new objects from a GET of them, not from a list
    // (API-NOTES.md#replication-lag).
    let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
        s.children(prefix)
            .into_iter()
            .map(|(_, v)| v)
            .filter(|v| matches(v, &clauses))
            .take(top)
            .map(|v| Value::Object(project(&v, &sel)))
            .collect()
    });
    let fragment = prefix.trim_start_matches('/');
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": context_url(st, fragment), "value": value}),
    ))
}

pub(super) fn get_one(
    st: &Shared,
    ctx: &GraphCtx,
    prefix: &str,
    ty: &ObjType,
    raw: &str,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let id = guid_key(raw)?;
    let sel = select(ctx, ty)?;
    let path = format!("{prefix}/{id}");
    let v = st
        .with_store(&ctx.tenant, |s| s.visible(&path).cloned())
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let fragment = format!("{}/$entity", prefix.trim_start_matches('/'));
    Ok(odata_json(
        StatusCode::OK,
        with_context(context_url(st, &fragment), project(&v, &sel)),
    ))
}

/// PATCH: validated against `ty`, `displayName` never empty, merged at the top level.
pub(super) fn patch(
    st: &Shared,
    ctx: &GraphCtx,
    path: &str,
    ty: &ObjType,
) -> Result<Map<String, Value>, GraphError> {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?.clone();
    validate_body(&body, ty, Op::Update)?;
    if body
        .get("displayName")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(GraphError::request_bad_request(
            "Property 'displayName' cannot be empty.",
        ));
    }
    st.with_store(&ctx.tenant, |s| {
        if s.visible(path).is_none() {
            return Err(GraphError::object_not_found());
        }
        let stored = s
            .get_mut(path)
            .and_then(Value::as_object_mut)
            .ok_or_else(GraphError::object_not_found)?;
        for (k, v) in &body {
            stored.insert(k.clone(), v.clone());
        }
        Ok(())
    })?;
    Ok(body)
}
