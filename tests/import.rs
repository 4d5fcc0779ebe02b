//! CSV import and export through the real API (and the command line and page), on a fresh database
//! per test: other tools' exports, UK-formatted spreadsheets, broken files that must import nothing,
//! and the export → import round trip.

mod common;

use common::{app, TestApp, WHO};
use rocket::http::{ContentType, Header, Status};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

async fn import(app: &TestApp, bytes: &[u8], query: &str) -> (Status, Value) {
    import_kind(app, "assets", bytes, query).await
}

async fn export(app: &TestApp, query: &str) -> String {
    let res = app.client.get(format!("/api/v1/assets.csv{query}")).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(res.content_type(), Some(ContentType::CSV));
    res.into_string().await.unwrap_or_default()
}

async fn asset(app: &TestApp, tag: &str) -> Value {
    let (s, v) = app.get(&format!("/api/v1/assets/{tag}")).await;
    assert_eq!(s, Status::Ok, "{tag}: {v}");
    v
}

async fn asset_total(app: &TestApp) -> u64 {
    app.get("/api/v1/assets?limit=1").await.1["total"].as_u64().unwrap()
}

/// (line, column, words in the message) of every problem, in order.
fn problems(v: &Value) -> Vec<(u64, String, String)> {
    v["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems list: {v}"))
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap_or(0),
                p["column"].as_str().unwrap_or("").to_string(),
                format!("{} | {}", p["message"].as_str().unwrap_or(""), p["fix"].as_str().unwrap_or("")),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn a_snipe_it_export_goes_in_with_its_columns_and_words_understood() {
    let app = app().await;
    app.seed_refs().await;
    let file = fixture("snipeit_export.csv");

    // Two of its models are not in the catalogue: refused, every such row named, nothing written.
    let (s, v) = import(&app, &file, "source=snipeit_export.csv").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert_eq!(p.iter().map(|(l, c, _)| (*l, c.as_str())).collect::<Vec<_>>(), [(3, "Model"), (4, "Model")]);
    assert!(p[0].2.contains("Latitude 5430") && p[0].2.contains("--create-missing"), "{p:?}");
    assert_eq!(asset_total(&app).await, 0);

    let (s, v) = import(&app, &file, "source=snipeit_export.csv&create_missing=true").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!((v["created"].as_u64(), v["updated"].as_u64(), v["applied"].as_bool()), (Some(4), Some(0), Some(true)));
    assert_eq!(v["created_models"], serde_json::json!(["Dell Latitude 5430", "Dell P2422H 24in"]));
    let warnings = v["warnings"].to_string();
    for column in ["Company", "Order Number", "Model No.", "Default Location", "Warranty"] {
        assert!(warnings.contains(&format!("\\\"{column}\\\"")), "{column} not reported in {warnings}");
    }

    let laptop = asset(&app, "WCC-100102").await;
    assert_eq!(laptop["hostname"], "CO-LT-0102");
    assert_eq!(laptop["category"], "laptop");
    assert_eq!(laptop["lifecycle_state"], "in_stock", "Ready to Deploy");
    assert_eq!(laptop["purchase_cost"], "1049.99");
    assert_eq!(laptop["purchase_date"], "2022-11-30");
    assert_eq!(laptop["warranty_end"], "2025-11-30");
    assert_eq!(laptop["mac_addresses"], serde_json::json!(["00:1a:2b:3c:4d:02"]));
    assert_eq!(laptop["notes"], "spare pool");
    let old = asset(&app, "WCC-100104").await;
    assert_eq!(old["lifecycle_state"], "retired", "Archived");
    assert_eq!(old["refresh_date"], "2024-06-03", "EOL");
    assert_eq!(old["mac_addresses"], serde_json::json!(["00:1a:2b:3c:4d:04"]), "Cisco dotted form");
    assert_eq!(asset(&app, "WCC-100101").await["assigned_user"], "Priya Patel");

    // The created model carries the typical laptop figures (ConfigMgr 2007 R3: on 20 W, sleep 1 W) and says so.
    let model_id = laptop["model_id"].as_i64().unwrap();
    let (_, model) = app.get(&format!("/api/v1/models/{model_id}")).await;
    assert_eq!((model["on_watts"].as_f64(), model["sleep_watts"].as_f64()), (Some(20.0), Some(1.0)), "{model}");
    assert!(model["notes"].as_str().unwrap().contains("snipeit_export.csv"), "{model}");
}

