//! Typed import IDs: each resource's ID parses with `FromStr` and prints with `Display` (round
//! trip), and a parse error quotes the expected format, which the docs page shows too. The
//! building blocks here are neutral (a GUID, a name, a tagged pair); each resource declares its
//! own ID types, with its own wording, next to its code.

use super::diag::{Diagnostic, Diagnostics};
use std::fmt::Display;
use std::str::FromStr;

pub trait ImportId: FromStr + Display {
    /// The format shown to users, e.g. `<partner tenant GUID>`. A type accepting several forms
    /// puts each in backticks with words between (`` `a/<x>` (this) or `b/<y>` (that) ``); the
    /// docs page shows a format without backticks as one code span.
    const FORMAT: &'static str;
    const EXAMPLE: &'static str;
}

/// Parses an import ID into the resource's typed form, with a diagnostic quoting the format.
pub fn parse<T: ImportId>(type_name: &str, id: &str) -> Result<T, Diagnostics>
where
    <T as FromStr>::Err: Display,
{
    id.trim().parse::<T>().map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Invalid import ID",
            format!(
                "{type_name} import IDs have the form {}, e.g. {}. Got {id:?}: {e}.",
                T::FORMAT,
                T::EXAMPLE
            ),
        ))
    })
}

/// A tenant GUID in Graph's canonical lowercase. (A configuration spelling it in uppercase plans
/// an in-place respelling, never a replacement: the attribute is case-insensitive.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantGuid(pub String);

impl FromStr for TenantGuid {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if super::validators::is_guid(s) {
            Ok(TenantGuid(s.to_ascii_lowercase()))
        } else {
            Err("not a GUID".into())
        }
    }
}

impl Display for TenantGuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name as an import ID part (an Exchange connector's or relationship's `Name`): anything but
/// empty or control characters, kept as written (Exchange names may hold spaces and slashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(pub String);

impl FromStr for Name {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            Err("the name is empty".into())
        } else if s.chars().any(char::is_control) {
            Err("the name holds a control character".into())
        } else {
            Ok(Name(s.to_string()))
        }
    }
}

impl Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The part of a `<tag>/<part>` ID after its tag, parsed as `T`. The error says which half is
/// wrong; [`parse`] adds the expected format.
pub fn parse_tagged<T: FromStr>(tag: &str, s: &str) -> Result<T, String>
where
    T::Err: Display,
{
    let Some(rest) = s.strip_prefix(tag).and_then(|r| r.strip_prefix('/')) else {
        return Err(format!("it does not start with \"{tag}/\""));
    };
    rest.parse::<T>()
        .map_err(|e| format!("after \"{tag}/\": {e}"))
}

/// Declares a prefix-tagged import ID type, `<tag>/<part>` (`owner/<id>`, `inbound/<name>`),
/// with `FromStr` / `Display` round-tripping and `FORMAT` / `EXAMPLE` for errors and docs:
///
/// ```
/// use coexistence::framework::import_id::{ImportId, Name};
/// coexistence::tagged_import_id! {
///     /// An inbound partner connector.
///     pub struct InboundConnector(Name) = "inbound" / "<connector name>", example "Contoso inbound";
/// }
/// let id: InboundConnector = "inbound/Contoso inbound".parse().unwrap();
/// assert_eq!(id.0 .0, "Contoso inbound");
/// assert_eq!(id.to_string(), "inbound/Contoso inbound");
/// assert_eq!(InboundConnector::FORMAT, "inbound/<connector name>");
/// ```
#[macro_export]
macro_rules! tagged_import_id {
    ($(#[$m:meta])* $vis:vis struct $name:ident($inner:ty) = $tag:literal / $part:literal, example $example:literal;) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        $vis struct $name(pub $inner);

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::framework::import_id::parse_tagged::<$inner>($tag, s).map($name)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}/{}", $tag, self.0)
            }
        }

        impl $crate::framework::import_id::ImportId for $name {
            const FORMAT: &'static str = concat!($tag, "/", $part);
            const EXAMPLE: &'static str = concat!($tag, "/", $example);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::tagged_import_id! {
        /// A tagged GUID, e.g. `owner/<tenant GUID>`.
        pub struct OwnerMember(TenantGuid) = "owner" / "<member tenant GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
    }

    crate::tagged_import_id! {
        /// A tagged name, e.g. `inbound/<connector name>`.
        pub struct InboundConnector(Name) = "inbound" / "<connector name>", example "From Fabrikam";
    }

    /// A bare GUID as an import ID.
    impl ImportId for TenantGuid {
        const FORMAT: &'static str = "<tenant GUID>";
        const EXAMPLE: &'static str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    }

    #[test]
    fn tagged_ids_round_trip_and_errors_quote_the_format() {
        let id: OwnerMember = parse("r", "owner/72F988BF-86f1-41af-91ab-2d7cd011db47").unwrap();
        assert_eq!(id.to_string(), "owner/72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert_eq!(id.to_string().parse::<OwnerMember>().unwrap(), id);
        assert_eq!(OwnerMember::FORMAT, "owner/<member tenant GUID>");
        OwnerMember::EXAMPLE.parse::<OwnerMember>().unwrap();
        InboundConnector::EXAMPLE
            .parse::<InboundConnector>()
            .unwrap();
        let c: InboundConnector = parse("r", "inbound/From Fabrikam/EU").unwrap();
        assert_eq!(c.0 .0, "From Fabrikam/EU");
        for (bad, why) in [
            (
                "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "does not start with \"owner/\"",
            ),
            ("owner/nope", "after \"owner/\": not a GUID"),
            (
                "inbound/72f988bf-86f1-41af-91ab-2d7cd011db47",
                "does not start with \"owner/\"",
            ),
        ] {
            let e = parse::<OwnerMember>("coexistence_mto_membership", bad).unwrap_err();
            let d = &e.0[0].detail;
            assert!(
                d.contains("owner/<member tenant GUID>") && d.contains(why),
                "{d}"
            );
        }
        let e = parse::<InboundConnector>("r", "inbound/").unwrap_err();
        assert!(e.0[0].detail.contains("the name is empty"), "{}", e);
    }

    #[test]
    fn round_trip_and_error_quotes_format() {
        let id: TenantGuid = parse("r", " 72F988BF-86f1-41af-91ab-2d7cd011db47").unwrap();
        assert_eq!(id.to_string(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert_eq!(id.to_string().parse::<TenantGuid>().unwrap(), id);
        let e = parse::<TenantGuid>("r", "nope").unwrap_err();
        assert!(e.0[0].detail.contains("<tenant GUID>"));
    }
}
