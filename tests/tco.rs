//! Cost items, total cost of ownership and refresh planning through the real HTTP interface on a fresh
//! database per test (SQLite by default, PostgreSQL with GREENICT_TEST_DATABASE_URL). Figures are worked
//! out by hand in the comments from cited inputs:
//! - watts: `TestApp::seed_refs`'s desktop (on 70 W, sleep 3 W: ConfigMgr 2007 R3 defaults in
//!   reference/device_power_defaults.csv);
//! - hours: office hours Mon–Fri 08:00–18:00, asleep otherwise, England and Wales bank holidays
//!   (gov.uk/bank-holidays, seeded on migration), UK clock changes;
//! - rates: 24.50 p/kWh (the Apr–Jun 2024 price cap, House of Commons Library CBP-9714) and 20.00 p/kWh, stated
//!   as tariffs for the test;
//! - grid factor: 2025 generation 0.17700 + T&D 0.01853 = 0.19553 kgCO2e/kWh (DESNZ 2025, seeded);
//! - embodied carbon of a thin client: 45 kg (reference/embodied_carbon_defaults.csv, manufacturer PCF median).

mod common;

use common::{app, error_of, TestApp};
use rocket::http::Status;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}"))).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn tariff(t: &TestApp, from: &str, pence: &str) {
    let (s, v) =
        t.post("/api/v1/energy/tariffs", json!({"effective_from": from, "unit_rate_pence_per_kwh": pence})).await;
    assert_eq!(s, Status::Created, "{v}");
}

async fn asset(t: &TestApp, body: Value) {
    let (s, v) = t.post("/api/v1/assets", body).await;
    assert_eq!(s, Status::Created, "{v}");
}

async fn cost_item(t: &TestApp, body: Value) -> Value {
    let (s, v) = t.post("/api/v1/cost-items", body).await;
    assert_eq!(s, Status::Created, "{v}");
    v
}

#[rocket::async_test]
async fn cost_items_are_checked_audited_and_keep_every_penny() {
    let t = app().await;
    let (_, dept, _) = t.seed_refs().await;
    asset(&t, json!({"asset_tag": "PC-0001", "category": "desktop", "lifecycle_state": "in_stock"})).await;

    // Money round-trips exactly on both databases.
    for amount in ["0.30", "1234567890123.45"] {
        let v = cost_item(
            &t,
            json!({"kind": "repair", "description": "Fan", "scope": "asset", "asset_tag": "PC-0001",
                "timing": "one_off", "amount": amount, "starts_on": "2025-01-10"}),
        )
        .await;
        let (_, back) = t.get(&format!("/api/v1/cost-items/{}", v["id"])).await;
        assert_eq!(back["amount"], amount);
        assert_eq!(back["scope_label"], "asset PC-0001");
    }

    // Every problem named by field, nothing saved.
    let (s, e) = t.post("/api/v1/cost-items", json!({"scope": "department", "timing": "annual", "amount": "-5"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    let fields: Vec<&str> =
        e["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["kind", "description", "scope_id", "amount", "starts_on"] {
        assert!(fields.contains(&f), "{f} not named in {e}");
    }
    let (s, e) = t.post("/api/v1/cost-items", json!({"kind": "lunch"})).await;
    assert_eq!((s, error_of(&e)), (Status::UnprocessableEntity, ("invalid".into(), Some("kind".into()))));
    let (s, e) = t
        .post(
            "/api/v1/cost-items",
            json!({"kind": "support", "description": "Support", "scope": "department", "scope_id": dept,
                "timing": "annual", "amount": "300.00", "starts_on": "2025-04-01", "ends_on": "2025-03-31"}),
        )
        .await;
    assert_eq!((s, error_of(&e)), (Status::UnprocessableEntity, ("invalid".into(), Some("ends_on".into()))));
    let (s, e) = t
        .post(
            "/api/v1/cost-items",
            json!({"kind": "repair", "description": "Screen", "scope": "asset", "asset_tag": "NOPE-1",
                "timing": "one_off", "amount": "10", "starts_on": "2025-01-10"}),
        )
        .await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("asset_tag".into())));
    let (s, e) = t
        .post(
            "/api/v1/cost-items",
            json!({"kind": "repair", "description": "Screen", "scope": "site", "scope_id": 9999,
                "timing": "one_off", "amount": "10", "starts_on": "2025-01-10"}),
        )
        .await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("scope_id".into())));
    let (_, all) = t.get("/api/v1/cost-items").await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Change and delete, each audited with the actor.
    let v = cost_item(
        &t,
        json!({"kind": "licence", "description": "Office", "scope": "category", "category": "desktop",
            "timing": "annual", "amount": "24.00", "starts_on": "2025-04-01"}),
    )
    .await;
    let path = format!("/api/v1/cost-items/{}", v["id"]);
    let (s, changed) = t.patch(&path, json!({"amount": "26.50", "ends_on": "2028-03-31"})).await;
    assert_eq!(s, Status::Ok, "{changed}");
    assert_eq!((changed["amount"].as_str(), changed["ends_on"].as_str()), (Some("26.50"), Some("2028-03-31")));
    let (s, _) = t.delete(&path).await;
    assert_eq!(s, Status::NoContent);
    assert_eq!(t.get(&path).await.0, Status::NotFound);
    let events = greenict::store::audit_event::Entity::find()
        .filter(greenict::store::audit_event::Column::EntityType.eq("cost_item"))
        .filter(greenict::store::audit_event::Column::EntityId.eq(v["id"].to_string()))
        .all(&t.db)
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = events.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, vec![("create", common::WHO), ("update", common::WHO), ("delete", common::WHO)]);
}

