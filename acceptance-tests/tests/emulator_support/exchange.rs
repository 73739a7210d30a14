//! The Exchange admin API from the tests' side: a cmdlet body, Contoso's `InvokeCommand`, the
//! error envelope's invariants, and [`Exo`], an environment with an Exchange token.

use super::{json, Env, Method, StatusCode, Value, EXCHANGE_SCOPE};

/// Contoso's `InvokeCommand` endpoint.
pub const INVOKE: &str = "/adminapi/beta/6babcaad-604b-40ac-a9d7-9fd97c0b779f/InvokeCommand";

/// The `CmdletInput` body running `name` with `params`.
pub fn cmdlet(name: &str, params: Value) -> Value {
    json!({"CmdletInput": {"CmdletName": name, "Parameters": params}})
}

/// `(code, exception type, target)` of an Exchange error, checking the envelope's invariants:
/// `details[0].message` is `<code>|<exception type>|<message>` and `innererror` repeats them.
pub fn exo_error(v: &Value) -> (String, String, Option<String>) {
    let e = &v["error"];
    let code = e["code"].as_str().expect("error.code").to_string();
    let msg = e["message"].as_str().expect("error.message");
    let ty = e["innererror"]["type"].as_str().expect("innererror.type");
    assert_eq!(e["innererror"]["message"], msg, "{v}");
    assert_eq!(e["innererror"]["internalexception"]["message"], msg, "{v}");
    let detail = &e["details"][0];
    assert_eq!(
        detail["message"].as_str().unwrap(),
        format!("{code}|{ty}|{msg}"),
        "{v}"
    );
    let target = detail["target"].as_str().map(str::to_string);
    (code, ty.to_string(), target)
}

/// The two-tenant environment and a Contoso token for Exchange Online.
pub struct Exo {
    pub env: Env,
    pub token: String,
}

impl Exo {
    pub async fn new() -> Exo {
        let env = Env::new().await;
        let token = env.token_for(EXCHANGE_SCOPE).await;
        Exo { env, token }
    }

    /// Runs a cmdlet in Contoso.
    pub async fn run(&self, name: &str, params: Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .env
            .call(
                Method::POST,
                INVOKE,
                Some(&self.token),
                Some(cmdlet(name, params)),
            )
            .await;
        (s, v)
    }

    /// Runs a cmdlet that must answer 200.
    pub async fn ok(&self, name: &str, params: Value) -> Value {
        let (s, v) = self.run(name, params.clone()).await;
        assert_eq!(s, StatusCode::OK, "{name} {params} -> {v}");
        v
    }

    /// Runs a cmdlet that must fail with 400 on `target` (in a well-formed envelope); returns
    /// (exception type, message).
    pub async fn refused(&self, name: &str, params: Value, target: &str) -> (String, String) {
        let (s, v) = self.run(name, params.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{name} {params} -> {v}");
        let (_, ty, t) = exo_error(&v);
        assert_eq!(t.as_deref(), Some(target), "{name} {params} -> {v}");
        (ty, v["error"]["message"].as_str().unwrap().to_string())
    }

    /// [`Exo::refused`], the message containing `needle`.
    pub async fn refused_containing(&self, name: &str, params: Value, target: &str, needle: &str) {
        let (_, msg) = self.refused(name, params.clone(), target).await;
        assert!(
            msg.contains(needle),
            "{name} {params}: {msg:?} lacks {needle:?}"
        );
    }
}
