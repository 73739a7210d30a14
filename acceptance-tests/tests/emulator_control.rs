//! The control API as users meet it (`/_emulator/...`): the summary `make demo` prints.

mod emulator_support;
use emulator_support::*;

use coexistence_acceptance::emulator::graph::ca::{deleted_path, policy_path};

async fn summary(env: &Env, tenant: &str) -> String {
    let resp = env
        .http
        .get(format!(
            "{}/_emulator/tenants/{tenant}/summary",
            env.emu.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_lists_soft_deleted_policies_apart_and_ends_with_a_newline() {
    let env = Env::new().await;
    let policy =
        |name: &str| json!({"displayName": name, "state": "enabledForReportingButNotEnforced"});
    let mut deleted = policy("Block Fabrikam members");
    deleted["deletedDateTime"] = json!("2026-12-06T20:00:00Z");
    env.emu.put_object(
        CONTOSO,
        &deleted_path("0d3f8a52-7c1e-4b9a-9e2d-5f6a7b8c9d01"),
        deleted,
    );
    env.emu.put_object(
        CONTOSO,
        &policy_path("0d3f8a52-7c1e-4b9a-9e2d-5f6a7b8c9d02"),
        policy("Block Fabrikam members (replacement)"),
    );
    assert_eq!(
        summary(&env, CONTOSO).await,
        "policies \"Block Fabrikam members (replacement)\"\n\
         deleted (restorable, not in effect):\n  \
         policies \"Block Fabrikam members\" (deleted 2026-12-06T20:00:00Z)\n"
    );
    assert_eq!(summary(&env, FABRIKAM).await, "(no objects)\n");
}
