//! Diagnostics with attribute paths, and the one place API errors become diagnostics.

use crate::clients::create::{CreateError, Created};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Attr(String),
    Index(i64),
    Key(String),
}

/// Where in a configuration a diagnostic points, e.g. `b2b_collaboration_inbound.users_and_groups.access_type`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn root() -> AttrPath {
        AttrPath(Vec::new())
    }
    pub fn attr(&self, name: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(PathStep::Attr(name.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> AttrPath {
        let mut p = self.clone();
        p.0.push(PathStep::Index(i as i64));
        p
    }
    pub fn key(&self, k: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(PathStep::Key(k.to_string()));
        p
    }
    /// The last attribute name on the path, if any.
    pub fn last_attr(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            PathStep::Attr(a) => Some(a.as_str()),
            _ => None,
        })
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }
    pub fn at(mut self, path: AttrPath) -> Diagnostic {
        self.path = Some(path);
        self
    }

    /// The diagnostic as Terraform is to show it. Nested attributes reach Terraform as
    /// object-typed attributes (README, "Terraform 1.0 note"), so it can only highlight the
    /// top-level attribute of a deeper path (given the whole path it points at the resource
    /// instead). So the path sent stops at its first step, and the text names the full path:
    /// the summary's closing attribute name becomes the path ("Invalid value for
    /// b2b_collaboration_inbound.users_and_groups.access_type"), or else the detail starts
    /// with it. Eight `access_type`s in one partner are then told apart.
    pub fn for_terraform(&self) -> Diagnostic {
        let mut d = self.clone();
        let Some(path) = self.path.as_ref().filter(|p| p.0.len() > 1) else {
            return d;
        };
        d.path = Some(AttrPath(path.0[..1].to_vec()));
        let full = path.to_string();
        if self.summary.contains(&full) || self.detail.contains(&full) {
            return d;
        }
        match path.last_attr().and_then(|a| self.summary.strip_suffix(a)) {
            Some(head) if head.is_empty() || head.ends_with([' ', '"', '`']) => {
                d.summary = format!("{head}{full}");
            }
            _ => d.detail = format!("{full}: {}", self.detail),
        }
        d
    }
}

/// A list of diagnostics; the error type of every framework and resource operation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }
    pub fn error_at(
        &mut self,
        path: &AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::error(summary, detail).at(path.clone()));
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when there is no error, so validation can end with `diags.into_result()?`.
    pub fn into_result(self) -> Result<(), Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(())
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{:?}: {}: {}", d.severity, d.summary, d.detail)?;
        }
        Ok(())
    }
}

/// Turns a client error into a diagnostic: summary = what we were doing, detail = what the API said
/// (status, code, message, request-id) so a user can hand it to Microsoft support.
pub trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Diagnostics>;
}

impl<T> Context<T> for Result<T, crate::clients::ApiError> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Diagnostics> {
        self.map_err(|e| Diagnostics::from(api_error(&what(), &e)))
    }
}

/// Finishes a create made with [`crate::clients::create::create_once`]: a failure says "Error
/// <doing>" with what the API said; "already exists" is worded by the resource for its object
/// (`exists`, given what the lookup found, if anything).
pub fn finish_create<R, O>(
    created: Result<Created<R, O>, CreateError<O>>,
    doing: &str,
    exists: impl FnOnce(Option<O>) -> Diagnostics,
) -> Result<Created<R, O>, Diagnostics> {
    match created {
        Ok(c) => Ok(c),
        Err(CreateError::AlreadyExists { existing, .. }) => Err(exists(existing)),
        Err(CreateError::Api(e)) => Err(api_error(doing, &e).into()),
    }
}

pub fn api_error(what: &str, e: &crate::clients::ApiError) -> Diagnostic {
    Diagnostic::error(format!("Error {}", lowercase_first(what)), e.to_string())
}

