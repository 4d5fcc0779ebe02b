//! Observed on-time from agent check-ins: which minutes each check-in vouches for, their roll-up into
//! hours, a day's power-state minutes when it was observed, and the "left on overnight" window. Pure;
//! depends on chrono, chrono-tz and [`super::usage`].
//!
//! A check-in at `t` from an agent checking in every `interval` seconds vouches that the device was on
//! for the `interval` seconds before `t` — but never for longer than the device had been up (`uptime`),
//! nor for more than [`MAX_VOUCH_SECONDS`]. A minute counts as on when its start lies in a vouched
//! span, so an agent checking in every 60 s marks exactly one minute per check-in, and a lost check-in
//! loses one minute. Minutes, not check-ins, are counted, so two agents' worth of check-ins (or a retried
//! request) never count a minute twice.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::London;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::usage::StateMinutes;

/// The longest span one check-in vouches for: an agent set to check in hourly still only proves 15
/// minutes of on-time per check-in.
pub const MAX_VOUCH_SECONDS: i64 = 15 * 60;

/// One check-in, as the roll-up reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinSample {
    pub asset_id: i32,
    pub seen_at: DateTime<Utc>,
    pub interval_seconds: i64,
    pub uptime_seconds: Option<i64>,
    /// Unknown counts as not active.
    pub user_active: Option<bool>,
}

/// One asset's hour: how many check-ins arrived in it, and the minutes seen on and with a user active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourFigures {
    pub asset_id: i32,
    pub hour_start: DateTime<Utc>,
    /// The UK calendar day the hour starts in.
    pub local_date: NaiveDate,
    pub checkins: u32,
    pub minutes_on: u32,
    pub minutes_user_active: u32,
}

/// The minute indices (minutes since the Unix epoch) a check-in vouches for.
fn vouched_minutes(c: &CheckinSample) -> std::ops::Range<i64> {
    let t = c.seen_at.timestamp();
    let span = c.interval_seconds.min(c.uptime_seconds.unwrap_or(i64::MAX)).clamp(0, MAX_VOUCH_SECONDS);
    // Minutes m with m·60 in [t − span, t).
    let first = (t - span).div_euclid(60) + i64::from((t - span).rem_euclid(60) != 0);
    let end = t.div_euclid(60) + i64::from(t.rem_euclid(60) != 0);
    first..end.max(first)
}

fn hour_of_minute(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(minute.div_euclid(60) * 3600, 0).single().unwrap_or_default()
}

/// The UK calendar day an instant falls on.
pub fn uk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// Every (asset, hour) touched by the check-ins, in order of asset then hour. An hour appears when a
/// check-in arrived in it or vouched for one of its minutes.
pub fn hour_figures(samples: &[CheckinSample]) -> Vec<HourFigures> {
    #[derive(Default)]
    struct Acc {
        checkins: u32,
        on: BTreeSet<i64>,
        active: BTreeSet<i64>,
    }
    let mut hours: BTreeMap<(i32, DateTime<Utc>), Acc> = BTreeMap::new();
    for c in samples {
        let arrived = c.seen_at.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0));
        if let Some(h) = arrived {
            hours.entry((c.asset_id, h)).or_default().checkins += 1;
        }
        for m in vouched_minutes(c) {
            let acc = hours.entry((c.asset_id, hour_of_minute(m))).or_default();
            acc.on.insert(m);
            if c.user_active == Some(true) {
                acc.active.insert(m);
            }
        }
    }
    hours
        .into_iter()
        .map(|((asset_id, hour_start), a)| HourFigures {
            asset_id,
            hour_start,
            local_date: uk_date(hour_start),
            checkins: a.checkins,
            minutes_on: a.on.len() as u32,
            minutes_user_active: a.active.len() as u32,
        })
        .collect()
}

/// Observed minutes on, by asset and UK day: only days with observations are present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedOn {
    by_asset: HashMap<i32, BTreeMap<NaiveDate, u32>>,
}

