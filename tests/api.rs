//! The register through its real HTTP interface, on a fresh database per test (SQLite file by default;
//! PostgreSQL when GREENICT_TEST_DATABASE_URL is set, as `.ci/run` does).

mod common;

use common::{app, error_of, WHO};
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::{json, Value};

fn asset(tag: &str, model_id: i64, site_id: i64, dept_id: i64) -> Value {
    json!({
        "asset_tag": tag, "model_id": model_id, "site_id": site_id, "department_id": dept_id,
        "hostname": format!("co-{}", tag.to_lowercase()), "serial": format!("SN{tag}"),
        "mac_addresses": ["00-1A-2B-3C-4D-5E"], "assigned_user": "Jo Bloggs",
        "purchase_date": "2021-04-01", "purchase_cost": "649.99", "lifecycle_state": "deployed"
    })
}

#[rocket::async_test]
async fn health_and_readiness() {
    let t = app().await;
    assert_eq!(t.get("/healthz").await, (Status::Ok, json!({"status": "ok"})));
    assert_eq!(t.get("/readyz").await, (Status::Ok, json!({"status": "ready"})));
}

#[rocket::async_test]
async fn site_crud_round_trip_with_audit() {
    let t = app().await;
    let (s, site) =
        t.post("/api/v1/sites", json!({"name": " Riverside Leisure Centre ", "postcode": "ab1 2cd", "pue": 1.6})).await;
    assert_eq!(s, Status::Created, "{site}");
    assert_eq!(site["name"], "Riverside Leisure Centre", "trimmed");
    assert_eq!(site["postcode"], "AB1 2CD", "upper-cased");
    let id = site["id"].as_i64().unwrap();

    let (s, got) = t.get(&format!("/api/v1/sites/{id}")).await;
    assert_eq!((s, got["pue"].as_f64()), (Status::Ok, Some(1.6)));

    let (s, changed) = t.patch(&format!("/api/v1/sites/{id}"), json!({"pue": null, "notes": "Pool plant room"})).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(changed["pue"], Value::Null, "null clears");
    assert_eq!(changed["postcode"], "AB1 2CD", "absent is left alone");

    let (s, list) = t.get("/api/v1/sites").await;
    assert_eq!((s, list.as_array().map(Vec::len)), (Status::Ok, Some(1)));

    let (s, _) = t.delete(&format!("/api/v1/sites/{id}")).await;
    assert_eq!(s, Status::NoContent);
    let (s, err) = t.get(&format!("/api/v1/sites/{id}")).await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::NotFound, "not_found"));

    let events = greenict::store::audit_event::Entity::find().all(&t.db).await.unwrap();
    let events: Vec<_> = events.into_iter().filter(|e| e.entity_type == "site").collect();
    let actions: Vec<(&str, &str)> = events.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, vec![("create", WHO), ("update", WHO), ("delete", WHO)]);
    let update = &events[1];
    let before: Value = serde_json::from_str(update.before_json.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(update.after_json.as_deref().unwrap()).unwrap();
    assert_eq!((before["pue"].as_f64(), &after["pue"]), (Some(1.6), &Value::Null));
    assert_eq!(after["notes"], "Pool plant room");
    assert!(events[2].after_json.is_none() && events[2].before_json.is_some());
}

#[rocket::async_test]
async fn site_validation_names_fields_and_duplicates_conflict() {
    let t = app().await;
    let (s, err) = t.post("/api/v1/sites", json!({"pue": 0.5})).await;
    assert_eq!(s, Status::UnprocessableEntity);
    let fields: Vec<&str> =
        err["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "pue"], "every problem listed: {err}");
    t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    let (s, err) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("duplicate".into(), Some("name".into()))));
}

#[rocket::async_test]
async fn site_in_use_cannot_be_deleted() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.post("/api/v1/assets", asset("A1", model, site, dept)).await;
    let (s, err) = t.delete(&format!("/api/v1/sites/{site}")).await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "in_use"));
    assert!(err["error"]["message"].as_str().unwrap().contains("1 assets"), "{err}");
}

