//! No secret or access token ever reaches terraform's output, its trace log or the state.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_token_in_output_logs_or_state() {
    let mut acc = Acc::start().await;
    let log_dir = tempfile::tempdir().expect("temp dir");
    let log_path = log_dir.path().join("terraform.log");
    acc.tf.set_env("TF_LOG", "trace");
    acc.tf
        .set_env("TF_LOG_PATH", log_path.display().to_string());

    let p = Partner::full(&acc.partner.tenant_id);
    acc.config(&format!(
        "{}\ndata \"coexistence_tenant\" \"t\" {{\n  domain_name = {}\n}}\n",
        p.hcl(),
        q(&acc.partner.default_domain)
    ));
    let mut written = Vec::new();
    written.push(acc.tf.apply_no_plan_check().await);
    written.push(acc.tf.plan_expect_empty().await);
    let state = acc.tf.raw_state().expect("state file after apply");
    written.push(acc.tf.destroy().await);

    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH log written");
    let mut everything = log.clone();
    for o in &written {
        everything += &o.combined();
    }

    let tokens = acc.emu.issued_tokens();
    assert!(
        !tokens.is_empty(),
        "the provider never obtained a token: the test proves nothing"
    );

    let secret = &acc.home.client_secret;
    let secret_forms = [secret.clone(), secret.replace('~', "%7E")];
    for s in &secret_forms {
        assert!(
            !everything.contains(s.as_str()),
            "client secret leaked into terraform output/log"
        );
        assert!(
            !state.contains(s.as_str()),
            "client secret leaked into the state"
        );
    }
    for t in &tokens {
        let mut forms = vec![t.clone()];
        // The signature part of a JWT alone is just as sensitive.
        if let Some(sig) = t.rsplit('.').next().filter(|s| s.len() >= 16) {
            forms.push(sig.to_string());
        }
        for f in &forms {
            assert!(
                !everything.contains(f.as_str()),
                "access token leaked into terraform output/log"
            );
            assert!(
                !state.contains(f.as_str()),
                "access token leaked into the state"
            );
        }
    }

    // The log is not vacuous: the provider's debug lines are there.
    assert!(
        log.contains("crossTenantAccessPolicy/partners"),
        "trace log has no provider request lines (partner URL path) — is provider logging wired to TF_LOG?"
    );
    let has_status = log.lines().any(|l| {
        l.contains("crossTenantAccessPolicy/partners")
            && [
                " 200", " 201", " 204", "=200", "=201", "=204", ":200", ":201", ":204",
            ]
            .iter()
            .any(|s| l.contains(s))
    });
    assert!(
        has_status,
        "trace log has no provider line with the partner path and its status"
    );
}
