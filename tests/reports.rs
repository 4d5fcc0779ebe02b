//! The members' carbon report (issue 7) through the real app on a fresh database per test (SQLite by
//! default, PostgreSQL with GREENICT_TEST_DATABASE_URL): the HTML against a snapshot for a fixed estate,
//! its figures against the JSON API's for the same year, the PDF read back with lopdf, the web routes
//! for a signed-in viewer and for nobody, and the CLI writing both files.
//!
//! The fixed estate (as tests/dashboard.rs, whose figures are worked by hand there): one desktop on
//! office hours at 24.50 p/kWh from 01/04/2021 with the DESNZ grid factors seeded on migration; one
//! monitor (3.9 kg) given to internal reuse on 30/06/2024; one power policy; three power actions in
//! 2024/25 (two shutdowns confirmed, one wake failed) and one in 2023/24 that must not count.
//!
//! The snapshot is `tests/snapshots/reports/members-2024-25.html`; after a deliberate change, check the
//! new file by eye (a copy goes to `target/report-artifacts/`) and regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test --test reports`.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{anonymous_app, app_as, TestApp};
use greenict::domain::Role;
use greenict::energy::FinancialYear;
use greenict::reports::{self, view, Format};
use greenict::services::reports as report_service;
use rocket::http::Status;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const FY: FinancialYear = FinancialYear(2024);

fn produced_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 15).unwrap()
}

async fn fixed_estate(t: &TestApp) {
    let (site, dept, model) = t.seed_refs().await;
    t.office_hours_for_desktops().await;
    let (s, v) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2021-04-01", "unit_rate_pence_per_kwh": "24.50"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, desktop) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "PC-0001", "model_id": model, "site_id": site, "department_id": dept,
                "purchase_date": "2020-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{desktop}");

    t.reused_monitor().await;

    let (s, policy) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Civic Offices evenings", "target": "site", "site_id": site,
                "schedule": "mon-fri 07:30-19:00"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{policy}");

    let at = |s: &str| Utc.from_utc_datetime(&chrono::NaiveDateTime::from_str(s).unwrap());
    let asset_id = desktop["id"].as_i64().unwrap() as i32;
    for (kind, state, when) in [
        ("shutdown", "confirmed", "2024-05-14T18:00:00"),
        ("shutdown", "confirmed", "2024-05-15T18:00:00"),
        ("wake", "failed", "2025-03-03T06:30:00"),
        ("wake", "confirmed", "2024-03-29T06:30:00"),
    ] {
        let t0 = at(when);
        greenict::store::power_action::ActiveModel {
            asset_id: Set(asset_id),
            kind: Set(kind.into()),
            scheduled_at: Set(t0),
            cause: Set("policy".into()),
            policy_id: Set(policy["id"].as_i64().map(|i| i as i32)),
            requested_by: Set("scheduler".into()),
            state: Set(state.into()),
            warning_minutes: Set(None),
            may_defer: Set(false),
            max_defer_minutes: Set(None),
            claimed_by: Set(None),
            claimed_until: Set(None),
            attempts: Set(1),
            sent_at: Set(Some(t0)),
            delivered_at: Set(None),
            confirmed_at: Set(None),
            finished_at: Set(Some(t0)),
            detail: Set(None),
            created_at: Set(t0),
            updated_at: Set(t0),
            ..Default::default()
        }
        .insert(&t.db)
        .await
        .expect("a power action");
    }
}

async fn members_report(t: &TestApp) -> report_service::MembersReport {
    report_service::members_uncached(&t.db, FY, None, produced_on()).await.expect("the members' report")
}

fn snapshot_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/reports/members-2024-25.html")
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}"))).unwrap()
}

/// The PDF's text, page by page, read back with lopdf.
fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("the PDF opens");
    let pages = doc.get_pages();
    pages.keys().map(|n| doc.extract_text(&[*n]).unwrap_or_else(|e| panic!("text of page {n}: {e}"))).collect()
}

