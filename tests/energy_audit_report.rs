//! The energy audit report for a site (issue 7) through the real app on a fresh database per test (SQLite
//! by default, PostgreSQL with GREENICT_TEST_DATABASE_URL): its figures against the JSON API's for the
//! same site and year, the metered rows against the metered-vs-estimated service after readings are
//! imported, the HTML against a snapshot, the PDF read back with lopdf, the routes (site missing or
//! unknown refused on the `site` field), and the CLI.
//!
//! The fixed estate: Civic Offices (PUE 1.8) with two desktops (OptiPlex 7010, 70/3/0.5 W) on office
//! hours; Depot with one, which must not count; 24.50 p/kWh council-wide from 01/04/2021; the DESNZ grid
//! factors seeded on migration.
//!
//! The snapshot is `tests/snapshots/reports/energy-audit-civic-offices-2024-25.html`; after a deliberate
//! change, check the new file (copied to `target/report-artifacts/`) by eye and regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test --test energy_audit_report`.

mod common;

use chrono::NaiveDate;
use common::{app_as, error_of, TestApp};
use greenict::domain::Role;
use greenict::energy::FinancialYear;
use greenict::reports::{self, view, Format};
use greenict::services::reports as report_service;
use rocket::http::Status;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const FY: FinancialYear = FinancialYear(2024);

fn produced_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 15).unwrap()
}

