//! Refresh planning: where each asset stands against its refresh date, the count and budget of
//! replacements per financial year, and the what-if of keeping a group longer.
//!
//! Due dates come from `domain::refresh::refresh_due` (purchase + life: asset override, else model
//! default, else category default). The forecast counts an overdue asset as replaced in the current
//! financial year (today), and a replacement as due again one life later (the same life as the device it
//! replaces), so a 4-year laptop due now appears again four years on. Budget = the model's current
//! replacement price; assets whose model has none are counted and named as unpriced, never as £0.
//!
//! Keeping a group N more years (what-if):
//! - money deferred: the group's replacement prices, moved N years later;
//! - embodied carbon avoided: the replacement's embodied kgCO2e spread evenly over its life (DESIGN.md §3)
//!   × N years, per asset: `n × embodied × N ÷ life_years`;
//! - energy: the devices kept use `current − replacement` kWh (and £, kgCO2e) a year more than the
//!   replacement would, over N years;
//! - break-even: replacing now costs the replacement's embodied carbon (and price) at once and saves
//!   the energy difference each year; the break-even year is the first whole year `k` with
//!   `k × yearly saving ≥ the up-front amount` — keeping beyond it costs more than replacing. None when the
//!   replacement saves nothing.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use crate::energy::FinancialYear;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefreshStatus {
    /// Its refresh date has passed.
    Overdue,
    DueThisYear,
    DueNextYear,
    Later,
    /// No purchase date and no refresh date: it cannot be planned.
    NoDueDate,
}

/// Where a due date stands on `today`: overdue (before today), this financial year, next, or later.
pub fn status(due: Option<NaiveDate>, today: NaiveDate) -> RefreshStatus {
    let Some(due) = due else { return RefreshStatus::NoDueDate };
    let this_year = FinancialYear::containing(today);
    if due < today {
        RefreshStatus::Overdue
    } else if FinancialYear::containing(due) == this_year {
        RefreshStatus::DueThisYear
    } else if FinancialYear::containing(due).0 == this_year.0 + 1 {
        RefreshStatus::DueNextYear
    } else {
        RefreshStatus::Later
    }
}

/// What the forecast needs of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanAsset {
    pub asset_id: i32,
    pub due: Option<NaiveDate>,
    /// The life its replacement is given (its own: asset override, else model, else category).
    pub life_months: u32,
    pub replacement_gbp: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastYear {
    pub year: FinancialYear,
    pub replacements: u32,
    /// Σ replacement prices of the priced ones.
    pub budget_gbp: Decimal,
    /// Replacements whose model has no replacement price.
    pub unpriced: u32,
}

/// Replacements and budget for each of `years` financial years from the one holding `today`.
pub fn forecast(assets: &[PlanAsset], today: NaiveDate, years: u32) -> Vec<ForecastYear> {
    forecast_counted(assets.iter().map(|a| (a, 1)), today, years)
}

/// [`forecast`] of assets given as (asset, how many alike): `n` assets with the same due date, life and
/// replacement price count as `n` replacements and `n ×` the price wherever one of them would count.
pub fn forecast_counted<'a>(
    assets: impl IntoIterator<Item = (&'a PlanAsset, u32)>,
    today: NaiveDate,
    years: u32,
) -> Vec<ForecastYear> {
    let first = FinancialYear::containing(today).0;
    let mut out: Vec<ForecastYear> = (0..years as i32)
        .map(|i| ForecastYear {
            year: FinancialYear(first + i),
            replacements: 0,
            budget_gbp: Decimal::ZERO,
            unpriced: 0,
        })
        .collect();
    for (a, n) in assets {
        let Some(due) = a.due else { continue };
        let mut when = due.max(today);
        loop {
            let index = FinancialYear::containing(when).0 - first;
            let Some(y) = usize::try_from(index).ok().and_then(|i| out.get_mut(i)) else { break };
            y.replacements += n;
            match a.replacement_gbp {
                Some(p) => y.budget_gbp += p * Decimal::from(n),
                None => y.unpriced += n,
            }
            match when.checked_add_months(Months::new(a.life_months)) {
                Some(next) if a.life_months > 0 => when = next,
                _ => break,
            }
        }
    }
    out
}

