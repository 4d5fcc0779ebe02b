//! `/api/v1/departments`: create, read, update and delete the departments that own devices.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::departments::{self, DepartmentChanges, DepartmentView};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(paths(list, get_one, create, update, remove), components(schemas(DepartmentView, DepartmentChanges)))]
pub struct Doc;

#[utoipa::path(get, path = "/api/v1/departments", tag = "departments",
    responses((status = 200, body = Vec<DepartmentView>)))]
#[get("/departments")]
pub async fn list(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<DepartmentView>>> {
    Ok(Json(departments::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i32, Path)),
    responses((status = 200, body = DepartmentView), (status = 404, body = ErrorBody)))]
#[get("/departments/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<DepartmentView>> {
    Ok(Json(departments::get(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = DepartmentChanges,
    responses((status = 201, body = DepartmentView), (status = 400, body = ErrorBody),
        (status = 409, description = "the name or cost centre is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/departments", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    actor: Ict,
    body: Result<ApiJson<DepartmentChanges>, AppError>,
) -> AppResult<Created<Json<DepartmentView>>> {
    let view = departments::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/departments/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i32, Path)),
    request_body = DepartmentChanges,
    responses((status = 200, body = DepartmentView), (status = 404, body = ErrorBody),
        (status = 409, description = "the name or cost centre is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/departments/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    actor: Ict,
    id: i32,
    body: Result<ApiJson<DepartmentChanges>, AppError>,
) -> AppResult<Json<DepartmentView>> {
    Ok(Json(departments::update(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, description = "assets still belong to the department", body = ErrorBody)))]
#[delete("/departments/<id>")]
pub async fn remove(db: Db<'_>, actor: Ict, id: i32) -> AppResult<Status> {
    departments::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove]
}