#[rocket::async_test]
async fn asset_crud_round_trip() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    let (s, a) = t.post("/api/v1/assets", asset("WCC-000001", model, site, dept)).await;
    assert_eq!(s, Status::Created, "{a}");
    assert_eq!(a["category"], "desktop", "taken from the model");
    assert_eq!(a["mac_addresses"], json!(["00:1a:2b:3c:4d:5e"]), "normalised");
    assert_eq!(a["purchase_cost"], "649.99");
    // 2021-04-01 + the model's 60 months.
    assert_eq!(a["refresh_due"], "2026-04-01");
    assert_eq!(a["allowed_next_states"], json!(["in_repair", "in_stock", "retired"]));

    let (s, got) = t.get("/api/v1/assets/WCC-000001").await;
    assert_eq!((s, &got["hostname"]), (Status::Ok, &json!("co-wcc-000001")));

    let (s, changed) = t
        .patch(
            "/api/v1/assets/WCC-000001",
            json!({"life_months": 84, "mac_addresses": ["001a.2b3c.4d5f", "00:1A:2B:3C:4D:5F"], "assigned_user": null}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{changed}");
    assert_eq!(changed["refresh_due"], "2028-04-01", "asset life overrides the model's");
    assert_eq!(changed["mac_addresses"], json!(["00:1a:2b:3c:4d:5f"]), "deduplicated after normalising");
    assert_eq!(changed["assigned_user"], Value::Null);
    assert_eq!(changed["serial"], "SNWCC-000001");

    let (s, hist) = t.get("/api/v1/assets/WCC-000001/history").await;
    assert_eq!(s, Status::Ok);
    let hist = hist.as_array().unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!((hist[0]["action"].as_str(), hist[0]["actor"].as_str()), (Some("update"), Some(WHO)));
    assert_eq!(hist[0]["before"]["assigned_user"], "Jo Bloggs");
    assert_eq!(hist[0]["after"]["assigned_user"], Value::Null);

    let (s, _) = t.delete("/api/v1/assets/WCC-000001").await;
    assert_eq!(s, Status::NoContent);
    let (s, err) = t.get("/api/v1/assets/WCC-000001").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::NotFound, "not_found"));
}

#[rocket::async_test]
async fn every_asset_validation_error_names_its_field() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    let cases: Vec<(Value, &str, Status)> = vec![
        (json!({"category": "desktop"}), "asset_tag", Status::UnprocessableEntity),
        (json!({"asset_tag": "A/1", "category": "desktop"}), "asset_tag", Status::UnprocessableEntity),
        (json!({"asset_tag": "A1"}), "category", Status::UnprocessableEntity),
        (json!({"asset_tag": "A1", "category": "toaster"}), "category", Status::UnprocessableEntity),
        (
            json!({"asset_tag": "A1", "category": "desktop", "mac_addresses": ["00:1a:2b"]}),
            "mac_addresses[0]",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "purchase_cost": "-1.00"}),
            "purchase_cost",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "purchase_cost": "1.234"}),
            "purchase_cost",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "purchase_cost": 12.5}),
            "purchase_cost",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "purchase_date": "31/03/2024"}),
            "purchase_date",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "ip_address": "10.0.0.300"}),
            "ip_address",
            Status::UnprocessableEntity,
        ),
        (json!({"asset_tag": "A1", "category": "desktop", "on_watts": -3}), "on_watts", Status::UnprocessableEntity),
        (
            json!({"asset_tag": "A1", "category": "desktop", "life_months": 0}),
            "life_months",
            Status::UnprocessableEntity,
        ),
        (json!({"asset_tag": "A1", "category": "desktop", "site_id": 9999}), "site_id", Status::UnprocessableEntity),
        (
            json!({"asset_tag": "A1", "category": "desktop", "department_id": 9999}),
            "department_id",
            Status::UnprocessableEntity,
        ),
        (json!({"asset_tag": "A1", "model_id": 9999}), "model_id", Status::UnprocessableEntity),
        (
            json!({"asset_tag": "A1", "category": "desktop", "parent_asset_tag": "NOPE"}),
            "parent_asset_tag",
            Status::UnprocessableEntity,
        ),
        (
            json!({"asset_tag": "A1", "category": "desktop", "lifecycle_state": "disposed"}),
            "lifecycle_state",
            Status::UnprocessableEntity,
        ),
        (json!({"asset_tag": "A1", "category": "desktop", "colour": "beige"}), "colour", Status::UnprocessableEntity),
        (
            json!({"asset_tag": "A1", "category": "desktop", "purchase_date": "2024-05-01", "warranty_end": "2023-05-01"}),
            "warranty_end",
            Status::UnprocessableEntity,
        ),
    ];
    for (body, field, status) in cases {
        let (s, err) = t.post("/api/v1/assets", body.clone()).await;
        assert_eq!(s, status, "{body} → {err}");
        assert_eq!(error_of(&err).1.as_deref(), Some(field), "{body} → {err}");
    }
    let (s, _) = t.post("/api/v1/assets", asset("OK1", model, site, dept)).await;
    assert_eq!(s, Status::Created, "refs are valid");
    let count = greenict::store::asset::Entity::find().all(&t.db).await.unwrap().len();
    assert_eq!(count, 1, "no refused request wrote anything");
}

