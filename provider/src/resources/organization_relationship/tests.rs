//! Model and validation, the exact cmdlets and the planned defaults, without IO; the fixtures
//! here (`GUID`, `OTHER`, `model`, `exchange_object`) serve `crud_tests` too.

use super::model::OrgRel;
use super::*;
use crate::framework::Resource;
use serde_json::json;

pub(super) const GUID: &str = "5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
pub(super) const OTHER: &str = "0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e";

pub(super) fn model() -> OrgRel {
    OrgRel {
        id: None,
        name: "Fabrikam".into(),
        domain_names: vec!["fabrikam.onmicrosoft.com".into(), "fabrikam.com".into()],
        archive_access_enabled: Some(false),
        enabled: Some(true),
        free_busy_access_enabled: Some(true),
        free_busy_access_level: Some("LimitedDetails".into()),
        free_busy_access_scope: None,
        target_application_uri: Some("outlook.com".into()),
        target_autodiscover_epr: Some(
            "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity".into(),
        ),
        target_sharing_epr: None,
        mail_tips_access_enabled: Some(true),
        mail_tips_access_level: Some("All".into()),
        mail_tips_access_scope: None,
        target_owa_url: None,
        delivery_report_enabled: Some(false),
        photos_enabled: Some(false),
        organization_contact: None,
        mailbox_move_enabled: Some(false),
        mailbox_move_capability: Some(vec![]),
        mailbox_move_published_scopes: Some(vec![]),
        oauth_application_id: None,
    }
}

/// The object Exchange holds for [`model`] (with other properties Get shows).
pub(super) fn exchange_object(guid: &str, name: &str) -> Json {
    json!({
        "Identity": name, "Name": name, "Guid": guid,
        "DomainNames": ["fabrikam.com", "fabrikam.onmicrosoft.com"],
        "Enabled": true, "FreeBusyAccessEnabled": true, "FreeBusyAccessLevel": "LimitedDetails",
        "FreeBusyAccessScope": null, "TargetApplicationUri": "outlook.com",
        "TargetAutodiscoverEpr": "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity",
        "TargetSharingEpr": null, "MailTipsAccessEnabled": true, "MailTipsAccessLevel": "All",
        "DeliveryReportEnabled": false, "PhotosEnabled": false, "OrganizationContact": null,
        "ArchiveAccessEnabled": false, "MailboxMoveEnabled": false, "TargetOwaURL": null,
        "MailboxMoveCapability": "None", "MailboxMovePublishedScopes": [], "OAuthApplicationId": null,
    })
}

fn config_errors(m: &OrgRel) -> Vec<(String, String)> {
    let v = m.to_value().unwrap();
    let mut d = schema().validate(&v);
    OrganizationRelationship.validate(&v, &mut d);
    d.0.iter()
        .map(|d| (format!("{:?}", d.path), d.detail.clone()))
        .collect()
}

#[test]
fn model_matches_schema_and_round_trips() {
    assert!(OrganizationRelationship.model_mismatches().is_empty());
    let m = OrgRel {
        id: Some(GUID.into()),
        ..model()
    };
    assert_eq!(OrgRel::from_value(&m.to_value().unwrap()).unwrap(), m);
    let read = OrgRel::from_exchange(&exchange_object(&GUID.to_ascii_uppercase(), "Fabrikam"));
    assert_eq!(read.id.as_deref(), Some(GUID), "the Guid is kept lowercase");
    assert_eq!(read.sorted_domains(), m.sorted_domains());
    assert!(m.made_by(&read));
}

#[test]
fn a_valid_configuration_passes_validation() {
    assert_eq!(config_errors(&model()), vec![]);
}

