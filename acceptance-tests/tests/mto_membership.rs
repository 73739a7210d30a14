//! Acceptance scenarios for `coexistence_mto_membership`: the owner side in the home tenant,
//! the member side in the partner tenant through an aliased provider. [`Steps`] runs the empty
//! plan, import-verify (both sides) and destroy-leaves-nothing checks after every step.

mod common;

use coexistence_acceptance::emulator::graph::mto::{set_transition_delay, tenant_path, NOT_ADDED};
use common::mto_membership::MTO_MEMBERSHIP;
use common::*;
use serde_json::json;
use std::time::Duration;

/// A tenant that is only ever added (never joins): its membership stays pending.
const PENDING: &str = "6b1f3c2e-9a4d-4e8f-b7c6-2d5a1e0f9c83";

fn config(acc: &Acc, members: &[(&str, &str, &str)], wait: bool) -> String {
    let members = members
        .iter()
        .map(|(id, name, role)| {
            format!(
                "    {} = {{ display_name = {}, role = {} }}",
                q(id),
                q(name),
                q(role)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        r#"{partner_provider}
resource "coexistence_mto_membership" "contoso" {{
  display_name = "Contoso Group"
  member_tenants = {{
{members}
  }}
}}

resource "coexistence_mto_membership" "fabrikam" {{
  provider        = coexistence.fabrikam
  owner_tenant_id = coexistence_mto_membership.contoso.tenant_id
  wait_for_active = {wait}
}}
"#,
        partner_provider = acc.provider_block(&acc.partner, Some("fabrikam")),
    )
}

fn steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc)
        .track(&MTO_MEMBERSHIP, "contoso", &acc.home.tenant_id)
        .track(&MTO_MEMBERSHIP, "fabrikam", &acc.partner.tenant_id)
}

/// Owner create with a member that joins; role change, a pending add (no drift) and its
/// removal in place; destroy of both sides leaves no organization.
#[tokio::test(flavor = "multi_thread")]
async fn owner_and_member_lifecycle() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    steps
        .apply_config(&config(&acc, &[(&partner, "Fabrikam", "member")], true))
        .await;
    let m = acc
        .emu
        .object(&home, &tenant_path(&partner))
        .expect("member in the organization");
    assert_eq!(
        (m["state"].as_str(), m["role"].as_str()),
        (Some("active"), Some("member"))
    );
    let state = acc.tf.resource("coexistence_mto_membership.fabrikam").await;
    assert_eq!(state["state"], "active");

    // Role change in place, plus a tenant that stays pending: the empty plan Steps runs after
    // the apply shows the pending add is no drift.
    steps
        .apply_config(&config(
            &acc,
            &[
                (&partner, "Fabrikam", "owner"),
                (PENDING, "Pending", "member"),
            ],
            true,
        ))
        .await;
    let m = acc.emu.object(&home, &tenant_path(&partner)).unwrap();
    assert_eq!(m["role"], "owner");
    assert_eq!(
        acc.emu.object(&home, &tenant_path(PENDING)).unwrap()["state"],
        "pending"
    );

    // Removing a member in place.
    steps
        .apply_config(&config(&acc, &[(&partner, "Fabrikam", "owner")], true))
        .await;
    assert!(acc.emu.object(&home, &tenant_path(PENDING)).is_none());

    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

/// Owner create with two members, each joining from its own provider alias: one
/// configuration, three providers, one apply, ordered by references alone.
#[tokio::test(flavor = "multi_thread")]
async fn two_members_join_from_two_aliases_in_one_apply() {
    let acc = Acc::start_with_more_tenants(&["Tailspin"]).await;
    let (home, fabrikam, tailspin) = (
        acc.home.tenant_id.clone(),
        acc.partner.tenant_id.clone(),
        acc.more[0].tenant_id.clone(),
    );
    let tailspin_member = format!(
        "{}\nresource \"coexistence_mto_membership\" \"tailspin\" {{\n  provider        = coexistence.tailspin\n  owner_tenant_id = coexistence_mto_membership.contoso.tenant_id\n  wait_for_active = true\n}}\n",
        acc.provider_block(&acc.more[0], Some("tailspin"))
    );
    let hcl = config(
        &acc,
        &[
            (&fabrikam, "Fabrikam", "member"),
            (&tailspin, "Tailspin", "member"),
        ],
        true,
    ) + &tailspin_member;
    let steps = steps(&acc).track(&MTO_MEMBERSHIP, "tailspin", &tailspin);
    steps.apply_config(&hcl).await;
    for t in [&fabrikam, &tailspin] {
        let m = acc.emu.object(&home, &tenant_path(t)).expect("member");
        assert_eq!(m["state"], "active", "{t}: {m:#}");
    }
    steps.destroy().await;
    for t in [&home, &fabrikam, &tailspin] {
        assert_tenant_empty(&acc, t);
    }
}

