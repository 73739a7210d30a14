//! The v1.0 CSDL types the XTS routes validate bodies against (`microsoft.graph.<name>`).
//! Facts: csdl (API-NOTES.md#xts-schema,
//! API-NOTES.md#xts-schema-types).
//!
//! `application` and `servicePrincipal` list every property the emulator stores (for
//! `$select`); only the ones a configuration needs are writable, the rest are refused in a
//! PATCH as read-only (stricter than Graph, API-NOTES.md#xts-apps), so their value type is not
//! checked.

use crate::emulator::graph::schema::{EnumType, ObjType, Prop, Ty};

const fn ro(name: &'static str) -> Prop {
    Prop::ro(name, Ty::Str)
}

static STRINGS: Ty = Ty::Str;

pub static APPLICATION: ObjType = ObjType {
    name: "application",
    props: &[
        Prop::rw("displayName", Ty::Str).non_null(),
        Prop::rw("description", Ty::Str),
        Prop::rw("notes", Ty::Str),
        Prop::rw("serviceManagementReference", Ty::Str),
        Prop::rw("tags", Ty::Coll(&STRINGS)).non_null(),
        ro("id"),
        ro("appId"),
        ro("applicationTemplateId"),
        ro("createdDateTime"),
        ro("deletedDateTime"),
        ro("groupMembershipClaims"),
        ro("identifierUris"),
        ro("isFallbackPublicClient"),
        ro("signInAudience"),
        ro("tokenEncryptionKeyId"),
        ro("defaultRedirectUri"),
        ro("optionalClaims"),
        ro("addIns"),
        ro("api"),
        ro("appRoles"),
        ro("info"),
        ro("keyCredentials"),
        ro("parentalControlSettings"),
        ro("passwordCredentials"),
        ro("publicClient"),
        ro("requiredResourceAccess"),
        ro("verifiedPublisher"),
        ro("web"),
    ],
};

pub static SERVICE_PRINCIPAL: ObjType = ObjType {
    name: "servicePrincipal",
    props: &[
        Prop::rw("displayName", Ty::Str).non_null(),
        Prop::rw("description", Ty::Str),
        Prop::rw("notes", Ty::Str),
        Prop::rw("accountEnabled", Ty::Bool),
        Prop::rw("appRoleAssignmentRequired", Ty::Bool).non_null(),
        Prop::rw("notificationEmailAddresses", Ty::Coll(&STRINGS)).non_null(),
        Prop::rw("tags", Ty::Coll(&STRINGS)).non_null(),
        Prop::rw("homepage", Ty::Str),
        Prop::rw("loginUrl", Ty::Str),
        Prop::rw("logoutUrl", Ty::Str),
        ro("id"),
        ro("deletedDateTime"),
        ro("appId"),
        ro("applicationTemplateId"),
        ro("appDisplayName"),
        ro("alternativeNames"),
        ro("appOwnerOrganizationId"),
        ro("preferredSingleSignOnMode"),
        ro("preferredTokenSigningKeyThumbprint"),
        ro("replyUrls"),
        ro("servicePrincipalNames"),
        ro("servicePrincipalType"),
        ro("tokenEncryptionKeyId"),
        ro("samlSingleSignOnSettings"),
        ro("addIns"),
        ro("appRoles"),
        ro("info"),
        ro("keyCredentials"),
        ro("oauth2PermissionScopes"),
        ro("passwordCredentials"),
        ro("verifiedPublisher"),
    ],
};

pub static APP_ROLE_ASSIGNMENT: ObjType = ObjType {
    name: "appRoleAssignment",
    props: &[
        Prop::rw("appRoleId", Ty::Str).non_null(),
        Prop::rw("principalId", Ty::Str),
        Prop::rw("resourceId", Ty::Str),
        ro("id"),
        ro("deletedDateTime"),
        ro("createdDateTime"),
        ro("principalDisplayName"),
        ro("principalType"),
        ro("resourceDisplayName"),
    ],
};

