//! The agent API through the real HTTP interface on a fresh database per test (SQLite by default,
//! PostgreSQL with GREENICT_TEST_DATABASE_URL): enrolment with tokens from ICT staff, check-ins that
//! deliver due shutdowns once and confirm wakes, outcomes (done, deferred, failed), a device token acting
//! only for its own asset (403 otherwise), bad tokens (401), the hourly roll-up, observed hours, the
//! "left on overnight" list and the energy estimate preferring observed hours.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{app, error_of, TestApp};
use rocket::http::{ContentType, Header, Status};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, NotSet, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};

use greenict::store::{agent_checkin, agent_enrolment_token, agent_hour, audit_event, power_action};

async fn post_bearer(t: &TestApp, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
    let mut req = t.client.post(path.to_string()).header(ContentType::JSON).body(body.to_string());
    if let Some(token) = token {
        req = req.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    common::body(req.dispatch().await).await
}

async fn new_asset(t: &TestApp, tag: &str, site: i64, mac: &str) {
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": tag, "category": "desktop", "site_id": site, "hostname": format!("host-{tag}"),
                "mac_addresses": [mac], "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

async fn enrolment_token(t: &TestApp, body: Value) -> String {
    let (s, v) = t.post("/api/v1/agent-enrolment-tokens", body).await;
    assert_eq!(s, Status::Created, "{v}");
    v["token"].as_str().unwrap().to_string()
}

async fn enrol(t: &TestApp, token: &str, body: Value) -> (Status, Value) {
    post_bearer(t, "/api/v1/agent/enrol", Some(token), body).await
}

/// A check-in row for the asset: on for ten hours, a one-minute interval; `seen_at` is set by the caller.
fn agent_checkin_row(asset_id: i32) -> agent_checkin::ActiveModel {
    agent_checkin::ActiveModel {
        id: NotSet,
        asset_id: Set(asset_id),
        seen_at: NotSet,
        interval_seconds: Set(60),
        uptime_seconds: Set(Some(36_000)),
        idle_seconds: Set(Some(0)),
        user_active: Set(Some(false)),
        on_battery: Set(Some(false)),
    }
}

fn checkin_body(tag: &str) -> Value {
    json!({"asset_tag": tag, "hostname": "pc", "mac_addresses": [], "interval_seconds": 60,
        "uptime_seconds": 3600, "idle_seconds": 30, "user_active": true, "on_battery": false})
}

async fn asset_id(t: &TestApp, tag: &str) -> i32 {
    let (_, a) = t.get(&format!("/api/v1/assets/{tag}")).await;
    a["id"].as_i64().unwrap() as i32
}

/// A power action row as the policies branch would write it.
async fn action(
    t: &TestApp,
    asset_id: i32,
    kind: &str,
    state: &str,
    at: DateTime<Utc>,
    defer: Option<i32>,
) -> power_action::Model {
    let now = Utc::now();
    power_action::ActiveModel {
        id: NotSet,
        asset_id: Set(asset_id),
        kind: Set(kind.into()),
        scheduled_at: Set(at),
        cause: Set("policy".into()),
        policy_id: Set(Some(7)),
        requested_by: Set("scheduler".into()),
        state: Set(state.into()),
        warning_minutes: Set(Some(5)),
        may_defer: Set(defer.is_some()),
        max_defer_minutes: Set(defer),
        claimed_by: Set(None),
        claimed_until: Set(None),
        attempts: Set(0),
        sent_at: Set((state == "sent").then(|| now - Duration::minutes(1))),
        delivered_at: Set(None),
        confirmed_at: Set(None),
        finished_at: Set(None),
        detail: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&t.db)
    .await
    .unwrap()
}

async fn action_by_id(t: &TestApp, id: i32) -> power_action::Model {
    power_action::Entity::find_by_id(id).one(&t.db).await.unwrap().unwrap()
}

/// Two assets at one site, each enrolled: returns their device tokens.
async fn two_enrolled(t: &TestApp) -> (String, String, i64) {
    let (site, _, _) = t.seed_refs().await;
    new_asset(t, "WCC-000001", site, "00-1A-2B-3C-4D-01").await;
    new_asset(t, "WCC-000002", site, "00-1A-2B-3C-4D-02").await;
    let token = enrolment_token(t, json!({"label": "Floor 2 rollout", "site_id": site})).await;
    // A by its MAC address (in another written form), B named explicitly.
    let (s, a) = enrol(t, &token, json!({"hostname": "whatever", "mac_addresses": ["00:1a:2b:3c:4d:01"]})).await;
    assert_eq!((s, a["asset_tag"].as_str()), (Status::Ok, Some("WCC-000001")), "{a}");
    let (s, b) = enrol(t, &token, json!({"hostname": "x", "asset_tag": "WCC-000002"})).await;
    assert_eq!(s, Status::Ok, "{b}");
    (a["device_token"].as_str().unwrap().into(), b["device_token"].as_str().unwrap().into(), site)
}

#[rocket::async_test]
async fn enrol_check_in_receive_a_shutdown_once_and_confirm_it() {
    let t = app().await;
    let (token_a, _, _) = two_enrolled(&t).await;

    // The enrolment token is shown once and stored hashed.
    let (_, list) = t.get("/api/v1/agent-enrolment-tokens").await;
    assert!(list[0].get("token").is_none(), "{list}");
    assert_eq!((list[0]["uses"].as_i64(), list[0]["status"].as_str()), (Some(2), Some("usable")));
    let stored = agent_enrolment_token::Entity::find().one(&t.db).await.unwrap().unwrap();
    assert_eq!(stored.token_hash.len(), 64);
    let (_, devices) = t.get("/api/v1/agent-devices").await;
    assert_eq!(devices.as_array().unwrap().len(), 2);
    assert_eq!(devices[0]["mac_addresses"], "00:1a:2b:3c:4d:01");

    // Nothing due: no command.
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    assert_eq!((s, r["commands"].as_array().map(Vec::len)), (Status::Ok, Some(0)), "{r}");

    // Due in 3 minutes with a 5-minute warning: delivered now, once.
    let a_id = asset_id(&t, "WCC-000001").await;
    let later = action(&t, a_id, "shutdown", "planned", Utc::now() + Duration::hours(2), None).await;
    let due = action(&t, a_id, "shutdown", "planned", Utc::now() + Duration::minutes(3), None).await;
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    assert_eq!(s, Status::Ok, "{r}");
    let commands = r["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 1, "{r}");
    assert_eq!(
        (commands[0]["action_id"].as_i64(), commands[0]["kind"].as_str()),
        (Some(due.id as i64), Some("shutdown"))
    );
    assert_eq!(commands[0]["warning_minutes"], 5);
    assert_eq!(action_by_id(&t, due.id).await.state, "delivered");
    assert_eq!(action_by_id(&t, later.id).await.state, "planned", "not yet in its warning");
    let (_, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    assert_eq!(r["commands"].as_array().map(Vec::len), Some(0), "delivered only once");

    let (s, r) = post_bearer(
        &t,
        "/api/v1/agent/outcome",
        Some(&token_a),
        json!({"action_id": due.id, "outcome": "done", "dry_run": true}),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (Status::Ok, Some("confirmed")), "{r}");
    let done = action_by_id(&t, due.id).await;
    assert_eq!(done.state, "confirmed");
    assert!(done.confirmed_at.is_some() && done.finished_at.is_some() && done.delivered_at.is_some());
    // A second report is refused: the action is no longer awaiting one.
    let (s, r) =
        post_bearer(&t, "/api/v1/agent/outcome", Some(&token_a), json!({"action_id": due.id, "outcome": "done"})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Conflict, "not_delivered"));

    // The audit trail names the agent for the delivery and the confirmation.
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("power_action"))
        .filter(audit_event::Column::EntityId.eq(due.id.to_string()))
        .order_by_asc(audit_event::Column::Id)
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.actor == "agent:WCC-000001" && e.actor_kind == "agent"));
    assert!(events[1].after_json.as_deref().unwrap_or("").contains("\"confirmed\""));
    // Check-ins were stored, one row each.
    assert_eq!(agent_checkin::Entity::find().count(&t.db).await.unwrap(), 3);
}

