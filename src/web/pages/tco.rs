//! `GET /tco` (total cost of ownership by model, category, department or site, and two models compared per
//! seat), `GET /refresh` (overdue and due lists, the 5-year forecast, the keep-longer what-if) and the TCO
//! section of an asset's page. Dates dd/mm/yyyy, money £1,234.56. Depends on services only.

use askama::Template;
use rocket::request::FlashMessage;
use rocket::{get, State};

use super::cost_items::ItemRow;
use super::forms::Choice;
use super::lookups::{self, Lookups};
use super::{format, ok, Layout, PageError, PageResult};
use crate::domain::{AssetTag, Category, Gbp};
use crate::error::AppError;
use crate::services::charts::EstimateCache;
use crate::services::cost_items;
use crate::services::refresh::{self, ForecastRow, KeepLongerRequest, PlanList};
use crate::services::tco::{self, TcoFigures};
use crate::tco::TcoGroupBy;
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![tco_page, refresh_page]
}

/// A 422 from a service (a missing tariff, profile or factor set) as a sentence for the page.
fn problem_of(e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Unprocessable(errs) => Ok(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")),
        other => Err(other.into()),
    }
}

fn money(g: Gbp) -> String {
    g.to_uk_string()
}

pub struct TcoLine {
    pub group: String,
    pub assets: String,
    pub purchase: String,
    pub energy: String,
    pub cost_items: String,
    pub disposal: String,
    pub total: String,
    pub per_asset: String,
    pub per_year: String,
}

impl TcoLine {
    fn new(group: String, assets: usize, f: &TcoFigures, per_asset: String) -> TcoLine {
        let net_disposal = Gbp::from_decimal(f.disposal_cost_gbp.decimal() - f.disposal_income_gbp.decimal())
            .unwrap_or(f.disposal_cost_gbp);
        TcoLine {
            group,
            assets: format::count(assets as u64),
            purchase: money(f.purchase_gbp),
            energy: money(f.energy_gbp),
            cost_items: money(f.cost_items_gbp),
            disposal: money(net_disposal),
            total: money(f.total_gbp),
            per_asset,
            per_year: f.per_asset_year_gbp.map(money).unwrap_or_else(|| format::BLANK.into()),
        }
    }
}

pub struct Link {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "tco.html")]
struct TcoPage {
    layout: Layout,
    group_links: Vec<Link>,
    group_label: String,
    as_of: String,
    problem: Option<String>,
    rows: Vec<TcoLine>,
    total: Option<TcoLine>,
    notes: Vec<String>,
    models: Vec<Choice>,
    model_a: String,
    model_b: String,
    years: String,
    comparison: Option<String>,
    comparison_rows: Vec<(String, String, String, String)>,
    method: String,
}

