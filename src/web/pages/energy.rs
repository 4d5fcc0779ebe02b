//! `GET /energy`: the estate's electricity use, cost and carbon for a financial year, by site and by
//! month, with the inputs used stated. Dates dd/mm/yyyy, money £1,234.56.

use askama::Template;
use rocket::get;
use rocket::request::FlashMessage;

use super::{format, ok, Layout, PageResult};
use crate::energy::{FinancialYear, GroupBy};
use crate::error::AppError;
use crate::services::energy::{self, EnergyFigures, EnergyReport};
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![energy_page]
}

pub struct FigureRow {
    pub label: String,
    pub kwh: String,
    pub cost: String,
    pub kg_co2e: String,
}

impl FigureRow {
    fn new(label: String, f: &EnergyFigures) -> FigureRow {
        FigureRow {
            label,
            kwh: format::decimal(f.kwh, 1),
            cost: f.cost_gbp.to_uk_string(),
            kg_co2e: format::decimal(f.kg_co2e_total, 1),
        }
    }
}

pub struct YearLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "energy.html")]
struct EnergyPage {
    layout: Layout,
    tabs: Vec<super::energy_inputs::Tab>,
    year: String,
    period: String,
    years: Vec<YearLink>,
    /// Why there are no figures (a missing tariff, factor set or profile), if so.
    problem: Option<String>,
    by_site: Vec<FigureRow>,
    by_month: Vec<FigureRow>,
    total: Option<FigureRow>,
    assets_counted: String,
    inputs: Vec<String>,
    method: String,
}

fn month_label(iso_month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{iso_month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| iso_month.to_string())
}

fn inputs(report: &EnergyReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .factor_sets
        .iter()
        .map(|f| {
            let note = f.note.as_ref().map(|n| format!(". {n}")).unwrap_or_default();
            format!(
                "Grid factors {}: generation {} + T&D {} kgCO2e/kWh ({}){note}",
                f.year, f.generation_kg_co2e_per_kwh, f.td_kg_co2e_per_kwh, f.source
            )
        })
        .collect();
    out.extend(report.tariffs.iter().map(|t| {
        format!(
            "Tariff for {} from {}: {} p/kWh",
            t.applies_to,
            format::date(t.effective_from),
            t.unit_rate_pence_per_kwh
        )
    }));
    out
}

#[get("/energy?<fy>")]
async fn energy_page(db: Db<'_>, who: Viewer, fy: Option<i32>, flash: Option<FlashMessage<'_>>) -> PageResult {
    let current = energy::current_financial_year();
    let year = FinancialYear(fy.filter(|y| (1990..=2100).contains(y)).unwrap_or(current.0));
    let years = (current.0 - 3..=current.0)
        .map(|y| YearLink { label: FinancialYear(y).label(), href: format!("/energy?fy={y}"), current: y == year.0 })
        .collect();
    let period = year.period();
    let mut page = EnergyPage {
        layout: Layout::new(&who.0, "energy", format!("Energy {}", year.label()), flash),
        tabs: super::energy_inputs::tabs("/energy"),
        year: year.label(),
        period: format!("{} to {}", format::date(year.first_day()), format::date(year.last_day())),
        years,
        problem: None,
        by_site: vec![],
        by_month: vec![],
        total: None,
        assets_counted: String::new(),
        inputs: vec![],
        method: energy::METHOD.to_string(),
    };
    let by_site = energy::estimate(db.inner(), period, &[GroupBy::Site]).await;
    match by_site {
        Err(AppError::Unprocessable(errs)) => {
            page.problem = Some(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "));
        }
        Err(e) => return Err(e.into()),
        Ok(sites) => {
            let months = energy::estimate(db.inner(), period, &[GroupBy::Month]).await?;
            page.by_site = sites
                .rows
                .iter()
                .map(|r| FigureRow::new(r.group.site.clone().unwrap_or_default(), &r.figures))
                .collect();
            page.by_month = months
                .rows
                .iter()
                .map(|r| FigureRow::new(month_label(r.group.month.as_deref().unwrap_or_default()), &r.figures))
                .collect();
            page.total = Some(FigureRow::new("Total".into(), &sites.total));
            page.assets_counted = format::count(sites.assets_counted as u64);
            page.inputs = inputs(&sites);
        }
    }
    ok(&page)
}
