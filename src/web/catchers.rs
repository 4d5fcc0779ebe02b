//! What a failed request gets when no handler answered it: our JSON error shape under `/api`, a plain
//! page elsewhere. The status is the catcher's own.

use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{Catcher, Request};

use crate::error::{AppError, ErrorBody};

#[derive(rocket::Responder)]
pub enum Caught {
    Json((Status, Json<ErrorBody>)),
    Html((Status, RawHtml<String>)),
}

#[rocket::catch(default)]
fn default_catcher(status: Status, req: &Request<'_>) -> Caught {
    let (code, message) = match status.code {
        404 => ("not_found", "nothing is here: check the address".to_string()),
        422 => {
            ("invalid_path", "a value in the address could not be read, e.g. an id that is not a number".to_string())
        }
        413 => ("too_large", "the request is too large".to_string()),
        405 => ("method_not_allowed", "that method is not allowed here".to_string()),
        400 => ("bad_request", "the request could not be understood".to_string()),
        500.. => ("internal", String::new()),
        _ => ("error", status.reason().unwrap_or("error").to_lowercase()),
    };
    if req.uri().path().starts_with("/api/") {
        let err = if status.code >= 500 {
            AppError::Internal(format!("unhandled {status}"))
        } else {
            AppError::BadRequest { code, message, field: None }
        };
        return Caught::Json((status, Json(err.body(&super::request_id(req)))));
    }
    let body = format!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{code} — greenict</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/static/site.css\"></head><body><main class=\"wrap\">\
         <h1>{code}: {reason}</h1><p>{message}.</p><p><a href=\"/\">Back to the register</a></p></main></body></html>",
        code = status.code,
        reason = status.reason().unwrap_or(""),
        message = if message.is_empty() { "something went wrong on our side" } else { &message },
    );
    Caught::Html((status, RawHtml(body)))
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![default_catcher]
}