#[rocket::async_test]
async fn a_device_token_acts_only_for_its_own_asset() {
    let t = app().await;
    let (token_a, token_b, _) = two_enrolled(&t).await;
    // A's token reporting for B.
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000002")).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Forbidden, "not_your_asset"), "{r}");
    assert_eq!(agent_checkin::Entity::find().count(&t.db).await.unwrap(), 0, "nothing recorded");

    // An interval out of range is named; with an unknown token, or a body that is not a check-in, the
    // token is what is refused. None of these records anything.
    let mut bad_interval = checkin_body("WCC-000001");
    bad_interval["interval_seconds"] = json!(0);
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), bad_interval.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{r}");
    assert_eq!(error_of(&r), ("out_of_range".into(), Some("interval_seconds".into())));
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some("gid_0000"), bad_interval).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "invalid_token"), "{r}");
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some("gid_0000"), json!({"asset_tag": 7})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "invalid_token"), "{r}");
    let (s, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), json!({"asset_tag": 7})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{r}");
    assert_eq!(agent_checkin::Entity::find().count(&t.db).await.unwrap(), 0, "nothing recorded");

    // A's token reporting on B's action.
    let b_id = asset_id(&t, "WCC-000002").await;
    let b_action = action(&t, b_id, "shutdown", "planned", Utc::now(), None).await;
    let (_, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_b), checkin_body("WCC-000002")).await;
    assert_eq!(r["commands"][0]["action_id"].as_i64(), Some(b_action.id as i64));
    let (s, r) = post_bearer(
        &t,
        "/api/v1/agent/outcome",
        Some(&token_a),
        json!({"action_id": b_action.id, "outcome": "failed", "reason": "spoofed"}),
    )
    .await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Forbidden, "not_your_asset"));
    assert_eq!(action_by_id(&t, b_action.id).await.state, "delivered", "unchanged");

    // Enrolling with a token bound to another site.
    let (s, other_site) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!(s, Status::Created);
    let depot_token = enrolment_token(&t, json!({"label": "Depot", "site_id": other_site["id"]})).await;
    let (s, r) = enrol(&t, &depot_token, json!({"hostname": "x", "asset_tag": "WCC-000001"})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Forbidden, "not_your_asset"), "{r}");
}

