//! `/api/v1/power/...`: power policies, exclusions and opt-outs; which policy applies to an asset and
//! why; manual "wake now" / "shut down now"; the action log and success rates by site.

use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, State};
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::scheduler::Scheduler;
use crate::services::power_actions::{self, ActionView, LogFilter, ManualOutcome, ManualRequest, SiteSuccess};
use crate::services::power_policies::{
    self, AssetPowerView, ExclusionView, NewExclusion, NewOptOut, NextAction, OptOutView, OverriddenPolicy,
    PolicyChanges, PolicyView,
};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_policies,
        get_policy,
        create_policy,
        update_policy,
        delete_policy,
        list_exclusions,
        create_exclusion,
        delete_exclusion,
        list_opt_outs,
        create_opt_out,
        delete_opt_out,
        asset_power,
        list_actions,
        get_action,
        create_actions,
        cancel_action,
        success
    ),
    components(schemas(
        PolicyView,
        PolicyChanges,
        ExclusionView,
        NewExclusion,
        OptOutView,
        NewOptOut,
        AssetPowerView,
        OverriddenPolicy,
        NextAction,
        ActionView,
        ManualRequest,
        ManualOutcome,
        SiteSuccess
    ))
)]
pub struct Doc;

#[utoipa::path(get, path = "/api/v1/power/policies", tag = "power", responses((status = 200, body = Vec<PolicyView>)))]
#[get("/power/policies")]
pub async fn list_policies(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<PolicyView>>> {
    Ok(Json(power_policies::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/power/policies/{id}", tag = "power", params(("id" = i32, Path)),
    responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody)))]
