//! `/api/v1/models`: the model catalogue, with each model's power draw, embodied carbon, life and
//! replacement price.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use utoipa::OpenApi;

use crate::domain::Category;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::device_models::{self, DeviceModelChanges, DeviceModelView};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, create, update, remove),
    components(schemas(DeviceModelView, DeviceModelChanges, Category))
)]
pub struct Doc;

/// `?category=`: blank means every category; an unknown one is a 400 listing the categories.
fn category_filter(raw: Option<&str>) -> AppResult<Option<Category>> {
    super::optional_param(raw, "category", str::parse)
}

#[utoipa::path(get, path = "/api/v1/models", tag = "models",
    params(("category" = Option<Category>, Query, description = "Only models of this category")),
    responses((status = 200, body = Vec<DeviceModelView>), (status = 400, body = ErrorBody)))]
#[get("/models?<category>")]
pub async fn list(db: Db<'_>, _who: Viewer, category: Option<&str>) -> AppResult<Json<Vec<DeviceModelView>>> {
    Ok(Json(device_models::list(db.inner(), category_filter(category)?).await?))
}

#[utoipa::path(get, path = "/api/v1/models/{id}", tag = "models", params(("id" = i32, Path)),
    responses((status = 200, body = DeviceModelView), (status = 404, body = ErrorBody)))]
#[get("/models/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<DeviceModelView>> {
    Ok(Json(device_models::get(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/models", tag = "models", request_body = DeviceModelChanges,
    responses((status = 201, body = DeviceModelView), (status = 400, body = ErrorBody),
        (status = 409, description = "the manufacturer already has a model of that name", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/models", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    actor: Ict,
    body: Result<ApiJson<DeviceModelChanges>, AppError>,
) -> AppResult<Created<Json<DeviceModelView>>> {
    let view = device_models::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/models/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/models/{id}", tag = "models", params(("id" = i32, Path)),
    request_body = DeviceModelChanges,
    responses((status = 200, body = DeviceModelView), (status = 404, body = ErrorBody),
        (status = 409, description = "the manufacturer already has a model of that name", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/models/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    actor: Ict,
    id: i32,
    body: Result<ApiJson<DeviceModelChanges>, AppError>,
) -> AppResult<Json<DeviceModelView>> {
    Ok(Json(device_models::update(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/models/{id}", tag = "models", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, description = "assets still use the model", body = ErrorBody)))]
#[delete("/models/<id>")]
pub async fn remove(db: Db<'_>, actor: Ict, id: i32) -> AppResult<Status> {
    device_models::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_filter_is_blank_a_category_or_a_400() {
        assert_eq!(category_filter(None).unwrap(), None);
        assert_eq!(category_filter(Some("")).unwrap(), None);
        assert_eq!(category_filter(Some("thin_client")).unwrap(), Some(Category::ThinClient));
        match category_filter(Some("toaster")).unwrap_err() {
            AppError::BadRequest { message, .. } => assert!(message.contains("laptop"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
