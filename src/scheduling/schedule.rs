//! A weekly schedule of wake and shutdown times in UK local time, written the way an ICT officer says it
//! ("mon-fri 07:30-19:00; sat 09:00-13:00"), and the conversion of a local time on a date to UTC across
//! the clock changes. Pure; depends on chrono and chrono-tz.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use std::fmt;

/// On one weekday: an optional wake time and an optional shutdown (or sleep) time, local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTimes {
    pub weekday: Weekday,
    pub wake: Option<NaiveTime>,
    pub off: Option<NaiveTime>,
}

/// The week: at most one entry per weekday (a later clause for the same day replaces an earlier one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeeklySchedule(Vec<DayTimes>);

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day_name(d: Weekday) -> &'static str {
    DAYS[d.num_days_from_monday() as usize].0
}

fn parse_day(raw: &str) -> Result<Weekday, String> {
    let lower = raw.trim().to_ascii_lowercase();
    DAYS.iter()
        .find(|(n, _)| lower.len() >= 3 && lower.starts_with(n) && n.starts_with(&lower[..3]))
        .map(|(_, d)| *d)
        .ok_or_else(|| format!("'{}' is not a day; write mon, tue, wed, thu, fri, sat or sun", raw.trim()))
}

fn parse_days(raw: &str) -> Result<Vec<Weekday>, String> {
    let mut out = Vec::new();
    for part in raw.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (parse_day(a)?, parse_day(b)?);
                let (from, to) = (a.num_days_from_monday(), b.num_days_from_monday());
                if to < from {
                    return Err(format!("'{}' runs backwards; write e.g. mon-fri", part.trim()));
                }
                out.extend((from..=to).map(|i| DAYS[i as usize].1));
            }
            None => out.push(parse_day(part)?),
        }
    }
    Ok(out)
}

fn parse_time(raw: &str) -> Result<Option<NaiveTime>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(Some)
        .map_err(|_| format!("'{s}' is not a time; write 24-hour hh:mm, e.g. 07:30 or 19:00"))
}

impl WeeklySchedule {
    pub fn new(days: Vec<DayTimes>) -> WeeklySchedule {
        let mut s = WeeklySchedule::default();
        for d in days {
            s.set(d);
        }
        s
    }

    fn set(&mut self, d: DayTimes) {
        self.0.retain(|x| x.weekday != d.weekday);
        self.0.push(d);
        self.0.sort_by_key(|x| x.weekday.num_days_from_monday());
    }

    /// Parses "mon-fri 07:30-19:00; sat 09:00-13:00; sun -18:00". Each clause is days (a day, a range,
    /// or a comma list) then `wake-off`; either time may be left out ("-19:00": shut down only,
    /// "07:30-": wake only). Blank means no schedule.
    pub fn parse(raw: &str) -> Result<WeeklySchedule, String> {
        let mut s = WeeklySchedule::default();
        for clause in raw.split(';').map(str::trim).filter(|c| !c.is_empty()) {
            let (days, times) = clause.split_once(char::is_whitespace).ok_or_else(|| {
                format!("'{clause}' needs days then times, e.g. mon-fri 07:30-19:00 (wake 07:30, shut down 19:00)")
            })?;
            let (wake, off) = times.trim().split_once('-').ok_or_else(|| {
                format!(
                    "'{}' in '{clause}' needs wake-off times, e.g. 07:30-19:00, or -19:00 for off only",
                    times.trim()
                )
            })?;
            let (wake, off) = (parse_time(wake)?, parse_time(off)?);
            if wake.is_none() && off.is_none() {
                return Err(format!("'{clause}' gives neither a wake nor a shutdown time"));
            }
            for weekday in parse_days(days)? {
                s.set(DayTimes { weekday, wake, off });
            }
        }
        Ok(s)
    }

    pub fn days(&self) -> &[DayTimes] {
        &self.0
    }

    pub fn on(&self, weekday: Weekday) -> Option<&DayTimes> {
        self.0.iter().find(|d| d.weekday == weekday)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Written back in the form `parse` reads, one clause per day ("mon 07:30-19:00; tue ..."), so what is
/// stored is normalised.
impl fmt::Display for WeeklySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
        let clauses: Vec<String> =
            self.0.iter().map(|d| format!("{} {}-{}", day_name(d.weekday), t(d.wake), t(d.off))).collect();
        f.write_str(&clauses.join("; "))
    }
}

