//! Carbon: dated UK grid factor sets (generation, Scope 2; transmission and distribution losses, Scope 3),
//! which set to use for a period, location- and market-based kgCO2e, and embodied carbon shown in the
//! purchase year or spread over the asset's life. Pure; factor sets come in as arguments.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

use super::calendar::{ymd, FinancialYear, Period};

/// One year's UK electricity factors, kgCO2e per kWh, from the government GHG conversion factors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridFactorSet {
    pub year: i32,
    /// "UK electricity", Scope 2: electricity generated.
    pub generation_kg_co2e_per_kwh: Decimal,
    /// "Transmission and distribution", Scope 3: T&D losses.
    pub td_kg_co2e_per_kwh: Decimal,
    /// Where the figures come from, to print beside every result that uses them.
    pub source: String,
}

impl GridFactorSet {
    pub fn total_kg_co2e_per_kwh(&self) -> Decimal {
        self.generation_kg_co2e_per_kwh + self.td_kg_co2e_per_kwh
    }

    /// Location-based kgCO2e for some kWh, generation and T&D kept apart.
    pub fn carbon(&self, kwh: Decimal) -> CarbonSplit {
        CarbonSplit {
            generation_kg_co2e: kwh * self.generation_kg_co2e_per_kwh,
            td_kg_co2e: kwh * self.td_kg_co2e_per_kwh,
        }
    }
}

/// The factor sets held, one per calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridFactors(BTreeMap<i32, GridFactorSet>);

impl GridFactors {
    /// Refuses two sets for one year and negative factors.
    pub fn new(sets: Vec<GridFactorSet>) -> Result<GridFactors, String> {
        let mut by_year = BTreeMap::new();
        for set in sets {
            if set.generation_kg_co2e_per_kwh.is_sign_negative() || set.td_kg_co2e_per_kwh.is_sign_negative() {
                return Err(format!("the {} grid factors must not be negative", set.year));
            }
            let year = set.year;
            if by_year.insert(year, set).is_some() {
                return Err(format!("two grid factor sets for {year}; keep one"));
            }
        }
        Ok(GridFactors(by_year))
    }

    pub fn for_year(&self, year: i32) -> Option<&GridFactorSet> {
        self.0.get(&year)
    }

    /// The set to use for a year's energy: its own, else the most recent earlier set as a stand-in. UK GHG
    /// reporting practice is to use the latest published conversion factors until the year's own appear
    /// (DESNZ publishes each year's in June); factors are never invented. `None` when no set is that old.
    pub fn choose(&self, year: i32) -> Option<FactorChoice<'_>> {
        self.0.range(..=year).next_back().map(|(_, set)| FactorChoice { for_year: year, set })
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.0.keys().copied()
    }
}

/// The set chosen for a year, which may be an earlier year's standing in (see [`GridFactors::choose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactorChoice<'a> {
    /// The calendar year whose energy is converted.
    pub for_year: i32,
    pub set: &'a GridFactorSet,
}

impl FactorChoice<'_> {
    /// True when the year has no set of its own and an earlier year's is used.
    pub fn is_stand_in(&self) -> bool {
        self.set.year != self.for_year
    }
}

/// Which factor set applies to a day's energy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactorMethod {
    /// One set for the whole reporting period: the calendar year holding most of its days (UK guidance; for
    /// an April-March year that is the year it starts in). The usual choice for annual reports.
    MajorityYear,
    /// Each day's energy at the set for its own calendar year.
    CalendarYearOfDay,
}

/// The calendar year holding most days of a period; on a tie, the later year (the more recent factors).
/// An empty period gives the year of its start.
pub fn majority_year(period: &Period) -> i32 {
    let mut best = (0, period.from().year());
    let mut year = period.from().year();
    while year <= period.to().year() {
        let calendar_year = Period::new(ymd(year, 1, 1), ymd(year + 1, 1, 1)).ok();
        let days = calendar_year.and_then(|y| y.intersect(period)).map_or(0, |p| p.days());
        if days > 0 && days >= best.0 {
            best = (days, year);
        }
        year += 1;
    }
    best.1
}

/// The factor year to use for a day, given the method and the whole reporting period.
pub fn factor_year(method: FactorMethod, reporting_period: &Period, day: NaiveDate) -> i32 {
    match method {
        FactorMethod::MajorityYear => majority_year(reporting_period),
        FactorMethod::CalendarYearOfDay => day.year(),
    }
}