/// `synchronizationSecret` (the key enum of `synchronizationSecretKeyStringValuePair`).
pub(super) static SECRET_KEY: EnumType = EnumType {
    name: "synchronizationSecret",
    members: &[
        "None",
        "UserName",
        "Password",
        "SecretToken",
        "AppKey",
        "BaseAddress",
        "ClientIdentifier",
        "ClientSecret",
        "SingleSignOnType",
        "Sandbox",
        "Url",
        "Domain",
        "ConsumerKey",
        "ConsumerSecret",
        "TokenKey",
        "TokenExpiration",
        "Oauth2AccessToken",
        "Oauth2AccessTokenCreationTime",
        "Oauth2RefreshToken",
        "SyncAll",
        "InstanceName",
        "Oauth2ClientId",
        "Oauth2ClientSecret",
        "CompanyId",
        "UpdateKeyOnSoftDelete",
        "SynchronizationSchedule",
        "SystemOfRecord",
        "SandboxName",
        "EnforceDomain",
        "SyncNotificationSettings",
        "SkipOutOfScopeDeletions",
        "Oauth2AuthorizationCode",
        "Oauth2RedirectUri",
        "ApplicationTemplateIdentifier",
        "Oauth2TokenExchangeUri",
        "Oauth2AuthorizationUri",
        "AuthenticationType",
        "Server",
        "PerformInboundEntitlementGrants",
        "HardDeletesEnabled",
        "SyncAgentCompatibilityKey",
        "SyncAgentADContainer",
        "ValidateDomain",
        "TestReferences",
        "ConnectionString",
    ],
};

/// Keys whose values GET secrets masks as `*` (credentials). API-NOTES.md#xts-secrets
pub(super) const MASKED_SECRETS: &[&str] = &[
    "Password",
    "SecretToken",
    "AppKey",
    "ClientSecret",
    "ConsumerSecret",
    "TokenKey",
    "Oauth2AccessToken",
    "Oauth2RefreshToken",
    "Oauth2ClientSecret",
    "Oauth2AuthorizationCode",
    "ConnectionString",
];

pub static SECRET_PAIR: ObjType = ObjType {
    name: "synchronizationSecretKeyStringValuePair",
    props: &[
        Prop::rw("key", Ty::Enum(&SECRET_KEY)).non_null(),
        Prop::rw("value", Ty::Str),
    ],
};
static SECRET_PAIR_TY: Ty = Ty::Obj(&SECRET_PAIR);
pub(super) static SECRETS_BODY: ObjType = ObjType {
    name: "synchronizationSecretKeyStringValuePairCollection",
    props: &[Prop::rw("value", Ty::Coll(&SECRET_PAIR_TY)).non_null()],
};

