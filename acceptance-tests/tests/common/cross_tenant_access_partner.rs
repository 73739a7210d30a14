//! The cross-tenant access partner: HCL builders, the Graph JSON they must produce, and the
//! harness's description of the resource (where its objects live, how it is imported).

use serde_json::{json, Value};

use super::{q, Acc, ResourceType, Steps};

pub const PARTNER_TYPE: &str = coexistence::resources::cross_tenant_access_partner::TYPE_NAME;
/// Address of the partner resource most scenarios manage.
pub const ADDR: &str = "coexistence_cross_tenant_access_partner.fabrikam";

/// Graph path of a partner configuration.
pub fn partner_path(partner_tenant_id: &str) -> String {
    format!(
        "/policies/crossTenantAccessPolicy/partners/{}",
        partner_tenant_id.to_ascii_lowercase()
    )
}

/// Graph path of a partner's identity synchronization policy.
pub fn sync_path(partner_tenant_id: &str) -> String {
    format!(
        "{}/identitySynchronization",
        partner_path(partner_tenant_id)
    )
}

/// How the harness finds a partner in the emulator (in the tenant of its provider) and imports
/// it: by the partner's tenant GUID, its `id`. Its identity synchronization policy lives below
/// its path, so the default `owns` covers it.
pub static PARTNER: ResourceType = ResourceType {
    type_name: PARTNER_TYPE,
    path: |s| partner_path(s["tenant_id"].as_str().expect("tenant_id in state")),
    ..super::DESCRIPTION
};

/// Steps tracking the partner at [`ADDR`] in the home tenant.
pub fn partner_steps(acc: &Acc) -> Steps<'_> {
    Steps::new(acc).track(&PARTNER, "fabrikam", &acc.home.tenant_id)
}

/// One half of a b2b block: `{ access_type = "...", targets = [...] }`.
#[derive(Clone, Debug)]
pub struct Half {
    pub access_type: &'static str,
    pub targets: Vec<(String, &'static str)>,
}

impl Half {
    pub fn new(access_type: &'static str, targets: &[(&str, &'static str)]) -> Half {
        Half {
            access_type,
            targets: targets.iter().map(|(t, ty)| (t.to_string(), *ty)).collect(),
        }
    }

    fn hcl(&self) -> String {
        let targets = self
            .targets
            .iter()
            .map(|(t, ty)| format!("{{ target = {}, target_type = {} }}", q(t), q(ty)))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{{ access_type = {}, targets = [{targets}] }}",
            q(self.access_type)
        )
    }

    fn graph(&self) -> Value {
        json!({
            "accessType": self.access_type,
            "targets": self.targets.iter().map(|(t, ty)| json!({"target": t, "targetType": ty})).collect::<Vec<_>>(),
        })
    }
}

/// A b2b_* block: users_and_groups + applications.
#[derive(Clone, Debug)]
pub struct B2b {
    pub users_and_groups: Half,
    pub applications: Half,
}

impl B2b {
    pub fn new(users_and_groups: Half, applications: Half) -> B2b {
        B2b {
            users_and_groups,
            applications,
        }
    }

    pub fn allow_all() -> B2b {
        B2b::new(
            Half::new("allowed", &[("AllUsers", "user")]),
            Half::new("allowed", &[("AllApplications", "application")]),
        )
    }

    pub fn block_all() -> B2b {
        B2b::new(
            Half::new("blocked", &[("AllUsers", "user")]),
            Half::new("blocked", &[("AllApplications", "application")]),
        )
    }

    fn hcl(&self) -> String {
        format!(
            "{{\n    users_and_groups = {}\n    applications     = {}\n  }}",
            self.users_and_groups.hcl(),
            self.applications.hcl()
        )
    }

    pub fn graph(&self) -> Value {
        json!({
            "usersAndGroups": self.users_and_groups.graph(),
            "applications": self.applications.graph(),
        })
    }
}

