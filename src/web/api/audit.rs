//! `/api/v1/audit`: the audit trail, filtered by who, what and when, as JSON pages or one CSV file.
//! Read-only: there is no route that changes or deletes an event (and the database refuses to).

use rocket::get;
use rocket::serde::json::Json;
use utoipa::OpenApi;

use super::imports::CsvDownload;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::audit::{self, AuditFilter, AuditView};
use crate::web::access::Viewer;
use crate::web::guards::Db;
use crate::web::pages::audit::parse_day;

#[derive(OpenApi)]
#[openapi(paths(list, csv), components(schemas(AuditView)))]
pub struct Doc;

fn filter(
    actor: Option<&str>,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    action: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
) -> AppResult<AuditFilter> {
    let day = |raw: Option<&str>, name: &'static str, plus: u64| -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(None),
            Some(r) => parse_day(r)
                .and_then(|d| (d + chrono::Days::new(plus)).and_hms_opt(0, 0, 0))
                .map(|t| Some(t.and_utc()))
                .ok_or_else(|| AppError::BadRequest {
                    code: "invalid_date",
                    message: format!("{name} '{r}' is not a date: use YYYY-MM-DD"),
                    field: Some(name.into()),
                }),
        }
    };
    Ok(AuditFilter {
        actor: actor.map(str::to_string),
        entity_type: entity_type.map(str::to_string),
        entity_id: entity_id.map(str::to_string),
        action: action.map(str::to_string),
        from: day(from, "from", 0)?,
        // `to` names the last day included.
        to: day(to, "to", 1)?,
        before_id,
    })
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "Part of the actor's name"),
        ("entity_type" = Option<String>, Query), ("entity_id" = Option<String>, Query),
        ("action" = Option<String>, Query, description = "create, update, delete, import, sign_in, revoke"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD"),
        ("before_id" = Option<i64>, Query, description = "Page back: events older than this id"),
        ("limit" = Option<u64>, Query, description = "1–1000, default 100")),
    responses((status = 200, body = Vec<AuditView>), (status = 400, body = ErrorBody)))]
#[get("/audit?<actor>&<entity_type>&<entity_id>&<action>&<from>&<to>&<before_id>&<limit>")]
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: Db<'_>,
    _who: Viewer,
    actor: Option<&str>,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    action: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
    limit: Option<u64>,
) -> AppResult<Json<Vec<AuditView>>> {
    let f = filter(actor, entity_type, entity_id, action, from, to, before_id)?;
    let limit = limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(audit::search(db.inner(), &f, limit).await?))
}

#[utoipa::path(get, path = "/api/v1/audit.csv", tag = "audit",
    params(("actor" = Option<String>, Query), ("entity_type" = Option<String>, Query),
        ("entity_id" = Option<String>, Query), ("action" = Option<String>, Query),
        ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, description = "CSV with a header line", body = String, content_type = "text/csv"),
        (status = 400, body = ErrorBody)))]
#[get("/audit.csv?<actor>&<entity_type>&<entity_id>&<action>&<from>&<to>")]
#[allow(clippy::too_many_arguments)]
pub async fn csv(
    db: Db<'_>,
    _who: Viewer,
    actor: Option<&str>,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    action: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<CsvDownload, AppError> {
    let f = filter(actor, entity_type, entity_id, action, from, to, None)?;
    let mut body = Vec::new();
    audit::write_csv(db.inner(), &f, &mut body).await?;
    Ok(CsvDownload::new(body, "audit.csv"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, csv]
}
