//! Attribute validators. They run at plan time (ValidateResourceConfig), before any API call,
//! and point their diagnostics at the attribute.

use super::diag::{AttrPath, Diagnostics};
use super::schema::ObjectValidator;
use super::value::Value;
use std::time::Duration;

pub trait Validator: Send + Sync {
    /// Human text for docs ("must be a GUID").
    fn description(&self) -> String;
    /// `parent` is the object holding the attribute, for validators that look at siblings.
    fn validate(&self, v: &Value, path: &AttrPath, parent: &Value, diags: &mut Diagnostics);
}

/// Validator for known string values only (null and unknown pass).
struct StringCheck<F: Fn(&str) -> Option<String> + Send + Sync> {
    description: String,
    check: F,
}

impl<F: Fn(&str) -> Option<String> + Send + Sync> Validator for StringCheck<F> {
    fn description(&self) -> String {
        self.description.clone()
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        // On a list or set of strings, each element is checked: a list's at its own index, a
        // set's at the set (its elements have no index).
        match v {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.validate(item, &path.index(i), &Value::Null, diags);
                }
                return;
            }
            Value::Set(items) => {
                for item in items {
                    self.validate(item, path, &Value::Null, diags);
                }
                return;
            }
            _ => {}
        }
        if let Value::String(s) = v {
            if let Some(problem) = (self.check)(s) {
                diags.error_at(
                    path,
                    format!(
                        "Invalid value for {}",
                        path.last_attr().unwrap_or("attribute")
                    ),
                    problem,
                );
            }
        }
    }
}

pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A GUID such as `72f988bf-86f1-41af-91ab-2d7cd011db47`.
pub fn guid() -> impl Validator {
    StringCheck {
        description: "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)".into(),
        check: |s: &str| {
            (!is_guid(s)).then(|| format!("{s:?} is not a GUID. Expected the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hexadecimal digits)."))
        },
    }
}

/// One of a fixed list of values, compared exactly (the APIs are case-sensitive).
pub fn one_of(allowed: &'static [&'static str]) -> impl Validator {
    StringCheck {
        description: format!("one of {}", quote_list(allowed)),
        check: move |s: &str| {
            (!allowed.contains(&s)).then(|| {
                format!(
                    "{s:?} is not allowed. Expected one of {}.",
                    quote_list(allowed)
                )
            })
        },
    }
}

pub fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn is_domain_name(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A DNS domain name such as `contoso.onmicrosoft.com`.
pub fn domain_name() -> impl Validator {
    StringCheck {
        description: "must be a domain name".into(),
        check: |s: &str| {
            (!is_domain_name(s))
                .then(|| format!("{s:?} is not a valid domain name, e.g. contoso.onmicrosoft.com."))
        },
    }
}

/// An object name as Exchange Online keeps it (an organization relationship's or a connector's
/// `Name`): 1 to `max` characters, not only blanks, no control characters.
pub fn object_name(max: usize) -> impl Validator {
    StringCheck {
        description: format!("must be 1 to {max} characters without control characters"),
        check: move |s: &str| {
            let n = s.chars().count();
            (s.trim().is_empty() || n > max || s.chars().any(char::is_control)).then(|| {
                format!(
                    "{s:?} must be 1 to {max} characters without control characters (it has {n})."
                )
            })
        },
    }
}

/// An HTTPS URL (endpoint overrides: we never send tokens over plain HTTP).
pub fn https_url() -> impl Validator {
    StringCheck {
        description: "must be an https:// URL".into(),
        check: |s: &str| match url::Url::parse(s) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() => None,
            Ok(_) => Some(format!(
                "{s:?} must use https:// (tokens are never sent over plain HTTP)."
            )),
            Err(e) => Some(format!("{s:?} is not a URL: {e}.")),
        },
    }
}

/// Parses Go-style durations as Terraform users write them: "90s", "10m", "1h30m", "500ms".
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_end] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * secs;
        rest = &rest[unit_end..];
    }
    Some(Duration::from_secs_f64(total))
}

/// A `timeouts` map: known operation names, duration values.
pub fn timeouts(ops: &'static [&'static str]) -> impl Validator {
    Timeouts(ops)
}

struct Timeouts(&'static [&'static str]);

impl Validator for Timeouts {
    fn description(&self) -> String {
        format!("keys among {}, values durations", quote_list(self.0))
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        let Value::Map(m) = v else { return };
        for (k, d) in m {
            if !self.0.contains(&k.as_str()) {
                diags.error_at(
                    &path.key(k),
                    "Unknown operation in timeouts",
                    format!("{k:?} is not one of {}.", quote_list(self.0)),
                );
            }
            if let Value::String(s) = d {
                if parse_duration(s).is_none_or(|d| d <= Duration::ZERO) {
                    diags.error_at(&path.key(k), "Invalid duration in timeouts", format!("{s:?} is not a duration. Use a number with a unit: \"30s\", \"10m\", \"1h30m\"."));
                }
            }
        }
    }
}

/// A set or list with at least `n` elements.
pub fn size_at_least(n: usize) -> impl Validator {
    SizeAtLeast(n)
}

struct SizeAtLeast(usize);

