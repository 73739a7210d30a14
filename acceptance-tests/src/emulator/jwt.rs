//! Compact JWS as the sign-in methods and the emulated token issuers share them: decoding (not
//! verifying) a token, the audience of federated tokens and the clock they are checked against.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// The audience Entra expects in federated tokens unless the credential says otherwise.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// A decoded (not yet verified) compact JWS.
pub(crate) struct Jwt<'a> {
    pub header: Value,
    pub claims: Value,
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

pub(crate) fn decode(token: &str) -> Option<Jwt<'_>> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (h, c) = signing_input.split_once('.')?;
    let part = |p: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
    };
    Some(Jwt {
        header: part(h)?,
        claims: part(c)?,
        signing_input,
        signature: URL_SAFE_NO_PAD.decode(sig).ok()?,
    })
}

pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
