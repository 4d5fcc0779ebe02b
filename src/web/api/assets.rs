//! `/api/v1/assets`: the register's devices, addressed by asset tag; the list filters, searches,
//! sorts and pages with a cursor.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, FromForm, State};
use utoipa::OpenApi;

use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::asset_list::{self, AssetPage, AssetQuery, DEFAULT_LIMIT, MAX_LIMIT};
use crate::services::assets::{self, AssetChanges, AssetView};
use crate::services::audit::AuditView;
use crate::store::DirectReads;
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, create, update, remove, history),
    components(schemas(
        AssetView,
        AssetChanges,
        AssetPage,
        AuditView,
        crate::domain::Category,
        crate::domain::LifecycleState
    ))
)]
pub struct Doc;

/// The asset list's query string; the pages' list uses the same.
#[derive(Debug, Default, Clone, FromForm, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetListParams {
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub model_id: Option<i32>,
    /// desktop, laptop, thin_client, monitor, printer, server, switch, other
    pub category: Option<String>,
    /// on_order, in_stock, deployed, in_repair, retired, awaiting_disposal, disposed
    pub state: Option<String>,
    /// ISO date: assets due for refresh before this day
    pub refresh_due_before: Option<String>,
    /// ISO date: assets whose warranty ends before this day
    pub warranty_end_before: Option<String>,
    /// Free text over tag, hostname, serial, MAC address (any written form) and assigned user
    pub q: Option<String>,
    /// asset_tag (default), hostname, purchase_date, refresh_due, warranty_end, updated_at
    pub sort: Option<String>,
    /// asc (default) or desc
    pub dir: Option<String>,
    /// Page size, 1–500 (default 50)
    pub limit: Option<u64>,
    /// `next_cursor` from the previous page
    pub cursor: Option<String>,
}

impl AssetListParams {
    /// Every parameter problem at once, each naming its parameter.
    pub fn to_query(&self) -> Result<AssetQuery, AppError> {
        let mut errs = FieldErrors::default();
        let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let date = |errs: &mut FieldErrors, field: &str, raw: &Option<String>| {
            blank(raw).and_then(|s| {
                errs.take(
                    field,
                    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                        .map_err(|_| format!("{field} '{s}' is not a date; use ISO form, e.g. 2025-03-31")),
                )
            })
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errs.push(crate::domain::FieldError::new(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let descending = match blank(&self.dir).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                errs.push(crate::domain::FieldError::new(
                    "dir",
                    "invalid",
                    format!("dir '{other}' must be asc or desc"),
                ));
                false
            }
        };
        let q = AssetQuery {
            site_id: self.site_id,
            department_id: self.department_id,
            model_id: self.model_id,
            category: blank(&self.category).and_then(|s| errs.take("category", s.parse())),
            state: blank(&self.state).and_then(|s| errs.take("state", s.parse())),
            refresh_due_before: date(&mut errs, "refresh_due_before", &self.refresh_due_before),
            warranty_end_before: date(&mut errs, "warranty_end_before", &self.warranty_end_before),
            q: blank(&self.q),
            sort: blank(&self.sort).and_then(|s| errs.take("sort", s.parse())).unwrap_or_default(),
            descending,
            limit,
            cursor: blank(&self.cursor),
        };
        if errs.is_empty() {
            Ok(q)
        } else {
            // Query parameters are part of the request, not a submitted entity: a bad one is a 400.
            let first = errs.0[0].clone();
            Err(AppError::BadRequest { code: "invalid_parameter", message: first.message, field: Some(first.field) })
        }
    }
}

#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(AssetListParams),
    responses((status = 200, body = AssetPage), (status = 400, body = ErrorBody)))]
#[get("/assets?<params..>")]
pub async fn list(
    db: Db<'_>,
    direct: &State<DirectReads>,
    _who: Viewer,
    params: AssetListParams,
) -> AppResult<Json<AssetPage>> {
    Ok(Json(asset_list::list_with(db.inner(), direct, &params.to_query()?).await?))
}

#[utoipa::path(get, path = "/api/v1/assets/{tag}", tag = "assets", params(("tag" = String, Path)),
    responses((status = 200, body = AssetView), (status = 404, body = ErrorBody)))]
#[get("/assets/<tag>")]
pub async fn get_one(db: Db<'_>, direct: &State<DirectReads>, _who: Viewer, tag: &str) -> AppResult<Json<AssetView>> {
    Ok(Json(assets::read_by_tag(db.inner(), direct, tag).await?))
}

#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = AssetChanges,
    responses((status = 201, body = AssetView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/assets", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    actor: Ict,
    body: Result<ApiJson<AssetChanges>, AppError>,
) -> AppResult<Created<Json<AssetView>>> {
    let view = assets::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/assets/{}", view.asset_tag)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/assets/{tag}", tag = "assets", params(("tag" = String, Path)),
    request_body = AssetChanges,
    responses((status = 200, body = AssetView), (status = 404, body = ErrorBody),
        (status = 409, description = "duplicate tag, illegal lifecycle move, or the asset is disposed", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/assets/<tag>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    actor: Ict,
    tag: &str,
    body: Result<ApiJson<AssetChanges>, AppError>,
) -> AppResult<Json<AssetView>> {
    Ok(Json(assets::update(db.inner(), &actor, tag, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/assets/{tag}", tag = "assets", params(("tag" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/assets/<tag>")]
pub async fn remove(db: Db<'_>, actor: Ict, tag: &str) -> AppResult<Status> {
    assets::delete(db.inner(), &actor, tag).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(get, path = "/api/v1/assets/{tag}/history", tag = "assets", params(("tag" = String, Path)),
    responses((status = 200, body = Vec<AuditView>), (status = 404, body = ErrorBody)))]
#[get("/assets/<tag>/history")]
pub async fn history(db: Db<'_>, _who: Viewer, tag: &str) -> AppResult<Json<Vec<AuditView>>> {
    Ok(Json(assets::history(db.inner(), tag).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, get_one, create, update, remove, history]
}
