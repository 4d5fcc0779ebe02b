//! PURE energy, cost and carbon estimation for the estate (issue 4): calendars, usage profiles, watts to
//! kWh, tariffs, grid factors, embodied carbon, roll-ups and what-if savings. No rocket, sea_orm or tokio;
//! every dated figure (bank holidays, tariffs, factor sets) comes in as an argument.
//!
//! - [`calendar`]: financial years, half-open periods, months.
//! - [`bank_holidays`]: England and Wales bank holidays, editable.
//! - [`clock`]: UK clock changes (23- and 25-hour days).
//! - [`usage`]: usage profiles, off policies, minutes in each power state.
//! - [`power`]: watts by state, kWh, PUE.
//! - [`tariff`]: dated unit rates per site, cost, rounding for display.
//! - [`carbon`]: grid factor sets, location- and market-based kgCO2e, embodied carbon.
//! - [`grid_factors_csv`]: reads the shipped grid factor file.
//! - [`observed`]: on-time observed by agent check-ins, preferred over the profile where present.
//! - [`rollup`]: the estate estimate, grouped.
//! - [`what_if`]: savings of an off policy.
//! - [`metered`]: meter readings against the estimate per site and month.

pub mod bank_holidays;
pub mod calendar;
pub mod carbon;
pub mod clock;
pub mod grid_factors_csv;
pub mod metered;
pub mod observed;
pub mod power;
pub mod rollup;
pub mod tariff;
pub mod usage;
pub mod what_if;

use chrono::NaiveDate;
use std::fmt;

pub use bank_holidays::BankHolidays;
pub use calendar::{CalendarMonth, FinancialYear, Period};
pub use carbon::{CarbonSplit, Embodied, FactorChoice, FactorMethod, GridFactorSet, GridFactors};
pub use power::{PowerDraw, Pue};
pub use rollup::{estimate, AssetEnergyInput, EnergyTotals, EstimateInputs, GroupBy, GroupValue, Rollup};
pub use tariff::{TariffHistory, TariffRate, Tariffs};
pub use usage::{OffPolicy, OutOfHours, StateMinutes, TimeOfDay, UsageProfile, WeekdaySet, WorkingHours};

/// Why an estimate could not be made: a missing input, named so the user can supply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnergyError {
    /// No tariff rate in force for a site on a day.
    NoTariff {
        site_id: Option<i32>,
        date: NaiveDate,
    },
    /// No grid factor set for a year.
    NoGridFactors {
        year: i32,
    },
    UnknownProfile {
        asset_id: i32,
        profile_id: i32,
    },
    UnknownParent {
        asset_id: i32,
        parent_id: i32,
    },
    Invalid(String),
}

impl fmt::Display for EnergyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnergyError::NoTariff { site_id: Some(s), date } => write!(f, "site {s} has no tariff in force on {date}"),
            EnergyError::NoTariff { site_id: None, date } => write!(f, "no council-wide tariff in force on {date}"),
            EnergyError::NoGridFactors { year } => write!(f, "no grid electricity factor set for {year}"),
            EnergyError::UnknownProfile { asset_id, profile_id } => {
                write!(f, "asset {asset_id} uses usage profile {profile_id}, which was not given")
            }
            EnergyError::UnknownParent { asset_id, parent_id } => {
                write!(f, "asset {asset_id} follows asset {parent_id}, which was not given")
            }
            EnergyError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for EnergyError {}
