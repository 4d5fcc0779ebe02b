//! What the demo's agents "observed": hourly on-time for a fixed sample of deployed desktops and laptops
//! over the four weeks up to the hour the demo is loaded, so the left-on-last-night card, the asset pages'
//! observed days and the policy savings' observed column have figures. DEMO FIGURES, not measurements:
//! the rows go straight into `agent_hour` (as the roll-up of real check-ins would write them), with no
//! enrolled agent behind them.
//!
//! Unlike the rest of the demo these run up to the real now, not `estate_date()`: "last night" on the
//! dashboard is the real last night. Which devices and how they behave is seeded, so only the dates move.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use sea_orm::{DatabaseTransaction, EntityTrait, NotSet, Set};

use super::plan::Plan;
use super::rng::Rng;
use crate::domain::{Category, LifecycleState};
use crate::error::AppResult;
use crate::store::agent_hour;

/// How many devices report, whatever the size of the estate: enough for the pages, few enough that a
/// 100,000-asset load stays quick.
const DEVICES: usize = 150;
const DAYS: i64 = 28;

/// How a device is used. Shares out of 1000 in [`HABITS`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Habit {
    /// Weekdays roughly 08:30-17:00, off at night and weekends.
    Office,
    /// Office hours, but left on overnight about one night in four, Monday to Thursday.
    Forgetful,
    /// Never switched off.
    AlwaysOn,
    /// A laptop used on some weekdays for shorter hours.
    Occasional,
}

/// Demo assumptions: most PCs are on for less than the office-hours profile's 08:00-18:00, a few are left
/// on, so the observed saving is positive and last night's list holds a handful of devices.
const HABITS: [(Habit, u32); 4] =
    [(Habit::Office, 800), (Habit::Forgetful, 100), (Habit::AlwaysOn, 20), (Habit::Occasional, 80)];

/// Minutes of the local day [from, to) a device is on, at most two spans.
type Spans = Vec<(u32, u32)>;

/// One day's spans, and whether the device is still on at midnight.
fn day_spans(rng: &mut Rng, habit: Habit, day: NaiveDate, on_at_midnight: bool) -> (Spans, bool) {
    let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    let start = rng.between(7 * 60 + 45, 9 * 60 + 15) as u32;
    let end = rng.between(16 * 60 + 30, 17 * 60 + 45) as u32;
    let left_on = rng.chance(250) && day.weekday() != Weekday::Fri;
    match habit {
        Habit::AlwaysOn => (vec![(0, 1440)], true),
        // Carried over from the night before: on until the user shuts it down at the end of the day.
        _ if on_at_midnight && weekday => (vec![(0, end)], false),
        _ if !weekday => (vec![], false),
        Habit::Office if rng.chance(40) => (vec![], false), // leave, or working elsewhere
        Habit::Office => (vec![(start, end)], false),
        Habit::Forgetful if left_on => (vec![(start, 1440)], true),
        Habit::Forgetful => (vec![(start, end)], false),
        Habit::Occasional if rng.chance(400) => (vec![(start + 60, end - 90)], false),
        Habit::Occasional => (vec![], false),
    }
}

/// The sample: every k-th deployed desktop or laptop, so it spreads over sites and departments.
fn sample(plan: &Plan) -> Vec<usize> {
    let candidates: Vec<usize> = (0..plan.assets.len())
        .filter(|i| {
            let a = &plan.assets[*i];
            a.state == LifecycleState::Deployed
                && matches!(a.category, Category::Desktop | Category::Laptop)
                && !a.public_access
        })
        .collect();
    let step = (candidates.len() / DEVICES).max(1);
    candidates.into_iter().step_by(step).take(DEVICES).collect()
}

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    London.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| naive.and_utc())
}

