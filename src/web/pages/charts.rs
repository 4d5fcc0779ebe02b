//! `GET /charts/<name>.svg`, `.png` and `.csv`: the dashboard's charts as images, and the figures behind
//! each as CSV. Names: `energy-by-month`, `carbon-by-year`, `cost-by-category`, `refresh-forecast`.
//!
//! Query parameters, as in the data API (all optional):
//! - `fy=2025` (2025/26), or `from` and `to` (ISO dates, inclusive): the period; default this financial
//!   year. For `carbon-by-year` it is the last year shown; for `refresh-forecast` the first.
//! - `site_id`, `department_id`: only that site's / department's assets.
//! - `carbon-by-year`: `baseline=2022` (default: three years before the last year shown),
//!   `target_percent=50` (reduction below the baseline, default 50) and `target_fy=2030` (the year it
//!   is to be met by, default 2030/31): the target line runs straight from the baseline to it.
//! - `refresh-forecast`: `years=5` (1–20, default 5) after the overdue bar.
//!
//! Caching: the ETag is a hash of the chart's figures (and the format), so a request with a matching
//! `If-None-Match` gets 304 without drawing; `Cache-Control: private, max-age=60` lets a browser reuse
//! an image for a minute (the figures behind it are re-checked on the next request after that).

use rocket::http::{ContentType, Header, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::{get, State};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::str::FromStr;

use crate::charts::{render, ChartSpec};
use crate::energy::FinancialYear;
use crate::error::{AppError, AppResult};
use crate::services::charts::{
    self, CarbonParams, ChartName, ChartRequest, EstateFilter, EstimateCache, Source, DEFAULT_REFRESH_YEARS,
};
use crate::services::energy as energy_service;
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![chart]
}

/// Bumped when drawing changes, so browsers do not keep an image drawn the old way.
const RENDER_VERSION: &str = "charts-1";
pub const CACHE_CONTROL: &str = "private, max-age=60";

/// The `If-None-Match` header, if sent.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = std::convert::Infallible;
    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(IfNoneMatch(req.headers().get_one("If-None-Match").map(str::to_string)))
    }
}

impl IfNoneMatch {
    fn matches(&self, etag: &str) -> bool {
        self.0
            .as_deref()
            .is_some_and(|h| h.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == etag))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Csv,
}

impl Format {
    fn content_type(self) -> ContentType {
        match self {
            Format::Svg => ContentType::SVG,
            Format::Png => ContentType::PNG,
            Format::Csv => ContentType::new("text", "csv").with_params(("charset", "utf-8")),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Csv => "csv",
        }
    }
}

/// A drawn chart (or its CSV), or "not modified".
pub struct ChartResponse {
    status: Status,
    content_type: ContentType,
    etag: String,
    body: Vec<u8>,
    filename: Option<String>,
}

impl<'r> Responder<'r, 'static> for ChartResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut r = Response::build();
        r.status(self.status)
            .header(Header::new("ETag", self.etag))
            .header(Header::new("Cache-Control", CACHE_CONTROL))
            .header(Header::new("Vary", "Cookie, Authorization"));
        if self.status != Status::NotModified {
            r.header(self.content_type).sized_body(self.body.len(), Cursor::new(self.body));
            if let Some(f) = self.filename {
                r.header(Header::new("Content-Disposition", format!("attachment; filename=\"{f}\"")));
            }
        }
        r.ok()
    }
}

fn bad(field: &str, message: String) -> AppError {
    AppError::BadRequest { code: "invalid_parameter", message, field: Some(field.to_string()) }
}

fn param<T: FromStr>(raw: Option<&str>, name: &str, what: &str) -> AppResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| bad(name, format!("{name} '{s}' is not {what}"))),
    }
}

fn date(raw: Option<&str>, name: &str) -> AppResult<Option<chrono::NaiveDate>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad(name, format!("{name} '{s}' is not a date; use ISO form, e.g. 2025-04-01"))),
    }
}

/// The query parameters of a chart request, as text, so a bad one gets an error naming it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChartQuery<'a> {
    pub fy: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub site_id: Option<&'a str>,
    pub department_id: Option<&'a str>,
    pub baseline: Option<&'a str>,
    pub target_percent: Option<&'a str>,
    pub target_fy: Option<&'a str>,
    pub years: Option<&'a str>,
}

