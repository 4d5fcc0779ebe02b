//! `/api/v1/disposals`: WEEE disposal records — the batch, its assets with weight and data sanitisation,
//! documents (PDF/PNG/JPEG by content, 10 MiB at most, kept with a SHA-256 checksum), completion (assets
//! to `disposed`), a CSV import of the assets, and `/api/v1/ewaste`: the e-waste figures for a financial year.

use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::status::Created;
use rocket::response::{self as rocket_response, Responder};
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, put, FromForm};
use std::io::Cursor;
use std::path::PathBuf;
use utoipa::OpenApi;

use crate::domain::disposal::{DocumentKind, MAX_DOCUMENT_BYTES};
use crate::domain::ewaste::{CategoryFigures, EwasteFigures, RouteFigures};
use crate::domain::FieldError;
use crate::energy::FinancialYear;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::import::disposal_import::import_disposal_lines;
use crate::import::{ImportOptions, ImportSummary, Mapping};
use crate::services::audit::{self, AuditView};
use crate::services::disposals::{
    self, DisposalAssetView, DisposalChanges, DisposalListItem, DisposalRecord, DisposalView, DocumentStore,
    DocumentView, EwasteReport, LineChanges, NewDocument,
};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        get_one,
        create,
        update,
        remove,
        put_asset,
        remove_asset,
        complete,
        upload_document,
        download_document,
        history,
        import_csv,
        ewaste
    ),
    components(schemas(
        DisposalView,
        DisposalRecord,
        DisposalAssetView,
        DocumentView,
        DisposalListItem,
        DisposalChanges,
        LineChanges,
        EwasteReport,
        EwasteFigures,
        RouteFigures,
        CategoryFigures,
        crate::domain::disposal::Route,
        crate::domain::disposal::SanitisationMethod,
        crate::domain::disposal::DocumentKind
    ))
)]
pub struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        get_one,
        create,
        update,
        remove,
        put_asset,
        remove_asset,
        complete,
        upload_document,
        download_document,
        history,
        import_csv,
        ewaste
    ]
}

/// The Rocket configuration key naming the data directory (set by `serve` from the configuration).
pub const DATA_DIR_KEY: &str = "data_dir";

