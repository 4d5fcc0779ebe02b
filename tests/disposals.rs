//! WEEE disposals through the real HTTP interface on a fresh database per test (SQLite by default,
//! PostgreSQL with GREENICT_TEST_DATABASE_URL): a donation of 40 laptops end to end, and each refusal
//! with its precise error and nothing changed.

mod common;

use common::{app, error_of, TestApp, WHO};
use rocket::http::{ContentType, Header, Status};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::str::FromStr;

const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

async fn audit_events(t: &TestApp) -> u64 {
    greenict::store::audit_event::Entity::find().count(&t.db).await.unwrap()
}

/// A laptop model weighing 1.6 kg and `n` retired laptops WCC-L001.. on it.
async fn retired_laptops(t: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let (s, model) = t
        .post(
            "/api/v1/models",
            json!({"manufacturer": "Dell", "name": format!("Latitude 5420 {prefix}"), "category": "laptop",
                "on_watts": 25, "sleep_watts": 1, "off_watts": 0.3, "weight_kg": 1.6}),
        )
        .await;
    assert_eq!(s, Status::Created, "{model}");
    let mut tags = Vec::new();
    for i in 1..=n {
        let tag = format!("{prefix}{i:03}");
        let (s, a) = t
            .post("/api/v1/assets", json!({"asset_tag": tag, "model_id": model["id"], "lifecycle_state": "retired"}))
            .await;
        assert_eq!(s, Status::Created, "{a}");
        tags.push(tag);
    }
    tags
}

async fn asset_state(t: &TestApp, tag: &str) -> String {
    let (s, a) = t.get(&format!("/api/v1/assets/{tag}")).await;
    assert_eq!(s, Status::Ok, "{a}");
    a["lifecycle_state"].as_str().unwrap().to_string()
}

async fn new_disposal(t: &TestApp, body: Value) -> i64 {
    let (s, d) = t.post("/api/v1/disposals", body).await;
    assert_eq!(s, Status::Created, "{d}");
    d["disposal"]["id"].as_i64().unwrap()
}

async fn upload(t: &TestApp, id: i64, query: &str, bytes: Vec<u8>) -> (Status, Value) {
    let res = t
        .client
        .post(format!("/api/v1/disposals/{id}/documents?{query}"))
        .header(ContentType::Binary)
        .header(Header::new("X-CSRF-Token", t.csrf.clone()))
        .body(bytes)
        .dispatch()
        .await;
    common::body(res).await
}

async fn import_csv(t: &TestApp, query: &str, csv: &str) -> (Status, Value) {
    let res = t
        .client
        .post(format!("/api/v1/disposals/import?{query}"))
        .header(ContentType::CSV)
        .header(Header::new("X-CSRF-Token", t.csrf.clone()))
        .body(csv)
        .dispatch()
        .await;
    common::body(res).await
}