#[rocket::async_test]
async fn the_html_matches_its_snapshot_for_the_fixed_estate() {
    let t = app_as(Role::Ict).await;
    fixed_estate(&t).await;
    let report = members_report(&t).await;
    let (name, bytes) = reports::members_file(&report, Format::Html).expect("HTML");
    assert_eq!(name, "members-2024-25.html");
    let html = String::from_utf8(bytes).expect("UTF-8");
    std::fs::write(artifacts_dir().join(&name), &html).expect("artifact");

    // Self-contained: no external resource of any kind.
    for banned in ["<script", "<link", "src=\"http", "href=\"http", "url(", "@import"] {
        assert!(!html.contains(banned), "the report refers to something outside itself: {banned}");
    }
    assert_eq!(html.matches("<svg").count(), 4, "four charts inline");
    assert!(html.contains("@media print") && html.contains("break-before: page"), "print rules");

    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &html).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot at {}: check target/report-artifacts/{name} by eye, then UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        want == html,
        "the report differs from {}; the new one is in target/report-artifacts/{name}. Check it by eye, then run \
         UPDATE_SNAPSHOTS=1 cargo test --test reports",
        path.display()
    );
}

#[rocket::async_test]
async fn the_reports_figures_are_the_apis_figures_for_the_same_year() {
    let t = app_as(Role::Ict).await;
    fixed_estate(&t).await;
    let (name, bytes) = reports::members_file(&members_report(&t).await, Format::Html).expect("HTML");
    assert_eq!(name, "members-2024-25.html");
    let html = String::from_utf8(bytes).unwrap();

    for fy in [2024, 2023, 2021] {
        let (s, e) = t.get(&format!("/api/v1/energy?fy={fy}")).await;
        assert_eq!(s, Status::Ok, "{e}");
        let total = &e["total"];
        for figure in [
            view::kwh(dec(&total["kwh"])),
            view::gbp(dec(&total["cost_gbp"])),
            view::tonnes(dec(&total["kg_co2e_total"]) / Decimal::ONE_THOUSAND),
        ] {
            assert!(html.contains(&figure.replace('&', "&amp;")), "{fy}: the report lacks the API's {figure}");
        }
        if fy == 2024 {
            // The factor set and tariff the API says it used are stated in the method.
            let set = &e["factor_sets"][0];
            assert!(html.contains(set["source"].as_str().unwrap()), "factor source stated");
            assert!(html.contains(&dec(&set["generation_kg_co2e_per_kwh"]).normalize().to_string()));
            assert!(html.contains("24.50p"), "the tariff's unit rate");
            let n = e["assets_counted"].as_u64().unwrap();
            let counted = format!("{n} device{} deployed", if n == 1 { "" } else { "s" });
            assert!(html.contains(&format!("Assets counted in 2024/25: {counted}")), "assets counted");
        }
    }

    let (s, w) = t.get("/api/v1/ewaste?fy=2024").await;
    assert_eq!(s, Status::Ok, "{w}");
    let f = &w["figures"];
    let kg = Decimal::from_f64_retain(f["weight_kg"].as_f64().unwrap()).unwrap();
    assert!(html.contains(&format!("{} kg", greenict::charts::format::grouped(kg, 1))), "e-waste weight");
    let reused = f["share_reused"].as_f64().unwrap() * 100.0;
    assert!(
        html.contains(&format!("{}%", greenict::charts::format::grouped(Decimal::from_f64_retain(reused).unwrap(), 1))),
        "share reused"
    );

    // Power actions scheduled in 2024/25, as the action log lists them.
    let (s, log) = t.get("/api/v1/power/actions?from=2024-04-01&to=2025-04-01").await;
    assert_eq!(s, Status::Ok, "{log}");
    let n = log.as_array().unwrap().len();
    assert!(html.contains(&format!("{n} power actions were scheduled in 2024/25")), "action count {n}");
    let confirmed = log.as_array().unwrap().iter().filter(|a| a["state"] == "confirmed").count();
    assert!(html.contains(&format!("of which {confirmed} were confirmed")), "confirmed {confirmed}");
    assert!(html.contains("Civic Offices evenings") && html.contains("site Civic Offices"), "the policy in force");
}