#[test]
fn documented_rules_are_checked_at_plan_on_the_attribute() {
    let cases: Vec<(&str, OrgRel)> = vec![
        (
            "name",
            OrgRel {
                name: "x".repeat(65),
                ..model()
            },
        ),
        (
            "name",
            OrgRel {
                name: "  ".into(),
                ..model()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domain_names: vec!["*.fabrikam.com".into()],
                ..model()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domain_names: vec!["admin@fabrikam.com".into()],
                ..model()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domain_names: (0..239).map(|i| format!("d{i}.fabrikam.com")).collect(),
                ..model()
            },
        ),
        (
            "domain_names",
            OrgRel {
                domain_names: vec![],
                ..model()
            },
        ),
        (
            "free_busy_access_level",
            OrgRel {
                free_busy_access_level: Some("limiteddetails".into()),
                ..model()
            },
        ),
        (
            "mail_tips_access_level",
            OrgRel {
                mail_tips_access_level: Some("Everything".into()),
                ..model()
            },
        ),
        (
            "target_autodiscover_epr",
            OrgRel {
                target_autodiscover_epr: Some("autodiscover.outlook.com".into()),
                ..model()
            },
        ),
        (
            "target_sharing_epr",
            OrgRel {
                target_sharing_epr: Some("ftp://outlook.office365.com/EWS".into()),
                ..model()
            },
        ),
        (
            "target_application_uri",
            OrgRel {
                target_application_uri: Some("outlook com".into()),
                ..model()
            },
        ),
        (
            "organization_contact",
            OrgRel {
                organization_contact: Some("not-an-address".into()),
                ..model()
            },
        ),
        (
            "free_busy_access_scope",
            OrgRel {
                free_busy_access_scope: Some(" ".into()),
                ..model()
            },
        ),
        (
            "mail_tips_access_scope",
            OrgRel {
                mail_tips_access_scope: Some("".into()),
                ..model()
            },
        ),
        (
            "target_owa_url",
            OrgRel {
                target_owa_url: Some("outlook.office.com/owa".into()),
                ..model()
            },
        ),
        (
            "domain_names",
            OrgRel {
                // A GUID with a digit missing is neither a tenant ID nor a domain name.
                domain_names: vec!["72f988bf-86f1-41af-91ab-2d7cd011db4".into()],
                ..model()
            },
        ),
    ];
    for (attr, m) in cases {
        let errs = config_errors(&m);
        assert_eq!(errs.len(), 1, "{attr}: {errs:?}");
        assert!(errs[0].0.contains(attr), "{attr}: {errs:?}");
    }
}

/// Cross-tenant mailbox migration names the partner by its tenant ID in `DomainNames`.
#[test]
fn a_partner_tenant_id_is_accepted_in_domain_names_and_sent_as_is() {
    let m = OrgRel {
        domain_names: vec![
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47".into(),
            "fabrikam.com".into(),
        ],
        ..model()
    };
    assert_eq!(config_errors(&m), vec![]);
    assert_eq!(
        api::new(&m).parameters["DomainNames"],
        json!(["72F988BF-86F1-41AF-91AB-2D7CD011DB47", "fabrikam.com"])
    );
    let lower = OrgRel {
        domain_names: vec![
            "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            "fabrikam.com".into(),
        ],
        ..m.clone()
    };
    assert!(
        api::set(GUID, &m, &lower).is_none(),
        "a GUID's case is no change"
    );
}

/// The settings read back so that drift on them shows: each one's Exchange property.
#[test]
fn archive_access_mail_tips_scope_and_owa_url_map_to_their_properties() {
    let mut o = exchange_object(GUID, "Fabrikam");
    o["ArchiveAccessEnabled"] = json!(true);
    o["MailTipsAccessScope"] = json!("MailTips group");
    o["TargetOwaURL"] = json!("https://outlook.office.com/owa/fabrikam.com");
    let read = OrgRel::from_exchange(&o);
    assert_eq!(read.archive_access_enabled, Some(true));
    assert_eq!(
        read.mail_tips_access_scope.as_deref(),
        Some("MailTips group")
    );
    assert_eq!(
        read.target_owa_url.as_deref(),
        Some("https://outlook.office.com/owa/fabrikam.com")
    );
    let back = OrgRel {
        id: Some(GUID.into()),
        ..model()
    };
    let c = api::set(GUID, &read, &back).unwrap();
    assert_eq!(
        c.parameters,
        json!({"Identity": GUID, "ArchiveAccessEnabled": false, "MailTipsAccessScope": null, "TargetOwaURL": null})
            .as_object()
            .unwrap()
            .clone()
    );
}

