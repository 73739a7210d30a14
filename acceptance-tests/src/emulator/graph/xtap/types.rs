//! The cross-tenant access policy types of the v1.0 CSDL that the emulator validates bodies
//! against (`microsoft.graph.<name>`). Facts: csdl (API-NOTES.md#graph-entity-sets).

use crate::emulator::graph::schema::{EnumType, ObjType, Prop, Ty};

pub(super) static ACCESS_TYPE: EnumType = EnumType {
    name: "crossTenantAccessPolicyTargetConfigurationAccessType",
    members: &["allowed", "blocked"],
};
pub(super) static TARGET_TYPE: EnumType = EnumType {
    name: "crossTenantAccessPolicyTargetType",
    members: &["user", "group", "application"],
};
pub(super) static IDP_TYPE: EnumType = EnumType {
    name: "b2bIdentityProvidersType",
    members: &[
        "azureActiveDirectory",
        "externalFederation",
        "socialIdentityProviders",
        "emailOneTimePasscode",
        "microsoftAccount",
        "defaultConfiguredIdp",
    ],
};
pub(super) static IDP_TY: Ty = Ty::Enum(&IDP_TYPE);

pub(super) static TARGET: ObjType = ObjType {
    name: "crossTenantAccessPolicyTarget",
    props: &[
        Prop::rw("target", Ty::Str),
        Prop::rw("targetType", Ty::Enum(&TARGET_TYPE)),
    ],
};
pub(super) static TARGET_TY: Ty = Ty::Obj(&TARGET);
pub(super) static TARGET_CONFIG: ObjType = ObjType {
    name: "crossTenantAccessPolicyTargetConfiguration",
    props: &[
        Prop::rw("accessType", Ty::Enum(&ACCESS_TYPE)),
        Prop::rw("targets", Ty::Coll(&TARGET_TY)),
    ],
};
pub(super) static B2B_SETTING: ObjType = ObjType {
    name: "crossTenantAccessPolicyB2BSetting",
    props: &[
        Prop::rw("usersAndGroups", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("applications", Ty::Obj(&TARGET_CONFIG)),
    ],
};
pub(super) static DEVICES_FILTER: ObjType = ObjType {
    name: "devicesFilter",
    props: &[
        Prop::rw("mode", Ty::Enum(&ACCESS_TYPE)),
        Prop::rw("rule", Ty::Str),
    ],
};
pub(super) static TENANT_RESTRICTIONS: ObjType = ObjType {
    name: "crossTenantAccessPolicyTenantRestrictions",
    props: &[
        Prop::rw("usersAndGroups", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("applications", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("devices", Ty::Obj(&DEVICES_FILTER)),
    ],
};
pub(super) static INBOUND_TRUST: ObjType = ObjType {
    name: "crossTenantAccessPolicyInboundTrust",
    props: &[
        Prop::rw("isMfaAccepted", Ty::Bool),
        Prop::rw("isCompliantDeviceAccepted", Ty::Bool),
        Prop::rw("isHybridAzureADJoinedDeviceAccepted", Ty::Bool),
    ],
};
pub(super) static IN_OUT: ObjType = ObjType {
    name: "inboundOutboundPolicyConfiguration",
    props: &[
        Prop::rw("inboundAllowed", Ty::Bool),
        Prop::rw("outboundAllowed", Ty::Bool),
    ],
};
pub(super) static APP_SERVICE_CONNECT: ObjType = ObjType {
    name: "crossTenantAccessPolicyAppServiceConnectSetting",
    props: &[Prop::rw("applications", Ty::Obj(&TARGET_CONFIG))],
};
pub(super) static M365_INBOUND: ObjType = ObjType {
    name: "crossTenantAccessPolicyM365CollaborationInboundSetting",
    props: &[Prop::rw("users", Ty::Obj(&TARGET_CONFIG))],
};
pub(super) static M365_OUTBOUND: ObjType = ObjType {
    name: "crossTenantAccessPolicyM365CollaborationOutboundSetting",
    props: &[Prop::rw("usersAndGroups", Ty::Obj(&TARGET_CONFIG))],
};
pub(super) static USER_SYNC_INBOUND: ObjType = ObjType {
    name: "crossTenantUserSyncInbound",
    props: &[Prop::rw("isSyncAllowed", Ty::Bool)],
};
pub(super) static IDP_CONFIG: ObjType = ObjType {
    name: "defaultInvitationRedemptionIdentityProviderConfiguration",
    props: &[
        Prop::rw("primaryIdentityProviderPrecedenceOrder", Ty::Coll(&IDP_TY)),
        Prop::rw("fallbackIdentityProvider", Ty::Enum(&IDP_TYPE)),
    ],
};

/// `crossTenantAccessPolicyConfigurationPartner`. The beta-only `crossCloudMeetingConfiguration`
/// and `protectedContentSharing` are not v1.0 properties: refused as unknown
/// (API-NOTES.md#xtap-v1-properties).
pub static PARTNER: ObjType = ObjType {
    name: "crossTenantAccessPolicyConfigurationPartner",
    props: &[
        Prop::rw("tenantId", Ty::Str).non_null().create_only(),
        Prop::rw("inboundTrust", Ty::Obj(&INBOUND_TRUST)),
        Prop::rw("b2bCollaborationInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bCollaborationOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("automaticUserConsentSettings", Ty::Obj(&IN_OUT)),
        Prop::rw("tenantRestrictions", Ty::Obj(&TENANT_RESTRICTIONS)),
        Prop::rw("isServiceProvider", Ty::Bool),
        Prop::ro("isInMultiTenantOrganization", Ty::Bool),
        Prop::rw("appServiceConnectInbound", Ty::Obj(&APP_SERVICE_CONNECT)),
        Prop::rw("m365CollaborationInbound", Ty::Obj(&M365_INBOUND)),
        Prop::rw("m365CollaborationOutbound", Ty::Obj(&M365_OUTBOUND)),
    ],
};

/// `crossTenantIdentitySyncPolicyPartner`.
pub static IDENTITY_SYNC: ObjType = ObjType {
    name: "crossTenantIdentitySyncPolicyPartner",
    props: &[
        Prop::ro("tenantId", Ty::Str).non_null(),
        Prop::rw("displayName", Ty::Str),
        Prop::rw("userSyncInbound", Ty::Obj(&USER_SYNC_INBOUND)),
    ],
};

/// `crossTenantAccessPolicyConfigurationDefault`.
pub static DEFAULT: ObjType = ObjType {
    name: "crossTenantAccessPolicyConfigurationDefault",
    props: &[
        Prop::ro("id", Ty::Str).non_null(),
        Prop::ro("isServiceDefault", Ty::Bool),
        Prop::rw("inboundTrust", Ty::Obj(&INBOUND_TRUST)),
        Prop::rw("b2bCollaborationInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bCollaborationOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("automaticUserConsentSettings", Ty::Obj(&IN_OUT)),
        Prop::rw("tenantRestrictions", Ty::Obj(&TENANT_RESTRICTIONS)),
        Prop::rw(
            "invitationRedemptionIdentityProviderConfiguration",
            Ty::Obj(&IDP_CONFIG),
        ),
        Prop::rw("appServiceConnectInbound", Ty::Obj(&APP_SERVICE_CONNECT)),
        Prop::rw("m365CollaborationInbound", Ty::Obj(&M365_INBOUND)),
        Prop::rw("m365CollaborationOutbound", Ty::Obj(&M365_OUTBOUND)),
    ],
};