// The schema's `metadata` / `apiExpressions` lists: each its own key/value type, the key a
// string or an enum of the keys that list may hold.
static STRING_PAIR: ObjType = ObjType {
    name: "stringKeyStringValuePair",
    props: &[Prop::rw("key", Ty::Str), Prop::rw("value", Ty::Str)],
};
static STRING_PAIR_TY: Ty = Ty::Obj(&STRING_PAIR);
static OBJECT_MAPPING_METADATA: EnumType = EnumType {
    name: "objectMappingMetadata",
    members: &[
        "EscrowBehavior",
        "DisableMonitoringForChanges",
        "OriginalJoiningProperty",
        "Disposition",
        "IsCustomerDefined",
        "ExcludeFromReporting",
        "Unsynchronized",
    ],
};
static OBJECT_MAPPING_METADATA_ENTRY: ObjType = ObjType {
    name: "objectMappingMetadataEntry",
    props: &[
        Prop::rw("key", Ty::Enum(&OBJECT_MAPPING_METADATA)),
        Prop::rw("value", Ty::Str),
    ],
};
static OBJECT_MAPPING_METADATA_TY: Ty = Ty::Obj(&OBJECT_MAPPING_METADATA_ENTRY);
static ATTRIBUTE_DEFINITION_METADATA: EnumType = EnumType {
    name: "attributeDefinitionMetadata",
    members: &[
        "BaseAttributeName",
        "ComplexObjectDefinition",
        "IsContainer",
        "IsCustomerDefined",
        "IsDomainQualified",
        "LinkPropertyNames",
        "LinkTypeName",
        "MaximumLength",
        "ReferencedProperty",
    ],
};
static ATTRIBUTE_DEFINITION_METADATA_ENTRY: ObjType = ObjType {
    name: "attributeDefinitionMetadataEntry",
    props: &[
        Prop::rw("key", Ty::Enum(&ATTRIBUTE_DEFINITION_METADATA)),
        Prop::rw("value", Ty::Str),
    ],
};
static ATTRIBUTE_DEFINITION_METADATA_TY: Ty = Ty::Obj(&ATTRIBUTE_DEFINITION_METADATA_ENTRY);
static OBJECT_DEFINITION_METADATA: EnumType = EnumType {
    name: "objectDefinitionMetadata",
    members: &[
        "PropertyNameAccountEnabled",
        "PropertyNameSoftDeleted",
        "IsSoftDeletionSupported",
        "IsSynchronizeAllSupported",
        "ConnectorDataStorageRequired",
        "Extensions",
        "BaseObjectName",
    ],
};
static OBJECT_DEFINITION_METADATA_ENTRY: ObjType = ObjType {
    name: "objectDefinitionMetadataEntry",
    props: &[
        Prop::rw("key", Ty::Enum(&OBJECT_DEFINITION_METADATA)),
        Prop::rw("value", Ty::Str),
    ],
};
static OBJECT_DEFINITION_METADATA_TY: Ty = Ty::Obj(&OBJECT_DEFINITION_METADATA_ENTRY);
static OBJECT_FLOW_TYPES: EnumType = EnumType {
    name: "objectFlowTypes",
    members: &["None", "Add", "Update", "Delete"],
};
static DISCOVERABILITIES: EnumType = EnumType {
    name: "directoryDefinitionDiscoverabilities",
    members: &[
        "None",
        "AttributeNames",
        "AttributeDataTypes",
        "AttributeReadOnly",
        "ReferenceAttributes",
    ],
};
pub static CREDENTIALS_BODY: ObjType = ObjType {
    name: "validateCredentials",
    props: &[
        Prop::rw("applicationIdentifier", Ty::Str),
        Prop::rw("templateId", Ty::Str),
        Prop::rw("useSavedCredentials", Ty::Bool),
        Prop::rw("credentials", Ty::Coll(&SECRET_PAIR_TY)),
    ],
};

// ---- synchronizationSchema ---------------------------------------------------------------------

static SOURCE_TYPE: EnumType = EnumType {
    name: "attributeMappingSourceType",
    members: &["Attribute", "Constant", "Function"],
};
static FLOW_BEHAVIOR: EnumType = EnumType {
    name: "attributeFlowBehavior",
    members: &["FlowWhenChanged", "FlowAlways"],
};
static FLOW_TYPE: EnumType = EnumType {
    name: "attributeFlowType",
    members: &[
        "Always",
        "ObjectAddOnly",
        "MultiValueAddOnly",
        "ValueAddOnly",
        "AttributeAddOnly",
    ],
};
static MUTABILITY: EnumType = EnumType {
    name: "mutability",
    members: &["ReadWrite", "ReadOnly", "Immutable", "WriteOnly"],
};
static ATTRIBUTE_TYPE: EnumType = EnumType {
    name: "attributeType",
    members: &[
        "String",
        "Integer",
        "Reference",
        "Binary",
        "Boolean",
        "DateTime",
    ],
};

