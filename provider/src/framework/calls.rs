//! Calls a resource makes through its context that carry more than their answer: Exchange
//! Online's `@adminapi.warnings` are shown with the operation's result, in one wording.

use super::diag::Diagnostic;
use super::resource::Ctx;
use crate::clients::create::{create_once, CreateError, Created};
use crate::clients::exchange::{Cmdlet, CmdletOutput};
use crate::clients::{ApiError, Deadline};

impl Ctx {
    /// Runs `cmdlet` under `dl` (the operation's deadline, or a part of it), showing each of
    /// its warnings with the operation's result.
    pub async fn exchange(&self, cmdlet: &Cmdlet, dl: &Deadline) -> Result<CmdletOutput, ApiError> {
        let out = self.clients.exchange.invoke(cmdlet, dl).await?;
        for w in &out.warnings {
            self.warn(exchange_warning(&cmdlet.name, w));
        }
        Ok(out)
    }

    /// [`crate::clients::create::create_once`] with `new` (a `New-*` cmdlet) as the create
    /// call, its warnings shown like [`Ctx::exchange`]'s: sent once, and an attempt in doubt
    /// followed by `lookup` (the object by its name) before any resend.
    pub async fn exchange_create_once<O, L, LF, M>(
        &self,
        what: &str,
        new: &Cmdlet,
        lookup: L,
        matches: M,
    ) -> Result<Created<CmdletOutput, O>, CreateError<O>>
    where
        L: FnMut(Deadline) -> LF,
        LF: std::future::Future<Output = Result<Option<O>, ApiError>>,
        M: Fn(&O) -> bool,
    {
        create_once(
            &self.deadline,
            what,
            |dl| async move { self.exchange(new, &dl).await },
            lookup,
            matches,
        )
        .await
    }
}

/// How a warning of Exchange Online reads.
pub fn exchange_warning(cmdlet: &str, warning: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Exchange Online warning from {cmdlet}"),
        warning.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::http::mock::{step, MockTransport};
    use crate::clients::Clients;
    use serde_json::json;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    #[tokio::test]
    async fn exchange_warnings_are_shown_once_in_one_wording() {
        let answer =
            json!({"value": [{"Name": "a"}], "@adminapi.warnings": ["careful", "careful"]});
        let m = MockTransport::new(vec![step(
            "POST",
            &format!(
                "/adminapi/beta/{}/InvokeCommand",
                crate::clients::TEST_TENANT
            ),
            200,
            Some(answer),
        )]);
        let ctx = Ctx::new(
            Arc::new(Clients::for_tests(m.clone())),
            Deadline::after(Duration::from_secs(10), CancellationToken::new()),
        );
        let c = Cmdlet::new("Set-Thing");
        let out = ctx.exchange(&c, &ctx.deadline).await.unwrap();
        assert_eq!(out.objects, vec![json!({"Name": "a"})]);
        let w = ctx.take_warnings();
        assert_eq!(w.0, vec![exchange_warning("Set-Thing", "careful")]);
        assert_eq!(w.0[0].summary, "Exchange Online warning from Set-Thing");
        m.assert_done();
    }
}
