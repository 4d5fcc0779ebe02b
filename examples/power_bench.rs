//! Power scheduling benchmarks (issue 5), run by `benches/power.sh`:
//! - `tick`: the demo estate scaled to 100,000 assets, one policy covering every asset; in each of
//!   `ROUNDS` rounds (default 3) on the same estate, with the power_action table emptied first, times the
//!   scheduler's first tick (reads the register, decides the day's actions, writes the first
//!   `plan_rows_per_tick` of them), the later ticks of the same instance until the whole day is written
//!   (median and slowest), the first tick of a restarted instance (re-reads everything and re-decides;
//!   the day is already there), and the baseline: one tick's worth of the same rows put back into the
//!   emptied table by the same multi-row INSERT in one transaction, with no reading, planning or conflict
//!   check. Target: < 200 ms a tick.
//! - `wol`: in each round, 10,000 Wake-on-LAN packets to a listener on 127.0.0.200:9 (loopback only,
//!   needs root for port 9): a bare UDP send loop on one socket (the baseline), wol-rs one packet at a
//!   time (`scheduler::wol::send`), and the scheduler's sender (`scheduler::wol::send_all`, which also
//!   writes each action's detail). Each checks how many packets arrived. Target: under 1 s.
//!
//! Database: a fresh SQLite file in a temporary directory, or `GREENICT_BENCH_DATABASE_URL` (an empty
//! PostgreSQL database) to record PostgreSQL. Prints peak RSS of the timed part (the demo load's is reset).

use std::net::{IpAddr, UdpSocket};
use std::time::Instant;

use chrono::{DateTime, Utc};
use greenict::domain::{MacAddress, Patch};
use greenict::scheduler::{Scheduler, SchedulerConfig};
use greenict::services::power_actions::WakeJob;
use greenict::services::power_policies::{self, PolicyChanges};
use greenict::services::Actor;
use greenict::store::power_action;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, TransactionTrait};

/// Every packet of the benchmark goes here: a loopback address, never a real network.
const LISTENER: &str = "127.0.0.200";

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    match std::env::args().nth(1).as_deref() {
        Some("tick") => tick(rounds).await,
        Some("wol") => wol(rounds),
        _ => eprintln!("usage: power_bench tick|wol"),
    }
}