#[rocket::async_test]
async fn a_glpi_export_with_bom_semicolons_and_crlf() {
    let app = app().await;
    app.seed_refs().await;
    let (s, v) = import(&app, &fixture("glpi_export.csv"), "create_missing=true").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 3);
    assert_eq!(v["created_sites"], serde_json::json!(["Central Library"]));
    assert!(v["warnings"].to_string().contains("Entity"), "{v}");
    let pc = asset(&app, "WCC-200007").await;
    assert_eq!((pc["hostname"].as_str(), pc["lifecycle_state"].as_str()), (Some("LIB-PC-07"), Some("deployed")));
    assert_eq!(pc["notes"], "Public PC, ground floor");
    assert_eq!(pc["assigned_user"], "jdoe");
    let printer = asset(&app, "WCC-200009").await;
    assert_eq!(printer["category"], "printer");
    assert_eq!(printer["lifecycle_state"], "retired", "GLPI's offline");
    assert_eq!(printer["notes"], "Toner; drum replaced", "a quoted semicolon stays in its field");
    assert_eq!(asset(&app, "WCC-200008").await["lifecycle_state"], "in_stock");
}

#[rocket::async_test]
async fn a_uk_spreadsheet_with_pound_signs_and_day_first_dates() {
    let app = app().await;
    let (_, planning, _) = app.seed_refs().await;
    let (s, v) = import(&app, &fixture("uk_spreadsheet.csv"), "").await;
    assert_eq!(s, Status::Ok, "{v}");
    let a = asset(&app, "WCC-300001").await;
    assert_eq!((a["purchase_cost"].as_str(), a["purchase_date"].as_str()), (Some("1234.50"), Some("2024-03-31")));
    assert_eq!(a["warranty_end"], "2027-03-31");
    assert_eq!(a["department_id"].as_i64(), Some(planning));
    let b = asset(&app, "WCC-300002").await;
    assert_eq!((b["purchase_cost"].as_str(), b["lifecycle_state"].as_str()), (Some("649.00"), Some("in_stock")));
    let c = asset(&app, "WCC-300003").await;
    assert_eq!(c["purchase_date"], "2024-02-29", "a leap day");
    assert_eq!(c["purchase_cost"], "649.50");
    assert_eq!(c["department_id"].as_i64(), Some(planning), "found by its cost centre PL100");
    // The model's 60-month life from its purchase date.
    assert_eq!(c["refresh_due"], "2029-02-28");
}

/// Each imported asset's `create` event is compact (the values it was given, not the derived record),
/// and still answers "who created this and with what"; the asset page's history shows it.
#[rocket::async_test]
async fn an_imported_assets_history_says_who_created_it_and_with_what() {
    let app = app().await;
    let (_, planning, _) = app.seed_refs().await;
    let (s, v) = import(&app, &fixture("uk_spreadsheet.csv"), "source=uk.csv").await;
    assert_eq!(s, Status::Ok, "{v}");
    let a = asset(&app, "WCC-300001").await;
    let (_, history) = app.get("/api/v1/assets/WCC-300001/history").await;
    let events = history.as_array().unwrap();
    assert_eq!(events.len(), 1, "{history}");
    let e = &events[0];
    assert_eq!((e["actor"].as_str(), e["action"].as_str()), (Some(WHO), Some("create")));
    assert_eq!(e["entity_id"].as_str(), Some(a["id"].to_string().as_str()));
    assert!(e["before"].is_null());
    let after = e["after"].as_object().unwrap();
    // The file's values, as the asset's own record spells them (line 2 of the fixture).
    for (key, want) in [
        ("asset_tag", "WCC-300001"),
        ("hostname", "CO-DT-3001"),
        ("category", "desktop"),
        ("purchase_date", "2024-03-31"),
        ("purchase_cost", "1234.50"),
        ("warranty_end", "2027-03-31"),
        ("lifecycle_state", "deployed"),
    ] {
        assert_eq!(after.get(key).and_then(|v| v.as_str()), Some(want), "{key} in {after:?}");
    }
    assert_eq!(after["department_id"].as_i64(), Some(planning));
    assert_eq!((after["model_id"].clone(), after["site_id"].clone()), (a["model_id"].clone(), a["site_id"].clone()));
    for left_out in ["id", "refresh_due", "allowed_next_states", "created_at", "updated_at", "serial", "notes"] {
        assert!(!after.contains_key(left_out), "{left_out} (derived, on the event, or empty) in {after:?}");
    }
    // Beside the per-asset events, one event for the file.
    let (_, imports) = app.get("/api/v1/audit?action=import").await;
    let imports = imports.as_array().unwrap();
    assert_eq!(imports.len(), 1, "{imports:?}");
    assert_eq!((imports[0]["entity_id"].as_str(), imports[0]["actor"].as_str()), (Some("uk.csv"), Some(WHO)));
    assert_eq!(imports[0]["after"]["created"], 3);

    // A later change shows on the page beside the creation.
    let changed = export(&app, "").await.replace("CO-DT-3001", "CO-DT-3001-NEW");
    let (s, v) = import(&app, changed.as_bytes(), "source=changed.csv").await;
    assert_eq!((s, v["updated"].as_u64()), (Status::Ok, Some(1)), "{v}");
    let (s, html) = app.page("/assets/WCC-300001").await;
    assert_eq!(s, Status::Ok);
    assert!(html.contains(&format!("<strong>Added to the register</strong> by {WHO}")), "{html}");
    assert!(html.contains("<td>CO-DT-3001</td><td>CO-DT-3001-NEW</td>"), "{html}");
}

