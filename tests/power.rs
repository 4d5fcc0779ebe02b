//! Power scheduling through the real HTTP interface and the real scheduler, on a fresh database per test
//! (SQLite file by default; PostgreSQL with GREENICT_TEST_DATABASE_URL). Wake-on-LAN packets go to a real
//! UDP socket bound on this test's own loopback address 127.0.0.N:9, standing in for a segment's
//! directed-broadcast address (wol-rs always sends to port 9; binding it needs root, as on the build and
//! CI machines).

mod common;

use chrono::{DateTime, Utc};
use common::{app, error_of, TestApp, WHO};
use greenict::scheduler::{Scheduler, SchedulerConfig};
use rocket::http::Status;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Statement};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::UdpSocket;

use greenict::store::power_action;

/// A listener on 127.0.0.N:9. Fails the test, saying why, if the port cannot be bound.
fn listener(n: u8) -> UdpSocket {
    let addr = format!("127.0.0.{n}:9");
    let s = UdpSocket::bind(&addr).unwrap_or_else(|e| {
        panic!(
            "cannot bind {addr} ({e}): this test needs to receive Wake-on-LAN packets on port 9, which needs root \
             or CAP_NET_BIND_SERVICE; run it as root (the build machine does) — it must not pass without it"
        )
    });
    s.set_nonblocking(true).expect("non-blocking");
    s
}

/// Every datagram waiting at the listener. Sends on loopback are delivered during `send_to`, and every
/// send here finishes before the call that made it returns, so nothing still in flight is missed.
fn drain(s: &UdpSocket) -> Vec<Vec<u8>> {
    let mut out = vec![];
    let mut buf = [0u8; 2048];
    loop {
        match s.recv_from(&mut buf) {
            Ok((n, _)) => out.push(buf[..n].to_vec()),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return out,
            Err(e) => panic!("receiving: {e}"),
        }
    }
}

/// The 102-byte magic packet, written out from its definition (6 × 0xFF, then the MAC 16 times), not
/// from the code under test.
fn expected_packet(mac: [u8; 6]) -> Vec<u8> {
    let mut p = vec![0xFF; 6];
    for _ in 0..16 {
        p.extend_from_slice(&mac);
    }
    assert_eq!(p.len(), 102);
    p
}

fn config(instance: &str) -> SchedulerConfig {
    SchedulerConfig { instance_id: instance.into(), wake_repeats: 3, ..SchedulerConfig::default() }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A site with one network segment whose broadcast address is 127.0.0.N; returns the site id.
async fn site_on_loopback(t: &TestApp, name: &str, n: u8) -> i64 {
    let id = plain_site(t, name).await;
    let (s, seg) = t
        .post(
            "/api/v1/network-segments",
            json!({"site_id": id, "name": "LAN", "cidr": "127.0.0.0/24", "broadcast_address": format!("127.0.0.{n}")}),
        )
        .await;
    assert_eq!(s, Status::Created, "{seg}");
    id
}

async fn pc(t: &TestApp, tag: &str, site_id: i64, mac: &str) {
    let (s, a) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": tag, "category": "desktop", "site_id": site_id, "mac_addresses": [mac],
                "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{a}");
}

/// A site with no network segment, for tests that send no packets.
async fn plain_site(t: &TestApp, name: &str) -> i64 {
    let (s, site) = t.post("/api/v1/sites", json!({"name": name})).await;
    assert_eq!(s, Status::Created, "{site}");
    site["id"].as_i64().unwrap()
}

/// A policy covering one site on a weekly schedule.
async fn site_policy(t: &TestApp, name: &str, site_id: i64, schedule: &str) -> Value {
    let (s, p) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": name, "target": "site", "site_id": site_id, "schedule": schedule}),
        )
        .await;
    assert_eq!(s, Status::Created, "{p}");
    p
}

async fn actions(db: &DatabaseConnection) -> Vec<power_action::Model> {
    power_action::Entity::find().all(db).await.unwrap()
}

/// A second, separate connection pool to the same database: another "instance" of the service.
async fn second_instance(db: &DatabaseConnection) -> DatabaseConnection {
    match std::env::var("GREENICT_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT current_schema() AS s"))
                .await
                .unwrap()
                .unwrap();
            let schema: String = row.try_get("", "s").unwrap();
            greenict::store::connect::connect(&url, Some(&schema)).await.unwrap()
        }
        None => {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA database_list"))
                .await
                .unwrap()
                .unwrap();
            let file: String = row.try_get("", "file").unwrap();
            greenict::store::connect::connect(&format!("sqlite://{file}?mode=rwc"), None).await.unwrap()
        }
    }
}

