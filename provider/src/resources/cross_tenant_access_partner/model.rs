//! The Terraform model of a partner configuration, and its mapping to and from Graph JSON.
//! Every attribute maps both ways, so what Graph stores reads back faithfully (drift shows on the
//! attribute that changed) and nothing the user did not write is ever sent.

use crate::framework::Value;
use serde_json::{json, Value as Json};

/// The four B2B settings: Terraform attribute name, Graph property name.
pub const B2B_SETTINGS: [(&str, &str); 4] = [
    ("b2b_collaboration_inbound", "b2bCollaborationInbound"),
    ("b2b_collaboration_outbound", "b2bCollaborationOutbound"),
    ("b2b_direct_connect_inbound", "b2bDirectConnectInbound"),
    ("b2b_direct_connect_outbound", "b2bDirectConnectOutbound"),
];

#[derive(Clone, Debug, PartialEq)]
pub struct Partner {
    pub tenant_id: String,
    /// In the order of [`B2B_SETTINGS`]; `None` inherits the default policy.
    pub b2b: [Option<B2bSetting>; 4],
    pub inbound_trust: Option<InboundTrust>,
    pub automatic_user_consent: Option<AutoConsent>,
    pub identity_synchronization: Option<IdentitySync>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct B2bSetting {
    pub users_and_groups: Option<TargetConfig>,
    pub applications: Option<TargetConfig>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetConfig {
    pub access_type: Option<String>,
    /// Set semantics: order never matters.
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub target: Option<String>,
    pub target_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InboundTrust {
    pub mfa_accepted: Option<bool>,
    pub compliant_device_accepted: Option<bool>,
    pub hybrid_joined_device_accepted: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AutoConsent {
    pub inbound_allowed: Option<bool>,
    pub outbound_allowed: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IdentitySync {
    pub user_sync_inbound_allowed: Option<bool>,
}

// ---- Terraform value -> model -------------------------------------------------------------

fn opt<T>(v: &Value, f: impl FnOnce(&Value) -> T) -> Option<T> {
    (!v.is_null() && v.is_known()).then(|| f(v))
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

impl Partner {
    pub fn from_value(v: &Value) -> Partner {
        Partner {
            tenant_id: v.get("tenant_id").as_str().unwrap_or_default().to_string(),
            b2b: B2B_SETTINGS.map(|(tf, _)| opt(v.get(tf), B2bSetting::from_value)),
            inbound_trust: opt(v.get("inbound_trust"), |t| InboundTrust {
                mfa_accepted: t.get("mfa_accepted").as_bool(),
                compliant_device_accepted: t.get("compliant_device_accepted").as_bool(),
                hybrid_joined_device_accepted: t.get("hybrid_joined_device_accepted").as_bool(),
            }),
            automatic_user_consent: opt(v.get("automatic_user_consent"), |c| AutoConsent {
                inbound_allowed: c.get("inbound_allowed").as_bool(),
                outbound_allowed: c.get("outbound_allowed").as_bool(),
            }),
            identity_synchronization: opt(v.get("identity_synchronization"), |i| IdentitySync {
                user_sync_inbound_allowed: i.get("user_sync_inbound_allowed").as_bool(),
            }),
        }
    }

    /// The Terraform state value (without `timeouts`, which the framework carries over).
    pub fn to_value(&self) -> Value {
        let mut attrs = vec![
            // The ID is the canonical (lowercase) GUID, stable however tenant_id is spelled.
            ("id", Value::string(self.tenant_id.to_ascii_lowercase())),
            ("tenant_id", Value::string(&self.tenant_id)),
            (
                "inbound_trust",
                self.inbound_trust.as_ref().map_or(Value::Null, |t| {
                    Value::object([
                        ("mfa_accepted", Value::opt_bool(t.mfa_accepted)),
                        (
                            "compliant_device_accepted",
                            Value::opt_bool(t.compliant_device_accepted),
                        ),
                        (
                            "hybrid_joined_device_accepted",
                            Value::opt_bool(t.hybrid_joined_device_accepted),
                        ),
                    ])
                }),
            ),
            (
                "automatic_user_consent",
                self.automatic_user_consent
                    .as_ref()
                    .map_or(Value::Null, |c| {
                        Value::object([
                            ("inbound_allowed", Value::opt_bool(c.inbound_allowed)),
                            ("outbound_allowed", Value::opt_bool(c.outbound_allowed)),
                        ])
                    }),
            ),
            (
                "identity_synchronization",
                self.identity_synchronization
                    .as_ref()
                    .map_or(Value::Null, |i| {
                        Value::object([(
                            "user_sync_inbound_allowed",
                            Value::opt_bool(i.user_sync_inbound_allowed),
                        )])
                    }),
            ),
            ("timeouts", Value::Null),
        ];
        for (i, (tf, _)) in B2B_SETTINGS.iter().enumerate() {
            attrs.push((
                tf,
                self.b2b[i]
                    .as_ref()
                    .map_or(Value::Null, B2bSetting::to_value),
            ));
        }
        Value::object(attrs)
    }
}

impl B2bSetting {
    fn from_value(v: &Value) -> B2bSetting {
        B2bSetting {
            users_and_groups: opt(v.get("users_and_groups"), TargetConfig::from_value),
            applications: opt(v.get("applications"), TargetConfig::from_value),
        }
    }
    fn to_value(&self) -> Value {
        let half =
            |t: &Option<TargetConfig>| t.as_ref().map_or(Value::Null, TargetConfig::to_value);
        Value::object([
            ("users_and_groups", half(&self.users_and_groups)),
            ("applications", half(&self.applications)),
        ])
    }
}

impl TargetConfig {
    fn from_value(v: &Value) -> TargetConfig {
        TargetConfig {
            access_type: s(v.get("access_type")),
            targets: v
                .get("targets")
                .elements()
                .iter()
                .map(|t| Target {
                    target: s(t.get("target")),
                    target_type: s(t.get("target_type")),
                })
                .collect(),
        }
    }
    fn to_value(&self) -> Value {
        Value::object([
            (
                "access_type",
                Value::opt_string(self.access_type.as_deref()),
            ),
            (
                "targets",
                Value::Set(
                    self.targets
                        .iter()
                        .map(|t| {
                            Value::object([
                                ("target", Value::opt_string(t.target.as_deref())),
                                ("target_type", Value::opt_string(t.target_type.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

// ---- model -> Graph JSON ------------------------------------------------------------------

impl Partner {
    /// Every setting, whole: PATCH replaces each complex property, and a removed block is sent
    /// as null so the partner inherits the default policy again.
    pub fn settings_json(&self) -> serde_json::Map<String, Json> {
        let mut m = serde_json::Map::new();
        for (i, (_, graph)) in B2B_SETTINGS.iter().enumerate() {
            m.insert(
                graph.to_string(),
                self.b2b[i].as_ref().map_or(Json::Null, B2bSetting::to_json),
            );
        }
        m.insert(
            "inboundTrust".into(),
            self.inbound_trust.as_ref().map_or(Json::Null, |t| {
                json!({
                    "isMfaAccepted": t.mfa_accepted,
                    "isCompliantDeviceAccepted": t.compliant_device_accepted,
                    "isHybridAzureADJoinedDeviceAccepted": t.hybrid_joined_device_accepted,
                })
            }),
        );
        // Graph never returns this property as null, only as an object of nulls: send that shape
        // to reset it.
        let c = self.automatic_user_consent.clone().unwrap_or(AutoConsent {
            inbound_allowed: None,
            outbound_allowed: None,
        });
        m.insert(
            "automaticUserConsentSettings".into(),
            json!({"inboundAllowed": c.inbound_allowed, "outboundAllowed": c.outbound_allowed}),
        );
        m
    }

    /// POST body: the key plus every setting.
    pub fn create_json(&self) -> Json {
        let mut m = self.settings_json();
        m.insert("tenantId".into(), Json::String(self.tenant_id.clone()));
        Json::Object(m)
    }
}

impl B2bSetting {
    fn to_json(&self) -> Json {
        let half = |t: &Option<TargetConfig>| t.as_ref().map_or(Json::Null, TargetConfig::to_json);
        json!({"usersAndGroups": half(&self.users_and_groups), "applications": half(&self.applications)})
    }
}

impl TargetConfig {
    fn to_json(&self) -> Json {
        json!({
            "accessType": self.access_type,
            "targets": self.targets.iter().map(|t| json!({"target": t.target, "targetType": t.target_type})).collect::<Vec<_>>(),
        })
    }
}

impl IdentitySync {
    pub fn to_json(&self) -> Json {
        json!({"userSyncInbound": {"isSyncAllowed": self.user_sync_inbound_allowed}})
    }
}

// ---- Graph JSON -> model ------------------------------------------------------------------

fn jb(v: &Json, k: &str) -> Option<bool> {
    v.get(k).and_then(Json::as_bool)
}

fn js(v: &Json, k: &str) -> Option<String> {
    v.get(k).and_then(Json::as_str).map(str::to_string)
}

fn jobj<'a>(v: &'a Json, k: &str) -> Option<&'a Json> {
    v.get(k).filter(|x| x.is_object())
}

impl Partner {
    /// Flattens a partner GET (and the identitySynchronization GET, when it exists).
    pub fn from_graph(partner: &Json, sync: Option<&Json>) -> Partner {
        Partner {
            tenant_id: js(partner, "tenantId").unwrap_or_default(),
            b2b: B2B_SETTINGS.map(|(_, graph)| jobj(partner, graph).map(B2bSetting::from_json)),
            inbound_trust: jobj(partner, "inboundTrust").map(|t| InboundTrust {
                mfa_accepted: jb(t, "isMfaAccepted"),
                compliant_device_accepted: jb(t, "isCompliantDeviceAccepted"),
                hybrid_joined_device_accepted: jb(t, "isHybridAzureADJoinedDeviceAccepted"),
            }),
            // Graph returns {inboundAllowed: null, outboundAllowed: null} for "not configured":
            // that is our null.
            automatic_user_consent: jobj(partner, "automaticUserConsentSettings")
                .map(|c| AutoConsent {
                    inbound_allowed: jb(c, "inboundAllowed"),
                    outbound_allowed: jb(c, "outboundAllowed"),
                })
                .filter(|c| c.inbound_allowed.is_some() || c.outbound_allowed.is_some()),
            identity_synchronization: sync.map(|s| IdentitySync {
                user_sync_inbound_allowed: s
                    .get("userSyncInbound")
                    .and_then(|u| jb(u, "isSyncAllowed")),
            }),
        }
    }
}

impl B2bSetting {
    fn from_json(v: &Json) -> B2bSetting {
        B2bSetting {
            users_and_groups: jobj(v, "usersAndGroups").map(TargetConfig::from_json),
            applications: jobj(v, "applications").map(TargetConfig::from_json),
        }
    }
}

impl TargetConfig {
    fn from_json(v: &Json) -> TargetConfig {
        TargetConfig {
            access_type: js(v, "accessType"),
            targets: v
                .get("targets")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .map(|t| Target {
                            target: js(t, "target"),
                            target_type: js(t, "targetType"),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
