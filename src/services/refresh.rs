//! Refresh planning over the register: which assets are overdue or due this or next financial year, the
//! count and budget of replacements per financial year for the next five, and the what-if of keeping a
//! group longer against a chosen replacement model. Loads the register and the energy engine's inputs and
//! hands them to the pure `tco::refresh_plan`. Read-only.
//!
//! Assets planned: those in stock, deployed or in repair (on order is not yet owned; retired, awaiting
//! disposal and disposed are already leaving).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Asterisk, Expr, Func, SimpleExpr};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;

use super::energy::{self as energy_service};
use super::tco::{due_and_life, load_models, load_planned, profile_of, today, Calendars, Planned};
use crate::domain::{Category, Gbp, LifecycleState};
use crate::energy::tariff::round_to_pence;
use crate::energy::{EnergyError, FinancialYear, PowerDraw};
use crate::error::{AppError, AppResult};
use crate::store::{asset, device_model};
use crate::tco::refresh_plan::{
    forecast_counted, keep_longer, status, ForecastYear, KeepAsset, KeepInputs, PlanAsset, RefreshStatus, YearEnergy,
};

fn planned_now(state: LifecycleState) -> bool {
    matches!(state, LifecycleState::InStock | LifecycleState::Deployed | LifecycleState::InRepair)
}

fn pence(d: Decimal) -> AppResult<Gbp> {
    round_to_pence(d).map_err(|e| AppError::Internal(e.to_string()))
}

fn price_of(models: &HashMap<i32, device_model::Model>, model_id: Option<i32>) -> Option<Decimal> {
    model_id.and_then(|m| models.get(&m)).and_then(|m| m.replacement_price_pence).map(|p| Gbp::from_pence(p).decimal())
}

