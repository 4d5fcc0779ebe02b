//! Power scheduling benchmarks (issue 5), run by `benches/power.sh`:
//! - `tick`: the demo estate scaled to 100,000 assets, one policy covering every asset; times the
//!   scheduler tick that plans a day's actions (first tick: every row new), a steady tick a minute later,
//!   and the first tick of a restarted instance (idempotent: every row already there). Target: < 200 ms.
//! - `wol`: 10,000 Wake-on-LAN packets sent with wol-rs to a listener on 127.0.0.200:9 (loopback only,
//!   needs root for port 9); times the sending and checks every packet arrived. Target: under 1 s.
//!
//! Database: a fresh SQLite file in a temporary directory, or `GREENICT_BENCH_DATABASE_URL` (an empty
//! PostgreSQL database) to record PostgreSQL.

use std::net::UdpSocket;
use std::time::Instant;

use chrono::{DateTime, Utc};
use greenict::domain::Patch;
use greenict::scheduler::{Scheduler, SchedulerConfig};
use greenict::services::power_policies::{self, PolicyChanges};
use greenict::services::Actor;
use sea_orm::{ConnectionTrait, Statement};

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("tick") => tick().await,
        Some("wol") => wol(),
        _ => eprintln!("usage: power_bench tick|wol"),
    }
}

async fn tick() {
    let dir = tempfile_dir();
    let url = std::env::var("GREENICT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.sqlite?mode=rwc", dir.display()));
    let db = greenict::store::connect::connect(&url, None).await.expect("database");
    greenict::store::connect::migrate(&db).await.expect("migrate");
    let n: usize = std::env::var("ASSETS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let t = Instant::now();
    greenict::demo::load(&db, n).await.expect("demo estate");
    greenict::store::connect::optimize(&db).await.ok();
    eprintln!("demo estate of {n} assets loaded in {:.1} s (not part of the figure)", t.elapsed().as_secs_f64());

    // One policy covering the whole estate: every demo asset tag starts with the council's prefix.
    let prefix: String = {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT asset_tag FROM asset LIMIT 1"))
            .await
            .unwrap()
            .unwrap();
        let tag: String = row.try_get("", "asset_tag").unwrap();
        tag.split('-').next().unwrap_or("").to_string() + "-"
    };
    power_policies::create(
        &db,
        &Actor::system(),
        PolicyChanges {
            name: Patch::Value("Everything".into()),
            target: Patch::Value("tag".into()),
            tag_prefix: Patch::Value(prefix.clone()),
            schedule: Patch::Value("mon-sun 07:30-19:00".into()),
            ..Default::default()
        },
    )
    .await
    .expect("policy");
    let deployed = count(&db, "SELECT COUNT(*) AS n FROM asset WHERE lifecycle_state = 'deployed'").await;
    println!("deployed assets covered by the policy (tags {prefix}*): {deployed}");

    // 06:00 UTC on a winter Wednesday: the day's 07:30 wake and 19:00 shutdown are ahead, nothing due.
    let now: DateTime<Utc> = "2026-01-14T06:00:00Z".parse().unwrap();
    let s = Scheduler::new(SchedulerConfig { instance_id: "bench".into(), ..SchedulerConfig::default() });
    let restarted = Scheduler::new(SchedulerConfig { instance_id: "bench".into(), ..SchedulerConfig::default() });
    let minute = chrono::Duration::minutes(1);
    for (label, sched, at) in [
        ("first tick (plans a day)", &s, now),
        ("steady tick a minute later (plans the new minute)", &s, now + minute),
        ("tick after a restart (re-reads everything; every row already there)", &restarted, now + minute * 2),
    ] {
        let t = Instant::now();
        let r = sched.tick(&db, at).await.expect("tick");
        println!("{label}: {:.1} ms, {} rows planned, {} sent", t.elapsed().as_secs_f64() * 1000.0, r.planned, r.sent);
    }
    println!("power_action rows: {}", count(&db, "SELECT COUNT(*) AS n FROM power_action").await);
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "n").unwrap()
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("greenict-power-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn wol() {
    const N: usize = 10_000;
    let rx =
        UdpSocket::bind("127.0.0.200:9").unwrap_or_else(|e| panic!("cannot bind 127.0.0.200:9 ({e}); run as root"));
    // Enough buffer for every packet, so none is dropped while the sender outpaces the reader.
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut n = 0;
        while n < N {
            match rx.recv(&mut buf) {
                Ok(102) => n += 1,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        n
    });
    let target: std::net::IpAddr = "127.0.0.200".parse().unwrap();
    let t = Instant::now();
    for i in 0..N {
        let mac = greenict::domain::MacAddress([0x02, 0, 0, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        greenict::scheduler::wol::send(mac, target, 1).expect("send");
    }
    let secs = t.elapsed().as_secs_f64();
    let received = reader.join().unwrap();
    println!("{N} wake packets sent in {:.1} ms; {received} received at 127.0.0.200:9", secs * 1000.0);
}
