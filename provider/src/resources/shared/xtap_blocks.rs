//! The cross-tenant access blocks a partner configuration shares with the tenant's default
//! policy: the four B2B settings (each two target configurations), inbound trust and automatic
//! user consent. Here, once: their schema builders, the target rules checked at plan, their
//! model structs and their mapping to and from Graph JSON.

use crate::framework::validators::{one_of, size_at_least};
use crate::framework::{AttrPath, Attribute, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// The four B2B settings: Terraform attribute name, Graph property name.
pub const B2B_SETTINGS: [(&str, &str); 4] = [
    ("b2b_collaboration_inbound", "b2bCollaborationInbound"),
    ("b2b_collaboration_outbound", "b2bCollaborationOutbound"),
    ("b2b_direct_connect_inbound", "b2bDirectConnectInbound"),
    ("b2b_direct_connect_outbound", "b2bDirectConnectOutbound"),
];

// ---- schema ---------------------------------------------------------------------------------

const ACCESS_TYPES: &[&str] = &["allowed", "blocked"];
const TARGET_TYPES: &[&str] = &["user", "group", "application"];
/// Keyword targets and the only target type each may be paired with.
const KEYWORDS: &[(&str, &str)] = &[
    ("AllUsers", "user"),
    ("AllApplications", "application"),
    ("Office365", "application"),
    ("AllMicrosoftApps", "application"),
];

pub fn target_config(name: &str, what: &str) -> Attribute {
    Attribute::single(
        name,
        vec![
            Attribute::string("access_type")
                .required()
                .description("`allowed` or `blocked`: what applies to the listed targets. Everything not listed gets the opposite.")
                .validate(one_of(ACCESS_TYPES)),
            Attribute::set_of(
                "targets",
                vec![
                    Attribute::string("target").required().description(
                        "Object ID of a user, group or application, or a keyword: `AllUsers`, `AllApplications`, `Office365`, `AllMicrosoftApps`.",
                    ),
                    Attribute::string("target_type")
                        .required()
                        .description("`user`, `group` or `application`. Keywords pair with `user` (`AllUsers`) or `application` (the others).")
                        .validate(one_of(TARGET_TYPES)),
                ],
            )
            .required()
            .description("The users, groups or applications the access type applies to. A set: order never matters.")
            .validate(size_at_least(1)),
        ],
    )
    .required()
    .description(what)
}

pub fn b2b_setting(name: &str, what: &str) -> Attribute {
    Attribute::single(
        name,
        vec![
            target_config(
                "users_and_groups",
                "Which users and groups the setting applies to.",
            ),
            target_config("applications", "Which applications the setting applies to."),
        ],
    )
    .optional()
    .description(&format!(
        "{what} Omit it to inherit the tenant's default cross-tenant access settings."
    ))
}

/// An optional block of required booleans, `(name, description)` each (the model's
/// `flag_block!` structs).
pub fn flags(name: &str, fields: &[(&str, &str)]) -> Attribute {
    Attribute::single(
        name,
        fields
            .iter()
            .map(|(field, what)| Attribute::bool(field).required().description(what))
            .collect(),
    )
    .optional()
}

/// Target rules Graph enforces late or not at all: keyword/type pairing, and which target types
/// each half of a B2B setting accepts.
pub fn validate_targets(config: &Value, diags: &mut Diagnostics) {
    validate_targets_of(B2B_SETTINGS.map(|(tf, _)| tf), config, diags)
}

/// [`validate_targets`] over the named blocks of a B2B setting's shape (the default policy adds
/// `tenant_restrictions` to the four B2B settings).
pub fn validate_targets_of<const N: usize>(
    blocks: [&str; N],
    config: &Value,
    diags: &mut Diagnostics,
) {
    for tf in blocks {
        let setting = config.get(tf);
        for (half, allowed) in [
            ("users_and_groups", &["user", "group"][..]),
            ("applications", &["application"][..]),
        ] {
            let path = AttrPath::root().attr(tf).attr(half).attr("targets");
            for t in setting.get(half).get("targets").elements() {
                let (Some(target), Some(ty)) =
                    (t.get("target").as_str(), t.get("target_type").as_str())
                else {
                    continue;
                };
                if TARGET_TYPES.contains(&ty) && !allowed.contains(&ty) {
                    diags.error_at(
                        &path,
                        "Invalid target_type for this list",
                        format!(
                            "{tf}.{half} accepts target_type {}; {target:?} has {ty:?}.",
                            crate::framework::validators::quote_list(allowed)
                        ),
                    );
                }
                if let Some((_, want)) = KEYWORDS.iter().find(|(k, _)| *k == target) {
                    if ty != *want {
                        diags.error_at(
                            &path,
                            "Invalid target_type for keyword",
                            format!(
                                "The keyword {target:?} needs target_type \"{want}\", not {ty:?}."
                            ),
                        );
                    }
                }
            }
        }
    }
}

// ---- model ----------------------------------------------------------------------------------

/// The nested blocks' structs: every one derives the same traits and has public fields named
/// as in the schema, so one declaration says both.
macro_rules! model {
    ($($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),+ $(,)? })+) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            pub struct $name {
                $(pub $field: $ty,)+
            }
        )+
    };
}
model! {
    /// One B2B setting: its two halves.
    B2bSetting { users_and_groups: Option<TargetConfig>, applications: Option<TargetConfig> }
    /// One half: an access type and its targets (set semantics: order never matters).
    TargetConfig { access_type: Option<String>, targets: Vec<Target> }
    Target { target: Option<String>, target_type: Option<String> }
    /// Which partner claims Conditional Access trusts.
    InboundTrust {
        mfa_accepted: Option<bool>,
        compliant_device_accepted: Option<bool>,
        hybrid_joined_device_accepted: Option<bool>,
    }
    /// Automatic invitation redemption, per direction (the schema's `flags` blocks).
    AutoConsent { inbound_allowed: Option<bool>, outbound_allowed: Option<bool> }
}

