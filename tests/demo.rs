//! The demo estate: counts, loading only into an empty register, determinism, and the shape of the data
//! (refreshes overdue, monitors on PCs, audit trail, power policies, agent hours, disposals), each on a
//! fresh database (SQLite, or PostgreSQL with GREENICT_TEST_DATABASE_URL).

mod common;

use chrono::Utc;
use greenict::domain::{Category, LifecycleState};
use greenict::services::asset_list::{self, AssetQuery};
use greenict::services::assets::{self, AssetView};
use greenict::services::{departments, device_models, network_segments, sites};
use greenict::store::audit_event;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use std::collections::HashMap;

/// A fresh migrated database: SQLite, or PostgreSQL with `GREENICT_TEST_DATABASE_URL` (see tests/common).
async fn fresh_db() -> (DatabaseConnection, Option<tempfile::TempDir>) {
    let (db, _backend, dir) = common::fresh_db().await;
    (db, dir)
}

/// Every asset, ordered by tag.
async fn all_assets(db: &DatabaseConnection) -> Vec<AssetView> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let q = AssetQuery { limit: asset_list::MAX_LIMIT, cursor, ..AssetQuery::default() };
        let page = asset_list::list(db, &q).await.expect("list assets");
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// A value as JSON with its timestamps removed, for comparing two registers.
fn without_timestamps<T: serde::Serialize>(v: &T) -> Value {
    let mut json = serde_json::to_value(v).expect("serialisable");
    if let Value::Object(map) = &mut json {
        map.remove("created_at");
        map.remove("updated_at");
    }
    json
}

async fn register(db: &DatabaseConnection) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    all.extend(sites::list(db).await.unwrap().iter().map(without_timestamps));
    all.extend(departments::list(db).await.unwrap().iter().map(without_timestamps));
    all.extend(device_models::list(db, None).await.unwrap().iter().map(without_timestamps));
    all.extend(network_segments::list(db, None).await.unwrap().iter().map(without_timestamps));
    all.extend(all_assets(db).await.iter().map(without_timestamps));
    all
}

async fn audit_events(db: &DatabaseConnection, entity_type: &str) -> u64 {
    audit_event::Entity::find().filter(audit_event::Column::EntityType.eq(entity_type)).count(db).await.unwrap()
}

#[tokio::test]
async fn the_default_estate_has_the_stated_shape() {
    let (db, _dir) = fresh_db().await;
    let summary = greenict::demo::load(&db, greenict::demo::DEFAULT_ASSETS).await.expect("demo loads");
    assert_eq!(summary, "demo estate loaded: 4 sites, 12 departments, 20 models, 1500 assets");

    let site_list = sites::list(&db).await.unwrap();
    assert_eq!(site_list.len(), 4);
    assert!(site_list.iter().any(|s| s.name == "Civic Offices" && s.pue == Some(1.8)));
    for s in &site_list {
        let segments = network_segments::list(&db, Some(s.id)).await.unwrap();
        assert!((1..=3).contains(&segments.len()), "{}: {} segments", s.name, segments.len());
        assert!(segments.iter().all(|g| g.cidr.starts_with("10.") && g.cidr.ends_with("/24")), "{segments:?}");
    }
    assert_eq!(departments::list(&db).await.unwrap().len(), 12);
    let models = device_models::list(&db, None).await.unwrap();
    assert_eq!(models.len(), 20);
    for m in &models {
        assert!(m.embodied_kg_co2e.is_some() && m.embodied_source.is_some(), "{} {}", m.manufacturer, m.name);
        assert!(m.replacement_price.is_some() && m.weight_kg.is_some() && m.default_life_months.is_some());
    }

    let assets = all_assets(&db).await;
    assert_eq!(assets.len(), 1500);
    assert_eq!(assets[0].asset_tag.as_str(), "WCC-000001");
    let count = |c: Category| assets.iter().filter(|a| a.category == c).count();
    assert!((500..700).contains(&count(Category::Desktop)), "desktops {}", count(Category::Desktop));
    assert!((220..380).contains(&count(Category::Laptop)), "laptops {}", count(Category::Laptop));
    assert!(count(Category::Server) > 0 && count(Category::Switch) > 0);

    // Some refreshes are overdue, today and on the estate's own date.
    let today = Utc::now().date_naive();
    let overdue = assets.iter().filter(|a| a.refresh_due.is_some_and(|d| d < greenict::demo::estate_date())).count();
    assert!(overdue > 100, "{overdue} overdue");
    assert!(assets.iter().any(|a| a.refresh_due.is_some_and(|d| d < today)));
    assert!(assets.iter().any(|a| a.refresh_due.is_some_and(|d| d > greenict::demo::estate_date())));

    // Every monitor belongs to a desktop or thin client, created before it.
    let by_tag: HashMap<&str, &AssetView> = assets.iter().map(|a| (a.asset_tag.as_str(), a)).collect();
    let monitors: Vec<&AssetView> = assets.iter().filter(|a| a.category == Category::Monitor).collect();
    assert!(monitors.len() > 200, "{} monitors", monitors.len());
    for m in monitors {
        let parent_tag = m.parent_asset_tag.as_deref().unwrap_or_else(|| panic!("{} has no PC", m.asset_tag));
        let parent = by_tag[parent_tag];
        assert!(matches!(parent.category, Category::Desktop | Category::ThinClient), "{} on {parent_tag}", m.asset_tag);
        assert!(parent.id < m.id);
    }

    // Mostly deployed, with the other states present.
    let deployed = assets.iter().filter(|a| a.lifecycle_state == LifecycleState::Deployed).count();
    assert!(deployed > 1100, "{deployed} deployed");
    for s in
        [LifecycleState::InStock, LifecycleState::InRepair, LifecycleState::Retired, LifecycleState::AwaitingDisposal]
    {
        assert!(assets.iter().any(|a| a.lifecycle_state == s), "no asset {s}");
    }
    // Addresses: locally administered MACs only, and no IP used twice.
    let mut ips: Vec<&str> = assets.iter().filter_map(|a| a.ip_address.as_deref()).collect();
    assert!(ips.len() > 500, "{} addresses", ips.len());
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), assets.iter().filter(|a| a.ip_address.is_some()).count(), "an IP is used twice");
    assert!(assets.iter().flat_map(|a| a.mac_addresses.as_slice()).all(|m| m.0[0] == 0x02));
    assert!(assets
        .iter()
        .filter(|a| a.category == Category::Desktop && a.lifecycle_state == LifecycleState::Deployed)
        .any(|a| a.assigned_user.is_some() && a.hostname.as_deref().is_some_and(|h| h.contains("-DT-"))));

    // Audited, as the system.
    let created = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("asset"))
        .filter(audit_event::Column::Action.eq("create"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(created, 1500);
    assert_eq!(audit_events(&db, "device_model").await, 20);
    let history = assets::history(&db, "WCC-000001").await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].action.as_str(), history[0].actor.as_str(), history[0].actor_kind.as_str()),
        ("create", "system", "system")
    );
}

