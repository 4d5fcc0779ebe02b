//! `/api/v1/sites`: create, read, update and delete the council's buildings.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::sites::{self, SiteChanges, SiteView};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(paths(list, get_one, create, update, remove), components(schemas(SiteView, SiteChanges)))]
pub struct Doc;

#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", responses((status = 200, body = Vec<SiteView>)))]
#[get("/sites")]
pub async fn list(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<SiteView>>> {
    Ok(Json(sites::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = i32, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = ErrorBody)))]
#[get("/sites/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<SiteView>> {
    Ok(Json(sites::get(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = SiteChanges,
    responses((status = 201, body = SiteView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/sites", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    actor: Ict,
    body: Result<ApiJson<SiteChanges>, AppError>,
) -> AppResult<Created<Json<SiteView>>> {
    let view = sites::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/sites/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = i32, Path)),
    request_body = SiteChanges,
    responses((status = 200, body = SiteView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/sites/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    actor: Ict,
    id: i32,
    body: Result<ApiJson<SiteChanges>, AppError>,
) -> AppResult<Json<SiteView>> {
    Ok(Json(sites::update(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/sites/<id>")]
pub async fn remove(db: Db<'_>, actor: Ict, id: i32) -> AppResult<Status> {
    sites::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove]
}
