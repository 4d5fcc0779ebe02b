//! `GET /`: the dashboard. This financial year's electricity, cost and carbon against last year and the
//! baseline year, refreshes due, the charts (each with its figures in a table beside it and a CSV
//! download), then the register at a glance: assets by lifecycle state and category, refreshes overdue,
//! each count linking to the filtered asset list.
//!
//! `?fy=2025` shows 2025/26 instead of the current year; `?baseline=2022` changes the baseline year
//! (default: three years before the year shown).

use askama::Template;
use rocket::request::FlashMessage;
use rocket::{get, State};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{format, ok, query_string, Layout, PageResult};
use crate::charts::format as chart_format;
use crate::charts::{render, Table};
use crate::energy::FinancialYear;
use crate::services::charts::{
    self, CarbonParams, ChartName, ChartRequest, EstateFilter, EstimateCache, Headline, Source, YearFigures,
    DEFAULT_BASELINE_YEARS_BACK, DEFAULT_REFRESH_YEARS, DEFAULT_TARGET_FY, DEFAULT_TARGET_PERCENT,
};
use crate::services::energy::{current_financial_year, EnergyFigures};
use crate::services::{agents, disposals, register_summary};
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![home]
}

pub struct CountRow {
    pub label: String,
    pub count: u64,
    pub href: String,
}

/// One headline figure: its value this year, or why there is none, and how it compares.
pub struct HeadlineCard {
    pub title: String,
    pub figure: Option<String>,
    pub problem: Option<String>,
    /// Said beside the figure, e.g. that an earlier year's grid factors stand in.
    pub notes: Vec<String>,
    pub comparisons: Vec<String>,
}

/// A chart on the dashboard, with its figures.
pub struct ChartBlock {
    pub id: String,
    pub heading: String,
    pub svg_href: String,
    pub png_href: String,
    pub csv_href: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub table: Table,
    pub notes: Vec<String>,
}

pub struct YearLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    year: String,
    baseline: String,
    years: Vec<YearLink>,
    headline: Vec<HeadlineCard>,
    charts: Vec<ChartBlock>,
    defaults: String,
    total: u64,
    today: String,
    overdue: u64,
    overdue_href: String,
    overdue_deployed: u64,
    overdue_deployed_href: String,
    states: Vec<CountRow>,
    categories: Vec<CountRow>,
}