#[tokio::test]
async fn a_second_load_changes_nothing() {
    let (db, _dir) = fresh_db().await;
    let first = greenict::demo::load(&db, 300).await.unwrap();
    assert!(first.ends_with("300 assets"), "{first}");
    let before = all_assets(&db).await;
    let audit_before = audit_event::Entity::find().count(&db).await.unwrap();

    let second = greenict::demo::load(&db, 300).await.unwrap();
    assert_eq!(second, "demo estate not loaded: the register already holds 300 assets");
    let after = all_assets(&db).await;
    assert_eq!(serde_json::to_value(&before).unwrap(), serde_json::to_value(&after).unwrap());
    assert_eq!(audit_event::Entity::find().count(&db).await.unwrap(), audit_before);
    assert_eq!(sites::list(&db).await.unwrap().len(), 4);
}

#[tokio::test]
async fn two_loads_give_identical_registers() {
    let ((a, _da), (b, _db)) = (fresh_db().await, fresh_db().await);
    greenict::demo::load(&a, 300).await.unwrap();
    greenict::demo::load(&b, 300).await.unwrap();
    let (ra, rb) = (register(&a).await, register(&b).await);
    assert_eq!(ra.len(), 4 + 12 + 20 + network_segments::list(&a, None).await.unwrap().len() + 300);
    assert_eq!(ra, rb);
}

