//! Energy, cost and carbon through the real HTTP interface on a fresh database per test (SQLite by default,
//! PostgreSQL with GREENICT_TEST_DATABASE_URL). Every figure is worked out by hand in the comments from
//! cited inputs:
//! - watts: the ConfigMgr 2007 R3 desktop defaults in assets/reference/device_power_defaults.csv (on 70 W,
//!   sleep 3 W), as `TestApp::seed_refs` gives its desktop model (off 0.5 W);
//! - rates: 24.50 p/kWh and 22.40 p/kWh, the Apr–Jun and Jul 2024 price caps (House of Commons Library
//!   CBP-9714), used here as stated tariff rates, as in the pure engine's tests;
//! - factors: the 2024 row of assets/reference/uk_grid_factors.csv (DESNZ GHG conversion factors 2024):
//!   generation 0.20705, T&D 0.01830 kgCO2e/kWh, seeded into the database on migration;
//! - bank holidays: England and Wales, gov.uk/bank-holidays, seeded on migration.

mod common;

use common::{app, error_of, TestApp};
use rocket::http::Status;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}"))).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn default_tariff(t: &TestApp, from: &str, pence: &str) -> Value {
    let (s, v) = t
        .post(
            "/api/v1/energy/tariffs",
            json!({"effective_from": from, "unit_rate_pence_per_kwh": pence, "supplier": "Test Energy"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    v
}

async fn desktop(t: &TestApp, tag: &str, model: i64, site: i64, dept: i64) {
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": tag, "model_id": model, "site_id": site, "department_id": dept,
                "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

#[rocket::async_test]
async fn one_desktop_for_2024_25_end_to_end() {
    // Hours: FY 2024/25 has 261 weekdays, 7 of them bank holidays (Good Friday 29/03/2024 is before it;
    // Easter Monday 01/04/2024, 06/05, 27/05, 26/08, 25/12, 26/12/2024, 01/01/2025, 18/04/2025 is after it...
    // the pure engine's usage tests count 254 working days): 254 × 10 h = 2540 h on; 8760 − 2540 = 6220 h
    // asleep. kWh = (70 × 2540 + 3 × 6220) / 1000 = 196.46. £ = 196.46 × 0.245 = 48.1327 → £48.13.
    // 2024/25 lies mostly in 2024 (275 of 365 days): generation 196.46 × 0.20705 = 40.677043, T&D
    // 196.46 × 0.01830 = 3.595218, total 44.272261 kgCO2e.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    desktop(&t, "PC-0001", model, site, dept).await;

    let (s, r) = t.get("/api/v1/energy?fy=2024").await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!((r["from"].as_str(), r["to"].as_str()), (Some("2024-04-01"), Some("2025-03-31")));
    assert_eq!(r["assets_counted"], 1);
    let total = &r["total"];
    assert_eq!(dec(&total["kwh"]), d("196.46"));
    assert_eq!(total["cost_gbp"], "48.13");
    assert_eq!(dec(&total["cost_gbp_unrounded"]), d("48.1327"));
    assert_eq!(dec(&total["kg_co2e_generation"]), d("40.677043"));
    assert_eq!(dec(&total["kg_co2e_td"]), d("3.595218"));
    assert_eq!(dec(&total["kg_co2e_total"]), d("44.272261"));
    assert_eq!(r["factor_sets"][0]["year"], 2024);
    assert_eq!(dec(&r["factor_sets"][0]["generation_kg_co2e_per_kwh"]), d("0.20705"));
    assert_eq!(r["tariffs"].as_array().unwrap().len(), 1);
    assert_eq!(dec(&r["tariffs"][0]["unit_rate_pence_per_kwh"]), d("24.50"));

    let (s, a) = t.get("/api/v1/assets/PC-0001/energy?fy=2024").await;
    assert_eq!(s, Status::Ok, "{a}");
    assert_eq!(a["summary"], "PC-0001 used 196.46 kWh, £48.13, 44.27 kgCO2e in 2024/25");
    assert_eq!(a["counted"], true);

    // Retired, it uses nothing, and says so.
    let (s, v) = t.patch("/api/v1/assets/PC-0001", json!({"lifecycle_state": "retired"})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, a) = t.get("/api/v1/assets/PC-0001/energy?fy=2024").await;
    assert_eq!(a["counted"], false);
    assert_eq!(a["figures"]["cost_gbp"], "0.00");
    let (_, r) = t.get("/api/v1/energy?fy=2024").await;
    assert_eq!(r["assets_counted"], 0);
}

#[rocket::async_test]
async fn a_tariff_change_mid_month() {
    // July 2024 (no bank holidays). 1–14 July: 10 weekdays, 100 h on, 336 − 100 = 236 h asleep:
    // (7000 + 708) / 1000 = 7.708 kWh at 24.50 p = £1.88846. 15–31 July: 13 weekdays, 130 h on,
    // 408 − 130 = 278 h asleep: (9100 + 834) / 1000 = 9.934 kWh at 22.40 p = £2.225216.
    // July: 17.642 kWh, £4.113676 → £4.11; generation 17.642 × 0.20705 = 3.6527761 → 3.652776.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    default_tariff(&t, "2024-07-15", "22.40").await;
    desktop(&t, "PC-0001", model, site, dept).await;

    let (s, r) = t.get("/api/v1/energy?from=2024-07-01&to=2024-07-31&group_by=month").await;
    assert_eq!(s, Status::Ok, "{r}");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["group"]["month"], "2024-07");
    assert_eq!(dec(&rows[0]["kwh"]), d("17.642"));
    assert_eq!(dec(&rows[0]["cost_gbp_unrounded"]), d("4.113676"));
    assert_eq!(rows[0]["cost_gbp"], "4.11");
    assert_eq!(dec(&rows[0]["kg_co2e_generation"]), d("3.652776"));
    let rates: Vec<Decimal> =
        r["tariffs"].as_array().unwrap().iter().map(|t| dec(&t["unit_rate_pence_per_kwh"])).collect();
    assert_eq!(rates, [d("24.50"), d("22.40")]);

    // Day by day: Mon 15 July alone is 10 h on + 14 h asleep = 0.742 kWh at 22.40 p = £0.166208.
    let (_, r) = t.get("/api/v1/energy?from=2024-07-15&to=2024-07-15").await;
    assert_eq!(dec(&r["total"]["kwh"]), d("0.742"));
    assert_eq!(dec(&r["total"]["cost_gbp_unrounded"]), d("0.166208"));
}

#[rocket::async_test]
async fn a_monitor_follows_its_pc() {
    // Tue 02/04/2024: the desktop is on 10 h and asleep 14 h: 700 + 42 = 742 Wh. A monitor stated at
    // 20 W on, 0.5 W asleep, belonging to it, has no profile of its own and takes the PC's hours:
    // 20 × 10 + 0.5 × 14 = 207 Wh.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    desktop(&t, "PC-0001", model, site, dept).await;
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "MON-0001", "category": "monitor", "site_id": site, "department_id": dept,
                "on_watts": 20, "sleep_watts": 0.5, "off_watts": 0.3, "parent_asset_tag": "PC-0001",
                "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");

    let (s, r) = t.get("/api/v1/energy?from=2024-04-02&to=2024-04-02&group_by=category").await;
    assert_eq!(s, Status::Ok, "{r}");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows[0]["group"]["category"], "desktop");
    assert_eq!(dec(&rows[0]["kwh"]), d("0.742"));
    assert_eq!(rows[1]["group"]["category"], "monitor");
    assert_eq!(dec(&rows[1]["kwh"]), d("0.207"));
    let (_, a) = t.get("/api/v1/assets/MON-0001/energy?from=2024-04-02&to=2024-04-02").await;
    assert_eq!(dec(&a["figures"]["kwh"]), d("0.207"), "{a}");

    // With its PC retired the monitor needs a profile of its own, and the answer says so.
    t.patch("/api/v1/assets/PC-0001", json!({"lifecycle_state": "retired"})).await;
    let (s, e) = t.get("/api/v1/energy?from=2024-04-02&to=2024-04-02").await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e).0, "no_usage_profile");
    assert!(e["error"]["message"].as_str().unwrap().contains("MON-0001"), "{e}");
}