/// An asset in a refresh list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanItem {
    pub asset_tag: String,
    pub category: Category,
    pub model_id: Option<i32>,
    pub model: Option<String>,
    pub department: Option<String>,
    pub site: Option<String>,
    pub lifecycle_state: LifecycleState,
    pub purchase_date: Option<NaiveDate>,
    pub refresh_due: NaiveDate,
    /// Its model's replacement price; none when the model has none.
    #[schema(value_type = Option<String>)]
    pub replacement_price: Option<Gbp>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanList {
    pub assets: usize,
    #[schema(value_type = String)]
    pub budget_gbp: Gbp,
    /// Assets whose model has no replacement price (not in the budget).
    pub unpriced: usize,
    pub items: Vec<PlanItem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefreshPlan {
    pub as_of: NaiveDate,
    /// e.g. "2025/26".
    pub this_financial_year: String,
    pub next_financial_year: String,
    pub overdue: PlanList,
    pub due_this_year: PlanList,
    pub due_next_year: PlanList,
    /// Assets planned that have no due date (no purchase date and no refresh date).
    pub no_due_date: usize,
    pub method: String,
}

pub const METHOD: &str = "Due date = the asset's refresh date if set, else purchase date + life (the asset's own \
    life, else its model's default, else its category's: desktops, thin clients, printers and servers 5 years, \
    laptops 4, monitors 6, switches 7). Assets in stock, deployed or in repair are planned. Overdue: due before \
    today. Budget: each model's current replacement price. The forecast counts an overdue asset as replaced this \
    financial year, and a replacement as due again one life later.";

struct Names {
    models: HashMap<i32, String>,
    departments: HashMap<i32, String>,
    sites: HashMap<i32, String>,
}

async fn names<C: ConnectionTrait>(conn: &C, models: &HashMap<i32, device_model::Model>) -> AppResult<Names> {
    Ok(Names {
        models: models.iter().map(|(id, m)| (*id, format!("{} {}", m.manufacturer, m.name))).collect(),
        departments: crate::store::department::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect(),
        sites: crate::store::site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

fn list(items: Vec<PlanItem>) -> AppResult<PlanList> {
    let budget: Decimal = items.iter().filter_map(|i| i.replacement_price).map(|g| g.decimal()).sum();
    Ok(PlanList {
        assets: items.len(),
        budget_gbp: pence(budget)?,
        unpriced: items.iter().filter(|i| i.replacement_price.is_none()).count(),
        items,
    })
}

pub async fn plan<C: ConnectionTrait>(conn: &C) -> AppResult<RefreshPlan> {
    plan_as_of(conn, today()).await
}

pub async fn plan_as_of<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> AppResult<RefreshPlan> {
    let models = load_models(conn).await?;
    let planned = load_planned(conn, &models).await?;
    let names = names(conn, &models).await?;
    let (mut overdue, mut this_year, mut next_year, mut none) = (vec![], vec![], vec![], 0);
    for p in planned.iter().filter(|p| planned_now(p.state)) {
        let bucket = match status(p.due, today) {
            RefreshStatus::Overdue => &mut overdue,
            RefreshStatus::DueThisYear => &mut this_year,
            RefreshStatus::DueNextYear => &mut next_year,
            RefreshStatus::Later => continue,
            RefreshStatus::NoDueDate => {
                none += 1;
                continue;
            }
        };
        let Some(due) = p.due else { continue };
        let name = |m: &HashMap<i32, String>, id: Option<i32>| id.and_then(|i| m.get(&i).cloned());
        bucket.push(PlanItem {
            asset_tag: p.row.asset_tag.clone(),
            category: p.category,
            model_id: p.row.model_id,
            model: name(&names.models, p.row.model_id),
            department: name(&names.departments, p.row.department_id),
            site: name(&names.sites, p.row.site_id),
            lifecycle_state: p.state,
            purchase_date: p.row.purchase_date,
            refresh_due: due,
            replacement_price: price_of(&models, p.row.model_id).map(pence).transpose()?,
        });
    }
    for l in [&mut overdue, &mut this_year, &mut next_year] {
        l.sort_by(|a, b| a.refresh_due.cmp(&b.refresh_due).then_with(|| a.asset_tag.cmp(&b.asset_tag)));
    }
    let fy = FinancialYear::containing(today);
    Ok(RefreshPlan {
        as_of: today,
        this_financial_year: fy.label(),
        next_financial_year: FinancialYear(fy.0 + 1).label(),
        overdue: list(overdue)?,
        due_this_year: list(this_year)?,
        due_next_year: list(next_year)?,
        no_due_date: none,
        method: METHOD.into(),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForecastRow {
    /// "2025/26".
    pub financial_year: String,
    pub replacements: u32,
    #[schema(value_type = String)]
    pub budget_gbp: Gbp,
    /// Replacements whose model has no replacement price (not in the budget).
    pub unpriced: u32,
}

fn forecast_rows(years: &[ForecastYear]) -> AppResult<Vec<ForecastRow>> {
    years
        .iter()
        .map(|y| {
            Ok(ForecastRow {
                financial_year: y.year.label(),
                replacements: y.replacements,
                budget_gbp: pence(y.budget_gbp)?,
                unpriced: y.unpriced,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefreshForecast {
    pub as_of: NaiveDate,
    pub years: Vec<ForecastRow>,
    pub method: String,
}

/// Replacements and budget for each of the next `years` financial years (this one first).
pub async fn forecast_years<C: ConnectionTrait>(conn: &C, years: u32) -> AppResult<RefreshForecast> {
    forecast_as_of(conn, years, today()).await
}

pub async fn forecast_as_of<C: ConnectionTrait>(conn: &C, years: u32, today: NaiveDate) -> AppResult<RefreshForecast> {
    if !(1..=20).contains(&years) {
        return Err(AppError::field("years", "out_of_range", format!("years {years} is outside 1–20")));
    }
    let models = load_models(conn).await?;
    let alike = load_alike(conn, &models).await?;
    let years = forecast_counted(alike.iter().map(|(a, n)| (a, *n)), today, years);
    Ok(RefreshForecast { as_of: today, years: forecast_rows(&years)?, method: METHOD.into() })
}

/// Assets with the same planning columns, counted by the database (all the forecast needs of them).
#[derive(Debug, FromQueryResult)]
struct AlikeRow {
    lifecycle_state: String,
    category: String,
    model_id: Option<i32>,
    purchase_date: Option<NaiveDate>,
    life_months: Option<i32>,
    refresh_date: Option<NaiveDate>,
    assets: i64,
}

/// The assets planned, as (what the forecast needs of one, how many are alike). A register of 100,000
/// has a few thousand such groups, so the database sends far fewer rows than one per asset.
async fn load_alike<C: ConnectionTrait>(
    conn: &C,
    models: &HashMap<i32, device_model::Model>,
) -> AppResult<Vec<(PlanAsset, u32)>> {
    let columns = [
        asset::Column::LifecycleState,
        asset::Column::Category,
        asset::Column::ModelId,
        asset::Column::PurchaseDate,
        asset::Column::LifeMonths,
        asset::Column::RefreshDate,
    ];
    // COUNT(*) rather than COUNT(id): the index on exactly these columns (ix_asset_planning) then answers
    // the query alone on PostgreSQL too, without visiting the table for the id.
    let mut q = asset::Entity::find()
        .select_only()
        .columns(columns)
        .column_as(SimpleExpr::from(Func::count(Expr::col(Asterisk))), "assets");
    for c in columns {
        q = q.group_by(c);
    }
    let rows = q.into_model::<AlikeRow>().all(conn).await?;
    Ok(rows
        .into_iter()
        .filter(|r| planned_now(r.lifecycle_state.parse().unwrap_or(LifecycleState::InStock)))
        .map(|r| {
            let category: Category = r.category.parse().unwrap_or(Category::Other);
            let (due, life_months) =
                due_and_life(category, r.model_id, r.purchase_date, r.life_months, r.refresh_date, models);
            // A group has no one asset's id; the forecast does not use it.
            let one = PlanAsset { asset_id: 0, due, life_months, replacement_gbp: price_of(models, r.model_id) };
            (one, u32::try_from(r.assets).unwrap_or(u32::MAX))
        })
        .collect())
}

// -------------------------------------------------------------------------------------------- what-if

/// Keep a group N more years instead of replacing it with a chosen model.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepLongerRequest {
    /// Which assets: any of category, model_id, department_id, site_id (all given must match).
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub model_id: Option<i32>,
    #[serde(default)]
    pub department_id: Option<i32>,
    #[serde(default)]
    pub site_id: Option<i32>,
    /// How many more years to keep them (1–10).
    #[schema(example = 2)]
    pub years: u32,
    /// The model they would be replaced with.
    pub replacement_model_id: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnergyYear {
    #[schema(value_type = String)]
    pub kwh: Decimal,
    #[schema(value_type = String)]
    pub cost_gbp: Gbp,
    #[schema(value_type = String)]
    pub kg_co2e: Decimal,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeepLongerAnswer {
    pub assets: usize,
    pub years: u32,
    pub replacement_model: String,
    /// Σ replacement prices moved `years` later (the chosen model's price, else each asset's own model's).
    #[schema(value_type = String)]
    pub money_deferred_gbp: Gbp,
    pub unpriced: usize,
    /// Replacement's embodied kgCO2e × assets × years ÷ its life in years.
    #[schema(value_type = String)]
    pub embodied_avoided_kg_co2e: Decimal,
    #[schema(value_type = String)]
    pub replacement_embodied_kg_co2e: Decimal,
    /// Where that figure comes from: the model's source, or the category default's.
    pub embodied_source: String,
    /// A year of the group as it is, and with the replacement in its place.
    pub current_per_year: EnergyYear,
    pub replacement_per_year: EnergyYear,
    /// Current − replacement, per year and over the years kept (positive: keeping uses more).
    pub extra_per_year: EnergyYear,
    pub extra_over_years: EnergyYear,
    /// Whole years for replacing now to pay back the replacement's embodied carbon through the energy it saves;
    /// none if it saves none.
    pub carbon_break_even_years: Option<u32>,
    /// The financial year that falls in, counting this one as year 1.
    pub carbon_break_even_financial_year: Option<String>,
    /// Likewise for the replacement's price.
    pub money_break_even_years: Option<u32>,
    pub money_break_even_financial_year: Option<String>,
    /// The group's replacements and budget over the next 5 years, as planned and if kept longer.
    pub forecast_as_planned: Vec<ForecastRow>,
    pub forecast_if_kept: Vec<ForecastRow>,
    /// The year whose energy is compared, the factor set and the rates used.
    pub energy_year: String,
    pub grid_factor_year: i32,
    #[schema(value_type = String)]
    pub kg_co2e_per_kwh: Decimal,
    pub method: String,
}

/// Embodied carbon by category when a model gives none: the manufacturer PCF medians compiled by Boavizta
/// (shared/reference/embodied_carbon_defaults.csv, manufacturing share). Printers and switches: none sourced.
pub fn embodied_default(category: Category) -> Option<(Decimal, &'static str)> {
    let source =
        "category default: manufacturer PCF median (Boavizta environmental-footprint-data, manufacturing share)";
    let kg = match category {
        Category::Laptop => 236,
        Category::Desktop => 249,
        Category::Monitor => 333,
        Category::Server => 1215,
        Category::ThinClient => 45,
        Category::Printer | Category::Switch | Category::Other => return None,
    };
    Some((Decimal::from(kg), source))
}

fn decimal_of(v: f64) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_default()
}

pub async fn keep_longer_what_if<C: ConnectionTrait>(conn: &C, req: KeepLongerRequest) -> AppResult<KeepLongerAnswer> {
    what_if_as_of(conn, req, today()).await
}

pub async fn what_if_as_of<C: ConnectionTrait>(
    conn: &C,
    req: KeepLongerRequest,
    today: NaiveDate,
) -> AppResult<KeepLongerAnswer> {
    if !(1..=10).contains(&req.years) {
        return Err(AppError::field("years", "out_of_range", format!("years {} is outside 1–10", req.years)));
    }
    let models = load_models(conn).await?;
    let replacement = models.get(&req.replacement_model_id).ok_or_else(|| {
        AppError::field(
            "replacement_model_id",
            "not_found",
            format!("there is no model with id {}; pick one from the catalogue", req.replacement_model_id),
        )
    })?;
    let replacement_category: Category = replacement.category.parse().unwrap_or(Category::Other);
    let (embodied, embodied_source) = match replacement.embodied_kg_co2e {
        Some(kg) => (decimal_of(kg), replacement.embodied_source.clone().unwrap_or_else(|| "the model's own figure".into())),
        None => match embodied_default(replacement_category) {
            Some((kg, source)) => (kg, source.to_string()),
            None => {
                return Err(AppError::field(
                    "replacement_model_id",
                    "no_embodied_carbon",
                    format!(
                        "model {} {} has no embodied carbon figure and there is no sourced default for {}; add one to the model",
                        replacement.manufacturer, replacement.name, replacement_category.label()
                    ),
                ))
            }
        },
    };
    let life_months = replacement
        .default_life_months
        .and_then(|m| u32::try_from(m).ok())
        .unwrap_or(replacement_category.default_life_months());
    let new_draw = PowerDraw::new(
        decimal_of(replacement.on_watts),
        decimal_of(replacement.sleep_watts),
        decimal_of(replacement.off_watts),
    )
    .map_err(|e| AppError::field("replacement_model_id", "invalid", format!("the replacement model's watts: {e}")))?;

    let planned = load_planned(conn, &models).await?;
    let group: Vec<&Planned> = planned
        .iter()
        .filter(|p| planned_now(p.state))
        .filter(|p| req.category.is_none_or(|c| p.category == c))
        .filter(|p| req.model_id.is_none_or(|m| p.row.model_id == Some(m)))
        .filter(|p| req.department_id.is_none_or(|d| p.row.department_id == Some(d)))
        .filter(|p| req.site_id.is_none_or(|s| p.row.site_id == Some(s)))
        .collect();

    // A year's energy of each deployed one, as it is and with the replacement's watts: next financial year.
    let energy_year = FinancialYear(FinancialYear::containing(today).0 + 1);
    let ids: Vec<i32> = group.iter().map(|p| p.row.id).collect();
    let loaded = energy_service::load(conn, Some(&ids)).await?;
    let by_id: HashMap<i32, usize> = loaded.assets.iter().enumerate().map(|(i, a)| (a.asset_id, i)).collect();
    let mut calendars = Calendars::new(&loaded, energy_year.period());
    let mut keep = Vec::with_capacity(group.len());
    for p in &group {
        let (mut current, mut new) = (YearEnergy::default(), YearEnergy::default());
        if let Some(a) = by_id.get(&p.row.id).map(|&i| &loaded.assets[i]) {
            if let Some(profile) = profile_of(a, &loaded, &by_id) {
                let cal = calendars.get(profile, a.site_id).map_err(|e| energy_service::energy_error(e, &loaded))?;
                let old = cal.energy(&a.draw, a.pue, energy_year.period());
                let rep = cal.energy(&new_draw, a.pue, energy_year.period());
                current = YearEnergy { kwh: old.kwh, gbp: old.cost_gbp };
                new = YearEnergy { kwh: rep.kwh, gbp: rep.cost_gbp };
            }
        }
        let price = replacement
            .replacement_price_pence
            .map(|p| Gbp::from_pence(p).decimal())
            .or(price_of(&models, p.row.model_id));
        keep.push(KeepAsset {
            asset_id: p.row.id,
            due: p.due,
            life_months: p.life_months,
            replacement_gbp: price,
            current,
            replacement: new,
        });
    }
    let factor = loaded
        .factors
        .years()
        .filter(|y| *y <= energy_year.0 + 1)
        .max()
        .and_then(|y| loaded.factors.for_year(y))
        .ok_or_else(|| energy_service::energy_error(EnergyError::NoGridFactors { year: energy_year.0 }, &loaded))?;
    let kg_per_kwh = factor.total_kg_co2e_per_kwh();
    let answer = keep_longer(
        &keep,
        &KeepInputs {
            years_kept: req.years,
            today,
            kg_co2e_per_kwh: kg_per_kwh,
            replacement_embodied_kg_co2e: embodied,
            replacement_life_years: Decimal::from(life_months) / Decimal::from(12),
            forecast_years: 5,
        },
    );
    let year = |e: YearEnergy| -> AppResult<EnergyYear> {
        Ok(EnergyYear { kwh: round3(e.kwh), cost_gbp: pence(e.gbp)?, kg_co2e: round3(e.kwh * kg_per_kwh) })
    };
    let this_fy = FinancialYear::containing(today).0;
    let fy_of = |k: Option<u32>| k.map(|k| FinancialYear(this_fy + k as i32 - 1).label());
    Ok(KeepLongerAnswer {
        assets: answer.assets,
        years: req.years,
        replacement_model: format!("{} {}", replacement.manufacturer, replacement.name),
        money_deferred_gbp: pence(answer.money_deferred_gbp)?,
        unpriced: answer.unpriced,
        embodied_avoided_kg_co2e: round3(answer.embodied_avoided_kg_co2e),
        replacement_embodied_kg_co2e: embodied.normalize(),
        embodied_source,
        current_per_year: year(answer.current_per_year)?,
        replacement_per_year: year(answer.replacement_per_year)?,
        extra_per_year: year(YearEnergy { kwh: answer.extra_kwh_per_year, gbp: answer.extra_gbp_per_year })?,
        extra_over_years: year(YearEnergy { kwh: answer.extra_kwh, gbp: answer.extra_gbp })?,
        carbon_break_even_years: answer.carbon_break_even_years,
        carbon_break_even_financial_year: fy_of(answer.carbon_break_even_years),
        money_break_even_years: answer.money_break_even_years,
        money_break_even_financial_year: fy_of(answer.money_break_even_years),
        forecast_as_planned: forecast_rows(&answer.forecast_before)?,
        forecast_if_kept: forecast_rows(&answer.forecast_after)?,
        energy_year: energy_year.label(),
        grid_factor_year: factor.year,
        kg_co2e_per_kwh: kg_per_kwh,
        method: format!(
            "{METHOD} Keeping longer: money deferred = the replacement prices moved later; embodied carbon avoided = \
             the replacement's embodied kgCO2e spread evenly over its life × the years kept, per asset; energy = a \
             year ({}) of each deployed asset with its own watts and with the replacement's, same usage profile, \
             site tariff and PUE, carbon at the latest grid factor set; break-even = the first whole year in which \
             the energy a replacement saves pays back its embodied carbon (or its price).",
            energy_year.label()
        ),
    })
}

fn round3(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(3, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize()
}