#[rocket::async_test]
async fn tco_of_two_desktops_with_a_tariff_change_and_a_forecast() {
    // As of 01/10/2024. Two desktops bought 01/04/2024 in Planning; PC-0001 has a 12-month life (due
    // 01/04/2025), PC-0002 the model's 60 months (due 01/04/2029).
    // Tariff 24.50 p/kWh from 01/04/2024, 20.00 p/kWh from 01/10/2024 (the latest known).
    //
    // Energy to date, 01/04–30/09/2024 (183 days): 131 weekdays less 4 bank holidays (01/04 Easter Monday,
    // 06/05, 27/05, 26/08) = 127 working days, 1270 h on; 183 × 24 = 4392 h, no clock change, so 3122 h
    // asleep: (70 × 1270 + 3 × 3122) / 1000 = 98.266 kWh × £0.245 = £24.07517.
    // Forecast for PC-0001, 01/10/2024–31/03/2025 (182 days): 127 working days (254 in the year less 127),
    // 1270 h on; 4368 h (+1 on 27/10, −1 on 30/03) so 3098 h asleep: 98.194 kWh × £0.20 = £19.6388.
    // Energy: 196.46 kWh (the engine's figure for the year), £43.71387.
    //
    // Cost items: Planning support £300 a year for 2024/25 (one charge on 01/04/2024, both desktops in life:
    // £150 each); a £24 a year licence for the model, ongoing from 01/04/2024: charged each 1 April while an
    // asset of the model is in life (PC-0002 lives to 31/03/2029): 2024 shared (£12 each), 2025–2028
    // PC-0002's alone (£96); a £85.50 repair on PC-0001; a £40 charge for the site in 2019, when no asset
    // was in life: unallocated.
    //
    // PC-0001: £650 + £43.71387 + £150 + £12 + £85.50 = £941.21387 → £941.21.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    tariff(&t, "2024-04-01", "24.50").await;
    tariff(&t, "2024-10-01", "20.00").await;
    for (tag, cost, life) in [("PC-0001", "650.00", json!(12)), ("PC-0002", "700.00", Value::Null)] {
        asset(
            &t,
            json!({"asset_tag": tag, "model_id": model, "site_id": site, "department_id": dept,
                "purchase_date": "2024-04-01", "purchase_cost": cost, "life_months": life,
                "lifecycle_state": "deployed"}),
        )
        .await;
    }
    cost_item(
        &t,
        json!({"kind": "support", "description": "Desktop support", "scope": "department", "scope_id": dept,
            "timing": "annual", "amount": "300.00", "starts_on": "2024-04-01", "ends_on": "2025-03-31"}),
    )
    .await;
    cost_item(
        &t,
        json!({"kind": "licence", "description": "Management agent", "scope": "model", "scope_id": model,
            "timing": "annual", "amount": "24.00", "starts_on": "2024-04-01"}),
    )
    .await;
    cost_item(
        &t,
        json!({"kind": "repair", "description": "New PSU", "scope": "asset", "asset_tag": "PC-0001",
            "timing": "one_off", "amount": "85.50", "starts_on": "2024-08-01"}),
    )
    .await;
    let stale = cost_item(
        &t,
        json!({"kind": "maintenance", "description": "Old cabling", "scope": "site", "scope_id": site,
            "timing": "one_off", "amount": "40.00", "starts_on": "2019-01-01"}),
    )
    .await;

    let (s, a) = t.get("/api/v1/assets/PC-0001/tco?as_of=2024-10-01").await;
    assert_eq!(s, Status::Ok, "{a}");
    assert_eq!((a["life_from"].as_str(), a["life_to"].as_str()), (Some("2024-04-01"), Some("2025-03-31")));
    let to_date = &a["energy_to_date"];
    assert_eq!((to_date["from"].as_str(), to_date["to"].as_str()), (Some("2024-04-01"), Some("2024-09-30")));
    assert_eq!((dec(&to_date["kwh"]), to_date["cost_gbp"].as_str()), (d("98.266"), Some("24.08")));
    let forecast = &a["energy_forecast"];
    assert_eq!((dec(&forecast["kwh"]), forecast["cost_gbp"].as_str()), (d("98.194"), Some("19.64")));
    assert_eq!(forecast["tariffs"], json!([{"from": "2024-10-01", "pence_per_kwh": "20"}]));
    assert_eq!(to_date["tariffs"], json!([{"from": "2024-04-01", "pence_per_kwh": "24.5"}]));
    let f = &a["figures"];
    assert_eq!(f["energy_gbp"], "43.71");
    assert_eq!(f["cost_items_gbp"], "247.50");
    assert_eq!(f["purchase_gbp"], "650.00");
    assert_eq!(f["total_gbp"], "941.21");
    let shares: Vec<(String, String)> = a["cost_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["description"].as_str().unwrap().to_string(), c["amount_gbp"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        shares,
        vec![
            ("Desktop support".into(), "150.00".into()),
            ("Management agent".into(), "12.00".into()),
            ("New PSU".into(), "85.50".into())
        ]
    );
    assert!(a["summary"]
        .as_str()
        .unwrap()
        .starts_with("PC-0001 costs £941.21 over its life from 01/04/2024 to 31/03/2025"));

    // Three months later the estimate to date spans the tariff change. 01/10–31/12/2024 (92 days): 66
    // weekdays less 25/12 and 26/12 = 64 working days, 640 h on; 2208 h + 1 (27/10) = 2209 h, 1569 h asleep:
    // (70 × 640 + 3 × 1569) / 1000 = 49.507 kWh at £0.20 = £9.9014. To date: 98.266 + 49.507 = 147.773 kWh,
    // £24.07517 + £9.9014 = £33.97657; forecast 01/01–31/03/2025: 98.194 − 49.507 = 48.687 kWh, £9.7374.
    // The total is unchanged: £941.21.
    let (_, later) = t.get("/api/v1/assets/PC-0001/tco?as_of=2025-01-01").await;
    let (to_date, forecast) = (&later["energy_to_date"], &later["energy_forecast"]);
    assert_eq!((dec(&to_date["kwh"]), to_date["cost_gbp"].as_str()), (d("147.773"), Some("33.98")));
    assert_eq!(
        to_date["tariffs"],
        json!([{"from": "2024-04-01", "pence_per_kwh": "24.5"}, {"from": "2024-10-01", "pence_per_kwh": "20"}])
    );
    assert_eq!((dec(&forecast["kwh"]), forecast["cost_gbp"].as_str()), (d("48.687"), Some("9.74")));
    assert_eq!(later["figures"]["total_gbp"], "941.21");

    // At the end of its life all of it is to date, and it agrees with the energy engine's own figure for
    // the financial year (the same inputs through `/api/v1/assets/{tag}/energy`).
    let (_, end) = t.get("/api/v1/assets/PC-0001/tco?as_of=2025-04-01").await;
    let (_, engine) = t.get("/api/v1/assets/PC-0001/energy?fy=2024").await;
    assert_eq!(end["energy_forecast"], Value::Null);
    assert_eq!(dec(&end["energy_to_date"]["kwh"]), dec(&engine["figures"]["kwh"]));
    assert_eq!(end["energy_to_date"]["cost_gbp"], engine["figures"]["cost_gbp"]);
    assert_eq!(end["energy_to_date"]["cost_gbp"], "43.71");

    // PC-0002 lives to 31/03/2029: forecast 01/10/2024–31/03/2029 at 20 p; licence £12 + 4 × £24 = £108.
    let (_, b) = t.get("/api/v1/assets/PC-0002/tco?as_of=2024-10-01").await;
    assert_eq!(b["figures"]["cost_items_gbp"], "258.00");
    assert_eq!(b["energy_to_date"]["cost_gbp"], "24.08");
    assert_eq!(b["life_to"], "2029-03-31");

    // By department: the two assets' parts summed, the stale site charge kept apart.
    let (s, r) = t.get("/api/v1/tco?group_by=department&as_of=2024-10-01").await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    let row = &r["rows"][0];
    assert_eq!((row["group"].as_str(), row["assets"].as_i64()), (Some("Planning"), Some(2)));
    let expected = dec(&f["total_gbp"]) + dec(&b["figures"]["total_gbp"]);
    let got = dec(&row["figures"]["total_gbp"]);
    assert!((got - expected).abs() <= d("0.01"), "{got} vs {expected}");
    assert_eq!(dec(&row["figures"]["purchase_gbp"]), d("1350"));
    assert_eq!(r["unallocated"], json!([{"cost_item_id": stale["id"], "amount_gbp": "40.00"}]));
    assert_eq!(r["disposal_money_recorded"], true, "disposal cost and income come from the disposal records");

    let (s, e) = t.get("/api/v1/tco?group_by=colour").await;
    assert_eq!((s, error_of(&e).1), (Status::BadRequest, Some("group_by".into())));
    assert_eq!(t.get("/api/v1/assets/NOPE-1/tco").await.0, Status::NotFound);
}

