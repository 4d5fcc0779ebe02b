//! PURE: a file of meter readings as UTC intervals of kWh, or every problem in it (all or nothing).
//!
//! Three shapes are read, told apart by the header line:
//! - **interval rows**: a timestamp and a kWh column (`Timestamp`/`Date Time`/`Reading Date`/…,
//!   `kWh`/`Consumption`/`Value`/…, any case). The timestamp is the **start** of a half hour; with no
//!   offset it is UK wall-clock time, and in the repeated autumn hour the first row for a time is BST and
//!   the second GMT.
//! - **48 half-hour columns per date** (`Date,00:30,…,24:00` or `Date,HH01…HH48`): a time heading is the
//!   **end** of its half hour as supplier files label them (a file whose first column is `00:00` labels
//!   starts instead); `HHnn` is the day's nth half hour in elapsed time from local midnight. On the spring
//!   clock-change day the day has 46 half hours (suppliers leave the 01:00–02:00 columns, or HH47–HH48,
//!   blank); on the autumn day 50 (HH49 and HH50, or a time heading given twice).
//! - **daily rows**: a date (no time) and a kWh column: one reading for the UK day from local midnight.
//!
//! Blank cells in a half-hour-column file are gaps (no reading), counted in a warning; a blank kWh on an
//! interval or daily row is a problem.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use super::meter_time::{self as time, HalfHourColumn, Local, Stamp};
use super::records::{LineIndex, CSV_FIX};
use super::{columns::normalise, decode, values, Problem};
use crate::energy::clock::day_length_minutes;

/// One interval's energy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub starts_at: DateTime<Utc>,
    /// 30, or 1440 for a UK day (23 or 25 hours on clock-change days).
    pub interval_minutes: i32,
    pub kwh: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    IntervalRows,
    HalfHourColumns,
    DailyRows,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::IntervalRows => "half-hourly readings, one per row",
            Shape::HalfHourColumns => "half-hourly readings, one day per row",
            Shape::DailyRows => "daily readings",
        }
    }
}

#[derive(Debug, Clone)]
pub struct MeterFile {
    pub shape: Shape,
    /// In time order, no two with the same start.
    pub readings: Vec<Reading>,
    pub warnings: Vec<String>,
}

const STAMP_NAMES: [&str; 14] = [
    "timestamp",
    "date time",
    "datetime",
    "reading date",
    "read date",
    "reading date time",
    "interval start",
    "start",
    "start time",
    "period start",
    "time",
    "date",
    "day",
    "reading time",
];
const KWH_NAMES: [&str; 10] = [
    "kwh",
    "consumption",
    "consumption kwh",
    "value",
    "reading",
    "kwh consumed",
    "energy",
    "energy kwh",
    "usage",
    "import kwh",
];

/// The largest kWh accepted in one interval: far above any council building's half hour or day.
const MAX_KWH: u32 = 10_000_000;

fn header_key(h: &str) -> String {
    normalise(&h.replace(['(', ')'], " "))
}