/// The hour rows of one device from the start of `first` up to (not including) the hour of `now`.
fn hours_of(
    rng: &mut Rng,
    asset_id: i32,
    habit: Habit,
    first: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<agent_hour::ActiveModel> {
    let mut out = Vec::new();
    let this_hour = crate::energy::observed::hour_floor(now);
    let mut on_at_midnight = false;
    let mut day = first;
    while local_midnight(day) < this_hour {
        let (spans, carried) = day_spans(rng, habit, day, on_at_midnight);
        on_at_midnight = carried;
        let (midnight, next) = (local_midnight(day), local_midnight(day.succ_opt().unwrap_or(day)));
        let mut hour = midnight;
        while hour < next && hour < this_hour {
            let from = (hour - midnight).num_minutes().clamp(0, 1440) as u32;
            let to = (from + 60).min(1440);
            let on: u32 = spans.iter().map(|(s, e)| to.min(*e).saturating_sub(from.max(*s))).sum();
            if on > 0 {
                let office = (8 * 60..18 * 60).contains(&from) && day.weekday().num_days_from_monday() < 5;
                let active =
                    if office { on * rng.between(55, 90) as u32 / 100 } else { on * rng.between(0, 5) as u32 / 100 };
                out.push(agent_hour::ActiveModel {
                    id: NotSet,
                    asset_id: Set(asset_id),
                    hour_start: Set(hour),
                    local_date: Set(day),
                    checkins: Set(on as i32),
                    minutes_on: Set(on as i32),
                    minutes_user_active: Set(active as i32),
                });
            }
            hour += Duration::hours(1);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    out
}

/// Writes the sample's hours; returns how many devices report. Nothing is written when agent hours are
/// already present (a register that had agents before).
pub(super) async fn ensure_observed(
    txn: &DatabaseTransaction,
    plan: &Plan,
    asset_ids: &[i32],
    now: DateTime<Utc>,
) -> AppResult<usize> {
    use sea_orm::PaginatorTrait;
    if agent_hour::Entity::find().count(txn).await? > 0 {
        return Ok(0);
    }
    let today = now.with_timezone(&London).date_naive();
    let first = today - Duration::days(DAYS - 1);
    let mut rng = Rng::new(0x4147_454E_5448_5253); // "AGENTHRS"
    let weights = HABITS.map(|(_, w)| w);
    let devices = sample(plan);
    let mut rows = Vec::new();
    for i in &devices {
        let mut habit = HABITS[rng.weighted(&weights)].0;
        if habit == Habit::Occasional && plan.assets[*i].category != Category::Laptop {
            habit = Habit::Office;
        }
        rows.extend(hours_of(&mut rng, asset_ids[*i], habit, first, now));
    }
    // 1,000 rows of 7 values: well under SQLite's and PostgreSQL's limits on bound parameters.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        agent_hour::Entity::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(devices.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn always_on_reports_every_hour_and_office_pcs_are_off_at_weekends_and_at_night() {
        // Monday 2 to Sunday 8 November 2026 (GMT, so UK days are 24 UTC hours from midnight).
        let now = Utc.with_ymd_and_hms(2026, 11, 9, 0, 30, 0).unwrap();
        let always = hours_of(&mut Rng::new(1), 7, Habit::AlwaysOn, day(2), now);
        assert_eq!(always.len(), 7 * 24);
        assert!(always.iter().all(|h| h.minutes_on.as_ref() == &60));

        let office = hours_of(&mut Rng::new(1), 7, Habit::Office, day(2), now);
        assert!(!office.is_empty());
        for h in &office {
            let local = h.hour_start.as_ref().with_timezone(&London);
            assert!(local.weekday().num_days_from_monday() < 5, "{local}");
            assert!((7..18).contains(&chrono::Timelike::hour(&local)), "{local}");
        }
    }

    #[test]
    fn no_hour_is_written_from_the_current_hour_on() {
        let now = Utc.with_ymd_and_hms(2026, 11, 4, 10, 15, 0).unwrap();
        let rows = hours_of(&mut Rng::new(3), 1, Habit::AlwaysOn, day(4), now);
        assert_eq!(rows.len(), 10, "00:00 to 09:00, not the 10:00 hour still running");
    }
}