#[tokio::test]
async fn an_existing_site_is_used_not_duplicated() {
    let (db, _dir) = fresh_db().await;
    let actor = greenict::services::Actor::system();
    let changes = serde_json::from_str(r#"{"name":"Central Library","postcode":"WX1 9ZZ"}"#).unwrap();
    let library = sites::create(&db, &actor, changes).await.unwrap();
    let summary = greenict::demo::load(&db, 50).await.unwrap();
    assert!(summary.contains("(1 already present were reused)"), "{summary}");
    let site_list = sites::list(&db).await.unwrap();
    assert_eq!(site_list.len(), 4);
    assert_eq!(site_list.iter().find(|s| s.name == "Central Library").unwrap().id, library.id);
}

#[tokio::test]
async fn the_demo_shows_energy_figures() {
    use greenict::energy::FinancialYear;
    use greenict::services::energy::{self, parse_group_by};
    let (db, _dir) = fresh_db().await;
    greenict::demo::load(&db, 1500).await.unwrap();

    // A dated council-wide tariff with a change within 2024/25 (demo figures), and the three profiles.
    let tariffs = greenict::services::energy_reference::list_tariffs(&db, None).await.unwrap();
    let rates: Vec<(String, String)> =
        tariffs.iter().map(|t| (t.effective_from.to_string(), t.unit_rate_pence_per_kwh.clone())).collect();
    assert_eq!(rates, [("2024-04-01".to_string(), "24.50".to_string()), ("2024-07-01".into(), "22.40".into())]);
    let profiles = greenict::services::usage_profiles::list(&db).await.unwrap();
    assert_eq!(profiles.len(), 3);
    let library = profiles.iter().find(|p| p.name == "Library opening hours").unwrap();
    let public_pcs = greenict::store::asset::Entity::find()
        .filter(greenict::store::asset::Column::UsageProfileId.eq(library.id))
        .count(&db)
        .await
        .unwrap();
    assert!(public_pcs > 0, "no library public PCs on their profile");

    // 2025/26 by site and month: every site has figures, and the rows add up to the total.
    let report =
        energy::estimate(&db, FinancialYear(2025).period(), &parse_group_by("site,month").unwrap()).await.unwrap();
    assert!(report.assets_counted > 1000, "{}", report.assets_counted);
    assert_eq!(report.rows.len(), 4 * 12);
    assert!(report.total.kwh > rust_decimal::Decimal::from(50_000), "{}", report.total.kwh);
    let sum: rust_decimal::Decimal = report.rows.iter().map(|r| r.figures.kwh).sum();
    assert!((sum - report.total.kwh).abs() < rust_decimal::Decimal::new(1, 3), "{sum} vs {}", report.total.kwh);
    assert_eq!(report.factor_sets[0].year, 2025);
}

#[tokio::test]
async fn the_demo_has_power_policies_agent_hours_and_disposals() {
    use greenict::energy::FinancialYear;
    use greenict::scheduling::WeeklySchedule;
    use greenict::services::{agents, disposals, power_policies};
    use greenict::store::{agent_hour, power_action};
    let (db, _dir) = fresh_db().await;
    greenict::demo::load(&db, 1500).await.unwrap();

    // Policies: the enabled ones only shut down, so nothing the demo plans is a Wake-on-LAN packet.
    let policies = power_policies::list(&db).await.unwrap();
    assert_eq!(policies.len(), 3, "{policies:?}");
    assert!(policies.iter().any(|p| p.name == "Desktops: evenings and weekends" && p.enabled && p.may_defer));
    assert!(policies.iter().any(|p| p.target == "site" && p.enabled));
    for p in policies.iter().filter(|p| p.enabled) {
        let schedule = WeeklySchedule::parse(&p.schedule).unwrap();
        assert!(schedule.days().iter().all(|d| d.wake.is_none() && d.off.is_some()), "{}: {}", p.name, p.schedule);
        assert!(p.patch_windows.is_empty(), "{}", p.name);
    }
    assert!(policies.iter().any(|p| !p.enabled && p.patch_windows.starts_with("wed")));
    assert!(power_policies::list_exclusions(&db).await.unwrap().len() >= 2);
    let rules = greenict::scheduler::Scheduler::new(Default::default()).rules();
    let planned = greenict::services::power_actions::plan_from(&db, Utc::now(), rules, &mut None).await.unwrap();
    assert!(planned > 0, "the policies plan shutdowns");
    let wakes = power_action::Entity::find().filter(power_action::Column::Kind.eq("wake")).count(&db).await.unwrap();
    assert_eq!(wakes, 0, "the demo must not plan Wake-on-LAN packets");

    // Agent hours for a fixed sample, up to the real now, with some devices left on last night.
    let hours = agent_hour::Entity::find().all(&db).await.unwrap();
    let devices: std::collections::HashSet<i32> = hours.iter().map(|h| h.asset_id).collect();
    assert!((100..=150).contains(&devices.len()), "{} devices", devices.len());
    assert!(hours.iter().all(|h| h.hour_start <= Utc::now() && (1..=60).contains(&h.minutes_on)));
    let night = greenict::energy::observed::last_night(Utc::now());
    let left_on = agents::left_on_overnight(&db, night).await.unwrap();
    assert!(!left_on.assets.is_empty() && left_on.assets.len() < 60, "{} left on", left_on.assets.len());

    // Three completed disposals; each year's e-waste figures have items.
    let list = disposals::list(&db).await.unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|d| d.state == "completed" && d.asset_count > 0), "{list:?}");
    for (fy, route) in [(2024, "donation"), (2025, "recycling"), (2026, "internal_reuse")] {
        let figures = disposals::ewaste(&db, FinancialYear(fy)).await.unwrap().figures;
        assert!(figures.count > 0 && figures.weight_kg > 0.0, "{fy}: {figures:?}");
        let went = figures.by_route.iter().find(|r| r.route.as_str() == route).unwrap();
        assert!(went.count > 0 && went.weight_kg > 0.0, "{fy}: {:?}", figures.by_route);
    }
    let donated = disposals::ewaste(&db, FinancialYear(2024)).await.unwrap().figures;
    assert_eq!(donated.with_certificate_count, donated.storage_bearing_count);
    assert_eq!(donated.share_reused, Some(1.0));
    let disposed = greenict::store::asset::Entity::find()
        .filter(greenict::store::asset::Column::LifecycleState.eq("disposed"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(disposed, list.iter().map(|d| d.asset_count).sum::<u64>());
}
