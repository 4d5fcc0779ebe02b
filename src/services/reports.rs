//! The figures behind the reports in `reports/` (issue 7), gathered from the services that already work
//! them out: the energy estimate (through the charts' [`EstimateCache`]), the e-waste figures, the power
//! policies and the power-action log. Nothing is calculated here that those services calculate, and
//! nothing is written. The pure `crate::reports` turns the answer into HTML and PDF.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

use super::charts::{self, CarbonParams, EstateFilter, Source};
use super::disposals::{self, EwasteReport};
use super::energy::{EnergyFigures, FactorSetUsed, TariffUsed};
use super::power_policies::{self, PolicyView};
use crate::charts::kinds::{self, CarbonTarget};
use crate::charts::ChartSpec;
use crate::energy::FinancialYear;
use crate::error::{AppError, AppResult};
use crate::scheduling::schedule::uk_local_to_utc;
use crate::store::{asset, department, power_action, site};

/// A financial year's estimate, or why there is none (a missing tariff, factor set or profile, named).
#[derive(Debug, Clone)]
pub struct YearEnergy {
    pub fy: FinancialYear,
    pub figures: Result<EnergyFigures, String>,
}

/// How many power actions of one kind ended in one state in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionCount {
    /// wake | shutdown | sleep
    pub kind: String,
    /// policy | patch_window | manual
    pub cause: String,
    /// confirmed | failed | …
    pub state: String,
    pub count: u64,
}

/// Everything the members' carbon report shows, for one financial year.
#[derive(Debug, Clone)]
pub struct MembersReport {
    pub fy: FinancialYear,
    pub generated_on: NaiveDate,
    pub this_year: YearEnergy,
    pub last_year: YearEnergy,
    pub baseline: YearEnergy,
    pub target: CarbonTarget,
    /// The target trajectory's tonnes for this year (absent without a baseline figure).
    pub target_tonnes_this_year: Option<Decimal>,
    /// Deployed assets counted in this year's estimate.
    pub assets_counted: usize,
    pub factor_sets: Vec<FactorSetUsed>,
    pub tariffs: Vec<TariffUsed>,
    pub energy_method: String,
    pub factor_method: String,
    /// The charts in the order the report shows them.
    pub charts: Vec<ChartSpec>,
    pub ewaste: EwasteReport,
    /// Policies enabled now (the register keeps no history of when a policy was switched on), each with
    /// what it applies to in words ("site Civic Offices").
    pub policies_in_force: Vec<(PolicyView, String)>,
    pub actions: Vec<ActionCount>,
}

impl MembersReport {
    /// The data file name without extension: `members-2025-26`.
    pub fn file_stem(&self) -> String {
        format!("members-{}-{:02}", self.fy.0, (self.fy.0 + 1).rem_euclid(100))
    }
}

/// The year's power actions counted by kind, cause and state (scheduled in the year, UK time).
pub async fn action_counts<C: ConnectionTrait>(conn: &C, fy: FinancialYear) -> AppResult<Vec<ActionCount>> {
    let from = uk_local_to_utc(fy.first_day(), chrono::NaiveTime::MIN);
    let to = uk_local_to_utc(fy.last_day().succ_opt().unwrap_or(fy.last_day()), chrono::NaiveTime::MIN);
    let rows: Vec<(String, String, String, i64)> = power_action::Entity::find()
        .select_only()
        .column(power_action::Column::Kind)
        .column(power_action::Column::Cause)
        .column(power_action::Column::State)
        .column_as(power_action::Column::Id.count(), "n")
        .filter(power_action::Column::ScheduledAt.gte(from))
        .filter(power_action::Column::ScheduledAt.lt(to))
        .group_by(power_action::Column::Kind)
        .group_by(power_action::Column::Cause)
        .group_by(power_action::Column::State)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: Vec<ActionCount> = rows
        .into_iter()
        .map(|(kind, cause, state, n)| ActionCount { kind, cause, state, count: n.max(0) as u64 })
        .collect();
    out.sort_by(|a, b| (&a.kind, &a.cause, &a.state).cmp(&(&b.kind, &b.cause, &b.state)));
    Ok(out)
}

async fn year_energy<C: ConnectionTrait>(src: &Source<'_, C>, fy: FinancialYear) -> AppResult<YearEnergy> {
    let figures = src.estimate(fy.period(), &[]).await?.map(|r| r.total.clone());
    Ok(YearEnergy { fy, figures })
}