#[test]
fn new_sends_every_set_attribute_and_leaves_null_ones_out() {
    let c = api::new(&model());
    assert_eq!(c.permission, Some(api::EXO));
    assert_eq!(
        c.body(),
        json!({"CmdletInput": {"CmdletName": "New-OrganizationRelationship", "Parameters": {
            "Name": "Fabrikam",
            "DomainNames": ["fabrikam.com", "fabrikam.onmicrosoft.com"],
            "ArchiveAccessEnabled": false,
            "Enabled": true, "FreeBusyAccessEnabled": true, "FreeBusyAccessLevel": "LimitedDetails",
            "TargetApplicationUri": "outlook.com",
            "TargetAutodiscoverEpr": "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity",
            "MailTipsAccessEnabled": true, "MailTipsAccessLevel": "All",
            "DeliveryReportEnabled": false, "PhotosEnabled": false, "MailboxMoveEnabled": false,
        }}})
    );
}

#[test]
fn set_sends_only_what_changed_by_guid() {
    let old = model();
    assert!(api::set(GUID, &old, &old).is_none(), "nothing changed");
    // Domain order and case are no change.
    let reordered = OrgRel {
        domain_names: vec!["FABRIKAM.com".into(), "fabrikam.onmicrosoft.com".into()],
        ..old.clone()
    };
    assert!(api::set(GUID, &old, &reordered).is_none());
    let new = OrgRel {
        name: "Fabrikam Ltd".into(),
        photos_enabled: Some(true),
        target_autodiscover_epr: None,
        organization_contact: Some("admin@fabrikam.com".into()),
        ..old.clone()
    };
    let c = api::set(GUID, &old, &new).unwrap();
    assert_eq!(
        c.body(),
        json!({"CmdletInput": {"CmdletName": "Set-OrganizationRelationship", "Parameters": {
            "Identity": GUID, "Name": "Fabrikam Ltd", "PhotosEnabled": true,
            "TargetAutodiscoverEpr": null, "OrganizationContact": "admin@fabrikam.com",
        }}})
    );
    let more = OrgRel {
        domain_names: vec!["fabrikam.com".into()],
        ..old.clone()
    };
    assert_eq!(
        api::set(GUID, &old, &more).unwrap().parameters["DomainNames"],
        json!(["fabrikam.com"])
    );
}

#[test]
fn left_out_attributes_plan_as_the_service_defaults() {
    let schema = schema();
    let mut config = Value::null_object(&schema.ty());
    config.set_attr("name", Value::string("Fabrikam"));
    config.set_attr(
        "domain_names",
        Value::Set(vec![Value::string("fabrikam.com")]),
    );
    config.set_attr("photos_enabled", Value::Bool(true));
    let (planned, diags) = crate::framework::plan::plan_resource(
        &OrganizationRelationship,
        &schema,
        &Value::Null,
        &config,
        &config,
        &Default::default(),
    );
    assert!(diags.is_empty(), "{diags}");
    let p = OrgRel::from_value(&planned.state).unwrap();
    assert_eq!(p.enabled, Some(true));
    assert_eq!(p.photos_enabled, Some(true), "a configured value is kept");
    assert_eq!(p.free_busy_access_level.as_deref(), Some("None"));
    assert_eq!(p.mail_tips_access_level.as_deref(), Some("None"));
    assert_eq!(p.delivery_report_enabled, Some(false));
    assert_eq!(p.archive_access_enabled, Some(false));
    assert_eq!(p.target_application_uri, None);
    assert!(planned.state.get("id").is_unknown());
}

const APP: &str = "6aa3cf87-4754-43e2-8ec6-606f6b938ae8";

fn source_side() -> OrgRel {
    OrgRel {
        mailbox_move_enabled: Some(true),
        mailbox_move_capability: Some(vec!["RemoteOutbound".into(), "Inbound".into()]),
        mailbox_move_published_scopes: Some(vec!["Migration group".into()]),
        oauth_application_id: Some(APP.into()),
        ..model()
    }
}