/// The partner resource's configuration; `None` = block omitted.
#[derive(Clone, Debug, Default)]
pub struct Partner {
    pub name: String,
    pub tenant_id: String,
    /// `provider = coexistence.<alias>`.
    pub provider_alias: Option<String>,
    pub b2b_collaboration_inbound: Option<B2b>,
    pub b2b_collaboration_outbound: Option<B2b>,
    pub b2b_direct_connect_inbound: Option<B2b>,
    pub b2b_direct_connect_outbound: Option<B2b>,
    /// (mfa, compliant device, hybrid joined device)
    pub inbound_trust: Option<(bool, bool, bool)>,
    /// (inbound, outbound)
    pub automatic_user_consent: Option<(bool, bool)>,
    pub identity_synchronization: Option<bool>,
    /// Raw HCL appended inside the resource body (e.g. `timeouts = { create = "5s" }`).
    pub extra: String,
}

impl Partner {
    /// `resource "coexistence_cross_tenant_access_partner" "fabrikam"` with only tenant_id.
    pub fn minimal(tenant_id: &str) -> Partner {
        Partner {
            name: "fabrikam".into(),
            tenant_id: tenant_id.into(),
            ..Partner::default()
        }
    }

    /// Every block set, with distinct values per block.
    pub fn full(tenant_id: &str) -> Partner {
        let group = "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d";
        Partner {
            b2b_collaboration_inbound: Some(B2b::allow_all()),
            b2b_collaboration_outbound: Some(B2b::new(
                Half::new("allowed", &[(group, "group")]),
                Half::new("allowed", &[("AllApplications", "application")]),
            )),
            b2b_direct_connect_inbound: Some(B2b::new(
                Half::new("allowed", &[("AllUsers", "user")]),
                Half::new("allowed", &[("Office365", "application")]),
            )),
            b2b_direct_connect_outbound: Some(B2b::block_all()),
            inbound_trust: Some((true, true, false)),
            automatic_user_consent: Some((true, false)),
            identity_synchronization: Some(true),
            ..Partner::minimal(tenant_id)
        }
    }

    /// [`Partner::full`] with every block changed.
    pub fn full_changed(tenant_id: &str) -> Partner {
        let group = "0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5";
        Partner {
            b2b_collaboration_inbound: Some(B2b::new(
                Half::new("blocked", &[("AllUsers", "user")]),
                Half::new("allowed", &[("AllApplications", "application")]),
            )),
            b2b_collaboration_outbound: Some(B2b::new(
                Half::new("blocked", &[(group, "group")]),
                Half::new("blocked", &[("AllApplications", "application")]),
            )),
            b2b_direct_connect_inbound: Some(B2b::block_all()),
            b2b_direct_connect_outbound: Some(B2b::allow_all()),
            inbound_trust: Some((false, true, true)),
            automatic_user_consent: Some((false, true)),
            identity_synchronization: Some(false),
            ..Partner::minimal(tenant_id)
        }
    }

    pub fn address(&self) -> String {
        format!("{PARTNER_TYPE}.{}", self.name)
    }

    pub fn hcl(&self) -> String {
        let mut body = String::new();
        if let Some(a) = &self.provider_alias {
            body += &format!("  provider = coexistence.{a}\n");
        }
        body += &format!("  tenant_id = {}\n", q(&self.tenant_id));
        for (attr, b) in [
            ("b2b_collaboration_inbound", &self.b2b_collaboration_inbound),
            (
                "b2b_collaboration_outbound",
                &self.b2b_collaboration_outbound,
            ),
            (
                "b2b_direct_connect_inbound",
                &self.b2b_direct_connect_inbound,
            ),
            (
                "b2b_direct_connect_outbound",
                &self.b2b_direct_connect_outbound,
            ),
        ] {
            if let Some(b) = b {
                body += &format!("  {attr} = {}\n", b.hcl());
            }
        }
        if let Some((mfa, compliant, hybrid)) = self.inbound_trust {
            body += &format!(
                "  inbound_trust = {{ mfa_accepted = {mfa}, compliant_device_accepted = {compliant}, hybrid_joined_device_accepted = {hybrid} }}\n"
            );
        }
        if let Some((inb, outb)) = self.automatic_user_consent {
            body += &format!(
                "  automatic_user_consent = {{ inbound_allowed = {inb}, outbound_allowed = {outb} }}\n"
            );
        }
        if let Some(sync) = self.identity_synchronization {
            body +=
                &format!("  identity_synchronization = {{ user_sync_inbound_allowed = {sync} }}\n");
        }
        body += &self.extra;
        format!(
            "resource \"{PARTNER_TYPE}\" {} {{\n{body}}}\n",
            q(&self.name)
        )
    }