pub fn parse(bytes: &[u8]) -> Result<MeterFile, Vec<Problem>> {
    let text = decode::utf8(bytes).map_err(|p| vec![p])?;
    let delimiter = decode::delimiter(text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for r in reader.records() {
        match r {
            Ok(r) => {
                let line = r.position().map_or(0, |p| lines.line_of(p.byte()));
                if !r.iter().all(|f| f.trim().is_empty()) {
                    records.push((line, r));
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
                problems.push(Problem::at(line, format!("this record cannot be read: {e}"), CSV_FIX));
            }
        }
    }
    let mut rows = records.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(vec![Problem::file(
            "the file is empty",
            "upload the supplier's or logger's CSV with its header line",
        )]);
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let rows: Vec<(u64, csv::StringRecord)> = rows.collect();
    if rows.is_empty() && problems.is_empty() {
        return Err(vec![Problem::file("the file has a header line but no rows", "add the readings under the header")]);
    }
    let mut file = Builder { decimal_comma: delimiter == b';', problems, ..Builder::default() };
    let wall: Vec<(usize, HalfHourColumn)> =
        header.iter().enumerate().skip(1).filter_map(|(i, h)| time::half_hour_column(h).map(|c| (i, c))).collect();
    let shape = if wall.len() >= 46 {
        file.half_hour_columns(&header, &wall, &rows);
        Shape::HalfHourColumns
    } else {
        let find = |names: &[&str]| header.iter().position(|h| names.contains(&header_key(h).as_str()));
        let (Some(at), Some(kwh)) = (find(&STAMP_NAMES), find(&KWH_NAMES)) else {
            return Err(vec![Problem::file(
                format!(
                    "the header line ({}) names no timestamp and kWh columns, nor 48 half-hour columns",
                    header.join(", ")
                ),
                "use a header of Timestamp,kWh (one half hour per row), Date,kWh (one day per row), or \
                 Date,00:30,01:00,…,24:00 / Date,HH01,…,HH48 (one day per row)",
            )]);
        };
        file.rows(&header, at, kwh, &rows)
    };
    if !file.problems.is_empty() {
        file.problems.sort_by_key(|p| p.line);
        return Err(file.problems);
    }
    if file.blank > 0 {
        file.warnings
            .push(format!("{} half hours were blank and are not imported (a gap in the readings)", file.blank));
    }
    let mut readings: Vec<Reading> = file.seen.into_values().map(|(_, r)| r).collect();
    readings.sort_by_key(|r| r.starts_at);
    Ok(MeterFile { shape, readings, warnings: file.warnings })
}

#[derive(Default)]
struct Builder {
    decimal_comma: bool,
    problems: Vec<Problem>,
    warnings: Vec<String>,
    /// Each interval's line and reading, to refuse a second row for the same start.
    seen: HashMap<DateTime<Utc>, (u64, Reading)>,
    /// Wall-clock times already given once, so a second row for a repeated autumn time is the GMT one.
    walls: HashSet<chrono::NaiveDateTime>,
    blank: usize,
}

impl Builder {
    fn kwh(&mut self, line: u64, column: &str, raw: &str) -> Option<Decimal> {
        let s = raw.trim();
        let s = if self.decimal_comma { s.replace(',', ".") } else { s.to_string() };
        let fix = "write the kWh as a plain number such as 0.125 (no units or thousands separators)";
        match Decimal::from_str(&s) {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                self.problems.push(Problem::cell(
                    line,
                    column,
                    raw,
                    "a negative kWh: a meter's consumption cannot be below zero",
                    "check the reading; export (generation) is not imported, so leave it out",
                ));
                None
            }
            Ok(d) if d > Decimal::from(MAX_KWH) || s.len() > 30 => {
                self.problems.push(Problem::cell(line, column, raw, "this kWh is far too large for one interval", fix));
                None
            }
            Ok(d) => Some(d.normalize()),
            Err(_) => {
                self.problems.push(Problem::cell(line, column, raw, "not a number", fix));
                None
            }
        }
    }

    fn add(&mut self, line: u64, column: &str, raw: &str, reading: Reading) {
        let start = reading.starts_at;
        if let Some((first, _)) = self.seen.get(&start) {
            let local = start.with_timezone(&chrono_tz::Europe::London).format("%d/%m/%Y %H:%M %Z");
            self.problems.push(Problem::cell(
                line,
                column,
                raw,
                format!("a second reading for the interval starting {local}, already given on line {first}"),
                "keep one row per interval: delete the duplicate",
            ));
            return;
        }
        self.seen.insert(start, (line, reading));
    }

    fn wrong_length(&mut self, line: u64, record: &csv::StringRecord, header: &[String]) -> bool {
        if record.len() == header.len() {
            return false;
        }
        self.problems.push(Problem::at(
            line,
            format!("this row has {} fields but the header has {}", record.len(), header.len()),
            "the row may be cut short or have an extra delimiter: every row needs one value per column",
        ));
        true
    }

    /// Interval or daily rows: the first row's timestamp says which (a date alone: daily).
    fn rows(&mut self, header: &[String], at: usize, kwh: usize, rows: &[(u64, csv::StringRecord)]) -> Shape {
        let daily =
            rows.first().is_some_and(|(_, r)| matches!(time::stamp(&r[at.min(r.len() - 1)]), Ok(Stamp::Date(_))));
        let (at_name, kwh_name) = (header[at].as_str(), header[kwh].as_str());
        for (line, r) in rows {
            if self.wrong_length(*line, r, header) {
                continue;
            }
            let (raw_at, raw_kwh) = (&r[at], &r[kwh]);
            if raw_kwh.trim().is_empty() {
                self.problems.push(Problem::cell(
                    *line,
                    kwh_name,
                    "",
                    "no kWh given",
                    "give the reading, or delete the row",
                ));
                continue;
            }
            let start = match (time::stamp(raw_at), daily) {
                (Err(e), _) => {
                    let fix = if daily { values::DATE_FIX } else { time::STAMP_FIX };
                    self.problems.push(Problem::cell(*line, at_name, raw_at, e, fix));
                    None
                }
                (Ok(Stamp::Date(d)), true) => Some(time::uk_midnight(d)),
                (Ok(_), true) => {
                    self.problems.push(Problem::cell(
                        *line,
                        at_name,
                        raw_at,
                        "a time in a file of daily readings (the first row gives a date alone)",
                        "give every row a date alone (one reading per day), or every row a date and time",
                    ));
                    None
                }
                (Ok(Stamp::Date(_)), false) => {
                    self.problems.push(Problem::cell(
                        *line,
                        at_name,
                        raw_at,
                        "a date without a time in a file of half-hourly readings",
                        time::STAMP_FIX,
                    ));
                    None
                }
                (Ok(Stamp::Instant(t)), false) => Some(t),
                (Ok(Stamp::Wall(w)), false) => self.wall_time(*line, at_name, raw_at, w),
            };
            let start = match start {
                Some(t) if !daily && t.timestamp() % 1800 != 0 => {
                    self.problems.push(Problem::cell(
                        *line,
                        at_name,
                        raw_at,
                        "not the start of a half hour (readings are half-hourly, starting on the hour or half hour)",
                        time::STAMP_FIX,
                    ));
                    None
                }
                other => other,
            };
            let value = self.kwh(*line, kwh_name, raw_kwh);
            if let (Some(starts_at), Some(kwh)) = (start, value) {
                let interval_minutes = if daily { 1440 } else { 30 };
                self.add(*line, at_name, raw_at, Reading { starts_at, interval_minutes, kwh });
            }
        }
        if daily {
            Shape::DailyRows
        } else {
            Shape::IntervalRows
        }
    }

    /// A UK wall-clock time as UTC; in the repeated autumn hour the second row for a time is the GMT one.
    fn wall_time(&mut self, line: u64, column: &str, raw: &str, w: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
        match time::uk_local(w) {
            Local::Once(t) => Some(t),
            Local::Twice(bst, gmt) => Some(if self.walls.insert(w) { bst } else { gmt }),
            Local::Never => {
                self.problems.push(Problem::cell(
                    line,
                    column,
                    raw,
                    "this time does not exist in the UK: the clocks went forward from 01:00 to 02:00 that night",
                    "delete the row, or give times in UTC with a Z (e.g. 2025-03-30T01:00:00Z)",
                ));
                None
            }
        }
    }

    /// One day per row, a value per half-hour column.
    fn half_hour_columns(
        &mut self,
        header: &[String],
        cols: &[(usize, HalfHourColumn)],
        rows: &[(u64, csv::StringRecord)],
    ) {
        let labels_starts = cols.iter().any(|(_, c)| *c == HalfHourColumn::WallMinutes(0));
        let ignored: Vec<&str> =
            (1..header.len()).filter(|i| !cols.iter().any(|(c, _)| c == i)).map(|i| header[i].as_str()).collect();
        if !ignored.is_empty() {
            self.warnings.push(format!("columns not imported: {}", ignored.join(", ")));
        }
        for (line, r) in rows {
            if self.wrong_length(*line, r, header) {
                continue;
            }
            let date = match values::date(&r[0]) {
                Ok(d) => d,
                Err(e) => {
                    self.problems.push(Problem::cell(*line, &header[0], &r[0], e, values::DATE_FIX));
                    continue;
                }
            };
            let periods = day_length_minutes(date) / 30;
            let blank = |n: u32| {
                cols.iter().find(|(_, c)| *c == HalfHourColumn::Period(n)).is_some_and(|(i, _)| r[*i].trim().is_empty())
            };
            // A spring day whose HH03–HH04 (01:00–02:00 by the clock) are blank and HH47–HH48 filled labels
            // half hours by the wall clock, not in elapsed order.
            let spring_by_clock = periods == 46 && blank(3) && blank(4) && !blank(47) && !blank(48);
            let mut given = 0;
            let mut occurrences: HashMap<u32, u32> = HashMap::new();
            for &(i, col) in cols {
                let raw = &r[i];
                let column = header[i].as_str();
                let start = match col {
                    HalfHourColumn::Period(n) => {
                        let n = if spring_by_clock && n > 4 { n - 2 } else { n };
                        if (spring_by_clock && (n == 3 || n == 4)) || n > periods {
                            self.must_be_blank(*line, column, raw, date, periods);
                            continue;
                        }
                        time::period_start(date, n)
                    }
                    HalfHourColumn::WallMinutes(m) => {
                        let start = if labels_starts { m } else { m.saturating_sub(30) };
                        let nth = occurrences.entry(m).or_default();
                        *nth += 1;
                        let wall = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(start));
                        match time::uk_local(wall) {
                            Local::Once(t) => t,
                            Local::Twice(bst, gmt) => {
                                if *nth == 1 {
                                    bst
                                } else {
                                    gmt
                                }
                            }
                            Local::Never => {
                                self.must_be_blank(*line, column, raw, date, periods);
                                continue;
                            }
                        }
                    }
                };
                if raw.trim().is_empty() {
                    self.blank += 1;
                    continue;
                }
                if let Some(kwh) = self.kwh(*line, column, raw) {
                    given += 1;
                    self.add(*line, column, raw, Reading { starts_at: start, interval_minutes: 30, kwh });
                }
            }
            if periods == 50 && given == 48 {
                self.warnings.push(format!(
                    "{} has 50 half hours (the clocks went back) but line {line} gives 48: two are missing",
                    date.format("%d/%m/%Y")
                ));
            }
        }
    }

    fn must_be_blank(&mut self, line: u64, column: &str, raw: &str, date: NaiveDate, periods: u32) {
        if raw.trim().is_empty() {
            return;
        }
        self.problems.push(Problem::cell(
            line,
            column,
            raw,
            format!(
                "{} has {periods} half hours in UK time, so this column has no half hour that day",
                date.format("%d/%m/%Y")
            ),
            "leave this column blank on clock-change days (the 01:00–02:00 hour is skipped in March)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn total(f: &MeterFile) -> Decimal {
        f.readings.iter().map(|r| r.kwh).sum()
    }

    /// `Date,00:30,01:00,…,24:00`: the end of each half hour, as supplier files label them.
    fn end_times() -> String {
        (1..=48).map(|n| format!("{:02}:{:02}", n / 2, (n % 2) * 30)).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn a_normal_day_of_48_columns() {
        // 48 half hours of 0.5 kWh = 24 kWh; 15/01/2025 is GMT, so local midnight is 00:00 UTC.
        let row = vec!["0.5"; 48].join(",");
        let f = parse(format!("Date,{}\n15/01/2025,{row}\n", end_times()).as_bytes()).unwrap();
        assert_eq!(f.shape, Shape::HalfHourColumns);
        assert_eq!(f.readings.len(), 48);
        assert_eq!(total(&f), Decimal::from(24));
        assert_eq!(f.readings[0].starts_at, utc("2025-01-15T00:00:00Z"), "the 00:30 column is 00:00–00:30");
        assert_eq!(f.readings[47].starts_at, utc("2025-01-15T23:30:00Z"), "the 24:00 column is 23:30–24:00");
    }

    #[test]
    fn the_spring_day_has_46_half_hours() {
        // 30/03/2025: 00:00–01:00 GMT, then the clocks jump to 02:00 BST. The 01:30 and 02:00 columns
        // (01:00–02:00 by the clock) are blank; 46 × 1 kWh = 46 kWh.
        let cells: Vec<&str> = (1..=48).map(|n| if n == 3 || n == 4 { "" } else { "1" }).collect();
        let f = parse(format!("Date,{}\n30/03/2025,{}\n", end_times(), cells.join(",")).as_bytes()).unwrap();
        assert_eq!(f.readings.len(), 46);
        assert_eq!(total(&f), Decimal::from(46));
        let starts: Vec<_> = f.readings.iter().map(|r| r.starts_at).collect();
        assert_eq!(starts[1], utc("2025-03-30T00:30:00Z"), "00:30 GMT");
        assert_eq!(starts[2], utc("2025-03-30T01:00:00Z"), "02:00 BST follows 00:30–01:00 GMT");
        assert_eq!(starts[45], utc("2025-03-30T22:30:00Z"), "23:30 BST");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);

        // A value in a column of the skipped hour is refused, placed.
        let bad = (1..=48).map(|_| "1").collect::<Vec<_>>().join(",");
        let p = parse(format!("Date,{}\n30/03/2025,{bad}\n", end_times()).as_bytes()).unwrap_err();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].line, p[0].column.as_deref()), (Some(2), Some("01:30")));
        assert!(p[0].message.contains("46 half hours"), "{}", p[0].message);
    }

    #[test]
    fn the_autumn_day_has_50_half_hours() {
        // 26/10/2025: local midnight is 23:00 UTC on the 25th (BST); the clocks go back at 02:00 BST, so
        // HH03–HH04 are 01:00–02:00 BST (00:00–01:00 UTC) and HH05–HH06 the same clock hour in GMT.
        let header = (1..=50).map(|n| format!("HH{n:02}")).collect::<Vec<_>>().join(",");
        let row = vec!["0.25"; 50].join(",");
        let f = parse(format!("Date,{header}\n2025-10-26,{row}\n").as_bytes()).unwrap();
        assert_eq!(f.readings.len(), 50);
        assert_eq!(total(&f), Decimal::new(1250, 2), "50 × 0.25");
        assert_eq!(f.readings[0].starts_at, utc("2025-10-25T23:00:00Z"));
        assert_eq!(f.readings[2].starts_at, utc("2025-10-26T00:00:00Z"));
        assert_eq!(f.readings[4].starts_at, utc("2025-10-26T01:00:00Z"));
        assert_eq!(f.readings[49].starts_at, utc("2025-10-26T23:30:00Z"));

        // On an ordinary day HH49 and HH50 must be blank.
        let p = parse(format!("Date,{header}\n2025-10-27,{row}\n").as_bytes()).unwrap_err();
        assert_eq!(p.iter().map(|p| p.column.clone().unwrap()).collect::<Vec<_>>(), ["HH49", "HH50"]);
    }

    #[test]
    fn interval_rows_in_local_time_cross_the_autumn_change() {
        // Logger rows in UK time: 01:00 and 01:30 appear twice on 26/10/2025, first in BST, then GMT.
        let text = "Timestamp,kWh\n26/10/2025 00:30,1\n26/10/2025 01:00,2\n26/10/2025 01:30,3\n\
                    26/10/2025 01:00,4\n26/10/2025 01:30,5\n26/10/2025 02:00,6\n";
        let f = parse(text.as_bytes()).unwrap();
        assert_eq!(f.shape, Shape::IntervalRows);
        let got: Vec<_> = f.readings.iter().map(|r| (r.starts_at, r.kwh)).collect();
        assert_eq!(
            got,
            [
                (utc("2025-10-25T23:30:00Z"), Decimal::from(1)),
                (utc("2025-10-26T00:00:00Z"), Decimal::from(2)),
                (utc("2025-10-26T00:30:00Z"), Decimal::from(3)),
                (utc("2025-10-26T01:00:00Z"), Decimal::from(4)),
                (utc("2025-10-26T01:30:00Z"), Decimal::from(5)),
                (utc("2025-10-26T02:00:00Z"), Decimal::from(6)),
            ]
        );
    }

    #[test]
    fn interval_rows_with_offsets_and_header_words() {
        let text = "Reading Date;Consumption (kWh)\n2025-06-01T00:00:00+01:00;0,125\n2025-05-31T23:30:00Z;0,5\n";
        let f = parse(text.as_bytes()).unwrap();
        assert_eq!(f.readings.len(), 2);
        assert_eq!(f.readings[0].starts_at, utc("2025-05-31T23:00:00Z"));
        assert_eq!(f.readings[0].kwh, Decimal::new(125, 3), "decimal comma in a semicolon file");
    }

    #[test]
    fn a_daily_file() {
        // 31/03/2025 is BST: its local midnight is 23:00 UTC on the 30th. 12.5 + 13.25 + 0 = 25.75 kWh.
        let f = parse(b"Date,kWh\n30/03/2025,12.5\n31/03/2025,13.25\n2025-04-01,0\n").unwrap();
        assert_eq!(f.shape, Shape::DailyRows);
        assert_eq!(total(&f), Decimal::new(2575, 2));
        assert!(f.readings.iter().all(|r| r.interval_minutes == 1440));
        assert_eq!(f.readings[0].starts_at, utc("2025-03-30T00:00:00Z"));
        assert_eq!(f.readings[1].starts_at, utc("2025-03-30T23:00:00Z"));
    }

    #[test]
    fn every_bad_row_is_placed() {
        let text = "Timestamp,kWh\n\
                    2025-01-15 00:00,1\n\
                    2025-01-32 00:30,1\n\
                    2025-01-15 01:00,-2\n\
                    2025-01-15 01:30\n\
                    2025-01-15 00:00,3\n\
                    2025-01-15 02:10,1\n\
                    30/03/2025 01:30,1\n\
                    2025-01-15 03:00,abc\n";
        let p = parse(text.as_bytes()).unwrap_err();
        let got: Vec<_> = p.iter().map(|p| (p.line.unwrap(), p.column.clone().unwrap_or_default())).collect();
        assert_eq!(
            got,
            [
                (3, "Timestamp".into()),
                (4, "kWh".into()),
                (5, String::new()),
                (6, "Timestamp".into()),
                (7, "Timestamp".into()),
                (8, "Timestamp".into()),
                (9, "kWh".into()),
            ]
        );
        assert!(p[2].message.contains("1 fields but the header has 2"), "{}", p[2].message);
        assert!(p[3].message.contains("already given on line 2"), "{}", p[3].message);
        assert!(p[5].message.contains("clocks went forward"), "{}", p[5].message);
    }

    #[test]
    fn a_file_of_no_known_shape_says_what_is_expected() {
        let p = parse(b"Meter,Reading Day\nA,1\n").unwrap_err();
        assert!(p[0].message.contains("Meter, Reading Day") && p[0].fix.contains("HH01"), "{}", p[0]);
    }
}
