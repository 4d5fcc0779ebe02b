//! `POST /api/v1/imports` (a CSV file in the body: all or nothing) and `GET /api/v1/assets.csv` (the
//! register as CSV, with the list's filters).

use rocket::data::{Data, ToByteUnit};
use rocket::http::{Header, Status};
use rocket::serde::json::Json;
use rocket::{get, post, FromForm, Responder};
use utoipa::OpenApi;

use super::assets::AssetListParams;
use crate::error::{AppError, ErrorBody};
use crate::import::{self, ImportOptions, ImportSummary, Kind, Mapping, Problem, Silent};
use crate::web::access::{Facilities, Ict, Viewer};
use crate::web::guards::Db;

#[derive(OpenApi)]
#[openapi(
    paths(create_import, create_meter_import, assets_csv, sites_csv, departments_csv, models_csv),
    components(schemas(ImportSummary, Problem, Kind, import::meter_import::MeterImported))
)]
pub struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![create_import, create_meter_import, assets_csv, sites_csv, departments_csv, models_csv]
}

/// The largest file accepted: a 100,000-device register exports to about 25 MB.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, FromForm, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// What the file holds: assets, sites, departments or models (required)
    pub kind: Option<String>,
    /// true: check and count, write nothing
    pub dry_run: Option<bool>,
    /// true: create the sites, departments and models the file names that the register lacks
    pub create_missing: Option<bool>,
    /// The file's name, for the audit trail and messages
    pub source: Option<String>,
}

pub fn parse_kind(raw: &str) -> Result<Kind, AppError> {
    Kind::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or_else(|| AppError::BadRequest {
        code: "invalid_parameter",
        message: format!(
            "kind '{}' is not something greenict imports; use assets, sites, departments, models or meter_readings",
            raw.trim()
        ),
        field: Some("kind".into()),
    })
}

/// Reads a request body up to the import limit; a larger one is refused, not cut short.
pub async fn read_body(data: Data<'_>) -> Result<Vec<u8>, AppError> {
    let read = data
        .open(MAX_IMPORT_BYTES.bytes())
        .into_bytes()
        .await
        .map_err(|e| AppError::Internal(format!("reading the upload failed: {e}")))?;
    if !read.is_complete() {
        return Err(AppError::BadRequest {
            code: "too_large",
            message: format!("the file is larger than {} MB; split it into several files", MAX_IMPORT_BYTES >> 20),
            field: None,
        });
    }
    Ok(read.into_inner())
}

/// Import a CSV file. The body is the file itself (`Content-Type: text/csv`). Every problem in the
/// file is listed (line, column, value, what is wrong, how to fix it) and then nothing is written;
/// otherwise all of it is, as one audit event for the file plus one per record.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "Imported, or checked when dry_run", body = ImportSummary),
        (status = 422, description = "Problems in the file; nothing was imported", body = ImportSummary),
        (status = 400, description = "A bad parameter, or a file over the size limit", body = ErrorBody),
    )
)]
#[post("/imports?<params..>", data = "<data>")]
pub async fn create_import(
    db: Db<'_>,
    actor: Ict,
    params: ImportParams,
    data: Data<'_>,
) -> Result<(Status, Json<ImportSummary>), AppError> {
    let kind = parse_kind(params.kind.as_deref().unwrap_or(""))?;
    let bytes = read_body(data).await?;
    let options = ImportOptions {
        dry_run: params.dry_run.unwrap_or(false),
        create_missing: params.create_missing.unwrap_or(false),
        source: params.source.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "upload.csv".into()),
        meter: None,
    };
    let input = import::Input::Bytes(bytes);
    let summary = import::import(db.inner(), &actor, kind, input, &Mapping::default(), &options, &Silent).await?;
    Ok(answer(summary))
}

#[derive(Debug, FromForm, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeterImportParams {
    /// The meter the readings are for (see GET /api/v1/meters)
    pub meter_id: Option<i32>,
    /// true: check and count, write nothing
    pub dry_run: Option<bool>,
    /// The file's name, for the audit trail and messages
    pub source: Option<String>,
}