/// kgCO2e, location-based, with generation (Scope 2) and T&D losses (Scope 3) apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CarbonSplit {
    pub generation_kg_co2e: Decimal,
    pub td_kg_co2e: Decimal,
}

impl CarbonSplit {
    pub fn total_kg_co2e(&self) -> Decimal {
        self.generation_kg_co2e + self.td_kg_co2e
    }
}

impl Add for CarbonSplit {
    type Output = CarbonSplit;
    fn add(self, o: CarbonSplit) -> CarbonSplit {
        CarbonSplit {
            generation_kg_co2e: self.generation_kg_co2e + o.generation_kg_co2e,
            td_kg_co2e: self.td_kg_co2e + o.td_kg_co2e,
        }
    }
}

impl AddAssign for CarbonSplit {
    fn add_assign(&mut self, o: CarbonSplit) {
        *self = *self + o;
    }
}

/// Market-based Scope 2 kgCO2e: the supplier's factor where the tariff gives one (0 for a REGO-backed
/// renewable tariff), else the location-based generation factor. The fallback is a simplification: the
/// GHG Protocol Scope 2 guidance asks for a residual-mix factor, which DESNZ does not publish. T&D losses stay
/// location-based in either case.
pub fn market_based_kg_co2e(kwh: Decimal, supplier_factor: Option<Decimal>, location: &GridFactorSet) -> Decimal {
    kwh * supplier_factor.unwrap_or(location.generation_kg_co2e_per_kwh)
}

/// The carbon emitted making a device, and the life it is spread over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embodied {
    pub kg_co2e: Decimal,
    pub purchase_date: NaiveDate,
    pub life_months: u32,
}

impl Embodied {
    /// The life as days: [purchase date, purchase date + life months), month ends clamped by chrono
    /// (bought 31/01/2024 with a 1-month life: to 29/02/2024).
    pub fn life(&self) -> Period {
        let end = self.purchase_date.checked_add_months(Months::new(self.life_months)).unwrap_or(NaiveDate::MAX);
        // A date plus months is never before the date, so the fallback is never used.
        Period::new(self.purchase_date, end).unwrap_or(Period::empty(self.purchase_date))
    }

    pub fn purchase_year(&self) -> FinancialYear {
        FinancialYear::containing(self.purchase_date)
    }

    /// Shown in the year of purchase: the whole amount in that financial year, nothing in others.
    pub fn in_financial_year(&self, year: FinancialYear) -> Decimal {
        if year == self.purchase_year() {
            self.kg_co2e
        } else {
            Decimal::ZERO
        }
    }