#[rocket::async_test]
async fn wake_now_sends_the_exact_magic_packet_for_each_mac_format() {
    let rx = listener(21);
    let t = app().await;
    let site = site_on_loopback(&t, "Library", 21).await;
    // Each written form the register accepts, each a different device so each packet can be told apart.
    let cases: [(&str, &str, [u8; 6]); 4] = [
        ("PC-COLON", "00:1a:2b:3c:4d:01", [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x01]),
        ("PC-DASH", "00-1A-2B-3C-4D-02", [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x02]),
        ("PC-CISCO", "001a.2b3c.4d03", [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x03]),
        ("PC-BARE", "001A2B3C4D04", [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x04]),
    ];
    for (tag, mac, bytes) in cases {
        pc(&t, tag, site, mac).await;
        let (s, out) = t.post("/api/v1/power/actions", json!({"kind": "wake", "asset_tag": tag})).await;
        assert_eq!(s, Status::Created, "{out}");
        assert_eq!(out["action_ids"].as_array().unwrap().len(), 1, "{out}");
        let got = drain(&rx);
        // The app's scheduler settings are the defaults: 3 repeats.
        assert_eq!(got.len(), 3, "{tag}: three repeats of one packet");
        for p in got {
            assert_eq!(p, expected_packet(bytes), "{tag} ({mac})");
        }
        let id = out["action_ids"][0].as_i64().unwrap();
        let (_, a) = t.get(&format!("/api/v1/power/actions/{id}")).await;
        assert_eq!(
            (a["state"].as_str(), a["cause"].as_str(), a["requested_by"].as_str()),
            (Some("sent"), Some("manual"), Some(WHO))
        );
        assert!(a["detail"].as_str().unwrap().contains("127.0.0.21:9"), "{a}");
        assert!(!a["detail"].as_str().unwrap().contains("port"), "the segment uses port 9: {a}");
    }
    // Each manual action is in the audit trail, naming who asked.
    let n =
        t.db.query_one_raw(Statement::from_string(
            t.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM audit_event WHERE entity_type = 'power_action' AND actor = '{WHO}'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(n, 4);
}

#[rocket::async_test]
async fn two_instances_ticking_together_send_each_wake_exactly_once() {
    let rx = listener(22);
    let t = app().await;
    let site = site_on_loopback(&t, "Civic Offices", 22).await;
    let mut macs = HashMap::new();
    for i in 0..20u8 {
        let mac = [0x02, 0, 0, 0, 0x22, i];
        let tag = format!("CO-{i:02}");
        pc(&t, &tag, site, &format!("02:00:00:00:22:{i:02x}")).await;
        macs.insert(expected_packet(mac), tag);
    }
    site_policy(&t, "Office hours", site, "mon-sun 07:00-19:00").await;

    // Wed 14/01/2026 07:10 GMT: the 07:00 wake is ten minutes late, still due.
    let now = at("2026-01-14T07:10:00Z");
    let (a, b) = (Scheduler::new(config("instance-a")), Scheduler::new(config("instance-b")));
    let db_b = second_instance(&t.db).await;
    let (ra, rb) = tokio::join!(a.tick(&t.db, now), b.tick(&db_b, now));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 20, "{ra:?} {rb:?}");
    // Planned once in all: 20 wakes today, 20 shutdowns at 19:00, 20 wakes tomorrow at 07:00.
    assert_eq!(ra.planned + rb.planned, 60, "{ra:?} {rb:?}");

    let got = drain(&rx);
    assert_eq!(got.len(), 20 * 3, "each wake's 3 repeats, and no wake sent twice");
    let mut per_asset: HashMap<&String, usize> = HashMap::new();
    for p in &got {
        *per_asset.entry(macs.get(p).expect("a packet for one of our MACs")).or_default() += 1;
    }
    assert!(per_asset.values().all(|n| *n == 3) && per_asset.len() == 20, "{per_asset:?}");

    let rows = actions(&t.db).await;
    assert_eq!(rows.len(), 60);
    let sent: Vec<&power_action::Model> = rows.iter().filter(|r| r.kind == "wake" && r.state == "sent").collect();
    assert_eq!(sent.len(), 20);
    assert!(sent.iter().all(|r| r.attempts == 1 && r.sent_at.is_some()));
    assert!(sent.iter().all(|r| {
        let by = r.claimed_by.as_deref().unwrap_or("");
        by.starts_with("instance-a#") || by.starts_with("instance-b#")
    }));
    let shutdowns: Vec<&power_action::Model> = rows.iter().filter(|r| r.kind == "shutdown").collect();
    assert_eq!(shutdowns.len(), 20);
    assert!(shutdowns.iter().all(|r| r.state == "planned" && r.scheduled_at == at("2026-01-14T19:00:00Z")));
    assert!(shutdowns.iter().all(|r| r.warning_minutes == Some(10)), "the policy's warning goes with the command");

    // Ticking again, together, a minute later: nothing new planned, nothing sent again.
    let later = at("2026-01-14T07:11:00Z");
    let (ra, rb) = tokio::join!(a.tick(&t.db, later), b.tick(&db_b, later));
    assert_eq!((ra.unwrap().sent, rb.unwrap().sent), (0, 0));
    assert!(drain(&rx).is_empty());
    assert_eq!(actions(&t.db).await.len(), 60);

    // The next five mornings, each instance claiming at the same moment with nothing left to plan first
    // (the closest race): still every wake exactly once. Each morning one instance plans the next day.
    for day in 15..20 {
        let ten_past = at(&format!("2026-01-{day}T07:10:00Z"));
        let (ra, rb) = tokio::join!(a.send_wakes(&t.db, ten_past, None), b.send_wakes(&db_b, ten_past, None));
        let ((sa, fa), (sb, fb)) = (ra.unwrap(), rb.unwrap());
        assert_eq!((sa + sb, fa + fb), (20, 0), "day {day}: a {sa}, b {sb}");
        let got = drain(&rx);
        assert_eq!(got.len(), 20 * 3, "day {day}");
        let distinct: std::collections::HashSet<&Vec<u8>> = got.iter().collect();
        assert_eq!(distinct.len(), 20, "day {day}");
        a.tick(&t.db, ten_past).await.unwrap();
    }
}

#[rocket::async_test]
async fn a_dead_instances_claim_is_taken_over_and_a_live_one_is_not() {
    let rx = listener(23);
    let t = app().await;
    let site = site_on_loopback(&t, "Depot", 23).await;
    pc(&t, "DEP-1", site, "02:00:00:00:23:01").await;
    pc(&t, "DEP-2", site, "02:00:00:00:23:02").await;
    site_policy(&t, "Depot", site, "mon-sun 07:00-19:00").await;
    let now = at("2026-01-14T07:05:00Z");
    let s = Scheduler::new(config("survivor"));
    // Plan only (the claim comes next), then pretend two other instances claimed the wakes: one died
    // (claim ran out a minute ago), one is alive (claim runs another minute).
    greenict::services::power_actions::plan(&t.db, now, s.rules()).await.unwrap();
    for (tag, until) in [("DEP-1", "2026-01-14T07:04:00Z"), ("DEP-2", "2026-01-14T07:06:00Z")] {
        let backend = t.db.get_database_backend();
        let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { "?".into() };
        let sql = format!(
            "UPDATE power_action SET state = 'claimed', claimed_by = 'other#1', claimed_until = {}, attempts = 1 \
             WHERE kind = 'wake' AND scheduled_at = {} AND asset_id = (SELECT id FROM asset WHERE asset_tag = {})",
            p(1),
            p(2),
            p(3)
        );
        t.db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [at(until).into(), at("2026-01-14T07:00:00Z").into(), tag.into()],
        ))
        .await
        .unwrap();
    }
    let r = s.tick(&t.db, now).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let got = drain(&rx);
    assert_eq!(got, vec![expected_packet([2, 0, 0, 0, 0x23, 1]); 3], "only the dead instance's wake is resent");
    let rows = actions(&t.db).await;
    let ids: HashMap<String, i32> = greenict::store::asset::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.asset_tag, a.id))
        .collect();
    let wake_of = |tag: &str| {
        rows.iter()
            .find(|r| r.kind == "wake" && r.asset_id == ids[tag] && r.scheduled_at == at("2026-01-14T07:00:00Z"))
            .unwrap()
            .clone()
    };
    assert_eq!(wake_of("DEP-1").state, "sent");
    assert_eq!(wake_of("DEP-1").attempts, 2);
    assert_eq!(wake_of("DEP-2").state, "claimed");
    assert_eq!(wake_of("DEP-2").claimed_by.as_deref(), Some("other#1"));
}