#[rocket::async_test]
async fn model_comparison_per_seat() {
    // Two models, one asset each, both bought 01/04/2024 with a 12-month life (365 days, 2024/25) and no
    // energy (in stock): the desktop £650, the thin client £400. Per asset-year = total × 365.25 / 365;
    // over 5 years: £650 × 1826.25 / 365 = £3,252.226... and £400 × 1826.25 / 365 = £2,001.369...; the thin
    // client costs (650 − 400) × 1826.25 / 365 = £1,250.86 less per seat.
    let t = app().await;
    let (_, _, desktop) = t.seed_refs().await;
    let (s, thin) = t
        .post(
            "/api/v1/models",
            json!({"manufacturer": "Dell", "name": "Wyse 5070", "category": "thin_client",
                "on_watts": 6, "sleep_watts": 1, "off_watts": 0.3}),
        )
        .await;
    assert_eq!(s, Status::Created, "{thin}");
    for (tag, model, cost) in [("PC-1", desktop, "650.00"), ("TC-1", thin["id"].as_i64().unwrap(), "400.00")] {
        asset(
            &t,
            json!({"asset_tag": tag, "model_id": model, "purchase_date": "2024-04-01", "purchase_cost": cost,
                "life_months": 12, "lifecycle_state": "in_stock"}),
        )
        .await;
    }
    let (s, c) = t.get(&format!("/api/v1/tco/compare?model_a={desktop}&model_b={}&as_of=2024-10-01", thin["id"])).await;
    assert_eq!(s, Status::Ok, "{c}");
    assert_eq!(c["models"][0]["per_seat_gbp"], "3252.23");
    assert_eq!(c["models"][1]["per_seat_gbp"], "2001.37");
    assert_eq!(
        c["sentence"],
        "The Dell Wyse 5070 costs £1,250.86 less per seat over 5 years than the Dell OptiPlex 7010, energy included."
    );
}

