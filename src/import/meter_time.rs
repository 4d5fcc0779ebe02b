//! PURE: the times in meter files as UTC instants. Files without an offset are in UK wall-clock time
//! (Europe/London), as suppliers and UK data loggers write them; the start of a UK day is its local midnight.
//! Depends on chrono and chrono-tz only.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// When a UK wall-clock time happens: once, twice (the repeated hour on the last Sunday of October: the
/// first time is BST, the second GMT), or never (the skipped hour on the last Sunday of March).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    Once(DateTime<Utc>),
    Twice(DateTime<Utc>, DateTime<Utc>),
    Never,
}

pub fn uk_local(t: NaiveDateTime) -> Local {
    match London.from_local_datetime(&t) {
        LocalResult::Single(x) => Local::Once(x.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            Local::Twice(a.min(b), a.max(b))
        }
        LocalResult::None => Local::Never,
    }
}

/// Local midnight of a UK day, as UTC (midnight itself is never skipped or repeated in the UK).
pub fn uk_midnight(date: NaiveDate) -> DateTime<Utc> {
    match uk_local(date.and_time(NaiveTime::MIN)) {
        Local::Once(t) | Local::Twice(t, _) => t,
        Local::Never => Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)),
    }
}

/// The UK date an instant falls on.
pub fn uk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// A timestamp cell: either an instant (it carried an offset or `Z`) or a UK wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    Instant(DateTime<Utc>),
    Wall(NaiveDateTime),
    /// A date alone: the row is a day's total.
    Date(NaiveDate),
}

/// `2025-03-31T00:30:00Z`, `2025-03-31T00:30:00+01:00`, `2025-03-31 00:30[:00]`, `31/03/2025 00:30[:00]`,
/// or a date alone (`2025-03-31`, `31/03/2025`).
pub fn stamp(raw: &str) -> Result<Stamp, String> {
    let s = raw.trim();
    let iso = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&iso) {
        return Ok(Stamp::Instant(t.with_timezone(&Utc)));
    }
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z", "%Y-%m-%dT%H:%M:%S%#z"] {
        if let Ok(t) = DateTime::parse_from_str(&iso, f) {
            return Ok(Stamp::Instant(t.with_timezone(&Utc)));
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d/%m/%YT%H:%M:%S", "%d/%m/%YT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&iso, f) {
            return Ok(Stamp::Wall(t));
        }
    }
    if !s.contains([':', 'T']) {
        return super::values::date(s).map(Stamp::Date);
    }
    Err(format!("'{raw}' is not a date and time"))
}

pub const STAMP_FIX: &str = "write the start of the interval as 2025-03-31T00:30:00Z, 2025-03-31 00:30 or \
    31/03/2025 00:30 (UK time when no offset is given)";

/// A half-hour column's heading: `HH01`..`HH50` (the day's settlement periods in order) or a wall-clock
/// time `00:30`..`24:00` (the end of the half hour, as supplier files label them; `00:00`..`23:30` when the
/// file labels starts instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalfHourColumn {
    Period(u32),
    WallMinutes(u32),
}

pub fn half_hour_column(header: &str) -> Option<HalfHourColumn> {
    let h = header.trim();
    if let Some(n) = h.strip_prefix("HH").or_else(|| h.strip_prefix("hh")) {
        let n: u32 = n.trim().parse().ok()?;
        return (1..=50).contains(&n).then_some(HalfHourColumn::Period(n));
    }
    let (hh, mm) = h.split_once(':')?;
    let (hh, mm): (u32, u32) = (hh.parse().ok()?, mm.get(..2)?.parse().ok()?);
    let minutes = hh * 60 + mm;
    (minutes <= 24 * 60 && mm % 30 == 0).then_some(HalfHourColumn::WallMinutes(minutes))
}

/// The start of the `n`th (1-based) half hour of a UK day, counting elapsed time from local midnight: so
/// the spring day has 46 and the autumn day 50.
pub fn period_start(date: NaiveDate, n: u32) -> DateTime<Utc> {
    uk_midnight(date) + Duration::minutes(30 * (i64::from(n) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn stamps_in_the_forms_files_use() {
        let wall = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap().and_hms_opt(0, 30, 0).unwrap();
        assert_eq!(stamp("2025-03-31T00:30:00Z"), Ok(Stamp::Instant(utc("2025-03-31T00:30:00Z"))));
        assert_eq!(stamp("2025-03-31T01:30:00+01:00"), Ok(Stamp::Instant(utc("2025-03-31T00:30:00Z"))));
        assert_eq!(stamp("2025-03-31 00:30"), Ok(Stamp::Wall(wall)));
        assert_eq!(stamp("31/03/2025 00:30"), Ok(Stamp::Wall(wall)));
        assert_eq!(stamp("31/03/2025 00:30:00"), Ok(Stamp::Wall(wall)));
        assert_eq!(stamp("31/03/2025"), Ok(Stamp::Date(wall.date())));
        assert!(stamp("31/03/2025 25:00").is_err());
        assert!(stamp("yesterday").is_err());
    }

    #[test]
    fn clock_change_hours() {
        // 30/03/2025: clocks go forward at 01:00 GMT, so 01:30 local never happens.
        let d = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
        assert_eq!(uk_local(d.and_hms_opt(1, 30, 0).unwrap()), Local::Never);
        // 26/10/2025: clocks go back at 02:00 BST, so 01:30 happens at 00:30 UTC (BST) and 01:30 UTC (GMT).
        let d = NaiveDate::from_ymd_opt(2025, 10, 26).unwrap();
        assert_eq!(
            uk_local(d.and_hms_opt(1, 30, 0).unwrap()),
            Local::Twice(utc("2025-10-26T00:30:00Z"), utc("2025-10-26T01:30:00Z"))
        );
        // A summer midnight is 23:00 UTC the day before.
        assert_eq!(uk_midnight(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()), utc("2025-05-31T23:00:00Z"));
        assert_eq!(period_start(d, 50), utc("2025-10-27T00:30:00Z") - Duration::minutes(60));
    }

    #[test]
    fn half_hour_headings() {
        assert_eq!(half_hour_column("HH01"), Some(HalfHourColumn::Period(1)));
        assert_eq!(half_hour_column("hh50"), Some(HalfHourColumn::Period(50)));
        assert_eq!(half_hour_column("HH51"), None);
        assert_eq!(half_hour_column("00:30"), Some(HalfHourColumn::WallMinutes(30)));
        assert_eq!(half_hour_column("24:00"), Some(HalfHourColumn::WallMinutes(1440)));
        assert_eq!(half_hour_column("00:15"), None);
        assert_eq!(half_hour_column("kWh"), None);
    }
}