/// Energy of one device over a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct YearEnergy {
    pub kwh: Decimal,
    pub gbp: Decimal,
}

/// One asset of the group kept longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAsset {
    pub asset_id: i32,
    pub due: Option<NaiveDate>,
    pub life_months: u32,
    pub replacement_gbp: Option<Decimal>,
    /// A year of the device as it is, and of the replacement in its place (same usage, same site tariff).
    pub current: YearEnergy,
    pub replacement: YearEnergy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepInputs {
    pub years_kept: u32,
    pub today: NaiveDate,
    /// Grid factor (generation + T&D) for the carbon of the energy difference.
    pub kg_co2e_per_kwh: Decimal,
    /// Embodied kgCO2e of one replacement device, and the life it is spread over.
    pub replacement_embodied_kg_co2e: Decimal,
    pub replacement_life_years: Decimal,
    /// How many forecast years to show before and after.
    pub forecast_years: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepAnswer {
    pub assets: usize,
    pub money_deferred_gbp: Decimal,
    pub unpriced: usize,
    pub embodied_avoided_kg_co2e: Decimal,
    /// The group as it is, and with replacements in its place, per year.
    pub current_per_year: YearEnergy,
    pub replacement_per_year: YearEnergy,
    /// current − replacement per year (positive: the kept devices use more).
    pub extra_kwh_per_year: Decimal,
    pub extra_gbp_per_year: Decimal,
    pub extra_kg_co2e_per_year: Decimal,
    /// The same over the years kept.
    pub extra_kwh: Decimal,
    pub extra_gbp: Decimal,
    pub extra_kg_co2e: Decimal,
    /// Whole years for replacing now to pay back its embodied carbon / its price through the energy saved.
    pub carbon_break_even_years: Option<u32>,
    pub money_break_even_years: Option<u32>,
    pub forecast_before: Vec<ForecastYear>,
    pub forecast_after: Vec<ForecastYear>,
}

fn break_even(up_front: Decimal, saving_per_year: Decimal) -> Option<u32> {
    if saving_per_year <= Decimal::ZERO {
        return None;
    }
    let years = (up_front / saving_per_year).ceil().max(Decimal::ONE);
    u32::try_from(years.mantissa() / 10i128.pow(years.scale())).ok()
}

pub fn keep_longer(assets: &[KeepAsset], inputs: &KeepInputs) -> KeepAnswer {
    let n = Decimal::from(assets.len() as u64);
    let years = Decimal::from(inputs.years_kept);
    let mut current = YearEnergy::default();
    let mut replacement = YearEnergy::default();
    let (mut deferred, mut unpriced) = (Decimal::ZERO, 0);
    for a in assets {
        current.kwh += a.current.kwh;
        current.gbp += a.current.gbp;
        replacement.kwh += a.replacement.kwh;
        replacement.gbp += a.replacement.gbp;
        match a.replacement_gbp {
            Some(p) => deferred += p,
            None => unpriced += 1,
        }
    }
    let extra_kwh_per_year = current.kwh - replacement.kwh;
    let extra_gbp_per_year = current.gbp - replacement.gbp;
    let extra_kg_co2e_per_year = extra_kwh_per_year * inputs.kg_co2e_per_kwh;
    let embodied_avoided_kg_co2e = if inputs.replacement_life_years > Decimal::ZERO {
        n * inputs.replacement_embodied_kg_co2e * years / inputs.replacement_life_years
    } else {
        Decimal::ZERO
    };
    let plan = |shift_years: u32| -> Vec<ForecastYear> {
        let moved: Vec<PlanAsset> = assets
            .iter()
            .map(|a| PlanAsset {
                asset_id: a.asset_id,
                due: a
                    .due
                    .map(|d| d.max(inputs.today))
                    .and_then(|d| d.checked_add_months(Months::new(12 * shift_years))),
                life_months: a.life_months,
                replacement_gbp: a.replacement_gbp,
            })
            .collect();
        forecast(&moved, inputs.today, inputs.forecast_years)
    };
    KeepAnswer {
        assets: assets.len(),
        money_deferred_gbp: deferred,
        unpriced,
        embodied_avoided_kg_co2e,
        current_per_year: current,
        replacement_per_year: replacement,
        extra_kwh_per_year,
        extra_gbp_per_year,
        extra_kg_co2e_per_year,
        extra_kwh: extra_kwh_per_year * years,
        extra_gbp: extra_gbp_per_year * years,
        extra_kg_co2e: extra_kg_co2e_per_year * years,
        carbon_break_even_years: break_even(n * inputs.replacement_embodied_kg_co2e, extra_kg_co2e_per_year),
        money_break_even_years: if unpriced == 0 { break_even(deferred, extra_gbp_per_year) } else { None },
        forecast_before: plan(0),
        forecast_after: plan(inputs.years_kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::calendar::ymd;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn status_against_today_and_financial_years() {
        let today = ymd(2025, 11, 23); // in 2025/26
        let cases = [
            (Some(ymd(2025, 11, 22)), RefreshStatus::Overdue),
            (Some(ymd(2025, 11, 23)), RefreshStatus::DueThisYear),
            (Some(ymd(2026, 3, 31)), RefreshStatus::DueThisYear),
            (Some(ymd(2026, 4, 1)), RefreshStatus::DueNextYear),
            (Some(ymd(2027, 3, 31)), RefreshStatus::DueNextYear),
            (Some(ymd(2027, 4, 1)), RefreshStatus::Later),
            (None, RefreshStatus::NoDueDate),
        ];
        for (due, expected) in cases {
            assert_eq!(status(due, today), expected, "{due:?}");
        }
    }

    #[test]
    fn five_year_forecast_counts_overdue_now_and_replacements_again_after_their_life() {
        // Today 23/11/2025 (2025/26). Forecast 2025/26–2029/30.
        // A: laptop overdue (due 01/09/2025), 48-month life, £800: replaced now (2025/26) and again
        //    23/11/2029 (2029/30).
        // B: desktop due 01/04/2026, 60 months, £650: 2026/27 (next due 2031, outside).
        // C: due 15/03/2027 (2026/27), no replacement price: counted as unpriced.
        // D: no due date: not in the forecast.
        let today = ymd(2025, 11, 23);
        let assets = [
            PlanAsset { asset_id: 1, due: Some(ymd(2025, 9, 1)), life_months: 48, replacement_gbp: Some(dec("800")) },
            PlanAsset { asset_id: 2, due: Some(ymd(2026, 4, 1)), life_months: 60, replacement_gbp: Some(dec("650")) },
            PlanAsset { asset_id: 3, due: Some(ymd(2027, 3, 15)), life_months: 60, replacement_gbp: None },
            PlanAsset { asset_id: 4, due: None, life_months: 60, replacement_gbp: Some(dec("1")) },
        ];
        let f = forecast(&assets, today, 5);
        let got: Vec<(i32, u32, Decimal, u32)> =
            f.iter().map(|y| (y.year.0, y.replacements, y.budget_gbp, y.unpriced)).collect();
        assert_eq!(
            got,
            vec![
                (2025, 1, dec("800"), 0),
                (2026, 2, dec("650"), 1),
                (2027, 0, Decimal::ZERO, 0),
                (2028, 0, Decimal::ZERO, 0),
                (2029, 1, dec("800"), 0),
            ]
        );
    }

    #[test]
    fn alike_assets_counted_together_give_the_same_forecast_as_one_by_one() {
        // Today 23/11/2025 (2025/26). 3 laptops overdue (due 01/09/2025), 48 months, £800.00: 3 replaced in
        // 2025/26 (£2,400.00) and 3 again on 23/11/2029 (2029/30, £2,400.00). 2 desktops due 01/04/2026 with
        // no replacement price: 2 unpriced in 2026/27. One more laptop due 01/09/2025 counted alone joins
        // the three: 4 and £3,200.00 in 2025/26 and in 2029/30.
        let today = ymd(2025, 11, 23);
        let laptop = PlanAsset {
            asset_id: 0,
            due: Some(ymd(2025, 9, 1)),
            life_months: 48,
            replacement_gbp: Some(dec("800.00")),
        };
        let desktop = PlanAsset { asset_id: 0, due: Some(ymd(2026, 4, 1)), life_months: 60, replacement_gbp: None };
        let counted = forecast_counted([(&laptop, 3), (&desktop, 2), (&laptop, 1)], today, 5);
        let got: Vec<(i32, u32, Decimal, u32)> =
            counted.iter().map(|y| (y.year.0, y.replacements, y.budget_gbp, y.unpriced)).collect();
        assert_eq!(
            got,
            vec![
                (2025, 4, dec("3200.00"), 0),
                (2026, 2, Decimal::ZERO, 2),
                (2027, 0, Decimal::ZERO, 0),
                (2028, 0, Decimal::ZERO, 0),
                (2029, 4, dec("3200.00"), 0),
            ]
        );
        let one_by_one = [laptop, laptop, laptop, desktop, desktop, laptop];
        assert_eq!(forecast(&one_by_one, today, 5), counted);
    }

    #[test]
    fn keeping_desktops_two_more_years_against_a_thin_client_breaks_even_in_year_three() {
        // 10 desktops each using 150 kWh a year (£36.75 at 24.5 p/kWh), kept 2 more years instead of
        // replacing them with £400 thin clients using 41.4 kWh a year (reference/device_power_defaults.csv:
        // thin client TEC median, Boavizta) = £10.143.
        // Difference per device 108.6 kWh, £26.607; group of 10: 1086 kWh, £266.07 a year.
        // Carbon at the 2025 UK factor 0.19553 kgCO2e/kWh (generation 0.17700 + T&D 0.01853, DESNZ 2025):
        // 1086 × 0.19553 = 212.34558 kg a year; over 2 years 2172 kWh, £532.14, 424.69116 kg.
        // Embodied of a thin client: 45 kg (reference/embodied_carbon_defaults.csv, manufacturer PCF
        // median) over a 5-year life: avoided = 10 × 45 × 2 / 5 = 180 kg.
        // Break-even of replacing now: carbon 450 kg ÷ 212.34558 kg/yr = 2.12 → year 3; money £4,000 ÷
        // £266.07/yr = 15.03 → year 16.
        let today = ymd(2025, 11, 23);
        let asset = |id| KeepAsset {
            asset_id: id,
            due: Some(ymd(2026, 6, 1)),
            life_months: 60,
            replacement_gbp: Some(dec("400")),
            current: YearEnergy { kwh: dec("150"), gbp: dec("36.75") },
            replacement: YearEnergy { kwh: dec("41.4"), gbp: dec("10.143") },
        };
        let group: Vec<KeepAsset> = (1..=10).map(asset).collect();
        let inputs = KeepInputs {
            years_kept: 2,
            today,
            kg_co2e_per_kwh: dec("0.19553"),
            replacement_embodied_kg_co2e: dec("45"),
            replacement_life_years: dec("5"),
            forecast_years: 5,
        };
        let a = keep_longer(&group, &inputs);
        assert_eq!(a.money_deferred_gbp, dec("4000"));
        assert_eq!(a.embodied_avoided_kg_co2e, dec("180"));
        assert_eq!((a.extra_kwh_per_year, a.extra_gbp_per_year), (dec("1086"), dec("266.07")));
        assert_eq!(a.extra_kg_co2e_per_year, dec("212.34558"));
        assert_eq!((a.extra_kwh, a.extra_gbp, a.extra_kg_co2e), (dec("2172"), dec("532.14"), dec("424.69116")));
        assert_eq!(a.carbon_break_even_years, Some(3));
        assert_eq!(a.money_break_even_years, Some(16));
        // The £4,000 leaves 2026/27 for 2028/29.
        assert_eq!((a.forecast_before[1].year.0, a.forecast_before[1].budget_gbp), (2026, dec("4000")));
        assert_eq!((a.forecast_after[1].budget_gbp, a.forecast_after[3].year.0), (Decimal::ZERO, 2028));
        assert_eq!(a.forecast_after[3].budget_gbp, dec("4000"));
        // A replacement that uses more never breaks even.
        let worse: Vec<KeepAsset> = group
            .iter()
            .map(|k| KeepAsset { replacement: YearEnergy { kwh: dec("200"), gbp: dec("49") }, ..*k })
            .collect();
        assert_eq!(keep_longer(&worse, &inputs).carbon_break_even_years, None);
    }
}