/// Returns the ids of Civic Offices and the Depot.
async fn fixed_estate(t: &TestApp) -> (i64, i64) {
    let (site, dept, model) = t.seed_refs().await;
    let (s, depot) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!(s, Status::Created, "{depot}");
    t.office_hours_for_desktops().await;
    let (s, v) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2021-04-01", "unit_rate_pence_per_kwh": "24.50"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    for (tag, at) in [("PC-0001", site), ("PC-0002", site), ("PC-0100", depot["id"].as_i64().unwrap())] {
        let (s, a) = t
            .post(
                "/api/v1/assets",
                json!({"asset_tag": tag, "model_id": model, "site_id": at, "department_id": dept,
                    "purchase_date": "2020-06-01", "lifecycle_state": "deployed"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{a}");
    }
    (site, depot["id"].as_i64().unwrap())
}

async fn audit(t: &TestApp, site: &str) -> report_service::EnergyAuditReport {
    let cache = greenict::services::charts::EstimateCache::default();
    let src = greenict::services::charts::Source::new(&t.db, &cache).await.unwrap();
    let site = report_service::find_site(&t.db, Some(site)).await.expect("the site");
    report_service::energy_audit(&src, FY, &site, produced_on()).await.expect("the report")
}

/// An ICT sub-meter at Civic Offices with 10 kWh a day for every day of April 2024 (30 × 10 = 300 kWh).
async fn april_readings(t: &TestApp, site: i64) {
    use greenict::domain::patch::Patch;
    let actor = greenict::services::actor::Actor::system();
    let meter = greenict::services::meters::create(
        &t.db,
        &actor,
        greenict::services::meters::MeterChanges {
            site_id: Patch::Value(site as i32),
            name: Patch::Value("ICT DB1".into()),
            measures: Patch::Value("ict".into()),
            ..Default::default()
        },
    )
    .await
    .expect("a meter");
    let mut csv = String::from("Date,kWh\n");
    for d in 1..=30 {
        csv.push_str(&format!("{d:02}/04/2024,10\n"));
    }
    let options = greenict::import::ImportOptions {
        dry_run: false,
        create_missing: false,
        source: "april.csv".into(),
        meter: Some(greenict::import::meter_import::MeterChoice::Id(meter.id)),
    };
    let summary = greenict::import::meter_import::import_readings(&t.db, &actor, csv.as_bytes(), &options)
        .await
        .expect("the import");
    assert!(summary.applied, "{summary:?}");
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}"))).unwrap()
}

fn html_of(r: &report_service::EnergyAuditReport) -> String {
    let (name, bytes) = reports::energy_audit_file(r, Format::Html).expect("HTML");
    let html = String::from_utf8(bytes).expect("UTF-8");
    std::fs::write(artifacts_dir().join(&name), &html).expect("artifact");
    html
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("the PDF opens");
    let pages = doc.get_pages();
    pages
        .keys()
        .map(|n| doc.extract_text(&[*n]).unwrap_or_else(|e| panic!("text of page {n}: {e}")))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[rocket::async_test]
async fn the_reports_figures_are_the_apis_for_the_site() {
    let t = app_as(Role::Ict).await;
    let (site, depot) = fixed_estate(&t).await;
    let report = audit(&t, "civic offices").await;
    assert_eq!(report.file_stem(), "energy-audit-civic-offices-2024-25");
    assert_eq!(report.devices, 2, "the Depot's desktop is not counted");
    let html = html_of(&report);

    let (s, e) = t.get("/api/v1/energy?group_by=site,category&fy=2024").await;
    assert_eq!(s, Status::Ok, "{e}");
    let rows: Vec<&Value> = e["rows"].as_array().unwrap().iter().filter(|r| r["group"]["site_id"] == site).collect();
    assert_eq!(rows.len(), 1, "desktops only: {e}");
    let row = rows[0];
    assert_eq!(row["group"]["category"], "desktop");
    // One category: it is the site's total, and 100% of it.
    let (kwh, cost, kg) = (dec(&row["kwh"]), dec(&row["cost_gbp"]), dec(&row["kg_co2e_total"]));
    let figures = report.figures.as_ref().expect("figures");
    assert_eq!((figures.kwh, figures.cost_gbp.decimal(), figures.kg_co2e_total), (kwh, cost, kg));
    for figure in [view::kwh(kwh), view::gbp(cost), view::tonnes(kg / Decimal::ONE_THOUSAND)] {
        assert!(html.contains(&figure), "the report lacks the API's {figure}");
    }
    let category_row = format!(
        "<th scope=\"row\">Desktop PC</th><td class=\"num\">2</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        view::kwh(kwh),
        view::gbp(cost)
    );
    assert!(html.contains(&category_row), "the category row: {html}");
    assert!(html.contains("100.0%"), "the one category is all of the site's kWh");

    // The Depot's figure is not in the report.
    let depot_row = e["rows"].as_array().unwrap().iter().find(|r| r["group"]["site_id"] == depot).expect("depot");
    assert_ne!(dec(&depot_row["kwh"]), Decimal::ZERO);
    assert!(report.by_category.iter().all(|l| l.devices == 2), "{:?}", report.by_category);

    // By model, as the API's site,model grouping says.
    let (_, m) = t.get("/api/v1/energy?group_by=site,model&fy=2024").await;
    let mrow = m["rows"].as_array().unwrap().iter().find(|r| r["group"]["site_id"] == site).expect("model row");
    assert!(html.contains(mrow["group"]["model"].as_str().unwrap()), "the model named");
    assert_eq!(report.by_model[0].figures.kwh, dec(&mrow["kwh"]));

    // Tariff, factors, PUE, method.
    assert!(
        html.contains("<th scope=\"row\">all sites without their own tariff</th><td>01/04/2021</td><td>24.50p</td>")
    );
    assert!(html.contains("has no tariff of its own"), "the council-wide tariff priced it");
    assert!(html.contains(e["factor_sets"][0]["source"].as_str().unwrap()), "factor source");
    assert!(html.contains("1.80"), "the PUE");
    assert!(html.contains("No meter readings: add a meter and import its readings on the Energy page."));
    assert!(html.contains("sub-meters"), "the metered method");
}

#[rocket::async_test]
async fn imported_readings_appear_as_the_metered_comparison_has_them() {
    let t = app_as(Role::Ict).await;
    let (site, _) = fixed_estate(&t).await;
    april_readings(&t, site).await;
    let report = audit(&t, &site.to_string()).await;
    let html = html_of(&report);

    let cache = greenict::services::charts::EstimateCache::default();
    let src = greenict::services::charts::Source::new(&t.db, &cache).await.unwrap();
    let all = greenict::services::metered::metered_vs_estimated(&src, FY.period()).await.unwrap();
    let want: Vec<_> = all.rows.iter().filter(|r| r.site_id == site as i32).collect();
    assert_eq!(report.metered.len(), want.len());
    let april = report.metered.iter().find(|r| r.month == "2024-04").expect("April");
    // 30 daily readings of 10 kWh cover all of April: 300 kWh, coverage 1.
    assert_eq!(april.metered_kwh, Decimal::from(300));
    assert_eq!(april.coverage, Decimal::ONE);
    let w = want.iter().find(|r| r.month == "2024-04").unwrap();
    assert_eq!((april.estimated_kwh, april.difference_kwh, april.ratio), (w.estimated_kwh, w.difference_kwh, w.ratio));
    // The estimate compared is the API's for the site and month.
    let (_, e) = t.get("/api/v1/energy?group_by=site,month&fy=2024").await;
    let est = e["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"]["site_id"] == site && r["group"]["month"] == "2024-04")
        .expect("April's estimate");
    assert_eq!(april.estimated_kwh, Some(dec(&est["kwh"])));
    let diff = Decimal::from(300) - dec(&est["kwh"]);
    assert_eq!(april.difference_kwh, Some(diff));
    // By hand: each desktop used 16.23 kWh in April 2024 (tests/energy.rs: 21 working days, 210 h on at
    // 70 W and 510 h asleep at 3 W), so two at Civic Offices are 32.46 kWh; 300 − 32.46 = 267.54 kWh and
    // 300 ÷ 32.46 = 9.24214… → 9.2421. The same through the API the metered page reads.
    assert_eq!(dec(&est["kwh"]), Decimal::from_str("32.46").unwrap());
    let (s, m) = t.get("/api/v1/energy/metered?fy=2024").await;
    assert_eq!(s, Status::Ok, "{m}");
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["site_id"] == site && r["month"] == "2024-04")
        .unwrap_or_else(|| panic!("April at Civic Offices: {m}"))
        .clone();
    assert_eq!(
        (row["metered_kwh"].as_str(), row["estimated_kwh"].as_str(), row["difference_kwh"].as_str()),
        (Some("300"), Some("32.46"), Some("267.54")),
        "{row}"
    );
    assert_eq!((row["ratio"].as_str(), row["coverage"].as_str()), (Some("9.2421"), Some("1")), "{row}");

    assert!(
        html.contains(
            "<th scope=\"row\">04/2024</th><td class=\"num\">ICT sub-meter</td><td class=\"num\">300.0 kWh</td>"
        ),
        "{html}"
    );
    assert!(html.contains("100.0%"), "coverage");
    assert!(!html.contains("No meter readings: add a meter"), "the site has readings");
    assert!(html.contains("Metered (ICT sub-meter): 300.0 kWh over 1 month with readings"), "the summary's sentence");
}

