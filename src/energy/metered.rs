//! PURE: metered against estimated electricity per site and UK calendar month — the energy audit.
//!
//! Which readings are compared with which estimate, per site (by the meters it has, not by month, so a
//! month without readings shows as a gap rather than switching basis):
//! - the site's **ICT sub-meters**, where it has any, against the site's whole ICT estimate;
//! - else its **server-room sub-meters** against the estimate for the kit in the server room (servers and
//!   switches, the always-on kit that carries the site's PUE);
//! - else its **whole-site meters**: ICT is a share of the building's supply, so no difference or ratio is
//!   given, only the estimated ICT share of what was metered.
//!
//! **Coverage** is the share of the month's time the compared meters' readings cover (minutes covered ÷
//! (minutes in the UK month × meters); a 23- or 25-hour day counts as it is). Difference and ratio are given
//! only for complete months (coverage 1), so a half-empty month is never read as a 50% saving.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::calendar::CalendarMonth;
use super::clock::day_length_minutes;

/// What a meter measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measures {
    /// The site's whole supply (the fiscal meter or main incomer): ICT is a share of it.
    WholeSite,
    /// A sub-meter on the ICT circuits: all the site's ICT.
    Ict,
    /// A sub-meter on the server room alone: servers and network kit.
    ServerRoom,
}

impl Measures {
    pub const ALL: [Measures; 3] = [Measures::WholeSite, Measures::Ict, Measures::ServerRoom];

    pub fn as_str(self) -> &'static str {
        match self {
            Measures::WholeSite => "whole_site",
            Measures::Ict => "ict",
            Measures::ServerRoom => "server_room",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measures::WholeSite => "Whole site",
            Measures::Ict => "ICT sub-meter",
            Measures::ServerRoom => "Server room sub-meter",
        }
    }

    pub fn parse(s: &str) -> Option<Measures> {
        Measures::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Which kind is compared first when a site has several.
    fn preference(self) -> u8 {
        match self {
            Measures::Ict => 0,
            Measures::ServerRoom => 1,
            Measures::WholeSite => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterInfo {
    pub id: i32,
    pub site_id: i32,
    pub measures: Measures,
}

/// One stored reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterKwh {
    pub meter_id: i32,
    pub starts_at: DateTime<Utc>,
    pub interval_minutes: i32,
    pub kwh: Decimal,
}

/// The estimate of one site and month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SiteMonthEstimate {
    /// All the site's ICT.
    pub ict_kwh: Decimal,
    /// Its servers and switches (the server room).
    pub server_room_kwh: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteMonthComparison {
    pub site_id: i32,
    pub month: CalendarMonth,
    pub basis: Measures,
    /// The meters compared.
    pub meter_ids: Vec<i32>,
    pub metered_kwh: Decimal,
    /// The estimate compared: ICT for an ICT or whole-site basis, the server room's kit for a server room.
    /// `None` when there is no estimate (the estimate could not be worked out).
    pub estimated_kwh: Option<Decimal>,
    /// 0 to 1, to 4 places.
    pub coverage: Decimal,
    /// Metered − estimated, for a complete month of ICT or server-room metering.
    pub difference_kwh: Option<Decimal>,
    /// Metered ÷ estimated (to 4 places), likewise.
    pub ratio: Option<Decimal>,
    /// For a whole-site basis: estimated ICT ÷ metered site (to 4 places), for a complete month.
    pub ict_share: Option<Decimal>,
}

fn uk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Europe::London).date_naive()
}

fn minutes_in(month: CalendarMonth) -> i64 {
    month.period().iter_days().map(|d| i64::from(day_length_minutes(d))).sum()
}

fn four(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).normalize()
}