    /// The Graph JSON each property must hold (null for omitted blocks).
    pub fn expected_graph(&self) -> Vec<(&'static str, Value)> {
        let b2b = |b: &Option<B2b>| b.as_ref().map(B2b::graph).unwrap_or(Value::Null);
        vec![
            ("b2bCollaborationInbound", b2b(&self.b2b_collaboration_inbound)),
            ("b2bCollaborationOutbound", b2b(&self.b2b_collaboration_outbound)),
            ("b2bDirectConnectInbound", b2b(&self.b2b_direct_connect_inbound)),
            ("b2bDirectConnectOutbound", b2b(&self.b2b_direct_connect_outbound)),
            (
                "inboundTrust",
                self.inbound_trust
                    .map(|(m, c, h)| {
                        json!({"isMfaAccepted": m, "isCompliantDeviceAccepted": c, "isHybridAzureADJoinedDeviceAccepted": h})
                    })
                    .unwrap_or(Value::Null),
            ),
            (
                "automaticUserConsentSettings",
                self.automatic_user_consent
                    .map(|(i, o)| json!({"inboundAllowed": i, "outboundAllowed": o}))
                    // Graph never nulls this object itself: "inherit" is both members null.
                    .unwrap_or(json!({"inboundAllowed": null, "outboundAllowed": null})),
            ),
        ]
    }
}

/// Sort every `targets` array (a set in the provider) so comparisons ignore order.
pub fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut v = canonical(v);
                    if k == "targets" {
                        if let Value::Array(a) = &mut v {
                            a.sort_by_key(|x| x.to_string());
                        }
                    }
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Assert the emulator's partner object in `tenant` matches `p` block by block, and that the
/// identity synchronization policy exists exactly when configured, with the configured value.
pub fn assert_emulator_matches(acc: &Acc, tenant: &str, p: &Partner) {
    let obj = acc
        .emu
        .object(tenant, &partner_path(&p.tenant_id))
        .unwrap_or_else(|| {
            panic!(
                "emulator tenant {tenant} has no partner {}; objects: {:#?}",
                p.tenant_id,
                acc.emu.objects(tenant)
            )
        });
    assert_eq!(
        obj["tenantId"].as_str().map(str::to_ascii_lowercase),
        Some(p.tenant_id.to_ascii_lowercase()),
        "tenantId of {obj:#}"
    );
    for (key, want) in p.expected_graph() {
        let got = obj.get(key).cloned().unwrap_or(Value::Null);
        assert_eq!(
            canonical(&got),
            canonical(&want),
            "emulator partner property {key} differs\nwhole object: {obj:#}"
        );
    }
    let sync = acc.emu.object(tenant, &sync_path(&p.tenant_id));
    match p.identity_synchronization {
        None => assert!(
            sync.is_none(),
            "identity_synchronization is not configured but the emulator has {sync:#?}"
        ),
        Some(allowed) => {
            let sync = sync.unwrap_or_else(|| {
                panic!("identity_synchronization configured but the emulator has no sync policy")
            });
            assert_eq!(
                sync["userSyncInbound"]["isSyncAllowed"],
                json!(allowed),
                "sync policy: {sync:#}"
            );
        }
    }
}
