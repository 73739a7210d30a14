//! Cross-tenant access policy tests: partners, identity synchronization, $expand, the default policy.
//! Plain reqwest against the emulator; helpers in `emulator_support/`.

mod emulator_support;

use emulator_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn partner_lifecycle() {
    let env = Env::new().await;
    let token = env.token().await;
    let upper = FABRIKAM.to_ascii_uppercase();
    let b2b = json!({
        "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
    });
    let (s, created) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": upper, "b2bCollaborationInbound": b2b, "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["tenantId"], FABRIKAM);
    assert!(created["@odata.context"].is_string());
    assert_eq!(created["isServiceProvider"], Value::Null);
    assert_eq!(created["isInMultiTenantOrganization"], false);
    assert_eq!(created["tenantRestrictions"], Value::Null);
    assert_eq!(created["b2bDirectConnectInbound"], Value::Null);
    let all_null = json!({"inboundAllowed": null, "outboundAllowed": null});
    assert_eq!(created["automaticUserConsentSettings"], all_null);
    // Beta-only, yet carried by a v1.0 answer (API-NOTES.md#xtap-v1-properties); its beta
    // sibling `protectedContentSharing` is not.
    assert_eq!(created["crossCloudMeetingConfiguration"], all_null);
    assert!(
        created.get("protectedContentSharing").is_none(),
        "{created}"
    );
    for v1 in [
        "appServiceConnectInbound",
        "m365CollaborationInbound",
        "m365CollaborationOutbound",
    ] {
        assert_eq!(created.get(v1), Some(&Value::Null), "{v1}: {created}");
    }
    assert_eq!(created["b2bCollaborationInbound"], b2b);

    let path = format!("{PARTNERS}/{upper}");
    let (s, got) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["tenantId"], FABRIKAM);
    assert_eq!(got["inboundTrust"]["isMfaAccepted"], true);

    // Nested replace: a provided complex property replaces the stored one wholesale.
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({
                "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}},
                "inboundTrust": null,
                "automaticUserConsentSettings": {"inboundAllowed": true}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let stored = env
        .emu
        .object(
            CONTOSO,
            &format!("/policies/crossTenantAccessPolicy/partners/{FABRIKAM}"),
        )
        .unwrap();
    assert_eq!(
        stored["b2bCollaborationInbound"],
        json!({"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}})
    );
    assert_eq!(stored["inboundTrust"], Value::Null);
    assert_eq!(
        stored["automaticUserConsentSettings"],
        json!({"inboundAllowed": true, "outboundAllowed": null})
    );

    // automaticUserConsentSettings: null is stored as the all-null object.
    let (s, _) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"automaticUserConsentSettings": null})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(got["automaticUserConsentSettings"], all_null);
    assert_eq!(
        got["b2bCollaborationInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );

    // Duplicate.
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(err_code(&body), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(
        err_msg(&body),
        "Another object with the same value for property tenantId already exists."
    );

    // List with $select and $expand.
    let (s, list) = env
        .graph(
            Method::GET,
            &format!("{PARTNERS}?$select=tenantId&$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(
        list["value"],
        json!([{"tenantId": FABRIKAM, "identitySynchronization": null}])
    );

    // Read-only and create-only properties.
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"tenantId": FABRIKAM})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"isInMultiTenantOrganization": true})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    // Delete, then 404s.
    let (s, _) = env.graph(Method::DELETE, &path, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = env.graph(Method::GET, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&body), "Request_ResourceNotFound");
    let (s, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"inboundTrust": null})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&body), "Directory_ObjectNotFound");
    let (s, _) = env.graph(Method::DELETE, &path, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn strict_validation() {
    let env = Env::new().await;
    let token = env.token().await;

    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "B2BDirectConnectInbound": null})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_code(&body), "Request_BadRequest");
    assert_eq!(
        err_msg(&body),
        "Invalid property 'B2BDirectConnectInbound'."
    );

    // Nested mis-cased property.
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndgroups": {"accessType": "allowed"}}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_msg(&body), "Invalid property 'usersAndgroups'.");

    // The beta-only settings are unknown properties of the v1.0 type (API-NOTES.md#xtap-v1-properties).
    for beta in ["crossCloudMeetingConfiguration", "protectedContentSharing"] {
        let (s, body) = env
            .graph(
                Method::POST,
                PARTNERS,
                &token,
                Some(json!({"tenantId": FABRIKAM, beta: {"inboundAllowed": true, "outboundAllowed": true}})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{beta}: {body}");
        assert_eq!(err_code(&body), "Request_BadRequest");
        assert_eq!(err_msg(&body), format!("Invalid property '{beta}'."));
    }

    // The v1.0 settings the CSDL declares are accepted and read back.
    let m365 = json!({"users": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}});
    let m365_out = json!({"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]}});
    let app_service = json!({"applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}});
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "m365CollaborationInbound": m365, "m365CollaborationOutbound": m365_out, "appServiceConnectInbound": app_service})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, got) = env
        .graph(Method::GET, &format!("{PARTNERS}/{FABRIKAM}"), &token, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["m365CollaborationInbound"], m365);
    assert_eq!(got["m365CollaborationOutbound"], m365_out);
    assert_eq!(got["appServiceConnectInbound"], app_service);
    let (s, body) = env
        .graph(
            Method::PATCH,
            &format!("{PARTNERS}/{FABRIKAM}"),
            &token,
            Some(json!({"m365CollaborationInbound": {"user": {"accessType": "allowed"}}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(err_msg(&body), "Invalid property 'user'.");
    let (s, _) = env.delete_partner(&token, FABRIKAM).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    for bad in ["permitted", "unknownFutureValue", "Allowed"] {
        let (s, body) = env
            .graph(
                Method::POST,
                PARTNERS,
                &token,
                Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": bad, "targets": []}}})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(err_code(&body), "Request_BadRequest");
        assert!(err_msg(&body).contains(&format!("'{bad}'")), "{body}");
    }
    let (s, body) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "users"}]}}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err_msg(&body).contains("'users'"), "{body}");

    // Wrong JSON type.
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "inboundTrust": {"isMfaAccepted": "yes"}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Missing / malformed tenantId.
    let (s, _) = env
        .graph(Method::POST, PARTNERS, &token, Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": "fabrikam.onmicrosoft.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_synchronization() {
    let env = Env::new().await;
    let token = env.token().await;
    let sync = format!("{PARTNERS}/{FABRIKAM}/identitySynchronization");
    let body = json!({"displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}});

    // Partner missing → 404.
    let (s, _) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    env.create_partner(&token, FABRIKAM).await;
    let (s, _) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(err_code(&b), "Directory_ObjectNotFound");

    let (s, _) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = env
        .graph(Method::PUT, &sync, &token, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(err_code(&b), "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(b["error"]["details"][0]["code"], "ConflictingObjects");
    assert!(b["error"]["innerError"]["request-id"].is_string());

    let (s, _) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"isSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, got) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["tenantId"], FABRIKAM);
    assert_eq!(got["displayName"], "Fabrikam");
    assert_eq!(got["userSyncInbound"], json!({"isSyncAllowed": false}));

    let (s, b) = env
        .graph(
            Method::PATCH,
            &sync,
            &token,
            Some(json!({"userSyncInbound": {"IsSyncAllowed": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_msg(&b), "Invalid property 'IsSyncAllowed'.");

    // Expanded list shows it.
    let (_, list) = env
        .graph(
            Method::GET,
            &format!("{PARTNERS}?$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        list["value"][0]["identitySynchronization"]["displayName"],
        "Fabrikam"
    );

    // Partner cannot be deleted while the sync policy exists.
    let partner = format!("{PARTNERS}/{FABRIKAM}");
    let (s, b) = env.graph(Method::DELETE, &partner, &token, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(err_code(&b), "Request_BadRequest");
    assert!(err_msg(&b).contains("identity synchronization policy"));

    let (s, _) = env.graph(Method::DELETE, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = env.graph(Method::GET, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env.graph(Method::DELETE, &sync, &token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = env.graph(Method::DELETE, &partner, &token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(env.emu.objects(CONTOSO).is_empty());
}

/// `$expand=identitySynchronization` on the partner entity and collection: null when there is
/// no policy, the policy (projected) when there is one; everything else Graph refuses is 400.

#[tokio::test(flavor = "multi_thread")]
async fn partner_expand() {
    let env = Env::new().await;
    let token = env.token().await;
    env.create_partner(&token, FABRIKAM).await;
    let partner = format!("{PARTNERS}/{FABRIKAM}");
    let expanded = format!("{partner}?$expand=identitySynchronization");

    // No policy: the member is present and null (never absent).
    let (s, got) = env.graph(Method::GET, &expanded, &token, None).await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(
        got.get("identitySynchronization"),
        Some(&Value::Null),
        "{got}"
    );
    assert_eq!(got["tenantId"], FABRIKAM);
    assert!(
        got["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#policies/crossTenantAccessPolicy/partners(identitySynchronization())/$entity"),
        "{got}"
    );
    // Without $expand the navigation property is not there at all.
    let (_, plain) = env.graph(Method::GET, &partner, &token, None).await;
    assert!(plain.get("identitySynchronization").is_none(), "{plain}");

    let (s, _) = env.put_sync_policy(&token, FABRIKAM).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, &expanded, &token, None).await;
    assert_eq!(
        got["identitySynchronization"],
        json!({"tenantId": FABRIKAM, "displayName": "Fabrikam", "userSyncInbound": {"isSyncAllowed": true}})
    );
    // With $select and a nested $select.
    let (s, got) = env
        .graph(
            Method::GET,
            &format!("{partner}?$select=tenantId&$expand=identitySynchronization($select=userSyncInbound)"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    let mut body = got.as_object().unwrap().clone();
    let ctx = body.remove("@odata.context").unwrap();
    assert_eq!(
        Value::Object(body),
        json!({"tenantId": FABRIKAM, "identitySynchronization": {"userSyncInbound": {"isSyncAllowed": true}}})
    );
    assert!(ctx
        .as_str()
        .unwrap()
        .ends_with("partners(tenantId,identitySynchronization(userSyncInbound))/$entity"));

    // Refused, on the entity and on the collection alike.
    let refused: [(&str, &str); 9] = [
        ("$expand=owners", "Could not find a property named 'owners' on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'."),
        ("$expand=IdentitySynchronization", "Could not find a property named 'IdentitySynchronization'"),
        ("$expand=inboundTrust", "Only navigation properties can be expanded."),
        ("$expand=serviceProviderConstraints", "not emulated"),
        ("$expand=*", "not emulated"),
        ("$expand=identitySynchronization($filter=displayName eq 'x')", "Query option '$filter' is not allowed"),
        ("$expand=identitySynchronization($select=nope)", "Could not find a property named 'nope' on type 'microsoft.graph.crossTenantIdentitySyncPolicyPartner'."),
        ("$expand=identitySynchronization(", "unbalanced parentheses"),
        ("$expand=identitySynchronization&$expand=identitySynchronization", "specified more than once"),
    ];
    for base in [partner.as_str(), PARTNERS] {
        for (query, msg) in refused {
            let (s, b) = env
                .graph(Method::GET, &format!("{base}?{query}"), &token, None)
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{base}?{query}: {b}");
            assert_eq!(err_code(&b), "BadRequest", "{base}?{query}: {b}");
            assert!(err_msg(&b).contains(msg), "{base}?{query}: {b}");
        }
        // Options the partner GET does not support at all.
        let (s, b) = env
            .graph(
                Method::GET,
                &format!("{base}?$top=1&$expand=identitySynchronization"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(err_msg(&b).contains("'$top' is not allowed"), "{b}");
    }
    // The policy itself has no navigation properties to expand.
    let (s, b) = env
        .graph(
            Method::GET,
            &format!("{partner}/identitySynchronization?$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
}

/// A body over the size limit is refused with 413 and Graph's envelope, never read as empty.

#[tokio::test(flavor = "multi_thread")]
async fn default_policy() {
    let env = Env::new().await;
    let token = env.token().await;
    let path = "/v1.0/policies/crossTenantAccessPolicy/default";
    let (s, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["isServiceDefault"], true);
    assert_eq!(
        got["b2bDirectConnectInbound"]["usersAndGroups"]["accessType"],
        "blocked"
    );
    let (s, _) = env
        .graph(
            Method::PATCH,
            path,
            &token,
            Some(json!({"inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(got["isServiceDefault"], false);
    assert_eq!(got["inboundTrust"]["isMfaAccepted"], true);
    assert_eq!(env.emu.objects(CONTOSO).len(), 1);
    let (s, _) = env
        .graph(
            Method::PATCH,
            path,
            &token,
            Some(json!({"isServiceDefault": true})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = env
        .graph(
            Method::POST,
            &format!("{path}/resetToSystemDefault"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = env.graph(Method::GET, path, &token, None).await;
    assert_eq!(got["isServiceDefault"], true);
    assert!(env.emu.objects(CONTOSO).is_empty());
}
