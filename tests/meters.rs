//! Meter readings (issue 4): importing real-shaped files into a meter through the API, all or nothing and
//! idempotent, the readings by day, metered against estimated per site and month, and the pages.

mod common;

use common::app;
use rocket::http::Status;
use serde_json::json;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/meters/{name}")).unwrap()
}

#[rocket::async_test]
async fn a_supplier_file_imports_once_and_is_compared() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    let (s, meter) = t.post("/api/v1/meters", json!({"site_id": site, "name": "ICT DB1", "measures": "ict"})).await;
    assert_eq!(s, Status::Created, "{meter}");
    let id = meter["id"].as_i64().unwrap();
    let path = format!("/api/v1/imports?kind=meter_readings&meter_id={id}");

    // A check first: counts, nothing written.
    let (s, v) = t.raw_post(&format!("{path}&dry_run=true"), &fixture("supplier_half_hourly.csv")).await;
    assert_eq!((s, v["created"].as_u64(), v["applied"].as_bool()), (Status::Ok, Some(142), Some(false)), "{v}");

    // 48 + 46 (30/03/2025: clocks go forward) + 48 = 142 half hours; 24 + 23 + 12 = 59 kWh.
    let (s, v) = t.raw_post(&path, &fixture("supplier_half_hourly.csv")).await;
    assert_eq!((s, v["created"].as_u64(), v["applied"].as_bool()), (Status::Ok, Some(142), Some(true)), "{v}");
    assert_eq!(v["meter"]["total_kwh"], "59", "{v}");

    // The same file again changes nothing.
    let (s, v) = t.raw_post(&path, &fixture("supplier_half_hourly.csv")).await;
    assert_eq!((s, v["created"].as_u64(), v["unchanged"].as_u64()), (Status::Ok, Some(0), Some(142)), "{v}");
    assert_eq!(v["applied"], false);

    let (s, days) = t.get(&format!("/api/v1/meters/{id}/readings?from=2025-03-29&to=2025-03-31")).await;
    assert_eq!(s, Status::Ok, "{days}");
    let got: Vec<(String, String, u64)> = days
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["date"].as_str().unwrap().into(), d["kwh"].as_str().unwrap().into(), d["readings"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2025-03-29".into(), "24".into(), 48),
            ("2025-03-30".into(), "23".into(), 46),
            ("2025-03-31".into(), "12".into(), 48)
        ]
    );

    // March 2025 is 31 days less the spring hour: 44,640 − 60 = 44,580 minutes; 142 half hours = 4,260
    // minutes, coverage 4260/44580 = 0.09556 → 0.0956. Incomplete, so no difference or ratio.
    let (s, report) = t.get("/api/v1/energy/metered?fy=2024").await;
    assert_eq!(s, Status::Ok, "{report}");
    let march = report["rows"].as_array().unwrap().iter().find(|r| r["month"] == "2025-03").unwrap().clone();
    assert_eq!((march["metered_kwh"].as_str(), march["coverage"].as_str()), (Some("59"), Some("0.0956")), "{march}");
    assert_eq!((march["basis"].as_str(), march["ratio"].is_null()), (Some("ict"), true), "{march}");

    let (s, page) = t.page("/energy/meters").await;
    assert!(s == Status::Ok && page.contains("ICT DB1") && page.contains("142"), "{page}");
    let (s, page) = t.page("/energy/metered?fy=2024").await;
    assert!(s == Status::Ok && page.contains("March 2025") && page.contains("9.6%"), "{page}");

    // A site with a meter is not deleted from under it.
    let (s, v) = t.delete(&format!("/api/v1/sites/{site}")).await;
    assert_eq!(s, Status::Conflict, "{v}");
}

#[rocket::async_test]
async fn logger_and_daily_files_and_a_broken_one() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    let (_, logger) =
        t.post("/api/v1/meters", json!({"site_id": site, "name": "Logger", "measures": "server_room"})).await;
    let (_, daily) =
        t.post("/api/v1/meters", json!({"site_id": site, "name": "Incomer", "measures": "whole_site"})).await;
    let path = |m: &serde_json::Value| format!("/api/v1/meters/{}/readings", m["id"]);

    // The logger mixes UTC rows and a UK-time row: 01:00 BST on 01/04/2025 is 00:00 UTC, a duplicate.
    let (s, v) = t.raw_post(&path(&logger), &fixture("logger_intervals.csv")).await;
    assert_eq!(s, Status::UnprocessableEntity, "01:00 UK time on 01/04/2025 is 00:00 UTC, already given: {v}");
    assert!(v["problems"][0]["message"].as_str().unwrap().contains("already given on line 2"), "{v}");

    let (s, v) = t.raw_post(&path(&daily), &fixture("daily.csv")).await;
    assert_eq!((s, v["created"].as_u64()), (Status::Ok, Some(2)), "{v}");
    assert_eq!(v["meter"]["total_kwh"], "250.5");

    let (s, v) = t.raw_post(&path(&logger), &fixture("broken.csv")).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let lines: Vec<u64> = v["problems"].as_array().unwrap().iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 5, 6], "bad date, negative, cut short, duplicate: {v}");
    let (_, list) = t.get("/api/v1/meters").await;
    let logger_row = list.as_array().unwrap().iter().find(|m| m["name"] == "Logger").unwrap().clone();
    assert_eq!(logger_row["readings"], 0, "nothing imported: {logger_row}");

    // An address that names no meter is a 404 in the one error shape, not an import's problem list.
    let (s, v) = t.raw_post("/api/v1/meters/99999999999/readings", &fixture("daily.csv")).await;
    assert_eq!((s, common::error_of(&v).0.as_str()), (Status::NotFound, "not_found"), "{v}");
}