#[get("/power/policies/<id>")]
pub async fn get_policy(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<PolicyView>> {
    Ok(Json(power_policies::get(db.inner(), id).await?))
}

/// A new policy. `schedule` is UK local time, clauses of days then wake-off times:
/// "mon-fri 07:30-19:00; sat 09:00-13:00"; either time may be left out ("-19:00" shuts down only).
#[utoipa::path(post, path = "/api/v1/power/policies", tag = "power", request_body = PolicyChanges,
    responses((status = 201, body = PolicyView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/power/policies", data = "<body>")]
pub async fn create_policy(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<PolicyChanges>, AppError>,
) -> AppResult<Created<Json<PolicyView>>> {
    let v = power_policies::create(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/power/policies/{}", v.id)).body(Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/power/policies/{id}", tag = "power", params(("id" = i32, Path)),
    request_body = PolicyChanges,
    responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/power/policies/<id>", data = "<body>")]
pub async fn update_policy(
    db: Db<'_>,
    who: Ict,
    id: i32,
    body: Result<ApiJson<PolicyChanges>, AppError>,
) -> AppResult<Json<PolicyView>> {
    Ok(Json(power_policies::update(db.inner(), &who, id, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/power/policies/{id}", tag = "power", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/power/policies/<id>")]
pub async fn delete_policy(db: Db<'_>, who: Ict, id: i32) -> AppResult<Status> {
    power_policies::delete(db.inner(), &who, id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(get, path = "/api/v1/power/exclusions", tag = "power", responses((status = 200, body = Vec<ExclusionView>)))]
#[get("/power/exclusions")]
pub async fn list_exclusions(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<ExclusionView>>> {
    Ok(Json(power_policies::list_exclusions(db.inner()).await?))
}

/// Excludes an asset from power management: no policy shuts it down, and no one can by hand.
#[utoipa::path(post, path = "/api/v1/power/exclusions", tag = "power", request_body = NewExclusion,
    responses((status = 201, body = ExclusionView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/power/exclusions", data = "<body>")]
pub async fn create_exclusion(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<NewExclusion>, AppError>,
) -> AppResult<Created<Json<ExclusionView>>> {
    let v = power_policies::create_exclusion(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/power/exclusions/{}", v.id)).body(Json(v)))
}

#[utoipa::path(delete, path = "/api/v1/power/exclusions/{id}", tag = "power", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/power/exclusions/<id>")]
pub async fn delete_exclusion(db: Db<'_>, who: Ict, id: i32) -> AppResult<Status> {
    power_policies::delete_exclusion(db.inner(), &who, id).await?;
    Ok(Status::NoContent)
}

/// Opt-outs not yet expired; `?all=true` includes expired ones.
#[utoipa::path(get, path = "/api/v1/power/opt-outs", tag = "power", params(("all" = Option<bool>, Query)),
    responses((status = 200, body = Vec<OptOutView>)))]
#[get("/power/opt-outs?<all>")]
pub async fn list_opt_outs(db: Db<'_>, _who: Viewer, all: Option<bool>) -> AppResult<Json<Vec<OptOutView>>> {
    Ok(Json(power_policies::list_opt_outs(db.inner(), all.unwrap_or(false)).await?))
}

/// A user's time-limited opt-out from shutdowns (at most 31 days), with the reason.
#[utoipa::path(post, path = "/api/v1/power/opt-outs", tag = "power", request_body = NewOptOut,
    responses((status = 201, body = OptOutView), (status = 422, body = ErrorBody)))]
#[post("/power/opt-outs", data = "<body>")]
pub async fn create_opt_out(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<NewOptOut>, AppError>,
) -> AppResult<Created<Json<OptOutView>>> {
    let v = power_policies::create_opt_out(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/power/opt-outs/{}", v.id)).body(Json(v)))
}

#[utoipa::path(delete, path = "/api/v1/power/opt-outs/{id}", tag = "power", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/power/opt-outs/<id>")]
pub async fn delete_opt_out(db: Db<'_>, who: Ict, id: i32) -> AppResult<Status> {
    power_policies::delete_opt_out(db.inner(), &who, id).await?;
    Ok(Status::NoContent)
}

/// Which policy applies to the asset and why, its exclusion and opt-outs, and its next week's actions.
#[utoipa::path(get, path = "/api/v1/assets/{tag}/power", tag = "power", params(("tag" = String, Path)),
    responses((status = 200, body = AssetPowerView), (status = 404, body = ErrorBody)))]
#[get("/assets/<tag>/power")]
pub async fn asset_power(db: Db<'_>, _who: Viewer, tag: &str) -> AppResult<Json<AssetPowerView>> {
    Ok(Json(power_policies::for_asset(db.inner(), tag).await?))
}

/// The action log, newest first, with filters.
#[utoipa::path(get, path = "/api/v1/power/actions", tag = "power", params(LogFilter),
    responses((status = 200, body = Vec<ActionView>), (status = 400, body = ErrorBody)))]
#[get("/power/actions?<filter..>")]
pub async fn list_actions(db: Db<'_>, _who: Viewer, filter: LogFilter) -> AppResult<Json<Vec<ActionView>>> {
    Ok(Json(power_actions::log(db.inner(), &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/power/actions/{id}", tag = "power", params(("id" = i32, Path)),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody)))]
#[get("/power/actions/<id>")]
pub async fn get_action(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<ActionView>> {
    Ok(Json(power_actions::get(db.inner(), id).await?))
}

/// "Wake now" / "shut down now" / "sleep now" for one asset (`asset_tag`) or every deployed asset at a
/// site or in a department. Wakes are sent at once; shutdowns wait for the asset's agent to check in.
/// Excluded assets are never shut down: they are listed under `skipped`.
#[utoipa::path(post, path = "/api/v1/power/actions", tag = "power", request_body = ManualRequest,
    responses((status = 201, body = ManualOutcome), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/power/actions", data = "<body>")]
pub async fn create_actions(
    db: Db<'_>,
    scheduler: &State<Scheduler>,
    who: Ict,
    body: Result<ApiJson<ManualRequest>, AppError>,
) -> AppResult<(Status, Json<ManualOutcome>)> {
    let out = crate::scheduler::manual(scheduler, db.inner(), &who, &body?.0).await?;
    Ok((Status::Created, Json(out)))
}

/// Cancels a planned action.
#[utoipa::path(post, path = "/api/v1/power/actions/{id}/cancel", tag = "power", params(("id" = i32, Path)),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/power/actions/<id>/cancel")]
pub async fn cancel_action(db: Db<'_>, who: Ict, id: i32) -> AppResult<Json<ActionView>> {
    Ok(Json(power_actions::cancel(db.inner(), &who, id).await?))
}

/// Success rates by site over the last `days` (default 30): wakes confirmed by a check-in, and shutdowns
/// and sleeps confirmed by the agent, out of those that reached an outcome.
#[utoipa::path(get, path = "/api/v1/power/success", tag = "power", params(("days" = Option<i64>, Query)),
    responses((status = 200, body = Vec<SiteSuccess>)))]
#[get("/power/success?<days>")]
pub async fn success(db: Db<'_>, _who: Viewer, days: Option<i64>) -> AppResult<Json<Vec<SiteSuccess>>> {
    let since = chrono::Utc::now() - chrono::Duration::days(days.unwrap_or(30).clamp(1, 3660));
    Ok(Json(power_actions::success_by_site(db.inner(), since).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list_policies,
        get_policy,
        create_policy,
        update_policy,
        delete_policy,
        list_exclusions,
        create_exclusion,
        delete_exclusion,
        list_opt_outs,
        create_opt_out,
        delete_opt_out,
        asset_power,
        list_actions,
        get_action,
        create_actions,
        cancel_action,
        success
    ]
}