#[rocket::async_test]
async fn a_server_in_a_room_with_the_site_pue() {
    // seed_refs' Civic Offices has PUE 1.8. A server drawing 175 W (Boavizta rack-server TEC median
    // 1528.6 kWh/yr ≈ 175 W) is on round the clock whatever its profile. Sun 27/10/2024 has 25 hours
    // (clocks go back): 175 × 25 = 4375 Wh; × 1.8 = 7.875 kWh; at 24.50 p = £1.929375 → £1.93.
    // A desktop at the same site is not in the server room: asleep all Sunday, 3 × 25 = 75 Wh, no PUE.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    desktop(&t, "PC-0001", model, site, dept).await;
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "SRV-0001", "category": "server", "site_id": site, "on_watts": 175,
                "sleep_watts": 175, "off_watts": 0, "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, r) = t.get("/api/v1/energy?from=2024-10-27&to=2024-10-27&group_by=category").await;
    assert_eq!(s, Status::Ok, "{r}");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!((rows[0]["group"]["category"].as_str(), dec(&rows[0]["kwh"])), (Some("desktop"), d("0.075")));
    assert_eq!((rows[1]["group"]["category"].as_str(), dec(&rows[1]["kwh"])), (Some("server"), d("7.875")));
    assert_eq!(rows[1]["cost_gbp"], "1.93");
    assert_eq!(dec(&rows[1]["cost_gbp_unrounded"]), d("1.929375"));
}

