//! `/api/v1/energy`: the estate's energy, cost and carbon (grouped), one asset's, the saving of a proposed
//! off policy, and the reference data behind them: tariffs, grid factor sets, bank holidays, usage
//! profiles and each category's default profile.

use chrono::NaiveDate;
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, put};
use utoipa::OpenApi;

use super::optional_param;
use crate::domain::{AssetTag, Category};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::energy::{
    self, AssetEnergy, EnergyFigures, EnergyGroup, EnergyReport, EnergyRow, FactorSetUsed, TariffUsed, WhatIfAnswer,
    WhatIfRequest,
};
use crate::services::energy_reference::{
    self as reference, BankHolidayChanges, BankHolidayView, GridFactorSetChanges, GridFactorSetView, TariffChanges,
    TariffView,
};
use crate::services::usage_profiles::{
    self, CategoryProfileView, ProfileChoice, UsageProfileChanges, UsageProfileView,
};
use crate::web::access::{Facilities, Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(
        estimate,
        asset_energy,
        what_if,
        list_tariffs,
        get_tariff,
        create_tariff,
        update_tariff,
        remove_tariff,
        list_factor_sets,
        get_factor_set,
        create_factor_set,
        update_factor_set,
        remove_factor_set,
        list_bank_holidays,
        get_bank_holiday,
        create_bank_holiday,
        update_bank_holiday,
        remove_bank_holiday,
        list_profiles,
        get_profile,
        create_profile,
        update_profile,
        remove_profile,
        category_profiles,
        set_category_profile,
        set_asset_profile
    ),
    components(schemas(
        EnergyReport,
        EnergyRow,
        EnergyGroup,
        EnergyFigures,
        FactorSetUsed,
        TariffUsed,
        AssetEnergy,
        WhatIfRequest,
        WhatIfAnswer,
        TariffView,
        TariffChanges,
        GridFactorSetView,
        GridFactorSetChanges,
        BankHolidayView,
        BankHolidayChanges,
        UsageProfileView,
        UsageProfileChanges,
        CategoryProfileView,
        ProfileChoice
    ))
)]
pub struct Doc;

pub(super) fn iso_date(raw: Option<&str>, name: &str) -> AppResult<Option<NaiveDate>> {
    optional_param(raw, name, |s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| format!("{name} '{s}' is not a date; use ISO form, e.g. 2024-04-01"))
    })
}

pub(super) fn period(fy: Option<i32>, from: Option<&str>, to: Option<&str>) -> AppResult<crate::energy::Period> {
    energy::period_of(fy, iso_date(from, "from")?, iso_date(to, "to")?)
}

fn asset_tag(raw: &str) -> AppResult<AssetTag> {
    raw.parse().map_err(|_| AppError::not_found("asset", raw))
}

