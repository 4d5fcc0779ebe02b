//! `/api/v1/meters`: meters at sites (the whole supply, an ICT sub-meter, a server room), their readings by
//! day and importing a readings file into one; and `/api/v1/energy/metered`: metered against estimated ICT
//! electricity per site and month. Reading is for every viewer, changes for facilities.

use rocket::data::Data;
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use utoipa::OpenApi;

use super::energy::{iso_date, period};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::import::ImportSummary;
use crate::services::charts::{EstimateCache, Source};
use crate::services::energy::current_financial_year;
use crate::services::metered::{self, MeteredReport, MeteredRow};
use crate::services::meters::{self, DayTotal, Measures, MeterChanges, MeterListItem, MeterView};
use crate::web::access::{Facilities, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_meters,
        get_meter,
        create_meter,
        update_meter,
        remove_meter,
        meter_readings,
        import_meter_readings,
        metered_energy
    ),
    components(schemas(MeterView, MeterListItem, MeterChanges, Measures, DayTotal, MeteredReport, MeteredRow))
)]
pub struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list_meters,
        get_meter,
        create_meter,
        update_meter,
        remove_meter,
        meter_readings,
        import_meter_readings,
        metered_energy
    ]
}

/// Every meter, by site then name, with how many readings each holds; `site_id` narrows to one site.
#[utoipa::path(get, path = "/api/v1/meters", tag = "meters", params(("site_id" = Option<i32>, Query)),
    responses((status = 200, body = Vec<MeterListItem>)))]
#[get("/meters?<site_id>")]
pub async fn list_meters(db: Db<'_>, _who: Viewer, site_id: Option<i32>) -> AppResult<Json<Vec<MeterListItem>>> {
    Ok(Json(meters::list(db.inner(), site_id).await?))
}

#[utoipa::path(get, path = "/api/v1/meters/{id}", tag = "meters", params(("id" = i32, Path)),
    responses((status = 200, body = MeterView), (status = 404, body = ErrorBody)))]
#[get("/meters/<id>")]
pub async fn get_meter(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<MeterView>> {
    Ok(Json(meters::get(db.inner(), id).await?))
}

/// A meter at a site: `site_id`, `name` (unique at the site), `measures` (whole_site, ict or server_room).
#[utoipa::path(post, path = "/api/v1/meters", tag = "meters", request_body = MeterChanges,
    responses((status = 201, body = MeterView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/meters", data = "<body>")]
pub async fn create_meter(
    db: Db<'_>,
    actor: Facilities,
    body: Result<ApiJson<MeterChanges>, AppError>,
) -> AppResult<Created<Json<MeterView>>> {
    let view = meters::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/meters/{}", view.id)).body(Json(view)))
}

/// Changes a meter: absent fields are left as they are.
#[utoipa::path(put, path = "/api/v1/meters/{id}", tag = "meters", params(("id" = i32, Path)),
    request_body = MeterChanges,
    responses((status = 200, body = MeterView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[put("/meters/<id>", data = "<body>")]
pub async fn update_meter(
    db: Db<'_>,
    actor: Facilities,
    id: i32,
    body: Result<ApiJson<MeterChanges>, AppError>,
) -> AppResult<Json<MeterView>> {
    Ok(Json(meters::update(db.inner(), &actor, id, body?.0).await?))
}

/// Deletes a meter and its readings.
#[utoipa::path(delete, path = "/api/v1/meters/{id}", tag = "meters", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/meters/<id>")]
pub async fn remove_meter(db: Db<'_>, actor: Facilities, id: i32) -> AppResult<Status> {
    meters::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

/// A meter's readings as UK-day totals from `from` to `to` (ISO dates, both inclusive; default the
/// current financial year).
#[utoipa::path(get, path = "/api/v1/meters/{id}/readings", tag = "meters",
    params(("id" = i32, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = Vec<DayTotal>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/meters/<id>/readings?<from>&<to>")]
pub async fn meter_readings(
    db: Db<'_>,
    _who: Viewer,
    id: i32,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<Vec<DayTotal>>> {
    let (from, to) = match (iso_date(from, "from")?, iso_date(to, "to")?) {
        (None, None) => {
            let p = current_financial_year().period();
            (p.from(), p.to().pred_opt().unwrap_or(p.to()))
        }
        (Some(f), Some(t)) if f <= t => (f, t),
        (Some(_), Some(_)) => {
            return Err(AppError::BadRequest {
                code: "invalid_parameter",
                message: "to is before from".into(),
                field: Some("to".into()),
            })
        }
        _ => {
            return Err(AppError::BadRequest {
                code: "invalid_parameter",
                message: "give both from and to, or neither".into(),
                field: Some("from".into()),
            })
        }
    };
    Ok(Json(meters::daily_totals(db.inner(), id, from, to).await?))
}

/// Imports a readings file into this meter (the same as `POST /api/v1/imports?kind=meter_readings&meter_id=`).
#[utoipa::path(post, path = "/api/v1/meters/{id}/readings", tag = "meters",
    params(("id" = i32, Path), ("dry_run" = Option<bool>, Query), ("source" = Option<String>, Query)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary),
        (status = 422, description = "Problems in the file; nothing was imported", body = ImportSummary),
        (status = 404, body = ErrorBody)))]
#[post("/meters/<id>/readings?<dry_run>&<source>", data = "<data>")]
pub async fn import_meter_readings(
    db: Db<'_>,
    actor: Facilities,
    id: &str,
    dry_run: Option<bool>,
    source: Option<String>,
    data: Data<'_>,
) -> AppResult<(Status, Json<ImportSummary>)> {
    // Taken as text so that an id which is not a meter's number is a 404 in the one error shape, not a
    // 422 that would read like the import's own problems.
    let id: i32 = id.parse().map_err(|_| AppError::not_found("meter", id))?;
    super::imports::import_into_meter(db, &actor, id, dry_run, source, data).await
}

/// Metered against estimated ICT electricity per site with meters and per month: `fy=2025` (2025/26), or
/// `from` and `to`, or the current financial year. See `method` in the answer for which meters are
/// compared with which estimate, and coverage.
#[utoipa::path(get, path = "/api/v1/energy/metered", tag = "energy",
    params(("fy" = Option<i32>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = MeteredReport), (status = 400, body = ErrorBody)))]
#[get("/energy/metered?<fy>&<from>&<to>")]
pub async fn metered_energy(
    db: Db<'_>,
    cache: &State<EstimateCache>,
    _who: Viewer,
    fy: Option<i32>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<MeteredReport>> {
    let period = period(fy, from, to)?;
    let src = Source::new(db.inner(), cache.inner()).await?;
    Ok(Json(metered::metered_vs_estimated(&src, period).await?))
}