#[rocket::async_test]
async fn broken_files_import_nothing_and_place_every_problem() {
    /// A fixture file and the problems expected in it: (line, field, part of the message).
    type Case<'a> = (&'a str, &'a [(u64, &'a str, &'a str)]);
    let app = app().await;
    app.seed_refs().await;
    let cases: &[Case] = &[
        (
            "bad_dates.csv",
            &[
                (2, "purchase_date", "not a real date"),
                (3, "purchase_date", "US date"),
                (4, "warranty_end", "before purchase_date"),
            ],
        ),
        ("duplicate_tags.csv", &[(4, "asset_tag", "already on line 2")]),
        ("unknown_site.csv", &[(3, "site", "Town Hall Annexe is not in the register")]),
        ("wrong_mac.csv", &[(3, "mac_addresses", "aa:bb:cc:dd:ee:ff")]),
        ("negative_cost.csv", &[(2, "purchase_cost", "negative")]),
        ("truncated.csv", &[(3, "", "3 fields but the header has 4")]),
        (
            "wrong_column_count.csv",
            &[(3, "", "4 fields but the header has 3"), (4, "", "2 fields but the header has 3")],
        ),
        ("not_utf8.csv", &[(3, "notes", "Windows-1252")]),
    ];
    for (file, want) in cases {
        let (s, v) = import(&app, &fixture(file), &format!("source={file}")).await;
        assert_eq!(s, Status::UnprocessableEntity, "{file}: {v}");
        assert_eq!(v["applied"], false);
        let got = problems(&v);
        assert_eq!(got.len(), want.len(), "{file}: {got:?}");
        for ((line, column, words), (gl, gc, gm)) in want.iter().zip(&got) {
            assert_eq!((gl, gc.as_str()), (line, *column), "{file}: {got:?}");
            assert!(gm.contains(words), "{file} line {line}: '{gm}' should say '{words}'");
            assert!(gm.contains(" | ") && !gm.ends_with(" | "), "{file}: every problem says how to fix it");
        }
        assert_eq!(asset_total(&app).await, 0, "{file} must import nothing");
    }
}

#[rocket::async_test]
async fn re_importing_changes_nothing_and_an_export_round_trips() {
    let app = app().await;
    app.seed_refs().await;
    let (s, _) = import(&app, &fixture("uk_spreadsheet.csv"), "source=first.csv").await;
    assert_eq!(s, Status::Ok);
    let exported = export(&app, "").await;
    assert_eq!(exported.lines().count(), 4, "{exported}");

    let (s, v) = import(&app, exported.as_bytes(), "source=again.csv").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!((v["created"].as_u64(), v["updated"].as_u64(), v["unchanged"].as_u64()), (Some(0), Some(0), Some(3)));
    assert_eq!(v["applied"], false, "nothing to write");
    assert_eq!(export(&app, "").await, exported, "identical register");
    let (_, history) = app.get("/api/v1/assets/WCC-300001/history").await;
    assert_eq!(history.as_array().unwrap().len(), 1, "only the first import's event: {history}");

    // One changed cell updates one asset, attributed, with its before and after.
    let changed = exported.replace("CO-DT-3002", "CO-DT-3002-NEW");
    let (s, v) = import(&app, changed.as_bytes(), "source=changed.csv").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!((v["updated"].as_u64(), v["unchanged"].as_u64()), (Some(1), Some(2)));
    let (_, history) = app.get("/api/v1/assets/WCC-300002/history").await;
    assert_eq!(history[0]["actor"], WHO);
    assert_eq!(history[0]["action"], "update");
    assert_eq!(asset(&app, "WCC-300002").await["hostname"], "CO-DT-3002-NEW");

    // Into an empty register, creating what is missing: the same assets come out.
    let other = common::app().await;
    let (s, v) = import(&other, changed.as_bytes(), "create_missing=true").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(export(&other, "").await, export(&app, "").await);

    // The export takes the list's filters.
    let one = export(&app, "?q=3003").await;
    assert_eq!(one.lines().count(), 2, "{one}");
    assert!(one.lines().nth(1).unwrap().starts_with("WCC-300003,"));
}

