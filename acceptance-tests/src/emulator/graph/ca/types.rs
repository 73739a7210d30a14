//! The Conditional Access types of the v1.0 CSDL that the emulator validates policy bodies
//! against (`microsoft.graph.<name>`). Facts: csdl
//! (API-NOTES.md#ca-1007, API-NOTES.md#ca-types).
//!
//! `externalTenants` is abstract (two derived types told apart by `@odata.type`), which the
//! schema walker cannot express: it is checked by hand in [`super::validate`] and left out of
//! [`GUESTS`] here.

use crate::emulator::graph::schema::{EnumType, ObjType, Prop, Ty};

pub static POLICY_STATE: EnumType = EnumType {
    name: "conditionalAccessPolicyState",
    members: &["enabled", "disabled", "enabledForReportingButNotEnforced"],
};
static CLIENT_APP: EnumType = EnumType {
    name: "conditionalAccessClientApp",
    members: &[
        "all",
        "browser",
        "mobileAppsAndDesktopClients",
        "exchangeActiveSync",
        "easSupported",
        "other",
    ],
};
static CLIENT_APP_TY: Ty = Ty::Enum(&CLIENT_APP);
static RISK_LEVEL: EnumType = EnumType {
    name: "riskLevel",
    members: &["low", "medium", "high", "hidden", "none"],
};
static RISK_TY: Ty = Ty::Enum(&RISK_LEVEL);
static GRANT_CONTROL: EnumType = EnumType {
    name: "conditionalAccessGrantControl",
    members: &[
        "block",
        "mfa",
        "compliantDevice",
        "domainJoinedDevice",
        "approvedApplication",
        "compliantApplication",
        "passwordChange",
        "riskRemediation",
    ],
};
static GRANT_TY: Ty = Ty::Enum(&GRANT_CONTROL);
static DEVICE_PLATFORM: EnumType = EnumType {
    name: "conditionalAccessDevicePlatform",
    members: &[
        "android",
        "iOS",
        "windows",
        "windowsPhone",
        "macOS",
        "all",
        "linux",
    ],
};
static PLATFORM_TY: Ty = Ty::Enum(&DEVICE_PLATFORM);
static FILTER_MODE: EnumType = EnumType {
    name: "filterMode",
    members: &["include", "exclude"],
};
static STR: Ty = Ty::Str;
static TRANSFER_METHODS: EnumType = EnumType {
    name: "conditionalAccessTransferMethods",
    members: &["none", "deviceCodeFlow", "authenticationTransfer"],
};
static INSIDER_RISK_LEVELS: EnumType = EnumType {
    name: "conditionalAccessInsiderRiskLevels",
    members: &["minor", "moderate", "elevated"],
};
static CLOUD_APP_SECURITY_TYPE: EnumType = EnumType {
    name: "cloudAppSecuritySessionControlType",
    members: &["mcasConfigured", "monitorOnly", "blockDownloads"],
};
static PERSISTENT_BROWSER_MODE: EnumType = EnumType {
    name: "persistentBrowserSessionMode",
    members: &["always", "never"],
};
static SIGN_IN_FREQUENCY_TYPE: EnumType = EnumType {
    name: "signinFrequencyType",
    members: &["days", "hours"],
};
static SIGN_IN_FREQUENCY_AUTH: EnumType = EnumType {
    name: "signInFrequencyAuthenticationType",
    members: &[
        "primaryAndSecondaryAuthentication",
        "secondaryAuthentication",
    ],
};
static SIGN_IN_FREQUENCY_INTERVAL: EnumType = EnumType {
    name: "signInFrequencyInterval",
    members: &["timeBased", "everyTime"],
};

/// The members of the `conditionalAccessGuestOrExternalUserTypes` flags enum a client may send
/// (`unknownFutureValue` excluded), for the comma-separated string.
pub const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];
static GUEST_TYPES_ENUM: EnumType = EnumType {
    name: "conditionalAccessGuestOrExternalUserTypes",
    members: GUEST_TYPES,
};

static FILTER: ObjType = ObjType {
    name: "conditionalAccessFilter",
    props: &[
        Prop::rw("mode", Ty::Enum(&FILTER_MODE)).non_null(),
        Prop::rw("rule", Ty::Str).non_null(),
    ],
};