#[get("/tco?<group_by>&<model_a>&<model_b>&<years>")]
#[allow(clippy::too_many_arguments)]
async fn tco_page(
    db: Db<'_>,
    cache: &State<EstimateCache>,
    who: Viewer,
    group_by: Option<&str>,
    model_a: Option<i32>,
    model_b: Option<i32>,
    years: Option<u32>,
    flash: Option<FlashMessage<'_>>,
) -> PageResult {
    let by = group_by.and_then(|g| tco::parse_group_by(g).ok()).unwrap_or(TcoGroupBy::Model);
    let names = [
        (TcoGroupBy::Model, "model", "Model"),
        (TcoGroupBy::Category, "category", "Category"),
        (TcoGroupBy::Department, "department", "Department"),
        (TcoGroupBy::Site, "site", "Site"),
    ];
    let group_label = names.iter().find(|(g, _, _)| *g == by).map_or("Model", |n| n.2).to_string();
    let l = Lookups::load(db.inner()).await?;
    let years = years.filter(|y| (1..=20).contains(y)).unwrap_or(5);
    let mut page = TcoPage {
        layout: Layout::new(&who.0, "tco", "Total cost of ownership", flash),
        group_links: names
            .iter()
            .map(|(g, key, label)| Link {
                label: (*label).into(),
                href: format!("/tco?group_by={key}"),
                current: *g == by,
            })
            .collect(),
        group_label,
        as_of: format::date(tco::today()),
        problem: None,
        rows: vec![],
        total: None,
        notes: vec![],
        models: l.model_choices(),
        model_a: model_a.map(|m| m.to_string()).unwrap_or_default(),
        model_b: model_b.map(|m| m.to_string()).unwrap_or_default(),
        years: years.to_string(),
        comparison: None,
        comparison_rows: vec![],
        method: tco::METHOD.into(),
    };
    match cache.tco.report(db.inner(), by, tco::today()).await {
        Err(e) => page.problem = Some(problem_of(e)?),
        Ok(r) => {
            page.rows = r
                .rows
                .iter()
                .map(|row| TcoLine::new(row.group.clone(), row.assets, &row.figures, money(row.per_asset_gbp)))
                .collect();
            page.total = Some(TcoLine::new("All assets".into(), r.assets_counted, &r.total, String::new()));
            if !r.disposal_money_recorded {
                page.notes
                    .push("Disposal cost and income are not yet read from disposal records: counted as £0.".into());
            }
            for u in &r.unallocated {
                page.notes.push(format!(
                    "Cost item {} ({}) fell when no asset it is for was in use: not in any asset's figures.",
                    u.cost_item_id,
                    money(u.amount_gbp)
                ));
            }
        }
    }
    if let (Some(a), Some(b)) = (model_a, model_b) {
        match tco::compare_models(db.inner(), a, b, years).await {
            Ok(c) => {
                page.comparison = Some(c.sentence.clone().unwrap_or_else(|| {
                    "One of the models has no assets with a purchase date, so they cannot be compared yet.".into()
                }));
                page.comparison_rows = c
                    .models
                    .iter()
                    .map(|m| {
                        let opt = |g: Option<Gbp>| g.map(money).unwrap_or_else(|| format::BLANK.into());
                        (
                            m.model.clone(),
                            format::count(m.assets as u64),
                            opt(m.per_seat_gbp),
                            opt(m.energy_per_seat_gbp),
                        )
                    })
                    .collect();
            }
            Err(e) => page.comparison = Some(problem_of(e)?),
        }
    }
    ok(&page)
}

// ------------------------------------------------------------------------------------------- refresh

pub struct PlanLine {
    pub href: String,
    pub tag: String,
    pub what: String,
    pub department: String,
    pub due: String,
    pub price: String,
}

pub struct PlanTable {
    pub id: &'static str,
    pub title: String,
    pub summary: String,
    pub lines: Vec<PlanLine>,
    pub more: String,
}

const SHOWN: usize = 100;

fn plan_table(id: &'static str, title: String, l: &PlanList) -> PlanTable {
    let unpriced = if l.unpriced > 0 {
        format!(" ({} without a replacement price)", format::count(l.unpriced as u64))
    } else {
        String::new()
    };
    PlanTable {
        id,
        title,
        summary: format!("{} assets, {} to replace{unpriced}.", format::count(l.assets as u64), money(l.budget_gbp)),
        lines: l
            .items
            .iter()
            .take(SHOWN)
            .map(|i| PlanLine {
                href: format!("/assets/{}", super::path_segment(&i.asset_tag)),
                tag: i.asset_tag.clone(),
                what: i.model.clone().unwrap_or_else(|| i.category.label().to_string()),
                department: i.department.clone().unwrap_or_else(|| format::BLANK.into()),
                due: format::date(i.refresh_due),
                price: i.replacement_price.map(money).unwrap_or_else(|| format::BLANK.into()),
            })
            .collect(),
        more: if l.items.len() > SHOWN {
            format!(
                "The first {SHOWN} of {} are shown; the API lists them all (/api/v1/refresh/plan).",
                format::count(l.items.len() as u64)
            )
        } else {
            String::new()
        },
    }
}

pub struct WhatIfForm {
    pub categories: Vec<Choice>,
    pub models: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub sites: Vec<Choice>,
    pub category: String,
    pub model_id: String,
    pub department_id: String,
    pub site_id: String,
    pub years: String,
    pub replacement_model_id: String,
}

