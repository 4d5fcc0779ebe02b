//! The chart routes and the dashboard through the real HTTP interface on a fresh database per test
//! (SQLite by default, PostgreSQL with GREENICT_TEST_DATABASE_URL).
//!
//! Figures worked out by hand (as in tests/energy.rs, from the same cited inputs): one desktop of the
//! ConfigMgr 2007 R3 defaults (on 70 W, sleep 3 W) on office hours (Mon–Fri 08:00–18:00, asleep out of
//! hours, bank holidays off), at 24.50 p/kWh (the Apr–Jun 2024 price cap, House of Commons Library
//! CBP-9714, used as a stated rate), with the 2024 DESNZ grid factors (generation 0.20705 + T&D 0.01830
//! kgCO2e/kWh) seeded on migration:
//! - 2024/25: 254 working days × 10 h = 2540 h on, 6220 h asleep: (70 × 2540 + 3 × 6220) / 1000 =
//!   196.46 kWh; £ = 196.46 × 0.245 = 48.1327 → £48.13; carbon 196.46 × 0.22535 = 44.272261 kg =
//!   0.044272261 t.
//! - April 2024: 22 weekdays − Easter Monday = 21 working days: 210 h on, 510 h asleep:
//!   (70 × 210 + 3 × 510) / 1000 = 16.23 kWh.

mod common;

use common::{app, error_of, TestApp};
use rocket::http::{Header, Status};
use serde_json::json;

async fn one_desktop(t: &TestApp) -> (i64, i64, i64) {
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    let (s, v) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2021-04-01", "unit_rate_pence_per_kwh": "24.50"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // Bought 01/06/2023 with the model's 60-month life: due for refresh 01/06/2028, in 2028/29.
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "PC-0001", "model_id": model, "site_id": site, "department_id": dept,
                "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    (site, dept, model)
}

/// Status, content type, ETag, Cache-Control and body of a GET, optionally with If-None-Match.
async fn fetch(t: &TestApp, path: &str, if_none_match: Option<&str>) -> (Status, String, String, String, Vec<u8>) {
    let mut req = t.client.get(path.to_string());
    if let Some(tag) = if_none_match {
        req = req.header(Header::new("If-None-Match", tag.to_string()));
    }
    let res = req.dispatch().await;
    let status = res.status();
    let header = |name: &str| res.headers().get_one(name).unwrap_or_default().to_string();
    let (ct, etag, cache) = (header("Content-Type"), header("ETag"), header("Cache-Control"));
    let body = res.into_bytes().await.unwrap_or_default();
    assert_eq!(cache, "private, max-age=60", "{path}");
    (status, ct, etag, String::from_utf8_lossy(&body).into_owned(), body)
}

fn csv_lines(body: &str) -> Vec<String> {
    body.lines().map(str::to_string).collect()
}