#[rocket::async_test]
async fn a_dry_run_counts_and_writes_nothing() {
    let app = app().await;
    app.seed_refs().await;
    let (s, v) = import(&app, &fixture("glpi_export.csv"), "dry_run=true&create_missing=true").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["created"].as_u64(), v["dry_run"].as_bool(), v["applied"].as_bool()),
        (Some(3), Some(true), Some(false))
    );
    assert_eq!(v["created_sites"], serde_json::json!(["Central Library"]));
    assert_eq!(asset_total(&app).await, 0);
    let (_, sites) = app.get("/api/v1/sites").await;
    assert_eq!(sites.as_array().unwrap().len(), 1, "no site created by a dry run");
}

#[rocket::async_test]
async fn parents_in_the_same_file_and_lifecycle_rules_on_update() {
    let app = app().await;
    app.seed_refs().await;
    // The monitor comes before its PC in the file.
    let file = "asset_tag,category,parent_asset_tag,lifecycle_state\n\
                WCC-500002,monitor,WCC-500001,deployed\n\
                WCC-500001,desktop,,deployed\n";
    let (s, v) = import(&app, file.as_bytes(), "").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(asset(&app, "WCC-500002").await["parent_asset_tag"], "WCC-500001");

    // A monitor cannot hang off another monitor, and a deployed PC cannot go back on order.
    let file = "asset_tag,category,parent_asset_tag,lifecycle_state\n\
                WCC-500003,monitor,WCC-500002,in_stock\n\
                WCC-500001,desktop,,on_order\n";
    let (s, v) = import(&app, file.as_bytes(), "").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!((p[0].0, p[0].1.as_str()), (2, "parent_asset_tag"));
    assert!(p[0].2.contains("belongs to another asset"), "{p:?}");
    assert_eq!((p[1].0, p[1].1.as_str()), (3, "lifecycle_state"));
    assert!(p[1].2.contains("in_repair") || p[1].2.contains("in repair"), "lists the allowed moves: {p:?}");
    assert!(app.get("/api/v1/assets/WCC-500003").await.0 == Status::NotFound);
}

#[rocket::async_test]
async fn bad_parameters_are_named() {
    let app = app().await;
    let res = app
        .client
        .post("/api/v1/imports?kind=furniture")
        .header(ContentType::CSV)
        .header(Header::new("X-CSRF-Token", app.csrf.clone()))
        .body("asset_tag\nX-1\n")
        .dispatch()
        .await;
    let (s, v) = common::body(res).await;
    assert_eq!(s, Status::BadRequest, "{v}");
    assert_eq!(common::error_of(&v), ("invalid_parameter".into(), Some("kind".into())));
    let (s, v) = import(&app, b"", "").await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(problems(&v)[0].2.contains("empty"), "{v}");
    let res = app.client.get("/api/v1/assets.csv?refresh_due_before=31/13/2024").dispatch().await;
    assert_eq!(res.status(), Status::BadRequest);
}

