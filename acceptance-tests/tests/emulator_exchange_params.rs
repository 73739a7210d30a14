//! Every parameter an emulated Exchange cmdlet accepts is in the cmdlet reference, applies to
//! Exchange Online, has a compatible type and (for an enum) only documented values; what is
//! required there is required here. The reference is the per-cmdlet table in
//! `tests/data/exchange-cmdlet-params.json`, extracted from the reference pages by
//! `scripts/extract-cmdlet-params.py` (its `source` names the pages' repository, folder and
//! commit). Each deliberate difference is listed in [`DIFFERENCES`] with its reason; a listed
//! difference that no longer exists fails too, so the list stays true.

use coexistence_acceptance::emulator::exchange::cmdlet::{PTy, Param};
use coexistence_acceptance::emulator::exchange::FAMILIES;
use serde_json::Value;

const TABLE: &str = include_str!("data/exchange-cmdlet-params.json");

/// (cmdlet, parameter or `*` for the whole cmdlet, reason).
const DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "Get-AcceptedDomain",
        "*",
        "its page is not in the extracted set: the table covers the organization relationship and connector cmdlets, and Get-AcceptedDomain only serves the pipeline's own tests",
    ),
    (
        "Get-Group",
        "*",
        "its page is not in the extracted set: Get-Group only resolves the scopes' GroupIdParameter (its Identity and ResultSize parameters are from its own page, API-NOTES.md#exchange-groups)",
    ),
];

fn table() -> Value {
    serde_json::from_str(TABLE).expect("the parameter table is JSON")
}

/// What is wrong with `p` against its row `row` of the table, if anything.
fn check(p: &Param, row: &Value) -> Option<String> {
    if row["exchange_online"] != true {
        return Some("does not apply to Exchange Online".into());
    }
    let ty = row["type"].as_str().unwrap_or_default();
    let values: Vec<&str> = row["values"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let type_ok = match &p.ty {
        PTy::Bool => matches!(ty, "Boolean" | "SwitchParameter"),
        PTy::Multi => ty == "MultiValuedProperty" || ty.ends_with("[]"),
        PTy::Str => !matches!(ty, "Boolean" | "SwitchParameter" | "MultiValuedProperty"),
        PTy::Enum(_) | PTy::Flags(_) => !values.is_empty(),
    };
    if !type_ok {
        return Some(format!("{:?} here, {ty} in the reference", p.ty));
    }
    if let PTy::Enum(ours) | PTy::Flags(ours) = &p.ty {
        let extra: Vec<&&str> = ours.iter().filter(|v| !values.contains(v)).collect();
        if !extra.is_empty() {
            return Some(format!("values {extra:?} are not in {values:?}"));
        }
    }
    if p.required != (row["required"] == true) {
        return Some(format!(
            "required here: {}, in the reference: {}",
            p.required, row["required"]
        ));
    }
    None
}

/// Every (cmdlet, parameter, problem) of the emulator against the table.
fn violations(table: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for c in FAMILIES.iter().flat_map(|f| f.iter()) {
        let Some(rows) = table["cmdlets"].get(c.name) else {
            found.push((c.name.into(), "*".into(), "no page in the table".into()));
            continue;
        };
        for p in c.params {
            let problem = match rows.get(p.name) {
                None => Some("not a parameter of the cmdlet's page".to_string()),
                Some(row) => check(p, row),
            };
            if let Some(problem) = problem {
                found.push((c.name.into(), p.name.into(), problem));
            }
        }
        // What the page requires, the emulator requires too.
        for (name, row) in rows.as_object().into_iter().flatten() {
            let ours = c.params.iter().find(|p| p.name == name);
            if row["required"] == true && row["exchange_online"] == true && ours.is_none() {
                found.push((c.name.into(), name.clone(), "required, not accepted".into()));
            }
        }
    }
    found
}

#[test]
fn the_table_names_its_source_and_covers_the_reference_pages() {
    let t = table();
    assert_eq!(
        t["source"],
        "MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/ExchangePowerShell/ at 93336da2"
    );
    assert_eq!(t["generated_by"], "scripts/extract-cmdlet-params.py");
    for verb in ["Get", "New", "Set", "Remove"] {
        for noun in [
            "OrganizationRelationship",
            "InboundConnector",
            "OutboundConnector",
        ] {
            let c = format!("{verb}-{noun}");
            assert!(
                t["cmdlets"][&c].as_object().is_some_and(|m| !m.is_empty()),
                "{c} in the table"
            );
        }
    }
    // Spot checks of the extraction against the pages.
    let row = |c: &str, p: &str| t["cmdlets"][c][p].clone();
    assert_eq!(
        row("New-OutboundConnector", "SmtpDaneMode")["values"],
        serde_json::json!(["Opportunistic", "Mandatory", "None"])
    );
    assert_eq!(
        row("New-OutboundConnector", "SmtpDaneMode")["default"],
        "Opportunistic"
    );
    assert_eq!(
        row("New-OrganizationRelationship", "Name")["required"],
        true
    );
    assert_eq!(
        row("New-OrganizationRelationship", "DomainController")["exchange_online"],
        false
    );
    assert_eq!(
        row("Get-OutboundConnector", "IncludeTestModeConnectors")["default"],
        "$false"
    );
}

#[test]
fn every_emulated_parameter_is_in_the_reference_table_or_a_listed_difference() {
    let found = violations(&table());
    let unlisted: Vec<_> = found
        .iter()
        .filter(|(c, p, _)| !DIFFERENCES.iter().any(|(dc, dp, _)| dc == c && dp == p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "emulated parameters that differ from the reference: {unlisted:#?}"
    );
    for (c, p, why) in DIFFERENCES {
        assert!(
            found.iter().any(|(fc, fp, _)| fc == c && fp == p),
            "listed difference {c} -{p} ({why}) no longer exists: remove it from the list"
        );
    }
}

/// The check itself fails on what it must catch: a parameter not on the page, an enum value
/// not in it, an on-premises-only parameter and a wrong type.
#[test]
fn the_check_catches_what_it_must() {
    let t = table();
    let rows = &t["cmdlets"]["New-OutboundConnector"];
    let bad_value = Param::optional("SmtpDaneMode", PTy::Enum(&["Opportunistic", "Strict"]));
    assert!(check(&bad_value, &rows["SmtpDaneMode"])
        .unwrap()
        .contains("Strict"));
    let bad_type = Param::optional("TestMode", PTy::Str);
    assert!(check(&bad_type, &rows["TestMode"]).is_some());
    assert!(rows.get("RequireTls").is_none(), "inbound only");
    let on_prem = Param::optional("DomainController", PTy::Str);
    let orgrel = &t["cmdlets"]["New-OrganizationRelationship"];
    assert!(check(&on_prem, &orgrel["DomainController"])
        .unwrap()
        .contains("Exchange Online"));
    let good = Param::optional("MtaStsMode", PTy::Enum(&["Opportunistic", "None"]));
    assert_eq!(check(&good, &rows["MtaStsMode"]), None);
}