#[rocket::async_test]
async fn malformed_json_is_a_400_with_the_place() {
    let t = app().await;
    let (s, err) = t.raw_post("/api/v1/assets", "{\"asset_tag\": \"A1\",").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::BadRequest, "invalid_json"));
    assert!(err["error"]["message"].as_str().unwrap().contains("line 1 column"), "{err}");
    let (s, err) = t.get("/api/v1/nothing-here").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::NotFound, "not_found"));
    let (s, err) = t.get("/api/v1/assets?sort=colour").await;
    assert_eq!((s, error_of(&err)), (Status::BadRequest, ("invalid_parameter".into(), Some("sort".into()))));
}

#[rocket::async_test]
async fn duplicate_asset_tag_is_a_conflict_on_create_and_rename() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.post("/api/v1/assets", asset("T1", model, site, dept)).await;
    t.post("/api/v1/assets", asset("T2", model, site, dept)).await;
    let (s, err) = t.post("/api/v1/assets", asset("T1", model, site, dept)).await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("duplicate".into(), Some("asset_tag".into()))));
    let (s, err) = t.patch("/api/v1/assets/T2", json!({"asset_tag": "T1"})).await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("duplicate".into(), Some("asset_tag".into()))));
}

#[rocket::async_test]
async fn lifecycle_moves_are_enforced_and_disposed_is_read_only() {
    let t = app().await;
    t.post("/api/v1/assets", json!({"asset_tag": "L1", "category": "laptop", "lifecycle_state": "on_order"})).await;
    let (s, err) = t.patch("/api/v1/assets/L1", json!({"lifecycle_state": "deployed"})).await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("illegal_transition".into(), Some("lifecycle_state".into()))));
    assert!(err["error"]["message"].as_str().unwrap().ends_with("allowed next states: in_stock"), "{err}");

    for next in ["in_stock", "deployed", "in_repair", "deployed", "retired", "awaiting_disposal"] {
        let (s, a) = t.patch("/api/v1/assets/L1", json!({"lifecycle_state": next})).await;
        assert_eq!((s, a["lifecycle_state"].as_str()), (Status::Ok, Some(next)), "{a}");
    }
    // The last step is a disposal record's, which checks sanitisation and the paperwork first.
    let (_, a) = t.get("/api/v1/assets/L1").await;
    assert_eq!(a["allowed_next_states"], json!(["retired"]), "disposed is not offered as a plain move");
    let (s, err) = t.patch("/api/v1/assets/L1", json!({"lifecycle_state": "disposed"})).await;
    assert_eq!(
        (s, error_of(&err)),
        (Status::Conflict, ("dispose_through_a_disposal".into(), Some("lifecycle_state".into())))
    );
    // As a completed disposal leaves it (tests/disposals.rs goes through one end to end):
    use sea_orm::ConnectionTrait;
    t.db.execute_unprepared("UPDATE asset SET lifecycle_state = 'disposed' WHERE asset_tag = 'L1'").await.unwrap();
    for change in [json!({"notes": "x"}), json!({"lifecycle_state": "in_stock"})] {
        let (s, err) = t.patch("/api/v1/assets/L1", change).await;
        assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "read_only"));
    }
    let (s, err) = t.delete("/api/v1/assets/L1").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "read_only"));
    let (_, a) = t.get("/api/v1/assets/L1").await;
    assert_eq!((a["lifecycle_state"].as_str(), &a["allowed_next_states"]), (Some("disposed"), &json!([])));
}