#[rocket::async_test]
async fn chart_csvs_carry_the_figures_worked_by_hand() {
    let t = app().await;
    let (site, dept, _) = one_desktop(&t).await;

    let (s, ct, _, body, _) = fetch(&t, "/charts/energy-by-month.csv?fy=2024", None).await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(ct, "text/csv; charset=utf-8");
    let lines = csv_lines(&body);
    assert_eq!(lines[0], "Month (2024/25),Desktop PC (kWh)");
    assert_eq!(lines.len(), 13, "a row a month: {body}");
    assert_eq!(lines[1], "2024-04,16.23");
    let year: rust_decimal::Decimal =
        lines[1..].iter().map(|l| l.split(',').nth(1).unwrap().parse::<rust_decimal::Decimal>().unwrap()).sum();
    assert_eq!(year.normalize().to_string(), "196.46");

    let (_, _, _, body, _) = fetch(&t, "/charts/cost-by-category.csv?fy=2024", None).await;
    assert_eq!(csv_lines(&body), ["Device category,Electricity (£)", "Desktop PC,48.13"]);

    // 2024/25 in tonnes, against the 2024/25 baseline, 50% below it by 2030/31: the target in 2024/25
    // is the baseline itself (no years of progress yet).
    let (_, _, _, body, _) =
        fetch(&t, "/charts/carbon-by-year.csv?fy=2024&baseline=2024&target_percent=50&target_fy=2030", None).await;
    assert_eq!(
        csv_lines(&body),
        [
            "Financial year,Estimated emissions (tCO2e),Baseline 2024/25 (tCO2e),Target: −50% by 2030/31 (tCO2e)",
            "2024/25,0.044272261,0.044272261,0.044272261"
        ]
    );

    // Refresh: due 01/06/2028, so one in 2028/29; the model has no replacement price, so £0 budget.
    let (_, _, _, body, _) = fetch(&t, "/charts/refresh-forecast.csv?fy=2025&years=5", None).await;
    let lines = csv_lines(&body);
    assert_eq!(lines[0], "Financial year due,Assets due (number),Replacement cost (£)");
    assert_eq!(lines[1], "overdue,0,0");
    assert_eq!(lines[4], "2027/28,0,0");
    assert_eq!(lines[5], "2028/29,1,0");
    assert_eq!(lines.len(), 7);

    // Filters: the desktop's own site and department have it; another site has none.
    let (_, _, _, body, _) = fetch(&t, &format!("/charts/cost-by-category.csv?fy=2024&site_id={site}"), None).await;
    assert_eq!(csv_lines(&body)[1], "Desktop PC,48.13");
    let (_, _, _, body, _) =
        fetch(&t, &format!("/charts/energy-by-month.csv?fy=2024&department_id={dept}"), None).await;
    assert_eq!(csv_lines(&body)[1], "2024-04,16.23");
    let (s, other) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!(s, Status::Created);
    let other = other["id"].as_i64().unwrap();
    let (_, _, _, body, _) = fetch(&t, &format!("/charts/cost-by-category.csv?fy=2024&site_id={other}"), None).await;
    assert_eq!(csv_lines(&body), ["Device category,Electricity (£)"]);
    let (_, _, _, body, _) = fetch(&t, &format!("/charts/refresh-forecast.csv?fy=2025&site_id={other}"), None).await;
    assert_eq!(csv_lines(&body)[5], "2028/29,0,0");
}

#[rocket::async_test]
async fn svg_and_png_with_etags_and_304() {
    let t = app().await;
    one_desktop(&t).await;
    for name in greenict::services::charts::ChartName::ALL.map(|c| c.as_str()) {
        let path = format!("/charts/{name}.svg?fy=2024");
        let (s, ct, etag, body, _) = fetch(&t, &path, None).await;
        assert_eq!(s, Status::Ok, "{name}: {body}");
        assert_eq!(ct, "image/svg+xml", "{name}");
        assert!(body.starts_with("<svg role=\"img\"") && body.contains("<title>"), "{name}: {body}");
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34, "{name}: {etag}");
        let (s, _, again, body, _) = fetch(&t, &path, Some(&etag)).await;
        assert_eq!(s, Status::NotModified, "{name}");
        assert!(body.is_empty(), "{name}: a 304 has no body");
        assert_eq!(again, etag);
        // Another format of the same figures has its own tag.
        let (s, ct, png_tag, _, bytes) = fetch(&t, &format!("/charts/{name}.png?fy=2024"), None).await;
        assert_eq!(s, Status::Ok);
        assert_eq!(ct, "image/png");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_ne!(png_tag, etag);
    }
    // A change to the register changes the figures, so the tag: a second desktop doubles the energy.
    let (_, _, before, _, _) = fetch(&t, "/charts/energy-by-month.svg?fy=2024", None).await;
    let (_, _, _, _, _) = fetch(&t, "/charts/energy-by-month.svg?fy=2024", None).await;
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "PC-0002", "model_id": 1, "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, _, after, _, _) = fetch(&t, "/charts/energy-by-month.svg?fy=2024", Some(&before)).await;
    assert_eq!(s, Status::Ok, "the cached estimate is not reused after a change");
    assert_ne!(after, before);
    let (_, _, _, body, _) = fetch(&t, "/charts/energy-by-month.csv?fy=2024", None).await;
    assert_eq!(csv_lines(&body)[1], "2024-04,32.46", "two desktops: 2 × 16.23");
    // A change that adds no row (retiring one) is seen too: it is audited.
    let (s, v) = t.patch("/api/v1/assets/PC-0002", json!({"lifecycle_state": "retired"})).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, _, _, body, _) = fetch(&t, "/charts/energy-by-month.csv?fy=2024", None).await;
    assert_eq!(csv_lines(&body)[1], "2024-04,16.23", "a retired desktop uses nothing");
}

