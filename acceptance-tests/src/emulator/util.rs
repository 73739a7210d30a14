//! Small helpers shared by the emulator modules.

use rand::Rng as _;

/// `true` for a GUID in the canonical 8-4-4-4-12 hex form (any case).
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A random opaque access token (not a JWT: the provider must treat tokens as opaque).
pub(crate) fn random_token() -> String {
    let bytes: [u8; 48] = rand::rng().random();
    let mut s = String::with_capacity(96);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    format!("emu.{s}")
}

/// `2024-05-16T10:12:34` — the format Graph uses in `innerError.date`.
pub(crate) fn graph_date() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2024-05-16 10:12:34Z` — the format the identity platform uses in `timestamp`.
pub(crate) fn aad_timestamp() -> String {
    graph_date().replace('T', " ") + "Z"
}

/// Lowercases every GUID-shaped path segment and strips a trailing slash, so that store paths
/// are canonical (`/policies/crossTenantAccessPolicy/partners/<lowercase guid>`).
pub(crate) fn canonical_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let mut out = String::new();
    for seg in trimmed.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if is_guid(seg) {
            out.push_str(&seg.to_ascii_lowercase());
        } else {
            out.push_str(seg);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_check() {
        assert!(is_guid("6babcaad-604b-40ac-a9d7-9fd97c0b779f"));
        assert!(is_guid("6BABCAAD-604B-40AC-A9D7-9FD97C0B779F"));
        assert!(!is_guid("6babcaad604b40aca9d79fd97c0b779f"));
        assert!(!is_guid("{6babcaad-604b-40ac-a9d7-9fd97c0b779f}"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
    }

    #[test]
    fn canonical() {
        assert_eq!(
            canonical_path("/policies/x/partners/6BABCAAD-604B-40AC-A9D7-9FD97C0B779F/"),
            "/policies/x/partners/6babcaad-604b-40ac-a9d7-9fd97c0b779f"
        );
        assert_eq!(canonical_path("policies/a"), "/policies/a");
    }
}
