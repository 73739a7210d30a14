//! Property tests of everything that decodes input from outside: the msgpack and JSON value
//! decoders (plan/apply values, stored state) and the import-ID parser. Arbitrary input never
//! panics and is either a value of the schema's type or an error saying why; every value of
//! every type survives encode -> decode unchanged (known, null and unknown kept apart).
//!
//! `make test` runs proptest's default 256 cases per property; `make fuzz` runs many more
//! (PROPTEST_CASES).

use coexistence::framework::import_id::{self, ImportId, Name, TenantGuid};
use coexistence::framework::value::{json, msgpack, Number};
use coexistence::framework::{Type, Value};
use coexistence::resources::cross_tenant_access_partner::PartnerTenant;
use coexistence::resources::partner_connector::InboundConnector;
use coexistence::server::convert;
use coexistence::server::proto::tfplugin6 as pb;
use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{json as j, Value as J};

coexistence::tagged_import_id! {
    /// A tagged GUID, as a resource would declare one.
    pub struct OwnerMember(TenantGuid) = "owner" / "<member tenant GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

// ---- generators -------------------------------------------------------------------------

fn leaf_type(dynamic: bool) -> BoxedStrategy<Type> {
    let mut leaves = vec![Just(Type::Bool), Just(Type::Number), Just(Type::String)];
    if dynamic {
        leaves.push(Just(Type::Dynamic));
    }
    Union::new(leaves).boxed()
}

fn arb_type_with(dynamic: bool) -> BoxedStrategy<Type> {
    leaf_type(dynamic)
        .prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4)
                    .prop_map(Type::Object),
                prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
            ]
        })
        .boxed()
}

/// Any schema type, `dynamic` anywhere.
fn arb_type() -> BoxedStrategy<Type> {
    arb_type_with(true)
}

/// The type a dynamic value travels with: always concrete.
fn concrete_type() -> BoxedStrategy<Type> {
    arb_type_with(false)
}

fn arb_number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<f64>()
            .prop_filter("cty numbers are finite or infinite, never NaN", |f| !f
                .is_nan())
            .prop_map(Number::Float),
        // Integers past i64/u64 and fractions past f64 precision travel as decimal text.
        "-?[1-9][0-9]{19,40}".prop_map(Number::Decimal),
        "-?(0|[1-9][0-9]{0,19})\\.[0-9]{1,30}".prop_map(Number::Decimal),
    ]
    .boxed()
}

