//! The members' report in a real browser: the app runs on a free loopback port over a fresh SQLite file
//! with a small demo estate; Debian's headless Chromium loads `/reports/members.html?fy=2024` as a signed-in
//! viewer, which must log nothing to the console (no resource blocked by the file's own
//! Content-Security-Policy, no error), and every chart (inline SVG) must be drawn with a size. A
//! screenshot goes to `target/browser-artifacts/` for a human to look at. Without Chromium the test is
//! skipped, except in CI (`CI=true`), where it fails.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

/// One GET over a plain socket: (status, body).
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    get_as(port, path, "")
}

/// A GET with a cookie header (empty: none).
fn get_as(port: u16, path: &str, cookie: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let cookie = if cookie.is_empty() { String::new() } else { format!("Cookie: {cookie}\r\n") };
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{cookie}Connection: close\r\n\r\n").as_bytes(),
    )?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, body.to_string()))
}

/// Runs Chromium headless with its own profile; returns (stdout, stderr), killing it if it hangs.
fn chromium(args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(CHROMIUM)
        .args([
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
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .env("LANG", "en_GB.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                child.kill().ok();
                panic!("chromium did not finish within 120 s: {args:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    (out_reader.join().expect("stdout"), err_reader.join().expect("stderr"))
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

/// What the page logged to the console (Chromium writes each message to stderr as `CONSOLE`).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("CONSOLE")).collect()
}

/// Reports each inline chart's drawn size, the heading font and any failed resource, into the DOM.
const PROBE: &str = r#"<script>
window.__failed = [];
window.addEventListener('error', function (e) { window.__failed.push(String(e.target && e.target.src || e.message)); }, true);
window.addEventListener('load', function () {
  var svgs = Array.prototype.map.call(document.querySelectorAll('figure svg'), function (s) {
    var r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ svgs: svgs, images: document.images.length, failed: window.__failed,
    font: getComputedStyle(document.querySelector('h1')).fontFamily });
  document.body.appendChild(out);
});
</script>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_members_report_loads_without_console_errors_and_its_charts_render() {
    if !Path::new(CHROMIUM).exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{CHROMIUM} is not installed: CI must install Debian's chromium package");
        }
        eprintln!("browser test skipped: {CHROMIUM} is not installed (apt-get install -y chromium)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("reports.sqlite").display());
    let db = greenict::store::connect::connect(&url, None).await.expect("open sqlite");
    greenict::store::connect::migrate(&db).await.expect("migrate");
    greenict::demo::load(&db, 300).await.expect("demo estate");
    let viewer = greenict::services::users::NewUser {
        username: "browser.admin".into(),
        display_name: None,
        role: greenict::domain::Role::Viewer,
        password: "kettle lantern orchard".into(),
    };
    greenict::services::users::create(&db, &greenict::services::Actor::system(), viewer).await.expect("a viewer");
    let port = free_port();
    let rocket = greenict::build_rocket(greenict::web::figment(Ipv4Addr::LOCALHOST.into(), port), db.clone());
    tokio::spawn(async move {
        if let Err(e) = rocket.launch().await {
            eprintln!("rocket stopped: {e}");
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::task::spawn_blocking(move || get(port, "/healthz")).await.expect("join").map(|r| r.0).unwrap_or(0)
        != 200
    {
        assert!(Instant::now() < deadline, "the app did not start on port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = format!("http://127.0.0.1:{port}");
    let artifacts = artifacts_dir();
    let path = "/reports/members.html?fy=2024";
    let signed = || {
        let (db, base) = (db.clone(), base.clone());
        async move {
            let token = greenict::services::sessions::issue_link(
                &db,
                &greenict::services::Actor::system(),
                "browser.admin",
                chrono::Duration::minutes(5),
            )
            .await
            .expect("sign-in link");
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("{base}/sign-in/link?token={token}&next={next}")
        }
    };

    // The report as served, with its own Content-Security-Policy: nothing on the console.
    let page_url = signed().await;
    let (dom, stderr) = tokio::task::spawn_blocking(move || {
        chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), page_url])
    })
    .await
    .expect("join");
    assert!(dom.contains("ICT carbon report to members, 2024/25"), "the report was shown:\n{dom}");
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "console messages:\n{}", console.join("\n"));

    // The same file with a probe added: every chart drawn with a size, the inline styles applied.
    let cookie = tokio::task::spawn_blocking(move || session_cookie(port)).await.expect("join");
    let (status, html) =
        tokio::task::spawn_blocking(move || get_as(port, path, &cookie)).await.expect("join").expect("GET the report");
    assert_eq!(status, 200, "{html}");
    let file = artifacts.join("members-2024-25-probed.html");
    std::fs::write(&file, html.replacen("</body>", &format!("{PROBE}</body>"), 1)).expect("write the probed file");
    let (dom, _) = tokio::task::spawn_blocking({
        let u = format!("file://{}", file.display());
        move || chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), u])
    })
    .await
    .expect("join");
    let probe = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"))
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let report: serde_json::Value = serde_json::from_str(&probe).expect("probe JSON");
    let svgs = report["svgs"].as_array().expect("svgs");
    assert_eq!(svgs.len(), 4, "four charts: {report}");
    for s in svgs {
        assert!(s[0].as_u64().unwrap_or(0) > 100 && s[1].as_u64().unwrap_or(0) > 100, "a chart drawn small: {report}");
    }
    assert_eq!(report["images"].as_u64(), Some(0), "no <img>: the charts are inline");
    assert_eq!(report["failed"].as_array().map(Vec::len), Some(0), "failed resources: {report}");
    assert!(report["font"].as_str().unwrap_or("").contains("DejaVu Sans"), "the inline styles applied: {report}");

    let png = artifacts.join("members-2024-25.png");
    let shot_url = signed().await;
    let args = vec![format!("--screenshot={}", png.display()), "--window-size=1100,4000".into(), shot_url];
    tokio::task::spawn_blocking(move || chromium(&args)).await.expect("join");
    assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 10_000, "no screenshot at {}", png.display());
}

/// Signs in with the form over HTTP: the session cookie.
fn session_cookie(port: u16) -> String {
    let form = "username=browser.admin&password=kettle+lantern+orchard";
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    write!(
        s,
        "POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    raw.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with("greenict_session="))
        .unwrap_or_else(|| panic!("no session cookie: {raw}"))
        .to_string()
}
