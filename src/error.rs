//! `AppError`: every way a request can fail, each with an HTTP status and a stable snake_case code.
//! Internal detail is logged with a request id and never shown; the client sees one JSON shape:
//! `{"error": {"code", "message", "field", "details", "request_id"}}`.

use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use serde::Serialize;
use std::io::Cursor;

use crate::domain::{FieldError, FieldErrors};

#[derive(Debug)]
pub enum AppError {
    /// The request itself is malformed (not JSON, bad query parameter, bad cursor).
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    NotFound {
        entity: &'static str,
        key: String,
    },
    /// The request is well formed but clashes with the register's state (duplicate, illegal move).
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// One or more fields are invalid; all are listed.
    Unprocessable(FieldErrors),
    /// No valid session or token: sign in, or send `Authorization: Bearer <token>`.
    Unauthorized {
        code: &'static str,
        message: String,
    },
    /// Signed in, but the role does not allow this.
    Forbidden {
        needed: crate::domain::Role,
        message: String,
    },
    /// An agent's device token used for another asset than its own.
    NotYours {
        message: String,
    },
    Database(sea_orm::DbErr),
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::BadRequest { .. } => Status::BadRequest,
            AppError::NotFound { .. } => Status::NotFound,
            AppError::Conflict { .. } => Status::Conflict,
            AppError::Unprocessable(_) => Status::UnprocessableEntity,
            AppError::Unauthorized { .. } => Status::Unauthorized,
            AppError::Forbidden { .. } | AppError::NotYours { .. } => Status::Forbidden,
            AppError::Database(_) | AppError::Internal(_) => Status::InternalServerError,
        }
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Unprocessable(FieldErrors(vec![FieldError::new(field, code, message)]))
    }

    pub fn not_found(entity: &'static str, key: impl ToString) -> AppError {
        AppError::NotFound { entity, key: key.to_string() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest { code, message: message.into(), field: None }
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Unauthorized { code, message: message.into() }
    }

    pub fn forbidden(needed: crate::domain::Role) -> AppError {
        let message = format!("this needs the {needed} role (or higher); ask an administrator if you need it");
        AppError::Forbidden { needed, message }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>, field: Option<&str>) -> AppError {
        AppError::Conflict { code, message: message.into(), field: field.map(str::to_string) }
    }

    /// The body shown to the client. Internal errors say only that something went wrong.
    pub fn body(&self, request_id: &str) -> ErrorBody {
        let (code, message, field, details) = match self {
            AppError::BadRequest { code, message, field } => (*code, message.clone(), field.clone(), vec![]),
            AppError::NotFound { entity, key } => ("not_found", format!("no {entity} with key '{key}'"), None, vec![]),
            AppError::Conflict { code, message, field } => (*code, message.clone(), field.clone(), vec![]),
            AppError::Unauthorized { code, message } => (*code, message.clone(), None, vec![]),
            AppError::Forbidden { message, .. } => ("forbidden", message.clone(), None, vec![]),
            AppError::NotYours { message } => ("not_your_asset", message.clone(), None, vec![]),
            AppError::Unprocessable(errs) => {
                let first = errs.0.first();
                let message = match errs.0.len() {
                    0 | 1 => first.map(|e| e.message.clone()).unwrap_or_default(),
                    n => format!("{} (and {} more problems)", first.map(|e| e.message.as_str()).unwrap_or(""), n - 1),
                };
                (first.map(|e| e.code).unwrap_or("invalid"), message, first.map(|e| e.field.clone()), errs.0.clone())
            }
            AppError::Database(_) | AppError::Internal(_) => (
                "internal",
                format!("something went wrong on our side; quote request id {request_id} if you report it"),
                None,
                vec![],
            ),
        };
        ErrorBody { error: ErrorDetail { code, message, field, details, request_id: request_id.to_string() } }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> AppError {
        AppError::Database(e)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> AppError {
        match e {
            sea_orm::TransactionError::Connection(db) => AppError::Database(db),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> AppError {
        AppError::Unprocessable(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::Unprocessable(FieldErrors(vec![e]))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code a client can rely on, e.g. `not_found`, `duplicate`, `illegal_transition`.
    #[schema(value_type = String)]
    pub code: &'static str,
    pub message: String,
    /// The field the error is about, when there is one.
    pub field: Option<String>,
    /// Every field problem, when several were found at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub details: Vec<FieldError>,
    pub request_id: String,
}

/// One field's problem.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorDoc {
    field: String,
    code: String,
    message: String,
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let request_id = crate::web::request_id(req);
        match &self {
            AppError::Database(e) => tracing::error!(request_id, error = %e, "database error"),
            AppError::Internal(e) => tracing::error!(request_id, error = %e, "internal error"),
            _ => {}
        }
        let body = serde_json::to_string(&self.body(&request_id)).unwrap_or_default();
        response::Response::build()
            .status(self.status())
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body))
            .ok()
    }
}