/// The comparison for every site with meters and every month in `months`. `estimates` is `None` when the
/// estimate could not be worked out (its reason is shown beside the table).
pub fn compare(
    months: &[CalendarMonth],
    meters: &[MeterInfo],
    readings: &[MeterKwh],
    estimates: Option<&HashMap<(i32, CalendarMonth), SiteMonthEstimate>>,
) -> Vec<SiteMonthComparison> {
    let mut basis: BTreeMap<i32, Measures> = BTreeMap::new();
    for m in meters {
        let b = basis.entry(m.site_id).or_insert(m.measures);
        if m.measures.preference() < b.preference() {
            *b = m.measures;
        }
    }
    let compared: HashMap<i32, &MeterInfo> =
        meters.iter().filter(|m| basis.get(&m.site_id) == Some(&m.measures)).map(|m| (m.id, m)).collect();
    // (site, month) → (kWh, minutes covered)
    let mut sums: HashMap<(i32, CalendarMonth), (Decimal, i64)> = HashMap::new();
    for r in readings {
        let Some(m) = compared.get(&r.meter_id) else { continue };
        let date = uk_date(r.starts_at);
        let minutes = if r.interval_minutes == 1440 {
            i64::from(day_length_minutes(date))
        } else {
            i64::from(r.interval_minutes)
        };
        let e = sums.entry((m.site_id, CalendarMonth::containing(date))).or_default();
        e.0 += r.kwh;
        e.1 += minutes;
    }
    let mut out = Vec::new();
    for (&site_id, &b) in &basis {
        let mut ids: Vec<i32> = compared.values().filter(|m| m.site_id == site_id).map(|m| m.id).collect();
        ids.sort_unstable();
        for &month in months {
            let (metered_kwh, covered) = sums.get(&(site_id, month)).copied().unwrap_or_default();
            let possible = minutes_in(month) * ids.len() as i64;
            let coverage =
                if possible == 0 { Decimal::ZERO } else { four(Decimal::from(covered) / Decimal::from(possible)) };
            let complete = covered >= possible && possible > 0;
            let estimate = estimates.map(|e| e.get(&(site_id, month)).copied().unwrap_or_default());
            let estimated_kwh = estimate.map(|e| if b == Measures::ServerRoom { e.server_room_kwh } else { e.ict_kwh });
            let (mut difference_kwh, mut ratio, mut ict_share) = (None, None, None);
            if let (true, Some(est)) = (complete, estimated_kwh) {
                if b == Measures::WholeSite {
                    ict_share = (!metered_kwh.is_zero()).then(|| four(est / metered_kwh));
                } else {
                    difference_kwh = Some(metered_kwh - est);
                    ratio = (!est.is_zero()).then(|| four(metered_kwh / est));
                }
            }
            out.push(SiteMonthComparison {
                site_id,
                month,
                basis: b,
                meter_ids: ids.clone(),
                metered_kwh,
                estimated_kwh,
                coverage,
                difference_kwh,
                ratio,
                ict_share,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn half_hours(meter_id: i32, from: DateTime<Utc>, n: i64, kwh: &str) -> Vec<MeterKwh> {
        (0..n)
            .map(|i| MeterKwh {
                meter_id,
                starts_at: from + Duration::minutes(30 * i),
                interval_minutes: 30,
                kwh: dec(kwh),
            })
            .collect()
    }

    const FEB: CalendarMonth = CalendarMonth { year: 2025, month: 2 };
    const MAR: CalendarMonth = CalendarMonth { year: 2025, month: 3 };

    #[test]
    fn an_ict_sub_meter_against_the_estimate() {
        // February 2025 (GMT throughout): 28 days × 48 = 1,344 half hours of 0.5 kWh = 672 kWh metered.
        // Estimate 640 kWh: difference 32 kWh, ratio 672/640 = 1.05. The whole-site meter is not compared.
        let meters = [
            MeterInfo { id: 1, site_id: 7, measures: Measures::Ict },
            MeterInfo { id: 2, site_id: 7, measures: Measures::WholeSite },
        ];
        let start = Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap();
        let mut readings = half_hours(1, start, 1344, "0.5");
        readings.extend(half_hours(2, start, 1344, "9"));
        let est = HashMap::from([((7, FEB), SiteMonthEstimate { ict_kwh: dec("640"), server_room_kwh: dec("100") })]);
        let rows = compare(&[FEB], &meters, &readings, Some(&est));
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.basis, r.meter_ids.clone()), (Measures::Ict, vec![1]));
        assert_eq!((r.metered_kwh, r.estimated_kwh, r.coverage), (dec("672"), Some(dec("640")), Decimal::ONE));
        assert_eq!((r.difference_kwh, r.ratio, r.ict_share), (Some(dec("32")), Some(dec("1.05")), None));
    }

    #[test]
    fn a_half_empty_month_is_not_compared() {
        // March 2025 has a 23-hour day: 31 × 1440 − 60 = 44,580 minutes. 14 days of readings (1–14 March,
        // all GMT) = 14 × 1440 = 20,160 minutes: coverage 20160/44580 = 0.45222… → 0.4522. No ratio.
        let meters = [MeterInfo { id: 1, site_id: 7, measures: Measures::ServerRoom }];
        let start = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
        let readings = half_hours(1, start, 14 * 48, "1");
        let est = HashMap::from([((7, MAR), SiteMonthEstimate { ict_kwh: dec("5000"), server_room_kwh: dec("1500") })]);
        let r = &compare(&[MAR], &meters, &readings, Some(&est))[0];
        assert_eq!((r.basis, r.metered_kwh, r.estimated_kwh), (Measures::ServerRoom, dec("672"), Some(dec("1500"))));
        assert_eq!(r.coverage, dec("0.4522"));
        assert_eq!((r.difference_kwh, r.ratio), (None, None));
    }

    #[test]
    fn a_whole_site_meter_gives_the_ict_share() {
        // Daily readings for February, 100 kWh a day = 2,800 kWh; ICT estimated 700 kWh = 0.25 of the site.
        let meters = [MeterInfo { id: 3, site_id: 2, measures: Measures::WholeSite }];
        let readings: Vec<MeterKwh> = (0..28)
            .map(|d| MeterKwh {
                meter_id: 3,
                starts_at: Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap() + Duration::days(d),
                interval_minutes: 1440,
                kwh: dec("100"),
            })
            .collect();
        let est = HashMap::from([((2, FEB), SiteMonthEstimate { ict_kwh: dec("700"), server_room_kwh: dec("0") })]);
        let r = &compare(&[FEB, MAR], &meters, &readings, Some(&est))[0];
        assert_eq!((r.metered_kwh, r.coverage, r.ict_share), (dec("2800"), Decimal::ONE, Some(dec("0.25"))));
        assert_eq!((r.difference_kwh, r.ratio), (None, None));
        let march = &compare(&[FEB, MAR], &meters, &readings, None)[1];
        assert_eq!((march.metered_kwh, march.coverage, march.estimated_kwh), (Decimal::ZERO, Decimal::ZERO, None));
    }
}