#[rocket::async_test]
async fn bad_requests_name_the_parameter() {
    let t = app().await;
    let (s, _) = t.get("/charts/nope.svg").await;
    assert_eq!(s, Status::NotFound);
    let (s, _) = t.get("/charts/energy-by-month.gif").await;
    assert_eq!(s, Status::NotFound);
    let (s, v) = t.get("/charts/energy-by-month.svg?fy=abc").await;
    assert_eq!(s, Status::BadRequest, "{v}");
    assert_eq!(error_of(&v), ("invalid_parameter".into(), Some("fy".into())));
    let (s, v) = t.get("/charts/carbon-by-year.svg?fy=2024&baseline=2025").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(error_of(&v).1.as_deref(), Some("baseline"));
    let (s, v) = t.get("/charts/carbon-by-year.svg?fy=2024&target_percent=120").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(error_of(&v).1.as_deref(), Some("target_percent"));
    let (s, v) = t.get("/charts/refresh-forecast.svg?years=0").await;
    assert_eq!(s, Status::BadRequest, "{v}");
    assert_eq!(error_of(&v).1.as_deref(), Some("years"));
}

#[rocket::async_test]
async fn a_year_without_inputs_is_an_image_saying_why() {
    // No tariff: the estimate cannot be made, and the chart says so rather than failing the page.
    let t = app().await;
    t.seed_refs().await;
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "PC-0001", "model_id": 1, "purchase_date": "2023-06-01",
            "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, ct, _, body, _) = fetch(&t, "/charts/energy-by-month.svg?fy=2024", None).await;
    assert_eq!((s, ct.as_str()), (Status::Ok, "image/svg+xml"));
    assert!(body.contains("No figures to show"), "{body}");
    let (s, page) = t.page("/?fy=2024").await;
    assert_eq!(s, Status::Ok, "{page}");
    assert!(page.contains("No figure:") && page.contains("tariff"), "{page}");
    assert!(page.contains("No figures: "), "the chart's note says why: {page}");
}