/// Configurations that mix the sides, pick neither, or carry bad keys and roles fail at plan,
/// naming the attribute, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_rejected_at_plan_without_api_calls() {
    let acc = Acc::start().await;
    let block =
        |body: &str| format!("resource \"coexistence_mto_membership\" \"x\" {{\n{body}\n}}\n");
    let owner = q(&acc.partner.tenant_id);
    let cases = [
        // (needle in the error, the resource body)
        ("\"display_name\" is an owner-side argument", format!("  owner_tenant_id = {owner}\n  display_name = \"G\"")),
        ("Set \"display_name\"", "  description = \"no side\"".to_string()),
        ("\"wait_for_active\" applies only", "  display_name = \"G\"\n  wait_for_active = true".to_string()),
        ("is not one", "  display_name = \"G\"\n  member_tenants = { \"fabrikam\" = { display_name = \"F\", role = \"member\" } }".to_string()),
        (".role must be \"member\" or \"owner\"", format!("  display_name = \"G\"\n  member_tenants = {{ {owner} = {{ display_name = \"F\", role = \"admin\" }} }}")),
        ("\"not-a-guid\" is not a GUID", "  owner_tenant_id = \"not-a-guid\"".to_string()),
    ];
    for (needle, body) in cases {
        acc.config(&block(&body));
        acc.tf.plan_expect_error(needle).await;
        let reqs = acc.emu.requests();
        assert!(reqs.is_empty(), "{needle}: reached the network: {reqs:#?}");
    }
}

/// A join the owner did not prepare fails with the service's reason, which stays in state
/// (`state = "failed"`, `failure_details`) for `terraform show` and the next plan, whether the
/// apply waited for it or not; the destroy withdraws it.
#[tokio::test(flavor = "multi_thread")]
async fn failed_join_reports_the_reason() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    steps.config(&config(&acc, &[], true));
    steps.apply_expect_error(NOT_ADDED).await;
    let failed = acc.tf.resource("coexistence_mto_membership.fabrikam").await;
    assert_eq!(
        (&failed["state"], &failed["failure_details"]),
        (&json!("failed"), &json!(NOT_ADDED)),
        "{failed:#}"
    );
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);

    // Without waiting, the apply succeeds with the join pending; a refresh finds it failed and
    // keeps the reason, and every plan says it.
    set_transition_delay(&acc.partner.tenant_id, Duration::from_secs(1));
    steps.config(&config(&acc, &[], false));
    acc.tf.apply().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    acc.tf
        .run_ok(&["apply", "-refresh-only", "-auto-approve"])
        .await;
    let failed = acc.tf.resource("coexistence_mto_membership.fabrikam").await;
    assert_eq!(
        (&failed["state"], &failed["failure_details"]),
        (&json!("failed"), &json!(NOT_ADDED)),
        "{failed:#}"
    );
    let plan = acc.tf.run_ok(&["plan", "-input=false", "-no-color"]).await;
    let said = normalize(&plan.combined());
    assert!(
        said.contains("Warning: Joining the multitenant organization failed")
            && said.contains(&format!(
                "This tenant's join of the multitenant organization of tenant {} failed: {}.",
                acc.home.tenant_id,
                NOT_ADDED.trim_end_matches('.')
            )),
        "{plan}"
    );
    set_transition_delay(&acc.partner.tenant_id, Duration::ZERO);
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &acc.partner.tenant_id);
}

/// An import ID naming the wrong tenant is refused before anything enters the state, naming
/// the provider or ID to use: the owner side of Contoso through Fabrikam's provider (whose
/// destroy would otherwise dismantle Contoso's organization), and Contoso as a member of its
/// own organization. Neither tenant sees a request.
#[tokio::test(flavor = "multi_thread")]
async fn import_through_the_wrong_tenants_provider_is_refused() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    let (home, partner) = (acc.home.tenant_id.clone(), acc.partner.tenant_id.clone());
    let joined = config(&acc, &[(&partner, "Fabrikam", "member")], true);
    steps.apply_config(&joined).await;
    let before = (acc.emu.objects(&home), acc.emu.objects(&partner));
    steps.config(&format!(
        r#"{joined}
resource "coexistence_mto_membership" "through_fabrikam" {{
  provider     = coexistence.fabrikam
  display_name = "Contoso Group"
}}

resource "coexistence_mto_membership" "own_member" {{
  owner_tenant_id = {home_q}
}}
"#,
        home_q = q(&home)
    ));
    acc.emu.clear_requests();
    let out = acc
        .tf
        .import_expect_error(
            "coexistence_mto_membership.through_fabrikam",
            &format!("owner/{home}"),
            &format!("but this provider signs in to tenant {partner}"),
        )
        .await;
    let said = normalize(&out.stderr);
    assert!(
        said.contains(&format!("the provider whose tenant_id is {home}"))
            && said.contains("member/<owner tenant GUID>"),
        "{out}"
    );
    acc.tf
        .import_expect_error(
            "coexistence_mto_membership.own_member",
            &format!("member/{home}"),
            "a tenant is not a member of its own organization",
        )
        .await;
    let graph: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("multiTenantOrganization"))
        .collect();
    assert!(
        graph.is_empty(),
        "no request reached the organization: {graph:#?}"
    );
    for a in ["through_fabrikam", "own_member"] {
        let address = format!("coexistence_mto_membership.{a}");
        assert!(
            acc.tf.try_resource(&address).await.is_none(),
            "{address} in state"
        );
    }
    assert_eq!(
        (acc.emu.objects(&home), acc.emu.objects(&partner)),
        before,
        "nothing changed in either tenant"
    );
    steps.config(&joined);
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
    assert_tenant_empty(&acc, &partner);
}

