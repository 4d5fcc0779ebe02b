//! The demo's meters: an ICT sub-meter at the Civic Offices and the whole-site incomer at the Central
//! Library, each with a year of half-hourly readings (1 November 2025 to 31 October 2026) shaped like office
//! use — a constant base load (servers, switches, kit left on) and a weekday 08:00–18:00 rise — so the
//! metered-against-estimated page has something to show. DEMO FIGURES: the year's total is set from the
//! estate's own estimate (the ICT meter reads 8% above it; ICT is 22% of the library's supply), with a small
//! seeded ripple; no real meter data.

use chrono::{Datelike, NaiveDate, Timelike, Weekday};
use rust_decimal::Decimal;
use sea_orm::DatabaseTransaction;
use std::collections::HashMap;

use super::rng::Rng;
use crate::domain::Patch;
use crate::energy::clock::day_length_minutes;
use crate::energy::{GroupBy, Period};
use crate::error::{AppError, AppResult};
use crate::import::meter_file::Reading;
use crate::import::meter_time::period_start;
use crate::services::audit::{self, Action};
use crate::services::meters::{self, MeterChanges};
use crate::services::{energy, Actor};

struct DemoMeter {
    site: &'static str,
    name: &'static str,
    measures: &'static str,
    description: &'static str,
    /// Metered ÷ the site's estimated ICT kWh over the year.
    scale: (i64, u32),
}

const METERS: [DemoMeter; 2] = [
    DemoMeter {
        site: "Civic Offices",
        name: "ICT sub-meter DB-IT1",
        measures: "ict",
        description: "Demo meter: the ICT distribution board (server room and floor comms cupboards).",
        scale: (108, 2),
    },
    DemoMeter {
        site: "Central Library",
        name: "Main incomer",
        measures: "whole_site",
        description: "Demo meter: the library's fiscal meter (half-hourly data from the supplier).",
        scale: (4545, 3),
    },
];

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).expect("a valid date")
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).expect("a valid date")
}

/// The relative load of each half hour: 1 at night and weekends, 3 on weekdays 08:00–18:00 (UK time),
/// ± up to 5% of seeded ripple.
fn office_shape(rng: &mut Rng) -> Vec<(chrono::DateTime<chrono::Utc>, Decimal)> {
    let mut out = Vec::new();
    for day in first_day().iter_days().take_while(|d| *d <= last_day()) {
        for n in 1..=day_length_minutes(day) / 30 {
            let start = period_start(day, n);
            let local = start.with_timezone(&chrono_tz::Europe::London);
            let weekday = !matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
            let base = if weekday && (8..18).contains(&local.hour()) { 300 } else { 100 };
            let ripple = rng.between(-5, 5);
            out.push((start, Decimal::from(base + ripple)));
        }
    }
    out
}

pub(super) async fn ensure_meters(
    txn: &DatabaseTransaction,
    actor: &Actor,
    site_ids: &HashMap<&str, i32>,
) -> AppResult<()> {
    if !meters::list(txn, None).await?.is_empty() {
        return Ok(());
    }
    let period = Period::inclusive(first_day(), last_day()).map_err(AppError::Internal)?;
    let estimate = energy::estimate(txn, period, &[GroupBy::Site]).await?;
    let mut rng = Rng::new(20251101);
    for m in &METERS {
        let Some(&site_id) = site_ids.get(m.site) else { continue };
        let estimated: Decimal =
            estimate.rows.iter().filter(|r| r.group.site_id == Some(site_id)).map(|r| r.figures.kwh).sum();
        let shape = office_shape(&mut rng);
        let total_weight: Decimal = shape.iter().map(|(_, w)| *w).sum();
        let year_kwh = estimated * Decimal::new(m.scale.0, m.scale.1);
        let readings: Vec<Reading> = shape
            .into_iter()
            .map(|(starts_at, w)| Reading {
                starts_at,
                interval_minutes: 30,
                kwh: (year_kwh * w / total_weight).round_dp(3).normalize(),
            })
            .collect();
        let changes = MeterChanges {
            site_id: Patch::Value(site_id),
            name: Patch::Value(m.name.into()),
            measures: Patch::Value(m.measures.into()),
            description: Patch::Value(m.description.into()),
        };
        let meter = meters::create_in(txn, actor, changes).await?;
        let refs: Vec<&Reading> = readings.iter().collect();
        crate::import::meter_import::upsert(txn, meter.id, &refs).await?;
        let after = serde_json::json!({ "source": "demo", "meter_id": meter.id, "created": readings.len() });
        audit::record(txn, actor, Action::Import, "meter_readings", meter.id, None, Some(&after)).await?;
    }
    Ok(())
}