pub(super) static SOURCE: ObjType = ObjType {
    name: "attributeMappingSource",
    props: &[
        Prop::rw("expression", Ty::Str),
        Prop::rw("name", Ty::Str),
        Prop::rw("parameters", Ty::Coll(&PARAMETER_TY)),
        Prop::rw("type", Ty::Enum(&SOURCE_TYPE)).non_null(),
    ],
};
static PARAMETER: ObjType = ObjType {
    name: "stringKeyAttributeMappingSourceValuePair",
    props: &[
        Prop::rw("key", Ty::Str),
        Prop::rw("value", Ty::Obj(&SOURCE)),
    ],
};
static PARAMETER_TY: Ty = Ty::Obj(&PARAMETER);

static ATTRIBUTE_MAPPING: ObjType = ObjType {
    name: "attributeMapping",
    props: &[
        Prop::rw("defaultValue", Ty::Str),
        Prop::rw("exportMissingReferences", Ty::Bool).non_null(),
        Prop::rw("flowBehavior", Ty::Enum(&FLOW_BEHAVIOR)).non_null(),
        Prop::rw("flowType", Ty::Enum(&FLOW_TYPE)).non_null(),
        Prop::rw("matchingPriority", Ty::Int).non_null(),
        Prop::rw("source", Ty::Obj(&SOURCE)),
        Prop::rw("targetAttributeName", Ty::Str),
    ],
};
static ATTRIBUTE_MAPPING_TY: Ty = Ty::Obj(&ATTRIBUTE_MAPPING);

static OPERAND: ObjType = ObjType {
    name: "filterOperand",
    props: &[Prop::rw("values", Ty::Coll(&STRINGS))],
};
static CLAUSE: ObjType = ObjType {
    name: "filterClause",
    props: &[
        Prop::rw("operatorName", Ty::Str),
        Prop::rw("sourceOperandName", Ty::Str),
        Prop::rw("targetOperand", Ty::Obj(&OPERAND)),
    ],
};
static CLAUSE_TY: Ty = Ty::Obj(&CLAUSE);
static FILTER_GROUP: ObjType = ObjType {
    name: "filterGroup",
    props: &[
        Prop::rw("clauses", Ty::Coll(&CLAUSE_TY)),
        Prop::rw("name", Ty::Str),
    ],
};
static FILTER_GROUP_TY: Ty = Ty::Obj(&FILTER_GROUP);
static FILTER: ObjType = ObjType {
    name: "filter",
    props: &[
        Prop::rw("categoryFilterGroups", Ty::Coll(&FILTER_GROUP_TY)),
        Prop::rw("groups", Ty::Coll(&FILTER_GROUP_TY)),
        Prop::rw("inputFilterGroups", Ty::Coll(&FILTER_GROUP_TY)),
    ],
};

static OBJECT_MAPPING: ObjType = ObjType {
    name: "objectMapping",
    props: &[
        Prop::rw("attributeMappings", Ty::Coll(&ATTRIBUTE_MAPPING_TY)),
        Prop::rw("enabled", Ty::Bool).non_null(),
        Prop::rw("flowTypes", Ty::Flags(&OBJECT_FLOW_TYPES)).non_null(),
        Prop::rw("metadata", Ty::Coll(&OBJECT_MAPPING_METADATA_TY)),
        Prop::rw("name", Ty::Str),
        Prop::rw("scope", Ty::Obj(&FILTER)),
        Prop::rw("sourceObjectName", Ty::Str),
        Prop::rw("targetObjectName", Ty::Str),
    ],
};
static OBJECT_MAPPING_TY: Ty = Ty::Obj(&OBJECT_MAPPING);

static CONTAINER_FILTER: ObjType = ObjType {
    name: "containerFilter",
    props: &[Prop::rw("includedContainers", Ty::Coll(&STRINGS))],
};
static GROUP_FILTER: ObjType = ObjType {
    name: "groupFilter",
    props: &[Prop::rw("includedGroups", Ty::Coll(&STRINGS))],
};
static RULE: ObjType = ObjType {
    name: "synchronizationRule",
    props: &[
        Prop::rw("containerFilter", Ty::Obj(&CONTAINER_FILTER)),
        Prop::rw("editable", Ty::Bool).non_null(),
        Prop::rw("groupFilter", Ty::Obj(&GROUP_FILTER)),
        Prop::rw("id", Ty::Str),
        Prop::rw("metadata", Ty::Coll(&STRING_PAIR_TY)),
        Prop::rw("name", Ty::Str),
        Prop::rw("objectMappings", Ty::Coll(&OBJECT_MAPPING_TY)),
        Prop::rw("priority", Ty::Int).non_null(),
        Prop::rw("sourceDirectoryName", Ty::Str),
        Prop::rw("targetDirectoryName", Ty::Str),
    ],
};
static RULE_TY: Ty = Ty::Obj(&RULE);