#[rocket::async_test]
async fn missing_unknown_expired_revoked_and_used_up_tokens_are_401() {
    let t = app().await;
    let (token_a, _, site) = two_enrolled(&t).await;
    let check = |token: Option<String>| {
        let t = &t;
        async move { post_bearer(t, "/api/v1/agent/checkin", token.as_deref(), checkin_body("WCC-000001")).await }
    };
    let (s, r) = check(None).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "missing_token"));
    let (s, r) = check(Some("gid_0000".into())).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "invalid_token"));
    // An enrolment token is not a device token.
    let enrol_token = enrolment_token(&t, json!({"label": "one use", "site_id": site, "max_uses": 1})).await;
    let (s, _) = check(Some(enrol_token.clone())).await;
    assert_eq!(s, Status::Unauthorized);

    // Used up after one enrolment (re-enrolling A replaces its token: the old one stops working).
    let (s, r) = enrol(&t, &enrol_token, json!({"hostname": "x", "asset_tag": "WCC-000001"})).await;
    assert_eq!(s, Status::Ok, "{r}");
    let (s, _) = check(Some(token_a.clone())).await;
    assert_eq!(s, Status::Unauthorized, "the replaced device token");
    let new_a = r["device_token"].as_str().unwrap().to_string();
    let (s, _) = check(Some(new_a.clone())).await;
    assert_eq!(s, Status::Ok);
    let (s, r) = enrol(&t, &enrol_token, json!({"hostname": "x", "asset_tag": "WCC-000001"})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "used_up_token"));

    // Expired.
    let expiring = enrolment_token(&t, json!({"label": "expiring", "valid_days": 1})).await;
    let row = agent_enrolment_token::Entity::find()
        .filter(agent_enrolment_token::Column::Label.eq("expiring"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: agent_enrolment_token::ActiveModel = row.into();
    m.expires_at = Set(Utc::now() - Duration::minutes(1));
    m.update(&t.db).await.unwrap();
    let (s, r) = enrol(&t, &expiring, json!({"hostname": "x", "asset_tag": "WCC-000002"})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "expired_token"));
    let (s, r) = enrol(&t, "gie_nonsense", json!({"hostname": "x", "asset_tag": "WCC-000002"})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "invalid_token"));

    // Revoked device.
    let (_, devices) = t.get("/api/v1/agent-devices").await;
    let a_device = devices.as_array().unwrap().iter().find(|d| d["asset_tag"] == "WCC-000001").unwrap()["id"].clone();
    let (s, v) = t.delete(&format!("/api/v1/agent-devices/{a_device}")).await;
    assert_eq!(s, Status::Ok, "{v}");
    let before = agent_checkin::Entity::find().count(&t.db).await.unwrap();
    let (s, r) = check(Some(new_a)).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Unauthorized, "revoked_token"));
    assert_eq!(agent_checkin::Entity::find().count(&t.db).await.unwrap(), before, "a revoked token records nothing");

    // Bad requests for a token are named.
    let (s, r) = t.post("/api/v1/agent-enrolment-tokens", json!({"label": " ", "valid_days": 400})).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(r["error"]["details"].as_array().map(Vec::len), Some(2), "{r}");
}

