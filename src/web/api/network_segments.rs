//! `/api/v1/network-segments`: create, read, update and delete sites' subnets and their Wake-on-LAN
//! broadcast address and port.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::network_segments::{self, NetworkSegmentChanges, NetworkSegmentView};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(paths(list, get_one, create, update, remove), components(schemas(NetworkSegmentView, NetworkSegmentChanges)))]
pub struct Doc;

/// `?site_id=`: blank means every site; anything but a whole number is a 400 naming the parameter.
fn site_filter(raw: Option<&str>) -> AppResult<Option<i32>> {
    super::optional_param(raw, "site_id", |s| {
        s.parse().map_err(|_| format!("site_id '{s}' is not a site id; give a whole number, e.g. ?site_id=1"))
    })
}

#[utoipa::path(get, path = "/api/v1/network-segments", tag = "network segments",
    params(("site_id" = Option<i32>, Query, description = "Only this site's segments")),
    responses((status = 200, body = Vec<NetworkSegmentView>), (status = 400, body = ErrorBody)))]
#[get("/network-segments?<site_id>")]
pub async fn list(db: Db<'_>, _who: Viewer, site_id: Option<&str>) -> AppResult<Json<Vec<NetworkSegmentView>>> {
    Ok(Json(network_segments::list(db.inner(), site_filter(site_id)?).await?))
}

#[utoipa::path(get, path = "/api/v1/network-segments/{id}", tag = "network segments", params(("id" = i32, Path)),
    responses((status = 200, body = NetworkSegmentView), (status = 404, body = ErrorBody)))]
#[get("/network-segments/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<NetworkSegmentView>> {
    Ok(Json(network_segments::get(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/network-segments", tag = "network segments",
    request_body = NetworkSegmentChanges,
    responses((status = 201, body = NetworkSegmentView), (status = 400, body = ErrorBody),
        (status = 409, description = "the site already has a segment of that name", body = ErrorBody),
        (status = 422, description = "a field is invalid, or the site does not exist", body = ErrorBody)))]
#[post("/network-segments", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    actor: Ict,
    body: Result<ApiJson<NetworkSegmentChanges>, AppError>,
) -> AppResult<Created<Json<NetworkSegmentView>>> {
    let view = network_segments::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/network-segments/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/network-segments/{id}", tag = "network segments", params(("id" = i32, Path)),
    request_body = NetworkSegmentChanges,
    responses((status = 200, body = NetworkSegmentView), (status = 404, body = ErrorBody),
        (status = 409, description = "the site already has a segment of that name", body = ErrorBody),
        (status = 422, description = "a field is invalid, or the site does not exist", body = ErrorBody)))]
#[patch("/network-segments/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    actor: Ict,
    id: i32,
    body: Result<ApiJson<NetworkSegmentChanges>, AppError>,
) -> AppResult<Json<NetworkSegmentView>> {
    Ok(Json(network_segments::update(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/network-segments/{id}", tag = "network segments", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/network-segments/<id>")]
pub async fn remove(db: Db<'_>, actor: Ict, id: i32) -> AppResult<Status> {
    network_segments::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_filter_is_blank_a_number_or_a_400() {
        assert_eq!(site_filter(None).unwrap(), None);
        assert_eq!(site_filter(Some(" ")).unwrap(), None);
        assert_eq!(site_filter(Some("7")).unwrap(), Some(7));
        let err = site_filter(Some("abc")).unwrap_err();
        assert_eq!(err.status(), Status::BadRequest);
    }
}
