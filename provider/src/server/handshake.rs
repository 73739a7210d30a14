//! The go-plugin handshake: magic cookie, protocol negotiation, listen ports and the
//! single line Terraform reads from our stdout.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use base64::Engine as _;

/// Environment variable Terraform sets so a plugin knows it was launched by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform puts in [`MAGIC_COOKIE_KEY`] (not a secret, a UX guard).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (first field of the handshake line).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version we speak.
pub const APP_PROTOCOL_VERSION: u32 = 6;

/// Shown (on stderr, exit code 1) when someone runs the binary by hand.
pub const NOT_A_PLUGIN_HOST_MESSAGE: &str = "\
This binary is the Terraform provider for coexistence (Microsoft Entra / Microsoft 365 \
cross-tenant coexistence). It is a plugin: it is not meant to be run directly.\n\
Run Terraform instead; it loads its providers automatically.\n\
(To debug the provider, run it with --debug and follow the instructions it prints.)";

/// True when the process was started by a go-plugin host (Terraform).
pub fn magic_cookie_present(value: Option<&str>) -> bool {
    value == Some(MAGIC_COOKIE_VALUE)
}

/// Picks the app protocol version from `PLUGIN_PROTOCOL_VERSIONS` (a comma list from the host).
///
/// Unset or empty means the host did not negotiate; go-plugin then uses the plugin's
/// default, which for us is 6.
pub fn negotiate_protocol_version(client_versions: Option<&str>) -> anyhow::Result<u32> {
    let Some(list) = client_versions.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(APP_PROTOCOL_VERSION);
    };
    let mut offered = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        let version: u32 = part
            .parse()
            .with_context(|| format!("PLUGIN_PROTOCOL_VERSIONS has a bad entry {part:?}"))?;
        offered.push(version);
    }
    if offered.contains(&APP_PROTOCOL_VERSION) {
        Ok(APP_PROTOCOL_VERSION)
    } else {
        bail!(
            "this provider speaks Terraform plugin protocol {APP_PROTOCOL_VERSION} only, but \
             Terraform offered {list:?}; use Terraform 1.0 or newer"
        )
    }
}

/// Port range from `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` (each defaults to 0, like go-plugin).
pub fn port_range(min: Option<&str>, max: Option<&str>) -> anyhow::Result<(u16, u16)> {
    fn parse(name: &str, v: Option<&str>) -> anyhow::Result<u16> {
        match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(0),
            Some(s) => s
                .parse()
                .with_context(|| format!("{name} is not a port number: {s:?}")),
        }
    }
    let lo = parse("PLUGIN_MIN_PORT", min)?;
    let hi = parse("PLUGIN_MAX_PORT", max)?;
    if lo > hi {
        bail!("PLUGIN_MIN_PORT ({lo}) is greater than PLUGIN_MAX_PORT ({hi})");
    }
    Ok((lo, hi))
}

/// Binds the first free port of the range on 127.0.0.1.
pub async fn bind_loopback(range: (u16, u16)) -> anyhow::Result<tokio::net::TcpListener> {
    let mut last_err = None;
    for port in range.0..=range.1 {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return Ok(l),
            Err(e) => last_err = Some(e),
        }
    }
    Err(anyhow::anyhow!(
        "could not bind a plugin TCP listener on 127.0.0.1 in ports {}..={}: {}",
        range.0,
        range.1,
        last_err.map(|e| e.to_string()).unwrap_or_default()
    ))
}

/// The handshake line (without newline): `CORE|APP|tcp|ADDR|grpc|CERT`.
///
/// go-plugin decodes the certificate with `base64.RawStdEncoding` (standard alphabet, no
/// padding). Without AutoMTLS the last field is empty, exactly as go-plugin prints it.
pub fn handshake_line(
    app_version: u32,
    addr: SocketAddr,
    server_cert_der: Option<&[u8]>,
) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{app_version}|tcp|{addr}|grpc|{cert}")
}

/// The `TF_REATTACH_PROVIDERS` JSON value for `--debug` mode.
pub fn reattach_config(provider_address: &str, pid: u32, network: &str, address: &str) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_accepts_6_alone_or_in_a_list() {
        assert_eq!(negotiate_protocol_version(Some("6")).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some("5,6")).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some(" 6 , 5 ")).unwrap(), 6);
    }

    #[test]
    fn negotiation_without_6_fails_clearly() {
        let err = negotiate_protocol_version(Some("5"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("protocol 6"), "{err}");
        assert!(negotiate_protocol_version(Some("5,x")).is_err());
    }

    #[test]
    fn negotiation_defaults_to_6_when_not_offered() {
        assert_eq!(negotiate_protocol_version(None).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some("")).unwrap(), 6);
    }

    #[test]
    fn cookie_must_match_exactly() {
        assert!(magic_cookie_present(Some(MAGIC_COOKIE_VALUE)));
        assert!(!magic_cookie_present(Some("nope")));
        assert!(!magic_cookie_present(None));
    }

    #[test]
    fn ports() {
        assert_eq!(port_range(None, None).unwrap(), (0, 0));
        assert_eq!(
            port_range(Some("10000"), Some("25000")).unwrap(),
            (10000, 25000)
        );
        assert!(port_range(Some("3"), Some("2")).is_err());
        assert!(port_range(Some("x"), None).is_err());
    }

    #[test]
    fn handshake_line_formats() {
        let addr: SocketAddr = "127.0.0.1:4321".parse().unwrap();
        assert_eq!(
            handshake_line(6, addr, None),
            "1|6|tcp|127.0.0.1:4321|grpc|"
        );
        // 4 bytes would need "==" padding in StdEncoding; RawStdEncoding has none.
        assert_eq!(
            handshake_line(6, addr, Some(&[0xde, 0xad, 0xbe, 0xef])),
            "1|6|tcp|127.0.0.1:4321|grpc|3q2+7w"
        );
    }

    #[test]
    fn reattach_json() {
        let v: serde_json::Value = serde_json::from_str(&reattach_config(
            "registry.terraform.io/coexistence/coexistence",
            42,
            "unix",
            "/tmp/x.sock",
        ))
        .unwrap();
        let p = &v["registry.terraform.io/coexistence/coexistence"];
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/x.sock");
    }
}