#[rocket::async_test]
async fn deferral_within_the_allowance_plans_a_new_action_and_beyond_it_does_not() {
    let t = app().await;
    let (token_a, _, _) = two_enrolled(&t).await;
    let a_id = asset_id(&t, "WCC-000001").await;
    let at = Utc.timestamp_opt(Utc::now().timestamp() + 60, 0).unwrap();
    let first = action(&t, a_id, "shutdown", "planned", at, Some(30)).await;
    post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    let (s, r) = post_bearer(
        &t,
        "/api/v1/agent/outcome",
        Some(&token_a),
        json!({"action_id": first.id, "outcome": "deferred", "defer_minutes": 20}),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (Status::Ok, Some("deferred")), "{r}");
    let new_time = at + Duration::minutes(20);
    let planned = power_action::Entity::find()
        .filter(power_action::Column::AssetId.eq(a_id))
        .filter(power_action::Column::State.eq("planned"))
        .one(&t.db)
        .await
        .unwrap()
        .expect("a new planned action");
    assert_eq!(planned.scheduled_at, new_time);
    assert_eq!((planned.kind.as_str(), planned.cause.as_str(), planned.policy_id), ("shutdown", "policy", Some(7)));
    assert_eq!((planned.may_defer, planned.max_defer_minutes), (true, Some(10)), "20 of 30 minutes spent");
    assert!(action_by_id(&t, first.id).await.detail.unwrap().contains(&format!("to action {}", planned.id)));

    // Deferring the new one by more than the 10 minutes left: recorded as deferred, nothing planned.
    let mut m: power_action::ActiveModel = planned.clone().into();
    m.scheduled_at = Set(Utc::now());
    m.update(&t.db).await.unwrap();
    let (_, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    assert_eq!(r["commands"][0]["max_defer_minutes"], 10);
    let (s, r) = post_bearer(
        &t,
        "/api/v1/agent/outcome",
        Some(&token_a),
        json!({"action_id": planned.id, "outcome": "deferred", "defer_minutes": 45}),
    )
    .await;
    assert_eq!((s, r["deferred_to"].clone()), (Status::Ok, Value::Null), "{r}");
    assert!(r["detail"].as_str().unwrap().contains("only 10 minutes are left"), "{r}");
    let open = power_action::Entity::find()
        .filter(power_action::Column::AssetId.eq(a_id))
        .filter(power_action::Column::State.eq("planned"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(open, 0);
}

#[rocket::async_test]
async fn failure_wake_confirmation_and_expiry() {
    let t = app().await;
    let (token_a, _, _) = two_enrolled(&t).await;
    let a_id = asset_id(&t, "WCC-000001").await;
    let sleep = action(&t, a_id, "sleep", "planned", Utc::now(), None).await;
    let stale = action(&t, a_id, "shutdown", "planned", Utc::now() - Duration::hours(3), None).await;
    let wake = action(&t, a_id, "wake", "sent", Utc::now() - Duration::minutes(2), None).await;
    let (_, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    let commands = r["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 1, "only the sleep: {r}");
    assert_eq!(commands[0]["kind"], "sleep");
    let stale = action_by_id(&t, stale.id).await;
    assert_eq!(stale.state, "expired", "a shutdown three hours late is not sent");
    let wake = action_by_id(&t, wake.id).await;
    assert_eq!(wake.state, "confirmed");
    assert!(wake.confirmed_at.is_some());

    let (s, r) = post_bearer(
        &t,
        "/api/v1/agent/outcome",
        Some(&token_a),
        json!({"action_id": sleep.id, "outcome": "failed", "reason": "systemctl suspend: access denied"}),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (Status::Ok, Some("failed")), "{r}");
    let failed = action_by_id(&t, sleep.id).await;
    assert_eq!(failed.detail.as_deref(), Some("systemctl suspend: access denied"));
    assert!(failed.finished_at.is_some());

    // A shutdown delivered but never reported (the report went down with the PC): the next check-in,
    // from a device up for 2 minutes, confirms it; one up since before the delivery does not.
    let unreported = action(&t, a_id, "shutdown", "planned", Utc::now() + Duration::minutes(1), None).await;
    let (_, r) = post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), checkin_body("WCC-000001")).await;
    assert_eq!(r["commands"][0]["action_id"].as_i64(), Some(unreported.id as i64));
    let mut m: power_action::ActiveModel = action_by_id(&t, unreported.id).await.into();
    m.delivered_at = Set(Some(Utc::now() - Duration::minutes(10)));
    m.update(&t.db).await.unwrap();
    let mut still_up = checkin_body("WCC-000001");
    still_up["uptime_seconds"] = json!(3600);
    post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), still_up).await;
    assert_eq!(action_by_id(&t, unreported.id).await.state, "delivered");
    let mut restarted = checkin_body("WCC-000001");
    restarted["uptime_seconds"] = json!(120);
    post_bearer(&t, "/api/v1/agent/checkin", Some(&token_a), restarted).await;
    let confirmed = action_by_id(&t, unreported.id).await;
    assert_eq!(confirmed.state, "confirmed");
    assert!(confirmed.detail.unwrap().contains("started up since"));
}

#[rocket::async_test]
async fn check_ins_roll_up_into_observed_hours_the_night_list_and_the_energy_estimate() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    // Office hours (Mon–Fri 08:00–18:00, asleep otherwise) for desktops, and 24.50 p/kWh.
    let (s, p) = t
        .post(
            "/api/v1/energy/usage-profiles",
            json!({"name": "Office hours", "working_days": ["mon", "tue", "wed", "thu", "fri"],
                "start_time": "08:00", "end_time": "18:00", "out_of_hours": "sleep", "bank_holidays_off": true}),
        )
        .await;
    assert_eq!(s, Status::Created, "{p}");
    let (s, _) = t.send("PUT", "/api/v1/energy/category-profiles/desktop", json!({"usage_profile_id": p["id"]})).await;
    assert_eq!(s, Status::Ok);
    let (s, _) = t
        .post("/api/v1/energy/tariffs", json!({"effective_from": "2024-04-01", "unit_rate_pence_per_kwh": "24.50"}))
        .await;
    assert_eq!(s, Status::Created);
    let (s, v) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-000009", "category": "desktop", "model_id": model, "site_id": site,
                "department_id": dept, "purchase_date": "2023-06-01", "lifecycle_state": "deployed"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = asset_id(&t, "WCC-000009").await;

    // Tue 02/04/2024 by the profile: 600 min on at 70 W, 840 asleep at 3 W: (42 000 + 2 520) / 60 000 =
    // 0.742 kWh.
    let (_, e) = t.get("/api/v1/assets/WCC-000009/energy?from=2024-04-02&to=2024-04-02").await;
    assert_eq!(e["figures"]["kwh"], "0.742", "{e}");

    // Its agent checked in every minute from 21:00:30 to 21:59:30 UTC (22:00–23:00 BST) that evening, and
    // once long before (kept raw past the retention, then deleted).
    let utc = |h: u32, m: u32, s: u32| Utc.with_ymd_and_hms(2024, 4, 2, h, m, s).unwrap();
    let mut rows: Vec<agent_checkin::ActiveModel> = (0..60)
        .map(|m| agent_checkin::ActiveModel {
            seen_at: Set(utc(21, m, 30)),
            user_active: Set(Some(m < 15)),
            ..agent_checkin_row(id)
        })
        .collect();
    rows.push(agent_checkin::ActiveModel { seen_at: Set(utc(12, 0, 0)), ..rows[0].clone() });
    agent_checkin::Entity::insert_many(rows).exec(&t.db).await.unwrap();

    // Rolled up at 23:30 UTC keeping 3 hours raw: the 21:00 hour is whole; the 12:00 check-in is deleted.
    let now = utc(23, 30, 0);
    let report = greenict::services::agents::rollup(&t.db, now, 3).await.unwrap();
    assert_eq!((report.hours_written, report.checkins_deleted), (1, 1));
    // Again: the same hour rewritten with the same figures, nothing more deleted.
    let again = greenict::services::agents::rollup(&t.db, now, 3).await.unwrap();
    assert_eq!((again.hours_written, again.checkins_deleted), (1, 0));
    let hours = agent_hour::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!((hours[0].minutes_on, hours[0].minutes_user_active, hours[0].checkins), (60, 15, 60));

    // The periodic run carries forward which hours are settled. At 23:30 the 21:00 hour is (check-ins
    // up to 22:15 could vouch for it, and a late stamp up to 22:20), and so is 22:00 (up to 23:20); 23:00
    // is not.
    use greenict::services::agents::rollup_after;
    let (r, settled) = rollup_after(&t.db, now, 3, None).await.unwrap();
    assert_eq!((r.hours_written, settled), (1, utc(23, 0, 0)));
    // A settled hour is not read again: a check-in slipped into it (which the service never stamps) is
    // left out by the next periodic run, and taken in only by a run from scratch.
    let stray = agent_checkin::ActiveModel { seen_at: Set(utc(21, 59, 50)), ..agent_checkin_row(id) };
    agent_checkin::Entity::insert(stray).exec(&t.db).await.unwrap();
    let (r, settled) = rollup_after(&t.db, now + Duration::minutes(5), 3, Some(settled)).await.unwrap();
    assert_eq!((r.hours_written, settled), (0, utc(23, 0, 0)));
    assert_eq!(agent_hour::Entity::find().one(&t.db).await.unwrap().unwrap().checkins, 60);
    greenict::services::agents::rollup(&t.db, now, 3).await.unwrap();
    assert_eq!(agent_hour::Entity::find().one(&t.db).await.unwrap().unwrap().checkins, 61);
    agent_checkin::Entity::delete_many()
        .filter(agent_checkin::Column::SeenAt.eq(utc(21, 59, 50)))
        .exec(&t.db)
        .await
        .unwrap();
    greenict::services::agents::rollup(&t.db, now, 3).await.unwrap();

    let (s, days) = t.get("/api/v1/assets/WCC-000009/observed-hours?from=2024-04-01&to=2024-04-30").await;
    assert_eq!(s, Status::Ok, "{days}");
    assert_eq!(days, json!([{"date": "2024-04-02", "minutes_on": 60, "minutes_user_active": 15, "checkins": 60}]));

    let (s, night) = t.get("/api/v1/agents/left-on-overnight?night=2024-04-02").await;
    assert_eq!(s, Status::Ok, "{night}");
    assert_eq!(night["from"], "2024-04-02T21:00:00Z");
    assert_eq!(night["assets"][0]["asset_tag"], "WCC-000009");
    assert_eq!(night["assets"][0]["minutes_on"], 60);
    assert_eq!(night["assets"][0]["site"], "Civic Offices");
    let (_, other_night) = t.get("/api/v1/agents/left-on-overnight?night=2024-04-03").await;
    assert_eq!(other_night["assets"], json!([]));

    // The estimate now takes the observed day: 60 min on, the other 1380 asleep (the profile sleeps that
    // day): (70 × 60 + 3 × 1380) / 60 000 = (4 200 + 4 140) / 60 000 = 0.139 kWh.
    let (_, e) = t.get("/api/v1/assets/WCC-000009/energy?from=2024-04-02&to=2024-04-02").await;
    assert_eq!(e["figures"]["kwh"], "0.139", "{e}");
    // The next day has no observations: the profile's 0.742 kWh.
    let (_, e) = t.get("/api/v1/assets/WCC-000009/energy?from=2024-04-03&to=2024-04-03").await;
    assert_eq!(e["figures"]["kwh"], "0.742", "{e}");

    // The pages: the night's list, and the asset page's last 14 days (an hour seen on today).
    let (s, html) = t.page("/agents/left-on-overnight?night=2024-04-02").await;
    assert_eq!(s, Status::Ok);
    assert!(html.contains("WCC-000009") && html.contains("1:00") && html.contains("22:00 to 05:00 UK time"), "{html}");
    let (_, html) = t.page("/assets/WCC-000009").await;
    assert!(html.contains("No agent has reported this device on in the last 14 days"), "{html}");
    let hour = greenict::energy::observed::hour_floor(Utc::now());
    agent_hour::ActiveModel {
        id: NotSet,
        asset_id: Set(id),
        hour_start: Set(hour),
        local_date: Set(greenict::energy::observed::uk_date(hour)),
        checkins: Set(45),
        minutes_on: Set(45),
        minutes_user_active: Set(5),
    }
    .insert(&t.db)
    .await
    .unwrap();
    let (_, html) = t.page("/assets/WCC-000009").await;
    assert!(html.contains("Observed on-hours") && html.contains("0:45") && html.contains("0:05"), "{html}");
}