#[rocket::async_test]
async fn tco_of_the_register_uses_each_assets_own_settings_and_names_one_it_cannot_count() {
    // TCO of the whole register reads an asset's own settings (watts, life, refresh date, usage profile)
    // apart from the rest of its row. PC-0001 is of the desktop model (70 / 3 / 0.5 W, 60 months); PC-0002
    // has no model but the same watts and a 60-month life of its own: bought the same day at the same site,
    // the same energy and life. PC-0003 (no model) has a refresh date of its own, 01/04/2025: one year of
    // life, 365 days. The assets are compared with each other; the hours behind such figures are worked
    // out in tco_of_two_desktops_with_a_tariff_change_and_a_forecast.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    tariff(&t, "2024-04-01", "24.50").await;
    let common = json!({"site_id": site, "department_id": dept, "category": "desktop",
        "purchase_date": "2024-04-01", "purchase_cost": "650.00", "lifecycle_state": "deployed"});
    let with = |extra: Value| {
        let mut body = common.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    asset(&t, with(json!({"asset_tag": "PC-0001", "model_id": model}))).await;
    asset(
        &t,
        with(json!({"asset_tag": "PC-0002", "on_watts": 70, "sleep_watts": 3, "off_watts": 0.5,
        "life_months": 60})),
    )
    .await;
    asset(
        &t,
        with(json!({"asset_tag": "PC-0003", "on_watts": 70, "sleep_watts": 3, "off_watts": 0.5,
        "refresh_date": "2025-04-01"})),
    )
    .await;
    let (s, r) = t.get("/api/v1/tco?group_by=model&as_of=2024-10-01").await;
    assert_eq!(s, Status::Ok, "{r}");
    let rows = r["rows"].as_array().unwrap();
    let (of_model, no_model) = (&rows[0]["figures"], &rows[1]["figures"]);
    assert_eq!((rows[0]["assets"].as_u64(), rows[1]["assets"].as_u64()), (Some(1), Some(2)), "{r}");
    // Whole hours of 70 W and 3 W: kWh exact to the 3 places shown, so twice one is the pair's.
    assert_eq!(dec(&no_model["energy_to_date_kwh"]), dec(&of_model["energy_to_date_kwh"]) * d("2"), "{r}");
    // PC-0002's forecast is PC-0001's; PC-0003's ends on its own refresh date, 01/04/2025, so is smaller.
    assert!(dec(&no_model["energy_forecast_kwh"]) > dec(&of_model["energy_forecast_kwh"]), "{r}");
    assert!(dec(&no_model["energy_forecast_kwh"]) < dec(&of_model["energy_forecast_kwh"]) * d("2"), "{r}");
    let (_, one) = t.get("/api/v1/assets/PC-0002/tco?as_of=2024-10-01").await;
    let (_, three) = t.get("/api/v1/assets/PC-0003/tco?as_of=2024-10-01").await;
    assert_eq!(one["figures"]["energy_gbp"], rows[0]["figures"]["energy_gbp"], "{one}");
    assert_eq!((three["life_from"].as_str(), three["life_to"].as_str()), (Some("2024-04-01"), Some("2025-03-31")));
    let sum = dec(&one["figures"]["energy_forecast_kwh"]) + dec(&three["figures"]["energy_forecast_kwh"]);
    assert_eq!(sum, dec(&no_model["energy_forecast_kwh"]), "{r}");

    // A deployed asset with neither a model nor watts of its own cannot be counted, and is named.
    asset(&t, with(json!({"asset_tag": "PC-0004"}))).await;
    let (s, e) = t.get("/api/v1/tco?group_by=department&as_of=2024-10-01").await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e), ("no_power_figures".into(), Some("on_watts".into())));
    assert!(e["error"]["message"].as_str().unwrap().contains("PC-0004"), "{e}");
}