impl ObservedOn {
    pub fn add(&mut self, asset_id: i32, date: NaiveDate, minutes_on: u32) {
        *self.by_asset.entry(asset_id).or_default().entry(date).or_default() += minutes_on;
    }

    /// The asset's observed days, if it has any.
    pub fn days(&self, asset_id: i32) -> Option<&BTreeMap<NaiveDate, u32>> {
        self.by_asset.get(&asset_id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_asset.is_empty()
    }
}

/// A day's minutes by state when the device was observed on for `on_minutes` of it, given what its
/// profile says for that day: the day keeps its length (1380, 1440 or 1500 minutes), the observed minutes
/// are on, and the rest count as asleep if the profile has the device asleep at all that day, else off
/// (a device whose agent is silent is asleep or off; the profile says which is likelier).
pub fn observed_day(profile_day: StateMinutes, on_minutes: u32) -> StateMinutes {
    let total = profile_day.total();
    let on = u64::from(on_minutes).min(total);
    let rest = total - on;
    if profile_day.sleep > 0 {
        StateMinutes { on, sleep: rest, off: 0 }
    } else {
        StateMinutes { on, sleep: 0, off: rest }
    }
}

/// The night after `evening` in UK time: 22:00 that evening until 05:00 the next morning, as UTC
/// instants (the window is 7 hours of wall-clock time, 6 or 8 on the nights the clocks change).
pub fn overnight_window(evening: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = |d: NaiveDate, h: u32| {
        let naive = d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default());
        London
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
    };
    let morning = evening.succ_opt().unwrap_or(evening);
    (local(evening, 22), local(morning, 5))
}

/// The evening of "last night" at `now`: yesterday's date in the UK.
pub fn last_night(now: DateTime<Utc>) -> NaiveDate {
    let today = uk_date(now);
    today.pred_opt().unwrap_or(today)
}

/// Minutes of the night a device was seen on, from its hour figures (hours outside the window ignored).
pub fn minutes_in_window(hours: &[HourFigures], from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    hours.iter().filter(|h| h.hour_start >= from && h.hour_start < to).map(|h| h.minutes_on).sum()
}

