//! Electricity tariffs: dated unit rates per site, `cost_gbp = Σ(day) kwh_day × rate(day)`, and rounding to
//! the penny for display only. Standing charges are a site's, not a device's, so they are not here. Pure;
//! depends on rust_decimal, chrono and the calendar module.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

use super::calendar::Period;
use super::EnergyError;
use crate::domain::Gbp;

/// A unit rate in force from a date until the next rate's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TariffRate {
    pub effective_from: NaiveDate,
    /// £ per kWh, full precision (24.50 p/kWh is 0.245).
    pub gbp_per_kwh: Decimal,
    /// The supplier's own emissions factor (kgCO2e/kWh) for market-based reporting, e.g. 0 for a
    /// REGO-backed renewable tariff; `None` when the supplier gives none.
    pub market_kg_co2e_per_kwh: Option<Decimal>,
}

impl TariffRate {
    /// A rate given in pence per kWh, as bills state it.
    pub fn pence_per_kwh(effective_from: NaiveDate, pence: Decimal) -> TariffRate {
        TariffRate { effective_from, gbp_per_kwh: pence / Decimal::ONE_HUNDRED, market_kg_co2e_per_kwh: None }
    }

    pub fn with_market_factor(self, kg_co2e_per_kwh: Decimal) -> TariffRate {
        TariffRate { market_kg_co2e_per_kwh: Some(kg_co2e_per_kwh), ..self }
    }
}

/// A site's rates over time, in date order, one per effective date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TariffHistory(Vec<TariffRate>);

impl TariffHistory {
    /// Refuses negative rates and two rates from the same day.
    pub fn new(mut rates: Vec<TariffRate>) -> Result<TariffHistory, String> {
        rates.sort_by_key(|r| r.effective_from);
        if let Some(r) = rates.iter().find(|r| r.gbp_per_kwh.is_sign_negative() && !r.gbp_per_kwh.is_zero()) {
            return Err(format!("the rate from {} is negative (£{}/kWh)", r.effective_from, r.gbp_per_kwh));
        }
        if let Some(pair) = rates.windows(2).find(|p| p[0].effective_from == p[1].effective_from) {
            return Err(format!("two rates take effect on {}; keep one", pair[0].effective_from));
        }
        Ok(TariffHistory(rates))
    }

    pub fn rates(&self) -> &[TariffRate] {
        &self.0
    }

    /// The rate in force on a day: the latest that took effect on or before it.
    pub fn rate_on(&self, date: NaiveDate) -> Option<&TariffRate> {
        let after = self.0.partition_point(|r| r.effective_from <= date);
        after.checked_sub(1).map(|i| &self.0[i])
    }

    /// The period cut where the rate changes, each piece with its rate; an error names the first day
    /// with no rate in force.
    pub fn pieces(&self, period: &Period) -> Result<Vec<(Period, TariffRate)>, NaiveDate> {
        let mut out = Vec::new();
        let mut from = period.from();
        while from < period.to() {
            let rate = *self.rate_on(from).ok_or(from)?;
            let next_change = self.0.iter().map(|r| r.effective_from).find(|d| *d > from);
            let to = next_change.map_or(period.to(), |d| d.min(period.to()));
            out.push((Period::new(from, to).map_err(|_| from)?, rate));
            from = to;
        }
        Ok(out)
    }
}

/// £ for energy used over a period: Σ over the pieces of constant rate of kWh(piece) × rate. Equal to
/// Σ(day) kwh_day × rate(day), since kWh over a piece is the sum of its days' kWh. Full precision.
pub fn cost_gbp(
    tariff: &TariffHistory,
    period: &Period,
    kwh_over: impl Fn(&Period) -> Decimal,
) -> Result<Decimal, NaiveDate> {
    Ok(tariff.pieces(period)?.iter().map(|(piece, rate)| kwh_over(piece) * rate.gbp_per_kwh).sum())
}

