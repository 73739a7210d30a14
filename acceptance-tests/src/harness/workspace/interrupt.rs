//! Interrupting a terraform command the way Ctrl-C does, to test StopProvider end to end.

use std::future::Future;
use std::time::{Duration, Instant};

use super::{GroupGuard, TfOutput, Workspace};

/// A command interrupted by SIGINT.
#[derive(Debug)]
pub struct Interrupted {
    pub out: TfOutput,
    /// From the signal to the command's exit; `None` when it ended before `when` fired.
    pub exit_after_signal: Option<Duration>,
}

impl Workspace {
    /// Runs `terraform <args>` and, once `when` completes, sends SIGINT to its process group
    /// (terraform and its provider plugins), as a terminal's Ctrl-C does. Waits for the exit
    /// (bounded by the step timeout) and reports how long it took after the signal.
    pub async fn run_interrupted(
        &self,
        args: &[&str],
        when: impl Future<Output = ()>,
    ) -> Interrupted {
        let (command, started, child) = self.spawn(args);
        let pid = child.id().expect("a started child has a pid") as i32;
        let _group = GroupGuard::new(pid, self.groups.clone());
        let wait = child.wait_with_output();
        tokio::pin!(wait);
        let mut signalled = None;
        let result = tokio::time::timeout(self.timeout, async {
            tokio::select! {
                r = &mut wait => return r,
                () = when => {}
            }
            // SAFETY: plain syscall on the group terraform was started in (its pgid is its pid).
            unsafe {
                libc::killpg(pid, libc::SIGINT);
            }
            signalled = Some(Instant::now());
            wait.await
        })
        .await;
        let exit_after_signal = signalled.map(|s| s.elapsed());
        let out = self.finish(args, command, started, result, "even after SIGINT");
        Interrupted {
            exit_after_signal,
            out,
        }
    }
}