/// The members' carbon report for `fy`: this year against last year, the baseline year and the target.
/// `baseline` defaults as on the dashboard (three years before), the target too (50% by 2030/31).
pub async fn members<C: ConnectionTrait>(
    src: &Source<'_, C>,
    fy: FinancialYear,
    baseline: Option<i32>,
    generated_on: NaiveDate,
) -> AppResult<MembersReport> {
    let carbon = CarbonParams::new(fy, baseline, None, None)?;
    let target = carbon.target.unwrap_or(CarbonTarget {
        reduction_percent: Decimal::from(charts::DEFAULT_TARGET_PERCENT),
        by: FinancialYear(charts::DEFAULT_TARGET_FY),
    });
    let this_year = year_energy(src, fy).await?;
    let last_year = year_energy(src, FinancialYear(fy.0 - 1)).await?;
    let baseline_year = year_energy(src, carbon.baseline).await?;
    let target_tonnes_this_year = baseline_year
        .figures
        .as_ref()
        .ok()
        .and_then(|b| kinds::target_tonnes(carbon.baseline, b.kg_co2e_total / Decimal::ONE_THOUSAND, target, fy));

    let (assets_counted, factor_sets, tariffs, factor_method) = match src.estimate(fy.period(), &[]).await? {
        Ok(r) => (r.assets_counted, r.factor_sets.clone(), r.tariffs.clone(), r.factor_method.clone()),
        Err(_) => (0, vec![], vec![], String::new()),
    };

    let filter = EstateFilter::default();
    let charts = vec![
        charts::energy_by_month(src, fy.period(), filter).await?,
        charts::carbon_by_year(src, carbon, filter).await?,
        charts::cost_by_category(src, fy.period(), filter).await?,
        charts::ewaste_by_route(src.conn, carbon.baseline, fy).await?,
    ];

    let ewaste = disposals::ewaste(src.conn, fy).await?;
    let sites: HashMap<i32, String> =
        site::Entity::find().all(src.conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let departments: HashMap<i32, String> =
        department::Entity::find().all(src.conn).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let policies_in_force = power_policies::list(src.conn)
        .await?
        .into_iter()
        .filter(|p| p.enabled)
        .map(|p| {
            let applies_to = applies_to(&p, &sites, &departments);
            (p, applies_to)
        })
        .collect();
    let actions = action_counts(src.conn, fy).await?;

    Ok(MembersReport {
        fy,
        generated_on,
        this_year,
        last_year,
        baseline: baseline_year,
        target,
        target_tonnes_this_year,
        assets_counted,
        factor_sets,
        tariffs,
        energy_method: super::energy::METHOD.to_string(),
        factor_method,
        charts,
        ewaste,
        policies_in_force,
        actions,
    })
}

/// What a policy applies to, in words: "site Civic Offices", "tags starting WCC-L", "3 listed assets".
fn applies_to(p: &PolicyView, sites: &HashMap<i32, String>, departments: &HashMap<i32, String>) -> String {
    let name = |names: &HashMap<i32, String>, id: Option<i32>| {
        id.map(|i| names.get(&i).cloned().unwrap_or_else(|| i.to_string())).unwrap_or_default()
    };
    match p.target.as_str() {
        "site" => format!("site {}", name(sites, p.site_id)),
        "department" => format!("department {}", name(departments, p.department_id)),
        "category" => format!("category {}", p.category.as_deref().unwrap_or("")),
        "tag" => format!("tags starting {}", p.tag_prefix.as_deref().unwrap_or("")),
        "assets" => format!("{} listed assets", p.asset_tags.len()),
        other => other.to_string(),
    }
}

/// Builds the members' report reading straight from `conn` with a cache of its own (the CLI's way).
pub async fn members_uncached<C: ConnectionTrait>(
    conn: &C,
    fy: FinancialYear,
    baseline: Option<i32>,
    generated_on: NaiveDate,
) -> AppResult<MembersReport> {
    let cache = charts::EstimateCache::default();
    let src = Source::new(conn, &cache).await?;
    members(&src, fy, baseline, generated_on).await
}

/// Whether an action state counts as done (for the report's "actions taken" total).
pub fn is_carried_out(state: &str) -> bool {
    matches!(state, "sent" | "delivered" | "confirmed")
}

/// Everything the refresh and disposal report shows, for one financial year.
#[derive(Debug, Clone)]
pub struct RefreshDisposalReport {
    pub fy: FinancialYear,
    pub generated_on: NaiveDate,
    /// Assets due (overdue first, then this year and the next four) with their replacement budget.
    pub refresh_chart: ChartSpec,
    pub refresh: charts::RefreshAnswer,
    /// Completed disposals dated in the year.
    pub disposals: Vec<disposals::DisposalListItem>,
    pub ewaste: EwasteReport,
    pub ewaste_chart: ChartSpec,
}

impl RefreshDisposalReport {
    /// `refresh-disposal-2025-26`.
    pub fn file_stem(&self) -> String {
        format!("refresh-disposal-{}-{:02}", self.fy.0, (self.fy.0 + 1).rem_euclid(100))
    }
}

/// The refresh and disposal report for `fy`: the refresh forecast from the year, and the year's disposals.
pub async fn refresh_disposal<C: ConnectionTrait>(
    src: &Source<'_, C>,
    fy: FinancialYear,
    generated_on: NaiveDate,
) -> AppResult<RefreshDisposalReport> {
    let filter = EstateFilter::default();
    let refresh_chart = charts::refresh_forecast(src, fy, charts::DEFAULT_REFRESH_YEARS, filter).await?;
    let refresh = src.refresh(fy, charts::DEFAULT_REFRESH_YEARS, filter).await?;
    let disposals = disposals::list(src.conn)
        .await?
        .into_iter()
        .filter(|d| d.state == "completed" && FinancialYear::containing(d.disposal_date) == fy)
        .collect();
    let ewaste = disposals::ewaste(src.conn, fy).await?;
    let ewaste_chart =
        charts::ewaste_by_route(src.conn, FinancialYear(fy.0 - charts::DEFAULT_BASELINE_YEARS_BACK), fy).await?;
    Ok(RefreshDisposalReport { fy, generated_on, refresh_chart, refresh, disposals, ewaste, ewaste_chart })
}

/// One line of the energy audit's breakdown: a device category or model at the site.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub name: String,
    /// Deployed devices of this category or model at the site (the estimate counts deployed assets).
    pub devices: u64,
    pub figures: EnergyFigures,
}