#[rocket::async_test]
async fn the_html_matches_its_snapshot_and_the_pdf_has_a_page_per_section() {
    let t = app_as(Role::Ict).await;
    let (site, _) = fixed_estate(&t).await;
    april_readings(&t, site).await;
    let report = audit(&t, "Civic Offices").await;
    let html = html_of(&report);
    for banned in ["<script", "<link", "src=\"http", "href=\"http", "url(", "@import"] {
        assert!(!html.contains(banned), "the report refers to something outside itself: {banned}");
    }
    assert_eq!(html.matches("<svg").count(), 1, "the month chart inline");
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/reports/energy-audit-civic-offices-2024-25.html");
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(&path, &html).unwrap();
    } else {
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no snapshot at {}", path.display()));
        assert!(want == html, "the report differs from {}; the new one is in target/report-artifacts/", path.display());
    }

    let (name, pdf) = reports::energy_audit_file(&report, Format::Pdf).expect("PDF");
    assert_eq!(name, "energy-audit-civic-offices-2024-25.pdf");
    std::fs::write(artifacts_dir().join(&name), &pdf).expect("artifact");
    let pages = pdf_pages(&pdf);
    // Summary; metered table; the month chart; categories; models; tariff; method.
    assert_eq!(pages.len(), 7, "{pages:#?}");
    assert!(
        pages[0].contains("Energy audit report for a site: Civic Offices, 2024/25") && pages[0].contains("1. Summary")
    );
    let f = report.figures.as_ref().unwrap();
    assert!(
        pages[0].contains(&view::kwh(f.kwh)) && pages[0].contains(&view::gbp(f.cost_gbp.decimal())),
        "{}",
        pages[0]
    );
    assert!(
        pages[1].contains("2. Metered against estimated, by month") && pages[1].contains("300.0 kWh"),
        "{}",
        pages[1]
    );
    assert!(pages[2].contains("Estimated electricity by month, Civic Offices"), "{}", pages[2]);
    assert!(pages[3].contains("3. By device category") && pages[3].contains("Desktop PC"), "{}", pages[3]);
    assert!(pages[4].contains("4. By model") && pages[4].contains("OptiPlex 7010"), "{}", pages[4]);
    assert!(pages[5].contains("5. Tariff, grid factors and PUE") && pages[5].contains("24.50p"), "{}", pages[5]);
    assert!(pages[6].contains("6. Method and sources") && pages[6].contains("DESNZ"), "{}", pages[6]);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("page {} of 7", i + 1)), "footer on page {}: {p}", i + 1);
    }
}

