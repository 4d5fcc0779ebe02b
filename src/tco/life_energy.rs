//! Energy over an asset's life, from the energy engine's own parts (usage profiles, bank holidays, clock
//! changes, watts by state, PUE, dated tariffs): estimated to date, then forecast to its refresh date.
//!
//! Method: a [`LifeCalendar`] is worked out once per (usage profile, tariff) over the whole span needed,
//! keeping running totals of minutes in each power state and of minutes × the rate in force that day; an
//! asset's energy over any run of days is then `kwh = Σ(state) watts × Δminutes / 60 000` (× PUE) and
//! `£ = Σ(state) watts × Δ(minutes × £/kWh) / 60 000` (× PUE) — the same sums as
//! `energy::rollup::estimate` (Σ per day of kWh × that day's rate), at two lookups per asset.
//!
//! Forecast days are priced at the rate in force on each day: after the last known change that is the
//! latest known tariff, held flat. Days before the first known rate are priced at that first rate and
//! counted in `days_before_first_rate` so the answer says so.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::energy::bank_holidays::BankHolidays;
use crate::energy::power::{PowerDraw, Pue, WATT_MINUTES_PER_KWH};
use crate::energy::tariff::TariffHistory;
use crate::energy::usage::{day_state_minutes, StateMinutes, UsageProfile};
use crate::energy::{EnergyError, Period};

/// kWh and £ over one run of days (full precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnergyPart {
    pub period: Period,
    pub kwh: Decimal,
    pub cost_gbp: Decimal,
    /// Days in the run before the first known tariff, priced at that first rate.
    pub days_before_first_rate: u32,
}

/// Running totals for one usage profile and one tariff over a span of days.
#[derive(Debug, Clone)]
pub struct LifeCalendar {
    span: Period,
    first_rate_from: NaiveDate,
    /// `minutes[i]`: minutes in each state over the span's first `i` days.
    minutes: Vec<StateMinutes>,
    /// `rate_minutes[i]`: Σ minutes × £/kWh over the first `i` days, by state (on, sleep, off).
    rate_minutes: Vec<[Decimal; 3]>,
}

impl LifeCalendar {
    pub fn new(
        profile: &UsageProfile,
        tariff: &TariffHistory,
        span: Period,
        holidays: &BankHolidays,
    ) -> Result<LifeCalendar, EnergyError> {
        let first = *tariff.rates().first().ok_or(EnergyError::NoTariff { site_id: None, date: span.from() })?;
        let days = span.days() as usize;
        let mut minutes = Vec::with_capacity(days + 1);
        let mut rate_minutes = Vec::with_capacity(days + 1);
        let (mut m, mut r) = (StateMinutes::default(), [Decimal::ZERO; 3]);
        minutes.push(m);
        rate_minutes.push(r);
        for day in span.iter_days() {
            let today = day_state_minutes(profile, day, holidays);
            let rate = tariff.rate_on(day).unwrap_or(&first).gbp_per_kwh;
            m += today;
            r[0] += rate * Decimal::from(today.on);
            r[1] += rate * Decimal::from(today.sleep);
            r[2] += rate * Decimal::from(today.off);
            minutes.push(m);
            rate_minutes.push(r);
        }
        Ok(LifeCalendar { span, first_rate_from: first.effective_from, minutes, rate_minutes })
    }

    fn index(&self, d: NaiveDate) -> usize {
        (d - self.span.from()).num_days().clamp(0, self.minutes.len() as i64 - 1) as usize
    }

    /// The asset's energy over `part` (clamped to the calendar's span).
    pub fn energy(&self, draw: &PowerDraw, pue: Option<Pue>, part: Period) -> EnergyPart {
        let (a, b) = (self.index(part.from()), self.index(part.to()));
        let watt_minutes = draw.watt_minutes(&(self.minutes[b] - self.minutes[a]));
        let (ra, rb) = (&self.rate_minutes[a], &self.rate_minutes[b]);
        let watt_rate_minutes = draw.on_watts() * (rb[0] - ra[0])
            + draw.sleep_watts() * (rb[1] - ra[1])
            + draw.off_watts() * (rb[2] - ra[2]);
        let per_kwh = Decimal::from(WATT_MINUTES_PER_KWH);
        let pue = pue.map_or(Decimal::ONE, Pue::value);
        let before_first = (self.first_rate_from.min(part.to()) - part.from()).num_days().max(0);
        EnergyPart {
            period: part,
            kwh: watt_minutes / per_kwh * pue,
            cost_gbp: watt_rate_minutes / per_kwh * pue,
            days_before_first_rate: u32::try_from(before_first).unwrap_or(u32::MAX),
        }
    }
}

/// An asset's life cut at today: the days already passed are the estimate to date, the rest the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifeSplit {
    pub to_date: Option<Period>,
    pub forecast: Option<Period>,
}