/// Where documents are kept: `<data_dir>/documents`.
pub struct Documents(pub DocumentStore);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Documents {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AppError> {
        match req.rocket().figment().extract_inner::<PathBuf>(DATA_DIR_KEY) {
            Ok(dir) => request::Outcome::Success(Documents(DocumentStore::in_data_dir(&dir))),
            Err(e) => request::Outcome::Error((
                Status::InternalServerError,
                AppError::Internal(format!("no data directory configured for documents: {e}")),
            )),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/disposals", tag = "disposals",
    responses((status = 200, body = Vec<DisposalListItem>)))]
#[get("/disposals")]
pub async fn list(db: Db<'_>, _who: Viewer) -> AppResult<Json<Vec<DisposalListItem>>> {
    Ok(Json(disposals::list(db.inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/disposals/{id}", tag = "disposals", params(("id" = i32, Path)),
    responses((status = 200, body = DisposalView), (status = 404, body = ErrorBody)))]
#[get("/disposals/<id>")]
pub async fn get_one(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<DisposalView>> {
    Ok(Json(disposals::get(db.inner(), id).await?))
}

/// Record a disposal (a draft until completed): reference, date and route are required.
#[utoipa::path(post, path = "/api/v1/disposals", tag = "disposals", request_body = DisposalChanges,
    responses((status = 201, body = DisposalView), (status = 409, description = "duplicate reference", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/disposals", data = "<body>")]
pub async fn create(
    db: Db<'_>,
    who: Ict,
    body: Result<ApiJson<DisposalChanges>, AppError>,
) -> AppResult<Created<Json<DisposalView>>> {
    let v = disposals::create(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/disposals/{}", v.disposal.id)).body(Json(v)))
}

/// Change a draft disposal; a completed one is read-only (409 `read_only`).
#[utoipa::path(patch, path = "/api/v1/disposals/{id}", tag = "disposals", params(("id" = i32, Path)),
    request_body = DisposalChanges,
    responses((status = 200, body = DisposalView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/disposals/<id>", data = "<body>")]
pub async fn update(
    db: Db<'_>,
    who: Ict,
    id: i32,
    body: Result<ApiJson<DisposalChanges>, AppError>,
) -> AppResult<Json<DisposalView>> {
    Ok(Json(disposals::update(db.inner(), &who, id, body?.0).await?))
}

/// Delete a draft disposal recorded by mistake (its assets stay awaiting disposal).
#[utoipa::path(delete, path = "/api/v1/disposals/{id}", tag = "disposals", params(("id" = i32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/disposals/<id>")]
pub async fn remove(db: Db<'_>, who: Ict, id: i32) -> AppResult<Status> {
    disposals::delete(db.inner(), &who, id).await?;
    Ok(Status::NoContent)
}

/// Add an asset to a draft disposal, or change its line (weight, sanitisation record). The asset must be
/// retired or awaiting disposal; a retired one moves to awaiting disposal.
#[utoipa::path(put, path = "/api/v1/disposals/{id}/assets/{tag}", tag = "disposals",
    params(("id" = i32, Path), ("tag" = String, Path)), request_body = LineChanges,
    responses((status = 200, body = DisposalView), (status = 404, body = ErrorBody),
        (status = 409, description = "read-only, wrong state, or in another disposal", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[put("/disposals/<id>/assets/<tag>", data = "<body>")]
pub async fn put_asset(
    db: Db<'_>,
    who: Ict,
    id: i32,
    tag: &str,
    body: Result<ApiJson<LineChanges>, AppError>,
) -> AppResult<Json<DisposalView>> {
    Ok(Json(disposals::put_asset(db.inner(), &who, id, tag, body?.0).await?))
}

#[utoipa::path(delete, path = "/api/v1/disposals/{id}/assets/{tag}", tag = "disposals",
    params(("id" = i32, Path), ("tag" = String, Path)),
    responses((status = 200, body = DisposalView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/disposals/<id>/assets/<tag>")]
pub async fn remove_asset(db: Db<'_>, who: Ict, id: i32, tag: &str) -> AppResult<Json<DisposalView>> {
    Ok(Json(disposals::remove_asset(db.inner(), &who, id, tag).await?))
}

/// Complete the disposal: every asset moves to `disposed` and the record is locked, in one transaction.
/// When something required is missing, nothing changes and the 422 lists every problem in `details`,
/// each naming its field (`assets[TAG].sanitisation_method`, `carrier_registration`, ...).
#[utoipa::path(post, path = "/api/v1/disposals/{id}/complete", tag = "disposals", params(("id" = i32, Path)),
    responses((status = 200, body = DisposalView), (status = 404, body = ErrorBody),
        (status = 409, description = "already completed", body = ErrorBody),
        (status = 422, description = "what is missing, every field named", body = ErrorBody)))]
#[post("/disposals/<id>/complete")]
pub async fn complete(db: Db<'_>, who: Ict, id: i32) -> AppResult<Json<DisposalView>> {
    Ok(Json(disposals::complete(db.inner(), &who, id).await?))
}

#[derive(Debug, FromForm, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// waste_transfer_note, consignment_note, sanitisation_certificate, receipt or other
    pub kind: String,
    /// The file's name, e.g. wtn-0425.pdf (the extension is set from the content)
    pub file_name: Option<String>,
    /// The asset the document is about, e.g. a disk's erasure certificate
    pub asset_tag: Option<String>,
}

/// Reads an upload of at most `MAX_DOCUMENT_BYTES`; one byte more and the document is refused whole.
async fn read_document(data: Data<'_>) -> AppResult<Vec<u8>> {
    let read = data
        .open((MAX_DOCUMENT_BYTES as u64 + 1).bytes())
        .into_bytes()
        .await
        .map_err(|e| AppError::Internal(format!("reading the upload failed: {e}")))?;
    Ok(read.into_inner())
}

/// Attach a document: the body is the file itself. Its type is judged by its content (PDF, PNG or
/// JPEG), not its name; at most 10 MiB. Allowed on completed disposals too.
#[utoipa::path(post, path = "/api/v1/disposals/{id}/documents", tag = "disposals",
    params(("id" = i32, Path), DocumentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = DocumentView), (status = 404, body = ErrorBody),
        (status = 422, description = "wrong type, empty, too large, or an asset not in the disposal", body = ErrorBody)))]
#[post("/disposals/<id>/documents?<params..>", data = "<data>")]
pub async fn upload_document(
    db: Db<'_>,
    who: Ict,
    docs: Result<Documents, AppError>,
    id: i32,
    params: DocumentParams,
    data: Data<'_>,
) -> AppResult<Created<Json<DocumentView>>> {
    let docs = docs?;
    let kind: DocumentKind =
        params.kind.parse().map_err(|m: String| AppError::from(FieldError::new("kind", "invalid", m)))?;
    let bytes = read_document(data).await?;
    let doc = NewDocument {
        kind,
        file_name: params.file_name.clone().unwrap_or_default(),
        asset_tag: params.asset_tag.clone(),
        bytes,
    };
    let v = disposals::attach_document(db.inner(), &who, &docs.0, id, doc).await?;
    Ok(Created::new(v.download_url.clone()).body(Json(v)))
}

/// A stored document, sent as it was uploaded after checking its SHA-256.
pub struct DocumentDownload {
    pub view: DocumentView,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for DocumentDownload {
    fn respond_to(self, _req: &'r Request<'_>) -> rocket_response::Result<'static> {
        let content_type = ContentType::parse_flexible(&self.view.content_type).unwrap_or(ContentType::Binary);
        rocket_response::Response::build()
            .header(content_type)
            .raw_header("Content-Disposition", format!("attachment; filename=\"{}\"", self.view.file_name))
            .raw_header("X-Content-Type-Options", "nosniff")
            .raw_header("X-Content-SHA256", self.view.sha256.clone())
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

#[utoipa::path(get, path = "/api/v1/disposals/{id}/documents/{document_id}", tag = "disposals",
    params(("id" = i32, Path), ("document_id" = i32, Path)),
    responses((status = 200, description = "the file, as uploaded", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody)))]
#[get("/disposals/<id>/documents/<document_id>")]
pub async fn download_document(
    db: Db<'_>,
    _who: Viewer,
    docs: Result<Documents, AppError>,
    id: i32,
    document_id: i32,
) -> AppResult<DocumentDownload> {
    let (view, bytes) = disposals::document_file(db.inner(), &docs?.0, id, document_id).await?;
    Ok(DocumentDownload { view, bytes })
}

/// The disposal's own audit history, newest first (its assets' state moves are in each asset's history).
#[utoipa::path(get, path = "/api/v1/disposals/{id}/history", tag = "disposals", params(("id" = i32, Path)),
    responses((status = 200, body = Vec<AuditView>), (status = 404, body = ErrorBody)))]
#[get("/disposals/<id>/history")]
pub async fn history(db: Db<'_>, _who: Viewer, id: i32) -> AppResult<Json<Vec<AuditView>>> {
    disposals::get(db.inner(), id).await?;
    Ok(Json(audit::history(db.inner(), disposals::ENTITY, &id.to_string()).await?))
}

#[derive(Debug, FromForm, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisposalImportParams {
    /// true: check and count, write nothing
    pub dry_run: Option<bool>,
    /// The file's name, for the audit trail and messages
    pub source: Option<String>,
}

/// Import the assets of disposals from CSV (`Content-Type: text/csv`): columns disposal_reference,
/// asset_tag, and any of weight_kg, has_storage, hazardous, weee_category, sanitisation_method,
/// sanitisation_standard, sanitised_by, sanitised_on, certificate_number (contractors' header names such
/// as "Batch Reference", "Erasure Method", "Certificate No", "Erased By" are recognised). All or nothing.
#[utoipa::path(post, path = "/api/v1/disposals/import", tag = "disposals", params(DisposalImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "Imported, or checked when dry_run", body = ImportSummary),
        (status = 422, description = "Problems in the file; nothing was imported", body = ImportSummary),
        (status = 400, body = ErrorBody)))]
#[post("/disposals/import?<params..>", data = "<data>")]
pub async fn import_csv(
    db: Db<'_>,
    who: Ict,
    params: DisposalImportParams,
    data: Data<'_>,
) -> AppResult<(Status, Json<ImportSummary>)> {
    let bytes = super::imports::read_body(data).await?;
    let options = ImportOptions {
        dry_run: params.dry_run.unwrap_or(false),
        create_missing: false,
        source: params.source.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "disposals.csv".into()),
        meter: None,
    };
    let summary = import_disposal_lines(db.inner(), &who, &bytes, &Mapping::default(), &options).await?;
    Ok(super::imports::answer(summary))
}

/// E-waste figures for a financial year (`fy=2025` is 2025/26; default the current one): kg and count
/// by route, share reused, share diverted from landfill, share of data-bearing devices with a
/// sanitisation certificate; with the method stated.
#[utoipa::path(get, path = "/api/v1/ewaste", tag = "disposals",
    params(("fy" = Option<i32>, Query, description = "the financial year's first calendar year")),
    responses((status = 200, body = EwasteReport), (status = 400, body = ErrorBody)))]
#[get("/ewaste?<fy>")]
pub async fn ewaste(db: Db<'_>, _who: Viewer, fy: Option<&str>) -> AppResult<Json<EwasteReport>> {
    let year = super::optional_param(fy, "fy", |s| {
        s.parse::<i32>().ok().filter(|y| (1990..=2100).contains(y)).ok_or_else(|| {
            format!("fy '{s}' is not a year; give the year the financial year starts, e.g. 2025 for 2025/26")
        })
    })?
    .map(FinancialYear)
    .unwrap_or_else(crate::services::energy::current_financial_year);
    Ok(Json(disposals::ewaste(db.inner(), year).await?))
}