fn percent_change(now: Decimal, then: Decimal) -> Option<String> {
    if then.is_zero() {
        return None;
    }
    let change =
        ((now - then) / then * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    Some(if change.is_sign_negative() && !change.is_zero() {
        format!("down {}%", chart_format::grouped(change.abs(), 1))
    } else if change.is_zero() {
        "no change".to_string()
    } else {
        format!("up {}%", chart_format::grouped(change, 1))
    })
}

/// Tonnes to 0.1 t ("12.3 tCO2e"); below a tonne to the kilogram ("0.044 tCO2e"), so a small estate
/// does not read as zero.
fn tonnes(v: Decimal) -> String {
    let dp = if v.abs() < Decimal::ONE { 3 } else { 1 };
    format!("{} tCO2e", chart_format::grouped(v, dp))
}

/// The three headline cards (kWh, £, tCO2e) from this year's, last year's and the baseline's figures.
fn energy_cards(h: &Headline) -> Vec<HeadlineCard> {
    type Pick = fn(&EnergyFigures) -> Decimal;
    type Show = fn(Decimal) -> String;
    // The third flag: the figure depends on the grid factors, so it carries their stand-in notes.
    let kinds: [(&str, Pick, Show, bool); 3] = [
        ("Electricity", |f| f.kwh, |v| format!("{} kWh", chart_format::grouped(v, 0)), false),
        ("Electricity cost", |f| f.cost_gbp.decimal(), |v| chart_format::money(v, 2), false),
        ("Carbon", |f| f.kg_co2e_total / Decimal::ONE_THOUSAND, tonnes, true),
    ];
    kinds
        .iter()
        .map(|(title, pick, show, uses_factors)| {
            let this = &h.this_year;
            let mut card = HeadlineCard {
                title: format!("{title}, {}", this.fy.label()),
                figure: None,
                problem: None,
                notes: if *uses_factors { this.factor_notes.clone() } else { vec![] },
                comparisons: vec![],
            };
            match &this.figures {
                Ok(f) => card.figure = Some(show(pick(f))),
                Err(why) => card.problem = Some(format!("No figure: {why}.")),
            }
            let compare = |other: &YearFigures, what: &str| -> String {
                match (&this.figures, &other.figures) {
                    (Ok(now), Ok(then)) => {
                        let change =
                            percent_change(pick(now), pick(then)).map(|c| format!(" ({c})")).unwrap_or_default();
                        format!("{what} {}: {}{change}", other.fy.label(), show(pick(then)))
                    }
                    (_, Ok(then)) => format!("{what} {}: {}", other.fy.label(), show(pick(then))),
                    (_, Err(_)) => format!("{what} {}: no figure", other.fy.label()),
                }
            };
            card.comparisons.push(compare(&h.last_year, "Last year"));
            if h.baseline.fy != h.last_year.fy && h.baseline.fy != this.fy {
                card.comparisons.push(compare(&h.baseline, "Baseline"));
            }
            card
        })
        .collect()
}

fn chart_block(name: ChartName, heading: &str, spec: &crate::charts::ChartSpec, query: &str) -> ChartBlock {
    let (width, height) = render::size(spec);
    ChartBlock {
        id: name.as_str().to_string(),
        heading: heading.to_string(),
        svg_href: format!("/charts/{}.svg{query}", name.as_str()),
        png_href: format!("/charts/{}.png{query}", name.as_str()),
        csv_href: format!("/charts/{}.csv{query}", name.as_str()),
        alt: spec.alt_text(),
        width,
        height,
        table: spec.table(),
        notes: spec.notes.clone(),
    }
}

/// Devices their agents saw on between 22:00 and 05:00 last night.
async fn left_on_card(conn: &sea_orm::DatabaseConnection) -> Result<HeadlineCard, crate::error::AppError> {
    let night = crate::energy::observed::last_night(chrono::Utc::now());
    let list = agents::left_on_overnight(conn, night).await?;
    Ok(HeadlineCard {
        title: "Devices left on last night".into(),
        figure: Some(format::count(list.assets.len() as u64)),
        problem: None,
        notes: vec![],
        comparisons: vec![format!(
            "Seen on by their agents between 22:00 on {} and 05:00 (Agents → who was left on overnight lists them)",
            format::date(night)
        )],
    })
}

fn share(v: Option<f64>) -> Option<String> {
    v.map(|x| format!("{}%", chart_format::grouped(Decimal::from_f64_retain(x * 100.0).unwrap_or_default(), 1)))
}

/// The share of the year's e-waste (by weight) reused, against last year.
async fn reuse_card(
    conn: &sea_orm::DatabaseConnection,
    year: FinancialYear,
) -> Result<HeadlineCard, crate::error::AppError> {
    let this = disposals::ewaste(conn, year).await?.figures;
    let last = disposals::ewaste(conn, FinancialYear(year.0 - 1)).await?.figures;
    let mut comparisons = vec![];
    if let Some(d) = share(this.share_diverted_from_landfill) {
        comparisons.push(format!("Diverted from landfill: {d}"));
    }
    comparisons.push(match share(last.share_reused) {
        Some(v) => format!("Last year {}: {v}", FinancialYear(year.0 - 1).label()),
        None => format!("Last year {}: no disposals", FinancialYear(year.0 - 1).label()),
    });
    let figure = share(this.share_reused);
    Ok(HeadlineCard {
        title: format!("E-waste reused, {}", year.label()),
        problem: figure.is_none().then(|| "No disposals completed this year.".to_string()),
        figure,
        notes: vec![format!(
            "{} {}, {} kg",
            format::count(this.count),
            if this.count == 1 { "item" } else { "items" },
            chart_format::grouped(Decimal::from_f64_retain(this.weight_kg).unwrap_or_default(), 1)
        )],
        comparisons,
    })
}

#[get("/?<fy>&<baseline>")]
async fn home(
    who: Viewer,
    db: Db<'_>,
    cache: &State<EstimateCache>,
    fy: Option<i32>,
    baseline: Option<i32>,
    flash: Option<FlashMessage<'_>>,
) -> PageResult {
    let today = chrono::Local::now().date_naive();
    let current = current_financial_year();
    let year = FinancialYear(fy.filter(|y| (1990..=2100).contains(y)).unwrap_or(current.0));
    let carbon =
        CarbonParams::new(year, baseline, None, None).or_else(|_| CarbonParams::new(year, None, None, None))?;
    let src = Source::new(db.inner(), cache.inner()).await?;
    let headline = charts::headline(&src, year, carbon.baseline).await?;
    let req = ChartRequest {
        period: year.period(),
        filter: EstateFilter::default(),
        carbon,
        refresh_first: year,
        refresh_years: DEFAULT_REFRESH_YEARS,
    };
    let year_q = query_string([("fy", if fy.is_some() { year.0.to_string() } else { String::new() })]);
    let carbon_q = query_string([
        ("fy", if fy.is_some() { year.0.to_string() } else { String::new() }),
        ("baseline", if baseline == Some(carbon.baseline.0) { carbon.baseline.0.to_string() } else { String::new() }),
    ]);
    let mut blocks = Vec::new();
    for (name, heading, q) in [
        (ChartName::EnergyByMonth, "Electricity by month", &year_q),
        (ChartName::CarbonByYear, "Carbon against the baseline and target", &carbon_q),
        (ChartName::CostByCategory, "Electricity cost by device category", &year_q),
        (ChartName::RefreshForecast, "Refresh forecast", &year_q),
        (ChartName::PolicySavings, "Savings from power policies", &year_q),
        (ChartName::TcoByModel, "Total cost of ownership per asset, by model", &String::new()),
        (ChartName::EwasteByRoute, "E-waste by route", &carbon_q),
    ] {
        let spec = charts::chart(&src, name, &req).await?;
        blocks.push(chart_block(name, heading, &spec, q));
    }

    let mut headline_cards = energy_cards(&headline);
    headline_cards.push(HeadlineCard {
        title: format!("Refreshes due, {}", year.label()),
        figure: Some(format::count(headline.refresh_due_this_year)),
        problem: None,
        notes: vec![],
        comparisons: vec![
            format!("Replacement budget: {}", chart_format::money(headline.refresh_budget_this_year, 2)),
            format!("Overdue from earlier years: {}", format::count(headline.refresh_overdue)),
        ],
    });

    headline_cards.push(left_on_card(db.inner()).await?);
    headline_cards.push(reuse_card(db.inner(), year).await?);

    let s = register_summary::summary(db.inner(), today).await?;
    let overdue_q = |state: &str| {
        format!(
            "/assets{}",
            query_string([
                ("refresh_due_before", format::iso(Some(today))),
                ("state", state.to_string()),
                ("sort", "refresh_due".to_string()),
            ])
        )
    };
    let years = (current.0 - 3..=current.0)
        .map(|y| YearLink { label: FinancialYear(y).label(), href: format!("/?fy={y}"), current: y == year.0 })
        .collect();
    ok(&HomePage {
        layout: Layout::new(&who.0, "home", "Dashboard and ICT asset register", flash),
        year: year.label(),
        baseline: carbon.baseline.label(),
        years,
        headline: headline_cards,
        charts: blocks,
        defaults: format!(
            "Baseline: {} (by default {DEFAULT_BASELINE_YEARS_BACK} years before the year shown; choose another with \
             ?baseline=YYYY). Target: {DEFAULT_TARGET_PERCENT}% below the baseline by {}.",
            carbon.baseline.label(),
            FinancialYear(DEFAULT_TARGET_FY).label()
        ),
        total: s.total,
        today: format::date(today),
        overdue: s.refresh_overdue,
        overdue_href: overdue_q(""),
        overdue_deployed: s.refresh_overdue_deployed,
        overdue_deployed_href: overdue_q("deployed"),
        states: s
            .by_state
            .iter()
            .map(|(st, n)| CountRow {
                label: st.label().to_string(),
                count: *n,
                href: format!("/assets{}", query_string([("state", st.as_str().to_string())])),
            })
            .collect(),
        categories: s
            .by_category
            .iter()
            .map(|(c, n)| CountRow {
                label: c.label().to_string(),
                count: *n,
                href: format!("/assets{}", query_string([("category", c.as_str().to_string())])),
            })
            .collect(),
    })
}
