//! The JSON API under `/api/v1`: each module exposes `routes()` and its OpenAPI `Doc`.

pub mod agents;
pub mod assets;
pub mod audit;
pub mod cost_items;
pub mod departments;
pub mod device_models;
pub mod disposals;
pub mod energy;
pub mod imports;
pub mod meters;
pub mod network_segments;
pub mod people;
pub mod power;
pub mod sites;
pub mod tco;

use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{AppError, AppResult};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "greenict API",
        description = "The ICT asset register of a UK council: sites, network segments, departments, the model \
            catalogue and assets. Money is a decimal string in GBP with 2 places; dates are ISO 8601. \
            Errors share one shape: {\"error\": {\"code\", \"message\", \"field\"}}. Every request needs an API \
            token (issued on the Tokens page or by `greenict token create`), sent as `Authorization: Bearer \
            gict_…`; its role decides what it may do, and the audit trail names it."
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldErrorDoc))
)]
struct ApiDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(sites::Doc::openapi());
    doc.merge(assets::Doc::openapi());
    doc.merge(departments::Doc::openapi());
    doc.merge(network_segments::Doc::openapi());
    doc.merge(device_models::Doc::openapi());
    doc.merge(imports::Doc::openapi());
    doc.merge(energy::Doc::openapi());
    doc.merge(meters::Doc::openapi());
    doc.merge(people::Doc::openapi());
    doc.merge(audit::Doc::openapi());
    doc.merge(cost_items::Doc::openapi());
    doc.merge(tco::Doc::openapi());
    doc.merge(agents::Doc::openapi());
    doc.merge(power::Doc::openapi());
    doc.merge(disposals::Doc::openapi());
    doc
}

pub fn routes() -> Vec<rocket::Route> {
    let mut r = Vec::new();
    r.extend(sites::routes());
    r.extend(assets::routes());
    r.extend(departments::routes());
    r.extend(network_segments::routes());
    r.extend(device_models::routes());
    r.extend(imports::routes());
    r.extend(energy::routes());
    r.extend(meters::routes());
    r.extend(people::routes());
    r.extend(audit::routes());
    r.extend(cost_items::routes());
    r.extend(tco::routes());
    r.extend(agents::routes());
    r.extend(power::routes());
    r.extend(disposals::routes());
    r
}

/// `/api/v1/openapi.json` and the browsable docs at `/api/docs/`, served from vendored files (offline).
pub fn docs_routes() -> Vec<rocket::Route> {
    SwaggerUi::new("/api/docs/<_..>").url("/api/v1/openapi.json", openapi()).into()
}

/// An optional query parameter such as `?site_id=`: blank means not given; a value `parse` refuses is
/// a 400 naming the parameter, with `parse`'s message.
fn optional_param<T>(
    raw: Option<&str>,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> AppResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).map_err(|message| AppError::BadRequest {
            code: "invalid_parameter",
            message,
            field: Some(name.into()),
        }),
    }
}