/// The upload page: a refused file shows the problems table; a good one its counts.
#[rocket::async_test]
async fn the_import_page_shows_problems_and_results() {
    let app = app().await;
    app.seed_refs().await;
    let page = app.client.get("/import").dispatch().await;
    assert_eq!(page.status(), Status::Ok);
    assert!(page.into_string().await.unwrap().contains("enctype=\"multipart/form-data\""));

    let post = |file: Vec<u8>, name: &str, dry_run: bool| {
        let boundary = "greenict-test-boundary";
        let mut body = Vec::new();
        let mut part = |head: String, content: &[u8]| {
            body.extend(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
            body.extend(content);
            body.extend(b"\r\n");
        };
        // As the page's form: the anti-forgery token is the first part.
        part("Content-Disposition: form-data; name=\"_csrf\"".into(), app.csrf.as_bytes());
        part("Content-Disposition: form-data; name=\"kind\"".into(), b"assets");
        part(
            format!("Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv"),
            &file,
        );
        if dry_run {
            part("Content-Disposition: form-data; name=\"dry_run\"".into(), b"true");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        app.client.post("/import").header(ct).body(body)
    };
    let res = post(fixture("bad_dates.csv"), "bad_dates.csv", false).dispatch().await;
    assert_eq!(res.status(), Status::UnprocessableEntity);
    let html = res.into_string().await.unwrap();
    assert!(html.contains("bad_dates.csv was not imported"), "{html}");
    assert!(html.contains("<td>3</td><td>purchase_date</td><td class=\"problem-value\">03/31/2024</td>"), "{html}");

    let res = post(fixture("uk_spreadsheet.csv"), "uk.csv", true).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    let html = res.into_string().await.unwrap();
    assert!(html.contains("Checked uk.csv: ready to import") && html.contains("<dd>3</dd>"), "{html}");
    assert_eq!(asset_total(&app).await, 0, "the page's check writes nothing");
    let res = post(fixture("uk_spreadsheet.csv"), "uk.csv", false).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(asset_total(&app).await, 3);
}

/// The command line: a mapping file, the problem report and the exit status, and export to a file.
#[test]
fn the_command_line_imports_with_a_mapping_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kit.csv");
    std::fs::write(&csv, "Kit No,Kind,Colour\nWCC-600001,desktop,beige\nWCC-600002,laptop,black\n").unwrap();
    let mapping = dir.path().join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\n\"Kit No\" = \"asset_tag\"\n\"Kind\" = \"category\"\n\"Colour\" = \"ignore\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_greenict"))
            .args(args)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .env("GREENICT_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run(&["import", "assets", csv.to_str().unwrap()]);
    assert!(!out.status.success(), "no asset tag column without the mapping");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no column gives the asset tag"), "{stdout} {}", String::from_utf8_lossy(&out.stderr));

    let out = run(&["import", "assets", csv.to_str().unwrap(), "--mapping", mapping.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 created, 0 updated, 0 unchanged"), "{stdout}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, fixture("bad_dates.csv")).unwrap();
    let out = run(&["import", "assets", bad.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("nothing was imported. 3 problem(s)"), "{stdout}");
    assert!(stdout.contains("line 3, column \"purchase_date\" (value \"03/31/2024\")"), "{stdout}");

    let exported = dir.path().join("out.csv");
    let out = run(&["export", "assets", "--out", exported.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.starts_with("asset_tag,category,manufacturer,model,site,department,"), "{text}");
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains("WCC-600002,laptop,"));
}

async fn import_kind(app: &TestApp, kind: &str, bytes: &[u8], query: &str) -> (Status, Value) {
    let res = app
        .client
        .post(format!("/api/v1/imports?kind={kind}&{query}"))
        .header(ContentType::CSV)
        .header(Header::new("X-CSRF-Token", app.csrf.clone()))
        .body(bytes)
        .dispatch()
        .await;
    common::body(res).await
}

async fn export_kind(app: &TestApp, kind: &str) -> String {
    let res = app.client.get(format!("/api/v1/{kind}.csv")).dispatch().await;
    assert_eq!(res.status(), Status::Ok, "{kind}");
    res.into_string().await.unwrap_or_default()
}

#[rocket::async_test]
async fn sites_departments_and_models_round_trip_through_csv() {
    let app = app().await;
    app.seed_refs().await;
    let other = common::app().await;
    for kind in ["sites", "departments", "models"] {
        let exported = export_kind(&app, kind).await;
        assert_eq!(exported.lines().count(), 2, "{kind}: {exported}");
        let (s, v) = import_kind(&other, kind, exported.as_bytes(), "").await;
        assert_eq!((s, v["created"].as_u64()), (Status::Ok, Some(1)), "{kind}: {v}");
        assert_eq!(export_kind(&other, kind).await, exported, "{kind} round trip");
        let (s, v) = import_kind(&other, kind, exported.as_bytes(), "").await;
        assert_eq!((s, v["unchanged"].as_u64(), v["applied"].as_bool()), (Status::Ok, Some(1), Some(false)), "{v}");
    }
    let models = export_kind(&app, "models").await;
    assert!(models.starts_with("manufacturer,name,category,on_watts,sleep_watts,off_watts,"), "{models}");
    assert!(models.contains("Dell,OptiPlex 7010,desktop,70,3,0.5,"), "{models}");

    // A changed figure updates the model, matched by manufacturer and name in any case.
    let changed = "Manufacturer,Model,Watts On\nDELL,optiplex 7010,65\n";
    let (s, v) = import_kind(&app, "models", changed.as_bytes(), "").await;
    assert_eq!((s, v["updated"].as_u64()), (Status::Ok, Some(1)), "{v}");
    let (_, list) = app.get("/api/v1/models").await;
    assert_eq!(list[0]["on_watts"].as_f64(), Some(65.0));
    assert_eq!(list[0]["sleep_watts"].as_f64(), Some(3.0), "columns not in the file are left alone");
}

#[rocket::async_test]
async fn a_catalogue_file_with_problems_changes_nothing() {
    let app = app().await;
    app.seed_refs().await;
    let file = "manufacturer,name,category,on_watts,sleep_watts,off_watts\n\
                HP,EliteDesk 800 G6,desktop,45,2,0.4\n\
                HP,ProBook 450,laptop,seventy,1,0.3\n\
                HP,EliteDesk 800 G6,desktop,45,2,0.4\n\
                Lenovo,ThinkCentre M70q,,20,1,0.3\n";
    let (s, v) = import_kind(&app, "models", file.as_bytes(), "").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert_eq!(
        p.iter().map(|(l, c, _)| (*l, c.as_str())).collect::<Vec<_>>(),
        [(3, "on_watts"), (4, ""), (5, "category")],
        "{p:?}"
    );
    assert!(p[1].2.contains("same model as line 2"), "{p:?}");
    let (_, list) = app.get("/api/v1/models").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "the good row on line 2 was not kept either");

    let sites = "Site Name,Post Code,PUE\nDepot,WX9 9ZZ,0.5\n";
    let (s, v) = import_kind(&app, "sites", sites.as_bytes(), "").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(problems(&v)[0].1, "PUE", "{v}");
}

/// A file larger than the chunks the import reads and writes at a time (1,000 rows): monitors listed
/// before the PCs they belong to, several chunks later, are linked all the same; and a file whose
/// problems sit in its first and last chunks imports nothing and names both.
#[rocket::async_test]
async fn a_file_of_several_chunks_links_parents_that_come_later_and_is_refused_whole() {
    let app = app().await;
    let mut file = String::from("asset_tag,category,parent_asset_tag,lifecycle_state\n");
    for i in 1..=1_500 {
        file.push_str(&format!("MON-{i:05},monitor,PC-{i:05},deployed\n"));
    }
    for i in 1..=1_500 {
        file.push_str(&format!("PC-{i:05},desktop,,deployed\n"));
    }
    let (s, v) = import(&app, file.as_bytes(), "source=estate.csv").await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!((v["created"].as_u64(), v["applied"].as_bool()), (Some(3_000), Some(true)));
    assert_eq!(asset_total(&app).await, 3_000);
    for i in [1, 999, 1_000, 1_001, 1_500] {
        assert_eq!(asset(&app, &format!("MON-{i:05}")).await["parent_asset_tag"], format!("PC-{i:05}"));
    }
    let (_, history) = app.get("/api/v1/assets/MON-01001/history").await;
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history[0]["after"]["parent_asset_tag"], "PC-01001");

    let mut bad = String::from("asset_tag,category,purchase_date\n");
    for i in 1..=2_500 {
        let (category, date) = match i {
            9 => ("toaster", "2024-01-01"),
            2_399 => ("laptop", "31/02/2024"),
            _ => ("laptop", "2024-01-01"),
        };
        bad.push_str(&format!("LT-{i:05},{category},{date}\n"));
    }
    let (s, v) = import(&app, bad.as_bytes(), "source=bad.csv").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let got: Vec<(u64, String)> = problems(&v).into_iter().map(|(line, column, _)| (line, column)).collect();
    assert_eq!(got, [(10, "category".to_string()), (2_400, "purchase_date".to_string())]);
    assert_eq!(asset_total(&app).await, 3_000, "nothing of the refused file was kept");

    // Only the last chunk is wrong: the two before it were written, and are undone.
    let late = bad.replace("LT-00009,toaster", "LT-00009,laptop");
    let (s, v) = import(&app, late.as_bytes(), "source=late.csv").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(problems(&v).len(), 1, "{v}");
    assert_eq!(asset_total(&app).await, 3_000, "the chunks written before the problem are rolled back");
    assert_eq!(app.get("/api/v1/assets/LT-00001").await.0, Status::NotFound);
}
