//! The agent API. Agent-facing, authenticated per device with `Authorization: Bearer <device token>`:
//! `/api/v1/agent/enrol` (with an enrolment token), `/agent/checkin`, `/agent/outcome`. For ICT staff:
//! enrolment tokens and enrolled devices. For everyone: observed on-hours and who was left on overnight.

use chrono::{NaiveDate, Utc};
use rocket::request::{self, FromRequest, Request};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, post};
use utoipa::OpenApi;

use super::optional_param;
use crate::agent::protocol::{
    CheckinRequest, CheckinResponse, CommandKind, EnrolRequest, EnrolResponse, Outcome, OutcomeRequest,
    OutcomeResponse, PowerCommand,
};
use crate::domain::AssetTag;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::agents::{
    self, AgentAuth, CreatedEnrolmentToken, DeviceView, EnrolmentTokenView, LeftOn, LeftOnOvernight, NewEnrolmentToken,
    ObservedDay,
};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(
        enrol,
        checkin,
        outcome,
        create_token,
        list_tokens,
        revoke_token,
        list_devices,
        revoke_device,
        observed_hours,
        left_on_overnight,
        rollup
    ),
    components(schemas(
        EnrolRequest,
        EnrolResponse,
        CheckinRequest,
        CheckinResponse,
        PowerCommand,
        CommandKind,
        OutcomeRequest,
        OutcomeResponse,
        Outcome,
        NewEnrolmentToken,
        CreatedEnrolmentToken,
        EnrolmentTokenView,
        DeviceView,
        ObservedDay,
        LeftOn,
        LeftOnOvernight
    ))
)]
pub struct Doc;

/// The raw `Authorization` header, if any (never fails: the service says what is wrong with it).
pub struct Authorization(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Authorization {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(Authorization(req.headers().get_one("Authorization").map(str::to_string)))
    }
}

/// An agent authenticated by its device token.
pub struct Agent(pub AgentAuth);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Agent {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let Some(db) = req.rocket().state::<sea_orm::DatabaseConnection>() else {
            let e = AppError::Internal("no database".into());
            return request::Outcome::Error((e.status(), e));
        };
        match agents::authenticate(db, req.headers().get_one("Authorization")).await {
            Ok(auth) => request::Outcome::Success(Agent(auth)),
            Err(e) => request::Outcome::Error((e.status(), e)),
        }
    }
}

/// Enrols this device with an enrolment token from ICT staff (as `Authorization: Bearer`). The asset is
/// the one named, else the one with a reported MAC address, else the one with the hostname. Answers with
/// the device's own token, shown this once.
#[utoipa::path(post, path = "/api/v1/agent/enrol", tag = "agent", request_body = EnrolRequest,
    responses((status = 200, body = EnrolResponse),
        (status = 401, description = "enrolment token missing, unknown, expired, revoked or used up", body = ErrorBody),
        (status = 403, description = "the asset is not at the token's site", body = ErrorBody),
        (status = 409, description = "several assets match: name one", body = ErrorBody),
        (status = 422, description = "no asset matches", body = ErrorBody)))]
#[post("/agent/enrol", data = "<body>")]
pub async fn enrol(
    db: Db<'_>,
    auth: Authorization,
    body: Result<ApiJson<EnrolRequest>, AppError>,
) -> AppResult<Json<EnrolResponse>> {
    let body = body?.0;
    Ok(Json(agents::enrol(db.inner(), auth.0.as_deref(), body).await?))
}

/// The device is on: records the check-in and answers with any shutdown or sleep now due (each once).
/// Confirms a wake sent before this check-in.
#[utoipa::path(post, path = "/api/v1/agent/checkin", tag = "agent", request_body = CheckinRequest,
    responses((status = 200, body = CheckinResponse), (status = 401, body = ErrorBody),
        (status = 403, description = "the body names another asset than the token's", body = ErrorBody)))]
#[post("/agent/checkin", data = "<body>")]
pub async fn checkin(
    db: Db<'_>,
    auth: Authorization,
    body: Result<ApiJson<CheckinRequest>, AppError>,
) -> AppResult<Json<CheckinResponse>> {
    let body = match body {
        Ok(body) => body.0,
        // A bad token is answered first, as on the other agent endpoints.
        Err(e) => {
            agents::authenticate(db.inner(), auth.0.as_deref()).await?;
            return Err(e);
        }
    };
    Ok(Json(agents::checkin_with_token(db.inner(), auth.0.as_deref(), body).await?))
}

/// How a delivered command ended: done, deferred (a new action is planned when deferral is allowed) or
/// failed with the reason.
#[utoipa::path(post, path = "/api/v1/agent/outcome", tag = "agent", request_body = OutcomeRequest,
    responses((status = 200, body = OutcomeResponse), (status = 401, body = ErrorBody),
        (status = 403, description = "the action is another asset's", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the action is not awaiting an outcome", body = ErrorBody)))]
#[post("/agent/outcome", data = "<body>")]
pub async fn outcome(
    db: Db<'_>,
    agent: Result<Agent, AppError>,
    body: Result<ApiJson<OutcomeRequest>, AppError>,
) -> AppResult<Json<OutcomeResponse>> {
    let agent = agent?;
    Ok(Json(agents::outcome(db.inner(), &agent.0, body?.0).await?))
}

/// A new enrolment token. The token is in this answer only: hand it to whoever installs the agents.
#[utoipa::path(post, path = "/api/v1/agent-enrolment-tokens", tag = "agent", request_body = NewEnrolmentToken,
    responses((status = 201, body = CreatedEnrolmentToken), (status = 422, body = ErrorBody)))]