impl ChartQuery<'_> {
    pub fn parse(&self) -> AppResult<ChartRequest> {
        let fy: Option<i32> = param(self.fy, "fy", "a financial year such as 2025")?;
        let period = energy_service::period_of(fy, date(self.from, "from")?, date(self.to, "to")?)?;
        let filter = EstateFilter {
            site_id: param(self.site_id, "site_id", "a site id")?,
            department_id: param(self.department_id, "department_id", "a department id")?,
        };
        let last = FinancialYear::containing(period.to().pred_opt().unwrap_or(period.to()));
        let baseline: Option<i32> = param(self.baseline, "baseline", "a financial year such as 2022")?;
        let target_percent: Option<Decimal> = param(self.target_percent, "target_percent", "a percentage such as 50")?;
        let target_fy: Option<i32> = param(self.target_fy, "target_fy", "a financial year such as 2030")?;
        let carbon = CarbonParams::new(last, baseline, target_percent, target_fy)?;
        let years: u32 = param(self.years, "years", "a number of years")?.unwrap_or(DEFAULT_REFRESH_YEARS);
        if !(1..=20).contains(&years) {
            return Err(bad("years", format!("years must be 1 to 20, not {years}")));
        }
        Ok(ChartRequest {
            period,
            filter,
            carbon,
            refresh_first: FinancialYear::containing(period.from()),
            refresh_years: years,
        })
    }
}

/// `energy-by-month.svg` → (chart, format).
pub fn parse_file(file: &str) -> AppResult<(ChartName, Format)> {
    let not_found = || AppError::not_found("chart", file);
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = match ext {
        "svg" => Format::Svg,
        "png" => Format::Png,
        "csv" => Format::Csv,
        _ => return Err(not_found()),
    };
    Ok((name.parse().map_err(|_| not_found())?, format))
}

/// A strong ETag from the figures and the format: the same data drawn the same way hashes the same on
/// every instance.
pub fn etag(name: ChartName, format: Format, spec: &ChartSpec) -> AppResult<String> {
    let json = serde_json::to_vec(spec).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut h = Sha256::new();
    h.update(RENDER_VERSION.as_bytes());
    h.update(name.as_str().as_bytes());
    h.update(format.extension().as_bytes());
    h.update(&json);
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    Ok(format!("\"{hex}\""))
}

/// The file name a CSV download is saved as: `energy-by-month-2025-26.csv`.
fn csv_filename(name: ChartName, req: &ChartRequest) -> String {
    let period = charts::period_label(&req.period).replace(['/', ' '], "-");
    format!("{}-{}.csv", name.as_str(), period)
}

#[allow(clippy::too_many_arguments)]
#[get("/charts/<file>?<fy>&<from>&<to>&<site_id>&<department_id>&<baseline>&<target_percent>&<target_fy>&<years>")]
async fn chart(
    _viewer: Viewer,
    db: Db<'_>,
    cache: &State<EstimateCache>,
    if_none_match: IfNoneMatch,
    file: &str,
    fy: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    site_id: Option<&str>,
    department_id: Option<&str>,
    baseline: Option<&str>,
    target_percent: Option<&str>,
    target_fy: Option<&str>,
    years: Option<&str>,
) -> AppResult<ChartResponse> {
    let (name, format) = parse_file(file)?;
    let query = ChartQuery { fy, from, to, site_id, department_id, baseline, target_percent, target_fy, years };
    let req = query.parse()?;
    let src = Source::new(db.inner(), cache.inner()).await?;
    let spec = charts::chart(&src, name, &req).await?;
    let etag = etag(name, format, &spec)?;
    let mut out =
        ChartResponse { status: Status::Ok, content_type: format.content_type(), etag, body: vec![], filename: None };
    if if_none_match.matches(&out.etag) {
        out.status = Status::NotModified;
        return Ok(out);
    }
    let internal = |e: render::ChartError| AppError::Internal(e.to_string());
    out.body = match format {
        // Drawing is CPU work of some milliseconds: off the async workers.
        Format::Svg => rocket::tokio::task::spawn_blocking(move || render::svg(&spec).map(String::into_bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(internal)?,
        Format::Png => rocket::tokio::task::spawn_blocking(move || render::png(&spec))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(internal)?,
        Format::Csv => {
            out.filename = Some(csv_filename(name, &req));
            spec.csv().map_err(AppError::Internal)?
        }
    };
    Ok(out)
}