impl Validator for SizeAtLeast {
    fn description(&self) -> String {
        format!("at least {} element(s)", self.0)
    }
    fn validate(&self, v: &Value, path: &AttrPath, _: &Value, diags: &mut Diagnostics) {
        if matches!(v, Value::List(_) | Value::Set(_))
            && v.is_wholly_known()
            && v.elements().len() < self.0
        {
            diags.error_at(
                path,
                format!(
                    "Too few elements in {}",
                    path.last_attr().unwrap_or("attribute")
                ),
                format!(
                    "{} needs at least {} element(s); got {}.",
                    path,
                    self.0,
                    v.elements().len()
                ),
            );
        }
    }
}

/// This attribute cannot be set together with the named siblings.
pub fn conflicts_with(others: &'static [&'static str]) -> impl Validator {
    ConflictsWith(others)
}

struct ConflictsWith(&'static [&'static str]);

impl Validator for ConflictsWith {
    fn description(&self) -> String {
        format!("conflicts with {}", quote_list(self.0))
    }
    fn validate(&self, v: &Value, path: &AttrPath, parent: &Value, diags: &mut Diagnostics) {
        if v.is_null() {
            return;
        }
        for other in self.0 {
            if !parent.get(other).is_null() {
                diags.error_at(
                    path,
                    "Conflicting configuration arguments",
                    format!(
                        "\"{}\" cannot be set together with \"{other}\".",
                        path.last_attr().unwrap_or("")
                    ),
                );
            }
        }
    }
}

/// Exactly one of the named attributes of an object must be set.
pub struct ExactlyOneOf(pub &'static [&'static str]);

impl ObjectValidator for ExactlyOneOf {
    fn validate(&self, obj: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        // An unknown value may turn out null or not: decide once it is known.
        if self.0.iter().any(|a| obj.get(a).is_unknown()) {
            return;
        }
        let set: Vec<_> = self.0.iter().filter(|a| !obj.get(a).is_null()).collect();
        if set.len() != 1 {
            let at = if set.len() > 1 {
                path.attr(set[1])
            } else {
                path.attr(self.0[0])
            };
            diags.error_at(
                &at,
                "Invalid attribute combination",
                format!(
                    "Exactly one of {} must be set; {} set.",
                    quote_list(self.0),
                    set.len()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &dyn Validator, val: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        v.validate(&val, &AttrPath::root().attr("x"), &Value::Null, &mut d);
        d
    }

    #[test]
    fn guid_validator() {
        assert!(run(
            &guid(),
            Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47")
        )
        .is_empty());
        let d = run(&guid(), Value::string("not-a-guid"));
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::root().attr("x")));
        assert!(run(&guid(), Value::Null).is_empty());
        assert!(run(&guid(), Value::Unknown).is_empty());
    }

    #[test]
    fn one_of_is_case_sensitive() {
        let v = one_of(&["allowed", "blocked"]);
        assert!(run(&v, Value::string("allowed")).is_empty());
        assert!(run(&v, Value::string("Allowed")).has_errors());
        assert!(run(&v, Value::string("allow")).0[0]
            .detail
            .contains("\"allowed\", \"blocked\""));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
        let t = timeouts(&["create", "delete"]);
        let m = |k: &str, v: &str| Value::Map([(k.to_string(), Value::string(v))].into());
        assert!(run(&t, m("create", "10m")).is_empty());
        assert!(run(&t, m("create", "0s")).has_errors());
        assert!(run(&t, m("create", "10")).has_errors());
        let d = run(&t, m("read", "10m"));
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "x[\"read\"]");
    }

    #[test]
    fn domains() {
        assert!(is_domain_name("contoso.onmicrosoft.com"));
        assert!(!is_domain_name("contoso"));
        assert!(!is_domain_name("-bad.com"));
        assert!(!is_domain_name("a..b"));
    }

    #[test]
    fn exactly_one_of() {
        let v = ExactlyOneOf(&["a", "b"]);
        let mut d = Diagnostics::new();
        v.validate(
            &Value::object([("a", Value::Null), ("b", Value::Null)]),
            &AttrPath::root(),
            &mut d,
        );
        assert!(d.has_errors());
        let mut d = Diagnostics::new();
        v.validate(
            &Value::object([("a", Value::string("x")), ("b", Value::Null)]),
            &AttrPath::root(),
            &mut d,
        );
        assert!(d.is_empty());
        let mut d = Diagnostics::new();
        v.validate(
            &Value::object([("a", Value::string("x")), ("b", Value::string("y"))]),
            &AttrPath::root(),
            &mut d,
        );
        assert_eq!(d.0[0].path, Some(AttrPath::root().attr("b")));
    }

    #[test]
    fn size_at_least_counts_elements() {
        assert!(run(&size_at_least(1), Value::Set(vec![])).has_errors());
        assert!(run(&size_at_least(1), Value::Set(vec![Value::string("a")])).is_empty());
    }

    #[test]
    fn https_only() {
        assert!(run(&https_url(), Value::string("https://graph.microsoft.com")).is_empty());
        assert!(run(&https_url(), Value::string("http://graph.microsoft.com")).has_errors());
    }

    #[test]
    fn object_names() {
        let v = object_name(4);
        let check = |s: &str| {
            let mut d = Diagnostics::new();
            v.validate(
                &Value::string(s),
                &AttrPath::root().attr("name"),
                &Value::Null,
                &mut d,
            );
            d
        };
        assert!(check("abcd").0.is_empty());
        for bad in ["", "   ", "abcde", "a\tb"] {
            let d = check(bad);
            assert_eq!(d.0.len(), 1, "{bad:?}");
            assert_eq!(d.0[0].summary, "Invalid value for name");
        }
        assert!(check("abcde").0[0].detail.contains("(it has 5)"));
    }
}
