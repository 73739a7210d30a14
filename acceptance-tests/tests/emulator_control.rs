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

/// A portal-made synchronization configuration through the control API: its service-assigned
/// IDs answered, its objects in the store; a principal the tenant lacks is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_portal_sync_configuration_is_seeded_in_one_post() {
    let env = Env::new().await;
    let url = format!(
        "{}/_emulator/tenants/{CONTOSO}/portal/sync-configuration",
        env.emu.url()
    );
    let resp = env
        .http
        .post(&url)
        .json(&json!({"display_name": "Sync to Fabrikam", "target_tenant_id": FABRIKAM, "running": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let ids: serde_json::Value = resp.json().await.unwrap();
    let sp = ids["service_principal_id"].as_str().unwrap();
    let job = ids["job_id"].as_str().unwrap();
    let stored = env
        .emu
        .object(
            CONTOSO,
            &format!("/servicePrincipals/{sp}/synchronization/jobs/{job}"),
        )
        .expect("the job");
    assert_eq!(stored["schedule"]["state"], "Active");
    assert!(env
        .emu
        .object(
            CONTOSO,
            &format!(
                "/applications/{}",
                ids["application_object_id"].as_str().unwrap()
            )
        )
        .is_some());

    let resp = env
        .http
        .post(&url)
        .json(&json!({"display_name": "X", "target_tenant_id": FABRIKAM,
                      "principal_ids": ["00000000-0000-4000-8000-000000000000"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("00000000-0000-4000-8000-000000000000"));
}

/// A 403 fault: a permission the app lacks, Graph's refusal; never after applying.
#[tokio::test(flavor = "multi_thread")]
async fn a_403_fault_is_a_refused_permission() {
    let env = Env::new().await;
    let faults = format!("{}/_emulator/faults", env.emu.url());
    let post = |body: serde_json::Value| env.http.post(&faults).json(&body).send();
    let bad = post(json!({"status": 403, "count": 1, "after_apply": true}))
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let ok = post(json!({"status": 403, "count": 1, "api": "graph"}))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
}

/// The provisioning engine through the control API: users seeded with PUT object, a running
/// portal configuration syncing every user, a cycle on demand. Without the target's inbound
/// sync policy the job is quarantined; with it, every source user lands in the target once
/// (a second cycle only finds them), and a user deleted in the source is soft-deleted.
#[tokio::test(flavor = "multi_thread")]
async fn run_cycles_provisions_every_user_with_sync_all() {
    use coexistence_acceptance::emulator::graph::xtap::{partner_path, sync_path};
    let env = Env::new().await;
    let base = env.emu.url();
    let (contoso, fabrikam) = (CONTOSO.to_string(), FABRIKAM.to_string());
    for id in [
        "5a1e5000-0000-4000-8000-0000000000a1",
        "5a1e5000-0000-4000-8000-0000000000a2",
    ] {
        env.emu.put_object(
            CONTOSO,
            &format!("/users/{id}"),
            json!({"id": id, "displayName": id, "userPrincipalName": format!("{id}@contoso.com")}),
        );
    }
    let resp = env
        .http
        .post(format!("{base}/_emulator/tenants/{CONTOSO}/portal/sync-configuration"))
        .json(&json!({"display_name": "Sync to Fabrikam", "target_tenant_id": fabrikam, "running": true, "sync_all": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let run = || async {
        let r = env
            .http
            .post(format!("{base}/_emulator/tenants/{CONTOSO}/xts/run-cycles"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<serde_json::Value>().await.unwrap()
    };
    let synchronized = || {
        env.emu
            .as_ref()
            .with_store(&fabrikam, |s| s.children("/users"))
            .len()
    };
    // No inbound sync policy in the target: quarantined, nobody created.
    let ran = run().await;
    assert_eq!(ran[0]["quarantined"], true, "{ran}");
    assert_eq!(synchronized(), 0);

    env.emu.put_object(
        FABRIKAM,
        &partner_path(&contoso),
        json!({"tenantId": contoso, "automaticUserConsentSettings": {"inboundAllowed": true, "outboundAllowed": false}}),
    );
    env.emu.put_object(
        FABRIKAM,
        &sync_path(&contoso),
        json!({"tenantId": contoso, "userSyncInbound": {"isSyncAllowed": true}}),
    );
    env.emu.put_object(
        CONTOSO,
        &partner_path(&fabrikam),
        json!({"tenantId": fabrikam, "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": true}}),
    );
    let ran = run().await;
    assert_eq!(ran[0]["created"], 2, "{ran}");
    assert_eq!(ran[0]["in_scope"], 2);
    assert_eq!(synchronized(), 2);
    let ran = run().await;
    assert_eq!(
        (ran[0]["created"].clone(), ran[0]["updated"].clone()),
        (json!(0), json!(0)),
        "{ran}"
    );

    env.emu
        .delete_object(CONTOSO, "/users/5a1e5000-0000-4000-8000-0000000000a1");
    let ran = run().await;
    assert_eq!(ran[0]["soft_deleted"], 1, "{ran}");
    assert_eq!(synchronized(), 1);
}
