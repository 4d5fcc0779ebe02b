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
    Redirect(rocket::response::Redirect),
}

#[rocket::catch(default)]
fn default_catcher(status: Status, req: &Request<'_>) -> Caught {
    let api = req.uri().path().starts_with("/api/");
    if let Some((refused, code, message)) = super::access::refusal(req).filter(|r| r.0 == status) {
        if api {
            let err = AppError::BadRequest { code, message, field: None };
            return Caught::Json((status, Json(err.body(&super::request_id(req)))));
        }
        if refused == Status::Unauthorized && req.method() == rocket::http::Method::Get {
            // A person who is not signed in: to the sign-in page, and back here afterwards.
            let here = req.uri().to_string();
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            return Caught::Redirect(rocket::response::Redirect::to(format!("/sign-in?next={next}")));
        }
        return Caught::Html((status, RawHtml(plain_page(status, &message))));
    }
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
    if api {
        let err = if status.code >= 500 {
            AppError::Internal(format!("unhandled {status}"))
        } else {
            AppError::BadRequest { code, message, field: None }
        };
        return Caught::Json((status, Json(err.body(&super::request_id(req)))));
    }
    let message =
        if message.is_empty() { "something went wrong on our side".to_string() } else { format!("{message}.") };
    Caught::Html((status, RawHtml(plain_page(status, &message))))
}

/// A page that needs nothing from the app: the status and one message (already HTML-safe or escaped here).
fn plain_page(status: Status, message: &str) -> String {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{code} — greenict</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/static/site.css\"></head><body><main class=\"wrap\">\
         <h1>{code}: {reason}</h1><p>{escaped}</p><p><a href=\"/\">Back to the register</a></p></main></body></html>",
        code = status.code,
        reason = status.reason().unwrap_or(""),
    )
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![default_catcher]
}