/// The capability set is sent as one flags value in the reference's order, the scopes as a
/// sorted list; empty ones are cleared with `$null`; an answer reads back as the same model.
#[test]
fn mailbox_move_attributes_map_to_their_parameters_and_back() {
    let m = source_side();
    let p = m.new_params();
    assert_eq!(p["MailboxMoveEnabled"], json!(true));
    assert_eq!(p["MailboxMoveCapability"], json!("Inbound, RemoteOutbound"));
    assert_eq!(p["MailboxMovePublishedScopes"], json!(["Migration group"]));
    assert_eq!(p["OAuthApplicationId"], json!(APP));
    assert!(!model().new_params().contains_key("MailboxMoveCapability"));
    let cleared = model().changed_params(&m);
    assert_eq!(cleared["MailboxMoveCapability"], Json::Null);
    assert_eq!(cleared["MailboxMovePublishedScopes"], Json::Null);
    assert_eq!(cleared["OAuthApplicationId"], Json::Null);
    assert_eq!(cleared["MailboxMoveEnabled"], json!(false));
    // Order within the set never matters.
    let reordered = OrgRel {
        mailbox_move_capability: Some(vec!["Inbound".into(), "RemoteOutbound".into()]),
        ..m.clone()
    };
    assert!(reordered.changed_params(&m).is_empty());
    let mut o = exchange_object(GUID, "Fabrikam");
    o["MailboxMoveEnabled"] = json!(true);
    o["MailboxMoveCapability"] = json!("Inbound, RemoteOutbound");
    o["MailboxMovePublishedScopes"] = json!(["Migration group"]);
    o["OAuthApplicationId"] = json!(APP);
    let read = OrgRel::from_exchange(&o);
    assert_eq!(
        read.mailbox_move_capability,
        Some(vec!["Inbound".to_string(), "RemoteOutbound".to_string()])
    );
    assert!(m.made_by(&read));
    assert!(read.changed_params(&reordered).is_empty());
    // Exchange's `None` is the empty set.
    let none = OrgRel::from_exchange(&exchange_object(GUID, "Fabrikam"));
    assert_eq!(none.mailbox_move_capability, Some(vec![]));
    assert_eq!(none.mailbox_move_published_scopes, Some(vec![]));
}

/// What the reference and the migration guide allow, checked at plan on the attribute.
#[test]
fn mailbox_move_combinations_are_checked_at_plan() {
    assert_eq!(config_errors(&source_side()), vec![]);
    let target_side = OrgRel {
        mailbox_move_enabled: Some(true),
        mailbox_move_capability: Some(vec!["Inbound".into()]),
        ..model()
    };
    assert_eq!(config_errors(&target_side), vec![]);
    let cases = [
        (
            OrgRel {
                mailbox_move_capability: Some(vec!["Inbound".into()]),
                ..source_side()
            },
            "mailbox_move_published_scopes",
            "Outbound",
        ),
        (
            OrgRel {
                mailbox_move_capability: Some(vec![]),
                ..source_side()
            },
            "mailbox_move_published_scopes",
            "RemoteOutbound",
        ),
        (
            OrgRel {
                mailbox_move_capability: Some(vec!["None".into(), "RemoteOutbound".into()]),
                ..source_side()
            },
            "mailbox_move_capability",
            "\"None\" is not",
        ),
        (
            OrgRel {
                oauth_application_id: Some("migration-app".into()),
                ..source_side()
            },
            "oauth_application_id",
            "GUID",
        ),
        (
            OrgRel {
                mailbox_move_published_scopes: Some(vec![" ".into()]),
                ..source_side()
            },
            "mailbox_move_published_scopes",
            "Name each",
        ),
    ];
    for (m, attr, needle) in cases {
        let errors = config_errors(&m);
        assert!(
            errors
                .iter()
                .any(|(p, d)| p.contains(attr) && d.contains(needle)),
            "{attr}: {needle} not in {errors:?}"
        );
    }
}