/// Cuts `[start, end)` at `today`: before it the estimate to date, from it the forecast.
pub fn split_life(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> LifeSplit {
    let to_date = Period::new(start, today.min(end.max(start))).ok().filter(|p| !p.is_empty());
    let forecast = Period::new(today.max(start), end).ok().filter(|p| !p.is_empty());
    LifeSplit { to_date, forecast }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::calendar::ymd;
    use crate::energy::tariff::TariffRate;
    use crate::energy::usage::{OutOfHours, WorkingHours};
    use crate::energy::FinancialYear;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn server() -> PowerDraw {
        PowerDraw::new(dec("100"), dec("100"), dec("0")).unwrap()
    }

    fn tariff() -> TariffHistory {
        // 20 p/kWh from 01/01/2024, 30 p/kWh from 01/02/2024 (a tariff change).
        TariffHistory::new(vec![
            TariffRate::pence_per_kwh(ymd(2024, 1, 1), dec("20")),
            TariffRate::pence_per_kwh(ymd(2024, 2, 1), dec("30")),
        ])
        .unwrap()
    }

    #[test]
    fn to_date_across_a_tariff_change_then_forecast_at_the_latest_rate() {
        // A 100 W always-on device bought 01/01/2024, due for refresh 01/04/2024, today 15/02/2024.
        // To date 01/01–14/02: January 31 days × 24 h × 0.1 kW = 74.4 kWh at £0.20 = £14.88;
        // 01/02–14/02 14 days × 2.4 kWh = 33.6 kWh at £0.30 = £10.08 → 108 kWh, £24.96.
        // Forecast 15/02–31/03: 15 + 31 = 46 days, less the hour lost on 31/03/2024 (clocks forward):
        // 46 × 24 − 1 = 1103 h × 0.1 kW = 110.3 kWh at the latest rate £0.30 = £33.09.
        let span = Period::new(ymd(2024, 1, 1), ymd(2024, 4, 1)).unwrap();
        let cal = LifeCalendar::new(&UsageProfile::ALWAYS_ON, &tariff(), span, &BankHolidays::default()).unwrap();
        let split = split_life(ymd(2024, 1, 1), ymd(2024, 4, 1), ymd(2024, 2, 15));
        let to_date = cal.energy(&server(), None, split.to_date.unwrap());
        assert_eq!((to_date.kwh, to_date.cost_gbp), (dec("108"), dec("24.96")));
        let forecast = cal.energy(&server(), None, split.forecast.unwrap());
        assert_eq!((forecast.kwh, forecast.cost_gbp), (dec("110.3"), dec("33.09")));
        assert_eq!(forecast.days_before_first_rate, 0);
        // In a server room with PUE 1.5 the site uses half as much again: 108 × 1.5 = 162 kWh, £37.44.
        let pue = Pue::new(dec("1.5")).unwrap();
        let in_room = cal.energy(&server(), Some(pue), split.to_date.unwrap());
        assert_eq!((in_room.kwh, in_room.cost_gbp), (dec("162"), dec("37.44")));
    }

    #[test]
    fn an_office_desktop_over_a_financial_year_matches_the_engine_hours() {
        // 2024/25 office hours (energy::usage tests): 2540 h on, 6220 h asleep. A 50 W on / 2 W asleep desktop:
        // 2540 × 0.05 + 6220 × 0.002 = 127 + 12.44 = 139.44 kWh; at 24.5 p/kWh = £34.1628.
        let fy = FinancialYear(2024).period();
        let rate = TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2020, 1, 1), dec("24.5"))]).unwrap();
        let profile = UsageProfile::working(WorkingHours::office(OutOfHours::Sleep));
        let cal = LifeCalendar::new(&profile, &rate, fy, &BankHolidays::england_and_wales(2024..=2025)).unwrap();
        let desktop = PowerDraw::new(dec("50"), dec("2"), dec("0")).unwrap();
        let e = cal.energy(&desktop, None, fy);
        assert_eq!((e.kwh, e.cost_gbp), (dec("139.44"), dec("34.1628")));
    }

    #[test]
    fn days_before_the_first_rate_are_priced_at_it_and_counted() {
        // Bought 22/12/2023, ten days before the first rate: those 10 days × 2.4 kWh = 24 kWh at £0.20.
        let span = Period::new(ymd(2023, 12, 22), ymd(2024, 1, 1)).unwrap();
        let cal = LifeCalendar::new(&UsageProfile::ALWAYS_ON, &tariff(), span, &BankHolidays::default()).unwrap();
        let e = cal.energy(&server(), None, span);
        assert_eq!((e.kwh, e.cost_gbp, e.days_before_first_rate), (dec("24"), dec("4.8"), 10));
    }

    #[test]
    fn life_is_cut_at_today() {
        let (a, b, c) = (ymd(2020, 1, 1), ymd(2025, 1, 1), ymd(2023, 6, 1));
        assert_eq!(
            split_life(a, b, c),
            LifeSplit { to_date: Some(Period::new(a, c).unwrap()), forecast: Some(Period::new(c, b).unwrap()) }
        );
        // Past its end: all to date, nothing forecast (the caller ends an overdue asset's life today).
        let late = ymd(2026, 1, 1);
        assert_eq!(split_life(a, b, late), LifeSplit { to_date: Some(Period::new(a, b).unwrap()), forecast: None });
        // Not bought yet (or bought today): all forecast.
        assert_eq!(split_life(c, b, a).to_date, None);
    }
}