#[rocket::async_test]
async fn refresh_plan_forecast_and_keeping_desktops_longer() {
    // As of 01/10/2024 (2024/25). The desktop model (life 60 months) costs £650 to replace.
    // PC-0003 bought 01/01/2019: due 01/01/2024, overdue. PC-0005 refresh date set to 01/02/2025: due this
    // year. PC-0004 bought 01/06/2020: due 01/06/2025, next year. LT-0001, a laptop with no model bought
    // 10/01/2022: category life 48 months, due 10/01/2026, next year, unpriced. PC-0006 disposed: not planned.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    tariff(&t, "2024-04-01", "24.50").await;
    let (s, v) = t.patch(&format!("/api/v1/models/{model}"), json!({"replacement_price": "650.00"})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let desk = |tag: &str, bought: &str| {
        json!({"asset_tag": tag, "model_id": model, "site_id": site, "department_id": dept,
            "purchase_date": bought, "lifecycle_state": "deployed"})
    };
    asset(&t, desk("PC-0003", "2019-01-01")).await;
    asset(&t, desk("PC-0004", "2020-06-01")).await;
    let mut five = desk("PC-0005", "2021-01-01");
    five["refresh_date"] = json!("2025-02-01");
    asset(&t, five).await;
    asset(&t, json!({"asset_tag": "LT-0001", "category": "laptop", "purchase_date": "2022-01-10", "lifecycle_state": "in_stock"}))
        .await;
    asset(&t, json!({"asset_tag": "PC-0006", "model_id": model, "purchase_date": "2018-01-01", "lifecycle_state": "in_stock"}))
        .await;
    for state in ["retired", "awaiting_disposal"] {
        let (s, v) = t.patch("/api/v1/assets/PC-0006", json!({"lifecycle_state": state})).await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    // As a completed disposal leaves it.
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        "UPDATE asset SET lifecycle_state = 'disposed' WHERE asset_tag = 'PC-0006'",
    )
    .await
    .unwrap();

    let (s, p) = t.get("/api/v1/refresh/plan?as_of=2024-10-01").await;
    assert_eq!(s, Status::Ok, "{p}");
    let tags = |l: &Value| -> Vec<String> {
        l["items"].as_array().unwrap().iter().map(|i| i["asset_tag"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(tags(&p["overdue"]), vec!["PC-0003"]);
    assert_eq!(p["overdue"]["items"][0]["refresh_due"], "2024-01-01");
    assert_eq!(tags(&p["due_this_year"]), vec!["PC-0005"]);
    assert_eq!(tags(&p["due_next_year"]), vec!["PC-0004", "LT-0001"]);
    assert_eq!(
        (p["due_next_year"]["budget_gbp"].as_str(), p["due_next_year"]["unpriced"].as_i64()),
        (Some("650.00"), Some(1))
    );
    assert_eq!(
        (p["this_financial_year"].as_str(), p["next_financial_year"].as_str()),
        (Some("2024/25"), Some("2025/26"))
    );

    // Forecast 2024/25–2028/29: PC-0003 (overdue, replaced now) and PC-0005 in 2024/25, £1,300; PC-0004
    // and LT-0001 in 2025/26, £650 and one unpriced; their replacements fall due after 2028/29.
    let (s, f) = t.get("/api/v1/refresh/forecast?as_of=2024-10-01").await;
    assert_eq!(s, Status::Ok, "{f}");
    let rows: Vec<(String, i64, String, i64)> = f["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["financial_year"].as_str().unwrap().to_string(),
                y["replacements"].as_i64().unwrap(),
                y["budget_gbp"].as_str().unwrap().to_string(),
                y["unpriced"].as_i64().unwrap(),
            )
        })
        .collect();
    let row = |fy: &str, n: i64, gbp: &str, unpriced: i64| (fy.to_string(), n, gbp.to_string(), unpriced);
    assert_eq!(
        rows,
        vec![
            row("2024/25", 2, "1300.00", 0),
            row("2025/26", 2, "650.00", 1),
            row("2026/27", 0, "0.00", 0),
            row("2027/28", 0, "0.00", 0),
            row("2028/29", 0, "0.00", 0),
        ]
    );

    // Keep the three desktops 2 more years instead of £400 thin clients (10 W on, 1 W asleep, 45 kg embodied,
    // 60-month life). A year of 2025/26: 261 weekdays less 8 bank holidays = 253 working days, 2530 h on,
    // 8760 − 2530 = 6230 h asleep. Desktop (70 × 2530 + 3 × 6230) / 1000 = 195.79 kWh; thin client
    // (10 × 2530 + 6230) / 1000 = 31.53 kWh; difference 164.26 kWh each, 492.78 kWh for three, × £0.245 =
    // £120.7311 a year; over 2 years 985.56 kWh, £241.4622. Carbon 492.78 × 0.19553 = 96.3532734 kg a year.
    // Embodied avoided 3 × 45 × 2 / 5 = 54 kg. Break-even: 135 kg / 96.35 kg a year = 1.4 → year 2
    // (2025/26); £1,200 / £120.73 a year = 9.94 → year 10 (2033/34).
    let (s, th) = t
        .post(
            "/api/v1/models",
            json!({"manufacturer": "Dell", "name": "Wyse 5070", "category": "thin_client", "on_watts": 10,
                "sleep_watts": 1, "off_watts": 0.3, "embodied_kg_co2e": 45, "embodied_source": "Boavizta PCF median",
                "replacement_price": "400.00", "default_life_months": 60}),
        )
        .await;
    assert_eq!(s, Status::Created, "{th}");
    let (s, w) = t
        .post(
            "/api/v1/refresh/what-if?as_of=2024-10-01",
            json!({"category": "desktop", "years": 2, "replacement_model_id": th["id"]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{w}");
    assert_eq!(w["assets"], 3);
    assert_eq!(w["money_deferred_gbp"], "1200.00");
    assert_eq!(dec(&w["embodied_avoided_kg_co2e"]), d("54"));
    assert_eq!(dec(&w["current_per_year"]["kwh"]), d("587.37"));
    assert_eq!(dec(&w["replacement_per_year"]["kwh"]), d("94.59"));
    assert_eq!(
        (dec(&w["extra_per_year"]["kwh"]), w["extra_per_year"]["cost_gbp"].as_str()),
        (d("492.78"), Some("120.73"))
    );
    assert_eq!(dec(&w["extra_per_year"]["kg_co2e"]), d("96.353"));
    assert_eq!(
        (dec(&w["extra_over_years"]["kwh"]), w["extra_over_years"]["cost_gbp"].as_str()),
        (d("985.56"), Some("241.46"))
    );
    assert_eq!(
        (w["carbon_break_even_years"].as_i64(), w["carbon_break_even_financial_year"].as_str()),
        (Some(2), Some("2025/26"))
    );
    assert_eq!(
        (w["money_break_even_years"].as_i64(), w["money_break_even_financial_year"].as_str()),
        (Some(10), Some("2033/34"))
    );
    assert_eq!(w["grid_factor_year"], 2025);

    let (s, e) = t.post("/api/v1/refresh/what-if", json!({"years": 0, "replacement_model_id": th["id"]})).await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("years".into())));
    let (s, e) = t.post("/api/v1/refresh/what-if", json!({"years": 2, "replacement_model_id": 9999})).await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("replacement_model_id".into())));
}

#[rocket::async_test]
async fn pages_show_tco_refresh_and_manage_cost_items() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    tariff(&t, "2020-01-01", "24.50").await;
    let (s, v) = t.patch(&format!("/api/v1/models/{model}"), json!({"replacement_price": "650.00"})).await;
    assert_eq!(s, Status::Ok, "{v}");
    asset(
        &t,
        json!({"asset_tag": "PC-0001", "model_id": model, "site_id": site, "department_id": dept,
            "purchase_date": "2019-01-01", "purchase_cost": "1234.50", "lifecycle_state": "deployed"}),
    )
    .await;

    // Add a cost item through the form, for the asset; it shows in the list and on the asset's page.
    let (s, form) = t.page("/cost-items/new?asset_tag=PC-0001").await;
    assert_eq!(s, Status::Ok);
    assert!(form.contains("value=\"PC-0001\""), "{form}");
    let (s, to, body) = t
        .post_form(
            "/cost-items",
            "kind=repair&description=New+screen&timing=one_off&amount=85.50&starts_on=01%2F08%2F2024&scope=asset&asset_tag=PC-0001",
        )
        .await;
    assert_eq!((s, to.as_deref()), (Status::SeeOther, Some("/cost-items")), "{body}");
    let (s, list) = t.page("/cost-items").await;
    assert_eq!(s, Status::Ok);
    assert!(list.contains("New screen") && list.contains("£85.50") && list.contains("One-off on 01/08/2024"), "{list}");
    // A form with problems comes back with each named.
    let (s, _, body) = t.post_form("/cost-items", "kind=repair&timing=annual&scope=department&amount=abc").await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(
        body.contains("Error:") && body.contains("Choose which one") && body.contains("not an amount of money"),
        "{body}"
    );

    let (s, asset_page) = t.page("/assets/PC-0001").await;
    assert_eq!(s, Status::Ok);
    assert!(asset_page.contains("Total cost of ownership"), "{asset_page}");
    assert!(asset_page.contains("£1,234.50") && asset_page.contains("New screen"), "{asset_page}");
    assert!(asset_page.contains("Add a cost item for this asset"));

    let (s, tco_page) = t.page(&format!("/tco?group_by=model&model_a={model}&model_b={model}&years=5")).await;
    assert_eq!(s, Status::Ok);
    assert!(tco_page.contains("Dell OptiPlex 7010") && tco_page.contains("per seat over 5 years"), "{tco_page}");

    // PC-0001 bought 01/01/2019 with the model's 60-month life is overdue (due 01/01/2024).
    let (s, refresh_page) = t.page("/refresh").await;
    assert_eq!(s, Status::Ok);
    assert!(refresh_page.contains("PC-0001") && refresh_page.contains("01/01/2024"), "{refresh_page}");
    assert!(refresh_page.contains("The next five financial years"));
    let (s, what_if) = t.page(&format!("/refresh?category=desktop&years=2&replacement_model_id={model}")).await;
    assert_eq!(s, Status::Ok);
    assert!(what_if.contains("Money deferred") && what_if.contains("£650.00, 2 years later"), "{what_if}");

    // Edit and delete the item through its pages.
    let (_, items) = t.get("/api/v1/cost-items").await;
    let id = items[0]["id"].as_i64().unwrap();
    let (s, edit) = t.page(&format!("/cost-items/{id}/edit")).await;
    assert_eq!(s, Status::Ok);
    assert!(edit.contains("value=\"85.50\"") && edit.contains("value=\"PC-0001\""), "{edit}");
    let (s, to, _) = t
        .post_form(
            &format!("/cost-items/{id}"),
            "kind=repair&description=New+screen&timing=one_off&amount=90.00&starts_on=2024-08-01&scope=asset&asset_tag=PC-0001",
        )
        .await;
    assert_eq!((s, to.as_deref()), (Status::SeeOther, Some("/cost-items")));
    assert_eq!(t.get(&format!("/api/v1/cost-items/{id}")).await.1["amount"], "90.00");
    let (s, confirm) = t.page(&format!("/cost-items/{id}/delete")).await;
    assert!(s == Status::Ok && confirm.contains("Delete cost item New screen?"), "{confirm}");
    let (s, to, _) = t.post_form(&format!("/cost-items/{id}/delete"), "").await;
    assert_eq!((s, to.as_deref()), (Status::SeeOther, Some("/cost-items")));
    assert_eq!(t.get(&format!("/api/v1/cost-items/{id}")).await.0, Status::NotFound);
}