/// "Creating the ..." reads "Error creating the ..." in a summary.
fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ApiError;

    #[test]
    fn finish_create_words_failures_and_leaves_already_exists_to_the_resource() {
        let exists = |found: Option<&str>| {
            Diagnostics::from(Diagnostic::error("exists", found.unwrap_or("-")))
        };
        let made: Result<Created<u8, &str>, _> = Ok(Created::Sent(7));
        assert!(matches!(
            finish_create(made, "creating x", exists),
            Ok(Created::Sent(7))
        ));
        let taken = Err(CreateError::AlreadyExists {
            existing: Some("theirs"),
            error: None,
        });
        let d = finish_create::<u8, _>(taken, "creating x", exists).unwrap_err();
        assert_eq!(
            (d.0[0].summary.as_str(), d.0[0].detail.as_str()),
            ("exists", "theirs")
        );
        let failed = Err(CreateError::Api(ApiError::http(400, "Bad", "no", None)));
        let d = finish_create::<u8, &str>(failed, "Creating the thing", exists).unwrap_err();
        assert_eq!(d.0[0].summary, "Error creating the thing");
        assert_eq!(
            d.0[0].detail,
            ApiError::http(400, "Bad", "no", None).to_string()
        );
    }

    #[test]
    fn path_display() {
        let p = AttrPath::root().attr("a").attr("b").index(2).key("k");
        assert_eq!(p.to_string(), "a.b[2][\"k\"]");
        assert_eq!(p.last_attr(), Some("b"));
    }

    #[test]
    fn terraform_gets_the_top_level_attribute_and_the_text_the_full_path() {
        let path = AttrPath::root()
            .attr("b2b_collaboration_inbound")
            .attr("users_and_groups")
            .attr("access_type");
        let d = Diagnostic::error(
            "Invalid value for access_type",
            "\"allow\" is not one of ...",
        )
        .at(path.clone())
        .for_terraform();
        assert_eq!(
            d.summary,
            "Invalid value for b2b_collaboration_inbound.users_and_groups.access_type"
        );
        assert_eq!(d.detail, "\"allow\" is not one of ...");
        assert_eq!(
            d.path,
            Some(AttrPath::root().attr("b2b_collaboration_inbound"))
        );

        // A summary not ending in the attribute's name: the detail names the path.
        let targets = AttrPath::root()
            .attr("b2b_direct_connect_outbound")
            .attr("applications")
            .attr("targets")
            .index(0)
            .attr("target_type");
        let d = Diagnostic::error("Conflicting configuration arguments", "Pick one.")
            .at(targets)
            .for_terraform();
        assert_eq!(d.summary, "Conflicting configuration arguments");
        assert_eq!(
            d.detail,
            "b2b_direct_connect_outbound.applications.targets[0].target_type: Pick one."
        );
        assert_eq!(
            d.path,
            Some(AttrPath::root().attr("b2b_direct_connect_outbound"))
        );

        // A map key: `timeouts["read"]`.
        let d = Diagnostic::error(
            "Invalid duration in timeouts",
            "\"soon\" is not a duration.",
        )
        .at(AttrPath::root().attr("timeouts").key("read"))
        .for_terraform();
        assert_eq!(d.summary, "Invalid duration in timeouts[\"read\"]");

        // Top-level attributes and resource-wide diagnostics are sent as they are; so is text
        // that already names the full path.
        for d in [
            Diagnostic::error("Invalid value for tenant_id", "x")
                .at(AttrPath::root().attr("tenant_id")),
            Diagnostic::error("Error creating", "x"),
            Diagnostic::error("Bad", format!("{path} is wrong")).at(path.clone()),
        ] {
            let sent = d.for_terraform();
            assert_eq!((&sent.summary, &sent.detail), (&d.summary, &d.detail));
            if d.path.as_ref().is_some_and(|p| p.0.len() == 1) || d.path.is_none() {
                assert_eq!(sent.path, d.path);
            }
        }
    }

    #[test]
    fn into_result_fails_only_on_errors() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("w", ""));
        assert!(d.clone().into_result().is_ok());
        d.error("e", "");
        assert!(d.into_result().is_err());
    }
}