#[rocket::async_test]
async fn what_is_missing_is_named() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    desktop(&t, "PC-0001", model, site, dept).await;

    // No profile for desktops yet.
    let (s, e) = t.get("/api/v1/energy?fy=2024").await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e), ("no_usage_profile".into(), Some("usage_profile_id".into())));

    // No tariff for the site on the first day.
    t.office_hours_for_desktops().await;
    let (s, e) = t.get("/api/v1/energy?fy=2024").await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e).0, "no_tariff");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("Civic Offices") && message.contains("01/04/2024"), "{message}");
    assert!(message.contains("add one"), "{message}");

    // A site tariff from July still leaves April to June unpriced.
    let (s, v) = t
        .post(
            "/api/v1/energy/tariffs",
            json!({"site_id": site, "effective_from": "2024-07-01", "unit_rate_pence_per_kwh": 24.5}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["unit_rate_pence_per_kwh"], "24.5");
    let (_, e) = t.get("/api/v1/energy?fy=2024").await;
    assert!(e["error"]["message"].as_str().unwrap().contains("01/04/2024"), "{e}");
    let (s, _) = t.patch(&format!("/api/v1/energy/tariffs/{}", v["id"]), json!({"effective_from": "2024-01-01"})).await;
    assert_eq!(s, Status::Ok);
    let (s, r) = t.get("/api/v1/energy?fy=2024").await;
    assert_eq!(s, Status::Ok, "{r}");

    // No set for 2014 or earlier (the shipped sets start at 2015): no figure rather than a later year's.
    let (s, e) = t.get("/api/v1/energy?fy=2014").await;
    assert_eq!(s, Status::UnprocessableEntity, "{e}");
    assert_eq!(error_of(&e).0, "no_grid_factors");
    assert!(e["error"]["message"].as_str().unwrap().contains("2014"));

    // 2026/27 before DESNZ 2026 is added: the latest published set (2025: generation 0.17700, T&D 0.01853,
    // uk_grid_factors.csv) stands in, and the answer says so.
    let (s, r) = t.get("/api/v1/energy?fy=2026").await;
    assert_eq!(s, Status::Ok, "{r}");
    let used = &r["factor_sets"][0];
    assert_eq!(
        (used["year"].as_i64(), used["for_year"].as_i64(), used["stand_in"].as_bool()),
        (Some(2025), Some(2026), Some(true))
    );
    assert_eq!(used["note"], "2025 factors used for 2026/27: DESNZ 2026 not yet added");
    let kwh = dec(&r["total"]["kwh"]);
    let six = |v: Decimal| v.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(dec(&r["total"]["kg_co2e_generation"]), six(kwh * d("0.17700")));
    assert_eq!(dec(&r["total"]["kg_co2e_td"]), six(kwh * d("0.01853")));
    let (s, a) = t.get("/api/v1/assets/PC-0001/energy?fy=2026").await;
    assert_eq!(s, Status::Ok, "{a}");
    assert_eq!(a["factor_sets"][0]["note"], "2025 factors used for 2026/27: DESNZ 2026 not yet added");

    // Once a 2026 set is added it is used and the note goes (figures here are placeholders, not DESNZ's).
    let (s, v) = t
        .post(
            "/api/v1/energy/grid-factors",
            json!({"year": 2026, "generation_kg_co2e_per_kwh": "0.15000", "td_kg_co2e_per_kwh": "0.01500",
                "source": "test figure"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["generation_kg_co2e_per_kwh"], "0.15000");
    let (s, r) = t.get("/api/v1/energy?fy=2026").await;
    assert_eq!(s, Status::Ok, "{r}");
    let used = &r["factor_sets"][0];
    assert_eq!((used["year"].as_i64(), used["stand_in"].as_bool()), (Some(2026), Some(false)));
    assert!(used.get("note").is_none(), "{used}");
    assert_eq!(dec(&r["total"]["kg_co2e_generation"]), six(kwh * d("0.15000")));

    // A bad period is a 400 naming the parameter.
    let (s, e) = t.get("/api/v1/energy?from=2024-04-01").await;
    assert_eq!((s, error_of(&e).1), (Status::BadRequest, Some("to".into())));
    let (s, e) = t.get("/api/v1/energy?fy=2024&group_by=colour").await;
    assert_eq!((s, error_of(&e).1), (Status::BadRequest, Some("group_by".into())));
}

#[rocket::async_test]
async fn by_site_and_month_sums_to_the_total() {
    // Two identical desktops, one at each site, FY 2024/25: 2 × 196.46 = 392.92 kWh, 2 × £48.1327 =
    // £96.2654. 2 sites × 12 months = 24 rows, summing to the total; April 2024 at each site: 21 working
    // days (Easter Monday off), 210 h on, 720 − 210 = 510 h asleep: (14 700 + 1530) / 1000 = 16.23 kWh.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    let (s, depot) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!(s, Status::Created);
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    desktop(&t, "PC-0001", model, site, dept).await;
    desktop(&t, "PC-0002", model, depot["id"].as_i64().unwrap(), dept).await;

    let (s, r) = t.get("/api/v1/energy?fy=2024&group_by=site,month").await;
    assert_eq!(s, Status::Ok, "{r}");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[0]["group"]["site"], "Civic Offices");
    assert_eq!(rows[0]["group"]["month"], "2024-04");
    assert_eq!(dec(&rows[0]["kwh"]), d("16.23"));
    let sum = |field: &str| rows.iter().map(|r| dec(&r[field])).sum::<Decimal>();
    assert_eq!(sum("kwh"), d("392.92"));
    assert_eq!(dec(&r["total"]["kwh"]), d("392.92"));
    assert_eq!(sum("cost_gbp_unrounded"), d("96.2654"));
    assert_eq!(r["total"]["cost_gbp"], "96.27");
    // kgCO2e = 392.92 × (0.20705 + 0.01830) = 88.544522 exactly; each row is shown to 6 places, so the
    // rows' sum may differ from the total by at most half a millionth per row.
    assert_eq!(dec(&r["total"]["kg_co2e_total"]), d("88.544522"));
    let off = (sum("kg_co2e_total") - d("88.544522")).abs();
    assert!(off <= d("0.0000005") * Decimal::from(rows.len()), "{off}");

    let (_, by_site) = t.get("/api/v1/energy?fy=2024&group_by=site").await;
    let sites = by_site["rows"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert!(sites.iter().all(|r| dec(&r["kwh"]) == d("196.46")));
    assert_eq!(sites[1]["group"]["site"], "Depot");
}

#[rocket::async_test]
async fn what_if_desktops_are_off_overnight_and_at_weekends() {
    // The desktop as it is: 196.46 kWh in 2024/25 (above). With a policy of off 19:00–07:30, weekends
    // and bank holidays: on each of 254 working days 10 h on (70 W), 1.5 h asleep (07:30–08:00 and
    // 18:00–19:00, 3 W) and 12.5 h off (0.5 W, seed_refs' model); the other 111 days (8760 − 254 × 24 =
    // 2664 h, both clock changes fall on Sundays) all off.
    // With: 70 × 2540 + 3 × 381 + 0.5 × (3175 + 2664) = 177 800 + 1143 + 2919.5 = 181 862.5 Wh.
    // Saved: 196.46 − 181.8625 = 14.5975 kWh; × 0.245 = £3.5763875 → £3.58; × (0.20705 + 0.01830) =
    // 3.289546625 → 3.289547 kgCO2e.
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    default_tariff(&t, "2024-04-01", "24.50").await;
    desktop(&t, "PC-0001", model, site, dept).await;
    let (s, w) = t
        .post(
            "/api/v1/energy/what-if",
            json!({"category": "desktop", "off_from": "19:00", "on_at": "07:30", "days_off": ["sat", "sun"],
                "bank_holidays_off": true, "fy": 2024}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{w}");
    assert_eq!(w["assets_affected"], 1);
    assert_eq!(dec(&w["current"]["kwh"]), d("196.46"));
    assert_eq!(dec(&w["proposed"]["kwh"]), d("181.8625"));
    assert_eq!(dec(&w["saved"]["kwh"]), d("14.5975"));
    assert_eq!(w["saved"]["cost_gbp"], "3.58");
    assert_eq!(dec(&w["saved"]["kg_co2e_total"]), d("3.289547"));

    let (s, e) = t.post("/api/v1/energy/what-if", json!({"category": "desktop", "off_from": "19:00"})).await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("on_at".into())));
}

#[rocket::async_test]
async fn reference_data_is_seeded_editable_and_audited() {
    let t = app().await;
    // DESNZ/BEIS factor sets 2015–2025 from uk_grid_factors.csv; 2024 exactly as published.
    let (_, sets) = t.get("/api/v1/energy/grid-factors").await;
    let sets = sets.as_array().unwrap();
    assert_eq!(sets.len(), 11);
    let y2024 = sets.iter().find(|s| s["year"] == 2024).unwrap();
    assert_eq!(
        (y2024["generation_kg_co2e_per_kwh"].as_str(), y2024["td_kg_co2e_per_kwh"].as_str()),
        (Some("0.20705"), Some("0.01830"))
    );
    let (s, e) = t
        .post(
            "/api/v1/energy/grid-factors",
            json!({"year": 2024, "generation_kg_co2e_per_kwh": "0.2",
            "td_kg_co2e_per_kwh": "0.02", "source": "x"}),
        )
        .await;
    assert_eq!((s, error_of(&e)), (Status::Conflict, ("duplicate".into(), Some("year".into()))));

    // gov.uk/bank-holidays, England and Wales 2024: eight days.
    let (_, days) = t.get("/api/v1/energy/bank-holidays?year=2024").await;
    let days = days.as_array().unwrap();
    assert_eq!(days.len(), 8);
    assert_eq!((days[0]["date"].as_str(), days[0]["name"].as_str()), (Some("2024-01-01"), Some("New Year's Day")));
    let (s, extra) =
        t.post("/api/v1/energy/bank-holidays", json!({"date": "2024-07-05", "name": "Local holiday"})).await;
    assert_eq!(s, Status::Created, "{extra}");
    let (s, _) = t.delete(&format!("/api/v1/energy/bank-holidays/{}", extra["id"])).await;
    assert_eq!(s, Status::NoContent);

    // Rates keep every digit given; nonsense is named.
    let (s, v) = t
        .post(
            "/api/v1/energy/tariffs",
            json!({"effective_from": "2024-04-01", "unit_rate_pence_per_kwh": "24.5012",
            "market_kg_co2e_per_kwh": "0"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (_, got) = t.get(&format!("/api/v1/energy/tariffs/{}", v["id"])).await;
    assert_eq!(
        (got["unit_rate_pence_per_kwh"].as_str(), got["market_kg_co2e_per_kwh"].as_str()),
        (Some("24.5012"), Some("0"))
    );
    let (s, e) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2024-04-01", "unit_rate_pence_per_kwh": "abc"}))
        .await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("unit_rate_pence_per_kwh".into())));
    let (s, e) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2024-04-01", "unit_rate_pence_per_kwh": "20"}))
        .await;
    assert_eq!((s, error_of(&e).0), (Status::Conflict, "duplicate".into()));

    // Profiles: bad times are named; one in use cannot be deleted.
    let (s, e) = t.post("/api/v1/energy/usage-profiles", json!({"name": "Late", "start_time": "25:00"})).await;
    assert_eq!((s, error_of(&e).1), (Status::UnprocessableEntity, Some("start_time".into())));
    let profile = t.office_hours_for_desktops().await;
    let (s, e) = t.delete(&format!("/api/v1/energy/usage-profiles/{profile}")).await;
    assert_eq!((s, error_of(&e).0), (Status::Conflict, "in_use".into()));
    let (_, defaults) = t.get("/api/v1/energy/category-profiles").await;
    assert_eq!(defaults, json!([{"category": "desktop", "usage_profile_id": profile}]));

    // An asset's own profile, audited on the asset.
    let (site, dept, model) = t.seed_refs().await;
    desktop(&t, "PC-0001", model, site, dept).await;
    let (s, v) = t.send("PUT", "/api/v1/assets/PC-0001/usage-profile", json!({"usage_profile_id": profile})).await;
    assert_eq!((s, v["usage_profile_id"].as_i64()), (Status::Ok, Some(profile)));
    let (_, history) = t.get("/api/v1/assets/PC-0001/history").await;
    assert_eq!(history[0]["after"]["usage_profile_id"].as_i64(), Some(profile));
    let (s, _) = t.send("PUT", "/api/v1/assets/PC-0001/usage-profile", json!({"usage_profile_id": 999})).await;
    assert_eq!(s, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn the_energy_page_and_the_asset_page_show_the_figures() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    desktop(&t, "PC-0001", model, site, dept).await;
    // Without a tariff the page says what is missing rather than showing zeros.
    let (s, html) = t.page("/energy?fy=2024").await;
    assert_eq!(s, Status::Ok);
    assert!(html.contains("no tariff for site Civic Offices on 01/04/2024"), "{html}");

    // With one: the figures worked out above (196.46 kWh, £48.13, 44.272261 kgCO2e), April 2024 16.23 kWh.
    default_tariff(&t, "2024-04-01", "24.50").await;
    let (_, html) = t.page("/energy?fy=2024").await;
    assert!(html.contains("Civic Offices") && html.contains("£48.13") && html.contains("196.5"), "{html}");
    assert!(html.contains("April 2024") && html.contains("16.2"), "{html}");
    assert!(html.contains("from 01/04/2024: 24.50 p/kWh"), "{html}");
    let (s, html) = t.page("/assets/PC-0001").await;
    assert_eq!(s, Status::Ok);
    assert!(html.contains("Energy use"), "{html}");
}
