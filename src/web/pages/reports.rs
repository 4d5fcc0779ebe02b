//! `GET /reports`: the reports defined in `reports/`, each offered for a financial year as a
//! self-contained HTML file and a PDF; `GET /reports/members.html?fy=2025` and `…/members.pdf?fy=2025`
//! produce them (optionally `&baseline=2022`), likewise `/reports/refresh-disposal.html|pdf?fy=2025` and, for one site,
//! `/reports/energy-audit.html|pdf?fy=2025&site=3` (the site by id or name; missing or unknown: 422 on `site`). The same files as `greenict report members --fy 2025`.

use askama::Template;
use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{self, Responder, Response};
use rocket::{get, Request, State};
use std::io::Cursor;

use super::{ok, Layout, PageResult};
use crate::energy::FinancialYear;
use crate::error::{AppError, AppResult};
use crate::reports::{self, Definition, Format};
use crate::services::charts::{EstimateCache, Source};
use crate::services::energy::current_financial_year;
use crate::services::reports as report_service;
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, file]
}

pub struct YearChoice {
    pub value: i32,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    definitions: Vec<Definition>,
    years: Vec<YearChoice>,
    /// (id, name) of every site, for the energy audit report's site choice.
    sites: Vec<(i32, String)>,
    fy: i32,
    year: String,
}

#[get("/reports?<fy>")]
async fn list(who: Viewer, db: Db<'_>, fy: Option<i32>, flash: Option<FlashMessage<'_>>) -> PageResult {
    let current = current_financial_year();
    let year = fy.filter(|y| (1990..=2100).contains(y)).unwrap_or(current.0);
    let years = (current.0 - 5..=current.0)
        .rev()
        .map(|y| YearChoice { value: y, label: FinancialYear(y).label(), selected: y == year })
        .collect();
    ok(&ReportsPage {
        layout: Layout::new(&who.0, "reports", "Reports", flash),
        definitions: reports::definitions(),
        years,
        sites: crate::services::sites::list(db.inner()).await?.into_iter().map(|s| (s.id, s.name)).collect(),
        fy: year,
        year: FinancialYear(year).label(),
    })
}

/// A report file: its bytes, type and name; HTML shown in the browser, PDF downloaded.
pub struct ReportFile {
    format: Format,
    name: String,
    bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for ReportFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let (content_type, disposition) = match self.format {
            Format::Html => (ContentType::HTML, "inline"),
            Format::Pdf => (ContentType::PDF, "attachment"),
        };
        Response::build()
            .status(Status::Ok)
            .header(content_type)
            .header(Header::new("Content-Disposition", format!("{disposition}; filename=\"{}\"", self.name)))
            .header(Header::new("Content-Security-Policy", reports::FILE_CSP))
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

#[get("/reports/<file>?<fy>&<baseline>&<site>")]
async fn file(
    _who: Viewer,
    db: Db<'_>,
    cache: &State<EstimateCache>,
    file: &str,
    fy: Option<i32>,
    baseline: Option<i32>,
    site: Option<&str>,
) -> AppResult<ReportFile> {
    let (slug, ext) = file.rsplit_once('.').ok_or_else(|| AppError::not_found("report", file))?;
    let format = Format::from_extension(ext).ok_or_else(|| AppError::not_found("report", file))?;
    let def = reports::definition(slug).filter(|d| d.available).ok_or_else(|| AppError::not_found("report", slug))?;
    let year = match fy {
        Some(y) if (1990..=2100).contains(&y) => FinancialYear(y),
        Some(y) => {
            return Err(AppError::field("fy", "out_of_range", format!("financial year {y} is outside 1990–2100")))
        }
        None => current_financial_year(),
    };
    let src = Source::new(db.inner(), cache.inner()).await?;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
    let rendered = match def.slug.as_str() {
        "members" => {
            let report = report_service::members(&src, year, baseline, today).await?;
            tokio::task::spawn_blocking(move || reports::members_file(&report, format)).await
        }
        "refresh-disposal" => {
            let report = report_service::refresh_disposal(&src, year, today).await?;
            tokio::task::spawn_blocking(move || reports::refresh_disposal_file(&report, format)).await
        }
        "energy-audit" => {
            let site = report_service::find_site(db.inner(), site).await?;
            let report = report_service::energy_audit(&src, year, &site, today).await?;
            tokio::task::spawn_blocking(move || reports::energy_audit_file(&report, format)).await
        }
        other => return Err(AppError::not_found("report", other)),
    };
    let (name, bytes) = rendered
        .map_err(|e| AppError::Internal(format!("report rendering stopped: {e}")))?
        .map_err(AppError::Internal)?;
    Ok(ReportFile { format, name, bytes })
}