#[rocket::async_test]
async fn replanning_after_a_restart_is_idempotent_and_downtime_is_caught_up_sensibly() {
    let rx = listener(24);
    let t = app().await;
    let site = site_on_loopback(&t, "Leisure Centre", 24).await;
    pc(&t, "LC-1", site, "02:00:00:00:24:01").await;
    site_policy(&t, "Leisure", site, "mon-sun 07:00-19:00").await;
    let first = Scheduler::new(config("lc"));
    let now = at("2026-01-14T12:00:00Z");
    let r = first.tick(&t.db, now).await.unwrap();
    // 07:00 today is 5 h past (too late to plan); 19:00 today and 07:00 tomorrow are ahead.
    assert_eq!((r.planned, r.sent), (2, 0), "{r:?}");
    let before = actions(&t.db).await;

    // "Restart": a new scheduler with the same instance id, its sequence back at zero, ticking at once.
    let restarted = Scheduler::new(config("lc"));
    let r = restarted.tick(&t.db, at("2026-01-14T12:00:30Z")).await.unwrap();
    assert_eq!(r.planned, 0, "{r:?}");
    let after = actions(&t.db).await;
    assert_eq!(before.iter().map(|a| a.id).collect::<Vec<_>>(), after.iter().map(|a| a.id).collect::<Vec<_>>());

    // Down from 13:00 until 09:00 the next morning: the 19:00 shutdown no agent took is expired, not sent
    // at 09:00; the 07:00 wake, two hours late, is still sent.
    let r = restarted.tick(&t.db, at("2026-01-15T09:00:00Z")).await.unwrap();
    assert_eq!((r.expired, r.sent), (1, 1), "{r:?}");
    assert_eq!(drain(&rx).len(), 3);
    let rows = actions(&t.db).await;
    let shutdown = rows.iter().find(|a| a.kind == "shutdown" && a.scheduled_at == at("2026-01-14T19:00:00Z")).unwrap();
    assert_eq!(shutdown.state, "expired");
    assert!(shutdown.detail.as_deref().unwrap().contains("grace"), "{shutdown:?}");
    // Down once more until 10:00 on the 16th: that day's 07:00 wake is three hours late: expired, not sent.
    let r = restarted.tick(&t.db, at("2026-01-15T12:00:00Z")).await.unwrap();
    assert_eq!(r.sent, 0);
    let r = restarted.tick(&t.db, at("2026-01-16T10:00:00Z")).await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    let wake16 = actions(&t.db)
        .await
        .into_iter()
        .find(|a| a.kind == "wake" && a.scheduled_at == at("2026-01-16T07:00:00Z"))
        .unwrap();
    assert_eq!(wake16.state, "expired");
    assert!(drain(&rx).is_empty());
}

