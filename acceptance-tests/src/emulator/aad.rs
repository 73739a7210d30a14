//! What the identity platform's token issuers share: its errors (AADSTS codes), as the token
//! endpoint and the sign-in methods it checks refuse a request, and the lifetime of the access
//! tokens it and the emulated hosts hand out.

use std::time::Duration;

/// How long an access token lives.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// One refusal: the OAuth `error`, the AADSTS code and its description.
pub(crate) struct AadError {
    pub(crate) error: &'static str,
    pub(crate) code: u32,
    pub(crate) description: String,
}

pub(crate) fn aad_error(
    error: &'static str,
    code: u32,
    description: impl Into<String>,
) -> AadError {
    AadError {
        error,
        code,
        description: description.into(),
    }
}
