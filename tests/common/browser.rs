//! What the browser tests share: a served demo estate on a free loopback port with a signed-in viewer,
//! plain HTTP/1.1 over a socket, and Debian's headless Chromium with its console on stderr.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

/// One GET over a plain socket: (status, body).
pub fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    get_as(port, path, "")
}

/// A GET with a cookie header (empty: none).
pub fn get_as(port: u16, path: &str, cookie: &str) -> std::io::Result<(u16, String)> {
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
pub fn chromium(args: &[String]) -> (String, String) {
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

pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

/// What the page logged to the console (Chromium writes each message to stderr as `CONSOLE`).
pub fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("CONSOLE")).collect()
}

/// Whether Chromium is here; without it the test is skipped, except in CI, where that is a failure.
pub fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{CHROMIUM} is not installed: CI must install Debian's chromium package");
    }
    eprintln!("browser test skipped: {CHROMIUM} is not installed (apt-get install -y chromium)");
    false
}

pub const VIEWER: &str = "browser.admin";
const PASSWORD: &str = "kettle lantern orchard";

/// The real app on a free loopback port over a fresh SQLite file holding a small demo estate and one
/// viewer.
pub struct DemoServer {
    pub port: u16,
    pub base: String,
    pub db: DatabaseConnection,
    _dir: tempfile::TempDir,
}

impl DemoServer {
    pub async fn start(assets: usize, file: &str) -> DemoServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join(file).display());
        let db = greenict::store::connect::connect(&url, None).await.expect("open sqlite");
        greenict::store::connect::migrate(&db).await.expect("migrate");
        greenict::demo::load(&db, assets).await.expect("demo estate");
        let viewer = greenict::services::users::NewUser {
            username: VIEWER.into(),
            display_name: None,
            role: greenict::domain::Role::Viewer,
            password: PASSWORD.into(),
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
        DemoServer { port, base: format!("http://127.0.0.1:{port}"), db, _dir: dir }
    }

    /// `path` behind a fresh one-time sign-in link (an address on this server): each Chromium run has
    /// a fresh profile, so it signs in on its way to the page.
    pub async fn signed(&self, path: &str) -> String {
        let token = greenict::services::sessions::issue_link(
            &self.db,
            &greenict::services::Actor::system(),
            VIEWER,
            chrono::Duration::minutes(5),
        )
        .await
        .expect("sign-in link");
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        format!("/sign-in/link?token={token}&next={next}")
    }

    /// Signs in with the form over HTTP: the session cookie.
    pub async fn session_cookie(&self) -> String {
        let port = self.port;
        tokio::task::spawn_blocking(move || {
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
        })
        .await
        .expect("join")
    }
}