/// Import a meter's readings (`kind=meter_readings&meter_id=N`; Facilities may). The file is half-hourly
/// rows (`Timestamp,kWh`: the start of each half hour, UK time unless an offset is given), one day per row
/// with 48 half-hour columns (`Date,00:30,…,24:00` or `Date,HH01,…,HH48`, 46 or 50 on clock-change days),
/// or daily rows (`Date,kWh`). Readings are stored by (meter, interval start): importing the same file
/// again changes nothing; a file overlapping earlier readings replaces those intervals.
#[utoipa::path(
    post,
    path = "/api/v1/imports?kind=meter_readings",
    tag = "imports",
    params(MeterImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "Imported, or checked when dry_run", body = ImportSummary),
        (status = 422, description = "Problems in the file, or an unknown meter; nothing was imported", body = ImportSummary),
        (status = 400, description = "No meter_id, or a file over the size limit", body = ErrorBody),
    )
)]
// Rocket tries this route before the general import (its static query part ranks it first), whose guard is ICT.
#[post("/imports?kind=meter_readings&<params..>", data = "<data>")]
pub async fn create_meter_import(
    db: Db<'_>,
    actor: Facilities,
    params: MeterImportParams,
    data: Data<'_>,
) -> Result<(Status, Json<ImportSummary>), AppError> {
    let meter_id = params.meter_id.ok_or_else(|| AppError::BadRequest {
        code: "invalid_parameter",
        message: "meter_id is required with kind=meter_readings; GET /api/v1/meters lists them".into(),
        field: Some("meter_id".into()),
    })?;
    import_into_meter(db, &actor, meter_id, params.dry_run, params.source, data).await
}

/// A readings file into one meter: this route and `POST /api/v1/meters/{id}/readings`.
pub async fn import_into_meter(
    db: Db<'_>,
    actor: &crate::services::Actor,
    meter_id: i32,
    dry_run: Option<bool>,
    source: Option<String>,
    data: Data<'_>,
) -> Result<(Status, Json<ImportSummary>), AppError> {
    let bytes = read_body(data).await?;
    let options = ImportOptions {
        dry_run: dry_run.unwrap_or(false),
        create_missing: false,
        source: source.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "readings.csv".into()),
        meter: Some(import::meter_import::MeterChoice::Id(meter_id)),
    };
    Ok(answer(import::meter_import::import_readings(db.inner(), actor, &bytes, &options).await?))
}

/// 422 for a refused file (its problems listed), else 200: every import route answers so.
pub fn answer(summary: ImportSummary) -> (Status, Json<ImportSummary>) {
    let status = if summary.is_refused() { Status::UnprocessableEntity } else { Status::Ok };
    (status, Json(summary))
}

#[derive(Responder)]
#[response(content_type = "text/csv")]
pub struct CsvDownload {
    body: Vec<u8>,
    disposition: Header<'static>,
}

impl CsvDownload {
    pub fn new(body: Vec<u8>, file_name: &str) -> CsvDownload {
        CsvDownload {
            body,
            disposition: Header::new("Content-Disposition", format!("attachment; filename=\"{file_name}\"")),
        }
    }
}

/// The assets matching the list's filters as CSV, in greenict's own columns, ordered by tag. The file
/// imports back to the identical register.
#[utoipa::path(
    get,
    path = "/api/v1/assets.csv",
    tag = "assets",
    params(AssetListParams),
    responses(
        (status = 200, description = "CSV with a header line", body = String, content_type = "text/csv"),
        (status = 400, description = "A bad filter", body = ErrorBody),
    )
)]
#[get("/assets.csv?<params..>")]
pub async fn assets_csv(db: Db<'_>, _who: Viewer, params: AssetListParams) -> Result<CsvDownload, AppError> {
    let query = params.to_query()?;
    let mut body = Vec::new();
    import::export::export_assets(db.inner(), &query, &mut body).await?;
    let name = format!("assets-{}.csv", chrono::Utc::now().date_naive());
    Ok(CsvDownload::new(body, &name))
}

async fn catalogue_csv(db: Db<'_>, kind: Kind) -> Result<CsvDownload, AppError> {
    let mut body = Vec::new();
    import::export(db.inner(), kind, &mut body).await?;
    Ok(CsvDownload::new(body, &format!("{}-{}.csv", kind.as_str(), chrono::Utc::now().date_naive())))
}

/// The sites as CSV in greenict's own columns; imports back unchanged.
#[utoipa::path(get, path = "/api/v1/sites.csv", tag = "sites",
    responses((status = 200, description = "CSV with a header line", body = String, content_type = "text/csv")))]
#[get("/sites.csv")]
pub async fn sites_csv(db: Db<'_>, _who: Viewer) -> Result<CsvDownload, AppError> {
    catalogue_csv(db, Kind::Sites).await
}

/// The departments as CSV in greenict's own columns; imports back unchanged.
#[utoipa::path(get, path = "/api/v1/departments.csv", tag = "departments",
    responses((status = 200, description = "CSV with a header line", body = String, content_type = "text/csv")))]
#[get("/departments.csv")]
pub async fn departments_csv(db: Db<'_>, _who: Viewer) -> Result<CsvDownload, AppError> {
    catalogue_csv(db, Kind::Departments).await
}

/// The model catalogue as CSV in greenict's own columns; imports back unchanged.
#[utoipa::path(get, path = "/api/v1/models.csv", tag = "models",
    responses((status = 200, description = "CSV with a header line", body = String, content_type = "text/csv")))]
#[get("/models.csv")]
pub async fn models_csv(db: Db<'_>, _who: Viewer) -> Result<CsvDownload, AppError> {
    catalogue_csv(db, Kind::Models).await
}
