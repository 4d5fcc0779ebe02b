//! End to end: the real `greenict serve` on a temporary SQLite data directory and a free loopback port,
//! and real `greenict-agent --dry-run` processes against it. A shutdown due now (written straight into
//! `power_action`, as the scheduler would) reaches the agent, which "runs" it and reports: the action
//! ends confirmed and the audit trail names the agent. Then a user's deferral (simulated) and a failing
//! command (simulated). Nothing is timed; each agent run stops after one check-in.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use greenict::store::{audit_event, power_action};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_server(data: &Path, port: u16) -> Server {
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_greenict"))
            .args(["serve", "--port", &port.to_string(), "--data-dir"])
            .arg(data)
            .env("GREENICT_LOG", "warn")
            .env_remove("GREENICT_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start greenict serve"),
    );
    let deadline = Instant::now() + StdDuration::from_secs(60);
    while Instant::now() < deadline {
        if ureq::get(&format!("http://127.0.0.1:{port}/readyz")).call().is_ok() {
            return server;
        }
        std::thread::sleep(StdDuration::from_millis(100));
    }
    panic!("greenict serve did not become ready on port {port}");
}

/// An ICT integration's API token, issued at the server's command line as an administrator would.
fn ict_token(data: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_greenict"))
        .args(["token", "create", "--name", "e2e-ict", "--role", "ict", "--data-dir"])
        .arg(data)
        .env("GREENICT_LOG", "warn")
        .env_remove("GREENICT_DATABASE_URL")
        .output()
        .expect("greenict token create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn post(base: &str, path: &str, body: Value) -> Value {
    let res = ureq::post(&format!("{base}{path}"))
        .set("Authorization", &format!("Bearer {}", TOKEN.get().expect("token issued")))
        .send_json(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    res.into_json().unwrap()
}

struct Agent {
    base: String,
    dir: PathBuf,
}

impl Agent {
    /// Runs `greenict-agent --dry-run` for one check-in with the extra flags; returns its stderr.
    fn run(&self, extra: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_greenict-agent"))
            .args(["--server", &self.base, "--interval", "10", "--dry-run", "--max-checkins", "1"])
            .arg("--token-file")
            .arg(self.dir.join("device-token.json"))
            .arg("--log-file")
            .arg(self.dir.join("agent.log"))
            .arg("--defer-file")
            .arg(self.dir.join("defer-request"))
            .args(extra)
            .env_remove("GREENICT_ENROL_TOKEN")
            .output()
            .expect("run greenict-agent");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "greenict-agent failed: {stderr}");
        stderr
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("agent.log")).unwrap_or_default()
    }
}