#[derive(Template)]
#[template(path = "refresh.html")]
struct RefreshPage {
    layout: Layout,
    as_of: String,
    tables: Vec<PlanTable>,
    no_due_date: String,
    forecast: Vec<ForecastRow>,
    form: WhatIfForm,
    what_if_problem: Option<String>,
    what_if: Vec<(String, String)>,
    what_if_forecast: Vec<(String, String, String)>,
    method: String,
}

#[allow(clippy::too_many_arguments)]
#[get("/refresh?<category>&<model_id>&<department_id>&<site_id>&<years>&<replacement_model_id>")]
async fn refresh_page(
    db: Db<'_>,
    cache: &State<EstimateCache>,
    who: Viewer,
    category: Option<&str>,
    model_id: Option<i32>,
    department_id: Option<i32>,
    site_id: Option<i32>,
    years: Option<u32>,
    replacement_model_id: Option<i32>,
    flash: Option<FlashMessage<'_>>,
) -> PageResult {
    let l = Lookups::load(db.inner()).await?;
    let category: Option<Category> = category.filter(|c| !c.is_empty()).and_then(|c| c.parse().ok());
    let plan = refresh::plan(db.inner()).await?;
    let forecast = cache.tco.forecast(db.inner(), 5, tco::today()).await?;
    let opt = |v: Option<i32>| v.map(|i| i.to_string()).unwrap_or_default();
    let mut page = RefreshPage {
        layout: Layout::new(&who.0, "refresh", "Refresh planning", flash),
        as_of: format::date(plan.as_of),
        tables: vec![
            plan_table("overdue", "Overdue".into(), &plan.overdue),
            plan_table(
                "this-year",
                format!("Due this financial year, {}", plan.this_financial_year),
                &plan.due_this_year,
            ),
            plan_table(
                "next-year",
                format!("Due next financial year, {}", plan.next_financial_year),
                &plan.due_next_year,
            ),
        ],
        no_due_date: if plan.no_due_date > 0 {
            format!(
                "{} assets have no purchase date or refresh date, so they cannot be planned.",
                format::count(plan.no_due_date as u64)
            )
        } else {
            String::new()
        },
        forecast: forecast.years.clone(),
        form: WhatIfForm {
            categories: lookups::category_choices(),
            models: l.model_choices(),
            departments: l.department_choices(),
            sites: l.site_choices(),
            category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
            model_id: opt(model_id),
            department_id: opt(department_id),
            site_id: opt(site_id),
            years: years.unwrap_or(2).to_string(),
            replacement_model_id: opt(replacement_model_id),
        },
        what_if_problem: None,
        what_if: vec![],
        what_if_forecast: vec![],
        method: refresh::METHOD.into(),
    };
    if let (Some(years), Some(replacement)) = (years, replacement_model_id) {
        let req =
            KeepLongerRequest { category, model_id, department_id, site_id, years, replacement_model_id: replacement };
        match refresh::keep_longer_what_if(db.inner(), req).await {
            Err(e) => page.what_if_problem = Some(problem_of(e)?),
            Ok(w) => {
                let breaks = |y: Option<u32>, fy: &Option<String>| match (y, fy) {
                    (Some(y), Some(fy)) => format!("year {y} ({fy})"),
                    _ => "never: the replacement saves no energy (or has no price)".into(),
                };
                let unpriced = if w.unpriced > 0 {
                    format!(" ({} without a price)", format::count(w.unpriced as u64))
                } else {
                    String::new()
                };
                page.what_if = vec![
                    ("Assets kept".into(), format::count(w.assets as u64)),
                    ("Replacement".into(), w.replacement_model.clone()),
                    (
                        "Money deferred".into(),
                        format!("{}{unpriced}, {} years later", money(w.money_deferred_gbp), w.years),
                    ),
                    (
                        "Embodied carbon avoided".into(),
                        format!(
                            "{} kgCO2e ({} kgCO2e per replacement, {})",
                            format::decimal(w.embodied_avoided_kg_co2e, 1),
                            format::decimal(w.replacement_embodied_kg_co2e, 1),
                            w.embodied_source
                        ),
                    ),
                    (
                        format!("Electricity a year ({})", w.energy_year),
                        format!(
                            "kept: {} kWh, {}; replaced: {} kWh, {}",
                            format::decimal(w.current_per_year.kwh, 1),
                            money(w.current_per_year.cost_gbp),
                            format::decimal(w.replacement_per_year.kwh, 1),
                            money(w.replacement_per_year.cost_gbp)
                        ),
                    ),
                    (
                        format!("Extra by keeping {} years", w.years),
                        format!(
                            "{} kWh, {}, {} kgCO2e (grid factor {} kgCO2e/kWh, {})",
                            format::decimal(w.extra_over_years.kwh, 1),
                            money(w.extra_over_years.cost_gbp),
                            format::decimal(w.extra_over_years.kg_co2e, 1),
                            w.kg_co2e_per_kwh,
                            w.grid_factor_year
                        ),
                    ),
                    (
                        "Replacing now pays back its embodied carbon in".into(),
                        breaks(w.carbon_break_even_years, &w.carbon_break_even_financial_year),
                    ),
                    (
                        "Replacing now pays back its price in".into(),
                        breaks(w.money_break_even_years, &w.money_break_even_financial_year),
                    ),
                ];
                page.what_if_forecast = w
                    .forecast_as_planned
                    .iter()
                    .zip(&w.forecast_if_kept)
                    .map(|(a, b)| (a.financial_year.clone(), money(a.budget_gbp), money(b.budget_gbp)))
                    .collect();
            }
        }
    }
    ok(&page)
}

