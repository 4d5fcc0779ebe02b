//! The direct SQLite read path (`store::direct_reads`) answers exactly as sea-orm does: every asset of
//! the demo estate by tag, every page of the list under each sort, filter and search, and API tokens,
//! including one revoked a moment ago. On PostgreSQL there is no direct path, which is checked too.

mod common;

use greenict::domain::{Category, LifecycleState, Role};
use greenict::services::asset_list::{self, AssetPage, AssetQuery, SortKey};
use greenict::services::assets::{self, AssetChanges};
use greenict::services::{api_tokens, Actor};
use greenict::store::DirectReads;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

fn page_json(p: &AssetPage) -> serde_json::Value {
    serde_json::to_value(p).expect("serialisable")
}

/// Walks every page of `q` both ways, comparing each page; answers how many assets it saw.
async fn same_pages(db: &DatabaseConnection, direct: &DirectReads, mut q: AssetQuery) -> usize {
    let mut seen = 0;
    loop {
        let orm = asset_list::list(db, &q).await.expect("list through sea-orm");
        let fast = asset_list::list_with(db, direct, &q).await.expect("list through the direct path");
        assert_eq!(page_json(&fast), page_json(&orm), "page differs for {q:?}");
        seen += orm.items.len();
        match orm.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return seen,
        }
    }
}

async fn estate() -> (DatabaseConnection, &'static str, Option<tempfile::TempDir>) {
    let (db, backend, dir) = common::fresh_db().await;
    greenict::demo::load(&db, 400).await.expect("demo estate");
    // One asset with every optional field set, fractional-second timestamps included.
    let full: AssetChanges = serde_json::from_value(json!({
        "asset_tag": "FULL-0001", "serial": "SN-ß-1", "hostname": "full-pc", "category": "desktop",
        "mac_addresses": ["AA-BB-CC-DD-EE-01", "aabb.ccdd.ee02"], "ip_address": "10.1.2.3",
        "assigned_user": "Ana O'Neill", "purchase_date": "2021-04-01", "purchase_cost": "1234567890123.45",
        "supplier": "Crown Commercial", "warranty_end": "2024-03-31", "life_months": 72,
        "refresh_date": "2027-03-31", "lifecycle_state": "deployed", "on_watts": 41.5, "sleep_watts": 1.25,
        "off_watts": 0.3, "notes": "line one\nline two"
    }))
    .expect("asset changes");
    assets::create(&db, &Actor::system(), full).await.expect("create the full asset");
    let monitor: AssetChanges = serde_json::from_value(json!({
        "asset_tag": "FULL-0002", "category": "monitor", "parent_asset_tag": "FULL-0001"
    }))
    .expect("monitor changes");
    assets::create(&db, &Actor::system(), monitor).await.expect("create the monitor");
    (db, backend, dir)
}