/// Rounds a full-precision £ figure to the penny for display: half-up away from zero (£0.005 → £0.01,
/// -£0.005 → -£0.01), the way bills and council finance round, not banker's rounding.
pub fn round_to_pence(gbp: Decimal) -> Result<Gbp, EnergyError> {
    Gbp::from_decimal(gbp.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        .map_err(|e| EnergyError::Invalid(e.to_string()))
}

/// The tariffs for an estate: one per site, and a council-wide default for sites without their own.
#[derive(Debug, Clone, Default)]
pub struct Tariffs {
    pub default: Option<TariffHistory>,
    pub by_site: HashMap<i32, TariffHistory>,
}

impl Tariffs {
    pub fn council_wide(tariff: TariffHistory) -> Tariffs {
        Tariffs { default: Some(tariff), by_site: HashMap::new() }
    }

    pub fn for_site(&self, site_id: Option<i32>) -> Option<&TariffHistory> {
        site_id.and_then(|s| self.by_site.get(&s)).or(self.default.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::super::calendar::ymd;
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_rate_change_mid_month_splits_the_month() {
        // 24.50 p/kWh (Apr-Jun 2024 domestic cap, House of Commons Library CBP-9714, for context) until
        // 14/07/2024, then 22.40 p/kWh (Jul 2024 cap) from 15/07/2024. A device using 1.5 kWh every day of
        // July 2024: 14 days × 1.5 × 0.245 = £5.145; 17 days × 1.5 × 0.224 = £5.712; total £10.857.
        let tariff = TariffHistory::new(vec![
            TariffRate::pence_per_kwh(ymd(2024, 7, 15), dec("22.40")),
            TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.50")),
        ])
        .unwrap();
        let july = Period::inclusive(ymd(2024, 7, 1), ymd(2024, 7, 31)).unwrap();
        let daily = dec("1.5");
        let cost = cost_gbp(&tariff, &july, |p| daily * Decimal::from(p.days())).unwrap();
        assert_eq!(cost, dec("10.857"));
        // and day by day, as the formula is written:
        let by_day: Decimal = july.iter_days().map(|d| daily * tariff.rate_on(d).unwrap().gbp_per_kwh).sum();
        assert_eq!(by_day, cost);
        assert_eq!(round_to_pence(cost).unwrap(), Gbp::from_pence(1086));
        let pieces = tariff.pieces(&july).unwrap();
        assert_eq!(pieces.iter().map(|(p, _)| p.days()).collect::<Vec<_>>(), [14, 17]);
    }

    #[test]
    fn no_rate_before_the_first_is_an_error() {
        let tariff = TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.5"))]).unwrap();
        let march = Period::inclusive(ymd(2024, 3, 30), ymd(2024, 4, 2)).unwrap();
        assert_eq!(tariff.pieces(&march), Err(ymd(2024, 3, 30)));
        assert!(TariffHistory::new(vec![
            TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.5")),
            TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("22.4")),
        ])
        .is_err());
        assert!(TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("-1"))]).is_err());
    }

    #[test]
    fn rounds_half_up_away_from_zero_for_display() {
        let cases = [("48.1327", 4813), ("0.005", 1), ("0.0049", 0), ("-0.005", -1), ("2.675", 268), ("2.665", 267)];
        for (gbp, pence) in cases {
            assert_eq!(round_to_pence(dec(gbp)).unwrap().pence(), pence, "{gbp}");
        }
    }

    #[test]
    fn a_site_tariff_wins_over_the_council_default() {
        let council = TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("24.5"))]).unwrap();
        let depot = TariffHistory::new(vec![TariffRate::pence_per_kwh(ymd(2024, 4, 1), dec("30"))]).unwrap();
        let mut tariffs = Tariffs::council_wide(council.clone());
        tariffs.by_site.insert(7, depot.clone());
        assert_eq!(tariffs.for_site(Some(7)), Some(&depot));
        assert_eq!(tariffs.for_site(Some(8)), Some(&council));
        assert_eq!(tariffs.for_site(None), Some(&council));
    }
}
