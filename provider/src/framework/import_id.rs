//! Typed import IDs: each resource's ID parses with `FromStr` and prints with `Display` (round
//! trip), and a parse error quotes the expected format, which the docs page shows too.

use super::diag::{Diagnostic, Diagnostics};
use std::fmt::Display;
use std::str::FromStr;

pub trait ImportId: FromStr + Display {
    /// The format shown to users, e.g. `<partner tenant GUID>`.
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

impl ImportId for TenantGuid {
    const FORMAT: &'static str = "<partner tenant GUID>";
    const EXAMPLE: &'static str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_error_quotes_format() {
        let id: TenantGuid = parse("r", " 72F988BF-86f1-41af-91ab-2d7cd011db47").unwrap();
        assert_eq!(id.to_string(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert_eq!(id.to_string().parse::<TenantGuid>().unwrap(), id);
        let e = parse::<TenantGuid>("r", "nope").unwrap_err();
        assert!(e.0[0].detail.contains("<partner tenant GUID>"));
    }
}