#[rocket::async_test]
async fn money_round_trips_exactly() {
    let t = app().await;
    for (i, amount) in ["0.30", "1234567890123.45", "0.01", "999.90"].iter().enumerate() {
        let tag = format!("M{i}");
        let (s, a) =
            t.post("/api/v1/assets", json!({"asset_tag": tag, "category": "server", "purchase_cost": amount})).await;
        assert_eq!((s, a["purchase_cost"].as_str()), (Status::Created, Some(*amount)));
        let (_, a) = t.get(&format!("/api/v1/assets/{tag}")).await;
        assert_eq!(a["purchase_cost"].as_str(), Some(*amount), "read back from {}", t.backend);
    }
    // What the database holds is exact integer pence.
    let row =
        t.db.query_one_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT purchase_cost_pence FROM asset WHERE asset_tag = 'M1'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "purchase_cost_pence").unwrap(), 123456789012345);
}

#[rocket::async_test]
async fn monitors_link_to_their_pc() {
    let t = app().await;
    t.post("/api/v1/assets", json!({"asset_tag": "PC1", "category": "desktop"})).await;
    let (s, m) =
        t.post("/api/v1/assets", json!({"asset_tag": "MON1", "category": "monitor", "parent_asset_tag": "PC1"})).await;
    assert_eq!((s, m["parent_asset_tag"].as_str()), (Status::Created, Some("PC1")));
    let (s, err) =
        t.post("/api/v1/assets", json!({"asset_tag": "MON2", "category": "monitor", "parent_asset_tag": "MON1"})).await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("parent_asset_tag")));
    let (s, err) = t.delete("/api/v1/assets/PC1").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "in_use"));
    let (_, list) = t.get("/api/v1/assets?category=monitor").await;
    assert_eq!(list["items"][0]["parent_asset_tag"], "PC1", "list carries parent tags too");
    // Read by tag, the monitor names its PC and the PC names none (one self-joined query).
    let (s, mon) = t.get("/api/v1/assets/MON1").await;
    assert_eq!(
        (s, mon["asset_tag"].as_str(), mon["parent_asset_tag"].as_str()),
        (Status::Ok, Some("MON1"), Some("PC1"))
    );
    let (_, pc) = t.get("/api/v1/assets/PC1").await;
    assert_eq!((pc["asset_tag"].as_str(), pc["parent_asset_tag"].is_null()), (Some("PC1"), true), "{pc}");
}

#[rocket::async_test]
async fn list_filters_and_search() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    let (_, other_site) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    let other_site = other_site["id"].as_i64().unwrap();
    let mut a = asset("F1", model, site, dept);
    a["warranty_end"] = json!("2024-04-01");
    t.post("/api/v1/assets", a).await;
    let mut b = asset("F2", model, other_site, dept);
    b["mac_addresses"] = json!(["02:00:00:00:00:02"]);
    b["purchase_date"] = json!("2025-01-01");
    b["assigned_user"] = json!("Priya Patel");
    t.post("/api/v1/assets", b).await;
    t.post("/api/v1/assets", json!({"asset_tag": "F3", "category": "laptop", "lifecycle_state": "in_stock"})).await;

    let tags = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|a| a["asset_tag"].as_str().unwrap().to_string()).collect()
    };
    let cases = [
        (format!("?site_id={site}"), vec!["F1"]),
        (format!("?department_id={dept}"), vec!["F1", "F2"]),
        (format!("?model_id={model}&site_id={other_site}"), vec!["F2"]),
        ("?category=laptop".into(), vec!["F3"]),
        ("?state=in_stock".into(), vec!["F3"]),
        ("?refresh_due_before=2027-01-01".into(), vec!["F1"]),
        ("?warranty_end_before=2025-01-01".into(), vec!["F1"]),
        ("?q=priya".into(), vec!["F2"]),
        ("?q=0200.0000.0002".into(), vec!["F2"]),
        ("?q=CO-F1".into(), vec!["F1"]),
        ("?q=snf".into(), vec!["F1", "F2"]),
        ("?q=100%25".into(), vec![]),
        ("?sort=purchase_date&dir=desc".into(), vec!["F2", "F1", "F3"]),
    ];
    for (query, want) in cases {
        let (s, v) = t.get(&format!("/api/v1/assets{query}")).await;
        assert_eq!(s, Status::Ok, "{query}: {v}");
        assert_eq!(tags(&v), want, "{query}");
        assert_eq!(v["total"].as_u64(), Some(want.len() as u64), "{query}");
    }
}