#[rocket::async_test]
async fn ict_staff_make_an_enrolment_token_on_the_agents_page() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    new_asset(&t, "WCC-000005", site, "00-1A-2B-3C-4D-05").await;
    let (s, html) = t.page("/agents").await;
    assert_eq!(s, Status::Ok);
    assert!(html.contains("No agent has enrolled yet") && html.contains("name=\"_csrf\""), "{html}");

    let (s, _, html) = t
        .post_form("/agents/enrolment-tokens", &format!("_csrf=&label=Library+PCs&site_id={site}&valid_days=14"))
        .await;
    assert_eq!(s, Status::Ok, "{html}");
    // The token is on the page once; it works for enrolment; the list shows the token's label, not it.
    let token = html.split("<code>").nth(1).and_then(|r| r.split("</code>").next()).unwrap().to_string();
    assert!(token.starts_with("gie_") && token.len() == 68, "{token}");
    let (s, r) = enrol(&t, &token, json!({"hostname": "x", "mac_addresses": ["00:1a:2b:3c:4d:05"]})).await;
    assert_eq!(s, Status::Ok, "{r}");
    let (_, html) = t.page("/agents").await;
    assert!(html.contains("Library PCs") && html.contains("WCC-000005") && !html.contains(&token), "{html}");

    // A blank label is refused, naming the field.
    let (s, _, html) = t.post_form("/agents/enrolment-tokens", "_csrf=&label=+&valid_days=7").await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(html.contains("There is a problem") && html.contains("label"), "{html}");
}