/// Everything the energy audit report shows, for one site and one financial year.
#[derive(Debug, Clone)]
pub struct EnergyAuditReport {
    pub fy: FinancialYear,
    pub generated_on: NaiveDate,
    pub site_id: i32,
    pub site: String,
    pub pue: Option<f64>,
    /// The site's estimated ICT electricity, cost and carbon, or why there is none.
    pub figures: Result<EnergyFigures, String>,
    /// Deployed devices at the site (those the estimate counts).
    pub devices: u64,
    pub by_category: Vec<AuditLine>,
    pub by_model: Vec<AuditLine>,
    /// The site's meters by name (empty: no meter).
    pub meters: Vec<String>,
    /// The site's rows of the metered-against-estimated comparison, by month.
    pub metered: Vec<super::metered::MeteredRow>,
    pub metered_method: String,
    /// Electricity by month and device category at the site.
    pub month_chart: ChartSpec,
    pub factor_sets: Vec<FactorSetUsed>,
    /// The tariffs that priced the site: its own, else (or before its own begins) the council-wide one.
    pub tariffs: Vec<TariffUsed>,
    pub energy_method: String,
    pub factor_method: String,
}

impl EnergyAuditReport {
    /// `energy-audit-civic-offices-2025-26`.
    pub fn file_stem(&self) -> String {
        let mut slug = String::new();
        for c in self.site.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        let slug = if slug.is_empty() { format!("site-{}", self.site_id) } else { slug.to_string() };
        format!("energy-audit-{slug}-{}-{:02}", self.fy.0, (self.fy.0 + 1).rem_euclid(100))
    }
}

/// The site a report is asked for, by id or by name (any case); an unknown or missing one is refused on
/// the `site` field with the sites listed.
pub async fn find_site<C: ConnectionTrait>(conn: &C, wanted: Option<&str>) -> AppResult<site::Model> {
    let sites = site::Entity::find().all(conn).await?;
    let known = || {
        let mut names: Vec<String> = sites.iter().map(|s| format!("{} (id {})", s.name, s.id)).collect();
        names.sort();
        if names.is_empty() {
            "there are no sites yet".to_string()
        } else {
            format!("the sites are: {}", names.join(", "))
        }
    };
    let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Err(AppError::field(
            "site",
            "required",
            format!("the energy audit report is for one site: name it by id or name ({})", known()),
        ));
    };
    let found = sites
        .iter()
        .find(|s| wanted.parse::<i32>().is_ok_and(|id| id == s.id))
        .or_else(|| sites.iter().find(|s| s.name.eq_ignore_ascii_case(wanted)));
    match found {
        Some(s) => Ok(s.clone()),
        None => Err(AppError::field("site", "unknown", format!("there is no site '{wanted}': {}", known()))),
    }
}