pub static APPLICATIONS: ObjType = ObjType {
    name: "conditionalAccessApplications",
    props: &[
        Prop::rw("includeApplications", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeApplications", Ty::Coll(&STR)).non_null(),
        Prop::rw("includeUserActions", Ty::Coll(&STR)).non_null(),
        Prop::rw(
            "includeAuthenticationContextClassReferences",
            Ty::Coll(&STR),
        )
        .non_null(),
        Prop::rw("applicationFilter", Ty::Obj(&FILTER)),
    ],
};

/// `conditionalAccessGuestsOrExternalUsers` without `externalTenants` (checked by hand).
pub static GUESTS: ObjType = ObjType {
    name: "conditionalAccessGuestsOrExternalUsers",
    props: &[Prop::rw("guestOrExternalUserTypes", Ty::Flags(&GUEST_TYPES_ENUM)).non_null()],
};

pub static USERS: ObjType = ObjType {
    name: "conditionalAccessUsers",
    props: &[
        Prop::rw("includeUsers", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeUsers", Ty::Coll(&STR)).non_null(),
        Prop::rw("includeGroups", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeGroups", Ty::Coll(&STR)).non_null(),
        Prop::rw("includeRoles", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeRoles", Ty::Coll(&STR)).non_null(),
        Prop::rw("includeGuestsOrExternalUsers", Ty::Obj(&GUESTS)),
        Prop::rw("excludeGuestsOrExternalUsers", Ty::Obj(&GUESTS)),
    ],
};

static PLATFORMS: ObjType = ObjType {
    name: "conditionalAccessPlatforms",
    props: &[
        Prop::rw("includePlatforms", Ty::Coll(&PLATFORM_TY)).non_null(),
        Prop::rw("excludePlatforms", Ty::Coll(&PLATFORM_TY)).non_null(),
    ],
};
static LOCATIONS: ObjType = ObjType {
    name: "conditionalAccessLocations",
    props: &[
        Prop::rw("includeLocations", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeLocations", Ty::Coll(&STR)).non_null(),
    ],
};
static DEVICES: ObjType = ObjType {
    name: "conditionalAccessDevices",
    props: &[Prop::rw("deviceFilter", Ty::Obj(&FILTER))],
};
static CLIENT_APPLICATIONS: ObjType = ObjType {
    name: "conditionalAccessClientApplications",
    props: &[
        Prop::rw("includeServicePrincipals", Ty::Coll(&STR)).non_null(),
        Prop::rw("excludeServicePrincipals", Ty::Coll(&STR)).non_null(),
        Prop::rw("servicePrincipalFilter", Ty::Obj(&FILTER)),
    ],
};
static AUTH_FLOWS: ObjType = ObjType {
    name: "conditionalAccessAuthenticationFlows",
    props: &[Prop::rw("transferMethods", Ty::Flags(&TRANSFER_METHODS)).non_null()],
};

pub static CONDITIONS: ObjType = ObjType {
    name: "conditionalAccessConditionSet",
    props: &[
        Prop::rw("applications", Ty::Obj(&APPLICATIONS)),
        Prop::rw("users", Ty::Obj(&USERS)),
        Prop::rw("clientAppTypes", Ty::Coll(&CLIENT_APP_TY)).non_null(),
        Prop::rw("platforms", Ty::Obj(&PLATFORMS)),
        Prop::rw("locations", Ty::Obj(&LOCATIONS)),
        Prop::rw("devices", Ty::Obj(&DEVICES)),
        Prop::rw("clientApplications", Ty::Obj(&CLIENT_APPLICATIONS)),
        Prop::rw("signInRiskLevels", Ty::Coll(&RISK_TY)).non_null(),
        Prop::rw("userRiskLevels", Ty::Coll(&RISK_TY)).non_null(),
        Prop::rw("servicePrincipalRiskLevels", Ty::Coll(&RISK_TY)).non_null(),
        Prop::rw("insiderRiskLevels", Ty::Flags(&INSIDER_RISK_LEVELS)),
        Prop::rw("authenticationFlows", Ty::Obj(&AUTH_FLOWS)),
    ],
};

/// The authentication strength a policy requires, written as a reference (`{"id": ...}`, the
/// documented write form); the other members are the strength policy's own.
static AUTH_STRENGTH_REF: ObjType = ObjType {
    name: "authenticationStrengthPolicy",
    props: &[Prop::rw("id", Ty::Str).non_null()],
};

pub static GRANT_CONTROLS: ObjType = ObjType {
    name: "conditionalAccessGrantControls",
    props: &[
        Prop::rw("operator", Ty::Str),
        Prop::rw("builtInControls", Ty::Coll(&GRANT_TY)).non_null(),
        Prop::rw("customAuthenticationFactors", Ty::Coll(&STR)).non_null(),
        Prop::rw("termsOfUse", Ty::Coll(&STR)).non_null(),
        Prop::nav("authenticationStrength", Ty::Obj(&AUTH_STRENGTH_REF)),
    ],
};

// Each session control is a type derived from the abstract `conditionalAccessSessionControl`,
// named by its own `@odata.type`.
static APP_ENFORCED_RESTRICTIONS: ObjType = ObjType {
    name: "applicationEnforcedRestrictionsSessionControl",
    props: &[Prop::rw("isEnabled", Ty::Bool)],
};
static SECURE_SIGN_IN: ObjType = ObjType {
    name: "secureSignInSessionControl",
    props: &[Prop::rw("isEnabled", Ty::Bool)],
};
static CLOUD_APP_SECURITY: ObjType = ObjType {
    name: "cloudAppSecuritySessionControl",
    props: &[
        Prop::rw("isEnabled", Ty::Bool),
        Prop::rw("cloudAppSecurityType", Ty::Enum(&CLOUD_APP_SECURITY_TYPE)),
    ],
};
static PERSISTENT_BROWSER: ObjType = ObjType {
    name: "persistentBrowserSessionControl",
    props: &[
        Prop::rw("isEnabled", Ty::Bool),
        Prop::rw("mode", Ty::Enum(&PERSISTENT_BROWSER_MODE)),
    ],
};
static SIGN_IN_FREQUENCY: ObjType = ObjType {
    name: "signInFrequencySessionControl",
    props: &[
        Prop::rw("isEnabled", Ty::Bool),
        Prop::rw("value", Ty::Int),
        Prop::rw("type", Ty::Enum(&SIGN_IN_FREQUENCY_TYPE)),
        Prop::rw("authenticationType", Ty::Enum(&SIGN_IN_FREQUENCY_AUTH)),
        Prop::rw("frequencyInterval", Ty::Enum(&SIGN_IN_FREQUENCY_INTERVAL)),
    ],
};

pub static SESSION_CONTROLS: ObjType = ObjType {
    name: "conditionalAccessSessionControls",
    props: &[
        Prop::rw(
            "applicationEnforcedRestrictions",
            Ty::Obj(&APP_ENFORCED_RESTRICTIONS),
        ),
        Prop::rw("cloudAppSecurity", Ty::Obj(&CLOUD_APP_SECURITY)),
        Prop::rw("persistentBrowser", Ty::Obj(&PERSISTENT_BROWSER)),
        Prop::rw("signInFrequency", Ty::Obj(&SIGN_IN_FREQUENCY)),
        Prop::rw("disableResilienceDefaults", Ty::Bool),
        Prop::rw("secureSignInSession", Ty::Obj(&SECURE_SIGN_IN)),
    ],
};

/// `conditionalAccessPolicy` (BaseType `policyDeletableItem`).
pub static POLICY: ObjType = ObjType {
    name: "conditionalAccessPolicy",
    props: &[
        Prop::ro("id", Ty::Str).non_null(),
        Prop::rw("displayName", Ty::Str).non_null(),
        Prop::rw("description", Ty::Str),
        Prop::rw("state", Ty::Enum(&POLICY_STATE)).non_null(),
        Prop::rw("conditions", Ty::Obj(&CONDITIONS)).non_null(),
        Prop::rw("grantControls", Ty::Obj(&GRANT_CONTROLS)),
        Prop::rw("sessionControls", Ty::Obj(&SESSION_CONTROLS)),
        Prop::ro("createdDateTime", Ty::Str),
        Prop::ro("modifiedDateTime", Ty::Str),
        Prop::ro("templateId", Ty::Str),
        Prop::ro("deletedDateTime", Ty::Str),
    ],
};