/// Energy, cost and carbon of the deployed estate over a period, grouped. With `fy=2024` the period is
/// 01/04/2024–31/03/2025; with `from` and `to` (ISO, both inclusive) any run of days; with neither, the
/// current financial year. `group_by` is a comma-separated list of asset, site, department, category, model,
/// day, month, financial_year (none: one total row). A missing tariff, factor set or usage profile is a 422
/// naming what to add.
#[utoipa::path(get, path = "/api/v1/energy", tag = "energy",
    params(("group_by" = Option<String>, Query, example = "site,month"), ("fy" = Option<i32>, Query, example = 2024),
        ("from" = Option<String>, Query, example = "2024-04-01"), ("to" = Option<String>, Query, example = "2025-03-31")),
    responses((status = 200, body = EnergyReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/energy?<group_by>&<fy>&<from>&<to>")]
pub async fn estimate(
    db: Db<'_>,
    _who: Viewer,
    group_by: Option<&str>,
    fy: Option<i32>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<EnergyReport>> {
    let groups = optional_param(group_by, "group_by", energy::parse_group_by)?.unwrap_or_default();
    let period = period(fy, from, to)?;
    Ok(Json(energy::estimate(db.inner(), period, &groups).await?))
}

/// One asset's energy, cost and carbon over a period (`fy`, or `from` and `to`), with a sentence for people.
#[utoipa::path(get, path = "/api/v1/assets/{tag}/energy", tag = "energy",
    params(("tag" = String, Path), ("fy" = Option<i32>, Query, example = 2024), ("from" = Option<String>, Query),
        ("to" = Option<String>, Query)),
    responses((status = 200, body = AssetEnergy), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/assets/<tag>/energy?<fy>&<from>&<to>")]
pub async fn asset_energy(
    db: Db<'_>,
    _who: Viewer,
    tag: &str,
    fy: Option<i32>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<AssetEnergy>> {
    let tag = asset_tag(tag)?;
    let period = period(fy, from, to)?;
    Ok(Json(energy::asset_energy(db.inner(), &tag, period).await?))
}

/// The saving over a financial year if a group of assets were turned off on a schedule.
#[utoipa::path(post, path = "/api/v1/energy/what-if", tag = "energy", request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfAnswer), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/energy/what-if", data = "<body>")]
pub async fn what_if(
    db: Db<'_>,
    _who: Viewer,
    body: Result<ApiJson<WhatIfRequest>, AppError>,
) -> AppResult<Json<WhatIfAnswer>> {
    Ok(Json(energy::what_if(db.inner(), body?.0).await?))
}

// ---------------------------------------------------------------------------------------------- tariffs

#[utoipa::path(get, path = "/api/v1/energy/tariffs", tag = "energy", params(("site_id" = Option<i32>, Query)),
    responses((status = 200, body = Vec<TariffView>)))]
#[get("/energy/tariffs?<site_id>")]
pub async fn list_tariffs(db: Db<'_>, _who: Viewer, site_id: Option<i32>) -> AppResult<Json<Vec<TariffView>>> {
    Ok(Json(reference::list_tariffs(db.inner(), site_id).await?))
}

#[utoipa::path(get, path = "/api/v1/energy/tariffs/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 200, body = TariffView), (status = 404, body = ErrorBody)))]
#[get("/energy/tariffs/<id>")]
pub async fn get_tariff(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<TariffView>> {
    Ok(Json(reference::get_tariff(db.inner(), id).await?))
}

/// A unit rate from a date, for a site or (no `site_id`) every site without its own.
#[utoipa::path(post, path = "/api/v1/energy/tariffs", tag = "energy", request_body = TariffChanges,
    responses((status = 201, body = TariffView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/energy/tariffs", data = "<body>")]
pub async fn create_tariff(
    db: Db<'_>,
    actor: Facilities,
    body: Result<ApiJson<TariffChanges>, AppError>,
) -> AppResult<Created<Json<TariffView>>> {
    let view = reference::create_tariff(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/energy/tariffs/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/energy/tariffs/{id}", tag = "energy", params(("id" = i32, Path)),
    request_body = TariffChanges,
    responses((status = 200, body = TariffView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/energy/tariffs/<id>", data = "<body>")]
pub async fn update_tariff(
    db: Db<'_>,
    actor: Facilities,
    id: i32,
    body: Result<ApiJson<TariffChanges>, AppError>,
) -> AppResult<Json<TariffView>> {
    Ok(Json(reference::update_tariff(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/energy/tariffs/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/energy/tariffs/<id>")]
pub async fn remove_tariff(db: Db<'_>, actor: Facilities, id: i32) -> AppResult<Status> {
    reference::delete_tariff(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

// ------------------------------------------------------------------------------------- grid factor sets

#[utoipa::path(get, path = "/api/v1/energy/grid-factors", tag = "energy",
    responses((status = 200, body = Vec<GridFactorSetView>)))]
#[get("/energy/grid-factors")]
pub async fn list_factor_sets(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<GridFactorSetView>>> {
    Ok(Json(reference::list_factor_sets(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/energy/grid-factors/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 200, body = GridFactorSetView), (status = 404, body = ErrorBody)))]
#[get("/energy/grid-factors/<id>")]
pub async fn get_factor_set(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<GridFactorSetView>> {
    Ok(Json(reference::get_factor_set(db.inner(), id).await?))
}

/// A year's UK grid electricity factors (e.g. next year's, when DESNZ publishes them).
#[utoipa::path(post, path = "/api/v1/energy/grid-factors", tag = "energy", request_body = GridFactorSetChanges,
    responses((status = 201, body = GridFactorSetView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/energy/grid-factors", data = "<body>")]
pub async fn create_factor_set(
    db: Db<'_>,
    actor: Facilities,
    body: Result<ApiJson<GridFactorSetChanges>, AppError>,
) -> AppResult<Created<Json<GridFactorSetView>>> {
    let view = reference::create_factor_set(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/energy/grid-factors/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/energy/grid-factors/{id}", tag = "energy", params(("id" = i32, Path)),
    request_body = GridFactorSetChanges,
    responses((status = 200, body = GridFactorSetView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/energy/grid-factors/<id>", data = "<body>")]
pub async fn update_factor_set(
    db: Db<'_>,
    actor: Facilities,
    id: i32,
    body: Result<ApiJson<GridFactorSetChanges>, AppError>,
) -> AppResult<Json<GridFactorSetView>> {
    Ok(Json(reference::update_factor_set(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/energy/grid-factors/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/energy/grid-factors/<id>")]
pub async fn remove_factor_set(db: Db<'_>, actor: Facilities, id: i32) -> AppResult<Status> {
    reference::delete_factor_set(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

// ---------------------------------------------------------------------------------------- bank holidays

#[utoipa::path(get, path = "/api/v1/energy/bank-holidays", tag = "energy", params(("year" = Option<i32>, Query)),
    responses((status = 200, body = Vec<BankHolidayView>)))]
#[get("/energy/bank-holidays?<year>")]
pub async fn list_bank_holidays(db: Db<'_>, _who: Viewer, year: Option<i32>) -> AppResult<Json<Vec<BankHolidayView>>> {
    Ok(Json(reference::list_bank_holidays(db.inner(), year).await?))
}

#[utoipa::path(get, path = "/api/v1/energy/bank-holidays/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 200, body = BankHolidayView), (status = 404, body = ErrorBody)))]
#[get("/energy/bank-holidays/<id>")]
pub async fn get_bank_holiday(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<BankHolidayView>> {
    Ok(Json(reference::get_bank_holiday(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/energy/bank-holidays", tag = "energy", request_body = BankHolidayChanges,
    responses((status = 201, body = BankHolidayView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/energy/bank-holidays", data = "<body>")]
pub async fn create_bank_holiday(
    db: Db<'_>,
    actor: Facilities,
    body: Result<ApiJson<BankHolidayChanges>, AppError>,
) -> AppResult<Created<Json<BankHolidayView>>> {
    let view = reference::create_bank_holiday(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/energy/bank-holidays/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/energy/bank-holidays/{id}", tag = "energy", params(("id" = i32, Path)),
    request_body = BankHolidayChanges,
    responses((status = 200, body = BankHolidayView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/energy/bank-holidays/<id>", data = "<body>")]
pub async fn update_bank_holiday(
    db: Db<'_>,
    actor: Facilities,
    id: i32,
    body: Result<ApiJson<BankHolidayChanges>, AppError>,
) -> AppResult<Json<BankHolidayView>> {
    Ok(Json(reference::update_bank_holiday(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/energy/bank-holidays/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/energy/bank-holidays/<id>")]
pub async fn remove_bank_holiday(db: Db<'_>, actor: Facilities, id: i32) -> AppResult<Status> {
    reference::delete_bank_holiday(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

// --------------------------------------------------------------------------------------- usage profiles

#[utoipa::path(get, path = "/api/v1/energy/usage-profiles", tag = "energy",
    responses((status = 200, body = Vec<UsageProfileView>)))]
#[get("/energy/usage-profiles")]
pub async fn list_profiles(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<UsageProfileView>>> {
    Ok(Json(usage_profiles::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/energy/usage-profiles/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 200, body = UsageProfileView), (status = 404, body = ErrorBody)))]
#[get("/energy/usage-profiles/<id>")]
pub async fn get_profile(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<UsageProfileView>> {
    Ok(Json(usage_profiles::get(db.inner(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/energy/usage-profiles", tag = "energy", request_body = UsageProfileChanges,
    responses((status = 201, body = UsageProfileView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/energy/usage-profiles", data = "<body>")]
pub async fn create_profile(
    db: Db<'_>,
    actor: Facilities,
    body: Result<ApiJson<UsageProfileChanges>, AppError>,
) -> AppResult<Created<Json<UsageProfileView>>> {
    let view = usage_profiles::create(db.inner(), &actor, body?.0).await?;
    Ok(Created::new(format!("/api/v1/energy/usage-profiles/{}", view.id)).body(Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/energy/usage-profiles/{id}", tag = "energy", params(("id" = i32, Path)),
    request_body = UsageProfileChanges,
    responses((status = 200, body = UsageProfileView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/energy/usage-profiles/<id>", data = "<body>")]
pub async fn update_profile(
    db: Db<'_>,
    actor: Facilities,
    id: i32,
    body: Result<ApiJson<UsageProfileChanges>, AppError>,
) -> AppResult<Json<UsageProfileView>> {
    Ok(Json(usage_profiles::update(db.inner(), &actor, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/energy/usage-profiles/{id}", tag = "energy", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/energy/usage-profiles/<id>")]
pub async fn remove_profile(db: Db<'_>, actor: Facilities, id: i32) -> AppResult<Status> {
    usage_profiles::delete(db.inner(), &actor, id).await?;
    Ok(Status::NoContent)
}

/// Each category's default usage profile (an asset's own profile wins over it).
#[utoipa::path(get, path = "/api/v1/energy/category-profiles", tag = "energy",
    responses((status = 200, body = Vec<CategoryProfileView>)))]
#[get("/energy/category-profiles")]
pub async fn category_profiles(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<CategoryProfileView>>> {
    Ok(Json(usage_profiles::category_defaults(db.inner()).await?))
}

/// Sets a category's default profile; `{"usage_profile_id": null}` removes it.
#[utoipa::path(put, path = "/api/v1/energy/category-profiles/{category}", tag = "energy",
    params(("category" = String, Path, example = "desktop")), request_body = ProfileChoice,
    responses((status = 200, body = Option<CategoryProfileView>), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[put("/energy/category-profiles/<category>", data = "<body>")]
pub async fn set_category_profile(
    db: Db<'_>,
    actor: Facilities,
    category: &str,
    body: Result<ApiJson<ProfileChoice>, AppError>,
) -> AppResult<Json<Option<CategoryProfileView>>> {
    let category: Category = category.parse().map_err(|e: String| AppError::BadRequest {
        code: "invalid_parameter",
        message: e,
        field: Some("category".into()),
    })?;
    let choice = body?.0;
    Ok(Json(usage_profiles::set_category_default(db.inner(), &actor, category, choice.usage_profile_id).await?))
}

/// Sets an asset's own usage profile, overriding its category's; `{"usage_profile_id": null}` clears it.
#[utoipa::path(put, path = "/api/v1/assets/{tag}/usage-profile", tag = "energy", params(("tag" = String, Path)),
    request_body = ProfileChoice,
    responses((status = 200, body = ProfileChoice), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/assets/<tag>/usage-profile", data = "<body>")]
pub async fn set_asset_profile(
    db: Db<'_>,
    actor: Ict,
    tag: &str,
    body: Result<ApiJson<ProfileChoice>, AppError>,
) -> AppResult<Json<serde_json::Value>> {
    let tag = asset_tag(tag)?;
    let id = usage_profiles::set_asset_profile(db.inner(), &actor, &tag, body?.0.usage_profile_id).await?;
    Ok(Json(serde_json::json!({ "usage_profile_id": id })))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        estimate,
        asset_energy,
        what_if,
        list_tariffs,
        get_tariff,
        create_tariff,
        update_tariff,
        remove_tariff,
        list_factor_sets,
        get_factor_set,
        create_factor_set,
        update_factor_set,
        remove_factor_set,
        list_bank_holidays,
        get_bank_holiday,
        create_bank_holiday,
        update_bank_holiday,
        remove_bank_holiday,
        list_profiles,
        get_profile,
        create_profile,
        update_profile,
        remove_profile,
        category_profiles,
        set_category_profile,
        set_asset_profile
    ]
}