#[rocket::async_test]
async fn the_demo_estate_adds_up_however_it_is_grouped() {
    // The demo's 300 assets with its tariffs and usage profiles, as of its own date. Not hand-worked: the
    // check is that each grouping's rows sum to the same total and count every asset once, that a deployed
    // desktop's energy is split at the as-of date, and that the forecast's first year holds every overdue
    // asset and every one due this year.
    let t = app().await;
    greenict::demo::load(&t.db, 300).await.expect("demo loads");
    let as_of = greenict::demo::estate_date();
    let mut totals = Vec::new();
    for by in ["model", "category", "department", "site"] {
        let (s, r) = t.get(&format!("/api/v1/tco?group_by={by}&as_of={as_of}")).await;
        assert_eq!(s, Status::Ok, "{r}");
        assert_eq!(r["assets_counted"], 300);
        let rows = r["rows"].as_array().unwrap();
        assert_eq!(rows.iter().map(|row| row["assets"].as_u64().unwrap()).sum::<u64>(), 300, "{by}");
        let sum: Decimal = rows.iter().map(|row| dec(&row["figures"]["total_gbp"])).sum();
        let total = dec(&r["total"]["total_gbp"]);
        // Each row is rounded to the penny on its own: at most half a penny each away from the total.
        assert!((sum - total).abs() <= Decimal::from(rows.len()) * d("0.005"), "{by}: {sum} vs {total}");
        assert!(
            dec(&r["total"]["energy_to_date_kwh"]) > Decimal::ZERO
                && dec(&r["total"]["energy_forecast_kwh"]) > Decimal::ZERO
        );
        totals.push(total);
    }
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");

    let (s, p) = t.get(&format!("/api/v1/refresh/plan?as_of={as_of}")).await;
    assert_eq!(s, Status::Ok, "{p}");
    let (s, f) = t.get(&format!("/api/v1/refresh/forecast?as_of={as_of}")).await;
    assert_eq!(s, Status::Ok, "{f}");
    let now = p["overdue"]["assets"].as_u64().unwrap() + p["due_this_year"]["assets"].as_u64().unwrap();
    assert!(now > 0, "the demo has refreshes overdue: {p}");
    assert!(f["years"][0]["replacements"].as_u64().unwrap() >= now, "{f}");
    assert!(f["years"][1]["replacements"].as_u64().unwrap() >= p["due_next_year"]["assets"].as_u64().unwrap());
    assert_eq!(t.page("/tco").await.0, Status::Ok);
    assert_eq!(t.page("/refresh").await.0, Status::Ok);
}