#[rocket::async_test]
async fn policies_resolve_most_specific_first_and_the_asset_says_why() {
    let t = app().await;
    let (site, dept, _) = t.seed_refs().await;
    for tag in ["LIB-PC-1", "LIB-KIOSK-1", "CO-PC-1"] {
        let (s, a) = t
            .post(
                "/api/v1/assets",
                json!({"asset_tag": tag, "category": "desktop", "site_id": site, "department_id": dept,
                    "mac_addresses": ["02:00:00:00:99:01"], "lifecycle_state": "deployed"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{a}");
    }
    // A bad schedule names the field and how to write it.
    let (s, e) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Bad", "target": "site", "site_id": site, "schedule": "weekdays 7-7"}),
        )
        .await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::UnprocessableEntity, Some("schedule")), "{e}");
    let (s, e) = t
        .post("/api/v1/power/policies", json!({"name": "No site", "target": "site", "schedule": "mon 07:00-19:00"}))
        .await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::UnprocessableEntity, Some("site_id")), "{e}");

    let (_, by_site) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Site", "target": "site", "site_id": site, "schedule": "mon-fri 07:30-19:00"}),
        )
        .await;
    assert_eq!(
        by_site["schedule"],
        "mon 07:30-19:00; tue 07:30-19:00; wed 07:30-19:00; thu 07:30-19:00; fri 07:30-19:00"
    );
    let (s, by_tag) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Library", "target": "tag", "tag_prefix": "LIB-", "schedule": "mon-sat 09:00-17:30",
                "off_action": "sleep", "patch_windows": "wed 02:00-04:00", "may_defer": true, "max_defer_minutes": 30}),
        )
        .await;
    assert_eq!(s, Status::Created, "{by_tag}");

    let (_, co) = t.get("/api/v1/assets/CO-PC-1/power").await;
    assert_eq!(co["policy_name"], "Site", "{co}");
    let (_, lib) = t.get("/api/v1/assets/LIB-PC-1/power").await;
    assert_eq!(lib["policy_name"], "Library", "{lib}");
    assert!(lib["reason"].as_str().unwrap().contains("starts with 'LIB-'"), "{lib}");
    assert_eq!(lib["overridden"][0]["policy_name"], "Site");
    assert!(lib["overridden"][0]["why"].as_str().unwrap().contains("tag policy is more specific than a site"));
    assert!(lib["next_actions"].as_array().unwrap().iter().any(|a| a["kind"] == "sleep"), "{lib}");

    // An explicit list beats the tag; an exclusion beats everything.
    let (s, list) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Kiosks", "target": "assets", "asset_tags": ["LIB-KIOSK-1"], "schedule": "mon-sun -22:00"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{list}");
    assert_eq!(list["asset_tags"], json!(["LIB-KIOSK-1"]));
    let (_, kiosk) = t.get("/api/v1/assets/LIB-KIOSK-1/power").await;
    assert_eq!(kiosk["policy_name"], "Kiosks", "{kiosk}");
    let (s, ex) = t
        .post("/api/v1/power/exclusions", json!({"asset_tag": "LIB-KIOSK-1", "reason": "public catalogue kiosk"}))
        .await;
    assert_eq!(s, Status::Created, "{ex}");
    let (_, kiosk) = t.get("/api/v1/assets/LIB-KIOSK-1/power").await;
    assert_eq!(kiosk["policy_id"], Value::Null);
    assert!(kiosk["reason"].as_str().unwrap().contains("public catalogue kiosk"), "{kiosk}");
    assert!(kiosk["next_actions"].as_array().unwrap().is_empty());

    // An excluded asset is never shut down by hand either; a group shutdown skips it and says so.
    let (s, out) = t.post("/api/v1/power/actions", json!({"kind": "shutdown", "site_id": site})).await;
    assert_eq!(s, Status::Created, "{out}");
    assert_eq!(out["action_ids"].as_array().unwrap().len(), 2);
    assert!(out["skipped"][0].as_str().unwrap().starts_with("LIB-KIOSK-1: excluded"), "{out}");
    // Manual shutdowns wait for the agent: planned, with the requested warning.
    let id = out["action_ids"][0].as_i64().unwrap();
    let (_, a) = t.get(&format!("/api/v1/power/actions/{id}")).await;
    assert_eq!((a["state"].as_str(), a["cause"].as_str()), (Some("planned"), Some("manual")));
    // ...and can be cancelled, once.
    let (s, c) = t.post(&format!("/api/v1/power/actions/{id}/cancel"), json!({})).await;
    assert_eq!((s, c["state"].as_str()), (Status::Ok, Some("cancelled")), "{c}");
    let (s, c) = t.post(&format!("/api/v1/power/actions/{id}/cancel"), json!({})).await;
    assert_eq!((s, error_of(&c).0.as_str()), (Status::Conflict, "illegal_transition"));
    // Who the action is for must exist (and not be disposed), and a group must have deployed assets.
    let (s, e) = t.post("/api/v1/power/actions", json!({"kind": "wake", "asset_tag": "NOPE-1"})).await;
    assert_eq!((s, error_of(&e).0.as_str()), (Status::NotFound, "not_found"), "{e}");
    let (_, empty) = t.post("/api/v1/departments", json!({"name": "Empty", "cost_centre": "EM1"})).await;
    let (s, e) = t.post("/api/v1/power/actions", json!({"kind": "wake", "department_id": empty["id"]})).await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::UnprocessableEntity, Some("department_id")), "{e}");
    let (s, e) = t.post("/api/v1/power/actions", json!({"kind": "reboot", "asset_tag": "CO-PC-1"})).await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::UnprocessableEntity, Some("kind")), "{e}");
    // The log filters by cause and state.
    let (_, log) = t.get("/api/v1/power/actions?cause=manual&state=planned").await;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    let (s, e) = t.get("/api/v1/power/actions?from=yesterday").await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::BadRequest, Some("from")));

    // The policy change is audited with who made it.
    let (s, _) = t.patch(&format!("/api/v1/power/policies/{}", by_site["id"]), json!({"enabled": false})).await;
    assert_eq!(s, Status::Ok);
    let (_, co) = t.get("/api/v1/assets/CO-PC-1/power").await;
    assert_eq!(co["policy_id"], Value::Null, "disabled policies never apply: {co}");
    let events = greenict::services::audit::history(&t.db, "power_policy", &by_site["id"].to_string()).await.unwrap();
    assert_eq!(
        events.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect::<Vec<_>>(),
        [("update", WHO), ("create", WHO)]
    );
}