#[rocket::async_test]
async fn the_pdf_opens_with_a_page_per_section_and_the_headline_text() {
    let t = app_as(Role::Ict).await;
    fixed_estate(&t).await;
    let report = members_report(&t).await;
    let (name, pdf) = reports::members_file(&report, Format::Pdf).expect("PDF");
    assert_eq!(name, "members-2024-25.pdf");
    std::fs::write(artifacts_dir().join(&name), &pdf).expect("artifact");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let pages = pdf_pages(&pdf);
    // Summary; one page per chart (four); disposals; actions; method.
    assert_eq!(pages.len(), 8, "pages: {pages:#?}");
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = flat(&pages[0]);
    assert!(first.contains("ICT carbon report to members, 2024/25"), "{first}");
    assert!(first.contains("1. Summary"), "{first}");
    let (_, e) = t.get("/api/v1/energy?fy=2024").await;
    let kwh = view::kwh(dec(&e["total"]["kwh"]));
    assert!(first.contains(&kwh), "{kwh} in {first}");
    assert!(first.contains(&view::gbp(dec(&e["total"]["cost_gbp"]))), "{first}");
    assert!(flat(&pages[1]).contains("2. Charts"), "{}", pages[1]);
    assert!(flat(&pages[5]).contains("3. Disposals and reuse"), "{}", pages[5]);
    assert!(flat(&pages[6]).contains("4. Actions taken"), "{}", pages[6]);
    let method = flat(&pages[7]);
    assert!(method.contains("5. Method and sources") && method.contains("DESNZ"), "{method}");
    for (i, p) in pages.iter().enumerate() {
        assert!(flat(p).contains(&format!("page {} of 8", i + 1)), "footer on page {}: {p}", i + 1);
    }
}

#[rocket::async_test]
async fn the_routes_serve_both_files_to_a_viewer_and_refuse_anonymous() {
    let t = app_as(Role::Viewer).await;
    let (s, page) = t.page("/reports").await;
    assert_eq!(s, Status::Ok, "{page}");
    assert!(page.contains("/reports/members.html?fy=") && page.contains("/reports/members.pdf?fy="), "{page}");
    assert!(page.contains("Energy audit report for a site"), "every definition is listed");

    let res = t.client.get("/reports/members.html?fy=2024").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(res.content_type(), Some(rocket::http::ContentType::HTML));
    let csp = res.headers().get_one("Content-Security-Policy").unwrap_or_default().to_string();
    assert_eq!(csp, reports::FILE_CSP, "the file's own policy: inline styles and data: images only");
    let disposition = res.headers().get_one("Content-Disposition").unwrap_or_default().to_string();
    assert!(disposition.contains("members-2024-25.html"), "{disposition}");
    let html = res.into_string().await.unwrap();
    assert!(html.contains("ICT carbon report to members, 2024/25"));

    let res = t.client.get("/reports/members.pdf?fy=2024").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(res.content_type(), Some(rocket::http::ContentType::PDF));
    let pdf = res.into_bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf_pages(&pdf)[0].contains("2024/25"));

    let (s, _) = t.page("/reports/members.docx?fy=2024").await;
    assert_eq!(s, Status::NotFound);
    let (s, _) = t.page("/reports/refresh-disposal.html?fy=2024").await;
    assert_eq!(s, Status::Ok);
    let (s, _) = t.page("/reports/energy-audit.pdf?fy=2024").await;
    assert_eq!(s, Status::UnprocessableEntity, "the energy audit needs a site (tests/energy_audit_report.rs)");

    let nobody = anonymous_app().await;
    for path in ["/reports", "/reports/members.html?fy=2024", "/reports/members.pdf?fy=2024"] {
        let res = nobody.client.get(path).dispatch().await;
        let status = res.status();
        assert!(
            status == Status::Unauthorized
                || (status == Status::SeeOther
                    && res.headers().get_one("Location").is_some_and(|l| l.starts_with("/sign-in"))),
            "{path}: {status}"
        );
        let body = res.into_bytes().await.unwrap_or_default();
        assert!(!body.starts_with(b"%PDF"), "{path}: no report for nobody");
    }
}

