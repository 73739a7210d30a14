//! Values Exchange answers in another spelling than the one sent, compared by what they denote
//! so a plan is never perpetually non-empty (API-NOTES.md#exchange-groups,
//! API-NOTES.md#exchange-orgrel-uri):
//!
//! * a group (`FreeBusyAccessScope`, `MailTipsAccessScope`, `MailboxMovePublishedScopes`) is
//!   sent by name, distinguished name, canonical DN or Guid and may come back in another of
//!   those forms: the read keeps the configured spelling when `Get-Group` shows both name the
//!   same group, and otherwise shows the group by its name;
//! * an endpoint URI comes back normalised (scheme and host lowercase, no default port, `/` for
//!   an empty path): the read keeps the configured spelling when both parse to the same URL.

use super::api;
use crate::clients::exchange::is_not_found;
use crate::clients::ApiError;
use crate::framework::Ctx;
use serde_json::Value as Json;

/// Whether two URIs are the same once parsed (the `url` crate normalises as .NET's `Uri`
/// prints: scheme and host case, default port, empty path).
pub fn same_uri(a: &str, b: &str) -> bool {
    a == b || matches!((url::Url::parse(a), url::Url::parse(b)), (Ok(x), Ok(y)) if x == y)
}

/// `was` (the state's spelling) when `now` (Exchange's answer) is the same URI, else `now`.
pub fn uri_spelling(was: &Option<String>, now: Option<String>) -> Option<String> {
    match (was, now) {
        (Some(w), Some(n)) if same_uri(w, &n) => Some(w.clone()),
        (_, now) => now,
    }
}

/// The canonical name of a distinguished name: the `DC` parts as a DNS name, then the other
/// RDN values from the top down, `/`-separated (a `/` in a value escaped as `\/`), as Active
/// Directory's canonical names are written.
pub fn canonical_name(dn: &str) -> String {
    let mut rdns = Vec::new();
    let mut cur = String::new();
    let mut chars = dn.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            ',' => rdns.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    rdns.push(cur);
    let (mut dcs, mut rest) = (Vec::new(), Vec::new());
    for r in rdns {
        match r.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("DC") => dcs.push(v.to_string()),
            Some((_, v)) => rest.push(v.replace('/', "\\/")),
            None => rest.push(r),
        }
    }
    rest.reverse();
    std::iter::once(dcs.join("."))
        .chain(rest)
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `identity` names the group `g` (a `Get-Group` object): its name, identity,
/// distinguished name, canonical DN, Guid or directory object ID, in any case.
pub fn names_group(g: &Json, identity: &str) -> bool {
    let s = |k: &str| g.get(k).and_then(Json::as_str).unwrap_or_default();
    let dn = s("DistinguishedName");
    let canonical = if dn.is_empty() {
        String::new()
    } else {
        canonical_name(dn)
    };
    let identity = identity.trim();
    [
        s("Name"),
        s("Identity"),
        dn,
        canonical.as_str(),
        s("Guid"),
        s("ExternalDirectoryObjectId"),
    ]
    .iter()
    .any(|f| !f.is_empty() && f.eq_ignore_ascii_case(identity))
}

/// The spelling to keep for a group Exchange answered as `now`, given the state's `was`
/// and the group `now` names (`None`: no group found): `was` when it names the same group,
/// else the group's name (its most readable form), else `now` as answered.
pub fn group_spelling(was: Option<&str>, now: &str, group: Option<&Json>) -> String {
    match group {
        Some(g) if was.is_some_and(|w| names_group(g, w)) => was.unwrap_or(now).to_string(),
        Some(g) => g
            .get("Name")
            .and_then(Json::as_str)
            .unwrap_or(now)
            .to_string(),
        None => now.to_string(),
    }
}

