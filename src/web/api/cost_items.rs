//! `/api/v1/cost-items`: maintenance, support, licences and repairs for an asset or a group.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::cost_items::{self, CostItemChanges, CostItemView, ScopeKind, TimingKind};
use crate::tco::CostKind;
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, create, update, remove),
    components(schemas(CostItemView, CostItemChanges, CostKind, ScopeKind, TimingKind))
)]
pub struct Doc;

#[utoipa::path(get, path = "/api/v1/cost-items", tag = "cost items", responses((status = 200, body = Vec<CostItemView>)))]
#[get("/cost-items")]
pub async fn list(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<CostItemView>>> {
    Ok(Json(cost_items::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/cost-items/{id}", tag = "cost items", params(("id" = i32, Path)),
    responses((status = 200, body = CostItemView), (status = 404, body = ErrorBody)))]
#[get("/cost-items/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<CostItemView>> {
    Ok(Json(cost_items::get(db.inner(), id).await?))
}

/// A cost item: `kind` (maintenance, support, licence, repair), `description`, `scope` (asset with
/// `asset_tag`; model, department or site with `scope_id`; category with `category`), `timing` (one_off on
/// `starts_on`, or annual from `starts_on` to `ends_on`, inclusive, or ongoing), `amount` (the one-off
/// amount or the amount per year, a decimal string in GBP).
#[utoipa::path(post, path = "/api/v1/cost-items", tag = "cost items", request_body = CostItemChanges,
    responses((status = 201, body = CostItemView), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/cost-items", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<CostItemChanges>, AppError>,
) -> AppResult<Created<Json<CostItemView>>> {
    let view = cost_items::create(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/cost-items/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/cost-items/{id}", tag = "cost items", params(("id" = i32, Path)),
    request_body = CostItemChanges,
    responses((status = 200, body = CostItemView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/cost-items/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    who: Ict,
    id: i32,
    body: Result<ApiJson<CostItemChanges>, AppError>,
) -> AppResult<Json<CostItemView>> {
    Ok(Json(cost_items::update(db.inner(), &who, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/cost-items/{id}", tag = "cost items", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/cost-items/<id>")]
pub async fn remove(db: Db<'_>, who: Ict, id: i32) -> AppResult<Status> {
    cost_items::delete(db.inner(), &who, id).await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove]
}