/// The six blocks a partner configuration and the default policy share, flattened into each
/// model (`#[serde(flatten)]`): the same attribute names, the same Graph properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedBlocks {
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    pub inbound_trust: Option<InboundTrust>,
    pub automatic_user_consent: Option<AutoConsent>,
}

// ---- model <-> Graph JSON -------------------------------------------------------------------

impl B2bSetting {
    pub fn to_json(&self) -> Json {
        let half = |t: &Option<TargetConfig>| t.as_ref().map_or(Json::Null, TargetConfig::to_json);
        json!({"usersAndGroups": half(&self.users_and_groups), "applications": half(&self.applications)})
    }
}

impl TargetConfig {
    pub fn to_json(&self) -> Json {
        json!({
            "accessType": self.access_type,
            "targets": self.targets.iter().map(|t| json!({"target": t.target, "targetType": t.target_type})).collect::<Vec<_>>(),
        })
    }
}

impl InboundTrust {
    pub fn to_json(&self) -> Json {
        json!({
            "isMfaAccepted": self.mfa_accepted,
            "isCompliantDeviceAccepted": self.compliant_device_accepted,
            "isHybridAzureADJoinedDeviceAccepted": self.hybrid_joined_device_accepted,
        })
    }

    pub fn from_json(t: &Json) -> InboundTrust {
        InboundTrust {
            mfa_accepted: jb(t, "isMfaAccepted"),
            compliant_device_accepted: jb(t, "isCompliantDeviceAccepted"),
            hybrid_joined_device_accepted: jb(t, "isHybridAzureADJoinedDeviceAccepted"),
        }
    }
}

impl AutoConsent {
    pub fn to_json(&self) -> Json {
        json!({"inboundAllowed": self.inbound_allowed, "outboundAllowed": self.outbound_allowed})
    }

    pub fn from_json(c: &Json) -> AutoConsent {
        AutoConsent {
            inbound_allowed: jb(c, "inboundAllowed"),
            outbound_allowed: jb(c, "outboundAllowed"),
        }
    }
}

impl B2bSetting {
    pub fn from_json(v: &Json) -> B2bSetting {
        B2bSetting {
            users_and_groups: jobj(v, "usersAndGroups").map(TargetConfig::from_json),
            applications: jobj(v, "applications").map(TargetConfig::from_json),
        }
    }
}

impl TargetConfig {
    pub fn from_json(v: &Json) -> TargetConfig {
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

impl SharedBlocks {
    /// Each block as `(Graph property, its JSON)`, `None` where the block is null.
    pub fn to_graph(&self) -> [(&'static str, Option<Json>); 6] {
        let b2b = |s: &Option<B2bSetting>| s.as_ref().map(B2bSetting::to_json);
        [
            (B2B_SETTINGS[0].1, b2b(&self.b2b_collaboration_inbound)),
            (B2B_SETTINGS[1].1, b2b(&self.b2b_collaboration_outbound)),
            (B2B_SETTINGS[2].1, b2b(&self.b2b_direct_connect_inbound)),
            (B2B_SETTINGS[3].1, b2b(&self.b2b_direct_connect_outbound)),
            (
                "inboundTrust",
                self.inbound_trust.as_ref().map(InboundTrust::to_json),
            ),
            (
                "automaticUserConsentSettings",
                self.automatic_user_consent
                    .as_ref()
                    .map(AutoConsent::to_json),
            ),
        ]
    }

    /// Every block of a Graph answer, as Graph holds it.
    pub fn from_graph(v: &Json) -> SharedBlocks {
        let b2b = |i: usize| jobj(v, B2B_SETTINGS[i].1).map(B2bSetting::from_json);
        SharedBlocks {
            b2b_collaboration_inbound: b2b(0),
            b2b_collaboration_outbound: b2b(1),
            b2b_direct_connect_inbound: b2b(2),
            b2b_direct_connect_outbound: b2b(3),
            inbound_trust: jobj(v, "inboundTrust").map(InboundTrust::from_json),
            automatic_user_consent: jobj(v, "automaticUserConsentSettings")
                .map(AutoConsent::from_json),
        }
    }

    /// Each block of `self`, or `other`'s where `self`'s is null.
    pub fn or(self, other: SharedBlocks) -> SharedBlocks {
        SharedBlocks {
            b2b_collaboration_inbound: self
                .b2b_collaboration_inbound
                .or(other.b2b_collaboration_inbound),
            b2b_collaboration_outbound: self
                .b2b_collaboration_outbound
                .or(other.b2b_collaboration_outbound),
            b2b_direct_connect_inbound: self
                .b2b_direct_connect_inbound
                .or(other.b2b_direct_connect_inbound),
            b2b_direct_connect_outbound: self
                .b2b_direct_connect_outbound
                .or(other.b2b_direct_connect_outbound),
            inbound_trust: self.inbound_trust.or(other.inbound_trust),
            automatic_user_consent: self.automatic_user_consent.or(other.automatic_user_consent),
        }
    }
}

// ---- Graph JSON helpers ---------------------------------------------------------------------

pub fn jb(v: &Json, k: &str) -> Option<bool> {
    v.get(k).and_then(Json::as_bool)
}

pub fn js(v: &Json, k: &str) -> Option<String> {
    v.get(k).and_then(Json::as_str).map(str::to_string)
}

pub fn jobj<'a>(v: &'a Json, k: &str) -> Option<&'a Json> {
    v.get(k).filter(|x| x.is_object())
}