#[rocket::async_test]
async fn the_routes_serve_a_sites_report_and_refuse_a_missing_or_unknown_site() {
    let t = app_as(Role::Viewer).await;
    let (s, site) = t.post("/api/v1/sites", json!({"name": "Civic Offices"})).await;
    let site = if s == Status::Created {
        site["id"].as_i64().unwrap()
    } else {
        // A viewer cannot add sites: add it as the system.
        let actor = greenict::services::actor::Actor::system();
        let changes: greenict::services::sites::SiteChanges =
            serde_json::from_value(json!({"name": "Civic Offices"})).unwrap();
        greenict::services::sites::create(&t.db, &actor, changes).await.unwrap().id as i64
    };
    let (s, page) = t.page("/reports").await;
    assert_eq!(s, Status::Ok);
    assert!(
        page.contains("action=\"/reports/energy-audit.html\"")
            && page.contains(&format!("<option value=\"{site}\">Civic Offices</option>")),
        "{page}"
    );

    let res = t.client.get(format!("/reports/energy-audit.html?fy=2024&site={site}")).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    let disposition = res.headers().get_one("Content-Disposition").unwrap_or_default().to_string();
    assert!(disposition.contains("energy-audit-civic-offices-2024-25.html"), "{disposition}");
    let html = res.into_string().await.unwrap();
    assert!(html.contains("Energy audit report for a site: Civic Offices, 2024/25"));
    let res = t.client.get("/reports/energy-audit.pdf?fy=2024&site=Civic%20Offices").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert!(res.into_bytes().await.unwrap().starts_with(b"%PDF-"));

    for (path, code) in
        [("/reports/energy-audit.html?fy=2024", "required"), ("/reports/energy-audit.pdf?fy=2024&site=9999", "unknown")]
    {
        let res = t.client.get(path).header(rocket::http::Accept::JSON).dispatch().await;
        assert_eq!(res.status(), Status::UnprocessableEntity, "{path}");
        let body: Value = serde_json::from_str(&res.into_string().await.unwrap()).expect("JSON error");
        assert_eq!(error_of(&body), (code.to_string(), Some("site".to_string())), "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("Civic Offices"), "the sites are listed: {body}");
    }
}

#[test]
fn the_cli_writes_both_files_and_refuses_an_unknown_site() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_greenict"))
            .env("GREENICT_LOG", "warn")
            .env_remove("GREENICT_DATABASE_URL")
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .expect("run greenict")
    };
    let out = run(&["demo", "--assets", "60"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["report", "energy-audit", "--fy", "2024", "--site", "Civic Offices"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("energy-audit-civic-offices-2024-25.html"), "{printed}");
    let text = std::fs::read_to_string(data.join("reports/energy-audit-civic-offices-2024-25.html")).expect("HTML");
    assert!(text.contains("Energy audit report for a site: Civic Offices, 2024/25"));
    let pdf = std::fs::read(data.join("reports/energy-audit-civic-offices-2024-25.pdf")).expect("PDF");
    assert!(pdf_pages(&pdf).len() >= 6);

    let out = run(&["report", "energy-audit", "--fy", "2024", "--site", "Nowhere"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--site") && err.contains("no site 'Nowhere'") && err.contains("Civic Offices"), "{err}");
}