    /// Spread evenly over the life, pro rata by days: kg × (days of the period inside the life) / (days of
    /// life). Each day of life carries the same share, so a month's share varies with its length (28-31
    /// days) and the shares of all periods covering the life add up to the whole amount (to Decimal's 28
    /// significant digits). Zero outside the life, and zero for a life of no days.
    pub fn amortised(&self, period: &Period) -> Decimal {
        let life = self.life();
        match life.intersect(period) {
            Some(overlap) if !life.is_empty() => {
                self.kg_co2e * Decimal::from(overlap.days()) / Decimal::from(life.days())
            }
            _ => Decimal::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn set_2024() -> GridFactorSet {
        // uk_grid_factors.csv, 2024 row: DESNZ GHG conversion factors 2024.
        GridFactorSet {
            year: 2024,
            generation_kg_co2e_per_kwh: dec("0.20705"),
            td_kg_co2e_per_kwh: dec("0.01830"),
            source: "DESNZ 2024".into(),
        }
    }

    #[test]
    fn location_based_split_by_hand() {
        // 196.46 kWh (the 2024/25 desktop in the rollup tests) × 0.20705 = 40.677043 kg (Scope 2);
        // × 0.01830 = 3.595218 kg (T&D); together 44.272261 = 196.46 × 0.22535.
        let split = set_2024().carbon(dec("196.46"));
        assert_eq!(split.generation_kg_co2e, dec("40.677043"));
        assert_eq!(split.td_kg_co2e, dec("3.595218"));
        assert_eq!(split.total_kg_co2e(), dec("44.272261"));
        assert_eq!(set_2024().total_kg_co2e_per_kwh(), dec("0.22535"));
    }

    #[test]
    fn the_year_holding_most_of_the_period() {
        // (period, year) by counting days: 2024/25 has 275 days in 2024 (Apr-Dec) and 90 in 2025.
        let cases = [
            (FinancialYear(2024).period(), 2024),
            // 2023/24: 275 days in 2023, 91 in 2024 (leap February).
            (FinancialYear(2023).period(), 2023),
            // 01/11/2024-28/02/2025: 61 days in 2024, 59 in 2025.
            (Period::new(ymd(2024, 11, 1), ymd(2025, 3, 1)).unwrap(), 2024),
            // 01/12/2024-01/02/2025: 31 and 31 days, a tie: the later year.
            (Period::new(ymd(2024, 12, 1), ymd(2025, 2, 1)).unwrap(), 2025),
        ];
        for (period, year) in cases {
            assert_eq!(majority_year(&period), year, "{period:?}");
        }
        let fy = FinancialYear(2024).period();
        assert_eq!(factor_year(FactorMethod::MajorityYear, &fy, ymd(2025, 2, 1)), 2024);
        assert_eq!(factor_year(FactorMethod::CalendarYearOfDay, &fy, ymd(2025, 2, 1)), 2025);
    }

    #[test]
    fn market_based_uses_the_supplier_factor_when_given() {
        // 100 kWh on a REGO-backed tariff (0 kg/kWh): 0; with no supplier factor, the 2024 generation
        // factor: 100 × 0.20705 = 20.705.
        assert_eq!(market_based_kg_co2e(dec("100"), Some(Decimal::ZERO), &set_2024()), Decimal::ZERO);
        assert_eq!(market_based_kg_co2e(dec("100"), None, &set_2024()), dec("20.705"));
    }

    #[test]
    fn refuses_duplicate_years() {
        assert!(GridFactors::new(vec![set_2024(), set_2024()]).is_err());
        let factors = GridFactors::new(vec![set_2024()]).unwrap();
        assert_eq!(factors.for_year(2024), Some(&set_2024()));
        assert_eq!(factors.for_year(2025), None);
    }

    #[test]
    fn a_year_without_its_own_set_uses_the_latest_earlier_one() {
        // Sets for 2023 and 2025 held (2024 missing, as if a user deleted it; 2026 not yet published).
        // (year asked, set used, stand-in?): the year's own where held, else the nearest earlier year's.
        let set = |year| GridFactorSet { year, source: format!("DESNZ {year}"), ..set_2024() };
        let factors = GridFactors::new(vec![set(2023), set(2025)]).unwrap();
        let cases =
            [(2023, 2023, false), (2024, 2023, true), (2025, 2025, false), (2026, 2025, true), (2031, 2025, true)];
        for (year, used, stand_in) in cases {
            let choice = factors.choose(year).unwrap();
            assert_eq!((choice.for_year, choice.set.year, choice.is_stand_in()), (year, used, stand_in), "{year}");
        }
        // Nothing earlier than the first set: no figure rather than a later year's factors.
        assert_eq!(factors.choose(2022), None);
        assert_eq!(GridFactors::default().choose(2025), None);
    }

    #[test]
    fn embodied_in_purchase_year_and_spread_by_days() {
        // A desktop: 277 kgCO2e (Boavizta/ADEME default, embodied_carbon_defaults.csv), bought 01/04/2024,
        // 60-month life (Category::Desktop default): life 01/04/2024-31/03/2029 = 5 × 365 + 1 (29/02/2028)
        // = 1826 days.
        let desktop = Embodied { kg_co2e: dec("277"), purchase_date: ymd(2024, 4, 1), life_months: 60 };
        assert_eq!(desktop.life().days(), 1826);
        assert_eq!(desktop.in_financial_year(FinancialYear(2024)), dec("277"));
        assert_eq!(desktop.in_financial_year(FinancialYear(2025)), Decimal::ZERO);
        // 2024/25: 365 of 1826 days; 2027/28 holds 29/02/2028: 366 days.
        assert_eq!(desktop.amortised(&FinancialYear(2024).period()), dec("277") * dec("365") / dec("1826"));
        assert_eq!(desktop.amortised(&FinancialYear(2027).period()), dec("277") * dec("366") / dec("1826"));
        assert_eq!(desktop.amortised(&FinancialYear(2029).period()), Decimal::ZERO);
        let five_years: Decimal = (2024..=2028).map(|y| desktop.amortised(&FinancialYear(y).period())).sum();
        assert!((five_years - dec("277")).abs() < dec("0.000000000000000001"), "{five_years}");
    }
}