#[rocket::async_test]
async fn pagination_is_stable_under_inserts() {
    let t = app().await;
    for i in (0..30).step_by(2) {
        t.post("/api/v1/assets", json!({"asset_tag": format!("P{i:03}"), "category": "desktop"})).await;
    }
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/assets?limit=4&cursor={c}"),
            None => "/api/v1/assets?limit=4".to_string(),
        };
        let (s, page) = t.get(&q).await;
        assert_eq!(s, Status::Ok, "{page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|a| a["asset_tag"].as_str().unwrap().to_string()));
        // Rows inserted between pages, before and after the cursor position.
        t.post("/api/v1/assets", json!({"asset_tag": format!("P{:03}", 2 * inserted + 1), "category": "desktop"}))
            .await;
        inserted += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let originals: Vec<String> = (0..30).step_by(2).map(|i| format!("P{i:03}")).collect();
    for tag in &originals {
        assert_eq!(seen.iter().filter(|s| *s == tag).count(), 1, "{tag} seen exactly once: {seen:?}");
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "keyset order holds");
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no row repeated");

    let (s, err) = t.get("/api/v1/assets?cursor=not-a-cursor").await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::BadRequest, "invalid_cursor"));
    let (_, page) = t.get("/api/v1/assets?limit=2").await;
    let c = page["next_cursor"].as_str().unwrap();
    let (s, err) = t.get(&format!("/api/v1/assets?limit=2&sort=hostname&cursor={c}")).await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::BadRequest, "cursor_mismatch"));
}

#[rocket::async_test]
async fn pagination_walks_nullable_sorts_in_both_directions() {
    let t = app().await;
    for (tag, date) in
        [("N1", Some("2020-01-01")), ("N2", None), ("N3", Some("2022-01-01")), ("N4", None), ("N5", Some("2022-01-01"))]
    {
        t.post("/api/v1/assets", json!({"asset_tag": tag, "category": "desktop", "warranty_end": date})).await;
    }
    for (dir, want) in [("asc", ["N1", "N3", "N5", "N2", "N4"]), ("desc", ["N5", "N3", "N1", "N4", "N2"])] {
        let mut seen = Vec::new();
        let mut q = format!("/api/v1/assets?sort=warranty_end&dir={dir}&limit=2");
        loop {
            let (s, page) = t.get(&q).await;
            assert_eq!(s, Status::Ok, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().map(|a| a["asset_tag"].as_str().unwrap().to_string()));
            match page["next_cursor"].as_str() {
                Some(c) => q = format!("/api/v1/assets?sort=warranty_end&dir={dir}&limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, want, "{dir}: nulls last, ties broken by id");
    }
}

#[rocket::async_test]
async fn a_change_by_session_needs_the_anti_forgery_token_and_names_the_signed_in_user() {
    let t = app().await;
    // A page on another site can make the browser send the cookie, but cannot read the token.
    let res = t
        .client
        .post("/api/v1/sites")
        .header(rocket::http::ContentType::JSON)
        .header(rocket::http::Header::new("X-Greenict-User", "mallory"))
        .body(r#"{"name":"Library"}"#)
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::Forbidden);
    let events = greenict::store::audit_event::Entity::find().all(&t.db).await.unwrap();
    assert!(events.iter().all(|e| e.entity_type != "site"), "nothing was written: {events:?}");
    let res = t
        .client
        .post("/api/v1/sites")
        .header(rocket::http::ContentType::JSON)
        .header(rocket::http::Header::new("X-CSRF-Token", t.csrf.clone()))
        .header(rocket::http::Header::new("X-Greenict-User", "mallory"))
        .body(r#"{"name":"Library"}"#)
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::Created);
    let events = greenict::store::audit_event::Entity::find().all(&t.db).await.unwrap();
    let site = events.iter().find(|e| e.entity_type == "site").expect("site event");
    assert_eq!((site.actor.as_str(), site.actor_kind.as_str()), (WHO, "user"), "a header cannot claim another name");
}

#[rocket::async_test]
async fn every_api_route_is_in_the_openapi_document() {
    let t = app().await;
    let (s, doc) = t.get("/api/v1/openapi.json").await;
    assert_eq!(s, Status::Ok);
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for route in t.client.rocket().routes() {
        let path = route.uri.path().to_string();
        if !path.starts_with("/api/v1/") || path == "/api/v1/openapi.json" {
            continue;
        }
        // Rocket writes /assets/<tag>; OpenAPI writes /assets/{tag}.
        let openapi_path = path.replace('<', "{").replace('>', "}");
        let method = route.method.as_str().to_lowercase();
        let entry = paths.get(&openapi_path).unwrap_or_else(|| panic!("{openapi_path} missing from OpenAPI"));
        assert!(entry.get(&method).is_some(), "{method} {openapi_path} missing from OpenAPI");
        checked += 1;
    }
    assert!(checked >= 21, "checked {checked} routes");
    let res = t.client.get("/api/docs/").dispatch().await;
    assert_eq!(res.status(), Status::Ok, "browsable docs are served");
}

#[rocket::async_test]
async fn department_crud_and_unique_cost_centre() {
    let t = app().await;
    let (s, d) = t.post("/api/v1/departments", json!({"name": "Housing", "cost_centre": "HS200"})).await;
    assert_eq!(s, Status::Created, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (s, err) = t.post("/api/v1/departments", json!({"name": "Housing Options", "cost_centre": "HS200"})).await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("duplicate".into(), Some("cost_centre".into()))));
    let (s, d) = t.patch(&format!("/api/v1/departments/{id}"), json!({"cost_centre": null})).await;
    assert_eq!((s, &d["cost_centre"]), (Status::Ok, &Value::Null));
    t.post("/api/v1/assets", json!({"asset_tag": "D1", "category": "laptop", "department_id": id})).await;
    let (s, err) = t.delete(&format!("/api/v1/departments/{id}")).await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "in_use"));
    t.delete("/api/v1/assets/D1").await;
    let (s, _) = t.delete(&format!("/api/v1/departments/{id}")).await;
    assert_eq!(s, Status::NoContent);
}