#[test]
fn the_cli_writes_both_files_into_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_greenict"))
            .env("GREENICT_LOG", "warn")
            .env_remove("GREENICT_DATABASE_URL")
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .expect("run greenict");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["demo", "--assets", "60"]);
    let printed = run(&["report", "members", "--fy", "2024"]);
    let html = data.join("reports/members-2024-25.html");
    let pdf = data.join("reports/members-2024-25.pdf");
    assert!(printed.contains("members-2024-25.html") && printed.contains("members-2024-25.pdf"), "{printed}");
    let text = std::fs::read_to_string(&html).expect("the HTML file");
    assert!(text.starts_with("<!DOCTYPE html>") && text.contains("ICT carbon report to members, 2024/25"));
    let bytes = std::fs::read(&pdf).expect("the PDF file");
    assert!(pdf_pages(&bytes).len() >= 5, "a page per section at least");

    let out = dir.path().join("elsewhere");
    run(&["report", "members", "--fy", "2024", "--out", out.to_str().unwrap()]);
    assert!(out.join("members-2024-25.html").exists() && out.join("members-2024-25.pdf").exists());
    run(&["report", "refresh-disposal", "--fy", "2024", "--out", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(out.join("refresh-disposal-2024-25.html")).expect("the refresh report");
    assert!(text.contains("Refresh and disposal report, 2024/25"));
    assert!(pdf_pages(&std::fs::read(out.join("refresh-disposal-2024-25.pdf")).unwrap()).len() >= 4);
}

#[rocket::async_test]
async fn the_refresh_and_disposal_report_carries_the_forecast_and_the_years_disposals() {
    let t = app_as(Role::Ict).await;
    fixed_estate(&t).await;
    let cache = greenict::services::charts::EstimateCache::default();
    let src = greenict::services::charts::Source::new(&t.db, &cache).await.unwrap();
    let report = report_service::refresh_disposal(&src, FY, produced_on()).await.expect("the report");
    let (name, html) = reports::refresh_disposal_file(&report, Format::Html).expect("HTML");
    assert_eq!(name, "refresh-disposal-2024-25.html");
    let html = String::from_utf8(html).unwrap();
    std::fs::write(artifacts_dir().join(&name), &html).expect("artifact");
    assert!(html.contains("Refresh and disposal report, 2024/25"));
    assert_eq!(html.matches("<svg").count(), 2, "refresh forecast and e-waste charts inline");
    assert!(html.contains("DSP-2024-01") && html.contains("30/06/2024") && html.contains("Internal reuse"));

    // The forecast's figures are the refresh chart's, as its CSV serves them: PC-0001 (bought 01/06/2020,
    // 60-month life) is due 01/06/2025, in 2025/26.
    let res = t.client.get("/charts/refresh-forecast.csv?fy=2024").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    let csv = res.into_string().await.unwrap();
    let row = csv.lines().find(|l| l.starts_with("2025/26")).unwrap_or_else(|| panic!("{csv}"));
    assert!(row.starts_with("2025/26,1,"), "{row}");
    assert!(html.contains("<th scope=\"row\">2025/26</th><td class=\"num\">1</td>"), "the table's 2025/26 row");

    let (_, pdf) = reports::refresh_disposal_file(&report, Format::Pdf).expect("PDF");
    let pages: Vec<String> =
        pdf_pages(&pdf).iter().map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    // Summary; refresh forecast (its notes may run over); disposals and their e-waste chart; method.
    assert!((5..=6).contains(&pages.len()), "{pages:#?}");
    assert!(pages[0].contains("Refresh and disposal report") && pages[0].contains("1 device, 3.9 kg"), "{}", pages[0]);
    assert!(pages[1].contains("2. Refresh forecast"), "{}", pages[1]);
    let last = pages.len() - 1;
    assert!(pages[last].contains("4. Method"), "{}", pages[last]);
    assert!(pages.iter().any(|p| p.contains("3. Disposals and reuse") && p.contains("DSP-2024-01")), "{pages:#?}");
}

#[rocket::async_test]
async fn a_year_without_its_own_grid_factors_names_the_stand_in_set() {
    // As the dashboard: 2026/27 converted at the DESNZ 2025 set (the latest shipped) and the report says so.
    let t = app_as(Role::Ict).await;
    fixed_estate(&t).await;
    let report = report_service::members_uncached(&t.db, FinancialYear(2026), None, produced_on())
        .await
        .expect("the members' report");
    let (_, bytes) = reports::members_file(&report, Format::Html).expect("HTML");
    let html = String::from_utf8(bytes).expect("UTF-8");
    assert!(html.contains("2025 factors used for 2026/27: DESNZ 2026 not yet added."), "in the key points: {html}");
    assert!(html.contains("UK reporting practice is to use the latest published factors"), "in the method: {html}");
    assert!(!html.contains("No grid factor set was used"), "{html}");
}