static REFERENCED_OBJECT: ObjType = ObjType {
    name: "referencedObject",
    props: &[
        Prop::rw("referencedObjectName", Ty::Str),
        Prop::rw("referencedProperty", Ty::Str),
    ],
};
static REFERENCED_OBJECT_TY: Ty = Ty::Obj(&REFERENCED_OBJECT);
static ATTRIBUTE_DEFINITION: ObjType = ObjType {
    name: "attributeDefinition",
    props: &[
        Prop::rw("anchor", Ty::Bool).non_null(),
        Prop::rw("apiExpressions", Ty::Coll(&STRING_PAIR_TY)),
        Prop::rw("caseExact", Ty::Bool).non_null(),
        Prop::rw("defaultValue", Ty::Str),
        Prop::rw("flowNullValues", Ty::Bool).non_null(),
        Prop::rw("metadata", Ty::Coll(&ATTRIBUTE_DEFINITION_METADATA_TY)),
        Prop::rw("multivalued", Ty::Bool).non_null(),
        Prop::rw("mutability", Ty::Enum(&MUTABILITY)).non_null(),
        Prop::rw("name", Ty::Str),
        Prop::rw("referencedObjects", Ty::Coll(&REFERENCED_OBJECT_TY)),
        Prop::rw("required", Ty::Bool).non_null(),
        Prop::rw("type", Ty::Enum(&ATTRIBUTE_TYPE)).non_null(),
    ],
};
static ATTRIBUTE_DEFINITION_TY: Ty = Ty::Obj(&ATTRIBUTE_DEFINITION);
static OBJECT_DEFINITION: ObjType = ObjType {
    name: "objectDefinition",
    props: &[
        Prop::rw("attributes", Ty::Coll(&ATTRIBUTE_DEFINITION_TY)),
        Prop::rw("metadata", Ty::Coll(&OBJECT_DEFINITION_METADATA_TY)),
        Prop::rw("name", Ty::Str),
        Prop::rw("supportedApis", Ty::Coll(&STRINGS)),
    ],
};
static OBJECT_DEFINITION_TY: Ty = Ty::Obj(&OBJECT_DEFINITION);
static DIRECTORY: ObjType = ObjType {
    name: "directoryDefinition",
    props: &[
        Prop::rw("discoverabilities", Ty::Flags(&DISCOVERABILITIES)).non_null(),
        Prop::rw("discoveryDateTime", Ty::Str),
        Prop::rw("id", Ty::Str).non_null(),
        Prop::rw("name", Ty::Str),
        Prop::rw("objects", Ty::Coll(&OBJECT_DEFINITION_TY)),
        Prop::rw("readOnly", Ty::Bool).non_null(),
        Prop::rw("version", Ty::Str),
    ],
};
static DIRECTORY_TY: Ty = Ty::Obj(&DIRECTORY);

/// `directories` is a contained navigation property: a PUT of the schema carries it (a deep
/// update, as the documented example does) and GET returns it inline.
pub static SCHEMA: ObjType = ObjType {
    name: "synchronizationSchema",
    props: &[
        Prop::rw("id", Ty::Str).non_null(),
        Prop::rw("version", Ty::Str),
        Prop::rw("synchronizationRules", Ty::Coll(&RULE_TY)),
        Prop::nav("directories", Ty::Coll(&DIRECTORY_TY)),
    ],
};