async fn due_now(db: &DatabaseConnection, asset_id: i32, kind: &str, offset_s: i64, defer: Option<i32>) -> i32 {
    let now = Utc::now();
    power_action::ActiveModel {
        id: NotSet,
        asset_id: Set(asset_id),
        kind: Set(kind.into()),
        // Already due (a few seconds ago), so the agent acts at once.
        scheduled_at: Set(now - Duration::seconds(offset_s)),
        cause: Set("manual".into()),
        policy_id: Set(None),
        requested_by: Set("ict.officer".into()),
        state: Set("planned".into()),
        warning_minutes: Set(Some(0)),
        may_defer: Set(defer.is_some()),
        max_defer_minutes: Set(defer),
        claimed_by: Set(None),
        claimed_until: Set(None),
        attempts: Set(0),
        sent_at: Set(None),
        delivered_at: Set(None),
        confirmed_at: Set(None),
        finished_at: Set(None),
        detail: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn state_of(db: &DatabaseConnection, id: i32) -> power_action::Model {
    power_action::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_agent_receives_runs_and_reports_shutdowns_deferrals_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let _server = start_server(&data, port);
    TOKEN.get_or_init(|| ict_token(&data));
    let base = format!("http://127.0.0.1:{port}");

    // ICT staff: a site, the PC in the register, an enrolment token.
    let site = post(&base, "/api/v1/sites", json!({"name": "Civic Offices"}));
    let asset = post(
        &base,
        "/api/v1/assets",
        json!({"asset_tag": "WCC-000042", "category": "desktop", "site_id": site["id"], "lifecycle_state": "deployed"}),
    );
    let asset_id = asset["id"].as_i64().unwrap() as i32;
    let token = post(&base, "/api/v1/agent-enrolment-tokens", json!({"label": "e2e", "site_id": site["id"]}));
    let token = token["token"].as_str().unwrap().to_string();

    // The test reaches the same SQLite file as the service, as the scheduler would.
    let url = format!("sqlite://{}?mode=rwc", data.join("greenict.sqlite").display());
    let db = greenict::store::connect::connect(&url, None).await.unwrap();

    let agent = Agent { base: base.clone(), dir: dir.path().join("agent") };
    std::fs::create_dir_all(&agent.dir).unwrap();

    // 1. A shutdown due now: enrol, check in, receive it, "run" it, report done.
    let shutdown = due_now(&db, asset_id, "shutdown", 5, None).await;
    let stderr = agent.run(&["--enrol-token", &token, "--asset-tag", "WCC-000042"]);
    let log = agent.log();
    assert!(log.contains("enrolled as asset WCC-000042"), "{log}\n{stderr}");
    assert!(log.contains("dry run: would run `systemctl poweroff`"), "{log}");
    assert!(log.contains(&format!("reported action {shutdown} Done: now confirmed")), "{log}");
    let done = state_of(&db, shutdown).await;
    assert_eq!(done.state, "confirmed");
    assert!(done.delivered_at.is_some() && done.confirmed_at.is_some());
    assert!(done.detail.as_deref().unwrap_or("").contains("dry run"), "{:?}", done.detail);
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("power_action"))
        .filter(audit_event::Column::EntityId.eq(shutdown.to_string()))
        .order_by_asc(audit_event::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(events.len(), 2, "delivered, then confirmed");
    assert!(events.iter().all(|e| e.actor == "agent:WCC-000042"));
    assert!(events[1].after_json.as_deref().unwrap_or("").contains("\"state\":\"confirmed\""));
    // The enrolment itself is in the audit trail too, and the token file is the owner's only.
    let enrolled = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("agent_device"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(enrolled.actor, "agent:WCC-000042");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(agent.dir.join("device-token.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // 2. A sleep the user may defer by 30 minutes; the (simulated) user defers 15. Already enrolled: the
    // token file is reused.
    let sleep = due_now(&db, asset_id, "sleep", 3, Some(30)).await;
    agent.run(&["--simulate-defer-minutes", "15"]);
    let deferred = state_of(&db, sleep).await;
    assert_eq!(deferred.state, "deferred");
    let next = power_action::Entity::find()
        .filter(power_action::Column::AssetId.eq(asset_id))
        .filter(power_action::Column::State.eq("planned"))
        .one(&db)
        .await
        .unwrap()
        .expect("the deferral planned a new sleep");
    assert_eq!(next.kind, "sleep");
    assert_eq!(next.scheduled_at, deferred.scheduled_at + Duration::minutes(15));
    assert_eq!(next.max_defer_minutes, Some(15));
    assert!(agent.log().contains(&format!("the user deferred action {sleep} by 15 minutes")));

    // 3. A shutdown whose command fails (simulated): failed, with the reason.
    let failing = due_now(&db, asset_id, "shutdown", 1, None).await;
    agent.run(&["--simulate-failure", "systemctl: Access denied"]);
    let failed = state_of(&db, failing).await;
    assert_eq!(failed.state, "failed");
    assert!(failed.detail.as_deref().unwrap_or("").starts_with("systemctl: Access denied"), "{:?}", failed.detail);

    // The failure is in the audit trail, named for the agent.
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("power_action"))
        .filter(audit_event::Column::EntityId.eq(failing.to_string()))
        .order_by_desc(audit_event::Column::Id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.actor, "agent:WCC-000042");
    assert!(last.after_json.as_deref().unwrap_or("").contains("\"state\":\"failed\""));
    // The device list shows when the agent was last seen.
    let history: Value = ureq::get(&format!("{base}/api/v1/agent-devices"))
        .set("Authorization", &format!("Bearer {}", TOKEN.get().expect("token issued")))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(history[0]["asset_tag"], "WCC-000042");
    assert!(history[0]["last_seen_at"].is_string());
}