/// `wait_for_active` waits for a join that takes a while (2 s), and gives up at the create
/// deadline with a message saying what it waited for and which timeout to raise; the join
/// request stays in state (tainted), and destroy withdraws it.
#[tokio::test(flavor = "multi_thread")]
async fn wait_for_active_waits_then_times_out() {
    let acc = Acc::start().await;
    let steps = steps(&acc);
    let partner = acc.partner.tenant_id.clone();
    let members = [(partner.as_str(), "Fabrikam", "member")];
    set_transition_delay(&partner, Duration::from_secs(2));
    steps.apply_config(&config(&acc, &members, true)).await;
    let joined = acc.tf.resource("coexistence_mto_membership.fabrikam").await;
    assert_eq!(joined["state"], "active", "{joined:#}");
    steps.destroy().await;

    // A join that would settle in an hour, under a 3 s create timeout.
    set_transition_delay(&partner, Duration::from_secs(3600));
    let slow = config(&acc, &members, true).replace(
        "  wait_for_active = true\n",
        "  wait_for_active = true\n  timeouts        = { create = \"3s\" }\n",
    );
    steps.config(&slow);
    let out = steps
        .apply_expect_error("The create timeout is 3s (from `timeouts`)")
        .await;
    assert!(
        out.combined().contains("to be active or failed"),
        "the error says what it waited for:\n{out}"
    );
    assert!(acc.tf.is_tainted("coexistence_mto_membership.fabrikam"));
    set_transition_delay(&partner, Duration::ZERO);
    steps.destroy().await;
    assert_tenant_empty(&acc, &acc.home.tenant_id);
    assert_tenant_empty(&acc, &partner);
}

/// A member removed out of band is drift on that member (`member_tenants.<guid>`); the next apply adds it back.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_removal_is_drift() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    let steps = Steps::new(&acc).track(&MTO_MEMBERSHIP, "contoso", &home);
    let owner_only = format!(
        "resource \"coexistence_mto_membership\" \"contoso\" {{\n  display_name = \"Contoso Group\"\n  member_tenants = {{ {} = {{ display_name = \"Pending\", role = \"member\" }} }}\n}}\n",
        q(PENDING)
    );
    steps.apply_config(&owner_only).await;
    assert!(acc.emu.delete_object(&home, &tenant_path(PENDING)));
    acc.tf
        .plan_expect_changed_paths(
            "coexistence_mto_membership.contoso",
            &[&format!("member_tenants.{PENDING}"), "member_states"],
        )
        .await;
    steps.apply().await;
    assert_eq!(
        acc.emu.object(&home, &tenant_path(PENDING)).unwrap()["state"],
        "pending"
    );
    steps.destroy().await;
    assert_tenant_empty(&acc, &home);
}

/// A tenant already in an organization Terraform does not manage (here: made by an earlier
/// apply, then forgotten with `state rm`): the create looks first and is refused, naming the
/// organization and the import ID, without any write.
#[tokio::test(flavor = "multi_thread")]
async fn owner_create_in_a_tenant_already_in_an_organization_is_refused() {
    let acc = Acc::start().await;
    let home = acc.home.tenant_id.clone();
    acc.config("resource \"coexistence_mto_membership\" \"contoso\" {\n  display_name = \"Contoso Group\"\n}\n");
    acc.tf.apply().await;
    acc.tf
        .run_ok(&["state", "rm", "coexistence_mto_membership.contoso"])
        .await;
    let before = acc.emu.objects(&home);
    acc.emu.clear_requests();
    let out = acc
        .tf
        .apply_expect_error("This tenant's multitenant organization \"Contoso Group\"")
        .await;
    assert!(
        normalize(&out.stderr).contains(&format!("already exists (import ID: owner/{home})")),
        "{out}"
    );
    assert!(
        acc.tf.state_list().await.is_empty(),
        "nothing entered the state"
    );
    let writes: Vec<_> = acc
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.contains("multiTenantOrganization"))
        .collect();
    assert!(writes.is_empty(), "no write: {writes:#?}");
    assert_eq!(
        acc.emu.objects(&home),
        before,
        "the organization is untouched"
    );
    // Adopting it as the diagnostic says, then destroying, leaves nothing.
    acc.tf
        .run_ok(&[
            "import",
            "coexistence_mto_membership.contoso",
            &format!("owner/{home}"),
        ])
        .await;
    acc.tf.plan_expect_empty().await;
    acc.tf.destroy().await;
    assert_tenant_empty(&acc, &home);
}