/// The group `identity` names, by `Get-Group` (the cmdlet whose `Identity` is the same
/// `GroupIdParameter`); `None` when there is none.
pub async fn lookup_group(ctx: &Ctx, identity: &str) -> Result<Option<Json>, ApiError> {
    match ctx.exchange(&api::get_group(identity), &ctx.deadline).await {
        Ok(out) => Ok(out.objects.into_iter().find(|g| names_group(g, identity))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The spelling of one group reference: `was` when it is the same text or the same group
/// (looked up only when the text differs), else the group's name.
pub async fn reconcile_group(
    ctx: &Ctx,
    was: Option<&str>,
    now: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(now) = now else {
        return Ok(None);
    };
    if let Some(w) = was.filter(|w| w.trim().eq_ignore_ascii_case(now.trim())) {
        return Ok(Some(w.to_string()));
    }
    let group = lookup_group(ctx, &now).await?;
    Ok(Some(group_spelling(was, &now, group.as_ref())))
}

/// The spellings of a set of group references: each answered group keeps the state's
/// spelling of the same group (the same text, or the same group by `Get-Group`), else the
/// group's name.
pub async fn reconcile_groups(
    ctx: &Ctx,
    was: Option<&[String]>,
    now: Option<Vec<String>>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(now) = now else {
        return Ok(None);
    };
    let was = was.unwrap_or_default();
    let mut out = Vec::new();
    for n in now {
        if let Some(w) = was.iter().find(|w| w.trim().eq_ignore_ascii_case(n.trim())) {
            out.push(w.clone());
            continue;
        }
        let group = lookup_group(ctx, &n).await?;
        let same = group
            .as_ref()
            .and_then(|g| was.iter().find(|w| names_group(g, w)));
        out.push(match same {
            Some(w) => w.clone(),
            None => group_spelling(None, &n, group.as_ref()),
        });
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DN: &str = "CN=Fabrikam free/busy,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";
    const GROUP_GUID: &str = "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09";

    fn group() -> Json {
        json!({"Name": "Fabrikam free/busy", "Identity": "Fabrikam free/busy",
            "DistinguishedName": DN, "Guid": GROUP_GUID,
            "ExternalDirectoryObjectId": "11111111-2222-4333-8444-555555555555"})
    }

    #[test]
    fn uris_that_differ_only_in_normalisation_are_the_same() {
        let same = [
            (
                "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity",
                "HTTPS://Autodiscover.Outlook.COM:443/autodiscover/autodiscover.svc/WSSecurity",
            ),
            ("https://outlook.office.com", "https://outlook.office.com/"),
            (
                "http://ews.example.com:80/EWS/Exchange.asmx",
                "http://ews.example.com/EWS/Exchange.asmx",
            ),
        ];
        for (a, b) in same {
            assert!(same_uri(a, b), "{a} = {b}");
        }
        let differ = [
            ("https://a.example.com/ews", "https://b.example.com/ews"),
            ("https://a.example.com/EWS", "https://a.example.com/ews"),
            ("https://a.example.com:8443/", "https://a.example.com/"),
            ("http://a.example.com/", "https://a.example.com/"),
        ];
        for (a, b) in differ {
            assert!(!same_uri(a, b), "{a} != {b}");
        }
        let was = Some("https://Outlook.office.com".to_string());
        assert_eq!(
            uri_spelling(&was, Some("https://outlook.office.com/".into())),
            was
        );
        assert_eq!(
            uri_spelling(&was, Some("https://other.example.com/".into())).as_deref(),
            Some("https://other.example.com/")
        );
        assert_eq!(uri_spelling(&was, None), None);
    }

    #[test]
    fn the_canonical_name_of_a_distinguished_name() {
        assert_eq!(
            canonical_name(DN),
            "NAMPR01A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Fabrikam free\\/busy"
        );
        assert_eq!(
            canonical_name("CN=Sales\\, EMEA,OU=contoso.com,DC=corp,DC=example"),
            "corp.example/contoso.com/Sales, EMEA"
        );
    }

    #[test]
    fn every_identity_form_names_the_group_and_others_do_not() {
        let g = group();
        for form in [
            "Fabrikam free/busy",
            "fabrikam FREE/busy",
            DN,
            &DN.to_ascii_lowercase(),
            "NAMPR01A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Fabrikam free\\/busy",
            GROUP_GUID,
            &GROUP_GUID.to_ascii_uppercase(),
            "11111111-2222-4333-8444-555555555555",
        ] {
            assert!(names_group(&g, form), "{form}");
        }
        for other in [
            "Sharing group",
            "",
            "CN=Sharing group,OU=contoso.onmicrosoft.com",
        ] {
            assert!(!names_group(&g, other), "{other}");
        }
    }

    #[test]
    fn the_configured_spelling_is_kept_only_for_the_same_group() {
        let g = group();
        // Configured by Guid, answered as a DN: the same group, the Guid stays.
        assert_eq!(group_spelling(Some(GROUP_GUID), DN, Some(&g)), GROUP_GUID);
        // Another group answered (drift): shown by its name.
        assert_eq!(
            group_spelling(Some("Sharing group"), DN, Some(&g)),
            "Fabrikam free/busy"
        );
        // Imported (no spelling yet): the name.
        assert_eq!(group_spelling(None, DN, Some(&g)), "Fabrikam free/busy");
        // A group Get-Group no longer finds: as answered.
        assert_eq!(group_spelling(Some("Gone"), DN, None), DN);
    }
}
