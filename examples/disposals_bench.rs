//! Benchmark for issue 6's disposal figures: `services::disposals::money_by_asset` (what TCO calls for
//! the whole estate) and `services::disposals::ewaste` (one financial year), over N disposed assets in
//! completed batches, on a fresh SQLite file (or PostgreSQL with GREENICT_BENCH_DATABASE_URL, which
//! must name an empty database). Prints each timed run and the median; loads nothing over the network.
//!
//! Usage: cargo run --release --example disposals_bench -- [assets=100000] [batch=40] [runs=5]

use chrono::{NaiveDate, TimeZone, Utc};
use greenict::store::{asset, bulk, device_model, disposal, disposal_asset};
use sea_orm::{EntityTrait, IntoActiveModel, PaginatorTrait};
use std::time::Instant;

fn arg(i: usize, default: usize) -> usize {
    std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let (n, batch, runs) = (arg(1, 100_000), arg(2, 40).max(1), arg(3, 5).max(1));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("GREENICT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display()));
    let db = greenict::store::connect::connect(&url, None).await.expect("database");
    greenict::store::connect::migrate(&db).await.expect("migrate");

    let now = Utc.with_ymd_and_hms(2025, 6, 1, 9, 0, 0).unwrap();
    let model = device_model::ActiveModel {
        id: sea_orm::NotSet,
        manufacturer: sea_orm::Set("Dell".into()),
        name: sea_orm::Set("Latitude bench".into()),
        category: sea_orm::Set("laptop".into()),
        on_watts: sea_orm::Set(25.0),
        sleep_watts: sea_orm::Set(1.0),
        off_watts: sea_orm::Set(0.3),
        tec_kwh_per_year: sea_orm::Set(None),
        embodied_kg_co2e: sea_orm::Set(None),
        embodied_source: sea_orm::Set(None),
        weight_kg: sea_orm::Set(Some(1.6)),
        default_life_months: sea_orm::Set(None),
        replacement_price_pence: sea_orm::Set(None),
        notes: sea_orm::Set(None),
        created_at: sea_orm::Set(now),
        updated_at: sea_orm::Set(now),
    };
    bulk::insert_all::<device_model::Entity, _>(&db, vec![model]).await.expect("model");

    let started = Instant::now();
    let assets: Vec<asset::ActiveModel> = (1..=n)
        .map(|i| {
            asset::Model {
                id: 0,
                asset_tag: format!("BEN-{i:07}"),
                serial: None,
                hostname: None,
                mac_addresses: None,
                ip_address: None,
                category: "laptop".into(),
                model_id: Some(1),
                site_id: None,
                department_id: None,
                assigned_user: None,
                purchase_date: None,
                purchase_cost_pence: None,
                supplier: None,
                warranty_end: None,
                life_months: None,
                refresh_date: None,
                refresh_due: None,
                lifecycle_state: "disposed".into(),
                on_watts: None,
                sleep_watts: None,
                off_watts: None,
                parent_asset_id: None,
                usage_profile_id: None,
                notes: None,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
        })
        .collect();
    bulk::insert_all::<asset::Entity, _>(&db, assets).await.expect("assets");
    let batches = n.div_ceil(batch);
    let routes = ["donation", "recycling", "resale", "internal_reuse", "manufacturer_take_back", "landfill"];
    let disposals: Vec<disposal::ActiveModel> = (1..=batches)
        .map(|b| {
            let day = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap() + chrono::Days::new((b % 365) as u64);
            disposal::Model {
                id: 0,
                reference: format!("DSP-{b:06}"),
                disposal_date: day,
                route: routes[b % routes.len()].into(),
                receiving_organisation: Some("Bench Receiver".into()),
                waste_carrier: Some("Bench Carrier".into()),
                carrier_registration: Some("CBDU000001".into()),
                waste_transfer_note: Some(format!("WTN-{b}")),
                hazardous_consignment_note: None,
                cost_pence: Some(12_000 + b as i64),
                income_pence: Some(if b % 3 == 0 { 5_000 } else { 0 }),
                state: "completed".into(),
                completed_at: Some(now),
                completed_by: Some("bench".into()),
                notes: None,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
        })
        .collect();
    bulk::insert_all::<disposal::Entity, _>(&db, disposals).await.expect("disposals");
    let lines: Vec<disposal_asset::ActiveModel> = (1..=n)
        .map(|i| {
            disposal_asset::Model {
                id: 0,
                disposal_id: ((i - 1) / batch + 1) as i32,
                asset_id: i as i32,
                // Every 7th batch has one asset without a weight, so it is shared equally.
                weight_kg: if ((i - 1) / batch) % 7 == 0 && (i - 1) % batch == 0 {
                    None
                } else {
                    Some(1.4 + (i % 5) as f64 * 0.1)
                },
                weight_from_model: false,
                has_storage: true,
                hazardous: false,
                weee_category: 3,
                sanitisation_method: Some("purge".into()),
                sanitisation_standard: None,
                sanitised_by: Some("bench".into()),
                sanitised_on: NaiveDate::from_ymd_opt(2025, 3, 1),
                certificate_number: if i % 10 == 0 { None } else { Some(format!("C-{i}")) },
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
        })
        .collect();
    bulk::insert_all::<disposal_asset::Entity, _>(&db, lines).await.expect("lines");
    let count = disposal_asset::Entity::find().count(&db).await.unwrap();
    println!(
        "loaded {n} disposed assets in {batches} batches of {batch} ({count} lines) in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let mut money = Vec::new();
    let mut ewaste = Vec::new();
    for run in 1..=runs {
        let t = Instant::now();
        let m = greenict::services::disposals::money_by_asset(&db).await.expect("money_by_asset");
        let secs = t.elapsed().as_secs_f64();
        println!("money_by_asset run={run} assets={} secs={secs:.4}", m.len());
        money.push(secs);
        let t = Instant::now();
        let r =
            greenict::services::disposals::ewaste(&db, greenict::energy::FinancialYear(2025)).await.expect("ewaste");
        let secs = t.elapsed().as_secs_f64();
        println!("ewaste_fy2025 run={run} items={} secs={secs:.4}", r.figures.count);
        ewaste.push(secs);
    }
    println!("median money_by_asset {:.4} s; median ewaste {:.4} s", median(money), median(ewaste));
}
