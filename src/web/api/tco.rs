//! `/api/v1/tco` and `/api/v1/refresh`: total cost of ownership (grouped, one asset's, two models per seat)
//! and refresh planning (overdue and due lists, 5-year forecast, keep-longer what-if). `as_of` (ISO date)
//! plans as if on another day; without it, today.

use chrono::NaiveDate;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use utoipa::OpenApi;

use super::optional_param;
use crate::domain::AssetTag;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::charts::EstimateCache;
use crate::services::refresh::{
    self, EnergyYear, ForecastRow, KeepLongerAnswer, KeepLongerRequest, PlanItem, PlanList, RefreshForecast,
    RefreshPlan,
};
use crate::services::tco::{
    self, AssetTcoView, CostShareView, EnergyPartView, ModelComparison, ModelPerSeat, RateUsed, TcoFigures, TcoReport,
    TcoRow, Unallocated,
};
use crate::web::access::Viewer;
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(report, asset_tco, compare, plan, forecast, what_if),
    components(schemas(
        TcoReport,
        TcoRow,
        TcoFigures,
        Unallocated,
        AssetTcoView,
        RateUsed,
        EnergyPartView,
        CostShareView,
        ModelComparison,
        ModelPerSeat,
        RefreshPlan,
        PlanList,
        PlanItem,
        RefreshForecast,
        ForecastRow,
        KeepLongerRequest,
        KeepLongerAnswer,
        EnergyYear
    ))
)]
pub struct Doc;

fn as_of(raw: Option<&str>) -> AppResult<NaiveDate> {
    let parsed = optional_param(raw, "as_of", |s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("as_of '{s}' is not an ISO date like 2025-04-01"))
    })?;
    Ok(parsed.unwrap_or_else(tco::today))
}

/// TCO of every asset, grouped by `model`, `category`, `department` or `site` (default department): purchase,
/// electricity to date and forecast, cost items, disposal, total, per asset and per asset-year.
#[utoipa::path(get, path = "/api/v1/tco", tag = "tco",
    params(("group_by" = Option<String>, Query, example = "department"), ("as_of" = Option<String>, Query)),
    responses((status = 200, body = TcoReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/tco?<group_by>&<as_of>", rank = 2)]
pub async fn report(
    db: Db<'_>,
    cache: &State<EstimateCache>,
    _who: Viewer,
    group_by: Option<&str>,
    as_of: Option<&str>,
) -> AppResult<Json<TcoReport>> {
    let by = optional_param(group_by, "group_by", tco::parse_group_by)?.unwrap_or(crate::tco::TcoGroupBy::Department);
    let report = cache.tco.report(db.inner(), by, self::as_of(as_of)?).await?;
    Ok(Json(TcoReport::clone(&report)))
}

/// One asset's TCO, each part with the inputs it used.
#[utoipa::path(get, path = "/api/v1/assets/{tag}/tco", tag = "tco",
    params(("tag" = String, Path), ("as_of" = Option<String>, Query)),
    responses((status = 200, body = AssetTcoView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/assets/<tag>/tco?<as_of>")]
pub async fn asset_tco(db: Db<'_>, _who: Viewer, tag: &str, as_of: Option<&str>) -> AppResult<Json<AssetTcoView>> {
    let tag: AssetTag = tag.parse().map_err(|_| AppError::not_found("asset", tag))?;
    Ok(Json(tco::asset_tco_as_of(db.inner(), &tag, self::as_of(as_of)?).await?))
}

/// Two models per seat over `years` (default 5), energy included, with a sentence saying which costs less.
#[utoipa::path(get, path = "/api/v1/tco/compare", tag = "tco",
    params(("model_a" = i32, Query), ("model_b" = i32, Query), ("years" = Option<u32>, Query, example = 5),
        ("as_of" = Option<String>, Query)),
    responses((status = 200, body = ModelComparison), (status = 422, body = ErrorBody)))]
#[get("/tco/compare?<model_a>&<model_b>&<years>&<as_of>")]
pub async fn compare(
    db: Db<'_>,
    _who: Viewer,
    model_a: i32,
    model_b: i32,
    years: Option<u32>,
    as_of: Option<&str>,
) -> AppResult<Json<ModelComparison>> {
    Ok(Json(tco::compare_models_as_of(db.inner(), model_a, model_b, years.unwrap_or(5), self::as_of(as_of)?).await?))
}

/// Assets overdue for refresh, due this financial year and due next, each with its budget.
#[utoipa::path(get, path = "/api/v1/refresh/plan", tag = "refresh", params(("as_of" = Option<String>, Query)),
    responses((status = 200, body = RefreshPlan), (status = 400, body = ErrorBody)))]
#[get("/refresh/plan?<as_of>")]
pub async fn plan(db: Db<'_>, _who: Viewer, as_of: Option<&str>) -> AppResult<Json<RefreshPlan>> {
    Ok(Json(refresh::plan_as_of(db.inner(), self::as_of(as_of)?).await?))
}

/// Replacements and budget per financial year, this one and the next `years - 1` (default 5).
#[utoipa::path(get, path = "/api/v1/refresh/forecast", tag = "refresh",
    params(("years" = Option<u32>, Query, example = 5), ("as_of" = Option<String>, Query)),
    responses((status = 200, body = RefreshForecast), (status = 422, body = ErrorBody)))]
#[get("/refresh/forecast?<years>&<as_of>")]
pub async fn forecast(
    db: Db<'_>,
    cache: &State<EstimateCache>,
    _who: Viewer,
    years: Option<u32>,
    as_of: Option<&str>,
) -> AppResult<Json<RefreshForecast>> {
    let forecast = cache.tco.forecast(db.inner(), years.unwrap_or(5), self::as_of(as_of)?).await?;
    Ok(Json(RefreshForecast::clone(&forecast)))
}

/// Keeping a group N more years instead of replacing it with a chosen model: money deferred, embodied carbon
/// avoided, the energy difference, and the break-even year. Nothing is changed.
#[utoipa::path(post, path = "/api/v1/refresh/what-if", tag = "refresh", request_body = KeepLongerRequest,
    params(("as_of" = Option<String>, Query)),
    responses((status = 200, body = KeepLongerAnswer), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/refresh/what-if?<as_of>", data = "<body>")]
pub async fn what_if(
    db: Db<'_>,
    _who: Viewer,
    as_of: Option<&str>,
    body: Result<ApiJson<KeepLongerRequest>, AppError>,
) -> AppResult<Json<KeepLongerAnswer>> {
    Ok(Json(refresh::what_if_as_of(db.inner(), body?.0, self::as_of(as_of)?).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![report, asset_tco, compare, plan, forecast, what_if]
}
