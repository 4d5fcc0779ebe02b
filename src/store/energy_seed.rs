//! Seeds the energy reference tables once, after migrating: the UK grid factor sets shipped in
//! `assets/reference/uk_grid_factors.csv` and the England and Wales bank holidays 2015–2030 from the pure
//! calculator. Each data set is recorded in `reference_seed` when seeded, so a council's later edits and
//! deletions are never undone on the next start. Like the migrations themselves, seeding writes no audit
//! events: `reference_seed` records when each set was loaded, and every later change is audited.
//! Depends on the pure `energy` module and the store's entities.

use crate::store::BeginWrite;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, NotSet, Set};

use super::{bank_holiday, grid_factor_set, reference_seed};
use crate::energy::bank_holidays::england_and_wales_named;
use crate::energy::grid_factors_csv::parse_grid_factors_csv;

/// The shipped grid factor file (DESNZ/BEIS GHG conversion factors; each row names its source).
pub const UK_GRID_FACTORS_CSV: &str = include_str!("../../assets/reference/uk_grid_factors.csv");

/// The years of bank holidays seeded.
pub const BANK_HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 2015..=2030;

const GRID_FACTORS: &str = "uk_grid_factors";
const BANK_HOLIDAYS: &str = "bank_holidays_england_and_wales";

/// Seeds what has not been seeded yet. Safe to run on every start and from several instances at once:
/// the seed's marker row is inserted first in the same transaction, so a second instance fails on its
/// primary key and rolls back.
pub async fn seed(db: &DatabaseConnection) -> Result<(), DbErr> {
    if !seeded(db, GRID_FACTORS).await? {
        let factors = parse_grid_factors_csv(UK_GRID_FACTORS_CSV).map_err(DbErr::Custom)?;
        let txn = db.begin_write().await?;
        if mark(&txn, GRID_FACTORS).await.is_ok() {
            let now = Utc::now();
            for year in factors.years() {
                let Some(set) = factors.for_year(year) else { continue };
                grid_factor_set::ActiveModel {
                    id: NotSet,
                    year: Set(year),
                    generation_kg_co2e_per_kwh: Set(set.generation_kg_co2e_per_kwh.to_string()),
                    td_kg_co2e_per_kwh: Set(set.td_kg_co2e_per_kwh.to_string()),
                    source: Set(set.source.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
            txn.commit().await?;
        }
    }
    if !seeded(db, BANK_HOLIDAYS).await? {
        let txn = db.begin_write().await?;
        if mark(&txn, BANK_HOLIDAYS).await.is_ok() {
            let now = Utc::now();
            let named = england_and_wales_named(BANK_HOLIDAY_YEARS);
            let rows: Vec<bank_holiday::ActiveModel> = named
                .iter()
                .map(|(date, name)| bank_holiday::ActiveModel {
                    id: NotSet,
                    date: Set(*date),
                    name: Set(name.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .collect();
            super::bulk::insert_all::<bank_holiday::Entity, _>(&txn, rows).await?;
            txn.commit().await?;
        }
    }
    Ok(())
}

async fn seeded<C: ConnectionTrait>(conn: &C, name: &str) -> Result<bool, DbErr> {
    Ok(reference_seed::Entity::find_by_id(name.to_string()).one(conn).await?.is_some())
}

async fn mark<C: ConnectionTrait>(conn: &C, name: &str) -> Result<(), DbErr> {
    reference_seed::ActiveModel { name: Set(name.to_string()), seeded_at: Set(Utc::now()) }
        .insert(conn)
        .await
        .map(|_| ())
}
