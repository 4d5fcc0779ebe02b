//! The HTML pages in a real browser: the app runs on a free loopback port with a fresh SQLite file,
//! Debian's headless Chromium loads each page, and the DOM it built is checked for what a person
//! should see (tags, dd/mm/yyyy dates, £ amounts, labelled fields). Screenshots of the asset list
//! and an asset's page, at desktop and phone widths, go to `target/browser-artifacts/` for a human
//! to look at. Without Chromium the browser test is skipped, except in CI (`CI=true`), where it fails.
//! A second test posts forms over plain HTTP and checks errors are shown beside their fields.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use greenict::domain::{Category, Gbp, LifecycleState, Patch};
use greenict::services::assets::{self, AssetChanges};
use greenict::services::departments::{self, DepartmentChanges};
use greenict::services::device_models::{self, DeviceModelChanges};
use greenict::services::network_segments::{self, NetworkSegmentChanges};
use greenict::services::sites::{self, SiteChanges};
use greenict::services::Actor;
use sea_orm::DatabaseConnection;

const CHROMIUM: &str = "/usr/bin/chromium";

struct Server {
    port: u16,
    db: DatabaseConnection,
    _dir: tempfile::TempDir,
}

const ADMIN: &str = "browser.admin";
const PASSWORD: &str = "kettle lantern orchard";

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `path` behind a fresh one-time sign-in link: each Chromium run has a new profile, so it signs in
    /// as the test's administrator on the way.
    async fn signed(&self, path: &str) -> String {
        let token =
            greenict::services::sessions::issue_link(&self.db, &Actor::system(), ADMIN, chrono::Duration::minutes(5))
                .await
                .expect("sign-in link");
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        self.url(&format!("/sign-in/link?token={token}&next={next}"))
    }

    /// Signs in over HTTP as a browser does: the session cookie, and the anti-forgery token from a page.
    fn session(&self) -> (String, String) {
        let form = format!("username={ADMIN}&password={}", PASSWORD.replace(' ', "+"));
        let (status, head, _) = http(self.port, "POST", "/sign-in", Some(&form), "").expect("sign in");
        assert_eq!(status, 303, "{head}");
        let cookie = head
            .lines()
            .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
            .filter_map(|c| c.split(';').next())
            .find(|c| c.starts_with("greenict_session="))
            .expect("a session cookie")
            .to_string();
        let (_, _, account) = http(self.port, "GET", "/account", None, &cookie).expect("account page");
        let marker = "name=\"_csrf\" value=\"";
        let at = account.find(marker).expect("anti-forgery token") + marker.len();
        let csrf: String = account[at..].chars().take_while(|c| *c != '"').collect();
        (cookie, csrf)
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

/// The real app, launched on a free loopback port over a fresh, migrated SQLite file.
async fn start() -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("browser.sqlite").display());
    let db = greenict::store::connect::connect(&url, None).await.expect("open sqlite");
    greenict::store::connect::migrate(&db).await.expect("migrate");
    let port = free_port();
    let rocket = greenict::build_rocket(greenict::web::figment(Ipv4Addr::LOCALHOST.into(), port), db.clone());
    tokio::spawn(async move {
        if let Err(e) = rocket.launch().await {
            eprintln!("rocket stopped: {e}");
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok((status, _, _)) =
            tokio::task::spawn_blocking(move || http(port, "GET", "/healthz", None, "")).await.expect("join")
        {
            if status == 200 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the app did not start on port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let admin = greenict::services::users::NewUser {
        username: ADMIN.into(),
        display_name: Some("Browser Test".into()),
        role: greenict::domain::Role::Admin,
        password: PASSWORD.into(),
    };
    greenict::services::users::create(&db, &Actor::system(), admin).await.expect("test administrator");
    Server { port, db, _dir: dir }
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A site, a department, a model, a deployed desktop with a monitor plugged into it, and one change
/// made by a named person so the history has something to show.
async fn seed(db: &DatabaseConnection) {
    let sys = Actor::system();
    let site = sites::create(
        db,
        &sys,
        SiteChanges {
            name: Patch::Value("Civic Offices".into()),
            postcode: Patch::Value("wc1a 1aa".into()),
            ..Default::default()
        },
    )
    .await
    .expect("site");
    let dept = departments::create(
        db,
        &sys,
        DepartmentChanges {
            name: Patch::Value("Revenues and Benefits".into()),
            cost_centre: Patch::Value("RB1200".into()),
            ..Default::default()
        },
    )
    .await
    .expect("department");
    let model = device_models::create(
        db,
        &sys,
        DeviceModelChanges {
            manufacturer: Patch::Value("Dell".into()),
            name: Patch::Value("OptiPlex 7010".into()),
            category: Patch::Value(Category::Desktop),
            on_watts: Patch::Value(12.5),
            sleep_watts: Patch::Value(1.8),
            off_watts: Patch::Value(0.3),
            ..Default::default()
        },
    )
    .await
    .expect("model");
    assets::create(
        db,
        &sys,
        AssetChanges {
            asset_tag: Patch::Value("WCC-000101".parse().expect("tag")),
            hostname: Patch::Value("wcc-pc-0101".into()),
            model_id: Patch::Value(model.id),
            site_id: Patch::Value(site.id),
            department_id: Patch::Value(dept.id),
            assigned_user: Patch::Value("Priya Patel".into()),
            purchase_date: Patch::Value(date(2021, 4, 1)),
            purchase_cost: Patch::Value(Gbp::from_pence(49_900)),
            warranty_end: Patch::Value(date(2024, 3, 31)),
            lifecycle_state: Patch::Value(LifecycleState::Deployed),
            ..Default::default()
        },
    )
    .await
    .expect("desktop");
    assets::create(
        db,
        &sys,
        AssetChanges {
            asset_tag: Patch::Value("WCC-000102".parse().expect("tag")),
            category: Patch::Value(Category::Monitor),
            site_id: Patch::Value(site.id),
            parent_asset_tag: Patch::Value("WCC-000101".parse().expect("tag")),
            ..Default::default()
        },
    )
    .await
    .expect("monitor");
    let alice = Actor::declared("alice.smith").expect("actor");
    assets::update(
        db,
        &alice,
        "WCC-000101",
        AssetChanges { hostname: Patch::Value("wcc-pc-0101b".into()), ..Default::default() },
    )
    .await
    .expect("change hostname");
}

/// One HTTP/1.1 exchange over a plain socket: (status, headers, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    form: Option<&str>,
    cookie: &str,
) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let body = form.unwrap_or("");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if form.is_some() {
        req.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, head.to_string(), body.to_string()))
}

/// Runs Chromium headless with its own profile directory, killing it if it hangs.
fn chromium(args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=en-GB",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(args)
    .env("LANG", "en_GB.UTF-8")
    .env("LANGUAGE", "en_GB")
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start chromium");
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                child.kill().ok();
                panic!("chromium did not finish within 90 s: {args:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("read chromium output")
}

async fn dump_dom(url: String) -> String {
    tokio::task::spawn_blocking(move || chromium(&["--dump-dom".to_string(), url])).await.expect("join")
}

async fn screenshot(url: String, file: PathBuf, width: u32, height: u32) {
    tokio::task::spawn_blocking(move || {
        chromium(&[format!("--screenshot={}", file.display()), format!("--window-size={width},{height}"), url]);
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "no screenshot written to {}", file.display());
    })
    .await
    .expect("join")
}

fn assert_has(dom: &str, page: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(dom.contains(w), "{page} should contain {w:?}; the DOM was:\n{dom}");
    }
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_render_in_a_real_browser() {
    if !Path::new(CHROMIUM).exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "{CHROMIUM} is not installed: CI must install Debian's chromium package (apt-get install -y chromium)"
            );
        }
        eprintln!("browser test skipped: {CHROMIUM} is not installed (apt-get install -y chromium)");
        return;
    }
    let app = start().await;
    seed(&app.db).await;

    let home = dump_dom(app.signed("/").await).await;
    assert_has(
        &home,
        "/",
        &[
            r#"<html lang="en-GB">"#,
            "Skip to main content",
            r#"href="/api/docs/""#,
            "Refresh overdue",
            r#"href="/assets?state=deployed""#,
            r#"href="/assets?category=monitor""#,
        ],
    );

    let list = dump_dom(app.signed("/assets").await).await;
    assert_has(
        &list,
        "/assets",
        &[
            r#"<a href="/assets/WCC-000101">WCC-000101</a>"#,
            "wcc-pc-0101b",
            "01/04/2026",
            "Civic Offices",
            "Revenues and Benefits",
            "Dell OptiPlex 7010",
            "Priya Patel",
            "2 assets",
            r#"<label class="label" for="f-refresh_due_before">Refresh due before"#,
        ],
    );

    let filtered = dump_dom(app.signed("/assets?category=monitor").await).await;
    assert_has(&filtered, "/assets?category=monitor", &["WCC-000102", "1 asset match"]);
    assert!(!filtered.contains(">WCC-000101<"), "the monitor filter should leave the desktop out");

    let asset = dump_dom(app.signed("/assets/WCC-000101").await).await;
    assert_has(
        &asset,
        "/assets/WCC-000101",
        &[
            "£499.00",
            "01/04/2021",
            "01/04/2026",
            "31/03/2024",
            r#"<a href="/assets/WCC-000102">WCC-000102</a>"#,
            "12.5 W",
            "From the model, Dell OptiPlex 7010",
            r#"<option value="in_repair">In repair</option>"#,
            "alice.smith",
            "wcc-pc-0101b",
            r#"href="/assets/WCC-000101/edit""#,
        ],
    );
    assert!(!asset.contains(r#"<option value="disposed">"#), "only allowed next states are offered");

    let new = dump_dom(app.signed("/assets/new").await).await;
    assert_has(
        &new,
        "/assets/new",
        &[
            r#"<label class="label" for="f-asset_tag">Asset tag"#,
            r#"<label class="label" for="f-purchase_date">Purchase date"#,
            r#"aria-describedby="f-purchase_date-hint""#,
            "For example, 31/03/2024",
            r#"<option value="1">Civic Offices</option>"#,
        ],
    );

    let sites = dump_dom(app.signed("/sites").await).await;
    assert_has(&sites, "/sites", &["Civic Offices", "WC1A 1AA", r#"<a href="/assets?site_id=1">2</a>"#]);

    let models = dump_dom(app.signed("/models").await).await;
    assert_has(
        &models,
        "/models",
        &["Dell OptiPlex 7010", "12.5 / 1.8 / 0.3", r#"<a href="/assets?model_id=1">1</a>"#],
    );

    let segment = NetworkSegmentChanges {
        site_id: Patch::Value(1),
        name: Patch::Value("Floor 2 staff".into()),
        cidr: Patch::Value("10.20.2.0/24".into()),
        ..Default::default()
    };
    network_segments::create(&app.db, &Actor::system(), segment).await.expect("segment");
    let site = dump_dom(app.signed("/sites/1").await).await;
    assert_has(
        &site,
        "/sites/1",
        &[r#"href="/sites/1/delete""#, r#"href="/network-segments/1/edit""#, "10.20.2.255", "Floor 2 staff"],
    );
    let segment = dump_dom(app.signed("/network-segments/1/edit").await).await;
    assert_has(
        &segment,
        "/network-segments/1/edit",
        &["Change network segment Floor 2 staff", r#"value="10.20.2.0/24""#, r#"href="/sites/1#segments""#],
    );
    let confirm = dump_dom(app.signed("/sites/1/delete").await).await;
    assert_has(&confirm, "/sites/1/delete", &["Delete site Civic Offices?", "Yes, delete it", "No, go back"]);
    let import = dump_dom(app.signed("/import").await).await;
    assert_has(
        &import,
        "/import",
        &[r#"enctype="multipart/form-data""#, r#"<option value="models">"#, r#"href="/api/v1/assets.csv""#],
    );
    let list = dump_dom(app.signed("/assets?site_id=1").await).await;
    assert_has(&list, "/assets?site_id=1", &[r#"href="/api/v1/assets.csv?site_id=1""#, r#"href="/import""#]);

    let dir = artifacts_dir();
    screenshot(app.signed("/assets").await, dir.join("assets-desktop.png"), 1280, 1000).await;
    screenshot(app.signed("/assets").await, dir.join("assets-phone.png"), 390, 844).await;
    screenshot(app.signed("/assets/WCC-000101").await, dir.join("asset-desktop.png"), 1280, 1600).await;
    screenshot(app.signed("/assets/WCC-000101").await, dir.join("asset-phone.png"), 390, 844).await;
    screenshot(app.signed("/").await, dir.join("home-desktop.png"), 1280, 1000).await;
    screenshot(app.signed("/sites/1").await, dir.join("site-desktop.png"), 1280, 1200).await;
    screenshot(app.signed("/models").await, dir.join("models-phone.png"), 390, 844).await;
    screenshot(app.signed("/network-segments/1/edit").await, dir.join("segment-edit-phone.png"), 390, 1200).await;
    screenshot(app.signed("/assets/new").await, dir.join("asset-new-phone.png"), 390, 1800).await;
    screenshot(app.signed("/import").await, dir.join("import-phone.png"), 390, 1400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forms_over_http_show_each_problem_beside_its_field() {
    let app = start().await;
    seed(&app.db).await;
    let port = app.port;
    let (session, csrf2) = tokio::task::block_in_place(|| app.session());
    let session2 = session.clone();
    let post = move |path: &'static str, body: &'static str| {
        let (session, form) = (session2.clone(), format!("_csrf={csrf2}&{body}"));
        async move {
            tokio::task::spawn_blocking(move || http(port, "POST", path, Some(&form), &session))
                .await
                .expect("join")
                .expect("http")
        }
    };

    // An invalid new asset: the form comes back with the input kept and each message by its field.
    let (status, _, page) =
        post("/assets", "asset_tag=A+B&purchase_cost=12.345&purchase_date=31%2F02%2F2024&hostname=kept-host").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("There is a problem"), "{page}");
    assert!(page.contains(r##"<a href="#f-asset_tag">"##), "summary links to the field: {page}");
    let field_start = page.find(r#"for="f-asset_tag""#).expect("asset tag label");
    let input_start =
        page[field_start..].find(r#"<input class="input"#).map(|i| i + field_start).expect("asset tag input");
    let beside = &page[field_start..input_start];
    assert!(beside.contains(r#"id="f-asset_tag-error""#) && beside.contains("contains &#39; &#39;"), "{beside}");
    let input = &page[input_start..input_start + page[input_start..].find('>').expect("end of input")];
    assert!(input.contains(r#"aria-invalid="true""#) && input.contains("f-asset_tag-error"), "{input}");
    assert!(input.contains(r#"value="A B""#), "the person's input is kept: {input}");
    assert!(page.contains(r#"id="f-purchase_cost-error""#) && page.contains("2 decimal places"), "{page}");
    assert!(page.contains(r#"id="f-purchase_date-error""#), "{page}");
    assert!(page.contains(r#"type="text" value="31/02/2024""#), "a bad date is kept as typed: {page}");
    assert!(page.contains(r#"value="kept-host""#), "{page}");
    assert!(page.contains("<title>Error: Add an asset"), "{page}");
    if Path::new(CHROMIUM).exists() {
        // For a person to look at: the form as re-shown, with its styles from the running app.
        let file = artifacts_dir().join("asset-new-errors.html");
        let based = page.replacen("<head>", &format!("<head><base href=\"{}\">", app.url("/")), 1);
        std::fs::write(&file, based).expect("write the page");
        let png = artifacts_dir().join("asset-new-errors-phone.png");
        screenshot(format!("file://{}", file.display()), png, 390, 1400).await;
    }

    // A duplicate tag (a 409 from the service) is shown beside the tag too.
    let (status, _, page) = post("/assets", "asset_tag=WCC-000101&category=desktop").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(r#"id="f-asset_tag-error""#) && page.contains("already in the register"), "{page}");

    // A valid one is saved and the browser is sent to its page.
    let (status, head, _) = post("/assets", "asset_tag=WCC-000200&category=laptop&purchase_date=01%2F06%2F2024").await;
    assert_eq!(status, 303, "{head}");
    assert!(head.to_ascii_lowercase().contains("location: /assets/wcc-000200"), "{head}");

    // A refused lifecycle move is explained on the asset's page.
    let (status, _, page) = post("/assets/WCC-000200/lifecycle", "lifecycle_state=disposed").await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("completing a disposal record"), "{page}");

    // Editing: a blank clears, a bad value is named.
    let (status, _, page) = post("/assets/WCC-000101", "asset_tag=WCC-000101&life_months=five").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(r#"id="f-life_months-error""#) && page.contains("whole number"), "{page}");

    // Catalogue forms follow the same pattern.
    let (status, _, page) = post("/sites", "name=&pue=9").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(r#"id="f-name-error""#), "{page}");
    let (status, _, page) = post("/sites/1/segments", "name=Floor+2&cidr=192.168.10.7%2F24").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(r#"id="f-cidr-error""#) && page.contains("192.168.10.0/24"), "{page}");

    // Deleting a site that still has assets is refused on the page with the reason.
    let (status, _, page) = post("/sites/1/delete", "").await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("It could not be deleted") && page.contains("still has 2 assets"), "{page}");
    if Path::new(CHROMIUM).exists() {
        let file = artifacts_dir().join("site-delete-refused.html");
        let based = page.replacen("<head>", &format!("<head><base href=\"{}\">", app.url("/")), 1);
        std::fs::write(&file, based).expect("write the page");
        let png = artifacts_dir().join("site-delete-refused-desktop.png");
        screenshot(format!("file://{}", file.display()), png, 1280, 800).await;
    }

    let get = |path: String, cookie: String| {
        let cookie = if cookie.is_empty() { session.clone() } else { format!("{session}; {cookie}") };
        async move {
            tokio::task::spawn_blocking(move || http(port, "GET", &path, None, &cookie))
                .await
                .expect("join")
                .expect("http")
        }
    };

    // The list pages with the service's cursor.
    let (status, _, first) = get("/assets?limit=1".into(), String::new()).await;
    assert_eq!(status, 200, "{first}");
    assert!(first.contains(">WCC-000101<") && !first.contains(">WCC-000102<"), "{first}");
    let next = first
        .split(r#"class="pager-next" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a Next page link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(next.contains("cursor="), "{next}");
    let (status, _, second) = get(next, String::new()).await;
    assert_eq!(status, 200, "{second}");
    assert!(second.contains(">WCC-000102<") && second.contains("First page"), "{second}");

    // A missing asset is a 404 page, not a 500.
    let (status, _, page) = get("/assets/NOPE-1".into(), String::new()).await;
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("Page not found"), "{page}");

    // After a redirect the next page says what happened (a flash cookie).
    let (status, head, _) = post("/assets/WCC-000200/lifecycle", "lifecycle_state=retired").await;
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .expect("a flash cookie")
        .to_string();
    let (_, _, page) = get("/assets/WCC-000200".into(), cookie).await;
    assert!(page.contains("WCC-000200 is now retired"), "{page}");

    // Disposing is a disposal record's step, not a plain move; once disposed, an asset is read-only: no
    // edit button, and its edit address says why.
    let (status, head, _) = post("/assets/WCC-000200/lifecycle", "lifecycle_state=awaiting_disposal").await;
    assert_eq!(status, 303, "{head}");
    let (status, _, page) = post("/assets/WCC-000200/lifecycle", "lifecycle_state=disposed").await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("completing a disposal record"), "{page}");
    {
        use sea_orm::ConnectionTrait;
        let done = "UPDATE asset SET lifecycle_state = 'disposed' WHERE asset_tag = 'WCC-000200'";
        app.db.execute_unprepared(done).await.expect("as a completed disposal leaves it");
    }
    let (_, _, page) = get("/assets/WCC-000200".into(), String::new()).await;
    assert!(!page.contains("/assets/WCC-000200/edit"), "{page}");
    assert!(page.contains("cannot be changed"), "{page}");
    let (status, _, page) = get("/assets/WCC-000200/edit".into(), String::new()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("read-only"), "{page}");
    let (status, _, page) = post("/assets/WCC-000200", "asset_tag=WCC-000200&hostname=x").await;
    assert!(status == 200 && page.contains("read-only"), "{status}: {page}");

    // Deleting asks first, refuses while a monitor is linked, and otherwise deletes.
    let (status, _, page) = get("/assets/WCC-000101/delete".into(), String::new()).await;
    assert!(status == 200 && page.contains("Yes, delete it"), "{page}");
    let (status, _, page) = post("/assets/WCC-000101/delete", "").await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("unlink them first"), "{page}");
    let (status, head, _) = post("/assets/WCC-000102/delete", "").await;
    assert_eq!(status, 303, "{head}");
    let (status, _, _) = get("/assets/WCC-000102".into(), String::new()).await;
    assert_eq!(status, 404);
}
