//! How a policy read from Graph differs from the managed shape, as sentences for the
//! `shape_differences` attribute (drift) and for the import refusal.
//!
//! Only the parts the resource owns are compared (`conditions`, `grantControls`,
//! `sessionControls`). Graph's normalisation is not a difference: an omitted collection comes
//! back `[]` and an omitted complex property `null` (API-NOTES.md#ca-normalisation), so null,
//! `[]` and objects of nothing but those are all "empty" and equal. Collections are sets (GUIDs
//! without case), the user-types flags string is a set of flags, and `@odata.type` is compared
//! with or without its leading `#` (Graph answers both). Annotations (`name@odata.context`,
//! which Graph puts beside `grantControls.authenticationStrength`) are not part of the policy
//! and are skipped; a null navigation property is "not set" like any null
//! (API-NOTES.md#ca-authentication-strength).

use serde_json::Value as Json;

/// The owned top-level properties.
const OWNED: &[&str] = &["conditions", "grantControls", "sessionControls"];

/// Every difference between `expected` (a [`super::model::managed_shape`]) and the policy
/// `actual`, sorted; empty when the policy has the managed shape.
pub fn differences(expected: &Json, actual: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for k in OWNED {
        diff(k, &expected[*k], &actual[*k], &mut out);
    }
    out.sort();
    out
}

/// Control information and annotations (`@odata.context`, `name@odata.context`): what the
/// answer says about the policy, not the policy. `@odata.type` names a derived type, so it is
/// part of the value.
fn is_annotation(key: &str) -> bool {
    key.contains('@') && key != "@odata.type"
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(m) => m
            .iter()
            .all(|(k, v)| k.starts_with('@') || is_annotation(k) || is_empty(v)),
        _ => false,
    }
}

fn diff(path: &str, want: &Json, got: &Json, out: &mut Vec<String>) {
    if is_empty(want) && is_empty(got) {
        return;
    }
    let same = match (want, got) {
        (Json::Object(w), Json::Object(g)) => {
            let mut keys: Vec<&String> = w
                .keys()
                .chain(g.keys())
                .filter(|k| !is_annotation(k))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (wv, gv) = (
                    w.get(k).unwrap_or(&Json::Null),
                    g.get(k).unwrap_or(&Json::Null),
                );
                diff(&format!("{path}.{k}"), wv, gv, out);
            }
            return;
        }
        (Json::Array(w), Json::Array(g)) => same_set(w, g),
        (Json::String(w), Json::String(g)) if path.ends_with("guestOrExternalUserTypes") => {
            let flags = |s: &str| {
                let mut f: Vec<String> = s.split(',').map(|x| x.trim().to_string()).collect();
                f.sort();
                f
            };
            flags(w) == flags(g)
        }
        (Json::String(w), Json::String(g)) if path.ends_with("@odata.type") => {
            w.trim_start_matches('#') == g.trim_start_matches('#')
        }
        (w, g) => w == g,
    };
    if !same {
        out.push(format!(
            "{path} is {}; the managed shape has {}",
            show(got),
            show(want)
        ));
    }
}

fn same_set(a: &[Json], b: &[Json]) -> bool {
    let eq = |x: &Json, y: &Json| match (x, y) {
        (Json::String(x), Json::String(y)) => x.eq_ignore_ascii_case(y),
        _ => x == y,
    };
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| eq(x, y)))
        && b.iter().all(|y| a.iter().any(|x| eq(x, y)))
}

fn show(v: &Json) -> String {
    if v.is_null() {
        "not set".to_string()
    } else {
        v.to_string()
    }
}
