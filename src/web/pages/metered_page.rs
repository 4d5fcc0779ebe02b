//! `GET /energy/metered?fy=`: metered against estimated ICT electricity per site and month for a financial
//! year, as a table and the `metered-vs-estimated` chart.

use askama::Template;
use rocket::{get, State};
use rust_decimal::Decimal;

use super::energy::YearLink;
use super::{format, ok, Layout, PageResult};
use crate::energy::FinancialYear;
use crate::services::charts::{EstimateCache, Source};
use crate::services::energy::current_financial_year;
use crate::services::metered::{self, MeteredRow};
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![metered_page]
}

pub struct Row {
    site: String,
    month: String,
    basis: String,
    metered: String,
    estimated: String,
    coverage: String,
    difference: String,
    ratio: String,
    ict_share: String,
}

fn percent(d: Decimal) -> String {
    format!("{}%", format::decimal(d * Decimal::ONE_HUNDRED, 1))
}

fn or_dash(d: Option<Decimal>, f: impl Fn(Decimal) -> String) -> String {
    d.map_or_else(|| format::BLANK.to_string(), f)
}

impl Row {
    fn new(r: &MeteredRow) -> Row {
        let names = r.meters.join(", ");
        Row {
            site: r.site.clone(),
            month: chrono::NaiveDate::parse_from_str(&format!("{}-01", r.month), "%Y-%m-%d")
                .map_or_else(|_| r.month.clone(), |d| d.format("%B %Y").to_string()),
            basis: format!("{} ({names})", r.basis.label()),
            metered: format::decimal(r.metered_kwh, 1),
            estimated: or_dash(r.estimated_kwh, |d| format::decimal(d, 1)),
            coverage: percent(r.coverage),
            difference: or_dash(r.difference_kwh, |d| format::decimal(d, 1)),
            ratio: or_dash(r.ratio, |d| format::decimal(d, 2)),
            ict_share: or_dash(r.ict_share, percent),
        }
    }
}

#[derive(Template)]
#[template(path = "metered.html")]
struct MeteredPage {
    layout: Layout,
    tabs: Vec<super::energy_inputs::Tab>,
    year: String,
    period: String,
    years: Vec<YearLink>,
    rows: Vec<Row>,
    estimate_missing: Option<String>,
    chart_svg: String,
    chart_csv: String,
    method: String,
}

#[get("/energy/metered?<fy>")]
async fn metered_page(db: Db<'_>, cache: &State<EstimateCache>, who: Viewer, fy: Option<i32>) -> PageResult {
    let current = current_financial_year();
    let year = FinancialYear(fy.filter(|y| (1990..=2100).contains(y)).unwrap_or(current.0));
    let years = (current.0 - 3..=current.0)
        .map(|y| YearLink {
            label: FinancialYear(y).label(),
            href: format!("/energy/metered?fy={y}"),
            current: y == year.0,
        })
        .collect();
    let src = Source::new(db.inner(), cache.inner()).await?;
    let report = metered::metered_vs_estimated(&src, year.period()).await?;
    ok(&MeteredPage {
        layout: Layout::new(&who.0, "energy", format!("Metered and estimated {}", year.label()), None),
        tabs: super::energy_inputs::tabs("/energy/metered"),
        year: year.label(),
        period: format!("{} to {}", format::date(year.first_day()), format::date(year.last_day())),
        years,
        rows: report.rows.iter().map(Row::new).collect(),
        estimate_missing: report.estimate_missing,
        chart_svg: format!("/charts/metered-vs-estimated.svg?fy={}", year.0),
        chart_csv: format!("/charts/metered-vs-estimated.csv?fy={}", year.0),
        method: metered::METHOD.into(),
    })
}