#[rocket::async_test]
async fn repeated_tco_and_forecast_answers_follow_each_change() {
    // The API keeps TCO and forecast answers until something they read changes (`services::tco::TcoCache`,
    // keyed by the data version): each change made through the app shows in the next answer.
    // As of 01/10/2024 (2024/25). PC-0001 bought 01/01/2020 for £650 with the model's 60-month life: due
    // 01/01/2025, this year; the model's replacement price £650.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    tariff(&t, "2020-01-01", "24.50").await;
    let price = |gbp: &'static str| json!({"replacement_price": gbp});
    let (s, v) = t.patch(&format!("/api/v1/models/{model}"), price("650.00")).await;
    assert_eq!(s, Status::Ok, "{v}");
    asset(
        &t,
        json!({"asset_tag": "PC-0001", "model_id": model, "site_id": site, "department_id": dept,
            "purchase_date": "2020-01-01", "purchase_cost": "650.00", "lifecycle_state": "deployed"}),
    )
    .await;
    let tco = "/api/v1/tco?group_by=department&as_of=2024-10-01";
    let forecast = "/api/v1/refresh/forecast?as_of=2024-10-01";
    let first_year = |f: &Value| (f["years"][0]["replacements"].as_i64(), f["years"][0]["budget_gbp"].clone());

    let (s, before) = t.get(tco).await;
    assert_eq!(s, Status::Ok, "{before}");
    assert_eq!(t.get(tco).await.1, before, "a repeat gives the same answer");
    assert_eq!(before["total"]["cost_items_gbp"], "0.00");
    let (s, f) = t.get(forecast).await;
    assert_eq!(s, Status::Ok, "{f}");
    assert_eq!(first_year(&f), (Some(1), json!("650.00")));

    // A £100 repair: the total grows by exactly £100.00.
    cost_item(
        &t,
        json!({"kind": "repair", "description": "New PSU", "scope": "asset", "asset_tag": "PC-0001",
            "timing": "one_off", "amount": "100.00", "starts_on": "2024-08-01"}),
    )
    .await;
    let (_, after) = t.get(tco).await;
    assert_eq!(after["total"]["cost_items_gbp"], "100.00");
    assert_eq!(dec(&after["total"]["total_gbp"]) - dec(&before["total"]["total_gbp"]), d("100.00"));

    // A new replacement price, and a second desktop due 01/06/2026 (2026/27), show in the forecast.
    let (s, v) = t.patch(&format!("/api/v1/models/{model}"), price("700.00")).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(first_year(&t.get(forecast).await.1), (Some(1), json!("700.00")));
    asset(&t, json!({"asset_tag": "PC-0002", "model_id": model, "purchase_date": "2021-06-01", "lifecycle_state": "in_stock"}))
        .await;
    let (_, f) = t.get(forecast).await;
    assert_eq!(
        (f["years"][2]["financial_year"].as_str(), f["years"][2]["replacements"].as_i64()),
        (Some("2026/27"), Some(1))
    );
    assert_eq!(t.get(tco).await.1["assets_counted"], 2);
}