#[rocket::async_test]
async fn an_opt_out_stops_shutdowns_until_it_expires() {
    let t = app().await;
    let site = site_on_loopback(&t, "Town Hall", 25).await;
    pc(&t, "TH-1", site, "02:00:00:00:25:01").await;
    site_policy(&t, "TH", site, "mon-sun 07:00-19:00").await;
    let ends = Utc::now() + chrono::Duration::hours(36);
    let (s, o) = t
        .post("/api/v1/power/opt-outs", json!({"asset_tag": "TH-1", "reason": "overnight render", "ends_at": ends}))
        .await;
    assert_eq!(s, Status::Created, "{o}");
    assert_eq!(o["active"], true);
    let (s, e) = t
        .post(
            "/api/v1/power/opt-outs",
            json!({"asset_tag": "TH-1", "reason": "x", "ends_at": Utc::now() + chrono::Duration::days(40)}),
        )
        .await;
    assert_eq!((s, error_of(&e).1.as_deref()), (Status::UnprocessableEntity, Some("ends_at")));

    // Plan the next day from now: wakes yes, shutdowns only after the opt-out ends.
    let sched = Scheduler::new(config("th"));
    let now = Utc::now();
    greenict::services::power_actions::plan(&t.db, now, sched.rules()).await.unwrap();
    let rows = actions(&t.db).await;
    assert!(rows.iter().any(|r| r.kind == "wake"), "{rows:?}");
    // (A shutdown in the last half hour, before the opt-out began, may still be planned: it is not covered.)
    assert!(!rows.iter().any(|r| r.kind == "shutdown" && r.scheduled_at >= now), "within 24 h every one is covered");
    let (_, page) = t.get("/api/v1/assets/TH-1/power").await;
    assert_eq!(page["opt_outs"][0]["reason"], "overnight render");
    // Once it is withdrawn, the next plan has the shutdowns again.
    let (s, _) = t.delete(&format!("/api/v1/power/opt-outs/{}", o["id"])).await;
    assert_eq!(s, Status::NoContent);
    greenict::services::power_actions::plan(&t.db, now, sched.rules()).await.unwrap();
    let shutdowns = power_action::Entity::find()
        .filter(power_action::Column::Kind.eq("shutdown"))
        .filter(power_action::Column::ScheduledAt.gte(now))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(shutdowns.len(), 1, "one 19:00 shutdown in the next 24 h");
}

#[rocket::async_test]
async fn pages_create_a_policy_show_it_on_the_asset_and_log_a_manual_wake() {
    let rx = listener(26);
    let t = app().await;
    let site = site_on_loopback(&t, "Central Library", 26).await;
    pc(&t, "CL-1", site, "02:00:00:00:26:01").await;

    let (s, page) = t.page("/power").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("Add a policy") && page.contains("_csrf"), "{page}");

    let form = |schedule: &str| {
        format!(
            "name=Library+hours&enabled=yes&target=site&site_id={site}&department_id=&category=&tag_prefix=&asset_tags=\
             &off_action=shutdown&schedule={schedule}&patch_windows=&warning_minutes=10&may_defer=no&max_defer_minutes=60\
             &bank_holidays_off=yes&notes="
        )
    };
    let (s, _, body) = t.post_form("/power/policies", &form("weekdays+7-7")).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(body.contains("The policy was not saved") && body.contains("is not a time"), "{body}");
    let (s, to, _) = t.post_form("/power/policies", &form("mon-sat+09%3A00-17%3A30")).await;
    assert_eq!(s, Status::SeeOther);
    let to = to.unwrap();
    assert!(to.starts_with("/power/policies/"), "{to}");
    let (s, policy_page) = t.page(&to).await;
    assert_eq!(s, Status::Ok);
    assert!(
        policy_page.contains("Policy &#39;Library hours&#39; saved") || policy_page.contains("Library hours"),
        "{policy_page}"
    );

    let (_, asset_page) = t.page("/assets/CL-1").await;
    assert!(asset_page.contains("Power management"), "{asset_page}");
    assert!(
        asset_page.contains("Library hours") && asset_page.contains("it is at the policy&#39;s site"),
        "{asset_page}"
    );

    let (s, back, _) = t.post_form("/power/manual", "kind=wake&asset_tag=CL-1&back=%2Fassets%2FCL-1").await;
    assert_eq!((s, back.as_deref()), (Status::SeeOther, Some("/assets/CL-1")));
    assert_eq!(drain(&rx), vec![expected_packet([2, 0, 0, 0, 0x26, 1]); 3]);
    let (_, log) = t.page("/power/actions?asset_tag=CL-1").await;
    assert!(log.contains(&format!("{WHO} (by hand)")) && log.contains("sent"), "{log}");
    assert!(log.contains("Central Library"), "{log}");
    // A redirect only to our own pages.
    let (_, back, _) = t.post_form("/power/manual", "kind=wake&asset_tag=CL-1&back=https%3A%2F%2Fevil.example").await;
    assert_eq!(back.as_deref(), Some("/power"));
}