#[post("/agent-enrolment-tokens", data = "<body>")]
pub async fn create_token(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<NewEnrolmentToken>, AppError>,
) -> AppResult<Created<Json<CreatedEnrolmentToken>>> {
    let created = agents::create_enrolment_token(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/agent-enrolment-tokens/{}", created.view.id)).body(Json(created)))
}

#[utoipa::path(get, path = "/api/v1/agent-enrolment-tokens", tag = "agent",
    responses((status = 200, body = Vec<EnrolmentTokenView>)))]
#[get("/agent-enrolment-tokens")]
pub async fn list_tokens(db: Db<'_>, _who: Ict) -> AppResult<Json<Vec<EnrolmentTokenView>>> {
    Ok(Json(agents::list_enrolment_tokens(db.inner()).await?))
}

/// Revokes an enrolment token: no more devices may enrol with it.
#[utoipa::path(delete, path = "/api/v1/agent-enrolment-tokens/{id}", tag = "agent", params(("id" = i32, Path)),
    responses((status = 200, body = EnrolmentTokenView), (status = 404, body = ErrorBody)))]
#[delete("/agent-enrolment-tokens/<id>")]
pub async fn revoke_token(db: Db<'_>, who: Ict, id: i32) -> AppResult<Json<EnrolmentTokenView>> {
    Ok(Json(agents::revoke_enrolment_token(db.inner(), &who, id).await?))
}

#[utoipa::path(get, path = "/api/v1/agent-devices", tag = "agent", responses((status = 200, body = Vec<DeviceView>)))]
#[get("/agent-devices")]
pub async fn list_devices(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<DeviceView>>> {
    Ok(Json(agents::list_devices(db.inner()).await?))
}

/// Revokes a device's token: its agent is refused until enrolled again.
#[utoipa::path(delete, path = "/api/v1/agent-devices/{id}", tag = "agent", params(("id" = i32, Path)),
    responses((status = 200, body = DeviceView), (status = 404, body = ErrorBody)))]
#[delete("/agent-devices/<id>")]
pub async fn revoke_device(db: Db<'_>, who: Ict, id: i32) -> AppResult<Json<DeviceView>> {
    Ok(Json(agents::revoke_device(db.inner(), &who, id).await?))
}

fn iso_date(raw: Option<&str>, name: &str) -> AppResult<Option<NaiveDate>> {
    optional_param(raw, name, |s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| format!("{name} '{s}' is not a date; use ISO form, e.g. 2026-01-14"))
    })
}

/// An asset's observed on-hours per UK day (from its agent's check-ins, rolled up hourly), newest first.
/// `from` and `to` are inclusive ISO dates; the default is the last 31 days.
#[utoipa::path(get, path = "/api/v1/assets/{tag}/observed-hours", tag = "agent",
    params(("tag" = String, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = Vec<ObservedDay>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/assets/<tag>/observed-hours?<from>&<to>")]
pub async fn observed_hours(
    db: Db<'_>,
    _who: Viewer,
    tag: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<Vec<ObservedDay>>> {
    let tag: AssetTag = tag.parse().map_err(|_| AppError::not_found("asset", tag))?;
    let today = crate::energy::observed::uk_date(Utc::now());
    let to = iso_date(to, "to")?.unwrap_or(today);
    let from = iso_date(from, "from")?.unwrap_or(to - chrono::Duration::days(30));
    let period = crate::energy::Period::inclusive(from, to).map_err(|e| AppError::BadRequest {
        code: "invalid_parameter",
        message: e,
        field: Some("from".into()),
    })?;
    Ok(Json(agents::observed_days_by_tag(db.inner(), &tag, &period).await?))
}

/// Assets seen on between 22:00 and 05:00 UK time on the night after `night` (ISO date of the evening;
/// default last night), most minutes first.
#[utoipa::path(get, path = "/api/v1/agents/left-on-overnight", tag = "agent",
    params(("night" = Option<String>, Query, example = "2026-01-14")),
    responses((status = 200, body = LeftOnOvernight), (status = 400, body = ErrorBody)))]
#[get("/agents/left-on-overnight?<night>")]
pub async fn left_on_overnight(db: Db<'_>, _who: Viewer, night: Option<&str>) -> AppResult<Json<LeftOnOvernight>> {
    let evening = iso_date(night, "night")?.unwrap_or_else(|| crate::energy::observed::last_night(Utc::now()));
    Ok(Json(agents::left_on_overnight(db.inner(), evening).await?))
}

/// Rolls check-ins up into hours now (the service also does this every few minutes by itself).
#[utoipa::path(post, path = "/api/v1/agents/rollup", tag = "agent", responses((status = 200, description = "hours written and check-ins deleted")))]
#[post("/agents/rollup")]
pub async fn rollup(db: Db<'_>, _who: Ict) -> AppResult<Json<agents::RollupReport>> {
    Ok(Json(agents::rollup(db.inner(), Utc::now(), agents::DEFAULT_RAW_RETENTION_HOURS).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        enrol,
        checkin,
        outcome,
        create_token,
        list_tokens,
        revoke_token,
        list_devices,
        revoke_device,
        observed_hours,
        left_on_overnight,
        rollup
    ]
}