// -------------------------------------------------------------------------------------- asset section

/// The TCO section of an asset's page.
pub struct AssetTcoSection {
    pub lines: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub problem: Option<String>,
    pub items: Vec<ItemRow>,
    pub add_href: String,
}

pub async fn asset_section(db: &sea_orm::DatabaseConnection, tag: &str) -> Result<AssetTcoSection, PageError> {
    let parsed: AssetTag = tag.parse().map_err(|_| PageError::NotFound(format!("no asset {tag}")))?;
    let items = cost_items::for_asset(db, tag).await?.iter().map(ItemRow::new).collect();
    let mut s = AssetTcoSection {
        lines: vec![],
        notes: vec![],
        problem: None,
        items,
        add_href: format!("/cost-items/new?asset_tag={}", super::path_segment(tag)),
    };
    match tco::asset_tco_view(db, &parsed).await {
        Err(e) => s.problem = Some(problem_of(e)?),
        Ok(v) => {
            let part = |p: &Option<tco::EnergyPartView>| match p {
                Some(p) => {
                    let rates: Vec<String> = p
                        .tariffs
                        .iter()
                        .map(|r| format!("{} p/kWh from {}", r.pence_per_kwh, format::date(r.from)))
                        .collect();
                    format!(
                        "{} ({} kWh, {} to {}; {})",
                        money(p.cost_gbp),
                        format::decimal(p.kwh, 1),
                        format::date(p.from),
                        format::date(p.to),
                        rates.join(", ")
                    )
                }
                None => format::BLANK.into(),
            };
            s.lines = vec![
                ("Total".into(), money(v.figures.total_gbp)),
                ("Purchase".into(), format::opt_money(v.purchase_cost)),
                ("Electricity to date".into(), part(&v.energy_to_date)),
                ("Electricity forecast to its refresh date".into(), part(&v.energy_forecast)),
                ("Cost items (its share)".into(), money(v.figures.cost_items_gbp)),
                ("Disposal cost".into(), format::opt_money(v.disposal_cost)),
                ("Disposal income".into(), format::opt_money(v.disposal_income)),
                (
                    "Per year of life".into(),
                    v.figures.per_asset_year_gbp.map(money).unwrap_or_else(|| format::BLANK.into()),
                ),
            ];
            s.notes = v.notes.clone();
            s.notes.insert(0, v.summary.clone());
        }
    }
    Ok(s)
}