#[rocket::async_test]
async fn enrolment_finds_the_asset_by_mac_then_hostname_and_says_when_it_cannot() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    new_asset(&t, "WCC-000011", site, "00-1A-2B-3C-4D-11").await;
    new_asset(&t, "WCC-000012", site, "00-1A-2B-3C-4D-12").await;
    let token = enrolment_token(&t, json!({"label": "any site"})).await;
    // By hostname, in any case, when no MAC matches.
    let (s, r) =
        enrol(&t, &token, json!({"hostname": "HOST-WCC-000012", "mac_addresses": ["02:00:00:00:00:99"]})).await;
    assert_eq!((s, r["asset_tag"].as_str()), (Status::Ok, Some("WCC-000012")), "{r}");
    // Nothing matches: 422 naming what to do.
    let (s, r) = enrol(&t, &token, json!({"hostname": "unknown-pc", "mac_addresses": ["02:00:00:00:00:98"]})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::UnprocessableEntity, "no_matching_asset"));
    assert!(r["error"]["message"].as_str().unwrap().contains("--asset-tag"), "{r}");
    // Two assets carry the reported MACs: 409, name one.
    let (s, r) =
        enrol(&t, &token, json!({"hostname": "x", "mac_addresses": ["00:1a:2b:3c:4d:11", "00:1a:2b:3c:4d:12"]})).await;
    assert_eq!((s, error_of(&r).0.as_str()), (Status::Conflict, "ambiguous_asset"), "{r}");
    // The agent API is in the OpenAPI document.
    let (_, doc) = t.get("/api/v1/openapi.json").await;
    for path in
        ["/api/v1/agent/enrol", "/api/v1/agent/checkin", "/api/v1/agent/outcome", "/api/v1/agents/left-on-overnight"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}