/// The background loop: turned on in the configuration, it starts at lift-off and sends a due wake with
/// no one calling `tick`. (The test waits for that to happen; it does not time it.)
#[rocket::async_test]
async fn the_enabled_scheduler_runs_by_itself_after_liftoff() {
    let rx = listener(27);
    let (db, _backend, _dir) = common::fresh_db().await;
    let cfg = SchedulerConfig {
        enabled: true,
        interval_seconds: 1,
        instance_id: "background".into(),
        ..SchedulerConfig::default()
    };
    let figment = greenict::web::figment([127, 0, 0, 1].into(), 0).merge(("scheduler", &cfg));
    let client =
        rocket::local::asynchronous::Client::tracked(greenict::build_rocket(figment, db.clone())).await.unwrap();
    let token = common::token(&db, "power-test", greenict::domain::Role::Ict).await;
    let bearer = format!("Bearer {token}");
    let post = |path: &'static str, body: Value| {
        let (client, bearer) = (&client, bearer.clone());
        async move {
            let res = client
                .post(path)
                .header(rocket::http::ContentType::JSON)
                .header(rocket::http::Header::new("Authorization", bearer))
                .body(body.to_string())
                .dispatch()
                .await;
            let status = res.status();
            let v: Value = serde_json::from_str(&res.into_string().await.unwrap_or_default()).unwrap_or(Value::Null);
            assert!(status.code < 300, "{path}: {status} {v}");
            v
        }
    };
    let site = post("/api/v1/sites", json!({"name": "Museum"})).await["id"].as_i64().unwrap();
    post(
        "/api/v1/network-segments",
        json!({"site_id": site, "name": "LAN", "cidr": "127.0.0.0/24", "broadcast_address": "127.0.0.27"}),
    )
    .await;
    post(
        "/api/v1/assets",
        json!({"asset_tag": "MUS-1", "category": "desktop", "site_id": site, "mac_addresses": ["02:00:00:00:27:01"],
            "lifecycle_state": "deployed"}),
    )
    .await;
    // A wake five minutes ago, UK time, every day: due now, still useful.
    let wake = (Utc::now() - chrono::Duration::minutes(5)).with_timezone(&chrono_tz::Europe::London).format("%H:%M");
    post(
        "/api/v1/power/policies",
        json!({"name": "Museum", "target": "site", "site_id": site, "schedule": format!("mon-sun {wake}-")}),
    )
    .await;
    let mut got = vec![];
    for _ in 0..200 {
        got.extend(drain(&rx));
        if got.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got, vec![expected_packet([2, 0, 0, 0, 0x27, 1]); 3], "the background loop sent the wake");
    // The packets go before the row is marked sent: wait for that too. Today's wake, that is (tomorrow's is
    // planned too, within the 24-hour horizon).
    let mut sent = None;
    for _ in 0..200 {
        let rows = actions(&db).await;
        sent = rows.into_iter().find(|r| r.kind == "wake" && r.scheduled_at <= Utc::now());
        if sent.as_ref().is_some_and(|r| r.state != "claimed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sent = sent.expect("today's wake");
    assert_eq!(sent.state, "sent");
    assert!(sent.claimed_by.as_deref().unwrap().starts_with("background#"), "{sent:?}");
}

/// A steady tick plans only what is new since the previous one, but any change to what planning reads
/// (a new asset, a changed policy) is seen at the next tick. Dates are in the future so that changing a
/// policy withdraws its planned actions as it does in real use.
#[rocket::async_test]
async fn later_ticks_plan_only_the_new_slice_but_see_every_change() {
    let t = app().await;
    let site = site_on_loopback(&t, "Archive", 28).await;
    pc(&t, "AR-1", site, "02:00:00:00:28:01").await;
    let (_, p) = t
        .post(
            "/api/v1/power/policies",
            json!({"name": "Archive", "target": "site", "site_id": site, "schedule": "mon-sun 07:00-19:00"}),
        )
        .await;
    let s = Scheduler::new(config("archive"));
    let r = s.tick(&t.db, at("2027-01-13T06:00:00Z")).await.unwrap();
    assert_eq!(r.planned, 2, "07:00 wake and 19:00 shutdown");
    let r = s.tick(&t.db, at("2027-01-13T06:01:00Z")).await.unwrap();
    assert_eq!(r.planned, 0);

    // A new deployed asset: its actions are planned at the next tick, not only from the next new slice.
    pc(&t, "AR-2", site, "02:00:00:00:28:02").await;
    let r = s.tick(&t.db, at("2027-01-13T06:02:00Z")).await.unwrap();
    assert_eq!(r.planned, 2, "{r:?}");

    // The policy changes: its planned actions are withdrawn and the next tick plans the new times.
    let (st, _) =
        t.patch(&format!("/api/v1/power/policies/{}", p["id"]), json!({"schedule": "mon-sun 08:00-18:00"})).await;
    assert_eq!(st, Status::Ok);
    assert!(actions(&t.db).await.is_empty(), "future planned actions withdrawn");
    let r = s.tick(&t.db, at("2027-01-13T06:03:00Z")).await.unwrap();
    assert_eq!(r.planned, 4, "{r:?}");
    let mut times: Vec<(String, String)> =
        actions(&t.db).await.into_iter().map(|a| (a.kind, a.scheduled_at.format("%H:%M").to_string())).collect();
    times.sort();
    times.dedup();
    assert_eq!(times, [("shutdown".to_string(), "18:00".to_string()), ("wake".to_string(), "08:00".to_string())]);

    // A day of steady ticks plans each next day's actions exactly once.
    let mut planned = 0;
    for minute in (4..24 * 60).step_by(7) {
        let now = at("2027-01-13T06:00:00Z") + chrono::Duration::minutes(minute);
        planned += s.tick(&t.db, now).await.unwrap().planned;
    }
    assert_eq!(planned, 4, "the next day's wake and shutdown for two assets");
}

/// An asset moved to another site (a change made in the register, not to a policy) loses the old site's
/// planned actions and gets the new site's at the next tick; a retired asset loses them all.
#[rocket::async_test]
async fn moving_or_retiring_an_asset_replans_it() {
    let t = app().await;
    let north = site_on_loopback(&t, "North Depot", 29).await;
    let south = site_on_loopback(&t, "South Depot", 30).await;
    pc(&t, "MV-1", north, "02:00:00:00:29:01").await;
    for (name, site, schedule) in [("North", north, "mon-sun 07:00-19:00"), ("South", south, "mon-sun 08:00-20:00")] {
        let (s, p) = t
            .post(
                "/api/v1/power/policies",
                json!({"name": name, "target": "site", "site_id": site, "schedule": schedule}),
            )
            .await;
        assert_eq!(s, Status::Created, "{p}");
    }
    let s = Scheduler::new(config("mover"));
    s.tick(&t.db, at("2027-01-13T06:00:00Z")).await.unwrap();
    let hours = |rows: Vec<power_action::Model>| {
        let mut h: Vec<String> = rows.into_iter().map(|a| a.scheduled_at.format("%H:%M").to_string()).collect();
        h.sort();
        h
    };
    assert_eq!(hours(actions(&t.db).await), ["07:00", "19:00"]);

    let (st, a) = t.patch("/api/v1/assets/MV-1", json!({"site_id": south})).await;
    assert_eq!(st, Status::Ok, "{a}");
    s.tick(&t.db, at("2027-01-13T06:01:00Z")).await.unwrap();
    assert_eq!(hours(actions(&t.db).await), ["08:00", "20:00"]);

    let (st, a) = t.patch("/api/v1/assets/MV-1", json!({"lifecycle_state": "in_repair"})).await;
    assert_eq!(st, Status::Ok, "{a}");
    s.tick(&t.db, at("2027-01-13T06:02:00Z")).await.unwrap();
    assert!(actions(&t.db).await.is_empty());
}

/// A segment set to another Wake-on-LAN port: wol-rs can only send to port 9, so the packet goes there and
/// the action's detail says so rather than hide it.
#[rocket::async_test]
async fn a_segment_asking_for_another_port_is_told_the_packet_went_to_9() {
    let rx = listener(31);
    let t = app().await;
    let (_, site) = t.post("/api/v1/sites", json!({"name": "Pool"})).await;
    let site = site["id"].as_i64().unwrap();
    let (s, seg) = t
        .post(
            "/api/v1/network-segments",
            json!({"site_id": site, "name": "LAN", "cidr": "127.0.0.0/24", "broadcast_address": "127.0.0.31", "wol_port": 7}),
        )
        .await;
    assert_eq!(s, Status::Created, "{seg}");
    pc(&t, "POOL-1", site, "02:00:00:00:31:01").await;
    let (_, out) = t.post("/api/v1/power/actions", json!({"kind": "wake", "asset_tag": "POOL-1"})).await;
    assert_eq!(drain(&rx), vec![expected_packet([2, 0, 0, 0, 0x31, 1]); 3]);
    let (_, a) = t.get(&format!("/api/v1/power/actions/{}", out["action_ids"][0])).await;
    assert!(a["detail"].as_str().unwrap().contains("asks for port 7, but wol-rs always sends to port 9"), "{a}");
}

#[rocket::async_test]
async fn a_tick_writes_at_most_its_row_budget_earliest_first_and_loses_nothing_on_restart() {
    let t = app().await;
    // No segment broadcast address: nothing is due to be sent in this test anyway (no tick is at a wake).
    let site = plain_site(&t, "Depot").await;
    for i in 1..=5 {
        pc(&t, &format!("DP-{i}"), site, &format!("02:00:00:00:30:0{i}")).await;
    }
    site_policy(&t, "Depot", site, "mon-sun 07:00-19:00").await;
    // At 12:00 (UTC, winter) the window holds today's 19:00 shutdowns and tomorrow's 07:00 wakes: 10 rows.
    let budget = |n| SchedulerConfig { plan_rows_per_tick: n, ..config("dp") };
    let s = Scheduler::new(budget(3));
    let mut planned = vec![];
    for minute in 0..5 {
        let r = s.tick(&t.db, at("2026-01-14T12:00:00Z") + chrono::Duration::seconds(minute)).await.unwrap();
        planned.push(r.planned);
    }
    assert_eq!(planned, [3, 3, 3, 1, 0]);
    let rows = actions(&t.db).await;
    assert_eq!(rows.len(), 10);
    // Earliest first: the first three rows written are 19:00 shutdowns.
    let mut by_id = rows.clone();
    by_id.sort_by_key(|r| r.id);
    assert!(by_id[..3].iter().all(|r| r.kind == "shutdown" && r.scheduled_at == at("2026-01-14T19:00:00Z")));

    // As if the instance had died before writing tomorrow's wakes: a restarted one re-decides its window
    // and writes only what is missing, once.
    t.db.execute_unprepared("DELETE FROM power_action WHERE kind = 'wake'").await.unwrap();
    let restarted = Scheduler::new(budget(4));
    let mut planned = vec![];
    for minute in 0..4 {
        let r = restarted.tick(&t.db, at("2026-01-14T12:01:00Z") + chrono::Duration::seconds(minute)).await.unwrap();
        planned.push(r.planned);
    }
    // 10 rows decided, 4 a tick: 4 (shutdowns, already there: 0 new) + 4 (1 shutdown, 3 wakes: 3 new) +
    // 2 (wakes: 2 new).
    assert_eq!(planned, [0, 3, 2, 0]);
    let rows = actions(&t.db).await;
    assert_eq!(rows.len(), 10);
    let mut keys: Vec<_> = rows.iter().map(|r| (r.asset_id, r.kind.clone(), r.scheduled_at)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 10, "each (asset, kind, time) once");
    assert!(SchedulerConfig { plan_rows_per_tick: 0, ..config("x") }.validate().is_err());
}

/// A restarted instance whose inputs have not changed since stale actions were last withdrawn trusts the
/// planned rows instead of reading them all again (so a row planted behind the scheduler's back stays);
/// once something changes, the next tick withdraws what no longer fits, the planted row with it.
#[rocket::async_test]
async fn a_restart_under_unchanged_inputs_trusts_the_plan_and_a_change_still_withdraws() {
    use sea_orm::{ActiveModelTrait, NotSet, Set};
    let t = app().await;
    let (east, west) = (plain_site(&t, "East Depot").await, plain_site(&t, "West Depot").await);
    pc(&t, "EA-1", east, "02:00:00:00:31:01").await;
    pc(&t, "EA-2", east, "02:00:00:00:31:02").await;
    pc(&t, "WE-1", west, "02:00:00:00:31:03").await;
    site_policy(&t, "East", east, "mon-sun 07:00-19:00").await;
    let noon = at("2026-01-14T12:00:00Z");
    Scheduler::new(config("first")).tick(&t.db, noon).await.unwrap();
    assert_eq!(actions(&t.db).await.len(), 4, "EA-1 and EA-2: tonight's shutdown and tomorrow's wake");

    // A planned row the policy does not cover, written without touching anything planning reads.
    let template = actions(&t.db).await[0].clone();
    let we1: i32 = t.get("/api/v1/assets/WE-1").await.1["id"].as_i64().unwrap() as i32;
    power_action::ActiveModel { id: NotSet, asset_id: Set(we1), detail: Set(None), ..template.into() }
        .insert(&t.db)
        .await
        .unwrap();

    Scheduler::new(config("restarted")).tick(&t.db, noon + chrono::Duration::minutes(1)).await.unwrap();
    let rows = actions(&t.db).await;
    assert_eq!(rows.len(), 5, "nothing re-planned, nothing withdrawn: the planned rows were trusted");

    let again = Scheduler::new(config("again"));
    again.tick(&t.db, noon + chrono::Duration::minutes(2)).await.unwrap();
    let (st, a) = t.patch("/api/v1/assets/EA-2", json!({"site_id": west})).await;
    assert_eq!(st, Status::Ok, "{a}");
    again.tick(&t.db, noon + chrono::Duration::minutes(3)).await.unwrap();
    let mut left: Vec<i32> = actions(&t.db).await.into_iter().map(|r| r.asset_id).collect();
    left.sort();
    let ea1 = t.get("/api/v1/assets/EA-1").await.1["id"].as_i64().unwrap() as i32;
    assert_eq!(left, [ea1, ea1], "EA-2 moved away and the planted WE-1 row are withdrawn");
}

/// The scheduler decides policies for whole groups of assets at once (BENCHMARKS.md, issue 5); each asset
/// still gets the policy its own page names, for every kind of target, tag prefixes compared without
/// regard to case, disabled policies, exclusions and assets not deployed.
#[rocket::async_test]
async fn the_scheduler_plans_each_asset_under_the_policy_its_page_names() {
    let t = app().await;
    let (a, b) = (plain_site(&t, "Alpha House").await, plain_site(&t, "Beta House").await);
    let (s, d) = t.post("/api/v1/departments", json!({"name": "Libraries", "cost_centre": "LB100"})).await;
    assert_eq!(s, Status::Created, "{d}");
    let dept = d["id"].as_i64().unwrap();
    let assets = [
        ("LIB-PC-1", Some(a), None, "desktop", "deployed"),
        ("lib-pc-2", Some(a), Some(dept), "laptop", "deployed"),
        ("Lib-Kiosk-1", Some(b), None, "desktop", "deployed"),
        ("LIB-KIOSK-2", Some(b), None, "desktop", "deployed"),
        ("CO-PC-1", Some(a), Some(dept), "desktop", "deployed"),
        ("CO-PC-2", Some(b), None, "desktop", "deployed"),
        ("CO-PC-3", Some(a), None, "laptop", "deployed"),
        ("CO-LT-1", None, None, "laptop", "deployed"),
        ("CO-LT-2", None, Some(dept), "thin_client", "deployed"),
        ("CCTV-1", Some(b), None, "desktop", "deployed"),
        ("OLD-1", Some(a), None, "desktop", "in_repair"),
    ];
    for (tag, site, dept, category, state) in assets {
        let (s, r) = t
            .post(
                "/api/v1/assets",
                json!({"asset_tag": tag, "category": category, "site_id": site, "department_id": dept,
                    "lifecycle_state": state}),
            )
            .await;
        assert_eq!(s, Status::Created, "{r}");
    }
    let policies = [
        json!({"name": "Desktops", "target": "category", "category": "desktop", "schedule": "mon-sun 06:00-20:00"}),
        json!({"name": "Alpha", "target": "site", "site_id": a, "schedule": "mon-sun 07:00-19:00"}),
        json!({"name": "Beta", "target": "site", "site_id": b, "schedule": "mon-sun 07:05-19:05", "enabled": false}),
        json!({"name": "Libraries", "target": "department", "department_id": dept, "schedule": "mon-sun 07:10-19:10"}),
        json!({"name": "Lib", "target": "tag", "tag_prefix": "lib-", "schedule": "mon-sun 07:20-19:20"}),
        json!({"name": "Lib PCs", "target": "tag", "tag_prefix": "LIB-PC-", "schedule": "mon-sun 07:30-19:30"}),
        json!({"name": "Kiosk 2", "target": "assets", "asset_tags": ["LIB-KIOSK-2"], "schedule": "mon-sun 07:40-19:40"}),
    ];
    let mut names = HashMap::new();
    for p in policies {
        let (s, r) = t.post("/api/v1/power/policies", p).await;
        assert_eq!(s, Status::Created, "{r}");
        names.insert(r["id"].as_i64().unwrap() as i32, r["name"].as_str().unwrap().to_string());
    }
    let (s, r) = t.post("/api/v1/power/exclusions", json!({"asset_tag": "CCTV-1", "reason": "CCTV recorder"})).await;
    assert_eq!(s, Status::Created, "{r}");

    Scheduler::new(config("groups")).tick(&t.db, at("2027-01-13T05:00:00Z")).await.unwrap();
    let mut planned: HashMap<i32, Vec<Option<i32>>> = HashMap::new();
    for row in actions(&t.db).await {
        planned.entry(row.asset_id).or_default().push(row.policy_id);
    }
    let mut got = vec![];
    for (tag, ..) in assets {
        let id = t.get(&format!("/api/v1/assets/{tag}")).await.1["id"].as_i64().unwrap() as i32;
        let (_, page) = t.get(&format!("/api/v1/assets/{tag}/power")).await;
        let deployed = !page["reason"].as_str().unwrap().contains("not deployed");
        let named = page["policy_id"].as_i64().map(|p| p as i32).filter(|_| deployed);
        let rows = planned.remove(&id).unwrap_or_default();
        assert!(rows.iter().all(|p| *p == named), "{tag}: planned under {rows:?}, its page names {named:?}");
        assert_eq!(rows.len(), if named.is_some() { 2 } else { 0 }, "{tag}: a wake and a shutdown");
        got.push((tag, named.map(|p| names[&p].as_str())));
    }
    assert_eq!(
        got,
        [
            ("LIB-PC-1", Some("Lib PCs")),
            ("lib-pc-2", Some("Lib PCs")),
            ("Lib-Kiosk-1", Some("Lib")),
            ("LIB-KIOSK-2", Some("Kiosk 2")),
            ("CO-PC-1", Some("Libraries")),
            ("CO-PC-2", Some("Desktops")),
            ("CO-PC-3", Some("Alpha")),
            ("CO-LT-1", None),
            ("CO-LT-2", Some("Libraries")),
            ("CCTV-1", None),
            ("OLD-1", None),
        ]
    );
}