#[rocket::async_test]
async fn dashboard_shows_headline_figures_charts_and_their_tables() {
    let t = app().await;
    one_desktop(&t).await;
    let (s, page) = t.page("/?fy=2024&baseline=2023").await;
    assert_eq!(s, Status::Ok, "{page}");
    for wanted in [
        "2024/25 against last year and the 2023/24 baseline",
        "Electricity, 2024/25",
        "196 kWh",
        "Electricity cost, 2024/25",
        "£48.13",
        "Carbon, 2024/25",
        "0.044 tCO2e",
        "Last year 2023/24:",
        "Refreshes due, 2024/25",
        r#"<img src="/charts/energy-by-month.svg?fy=2024""#,
        r#"href="/charts/energy-by-month.csv?fy=2024" download"#,
        r#"<img src="/charts/carbon-by-year.svg?fy=2024&#38;baseline=2023""#,
        r#"<img src="/charts/cost-by-category.svg?fy=2024""#,
        r#"<img src="/charts/refresh-forecast.svg?fy=2024""#,
        "<caption id=\"table-energy-by-month\">Electricity by month and device category, 2024/25 (kWh)</caption>",
        r#"<th scope="row">Apr</th><td class="num">16.2</td>"#,
        r#"<th scope="row">Desktop PC</th><td class="num">£48.13</td>"#,
        "Target: 50% below the baseline by 2030/31",
        // The register as before.
        "Refresh overdue",
        r#"href="/assets?state=deployed""#,
    ] {
        assert!(page.contains(wanted), "the dashboard should contain {wanted:?}:\n{page}");
    }
    // Without fy, the current financial year, with chart links that carry no fy.
    let (s, page) = t.page("/").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(r#"<img src="/charts/energy-by-month.svg""#), "{page}");
}

#[rocket::async_test]
async fn a_year_without_its_own_grid_factors_shows_carbon_at_the_latest_set_and_says_so() {
    // 2026/27: DESNZ 2026 factors are not in assets/reference/uk_grid_factors.csv; the 2025 set (the latest
    // published) is used and named, as UK GHG reporting practice does until the year's own appear.
    let t = app().await;
    one_desktop(&t).await;
    let (s, page) = t.page("/?fy=2026").await;
    assert_eq!(s, Status::Ok, "{page}");
    assert!(page.contains("Carbon, 2026/27"), "{page}");
    assert!(!page.contains("No figure:"), "a figure, not a refusal: {page}");
    // Beside the carbon card's figure and in the carbon chart's notes.
    let note = "2025 factors used for 2026/27: DESNZ 2026 not yet added";
    assert_eq!(page.matches(note).count(), 2, "{page}");
}

/// An agent's observed hour, as the check-in roll-up stores it.
async fn observed_hour(t: &TestApp, asset_id: i32, utc: &str, minutes_on: i32) {
    use sea_orm::{ActiveModelTrait, NotSet, Set};
    let hour = chrono::DateTime::parse_from_rfc3339(utc).unwrap().with_timezone(&chrono::Utc);
    greenict::store::agent_hour::ActiveModel {
        id: NotSet,
        asset_id: Set(asset_id),
        hour_start: Set(hour),
        local_date: Set(greenict::energy::observed::uk_date(hour)),
        checkins: Set(minutes_on),
        minutes_on: Set(minutes_on),
        minutes_user_active: Set(minutes_on),
    }
    .insert(&t.db)
    .await
    .unwrap();
}

#[rocket::async_test]
async fn policy_savings_are_worked_by_hand_from_the_shutdown_and_wake_times() {
    // The desktop of `one_desktop` under a policy that wakes it at 07:30 and shuts it down at 19:00 on
    // weekdays, with no weekend wakes and none on bank holidays. 2024/25 (see the module docs: 254
    // working days, 2540 h on):
    // - without the policy: 196.46 kWh;
    // - with it: each working day on 08:00-18:00 (10 h), asleep 07:30-08:00 and 18:00-19:00 (1.5 h), off
    //   the rest; the 111 weekend days and bank holidays off all day (both clock changes fall on
    //   Sundays), so off 8760 - 2540 - 381 = 5839 h at the model's 0.5 W:
    //   (70 × 2540 + 3 × 381 + 0.5 × 5839) / 1000 = 177.8 + 1.143 + 2.9195 = 181.8625 kWh; saving 14.5975 kWh.
    // - observed: its agent saw it on 8 h on Tue 02/04/2024 (09:00-17:00 BST), where the profile says
    //   10 h on and 14 h asleep: 70 × 10 + 3 × 14 = 742 Wh against 70 × 8 + 3 × 16 = 608 Wh, 0.134 kWh
    //   saved on the one reported day.
    let t = app().await;
    one_desktop(&t).await;
    let (s, p) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Desktops evenings", "target": "category", "category": "desktop",
                "schedule": "mon-fri 07:30-19:00", "bank_holidays_off": true}),
        )
        .await;
    assert_eq!(s, Status::Created, "{p}");
    let (_, asset) = t.get("/api/v1/assets/PC-0001").await;
    let id = asset["id"].as_i64().unwrap() as i32;
    for h in 8..16 {
        observed_hour(&t, id, &format!("2024-04-02T{h:02}:00:00Z"), 60).await;
    }
    let (s, _, _, body, _) = fetch(&t, "/charts/policy-savings.csv?fy=2024", None).await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(
        csv_lines(&body),
        [
            "Power policy,Without the policy (kWh),With the policy (kWh),Estimated saving (kWh),Observed saving (kWh)",
            "Desktops evenings,196.46,181.8625,14.5975,0.134"
        ],
        "{body}"
    );
    let (s, page) = t.page("/?fy=2024").await;
    assert_eq!(s, Status::Ok);
    for wanted in [
        r#"<img src="/charts/policy-savings.svg?fy=2024""#,
        "Desktops evenings: 1 device (monitors follow their PCs); 1 reported through the agent.",
        "Devices left on last night",
    ] {
        assert!(page.contains(wanted), "the dashboard should contain {wanted:?}:\n{page}");
    }
    // A policy that only wakes saves nothing and says so; a disabled one is not shown.
    let (s, v) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Morning wake", "target": "site", "site_id": asset["site_id"], "schedule": "mon-fri 07:00-"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (_, _, _, body, _) = fetch(&t, "/charts/policy-savings.csv?fy=2024", None).await;
    assert_eq!(csv_lines(&body).len(), 2, "the wake-only policy gets no bar: {body}");
    let (_, _, _, svg, _) = fetch(&t, "/charts/policy-savings.svg?fy=2024", None).await;
    assert!(svg.contains("Desktops evenings"), "{svg}");
}