/// The UTC instant of a UK local time on a date. In the spring gap (01:00–02:00 on the last Sunday of
/// March does not exist) the time moves forward by the gap, so 01:30 becomes 02:30 BST (01:30 UTC); in
/// the autumn overlap (01:00–02:00 on the last Sunday of October happens twice) the first, BST, one is
/// taken, so an action is never late.
pub fn uk_local_to_utc(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match London.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Only the spring gap, one hour long in the UK: the same wall time an hour on exists.
            let later = local + Duration::hours(1);
            match London.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                LocalResult::None => Utc.from_utc_datetime(&local),
            }
        }
    }
}

/// The UK local date of an instant.
pub fn uk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

pub fn weekday_of(date: NaiveDate) -> Weekday {
    date.weekday()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn parses_ranges_lists_and_one_sided_clauses() {
        let s = WeeklySchedule::parse("mon-fri 07:30-19:00; sat 09:00-13:00; sun -18:00").unwrap();
        assert_eq!(s.days().len(), 7);
        assert_eq!(
            s.on(Weekday::Wed),
            Some(&DayTimes { weekday: Weekday::Wed, wake: Some(hm(7, 30)), off: Some(hm(19, 0)) })
        );
        assert_eq!(s.on(Weekday::Sun).unwrap().wake, None);
        assert_eq!(s.on(Weekday::Sun).unwrap().off, Some(hm(18, 0)));
        let s = WeeklySchedule::parse("Monday,wed 08:00-").unwrap();
        assert_eq!(s.days().iter().map(|d| d.weekday).collect::<Vec<_>>(), vec![Weekday::Mon, Weekday::Wed]);
        assert_eq!(s.to_string(), "mon 08:00-; wed 08:00-");
        // What is written back parses to the same schedule.
        let s = WeeklySchedule::parse("mon-fri 07:30-19:00").unwrap();
        assert_eq!(WeeklySchedule::parse(&s.to_string()).unwrap(), s);
        assert!(WeeklySchedule::parse("").unwrap().is_empty());
    }

    #[test]
    fn refuses_what_it_cannot_read_saying_how_to_write_it() {
        for (raw, hint) in [
            ("fri-mon 07:00-19:00", "runs backwards"),
            ("mon 7.30-19:00", "hh:mm"),
            ("mon 25:00-19:00", "hh:mm"),
            ("mon-fri", "needs days then times"),
            ("mon 07:00", "wake-off"),
            ("xyz 07:00-19:00", "not a day"),
            ("mon -", "neither"),
        ] {
            let e = WeeklySchedule::parse(raw).unwrap_err();
            assert!(e.contains(hint), "{raw}: {e}");
        }
    }

    #[test]
    fn local_times_across_the_clock_changes() {
        // GMT in winter: local = UTC.
        assert_eq!(
            uk_local_to_utc(NaiveDate::from_ymd_opt(2026, 1, 14).unwrap(), hm(19, 0)),
            utc("2026-01-14T19:00:00Z")
        );
        // BST in summer: local − 1 h.
        assert_eq!(
            uk_local_to_utc(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(), hm(19, 0)),
            utc("2026-07-01T18:00:00Z")
        );
        // 29/03/2026, the last Sunday of March: clocks go 01:00 GMT → 02:00 BST, so 01:30 does not exist
        // and moves on to 02:30 BST = 01:30 UTC.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(uk_local_to_utc(spring, hm(1, 30)), utc("2026-03-29T01:30:00Z"));
        assert_eq!(uk_local_to_utc(spring, hm(0, 30)), utc("2026-03-29T00:30:00Z"));
        assert_eq!(uk_local_to_utc(spring, hm(3, 0)), utc("2026-03-29T02:00:00Z"));
        // 25/10/2026, the last Sunday of October: 01:30 happens at 00:30 UTC (BST) and 01:30 UTC (GMT);
        // the first is taken.
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!(uk_local_to_utc(autumn, hm(1, 30)), utc("2026-10-25T00:30:00Z"));
        assert_eq!(uk_local_to_utc(autumn, hm(3, 0)), utc("2026-10-25T03:00:00Z"));
        assert_eq!(uk_date(utc("2026-07-01T23:30:00Z")), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
    }
}
