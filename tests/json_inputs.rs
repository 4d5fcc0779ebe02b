//! A property test over the JSON inputs (issue 8): whatever JSON a client sends to the API's write
//! routes — right or wrong field names, any types, nesting, huge numbers, odd strings — the answer is
//! never a 500, it is either success or our one error shape naming a field or a code, and nothing is
//! half-written (a refused create leaves no row and no audit event).

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rocket::http::{ContentType, Header, Status};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Map, Value};

/// Field names the API knows (so many bodies get past "unknown field") plus some it does not.
const KEYS: &[&str] = &[
    "asset_tag",
    "category",
    "model_id",
    "site_id",
    "department_id",
    "purchase_cost",
    "purchase_date",
    "warranty_end",
    "mac_addresses",
    "lifecycle_state",
    "on_watts",
    "parent_asset_tag",
    "hostname",
    "notes",
    "name",
    "postcode",
    "pue",
    "cost_centre",
    "manufacturer",
    "sleep_watts",
    "off_watts",
    "colour",
    "",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "[ -~]{0,40}".prop_map(Value::String),
        "\\PC{0,20}".prop_map(Value::String),
        Just(json!("2024-02-30")),
        Just(json!("12.345")),
        Just(json!("99999999999999999999999999.99")),
        Just(json!("aa:bb:cc:dd:ee:ff")),
        Just(json!("desktop")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn body() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::collection::btree_map(prop::sample::select(KEYS), value(), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        1 => value(),
    ]
}

#[test]
fn any_json_body_gets_success_or_a_named_error_and_never_half_writes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = rt.block_on(common::app());
    rt.block_on(t.seed_refs());
    const ROUTES: &[&str] = &["/api/v1/assets", "/api/v1/sites", "/api/v1/departments", "/api/v1/models"];
    let mut runner = TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() });
    runner
        .run(&(prop::sample::select(ROUTES), body()), |(route, body)| {
            rt.block_on(async {
                let events_before = greenict::store::audit_event::Entity::find().count(&t.db).await.unwrap();
                let res = t
                    .client
                    .post(route)
                    .header(ContentType::JSON)
                    .header(Header::new("X-CSRF-Token", t.csrf.clone()))
                    .body(body.to_string())
                    .dispatch()
                    .await;
                let status = res.status();
                let text = res.into_string().await.unwrap_or_default();
                prop_assert!(status.code < 500, "{route} {body}: {status} {text}");
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let events_after = greenict::store::audit_event::Entity::find().count(&t.db).await.unwrap();
                if status == Status::Created {
                    prop_assert_eq!(events_after, events_before + 1, "one create, one audit event");
                } else {
                    prop_assert!(
                        v["error"]["code"].is_string() && v["error"]["message"].is_string(),
                        "{route} {body}: {status} {text}"
                    );
                    prop_assert_eq!(events_after, events_before, "a refusal writes nothing");
                }
                Ok(())
            })
        })
        .unwrap();
}