/// A value of `ty`: known at every level, or null, or (when `unknowns`) unknown.
fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::List(t) => prop::collection::vec(arb_value(t, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(t) => prop::collection::vec(arb_value(t, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(t) => prop::collection::btree_map(any::<String>(), arb_value(t, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attrs) => attrs
            .iter()
            .map(|(k, t)| {
                let k = k.clone();
                arb_value(t, unknowns).prop_map(move |v| (k.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|kvs| Value::Object(kvs.into_iter().collect()))
            .boxed(),
        Type::Tuple(ts) => ts
            .iter()
            .map(|t| arb_value(t, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Dynamic => concrete_type()
            .prop_flat_map(move |t| {
                arb_value(&t, unknowns).prop_map(move |v| Value::Dynamic(t.clone(), Box::new(v)))
            })
            .boxed(),
    };
    let mut choices = vec![(6, known), (1, Just(Value::Null).boxed())];
    if unknowns {
        choices.push((1, Just(Value::Unknown).boxed()));
    }
    Union::new_weighted(choices).boxed()
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| (Just(t.clone()), arb_value(&t, unknowns)))
}

/// Arbitrary well-formed msgpack, of any shape: the decoder must reject the wrong ones.
fn arb_msgpack() -> impl Strategy<Value = rmpv::Value> {
    use rmpv::Value as M;
    let leaf = prop_oneof![
        Just(M::Nil),
        any::<bool>().prop_map(M::Boolean),
        any::<i64>().prop_map(M::from),
        any::<u64>().prop_map(M::from),
        any::<f64>().prop_map(M::F64),
        any::<f32>().prop_map(M::F32),
        any::<String>().prop_map(M::from),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(M::Binary),
        (any::<i8>(), prop::collection::vec(any::<u8>(), 0..4)).prop_map(|(t, d)| M::Ext(t, d)),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(M::Array),
            prop::collection::vec((inner.clone(), inner), 0..4).prop_map(M::Map),
        ]
    })
}

/// Arbitrary JSON of any shape.
fn arb_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<f64>().prop_map(J::from),
        any::<String>().prop_map(J::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::btree_map("[a-z]{0,3}|type|value", inner, 0..4)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

// ---- oracles ------------------------------------------------------------------------------

/// cty's JSON encoding of a known-or-null value (what Terraform writes into state):
/// dynamic values as `{"value", "type"}`, numbers as JSON numbers (decimal text as a string,
/// which cty's decoder also accepts).
fn cty_json(v: &Value, ty: &Type) -> J {
    match (v, ty) {
        (Value::Null, _) => J::Null,
        (Value::Unknown, _) => panic!("state never holds unknowns"),
        (Value::Dynamic(t, inner), Type::Dynamic) => {
            j!({"value": cty_json(inner, t), "type": t.to_json()})
        }
        (Value::Bool(b), _) => J::Bool(*b),
        (Value::Number(Number::Int(i)), _) => J::from(*i),
        (Value::Number(Number::Float(f)), _) if f.is_finite() => J::from(*f),
        (Value::Number(Number::Float(f)), _) => {
            J::String(if *f > 0.0 { "Infinity" } else { "-Infinity" }.into())
        }
        (Value::Number(Number::Decimal(s)), _) => J::String(s.clone()),
        (Value::String(s), _) => J::String(s.clone()),
        (Value::List(items), Type::List(t)) | (Value::Set(items), Type::Set(t)) => {
            J::Array(items.iter().map(|e| cty_json(e, t)).collect())
        }
        (Value::Tuple(items), Type::Tuple(ts)) => {
            J::Array(items.iter().zip(ts).map(|(e, t)| cty_json(e, t)).collect())
        }
        (Value::Map(m), Type::Map(t)) => {
            J::Object(m.iter().map(|(k, e)| (k.clone(), cty_json(e, t))).collect())
        }
        (Value::Object(m), Type::Object(attrs)) => J::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), cty_json(&m[k], t)))
                .collect(),
        ),
        (v, t) => panic!("generator produced {v:?} for {t:?}"),
    }
}

fn has_infinity(v: &Value) -> bool {
    match v {
        Value::Number(Number::Float(f)) => f.is_infinite(),
        Value::List(x) | Value::Set(x) | Value::Tuple(x) => x.iter().any(has_infinity),
        Value::Map(m) | Value::Object(m) => m.values().any(has_infinity),
        Value::Dynamic(_, v) => has_infinity(v),
        _ => false,
    }
}

/// A decode result is a value of the type, or an error that says something.
fn sane(r: Result<Value, String>, ty: &Type) -> Result<(), TestCaseError> {
    match r {
        Ok(v) => v
            .conforms(ty)
            .map_err(|e| TestCaseError::fail(format!("decoded a value outside its type: {e}"))),
        Err(e) => {
            prop_assert!(!e.trim().is_empty(), "an error without a message");
            Ok(())
        }
    }
}

fn sane_diags(
    r: Result<Value, coexistence::framework::Diagnostics>,
    ty: &Type,
) -> Result<(), TestCaseError> {
    match r {
        Ok(v) => v
            .conforms(ty)
            .map_err(|e| TestCaseError::fail(format!("decoded a value outside its type: {e}"))),
        Err(d) => {
            prop_assert!(d.has_errors(), "failure without an error diagnostic: {d}");
            prop_assert!(d
                .0
                .iter()
                .all(|x| !x.summary.is_empty() && !x.detail.is_empty()));
            Ok(())
        }
    }
}

// ---- properties ---------------------------------------------------------------------------

proptest! {
    // Failures print their minimal input; no regression files are written into the tree.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn msgpack_round_trips_every_value_of_every_type((ty, v) in typed_value(true)) {
        let bytes = msgpack::encode(&v, &ty).map_err(TestCaseError::fail)?;
        let back = msgpack::decode(&bytes, &ty).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&back, &v);
        // And through the protocol conversion Terraform's requests take.
        let dv = pb::DynamicValue { msgpack: bytes, json: Vec::new() };
        prop_assert_eq!(convert::decode(Some(&dv), &ty).map_err(|d| TestCaseError::fail(d.to_string()))?, v);
    }

    #[test]
    fn json_round_trips_every_known_or_null_value((ty, v) in typed_value(false)) {
        prop_assume!(!has_infinity(&v));
        let bytes = serde_json::to_vec(&cty_json(&v, &ty)).unwrap();
        let parsed: J = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(&json::decode(&parsed, &ty).map_err(TestCaseError::fail)?, &v);
        // Stored state takes this path (UpgradeResourceState).
        let raw = pb::RawState { json: bytes.clone(), flatmap: Default::default() };
        prop_assert_eq!(convert::decode_raw_state(Some(&raw), &ty).map_err(|d| TestCaseError::fail(d.to_string()))?, v.clone());
        let dv = pb::DynamicValue { msgpack: Vec::new(), json: bytes };
        prop_assert_eq!(convert::decode(Some(&dv), &ty).map_err(|d| TestCaseError::fail(d.to_string()))?, v);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256), ty in arb_type()) {
        sane(msgpack::decode(&bytes, &ty), &ty)?;
        let dv = pb::DynamicValue { msgpack: bytes.clone(), json: Vec::new() };
        sane_diags(convert::decode(Some(&dv), &ty), &ty)?;
        let dv = pb::DynamicValue { msgpack: Vec::new(), json: bytes.clone() };
        sane_diags(convert::decode(Some(&dv), &ty), &ty)?;
        let raw = pb::RawState { json: bytes, flatmap: Default::default() };
        sane_diags(convert::decode_raw_state(Some(&raw), &ty), &ty)?;
    }

    #[test]
    fn well_formed_msgpack_of_the_wrong_shape_is_an_error_not_a_panic(m in arb_msgpack(), ty in arb_type()) {
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &m).unwrap();
        sane(msgpack::decode(&bytes, &ty), &ty)?;
        // Truncated and with trailing garbage.
        if !bytes.is_empty() {
            sane(msgpack::decode(&bytes[..bytes.len() - 1], &ty), &ty)?;
        }
        bytes.push(0xc1); // never used in msgpack
        prop_assert!(msgpack::decode(&bytes, &ty).is_err(), "trailing bytes accepted");
    }

    #[test]
    fn mutated_encodings_are_values_or_errors((ty, v) in typed_value(true), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut bytes = msgpack::encode(&v, &ty).map_err(TestCaseError::fail)?;
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] ^= b | 1;
        }
        sane(msgpack::decode(&bytes, &ty), &ty)?;
    }

    #[test]
    fn json_of_the_wrong_shape_is_an_error_not_a_panic(x in arb_json(), ty in arb_type()) {
        sane(json::decode(&x, &ty), &ty)?;
    }

    #[test]
    fn import_ids_parse_only_guids_and_say_what_was_expected(id in any::<String>()) {
        match import_id::parse::<PartnerTenant>("coexistence_x", &id) {
            Ok(g) => {
                prop_assert!(uuid::Uuid::parse_str(id.trim()).is_ok(), "accepted {id:?}");
                prop_assert_eq!(g.to_string(), id.trim().to_ascii_lowercase());
            }
            Err(d) => {
                prop_assert!(d.has_errors());
                prop_assert!(d.0[0].detail.contains(PartnerTenant::FORMAT), "{}", d);
                prop_assert!(d.0[0].detail.contains(&format!("{id:?}")), "the input is quoted: {}", d);
            }
        }
    }

    #[test]
    fn tenant_guids_round_trip_in_any_case(bytes in any::<[u8; 16]>(), upper in prop::collection::vec(any::<bool>(), 36), pad in "[ \t]{0,2}") {
        let canonical = uuid::Uuid::from_bytes(bytes).hyphenated().to_string();
        let spelled: String = canonical
            .chars()
            .zip(&upper)
            .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c })
            .collect();
        let g: PartnerTenant = import_id::parse("coexistence_x", &format!("{pad}{spelled}{pad}"))
            .map_err(|d| TestCaseError::fail(d.to_string()))?;
        prop_assert_eq!(g.to_string(), canonical.clone());
        prop_assert_eq!(g.to_string().parse::<PartnerTenant>().unwrap(), g);
    }

    #[test]
    fn tagged_ids_round_trip(bytes in any::<[u8; 16]>(), name in "[^\\p{Cc}]{1,40}") {
        let owner = OwnerMember(TenantGuid(uuid::Uuid::from_bytes(bytes).hyphenated().to_string()));
        prop_assert_eq!(owner.to_string().parse::<OwnerMember>().unwrap(), owner.clone());
        prop_assert!(owner.to_string().starts_with("owner/"));
        let inbound = InboundConnector(Name(name));
        prop_assert_eq!(inbound.to_string().parse::<InboundConnector>().unwrap(), inbound);
    }

    #[test]
    fn tagged_ids_refuse_anything_else_and_quote_the_format(id in any::<String>()) {
        for (ok, format) in [
            (import_id::parse::<OwnerMember>("coexistence_x", &id).map(|v| v.to_string()), OwnerMember::FORMAT),
            (import_id::parse::<InboundConnector>("coexistence_x", &id).map(|v| v.to_string()), InboundConnector::FORMAT),
        ] {
            match ok {
                Ok(printed) => {
                    // Accepted: it had the tag, and prints back as the trimmed input (GUIDs
                    // lowercase).
                    let tag = &format[..format.find('/').unwrap() + 1];
                    prop_assert!(id.trim().starts_with(tag), "accepted {id:?}");
                    prop_assert_eq!(printed.to_ascii_lowercase(), id.trim().to_ascii_lowercase());
                }
                Err(d) => {
                    prop_assert!(d.0[0].detail.contains(format), "{}", d);
                    prop_assert!(d.0[0].detail.contains(&format!("{id:?}")), "the input is quoted: {}", d);
                }
            }
        }
    }
}

