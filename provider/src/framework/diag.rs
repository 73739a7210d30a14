//! Diagnostics with attribute paths, and the one place API errors become diagnostics.

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

    #[test]
    fn path_display() {
        let p = AttrPath::root().attr("a").attr("b").index(2).key("k");
        assert_eq!(p.to_string(), "a.b[2][\"k\"]");
        assert_eq!(p.last_attr(), Some("b"));
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