#[rocket::async_test]
async fn tco_by_model_and_ewaste_by_route_match_the_api_figures() {
    let t = app().await;
    let (_, _, model) = one_desktop(&t).await;
    let (s, v) = t.patch("/api/v1/assets/PC-0001", json!({"purchase_cost": "600.00"})).await;
    assert!(s == Status::Ok, "{s} {v}");
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "PC-0002", "model_id": model, "purchase_date": "2023-06-01",
                "purchase_cost": "700.00", "lifecycle_state": "in_stock"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // Per asset = the model's TCO row ÷ its assets, part by part.
    let (s, tco) = t.get("/api/v1/tco?group_by=model").await;
    assert_eq!(s, Status::Ok, "{tco}");
    let row = &tco["rows"][0];
    assert_eq!(row["assets"], 2, "{tco}");
    let per = |part: &str| {
        let v: rust_decimal::Decimal = row["figures"][part].as_str().unwrap().parse().unwrap();
        (v / rust_decimal::Decimal::from(2)).round_dp(2).normalize().to_string()
    };
    assert_eq!(per("purchase_gbp"), "650");
    let (s, _, _, body, _) = fetch(&t, "/charts/tco-by-model.csv", None).await;
    assert_eq!(s, Status::Ok, "{body}");
    let lines = csv_lines(&body);
    assert_eq!(lines[0], "Model,Purchase (£),Electricity (£),Cost items (£),Disposal cost (£),Cost total (£)");
    let energy = per("energy_gbp");
    let total: rust_decimal::Decimal =
        "650".parse::<rust_decimal::Decimal>().unwrap() + energy.parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(
        lines[1],
        format!("{},650,{energy},0,0,{}", row["group"].as_str().unwrap(), total.normalize()),
        "{body}"
    );

    // E-waste: a monitor reused within the council in 2024/25, 3.9 kg from its model.
    t.reused_monitor().await;
    let (s, _, _, body, _) = fetch(&t, "/charts/ewaste-by-route.csv?fy=2024&baseline=2023", None).await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(csv_lines(&body), ["Financial year,Internal reuse (kg)", "2023/24,0", "2024/25,3.9"], "{body}");
    let (s, page) = t.page("/?fy=2024").await;
    assert_eq!(s, Status::Ok);
    for wanted in [
        "E-waste reused, 2024/25",
        "<p class=\"card-figure card-figure-small\">100.0%</p>",
        "1 item, 3.9 kg",
        "Last year 2023/24: no disposals",
        r#"<img src="/charts/tco-by-model.svg""#,
        r#"<img src="/charts/ewaste-by-route.svg?fy=2024"#,
    ] {
        assert!(page.contains(wanted), "the dashboard should contain {wanted:?}:\n{page}");
    }
    for name in ["tco-by-model", "ewaste-by-route", "policy-savings"] {
        let (s, ct, _, body, _) = fetch(&t, &format!("/charts/{name}.svg?fy=2024"), None).await;
        assert_eq!((s, ct.as_str()), (Status::Ok, "image/svg+xml"), "{name}: {body}");
        let (s, ct, _, _, bytes) = fetch(&t, &format!("/charts/{name}.png?fy=2024"), None).await;
        assert_eq!((s, ct.as_str()), (Status::Ok, "image/png"), "{name}");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}