#[rocket::async_test]
async fn network_segment_derives_the_directed_broadcast() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    let (s, seg) =
        t.post("/api/v1/network-segments", json!({"site_id": site, "name": "Floor 2", "cidr": "10.1.2.0/23"})).await;
    assert_eq!(s, Status::Created, "{seg}");
    // 10.1.2.0/23 spans 10.1.2.0–10.1.3.255: the directed broadcast is the last address.
    assert_eq!((seg["broadcast_address"].as_str(), seg["wol_port"].as_i64()), (Some("10.1.3.255"), Some(9)));
    let (s, err) =
        t.post("/api/v1/network-segments", json!({"site_id": site, "name": "Bad", "cidr": "10.1.2.7/24"})).await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("cidr")));
    let (s, err) = t
        .post(
            "/api/v1/network-segments",
            json!({"site_id": site, "name": "Out", "cidr": "10.9.0.0/24", "broadcast_address": "10.8.0.255"}),
        )
        .await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("broadcast_address")));
    let (s, err) =
        t.post("/api/v1/network-segments", json!({"site_id": 9999, "name": "X", "cidr": "10.9.0.0/24"})).await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("site_id")));
    let (_, list) = t.get(&format!("/api/v1/network-segments?site_id={site}")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[rocket::async_test]
async fn model_power_rules_and_life_change_moves_refresh_dates() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    let (s, err) = t
        .post("/api/v1/models", json!({"manufacturer": "HP", "name": "Odd", "category": "desktop", "on_watts": 10, "sleep_watts": 20, "off_watts": 1}))
        .await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("sleep_watts")));
    let (s, err) = t
        .post("/api/v1/models", json!({"manufacturer": "HP", "name": "Odd", "category": "desktop", "on_watts": 60, "sleep_watts": 2, "off_watts": 1, "embodied_kg_co2e": 277}))
        .await;
    assert_eq!((s, error_of(&err).1.as_deref()), (Status::UnprocessableEntity, Some("embodied_source")));
    let (s, err) = t
        .post("/api/v1/models", json!({"manufacturer": "Dell", "name": "OptiPlex 7010", "category": "desktop", "on_watts": 60, "sleep_watts": 2, "off_watts": 1}))
        .await;
    assert_eq!((s, error_of(&err)), (Status::Conflict, ("duplicate".into(), Some("name".into()))));

    t.post("/api/v1/assets", asset("R1", model, site, dept)).await;
    let (s, m) = t
        .patch(&format!("/api/v1/models/{model}"), json!({"default_life_months": 96, "replacement_price": "720.50"}))
        .await;
    assert_eq!((s, m["replacement_price"].as_str()), (Status::Ok, Some("720.50")));
    let (_, a) = t.get("/api/v1/assets/R1").await;
    assert_eq!(a["refresh_due"], "2029-04-01", "2021-04-01 + 96 months, recomputed when the model's life changed");
    let (s, err) = t.delete(&format!("/api/v1/models/{model}")).await;
    assert_eq!((s, error_of(&err).0.as_str()), (Status::Conflict, "in_use"));
}