async fn tick(rounds: usize) {
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
    let backend = db.get_database_backend();
    println!("database: {}", if backend == DbBackend::Postgres { "PostgreSQL" } else { "SQLite" });

    // A guard: the demo's segments are 10.x addresses. No tick below is at a time a wake is due, but if
    // one were, its packets would go to loopback, never to a real network.
    exec(&db, &format!("UPDATE network_segment SET broadcast_address = '{LISTENER}'")).await;

    // One policy covering the whole estate: every demo asset tag starts with the council's prefix.
    let prefix: String = {
        let row = db
            .query_one_raw(Statement::from_string(backend, "SELECT asset_tag FROM asset LIMIT 1"))
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
    reset_peak_rss();

    // 06:00 UTC on a winter Wednesday: the day's 07:30 wake and 19:00 shutdown are ahead, nothing due.
    let now: DateTime<Utc> = "2026-01-14T06:00:00Z".parse().unwrap();
    let second = chrono::Duration::seconds(1);
    let labels = [
        "first tick (decides the day, writes the first rows)",
        "each later tick until the day is written",
        "the slowest of those",
        "first tick of a restarted instance (day already written)",
        "baseline: bare insert of one tick's rows",
    ];
    let mut times: Vec<Vec<f64>> = vec![vec![]; labels.len()];
    let config = || SchedulerConfig { instance_id: "bench".into(), ..SchedulerConfig::default() };
    let per_tick = config().plan_rows_per_tick;
    println!("rows written per tick at most: {per_tick}");
    for round in 1..=rounds {
        empty_actions(&db).await;
        let s = Scheduler::new(config());
        let (ms, first_rows) = timed(&s, &db, now).await;
        println!("round {round} {}: {ms:.1} ms, {first_rows} rows", labels[0]);
        times[0].push(ms);
        // Later ticks a second apart (the window barely moves), until one writes nothing new.
        let mut later = vec![];
        let mut written = first_rows;
        for k in 1.. {
            let (ms, rows) = timed(&s, &db, now + second * k).await;
            if rows == 0 {
                break;
            }
            written += rows;
            later.push(ms);
        }
        let slowest = later.iter().copied().fold(0.0, f64::max);
        println!(
            "round {round} {}: median {:.1} ms over {} ticks, slowest {slowest:.1} ms; {written} rows in all",
            labels[1],
            median(&later),
            later.len()
        );
        times[1].push(median(&later));
        times[2].push(slowest);
        let restarted = Scheduler::new(config());
        let (ms, rows) = timed(&restarted, &db, now + second * 600).await;
        println!("round {round} {}: {ms:.1} ms, {rows} new rows", labels[3]);
        times[3].push(ms);

        let rows: Vec<power_action::Model> = power_action::Entity::find()
            .all(&db)
            .await
            .expect("read the planned rows")
            .into_iter()
            .take(per_tick)
            .collect();
        let batch = rows.len();
        empty_actions(&db).await;
        let models: Vec<power_action::ActiveModel> = rows
            .into_iter()
            .map(|m| {
                let mut am: power_action::ActiveModel = m.into();
                am.id = sea_orm::NotSet;
                am
            })
            .collect();
        let t = Instant::now();
        let txn = db.begin().await.unwrap();
        greenict::store::bulk::insert_all::<power_action::Entity, _>(&txn, models).await.expect("bare insert");
        txn.commit().await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!("round {round} {}: {ms:.1} ms, {batch} rows", labels[4]);
        times[4].push(ms);
    }
    println!("power_action rows: {}", count(&db, "SELECT COUNT(*) AS n FROM power_action").await);
    for (label, t) in labels.iter().zip(&times) {
        println!("median {label}: {:.1} ms (runs: {})", median(t), runs(t));
    }
    println!("peak RSS of the ticks (after the demo load): {}", peak_rss());
}

/// One tick, timed: (milliseconds, rows newly written).
async fn timed(sched: &Scheduler, db: &DatabaseConnection, at: DateTime<Utc>) -> (f64, u64) {
    let t = Instant::now();
    let r = sched.tick(db, at).await.expect("tick");
    assert_eq!(r.sent, 0, "no wake is due in the benchmark's window");
    (t.elapsed().as_secs_f64() * 1000.0, r.planned)
}

/// Empties power_action so the next tick plans every row afresh; on PostgreSQL, vacuums away the dead
/// rows so the next insert does not pay for them.
async fn empty_actions(db: &DatabaseConnection) {
    exec(db, "DELETE FROM power_action").await;
    if db.get_database_backend() == DbBackend::Postgres {
        exec(db, "VACUUM ANALYZE power_action").await;
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "n").unwrap()
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    if s.is_empty() {
        return f64::NAN;
    }
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn runs(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ")
}

/// Linux: writing 5 to clear_refs resets the peak RSS (VmHWM), so what follows is measured alone.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = |k: &str| status.lines().find(|l| l.starts_with(k)).map(|l| l[k.len()..].trim().to_string());
    format!("VmHWM {}, VmRSS {}", line("VmHWM:").unwrap_or_default(), line("VmRSS:").unwrap_or_default())
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("greenict-power-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const N: usize = 10_000;

fn mac(i: usize) -> MacAddress {
    MacAddress([0x02, 0, 0, (i >> 16) as u8, (i >> 8) as u8, i as u8])
}

/// Counts 102-byte packets arriving at the listener until `N` have or none comes for a second.
fn count_packets(rx: &UdpSocket) -> std::thread::JoinHandle<usize> {
    let rx = rx.try_clone().unwrap();
    std::thread::spawn(move || {
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
    })
}

fn wol(rounds: usize) {
    let rx = UdpSocket::bind(format!("{LISTENER}:9"))
        .unwrap_or_else(|e| panic!("cannot bind {LISTENER}:9 ({e}); run as root"));
    rx.set_read_timeout(Some(std::time::Duration::from_secs(1))).unwrap();
    let target: IpAddr = LISTENER.parse().unwrap();
    let labels = ["baseline: bare UDP loop, one socket", "wol-rs, one packet at a time", "scheduler sender (send_all)"];
    let mut times: Vec<Vec<f64>> = vec![vec![]; labels.len()];
    reset_peak_rss();
    for round in 1..=rounds {
        for (i, label) in labels.iter().enumerate() {
            let reader = count_packets(&rx);
            let t = Instant::now();
            match i {
                0 => {
                    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
                    tx.set_broadcast(true).unwrap();
                    for k in 0..N {
                        let mut packet = [0xFFu8; 102];
                        for r in 0..16 {
                            packet[6 + r * 6..12 + r * 6].copy_from_slice(&mac(k).0);
                        }
                        tx.send_to(&packet, (target, 9)).expect("send");
                    }
                }
                1 => {
                    for k in 0..N {
                        greenict::scheduler::wol::send(mac(k), target, 1).expect("send");
                    }
                }
                _ => {
                    let jobs: Vec<WakeJob> = (0..N)
                        .map(|k| WakeJob {
                            action_id: k as i32,
                            asset_tag: format!("WCC-{k:06}"),
                            targets: Ok(vec![(mac(k), target)]),
                            note: None,
                        })
                        .collect();
                    let out = greenict::scheduler::wol::send_all(jobs, 1);
                    assert!(out.iter().all(|(_, r)| r.is_ok()), "every send succeeds");
                }
            }
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let received = reader.join().unwrap();
            println!("round {round} {label}: {N} packets sent in {ms:.1} ms; {received} received at {LISTENER}:9");
            times[i].push(ms);
        }
    }
    for (label, t) in labels.iter().zip(&times) {
        println!("median {label}: {:.1} ms (runs: {})", median(t), runs(t));
    }
    println!("peak RSS: {}", peak_rss());
}