/// Deployed assets at the site, by category and by model id.
async fn deployed_counts<C: ConnectionTrait>(
    conn: &C,
    site_id: i32,
) -> AppResult<(HashMap<String, u64>, HashMap<Option<i32>, u64>)> {
    let rows: Vec<(String, Option<i32>)> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Category)
        .column(asset::Column::ModelId)
        .filter(asset::Column::SiteId.eq(site_id))
        .filter(asset::Column::LifecycleState.eq(crate::domain::LifecycleState::Deployed.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    let (mut by_category, mut by_model) = (HashMap::new(), HashMap::new());
    for (category, model) in rows {
        *by_category.entry(category).or_insert(0) += 1;
        *by_model.entry(model).or_insert(0) += 1;
    }
    Ok((by_category, by_model))
}

/// The energy audit report for `site` over `fy`: the estimate for the site's assets (in total, by category,
/// by model and by month), its meters' readings against that estimate, and the tariffs and factors used.
pub async fn energy_audit<C: ConnectionTrait>(
    src: &Source<'_, C>,
    fy: FinancialYear,
    site: &site::Model,
    generated_on: NaiveDate,
) -> AppResult<EnergyAuditReport> {
    use crate::energy::GroupBy;
    let period = fy.period();
    let filter = EstateFilter { site_id: Some(site.id), department_id: None };
    let keeps = |g: &super::energy::EnergyGroup| g.site_id == Some(site.id);
    let (by_category_n, by_model_n) = deployed_counts(src.conn, site.id).await?;
    let devices = by_category_n.values().sum();

    let zero = || EnergyFigures::from_totals(&Default::default());
    let (figures, factor_sets, tariffs, factor_method) = match src.estimate(period, &[GroupBy::Site]).await? {
        Ok(r) => {
            let figures = match r.rows.iter().find(|row| keeps(&row.group)) {
                Some(row) => row.figures.clone(),
                None => zero()?,
            };
            let own: Vec<TariffUsed> = r.tariffs.iter().filter(|t| t.site_id == Some(site.id)).cloned().collect();
            let own_from = own.iter().map(|t| t.effective_from).min();
            let council: Vec<TariffUsed> = r
                .tariffs
                .iter()
                .filter(|t| t.site_id.is_none() && own_from.is_none_or(|from| from > period.from()))
                .cloned()
                .collect();
            let tariffs = council.into_iter().chain(own).collect();
            (Ok(figures), r.factor_sets.clone(), tariffs, r.factor_method.clone())
        }
        Err(why) => (Err(why), vec![], vec![], String::new()),
    };

    let mut by_category = Vec::new();
    if let Ok(r) = src.estimate(period, &[GroupBy::Site, GroupBy::Category]).await? {
        for row in r.rows.iter().filter(|row| keeps(&row.group)) {
            let Some(c) = row.group.category else { continue };
            by_category.push(AuditLine {
                name: c.label().to_string(),
                devices: by_category_n.get(c.as_str()).copied().unwrap_or(0),
                figures: row.figures.clone(),
            });
        }
    }
    by_category.sort_by(|a, b| b.figures.kwh.cmp(&a.figures.kwh).then_with(|| a.name.cmp(&b.name)));
    let mut by_model = Vec::new();
    if let Ok(r) = src.estimate(period, &[GroupBy::Site, GroupBy::Model]).await? {
        for row in r.rows.iter().filter(|row| keeps(&row.group)) {
            by_model.push(AuditLine {
                name: row.group.model.clone().unwrap_or_else(|| "(no model)".into()),
                devices: by_model_n.get(&row.group.model_id).copied().unwrap_or(0),
                figures: row.figures.clone(),
            });
        }
    }
    by_model.sort_by(|a, b| b.figures.kwh.cmp(&a.figures.kwh).then_with(|| a.name.cmp(&b.name)));

    let meters = super::meters::names_at_site(src.conn, site.id).await?;
    let comparison = super::metered::metered_vs_estimated(src, period).await?;
    let metered = comparison.rows.into_iter().filter(|r| r.site_id == site.id).collect();
    let month_chart = charts::energy_by_month(src, period, filter).await?;

    Ok(EnergyAuditReport {
        fy,
        generated_on,
        site_id: site.id,
        site: site.name.clone(),
        pue: site.pue,
        figures,
        devices,
        by_category,
        by_model,
        meters,
        metered,
        metered_method: super::metered::METHOD.to_string(),
        month_chart,
        factor_sets,
        tariffs,
        energy_method: super::energy::METHOD.to_string(),
        factor_method,
    })
}