#[rocket::async_test]
async fn the_direct_path_reads_every_asset_and_page_as_sea_orm_does() {
    let (db, backend, _dir) = estate().await;
    let direct = DirectReads::for_db(&db);
    if backend == "postgres" {
        assert!(direct.sqlite().is_none(), "PostgreSQL has no direct path");
        return;
    }
    assert!(direct.sqlite().is_some(), "an SQLite file gets a direct path");
    // The demo load analysed the register; value samples would make every cached lookup compile again.
    let samples = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT (SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'asset'), \
             (SELECT count(*) FROM sqlite_stat4 WHERE tbl IN ('asset', 'api_token'))",
        ))
        .await
        .expect("statistics")
        .expect("a row");
    assert!(samples.try_get_by_index::<i64>(0).unwrap() > 0, "the asset table is analysed");
    assert_eq!(
        samples.try_get_by_index::<i64>(1).unwrap(),
        0,
        "no value samples are kept for the directly read tables"
    );

    let everything = AssetQuery { limit: asset_list::MAX_LIMIT, ..AssetQuery::default() };
    let all = asset_list::list(&db, &everything).await.expect("list").total;
    assert!(all > 400, "the demo estate and the two extra assets: {all}");
    let mut cursor = None;
    let mut compared = 0;
    loop {
        let page = asset_list::list(&db, &AssetQuery { cursor, ..everything.clone() }).await.expect("list");
        for a in &page.items {
            let orm = assets::get_by_tag(&db, a.asset_tag.as_str()).await.expect("by tag, sea-orm");
            let fast = assets::read_by_tag(&db, &direct, a.asset_tag.as_str()).await.expect("by tag, direct");
            assert_eq!(serde_json::to_value(&fast).unwrap(), serde_json::to_value(&orm).unwrap());
            compared += 1;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(compared as u64, all);
    let monitor = assets::read_by_tag(&db, &direct, "FULL-0002").await.expect("monitor");
    assert_eq!(monitor.parent_asset_tag.as_deref(), Some("FULL-0001"));
    let full = assets::read_by_tag(&db, &direct, "FULL-0001").await.expect("full asset");
    assert_eq!(full.purchase_cost.map(|c| c.to_string()).as_deref(), Some("1234567890123.45"));
    let missing = assets::read_by_tag(&db, &direct, "NOPE-1").await.expect_err("unknown tag");
    assert_eq!(format!("{missing:?}"), format!("{:?}", assets::get_by_tag(&db, "NOPE-1").await.unwrap_err()));

    let site_id = monitor_site(&db).await;
    let small = |q: AssetQuery| AssetQuery { limit: 37, ..q };
    let mut queries = Vec::new();
    for sort in SortKey::ALL {
        for descending in [false, true] {
            queries.push(small(AssetQuery { sort, descending, ..AssetQuery::default() }));
        }
    }
    queries.push(small(AssetQuery { site_id, category: Some(Category::Desktop), ..AssetQuery::default() }));
    queries.push(small(AssetQuery {
        state: Some(LifecycleState::Deployed),
        sort: SortKey::RefreshDue,
        ..AssetQuery::default()
    }));
    queries.push(small(AssetQuery {
        refresh_due_before: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        warranty_end_before: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
        ..AssetQuery::default()
    }));
    queries.push(small(AssetQuery { q: Some("aa-bb-cc-dd-ee-02".into()), ..AssetQuery::default() }));
    queries.push(small(AssetQuery { q: Some("o'neill".into()), ..AssetQuery::default() }));
    queries.push(small(AssetQuery {
        q: Some("WCC-0001".into()),
        sort: SortKey::UpdatedAt,
        descending: true,
        ..AssetQuery::default()
    }));
    for q in queries {
        let seen = same_pages(&db, &direct, q.clone()).await;
        assert!(seen > 0, "{q:?} matched nothing, so compared nothing");
    }
}

async fn monitor_site(db: &DatabaseConnection) -> Option<i32> {
    let page =
        asset_list::list(db, &AssetQuery { category: Some(Category::Desktop), limit: 1, ..AssetQuery::default() })
            .await
            .expect("a desktop");
    page.items[0].site_id
}

#[rocket::async_test]
async fn a_token_resolves_alike_on_both_paths_and_stops_at_once_when_revoked() {
    let (db, backend, _dir) = common::fresh_db().await;
    let direct = DirectReads::for_db(&db);
    assert_eq!(direct.sqlite().is_some(), backend == "sqlite");
    let admin = Actor::user("admin");
    let issued = api_tokens::issue(
        &db,
        &admin,
        Role::Admin,
        None,
        api_tokens::NewToken { name: "Power BI".into(), role: Role::Facilities, expires_in_days: 30 },
    )
    .await
    .expect("issue");
    let none = DirectReads::none();
    for reads in [&direct, &none] {
        let got = api_tokens::resolve(&db, reads, &issued.secret).await.expect("resolve");
        assert_eq!(got, Some(("Power BI".to_string(), Role::Facilities)));
        let wrong = format!("{}x", issued.secret);
        assert_eq!(api_tokens::resolve(&db, reads, &wrong).await.expect("resolve"), None);
    }
    api_tokens::revoke(&db, &admin, issued.token.id, None).await.expect("revoke");
    for reads in [&direct, &none] {
        assert_eq!(api_tokens::resolve(&db, reads, &issued.secret).await.expect("resolve"), None, "revoked");
    }
}