#[test]
fn numbers_keep_their_precision() {
    let ty = Type::Number;
    for text in [
        "18446744073709551615",
        "123456789012345678901234567890",
        "-0.1000000000000000055511151231257827",
        "3.141592653589793238462643383279502884",
    ] {
        let v = Value::Number(Number::Decimal(text.into()));
        let back = msgpack::decode(&msgpack::encode(&v, &ty).unwrap(), &ty).unwrap();
        assert_eq!(back, v);
        match back {
            Value::Number(Number::Decimal(s)) => assert_eq!(s, text),
            other => panic!("{other:?}"),
        }
    }
    // A u64 beyond i64 in state JSON stays exact.
    let v = json::decode(
        &serde_json::from_str::<J>("18446744073709551615").unwrap(),
        &ty,
    )
    .unwrap();
    assert_eq!(
        v,
        Value::Number(Number::Decimal("18446744073709551615".into()))
    );
    // Text that is not a number is refused, never carried as a "number".
    for bad in ["", "abc", "1.2.3", "--1", "0x10", "NaN"] {
        let m = rmpv::Value::from(bad);
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &m).unwrap();
        assert!(msgpack::decode(&bytes, &ty).is_err(), "msgpack {bad:?}");
        assert!(
            json::decode(&J::String(bad.into()), &ty).is_err(),
            "json {bad:?}"
        );
    }
    // NaN is not a cty number.
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &rmpv::Value::F64(f64::NAN)).unwrap();
    assert!(msgpack::decode(&bytes, &ty).is_err());
}

#[test]
fn tuple_length_mismatch_is_an_error_in_both_encodings() {
    let ty = Type::Tuple(vec![Type::String, Type::Bool]);
    assert!(json::decode(&j!(["a"]), &ty).is_err());
    assert!(json::decode(&j!(["a", true, 3]), &ty).is_err());
    let mut bytes = Vec::new();
    rmpv::encode::write_value(
        &mut bytes,
        &rmpv::Value::Array(vec![rmpv::Value::from("a")]),
    )
    .unwrap();
    assert!(msgpack::decode(&bytes, &ty).is_err());
}