/// A check-in's hour, for callers rounding instants down.
pub fn hour_floor(t: DateTime<Utc>) -> DateTime<Utc> {
    hour_of_minute(t.timestamp().div_euclid(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn sample(t: DateTime<Utc>, interval: i64, uptime: Option<i64>, active: Option<bool>) -> CheckinSample {
        CheckinSample {
            asset_id: 7,
            seen_at: t,
            interval_seconds: interval,
            uptime_seconds: uptime,
            user_active: active,
        }
    }

    #[test]
    fn every_minute_for_an_hour_is_sixty_minutes() {
        // Check-ins at 10:00:30, 10:01:30, ... 10:59:30, every 60 s: each vouches for [t − 60 s, t), whose
        // one minute start is hh:mm:00; 60 check-ins, 60 minutes, all in the 10:00 hour.
        let samples: Vec<_> =
            (0..60).map(|m| sample(utc(2026, 1, 14, 10, m, 30), 60, Some(100_000), Some(m < 20))).collect();
        let hours = hour_figures(&samples);
        assert_eq!(hours.len(), 1);
        assert_eq!(hours[0].hour_start, utc(2026, 1, 14, 10, 0, 0));
        assert_eq!((hours[0].checkins, hours[0].minutes_on, hours[0].minutes_user_active), (60, 60, 20));
        assert_eq!(hours[0].local_date, NaiveDate::from_ymd_opt(2026, 1, 14).unwrap());
    }

    #[test]
    fn a_check_in_on_the_hour_vouches_for_the_hour_before() {
        // 11:00:00 with a 5-minute interval: minutes 10:55..10:59, all in the 10:00 hour; it arrived in
        // the 11:00 hour, which gets the check-in but no minutes.
        let hours = hour_figures(&[sample(utc(2026, 1, 14, 11, 0, 0), 300, None, None)]);
        assert_eq!(hours.len(), 2);
        assert_eq!((hours[0].hour_start, hours[0].checkins, hours[0].minutes_on), (utc(2026, 1, 14, 10, 0, 0), 0, 5));
        assert_eq!((hours[1].hour_start, hours[1].checkins, hours[1].minutes_on), (utc(2026, 1, 14, 11, 0, 0), 1, 0));
    }

    #[test]
    fn uptime_and_the_cap_limit_what_a_check_in_vouches_for() {
        // Booted 90 s before a check-in at 10:30:00 with a 10-minute interval: [10:28:30, 10:30:00) holds
        // one minute start (10:29:00).
        let booted = hour_figures(&[sample(utc(2026, 1, 14, 10, 30, 0), 600, Some(90), None)]);
        assert_eq!(booted[0].minutes_on, 1);
        // An hourly interval vouches for 15 minutes only.
        let hourly = hour_figures(&[sample(utc(2026, 1, 14, 10, 30, 0), 3600, None, None)]);
        assert_eq!(hourly[0].minutes_on, 15);
        // Two check-ins in the same minute count it once.
        let twice = hour_figures(&[
            sample(utc(2026, 1, 14, 10, 30, 10), 60, None, None),
            sample(utc(2026, 1, 14, 10, 30, 20), 60, None, None),
        ]);
        assert_eq!((twice[0].checkins, twice[0].minutes_on), (2, 1));
    }

    #[test]
    fn hours_take_their_uk_date() {
        // 23:30 UTC on 14/07/2026 is 00:30 BST on 15/07: the hour starting 23:00 UTC is on the 15th.
        let hours = hour_figures(&[sample(utc(2026, 7, 14, 23, 30, 0), 60, None, None)]);
        assert_eq!(hours[0].local_date, NaiveDate::from_ymd_opt(2026, 7, 15).unwrap());
    }

    #[test]
    fn an_observed_day_keeps_its_length() {
        // Office profile, working day: 600 on, 840 asleep. Observed on 3 h 15 min: 195 on, 1245 asleep.
        let day = StateMinutes { on: 600, sleep: 840, off: 0 };
        assert_eq!(observed_day(day, 195), StateMinutes { on: 195, sleep: 1245, off: 0 });
        // Left-on profile (no sleep): the unseen minutes are off. More minutes than the day: capped.
        let left_on = StateMinutes { on: 1440, sleep: 0, off: 0 };
        assert_eq!(observed_day(left_on, 60), StateMinutes { on: 60, sleep: 0, off: 1380 });
        assert_eq!(observed_day(StateMinutes { on: 0, sleep: 0, off: 1380 }, 2000).on, 1380);
    }

    #[test]
    fn the_night_window_in_uk_time() {
        // Winter (GMT): 14/01/2026 22:00 to 15/01 05:00 GMT = the same in UTC.
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(overnight_window(d(2026, 1, 14)), (utc(2026, 1, 14, 22, 0, 0), utc(2026, 1, 15, 5, 0, 0)));
        // Summer (BST = UTC+1): 14/07/2026 22:00 BST = 21:00 UTC; 05:00 BST = 04:00 UTC.
        assert_eq!(overnight_window(d(2026, 7, 14)), (utc(2026, 7, 14, 21, 0, 0), utc(2026, 7, 15, 4, 0, 0)));
        // The clocks go back at 02:00 BST on Sun 25/10/2026: 22:00 BST Sat = 21:00 UTC, 05:00 GMT Sun =
        // 05:00 UTC: an 8-hour night.
        assert_eq!(overnight_window(d(2026, 10, 24)), (utc(2026, 10, 24, 21, 0, 0), utc(2026, 10, 25, 5, 0, 0)));
        // Last night at 08:00 BST on 15/07 is the evening of 14/07.
        assert_eq!(last_night(utc(2026, 7, 15, 7, 0, 0)), d(2026, 7, 14));
    }
}
