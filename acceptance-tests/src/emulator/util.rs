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

/// The forms the services write "now" (UTC) in.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stamp {
    /// `2024-05-16T10:12:34`: Graph's `innerError.date`; the multi-tenant organization's
    /// dates.
    Bare,
    /// `2023-07-31T23:26:24Z`: applications and app role assignments.
    Seconds,
    /// `2019-10-14T19:52:00.0509580Z` (100 ns ticks): Conditional Access policies, as in the
    /// documented answers.
    Ticks,
    /// `2024-05-16 10:12:34Z`: the identity platform's error `timestamp`.
    Aad,
}

/// Now, in `form`: the one clock-to-text helper of every API.
pub(crate) fn now_utc(form: Stamp) -> String {
    let t = time::OffsetDateTime::now_utc();
    let (date, time) = (
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
    );
    match form {
        Stamp::Bare => format!("{date}T{time}"),
        Stamp::Seconds => format!("{date}T{time}Z"),
        Stamp::Ticks => format!("{date}T{time}.{:07}Z", t.nanosecond() / 100),
        Stamp::Aad => format!("{date} {time}Z"),
    }
}

/// A DNS domain name: two or more labels of ASCII letters, digits and hyphens (1 to 63
/// characters each, no hyphen first or last). No overall length limit here; callers that have
/// one add it.
pub(crate) fn is_domain_name(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
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
    fn stamps() {
        let ticks = now_utc(Stamp::Ticks);
        assert_eq!(ticks.len(), "2019-10-14T19:52:00.0509580Z".len(), "{ticks}");
        assert_eq!(now_utc(Stamp::Bare).len(), "2024-05-16T10:12:34".len());
        assert!(now_utc(Stamp::Seconds).ends_with('Z'));
        assert_eq!(now_utc(Stamp::Aad).as_bytes()[10], b' ');
    }

    #[test]
    fn domain_names() {
        assert!(is_domain_name("contoso.com"));
        assert!(is_domain_name("mail-1.contoso.co.uk"));
        assert!(!is_domain_name("contoso"));
        assert!(!is_domain_name("-a.contoso.com"));
        assert!(!is_domain_name("a..com"));
        assert!(!is_domain_name("*.contoso.com"));
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