fn details(v: &Value) -> Vec<(String, String, String)> {
    v["error"]["details"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn a_donation_of_40_laptops_end_to_end() {
    let t = app().await;
    let tags = retired_laptops(&t, "WCC-L", 40).await;
    let id = new_disposal(
        &t,
        json!({"reference": "DSP-2025-001", "disposal_date": "2025-06-30", "route": "donation",
            "receiving_organisation": "Computers for Communities CIC", "cost_gbp": "120.00"}),
    )
    .await;

    // The contractor's erasure report: the first 10 were weighed at 1.5 kg, the rest take the model's 1.6 kg.
    let mut csv =
        String::from("Batch Reference,Asset Tag,Weight (kg),Erasure Method,Certificate No,Erased By,Erased On\n");
    for (i, tag) in tags.iter().enumerate() {
        let weight = if i < 10 { "1.5" } else { "" };
        csv.push_str(&format!("DSP-2025-001,{tag},{weight},purge,ERA-{i:04},Acme ITAD Ltd,20/06/2025\n"));
    }
    let (s, dry) = import_csv(&t, "dry_run=true&source=erasure-report.csv", &csv).await;
    assert_eq!(s, Status::Ok, "{dry}");
    assert_eq!((dry["created"].as_u64(), dry["applied"].as_bool()), (Some(40), Some(false)), "{dry}");
    let (_, d) = t.get(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!(d["assets"].as_array().unwrap().len(), 0, "a dry run writes nothing");
    assert_eq!(asset_state(&t, "WCC-L001").await, "retired");

    let (s, done) = import_csv(&t, "source=erasure-report.csv", &csv).await;
    assert_eq!(s, Status::Ok, "{done}");
    assert_eq!((done["created"].as_u64(), done["applied"].as_bool()), (Some(40), Some(true)), "{done}");
    assert_eq!(asset_state(&t, "WCC-L001").await, "awaiting_disposal", "joining a disposal moves a retired asset on");

    // The waste transfer note for the batch, and an erasure certificate for each laptop.
    let wtn = pdf("waste transfer note WTN-0425");
    let (s, doc) = upload(&t, id, "kind=waste_transfer_note&file_name=wtn-0425.pdf", wtn.clone()).await;
    assert_eq!(s, Status::Created, "{doc}");
    let wtn_sha: String = Sha256::digest(&wtn).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(doc["sha256"].as_str(), Some(wtn_sha.as_str()));
    assert_eq!(
        (doc["content_type"].as_str(), doc["size_bytes"].as_u64()),
        (Some("application/pdf"), Some(wtn.len() as u64))
    );
    for (i, tag) in tags.iter().enumerate() {
        let (s, c) = upload(
            &t,
            id,
            &format!("kind=sanitisation_certificate&file_name=ERA-{i:04}.pdf&asset_tag={tag}"),
            pdf(&format!("certificate ERA-{i:04} for {tag}")),
        )
        .await;
        assert_eq!(s, Status::Created, "{c}");
        assert_eq!(c["asset_tag"].as_str(), Some(tag.as_str()));
    }

    let (_, d) = t.get(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!(d["documents"].as_array().unwrap().len(), 41);
    assert_eq!(d["completion_problems"], json!([]), "{d}");
    // 10 × 1.5 kg + 30 × 1.6 kg = 15 + 48 = 63 kg.
    assert!((d["total_weight_kg"].as_f64().unwrap() - 63.0).abs() < 1e-9, "{}", d["total_weight_kg"]);
    let events_before = audit_events(&t).await;

    let (s, done) = t.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
    assert_eq!(s, Status::Ok, "{done}");
    assert_eq!(done["disposal"]["state"].as_str(), Some("completed"));
    assert_eq!(done["disposal"]["completed_by"].as_str(), Some(WHO));
    for tag in &tags {
        assert_eq!(asset_state(&t, tag).await, "disposed", "{tag}");
    }
    let laptop40 = done["assets"].as_array().unwrap().iter().find(|a| a["asset_tag"] == "WCC-L040").unwrap().clone();
    assert_eq!((laptop40["weight_kg"].as_f64(), laptop40["weight_source"].as_str()), (Some(1.6), Some("model")));
    // One event per asset moved, and one for the disposal.
    assert_eq!(audit_events(&t).await, events_before + 41);

    // Locked: the asset, the disposal, and its lines.
    let (s, e) = t.patch("/api/v1/assets/WCC-L001", json!({"notes": "still here?"})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "read_only"), "{e}");
    let (s, e) = t.patch(&format!("/api/v1/disposals/{id}"), json!({"cost_gbp": "0.00"})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "read_only"), "{e}");
    let (s, e) = t.send("PUT", &format!("/api/v1/disposals/{id}/assets/WCC-L001"), json!({"weight_kg": 9})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "read_only"), "{e}");

    // Evidence that arrives later can still be attached; a completed disposal cannot be deleted.
    let (s, r) = upload(&t, id, "kind=receipt&file_name=receipt.jpg", b"\xFF\xD8\xFF\xE0 receipt".to_vec()).await;
    assert_eq!(s, Status::Created, "{r}");
    let (s, e) = t.delete(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "read_only"), "{e}");

    // The waste transfer note comes back as it went in, with its checksum.
    let res = t.client.get(format!("/api/v1/disposals/{id}/documents/{}", doc["id"])).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(res.content_type(), Some(ContentType::PDF));
    assert_eq!(res.headers().get_one("X-Content-SHA256"), Some(wtn_sha.as_str()));
    assert_eq!(res.into_bytes().await.unwrap(), wtn);

    // The e-waste figures for 2025/26: 40 laptops, 63 kg, all donated (reused, diverted), all certified.
    let (s, f) = t.get("/api/v1/ewaste?fy=2025").await;
    assert_eq!(s, Status::Ok, "{f}");
    let fig = &f["figures"];
    assert_eq!((f["financial_year"].as_str(), f["disposals_counted"].as_u64()), (Some("2025/26"), Some(1)));
    assert_eq!(fig["count"].as_u64(), Some(40));
    assert!((fig["weight_kg"].as_f64().unwrap() - 63.0).abs() < 1e-9);
    let donation = fig["by_route"].as_array().unwrap().iter().find(|r| r["route"] == "donation").unwrap();
    assert_eq!(donation["count"].as_u64(), Some(40));
    assert_eq!(fig["share_reused"].as_f64(), Some(1.0));
    assert_eq!(fig["share_diverted_from_landfill"].as_f64(), Some(1.0));
    assert_eq!((fig["storage_bearing_count"].as_u64(), fig["share_with_certificate"].as_f64()), (Some(40), Some(1.0)));
    assert_eq!(fig["by_weee_category"], json!([{"weee_category": 3, "count": 40, "weight_kg": fig["weight_kg"]}]));
    let (_, other_year) = t.get("/api/v1/ewaste?fy=2024").await;
    assert_eq!(other_year["figures"]["count"].as_u64(), Some(0));

    // Audit: the disposal's history (created, completed) and an asset's (retired → awaiting → disposed).
    let (_, h) = t.get(&format!("/api/v1/disposals/{id}/history")).await;
    let actions: Vec<&str> = h.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["update", "create"]);
    assert_eq!(h[0]["after"]["state"].as_str(), Some("completed"));
    assert_eq!(h[0]["actor"].as_str(), Some(WHO));
    let (_, h) = t.get("/api/v1/assets/WCC-L001/history").await;
    let states: Vec<(&str, &str)> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "update")
        .map(|e| (e["before"]["lifecycle_state"].as_str().unwrap(), e["after"]["lifecycle_state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, vec![("awaiting_disposal", "disposed"), ("retired", "awaiting_disposal")]);

    // Each laptop's share of the £120.00 cost, by weight (63 kg = 63,000 g): 12000p × 1500/63000 = 285 r 45,000;
    // 12000p × 1600/63000 = 304 r 48,000. 10 × 285 + 30 × 304 = 11,970p; the 30p left go to the 30 largest
    // remainders (the 1.6 kg laptops): 1.5 kg laptops £2.85, 1.6 kg laptops £3.05; 10 × 2.85 + 30 × 3.05 = £120.00.
    let money = greenict::services::disposals::money_by_asset(&t.db).await.unwrap();
    assert_eq!(money.len(), 40);
    let id_of = |a: &Value| a["asset_id"].as_i64().unwrap() as i32;
    let assets = done["assets"].as_array().unwrap();
    let first = assets.iter().find(|a| a["asset_tag"] == "WCC-L001").unwrap();
    assert_eq!(money[&id_of(first)].cost_gbp, Decimal::from_str("2.85").unwrap());
    assert_eq!(money[&id_of(&laptop40)].cost_gbp, Decimal::from_str("3.05").unwrap());
    assert_eq!(money[&id_of(&laptop40)].income_gbp, Decimal::ZERO);
    let total: Decimal = money.values().map(|m| m.cost_gbp).sum();
    assert_eq!(total, Decimal::from_str("120.00").unwrap());
}

#[rocket::async_test]
async fn completing_without_sanitisation_is_refused_and_changes_nothing() {
    let t = app().await;
    let tags = retired_laptops(&t, "WCC-S", 2).await;
    let id = new_disposal(
        &t,
        json!({"reference": "DSP-S", "disposal_date": "2025-07-01", "route": "donation",
            "receiving_organisation": "Digital Inclusion Trust"}),
    )
    .await;
    let sanitised = json!({"sanitisation_method": "destroy", "sanitised_by": "ICT Ops", "sanitised_on": "2025-06-25",
        "certificate_number": "D-1"});
    let (s, v) = t.send("PUT", &format!("/api/v1/disposals/{id}/assets/{}", tags[0]), sanitised).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = t.send("PUT", &format!("/api/v1/disposals/{id}/assets/{}", tags[1]), json!({})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let events = audit_events(&t).await;

    let (s, e) = t.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    let d = details(&e);
    assert_eq!(d.len(), 1, "{e}");
    assert_eq!((d[0].0.as_str(), d[0].1.as_str()), ("assets[WCC-S002].sanitisation_method", "missing_sanitisation"));
    assert!(d[0].2.contains("asset WCC-S002 holds data"), "{}", d[0].2);

    assert_eq!(audit_events(&t).await, events, "nothing written");
    for tag in &tags {
        assert_eq!(asset_state(&t, tag).await, "awaiting_disposal");
    }
    let (_, v) = t.get(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!(v["disposal"]["state"].as_str(), Some("draft"));
    assert_eq!(v["completion_problems"][0]["field"].as_str(), Some("assets[WCC-S002].sanitisation_method"));
}

#[rocket::async_test]
async fn recycling_without_the_carriers_registration_is_refused_and_changes_nothing() {
    let t = app().await;
    let (s, model) = t
        .post(
            "/api/v1/models",
            json!({"manufacturer": "Iiyama", "name": "ProLite 24", "category": "monitor",
                "on_watts": 18, "sleep_watts": 0.3, "off_watts": 0.3, "weight_kg": 3.9}),
        )
        .await;
    assert_eq!(s, Status::Created, "{model}");
    let (s, a) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-M001", "model_id": model["id"], "lifecycle_state": "awaiting_disposal"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{a}");
    let id = new_disposal(
        &t,
        json!({"reference": "DSP-R", "disposal_date": "2025-09-01", "route": "recycling",
            "receiving_organisation": "North Valley AATF", "waste_carrier": "Green Lorries Ltd",
            "waste_transfer_note": "WTN-77"}),
    )
    .await;
    let (s, v) = t.send("PUT", &format!("/api/v1/disposals/{id}/assets/WCC-M001"), json!({})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let line = &v["assets"][0];
    assert_eq!(
        (line["has_storage"].as_bool(), line["weee_category"].as_i64()),
        (Some(false), Some(11)),
        "a screen: no data, category 11"
    );
    let events = audit_events(&t).await;

    let (s, e) = t.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    let d = details(&e);
    assert_eq!(d.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), vec!["carrier_registration"], "{e}");
    assert!(d[0].2.contains("recycling route"), "{}", d[0].2);
    assert_eq!(audit_events(&t).await, events);
    assert_eq!(asset_state(&t, "WCC-M001").await, "awaiting_disposal");

    // With the registration given, it completes.
    let (s, v) = t.patch(&format!("/api/v1/disposals/{id}"), json!({"carrier_registration": "CBDU123456"})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = t.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(asset_state(&t, "WCC-M001").await, "disposed");
    let (s, e) = t.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "read_only"), "completing twice: {e}");
}

#[rocket::async_test]
async fn documents_are_refused_by_content_and_size_and_nothing_is_kept() {
    let t = app().await;
    retired_laptops(&t, "WCC-D", 1).await;
    let id =
        new_disposal(&t, json!({"reference": "DSP-D", "disposal_date": "2025-05-01", "route": "internal_reuse"})).await;
    let events = audit_events(&t).await;

    // A Windows program named like a PDF.
    let (s, e) =
        upload(&t, id, "kind=waste_transfer_note&file_name=note.pdf", b"MZ\x90\x00\x03 not a pdf".to_vec()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e), ("wrong_type".to_string(), Some("file".to_string())));

    // One byte over 10 MiB, though it starts like a PDF.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(MAX_DOCUMENT_BYTES + 1, b'0');
    let (s, e) = upload(&t, id, "kind=receipt&file_name=big.pdf", big).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e), ("too_large".to_string(), Some("file".to_string())));

    // A certificate for an asset not in the disposal, and an unknown kind.
    let (s, e) = upload(&t, id, "kind=sanitisation_certificate&asset_tag=WCC-D001", pdf("cert")).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::UnprocessableEntity, "not_in_disposal"), "{e}");
    let (s, e) = upload(&t, id, "kind=selfie", pdf("x")).await;
    assert_eq!((s, error_of(&e)), (Status::UnprocessableEntity, ("invalid".to_string(), Some("kind".to_string()))));

    let (_, v) = t.get(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!(v["documents"], json!([]));
    assert_eq!(audit_events(&t).await, events);

    // A PNG and a JPEG are accepted, and the name's extension follows the content.
    let (s, d) =
        upload(&t, id, "kind=receipt&file_name=receipt.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec()).await;
    assert_eq!(s, Status::Created, "{d}");
    assert_eq!((d["content_type"].as_str(), d["file_name"].as_str()), (Some("image/png"), Some("receipt.png")));
    let (s, d) = upload(&t, id, "kind=other", b"\xFF\xD8\xFF\xE0\x00\x10JFIF".to_vec()).await;
    assert_eq!((s, d["content_type"].as_str()), (Status::Created, Some("image/jpeg")), "{d}");
}

#[rocket::async_test]
async fn only_retired_assets_join_and_each_joins_once() {
    let t = app().await;
    let (site, _, model) = t.seed_refs().await;
    let (s, a) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-X001", "model_id": model, "site_id": site, "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{a}");
    retired_laptops(&t, "WCC-Y", 1).await;
    let one = new_disposal(&t, json!({"reference": "DSP-1", "disposal_date": "2025-05-01", "route": "resale", "receiving_organisation": "Refurb Co"})).await;
    let two = new_disposal(&t, json!({"reference": "DSP-2", "disposal_date": "2025-05-02", "route": "resale", "receiving_organisation": "Refurb Co"})).await;

    let (s, e) = t.send("PUT", &format!("/api/v1/disposals/{one}/assets/WCC-X001"), json!({})).await;
    assert_eq!(
        (s, error_of(&e)),
        (Status::Conflict, ("wrong_state".to_string(), Some("asset_tag".to_string()))),
        "{e}"
    );
    assert_eq!(asset_state(&t, "WCC-X001").await, "deployed");

    let (s, v) = t.send("PUT", &format!("/api/v1/disposals/{one}/assets/WCC-Y001"), json!({"weight_kg": 1.55})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, e) = t.send("PUT", &format!("/api/v1/disposals/{two}/assets/WCC-Y001"), json!({})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "in_another_disposal"), "{e}");
    assert!(error_of(&e).1.is_some() && e["error"]["message"].as_str().unwrap().contains("DSP-1"), "{e}");

    let (s, e) = t.delete("/api/v1/assets/WCC-Y001").await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::Conflict, "in_disposal"), "an asset in a disposal is kept: {e}");

    let (s, e) = t
        .send("PUT", &format!("/api/v1/disposals/{one}/assets/WCC-Y001"), json!({"weight_kg": -1, "weee_category": 15}))
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    let fields: Vec<String> = details(&e).into_iter().map(|d| d.0).collect();
    assert_eq!(fields, vec!["weight_kg", "weee_category"]);

    // A draft disposal made by mistake is deleted; its asset stays awaiting disposal and can join another.
    let (s, _) = t.delete(&format!("/api/v1/disposals/{one}")).await;
    assert_eq!(s, Status::NoContent);
    assert_eq!(asset_state(&t, "WCC-Y001").await, "awaiting_disposal");
    let (s, v) = t.send("PUT", &format!("/api/v1/disposals/{two}/assets/WCC-Y001"), json!({})).await;
    assert_eq!(s, Status::Ok, "{v}");

    let (s, e) = t
        .post("/api/v1/disposals", json!({"reference": "DSP-2", "disposal_date": "2025-05-01", "route": "landfill"}))
        .await;
    assert_eq!((s, error_of(&e)), (Status::Conflict, ("duplicate".to_string(), Some("reference".to_string()))));
    let (s, e) = t.post("/api/v1/disposals", json!({"reference": "DSP-9", "route": "skip", "cost_gbp": "-5.00"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
}

#[rocket::async_test]
async fn a_bad_import_names_every_problem_and_imports_nothing() {
    let t = app().await;
    retired_laptops(&t, "WCC-I", 2).await;
    let (site, _, model) = t.seed_refs().await;
    let (s, _) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-DEP", "model_id": model, "site_id": site, "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created);
    let id = new_disposal(&t, json!({"reference": "DSP-I", "disposal_date": "2025-05-01", "route": "donation", "receiving_organisation": "X"})).await;
    let events = audit_events(&t).await;
    let csv =
        "disposal_reference,asset_tag,weight_kg,sanitisation_method,certificate_number,sanitised_by,sanitised_on\n\
               DSP-I,WCC-I001,1.5,purge,C1,Ops,2025-04-20\n\
               DSP-I,WCC-I002,heavy,wipe,C2,Ops,31/04/2025\n\
               DSP-NOPE,WCC-I002,,,,,\n\
               DSP-I,WCC-NONE,,,,,\n\
               DSP-I,WCC-DEP,,,,,\n\
               DSP-I,WCC-I001,,,,,\n";
    let (s, v) = import_csv(&t, "", csv).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let placed: Vec<(u64, String)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["column"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        placed,
        vec![
            (3, "weight_kg".into()),
            (3, "sanitisation_method".into()),
            (3, "sanitised_on".into()),
            (4, "disposal_reference".into()),
            (5, "asset_tag".into()),
            (6, "asset_tag".into()),
            (7, "asset_tag".into()),
        ],
        "{v}"
    );
    assert!(v["problems"].as_array().unwrap().iter().all(|p| !p["fix"].as_str().unwrap().is_empty()));
    assert_eq!(v["applied"].as_bool(), Some(false));
    let (_, d) = t.get(&format!("/api/v1/disposals/{id}")).await;
    assert_eq!(d["assets"], json!([]));
    assert_eq!(asset_state(&t, "WCC-I001").await, "retired", "the first row's move was rolled back too");
    assert_eq!(audit_events(&t).await, events);
}

/// A multipart body with one file field and plain fields, as a browser sends it.
fn multipart(fields: &[(&str, &str)], file_field: &str, file_name: &str, bytes: &[u8]) -> (ContentType, Vec<u8>) {
    let boundary = "greenictTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
}

#[rocket::async_test]
async fn the_pages_record_refuse_and_complete_a_disposal() {
    let t = app().await;
    retired_laptops(&t, "WCC-P", 1).await;
    let (s, page) = t.page("/disposals").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("No disposals have been recorded yet"), "{page}");

    let (s, to, page) = t
        .post_form(
            "/disposals/new",
            "reference=DSP-P&disposal_date=30%2F06%2F2025&route=donation&receiving_organisation=Tech+Share&cost_gbp=%C2%A31%2C234.50",
        )
        .await;
    assert_eq!(s, Status::SeeOther, "{page}");
    let href = to.unwrap();
    let (_, page) = t.page(&href).await;
    assert!(page.contains("DSP-P") && page.contains("30/06/2025") && page.contains("£1,234.50"), "{page}");
    let id: i64 = href.trim_start_matches("/disposals/").parse().unwrap();

    // The laptop joins without a sanitisation record: completing is refused, naming it, and nothing changes.
    let (s, _, page) = t.post_form(&format!("/disposals/{id}/assets"), "asset_tag=WCC-P001&weight_kg=1.7").await;
    assert_eq!(s, Status::SeeOther, "{page}");
    let (s, _, page) = t.post_form(&format!("/disposals/{id}/complete"), "").await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(page.contains("Nothing was changed") && page.contains("asset WCC-P001 holds data"), "{page}");
    assert_eq!(asset_state(&t, "WCC-P001").await, "awaiting_disposal");

    // A text file is refused as a document, whatever its name says.
    let (ct, body) = multipart(
        &[("_csrf", t.csrf.as_str()), ("kind", "waste_transfer_note"), ("asset_tag", "")],
        "file",
        "wtn.pdf",
        b"just text",
    );
    let res = t.client.post(format!("/disposals/{id}/documents")).header(ct).body(body).dispatch().await;
    assert_eq!(res.status(), Status::UnprocessableEntity);
    assert!(res.into_string().await.unwrap().contains("not a PDF, PNG or JPEG"));
    let (ct, body) = multipart(
        &[("_csrf", t.csrf.as_str()), ("kind", "sanitisation_certificate"), ("asset_tag", "WCC-P001")],
        "file",
        "cert.pdf",
        &pdf("cert"),
    );
    let res = t.client.post(format!("/disposals/{id}/documents")).header(ct).body(body).dispatch().await;
    assert_eq!(res.status(), Status::SeeOther);

    let (s, _, page) = t
        .post_form(
            &format!("/disposals/{id}/assets"),
            "asset_tag=WCC-P001&sanitisation_method=purge&sanitised_by=ICT+Ops&sanitised_on=20%2F06%2F2025&certificate_number=C-77",
        )
        .await;
    assert_eq!(s, Status::SeeOther, "{page}");
    let (s, _, _) = t.post_form(&format!("/disposals/{id}/complete"), "").await;
    assert_eq!(s, Status::SeeOther);
    let (_, page) = t.page(&format!("/disposals/{id}")).await;
    assert!(page.contains("Completed") && page.contains("cert.pdf") && page.contains("C-77"), "{page}");
    assert_eq!(asset_state(&t, "WCC-P001").await, "disposed");
    let (_, page) = t.page("/assets/WCC-P001").await;
    assert!(page.contains(&format!("href=\"/disposals/{id}\"")) && page.contains("DSP-P (Donation"), "{page}");

    let (s, page) = t.page("/ewaste?fy=2025").await;
    assert_eq!(s, Status::Ok);
    assert!(
        page.contains("2025/26")
            && page.contains("1.70 kg")
            && page.contains("100.0% (1 of 1")
            && page.contains("3. IT and telecommunications equipment"),
        "{page}"
    );
}
